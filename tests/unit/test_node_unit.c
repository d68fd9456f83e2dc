/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_node_unit: the parts of tf-node's runtime that need neither root nor
 * runc: the output ring, path cleaning, put/fetch with escape attempts in a
 * plain directory, and the generated config.json.
 */
/* The checks are the test: never compiled out. */
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ctr_ring.h"
#include "fs_path.h"
#include "fs_xfer.h"
#include "rt_bundle.h"
#include "rt_user.h"
#include "rt_runc.h"
#include "tf_err.h"
#include "tf_util.h"

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
		    __LINE__, #cond); \
		exit(1); \
	} \
} while (0)

typedef struct collect {
	char buf[16384];
	size_t len;
	int fds[4096];
	int n;
} collect;

static void
collect_fn(int fd, const uint8_t *data, size_t len, void *arg)
{
	collect *c = arg;

	memcpy(c->buf + c->len, data, len);
	c->len += len;
	c->fds[c->n++] = fd;
}

static void
test_ring(void)
{
	ctr_ring *r = ctr_ring_new(64);
	collect c;
	int i;

	ctr_ring_write(r, 1, "hello ", 6);
	ctr_ring_write(r, 2, "world", 5);
	memset(&c, 0, sizeof c);
	ctr_ring_foreach(r, collect_fn, &c);
	CHECK(c.len == 11 && memcmp(c.buf, "hello world", 11) == 0);
	CHECK(c.fds[0] == 1 && c.fds[c.n - 1] == 2);
	CHECK(ctr_ring_used(r) == 11 && ctr_ring_dropped(r) == 0);

	/* Overflow keeps the newest bytes and counts the dropped ones. */
	for (i = 0; i < 100; i++) {
		char line[16];

		snprintf(line, sizeof line, "%02d", i % 100);
		ctr_ring_write(r, 1, line, 2);
	}
	memset(&c, 0, sizeof c);
	ctr_ring_foreach(r, collect_fn, &c);
	CHECK(c.len == ctr_ring_used(r));
	CHECK(c.len >= 2 && memcmp(c.buf + c.len - 2, "99", 2) == 0);
	CHECK(ctr_ring_dropped(r) + ctr_ring_used(r) == 11 + 200);

	/* A write larger than the ring keeps its tail. */
	{
		char big[200];

		memset(big, 'x', sizeof big);
		big[199] = 'Z';
		ctr_ring_write(r, 2, big, sizeof big);
		memset(&c, 0, sizeof c);
		ctr_ring_foreach(r, collect_fn, &c);
		CHECK(c.len == 60 && c.buf[59] == 'Z');
	}
	ctr_ring_destroy(&r);
	CHECK(r == NULL);

	/* The buffer grows on demand, and records that wrapped before a
	 * growth come out whole and in order after it. */
	r = ctr_ring_new(12000);
	for (i = 0; i < 3000; i++) {
		char rec[8];

		snprintf(rec, sizeof rec, "%c", 'a' + i % 26);
		ctr_ring_write(r, 1, rec, 1);
	}
	memset(&c, 0, sizeof c);
	ctr_ring_foreach(r, collect_fn, &c);
	CHECK(c.len == ctr_ring_used(r) && c.len + ctr_ring_dropped(r) == 3000);
	CHECK(c.len > 0 && c.buf[c.len - 1] == 'a' + 2999 % 26);
	for (i = 1; i < (int)c.len; i++)
		if (c.buf[i] != 'a' + (c.buf[i - 1] - 'a' + 1) % 26)
			break;
	CHECK(i == (int)c.len);
	ctr_ring_destroy(&r);
}

