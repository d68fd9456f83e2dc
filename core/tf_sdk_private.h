/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_private.h: the structures behind the SDK's handles (tf.h) and the
 * helpers its files share: waiting on the loop, calling the location,
 * growing buffers.  Files: tf_sdk_call.c (buffers, waiting, requests and
 * acks: what every other file uses, and which uses none of them),
 * tf_sdk_location.c (connection, model, run, threads, nodes, KV, find),
 * tf_sdk_image.c (uploads), tf_sdk_container.c (spawn and container
 * operations, volumes), tf_sdk_process.c (processes, the terminal bridge),
 * tf_sdk_tunnel.c (tunnels and HTTP waits).
 */
#ifndef TF_SDK_PRIVATE_H
#define TF_SDK_PRIVATE_H

#include <pthread.h>
#include <signal.h>
#include <termios.h>

#include "tf.h"
#include "tf_call.h"
#include "tf_conn.h"
#include "tf_frames.h"
#include "tf_keys.h"
#include "tf_log.h"
#include "tf_msg.h"
#include "tf_util.h"

#define SDK_CALL_TIMEOUT_MS	30000
#define SDK_READY_TIMEOUT_MS	60000
#define SDK_NO_TIMEOUT		(-1)
#define SDK_WINDOW		(1u << 20)	/* credit per stream */
/* The credit a tty process asks for: what is in flight between its pty
 * and the screen is what a Ctrl-C must still show (issue 23). */
#define SDK_TTY_WINDOW		(16u << 10)
#define SDK_OUTPUT_MAX		(64u << 20)	/* collected process output */

