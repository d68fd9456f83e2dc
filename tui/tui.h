/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tui.h: the console's private header.  Types first, then prototypes
 * grouped under the file that defines them, so this header says where every
 * function lives (as tmux.h does).
 *
 * Layering: tui_crt owns curses; panels (list, log, shell, dialogs) are
 * structs with an ops table; tui_screen owns layout, focus, overlays and the
 * draw pass; keys go through the keymap to the action table; actions and
 * dialogs talk to the location only through the SDK (tf.h, its
 * "Event-driven programs" calls), whose locations tui_locs.c opens from
 * its table of backends (several at once: -l a -l b).
 */
#ifndef TUI_H
#define TUI_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "tf.h"
#include "tf_err.h"
#include "tf_loop.h"
#include "tf_model.h"
#include "tf_util.h"

struct tui;
struct tui_panel;
struct tui_keymap;

/* ---- keys ---------------------------------------------------------------- */

/* A key: a Unicode code point (control keys are 1..31, 127), or a curses
 * KEY_* code with TUI_KEY_FN set; TUI_KEY_META marks Alt/Esc-prefixed. */
typedef int32_t tui_key;
#define TUI_KEY_FN	0x01000000
#define TUI_KEY_META	0x02000000
#define TUI_KEY_NONE	(-1)
#define TUI_KEY_CTRL(c)	((c) & 0x1f)
#define TUI_KEY_ESC	27
#define TUI_KEY_ENTER	13
#define TUI_KEY_TAB	9
/* The terminal's bracketed paste markers (ESC [ 200~ and 201~), as curses
 * reports them once tui_crt defined them. */
#define TUI_KEY_PASTE_BEGIN	(TUI_KEY_FN | (KEY_MAX + 101))
#define TUI_KEY_PASTE_END	(TUI_KEY_FN | (KEY_MAX + 102))

/* Where a key is being handled; actions carry a mask of these. */
#define TUI_CTX_LIST	0x01	/* a resource list has focus */
#define TUI_CTX_LOG	0x02	/* a log pane has focus */
#define TUI_CTX_SHELL	0x04	/* a shell pane: only its own actions */
#define TUI_CTX_VIEWS	(TUI_CTX_LIST | TUI_CTX_LOG)
#define TUI_CTX_COPY	0x08	/* a shell pane in copy mode */

/* Reactions returned by actions and key handlers. */
#define TUI_R_NONE	0x00
#define TUI_R_REDRAW	0x01
#define TUI_R_QUIT	0x02
#define TUI_R_UNHANDLED	0x04

/* ---- colours ------------------------------------------------------------- */

enum tui_color {
	TUI_C_NORMAL,
	TUI_C_HEADER,
	TUI_C_HEADER_VALUE,
	TUI_C_TAB,
	TUI_C_TAB_ACTIVE,
	TUI_C_COLHEAD,
	TUI_C_CURSOR,		/* selected row, focused */
	TUI_C_CURSOR_DIM,	/* selected row, not focused */
	TUI_C_OK,		/* running, up */
	TUI_C_WARN,		/* spawning, sleeping, paging */
	TUI_C_BAD,		/* failed, down */
	TUI_C_DIM,		/* exited, destroyed, secondary text */
	TUI_C_MSG_INFO,
	TUI_C_MSG_ERROR,
	TUI_C_HINT_KEY,
	TUI_C_HINT,
	TUI_C_DIALOG,
	TUI_C_DIALOG_TITLE,
	TUI_C_FIELD,
	TUI_C_FIELD_FOCUS,
	TUI_C_BUTTON,
	TUI_C_BUTTON_FOCUS,
	TUI_C_MATCH,		/* search hit in a log */
	TUI_C_MARKER,		/* "N lines dropped" */
	TUI_C_STDERR,
	TUI_C_PANE_TITLE,
	TUI_C_PANE_TITLE_FOCUS,
	TUI_C_LAST
};

struct tui_crt {
	bool color;		/* colours in use (terminal has them, no NO_COLOR) */
	bool utf8;		/* the locale's charset is UTF-8 */
	bool mouse;
	bool active;		/* curses is initialised */
	SCREEN *screen;
	int sigfd;		/* signalfd: SIGWINCH, SIGTERM, SIGINT, SIGHUP */
	attr_t attrs[TUI_C_LAST];
	/* Dynamic pairs for the shell pane's 256 colours: pair numbers from
	 * first_dynamic; when all are used, the nearest base pair is used. */
	short first_dynamic;
	short next_dynamic;
	int16_t *pair_cache;	/* [(fg + 1) * 257 + (bg + 1)] -> pair, 0 none */
};

