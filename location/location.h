/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-location private header: the broker's in-memory model and the
 * prototypes of each file, grouped by file as tmux does.
 *
 * The location is one loop over: the ROUTER socket for clients and nodes,
 * the enrolment ROUTER, the ZAP handler's REP socket, and a one-second
 * housekeeping timer (heartbeats, timeouts, garbage collection).
 */
#ifndef LOCATION_H
#define LOCATION_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tf_codec_offer.h"
#include "tf_daemon.h"
#include "tf_err.h"
#include "tf_keys.h"
#include "tf_loop.h"
#include "tf_msg.h"
#include "tf_util.h"

#define LOC_ID_LEN 32

struct location;

/* Per-account limits (loc_quota.c); 0 is "not limited". */
enum loc_quota_kind {
	LOC_QUOTA_CONTAINERS,
	LOC_QUOTA_TUNNELS,
	LOC_QUOTA_VOLUMES,
	LOC_QUOTA_SESSIONS,
	LOC_QUOTA_KV_ENTRIES,
	LOC_QUOTA_KV_BYTES,
	LOC_QUOTA_VOLUME_BYTES,
	LOC_QUOTA_LAST
};

struct loc_options {
	const char *state_dir;		/* keys, database, layers */
	const char *bind;		/* tcp://127.0.0.1:2020 */
	uint32_t heartbeat_ms;
	uint32_t timeout_ms;		/* a silent peer is down */
	uint32_t grace_ms;		/* a down client session is collected */
	const char *subnet_base;	/* "10.220" -> 10.220.<node>.0/24 */
	const char *log_path;		/* --log: reopened on SIGHUP */
	int node_prefix;		/* each node's subnet: /17../24 */
	const char *http;		/* --http [ADDR:]PORT, NULL: no balancer */
	const char *https;		/* --https [ADDR:]PORT */
	const char *haproxy;		/* --haproxy PATH (default "haproxy") */
	const char *resolver;		/* --resolver ADDR[:PORT] for claims */
	int64_t quota[LOC_QUOTA_LAST];	/* --quota KIND=N */
	int64_t volume_size;		/* --volume-size: a volume made
					 * without a size holds this much */
};

struct loc_peer {			/* who sent a message */
	bool is_node;
	int64_t id;			/* user id or node id */
};

struct loc_session {
	char id[LOC_ID_LEN];
	int64_t user_id;
	char user_name[64];
	bool admin;
	char name[128];			/* program name the client gave */
	int64_t pid;
	uint8_t rid[TF_RID_MAX];
	size_t rid_len;
	bool connected;
	uint64_t last_rx_ms;
	uint64_t down_since_ms;
	bool metrics;			/* subscribed to metrics (metrics_sub) */
	bool events;			/* subscribed to events (events_sub) */
	bool dead;			/* reaped before sleep */
};

struct loc_node {
	int64_t id;
	char name[64];
	uint8_t rid[TF_RID_MAX];
	size_t rid_len;
	bool up;
	uint64_t last_rx_ms;
	char subnet[32];
	char gateway[32];
	char address[16];		/* underlay (--advertise), "" if none */
	int64_t cpus, cpu_pct, mem_total_mb, mem_free_mb, paging, containers;
	double load1;
	int ev_up;			/* loc_events.c: 0 unknown, 1 down, 2 up */
};

struct loc_container {
	char id[LOC_ID_LEN];
	int64_t node_id;
	int64_t user_id;
	char session[LOC_ID_LEN];
	char tag[80];
	char image[128];
	char ip[48];
	char state[16];
	int64_t exit_code;
	char error[256];
	double created, started;
	int64_t startup_ms;
	/* The latest figures its node sent (loc_metrics.c), for a session
	 * that subscribes later. */
	struct loc_metrics {
		bool have;
		double cpu_pct;
		int64_t mem_rss, mem_cache, mem_limit, pids, oom_kills;
		int64_t net_rx, net_tx, io_read, io_write;
	} metrics;
	/* loc_events.c: the state last told as an event, who ended it (a
	 * user, the garbage collector, node loss), a reboot under way. */
	char ev_state[16];
	char ended_by[160];
	bool rebooting;
	bool dead;
	/* What it was spawned with (tf_ctr_spec packed, for `ctr_spec`);
	 * NULL for a container learnt from a node's hello or the database. */
	uint8_t *spec;
	size_t spec_len;
	/* The ids of the volumes it mounts, fixed at spawn (a volume record
	 * lists its mounts from these).  A flexible array, so that the one
	 * free() of the record frees it too; none for a container learnt
	 * from a node's hello, which does not report them. */
	size_t n_volumes;
	char volumes[][LOC_ID_LEN];
};

