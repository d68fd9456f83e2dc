/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-node private header: the daemon's state and the prototypes of each
 * file, grouped by file as tmux does.
 *
 * tf-node is one loop (tf_loop) over: the connection to the location
 * (tf_conn), a signalfd (SIGCHLD, SIGTERM, SIGINT), the pipes, ptys and
 * sockets of containers and processes (through rt_io), tunnel sockets, and
 * two timers (statistics, housekeeping).  Nothing blocks except short local
 * system calls; slow work (runc, unpacking a layer) runs in children whose
 * exits come back through SIGCHLD.
 *
 *   node.c              main, flags, keys, the loop, signals, shutdown
 *   node_req.c          the command table and dispatch of location requests
 *   node_req_ctr.c      spawn (layers, network, runc), destroy, reboot,
 *                       wake, ctr_status reports, put/fetch, the hello's
 *                       container list
 *   node_req_net.c      bridge, addresses, firewall allow/disallow, tunnels
 *   node_hosts.c        the overlay to other nodes: peers, ip_gone
 *   node_req_vol.c      volumes: create, destroy, snapshot, rollback
 *   node_stream.c       logs and process streams: credit, ack, unsub, proc_*
 *   node_layer_cache.c  the layer cache: layer_get, sha256 check, unpack
 *                       child
 *   node_stats.c        cpu, memory, paging, load
 *   node_metrics.c      each container's cpu, memory, pids, network and
 *                       block I/O, sent when they change
 */
#ifndef NODE_H
#define NODE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr_container.h"
#include "proc_exec.h"
#include "rt_io.h"
#include "tf_codec_flow.h"
#include "tf_codec_spawn.h"
#include "tf_daemon.h"
#include "tf_conn.h"
#include "tf_err.h"
#include "tf_loop.h"
#include "tf_msg.h"
#include "tf_util.h"

#define NODE_WINDOW (1u << 20)		/* stream credit, docs/PROTOCOL.md */
#define NODE_ID_LEN 72

struct node_options {
	const char *state_dir;
	const char *endpoint;
	const char *location_key;	/* file with the location's public key */
	const char *name;
	const char *runc;
	const char *init_path;
	const char *bridge;		/* NULL: derived from the state dir */
	const char *advertise;		/* underlay address, or NULL */
	bool no_net;			/* containers get no network */
	const char *btrfs_volumes;	/* size of a btrfs loop file for
					 * volumes, or NULL */
	uint32_t stats_ms;
	const char *log_path;		/* --log: reopened on SIGHUP */
};

/* One fd watched for the runtime (rt_io), indexed by fd. */
struct node_watch {
	rt_fd_fn fn;
	void *arg;
};

struct node;
struct node_layer;

/* Called by the layer cache whenever a layer became ready or failed, so
 * that whoever waits for layers (spawns) can look again. */
typedef void (*node_layers_fn)(struct node *n);

struct node_tunnel;

/* A spawn waiting for its layers (or refused before the container ran). */
struct node_spawn {
	struct node_spawn *next;
	uint64_t req_id;		/* the location's request id */
	char id[NODE_ID_LEN];
	uint8_t *params_raw;		/* a private copy of the params */
	size_t params_len;
	msgpack_unpacked params;
	tf_spawn_msg req;		/* unpacked from params */
	char **layers;			/* req's, sha256 hex, base first */
	size_t nlayers;
	uint64_t t0_ms;
	bool cancelled;			/* destroyed while waiting */
	bool failed;
	char error[TF_ERR_LEN];
};

/* What a container uses (node_metrics.c); rates per second. */
struct node_figures {
	double cpu_pct;			/* of one core */
	int64_t mem_rss, mem_cache, mem_limit, pids, oom_kills;
	int64_t net_rx, net_tx, io_read, io_write;
};

/* Metrics sampling state of one container. */
struct node_ctr_metrics {
	pid_t cg_pid;			/* init pid the cgroup paths are for */
	bool cg_v2;
	char cg_cpu[256], cg_mem[256], cg_pids[256], cg_io[256];
	uint64_t at_ms;			/* last sample; 0: none yet */
	uint64_t cpu_ns, net_rx, net_tx, io_read, io_write;	/* counters */
	struct node_figures cur;	/* latest figures */
	struct node_figures sent;	/* last told to the location */
	bool pending;			/* changed, not yet sent */
	uint64_t pending_since;
};