/* ---- geometry and panels ------------------------------------------------- */

struct tui_rect {
	int y, x, h, w;
};

/*
 * A panel is anything drawn in a rectangle that can take keys: the resource
 * list, log panes, shell panes (tui/vt_*), dialogs and the help screen.
 */
struct tui_panel_ops {
	const char *kind;	/* "list", "log", "shell", "dialog" ... */
	int ctx;		/* TUI_CTX_* used to look keys up */
	/* Draws into win (stdscr) inside r.  Must not refresh. */
	void (*draw)(struct tui_panel *p, struct tui *t, WINDOW *win,
		     struct tui_rect r, bool focused);
	/* A key no action took (a shell pane gets nearly all keys here).
	 * Returns TUI_R_* bits. */
	int (*key)(struct tui_panel *p, struct tui *t, tui_key k);
	/* A panel-scoped action by name ("move.down", "log.wrap" ...); arg
	 * may be NULL.  TUI_R_UNHANDLED if the panel has no such action. */
	int (*command)(struct tui_panel *p, struct tui *t, const char *action,
		       const char *arg);
	/* The panel's rectangle changed (also called before the first draw). */
	void (*resize)(struct tui_panel *p, struct tui *t, int h, int w);
	/* Releases streams and frees impl; the panel itself is freed after. */
	void (*close)(struct tui_panel *p, struct tui *t);
	/* Cursor to show when focused, relative to the rect; false: hide. */
	bool (*cursor)(struct tui_panel *p, struct tui *t, int *y, int *x);
	/* A mouse event over the panel (screen coordinates in ev).  Optional;
	 * TUI_R_UNHANDLED lets the console use it (wheel scrolls, click
	 * focuses). */
	int (*mouse)(struct tui_panel *p, struct tui *t, const MEVENT *ev);
	/* The context keys are looked up in now, when it changes with a
	 * mode (a shell pane's copy mode).  Optional: ctx. */
	int (*key_ctx)(struct tui_panel *p);
	/* Text the terminal pasted (bracketed paste).  Optional: the text
	 * then arrives as keys. */
	void (*paste)(struct tui_panel *p, struct tui *t, const char *text,
	    size_t len);
};

struct tui_panel {
	const struct tui_panel_ops *ops;
	void *impl;
	uint32_t id;		/* stable handle for timers and streams */
	char title[160];
	bool needs_redraw;
	bool dead;		/* closed; freed in the before-sleep hook */
	int h, w;		/* last size given to resize */
};

/* ---- views ------------------------------------------------------------- */

enum tui_view_kind {
	TUI_VIEW_NODES,
	TUI_VIEW_CONTAINERS,
	TUI_VIEW_TUNNELS,
	TUI_VIEW_VOLUMES,
	TUI_VIEW_IMAGES,
	TUI_VIEW_PROCS,
	TUI_VIEW_EVENTS,
	TUI_VIEW_LAST
};

struct tui_column {
	const char *name;
	int min;		/* width in columns */
	int max;		/* 0: no limit */
	int priority;		/* 0 always shown; higher numbers drop first */
	bool right;		/* right-aligned (numbers) */
	void (*cell)(struct tui *t, const void *rec, char *buf, size_t size);
	/* NULL: compare the cell texts. */
	int (*cmp)(const void *a, const void *b);
	/* NULL: normal colour. */
	enum tui_color (*color)(const void *rec);
};

/* A column's priority that shows it (as priority 0) only when the console
 * has several locations: LOCATION. */
#define TUI_PRIO_MULTI (-1)

#define TUI_LIST_MAX_COLS 24	/* columns of a view at most */

struct tui_view_def {
	enum tui_view_kind kind;
	const char *name;		/* "containers": :command and keymap */
	const char *title;		/* "Containers" */
	tf_model_kind model;
	const struct tui_column *cols;
	int ncols;
	int sort_col;			/* default sort */
	bool sort_desc;
};

#define TUI_FILTER_MAX 128

/* ---- the application ----------------------------------------------------- */

#define TUI_LOCS_MAX 8		/* locations in one console at most */

