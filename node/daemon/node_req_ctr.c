/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_req_ctr: the container commands of a node.
 *
 * spawn: the request is checked and copied, the image's layers are made
 * present (fetched from the location and unpacked once, node_layer_cache.c), the
 * container gets an address and a network namespace (node_req_net.c), then
 * ctr_spawn() prepares the bundle and starts runc.  `^ {container, node}`
 * answers once the container is on its way; anything that fails before is
 * a `!` naming the reason.  From then on every change of state is reported
 * to the location as `ctr_status`.
 *
 * destroy, reboot, wake, put and fetch act on a running record; destroy and
 * reboot answer when the container is gone / running again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fs_xfer.h"
#include "node.h"
#include "tf_codec_file.h"
#include "tf_codec_report.h"
#include "rt_runc.h"
#include "tf_log.h"

#define FETCH_MAX TF_FETCH_MAX
#define PUT_IDLE_MS (5 * 60 * 1000)

/* --- msgpack helpers ----------------------------------------------------- */

static char *
obj_strdup(const msgpack_object *o)
{
	if (o == NULL)
		return NULL;
	if (o->type == MSGPACK_OBJECT_STR)
		return tf_strndup(o->via.str.ptr, o->via.str.size);
	if (o->type == MSGPACK_OBJECT_BIN)
		return tf_strndup(o->via.bin.ptr, o->via.bin.size);
	return NULL;
}

/* An image's StopSignal ("SIGQUIT", "QUIT" or "3") as a number; 0 when
 * absent or not a signal this node knows (then destroy kills at once). */
static int
stop_signal_parse(const msgpack_object *o)
{
	static const struct { const char *name; int sig; } sigs[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
		{ "TERM", SIGTERM }, { "WINCH", SIGWINCH }, { "PWR", SIGPWR },
	};
	char *s = obj_strdup(o), *name, *end;
	long n;
	int sig = 0;

	if (s == NULL)
		return 0;
	name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	n = strtol(name, &end, 10);
	if (end != name && *end == '\0' && n > 0 && n < NSIG)
		sig = (int)n;
	for (size_t i = 0; sig == 0 && i < TF_ARRAY_LEN(sigs); i++)
		if (strcasecmp(name, sigs[i].name) == 0)
			sig = sigs[i].sig;
	/* Most images name no StopSignal: that is no reason to warn. */
	if (sig == 0 && *name != '\0')
		tf_warn("StopSignal %s: not a signal known here; destroy "
		    "kills at once", s);
	free(s);
	return sig;
}

static void
strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* An array of strings as a NULL-terminated vector; *out NULL when absent
 * or nil.  Strings must not contain NUL. */
static int
obj_strv(const msgpack_object *o, const char *what, size_t max, char ***out,
	 tf_err *err)
{
	char **v;

	*out = NULL;
	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size > max)
		return tf_err_set(err, "%s must be a list of at most %zu strings",
		    what, max);
	v = tf_calloc(o->via.array.size + 1, sizeof *v);
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		const msgpack_object *s = &o->via.array.ptr[i];

		if (s->type != MSGPACK_OBJECT_STR ||
		    (s->via.str.size > 0 &&
		    memchr(s->via.str.ptr, '\0', s->via.str.size) != NULL)) {
			strv_free(v);
			return tf_err_set(err, "%s must be a list of strings", what);
		}
		v[i] = tf_strndup(s->via.str.ptr, s->via.str.size);
	}
	*out = v;
	return 0;
}

/* The image config uses Docker's keys; the protocol documents lower-case
 * ones.  Either is accepted. */
static const msgpack_object *
config_get(const msgpack_object *config, const char *docker, const char *lower)
{
	const msgpack_object *o;

	if (config == NULL || config->type != MSGPACK_OBJECT_MAP)
		return NULL;
	o = tf_obj_get(config, docker);
	return o != NULL ? o : tf_obj_get(config, lower);
}

/* --- records ------------------------------------------------------------- */

struct node_ctr *
node_ctr_of(ctr *c)
{
	return ctr_data(c);
}

