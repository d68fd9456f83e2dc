/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_unit: self-tests of the console's parts that need no terminal: the
 * model (tf_model_test), the log ring, key names, keymap loading and clash
 * reports and, in a build with the demo location, its JSON->msgpack feed
 * path.  Run all, or one by name: tui_unit [model|logbuf|keys|keymap|json].
 */
/* The checks are the test: never compiled out. */
#undef NDEBUG
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef TFCON_DEMO
#include "con_demo.h"
#endif
#include "tf_msg.h"
#include "tui.h"
#include "tf_selftest.h"

static void
unit_model(void)
{
	tf_model_test(true);
}

static void
unit_logbuf(void)
{
	tui_logbuf_test();
	printf(" * tui_logbuf: OK\n");
}

static void
unit_keys(void)
{
	static const char *const names[] = {
		"a", "?", "C-a", "C-]", "M-x", "M-Up", "Enter", "Tab", "BTab",
		"Esc", "Space", "BSpace", "PgUp", "F1", "F12", "Del", "é",
		"S-PgUp",
	};
	char buf[32];
	size_t i;
	tui_key k;

	for (i = 0; i < TF_ARRAY_LEN(names); i++) {
		k = tui_key_parse(names[i]);
		TF_TEST_CHECK(k != TUI_KEY_NONE);
		tui_key_name(k, buf, sizeof buf);
		TF_TEST_CHECK(tui_key_parse(buf) == k);
	}
	TF_TEST_CHECK(tui_key_parse("C-") == TUI_KEY_NONE);
	TF_TEST_CHECK(tui_key_parse("NoSuchKey") == TUI_KEY_NONE);
	TF_TEST_CHECK(tui_key_parse("ab") == TUI_KEY_NONE);
	TF_TEST_CHECK(tui_key_parse("Hash") == '#');
	printf(" * tui_key: OK\n");
}

static void
unit_keymap(void)
{
	char path[] = "/tmp/tui_unit_keymapXXXXXX";
	struct tui_keymap *km = tui_keymap_new();
	const struct tui_action *a;
	char keys[64];
	tf_err err;
	FILE *f;
	int fd;

	TF_TEST_CHECK(tui_keymap_load(km, "default", &err) == 0);
	TF_TEST_CHECK(tui_keymap_problems(km) == 0);
	a = tui_keymap_lookup(km, 'd', TUI_CTX_LIST);
	TF_TEST_CHECK(a != NULL && strcmp(a->name, "destroy") == 0);
	/* Log panes have their own meaning for '/'. */
	a = tui_keymap_lookup(km, '/', TUI_CTX_LOG);
	TF_TEST_CHECK(a != NULL && strcmp(a->name, "log.search") == 0);
	/* In a shell pane only shell actions exist. */
	TF_TEST_CHECK(tui_keymap_lookup(km, 'q', TUI_CTX_SHELL) == NULL);
	a = tui_keymap_lookup(km, TUI_KEY_CTRL(']'), TUI_CTX_SHELL);
	TF_TEST_CHECK(a != NULL && strcmp(a->name, "pane.leave") == 0);
	TF_TEST_CHECK(strcmp(tui_keymap_keys(km, "destroy", keys, sizeof keys),
	    "d Del") == 0);
	tui_keymap_destroy(&km);
	TF_TEST_CHECK(km == NULL);

	/* A user file: extends default, rebinds, and clashes. */
	fd = mkstemp(path);
	TF_TEST_CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "# test\ndestroy K\nquit q x\nnosuch a\nhelp NoKey\n");
	fclose(f);
	km = tui_keymap_new();
	TF_TEST_CHECK(tui_keymap_load(km, path, &err) == 0);
	a = tui_keymap_lookup(km, 'K', TUI_CTX_LIST);
	TF_TEST_CHECK(a != NULL && strcmp(a->name, "destroy") == 0);
	TF_TEST_CHECK(tui_keymap_lookup(km, 'd', TUI_CTX_LIST) == NULL);
	/* x was exec's; quit's later binding wins and the clash is named. */
	a = tui_keymap_lookup(km, 'x', TUI_CTX_LIST);
	TF_TEST_CHECK(a != NULL && strcmp(a->name, "quit") == 0);
	TF_TEST_CHECK(tui_keymap_problems(km) == 3);
	TF_TEST_CHECK(strstr(tui_keymap_problem(km, 0), "unknown action 'nosuch'"));
	TF_TEST_CHECK(strstr(tui_keymap_problem(km, 1), "unknown key 'NoKey'"));
	TF_TEST_CHECK(strstr(tui_keymap_problem(km, 2), "exec") &&
	    strstr(tui_keymap_problem(km, 2), "quit"));
	tui_keymap_destroy(&km);
	unlink(path);
	printf(" * tui_keymap: OK\n");
}

#ifdef TFCON_DEMO
/* The demo location's feed path: JSON lines become msgpack pushes. */
static void
unit_json(void)
{
	msgpack_sbuffer sb;
	msgpack_unpacked unp;
	int64_t v;
	tf_err err;

	msgpack_sbuffer_init(&sb);
	msgpack_unpacked_init(&unp);
	TF_TEST_CHECK(con_json_to_msgpack("{\"node\":\"n1\",\"cpus\":4,\"cpu_pct\":1.5,"
	    "\"names\":[\"a\",\"b\"],\"up\":true,\"x\":null}", &sb, &err) == 0);
	TF_TEST_CHECK(msgpack_unpack_next(&unp, sb.data, sb.size, NULL) ==
	    MSGPACK_UNPACK_SUCCESS);
	TF_TEST_CHECK(tf_obj_int(&unp.data, "cpus", &v, 0, 100, true, NULL) == 0 &&
	    v == 4);
	TF_TEST_CHECK(con_json_to_msgpack("{bad json", &sb, &err) == -1);
	msgpack_unpacked_destroy(&unp);
	msgpack_sbuffer_destroy(&sb);
	printf(" * con_json: OK\n");
}
#endif

