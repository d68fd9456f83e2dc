/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every message family's codec, for code that treats them all alike: the
 * fuzz harnesses (tf_codec_unpack_buf on raw bytes) and the self tests.
 */
#ifndef TF_CODEC_ALL_H
#define TF_CODEC_ALL_H

#include "tf_codec.h"

/* NULL-terminated. */
extern const tf_codec *const tf_codec_families[];

#endif
