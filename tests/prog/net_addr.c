/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_addr: a container's address (issue 5, "Addresses"): every container
 * gets its own address in its node's subnet, shown in its status and in
 * the resource offer of another session, configured on its interface,
 * with a default route through the node's gateway.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

/* ip inside "a.b.c.d/len"? */
static bool
in_subnet(const char *ip, const char *subnet)
{
	char net[48];
	char *slash;
	struct in_addr a, n;
	int len;
	uint32_t mask;

	snprintf(net, sizeof net, "%s", subnet);
	slash = strchr(net, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	len = atoi(slash + 1);
	if (inet_pton(AF_INET, ip, &a) != 1 || inet_pton(AF_INET, net, &n) != 1 ||
	    len < 1 || len > 32)
		return false;
	mask = htonl(len == 32 ? 0xffffffffu : ~(0xffffffffu >> len));
	return (a.s_addr & mask) == (n.s_addr & mask);
}

int
main(void)
{
	tf_location *loc = prog_connect("net_addr"), *other;
	tf_node *node = prog_node(loc);
	const tf_model_node *mn;
	const tf_model_container *mc;
	tf_container *a, *b, *s;
	char subnet[48], gw[48], *out, cmd[128], *dot;
	tf_spawn_opts so = { .sleep = true };
	tf_err err;
	int rc;

	mn = tf_model_node_lookup(tf_location_model(loc), tf_node_name(node));
	snprintf(subnet, sizeof subnet, "%s", mn != NULL ? mn->subnet : "");
	prog_check(subnet[0] != '\0', "the node has a subnet in the offer (%s)",
	    subnet);
	/* The gateway is the subnet's first address. */
	snprintf(gw, sizeof gw, "%s", subnet);
	dot = strrchr(gw, '.');
	if (dot != NULL)
		snprintf(dot, sizeof gw - (size_t)(dot - gw), ".1");

	a = prog_busybox(loc, node, (const char *const[]){ "sleep", "3600",
	    NULL });
	b = prog_busybox(loc, node, (const char *const[]){ "sleep", "3600",
	    NULL });
	s = prog_spawn(loc, node, "busybox", &so);
	prog_check(in_subnet(tf_container_ip(a), subnet),
	    "a running container has an address in the node's subnet (%s in %s)",
	    tf_container_ip(a), subnet);
	prog_check(in_subnet(tf_container_ip(s), subnet),
	    "so has a sleeping one (%s)", tf_container_ip(s));
	prog_check(strcmp(tf_container_ip(a), tf_container_ip(b)) != 0 &&
	    strcmp(tf_container_ip(a), tf_container_ip(s)) != 0 &&
	    strcmp(tf_container_ip(b), tf_container_ip(s)) != 0,
	    "three containers have three addresses (%s %s %s)",
	    tf_container_ip(a), tf_container_ip(b), tf_container_ip(s));
	prog_check(strcmp(tf_container_ip(a), gw) != 0,
	    "and none is the gateway (%s)", gw);

	mc = tf_model_container_find(tf_location_model(loc), tf_container_id(a));
	prog_check(mc != NULL && strcmp(mc->ip, tf_container_ip(a)) == 0 &&
	    mc->state == TF_CTR_RUNNING,
	    "the container's status record carries the address (%s)",
	    mc ? mc->ip : "no record");

	other = tf_location_new(&(tf_location_opts){ .program = "net_addr2" },
	    &err);
	if (other == NULL)
		prog_bail(&loc, "a second session", &err);
	mc = tf_model_container_find(tf_location_model(other),
	    tf_container_id(a));
	prog_check(mc != NULL && strcmp(mc->ip, tf_container_ip(a)) == 0,
	    "another session's resource offer has it with the address (%s)",
	    mc ? mc->ip : "missing");
	tf_location_destroy(&other);

	snprintf(cmd, sizeof cmd, "ip -4 addr show");
	rc = prog_sh(a, cmd, &out);
	snprintf(cmd, sizeof cmd, "inet %s/", tf_container_ip(a));
	prog_check(rc == 0 && strstr(out, cmd) != NULL,
	    "the address is configured inside the container");
	prog_check(rc == 0 && strstr(out, "inet 127.0.0.1/") != NULL,
	    "with loopback up");
	free(out);
	rc = prog_sh(a, "ip route", &out);
	snprintf(cmd, sizeof cmd, "default via %s", gw);
	prog_check(rc == 0 && strstr(out, cmd) != NULL,
	    "its default route goes through the gateway (%s)", gw);
	free(out);

	/* The address is kept when it reboots (tunnels depend on it). */
	{
		char before[48];

		snprintf(before, sizeof before, "%s", tf_container_ip(a));
		rc = tf_container_reboot(a, false, &err);
		prog_check(rc == 0 && strcmp(before, tf_container_ip(a)) == 0,
		    "a reboot keeps the address (%s -> %s)%s%s", before,
		    tf_container_ip(a), rc ? ": " : "", rc ? err.msg : "");
	}
	tf_location_destroy(&loc);
	return prog_finish();
}