static bool
unit_keep_odd(const char *id, void *arg)
{
	(void)arg;
	return (id[strlen(id) - 1] - '0') % 2 == 1;
}

static void
unit_spark(void)
{
	struct tui_ring r;
	struct tui_hist h;
	struct tui_hist_entry *e;
	tf_model_metrics m = { .cpu_pct = 50, .mem_rss = 10, .net_rx = 1,
	    .net_tx = 2, .io_read = 3, .io_write = 4 };
	char buf[256], id[8];
	int cells;

	/* The ring keeps the newest cap samples, oldest first. */
	tui_ring_init(&r, 4);
	TF_TEST_CHECK(r.n == 0 && tui_ring_at(&r, 0) == 0);
	for (int i = 1; i <= 6; i++)
		tui_ring_push(&r, (float)i);
	TF_TEST_CHECK(r.n == 4 && tui_ring_at(&r, 0) == 3 && tui_ring_at(&r, 3) == 6);
	TF_TEST_CHECK(tui_ring_max(&r) == 6);
	/* Scaled to the largest shown: 3..6 of 6 is blocks 4, 5, 7, 8. */
	cells = tui_spark_render(&r, 4, 0, true, buf, sizeof buf);
	TF_TEST_CHECK(cells == 4);
	TF_TEST_CHECK(strcmp(buf, "\u2584\u2585\u2587\u2588") == 0);
	/* Wider than the history: blank on the left; a fixed scale. */
	cells = tui_spark_render(&r, 6, 12, true, buf, sizeof buf);
	TF_TEST_CHECK(cells == 6 && strncmp(buf, "  ", 2) == 0);
	TF_TEST_CHECK(strcmp(buf + 2, "\u2582\u2583\u2583\u2584") == 0);
	/* Zero is blank; a tiny value still shows; a short buffer stops
	 * at a whole character. */
	tui_ring_fini(&r);
	tui_ring_init(&r, 3);
	tui_ring_push(&r, 0);
	tui_ring_push(&r, 0.001f);
	tui_ring_push(&r, 100);
	cells = tui_spark_render(&r, 3, 0, true, buf, sizeof buf);
	TF_TEST_CHECK(cells == 3 && strcmp(buf, " \u2581\u2588") == 0);
	cells = tui_spark_render(&r, 3, 0, true, buf, 5);
	TF_TEST_CHECK(cells == 2 && strcmp(buf, " \u2581") == 0);
	cells = tui_spark_render(&r, 3, 0, false, buf, sizeof buf);
	TF_TEST_CHECK(cells == 3 && strcmp(buf, " _#") == 0);
	tui_ring_fini(&r);

	/* The history is bounded: without force a full store refuses;
	 * with force the least recently used entry goes. */
	tui_hist_init(&h, 3, 5);
	for (int i = 0; i < 3; i++) {
		snprintf(id, sizeof id, "c%d", i);
		TF_TEST_CHECK(tui_hist_get(&h, id, false, 100 + (uint64_t)i) != NULL);
	}
	TF_TEST_CHECK(h.n == 3 && tui_hist_get(&h, "c9", false, 200) == NULL);
	TF_TEST_CHECK(tui_hist_get(&h, "c1", true, 300) != NULL);	/* used again */
	e = tui_hist_get(&h, "c9", true, 400);
	TF_TEST_CHECK(e != NULL && h.n == 3 && tui_hist_find(&h, "c0") == NULL &&
	    tui_hist_find(&h, "c1") != NULL);
	for (int i = 0; i < 7; i++)
		tui_hist_sample(e, &m);
	tui_hist_sample(e, NULL);
	TF_TEST_CHECK(e->ring[TUI_HIST_CPU].n == 5 &&
	    tui_ring_at(&e->ring[TUI_HIST_CPU], 3) == 50 &&
	    tui_ring_at(&e->ring[TUI_HIST_CPU], 4) == 0 &&
	    tui_ring_at(&e->ring[TUI_HIST_NET], 0) == 3 &&
	    tui_ring_at(&e->ring[TUI_HIST_IO], 0) == 7);
	tui_hist_prune(&h, unit_keep_odd, NULL);
	TF_TEST_CHECK(h.n == 2 && tui_hist_find(&h, "c2") == NULL &&
	    tui_hist_find(&h, "c9") != NULL);
	tui_hist_fini(&h);
	printf(" * spark: OK\n");
}

static const struct {
	const char *name;
	void (*fn)(void);
} unit_tests[] = {
	{ "spark", unit_spark },
	{ "model", unit_model },
	{ "logbuf", unit_logbuf },
	{ "keys", unit_keys },
	{ "keymap", unit_keymap },
#ifdef TFCON_DEMO
	{ "json", unit_json },
#endif
};

int
main(int argc, char **argv)
{
	size_t i;
	int ran = 0;

	setlocale(LC_ALL, "C.UTF-8");
	for (i = 0; i < TF_ARRAY_LEN(unit_tests); i++) {
		if (argc > 1 && strcmp(argv[1], unit_tests[i].name) != 0)
			continue;
		unit_tests[i].fn();
		ran++;
	}
	if (ran == 0) {
		fprintf(stderr, "tui_unit: no test named %s\n", argv[1]);
		return 1;
	}
	printf("%d passed, 0 failed\n", ran);
	return 0;
}