struct loc_tunnel {
	char id[LOC_ID_LEN];
	char container[LOC_ID_LEN];
	int64_t user_id;
	char session[LOC_ID_LEN];
	int64_t port, localport, conns;
	int64_t bytes_in, bytes_out;
	uint64_t fwd_id;		/* the node-side stream */
	bool dead;
};

struct loc_volume {
	char id[LOC_ID_LEN];
	int64_t user_id;
	int64_t node_id;
	char tag[80];
	int64_t size;		/* bytes it may hold: counted by the
				 * volume_bytes quota, a limit on btrfs */
	bool snapshot;
	bool dead;
};

/* A cluster of containers published at an FQDN through the balancer
 * (docs/WEB.md).  Every string in it was validated (tf_name.c) before it
 * got here: it is written into HAProxy's configuration as is. */
#define LOC_CLUSTER_MAX 256
struct loc_cluster {
	char id[LOC_ID_LEN];
	int64_t user_id;
	char session[LOC_ID_LEN];	/* its publisher: collected with it */
	char fqdn[254];
	char rewrite[254];		/* Host sent upstream, "" to keep */
	int port;			/* the containers' port */
	bool tls;			/* <state>/web/certs/<id>.pem exists */
	bool dead;
	size_t n_members;
	char members[LOC_CLUSTER_MAX][LOC_ID_LEN];
};

/* The supervised HAProxy (loc_haproxy.c). */
struct loc_haproxy {
	pid_t pid;			/* the master, 0 when not running */
	int pidfd;
	bool dirty;			/* the model changed: write and reload */
	uint64_t restart_timer;
	uint64_t reloads;
	/* Each configuration written names itself ("node tf-<gen>"); the
	 * check timer asks the running worker which one it serves, and
	 * signals the master again when a reload was lost (a SIGUSR2 that
	 * comes during a reload is). */
	uint64_t gen_written, gen_live;
	uint64_t signal_ms;
	uint64_t check_timer;
};

/* A DNS query for a domain claim (loc_dns.c). */
struct loc_claim {
	int fd;
	uint16_t qid;
	char session[LOC_ID_LEN];
	uint64_t req_id;
	int64_t user_id;
	char domain[254];
	char token[65];
	uint64_t timer;
	bool dead;
};

/* A TCP connection open through a tunnel, so that the tunnel's count
 * drops however the connection ends (client close, node close or error). */
struct loc_tconn {
	char tunnel[LOC_ID_LEN];
	int64_t conn;
};

/* A container_gone a session could not receive (it was away): replayed
 * after the offer when it resumes. */
struct loc_missed {
	char session[LOC_ID_LEN];
	char container[LOC_ID_LEN];
};

/* A request forwarded to a node, waiting for (or streaming) answers. */
struct loc_fwd {
	uint64_t id;			/* id used towards the node */
	char session[LOC_ID_LEN];	/* "" when the location itself asked */
	uint64_t client_id;
	int64_t node_id;
	char cmd[TF_CMD_MAX];
	char object[LOC_ID_LEN];	/* container/volume/tunnel concerned */
	/* Called on the node's final answer before it is relayed; the
	 * location uses it to keep its model in step. */
	void (*done_fn)(struct location *, struct loc_fwd *, const tf_msg *);
	bool dead;
};

struct loc_upload {			/* a layer being received */
	char sha[65];
	int64_t offset;
	int fd;
	struct loc_layer_in *in;	/* its digest so far */
	uint64_t last_ms;
};

/* loc_layer_in.c: the diff_id of a layer as it arrives, plain or gzip. */
struct loc_layer_in *loc_layer_in_new(bool gzip);
int loc_layer_in_update(struct loc_layer_in *in, const void *data,
			size_t len, tf_err *err);
int loc_layer_in_final(struct loc_layer_in *in, char hex[65], int64_t *size,
		       tf_err *err);
