/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pane_mouse: curses mouse events handed to the program in a shell pane
 * that asked for the mouse (xterm modes 1000-1003: vim with mouse=a, htop,
 * less --mouse).  libvterm encodes them as the program chose.
 */
#ifndef TF_PANE_MOUSE_H
#define TF_PANE_MOUSE_H

#include <stdbool.h>

#include "vt_pane.h"

/* Sends ev at (row, col) of the pane; *buttons tracks the buttons held
 * down between calls.  False when the program did not ask for the mouse
 * (the console then uses the event itself). */
bool pane_mouse_send(vt_pane *vt, unsigned *buttons, const MEVENT *ev,
    int row, int col);

#endif
