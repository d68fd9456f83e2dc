/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_node_daemon: tf-node end to end, as a client sees it.  Starts a
 * private tf-location and tf-node (root, runc), makes an account, pushes a
 * one-layer busybox image, and then drives the node through the location:
 * spawn (the node fetches the layer with layer_get and checks its sha256),
 * container events, logs with backlog, processes (plain, pty, stdin,
 * failure), put/fetch, a tunnel to busybox httpd, firewall allow, reboot
 * with reset, destroy, volumes, an allowance that dies with the container
 * it allowed, and a SIGTERM shutdown that leaves nothing behind.
 *
 *   test_node_daemon <tf-location> <tf-node> <tf-init>
 *
 * Exits 77 (skipped) when not root or runc is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "tf_call.h"
#include "tf_conn.h"
#include "tf_enrol.h"
#include "tf_log.h"
#include "tf_util.h"

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
		    __LINE__, #cond); \
		finish(1); \
	} \
} while (0)
#define STEP(...) do { printf("-- "); printf(__VA_ARGS__); printf("\n"); \
	fflush(stdout); } while (0)

static char g_tmp[160];
static pid_t g_loc = -1, g_node = -1;
static tf_loop *g_loop;
static tf_conn *g_conn;

static void
finish(int rc)
{
	char cmd[600];

	if (g_node > 0) {
		kill(g_node, SIGTERM);
		waitpid(g_node, NULL, 0);
	}
	if (g_loc > 0) {
		kill(g_loc, SIGTERM);
		waitpid(g_loc, NULL, 0);
	}
	if (rc != 0) {
		snprintf(cmd, sizeof cmd, "echo '--- node log'; tail -n 40 %s/node.log; "
		    "echo '--- location log'; tail -n 20 %s/loc.log", g_tmp, g_tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "(no logs)\n");
	}
	if (g_tmp[0] != '\0' && getenv("KEEP") == NULL) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", g_tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", g_tmp);
	}
	exit(rc);
}

/* --- processes ---------------------------------------------------------- */

static pid_t
start(const char *log, char *const argv[])
{
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static char *
run_out(const char *cmd)
{
	char buf[4096];
	size_t n;
	FILE *f = popen(cmd, "r");

	CHECK(f != NULL);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	CHECK(pclose(f) == 0);
	buf[strcspn(buf, "\n")] = '\0';
	return tf_strdup(buf);
}

static void
wait_log(const char *path, const char *needle, int seconds)
{
	int i;

	for (i = 0; i < seconds * 10; i++) {
		char *s = tf_read_file(path, NULL, 16 << 20);
		bool found = s != NULL && strstr(s, needle) != NULL;

		free(s);
		if (found)
			return;
		usleep(100000);
	}
	fprintf(stderr, "timed out waiting for '%s' in %s\n", needle, path);
	finish(1);
}

/* Waits until needle occurs n times in the log at path (a restarted
 * daemon appends to the log of the one before). */
static void
wait_log_n(const char *path, const char *needle, int n, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		char *s = tf_read_file(path, NULL, 16 << 20);
		int found = 0;

		for (const char *p = s; p != NULL && (p = strstr(p, needle)) != NULL;
		    p += strlen(needle))
			found++;
		free(s);
		if (found >= n)
			return;
		usleep(100000);
	}
	fprintf(stderr, "timed out waiting for '%s' x%d in %s\n", needle, n,
	    path);
	finish(1);
}

/* --- events and streams --------------------------------------------------- */

typedef struct ev_state {
	char ctr[64];
	char state[32];
	char ip[32];
	char error[256];
	int64_t exit_code;
	int64_t startup_ms;
	int running_count;
	bool gone;
} ev_state;

static ev_state g_ev;

static void
push_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	char id[64];

	(void)c;
	(void)arg;
	if (strcmp(m->cmd, "container") == 0) {
		if (tf_msg_str(m, "container", id, sizeof id, true, NULL) != 0 ||
		    strcmp(id, g_ev.ctr) != 0)
			return;
		tf_msg_str(m, "state", g_ev.state, sizeof g_ev.state, false, NULL);
		tf_msg_str(m, "ip", g_ev.ip, sizeof g_ev.ip, false, NULL);
		tf_msg_str(m, "error", g_ev.error, sizeof g_ev.error, false, NULL);
		tf_msg_int(m, "exit_code", &g_ev.exit_code, INT32_MIN, INT32_MAX,
		    false, NULL);
		tf_msg_int(m, "startup_ms", &g_ev.startup_ms, 0, INT64_MAX,
		    false, NULL);
		if (strcmp(g_ev.state, "running") == 0)
			g_ev.running_count++;
		printf("   event: %s %s ip=%s startup=%lldms %s\n", id,
		    g_ev.state, g_ev.ip, (long long)g_ev.startup_ms, g_ev.error);
	} else if (strcmp(m->cmd, "container_gone") == 0) {
		if (tf_msg_str(m, "container", id, sizeof id, true, NULL) == 0 &&
		    strcmp(id, g_ev.ctr) == 0)
			g_ev.gone = true;
	}
}

