/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sdk_online: SDK tests against a real tf-location and tf-node: put/fetch
 * of multi-chunk files, a tunnel carrying megabytes each way (credit
 * windows, half-close), wait_tcp, console output, sleep and wake, other
 * sessions' tagged containers, processes (kill, close stdin, exit codes,
 * tty resize, failures as values), file errors, and disconnect destroying
 * what the session made.  Needs TF_DIR and TF_IMAGES; exits 77 when the
 * location has no node.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tf.h"
#include "tf_log.h"

static int fails, passes;

#define CHECK(cond, ...) do { \
	if (cond) { passes++; printf("ok - "); } \
	else { fails++; printf("not ok - "); } \
	printf(__VA_ARGS__); printf("\n"); fflush(stdout); \
} while (0)

#define BIG (5u << 20)
#define UP (3u << 20)

static uint8_t *
random_bytes(size_t n)
{
	uint8_t *p = malloc(n);
	FILE *f = fopen("/dev/urandom", "r");

	if (f == NULL || fread(p, 1, n, f) != n)
		abort();
	fclose(f);
	return p;
}

/* A blocking client on its own thread: the SDK's loop must keep running
 * on the main thread to relay its bytes. */
struct client {
	int port;
	const uint8_t *send;
	size_t send_len;
	bool half_close;		/* shutdown(SHUT_WR) after sending */
	uint8_t *got;
	size_t got_len;
	bool done;
	int error;
};

static void *
client_main(void *arg)
{
	struct client *c = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	size_t cap = 1 << 16;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_port = htons((uint16_t)c->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->got = malloc(cap);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		c->error = 1;
		goto out;
	}
	for (size_t off = 0; off < c->send_len;) {
		ssize_t w = write(fd, c->send + off, c->send_len - off);

		if (w <= 0) {
			c->error = 2;
			goto out;
		}
		off += (size_t)w;
	}
	if (c->half_close)
		shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t r;

		if (c->got_len == cap)
			c->got = realloc(c->got, cap *= 2);
		r = read(fd, c->got + c->got_len, cap - c->got_len);
		if (r <= 0)
			break;
		c->got_len += (size_t)r;
	}
	c->got = realloc(c->got, c->got_len + 1);
	c->got[c->got_len] = '\0';
out:
	close(fd);
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void
run_client(tf_location *loc, struct client *c)
{
	pthread_t t;

	pthread_create(&t, NULL, client_main, c);
	for (int i = 0; i < 600 && !__atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
	    i++)
		tf_location_sleep(loc, 100);
	pthread_join(t, NULL);
}

struct console {
	size_t bytes;
	char text[4096];
};

static void
on_console(tf_container *c, int fd, const uint8_t *data, size_t len, void *arg)
{
	struct console *k = arg;
	size_t room = sizeof k->text - 1 - strlen(k->text);

	k->bytes += len;
	strncat(k->text, (const char *)data, len < room ? len : room);
}

struct ended {
	int calls;
	int code;
	tf_model_ctr_state state;
};

static void
on_proc_end(tf_process *p, int code, void *arg)
{
	struct ended *e = arg;

	e->calls++;
	e->code = code;
}

static void
on_ctr_end(tf_container *c, tf_model_ctr_state st, int code, void *arg)
{
	struct ended *e = arg;

	e->calls++;
	e->code = code;
	e->state = st;
}

/* What the steps share: the session, the node, the tagged nginx and its
 * console output, and the 5 MiB that go up with put and down the tunnel. */
struct online {
	tf_location *loc;
	tf_node *node;
	tf_container *web;
	char tag[64];
	uint8_t *big;
	struct console console;
};

/* A tagged nginx with its console output. */
static void
test_spawn(struct online *x)
{
	tf_spawn_opts so = { .tag = x->tag, .output = on_console,
	    .output_arg = &x->console };
	tf_err err;

	snprintf(x->tag, sizeof x->tag, "web-%d", (int)getpid());
	x->web = tf_node_spawn_container(x->node, "nginx", &so, &err);
	CHECK(x->web != NULL, "spawn nginx tagged %s%s%s", x->tag,
	    x->web ? "" : ": ", x->web ? "" : err.msg);
	if (x->web == NULL)
		return;
	CHECK(strlen(tf_container_ip(x->web)) > 0, "it has an address (%s)",
	    tf_container_ip(x->web));
}