static void
test_clean(void)
{
	char out[FS_PATH_MAX];
	tf_err err;

	CHECK(fs_path_clean(NULL, "/a/b/../c/./d//", out, sizeof out, &err) == 0);
	CHECK(strcmp(out, "/a/c/d") == 0);
	CHECK(fs_path_clean("/work", "x.sql", out, sizeof out, &err) == 0);
	CHECK(strcmp(out, "/work/x.sql") == 0);
	CHECK(fs_path_clean("/work", "../x", out, sizeof out, &err) == 0);
	CHECK(strcmp(out, "/x") == 0);
	CHECK(fs_path_clean("/", "/", out, sizeof out, &err) == 0);
	CHECK(strcmp(out, "/") == 0);
	CHECK(fs_path_clean("/", "../what.ever", out, sizeof out, &err) == -1);
	CHECK(strstr(err.msg, "escapes") != NULL);
	CHECK(fs_path_clean(NULL, "/a/../../b", out, sizeof out, &err) == -1);
	CHECK(fs_path_clean(NULL, "", out, sizeof out, &err) == -1);
	CHECK(rt_runc_id_valid("Abc_12-x.y"));
	CHECK(!rt_runc_id_valid("../x"));
	CHECK(!rt_runc_id_valid(""));
	CHECK(!rt_runc_id_valid(".hidden"));
}

static void
test_xfer(void)
{
	char tmpl[300], path[300], buf[64];
	const char *root;
	fs_xfer *x = fs_xfer_new();
	uint64_t size = 0;
	tf_err err;
	ssize_t n;
	int rootfd;

	snprintf(tmpl, sizeof tmpl, "%s/tf-node-unit-XXXXXX",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	root = mkdtemp(tmpl);
	CHECK(root != NULL);
	snprintf(path, sizeof path, "%s/root", root);
	CHECK(mkdir(path, 0755) == 0);
	rootfd = open(path, O_PATH | O_DIRECTORY);
	CHECK(rootfd >= 0);

	/* Two chunks, parents created, relative to a working directory. */
	CHECK(fs_put(x, rootfd, "/srv", "a/b/f.txt", 0, "hel", 3, false, -1, &err) == 3);
	CHECK(fs_xfer_count(x) == 1);
	snprintf(path, sizeof path, "%s/root/srv/a/b/f.txt", root);
	CHECK(access(path, F_OK) != 0);	/* not visible before the last chunk */
	CHECK(fs_put(x, rootfd, "/srv", "a/b/f.txt", 3, "lo", 2, true, -1, &err) == 5);
	CHECK(fs_xfer_count(x) == 0);
	n = fs_fetch(rootfd, "/", "/srv/a/b/f.txt", 0, buf, sizeof buf, &size, &err);
	CHECK(n == 5 && size == 5 && memcmp(buf, "hello", 5) == 0);
	n = fs_fetch(rootfd, "/", "/srv/a/b/f.txt", 3, buf, sizeof buf, &size, &err);
	CHECK(n == 2 && memcmp(buf, "lo", 2) == 0);
	n = fs_fetch(rootfd, "/", "/srv/a/b/f.txt", 5, buf, sizeof buf, &size, &err);
	CHECK(n == 0 && size == 5);

	/* Wrong offsets. */
	CHECK(fs_put(x, rootfd, "/", "/g", 7, "x", 1, true, -1, &err) == -1);
	CHECK(strstr(err.msg, "offset 0") != NULL);
	CHECK(fs_put(x, rootfd, "/", "/g", 0, "x", 1, false, -1, &err) == 1);
	CHECK(fs_put(x, rootfd, "/", "/g", 5, "x", 1, true, -1, &err) == -1);
	CHECK(fs_xfer_count(x) == 0);

	/* Escapes: lexical, and through symlinks (absolute and relative). */
	CHECK(fs_put(x, rootfd, "/", "../evil", 0, "x", 1, true, -1, &err) == -1);
	CHECK(strstr(err.msg, "escapes") != NULL);
	snprintf(path, sizeof path, "%s/root/up", root);
	CHECK(symlink("../../../../../../..", path) == 0);
	snprintf(path, sizeof path, "%s/root/abs", root);
	CHECK(symlink("/", path) == 0);
	snprintf(path, sizeof path, "%s/root/etc-host", root);
	CHECK(symlink("/etc/hostname", path) == 0);
	CHECK(fs_put(x, rootfd, "/", "/up/tf-escape-marker", 0, "x", 1, true, -1, &err) == 1);
	snprintf(path, sizeof path, "%s/root/tf-escape-marker", root);
	CHECK(access(path, F_OK) == 0);	/* landed inside the root */
	CHECK(access("/tf-escape-marker", F_OK) != 0);
	CHECK(fs_put(x, rootfd, "/", "/abs/tmp/m2", 0, "y", 1, true, -1, &err) == 1);
	snprintf(path, sizeof path, "%s/root/tmp/m2", root);
	CHECK(access(path, F_OK) == 0);
	CHECK(access("/tmp/m2", F_OK) != 0);
	n = fs_fetch(rootfd, "/", "/etc-host", 0, buf, sizeof buf, &size, &err);
	CHECK(n == -1 && strstr(err.msg, "no such file") != NULL);

	/* Directories and missing files. */
	n = fs_fetch(rootfd, "/", "/srv", 0, buf, sizeof buf, &size, &err);
	CHECK(n == -1 && strstr(err.msg, "is a directory") != NULL);
	n = fs_fetch(rootfd, "/", "/nope", 0, buf, sizeof buf, &size, &err);
	CHECK(n == -1 && strstr(err.msg, "no such file") != NULL);
	CHECK(fs_put(x, rootfd, "/", "/srv", 0, "x", 1, true, -1, &err) == -1);
	CHECK(strstr(err.msg, "is a directory") != NULL);
	/* A FIFO is refused without blocking. */
	snprintf(path, sizeof path, "%s/root/fifo", root);
	CHECK(mkfifo(path, 0600) == 0);
	n = fs_fetch(rootfd, "/", "/fifo", 0, buf, sizeof buf, &size, &err);
	CHECK(n == -1 && strstr(err.msg, "not a regular file") != NULL);

	/* An abandoned transfer leaves nothing behind. */
	CHECK(fs_put(x, rootfd, "/", "/h", 0, "x", 1, false, -1, &err) == 1);
	fs_xfer_expire(x, 0);
	usleep(2000);
	fs_xfer_expire(x, 0);
	CHECK(fs_xfer_count(x) == 0);
	{
		char cmd[400];

		snprintf(cmd, sizeof cmd, "ls -a %s/root | grep -q tf-put", root);
		CHECK(system(cmd) != 0);	/* no temporary file left */
	}
	/* An explicit mode. */
	CHECK(fs_put(x, rootfd, "/", "/bin/run.sh", 0, "#!/bin/sh\n", 10, true, 0755, &err) == 10);
	{
		struct stat st;

		snprintf(path, sizeof path, "%s/root/bin/run.sh", root);
		CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0755);
	}

	/* Whole small files for pre-boot. */
	CHECK(fs_path_write_file(rootfd, "/etc/pre/boot.txt", "pb", 2, 0600, &err) == 0);
	n = fs_fetch(rootfd, "/", "/etc/pre/boot.txt", 0, buf, sizeof buf, &size, &err);
	CHECK(n == 2);

	fs_xfer_destroy(&x);
	close(rootfd);
	CHECK(tf_rm_rf(root) == 0);
}

