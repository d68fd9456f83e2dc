/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf: runs an image on a 20ft location in the foreground, as the seeds'
 * `tf` did: spawn, pre-boot files, environment, volumes, tunnels onto the
 * exposed ports, an interactive terminal; Ctrl-C or the container's end
 * destroys what it made and exits.  Also creates an account from an invite
 * token (`tf account LOCATION TOKEN`).  Built on the public SDK (tf.h).
 */
#include <ctype.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tf_quota.h"
#include "tf_systemd.h"
#include "tf.h"
#include "tf_util.h"

/* Exit codes: documented in usage_text and tf(1). */
enum {
	TF_EXIT_OK = 0,
	TF_EXIT_CONTAINER = 1,		/* the container failed or exited != 0 */
	TF_EXIT_USAGE = 2,
	TF_EXIT_CONNECT = 5,
	TF_EXIT_NO_NODE = 6,
	TF_EXIT_SPAWN = 7,
	TF_EXIT_TUNNEL = 8,
	TF_EXIT_VOLUME = 9,
	TF_EXIT_WEB = 12,		/* -w could not publish */
};

#define PREBOOT_MAX (900u << 10)	/* they travel in one 1 MiB header */

static const char usage_text[] =
"Usage: tf [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
"       tf account LOCATION TOKEN [--local ADDR]\n"
"       tf LOCATION TOKEN\n"
"       tf --quota [--location NAME] [--local ADDR]\n"
"\n"
"Runs IMAGE in a container on a 20ft location and stays in the foreground\n"
"until Ctrl-C (SIGINT), SIGTERM or the container's end; then it destroys\n"
"the container and its tunnels and disconnects.  The container's console\n"
"output is copied to standard output; tf's own messages go to standard\n"
"error.  By default every TCP port the image exposes is tunnelled from the\n"
"same port on 127.0.0.1 (see --offset and -p).\n"
"\n"
"IMAGE is an image name or id the location knows, '.' for the image you\n"
"pushed last, a local OCI layout / docker-save archive (a path, or a\n"
"name found as $TF_IMAGES/NAME or ./build/images/NAME), or an image\n"
"skopeo reads (docker://REGISTRY/REPO:TAG, oci:, oci-archive:,\n"
"docker-archive:, containers-storage:), pulled first; each is pushed if\n"
"the location lacks any of its layers.  COMMAND replaces the image's\n"
"entrypoint and command.\n"
"\n"
"Options:\n"
"  -e, --env NAME=VALUE   set an environment variable (repeatable); a bare\n"
"                         NAME passes this shell's value of NAME\n"
"  -f, --file SRC:DEST    write local file SRC to DEST in the container\n"
"                         before it boots (repeatable); a DEST ending in /\n"
"                         gets SRC's name\n"
"  -m, --mount VOL:PATH   mount volume VOL (uuid, tag or uuid:tag) at PATH\n"
"                         (repeatable; see tfvolumes)\n"
"  -p, --publish L:R      tunnel local port L to port R in the container\n"
"                         (repeatable); turns off the exposed-port tunnels\n"
"      --offset N         tunnel each exposed port P from local port P+N\n"
"                         (e.g. --offset 8000 serves port 80 on 8080)\n"
"  -w, --web FQDN[:REWRITE[:CERT]]\n"
"                         publish the container's port 80 at FQDN through\n"
"                         the location's web balancer (repeatable), with\n"
"                         Host REWRITE sent to it, and over HTTPS with\n"
"                         CERT.crt and CERT.key (see tfdomains, docs/WEB.md)\n"
"  -s, --ssh PORT         serve ssh, scp, sftp, rsync and ssh -L onto the\n"
"                         container on 127.0.0.1:PORT (-s alone: 2222);\n"
"                         prints the ssh command to use.  Keys: those in\n"
"                         ~/.ssh/authorized_keys (or --authorized-keys)\n"
"      --authorized-keys FILE\n"
"                         the public keys that may log in with --ssh\n"
"  -z, --sleep            boot the container but do not start its\n"
"                         entrypoint (run processes in it with the SDK)\n"
"  -t, -i, -ti, --interactive\n"
"                         run COMMAND (default /bin/sh) on a terminal in the\n"
"                         container, connected to this one in raw mode; the\n"
"                         container is spawned asleep.  Escape: Ctrl-] then\n"
"                         q ends the session; Ctrl-] twice sends one Ctrl-]\n"
"      --tag TAG          tag the container (0-9 a-z - _ .)\n"
"      --memory MB        limit the container's memory to MB MiB (its\n"
"                         processes are OOM-killed beyond it)\n"
"      --node NAME        spawn on this node instead of the best one\n"
"      --location NAME    use this account/location instead of the default\n"
"                         (~/.20ft/default_location, or $TF_DIR)\n"
"      --local ADDR       connect to ADDR (host[:port]) instead of resolving\n"
"                         the location's name\n"
"      --systemd [[USER@]HOST]\n"
"                         do not run now: install this command line as a\n"
"                         systemd service, on HOST over ssh (a system unit\n"
"                         run as USER, linked in with sudo) or, with no\n"
"                         host, as a user unit here (systemctl --user);\n"
"                         -f files are copied beside the unit and the\n"
"                         image is uploaded first.  Write the host as\n"
"                         --systemd=HOST when it has no USER@\n"
"      --identity FILE    the ssh identity for --systemd\n"
"      --creds USER:PASS  registry credentials for a docker:// IMAGE\n"
"      --authfile FILE    registry auth file (default: skopeo's, e.g.\n"
"                         ~/.docker/config.json)\n"
"      --tls-verify BOOL  check the registry's TLS (default: true, but\n"
"                         false for a loopback registry, as docker does)\n"
"      --quota            run nothing: print this account's quotas at the\n"
"                         location (containers, tunnels, volumes, sessions,\n"
"                         KV entries and bytes), what is in use and the\n"
"                         limit ('-': none)\n"
"  -v, --verbose          debug messages\n"
"  -q, --quiet            nothing at all on standard error\n"
"  -h, --help             this text\n"
"      --version          the version\n"
"\n"
"Accounts: 'tf account LOCATION TOKEN' (or 'tf LOCATION TOKEN') creates an\n"
"account from a one-time invite token made by the location's administrator\n"
"('tf-location invite NAME'); keys go to ~/.20ft (or $TF_DIR).\n"
"\n"
"Exit status:\n"
"  0  stopped by Ctrl-C or SIGTERM, or the container (or -ti command)\n"
"     exited with status 0\n"
"  1  the container (or -ti command) exited non-zero or failed\n"
"  2  bad usage or a bad option value\n"
"  5  could not connect (no account, refused, unreachable)\n"
"  6  the location has no (such) node\n"
"  7  the image could not be pushed or the container could not start\n"
"  8  a tunnel or the ssh server could not be made (e.g. the local port\n"
"     is in use)\n"
"  9  a volume given with -m does not exist\n"
" 10  --systemd installed nothing (ssh, scp or writing the unit failed)\n"
" 11  --systemd wrote the unit but systemctl could not start it\n"
" 12  a -w web endpoint could not be published\n"
"\n"
"See tf(1), tfcache(1), tfvolumes(1) and docs/SDK.md.\n";

