/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vtdemo: a development harness for the shell pane (vt_pane.h).  It opens a
 * curses screen with a vt_pane on the left running a local shell on a local
 * pty (forkpty), an events region on the right and a status line, all
 * driven by the one tf_loop: the pty master, the terminal, a signalfd
 * (SIGWINCH, SIGCHLD) and timers.  It exercises everything the console's
 * container shell does except the network, and is what tests/tui/vt_*.sh
 * drive through tmux.
 *
 * Keys: everything goes to the shell, except C-] (leave the pane: focus
 * moves to the events region, where q quits and Enter or C-] goes back)
 * and Shift-PgUp/PgDn (scrollback).  The events region shows a 100 ms tick
 * counter, so a test can see that a flood in the pane starves nothing.
 *
 * usage: vtdemo [-x] [-s lines] [-w side-width] [-- command [arg...]]
 *   -x  exit when the shell exits, with its status
 *   -s  scrollback lines (default VT_SCROLLBACK_DEFAULT)
 *   -w  width of the events region (default 24; 0 hides it)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curses.h>

#include "tf_err.h"
#include "tf_log.h"
#include "tf_loop.h"
#include "tf_util.h"
#include "vt_pane.h"

#define DEMO_KEY_LEAVE		0x1d		/* C-] */
#define DEMO_READ_MAX		(16 * 1024)	/* pty bytes per read */
#define DEMO_OUT_MAX		(1024 * 1024)	/* keys queued for the pty */
#define DEMO_TICK_MS		100
/* Key codes we ask curses to report for the outer terminal's bracketed
 * paste markers. */
#define DEMO_KEY_PASTE_BEGIN	(KEY_MAX + 101)
#define DEMO_KEY_PASTE_END	(KEY_MAX + 102)
#define DEMO_PAIR_STATUS	1
#define DEMO_PAIR_SIDE		2
#define DEMO_FIRST_PANE_PAIR	16

struct demo {
	tf_loop		*loop;
	vt_pane		*pane;
	vt_colors	*colors;

	pid_t		 child;
	int		 master;	/* -1 once the pty is gone */
	bool		 reading;	/* TF_READ set on master */
	bool		 exited;
	int		 status;
	bool		 exit_on_end;
	int		 sigfd;

	char		*out;		/* keys waiting for the pty */
	size_t		 out_len;

	int		 side_w;	/* requested events width */
	int		 pane_rows, pane_cols;
	bool		 focus_side;
	bool		 draw_pane;	/* the pane asked for a redraw */
	bool		 draw_ui;	/* status or events changed */

	bool		 in_paste;
	char		*paste;
	size_t		 paste_len, paste_cap;

	unsigned long	 ticks, keys, bytes_in;
	uint64_t	 max_late_ms;	/* latest a tick has fired */
	uint64_t	 last_tick_ms;
};

/* --- layout and drawing ------------------------------------------------- */

static void
demo_layout(struct demo *d)
{
	int side = d->side_w;

	if (side > 0 && COLS - side - 1 < 10)
		side = 0;
	d->pane_rows = LINES - 1 > 1 ? LINES - 1 : 1;
	d->pane_cols = side > 0 ? COLS - side - 1 : COLS;
	if (d->pane_cols < 1)
		d->pane_cols = 1;
}

