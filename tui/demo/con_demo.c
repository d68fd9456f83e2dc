/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_demo: a fake location inside the console, for tmux tests, benches
 * and screenshots when no location is running (tfcon --demo).  A test
 * fixture: built into tfcon only with meson -Ddemo=true.  It is an SDK
 * transport (tf.h "Transports"): tfcon's SDK location hands it every
 * message it would send to a real one, in the messages of
 * docs/PROTOCOL.md, so everything above the SDK runs exactly as against a
 * real location.
 *
 * The world it serves is the model itself: it answers requests by pushing
 * the events a location would push (container spawning -> running, gone,
 * volume records ...) after short delays.  A feed file (--demo-feed) replaces
 * the canned offer: JSON lines, each either ["cmd", {params}] (a push),
 * {"sleep": ms}, or ["output", {"container": id, "text": "..."}] which
 * writes to that container's open log streams.
 *
 * Processes understand a few commands (echo, ls, seq, yes, sleep, false,
 * exit N, uname, cat FILE); everything else is "not found".  An image whose
 * name contains "flood" writes as fast as it may; one named "broken" fails.
 */
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "con_demo.h"
#include "tf_codec_metrics.h"
#include "tf_codec_spawn.h"
#include "tf_codec_offer.h"
#include "tf_codec_stream.h"
#include "tf_codec_tunnel.h"
#include "tf_log.h"
#include "tf_util.h"

enum demo_job_type {
	DEMO_REPLY,		/* one answer to req after a delay */
	DEMO_PUSH,		/* one push after a delay */
	DEMO_LOGS,		/* a logs stream: periodic lines */
	DEMO_PROC,		/* a running process */
	DEMO_FEED,		/* next step of the feed file */
	DEMO_STATS,		/* node statistics ticker */
	DEMO_METRICS,		/* container metrics ticker */
	DEMO_CONNECT,
	DEMO_TUNNEL,		/* an open tunnel stream: no timer */
};

struct demo_job {
	struct con_demo *d;
	enum demo_job_type type;
	uint64_t timer;
	struct demo_req *req;
	char cmd[24];			/* reply kind or push command */
	char *packed;			/* msgpack params */
	size_t packed_len;
	char container[TF_MODEL_ID];
	char process[TF_MODEL_ID];
	uint64_t n;			/* lines written so far */
	uint64_t limit;			/* seq: last number */
	bool flood;
	bool tty;
	bool begun;			/* a process has said "started" */
	char line[256];			/* tty: the line being typed */
	size_t line_len;
	struct demo_job *prev, *next;
};

/* Every record of the demo belongs to one user, "demo"; records carry the
 * owner's id and name as the location's do. */
#define DEMO_USER_ID 2
#define DEMO_MAX_VOLUMES 32

/* One request the SDK made; the demo answers through fn, and forgets it
 * after the final answer, as tf_conn does. */
struct demo_req {
	uint64_t id;
	tf_conn_reply_fn fn;
	void *arg;
	struct demo_req *next;
};

struct con_demo {
	tf_location *loc;
	struct demo_req *reqs;
	tf_loop *loop;
	struct demo_job *jobs;
	char **feed;			/* feed file lines */
	size_t nfeed, feed_pos;
	uint64_t ip_next;
	unsigned rand;
	bool metrics_on;		/* the console sent metrics_sub */
};

static const char demo_offer[] =
"{\"nodes\":["
"{\"node\":\"N7bd3Qd8Xm2Lr4ZtV9cK1a\",\"name\":\"node-a\",\"state\":\"up\",\"cpus\":8,"
"\"cpu_pct\":12.5,\"mem_total_mb\":32000,\"mem_free_mb\":21000,\"paging\":0,"
"\"containers\":3,\"subnet\":\"10.20.1.0/24\",\"address\":\"192.0.2.11\",\"load1\":0.42},"
"{\"node\":\"NqW4e8Rr6Tt2Yy9Uu3Ii5o\",\"name\":\"node-b\",\"state\":\"up\",\"cpus\":4,"
"\"cpu_pct\":63.0,\"mem_total_mb\":16000,\"mem_free_mb\":3500,\"paging\":12.0,"
"\"containers\":2,\"subnet\":\"10.20.2.0/24\",\"address\":\"192.0.2.12\",\"load1\":2.8},"
"{\"node\":\"NzX8c7Vv6Bb5Nn4Mm3Kk2j\",\"name\":\"node-c\",\"state\":\"down\",\"cpus\":4,"
"\"cpu_pct\":0,\"mem_total_mb\":16000,\"mem_free_mb\":0,\"paging\":0,"
"\"containers\":0,\"subnet\":\"10.20.3.0/24\",\"address\":\"192.0.2.13\",\"load1\":0}],"
"\"containers\":["
"{\"container\":\"Ab3dEf5gHi7jKm9nPq2rSt\",\"node\":\"N7bd3Qd8Xm2Lr4ZtV9cK1a\",\"tag\":\"web\","
"\"image\":\"nginx:latest\",\"ip\":\"10.20.1.5\",\"state\":\"running\",\"session\":\"S1\","
"\"session_name\":\"tfcon@ops\",\"user\":2,\"user_name\":\"demo\",\"created\":-3720,\"started\":-3700,\"startup_ms\":412},"
"{\"container\":\"Cd4eFg6hJk8mNp2qRs3tUv\",\"node\":\"N7bd3Qd8Xm2Lr4ZtV9cK1a\",\"tag\":\"db\","
"\"image\":\"postgres:15\",\"ip\":\"10.20.1.6\",\"state\":\"running\",\"session\":\"S1\","
"\"session_name\":\"tfcon@ops\",\"user\":2,\"user_name\":\"demo\",\"created\":-86400,\"started\":-86390,\"startup_ms\":1630},"
"{\"container\":\"Ef5gHi7jKm9nPq2rSt4uVw\",\"node\":\"N7bd3Qd8Xm2Lr4ZtV9cK1a\",\"tag\":\"\","
"\"image\":\"busybox:latest\",\"ip\":\"10.20.1.7\",\"state\":\"sleeping\",\"session\":\"S2\","
"\"session_name\":\"tf@build\",\"user\":2,\"user_name\":\"demo\",\"created\":-60,\"started\":0,\"startup_ms\":0},"
"{\"container\":\"Gh6iJk8mNp2qRs3tUv5wXy\",\"node\":\"NqW4e8Rr6Tt2Yy9Uu3Ii5o\",\"tag\":\"worker-1\","
"\"image\":\"alpine:3.19\",\"ip\":\"10.20.2.4\",\"state\":\"running\",\"session\":\"S2\","
"\"session_name\":\"tf@build\",\"user\":2,\"user_name\":\"demo\",\"created\":-540,\"started\":-535,\"startup_ms\":230},"
"{\"container\":\"Jk7mNp2qRs3tUv5wXy6zAb\",\"node\":\"NqW4e8Rr6Tt2Yy9Uu3Ii5o\",\"tag\":\"migrate\","
"\"image\":\"alpine:3.19\",\"ip\":\"10.20.2.9\",\"state\":\"exited\",\"exit_code\":1,"
"\"error\":\"exited with status 1\",\"session\":\"S2\",\"session_name\":\"tf@build\",\"user\":2,\"user_name\":\"demo\","
"\"created\":-7200,\"started\":-7190,\"startup_ms\":200}],"
"\"tunnels\":["
"{\"tunnel\":\"Tn1aBc2dEf3gHi4jKm5nPq\",\"container\":\"Ab3dEf5gHi7jKm9nPq2rSt\",\"port\":80,"
"\"session\":\"S1\",\"session_name\":\"tfcon@ops\",\"user\":2,\"user_name\":\"demo\","
"\"localport\":8080,\"conns\":2,\"bytes_in\":18234,\"bytes_out\":1048576}],"
"\"volumes\":["
"{\"volume\":\"Vo1aBc2dEf3gHi4jKm5nPq\",\"tag\":\"pgdata\",\"node\":\"N7bd3Qd8Xm2Lr4ZtV9cK1a\","
"\"mounts\":[\"Cd4eFg6hJk8mNp2qRs3tUv\"],\"snapshot\":true,\"user\":2,\"user_name\":\"demo\"},"
"{\"volume\":\"Vo2xYz3wVu4tSr5qPn6mLk\",\"tag\":\"scratch\",\"node\":\"NqW4e8Rr6Tt2Yy9Uu3Ii5o\","
"\"mounts\":[],\"snapshot\":false,\"user\":2,\"user_name\":\"demo\"}],"
"\"images\":["
"{\"image\":\"sha256:1a2b3c4d5e6f\",\"names\":[\"busybox:latest\",\"busybox\"],\"layers\":[\"l1\"],"
"\"size\":4400000,\"created\":-2592000,\"origin\":\"build/images/busybox\"},"
"{\"image\":\"sha256:2b3c4d5e6f7a\",\"names\":[\"nginx:latest\"],\"layers\":[\"l1\",\"l2\",\"l3\"],"
"\"size\":187000000,\"created\":-1296000},"
"{\"image\":\"sha256:3c4d5e6f7a8b\",\"names\":[\"alpine:3.19\"],\"layers\":[\"l4\"],"
"\"size\":7800000,\"created\":-5184000},"
"{\"image\":\"sha256:4d5e6f7a8b9c\",\"names\":[\"postgres:15\"],\"layers\":[\"l4\",\"l5\",\"l6\"],"
"\"size\":412000000,\"created\":-864000,\"origin\":\"docker://registry.local:5000/postgres:15\"},"
"{\"image\":\"sha256:5e6f7a8b9c0d\",\"names\":[\"flood\"],\"layers\":[\"l1\"],"
"\"size\":4400000,\"created\":-600},"
"{\"image\":\"sha256:6f7a8b9c0d1e\",\"names\":[\"broken\"],\"layers\":[\"l7\"],"
"\"size\":1000,\"created\":-600}]}";

