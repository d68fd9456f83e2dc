/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_client: the console's one door to a location.  Views and dialogs call
 * typed functions here (con_spawn, con_destroy, con_logs ...) and never build
 * a message.  Pushes are applied to the tf_model given at creation; state
 * changes and "log" pushes are reported through one event callback.
 *
 * A backend sits behind it (con_backend.h), chosen by tui.c: con_conn.c
 * speaks to a real location through tf_conn; the demo location
 * (tui/demo/con_demo.c, a test fixture built only with -Ddemo=true) is a
 * fake location inside the process, so the console can be tested and
 * photographed without one.
 *
 * Reply callbacks run from the loop, exactly once per request (also when the
 * client is destroyed: error "connection closed").  Stream callbacks stop
 * the moment the owner calls con_stream_close.
 */
#ifndef CON_CLIENT_H
#define CON_CLIENT_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tf_err.h"
#include "tf_loop.h"
#include "tf_model.h"

typedef struct con_client con_client;
typedef struct con_stream con_stream;

enum con_state {
	CON_CONNECTING,
	CON_UP,
	CON_DOWN,
	CON_REFUSED,
	CON_CLOSED,
};

enum con_event {
	CON_EV_STATE,		/* text: why, may be "" */
	CON_EV_LOG_INFO,	/* a "log" push */
	CON_EV_LOG_ERROR,
};

struct con_config {
	const char *location;	/* NULL: the default location */
	const char *endpoint;	/* overrides the account's endpoint */
	const char *demo_feed;	/* demo: JSON lines of pushes, or NULL */
	const char *name;	/* our name in hello: "tfcon" */
};

/* A one-shot request unanswered for this long is reported as failed. */
#define CON_REPLY_TIMEOUT_MS 30000

/* error is NULL on success; params is the reply's map (may be empty). */
typedef void (*con_reply_fn)(void *arg, const char *error,
			     const msgpack_object *params);
typedef void (*con_event_fn)(void *arg, enum con_event ev, const char *text);

struct con_stream_ops {
	void (*started)(void *arg);
	/* fd 1 or 2; data is borrowed for the call. */
	void (*data)(void *arg, int fd, const uint8_t *data, size_t len);
	/* The sender dropped this many bytes (it could not keep up). */
	void (*dropped)(void *arg, uint64_t bytes);
	/* Final: error NULL on a normal end; exit_code/signal -1 if none. */
	void (*end)(void *arg, const char *error, int64_t exit_code,
		    int64_t signal);
};

struct con_backend_ops;
/* backend: one of tui.c's table (con_conn_ops for a real location). */
con_client *con_client_new(tf_loop *loop, tf_model *model,
			   const struct con_config *cfg,
			   const struct con_backend_ops *backend, tf_err *err);
void con_client_destroy(con_client **self_p);
void con_client_on_event(con_client *cc, con_event_fn fn, void *arg);

enum con_state con_client_state(const con_client *cc);
const char *con_state_name(enum con_state st);
const char *con_client_location(const con_client *cc);
/* User name from the welcome, "" before. */
const char *con_client_user(const con_client *cc);
bool con_client_admin(const con_client *cc);
const char *con_client_session(const con_client *cc);
int con_client_rtt_ms(const con_client *cc);

/* ---- one-shot requests: 0 sent (fn will be called), -1 not sent (err) -- */

struct con_file {
	const char *path;		/* inside the container */
	const uint8_t *data;
	size_t len;
};
struct con_mount {
	const char *volume;
	const char *mountpoint;
};
struct con_spawn_req {
	const char *image;
	const char *node;		/* NULL or "": the location chooses */
	const char *tag;		/* NULL or "" */
	const char *const *env;		/* "KEY=value" */
	size_t nenv;
	const char *const *command;	/* overrides the image's command */
	size_t ncommand;
	const struct con_file *preboot;
	size_t npreboot;
	const struct con_mount *volumes;
	size_t nvolumes;
	bool sleep;
};

int con_spawn(con_client *cc, const struct con_spawn_req *req,
	      con_reply_fn fn, void *arg, tf_err *err);
int con_destroy(con_client *cc, const char *container, con_reply_fn fn,
		void *arg, tf_err *err);
int con_reboot(con_client *cc, const char *container, bool reset,
	       con_reply_fn fn, void *arg, tf_err *err);
int con_wake(con_client *cc, const char *container, con_reply_fn fn,
	     void *arg, tf_err *err);
int con_allow(con_client *cc, const char *container, const char *ip,
	      bool allow, con_reply_fn fn, void *arg, tf_err *err);
/* Opens a tunnel 127.0.0.1:localport (0: any free port, stored in
 * *localport_out) -> container:port.  The console listens and relays each
 * connection until con_tunnel_close or the tunnel's end; fn hears when the
 * tunnel is ready (or why it failed). */
int con_tunnel_open(con_client *cc, const char *container, int port,
		    int localport, int *localport_out, con_reply_fn fn,
		    void *arg, tf_err *err);
int con_tunnel_close(con_client *cc, const char *tunnel, con_reply_fn fn,
		     void *arg, tf_err *err);
int con_vol_create(con_client *cc, const char *node, const char *tag,
		   con_reply_fn fn, void *arg, tf_err *err);
/* op: "vol_destroy", "vol_snapshot" or "vol_rollback". */
int con_vol_op(con_client *cc, const char *op, const char *volume,
	       con_reply_fn fn, void *arg, tf_err *err);

/* ---- streams ----------------------------------------------------------- */

/* Container console output.  NULL (err set) when not sent. */
con_stream *con_logs(con_client *cc, const char *container,
		     const struct con_stream_ops *ops, void *arg, tf_err *err);
/* Runs a process: command goes to /bin/sh -c unless argv is given. */
con_stream *con_proc(con_client *cc, const char *container,
		     const char *command, const char *const *argv, size_t argc,
		     bool tty, int rows, int cols,
		     const struct con_stream_ops *ops, void *arg, tf_err *err);
const char *con_stream_process(const con_stream *s);
const char *con_stream_container(const con_stream *s);
bool con_stream_ended(const con_stream *s);
int con_stream_write(con_stream *s, const void *data, size_t len);
int con_stream_close_stdin(con_stream *s);
int con_stream_resize(con_stream *s, int rows, int cols);
int con_stream_signal(con_stream *s, int sig);
/* Stops callbacks at once and ends the stream (unsub, or kills a running
 * process).  Nulls the caller's pointer. */
void con_stream_close(con_stream **s_p);

/* Signals a process by id (one this client did not start, too). */
int con_proc_kill(con_client *cc, const char *container, const char *process,
		  int sig);
/* Streams normally acknowledge data as it arrives; a consumer with its own
 * bounded queue (a shell pane) acknowledges what it has really consumed. */
void con_stream_set_manual_ack(con_stream *s, bool manual);
void con_stream_ack(con_stream *s, size_t bytes);

/* Looks a container or volume up by anything a person may type. */
const char *con_describe_container(const tf_model_container *c, char *buf,
				   size_t size);

#endif
