/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-node: runs containers for a location.
 *
 *   tf-node [--state DIR] init          make the node's key pair, print the
 *                                       public key for `tf-location node-add`
 *   tf-node [options] [run]             serve the location
 *
 * This file owns main(): flags, keys, the loop and its signals (SIGCHLD,
 * SIGTERM and SIGINT arrive through a signalfd), the connection to the
 * location, and an orderly shutdown that leaves no container, mount, cgroup
 * or network namespace behind.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "node.h"
#include "tf_codec_metrics.h"
#include "tf_daemon.h"
#include "tf_codec_hosts.h"
#include "tf_keys.h"
#include "tf_log.h"

static const char usage[] =
"usage: tf-node [options] [init | run]\n"
"  init                 make the node's key pair in the state directory and\n"
"                       print its public key (for tf-location node-add)\n"
"  run                  serve the location (the default)\n"
"options:\n"
"  -s, --state DIR      state directory (default /var/lib/tf-node)\n"
"  -e, --endpoint EP    the location, tcp://host:port (default\n"
"                       tcp://127.0.0.1:2020)\n"
"  -l, --location HOST  the location as host[:port] instead of --endpoint\n"
"  -k, --location-key F the location's public key (default <state>/location.pub)\n"
"  -n, --name NAME      the node's name (default: the host name)\n"
"      --runc PATH      the OCI runtime (default runc)\n"
"      --init PATH      tf-init (default: next to tf-node)\n"
"      --bridge NAME    the containers' bridge (default derived from --state)\n"
"      --no-net         give containers no network\n"
"      --advertise ADDR this host's address on the network between nodes\n"
"                       (an address of one of its interfaces): containers\n"
"                       reach other nodes' containers over VXLAN from it\n"
"      --btrfs-volumes SIZE\n"
"                       keep volumes on a btrfs file system in a SIZE\n"
"                       (e.g. 2G) loop file in the state directory, so\n"
"                       snapshots are instant; without it they are copies\n"
"      --log FILE       log to FILE instead of stderr; SIGHUP reopens it\n"
"  -v, --verbose        debug logging\n"
"  -q, --quiet          errors only\n"
"  -h, --help           this text\n"
"signals: SIGTERM and SIGINT stop the node in order: its containers are\n"
"destroyed and the location tells their owners; SIGHUP reopens the log\n"
"file.  A node that dies instead (SIGKILL, a crash) leaves its containers\n"
"to the next start, which reconciles them.  Under systemd it tells the\n"
"manager once it has reached the location (Type=notify).\n";

/* --- rt_io over tf_loop ------------------------------------------------- */

static int
node_io_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct node *n = arg;

	(void)loop;
	if (fd >= 0 && (size_t)fd < n->nwatches && n->watches[fd].fn != NULL)
		n->watches[fd].fn(fd, events, n->watches[fd].arg);
	return 0;
}

static int
node_io_watch(void *ctx, int fd, int events, rt_fd_fn fn, void *arg)
{
	struct node *n = ctx;

	if (fd < 0)
		return -1;
	if ((size_t)fd >= n->nwatches) {
		size_t cap = (size_t)fd * 2 + 16;

		n->watches = tf_realloc(n->watches, cap * sizeof *n->watches);
		memset(n->watches + n->nwatches, 0,
		    (cap - n->nwatches) * sizeof *n->watches);
		n->nwatches = cap;
	}
	n->watches[fd].fn = fn;
	n->watches[fd].arg = arg;
	return tf_loop_add_fd(n->loop, fd, events, node_io_cb, n);
}

static void
node_io_unwatch(void *ctx, int fd)
{
	struct node *n = ctx;

	if (fd >= 0 && (size_t)fd < n->nwatches) {
		n->watches[fd].fn = NULL;
		n->watches[fd].arg = NULL;
	}
	tf_loop_del_fd(n->loop, fd);
}

/* --- signals, hooks, timers ------------------------------------------- */

void
node_stop(struct node *n, const char *why)
{
	tf_info("stopping: %s", why);
	tf_daemon_stopping(&n->notify);
	tf_loop_stop(n->loop);
}

/* Everything else the node knows comes from the location or from the
 * kernel as it goes: SIGHUP has only the log to reopen. */
static void
node_reload(struct node *n)
{
	tf_err err;

	tf_daemon_reloading(&n->notify);
	if (n->opt.log_path != NULL &&
	    tf_daemon_log_open(n->opt.log_path, &err) != 0)
		tf_error("%s", err.msg);
	tf_info("SIGHUP: log reopened");
	tf_daemon_ready(&n->notify, n->ready_said ? "serving" : "connecting");
}

