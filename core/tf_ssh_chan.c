/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_ssh_chan.c: session channels of the SSH server.  A "shell" or "exec"
 * request becomes a process in the container (tf_stream_process); a
 * "pty-req" before it gives the process a terminal of the client's size,
 * and "window-change" resizes it.  Without a pty, stdout and stderr stay
 * apart (extended data for stderr).  The process's output is acknowledged
 * to the node only once it went into the channel, so the node's credit
 * window (1 MiB) and the client's SSH window bound what waits here.  When
 * the process ends its exit status (or signal) goes to the client after
 * the last output, then EOF and close.  A client that closes the channel
 * or goes away hangs the process up (SIGHUP).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_ssh_private.h"

static int sshd_chan_data_cb(ssh_session session, ssh_channel channel,
			    void *data, uint32_t len, int is_stderr,
			    void *userdata);

/* ---- output from the process ---------------------------------------------- */

static size_t
sshd_chan_write_buf(struct sshd_chan *ch, struct sdk_buf *b, bool is_stderr)
{
	size_t done = 0;

	while (b->len > 0) {
		uint32_t win = ssh_channel_window_size(ch->channel);
		size_t n = b->len < win ? b->len : win;
		int w;

		if (n == 0)
			break;
		w = is_stderr ? ssh_channel_write_stderr(ch->channel, b->p,
		    (uint32_t)n) : ssh_channel_write(ch->channel, b->p,
		    (uint32_t)n);
		if (w <= 0)
			break;
		sdk_buf_consume(b, (size_t)w);
		done += (size_t)w;
	}
	return done;
}

static const char *
sshd_signal_name(int64_t sig)
{
	switch (sig) {
	case SIGABRT: return "ABRT";
	case SIGALRM: return "ALRM";
	case SIGFPE: return "FPE";
	case SIGHUP: return "HUP";
	case SIGILL: return "ILL";
	case SIGINT: return "INT";
	case SIGKILL: return "KILL";
	case SIGPIPE: return "PIPE";
	case SIGQUIT: return "QUIT";
	case SIGSEGV: return "SEGV";
	case SIGTERM: return "TERM";
	case SIGUSR1: return "USR1";
	case SIGUSR2: return "USR2";
	default: return NULL;
	}
}

/* Exit status (or signal), EOF, close: once, after the last output. */
static void
sshd_chan_finish(struct sshd_chan *ch)
{
	const char *sig;

	if (ch->finished || ch->dead)
		return;
	ch->finished = true;
	sig = ch->exit_signal > 0 ? sshd_signal_name(ch->exit_signal) : NULL;
	if (sig != NULL)
		ssh_channel_request_send_exit_signal(ch->channel, sig, 0,
		    "", "");
	else
		ssh_channel_request_send_exit_status(ch->channel,
		    ch->exit_signal > 0 ? (int)(128 + ch->exit_signal) :
		    ch->exit_code >= 0 ? (int)ch->exit_code : 255);
	ssh_channel_send_eof(ch->channel);
	ssh_channel_close(ch->channel);
}

void
sshd_chan_flush(struct sshd_chan *ch)
{
	size_t n;

	if (ch->dead)
		return;
	if (ch->kind == SSHD_CHAN_SFTP) {
		sshd_sftp_flush(ch);
		if (ch->proc_ended && sshd_sftp_idle(ch))
			sshd_chan_finish(ch);
		return;
	}
	if (ch->kind == SSHD_CHAN_DIRECT) {
		sshd_fwd_flush(ch);
		return;
	}
	/* libssh may call back (window grew) from inside a write: the
	 * buffers must not change under it. */
	if (ch->flushing)
		return;
	ch->flushing = true;
	n = sshd_chan_write_buf(ch, &ch->out, false);
	n += sshd_chan_write_buf(ch, &ch->err, true);
	ch->flushing = false;
	if (n > 0 && ch->stream != NULL)
		tf_stream_ack(ch->stream, n);
	if (ch->proc_ended && ch->out.len == 0 && ch->err.len == 0)
		sshd_chan_finish(ch);
}

static void
sshd_proc_started(void *arg)
{
	(void)arg;
}

static void
sshd_proc_data(void *arg, int fd, const uint8_t *data, size_t len)
{
	struct sshd_chan *ch = arg;

	sdk_buf_add(fd == 2 ? &ch->err : &ch->out, data, len);
	sshd_chan_flush(ch);
}