typedef struct stream {
	uint64_t id;
	char out[1 << 16];
	size_t outlen;
	char err[4096];
	size_t errlen;
	bool started, done, failed;
	int64_t exit_code, sig;
	char error[512];
	int opens, closes;
	int64_t acked;
	size_t total;			/* bulk bytes received, all fds */
	size_t acked_out;		/* of those, acknowledged */
} stream;

static void
stream_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	stream *s = arg;
	char event[32] = "";
	int64_t fd = 1;

	(void)c;
	if (tf_msg_is_stream(m)) {
		tf_msg_str(m, "event", event, sizeof event, false, NULL);
		tf_msg_int(m, "fd", &fd, 1, 2, false, NULL);
		if (strcmp(event, "started") == 0 || strcmp(event, "ready") == 0)
			s->started = true;
		else if (strcmp(event, "open") == 0)
			s->opens++;
		else if (strcmp(event, "close") == 0)
			s->closes++;
		else if (strcmp(event, "error") == 0)
			tf_msg_str(m, "error", s->error, sizeof s->error, false,
			    NULL);
		else if (strcmp(event, "ack") == 0) {
			int64_t b = 0;

			tf_msg_int(m, "bytes", &b, 0, INT64_MAX, false, NULL);
			s->acked += b;
		}
		if (m->bulk != NULL && m->bulk_len > 0) {
			char *dst = fd == 2 ? s->err : s->out;
			size_t *len = fd == 2 ? &s->errlen : &s->outlen;
			size_t cap = fd == 2 ? sizeof s->err : sizeof s->out;
			size_t n = m->bulk_len;

			s->total += m->bulk_len;

			if (*len + n >= cap)
				n = cap - *len - 1;
			memcpy(dst + *len, m->bulk, n);
			*len += n;
			dst[*len] = '\0';
		}
		return;
	}
	s->done = true;
	s->failed = tf_msg_is_error(m);
	tf_msg_int(m, "exit_code", &s->exit_code, INT32_MIN, INT32_MAX, false,
	    NULL);
	tf_msg_int(m, "signal", &s->sig, 0, 64, false, NULL);
	tf_msg_str(m, "error", s->error, sizeof s->error, false, NULL);
}

#define WAIT(ms, cond) do { \
	uint64_t end_ = tf_now_ms() + (ms); \
	while (!(cond) && tf_now_ms() < end_) \
		tf_loop_run_once(g_loop, 50); \
	CHECK(cond); \
} while (0)

static void
call(tf_out *o, const void *bulk, size_t len, tf_reply *r)
{
	tf_err err;
	tf_reply tmp;

	if (tf_conn_call(g_conn, o, bulk, len, 20000, r ? r : &tmp, &err) != 0) {
		fprintf(stderr, "%s failed: %s\n", o->cmd, err.msg);
		finish(1);
	}
	if (r == NULL)
		tf_reply_fini(&tmp);
}

static int
call_err(tf_out *o, const void *bulk, size_t len, tf_err *err)
{
	tf_reply r;
	int rc = tf_conn_call(g_conn, o, bulk, len, 20000, &r, err);

	if (rc == 0)
		tf_reply_fini(&r);
	return rc;
}

/* Spawns a busybox container and waits until it runs; g_ev follows it. */
static void
spawn_running(char id[64], char ip[32])
{
	tf_reply r;
	tf_out o;

	memset(&g_ev, 0, sizeof g_ev);
	tf_out_init(&o, "spawn");
	tf_out_str(&o, "image", "bb");
	call(&o, NULL, 0, &r);
	CHECK(tf_obj_str(r.params, "container", g_ev.ctr, sizeof g_ev.ctr, true,
	    NULL) == 0);
	tf_reply_fini(&r);
	WAIT(30000, strcmp(g_ev.state, "running") == 0);
	CHECK(g_ev.ip[0] != '\0');
	snprintf(id, 64, "%s", g_ev.ctr);
	snprintf(ip, 32, "%s", g_ev.ip);
}

/* The destroy is answered once the node has taken the container down. */
static void
destroy_gone(const char *id)
{
	tf_out o;

	memset(&g_ev, 0, sizeof g_ev);
	snprintf(g_ev.ctr, sizeof g_ev.ctr, "%s", id);
	tf_out_init(&o, "destroy");
	tf_out_str(&o, "container", id);
	call(&o, NULL, 0, NULL);
	WAIT(10000, g_ev.gone);
}

static void
allow(const char *cmd, const char *id, const char *ip)
{
	tf_out o;

	tf_out_init(&o, cmd);
	tf_out_str(&o, "container", id);
	tf_out_str(&o, "ip", ip);
	call(&o, NULL, 0, NULL);
}

/* Whether the firewall of container id lets ip in. */
static bool
fw_lets_in(const char *id, const char *ip)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "ns=$(ls /run/netns | grep %s) && "
	    "ip netns exec \"$ns\" nft list set inet tf_fw allowed | "
	    "grep -qwF %s", id, ip);
	return system(cmd) == 0;
}

static void
stream_open(stream *s, tf_out *o, const void *bulk, size_t len)
{
	memset(s, 0, sizeof *s);
	s->id = tf_conn_request(g_conn, o, bulk, len, stream_cb, s);
	CHECK(s->id != 0);
}

