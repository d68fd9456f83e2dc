/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * procs_async: "Additional Processes", asynchronously, on one thread: the
 * 10 s wait runs the loop (tf_location_sleep), so callbacks arrive during
 * it.  (process_async does the same with a background loop thread.)
 *
 *     node = Location().best_node()
 *     container = node.spawn_container('nginx')
 *     vmstat = container.spawn_process('/sbin/vmstat 1',
 *                                      data_callback=dc, termination_callback=tc)
 *     sleep = container.spawn_process('/bin/sleep 3',
 *                                     termination_callback=sleep_tc)
 *     time.sleep(10)
 *     container.destroy_process(vmstat)  # just so we get the callback
 */
#include "example.h"

static void
dc(tf_process *p, int fd, const uint8_t *data, size_t len, void *arg)
{
	printf("%.*s", (int)len, (const char *)data);
	fflush(stdout);
}

static void
tc(tf_process *p, int exit_code, void *arg)
{
	printf("vmstat terminated\n");
}

static void
sleep_tc(tf_process *p, int exit_code, void *arg)
{
	printf("---sleep terminated---\n");
}

int
main(void)
{
	tf_location *loc = example_connect();
	tf_process_opts vm = { .data = dc, .on_end = tc };
	tf_process_opts sl = { .on_end = sleep_tc };
	tf_container *container;
	tf_process *vmstat;
	tf_node *node;
	tf_err err;

	node = tf_location_best_node(loc, &err);
	if (node == NULL)
		example_fail(&loc, "best_node", &err);
	container = tf_node_spawn_container(node, "nginx", NULL, &err);
	if (container == NULL)
		example_fail(&loc, "spawn_container", &err);
	/* busybox has no vmstat; its argv form runs without a shell. */
	vmstat = tf_container_spawn_argv(container, (const char *const[]){
	    "/bin/sh", "-c", "while true; do cat /proc/loadavg; sleep 1; done",
	    NULL }, &vm, &err);
	if (vmstat == NULL)
		example_fail(&loc, "spawn_process", &err);
	if (tf_container_spawn_argv(container, (const char *const[]){
	    "/bin/sleep", "3", NULL }, &sl, &err) == NULL)
		example_fail(&loc, "spawn_process", &err);
	tf_location_sleep(loc, 10000);
	if (tf_container_destroy_process(container, vmstat, &err) != 0)
		example_fail(&loc, "destroy_process", &err);
	tf_location_destroy(&loc);
	return 0;
}
