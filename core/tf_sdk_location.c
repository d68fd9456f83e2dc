/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_location.c: the SDK's tf_location: connecting with a saved
 * account, the live model of the resource offer,
 * run/complete/disconnect, signals, the background loop thread and its
 * call queue, nodes, the key/value store and discovery by tag.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <sodium.h>

#include "tf_codec_account.h"
#include "tf_codec_kv.h"
#include "tf_codec_session.h"
#include "tf_sdk_private.h"

/* ---- pushes and the model ----------------------------------------------- */

tf_node *
sdk_node_get(tf_location *loc, const char *name)
{
	tf_node *n;

	for (size_t i = 0; i < loc->n_nodes; i++)
		if (strcmp(loc->nodes[i]->name, name) == 0)
			return loc->nodes[i];
	n = tf_calloc(1, sizeof *n);
	n->loc = loc;
	snprintf(n->name, sizeof n->name, "%s", name);
	SDK_PUSH(loc, nodes, n);
	return n;
}

/* The location numbers nodes, and volume records name their node by that
 * number ("node_id"); the model keeps names.  Keep the mapping. */
static void
sdk_note_node(tf_location *loc, const msgpack_object *rec, bool fresh)
{
	char name[TF_MODEL_ID];
	int64_t id = 0;
	tf_node *n;
	bool known = false;

	if (tf_obj_str(rec, "node", name, sizeof name, true, NULL) != 0)
		return;
	for (size_t i = 0; i < loc->n_nodes; i++)
		if (strcmp(loc->nodes[i]->name, name) == 0)
			known = true;
	n = sdk_node_get(loc, name);
	if (tf_obj_int(rec, "id", &id, 1, INT64_MAX, false, NULL) == 0)
		n->num_id = id;
	if (!known && fresh && loc->offered) {
		tf_info("New node: %s", name);
		if (loc->new_node != NULL)
			loc->new_node(loc, n, loc->new_node_arg);
	}
}

static void
sdk_note_volume(tf_location *loc, const msgpack_object *rec)
{
	char id[TF_MODEL_ID], node[TF_MODEL_ID] = "";
	int64_t node_id = 0;
	tf_volume *v;

	if (tf_obj_str(rec, "volume", id, sizeof id, true, NULL) != 0)
		return;
	if (tf_obj_str(rec, "node", node, sizeof node, false, NULL) != 0 &&
	    tf_obj_int(rec, "node_id", &node_id, 1, INT64_MAX, false, NULL) == 0) {
		for (size_t i = 0; i < loc->n_nodes; i++)
			if (loc->nodes[i]->num_id == node_id)
				snprintf(node, sizeof node, "%s",
				    loc->nodes[i]->name);
	}
	v = sdk_volume_ensure(loc, id);
	v->gone = false;
	if (node[0] != '\0')
		snprintf(v->node, sizeof v->node, "%s", node);
	tf_obj_str(rec, "tag", v->tag, sizeof v->tag, false, NULL);
	if (v->tag[0] != '\0')
		snprintf(v->display, sizeof v->display, "%s:%s", v->id, v->tag);
	else
		snprintf(v->display, sizeof v->display, "%s", v->id);
}

static void
sdk_note_offer(tf_location *loc, const msgpack_object *params)
{
	const msgpack_object_array *arr;

	if (tf_obj_array(params, "nodes", &arr, 100000, false, NULL) == 0 &&
	    arr != NULL)
		for (uint32_t i = 0; i < arr->size; i++)
			sdk_note_node(loc, &arr->ptr[i], true);
	if (tf_obj_array(params, "volumes", &arr, 100000, false, NULL) == 0 &&
	    arr != NULL)
		for (uint32_t i = 0; i < arr->size; i++)
			sdk_note_volume(loc, &arr->ptr[i]);
	if (tf_obj_array(params, "images", &arr, 100000, false, NULL) == 0 &&
	    arr != NULL)
		for (uint32_t i = 0; i < arr->size; i++)
			sdk_image_note(loc, &arr->ptr[i]);
}

static void
sdk_container_event(tf_location *loc, const tf_msg *m, bool gone)
{
	char id[TF_MODEL_ID];
	const tf_model_container *r;
	tf_container *c;

	if (tf_msg_str(m, "container", id, sizeof id, true, NULL) != 0)
		return;
	c = sdk_container_by_id(loc, id);
	if (c == NULL)
		return;
	if (gone) {
		sdk_container_gone(c);
		return;
	}
	r = tf_model_container_find(loc->model, id);
	if (r != NULL)
		sdk_container_sync(c, r);
}

static void
sdk_push_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	tf_location *loc = arg;

	if (m->id != 0) {
		tf_conn_reply_error(conn, m->id, "%s is not served by clients",
		    m->cmd);
		return;
	}
	sdk_push(loc, m);
}