static void
demo_draw_ui(struct demo *d)
{
	char line[256];
	int side_x = d->pane_cols + 1, y = 0;
	const char *ended = d->pane != NULL ? vt_pane_ended(d->pane) : NULL;
	int rows, cols;

	vt_pane_get_size(d->pane, &rows, &cols);
	attrset(COLOR_PAIR(DEMO_PAIR_STATUS) | A_REVERSE);
	tf_snprintf(line, sizeof line,
	    " vtdemo | pane %dx%d | focus %s | C-] leave | S-PgUp/PgDn scroll%s",
	    rows, cols, d->focus_side ? "side" : "shell",
	    d->focus_side ? " | q quit, Enter back" : "");
	mvhline(LINES - 1, 0, ' ', COLS);
	mvaddnstr(LINES - 1, 0, line, COLS);
	attrset(A_NORMAL);

	if (side_x >= COLS)
		return;
	mvvline(0, d->pane_cols, ACS_VLINE, d->pane_rows);
	attrset(COLOR_PAIR(DEMO_PAIR_SIDE));
	for (int r = 0; r < d->pane_rows; r++)
		mvhline(r, side_x, ' ', COLS - side_x);
#define SIDE(...) do { \
	tf_snprintf(line, sizeof line, __VA_ARGS__); \
	mvaddnstr(y++, side_x, line, COLS - side_x); \
} while (0)
	SIDE("%s", d->focus_side ? "[events]" : " events");
	SIDE("tick %lu", d->ticks);
	SIDE("keys %lu", d->keys);
	SIDE("in %lu B", d->bytes_in);
	SIDE("queued %zu B", vt_pane_pending(d->pane));
	SIDE("late %llu ms", (unsigned long long)d->max_late_ms);
	SIDE("history %d/%zu", vt_pane_scroll_offset(d->pane),
	    vt_pane_scrollback_lines(d->pane));
	SIDE("alt %s", vt_pane_altscreen(d->pane) ? "yes" : "no");
	SIDE("title %s", vt_pane_title(d->pane));
	if (ended != NULL)
		SIDE("ended: %s", ended);
#undef SIDE
	attrset(A_NORMAL);
}

/* Before-sleep hook: one screen update per pass at most, and only when the
 * pane's coalescing timer or the UI asked for it. */
static void
demo_draw_hook(tf_loop *loop, void *arg)
{
	struct demo *d = arg;

	TF_UNUSED(loop);
	if (!d->draw_pane && !d->draw_ui)
		return;
	if (d->draw_ui)
		demo_draw_ui(d);
	/* The pane last: its cursor is the one the terminal shows. */
	vt_pane_draw(d->pane, stdscr, 0, 0, !d->focus_side);
	if (d->focus_side) {
		curs_set(0);
		move(0, d->pane_cols + 1);
	}
	refresh();
	d->draw_pane = d->draw_ui = false;
}

/* --- the pty ------------------------------------------------------------- */

static int demo_master_cb(tf_loop *loop, int fd, int events, void *arg);

static void
demo_master_events(struct demo *d)
{
	int events = 0;

	if (d->master < 0)
		return;
	if (d->reading)
		events |= TF_READ;
	if (d->out_len > 0)
		events |= TF_WRITE;
	tf_loop_set_events(d->loop, d->master, events);
}

static void
demo_flush_out(struct demo *d)
{
	while (d->out_len > 0 && d->master >= 0) {
		ssize_t n = write(d->master, d->out, d->out_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* EAGAIN: the loop tells us */
		memmove(d->out, d->out + n, d->out_len - (size_t)n);
		d->out_len -= (size_t)n;
	}
	demo_master_events(d);
}

static void
demo_pty_gone(struct demo *d)
{
	if (d->master < 0)
		return;
	tf_loop_del_fd(d->loop, d->master);
	close(d->master);
	d->master = -1;
}

static int
demo_master_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct demo *d = arg;
	char buf[DEMO_READ_MAX];
	size_t room;
	ssize_t n;

	TF_UNUSED(loop);
	if (events & TF_WRITE)
		demo_flush_out(d);
	if (!(events & (TF_READ | TF_ERROR)) || d->master < 0)
		return 0;
	room = vt_pane_room(d->pane);
	if (room == 0) {
		/* Back-pressure: stop reading until the pane has parsed
		 * some; the flood waits in the shell, not in our memory. */
		d->reading = false;
		demo_master_events(d);
		return 0;
	}
	/* One read per pass, so other fds get their turn too. */
	do
		n = read(fd, buf, room < sizeof buf ? room : sizeof buf);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		/* EIO: every slave fd is closed. */
		demo_pty_gone(d);
		return 0;
	}
	d->bytes_in += (unsigned long)n;
	vt_pane_feed(d->pane, buf, (size_t)n);
	return 0;
}

