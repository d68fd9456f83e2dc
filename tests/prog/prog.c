/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prog.c: the helpers tests/prog programs share (see prog.h).  The check
 * counters are the one piece of process-wide state: a test program is one
 * run of checks, and every line it prints is counted once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "prog.h"
#include "tf_log.h"

static int prog_passes, prog_fails;

bool
prog_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		prog_passes++;
	else
		prog_fails++;
	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

void
prog_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int
prog_finish(void)
{
	printf("%d passed, %d failed\n", prog_passes, prog_fails);
	fflush(stdout);
	return prog_fails == 0 ? 0 : 1;
}

void
prog_skip(tf_location **loc, const char *why)
{
	printf("SKIP: %s\n", why);
	fflush(stdout);
	if (loc != NULL)
		tf_location_destroy(loc);
	exit(77);
}

void
prog_bail(tf_location **loc, const char *what, const tf_err *err)
{
	prog_check(false, "%s: %s", what, err != NULL ? err->msg : "failed");
	if (loc != NULL)
		tf_location_destroy(loc);
	prog_finish();
	exit(1);
}

uint64_t
prog_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
prog_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

tf_location *
prog_connect(const char *name)
{
	tf_location_opts lo;
	tf_location *loc;
	tf_err err;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	tf_log_setup(getenv("V") ? TF_LOG_DEBUG : TF_LOG_WARN, name, stderr);
	if (sodium_init() < 0)
		prog_bail(NULL, "sodium_init", NULL);
	memset(&lo, 0, sizeof lo);
	lo.program = name;
	loc = tf_location_new(&lo, &err);
	if (loc == NULL)
		prog_bail(NULL, "connect", &err);
	return loc;
}

tf_node *
prog_node(tf_location *loc)
{
	tf_err err;
	tf_node *n = tf_location_best_node(loc, &err);

	if (n == NULL)
		prog_skip(&loc, err.msg);
	return n;
}

tf_container *
prog_spawn(tf_location *loc, tf_node *node, const char *image,
	   const tf_spawn_opts *opts)
{
	tf_err err;
	tf_container *c;
	char what[128];

	c = node != NULL ? tf_node_spawn_container(node, image, opts, &err) :
	    tf_location_spawn(loc, image, opts, &err);
	if (c != NULL && node == NULL && tf_container_wait_ready(c, 60000,
	    &err) != 0)
		c = NULL;
	if (c == NULL) {
		snprintf(what, sizeof what, "spawn %s", image);
		prog_bail(&loc, what, &err);
	}
	return c;
}

tf_container *
prog_busybox(tf_location *loc, tf_node *node, const char *const *argv)
{
	tf_spawn_opts so;

	memset(&so, 0, sizeof so);
	so.command = argv;
	return prog_spawn(loc, node, "busybox", &so);
}

int
prog_sh(tf_container *c, const char *command, char **out)
{
	tf_run_result r;
	tf_err err;
	int code;

	if (out != NULL)
		*out = NULL;
	if (tf_container_run_process(c, command, 120000, &r, &err) != 0) {
		prog_note("run '%s': %s", command, err.msg);
		if (out != NULL)
			*out = strdup(err.msg);
		return -1;
	}
	code = r.exit_code;
	if (out != NULL)
		*out = strdup(r.out != NULL ? (const char *)r.out : "");
	tf_run_result_fini(&r);
	return code;
}

/* --- a thread beside the loop -------------------------------------------- */

struct bg {
	void *(*fn)(void *);
	void *arg;
	int done;
};