static int demo_job_cb(tf_loop *loop, uint64_t id, void *arg);

static struct demo_job *
demo_job_new(struct con_demo *d, enum demo_job_type type, uint64_t ms,
	     bool repeat)
{
	struct demo_job *j = tf_calloc(1, sizeof *j);

	j->d = d;
	j->type = type;
	j->next = d->jobs;
	if (d->jobs != NULL)
		d->jobs->prev = j;
	d->jobs = j;
	if (type != DEMO_TUNNEL)
		j->timer = tf_loop_timer(d->loop, ms, repeat, demo_job_cb, j);
	return j;
}

static void
demo_job_free(struct demo_job *j)
{
	struct con_demo *d = j->d;

	tf_loop_timer_cancel(d->loop, j->timer);
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		d->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	free(j->packed);
	free(j);
}

/* A tf_out's params as one msgpack map (malloc'd). */
static void
demo_params_pack(const tf_out *p, char **packed, size_t *len)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, p->n);
	msgpack_sbuffer_write(&sb, p->params.data, p->params.size);
	*packed = sb.data;		/* the buffer is handed over */
	*len = sb.size;
}

static void
demo_req_free(struct con_demo *d, struct demo_req *req)
{
	struct demo_req **pp;

	for (pp = &d->reqs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == req) {
			*pp = req->next;
			free(req);
			return;
		}
	}
}

/* Answers req; after a final answer the request is over, as with
 * tf_conn, and jobs no longer refer to it. */
static void
demo_answer(struct con_demo *d, struct demo_req *req, const tf_msg *m)
{
	bool final = !tf_msg_is_stream(m);

	req->fn(NULL, m, req->arg);
	if (final)
		demo_req_free(d, req);
}

static void
demo_job_params(struct demo_job *j, tf_out *p)
{
	if (p == NULL)
		return;
	demo_params_pack(p, &j->packed, &j->packed_len);
	tf_out_fini(p);
}

/* Delivers one message with msgpack params to an answer or a push. */
static void
demo_deliver(struct con_demo *d, struct demo_req *req, const char *cmd,
	     const char *packed, size_t len, const void *bulk, size_t bulk_len)
{
	msgpack_unpacked unp;
	msgpack_object empty = { .type = MSGPACK_OBJECT_MAP };
	tf_msg m;

	memset(&m, 0, sizeof m);
	snprintf(m.cmd, sizeof m.cmd, "%s", cmd);
	m.id = req != NULL ? req->id : 0;
	m.params = &empty;
	m.bulk = bulk;
	m.bulk_len = bulk_len;
	msgpack_unpacked_init(&unp);
	if (packed != NULL && msgpack_unpack_next(&unp, packed, len, NULL) ==
	    MSGPACK_UNPACK_SUCCESS && unp.data.type == MSGPACK_OBJECT_MAP)
		m.params = &unp.data;
	if (req != NULL)
		demo_answer(d, req, &m);
	else
		tf_transport_push(d->loc, &m);
	msgpack_unpacked_destroy(&unp);
}

static void
demo_send(struct con_demo *d, struct demo_req *req, const char *cmd,
	  tf_out *p, const void *bulk, size_t bulk_len)
{
	char *packed = NULL;
	size_t len = 0;

	if (p != NULL)
		demo_params_pack(p, &packed, &len);
	demo_deliver(d, req, cmd, packed, len, bulk, bulk_len);
	free(packed);
	if (p != NULL)
		tf_out_fini(p);
}

static void
demo_later(struct con_demo *d, uint64_t ms, enum demo_job_type type,
	   struct demo_req *req, const char *cmd, tf_out *p)
{
	struct demo_job *j = demo_job_new(d, type, ms, false);

	j->req = req;
	snprintf(j->cmd, sizeof j->cmd, "%s", cmd);
	demo_job_params(j, p);
}