/* --- the image ------------------------------------------------------------ */

static void
make_layer(const char *dir, const char *tar, char sha[65])
{
	char cmd[16384];
	unsigned char digest[crypto_hash_sha256_BYTES], buf[65536];
	crypto_hash_sha256_state st;
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof cmd, "set -e; mkdir -p %s/bin %s/etc %s/tmp "
	    "%s/proc %s/sys %s/dev %s/www; cp /bin/busybox %s/bin/; "
	    "for a in $(/bin/busybox --list); do [ $a = busybox ] || "
	    "ln -s busybox %s/bin/$a; done; echo 'root:x:0:0::/:/bin/sh' > "
	    "%s/etc/passwd; echo 'hello from httpd' > %s/www/index.html; "
	    "chmod 1777 %s/tmp; tar -C %s --numeric-owner -cf %s .",
	    dir, dir, dir, dir, dir, dir, dir, dir, dir, dir, dir, dir, dir, tar);
	CHECK(system(cmd) == 0);
	f = fopen(tar, "rb");
	CHECK(f != NULL);
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	fclose(f);
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(sha, 65, digest, sizeof digest);
}

static void
push_image(const char *tar, const char *sha)
{
	size_t len, off = 0;
	char *data = tf_read_file(tar, &len, 64 << 20);
	msgpack_packer *pk;
	tf_out o;

	CHECK(data != NULL);
	while (off < len || len == 0) {
		size_t n = len - off > (256u << 10) ? (256u << 10) : len - off;

		tf_out_init(&o, "layer_put");
		tf_out_str(&o, "sha256", sha);
		tf_out_int(&o, "offset", (int64_t)off);
		tf_out_bool(&o, "last", off + n == len);
		call(&o, data + off, n, NULL);
		off += n;
		if (off == len)
			break;
	}
	free(data);
	tf_out_init(&o, "image_put");
	tf_out_str(&o, "image", sha);
	pk = tf_out_key(&o, "names");
	msgpack_pack_array(pk, 1);
	tf_pack_str(pk, "bb");
	pk = tf_out_key(&o, "layers");
	msgpack_pack_array(pk, 1);
	tf_pack_str(pk, sha);
	pk = tf_out_key(&o, "config");
	msgpack_pack_map(pk, 4);
	tf_pack_str(pk, "Entrypoint");
	msgpack_pack_array(pk, 0);
	tf_pack_str(pk, "Cmd");
	msgpack_pack_array(pk, 3);
	tf_pack_str(pk, "sh");
	tf_pack_str(pk, "-c");
	tf_pack_str(pk, "echo hello-from-$NAME; cat /etc/pre.txt; "
	    "exec httpd -f -p 8080 -h /www");
	tf_pack_str(pk, "Env");
	msgpack_pack_array(pk, 2);
	tf_pack_str(pk, "PATH=/bin");
	tf_pack_str(pk, "NAME=image");
	tf_pack_kv_str(pk, "WorkingDir", "/tmp");
	call(&o, NULL, 0, NULL);
}

/* --- the tests ------------------------------------------------------------ */

/* What the steps share; each step runs after the ones before it in
 * node_tests[] and may use what they left (the first container, its log
 * stream). */
struct ctx {
	const char *loc_bin, *node_bin, *init_bin;
	char endpoint[64], addr[64], sha[65];
	char *token, *pub;
	stream logs;			/* of the first container */
};

static void
node_start(struct ctx *x)
{
	char path[600], state[600], key[600];
	char *const na[] = { (char *)x->node_bin, "--state", state,
	    "--endpoint", x->endpoint, "--location-key", key, "--name", "n1",
	    "--init", (char *)x->init_bin, "-v", NULL };

	snprintf(path, sizeof path, "%s/node.log", g_tmp);
	snprintf(state, sizeof state, "%s/node", g_tmp);
	snprintf(key, sizeof key, "%s/loc/location.pub", g_tmp);
	g_node = start(path, na);
}

/* The second octet of a 10.N/16 that no interface of this host has an
 * address in, starting from one derived from our pid: nodes of other
 * tests running now must not share our bridge's subnet (tf-node refuses
 * an overlapping one and runs containers without a network). */
static int
free_subnet(void)
{
	int start = (int)(getpid() % 100);

	for (int i = 0; i < 100; i++) {
		int n = 100 + (start + i) % 100;
		char cmd[200];

		snprintf(cmd, sizeof cmd, "ip -o -4 addr show | "
		    "grep -q ' inet 10\\.%d\\.'", n);
		if (system(cmd) != 0)
			return n;
	}
	return 100 + start;
}