void
sdk_push(tf_location *loc, const tf_msg *m)
{
	tf_err err;
	int rc;

	if (strcmp(m->cmd, "log") == 0) {
		char level[16] = "info", text[1024] = "";
		bool error;

		tf_msg_str(m, "level", level, sizeof level, false, NULL);
		tf_msg_str(m, "text", text, sizeof text, false, NULL);
		error = strcmp(level, "error") == 0;
		if (error)
			tf_error("%s: %s", loc->name, text);
		else
			tf_info("%s: %s", loc->name, text);
		if (loc->ev_fn != NULL)
			loc->ev_fn(loc, error ? TF_EVENT_LOG_ERROR :
			    TF_EVENT_LOG_INFO, text, loc->ev_arg);
		return;
	}
	rc = tf_model_apply(loc->model, m->cmd, m->params, &err);
	if (rc < 0)
		tf_debug("%s: %s event partly refused by the model: %s",
		    loc->name, m->cmd, err.msg);
	/* The model is settled now; what follows may call user code, which
	 * may run the loop again. */
	if (strcmp(m->cmd, "offer") == 0) {
		bool first = !loc->offered;

		sdk_note_offer(loc, m->params);
		loc->offered = true;
		if (first)
			tf_info("Location has sent resource offer");
		sdk_volumes_resync(loc);
		sdk_containers_resync(loc, loc->new_session);
		loc->new_session = false;
		sdk_tunnels_offer(loc);
		sdk_logs_restore(loc);
		sdk_metrics_offer(loc);
	} else if (strcmp(m->cmd, "node") == 0) {
		sdk_note_node(loc, m->params, true);
		sdk_tunnels_restore(loc);
		sdk_logs_restore(loc);
	} else if (strcmp(m->cmd, "volume") == 0) {
		sdk_note_volume(loc, m->params);
	} else if (strcmp(m->cmd, "image") == 0) {
		sdk_image_note(loc, m->params);
	} else if (strcmp(m->cmd, "volume_gone") == 0) {
		char id[TF_MODEL_ID];

		if (tf_msg_str(m, "volume", id, sizeof id, true, NULL) == 0)
			for (size_t i = 0; i < loc->n_volumes; i++)
				if (strcmp(loc->volumes[i]->id, id) == 0)
					loc->volumes[i]->gone = true;
	} else if (strcmp(m->cmd, "container") == 0) {
		sdk_container_event(loc, m, false);
	} else if (strcmp(m->cmd, "container_gone") == 0) {
		sdk_container_event(loc, m, true);
	} else if (strcmp(m->cmd, "tunnel_gone") == 0) {
		char id[TF_MODEL_ID], why[TF_ERR_LEN] = "";

		tf_msg_str(m, "error", why, sizeof why, false, NULL);
		if (tf_msg_str(m, "tunnel", id, sizeof id, true, NULL) == 0)
			sdk_tunnel_gone(loc, id, why);
	}
}

static void
sdk_state_cb(tf_conn *conn, tf_conn_state st, const char *why, void *arg)
{
	tf_location *loc = arg;
	const msgpack_object *w;
	tf_welcome_msg wm;
	bool resumed = false, restarted = false;
	static const tf_status map[] = {
		[TF_CONN_CONNECTING] = TF_STATUS_CONNECTING,
		[TF_CONN_UP] = TF_STATUS_UP,
		[TF_CONN_DOWN] = TF_STATUS_DOWN,
		[TF_CONN_REFUSED] = TF_STATUS_REFUSED,
		[TF_CONN_CLOSED] = TF_STATUS_CLOSED,
	};

	if (st == TF_CONN_UP && (w = tf_conn_welcome(conn)) != NULL &&
	    tf_welcome_unpack(w, &wm, NULL) == 0) {
		resumed = wm.resumed;
		/* user_name is the person; old locations sent the name as
		 * user, which the codec (an id) leaves out. */
		if (wm.user_name[0] != '\0')
			snprintf(loc->user, sizeof loc->user, "%s", wm.user_name);
		else
			tf_obj_str(w, "user", loc->user, sizeof loc->user, false,
			    NULL);
		if (TF_HAS(&tf_welcome_codec, &wm, session))
			snprintf(loc->session, sizeof loc->session, "%s",
			    wm.session);
		if (TF_HAS(&tf_welcome_codec, &wm, admin))
			loc->admin = wm.admin;
		restarted = resumed && loc->boot != 0 && wm.boot != loc->boot;
		loc->boot = wm.boot;
		tf_welcome_free(&wm);
	}
	sdk_status_set(loc, map[st], why, resumed);
	if (restarted) {
		tf_info("%s restarted: asking again for the streams it had",
		    loc->name);
		sdk_logs_streams_lost(loc);
		sdk_processes_streams_lost(loc);
	}
}

