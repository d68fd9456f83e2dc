/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_fw: per-container nftables firewall (see net_fw.h for the rules).
 *
 * The rules are loaded by Debian's `nft` program, forked and executed in
 * the calling thread's network namespace, and never by libnftables in
 * the daemon.  Two reasons, both docs/SCALE.md's:
 *  - libnftables waits for the kernel with select(), and glibc aborts the
 *    process once that socket's number reaches FD_SETSIZE (1024), which a
 *    node with a few hundred containers passes;
 *  - a forked child of the daemon (which has ZeroMQ's threads) may only
 *    call async-signal-safe functions until it executes a program: an
 *    allocator lock held by another thread at fork() stays held in the
 *    child for ever.  libnftables in such a child hung a node under ASan
 *    in test_scale.  So the child only moves descriptors and calls execv.
 * The commands go in through a pipe filled before the fork (they are far
 * smaller than a pipe's buffer); the program's output and errors come
 * back through another.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"
#include "net_fw.h"
#include "net_ns.h"

#define FW_NFT "/usr/sbin/nft"
#define FW_CMDS_MAX (60u << 10)	/* below a pipe's 64 KiB: never blocks */
#define FW_RESULT_MAX (1u << 20)	/* a `list` of one container's table */

/* Fills a pipe with cmds and closes its write end; returns the read end. */
static int
fw_cmds_pipe(const char *cmds, tf_err *err)
{
	size_t len = strlen(cmds), done = 0;
	int p[2];
	ssize_t n;

	if (len > FW_CMDS_MAX)
		return tf_err_set(err, "firewall: commands too long (%zu bytes)",
		    len);
	if (pipe2(p, O_CLOEXEC) != 0)
		return tf_err_errno(err, "firewall: cannot make a pipe");
	while (done < len) {
		n = write(p[1], cmds + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(p[0]);
			close(p[1]);
			return tf_err_errno(err, "firewall: cannot write commands");
		}
		done += (size_t)n;
	}
	close(p[1]);
	return p[0];
}

/* Runs cmds with nft in the calling thread's current namespace. */
static int
fw_run_here(const char *cmds, char **out, tf_err *err)
{
	static char *const argv[] = { "nft", "-f", "/dev/stdin", NULL };
	char *buf = NULL, *nl;
	size_t len = 0, cap = 0;
	int in, p[2], status;
	ssize_t n;
	pid_t pid;

	if ((in = fw_cmds_pipe(cmds, err)) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) != 0) {
		close(in);
		return tf_err_errno(err, "firewall: cannot make a pipe");
	}
	pid = fork();
	if (pid < 0) {
		close(in);
		close(p[0]);
		close(p[1]);
		return tf_err_errno(err, "firewall: cannot fork");
	}
	if (pid == 0) {
		/* Async-signal-safe calls only (see the top of the file). */
		if (dup2(in, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(126);
		close_range(3, ~0u, 0);
		execv(FW_NFT, argv);
		_exit(127);
	}
	close(in);
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
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			tf_err_set(err, "firewall: cannot run " FW_NFT);
		else if ((nl = strchr(buf, '\n')) != NULL || buf[0] != '\0') {
			if (nl != NULL)
				*nl = '\0';
			tf_err_set(err, "firewall: %s", buf);
		} else
			tf_err_set(err, "firewall: nft failed");
		free(buf);
		return -1;
	}
	if (out != NULL)
		*out = buf;
	else
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
