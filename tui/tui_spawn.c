/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_spawn: the spawn dialog and the quick ":spawn IMAGE [TAG]".  The
 * form offers the location's images, the up nodes (the best one first),
 * a tag, environment, pre-boot files from local paths, volumes to mount,
 * a command and sleep.  Local files are read here, bounded, so a mistake
 * in a path is reported before anything is sent.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_msg.h"
#include "tf_util.h"
#include "tui.h"

#define SPAWN_LIST 32
#define SPAWN_FILES_MAX (512u << 10)	/* all pre-boot files together */

enum {
	F_IMAGE, F_NODE, F_TAG, F_ENV, F_FILES, F_VOLUMES, F_COMMAND, F_SLEEP,
	F_LAST
};

struct spawn_parts {
	char *words[SPAWN_LIST + 1];	/* NULL-terminated for the SDK */
	size_t n;
	char *buf;
};

/* Splits on sep (and trims); the parts borrow from one copy. */
static void
spawn_split(struct spawn_parts *p, const char *text, const char *sep)
{
	char *save = NULL, *w, *e;

	memset(p, 0, sizeof *p);
	p->buf = tf_strdup(text);
	for (w = strtok_r(p->buf, sep, &save); w != NULL && p->n < SPAWN_LIST;
	    w = strtok_r(NULL, sep, &save)) {
		while (isspace((unsigned char)*w))
			w++;
		e = w + strlen(w);
		while (e > w && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*w != '\0')
			p->words[p->n++] = w;
	}
}

/* Splits like a shell does words: spaces separate, '...' and "..." quote,
 * a backslash escapes the next character.  No expansion of any kind. */
static int
spawn_words(struct spawn_parts *p, const char *text)
{
	char *out;
	char quote = 0;
	bool in_word = false;

	memset(p, 0, sizeof *p);
	p->buf = tf_malloc(strlen(text) + 1);
	out = p->buf;
	for (; *text != '\0'; text++) {
		if (quote != 0) {
			if (*text == quote)
				quote = 0;
			else if (*text == '\\' && quote == '"' && text[1] != '\0')
				*out++ = *++text;
			else
				*out++ = *text;
			continue;
		}
		if (*text == ' ' || *text == '\t') {
			if (in_word) {
				*out++ = '\0';
				in_word = false;
			}
			continue;
		}
		if (!in_word) {
			if (p->n == SPAWN_LIST)
				return -1;
			p->words[p->n++] = out;
			in_word = true;
		}
		if (*text == '\'' || *text == '"')
			quote = *text;
		else if (*text == '\\' && text[1] != '\0')
			*out++ = *++text;
		else
			*out++ = *text;
	}
	*out = '\0';
	return quote != 0 ? -1 : 0;
}

static void
spawn_report(void *arg, const char *error, const msgpack_object *params)
{
	char *what = arg, ctr[TF_MODEL_ID] = "";
	struct tui **tp = (struct tui **)what;
	struct tui *t = *tp;

	what += sizeof(struct tui *);
	if (error != NULL)
		tui_error(t, "spawn %s failed: %s", what, error);
	else {
		if (params != NULL)
			tf_obj_str(params, "container", ctr, sizeof ctr, false,
			    NULL);
		tui_message(t, "spawned %s: %.8s", what, ctr);
		if (ctr[0] != '\0' && tui_list_view(t) == TUI_VIEW_CONTAINERS)
			tui_list_select(t, ctr);
	}
	free(arg);
}

static void *
spawn_report_arg(struct tui *t, const char *what)
{
	size_t len = strlen(what) + 1;
	char *arg = tf_malloc(sizeof(struct tui *) + len);

	memcpy(arg, &t, sizeof t);
	memcpy(arg + sizeof t, what, len);
	return arg;
}

