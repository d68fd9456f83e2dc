/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_ssh_sftp.c: the "sftp" subsystem (SFTP version 3, as OpenSSH speaks
 * it) mapped onto the node's file requests: `fs` (docs/PROTOCOL.md) for
 * stat, lstat, list, mkdir, rmdir, remove, rename, symlink, readlink,
 * open, write, truncate, chmod and utimes, and `fetch` for reads.  Every
 * path is confined to the container by the node (fs_ops.h); "../" above
 * the root is refused.
 *
 * Why not libssh's sftp_get_client_message: in libssh 0.10 (Debian 12) it
 * reads the channel until a whole packet is there, blocking the one loop
 * (the callback-driven sftp server API came in 0.11).  So packets are
 * framed and decoded here, with libssh's SSH_FXP_, SSH_FX_ and
 * SSH_FILEXFER_ constants, and the replies written to the channel as its
 * window allows.
 *
 * Requests run one after another, in order, with two exceptions that
 * carry the throughput: consecutive WRITEs to one handle are gathered into
 * node writes of up to 256 KiB with up to four in flight (each WRITE is
 * answered when the node wrote its bytes), and READs are served from a
 * 1 MiB read-ahead per handle.  Memory stays bounded: at most SFTP_IN_MAX
 * bytes of requests are taken from libssh (the rest waits in its channel
 * buffer, which holds the client's window shut) and no more requests are
 * decoded while SFTP_OUT_MAX bytes of replies wait for the client.
 */
#include <errno.h>
#include <libssh/sftp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tf_codec_file.h"
#include "tf_codec_fs.h"
#include "tf_ssh_private.h"

#define SFTP_PACKET_MAX	(256u * 1024 + 1024)	/* OpenSSH's largest write */
#define SFTP_IN_MAX	(2 * SFTP_PACKET_MAX)
#define SFTP_OUT_MAX	(2u << 20)
#define SFTP_HANDLES	64
#define SFTP_WRITE_MAX	(256u * 1024)		/* one node write */
#define SFTP_WRITES	4			/* node writes in flight */
#define SFTP_READ_AHEAD	TF_FETCH_MAX
#define SFTP_PATH_MAX	TF_FILE_PATH_MAX

struct sshd_sftp_handle {
	bool used, dir;
	char *path;
	/* directories */
	uint64_t next_index;
	bool list_eof;
	/* gathered writes */
	struct sdk_buf wbuf;
	uint64_t woff;
	uint32_t *wids;
	size_t n_wids, cap_wids;
	int werr;			/* a failed write: CLOSE says so */
	/* read-ahead */
	uint8_t *rbuf;
	size_t rlen;
	uint64_t roff;
	bool reof;
};

struct sshd_sftp_attrs {
	uint32_t flags;
	uint64_t size;
	uint32_t perms, atime, mtime;
};

/* A request to the node. */
struct sshd_sftp_op {
	struct sshd_sftp_op *next;
	struct sshd_sftp *sf;
	uint64_t req;
	uint8_t type;			/* the SFTP request it serves */
	uint32_t id;
	int handle;
	char *path;
	/* read: the READ's offset and length */
	uint64_t offset;
	uint32_t len;
	/* write: the WRITE ids it answers */
	uint32_t *ids;
	size_t n_ids;
	/* setstat: the steps left */
	struct sshd_sftp_attrs attrs;
};

struct sshd_sftp {
	struct sshd_chan *ch;
	struct sdk_buf in, out;
	uint8_t *pull;			/* sshd_sftp_pull's buffer */
	bool stalled;			/* refused input that libssh keeps */
	bool busy;			/* the current request waits */
	bool pumping;			/* inside sshd_sftp_pump */
	bool again;			/* something came meanwhile */
	bool broken;
	int writes;			/* node writes in flight */
	struct sshd_sftp_op *ops;
	struct sshd_sftp_handle handles[SFTP_HANDLES];
};

static void sshd_sftp_pump(struct sshd_sftp *sf);

/* ---- encoding ------------------------------------------------------------- */

static void
put_u8(struct sdk_buf *b, uint8_t v)
{
	sdk_buf_add(b, &v, 1);
}

static void
put_u32(struct sdk_buf *b, uint32_t v)
{
	uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };

	sdk_buf_add(b, x, 4);
}

static void
put_u64(struct sdk_buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)(v >> 32));
	put_u32(b, (uint32_t)v);
}

static void
put_str(struct sdk_buf *b, const void *s, size_t len)
{
	put_u32(b, (uint32_t)len);
	sdk_buf_add(b, s, len);
}

/* Starts a packet in sf->out; sshd_sftp_end fills in its length. */
static size_t
sshd_sftp_begin(struct sshd_sftp *sf, uint8_t type, uint32_t id)
{
	size_t at = sf->out.len;

	put_u32(&sf->out, 0);
	put_u8(&sf->out, type);
	put_u32(&sf->out, id);
	return at;
}

static void
sshd_sftp_end(struct sshd_sftp *sf, size_t at)
{
	uint32_t n = (uint32_t)(sf->out.len - at - 4);
	uint8_t *p = sf->out.p + at;

	p[0] = n >> 24;
	p[1] = n >> 16;
	p[2] = n >> 8;
	p[3] = n;
}