ctr *
node_ctr_lookup(struct node *n, const tf_msg *m, tf_err *err)
{
	char id[NODE_ID_LEN];

	if (tf_msg_str(m, "container", id, sizeof id, true, err) != 0)
		return NULL;
	return node_ctr_by_id(n, id, err);
}

ctr *
node_ctr_by_id(struct node *n, const char *id, tf_err *err)
{
	ctr *c = ctr_find(n->ctrs, id);

	if (c == NULL || ctr_data(c) == NULL) {
		tf_err_set(err, "no such container: %s", id);
		return NULL;
	}
	return c;
}

static void
send_status(struct node *n, ctr *c)
{
	struct node_ctr *nc = ctr_data(c);
	tf_ctr_status_msg st = {
		.container = ctr_id(c),
		.state = ctr_state_name(ctr_get_state(c)),
		.ip = nc != NULL ? nc->ip : "",
		/* -1 after a reboot, so that an old exit code does not
		 * linger. */
		.exit_code = ctr_exit_code(c),
		.error = ctr_error(c),
		.startup_ms = ctr_startup_ms(c),
	};
	tf_out o;

	if (n->conn == NULL)
		return;
	TF_SET(&tf_ctr_status_codec, &st, ip);
	TF_SET(&tf_ctr_status_codec, &st, exit_code);
	if (st.startup_ms >= 0)
		TF_SET(&tf_ctr_status_codec, &st, startup_ms);
	tf_out_init(&o, "ctr_status");
	tf_ctr_status_pack(&st, &o);
	if (tf_conn_send(n->conn, &o, NULL, 0) != 0)
		tf_warn("cannot report container %s: %s", ctr_id(c),
		    strerror(errno));
}

static void
send_status_raw(struct node *n, const char *id, const char *state,
		const char *error)
{
	tf_ctr_status_msg st = { .container = id, .state = state,
	    .error = error };
	tf_out o;

	if (n->conn == NULL)
		return;
	tf_out_init(&o, "ctr_status");
	tf_ctr_status_pack(&st, &o);
	tf_conn_send(n->conn, &o, NULL, 0);
}

static void
answer_ids(struct node *n, uint64_t *ids, size_t *nids, const char *error)
{
	for (size_t i = 0; i < *nids; i++) {
		if (error != NULL)
			node_reply_error(n, ids[i], "%s", error);
		else
			node_reply(n, ids[i], NULL, NULL, 0);
	}
	*nids = 0;
}

void
node_ctr_state_cb(ctr *c, void *arg)
{
	struct node *n = arg;
	struct node_ctr *nc = ctr_data(c);
	ctr_state st = ctr_get_state(c);

	if (nc == NULL)
		return;
	tf_info("container %s %s%s%s", ctr_id(c), ctr_state_name(st),
	    ctr_error(c)[0] ? ": " : "", ctr_error(c));
	if (n->conn != NULL)
		send_status(n, c);
	nc->reported = st;
	switch (st) {
	case CTR_RUNNING:
		nc->started = tf_wall_time();
		node_ctr_note_save(n, c);
		answer_ids(n, nc->reboot_ids, &nc->nreboot_ids, NULL);
		break;
	case CTR_SLEEPING:
	case CTR_EXITED:
		answer_ids(n, nc->reboot_ids, &nc->nreboot_ids, NULL);
		break;
	case CTR_FAILED:
		answer_ids(n, nc->reboot_ids, &nc->nreboot_ids, ctr_error(c));
		break;
	case CTR_DESTROYED:
		answer_ids(n, nc->reboot_ids, &nc->nreboot_ids,
		    "the container was destroyed");
		node_streams_ctr_gone(n, c);
		node_tunnels_ctr_gone(n, ctr_id(c));
		node_net_ctr_destroy(n, nc);
		answer_ids(n, nc->destroy_ids, &nc->ndestroy_ids, NULL);
		ctr_set_data(c, NULL);
		free(nc);
		break;
	case CTR_SPAWNING:
		break;
	}
}

void
node_ctr_output_cb(ctr *c, int fd, const uint8_t *data, size_t len, void *arg)
{
	node_streams_output(arg, c, fd, data, len);
}

/* --- spawn ---------------------------------------------------------------- */

