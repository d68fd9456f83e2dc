/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * con_backend: what con_client.c needs from the thing that carries its
 * messages.  con_conn.c implements it over tf_conn (a real location); the
 * demo location (tui/demo/, built with -Ddemo=true) inside the process.
 * tui.c picks one from its table of backends.  Both deliver answers to con_client_answer
 * and pushes to con_client_push, so the console's code path above this line
 * is the same for both.
 */
#ifndef CON_BACKEND_H
#define CON_BACKEND_H

#include "con_client.h"
#include "tf_msg.h"

struct con_params;

/* One outstanding request, owned by con_client. */
struct con_req {
	con_client *cc;
	uint64_t id;			/* backend's request id, 0 before sent */
	char cmd[24];
	con_reply_fn fn;		/* one-shot requests */
	void *arg;
	con_stream *stream;		/* stream requests */
	struct con_tunnel *tunnel;	/* a tunnel's stream */
	bool keep;			/* stream: first answer reported only */
	bool answered;
	uint64_t timer;			/* no-answer timeout, 0 none */
	struct con_req *prev, *next;
};

struct con_backend_ops {
	const char *name;
	/* Makes the backend for cc; writes the location's name to location.
	 * NULL (err set) when it cannot. */
	void *(*open)(con_client *cc, const struct con_config *cfg,
		      char *location, size_t location_size, tf_err *err);
	/* Sends a request; answers go to con_client_answer(req, m).  Returns
	 * the id, 0 on failure (err set). */
	uint64_t (*request)(void *b, const char *cmd,
			    const msgpack_object *params, const void *bulk,
			    size_t bulk_len, struct con_req *req, tf_err *err);
	/* A command without answer. */
	int (*send)(void *b, const char *cmd, const msgpack_object *params,
		    const void *bulk, size_t bulk_len);
	void (*forget)(void *b, uint64_t id);
	int (*rtt_ms)(void *b);
	void (*destroy)(void *b);
};

/* con_client.c: entry points for backends. */
void con_client_answer(struct con_req *req, const tf_msg *m);
void con_client_push(con_client *cc, const tf_msg *m);
void con_client_set_state(con_client *cc, enum con_state st, const char *why);
void con_client_set_welcome(con_client *cc, const char *user,
			    const char *session, bool admin);
tf_loop *con_client_loop(const con_client *cc);
/* Sends a command without answer; consumes p. */
int con_client_send_params(con_client *cc, const char *cmd,
			   struct con_params *p, const void *bulk, size_t len);
tf_model *con_client_model(const con_client *cc);

/* con_conn.c */
extern const struct con_backend_ops con_conn_ops;

/* con_params.c: builds a params map without knowing its size up front. */
struct con_params {
	msgpack_sbuffer body;
	msgpack_packer pk;
	uint32_t n;
	msgpack_sbuffer whole;
	msgpack_unpacked unp;
};
void con_params_init(struct con_params *p);
void con_params_fini(struct con_params *p);
void con_params_str(struct con_params *p, const char *key, const char *val);
void con_params_int(struct con_params *p, const char *key, int64_t val);
void con_params_bool(struct con_params *p, const char *key, bool val);
/* Packs the key; the caller packs exactly one value with p->pk. */
msgpack_packer *con_params_key(struct con_params *p, const char *key);
/* The finished map, valid until con_params_fini. */
const msgpack_object *con_params_done(struct con_params *p);

/* con_tunnel.c: the local listener and relay of a tunnel. */
struct con_tunnel;
struct con_tunnel *con_tunnel_new(con_client *cc, const char *id,
				  int localport, uint64_t (*ref)(void *arg),
				  void *ref_arg, tf_err *err);
void con_tunnel_set_ref_arg(struct con_tunnel *t, void *ref_arg);
int con_tunnel_localport(const struct con_tunnel *t);
const char *con_tunnel_id(const struct con_tunnel *t);
bool con_tunnel_item(struct con_tunnel *t, const tf_msg *m);
void con_tunnel_shut(struct con_tunnel *t);
void con_tunnel_free(struct con_tunnel **t_p);

#endif
