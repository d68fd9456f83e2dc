/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vt_guard: what a container's output must not do to libvterm.
 *
 * libvterm 0.1.4 (Debian 12's) keeps at most 16 arguments of a CSI
 * sequence and writes past its array on the 17th: `ESC [` followed by
 * seventeen colons crashes the console (found by tests/fuzz/fuzz_vt).
 * Every byte the shell pane parses passes through this filter first; it
 * drops the parameter bytes of a CSI sequence after its 16th argument,
 * which no real program sends, and leaves everything else alone.  It keeps
 * its state between calls, so a sequence split across reads is still seen
 * whole.
 */
#ifndef VT_GUARD_H
#define VT_GUARD_H

#include <stddef.h>
#include <stdint.h>

/* libvterm's CSI_ARGS_MAX */
#define VT_GUARD_CSI_ARGS 16

struct vt_guard {
	uint8_t state;		/* text, after ESC, in a CSI's parameters */
	uint8_t seps;		/* argument separators seen in this CSI */
};

/* Filters buf[0..len) in place; returns the length kept. */
size_t vt_guard_filter(struct vt_guard *g, char *buf, size_t len);

#endif
