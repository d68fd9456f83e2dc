/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_async: the SDK for event-driven programs (tf.h "Event-driven
 * programs"): calls that name objects by id, return at once and report
 * through a callback from the loop, and streams of console or process
 * output.  This file owns what they share: the list of calls waiting for
 * an answer (so every callback runs exactly once: answered, timed out, or
 * "connection closed" when the location goes), stream state and credit
 * acks, and the model's records of processes started here.  Messages are
 * docs/PROTOCOL.md "Client -> location"; a spawn is packed as
 * tf_node_spawn packs it, a tunnel relayed as tf_container_attach_tunnel
 * relays it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_codec_firewall.h"
#include "tf_codec_web.h"
#include "tf_codec_flow.h"
#include "tf_codec_proc.h"
#include "tf_codec_stream.h"
#include "tf_codec_tunnel.h"
#include "tf_codec_vol.h"
#include "tf_sdk_private.h"

struct sdk_async {
	tf_location *loc;
	uint64_t id;
	char cmd[TF_CMD_MAX];
	tf_done_fn fn;			/* one-shot calls */
	void *arg;
	tf_stream *stream;		/* stream calls */
	bool answered;
	uint64_t timer;			/* no-answer timeout, 0 none */
	struct sdk_async *prev, *next;
};

struct tf_stream {
	tf_location *loc;
	struct sdk_async *req;		/* NULL once the stream ended */
	const tf_stream_ops *ops;	/* NULL once the owner closed */
	void *arg;
	bool is_proc;
	bool ended;
	bool closed;
	bool manual_ack;
	char container[TF_MODEL_ID];
	char process[TF_MODEL_ID];
};

static void
sdk_async_unlink(struct sdk_async *a)
{
	tf_location *loc = a->loc;

	tf_loop_timer_cancel(loc->loop, a->timer);
	a->timer = 0;
	if (a->prev != NULL)
		a->prev->next = a->next;
	else
		loc->asyncs = a->next;
	if (a->next != NULL)
		a->next->prev = a->prev;
	a->prev = a->next = NULL;
}

/* Process records follow the stream so a processes view stays true. */
static void
sdk_stream_model(tf_stream *s, tf_model_proc_state st, const char *error,
		 int64_t exit_code, int64_t sig)
{
	const tf_model_proc *old;
	tf_model_proc p;

	if (!s->is_proc)
		return;
	old = tf_model_proc_find(s->loc->model, s->process);
	if (old == NULL)
		return;
	p = *old;
	p.state = st;
	if (error != NULL)
		snprintf(p.error, sizeof p.error, "%s", error);
	p.exit_code = exit_code;
	p.signal = sig;
	tf_model_proc_set(s->loc->model, &p);
}

static void
sdk_stream_finish(tf_stream *s, const char *error, int64_t exit_code,
		  int64_t sig)
{
	s->ended = true;
	sdk_stream_model(s, error ? TF_PROC_FAILED : TF_PROC_EXITED, error,
	    exit_code, sig);
	if (s->ops != NULL && s->ops->end != NULL)
		s->ops->end(s->arg, error, exit_code, sig);
	if (s->closed)
		free(s);
}

void
sdk_async_close_all(tf_location *loc)
{
	struct sdk_async *a;

	while ((a = loc->asyncs) != NULL) {
		sdk_async_unlink(a);
		if (a->stream != NULL) {
			a->stream->req = NULL;
			sdk_stream_finish(a->stream, "connection closed", -1, -1);
		} else if (a->fn != NULL && !a->answered)
			a->fn(a->arg, "connection closed", NULL);
		free(a);
	}
}

static void
sdk_stream_item(tf_stream *s, const tf_msg *m)
{
	tf_item_msg it;

	/* Credit: consumed at once, unless the owner acks what it used. */
	if (m->bulk != NULL && m->bulk_len > 0 && s->req != NULL &&
	    (!s->manual_ack || s->ops == NULL))
		sdk_ack(s->loc, s->req->id, m->bulk_len, -1);
	/* A malformed item still delivers its bytes, as stdout. */
	(void)tf_item_unpack(m->params, &it, NULL);	/* zeroed if not */
	if (it.fd == 0)
		it.fd = 1;
	if (it.event != NULL && strcmp(it.event, "started") == 0) {
		sdk_stream_model(s, TF_PROC_RUNNING, NULL, -1, -1);
		if (s->ops != NULL && s->ops->started != NULL)
			s->ops->started(s->arg);
	}
	if (it.dropped > 0 && s->ops != NULL && s->ops->dropped != NULL)
		s->ops->dropped(s->arg, (uint64_t)it.dropped);
	if (m->bulk != NULL && m->bulk_len > 0 && s->ops != NULL &&
	    s->ops->data != NULL)
		s->ops->data(s->arg, (int)it.fd, m->bulk, m->bulk_len);
	tf_item_free(&it);
}

static void
sdk_async_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	struct sdk_async *a = arg;
	char error[TF_ERR_LEN] = "request failed";
	int64_t exit_code = -1, sig = -1;
	tf_stream *s = a->stream;
	tf_item_msg it;
	bool failed = sdk_msg_error(m, error, sizeof error);

	TF_UNUSED(conn);
	if (s != NULL) {
		if (tf_msg_is_stream(m)) {
			sdk_stream_item(s, m);
			return;
		}
		if (tf_item_unpack(m->params, &it, NULL) == 0) {
			if (TF_HAS(&tf_item_codec, &it, exit_code)) {
				exit_code = it.exit_code;
				sig = it.signal;
			}
			tf_item_free(&it);
		}
		sdk_async_unlink(a);
		s->req = NULL;
		free(a);
		sdk_stream_finish(s, failed ? error : NULL, exit_code, sig);
		return;
	}
	if (!a->answered && a->fn != NULL) {
		a->answered = true;
		tf_loop_timer_cancel(a->loc->loop, a->timer);
		a->timer = 0;
		a->fn(a->arg, failed ? error : NULL, m->params);
	}
	if (!tf_msg_is_stream(m)) {
		sdk_async_unlink(a);
		free(a);
	}
}