struct tf_opts {
	const char *location, *address, *tag, *node;
	bool verbose, quiet, sleep, interactive;
	int offset;
	bool have_offset;
	int64_t memory_mb;		/* --memory; 0: the node's default */
	char **env;
	size_t nenv;
	tf_file *files;
	size_t nfiles;
	tf_mount *mounts;
	size_t nmounts;
	int (*ports)[2];
	size_t nports;
	char **webs;			/* -w FQDN[:REWRITE[:CERT]] */
	size_t nwebs;
	int ssh_port;			/* 0: no ssh server */
	const char *authorized_keys;
	const char *image;
	int image_index;		/* argv[image_index] is image */
	char **command;
	bool systemd, quota;
	struct tf_systemd sd;
	const char *creds, *authfile;
	int tls_verify;
};

struct tf_run {
	tf_location *loc;
	tf_container *ctr;
	tf_process *shell;
	int exit;
	bool ended;
	tf_model_ctr_state end_state;
	bool was_ready;
};

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "tf: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(tf --help for usage)\n");
	return TF_EXIT_USAGE;
}

/* -e NAME=value or NAME (^[0-9A-Za-z_:]+, the original's rule). */
static int
opt_env(struct tf_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t namelen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	char *entry;

	if (namelen == 0)
		return usage_error("-e %s: no variable name", arg);
	for (size_t i = 0; i < namelen; i++)
		if (!isalnum((unsigned char)arg[i]) && arg[i] != '_' &&
		    arg[i] != ':')
			return usage_error("-e %s: variable names use A-Z a-z "
			    "0-9 _ only", arg);
	for (size_t i = 0; i < o->nenv; i++)
		if (strncmp(o->env[i], arg, namelen) == 0 &&
		    o->env[i][namelen] == '=')
			return usage_error("-e %s: that variable is set twice",
			    arg);
	if (eq != NULL) {
		entry = tf_strdup(arg);
	} else {
		const char *val = getenv(arg);

		if (val == NULL)
			return usage_error("-e %s: it is not set in this shell, "
			    "so there is no value to pass", arg);
		entry = tf_asprintf("%s=%s", arg, val);
	}
	o->env = tf_realloc(o->env, (o->nenv + 2) * sizeof *o->env);
	o->env[o->nenv++] = entry;
	o->env[o->nenv] = NULL;
	return 0;
}