static int
spawn_send(struct tui *t, const char *node, const char *image,
	   const tf_spawn_opts *opts)
{
	char what[300];
	void *rep;
	tf_err err;

	snprintf(what, sizeof what, "%s%s%s", image,
	    opts->tag && *opts->tag ? " as " : "", opts->tag ? opts->tag : "");
	rep = spawn_report_arg(t, what);
	if (tf_async_spawn(t->loc, node, image, opts, spawn_report, rep,
	    &err) != 0) {
		free(rep);
		tui_error(t, "%s", err.msg);
		return -1;
	}
	tui_message(t, "spawning %s", what);
	tui_list_set_view(t, TUI_VIEW_CONTAINERS);
	return 0;
}

int
tui_spawn_quick(struct tui *t, const char *image, const char *tag)
{
	tf_spawn_opts opts;

	if (tf_model_image_lookup(t->model, image) == NULL &&
	    tf_model_count(t->model, TF_MODEL_IMAGE) > 0)
		tui_message(t, "image %s is not in the offer; asking anyway",
		    image);
	memset(&opts, 0, sizeof opts);
	opts.tag = tag;
	return spawn_send(t, NULL, image, &opts);
}

static bool
spawn_submit(struct tui *t, struct tui_field *f, int n, void *arg)
{
	struct spawn_parts env, files, vols, cmd;
	tf_file pre[SPAWN_LIST];
	tf_mount mounts[SPAWN_LIST];
	tf_spawn_opts req;
	const char *image, *node;
	char *colon, *datas[SPAWN_LIST];
	const tf_model_volume *v;
	size_t i, len, total = 0, nfiles = 0;
	bool ok = false, bad;

	TF_UNUSED(arg);
	if (f == NULL || n < F_LAST)
		return true;
	memset(&req, 0, sizeof req);
	memset(datas, 0, sizeof datas);
	image = tui_form_value(&f[F_IMAGE]);
	node = tui_form_value(&f[F_NODE]);
	req.tag = tui_form_value(&f[F_TAG]);
	req.sleep = f[F_SLEEP].on;
	if (*image == '\0') {
		tui_error(t, "spawn: choose an image");
		return false;
	}
	if (*req.tag != '\0' && !tf_tag_valid(req.tag)) {
		tui_error(t, "spawn: a tag is 1-64 of a-z 0-9 - _ . (got '%s')",
		    req.tag);
		return false;
	}
	spawn_split(&files, tui_form_value(&f[F_FILES]), ",");
	spawn_split(&vols, tui_form_value(&f[F_VOLUMES]), ",");
	bad = spawn_words(&env, tui_form_value(&f[F_ENV])) != 0;
	bad |= spawn_words(&cmd, tui_form_value(&f[F_COMMAND])) != 0;
	if (bad) {
		tui_error(t, "spawn: an unclosed quote in env or command");
		goto out;
	}
	for (i = 0; i < env.n; i++) {
		if (strchr(env.words[i], '=') == NULL) {
			tui_error(t, "spawn: environment wants KEY=value, not "
			    "'%s'", env.words[i]);
			goto out;
		}
	}
	/* Pre-boot files: "local:/path/in/container". */
	for (i = 0; i < files.n; i++) {
		colon = strchr(files.words[i], ':');
		if (colon == NULL || colon[1] != '/') {
			tui_error(t, "spawn: a file is LOCAL:/ABSOLUTE/PATH, not "
			    "'%s'", files.words[i]);
			goto out;
		}
		*colon = '\0';
		datas[nfiles] = tf_read_file(files.words[i], &len,
		    SPAWN_FILES_MAX);
		if (datas[nfiles] == NULL) {
			tui_error(t, "spawn: cannot read %s (missing, or over "
			    "512K)", files.words[i]);
			goto out;
		}
		total += len;
		if (total > SPAWN_FILES_MAX) {
			tui_error(t, "spawn: pre-boot files over 512K in all");
			nfiles++;
			goto out;
		}
		pre[nfiles].path = colon + 1;
		pre[nfiles].data = datas[nfiles];
		pre[nfiles].len = len;
		nfiles++;
	}
	/* Volumes: "volume:/mountpoint", by uuid or tag. */
	for (i = 0; i < vols.n; i++) {
		colon = strchr(vols.words[i], ':');
		if (colon == NULL || colon[1] != '/') {
			tui_error(t, "spawn: a volume is VOLUME:/MOUNTPOINT, not "
			    "'%s'", vols.words[i]);
			goto out;
		}
		*colon = '\0';
		v = tf_model_volume_lookup(t->model, vols.words[i]);
		if (v == NULL) {
			tui_error(t, "spawn: no volume '%s'", vols.words[i]);
			goto out;
		}
		mounts[i].volume = NULL;
		mounts[i].name = v->id;
		mounts[i].mountpoint = colon + 1;
	}
	env.words[env.n] = NULL;
	cmd.words[cmd.n] = NULL;
	req.env = env.n > 0 ? (const char *const *)env.words : NULL;
	req.files = pre;
	req.nfiles = nfiles;
	req.mounts = mounts;
	req.nmounts = vols.n;
	req.command = cmd.n > 0 ? (const char *const *)cmd.words : NULL;
	ok = spawn_send(t, node, image, &req) == 0;
out:
	for (i = 0; i < nfiles; i++)
		free(datas[i]);
	free(env.buf);
	free(files.buf);
	free(vols.buf);
	free(cmd.buf);
	return ok;
}

