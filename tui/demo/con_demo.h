/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_demo.h: the demo location, a test fixture (see con_demo.c).  Built
 * into tfcon only with meson -Ddemo=true, which defines TFCON_DEMO; tui.c
 * then lists it in its table of backends.
 */
#ifndef CON_DEMO_H
#define CON_DEMO_H

#include <msgpack.h>

#include "tf.h"

/* con_demo.c: an SDK location served by the demo inside the process, made
 * with base's loop, program and event callback; feed NULL: the canned
 * offer, else a feed file (see con_demo.c). */
tf_location *con_demo_location(const tf_location_opts *base, const char *feed,
			       tf_err *err);

/* con_json.c: JSON text (one value) to msgpack, appended to sb. */
int con_json_to_msgpack(const char *text, msgpack_sbuffer *sb, tf_err *err);

#endif
