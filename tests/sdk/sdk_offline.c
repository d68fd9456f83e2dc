/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sdk_offline: SDK tests against a real tf-location with no node: connect
 * and the first offer, the key/value store, images (ensure, push, last,
 * ports), errors as values (no node, unknown image, unknown volume, a
 * foreign thread), the background loop thread with tf_location_call and
 * tf_location_post, signals ending tf_location_run, and disconnect.
 * Needs TF_DIR (an account) and TF_IMAGES (scripts/build_images.sh).
 * Prints TAP-like lines; exit 0 when everything passed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tf.h"
#include "tf_log.h"

static int fails, passes;

#define CHECK(cond, ...) do { \
	if (cond) { passes++; printf("ok - "); } \
	else { fails++; printf("not ok - "); } \
	printf(__VA_ARGS__); printf("\n"); fflush(stdout); \
} while (0)

struct thread_test {
	tf_location *loc;
	int got;
	char value[64];
	bool foreign_refused;
	char foreign_msg[TF_ERR_LEN];
};

static void
job_kv(tf_location *loc, void *arg)
{
	struct thread_test *t = arg;
	char *v = NULL;
	tf_err err;

	if (tf_kv_set1(loc, "thread/key", "from-the-loop-thread", &err) == 0 &&
	    tf_kv_get(loc, "thread/key", &v, &err) == 0) {
		snprintf(t->value, sizeof t->value, "%s", v);
		free(v);
	}
	t->got++;
}

static void
job_count(tf_location *loc, void *arg)
{
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_SEQ_CST);
}

static void *
raise_later(void *arg)
{
	usleep(300000);
	kill(getpid(), SIGINT);
	return NULL;
}

/* What the steps share: the options of the session, and the session. */
struct offline {
	tf_location_opts lo;
	tf_location *loc;
};

/* A location that does not answer: an error, not a hang. */
static void
test_unreachable(struct offline *x)
{
	tf_location_opts lo;
	tf_location *loc;
	tf_err err;

	memset(&lo, 0, sizeof lo);
	lo.address = "127.0.0.1:1";
	lo.timeout_ms = 1500;
	loc = tf_location_new(&lo, &err);
	CHECK(loc == NULL && strstr(err.msg, "could not reach") != NULL,
	    "an unreachable location is an error: %s", err.msg);
}

static void
test_connect(struct offline *x)
{
	tf_err err;

	memset(&x->lo, 0, sizeof x->lo);
	x->lo.program = "sdk_offline";
	x->loc = tf_location_new(&x->lo, &err);
	CHECK(x->loc != NULL, "connect and receive the first offer%s%s",
	    x->loc ? "" : ": ", x->loc ? "" : err.msg);
	if (x->loc == NULL)
		return;
	CHECK(strcmp(tf_location_state(x->loc), "connected") == 0,
	    "state is connected");
	CHECK(strlen(tf_location_session(x->loc)) == 22, "a session id");
}

static void
test_kv(struct offline *x)
{
	const char *pairs[] = { "prod/db", "vol-1", "dev/db", "vol-2",
	    "other", "x", NULL };
	char *v = NULL, **keys = NULL;
	tf_location *loc = x->loc;
	tf_err err;
	int rc;

	CHECK(tf_kv_set(loc, pairs, &err) == 0, "kv_set of three pairs");
	CHECK(tf_kv_get(loc, "prod/db", &v, &err) == 0 &&
	    strcmp(v, "vol-1") == 0, "kv_get returns the value");
	free(v);
	CHECK(tf_kv_list(loc, "prod/", &keys, &err) == 0 &&
	    keys[0] != NULL && strcmp(keys[0], "prod/db") == 0 &&
	    keys[1] == NULL, "kv_list with a prefix");
	tf_strv_free(keys);
	CHECK(tf_kv_del(loc, "prod/db", &err) == 0, "kv_del");
	rc = tf_kv_get(loc, "prod/db", &v, &err);
	CHECK(rc == -1 && strstr(err.msg, "no such key") != NULL,
	    "a deleted key is an error value: %s", err.msg);
}

static void
test_images(struct offline *x)
{
	tf_location *loc = x->loc;
	char id[80], last[80];
	int ports[8], n, rc;
	tf_err err;

	rc = tf_location_ensure_image_uploaded(loc, "busybox", NULL, NULL, id,
	    sizeof id, &err);
	CHECK(rc == 0 && strlen(id) == 64, "ensure_image_uploaded(busybox)%s%s",
	    rc ? ": " : "", rc ? err.msg : "");
	rc = tf_location_push_image(loc, "nginx", NULL, NULL, id, sizeof id,
	    &err);
	CHECK(rc == 0, "push_image(nginx)%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	CHECK(tf_location_last_image(loc, last, sizeof last, &err) == 0 &&
	    strcmp(last, id) == 0, "last_image is the image pushed last");
	rc = tf_location_ensure_image_uploaded(loc, "busybox", NULL, NULL, NULL,
	    0, &err);
	CHECK(tf_location_last_image(loc, last, sizeof last, &err) == 0 &&
	    strcmp(last, id) == 0, "ensure of a known image keeps last_image");
	n = tf_location_image_ports(loc, "nginx", ports, 8, &err);
	CHECK(n == 1 && ports[0] == 80, "nginx exposes port 80 (n=%d)", n);
	rc = tf_location_ensure_image_uploaded(loc, "no-such-image", NULL, NULL,
	    NULL, 0, &err);
	CHECK(rc == -1 && strstr(err.msg, "unknown image") != NULL,
	    "an unknown image is an error value: %s", err.msg);
}

