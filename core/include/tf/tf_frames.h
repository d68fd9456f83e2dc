/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_frames: buffers for bulk frames handed to ZeroMQ without a copy.
 *
 * A relay reads a socket straight into a buffer from here and sends it
 * as the message's bulk frame (tf_frames_wrap); ZeroMQ gives the buffer
 * back when it has encrypted and sent it, from its I/O thread, and the
 * next read reuses it.  So the bytes are neither copied nor written into
 * fresh memory that must be faulted in: a new 256 KiB malloc per frame
 * cost more than the copy itself (docs/BENCH.md "Tunnels").
 *
 * A set is shared by its owner and every buffer out with ZeroMQ; it goes
 * when the last of them does, so the owner may release it while ZeroMQ
 * still holds frames (a socket closed with messages queued).  Not part of
 * the installed SDK.
 */
#ifndef TF_FRAMES_H
#define TF_FRAMES_H

#include <stddef.h>
#include <stdint.h>

typedef struct tf_frames tf_frames;

/* Buffers of size bytes; up to keep idle ones are kept for reuse. */
tf_frames *tf_frames_new(size_t size, size_t keep);
/* The owner's reference; *f becomes NULL. */
void tf_frames_release(tf_frames **f);
size_t tf_frames_size(const tf_frames *f);

/* A buffer of tf_frames_size bytes (never NULL). */
uint8_t *tf_frames_get(tf_frames *f);
/* Gives back a buffer that was not sent. */
void tf_frames_put(tf_frames *f, uint8_t *buf);
/* Makes *msg (a zmq_msg_t) a frame of buf's first len bytes; buf belongs
 * to the frame from now on and comes back to f when ZeroMQ is done. */
int tf_frames_wrap(tf_frames *f, uint8_t *buf, size_t len, void *msg);

void tf_frames_test(bool verbose);

#endif
