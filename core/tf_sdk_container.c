/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_container.c: containers in the SDK: spawning with every option,
 * following their state through the location's container events, waiting
 * for them, wake/reboot/destroy, file put and fetch in chunks, the console
 * output stream, firewall holes between containers; and volumes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tf_codec_flow.h"
#include "tf_codec_file.h"
#include "tf_codec_firewall.h"
#include "tf_codec_stream.h"
#include "tf_codec_spawn.h"
#include "tf_codec_vol.h"
#include "tf_sdk_private.h"

#define PUT_WINDOW 4			/* chunks in flight per put */
#define FETCH_CHUNK (1u << 20)

/* ---- handles ----------------------------------------------------------- */

tf_container *
sdk_container_by_id(tf_location *loc, const char *id)
{
	for (size_t i = 0; i < loc->n_containers; i++)
		if (strcmp(loc->containers[i]->id, id) == 0)
			return loc->containers[i];
	return NULL;
}

static void
sdk_container_display(tf_container *c)
{
	if (c->tag[0] != '\0')
		snprintf(c->display, sizeof c->display, "%s:%s", c->id, c->tag);
	else
		snprintf(c->display, sizeof c->display, "%s", c->id);
}

static tf_container *
sdk_container_new(tf_location *loc)
{
	tf_container *c = tf_calloc(1, sizeof *c);

	c->loc = loc;
	c->state = TF_CTR_SPAWNING;
	SDK_PUSH(loc, containers, c);
	return c;
}

tf_container *
sdk_container_from_model(tf_location *loc, const tf_model_container *r)
{
	tf_container *c = sdk_container_by_id(loc, r->id);

	if (c != NULL)
		return c;
	c = sdk_container_new(loc);
	snprintf(c->id, sizeof c->id, "%s", r->id);
	c->accepted = true;
	c->external = strcmp(r->session, tf_location_session(loc)) != 0;
	c->running_logged = true;	/* not ours to announce */
	sdk_container_sync(c, r);
	return c;
}

tf_container *
sdk_container_for_id(tf_location *loc, const char *id, tf_err *err)
{
	const tf_model_container *r;
	tf_container *c = sdk_container_by_id(loc, id);

	if (c != NULL)
		return c;
	r = tf_model_container_find(loc->model, id);
	if (r == NULL) {
		tf_err_set(err, "no container %s at %s", id, loc->name);
		return NULL;
	}
	c = sdk_container_from_model(loc, r);
	/* The location collects this session's containers when we leave;
	 * one we only named is not ours to destroy on the way out. */
	c->external = true;
	return c;
}

void
sdk_container_free(tf_container *c)
{
	free(c);
}

static void
sdk_container_end(tf_container *c)
{
	if (c->ended)
		return;
	c->ended = true;
	if (!c->external) {
		if (c->state == TF_CTR_EXITED)
			tf_info("Container has exited: %s (exit code %d)",
			    c->id, c->exit_code);
		else if (c->state == TF_CTR_FAILED)
			tf_error("Container failed: %s: %s",
			    c->id[0] ? c->id : c->image,
			    c->error[0] ? c->error : "no reason given");
		else
			tf_info("Container destroyed: %s", c->id);
	}
	if (c->state == TF_CTR_DESTROYED || c->state == TF_CTR_FAILED) {
		sdk_processes_container_gone(c);
		sdk_tunnels_container_gone(c);
	}
	if (c->on_end != NULL)
		c->on_end(c, c->state, c->exit_code, c->on_end_arg);
}

void
sdk_container_sync(tf_container *c, const tf_model_container *r)
{
	tf_model_ctr_state old = c->state;

	if (c->state == TF_CTR_DESTROYED)
		return;			/* gone is final */
	if (r->state != TF_CTR_UNKNOWN)
		c->state = r->state;
	if (r->ip[0] != '\0')
		snprintf(c->ip, sizeof c->ip, "%s", r->ip);
	c->exit_code = (int)r->exit_code;
	if (r->error[0] != '\0')
		snprintf(c->error, sizeof c->error, "%s", r->error);
	if (r->tag[0] != '\0')
		snprintf(c->tag, sizeof c->tag, "%s", r->tag);
	if (r->image[0] != '\0' && c->image[0] == '\0')
		snprintf(c->image, sizeof c->image, "%s", r->image);
	if (r->node[0] != '\0')
		c->node = sdk_node_get(c->loc, r->node);
	sdk_container_display(c);
	if (c->state == TF_CTR_RUNNING && !c->running_logged) {
		c->running_logged = true;
		tf_info("Container is running: %s", c->id);
	}
	if (c->state == TF_CTR_SLEEPING && old != TF_CTR_SLEEPING &&
	    !c->external)
		tf_info("Container is asleep: %s", c->id);
	if (c->state == TF_CTR_LOST && old != TF_CTR_LOST && !c->external)
		tf_warn("Container's node lost: %s (%s)", c->id, c->error);
	if (c->state == TF_CTR_EXITED || c->state == TF_CTR_FAILED ||
	    c->state == TF_CTR_DESTROYED)
		sdk_container_end(c);
}

