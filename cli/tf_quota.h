/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf --quota: the account's limits and use at the location (tf_quota.c).
 */
#ifndef TF_QUOTA_H
#define TF_QUOTA_H

/* Prints one line a limit; 0 or 5 (tf's "could not connect"). */
int tf_quota_show(const char *location, const char *address);

#endif