void loc_layer_in_free(struct loc_layer_in *in);

/* loc_layer_check.c: a gzip layer's diff_id checked by a child while the
 * loop goes on; layers/<sha>.check until then. */
int loc_layer_check_start(struct location *loc, const char *sha);
void loc_layer_check_resume(struct location *loc);
void loc_layer_check_stop(struct location *loc);
bool loc_layer_checking(struct location *loc, const char *sha);
int loc_layer_digest_main(const char *file);

/* One event of the ring (loc_events.c). */
struct loc_event {
	int64_t seq;
	double time;
	int64_t owner;			/* user id; -1: everyone's (nodes) */
	char kind[24];
	char container[LOC_ID_LEN];
	char tag[80];
	char node[64];
	char volume[LOC_ID_LEN];
	char user[64];
	char text[256];
};

#define LOC_ARRAY(type, name) type *name; size_t n_##name, cap_##name

struct location {
	struct loc_options opt;
	tf_loop *loop;
	sqlite3 *db;
	void *zctx;
	void *router;
	void *enrol;
	void *zap;
	tf_keypair keys;
	tf_notify notify;		/* systemd's, if it started us */
	uint64_t next_fwd_id;
	/* When this run started (ms since the epoch): in the welcome, so a
	 * client that resumes can tell that streams it had are gone, and the
	 * first of our request ids towards nodes, so that no id of this run
	 * is one a node may still stream under from the last run. */
	uint64_t boot_ms;
	uint64_t hk_timer;
	LOC_ARRAY(struct loc_session *, sessions);
	LOC_ARRAY(struct loc_node *, nodes);
	LOC_ARRAY(struct loc_container *, containers);
	LOC_ARRAY(struct loc_tunnel *, tunnels);
	LOC_ARRAY(struct loc_volume *, volumes);
	LOC_ARRAY(struct loc_fwd *, fwds);
	LOC_ARRAY(struct loc_upload *, uploads);
	LOC_ARRAY(struct loc_layer_check *, checks);	/* gzip layers */
	LOC_ARRAY(struct loc_tconn, tconns);	/* by value */
	LOC_ARRAY(struct loc_missed, missed);	/* by value */
	struct loc_event *events;	/* ring of TF_EVENTS_MAX */
	size_t events_head, n_events;
	int64_t event_seq;
	LOC_ARRAY(struct loc_cluster *, clusters);
	LOC_ARRAY(struct loc_claim *, claims);
	struct loc_haproxy haproxy;
};

