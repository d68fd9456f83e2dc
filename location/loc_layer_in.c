/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loc_layer_in: the digest of a layer being received.  A layer is named by
 * the sha256 of its uncompressed tar (the diff_id), whatever form it
 * arrives in: plain, hashed as it comes, or the gzip blob a registry
 * stored (a third of the bytes on the wire), gunzipped here chunk by chunk
 * only to hash the tar; the blob itself is what is kept, and the node's
 * libarchive unpacks either form.  OpenSSL's SHA-256 uses the CPU's SHA
 * instructions where there are some: several times libsodium's portable
 * code on a layer of hundreds of MB.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "location.h"
#include "tf_log.h"

#define INFLATE_OUT (256u << 10)

struct loc_layer_in {
	EVP_MD_CTX *md;
	bool gzip, ended;		/* ended: the last gzip member ended */
	z_stream z;
	unsigned char *out;
	int64_t size;			/* uncompressed bytes */
};

struct loc_layer_in *
loc_layer_in_new(bool gzip)
{
	struct loc_layer_in *in = tf_calloc(1, sizeof *in);

	in->md = EVP_MD_CTX_new();
	if (in->md == NULL || EVP_DigestInit_ex(in->md, EVP_sha256(), NULL) != 1)
		tf_panic("loc_layer_in: cannot start a sha256");
	in->gzip = gzip;
	if (gzip) {
		/* 16 + MAX_WBITS: a gzip header and trailer, not zlib's. */
		if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK)
			tf_panic("loc_layer_in: inflateInit2");
		in->out = tf_malloc(INFLATE_OUT);
	}
	return in;
}

static int
layer_in_gunzip(struct loc_layer_in *in, const void *data, size_t len,
		tf_err *err)
{
	in->z.next_in = (Bytef *)(uintptr_t)data;
	in->z.avail_in = (uInt)len;
	for (;;) {
		size_t made;
		int r;

		/* Bytes after a member's end: another member (pigz, `cat
		 * a.gz b.gz`) starts. */
		if (in->ended && in->z.avail_in > 0) {
			if (inflateReset(&in->z) != Z_OK)
				return tf_err_set(err, "gzip: cannot restart");
			in->ended = false;
		}
		in->z.next_out = in->out;
		in->z.avail_out = INFLATE_OUT;
		r = inflate(&in->z, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return tf_err_set(err, "the gzip data is corrupt (%s)",
			    in->z.msg != NULL ? in->z.msg : "inflate");
		made = INFLATE_OUT - in->z.avail_out;
		EVP_DigestUpdate(in->md, in->out, made);
		in->size += (int64_t)made;
		if (r == Z_STREAM_END)
			in->ended = true;
		/* Done with this chunk once the input is used up and zlib
		 * had room to spare (nothing left inside it). */
		if (in->z.avail_in == 0 && in->z.avail_out != 0)
			return 0;
	}
}

int
loc_layer_in_update(struct loc_layer_in *in, const void *data, size_t len,
		    tf_err *err)
{
	if (len == 0)
		return 0;
	if (in->gzip)
		return layer_in_gunzip(in, data, len, err);
	EVP_DigestUpdate(in->md, data, len);
	in->size += (int64_t)len;
	return 0;
}

int
loc_layer_in_final(struct loc_layer_in *in, char hex[65], int64_t *size,
		   tf_err *err)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (in->gzip && !in->ended)
		return tf_err_set(err, "the gzip data ends early");
	EVP_DigestFinal_ex(in->md, digest, &n);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	*size = in->size;
	return 0;
}

void
loc_layer_in_free(struct loc_layer_in *in)
{
	if (in == NULL)
		return;
	if (in->gzip)
		inflateEnd(&in->z);
	free(in->out);
	EVP_MD_CTX_free(in->md);
	free(in);
}