static void
sshd_sftp_status(struct sshd_sftp *sf, uint32_t id, uint32_t code,
	    const char *msg)
{
	static const char *const text[] = { "Success", "End of file",
	    "No such file", "Permission denied", "Failure", "Bad message",
	    "No connection", "Connection lost", "Operation unsupported" };
	size_t at = sshd_sftp_begin(sf, SSH_FXP_STATUS, id);

	if (msg == NULL)
		msg = code < sizeof text / sizeof text[0] ? text[code] :
		    "Failure";
	put_u32(&sf->out, code);
	put_str(&sf->out, msg, strlen(msg));
	put_str(&sf->out, "en", 2);
	sshd_sftp_end(sf, at);
}

static uint32_t
sshd_sftp_errno_status(int e)
{
	switch (e) {
	case 0: return SSH_FX_OK;
	case ENOENT: case ENOTDIR: case EBADF: case ELOOP:
		return SSH_FX_NO_SUCH_FILE;
	case EPERM: case EACCES: case EFAULT: case EXDEV:
		return SSH_FX_PERMISSION_DENIED;
	case ENAMETOOLONG: case EINVAL:
		return SSH_FX_BAD_MESSAGE;
	case ENOSYS:
		return SSH_FX_OP_UNSUPPORTED;
	default:
		return SSH_FX_FAILURE;
	}
}

static void
put_attrs(struct sdk_buf *b, const tf_fs_stat *st)
{
	put_u32(b, SSH_FILEXFER_ATTR_SIZE | SSH_FILEXFER_ATTR_UIDGID |
	    SSH_FILEXFER_ATTR_PERMISSIONS | SSH_FILEXFER_ATTR_ACMODTIME);
	put_u64(b, (uint64_t)st->size);
	put_u32(b, (uint32_t)st->uid);
	put_u32(b, (uint32_t)st->gid);
	put_u32(b, (uint32_t)st->mode);
	put_u32(b, (uint32_t)st->atime);
	put_u32(b, (uint32_t)st->mtime);
}