/* -f src:dest; dest after the last colon; "dest/" takes src's name. */
static int
opt_file(struct tf_opts *o, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	char *src, *dest, *data, *copy;
	size_t len, total = 0;

	if (colon == NULL || colon == arg || colon[1] == '\0')
		return usage_error("-f %s: use -f SRC:DEST", arg);
	src = tf_strndup(arg, (size_t)(colon - arg));
	if (colon[1] != '/') {
		free(src);
		return usage_error("-f %s: DEST must be an absolute path", arg);
	}
	if (colon[strlen(colon) - 1] == '/') {
		copy = tf_strdup(src);
		dest = tf_asprintf("%s%s", colon + 1, basename(copy));
		free(copy);
	} else {
		dest = tf_strdup(colon + 1);
	}
	data = tf_read_file(src, &len, PREBOOT_MAX);
	if (data == NULL) {
		fprintf(stderr, "tf: -f %s: cannot read %s (missing, or over "
		    "%u KiB)\n", arg, src, PREBOOT_MAX >> 10);
		free(src);
		free(dest);
		return TF_EXIT_USAGE;
	}
	for (size_t i = 0; i < o->nfiles; i++)
		total += o->files[i].len;
	if (total + len > PREBOOT_MAX) {
		free(src);
		free(dest);
		free(data);
		return usage_error("-f %s: pre-boot files are for configuration: "
		    "at most 900 KiB in all", arg);
	}
	o->files = tf_realloc(o->files, (o->nfiles + 1) * sizeof *o->files);
	o->files[o->nfiles++] = (tf_file){ dest, data, len };
	free(src);
	return 0;
}

/* -m key:mountpoint; the last colon splits, so the key may be uuid:tag. */
static int
opt_mount(struct tf_opts *o, const char *arg)
{
	const char *colon = strrchr(arg, ':');

	if (colon == NULL || colon == arg || colon[1] != '/')
		return usage_error("-m %s: use -m VOLUME:/mount/point", arg);
	o->mounts = tf_realloc(o->mounts, (o->nmounts + 1) * sizeof *o->mounts);
	o->mounts[o->nmounts++] = (tf_mount){ NULL,
	    tf_strndup(arg, (size_t)(colon - arg)), tf_strdup(colon + 1) };
	return 0;
}

static int
opt_port_number(const char *s, const char *end)
{
	long v = 0;

	if (s == end)
		return -1;
	for (const char *p = s; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
		if (v > 65535)
			return -1;
	}
	return v > 0 ? (int)v : -1;
}

static int
opt_publish(struct tf_opts *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	int local, remote;

	if (colon == NULL ||
	    (local = opt_port_number(arg, colon)) < 0 ||
	    (remote = opt_port_number(colon + 1, colon + strlen(colon))) < 0)
		return usage_error("-p %s: use -p LOCALPORT:REMOTEPORT", arg);
	for (size_t i = 0; i < o->nports; i++)
		if (o->ports[i][0] == local)
			return usage_error("-p %s: that local port is used twice",
			    arg);
	o->ports = tf_realloc(o->ports, (o->nports + 1) * sizeof *o->ports);
	o->ports[o->nports][0] = local;
	o->ports[o->nports][1] = remote;
	o->nports++;
	return 0;
}

