/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prog.h: what the integration test programs in tests/prog share: TAP-like
 * checks, connecting with the account in $TF_DIR, spawning and waiting,
 * blocking TCP clients run on a thread while the SDK's loop keeps running
 * on the main thread, SHA-256 of streams, and the memory of a process.
 *
 * Every program prints "ok - ..." / "not ok - ..." lines and a final
 * "N passed, N failed"; it exits 0 when everything passed, 1 otherwise,
 * 77 when it cannot run here (no node).
 */
#ifndef PROG_H
#define PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "tf.h"
#include "tf_call.h"

/* Prints "ok - " or "not ok - " and the message; returns cond. */
bool prog_check(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A comment line ("# ...") for the log. */
void prog_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the totals and returns the exit code. */
int prog_finish(void);
/* Exits 77 with a reason (after destroying *loc when given). */
void prog_skip(tf_location **loc, const char *why) __attribute__((noreturn));
/* Gives up: "not ok - what: err", totals, exit 1. */
void prog_bail(tf_location **loc, const char *what, const tf_err *err)
	__attribute__((noreturn));

/* Sets up logging (V=1 in the environment: debug) and connects with the
 * account in $TF_DIR as program name. */
tf_location *prog_connect(const char *name);
/* The best node, or skip. */
tf_node *prog_node(tf_location *loc);
/* Spawns image with opts on node and waits until it runs; bails on failure. */
tf_container *prog_spawn(tf_location *loc, tf_node *node, const char *image,
			 const tf_spawn_opts *opts);
/* A busybox container that runs argv (NULL-terminated) as its entrypoint
 * and is running. */
tf_container *prog_busybox(tf_location *loc, tf_node *node,
			   const char *const *argv);

/* Runs command in c (sh -c); returns its exit code (-1 when it could not
 * run) and, when out is not NULL, a malloc'd NUL-terminated stdout. */
int prog_sh(tf_container *c, const char *command, char **out);

/* Runs fn(arg) on a thread and the SDK loop here until it returns or
 * timeout_ms passes; returns 0 when fn finished. */
int prog_run_bg(tf_location *loc, void *(*fn)(void *), void *arg,
		int timeout_ms);
/* Runs the loop until cond(arg) is true or timeout_ms passes. */
bool prog_wait(tf_location *loc, bool (*cond)(void *), void *arg,
	       int timeout_ms);

/* Steps driven by the script (lib_prog.sh's `step TAG NAME`): waits,
 * running the loop, until the file $TF_STEPS/NAME exists; false after
 * timeout_ms (0: ten minutes).  prog_step_done prints "# done NAME". */
bool prog_step(tf_location *loc, const char *name, int timeout_ms);
void prog_step_done(const char *name);
/* Prints "# KEY=VALUE" for the script (lib_prog.sh's `value`). */
void prog_value(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A raw protocol connection of our own (another session of the account
 * in $TF_DIR, or of dir when not NULL) on loc's loop, for requests the SDK
 * would not send as they are.  Bails when it cannot connect. */
tf_conn *prog_raw_connect(tf_location *loc, const char *dir);
/* Sends o (consumed) and waits up to 30 s; 0 on "^" (params in *out when
 * out is not NULL: tf_reply_fini it), -1 with the error in err. */
int prog_raw_call(tf_conn *c, tf_out *o, tf_reply *out, tf_err *err);
/* The same with a timeout in ms. */
int prog_raw_call_ms(tf_conn *c, tf_out *o, tf_reply *out, int ms,
		     tf_err *err);

/* --- blocking sockets (use from a thread, see prog_run_bg) -------------- */

/* A TCP connection to 127.0.0.1:port, or -1.  Receive timeout 30 s. */
int prog_tcp_connect(int port);
/* A port on 127.0.0.1 that nothing listens on right now. */
int prog_free_port(void);
/* true when a connection to 127.0.0.1:port is accepted (and closed). */
bool prog_tcp_accepts(int port);

/* An HTTP/1.0 GET through 127.0.0.1:port; returns the status (or -1) and
 * the body in *body (malloc'd, NUL-terminated). */
int prog_http_get(int port, const char *path, const char *host, char **body,
		  size_t *len);

/* A stream of pseudo-random bytes, the same for the same seed. */
typedef struct prog_rand {
	uint64_t s;
} prog_rand;
void prog_rand_fill(prog_rand *r, uint8_t *buf, size_t len);

/*
 * One connection's exchange: sends `send_len` bytes (from send_buf, or
 * from the generator when send_buf is NULL), then half-closes, while
 * reading everything until EOF; both at once, so neither side's window can
 * deadlock.  Keeps the SHA-256 of what was sent and received, the first
 * keep bytes received, and counts.  read_delay_us > 0 reads read_chunk
 * bytes at a time with that pause (a slow reader); stop_after_us > 0 gives
 * up (closes) after that long.
 */
typedef struct prog_xfer {
	int port;
	const uint8_t *send_buf;
	uint64_t send_len;
	prog_rand gen;
	bool no_half_close;		/* keep writing side open */
	size_t keep;			/* received bytes to keep in got */
	unsigned read_delay_us;
	size_t read_chunk;
	uint64_t stop_after_us;
	/* results */
	uint8_t *got;
	uint64_t sent, received;
	uint8_t sent_sha[32], recv_sha[32];
	bool eof;
	int error;			/* errno of a failure, 0 */
	double secs;
} prog_xfer;
void prog_xfer_run(prog_xfer *x);
void *prog_xfer_thread(void *x);
/* Hex of a 32-byte digest into out (65 bytes). */
void prog_hex(const uint8_t sha[32], char out[65]);

/* Resident memory of a process in KiB (VmRSS), -1 when it is gone. */
long prog_rss_kb(int pid);

/* Wall clock milliseconds (monotonic). */
uint64_t prog_now_ms(void);

/* A container's end as its on_end callback saw it: pass prog_on_end and a
 * prog_ended in tf_spawn_opts; prog_has_ended is a prog_wait condition. */
typedef struct prog_ended {
	int calls;
	tf_model_ctr_state state;
} prog_ended;
void prog_on_end(tf_container *c, tf_model_ctr_state st, int code, void *arg);
bool prog_has_ended(void *arg);

#endif
