/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui_crt: everything that touches curses set-up: initialisation and
 * teardown, the semantic colour table (nothing else calls COLOR_PAIR), key
 * decoding, terminal signals through a signalfd (so SIGWINCH and SIGTERM
 * are loop events, not handlers), and colour pairs for shell panes.
 *
 * stdin is polled by the core loop; tui_crt_read_key is then called until it
 * returns 0 (nodelay), so the console never blocks in curses.
 */
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "tf_util.h"
#include "tui.h"

struct tui_scheme {
	short fg, bg;
	attr_t attr;		/* with colour */
	attr_t mono;		/* NO_COLOR or no colour terminal */
};

/* Colours say what a thing is, never decorate: green is healthy, yellow
 * in between, red broken, dim finished. */
static const struct tui_scheme tui_crt_scheme[TUI_C_LAST] = {
	[TUI_C_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[TUI_C_HEADER] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE },
	[TUI_C_HEADER_VALUE] = { COLOR_YELLOW, COLOR_BLUE, A_BOLD,
	    A_REVERSE | A_BOLD },
	[TUI_C_TAB] = { -1, -1, A_NORMAL, A_NORMAL },
	[TUI_C_TAB_ACTIVE] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL,
	    A_REVERSE | A_BOLD },
	[TUI_C_COLHEAD] = { COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[TUI_C_CURSOR] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[TUI_C_CURSOR_DIM] = { -1, -1, A_REVERSE, A_REVERSE | A_DIM },
	[TUI_C_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[TUI_C_WARN] = { COLOR_YELLOW, -1, A_NORMAL, A_BOLD },
	[TUI_C_BAD] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[TUI_C_DIM] = { -1, -1, A_DIM, A_DIM },
	[TUI_C_MSG_INFO] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[TUI_C_MSG_ERROR] = { COLOR_WHITE, COLOR_RED, A_BOLD,
	    A_REVERSE | A_BOLD },
	[TUI_C_HINT_KEY] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[TUI_C_HINT] = { -1, -1, A_NORMAL, A_NORMAL },
	[TUI_C_DIALOG] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_NORMAL },
	[TUI_C_DIALOG_TITLE] = { COLOR_BLUE, COLOR_WHITE, A_BOLD, A_BOLD },
	[TUI_C_FIELD] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_UNDERLINE },
	[TUI_C_FIELD_FOCUS] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL,
	    A_REVERSE },
	[TUI_C_BUTTON] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_NORMAL },
	[TUI_C_BUTTON_FOCUS] = { COLOR_WHITE, COLOR_RED, A_BOLD,
	    A_REVERSE | A_BOLD },
	[TUI_C_MATCH] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL,
	    A_REVERSE | A_UNDERLINE },
	[TUI_C_MARKER] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[TUI_C_STDERR] = { COLOR_RED, -1, A_NORMAL, A_NORMAL },
	[TUI_C_PANE_TITLE] = { -1, -1, A_REVERSE, A_REVERSE },
	[TUI_C_PANE_TITLE_FOCUS] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL,
	    A_REVERSE | A_BOLD },
};

