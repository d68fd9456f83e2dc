/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tun_many: 50 concurrent connections through one tunnel (issue 5).  nginx
 * serves 50 different random files of 1 MiB (past the 1 MiB credit
 * window); 50 connections, started together, each fetch their own and
 * must get exactly its bytes: no connection may see another's data.  The
 * tunnel's record counts the open connections and goes back to zero
 * afterwards, also when the node side ends them (refused connections).
 *
 * (Not busybox nc -ll as the server: it listens with a backlog of 2 and
 * resets connections that arrive together.)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

#define NCONN 50
#define EACH (1u << 20)
#define HEADER_MAX 1024

struct many {
	int port;
	pthread_barrier_t go;
	prog_xfer x[NCONN];
};

struct one {
	struct many *m;
	int i;
};

static void *
one_main(void *arg)
{
	struct one *o = arg;

	pthread_barrier_wait(&o->m->go);
	prog_xfer_run(&o->m->x[o->i]);
	return NULL;
}

/* The body's SHA-256 (after the HTTP header) in hex, or "". */
static void
body_sha(const prog_xfer *x, char hex[65])
{
	const uint8_t *p = x->got, *body;
	uint8_t sha[32];

	hex[0] = '\0';
	body = x->received > 4 ? memmem(p, x->received, "\r\n\r\n", 4) : NULL;
	if (body == NULL)
		return;
	body += 4;
	crypto_hash_sha256(sha, body, (size_t)(p + x->received - body));
	prog_hex(sha, hex);
}

static void *
many_main(void *arg)
{
	struct many *m = arg;
	pthread_t t[NCONN];
	struct one o[NCONN];

	for (int i = 0; i < NCONN; i++) {
		o[i].m = m;
		o[i].i = i;
		pthread_create(&t[i], NULL, one_main, &o[i]);
	}
	for (int i = 0; i < NCONN; i++)
		pthread_join(t[i], NULL);
	return NULL;
}

struct watch {
	char id[64];
	int64_t max_conns, conns;
};

static void
model_cb(tf_model *m, tf_model_kind kind, tf_model_op op, const char *id,
	 void *arg)
{
	struct watch *w = arg;
	const tf_model_tunnel *t;

	if (kind != TF_MODEL_TUNNEL || strcmp(id, w->id) != 0)
		return;
	t = tf_model_tunnel_find(m, id);
	if (t == NULL)
		return;
	w->conns = t->conns;
	if (t->conns > w->max_conns)
		w->max_conns = t->conns;
}

static bool
no_conns(void *arg)
{
	return ((struct watch *)arg)->conns == 0;
}

int
main(void)
{
	tf_location *loc = prog_connect("tun_many");
	tf_node *node = prog_node(loc);
	tf_container *c;
	tf_tunnel *t, *refused;
	static struct many m;
	static char req[NCONN][64];
	char *sums = NULL;
	struct watch w = { .max_conns = 0 };
	int ok = 0, rc;
	tf_err err;

	c = prog_spawn(loc, node, "nginx", NULL);
	rc = prog_sh(c, "cd /usr/share/nginx/html && for i in $(seq 0 49); do "
	    "dd if=/dev/urandom of=f$i bs=64k count=16 2>/dev/null; done && "
	    "sha256sum f*", &sums);
	if (rc != 0)
		prog_bail(&loc, "making the files", NULL);
	rc = tf_container_wait_tcp(c, 80, 30000, &err);
	t = rc == 0 ? tf_container_attach_tunnel(c, 80, 0, NULL, &err) : NULL;
	if (t == NULL)
		prog_bail(&loc, "nginx and its tunnel", &err);
	snprintf(w.id, sizeof w.id, "%s", tf_tunnel_id(t));
	tf_model_listen(tf_location_model(loc), model_cb, &w);

	m.port = tf_tunnel_localport(t);
	pthread_barrier_init(&m.go, NULL, NCONN);
	for (int i = 0; i < NCONN; i++) {
		snprintf(req[i], sizeof req[i], "GET /f%d HTTP/1.0\r\n\r\n", i);
		m.x[i].port = m.port;
		m.x[i].send_buf = (const uint8_t *)req[i];
		m.x[i].send_len = strlen(req[i]);
		m.x[i].keep = EACH + HEADER_MAX;
		/* nginx takes a half-close as the client going away */
		m.x[i].no_half_close = true;
		m.x[i].stop_after_us = 120 * 1000000ull;
	}
	rc = prog_run_bg(loc, many_main, &m, 150000);
	prog_check(rc == 0, "%d connections at once finished", NCONN);
	for (int i = 0; i < NCONN; i++) {
		prog_xfer *x = &m.x[i];
		char hex[65], want[80];

		body_sha(x, hex);
		snprintf(want, sizeof want, "%s  f%d\n", hex, i);
		if (x->error == 0 && x->eof && hex[0] != '\0' &&
		    strstr(sums, want) != NULL)
			ok++;
		else
			prog_note("connection %d: error %d received %llu eof %d",
			    i, x->error, (unsigned long long)x->received, x->eof);
		free(x->got);
	}
	prog_check(ok == NCONN, "each of %d connections got exactly its own "
	    "1 MiB file (%d did)", NCONN, ok);
	prog_check(w.max_conns >= NCONN / 2,
	    "the tunnel's record counted them open at once (at most %lld)",
	    (long long)w.max_conns);
	ok = prog_wait(loc, no_conns, &w, 10000);
	prog_check(ok, "and counts none once they closed (%lld)",
	    (long long)w.conns);
	tf_model_unlisten(tf_location_model(loc), model_cb, &w);

	/* The tunnel still works afterwards. */
	memset(&m.x[0], 0, sizeof m.x[0]);
	m.x[0].port = m.port;
	m.x[0].send_buf = (const uint8_t *)req[7];
	m.x[0].send_len = strlen(req[7]);
	m.x[0].keep = EACH + HEADER_MAX;
	m.x[0].no_half_close = true;
	rc = prog_run_bg(loc, prog_xfer_thread, &m.x[0], 30000);
	{
		char hex[65], want[80];

		body_sha(&m.x[0], hex);
		snprintf(want, sizeof want, "%s  f7\n", hex);
		prog_check(rc == 0 && hex[0] && strstr(sums, want) != NULL,
		    "one more connection afterwards works");
	}
	free(m.x[0].got);

	/* Connections the node ends (nothing listens on the port) are not
	 * counted as open for ever. */
	refused = tf_container_attach_tunnel(c, 81, 0, NULL, &err);
	if (refused == NULL)
		prog_bail(&loc, "a tunnel to a closed port", &err);
	memset(&w, 0, sizeof w);
	snprintf(w.id, sizeof w.id, "%s", tf_tunnel_id(refused));
	tf_model_listen(tf_location_model(loc), model_cb, &w);
	for (int i = 0; i < 3; i++) {
		memset(&m.x[i], 0, sizeof m.x[i]);
		m.x[i].port = tf_tunnel_localport(refused);
		m.x[i].send_len = 10;
		rc = prog_run_bg(loc, prog_xfer_thread, &m.x[i], 30000);
	}
	prog_check(m.x[0].received == 0 && m.x[2].received == 0,
	    "connections to a closed port end at once");
	ok = prog_wait(loc, no_conns, &w, 5000);
	prog_check(ok, "and the tunnel's record does not count them as open (%lld, at "
	    "most %lld)", (long long)w.conns, (long long)w.max_conns);
	tf_model_unlisten(tf_location_model(loc), model_cb, &w);
	free(sums);
	tf_location_destroy(&loc);
	return prog_finish();
}