static void
demo_error(struct con_demo *d, struct demo_req *req, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
demo_error(struct con_demo *d, struct demo_req *req, const char *fmt, ...)
{
	tf_out p;
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	tf_out_init(&p, "params");
	tf_out_str(&p, "error", text);
	demo_later(d, 30, DEMO_REPLY, req, TF_ERROR_REPLY, &p);
}

static void
demo_ok(struct con_demo *d, struct demo_req *req, uint64_t ms)
{
	tf_out p;

	tf_out_init(&p, "params");
	demo_later(d, ms, DEMO_REPLY, req, TF_REPLY, &p);
}

/* ---- records ------------------------------------------------------------ */

/* Records go out as the location's do (tf_codec_offer.h), whole: the
 * demo changes a copy of what its model holds and sends it back. */
static void
demo_pack_ctr(tf_out *p, const tf_model_container *c)
{
	tf_ctr_rec r = {
		.container = c->id, .node = c->node, .tag = c->tag,
		.image = c->image, .ip = c->ip,
		.state = tf_model_ctr_state_name(c->state),
		.exit_code = c->exit_code, .error = c->error,
		.session = c->session, .session_name = c->session_name,
		.user = DEMO_USER_ID, .user_name = c->user,
		.created = c->created, .started = c->started,
		.startup_ms = c->startup_ms,
	};

	tf_codec_pack(&tf_ctr_rec_codec, &r, p);
}

static void
demo_push_ctr(struct con_demo *d, uint64_t ms, const tf_model_container *c)
{
	tf_out p;

	tf_out_init(&p, "params");
	demo_pack_ctr(&p, c);
	demo_later(d, ms, DEMO_PUSH, NULL, tf_rec_name(TF_REC_CONTAINER), &p);
}

static void
demo_pack_vol(tf_out *p, const tf_model_volume *v)
{
	const char *mounts[TF_MODEL_MOUNTS];
	int i, n = v->nmounts < TF_MODEL_MOUNTS ? v->nmounts : TF_MODEL_MOUNTS;
	tf_vol_rec r = {
		.volume = v->id, .node = v->node, .tag = v->tag,
		.mounts = mounts, .n_mounts = (size_t)n,
		.snapshot = v->snapshot, .user = DEMO_USER_ID,
		.user_name = v->user,
	};

	for (i = 0; i < n; i++)
		mounts[i] = v->mounts[i];
	tf_codec_pack(&tf_vol_rec_codec, &r, p);
}

static void
demo_push_gone(struct con_demo *d, uint64_t ms, tf_rec_kind kind,
	       const char *id)
{
	tf_out p;

	tf_rec_gone_init(kind, id, &p);
	demo_later(d, ms, DEMO_PUSH, NULL, p.cmd, &p);
}

/* Ends every stream of a container (it was destroyed or rebooted). */
static void
demo_end_streams(struct con_demo *d, const char *container, const char *why)
{
	struct demo_job *j, *next;
	tf_out p;

	for (j = d->jobs; j != NULL; j = next) {
		next = j->next;
		if ((j->type != DEMO_LOGS && j->type != DEMO_PROC) ||
		    strcmp(j->container, container) != 0)
			continue;
		tf_out_init(&p, "params");
		if (j->type == DEMO_PROC) {
			tf_out_str(&p, "error", why);
			demo_send(d, j->req, TF_ERROR_REPLY, &p, NULL, 0);
		} else
			demo_send(d, j->req, TF_REPLY, &p, NULL, 0);
		demo_job_free(j);
	}
}

/* A volume record with a container added to or dropped from its mounts, as
 * the location pushes when a container mounting it is spawned or ends. */
static void
demo_push_mount(struct con_demo *d, uint64_t ms, const char *volume,
		const char *container, bool add)
{
	const tf_model_volume *v = tf_model_volume_find(tf_location_model(d->loc),
	    volume);
	tf_model_volume copy;
	tf_out p;
	int i, n;

	if (v == NULL)
		return;
	copy = *v;
	n = copy.nmounts < TF_MODEL_MOUNTS ? copy.nmounts : TF_MODEL_MOUNTS;
	for (i = 0; i < n && strcmp(copy.mounts[i], container) != 0; i++)
		;
	if (add == (i < n))
		return;		/* already listed, or not there to drop */
	if (add && n < TF_MODEL_MOUNTS)
		snprintf(copy.mounts[n], sizeof copy.mounts[n], "%s", container);
	else if (!add)
		memmove(copy.mounts[i], copy.mounts[i + 1],
		    (size_t)(n - i - 1) * sizeof copy.mounts[0]);
	copy.nmounts += add ? 1 : -1;
	tf_out_init(&p, "params");
	demo_pack_vol(&p, &copy);
	demo_later(d, ms, DEMO_PUSH, NULL, tf_rec_name(TF_REC_VOLUME), &p);
}

static bool
demo_vol_lists(const tf_model_volume *v, const char *container)
{
	for (int i = 0; i < v->nmounts && i < TF_MODEL_MOUNTS; i++)
		if (strcmp(v->mounts[i], container) == 0)
			return true;
	return false;
}

/* A container's end drops it from the mounts of its volumes (a spawn
 * mounts at most DEMO_MAX_VOLUMES). */
static void
demo_unmount_all(struct con_demo *d, uint64_t ms, const char *container)
{
	const tf_model *m = tf_location_model(d->loc);
	char ids[DEMO_MAX_VOLUMES][TF_MODEL_ID];
	const tf_model_volume *v;
	size_t i, n = 0;

	for (i = 0; i < tf_model_count(m, TF_MODEL_VOLUME) &&
	    n < DEMO_MAX_VOLUMES; i++) {
		v = tf_model_volume_at(m, i);
		if (demo_vol_lists(v, container))
			snprintf(ids[n++], sizeof ids[0], "%s", v->id);
	}
	for (i = 0; i < n; i++)
		demo_push_mount(d, ms, ids[i], container, false);
}

/* A spawn's [[volume, mountpoint]] pairs name known volumes (by uuid, tag
 * or uuid:tag); their ids go to ids[].  As at a location, the container
 * goes to the volumes' node: node[] is set to it, or must name it. */
static int
demo_spawn_volumes(struct con_demo *d, const msgpack_object *params,
		   struct demo_req *req, char ids[][TF_MODEL_ID], size_t *n,
		   char node[TF_MODEL_ID])
{
	const tf_model *m = tf_location_model(d->loc);
	const msgpack_object_array *vols = NULL;
	const tf_model_node *vn, *want;
	const tf_model_volume *v;
	char name[TF_MODEL_ID + TF_MODEL_NAME];
	uint32_t i;

	*n = 0;
	if (tf_obj_array(params, "volumes", &vols, DEMO_MAX_VOLUMES, false,
	    NULL) < 0) {
		demo_error(d, req, "too many volumes");
		return -1;
	}
	for (i = 0; vols != NULL && i < vols->size; i++) {
		const msgpack_object *pair = &vols->ptr[i];

		if (pair->type != MSGPACK_OBJECT_ARRAY || pair->via.array.size != 2 ||
		    tf_obj_as_str(&pair->via.array.ptr[0], name, sizeof name) != 0) {
			demo_error(d, req, "volumes must be [volume, mountpoint] "
			    "pairs");
			return -1;
		}
		v = tf_model_volume_lookup(m, name);
		if (v == NULL) {
			demo_error(d, req, "no such volume: %s", name);
			return -1;
		}
		vn = tf_model_node_lookup(m, v->node);
		want = node[0] != '\0' ? tf_model_node_lookup(m, node) : vn;
		if (want != vn) {
			demo_error(d, req, "volume %s lives on node %s, not %s",
			    v->id, vn != NULL ? vn->name : "?",
			    want != NULL ? want->name : node);
			return -1;
		}
		if (vn != NULL)
			snprintf(node, TF_MODEL_ID, "%s", vn->id);
		snprintf(ids[(*n)++], TF_MODEL_ID, "%s", v->id);
	}
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

static void
demo_spawn(struct con_demo *d, const msgpack_object *params,
	   struct demo_req *req)
{
	tf_model *m = tf_location_model(d->loc);
	char image[TF_MODEL_TEXT] = "", node[TF_MODEL_ID] = "";
	char tag[TF_MODEL_NAME] = "";
	const tf_model_image *im;
	const tf_model_node *n;
	char vols[DEMO_MAX_VOLUMES][TF_MODEL_ID];
	tf_model_container c;
	tf_out p;
	bool sleep = false;
	size_t i, nvols;
	tf_uuid id;

	tf_obj_str(params, "image", image, sizeof image, false, NULL);
	tf_obj_str(params, "node", node, sizeof node, false, NULL);
	tf_obj_str(params, "tag", tag, sizeof tag, false, NULL);
	tf_obj_bool(params, "sleep", &sleep, false, NULL);
	if ((im = tf_model_image_lookup(m, image)) == NULL) {
		demo_error(d, req, "no such image: %s", image);
		return;
	}
	if (demo_spawn_volumes(d, params, req, vols, &nvols, node) != 0)
		return;
	n = node[0] ? tf_model_node_lookup(m, node) : tf_model_best_node(m);
	if (n == NULL) {
		demo_error(d, req, node[0] ? "no such node: %s" :
		    "no node is up%s", node);
		return;
	}
	if (!n->up) {
		demo_error(d, req, "node %s is down", n->name);
		return;
	}
	for (i = 0; tag[0] && i < tf_model_count(m, TF_MODEL_CONTAINER); i++) {
		if (strcmp(tf_model_container_at(m, i)->tag, tag) == 0) {
			demo_error(d, req, "tag '%s' is already in use", tag);
			return;
		}
	}
	tf_uuid_make(&id);
	memset(&c, 0, sizeof c);
	snprintf(c.id, sizeof c.id, "%s", id.s);
	snprintf(c.node, sizeof c.node, "%s", n->id);
	snprintf(c.tag, sizeof c.tag, "%s", tag);
	snprintf(c.image, sizeof c.image, "%s", im->name);
	snprintf(c.session, sizeof c.session, "%s", tf_location_session(d->loc));
	snprintf(c.session_name, sizeof c.session_name, "tfcon@demo");
	snprintf(c.user, sizeof c.user, "demo");
	{
		const char *dot = strrchr(n->subnet, '.');
		int plen = dot != NULL ? (int)(dot - n->subnet + 1) : 0;

		snprintf(c.ip, sizeof c.ip, "%.*s%llu", plen, n->subnet,
		    (unsigned long long)(d->ip_next++ % 200 + 20));
	}
	c.created = tf_wall_time();
	c.state = TF_CTR_SPAWNING;
	demo_push_ctr(d, 20, &c);
	for (i = 0; i < nvols; i++)
		demo_push_mount(d, 25, vols[i], c.id, true);

	tf_out_init(&p, "params");
	tf_out_str(&p, "container", c.id);
	tf_out_str(&p, "node", c.node);
	demo_later(d, 80, DEMO_REPLY, req, TF_REPLY, &p);

	if (strstr(im->name, "broken") != NULL) {
		c.state = TF_CTR_FAILED;
		c.exit_code = 127;
		snprintf(c.error, sizeof c.error,
		    "exec /bin/app: no such file or directory");
	} else {
		c.state = sleep ? TF_CTR_SLEEPING : TF_CTR_RUNNING;
		c.started = sleep ? 0 : tf_wall_time() + 0.4;
		c.startup_ms = 380 + d->ip_next * 7 % 300;
	}
	demo_push_ctr(d, 400, &c);
}

static const tf_model_container *
demo_container(struct con_demo *d, const msgpack_object *params,
	       struct demo_req *req)
{
	char id[TF_MODEL_ID] = "";
	const tf_model_container *c;

	tf_obj_str(params, "container", id, sizeof id, false, NULL);
	c = tf_model_container_find(tf_location_model(d->loc), id);
	if ((c == NULL || c->state == TF_CTR_DESTROYED) && req != NULL)
		demo_error(d, req, "no such container");
	return c != NULL && c->state != TF_CTR_DESTROYED ? c : NULL;
}

/* ctr_spec: a canned spec, as a location keeps one from the spawn. */
static void
demo_spec(struct con_demo *d, const msgpack_object *params,
	  struct demo_req *req)
{
	static const char *const cmd[] = { "/docker-entrypoint.sh", "nginx",
	    "-g", "daemon off;" };
	static const char *const env[] = { "NGINX_PORT=80", "TZ=UTC" };
	tf_spec_file files[] = { { .path = "/etc/nginx/conf.d/site.conf",
	    .size = 1240 } };
	const tf_model_container *c = demo_container(d, params, req);
	tf_ctr_spec sp;
	tf_out p;

	if (c == NULL)
		return;
	memset(&sp, 0, sizeof sp);
	sp.container = c->id;
	sp.image = c->image;
	sp.tag = c->tag;
	if (strstr(c->image, "nginx") != NULL) {
		sp.command = cmd;
		sp.n_command = TF_ARRAY_LEN(cmd);
		sp.preboot = files;
		sp.n_preboot = 1;
	}
	sp.env = env;
	sp.n_env = TF_ARRAY_LEN(env);
	sp.limits.memory_mb = 512;
	sp.limits.pids = 256;
	tf_out_init(&p, "params");
	tf_ctr_spec_pack(&sp, &p);
	demo_later(d, 20, DEMO_REPLY, req, TF_REPLY, &p);
}

static void
demo_lifecycle(struct con_demo *d, const char *cmd,
	       const msgpack_object *params, struct demo_req *req)
{
	const tf_model_container *c = demo_container(d, params, req);
	tf_model_container copy;
	bool reset = false;

	if (c == NULL)
		return;
	copy = *c;
	if (strcmp(cmd, "destroy") == 0) {
		demo_end_streams(d, copy.id, "container destroyed");
		copy.state = TF_CTR_DESTROYED;
		demo_push_ctr(d, 10, &copy);
		demo_push_gone(d, 250, TF_REC_CONTAINER, copy.id);
		demo_unmount_all(d, 255, copy.id);
		demo_ok(d, req, 60);
		return;
	}
	if (strcmp(cmd, "wake") == 0) {
		if (copy.state != TF_CTR_SLEEPING) {
			demo_error(d, req, "container is not sleeping");
			return;
		}
		copy.state = TF_CTR_RUNNING;
		copy.started = tf_wall_time();
		demo_push_ctr(d, 100, &copy);
		demo_ok(d, req, 120);
		return;
	}
	/* reboot */
	tf_obj_bool(params, "reset", &reset, false, NULL);
	demo_end_streams(d, copy.id, "container rebooted");
	copy.state = TF_CTR_SPAWNING;
	demo_push_ctr(d, 10, &copy);
	copy.state = TF_CTR_RUNNING;
	copy.exit_code = 0;
	copy.error[0] = '\0';
	copy.started = tf_wall_time() + 0.6;
	demo_push_ctr(d, 600, &copy);
	demo_ok(d, req, 650);
}

static void
demo_logs(struct con_demo *d, const msgpack_object *params,
	  struct demo_req *req)
{
	const tf_model_container *c = demo_container(d, params, req);
	struct demo_job *j;

	if (c == NULL)
		return;
	j = demo_job_new(d, DEMO_LOGS, strstr(c->image, "flood") ? 2 : 5,
	    true);
	j->req = req;
	j->flood = strstr(c->image, "flood") != NULL;
	snprintf(j->container, sizeof j->container, "%s", c->id);
}

/* Writes one chunk of a stream: ~ {fd} + bulk. */
static void
demo_output(struct con_demo *d, struct demo_req *req, int fd, const char *data,
	    size_t len)
{
	tf_out p;

	tf_out_init(&p, "params");
	tf_item_pack(&(tf_item_msg){ .fd = fd }, &p);
	demo_send(d, req, TF_STREAM, &p, data, len);
}

/* Process output; a tty turns \n into \r\n as a pty's onlcr does. */
static void
demo_proc_output(struct demo_job *j, int fd, const char *data, size_t len)
{
	char buf[2048];
	size_t i, n = 0;

	if (!j->tty) {
		demo_output(j->d, j->req, fd, data, len);
		return;
	}
	for (i = 0; i < len; i++) {
		if (n + 2 > sizeof buf) {
			demo_output(j->d, j->req, fd, buf, n);
			n = 0;
		}
		if (data[i] == '\n')
			buf[n++] = '\r';
		buf[n++] = data[i];
	}
	if (n > 0)
		demo_output(j->d, j->req, fd, buf, n);
}

static void
demo_logs_tick(struct demo_job *j)
{
	const tf_model_container *c;
	char buf[65536];
	size_t len = 0;
	time_t now = time(NULL);
	struct tm tm;

	if (j->flood) {
		while (len + 16 < sizeof buf)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    "y %llu\n", (unsigned long long)j->n++);
		demo_output(j->d, j->req, 1, buf, len);
		return;
	}
	c = tf_model_container_find(tf_location_model(j->d->loc), j->container);
	localtime_r(&now, &tm);
	if (j->n == 0) {
		/* Startup banner, then one line a second. */
		len = (size_t)snprintf(buf, sizeof buf,
		    "%02d:%02d:%02d starting %s\n"
		    "%02d:%02d:%02d listening on %s\n"
		    "%02d:%02d:%02d ready: \xe2\x9c\x93 config ok, caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\n",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, c ? c->image : "?",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, c ? c->ip : "?",
		    tm.tm_hour, tm.tm_min, tm.tm_sec);
		tf_loop_timer_cancel(j->d->loop, j->timer);
		j->timer = tf_loop_timer(j->d->loop, 1000, true, demo_job_cb, j);
	} else {
		len = (size_t)snprintf(buf, sizeof buf,
		    "%02d:%02d:%02d GET /health 200 %llums\n",
		    tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (unsigned long long)(j->n * 37 % 90 + 1));
		if (j->n % 7 == 0)
			demo_output(j->d, j->req, 2, "warning: slow request\n",
			    22);
	}
	j->n++;
	demo_output(j->d, j->req, 1, buf, len);
}

static void
demo_proc_end(struct demo_job *j, int64_t code, int64_t sig)
{
	tf_item_msg item = { .exit_code = code, .signal = sig > 0 ? sig : 0 };
	tf_out p;

	TF_SET(&tf_item_codec, &item, exit_code);
	tf_out_init(&p, "params");
	tf_item_pack(&item, &p);
	demo_send(j->d, j->req, TF_REPLY, &p, NULL, 0);
	demo_job_free(j);
}

/* Runs one command line of the fake shell.  Returns -1 while it keeps
 * running (yes, seq, sleep), else its exit code. */
static int
demo_proc_run(struct demo_job *j, const char *cmdline)
{
	struct con_demo *d = j->d;
	char out[1024], word[64];
	const char *arg;
	size_t len;

	while (*cmdline == ' ')
		cmdline++;
	len = strcspn(cmdline, " ");
	snprintf(word, sizeof word, "%.*s", (int)len, cmdline);
	arg = cmdline + len;
	while (*arg == ' ')
		arg++;
	if (word[0] == '\0')
		return 0;
	if (strcmp(word, "echo") == 0) {
		len = (size_t)snprintf(out, sizeof out, "%s\n", arg);
		demo_proc_output(j, 1, out, len);
		return 0;
	}
	if (strcmp(word, "ls") == 0) {
		static const char ls[] =
		    "bin\ndev\netc\nhome\nproc\nroot\nsys\ntmp\nusr\nvar\n";

		demo_proc_output(j, 1, ls, sizeof ls - 1);
		return 0;
	}
	if (strcmp(word, "uname") == 0) {
		demo_proc_output(j, 1, "Linux demo 6.1.0 x86_64 GNU/Linux\n",
		    strlen("Linux demo 6.1.0 x86_64 GNU/Linux\n"));
		return 0;
	}
	if (strcmp(word, "false") == 0)
		return 1;
	if (strcmp(word, "true") == 0)
		return 0;
	if (strcmp(word, "exit") == 0)
		return atoi(arg);
	if (strcmp(word, "yes") == 0) {
		j->flood = true;
		return -1;
	}
	if (strcmp(word, "seq") == 0) {
		j->limit = strtoull(arg, NULL, 10);
		j->n = 0;
		return -1;
	}
	if (strcmp(word, "sleep") == 0) {
		tf_loop_timer_cancel(d->loop, j->timer);
		j->timer = tf_loop_timer(d->loop, 1000 * strtoull(arg, NULL, 10),
		    false, demo_job_cb, j);
		j->limit = 0;
		j->n = 1;
		return -2;
	}
	len = (size_t)snprintf(out, sizeof out, "sh: %s: not found\n", word);
	demo_proc_output(j, 2, out, len);
	return 127;
}

static void demo_proc_begin(struct demo_job *j);

static void
demo_proc_tick(struct demo_job *j)
{
	char buf[65536];
	size_t len = 0;

	if (!j->begun) {
		demo_proc_begin(j);
		return;
	}
	if (j->flood) {
		while (len + 4 < sizeof buf)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    "y\n");
		demo_output(j->d, j->req, 1, buf, len);
		return;
	}
	if (j->limit > 0) {
		while (j->n < j->limit && len + 24 < sizeof buf)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    "%llu\n", (unsigned long long)++j->n);
		demo_output(j->d, j->req, 1, buf, len);
		if (j->n >= j->limit)
			demo_proc_end(j, 0, -1);
		return;
	}
	if (j->n == 1)		/* sleep finished */
		demo_proc_end(j, 0, -1);
}

