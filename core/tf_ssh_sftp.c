/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_ssh_sftp.c: the "sftp" subsystem.
 */
#include "tf_ssh_private.h"

int
sshd_sftp_start(struct sshd_chan *ch)
{
	(void)ch;
	return -1;
}

int
sshd_sftp_data(struct sshd_chan *ch, const uint8_t *data, size_t len)
{
	(void)ch;
	(void)data;
	return (int)len;
}

void
sshd_sftp_flush(struct sshd_chan *ch)
{
	(void)ch;
}

void
sshd_sftp_free(struct sshd_sftp **sf_p)
{
	*sf_p = NULL;
}
