/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-location: the server side of one 20ft cluster.  main() parses the
 * command line and either runs an administrative subcommand against the
 * state directory (init, invite, node-add, pubkey) or runs the broker:
 * sockets, ZAP handler and housekeeping timer on one tf_loop.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "location.h"
#include "tf_daemon.h"
#include "tf_log.h"

int loc_volumes_load(struct location *loc);

static const char usage_text[] =
"Usage: tf-location [OPTIONS] [COMMAND [ARGS]]\n"
"\n"
"The 20ft location: authenticator, message broker, image cache, network\n"
"manager and clearing house for resource offers.  Clients and nodes reach\n"
"it over CurveZMQ; only keys on its allow-list get in.\n"
"\n"
"Commands:\n"
"  run                 run the location (the default)\n"
"  init                create the state directory and the location's keys\n"
"  invite NAME [--admin]\n"
"                      print a one-time invite token for a new account;\n"
"                      the user runs 'tf account LOCATION TOKEN'\n"
"  node-add NAME PUBKEY\n"
"                      approve a node's public key (from 'tf-node init')\n"
"  pubkey              print the location's public key (base64)\n"
"  layer-digest FILE   internal: sha256 and size of the tar in a gzip file\n"
"  domain-add DOMAIN USER\n"
"                      let account USER publish web sites under DOMAIN\n"
"                      (users may also claim one: tfdomains)\n"
"\n"
"Options:\n"
"  -s, --state DIR     state directory (default $TF_LOCATION_STATE or\n"
"                      /var/lib/tf-location)\n"
"  -b, --bind ADDR     endpoint for clients and nodes (default\n"
"                      tcp://127.0.0.1:2020); enrolment uses port + 1\n"
"      --grace SECS    keep a silent client's session this long before\n"
"                      destroying its containers and tunnels (default 120)\n"
"      --timeout SECS  a peer silent this long is down (default 5)\n"
"      --subnet A.B    containers get A.B.<node>.x addresses (default 10.220)\n"
"      --log FILE      log to FILE instead of stderr; SIGHUP reopens it\n"
"      --node-prefix N each node gets a /N of A.B (17-24, default 24: 253\n"
"                      containers a node; 22: 1021)\n"
"      --http [ADDR:]PORT\n"
"                      serve published clusters over HTTP on PORT through\n"
"                      HAProxy (default: no web balancer)\n"
"      --https [ADDR:]PORT\n"
"                      and over HTTPS (certificates given at publish)\n"
"      --haproxy PATH  the haproxy program (default: haproxy on PATH)\n"
"      --resolver ADDR[:PORT]\n"
"                      DNS server for domain claims (default: the first\n"
"                      nameserver of /etc/resolv.conf)\n"
"      --quota KIND=N  at most N of KIND an account (repeatable; 0: not\n"
"                      limited; K, M, G after N multiply by 1024s):\n"
"                      containers (default 2000), tunnels (1000),\n"
"                      volumes (200), sessions (200), kv_entries (100000),\n"
"                      kv_bytes (256M, keys and values), volume_bytes\n"
"                      (64G, the sizes of the account's volumes)\n"
"      --volume-size N the size of a volume created without one (default\n"
"                      1G; K, M, G as for --quota); a node that keeps\n"
"                      volumes on btrfs enforces it\n"
"  -v, --verbose       debug logging\n"
"  -q, --quiet         errors only\n"
"  -h, --help          this text\n"
"\n"
"Signals: SIGTERM and SIGINT stop it cleanly (containers keep running on\n"
"their nodes and are found again at the next start); SIGHUP reopens the\n"
"log file.  Under systemd it tells the manager when it is ready\n"
"(Type=notify).\n"
"\n"
"Exit status: 0 on a clean stop (SIGTERM or SIGINT), 1 on a startup\n"
"error, 2 on bad usage.\n";

static int
location_load_keys(struct location *loc, tf_err *err)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/location.key", loc->opt.state_dir);
	if (tf_key_read(path, loc->keys.sk, err) != 0) {
		char why[TF_ERR_LEN];

		snprintf(why, sizeof why, "%s", err->msg);
		return tf_err_set(err, "%s (run 'tf-location init' first)", why);
	}
	snprintf(path, sizeof path, "%s/location.pub", loc->opt.state_dir);
	return tf_key_read(path, loc->keys.pk, err);
}

