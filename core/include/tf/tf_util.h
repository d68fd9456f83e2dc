/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_util: allocation that never returns NULL, time, ids and small string
 * helpers shared by every program.
 */
#ifndef TF_UTIL_H
#define TF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *tf_malloc(size_t size);
void *tf_calloc(size_t n, size_t size);
void *tf_realloc(void *p, size_t size);
char *tf_strdup(const char *s);
char *tf_strndup(const char *s, size_t n);
char *tf_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A byte count: digits with an optional K, M or G (powers of 1024) after
 * them; -1 when s is not that or does not fit in an int64_t. */
int64_t tf_size_parse(const char *s);

/* Monotonic milliseconds, and wall clock seconds as a double. */
uint64_t tf_now_ms(void);
double tf_wall_time(void);

/* Object ids (containers, volumes, processes, tunnels, sessions) are 22
 * characters of the original SDK's shortuuid alphabet, NUL-terminated. */
#define TF_UUID_LEN 22
typedef struct tf_uuid { char s[TF_UUID_LEN + 1]; } tf_uuid;
void tf_uuid_make(tf_uuid *out);
bool tf_uuid_valid(const char *s);

/* Tags: 1..64 of [0-9a-z-_.], and not shaped like a uuid. */
bool tf_tag_valid(const char *s);

/* snprintf that reports truncation as false instead of silently cutting. */
bool tf_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reads a whole (small) file; returns malloc'd NUL-terminated data or NULL. */
char *tf_read_file(const char *path, size_t *len_out, size_t max_len);
/* Writes data to path atomically (tmp + rename) with the given mode. */
int tf_write_file(const char *path, const void *data, size_t len, int mode);
/* mkdir -p */
int tf_mkdir_p(const char *path, int mode);
/* rm -rf that refuses to cross into other file systems' mount points. */
int tf_rm_rf(const char *path);
/* Raises the soft RLIMIT_NOFILE to the hard limit (daemons that hold a
 * descriptor per container or client, docs/SCALE.md); returns the limit
 * now in force. */
unsigned long tf_nofile_raise(void);

#define TF_UNUSED(x) (void)(x)
#define TF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