/* "ls -l" style, as OpenSSH's sftp-server writes it. */
static void
sshd_sftp_longname(char *buf, size_t size, const tf_fs_stat *st)
{
	static const char rwx[] = "rwxrwxrwx";
	char mode[11], when[16];
	time_t t = (time_t)st->mtime;
	struct tm tm;
	mode_t m = (mode_t)st->mode;

	mode[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' :
	    S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p' : S_ISSOCK(m) ? 's' : '-';
	for (int i = 0; i < 9; i++)
		mode[i + 1] = (m & (0400u >> i)) ? rwx[i] : '-';
	mode[10] = '\0';
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%b %e %H:%M", &tm);
	snprintf(buf, size, "%s %3lld %-8lld %-8lld %8lld %s %s", mode,
	    (long long)st->nlink, (long long)st->uid, (long long)st->gid,
	    (long long)st->size, when, st->name != NULL ? st->name : "");
}

/* ---- decoding -------------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t len;
	bool bad;
};

static uint32_t
get_u32(struct rd *r)
{
	uint32_t v;

	if (r->len < 4) {
		r->bad = true;
		return 0;
	}
	v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->len -= 4;
	return v;
}

static uint64_t
get_u64(struct rd *r)
{
	uint64_t hi = get_u32(r);

	return hi << 32 | get_u32(r);
}

/* A string: borrowed bytes, *n its length. */
static const uint8_t *
get_bytes(struct rd *r, size_t *n)
{
	uint32_t len = get_u32(r);
	const uint8_t *p = r->p;

	if (r->bad || len > r->len) {
		r->bad = true;
		*n = 0;
		return NULL;
	}
	r->p += len;
	r->len -= len;
	*n = len;
	return p;
}

/* A path, made absolute ("/" is the working directory), into buf. */
static bool
get_path(struct rd *r, char *buf, size_t size)
{
	size_t n;
	const uint8_t *p = get_bytes(r, &n);

	if (p == NULL || n + 2 > size || memchr(p, '\0', n) != NULL) {
		r->bad = true;
		return false;
	}
	if (n == 0 || p[0] != '/') {
		buf[0] = '/';
		memcpy(buf + 1, p, n);
		buf[n + 1] = '\0';
	} else {
		memcpy(buf, p, n);
		buf[n] = '\0';
	}
	return true;
}

static void
get_attrs(struct rd *r, struct sshd_sftp_attrs *a)
{
	memset(a, 0, sizeof *a);
	a->flags = get_u32(r);
	if (a->flags & SSH_FILEXFER_ATTR_SIZE)
		a->size = get_u64(r);
	if (a->flags & SSH_FILEXFER_ATTR_UIDGID) {
		get_u32(r);
		get_u32(r);
	}
	if (a->flags & SSH_FILEXFER_ATTR_PERMISSIONS)
		a->perms = get_u32(r);
	if (a->flags & SSH_FILEXFER_ATTR_ACMODTIME) {
		a->atime = get_u32(r);
		a->mtime = get_u32(r);
	}
	if (a->flags & SSH_FILEXFER_ATTR_EXTENDED) {
		uint32_t n = get_u32(r);
		size_t len;

		for (uint32_t i = 0; i < n && !r->bad; i++) {
			get_bytes(r, &len);
			get_bytes(r, &len);
		}
	}
}

static int
get_handle(struct sshd_sftp *sf, struct rd *r)
{
	size_t n;
	const uint8_t *p = get_bytes(r, &n);
	uint32_t h;

	if (p == NULL || n != 4)
		return -1;
	h = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	if (h >= SFTP_HANDLES || !sf->handles[h].used)
		return -1;
	return (int)h;
}

/* ---- handles ---------------------------------------------------------------- */

static int
sshd_sftp_handle_new(struct sshd_sftp *sf, const char *path, bool dir)
{
	for (int i = 0; i < SFTP_HANDLES; i++) {
		struct sshd_sftp_handle *h = &sf->handles[i];

		if (h->used)
			continue;
		memset(h, 0, sizeof *h);
		h->used = true;
		h->dir = dir;
		h->path = tf_strdup(path);
		return i;
	}
	return -1;
}

static void
sshd_sftp_handle_free(struct sshd_sftp_handle *h)
{
	free(h->path);
	sdk_buf_free(&h->wbuf);
	free(h->wids);
	free(h->rbuf);
	memset(h, 0, sizeof *h);
}

static void
sshd_sftp_reply_handle(struct sshd_sftp *sf, uint32_t id, int h)
{
	size_t at = sshd_sftp_begin(sf, SSH_FXP_HANDLE, id);
	uint8_t b[4] = { 0, 0, 0, (uint8_t)h };

	put_str(&sf->out, b, 4);
	sshd_sftp_end(sf, at);
}

/* ---- node requests ------------------------------------------------------------ */

static void sshd_sftp_op_cb(tf_conn *c, const tf_msg *m, void *arg);

static void
sshd_sftp_op_free(struct sshd_sftp_op *op)
{
	struct sshd_sftp_op **pp;

	for (pp = &op->sf->ops; *pp != NULL; pp = &(*pp)->next)
		if (*pp == op) {
			*pp = op->next;
			break;
		}
	free(op->path);
	free(op->ids);
	free(op);
}

static struct sshd_sftp_op *
sshd_sftp_op_new(struct sshd_sftp *sf, uint8_t type, uint32_t id, int handle,
	    const char *path)
{
	struct sshd_sftp_op *op = tf_calloc(1, sizeof *op);

	op->sf = sf;
	op->type = type;
	op->id = id;
	op->handle = handle;
	op->path = tf_strdup(path);
	op->next = sf->ops;
	sf->ops = op;
	return op;
}

/* Sends an fs request for op; on failure answers at once. */
static void
sshd_sftp_op_send(struct sshd_sftp_op *op, tf_fs_msg *fm, const void *bulk, size_t len)
{
	struct sshd_sftp *sf = op->sf;
	tf_location *loc = sf->ch->conn->srv->loc;
	tf_out o;

	fm->container = sf->ch->conn->srv->container;
	if (fm->path == NULL)
		fm->path = op->path;
	tf_out_init(&o, "fs");
	tf_fs_pack(fm, &o);
	op->req = sdk_request(loc, &o, bulk, len, sshd_sftp_op_cb, op);
	if (op->req == 0) {
		if (op->type == SSH_FXP_WRITE) {
			for (size_t i = 0; i < op->n_ids; i++)
				sshd_sftp_status(sf, op->ids[i],
				    SSH_FX_NO_CONNECTION, NULL);
			sf->writes--;
		} else
			sshd_sftp_status(sf, op->id, SSH_FX_NO_CONNECTION,
			    "not connected to the location");
		sshd_sftp_op_free(op);
		return;
	}
	if (op->type != SSH_FXP_WRITE)
		sf->busy = true;
}

static void
sshd_sftp_fs(struct sshd_sftp *sf, uint8_t type, uint32_t id, int handle,
	const char *op_name, const char *path, const char *path2)
{
	struct sshd_sftp_op *op = sshd_sftp_op_new(sf, type, id, handle, path);
	tf_fs_msg fm = { .op = op_name, .path2 = path2 };

	sshd_sftp_op_send(op, &fm, NULL, 0);
}

/* Sends the gathered writes of handle h; false when SFTP_WRITES are in
 * flight already (they stay gathered). */
static bool
sshd_sftp_write_flush(struct sshd_sftp *sf, int h)
{
	struct sshd_sftp_handle *hd = &sf->handles[h];
	struct sshd_sftp_op *op;
	tf_fs_msg fm = { .op = "write" };

	if (hd->wbuf.len == 0 && hd->n_wids == 0)
		return true;
	if (sf->writes >= SFTP_WRITES)
		return false;
	op = sshd_sftp_op_new(sf, SSH_FXP_WRITE, 0, h, hd->path);
	op->ids = hd->wids;
	op->n_ids = hd->n_wids;
	hd->wids = NULL;
	hd->n_wids = hd->cap_wids = 0;
	fm.offset = (int64_t)hd->woff;
	sf->writes++;
	sshd_sftp_op_send(op, &fm, hd->wbuf.p, hd->wbuf.len);
	hd->woff += hd->wbuf.len;
	hd->wbuf.len = 0;
	return true;
}

/* Sends what is gathered; false while any of it is not sent. */
static bool
sshd_sftp_write_flush_all(struct sshd_sftp *sf)
{
	bool all = true;

	for (int i = 0; i < SFTP_HANDLES; i++)
		if (sf->handles[i].used && !sf->handles[i].dir &&
		    !sshd_sftp_write_flush(sf, i))
			all = false;
	return all;
}

/* The next step of a SETSTAT: size, then permissions, then times. */
static bool
sshd_sftp_setstat_step(struct sshd_sftp_op *prev)
{
	struct sshd_sftp *sf = prev->sf;
	struct sshd_sftp_attrs *a = &prev->attrs;
	struct sshd_sftp_op *op;
	tf_fs_msg fm = { 0 };

	if (a->flags & SSH_FILEXFER_ATTR_SIZE) {
		a->flags &= ~(uint32_t)SSH_FILEXFER_ATTR_SIZE;
		fm.op = "truncate";
		fm.length = (int64_t)a->size;
	} else if (a->flags & SSH_FILEXFER_ATTR_PERMISSIONS) {
		a->flags &= ~(uint32_t)SSH_FILEXFER_ATTR_PERMISSIONS;
		fm.op = "chmod";
		fm.mode = a->perms & 07777;
	} else if (a->flags & SSH_FILEXFER_ATTR_ACMODTIME) {
		a->flags &= ~(uint32_t)SSH_FILEXFER_ATTR_ACMODTIME;
		fm.op = "utimes";
		fm.atime = a->atime;
		fm.mtime = a->mtime;
	} else
		return false;
	op = sshd_sftp_op_new(sf, prev->type, prev->id, prev->handle, prev->path);
	op->attrs = *a;
	sshd_sftp_op_send(op, &fm, NULL, 0);
	return true;
}

static void
sshd_sftp_read_serve(struct sshd_sftp *sf, uint32_t id, struct sshd_sftp_handle *hd,
		uint64_t offset, uint32_t len)
{
	size_t at, n;

	if (offset >= hd->roff + hd->rlen) {
		sshd_sftp_status(sf, id, SSH_FX_EOF, NULL);
		return;
	}
	n = (size_t)(hd->roff + hd->rlen - offset);
	if (n > len)
		n = len;
	at = sshd_sftp_begin(sf, SSH_FXP_DATA, id);
	put_str(&sf->out, hd->rbuf + (offset - hd->roff), n);
	sshd_sftp_end(sf, at);
}

static void
sshd_sftp_op_answer(struct sshd_sftp_op *op, const tf_msg *m)
{
	struct sshd_sftp *sf = op->sf;
	struct sshd_sftp_handle *hd = op->handle >= 0 ? &sf->handles[op->handle] :
	    NULL;
	char msg[TF_ERR_LEN];
	tf_fs_reply rep;
	size_t at;
	int h, e;

	if (sdk_msg_error(m, msg, sizeof msg)) {
		e = tf_fs_error_errno(m->params);
		if (op->type == SSH_FXP_WRITE) {
			for (size_t i = 0; i < op->n_ids; i++)
				sshd_sftp_status(sf, op->ids[i],
				    sshd_sftp_errno_status(e), msg);
			if (hd != NULL && hd->used)
				hd->werr = e != 0 ? e : EIO;
			return;
		}
		sshd_sftp_status(sf, op->id, e != 0 ? sshd_sftp_errno_status(e) :
		    SSH_FX_FAILURE, msg);
		return;
	}
	if (op->type == SSH_FXP_READ) {
		tf_file_reply fr;
		bool eof = false;

		if (tf_file_reply_unpack(m->params, &fr, NULL) == 0) {
			eof = fr.eof;
			tf_file_reply_free(&fr);
		}
		if (hd == NULL || !hd->used) {
			sshd_sftp_status(sf, op->id, SSH_FX_INVALID_HANDLE, NULL);
			return;
		}
		/* One buffer per handle, reused for every read-ahead. */
		hd->rlen = m->bulk != NULL ? m->bulk_len : 0;
		if (hd->rlen > SFTP_READ_AHEAD)
			hd->rlen = SFTP_READ_AHEAD;
		if (hd->rbuf == NULL)
			hd->rbuf = tf_malloc(SFTP_READ_AHEAD + 1);
		if (hd->rlen > 0)
			memcpy(hd->rbuf, m->bulk, hd->rlen);
		hd->roff = op->offset;
		hd->reof = eof || hd->rlen == 0;
		sshd_sftp_read_serve(sf, op->id, hd, op->offset, op->len);
		return;
	}
	if (op->type == SSH_FXP_WRITE) {
		for (size_t i = 0; i < op->n_ids; i++)
			sshd_sftp_status(sf, op->ids[i], SSH_FX_OK, NULL);
		return;
	}
	if (tf_fs_reply_unpack(m->params, &rep, NULL) != 0) {
		sshd_sftp_status(sf, op->id, SSH_FX_FAILURE, "bad answer");
		return;
	}
	switch (op->type) {
	case SSH_FXP_OPEN:
	case SSH_FXP_OPENDIR:
		if (op->type == SSH_FXP_OPENDIR && !S_ISDIR(rep.stat.mode)) {
			sshd_sftp_status(sf, op->id, SSH_FX_NO_SUCH_FILE,
			    "not a directory");
			break;
		}
		h = sshd_sftp_handle_new(sf, op->path, op->type == SSH_FXP_OPENDIR);
		if (h < 0)
			sshd_sftp_status(sf, op->id, SSH_FX_FAILURE,
			    "too many open handles");
		else
			sshd_sftp_reply_handle(sf, op->id, h);
		break;
	case SSH_FXP_STAT:
	case SSH_FXP_LSTAT:
	case SSH_FXP_FSTAT:
		at = sshd_sftp_begin(sf, SSH_FXP_ATTRS, op->id);
		put_attrs(&sf->out, &rep.stat);
		sshd_sftp_end(sf, at);
		break;
	case SSH_FXP_READDIR:
		if (hd == NULL || !hd->used) {
			sshd_sftp_status(sf, op->id, SSH_FX_INVALID_HANDLE, NULL);
			break;
		}
		hd->next_index += rep.n_entries;
		hd->list_eof = rep.eof;
		if (rep.n_entries == 0) {
			sshd_sftp_status(sf, op->id, SSH_FX_EOF, NULL);
			break;
		}
		at = sshd_sftp_begin(sf, SSH_FXP_NAME, op->id);
		put_u32(&sf->out, (uint32_t)rep.n_entries);
		for (size_t i = 0; i < rep.n_entries; i++) {
			char longname[600];
			const char *name = rep.entries[i].name;

			sshd_sftp_longname(longname, sizeof longname,
			    &rep.entries[i]);
			put_str(&sf->out, name, strlen(name));
			put_str(&sf->out, longname, strlen(longname));
			put_attrs(&sf->out, &rep.entries[i]);
		}
		sshd_sftp_end(sf, at);
		break;
	case SSH_FXP_READLINK:
		at = sshd_sftp_begin(sf, SSH_FXP_NAME, op->id);
		put_u32(&sf->out, 1);
		put_str(&sf->out, rep.target != NULL ? rep.target : "",
		    rep.target != NULL ? strlen(rep.target) : 0);
		put_str(&sf->out, rep.target != NULL ? rep.target : "",
		    rep.target != NULL ? strlen(rep.target) : 0);
		put_u32(&sf->out, 0);
		sshd_sftp_end(sf, at);
		break;
	case SSH_FXP_SETSTAT:
	case SSH_FXP_FSETSTAT:
		if (!sshd_sftp_setstat_step(op))
			sshd_sftp_status(sf, op->id, SSH_FX_OK, NULL);
		break;
	default:
		sshd_sftp_status(sf, op->id, SSH_FX_OK, NULL);
	}
	tf_fs_reply_free(&rep);
}

static void
sshd_sftp_op_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	struct sshd_sftp_op *op = arg;
	struct sshd_sftp *sf = op->sf;

	(void)c;
	if (op->type == SSH_FXP_WRITE)
		sf->writes--;
	else
		sf->busy = false;
	sshd_sftp_op_answer(op, m);
	/* A SETSTAT step sent the next one and is busy again. */
	sshd_sftp_op_free(op);
	sshd_sftp_pump(sf);
}

