/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_offer: a message as the console and the SDK read it from the
 * location (the resource offer and every push event): decoded as a wire
 * header, its params unpacked by the offer codec (tf_codec_offer.h) and
 * by each record codec, then applied to a model (tf_model_apply, which
 * reads through the same codecs), whose records are then looked up and
 * listed as the console draws them.  One model lives across inputs, as it
 * does in a console that hears event after event.
 */
#include <string.h>

#include "fuzz.h"
#include "tf_codec_offer.h"
#include "tf_log.h"
#include "tf_model.h"
#include "tf_msg.h"

static tf_model *model;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tf_msg m;
	tf_err err;

	if (model == NULL) {
		tf_log_setup(TF_LOG_ERROR, "fuzz_offer", NULL);
		model = tf_model_new();
	}
	memset(&m, 0, sizeof m);
	if (tf_msg_decode(&m, data, size, &err) == 0) {
		tf_offer_msg offer;

		if (tf_offer_unpack(m.params, &offer, &err) == 0)
			tf_offer_free(&offer);
		for (int k = 0; k < TF_REC_KINDS; k++) {
			const tf_codec *c = tf_rec_codec((tf_rec_kind)k);
			union {
				tf_node_rec node;
				tf_ctr_rec container;
				tf_tunnel_rec tunnel;
				tf_vol_rec volume;
				tf_image_rec image;
			} rec;

			if (tf_codec_unpack(c, m.params, &rec, &err) == 0)
				tf_codec_free(c, &rec);
		}
		tf_model_apply(model, m.cmd, m.params, &err);
		for (int k = 0; k < TF_MODEL_KIND_LAST; k++)
			for (size_t i = 0; i < tf_model_count(model, (tf_model_kind)k); i++)
				(void)tf_model_at(model, (tf_model_kind)k, i);
		tf_model_container_lookup(model, "web");
		tf_model_container_lookup(model, "");
		tf_model_volume_lookup(model, ":");
		tf_model_node_lookup(model, "node1");
		tf_model_image_lookup(model, "busybox");
		tf_model_best_node(model);
	}
	tf_msg_fini(&m);
	/* Now and then from empty, so that deletes meet adds. */
	if (size > 0 && data[0] == 0xc0)
		tf_model_clear(model);
	return 0;
}