static int
location_init(struct location *loc, tf_err *err)
{
	char path[4096], b64[TF_KEY_B64_LEN];

	if (tf_mkdir_p(loc->opt.state_dir, 0700) != 0)
		return tf_err_errno(err, "cannot create %s", loc->opt.state_dir);
	snprintf(path, sizeof path, "%s/layers", loc->opt.state_dir);
	if (tf_mkdir_p(path, 0700) != 0)
		return tf_err_errno(err, "cannot create %s", path);
	snprintf(path, sizeof path, "%s/location.key", loc->opt.state_dir);
	if (access(path, F_OK) != 0) {
		tf_keypair_make(&loc->keys);
		if (tf_key_write(path, loc->keys.sk, 0400, err) != 0)
			return -1;
		snprintf(path, sizeof path, "%s/location.pub", loc->opt.state_dir);
		if (tf_key_write(path, loc->keys.pk, 0644, err) != 0)
			return -1;
	} else if (location_load_keys(loc, err) != 0) {
		return -1;
	}
	if (loc_db_open(loc, err) != 0)
		return -1;
	tf_key_to_b64(loc->keys.pk, b64);
	printf("location state in %s\npublic key %s\n", loc->opt.state_dir, b64);
	return 0;
}

static void *
location_bind(struct location *loc, const char *endpoint, const char *domain,
	      tf_err *err)
{
	void *s = zmq_socket(loc->zctx, ZMQ_ROUTER);
	int zero = 0, one = 1, hwm = 100000;
	int64_t maxmsg = TF_MAXMSGSIZE;

	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
	zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, loc->keys.sk, TF_KEY_LEN);
	zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, domain, strlen(domain));
	/* A client that reconnects with a new connection must not lose the
	 * messages we route to it meanwhile: unknown ids fail loudly. */
	zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
	if (zmq_bind(s, endpoint) != 0) {
		tf_err_set(err, "cannot listen on %s: %s", endpoint,
		    zmq_strerror(errno));
		zmq_close(s);
		return NULL;
	}
	return s;
}

static void
location_node_known(struct location *loc, int64_t node_id, uint64_t now)
{
	struct loc_node *n;

	if (node_id <= 0 || loc_node_find(loc, node_id) != NULL)
		return;
	n = tf_calloc(1, sizeof *n);
	n->id = node_id;
	if (loc_db_node_name(loc, node_id, n->name, sizeof n->name) != 0)
		snprintf(n->name, sizeof n->name, "node%lld", (long long)node_id);
	/* Down until its hello; housekeeping gives it the grace period. */
	n->last_rx_ms = now;
	LOC_PUSH(nodes, n);
}

/* The state a restart keeps: sessions (all down), volumes and containers as
 * last recorded, and the nodes these live on, down until they say hello,
 * so records name their node and not "?". */
static void
location_load_state(struct location *loc)
{
	uint64_t now = tf_now_ms();

	loc_db_sessions_load(loc);
	loc_volumes_load(loc);
	loc_db_containers_load(loc);
	loc_clusters_load(loc);
	for (size_t i = 0; i < loc->n_containers; i++)
		location_node_known(loc, loc->containers[i]->node_id, now);
	for (size_t i = 0; i < loc->n_volumes; i++)
		location_node_known(loc, loc->volumes[i]->node_id, now);
}

/* The state is in SQLite, written as it changes, and the allow-list is
 * read from it at each handshake: SIGHUP has only the log to reopen. */
static void
location_reload(struct location *loc)
{
	tf_err err;

	tf_daemon_reloading(&loc->notify);
	if (loc->opt.log_path != NULL &&
	    tf_daemon_log_open(loc->opt.log_path, &err) != 0)
		tf_error("%s", err.msg);
	tf_info("SIGHUP: log reopened");
	tf_daemon_ready(&loc->notify, "serving");
}

static int
location_signal_cb(tf_loop *loop, int fd, int events, void *arg)
{
	struct location *loc = arg;
	struct signalfd_siginfo si;

	(void)loop;
	(void)events;
	while (read(fd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			location_reload(loc);
			continue;
		}
		tf_info("signal %u: stopping", si.ssi_signo);
		tf_daemon_stopping(&loc->notify);
		return -1;
	}
	return 0;
}