/* -w FQDN[:REWRITE[:CERT]]: the names are checked by the location; the
 * certificate files must exist here. */
static int
opt_web(struct tf_opts *o, const char *arg)
{
	char *copy = tf_strdup(arg), *rewrite, *cert;

	rewrite = strchr(copy, ':');
	cert = rewrite != NULL ? strchr(rewrite + 1, ':') : NULL;
	if (copy[0] == ':' || (cert != NULL && strchr(cert + 1, ':') != NULL)) {
		free(copy);
		return usage_error("-w %s: use -w FQDN[:REWRITE[:CERT]]", arg);
	}
	if (cert != NULL && cert[1] != '\0') {
		char crt[4096], key[4096];

		snprintf(crt, sizeof crt, "%s.crt", cert + 1);
		snprintf(key, sizeof key, "%s.key", cert + 1);
		if (access(crt, R_OK) != 0 || access(key, R_OK) != 0) {
			free(copy);
			return usage_error("-w %s: CERT.crt and CERT.key must "
			    "both exist", arg);
		}
	}
	free(copy);
	o->webs = tf_realloc(o->webs, (o->nwebs + 1) * sizeof *o->webs);
	o->webs[o->nwebs++] = tf_strdup(arg);
	return 0;
}

static int
parse_args(struct tf_opts *o, int argc, char **argv)
{
	enum { OPT_OFFSET = 256, OPT_LOCATION, OPT_LOCAL, OPT_TAG, OPT_NODE,
		OPT_MEMORY,
	    OPT_VERSION, OPT_CREDS, OPT_AUTHFILE, OPT_TLS, OPT_SYSTEMD,
	    OPT_IDENTITY, OPT_SSH, OPT_AUTHKEYS, OPT_QUOTA };
	static const struct option longopts[] = {
		{ "env", required_argument, NULL, 'e' },
		{ "file", required_argument, NULL, 'f' },
		{ "mount", required_argument, NULL, 'm' },
		{ "publish", required_argument, NULL, 'p' },
		{ "web", required_argument, NULL, 'w' },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "sleep", no_argument, NULL, 'z' },
		{ "ssh", required_argument, NULL, OPT_SSH },
		{ "authorized-keys", required_argument, NULL, OPT_AUTHKEYS },
		{ "interactive", no_argument, NULL, 'i' },
		{ "tag", required_argument, NULL, OPT_TAG },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "node", required_argument, NULL, OPT_NODE },
		{ "location", required_argument, NULL, OPT_LOCATION },
		{ "local", required_argument, NULL, OPT_LOCAL },
		{ "creds", required_argument, NULL, OPT_CREDS },
		{ "authfile", required_argument, NULL, OPT_AUTHFILE },
		{ "tls-verify", required_argument, NULL, OPT_TLS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "systemd", optional_argument, NULL, OPT_SYSTEMD },
		{ "identity", required_argument, NULL, OPT_IDENTITY },
		{ "quota", no_argument, NULL, OPT_QUOTA },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	opterr = 0;
	/* "+": options end at IMAGE, so COMMAND keeps its own options. */
	while ((ch = getopt_long(argc, argv, "+e:f:m:p:w:szitvqh", longopts,
	    NULL)) != -1) {
		rc = 0;
		switch (ch) {
		case 'e': rc = opt_env(o, optarg); break;
		case 'f': rc = opt_file(o, optarg); break;
		case 'm': rc = opt_mount(o, optarg); break;
		case 'p': rc = opt_publish(o, optarg); break;
		case 'w': rc = opt_web(o, optarg); break;
		case OPT_OFFSET: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || v < -65535 ||
			    v > 65535)
				return usage_error("--offset %s: a number of "
				    "ports", optarg);
			o->offset = (int)v;
			o->have_offset = true;
			break;
		}
		case 's': o->ssh_port = 2222; break;
		case OPT_SSH:
			o->ssh_port = opt_port_number(optarg,
			    optarg + strlen(optarg));
			if (o->ssh_port < 0)
				return usage_error("--ssh %s: a port number",
				    optarg);
			break;
		case OPT_AUTHKEYS: o->authorized_keys = optarg; break;
		case 'z': o->sleep = true; break;
		case 'i': case 't': o->interactive = true; break;
		case OPT_TAG: o->tag = optarg; break;
		case OPT_MEMORY: {
			char *end;
			long long v = strtoll(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || v < 4 ||
			    v > (1LL << 30))
				return usage_error("--memory %s: a number of "
				    "MiB, at least 4", optarg);
			o->memory_mb = v;
			break;
		}
		case OPT_NODE: o->node = optarg; break;
		case OPT_LOCATION: o->location = optarg; break;
		case OPT_LOCAL: o->address = optarg; break;
		case OPT_SYSTEMD:
			o->systemd = true;
			o->sd.target = optarg;
			/* The original's "--systemd user@server", as a
			 * separate word: a host has an @, an image not. */
			if (optarg == NULL && optind < argc &&
			    strchr(argv[optind], '@') != NULL)
				o->sd.target = argv[optind++];
			if (o->sd.target != NULL && o->sd.target[0] == '\0')
				return usage_error("%s", "--systemd=: no host");
			break;
		case OPT_IDENTITY: o->sd.identity = optarg; break;
		case OPT_QUOTA: o->quota = true; break;
		case OPT_CREDS: o->creds = optarg; break;
		case OPT_AUTHFILE: o->authfile = optarg; break;
		case OPT_TLS:
			o->tls_verify = cli_bool(optarg);
			if (o->tls_verify < 0)
				return usage_error("--tls-verify %s: true or "
				    "false", optarg);
			break;
		case 'v': o->verbose = true; break;
		case 'q': o->quiet = true; break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case OPT_VERSION:
			printf("tf %s\n", TF_SDK_VERSION);
			exit(0);
		default:
			if (optopt != 0 && optopt < 256)
				fprintf(stderr, "tf: bad option -%c\n", optopt);
			else
				fprintf(stderr, "tf: bad option %s\n",
				    argv[optind - 1]);
			fputs("(tf --help for usage)\n", stderr);
			return TF_EXIT_USAGE;
		}
		if (rc != 0)
			return rc;
	}
	if (o->verbose && o->quiet)
		return usage_error("%s", "-v and -q together make no sense");
	if (o->quota) {
		if (optind < argc)
			return usage_error("--quota takes no image: '%s'",
			    argv[optind]);
		return 0;
	}
	if (optind >= argc)
		return usage_error("%s", "no image given");
	if (o->sd.identity != NULL && (!o->systemd || o->sd.target == NULL))
		return usage_error("%s", "--identity is for --systemd HOST");
	o->image_index = optind;
	o->image = argv[optind];
	o->command = argc > optind + 1 ? &argv[optind + 1] : NULL;
	return 0;
}

