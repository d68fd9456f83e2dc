/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_vt: unit tests of the shell pane (tui/vt_*.c).  Escape sequences are
 * fed to a pane and its cell model checked: colours, attributes, the
 * alternate screen, wide and combining characters, scrollback, resize,
 * bounded inbox and time-bounded parsing; keys and pastes are checked by
 * the bytes the pane writes.  The drawing tests open a curses screen on
 * /dev/null with a named terminal type (xterm-256color, xterm, vt100) and
 * read the window back with mvwin_wch, so nothing touches the real
 * terminal.  The loop tests run a tf_loop and count redraw callbacks.
 *
 * usage: test_vt [name...]   (no name: every test)
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "tf_err.h"
#include "tf_loop.h"
#include "tf_util.h"
#include "vt_pane.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, \
		    __LINE__, __func__, #cond); \
		failures++; \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (strcmp(g_, w_) != 0) { \
		fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n", \
		    __FILE__, __LINE__, __func__, g_, w_); \
		failures++; \
	} \
} while (0)

/* What a pane wrote and how it was called back. */
struct sink {
	char	 out[4096];
	size_t	 len;
	int	 resizes, last_rows, last_cols;
	int	 redraws;
	size_t	 consumed;
	char	 title[64];
};

static void
sink_write(vt_pane *pane, const char *bytes, size_t len, void *arg)
{
	struct sink *s = arg;

	TF_UNUSED(pane);
	if (s->len + len < sizeof s->out) {
		memcpy(s->out + s->len, bytes, len);
		s->len += len;
		s->out[s->len] = '\0';
	}
}

static void
sink_resize(vt_pane *pane, int rows, int cols, void *arg)
{
	struct sink *s = arg;

	TF_UNUSED(pane);
	s->resizes++;
	s->last_rows = rows;
	s->last_cols = cols;
}

static void
sink_redraw(vt_pane *pane, void *arg)
{
	struct sink *s = arg;

	s->redraws++;
	vt_pane_draw(pane, stdscr, 0, 0, false);
}

static void
sink_consumed(vt_pane *pane, size_t bytes, void *arg)
{
	struct sink *s = arg;

	TF_UNUSED(pane);
	s->consumed += bytes;
}

static void
sink_title(vt_pane *pane, const char *title, void *arg)
{
	struct sink *s = arg;

	TF_UNUSED(pane);
	tf_snprintf(s->title, sizeof s->title, "%s", title);
}

static const struct vt_pane_cbs sink_cbs = {
	.write = sink_write,
	.resize = sink_resize,
	.consumed = sink_consumed,
	.title = sink_title,
};

static const struct vt_pane_cbs sink_loop_cbs = {
	.write = sink_write,
	.resize = sink_resize,
	.redraw = sink_redraw,
	.consumed = sink_consumed,
};

static void
sink_clear(struct sink *s)
{
	s->len = 0;
	s->out[0] = '\0';
}

static vt_pane *
pane_make(int rows, int cols, size_t scrollback, struct sink *s,
    vt_colors *colors)
{
	struct vt_pane_config cfg;
	tf_err err;
	vt_pane *pane;

	memset(&cfg, 0, sizeof cfg);
	memset(s, 0, sizeof *s);
	cfg.rows = rows;
	cfg.cols = cols;
	cfg.scrollback = scrollback;
	cfg.colors = colors;
	cfg.cbs = &sink_cbs;
	cfg.arg = s;
	pane = vt_pane_new(&cfg, &err);
	if (pane == NULL) {
		fprintf(stderr, "vt_pane_new: %s\n", err.msg);
		exit(1);
	}
	return pane;
}

/* Feeds a C string and parses all of it. */
static void
pane_put(vt_pane *pane, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		size_t n = vt_pane_feed(pane, s, len);

		vt_pane_process(pane, SIZE_MAX, 0);
		s += n;
		len -= n;
	}
}

static const char *
row_text(vt_pane *pane, int row)
{
	static char buf[1024];

	vt_pane_get_row_text(pane, row, buf, sizeof buf);
	return buf;
}

static struct vt_cell
cell_at(vt_pane *pane, int row, int col)
{
	struct vt_cell c;

	CHECK(vt_pane_get_cell(pane, row, col, &c) == 0);
	return c;
}

/* --- model ------------------------------------------------------------- */