#define LOC_PUSH(arr, item) do { \
	if (loc->n_##arr == loc->cap_##arr) { \
		loc->cap_##arr = loc->cap_##arr ? loc->cap_##arr * 2 : 16; \
		loc->arr = tf_realloc(loc->arr, loc->cap_##arr * sizeof *loc->arr); \
	} \
	loc->arr[loc->n_##arr++] = (item); \
} while (0)

/* A request handled by the location. */
struct loc_req {
	const char *cmd;
	int flags;
#define LOC_REQ_USER  0x01		/* users may send it */
#define LOC_REQ_NODE  0x02		/* nodes may send it */
#define LOC_REQ_ADMIN 0x04		/* admins only */
	int (*fn)(struct location *, struct loc_session *, struct loc_node *,
		  const tf_msg *, tf_err *);
};

/* loc_db.c */
int loc_db_open(struct location *, tf_err *);
void loc_db_close(struct location *);
int loc_db_user_by_pk(struct location *, const uint8_t pk[32], int64_t *id);
int loc_db_node_by_pk(struct location *, const uint8_t pk[32], int64_t *id);
int loc_db_user_get(struct location *, int64_t id, char *name, size_t, bool *admin);
int loc_db_node_name(struct location *, int64_t id, char *name, size_t);
int loc_db_node_add(struct location *, const uint8_t pk[32], const char *name, int64_t *id, tf_err *);
int loc_db_invite_add(struct location *, const uint8_t secret[16], const char *name, bool admin, tf_err *);
int loc_db_invite_use(struct location *, const uint8_t secret[16], const uint8_t pk[32], int64_t *user_id, char *name, size_t, tf_err *);
int loc_db_session_save(struct location *, const struct loc_session *);
int loc_db_session_delete(struct location *, const char *id);
int loc_db_sessions_load(struct location *);
int loc_db_container_save(struct location *, const struct loc_container *);
int loc_db_container_delete(struct location *, const char *id);
int loc_db_containers_load(struct location *);
sqlite3_stmt *loc_db_prepare(struct location *, const char *sql);
int loc_db_exec(struct location *, const char *sql);

/* loc_quota.c */
const char *loc_quota_name(enum loc_quota_kind);
void loc_quota_defaults(struct loc_options *);
int loc_quota_parse(struct loc_options *, const char *spec, tf_err *);
int64_t loc_quota_used(struct location *, int64_t user, enum loc_quota_kind);
int loc_quota_check(struct location *, int64_t user, enum loc_quota_kind, int64_t adding, tf_err *);
int loc_quota_check_kv(struct location *, int64_t user, int64_t before_entries, int64_t before_bytes, tf_err *);
void loc_quota_kv_use(struct location *, int64_t user, int64_t *entries, int64_t *bytes);
void loc_quota_pack(struct location *, int64_t user, tf_out *);

/* loc_zap.c */
int loc_zap_start(struct location *, tf_err *);

/* loc_model.c */
struct loc_session *loc_session_find(struct location *, const char *id);
struct loc_session *loc_session_by_rid(struct location *, const uint8_t *rid, size_t len);
struct loc_node *loc_node_find(struct location *, int64_t id);
struct loc_node *loc_node_by_name(struct location *, const char *name);
struct loc_node *loc_node_best(struct location *);
struct loc_container *loc_container_find(struct location *, const char *id);
void loc_container_free(struct loc_container *c);
struct loc_container *loc_container_lookup(struct location *, int64_t user_id, bool admin, const char *name);
struct loc_tunnel *loc_tunnel_find(struct location *, const char *id);
struct loc_volume *loc_volume_find(struct location *, const char *id);
bool loc_may_see(const struct loc_session *, int64_t owner);
bool loc_tag_taken(struct location *, int64_t user_id, const char *tag);
void loc_reap(tf_loop *, void *);

/* loc_rec.c: one record of the offer (tf_codec_offer.h) and the storage
 * its strings point into; loc_rec_fini releases it. */
struct loc_rec {
	tf_rec_kind kind;
	int64_t owner_id;		/* who hears its events; -1 everyone */
	union {
		tf_node_rec node;
		tf_ctr_rec ctr;
		tf_tunnel_rec tunnel;
		tf_vol_rec vol;
		tf_image_rec image;
	} u;
	char owner[64];
	const char **strv[2];		/* mounts; an image's names, layers */
	bool owned;			/* the strings of strv are too */
	char *dup[2];
};
/* The columns loc_rec_image reads, in its order, from table images. */
#define LOC_IMAGE_COLUMNS \
	"image_id, names, layers, size, created, user_id, origin"
struct loc_rec *loc_rec_node(struct loc_rec *, const struct loc_node *);
struct loc_rec *loc_rec_container(struct location *, struct loc_rec *, const struct loc_container *);
struct loc_rec *loc_rec_tunnel(struct location *, struct loc_rec *, const struct loc_tunnel *);
struct loc_rec *loc_rec_volume(struct location *, struct loc_rec *, const struct loc_volume *);
struct loc_rec *loc_rec_image(struct loc_rec *, sqlite3_stmt *);
void loc_rec_fini(struct loc_rec *);
void loc_rec_pack(struct loc_rec *, msgpack_packer *);
void loc_rec_push(struct location *, struct loc_rec *);
struct loc_container *loc_volume_mounted_by(struct location *, const char *volume);

/* loc_push.c */
void loc_send(struct location *, const uint8_t *rid, size_t rid_len, tf_out *, uint64_t id, const void *bulk, size_t len);
void loc_send_session(struct location *, struct loc_session *, tf_out *, uint64_t id, const void *bulk, size_t len);
void loc_send_fwd(struct location *, const uint8_t *rid, size_t rid_len, tf_out *, uint64_t id, const tf_msg *from);
void loc_push_owner(struct location *, int64_t owner, tf_out *);
void loc_push_all(struct location *, tf_out *);
void loc_push_offer(struct location *, struct loc_session *);
void loc_event_node(struct location *, struct loc_node *);
void loc_event_container(struct location *, struct loc_container *);
void loc_event_gone(struct location *, int64_t owner, tf_rec_kind, const char *id);
void loc_event_container_gone(struct location *, const struct loc_container *);
void loc_event_tunnel(struct location *, const struct loc_tunnel *);
void loc_event_volume(struct location *, const struct loc_volume *);
void loc_event_image(struct location *, int64_t user_id, const char *image_id);
void loc_pack_images(struct location *, msgpack_packer *, int64_t user_id, bool all);
void loc_missed_drop(struct location *, const char *session);

/* loc_fwd.c */
struct loc_fwd *loc_fwd_to_node(struct location *, struct loc_node *, struct loc_session *, const tf_msg *, tf_out *, const char *object);
struct loc_fwd *loc_fwd_find(struct location *, uint64_t id);
struct loc_fwd *loc_fwd_by_client(struct location *, const char *session, uint64_t client_id);
void loc_fwd_answer(struct location *, struct loc_node *, const tf_msg *);
void loc_fwd_node_down(struct location *, struct loc_node *);
void loc_fwd_session_gone(struct location *, const char *session);
int loc_fwd_container_cmd(struct location *, struct loc_session *, const tf_msg *, tf_err *);
void loc_node_command(struct location *, struct loc_node *, tf_out *, const char *object);
void loc_tconns_purge(struct location *);

/* loc_session.c */
void loc_session_hello(struct location *, const tf_msg *, const struct loc_peer *);
void loc_session_collect(struct location *, struct loc_session *, const char *why);
void loc_node_gone(struct location *, struct loc_node *, const char *why);
int loc_housekeeping(tf_loop *, uint64_t, void *);

/* loc_metrics.c */
int req_metrics(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_metrics_sub(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_ctr_spec(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);

/* loc_events.c */
void loc_events_add(struct location *, const char *kind, int64_t owner, const struct loc_container *, const char *node, const char *volume, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void loc_events_container(struct location *, struct loc_container *);
void loc_events_node(struct location *, struct loc_node *);
int req_events_sub(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);

/* loc_hosts.c */
void loc_hosts_push_peers(struct location *);
void loc_hosts_ip_gone(struct location *, const struct loc_container *);

/* loc_haproxy.c */
int loc_haproxy_precheck(struct location *, tf_err *);
int loc_haproxy_start(struct location *, tf_err *);
void loc_haproxy_stop(struct location *);
void loc_haproxy_flush(tf_loop *, void *);
int loc_haproxy_check_cert(struct location *, const char *pem, tf_err *);
char *loc_web_dir(struct location *, const char *file);
int loc_web_parse_bind(const char *spec, char *addr, size_t, int *port);

/* loc_web.c */
int loc_web_config(struct location *, const char *path, tf_err *);
void loc_web_member_changed(struct location *, const char *container);
void loc_web_session_gone(struct location *, const char *session);
void loc_web_unpublish(struct location *, struct loc_cluster *, const char *why);
struct loc_cluster *loc_cluster_find(struct location *, const char *id);
int loc_clusters_load(struct location *);
void loc_cluster_save(struct location *, const struct loc_cluster *);
int loc_domain_holder(struct location *, const char *domain, int64_t *user, bool *global);
int loc_domain_add(struct location *, const char *domain, const char *user, tf_err *);

/* loc_dns.c */
int loc_dns_claim(struct location *, struct loc_session *, uint64_t req_id, const char *domain, const char *token, tf_err *);
void loc_dns_session_gone(struct location *, const char *session);

/* loc_dispatch.c */
int loc_router_cb(tf_loop *, void *, void *);
int loc_enrol_cb(tf_loop *, void *, void *);

/* req-*.c */
extern const struct loc_req loc_req_table[];
int req_spawn(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_offer(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_images(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_layers_missing(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_layer_put(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_layer_get(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_image_put(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_image_get(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_kv(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_invite(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_node_push(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_find(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_tunnel(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_domain(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_web(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int req_volume(struct location *, struct loc_session *, struct loc_node *, const tf_msg *, tf_err *);
int loc_image_resolve(struct location *, int64_t user_id, const char *name, char *image_id, size_t, tf_err *);
char *loc_layer_path(struct location *, const char *sha);

#endif