static int
location_run(struct location *loc, tf_err *err)
{
	char enrol_ep[300], host[256];
	sigset_t mask;
	int sfd;
	const char *colon;
	long port;

	if (location_load_keys(loc, err) != 0 || loc_db_open(loc, err) != 0 ||
	    loc_haproxy_precheck(loc, err) != 0)
		return -1;
	/* Descriptors per connected client and node (docs/SCALE.md). */
	tf_nofile_raise();
	loc->loop = tf_loop_new();
	loc->zctx = zmq_ctx_new();
	loc->boot_ms = (uint64_t)(tf_wall_time() * 1000);
	/* 1024 ids a millisecond of the last run's life before they meet. */
	loc->next_fwd_id = loc->boot_ms << 10;
	if (loc_zap_start(loc, err) != 0)
		return -1;
	loc->router = location_bind(loc, loc->opt.bind, "tf", err);
	if (loc->router == NULL)
		return -1;
	colon = strrchr(loc->opt.bind, ':');
	port = colon ? strtol(colon + 1, NULL, 10) : TF_DEFAULT_PORT;
	snprintf(host, sizeof host, "%.*s", (int)(colon - loc->opt.bind),
	    loc->opt.bind);
	snprintf(enrol_ep, sizeof enrol_ep, "%s:%ld", host,
	    port + TF_ENROL_PORT_OFFSET);
	loc->enrol = location_bind(loc, enrol_ep, "enrol", err);
	if (loc->enrol == NULL)
		return -1;
	location_load_state(loc);
	loc_layer_check_resume(loc);
	if (loc_haproxy_start(loc, err) != 0)
		return -1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	tf_loop_add_fd(loc->loop, sfd, TF_READ, location_signal_cb, loc);
	tf_loop_add_sock(loc->loop, loc->router, loc_router_cb, loc);
	tf_loop_add_sock(loc->loop, loc->enrol, loc_enrol_cb, loc);
	tf_loop_add_hook(loc->loop, loc_reap, loc);
	loc->hk_timer = tf_loop_timer(loc->loop, loc->opt.heartbeat_ms, true,
	    loc_housekeeping, loc);

	tf_info("location listening on %s (enrolment on %s)", loc->opt.bind,
	    enrol_ep);
	/* Scripts wait for this line. */
	printf("ready\n");
	fflush(stdout);
	tf_daemon_ready(&loc->notify, "serving");
	tf_loop_run(loc->loop);

	loc_layer_check_stop(loc);
	loc_haproxy_stop(loc);
	close(sfd);
	zmq_close(loc->router);
	zmq_close(loc->enrol);
	zmq_close(loc->zap);
	zmq_ctx_term(loc->zctx);
	tf_loop_destroy(&loc->loop);
	return 0;
}

