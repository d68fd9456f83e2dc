/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The process family (docs/PROTOCOL.md, "Streams in detail", `proc`):
 * `proc`, `proc_stdin`, `proc_kill` and `proc_resize` share one struct;
 * each command sends the fields it uses.  See tf_codec.h.
 */
#ifndef TF_CODEC_PROC_H
#define TF_CODEC_PROC_H

#include "tf_codec.h"

#define TF_PROC_MAX_STRV 4096	/* argv, env items */
/* The credit window a `proc` may ask for (bytes of output in flight);
 * without `window` the node uses the largest. */
#define TF_PROC_WINDOW_MIN (1 << 10)
#define TF_PROC_WINDOW_MAX (1 << 20)

typedef struct tf_proc_msg {
	uint64_t has;
	const char *container;
	const char *process;
	const char *const *argv;	/* proc: argv or command */
	size_t n_argv;
	const char *command;
	bool tty;			/* proc */
	int64_t rows;			/* proc (tty), proc_resize */
	int64_t cols;
	const char *term;		/* proc (tty) */
	const char *const *env;		/* proc */
	size_t n_env;
	bool close;			/* proc_stdin: close after the bulk */
	int64_t signal;			/* proc_kill: 0 for the default */
	int64_t window;			/* proc: credit window, bytes */
} tf_proc_msg;

extern const tf_codec tf_proc_codec;
TF_CODEC_DECLARE(tf_proc, tf_proc_msg);

#endif
