/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf.h: the public C SDK of 20ft.  A program connects to a location, picks
 * a node, spawns containers from images, tunnels to them, runs processes in
 * them, moves files, and keeps volumes and key/value data.  docs/SDK.md is
 * the guide; this header is the reference.
 *
 * Principles
 *
 *   One loop, no hidden threads.  A tf_location owns (or borrows) one
 *   tf_loop.  Every callback runs on that loop, from inside an SDK call
 *   that runs it (a blocking helper, tf_location_run, tf_location_sleep) or
 *   from your own tf_loop_run when you passed the loop in.  Blocking helpers
 *   run the loop until their condition holds, so streams, tunnels and other
 *   requests keep moving while you wait; they may be called from callbacks
 *   (the loop nests).
 *
 *   Errors are values.  Calls that can fail take a `tf_err *err` last and
 *   return -1 (or NULL) with a message a person can act on.  Nothing in the
 *   SDK aborts on bad input, a lost connection or a refusal.
 *
 *   The location owns every handle.  Nodes, containers, processes, tunnels
 *   and volumes are handles that stay valid (their state says they are
 *   gone) until tf_location_destroy, so callbacks never see freed memory.
 *   Finished processes may be released early with tf_process_release.
 *
 *   "The parent destroys the child": tf_location_disconnect destroys every
 *   container and tunnel this session made (not volumes, nor other
 *   sessions' containers) and says goodbye; the location garbage-collects
 *   the same things itself if the program dies.
 *
 * Threads
 *
 *   The SDK is not thread-safe, by design: one thread drives the loop.  A
 *   program that wants to block elsewhere (pause(), a GUI) starts the loop
 *   on a thread of its own with tf_location_thread_start, and hands work to
 *   it with tf_location_call (waits for the result) or tf_location_post (does
 *   not).  Calls are carried by an eventfd-signalled queue into the loop;
 *   any other SDK call from a foreign thread while the loop thread runs
 *   fails with an error saying so.
 */
#ifndef TF_H
#define TF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tf_conn.h"
#include "tf_err.h"
#include "tf_log.h"
#include "tf_loop.h"
#include "tf_model.h"
#include "tf_msg.h"

#define TF_SDK_VERSION "0.1.0"

typedef struct tf_location tf_location;
typedef struct tf_node tf_node;
typedef struct tf_container tf_container;
typedef struct tf_process tf_process;
typedef struct tf_tunnel tf_tunnel;
typedef struct tf_volume tf_volume;

/* ==== Locations ======================================================= */

/* How much the SDK logs (through tf_log, on stderr by default; a binding
 * routes the lines into its own logging with tf_log_set_fn, tf_log.h). */
typedef enum tf_log_mode {
	TF_LOGGING_UNCHANGED = 0,	/* leave tf_log as main() set it */
	TF_LOGGING_INFO,		/* "debug_log=False": info and up */
	TF_LOGGING_DEBUG,		/* "debug_log=True": everything */
	TF_LOGGING_QUIET,		/* nothing at all */
} tf_log_mode;

typedef void (*tf_node_fn)(tf_location *loc, tf_node *node, void *arg);

/* What an event-driven program hears (tf_location_on_event): the
 * connection changed state (text: why, may be ""), or the location sent a
 * "log" push for people to read. */
typedef enum tf_event {
	TF_EVENT_STATE,
	TF_EVENT_LOG_INFO,
	TF_EVENT_LOG_ERROR,
} tf_event;
typedef void (*tf_event_fn)(tf_location *loc, tf_event ev, const char *text,
			    void *arg);

struct tf_transport_ops;

typedef struct tf_location_opts {
	const char *location;	/* account name; NULL: ~/.20ft/default_location */
	const char *address;	/* host[:port] or tcp://... to connect to
				 * instead of the account's endpoint */
	tf_log_mode logging;
	const char *program;	/* shown to operators and in log lines;
				 * NULL: the program's own name */
	int timeout_ms;		/* connect + first offer; 0: 60000 */
	tf_loop *loop;		/* NULL: the location makes its own */
	/* Called for every node that appears after the first offer. */
	tf_node_fn new_node;
	void *new_node_arg;
	/* Return as soon as the connection is started, without waiting for
	 * the first offer (event-driven programs; see below). */
	bool no_wait;
	/* Connection states and log pushes, from the start. */
	tf_event_fn on_event;
	void *on_event_arg;
	/* A stand-in for the location (test fixtures, see Transports);
	 * NULL: the account's location over CurveZMQ. */
	const struct tf_transport_ops *transport;
	void *transport_arg;
} tf_location_opts;

/* Connects with the saved account and waits for the first resource offer.
 * opts may be NULL (the default location, logging unchanged). */
tf_location *tf_location_new(const tf_location_opts *opts, tf_err *err);
/* Shorthand: the named (or default, NULL) location with info logging. */
tf_location *tf_location_connect(const char *location, tf_err *err);
/* Disconnects (if still connected) and frees every handle. */
void tf_location_destroy(tf_location **loc_p);

/* Destroys this session's containers and tunnels, restores the terminal
 * if an interactive bridge changed it, logs "Disconnecting: <location>"
 * and says goodbye.  Idempotent.  Handles stay readable afterwards. */
void tf_location_disconnect(tf_location *loc);

/*
 * Runs the loop until tf_location_complete is called, every container this
 * session spawned has ended (and no process of ours runs), SIGINT or
 * SIGTERM arrives (caught while run is running), or the connection is
 * refused or closed; then disconnects.  Returns the code given to
 * tf_location_complete (0 when work simply finished), 128 + signal number
 * after a signal, or -1 with err when the connection failed.
 */
int tf_location_run(tf_location *loc, tf_err *err);
/* Makes tf_location_run (and tf_location_thread_join) return code.  From
 * then on blocking helpers return "interrupted" at once, and only the
 * disconnect still waits for the location. */
void tf_location_complete(tf_location *loc, int code);
bool tf_location_completed(const tf_location *loc);
/* Runs the loop for ms milliseconds (the seeds' time.sleep).  Returns -1
 * early if the location completed meanwhile (signal, refusal, complete). */
int tf_location_sleep(tf_location *loc, int ms);
/* Catches SIGINT and SIGTERM through a signalfd on the loop for the life of
 * the location (not only inside tf_location_run): a signal completes the
 * location with 128 + signo, so blocking helpers return "interrupted".
 * Blocks the signals in the calling thread: call it before starting other
 * threads, which inherit the mask (else one of them takes the signal). */
int tf_location_catch_signals(tf_location *loc, tf_err *err);

tf_loop *tf_location_loop(tf_location *loc);
/* The live resource offer (nodes, containers, tunnels, volumes, images);
 * see tf_model.h.  Records are borrowed. */
tf_model *tf_location_model(tf_location *loc);
const char *tf_location_name(const tf_location *loc);
const char *tf_location_session(const tf_location *loc);
/* "connecting", "connected", "reconnecting", "refused", "closed". */
const char *tf_location_state(const tf_location *loc);

/* Background loop (see Threads above). */
typedef void (*tf_call_fn)(tf_location *loc, void *arg);
int tf_location_thread_start(tf_location *loc, tf_err *err);
/* Runs fn(loc, arg) on the loop thread and waits for it to return (calls
 * fn directly when no loop thread runs or when already on it). */
int tf_location_call(tf_location *loc, tf_call_fn fn, void *arg, tf_err *err);
/* Queues fn(loc, arg) to run on the loop thread; returns at once. */
int tf_location_post(tf_location *loc, tf_call_fn fn, void *arg, tf_err *err);
/* Waits until the loop thread ends (as tf_location_run would return) and
 * returns its code. */
int tf_location_thread_join(tf_location *loc, tf_err *err);
/* Completes the location from any thread and joins the loop thread. */
int tf_location_thread_stop(tf_location *loc);

/* ==== Nodes =========================================================== */

typedef struct tf_node_stats {
	bool up;
	int64_t cpus;
	double cpu_pct;
	int64_t mem_total_mb;
	int64_t mem_free_mb;
	double paging;
	int64_t containers;
	double load1;
} tf_node_stats;

/* Nodes ranked by free resources, best first (free memory weighted by idle
 * cpu, minus 10 x paging; down nodes excluded).  Fills up to max handles
 * and returns how many nodes there are. */
size_t tf_location_ranked_nodes(tf_location *loc, tf_node **out, size_t max);
/* The best node, or NULL with "The location has no nodes". */
tf_node *tf_location_best_node(tf_location *loc, tf_err *err);
/* A node by name. */
tf_node *tf_location_node(tf_location *loc, const char *name, tf_err *err);

const char *tf_node_name(const tf_node *node);
tf_location *tf_node_location(const tf_node *node);
int tf_node_stats_get(const tf_node *node, tf_node_stats *out);

/* ==== Images ========================================================== */

/* Progress of an upload: what is "layer <short digest>" or "image". */
typedef void (*tf_progress_fn)(const char *what, uint64_t done,
			       uint64_t total, void *arg);

/*
 * Makes sure the location has image: a path to an OCI image layout or a
 * docker-save archive (directory or tarball), a bare name looked up as
 * $TF_IMAGES/NAME then ./build/images/NAME, or a reference skopeo reads
 * (docker://REGISTRY/REPO:TAG, oci:, oci-archive:, docker-archive:,
 * containers-storage:, dir:), pulled first into the pull cache (see
 * tf_registry.h; linux/amd64 from a multi-arch index) and known at the
 * location by its name (REGISTRY/REPO:TAG).  Missing layers are uploaded
 * (layers_missing, layer_put in 256 KiB chunks, image_put); logs "No layers
 * need uploading for: X" when none is missing.  When no local copy exists
 * and the location already knows image (a name, id or "."), that is
 * success.  The image id (sha256 hex of its config) goes to id_out.
 */
int tf_location_ensure_image_uploaded(tf_location *loc, const char *image,
				      tf_progress_fn progress, void *arg,
				      char *id_out, size_t id_size,
				      tf_err *err);
/* As ensure_image_uploaded, but always (re)stores the image record, so that
 * image becomes the "last image" (tfcache). */
int tf_location_push_image(tf_location *loc, const char *image,
			   tf_progress_fn progress, void *arg, char *id_out,
			   size_t id_size, tf_err *err);
/* Credentials for docker:// images: creds "USER:PASSWORD" (or NULL),
 * authfile an auth file in docker's format (NULL: skopeo's default),
 * tls_verify 1, 0 or -1 (off for loopback registries only).  Copied. */
void tf_location_set_registry(tf_location *loc, const char *creds,
			      const char *authfile, int tls_verify);
/* The id of the image most recently pushed to this location by this user
 * (what "." means in tf_node_spawn and `tf .`). */
int tf_location_last_image(tf_location *loc, char *id_out, size_t id_size,
			   tf_err *err);
/* The runtime config of an image the location knows: exposed tcp ports
 * (up to max into ports, count returned). */
int tf_location_image_ports(tf_location *loc, const char *image, int *ports,
			    size_t max, tf_err *err);

/* ==== Containers ====================================================== */

typedef struct tf_file {
	const char *path;		/* absolute path inside the container */
	const void *data;
	size_t len;
} tf_file;

typedef struct tf_mount {
	tf_volume *volume;		/* or NULL and name: */
	const char *name;		/* uuid, tag or uuid:tag */
	const char *mountpoint;
} tf_mount;

typedef struct tf_limits {
	int64_t memory_mb;		/* 0: no limit */
	int64_t pids;
	int64_t cpu_shares;
} tf_limits;

/* Console output of a container (fd 1 or 2; dropped > 0 reports bytes the
 * location dropped because we fell more than 1 MiB behind). */
typedef void (*tf_output_fn)(tf_container *c, int fd, const uint8_t *data,
			     size_t len, void *arg);
/* The container ended: state is TF_CTR_EXITED, TF_CTR_FAILED or
 * TF_CTR_DESTROYED; exit_code is the entrypoint's status when known. */
typedef void (*tf_container_end_fn)(tf_container *c, tf_model_ctr_state state,
				    int exit_code, void *arg);

typedef struct tf_spawn_opts {
	const char *tag;		/* 0-9 a-z - _ . ; unique per user */
	const char *const *env;		/* NULL-terminated "NAME=value" */
	const char *const *command;	/* NULL-terminated argv replacing the
					 * image's entrypoint and cmd */
	const tf_file *files;		/* pre-boot files */
	size_t nfiles;
	const tf_mount *mounts;		/* volumes */
	size_t nmounts;
	bool sleep;			/* boot, but hold the entrypoint until
					 * tf_container_wake */
	tf_limits limits;
	bool no_image_check;		/* skip ensure_image_uploaded */
	tf_output_fn output;		/* console output (logs stream) */
	void *output_arg;
	tf_container_end_fn on_end;
	void *on_end_arg;
} tf_spawn_opts;

/*
 * Spawns asynchronously: returns a handle as soon as the request is sent
 * (the image check, when needed, happens first and blocks).  The container
 * becomes ready later; tf_container_wait_ready blocks until it runs (or
 * sleeps, when spawned with sleep).  node NULL: the location picks.
 */
tf_container *tf_node_spawn(tf_node *node, const char *image,
			    const tf_spawn_opts *opts, tf_err *err);
tf_container *tf_location_spawn(tf_location *loc, const char *image,
				const tf_spawn_opts *opts, tf_err *err);
/* tf_node_spawn + tf_container_wait_ready(60 s). */
tf_container *tf_node_spawn_container(tf_node *node, const char *image,
				      const tf_spawn_opts *opts, tf_err *err);

/* Blocks until the container runs (or sleeps); fails if it failed, ended
 * or timeout_ms (0: 60000) passed. */
int tf_container_wait_ready(tf_container *c, int timeout_ms, tf_err *err);
bool tf_container_is_ready(const tf_container *c);
/* Blocks until the container has ended (exited, failed or destroyed). */
int tf_container_wait_end(tf_container *c, int timeout_ms, tf_err *err);

const char *tf_container_id(const tf_container *c);	/* "" until accepted */
const char *tf_container_tag(const tf_container *c);
/* The image as the location knows it: the name given, or the pushed id
 * when a path to a local image was given. */
const char *tf_container_image(const tf_container *c);
const char *tf_container_ip(const tf_container *c);	/* "" until running */
/* "uuid" or "uuid:tag". */
const char *tf_container_display_name(const tf_container *c);
tf_node *tf_container_node(const tf_container *c);
tf_location *tf_container_location(const tf_container *c);
tf_model_ctr_state tf_container_state(const tf_container *c);
int tf_container_exit_code(const tf_container *c);
/* Why it failed, or "". */
const char *tf_container_error(const tf_container *c);
/* True for a container of another session found with tf_location_find. */
bool tf_container_is_external(const tf_container *c);

/* Starts the entrypoint of a container spawned with sleep. */
int tf_container_wake(tf_container *c, tf_err *err);
/* Kills everything in it and boots it again; reset discards every change
 * to its filesystem (back to the image plus pre-boot files).  Returns once
 * it runs again. */
int tf_container_reboot(tf_container *c, bool reset, tf_err *err);
int tf_container_destroy(tf_container *c, tf_err *err);

/* Writes data to path (parent directories are created), in 256 KiB
 * chunks; mode 0 means 0644. */
int tf_container_put(tf_container *c, const char *path, const void *data,
		     size_t len, int mode, tf_err *err);
int tf_container_put_file(tf_container *c, const char *path,
			  const char *local_path, tf_err *err);
/* Reads path into a malloc'd buffer (NUL-terminated for convenience; len
 * excludes the NUL).  Fails for a missing file, a directory or a path
 * that escapes the container. */
int tf_container_fetch(tf_container *c, const char *path, uint8_t **data,
		       size_t *len, tf_err *err);
int tf_container_fetch_file(tf_container *c, const char *path,
			    const char *local_path, tf_err *err);

/* Subscribes to the console output (backlog first).  One subscription per
 * container; fn NULL unsubscribes. */
int tf_container_logs(tf_container *c, tf_output_fn fn, void *arg,
		      tf_err *err);
void tf_container_on_end(tf_container *c, tf_container_end_fn fn, void *arg);

/* Opens c's firewall to connections from other (by other's ip, waiting
 * for it to run), or closes it again. */
int tf_container_allow_connection_from(tf_container *c, tf_container *other,
				       tf_err *err);
int tf_container_disallow_connection_from(tf_container *c,
					  tf_container *other, tf_err *err);

/* Blocks until something accepts TCP connections on port in the container
 * (one connection is made and closed), or timeout_ms (0: 60000). */
int tf_container_wait_tcp(tf_container *c, int port, int timeout_ms,
			  tf_err *err);

/* ==== Processes ======================================================= */

typedef void (*tf_process_data_fn)(tf_process *p, int fd,
				   const uint8_t *data, size_t len, void *arg);
/* exit_code is 128 + signal when it was killed; -1 when it never ran. */
typedef void (*tf_process_end_fn)(tf_process *p, int exit_code, void *arg);

typedef struct tf_process_opts {
	tf_process_data_fn data;	/* NULL: output is collected */
	tf_process_end_fn on_end;
	void *arg;
	bool tty;			/* a pseudo-terminal (fd 1 only) */
	int rows, cols;			/* tty size; 0: 24 x 80 */
	const char *term;		/* tty TERM; NULL: "xterm" */
	const char *const *env;		/* extra "NAME=value", NULL-terminated */
} tf_process_opts;

/* command is run by the container's /bin/sh -c (as the seeds' strings);
 * argv is run directly. */
tf_process *tf_container_spawn_process(tf_container *c, const char *command,
				       const tf_process_opts *opts,
				       tf_err *err);
tf_process *tf_container_spawn_argv(tf_container *c, const char *const *argv,
				    const tf_process_opts *opts, tf_err *err);
/* An interactive login shell on a tty (argv NULL: /bin/sh). */
tf_process *tf_container_spawn_shell(tf_container *c, const char *const *argv,
				     const tf_process_opts *opts, tf_err *err);
/* Kills a process (SIGTERM, SIGKILL after 2 s); its end callback fires. */
int tf_container_destroy_process(tf_container *c, tf_process *p, tf_err *err);

/* A process run to completion. */
typedef struct tf_run_result {
	uint8_t *out;			/* stdout, NUL-terminated, malloc'd */
	size_t out_len;
	uint8_t *err;			/* stderr, likewise */
	size_t err_len;
	int exit_code;
} tf_run_result;
void tf_run_result_fini(tf_run_result *r);
/* Runs command (sh -c) and waits (timeout_ms 0: no limit).  A non-zero
 * exit code is not an error; a process that cannot start is. */
int tf_container_run_process(tf_container *c, const char *command,
			     int timeout_ms, tf_run_result *out, tf_err *err);

/* Writes to the process's stdin (or tty). */
int tf_process_stdin(tf_process *p, const void *data, size_t len,
		     tf_err *err);
/*
 * Writes data, then waits for the reply: output that arrives after it,
 * until none has come for settle_ms (0: 250) or timeout_ms (0: 10000)
 * passed.  drop_echo removes the terminal's echo of data from the start of
 * the reply.  The reply (NUL-terminated, malloc'd) is not passed to the
 * data callback.
 */
int tf_process_stdin_reply(tf_process *p, const void *data, size_t len,
			   bool drop_echo, int settle_ms, int timeout_ms,
			   uint8_t **reply, size_t *reply_len, tf_err *err);
int tf_process_close_stdin(tf_process *p, tf_err *err);
int tf_process_resize(tf_process *p, int rows, int cols, tf_err *err);
/* signal 0: SIGTERM then SIGKILL after 2 s. */
int tf_process_kill(tf_process *p, int signal, tf_err *err);
/* Waits until the process ends (timeout_ms 0: no limit) and gives its exit
 * code. */
int tf_process_wait(tf_process *p, int timeout_ms, int *exit_code,
		    tf_err *err);
/* Output collected so far when there is no data callback (stdout and,
 * after it, nothing else: stderr is kept apart). */
const uint8_t *tf_process_output(const tf_process *p, size_t *len);
const uint8_t *tf_process_stderr(const tf_process *p, size_t *len);
bool tf_process_running(const tf_process *p);
int tf_process_exit_code(const tf_process *p);
const char *tf_process_id(const tf_process *p);
const char *tf_process_error(const tf_process *p);
tf_container *tf_process_container(const tf_process *p);
/* Frees a process handle early (kills it first if it still runs). */
void tf_process_release(tf_process *p);

/* ==== Tunnels ========================================================= */

/*
 * Listens on bind:localport (bind NULL: 127.0.0.1; localport 0: a free
 * port, see tf_tunnel_localport) and relays every accepted connection to
 * port in the container, with flow control both ways and half-close.
 * Returns once the listener is open; the tunnel becomes usable when the
 * container runs.
 */
tf_tunnel *tf_container_attach_tunnel(tf_container *c, int port,
				      int localport, const char *bind,
				      tf_err *err);
/* A tunnel on a free port, then HTTP/1.0 GETs of path (NULL: "/") with
 * "Host: fqdn" (NULL: localhost) until one answers 200, or timeout_ms
 * (0: 60000) passes. */
tf_tunnel *tf_container_wait_http_200(tf_container *c, int port,
				      const char *fqdn, const char *path,
				      int timeout_ms, tf_err *err);
/* wait_http_200 on port 80 (port 0), then opens $BROWSER or xdg-open on
 * the URL; without either (or without a display) prints the URL. */
tf_tunnel *tf_container_attach_browser(tf_container *c, int port,
				       const char *fqdn, const char *path,
				       tf_err *err);
int tf_tunnel_localport(const tf_tunnel *t);
int tf_tunnel_port(const tf_tunnel *t);
const char *tf_tunnel_id(const tf_tunnel *t);
tf_container *tf_tunnel_container(const tf_tunnel *t);
/* "http://localhost:PORT/" style address of the tunnel. */
const char *tf_tunnel_url(const tf_tunnel *t);
int tf_tunnel_destroy(tf_tunnel *t, tf_err *err);

/* ==== Web endpoints (docs/WEB.md) ===================================== */

/*
 * A cluster is a set of containers served at one FQDN by the location's
 * HAProxy, round robin, with an optional Host rewrite and an optional
 * certificate (HTTPS, chosen by SNI).  The FQDN must lie under a domain
 * the account holds (tfdomains) or a global one.  Garbage collection
 * unpublishes the clusters of a session that vanished.
 */
typedef struct tf_cluster tf_cluster;
/* A new, unpublished cluster; rewrite (or NULL) is the Host header sent
 * to the containers. */
tf_cluster *tf_cluster_new(tf_location *loc, const char *rewrite);
/* Waits until c runs and adds it; when published the balancer follows. */
int tf_cluster_add(tf_cluster *k, tf_container *c, tf_err *err);
int tf_cluster_remove(tf_cluster *k, tf_container *c, tf_err *err);
/* Publishes (or, when already published, updates) the cluster at fqdn,
 * to the containers' port (0: 80).  pem_files (or NULL) are read and
 * joined: certificate, key and any intermediates, for HTTPS. */
int tf_cluster_publish(tf_cluster *k, const char *fqdn, int port,
		       const char *const *pem_files, tf_err *err);
int tf_cluster_unpublish(tf_cluster *k, tf_err *err);
/* GETs / of the published name through the location's balancer (HTTP,
 * at the location's address) until it answers 200 or timeout_ms (0:
 * 60000) passes; the original's WebEndpoint.wait_http_200. */
int tf_cluster_wait_http_200(tf_cluster *k, int timeout_ms, tf_err *err);
/* "" until published. */
const char *tf_cluster_id(const tf_cluster *k);
const char *tf_cluster_fqdn(const tf_cluster *k);
/* Frees the handle (the cluster stays published until unpublished or
 * collected with the session). */
void tf_cluster_destroy(tf_cluster **k);

/* Domains: prepare gives a token to put in a TXT record tf-token.DOMAIN,
 * then claim has the location check it. */
int tf_domain_prepare(tf_location *loc, const char *domain, char *token,
		      size_t size, tf_err *err);
int tf_domain_claim(tf_location *loc, const char *domain, tf_err *err);
int tf_domain_global(tf_location *loc, const char *domain, tf_err *err);
int tf_domain_private(tf_location *loc, const char *domain, tf_err *err);
int tf_domain_release(tf_location *loc, const char *domain, tf_err *err);
/* The domains the account may publish under and its clusters (free with
 * tf_web_list_free, tf_codec_web.h). */
struct tf_web_list_msg;
int tf_location_web_list(tf_location *loc, struct tf_web_list_msg *out,
			 tf_err *err);
/* ==== SSH and SFTP onto a container ================================== */

/*
 * An SSH server (libssh) on a local port that leads into one container:
 * ssh, scp, sftp, rsync -e ssh and ssh -L work with the container as the
 * remote host.  Sessions run as processes in the container (a shell with a
 * PTY of the client's size, or an exec with its exit status); the "sftp"
 * subsystem maps onto the node's file requests, confined to the container;
 * direct-tcpip (ssh -L) goes through a tunnel.  Everything runs on the
 * location's loop (libssh non-blocking, its fds polled by tf_loop): no
 * threads.  docs/SDK.md "SSH" has the details.
 *
 * Authentication is by public key only, against authorized_keys (NULL:
 * ~/.ssh/authorized_keys, read again at every attempt); any user name is
 * accepted.  The host key is host_key (NULL: ~/.20ft/ssh_host_ed25519_key,
 * an Ed25519 key made on first use).
 */
typedef struct tf_ssh_server tf_ssh_server;

typedef struct tf_ssh_opts {
	const char *bind;		/* NULL: 127.0.0.1 */
	int port;			/* 0: a free port (tf_ssh_server_port) */
	const char *authorized_keys;
	const char *host_key;
} tf_ssh_opts;

/* Listens at once; sessions start processes once the container runs. */
tf_ssh_server *tf_container_ssh_server(tf_container *c,
				       const tf_ssh_opts *opts, tf_err *err);
/* The same for a container named by id (event-driven programs). */
tf_ssh_server *tf_ssh_server_new(tf_location *loc, const char *container,
				 const tf_ssh_opts *opts, tf_err *err);
int tf_ssh_server_port(const tf_ssh_server *s);
const char *tf_ssh_server_container(const tf_ssh_server *s);
/* Clients connected now. */
size_t tf_ssh_server_clients(const tf_ssh_server *s);
/* Disconnects every client (their processes are hung up) and stops
 * listening.  Servers still alive at tf_location_destroy are destroyed
 * there. */
void tf_ssh_server_destroy(tf_ssh_server **s_p);

/* ==== Volumes ========================================================= */

/* Creates a volume on node (NULL: the best node), with an optional tag. */
tf_volume *tf_location_create_volume(tf_location *loc, tf_node *node,
				     const char *tag, tf_err *err);
/* The same with the bytes it may hold (0: the location's default, 1 GiB
 * unless its operator set another).  The size counts against the
 * account's volume_bytes quota; a node that keeps volumes on btrfs
 * refuses writes past it (EDQUOT), elsewhere it is not enforced. */
tf_volume *tf_location_create_volume_sized(tf_location *loc, tf_node *node,
					   const char *tag, int64_t size,
					   tf_err *err);
int tf_location_destroy_volume(tf_location *loc, tf_volume *v, tf_err *err);
/* A volume by uuid, tag or uuid:tag. */
tf_volume *tf_location_volume(tf_location *loc, const char *key, tf_err *err);
/* tf_location_volume, creating the volume with tag key when missing. */
tf_volume *tf_location_ensure_volume(tf_location *loc, const char *key,
				     tf_err *err);
size_t tf_location_volumes(tf_location *loc, tf_volume **out, size_t max);
/* The volume named by key and the node it lives on. */
int tf_location_node_and_volume(tf_location *loc, const char *key,
				tf_node **node, tf_volume **volume,
				tf_err *err);
/* Takes the volume's single snapshot point / goes back to it. */
int tf_volume_snapshot(tf_volume *v, tf_err *err);
int tf_volume_rollback(tf_volume *v, tf_err *err);
const char *tf_volume_id(const tf_volume *v);
const char *tf_volume_tag(const tf_volume *v);
const char *tf_volume_display_name(const tf_volume *v);
tf_node *tf_volume_node(const tf_volume *v);
bool tf_volume_exists(const tf_volume *v);

/* ==== Key/value store (per user) ===================================== */

/* The value (malloc'd string) or -1 with "no such key: K". */
int tf_kv_get(tf_location *loc, const char *key, char **value, tf_err *err);
/* pairs: key, value, key, value, ..., NULL. */
int tf_kv_set(tf_location *loc, const char *const *pairs, tf_err *err);
int tf_kv_set1(tf_location *loc, const char *key, const char *value,
	       tf_err *err);
int tf_kv_del(tf_location *loc, const char *key, tf_err *err);
/* Keys starting with prefix (NULL: all): a malloc'd NULL-terminated array
 * of malloc'd strings; free with tf_strv_free. */
int tf_kv_list(tf_location *loc, const char *prefix, char ***keys,
	       tf_err *err);
void tf_strv_free(char **v);

/* ==== Tags and discovery ============================================== */

/* A container (this session's, or a tagged one of another session of the
 * same user) by uuid, tag or uuid:tag. */
tf_container *tf_location_find_container(tf_location *loc, const char *name,
					 tf_err *err);

/* ==== Metrics ======================================================== */

/*
 * What containers use (cpu, memory, pids, network, block I/O), sampled by
 * their nodes and sent by the location only to sessions that watch them
 * (docs/PROTOCOL.md, "Metrics").  While on, the figures arrive about once
 * a second, for the containers whose figures changed, into the model
 * (tf_model_container.metrics; listeners hear TF_MODEL_CHANGED), also
 * after a reconnection.  Without a call a program receives none.
 */
int tf_location_watch_metrics(tf_location *loc, bool on, tf_err *err);
/* The location's events (docs/PROTOCOL.md, "Events") into the model as
 * TF_MODEL_EVENT records: first what its ring holds, then each new one;
 * also after a reconnection. */
int tf_location_watch_events(tf_location *loc, bool on, tf_err *err);
bool tf_location_watching_metrics(const tf_location *loc);
/* The container's latest figures; -1 (err) when none arrived yet. */
int tf_container_metrics(const tf_container *c, tf_model_metrics *out,
			 tf_err *err);

/* ==== Event-driven programs ========================================== */

/*
 * A program with its own poll loop (the console tfcon) passes that loop in
 * tf_location_opts with no_wait set, and never calls a blocking helper on
 * its interface path: it hears the connection through on_event, reads the
 * live offer from tf_location_model, and acts with the calls below, which
 * return at once and report later through callbacks run from the loop.
 * They name objects by id (any record of the model, so an admin acts on
 * other sessions' objects too).
 */
typedef enum tf_status {
	TF_STATUS_CONNECTING,
	TF_STATUS_UP,
	TF_STATUS_DOWN,			/* lost; reconnecting */
	TF_STATUS_REFUSED,
	TF_STATUS_CLOSED,
} tf_status;

void tf_location_on_event(tf_location *loc, tf_event_fn fn, void *arg);
tf_status tf_location_status(const tf_location *loc);
/* "connecting", "up", "down", "refused", "closed". */
const char *tf_status_name(tf_status st);
/* From the location's welcome: the user's name ("" before), admin. */
const char *tf_location_user(const tf_location *loc);
bool tf_location_is_admin(const tf_location *loc);
/* The last heartbeat's round trip, -1 unknown or not up. */
int tf_location_rtt_ms(const tf_location *loc);

/* An answer: error NULL on success, reply the answer's params (may be NULL
 * on failure).  Called exactly once per accepted call: also when the
 * location does not answer within 30 s ("no answer ...") and when the
 * location is destroyed first ("connection closed"). */
typedef void (*tf_done_fn)(void *arg, const char *error,
			   const msgpack_object *reply);

/* The calls return 0 when sent (fn will hear the answer), -1 (err) when
 * not.  node NULL or "": the location picks; opts as tf_node_spawn's (its
 * output and on_end are not used: open a stream for output). */
int tf_async_spawn(tf_location *loc, const char *node, const char *image,
		   const tf_spawn_opts *opts, tf_done_fn fn, void *arg,
		   tf_err *err);
int tf_async_destroy(tf_location *loc, const char *container, tf_done_fn fn,
		     void *arg, tf_err *err);
int tf_async_reboot(tf_location *loc, const char *container, bool reset,
		    tf_done_fn fn, void *arg, tf_err *err);
int tf_async_wake(tf_location *loc, const char *container, tf_done_fn fn,
		  void *arg, tf_err *err);
/* What the container was spawned with: params is the `ctr_spec` answer
 * (docs/PROTOCOL.md), read with tf_ctr_spec_unpack (tf_codec_spawn.h). */
int tf_async_ctr_spec(tf_location *loc, const char *container, tf_done_fn fn,
		      void *arg, tf_err *err);
/* Opens (allow) or closes the container's firewall to ip. */
int tf_async_allow(tf_location *loc, const char *container, const char *ip,
		   bool allow, tf_done_fn fn, void *arg, tf_err *err);
/* A tunnel 127.0.0.1:localport (0: a free port, put in *localport_out) to
 * container:port, relayed as tf_container_attach_tunnel's; fn hears when
 * the tunnel is ready (or why it failed). */
int tf_async_tunnel_open(tf_location *loc, const char *container, int port,
			 int localport, int *localport_out, tf_done_fn fn,
			 void *arg, tf_err *err);
/* Closes any tunnel by id (ours stop accepting at once). */
int tf_async_tunnel_close(tf_location *loc, const char *tunnel,
			  tf_done_fn fn, void *arg, tf_err *err);
/* node, tag NULL or "": the location picks / no tag. */
int tf_async_volume_create(tf_location *loc, const char *node,
			   const char *tag, tf_done_fn fn, void *arg,
			   tf_err *err);
typedef enum tf_volume_op {
	TF_VOLUME_DESTROY,
	TF_VOLUME_SNAPSHOT,
	TF_VOLUME_ROLLBACK,
} tf_volume_op;
int tf_async_volume(tf_location *loc, tf_volume_op op, const char *volume,
		    tf_done_fn fn, void *arg, tf_err *err);
/* Signals a process by id (one this program did not start, too); there is
 * no answer. */
int tf_async_kill(tf_location *loc, const char *container,
		  const char *process, int sig);

/*
 * Streams: a container's console output, or a process with its output.
 * Callbacks run from the loop until the stream ends (end, exactly once)
 * or its owner closes it (none after tf_stream_close).  Processes started
 * here are recorded in the model (TF_MODEL_PROC) and follow the stream.
 */
typedef struct tf_stream tf_stream;
typedef struct tf_stream_ops {
	void (*started)(void *arg);
	/* fd 1 or 2; data is borrowed for the call. */
	void (*data)(void *arg, int fd, const uint8_t *data, size_t len);
	/* The sender dropped this many bytes (we fell behind). */
	void (*dropped)(void *arg, uint64_t bytes);
	/* Final: error NULL on a normal end; exit_code/signal -1 if none. */
	void (*end)(void *arg, const char *error, int64_t exit_code,
		    int64_t signal);
} tf_stream_ops;

/* Console output (backlog first).  NULL (err) when not sent. */
tf_stream *tf_stream_logs(tf_location *loc, const char *container,
			  const tf_stream_ops *ops, void *arg, tf_err *err);
/* Runs command with /bin/sh -c, or argv (argc > 0) directly; tty gives it
 * a pseudo-terminal of rows x cols (a shell). */
tf_stream *tf_stream_process(tf_location *loc, const char *container,
			     const char *command, const char *const *argv,
			     size_t argc, bool tty, int rows, int cols,
			     const tf_stream_ops *ops, void *arg, tf_err *err);
const char *tf_stream_process_id(const tf_stream *s);	/* "" for logs */
const char *tf_stream_container(const tf_stream *s);
bool tf_stream_ended(const tf_stream *s);
int tf_stream_write(tf_stream *s, const void *data, size_t len);
int tf_stream_close_stdin(tf_stream *s);
int tf_stream_resize(tf_stream *s, int rows, int cols);
int tf_stream_signal(tf_stream *s, int sig);
/* Data is acknowledged as it arrives, unless a consumer with its own
 * bounded queue (a terminal pane) acknowledges what it really consumed. */
void tf_stream_set_manual_ack(tf_stream *s, bool manual);
void tf_stream_ack(tf_stream *s, size_t bytes);
/* Stops the callbacks at once and ends the stream (unsubscribes, or hangs
 * up a running process).  Nulls the caller's pointer. */
void tf_stream_close(tf_stream **s_p);

/* ==== Transports (test fixtures) ====================================== */

/*
 * A stand-in for a location inside the process (tfcon's demo location, a
 * test of a program's interface): the SDK hands it every message it would
 * send, and it answers through the reply function it was given (conn is
 * NULL), pushes with tf_transport_push and reports its state with
 * tf_transport_state, all from the loop.
 */
typedef struct tf_transport_ops {
	const char *name;
	/* Sends a request; returns its id (not 0), 0 when not sent. */
	uint64_t (*request)(void *t, const char *cmd,
			    const msgpack_object *params, const void *bulk,
			    size_t bulk_len, tf_conn_reply_fn fn, void *fn_arg);
	/* A message without answer (ack, unsub, stdin, tcp data ...). */
	int (*send)(void *t, const char *cmd, const msgpack_object *params,
		    const void *bulk, size_t bulk_len);
	/* No answer to id is wanted any more. */
	void (*forget)(void *t, uint64_t id);
	int (*rtt_ms)(void *t);
	/* Frees the transport; answers it still owes are not delivered. */
	void (*destroy)(void *t);
} tf_transport_ops;

void tf_transport_push(tf_location *loc, const tf_msg *m);
void tf_transport_state(tf_location *loc, tf_status st, const char *why,
			const char *user, const char *session, bool admin);

/* ==== Interactive terminal bridge (tf -ti) =========================== */

/*
 * Bridges the local terminal to a tty process: puts stdin in raw mode,
 * forwards keystrokes, writes output to stdout, follows window size
 * changes (SIGWINCH through a signalfd).  The escape is Ctrl-] followed by
 * q (quit: kills the process), or Ctrl-] twice to send one Ctrl-].  The
 * terminal is restored when the process ends, on tf_location_disconnect,
 * or with tf_terminal_restore.
 */
int tf_process_attach_terminal(tf_process *p, tf_err *err);
void tf_terminal_restore(tf_location *loc);

#endif
