/* SPDX-License-Identifier: BSD-2-Clause */
/* rt_bundle: container directories, the overlay mount and config.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "rt_bundle.h"
#include "tf_log.h"
#include "tf_util.h"

/* mount(2) takes at most one page of options. */
#define OVERLAY_OPTS_MAX 4000

int
rt_bundle_create_dirs(const char *dir, tf_err *err)
{
	static const char *const sub[] = { "preboot", "upper", "work", "rootfs" };
	char path[4096];
	size_t i;

	if (tf_mkdir_p(dir, 0700) != 0)
		return tf_err_errno(err, "cannot create %s", dir);
	for (i = 0; i < TF_ARRAY_LEN(sub); i++) {
		if (!tf_snprintf(path, sizeof path, "%s/%s", dir, sub[i]))
			return tf_err_set(err, "path too long: %s", dir);
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return tf_err_errno(err, "cannot create %s", path);
	}
	return 0;
}

/* Appends ":" and s to buf; false if it does not fit. */
static bool
opts_add(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + 1 + n + 1 > size)
		return false;
	buf[(*len)++] = ':';
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return true;
}

static bool
path_ok_for_overlay(const char *p)
{
	/* Commas and colons separate overlay options and layers. */
	return strpbrk(p, ",:") == NULL;
}

int
rt_bundle_mount(const char *dir, const char *const *layers, size_t nlayers,
		tf_err *err)
{
	char opts[OVERLAY_OPTS_MAX + 1], target[4096], parent[4096];
	size_t len, i, plen = 0;
	bool relative = false;
	int cwd = -1, rc;

	for (i = 0; i < nlayers; i++) {
		if (layers[i][0] != '/' || !path_ok_for_overlay(layers[i]))
			return tf_err_set(err, "bad layer directory: %s", layers[i]);
	}
	if (!path_ok_for_overlay(dir))
		return tf_err_set(err, "bad container directory: %s", dir);

again:
	len = (size_t)snprintf(opts, sizeof opts, "lowerdir=%s/preboot", dir);
	for (i = nlayers; i-- > 0;) {
		const char *l = relative ? layers[i] + plen + 1 : layers[i];
		if (!opts_add(opts, sizeof opts, &len, l))
			break;
	}
	if (i != (size_t)-1 || len + 2 * strlen(dir) + 32 > OVERLAY_OPTS_MAX) {
		/* Too long for one page: if every layer lives in the same
		 * directory (the layer cache), name them relative to it. */
		const char *slash;

		if (relative || nlayers == 0)
			return tf_err_set(err, "too many layers (%zu) for one "
			    "overlay mount", nlayers);
		slash = strrchr(layers[0], '/');
		plen = (size_t)(slash - layers[0]);
		if (plen == 0 || plen >= sizeof parent)
			return tf_err_set(err, "too many layers (%zu) for one "
			    "overlay mount", nlayers);
		memcpy(parent, layers[0], plen);
		parent[plen] = '\0';
		for (i = 1; i < nlayers; i++) {
			if (strncmp(layers[i], parent, plen) != 0 ||
			    layers[i][plen] != '/' ||
			    strchr(layers[i] + plen + 1, '/') != NULL)
				return tf_err_set(err, "too many layers (%zu) "
				    "for one overlay mount", nlayers);
		}
		relative = true;
		goto again;
	}
	len += (size_t)snprintf(opts + len, sizeof opts - len,
	    ",upperdir=%s/upper,workdir=%s/work", dir, dir);
	if (len >= sizeof opts)
		return tf_err_set(err, "overlay options too long");
	snprintf(target, sizeof target, "%s/rootfs", dir);

	if (relative) {
		/* The node is single-threaded, so a brief chdir is safe. */
		cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cwd < 0 || chdir(parent) != 0) {
			if (cwd >= 0)
				close(cwd);
			return tf_err_errno(err, "cannot enter %s", parent);
		}
	}
	rc = mount("overlay", target, "overlay", MS_NODEV, opts);
	if (rc != 0)
		tf_err_errno(err, "cannot mount the overlay at %s", target);
	if (cwd >= 0) {
		if (fchdir(cwd) != 0)
			tf_warn("cannot return to the working directory: %s",
			    strerror(errno));
		close(cwd);
	}
	return rc == 0 ? 0 : -1;
}