static void
demo_write_cb(vt_pane *pane, const char *bytes, size_t len, void *arg)
{
	struct demo *d = arg;

	TF_UNUSED(pane);
	if (d->master < 0)
		return;
	if (d->out_len + len > DEMO_OUT_MAX) {
		tf_warn("vtdemo: %zu bytes for the pty dropped", len);
		return;
	}
	d->out = tf_realloc(d->out, d->out_len + len);
	memcpy(d->out + d->out_len, bytes, len);
	d->out_len += len;
	demo_flush_out(d);
}

static void
demo_resize_cb(vt_pane *pane, int rows, int cols, void *arg)
{
	struct demo *d = arg;
	struct winsize ws = { .ws_row = (unsigned short)rows,
	    .ws_col = (unsigned short)cols };

	TF_UNUSED(pane);
	if (d->master >= 0)
		ioctl(d->master, TIOCSWINSZ, &ws);
}

static void
demo_redraw_cb(vt_pane *pane, void *arg)
{
	struct demo *d = arg;

	TF_UNUSED(pane);
	d->draw_pane = true;
}

static void
demo_consumed_cb(vt_pane *pane, size_t bytes, void *arg)
{
	struct demo *d = arg;

	TF_UNUSED(pane);
	TF_UNUSED(bytes);
	if (!d->reading && d->master >= 0) {
		d->reading = true;
		demo_master_events(d);
	}
}

static void
demo_title_cb(vt_pane *pane, const char *title, void *arg)
{
	struct demo *d = arg;

	TF_UNUSED(pane);
	TF_UNUSED(title);
	d->draw_ui = true;
}

static const struct vt_pane_cbs demo_pane_cbs = {
	.write = demo_write_cb,
	.resize = demo_resize_cb,
	.redraw = demo_redraw_cb,
	.consumed = demo_consumed_cb,
	.title = demo_title_cb,
};

static int
demo_spawn(struct demo *d, char **argv)
{
	struct winsize ws = { .ws_row = (unsigned short)d->pane_rows,
	    .ws_col = (unsigned short)d->pane_cols };
	sigset_t none;
	pid_t pid;

	/* The pty has the pane's size before the shell starts. */
	pid = forkpty(&d->master, NULL, NULL, &ws);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		const char *shell = getenv("SHELL");

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setenv("TERM", "xterm-256color", 1);
		unsetenv("COLUMNS");
		unsetenv("LINES");
		unsetenv("TMUX");
		unsetenv("TMUX_PANE");
		if (argv != NULL && argv[0] != NULL)
			execvp(argv[0], argv);
		else {
			if (shell == NULL || *shell == '\0')
				shell = "/bin/sh";
			execl(shell, shell, (char *)NULL);
		}
		_exit(127);
	}
	d->child = pid;
	fcntl(d->master, F_SETFL, fcntl(d->master, F_GETFL) | O_NONBLOCK);
	fcntl(d->master, F_SETFD, FD_CLOEXEC);
	d->reading = true;
	return tf_loop_add_fd(d->loop, d->master, TF_READ, demo_master_cb, d);
}

/* --- keys ---------------------------------------------------------------- */

static void
demo_paste_add(struct demo *d, wint_t ch)
{
	char mb[MB_LEN_MAX];
	mbstate_t ps;
	size_t n;

	memset(&ps, 0, sizeof ps);
	n = wcrtomb(mb, (wchar_t)ch, &ps);
	if (n == (size_t)-1)
		return;
	if (d->paste_len + n > d->paste_cap) {
		d->paste_cap = d->paste_cap ? d->paste_cap * 2 : 256;
		d->paste = tf_realloc(d->paste, d->paste_cap);
	}
	memcpy(d->paste + d->paste_len, mb, n);
	d->paste_len += n;
}

