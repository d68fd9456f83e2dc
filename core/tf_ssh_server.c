/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_ssh_server.c: the listening side of the SSH server onto a container
 * (tf.h "SSH and SFTP"; how libssh sits on the loop: tf_ssh_private.h).
 * The host key is made once (Ed25519, mode 0600) in the account directory;
 * clients authenticate by public key against an authorized_keys file that
 * is read at every attempt, so a key removed from it stops working at
 * once.  No other method is offered: never "none", never passwords.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tf_ssh_private.h"

#define SSHD_KEY_LINE_MAX 16384

static void sshd_server_hook(tf_loop *loop, void *arg);

tf_loop *
sshd_loop(const tf_ssh_server *srv)
{
	return srv->loc->loop;
}

/* ---- keys ---------------------------------------------------------------- */

/* Makes an Ed25519 host key at path unless one is there.  The key is
 * written to a private temporary file and renamed, so a reader never sees
 * half a key and the key is never readable by others. */
static int
sshd_host_key_ensure(const char *path, tf_err *err)
{
	char tmp[PATH_MAX];
	ssh_key key = NULL;
	int fd, rc;

	if (access(path, R_OK) == 0)
		return 0;
	if (snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid()) >=
	    (int)sizeof tmp)
		return tf_err_set(err, "host key path too long: %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return tf_err_set(err, "cannot write host key %s: %s", tmp,
		    strerror(errno));
	close(fd);
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
		unlink(tmp);
		return tf_err_set(err, "cannot make an Ed25519 host key");
	}
	rc = ssh_pki_export_privkey_file(key, NULL, NULL, NULL, tmp);
	ssh_key_free(key);
	if (rc != SSH_OK || rename(tmp, path) != 0) {
		unlink(tmp);
		return tf_err_set(err, "cannot write host key %s", path);
	}
	tf_info("Made an SSH host key: %s", path);
	return 0;
}

/* True when key is one of the keys in the authorized_keys file at path.
 * Lines may start with options; the key is the token after the first
 * token that names a key type. */
static bool
sshd_key_authorized(const char *path, ssh_key key)
{
	char *line = tf_malloc(SSHD_KEY_LINE_MAX);
	bool found = false;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		tf_warn("ssh: cannot read %s: %s", path, strerror(errno));
		free(line);
		return false;
	}
	while (!found && fgets(line, SSHD_KEY_LINE_MAX, f) != NULL) {
		char *save = NULL, *tok, *b64;

		for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL;
		     tok = strtok_r(NULL, " \t\r\n", &save)) {
			enum ssh_keytypes_e type;
			ssh_key k = NULL;

			if (tok[0] == '#')
				break;
			type = ssh_key_type_from_name(tok);
			if (type == SSH_KEYTYPE_UNKNOWN)
				continue;
			b64 = strtok_r(NULL, " \t\r\n", &save);
			if (b64 != NULL &&
			    ssh_pki_import_pubkey_base64(b64, type, &k) == SSH_OK) {
				found = ssh_key_cmp(k, key, SSH_KEY_CMP_PUBLIC) == 0;
				ssh_key_free(k);
			}
			break;
		}
	}
	fclose(f);
	free(line);
	return found;
}

static int
sshd_auth_pubkey_cb(ssh_session session, const char *user, ssh_key pubkey,
		   char signature_state, void *userdata)
{
	struct sshd_conn *c = userdata;

	(void)session;
	if (signature_state != SSH_PUBLICKEY_STATE_NONE &&
	    signature_state != SSH_PUBLICKEY_STATE_VALID)
		return SSH_AUTH_DENIED;
	if (!sshd_key_authorized(c->srv->authorized_keys, pubkey)) {
		if (signature_state == SSH_PUBLICKEY_STATE_VALID)
			tf_info("ssh: refused a key of user %s (not in %s)",
			    user, c->srv->authorized_keys);
		return SSH_AUTH_DENIED;
	}
	/* STATE_NONE is the client asking whether the key would do;
	 * SUCCESS there means "send the signature". */
	if (signature_state == SSH_PUBLICKEY_STATE_VALID) {
		c->authed = true;
		tf_debug("ssh: user %s authenticated", user);
	}
	return SSH_AUTH_SUCCESS;
}