static void
test_daemons(struct ctx *x)
{
	char path[600], cmd[4096];

	snprintf(cmd, sizeof cmd, "%s --state %s/loc init >/dev/null", x->loc_bin,
	    g_tmp);
	CHECK(system(cmd) == 0);
	snprintf(path, sizeof path, "%s/loc.log", g_tmp);
	{
		char state[600], subnet[32];
		/* A subnet of our own, so that other nodes on this host (other
		 * tests, a local node) do not overlap ours. */
		char *const la[] = { (char *)x->loc_bin, "--state", state,
		    "--bind", x->endpoint, "--timeout", "3", "--subnet", subnet,
		    "run", NULL };

		snprintf(state, sizeof state, "%s/loc", g_tmp);
		snprintf(subnet, sizeof subnet, "10.%d", free_subnet());
		g_loc = start(path, la);
	}
	wait_log(path, "ready", 10);
	snprintf(cmd, sizeof cmd, "%s --state %s/loc invite alice", x->loc_bin,
	    g_tmp);
	x->token = run_out(cmd);
	snprintf(cmd, sizeof cmd, "%s --state %s/node init", x->node_bin, g_tmp);
	x->pub = run_out(cmd);
	snprintf(cmd, sizeof cmd, "%s --state %s/loc node-add n1 %s >/dev/null",
	    x->loc_bin, g_tmp, x->pub);
	CHECK(system(cmd) == 0);
	node_start(x);
	snprintf(path, sizeof path, "%s/node.log", g_tmp);
	wait_log(path, "ready", 30);
}

static void
test_account(struct ctx *x)
{
	char path[600], tar[600];
	tf_account acct;
	tf_err err;

	CHECK(tf_account_enrol("t", x->addr, x->token, 10000, &acct, &err) == 0);
	g_loop = tf_loop_new();
	g_conn = tf_conn_new_account(g_loop, &acct, "test", &err);
	CHECK(g_conn != NULL);
	tf_conn_on_push(g_conn, push_cb, NULL);
	CHECK(tf_conn_wait_up(g_conn, 10000, &err) == 0);
	snprintf(path, sizeof path, "%s/rootfs", g_tmp);
	snprintf(tar, sizeof tar, "%s/layer.tar", g_tmp);
	make_layer(path, tar, x->sha);
	push_image(tar, x->sha);
}

static void
test_spawn(struct ctx *x)
{
	char path[600];
	msgpack_packer *pk;
	tf_reply r;
	tf_out o;

	tf_out_init(&o, "spawn");
	tf_out_str(&o, "image", "bb");
	pk = tf_out_key(&o, "env");
	msgpack_pack_array(pk, 1);
	tf_pack_str(pk, "NAME=spawn");
	pk = tf_out_key(&o, "preboot");
	msgpack_pack_array(pk, 1);
	msgpack_pack_array(pk, 2);
	tf_pack_str(pk, "/etc/pre.txt");
	msgpack_pack_bin(pk, 12);
	msgpack_pack_bin_body(pk, "preboot-ok!\n", 12);
	call(&o, NULL, 0, &r);
	CHECK(tf_obj_str(r.params, "container", g_ev.ctr, sizeof g_ev.ctr, true,
	    NULL) == 0);
	tf_reply_fini(&r);
	WAIT(30000, strcmp(g_ev.state, "running") == 0);
	CHECK(g_ev.ip[0] != '\0');
	CHECK(g_ev.startup_ms >= 0);
	snprintf(path, sizeof path, "%s/node/layers/%s/bin/busybox", g_tmp,
	    x->sha);
	CHECK(access(path, X_OK) == 0);
}

static void
test_logs(struct ctx *x)
{
	tf_out o;

	tf_out_init(&o, "logs");
	tf_out_str(&o, "container", g_ev.ctr);
	stream_open(&x->logs, &o, NULL, 0);
	WAIT(10000, strstr(x->logs.out, "hello-from-spawn") != NULL &&
	    strstr(x->logs.out, "preboot-ok!") != NULL);
}

static void
test_processes(struct ctx *x)
{
	msgpack_packer *pk;
	stream p1;
	tf_out o;

	tf_out_init(&o, "proc");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "p1");
	tf_out_str(&o, "command", "echo out-$NAME; echo err >&2; pwd; exit 3");
	tf_out_bool(&o, "tty", false);
	stream_open(&p1, &o, NULL, 0);
	WAIT(10000, p1.done);
	CHECK(p1.started && !p1.failed && p1.exit_code == 3);
	CHECK(strstr(p1.out, "out-spawn") != NULL && strstr(p1.out, "/tmp") != NULL);
	CHECK(strstr(p1.err, "err") != NULL);

	tf_out_init(&o, "proc");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "cat");
	pk = tf_out_key(&o, "argv");
	msgpack_pack_array(pk, 1);
	tf_pack_str(pk, "cat");
	stream_open(&p1, &o, NULL, 0);
	WAIT(10000, p1.started);
	tf_out_init(&o, "proc_stdin");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "cat");
	tf_out_bool(&o, "close", true);
	CHECK(tf_conn_send(g_conn, &o, "via-stdin\n", 10) == 0);
	WAIT(10000, p1.done);
	CHECK(p1.exit_code == 0 && strcmp(p1.out, "via-stdin\n") == 0);

	tf_out_init(&o, "proc");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "bad");
	pk = tf_out_key(&o, "argv");
	msgpack_pack_array(pk, 1);
	tf_pack_str(pk, "/no/such/program");
	stream_open(&p1, &o, NULL, 0);
	WAIT(10000, p1.done);
	printf("   missing program: %s (exit %lld)\n", p1.error,
	    (long long)p1.exit_code);
	CHECK(p1.failed && p1.exit_code == 127 && p1.error[0] != '\0');
}

