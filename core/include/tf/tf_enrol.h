/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef TF_ENROL_H
#define TF_ENROL_H

#include "tf_keys.h"

/* Creates an account at location from an invite token: makes a key pair,
 * registers it over CURVE on the location's enrolment port and fills acct
 * (not yet saved: call tf_account_save).  address overrides the host:port
 * to reach (NULL: the location name itself, port 2020/2021). */
int tf_account_enrol(const char *location, const char *address,
		     const char *token, int timeout_ms, tf_account *acct,
		     tf_err *err);

#endif