/* ---- running ----------------------------------------------------------- */

static void
on_output(tf_container *c, int fd, const uint8_t *data, size_t len, void *arg)
{
	fwrite(data, 1, len, stdout);
	fflush(stdout);
}

static void
on_container_end(tf_container *c, tf_model_ctr_state st, int code, void *arg)
{
	struct tf_run *r = arg;

	r->ended = true;
	r->end_state = st;
	/* An exit means it ran, even when it was over before tf saw it
	 * ready ("running" and "exited" can arrive together). */
	if (r->was_ready || st == TF_CTR_DESTROYED || st == TF_CTR_EXITED)
		tf_info("Container has exited and/or been destroyed");
	if (r->shell == NULL)
		r->exit = st == TF_CTR_EXITED && code == 0 ? TF_EXIT_OK :
		    TF_EXIT_CONTAINER;
	tf_location_complete(r->loc, r->exit);
}

static void
on_shell_end(tf_process *p, int code, void *arg)
{
	struct tf_run *r = arg;

	r->exit = code == 0 ? TF_EXIT_OK : TF_EXIT_CONTAINER;
	tf_location_complete(r->loc, r->exit);
}

/* True when the run is over by the container's own exit or a signal.  Both
 * can come while tf is still waiting for "running" or making tunnels (a
 * command like 'exit 3' may end before tf sees it run); then that step
 * failing is how the run ended, not a failure of its own. */