void
sdk_container_gone(tf_container *c)
{
	if (c->state == TF_CTR_DESTROYED)
		return;
	if (c->state != TF_CTR_FAILED && c->state != TF_CTR_EXITED)
		c->state = TF_CTR_DESTROYED;
	if (c->ended) {
		/* Ended earlier by exiting: now it is gone too. */
		c->state = TF_CTR_DESTROYED;
		sdk_processes_container_gone(c);
		sdk_tunnels_container_gone(c);
		return;
	}
	c->state = TF_CTR_DESTROYED;
	sdk_container_end(c);
}

/* A container absent from an offer is not taken as ended: the location
 * reports every end (container_gone, or state destroyed, replayed after
 * the offer to a session that was away).  Only when the welcome started a
 * new session (the old one was collected with its containers) is the offer
 * all there is: then absent is gone. */
void
sdk_containers_resync(tf_location *loc, bool absent_is_gone)
{
	for (size_t i = 0; i < loc->n_containers; i++) {
		tf_container *c = loc->containers[i];
		const tf_model_container *r;

		if (c->id[0] == '\0' || c->state == TF_CTR_DESTROYED)
			continue;
		r = tf_model_container_find(loc->model, c->id);
		if (r != NULL)
			sdk_container_sync(c, r);
		else if (absent_is_gone)
			sdk_container_gone(c);
	}
}

bool
sdk_work_left(tf_location *loc)
{
	for (size_t i = 0; i < loc->n_containers; i++) {
		const tf_container *c = loc->containers[i];

		if (!c->external && !c->ended)
			return true;
	}
	return sdk_processes_running(loc);
}

/* ---- spawning ---------------------------------------------------------- */

static void
sdk_logs_subscribe(tf_container *c);

static void
sdk_spawn_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	tf_container *c = arg;
	const tf_model_container *r;
	tf_spawn_reply rep;

	if (tf_msg_is_stream(m))
		return;
	c->spawn_req = 0;
	if (sdk_msg_error(m, c->error, sizeof c->error)) {
		c->state = TF_CTR_FAILED;
		sdk_container_end(c);
		return;
	}
	if (tf_spawn_reply_unpack(m->params, &rep, NULL) != 0 ||
	    strlen(rep.container) >= sizeof c->id) {
		tf_spawn_reply_free(&rep);
		snprintf(c->error, sizeof c->error, "the location's answer to "
		    "spawn named no container");
		c->state = TF_CTR_FAILED;
		sdk_container_end(c);
		return;
	}
	snprintf(c->id, sizeof c->id, "%s", rep.container);
	c->accepted = true;
	if (rep.node[0] != '\0')
		c->node = sdk_node_get(c->loc, rep.node);
	tf_spawn_reply_free(&rep);
	sdk_container_display(c);
	tf_info("Spawning container: %s", c->id);
	if (c->output != NULL)
		sdk_logs_subscribe(c);
	r = tf_model_container_find(c->loc->model, c->id);
	if (r != NULL)
		sdk_container_sync(c, r);
}

/* Mount points may not nest (the original's trees_intersect). */
static int
sdk_mounts_check(const tf_mount *mounts, size_t n, tf_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = mounts[i].mountpoint;

		if (a == NULL || a[0] != '/')
			return tf_err_set(err, "Error in volumes: mount points "
			    "must be absolute paths ('%s')", a ? a : "");
		if (mounts[i].volume == NULL && (mounts[i].name == NULL ||
		    mounts[i].name[0] == '\0'))
			return tf_err_set(err, "Error in volumes: no volume for "
			    "%s", a);
		for (size_t k = 0; k < n; k++) {
			const char *b = mounts[k].mountpoint;
			size_t lb;

			if (k == i || b == NULL)
				continue;
			lb = strlen(b);
			while (lb > 1 && b[lb - 1] == '/')
				lb--;
			if (strncmp(a, b, lb) == 0 && (a[lb] == '\0' ||
			    a[lb] == '/' || lb == 1))
				return tf_err_set(err, "Error in volumes: %s is "
				    "a subtree of %s", a, b);
		}
	}
	return 0;
}

int
sdk_spawn_validate(const tf_spawn_opts *o, tf_err *err)
{
	if (o->tag != NULL && o->tag[0] != '\0' && !tf_tag_valid(o->tag))
		return tf_err_set(err, "Tag names can only use 0-9 a-z - _ and "
		    "., at most 64 of them, and cannot look like UUIDs: '%s'",
		    o->tag);
	for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++) {
		const char *eq = strchr(o->env[i], '=');

		if (eq == NULL || eq == o->env[i])
			return tf_err_set(err, "environment entries are "
			    "NAME=value: '%s'", o->env[i]);
	}
	if (o->command != NULL && o->command[0] == NULL)
		return tf_err_set(err, "an empty command was given");
	for (size_t i = 0; i < o->nfiles; i++) {
		if (o->files[i].path == NULL || o->files[i].path[0] != '/')
			return tf_err_set(err, "pre-boot files need absolute "
			    "paths ('%s')", o->files[i].path ?
			    o->files[i].path : "");
		if (o->files[i].data == NULL && o->files[i].len > 0)
			return tf_err_set(err, "pre-boot file %s has no data",
			    o->files[i].path);
	}
	return sdk_mounts_check(o->mounts, o->nmounts, err);
}

/* The spawn request (tf_codec_spawn.h) for the options given; node NULL
 * or "": the location picks. */