static void *
bg_main(void *arg)
{
	struct bg *b = arg;

	b->fn(b->arg);
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int
prog_run_bg(tf_location *loc, void *(*fn)(void *), void *arg, int timeout_ms)
{
	struct bg *b = calloc(1, sizeof *b);
	uint64_t end = prog_now_ms() + (uint64_t)timeout_ms;
	pthread_t t;

	b->fn = fn;
	b->arg = arg;
	if (pthread_create(&t, NULL, bg_main, b) != 0) {
		free(b);
		return -1;
	}
	while (!__atomic_load_n(&b->done, __ATOMIC_ACQUIRE) &&
	    prog_now_ms() < end)
		tf_location_sleep(loc, 20);
	if (!__atomic_load_n(&b->done, __ATOMIC_ACQUIRE)) {
		pthread_detach(t);	/* leaks b: the program is failing */
		return -1;
	}
	pthread_join(t, NULL);
	free(b);
	return 0;
}

bool
prog_wait(tf_location *loc, bool (*cond)(void *), void *arg, int timeout_ms)
{
	uint64_t end = prog_now_ms() + (uint64_t)timeout_ms;

	while (!cond(arg)) {
		if (prog_now_ms() >= end)
			return false;
		tf_location_sleep(loc, 20);
	}
	return true;
}

bool
prog_step(tf_location *loc, const char *name, int timeout_ms)
{
	const char *dir = getenv("TF_STEPS");
	uint64_t end = prog_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms :
	    600000);
	char path[4096];

	snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", name);
	while (access(path, F_OK) != 0) {
		if (prog_now_ms() >= end) {
			prog_note("step %s never came", name);
			return false;
		}
		tf_location_sleep(loc, 50);
	}
	return true;
}

void
prog_step_done(const char *name)
{
	prog_note("done %s", name);
}

void
prog_value(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("# %s=", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

tf_conn *
prog_raw_connect(tf_location *loc, const char *dir)
{
	char *old = getenv("TF_DIR") ? strdup(getenv("TF_DIR")) : NULL;
	tf_account acct;
	tf_conn *c;
	tf_err err;
	int rc;

	if (dir != NULL)
		setenv("TF_DIR", dir, 1);
	rc = tf_account_load(&acct, NULL, &err);
	if (dir != NULL) {
		if (old != NULL)
			setenv("TF_DIR", old, 1);
		else
			unsetenv("TF_DIR");
	}
	free(old);
	if (rc != 0)
		prog_bail(&loc, "load the account", &err);
	c = tf_conn_new_account(tf_location_loop(loc), &acct, "prog-raw", &err);
	if (c == NULL || tf_conn_wait_up(c, 15000, &err) != 0)
		prog_bail(&loc, "raw connection", &err);
	return c;
}

int
prog_raw_call(tf_conn *c, tf_out *o, tf_reply *out, tf_err *err)
{
	return tf_conn_call(c, o, NULL, 0, 30000, out, err);
}

int
prog_raw_call_ms(tf_conn *c, tf_out *o, tf_reply *out, int ms, tf_err *err)
{
	return tf_conn_call(c, o, NULL, 0, ms, out, err);
}

/* --- sockets ---------------------------------------------------------------- */

int
prog_tcp_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 30 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
prog_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

bool
prog_tcp_accepts(int port)
{
	int fd = prog_tcp_connect(port);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int
prog_http_get(int port, const char *path, const char *host, char **body,
	      size_t *len)
{
	char req[512];
	size_t cap = 1 << 16, n = 0;
	char *buf, *p;
	int fd, status = -1;

	*body = NULL;
	if (len != NULL)
		*len = 0;
	fd = prog_tcp_connect(port);
	if (fd < 0)
		return -1;
	snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n"
	    "User-Agent: tf-test\r\n\r\n", path ? path : "/",
	    host ? host : "localhost");
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -1;
	}
	buf = malloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
		r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (n > 12 && strncmp(buf, "HTTP/1.", 7) == 0)
		status = atoi(buf + 9);
	p = strstr(buf, "\r\n\r\n");
	if (p != NULL) {
		size_t off = (size_t)(p + 4 - buf);

		memmove(buf, p + 4, n - off + 1);
		n -= off;
	}
	*body = buf;
	if (len != NULL)
		*len = n;
	return status;
}

/* --- transfers ------------------------------------------------------------- */

void
prog_rand_fill(prog_rand *r, uint8_t *buf, size_t len)
{
	uint64_t s = r->s ? r->s : 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t v;

		/* splitmix64: fast, and good enough to defeat compression */
		s += 0x9e3779b97f4a7c15ull;
		v = s;
		v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
		v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
		v ^= v >> 31;
		memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
	}
	r->s = s;
}

