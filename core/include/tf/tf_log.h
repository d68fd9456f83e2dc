/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_log: levelled logging to stderr (or a file, for the console, which must
 * never write onto its curses screen).  The level and sink are set once by
 * main() through tf_log_setup(); they are the only process-wide settings in
 * the library, like tmux's log_level.
 */
#ifndef TF_LOG_H
#define TF_LOG_H

#include <stdio.h>

enum tf_log_level {
	TF_LOG_QUIET = -1,	/* nothing at all (tf -q) */
	TF_LOG_ERROR = 0,
	TF_LOG_WARN,
	TF_LOG_INFO,
	TF_LOG_DEBUG,
};

/* prog names the program in each line; out is stderr or a log file (not
 * owned).  Lines look like: "1123101530.123 INFO     tf-node: message". */
void tf_log_setup(int level, const char *prog, FILE *out);
int tf_log_level(void);

/* A sink of whole messages (no stamp, level or program prefix): the Python
 * SDK hands them to the logging module, which formats them its own way.
 * While one is set, tf_log_write calls it instead of writing to out; the
 * level still filters first.  fn NULL goes back to writing.  It may be
 * called from any thread that logs (the loop thread, mostly). */
typedef void (*tf_log_fn)(int level, const char *msg, void *arg);
void tf_log_set_fn(tf_log_fn fn, void *arg);
void tf_log_write(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As tf_log_write, with "func: " before the message. */
void tf_log_write_in(int level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The level is checked before the arguments are evaluated. */
#define tf_log(level, ...) do { \
	if ((level) <= tf_log_level()) tf_log_write((level), __VA_ARGS__); \
} while (0)
#define tf_error(...) tf_log(TF_LOG_ERROR, __VA_ARGS__)
#define tf_warn(...)  tf_log(TF_LOG_WARN, __VA_ARGS__)
#define tf_info(...)  tf_log(TF_LOG_INFO, __VA_ARGS__)
/* Debug lines name the function that wrote them, as tmux's
 * log_debug("%s: ...", __func__) does, so a trace can be followed in the
 * source without a grep for each message. */
#define tf_debug(...) do { \
	if (TF_LOG_DEBUG <= tf_log_level()) \
		tf_log_write_in(TF_LOG_DEBUG, __func__, __VA_ARGS__); \
} while (0)

/* A broken invariant: logs file and line and aborts. */
#define tf_panic(...) tf_panic_at(__FILE__, __LINE__, __VA_ARGS__)
void tf_panic_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#endif
