/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_frames: reusable buffers for zero-copy bulk frames (tf_frames.h).
 * ZeroMQ frees a frame from its I/O thread, so the set is under a mutex;
 * it is taken once per frame sent, next to a syscall and an encryption.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "tf_frames.h"
#include "tf_log.h"
#include "tf_util.h"
#include "tf_selftest.h"

struct tf_frames {
	pthread_mutex_t lock;
	size_t size;
	size_t keep;
	size_t refs;		/* the owner's + one per buffer with ZeroMQ */
	size_t nidle;
	uint8_t **idle;
};

tf_frames *
tf_frames_new(size_t size, size_t keep)
{
	tf_frames *f = tf_calloc(1, sizeof *f);

	pthread_mutex_init(&f->lock, NULL);
	f->size = size;
	f->keep = keep;
	f->refs = 1;
	f->idle = tf_calloc(keep ? keep : 1, sizeof *f->idle);
	return f;
}

static void
frames_free(tf_frames *f)
{
	for (size_t i = 0; i < f->nidle; i++)
		free(f->idle[i]);
	free(f->idle);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/* Drops one reference, the lock held; frees f (and unlocks) at the last. */
static void
frames_unref_locked(tf_frames *f)
{
	bool last = --f->refs == 0;

	pthread_mutex_unlock(&f->lock);
	if (last)
		frames_free(f);
}

void
tf_frames_release(tf_frames **fp)
{
	tf_frames *f = *fp;

	if (f == NULL)
		return;
	*fp = NULL;
	pthread_mutex_lock(&f->lock);
	frames_unref_locked(f);
}

size_t
tf_frames_size(const tf_frames *f)
{
	return f->size;
}

uint8_t *
tf_frames_get(tf_frames *f)
{
	uint8_t *buf = NULL;

	pthread_mutex_lock(&f->lock);
	if (f->nidle > 0)
		buf = f->idle[--f->nidle];
	pthread_mutex_unlock(&f->lock);
	return buf != NULL ? buf : tf_malloc(f->size);
}

/* buf back into the idle list (or freed), the lock held. */
static void
frames_put_locked(tf_frames *f, uint8_t *buf)
{
	if (f->nidle < f->keep && f->refs > 1)
		f->idle[f->nidle++] = buf;
	else
		free(buf);
}

void
tf_frames_put(tf_frames *f, uint8_t *buf)
{
	pthread_mutex_lock(&f->lock);
	frames_put_locked(f, buf);
	pthread_mutex_unlock(&f->lock);
}

/* ZeroMQ is done with a frame (any thread). */
static void
frames_done(void *data, void *hint)
{
	tf_frames *f = hint;

	pthread_mutex_lock(&f->lock);
	frames_put_locked(f, data);
	frames_unref_locked(f);
}

int
tf_frames_wrap(tf_frames *f, uint8_t *buf, size_t len, void *msg)
{
	pthread_mutex_lock(&f->lock);
	f->refs++;
	pthread_mutex_unlock(&f->lock);
	if (zmq_msg_init_data(msg, buf, len, frames_done, f) != 0) {
		pthread_mutex_lock(&f->lock);
		frames_put_locked(f, buf);
		frames_unref_locked(f);
		return -1;
	}
	return 0;
}

/* ---- selftest ---------------------------------------------------------- */

void
tf_frames_test(bool verbose)
{
	tf_frames *f = tf_frames_new(64, 2);
	zmq_msg_t a, b;
	uint8_t *p, *q;

	if (verbose)
		tf_info("tf_frames_test");
	p = tf_frames_get(f);
	memset(p, 'x', 64);
	TF_TEST_CHECK(tf_frames_wrap(f, p, 10, &a) == 0);
	TF_TEST_CHECK(zmq_msg_size(&a) == 10 && zmq_msg_data(&a) == p);
	/* Closing the frame gives the buffer back for the next get. */
	zmq_msg_close(&a);
	q = tf_frames_get(f);
	TF_TEST_CHECK(q == p);
	/* The owner may go first: the set lives on until the frame does. */
	TF_TEST_CHECK(tf_frames_wrap(f, q, 64, &b) == 0);
	tf_frames_release(&f);
	TF_TEST_CHECK(f == NULL);
	TF_TEST_CHECK(((uint8_t *)zmq_msg_data(&b))[63] == 'x');
	zmq_msg_close(&b);
}
