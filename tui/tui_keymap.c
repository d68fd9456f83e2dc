/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_keymap: key bindings as data.  A keymap file has one binding per
 * line, "ACTION KEY [KEY...]", '#' comments, and "include NAME" to start
 * from another keymap.  A later line for an action replaces that action's
 * keys.  A file without an include extends "default".
 *
 * Files are found by path, or by name in: $XDG_CONFIG_HOME/tfcon/keymaps,
 * $TFCON_KEYMAP_DIR, the installed data directory, and the source tree
 * (so a build runs without installing).  Problems (unknown actions or keys,
 * two actions on one key where both can be reached) are collected, never
 * fatal: the console starts and shows them.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tf_util.h"
#include "tui.h"

#ifndef TFCON_KEYMAP_DATADIR
#define TFCON_KEYMAP_DATADIR "/usr/local/share/tfcon/keymaps"
#endif
#ifndef TFCON_KEYMAP_SRCDIR
#define TFCON_KEYMAP_SRCDIR "keymaps"
#endif

#define KEYMAP_DEPTH 4
#define KEYMAP_PROBLEMS 32

struct tui_binding {
	tui_key key;
	const struct tui_action *action;
	char where[64];			/* "vi:12", for problem reports */
};

struct tui_keymap {
	struct tui_binding *b;
	size_t n, cap;
	char *problems[KEYMAP_PROBLEMS];
	size_t nproblems;
	char path[PATH_MAX];		/* the top file */
};

struct tui_keymap *
tui_keymap_new(void)
{
	return tf_calloc(1, sizeof(struct tui_keymap));
}

void
tui_keymap_destroy(struct tui_keymap **km_p)
{
	struct tui_keymap *km = *km_p;
	size_t i;

	if (km == NULL)
		return;
	for (i = 0; i < km->nproblems; i++)
		free(km->problems[i]);
	free(km->b);
	free(km);
	*km_p = NULL;
}