static void
demo_proc(struct con_demo *d, const msgpack_object *params,
	  struct demo_req *req)
{
	const tf_model_container *c = demo_container(d, params, req);
	char command[512] = "", one[128];
	const msgpack_object_array *argv = NULL;
	struct demo_job *j;
	size_t used = 0;
	uint32_t i;

	if (c == NULL)
		return;
	if (c->state != TF_CTR_RUNNING) {
		demo_error(d, req, "container is %s",
		    tf_model_ctr_state_name(c->state));
		return;
	}
	tf_obj_str(params, "command", command, sizeof command, false, NULL);
	if (tf_obj_array(params, "argv", &argv, 256, false, NULL) == 0) {
		for (i = 0; i < argv->size; i++) {
			if (tf_obj_as_str(&argv->ptr[i], one, sizeof one) == 0)
				used += (size_t)snprintf(command + used,
				    sizeof command - used, "%s%s",
				    i ? " " : "", one);
			if (used >= sizeof command)
				break;
		}
	}
	/* Answers come later, never inside the request call. */
	j = demo_job_new(d, DEMO_PROC, 1, true);
	j->req = req;
	j->packed = tf_strdup(command);
	snprintf(j->container, sizeof j->container, "%s", c->id);
	tf_obj_str(params, "process", j->process, sizeof j->process, false,
	    NULL);
	tf_obj_bool(params, "tty", &j->tty, false, NULL);
}