/* The daemon's record of a container, hung on ctr_data(). */
struct node_ctr {
	char id[NODE_ID_LEN];
	int64_t user;
	char session[NODE_ID_LEN];
	char tag[80];
	char image[160];
	char ip[16];
	char netns[256];
	/* Addresses its firewall lets in (allow): when the container that
	 * has one of them goes, it is taken out here before it is reused. */
	struct in_addr *allowed;
	size_t nallowed, capallowed;
	double created, started;
	ctr_state reported;		/* last state sent to the location */
	int reported_exit;
	/* Requests answered when the container runs again / is gone. */
	uint64_t reboot_ids[8];
	size_t nreboot_ids;
	uint64_t destroy_ids[8];
	size_t ndestroy_ids;
	/* Volumes it mounts (a mounted volume cannot be destroyed). */
	char vols[32][NODE_ID_LEN];
	size_t nvols;
	struct node_ctr_metrics metrics;
};

/* A stream the node feeds: container logs or a process. */
enum node_stream_kind { NODE_STREAM_LOGS, NODE_STREAM_PROC };

struct node_stream {
	struct node_stream *next;
	struct node *node;
	enum node_stream_kind kind;
	uint64_t id;			/* the location's request id */
	char ctr[NODE_ID_LEN];
	char proc[NODE_ID_LEN];		/* NODE_STREAM_PROC */
	uint64_t unacked;
	uint64_t window;		/* proc: credit the client asked for */
	uint64_t dropped;		/* logs: bytes not sent since the last item */
	uint64_t kill_timer;		/* proc_kill: SIGKILL after 2 s */
	bool dead;
};

struct node {
	struct node_options opt;
	tf_notify notify;		/* systemd's, if it started us */
	tf_loop *loop;
	tf_conn *conn;
	ctr_table *ctrs;
	rt_io io;
	struct node_watch *watches;
	size_t nwatches;
	int sigfd;
	char state_dir[4096];
	char layer_dir[4200];
	char *unpack_path;		/* tf-unpack (node_layer_cache.c) */
	tf_keypair keys;
	uint8_t location_pk[TF_KEY_LEN];
	bool welcomed;
	bool ready_said;
	uint64_t stats_timer, hk_timer, metrics_timer;

	/* Networking (node_req_net.c). */
	bool net_up;
	char bridge[16];
	char subnet[32];
	char gateway[16];
	int prefixlen;
	struct net_ipam *ipam;
	struct node_tunnel *tunnels;
	uint8_t *tcp_buf;		/* reads of tunnel connections */

	/* node_hosts.c: the overlay to other nodes (--advertise). */
	bool overlay_up;
	char overlay_dev[16];
	struct node_peers *peers_have;	/* entries the device holds */
	struct node_peers *peers_want;	/* the location's latest peers */

	struct node_spawn *spawns;
	struct node_layer *layer_jobs;
	node_layers_fn layers_changed;	/* a fetch finished or failed */
	struct node_stream *streams;

	/* node_req_vol.c */
	bool vol_btrfs;			/* volumes are btrfs subvolumes */
	bool vol_mounted;		/* we mounted the btrfs loop file */

	/* node_stats.c */
	uint64_t cpu_busy, cpu_total;
	uint64_t pswp;
	uint64_t stats_at_ms;
};

/* node.c */
void node_stop(struct node *n, const char *why);

/* node_req.c */
void node_push_cb(tf_conn *c, const tf_msg *m, void *arg);
int node_reply(struct node *n, uint64_t id, tf_out *o, const void *bulk,
	       size_t len);
