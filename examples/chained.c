/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * chained: "Quickstart examples": the chained one-liner.  C has no
 * exceptions to chain through, so each step hands its handle (or NULL and
 * an error) to the next; "." is the last image, as in `tf .`.
 *
 *     Location(debug_log=False).best_node().spawn(last_image()).attach_browser()
 *     signal.pause()
 */
#include "example.h"

int
main(void)
{
	tf_location *loc = example_connect();
	tf_node *node;
	tf_container *c = NULL;
	tf_err err;

	if ((node = tf_location_best_node(loc, &err)) == NULL ||
	    (c = tf_node_spawn(node, ".", NULL, &err)) == NULL ||
	    tf_container_attach_browser(c, 80, NULL, NULL, &err) == NULL)
		example_fail(&loc, "chained", &err);
	tf_location_run(loc, &err);
	tf_location_destroy(&loc);
	return 0;
}