struct tui_opts {
	const char *locations[TUI_LOCS_MAX];	/* -l, in order given */
	int nlocations;
	const char *endpoint;
	const char *keymap;
	const char *log_file;
	const char *demo_feed;
	bool demo;
	bool readonly;
	bool mouse;
	bool check_keymap;
	size_t log_lines;		/* ring capacity of each log pane */
	int log_level;
};

#define TUI_PANES_MAX 16
#define TUI_OVERLAYS_MAX 8
#define TUI_GRAVE_MAX 32

struct tui_screen {
	struct tui_panel *list;
	struct tui_panel *panes[TUI_PANES_MAX];
	int npanes;
	int cur;			/* current pane, -1 none */
	bool pane_focus;		/* keys go to the current pane */
	bool zoom;			/* the focused panel fills the body */
	struct tui_panel *overlays[TUI_OVERLAYS_MAX];
	int noverlays;
	struct tui_panel *grave[TUI_GRAVE_MAX];	/* closed, not yet freed */
	int ngrave;
	int rows, cols;
	struct tui_rect list_rect, pane_rect;
	bool side_by_side;		/* list left, pane right */
	struct tui_rect pane2_rect;	/* a second pane shown beside */
	int second;			/* its index, -1 none */
};

/* tui_spark.c: history rings and sparklines. */
struct tui_ring {
	float *v;
	size_t cap, n, head;		/* n samples from head, oldest first */
};

enum tui_hist_series { TUI_HIST_CPU, TUI_HIST_MEM, TUI_HIST_NET, TUI_HIST_IO,
	TUI_HIST_SERIES };
#define TUI_HIST_BUCKETS 1024
#define TUI_HIST_MAX 512		/* containers with a history */
#define TUI_HIST_SAMPLES 300		/* one a second: 5 minutes */

struct tui_hist_entry {
	struct tui_hist_entry *next;
	char id[TF_MODEL_ID];
	uint64_t used;			/* last shown (or made), ms */
	struct tui_ring ring[TUI_HIST_SERIES];
};

struct tui_hist {
	struct tui_hist_entry *buckets[TUI_HIST_BUCKETS];
	size_t n, max, samples;
};

/* One location the console is connected to (tui_locs.c). */
struct tui_loc {
	tf_location *loc;
	tf_model *model;		/* the location's (borrowed) */
	char name[64];
};

struct tui {
	struct tui_opts opts;
	tf_loop *loop;
	/* The current location: the one the selected row (or the record an
	 * action names) belongs to; tui_locs_use switches it.  Cells and
	 * actions read t->model and t->loc, so each works on its own
	 * location's records whatever the view merges. */
	tf_model *model;
	tf_location *loc;
	struct tui_loc locs[TUI_LOCS_MAX];
	int nlocs;
	int cur_loc;
	int only_loc;			/* views show only this one; -1 all */
	struct tui_crt crt;
	struct tui_keymap *km;
	struct tui_screen scr;
	char msg[512];			/* message line */
	bool msg_error;
	uint64_t msg_ms;		/* when the message was set */
	uint64_t key_seq;		/* keys read so far */
	struct tui_paste {		/* a bracketed paste being read */
		bool on;
		uint32_t panel_id;	/* the panel it goes to */
		char *buf;
		size_t n, cap;
	} paste;
	uint64_t msg_key_seq;		/* key_seq when the message was set */
	uint64_t msg_timer;
	bool dirty;			/* a draw is wanted */
	bool full_redraw;		/* clearok on the next draw */
	uint64_t last_draw_ms;
	uint64_t draw_timer;
	uint32_t next_id;
	bool quit;
	bool colors_forced_off;
	void *shell_colors;		/* vt_colors shared by shell panes */
	struct tui_hist hist;		/* metric history (tui_spark.c) */
	char (*marks)[TF_MODEL_ID];	/* marked containers (tui_marks.c) */
	size_t nmarks, capmarks;
};

/* Draws are coalesced: at most one every TUI_FRAME_MS. */
#define TUI_FRAME_MS 16
#define TUI_MSG_MS 8000
#define TUI_MSG_KEEP_ERROR_MS 3000

/* ---- actions ------------------------------------------------------------- */

/* Which list views an action is meant for (0: any); bit (1 << kind). */
#define TUI_V(k) (1u << (k))

