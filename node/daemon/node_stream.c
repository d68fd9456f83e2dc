/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_stream: the long-lived answers a node sends: container logs and
 * process output, each under the id of the request that opened it.
 *
 * Credit (docs/PROTOCOL.md): the receiver acks what it consumed; a stream
 * holds at most NODE_WINDOW unacknowledged bytes.  Logs are never allowed
 * to slow a container down, so output beyond the window is dropped and the
 * next item says how much (`dropped`).  A process is held back instead:
 * the node reads its pipes or pty only as far as the credit allows (the
 * window less what is unacknowledged), so a flooding process blocks on its
 * own pty, as under a local terminal, with never more than the window in
 * flight.  An interactive client asks for a small window (`window` in
 * `proc`): what is in flight is what a Ctrl-C still has to show.
 *
 * Streams are marked dead and freed before sleep, so a callback may end
 * one safely; timers find their stream by pointer only while it is alive
 * (a dead stream's timer is cancelled when it is freed).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "tf_codec_flow.h"
#include "tf_codec_proc.h"
#include "tf_codec_stream.h"
#include "tf_log.h"

#define KILL_GRACE_MS 2000

static struct node_stream *
stream_new(struct node *n, enum node_stream_kind kind, uint64_t id,
	   const char *ctr_id, const char *proc_id)
{
	struct node_stream *s = tf_calloc(1, sizeof *s);

	s->node = n;
	s->kind = kind;
	s->id = id;
	snprintf(s->ctr, sizeof s->ctr, "%s", ctr_id);
	if (proc_id != NULL)
		snprintf(s->proc, sizeof s->proc, "%s", proc_id);
	s->next = n->streams;
	n->streams = s;
	return s;
}

static struct node_stream *
stream_by_id(struct node *n, uint64_t id)
{
	struct node_stream *s;

	for (s = n->streams; s != NULL; s = s->next) {
		if (!s->dead && s->id == id)
			return s;
	}
	return NULL;
}

/* The process of a process stream, while its container and it exist. */
static proc *
stream_proc(struct node *n, const struct node_stream *s)
{
	ctr *c;

	if (s->kind != NODE_STREAM_PROC)
		return NULL;
	c = ctr_find(n->ctrs, s->ctr);
	return c != NULL ? proc_find(c, s->proc) : NULL;
}

/* Nobody can hear the stream's process any more: it goes. */
static void
stream_proc_drop(struct node *n, const struct node_stream *s)
{
	proc *p = stream_proc(n, s);

	if (p != NULL) {
		proc_set_events(p, NULL, NULL);
		proc_pause(p, false);
		proc_set_credit(p, SIZE_MAX);
		proc_kill(p, SIGKILL);
	}
}

static void
stream_end(struct node *n, struct node_stream *s)
{
	if (s->dead)
		return;
	node_reply(n, s->id, NULL, NULL, 0);
	s->dead = true;
}

void
node_streams_reap(struct node *n)
{
	struct node_stream **pp = &n->streams, *s;

	while ((s = *pp) != NULL) {
		if (s->dead) {
			*pp = s->next;
			tf_loop_timer_cancel(n->loop, s->kill_timer);
			free(s);
		} else {
			pp = &s->next;
		}
	}
}

void
node_streams_free(struct node *n)
{
	struct node_stream *s;

	while ((s = n->streams) != NULL) {
		n->streams = s->next;
		if (n->loop != NULL)
			tf_loop_timer_cancel(n->loop, s->kill_timer);
		free(s);
	}
}

/* --- logs -------------------------------------------------------------- */

/* One item of a logs stream; at is the offset of its first byte in all
 * the container's console output (docs/PROTOCOL.md, `logs`). */
static void
logs_send(struct node *n, struct node_stream *s, int fd, const uint8_t *data,
	  size_t len, uint64_t at)
{
	tf_item_msg item;
	tf_out o;

	if (s->unacked + len > NODE_WINDOW) {
		s->dropped += len;
		return;
	}
	item = (tf_item_msg){ .fd = fd, .at = (int64_t)at,
	    .dropped = (int64_t)s->dropped };
	TF_SET(&tf_item_codec, &item, at);
	tf_out_init(&o, TF_STREAM);
	tf_item_pack(&item, &o);
	if (node_stream_item(n, s->id, &o, data, len) == 0) {
		s->unacked += len;
		s->dropped = 0;
	} else {
		s->dropped += len;
	}
}

struct backlog_ctx {
	struct node *n;
	struct node_stream *s;
	uint64_t at;			/* offset of the next record */
	uint64_t skip;			/* the client has what lies before */
};

static void
backlog_one(int fd, const uint8_t *data, size_t len, void *arg)
{
	struct backlog_ctx *b = arg;
	uint64_t at = b->at;

	b->at += len;
	if (at + len <= b->skip)
		return;
	if (at < b->skip) {
		data += b->skip - at;
		len -= (size_t)(b->skip - at);
		at = b->skip;
	}
	logs_send(b->n, b->s, fd, data, len, at);
}

/* logs {container, skip?}: what the ring holds from offset skip on (a
 * console that reattaches after the location restarted has the rest),
 * then everything new. */
int
node_cmd_logs(struct node *n, const tf_msg *m, tf_err *err)
{
	struct backlog_ctx b;
	ctr *c = node_ctr_lookup(n, m, err);
	int64_t skip = 0;

	if (c == NULL)
		return -1;
	if (m->id == 0)
		return tf_err_set(err, "logs needs a request id for its stream");
	if (tf_msg_int(m, "skip", &skip, 0, INT64_MAX, false, err) < 0)
		return -1;
	b.n = n;
	b.s = stream_new(n, NODE_STREAM_LOGS, m->id, ctr_id(c), NULL);
	b.at = ctr_ring_dropped(ctr_backlog(c));
	b.skip = (uint64_t)skip;
	ctr_ring_foreach(ctr_backlog(c), backlog_one, &b);
	return 0;
}

void
node_streams_output(struct node *n, ctr *c, int fd, const uint8_t *data,
		    size_t len)
{
	struct node_stream *s;
	/* The ring has it already (ctr_container.c writes it first). */
	uint64_t at = ctr_ring_total(ctr_backlog(c)) - len;

	for (s = n->streams; s != NULL; s = s->next) {
		if (!s->dead && s->kind == NODE_STREAM_LOGS &&
		    strcmp(s->ctr, ctr_id(c)) == 0)
			logs_send(n, s, fd, data, len, at);
	}
}

void
node_streams_ctr_gone(struct node *n, ctr *c)
{
	struct node_stream *s;

	for (s = n->streams; s != NULL; s = s->next) {
		if (s->dead || strcmp(s->ctr, ctr_id(c)) != 0)
			continue;
		if (s->kind == NODE_STREAM_PROC) {
			proc *p = proc_find(c, s->proc);

			/* Its exit may still be in flight: nobody will
			 * hear it now. */
			if (p != NULL)
				proc_set_events(p, NULL, NULL);
			node_reply_error(n, s->id, "the container was destroyed");
			s->dead = true;
		} else {
			stream_end(n, s);
		}
	}
}

/* --- processes ----------------------------------------------------------- */

/* The pid as the container sees it (last field of NSpid). */
static long
proc_ns_pid(pid_t pid)
{
	char path[64], *status, *line, *last;
	long v = pid;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	status = tf_read_file(path, NULL, 1 << 16);
	if (status == NULL)
		return pid;
	line = strstr(status, "\nNSpid:");
	if (line != NULL) {
		line += 7;
		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, '\t');
		if (last == NULL)
			last = strrchr(line, ' ');
		if (last != NULL)
			v = strtol(last + 1, NULL, 10);
	}
	free(status);
	return v;
}