static int
demo_key(struct demo *d, wint_t ch, bool is_keycode)
{
	int rows;

	d->keys++;
	d->draw_ui = true;
	if (is_keycode && ch == DEMO_KEY_PASTE_BEGIN) {
		d->in_paste = true;
		d->paste_len = 0;
		return 0;
	}
	if (is_keycode && ch == DEMO_KEY_PASTE_END) {
		/* A stray end marker (pasted text may carry one) is
		 * dropped. */
		if (d->in_paste && !d->focus_side)
			vt_pane_paste(d->pane, d->paste, d->paste_len);
		d->in_paste = false;
		d->paste_len = 0;
		return 0;
	}
	if (d->in_paste) {
		if (!is_keycode)
			demo_paste_add(d, ch);
		return 0;
	}

	vt_pane_get_size(d->pane, &rows, NULL);
	if (is_keycode && (ch == KEY_SPREVIOUS || ch == KEY_SNEXT)) {
		vt_pane_scroll(d->pane, ch == KEY_SPREVIOUS ? -rows / 2 :
		    rows / 2);
		return 0;
	}
	if (!is_keycode && ch == DEMO_KEY_LEAVE) {
		d->focus_side = !d->focus_side;
		vt_pane_invalidate(d->pane);	/* cursor moves */
		return 0;
	}
	if (d->focus_side || vt_pane_ended(d->pane) != NULL) {
		if (!is_keycode && ch == 'q')
			return -1;
		if (!is_keycode && (ch == '\r' || ch == '\n'))
			d->focus_side = false;
		else if (is_keycode && (ch == KEY_PPAGE || ch == KEY_UP))
			vt_pane_scroll(d->pane, ch == KEY_PPAGE ? -rows : -1);
		else if (is_keycode && (ch == KEY_NPAGE || ch == KEY_DOWN))
			vt_pane_scroll(d->pane, ch == KEY_NPAGE ? rows : 1);
		return 0;
	}
	vt_pane_key(d->pane, ch, is_keycode, 0);
	return 0;
}

static int
demo_stdin_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct demo *d = arg;
	wint_t ch;
	int rc;

	TF_UNUSED(loop);
	TF_UNUSED(fd);
	TF_UNUSED(events);
	while ((rc = get_wch(&ch)) != ERR) {
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;	/* handled through the signalfd */
		if (demo_key(d, ch, rc == KEY_CODE_YES) < 0)
			return -1;
	}
	return 0;
}

/* --- signals, ticks ------------------------------------------------------ */

static void
demo_resize_screen(struct demo *d)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	demo_layout(d);
	/* A terminal that grows may show again what it hid when it shrank
	 * (tmux keeps the cut-off cells); ncurses thinks the new area is
	 * blank, so repaint everything rather than trust it. */
	clearok(curscr, TRUE);
	erase();
	vt_pane_resize(d->pane, d->pane_rows, d->pane_cols);
	vt_pane_invalidate(d->pane);
	d->draw_pane = d->draw_ui = true;
}

static void
demo_child_exited(struct demo *d, int status)
{
	char why[128];

	d->exited = true;
	d->status = status;
	if (WIFEXITED(status))
		tf_snprintf(why, sizeof why, "shell exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		tf_snprintf(why, sizeof why, "shell killed by signal %d",
		    WTERMSIG(status));
	else
		tf_snprintf(why, sizeof why, "shell ended");
	vt_pane_set_ended(d->pane, why);
	d->draw_ui = true;
}

static int
demo_stop_cb(tf_loop *loop, uint64_t id, void *arg)
{
	TF_UNUSED(id);
	TF_UNUSED(arg);
	tf_loop_stop(loop);
	return -1;
}

static int
demo_signal_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct demo *d = arg;
	struct signalfd_siginfo si;

	TF_UNUSED(events);
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGWINCH)
			demo_resize_screen(d);
		else if (si.ssi_signo == SIGCHLD) {
			int status;

			while (waitpid(d->child, &status, WNOHANG) == d->child)
				demo_child_exited(d, status);
			if (d->exited && d->exit_on_end)
				/* Let the last output show, then leave. */
				tf_loop_timer(loop, 300, false, demo_stop_cb, d);
		}
	}
	return 0;
}

static int
demo_tick_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct demo *d = arg;
	uint64_t now = tf_now_ms();

	TF_UNUSED(loop);
	TF_UNUSED(id);
	/* How late the tick is shows how long the loop was blocked. */
	if (d->last_tick_ms != 0 && now - d->last_tick_ms > DEMO_TICK_MS &&
	    now - d->last_tick_ms - DEMO_TICK_MS > d->max_late_ms)
		d->max_late_ms = now - d->last_tick_ms - DEMO_TICK_MS;
	d->last_tick_ms = now;
	d->ticks++;
	d->draw_ui = true;
	return 0;
}