/* First tick of a process: it has started; run its command. */
static void
demo_proc_begin(struct demo_job *j)
{
	struct con_demo *d = j->d;
	tf_out p;
	const char *command = j->packed;
	int rc;

	j->begun = true;
	tf_out_init(&p, "params");
	tf_item_pack(&(tf_item_msg){ .event = "started" }, &p);
	demo_send(d, j->req, TF_STREAM, &p, NULL, 0);
	if (j->tty && (strcmp(command, "/bin/sh") == 0 ||
	    strcmp(command, "sh") == 0 || command[0] == '\0')) {
		/* An interactive fake shell: prompt and wait for stdin. */
		tf_loop_timer_cancel(d->loop, j->timer);
		j->timer = 0;
		demo_output(d, j->req, 1, "/ # ", 4);
		return;
	}
	rc = demo_proc_run(j, command);
	if (rc >= 0)
		demo_proc_end(j, rc, -1);
}

static struct demo_job *
demo_find_proc(struct con_demo *d, const msgpack_object *params)
{
	char process[TF_MODEL_ID] = "";
	struct demo_job *j;

	tf_obj_str(params, "process", process, sizeof process, false, NULL);
	for (j = d->jobs; j != NULL; j = j->next) {
		if (j->type == DEMO_PROC && strcmp(j->process, process) == 0)
			return j;
	}
	return NULL;
}

/* The fake shell echoes what is typed and runs a line on Enter. */
static void
demo_proc_stdin(struct demo_job *j, const uint8_t *data, size_t len)
{
	char echo[8];
	size_t i;
	int rc;

	for (i = 0; i < len && j->tty; i++) {
		if (data[i] == '\r' || data[i] == '\n') {
			demo_output(j->d, j->req, 1, "\r\n", 2);
			j->line[j->line_len] = '\0';
			j->line_len = 0;
			if (strncmp(j->line, "exit", 4) == 0) {
				demo_proc_end(j, atoi(j->line + 4), -1);
				return;
			}
			rc = demo_proc_run(j, j->line);
			if (rc == -1 || rc == -2) {
				/* Long-running commands are not simulated
				 * in the fake shell. */
				j->flood = false;
				j->limit = 0;
			}
			demo_output(j->d, j->req, 1, "/ # ", 4);
		} else if (data[i] == 0x7f || data[i] == 8) {
			if (j->line_len > 0) {
				j->line_len--;
				demo_output(j->d, j->req, 1, "\b \b", 3);
			}
		} else if (data[i] == 3) {
			j->line_len = 0;
			demo_output(j->d, j->req, 1, "^C\r\n/ # ", 9);
		} else if (data[i] == 4 && j->line_len == 0) {
			demo_proc_end(j, 0, -1);
			return;
		} else if (data[i] >= 0x20 && j->line_len + 1 < sizeof j->line) {
			j->line[j->line_len++] = (char)data[i];
			echo[0] = (char)data[i];
			demo_output(j->d, j->req, 1, echo, 1);
		}
	}
}

static void
demo_tunnel(struct con_demo *d, const msgpack_object *params,
	    struct demo_req *req)
{
	const tf_model_container *c = demo_container(d, params, req);
	char tunnel[TF_MODEL_ID] = "";
	int64_t port = 0, localport = 0;
	tf_out p;
	struct demo_job *j;

	if (c == NULL)
		return;
	tf_obj_str(params, "tunnel", tunnel, sizeof tunnel, false, NULL);
	tf_obj_int(params, "port", &port, 1, 65535, false, NULL);
	tf_obj_int(params, "localport", &localport, 0, 65535, false, NULL);
	tf_out_init(&p, "params");
	tf_codec_pack(&tf_tunnel_rec_codec, &(tf_tunnel_rec){
		.tunnel = tunnel, .container = c->id, .port = port,
		.session = tf_location_session(d->loc),
		.session_name = "tfcon@demo", .user = DEMO_USER_ID,
		.user_name = "demo", .localport = localport,
	}, &p);
	demo_later(d, 50, DEMO_PUSH, NULL, tf_rec_name(TF_REC_TUNNEL), &p);
	tf_out_init(&p, "params");
	tf_tunnel_pack(&(tf_tunnel_msg){ .event = "ready" }, &p);
	demo_later(d, 60, DEMO_REPLY, req, TF_STREAM, &p);
	j = demo_job_new(d, DEMO_TUNNEL, 0, false);
	j->req = req;
	snprintf(j->container, sizeof j->container, "%s", tunnel);
}