static void
spawn_free(struct node_spawn *sp)
{
	tf_spawn_free(&sp->req);
	if (sp->params_raw != NULL)
		msgpack_unpacked_destroy(&sp->params);
	free(sp->params_raw);
	free(sp);
}

static void
spawn_unlink(struct node *n, struct node_spawn *sp)
{
	struct node_spawn **pp;

	for (pp = &n->spawns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == sp) {
			*pp = sp->next;
			return;
		}
	}
}

static struct node_spawn *
spawn_find(struct node *n, const char *id)
{
	struct node_spawn *sp;

	for (sp = n->spawns; sp != NULL; sp = sp->next) {
		if (strcmp(sp->id, id) == 0)
			return sp;
	}
	return NULL;
}

/* The pre-boot files as the runtime takes them. */
static ctr_file *
spawn_preboot(const tf_spawn_msg *req)
{
	ctr_file *out = tf_calloc(req->n_preboot + 1, sizeof *out);

	for (size_t i = 0; i < req->n_preboot; i++) {
		out[i].path = req->preboot[i].path;
		out[i].data = req->preboot[i].data;
		out[i].len = req->preboot[i].n_data;
	}
	return out;
}

static void
spawn_limits(const tf_spawn_limits *lim, rt_limits *l)
{
	memset(l, 0, sizeof *l);
	l->memory_bytes = (uint64_t)lim->memory_mb << 20;
	l->pids = lim->pids;
	l->cpu_shares = (uint64_t)lim->cpu_shares;
}

/* Volumes live in <state>/volumes/<id>/data; [[volume, mountpoint]]. */
static int
spawn_volumes(struct node *n, const tf_spawn_msg *req, rt_mount **out,
	      size_t *nout, char ***strs, tf_err *err)
{
	size_t k = 0;

	*out = NULL;
	*nout = 0;
	*strs = NULL;
	if (req->n_volumes == 0)
		return 0;
	*out = tf_calloc(req->n_volumes, sizeof **out);
	*strs = tf_calloc(2 * req->n_volumes + 1, sizeof **strs);
	for (size_t i = 0; i < req->n_volumes; i++) {
		const char *vol = req->volumes[i].volume;
		const char *mnt = req->volumes[i].mountpoint;
		char *src;

		if (mnt[0] != '/' || strlen(vol) >= NODE_ID_LEN ||
		    !rt_runc_id_valid(vol))
			return tf_err_set(err, "volumes must be [[volume, "
			    "/absolute/mountpoint], ...]");
		src = tf_asprintf("%s/volumes/%s/data", n->state_dir, vol);
		if (access(src, F_OK) != 0) {
			free(src);
			return tf_err_set(err, "volume %s is not on this node", vol);
		}
		(*strs)[k++] = src;
		(*strs)[k++] = tf_strdup(mnt);
		(*out)[i].source = src;
		(*out)[i].dest = (*strs)[k - 1];
	}
	*nout = req->n_volumes;
	return 0;
}