/* put and fetch, several chunks each way. */
static void
test_files(struct online *x)
{
	tf_container *web = x->web;
	uint8_t *data;
	char path[256];
	size_t len;
	tf_err err;
	int rc;

	x->big = random_bytes(BIG);
	rc = tf_container_put(web, "/usr/share/nginx/html/big.bin", x->big, BIG,
	    0, &err);
	CHECK(rc == 0, "put of 5 MiB%s%s", rc ? ": " : "", rc ? err.msg : "");
	rc = tf_container_fetch(web, "/usr/share/nginx/html/big.bin", &data,
	    &len, &err);
	CHECK(rc == 0 && len == BIG && memcmp(data, x->big, BIG) == 0,
	    "fetch returns the same 5 MiB");
	free(data);
	rc = tf_container_put(web, "/new/dir/empty", "", 0, 0, &err);
	CHECK(rc == 0 && tf_container_fetch(web, "/new/dir/empty", &data, &len,
	    &err) == 0 && len == 0, "an empty file, parents created");
	free(data);
	snprintf(path, sizeof path, "/tmp/sdk_online.%d", (int)getpid());
	rc = tf_container_fetch_file(web, "/etc/nginx/nginx.conf", path, &err);
	CHECK(rc == 0 && access(path, R_OK) == 0, "fetch_file");
	rc = tf_container_put_file(web, "/copy/nginx.conf", path, &err);
	CHECK(rc == 0, "put_file");
	unlink(path);
	CHECK(tf_container_fetch(web, "/etc", &data, &len, &err) == -1,
	    "fetch of a directory: %s", err.msg);
	CHECK(tf_container_fetch(web, "/no/such/file", &data, &len, &err) == -1,
	    "fetch of a missing file: %s", err.msg);
	rc = tf_container_fetch(web, "/../../../etc/hostname", &data, &len, &err);
	CHECK(rc == -1 || len == 0 || strstr((char *)data, "\n") != NULL,
	    "a path with .. stays inside the container (%s)", rc ? err.msg :
	    "confined");
	if (rc == 0)
		free(data);
}

/* The tunnel: 5 MiB down, past the 1 MiB credit window. */
static void
test_tunnel_down(struct online *x)
{
	tf_tunnel *t;
	tf_err err;
	int rc;

	t = tf_container_attach_tunnel(x->web, 80, 0, NULL, &err);
	CHECK(t != NULL && tf_tunnel_localport(t) > 0, "a tunnel on a free "
	    "port (%d)", t ? tf_tunnel_localport(t) : 0);
	if (t != NULL) {
		static const char get[] = "GET /big.bin HTTP/1.0\r\n\r\n";
		struct client c = { .port = tf_tunnel_localport(t),
		    .send = (const uint8_t *)get, .send_len = sizeof get - 1 };
		const uint8_t *body;

		run_client(x->loc, &c);
		body = c.got_len > 4 ? memmem(c.got, c.got_len, "\r\n\r\n", 4) :
		    NULL;
		CHECK(c.error == 0 && body != NULL &&
		    (size_t)(c.got + c.got_len - body - 4) == BIG &&
		    memcmp(body + 4, x->big, BIG) == 0,
		    "5 MiB through the tunnel arrive intact (%zu bytes)",
		    c.got_len);
		free(c.got);
		rc = tf_tunnel_destroy(t, &err);
		CHECK(rc == 0, "tunnel destroyed");
	}
	free(x->big);
	x->big = NULL;
	CHECK(x->console.bytes > 0, "console output arrived (%zu bytes)",
	    x->console.bytes);
}

/* Upload through a tunnel, with half-close: nc hands the stream to sh,
 * which stores it and answers with its size. */