/* ---- requests ------------------------------------------------------------------ */

static void
sshd_sftp_realpath(struct sshd_sftp *sf, uint32_t id, const char *path)
{
	char out[SFTP_PATH_MAX + 2], *comp, *save = NULL;
	char *copy = tf_strdup(path);
	size_t len = 0, at;

	out[0] = '\0';
	for (comp = strtok_r(copy, "/", &save); comp != NULL;
	    comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (len == 0) {
				free(copy);
				sshd_sftp_status(sf, id, SSH_FX_PERMISSION_DENIED,
				    "path escapes the container");
				return;
			}
			len = (size_t)(strrchr(out, '/') - out);
			out[len] = '\0';
			continue;
		}
		len += (size_t)snprintf(out + len, sizeof out - len, "/%s",
		    comp);
		if (len >= sizeof out - 1) {
			free(copy);
			sshd_sftp_status(sf, id, SSH_FX_BAD_MESSAGE, "path too long");
			return;
		}
	}
	free(copy);
	if (len == 0)
		snprintf(out, sizeof out, "/");
	at = sshd_sftp_begin(sf, SSH_FXP_NAME, id);
	put_u32(&sf->out, 1);
	put_str(&sf->out, out, strlen(out));
	put_str(&sf->out, out, strlen(out));
	put_u32(&sf->out, 0);
	sshd_sftp_end(sf, at);
}

