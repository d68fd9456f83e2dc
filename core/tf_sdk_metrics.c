/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_sdk_metrics: watching container metrics and the location's events
 * (tf.h, "Metrics").  The
 * subscription lives in the location's session; we send it again after
 * every offer (which follows every welcome), since a new session does not
 * have it and the offer emptied the model's figures either way.
 */
#include <string.h>

#include "tf_codec_metrics.h"
#include "tf_log.h"
#include "tf_sdk_private.h"

static void
sdk_metrics_reply_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	char why[TF_ERR_LEN];

	TF_UNUSED(c);
	TF_UNUSED(arg);
	if (sdk_msg_error(m, why, sizeof why))
		tf_warn("metrics: %s", why);
}

static int
sdk_metrics_send(tf_location *loc, bool on, tf_err *err)
{
	tf_metrics_sub_msg sub = { .on = on };
	tf_out o;

	tf_out_init(&o, "metrics_sub");
	tf_metrics_sub_pack(&sub, &o);
	if (sdk_request(loc, &o, NULL, 0, sdk_metrics_reply_cb, NULL) == 0)
		return tf_err_set(err, "metrics_sub: not sent (connection %s)",
		    tf_status_name(tf_location_status(loc)));
	return 0;
}

/* events_sub's answer carries the ring: into the model. */
static void
sdk_events_reply_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	tf_location *loc = arg;
	char why[TF_ERR_LEN];
	tf_err err;

	TF_UNUSED(c);
	if (sdk_msg_error(m, why, sizeof why)) {
		tf_warn("events: %s", why);
		return;
	}
	if (loc->events_on && tf_model_apply(loc->model, "events", m->params,
	    &err) < 0)
		tf_debug("events: %s", err.msg);
}

static int
sdk_events_send(tf_location *loc, bool on, tf_err *err)
{
	tf_metrics_sub_msg sub = { .on = on };
	tf_out o;

	tf_out_init(&o, "events_sub");
	tf_events_sub_pack(&sub, &o);
	if (sdk_request(loc, &o, NULL, 0, sdk_events_reply_cb, loc) == 0)
		return tf_err_set(err, "events_sub: not sent (connection %s)",
		    tf_status_name(tf_location_status(loc)));
	return 0;
}

int
tf_location_watch_events(tf_location *loc, bool on, tf_err *err)
{
	bool was = loc->events_on;

	loc->events_on = on;
	if (was == on || !loc->offered || !sdk_connected(loc))
		return 0;
	return sdk_events_send(loc, on, err);
}

int
tf_location_watch_metrics(tf_location *loc, bool on, tf_err *err)
{
	bool was = loc->metrics_on;

	loc->metrics_on = on;
	/* Before the first offer (or while away) the next offer sends it. */
	if (was == on || !loc->offered || !sdk_connected(loc))
		return 0;
	return sdk_metrics_send(loc, on, err);
}

bool
tf_location_watching_metrics(const tf_location *loc)
{
	return loc->metrics_on;
}

void
sdk_metrics_offer(tf_location *loc)
{
	tf_err err;

	if (loc->metrics_on && sdk_metrics_send(loc, true, &err) != 0)
		tf_debug("%s", err.msg);
	if (loc->events_on && sdk_events_send(loc, true, &err) != 0)
		tf_debug("%s", err.msg);
}

int
tf_container_metrics(const tf_container *c, tf_model_metrics *out,
		     tf_err *err)
{
	const tf_model_container *mc;

	mc = tf_model_container_find(c->loc->model, c->id);
	if (mc == NULL || mc->metrics.at == 0) {
		memset(out, 0, sizeof *out);
		return tf_err_set(err, "no metrics for %s yet%s",
		    c->display[0] != '\0' ? c->display : c->id,
		    c->loc->metrics_on ? "" : " (not watching metrics)");
	}
	*out = mc->metrics;
	return 0;
}