static void
test_tunnel_up(struct online *x)
{
	tf_spawn_opts so = { .command = (const char *const[]){ "nc",
	    "-ll", "-p", "5000", "-e", "sh", "-c",
	    "cat > /tmp/up; wc -c < /tmp/up", NULL } };
	tf_container *up;
	tf_tunnel *t;
	uint8_t *data;
	size_t len;
	tf_err err;
	int rc;

	up = tf_node_spawn_container(x->node, "busybox", &so, &err);
	CHECK(up != NULL, "spawn a busybox listener");
	if (up != NULL) {
		uint8_t *payload = random_bytes(UP);
		struct client c = { .send = payload, .send_len = UP,
		    .half_close = true };

		rc = tf_container_wait_tcp(up, 5000, 20000, &err);
		CHECK(rc == 0, "wait_tcp(5000)%s%s", rc ? ": " : "",
		    rc ? err.msg : "");
		t = tf_container_attach_tunnel(up, 5000, 0, NULL, &err);
		c.port = t != NULL ? tf_tunnel_localport(t) : 0;
		if (t != NULL)
			run_client(x->loc, &c);
		CHECK(c.error == 0 && c.got_len > 0 && atol((char *)c.got) ==
		    (long)UP, "3 MiB up the tunnel; the reply came after our "
		    "half-close (%ld)", c.got_len > 0 ? atol((char *)c.got) : 0L);
		rc = tf_container_fetch(up, "/tmp/up", &data, &len, &err);
		CHECK(rc == 0 && len == UP && memcmp(data, payload, UP) == 0,
		    "and the container stored exactly what was sent");
		if (rc == 0)
			free(data);
		free(c.got);
		free(payload);
	}
}

/* Sleep, wake, the end callback. */
static void
test_sleep_wake(struct online *x)
{
	struct ended e = { 0 };
	struct console k = { 0 };
	tf_spawn_opts so = { .sleep = true, .on_end = on_ctr_end,
	    .on_end_arg = &e, .output = on_console, .output_arg = &k };
	tf_container *sleeper;
	tf_err err;
	int rc;

	sleeper = tf_node_spawn_container(x->node, "ends-test", &so, &err);
	CHECK(sleeper != NULL && tf_container_state(sleeper) ==
	    TF_CTR_SLEEPING, "spawned asleep");
	rc = sleeper ? tf_container_wake(sleeper, &err) : -1;
	CHECK(rc == 0, "wake%s%s", rc ? ": " : "", rc ? err.msg : "");
	rc = sleeper ? tf_container_wait_end(sleeper, 20000, &err) : -1;
	CHECK(rc == 0 && e.calls == 1 && e.state == TF_CTR_EXITED &&
	    e.code == 0, "it ran and exited 0; the end callback fired "
	    "once");
	tf_location_sleep(x->loc, 300);
	CHECK(strstr(k.text, "ends-test: finished") != NULL &&
	    strstr(k.text, "whiteout") == NULL,
	    "its console output (and the whiteout was applied)");
}