void
sdk_status_set(tf_location *loc, tf_status st, const char *why, bool resumed)
{
	if (st == loc->status && (why == NULL || *why == '\0'))
		return;
	loc->status = st;
	switch (st) {
	case TF_STATUS_DOWN:
		tf_warn("Lost the connection to %s (%s); reconnecting", loc->name,
		    why != NULL ? why : "no reason");
		break;
	case TF_STATUS_UP:
		if (loc->offered)
			tf_info("Reconnected to %s (%s)", loc->name, resumed ?
			    "session resumed" : "a new session: the old one "
			    "was collected");
		if (loc->offered && resumed)
			sdk_tunnels_reconnected(loc);
		if (loc->offered && !resumed)
			loc->new_session = true;
		break;
	case TF_STATUS_REFUSED:
		loc->conn_failed = true;
		snprintf(loc->conn_error, sizeof loc->conn_error, "%s: %s",
		    loc->name, why != NULL ? why : "refused");
		tf_error("%s", loc->conn_error);
		if (!loc->complete) {
			loc->complete = true;
			loc->complete_code = -1;
		}
		break;
	default:
		break;
	}
	if (loc->ev_fn != NULL)
		loc->ev_fn(loc, TF_EVENT_STATE, why != NULL ? why : "",
		    loc->ev_arg);
}

/* ---- connecting -------------------------------------------------------- */

tf_location *
tf_location_new(const tf_location_opts *opts, tf_err *err)
{
	tf_location_opts def;
	tf_location *loc;
	const char *prog;
	uint64_t end;
	int timeout;

	if (opts == NULL) {
		memset(&def, 0, sizeof def);
		opts = &def;
	}
	prog = opts->program != NULL ? opts->program :
	    program_invocation_short_name;
	switch (opts->logging) {
	case TF_LOGGING_INFO:
		tf_log_setup(TF_LOG_INFO, prog, stderr);
		break;
	case TF_LOGGING_DEBUG:
		tf_log_setup(TF_LOG_DEBUG, prog, stderr);
		break;
	case TF_LOGGING_QUIET:
		tf_log_setup(TF_LOG_QUIET, prog, stderr);
		break;
	default:
		break;
	}
	loc = tf_calloc(1, sizeof *loc);
	loc->reg_tls_verify = -1;
	loc->sigfd = -1;
	loc->efd = -1;
	loc->winch_fd = -1;
	pthread_mutex_init(&loc->qlock, NULL);
	pthread_cond_init(&loc->qcond, NULL);
	snprintf(loc->program, sizeof loc->program, "%s", prog);
	loc->new_node = opts->new_node;
	loc->new_node_arg = opts->new_node_arg;
	loc->model = tf_model_new();
	if (opts->loop != NULL) {
		loc->loop = opts->loop;
	} else {
		loc->loop = tf_loop_new();
		loc->own_loop = true;
	}
	loc->ev_fn = opts->on_event;
	loc->ev_arg = opts->on_event_arg;
	loc->status = TF_STATUS_CONNECTING;
	if (opts->transport != NULL) {
		/* A stand-in location: no account, no socket. */
		loc->transport = opts->transport;
		loc->transport_arg = opts->transport_arg;
		snprintf(loc->name, sizeof loc->name, "%s", opts->location ?
		    opts->location : opts->transport->name);
		tf_info("Connecting to: %s (%s transport)", loc->name,
		    opts->transport->name);
		if (opts->no_wait)
			return loc;
		goto wait;
	}
	if (tf_account_load(&loc->acct, opts->location, err) != 0)
		goto fail;
	snprintf(loc->name, sizeof loc->name, "%s", loc->acct.location);
	if (opts->address != NULL && tf_endpoint_from_location(opts->address, 0,
	    loc->acct.endpoint, sizeof loc->acct.endpoint) != 0) {
		tf_err_set(err, "'%s' is not a usable address (host[:port] or "
		    "tcp://host:port)", opts->address);
		goto fail;
	}
	tf_info("Connecting to: %s", loc->name);
	tf_debug("%s is at %s", loc->name, loc->acct.endpoint);
	loc->conn = tf_conn_new_account(loc->loop, &loc->acct, loc->program,
	    err);
	if (loc->conn == NULL)
		goto fail;
	tf_conn_on_push(loc->conn, sdk_push_cb, loc);
	tf_conn_on_state(loc->conn, sdk_state_cb, loc);
	tf_debug("Message loop started");
	if (opts->no_wait)
		return loc;
wait:
	timeout = opts->timeout_ms > 0 ? opts->timeout_ms : 60000;
	end = tf_now_ms() + (uint64_t)timeout;
	while (!loc->offered) {
		uint64_t now = tf_now_ms();

		if (loc->conn_failed) {
			tf_err_set(err, "%s", loc->conn_error);
			goto fail;
		}
		if (now >= end) {
			if (loc->status != TF_STATUS_UP)
				tf_err_set(err, "could not reach %s at %s within "
				    "%d s (is the location running, and is the "
				    "address right?)", loc->name,
				    loc->acct.endpoint, timeout / 1000);
			else
				tf_err_set(err, "%s sent no resource offer within "
				    "%d s", loc->name, timeout / 1000);
			goto fail;
		}
		if (tf_loop_run_once(loc->loop, (int)(end - now)) != 0) {
			tf_err_set(err, "the loop was stopped while connecting");
			goto fail;
		}
	}
	return loc;
fail:
	loc->disconnected = true;
	tf_conn_destroy(&loc->conn);
	sdk_transport_close(loc);
	tf_location_destroy(&loc);
	return NULL;
}