/* --- main ---------------------------------------------------------------- */

static void
demo_usage(void)
{
	fprintf(stderr, "usage: vtdemo [-x] [-s lines] [-w side-width] "
	    "[-- command [arg...]]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct demo demo, *d = &demo;
	struct vt_pane_config cfg;
	sigset_t sigs;
	tf_err err;
	size_t scrollback = 0;
	bool mono;
	int opt, rc = 0;

	memset(d, 0, sizeof *d);
	d->master = -1;
	d->side_w = 24;
	while ((opt = getopt(argc, argv, "xs:w:")) != -1) {
		switch (opt) {
		case 'x':
			d->exit_on_end = true;
			break;
		case 's':
			scrollback = strtoul(optarg, NULL, 10);
			if (scrollback == 0)
				scrollback = SIZE_MAX;
			break;
		case 'w':
			d->side_w = atoi(optarg);
			break;
		default:
			demo_usage();
		}
	}
	setlocale(LC_ALL, "");
	tf_log_setup(TF_LOG_QUIET, "vtdemo", NULL);

	/* SIGWINCH and SIGCHLD arrive through the loop, not handlers. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGWINCH);
	sigaddset(&sigs, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	d->sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0) {
		perror("vtdemo: signalfd");
		return 1;
	}

	initscr();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	mono = !has_colors() || getenv("NO_COLOR") != NULL;
	if (!mono) {
		start_color();
		use_default_colors();
		init_pair(DEMO_PAIR_STATUS, COLOR_CYAN, -1);
		init_pair(DEMO_PAIR_SIDE, COLOR_YELLOW, -1);
	}
	d->colors = vt_colors_new(DEMO_FIRST_PANE_PAIR, 0,
	    mono ? VT_COLORS_MONO : 0);
	/* Ask the outer terminal to bracket pastes, and curses to name
	 * the brackets. */
	define_key("\033[200~", DEMO_KEY_PASTE_BEGIN);
	define_key("\033[201~", DEMO_KEY_PASTE_END);
	putp("\033[?2004h");
	fflush(stdout);

	d->loop = tf_loop_new();
	demo_layout(d);
	memset(&cfg, 0, sizeof cfg);
	cfg.rows = d->pane_rows;
	cfg.cols = d->pane_cols;
	cfg.scrollback = scrollback;
	cfg.loop = d->loop;
	cfg.colors = d->colors;
	cfg.cbs = &demo_pane_cbs;
	cfg.arg = d;
	d->pane = vt_pane_new(&cfg, &err);
	if (d->pane == NULL) {
		endwin();
		fprintf(stderr, "vtdemo: %s\n", err.msg);
		return 1;
	}
	if (demo_spawn(d, argv + optind) != 0) {
		endwin();
		perror("vtdemo: forkpty");
		return 1;
	}
	tf_loop_add_fd(d->loop, STDIN_FILENO, TF_READ, demo_stdin_cb, d);
	tf_loop_add_fd(d->loop, d->sigfd, TF_READ, demo_signal_cb, d);
	tf_loop_timer(d->loop, DEMO_TICK_MS, true, demo_tick_cb, d);
	tf_loop_add_hook(d->loop, demo_draw_hook, d);
	d->draw_pane = d->draw_ui = true;

	tf_loop_run(d->loop);

	putp("\033[?2004l");
	endwin();
	if (d->child > 0 && !d->exited) {
		kill(d->child, SIGHUP);
		waitpid(d->child, NULL, 0);
	}
	if (d->exited && d->exit_on_end)
		rc = WIFEXITED(d->status) ? WEXITSTATUS(d->status) : 1;
	demo_pty_gone(d);
	vt_pane_destroy(&d->pane);
	vt_colors_destroy(&d->colors);
	tf_loop_destroy(&d->loop);
	close(d->sigfd);
	free(d->out);
	free(d->paste);
	return rc;
}
