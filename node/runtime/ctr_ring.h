/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctr_ring: a container's recent console output, so that a console that
 * attaches later (`logs`) first sees what scrolled past.  A ring of records
 * {fd, bytes} of a fixed capacity; when full the oldest records are
 * dropped, never the newest.  Its buffer is allocated on the first write
 * and doubles up to the capacity (a quiet container costs none).
 */
#ifndef CTR_RING_H
#define CTR_RING_H

#include <stddef.h>
#include <stdint.h>

#define CTR_RING_DEFAULT (256u << 10)

typedef struct ctr_ring ctr_ring;

typedef void (*ctr_ring_fn)(int fd, const uint8_t *data, size_t len, void *arg);

ctr_ring *ctr_ring_new(size_t capacity);
void ctr_ring_destroy(ctr_ring **self_p);
/* Appends output of fd (1 or 2).  Data longer than the ring keeps its
 * tail. */
void ctr_ring_write(ctr_ring *r, int fd, const void *data, size_t len);
/* Calls fn for the stored records, oldest first; consecutive records of the
 * same fd are merged where contiguous. */
void ctr_ring_foreach(const ctr_ring *r, ctr_ring_fn fn, void *arg);
/* Bytes of output held, and bytes dropped since creation. */
size_t ctr_ring_used(const ctr_ring *r);
uint64_t ctr_ring_dropped(const ctr_ring *r);
/* Bytes ever written (dropped + held): the offset after the newest byte,
 * by which a console that reattaches asks for only what it missed. */
uint64_t ctr_ring_total(const ctr_ring *r);
void ctr_ring_clear(ctr_ring *r);

#endif