tf_location *
tf_location_connect(const char *location, tf_err *err)
{
	tf_location_opts o;

	memset(&o, 0, sizeof o);
	o.location = location;
	o.logging = TF_LOGGING_INFO;
	return tf_location_new(&o, err);
}

tf_loop *tf_location_loop(tf_location *loc) { return loc->loop; }
tf_model *tf_location_model(tf_location *loc) { return loc->model; }
const char *tf_location_name(const tf_location *loc) { return loc->name; }

const char *
tf_location_session(const tf_location *loc)
{
	if (loc->transport != NULL)
		return loc->session;
	return loc->conn != NULL ? tf_conn_session(loc->conn) : "";
}

const char *
tf_location_state(const tf_location *loc)
{
	if (loc->transport != NULL && !loc->disconnected)
		return loc->status == TF_STATUS_UP ? "connected" :
		    tf_status_name(loc->status);
	if (loc->conn == NULL)
		return loc->conn_failed ? "refused" : "closed";
	return tf_conn_state_name(tf_conn_get_state(loc->conn));
}

/* ---- run, complete, signals -------------------------------------------- */

void
tf_location_complete(tf_location *loc, int code)
{
	if (loc->complete)
		return;
	loc->complete = true;
	loc->complete_code = code;
	if (loc->efd >= 0) {
		uint64_t one = 1;

		/* Wake a loop thread sleeping in poll. */
		if (write(loc->efd, &one, sizeof one) < 0)
			tf_debug("eventfd: %s", strerror(errno));
	}
}

bool
tf_location_completed(const tf_location *loc)
{
	return loc->complete;
}

static int
sdk_signal_cb(tf_loop *loop, int fd, int events, void *arg)
{
	tf_location *loc = arg;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (loc->disconnecting) {
			/* A second Ctrl-C: stop waiting for the location. */
			tf_warn("Interrupted again: not waiting for the location");
			loc->abandon = true;
			continue;
		}
		tf_debug("caught signal %u", si.ssi_signo);
		tf_location_complete(loc, 128 + (int)si.ssi_signo);
	}
	return 0;
}

int
tf_location_catch_signals(tf_location *loc, tf_err *err)
{
	sigset_t set;

	if (loc->catching)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, &loc->oldmask) != 0)
		return tf_err_set(err, "cannot block SIGINT and SIGTERM");
	loc->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loc->sigfd < 0) {
		pthread_sigmask(SIG_SETMASK, &loc->oldmask, NULL);
		return tf_err_errno(err, "signalfd");
	}
	tf_loop_add_fd(loc->loop, loc->sigfd, TF_READ, sdk_signal_cb, loc);
	loc->catching = true;
	return 0;
}

static void
sdk_uncatch_signals(tf_location *loc)
{
	if (!loc->catching)
		return;
	tf_loop_del_fd(loc->loop, loc->sigfd);
	close(loc->sigfd);
	loc->sigfd = -1;
	pthread_sigmask(SIG_SETMASK, &loc->oldmask, NULL);
	loc->catching = false;
}

int
tf_location_sleep(tf_location *loc, int ms)
{
	uint64_t end = tf_now_ms() + (uint64_t)(ms > 0 ? ms : 0);

	if (!sdk_on_loop_thread(loc)) {
		usleep((useconds_t)ms * 1000);
		return 0;
	}
	for (;;) {
		uint64_t now = tf_now_ms();

		if (loc->complete)
			return -1;
		if (now >= end)
			return 0;
		if (tf_loop_run_once(loc->loop, (int)(end - now)) != 0)
			return -1;
	}
}

/* The loop body of tf_location_run and of the loop thread. */
static int
sdk_run_until(tf_location *loc, bool until_work_done, tf_err *err)
{
	int code;
	bool failed;

	while (!loc->complete && !loc->disconnected) {
		if (until_work_done && !sdk_work_left(loc))
			break;
		if (tf_loop_run_once(loc->loop, 1000) != 0) {
			tf_err_set(err, "the loop was stopped");
			tf_location_disconnect(loc);
			return -1;
		}
	}
	code = loc->complete ? loc->complete_code : 0;
	failed = loc->conn_failed;
	tf_location_disconnect(loc);
	if (failed)
		return tf_err_set(err, "%s", loc->conn_error);
	return code < 0 ? 0 : code;
}

