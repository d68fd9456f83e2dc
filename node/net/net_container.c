/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_container: a container's network: its namespace, firewall, veth pair,
 * address and route; and the allow/disallow of other addresses.
 *
 * Creation order matters: the firewall is loaded while the namespace is
 * still empty, so there is no moment at which the container is reachable
 * without it.  The veth's peer is born inside the namespace as eth0, so it
 * is never visible on the host; eth0 comes up before its address, or the
 * kernel would add no subnet route and the gateway would be unreachable.
 * The whole thing is five rtnetlink round trips, one nft run (net_fw.c)
 * and a few syscalls.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"
#include "net_fw.h"
#include "net_ipam.h"
#include "net_nl.h"
#include "net.h"
#include "net_ns.h"

/* tfc-<bridge>-<id> */
#define CTR_NS_NAME_MAX (sizeof NET_NS_PREFIX + NET_BRIDGE_NAME_MAX + 1 + \
	NET_CTR_ID_MAX)

struct ctr_names {
	char ns[CTR_NS_NAME_MAX];
	char path[sizeof NET_NS_DIR + CTR_NS_NAME_MAX];
	char veth[IFNAMSIZ];
};

static int
ctr_names(const char *ctr_id, const char *bridge, struct ctr_names *n,
    tf_err *err)
{
	if (!net_ctr_id_valid(ctr_id))
		return tf_err_set(err, "bad container id \"%s\"",
		    ctr_id != NULL ? ctr_id : "");
	if (!net_bridge_name_valid(bridge))
		return tf_err_set(err, "bad bridge name \"%s\"",
		    bridge != NULL ? bridge : "");
	snprintf(n->ns, sizeof n->ns, NET_NS_PREFIX "%s-%s", bridge, ctr_id);
	snprintf(n->path, sizeof n->path, NET_NS_DIR "/%s", n->ns);
	/* Interface names have 15 characters; ids are random from the start,
	 * so their first 12 name the container well enough. */
	snprintf(n->veth, sizeof n->veth, NET_VETH_PREFIX "%.12s", ctr_id);
	return 0;
}

void
net_ctr_veth_name(const char *ctr_id, char *buf, size_t size)
{
	snprintf(buf, size, NET_VETH_PREFIX "%.12s", ctr_id);
}

int
net_ctr_ns_path(const char *ctr_id, const char *bridge, char *buf,
    size_t size, tf_err *err)
{
	struct ctr_names n;

	if (ctr_names(ctr_id, bridge, &n, err) != 0)
		return -1;
	if (!tf_snprintf(buf, size, "%s", n.path))
		return tf_err_set(err, "namespace path too long");
	return 0;
}

/* Writes a sysctl of the namespace the calling thread is in (/proc/sys/net
 * follows the thread's namespace, so the host's values are not touched). */
static void
ctr_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			tf_warn("container sysctl %s: %s", path,
			    strerror(errno));
		return;
	}
	if (write(fd, value, strlen(value)) < 0)
		tf_warn("container sysctl %s: %s", path, strerror(errno));
	close(fd);
}

/* Runs inside the new namespace: sysctls, firewall, and a netlink socket
 * that stays bound to the namespace for the address and route. */
static int
ctr_prepare_inside(struct in_addr gateway, struct net_nl *ns_nl, tf_err *err)
{
	/* IPv4 only: without IPv6 the input policy cannot be sidestepped by
	 * link-local traffic, and eth0 comes up without DAD or router
	 * solicitations. */
	ctr_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	ctr_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	/* Unprivileged ICMP sockets, so `ping` works for any container user
	 * (as Docker does). */
	ctr_sysctl("/proc/sys/net/ipv4/ping_group_range", "0 2147483647");
	if (net_fw_setup_here(gateway, err) != 0)
		return -1;
	return net_nl_open(ns_nl, err);
}

/*
 * The veth pair, host end enslaved to the bridge and up, eth0 inside.  The
 * create goes alone: were it batched with the steps after it and failed,
 * those steps would act on whatever link already has the name.
 *
 * A down veth of the same name on our bridge (or on none) is what a
 * destroyed incarnation of this container leaves while the kernel reaps its
 * namespace, or while a stray process still holds it: it is deleted and the
 * pair made again.  A live one (up) is never touched.
 */