static void
test_pty(struct ctx *x)
{
	msgpack_packer *pk;
	stream tty;
	tf_out o;

	tf_out_init(&o, "proc");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "sh");
	pk = tf_out_key(&o, "argv");
	msgpack_pack_array(pk, 1);
	tf_pack_str(pk, "sh");
	tf_out_bool(&o, "tty", true);
	tf_out_int(&o, "rows", 31);
	tf_out_int(&o, "cols", 97);
	tf_out_str(&o, "term", "xterm-256color");
	stream_open(&tty, &o, NULL, 0);
	WAIT(10000, tty.started);
	tf_out_init(&o, "proc_stdin");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "sh");
	CHECK(tf_conn_send(g_conn, &o, "stty size; echo T=$TERM\n", 24) == 0);
	WAIT(10000, strstr(tty.out, "31 97") != NULL &&
	    strstr(tty.out, "T=xterm-256color") != NULL);
	tf_out_init(&o, "proc_resize");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "sh");
	tf_out_int(&o, "rows", 44);
	tf_out_int(&o, "cols", 120);
	CHECK(tf_conn_send(g_conn, &o, NULL, 0) == 0);
	tf_out_init(&o, "proc_stdin");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "sh");
	CHECK(tf_conn_send(g_conn, &o, "stty size\n", 10) == 0);
	WAIT(10000, strstr(tty.out, "44 120") != NULL);
	tf_out_init(&o, "proc_kill");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "sh");
	tf_out_int(&o, "signal", SIGKILL);
	CHECK(tf_conn_send(g_conn, &o, NULL, 0) == 0);
	WAIT(10000, tty.done);
	CHECK(tty.sig == SIGKILL);
}

/* Spins the loop for ms: only where the test checks that something does
 * NOT happen (more output than the credit allows). */
static void
spin(unsigned ms)
{
	uint64_t end = tf_now_ms() + ms;

	while (tf_now_ms() < end)
		tf_loop_run_once(g_loop, 20);
}

static void
ack(uint64_t ref, size_t bytes)
{
	tf_out o;

	tf_out_init(&o, "ack");
	tf_out_int(&o, "ref", (int64_t)ref);
	tf_out_int(&o, "bytes", (int64_t)bytes);
	CHECK(tf_conn_send(g_conn, &o, NULL, 0) == 0);
}

/* A tty process asks for a small window: the node reads the pty only as
 * far as the credit goes, so never more than the window is in flight; a
 * ^C typed while the window is full still stops the flood. */
static void
test_pty_credit(struct ctx *x)
{
	enum { WINDOW = 4096 };
	msgpack_packer *pk;
	stream tty;
	tf_out o;

	(void)x;
	tf_out_init(&o, "proc");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "yes");
	pk = tf_out_key(&o, "argv");
	msgpack_pack_array(pk, 1);
	tf_pack_str(pk, "yes");
	tf_out_bool(&o, "tty", true);
	tf_out_int(&o, "rows", 24);
	tf_out_int(&o, "cols", 80);
	tf_out_int(&o, "window", WINDOW);
	stream_open(&tty, &o, NULL, 0);
	WAIT(10000, tty.total >= WINDOW);
	spin(300);
	printf("   unacknowledged: %zu bytes (window %d)\n", tty.total,
	    WINDOW);
	CHECK(tty.total == WINDOW);
	ack(tty.id, WINDOW / 2);
	tty.acked_out = WINDOW / 2;
	WAIT(10000, tty.total >= WINDOW + WINDOW / 2);
	spin(300);
	CHECK(tty.total == WINDOW + WINDOW / 2);
	/* ^C through the full window: yes dies of SIGINT. */
	tf_out_init(&o, "proc_stdin");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "process", "yes");
	CHECK(tf_conn_send(g_conn, &o, "\003", 1) == 0);
	/* What was read before it died is still delivered, within credit. */
	for (uint64_t end = tf_now_ms() + 10000; !tty.done &&
	    tf_now_ms() < end;) {
		tf_loop_run_once(g_loop, 20);
		if (tty.total > tty.acked_out) {
			ack(tty.id, tty.total - tty.acked_out);
			tty.acked_out = tty.total;
		}
	}
	CHECK(tty.done && tty.sig == SIGINT);
}

static void
test_files(struct ctx *x)
{
	tf_reply r;
	tf_err err;
	tf_out o;

	tf_out_init(&o, "put");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "path", "data/file.txt");
	tf_out_int(&o, "offset", 0);
	tf_out_bool(&o, "last", true);
	call(&o, "put-content\n", 12, &r);
	tf_reply_fini(&r);
	tf_out_init(&o, "fetch");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "path", "/tmp/data/file.txt");
	tf_out_int(&o, "offset", 0);
	tf_out_int(&o, "length", 100000);
	call(&o, NULL, 0, &r);
	CHECK(r.bulk_len == 12 && memcmp(r.bulk, "put-content\n", 12) == 0);
	tf_reply_fini(&r);
	tf_out_init(&o, "fetch");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "path", "/etc");
	CHECK(call_err(&o, NULL, 0, &err) != 0);
	CHECK(strstr(err.msg, "directory") != NULL);
	tf_out_init(&o, "put");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "path", "../../../etc/evil");
	tf_out_int(&o, "offset", 0);
	tf_out_bool(&o, "last", true);
	CHECK(call_err(&o, "x", 1, &err) != 0);
	printf("   escape: %s\n", err.msg);
	CHECK(strstr(err.msg, "escapes") != NULL);
}