static void
sshd_proc_dropped(void *arg, uint64_t bytes)
{
	struct sshd_chan *ch = arg;

	tf_warn("ssh: %llu bytes of output were dropped",
	    (unsigned long long)bytes);
	(void)ch;
}

static void
sshd_proc_end(void *arg, const char *error, int64_t exit_code, int64_t sig)
{
	struct sshd_chan *ch = arg;

	if (error != NULL) {
		char line[TF_ERR_LEN + 8];
		int n = snprintf(line, sizeof line, "%s\r\n", error);

		sdk_buf_add(&ch->err, line, (size_t)n);
	}
	ch->proc_ended = true;
	ch->exit_code = error != NULL && exit_code < 0 ? 255 : exit_code;
	ch->exit_signal = sig;
	/* The stream is freed by sshd_chan_close, never from inside its own
	 * end callback. */
	sshd_chan_flush(ch);
}

static const tf_stream_ops sshd_proc_ops = {
	.started = sshd_proc_started,
	.data = sshd_proc_data,
	.dropped = sshd_proc_dropped,
	.end = sshd_proc_end,
};

/* ---- requests -------------------------------------------------------------- */

static int
sshd_chan_start(struct sshd_chan *ch, const char *command)
{
	static const char *const shell[] = { "/bin/sh", "-l" };
	tf_ssh_server *srv = ch->conn->srv;
	tf_err err;

	if (ch->started)
		return SSH_ERROR;
	tf_err_clear(&err);
	ch->stream = tf_stream_process(srv->loc, srv->container, command,
	    command == NULL ? shell : NULL, command == NULL ? 2 : 0, ch->pty,
	    ch->rows, ch->cols, &sshd_proc_ops, ch, &err);
	if (ch->stream == NULL) {
		tf_warn("ssh: cannot start a process: %s", err.msg);
		return SSH_ERROR;
	}
	tf_stream_set_manual_ack(ch->stream, true);
	ch->started = true;
	return SSH_OK;
}

static int
sshd_chan_pty_cb(ssh_session session, ssh_channel channel, const char *term,
		int width, int height, int pxwidth, int pxheight,
		void *userdata)
{
	struct sshd_chan *ch = userdata;

	(void)session;
	(void)channel;
	(void)term;
	(void)pxwidth;
	(void)pxheight;
	if (ch->started)
		return SSH_ERROR;
	ch->pty = true;
	ch->cols = width > 0 && width < 10000 ? width : 80;
	ch->rows = height > 0 && height < 10000 ? height : 24;
	return SSH_OK;
}

static int
sshd_chan_winch_cb(ssh_session session, ssh_channel channel, int width,
		  int height, int pxwidth, int pxheight, void *userdata)
{
	struct sshd_chan *ch = userdata;

	(void)session;
	(void)channel;
	(void)pxwidth;
	(void)pxheight;
	if (width <= 0 || height <= 0 || width >= 10000 || height >= 10000)
		return SSH_ERROR;
	ch->cols = width;
	ch->rows = height;
	if (ch->stream != NULL)
		tf_stream_resize(ch->stream, height, width);
	return SSH_OK;
}

static int
sshd_chan_shell_cb(ssh_session session, ssh_channel channel, void *userdata)
{
	(void)session;
	(void)channel;
	return sshd_chan_start(userdata, NULL);
}

static int
sshd_chan_exec_cb(ssh_session session, ssh_channel channel,
		 const char *command, void *userdata)
{
	(void)session;
	(void)channel;
	if (command == NULL || *command == '\0')
		return sshd_chan_start(userdata, NULL);
	return sshd_chan_start(userdata, command);
}

static int
sshd_chan_subsystem_cb(ssh_session session, ssh_channel channel,
		      const char *subsystem, void *userdata)
{
	struct sshd_chan *ch = userdata;

	(void)session;
	(void)channel;
	if (ch->started || strcmp(subsystem, "sftp") != 0)
		return SSH_ERROR;
	ch->started = true;
	ch->kind = SSHD_CHAN_SFTP;
	return sshd_sftp_start(ch) == 0 ? SSH_OK : SSH_ERROR;
}

static int
sshd_chan_env_cb(ssh_session session, ssh_channel channel, const char *name,
		const char *value, void *userdata)
{
	(void)session;
	(void)channel;
	(void)name;
	(void)value;
	(void)userdata;
	return SSH_ERROR;		/* env is not passed on; ssh goes on */
}

/* ---- input from the client ------------------------------------------------- */

