/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_nl: rtnetlink requests (links, IPv4 addresses, default route) over
 * libmnl.  One netlink round trip replaces each fork of `ip`; a container's
 * whole interface setup is two datagrams.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <linux/veth.h>
#include <arpa/inet.h>

#include "tf_err.h"
#include "tf_util.h"
#include "net_nl.h"

/* Dumps of a few hundred links fit; a bigger answer arrives in more reads. */
#define NL_RECV_BYTES 32768
/* No kernel answer within this time means something is badly wrong. */
#define NL_RECV_TIMEOUT_S 5
/* Room a single request of ours may take (the largest is a veth: ~150). */
#define NL_MSG_ROOM 512

int
net_nl_open(struct net_nl *nl, tf_err *err)
{
	struct timeval tv = { .tv_sec = NL_RECV_TIMEOUT_S };
	int one = 1;

	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl->sock == NULL)
		return tf_err_errno(err, "opening an rtnetlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		tf_err_errno(err, "binding an rtnetlink socket");
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return -1;
	}
	/* Short acks with the kernel's own explanation of a failure.  Both
	 * are best effort: without them the errno alone is reported. */
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof one);
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof tv);
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void
net_nl_close(struct net_nl *nl)
{
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* The kernel's extended ack text, if the error message carries one. */
static const char *
nl_ext_ack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t offset = sizeof *e;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (mnl_nlmsg_get_payload_len(nlh) < offset)
		return NULL;
	mnl_attr_for_each(attr, nlh, offset) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

static int
nl_fail(tf_err *err, const char *what, int error, const char *ext)
{
	errno = error;
	if (ext != NULL && ext[0] != '\0')
		tf_err_set(err, "%s: %s (%s)", what, strerror(error), ext);
	else
		tf_err_set(err, "%s: %s", what, strerror(error));
	errno = error;
	return -1;
}

/* ---- links and addresses as the kernel describes them ---------------- */

static void
nl_parse_link(const struct nlmsghdr *nlh, struct net_nl_link *out)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr, *info;

	memset(out, 0, sizeof *out);
	out->index = ifm->ifi_index;
	out->flags = ifm->ifi_flags;
	mnl_attr_for_each(attr, nlh, sizeof *ifm) {
		switch (mnl_attr_get_type(attr)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				snprintf(out->name, sizeof out->name, "%s",
				    mnl_attr_get_str(attr));
			break;
		case IFLA_MASTER:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				out->master = (int)mnl_attr_get_u32(attr);
			break;
		case IFLA_LINKINFO:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) != 0)
				break;
			mnl_attr_for_each_nested(info, attr) {
				if (mnl_attr_get_type(info) == IFLA_INFO_KIND &&
				    mnl_attr_validate(info,
				    MNL_TYPE_NUL_STRING) == 0)
					snprintf(out->kind, sizeof out->kind,
					    "%s", mnl_attr_get_str(info));
			}
			break;
		}
	}
}

static void
nl_parse_addr(const struct nlmsghdr *nlh, struct net_nl_addr *out)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	bool have_local = false;

	memset(out, 0, sizeof *out);
	out->index = (int)ifa->ifa_index;
	out->prefixlen = ifa->ifa_prefixlen;
	mnl_attr_for_each(attr, nlh, sizeof *ifa) {
		int type = mnl_attr_get_type(attr);

		if ((type != IFA_LOCAL && type != IFA_ADDRESS) ||
		    mnl_attr_validate(attr, MNL_TYPE_U32) != 0)
			continue;
		/* IFA_LOCAL is our end; IFA_ADDRESS only differs from it on
		 * point-to-point links, where it is the peer. */
		if (type == IFA_LOCAL || !have_local)
			out->addr.s_addr = mnl_attr_get_u32(attr);
		if (type == IFA_LOCAL)
			have_local = true;
	}
}

int
net_nl_link_get(struct net_nl *nl, const char *name, struct net_nl_link *out,
    tf_err *err)
{
	char buf[NL_RECV_BYTES];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	uint32_t seq = ++nl->seq;
	ssize_t n;
	int len;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return tf_err_errno(err, "asking the kernel for link %s", name);
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof buf);
		if (n < 0)
			return tf_err_errno(err, "reading link %s", name);
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;	/* late answer to an old ask */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
				    mnl_nlmsg_get_payload(nlh);

				if (e->error == -ENODEV)
					return 1;
				return nl_fail(err, "looking up a link",
				    e->error != 0 ? -e->error : EPROTO,
				    nl_ext_ack_msg(nlh));
			}
			if (nlh->nlmsg_type == RTM_NEWLINK) {
				nl_parse_link(nlh, out);
				return 0;
			}
		}
	}
}