static bool
run_over(const struct tf_run *r)
{
	return tf_location_completed(r->loc) &&
	    (!r->ended || r->end_state == TF_CTR_EXITED);
}

/* The exit status of a run that is over. */
static int
run_result(const struct tf_run *r)
{
	if (strcmp(tf_location_state(r->loc), "refused") == 0)
		return TF_EXIT_CONNECT;
	return r->exit;
}

/* --ssh: a server onto the container; says how to reach it. */
static int
make_ssh_server(struct tf_run *r, struct tf_opts *o)
{
	tf_ssh_opts so;
	tf_ssh_server *srv;
	tf_err err;
	int port;

	if (o->ssh_port == 0)
		return 0;
	memset(&so, 0, sizeof so);
	so.port = o->ssh_port;
	so.authorized_keys = o->authorized_keys;
	srv = tf_container_ssh_server(r->ctr, &so, &err);
	if (srv == NULL) {
		tf_error("Failed while creating an ssh server onto the "
		    "container: %s", err.msg);
		return TF_EXIT_TUNNEL;
	}
	port = tf_ssh_server_port(srv);
	tf_info("SSH onto the container: ssh -p %d root@127.0.0.1 "
	    "(also sftp -P %d, scp -P %d, rsync -e 'ssh -p %d')", port, port,
	    port, port);
	return 0;
}

static int
make_tunnels(struct tf_run *r, struct tf_opts *o)
{
	int ports[64], n;
	tf_err err;

	for (size_t i = 0; i < o->nports; i++) {
		if (tf_container_attach_tunnel(r->ctr, o->ports[i][1],
		    o->ports[i][0], NULL, &err) == NULL) {
			if (run_over(r))
				return 0;
			tf_error("Failed while creating a tunnel onto the "
			    "container: %s", err.msg);
			return TF_EXIT_TUNNEL;
		}
	}
	if (o->nports > 0)
		return 0;
	n = tf_location_image_ports(r->loc, tf_container_image(r->ctr), ports,
	    TF_ARRAY_LEN(ports), &err);
	if (n < 0 && run_over(r))
		return 0;
	if (n < 0) {
		tf_warn("cannot read the image's exposed ports: %s", err.msg);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		int local = ports[i] + o->offset;
		tf_tunnel *t = NULL;

		if (local > 0 && local <= 65535)
			t = tf_container_attach_tunnel(r->ctr, ports[i], local,
			    NULL, &err);
		if (t == NULL && run_over(r))
			return 0;
		if (t == NULL && !o->have_offset) {
			/* Port 80 needs root: fall back, as the 1.0 tf did. */
			tf_warn("Cannot listen on port %d (%s); using a free "
			    "port instead", local, err.msg);
			t = tf_container_attach_tunnel(r->ctr, ports[i], 0, NULL,
			    &err);
		}
		if (t == NULL && run_over(r))
			return 0;
		if (t == NULL) {
			tf_error("Failed while creating a tunnel onto the "
			    "container: %s", err.msg);
			return TF_EXIT_TUNNEL;
		}
	}
	return 0;
}

/* -w: one cluster of this container for each name; they go with the
 * session (unpublished at disconnect, or collected). */
static int
publish_webs(struct tf_run *r, struct tf_opts *o)
{
	for (size_t i = 0; i < o->nwebs; i++) {
		char *fqdn = tf_strdup(o->webs[i]), *rewrite, *cert = NULL;
		char crt[4096], key[4096];
		const char *pems[3] = { crt, key, NULL };
		tf_cluster *k;
		tf_err err;
		int rc;

		rewrite = strchr(fqdn, ':');
		if (rewrite != NULL) {
			*rewrite++ = '\0';
			cert = strchr(rewrite, ':');
			if (cert != NULL)
				*cert++ = '\0';
		}
		if (cert != NULL && cert[0] != '\0') {
			snprintf(crt, sizeof crt, "%s.crt", cert);
			snprintf(key, sizeof key, "%s.key", cert);
		}
		k = tf_cluster_new(r->loc, rewrite != NULL && rewrite[0] ?
		    rewrite : NULL);
		rc = tf_cluster_add(k, r->ctr, &err);
		if (rc == 0)
			rc = tf_cluster_publish(k, fqdn, 80, cert != NULL &&
			    cert[0] != '\0' ? pems : NULL, &err);
		tf_cluster_destroy(&k);
		free(fqdn);
		if (rc != 0) {
			if (run_over(r))
				return 0;
			tf_error("Failed while publishing %s: %s", o->webs[i],
			    err.msg);
			return TF_EXIT_WEB;
		}
	}
	return 0;
}