/* No node: errors, not crashes. */
static void
test_no_node(struct offline *x)
{
	tf_location *loc = x->loc;
	tf_container *c;
	tf_spawn_opts so;
	tf_mount m[2] = { { NULL, "a", "/data" }, { NULL, "b", "/data/x" } };
	tf_err err;
	int rc;

	CHECK(tf_location_best_node(loc, &err) == NULL &&
	    strcmp(err.msg, "The location has no nodes") == 0,
	    "best_node without nodes: %s", err.msg);
	c = tf_location_spawn(loc, "busybox", NULL, &err);
	rc = c != NULL ? tf_container_wait_ready(c, 5000, &err) : -1;
	CHECK(rc == -1 && strstr(err.msg, "no node") != NULL,
	    "spawn without nodes fails with: %s", err.msg);
	CHECK(c == NULL || tf_container_state(c) == TF_CTR_FAILED,
	    "and the container handle says failed");
	CHECK(tf_location_volume(loc, "nope", &err) == NULL &&
	    strstr(err.msg, "Can't find volume") != NULL,
	    "an unknown volume: %s", err.msg);
	CHECK(tf_location_create_volume(loc, NULL, "Bad Tag", &err) == NULL &&
	    strstr(err.msg, "Tag names") != NULL, "a bad tag: %s", err.msg);
	CHECK(tf_location_find_container(loc, "nothing-here", &err) == NULL,
	    "find of nothing: %s", err.msg);
	memset(&so, 0, sizeof so);
	so.mounts = m;
	so.nmounts = 2;
	CHECK(tf_location_spawn(loc, "busybox", &so, &err) == NULL &&
	    strstr(err.msg, "subtree") != NULL,
	    "nested mount points: %s", err.msg);
}

/* The loop on a thread of its own; stopping it disconnects. */
static void
test_thread(struct offline *x)
{
	tf_location *loc = x->loc;
	struct thread_test t;
	char *v = NULL;
	int count = 0, rc;
	tf_err err;

	memset(&t, 0, sizeof t);
	t.loc = loc;
	CHECK(tf_location_thread_start(loc, &err) == 0,
	    "thread_start");
	CHECK(tf_kv_get(loc, "dev/db", &v, &err) == -1 &&
	    strstr(err.msg, "tf_location_call") != NULL,
	    "a direct call from a foreign thread is refused");
	CHECK(tf_location_call(loc, job_kv, &t, &err) == 0 &&
	    t.got == 1 && strcmp(t.value, "from-the-loop-thread") == 0,
	    "tf_location_call runs blocking SDK calls on the loop "
	    "thread");
	for (int i = 0; i < 10; i++)
		tf_location_post(loc, job_count, &count, &err);
	tf_location_call(loc, job_count, &count, &err);
	CHECK(__atomic_load_n(&count, __ATOMIC_SEQ_CST) == 11,
	    "posted jobs run in order before a later call returns");
	rc = tf_location_thread_stop(loc);
	CHECK(rc == 0, "thread_stop joins (code %d)", rc);
	CHECK(strcmp(tf_location_state(loc), "closed") == 0,
	    "and the location is disconnected afterwards");
	tf_location_destroy(&x->loc);
}

/* A signal ends tf_location_run, which disconnects. */
static void
test_signal(struct offline *x)
{
	pthread_t th;
	tf_err err;
	int rc;

	x->loc = tf_location_new(&x->lo, &err);
	CHECK(x->loc != NULL, "connect again");
	if (x->loc == NULL)
		return;
	/* Before any thread starts, so that it inherits the mask. */
	tf_location_catch_signals(x->loc, &err);
	pthread_create(&th, NULL, raise_later, NULL);
	rc = tf_location_sleep(x->loc, 5000);
	CHECK(rc == -1 && tf_location_completed(x->loc),
	    "SIGINT completes the location during tf_location_sleep");
	rc = tf_location_run(x->loc, &err);
	CHECK(rc == 128 + SIGINT, "run returns 128 + SIGINT (%d)", rc);
	pthread_join(th, NULL);
	tf_location_destroy(&x->loc);
}

/* In order; a failed connect ends the run (the others need it). */
static const struct {
	const char *name;
	void (*fn)(struct offline *);
} offline_tests[] = {
	{ "unreachable", test_unreachable },
	{ "connect", test_connect },
	{ "kv", test_kv },
	{ "images", test_images },
	{ "no_node", test_no_node },
	{ "thread", test_thread },
	{ "signal", test_signal },
};

int
main(int argc, char **argv)
{
	struct offline x;

	tf_log_setup(getenv("V") ? TF_LOG_DEBUG : TF_LOG_WARN, "sdk_offline",
	    stderr);
	memset(&x, 0, sizeof x);
	for (size_t i = 0; i < sizeof offline_tests / sizeof offline_tests[0];
	    i++) {
		printf("# %s\n", offline_tests[i].name);
		offline_tests[i].fn(&x);
		if (offline_tests[i].fn == test_connect && x.loc == NULL)
			return 1;
	}
	printf("%d passed, %d failed\n", passes, fails);
	return fails == 0 ? 0 : 1;
}
