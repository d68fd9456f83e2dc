/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_registry: images from registries and other image stores, fetched by
 * skopeo (Debian's package) into a local OCI layout that tf_image then
 * reads like any other.  A reference names its transport as skopeo does:
 * docker://REGISTRY/REPO:TAG, oci:DIR[:REF], oci-archive:FILE[:REF],
 * docker-archive:FILE[:REF], containers-storage:NAME, dir:DIR.
 *
 * The pull cache is one OCI layout in which every reference has an entry
 * and all share one blob store, so a layer is downloaded once whatever
 * image it belongs to and a second pull of an unchanged image only asks
 * the registry for its manifest.  Blobs are never removed from it (remove
 * the directory to reclaim the space).  The cache is $TF_IMAGE_CACHE/pulled,
 * else /var/cache/20ft-images/pulled for root, else
 * ${XDG_CACHE_HOME:-~/.cache}/20ft/pulled.
 *
 * skopeo runs as a child whose output (its progress) is read by the
 * caller's loop, so a pull never stops a program's connection from
 * answering heartbeats.
 */
#ifndef TF_REGISTRY_H
#define TF_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "tf_err.h"
#include "tf_loop.h"

typedef struct tf_registry_opts {
	const char *creds;	/* "USER:PASSWORD" for the registry, or NULL */
	const char *authfile;	/* NULL: skopeo's own ($REGISTRY_AUTH_FILE,
				 * containers/auth.json, ~/.docker/config.json) */
	int tls_verify;		/* 1, 0, or -1: off for loopback registries
				 * only, as docker does */
	bool quiet;		/* no progress lines */
	const char *cache_dir;	/* NULL: see above */
} tf_registry_opts;

/* Whether image names a transport skopeo reads ("docker://...", ...). */
bool tf_registry_is_ref(const char *image);

/* The name the location should know the image by: a docker reference
 * without "docker://" and with ":latest" when it has no tag or digest;
 * other transports' references as given.  Caller frees. */
char *tf_registry_name(const char *ref);

typedef struct tf_registry_pull tf_registry_pull;

/* Starts skopeo copying ref into the pull cache; its output is read by
 * loop.  NULL and err when it cannot start. */
tf_registry_pull *tf_registry_pull_start(tf_loop *loop, const char *ref,
    const tf_registry_opts *opts, tf_err *err);
/* True once skopeo has finished (for a wait condition). */
bool tf_registry_pull_done(void *pull);
/* After done (or to give up: the child is killed): frees the pull.  On
 * success returns 0, the layout directory and the image's name in it (for
 * tf_image_open; caller frees both), the bytes fetched and the time
 * taken; else -1 with skopeo's error. */
int tf_registry_pull_finish(tf_registry_pull **pull_p, char **layout_out,
    char **name_out, uint64_t *bytes_out, uint64_t *ms_out, tf_err *err);

/* Empties the pull cache (opts->cache_dir, else the default one) under
 * its lock, so never during a pull: every blob and entry goes, and the
 * next pull of an image downloads it again.  Images already at a location
 * are not affected.  *bytes_out: what was freed. */
int tf_registry_prune(const tf_registry_opts *opts, uint64_t *bytes_out,
		      tf_err *err);

void tf_registry_test(bool verbose);

#endif