void
sdk_spawn_pack(tf_out *o, const char *node, const char *image,
	       const tf_spawn_opts *opts)
{
	tf_spawn_msg s = {
		.image = image,
		.node = node != NULL && node[0] != '\0' ? node : NULL,
		.tag = opts->tag,
		.env = opts->env,
		.command = opts->command,
		.n_preboot = opts->nfiles,
		.sleep = opts->sleep,
		.n_volumes = opts->nmounts,
		.limits = {
			.memory_mb = opts->limits.memory_mb,
			.pids = opts->limits.pids,
			.cpu_shares = opts->limits.cpu_shares,
		},
	};

	while (s.env != NULL && s.env[s.n_env] != NULL)
		s.n_env++;
	while (s.command != NULL && s.command[s.n_command] != NULL)
		s.n_command++;
	s.preboot = tf_calloc(opts->nfiles + 1, sizeof *s.preboot);
	for (size_t i = 0; i < opts->nfiles; i++) {
		s.preboot[i].path = opts->files[i].path;
		s.preboot[i].data = opts->files[i].data;
		s.preboot[i].n_data = opts->files[i].len;
	}
	s.volumes = tf_calloc(opts->nmounts + 1, sizeof *s.volumes);
	for (size_t i = 0; i < opts->nmounts; i++) {
		const tf_mount *mt = &opts->mounts[i];

		s.volumes[i].volume = mt->volume != NULL ? mt->volume->id :
		    mt->name;
		s.volumes[i].mountpoint = mt->mountpoint;
	}
	tf_out_init(o, "spawn");
	tf_spawn_pack(&s, o);
	free(s.preboot);
	free(s.volumes);
}

static tf_container *
sdk_spawn(tf_location *loc, tf_node *node, const char *image,
	  const tf_spawn_opts *opts, tf_err *err)
{
	tf_spawn_opts def;
	tf_container *c;
	char use[TF_MODEL_TEXT];
	tf_out o;

	if (opts == NULL) {
		memset(&def, 0, sizeof def);
		opts = &def;
	}
	if (sdk_check(loc, err) != 0)
		return NULL;
	if (image == NULL || image[0] == '\0') {
		tf_err_set(err, "no image given");
		return NULL;
	}
	if (sdk_spawn_validate(opts, err) != 0)
		return NULL;
	if (opts->no_image_check)
		snprintf(use, sizeof use, "%s", image);
	else if (sdk_image_check(loc, image, use, sizeof use, err) != 0)
		return NULL;
	image = use;

	sdk_spawn_pack(&o, node != NULL ? node->name : NULL, image, opts);

	c = sdk_container_new(loc);
	c->node = node;
	snprintf(c->image, sizeof c->image, "%s", image);
	if (opts->tag != NULL)
		snprintf(c->tag, sizeof c->tag, "%s", opts->tag);
	c->output = opts->output;
	c->output_arg = opts->output_arg;
	c->on_end = opts->on_end;
	c->on_end_arg = opts->on_end_arg;
	c->spawn_req = sdk_request(loc, &o, NULL, 0, sdk_spawn_cb, c);
	if (c->spawn_req == 0) {
		snprintf(c->error, sizeof c->error, "not connected to %s",
		    loc->name);
		c->state = TF_CTR_FAILED;
		c->ended = true;
		tf_err_set(err, "%s", c->error);
		return NULL;
	}
	tf_debug("spawn of %s requested", image);
	return c;
}

tf_container *
tf_node_spawn(tf_node *node, const char *image, const tf_spawn_opts *opts,
	      tf_err *err)
{
	if (node == NULL) {
		tf_err_set(err, "no node given");
		return NULL;
	}
	return sdk_spawn(node->loc, node, image, opts, err);
}

tf_container *
tf_location_spawn(tf_location *loc, const char *image,
		  const tf_spawn_opts *opts, tf_err *err)
{
	return sdk_spawn(loc, NULL, image, opts, err);
}

tf_container *
tf_node_spawn_container(tf_node *node, const char *image,
			const tf_spawn_opts *opts, tf_err *err)
{
	tf_container *c = tf_node_spawn(node, image, opts, err);

	if (c == NULL || tf_container_wait_ready(c, 0, err) != 0)
		return NULL;
	return c;
}

/* ---- waiting ----------------------------------------------------------- */

static bool
sdk_ready_or_over(void *arg)
{
	const tf_container *c = arg;

	return c->ended || (c->accepted && (c->state == TF_CTR_RUNNING ||
	    c->state == TF_CTR_SLEEPING));
}

bool
tf_container_is_ready(const tf_container *c)
{
	return c->accepted && !c->ended && (c->state == TF_CTR_RUNNING ||
	    c->state == TF_CTR_SLEEPING);
}

static int
sdk_container_not_running(const tf_container *c, tf_err *err)
{
	const char *name = c->id[0] ? c->id : c->image;

	switch (c->state) {
	case TF_CTR_FAILED:
		return tf_err_set(err, "container %s failed: %s", name,
		    c->error[0] ? c->error : "no reason given");
	case TF_CTR_EXITED:
		return tf_err_set(err, "container %s has exited (exit code %d)",
		    name, c->exit_code);
	case TF_CTR_DESTROYED:
		return tf_err_set(err, "container %s has been destroyed", name);
	default:
		return tf_err_set(err, "container %s is not running", name);
	}
}