static int
ctr_veth_add(struct net_nl *nl, const struct ctr_names *n,
    const struct net_nl_link *br, int ns_fd, struct in_addr addr,
    tf_err *err)
{
	struct net_nl_link old;
	struct net_nl_batch b;
	uint8_t mac[6] = { 0x02, 0x74 };	/* local, unicast; 't' */
	int rc;

	/* eth0's MAC follows from its address, as Docker's do: a container
	 * made again with the same address (a reboot) keeps its MAC, so the
	 * node's and other containers' ARP caches stay right. */
	memcpy(mac + 2, &addr.s_addr, 4);

	for (int attempt = 0; attempt < 2; attempt++) {
		net_nl_batch_init(&b);
		net_nl_batch_veth_add(nl, &b, n->veth, br->index, "eth0", ns_fd,
		    mac, "creating the veth pair");
		rc = net_nl_batch_send(nl, &b, err);
		if (rc == 0 || errno != EEXIST || attempt > 0)
			break;
		if (net_nl_link_get(nl, n->veth, &old, NULL) != 0 ||
		    strcmp(old.kind, "veth") != 0 || (old.flags & IFF_UP) ||
		    (old.master != 0 && old.master != br->index)) {
			errno = EEXIST;
			return -1;
		}
		tf_debug("%s: deleting the old %s first", n->ns, n->veth);
		net_nl_batch_init(&b);
		net_nl_batch_link_del(nl, &b, old.index, NULL,
		    "deleting an old veth of the same name");
		if (net_nl_batch_send(nl, &b, err) != 0 && errno != ENODEV)
			return -1;
	}
	if (rc != 0)
		return -1;
	net_nl_batch_init(&b);
	net_nl_batch_link_no_ipv6ll(nl, &b, 0, n->veth,
	    "turning off IPv6 link-local addresses");
	net_nl_batch_link_up(nl, &b, 0, n->veth, "bringing the veth up");
	if (net_nl_batch_send(nl, &b, err) != 0) {
		errno = EIO;	/* ours: the caller deletes it */
		return -1;
	}
	return 0;
}