/* True when the request was taken (answered, or waits for the node);
 * false when it must wait for writes in flight first. */
static bool
sshd_sftp_request(struct sshd_sftp *sf, uint8_t type, uint32_t id, struct rd *r)
{
	char path[SFTP_PATH_MAX + 2], path2[SFTP_PATH_MAX + 2];
	struct sshd_sftp_attrs a;
	struct sshd_sftp_handle *hd;
	struct sshd_sftp_op *op;
	uint64_t offset;
	uint32_t len;
	size_t n;
	int h;

	/* Everything but a WRITE sees the writes before it done. */
	if (type != SSH_FXP_WRITE) {
		if (!sshd_sftp_write_flush_all(sf) || sf->writes > 0)
			return false;
	}
	switch (type) {
	case SSH_FXP_OPEN: {
		uint32_t pf;
		tf_fs_msg fm = { .op = "open" };

		get_path(r, path, sizeof path);
		pf = get_u32(r);
		get_attrs(r, &a);
		if (r->bad)
			break;
		fm.flags = ((pf & SSH_FXF_READ) ? TF_FS_O_READ : 0) |
		    ((pf & (SSH_FXF_WRITE | SSH_FXF_APPEND)) ?
		    TF_FS_O_WRITE : 0) |
		    ((pf & SSH_FXF_CREAT) ? TF_FS_O_CREATE : 0) |
		    ((pf & SSH_FXF_TRUNC) ? TF_FS_O_TRUNC : 0) |
		    ((pf & SSH_FXF_EXCL) ? TF_FS_O_EXCL : 0);
		if (a.flags & SSH_FILEXFER_ATTR_PERMISSIONS)
			fm.mode = a.perms & 07777;
		op = sshd_sftp_op_new(sf, type, id, -1, path);
		sshd_sftp_op_send(op, &fm, NULL, 0);
		return true;
	}
	case SSH_FXP_OPENDIR:
		if (!get_path(r, path, sizeof path))
			break;
		sshd_sftp_fs(sf, type, id, -1, "stat", path, NULL);
		return true;
	case SSH_FXP_CLOSE:
		h = get_handle(sf, r);
		if (h < 0) {
			sshd_sftp_status(sf, id, SSH_FX_INVALID_HANDLE, NULL);
			return true;
		}
		n = (size_t)sf->handles[h].werr;
		sshd_sftp_handle_free(&sf->handles[h]);
		sshd_sftp_status(sf, id, n != 0 ? sshd_sftp_errno_status((int)n) :
		    SSH_FX_OK, n != 0 ? "an earlier write failed" : NULL);
		return true;
	case SSH_FXP_READ:
		h = get_handle(sf, r);
		offset = get_u64(r);
		len = get_u32(r);
		if (r->bad)
			break;
		if (h < 0 || sf->handles[h].dir) {
			sshd_sftp_status(sf, id, SSH_FX_INVALID_HANDLE, NULL);
			return true;
		}
		hd = &sf->handles[h];
		if (hd->rbuf != NULL && offset >= hd->roff &&
		    (offset < hd->roff + hd->rlen ||
		    (hd->reof && offset >= hd->roff + hd->rlen))) {
			sshd_sftp_read_serve(sf, id, hd, offset, len);
			return true;
		}
		{
			tf_out o;

			op = sshd_sftp_op_new(sf, type, id, h, hd->path);
			op->offset = offset;
			op->len = len;
			tf_out_init(&o, "fetch");
			tf_out_str(&o, "container",
			    sf->ch->conn->srv->container);
			tf_out_str(&o, "path", hd->path);
			tf_out_int(&o, "offset", (int64_t)offset);
			tf_out_int(&o, "length", SFTP_READ_AHEAD);
			op->req = sdk_request(sf->ch->conn->srv->loc, &o,
			    NULL, 0, sshd_sftp_op_cb, op);
			if (op->req == 0) {
				sshd_sftp_status(sf, id, SSH_FX_NO_CONNECTION, NULL);
				sshd_sftp_op_free(op);
				return true;
			}
			sf->busy = true;
		}
		return true;
	case SSH_FXP_WRITE: {
		const uint8_t *data;

		h = get_handle(sf, r);
		offset = get_u64(r);
		data = get_bytes(r, &n);
		if (r->bad)
			break;
		if (h < 0 || sf->handles[h].dir) {
			sshd_sftp_status(sf, id, SSH_FX_INVALID_HANDLE, NULL);
			return true;
		}
		hd = &sf->handles[h];
		free(hd->rbuf);
		hd->rbuf = NULL;
		hd->rlen = 0;
		if ((hd->wbuf.len > 0 || hd->n_wids > 0) &&
		    (offset != hd->woff + hd->wbuf.len ||
		    hd->wbuf.len + n > SFTP_WRITE_MAX) &&
		    !sshd_sftp_write_flush(sf, h))
			return false;		/* waits for a write */
		if (hd->wbuf.len == 0 && hd->n_wids == 0)
			hd->woff = offset;
		sdk_buf_add(&hd->wbuf, data, n);
		if (hd->n_wids == hd->cap_wids) {
			hd->cap_wids = hd->cap_wids ? hd->cap_wids * 2 : 16;
			hd->wids = tf_realloc(hd->wids,
			    hd->cap_wids * sizeof *hd->wids);
		}
		hd->wids[hd->n_wids++] = id;
		if (hd->wbuf.len >= SFTP_WRITE_MAX)
			sshd_sftp_write_flush(sf, h);
		return true;
	}
	case SSH_FXP_LSTAT:
	case SSH_FXP_STAT:
		if (!get_path(r, path, sizeof path))
			break;
		sshd_sftp_fs(sf, type, id, -1, type == SSH_FXP_STAT ? "stat" :
		    "lstat", path, NULL);
		return true;
	case SSH_FXP_FSTAT:
		h = get_handle(sf, r);
		if (h < 0) {
			sshd_sftp_status(sf, id, SSH_FX_INVALID_HANDLE, NULL);
			return true;
		}
		sshd_sftp_fs(sf, type, id, h, "stat", sf->handles[h].path, NULL);
		return true;
	case SSH_FXP_SETSTAT:
	case SSH_FXP_FSETSTAT:
		if (type == SSH_FXP_SETSTAT) {
			get_path(r, path, sizeof path);
			h = -1;
		} else {
			h = get_handle(sf, r);
			if (h >= 0)
				snprintf(path, sizeof path, "%s",
				    sf->handles[h].path);
		}
		get_attrs(r, &a);
		if (r->bad)
			break;
		if (type == SSH_FXP_FSETSTAT && h < 0) {
			sshd_sftp_status(sf, id, SSH_FX_INVALID_HANDLE, NULL);
			return true;
		}
		{
			struct sshd_sftp_op tmp = { .sf = sf, .type = type,
			    .id = id, .handle = h, .path = path, .attrs = a };

			if (!sshd_sftp_setstat_step(&tmp))
				sshd_sftp_status(sf, id, SSH_FX_OK, NULL);
		}
		return true;
	case SSH_FXP_READDIR:
		h = get_handle(sf, r);
		if (h < 0 || !sf->handles[h].dir) {
			sshd_sftp_status(sf, id, SSH_FX_INVALID_HANDLE, NULL);
			return true;
		}
		hd = &sf->handles[h];
		if (hd->list_eof) {
			sshd_sftp_status(sf, id, SSH_FX_EOF, NULL);
			return true;
		}
		{
			tf_fs_msg fm = { .op = "list",
			    .offset = (int64_t)hd->next_index };

			op = sshd_sftp_op_new(sf, type, id, h, hd->path);
			sshd_sftp_op_send(op, &fm, NULL, 0);
		}
		return true;
	case SSH_FXP_REMOVE:
	case SSH_FXP_RMDIR:
		if (!get_path(r, path, sizeof path))
			break;
		sshd_sftp_fs(sf, type, id, -1, type == SSH_FXP_REMOVE ? "remove" :
		    "rmdir", path, NULL);
		return true;
	case SSH_FXP_MKDIR: {
		tf_fs_msg fm = { .op = "mkdir" };

		get_path(r, path, sizeof path);
		get_attrs(r, &a);
		if (r->bad)
			break;
		if (a.flags & SSH_FILEXFER_ATTR_PERMISSIONS)
			fm.mode = a.perms & 07777;
		op = sshd_sftp_op_new(sf, type, id, -1, path);
		sshd_sftp_op_send(op, &fm, NULL, 0);
		return true;
	}
	case SSH_FXP_REALPATH:
		if (!get_path(r, path, sizeof path))
			break;
		sshd_sftp_realpath(sf, id, path);
		return true;
	case SSH_FXP_RENAME:
		get_path(r, path, sizeof path);
		get_path(r, path2, sizeof path2);
		if (r->bad)
			break;
		sshd_sftp_fs(sf, type, id, -1, "rename", path, path2);
		return true;
	case SSH_FXP_READLINK:
		if (!get_path(r, path, sizeof path))
			break;
		sshd_sftp_fs(sf, type, id, -1, "readlink", path, NULL);
		return true;
	case SSH_FXP_SYMLINK: {
		/* OpenSSH sends the target first, then the link's path. */
		const uint8_t *t = get_bytes(r, &n);

		if (t == NULL || n == 0 || n > SFTP_PATH_MAX ||
		    memchr(t, '\0', n) != NULL)
			break;
		memcpy(path2, t, n);
		path2[n] = '\0';
		if (!get_path(r, path, sizeof path))
			break;
		sshd_sftp_fs(sf, type, id, -1, "symlink", path, path2);
		return true;
	}
	default:
		sshd_sftp_status(sf, id, SSH_FX_OP_UNSUPPORTED, NULL);
		return true;
	}
	sshd_sftp_status(sf, id, SSH_FX_BAD_MESSAGE, NULL);
	return true;
}

