/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_loop: one zmq_poll() over ZeroMQ sockets and plain fds, plus timers and
 * before-sleep hooks.  Items and timers live in arrays; removing one only
 * marks it dead, and dead entries are compacted after dispatch, so a handler
 * may remove anything (itself included) while the loop walks the arrays.
 * Items added during a pass join the poll set on the next pass.
 */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "tf_log.h"
#include "tf_loop.h"
#include "tf_util.h"
#include "tf_selftest.h"

#define LOOP_TAG 0x7f100b00u

struct loop_item {
	int fd;			/* -1 for a socket */
	void *sock;
	int events;
	tf_loop_fd_fn fd_fn;
	tf_loop_sock_fn sock_fn;
	void *arg;
	bool dead;
};

struct loop_timer {
	uint64_t id;
	uint64_t when_ms;
	uint64_t interval_ms;
	bool repeat;
	bool dead;
	tf_loop_timer_fn fn;
	void *arg;
};

struct loop_hook {
	tf_loop_hook_fn fn;
	void *arg;
	bool dead;
};

struct tf_loop {
	uint32_t tag;
	struct loop_item *items;
	size_t nitems, capitems;
	struct loop_timer *timers;
	size_t ntimers, captimers;
	struct loop_hook *hooks;
	size_t nhooks, caphooks;
	uint64_t next_timer_id;
	zmq_pollitem_t *pollset;
	size_t *pollmap;		/* pollset index -> item index */
	size_t cappoll;
	bool garbage;			/* dead entries to compact */
	int depth;			/* nested run_once calls */
	bool stop;
};

tf_loop *
tf_loop_new(void)
{
	tf_loop *loop = tf_calloc(1, sizeof *loop);

	loop->tag = LOOP_TAG;
	loop->next_timer_id = 1;
	return loop;
}

void
tf_loop_destroy(tf_loop **self_p)
{
	tf_loop *loop;

	assert(self_p != NULL);
	loop = *self_p;
	if (loop == NULL)
		return;
	assert(loop->tag == LOOP_TAG);
	loop->tag = 0xdeadbeef;
	free(loop->items);
	free(loop->timers);
	free(loop->hooks);
	free(loop->pollset);
	free(loop->pollmap);
	free(loop);
	*self_p = NULL;
}

static struct loop_item *
loop_item_new(tf_loop *loop)
{
	if (loop->nitems == loop->capitems) {
		loop->capitems = loop->capitems ? loop->capitems * 2 : 16;
		loop->items = tf_realloc(loop->items,
		    loop->capitems * sizeof *loop->items);
	}
	memset(&loop->items[loop->nitems], 0, sizeof *loop->items);
	return &loop->items[loop->nitems++];
}

static struct loop_item *
loop_find_fd(tf_loop *loop, int fd)
{
	for (size_t i = 0; i < loop->nitems; i++)
		if (!loop->items[i].dead && loop->items[i].sock == NULL &&
		    loop->items[i].fd == fd)
			return &loop->items[i];
	return NULL;
}

int
tf_loop_add_fd(tf_loop *loop, int fd, int events, tf_loop_fd_fn fn, void *arg)
{
	struct loop_item *it;

	if (fd < 0 || fn == NULL) {
		errno = EINVAL;
		return -1;
	}
	tf_loop_del_fd(loop, fd);
	it = loop_item_new(loop);
	it->fd = fd;
	it->events = events;
	it->fd_fn = fn;
	it->arg = arg;
	return 0;
}

int
tf_loop_set_events(tf_loop *loop, int fd, int events)
{
	struct loop_item *it = loop_find_fd(loop, fd);

	if (it == NULL) {
		errno = ENOENT;
		return -1;
	}
	it->events = events;
	return 0;
}

void
tf_loop_del_fd(tf_loop *loop, int fd)
{
	struct loop_item *it = loop_find_fd(loop, fd);

	if (it != NULL) {
		it->dead = true;
		loop->garbage = true;
	}
}

int
tf_loop_add_sock(tf_loop *loop, void *sock, tf_loop_sock_fn fn, void *arg)
{
	struct loop_item *it;

	if (sock == NULL || fn == NULL) {
		errno = EINVAL;
		return -1;
	}
	tf_loop_del_sock(loop, sock);
	it = loop_item_new(loop);
	it->fd = -1;
	it->sock = sock;
	it->events = TF_READ;
	it->sock_fn = fn;
	it->arg = arg;
	return 0;
}

void
tf_loop_del_sock(tf_loop *loop, void *sock)
{
	for (size_t i = 0; i < loop->nitems; i++) {
		if (!loop->items[i].dead && loop->items[i].sock == sock) {
			loop->items[i].dead = true;
			loop->garbage = true;
		}
	}
}