static void
proc_started_cb(proc *p, void *arg)
{
	struct node_stream *s = arg;
	tf_out o;

	tf_out_init(&o, TF_STREAM);
	tf_item_pack(&(tf_item_msg){ .event = "started",
	    .pid = proc_ns_pid(proc_pid(p)) }, &o);
	node_stream_item(s->node, s->id, &o, NULL, 0);
}

static void
proc_output_cb(proc *p, int fd, const uint8_t *data, size_t len, void *arg)
{
	struct node_stream *s = arg;
	tf_out o;

	tf_out_init(&o, TF_STREAM);
	tf_item_pack(&(tf_item_msg){ .fd = fd }, &o);
	(void)p;
	node_stream_item(s->node, s->id, &o, data, len);
	s->unacked += len;
}

static void
proc_exited_cb(proc *p, int exit_code, int sig, const char *error, void *arg)
{
	struct node_stream *s = arg;
	tf_item_msg item = { .exit_code = exit_code };
	tf_out o;

	(void)p;
	TF_SET(&tf_item_codec, &item, exit_code);
	if (error != NULL && error[0] != '\0') {
		tf_out_init(&o, TF_ERROR_REPLY);
		tf_out_str(&o, "error", error);
		tf_item_pack(&item, &o);
		if (s->id != 0)
			tf_conn_reply(s->node->conn, s->id, TF_ERROR_REPLY, &o,
			    NULL, 0);
		else
			tf_out_fini(&o);
	} else {
		item.signal = sig;
		tf_out_init(&o, TF_REPLY);
		tf_item_pack(&item, &o);
		node_reply(s->node, s->id, &o, NULL, 0);
	}
	s->dead = true;
}