/* Runs a spawn whose layers are all present.  Answers the request. */
static void
spawn_run(struct node *n, struct node_spawn *sp)
{
	const tf_spawn_msg *req = &sp->req;
	const msgpack_object *config = req->config;
	char **entrypoint = NULL, **cmd = NULL, **image_env = NULL,
	    **layer_paths = NULL, **vol_strs = NULL, *workdir = NULL,
	    *user = NULL;
	ctr_file *pre = NULL;
	rt_mount *mounts = NULL;
	size_t nmounts = 0, i;
	struct node_ctr *nc = NULL;
	ctr_spec spec;
	tf_err err;
	ctr *c;
	tf_out o;

	tf_err_clear(&err);
	memset(&spec, 0, sizeof spec);
	if (obj_strv(config_get(config, "Entrypoint", "entrypoint"),
	    "entrypoint", 4096, &entrypoint, &err) != 0 ||
	    obj_strv(config_get(config, "Cmd", "cmd"), "cmd", 4096, &cmd,
	    &err) != 0 ||
	    obj_strv(config_get(config, "Env", "env"), "env", 4096, &image_env,
	    &err) != 0 ||
	    spawn_volumes(n, req, &mounts, &nmounts, &vol_strs, &err) != 0)
		goto fail;
	pre = spawn_preboot(req);
	spawn_limits(&req->limits, &spec.limits);
	workdir = obj_strdup(config_get(config, "WorkingDir", "workdir"));
	user = obj_strdup(config_get(config, "User", "user"));

	nc = tf_calloc(1, sizeof *nc);
	snprintf(nc->id, sizeof nc->id, "%s", sp->id);
	nc->user = req->user;
	snprintf(nc->session, sizeof nc->session, "%s", req->session);
	snprintf(nc->tag, sizeof nc->tag, "%s", req->tag);
	snprintf(nc->image, sizeof nc->image, "%s", req->image);
	nc->created = tf_wall_time();
	nc->reported = CTR_SPAWNING;
	for (i = 0; vol_strs != NULL && vol_strs[2 * i] != NULL &&
	    i < TF_ARRAY_LEN(nc->vols); i++) {
		/* <state>/volumes/<id>/data */
		const char *src = vol_strs[2 * i];
		const char *end = strrchr(src, '/');
		const char *start = end;

		while (start > src && start[-1] != '/')
			start--;
		snprintf(nc->vols[i], sizeof nc->vols[i], "%.*s",
		    (int)(end - start), start);
		nc->nvols = i + 1;
	}
	if (node_net_ctr_create(n, nc, &err) != 0)
		goto fail;

	layer_paths = tf_calloc(sp->nlayers + 1, sizeof *layer_paths);
	for (i = 0; i < sp->nlayers; i++)
		layer_paths[i] = node_layer_path(n, sp->layers[i]);
	spec.id = sp->id;
	spec.layers = (const char *const *)layer_paths;
	spec.nlayers = sp->nlayers;
	spec.entrypoint = (const char *const *)entrypoint;
	spec.cmd = (const char *const *)cmd;
	spec.image_env = (const char *const *)image_env;
	spec.workdir = workdir;
	spec.user = user;
	spec.stop_signal = stop_signal_parse(config_get(config, "StopSignal",
	    "stop_signal"));
	spec.env = req->env;
	spec.command = req->command;
	spec.preboot = pre;
	spec.npreboot = req->n_preboot;
	spec.sleep = req->sleep;
	spec.mounts = mounts;
	spec.nmounts = nmounts;
	spec.netns = nc->netns[0] != '\0' ? nc->netns : NULL;
	spec.hostname = nc->tag[0] != '\0' ? nc->tag : NULL;
	spec.t0_ms = sp->t0_ms;
	c = ctr_spawn(n->ctrs, &spec, &err);
	if (c == NULL) {
		node_net_ctr_destroy(n, nc);
		goto fail;
	}
	ctr_set_data(c, nc);
	nc = NULL;
	node_ctr_note_save(n, c);
	tf_out_init(&o, TF_REPLY);
	tf_out_str(&o, "container", sp->id);
	tf_out_str(&o, "node", n->opt.name);
	node_reply(n, sp->req_id, &o, NULL, 0);
	send_status(n, c);
	goto out;

fail:
	tf_warn("spawn of %s failed: %s", sp->id, err.msg);
	node_reply_error(n, sp->req_id, "%s", err.msg);
	send_status_raw(n, sp->id, "failed", err.msg);
	free(nc);
out:
	strv_free(entrypoint);
	strv_free(cmd);
	strv_free(image_env);
	strv_free(layer_paths);
	strv_free(vol_strs);
	free(pre);
	free(mounts);
	free(workdir);
	free(user);
}

/* Moves a spawn on: runs it if its layers are there, fails it if one of
 * them could not be had, else leaves it waiting.  Returns true when it is
 * finished with (and unlinked). */