uint64_t
tf_loop_timer(tf_loop *loop, uint64_t ms, bool repeat, tf_loop_timer_fn fn,
	      void *arg)
{
	struct loop_timer *t;

	if (loop->ntimers == loop->captimers) {
		loop->captimers = loop->captimers ? loop->captimers * 2 : 16;
		loop->timers = tf_realloc(loop->timers,
		    loop->captimers * sizeof *loop->timers);
	}
	t = &loop->timers[loop->ntimers++];
	memset(t, 0, sizeof *t);
	t->id = loop->next_timer_id++;
	t->when_ms = tf_now_ms() + ms;
	t->interval_ms = ms ? ms : 1;
	t->repeat = repeat;
	t->fn = fn;
	t->arg = arg;
	return t->id;
}

void
tf_loop_timer_cancel(tf_loop *loop, uint64_t id)
{
	for (size_t i = 0; i < loop->ntimers; i++) {
		if (loop->timers[i].id == id && !loop->timers[i].dead) {
			loop->timers[i].dead = true;
			loop->garbage = true;
			return;
		}
	}
}

void
tf_loop_add_hook(tf_loop *loop, tf_loop_hook_fn fn, void *arg)
{
	if (loop->nhooks == loop->caphooks) {
		loop->caphooks = loop->caphooks ? loop->caphooks * 2 : 8;
		loop->hooks = tf_realloc(loop->hooks,
		    loop->caphooks * sizeof *loop->hooks);
	}
	loop->hooks[loop->nhooks++] = (struct loop_hook){ fn, arg, false };
}

void
tf_loop_del_hook(tf_loop *loop, tf_loop_hook_fn fn, void *arg)
{
	for (size_t i = 0; i < loop->nhooks; i++) {
		if (loop->hooks[i].fn == fn && loop->hooks[i].arg == arg &&
		    !loop->hooks[i].dead) {
			loop->hooks[i].dead = true;
			loop->garbage = true;
		}
	}
}

/* Drops dead entries.  Only called between dispatch passes. */
static void
loop_compact(tf_loop *loop)
{
	size_t j = 0;

	for (size_t i = 0; i < loop->nitems; i++)
		if (!loop->items[i].dead)
			loop->items[j++] = loop->items[i];
	loop->nitems = j;
	j = 0;
	for (size_t i = 0; i < loop->ntimers; i++)
		if (!loop->timers[i].dead)
			loop->timers[j++] = loop->timers[i];
	loop->ntimers = j;
	j = 0;
	for (size_t i = 0; i < loop->nhooks; i++)
		if (!loop->hooks[i].dead)
			loop->hooks[j++] = loop->hooks[i];
	loop->nhooks = j;
	loop->garbage = false;
}

static int
loop_timeout(tf_loop *loop, int max_wait_ms)
{
	uint64_t now = tf_now_ms();
	int64_t wait = max_wait_ms;

	for (size_t i = 0; i < loop->ntimers; i++) {
		const struct loop_timer *t = &loop->timers[i];
		int64_t d;

		if (t->dead)
			continue;
		d = t->when_ms > now ? (int64_t)(t->when_ms - now) : 0;
		if (wait < 0 || d < wait)
			wait = d;
	}
	if (wait > 60000)
		wait = 60000;
	return (int)wait;
}

static int
loop_fire_timers(tf_loop *loop)
{
	uint64_t now = tf_now_ms();
	size_t n = loop->ntimers;	/* timers added while firing wait */
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct loop_timer *t = &loop->timers[i];
		tf_loop_timer_fn fn;
		uint64_t id;
		void *arg;

		if (t->dead || t->when_ms > now)
			continue;
		fn = t->fn;
		arg = t->arg;
		id = t->id;
		if (t->repeat) {
			t->when_ms = now + t->interval_ms;
		} else {
			t->dead = true;
			loop->garbage = true;
		}
		/* fn may add timers and so move the array: no t after this. */
		if (fn(loop, id, arg) != 0)
			rc = -1;
	}
	return rc;
}

/*
 * A blocking helper may run the loop from inside a handler (the SDK's
 * synchronous calls do).  Nested passes get their own poll set and never
 * compact the arrays, because the outer pass still indexes into them.
 */