struct nl_dump_ctx {
	int type;
	net_nl_link_fn link_fn;
	net_nl_addr_fn addr_fn;
	void *arg;
};

static int
nl_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_dump_ctx *ctx = data;

	if (nlh->nlmsg_type == RTM_NEWLINK && ctx->link_fn != NULL) {
		struct net_nl_link link;

		nl_parse_link(nlh, &link);
		ctx->link_fn(&link, ctx->arg);
	} else if (nlh->nlmsg_type == RTM_NEWADDR && ctx->addr_fn != NULL) {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
		struct net_nl_addr addr;

		if (ifa->ifa_family != AF_INET)
			return MNL_CB_OK;
		nl_parse_addr(nlh, &addr);
		ctx->addr_fn(&addr, ctx->arg);
	}
	return MNL_CB_OK;
}

/* Sends the dump request and receives the whole answer, up to
 * NLMSG_DONE, into *out (one recv after another, each kept whole).
 * Returns 0, 1 when the kernel flagged the dump as interrupted (links or
 * addresses changed while it ran: NLM_F_DUMP_INTR), or -1. */
static int
nl_dump_recv(struct net_nl *nl, struct nl_dump_ctx *ctx, uint32_t seq,
    char **out, size_t *out_len)
{
	char buf[NL_RECV_BYTES];
	struct nlmsghdr *nlh;
	bool done = false;
	int intr = 0;
	ssize_t n;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)ctx->type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (ctx->type == RTM_GETLINK) {
		struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh,
		    sizeof *ifm);

		ifm->ifi_family = AF_UNSPEC;
	} else {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh,
		    sizeof *ifa);

		ifa->ifa_family = AF_INET;
	}
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	*out = NULL;
	*out_len = 0;
	while (!done) {
		int rest;

		n = mnl_socket_recvfrom(nl->sock, buf, sizeof buf);
		if (n < 0) {
			free(*out);
			*out = NULL;
			return -1;
		}
		rest = (int)n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, rest);
		    nlh = mnl_nlmsg_next(nlh, &rest)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (nlh->nlmsg_type == NLMSG_DONE ||
			    nlh->nlmsg_type == NLMSG_ERROR)
				done = true;
		}
		*out = tf_realloc(*out, *out_len + sizeof n + (size_t)n);
		memcpy(*out + *out_len, &n, sizeof n);
		memcpy(*out + *out_len + sizeof n, buf, (size_t)n);
		*out_len += sizeof n + (size_t)n;
	}
	return intr;
}

/* Clears the interrupted mark on every message of a dump, so that libmnl
 * hands them to the callback (it fails at a marked one). */
static void
nl_dump_unmark(char *chunks, size_t len)
{
	for (size_t off = 0; off < len;) {
		struct nlmsghdr *nlh;
		ssize_t n;
		int rest;

		memcpy(&n, chunks + off, sizeof n);
		rest = (int)n;
		for (nlh = (struct nlmsghdr *)(chunks + off + sizeof n);
		    mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest))
			nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
		off += sizeof n + (size_t)n;
	}
}

/* A dump that ran while links or addresses changed (other nodes and
 * containers on this host) is marked by the kernel and may have missed or
 * doubled entries.  It is read to its end (libmnl alone would stop at the
 * mark and leave the rest on the socket) and asked for again; on a host
 * whose links never rest, the last one is used as it is: every caller is
 * a sweep that runs again until it finds nothing, and takes an entry seen
 * twice or gone meanwhile. */
static int
nl_dump(struct net_nl *nl, struct nl_dump_ctx *ctx, const char *what,
    tf_err *err)
{
	char *chunks = NULL;
	size_t len = 0, off;
	uint32_t seq = 0;
	int rc = 1;

	for (int tries = 0; rc == 1 && tries < 5; tries++) {
		free(chunks);
		chunks = NULL;
		seq = ++nl->seq;
		rc = nl_dump_recv(nl, ctx, seq, &chunks, &len);
	}
	if (rc < 0) {
		free(chunks);
		return tf_err_errno(err, "%s", what);
	}
	if (rc == 1)
		nl_dump_unmark(chunks, len);
	rc = MNL_CB_OK;
	for (off = 0; off < len && rc > MNL_CB_STOP;) {
		ssize_t n;

		memcpy(&n, chunks + off, sizeof n);
		rc = mnl_cb_run(chunks + off + sizeof n, (size_t)n, seq,
		    nl->portid, nl_dump_cb, ctx);
		off += sizeof n + (size_t)n;
	}
	free(chunks);
	if (rc < 0)
		return tf_err_errno(err, "%s", what);
	return 0;
}