static void
location_free(struct location *loc)
{
#define FREE_ALL(arr) do { \
	for (size_t i = 0; i < loc->n_##arr; i++) free(loc->arr[i]); \
	free(loc->arr); \
} while (0)
	for (size_t i = 0; i < loc->n_containers; i++) {
		free(loc->containers[i]->spec);
		loc->containers[i]->spec = NULL;
	}
	FREE_ALL(sessions);
	FREE_ALL(nodes);
	FREE_ALL(containers);
	FREE_ALL(tunnels);
	FREE_ALL(volumes);
	FREE_ALL(fwds);
	FREE_ALL(clusters);
	for (size_t i = 0; i < loc->n_claims; i++)
		if (loc->claims[i]->fd >= 0)
			close(loc->claims[i]->fd);
	FREE_ALL(claims);
	for (size_t i = 0; i < loc->n_uploads; i++) {
		close(loc->uploads[i]->fd);
		loc_layer_in_free(loc->uploads[i]->in);
		free(loc->uploads[i]);
	}
	free(loc->uploads);
	free(loc->tconns);
	free(loc->missed);
	free(loc->events);
	loc_db_close(loc);
	sodium_memzero(&loc->keys, sizeof loc->keys);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "bind", required_argument, NULL, 'b' },
		{ "grace", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "subnet", required_argument, NULL, 'n' },
		{ "log", required_argument, NULL, 'L' },
		{ "node-prefix", required_argument, NULL, 'p' },
		{ "quota", required_argument, NULL, 'Q' },
		{ "volume-size", required_argument, NULL, 'Z' },
		{ "admin", no_argument, NULL, 'a' },
		{ "http", required_argument, NULL, 'H' },
		{ "https", required_argument, NULL, 'S' },
		{ "haproxy", required_argument, NULL, 'X' },
		{ "resolver", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct location loc;
	const char *cmd = "run";
	int level = TF_LOG_INFO, ch, rc = 0;
	bool admin = false;
	tf_err err;

	memset(&loc, 0, sizeof loc);
	loc.opt.state_dir = getenv("TF_LOCATION_STATE");
	if (loc.opt.state_dir == NULL)
		loc.opt.state_dir = "/var/lib/tf-location";
	loc.opt.bind = "tcp://127.0.0.1:2020";
	loc.opt.heartbeat_ms = 1000;
	loc.opt.timeout_ms = 5000;
	loc.opt.grace_ms = 120000;
	loc.opt.subnet_base = "10.220";
	loc.opt.node_prefix = 24;
	loc_quota_defaults(&loc.opt);
	loc.opt.volume_size = (int64_t)1 << 30;
	while ((ch = getopt_long(argc, argv, "s:b:vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': loc.opt.state_dir = optarg; break;
		case 'b': loc.opt.bind = optarg; break;
		case 'g': loc.opt.grace_ms = (uint32_t)(atof(optarg) * 1000); break;
		case 't': loc.opt.timeout_ms = (uint32_t)(atof(optarg) * 1000); break;
		case 'n': loc.opt.subnet_base = optarg; break;
		case 'L': loc.opt.log_path = optarg; break;
		case 'p':
			loc.opt.node_prefix = atoi(optarg);
			if (loc.opt.node_prefix < 17 || loc.opt.node_prefix > 24) {
				fputs("--node-prefix: 17 to 24\n", stderr);
				return 2;
			}
			break;
		case 'Q':
			if (loc_quota_parse(&loc.opt, optarg, &err) != 0) {
				fprintf(stderr, "tf-location: %s\n", err.msg);
				return 2;
			}
			break;
		case 'Z':
			loc.opt.volume_size = tf_size_parse(optarg);
			if (loc.opt.volume_size <= 0) {
				fprintf(stderr, "tf-location: --volume-size %s: "
				    "a size above 0, with K, M or G after it\n",
				    optarg);
				return 2;
			}
			break;
		case 'a': admin = true; break;
		case 'H': loc.opt.http = optarg; break;
		case 'S': loc.opt.https = optarg; break;
		case 'X': loc.opt.haproxy = optarg; break;
		case 'R': loc.opt.resolver = optarg; break;
		case 'v': level = TF_LOG_DEBUG; break;
		case 'q': level = TF_LOG_ERROR; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (loc.opt.timeout_ms < 1000 || loc.opt.grace_ms < 1000) {
		fprintf(stderr, "tf-location: --timeout and --grace must be at "
		    "least 1 second\n");
		return 2;
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (loc.opt.log_path != NULL &&
	    tf_daemon_log_open(loc.opt.log_path, &err) != 0) {
		fprintf(stderr, "tf-location: %s\n", err.msg);
		return 1;
	}
	tf_log_setup(level, "tf-location", stderr);
	tf_daemon_notify_open(&loc.notify);
	tf_daemon_malloc_tune();
	if (sodium_init() < 0) {
		fprintf(stderr, "tf-location: libsodium failed to start\n");
		return 1;
	}

	if (strcmp(cmd, "layer-digest") == 0 && optind < argc) {
		/* Internal: the child of loc_layer_check.c. */
		return loc_layer_digest_main(argv[optind]);
	} else if (strcmp(cmd, "init") == 0) {
		rc = location_init(&loc, &err);
	} else if (strcmp(cmd, "run") == 0) {
		rc = location_run(&loc, &err);
	} else if (strcmp(cmd, "pubkey") == 0) {
		char b64[TF_KEY_B64_LEN];

		rc = location_load_keys(&loc, &err);
		if (rc == 0) {
			tf_key_to_b64(loc.keys.pk, b64);
			printf("%s\n", b64);
		}
	} else if (strcmp(cmd, "invite") == 0) {
		uint8_t secret[TF_TOKEN_SECRET_LEN];
		char token[TF_TOKEN_MAX];

		if (optind >= argc) {
			fputs("tf-location: invite needs a NAME\n", stderr);
			return 2;
		}
		rc = location_load_keys(&loc, &err);
		if (rc == 0)
			rc = loc_db_open(&loc, &err);
		if (rc == 0) {
			tf_token_make(loc.keys.pk, secret, token, sizeof token);
			rc = loc_db_invite_add(&loc, secret, argv[optind], admin, &err);
		}
		if (rc == 0)
			printf("%s\n", token);
	} else if (strcmp(cmd, "node-add") == 0) {
		uint8_t pk[TF_KEY_LEN];
		int64_t id;

		if (optind + 2 > argc) {
			fputs("tf-location: node-add needs NAME PUBKEY\n", stderr);
			return 2;
		}
		if (tf_key_from_b64(argv[optind + 1], pk) != 0) {
			fprintf(stderr, "tf-location: '%s' is not a base64 public key\n",
			    argv[optind + 1]);
			return 2;
		}
		rc = loc_db_open(&loc, &err);
		if (rc == 0)
			rc = loc_db_node_add(&loc, pk, argv[optind], &id, &err);
		if (rc == 0)
			printf("node %s approved (id %lld)\n", argv[optind],
			    (long long)id);
	} else if (strcmp(cmd, "domain-add") == 0) {
		if (optind + 2 > argc) {
			fputs("tf-location: domain-add needs DOMAIN USER\n", stderr);
			return 2;
		}
		rc = loc_db_open(&loc, &err);
		if (rc == 0)
			rc = loc_domain_add(&loc, argv[optind], argv[optind + 1],
			    &err);
		if (rc == 0)
			printf("%s may publish under %s\n", argv[optind + 1],
			    argv[optind]);
	} else {
		fprintf(stderr, "tf-location: unknown command '%s'\n\n%s", cmd,
		    usage_text);
		return 2;
	}
	if (rc != 0)
		fprintf(stderr, "tf-location: %s\n", err.msg);
	location_free(&loc);
	return rc == 0 ? 0 : 1;
}
