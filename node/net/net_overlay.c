/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_overlay: the VXLAN device between nodes and its per-peer entries
 * (net_overlay.h), over net_nl's batches.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net_ipam.h"
#include "net_nl.h"
#include "net_overlay.h"
#include "tf_log.h"

void
net_overlay_dev_name(const char *bridge, char out[IFNAMSIZ])
{
	/* Bridges are "tfb<hash>" by default: the device is "tfx<hash>". */
	if (strncmp(bridge, "tfb", 3) == 0)
		bridge += 3;
	snprintf(out, IFNAMSIZ, "%s%.12s", NET_OVERLAY_PREFIX, bridge);
}

static void
overlay_mac(struct in_addr network, uint8_t mac[6])
{
	mac[0] = 0x0e;		/* locally administered, unicast */
	mac[1] = 0x74;
	memcpy(mac + 2, &network.s_addr, 4);
}

/* Per-device IPv4 forwarding, in the namespace the node runs in. */
static int
overlay_forwarding(const char *dev, tf_err *err)
{
	char path[128];
	int fd;

	snprintf(path, sizeof path, "/proc/sys/net/ipv4/conf/%s/forwarding",
	    dev);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return tf_err_errno(err, "%s", path);
	if (write(fd, "1\n", 2) != 2) {
		tf_err_errno(err, "writing %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

struct overlay_lower {
	struct in_addr local;
	int index;
};

static void
overlay_lower_cb(const struct net_nl_addr *a, void *arg)
{
	struct overlay_lower *l = arg;

	if (a->addr.s_addr == l->local.s_addr && l->index == 0)
		l->index = a->index;
}

int
net_overlay_setup(const char *dev, const char *bridge, const char *local,
    const char *subnet, const char *own, tf_err *err)
{
	struct overlay_lower lower = { 0 };
	struct in_addr own_ip = { 0 };
	struct net_nl_link link;
	struct net_nl_batch b;
	struct net_nl nl;
	struct in_addr net;
	uint8_t mac[6];
	int plen, rc = -1, got;

	if (net_ip_parse(local, &lower.local, err) != 0 ||
	    net_cidr_parse(subnet, &net, &plen, err) != 0 ||
	    (own != NULL && net_ip_parse(own, &own_ip, err) != 0))
		return -1;
	overlay_mac(net, mac);
	if (net_nl_open(&nl, err) != 0)
		return -1;
	if (net_nl_addr_dump(&nl, overlay_lower_cb, &lower, err) != 0)
		goto out;
	if (lower.index == 0) {
		tf_err_set(err, "the advertised address %s is not an address "
		    "of this host", local);
		goto out;
	}
	/* A device left by an earlier run holds peers that may be gone:
	 * start from none, the location sends the peers that are up. */
	got = net_nl_link_get(&nl, dev, &link, err);
	if (got < 0)
		goto out;
	net_nl_batch_init(&b);
	if (got == 0)
		net_nl_batch_link_del(&nl, &b, link.index, NULL,
		    "removing the old overlay device");
	net_nl_batch_vxlan_add(&nl, &b, dev, NET_OVERLAY_VNI, lower.local,
	    lower.index, NET_OVERLAY_PORT, mac, "creating the VXLAN device");
	net_nl_batch_link_no_ipv6ll(&nl, &b, 0, dev, "no IPv6 on it");
	net_nl_batch_link_up(&nl, &b, 0, dev, "bringing the VXLAN device up");
	if (net_nl_batch_send(&nl, &b, err) != 0)
		goto out;
	if (own != NULL) {
		got = net_nl_link_get(&nl, dev, &link, err);
		if (got != 0) {
			if (got == 1)
				tf_err_set(err, "no overlay device %s", dev);
			goto out;
		}
		net_nl_batch_init(&b);
		net_nl_batch_addr_add(&nl, &b, link.index, own_ip, 32,
		    "giving the VXLAN device its address");
		if (net_nl_batch_send(&nl, &b, err) != 0)
			goto out;
	}
	/* The location's host (no bridge) only ends connections. */
	if (bridge != NULL && (overlay_forwarding(dev, err) != 0 ||
	    overlay_forwarding(bridge, err) != 0))
		goto out;
	rc = 0;
out:
	net_nl_close(&nl);
	return rc;
}

int
net_overlay_teardown(const char *dev, tf_err *err)
{
	struct net_nl_link link;
	struct net_nl_batch b;
	struct net_nl nl;
	int got, rc;

	if (net_nl_open(&nl, err) != 0)
		return -1;
	got = net_nl_link_get(&nl, dev, &link, err);
	rc = got < 0 ? -1 : 0;
	if (got == 0) {
		net_nl_batch_init(&b);
		net_nl_batch_link_del(&nl, &b, link.index, NULL,
		    "removing the overlay device");
		rc = net_nl_batch_send(&nl, &b, err);
	}
	net_nl_close(&nl);
	return rc;
}

int
net_overlay_peer(const char *dev, const char *address, const char *subnet,
    bool add, tf_err *err)
{
	struct net_nl_link link;
	struct net_nl_batch b;
	struct net_nl nl;
	struct in_addr under, net;
	uint8_t mac[6];
	int plen, got, rc = -1;

	if (net_ip_parse(address, &under, err) != 0 ||
	    net_cidr_parse(subnet, &net, &plen, err) != 0)
		return -1;
	overlay_mac(net, mac);
	if (net_nl_open(&nl, err) != 0)
		return -1;
	got = net_nl_link_get(&nl, dev, &link, err);
	if (got != 0) {
		if (got == 1)
			tf_err_set(err, "no overlay device %s", dev);
		goto out;
	}
	net_nl_batch_init(&b);
	if (add) {
		net_nl_batch_fdb_add(&nl, &b, link.index, mac, under,
		    "adding the peer's FDB entry");
		net_nl_batch_neigh_add(&nl, &b, link.index, net, mac,
		    "adding the peer's neighbour entry");
		net_nl_batch_route_add(&nl, &b, link.index, net, plen, net,
		    "adding the route to the peer's subnet");
	} else {
		net_nl_batch_route_del(&nl, &b, link.index, net, plen,
		    "withdrawing the route to the peer's subnet");
		net_nl_batch_neigh_del(&nl, &b, link.index, net,
		    "withdrawing the peer's neighbour entry");
		net_nl_batch_fdb_del(&nl, &b, link.index, mac, under,
		    "withdrawing the peer's FDB entry");
	}
	rc = net_nl_batch_send(&nl, &b, err);
out:
	net_nl_close(&nl);
	return rc;
}