int
tf_location_run(tf_location *loc, tf_err *err)
{
	bool installed = false;
	int code;

	if (!sdk_on_loop_thread(loc))
		return tf_err_set(err, "tf_location_run called while the loop "
		    "runs on its own thread: use tf_location_thread_join");
	if (loc->disconnected)
		return loc->conn_failed ? tf_err_set(err, "%s", loc->conn_error)
		    : 0;
	if (!loc->catching) {
		if (tf_location_catch_signals(loc, err) != 0)
			return -1;
		installed = true;
	}
	code = sdk_run_until(loc, true, err);
	if (installed)
		sdk_uncatch_signals(loc);
	return code;
}

/* ---- disconnect and destroy -------------------------------------------- */

static void
sdk_disconnect_job(tf_location *loc, void *arg)
{
	tf_location_disconnect(loc);
}

void
tf_location_disconnect(tf_location *loc)
{
	if (loc == NULL || loc->disconnected || loc->disconnecting)
		return;
	if (!sdk_on_loop_thread(loc)) {
		tf_location_call(loc, sdk_disconnect_job, NULL, NULL);
		return;
	}
	loc->disconnecting = true;
	sdk_ssh_close_all(loc);
	sdk_terminal_close(loc);
	if (sdk_connected(loc) && !loc->conn_failed) {
		sdk_tunnels_close_all(loc);
		sdk_disconnect_containers(loc);
	}
	tf_info("Disconnecting: %s", loc->name);
	/* tf_conn answers what is outstanding ("!"); a transport does not,
	 * so the async calls left hear it here. */
	tf_conn_destroy(&loc->conn);
	sdk_transport_close(loc);
	sdk_async_close_all(loc);
	loc->status = TF_STATUS_CLOSED;
	loc->disconnected = true;
	loc->disconnecting = false;
}

void
tf_location_destroy(tf_location **loc_p)
{
	tf_location *loc = *loc_p;

	if (loc == NULL)
		return;
	if (__atomic_load_n(&loc->thread_running, __ATOMIC_ACQUIRE) &&
	    !pthread_equal(pthread_self(), loc->thread))
		tf_location_thread_stop(loc);
	if (!loc->disconnected && sdk_connected(loc))
		tf_location_disconnect(loc);
	tf_conn_destroy(&loc->conn);
	sdk_transport_close(loc);
	sdk_async_close_all(loc);
	sdk_uncatch_signals(loc);
	sdk_process_unhook(loc);
	sdk_ssh_close_all(loc);
	free(loc->sshs);
	for (size_t i = 0; i < loc->n_processes; i++)
		sdk_process_free(loc->processes[i]);
	for (size_t i = 0; i < loc->n_tunnels; i++)
		sdk_tunnel_free(loc->tunnels[i]);
	for (size_t i = 0; i < loc->n_containers; i++)
		sdk_container_free(loc->containers[i]);
	for (size_t i = 0; i < loc->n_volumes; i++)
		sdk_volume_free(loc->volumes[i]);
	for (size_t i = 0; i < loc->n_nodes; i++)
		free(loc->nodes[i]);
	for (size_t i = 0; i < loc->n_ensured; i++)
		free(loc->ensured[i]);
	for (size_t i = 0; i < loc->n_images; i++)
		free(loc->images[i]);
	free(loc->images);
	free(loc->processes);
	free(loc->tunnels);
	free(loc->containers);
	free(loc->volumes);
	free(loc->nodes);
	free(loc->ensured);
	if (loc->reg_creds != NULL)
		sodium_memzero(loc->reg_creds, strlen(loc->reg_creds));
	free(loc->reg_creds);
	free(loc->reg_authfile);
	if (loc->efd >= 0) {
		tf_loop_del_fd(loc->loop, loc->efd);
		close(loc->efd);
	}
	tf_model_destroy(&loc->model);
	tf_frames_release(&loc->frames);
	if (loc->own_loop)
		tf_loop_destroy(&loc->loop);
	pthread_mutex_destroy(&loc->qlock);
	pthread_cond_destroy(&loc->qcond);
	tf_keypair_wipe(&loc->acct.keys);
	free(loc);
	*loc_p = NULL;
}

/* ---- the loop thread ------------------------------------------------- */