static void
test_config(void)
{
	struct vt_pane_config cfg;
	tf_err err;

	memset(&cfg, 0, sizeof cfg);
	cfg.rows = 24;
	cfg.cols = 80;
	CHECK(vt_pane_new(&cfg, &err) == NULL);		/* no write cb */
	cfg.cbs = &sink_cbs;
	cfg.rows = 0;
	CHECK(vt_pane_new(&cfg, &err) == NULL);
	cfg.rows = 24;
	cfg.cbs = &sink_loop_cbs;			/* redraw, no loop */
	CHECK(vt_pane_new(&cfg, &err) == NULL);
	vt_pane_destroy(NULL);
}

static void
test_colors_model(void)
{
	struct sink s;
	vt_pane *pane = pane_make(5, 20, 0, &s, NULL);
	struct vt_cell c;

	pane_put(pane, "\033[31mA\033[1;4;7;38;5;200;48;5;21mB"
	    "\033[0;38;2;10;20;30mC\033[0;91mD\033[0mE\033[3;5mF\033[0m");
	c = cell_at(pane, 0, 0);
	CHECK(c.ch[0] == 'A' && c.fg == 1 && c.bg == VT_COLOR_DEFAULT &&
	    c.attrs == 0);
	c = cell_at(pane, 0, 1);
	CHECK(c.ch[0] == 'B' && c.fg == 200 && c.bg == 21);
	CHECK(c.attrs == (VT_ATTR_BOLD | VT_ATTR_UNDERLINE | VT_ATTR_REVERSE));
	c = cell_at(pane, 0, 2);
	CHECK(c.fg == VT_COLOR_RGB(10, 20, 30) && VT_COLOR_IS_RGB(c.fg));
	c = cell_at(pane, 0, 3);
	CHECK(c.fg == 9);
	c = cell_at(pane, 0, 4);
	CHECK(c.fg == VT_COLOR_DEFAULT && c.bg == VT_COLOR_DEFAULT &&
	    c.attrs == 0);
	c = cell_at(pane, 0, 5);
	CHECK(c.attrs == (VT_ATTR_ITALIC | VT_ATTR_BLINK));
	CHECK_STR(row_text(pane, 0), "ABCDEF");
	/* Background-coloured blanks keep their colour. */
	pane_put(pane, "\r\n\033[42m\033[K\033[0m");
	c = cell_at(pane, 1, 10);
	CHECK(c.ch[0] == 0 && c.bg == 2);
	CHECK(vt_pane_get_cell(pane, 5, 0, &c) == -1);
	vt_pane_destroy(&pane);
	CHECK(pane == NULL);
}

static void
test_altscreen(void)
{
	struct sink s;
	vt_pane *pane = pane_make(4, 20, 100, &s, NULL);

	pane_put(pane, "primary 1\r\nprimary 2");
	CHECK(!vt_pane_altscreen(pane));
	pane_put(pane, "\033[?1049h\033[H\033[2Jfull screen");
	CHECK(vt_pane_altscreen(pane));
	CHECK_STR(row_text(pane, 0), "full screen");
	CHECK_STR(row_text(pane, 1), "");
	/* Scrolling the alternate screen never reaches the history. */
	pane_put(pane, "\r\n\r\n\r\n\r\n\r\n\r\n");
	CHECK(vt_pane_scrollback_lines(pane) == 0);
	vt_pane_scroll(pane, -2);
	CHECK(vt_pane_scroll_offset(pane) == 0);
	pane_put(pane, "\033[?1049l");
	CHECK(!vt_pane_altscreen(pane));
	CHECK_STR(row_text(pane, 0), "primary 1");
	CHECK_STR(row_text(pane, 1), "primary 2");
	vt_pane_destroy(&pane);
}

static void
test_wide(void)
{
	struct sink s;
	vt_pane *pane = pane_make(3, 10, 0, &s, NULL);
	struct vt_cell c;

	pane_put(pane, "\xe4\xb8\xad" "x" "e\xcc\x81" "\xf0\x9f\x98\x80");
	c = cell_at(pane, 0, 0);
	CHECK(c.ch[0] == 0x4e2d && c.width == 2);
	c = cell_at(pane, 0, 1);
	CHECK(c.ch[0] == VT_CELL_WIDE_TAIL);
	c = cell_at(pane, 0, 2);
	CHECK(c.ch[0] == 'x' && c.width == 1);
	c = cell_at(pane, 0, 3);
	CHECK(c.ch[0] == 'e' && c.ch[1] == 0x301 && c.ch[2] == 0);
	c = cell_at(pane, 0, 4);
	CHECK(c.ch[0] == 0x1f600 && c.width == 2);
	CHECK_STR(row_text(pane, 0),
	    "\xe4\xb8\xad" "x" "e\xcc\x81" "\xf0\x9f\x98\x80");
	/* A wide character that does not fit wraps whole. */
	pane_put(pane, "\r\n123456789\xe4\xb8\xad");
	CHECK_STR(row_text(pane, 1), "123456789");
	CHECK_STR(row_text(pane, 2), "\xe4\xb8\xad");
	vt_pane_destroy(&pane);
}