static void
test_processes(struct online *x)
{
	struct ended e = { 0 };
	tf_process_opts po = { .on_end = on_proc_end, .arg = &e };
	tf_container *web = x->web;
	tf_process *p;
	tf_run_result r;
	uint8_t *reply;
	tf_err err;
	int rc, code = -1;

	p = tf_container_spawn_process(web, "sleep 100", &po, &err);
	rc = p ? tf_container_destroy_process(web, p, &err) : -1;
	CHECK(rc == 0 && e.calls == 1 && e.code != 0,
	    "destroy_process kills and the end callback fires (%d)",
	    e.code);
	p = tf_container_spawn_argv(web, (const char *const[]){ "cat",
	    NULL }, NULL, &err);
	rc = p ? tf_process_stdin(p, "hello\n", 6, &err) : -1;
	rc |= p ? tf_process_close_stdin(p, &err) : -1;
	rc |= p ? tf_process_wait(p, 10000, &code, &err) : -1;
	CHECK(rc == 0 && code == 0 && strcmp((const char *)
	    tf_process_output(p, NULL), "hello\n") == 0,
	    "cat echoes stdin and ends when it is closed");
	rc = tf_container_run_process(web, "echo out; echo err >&2; "
	    "exit 7", 10000, &r, &err);
	CHECK(rc == 0 && r.exit_code == 7 && strcmp((char *)r.out, "out\n")
	    == 0 && strcmp((char *)r.err, "err\n") == 0,
	    "run_process: stdout, stderr and exit code kept apart");
	tf_run_result_fini(&r);
	p = tf_container_spawn_argv(web, (const char *const[]){
	    "/no/such/program", NULL }, NULL, &err);
	rc = p ? tf_process_wait(p, 10000, &code, &err) : -1;
	CHECK(rc == -1, "a program that cannot start is an error value: %s",
	    err.msg);
	p = tf_container_spawn_shell(web, NULL, NULL, &err);
	rc = p ? tf_process_resize(p, 40, 100, &err) : -1;
	tf_location_sleep(x->loc, 300);
	rc |= p ? tf_process_stdin_reply(p, "stty size\n", 10, true, 300,
	    5000, &reply, NULL, &err) : -1;
	CHECK(rc == 0 && strstr((char *)reply, "40 100") != NULL,
	    "a tty follows resize (stty size says 40 100)%s%s",
	    rc ? ": " : "", rc ? err.msg : "");
	if (rc == 0)
		free(reply);
}

/* Another session of the same user sees the tagged container; and this
 * session's disconnect destroys it. */
static void
test_other_session(struct online *x)
{
	tf_location *other;
	tf_container *found = NULL;
	char path[256];
	tf_err err;

	other = tf_location_new(NULL, &err);
	if (other != NULL) {
		found = tf_location_find_container(other, x->tag, &err);
		CHECK(found != NULL && tf_container_is_external(found) &&
		    strcmp(tf_container_id(found), tf_container_id(x->web)) == 0,
		    "another session finds %s by tag", x->tag);
		snprintf(path, sizeof path, "%s:%s", tf_container_id(x->web),
		    x->tag);
		CHECK(tf_location_find_container(other, path, &err) == found,
		    "and by uuid:tag");
		CHECK(found != NULL && tf_container_destroy(found, &err) == -1,
		    "but may not destroy it: %s", err.msg);
	}

	snprintf(path, sizeof path, "%s", tf_container_id(x->web));
	tf_location_destroy(&x->loc);
	x->web = NULL;
	if (other != NULL) {
		tf_location_sleep(other, 1000);
		found = tf_location_find_container(other, path, &err);
		CHECK(found == NULL || tf_container_state(found) ==
		    TF_CTR_DESTROYED, "disconnect destroyed the container");
		tf_location_destroy(&other);
	}
}

/* In order; all but the first need the nginx it spawns. */
static const struct {
	const char *name;
	void (*fn)(struct online *);
} online_tests[] = {
	{ "spawn", test_spawn },
	{ "files", test_files },
	{ "tunnel_down", test_tunnel_down },
	{ "tunnel_up", test_tunnel_up },
	{ "sleep_wake", test_sleep_wake },
	{ "processes", test_processes },
	{ "other_session", test_other_session },
};

int
main(void)
{
	struct online x = { 0 };
	tf_err err;

	tf_log_setup(getenv("V") ? TF_LOG_DEBUG : TF_LOG_WARN, "sdk_online",
	    stderr);
	x.loc = tf_location_new(NULL, &err);
	if (x.loc == NULL) {
		printf("not ok - connect: %s\n", err.msg);
		return 1;
	}
	x.node = tf_location_best_node(x.loc, &err);
	if (x.node == NULL) {
		printf("SKIP: %s\n", err.msg);
		tf_location_destroy(&x.loc);
		return 77;
	}
	for (size_t i = 0; i < sizeof online_tests / sizeof online_tests[0];
	    i++) {
		printf("# %s\n", online_tests[i].name);
		online_tests[i].fn(&x);
		if (x.web == NULL)
			break;
	}
	free(x.big);
	tf_location_destroy(&x.loc);
	printf("%d passed, %d failed\n", passes, fails);
	return fails == 0 ? 0 : 1;
}