/* Runs queued jobs; called on the loop thread when the eventfd fires. */
static void
sdk_run_jobs(tf_location *loc)
{
	for (;;) {
		struct sdk_job *j;

		pthread_mutex_lock(&loc->qlock);
		j = loc->qhead;
		if (j != NULL) {
			loc->qhead = j->next;
			if (loc->qhead == NULL)
				loc->qtail = NULL;
		}
		pthread_mutex_unlock(&loc->qlock);
		if (j == NULL)
			return;
		j->fn(loc, j->arg);
		if (j->wait) {
			pthread_mutex_lock(&loc->qlock);
			j->done = true;
			pthread_cond_broadcast(&loc->qcond);
			pthread_mutex_unlock(&loc->qlock);
		} else {
			free(j);
		}
	}
}

static int
sdk_efd_cb(tf_loop *loop, int fd, int events, void *arg)
{
	tf_location *loc = arg;
	uint64_t n;

	while (read(fd, &n, sizeof n) == (ssize_t)sizeof n)
		;
	sdk_run_jobs(loc);
	return 0;
}

static int
sdk_queue_init(tf_location *loc, tf_err *err)
{
	if (loc->efd >= 0)
		return 0;
	loc->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loc->efd < 0)
		return tf_err_errno(err, "eventfd");
	tf_loop_add_fd(loc->loop, loc->efd, TF_READ, sdk_efd_cb, loc);
	return 0;
}

struct sdk_thread_start {
	tf_location *loc;
	bool started;
};

static void *
sdk_thread_main(void *arg)
{
	struct sdk_thread_start *st = arg;
	tf_location *loc = st->loc;
	sigset_t set;
	tf_err err;
	int code;

	/* Signals belong to the program's own threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_mutex_lock(&loc->qlock);
	loc->thread = pthread_self();
	__atomic_store_n(&loc->thread_running, true, __ATOMIC_RELEASE);
	st->started = true;
	pthread_cond_broadcast(&loc->qcond);
	pthread_mutex_unlock(&loc->qlock);

	code = sdk_run_until(loc, false, &err);
	if (code < 0)
		tf_error("%s", err.msg);
	/* Late jobs still run (and fail with "disconnected"), so no caller
	 * waits for ever. */
	sdk_run_jobs(loc);
	pthread_mutex_lock(&loc->qlock);
	loc->thread_code = code;
	__atomic_store_n(&loc->thread_running, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&loc->qcond);
	pthread_mutex_unlock(&loc->qlock);
	sdk_run_jobs(loc);
	return NULL;
}

int
tf_location_thread_start(tf_location *loc, tf_err *err)
{
	struct sdk_thread_start st = { loc, false };

	if (__atomic_load_n(&loc->thread_running, __ATOMIC_ACQUIRE))
		return tf_err_set(err, "the loop thread is running already");
	if (sdk_check(loc, err) != 0 || sdk_queue_init(loc, err) != 0)
		return -1;
	pthread_mutex_lock(&loc->qlock);
	if (pthread_create(&loc->thread, NULL, sdk_thread_main, &st) != 0) {
		pthread_mutex_unlock(&loc->qlock);
		return tf_err_set(err, "cannot start the loop thread");
	}
	while (!st.started)
		pthread_cond_wait(&loc->qcond, &loc->qlock);
	pthread_mutex_unlock(&loc->qlock);
	return 0;
}

static int
sdk_enqueue(tf_location *loc, struct sdk_job *j, tf_err *err)
{
	uint64_t one = 1;

	if (loc->efd < 0)
		return tf_err_set(err, "no loop thread");
	j->next = NULL;
	if (loc->qtail != NULL)
		loc->qtail->next = j;
	else
		loc->qhead = j;
	loc->qtail = j;
	if (write(loc->efd, &one, sizeof one) < 0)
		return tf_err_errno(err, "eventfd");
	return 0;
}

int
tf_location_call(tf_location *loc, tf_call_fn fn, void *arg, tf_err *err)
{
	struct sdk_job j;

	memset(&j, 0, sizeof j);
	j.fn = fn;
	j.arg = arg;
	j.wait = true;
	pthread_mutex_lock(&loc->qlock);
	if (!loc->thread_running || pthread_equal(pthread_self(), loc->thread)) {
		pthread_mutex_unlock(&loc->qlock);
		fn(loc, arg);
		return 0;
	}
	if (sdk_enqueue(loc, &j, err) != 0) {
		pthread_mutex_unlock(&loc->qlock);
		return -1;
	}
	while (!j.done)
		pthread_cond_wait(&loc->qcond, &loc->qlock);
	pthread_mutex_unlock(&loc->qlock);
	return 0;
}

int
tf_location_post(tf_location *loc, tf_call_fn fn, void *arg, tf_err *err)
{
	struct sdk_job *j;
	int rc;

	pthread_mutex_lock(&loc->qlock);
	if (!loc->thread_running) {
		pthread_mutex_unlock(&loc->qlock);
		return tf_err_set(err, "no loop thread runs: call the SDK "
		    "directly");
	}
	j = tf_calloc(1, sizeof *j);
	j->fn = fn;
	j->arg = arg;
	rc = sdk_enqueue(loc, j, err);
	if (rc != 0)
		free(j);
	pthread_mutex_unlock(&loc->qlock);
	return rc;
}