static void
test_tunnel(struct ctx *x)
{
	stream tun;
	tf_uuid tid;
	tf_out o;

	tf_out_init(&o, "tunnel");
	tf_uuid_make(&tid);
	tf_out_str(&o, "tunnel", tid.s);
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_int(&o, "port", 8080);
	stream_open(&tun, &o, NULL, 0);
	WAIT(10000, tun.started);
	tf_out_init(&o, "tcp_open");
	tf_out_str(&o, "tunnel", tid.s);
	tf_out_int(&o, "conn", 1);
	CHECK(tf_conn_send(g_conn, &o, NULL, 0) == 0);
	WAIT(10000, tun.opens == 1 || tun.error[0] != '\0');
	if (tun.error[0] != '\0')
		printf("   tunnel error: %s\n", tun.error);
	CHECK(tun.opens == 1);
	tf_out_init(&o, "tcp_data");
	tf_out_str(&o, "tunnel", tid.s);
	tf_out_int(&o, "conn", 1);
	CHECK(tf_conn_send(g_conn, &o, "GET / HTTP/1.0\r\n\r\n", 18) == 0);
	WAIT(10000, strstr(tun.out, "hello from httpd") != NULL);
	CHECK(strstr(tun.out, "200 OK") != NULL);
	/* Acks go per quarter window written (node_req_net.c), so an
	 * exchange this small is never acked: a request-response pays for
	 * no ack frames. */
	WAIT(10000, tun.closes >= 1);
	CHECK(tun.acked == 0);
	tf_out_init(&o, "tunnel_close");
	tf_out_str(&o, "tunnel", tid.s);
	call(&o, NULL, 0, NULL);
}

static void
test_allow(struct ctx *x)
{
	char cmd[4096];
	tf_err err;
	tf_out o;
	int st;

	tf_out_init(&o, "allow");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "ip", "10.99.0.7");
	tf_err_clear(&err);
	st = call_err(&o, NULL, 0, &err);
	if (st != 0 && strstr(err.msg, "unknown command") != NULL) {
		printf("   (the location does not forward allow yet: skipped)\n");
		return;
	}
	CHECK(st == 0);
	snprintf(cmd, sizeof cmd, "command -v nft >/dev/null || exit 0; "
	    "ns=$(ls /run/netns | grep %s) && ip netns exec \"$ns\" nft "
	    "list set inet tf_fw allowed | grep -q 10.99.0.7", g_ev.ctr);
	CHECK(system(cmd) == 0);
	tf_out_init(&o, "disallow");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "ip", "10.99.0.7");
	call(&o, NULL, 0, NULL);
}

static void
test_reboot(struct ctx *x)
{
	char ip[32];
	int before = g_ev.running_count;
	tf_reply r;
	tf_err err;
	tf_out o;

	snprintf(ip, sizeof ip, "%s", g_ev.ip);
	tf_out_init(&o, "reboot");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_bool(&o, "reset", true);
	call(&o, NULL, 0, NULL);
	WAIT(10000, g_ev.running_count > before);
	CHECK(strcmp(ip, g_ev.ip) == 0);
	tf_out_init(&o, "fetch");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "path", "/tmp/data/file.txt");
	CHECK(call_err(&o, NULL, 0, &err) != 0);
	tf_out_init(&o, "fetch");
	tf_out_str(&o, "container", g_ev.ctr);
	tf_out_str(&o, "path", "/etc/pre.txt");
	call(&o, NULL, 0, &r);
	CHECK(r.bulk_len == 12);
	tf_reply_fini(&r);
	WAIT(10000, strstr(x->logs.out + 20, "hello-from-spawn") != NULL);
}

static void
test_destroy(struct ctx *x)
{
	char path[600], cmd[4096];
	tf_out o;

	tf_out_init(&o, "destroy");
	tf_out_str(&o, "container", g_ev.ctr);
	call(&o, NULL, 0, NULL);
	WAIT(10000, x->logs.done && g_ev.gone);
	snprintf(path, sizeof path, "%s/node/containers", g_tmp);
	snprintf(cmd, sizeof cmd, "[ -z \"$(ls -A %s)\" ] && "
	    "! grep -q %s /proc/self/mountinfo && "
	    "! ls /run/netns 2>/dev/null | grep -q %s", path, g_tmp, g_ev.ctr);
	CHECK(system(cmd) == 0);
}