int
net_ctr_create(const char *ctr_id, const char *bridge, const char *ip,
    int prefixlen, const char *gateway, char *netns_path_out, size_t size,
    tf_err *err)
{
	struct net_nl host_nl = { 0 }, ns_nl = { 0 };
	struct net_nl_link br, eth0;
	struct net_ns_saved saved;
	struct net_nl_batch b;
	struct ctr_names n;
	struct in_addr addr, gw;
	uint64_t start = tf_now_ms();
	int rc = -1, ns_fd = -1, made_ns = 0, made_veth = 0, found;

	if (ctr_names(ctr_id, bridge, &n, err) != 0 ||
	    net_ip_parse(ip, &addr, err) != 0 ||
	    net_ip_parse(gateway, &gw, err) != 0)
		return -1;
	if (prefixlen < 8 || prefixlen > 30)
		return tf_err_set(err, "bad prefix length %d", prefixlen);
	if (!tf_snprintf(netns_path_out, size, "%s", n.path))
		return tf_err_set(err, "namespace path too long");
	if (net_nl_open(&host_nl, err) != 0)
		return -1;
	found = net_nl_link_get(&host_nl, bridge, &br, err);
	if (found != 0) {
		if (found == 1)
			tf_err_set(err, "no bridge %s", bridge);
		goto out;
	}

	if (net_ns_create_enter(n.ns, &saved, err) != 0)
		goto out;
	made_ns = 1;
	rc = ctr_prepare_inside(gw, &ns_nl, err);
	net_ns_leave(&saved);
	if (rc != 0)
		goto out;
	rc = -1;

	ns_fd = open(n.path, O_RDONLY | O_CLOEXEC);
	if (ns_fd < 0) {
		tf_err_errno(err, "opening %s", n.path);
		goto out;
	}
	if (ctr_veth_add(&host_nl, &n, &br, ns_fd, addr, err) != 0) {
		/* Someone else's veth of that name is left alone. */
		made_veth = errno != EEXIST;
		goto out;
	}
	made_veth = 1;

	found = net_nl_link_get(&ns_nl, "eth0", &eth0, err);
	if (found != 0) {
		if (found == 1)
			tf_err_set(err, "eth0 did not appear in %s", n.ns);
		goto out;
	}
	net_nl_batch_init(&b);
	net_nl_batch_link_up(&ns_nl, &b, 0, "lo", "bringing lo up");
	net_nl_batch_link_up(&ns_nl, &b, eth0.index, NULL,
	    "bringing eth0 up");
	net_nl_batch_addr_add(&ns_nl, &b, eth0.index, addr, prefixlen,
	    "giving eth0 its address");
	net_nl_batch_route_default(&ns_nl, &b, eth0.index, gw,
	    "adding the default route");
	if (net_nl_batch_send(&ns_nl, &b, err) != 0)
		goto out;
	rc = 0;
	tf_debug("container %s: network %s/%d in %s ready in %llu ms",
	    ctr_id, ip, prefixlen, n.path,
	    (unsigned long long)(tf_now_ms() - start));
out:
	if (ns_fd >= 0)
		close(ns_fd);
	net_nl_close(&ns_nl);
	if (rc != 0 && made_veth) {
		net_nl_batch_init(&b);
		net_nl_batch_link_del(&host_nl, &b, 0, n.veth, "");
		net_nl_batch_send(&host_nl, &b, NULL);
	}
	net_nl_close(&host_nl);
	if (rc != 0 && made_ns)
		net_ns_delete(n.ns, NULL);
	if (rc != 0 && err != NULL) {
		char msg[TF_ERR_LEN];

		snprintf(msg, sizeof msg, "%s", err->msg);
		tf_err_set(err, "container %s network: %s", ctr_id, msg);
	}
	return rc;
}

int
net_ctr_destroy(const char *ctr_id, const char *bridge, tf_err *err)
{
	struct net_nl_batch b;
	struct net_nl nl;
	struct ctr_names n;

	if (ctr_names(ctr_id, bridge, &n, err) != 0)
		return -1;
	/*
	 * Deleting the veth would cost an RCU grace period (~25 ms) during
	 * which the daemon's loop stands still.  Instead its host end goes
	 * down, which cuts the container off the bridge at once (even if a
	 * stray process keeps the namespace), and the namespace is unnamed;
	 * the kernel then frees namespace, firewall and veth pair together,
	 * in the background, batched with others.
	 */
	if (net_nl_open(&nl, err) != 0)
		return -1;
	net_nl_batch_init(&b);
	net_nl_batch_link_down(&nl, &b, 0, n.veth, "disconnecting the veth");
	if (net_nl_batch_send(&nl, &b, err) != 0 && errno != ENODEV) {
		net_nl_close(&nl);
		return -1;
	}
	net_nl_close(&nl);
	tf_err_clear(err);
	return net_ns_delete(n.ns, err);
}

static int
ctr_allow(const char *ctr_id, const char *bridge, const char *ip, bool allow,
    tf_err *err)
{
	struct ctr_names n;
	struct in_addr addr;

	if (ctr_names(ctr_id, bridge, &n, err) != 0 ||
	    net_ip_parse(ip, &addr, err) != 0)
		return -1;
	if (net_fw_allow(n.path, addr, allow, err) != 0) {
		if (access(n.path, F_OK) != 0)
			return tf_err_set(err, "container %s has no network",
			    ctr_id);
		return -1;
	}
	tf_debug("container %s: %s %s", ctr_id, allow ? "allowed" :
	    "disallowed", ip);
	return 0;
}

int
net_ctr_allow(const char *ctr_id, const char *bridge, const char *ip,
    tf_err *err)
{
	return ctr_allow(ctr_id, bridge, ip, true, err);
}

int
net_ctr_disallow(const char *ctr_id, const char *bridge, const char *ip,
    tf_err *err)
{
	return ctr_allow(ctr_id, bridge, ip, false, err);
}