/* Undoes the octal escapes (\040 ...) of /proc/self/mountinfo in place. */
static void
mountinfo_unescape(char *s)
{
	char *r = s, *w = s;

	while (*r != '\0') {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' &&
		    r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
			    (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* Mount points at or below prefix, in mountinfo order (parents first). */
static size_t
mounts_below(const char *prefix, char ***out)
{
	char *data, *line, *save = NULL, **list = NULL;
	size_t n = 0, plen = strlen(prefix);

	*out = NULL;
	data = tf_read_file("/proc/self/mountinfo", NULL, 16 << 20);
	if (data == NULL)
		return 0;
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[5], *p = line, *sp;
		int i;

		for (i = 0; i < 5; i++) {
			f[i] = p;
			sp = strchr(p, ' ');
			if (sp == NULL)
				break;
			*sp = '\0';
			p = sp + 1;
		}
		if (i < 5)
			continue;
		mountinfo_unescape(f[4]);
		if (strncmp(f[4], prefix, plen) == 0 &&
		    (f[4][plen] == '\0' || f[4][plen] == '/')) {
			list = tf_realloc(list, (n + 1) * sizeof *list);
			list[n++] = tf_strdup(f[4]);
		}
	}
	free(data);
	*out = list;
	return n;
}

bool
rt_bundle_mounted(const char *dir)
{
	char target[4096], **list;
	size_t n, i;
	bool found = false;

	snprintf(target, sizeof target, "%s/rootfs", dir);
	n = mounts_below(target, &list);
	for (i = 0; i < n; i++) {
		if (strcmp(list[i], target) == 0)
			found = true;
		free(list[i]);
	}
	free(list);
	return found;
}

static int
umount_one(const char *path)
{
	if (umount2(path, UMOUNT_NOFOLLOW) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOENT)
		return 0;	/* not a mount point (any more) */
	if (errno == EBUSY && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
		tf_info("%s was busy; detached it", path);
		return 0;
	}
	return -1;
}

int
rt_bundle_umount_below(const char *prefix)
{
	char **list;
	size_t n, i;
	int rc = 0;

	n = mounts_below(prefix, &list);
	/* Deepest (latest) first so nothing is hidden under its parent. */
	for (i = n; i-- > 0;) {
		if (umount_one(list[i]) != 0) {
			tf_warn("cannot unmount %s: %s", list[i], strerror(errno));
			rc = -1;
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

int
rt_bundle_umount(const char *dir, tf_err *err)
{
	char target[4096];

	snprintf(target, sizeof target, "%s/rootfs", dir);
	if (rt_bundle_umount_below(target) != 0)
		return tf_err_errno(err, "cannot unmount %s", target);
	return 0;
}

int
rt_bundle_reset(const char *dir, tf_err *err)
{
	static const char *const sub[] = { "upper", "work" };
	char path[4096];
	size_t i;

	for (i = 0; i < TF_ARRAY_LEN(sub); i++) {
		snprintf(path, sizeof path, "%s/%s", dir, sub[i]);
		if (tf_rm_rf(path) != 0 && errno != ENOENT)
			return tf_err_errno(err, "cannot empty %s", path);
		if (mkdir(path, 0755) != 0)
			return tf_err_errno(err, "cannot create %s", path);
	}
	return 0;
}

int
rt_bundle_remove(const char *dir, tf_err *err)
{
	if (rt_bundle_umount_below(dir) != 0)
		return tf_err_errno(err, "cannot unmount below %s", dir);
	if (tf_rm_rf(dir) != 0 && errno != ENOENT)
		return tf_err_errno(err, "cannot remove %s", dir);
	return 0;
}

/* --- config.json --------------------------------------------------------- */

static json_t *
str_array(const char *const *v)
{
	json_t *a = json_array();

	for (; v != NULL && *v != NULL; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *
mount_new(const char *dest, const char *type, const char *source,
	  const char *const *options)
{
	json_t *m = json_object();

	json_object_set_new(m, "destination", json_string(dest));
	json_object_set_new(m, "type", json_string(type));
	json_object_set_new(m, "source", json_string(source));
	if (options != NULL)
		json_object_set_new(m, "options", str_array(options));
	return m;
}

/* Docker's default capability set rather than `runc spec`'s three: real
 * images (nginx dropping to its user, anything calling chown) need
 * SETUID/SETGID/CHOWN, and operators expect Docker's behaviour. */
static const char *const default_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
	"CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP",
	"CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
	"CAP_AUDIT_WRITE", NULL
};

static json_t *
config_process(const rt_bundle_spec *s)
{
	json_t *p = json_object(), *args, *caps, *user, *rl, *r;
	const char *const *a;
	struct rlimit nofile;

	json_object_set_new(p, "terminal", json_false());
	user = json_object();
	json_object_set_new(user, "uid", json_integer(s->uid));
	json_object_set_new(user, "gid", json_integer(s->gid));
	json_object_set_new(p, "user", user);

	args = json_array();
	json_array_append_new(args, json_string(RT_INIT_PATH));
	if (s->sleep)
		json_array_append_new(args, json_string("-s"));
	json_array_append_new(args, json_string("--"));
	for (a = s->argv; a != NULL && *a != NULL; a++)
		json_array_append_new(args, json_string(*a));
	json_object_set_new(p, "args", args);
	json_object_set_new(p, "env", str_array(s->env));
	json_object_set_new(p, "cwd", json_string(s->cwd ? s->cwd : "/"));

	caps = json_object();
	json_object_set_new(caps, "bounding", str_array(default_caps));
	json_object_set_new(caps, "effective", str_array(default_caps));
	json_object_set_new(caps, "permitted", str_array(default_caps));
	json_object_set_new(p, "capabilities", caps);

	/* runc sets rlimits after dropping CAP_SYS_RESOURCE, so the node's
	 * own hard limit is the ceiling. */
	if (getrlimit(RLIMIT_NOFILE, &nofile) != 0)
		nofile.rlim_max = 1024;
	if (nofile.rlim_max > 65536)
		nofile.rlim_max = 65536;
	rl = json_array();
	r = json_object();
	json_object_set_new(r, "type", json_string("RLIMIT_NOFILE"));
	json_object_set_new(r, "hard", json_integer((json_int_t)nofile.rlim_max));
	json_object_set_new(r, "soft", json_integer((json_int_t)nofile.rlim_max));
	json_array_append_new(rl, r);
	json_object_set_new(p, "rlimits", rl);
	json_object_set_new(p, "noNewPrivileges", json_false());
	return p;
}

static json_t *
config_mounts(const rt_bundle_spec *s)
{
	static const char *const dev_o[] = { "nosuid", "strictatime",
	    "mode=755", "size=65536k", NULL };
	static const char *const pts_o[] = { "nosuid", "noexec", "newinstance",
	    "ptmxmode=0666", "mode=0620", "gid=5", NULL };
	static const char *const shm_o[] = { "nosuid", "noexec", "nodev",
	    "mode=1777", "size=65536k", NULL };
	static const char *const mq_o[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys_o[] = { "nosuid", "noexec", "nodev", "ro",
	    NULL };
	static const char *const cg_o[] = { "nosuid", "noexec", "nodev",
	    "relatime", "ro", NULL };
	static const char *const init_o[] = { "bind", "ro", "nosuid", "nodev",
	    NULL };
	static const char *const vol_rw[] = { "rbind", "rw", NULL };
	static const char *const vol_ro[] = { "rbind", "ro", NULL };
	json_t *m = json_array();
	size_t i;

	json_array_append_new(m, mount_new("/proc", "proc", "proc", NULL));
	json_array_append_new(m, mount_new("/dev", "tmpfs", "tmpfs", dev_o));
	json_array_append_new(m, mount_new("/dev/pts", "devpts", "devpts", pts_o));
	json_array_append_new(m, mount_new("/dev/shm", "tmpfs", "shm", shm_o));
	json_array_append_new(m, mount_new("/dev/mqueue", "mqueue", "mqueue", mq_o));
	json_array_append_new(m, mount_new("/sys", "sysfs", "sysfs", sys_o));
	json_array_append_new(m, mount_new("/sys/fs/cgroup", "cgroup", "cgroup",
	    cg_o));
	json_array_append_new(m, mount_new(RT_INIT_PATH, "bind", s->init_path,
	    init_o));
	if (s->hosts != NULL)
		json_array_append_new(m, mount_new("/etc/hosts", "bind",
		    s->hosts, vol_rw));
	for (i = 0; i < s->nmounts; i++)
		json_array_append_new(m, mount_new(s->mounts[i].dest, "bind",
		    s->mounts[i].source,
		    s->mounts[i].readonly ? vol_ro : vol_rw));
	return m;
}

static json_t *
config_linux(const rt_bundle_spec *s)
{
	static const char *const masked[] = { "/proc/acpi", "/proc/asound",
	    "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	    "/sys/firmware", "/proc/scsi", NULL };
	static const char *const ro[] = { "/proc/bus", "/proc/fs", "/proc/irq",
	    "/proc/sys", "/proc/sysrq-trigger", NULL };
	static const char *const ns[] = { "pid", "ipc", "uts", "mount", NULL };
	json_t *l = json_object(), *nss, *n, *res, *dev, *d, *mem, *pids, *cpu;
	char *cg;
	uint64_t memory = s->limits.memory_bytes ? s->limits.memory_bytes :
	    RT_DEFAULT_MEMORY;
	int64_t npids = s->limits.pids ? s->limits.pids : RT_DEFAULT_PIDS;
	uint64_t shares = s->limits.cpu_shares ? s->limits.cpu_shares :
	    RT_DEFAULT_CPU_SHARES;
	size_t i;

	nss = json_array();
	for (i = 0; ns[i] != NULL; i++) {
		n = json_object();
		json_object_set_new(n, "type", json_string(ns[i]));
		json_array_append_new(nss, n);
	}
	n = json_object();
	json_object_set_new(n, "type", json_string("network"));
	if (s->netns != NULL)
		json_object_set_new(n, "path", json_string(s->netns));
	json_array_append_new(nss, n);
	json_object_set_new(l, "namespaces", nss);

	cg = tf_asprintf("%s/%s", s->cgroup_parent ? s->cgroup_parent : "/tf",
	    s->id);
	json_object_set_new(l, "cgroupsPath", json_string(cg));
	free(cg);

	res = json_object();
	dev = json_array();
	d = json_object();
	json_object_set_new(d, "allow", json_false());
	json_object_set_new(d, "access", json_string("rwm"));
	json_array_append_new(dev, d);
	json_object_set_new(res, "devices", dev);
	mem = json_object();
	json_object_set_new(mem, "limit", json_integer((json_int_t)memory));
	if (s->cgroup_swap)
		json_object_set_new(mem, "swap", json_integer((json_int_t)memory));
	json_object_set_new(res, "memory", mem);
	pids = json_object();
	json_object_set_new(pids, "limit", json_integer(npids));
	json_object_set_new(res, "pids", pids);
	cpu = json_object();
	json_object_set_new(cpu, "shares", json_integer((json_int_t)shares));
	json_object_set_new(res, "cpu", cpu);
	json_object_set_new(l, "resources", res);

	json_object_set_new(l, "maskedPaths", str_array(masked));
	json_object_set_new(l, "readonlyPaths", str_array(ro));
	return l;
}

char *
rt_bundle_config_json(const rt_bundle_spec *s, tf_err *err)
{
	json_t *c, *root;
	char rootfs[4096], *text;

	if (s->init_path == NULL || s->init_path[0] != '/')
		return tf_err_set(err, "tf-init path must be absolute"), NULL;
	if (!tf_snprintf(rootfs, sizeof rootfs, "%s/rootfs", s->dir))
		return tf_err_set(err, "path too long"), NULL;
	c = json_object();
	json_object_set_new(c, "ociVersion", json_string("1.0.2"));
	json_object_set_new(c, "process", config_process(s));
	root = json_object();
	json_object_set_new(root, "path", json_string(rootfs));
	json_object_set_new(root, "readonly", json_false());
	json_object_set_new(c, "root", root);
	json_object_set_new(c, "hostname", json_string(s->hostname ?
	    s->hostname : s->id));
	json_object_set_new(c, "mounts", config_mounts(s));
	json_object_set_new(c, "linux", config_linux(s));
	text = json_dumps(c, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(c);
	if (text == NULL)
		tf_err_set(err, "cannot encode config.json (bad UTF-8 in "
		    "arguments or environment?)");
	return text;
}

/*
 * Writes dir/hosts for /etc/hosts, as Docker does: without it `localhost`
 * and the container's own name resolve nowhere in most images.  The name
 * maps to 127.0.1.1 (Debian's convention) since the address belongs to the
 * network layer, not the bundle.  A pre-boot /etc/hosts is the user's
 * choice and wins: returns 0 and leaves *path empty then.
 */
static int
bundle_write_hosts(const rt_bundle_spec *s, char *path, size_t size,
		   tf_err *err)
{
	const char *name = s->hostname ? s->hostname : s->id;
	char text[512];
	int n;

	path[0] = '\0';
	snprintf(text, sizeof text, "%s/preboot/etc/hosts", s->dir);
	if (access(text, F_OK) == 0)
		return 0;
	n = snprintf(text, sizeof text, "127.0.0.1\tlocalhost\n"
	    "::1\tlocalhost ip6-localhost ip6-loopback\n"
	    "127.0.1.1\t%s\n", name);
	if (n < 0 || (size_t)n >= sizeof text)
		return tf_err_set(err, "hostname too long: %s", name);
	if (!tf_snprintf(path, size, "%s/hosts", s->dir))
		return tf_err_set(err, "path too long");
	if (tf_write_file(path, text, (size_t)n, 0644) != 0)
		return tf_err_errno(err, "cannot write %s", path);
	return 0;
}

int
rt_bundle_write_config(const rt_bundle_spec *s, tf_err *err)
{
	rt_bundle_spec w = *s;
	char path[4096], hosts[4096], *text;
	int rc;

	if (bundle_write_hosts(s, hosts, sizeof hosts, err) != 0)
		return -1;
	if (hosts[0] != '\0')
		w.hosts = hosts;
	text = rt_bundle_config_json(&w, err);
	if (text == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/config.json", s->dir);
	rc = tf_write_file(path, text, strlen(text), 0600);
	free(text);
	if (rc != 0)
		return tf_err_errno(err, "cannot write %s", path);
	return 0;
}