struct tui_action {
	const char *name;
	int ctx;			/* TUI_CTX_* mask where keys reach it */
	bool destructive;		/* refused under --readonly */
	unsigned views;			/* TUI_V() mask for menus and hints */
	const char *hint;		/* status-line label, NULL: none */
	const char *help;		/* help-screen line */
	/* NULL: a panel action, sent to the focused panel's command op. */
	int (*fn)(struct tui *t, const char *arg);
	const char *arg;		/* default argument for fn */
};

/* ---- prototypes by file -------------------------------------------------- */

/* tui_key.c */
tui_key tui_key_parse(const char *name);
const char *tui_key_name(tui_key k, char *buf, size_t size);

/* tui_crt.c */
/* tui_paste.c: true when the key belongs to a bracketed paste (taken). */
bool tui_paste_key(struct tui *t, tui_key k);
void tui_paste_fini(struct tui *t);

int tui_crt_init(struct tui_crt *crt, bool mouse, bool no_color, tf_err *err);
/* A screen on any FILE pair and terminal type (benchmarks, tests). */
int tui_crt_init_headless(struct tui_crt *crt, const char *term, FILE *out,
			  FILE *in, tf_err *err);
void tui_crt_fini(struct tui_crt *crt);
attr_t tui_crt_attr(const struct tui_crt *crt, enum tui_color c);
/* Reads one key without waiting: 1 and *k, or 0 when none is pending. */
int tui_crt_read_key(struct tui_crt *crt, tui_key *k);
/* Re-reads the terminal size after SIGWINCH.  Returns true if changed. */
bool tui_crt_resize(struct tui_crt *crt);
/* A colour pair for fg/bg (-1 default, 0..255); for shell panes. */
short tui_crt_pair(struct tui_crt *crt, int fg, int bg);
int tui_crt_signal_fd(const struct tui_crt *crt);
/* Reads pending signals: returns a mask of 1 (winch) and 2 (terminate). */
int tui_crt_signals(struct tui_crt *crt);

/* tui_draw.c */
int tui_text_width(const char *s);
/* Draws UTF-8 text at y,x in at most width columns, padding with spaces
 * when pad; returns the columns used. */
int tui_draw_text(WINDOW *w, int y, int x, int width, attr_t attr,
		  const char *s, bool pad);
void tui_draw_fill(WINDOW *w, int y, int x, int width, attr_t attr);
void tui_draw_box(WINDOW *w, struct tui_rect r, attr_t attr,
		  const char *title, attr_t title_attr);
/* Cuts s to at most width columns with "…" (UTF-8) or "~". */
void tui_text_fit(const char *s, int width, bool utf8, char *buf,
		  size_t size);
void tui_fmt_bytes(int64_t n, char *buf, size_t size);
void tui_fmt_age(double seconds, char *buf, size_t size);

/* tui_panel.c */
struct tui_panel *tui_panel_new(struct tui *t, const struct tui_panel_ops *ops,
				void *impl, const char *title);
