/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_model: the client-side picture of a location's resource offer.  It is
 * filled by the "offer" push (which replaces everything) and kept current by
 * every later push of docs/PROTOCOL.md (node, node_gone, container,
 * container_gone, tunnel, tunnel_gone, volume, volume_gone, image).  Records
 * are plain structs with fixed-size fields; a push that carries only some
 * fields updates those and keeps the rest, so a partial record never blanks
 * a column.  Processes are not part of the offer: whoever starts one (the
 * console's client layer, the SDK) records it with tf_model_proc_set.
 *
 * Listeners hear every change after it is applied (kind, op, id).  They may
 * read the model but must not change it from inside the callback.
 *
 * Records returned by the lookups are borrowed: valid until the next change
 * of the model (a removal frees them), so callers keep ids, not pointers.
 */
#ifndef TF_MODEL_H
#define TF_MODEL_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tf_err.h"

#define TF_MODEL_ID	 96	/* ids: uuids (22 chars), node ids, "sha256:" + 64 hex */
#define TF_MODEL_NAME	 72	/* tags and names: tags are at most 64 chars */
#define TF_MODEL_TEXT	 256	/* error texts, image names, command lines */

typedef struct tf_model tf_model;

typedef enum tf_model_kind {
	TF_MODEL_NODE,
	TF_MODEL_CONTAINER,
	TF_MODEL_TUNNEL,
	TF_MODEL_VOLUME,
	TF_MODEL_IMAGE,
	TF_MODEL_ENDPOINT,	/* web endpoints: published clusters */
	TF_MODEL_PROC,
	TF_MODEL_EVENT,		/* the location's events, for watchers */
	TF_MODEL_KIND_LAST
} tf_model_kind;

typedef enum tf_model_op {
	TF_MODEL_ADDED,
	TF_MODEL_CHANGED,
	TF_MODEL_REMOVED,
	TF_MODEL_RESET,		/* a new offer replaced everything; id is "" */
} tf_model_op;

typedef struct tf_model_node {
	char id[TF_MODEL_ID];
	char name[TF_MODEL_NAME];
	bool up;
	int64_t cpus;
	double cpu_pct;			/* 0..100 over all cpus */
	int64_t mem_total_mb;
	int64_t mem_free_mb;
	double paging;			/* pages per second */
	int64_t containers;
	double load1;
	char subnet[48];
	char address[48];		/* underlay (tf-node --advertise), "" */
} tf_model_node;

typedef enum tf_model_ctr_state {
	TF_CTR_UNKNOWN,
	TF_CTR_SPAWNING,
	TF_CTR_SLEEPING,
	TF_CTR_RUNNING,
	TF_CTR_EXITED,
	TF_CTR_FAILED,
	TF_CTR_DESTROYED,
	/* Its node stopped answering: it may still run there.  It becomes
	 * destroyed when the node comes back without it, or stays away for
	 * the location's grace period. */
	TF_CTR_LOST,
	TF_CTR_STATE_LAST
} tf_model_ctr_state;

/* What a container uses, from its node (docs/PROTOCOL.md, "Metrics"); only
 * for a program that watches metrics (tf_location_watch_metrics).  Rates
 * are per second; cpu_pct is of one core. */
typedef struct tf_model_metrics {
	double at;			/* wall clock of the last update, 0 none */
	double cpu_pct;
	int64_t mem_rss;		/* bytes */
	int64_t mem_cache;		/* bytes */
	int64_t mem_limit;		/* bytes, 0 no limit of its own */
	int64_t pids;
	int64_t oom_kills;
	int64_t net_rx, net_tx;		/* bytes/s into and out of it */
	int64_t io_read, io_write;	/* block I/O bytes/s */
} tf_model_metrics;

typedef struct tf_model_container {
	char id[TF_MODEL_ID];
	char node[TF_MODEL_ID];
	char tag[TF_MODEL_NAME];
	char image[TF_MODEL_TEXT];
	char ip[48];
	tf_model_ctr_state state;
	int64_t exit_code;
	char error[TF_MODEL_TEXT];
	char session[TF_MODEL_ID];
	char session_name[TF_MODEL_NAME];
	char user[TF_MODEL_NAME];	/* the owner's name (user_name) */
	double created;			/* wall clock seconds, 0 unknown */
	double started;
	int64_t startup_ms;
	tf_model_metrics metrics;	/* kept across record pushes */
} tf_model_container;

typedef struct tf_model_tunnel {
	char id[TF_MODEL_ID];
	char container[TF_MODEL_ID];
	int64_t port;
	int64_t localport;
	char session[TF_MODEL_ID];
	char session_name[TF_MODEL_NAME];
	char user[TF_MODEL_NAME];	/* the owner's name (user_name) */
	int64_t conns;
	int64_t bytes_in;
	int64_t bytes_out;
} tf_model_tunnel;

#define TF_MODEL_MOUNTS 8
typedef struct tf_model_volume {
	char id[TF_MODEL_ID];
	char tag[TF_MODEL_NAME];
	char node[TF_MODEL_ID];
	char user[TF_MODEL_NAME];	/* the owner's name (user_name) */
	bool snapshot;
	int nmounts;				/* may exceed TF_MODEL_MOUNTS */
	char mounts[TF_MODEL_MOUNTS][TF_MODEL_ID];	/* container ids */
} tf_model_volume;

typedef struct tf_model_image {
	char id[TF_MODEL_ID];
	char names[TF_MODEL_TEXT];	/* "busybox, busybox:latest" */
	char name[TF_MODEL_NAME];	/* the first name, or the short id */
	int64_t layers;
	int64_t size;			/* bytes */
	double created;
	char origin[TF_MODEL_TEXT];	/* path or registry reference pushed */
} tf_model_image;

/* A web endpoint (tf_endpoint_rec).  Members past TF_MODEL_MEMBERS are
 * counted, not kept. */
#define TF_MODEL_MEMBERS 32
typedef struct tf_model_endpoint {
	char id[TF_MODEL_ID];		/* the cluster's id */
	char fqdn[TF_MODEL_TEXT];
	char domain[TF_MODEL_TEXT];
	char rewrite[TF_MODEL_TEXT];
	int64_t port;
	bool tls;
	char user[TF_MODEL_NAME];
	int64_t rate;			/* requests a second (HAProxy) */
	int nmembers;
	char members[TF_MODEL_MEMBERS][24];	/* container ids */
	bool up[TF_MODEL_MEMBERS];	/* HAProxy's checks pass */
} tf_model_endpoint;

typedef enum tf_model_proc_state {
	TF_PROC_STARTING,
	TF_PROC_RUNNING,
	TF_PROC_EXITED,
	TF_PROC_FAILED,
} tf_model_proc_state;

typedef struct tf_model_proc {
	char id[TF_MODEL_ID];
	char container[TF_MODEL_ID];
	char command[TF_MODEL_TEXT];
	tf_model_proc_state state;
	bool tty;
	int64_t exit_code;
	int64_t signal;
	double started;
	char error[TF_MODEL_TEXT];
} tf_model_proc;

/* One of the location's events (docs/PROTOCOL.md, "Events"): only for a
 * program that watches them (tf_location_watch_events); the model keeps
 * the newest TF_MODEL_EVENTS_MAX. */
#define TF_MODEL_EVENTS_MAX 1000
typedef struct tf_model_event {
	char id[TF_MODEL_ID];		/* seq, in decimal */
	int64_t seq;
	double time;			/* wall clock seconds */
	char kind[24];			/* spawned, exited, oom_killed, ... */
	char container[TF_MODEL_ID];	/* "" when not about a container */
	char tag[TF_MODEL_NAME];
	char node[TF_MODEL_NAME];
	char volume[TF_MODEL_ID];
	char user[TF_MODEL_NAME];
	char text[TF_MODEL_TEXT];
} tf_model_event;

typedef void (*tf_model_fn)(tf_model *m, tf_model_kind kind, tf_model_op op,
			    const char *id, void *arg);

tf_model *tf_model_new(void);
void tf_model_destroy(tf_model **self_p);

/* Listeners are called in the order added.  Returns 0, -1 when full. */
int tf_model_listen(tf_model *m, tf_model_fn fn, void *arg);
void tf_model_unlisten(tf_model *m, tf_model_fn fn, void *arg);

/*
 * Applies one push.  Returns 1 when cmd is a model event and was applied, 0
 * when cmd is not a model event (e.g. "log"), -1 when the params are
 * malformed (err says why; the model is unchanged for that record).  An
 * offer with some bad records applies the good ones and returns -1.
 */
int tf_model_apply(tf_model *m, const char *cmd, const msgpack_object *params,
		   tf_err *err);
/* Empties the model (connection closed); listeners hear TF_MODEL_RESET. */
void tf_model_clear(tf_model *m);

/* Number of records of a kind, and the i-th one (order is unspecified and
 * changes with removals). */
size_t tf_model_count(const tf_model *m, tf_model_kind kind);
const void *tf_model_at(const tf_model *m, tf_model_kind kind, size_t i);
const void *tf_model_find(const tf_model *m, tf_model_kind kind, const char *id);
/* The account's quota of a kind ("containers", "kv_bytes", ...) as the
 * last offer gave it: the limit (0: none), -1 when the offer had none;
 * *used (may be NULL) gets the use at that time. */
int64_t tf_model_quota(const tf_model *m, const char *kind, int64_t *used);
/* Times the model changed; a cheap "anything new?" check for views. */
uint64_t tf_model_generation(const tf_model *m);

#define tf_model_node_at(m, i) ((const tf_model_node *)tf_model_at(m, TF_MODEL_NODE, i))
#define tf_model_container_at(m, i) ((const tf_model_container *)tf_model_at(m, TF_MODEL_CONTAINER, i))
#define tf_model_tunnel_at(m, i) ((const tf_model_tunnel *)tf_model_at(m, TF_MODEL_TUNNEL, i))
#define tf_model_volume_at(m, i) ((const tf_model_volume *)tf_model_at(m, TF_MODEL_VOLUME, i))
#define tf_model_image_at(m, i) ((const tf_model_image *)tf_model_at(m, TF_MODEL_IMAGE, i))
#define tf_model_endpoint_at(m, i) ((const tf_model_endpoint *)tf_model_at(m, TF_MODEL_ENDPOINT, i))
#define tf_model_proc_at(m, i) ((const tf_model_proc *)tf_model_at(m, TF_MODEL_PROC, i))
#define tf_model_event_at(m, i) ((const tf_model_event *)tf_model_at(m, TF_MODEL_EVENT, i))

const tf_model_node *tf_model_node_find(const tf_model *m, const char *id);
const tf_model_container *tf_model_container_find(const tf_model *m, const char *id);
const tf_model_tunnel *tf_model_tunnel_find(const tf_model *m, const char *id);
const tf_model_volume *tf_model_volume_find(const tf_model *m, const char *id);
const tf_model_image *tf_model_image_find(const tf_model *m, const char *id);
const tf_model_proc *tf_model_proc_find(const tf_model *m, const char *id);
const tf_model_endpoint *tf_model_endpoint_find(const tf_model *m, const char *id);

/* The sums of the metrics of a node's containers (node id or name). */
void tf_model_node_metrics(const tf_model *m, const char *node,
			   tf_model_metrics *out);

/* Resolves what a person types: a uuid, a tag, "uuid:tag" or a unique uuid
 * prefix of at least 4 characters.  NULL when none or ambiguous. */
const tf_model_container *tf_model_container_lookup(const tf_model *m, const char *name);
const tf_model_volume *tf_model_volume_lookup(const tf_model *m, const char *name);
/* A node by id or name. */
const tf_model_node *tf_model_node_lookup(const tf_model *m, const char *name);
/* An image by id, id prefix or any of its names ("busybox" matches
 * "busybox:latest"). */
const tf_model_image *tf_model_image_lookup(const tf_model *m, const char *name);

/* The node a spawn without a node should go to: an up node with the most
 * free memory, weighted by idle cpu.  NULL when no node is up. */
const tf_model_node *tf_model_best_node(const tf_model *m);

/* Process records (client-side).  set creates or replaces; remove is a no-op
 * for unknown ids.  A container_gone removes its processes too. */
void tf_model_proc_set(tf_model *m, const tf_model_proc *p);
void tf_model_proc_remove(tf_model *m, const char *id);

const char *tf_model_ctr_state_name(tf_model_ctr_state st);
tf_model_ctr_state tf_model_ctr_state_parse(const char *s);
const char *tf_model_proc_state_name(tf_model_proc_state st);
const char *tf_model_kind_name(tf_model_kind kind);

void tf_model_test(bool verbose);

#endif
