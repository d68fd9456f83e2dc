/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_bridge: the node's bridge (create, adopt, address, tear down) and the
 * start-up sweep of container networks left by an earlier run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"
#include "net_ipam.h"
#include "net_nl.h"
#include "net.h"
#include "net_ns.h"

static bool
node_name_chars(const char *s, size_t max, const char *extra)
{
	size_t len = s != NULL ? strlen(s) : 0;

	if (len == 0 || len > max)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' ||
		    strchr(extra, *s) != NULL))
			return false;
	}
	return true;
}

/* No '-' in bridge names: it separates the bridge from the container id in
 * namespace names, so that one bridge's prefix never matches another's. */
bool
net_bridge_name_valid(const char *bridge)
{
	return node_name_chars(bridge, NET_BRIDGE_NAME_MAX, "");
}

bool
net_ctr_id_valid(const char *ctr_id)
{
	return node_name_chars(ctr_id, NET_CTR_ID_MAX, ".-");
}

static int
node_bridge_check(const char *bridge, tf_err *err)
{
	if (!net_bridge_name_valid(bridge))
		return tf_err_set(err, "bad bridge name \"%s\" (1 to %d of "
		    "A-Z a-z 0-9 _)", bridge != NULL ? bridge : "",
		    NET_BRIDGE_NAME_MAX);
	return 0;
}

struct node_addr_scan {
	int bridge_index;
	uint32_t network, mask;		/* host byte order */
	struct in_addr gateway;
	int prefixlen;
	/* An address elsewhere that overlaps the subnet. */
	bool overlap;
	int overlap_index;
	struct net_nl_addr overlap_addr;
	/* Addresses of the bridge other than the gateway, to remove. */
	struct net_nl_addr stale[NET_NL_BATCH_MAX - 2];
	int nstale;
};

static void
node_addr_cb(const struct net_nl_addr *a, void *arg)
{
	struct node_addr_scan *scan = arg;
	uint32_t h = ntohl(a->addr.s_addr), mask;

	if (a->index == scan->bridge_index) {
		if ((a->addr.s_addr != scan->gateway.s_addr ||
		    a->prefixlen != scan->prefixlen) &&
		    scan->nstale < (int)TF_ARRAY_LEN(scan->stale))
			scan->stale[scan->nstale++] = *a;
		return;
	}
	/* Two prefixes overlap when they agree on the shorter one's bits. */
	mask = a->prefixlen == 0 ? 0 : 0xffffffffu << (32 - a->prefixlen);
	if (mask > scan->mask)
		mask = scan->mask;
	if ((h & mask) == (scan->network & mask) && !scan->overlap) {
		scan->overlap = true;
		scan->overlap_addr = *a;
	}
}

/* A fixed MAC, so that the bridge does not take on (and change with) the
 * lowest MAC of its ports, which would leave containers' ARP entries for
 * the gateway stale whenever a container comes or goes. */
static void
node_random_mac(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6) {
		uint64_t t = tf_now_ms();

		memcpy(mac, &t, 6);
	}
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);	/* local, unicast */
}

int
net_node_setup(const char *bridge, const char *subnet_cidr, tf_err *err)
{
	struct node_addr_scan scan = { 0 };
	struct net_nl_link link = { 0 };
	struct net_nl_batch b;
	struct net_nl nl;
	struct in_addr net;
	char gw[NET_IP_LEN];
	uint8_t mac[6];
	int prefixlen, rc = -1, found;

	if (node_bridge_check(bridge, err) != 0)
		return -1;
	if (net_cidr_parse(subnet_cidr, &net, &prefixlen, err) != 0)
		return -1;
	if (prefixlen < 8 || prefixlen > 30)
		return tf_err_set(err, "subnet %s: prefix length must be 8 "
		    "to 30", subnet_cidr);
	if (net_nl_open(&nl, err) != 0)
		return -1;

	found = net_nl_link_get(&nl, bridge, &link, err);
	if (found < 0)
		goto out;
	if (found == 0 && strcmp(link.kind, "bridge") != 0) {
		tf_err_set(err, "%s exists and is not a bridge", bridge);
		goto out;
	}
	if (found == 1) {
		net_nl_batch_init(&b);
		node_random_mac(mac);
		net_nl_batch_link_add(&nl, &b, bridge, "bridge", mac,
		    "creating bridge");
		net_nl_batch_link_no_ipv6ll(&nl, &b, 0, bridge,
		    "turning off IPv6 link-local addresses");
		if (net_nl_batch_send(&nl, &b, err) != 0 ||
		    net_nl_link_get(&nl, bridge, &link, err) != 0)
			goto out;
	}

	scan.bridge_index = link.index;
	scan.network = ntohl(net.s_addr);
	scan.mask = 0xffffffffu << (32 - prefixlen);
	scan.gateway.s_addr = htonl(scan.network + 1);
	scan.prefixlen = prefixlen;
	if (net_nl_addr_dump(&nl, node_addr_cb, &scan, err) != 0)
		goto out;
	if (scan.overlap) {
		char a[NET_IP_LEN], ifname[IF_NAMESIZE] = "?";

		inet_ntop(AF_INET, &scan.overlap_addr.addr, a, sizeof a);
		if_indextoname((unsigned int)scan.overlap_addr.index, ifname);
		tf_err_set(err, "subnet %s overlaps %s/%d on %s", subnet_cidr,
		    a, scan.overlap_addr.prefixlen, ifname);
		goto out;
	}

	net_nl_batch_init(&b);
	for (int i = 0; i < scan.nstale; i++)
		net_nl_batch_addr_del(&nl, &b, link.index, scan.stale[i].addr,
		    scan.stale[i].prefixlen, "removing an old bridge address");
	net_nl_batch_addr_add(&nl, &b, link.index, scan.gateway, prefixlen,
	    "giving the bridge its address");
	net_nl_batch_link_up(&nl, &b, link.index, NULL,
	    "bringing the bridge up");
	if (net_nl_batch_send(&nl, &b, err) != 0)
		goto out;
	inet_ntop(AF_INET, &scan.gateway, gw, sizeof gw);
	tf_info("bridge %s %s with gateway %s/%d", bridge,
	    found == 1 ? "created" : "adopted", gw, prefixlen);
	rc = 0;
out:
	if (rc != 0 && found == 1) {
		/* We made it (or tried to), so we take it away again. */
		net_nl_batch_init(&b);
		net_nl_batch_link_del(&nl, &b, 0, bridge, "");
		net_nl_batch_send(&nl, &b, NULL);
	}
	net_nl_close(&nl);
	if (rc != 0 && err != NULL) {
		char msg[TF_ERR_LEN];

		snprintf(msg, sizeof msg, "%s", err->msg);
		tf_err_set(err, "bridge %s: %s", bridge, msg);
	}
	return rc;
}