int
net_nl_link_dump(struct net_nl *nl, net_nl_link_fn fn, void *arg,
    tf_err *err)
{
	struct nl_dump_ctx ctx = { .type = RTM_GETLINK, .link_fn = fn,
	    .arg = arg };

	return nl_dump(nl, &ctx, "listing network links", err);
}

int
net_nl_addr_dump(struct net_nl *nl, net_nl_addr_fn fn, void *arg,
    tf_err *err)
{
	struct nl_dump_ctx ctx = { .type = RTM_GETADDR, .addr_fn = fn,
	    .arg = arg };

	return nl_dump(nl, &ctx, "listing IPv4 addresses", err);
}

/* ---- batches ---------------------------------------------------------- */

void
net_nl_batch_init(struct net_nl_batch *b)
{
	memset(b, 0, sizeof *b);
}

/* Starts the next request of the batch, or returns NULL (and marks the
 * batch as overflowed, which batch_send reports) when it is full. */
static struct nlmsghdr *
nl_batch_put(struct net_nl *nl, struct net_nl_batch *b, uint16_t type,
    uint16_t flags, const char *what)
{
	struct nlmsghdr *nlh;

	if (b->count >= NET_NL_BATCH_MAX ||
	    b->len + NL_MSG_ROOM > sizeof b->buf) {
		b->overflow = true;
		return NULL;
	}
	nlh = mnl_nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	if (b->count == 0)
		b->first_seq = nlh->nlmsg_seq;
	b->what[b->count] = what;
	b->optional[b->count] = false;
	return nlh;
}

static void
nl_batch_done(struct net_nl_batch *b, struct nlmsghdr *nlh)
{
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	b->count++;
}

/* An RTM_NEWLINK/DELLINK for an existing link named by index or name. */
static struct nlmsghdr *
nl_batch_link(struct net_nl *nl, struct net_nl_batch *b, uint16_t type,
    int index, const char *name, const char *what, struct ifinfomsg **ifm)
{
	struct nlmsghdr *nlh = nl_batch_put(nl, b, type, 0, what);

	if (nlh == NULL)
		return NULL;
	*ifm = mnl_nlmsg_put_extra_header(nlh, sizeof **ifm);
	(*ifm)->ifi_family = AF_UNSPEC;
	(*ifm)->ifi_index = index;
	if (index == 0)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

void
net_nl_batch_link_add(struct net_nl *nl, struct net_nl_batch *b,
    const char *name, const char *kind, const uint8_t *mac, const char *what)
{
	struct nlmsghdr *nlh = nl_batch_put(nl, b, RTM_NEWLINK,
	    NLM_F_CREATE | NLM_F_EXCL, what);
	struct ifinfomsg *ifm;
	struct nlattr *linkinfo;

	if (nlh == NULL)
		return;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mac != NULL)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, linkinfo);
	nl_batch_done(b, nlh);
}

void
net_nl_batch_veth_add(struct net_nl *nl, struct net_nl_batch *b,
    const char *name, int master, const char *peer_name, int peer_ns_fd,
    const uint8_t *peer_mac, const char *what)
{
	struct nlmsghdr *nlh = nl_batch_put(nl, b, RTM_NEWLINK,
	    NLM_F_CREATE | NLM_F_EXCL, what);
	struct ifinfomsg *ifm, *peer_ifm;
	struct nlattr *linkinfo, *data, *peer;

	if (nlh == NULL)
		return;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (master > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* The peer's attributes follow an ifinfomsg of its own.  Its flags
	 * stay 0: the kernel would try to open the peer before the pair is
	 * linked, and veth_open() fails that with ENOTCONN. */
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer_ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *peer_ifm);
	peer_ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	if (peer_mac != NULL)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, peer_mac);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	nl_batch_done(b, nlh);
}

void
net_nl_batch_link_up(struct net_nl *nl, struct net_nl_batch *b, int index,
    const char *name, const char *what)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_batch_link(nl, b, RTM_NEWLINK, index, name,
	    what, &ifm);

	if (nlh == NULL)
		return;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	nl_batch_done(b, nlh);
}

void
net_nl_batch_link_down(struct net_nl *nl, struct net_nl_batch *b, int index,
    const char *name, const char *what)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_batch_link(nl, b, RTM_NEWLINK, index, name,
	    what, &ifm);

	if (nlh == NULL)
		return;
	ifm->ifi_flags = 0;
	ifm->ifi_change = IFF_UP;
	nl_batch_done(b, nlh);
}

