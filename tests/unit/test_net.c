/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_net: node networking for real.  A bridge, bare network namespaces
 * as containers (no runc), TCP listeners and ICMP sockets made inside them,
 * and the firewall checked from both sides: default deny, allow, disallow,
 * node -> container.  Also the address allocator, input checking, stale
 * clean-up and the time each container network takes.
 *
 * Needs root (exit 77 otherwise).  The checks run in a child process; the
 * parent, whatever becomes of the child (failure, crash, timeout, ^C),
 * removes every namespace, veth and bridge this run made and verifies that
 * nothing is left and that the host's nftables tables are as they were.
 * Traffic goes only between the host's bridge and namespaces made here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"
#include "net_fw.h"
#include "net_ipam.h"
#include "net_nl.h"
#include "net.h"
#include "net_ns.h"

#define TEST_TIMEOUT_S 120
#define BLOCKED_WAIT_MS 400	/* a dropped SYN: no answer in this time */
#define OPEN_WAIT_MS 2000	/* an accepted one answers well before */
#define PORT 7001
#define TIMING_ROUNDS 20

struct test {
	int passed, failed;
	char bridge[16];
	char subnet[32];
	char gateway[NET_IP_LEN];
	int prefixlen;
	char id_a[32], id_b[32];
	char ip_a[NET_IP_LEN], ip_b[NET_IP_LEN];
	char ns_a[256], ns_b[256];
	bool up;			/* the bridge is set up */
};

static void
check(struct test *t, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
check(struct test *t, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", t->passed + t->failed + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		t->passed++;
	else
		t->failed++;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A shell command, for checking our work with iproute2/nft themselves. */
static int
run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- sockets made inside a namespace --------------------------------- */

static int
ns_socket(const char *ns_path, int type, int proto)
{
	struct net_ns_saved saved;
	tf_err err;
	int fd;

	if (ns_path == NULL)
		return socket(AF_INET, type | SOCK_CLOEXEC, proto);
	if (net_ns_enter(ns_path, &saved, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	fd = socket(AF_INET, type | SOCK_CLOEXEC, proto);
	net_ns_leave(&saved);
	return fd;
}

static int
ns_listen(const char *ns_path, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd = ns_socket(ns_path, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(fd, 16) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Waits for a started connection: 1 connected, 0 no answer in time,
 * -1 refused or failed. */
static int
wait_connect(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int n = poll(&pfd, 1, timeout_ms);

	if (n == 0)
		return 0;
	if (n < 0)
		return -1;
	return net_tcp_connect_finish(fd, NULL) == 0 ? 1 : -1;
}

/* Connects from a namespace (or with from NULL, from the host through the
 * bridge) to ip:port.  Returns as wait_connect; *fd_out keeps an open one. */
static int
try_connect(struct test *t, const char *from, const char *ip, int port,
    int timeout_ms, int *fd_out)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd, rc;

	if (from == NULL) {
		fd = net_tcp_connect_nb(t->bridge, ip, port, NULL);
	} else {
		fd = ns_socket(from, SOCK_STREAM | SOCK_NONBLOCK, 0);
		inet_pton(AF_INET, ip, &sin.sin_addr);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sin,
		    sizeof sin) != 0 && errno != EINPROGRESS) {
			close(fd);
			return -1;
		}
	}
	if (fd < 0)
		return -1;
	rc = wait_connect(fd, timeout_ms);
	if (rc == 1 && fd_out != NULL)
		*fd_out = fd;
	else
		close(fd);
	return rc;
}

/* Accepts whatever is pending on a listener; returns the last fd or -1. */
static int
drain_accept(int lfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int fd, last = -1;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return -1;
	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (last >= 0)
			close(last);
		last = fd;
	}
	return last;
}

/* ICMP echo from a namespace; 1 if answered within timeout_ms.  Uses an
 * unprivileged ICMP socket, which needs the ping_group_range the container
 * namespace is given. */
static int
try_ping(const char *from, const char *ip, int timeout_ms)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct icmphdr req = { .type = ICMP_ECHO };
	struct pollfd pfd;
	char buf[256];
	int fd, rc = 0;
	double end = now_ms() + timeout_ms;

	fd = ns_socket(from, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMP);
	if (fd < 0)
		return -1;
	inet_pton(AF_INET, ip, &sin.sin_addr);
	req.un.echo.sequence = htons(1);
	if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&sin,
	    sizeof sin) < 0) {
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (rc == 0 && now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - now_ms()) + 1) <= 0)
			break;
		if (recv(fd, buf, sizeof buf, 0) >= (ssize_t)sizeof req &&
		    ((struct icmphdr *)buf)->type == ICMP_ECHOREPLY)
			rc = 1;
	}
	close(fd);
	return rc;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The kernel frees a destroyed container's veth in the background. */