static void
test_config(void)
{
	const char *argv[] = { "nginx", "-g", "daemon off;", NULL };
	const char *env[] = { "PATH=/bin", "A=b", NULL };
	rt_mount m = { "/srv/vol", "/data", false };
	rt_bundle_spec s;
	json_t *j, *a;
	tf_err err;
	char *text;
	size_t i;
	bool found_init = false, found_vol = false, found_net = false;
	bool found_hosts = false;

	memset(&s, 0, sizeof s);
	s.id = "ctr1";
	s.dir = "/var/lib/tf-node/containers/ctr1";
	s.argv = argv;
	s.env = env;
	s.cwd = "/usr/share/nginx";
	s.init_path = "/usr/libexec/tf-node/tf-init";
	s.sleep = true;
	s.netns = "/run/netns/tf-ctr1";
	s.cgroup_parent = "/tf-test";
	s.limits.memory_bytes = 64 << 20;
	s.mounts = &m;
	s.nmounts = 1;
	s.hosts = "/var/lib/tf-node/containers/ctr1/hosts";
	text = rt_bundle_config_json(&s, &err);
	CHECK(text != NULL);
	j = json_loads(text, 0, NULL);
	CHECK(j != NULL);
	a = json_object_get(json_object_get(j, "process"), "args");
	CHECK(json_array_size(a) == 6);
	CHECK(strcmp(json_string_value(json_array_get(a, 0)), RT_INIT_PATH) == 0);
	CHECK(strcmp(json_string_value(json_array_get(a, 1)), "-s") == 0);
	CHECK(strcmp(json_string_value(json_array_get(a, 2)), "--") == 0);
	CHECK(strcmp(json_string_value(json_array_get(a, 5)), "daemon off;") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(j,
	    "root"), "path")), "/var/lib/tf-node/containers/ctr1/rootfs") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(j,
	    "linux"), "cgroupsPath")), "/tf-test/ctr1") == 0);
	CHECK(json_integer_value(json_object_get(json_object_get(json_object_get(
	    json_object_get(j, "linux"), "resources"), "memory"), "limit")) ==
	    64 << 20);
	CHECK(json_integer_value(json_object_get(json_object_get(json_object_get(
	    json_object_get(j, "linux"), "resources"), "pids"), "limit")) ==
	    RT_DEFAULT_PIDS);
	a = json_object_get(j, "mounts");
	for (i = 0; i < json_array_size(a); i++) {
		const char *d = json_string_value(json_object_get(
		    json_array_get(a, i), "destination"));
		const char *src = json_string_value(json_object_get(
		    json_array_get(a, i), "source"));

		if (strcmp(d, RT_INIT_PATH) == 0 &&
		    strcmp(src, s.init_path) == 0)
			found_init = true;
		if (strcmp(d, "/data") == 0 && strcmp(src, "/srv/vol") == 0)
			found_vol = true;
		if (strcmp(d, "/etc/hosts") == 0 && strcmp(src, s.hosts) == 0)
			found_hosts = true;
	}
	a = json_object_get(json_object_get(j, "linux"), "namespaces");
	for (i = 0; i < json_array_size(a); i++) {
		json_t *n = json_array_get(a, i);

		if (strcmp(json_string_value(json_object_get(n, "type")),
		    "network") == 0 && json_object_get(n, "path") != NULL)
			found_net = true;
	}
	CHECK(found_init && found_vol && found_net && found_hosts);
	json_decref(j);
	free(text);

	s.init_path = "relative/tf-init";
	CHECK(rt_bundle_config_json(&s, &err) == NULL);
}