static void keymap_problem(struct tui_keymap *km, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
keymap_problem(struct tui_keymap *km, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (km->nproblems == KEYMAP_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	km->problems[km->nproblems++] = tf_strdup(buf);
}

/* Finds a keymap file by name; relative_to is the including file's dir. */
static int
keymap_find(const char *name, const char *relative_to, char *out, size_t size)
{
	const char *dirs[5];
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	const char *env = getenv("TFCON_KEYMAP_DIR");
	char xdgdir[PATH_MAX];
	size_t n = 0, i;

	if (strchr(name, '/') != NULL) {
		snprintf(out, size, "%s", name);
		return access(out, R_OK);
	}
	if (relative_to != NULL)
		dirs[n++] = relative_to;
	if (xdg != NULL && *xdg != '\0')
		snprintf(xdgdir, sizeof xdgdir, "%s/tfcon/keymaps", xdg);
	else
		snprintf(xdgdir, sizeof xdgdir, "%s/.config/tfcon/keymaps",
		    home ? home : "/");
	dirs[n++] = xdgdir;
	if (env != NULL && *env != '\0')
		dirs[n++] = env;
	dirs[n++] = TFCON_KEYMAP_DATADIR;
	dirs[n++] = TFCON_KEYMAP_SRCDIR;
	for (i = 0; i < n; i++) {
		if (!tf_snprintf(out, size, "%s/%s", dirs[i], name))
			continue;
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

static void
keymap_unbind_action(struct tui_keymap *km, const struct tui_action *a)
{
	size_t i = 0;

	while (i < km->n) {
		if (km->b[i].action == a) {
			memmove(&km->b[i], &km->b[i + 1],
			    (km->n - i - 1) * sizeof km->b[0]);
			km->n--;
		} else
			i++;
	}
}

static void
keymap_bind(struct tui_keymap *km, tui_key k, const struct tui_action *a,
	    const char *where)
{
	if (km->n == km->cap) {
		km->cap = km->cap ? km->cap * 2 : 64;
		km->b = tf_realloc(km->b, km->cap * sizeof *km->b);
	}
	km->b[km->n].key = k;
	km->b[km->n].action = a;
	snprintf(km->b[km->n].where, sizeof km->b[km->n].where, "%s", where);
	km->n++;
}

static int keymap_load_file(struct tui_keymap *km, const char *path,
			    int depth, bool top, tf_err *err);

static void
keymap_line(struct tui_keymap *km, char *line, const char *path, int lineno,
	    int depth, bool *included)
{
	const struct tui_action *a;
	char *words[32], *save = NULL, *w, where[64], dir[PATH_MAX], found[PATH_MAX];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int nw = 0, i;
	tui_key k;
	tf_err err;

	for (w = strtok_r(line, " \t\r", &save); w != NULL && nw < 32;
	    w = strtok_r(NULL, " \t\r", &save)) {
		if (*w == '#')
			break;
		words[nw++] = w;
	}
	if (nw == 0)
		return;
	snprintf(where, sizeof where, "%s:%d", base, lineno);
	if (strcmp(words[0], "include") == 0) {
		if (nw != 2) {
			keymap_problem(km, "%s: include takes one name", where);
			return;
		}
		if (base == path)
			snprintf(dir, sizeof dir, ".");
		else if (base == path + 1)
			snprintf(dir, sizeof dir, "/");
		else
			snprintf(dir, sizeof dir, "%.*s", (int)(base - path - 1),
			    path);
		if (keymap_find(words[1], dir, found, sizeof found) != 0) {
			keymap_problem(km, "%s: keymap '%s' not found", where,
			    words[1]);
			return;
		}
		*included = true;
		if (keymap_load_file(km, found, depth + 1, false, &err) != 0)
			keymap_problem(km, "%s: %s", where, err.msg);
		return;
	}
	if ((a = tui_action_find(words[0])) == NULL) {
		keymap_problem(km, "%s: unknown action '%s'", where, words[0]);
		return;
	}
	keymap_unbind_action(km, a);
	for (i = 1; i < nw; i++) {
		if ((k = tui_key_parse(words[i])) == TUI_KEY_NONE) {
			keymap_problem(km, "%s: unknown key '%s' for %s", where,
			    words[i], a->name);
			continue;
		}
		keymap_bind(km, k, a, where);
	}
}

/* True when some line (not a comment) is an include. */
static bool
keymap_has_include(const char *text)
{
	const char *p = text;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' ||
		    p[7] == '\t'))
			return true;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return false;
}

static int
keymap_load_file(struct tui_keymap *km, const char *path, int depth, bool top,
		 tf_err *err)
{
	char *text, *line, *next;
	bool included = false;
	int lineno = 0;
	size_t len;

	if (depth > KEYMAP_DEPTH)
		return tf_err_set(err, "%s: includes nested too deeply", path);
	text = tf_read_file(path, &len, 1 << 20);
	if (text == NULL)
		return tf_err_errno(err, "keymap %s", path);
	/* A top file without include extends "default": look ahead. */
	if (top && !keymap_has_include(text)) {
		char def[PATH_MAX];
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 :
		    path;

		if (strcmp(base, "default") != 0 &&
		    keymap_find("default", NULL, def, sizeof def) == 0)
			keymap_load_file(km, def, depth + 1, false, err);
	}
	for (line = text; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		keymap_line(km, line, path, lineno, depth, &included);
	}
	free(text);
	return 0;
}

/* Two actions on one key clash when some context reaches both. */
static void
keymap_check(struct tui_keymap *km)
{
	char name[32];
	size_t i, j;

	for (i = 0; i < km->n; i++) {
		for (j = i + 1; j < km->n; j++) {
			if (km->b[i].key != km->b[j].key ||
			    km->b[i].action == km->b[j].action ||
			    !(km->b[i].action->ctx & km->b[j].action->ctx))
				continue;
			keymap_problem(km, "key %s is bound to both %s (%s) and "
			    "%s (%s)",
			    tui_key_name(km->b[i].key, name, sizeof name),
			    km->b[i].action->name, km->b[i].where,
			    km->b[j].action->name, km->b[j].where);
		}
	}
}

int
tui_keymap_load(struct tui_keymap *km, const char *name_or_path, tf_err *err)
{
	char path[PATH_MAX];

	if (keymap_find(name_or_path, NULL, path, sizeof path) != 0)
		return tf_err_set(err, "keymap '%s' not found (looked for a "
		    "file of that name in ~/.config/tfcon/keymaps, "
		    "$TFCON_KEYMAP_DIR, %s and %s)", name_or_path,
		    TFCON_KEYMAP_DATADIR, TFCON_KEYMAP_SRCDIR);
	snprintf(km->path, sizeof km->path, "%s", path);
	if (keymap_load_file(km, path, 0, true, err) != 0)
		return -1;
	keymap_check(km);
	return 0;
}

int
tui_keymap_load_default(struct tui_keymap *km, const char *opt, tf_err *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char user[PATH_MAX];

	if (opt != NULL && *opt != '\0')
		return tui_keymap_load(km, opt, err);
	if (xdg != NULL && *xdg != '\0')
		snprintf(user, sizeof user, "%s/tfcon/keymap", xdg);
	else
		snprintf(user, sizeof user, "%s/.config/tfcon/keymap",
		    home ? home : "/");
	if (access(user, R_OK) == 0)
		return tui_keymap_load(km, user, err);
	return tui_keymap_load(km, "default", err);
}

const struct tui_action *
tui_keymap_lookup(const struct tui_keymap *km, tui_key k, int ctx)
{
	size_t i;

	/* Later bindings win (tfcon refuses a keymap where that matters). */
	for (i = km->n; i > 0; i--) {
		if (km->b[i - 1].key == k && (km->b[i - 1].action->ctx & ctx))
			return km->b[i - 1].action;
	}
	return NULL;
}

const char *
tui_keymap_keys(const struct tui_keymap *km, const char *action, char *buf,
		size_t size)
{
	char name[32];
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < km->n && used < size; i++) {
		if (strcmp(km->b[i].action->name, action) != 0)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
		    used ? " " : "", tui_key_name(km->b[i].key, name,
		    sizeof name));
	}
	return buf;
}

const char *
tui_keymap_first(const struct tui_keymap *km, const char *action, char *buf,
		 size_t size)
{
	size_t i;

	for (i = 0; i < km->n; i++) {
		if (strcmp(km->b[i].action->name, action) == 0)
			return tui_key_name(km->b[i].key, buf, size);
	}
	return NULL;
}

size_t
tui_keymap_problems(const struct tui_keymap *km)
{
	return km->nproblems;
}

const char *
tui_keymap_problem(const struct tui_keymap *km, size_t i)
{
	return i < km->nproblems ? km->problems[i] : NULL;
}

const char *
tui_keymap_path(const struct tui_keymap *km)
{
	return km->path;
}
