/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz.h: what every harness in tests/fuzz defines.  Built with clang and
 * -fsanitize=fuzzer (scripts/fuzz.sh), libFuzzer calls it with generated
 * inputs; built into the ordinary suite with fuzz_main.c, it is called
 * once for every file of the harness's checked-in corpus
 * (tests/fuzz/corpus/NAME/), so every seed and every crash ever found is
 * a regression case.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