/* A location that never answers must not leave a caller's promise
 * hanging: the call is reported failed and its late answer ignored. */
static int
sdk_async_timeout_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct sdk_async *a = arg;
	char text[128];

	TF_UNUSED(loop);
	TF_UNUSED(id);
	a->timer = 0;
	tf_warn("%s (id %llu): no answer in %d s", a->cmd,
	    (unsigned long long)a->id, SDK_CALL_TIMEOUT_MS / 1000);
	sdk_forget(a->loc, a->id);
	sdk_async_unlink(a);
	if (!a->answered && a->fn != NULL) {
		snprintf(text, sizeof text, "no answer from the location in %d s",
		    SDK_CALL_TIMEOUT_MS / 1000);
		a->fn(a->arg, text, NULL);
	}
	free(a);
	return 0;
}

/* Sends o (consumed) as a call; NULL (err) when it could not go. */
static struct sdk_async *
sdk_async_send(tf_location *loc, tf_out *o, tf_done_fn fn, void *arg,
	       tf_stream *s, tf_err *err)
{
	struct sdk_async *a;

	if (sdk_check(loc, err) != 0) {
		tf_err_set(err, "%s: not connected (%s)", o->cmd,
		    tf_status_name(tf_location_status(loc)));
		tf_out_fini(o);
		return NULL;
	}
	a = tf_calloc(1, sizeof *a);
	a->loc = loc;
	snprintf(a->cmd, sizeof a->cmd, "%s", o->cmd);
	a->fn = fn;
	a->arg = arg;
	a->stream = s;
	a->next = loc->asyncs;
	if (loc->asyncs != NULL)
		loc->asyncs->prev = a;
	loc->asyncs = a;
	a->id = sdk_request(loc, o, NULL, 0, sdk_async_cb, a);
	if (a->id == 0) {
		tf_err_set(err, "%s: not sent (connection %s)", a->cmd,
		    tf_status_name(tf_location_status(loc)));
		sdk_async_unlink(a);
		free(a);
		return NULL;
	}
	tf_debug("request %s id %llu", a->cmd,
	    (unsigned long long)a->id);
	if (s == NULL && fn != NULL)
		a->timer = tf_loop_timer(loc->loop, SDK_CALL_TIMEOUT_MS, false,
		    sdk_async_timeout_cb, a);
	return a;
}