int
tf_container_wait_ready(tf_container *c, int timeout_ms, tf_err *err)
{
	char what[TF_MODEL_TEXT + 32];

	if (tf_container_is_ready(c))
		return 0;
	if (c->ended)
		return sdk_container_not_running(c, err);
	if (sdk_check(c->loc, err) != 0)
		return -1;
	snprintf(what, sizeof what, "container %s to be ready",
	    c->id[0] ? c->id : c->image);
	if (sdk_wait_until(c->loc, sdk_ready_or_over, c, timeout_ms > 0 ?
	    timeout_ms : SDK_READY_TIMEOUT_MS, what, err) != 0)
		return -1;
	if (!tf_container_is_ready(c))
		return sdk_container_not_running(c, err);
	return 0;
}

static bool
sdk_over(void *arg)
{
	return ((const tf_container *)arg)->ended;
}

int
tf_container_wait_end(tf_container *c, int timeout_ms, tf_err *err)
{
	char what[TF_MODEL_TEXT + 32];

	if (c->ended)
		return 0;
	if (sdk_check(c->loc, err) != 0)
		return -1;
	snprintf(what, sizeof what, "container %s to end",
	    c->id[0] ? c->id : c->image);
	return sdk_wait_until(c->loc, sdk_over, c, timeout_ms > 0 ? timeout_ms :
	    SDK_NO_TIMEOUT, what, err);
}

static bool
sdk_accepted_or_over(void *arg)
{
	const tf_container *c = arg;

	return c->accepted || c->ended;
}

/* Container commands need the id, which comes with the spawn's answer. */
static int
sdk_container_usable(tf_container *c, tf_err *err)
{
	if (sdk_check(c->loc, err) != 0)
		return -1;
	if (!c->accepted && !c->ended &&
	    sdk_wait_until(c->loc, sdk_accepted_or_over, c,
	    SDK_READY_TIMEOUT_MS, "the spawn to be accepted", err) != 0)
		return -1;
	if (c->state == TF_CTR_DESTROYED || c->state == TF_CTR_FAILED ||
	    c->id[0] == '\0')
		return sdk_container_not_running(c, err);
	return 0;
}

/* ---- getters ----------------------------------------------------------- */

const char *tf_container_id(const tf_container *c) { return c->id; }
const char *tf_container_tag(const tf_container *c) { return c->tag; }
const char *tf_container_image(const tf_container *c) { return c->image; }
const char *tf_container_ip(const tf_container *c) { return c->ip; }
const char *tf_container_display_name(const tf_container *c) { return c->display; }
tf_node *tf_container_node(const tf_container *c) { return c->node; }
tf_location *tf_container_location(const tf_container *c) { return c->loc; }
tf_model_ctr_state tf_container_state(const tf_container *c) { return c->state; }
int tf_container_exit_code(const tf_container *c) { return c->exit_code; }
const char *tf_container_error(const tf_container *c) { return c->error; }
bool tf_container_is_external(const tf_container *c) { return c->external; }

void
tf_container_on_end(tf_container *c, tf_container_end_fn fn, void *arg)
{
	c->on_end = fn;
	c->on_end_arg = arg;
}

/* ---- lifecycle ------------------------------------------------------- */

/* A command on the container answered by "^"; reset < 0: no reset param. */
static int
sdk_container_simple(tf_container *c, const char *cmd, int timeout_ms,
		     int reset, tf_err *err)
{
	tf_out o;

	if (sdk_container_usable(c, err) != 0)
		return -1;
	tf_out_init(&o, cmd);
	tf_out_str(&o, "container", c->id);
	if (reset >= 0)
		tf_out_bool(&o, "reset", reset != 0);
	return sdk_call(c->loc, &o, NULL, 0, timeout_ms, NULL, err);
}

int
tf_container_wake(tf_container *c, tf_err *err)
{
	if (sdk_container_usable(c, err) != 0)
		return -1;
	tf_info("Waking container: %s", c->id);
	return sdk_container_simple(c, "wake", SDK_CALL_TIMEOUT_MS, -1, err);
}

int
tf_container_reboot(tf_container *c, bool reset, tf_err *err)
{
	if (sdk_container_usable(c, err) != 0)
		return -1;
	tf_info("Rebooting container%s: %s", reset ? " (with reset)" : "",
	    c->id);
	if (sdk_container_simple(c, "reboot", 120000, reset, err) != 0)
		return -1;
	/* Processes did not survive the reboot. */
	sdk_processes_container_gone(c);
	return 0;
}

int
tf_container_destroy(tf_container *c, tf_err *err)
{
	if (c->state == TF_CTR_DESTROYED)
		return 0;
	if (c->external)
		return tf_err_set(err, "container %s belongs to another session",
		    c->id);
	if (sdk_container_usable(c, err) != 0)
		return c->state == TF_CTR_FAILED ? 0 : -1;
	tf_info("Destroying container: %s", c->id);
	c->destroy_sent = true;
	if (sdk_container_simple(c, "destroy", SDK_CALL_TIMEOUT_MS, -1,
	    err) != 0)
		return -1;
	sdk_container_gone(c);
	return 0;
}