static void
demo_tunnel_close(struct con_demo *d, const msgpack_object *params,
		  struct demo_req *req)
{
	char tunnel[TF_MODEL_ID] = "";
	struct demo_job *j, *next;
	tf_out p;

	tf_obj_str(params, "tunnel", tunnel, sizeof tunnel, false, NULL);
	if (tf_model_tunnel_find(tf_location_model(d->loc), tunnel) == NULL) {
		demo_error(d, req, "no such tunnel");
		return;
	}
	/* The tunnel's own stream ends with a final answer. */
	for (j = d->jobs; j != NULL; j = next) {
		next = j->next;
		if (j->type == DEMO_TUNNEL && strcmp(j->container, tunnel) == 0) {
			tf_out_init(&p, "params");
			demo_send(d, j->req, TF_REPLY, &p, NULL, 0);
			demo_job_free(j);
		}
	}
	demo_push_gone(d, 30, TF_REC_TUNNEL, tunnel);
	demo_ok(d, req, 40);
}

static void
demo_volume(struct con_demo *d, const char *cmd, const msgpack_object *params,
	    struct demo_req *req)
{
	tf_model *m = tf_location_model(d->loc);
	char id[TF_MODEL_ID] = "", tag[TF_MODEL_NAME] = "";
	char node[TF_MODEL_ID] = "";
	const tf_model_volume *v;
	const tf_model_node *n;
	tf_model_volume copy;
	tf_out p;
	tf_uuid uuid;

	if (strcmp(cmd, "vol_create") == 0) {
		tf_obj_str(params, "node", node, sizeof node, false, NULL);
		tf_obj_str(params, "tag", tag, sizeof tag, false, NULL);
		n = node[0] ? tf_model_node_lookup(m, node) : tf_model_best_node(m);
		if (n == NULL) {
			demo_error(d, req, "no such node: %s", node);
			return;
		}
		memset(&copy, 0, sizeof copy);
		tf_uuid_make(&uuid);
		snprintf(copy.id, sizeof copy.id, "%s", uuid.s);
		snprintf(copy.tag, sizeof copy.tag, "%s", tag);
		snprintf(copy.node, sizeof copy.node, "%s", n->id);
		snprintf(copy.user, sizeof copy.user, "demo");
		tf_out_init(&p, "params");
		demo_pack_vol(&p, &copy);
		demo_later(d, 40, DEMO_PUSH, NULL, tf_rec_name(TF_REC_VOLUME),
		    &p);
		tf_out_init(&p, "params");
		demo_pack_vol(&p, &copy);
		demo_later(d, 50, DEMO_REPLY, req, TF_REPLY, &p);
		return;
	}
	tf_obj_str(params, "volume", id, sizeof id, false, NULL);
	if ((v = tf_model_volume_find(m, id)) == NULL) {
		demo_error(d, req, "no such volume");
		return;
	}
	copy = *v;
	if (strcmp(cmd, "vol_destroy") == 0) {
		if (copy.nmounts > 0) {
			demo_error(d, req, "volume is mounted by %d container%s",
			    copy.nmounts, copy.nmounts == 1 ? "" : "s");
			return;
		}
		demo_push_gone(d, 30, TF_REC_VOLUME, copy.id);
	} else if (strcmp(cmd, "vol_snapshot") == 0) {
		copy.snapshot = true;
		tf_out_init(&p, "params");
		demo_pack_vol(&p, &copy);
		demo_later(d, 30, DEMO_PUSH, NULL, tf_rec_name(TF_REC_VOLUME),
		    &p);
	} else if (!copy.snapshot) {
		demo_error(d, req, "volume has no snapshot to roll back to");
		return;
	}
	demo_ok(d, req, 40);
}

/* events_sub: a canned history, as a location's ring would hold. */
static void
demo_events(struct con_demo *d, struct demo_req *req)
{
	static const struct {
		int ago;
		const char *kind, *container, *tag, *node, *text;
	} canned[] = {
		{ 86400, "spawned", "Cd4eFg6hJk8mNp2qRs3tUv", "db", "node-a", "postgres:15" },
		{ 86390, "running", "Cd4eFg6hJk8mNp2qRs3tUv", "db", "node-a", "running on 10.20.1.6" },
		{ 7200, "spawned", "Jk7mNp2qRs3tUv5wXy6zAb", "migrate", "node-b", "alpine:3.19" },
		{ 7188, "exited", "Jk7mNp2qRs3tUv5wXy6zAb", "migrate", "node-b", "exited with status 1" },
		{ 3720, "spawned", "Ab3dEf5gHi7jKm9nPq2rSt", "web", "node-a", "nginx:latest" },
		{ 3700, "running", "Ab3dEf5gHi7jKm9nPq2rSt", "web", "node-a", "running on 10.20.1.5" },
		{ 900, "node_down", "", "", "node-c", "node node-c is down" },
		{ 540, "running", "Gh6iJk8mNp2qRs3tUv5wXy", "worker-1", "node-b", "running on 10.20.2.4" },
		{ 300, "oom_killed", "Gh6iJk8mNp2qRs3tUv5wXy", "worker-1", "node-b", "out of memory: the kernel killed a process (1 kills, memory 255 MiB of 256 MiB)" },
	};
	tf_event_rec recs[TF_ARRAY_LEN(canned)];
	tf_events_msg msg = { .events = recs, .n_events = TF_ARRAY_LEN(canned) };
	double now = tf_wall_time();
	tf_out p;

	for (size_t i = 0; i < TF_ARRAY_LEN(canned); i++) {
		memset(&recs[i], 0, sizeof recs[i]);
		recs[i].seq = (int64_t)i + 1;
		recs[i].time = now - canned[i].ago;
		recs[i].kind = canned[i].kind;
		recs[i].container = canned[i].container;
		recs[i].tag = canned[i].tag;
		recs[i].node = canned[i].node;
		recs[i].user = canned[i].container[0] ? "demo" : "";
		recs[i].text = canned[i].text;
	}
	tf_out_init(&p, "params");
	tf_events_pack(&msg, &p);
	demo_later(d, 10, DEMO_REPLY, req, TF_REPLY, &p);
}

static int demo_send_cmd(void *bp, const char *cmd,
			 const msgpack_object *params, const void *bulk,
			 size_t bulk_len);

static uint64_t
demo_request(void *bp, const char *cmd, const msgpack_object *params,
	     const void *bulk, size_t bulk_len, tf_conn_reply_fn fn,
	     void *fn_arg)
{
	struct con_demo *d = bp;
	struct demo_req *req = tf_calloc(1, sizeof *req);
	uint64_t id = ++d->rand + 1000;

	req->id = id;
	req->fn = fn;
	req->arg = fn_arg;
	req->next = d->reqs;
	d->reqs = req;
	/* A process's input comes as a request (the SDK hears a refusal):
	 * taken as the plain message it was, and answered. */
	if (strcmp(cmd, "proc_stdin") == 0) {
		demo_send_cmd(d, cmd, params, bulk, bulk_len);
		demo_ok(d, req, 1);
	} else if (strcmp(cmd, "spawn") == 0)
		demo_spawn(d, params, req);
	else if (strcmp(cmd, "destroy") == 0 || strcmp(cmd, "reboot") == 0 ||
	    strcmp(cmd, "wake") == 0)
		demo_lifecycle(d, cmd, params, req);
	else if (strcmp(cmd, "logs") == 0)
		demo_logs(d, params, req);
	else if (strcmp(cmd, "ctr_spec") == 0)
		demo_spec(d, params, req);
	else if (strcmp(cmd, "proc") == 0)
		demo_proc(d, params, req);
	else if (strcmp(cmd, "allow") == 0 || strcmp(cmd, "disallow") == 0) {
		if (demo_container(d, params, req) != NULL)
			demo_ok(d, req, 40);
	} else if (strcmp(cmd, "tunnel") == 0)
		demo_tunnel(d, params, req);
	else if (strcmp(cmd, "tunnel_close") == 0)
		demo_tunnel_close(d, params, req);
	else if (strncmp(cmd, "vol_", 4) == 0)
		demo_volume(d, cmd, params, req);
	else if (strcmp(cmd, "events_sub") == 0)
		demo_events(d, req);
	else if (strcmp(cmd, "metrics_sub") == 0) {
		tf_metrics_sub_msg sub;
		tf_err err;

		if (tf_metrics_sub_unpack(params, &sub, &err) != 0) {
			demo_error(d, req, "%s", err.msg);
		} else {
			d->metrics_on = sub.on;
			demo_ok(d, req, 10);
		}
	} else
		demo_error(d, req, "unknown command %s", cmd);
	return id;
}

