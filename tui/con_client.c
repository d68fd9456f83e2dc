/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_client: typed requests and streams over a backend (see con_client.h).
 * This file owns the bookkeeping every request shares: the list of
 * outstanding requests (so destroy can answer each one), stream state,
 * credit acks, and the client-side process records in the model.  The
 * message shapes follow docs/PROTOCOL.md "Client -> location".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "con_backend.h"
#include "tf_log.h"
#include "tf_util.h"

struct con_stream {
	con_client *cc;
	struct con_req *req;		/* NULL once the stream ended */
	const struct con_stream_ops *ops;	/* NULL once the owner closed */
	void *arg;
	bool is_proc;
	bool tty;
	bool ended;
	bool closed;
	bool manual_ack;
	char container[TF_MODEL_ID];
	char process[TF_MODEL_ID];
};

struct con_client {
	tf_loop *loop;
	tf_model *model;
	const struct con_backend_ops *ops;
	void *backend;
	enum con_state state;
	char location[256];
	char user[128];
	char session[TF_MODEL_ID];
	bool admin;
	con_event_fn ev_fn;
	void *ev_arg;
	struct con_req *reqs;
	bool destroying;
};

static const char *const con_state_names[] = {
	[CON_CONNECTING] = "connecting",
	[CON_UP] = "up",
	[CON_DOWN] = "down",
	[CON_REFUSED] = "refused",
	[CON_CLOSED] = "closed",
};

con_client *
con_client_new(tf_loop *loop, tf_model *model, const struct con_config *cfg,
	       const struct con_backend_ops *backend, tf_err *err)
{
	con_client *cc = tf_calloc(1, sizeof *cc);

	cc->loop = loop;
	cc->model = model;
	cc->state = CON_CONNECTING;
	cc->ops = backend;
	cc->backend = backend->open(cc, cfg, cc->location, sizeof cc->location,
	    err);
	if (cc->backend == NULL) {
		free(cc);
		return NULL;
	}
	return cc;
}

static void
con_req_unlink(con_client *cc, struct con_req *req)
{
	tf_loop_timer_cancel(cc->loop, req->timer);
	req->timer = 0;
	if (req->prev != NULL)
		req->prev->next = req->next;
	else
		cc->reqs = req->next;
	if (req->next != NULL)
		req->next->prev = req->prev;
	req->prev = req->next = NULL;
}

static void con_stream_finish(con_stream *s, const char *error,
			      int64_t exit_code, int64_t sig);

void
con_client_destroy(con_client **self_p)
{
	con_client *cc = *self_p;
	struct con_req *req;

	if (cc == NULL)
		return;
	cc->destroying = true;
	/* The backend answers what it still holds; whatever is left (the
	 * demo's timers, say) is answered here, so every callback runs once. */
	cc->ops->destroy(cc->backend);
	cc->backend = NULL;
	while ((req = cc->reqs) != NULL) {
		con_req_unlink(cc, req);
		con_tunnel_free(&req->tunnel);
		if (req->stream != NULL) {
			req->stream->req = NULL;
			con_stream_finish(req->stream, "connection closed",
			    -1, -1);
		} else if (req->fn != NULL && !req->answered)
			req->fn(req->arg, "connection closed", NULL);
		free(req);
	}
	free(cc);
	*self_p = NULL;
}

void
con_client_on_event(con_client *cc, con_event_fn fn, void *arg)
{
	cc->ev_fn = fn;
	cc->ev_arg = arg;
}

enum con_state
con_client_state(const con_client *cc)
{
	return cc->state;
}

const char *
con_state_name(enum con_state st)
{
	return st <= CON_CLOSED ? con_state_names[st] : "?";
}

const char *
con_client_location(const con_client *cc)
{
	return cc->location;
}

const char *
con_client_user(const con_client *cc)
{
	return cc->user;
}

bool
con_client_admin(const con_client *cc)
{
	return cc->admin;
}

const char *
con_client_session(const con_client *cc)
{
	return cc->session;
}

