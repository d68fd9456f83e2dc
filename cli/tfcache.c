/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfcache: pushes images to a 20ft location: an OCI image layout or a
 * docker-save archive (directory or tarball), given as a path or as a bare
 * name found under $TF_IMAGES or ./build/images.  Only layers the location
 * lacks are uploaded; progress goes to standard error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tf.h"

static const char usage_text[] =
"Usage: tfcache [OPTIONS] IMAGE...\n"
"\n"
"Pushes each IMAGE to the location so that containers can be spawned from\n"
"it (tf IMAGE, or tf . for the last one pushed).  IMAGE is a path to an OCI\n"
"image layout directory, an OCI layout tarball or a `docker save` archive\n"
"(either form, tarball or extracted), or a bare name looked up as\n"
"$TF_IMAGES/NAME and then ./build/images/NAME (scripts/build_images.sh\n"
"makes busybox, nginx, env-test and ends-test there).  Layers are sent\n"
"once: a layer the location already has (from any user) is skipped.\n"
"A bare name the location already knows, with no local copy, is accepted\n"
"as it is.\n"
"\n"
"On success each image's id is printed on standard output as\n"
"'NAME: ID'.\n"
"\n"
"Options:\n"
"      --location NAME  a location other than the default one\n"
"      --local ADDR     connect to ADDR (host[:port]) instead\n"
"  -q, --quiet          no progress, errors only\n"
"  -v, --verbose        debug messages\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 when every image is at the location, 1 when one could not\n"
"be read or pushed, 2 on bad usage, 5 when the location cannot be reached.\n";

struct progress {
	bool tty;
	bool quiet;
	char last[64];
};

static void
on_progress(const char *what, uint64_t done, uint64_t total, void *arg)
{
	struct progress *p = arg;

	if (p->quiet || strcmp(what, "image") == 0)
		return;
	if (p->tty) {
		if (total > 0)
			fprintf(stderr, "\r%s: %.1f of %.1f MB   ", what,
			    (double)done / 1e6, (double)total / 1e6);
		else
			fprintf(stderr, "\r%s: %.1f MB   ", what,
			    (double)done / 1e6);
		snprintf(p->last, sizeof p->last, "%s", what);
	}
}

int
main(int argc, char **argv)
{
	enum { OPT_LOCATION = 256, OPT_LOCAL };
	static const struct option longopts[] = {
		{ "location", required_argument, NULL, OPT_LOCATION },
		{ "local", required_argument, NULL, OPT_LOCAL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *location = NULL, *address = NULL;
	struct progress prog = { isatty(STDERR_FILENO), false, "" };
	bool verbose = false;
	tf_location *loc;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LOCATION: location = optarg; break;
		case OPT_LOCAL: address = optarg; break;
		case 'q': prog.quiet = true; break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
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
	for (int i = optind; i < argc; i++) {
		char id[80];
		tf_err err;

		if (tf_location_push_image(loc, argv[i], on_progress, &prog, id,
		    sizeof id, &err) != 0) {
			if (prog.last[0] != '\0')
				fputc('\n', stderr);
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
