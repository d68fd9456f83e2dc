/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_ipam: a bitmap of the container addresses of one subnet, next-fit
 * allocation, and a line-per-address state file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_err.h"
#include "tf_log.h"
#include "tf_util.h"
#include "net_ipam.h"

#define IPAM_MIN_PREFIX 16	/* 65534 addresses: a bitmap of 8 KiB */
#define IPAM_MAX_PREFIX 30	/* the smallest with one container address */
#define IPAM_FILE_MAX (1024 * 1024)

struct net_ipam {
	char subnet[32];
	uint32_t network;	/* host byte order */
	int prefixlen;
	uint32_t size;		/* addresses in the subnet, 2^(32-prefixlen) */
	uint32_t next;		/* next-fit cursor: host offset to try first */
	unsigned int count;
	uint8_t *used;		/* bit per host offset */
};

int
net_ip_parse(const char *s, struct in_addr *out, tf_err *err)
{
	/* inet_pton(AF_INET) takes exactly four decimal parts, unlike
	 * inet_aton, which would read "10.1" or octal. */
	if (s == NULL || inet_pton(AF_INET, s, out) != 1)
		return tf_err_set(err, "not an IPv4 address: %s",
		    s != NULL ? s : "(none)");
	return 0;
}

int
net_cidr_parse(const char *s, struct in_addr *network, int *prefixlen,
    tf_err *err)
{
	char addr[NET_IP_LEN], *end;
	const char *slash;
	uint32_t mask;
	long len;

	slash = s != NULL ? strchr(s, '/') : NULL;
	if (slash == NULL || (size_t)(slash - s) >= sizeof addr)
		return tf_err_set(err, "not a subnet (a.b.c.d/n): %s",
		    s != NULL ? s : "(none)");
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (slash[1] == '\0' || *end != '\0' || errno != 0 || len < 0 ||
	    len > 32 || net_ip_parse(addr, network, NULL) != 0)
		return tf_err_set(err, "not a subnet (a.b.c.d/n): %s", s);
	mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
	if ((ntohl(network->s_addr) & ~mask) != 0)
		return tf_err_set(err, "%s has host bits set", s);
	*prefixlen = (int)len;
	return 0;
}

static bool
ipam_bit(const struct net_ipam *ipam, uint32_t off)
{
	return (ipam->used[off / 8] >> (off % 8)) & 1;
}

static void
ipam_set_bit(struct net_ipam *ipam, uint32_t off, bool on)
{
	if (on)
		ipam->used[off / 8] |= (uint8_t)(1u << (off % 8));
	else
		ipam->used[off / 8] &= (uint8_t)~(1u << (off % 8));
}

/* The host offset of a container address of this subnet, or 0. */
static uint32_t
ipam_offset(const struct net_ipam *ipam, const char *ip, tf_err *err)
{
	struct in_addr a;
	uint32_t h, off;

	if (net_ip_parse(ip, &a, err) != 0)
		return 0;
	h = ntohl(a.s_addr);
	off = h - ipam->network;
	if ((h & ~(ipam->size - 1)) != ipam->network) {
		tf_err_set(err, "%s is not in %s", ip, ipam->subnet);
		return 0;
	}
	if (off < 2 || off > ipam->size - 2) {
		tf_err_set(err, "%s is not a container address of %s", ip,
		    ipam->subnet);
		return 0;
	}
	return off;
}

static void
ipam_format(const struct net_ipam *ipam, uint32_t off, char out[NET_IP_LEN])
{
	struct in_addr a = { .s_addr = htonl(ipam->network + off) };

	inet_ntop(AF_INET, &a, out, NET_IP_LEN);
}

struct net_ipam *
net_ipam_new(const char *subnet_cidr, tf_err *err)
{
	struct net_ipam *ipam;
	struct in_addr net;
	int len;

	if (net_cidr_parse(subnet_cidr, &net, &len, err) != 0)
		return NULL;
	if (len < IPAM_MIN_PREFIX || len > IPAM_MAX_PREFIX) {
		tf_err_set(err, "subnet %s: prefix length must be %d to %d",
		    subnet_cidr, IPAM_MIN_PREFIX, IPAM_MAX_PREFIX);
		return NULL;
	}
	ipam = tf_calloc(1, sizeof *ipam);
	snprintf(ipam->subnet, sizeof ipam->subnet, "%s", subnet_cidr);
	ipam->network = ntohl(net.s_addr);
	ipam->prefixlen = len;
	ipam->size = 1u << (32 - len);
	ipam->next = 2;
	ipam->used = tf_calloc(ipam->size / 8 + 1, 1);
	return ipam;
}