static void
test_title_cursor(void)
{
	struct sink s;
	vt_pane *pane = pane_make(5, 20, 0, &s, NULL);
	int row, col;

	pane_put(pane, "\033]2;my title\007\033[3;7H");
	CHECK_STR(vt_pane_title(pane), "my title");
	CHECK_STR(s.title, "my title");
	CHECK(vt_pane_get_cursor(pane, &row, &col) && row == 2 && col == 6);
	pane_put(pane, "\033[?25l");
	CHECK(!vt_pane_get_cursor(pane, &row, &col));
	pane_put(pane, "\033[?25h");
	CHECK(vt_pane_get_cursor(pane, &row, &col));
	/* Terminal replies go out through the write callback. */
	sink_clear(&s);
	pane_put(pane, "\033[6n");
	CHECK_STR(s.out, "\033[3;7R");
	vt_pane_destroy(&pane);
}

static void
test_scrollback(void)
{
	struct sink s;
	vt_pane *pane = pane_make(5, 20, 10, &s, NULL);
	char line[32];

	for (int i = 1; i <= 30; i++) {
		tf_snprintf(line, sizeof line, "%sline %d", i > 1 ? "\r\n" :
		    "", i);
		pane_put(pane, line);
	}
	/* 30 lines, 5 on screen, ring capped at 10. */
	CHECK(vt_pane_scrollback_lines(pane) == 10);
	CHECK_STR(row_text(pane, 0), "line 26");
	vt_pane_scroll(pane, -3);
	CHECK(vt_pane_scroll_offset(pane) == 3);
	CHECK_STR(row_text(pane, 0), "line 23");
	CHECK_STR(row_text(pane, 3), "line 26");
	/* Output while scrolled back: the view stays on the same lines. */
	pane_put(pane, "\r\nline 31\r\nline 32");
	CHECK(vt_pane_scroll_offset(pane) == 5);
	CHECK_STR(row_text(pane, 0), "line 23");
	vt_pane_scroll(pane, -100);
	CHECK(vt_pane_scroll_offset(pane) == 10);
	CHECK_STR(row_text(pane, 0), "line 18");
	vt_pane_scroll(pane, 100);
	CHECK(vt_pane_scroll_offset(pane) == 0);
	CHECK_STR(row_text(pane, 4), "line 32");
	/* Typing returns to the live screen. */
	vt_pane_scroll(pane, -2);
	CHECK(vt_pane_key(pane, 'a', false, 0) == 1);
	CHECK(vt_pane_scroll_offset(pane) == 0);
	vt_pane_destroy(&pane);

	/* No scrollback at all. */
	pane = pane_make(3, 10, SIZE_MAX, &s, NULL);
	pane_put(pane, "a\r\nb\r\nc\r\nd\r\ne");
	CHECK(vt_pane_scrollback_lines(pane) == 0);
	vt_pane_scroll(pane, -1);
	CHECK(vt_pane_scroll_offset(pane) == 0);
	vt_pane_destroy(&pane);
}

static void
test_resize(void)
{
	struct sink s;
	vt_pane *pane = pane_make(6, 20, 100, &s, NULL);
	int rows, cols;

	pane_put(pane, "one\r\ntwo\r\nthree\r\nfour\r\nfive\r\nsix");
	vt_pane_resize(pane, 3, 15);
	vt_pane_get_size(pane, &rows, &cols);
	CHECK(rows == 3 && cols == 15);
	CHECK(s.resizes == 1 && s.last_rows == 3 && s.last_cols == 15);
	/* Shrinking keeps the cursor line on screen; what leaves the top
	 * goes to history. */
	CHECK_STR(row_text(pane, 2), "six");
	CHECK(vt_pane_scrollback_lines(pane) == 3);
	/* Growing takes it back. */
	vt_pane_resize(pane, 6, 20);
	CHECK(s.resizes == 2);
	CHECK_STR(row_text(pane, 0), "one");
	CHECK_STR(row_text(pane, 5), "six");
	CHECK(vt_pane_scrollback_lines(pane) == 0);
	/* Same size: no call. */
	vt_pane_resize(pane, 6, 20);
	CHECK(s.resizes == 2);
	/* Resizing in the alternate screen, then leaving it. */
	pane_put(pane, "\033[?1049hALT");
	vt_pane_resize(pane, 4, 10);
	pane_put(pane, "\033[?1049l");
	CHECK(!vt_pane_altscreen(pane));
	vt_pane_resize(pane, 0, -5);
	vt_pane_get_size(pane, &rows, &cols);
	CHECK(rows == 1 && cols == 1);
	vt_pane_destroy(&pane);
}