static int
sdk_async_simple(tf_location *loc, tf_out *o, tf_done_fn fn, void *arg,
		 tf_err *err)
{
	return sdk_async_send(loc, o, fn, arg, NULL, err) == NULL ? -1 : 0;
}

/* ---- one-shot calls ------------------------------------------------------ */

int
tf_async_spawn(tf_location *loc, const char *node, const char *image,
	       const tf_spawn_opts *opts, tf_done_fn fn, void *arg,
	       tf_err *err)
{
	tf_spawn_opts def;
	tf_out o;

	if (opts == NULL) {
		memset(&def, 0, sizeof def);
		opts = &def;
	}
	if (image == NULL || *image == '\0')
		return tf_err_set(err, "spawn: no image given");
	if (sdk_spawn_validate(opts, err) != 0)
		return -1;
	sdk_spawn_pack(&o, node, image, opts);
	return sdk_async_simple(loc, &o, fn, arg, err);
}

static int
sdk_async_container(tf_location *loc, const char *cmd, const char *container,
		    tf_done_fn fn, void *arg, tf_err *err)
{
	tf_out o;

	tf_out_init(&o, cmd);
	tf_out_str(&o, "container", container);
	return sdk_async_simple(loc, &o, fn, arg, err);
}

int
tf_async_destroy(tf_location *loc, const char *container, tf_done_fn fn,
		 void *arg, tf_err *err)
{
	return sdk_async_container(loc, "destroy", container, fn, arg, err);
}

int
tf_async_wake(tf_location *loc, const char *container, tf_done_fn fn,
	      void *arg, tf_err *err)
{
	return sdk_async_container(loc, "wake", container, fn, arg, err);
}

int
tf_async_ctr_spec(tf_location *loc, const char *container, tf_done_fn fn,
		  void *arg, tf_err *err)
{
	return sdk_async_container(loc, "ctr_spec", container, fn, arg, err);
}

int
tf_async_reboot(tf_location *loc, const char *container, bool reset,
		tf_done_fn fn, void *arg, tf_err *err)
{
	tf_out o;

	tf_out_init(&o, "reboot");
	tf_out_str(&o, "container", container);
	tf_out_bool(&o, "reset", reset);
	return sdk_async_simple(loc, &o, fn, arg, err);
}

int
tf_async_cluster_member(tf_location *loc, const char *cluster,
			const char *container, bool add, tf_done_fn fn,
			void *arg, tf_err *err)
{
	tf_out o;

	tf_out_init(&o, add ? "web_add" : "web_remove");
	tf_web_pack(&(tf_web_msg){ .cluster = cluster,
	    .container = container }, &o);
	return sdk_async_simple(loc, &o, fn, arg, err);
}

int
tf_async_allow(tf_location *loc, const char *container, const char *ip,
	       bool allow, tf_done_fn fn, void *arg, tf_err *err)
{
	tf_out o;

	if (ip == NULL || *ip == '\0')
		return tf_err_set(err, "%s: no address given",
		    allow ? "allow" : "disallow");
	tf_out_init(&o, allow ? "allow" : "disallow");
	tf_allow_pack(&(tf_allow_msg){ .container = container, .ip = ip }, &o);
	return sdk_async_simple(loc, &o, fn, arg, err);
}

int
tf_async_tunnel_open(tf_location *loc, const char *container, int port,
		     int localport, int *localport_out, tf_done_fn fn,
		     void *arg, tf_err *err)
{
	tf_container *c;
	tf_tunnel *t;

	if (port <= 0 || port > 65535)
		return tf_err_set(err, "tunnel: port %d out of range", port);
	if (localport < 0 || localport > 65535)
		return tf_err_set(err, "tunnel: local port %d out of range",
		    localport);
	if (sdk_check(loc, err) != 0)
		return -1;
	if ((c = sdk_container_for_id(loc, container, err)) == NULL)
		return -1;
	t = sdk_tunnel_open_async(c, port, localport, fn, arg, err);
	if (t == NULL)
		return -1;
	if (localport_out != NULL)
		*localport_out = t->localport;
	return 0;
}

