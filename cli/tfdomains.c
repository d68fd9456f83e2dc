/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tfdomains: the domains an account may publish web sites under, as the
 * original utility did: list, prepare and claim (proof by a DNS TXT
 * record), global, private and release.  See docs/WEB.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tf.h"
#include "tf_codec_web.h"

static const char usage_text[] =
"Usage: tfdomains [OPTIONS] {list,prepare,claim,global,private,release} [DOMAIN]\n"
"\n"
"Manages the domains under which you publish web sites at a 20ft location\n"
"(tf -w FQDN).  To claim a domain, 'prepare' it, put the token it prints\n"
"in a DNS TXT record tf-token.DOMAIN, then 'claim' it: the location checks\n"
"the record.  An administrator can also give a domain to an account\n"
"(tf-location domain-add).\n"
"\n"
"Commands:\n"
"  list             the domains you may publish under: yours, then global\n"
"                   ones (with their holder), and your published clusters\n"
"  prepare DOMAIN   print the token for the TXT record (valid six hours)\n"
"  claim DOMAIN     have the location check the record; the domain is yours\n"
"  global DOMAIN    let every account publish under your domain\n"
"  private DOMAIN   only you again\n"
"  release DOMAIN   give the domain up (its sites are unpublished)\n"
"\n"
"Options:\n"
"      --location NAME  a location other than the default one\n"
"      --local ADDR     connect to ADDR (host[:port]) instead\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 on success, 1 when the location refuses (the message says\n"
"why), 2 on bad usage, 5 when the location cannot be reached.\n";

static void
domains_list(tf_location *loc, int *rc)
{
	tf_web_list_msg l;
	tf_err err;

	if (tf_location_web_list(loc, &l, &err) != 0) {
		fprintf(stderr, "tfdomains: %s\n", err.msg);
		*rc = 1;
		return;
	}
	for (size_t i = 0; i < l.n_domains; i++) {
		const tf_domain_msg *d = &l.domains[i];

		printf("%s%s%s%s\n", d->domain, d->global ? " (global" : "",
		    d->global && !d->mine ? ", held by " : "",
		    d->global ? (d->mine ? ")" : d->owner) : "");
	}
	for (size_t i = 0; i < l.n_clusters; i++) {
		const tf_web_msg *w = &l.clusters[i];

		printf("  %s -> %zu container(s) port %lld%s%s: %s (cluster %s)\n",
		    w->fqdn, w->n_containers, (long long)w->port,
		    w->rewrite[0] ? " as " : "", w->rewrite, w->state,
		    w->cluster);
	}
	tf_web_list_free(&l);
}

int
main(int argc, char **argv)
{
	enum { OPT_LOCATION = 256, OPT_LOCAL };
	static const struct option longopts[] = {
		{ "location", required_argument, NULL, OPT_LOCATION },
		{ "local", required_argument, NULL, OPT_LOCAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *location = NULL, *address = NULL, *cmd, *domain;
	tf_location *loc;
	tf_err err;
	int ch, rc = 0, r = 0;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LOCATION: location = optarg; break;
		case OPT_LOCAL: address = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "list") == 0 ? argc - optind != 1 :
	    (strcmp(cmd, "prepare") == 0 || strcmp(cmd, "claim") == 0 ||
	    strcmp(cmd, "global") == 0 || strcmp(cmd, "private") == 0 ||
	    strcmp(cmd, "release") == 0) ? argc - optind != 2 : true) {
		fputs(usage_text, stderr);
		return 2;
	}
	domain = argc - optind == 2 ? argv[optind + 1] : NULL;
	tf_log_setup(TF_LOG_WARN, "tfdomains", stderr);
	loc = cli_location_open("tfdomains", location, address);
	if (loc == NULL)
		return 5;
	if (strcmp(cmd, "list") == 0) {
		domains_list(loc, &rc);
	} else if (strcmp(cmd, "prepare") == 0) {
		char token[80];

		r = tf_domain_prepare(loc, domain, token, sizeof token, &err);
		if (r == 0)
			printf("Put a DNS record on your domain: tf-token.%s, "
			    "TXT=%s\n...then run: tfdomains claim %s\n"
			    "The request will time out (and become invalid) "
			    "after six hours.\n", domain, token, domain);
	} else if (strcmp(cmd, "claim") == 0) {
		r = tf_domain_claim(loc, domain, &err);
		if (r == 0)
			printf("Claimed successfully - you can remove the "
			    "tf-token record from DNS\n");
	} else if (strcmp(cmd, "global") == 0) {
		r = tf_domain_global(loc, domain, &err);
		if (r == 0)
			printf("Domain made global, clients will need to "
			    "re-attach to see the change\n");
	} else if (strcmp(cmd, "private") == 0) {
		r = tf_domain_private(loc, domain, &err);
		if (r == 0)
			printf("Domain made private, other users can no longer "
			    "publish under it\n");
	} else {
		r = tf_domain_release(loc, domain, &err);
		if (r == 0)
			printf("Released domain\n");
	}
	if (strcmp(cmd, "list") != 0 && r != 0) {
		fprintf(stderr, "tfdomains: %s\n", err.msg);
		rc = 1;
	}
	tf_location_destroy(&loc);
	return rc;
}
