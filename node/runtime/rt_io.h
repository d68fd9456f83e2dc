/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rt_io: the only thing the container runtime knows about the event loop.
 * The runtime (rt_*, ctr_*, proc_*, fs_*) never polls; it asks its owner to
 * watch file descriptors and is called back when they are ready.  tf-node
 * maps this onto tf_loop; the tests map it onto a twenty-line poll() loop.
 *
 * Rules the owner must keep (tf_loop keeps them):
 *   - watch() on an fd already watched replaces its events and handler;
 *   - watch()/unwatch() called from inside a handler take effect safely
 *     (the fd may be closed right after unwatch());
 *   - handlers are only called from the loop, never from inside watch().
 */
#ifndef RT_IO_H
#define RT_IO_H

#define RT_READ  0x01	/* same values as TF_READ / TF_WRITE / TF_ERROR */
#define RT_WRITE 0x02
#define RT_ERROR 0x04

typedef void (*rt_fd_fn)(int fd, int events, void *arg);

typedef struct rt_io {
	int (*watch)(void *ctx, int fd, int events, rt_fd_fn fn, void *arg);
	void (*unwatch)(void *ctx, int fd);
	void *ctx;
} rt_io;

static inline int
rt_io_watch(const rt_io *io, int fd, int events, rt_fd_fn fn, void *arg)
{
	return io->watch(io->ctx, fd, events, fn, arg);
}

static inline void
rt_io_unwatch(const rt_io *io, int fd)
{
	io->unwatch(io->ctx, fd);
}

#endif