int
tf_async_tunnel_close(tf_location *loc, const char *tunnel, tf_done_fn fn,
		      void *arg, tf_err *err)
{
	tf_tunnel *t = sdk_tunnel_by_id(loc, tunnel);
	tf_out o;

	/* Ours: stop accepting now; the location ends the rest. */
	if (t != NULL)
		sdk_tunnel_stop(t);
	tf_out_init(&o, "tunnel_close");
	tf_tunnel_pack(&(tf_tunnel_msg){ .tunnel = tunnel }, &o);
	return sdk_async_simple(loc, &o, fn, arg, err);
}

int
tf_async_volume_create(tf_location *loc, const char *node, const char *tag,
		       tf_done_fn fn, void *arg, tf_err *err)
{
	tf_out o;

	if (tag != NULL && *tag != '\0' && !tf_tag_valid(tag))
		return tf_err_set(err, "volume: bad tag '%s'", tag);
	tf_out_init(&o, "vol_create");
	tf_vol_pack(&(tf_vol_msg){ .node = node,
	    .tag = tag != NULL && *tag != '\0' ? tag : NULL }, &o);
	return sdk_async_simple(loc, &o, fn, arg, err);
}

int
tf_async_volume(tf_location *loc, tf_volume_op op, const char *volume,
		tf_done_fn fn, void *arg, tf_err *err)
{
	static const char *const cmds[] = {
		[TF_VOLUME_DESTROY] = "vol_destroy",
		[TF_VOLUME_SNAPSHOT] = "vol_snapshot",
		[TF_VOLUME_ROLLBACK] = "vol_rollback",
	};
	tf_out o;

	if ((unsigned)op > TF_VOLUME_ROLLBACK)
		return tf_err_set(err, "unknown volume operation %d", (int)op);
	tf_out_init(&o, cmds[op]);
	tf_vol_pack(&(tf_vol_msg){ .volume = volume }, &o);
	return sdk_async_simple(loc, &o, fn, arg, err);
}

int
tf_async_kill(tf_location *loc, const char *container, const char *process,
	      int sig)
{
	tf_out o;

	if (tf_location_status(loc) != TF_STATUS_UP)
		return -1;
	tf_out_init(&o, "proc_kill");
	tf_proc_pack(&(tf_proc_msg){ .container = container,
	    .process = process, .signal = sig }, &o);
	return sdk_send(loc, &o, NULL, 0);
}

/* ---- streams -------------------------------------------------------------- */

