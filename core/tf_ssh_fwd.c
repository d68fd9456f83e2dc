/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_ssh_fwd.c: direct-tcpip (ssh -L) through a tunnel to the container.
 */
#include "tf_ssh_private.h"

int
sshd_fwd_message_cb(ssh_session session, ssh_message msg, void *userdata)
{
	(void)session;
	(void)msg;
	(void)userdata;
	return 1;			/* not handled: libssh refuses */
}

int
sshd_fwd_data(struct sshd_chan *ch, const uint8_t *data, size_t len)
{
	(void)ch;
	(void)data;
	return (int)len;
}

void
sshd_fwd_flush(struct sshd_chan *ch)
{
	(void)ch;
}

void
sshd_fwd_eof(struct sshd_chan *ch)
{
	(void)ch;
}

void
sshd_fwd_free(struct sshd_fwd **f_p)
{
	*f_p = NULL;
}