int
con_client_rtt_ms(const con_client *cc)
{
	if (cc->backend == NULL || cc->state != CON_UP)
		return -1;
	return cc->ops->rtt_ms(cc->backend);
}

tf_loop *
con_client_loop(const con_client *cc)
{
	return cc->loop;
}

tf_model *
con_client_model(const con_client *cc)
{
	return cc->model;
}

/* ---- backend entry points ---------------------------------------------- */

void
con_client_set_state(con_client *cc, enum con_state st, const char *why)
{
	if (st == cc->state && (why == NULL || *why == '\0'))
		return;
	cc->state = st;
	tf_info("connection %s%s%s", con_state_name(st),
	    why && *why ? ": " : "", why ? why : "");
	if (cc->ev_fn != NULL && !cc->destroying)
		cc->ev_fn(cc->ev_arg, CON_EV_STATE, why ? why : "");
}

void
con_client_set_welcome(con_client *cc, const char *user, const char *session,
		       bool admin)
{
	snprintf(cc->user, sizeof cc->user, "%s", user ? user : "");
	snprintf(cc->session, sizeof cc->session, "%s", session ? session : "");
	cc->admin = admin;
}

void
con_client_push(con_client *cc, const tf_msg *m)
{
	char level[16] = "info", text[512] = "";
	tf_err err;
	int rc;

	rc = tf_model_apply(cc->model, m->cmd, m->params, &err);
	if (rc == 1)
		return;
	if (rc == -1) {
		tf_warn("push %s: %s", m->cmd, err.msg);
		return;
	}
	if (strcmp(m->cmd, "log") == 0) {
		tf_obj_str(m->params, "level", level, sizeof level, false, NULL);
		tf_obj_str(m->params, "text", text, sizeof text, false, NULL);
		if (cc->ev_fn != NULL)
			cc->ev_fn(cc->ev_arg, strcmp(level, "error") == 0 ?
			    CON_EV_LOG_ERROR : CON_EV_LOG_INFO, text);
		return;
	}
	tf_debug("push %s ignored", m->cmd);
}

/* Process records follow the stream so the processes view stays true. */
static void
con_stream_model(con_stream *s, tf_model_proc_state st, const char *error,
		 int64_t exit_code, int64_t sig)
{
	const tf_model_proc *old;
	tf_model_proc p;

	if (!s->is_proc)
		return;
	old = tf_model_proc_find(s->cc->model, s->process);
	if (old == NULL)
		return;
	p = *old;
	p.state = st;
	if (error != NULL)
		snprintf(p.error, sizeof p.error, "%s", error);
	p.exit_code = exit_code;
	p.signal = sig;
	tf_model_proc_set(s->cc->model, &p);
}

static void
con_stream_finish(con_stream *s, const char *error, int64_t exit_code,
		  int64_t sig)
{
	s->ended = true;
	con_stream_model(s, error ? TF_PROC_FAILED : TF_PROC_EXITED, error,
	    exit_code, sig);
	if (s->ops != NULL && s->ops->end != NULL)
		s->ops->end(s->arg, error, exit_code, sig);
	if (s->closed)
		free(s);
}

static void
con_stream_item(con_stream *s, const tf_msg *m)
{
	char event[32] = "";
	int64_t fd = 1, dropped = 0;
	struct con_params p;
	const msgpack_object *params;

	if (m->bulk != NULL && m->bulk_len > 0 && s->req != NULL &&
	    (!s->manual_ack || s->ops == NULL)) {
		/* Credit: we consume at once (the log ring is bounded). */
		con_params_init(&p);
		con_params_int(&p, "ref", (int64_t)s->req->id);
		con_params_int(&p, "bytes", (int64_t)m->bulk_len);
		if ((params = con_params_done(&p)) != NULL)
			s->cc->ops->send(s->cc->backend, "ack", params, NULL, 0);
		con_params_fini(&p);
	}
	tf_obj_str(m->params, "event", event, sizeof event, false, NULL);
	tf_obj_int(m->params, "dropped", &dropped, 0, INT64_MAX, false, NULL);
	tf_obj_int(m->params, "fd", &fd, 0, 2, false, NULL);
	if (strcmp(event, "started") == 0) {
		con_stream_model(s, TF_PROC_RUNNING, NULL, -1, -1);
		if (s->ops != NULL && s->ops->started != NULL)
			s->ops->started(s->arg);
	}
	if (dropped > 0 && s->ops != NULL && s->ops->dropped != NULL)
		s->ops->dropped(s->arg, (uint64_t)dropped);
	if (m->bulk != NULL && m->bulk_len > 0 && s->ops != NULL &&
	    s->ops->data != NULL)
		s->ops->data(s->arg, (int)fd, m->bulk, m->bulk_len);
}