#define SDK_ARRAY(type, name) type *name; size_t n_##name, cap_##name
#define SDK_PUSH(obj, arr, item) do { \
	if ((obj)->n_##arr == (obj)->cap_##arr) { \
		(obj)->cap_##arr = (obj)->cap_##arr ? (obj)->cap_##arr * 2 : 8; \
		(obj)->arr = tf_realloc((obj)->arr, \
		    (obj)->cap_##arr * sizeof *(obj)->arr); \
	} \
	(obj)->arr[(obj)->n_##arr++] = (item); \
} while (0)

/* tf_sdk_call.c */
struct sdk_buf {
	uint8_t *p;
	size_t len, cap;
};
void sdk_buf_add(struct sdk_buf *b, const void *data, size_t len);
void sdk_buf_consume(struct sdk_buf *b, size_t n);
/* Hands the bytes (NUL-terminated) to the caller and empties b. */
uint8_t *sdk_buf_take(struct sdk_buf *b, size_t *len);
void sdk_buf_free(struct sdk_buf *b);

struct tf_node {
	tf_location *loc;
	char name[TF_MODEL_ID];
	int64_t num_id;			/* the location's numeric id, 0 unknown */
	bool seen;			/* in the model at the last sync */
};

struct tf_volume {
	tf_location *loc;
	char id[TF_MODEL_ID];
	char tag[TF_MODEL_NAME];
	char node[TF_MODEL_ID];
	char display[TF_MODEL_ID + TF_MODEL_NAME + 2];
	bool gone;
};

struct tf_container {
	tf_location *loc;
	tf_node *node;
	char id[TF_MODEL_ID];
	char tag[TF_MODEL_NAME];
	char image[TF_MODEL_TEXT];
	char ip[48];
	char display[TF_MODEL_ID + TF_MODEL_NAME + 2];
	tf_model_ctr_state state;
	int exit_code;
	char error[TF_ERR_LEN];
	bool external;			/* another session's */
	bool accepted;			/* the spawn was answered "^" */
	bool ended;			/* end callback fired */
	bool destroy_sent;
	bool running_logged;
	uint64_t spawn_req;
	uint64_t logs_req;
	uint64_t logs_next;		/* offset of the console output after
					 * what we got (node's `at`) */
	tf_output_fn output;
	void *output_arg;
	tf_container_end_fn on_end;
	void *on_end_arg;
};

struct tf_process {
	tf_location *loc;
	tf_container *ctr;
	char id[TF_MODEL_ID];
	char command[TF_MODEL_TEXT];
	uint64_t req;
	bool started, done, released, tty;
	int busy;			/* SDK frames using it: not freed */
	int exit_code;
	char error[TF_ERR_LEN];
	tf_process_data_fn data;
	tf_process_end_fn on_end;
	void *arg;
	struct sdk_buf out, err;
	/* stdin with reply */
	bool capturing;
	struct sdk_buf reply;
	uint64_t last_data_ms;
	/* the terminal bridge */
	bool attached;
};

struct sdk_tconn;

struct tf_tunnel {
	tf_location *loc;
	tf_container *ctr;
	char id[TF_MODEL_ID];
	int port;
	int localport;
	char bind[64];
	char url[1024];
	int listen_fd;
	uint64_t req;			/* the tunnel stream */
	bool requested, ready, closed;
	/* After a resumed welcome the offer says whether the location still
	 * has the tunnel (verify); if not (it restarted) it is asked for
	 * again once the container's node is up (restoring). */
	bool verify, restoring;
	/* Opened by tf_async_tunnel_open: told once when ready or failed. */
	tf_done_fn ready_fn;
	void *ready_arg;
	uint64_t restore_after_ms;	/* a failed restore waits till then */
	char error[TF_ERR_LEN];
	uint32_t next_conn;
	SDK_ARRAY(struct sdk_tconn *, conns);
};

struct sdk_job {
	struct sdk_job *next;
	tf_call_fn fn;
	void *arg;
	bool wait;
	bool done;
};

struct tf_location {
	tf_loop *loop;
	bool own_loop;
	tf_conn *conn;
	tf_account acct;
	tf_model *model;
	tf_frames *frames;		/* tunnel reads, sent without a copy */
	char name[256];
	char program[64];
	bool offered;			/* the first offer arrived */
	/* The last welcome started a new session (the old one was
	 * collected): the next offer is all that is left of ours. */
	bool new_session;
	/* The location's run (welcome's `boot`): another one on a resumed
	 * session means it restarted and every stream we had is gone. */
	int64_t boot;
	bool disconnected, disconnecting;
	bool abandon;			/* a second signal while disconnecting */
	bool complete;
	int complete_code;
	bool conn_failed;
	char conn_error[TF_ERR_LEN];
	tf_node_fn new_node;
	void *new_node_arg;

	/* Event-driven use (tf_sdk_async.c, tf_sdk_stream.c): a transport
	 * stands in for tf_conn in test fixtures; status and welcome are
	 * kept here for both. */
	const tf_transport_ops *transport;
	void *transport_arg;
	tf_status status;
	char user[128];
	char session[TF_MODEL_ID];
	bool admin;
	tf_event_fn ev_fn;
	void *ev_arg;
	struct sdk_async *asyncs;	/* calls waiting for an answer */
	bool metrics_on;		/* tf_location_watch_metrics */
	bool events_on;			/* tf_location_watch_events */

	SDK_ARRAY(tf_node *, nodes);
	SDK_ARRAY(tf_container *, containers);
	SDK_ARRAY(tf_volume *, volumes);
	SDK_ARRAY(tf_process *, processes);
	SDK_ARRAY(tf_tunnel *, tunnels);
	SDK_ARRAY(tf_ssh_server *, sshs);	/* tf_ssh_server.c */
	int iterating;			/* walking processes: no reaping */
	int pending_destroys;		/* while disconnecting */
	bool reap_hooked;

	/* Images already checked by spawns, so ten spawns check once:
	 * pairs of (name or path as given, image id). */
	SDK_ARRAY(char *, ensured);
	/* Image ids the location has for us (from the offer and image
	 * events; kept here because tf_model's ids are too short for them). */
	SDK_ARRAY(char *, images);
	/* Registry credentials for docker:// images (tf_location_set_registry). */
	char *reg_creds, *reg_authfile;
	int reg_tls_verify;

	/* Signals through a signalfd. */
	int sigfd;
	bool catching;
	sigset_t oldmask;

	/* The background loop thread and the queue into it. */
	pthread_t thread;
	bool thread_running;
	bool thread_stop;
	int thread_code;
	int efd;
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct sdk_job *qhead, *qtail;

	/* The terminal bridge (tf -ti). */
	tf_process *term_proc;
	bool term_raw;
	struct termios term_saved;
	int winch_fd;
	bool term_escape;
};

/* tf_sdk_tunnel.c */
struct sockaddr_in;
int sdk_http_get(tf_location *loc, const struct sockaddr_in *sa,
		 const char *host, const char *path);

/* tf_sdk_call.c */
bool sdk_on_loop_thread(const tf_location *loc);
int sdk_check(tf_location *loc, tf_err *err);
int sdk_wait(tf_location *loc, const bool *flag, int timeout_ms,
	     const char *what, tf_err *err);
int sdk_wait_until(tf_location *loc, bool (*done)(void *), void *arg,
		   int timeout_ms, const char *what, tf_err *err);
int sdk_call(tf_location *loc, tf_out *o, const void *bulk, size_t len,
	     int timeout_ms, tf_reply *out, tf_err *err);
uint64_t sdk_request(tf_location *loc, tf_out *o, const void *bulk,
		     size_t len, tf_conn_reply_fn fn, void *arg);
int sdk_send(tf_location *loc, tf_out *o, const void *bulk, size_t len);
int sdk_send_frame(tf_location *loc, tf_out *o, void *frame);
void sdk_ack(tf_location *loc, uint64_t ref, size_t bytes, int64_t conn);
bool sdk_msg_error(const tf_msg *m, char *buf, size_t size);
/* Sends a proc_stdin o (consumed) with its bytes; a refusal is logged. */
int sdk_send_stdin(tf_location *loc, const char *container,
		   const char *process, tf_out *o, const void *bulk,
		   size_t len);

/* tf_sdk_location.c */
tf_node *sdk_node_get(tf_location *loc, const char *name);
/* A push from the location (tf_conn or a transport). */
void sdk_push(tf_location *loc, const tf_msg *m);
/* The connection changed state; welcome may be NULL. */
void sdk_status_set(tf_location *loc, tf_status st, const char *why,
		    bool resumed);

/* tf_sdk_metrics.c */
/* A fresh offer arrived: a watching session asks for metrics again (the
 * offer replaced the model's records, and a new session is not
 * subscribed). */
void sdk_metrics_offer(tf_location *loc);

/* tf_ssh_server.c: destroys every SSH server of loc. */
void sdk_ssh_close_all(tf_location *loc);

/* tf_sdk_transport.c */
bool sdk_connected(const tf_location *loc);
uint64_t sdk_transport_request(tf_location *loc, tf_out *o, const void *bulk,
			       size_t len, tf_conn_reply_fn fn, void *arg);
int sdk_transport_send(tf_location *loc, tf_out *o, const void *bulk,
		       size_t len);
/* No answer to id is wanted any more (tf_conn or transport). */
void sdk_forget(tf_location *loc, uint64_t id);
void sdk_transport_close(tf_location *loc);

/* tf_sdk_async.c */
struct sdk_async;
/* Every call still waiting hears "connection closed". */
void sdk_async_close_all(tf_location *loc);

/* tf_sdk_container.c */
tf_container *sdk_container_by_id(tf_location *loc, const char *id);
tf_container *sdk_container_from_model(tf_location *loc,
				       const tf_model_container *r);
void sdk_container_sync(tf_container *c, const tf_model_container *r);
void sdk_container_gone(tf_container *c);
void sdk_containers_resync(tf_location *loc, bool absent_is_gone);
bool sdk_work_left(tf_location *loc);
void sdk_disconnect_containers(tf_location *loc);
tf_volume *sdk_volume_get(tf_location *loc, const tf_model_volume *r);
/* The volume object of an id, made if there is none yet. */
tf_volume *sdk_volume_ensure(tf_location *loc, const char *id);
void sdk_volumes_resync(tf_location *loc);
void sdk_container_free(tf_container *c);
void sdk_volume_free(tf_volume *v);
int sdk_spawn_validate(const tf_spawn_opts *o, tf_err *err);
/* Packs a spawn request (node name may be NULL: the location picks). */
void sdk_spawn_pack(tf_out *o, const char *node, const char *image,
		    const tf_spawn_opts *opts);
/* A handle for a container of the model, made if needed; a handle made
 * here is not this program's to destroy at disconnect. */
tf_container *sdk_container_for_id(tf_location *loc, const char *id,
				   tf_err *err);

/* tf_sdk_image.c */
int sdk_image_check(tf_location *loc, const char *image, char *use_out,
		    size_t use_size, tf_err *err);
void sdk_image_note(tf_location *loc, const msgpack_object *rec);
bool sdk_image_known(tf_location *loc, const char *id);

/* tf_sdk_process.c */
struct tf_proc_msg;
/* A proc request's container, process and argv (argc items) or command,
 * and in line the command line people read; the caller adds tty, rows,
 * cols, term and env.  Shared by tf_container_spawn_* and
 * tf_stream_process. */
void sdk_proc_msg_init(struct tf_proc_msg *pm, const char *container,
		       const char *process, const char *command,
		       const char *const *argv, size_t argc, char *line,
		       size_t line_size);
void sdk_process_free(tf_process *p);
void sdk_process_unhook(tf_location *loc);
void sdk_processes_container_gone(tf_container *c);
void sdk_processes_streams_lost(tf_location *loc);
bool sdk_processes_running(tf_location *loc);
void sdk_terminal_close(tf_location *loc);

/* tf_sdk_container.c */
void sdk_logs_streams_lost(tf_location *loc);
void sdk_logs_restore(tf_location *loc);

/* tf_sdk_tunnel.c */
void sdk_tunnel_free(tf_tunnel *t);
void sdk_tunnels_container_gone(tf_container *c);
void sdk_tunnels_close_all(tf_location *loc);
void sdk_tunnels_reconnected(tf_location *loc);
void sdk_tunnels_offer(tf_location *loc);
void sdk_tunnels_restore(tf_location *loc);
void sdk_tunnel_gone(tf_location *loc, const char *id, const char *why);
/* A tunnel that does not wait for its container; fn hears it ready. */
tf_tunnel *sdk_tunnel_open_async(tf_container *c, int port, int localport,
				 tf_done_fn fn, void *arg, tf_err *err);
tf_tunnel *sdk_tunnel_by_id(tf_location *loc, const char *id);
void sdk_tunnel_stop(tf_tunnel *t);

#endif
