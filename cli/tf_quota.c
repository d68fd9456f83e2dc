/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_quota: `tf --quota` prints the account's quotas as the location's
 * offer carries them (docs/SECURITY.md, "Quotas"): one line a kind, with
 * what is in use and the limit ("-" when there is none).
 */
#include <stdio.h>

#include "cli.h"
#include "tf_codec_quota.h"
#include "tf_quota.h"

int
tf_quota_show(const char *location, const char *address)
{
	struct cli_conn cc;
	tf_quota_msg q;
	tf_reply offer;
	tf_err err;
	int rc = 0;

	if (cli_connect(&cc, "tf", location, address, 10000) != 0)
		return 5;
	if (cli_wait_offer(&cc, &offer, 10000) != 0) {
		fprintf(stderr, "tf: the location sent no offer\n");
		cli_disconnect(&cc);
		return 5;
	}
	if (tf_quota_unpack(offer.params, &q, &err) != 0) {
		fprintf(stderr, "tf: the offer's quota: %s\n", err.msg);
		rc = 5;
	} else if (q.n_quota == 0) {
		printf("this location sets no quotas\n");
	} else {
		printf("%-12s %14s %14s\n", "QUOTA", "USED", "LIMIT");
		for (size_t i = 0; i < q.n_quota; i++) {
			char limit[32];

			if (q.quota[i].limit == 0)
				snprintf(limit, sizeof limit, "-");
			else
				snprintf(limit, sizeof limit, "%lld",
				    (long long)q.quota[i].limit);
			printf("%-12s %14lld %14s\n", q.quota[i].kind,
			    (long long)q.quota[i].used, limit);
		}
	}
	tf_quota_free(&q);
	tf_reply_fini(&offer);
	cli_disconnect(&cc);
	return rc;
}