void
con_client_answer(struct con_req *req, const tf_msg *m)
{
	con_client *cc = req->cc;
	char error[TF_ERR_LEN] = "request failed";
	int64_t exit_code = -1, sig = -1;
	con_stream *s = req->stream;
	bool final = !tf_msg_is_stream(m);

	if (tf_msg_is_error(m))
		tf_obj_str(m->params, "error", error, sizeof error, false, NULL);
	if (req->tunnel != NULL) {
		if (!final) {
			if (con_tunnel_item(req->tunnel, m) && !req->answered &&
			    req->fn != NULL) {
				req->answered = true;
				tf_loop_timer_cancel(cc->loop, req->timer);
				req->timer = 0;
				req->fn(req->arg, NULL, m->params);
			}
			return;
		}
		tf_info("tunnel %s ended%s%s", con_tunnel_id(req->tunnel),
		    tf_msg_is_error(m) ? ": " : "",
		    tf_msg_is_error(m) ? error : "");
		con_tunnel_free(&req->tunnel);
		con_req_unlink(cc, req);
		if (!req->answered && req->fn != NULL)
			req->fn(req->arg, tf_msg_is_error(m) ? error :
			    "the tunnel closed before it was ready", m->params);
		free(req);
		return;
	}
	if (s != NULL) {
		if (!final) {
			con_stream_item(s, m);
			return;
		}
		tf_obj_int(m->params, "exit_code", &exit_code, INT32_MIN,
		    INT32_MAX, false, NULL);
		tf_obj_int(m->params, "signal", &sig, 0, 128, false, NULL);
		con_req_unlink(cc, req);
		s->req = NULL;
		free(req);
		con_stream_finish(s, tf_msg_is_error(m) ? error : NULL,
		    exit_code, sig);
		return;
	}
	if (!req->answered && req->fn != NULL) {
		req->answered = true;
		tf_loop_timer_cancel(cc->loop, req->timer);
		req->timer = 0;
		req->fn(req->arg, tf_msg_is_error(m) ? error : NULL, m->params);
	}
	if (final) {
		con_req_unlink(cc, req);
		free(req);
	}
}

/* ---- requests ------------------------------------------------------------ */

/* A location that never answers must not leave a dialog's promise hanging:
 * the request is reported failed and its late answer ignored. */
static int
con_req_timeout_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct con_req *req = arg;
	con_client *cc = req->cc;
	char text[128];

	TF_UNUSED(loop);
	TF_UNUSED(id);
	req->timer = 0;
	tf_warn("%s (id %llu): no answer in %d s", req->cmd,
	    (unsigned long long)req->id, CON_REPLY_TIMEOUT_MS / 1000);
	cc->ops->forget(cc->backend, req->id);
	con_req_unlink(cc, req);
	if (!req->answered && req->fn != NULL) {
		snprintf(text, sizeof text, "no answer from the location in %d s",
		    CON_REPLY_TIMEOUT_MS / 1000);
		req->fn(req->arg, text, NULL);
	}
	free(req);
	return 0;
}