/* ---- clients ------------------------------------------------------------- */

static void
sshd_conn_free(struct sshd_conn *c)
{
	tf_ssh_server *srv = c->srv;
	struct sshd_chan *ch;

	while ((ch = c->chans) != NULL) {
		c->chans = ch->next;
		sshd_chan_free(ch);
	}
	if (c->fd >= 0)
		tf_loop_del_fd(sshd_loop(srv), c->fd);
	ssh_event_remove_session(srv->event, c->session);
	ssh_disconnect(c->session);
	ssh_free(c->session);
	srv->n_conns--;
	free(c);
}

static void
sshd_poll(tf_ssh_server *srv)
{
	struct sshd_conn *c;

	if (srv->in_poll)
		return;
	srv->in_poll = true;
	ssh_event_dopoll(srv->event, 0);
	srv->in_poll = false;
	for (c = srv->conns; c != NULL; c = c->next) {
		if (c->dead || c->kex_done)
			continue;
		switch (ssh_handle_key_exchange(c->session)) {
		case SSH_OK:
			c->kex_done = true;
			break;
		case SSH_AGAIN:
			break;
		default:
			tf_debug("ssh: key exchange failed: %s",
			    ssh_get_error(c->session));
			c->dead = true;
		}
	}
}

static int
sshd_conn_fd_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct sshd_conn *c = arg;

	(void)loop;
	(void)fd;
	(void)events;
	sshd_poll(c->srv);
	return 0;
}

static void
sshd_accept(tf_ssh_server *srv)
{
	struct sshd_conn *c;
	ssh_session session = ssh_new();

	if (session == NULL)
		return;
	if (ssh_bind_accept(srv->sshbind, session) != SSH_OK) {
		/* EAGAIN on the non-blocking listener, or a client gone. */
		ssh_free(session);
		return;
	}
	c = tf_calloc(1, sizeof *c);
	c->srv = srv;
	c->session = session;
	c->fd = -1;
	ssh_set_blocking(session, 0);
	ssh_callbacks_init(&c->cb);
	c->cb.userdata = c;
	c->cb.auth_pubkey_function = sshd_auth_pubkey_cb;
	c->cb.channel_open_request_session_function = sshd_chan_open_session_cb;
	ssh_set_server_callbacks(session, &c->cb);
	ssh_set_auth_methods(session, SSH_AUTH_METHOD_PUBLICKEY);
	ssh_set_message_callback(session, sshd_fwd_message_cb, c);
	c->next = srv->conns;
	srv->conns = c;
	srv->n_conns++;
	if (ssh_handle_key_exchange(session) == SSH_ERROR ||
	    ssh_event_add_session(srv->event, session) != SSH_OK) {
		tf_debug("ssh: cannot start a session: %s",
		    ssh_get_error(session));
		c->dead = true;
		return;
	}
	c->fd = ssh_get_fd(session);
	/* No Nagle: a keystroke's echo is one small packet that must not
	 * wait for the client's delayed ACK of the one before (as
	 * OpenSSH's sshd does for interactive sessions). */
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
	    sizeof(int));
	c->events = TF_READ;
	if (tf_loop_add_fd(sshd_loop(srv), c->fd, TF_READ, sshd_conn_fd_cb,
	    c) != 0) {
		c->fd = -1;
		c->dead = true;
	}
}

static int
sshd_listen_cb(tf_loop *loop, int fd, int events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	sshd_accept(arg);
	return 0;
}

/* Before sleep: free what died, move queued output, and poll each client's
 * socket for writing only while libssh holds output for it. */