static void
test_keys(void)
{
	struct sink s;
	vt_pane *pane = pane_make(5, 20, 0, &s, NULL);
	static const struct {
		wint_t		key;
		bool		is_code;
		unsigned	mods;
		const char	*want;
	} cases[] = {
		{ KEY_UP, true, 0, "\033[A" },
		{ KEY_LEFT, true, VT_MOD_CTRL, "\033[1;5D" },
		{ KEY_HOME, true, 0, "\033[H" },
		{ KEY_END, true, 0, "\033[F" },
		{ KEY_PPAGE, true, 0, "\033[5~" },
		{ KEY_NPAGE, true, 0, "\033[6~" },
		{ KEY_DC, true, 0, "\033[3~" },
		{ KEY_IC, true, 0, "\033[2~" },
		{ KEY_BACKSPACE, true, 0, "\177" },
		{ KEY_BTAB, true, 0, "\033[Z" },
		{ KEY_SLEFT, true, 0, "\033[1;2D" },
		{ KEY_F(1), true, 0, "\033OP" },
		{ KEY_F(5), true, 0, "\033[15~" },
		{ KEY_F(13), true, 0, "\033[1;2P" },	/* Shift-F1 */
		{ KEY_F(29), true, 0, "\033[15;5~" },	/* Ctrl-F5 */
		{ '\r', false, 0, "\r" },
		{ '\t', false, 0, "\t" },
		{ 3, false, 0, "\003" },		/* ^C */
		{ 0x1b, false, 0, "\033" },
		{ 0x7f, false, 0, "\177" },
		{ 'x', false, VT_MOD_ALT, "\033x" },
		{ 'c', false, VT_MOD_CTRL, "\003" },
		{ 0xe9, false, 0, "\xc3\xa9" },
		{ 0x4e2d, false, 0, "\xe4\xb8\xad" },
	};

	for (size_t i = 0; i < TF_ARRAY_LEN(cases); i++) {
		sink_clear(&s);
		CHECK(vt_pane_key(pane, cases[i].key, cases[i].is_code,
		    cases[i].mods) == 1);
		if (strcmp(s.out, cases[i].want) != 0) {
			fprintf(stderr, "key case %zu: wrong bytes\n", i);
			failures++;
		}
	}
	/* Application cursor keys (vi, less) change the arrows. */
	pane_put(pane, "\033[?1h");
	sink_clear(&s);
	vt_pane_key(pane, KEY_UP, true, 0);
	CHECK_STR(s.out, "\033OA");
	/* Not terminal keys. */
	sink_clear(&s);
	CHECK(vt_pane_key(pane, KEY_RESIZE, true, 0) == 0);
	CHECK(vt_pane_key(pane, KEY_MOUSE, true, 0) == 0);
	CHECK(vt_pane_key(pane, 0xd800, false, 0) == 0);
	CHECK(s.len == 0);
	/* Ended panes send nothing. */
	vt_pane_set_ended(pane, "shell exited with status 0");
	CHECK(vt_pane_key(pane, 'a', false, 0) == 0);
	CHECK(s.len == 0);
	CHECK_STR(vt_pane_ended(pane), "shell exited with status 0");
	vt_pane_destroy(&pane);
}