static bool
sshd_sftp_have_packet(const struct sshd_sftp *sf)
{
	const uint8_t *p = sf->in.p;

	return sf->in.len >= 4 && sf->in.len >= 4 + ((size_t)p[0] << 24 |
	    (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
}

/* Decodes and runs the packets that are in, in order, while nothing
 * waits for the node and the replies fit. */
static void
sshd_sftp_process(struct sshd_sftp *sf)
{
	size_t done = 0;	/* bytes of sf->in decoded: consumed at the end,
				 * once, rather than moving the rest down
				 * after every packet */

	if (sf->broken)
		return;
	while (!sf->busy && sf->out.len < SFTP_OUT_MAX &&
	    sf->in.len - done >= 4) {
		const uint8_t *p = sf->in.p + done;
		uint32_t plen = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
		struct rd r;
		uint8_t type;
		uint32_t id = 0;

		if (plen < 1 || plen > SFTP_PACKET_MAX) {
			tf_warn("ssh: sftp packet of %u bytes: closing", plen);
			sf->broken = true;
			sshd_chan_close(sf->ch);
			break;
		}
		if (sf->in.len - done < 4 + (size_t)plen)
			break;
		r.p = p + 5;
		r.len = plen - 1;
		r.bad = false;
		type = p[4];
		if (type == SSH_FXP_INIT) {
			size_t at = sf->out.len;

			put_u32(&sf->out, 0);
			put_u8(&sf->out, SSH_FXP_VERSION);
			put_u32(&sf->out, 3);
			sshd_sftp_end(sf, at);
		} else {
			id = get_u32(&r);
			if (!r.bad && !sshd_sftp_request(sf, type, id, &r))
				break;		/* waits for writes */
		}
		done += 4 + (size_t)plen;
	}
	sdk_buf_consume(&sf->in, done);
	/* Input ran dry: what is gathered goes now, since the client may be
	 * waiting for these answers before it sends more. */
	if (!sf->busy && !sshd_sftp_have_packet(sf))
		sshd_sftp_write_flush_all(sf);
}

/* ---- the channel ------------------------------------------------------------------- */

int
sshd_sftp_start(struct sshd_chan *ch)
{
	struct sshd_sftp *sf = tf_calloc(1, sizeof *sf);

	sf->ch = ch;
	ch->sftp = sf;
	return 0;
}

int
sshd_sftp_data(struct sshd_chan *ch, const uint8_t *data, size_t len)
{
	struct sshd_sftp *sf = ch->sftp;
	size_t take;

	if (sf == NULL || sf->broken)
		return (int)len;
	take = sf->in.len >= SFTP_IN_MAX ? 0 : len;
	if (take < len)
		sf->stalled = true;
	sdk_buf_add(&sf->in, data, take);
	sshd_sftp_pump(sf);
	return (int)take;
}

/* Writes replies the window allows; true when something was written. */
static bool
sshd_sftp_write_out(struct sshd_sftp *sf)
{
	struct sshd_chan *ch = sf->ch;
	bool any = false;

	while (sf->out.len > 0 && !ch->dead) {
		uint32_t win = ssh_channel_window_size(ch->channel);
		size_t n = sf->out.len < win ? sf->out.len : win;
		int w;

		if (n == 0)
			break;
		w = ssh_channel_write(ch->channel, sf->out.p, (uint32_t)n);
		if (w <= 0)
			break;
		sdk_buf_consume(&sf->out, (size_t)w);
		any = true;
	}
	return any;
}

/* Takes input libssh kept for us while we were full. */
static bool
sshd_sftp_pull(struct sshd_sftp *sf)
{
	int n;

	if (!sf->stalled || sf->in.len >= SFTP_IN_MAX || sf->ch->dead)
		return false;
	sf->stalled = false;
	/* Not straight into sf->in: the read handles packets first, and
	 * our data callback may append (older) bytes to sf->in meanwhile,
	 * so what the read returns goes after them.  The buffer is kept:
	 * one large allocation per channel, not one per read. */
	if (sf->pull == NULL)
		sf->pull = tf_malloc(SFTP_PACKET_MAX);
	n = ssh_channel_read_nonblocking(sf->ch->channel, sf->pull,
	    SFTP_PACKET_MAX, 0);
	if (n > 0) {
		sdk_buf_add(&sf->in, sf->pull, (size_t)n);
		sf->stalled = true;	/* there may be more */
	}
	return n > 0;
}

/*
 * The one place that moves things: decode and run requests, write
 * replies, take kept input, until nothing changes.  libssh may call us
 * back from inside ssh_channel_write or the read (with new input, or to
 * say the window grew); such a call only appends and asks for another
 * round, so no buffer is changed under a write that uses it.
 */
static void
sshd_sftp_pump(struct sshd_sftp *sf)
{
	if (sf->pumping) {
		sf->again = true;
		return;
	}
	sf->pumping = true;
	do {
		sf->again = false;
		sshd_sftp_process(sf);
		if (sshd_sftp_write_out(sf) && sf->in.len > 0)
			sf->again = true;
		if (sshd_sftp_pull(sf))
			sf->again = true;
	} while (sf->again && !sf->broken && !sf->ch->dead);
	sf->pumping = false;
}

void
sshd_sftp_flush(struct sshd_chan *ch)
{
	if (ch->sftp != NULL && !ch->dead)
		sshd_sftp_pump(ch->sftp);
}

bool
sshd_sftp_idle(struct sshd_chan *ch)
{
	struct sshd_sftp *sf = ch->sftp;

	return sf == NULL || (sf->ops == NULL && sf->out.len == 0 &&
	    !sshd_sftp_have_packet(sf));
}

void
sshd_sftp_free(struct sshd_sftp **sf_p)
{
	struct sshd_sftp *sf = *sf_p;
	tf_location *loc;

	if (sf == NULL)
		return;
	*sf_p = NULL;
	loc = sf->ch->conn->srv->loc;
	while (sf->ops != NULL) {
		if (sf->ops->req != 0)
			sdk_forget(loc, sf->ops->req);
		sshd_sftp_op_free(sf->ops);
	}
	for (int i = 0; i < SFTP_HANDLES; i++)
		if (sf->handles[i].used)
			sshd_sftp_handle_free(&sf->handles[i]);
	sdk_buf_free(&sf->in);
	sdk_buf_free(&sf->out);
	free(sf->pull);
	free(sf);
}