static const proc_events node_proc_events = {
	proc_started_cb, proc_output_cb, proc_exited_cb,
};

int
node_cmd_proc(struct node *n, const tf_msg *m, tf_err *err)
{
	struct node_stream *s;
	tf_proc_msg pm;
	proc_spec ps;
	proc *p;
	ctr *c;

	if (tf_proc_unpack(m->params, &pm, err) != 0)
		return -1;
	c = node_ctr_by_id(n, pm.container, err);
	if (c == NULL) {
		tf_proc_free(&pm);
		return -1;
	}
	if (m->id == 0) {
		tf_proc_free(&pm);
		return tf_err_set(err, "proc needs a request id for its stream");
	}
	memset(&ps, 0, sizeof ps);
	ps.id = pm.process;
	ps.argv = pm.argv;
	ps.command = pm.command[0] != '\0' ? pm.command : NULL;
	ps.env = pm.env;
	ps.tty = pm.tty;
	ps.rows = (unsigned)pm.rows;
	ps.cols = (unsigned)pm.cols;
	ps.term = pm.term[0] != '\0' ? pm.term : NULL;

	s = stream_new(n, NODE_STREAM_PROC, m->id, ctr_id(c), pm.process);
	s->window = pm.window > 0 && pm.window < NODE_WINDOW ?
	    (uint64_t)pm.window : NODE_WINDOW;
	p = proc_start(c, &ps, &node_proc_events, s, err);
	if (p == NULL)
		s->dead = true;
	else
		proc_set_credit(p, s->window);
	tf_proc_free(&pm);
	return p != NULL ? 0 : -1;
}

/* The process a proc_* command names; *pm is unpacked (free it) when a
 * process is returned. */
static proc *
proc_lookup(struct node *n, const tf_msg *m, tf_proc_msg *pm, tf_err *err)
{
	proc *p = NULL;
	ctr *c;

	if (tf_proc_unpack(m->params, pm, err) != 0)
		return NULL;
	c = node_ctr_by_id(n, pm->container, err);
	if (c != NULL) {
		p = proc_find(c, pm->process);
		if (p == NULL)
			tf_err_set(err, "no such process: %s", pm->process);
	}
	if (p == NULL)
		tf_proc_free(pm);
	return p;
}

int
node_cmd_proc_stdin(struct node *n, const tf_msg *m, tf_err *err)
{
	tf_proc_msg pm;
	proc *p = proc_lookup(n, m, &pm, err);
	bool close_it;

	if (p == NULL)
		return -1;
	close_it = pm.close;
	tf_proc_free(&pm);
	if (m->bulk != NULL && m->bulk_len > 0 &&
	    proc_write(p, m->bulk, m->bulk_len, err) != 0)
		return -1;
	if (close_it)
		proc_close_stdin(p);
	return node_reply(n, m->id, NULL, NULL, 0);
}