void
net_ipam_destroy(struct net_ipam **ipam)
{
	if (ipam == NULL || *ipam == NULL)
		return;
	free((*ipam)->used);
	free(*ipam);
	*ipam = NULL;
}

const char *
net_ipam_subnet(const struct net_ipam *ipam)
{
	return ipam->subnet;
}

int
net_ipam_prefixlen(const struct net_ipam *ipam)
{
	return ipam->prefixlen;
}

void
net_ipam_gateway(const struct net_ipam *ipam, char out[NET_IP_LEN])
{
	ipam_format(ipam, 1, out);
}

unsigned int
net_ipam_count(const struct net_ipam *ipam)
{
	return ipam->count;
}

unsigned int
net_ipam_capacity(const struct net_ipam *ipam)
{
	return ipam->size - 3;	/* network, gateway, broadcast */
}

int
net_ipam_alloc(struct net_ipam *ipam, char out[NET_IP_LEN], tf_err *err)
{
	uint32_t span = ipam->size - 3, off;

	for (uint32_t i = 0; i < span; i++) {
		off = 2 + (ipam->next - 2 + i) % span;
		if (ipam_bit(ipam, off))
			continue;
		ipam_set_bit(ipam, off, true);
		ipam->count++;
		ipam->next = off + 1 > ipam->size - 2 ? 2 : off + 1;
		ipam_format(ipam, off, out);
		return 0;
	}
	return tf_err_set(err, "no free address left in %s (%u in use)",
	    ipam->subnet, ipam->count);
}

int
net_ipam_reserve(struct net_ipam *ipam, const char *ip, tf_err *err)
{
	uint32_t off = ipam_offset(ipam, ip, err);

	if (off == 0)
		return -1;
	if (ipam_bit(ipam, off))
		return tf_err_set(err, "%s is in use already", ip);
	ipam_set_bit(ipam, off, true);
	ipam->count++;
	return 0;
}

int
net_ipam_release(struct net_ipam *ipam, const char *ip)
{
	uint32_t off = ipam_offset(ipam, ip, NULL);

	if (off == 0 || !ipam_bit(ipam, off))
		return -1;
	ipam_set_bit(ipam, off, false);
	ipam->count--;
	return 0;
}

bool
net_ipam_in_use(const struct net_ipam *ipam, const char *ip)
{
	uint32_t off = ipam_offset(ipam, ip, NULL);

	return off != 0 && ipam_bit(ipam, off);
}

int
net_ipam_save(const struct net_ipam *ipam, const char *path, tf_err *err)
{
	size_t cap = 128 + (size_t)ipam->count * NET_IP_LEN, len;
	char *buf = tf_malloc(cap), ip[NET_IP_LEN];
	int rc;

	ipam_format(ipam, ipam->next, ip);
	len = (size_t)snprintf(buf, cap,
	    "# tf-node container addresses\nsubnet %s\nnext %s\n",
	    ipam->subnet, ip);
	for (uint32_t off = 2; off <= ipam->size - 2; off++) {
		if (!ipam_bit(ipam, off))
			continue;
		ipam_format(ipam, off, ip);
		len += (size_t)snprintf(buf + len, cap - len, "%s\n", ip);
	}
	rc = tf_write_file(path, buf, len, 0600);
	free(buf);
	if (rc != 0)
		return tf_err_errno(err, "saving addresses to %s", path);
	return 0;
}

int
net_ipam_load(struct net_ipam *ipam, const char *path, tf_err *err)
{
	char *data, *line, *save = NULL;
	size_t len;
	tf_err e;

	data = tf_read_file(path, &len, IPAM_FILE_MAX);
	if (data == NULL) {
		if (errno == ENOENT)
			return 0;
		return tf_err_errno(err, "reading %s", path);
	}
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "subnet ", 7) == 0) {
			if (strcmp(line + 7, ipam->subnet) == 0)
				continue;
			tf_info("%s holds addresses of %s, not %s: ignored",
			    path, line + 7, ipam->subnet);
			break;
		}
		if (strncmp(line, "next ", 5) == 0) {
			uint32_t off = ipam_offset(ipam, line + 5, NULL);

			if (off != 0)
				ipam->next = off;
			continue;
		}
		if (net_ipam_reserve(ipam, line, &e) != 0)
			tf_warn("%s: %s", path, e.msg);
	}
	free(data);
	return 0;
}