static void
sshd_server_hook(tf_loop *loop, void *arg)
{
	tf_ssh_server *srv = arg;
	struct sshd_conn **cp, *c;
	struct sshd_chan **chp, *ch;

	(void)loop;
	for (cp = &srv->conns; (c = *cp) != NULL;) {
		if (!c->dead && (ssh_get_status(c->session) &
		    (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0)
			c->dead = true;
		if (c->dead) {
			*cp = c->next;
			sshd_conn_free(c);
			continue;
		}
		for (chp = &c->chans; (ch = *chp) != NULL;) {
			if (ch->dead) {
				*chp = ch->next;
				sshd_chan_free(ch);
				continue;
			}
			sshd_chan_flush(ch);
			chp = &ch->next;
		}
		if (c->fd >= 0) {
			int ev = TF_READ;
			int rc = ssh_blocking_flush(c->session, 0);

			if (rc == SSH_AGAIN)
				ev |= TF_WRITE;
			else if (rc == SSH_ERROR)
				c->dead = true;
			if (ev != c->events) {
				tf_loop_set_events(sshd_loop(srv), c->fd, ev);
				c->events = ev;
			}
		}
		cp = &c->next;
	}
}

/* ---- the server ------------------------------------------------------------ */

static int
sshd_default_path(char *buf, size_t size, const char *dir_env, const char *file,
		 tf_err *err)
{
	const char *home = getenv("HOME");

	if (dir_env != NULL) {
		if (snprintf(buf, size, "%s/%s", dir_env, file) >= (int)size)
			return tf_err_set(err, "path too long");
		return 0;
	}
	if (home == NULL || *home == '\0')
		return tf_err_set(err, "HOME is not set: name the %s file",
		    file);
	if (snprintf(buf, size, "%s/.ssh/%s", home, file) >= (int)size)
		return tf_err_set(err, "path too long");
	return 0;
}

tf_ssh_server *
tf_ssh_server_new(tf_location *loc, const char *container,
		  const tf_ssh_opts *opts, tf_err *err)
{
	tf_ssh_opts none = { 0 };
	char keypath[PATH_MAX], akeys[PATH_MAX], dir[PATH_MAX];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	tf_ssh_server *srv;
	unsigned int port;
	int fl;

	if (opts == NULL)
		opts = &none;
	if (container == NULL || *container == '\0') {
		tf_err_set(err, "ssh: no container given");
		return NULL;
	}
	if (opts->port < 0 || opts->port > 65535) {
		tf_err_set(err, "ssh: port %d out of range", opts->port);
		return NULL;
	}
	if (opts->host_key != NULL)
		snprintf(keypath, sizeof keypath, "%s", opts->host_key);
	else if (tf_account_dir(dir, sizeof dir, err) != 0 ||
	    sshd_default_path(keypath, sizeof keypath, dir,
	    "ssh_host_ed25519_key", err) != 0)
		return NULL;
	if (opts->host_key == NULL)
		mkdir(dir, 0700);
	if (opts->authorized_keys != NULL)
		snprintf(akeys, sizeof akeys, "%s", opts->authorized_keys);
	else if (sshd_default_path(akeys, sizeof akeys, NULL,
	    "authorized_keys", err) != 0)
		return NULL;
	if (sshd_host_key_ensure(keypath, err) != 0)
		return NULL;

	srv = tf_calloc(1, sizeof *srv);
	srv->loc = loc;
	srv->listen_fd = -1;
	snprintf(srv->container, sizeof srv->container, "%s", container);
	snprintf(srv->bind, sizeof srv->bind, "%s",
	    opts->bind != NULL ? opts->bind : "127.0.0.1");
	srv->authorized_keys = tf_strdup(akeys);
	port = (unsigned int)opts->port;
	srv->sshbind = ssh_bind_new();
	srv->event = ssh_event_new();
	if (srv->sshbind == NULL || srv->event == NULL ||
	    ssh_bind_options_set(srv->sshbind, SSH_BIND_OPTIONS_BINDADDR,
	    srv->bind) != SSH_OK ||
	    ssh_bind_options_set(srv->sshbind, SSH_BIND_OPTIONS_BINDPORT,
	    &port) != SSH_OK ||
	    ssh_bind_options_set(srv->sshbind, SSH_BIND_OPTIONS_HOSTKEY,
	    keypath) != SSH_OK) {
		tf_err_set(err, "ssh: cannot set up the server");
		goto fail;
	}
	if (ssh_bind_listen(srv->sshbind) != SSH_OK) {
		tf_err_set(err, "ssh: cannot listen on %s:%d: %s", srv->bind,
		    opts->port, ssh_get_error(srv->sshbind));
		goto fail;
	}
	srv->listen_fd = ssh_bind_get_fd(srv->sshbind);
	fl = fcntl(srv->listen_fd, F_GETFL);
	fcntl(srv->listen_fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(srv->listen_fd, F_SETFD, FD_CLOEXEC);
	if (getsockname(srv->listen_fd, (struct sockaddr *)&ss, &sl) == 0)
		srv->port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	if (tf_loop_add_fd(loc->loop, srv->listen_fd, TF_READ, sshd_listen_cb,
	    srv) != 0) {
		tf_err_set(err, "ssh: cannot watch the listening socket");
		goto fail;
	}
	tf_loop_add_hook(loc->loop, sshd_server_hook, srv);
	SDK_PUSH(loc, sshs, srv);
	tf_debug("ssh: serving container %s on %s:%d", container, srv->bind,
	    srv->port);
	return srv;
fail:
	if (srv->sshbind != NULL)
		ssh_bind_free(srv->sshbind);
	if (srv->event != NULL)
		ssh_event_free(srv->event);
	free(srv->authorized_keys);
	free(srv);
	return NULL;
}

tf_ssh_server *
tf_container_ssh_server(tf_container *c, const tf_ssh_opts *opts, tf_err *err)
{
	if (sdk_check(c->loc, err) != 0)
		return NULL;
	if (c->id[0] == '\0') {
		tf_err_set(err, "ssh: the container has no id yet");
		return NULL;
	}
	return tf_ssh_server_new(c->loc, c->id, opts, err);
}

int
tf_ssh_server_port(const tf_ssh_server *s)
{
	return s->port;
}

const char *
tf_ssh_server_container(const tf_ssh_server *s)
{
	return s->container;
}

size_t
tf_ssh_server_clients(const tf_ssh_server *s)
{
	return s->n_conns;
}

void
tf_ssh_server_destroy(tf_ssh_server **s_p)
{
	tf_ssh_server *srv = *s_p;
	tf_location *loc;
	struct sshd_conn *c;

	if (srv == NULL)
		return;
	*s_p = NULL;
	loc = srv->loc;
	for (size_t i = 0; i < loc->n_sshs; i++) {
		if (loc->sshs[i] == srv) {
			loc->sshs[i] = loc->sshs[--loc->n_sshs];
			break;
		}
	}
	tf_loop_del_hook(loc->loop, sshd_server_hook, srv);
	while ((c = srv->conns) != NULL) {
		srv->conns = c->next;
		sshd_conn_free(c);
	}
	if (srv->listen_fd >= 0)
		tf_loop_del_fd(loc->loop, srv->listen_fd);
	for (size_t i = 0; i < srv->n_tunnels; i++)
		tf_tunnel_destroy(srv->tunnels[i], NULL);
	free(srv->tunnels);
	ssh_bind_free(srv->sshbind);
	ssh_event_free(srv->event);
	free(srv->authorized_keys);
	free(srv);
}

void
sdk_ssh_close_all(tf_location *loc)
{
	while (loc->n_sshs > 0) {
		tf_ssh_server *srv = loc->sshs[loc->n_sshs - 1];

		tf_ssh_server_destroy(&srv);
	}
}
