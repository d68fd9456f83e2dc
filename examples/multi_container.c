/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * multi_container: "Multi-container Applications": containers are
 * firewalled from each other until allow_connection_from opens a hole.
 *
 *     node = Location(debug_log=False).best_node()
 *     preboot = {'/usr/share/nginx/html/index.html': 'Hi!'}
 *     server_container = node.spawn('nginx', pre_boot_files=preboot)
 *     client_container = node.spawn('debian', sleep=True)
 *     test_cmd = "/native/usr/bin/wget --timeout=1 --tries=1 -q -O - http://" + \
 *                 server_container.ip()
 *     reply = client_container.spawn_process(test_cmd).wait_until_complete()
 *     print("Before -->" + reply.decode())
 *     server_container.allow_connection_from(client_container)
 *     reply = client_container.spawn_process(test_cmd).wait_until_complete()
 *     print("After -->" + reply.decode())
 *
 * (debian is Debian's minbase, scripts/build_debian_images.sh: it has no
 * wget, so bash's /dev/tcp makes the request, with timeout's 2 s in place
 * of --timeout, and sed drops the response headers.)
 */
#include <string.h>

#include "example.h"

static void
try_wget(tf_location **loc, tf_container *client, const char *cmd,
	 const char *label)
{
	tf_run_result r;
	tf_err err;

	if (tf_container_run_process(client, cmd, 30000, &r, &err) != 0)
		example_fail(loc, "spawn_process", &err);
	printf("%s -->%s\n", label, (const char *)r.out);
	fflush(stdout);
	tf_run_result_fini(&r);
}

int
main(void)
{
	tf_location *loc = example_connect();
	tf_file preboot[] = { { "/usr/share/nginx/html/index.html", "Hi!", 3 } };
	tf_spawn_opts server_opts = { .files = preboot, .nfiles = 1 };
	tf_spawn_opts client_opts = { .sleep = true };
	tf_container *server, *client;
	char cmd[256];
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	server = tf_node_spawn(node, "nginx", &server_opts, &err);
	client = server ? tf_node_spawn(node, "debian", &client_opts, &err) : NULL;
	if (client == NULL || tf_container_wait_ready(server, 0, &err) != 0 ||
	    tf_container_wait_ready(client, 0, &err) != 0)
		example_fail(&loc, "spawn", &err);
	snprintf(cmd, sizeof cmd, "timeout 2 bash -c 'exec 3<>/dev/tcp/%s/80; "
	    "printf \"GET / HTTP/1.0\\r\\n\\r\\n\" >&3; cat <&3' | "
	    "sed '1,/^\\r$/d'", tf_container_ip(server));
	try_wget(&loc, client, cmd, "Before");
	if (tf_container_allow_connection_from(server, client, &err) != 0)
		example_fail(&loc, "allow_connection_from", &err);
	try_wget(&loc, client, cmd, "After");
	tf_location_destroy(&loc);
	return 0;
}
