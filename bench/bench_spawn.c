/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-spawn: spawn-to-running latency of a container through the SDK,
 * side by side in one run with bare `runc run -d` of an equivalent bundle,
 * and N containers spawned at once versus one after another.
 *
 * What each number includes:
 *
 *   SDK        tf_node_spawn (no image check: the image is ensured once
 *              before) until tf_container_wait_ready returns: the request
 *              through the location to the node, the node's bundle
 *              (directories, overlay mount, config.json), its network
 *              namespace, veth, address and nftables rules, `runc run -d`,
 *              tf-init reporting that the entrypoint was exec'd, and the
 *              `running` event back through the location to the client.
 *   node       the node's own startup_ms for the same spawn (from the
 *              request's arrival at the node to tf-init's report).
 *   runc       the baseline, timed by this program: the bundle
 *              directories, the overlay mount of the very same unpacked
 *              layers from the node's layer cache, config.json (the node's
 *              own config.json of a warm-up container, with only the root
 *              path, hostname, cgroup path and network namespace changed:
 *              runc makes a fresh, empty netns instead of the node's
 *              prepared one), `runc run -d` with the same tf-init as pid 1,
 *              until tf-init reports on fd 3 that the entrypoint was
 *              exec'd (the moment the node calls "running").
 *
 * SDK and runc spawns alternate (one of each per round) so that drift on
 * the machine hits both alike; each container is destroyed, untimed,
 * before the next round.  The entrypoint is `sleep 3600` (busybox's own
 * `/bin/sh` would exit at once with no stdin).
 *
 * Then N containers, timed from the first spawn until all run:
 *
 *   at once        N tf_node_spawn calls, then tf_container_wait_ready on
 *                  each (the seeds' asynchronous spawning);
 *   one by one     tf_node_spawn + wait_ready, N times;
 *   and the same two with bare runc (N bundles mounted and N `runc run
 *   -d` started, then all waited for; or each in turn), which shows how
 *   much concurrency the machine itself allows.
 * All N are destroyed (untimed) after each measurement.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_util.h"
#include "tf_util.h"

typedef struct spawn_bench {
	tf_location *loc;
	tf_node *node;
	const char *image;
	const char *node_state;
	const char *runc;
	char *work;		/* our temp dir: bundles and runc root */
	char *runc_root;
	char *cgroup_parent;	/* "/tfbench-<pid>" */
	char *lowerdirs;	/* "a:b:c" from the node's mount, preboot cut */
	json_t *config;		/* the node's config.json, as a template */
	int nbase;		/* baseline containers made (ids) */
	bool verbose;
} spawn_bench;

static const char *const sleep_cmd[] = { "sleep", "3600", NULL };

static void
usage(FILE *f)
{
	fprintf(f,
"usage: bench-spawn [options]\n"
"Spawn-to-running latency of a container through the SDK beside bare\n"
"`runc run -d` of an equivalent bundle (same layers, same config), and N\n"
"containers spawned at once versus one after another.  Needs root, a\n"
"location account ($TF_DIR) and the node's state directory.\n"
"  -n, --count N          spawns timed on each side (default 20)\n"
"  -c, --concurrent N     containers for at once / one by one (default 20,\n"
"                         0 skips)\n"
"  -s, --node-state DIR   the node's --state directory (required)\n"
"  -w, --work DIR         where the baseline bundles go (default a new\n"
"                         temp dir under /tmp, removed afterwards)\n"
"  -i, --image NAME       the image (default busybox)\n"
"      --runc PATH        runc for the baseline (default runc)\n"
"  -v, --verbose          SDK logging and per-spawn times\n"
"  -h, --help             this text\n");
}

/* --- the baseline's template, from a warm-up container ------------------- */

/* The overlay lower directories of the mount at target, as mounted by the
 * node (its own preboot directory first, then the image's layers). */
static char *
mount_lowerdirs(const char *target, tf_err *err)
{
	char *data, *line, *save = NULL, *res = NULL;

	data = tf_read_file("/proc/self/mountinfo", NULL, 16 << 20);
	if (data == NULL)
		return tf_err_errno(err, "cannot read mountinfo"), NULL;
	for (line = strtok_r(data, "\n", &save); line != NULL && res == NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[5], *p = line, *sp, *opts, *lo, *end;
		int i;

		for (i = 0; i < 5; i++) {
			f[i] = p;
			sp = strchr(p, ' ');
			if (sp == NULL)
				break;
			*sp = '\0';
			p = sp + 1;
		}
		if (i < 5 || strcmp(f[4], target) != 0)
			continue;
		opts = strstr(p, " - overlay ");
		lo = opts != NULL ? strstr(opts, "lowerdir=") : NULL;
		if (lo == NULL)
			continue;
		lo += strlen("lowerdir=");
		end = lo + strcspn(lo, ", ");
		res = tf_strndup(lo, (size_t)(end - lo));
	}
	free(data);
	if (res == NULL)
		tf_err_set(err, "no overlay mount at %s", target);
	return res;
}

static int
template_load(spawn_bench *b, tf_container *c, tf_err *err)
{
	char path[PATH_MAX], target[PATH_MAX], *lower, *colon;
	json_error_t je;

	snprintf(path, sizeof path, "%s/containers/%s/config.json",
	    b->node_state, tf_container_id(c));
	b->config = json_load_file(path, 0, &je);
	if (b->config == NULL)
		return tf_err_set(err, "cannot read the node's %s: %s", path,
		    je.text);
	snprintf(target, sizeof target, "%s/containers/%s/rootfs",
	    b->node_state, tf_container_id(c));
	lower = mount_lowerdirs(target, err);
	if (lower == NULL)
		return -1;
	/* The first lower directory is the node's per-container preboot
	 * directory: the baseline brings its own (empty) one. */
	colon = strchr(lower, ':');
	if (colon == NULL || strstr(lower, "/preboot") == NULL ||
	    strstr(lower, "/preboot") > colon) {
		free(lower);
		return tf_err_set(err, "unexpected overlay layers at %s", target);
	}
	for (char *l = colon + 1; *l != '\0'; l += strcspn(l, ":"),
	    l += *l == ':') {
		if (*l != '/') {
			free(lower);
			return tf_err_set(err, "relative layer paths in the "
			    "node's mount of %s (too many layers)", target);
		}
	}
	b->lowerdirs = tf_strdup(colon + 1);
	free(lower);
	return 0;
}

/* The node binds a per-container /etc/hosts from its bundle; the baseline
 * writes its own the same way and points the mount at it. */
static int
template_hosts(json_t *c, const char *dir, const char *id, tf_err *err)
{
	json_t *mounts = json_object_get(c, "mounts"), *m;
	char path[PATH_MAX], *text;
	size_t i;
	int rc;

	json_array_foreach(mounts, i, m) {
		const char *d = json_string_value(json_object_get(m,
		    "destination"));

		if (d == NULL || strcmp(d, "/etc/hosts") != 0)
			continue;
		snprintf(path, sizeof path, "%s/hosts", dir);
		text = tf_asprintf("127.0.0.1\tlocalhost\n127.0.1.1\t%s\n", id);
		rc = tf_write_file(path, text, strlen(text), 0644);
		free(text);
		if (rc != 0)
			return tf_err_errno(err, "cannot write %s", path);
		json_object_set_new(m, "source", json_string(path));
	}
	return 0;
}

/* config.json for baseline container id in bundle dir. */
static int
template_write(spawn_bench *b, const char *dir, const char *id, tf_err *err)
{
	json_t *c = json_deep_copy(b->config), *root, *linux_, *nss, *ns;
	char path[PATH_MAX], *cg;
	size_t i;
	int rc;

	root = json_object_get(c, "root");
	linux_ = json_object_get(c, "linux");
	nss = json_object_get(linux_, "namespaces");
	if (!json_is_object(root) || !json_is_array(nss)) {
		json_decref(c);
		return tf_err_set(err, "the node's config.json has no root or "
		    "namespaces");
	}
	snprintf(path, sizeof path, "%s/rootfs", dir);
	json_object_set_new(root, "path", json_string(path));
	json_object_set_new(c, "hostname", json_string(id));
	cg = tf_asprintf("%s/%s", b->cgroup_parent, id);
	json_object_set_new(linux_, "cgroupsPath", json_string(cg));
	free(cg);
	json_array_foreach(nss, i, ns) {
		const char *t = json_string_value(json_object_get(ns, "type"));

		if (t != NULL && strcmp(t, "network") == 0)
			json_object_del(ns, "path");
	}
	if (template_hosts(c, dir, id, err) != 0) {
		json_decref(c);
		return -1;
	}
	snprintf(path, sizeof path, "%s/config.json", dir);
	rc = json_dump_file(c, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(c);
	if (rc != 0)
		return tf_err_errno(err, "cannot write %s", path);
	return 0;
}

/* --- one baseline container ---------------------------------------------- */

static void
baseline_remove(spawn_bench *b, const char *dir, const char *id)
{
	const char *del[] = { b->runc, "--root", b->runc_root, "delete",
	    "--force", id, NULL };
	char rootfs[PATH_MAX];
	tf_err err;

	if (bench_run(del, -1, &err) < 0)
		fprintf(stderr, "bench-spawn: runc delete %s: %s\n", id,
		    err.msg);
	snprintf(rootfs, sizeof rootfs, "%s/rootfs", dir);
	if (umount2(rootfs, UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
	    errno != ENOENT && umount2(rootfs, MNT_DETACH) != 0)
		fprintf(stderr, "bench-spawn: cannot unmount %s: %s\n", rootfs,
		    strerror(errno));
	if (tf_rm_rf(dir) != 0 && errno != ENOENT)
		fprintf(stderr, "bench-spawn: cannot remove %s: %s\n", dir,
		    strerror(errno));
}

/* A baseline container on its way up. */
typedef struct base_ctr {
	char id[64];
	char dir[2048];
	pid_t runc;		/* runc run -d, until it has exited */
	int status_fd;		/* read end of tf-init's fd 3 */
	bool made;		/* something to remove */
} base_ctr;

/* The first half of a baseline spawn: bundle directories, overlay mount,
 * config.json, and `runc run -d` started (not waited for). */
static int
baseline_start(spawn_bench *b, base_ctr *bc, tf_err *err)
{
	static const char *const sub[] = { "preboot", "upper", "work",
	    "rootfs" };
	char path[PATH_MAX], pidfile[PATH_MAX], *opts;
	int pfd[2], errfd;
	size_t i;

	memset(bc, 0, sizeof *bc);
	bc->runc = -1;
	bc->status_fd = -1;
	snprintf(bc->id, sizeof bc->id, "base%d", b->nbase++);
	snprintf(bc->dir, sizeof bc->dir, "%s/%s", b->work, bc->id);
	snprintf(pidfile, sizeof pidfile, "%s/init.pid", bc->dir);
	if (mkdir(bc->dir, 0700) != 0)
		return tf_err_errno(err, "cannot create %s", bc->dir);
	bc->made = true;
	for (i = 0; i < TF_ARRAY_LEN(sub); i++) {
		snprintf(path, sizeof path, "%s/%s", bc->dir, sub[i]);
		if (mkdir(path, 0755) != 0)
			return tf_err_errno(err, "cannot create %s", path);
	}
	opts = tf_asprintf("lowerdir=%s/preboot:%s,upperdir=%s/upper,"
	    "workdir=%s/work", bc->dir, b->lowerdirs, bc->dir, bc->dir);
	snprintf(path, sizeof path, "%s/rootfs", bc->dir);
	if (mount("overlay", path, "overlay", MS_NODEV, opts) != 0) {
		tf_err_errno(err, "cannot mount the overlay at %s", path);
		free(opts);
		return -1;
	}
	free(opts);
	if (template_write(b, bc->dir, bc->id, err) != 0)
		return -1;
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return tf_err_errno(err, "cannot make a pipe");
	snprintf(path, sizeof path, "%s/runc.err", bc->dir);
	errfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	{
		const char *argv[] = { b->runc, "--root", b->runc_root, "run",
		    "-d", "--pid-file", pidfile, "--preserve-fds", "1", "-b",
		    bc->dir, bc->id, NULL };

		bc->runc = bench_spawn(argv, errfd, pfd[1], err);
	}
	close(pfd[1]);
	if (errfd >= 0)
		close(errfd);
	bc->status_fd = pfd[0];
	return bc->runc < 0 ? -1 : 0;
}

/* The second half: runc has exited successfully and tf-init has said
 * "R" (the entrypoint was exec'd). */
static int
baseline_finish(base_ctr *bc, tf_err *err)
{
	char path[PATH_MAX], st[8], sbuf[64], *msg;
	int status;
	ssize_t n;

	status = bench_wait(bc->runc);
	bc->runc = -1;
	if (status != 0) {
		snprintf(path, sizeof path, "%s/runc.err", bc->dir);
		msg = tf_read_file(path, NULL, 4096);
		tf_err_set(err, "runc run %s: %s: %s", bc->id,
		    bench_status_str(status, sbuf, sizeof sbuf),
		    msg != NULL ? msg : "");
		free(msg);
		return -1;
	}
	do {
		n = read(bc->status_fd, st, sizeof st);
	} while (n < 0 && errno == EINTR);
	if (n <= 0 || st[0] != 'R')
		return tf_err_set(err, "tf-init in %s did not report running",
		    bc->id);
	return 0;
}

/* Untimed: waits for a runc still running, deletes the container,
 * unmounts and removes the bundle. */
static void
baseline_cleanup(spawn_bench *b, base_ctr *bc)
{
	if (bc->runc > 0)
		bench_wait(bc->runc);
	bc->runc = -1;
	if (bc->status_fd >= 0)
		close(bc->status_fd);
	bc->status_fd = -1;
	if (bc->made)
		baseline_remove(b, bc->dir, bc->id);
	bc->made = false;
}

/* Times one baseline spawn, start to "R", and removes it (untimed).
 * ms < 0 on failure. */
static double
baseline_spawn(spawn_bench *b, tf_err *err)
{
	base_ctr bc;
	double t0, ms = -1;

	t0 = bench_now_ms();
	if (baseline_start(b, &bc, err) == 0 && baseline_finish(&bc, err) == 0)
		ms = bench_now_ms() - t0;
	baseline_cleanup(b, &bc);
	return ms;
}

/* count baseline containers at once (all started, then all finished) or
 * one after another; all removed afterwards (untimed). */
static double
baseline_many(spawn_bench *b, int count, bool async, tf_err *err)
{
	base_ctr *bc = tf_calloc((size_t)count, sizeof *bc);
	double t0, ms = -1;
	int i, n = 0;

	t0 = bench_now_ms();
	for (i = 0; i < count; i++) {
		n = i + 1;
		if (baseline_start(b, &bc[i], err) != 0)
			goto out;
		if (!async && baseline_finish(&bc[i], err) != 0)
			goto out;
	}
	for (i = 0; async && i < count; i++) {
		if (baseline_finish(&bc[i], err) != 0)
			goto out;
	}
	ms = bench_now_ms() - t0;
out:
	for (i = 0; i < n; i++)
		baseline_cleanup(b, &bc[i]);
	free(bc);
	return ms;
}

/* --- SDK spawns ---------------------------------------------------------- */

static tf_container *
sdk_spawn(spawn_bench *b, tf_err *err)
{
	tf_spawn_opts o;

	memset(&o, 0, sizeof o);
	o.command = sleep_cmd;
	o.no_image_check = true;
	return tf_node_spawn(b->node, b->image, &o, err);
}

/* Times one SDK spawn to running; node_ms gets the node's startup_ms. */
static double
sdk_spawn_timed(spawn_bench *b, double *node_ms, tf_err *err)
{
	const tf_model_container *mc;
	tf_container *c;
	double t0, ms;
	tf_err derr;

	t0 = bench_now_ms();
	c = sdk_spawn(b, err);
	if (c == NULL)
		return -1;
	if (tf_container_wait_ready(c, 60000, err) != 0) {
		tf_container_destroy(c, &derr);
		return -1;
	}
	ms = bench_now_ms() - t0;
	mc = tf_model_container_find(tf_location_model(b->loc),
	    tf_container_id(c));
	*node_ms = mc != NULL && mc->startup_ms >= 0 ? (double)mc->startup_ms :
	    -1;
	if (tf_container_destroy(c, err) != 0)
		return -1;
	return ms;
}

/* N at once (all spawns sent, then each waited for) or one by one. */
static double
sdk_many(spawn_bench *b, int count, bool async, tf_err *err)
{
	tf_container **c = tf_calloc((size_t)count, sizeof *c);
	double t0, ms = -1;
	tf_err derr;
	int i;

	t0 = bench_now_ms();
	for (i = 0; i < count; i++) {
		c[i] = sdk_spawn(b, err);
		if (c[i] == NULL)
			goto out;
		if (!async && tf_container_wait_ready(c[i], 120000, err) != 0)
			goto out;
	}
	for (i = 0; async && i < count; i++) {
		if (tf_container_wait_ready(c[i], 120000, err) != 0)
			goto out;
	}
	ms = bench_now_ms() - t0;
out:
	for (i = 0; i < count; i++) {
		if (c[i] != NULL && tf_container_destroy(c[i], &derr) != 0 &&
		    ms >= 0) {
			*err = derr;
			ms = -1;
		}
	}
	free(c);
	return ms;
}

/* --- setup and teardown -------------------------------------------------- */

static void
cgroup_cleanup(const char *parent)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof path, "/sys/fs/cgroup%s", parent);
	rmdir(path);
	d = opendir("/sys/fs/cgroup");
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/sys/fs/cgroup/%s%s", de->d_name,
		    parent);
		rmdir(path);
	}
	closedir(d);
}

