/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gc_bye: a session that disconnects loses its containers and tunnels but
 * keeps its volumes (issue 6, "Garbage collection"), done by the location
 * itself: a raw session (not the SDK, whose disconnect destroys things
 * first) spawns a container, opens a tunnel, makes a volume and says
 * "bye"; an SDK session of the same user watches.  Then the SDK's own
 * disconnect: what a session made is gone, its volume is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prog.h"
#include "tf_util.h"

struct seen {
	tf_location *loc;
	char id[64];
	tf_model_kind kind;
	tf_model_ctr_state state;
};

static bool
ctr_in_state(void *arg)
{
	struct seen *s = arg;
	const tf_model_container *c = tf_model_container_find(
	    tf_location_model(s->loc), s->id);

	return c != NULL && c->state == s->state;
}

static bool
gone(void *arg)
{
	struct seen *s = arg;
	const void *r = tf_model_find(tf_location_model(s->loc), s->kind, s->id);

	if (s->kind == TF_MODEL_CONTAINER && r != NULL)
		return ((const tf_model_container *)r)->state ==
		    TF_CTR_DESTROYED;
	return r == NULL;
}

static bool
present(void *arg)
{
	struct seen *s = arg;

	return tf_model_find(tf_location_model(s->loc), s->kind, s->id) != NULL;
}

static void
ignore_cb(tf_conn *c, const tf_msg *m, void *arg)
{
}

int
main(void)
{
	tf_location *loc = prog_connect("gc_bye"), *child;
	tf_conn *raw = prog_raw_connect(loc, NULL);
	struct seen ctr = { .loc = loc, .kind = TF_MODEL_CONTAINER },
	    tun = { .loc = loc, .kind = TF_MODEL_TUNNEL },
	    vol = { .loc = loc, .kind = TF_MODEL_VOLUME };
	char vtag[64];
	tf_reply r;
	tf_uuid u;
	tf_out o;
	tf_err err;
	int rc;

	prog_node(loc);
	snprintf(vtag, sizeof vtag, "bye-%d", (int)getpid());
	tf_out_init(&o, "spawn");
	tf_out_str(&o, "image", "busybox");
	tf_out_bool(&o, "sleep", true);
	rc = prog_raw_call(raw, &o, &r, &err);
	if (rc != 0 || tf_obj_str(r.params, "container", ctr.id, sizeof ctr.id,
	    true, &err) != 0)
		prog_bail(&loc, "raw spawn", &err);
	tf_reply_fini(&r);
	ctr.state = TF_CTR_SLEEPING;
	prog_check(prog_wait(loc, ctr_in_state, &ctr, 30000),
	    "a raw session's container is up (seen by an SDK session)");
	tf_uuid_make(&u);
	snprintf(tun.id, sizeof tun.id, "%s", u.s);
	tf_out_init(&o, "tunnel");
	tf_out_str(&o, "tunnel", tun.id);
	tf_out_str(&o, "container", ctr.id);
	tf_out_int(&o, "port", 80);
	tf_conn_request(raw, &o, NULL, 0, ignore_cb, NULL);
	prog_check(prog_wait(loc, present, &tun, 10000), "its tunnel too");
	tf_out_init(&o, "vol_create");
	tf_out_str(&o, "tag", vtag);
	rc = prog_raw_call(raw, &o, &r, &err);
	if (rc != 0 || tf_obj_str(r.params, "volume", vol.id, sizeof vol.id,
	    true, &err) != 0)
		prog_bail(&loc, "raw vol_create", &err);
	tf_reply_fini(&r);
	prog_check(prog_wait(loc, present, &vol, 10000), "and its volume");

	tf_out_init(&o, "bye");
	tf_conn_send(raw, &o, NULL, 0);
	prog_check(prog_wait(loc, gone, &ctr, 15000),
	    "after its bye the container is destroyed");
	prog_check(prog_wait(loc, gone, &tun, 5000), "and the tunnel is gone");
	tf_location_sleep(loc, 1000);
	prog_check(present(&vol), "but the volume is kept");
	tf_conn_destroy(&raw);
	{
		tf_volume *v = tf_location_volume(loc, vol.id, &err);

		prog_check(v != NULL && tf_location_destroy_volume(loc, v, &err)
		    == 0, "and usable (this session destroys it)");
	}

	/* The SDK's disconnect. */
	child = tf_location_new(&(tf_location_opts){ .program = "gc_child" },
	    &err);
	if (child == NULL)
		prog_bail(&loc, "a second SDK session", &err);
	{
		tf_node *node = prog_node(child);
		tf_volume *v2 = tf_location_create_volume(child, node, NULL, &err);
		tf_container *c = prog_busybox(child, node, (const char *const[]){
		    "sleep", "3600", NULL });
		tf_tunnel *t = tf_container_attach_tunnel(c, 80, 0, NULL, &err);

		snprintf(ctr.id, sizeof ctr.id, "%s", tf_container_id(c));
		snprintf(tun.id, sizeof tun.id, "%s", t ? tf_tunnel_id(t) : "");
		snprintf(vol.id, sizeof vol.id, "%s", v2 ? tf_volume_id(v2) : "");
		prog_check(prog_wait(loc, present, &tun, 10000) &&
		    prog_wait(loc, present, &vol, 10000),
		    "an SDK session makes a container, tunnel and volume");
	}
	tf_location_disconnect(child);
	prog_check(prog_wait(loc, gone, &ctr, 15000),
	    "after its disconnect the container is destroyed");
	prog_check(prog_wait(loc, gone, &tun, 5000), "and the tunnel is gone");
	tf_location_sleep(loc, 1000);
	prog_check(present(&vol), "but the volume is kept");
	{
		tf_volume *v = tf_location_volume(loc, vol.id, &err);

		if (v != NULL)
			tf_location_destroy_volume(loc, v, &err);
	}
	tf_location_destroy(&child);
	tf_location_destroy(&loc);
	return prog_finish();
}