static void
test_user(void)
{
	static const char pw[] = "root:x:0:0::/root:/bin/sh\n"
	    "nginx:x:101:102:nginx user:/nonexistent:/bin/false\n"
	    "broken line\n";
	static const char gr[] = "root:x:0:\nwww:x:33:\n";
	rt_user u;
	tf_err err;

	CHECK(rt_user_resolve_text(pw, gr, NULL, &u, &err) == 0 &&
	    u.uid == 0 && u.gid == 0);
	CHECK(rt_user_resolve_text(pw, gr, "nginx", &u, &err) == 0 &&
	    u.uid == 101 && u.gid == 102);
	CHECK(rt_user_resolve_text(pw, gr, "nginx:www", &u, &err) == 0 &&
	    u.uid == 101 && u.gid == 33);
	CHECK(rt_user_resolve_text(pw, gr, "101", &u, &err) == 0 &&
	    u.uid == 101 && u.gid == 102);
	/* A number with no account gets gid 0, as Docker does. */
	CHECK(rt_user_resolve_text(NULL, NULL, "1000", &u, &err) == 0 &&
	    u.uid == 1000 && u.gid == 0);
	CHECK(rt_user_resolve_text(NULL, NULL, "1000:50", &u, &err) == 0 &&
	    u.uid == 1000 && u.gid == 50);
	CHECK(rt_user_resolve_text(pw, gr, "ghost", &u, &err) == -1 &&
	    strstr(err.msg, "ghost") != NULL);
	CHECK(rt_user_resolve_text(pw, gr, "nginx:nogroup", &u, &err) == -1 &&
	    strstr(err.msg, "nogroup") != NULL);
	CHECK(rt_user_resolve_text(NULL, NULL, "4294967295", &u, &err) == -1);
}

int
main(void)
{
	test_ring();
	test_clean();
	test_xfer();
	test_config();
	test_user();
	printf("test_node_unit: ok\n");
	return 0;
}