void
prog_hex(const uint8_t sha[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", sha[i]);
}

#define XFER_BUF (64u << 10)

void
prog_xfer_run(prog_xfer *x)
{
	crypto_hash_sha256_state ss, rs;
	uint8_t *wbuf = malloc(XFER_BUF), *rbuf = malloc(XFER_BUF);
	size_t wlen = 0, woff = 0;
	uint64_t start = prog_now_us(), next_read = 0;
	bool wdone;
	int fd, fl;

	crypto_hash_sha256_init(&ss);
	crypto_hash_sha256_init(&rs);
	x->sent = x->received = 0;
	x->eof = false;
	x->error = 0;
	if (x->keep > 0 && x->got == NULL)
		x->got = calloc(1, x->keep + 1);
	fd = prog_tcp_connect(x->port);
	if (fd < 0) {
		x->error = errno ? errno : EIO;
		goto out;
	}
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	wdone = x->send_len == 0;
	if (wdone && !x->no_half_close)
		shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = fd };
		uint64_t now = prog_now_us();
		int timeout = 1000;
		ssize_t r;

		if (x->stop_after_us > 0 && now - start >= x->stop_after_us)
			break;
		if (x->eof && wdone)
			break;
		if (!wdone)
			p.events |= POLLOUT;
		if (!x->eof) {
			if (x->read_delay_us == 0 || now >= next_read)
				p.events |= POLLIN;
			else
				timeout = (int)((next_read - now) / 1000) + 1;
		}
		if (poll(&p, 1, timeout) < 0) {
			if (errno == EINTR)
				continue;
			x->error = errno;
			break;
		}
		if ((p.revents & POLLOUT) && !wdone) {
			if (woff == wlen) {
				uint64_t left = x->send_len - x->sent;

				wlen = left < XFER_BUF ? (size_t)left : XFER_BUF;
				if (x->send_buf != NULL)
					memcpy(wbuf, x->send_buf + x->sent, wlen);
				else
					prog_rand_fill(&x->gen, wbuf, wlen);
				woff = 0;
			}
			r = write(fd, wbuf + woff, wlen - woff);
			if (r < 0 && errno != EAGAIN && errno != EINTR) {
				x->error = errno;
				break;
			}
			if (r > 0) {
				crypto_hash_sha256_update(&ss, wbuf + woff,
				    (size_t)r);
				woff += (size_t)r;
				x->sent += (uint64_t)r;
				if (x->sent == x->send_len) {
					wdone = true;
					if (!x->no_half_close)
						shutdown(fd, SHUT_WR);
				}
			}
		}
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    (p.events & POLLIN)) {
			size_t want = x->read_chunk > 0 && x->read_chunk <
			    XFER_BUF ? x->read_chunk : XFER_BUF;

			r = read(fd, rbuf, want);
			if (r == 0) {
				x->eof = true;
			} else if (r < 0 && errno != EAGAIN && errno != EINTR) {
				x->error = errno;
				break;
			} else if (r > 0) {
				crypto_hash_sha256_update(&rs, rbuf, (size_t)r);
				if (x->received < x->keep) {
					size_t k = x->keep - x->received;

					memcpy(x->got + x->received, rbuf,
					    (size_t)r < k ? (size_t)r : k);
				}
				x->received += (uint64_t)r;
				if (x->read_delay_us > 0)
					next_read = prog_now_us() +
					    x->read_delay_us;
			}
		}
	}
	close(fd);
out:
	crypto_hash_sha256_final(&ss, x->sent_sha);
	crypto_hash_sha256_final(&rs, x->recv_sha);
	x->secs = (double)(prog_now_us() - start) / 1e6;
	free(wbuf);
	free(rbuf);
}

void *
prog_xfer_thread(void *x)
{
	prog_xfer_run(x);
	return NULL;
}

long
prog_rss_kb(int pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

void
prog_on_end(tf_container *c, tf_model_ctr_state st, int code, void *arg)
{
	prog_ended *e = arg;

	(void)c;
	(void)code;
	e->calls++;
	e->state = st;
}

bool
prog_has_ended(void *arg)
{
	return ((prog_ended *)arg)->calls > 0;
}
