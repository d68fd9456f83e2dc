/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_fw: per-container nftables firewall (see net_fw.h for the rules).
 *
 * libnftables opens its netlink socket in the namespace of the thread that
 * makes the context, so each call makes a context while the thread is in
 * the container's namespace and frees it before the thread comes back.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"
#include "net_fw.h"
#include "net_ns.h"

/* Runs cmds in the calling thread's current namespace. */
static int
fw_run_here(const char *cmds, char **out, tf_err *err)
{
	struct nft_ctx *ctx;
	int rc;

	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (ctx == NULL)
		return tf_err_set(err, "cannot start libnftables");
	/* Buffered, so that nothing is printed on the daemon's stderr and a
	 * failure can be handed back as a message. */
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	rc = nft_run_cmd_from_buffer(ctx, cmds);
	if (rc != 0) {
		const char *msg = nft_ctx_get_error_buffer(ctx);
		size_t len = msg != NULL ? strcspn(msg, "\n") : 0;

		tf_err_set(err, "firewall: %.*s", (int)len,
		    len > 0 ? msg : "nft failed");
	} else if (out != NULL) {
		const char *o = nft_ctx_get_output_buffer(ctx);

		*out = tf_strdup(o != NULL ? o : "");
	}
	nft_ctx_free(ctx);
	return rc != 0 ? -1 : 0;
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
