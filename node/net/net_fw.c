/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_fw: per-container nftables firewall (see net_fw.h for the rules).
 *
 * libnftables waits for the kernel's answer to a batch with select() on its
 * netlink socket, and glibc aborts the process when that socket's number is
 * 1024 or more (FD_SETSIZE).  A node with a few hundred containers holds
 * more descriptors than that, so libnftables never runs in the daemon: each
 * call forks a child that closes every descriptor but its result pipe, makes
 * the context there (its socket gets a number below 10) and reports back.
 * The child inherits the calling thread's network namespace, so the rules
 * land in the namespace the caller entered.  docs/SCALE.md has the why.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"
#include "net_fw.h"
#include "net_ns.h"

#define FW_RESULT_FD 3		/* the child's only descriptor but 0-2 */
#define FW_RESULT_MAX (1u << 20)	/* a `list` of one container's table */

static void
fw_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* In the child: runs cmds and writes '0' and the output, or '1' and the
 * first line of the error, to FW_RESULT_FD. */
static void __attribute__((noreturn))
fw_child(const char *cmds)
{
	struct nft_ctx *ctx;
	const char *msg;
	int rc;

	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (ctx == NULL) {
		fw_write_all(FW_RESULT_FD, "1cannot start libnftables", 25);
		_exit(1);
	}
	/* Buffered, so that nothing is printed on the daemon's stderr and a
	 * failure can be handed back as a message. */
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	rc = nft_run_cmd_from_buffer(ctx, cmds);
	if (rc != 0) {
		msg = nft_ctx_get_error_buffer(ctx);
		fw_write_all(FW_RESULT_FD, "1", 1);
		if (msg != NULL)
			fw_write_all(FW_RESULT_FD, msg, strcspn(msg, "\n"));
	} else {
		msg = nft_ctx_get_output_buffer(ctx);
		fw_write_all(FW_RESULT_FD, "0", 1);
		if (msg != NULL)
			fw_write_all(FW_RESULT_FD, msg, strlen(msg));
	}
	/* _exit: no atexit handlers of the daemon run in the child. */
	_exit(0);
}

/* Runs cmds in the calling thread's current namespace, in a child. */
static int
fw_run_here(const char *cmds, char **out, tf_err *err)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return tf_err_errno(err, "firewall: cannot make a pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return tf_err_errno(err, "firewall: cannot fork");
	}
	if (pid == 0) {
		if (p[1] != FW_RESULT_FD && dup2(p[1], FW_RESULT_FD) < 0)
			_exit(1);
		close_range(FW_RESULT_FD + 1, ~0u, 0);
		fw_child(cmds);
	}
	close(p[1]);
	for (;;) {
		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			buf = tf_realloc(buf, cap);
		}
		n = read(p[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > FW_RESULT_MAX)
			break;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf = buf != NULL ? buf : tf_malloc(1);
	buf[len < FW_RESULT_MAX ? len : FW_RESULT_MAX] = '\0';
	if (len == 0 || buf[0] != '0') {
		if (len > 1)
			tf_err_set(err, "firewall: %s", buf + 1);
		else
			tf_err_set(err, "firewall: nft failed");
		free(buf);
		return -1;
	}
	if (out != NULL)
		*out = tf_strdup(buf + 1);
	free(buf);
	return 0;
}

int
net_fw_setup_here(struct in_addr gateway, tf_err *err)
{
	char gw[INET_ADDRSTRLEN], cmds[1024];

	inet_ntop(AF_INET, &gateway, gw, sizeof gw);
	if (!tf_snprintf(cmds, sizeof cmds,
	    "table inet " NET_FW_TABLE " {\n"
	    "  set " NET_FW_SET " { type ipv4_addr; }\n"
	    "  chain input {\n"
	    "    type filter hook input priority filter; policy drop;\n"
	    "    ct state established,related accept\n"
	    "    ct state invalid drop\n"
	    "    iif \"lo\" accept\n"
	    "    ip saddr %s accept\n"
	    "    ip saddr @" NET_FW_SET " accept\n"
	    "  }\n"
	    "}\n", gw))
		return tf_err_set(err, "firewall rules too long");
	return fw_run_here(cmds, NULL, err);
}

int
net_fw_run(const char *ns_path, const char *cmds, char **out, tf_err *err)
{
	struct net_ns_saved saved;
	int rc;

	if (net_ns_enter(ns_path, &saved, err) != 0)
		return -1;
	rc = fw_run_here(cmds, out, err);
	net_ns_leave(&saved);
	return rc;
}

int
net_fw_allow(const char *ns_path, struct in_addr ip, bool allow, tf_err *err)
{
	char addr[INET_ADDRSTRLEN], cmds[256];

	/* The address is formatted from binary, never copied from the
	 * caller's text, so nothing but an address reaches nft's parser. */
	inet_ntop(AF_INET, &ip, addr, sizeof addr);
	if (allow)
		snprintf(cmds, sizeof cmds,
		    "add element inet " NET_FW_TABLE " " NET_FW_SET
		    " { %s }\n", addr);
	else
		/* nft 1.0.6 has no "destroy element": adding first makes the
		 * delete succeed in the same transaction if it was absent. */
		snprintf(cmds, sizeof cmds,
		    "add element inet " NET_FW_TABLE " " NET_FW_SET
		    " { %s }\n"
		    "delete element inet " NET_FW_TABLE " " NET_FW_SET
		    " { %s }\n", addr, addr);
	return net_fw_run(ns_path, cmds, NULL, err);
}