static struct con_req *
con_request(con_client *cc, const char *cmd, struct con_params *p,
	    const void *bulk, size_t bulk_len, con_reply_fn fn, void *arg,
	    con_stream *s, tf_err *err)
{
	const msgpack_object *params = con_params_done(p);
	struct con_req *req;

	if (params == NULL) {
		tf_err_set(err, "%s: could not encode the request", cmd);
		return NULL;
	}
	if (cc->state == CON_REFUSED || cc->state == CON_CLOSED) {
		tf_err_set(err, "%s: not connected (%s)", cmd,
		    con_state_name(cc->state));
		return NULL;
	}
	req = tf_calloc(1, sizeof *req);
	req->cc = cc;
	snprintf(req->cmd, sizeof req->cmd, "%s", cmd);
	req->fn = fn;
	req->arg = arg;
	req->stream = s;
	req->next = cc->reqs;
	if (cc->reqs != NULL)
		cc->reqs->prev = req;
	cc->reqs = req;
	req->id = cc->ops->request(cc->backend, cmd, params, bulk, bulk_len,
	    req, err);
	if (req->id == 0) {
		con_req_unlink(cc, req);
		free(req);
		return NULL;
	}
	tf_debug("request %s id %llu", cmd, (unsigned long long)req->id);
	if (s == NULL && fn != NULL)
		req->timer = tf_loop_timer(cc->loop, CON_REPLY_TIMEOUT_MS, false,
		    con_req_timeout_cb, req);
	return req;
}

/* Sends a one-shot request and disposes of the params. */
static int
con_simple(con_client *cc, const char *cmd, struct con_params *p,
	   con_reply_fn fn, void *arg, tf_err *err)
{
	struct con_req *req = con_request(cc, cmd, p, NULL, 0, fn, arg, NULL,
	    err);

	con_params_fini(p);
	return req == NULL ? -1 : 0;
}

int
con_spawn(con_client *cc, const struct con_spawn_req *r, con_reply_fn fn,
	  void *arg, tf_err *err)
{
	struct con_params p;
	msgpack_packer *pk;
	size_t i;

	if (r->image == NULL || *r->image == '\0')
		return tf_err_set(err, "spawn: no image given");
	if (r->tag != NULL && *r->tag != '\0' && !tf_tag_valid(r->tag))
		return tf_err_set(err, "spawn: bad tag '%s' (1-64 of a-z 0-9 - _ .)",
		    r->tag);
	con_params_init(&p);
	con_params_str(&p, "image", r->image);
	if (r->node != NULL && *r->node != '\0')
		con_params_str(&p, "node", r->node);
	if (r->tag != NULL && *r->tag != '\0')
		con_params_str(&p, "tag", r->tag);
	if (r->nenv > 0) {
		pk = con_params_key(&p, "env");
		msgpack_pack_array(pk, r->nenv);
		for (i = 0; i < r->nenv; i++)
			tf_pack_str(pk, r->env[i]);
	}
	if (r->ncommand > 0) {
		pk = con_params_key(&p, "command");
		msgpack_pack_array(pk, r->ncommand);
		for (i = 0; i < r->ncommand; i++)
			tf_pack_str(pk, r->command[i]);
	}
	if (r->npreboot > 0) {
		pk = con_params_key(&p, "preboot");
		msgpack_pack_array(pk, r->npreboot);
		for (i = 0; i < r->npreboot; i++) {
			msgpack_pack_array(pk, 2);
			tf_pack_str(pk, r->preboot[i].path);
			msgpack_pack_bin(pk, r->preboot[i].len);
			msgpack_pack_bin_body(pk, r->preboot[i].data,
			    r->preboot[i].len);
		}
	}
	if (r->nvolumes > 0) {
		pk = con_params_key(&p, "volumes");
		msgpack_pack_array(pk, r->nvolumes);
		for (i = 0; i < r->nvolumes; i++) {
			msgpack_pack_array(pk, 2);
			tf_pack_str(pk, r->volumes[i].volume);
			tf_pack_str(pk, r->volumes[i].mountpoint);
		}
	}
	if (r->sleep)
		con_params_bool(&p, "sleep", true);
	return con_simple(cc, "spawn", &p, fn, arg, err);
}