static bool
spawn_step(struct node *n, struct node_spawn *sp)
{
	char why[TF_ERR_LEN];
	tf_err err;
	int rc;

	if (sp->cancelled) {
		node_reply_error(n, sp->req_id, "the container was destroyed "
		    "before it started");
		send_status_raw(n, sp->id, "destroyed", NULL);
		spawn_unlink(n, sp);
		spawn_free(sp);
		return true;
	}
	if (node_layer_failed(n, sp->layers, sp->nlayers, why, sizeof why)) {
		node_reply_error(n, sp->req_id, "%s", why);
		send_status_raw(n, sp->id, "failed", why);
		spawn_unlink(n, sp);
		spawn_free(sp);
		return true;
	}
	rc = node_layers_ensure(n, sp->layers, sp->nlayers, &err);
	if (rc == 0)
		return false;
	spawn_unlink(n, sp);
	if (rc < 0) {
		node_reply_error(n, sp->req_id, "%s", err.msg);
		send_status_raw(n, sp->id, "failed", err.msg);
	} else {
		spawn_run(n, sp);
	}
	spawn_free(sp);
	return true;
}

void
node_spawn_layers_ready(struct node *n)
{
	struct node_spawn *sp, *next;

	for (sp = n->spawns; sp != NULL; sp = next) {
		next = sp->next;
		spawn_step(n, sp);
	}
}

/* The message goes away after this call: the spawn keeps a private copy
 * of the params (and the request unpacked from it) for when the layers
 * have arrived. */
static struct node_spawn *
spawn_new(const tf_msg *m, tf_err *err)
{
	struct node_spawn *sp = tf_calloc(1, sizeof *sp);
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_object(&pk, *m->params);
	sp->params_len = sb.size;
	sp->params_raw = (uint8_t *)msgpack_sbuffer_release(&sb);
	msgpack_unpacked_init(&sp->params);
	if (msgpack_unpack_next(&sp->params, (const char *)sp->params_raw,
	    sp->params_len, NULL) != MSGPACK_UNPACK_SUCCESS) {
		spawn_free(sp);
		tf_err_set(err, "cannot copy the spawn request");
		return NULL;
	}
	if (tf_spawn_unpack(&sp->params.data, &sp->req, err) != 0) {
		spawn_free(sp);
		return NULL;
	}
	return sp;
}

/* What only a node checks of a spawn: a new, valid id and the layers. */
static int
spawn_check(struct node *n, const tf_spawn_msg *req, tf_err *err)
{
	const char *id = req->container;

	if (id[0] == '\0')
		return tf_err_set(err, "missing parameter: container");
	if (!rt_runc_id_valid(id))
		return tf_err_set(err, "bad container id: %s", id);
	if (ctr_find(n->ctrs, id) != NULL || spawn_find(n, id) != NULL)
		return tf_err_set(err, "container %s already exists", id);
	if (req->layers == NULL)
		return tf_err_set(err, "layers must be a list of sha256 digests");
	for (size_t i = 0; i < req->n_layers; i++) {
		if (!node_sha_valid(req->layers[i]))
			return tf_err_set(err, "bad layer digest: %s",
			    req->layers[i]);
	}
	return 0;
}

int
node_cmd_spawn(struct node *n, const tf_msg *m, tf_err *err)
{
	struct node_spawn *sp = spawn_new(m, err);

	if (sp == NULL)
		return -1;
	if (spawn_check(n, &sp->req, err) != 0) {
		spawn_free(sp);
		return -1;
	}
	sp->layers = (char **)(uintptr_t)sp->req.layers;
	sp->nlayers = sp->req.n_layers;
	sp->req_id = m->id;
	sp->t0_ms = tf_now_ms();
	snprintf(sp->id, sizeof sp->id, "%s", sp->req.container);
	sp->next = n->spawns;
	n->spawns = sp;
	tf_info("spawn %s: %zu layers", sp->id, sp->nlayers);
	spawn_step(n, sp);
	return 0;
}

void
node_spawns_free(struct node *n)
{
	struct node_spawn *sp;

	while ((sp = n->spawns) != NULL) {
		n->spawns = sp->next;
		spawn_free(sp);
	}
}

/* --- destroy, reboot, wake ------------------------------------------------ */