static int
node_signal_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct node *n = arg;
	struct signalfd_siginfo si;
	bool chld = false;

	(void)loop;
	(void)events;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			chld = true;
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			node_stop(n, si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
		else if (si.ssi_signo == SIGHUP)
			node_reload(n);
	}
	if (chld)
		ctr_table_sigchld(n->ctrs);
	return 0;
}

static void
node_before_sleep(tf_loop *loop, void *arg)
{
	struct node *n = arg;

	(void)loop;
	ctr_table_reap(n->ctrs);
	node_streams_reap(n);
	node_tunnels_reap(n);
}

static int
node_hk_cb(tf_loop *loop, uint64_t id, void *arg)
{
	(void)loop;
	(void)id;
	node_ctr_housekeeping(arg);
	return 0;
}

/* --- the location connection ------------------------------------------- */

static void
node_hello_fn(tf_conn *c, tf_out *hello, void *arg)
{
	(void)c;
	node_hello_containers(arg, hello);
	node_hosts_hello(arg, hello);
}

static void
node_state_cb(tf_conn *c, tf_conn_state st, const char *why, void *arg)
{
	struct node *n = arg;

	(void)c;
	switch (st) {
	case TF_CONN_UP:
		tf_info("connected to %s as %s", n->opt.endpoint, n->opt.name);
		if (n->welcomed) {
			/* Back after a break: the location failed whatever
			 * was streaming and has new ids for everything. */
			node_streams_reset(n);
			node_tunnels_reset(n);
		}
		n->welcomed = true;
		node_net_welcome(n);
		node_hosts_start(n);
		node_stats_send(n);
		if (!n->ready_said) {
			/* Scripts and tests wait for this line. */
			tf_info("ready");
			n->ready_said = true;
			tf_daemon_ready(&n->notify, "serving");
		}
		break;
	case TF_CONN_DOWN:
		tf_warn("lost the location (%s); reconnecting", why ? why : "");
		break;
	case TF_CONN_REFUSED:
		tf_error("the location refused this node: %s", why ? why : "");
		node_stop(n, "refused by the location");
		break;
	default:
		break;
	}
}

/* --- keys --------------------------------------------------------------- */

static int
node_init_keys(const char *state, tf_err *err)
{
	char sk_path[4200], pk_path[4200], b64[TF_KEY_B64_LEN];
	tf_keypair kp;

	if (tf_mkdir_p(state, 0700) != 0)
		return tf_err_errno(err, "cannot create %s", state);
	snprintf(sk_path, sizeof sk_path, "%s/node.key", state);
	snprintf(pk_path, sizeof pk_path, "%s/node.pub", state);
	if (access(sk_path, F_OK) == 0) {
		/* Never replace a key the location already knows. */
		if (tf_key_read(pk_path, kp.pk, err) != 0)
			return -1;
	} else {
		tf_keypair_make(&kp);
		if (tf_key_write(sk_path, kp.sk, 0600, err) != 0 ||
		    tf_key_write(pk_path, kp.pk, 0644, err) != 0) {
			tf_keypair_wipe(&kp);
			return -1;
		}
	}
	tf_key_to_b64(kp.pk, b64);
	tf_keypair_wipe(&kp);
	printf("%s\n", b64);
	return 0;
}

static int
node_load_keys(struct node *n, tf_err *err)
{
	char path[4200];
	const char *lk = n->opt.location_key;

	snprintf(path, sizeof path, "%s/node.key", n->state_dir);
	if (access(path, F_OK) != 0)
		return tf_err_set(err, "no key in %s: run `tf-node --state %s "
		    "init` and add the node to the location with `tf-location "
		    "node-add`", n->state_dir, n->state_dir);
	if (tf_key_read(path, n->keys.sk, err) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/node.pub", n->state_dir);
	if (tf_key_read(path, n->keys.pk, err) != 0)
		return -1;
	if (lk == NULL) {
		snprintf(path, sizeof path, "%s/location.pub", n->state_dir);
		lk = path;
	}
	if (tf_key_read(lk, n->location_pk, err) != 0)
		return tf_err_set(err, "%s (give the location's public key "
		    "with --location-key)", err->msg);
	return 0;
}

/* tf-init and tf-unpack normally sit next to tf-node (build tree, or
 * installed libexec). */
static char *
node_find_helper(const char *name)
{
	char self[PATH_MAX], *slash, *cand;
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);

	if (len > 0) {
		self[len] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			cand = tf_asprintf("%s/%s", self, name);
			if (access(cand, X_OK) == 0)
				return cand;
			free(cand);
			cand = tf_asprintf("%s/../libexec/tf-node/%s", self,
			    name);
			if (access(cand, X_OK) == 0) {
				char *real = realpath(cand, NULL);

				free(cand);
				return real;
			}
			free(cand);
		}
	}
	return tf_asprintf("/usr/libexec/tf-node/%s", name);
}

