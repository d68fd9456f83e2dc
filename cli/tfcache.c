/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfcache: pushes images to a 20ft location: an OCI image layout or a
 * docker-save archive (directory or tarball), given as a path or as a bare
 * name found under $TF_IMAGES or ./build/images, or an image skopeo reads
 * (docker://REGISTRY/REPO:TAG and the other transports), pulled first.
 * Only layers the location lacks are uploaded; progress (bytes and rate)
 * goes to standard error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tf.h"
#include "tf_registry.h"
#include "tf_util.h"

static const char usage_text[] =
"Usage: tfcache [OPTIONS] IMAGE...\n"
"       tfcache --prune\n"
"\n"
"Pushes each IMAGE to the location so that containers can be spawned from\n"
"it (tf IMAGE, or tf . for the last one pushed).  IMAGE is a path to an OCI\n"
"image layout directory, an OCI layout tarball or a `docker save` archive\n"
"(either form, tarball or extracted), a bare name looked up as\n"
"$TF_IMAGES/NAME and then ./build/images/NAME (scripts/build_images.sh\n"
"makes busybox, nginx, env-test, ends-test, debian, postgres, redis and\n"
"python there), or an image skopeo reads: docker://REGISTRY/REPO:TAG,\n"
"oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF],\n"
"containers-storage:NAME.  Those are pulled first (linux/amd64 from a\n"
"multi-arch index; gzip or zstd layers) into a cache that keeps every\n"
"layer once ($TF_IMAGE_CACHE/pulled, /var/cache/20ft-images/pulled for\n"
"root, else ~/.cache/20ft/pulled), and are known at the location as\n"
"REGISTRY/REPO:TAG.  Layers are sent once: a layer the location already\n"
"has (from any user) is skipped.  A bare name the location already\n"
"knows, with no local copy, is accepted as it is.\n"
"\n"
"On success each image's id is printed on standard output as\n"
"'NAME: ID'.\n"
"\n"
"Options:\n"
"      --location NAME  a location other than the default one\n"
"      --local ADDR     connect to ADDR (host[:port]) instead\n"
"      --creds USER:PASS\n"
"                       registry credentials (else the auth file's)\n"
"      --authfile FILE  registry auth file in docker's format (default:\n"
"                       $REGISTRY_AUTH_FILE, containers/auth.json,\n"
"                       ~/.docker/config.json)\n"
"      --prune          empty the pull cache (every image pulled with\n"
"                       skopeo; the next pull downloads it again; images\n"
"                       at the location are not affected) and print what\n"
"                       it freed\n"
"      --tls-verify BOOL\n"
"                       check the registry's TLS certificate (default:\n"
"                       true, but false for a loopback registry)\n"
"  -q, --quiet          no progress, errors only\n"
"  -v, --verbose        debug messages\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 when every image is at the location, 1 when one could not\n"
"be read or pushed, 2 on bad usage, 5 when the location cannot be reached.\n";

struct progress {
	bool tty;
	bool quiet;
	char last[64];		/* the layer on the tty's last line */
	char layer[64];		/* the layer being pushed */
	uint64_t start_ms, done, next_report_ms;
};

/* One layer's line: on a terminal redrawn in place, otherwise every few
 * seconds and once at the end of the layer. */
static void
progress_line(struct progress *p, const char *what, uint64_t done,
	      uint64_t total, bool end)
{
	uint64_t now = tf_now_ms(), ms = now - p->start_ms;
	double rate = ms > 0 ? (double)done / 1e3 / (double)ms : 0.0;

	if (p->tty) {
		fprintf(stderr, "\r%s: %.1f MB pushed, %.1f MB/s   ", what,
		    (double)done / 1e6, rate);
		snprintf(p->last, sizeof p->last, "%s", what);
		if (end) {
			fputc('\n', stderr);
			p->last[0] = '\0';
		}
	} else if (end || now >= p->next_report_ms) {
		fprintf(stderr, "%s: %.1f MB pushed, %.1f MB/s%s\n", what,
		    (double)done / 1e6, rate, end ? "" : "...");
		p->next_report_ms = now + 2000;
	}
	(void)total;
}

static void
on_progress(const char *what, uint64_t done, uint64_t total, void *arg)
{
	struct progress *p = arg;

	if (p->quiet)
		return;
	/* A new layer, or the end ("image"): close the one before. */
	if (p->layer[0] != '\0' && strcmp(what, p->layer) != 0) {
		progress_line(p, p->layer, p->done, 0, true);
		p->layer[0] = '\0';
	}
	if (strcmp(what, "image") == 0)
		return;
	if (p->layer[0] == '\0') {
		snprintf(p->layer, sizeof p->layer, "%s", what);
		p->start_ms = tf_now_ms();
		p->next_report_ms = p->start_ms + 2000;
	}
	p->done = done;
	progress_line(p, what, done, total, false);
}

int
main(int argc, char **argv)
{
	enum { OPT_LOCATION = 256, OPT_LOCAL, OPT_CREDS, OPT_AUTHFILE,
	    OPT_TLS, OPT_PRUNE };
	static const struct option longopts[] = {
		{ "location", required_argument, NULL, OPT_LOCATION },
		{ "local", required_argument, NULL, OPT_LOCAL },
		{ "creds", required_argument, NULL, OPT_CREDS },
		{ "authfile", required_argument, NULL, OPT_AUTHFILE },
		{ "tls-verify", required_argument, NULL, OPT_TLS },
		{ "prune", no_argument, NULL, OPT_PRUNE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *location = NULL, *address = NULL;
	const char *creds = NULL, *authfile = NULL;
	struct progress prog = { .tty = isatty(STDERR_FILENO) };
	int tls_verify = -1;
	bool verbose = false, prune = false;
	tf_location *loc;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LOCATION: location = optarg; break;
		case OPT_LOCAL: address = optarg; break;
		case OPT_CREDS: creds = optarg; break;
		case OPT_AUTHFILE: authfile = optarg; break;
		case OPT_TLS:
			tls_verify = cli_bool(optarg);
			if (tls_verify < 0) {
				fprintf(stderr, "tfcache: --tls-verify %s: "
				    "true or false\n", optarg);
				return 2;
			}
			break;
		case OPT_PRUNE: prune = true; break;
		case 'q': prog.quiet = true; break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (prune) {
		uint64_t freed;
		tf_err err;

		if (optind < argc) {
			fprintf(stderr, "tfcache: --prune takes no image\n");
			return 2;
		}
		if (tf_registry_prune(NULL, &freed, &err) != 0) {
			fprintf(stderr, "tfcache: --prune: %s\n", err.msg);
			return 1;
		}
		if (!prog.quiet)
			printf("pull cache pruned: %.1f MB freed\n",
			    (double)freed / 1e6);
		return 0;
	}
	if (optind >= argc) {
		fprintf(stderr, "tfcache: no image given\n\n%s", usage_text);
		return 2;
	}
	tf_log_setup(prog.quiet ? TF_LOG_ERROR : verbose ? TF_LOG_DEBUG :
	    TF_LOG_INFO, "tfcache", stderr);
	loc = cli_location_open("tfcache", location, address);
	if (loc == NULL)
		return 5;
	tf_location_set_registry(loc, creds, authfile, tls_verify);
	for (int i = optind; i < argc; i++) {
		char id[80];
		tf_err err;
		int r;

		r = tf_location_push_image(loc, argv[i], on_progress, &prog,
		    id, sizeof id, &err);
		on_progress("image", 0, 0, &prog);
		if (r != 0) {
			if (prog.last[0] != '\0')
				fputc('\n', stderr);
			prog.last[0] = '\0';
			fprintf(stderr, "tfcache: %s: %s\n", argv[i], err.msg);
			rc = 1;
			continue;
		}
		if (prog.last[0] != '\0') {
			fputc('\n', stderr);
			prog.last[0] = '\0';
		}
		printf("%s: %s\n", argv[i], id);
		fflush(stdout);
	}
	tf_location_destroy(&loc);
	return rc;
}