static void
test_volumes(struct ctx *x)
{
	char vol[64], cmd[4096];
	msgpack_packer *pk;
	stream vp;
	tf_reply r;
	tf_err err;
	tf_out o;

	tf_out_init(&o, "vol_create");
	call(&o, NULL, 0, &r);
	CHECK(tf_obj_str(r.params, "volume", vol, sizeof vol, true,
	    NULL) == 0);
	tf_reply_fini(&r);
	memset(&g_ev.state, 0, sizeof g_ev.state);
	g_ev.gone = false;
	tf_out_init(&o, "spawn");
	tf_out_str(&o, "image", "bb");
	pk = tf_out_key(&o, "command");
	msgpack_pack_array(pk, 3);
	tf_pack_str(pk, "sh");
	tf_pack_str(pk, "-c");
	tf_pack_str(pk, "exec sleep 1000");
	pk = tf_out_key(&o, "volumes");
	msgpack_pack_array(pk, 1);
	msgpack_pack_array(pk, 2);
	tf_pack_str(pk, vol);
	tf_pack_str(pk, "/data");
	call(&o, NULL, 0, &r);
	CHECK(tf_obj_str(r.params, "container", g_ev.ctr,
	    sizeof g_ev.ctr, true, NULL) == 0);
	tf_reply_fini(&r);
	WAIT(30000, strcmp(g_ev.state, "running") == 0);
#define VPROC(text) do { \
		tf_out_init(&o, "proc"); \
		tf_out_str(&o, "container", g_ev.ctr); \
		tf_out_str(&o, "process", "v"); \
		tf_out_str(&o, "command", text); \
		stream_open(&vp, &o, NULL, 0); \
		WAIT(10000, vp.done); \
		CHECK(vp.exit_code == 0); \
	} while (0)
#define VFETCH(want) do { \
		tf_out_init(&o, "fetch"); \
		tf_out_str(&o, "container", g_ev.ctr); \
		tf_out_str(&o, "path", "/data/f"); \
		call(&o, NULL, 0, &r); \
		CHECK(r.bulk_len == strlen(want) && \
		    memcmp(r.bulk, want, r.bulk_len) == 0); \
		tf_reply_fini(&r); \
	} while (0)
	VPROC("echo v1 > /data/f");
	tf_out_init(&o, "vol_snapshot");
	tf_out_str(&o, "volume", vol);
	call(&o, NULL, 0, NULL);
	VPROC("echo v2 > /data/f");
	VFETCH("v2\n");
	tf_out_init(&o, "vol_rollback");
	tf_out_str(&o, "volume", vol);
	call(&o, NULL, 0, NULL);
	VFETCH("v1\n");
#undef VPROC
#undef VFETCH
	tf_out_init(&o, "vol_destroy");
	tf_out_str(&o, "volume", vol);
	CHECK(call_err(&o, NULL, 0, &err) != 0);
	CHECK(strstr(err.msg, "mounted") != NULL);
	tf_out_init(&o, "destroy");
	tf_out_str(&o, "container", g_ev.ctr);
	call(&o, NULL, 0, NULL);
	WAIT(10000, g_ev.gone);
	tf_out_init(&o, "vol_destroy");
	tf_out_str(&o, "volume", vol);
	call(&o, NULL, 0, NULL);
	snprintf(cmd, sizeof cmd, "%s/node/volumes/%s", g_tmp, vol);
	CHECK(access(cmd, F_OK) != 0);
}

static void
test_allowance_dies(struct ctx *x)
{
	char t_id[64], t_ip[32], a_id[64], a_ip[32];

	if (system("command -v nft >/dev/null") != 0) {
		printf("   (no nft to read firewalls with: skipped)\n");
		return;
	}
	spawn_running(t_id, t_ip);
	spawn_running(a_id, a_ip);
	allow("allow", t_id, a_ip);
	allow("allow", t_id, "10.99.0.7");
	allow("allow", a_id, t_ip);
	CHECK(fw_lets_in(t_id, a_ip) && fw_lets_in(t_id, "10.99.0.7"));
	/* Disallowed and allowed again: listed once, taken out once. */
	allow("disallow", t_id, a_ip);
	CHECK(!fw_lets_in(t_id, a_ip));
	allow("allow", t_id, a_ip);
	allow("allow", t_id, a_ip);
	destroy_gone(a_id);
	CHECK(!fw_lets_in(t_id, a_ip));
	CHECK(fw_lets_in(t_id, "10.99.0.7"));
	destroy_gone(t_id);
}

static void
test_cached_layer(struct ctx *x)
{
	char id[64], ip[32];

	spawn_running(id, ip);
}

static void
test_sigkill(struct ctx *x)
{
	char path[600];
	int st;

	g_ev.gone = false;
	memset(&g_ev.state, 0, sizeof g_ev.state);
	kill(g_node, SIGKILL);
	CHECK(waitpid(g_node, &st, 0) == g_node);
	node_start(x);
	snprintf(path, sizeof path, "%s/node.log", g_tmp);
	/* The container of the step before still runs: it is adopted, its
	 * network kept, and the location hears it runs (docs/SCALE.md). */
	wait_log(path, "adopted 1 containers left running by an earlier run",
	    30);
	wait_log_n(path, "tf-node: ready", 2, 60);
	WAIT(15000, strcmp(g_ev.state, "running") == 0);
	CHECK(!g_ev.gone);
	CHECK(strcmp(g_ev.ip, "") != 0);
}

