/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_dns.c: the proof behind `tfdomains claim D`: the TXT record
 * tf-token.D must hold the token `tfdomains prepare D` gave.  The query is
 * built and the answer parsed by libresolv (res_nmkquery, ns_initparse);
 * it travels on a non-blocking UDP socket in the location's loop, so a
 * slow resolver holds up nobody.  The resolver is the system's (the first
 * nameserver of /etc/resolv.conf), or `--resolver ADDR[:PORT]`.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "location.h"
#include "tf_codec_web.h"
#include "tf_log.h"

#define DNS_TIMEOUT_MS 5000

static int
dns_server(struct location *loc, struct sockaddr_in *sa, tf_err *err)
{
	struct __res_state rs;
	char addr[64];
	int port = 53;

	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	if (loc->opt.resolver != NULL) {
		const char *colon = strrchr(loc->opt.resolver, ':');

		if (colon != NULL) {
			port = atoi(colon + 1);
			snprintf(addr, sizeof addr, "%.*s",
			    (int)(colon - loc->opt.resolver), loc->opt.resolver);
		} else {
			snprintf(addr, sizeof addr, "%s", loc->opt.resolver);
		}
		if (port < 1 || port > 65535 ||
		    inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
			return tf_err_set(err, "--resolver %s: not ADDR[:PORT]",
			    loc->opt.resolver);
		sa->sin_port = htons((uint16_t)port);
		return 0;
	}
	memset(&rs, 0, sizeof rs);
	if (res_ninit(&rs) != 0 || rs.nscount == 0 ||
	    rs.nsaddr_list[0].sin_family != AF_INET) {
		res_nclose(&rs);
		return tf_err_set(err, "no IPv4 resolver in /etc/resolv.conf "
		    "(tf-location --resolver ADDR)");
	}
	*sa = rs.nsaddr_list[0];
	res_nclose(&rs);
	return 0;
}

static void
dns_finish(struct location *loc, struct loc_claim *c, const char *error)
{
	struct loc_session *s = loc_session_find(loc, c->session);

	if (c->fd >= 0) {
		tf_loop_del_fd(loc->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	tf_loop_timer_cancel(loc->loop, c->timer);
	c->dead = true;
	if (s != NULL && !s->dead) {
		if (error != NULL) {
			tf_send_error(loc->router, s->rid, s->rid_len, c->req_id,
			    "%s", error);
		} else {
			tf_domain_msg rep = { .domain = c->domain };
			tf_out o;

			tf_out_init(&o, TF_REPLY);
			tf_domain_pack(&rep, &o);
			loc_send_session(loc, s, &o, c->req_id, NULL, 0);
			tf_out_fini(&o);
		}
	}
	for (size_t i = 0; i < loc->n_claims; i++)
		if (loc->claims[i] == c) {
			loc->claims[i] = loc->claims[--loc->n_claims];
			break;
		}
	free(c);
}

/* Does any TXT record of the answer hold the token? */
static bool
dns_answer_has(const uint8_t *buf, int len, uint16_t qid, const char *token,
	       int *rcode)
{
	ns_msg msg;
	ns_rr rr;

	*rcode = -1;
	if (ns_initparse(buf, len, &msg) != 0 || ns_msg_id(msg) != qid)
		return false;
	*rcode = ns_msg_getflag(msg, ns_f_rcode);
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		const uint8_t *rd;
		size_t n, at = 0;
		char text[1024];
		size_t tl = 0;

		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 ||
		    ns_rr_type(rr) != ns_t_txt)
			continue;
		rd = ns_rr_rdata(rr);
		n = ns_rr_rdlen(rr);
		/* Character strings of one length byte each, joined. */
		while (at < n) {
			size_t sl = rd[at++];

			if (at + sl > n || tl + sl >= sizeof text)
				break;
			memcpy(text + tl, rd + at, sl);
			tl += sl;
			at += sl;
		}
		text[tl] = '\0';
		if (strcmp(text, token) == 0)
			return true;
	}
	return false;
}

static int
dns_read_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct location *loc = arg;
	struct loc_claim *c = NULL;
	uint8_t buf[4096];
	ssize_t n;
	int rcode;
	char why[512];
	sqlite3_stmt *st;

	(void)loop;
	(void)events;
	for (size_t i = 0; i < loc->n_claims; i++)
		if (loc->claims[i]->fd == fd)
			c = loc->claims[i];
	if (c == NULL)
		return 0;
	n = recv(fd, buf, sizeof buf, 0);
	if (n <= 0) {
		snprintf(why, sizeof why, "DNS query for tf-token.%s failed",
		    c->domain);
		dns_finish(loc, c, why);
		return 0;
	}
	if (!dns_answer_has(buf, (int)n, c->qid, c->token, &rcode)) {
		if (rcode == -1)
			return 0;	/* not our answer: wait on */
		snprintf(why, sizeof why, "the TXT record tf-token.%s does not "
		    "hold the token%s", c->domain, rcode == ns_r_nxdomain ?
		    " (no such record)" : "");
		dns_finish(loc, c, why);
		return 0;
	}
	st = loc_db_prepare(loc, "INSERT OR REPLACE INTO domains(domain,"
	    " user_id, global, created) VALUES(?,?,0,?)");
	sqlite3_bind_text(st, 1, c->domain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, c->user_id);
	sqlite3_bind_double(st, 3, tf_wall_time());
	sqlite3_step(st);
	sqlite3_finalize(st);
	st = loc_db_prepare(loc, "DELETE FROM domain_tokens WHERE domain=?");
	sqlite3_bind_text(st, 1, c->domain, -1, SQLITE_TRANSIENT);
	sqlite3_step(st);
	sqlite3_finalize(st);
	tf_info("domain %s claimed by user %lld", c->domain,
	    (long long)c->user_id);
	dns_finish(loc, c, NULL);
	return 0;
}