int
node_cmd_destroy(struct node *n, const tf_msg *m, tf_err *err)
{
	char id[NODE_ID_LEN];
	struct node_spawn *sp;
	struct node_ctr *nc;
	ctr *c;

	if (tf_msg_str(m, "container", id, sizeof id, true, err) != 0)
		return -1;
	sp = spawn_find(n, id);
	if (sp != NULL) {
		/* Still fetching layers: it never starts. */
		sp->cancelled = true;
		node_reply(n, m->id, NULL, NULL, 0);
		spawn_step(n, sp);
		return 0;
	}
	c = ctr_find(n->ctrs, id);
	if (c == NULL || (nc = ctr_data(c)) == NULL)
		return tf_err_set(err, "no such container: %s", id);
	if (m->id != 0) {
		if (nc->ndestroy_ids == TF_ARRAY_LEN(nc->destroy_ids))
			node_reply(n, m->id, NULL, NULL, 0);
		else
			nc->destroy_ids[nc->ndestroy_ids++] = m->id;
	}
	tf_info("destroying container %s", id);
	/* Its processes are about to be killed: say why before their
	 * SIGKILL deaths are reaped and read as plain signals. */
	node_streams_ctr_gone(n, c);
	ctr_destroy(c);
	return 0;
}

int
node_cmd_reboot(struct node *n, const tf_msg *m, tf_err *err)
{
	struct node_ctr *nc;
	bool reset = false;
	ctr *c = node_ctr_lookup(n, m, err);

	if (c == NULL || tf_msg_bool(m, "reset", &reset, false, err) < 0)
		return -1;
	nc = ctr_data(c);
	if (ctr_reboot(c, reset, err) != 0)
		return -1;
	/* ctr_reboot may already have reported "spawning"; the answer
	 * comes when it runs again. */
	if (m->id != 0) {
		if (nc->nreboot_ids == TF_ARRAY_LEN(nc->reboot_ids))
			return tf_err_set(err, "too many reboots in flight");
		nc->reboot_ids[nc->nreboot_ids++] = m->id;
	}
	return 0;
}

int
node_cmd_wake(struct node *n, const tf_msg *m, tf_err *err)
{
	ctr *c = node_ctr_lookup(n, m, err);

	if (c == NULL || ctr_wake(c, err) != 0)
		return -1;
	return node_reply(n, m->id, NULL, NULL, 0);
}

/* --- put / fetch ----------------------------------------------------------- */

/* The container and request of a put or fetch; *fm to free when one is
 * returned. */
static ctr *
file_lookup(struct node *n, const tf_msg *m, tf_file_msg *fm, tf_err *err)
{
	ctr *c;

	if (tf_file_unpack(m->params, fm, err) != 0)
		return NULL;
	c = node_ctr_by_id(n, fm->container, err);
	if (c == NULL)
		tf_file_free(fm);
	return c;
}

int
node_cmd_put(struct node *n, const tf_msg *m, tf_err *err)
{
	tf_file_reply rep = { 0 };
	tf_file_msg fm;
	int64_t written;
	int rootfd;
	tf_out o;
	ctr *c = file_lookup(n, m, &fm, err);

	if (c == NULL)
		return -1;
	rootfd = ctr_root_open(c, err);
	if (rootfd < 0) {
		tf_file_free(&fm);
		return -1;
	}
	written = fs_put(ctr_xfer(c), rootfd, ctr_workdir(c), fm.path,
	    (uint64_t)fm.offset, m->bulk, m->bulk != NULL ? m->bulk_len : 0,
	    fm.last, TF_HAS(&tf_file_codec, &fm, mode) ? (int)fm.mode : -1,
	    err);
	close(rootfd);
	tf_file_free(&fm);
	if (written < 0)
		return -1;
	rep.written = written;
	TF_SET(&tf_file_reply_codec, &rep, written);
	tf_out_init(&o, TF_REPLY);
	tf_file_reply_pack(&rep, &o);
	return node_reply(n, m->id, &o, NULL, 0);
}