static int
sshd_chan_data_cb(ssh_session session, ssh_channel channel, void *data,
		 uint32_t len, int is_stderr, void *userdata)
{
	struct sshd_chan *ch = userdata;

	(void)session;
	(void)channel;
	(void)is_stderr;
	if (ch->dead)
		return (int)len;
	if (ch->kind == SSHD_CHAN_SFTP)
		return sshd_sftp_data(ch, data, len);
	if (ch->kind == SSHD_CHAN_DIRECT)
		return sshd_fwd_data(ch, data, len);
	if (ch->stream != NULL)
		tf_stream_write(ch->stream, data, len);
	return (int)len;
}

static void
sshd_chan_eof_cb(ssh_session session, ssh_channel channel, void *userdata)
{
	struct sshd_chan *ch = userdata;

	(void)session;
	(void)channel;
	ch->eof_in = true;
	if (ch->kind == SSHD_CHAN_DIRECT)
		sshd_fwd_eof(ch);
	else if (ch->kind == SSHD_CHAN_SFTP) {
		/* The client is done: answer what is left, then exit 0. */
		ch->proc_ended = true;
		ch->exit_code = 0;
	}
	else if (ch->stream != NULL && !ch->pty)
		tf_stream_close_stdin(ch->stream);
}

static void
sshd_chan_close_cb(ssh_session session, ssh_channel channel, void *userdata)
{
	(void)session;
	(void)channel;
	sshd_chan_close(userdata);
}

static int
sshd_chan_wontblock_cb(ssh_session session, ssh_channel channel,
		      uint32_t bytes, void *userdata)
{
	(void)session;
	(void)channel;
	(void)bytes;
	sshd_chan_flush(userdata);
	return 0;
}

/* ---- lifetime --------------------------------------------------------------- */

struct sshd_chan *
sshd_chan_new(struct sshd_conn *c, enum sshd_chan_kind kind,
	      ssh_channel channel)
{
	struct sshd_chan *ch;

	if (channel == NULL)
		channel = ssh_channel_new(c->session);

	if (channel == NULL)
		return NULL;
	ch = tf_calloc(1, sizeof *ch);
	ch->conn = c;
	ch->channel = channel;
	ch->kind = kind;
	ch->exit_code = ch->exit_signal = -1;
	ssh_callbacks_init(&ch->cb);
	ch->cb.userdata = ch;
	ch->cb.channel_data_function = sshd_chan_data_cb;
	ch->cb.channel_eof_function = sshd_chan_eof_cb;
	ch->cb.channel_close_function = sshd_chan_close_cb;
	ch->cb.channel_write_wontblock_function = sshd_chan_wontblock_cb;
	if (kind == SSHD_CHAN_SESSION) {
		ch->cb.channel_pty_request_function = sshd_chan_pty_cb;
		ch->cb.channel_pty_window_change_function = sshd_chan_winch_cb;
		ch->cb.channel_shell_request_function = sshd_chan_shell_cb;
		ch->cb.channel_exec_request_function = sshd_chan_exec_cb;
		ch->cb.channel_subsystem_request_function =
		    sshd_chan_subsystem_cb;
		ch->cb.channel_env_request_function = sshd_chan_env_cb;
	}
	ssh_set_channel_callbacks(channel, &ch->cb);
	ch->next = c->chans;
	c->chans = ch;
	return ch;
}

ssh_channel
sshd_chan_open_session_cb(ssh_session session, void *userdata)
{
	struct sshd_conn *c = userdata;
	struct sshd_chan *ch;

	(void)session;
	if (!c->authed)
		return NULL;
	ch = sshd_chan_new(c, SSHD_CHAN_SESSION, NULL);
	return ch != NULL ? ch->channel : NULL;
}

void
sshd_chan_close(struct sshd_chan *ch)
{
	if (ch->dead)
		return;
	ch->dead = true;
	if (ch->stream != NULL)
		tf_stream_close(&ch->stream);	/* hangs the process up */
	if (ch->fwd != NULL)
		sshd_fwd_free(&ch->fwd, sshd_loop(ch->conn->srv));
	if (ch->sftp != NULL)
		sshd_sftp_free(&ch->sftp);
	if (!ch->finished && ssh_channel_is_open(ch->channel))
		ssh_channel_close(ch->channel);
}

void
sshd_chan_free(struct sshd_chan *ch)
{
	sshd_chan_close(ch);
	sdk_buf_free(&ch->out);
	sdk_buf_free(&ch->err);
	ssh_remove_channel_callbacks(ch->channel, &ch->cb);
	ssh_channel_free(ch->channel);
	free(ch);
}