void
net_nl_batch_link_no_ipv6ll(struct net_nl *nl, struct net_nl_batch *b,
    int index, const char *name, const char *what)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_batch_link(nl, b, RTM_NEWLINK, index, name,
	    what, &ifm);
	struct nlattr *spec, *inet6;

	if (nlh == NULL)
		return;
	spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	inet6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, spec);
	b->optional[b->count] = true;
	nl_batch_done(b, nlh);
}

void
net_nl_batch_link_del(struct net_nl *nl, struct net_nl_batch *b, int index,
    const char *name, const char *what)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_batch_link(nl, b, RTM_DELLINK, index, name,
	    what, &ifm);

	if (nlh != NULL)
		nl_batch_done(b, nlh);
}

static void
nl_batch_addr(struct net_nl *nl, struct net_nl_batch *b, uint16_t type,
    uint16_t flags, int index, struct in_addr addr, int prefixlen,
    const char *what)
{
	struct nlmsghdr *nlh = nl_batch_put(nl, b, type, flags, what);
	struct ifaddrmsg *ifa;

	if (nlh == NULL)
		return;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)index;
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr.s_addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr.s_addr);
	if (type == RTM_NEWADDR && prefixlen < 31) {
		uint32_t host = prefixlen == 0 ? 0xffffffffu :
		    (1u << (32 - prefixlen)) - 1;

		mnl_attr_put_u32(nlh, IFA_BROADCAST,
		    addr.s_addr | htonl(host));
	}
	nl_batch_done(b, nlh);
}

void
net_nl_batch_addr_add(struct net_nl *nl, struct net_nl_batch *b, int index,
    struct in_addr addr, int prefixlen, const char *what)
{
	nl_batch_addr(nl, b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, index,
	    addr, prefixlen, what);
}

void
net_nl_batch_addr_del(struct net_nl *nl, struct net_nl_batch *b, int index,
    struct in_addr addr, int prefixlen, const char *what)
{
	nl_batch_addr(nl, b, RTM_DELADDR, 0, index, addr, prefixlen, what);
}

void
net_nl_batch_route_default(struct net_nl *nl, struct net_nl_batch *b,
    int index, struct in_addr gateway, const char *what)
{
	struct nlmsghdr *nlh = nl_batch_put(nl, b, RTM_NEWROUTE,
	    NLM_F_CREATE | NLM_F_REPLACE, what);
	struct rtmsg *rtm;

	if (nlh == NULL)
		return;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_GATEWAY, gateway.s_addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	nl_batch_done(b, nlh);
}

/* ---- the overlay: a VXLAN device, routes, neighbours, FDB --------------- */

void
net_nl_batch_vxlan_add(struct net_nl *nl, struct net_nl_batch *b,
    const char *name, uint32_t vni, struct in_addr local, int lower,
    uint16_t port, const uint8_t *mac, const char *what)
{
	struct nlmsghdr *nlh = nl_batch_put(nl, b, RTM_NEWLINK,
	    NLM_F_CREATE | NLM_F_EXCL, what);
	struct ifinfomsg *ifm;
	struct nlattr *linkinfo, *data;

	if (nlh == NULL)
		return;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mac != NULL)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, vni);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_LOCAL, local.s_addr);
	/* With the lower link given, the kernel sizes the MTU to it (minus
	 * the 50 bytes of encapsulation) and sends from it. */
	if (lower > 0)
		mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, (uint32_t)lower);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(port));
	/* Peers are told by the location, never learnt from traffic. */
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	nl_batch_done(b, nlh);
}