int
node_cmd_fetch(struct node *n, const tf_msg *m, tf_err *err)
{
	tf_file_reply rep = { 0 };
	int64_t length = FETCH_MAX;
	uint64_t size = 0;
	tf_file_msg fm;
	uint8_t *buf;
	ssize_t got;
	int rootfd;
	tf_out o;
	ctr *c = file_lookup(n, m, &fm, err);

	if (c == NULL)
		return -1;
	if (TF_HAS(&tf_file_codec, &fm, length))
		length = fm.length;
	rootfd = ctr_root_open(c, err);
	if (rootfd < 0) {
		tf_file_free(&fm);
		return -1;
	}
	buf = tf_malloc(length > 0 ? (size_t)length : 1);
	got = fs_fetch(rootfd, ctr_workdir(c), fm.path, (uint64_t)fm.offset,
	    buf, (size_t)length, &size, err);
	close(rootfd);
	if (got < 0) {
		tf_file_free(&fm);
		free(buf);
		return -1;
	}
	rep.size = (int64_t)size;
	rep.eof = (uint64_t)fm.offset + (uint64_t)got >= size;
	TF_SET(&tf_file_reply_codec, &rep, size);
	TF_SET(&tf_file_reply_codec, &rep, eof);
	tf_file_free(&fm);
	tf_out_init(&o, TF_REPLY);
	tf_file_reply_pack(&rep, &o);
	node_reply(n, m->id, &o, buf, (size_t)got);
	free(buf);
	return 0;
}

/* --- the note that outlives the node process -------------------------------- */

/* What the daemon knows of a container beyond the runtime's record, saved
 * with it (ctr_note_save) whenever it changes, so that a restarted node
 * can adopt the container (docs/SCALE.md). */
void
node_ctr_note_save(struct node *n, ctr *c)
{
	struct node_ctr *nc = ctr_data(c);
	json_t *j, *vols, *allowed;
	char ip[INET_ADDRSTRLEN], *text;
	tf_err err;

	(void)n;
	if (nc == NULL)
		return;
	vols = json_array();
	for (size_t i = 0; i < nc->nvols; i++)
		json_array_append_new(vols, json_string(nc->vols[i]));
	allowed = json_array();
	for (size_t i = 0; i < nc->nallowed; i++) {
		if (inet_ntop(AF_INET, &nc->allowed[i], ip, sizeof ip) != NULL)
			json_array_append_new(allowed, json_string(ip));
	}
	j = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:f,s:f,s:o,s:o}",
	    "user", (json_int_t)nc->user, "session", nc->session, "tag",
	    nc->tag, "image", nc->image, "ip", nc->ip, "netns", nc->netns,
	    "created", nc->created, "started", nc->started, "vols", vols,
	    "allowed", allowed);
	if (j == NULL) {
		tf_warn("container %s: cannot make its note", nc->id);
		return;
	}
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (ctr_note_save(c, text, &err) != 0)
		tf_warn("container %s: %s; a restarted node will not adopt it",
		    nc->id, err.msg);
	free(text);
}

static void
note_str(const json_t *j, const char *key, char *buf, size_t size)
{
	const char *v = json_string_value(json_object_get(j, key));

	snprintf(buf, size, "%s", v != NULL ? v : "");
}

bool
node_ctr_adopt(ctr *c, const char *note, void *arg)
{
	struct node *n = arg;
	struct node_ctr *nc;
	const json_t *a;
	struct in_addr addr;
	json_t *j;

	(void)n;
	j = note != NULL ? json_loads(note, 0, NULL) : NULL;
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		return false;
	}
	nc = tf_calloc(1, sizeof *nc);
	snprintf(nc->id, sizeof nc->id, "%s", ctr_id(c));
	nc->user = json_integer_value(json_object_get(j, "user"));
	note_str(j, "session", nc->session, sizeof nc->session);
	note_str(j, "tag", nc->tag, sizeof nc->tag);
	note_str(j, "image", nc->image, sizeof nc->image);
	note_str(j, "ip", nc->ip, sizeof nc->ip);
	note_str(j, "netns", nc->netns, sizeof nc->netns);
	nc->created = json_real_value(json_object_get(j, "created"));
	nc->started = json_real_value(json_object_get(j, "started"));
	a = json_object_get(j, "vols");
	for (size_t i = 0; i < json_array_size(a) &&
	    i < TF_ARRAY_LEN(nc->vols); i++) {
		const char *v = json_string_value(json_array_get(a, i));

		snprintf(nc->vols[nc->nvols++], sizeof nc->vols[0], "%s",
		    v != NULL ? v : "");
	}
	a = json_object_get(j, "allowed");
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *v = json_string_value(json_array_get(a, i));

		if (v != NULL && inet_pton(AF_INET, v, &addr) == 1)
			node_ctr_allowed_add(nc, addr);
	}
	json_decref(j);
	/* Told to the location by the hello: the state it has now. */
	nc->reported = ctr_get_state(c);
	nc->reported_exit = -1;
	ctr_set_data(c, nc);
	return true;
}