static int
con_container_cmd(con_client *cc, const char *cmd, const char *container,
		  con_reply_fn fn, void *arg, tf_err *err)
{
	struct con_params p;

	con_params_init(&p);
	con_params_str(&p, "container", container);
	return con_simple(cc, cmd, &p, fn, arg, err);
}

int
con_destroy(con_client *cc, const char *container, con_reply_fn fn,
	    void *arg, tf_err *err)
{
	return con_container_cmd(cc, "destroy", container, fn, arg, err);
}

int
con_reboot(con_client *cc, const char *container, bool reset,
	   con_reply_fn fn, void *arg, tf_err *err)
{
	struct con_params p;

	con_params_init(&p);
	con_params_str(&p, "container", container);
	con_params_bool(&p, "reset", reset);
	return con_simple(cc, "reboot", &p, fn, arg, err);
}

int
con_wake(con_client *cc, const char *container, con_reply_fn fn, void *arg,
	 tf_err *err)
{
	return con_container_cmd(cc, "wake", container, fn, arg, err);
}

int
con_allow(con_client *cc, const char *container, const char *ip, bool allow,
	  con_reply_fn fn, void *arg, tf_err *err)
{
	struct con_params p;

	if (ip == NULL || *ip == '\0')
		return tf_err_set(err, "%s: no address given",
		    allow ? "allow" : "disallow");
	con_params_init(&p);
	con_params_str(&p, "container", container);
	con_params_str(&p, "ip", ip);
	return con_simple(cc, allow ? "allow" : "disallow", &p, fn, arg, err);
}

static uint64_t
con_req_id(void *arg)
{
	return ((struct con_req *)arg)->id;
}

int
con_tunnel_open(con_client *cc, const char *container, int port,
		int localport, int *localport_out, con_reply_fn fn, void *arg,
		tf_err *err)
{
	struct con_tunnel *t;
	struct con_params p;
	struct con_req *req;
	tf_uuid id;

	if (port <= 0 || port > 65535)
		return tf_err_set(err, "tunnel: port %d out of range", port);
	if (localport < 0 || localport > 65535)
		return tf_err_set(err, "tunnel: local port %d out of range",
		    localport);
	tf_uuid_make(&id);
	/* Listen first: a port in use is the most likely failure, and it
	 * is better found before the location sets anything up. */
	t = con_tunnel_new(cc, id.s, localport, con_req_id, NULL, err);
	if (t == NULL)
		return -1;
	con_params_init(&p);
	con_params_str(&p, "tunnel", id.s);
	con_params_str(&p, "container", container);
	con_params_int(&p, "port", port);
	con_params_int(&p, "localport", con_tunnel_localport(t));
	req = con_request(cc, "tunnel", &p, NULL, 0, fn, arg, NULL, err);
	con_params_fini(&p);
	if (req == NULL) {
		con_tunnel_free(&t);
		return -1;
	}
	con_tunnel_set_ref_arg(t, req);
	req->keep = true;
	req->tunnel = t;
	if (localport_out != NULL)
		*localport_out = con_tunnel_localport(t);
	return 0;
}

int
con_tunnel_close(con_client *cc, const char *tunnel, con_reply_fn fn,
		 void *arg, tf_err *err)
{
	struct con_params p;
	struct con_req *r;

	/* Ours: stop accepting now; the stream's end frees the record. */
	for (r = cc->reqs; r != NULL; r = r->next) {
		if (r->tunnel != NULL &&
		    strcmp(con_tunnel_id(r->tunnel), tunnel) == 0)
			con_tunnel_shut(r->tunnel);
	}

	con_params_init(&p);
	con_params_str(&p, "tunnel", tunnel);
	return con_simple(cc, "tunnel_close", &p, fn, arg, err);
}

int
con_vol_create(con_client *cc, const char *node, const char *tag,
	       con_reply_fn fn, void *arg, tf_err *err)
{
	struct con_params p;

	if (tag != NULL && *tag != '\0' && !tf_tag_valid(tag))
		return tf_err_set(err, "volume: bad tag '%s'", tag);
	con_params_init(&p);
	if (node != NULL && *node != '\0')
		con_params_str(&p, "node", node);
	if (tag != NULL && *tag != '\0')
		con_params_str(&p, "tag", tag);
	return con_simple(cc, "vol_create", &p, fn, arg, err);
}