static void
sdk_destroy_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	tf_container *c = arg;

	if (tf_msg_is_stream(m))
		return;
	c->loc->pending_destroys--;
	if (tf_msg_is_reply(m))
		sdk_container_gone(c);
}

static bool
sdk_destroys_done(void *arg)
{
	return ((tf_location *)arg)->pending_destroys <= 0;
}

/* Sends every destroy at once and waits (bounded) for the answers; the
 * location collects anything left when we say goodbye. */
void
sdk_disconnect_containers(tf_location *loc)
{
	tf_err err;

	for (size_t i = 0; i < loc->n_containers; i++) {
		tf_container *c = loc->containers[i];
		tf_out o;

		if (c->external || !c->accepted || c->destroy_sent ||
		    c->state == TF_CTR_DESTROYED || c->state == TF_CTR_FAILED)
			continue;
		tf_info("Destroying container: %s", c->id);
		c->destroy_sent = true;
		tf_out_init(&o, "destroy");
		tf_out_str(&o, "container", c->id);
		if (sdk_request(loc, &o, NULL, 0, sdk_destroy_cb, c) != 0)
			loc->pending_destroys++;
	}
	if (loc->pending_destroys > 0 && sdk_wait_until(loc, sdk_destroys_done,
	    loc, 15000, "containers to be destroyed", &err) != 0)
		tf_warn("%s (the location destroys the rest)", err.msg);
}

/* ---- put and fetch ------------------------------------------------------ */

struct sdk_putw {
	int outstanding;
	bool failed;
	char error[TF_ERR_LEN];
};

static void
sdk_put_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	struct sdk_putw *w = arg;

	if (tf_msg_is_stream(m))
		return;
	w->outstanding--;
	if (!w->failed && sdk_msg_error(m, w->error, sizeof w->error))
		w->failed = true;
}

static bool
sdk_put_room(void *arg)
{
	const struct sdk_putw *w = arg;

	return w->failed || w->outstanding < PUT_WINDOW;
}

static bool
sdk_put_drained(void *arg)
{
	return ((const struct sdk_putw *)arg)->outstanding <= 0;
}

/* Streams from memory or a file (fd >= 0). */
static int
sdk_put(tf_container *c, const char *path, const uint8_t *data, size_t len,
	int fd, int mode, tf_err *err)
{
	struct sdk_putw w;
	struct { SDK_ARRAY(uint64_t, ids); } ids_arr = { 0 };
	uint8_t *chunk = NULL;
	uint64_t offset = 0;
	bool last = false;
	int rc = 0;

	if (path == NULL || path[0] != '/')
		return tf_err_set(err, "put: paths in containers are absolute "
		    "('%s')", path ? path : "");
	if (sdk_container_usable(c, err) != 0)
		return -1;
	memset(&w, 0, sizeof w);
	if (fd >= 0)
		chunk = tf_malloc(TF_CHUNK);
	while (!last) {
		const uint8_t *p;
		size_t n;
		tf_out o;

		if (sdk_wait_until(c->loc, sdk_put_room, &w, SDK_CALL_TIMEOUT_MS,
		    "put to be acknowledged", err) != 0) {
			rc = -1;
			break;
		}
		if (w.failed)
			break;
		if (fd >= 0) {
			ssize_t r = read(fd, chunk, TF_CHUNK);

			if (r < 0) {
				rc = tf_err_errno(err, "put %s: reading", path);
				break;
			}
			p = chunk;
			n = (size_t)r;
			/* A short read is not the end; only 0 is. */
			last = r == 0;
			if (r > 0 && (size_t)r < TF_CHUNK) {
				struct stat st;

				if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
				    (uint64_t)st.st_size <= offset + (uint64_t)r)
					last = true;
			}
		} else {
			p = data + offset;
			n = len - offset > TF_CHUNK ? TF_CHUNK : len - offset;
			last = offset + n >= len;
		}
		{
			tf_file_msg fm = { .container = c->id, .path = path,
			    .offset = (int64_t)offset, .last = last,
			    .mode = mode > 0 ? mode : 0 };

			TF_SET(&tf_file_codec, &fm, last);
			tf_out_init(&o, "put");
			tf_file_pack(&fm, &o);
		}
		{
			uint64_t id = sdk_request(c->loc, &o, n > 0 ? p :
			    (const uint8_t *)"", n, sdk_put_cb, &w);

			if (id == 0) {
				rc = tf_err_set(err, "not connected to %s",
				    c->loc->name);
				break;
			}
			SDK_PUSH(&ids_arr, ids, id);
		}
		w.outstanding++;
		offset += n;
	}
	free(chunk);
	/* Every answer must be in before w goes out of scope. */
	if (w.outstanding > 0 && sdk_wait_until(c->loc, sdk_put_drained, &w,
	    SDK_CALL_TIMEOUT_MS, "put to finish", rc == 0 ? err : NULL) != 0) {
		for (size_t i = 0; i < ids_arr.n_ids; i++)
			sdk_forget(c->loc, ids_arr.ids[i]);
		free(ids_arr.ids);
		return -1;
	}
	free(ids_arr.ids);
	if (rc == 0 && w.failed)
		return tf_err_set(err, "%s", w.error);
	return rc;
}

