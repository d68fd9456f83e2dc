/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * process_async: "Launching Processes in Containers", asynchronously, with
 * the loop on a background thread as the Python SDK had it: the main
 * thread sleeps for 10 s (time.sleep) while the loop thread delivers
 * output and termination callbacks; SDK calls from the main thread are
 * handed to the loop thread with tf_location_call.
 *
 *     def dc(obj, data): print(data.decode(), end='')
 *     def tc(obj): print("vmstat terminated")
 *     def sleep_tc(obj): print("---sleep terminated---")
 *
 *     location = Location(debug_log=False)
 *     container = location.best_node().spawn('nginx')
 *     vmstat = container.spawn_process('vmstat 1', data_callback=dc,
 *                                      termination_callback=tc)
 *     sleep = container.spawn_process('sleep 3',
 *                                     termination_callback=sleep_tc)
 *     time.sleep(10)
 *     container.destroy_process(vmstat)  # just so we get the callback
 *
 * busybox has no vmstat: a loop printing /proc/loadavg every second
 * stands in for it.
 */
#include <unistd.h>

#include "example.h"

struct work {
	tf_container *container;
	tf_process *vmstat, *sleep;
	tf_err err;
	int rc;
};

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
	fflush(stdout);
}

static void
sleep_tc(tf_process *p, int exit_code, void *arg)
{
	printf("---sleep terminated---\n");
	fflush(stdout);
}

/* Runs on the loop thread. */
static void
start(tf_location *loc, void *arg)
{
	struct work *w = arg;
	tf_process_opts vm = { .data = dc, .on_end = tc };
	tf_process_opts sl = { .on_end = sleep_tc };
	tf_node *node = tf_location_best_node(loc, &w->err);

	w->rc = -1;
	if (node == NULL ||
	    (w->container = tf_node_spawn(node, "nginx", NULL, &w->err)) == NULL)
		return;
	w->vmstat = tf_container_spawn_process(w->container,
	    "while true; do cat /proc/loadavg; sleep 1; done", &vm, &w->err);
	if (w->vmstat == NULL)
		return;
	w->sleep = tf_container_spawn_process(w->container, "sleep 3", &sl,
	    &w->err);
	if (w->sleep != NULL)
		w->rc = 0;
}

static void
stop(tf_location *loc, void *arg)
{
	struct work *w = arg;

	w->rc = tf_container_destroy_process(w->container, w->vmstat, &w->err);
}

int
main(void)
{
	tf_location *loc = example_connect();
	struct work w = { 0 };
	tf_err err;

	if (tf_location_thread_start(loc, &err) != 0)
		example_fail(&loc, "thread_start", &err);
	tf_location_call(loc, start, &w, NULL);
	if (w.rc != 0)
		example_fail(&loc, "spawn_process", &w.err);
	sleep(10);				/* time.sleep(10) */
	tf_location_call(loc, stop, &w, NULL);
	if (w.rc != 0)
		example_fail(&loc, "destroy_process", &w.err);
	tf_location_thread_stop(loc);		/* disconnects */
	tf_location_destroy(&loc);
	return 0;
}