void tui_panel_set_title(struct tui_panel *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tui_panel_free(struct tui_panel **p_p, struct tui *t);

/* tui_screen.c */
void tui_screen_init(struct tui *t);
void tui_screen_fini(struct tui *t);
void tui_screen_layout(struct tui *t);
void tui_screen_draw(struct tui *t);
int tui_screen_key(struct tui *t, tui_key k);
struct tui_panel *tui_screen_focused(struct tui *t);
int tui_screen_focus_ctx(struct tui *t);
void tui_screen_add_pane(struct tui *t, struct tui_panel *p);
void tui_screen_close_pane(struct tui *t, struct tui_panel *p);
struct tui_panel *tui_screen_current_pane(struct tui *t);
struct tui_panel *tui_screen_find_pane(struct tui *t, uint32_t id);
void tui_screen_focus_list(struct tui *t);
void tui_screen_focus_next(struct tui *t);
void tui_screen_next_pane(struct tui *t, int dir);
void tui_screen_push_overlay(struct tui *t, struct tui_panel *p);
void tui_screen_close_overlay(struct tui *t, struct tui_panel *p);
bool tui_screen_has_overlay(struct tui *t);
void tui_screen_reap(struct tui *t);

/* tui_header.c */
void tui_header_draw(struct tui *t, WINDOW *w, int y, int cols);
void tui_tabs_draw(struct tui *t, WINDOW *w, int y, int cols);

/* tui_status.c */
void tui_status_draw(struct tui *t, WINDOW *w, int y, int cols);
void tui_message_draw(struct tui *t, WINDOW *w, int y, int cols);

/* tui.c */
void tui_dirty(struct tui *t);
/* "abcd1234" or "abcd1234:tag": a container as people read it. */
const char *tui_describe_container(const tf_model_container *c, char *buf,
				   size_t size);
void tui_message(struct tui *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tui_error(struct tui *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tui_run(struct tui *t);
int tui_setup(struct tui *t, tf_err *err);
void tui_teardown(struct tui *t);

/* tui_opts.c */
int tui_opts_parse(struct tui_opts *o, int argc, char **argv);
void tui_opts_usage(FILE *out);

/* tui_action.c */
const struct tui_action *tui_action_find(const char *name);
const struct tui_action *tui_action_at(size_t i);
size_t tui_action_count(void);
/* Runs an action (checks --readonly and where it applies). */
int tui_action_run(struct tui *t, const struct tui_action *a, const char *arg);
/* The action names that work in the current view, for menus and hints. */
bool tui_action_applies(struct tui *t, const struct tui_action *a);

/* tui_act_global.c */
int tui_act_quit(struct tui *t, const char *arg);
void tui_hist_tick(struct tui *t);
int tui_act_help(struct tui *t, const char *arg);
int tui_act_command(struct tui *t, const char *arg);
int tui_act_filter(struct tui *t, const char *arg);
int tui_act_view(struct tui *t, const char *arg);
int tui_act_view_next(struct tui *t, const char *arg);
int tui_act_view_prev(struct tui *t, const char *arg);
int tui_act_focus_next(struct tui *t, const char *arg);
int tui_act_pane_next(struct tui *t, const char *arg);
int tui_act_pane_close(struct tui *t, const char *arg);
int tui_act_pane_zoom(struct tui *t, const char *arg);
int tui_act_pane_leave(struct tui *t, const char *arg);
int tui_act_redraw(struct tui *t, const char *arg);
int tui_act_menu(struct tui *t, const char *arg);
int tui_act_sort(struct tui *t, const char *arg);

/* tui_act_ctr.c */
int tui_act_spawn(struct tui *t, const char *arg);
int tui_act_destroy(struct tui *t, const char *arg);
int tui_act_reboot(struct tui *t, const char *arg);
int tui_act_reset(struct tui *t, const char *arg);
int tui_act_wake(struct tui *t, const char *arg);
int tui_act_logs(struct tui *t, const char *arg);
int tui_act_exec(struct tui *t, const char *arg);
int tui_act_shell(struct tui *t, const char *arg);
int tui_act_procs(struct tui *t, const char *arg);
/* Shared by the container actions: the container an action is about. */
const tf_model_container *tui_act_target(struct tui *t, const char *arg,
					 const char *verb);
/* A reply callback that reports "<what>: done" or the error. */
void tui_act_report(void *arg, const char *error, const msgpack_object *params);
void *tui_act_report_arg(struct tui *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tui_act_report_set(void *arg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* tui_act_net.c */
int tui_act_tunnel(struct tui *t, const char *arg);
int tui_act_allow(struct tui *t, const char *arg);
int tui_act_disallow(struct tui *t, const char *arg);

/* tui_act_vol.c */
int tui_act_create(struct tui *t, const char *arg);
int tui_act_volume_create(struct tui *t, const char *arg);
int tui_act_snapshot(struct tui *t, const char *arg);
int tui_act_rollback(struct tui *t, const char *arg);

/* tui_keymap.c */
struct tui_keymap *tui_keymap_new(void);
void tui_keymap_destroy(struct tui_keymap **km_p);
/* Loads name ("default", "vi") or a path; later lines override earlier
 * ones.  -1 when the file cannot be read at all. */
int tui_keymap_load(struct tui_keymap *km, const char *name_or_path,
		    tf_err *err);
/* Loads the keymap chosen by --keymap, $XDG_CONFIG_HOME/tfcon/keymap, or
 * "default"; fills the problems list. */
int tui_keymap_load_default(struct tui_keymap *km, const char *opt,
			    tf_err *err);
const struct tui_action *tui_keymap_lookup(const struct tui_keymap *km,
					   tui_key k, int ctx);
/* "d, Del" or "" when unbound. */
const char *tui_keymap_keys(const struct tui_keymap *km, const char *action,
			    char *buf, size_t size);
/* The first key's name, or NULL when unbound. */
const char *tui_keymap_first(const struct tui_keymap *km, const char *action,
			     char *buf, size_t size);
size_t tui_keymap_problems(const struct tui_keymap *km);
const char *tui_keymap_problem(const struct tui_keymap *km, size_t i);
const char *tui_keymap_path(const struct tui_keymap *km);

/* tui_list.c */
struct tui_panel *tui_list_new(struct tui *t);
enum tui_view_kind tui_list_view(struct tui *t);
void tui_list_set_view(struct tui *t, enum tui_view_kind v);
/* The selected record's id in the current view, or NULL. */
const char *tui_list_selected(struct tui *t);
const void *const *tui_list_rows(struct tui *t, size_t *n);
/* The selected record of the current view (borrowed), or NULL. */
const void *tui_list_selected_rec(struct tui *t);
/* Makes the selected row's location the current one. */
void tui_list_focus_loc(struct tui *t);
void tui_list_set_filter(struct tui *t, const char *filter);
const char *tui_list_filter(struct tui *t);
int tui_list_sort_by(struct tui *t, const char *column, bool desc);
void tui_list_set_procs_of(struct tui *t, const char *container);
const char *tui_list_procs_of(struct tui *t);
void tui_list_select(struct tui *t, const char *id);
size_t tui_list_visible_count(struct tui *t);
void tui_list_describe_sort(struct tui *t, char *buf, size_t size);

/* tui_views.c */
const struct tui_view_def *tui_view_def(enum tui_view_kind v);
int tui_view_parse(const char *name);
const char *tui_node_name(struct tui *t, const char *node_id);
enum tui_color tui_ctr_state_color(tf_model_ctr_state st);
/* Metric thresholds: CPU in % of one core, memory in % of the limit. */
#define TUI_CPU_WARN 60
#define TUI_CPU_BAD 90
#define TUI_MEM_WARN 75
#define TUI_MEM_BAD 90
enum tui_color tui_cpu_color(double pct);
enum tui_color tui_mem_color(int64_t used, int64_t limit);

/* tui_prompt.c */
typedef void (*tui_prompt_fn)(struct tui *t, const char *text, void *arg);
/* A one-line editor on the bottom line; fn gets the text on Enter, NULL on
 * Esc.  arg is freed with free() afterwards when free_arg. */
void tui_prompt_open(struct tui *t, const char *label, const char *initial,
		     tui_prompt_fn fn, void *arg, bool free_arg);

/* tui_edit.c: a single-line UTF-8 editor used by prompts and forms. */
#define TUI_EDIT_MAX 1024
struct tui_edit {
	char buf[TUI_EDIT_MAX];
	size_t len;		/* bytes */
	size_t cur;		/* byte offset of the cursor */
};
void tui_edit_set(struct tui_edit *e, const char *s);
/* Returns true when the key edited the text (or moved the cursor). */
bool tui_edit_key(struct tui_edit *e, tui_key k);
/* Draws the field; returns the cursor's column. */
int tui_edit_draw(const struct tui_edit *e, WINDOW *w, int y, int x, int width,
		  attr_t attr);

/* tui_cmd.c */
int tui_cmd_run(struct tui *t, const char *line);
/* Completion candidates for the command line (names of commands). */
size_t tui_cmd_complete(const char *prefix, const char **out, size_t max);

/* tui_dialog.c */
typedef void (*tui_confirm_fn)(struct tui *t, bool ok, void *arg);
/* Yes/Cancel; the focus starts on Cancel. arg is freed afterwards. */
void tui_confirm_open(struct tui *t, const char *title, const char *text,
		      const char *ok_label, tui_confirm_fn fn, void *arg);
struct tui_menu_item {
	char label[96];
	char action[48];		/* action name run on selection */
	char arg[TF_MODEL_ID + 32];
	char key[24];			/* shown at the right */
	bool disabled;
};
void tui_menu_open(struct tui *t, const char *title,
		   const struct tui_menu_item *items, int n);

/* tui_form.c */
enum tui_field_type {
	TUI_FIELD_TEXT,
	TUI_FIELD_CHOICE,		/* Left/Right or Space cycles */
	TUI_FIELD_BOOL,
};
#define TUI_FIELD_CHOICES 64
struct tui_field {
	enum tui_field_type type;
	char label[32];
	char hint[96];			/* shown under the form when focused */
	struct tui_edit edit;		/* TEXT */
	char *choices[TUI_FIELD_CHOICES];	/* CHOICE: owned strings */
	char *values[TUI_FIELD_CHOICES];	/* value per choice (or NULL) */
	int nchoices;
	int choice;
	bool on;			/* BOOL */
};
struct tui_form;
/* fn gets the filled form on OK (return true to close, false to keep it
 * open after showing an error), or NULL fields on Cancel. */
typedef bool (*tui_form_fn)(struct tui *t, struct tui_field *fields, int n,
			    void *arg);
struct tui_field *tui_form_field_text(struct tui_field *f, const char *label,
				      const char *initial, const char *hint);
struct tui_field *tui_form_field_choice(struct tui_field *f, const char *label,
					const char *hint);
void tui_form_choice_add(struct tui_field *f, const char *label,
			 const char *value);
struct tui_field *tui_form_field_bool(struct tui_field *f, const char *label,
				      bool on, const char *hint);
const char *tui_form_value(const struct tui_field *f);
/* Takes the fields (copied) and arg (freed after, if free_arg). */
void tui_form_open(struct tui *t, const char *title, struct tui_field *fields,
		   int n, tui_form_fn fn, void *arg, bool free_arg);
void tui_form_fields_free(struct tui_field *fields, int n);

/* tui_spawn.c */
int tui_spawn_open(struct tui *t, const char *image, const char *node);
/* ":spawn IMAGE [TAG]": straight away on the best node. */
int tui_spawn_quick(struct tui *t, const char *image, const char *tag);

/* tui_help.c */
void tui_help_open(struct tui *t);

/* tui_logbuf.c: the log ring (no drawing). */
struct tui_logline {
	char *text;			/* UTF-8, control characters removed */
	uint32_t len;
	uint8_t fd;			/* 1 stdout, 2 stderr, 0 marker */
	double ts;			/* wall clock when received */
};
struct tui_logbuf {
	struct tui_logline *lines;	/* ring of cap */
	size_t cap, n, head;		/* head: index of the oldest */
	uint64_t first_seq;		/* sequence number of the oldest */
	uint64_t dropped;		/* lines recycled since the start */
	char partial[2][4096];		/* unterminated line per fd */
	size_t partial_len[2];
	double partial_ts[2];
	uint8_t esc_state[2];		/* escape-sequence stripping */
	bool cr[2];			/* a bare CR: the line restarts */
	uint64_t bytes;
};
void tui_logbuf_init(struct tui_logbuf *b, size_t cap);
void tui_logbuf_fini(struct tui_logbuf *b);
/* Appends raw output; complete lines are stored, a partial line waits. */
void tui_logbuf_append(struct tui_logbuf *b, int fd, const uint8_t *data,
		       size_t len, double now);
/* Pushes out a pending partial line (stream ended). */
void tui_logbuf_flush(struct tui_logbuf *b);
/* A marker line (fd 0): "--- process exited 0 ---". */
void tui_logbuf_marker(struct tui_logbuf *b, double now, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tui_logbuf_clear(struct tui_logbuf *b);
/* Line by sequence number; NULL if dropped or not yet written. */
const struct tui_logline *tui_logbuf_get(const struct tui_logbuf *b,
					 uint64_t seq);
static inline uint64_t tui_logbuf_end(const struct tui_logbuf *b)
{ return b->first_seq + b->n; }
void tui_logbuf_test(void);

/* tui_spark.c */
void tui_ring_init(struct tui_ring *r, size_t cap);
void tui_ring_fini(struct tui_ring *r);
void tui_ring_push(struct tui_ring *r, float v);
float tui_ring_at(const struct tui_ring *r, size_t i);
float tui_ring_max(const struct tui_ring *r);
int tui_spark_render(const struct tui_ring *r, int width, double max,
		     bool utf8, char *buf, size_t size);
void tui_hist_init(struct tui_hist *h, size_t max, size_t samples);
void tui_hist_fini(struct tui_hist *h);
struct tui_hist_entry *tui_hist_find(const struct tui_hist *h, const char *id);
struct tui_hist_entry *tui_hist_get(struct tui_hist *h, const char *id,
				    bool force, uint64_t now);
void tui_hist_prune(struct tui_hist *h,
		    bool (*keep)(const char *id, void *arg), void *arg);
void tui_hist_sample(struct tui_hist_entry *e, const tf_model_metrics *m);

/* tui_events.c */
void tui_event_time(double t, char *buf, size_t size);
void tui_event_object(const tf_model_event *e, char *buf, size_t size);
enum tui_color tui_event_color(const tf_model_event *e);
const tf_model_event *tui_event_latest(struct tui *t);
/* The newest events of a container, newest first; returns how many. */
size_t tui_events_of(struct tui *t, const char *container,
		     const tf_model_event **out, size_t max);

/* tui_locs.c */
/* True when this tfcon has the demo location (built with -Ddemo=true). */
bool tui_have_demo(void);
/* Connects to one more location (by account name) through the loop. */
int tui_locs_add(struct tui *t, const char *name, tf_err *err);
void tui_locs_use(struct tui *t, int i);
int tui_locs_find(struct tui *t, const char *name);
/* A container by id or name in any location; switches to its location.
 * The current location is looked in first. */
const tf_model_container *tui_locs_container(struct tui *t, const char *name);
/* Changes when any location's model changes (or one is added). */
uint64_t tui_locs_generation(struct tui *t);
size_t tui_locs_count(struct tui *t, tf_model_kind kind);
void tui_locs_fini(struct tui *t);
/* ":location add NAME | NAME | all". */
int tui_act_location(struct tui *t, const char *arg);

/* tui_marks.c */
bool tui_marks_has(struct tui *t, const char *id);
size_t tui_marks_count(struct tui *t);
void tui_marks_fini(struct tui *t);
int tui_act_mark(struct tui *t, const char *arg);
int tui_act_mark_all(struct tui *t, const char *arg);
/* For destroy, reboot and logs: 1 when they went to the marked ones. */
int tui_marks_act(struct tui *t, const char *verb, const char *arg);

/* tui_detail.c */
struct tui_panel *tui_detail_open(struct tui *t, const char *container);
int tui_act_detail(struct tui *t, const char *arg);

/* tui_logpane.c */
/* Opens a log pane fed by tf_stream_logs (container) or tf_stream_process
 * (command). */
struct tui_panel *tui_logpane_open_logs(struct tui *t, const char *container);
/* One pane following the console output of several containers, each line
 * prefixed with its container. */
struct tui_panel *tui_logpane_open_multi(struct tui *t,
					 const char (*ids)[TF_MODEL_ID],
					 size_t n);
struct tui_panel *tui_logpane_open_proc(struct tui *t, const char *container,
					const char *command);

/* tui_logview.c: drawing of a log ring with search, filter, wrap. */
struct tui_logview {
	uint64_t top;			/* first line shown when not following */
	int top_row;			/* wrapped row inside top */
	bool follow;
	bool wrap;
	bool timestamps;
	char search[TUI_FILTER_MAX];
	char filter[TUI_FILTER_MAX];
	bool search_re_ok, filter_re_ok;
	void *search_re, *filter_re;	/* regex_t, compiled lazily */
	uint64_t hit;			/* line of the current search hit */
	bool have_hit;
	int hscroll;			/* columns, when not wrapping */
	uint64_t last_first;		/* first line drawn last time */
	int last_rows;
};
void tui_logview_init(struct tui_logview *v);
void tui_logview_fini(struct tui_logview *v);
int tui_logview_set_search(struct tui_logview *v, const char *s);
int tui_logview_set_filter(struct tui_logview *v, const char *s);
bool tui_logview_line_visible(struct tui_logview *v, const struct tui_logline *l);
/* Moves to the next (dir 1) or previous (-1) hit; false when none. */
bool tui_logview_find(struct tui_logview *v, const struct tui_logbuf *b,
		      int dir);
void tui_logview_scroll(struct tui_logview *v, const struct tui_logbuf *b,
			int lines, int height);
void tui_logview_draw(struct tui_logview *v, const struct tui_logbuf *b,
		      struct tui *t, WINDOW *w, struct tui_rect r);
int tui_logview_save(const struct tui_logbuf *b, const struct tui_logview *v,
		     const char *path, tf_err *err);

/* tui_shell.c: the slot for the libvterm shell pane (tui/vt_*). */
int tui_shell_open(struct tui *t, const char *container);
void tui_shell_fini(struct tui *t);

#endif