int
tf_container_put(tf_container *c, const char *path, const void *data,
		 size_t len, int mode, tf_err *err)
{
	return sdk_put(c, path, data, len, -1, mode, err);
}

int
tf_container_put_file(tf_container *c, const char *path,
		      const char *local_path, tf_err *err)
{
	struct stat st;
	int fd, rc;

	fd = open(local_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tf_err_errno(err, "%s", local_path);
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		return tf_err_set(err, "%s is a directory: put takes one file",
		    local_path);
	}
	rc = sdk_put(c, path, NULL, 0, fd, (int)(st.st_mode & 07777), err);
	close(fd);
	return rc;
}

typedef int (*sdk_sink_fn)(const uint8_t *data, size_t len, void *arg,
			   tf_err *err);

static int
sdk_fetch(tf_container *c, const char *path, sdk_sink_fn sink, void *arg,
	  tf_err *err)
{
	uint64_t offset = 0;

	if (path == NULL || path[0] != '/')
		return tf_err_set(err, "fetch: paths in containers are absolute "
		    "('%s')", path ? path : "");
	if (sdk_container_usable(c, err) != 0)
		return -1;
	for (;;) {
		bool eof = false;
		size_t got;
		tf_reply r;
		tf_out o;
		int rc;

		tf_file_msg fm = { .container = c->id, .path = path,
		    .offset = (int64_t)offset, .length = FETCH_CHUNK };
		tf_file_reply rep;

		TF_SET(&tf_file_codec, &fm, length);
		tf_out_init(&o, "fetch");
		tf_file_pack(&fm, &o);
		if (sdk_call(c->loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, &r,
		    err) != 0)
			return -1;
		if (tf_file_reply_unpack(r.params, &rep, NULL) == 0)
			eof = rep.eof;
		tf_file_reply_free(&rep);
		got = r.bulk_len;
		rc = got > 0 ? sink(r.bulk, got, arg, err) : 0;
		offset += got;
		tf_reply_fini(&r);
		if (rc != 0)
			return -1;
		if (eof)
			return 0;
		if (got == 0)
			return tf_err_set(err, "fetch %s: the node sent no data "
			    "at offset %llu", path, (unsigned long long)offset);
	}
}

static int
sdk_sink_buf(const uint8_t *data, size_t len, void *arg, tf_err *err)
{
	sdk_buf_add(arg, data, len);
	return 0;
}

int
tf_container_fetch(tf_container *c, const char *path, uint8_t **data,
		   size_t *len, tf_err *err)
{
	struct sdk_buf b = { 0 };

	*data = NULL;
	if (len != NULL)
		*len = 0;
	if (sdk_fetch(c, path, sdk_sink_buf, &b, err) != 0) {
		sdk_buf_free(&b);
		return -1;
	}
	*data = sdk_buf_take(&b, len);
	return 0;
}