static void
demo_tunnel_item(struct con_demo *d, struct demo_job *j, const tf_tunnel_msg *ev,
		 const void *bulk, size_t bulk_len)
{
	tf_out p;

	tf_out_init(&p, "params");
	tf_tunnel_pack(ev, &p);
	demo_send(d, j->req, TF_STREAM, &p, bulk, bulk_len);
}

/* The demo's tunnels lead to an echo server: what a local client sends
 * comes back, acknowledged, until it closes. */
static int
demo_tcp(struct con_demo *d, const char *cmd, const msgpack_object *params,
	 const void *bulk, size_t bulk_len)
{
	tf_tunnel_msg req, ev;
	struct demo_job *j;
	int64_t conn;

	if (tf_tunnel_unpack(params, &req, NULL) != 0)
		return 0;
	for (j = d->jobs; j != NULL; j = j->next) {
		if (j->type == DEMO_TUNNEL && strcmp(j->container, req.tunnel) == 0)
			break;
	}
	conn = req.conn;
	if (j == NULL || !TF_HAS(&tf_tunnel_codec, &req, conn)) {
		tf_tunnel_free(&req);
		return 0;
	}
	tf_tunnel_free(&req);
	/* Answers as a node would: the tunnel codec's stream items. */
	ev = (tf_tunnel_msg){ .conn = conn };
	TF_SET(&tf_tunnel_codec, &ev, conn);
	if (strcmp(cmd, "tcp_open") == 0) {
		ev.event = "open";
		demo_tunnel_item(d, j, &ev, NULL, 0);
	} else if (strcmp(cmd, "tcp_data") == 0) {
		ev.event = "ack";
		ev.bytes = (int64_t)bulk_len;
		TF_SET(&tf_tunnel_codec, &ev, bytes);
		demo_tunnel_item(d, j, &ev, NULL, 0);
		ev = (tf_tunnel_msg){ .conn = conn, .event = "data" };
		TF_SET(&tf_tunnel_codec, &ev, conn);
		demo_tunnel_item(d, j, &ev, bulk, bulk_len);
	} else if (strcmp(cmd, "tcp_close") == 0) {
		ev.event = "close";
		ev.both = true;
		TF_SET(&tf_tunnel_codec, &ev, both);
		demo_tunnel_item(d, j, &ev, NULL, 0);
	}
	return 0;
}

static int
demo_send_cmd(void *bp, const char *cmd, const msgpack_object *params,
	      const void *bulk, size_t bulk_len)
{
	struct con_demo *d = bp;
	struct demo_job *j;
	int64_t ref = 0, sig = 15;
	tf_out p;

	if (strcmp(cmd, "unsub") == 0) {
		tf_obj_int(params, "ref", &ref, 0, INT64_MAX, false, NULL);
		for (j = d->jobs; j != NULL; j = j->next) {
			if (j->type == DEMO_LOGS && j->req->id == (uint64_t)ref) {
				tf_out_init(&p, "params");
				demo_send(d, j->req, TF_REPLY, &p, NULL, 0);
				demo_job_free(j);
				break;
			}
		}
		return 0;
	}
	if (strncmp(cmd, "tcp_", 4) == 0)
		return demo_tcp(d, cmd, params, bulk, bulk_len);
	if ((j = demo_find_proc(d, params)) == NULL)
		return 0;
	if (strcmp(cmd, "proc_kill") == 0) {
		tf_obj_int(params, "signal", &sig, 0, 64, false, NULL);
		demo_proc_end(j, -1, sig);
	} else if (strcmp(cmd, "proc_stdin") == 0)
		demo_proc_stdin(j, bulk, bulk_len);
	return 0;
}

/* ---- feed, stats, connect ---------------------------------------------- */

/* Applies one feed line; returns a sleep in ms, or -1. */
static int64_t
demo_feed_line(struct con_demo *d, const char *line)
{
	msgpack_sbuffer sb;
	msgpack_unpacked unp;
	const msgpack_object *arr, *v;
	char cmd[32], id[TF_MODEL_ID] = "", text[4096] = "";
	struct demo_job *j;
	int64_t ms = -1;
	tf_err err;

	msgpack_sbuffer_init(&sb);
	msgpack_unpacked_init(&unp);
	if (con_json_to_msgpack(line, &sb, &err) != 0 ||
	    msgpack_unpack_next(&unp, sb.data, sb.size, NULL) !=
	    MSGPACK_UNPACK_SUCCESS) {
		tf_warn("demo feed: %s", err.msg);
		goto out;
	}
	v = &unp.data;
	if (v->type == MSGPACK_OBJECT_MAP) {
		if (tf_obj_int(v, "sleep", &ms, 0, 3600000, true, &err) != 0) {
			tf_warn("demo feed: %s", err.msg);
			ms = -1;
		}
		goto out;
	}
	arr = v;
	if (arr->type != MSGPACK_OBJECT_ARRAY || arr->via.array.size != 2 ||
	    tf_obj_as_str(&arr->via.array.ptr[0], cmd, sizeof cmd) != 0) {
		tf_warn("demo feed: want [\"cmd\", {params}]: %.60s", line);
		goto out;
	}
	v = &arr->via.array.ptr[1];
	if (strcmp(cmd, "output") == 0) {
		tf_obj_str(v, "container", id, sizeof id, false, NULL);
		tf_obj_str(v, "text", text, sizeof text, false, NULL);
		for (j = d->jobs; j != NULL; j = j->next) {
			if (j->type == DEMO_LOGS && strcmp(j->container, id) == 0)
				demo_output(d, j->req, 1, text, strlen(text));
		}
		goto out;
	}
	{
		tf_msg m;

		memset(&m, 0, sizeof m);
		snprintf(m.cmd, sizeof m.cmd, "%s", cmd);
		m.params = v;
		tf_transport_push(d->loc, &m);
	}
out:
	msgpack_unpacked_destroy(&unp);
	msgpack_sbuffer_destroy(&sb);
	return ms;
}

/* Runs feed lines until a sleep (which schedules the rest) or the end. */
static void
demo_feed_run(struct con_demo *d)
{
	int64_t ms;

	while (d->feed_pos < d->nfeed) {
		ms = demo_feed_line(d, d->feed[d->feed_pos++]);
		if (ms >= 0) {
			demo_job_new(d, DEMO_FEED, (uint64_t)ms, false);
			return;
		}
	}
}

static void
demo_stats_tick(struct con_demo *d)
{
	tf_model *m = tf_location_model(d->loc);
	const tf_model_node *n;
	tf_out p;
	size_t i, k, ctrs;
	double cpu;

	for (i = 0; i < tf_model_count(m, TF_MODEL_NODE); i++) {
		n = tf_model_node_at(m, i);
		if (!n->up)
			continue;
		ctrs = 0;
		for (k = 0; k < tf_model_count(m, TF_MODEL_CONTAINER); k++) {
			if (strcmp(tf_model_container_at(m, k)->node, n->id) == 0)
				ctrs++;
		}
		d->rand = d->rand * 1103515245 + 12345;
		cpu = n->cpu_pct + (double)((d->rand >> 16) % 11) - 5.0;
		cpu = cpu < 1 ? 1 : cpu > 99 ? 99 : cpu;
		tf_out_init(&p, "params");
		tf_codec_pack(&tf_node_rec_codec, &(tf_node_rec){
			.node = n->id, .name = n->name, .address = n->address,
			.state = "up", .cpus = n->cpus, .cpu_pct = cpu,
			.mem_total_mb = n->mem_total_mb,
			.mem_free_mb = n->mem_free_mb, .paging = n->paging,
			.containers = (int64_t)ctrs, .subnet = n->subnet,
			.load1 = cpu * (double)n->cpus / 100.0,
		}, &p);
		demo_send(d, NULL, tf_rec_name(TF_REC_NODE), &p, NULL, 0);
	}
}