int
tui_spawn_open(struct tui *t, const char *image, const char *node)
{
	struct tui_field fields[F_LAST];
	const tf_model_node *best = tf_model_best_node(t->model), *n;
	const tf_model_image *im;
	char label[160];
	size_t i, count = tf_model_count(t->model, TF_MODEL_IMAGE);

	if (count == 0) {
		tui_error(t, "spawn: the location offers no images yet (push "
		    "one with tf)");
		return -1;
	}
	tui_form_field_choice(&fields[F_IMAGE], "Image",
	    "Left/Right or the first letter picks one of the location's images");
	for (i = 0; i < count; i++) {
		im = tf_model_image_at(t->model, i);
		tui_form_choice_add(&fields[F_IMAGE], im->name, im->name);
		if (image != NULL && strcmp(im->name, image) == 0)
			fields[F_IMAGE].choice = fields[F_IMAGE].nchoices - 1;
	}
	tui_form_field_choice(&fields[F_NODE], "Node",
	    "best: most free memory and idle cpu");
	snprintf(label, sizeof label, "best (%s)", best ? best->name :
	    "no node up");
	tui_form_choice_add(&fields[F_NODE], label, "");
	for (i = 0; i < tf_model_count(t->model, TF_MODEL_NODE); i++) {
		n = tf_model_node_at(t->model, i);
		if (!n->up)
			continue;
		tui_form_choice_add(&fields[F_NODE], n->name, n->id);
		if (node != NULL && strcmp(n->id, node) == 0)
			fields[F_NODE].choice = fields[F_NODE].nchoices - 1;
	}
	tui_form_field_text(&fields[F_TAG], "Tag", "",
	    "Optional name: a-z 0-9 - _ . (e.g. web)");
	tui_form_field_text(&fields[F_ENV], "Env", "",
	    "KEY=value pairs separated by spaces ('quotes' for spaces)");
	tui_form_field_text(&fields[F_FILES], "Files", "",
	    "Pre-boot files: local/path:/path/in/container, comma separated");
	tui_form_field_text(&fields[F_VOLUMES], "Volumes", "",
	    "volume:/mountpoint (uuid or tag), comma separated");
	tui_form_field_text(&fields[F_COMMAND], "Command", "",
	    "Instead of the image's command, e.g. sh -c 'echo hi; sleep 60'");
	tui_form_field_bool(&fields[F_SLEEP], "Sleep", false,
	    "Create it sleeping; wake it later (w)");
	tui_form_open(t, "Spawn a container", fields, F_LAST, spawn_submit,
	    NULL, false);
	return 0;
}