int
tf_location_thread_join(tf_location *loc, tf_err *err)
{
	pthread_t t;

	pthread_mutex_lock(&loc->qlock);
	if (!loc->thread_running) {
		pthread_mutex_unlock(&loc->qlock);
		return loc->thread_code;
	}
	if (pthread_equal(pthread_self(), loc->thread)) {
		pthread_mutex_unlock(&loc->qlock);
		return tf_err_set(err, "the loop thread cannot join itself");
	}
	t = loc->thread;
	pthread_mutex_unlock(&loc->qlock);
	pthread_join(t, NULL);
	return loc->thread_code;
}

static void
sdk_complete_job(tf_location *loc, void *arg)
{
	tf_location_complete(loc, 0);
}

int
tf_location_thread_stop(tf_location *loc)
{
	if (!__atomic_load_n(&loc->thread_running, __ATOMIC_ACQUIRE))
		return loc->thread_code;
	tf_location_post(loc, sdk_complete_job, NULL, NULL);
	return tf_location_thread_join(loc, NULL);
}

/* ---- nodes ----------------------------------------------------------- */

struct sdk_rank {
	const tf_model_node *n;
	double score;
};

static int
sdk_rank_cmp(const void *a, const void *b)
{
	const struct sdk_rank *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->n->name, y->n->name);
}

size_t
tf_location_ranked_nodes(tf_location *loc, tf_node **out, size_t max)
{
	size_t n = tf_model_count(loc->model, TF_MODEL_NODE), k = 0;
	struct sdk_rank *r = tf_calloc(n + 1, sizeof *r);

	for (size_t i = 0; i < n; i++) {
		const tf_model_node *node = tf_model_node_at(loc->model, i);
		double cpu = node->cpu_pct > 99 ? 0.99 : node->cpu_pct / 100.0;

		if (!node->up)
			continue;
		r[k].n = node;
		r[k].score = (double)(node->mem_free_mb + 1) * (1.0 - cpu) -
		    10.0 * node->paging;
		k++;
	}
	qsort(r, k, sizeof *r, sdk_rank_cmp);
	for (size_t i = 0; i < k && i < max; i++)
		out[i] = sdk_node_get(loc, r[i].n->id);
	free(r);
	return k;
}

tf_node *
tf_location_best_node(tf_location *loc, tf_err *err)
{
	tf_node *best = NULL;

	if (sdk_check(loc, err) != 0)
		return NULL;
	if (tf_location_ranked_nodes(loc, &best, 1) == 0) {
		tf_err_set(err, "The location has no nodes");
		return NULL;
	}
	return best;
}

tf_node *
tf_location_node(tf_location *loc, const char *name, tf_err *err)
{
	const tf_model_node *n = tf_model_node_lookup(loc->model, name);

	if (n == NULL) {
		tf_err_set(err, "no such node: %s", name);
		return NULL;
	}
	return sdk_node_get(loc, n->id);
}

const char *tf_node_name(const tf_node *node) { return node->name; }
tf_location *tf_node_location(const tf_node *node) { return node->loc; }

int
tf_node_stats_get(const tf_node *node, tf_node_stats *out)
{
	const tf_model_node *n = tf_model_node_find(node->loc->model, node->name);

	memset(out, 0, sizeof *out);
	if (n == NULL)
		return -1;
	out->up = n->up;
	out->cpus = n->cpus;
	out->cpu_pct = n->cpu_pct;
	out->mem_total_mb = n->mem_total_mb;
	out->mem_free_mb = n->mem_free_mb;
	out->paging = n->paging;
	out->containers = n->containers;
	out->load1 = n->load1;
	return 0;
}

/* ---- key/value --------------------------------------------------------- */

int
tf_kv_get(tf_location *loc, const char *key, char **value, tf_err *err)
{
	tf_kv_msg req = { .key = key }, rep;
	const msgpack_object *v;
	tf_reply r;
	tf_out o;

	*value = NULL;
	tf_out_init(&o, "kv_get");
	tf_kv_pack(&req, &o);
	if (sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, &r, err) != 0)
		return -1;
	if (tf_kv_unpack(r.params, &rep, err) != 0) {
		tf_reply_fini(&r);
		return -1;
	}
	v = rep.value;
	if (v == NULL || v->type == MSGPACK_OBJECT_NIL)
		*value = tf_strdup("");
	else if (v->type == MSGPACK_OBJECT_STR)
		*value = tf_strndup(v->via.str.ptr, v->via.str.size);
	else if (v->type == MSGPACK_OBJECT_BIN)
		*value = tf_strndup(v->via.bin.ptr, v->via.bin.size);
	else
		*value = tf_obj_to_json(v, false);
	tf_kv_free(&rep);
	tf_reply_fini(&r);
	return 0;
}