int
net_node_teardown(const char *bridge, tf_err *err)
{
	struct net_nl_link link;
	struct net_nl_batch b;
	struct net_nl nl;
	int rc = -1, found;

	if (node_bridge_check(bridge, err) != 0)
		return -1;
	if (net_nl_open(&nl, err) != 0)
		return -1;
	found = net_nl_link_get(&nl, bridge, &link, err);
	if (found == 1)
		rc = 0;
	else if (found == 0 && strcmp(link.kind, "bridge") != 0)
		tf_err_set(err, "%s is not a bridge: left alone", bridge);
	else if (found == 0) {
		net_nl_batch_init(&b);
		net_nl_batch_link_del(&nl, &b, link.index, NULL,
		    "deleting the bridge");
		rc = net_nl_batch_send(&nl, &b, err);
		if (rc == 0)
			tf_info("bridge %s deleted", bridge);
	}
	net_nl_close(&nl);
	return rc;
}

struct node_stale {
	net_keep_fn keep;
	void *keep_arg;
	int master;
	int nveth;
	int veth[64];
	int nns;
	char *ns[256];
};

static void
node_stale_link_cb(const struct net_nl_link *link, void *arg)
{
	struct node_stale *st = arg;

	if (link->master == st->master && strcmp(link->kind, "veth") == 0 &&
	    st->nveth < (int)TF_ARRAY_LEN(st->veth) &&
	    (st->keep == NULL || !st->keep(link->name, st->keep_arg)))
		st->veth[st->nveth++] = link->index;
}

static void
node_stale_ns_cb(const char *name, void *arg)
{
	struct node_stale *st = arg;

	if (st->nns < (int)TF_ARRAY_LEN(st->ns) &&
	    (st->keep == NULL || !st->keep(name, st->keep_arg)))
		st->ns[st->nns++] = tf_strdup(name);
}

int
net_cleanup_stale(const char *bridge, net_keep_fn keep, void *keep_arg,
    tf_err *err)
{
	struct node_stale st = { .keep = keep, .keep_arg = keep_arg };
	struct net_nl_link link;
	struct net_nl_batch b;
	struct net_nl nl;
	char prefix[64];
	int rc = -1, removed = 0, before, more, found;

	if (node_bridge_check(bridge, err) != 0)
		return -1;
	if (net_nl_open(&nl, err) != 0)
		return -1;
	snprintf(prefix, sizeof prefix, NET_NS_PREFIX "%s-", bridge);
	/* Batches are bounded, so sweep until a pass finds nothing. */
	do {
		st.nveth = 0;
		st.nns = 0;
		before = removed;
		found = net_nl_link_get(&nl, bridge, &link, err);
		if (found < 0)
			goto out;
		st.master = found == 0 ? link.index : 0;
		if (st.master > 0 &&
		    net_nl_link_dump(&nl, node_stale_link_cb, &st, err) != 0)
			goto out;
		/* Deleting the host end deletes the peer at once; the
		 * namespace itself is freed by the kernel later. */
		for (int i = 0; i < st.nveth; i += NET_NL_BATCH_MAX) {
			int end = i + NET_NL_BATCH_MAX;

			net_nl_batch_init(&b);
			for (int j = i; j < st.nveth && j < end; j++)
				net_nl_batch_link_del(&nl, &b, st.veth[j], NULL,
				    "deleting a stale veth");
			if (net_nl_batch_send(&nl, &b, err) != 0 &&
			    errno != ENODEV)
				goto out;
		}
		if (net_ns_list(prefix, node_stale_ns_cb, &st, err) < 0)
			goto out;
		for (int i = 0; i < st.nns; i++) {
			tf_err e;

			if (net_ns_delete(st.ns[i], &e) == 0) {
				tf_info("removed stale network namespace %s",
				    st.ns[i]);
				removed++;
			} else
				tf_warn("%s", e.msg);
			free(st.ns[i]);
		}
		/* Another pass only if a list was full and this one got on. */
		more = (st.nveth == (int)TF_ARRAY_LEN(st.veth) ||
		    st.nns == (int)TF_ARRAY_LEN(st.ns)) &&
		    (removed > before || st.nveth > 0);
	} while (more);
	rc = removed;
out:
	for (int i = 0; rc < 0 && i < st.nns; i++)
		free(st.ns[i]);
	net_nl_close(&nl);
	return rc;
}