static int
dns_timeout_cb(tf_loop *loop, uint64_t id, void *arg)
{
	struct location *loc = arg;
	char why[512];

	(void)loop;
	for (size_t i = 0; i < loc->n_claims; i++)
		if (loc->claims[i]->timer == id) {
			struct loc_claim *c = loc->claims[i];

			c->timer = 0;
			snprintf(why, sizeof why, "no answer from the resolver "
			    "about tf-token.%s", c->domain);
			dns_finish(loc, c, why);
			break;
		}
	return 0;
}

int
loc_dns_claim(struct location *loc, struct loc_session *s, uint64_t req_id,
	      const char *domain, const char *token, tf_err *err)
{
	struct __res_state rs;
	struct sockaddr_in sa;
	struct loc_claim *c;
	uint8_t q[512];
	char qname[300];
	int qlen, fd;

	if (dns_server(loc, &sa, err) != 0)
		return -1;
	snprintf(qname, sizeof qname, "tf-token.%s", domain);
	memset(&rs, 0, sizeof rs);
	res_ninit(&rs);
	qlen = res_nmkquery(&rs, ns_o_query, qname, ns_c_in, ns_t_txt, NULL, 0,
	    NULL, q, sizeof q);
	res_nclose(&rs);
	if (qlen < 12)
		return tf_err_set(err, "cannot make a DNS query for %s", qname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    send(fd, q, (size_t)qlen, 0) != qlen) {
		if (fd >= 0)
			close(fd);
		return tf_err_errno(err, "cannot send a DNS query");
	}
	c = tf_calloc(1, sizeof *c);
	c->fd = fd;
	c->qid = (uint16_t)(q[0] << 8 | q[1]);
	snprintf(c->session, sizeof c->session, "%s", s->id);
	c->req_id = req_id;
	c->user_id = s->user_id;
	snprintf(c->domain, sizeof c->domain, "%s", domain);
	snprintf(c->token, sizeof c->token, "%s", token);
	c->timer = tf_loop_timer(loc->loop, DNS_TIMEOUT_MS, false,
	    dns_timeout_cb, loc);
	LOC_PUSH(claims, c);
	tf_loop_add_fd(loc->loop, fd, TF_READ, dns_read_cb, loc);
	return 0;
}

void
loc_dns_session_gone(struct location *loc, const char *session)
{
	for (size_t i = 0; i < loc->n_claims;) {
		struct loc_claim *c = loc->claims[i];

		if (strcmp(c->session, session) == 0) {
			c->session[0] = '\0';	/* nobody to answer */
			dns_finish(loc, c, NULL);
		}
		else
			i++;
	}
}