static int
bench_main(spawn_bench *b, int count, int concurrent)
{
	bench_samples sdk = { 0 }, node = { 0 }, base = { 0 };
	tf_container *warm = NULL;
	double ms, nms, t_async = -1, t_serial = -1, b_async = -1,
	    b_serial = -1;
	char label[128];
	tf_err err;
	int rc = 1, i;

	b->loc = bench_connect(b->verbose, &err);
	if (b->loc == NULL)
		goto fail;
	/* Ctrl-C ends the blocking calls with an error, so the containers
	 * made so far are destroyed on the way out. */
	if (tf_location_catch_signals(b->loc, &err) != 0)
		goto fail;
	if (tf_location_ensure_image_uploaded(b->loc, b->image, NULL, NULL,
	    NULL, 0, &err) != 0)
		goto fail;
	b->node = tf_location_best_node(b->loc, &err);
	if (b->node == NULL)
		goto fail;

	/* Warm-up: the node fetches and unpacks the layers once (not
	 * timed), and its config.json and mount become the template. */
	warm = sdk_spawn(b, &err);
	if (warm == NULL || tf_container_wait_ready(warm, 120000, &err) != 0)
		goto fail;
	if (template_load(b, warm, &err) != 0)
		goto fail;
	if (tf_container_destroy(warm, &err) != 0)
		goto fail;
	warm = NULL;
	/* One untimed spawn each, so both start with warm caches. */
	if (sdk_spawn_timed(b, &nms, &err) < 0 || baseline_spawn(b, &err) < 0)
		goto fail;

	printf("bench-spawn: %s, entrypoint `sleep 3600`, %d rounds of one SDK "
	    "spawn + one runc spawn\n", b->image, count);
	printf("  %-44s %9s %9s %9s\n", "spawn to running (ms)", "median",
	    "min", "p90");
	for (i = 0; i < count; i++) {
		ms = sdk_spawn_timed(b, &nms, &err);
		if (ms < 0)
			goto fail;
		bench_samples_add(&sdk, ms);
		if (nms >= 0)
			bench_samples_add(&node, nms);
		ms = baseline_spawn(b, &err);
		if (ms < 0)
			goto fail;
		bench_samples_add(&base, ms);
		if (b->verbose)
			fprintf(stderr, "round %d: sdk %.1f ms (node %.0f), "
			    "runc %.1f ms\n", i, sdk.v[sdk.n - 1], nms, ms);
	}
	bench_print_stats("SDK: tf_node_spawn -> wait_ready", &sdk);
	bench_print_stats("  of which the node's startup_ms", &node);
	bench_print_stats("runc: overlay + config + run -d -> exec'd", &base);
	printf("  ratio SDK / runc (medians): %.2f\n",
	    bench_samples_median(&sdk) / bench_samples_median(&base));

	if (concurrent > 0) {
		t_serial = sdk_many(b, concurrent, false, &err);
		if (t_serial < 0)
			goto fail;
		t_async = sdk_many(b, concurrent, true, &err);
		if (t_async < 0)
			goto fail;
		b_serial = baseline_many(b, concurrent, false, &err);
		if (b_serial < 0)
			goto fail;
		b_async = baseline_many(b, concurrent, true, &err);
		if (b_async < 0)
			goto fail;
		printf("bench-spawn: %d containers, from the first spawn until "
		    "all run\n", concurrent);
		printf("  %-44s %9.1f ms (%.1f ms each)\n",
		    "at once (spawn all, then wait all)", t_async,
		    t_async / concurrent);
		printf("  %-44s %9.1f ms (%.1f ms each)\n",
		    "one after another (spawn, wait, next)", t_serial,
		    t_serial / concurrent);
		printf("  ratio one-by-one / at once: %.2f (the seeds: 10 heavy "
		    "containers 77 s / 19 s = 4.05)\n", t_serial / t_async);
		printf("  the same with bare runc (bundle + run -d, no "
		    "platform): what this machine allows\n");
		printf("  %-44s %9.1f ms (%.1f ms each)\n",
		    "runc: at once (start all, then wait all)", b_async,
		    b_async / concurrent);
		printf("  %-44s %9.1f ms (%.1f ms each)\n",
		    "runc: one after another", b_serial, b_serial / concurrent);
		printf("  ratio one-by-one / at once: %.2f\n", b_serial / b_async);
	}

	bench_summary("spawn", "spawn to running, median (SDK vs runc run -d)",
	    bench_samples_median(&sdk), bench_samples_median(&base), "ms",
	    "SDK / runc");
	if (concurrent > 0) {
		snprintf(label, sizeof label, "%d spawns: at once vs one by one",
		    concurrent);
		bench_summary("spawn", label, t_async, t_serial, "ms",
		    "at once / one by one");
		snprintf(label, sizeof label, "%d runc run -d: at once vs one "
		    "by one", concurrent);
		bench_summary("spawn", label, b_async, b_serial, "ms",
		    "at once / one by one");
		snprintf(label, sizeof label, "%d at once: SDK vs runc",
		    concurrent);
		bench_summary("spawn", label, t_async, b_async, "ms",
		    "SDK / runc");
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench-spawn: %s\n", err.msg);
	if (warm != NULL)
		tf_container_destroy(warm, NULL);
out:
	bench_samples_fini(&sdk);
	bench_samples_fini(&node);
	bench_samples_fini(&base);
	tf_location_destroy(&b->loc);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "concurrent", required_argument, NULL, 'c' },
		{ "node-state", required_argument, NULL, 's' },
		{ "work", required_argument, NULL, 'w' },
		{ "image", required_argument, NULL, 'i' },
		{ "runc", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	spawn_bench b;
	const char *work = NULL;
	int count = 20, concurrent = 20, ch, rc;
	char tmpl[] = "/tmp/tfbench-spawn.XXXXXX";

	memset(&b, 0, sizeof b);
	b.image = "busybox";
	b.runc = "runc";
	while ((ch = getopt_long(argc, argv, "n:c:s:w:i:vh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'n': count = atoi(optarg); break;
		case 'c': concurrent = atoi(optarg); break;
		case 's': b.node_state = optarg; break;
		case 'w': work = optarg; break;
		case 'i': b.image = optarg; break;
		case 'R': b.runc = optarg; break;
		case 'v': b.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || count < 1 || concurrent < 0 ||
	    b.node_state == NULL) {
		usage(stderr);
		return 2;
	}
	/* A closed output pipe must not kill us before we clean up. */
	signal(SIGPIPE, SIG_IGN);
	if (geteuid() != 0) {
		fprintf(stderr, "bench-spawn: needs root (runc, mount)\n");
		return 77;
	}
	if (work != NULL) {
		if (tf_mkdir_p(work, 0700) != 0) {
			fprintf(stderr, "bench-spawn: cannot create %s: %s\n",
			    work, strerror(errno));
			return 1;
		}
		b.work = tf_asprintf("%s/spawn-%d", work, (int)getpid());
		if (mkdir(b.work, 0700) != 0) {
			fprintf(stderr, "bench-spawn: cannot create %s: %s\n",
			    b.work, strerror(errno));
			return 1;
		}
	} else {
		if (mkdtemp(tmpl) == NULL) {
			fprintf(stderr, "bench-spawn: mkdtemp: %s\n",
			    strerror(errno));
			return 1;
		}
		b.work = tf_strdup(tmpl);
	}
	b.runc_root = tf_asprintf("%s/runc", b.work);
	b.cgroup_parent = tf_asprintf("/tfbench-%d", (int)getpid());
	mkdir(b.runc_root, 0700);

	rc = bench_main(&b, count, concurrent);

	cgroup_cleanup(b.cgroup_parent);
	if (tf_rm_rf(b.work) != 0 && errno != ENOENT)
		fprintf(stderr, "bench-spawn: cannot remove %s: %s\n", b.work,
		    strerror(errno));
	json_decref(b.config);
	free(b.lowerdirs);
	free(b.work);
	free(b.runc_root);
	free(b.cgroup_parent);
	return rc;
}
