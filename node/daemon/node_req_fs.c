/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_req_fs.c: the `fs` request (docs/PROTOCOL.md): one file-system
 * operation in a container (node/runtime/fs_ops.c does the confined work).
 * A failure is answered `! {error, errno}` here rather than through the
 * dispatcher, so the client gets the errno to map.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_ops.h"
#include "fs_path.h"
#include "node.h"
#include "tf_codec_fs.h"
#include "tf_log.h"

static void
fs_stat_fill(tf_fs_stat *out, const struct stat *st)
{
	out->mode = (int64_t)st->st_mode;
	out->size = (int64_t)st->st_size;
	out->uid = (int64_t)st->st_uid;
	out->gid = (int64_t)st->st_gid;
	out->atime = (int64_t)st->st_atime;
	out->mtime = (int64_t)st->st_mtime;
	out->nlink = (int64_t)st->st_nlink;
}

static int
fs_answer_error(struct node *n, uint64_t id, int e, const tf_err *err)
{
	tf_out o;

	if (id == 0 || n->conn == NULL)
		return 0;
	tf_out_init(&o, TF_ERROR_REPLY);
	tf_out_str(&o, "error", err->msg[0] != '\0' ? err->msg : strerror(e));
	tf_out_int(&o, "errno", e);
	return tf_conn_reply(n->conn, id, TF_ERROR_REPLY, &o, NULL, 0);
}

/* Runs fm's operation; fills rep; returns 0 or an errno. */
static int
fs_run(int rootfd, const tf_fs_msg *fm, const tf_msg *m, tf_fs_reply *rep,
       struct fs_entry **entries, char *target, size_t target_size,
       tf_err *err)
{
	const tf_codec *rc = &tf_fs_reply_codec;
	const char *op = fm->op, *p = fm->path;
	struct stat st;
	size_t len = m->bulk != NULL ? m->bulk_len : 0;
	int e;

	if (strcmp(op, "stat") == 0 || strcmp(op, "lstat") == 0 ||
	    strcmp(op, "open") == 0) {
		e = op[0] == 'o' ? fs_op_open(rootfd, p, (int)fm->flags,
		    fm->mode != 0 ? (mode_t)fm->mode : 0644, &st, err) :
		    fs_op_stat(rootfd, p, op[0] == 's', &st, err);
		if (e == 0) {
			fs_stat_fill(&rep->stat, &st);
			TF_SET(rc, rep, stat);
		}
		return e;
	}
	if (strcmp(op, "list") == 0) {
		size_t nent = 0;

		*entries = tf_calloc(TF_FS_LIST_MAX, sizeof **entries);
		e = fs_op_list(rootfd, p, (uint64_t)fm->offset, *entries,
		    TF_FS_LIST_MAX, &nent, &rep->eof, err);
		if (e != 0)
			return e;
		rep->entries = tf_calloc(nent + 1, sizeof *rep->entries);
		for (size_t i = 0; i < nent; i++) {
			fs_stat_fill(&rep->entries[i], &(*entries)[i].st);
			rep->entries[i].name = (*entries)[i].name;
		}
		rep->n_entries = nent;
		return 0;
	}
	if (strcmp(op, "mkdir") == 0)
		return fs_op_mkdir(rootfd, p, fm->mode != 0 ?
		    (mode_t)fm->mode : 0755, err);
	if (strcmp(op, "rmdir") == 0)
		return fs_op_rmdir(rootfd, p, err);
	if (strcmp(op, "remove") == 0)
		return fs_op_remove(rootfd, p, err);
	if (strcmp(op, "rename") == 0 || strcmp(op, "symlink") == 0) {
		if (fm->path2 == NULL || *fm->path2 == '\0') {
			tf_err_set(err, "%s needs path2", op);
			return EINVAL;
		}
		return op[1] == 'e' ? fs_op_rename(rootfd, p, fm->path2, err) :
		    fs_op_symlink(rootfd, p, fm->path2, err);
	}
	if (strcmp(op, "readlink") == 0) {
		e = fs_op_readlink(rootfd, p, target, target_size, err);
		if (e == 0)
			rep->target = target;
		return e;
	}
	if (strcmp(op, "write") == 0) {
		if (len > TF_FS_WRITE_MAX) {
			tf_err_set(err, "write: more than %u bytes",
			    TF_FS_WRITE_MAX);
			return EINVAL;
		}
		e = fs_op_write(rootfd, p, (uint64_t)fm->offset, m->bulk, len,
		    err);
		if (e == 0) {
			rep->written = (int64_t)len;
			TF_SET(rc, rep, written);
		}
		return e;
	}
	if (strcmp(op, "truncate") == 0)
		return fs_op_truncate(rootfd, p, (uint64_t)fm->length, err);
	if (strcmp(op, "chmod") == 0)
		return fs_op_chmod(rootfd, p, (mode_t)fm->mode, err);
	if (strcmp(op, "utimes") == 0)
		return fs_op_utimes(rootfd, p, fm->atime, fm->mtime, err);
	tf_err_set(err, "fs: unknown op %s", op);
	return EINVAL;
}

int
node_cmd_fs(struct node *n, const tf_msg *m, tf_err *err)
{
	tf_fs_reply rep;
	struct fs_entry *entries = NULL;
	char target[FS_PATH_MAX];
	tf_fs_msg fm;
	int rootfd, e;
	tf_err ferr;
	tf_out o;
	ctr *c;

	if (tf_fs_unpack(m->params, &fm, err) != 0)
		return -1;
	if (!tf_fs_op_valid(fm.op)) {
		tf_err_set(err, "fs: unknown op %s", fm.op);
		tf_fs_free(&fm);
		return -1;
	}
	c = node_ctr_by_id(n, fm.container, err);
	if (c == NULL) {
		tf_fs_free(&fm);
		return -1;
	}
	rootfd = ctr_root_open(c, err);
	if (rootfd < 0) {
		tf_fs_free(&fm);
		return -1;
	}
	memset(&rep, 0, sizeof rep);
	tf_err_clear(&ferr);
	e = fs_run(rootfd, &fm, m, &rep, &entries, target, sizeof target,
	    &ferr);
	close(rootfd);
	if (e != 0) {
		tf_debug("fs %s %s: %s", fm.op, fm.path, ferr.msg);
		fs_answer_error(n, m->id, e, &ferr);
	} else {
		tf_out_init(&o, TF_REPLY);
		tf_fs_reply_pack(&rep, &o);
		node_reply(n, m->id, &o, NULL, 0);
	}
	free(rep.entries);
	free(entries);
	tf_fs_free(&fm);
	return 0;
}