static int
wait_link_gone(const char *name, int timeout_ms)
{
	double end = now_ms() + timeout_ms;

	while (if_nametoindex(name) != 0) {
		if (now_ms() > end)
			return 0;
		usleep(2000);
	}
	return 1;
}

/* ---- the checks -------------------------------------------------------- */

static void
test_ipam(struct test *t)
{
	struct net_ipam *ipam, *copy;
	char ip[NET_IP_LEN], gw[NET_IP_LEN], path[512];
	struct in_addr a;
	tf_err err;
	int len, fd;

	snprintf(path, sizeof path, "%s/test_net_XXXXXX",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ipam = net_ipam_new("10.253.7.0/24", &err);
	check(t, ipam != NULL, "ipam: new /24");
	if (ipam == NULL)
		return;
	net_ipam_gateway(ipam, gw);
	check(t, strcmp(gw, "10.253.7.1") == 0 &&
	    net_ipam_capacity(ipam) == 253 && net_ipam_prefixlen(ipam) == 24,
	    "ipam: gateway .1, 253 container addresses");
	net_ipam_alloc(ipam, ip, &err);
	check(t, strcmp(ip, "10.253.7.2") == 0, "ipam: first is .2 (%s)", ip);
	net_ipam_alloc(ipam, ip, &err);
	check(t, strcmp(ip, "10.253.7.3") == 0, "ipam: then .3 (%s)", ip);
	check(t, net_ipam_release(ipam, "10.253.7.2") == 0 &&
	    net_ipam_release(ipam, "10.253.7.2") == -1,
	    "ipam: release once, not twice");
	net_ipam_alloc(ipam, ip, &err);
	check(t, strcmp(ip, "10.253.7.4") == 0,
	    "ipam: next-fit skips the just released .2 (%s)", ip);
	check(t, net_ipam_reserve(ipam, "10.253.7.2", &err) == 0 &&
	    net_ipam_in_use(ipam, "10.253.7.2"), "ipam: reserve .2");
	check(t, net_ipam_reserve(ipam, "10.253.7.2", &err) == -1 &&
	    strstr(err.msg, "in use") != NULL, "ipam: reserve twice: %s",
	    err.msg);
	check(t, net_ipam_reserve(ipam, "10.253.7.1", &err) == -1 &&
	    net_ipam_reserve(ipam, "10.253.7.255", NULL) == -1 &&
	    net_ipam_reserve(ipam, "10.253.7.0", NULL) == -1,
	    "ipam: gateway, broadcast, network refused: %s", err.msg);
	check(t, net_ipam_reserve(ipam, "10.253.8.9", &err) == -1,
	    "ipam: other subnet refused: %s", err.msg);
	check(t, net_ipam_count(ipam) == 3, "ipam: 3 in use");

	fd = mkstemp(path);
	close(fd);
	check(t, net_ipam_save(ipam, path, &err) == 0, "ipam: save");
	copy = net_ipam_new("10.253.7.0/24", &err);
	check(t, net_ipam_load(copy, path, &err) == 0 &&
	    net_ipam_count(copy) == 3 && net_ipam_in_use(copy, "10.253.7.4"),
	    "ipam: load gives the same set");
	net_ipam_alloc(copy, ip, &err);
	check(t, strcmp(ip, "10.253.7.5") == 0,
	    "ipam: load keeps the next-fit cursor (%s)", ip);
	net_ipam_destroy(&copy);
	copy = net_ipam_new("10.253.9.0/24", &err);
	check(t, net_ipam_load(copy, path, &err) == 0 &&
	    net_ipam_count(copy) == 0,
	    "ipam: a file of another subnet loads nothing");
	net_ipam_destroy(&copy);
	unlink(path);
	check(t, net_ipam_load(ipam, path, &err) == 0,
	    "ipam: a missing file is no error");
	net_ipam_destroy(&ipam);
	check(t, ipam == NULL, "ipam: destroy clears the pointer");

	ipam = net_ipam_new("10.253.7.4/30", &err);
	check(t, ipam != NULL && net_ipam_capacity(ipam) == 1 &&
	    net_ipam_alloc(ipam, ip, &err) == 0 &&
	    strcmp(ip, "10.253.7.6") == 0 &&
	    net_ipam_alloc(ipam, ip, &err) == -1,
	    "ipam: /30 has one address, then full: %s", err.msg);
	net_ipam_destroy(&ipam);
	check(t, net_ipam_new("10.0.0.0/8", &err) == NULL,
	    "ipam: /8 refused: %s", err.msg);
	check(t, net_cidr_parse("10.1.2.3/24", &a, &len, &err) == -1,
	    "cidr: host bits refused: %s", err.msg);
	check(t, net_cidr_parse("10.1.2.0", &a, &len, NULL) == -1 &&
	    net_cidr_parse("10.1.2.0/33", &a, &len, NULL) == -1 &&
	    net_cidr_parse("10.1.2.0/", &a, &len, NULL) == -1 &&
	    net_cidr_parse("x/8", &a, &len, NULL) == -1 &&
	    net_ip_parse("10.1", &a, NULL) == -1 &&
	    net_ip_parse("010.1.2.3", &a, NULL) == -1,
	    "cidr/ip: malformed input refused");
}

static void
test_validation(struct test *t)
{
	char path[256];
	tf_err err;

	check(t, !net_bridge_name_valid("tf-br") &&
	    !net_bridge_name_valid("") &&
	    !net_bridge_name_valid("abcdefghijklmnop") &&
	    net_bridge_name_valid("tfbr3"), "bridge names checked");
	check(t, !net_ctr_id_valid("a/b") && !net_ctr_id_valid("a b") &&
	    !net_ctr_id_valid("") && net_ctr_id_valid("5hTqXb.-_9"),
	    "container ids checked");
	check(t, net_ctr_create("../x", t->bridge, "10.253.7.2", 24,
	    "10.253.7.1", path, sizeof path, &err) == -1,
	    "create refuses a bad id: %s", err.msg);
	check(t, net_ctr_create("x", t->bridge, "10.253.7", 24,
	    "10.253.7.1", path, sizeof path, &err) == -1,
	    "create refuses a bad address: %s", err.msg);
	check(t, net_ctr_create("x", "tfnosuchbr", "10.253.7.2", 24,
	    "10.253.7.1", path, sizeof path, &err) == -1 &&
	    !exists(NET_NS_DIR "/tfc-tfnosuchbr-x"),
	    "create without a bridge fails and leaves nothing: %s", err.msg);
	check(t, net_cleanup_stale("tfnosuchbr", NULL, NULL, &err) == 0 &&
	    net_node_teardown("tfnosuchbr", &err) == 0,
	    "cleanup and teardown of a bridge that is not there are fine");
	check(t, net_node_setup("tf-x", "10.253.7.0/24", &err) == -1,
	    "setup refuses a bad bridge name: %s", err.msg);
	check(t, net_tcp_connect_nb(NULL, "10.253.7.2", 0, &err) == -1 &&
	    net_tcp_connect_nb(NULL, "nohost", 80, NULL) == -1,
	    "connect refuses bad port and address: %s", err.msg);
}

static void
test_bridge(struct test *t)
{
	char other[48];
	tf_err err;

	check(t, run("ip -4 -o addr show dev %s | grep -q ' %s/%d '",
	    t->bridge, t->gateway, t->prefixlen) == 0,
	    "bridge %s has %s/%d", t->bridge, t->gateway, t->prefixlen);
	check(t, run("ip -o link show dev %s | grep -q 'state UP\\|,UP'",
	    t->bridge) == 0, "bridge is up");
	check(t, run("ip -6 -o addr show dev %s | grep -q .", t->bridge) != 0,
	    "bridge has no IPv6 address");
	check(t, net_node_setup(t->bridge, t->subnet, &err) == 0,
	    "setup again adopts the bridge");
	snprintf(other, sizeof other, "%sx", t->bridge);
	check(t, net_node_setup(other, t->subnet, &err) == -1 &&
	    strstr(err.msg, "overlaps") != NULL &&
	    if_nametoindex(other) == 0,
	    "a second bridge on the same subnet is refused and removed: %s",
	    err.msg);
	check(t, net_node_setup("lo", "10.253.250.0/24", &err) == -1,
	    "a non-bridge is not adopted: %s", err.msg);
}

static void
test_containers(struct test *t)
{
	int la = -1, lb = -1, fd = -1, est = -1, acc = -1, held = -1, rc;
	char buf[16], veth[IFNAMSIZ], path[256];
	double t0;
	tf_err err;

	t0 = now_ms();
	rc = net_ctr_create(t->id_a, t->bridge, t->ip_a, t->prefixlen,
	    t->gateway, t->ns_a, sizeof t->ns_a, &err);
	check(t, rc == 0, "create A %s in %.1f ms%s%s", t->ip_a,
	    now_ms() - t0, rc ? ": " : "", rc ? err.msg : "");
	rc |= net_ctr_create(t->id_b, t->bridge, t->ip_b, t->prefixlen,
	    t->gateway, t->ns_b, sizeof t->ns_b, &err);
	check(t, rc == 0, "create B %s%s%s", t->ip_b, rc ? ": " : "",
	    rc ? err.msg : "");
	if (rc != 0)
		return;
	check(t, exists(t->ns_a) && exists(t->ns_b), "namespaces %s and %s",
	    t->ns_a, t->ns_b);
	check(t, net_ctr_create(t->id_a, t->bridge, t->ip_a, t->prefixlen,
	    t->gateway, path, sizeof path, &err) == -1 &&
	    strstr(err.msg, "exists") != NULL && exists(t->ns_a),
	    "creating A twice fails and keeps A: %s", err.msg);

	/* What iproute2 and nft see, namespace by namespace. */
	check(t, run("ip -n tfc-%s-%s -4 -o addr show dev eth0 | "
	    "grep -q ' %s/%d '", t->bridge, t->id_a, t->ip_a,
	    t->prefixlen) == 0, "A's eth0 has %s/%d", t->ip_a, t->prefixlen);
	check(t, run("ip -n tfc-%s-%s route show default | grep -q 'via %s "
	    "dev eth0'", t->bridge, t->id_a, t->gateway) == 0,
	    "A's default route is via %s", t->gateway);
	check(t, run("ip -n tfc-%s-%s -o link show lo | grep -q ',UP'",
	    t->bridge, t->id_a) == 0, "A's lo is up");
	check(t, run("ip netns exec tfc-%s-%s nft list table inet tf_fw "
	    ">/dev/null", t->bridge, t->id_a) == 0,
	    "A has table inet tf_fw");
	check(t, run("ip netns exec tfc-%s-%s cat "
	    "/proc/sys/net/ipv6/conf/all/disable_ipv6 | grep -qx 1",
	    t->bridge, t->id_a) == 0, "A has IPv6 off");
	snprintf(veth, sizeof veth, NET_VETH_PREFIX "%.12s", t->id_a);
	check(t, run("ip -o link show dev %s | grep -q 'master %s '", veth,
	    t->bridge) == 0, "A's %s is a port of %s", veth, t->bridge);

	la = ns_listen(t->ns_a, PORT);
	lb = ns_listen(t->ns_b, PORT);
	check(t, la >= 0 && lb >= 0, "listening on port %d in A and B", PORT);
	if (la < 0 || lb < 0)
		goto out;

	/* The node reaches every container (tunnels come from it). */
	rc = try_connect(t, NULL, t->ip_b, PORT, OPEN_WAIT_MS, &fd);
	acc = drain_accept(lb, OPEN_WAIT_MS);
	check(t, rc == 1 && acc >= 0 && write(fd, "hi", 2) == 2 &&
	    poll(&(struct pollfd){ .fd = acc, .events = POLLIN }, 1, 1000) ==
	    1 && read(acc, buf, sizeof buf) == 2,
	    "node -> B:%d connects and carries data", PORT);
	close(fd);
	close(acc);
	fd = acc = -1;
	t0 = now_ms();
	rc = try_connect(t, NULL, t->ip_b, PORT + 1, OPEN_WAIT_MS, NULL);
	check(t, rc == -1 && now_ms() - t0 < 500,
	    "node -> B:%d (nothing listening) is refused at once", PORT + 1);

	/* Default deny between containers. */
	rc = try_connect(t, t->ns_a, t->ip_b, PORT, BLOCKED_WAIT_MS, NULL);
	check(t, rc == 0 && drain_accept(lb, 0) < 0,
	    "A -> B:%d is dropped by default", PORT);
	check(t, try_ping(t->ns_a, t->ip_b, BLOCKED_WAIT_MS) == 0,
	    "A cannot ping B by default");
	check(t, try_ping(t->ns_a, t->gateway, OPEN_WAIT_MS) == 1,
	    "A can ping the gateway (output is not filtered)");

	/* Allow. */
	t0 = now_ms();
	rc = net_ctr_allow(t->id_b, t->bridge, t->ip_a, &err);
	check(t, rc == 0, "allow A on B in %.1f ms%s%s", now_ms() - t0,
	    rc ? ": " : "", rc ? err.msg : "");
	rc = try_connect(t, t->ns_a, t->ip_b, PORT, OPEN_WAIT_MS, &est);
	acc = drain_accept(lb, OPEN_WAIT_MS);
	check(t, rc == 1 && acc >= 0, "allowed: A -> B:%d connects", PORT);
	check(t, try_ping(t->ns_a, t->ip_b, OPEN_WAIT_MS) == 1,
	    "allowed: A can ping B");
	check(t, net_ctr_allow(t->id_b, t->bridge, t->ip_a, &err) == 0 &&
	    run("ip netns exec tfc-%s-%s nft list set inet tf_fw allowed | "
	    "grep -q '%s'", t->bridge, t->id_b, t->ip_a) == 0,
	    "allow twice is fine; B's set lists %s", t->ip_a);
	check(t, try_connect(t, t->ns_b, t->ip_a, PORT, BLOCKED_WAIT_MS,
	    NULL) == 0, "allowing A on B does not open A to B");

	/* Disallow. */
	t0 = now_ms();
	rc = net_ctr_disallow(t->id_b, t->bridge, t->ip_a, &err);
	check(t, rc == 0, "disallow A on B in %.1f ms%s%s", now_ms() - t0,
	    rc ? ": " : "", rc ? err.msg : "");
	check(t, try_connect(t, t->ns_a, t->ip_b, PORT, BLOCKED_WAIT_MS,
	    NULL) == 0 && drain_accept(lb, 0) < 0,
	    "disallowed: A -> B:%d is dropped again", PORT);
	check(t, try_ping(t->ns_a, t->ip_b, BLOCKED_WAIT_MS) == 0,
	    "disallowed: A cannot ping B");
	check(t, est >= 0 && acc >= 0 && write(est, "x", 1) == 1 &&
	    poll(&(struct pollfd){ .fd = acc, .events = POLLIN }, 1, 1000) ==
	    1 && read(acc, buf, sizeof buf) == 1,
	    "disallowed: the connection already open still works");
	rc = net_ctr_disallow(t->id_b, t->bridge, t->ip_a, &err);
	check(t, rc == 0, "disallow twice is fine%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	check(t, net_ctr_allow(t->id_b, t->bridge, "10.253.7.300", &err) ==
	    -1, "allow refuses a bad address: %s", err.msg);
	check(t, net_ctr_allow("nosuchctr", t->bridge, t->ip_a, &err) == -1 &&
	    strstr(err.msg, "no network") != NULL,
	    "allow on a container without a network: %s", err.msg);

	/* Destroy. */
	close(est);
	close(acc);
	close(la);
	la = est = acc = -1;
	t0 = now_ms();
	rc = net_ctr_destroy(t->id_a, t->bridge, &err);
	check(t, rc == 0 && !exists(t->ns_a), "destroy A in %.2f ms: "
	    "namespace unnamed%s%s", now_ms() - t0, rc ? ": " : "",
	    rc ? err.msg : "");
	check(t, try_connect(t, NULL, t->ip_a, PORT, BLOCKED_WAIT_MS, NULL)
	    != 1, "A's address answers no more");
	check(t, wait_link_gone(veth, 3000),
	    "the kernel removes A's veth in the background");
	check(t, net_ctr_destroy(t->id_a, t->bridge, &err) == 0,
	    "destroying A twice is fine");

	/* A namespace held by a stray process (here: an open fd) outlives
	 * its destroy; the same id can still be made again at once. */
	rc = net_ctr_create(t->id_a, t->bridge, t->ip_a, t->prefixlen,
	    t->gateway, path, sizeof path, &err);
	held = open(path, O_RDONLY | O_CLOEXEC);
	la = ns_listen(path, PORT);
	check(t, rc == 0 && held >= 0 && la >= 0 &&
	    net_ctr_destroy(t->id_a, t->bridge, &err) == 0 &&
	    if_nametoindex(veth) != 0 &&
	    run("ip -o link show dev %s | grep -q 'state DOWN'", veth) == 0,
	    "destroy with the namespace held: its veth stays, down");
	check(t, try_connect(t, NULL, t->ip_a, PORT, BLOCKED_WAIT_MS, NULL)
	    == 0, "a held, destroyed container is unreachable");
	rc = net_ctr_create(t->id_a, t->bridge, t->ip_a, t->prefixlen,
	    t->gateway, path, sizeof path, &err);
	close(la);
	la = ns_listen(path, PORT);
	check(t, rc == 0 && la >= 0 && try_connect(t, NULL, t->ip_a, PORT,
	    OPEN_WAIT_MS, NULL) == 1,
	    "the same id is made again and answers%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	close(held);
	held = -1;
	close(la);
	la = -1;
	check(t, net_ctr_destroy(t->id_a, t->bridge, &err) == 0 &&
	    wait_link_gone(veth, 3000), "and destroyed again");
out:
	if (la >= 0)
		close(la);
	if (lb >= 0)
		close(lb);
	if (est >= 0)
		close(est);
	if (acc >= 0)
		close(acc);
	if (held >= 0)
		close(held);
}

static void
test_stale(struct test *t)
{
	char path[256], id[48], veth[IFNAMSIZ];
	tf_err err;
	int rc;

	/* B is still there; C is a half-made one: a namespace with no veth. */
	snprintf(id, sizeof id, "%sc", t->id_a);
	snprintf(path, sizeof path, NET_NS_DIR "/tfc-%s-%s", t->bridge, id);
	check(t, run("ip netns add tfc-%s-%s", t->bridge, id) == 0,
	    "a stray namespace made by hand");
	rc = net_cleanup_stale(t->bridge, NULL, NULL, &err);
	snprintf(veth, sizeof veth, NET_VETH_PREFIX "%.12s", t->id_b);
	check(t, rc == 2 && !exists(path) && !exists(t->ns_b) &&
	    if_nametoindex(veth) == 0,
	    "cleanup_stale removes B and the stray one (%d)%s%s", rc,
	    rc < 0 ? ": " : "", rc < 0 ? err.msg : "");
	check(t, net_cleanup_stale(t->bridge, NULL, NULL, &err) == 0,
	    "cleanup_stale again finds nothing");
}

static void
test_timing(struct test *t)
{
	struct net_ipam *ipam = net_ipam_new(t->subnet, NULL);
	char ids[TIMING_ROUNDS][48], ip[TIMING_ROUNDS][NET_IP_LEN], path[256];
	double t0, create_ms, allow_ms, destroy_ms;
	int ok = 1;
	tf_err err;

	t0 = now_ms();
	for (int i = 0; i < TIMING_ROUNDS && ok; i++) {
		snprintf(ids[i], sizeof ids[i], "%sn%d", t->id_a, i);
		ok = net_ipam_alloc(ipam, ip[i], &err) == 0 &&
		    net_ctr_create(ids[i], t->bridge, ip[i], t->prefixlen,
		    t->gateway, path, sizeof path, &err) == 0;
	}
	create_ms = (now_ms() - t0) / TIMING_ROUNDS;
	check(t, ok, "%d container networks, %.2f ms each%s%s",
	    TIMING_ROUNDS, create_ms, ok ? "" : ": ", ok ? "" : err.msg);
	t0 = now_ms();
	for (int i = 0; i < TIMING_ROUNDS && ok; i++)
		ok = net_ctr_allow(ids[i], t->bridge, ip[(i + 1) %
		    TIMING_ROUNDS], &err) == 0;
	allow_ms = (now_ms() - t0) / TIMING_ROUNDS;
	check(t, ok, "allow, %.2f ms each", allow_ms);
	t0 = now_ms();
	for (int i = 0; i < TIMING_ROUNDS; i++)
		ok &= net_ctr_destroy(ids[i], t->bridge, &err) == 0;
	destroy_ms = (now_ms() - t0) / TIMING_ROUNDS;
	check(t, ok, "destroy, %.2f ms each", destroy_ms);
	printf("# timing: create %.2f ms, allow %.2f ms, destroy %.2f ms "
	    "per container\n", create_ms, allow_ms, destroy_ms);
	net_ipam_destroy(&ipam);
}

/* ---- the run, and the sweep after it ----------------------------------- */

/* Bridge setup and teardown are steps of their own too: the tests
 * between them use the bridge and the two addresses setup takes. */
static void
test_setup(struct test *t)
{
	struct net_ipam *ipam;
	tf_err err;
	int rc = -1;

	/* A /24 of 10.253/16 that no interface of this host uses. */
	for (int i = 0; i < 40 && rc != 0; i++) {
		snprintf(t->subnet, sizeof t->subnet, "10.253.%d.0/24",
		    (int)((getpid() + i * 7) % 200) + 20);
		rc = net_node_setup(t->bridge, t->subnet, &err);
		if (rc != 0 && strstr(err.msg, "overlaps") == NULL)
			break;
	}
	check(t, rc == 0, "setup bridge %s with %s%s%s", t->bridge, t->subnet,
	    rc ? ": " : "", rc ? err.msg : "");
	t->up = rc == 0;
	if (!t->up)
		return;
	ipam = net_ipam_new(t->subnet, &err);
	net_ipam_gateway(ipam, t->gateway);
	t->prefixlen = net_ipam_prefixlen(ipam);
	net_ipam_alloc(ipam, t->ip_a, &err);
	net_ipam_alloc(ipam, t->ip_b, &err);
	net_ipam_destroy(&ipam);
}

static void
test_teardown(struct test *t)
{
	tf_err err;

	check(t, net_node_teardown(t->bridge, &err) == 0 &&
	    if_nametoindex(t->bridge) == 0, "teardown removes %s", t->bridge);
	check(t, net_node_teardown(t->bridge, &err) == 0,
	    "teardown twice is fine");
}

/* In order; those after setup need the bridge it made. */
static const struct {
	const char *name;
	void (*fn)(struct test *);
	bool needs_bridge;
} net_tests[] = {
	{ "ipam", test_ipam, false },
	{ "setup", test_setup, false },
	{ "validation", test_validation, true },
	{ "bridge", test_bridge, true },
	{ "containers", test_containers, true },
	{ "stale", test_stale, true },
	{ "timing", test_timing, true },
	{ "teardown", test_teardown, true },
};

static int
child_main(struct test *t, int report_fd)
{
	int counts[2];

	for (size_t i = 0; i < TF_ARRAY_LEN(net_tests); i++) {
		if (net_tests[i].needs_bridge && !t->up)
			continue;
		printf("# %s\n", net_tests[i].name);
		net_tests[i].fn(t);
	}
	counts[0] = t->passed;
	counts[1] = t->failed;
	if (write(report_fd, counts, sizeof counts) != sizeof counts)
		return 1;
	return t->failed != 0;
}

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static char *
host_tables(void)
{
	FILE *p = popen("nft list tables 2>&1", "r");
	char buf[4096];
	size_t n;

	if (p == NULL)
		return tf_strdup("");
	n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	pclose(p);
	return tf_strdup(buf);
}

/* Host sysctls a careless implementation might change. */
static char *
host_sysctls(void)
{
	static const char *const paths[] = {
		"/proc/sys/net/ipv4/ip_forward",
		"/proc/sys/net/ipv6/conf/all/disable_ipv6",
		"/proc/sys/net/ipv6/conf/default/disable_ipv6",
		"/proc/sys/net/ipv4/ping_group_range",
	};
	char buf[512] = "", *v;
	size_t len = 0;

	for (size_t i = 0; i < TF_ARRAY_LEN(paths); i++) {
		v = tf_read_file(paths[i], NULL, 256);
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s=%s",
		    paths[i], v != NULL ? v : "?\n");
		free(v);
	}
	return tf_strdup(buf);
}

struct leftovers {
	const char *veth_prefix;
	const char *bridge;
	bool quiet;
	int count;
};

static void
leftover_link_cb(const struct net_nl_link *link, void *arg)
{
	struct leftovers *l = arg;

	if (strncmp(link->name, l->veth_prefix, strlen(l->veth_prefix)) == 0 ||
	    strncmp(link->name, l->bridge, strlen(l->bridge)) == 0) {
		if (!l->quiet)
			printf("# left over: link %s\n", link->name);
		l->count++;
	}
}

static void
leftover_ns_cb(const char *name, void *arg)
{
	int *count = arg;

	printf("# left over: namespace %s\n", name);
	(*count)++;
}

int
main(void)
{
	struct test t = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char *tables_before, *tables_after, *sysctls_before, *sysctls_after;
	char prefix[64], veth_prefix[32];
	int report[2], counts[2] = { 0, 0 }, status = 0, swept, ns_left = 0;
	struct leftovers links = { 0 };
	struct net_nl nl;
	double deadline;
	pid_t pid;
	tf_err err;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (network namespaces)\n");
		return 77;
	}
	tf_log_setup(getenv("TEST_NET_DEBUG") ? TF_LOG_DEBUG : TF_LOG_WARN,
	    "test_net", stderr);
	snprintf(t.bridge, sizeof t.bridge, "tft%d", (int)getpid());
	snprintf(t.id_a, sizeof t.id_a, "t%da", (int)getpid());
	snprintf(t.id_b, sizeof t.id_b, "t%db", (int)getpid());
	snprintf(veth_prefix, sizeof veth_prefix, NET_VETH_PREFIX "t%d",
	    (int)getpid());
	snprintf(prefix, sizeof prefix, NET_NS_PREFIX "%s-", t.bridge);
	tables_before = host_tables();
	sysctls_before = host_sysctls();

	if (pipe(report) != 0)
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(report[0]);
		free(tables_before);
		free(sysctls_before);
		exit(child_main(&t, report[1]));
	}
	close(report[1]);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* The trap: whatever the child does, sweep up after it. */
	deadline = now_ms() + TEST_TIMEOUT_S * 1000.0;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (stop_signal != 0 || now_ms() > deadline) {
			printf("# %s: stopping the test\n", stop_signal ?
			    "signal" : "timeout");
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(20000);
	}
	if (read(report[0], counts, sizeof counts) != sizeof counts) {
		printf("not ok - the test process died (status %#x)\n",
		    status);
		counts[1]++;
	} else if (!WIFEXITED(status) ||
	    WEXITSTATUS(status) != (counts[1] != 0)) {
		/* A sanitizer's report, say, shows only in the status. */
		printf("not ok - the test process ended with status %#x\n",
		    status);
		counts[1]++;
	}
	t.passed = counts[0];
	t.failed = counts[1];

	swept = net_cleanup_stale(t.bridge, NULL, NULL, &err);
	if (net_node_teardown(t.bridge, &err) != 0)
		printf("# teardown: %s\n", err.msg);
	check(&t, swept == 0, "the run left no container network (swept %d)",
	    swept);
	net_ns_list(prefix, leftover_ns_cb, &ns_left, NULL);
	links.veth_prefix = veth_prefix;
	links.bridge = t.bridge;
	links.quiet = true;
	/* Destroyed containers' veths go in the background: give it time. */
	deadline = now_ms() + 3000;
	do {
		if (links.count > 0)
			usleep(20000);
		links.count = 0;
		if (now_ms() > deadline)
			links.quiet = false;
		if (net_nl_open(&nl, &err) == 0) {
			net_nl_link_dump(&nl, leftover_link_cb, &links, &err);
			net_nl_close(&nl);
		}
	} while (links.count > 0 && links.quiet);
	check(&t, ns_left == 0 && links.count == 0,
	    "no namespace, veth or bridge of this run is left");
	tables_after = host_tables();
	check(&t, strcmp(tables_before, tables_after) == 0,
	    "the host's nftables tables are untouched");
	sysctls_after = host_sysctls();
	check(&t, strcmp(sysctls_before, sysctls_after) == 0,
	    "the host's forwarding, IPv6 and ping sysctls are untouched");
	free(tables_before);
	free(tables_after);
	free(sysctls_before);
	free(sysctls_after);
	printf("%d passed, %d failed\n", t.passed, t.failed);
	return t.failed != 0;
}