static int
run(struct tf_opts *o)
{
	static const char *const default_shell[] = { "/bin/sh", NULL };
	tf_location_opts lo;
	tf_spawn_opts so;
	struct tf_run r;
	tf_node *node = NULL;
	tf_err err;
	int rc;

	memset(&r, 0, sizeof r);
	memset(&lo, 0, sizeof lo);
	lo.location = o->location;
	lo.address = o->address;
	lo.program = "tf";
	lo.timeout_ms = 30000;
	r.loc = tf_location_new(&lo, &err);
	if (r.loc == NULL) {
		tf_error("Failed while connecting to location: %s", err.msg);
		return TF_EXIT_CONNECT;
	}
	if (tf_location_catch_signals(r.loc, &err) != 0)
		tf_warn("%s", err.msg);
	tf_location_set_registry(r.loc, o->creds, o->authfile, o->tls_verify);

	for (size_t i = 0; i < o->nmounts; i++) {
		o->mounts[i].volume = tf_location_volume(r.loc, o->mounts[i].name,
		    &err);
		if (o->mounts[i].volume == NULL) {
			tf_error("Could not find volume: %s", o->mounts[i].name);
			rc = TF_EXIT_VOLUME;
			goto out;
		}
	}
	if (o->node != NULL) {
		node = tf_location_node(r.loc, o->node, &err);
		if (node == NULL) {
			tf_error("%s", err.msg);
			rc = TF_EXIT_NO_NODE;
			goto out;
		}
	} else if (o->nmounts == 0) {
		/* With volumes the location picks the node they live on. */
		node = tf_location_best_node(r.loc, &err);
		if (node == NULL) {
			tf_error("%s", err.msg);
			rc = TF_EXIT_NO_NODE;
			goto out;
		}
	}

	memset(&so, 0, sizeof so);
	so.tag = o->tag;
	so.limits.memory_mb = o->memory_mb;
	so.env = (const char *const *)o->env;
	so.command = o->interactive ? NULL : (const char *const *)o->command;
	so.files = o->files;
	so.nfiles = o->nfiles;
	so.mounts = o->mounts;
	so.nmounts = o->nmounts;
	so.sleep = o->sleep || o->interactive;
	so.output = on_output;
	so.on_end = on_container_end;
	so.on_end_arg = &r;
	r.ctr = node != NULL ? tf_node_spawn(node, o->image, &so, &err) :
	    tf_location_spawn(r.loc, o->image, &so, &err);
	if (r.ctr == NULL || tf_container_wait_ready(r.ctr, 0, &err) != 0) {
		if (run_over(&r)) {
			rc = run_result(&r);
			goto out;
		}
		tf_error("Failed while spawning container: %s", err.msg);
		rc = TF_EXIT_SPAWN;
		goto out;
	}
	r.was_ready = true;
	rc = make_tunnels(&r, o);
	if (rc == 0)
		rc = publish_webs(&r, o);
	if (rc == 0)
		rc = make_ssh_server(&r, o);
	if (rc != 0)
		goto out;
	if (o->interactive && !tf_location_completed(r.loc)) {
		tf_process_opts po;

		memset(&po, 0, sizeof po);
		po.tty = true;
		po.term = getenv("TERM") != NULL ? getenv("TERM") : "xterm";
		po.on_end = on_shell_end;
		po.arg = &r;
		r.shell = tf_container_spawn_shell(r.ctr, o->command != NULL ?
		    (const char *const *)o->command : default_shell, &po, &err);
		if (r.shell == NULL ||
		    tf_process_attach_terminal(r.shell, &err) != 0) {
			tf_error("Failed while starting the interactive "
			    "process: %s", err.msg);
			rc = TF_EXIT_SPAWN;
			goto out;
		}
	}
	while (!tf_location_completed(r.loc))
		tf_location_sleep(r.loc, 60000);
	rc = run_result(&r);
out:
	/* Disconnecting destroys the container (its end callback says so)
	 * and the tunnels, then says goodbye. */
	tf_location_destroy(&r.loc);
	return rc;
}