/* --- hello, housekeeping, shutdown ----------------------------------------- */

struct hello_ctx {
	struct node *n;
	tf_node_hello_msg msg;
	size_t cap;
};

static tf_node_ctr_rec *
hello_add(struct hello_ctx *h)
{
	tf_node_ctr_rec *r;

	if (h->msg.n_containers == h->cap) {
		h->cap = h->cap * 2 + 16;
		h->msg.containers = tf_realloc(h->msg.containers,
		    h->cap * sizeof *h->msg.containers);
	}
	r = &h->msg.containers[h->msg.n_containers++];
	memset(r, 0, sizeof *r);
	return r;
}

static void
hello_one(ctr *c, void *arg)
{
	const tf_codec *rc = &tf_node_ctr_rec_codec;
	struct hello_ctx *h = arg;
	struct node_ctr *nc = ctr_data(c);
	tf_node_ctr_rec *r;

	if (nc == NULL)
		return;
	r = hello_add(h);
	r->container = ctr_id(c);
	r->user = nc->user;
	r->session = nc->session;
	r->tag = nc->tag;
	r->image = nc->image;
	r->state = ctr_state_name(ctr_get_state(c));
	r->ip = nc->ip;
	r->exit_code = ctr_exit_code(c);
	r->error = ctr_error(c);
	r->created = nc->created;
	r->started = nc->started;
	r->startup_ms = ctr_startup_ms(c) > 0 ? ctr_startup_ms(c) : 0;
	r->node = h->n->opt.name;
	TF_SET(rc, r, ip);
	TF_SET(rc, r, exit_code);
	TF_SET(rc, r, error);
	TF_SET(rc, r, created);
	TF_SET(rc, r, started);
	TF_SET(rc, r, startup_ms);
	TF_SET(rc, r, node);
}

void
node_hello_containers(struct node *n, tf_out *o)
{
	static const char *const no_volumes[] = { NULL };
	struct hello_ctx h = { .n = n };
	struct node_spawn *sp;

	h.msg.containers = tf_calloc(1, sizeof *h.msg.containers);
	ctr_table_foreach(n->ctrs, hello_one, &h);
	/* Spawns still waiting for layers are containers too. */
	for (sp = n->spawns; sp != NULL; sp = sp->next) {
		tf_node_ctr_rec *r = hello_add(&h);

		r->container = sp->id;
		r->user = sp->req.user;
		r->session = sp->req.session;
		r->tag = sp->req.tag;
		r->image = sp->req.image;
		r->state = "spawning";
	}
	h.msg.volumes = no_volumes;
	tf_node_hello_pack(&h.msg, o);
	free(h.msg.containers);
}

static void
hk_one(ctr *c, void *arg)
{
	(void)arg;
	fs_xfer_expire(ctr_xfer(c), PUT_IDLE_MS);
}

void
node_ctr_housekeeping(struct node *n)
{
	ctr_table_foreach(n->ctrs, hk_one, n);
}

static void
shutdown_one(ctr *c, void *arg)
{
	struct node *n = arg;

	if (ctr_data(c) != NULL)
		send_status_raw(n, ctr_id(c), "destroyed", "the node shut down");
}

void
node_shutdown_report(struct node *n)
{
	struct node_spawn *sp;

	if (n->ctrs != NULL)
		ctr_table_foreach(n->ctrs, shutdown_one, n);
	for (sp = n->spawns; sp != NULL; sp = sp->next) {
		node_reply_error(n, sp->req_id, "the node shut down");
		send_status_raw(n, sp->id, "destroyed", "the node shut down");
	}
}

static void
free_one(ctr *c, void *arg)
{
	(void)arg;
	free(ctr_data(c));
	ctr_set_data(c, NULL);
}

/* Shutdown: the records of containers that are about to be killed. */
void
node_ctrs_free(struct node *n)
{
	ctr_table_foreach(n->ctrs, free_one, n);
}