int
con_vol_op(con_client *cc, const char *op, const char *volume,
	   con_reply_fn fn, void *arg, tf_err *err)
{
	struct con_params p;

	if (strcmp(op, "vol_destroy") != 0 && strcmp(op, "vol_snapshot") != 0 &&
	    strcmp(op, "vol_rollback") != 0)
		return tf_err_set(err, "unknown volume operation %s", op);
	con_params_init(&p);
	con_params_str(&p, "volume", volume);
	return con_simple(cc, op, &p, fn, arg, err);
}

/* ---- streams ------------------------------------------------------------ */

con_stream *
con_logs(con_client *cc, const char *container,
	 const struct con_stream_ops *ops, void *arg, tf_err *err)
{
	con_stream *s = tf_calloc(1, sizeof *s);
	struct con_params p;

	s->cc = cc;
	s->ops = ops;
	s->arg = arg;
	snprintf(s->container, sizeof s->container, "%s", container);
	con_params_init(&p);
	con_params_str(&p, "container", container);
	s->req = con_request(cc, "logs", &p, NULL, 0, NULL, NULL, s, err);
	con_params_fini(&p);
	if (s->req == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

con_stream *
con_proc(con_client *cc, const char *container, const char *command,
	 const char *const *argv, size_t argc, bool tty, int rows, int cols,
	 const struct con_stream_ops *ops, void *arg, tf_err *err)
{
	con_stream *s;
	struct con_params p;
	msgpack_packer *pk;
	tf_model_proc rec;
	tf_uuid id;
	size_t i, used = 0;

	if ((command == NULL || *command == '\0') && argc == 0) {
		tf_err_set(err, "run: no command given");
		return NULL;
	}
	s = tf_calloc(1, sizeof *s);
	s->cc = cc;
	s->ops = ops;
	s->arg = arg;
	s->is_proc = true;
	s->tty = tty;
	tf_uuid_make(&id);
	snprintf(s->process, sizeof s->process, "%s", id.s);
	snprintf(s->container, sizeof s->container, "%s", container);

	memset(&rec, 0, sizeof rec);
	snprintf(rec.id, sizeof rec.id, "%s", id.s);
	snprintf(rec.container, sizeof rec.container, "%s", container);
	rec.tty = tty;
	rec.state = TF_PROC_STARTING;
	rec.exit_code = rec.signal = -1;
	rec.started = tf_wall_time();

	con_params_init(&p);
	con_params_str(&p, "container", container);
	con_params_str(&p, "process", id.s);
	if (argc > 0) {
		pk = con_params_key(&p, "argv");
		msgpack_pack_array(pk, argc);
		for (i = 0; i < argc; i++) {
			tf_pack_str(pk, argv[i]);
			if (used < sizeof rec.command)
				used += (size_t)snprintf(rec.command + used,
				    sizeof rec.command - used, "%s%s",
				    i ? " " : "", argv[i]);
		}
	} else {
		con_params_str(&p, "command", command);
		snprintf(rec.command, sizeof rec.command, "%s", command);
	}
	con_params_bool(&p, "tty", tty);
	con_params_int(&p, "rows", rows > 0 ? rows : 24);
	con_params_int(&p, "cols", cols > 0 ? cols : 80);
	con_params_str(&p, "term", tty ? "xterm-256color" : "dumb");
	s->req = con_request(cc, "proc", &p, NULL, 0, NULL, NULL, s, err);
	con_params_fini(&p);
	if (s->req == NULL) {
		free(s);
		return NULL;
	}
	tf_model_proc_set(cc->model, &rec);
	return s;
}

const char *
con_stream_process(const con_stream *s)
{
	return s->process;
}

const char *
con_stream_container(const con_stream *s)
{
	return s->container;
}

bool
con_stream_ended(const con_stream *s)
{
	return s->ended;
}

static int
con_stream_send(con_stream *s, const char *cmd, struct con_params *p,
		const void *bulk, size_t len)
{
	const msgpack_object *params;
	int rc = -1;

	if (!s->ended && (params = con_params_done(p)) != NULL)
		rc = s->cc->ops->send(s->cc->backend, cmd, params, bulk, len);
	con_params_fini(p);
	return rc;
}

static void
con_stream_params(con_stream *s, struct con_params *p)
{
	con_params_init(p);
	con_params_str(p, "container", s->container);
	con_params_str(p, "process", s->process);
}

int
con_stream_write(con_stream *s, const void *data, size_t len)
{
	struct con_params p;

	if (!s->is_proc)
		return -1;
	con_stream_params(s, &p);
	return con_stream_send(s, "proc_stdin", &p, data, len);
}

int
con_stream_close_stdin(con_stream *s)
{
	struct con_params p;

	if (!s->is_proc)
		return -1;
	con_stream_params(s, &p);
	con_params_bool(&p, "close", true);
	return con_stream_send(s, "proc_stdin", &p, NULL, 0);
}

int
con_stream_resize(con_stream *s, int rows, int cols)
{
	struct con_params p;

	if (!s->is_proc)
		return -1;
	con_stream_params(s, &p);
	con_params_int(&p, "rows", rows);
	con_params_int(&p, "cols", cols);
	return con_stream_send(s, "proc_resize", &p, NULL, 0);
}

int
con_stream_signal(con_stream *s, int sig)
{
	struct con_params p;

	if (!s->is_proc)
		return -1;
	con_stream_params(s, &p);
	con_params_int(&p, "signal", sig);
	return con_stream_send(s, "proc_kill", &p, NULL, 0);
}

void
con_stream_close(con_stream **s_p)
{
	con_stream *s = *s_p;
	struct con_params p;

	if (s == NULL)
		return;
	*s_p = NULL;
	s->ops = NULL;
	if (s->ended) {
		free(s);
		return;
	}
	/* Keep the record until the final answer so the process view and
	 * the request list stay exact; only the callbacks stop now. */
	s->closed = true;
	if (s->is_proc)
		con_stream_signal(s, SIGHUP);
	else if (s->req != NULL) {
		con_params_init(&p);
		con_params_int(&p, "ref", (int64_t)s->req->id);
		con_stream_send(s, "unsub", &p, NULL, 0);
	}
}

const char *
con_describe_container(const tf_model_container *c, char *buf, size_t size)
{
	if (c->tag[0] != '\0')
		snprintf(buf, size, "%.8s:%s", c->id, c->tag);
	else
		snprintf(buf, size, "%.8s", c->id);
	return buf;
}

int
con_proc_kill(con_client *cc, const char *container, const char *process,
	      int sig)
{
	struct con_params p;
	const msgpack_object *params;
	int rc = -1;

	con_params_init(&p);
	con_params_str(&p, "container", container);
	con_params_str(&p, "process", process);
	con_params_int(&p, "signal", sig);
	if (cc->state == CON_UP && (params = con_params_done(&p)) != NULL)
		rc = cc->ops->send(cc->backend, "proc_kill", params, NULL, 0);
	con_params_fini(&p);
	return rc;
}

void
con_stream_set_manual_ack(con_stream *s, bool manual)
{
	s->manual_ack = manual;
}

void
con_stream_ack(con_stream *s, size_t bytes)
{
	struct con_params p;

	if (s->req == NULL || bytes == 0)
		return;
	con_params_init(&p);
	con_params_int(&p, "ref", (int64_t)s->req->id);
	con_params_int(&p, "bytes", (int64_t)bytes);
	con_stream_send(s, "ack", &p, NULL, 0);
}

int
con_client_send_params(con_client *cc, const char *cmd, struct con_params *p,
		       const void *bulk, size_t len)
{
	const msgpack_object *params = con_params_done(p);
	int rc = -1;

	if (params != NULL && cc->backend != NULL)
		rc = cc->ops->send(cc->backend, cmd, params, bulk, len);
	con_params_fini(p);
	return rc;
}
