/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_fw: the nftables firewall inside a container's network namespace,
 * loaded by Debian's nft program (net_fw.c says why).  The host's own
 * rule set is never read or touched: every table lives in a container
 * namespace and dies with it.
 *
 *   table inet tf_fw {
 *     set allowed { type ipv4_addr; }
 *     chain input {
 *       type filter hook input priority filter; policy drop;
 *       ct state established,related accept   # replies, ICMP errors
 *       ct state invalid drop
 *       iif "lo" accept
 *       ip saddr <gateway> accept             # the node relays tunnels
 *       ip saddr @allowed accept              # TCP, UDP and ICMP echo
 *     }
 *   }
 *
 * Output is not filtered.
 */
#ifndef NET_FW_H
#define NET_FW_H

#include <netinet/in.h>
#include <stdbool.h>

#include "tf_err.h"

#define NET_FW_TABLE "tf_fw"
#define NET_FW_SET "allowed"

/* Loads the firewall into the namespace the calling thread is in now. */
int net_fw_setup_here(struct in_addr gateway, tf_err *err);

/* Adds ip to (allow) or removes it from (!allow) the allowed set of the
 * container whose namespace is at ns_path.  Both are idempotent. */
int net_fw_allow(const char *ns_path, struct in_addr ip, bool allow,
    tf_err *err);

/* Runs nft commands in the namespace at ns_path; output (e.g. of a `list`)
 * goes to *out if out is not NULL (malloc'd, caller frees). */
int net_fw_run(const char *ns_path, const char *cmds, char **out,
    tf_err *err);

#endif
