/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_ssh_private.h: the SSH server onto a container (tf.h "SSH and SFTP").
 * Files: tf_ssh_server.c (listening, accepting, host key, public-key
 * authentication, the libssh sessions on the loop, reaping),
 * tf_ssh_chan.c (session channels: shell and exec as container processes),
 * tf_ssh_sftp.c (the "sftp" subsystem on the node's file requests),
 * tf_ssh_fwd.c (direct-tcpip through a tunnel).
 *
 * libssh runs non-blocking.  Each client's socket is an fd on the
 * location's tf_loop; when it is ready, ssh_event_dopoll(event, 0) lets
 * libssh read and write and run our callbacks.  libssh buffers what it
 * cannot write at once, so a before-sleep hook asks every client whether
 * output is still pending (ssh_blocking_flush with a zero timeout) and
 * polls for writability only then.  Objects are freed only from that hook,
 * never inside a libssh callback, because libssh may still use the channel
 * or session it called us about.
 */
#ifndef TF_SSH_PRIVATE_H
#define TF_SSH_PRIVATE_H

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>

#include "tf_sdk_private.h"

struct sshd_conn;
struct sshd_sftp;
struct sshd_fwd;

enum sshd_chan_kind {
	SSHD_CHAN_SESSION,		/* no request yet, or shell / exec */
	SSHD_CHAN_SFTP,
	SSHD_CHAN_DIRECT,		/* direct-tcpip */
};

/* One channel of a client. */
struct sshd_chan {
	struct sshd_chan *next;
	struct sshd_conn *conn;
	ssh_channel channel;
	struct ssh_channel_callbacks_struct cb;
	enum sshd_chan_kind kind;
	/* session: the pty request and the process */
	bool pty;
	int rows, cols;
	tf_stream *stream;
	bool started;			/* a shell or exec was accepted */
	bool proc_ended;		/* the process's end came */
	int64_t exit_code, exit_signal;
	struct sdk_buf out, err;	/* process output not yet written */
	bool flushing;			/* inside sshd_chan_flush */
	/* closing */
	bool eof_in;			/* the client sent EOF */
	bool finished;			/* exit status, EOF and close sent */
	bool dead;			/* to be freed by the hook */
	struct sshd_sftp *sftp;
	struct sshd_fwd *fwd;
};

/* One TCP client. */
struct sshd_conn {
	struct sshd_conn *next;
	tf_ssh_server *srv;
	ssh_session session;
	struct ssh_server_callbacks_struct cb;
	int fd;
	int events;
	bool kex_done;
	bool authed;
	bool dead;
	struct sshd_chan *chans;
};

struct tf_ssh_server {
	tf_location *loc;
	char container[TF_MODEL_ID];
	char bind[64];
	int port;
	char *authorized_keys;
	ssh_bind sshbind;
	ssh_event event;
	int listen_fd;
	struct sshd_conn *conns;
	SDK_ARRAY(tf_tunnel *, tunnels);	/* ssh -L, one per port */
	size_t n_conns;
	bool in_poll;			/* inside ssh_event_dopoll */
};

/* tf_ssh_server.c */
tf_loop *sshd_loop(const tf_ssh_server *srv);

/* tf_ssh_chan.c */
ssh_channel sshd_chan_open_session_cb(ssh_session session, void *userdata);
/* channel NULL: a new one of the session. */
struct sshd_chan *sshd_chan_new(struct sshd_conn *c, enum sshd_chan_kind kind,
			       ssh_channel channel);
/* Writes queued output the window allows; ends the channel after the
 * process ended and everything was written. */
void sshd_chan_flush(struct sshd_chan *ch);
/* Hangs up the process, closes the channel; freed by the hook. */
void sshd_chan_close(struct sshd_chan *ch);
void sshd_chan_free(struct sshd_chan *ch);

/* tf_ssh_sftp.c */
int sshd_sftp_start(struct sshd_chan *ch);
/* Bytes of the sftp stream from the client; returns what it consumed. */
int sshd_sftp_data(struct sshd_chan *ch, const uint8_t *data, size_t len);
void sshd_sftp_flush(struct sshd_chan *ch);
/* Nothing waits for the node or the client. */
bool sshd_sftp_idle(struct sshd_chan *ch);
void sshd_sftp_free(struct sshd_sftp **sf_p);

/* tf_ssh_fwd.c */
int sshd_fwd_message_cb(ssh_session session, ssh_message msg, void *userdata);
int sshd_fwd_data(struct sshd_chan *ch, const uint8_t *data, size_t len);
void sshd_fwd_flush(struct sshd_chan *ch);
void sshd_fwd_eof(struct sshd_chan *ch);
void sshd_fwd_free(struct sshd_fwd **f_p, tf_loop *loop);

#endif