/* Figures for the running containers: each has its own level (from its
 * id) with a wiggle, and an image named "spin" burns a core, so that the
 * console's columns, colours and sparklines have something to show. */
static void
demo_metrics_tick(struct con_demo *d)
{
	tf_model *m = tf_location_model(d->loc);
	size_t i, n = 0, count = tf_model_count(m, TF_MODEL_CONTAINER);
	tf_ctr_metrics *items;
	tf_metrics_msg msg;
	tf_out p;

	if (!d->metrics_on || count == 0)
		return;
	items = tf_calloc(count, sizeof *items);
	for (i = 0; i < count; i++) {
		const tf_model_container *c = tf_model_container_at(m, i);
		unsigned seed = (unsigned)c->id[0] * 31u + (unsigned)c->id[1];
		tf_ctr_metrics *it = &items[n];

		if (c->state != TF_CTR_RUNNING)
			continue;
		d->rand = d->rand * 1103515245 + 12345;
		it->container = c->id;
		it->cpu_pct = strstr(c->image, "spin") != NULL ? 99.0 +
		    (double)((d->rand >> 16) % 10) / 10.0 :
		    (double)(seed % 40) + (double)((d->rand >> 16) % 7);
		it->mem_rss = (int64_t)(seed % 200 + 8) << 20;
		it->mem_cache = (int64_t)(seed % 50) << 20;
		it->mem_limit = seed % 3 == 0 ? (int64_t)256 << 20 : 0;
		it->pids = 1 + seed % 12;
		it->net_rx = (int64_t)((seed * 977 + (d->rand >> 20)) % 900000);
		it->net_tx = (int64_t)((seed * 331 + (d->rand >> 21)) % 300000);
		it->io_read = (int64_t)((seed * 13 + (d->rand >> 22)) % 40000);
		it->io_write = (int64_t)((seed * 7 + (d->rand >> 23)) % 90000);
		n++;
	}
	msg.has = 0;
	msg.containers = items;
	msg.n_containers = n;
	tf_out_init(&p, "params");
	tf_metrics_pack(&msg, &p);
	demo_send(d, NULL, "metrics", &p, NULL, 0);
	free(items);
}

/* Container times in the canned offer are relative to now. */
static void
demo_offer_fix_times(struct con_demo *d)
{
	tf_model *m = tf_location_model(d->loc);
	const tf_model_container *c;
	tf_model_container copy;
	double now = tf_wall_time();
	size_t i, n = tf_model_count(m, TF_MODEL_CONTAINER);
	tf_out p;
	char **ids = tf_calloc(n + 1, sizeof *ids);

	for (i = 0; i < n; i++)
		ids[i] = tf_strdup(tf_model_container_at(m, i)->id);
	for (i = 0; i < n; i++) {
		c = tf_model_container_find(m, ids[i]);
		if (c != NULL && c->created <= 0) {
			copy = *c;
			copy.created += now;
			if (copy.started < 0)
				copy.started += now;
			tf_out_init(&p, "params");
			demo_pack_ctr(&p, &copy);
			demo_send(d, NULL, tf_rec_name(TF_REC_CONTAINER), &p,
			    NULL, 0);
		}
		free(ids[i]);
	}
	free(ids);
}

static void
demo_connect(struct con_demo *d)
{
	msgpack_sbuffer sb;
	msgpack_unpacked unp;
	tf_err err;
	tf_msg m;

	tf_transport_state(d->loc, TF_STATUS_UP, "demo location", "operator",
	    "SdemoSessionAbCdEfGhIj", false);
	if (d->nfeed > 0) {
		demo_feed_run(d);
		return;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_unpacked_init(&unp);
	if (con_json_to_msgpack(demo_offer, &sb, &err) == 0 &&
	    msgpack_unpack_next(&unp, sb.data, sb.size, NULL) ==
	    MSGPACK_UNPACK_SUCCESS) {
		memset(&m, 0, sizeof m);
		snprintf(m.cmd, sizeof m.cmd, "offer");
		m.params = &unp.data;
		tf_transport_push(d->loc, &m);
		demo_offer_fix_times(d);
	} else
		tf_error("demo offer: %s", err.msg);
	msgpack_unpacked_destroy(&unp);
	msgpack_sbuffer_destroy(&sb);
	demo_job_new(d, DEMO_STATS, 2000, true);
	demo_job_new(d, DEMO_METRICS, 1000, true);
}

static int
demo_job_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct demo_job *j = arg;
	struct con_demo *d = j->d;

	TF_UNUSED(loop);
	TF_UNUSED(id);
	switch (j->type) {
	case DEMO_REPLY:
		demo_deliver(d, j->req, j->cmd, j->packed, j->packed_len,
		    NULL, 0);
		demo_job_free(j);
		break;
	case DEMO_PUSH:
		demo_deliver(d, NULL, j->cmd, j->packed, j->packed_len, NULL, 0);
		demo_job_free(j);
		break;
	case DEMO_LOGS:
		demo_logs_tick(j);
		break;
	case DEMO_PROC:
		demo_proc_tick(j);
		break;
	case DEMO_FEED:
		demo_job_free(j);
		demo_feed_run(d);
		break;
	case DEMO_STATS:
		demo_stats_tick(d);
		break;
	case DEMO_METRICS:
		demo_metrics_tick(d);
		break;
	case DEMO_CONNECT:
		demo_job_free(j);
		demo_connect(d);
		break;
	case DEMO_TUNNEL:
		break;
	}
	return 0;
}

static int
demo_feed_load(struct con_demo *d, const char *path, tf_err *err)
{
	char *text, *line, *save = NULL;
	size_t len;

	text = tf_read_file(path, &len, 64u << 20);
	if (text == NULL)
		return tf_err_errno(err, "demo feed %s", path);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		d->feed = tf_realloc(d->feed, (d->nfeed + 1) * sizeof *d->feed);
		d->feed[d->nfeed++] = tf_strdup(line);
	}
	free(text);
	return 0;
}

static int
demo_rtt_ms(void *bp)
{
	TF_UNUSED(bp);
	return 1;
}

static void
demo_destroy(void *bp)
{
	struct con_demo *d = bp;
	size_t i;

	while (d->jobs != NULL)
		demo_job_free(d->jobs);
	while (d->reqs != NULL)
		demo_req_free(d, d->reqs);
	for (i = 0; i < d->nfeed; i++)
		free(d->feed[i]);
	free(d->feed);
	free(d);
}

static void
demo_forget(void *bp, uint64_t id)
{
	struct con_demo *d = bp;
	struct demo_job *j, *next;

	for (j = d->jobs; j != NULL; j = next) {
		next = j->next;
		if (j->req != NULL && j->req->id == id)
			demo_job_free(j);
	}
	for (struct demo_req *r = d->reqs; r != NULL; r = r->next) {
		if (r->id == id) {
			demo_req_free(d, r);
			break;
		}
	}
}

static const tf_transport_ops demo_transport = {
	.name = "demo",
	.request = demo_request,
	.send = demo_send_cmd,
	.forget = demo_forget,
	.rtt_ms = demo_rtt_ms,
	.destroy = demo_destroy,
};

tf_location *
con_demo_location(const tf_location_opts *base, const char *feed,
		  tf_err *err)
{
	struct con_demo *d = tf_calloc(1, sizeof *d);
	tf_location_opts opts = *base;
	tf_location *loc;

	d->rand = 20;
	if (feed != NULL && demo_feed_load(d, feed, err) != 0) {
		free(d);
		return NULL;
	}
	opts.location = "demo";
	opts.no_wait = true;
	opts.transport = &demo_transport;
	opts.transport_arg = d;
	/* On failure the location has destroyed the transport (d). */
	if ((loc = tf_location_new(&opts, err)) == NULL)
		return NULL;
	d->loc = loc;
	d->loop = tf_location_loop(loc);
	demo_job_new(d, DEMO_CONNECT, 30, false);
	return loc;
}
