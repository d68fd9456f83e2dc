/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_util: clock, statistics, result lines, children, loop + worker. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "tf_util.h"

double
bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* --- statistics ---------------------------------------------------------- */

void
bench_samples_add(bench_samples *s, double x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = tf_realloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = x;
}

void
bench_samples_fini(bench_samples *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
bench_samples_pct(const bench_samples *s, double p)
{
	double *sorted, r;
	size_t i;

	if (s->n == 0)
		return NAN;
	sorted = tf_malloc(s->n * sizeof *sorted);
	memcpy(sorted, s->v, s->n * sizeof *sorted);
	qsort(sorted, s->n, sizeof *sorted, cmp_double);
	if (p == 50.0 && s->n % 2 == 0) {
		/* The usual median of an even count: the middle pair's mean. */
		r = (sorted[s->n / 2 - 1] + sorted[s->n / 2]) / 2;
	} else {
		i = (size_t)ceil(p / 100.0 * (double)s->n);
		i = i == 0 ? 0 : i - 1;
		if (i >= s->n)
			i = s->n - 1;
		r = sorted[i];
	}
	free(sorted);
	return r;
}

double
bench_samples_median(const bench_samples *s)
{
	return bench_samples_pct(s, 50.0);
}

double
bench_samples_min(const bench_samples *s)
{
	return bench_samples_pct(s, 0.0);
}

void
bench_print_stats(const char *label, const bench_samples *s)
{
	printf("  %-44s %9.3f %9.3f %9.3f  (n=%zu)\n", label,
	    bench_samples_median(s), bench_samples_min(s),
	    bench_samples_pct(s, 90.0), s->n);
}

void
bench_summary(const char *bench, const char *what, double ours,
	      double baseline, const char *unit, const char *meaning)
{
	printf("summary|%s|%s|%.3f|%.3f|%s|%.2f|%s\n", bench, what, ours,
	    baseline, unit, baseline != 0 ? ours / baseline : NAN, meaning);
	fflush(stdout);
}

/* --- the location -------------------------------------------------------- */

tf_location *
bench_connect(bool verbose, tf_err *err)
{
	tf_location_opts o;

	memset(&o, 0, sizeof o);
	o.logging = verbose ? TF_LOGGING_INFO : TF_LOGGING_QUIET;
	o.program = "tf-bench";
	return tf_location_new(&o, err);
}

/* --- children ------------------------------------------------------------ */

pid_t
bench_spawn(const char *const *argv, int errfd, int extra_fd, tf_err *err)
{
	pid_t pid;
	int null;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return tf_err_errno(err, "cannot open /dev/null");
	pid = fork();
	if (pid < 0) {
		close(null);
		return tf_err_errno(err, "cannot fork");
	}
	if (pid == 0) {
		sigset_t none;

		/* tf_location_catch_signals blocked SIGINT and SIGTERM here,
		 * and exec keeps both the mask and ignored signals: without
		 * this, children could not be stopped with SIGTERM. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		/* Move the extra fd out of the way first, then place it. */
		if (extra_fd >= 0) {
			int e = fcntl(extra_fd, F_DUPFD, 10);

			if (e < 0 || dup2(e, 3) != 3)
				_exit(126);
		}
		if (dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(errfd >= 0 ? errfd : null, 2) < 0)
			_exit(126);
		for (int fd = extra_fd >= 0 ? 4 : 3; fd < 1024; fd++)
			close(fd);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(null);
	return pid;
}

int
bench_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return status;
}

int
bench_run(const char *const *argv, int errfd, tf_err *err)
{
	pid_t pid = bench_spawn(argv, errfd, -1, err);

	if (pid < 0)
		return -1;
	return bench_wait(pid);
}

const char *
bench_status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status %#x", status);
	return buf;
}

/* --- loop + worker ------------------------------------------------------- */

typedef struct worker {
	int (*fn)(void *arg);
	void *arg;
	int rc;
	atomic_bool done;
} worker;

static void *
worker_main(void *p)
{
	worker *w = p;

	w->rc = w->fn(w->arg);
	atomic_store(&w->done, true);
	return NULL;
}

int
bench_with_loop(tf_location *loc, int (*fn)(void *arg), void *arg,
		tf_err *err)
{
	pthread_t th;
	worker w;
	bool completed = false;

	memset(&w, 0, sizeof w);
	w.fn = fn;
	w.arg = arg;
	atomic_init(&w.done, false);
	if (pthread_create(&th, NULL, worker_main, &w) != 0)
		return tf_err_set(err, "cannot start a thread");
	/* The worker's sockets have timeouts, so a location that went away
	 * only delays the join. */
	while (!atomic_load(&w.done)) {
		if (tf_location_sleep(loc, 5) < 0) {
			completed = true;
			break;
		}
	}
	pthread_join(th, NULL);
	if (completed)
		return tf_err_set(err, "the location went away (%s)",
		    tf_location_state(loc));
	return w.rc;
}

/* --- sockets ------------------------------------------------------------- */

int
bench_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int s, port = 0;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 0;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(s);
	return port;
}

int
bench_connect_tcp(const char *host, int port, int timeout_ms, tf_err *err)
{
	struct sockaddr_in a;
	double deadline = bench_now_ms() + timeout_ms;
	int s;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return tf_err_set(err, "not an IPv4 address: %s", host);
	for (;;) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return tf_err_errno(err, "socket");
		if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
			return s;
		close(s);
		if (errno != ECONNREFUSED || bench_now_ms() > deadline)
			return tf_err_errno(err, "cannot connect to %s:%d",
			    host, port);
		usleep(20000);
	}
}

bool
bench_have_program(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, buf[PATH_MAX];
	bool found = false;

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0;
	copy = tf_strdup(path != NULL ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof buf, "%s/%s", dir, prog);
		found = access(buf, X_OK) == 0;
	}
	free(copy);
	return found;
}

char *
bench_self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	char *slash;

	if (n <= 0)
		return tf_strdup(".");
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	return tf_strdup(buf);
}
