/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf-init: pid 1 of every container tf-node runs.  Linked statically and
 * bind-mounted read-only at /dev/.tf-init, so it works in any image
 * (including ones without a shell).
 *
 *   tf-init [-s] -- command [args...]
 *
 * Why a tiny init instead of running the entrypoint as pid 1:
 *   - spawn with sleep: the container exists (processes can be run in it,
 *     files put) but the entrypoint waits until tf-node sends SIGUSR1;
 *   - tf-node learns the exact moment the entrypoint was exec'd (startup
 *     time) and, if exec failed, why ("no such file"), through a status
 *     pipe on fd 3: one line, "S" (sleeping), "R" (running) or "E<text>";
 *   - orphans of processes started with `runc exec` are reaped;
 *   - an entrypoint that does not expect to be pid 1 still dies on SIGTERM.
 *
 * tf-init also holds copies of the read ends of its stdout, stderr and
 * status pipes (fds 4, 5, 6; never passed to the entrypoint).  It never
 * reads them: they keep the pipes alive for tf-node, which takes them back
 * with pidfd_getfd() when it needs them: a sleeping container's status
 * when it is woken (so the node holds no status pipe while it sleeps), and
 * all of them when a restarted node adopts the container (its output,
 * which waited in the pipe meanwhile, is not lost and its writers never
 * see EPIPE).  docs/SCALE.md.
 *
 * Signals other than SIGCHLD are passed on to the entrypoint.  When the
 * entrypoint exits, tf-init exits with its status (128 + signal if it was
 * killed), which ends the container's pid namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_FD 3
#define KEEP_FD_STATUS 6	/* read end of STATUS_FD's pipe */

static void
report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
report(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	while (write(fd, buf, (size_t)n) < 0 && errno == EINTR)
		;
}

static int
exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Reaps every exited child; returns main's status when main exited. */
static bool
reap(pid_t main_pid, int *main_status)
{
	bool main_done = false;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == main_pid) {
			*main_status = st;
			main_done = true;
		}
	}
	return main_done;
}

int
main(int argc, char **argv)
{
	sigset_t all, none;
	siginfo_t info;
	bool sleeping = false;
	int i, i2, status_fd = -1, errpipe[2], e, st, sig;
	pid_t child;
	ssize_t n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0)
			sleeping = true;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: tf-init [-s] -- command [args...]\n");
		return 127;
	}
	if (fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC) == 0)
		status_fd = STATUS_FD;
	/* Kept here, never given to the entrypoint (see above). */
	for (i2 = 4; i2 <= KEEP_FD_STATUS; i2++)
		fcntl(i2, F_SETFD, FD_CLOEXEC);

	sigfillset(&all);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &all, NULL);

	if (sleeping) {
		report(status_fd, "S");
		for (;;) {
			sig = sigwaitinfo(&all, &info);
			if (sig == SIGUSR1)
				break;
			if (sig == SIGCHLD) {
				reap(-1, &st);
				continue;
			}
			if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP ||
			    sig == SIGQUIT)
				return 0;
		}
	}

	if (pipe2(errpipe, O_CLOEXEC) != 0) {
		report(status_fd, "Ecannot make a pipe: %s", strerror(errno));
		return 127;
	}
	child = fork();
	if (child < 0) {
		report(status_fd, "Ecannot fork: %s", strerror(errno));
		return 127;
	}
	if (child == 0) {
		close(errpipe[0]);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(argv[i], &argv[i]);
		e = errno;
		while (write(errpipe[1], &e, sizeof e) < 0 && errno == EINTR)
			;
		_exit(127);
	}
	close(errpipe[1]);
	do {
		n = read(errpipe[0], &e, sizeof e);
	} while (n < 0 && errno == EINTR);
	close(errpipe[0]);
	if (n == (ssize_t)sizeof e) {
		const char *why = e == ENOENT && strchr(argv[i], '/') == NULL ?
		    "executable file not found in $PATH" : strerror(e);

		fprintf(stderr, "tf-init: cannot run %s: %s\n", argv[i], why);
		report(status_fd, "Ecannot run %s: %s", argv[i], why);
		waitpid(child, &st, 0);
		return 127;
	}
	report(status_fd, "R");
	if (status_fd >= 0)
		close(status_fd);
	/* The status has all been said: the node reads it to EOF. */
	close(KEEP_FD_STATUS);

	for (;;) {
		sig = sigwaitinfo(&all, &info);
		if (sig < 0)
			continue;
		if (sig == SIGCHLD) {
			if (reap(child, &st))
				return exit_code(st);
			continue;
		}
		kill(child, sig);
	}
}