static int
tui_crt_signals_open(struct tui_crt *crt, tf_err *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return tf_err_errno(err, "sigprocmask");
	crt->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (crt->sigfd < 0)
		return tf_err_errno(err, "signalfd");
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int tui_crt_setup(struct tui_crt *crt, bool mouse, bool no_color);

int
tui_crt_init(struct tui_crt *crt, bool mouse, bool no_color, tf_err *err)
{

	memset(crt, 0, sizeof *crt);
	crt->sigfd = -1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return tf_err_set(err, "tfcon needs a terminal on stdin and "
		    "stdout");
	/* Signals first, so ncurses sees SIGWINCH blocked and the loop gets
	 * it from the signalfd. */
	if (tui_crt_signals_open(crt, err) != 0)
		return -1;
	crt->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if ((crt->screen = newterm(NULL, stdout, stdin)) == NULL)
		return tf_err_set(err, "cannot initialise the terminal "
		    "(TERM=%s)", getenv("TERM") ? getenv("TERM") : "unset");
	return tui_crt_setup(crt, mouse, no_color);
}

int
tui_crt_init_headless(struct tui_crt *crt, const char *term, FILE *out,
		      FILE *in, tf_err *err)
{
	memset(crt, 0, sizeof *crt);
	crt->sigfd = -1;
	crt->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if ((crt->screen = newterm(term, out, in)) == NULL)
		return tf_err_set(err, "newterm %s failed", term);
	return tui_crt_setup(crt, false, false);
}

/* Curses modes and the colour table, once a screen exists. */
static int
tui_crt_setup(struct tui_crt *crt, bool mouse, bool no_color)
{
	const char *nc = getenv("NO_COLOR");
	int i;

	crt->active = true;
	raw();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	meta(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	crt->color = has_colors() && !no_color && (nc == NULL || *nc == '\0');
	if (crt->color && start_color() == OK) {
		use_default_colors();
		for (i = 0; i < TUI_C_LAST; i++) {
			init_pair((short)(i + 1), tui_crt_scheme[i].fg,
			    tui_crt_scheme[i].bg);
			crt->attrs[i] = COLOR_PAIR(i + 1) |
			    tui_crt_scheme[i].attr;
		}
		crt->first_dynamic = crt->next_dynamic = TUI_C_LAST + 1;
	} else {
		crt->color = false;
		for (i = 0; i < TUI_C_LAST; i++)
			crt->attrs[i] = tui_crt_scheme[i].mono;
	}
	/* Bracketed paste: a paste arrives between markers, so a shell
	 * pane can hand it on as one paste (tui_paste.c). */
	define_key("\033[200~", KEY_MAX + 101);
	define_key("\033[201~", KEY_MAX + 102);
	putp("\033[?2004h");
	fflush(stdout);		/* putp writes through stdio, not curses */
	crt->mouse = mouse;
	if (mouse) {
		/* Presses and releases apart (mouseinterval 0), as a
		 * program in a shell pane wants them. */
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED |
		    BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON2_PRESSED |
		    BUTTON2_RELEASED | BUTTON3_PRESSED | BUTTON3_RELEASED |
		    BUTTON4_PRESSED | BUTTON5_PRESSED | BUTTON_SHIFT |
		    BUTTON_CTRL | BUTTON_ALT, NULL);
		mouseinterval(0);
	}
	return 0;
}

void
tui_crt_fini(struct tui_crt *crt)
{
	if (crt->active) {
		if (crt->mouse)
			mousemask(0, NULL);
		putp("\033[?2004l");
		fflush(stdout);
		curs_set(1);
		endwin();
		delscreen(crt->screen);
		crt->screen = NULL;
		crt->active = false;
	}
	if (crt->sigfd >= 0) {
		close(crt->sigfd);
		crt->sigfd = -1;
	}
	free(crt->pair_cache);
	crt->pair_cache = NULL;
}

attr_t
tui_crt_attr(const struct tui_crt *crt, enum tui_color c)
{
	return c < TUI_C_LAST ? crt->attrs[c] : A_NORMAL;
}

int
tui_crt_read_key(struct tui_crt *crt, tui_key *k)
{
	wint_t wc, wc2;
	int rc, rc2;

	TF_UNUSED(crt);
	rc = wget_wch(stdscr, &wc);
	if (rc == ERR)
		return 0;
	if (rc == KEY_CODE_YES) {
		switch (wc) {
		case KEY_ENTER:
			*k = TUI_KEY_ENTER;
			break;
		case KEY_BACKSPACE:
			*k = 127;
			break;
		default:
			*k = TUI_KEY_FN | (tui_key)wc;
		}
		return 1;
	}
	if (wc == TUI_KEY_ESC) {
		/* Esc followed at once by a key is Alt+key. */
		rc2 = wget_wch(stdscr, &wc2);
		if (rc2 == OK && wc2 != TUI_KEY_ESC) {
			*k = TUI_KEY_META | (tui_key)wc2;
			return 1;
		}
		if (rc2 == KEY_CODE_YES) {
			*k = TUI_KEY_META | TUI_KEY_FN | (tui_key)wc2;
			return 1;
		}
		if (rc2 == OK)
			unget_wch(wc2);
	}
	*k = (tui_key)wc;
	return 1;
}

bool
tui_crt_resize(struct tui_crt *crt)
{
	struct winsize ws;

	if (!crt->active || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 ||
	    ws.ws_row == 0 || ws.ws_col == 0)
		return false;
	if (ws.ws_row == LINES && ws.ws_col == COLS)
		return false;
	resize_term(ws.ws_row, ws.ws_col);
	return true;
}

int
tui_crt_signal_fd(const struct tui_crt *crt)
{
	return crt->sigfd;
}

int
tui_crt_signals(struct tui_crt *crt)
{
	struct signalfd_siginfo si;
	int mask = 0;

	while (read(crt->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGWINCH)
			mask |= 1;
		else
			mask |= 2;
	}
	return mask;
}

/* The 8 base colours nearest to an xterm 256-colour index. */
static int
tui_crt_base(int c)
{
	int r, g, b;

	if (c < 0)
		return -1;
	if (c < 16)
		return c % 8;
	if (c >= 232)
		return c >= 244 ? COLOR_WHITE : COLOR_BLACK;
	c -= 16;
	r = c / 36 >= 3;
	g = (c / 6) % 6 >= 3;
	b = c % 6 >= 3;
	return r | g << 1 | b << 2;
}

short
tui_crt_pair(struct tui_crt *crt, int fg, int bg)
{
	size_t idx;
	short pair;

	if (!crt->color)
		return 0;
	if (fg < -1 || fg > 255 || bg < -1 || bg > 255)
		return 0;
	if (fg >= COLORS || bg >= COLORS) {
		fg = tui_crt_base(fg);
		bg = tui_crt_base(bg);
	}
	if (crt->pair_cache == NULL)
		crt->pair_cache = tf_calloc(257 * 257, sizeof *crt->pair_cache);
	idx = (size_t)(fg + 1) * 257 + (size_t)(bg + 1);
	if (crt->pair_cache[idx] != 0)
		return crt->pair_cache[idx];
	if (crt->next_dynamic >= COLOR_PAIRS || crt->next_dynamic >= 32767) {
		/* Out of pairs: fall back to the base colours, which have
		 * at most 81 combinations and were likely allocated early. */
		if (fg > 7 || bg > 7)
			return tui_crt_pair(crt, tui_crt_base(fg),
			    tui_crt_base(bg));
		return 0;
	}
	pair = crt->next_dynamic++;
	init_pair(pair, (short)fg, (short)bg);
	crt->pair_cache[idx] = pair;
	return pair;
}