/* --- main --------------------------------------------------------------- */

static int
node_run(struct node *n)
{
	ctr_table_config tc;
	ctr_events ev;
	tf_conn_config cc;
	sigset_t mask;
	tf_err err;
	char *init_path = NULL, endpoint[300];
	int rc = 1, cleaned, adopted;

	if (geteuid() != 0) {
		tf_error("tf-node runs containers and must run as root");
		return 1;
	}
	if (node_load_keys(n, &err) != 0) {
		tf_error("%s", err.msg);
		return 1;
	}
	snprintf(endpoint, sizeof endpoint, "%s", n->opt.endpoint);
	/* A few descriptors per container: the default soft limit (1024)
	 * would stop the node at a few hundred (docs/SCALE.md). */
	tf_info("descriptor limit %lu", tf_nofile_raise());

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	n->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (n->sigfd < 0) {
		tf_error("signalfd: %s", strerror(errno));
		return 1;
	}

	n->loop = tf_loop_new();
	n->io.watch = node_io_watch;
	n->io.unwatch = node_io_unwatch;
	n->io.ctx = n;

	if (n->opt.init_path == NULL)
		n->opt.init_path = init_path = node_find_helper("tf-init");
	else if ((init_path = realpath(n->opt.init_path, NULL)) != NULL)
		n->opt.init_path = init_path;
	/* Layers are unpacked by a program of their own (tf-unpack). */
	n->unpack_path = node_find_helper("tf-unpack");
	memset(&tc, 0, sizeof tc);
	tc.state_dir = n->state_dir;
	tc.runc = n->opt.runc;
	tc.init_path = n->opt.init_path;
	ev.state = node_ctr_state_cb;
	ev.output = node_ctr_output_cb;
	ev.arg = n;
	n->ctrs = ctr_table_new(&tc, &n->io, &ev, &err);
	if (n->ctrs == NULL) {
		tf_error("%s", err.msg);
		goto out;
	}
	/* Containers an earlier run left running are taken back (adopted);
	 * the rest of what it left goes (docs/SCALE.md). */
	adopted = ctr_table_adopt(n->ctrs, node_ctr_adopt, n);
	if (adopted > 0)
		tf_info("adopted %d containers left running by an earlier run",
		    adopted);
	cleaned = ctr_table_cleanup(n->ctrs);
	if (cleaned > 0)
		tf_info("removed %d containers left by an earlier run", cleaned);
	snprintf(n->layer_dir, sizeof n->layer_dir, "%s/layers", n->state_dir);
	if (tf_mkdir_p(n->layer_dir, 0700) != 0) {
		tf_error("cannot create %s: %s", n->layer_dir, strerror(errno));
		goto out;
	}
	node_layers_init(n, node_spawn_layers_ready);
	if (node_vol_start(n, &err) != 0) {
		tf_error("%s", err.msg);
		goto out;
	}
	if (node_net_start(n, &err) != 0) {
		tf_error("%s", err.msg);
		goto out;
	}

	memset(&cc, 0, sizeof cc);
	cc.endpoint = endpoint;
	memcpy(cc.server_pk, n->location_pk, TF_KEY_LEN);
	cc.keys = n->keys;
	cc.role = "node";
	cc.name = n->opt.name;
	cc.hello_fn = node_hello_fn;
	cc.hello_arg = n;
	n->conn = tf_conn_new(n->loop, &cc, &err);
	if (n->conn == NULL) {
		tf_error("cannot connect to %s: %s", endpoint, err.msg);
		goto out;
	}
	tf_conn_on_push(n->conn, node_push_cb, n);
	tf_conn_on_state(n->conn, node_state_cb, n);

	tf_loop_add_fd(n->loop, n->sigfd, TF_READ, node_signal_cb, n);
	tf_loop_add_hook(n->loop, node_before_sleep, n);
	n->stats_timer = tf_loop_timer(n->loop, n->opt.stats_ms, true,
	    node_stats_timer_cb, n);
	n->hk_timer = tf_loop_timer(n->loop, 1000, true, node_hk_cb, n);
	n->metrics_timer = tf_loop_timer(n->loop, TF_METRICS_INTERVAL_MS, true,
	    node_metrics_timer_cb, n);
	tf_info("tf-node %s: state %s, location %s, tf-init %s", n->opt.name,
	    n->state_dir, endpoint, n->opt.init_path);

	tf_loop_run(n->loop);
	rc = 0;

out:
	/* Orderly shutdown: tell the location, then take everything down. */
	if (n->conn != NULL) {
		node_shutdown_report(n);
		tf_conn_destroy(&n->conn);
	}
	node_streams_free(n);
	node_spawns_free(n);
	node_layers_free(n);
	if (n->ctrs != NULL) {
		node_net_ctrs_down(n);
		node_ctrs_free(n);
	}
	ctr_table_destroy(&n->ctrs);
	node_net_stop(n);
	node_vol_stop(n);
	if (n->loop != NULL)
		tf_loop_destroy(&n->loop);
	if (n->sigfd >= 0)
		close(n->sigfd);
	free(n->watches);
	free(init_path);
	free(n->unpack_path);
	tf_keypair_wipe(&n->keys);
	tf_info("stopped");
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "location", required_argument, NULL, 'l' },
		{ "location-key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "runc", required_argument, NULL, 'R' },
		{ "init", required_argument, NULL, 'I' },
		{ "bridge", required_argument, NULL, 'B' },
		{ "no-net", no_argument, NULL, 'N' },
		{ "advertise", required_argument, NULL, 'A' },
		{ "btrfs-volumes", required_argument, NULL, 'V' },
		{ "log", required_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct node n;
	char host[256], endpoint[300], state[PATH_MAX];
	const char *cmd = "run";
	int ch, level = TF_LOG_INFO;
	tf_err err;

	memset(&n, 0, sizeof n);
	n.sigfd = -1;
	n.opt.state_dir = "/var/lib/tf-node";
	n.opt.endpoint = "tcp://127.0.0.1:2020";
	n.opt.stats_ms = 2000;
	while ((ch = getopt_long(argc, argv, "s:e:l:k:n:vqh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 's': n.opt.state_dir = optarg; break;
		case 'e': n.opt.endpoint = optarg; break;
		case 'l':
			if (tf_endpoint_from_location(optarg, 0, endpoint,
			    sizeof endpoint) != 0) {
				fprintf(stderr, "tf-node: bad location %s\n", optarg);
				return 2;
			}
			n.opt.endpoint = endpoint;
			break;
		case 'k': n.opt.location_key = optarg; break;
		case 'n': n.opt.name = optarg; break;
		case 'R': n.opt.runc = optarg; break;
		case 'I': n.opt.init_path = optarg; break;
		case 'B': n.opt.bridge = optarg; break;
		case 'N': n.opt.no_net = true; break;
		case 'A': n.opt.advertise = optarg; break;
		case 'V': n.opt.btrfs_volumes = optarg; break;
		case 'L': n.opt.log_path = optarg; break;
		case 'v': level = TF_LOG_DEBUG; break;
		case 'q': level = TF_LOG_ERROR; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (optind < argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (n.opt.log_path != NULL &&
	    tf_daemon_log_open(n.opt.log_path, &err) != 0) {
		fprintf(stderr, "tf-node: %s\n", err.msg);
		return 1;
	}
	tf_log_setup(level, "tf-node", stderr);
	tf_daemon_notify_open(&n.notify);
	tf_daemon_malloc_tune();
	if (n.opt.advertise != NULL && !tf_codec_ipv4_valid(n.opt.advertise)) {
		tf_error("--advertise %s: not an IPv4 address", n.opt.advertise);
		return 2;
	}
	if (sodium_init() < 0) {
		tf_error("libsodium failed to initialise");
		return 1;
	}
	/* The state directory is used in mount options and runc paths:
	 * make it absolute once. */
	if (tf_mkdir_p(n.opt.state_dir, 0700) != 0 ||
	    realpath(n.opt.state_dir, state) == NULL) {
		tf_error("cannot use state directory %s: %s", n.opt.state_dir,
		    strerror(errno));
		return 1;
	}
	snprintf(n.state_dir, sizeof n.state_dir, "%s", state);
	n.opt.state_dir = n.state_dir;

	if (strcmp(cmd, "init") == 0) {
		if (node_init_keys(n.state_dir, &err) != 0) {
			tf_error("%s", err.msg);
			return 1;
		}
		return 0;
	}
	if (strcmp(cmd, "run") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (n.opt.name == NULL) {
		if (gethostname(host, sizeof host) != 0)
			snprintf(host, sizeof host, "node");
		host[sizeof host - 1] = '\0';
		n.opt.name = host;
	}
	return node_run(&n);
}