/* A str object that borrows s. */
static msgpack_object
sdk_str_obj(const char *s)
{
	msgpack_object o = { .type = MSGPACK_OBJECT_STR };

	o.via.str.ptr = s;
	o.via.str.size = (uint32_t)strlen(s);
	return o;
}

int
tf_kv_set(tf_location *loc, const char *const *pairs, tf_err *err)
{
	msgpack_object map = { .type = MSGPACK_OBJECT_MAP };
	msgpack_object_kv *kv;
	tf_kv_msg req = { .pairs = &map };
	size_t n = 0;
	tf_out o;

	while (pairs[n] != NULL) {
		if (pairs[n + 1] == NULL)
			return tf_err_set(err, "tf_kv_set: key %s has no value",
			    pairs[n]);
		n += 2;
	}
	if (n == 0)
		return 0;
	kv = tf_calloc(n / 2, sizeof *kv);
	for (size_t i = 0; i < n; i += 2) {
		kv[i / 2].key = sdk_str_obj(pairs[i]);
		kv[i / 2].val = sdk_str_obj(pairs[i + 1]);
	}
	map.via.map.size = (uint32_t)(n / 2);
	map.via.map.ptr = kv;
	tf_out_init(&o, "kv_set");
	tf_kv_pack(&req, &o);
	free(kv);
	return sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, NULL, err);
}

int
tf_kv_set1(tf_location *loc, const char *key, const char *value, tf_err *err)
{
	const char *pairs[3] = { key, value, NULL };

	return tf_kv_set(loc, pairs, err);
}

int
tf_kv_del(tf_location *loc, const char *key, tf_err *err)
{
	tf_kv_msg req = { .key = key };
	tf_out o;

	tf_out_init(&o, "kv_del");
	tf_kv_pack(&req, &o);
	return sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, NULL, err);
}

int
tf_kv_list(tf_location *loc, const char *prefix, char ***keys, tf_err *err)
{
	tf_kv_msg req = { .prefix = prefix }, rep;
	tf_reply r;
	tf_out o;

	*keys = NULL;
	tf_out_init(&o, "kv_list");
	tf_kv_pack(&req, &o);
	if (sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, &r, err) != 0)
		return -1;
	if (tf_kv_unpack(r.params, &rep, err) != 0 ||
	    (rep.keys == NULL && tf_err_set(err, "missing parameter: keys"))) {
		tf_kv_free(&rep);
		tf_reply_fini(&r);
		return -1;
	}
	*keys = tf_calloc(rep.n_keys + 1, sizeof **keys);
	for (size_t i = 0; i < rep.n_keys; i++)
		(*keys)[i] = tf_strdup(rep.keys[i]);
	tf_kv_free(&rep);
	tf_reply_fini(&r);
	return 0;
}

void
tf_strv_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* ---- discovery --------------------------------------------------------- */

tf_container *
tf_location_find_container(tf_location *loc, const char *name, tf_err *err)
{
	const tf_model_container *r;
	tf_account_msg found;
	tf_reply rep;
	tf_out o;

	if (sdk_check(loc, err) != 0)
		return NULL;
	for (size_t i = 0; i < loc->n_containers; i++) {
		tf_container *c = loc->containers[i];

		if (c->id[0] != '\0' && (strcmp(c->id, name) == 0 ||
		    strcmp(c->display, name) == 0 ||
		    (c->tag[0] != '\0' && strcmp(c->tag, name) == 0)) &&
		    c->state != TF_CTR_DESTROYED)
			return c;
	}
	r = tf_model_container_lookup(loc->model, name);
	if (r != NULL)
		return sdk_container_from_model(loc, r);
	/* Not in our picture yet: ask the location. */
	tf_out_init(&o, "find");
	tf_account_pack(&(tf_account_msg){ .name = name }, &o);
	if (sdk_call(loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, &rep, err) != 0)
		return NULL;
	if (tf_account_unpack(rep.params, &found, err) != 0) {
		tf_reply_fini(&rep);
		return NULL;
	}
	if (strcmp(found.kind, "container") != 0 || found.record == NULL) {
		tf_err_set(err, "'%s' names a %s, not a container", name,
		    found.kind[0] ? found.kind : "thing");
		tf_account_free(&found);
		tf_reply_fini(&rep);
		return NULL;
	}
	tf_model_apply(loc->model, "container", found.record, NULL);
	tf_account_free(&found);
	tf_reply_fini(&rep);
	r = tf_model_container_lookup(loc->model, name);
	if (r == NULL) {
		tf_err_set(err, "no container is tagged or named '%s'", name);
		return NULL;
	}
	return sdk_container_from_model(loc, r);
}