static void
test_sigterm(struct ctx *x)
{
	char path[600], cmd[4096];
	tf_reply r;
	tf_out o;
	int st;

	snprintf(path, sizeof path, "%s/node/containers", g_tmp);
	g_ev.gone = false;
	memset(&g_ev.state, 0, sizeof g_ev.state);
	tf_out_init(&o, "spawn");
	tf_out_str(&o, "image", "bb");
	call(&o, NULL, 0, &r);
	CHECK(tf_obj_str(r.params, "container", g_ev.ctr, sizeof g_ev.ctr, true,
	    NULL) == 0);
	tf_reply_fini(&r);
	WAIT(30000, strcmp(g_ev.state, "running") == 0);
	kill(g_node, SIGTERM);
	CHECK(waitpid(g_node, &st, 0) == g_node);
	g_node = -1;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	WAIT(10000, g_ev.gone || strcmp(g_ev.state, "destroyed") == 0);
	snprintf(cmd, sizeof cmd, "[ -z \"$(ls -A %s)\" ] && "
	    "[ -z \"$(ls -A %s/../runc)\" ] && "
	    "! grep -q %s /proc/self/mountinfo && "
	    "! ls /run/netns 2>/dev/null | grep -q %s && "
	    "b=$(grep -o 'bridge tfb[0-9a-f]* up' %s/node.log | head -1 | "
	    "cut -d' ' -f2) && [ -n \"$b\" ] && ! ip link show \"$b\" "
	    "2>/dev/null", path, path, g_tmp, g_ev.ctr, g_tmp);
	CHECK(system(cmd) == 0);
}

/* In order: each step starts from where the one before left the node. */
static const struct {
	const char *name;
	const char *what;
	void (*fn)(struct ctx *);
} node_tests[] = {
	{ "daemons", "start a location and a node", test_daemons },
	{ "account", "an account, a connection, an image", test_account },
	{ "spawn", "layer fetched and checked, container runs with an "
	    "address", test_spawn },
	{ "logs", "backlog then live", test_logs },
	{ "processes", "plain, stdin, failure", test_processes },
	{ "pty", "a pty shell: size, resize, kill", test_pty },
	{ "pty_credit", "a tty's window bounds the output in flight; ^C "
	    "gets through", test_pty_credit },
	{ "files", "put and fetch, with errors", test_files },
	{ "tunnel", "a tunnel to httpd in the container", test_tunnel },
	{ "allow", "firewall allow / disallow", test_allow },
	{ "reboot", "with reset: pre-boot kept, written files gone, "
	    "same ip", test_reboot },
	{ "destroy", "logs end, container gone, nothing left on the "
	    "node", test_destroy },
	{ "volumes", "mount, snapshot, rollback, refuse to destroy "
	    "in use", test_volumes },
	{ "allowance_dies", "an allowance dies with the container it allowed",
	    test_allowance_dies },
	{ "cached_layer", "a second spawn reuses the cached layer; SIGTERM "
	    "cleans up", test_cached_layer },
	{ "sigkill", "a node killed with SIGKILL adopts its container when "
	    "it comes back", test_sigkill },
	{ "sigterm", "and a SIGTERM leaves nothing behind", test_sigterm },
};

/* An even port whose pair is free now, below the kernel's ephemeral
 * range (from 32768), where any outgoing connection could take it between
 * this check and the location's bind. */
static int
test_port_pair(void)
{
	for (int i = 0; i < 5000; i++) {
		int port = 12000 + (int)((getpid() + i * 7) % 10000) * 2, ok = 1;

		for (int k = 0; k < 2 && ok; k++) {
			struct sockaddr_in a = { .sin_family = AF_INET,
			    .sin_port = htons((uint16_t)(port + k)),
			    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
			int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
			ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
			if (fd >= 0)
				close(fd);
		}
		if (ok)
			return port;
	}
	return 12000;
}

int
main(int argc, char **argv)
{
	struct ctx x;
	int port;

	if (argc < 4) {
		fprintf(stderr, "usage: test_node_daemon tf-location tf-node tf-init\n");
		return 2;
	}
	if (geteuid() != 0 || system("command -v runc >/dev/null") != 0) {
		printf("test_node_daemon: needs root and runc; skipped\n");
		return 77;
	}
	tf_log_setup(getenv("TF_DEBUG") ? TF_LOG_DEBUG : TF_LOG_WARN,
	    "test_node_daemon", NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK(sodium_init() >= 0);
	snprintf(g_tmp, sizeof g_tmp, "%s/tf-node-daemon-XXXXXX",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	CHECK(mkdtemp(g_tmp) != NULL);
	memset(&x, 0, sizeof x);
	x.loc_bin = argv[1];
	x.node_bin = argv[2];
	x.init_bin = argv[3];
	port = test_port_pair();
	snprintf(x.endpoint, sizeof x.endpoint, "tcp://127.0.0.1:%d", port);
	snprintf(x.addr, sizeof x.addr, "127.0.0.1:%d", port);

	for (size_t i = 0; i < TF_ARRAY_LEN(node_tests); i++) {
		STEP("%s: %s", node_tests[i].name, node_tests[i].what);
		node_tests[i].fn(&x);
	}

	tf_conn_destroy(&g_conn);
	tf_loop_destroy(&g_loop);
	free(x.token);
	free(x.pub);
	printf("test_node_daemon: ok\n");
	finish(0);
	return 0;
}