int node_reply_error(struct node *n, uint64_t id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int node_stream_item(struct node *n, uint64_t id, tf_out *o, const void *bulk,
		     size_t len);

/* node_req_ctr.c */
void node_ctr_state_cb(ctr *c, void *arg);
void node_ctr_output_cb(ctr *c, int fd, const uint8_t *data, size_t len,
			void *arg);
void node_shutdown_report(struct node *n);
void node_ctr_note_save(struct node *n, ctr *c);
bool node_ctr_adopt(ctr *c, const char *note, void *arg);
void node_ctrs_free(struct node *n);
struct node_ctr *node_ctr_of(ctr *c);
ctr *node_ctr_lookup(struct node *n, const tf_msg *m, tf_err *err);
ctr *node_ctr_by_id(struct node *n, const char *id, tf_err *err);
int node_cmd_spawn(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_destroy(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_reboot(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_wake(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_put(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_fetch(struct node *n, const tf_msg *m, tf_err *err);

/* node_req_fs.c */
int node_cmd_fs(struct node *n, const tf_msg *m, tf_err *err);
void node_spawn_layers_ready(struct node *n);
void node_hello_containers(struct node *n, tf_out *o);
void node_ctr_housekeeping(struct node *n);
void node_spawns_free(struct node *n);

/* node_stream.c */
int node_cmd_logs(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_proc(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_proc_stdin(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_proc_kill(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_proc_resize(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_ack(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_unsub(struct node *n, const tf_msg *m, tf_err *err);
void node_streams_output(struct node *n, ctr *c, int fd, const uint8_t *data,
			 size_t len);
void node_streams_ctr_gone(struct node *n, ctr *c);
void node_streams_reap(struct node *n);
void node_streams_free(struct node *n);
void node_streams_reset(struct node *n);

/* node_layer_cache.c */
/* 1 when every layer is unpacked, 0 when fetches were started (the
 * caller hears through the node_layers_init callback when to ask again),
 * -1 on error. */
int node_layers_ensure(struct node *n, char **layers, size_t nlayers,
		       tf_err *err);
char *node_layer_path(struct node *n, const char *sha);
bool node_layer_failed(struct node *n, char **layers, size_t nlayers,
		       char *why, size_t size);
void node_layers_init(struct node *n, node_layers_fn changed);
void node_layers_free(struct node *n);
bool node_sha_valid(const char *sha);

/* node_req_net.c */
int node_net_start(struct node *n, tf_err *err);
void node_net_welcome(struct node *n);
int node_net_ctr_create(struct node *n, struct node_ctr *nc, tf_err *err);
void node_net_ctr_destroy(struct node *n, struct node_ctr *nc);
int node_cmd_allow(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_tunnel(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_tunnel_close(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_tcp(struct node *n, const tf_msg *m, tf_err *err);
int node_tunnel_ack(struct node *n, const tf_flow_msg *a);
bool node_tunnel_unsub(struct node *n, uint64_t ref);
void node_tunnels_ctr_gone(struct node *n, const char *ctr_id);
void node_tunnels_reap(struct node *n);
void node_tunnels_reset(struct node *n);
void node_net_ctrs_down(struct node *n);
void node_ctr_allowed_add(struct node_ctr *nc, struct in_addr ip);
void node_net_stop(struct node *n);
/* Takes ip (a container of another node that has gone) out of every
 * firewall here; -1 if some firewall may still let it in. */
int node_net_ip_gone(struct node *n, const char *ip);

/* node_hosts.c */
void node_hosts_hello(struct node *n, tf_out *hello);
void node_hosts_start(struct node *n);
void node_hosts_stop(struct node *n);
int node_cmd_peers(struct node *n, const tf_msg *m, tf_err *err);
int node_cmd_ip_gone(struct node *n, const tf_msg *m, tf_err *err);

/* node_req_vol.c */
int node_cmd_vol(struct node *n, const tf_msg *m, tf_err *err);
int node_vol_start(struct node *n, tf_err *err);
void node_vol_stop(struct node *n);

/* node_stats.c */
int node_stats_timer_cb(tf_loop *loop, uint64_t id, void *arg);
void node_stats_send(struct node *n);

/* node_metrics.c */
int node_metrics_timer_cb(tf_loop *loop, uint64_t id, void *arg);
void node_metrics_send(struct node *n);
bool node_metrics_changed(const struct node_figures *now,
			  const struct node_figures *sent);

#endif
