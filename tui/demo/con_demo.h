/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_demo.h: the demo location, a test fixture (see con_demo.c).  Built
 * into tfcon only with meson -Ddemo=true, which defines TFCON_DEMO; tui.c
 * then lists it in its table of backends.
 */
#ifndef CON_DEMO_H
#define CON_DEMO_H

#include <msgpack.h>

#include "con_backend.h"
#include "tf_err.h"

/* con_demo.c */
extern const struct con_backend_ops con_demo_ops;

/* con_json.c: JSON text (one value) to msgpack, appended to sb. */
int con_json_to_msgpack(const char *text, msgpack_sbuffer *sb, tf_err *err);

#endif