int
tf_loop_run_once(tf_loop *loop, int max_wait_ms)
{
	zmq_pollitem_t *pollset;
	size_t *pollmap;
	size_t npoll = 0;
	int timeout, n, rc = 0;

	assert(loop->tag == LOOP_TAG);
	loop->depth++;
	for (size_t i = 0; i < loop->nhooks; i++) {
		if (!loop->hooks[i].dead)
			loop->hooks[i].fn(loop, loop->hooks[i].arg);
	}
	if (loop->garbage && loop->depth == 1)
		loop_compact(loop);
	if (loop->stop) {
		loop->depth--;
		return -1;
	}

	if (loop->depth == 1) {
		if (loop->cappoll < loop->nitems) {
			loop->cappoll = loop->nitems * 2;
			loop->pollset = tf_realloc(loop->pollset,
			    loop->cappoll * sizeof *loop->pollset);
			loop->pollmap = tf_realloc(loop->pollmap,
			    loop->cappoll * sizeof *loop->pollmap);
		}
		pollset = loop->pollset;
		pollmap = loop->pollmap;
	} else {
		pollset = tf_calloc(loop->nitems + 1, sizeof *pollset);
		pollmap = tf_calloc(loop->nitems + 1, sizeof *pollmap);
	}
	for (size_t i = 0; i < loop->nitems; i++) {
		const struct loop_item *it = &loop->items[i];
		zmq_pollitem_t *p;

		if (it->events == 0 || it->dead)
			continue;
		p = &pollset[npoll];
		p->socket = it->sock;
		p->fd = it->sock ? 0 : it->fd;
		p->events = (short)(((it->events & TF_READ) ? ZMQ_POLLIN : 0) |
		    ((it->events & TF_WRITE) ? ZMQ_POLLOUT : 0));
		p->revents = 0;
		pollmap[npoll++] = i;
	}

	timeout = loop_timeout(loop, max_wait_ms);
	n = zmq_poll(pollset, (int)npoll, timeout);
	if (n < 0 && errno != EINTR)
		tf_panic("zmq_poll: %s", zmq_strerror(errno));

	for (size_t k = 0; n > 0 && k < npoll; k++) {
		const zmq_pollitem_t *p = &pollset[k];
		struct loop_item *it;
		int ev = 0;

		if (p->revents == 0)
			continue;
		/* Re-read the item each time: a handler may have added items
		 * and moved the array. */
		it = &loop->items[pollmap[k]];
		if (it->dead)
			continue;
		if (it->sock != NULL) {
			if (it->sock_fn(loop, it->sock, it->arg) != 0)
				rc = -1;
			continue;
		}
		if (p->revents & ZMQ_POLLIN)
			ev |= TF_READ;
		if (p->revents & ZMQ_POLLOUT)
			ev |= TF_WRITE;
		if (p->revents & ZMQ_POLLERR)
			ev |= TF_ERROR | TF_READ;
		if (it->fd_fn(loop, it->fd, ev, it->arg) != 0)
			rc = -1;
	}

	if (loop->depth > 1) {
		free(pollset);
		free(pollmap);
	}
	if (loop_fire_timers(loop) != 0)
		rc = -1;
	loop->depth--;
	if (rc != 0)
		loop->stop = true;
	return loop->stop ? -1 : 0;
}

int
tf_loop_run(tf_loop *loop)
{
	while (tf_loop_run_once(loop, -1) == 0)
		;
	return 0;
}

void
tf_loop_stop(tf_loop *loop)
{
	loop->stop = true;
}

bool
tf_loop_stopping(const tf_loop *loop)
{
	return loop->stop;
}

void
tf_loop_resume(tf_loop *loop)
{
	loop->stop = false;
}

/* ---- selftest ---------------------------------------------------------- */

static int
loop_test_timer_cb(tf_loop *loop, uint64_t id, void *arg)
{
	int *count = arg;

	(*count)++;
	if (*count == 3) {
		tf_loop_timer_cancel(loop, id);
		return -1;
	}
	return 0;
}

static int
loop_test_fd_cb(tf_loop *loop, int fd, int events, void *arg)
{
	char buf[16];
	int *got = arg;

	TF_TEST_CHECK(events & TF_READ);
	*got = (int)read(fd, buf, sizeof buf);
	tf_loop_del_fd(loop, fd);	/* removing itself is allowed */
	return 0;
}



void
tf_loop_test(bool verbose)
{
	tf_loop *loop = tf_loop_new();
	int count = 0, got = 0, fds[2];

	if (verbose)
		tf_info("tf_loop_test");
	tf_loop_timer(loop, 5, true, loop_test_timer_cb, &count);
	TF_TEST_CHECK(pipe(fds) == 0);
	TF_TEST_CHECK(write(fds[1], "hello", 5) == 5);
	tf_loop_add_fd(loop, fds[0], TF_READ, loop_test_fd_cb, &got);
	tf_loop_run(loop);
	TF_TEST_CHECK(count == 3);
	TF_TEST_CHECK(got == 5);
	close(fds[0]);
	close(fds[1]);
	tf_loop_destroy(&loop);
	TF_TEST_CHECK(loop == NULL);
}