/* --systemd: upload the image now (a service should not fail at boot on
 * an image only this machine has), then write and install the unit for
 * this command line. */
static int
install_service(struct tf_opts *o, int argc, char **argv)
{
	tf_location_opts lo;
	tf_location *loc;
	char id[128];
	tf_err err;

	memset(&lo, 0, sizeof lo);
	lo.location = o->location;
	lo.address = o->address;
	lo.program = "tf";
	lo.timeout_ms = 30000;
	loc = tf_location_new(&lo, &err);
	if (loc == NULL) {
		tf_error("Failed while connecting to location: %s", err.msg);
		return TF_EXIT_CONNECT;
	}
	tf_location_set_registry(loc, o->creds, o->authfile, o->tls_verify);
	if (tf_location_ensure_image_uploaded(loc, o->image, NULL, NULL, id,
	    sizeof id, &err) != 0) {
		tf_error("Failed while uploading the image: %s", err.msg);
		tf_location_destroy(&loc);
		return TF_EXIT_SPAWN;
	}
	tf_location_destroy(&loc);
	/* A bare name stays a name, so the service runs what the location
	 * calls it at each start.  Anything else (".", a path here, a
	 * registry) is the image uploaded now: the service needs neither
	 * this machine's files nor the registry and its credentials. */
	if (strcmp(o->image, ".") == 0 || strchr(o->image, '/') != NULL ||
	    strchr(o->image, ':') != NULL)
		argv[o->image_index] = id;
	return tf_systemd_install(&o->sd, argv[o->image_index],
	    o->interactive, argc, argv);
}

static void
opts_free(struct tf_opts *o)
{
	for (size_t i = 0; i < o->nenv; i++)
		free(o->env[i]);
	free(o->env);
	for (size_t i = 0; i < o->nfiles; i++) {
		free((char *)o->files[i].path);
		free((void *)o->files[i].data);
	}
	free(o->files);
	for (size_t i = 0; i < o->nmounts; i++) {
		free((char *)o->mounts[i].name);
		free((char *)o->mounts[i].mountpoint);
	}
	free(o->mounts);
	free(o->ports);
	for (size_t i = 0; i < o->nwebs; i++)
		free(o->webs[i]);
	free(o->webs);
}

int
main(int argc, char **argv)
{
	struct tf_opts o;
	int rc;

	tf_log_setup(TF_LOG_INFO, "tf", stderr);
	/* Accounts: "tf account LOCATION TOKEN [--local ADDR]" and the
	 * original's "tf LOCATION TOKEN". */
	if (argc >= 2 && (strcmp(argv[1], "account") == 0 ||
	    (argc >= 3 && strncmp(argv[2], "tf1", 3) == 0 &&
	    argv[1][0] != '-'))) {
		const char *address = NULL, *args[2];
		int n = 0;

		for (int i = strcmp(argv[1], "account") == 0 ? 2 : 1; i < argc;
		    i++) {
			if (strcmp(argv[i], "--local") == 0 && i + 1 < argc)
				address = argv[++i];
			else if (n < 2 && argv[i][0] != '-')
				args[n++] = argv[i];
			else
				return usage_error("account: unexpected '%s'",
				    argv[i]);
		}
		if (n != 2)
			return usage_error("%s", "account: use tf account "
			    "LOCATION TOKEN [--local ADDR]");
		tf_log_setup(TF_LOG_WARN, "tf", stderr);
		return cli_account_create("tf", args[0], args[1], address) == 0 ?
		    0 : 1;
	}
	memset(&o, 0, sizeof o);
	o.tls_verify = -1;
	rc = parse_args(&o, argc, argv);
	if (rc == 0) {
		tf_log_setup(o.quiet ? TF_LOG_QUIET : o.verbose ? TF_LOG_DEBUG :
		    TF_LOG_INFO, "tf", stderr);
		rc = o.quota ? tf_quota_show(o.location, o.address) :
		    o.systemd ? install_service(&o, argc, argv) : run(&o);
	}
	opts_free(&o);
	return rc;
}