static int
proc_kill_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct node_stream *s = arg;
	proc *p;

	(void)loop;
	(void)id;
	s->kill_timer = 0;
	if (s->dead)
		return 0;
	p = stream_proc(s->node, s);
	if (p != NULL) {
		tf_info("process %s in %s ignored SIGTERM: SIGKILL", s->proc,
		    s->ctr);
		proc_kill(p, SIGKILL);
	}
	return 0;
}

int
node_cmd_proc_kill(struct node *n, const tf_msg *m, tf_err *err)
{
	struct node_stream *s;
	tf_proc_msg pm;
	proc *p = proc_lookup(n, m, &pm, err);
	int64_t sig;

	if (p == NULL)
		return -1;
	sig = pm.signal;
	tf_proc_free(&pm);
	if (sig == 0) {
		/* The default: SIGTERM, then SIGKILL if still there. */
		sig = SIGTERM;
		for (s = n->streams; s != NULL; s = s->next) {
			if (!s->dead && s->kind == NODE_STREAM_PROC &&
			    strcmp(s->proc, proc_id(p)) == 0 &&
			    strcmp(s->ctr, ctr_id(proc_container(p))) == 0 &&
			    s->kill_timer == 0)
				s->kill_timer = tf_loop_timer(n->loop,
				    KILL_GRACE_MS, false, proc_kill_timer_cb, s);
		}
	}
	if (proc_kill(p, (int)sig) != 0)
		return tf_err_set(err, "the process is not running");
	return node_reply(n, m->id, NULL, NULL, 0);
}

int
node_cmd_proc_resize(struct node *n, const tf_msg *m, tf_err *err)
{
	tf_proc_msg pm;
	proc *p = proc_lookup(n, m, &pm, err);
	int64_t rows, cols;

	if (p == NULL)
		return -1;
	rows = pm.rows;
	cols = pm.cols;
	tf_proc_free(&pm);
	if (rows < 1 || cols < 1)
		return tf_err_set(err, "proc_resize needs rows and cols of 1 "
		    "to 10000");
	if (proc_resize(p, (unsigned)rows, (unsigned)cols) != 0)
		return tf_err_set(err, "cannot resize");
	return node_reply(n, m->id, NULL, NULL, 0);
}

/* --- ack, unsub ------------------------------------------------------------ */

int
node_cmd_ack(struct node *n, const tf_msg *m, tf_err *err)
{
	struct node_stream *s;
	tf_flow_msg a;
	uint64_t bytes;

	if (tf_flow_unpack(m->params, &a, err) != 0)
		return -1;
	s = stream_by_id(n, (uint64_t)a.ref);
	if (s == NULL) {
		node_tunnel_ack(n, &a);
		return 0;
	}
	bytes = (uint64_t)a.bytes;
	s->unacked = (uint64_t)bytes > s->unacked ? 0 : s->unacked - (uint64_t)bytes;
	if (s->kind == NODE_STREAM_PROC) {
		proc *p = stream_proc(n, s);

		if (p != NULL)
			proc_set_credit(p, s->unacked < s->window ?
			    (size_t)(s->window - s->unacked) : 0);
	}
	return 0;
}

int
node_cmd_unsub(struct node *n, const tf_msg *m, tf_err *err)
{
	struct node_stream *s;
	tf_flow_msg u;

	if (tf_flow_unpack(m->params, &u, err) != 0)
		return -1;
	s = stream_by_id(n, (uint64_t)u.ref);
	if (s == NULL) {
		node_tunnel_unsub(n, (uint64_t)u.ref);
		return 0;
	}
	/* Nobody is listening to the process any more. */
	stream_proc_drop(n, s);
	stream_end(n, s);
	return 0;
}

/* After the connection to the location was lost, the location has
 * answered every stream with an error and forgotten its ids: end ours.
 * Processes die with their streams, as nobody can reach them any more. */
void
node_streams_reset(struct node *n)
{
	struct node_stream *s;

	for (s = n->streams; s != NULL; s = s->next) {
		if (s->dead)
			continue;
		stream_proc_drop(n, s);
		s->dead = true;
	}
}