static int
sdk_sink_fd(const uint8_t *data, size_t len, void *arg, tf_err *err)
{
	int fd = *(int *)arg;

	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return tf_err_errno(err, "writing the fetched file");
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int
tf_container_fetch_file(tf_container *c, const char *path,
			const char *local_path, tf_err *err)
{
	char *tmp = tf_asprintf("%s.tf-fetch.%d", local_path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc;

	if (fd < 0) {
		rc = tf_err_errno(err, "%s", tmp);
		free(tmp);
		return rc;
	}
	rc = sdk_fetch(c, path, sdk_sink_fd, &fd, err);
	if (close(fd) != 0 && rc == 0)
		rc = tf_err_errno(err, "%s", tmp);
	if (rc == 0 && rename(tmp, local_path) != 0)
		rc = tf_err_errno(err, "%s", local_path);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* ---- console output ----------------------------------------------------- */

static void
sdk_logs_cb(tf_conn *conn, const tf_msg *m, void *arg)
{
	tf_container *c = arg;
	tf_item_msg it;

	if (!tf_msg_is_stream(m)) {
		c->logs_req = 0;
		return;
	}
	/* A malformed item still delivers its bytes, as stdout. */
	if (tf_item_unpack(m->params, &it, NULL) != 0)
		it = (tf_item_msg){ .fd = 1 };
	if (TF_HAS(&tf_item_codec, &it, at))
		c->logs_next = (uint64_t)it.at + m->bulk_len;
	else
		c->logs_next += m->bulk_len;
	if (it.dropped > 0)
		tf_warn("%s: %lld bytes of console output were dropped (we "
		    "fell behind)", c->id, (long long)it.dropped);
	if (m->bulk_len > 0) {
		uint64_t ref = m->id;

		if (c->output != NULL)
			c->output(c, it.fd == 2 ? 2 : 1, m->bulk, m->bulk_len,
			    c->output_arg);
		sdk_ack(c->loc, ref, m->bulk_len, -1);
	}
	tf_item_free(&it);
}

static void
sdk_logs_subscribe(tf_container *c)
{
	tf_out o;

	if (c->logs_req != 0)
		return;
	tf_out_init(&o, "logs");
	tf_out_str(&o, "container", c->id);
	if (c->logs_next > 0)
		tf_out_int(&o, "skip", (int64_t)c->logs_next);
	c->logs_req = sdk_request(c->loc, &o, NULL, 0, sdk_logs_cb, c);
}

/* The location restarted: the console output streams it relayed are
 * gone with it (and the node ended its side).  Ask again from where each
 * one stopped, so that nothing is shown twice or lost while the ring on
 * the node still holds it. */
void
sdk_logs_streams_lost(tf_location *loc)
{
	for (size_t i = 0; i < loc->n_containers; i++) {
		tf_container *c = loc->containers[i];

		if (c->logs_req == 0)
			continue;
		sdk_forget(loc, c->logs_req);
		c->logs_req = 0;
	}
	sdk_logs_restore(loc);
}

/* Console output someone follows whose stream failed (the location
 * restarted before the container's node was back with it): asked for
 * again once the node is up, as a lost tunnel is. */
void
sdk_logs_restore(tf_location *loc)
{
	for (size_t i = 0; i < loc->n_containers; i++) {
		tf_container *c = loc->containers[i];
		const tf_model_container *r;
		const tf_model_node *n;

		if (c->logs_req != 0 || c->output == NULL || c->ended ||
		    c->state == TF_CTR_DESTROYED || c->id[0] == '\0')
			continue;
		r = tf_model_container_find(loc->model, c->id);
		n = r != NULL ? tf_model_node_find(loc->model, r->node) : NULL;
		if (n != NULL && n->up)
			sdk_logs_subscribe(c);
	}
}

int
tf_container_logs(tf_container *c, tf_output_fn fn, void *arg, tf_err *err)
{
	c->output = fn;
	c->output_arg = arg;
	if (fn == NULL) {
		tf_flow_msg u = { .ref = (int64_t)c->logs_req };
		tf_out o;

		if (c->logs_req == 0)
			return 0;
		tf_out_init(&o, "unsub");
		tf_flow_pack(&u, &o);
		sdk_send(c->loc, &o, NULL, 0);
		return 0;
	}
	if (sdk_container_usable(c, err) != 0)
		return -1;
	sdk_logs_subscribe(c);
	return c->logs_req != 0 ? 0 : tf_err_set(err, "not connected to %s",
	    c->loc->name);
}

/* ---- firewall ---------------------------------------------------------- */

static int
sdk_firewall(tf_container *c, tf_container *other, const char *cmd,
	     tf_err *err)
{
	tf_out o;

	if (other == NULL)
		return tf_err_set(err, "%s: no container given", cmd);
	if (tf_container_wait_ready(other, 0, err) != 0 ||
	    sdk_container_usable(c, err) != 0)
		return -1;
	if (other->ip[0] == '\0')
		return tf_err_set(err, "container %s has no address yet",
		    other->id);
	tf_out_init(&o, cmd);
	tf_allow_pack(&(tf_allow_msg){ .container = c->id, .ip = other->ip },
	    &o);
	if (sdk_call(c->loc, &o, NULL, 0, SDK_CALL_TIMEOUT_MS, NULL, err) != 0)
		return -1;
	if (strcmp(cmd, "allow") == 0)
		tf_info("Allowed connection (from %s) on: %s", other->id, c->id);
	else
		tf_info("Disallowed connection (from %s) on: %s", other->id,
		    c->id);
	return 0;
}

int
tf_container_allow_connection_from(tf_container *c, tf_container *other,
				   tf_err *err)
{
	return sdk_firewall(c, other, "allow", err);
}

int
tf_container_disallow_connection_from(tf_container *c, tf_container *other,
				      tf_err *err)
{
	return sdk_firewall(c, other, "disallow", err);
}

/* ---- volumes ----------------------------------------------------------- */

tf_volume *
sdk_volume_ensure(tf_location *loc, const char *id)
{
	tf_volume *v;

	for (size_t i = 0; i < loc->n_volumes; i++)
		if (strcmp(loc->volumes[i]->id, id) == 0)
			return loc->volumes[i];
	v = tf_calloc(1, sizeof *v);
	v->loc = loc;
	snprintf(v->id, sizeof v->id, "%s", id);
	SDK_PUSH(loc, volumes, v);
	return v;
}

static void
sdk_volume_display(tf_volume *v)
{
	if (v->tag[0] != '\0')
		snprintf(v->display, sizeof v->display, "%s:%s", v->id, v->tag);
	else
		snprintf(v->display, sizeof v->display, "%s", v->id);
}

tf_volume *
sdk_volume_get(tf_location *loc, const tf_model_volume *r)
{
	tf_volume *v = sdk_volume_ensure(loc, r->id);

	if (r->tag[0] != '\0')
		snprintf(v->tag, sizeof v->tag, "%s", r->tag);
	if (r->node[0] != '\0')
		snprintf(v->node, sizeof v->node, "%s", r->node);
	sdk_volume_display(v);
	return v;
}

void
sdk_volumes_resync(tf_location *loc)
{
	for (size_t i = 0; i < loc->n_volumes; i++) {
		tf_volume *v = loc->volumes[i];

		v->gone = tf_model_volume_find(loc->model, v->id) == NULL;
	}
}

void
sdk_volume_free(tf_volume *v)
{
	free(v);
}

tf_volume *
tf_location_create_volume(tf_location *loc, tf_node *node, const char *tag,
			  tf_err *err)
{
	return tf_location_create_volume_sized(loc, node, tag, 0, err);
}

tf_volume *
tf_location_create_volume_sized(tf_location *loc, tf_node *node,
				const char *tag, int64_t size, tf_err *err)
{
	tf_vol_msg req = { .size = size }, rep;
	char id[TF_MODEL_ID];
	tf_volume *v;
	tf_reply r;
	tf_out o;

	if (tag != NULL && tag[0] != '\0' && !tf_tag_valid(tag)) {
		tf_err_set(err, "Tag names can only use 0-9 a-z - _ and ., and "
		    "cannot look like UUIDs: '%s'", tag);
		return NULL;
	}
	if (size < 0) {
		tf_err_set(err, "a volume's size is 0 (the location's default) "
		    "or more bytes, not %lld", (long long)size);
		return NULL;
	}
	req.node = node != NULL ? node->name : NULL;
	req.tag = tag != NULL && tag[0] != '\0' ? tag : NULL;
	tf_out_init(&o, "vol_create");
	tf_vol_pack(&req, &o);
	if (sdk_call(loc, &o, NULL, 0, 60000, &r, err) != 0)
		return NULL;
	if (tf_vol_unpack(r.params, &rep, err) != 0 ||
	    ((rep.volume[0] == '\0' || strlen(rep.volume) >= sizeof id) &&
	    tf_err_set(err, "the answer to vol_create named no volume"))) {
		tf_vol_free(&rep);
		tf_reply_fini(&r);
		return NULL;
	}
	snprintf(id, sizeof id, "%s", rep.volume);
	tf_vol_free(&rep);
	tf_reply_fini(&r);
	v = sdk_volume_ensure(loc, id);
	v->gone = false;
	if (tag != NULL)
		snprintf(v->tag, sizeof v->tag, "%s", tag);
	if (v->node[0] == '\0' && node != NULL)
		snprintf(v->node, sizeof v->node, "%s", node->name);
	sdk_volume_display(v);
	tf_info("Created volume: %s", v->display);
	return v;
}

static int
sdk_volume_cmd(tf_volume *v, const char *cmd, tf_err *err)
{
	tf_vol_msg req = { 0 };
	tf_out o;

	if (v == NULL)
		return tf_err_set(err, "%s: no volume given", cmd);
	if (v->gone)
		return tf_err_set(err, "volume %s has been destroyed", v->id);
	req.volume = v->id;
	tf_out_init(&o, cmd);
	tf_vol_pack(&req, &o);
	return sdk_call(v->loc, &o, NULL, 0, 60000, NULL, err);
}

int
tf_location_destroy_volume(tf_location *loc, tf_volume *v, tf_err *err)
{
	if (sdk_volume_cmd(v, "vol_destroy", err) != 0)
		return -1;
	v->gone = true;
	tf_info("Destroyed volume: %s", v->display);
	return 0;
}

int tf_volume_snapshot(tf_volume *v, tf_err *err) { return sdk_volume_cmd(v, "vol_snapshot", err); }
int tf_volume_rollback(tf_volume *v, tf_err *err) { return sdk_volume_cmd(v, "vol_rollback", err); }

tf_volume *
tf_location_volume(tf_location *loc, const char *key, tf_err *err)
{
	const tf_model_volume *r;

	if (key == NULL || key[0] == '\0') {
		tf_err_set(err, "no volume named");
		return NULL;
	}
	if (strchr(strchr(key, ':') ? strchr(key, ':') + 1 : "", ':') != NULL) {
		tf_err_set(err, "'%s': a volume is named by uuid, tag or "
		    "uuid:tag", key);
		return NULL;
	}
	r = tf_model_volume_lookup(loc->model, key);
	if (r == NULL) {
		tf_err_set(err, "Can't find volume: %s", key);
		return NULL;
	}
	return sdk_volume_get(loc, r);
}

tf_volume *
tf_location_ensure_volume(tf_location *loc, const char *key, tf_err *err)
{
	tf_volume *v = tf_location_volume(loc, key, NULL);

	return v != NULL ? v : tf_location_create_volume(loc, NULL, key, err);
}

size_t
tf_location_volumes(tf_location *loc, tf_volume **out, size_t max)
{
	size_t n = tf_model_count(loc->model, TF_MODEL_VOLUME);

	for (size_t i = 0; i < n && i < max; i++)
		out[i] = sdk_volume_get(loc, tf_model_volume_at(loc->model, i));
	return n;
}

int
tf_location_node_and_volume(tf_location *loc, const char *key, tf_node **node,
			    tf_volume **volume, tf_err *err)
{
	tf_volume *v = tf_location_volume(loc, key, err);

	if (v == NULL)
		return -1;
	if (v->node[0] == '\0')
		return tf_err_set(err, "the location did not say which node "
		    "holds volume %s", v->display);
	if (node != NULL)
		*node = sdk_node_get(loc, v->node);
	if (volume != NULL)
		*volume = v;
	return 0;
}

const char *tf_volume_id(const tf_volume *v) { return v->id; }
const char *tf_volume_tag(const tf_volume *v) { return v->tag; }
const char *tf_volume_display_name(const tf_volume *v) { return v->display; }
bool tf_volume_exists(const tf_volume *v) { return !v->gone; }

tf_node *
tf_volume_node(const tf_volume *v)
{
	return v->node[0] != '\0' ? sdk_node_get(v->loc, v->node) : NULL;
}