static void
nl_batch_route(struct net_nl *nl, struct net_nl_batch *b, uint16_t type,
    int index, struct in_addr dst, int prefixlen, struct in_addr gateway,
    const char *what)
{
	struct nlmsghdr *nlh = nl_batch_put(nl, b, type,
	    type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_REPLACE : 0, what);
	struct rtmsg *rtm;

	if (nlh == NULL)
		return;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (unsigned char)prefixlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	/* The gateway is the peer's VXLAN end, reachable on the device
	 * itself although no subnet of the device holds it. */
	rtm->rtm_flags = RTNH_F_ONLINK;
	mnl_attr_put_u32(nlh, RTA_DST, dst.s_addr);
	if (type == RTM_NEWROUTE)
		mnl_attr_put_u32(nlh, RTA_GATEWAY, gateway.s_addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	if (type == RTM_DELROUTE)
		b->optional[b->count] = true;
	nl_batch_done(b, nlh);
}

void
net_nl_batch_route_add(struct net_nl *nl, struct net_nl_batch *b, int index,
    struct in_addr dst, int prefixlen, struct in_addr gateway,
    const char *what)
{
	nl_batch_route(nl, b, RTM_NEWROUTE, index, dst, prefixlen, gateway,
	    what);
}

void
net_nl_batch_route_del(struct net_nl *nl, struct net_nl_batch *b, int index,
    struct in_addr dst, int prefixlen, const char *what)
{
	struct in_addr none = { 0 };

	nl_batch_route(nl, b, RTM_DELROUTE, index, dst, prefixlen, none, what);
}

/* A permanent neighbour entry: family AF_INET maps an IPv4 address to a
 * MAC (ARP), AF_BRIDGE with NTF_SELF maps a MAC to the VXLAN endpoint
 * that has it (the device's FDB). */
static void
nl_batch_neigh(struct net_nl *nl, struct net_nl_batch *b, uint16_t type,
    uint8_t family, int index, const uint8_t *mac, struct in_addr ip,
    const char *what)
{
	struct nlmsghdr *nlh = nl_batch_put(nl, b, type,
	    type == RTM_NEWNEIGH ? NLM_F_CREATE | NLM_F_REPLACE : 0, what);
	struct ndmsg *ndm;

	if (nlh == NULL)
		return;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof *ndm);
	ndm->ndm_family = family;
	ndm->ndm_ifindex = index;
	ndm->ndm_state = NUD_PERMANENT;
	ndm->ndm_flags = family == AF_BRIDGE ? NTF_SELF : 0;
	if (family == AF_BRIDGE || type == RTM_NEWNEIGH)
		mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	mnl_attr_put_u32(nlh, NDA_DST, ip.s_addr);
	if (type == RTM_DELNEIGH)
		b->optional[b->count] = true;
	nl_batch_done(b, nlh);
}

void
net_nl_batch_neigh_add(struct net_nl *nl, struct net_nl_batch *b, int index,
    struct in_addr ip, const uint8_t *mac, const char *what)
{
	nl_batch_neigh(nl, b, RTM_NEWNEIGH, AF_INET, index, mac, ip, what);
}

void
net_nl_batch_neigh_del(struct net_nl *nl, struct net_nl_batch *b, int index,
    struct in_addr ip, const char *what)
{
	nl_batch_neigh(nl, b, RTM_DELNEIGH, AF_INET, index, NULL, ip, what);
}

void
net_nl_batch_fdb_add(struct net_nl *nl, struct net_nl_batch *b, int index,
    const uint8_t *mac, struct in_addr dst, const char *what)
{
	nl_batch_neigh(nl, b, RTM_NEWNEIGH, AF_BRIDGE, index, mac, dst, what);
}

void
net_nl_batch_fdb_del(struct net_nl *nl, struct net_nl_batch *b, int index,
    const uint8_t *mac, struct in_addr dst, const char *what)
{
	nl_batch_neigh(nl, b, RTM_DELNEIGH, AF_BRIDGE, index, mac, dst, what);
}

int
net_nl_batch_send(struct net_nl *nl, struct net_nl_batch *b, tf_err *err)
{
	char buf[NL_RECV_BYTES];
	int acked = 0, failed_error = 0;
	const char *failed_what = NULL;
	char failed_ext[256] = "";

	if (b->overflow)
		return nl_fail(err, "building a netlink request", E2BIG, NULL);
	if (b->count == 0)
		return 0;
	if (mnl_socket_sendto(nl->sock, b->buf, b->len) < 0)
		return tf_err_errno(err, "%s: sending to rtnetlink",
		    b->what[0]);
	/* Every request carries NLM_F_ACK, so each gets exactly one answer,
	 * in order; anything else on the socket is not ours. */
	while (acked < b->count) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof buf);
		int len;
		struct nlmsghdr *nlh;

		if (n < 0)
			return tf_err_errno(err, "%s: reading rtnetlink acks",
			    b->what[acked]);
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;
			uint32_t i = nlh->nlmsg_seq - b->first_seq;

			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_pid != nl->portid ||
			    i >= (uint32_t)b->count)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			acked++;
			if (e->error == 0 || b->optional[i] ||
			    failed_what != NULL)
				continue;
			failed_what = b->what[i];
			failed_error = -e->error;
			if (nl_ext_ack_msg(nlh) != NULL)
				snprintf(failed_ext, sizeof failed_ext, "%s",
				    nl_ext_ack_msg(nlh));
		}
	}
	if (failed_what != NULL)
		return nl_fail(err, failed_what, failed_error, failed_ext);
	return 0;
}
