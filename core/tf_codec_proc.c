/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_codec_proc: the field table of the process family (tf_codec_proc.h).
 */
#include "tf_codec_proc.h"

static const tf_field proc_fields[] = {
	TF_F_STR(tf_proc_msg, container, 160, TF_FF_REQUIRED),
	TF_F_STR(tf_proc_msg, process, 71, TF_FF_REQUIRED),
	TF_F_STRV(tf_proc_msg, argv, TF_PROC_MAX_STRV, 0),
	TF_F_STR(tf_proc_msg, command, 65536, TF_FF_OPT),
	TF_F_BOOL(tf_proc_msg, tty, TF_FF_HAS),
	TF_F_INT(tf_proc_msg, rows, 0, 10000, TF_FF_HAS),
	TF_F_INT(tf_proc_msg, cols, 0, 10000, TF_FF_HAS),
	TF_F_STR(tf_proc_msg, term, 63, TF_FF_OPT),
	TF_F_STRV(tf_proc_msg, env, TF_PROC_MAX_STRV, 0),
	TF_F_BOOL(tf_proc_msg, close, TF_FF_OPT),
	TF_F_INT(tf_proc_msg, signal, 0, 64, TF_FF_OPT),
	TF_F_INT(tf_proc_msg, window, TF_PROC_WINDOW_MIN, TF_PROC_WINDOW_MAX,
	    TF_FF_OPT),
};
const tf_codec tf_proc_codec = TF_CODEC(tf_proc_msg, "proc", proc_fields, false);

TF_CODEC_DEFINE(tf_proc, tf_proc_msg, tf_proc_codec)