static void
test_paste(void)
{
	struct sink s;
	vt_pane *pane = pane_make(5, 20, 0, &s, NULL);

	/* Controls (ESC, ^C, C1 CSI) and invalid UTF-8 are dropped,
	 * newlines become CR, tabs and UTF-8 text pass. */
	vt_pane_paste(pane, "a\033[201~b\003c\r\nd\ne\tf\xc2\x9bg\xff\xc3\xa9",
	    strlen("a\033[201~b\003c\r\nd\ne\tf\xc2\x9bg\xff\xc3\xa9"));
	CHECK_STR(s.out, "a[201~bc\rd\re\tfg\xc3\xa9");
	/* Bracketed once the program asks for it. */
	pane_put(pane, "\033[?2004h");
	sink_clear(&s);
	vt_pane_paste(pane, "ls\n", 3);
	CHECK_STR(s.out, "\033[200~ls\r\033[201~");
	/* Nothing left after filtering: nothing sent. */
	sink_clear(&s);
	vt_pane_paste(pane, "\033\003", 2);
	CHECK(s.len == 0);
	vt_pane_destroy(&pane);
}

static void
test_inbox(void)
{
	struct vt_pane_config cfg;
	struct sink s;
	char buf[150];
	vt_pane *pane;

	memset(&s, 0, sizeof s);
	memset(&cfg, 0, sizeof cfg);
	cfg.rows = 5;
	cfg.cols = 20;
	cfg.inbox_max = 100;
	cfg.cbs = &sink_cbs;
	cfg.arg = &s;
	pane = vt_pane_new(&cfg, NULL);
	memset(buf, 'x', sizeof buf);
	CHECK(vt_pane_feed(pane, buf, sizeof buf) == 100);
	CHECK(vt_pane_room(pane) == 0 && vt_pane_pending(pane) == 100);
	CHECK(vt_pane_feed(pane, buf, 1) == 0);
	CHECK(vt_pane_process(pane, 30, 0) == 30);
	CHECK(s.consumed == 30 && vt_pane_room(pane) == 30);
	CHECK(vt_pane_feed(pane, buf, 50) == 30);
	CHECK(vt_pane_process(pane, SIZE_MAX, 0) == 100);
	CHECK(vt_pane_pending(pane) == 0 && vt_pane_room(pane) == 100);
	CHECK(vt_pane_process(pane, SIZE_MAX, 0) == 0);
	vt_pane_destroy(&pane);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* `yes` on a big pane costs libvterm a screen move per line: a slice must
 * stop on time, not on bytes. */
static void
test_slice_time(void)
{
	struct vt_pane_config cfg;
	struct sink s;
	size_t len = 1024 * 1024, done;
	char *flood = tf_malloc(len);
	uint64_t t0, spent;
	vt_pane *pane;

	for (size_t i = 0; i < len; i += 2) {
		flood[i] = 'y';
		flood[i + 1] = '\n';
	}
	memset(&s, 0, sizeof s);
	memset(&cfg, 0, sizeof cfg);
	cfg.rows = 100;
	cfg.cols = 300;
	cfg.inbox_max = len;
	cfg.cbs = &sink_cbs;
	cfg.arg = &s;
	pane = vt_pane_new(&cfg, NULL);
	CHECK(vt_pane_feed(pane, flood, len) == len);
	t0 = now_us();
	done = vt_pane_process(pane, SIZE_MAX, 5);
	spent = now_us() - t0;
	CHECK(done > 0 && done < len);
	/* A 5 ms budget plus one 512-byte step (about 5 ms here); all of it
	 * would take over 10 s.  The bound is loose for sanitizer builds
	 * and loaded machines: stopping early at all is the point. */
	if (spent > 500000) {
		fprintf(stderr, "slice took %llu us\n",
		    (unsigned long long)spent);
		failures++;
	}
	vt_pane_destroy(&pane);
	free(flood);
}

/* --- colours ------------------------------------------------------------ */

static void
test_colors_reduce(void)
{
	bool bright;

	CHECK(vt_colors_reduce(VT_COLOR_DEFAULT, 256, true, true, NULL) == -1);
	CHECK(vt_colors_reduce(VT_COLOR_DEFAULT, 256, true, false, NULL) ==
	    COLOR_WHITE);
	CHECK(vt_colors_reduce(VT_COLOR_DEFAULT, 256, false, false, NULL) ==
	    COLOR_BLACK);
	CHECK(vt_colors_reduce(1, 256, true, true, NULL) == 1);
	CHECK(vt_colors_reduce(200, 256, true, true, NULL) == 200);
	CHECK(vt_colors_reduce(VT_COLOR_RGB(255, 0, 0), 256, true, true,
	    NULL) == 196);
	CHECK(vt_colors_reduce(VT_COLOR_RGB(128, 128, 128), 256, true, true,
	    NULL) == 244);
	CHECK(vt_colors_reduce(VT_COLOR_RGB(0, 0, 0), 256, true, true,
	    NULL) == 16);
	/* 16 colours: palette 0-15 kept, the rest nearest. */
	CHECK(vt_colors_reduce(12, 16, true, true, NULL) == 12);
	CHECK(vt_colors_reduce(196, 16, true, true, NULL) == 9);
	CHECK(vt_colors_reduce(VT_COLOR_RGB(0, 0, 200), 16, true, true,
	    NULL) == 4);
	/* 8 colours: bright becomes bold. */
	CHECK(vt_colors_reduce(9, 8, true, true, &bright) == 1 && bright);
	CHECK(vt_colors_reduce(9, 8, false, true, &bright) == 1 && !bright);
	CHECK(vt_colors_reduce(3, 8, true, true, &bright) == 3 && !bright);
	CHECK(vt_colors_reduce(46, 8, true, true, NULL) == 2);
	CHECK(vt_colors_reduce(VT_COLOR_RGB(250, 250, 250), 8, true, true,
	    NULL) == 7);
	for (int i = 0; i < 256; i++) {
		int c = vt_colors_reduce(i, 8, true, true, NULL);

		CHECK(c >= 0 && c < 8);
	}
}

/* A curses screen on /dev/null for terminal type term. */
static SCREEN *
screen_open(const char *term, FILE **out, FILE **in)
{
	SCREEN *scr;

	*out = fopen("/dev/null", "w");
	*in = fopen("/dev/null", "r");
	scr = newterm(term, *out, *in);
	if (scr == NULL) {
		fclose(*out);
		fclose(*in);
		return NULL;
	}
	set_term(scr);
	return scr;
}

static void
screen_close(SCREEN *scr, FILE *out, FILE *in)
{
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
}

/* The colours a drawn cell ended up with. */
static void
drawn_cell(int y, int x, wchar_t *wc, attr_t *attrs, int *fg, int *bg)
{
	cchar_t cc;
	short pair_s;
	int pair = 0;

	mvwin_wch(stdscr, y, x, &cc);
	wc[0] = 0;
	getcchar(&cc, wc, attrs, &pair_s, &pair);
	extended_pair_content(pair, fg, bg);
}

static void
test_draw_256(void)
{
	FILE *out, *in;
	SCREEN *scr = screen_open("xterm-256color", &out, &in);
	struct sink s;
	vt_colors *colors;
	vt_pane *pane;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t attrs;
	int fg, bg, y, x;

	if (scr == NULL) {
		fprintf(stderr, "test_draw_256: no xterm-256color, skipped\n");
		return;
	}
	start_color();
	use_default_colors();
	colors = vt_colors_new(16, 0, 0);
	CHECK(!vt_colors_mono(colors));
	pane = pane_make(5, 20, 0, &s, colors);
	pane_put(pane, "\033[31mR\033[1;4;38;5;200;48;5;21mB\033[0m"
	    "\033[38;2;255;0;0mT\033[0m\xe4\xb8\xad" "z\033[7mV\033[0m");
	CHECK(vt_pane_dirty(pane));
	vt_pane_draw(pane, stdscr, 1, 2, true);
	CHECK(!vt_pane_dirty(pane));
	/* The focused pane put the window cursor on the terminal's. */
	getyx(stdscr, y, x);
	CHECK(y == 1 && x == 2 + 7);

	drawn_cell(1, 2, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'R' && fg == 1 && bg == -1);
	drawn_cell(1, 3, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'B' && fg == 200 && bg == 21);
	CHECK((attrs & A_BOLD) && (attrs & A_UNDERLINE));
	drawn_cell(1, 4, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'T' && fg == 196);
	drawn_cell(1, 5, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == 0x4e2d);
	drawn_cell(1, 7, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'z' && fg == -1 && bg == -1);
	drawn_cell(1, 8, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'V' && (attrs & A_REVERSE));

	/* Same colours again: no new pairs. */
	{
		int used = vt_colors_used(colors);

		pane_put(pane, "\r\n\033[31mR\033[38;5;200;48;5;21mB");
		vt_pane_draw(pane, stdscr, 1, 2, false);
		CHECK(vt_colors_used(colors) == used);
	}

	/* Only dirty rows are redrawn: scribble over row 0, change row 2,
	 * and row 0 stays scribbled until invalidated. */
	mvwaddstr(stdscr, 1, 2, "XX");
	pane_put(pane, "\033[3;1Hthird");
	vt_pane_draw(pane, stdscr, 1, 2, false);
	drawn_cell(1, 2, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'X');
	drawn_cell(3, 2, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L't');
	vt_pane_invalidate(pane);
	vt_pane_draw(pane, stdscr, 1, 2, false);
	drawn_cell(1, 2, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'R');

	/* The ended banner covers the last row. */
	vt_pane_set_ended(pane, "shell exited with status 3");
	vt_pane_draw(pane, stdscr, 1, 2, false);
	drawn_cell(5, 4, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L's' && (attrs & A_REVERSE));

	/* Clipped to the window: a pane wider than the screen. */
	vt_pane_resize(pane, 5, 200);
	pane_put(pane, "\033[H\033[2J\033[1;79H\xe4\xb8\xad");
	vt_pane_draw(pane, stdscr, 0, 0, false);

	vt_pane_destroy(&pane);
	vt_colors_destroy(&colors);
	CHECK(colors == NULL);
	screen_close(scr, out, in);
}

/* Few pairs: a frame needing more than exist degrades, never fails, and
 * recycling moves the generation. */
static void
test_draw_pairs_exhausted(void)
{
	FILE *out, *in;
	SCREEN *scr = screen_open("xterm-256color", &out, &in);
	struct sink s;
	vt_colors *colors;
	vt_pane *pane;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t attrs;
	int fg, bg;
	char seq[64];

	if (scr == NULL)
		return;
	start_color();
	use_default_colors();
	colors = vt_colors_new(16, 4, 0);
	CHECK(vt_colors_capacity(colors) == 4);
	pane = pane_make(3, 40, 0, &s, colors);
	for (int i = 0; i < 8; i++) {
		tf_snprintf(seq, sizeof seq, "\033[38;5;%dm%d", 16 + i * 30, i);
		pane_put(pane, seq);
	}
	vt_pane_draw(pane, stdscr, 0, 0, false);
	CHECK(vt_colors_used(colors) == 4);
	drawn_cell(0, 0, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'0' && fg == 16);
	/* A later frame with new colours recycles and bumps the
	 * generation. */
	{
		unsigned long gen = vt_colors_generation(colors);

		pane_put(pane, "\033[2J\033[H\033[38;5;100mA\033[38;5;101mB");
		vt_pane_draw(pane, stdscr, 0, 0, false);
		CHECK(vt_colors_generation(colors) != gen);
		drawn_cell(0, 0, wc, &attrs, &fg, &bg);
		CHECK(wc[0] == L'A' && fg == 100);
		drawn_cell(0, 1, wc, &attrs, &fg, &bg);
		CHECK(wc[0] == L'B' && fg == 101);
	}
	vt_pane_destroy(&pane);
	vt_colors_destroy(&colors);
	screen_close(scr, out, in);
}

static void
test_draw_8_and_mono(void)
{
	FILE *out, *in;
	SCREEN *scr = screen_open("xterm", &out, &in);
	struct sink s;
	vt_colors *colors;
	vt_pane *pane;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t attrs;
	int fg, bg;

	if (scr == NULL)
		return;
	start_color();		/* no use_default_colors: white on black */
	colors = vt_colors_new(8, 0, 0);
	CHECK(!vt_colors_mono(colors));
	pane = pane_make(2, 20, 0, &s, colors);
	pane_put(pane, "\033[91mA\033[38;5;208mB\033[0mC\033[44mD");
	vt_pane_draw(pane, stdscr, 0, 0, false);
	drawn_cell(0, 0, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'A' && fg == 1 && (attrs & A_BOLD));
	drawn_cell(0, 1, wc, &attrs, &fg, &bg);
	CHECK(fg >= 0 && fg < 8);
	drawn_cell(0, 2, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'C' && fg == COLOR_WHITE && bg == COLOR_BLACK);
	drawn_cell(0, 3, wc, &attrs, &fg, &bg);
	CHECK(bg == COLOR_BLUE);
	vt_pane_destroy(&pane);
	vt_colors_destroy(&colors);
	screen_close(scr, out, in);

	/* A terminal without colours, and NO_COLOR (the console passes
	 * VT_COLORS_MONO): attributes only. */
	scr = screen_open("vt100", &out, &in);
	if (scr == NULL)
		return;
	colors = vt_colors_new(1, 0, 0);
	CHECK(vt_colors_mono(colors));
	pane = pane_make(2, 20, 0, &s, colors);
	pane_put(pane, "\033[1;31mA\033[0;7mB");
	vt_pane_draw(pane, stdscr, 0, 0, false);
	drawn_cell(0, 0, wc, &attrs, &fg, &bg);
	CHECK(wc[0] == L'A' && (attrs & A_BOLD) && PAIR_NUMBER(attrs) == 0);
	drawn_cell(0, 1, wc, &attrs, &fg, &bg);
	CHECK((attrs & A_REVERSE));
	vt_pane_destroy(&pane);
	vt_colors_destroy(&colors);
	screen_close(scr, out, in);
}

/* --- loop ---------------------------------------------------------------- */

static void
test_loop_slices_and_redraws(void)
{
	struct vt_pane_config cfg;
	struct sink s;
	FILE *out, *in;
	SCREEN *scr = screen_open("xterm-256color", &out, &in);
	tf_loop *loop;
	char line[64];
	vt_pane *pane;
	uint64_t t0;

	if (scr == NULL)
		return;
	loop = tf_loop_new();
	memset(&s, 0, sizeof s);
	memset(&cfg, 0, sizeof cfg);
	cfg.rows = 10;
	cfg.cols = 40;
	cfg.loop = loop;
	cfg.slice_bytes = 1000;
	cfg.redraw_ms = 50;
	cfg.cbs = &sink_loop_cbs;
	cfg.arg = &s;
	pane = vt_pane_new(&cfg, NULL);

	/* 100 small feeds over ~200 ms: one redraw per 50 ms interval at
	 * most, not one per feed. */
	t0 = tf_now_ms();
	for (int i = 0; i < 100; i++) {
		tf_snprintf(line, sizeof line, "line %d\r\n", i);
		vt_pane_feed(pane, line, strlen(line));
		tf_loop_run_once(loop, 2);
	}
	while (tf_now_ms() - t0 < 400 && (vt_pane_pending(pane) > 0 ||
	    vt_pane_dirty(pane)))
		tf_loop_run_once(loop, 10);
	CHECK(vt_pane_pending(pane) == 0);
	CHECK(s.redraws >= 1);
	if ((uint64_t)s.redraws > (tf_now_ms() - t0) / 50 + 2) {
		fprintf(stderr, "%d redraws in %llu ms\n", s.redraws,
		    (unsigned long long)(tf_now_ms() - t0));
		failures++;
	}
	CHECK_STR(row_text(pane, 8), "line 99");

	/* A big feed is parsed in slices over several passes. */
	{
		char big[5000];
		int n = 0;

		memset(big, 'a', sizeof big);
		CHECK(vt_pane_feed(pane, big, sizeof big) == sizeof big);
		while (vt_pane_pending(pane) > 0 && n < 100) {
			tf_loop_run_once(loop, 10);
			n++;
		}
		CHECK(n >= 5);
	}
	vt_pane_destroy(&pane);
	/* Destroyed with timers armed: the loop must not call back. */
	pane = vt_pane_new(&cfg, NULL);
	vt_pane_feed(pane, "x", 1);
	vt_pane_destroy(&pane);
	tf_loop_run_once(loop, 0);
	tf_loop_run_once(loop, 0);
	tf_loop_destroy(&loop);
	screen_close(scr, out, in);
}

static const struct {
	const char	*name;
	void		(*fn)(void);
} tests[] = {
	{ "config", test_config },
	{ "colors_model", test_colors_model },
	{ "altscreen", test_altscreen },
	{ "wide", test_wide },
	{ "title_cursor", test_title_cursor },
	{ "scrollback", test_scrollback },
	{ "resize", test_resize },
	{ "keys", test_keys },
	{ "paste", test_paste },
	{ "inbox", test_inbox },
	{ "slice_time", test_slice_time },
	{ "colors_reduce", test_colors_reduce },
	{ "draw_256", test_draw_256 },
	{ "draw_pairs_exhausted", test_draw_pairs_exhausted },
	{ "draw_8_and_mono", test_draw_8_and_mono },
	{ "loop", test_loop_slices_and_redraws },
};

int
main(int argc, char **argv)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "");
	for (size_t i = 0; i < TF_ARRAY_LEN(tests); i++) {
		bool run = argc < 2;

		for (int a = 1; a < argc; a++)
			run |= strcmp(argv[a], tests[i].name) == 0;
		if (!run)
			continue;
		tests[i].fn();
		printf("%s %s\n", failures ? "FAIL" : "ok", tests[i].name);
		if (failures)
			break;
	}
	return failures ? 1 : 0;
}
