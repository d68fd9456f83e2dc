/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The records of the resource offer and of their push events
 * (docs/PROTOCOL.md, "Push events"): `offer {nodes, containers, tunnels,
 * volumes, images}`, the events `node`, `container`, `tunnel`, `volume`,
 * `image` (one record each, as the params) and `<kind>_gone {<kind>}`.
 * The location packs them, the clients (tf_model, the demo fixture) read
 * them.  See tf_codec.h for the conventions.
 *
 * A record's first field is its id, and its key is the kind's name, which
 * is also its event's name: a `container` event carries {container, ...},
 * a `container_gone` {container}.
 *
 * The record codecs are lenient (tf_codec.h): a client reads what it can
 * of a record and keeps the rest of what it knew, so an event may carry
 * only some fields.  Which ones came is in `has` (TF_HAS).
 */
#ifndef TF_CODEC_OFFER_H
#define TF_CODEC_OFFER_H

#include "tf_codec.h"

/* The kinds, in the order of tf_model_kind (tf_model.h). */
typedef enum tf_rec_kind {
	TF_REC_NODE,
	TF_REC_CONTAINER,
	TF_REC_TUNNEL,
	TF_REC_VOLUME,
	TF_REC_IMAGE,
	TF_REC_KINDS
} tf_rec_kind;

/* node: name is sent by fixtures only, when not "" (the location's `node` is
 * the name);
 * cpu_pct and paging are whole numbers from the location, fractions from
 * others. */
typedef struct tf_node_rec {
	uint64_t has;
	const char *node;
	const char *name;
	const char *address;
	int64_t id;		/* TF_SET: the location's number for it */
	const char *state;	/* "up" or "down" */
	int64_t cpus;
	double cpu_pct;
	int64_t mem_total_mb;
	int64_t mem_free_mb;
	double paging;
	int64_t containers;
	const char *subnet;
	double load1;
} tf_node_rec;

typedef struct tf_ctr_rec {
	uint64_t has;
	const char *container;
	const char *node;
	const char *tag;
	const char *image;
	const char *ip;
	const char *state;
	int64_t exit_code;
	const char *error;
	const char *session;
	const char *session_name;
	int64_t user;		/* the owner's number */
	const char *user_name;	/* and name */
	double created;
	double started;
	int64_t startup_ms;
} tf_ctr_rec;

typedef struct tf_tunnel_rec {
	uint64_t has;
	const char *tunnel;
	const char *container;
	int64_t port;
	const char *session;
	const char *session_name;
	int64_t user;
	const char *user_name;
	int64_t localport;
	int64_t conns;
	int64_t bytes_in;
	int64_t bytes_out;
} tf_tunnel_rec;

typedef struct tf_vol_rec {
	uint64_t has;
	const char *volume;
	const char *node;
	const char *tag;
	int64_t node_id;	/* TF_SET */
	const char *const *mounts;	/* container ids */
	size_t n_mounts;
	bool snapshot;
	int64_t user;
	const char *user_name;
	int64_t size;		/* bytes it may hold; 0: not limited */
} tf_vol_rec;

typedef struct tf_image_rec {
	uint64_t has;
	const char *image;
	const char *const *names;
	size_t n_names;
	const char *const *layers;
	size_t n_layers;
	int64_t size;
	double created;
	int64_t user;		/* TF_SET */
	const char *origin;
} tf_image_rec;

/* The offer: one list a kind.  A client reads it list by list with the
 * kinds' codecs (one bad record does not spoil the others); this codec
 * is for the round trip test and the fuzz harness. */
typedef struct tf_offer_msg {
	uint64_t has;
	tf_node_rec *nodes;
	size_t n_nodes;
	tf_ctr_rec *containers;
	size_t n_containers;
	tf_tunnel_rec *tunnels;
	size_t n_tunnels;
	tf_vol_rec *volumes;
	size_t n_volumes;
	tf_image_rec *images;
	size_t n_images;
} tf_offer_msg;

extern const tf_codec tf_node_rec_codec;
extern const tf_codec tf_ctr_rec_codec;
extern const tf_codec tf_tunnel_rec_codec;
extern const tf_codec tf_vol_rec_codec;
extern const tf_codec tf_image_rec_codec;
extern const tf_codec tf_offer_codec;
TF_CODEC_DECLARE(tf_offer, tf_offer_msg);

/* The codec of a kind's records. */
const tf_codec *tf_rec_codec(tf_rec_kind kind);
/* The kind's name: its event, and its records' id key ("container"). */
const char *tf_rec_name(tf_rec_kind kind);
/* Its list in the offer ("containers"). */
const char *tf_rec_list(tf_rec_kind kind);
/* The kind whose event (gone false) or `_gone` event (gone true) cmd is;
 * TF_REC_KINDS when none. */
tf_rec_kind tf_rec_event(const char *cmd, bool *gone);

/* Packs one record as a value (an offer list's item). */
void tf_rec_pack_value(tf_rec_kind kind, const void *rec, msgpack_packer *pk);
/* Starts a list of n records of a kind in an offer being built. */
msgpack_packer *tf_rec_list_start(tf_rec_kind kind, size_t n, tf_out *o);
/* A record's event: tf_out_init(o, "<kind>") with the record as params. */
void tf_rec_event_init(tf_rec_kind kind, const void *rec, tf_out *o);
/* A record's end: tf_out_init(o, "<kind>_gone") with {<kind>: id}. */
void tf_rec_gone_init(tf_rec_kind kind, const char *id, tf_out *o);

#endif
