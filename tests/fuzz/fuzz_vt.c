/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_vt: terminal output from a container's process, as the console's
 * shell pane takes it (vt_pane_feed, then libvterm parsing it in slices
 * through vt_pane_process into the screen, scrollback and modes), with a
 * resize and scrolling in between, as a user may do meanwhile.
 */
#include <string.h>

#include <curses.h>

#include "fuzz.h"
#include "tf_log.h"
#include "vt_pane.h"

/* Terminal replies (device attributes, cursor reports) go nowhere. */
static void
fuzz_vt_write(vt_pane *pane, const char *bytes, size_t len, void *arg)
{
	(void)pane;
	(void)bytes;
	(void)len;
	(void)arg;
}

static void
fuzz_vt_title(vt_pane *pane, const char *title, void *arg)
{
	(void)pane;
	(void)title;
	(void)arg;
}

static const struct vt_pane_cbs fuzz_vt_cbs = {
	.write = fuzz_vt_write,
	.title = fuzz_vt_title,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_pane_config cfg;
	vt_pane *pane;
	tf_err err;
	size_t off = 0;
	int row, col;

	tf_log_setup(TF_LOG_ERROR, "fuzz_vt", NULL);
	memset(&cfg, 0, sizeof cfg);
	cfg.rows = 24;
	cfg.cols = 80;
	cfg.scrollback = 200;
	cfg.cbs = &fuzz_vt_cbs;
	pane = vt_pane_new(&cfg, &err);
	if (pane == NULL)
		return 0;
	while (off < size) {
		size_t n = vt_pane_feed(pane, (const char *)data + off,
		    size - off);

		off += n;
		vt_pane_process(pane, SIZE_MAX, 1000);
		if (n == 0)
			break;
		if (off > size / 2 && off - n <= size / 2)
			vt_pane_resize(pane, 10, 33);
	}
	/* Keys are encoded by the modes the output set (application
	 * cursor keys, bracketed paste). */
	vt_pane_key(pane, 'a', false, 0);
	vt_pane_key(pane, KEY_UP, true, 0);
	vt_pane_paste(pane, "pasted", 6);
	vt_pane_get_cursor(pane, &row, &col);
	vt_pane_scroll(pane, -5);
	vt_pane_scroll(pane, 3);
	vt_pane_scroll_reset(pane);
	(void)vt_pane_scrollback_lines(pane);
	vt_pane_destroy(&pane);
	return 0;
}