tf_stream *
tf_stream_logs(tf_location *loc, const char *container,
	       const tf_stream_ops *ops, void *arg, tf_err *err)
{
	tf_stream *s = tf_calloc(1, sizeof *s);
	tf_out o;

	s->loc = loc;
	s->ops = ops;
	s->arg = arg;
	snprintf(s->container, sizeof s->container, "%s", container);
	tf_out_init(&o, "logs");
	tf_out_str(&o, "container", container);
	s->req = sdk_async_send(loc, &o, NULL, NULL, s, err);
	if (s->req == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

tf_stream *
tf_stream_process(tf_location *loc, const char *container,
		  const char *command, const char *const *argv, size_t argc,
		  bool tty, int rows, int cols, const tf_stream_ops *ops,
		  void *arg, tf_err *err)
{
	tf_stream *s;
	tf_model_proc rec;
	tf_proc_msg pm;
	tf_uuid id;
	tf_out o;

	if ((command == NULL || *command == '\0') && argc == 0) {
		tf_err_set(err, "run: no command given");
		return NULL;
	}
	s = tf_calloc(1, sizeof *s);
	s->loc = loc;
	s->ops = ops;
	s->arg = arg;
	s->is_proc = true;
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

	/* The same request as tf_container_spawn_*, with the console's
	 * terminal always described. */
	sdk_proc_msg_init(&pm, container, id.s, argc > 0 ? NULL : command,
	    argv, argc, rec.command, sizeof rec.command);
	pm.tty = tty;
	pm.rows = rows > 0 ? rows : 24;
	pm.cols = cols > 0 ? cols : 80;
	pm.term = tty ? "xterm-256color" : "dumb";
	TF_SET(&tf_proc_codec, &pm, tty);
	TF_SET(&tf_proc_codec, &pm, rows);
	TF_SET(&tf_proc_codec, &pm, cols);
	if (tty)
		pm.window = SDK_TTY_WINDOW;
	tf_out_init(&o, "proc");
	tf_proc_pack(&pm, &o);
	s->req = sdk_async_send(loc, &o, NULL, NULL, s, err);
	if (s->req == NULL) {
		free(s);
		return NULL;
	}
	tf_model_proc_set(loc->model, &rec);
	return s;
}

const char *
tf_stream_process_id(const tf_stream *s)
{
	return s->process;
}

const char *
tf_stream_container(const tf_stream *s)
{
	return s->container;
}

bool
tf_stream_ended(const tf_stream *s)
{
	return s->ended;
}

/* A message about the stream's process (no answer); consumes o. */
static int
sdk_stream_send(tf_stream *s, tf_out *o, const void *bulk, size_t len)
{
	if (s->ended) {
		tf_out_fini(o);
		return -1;
	}
	return sdk_send(s->loc, o, bulk, len);
}

/* A proc_* message about the stream's process, with pm's other fields;
 * -1 for a logs stream. */
static int
sdk_stream_proc_send(tf_stream *s, const char *cmd, tf_proc_msg *pm,
		     const void *bulk, size_t len)
{
	tf_out o;

	if (!s->is_proc)
		return -1;
	pm->container = s->container;
	pm->process = s->process;
	tf_out_init(&o, cmd);
	tf_proc_pack(pm, &o);
	if (strcmp(cmd, "proc_stdin") == 0) {
		if (s->ended) {
			tf_out_fini(&o);
			return -1;
		}
		return sdk_send_stdin(s->loc, s->container, s->process, &o,
		    bulk, len);
	}
	return sdk_stream_send(s, &o, bulk, len);
}

int
tf_stream_write(tf_stream *s, const void *data, size_t len)
{
	return sdk_stream_proc_send(s, "proc_stdin", &(tf_proc_msg){ 0 },
	    data, len);
}

int
tf_stream_close_stdin(tf_stream *s)
{
	return sdk_stream_proc_send(s, "proc_stdin",
	    &(tf_proc_msg){ .close = true }, NULL, 0);
}

int
tf_stream_resize(tf_stream *s, int rows, int cols)
{
	tf_proc_msg pm = { .rows = rows, .cols = cols };

	TF_SET(&tf_proc_codec, &pm, rows);
	TF_SET(&tf_proc_codec, &pm, cols);
	return sdk_stream_proc_send(s, "proc_resize", &pm, NULL, 0);
}

int
tf_stream_signal(tf_stream *s, int sig)
{
	return sdk_stream_proc_send(s, "proc_kill",
	    &(tf_proc_msg){ .signal = sig }, NULL, 0);
}

void
tf_stream_set_manual_ack(tf_stream *s, bool manual)
{
	s->manual_ack = manual;
}

void
tf_stream_ack(tf_stream *s, size_t bytes)
{
	if (s->req == NULL || bytes == 0 || s->ended)
		return;
	sdk_ack(s->loc, s->req->id, bytes, -1);
}

void
tf_stream_close(tf_stream **s_p)
{
	tf_stream *s = *s_p;
	tf_out o;

	if (s == NULL)
		return;
	*s_p = NULL;
	s->ops = NULL;
	if (s->ended) {
		free(s);
		return;
	}
	/* Keep the record until the final answer so the process records and
	 * the list of calls stay exact; only the callbacks stop now. */
	s->closed = true;
	if (s->is_proc)
		tf_stream_signal(s, SIGHUP);
	else if (s->req != NULL) {
		tf_out_init(&o, "unsub");
		tf_flow_pack(&(tf_flow_msg){ .ref = (int64_t)s->req->id }, &o);
		sdk_stream_send(s, &o, NULL, 0);
	}
}
