/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rt_child: posix_spawn for helper programs and the SIGCHLD dispatch table.
 * See rt_child.h for why exits can arrive before anyone asks for them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt_child.h"
#include "tf_log.h"
#include "tf_util.h"

/* An exit nobody had claimed yet; kept PARK_MS, at most PARK_MAX of them. */
#define PARK_MAX 1024
#define PARK_MS  (120 * 1000)

typedef struct rt_watch {
	pid_t pid;
	rt_child_fn fn;
	void *arg;
} rt_watch;

typedef struct rt_parked {
	pid_t pid;
	int status;
	uint64_t when_ms;
} rt_parked;

struct rt_children {
	rt_watch *watches;
	size_t nwatches, capwatches;
	rt_parked parked[PARK_MAX];
	size_t nparked;
};

extern char **environ;

rt_children *
rt_children_new(tf_err *err)
{
	rt_children *ch;
	int fd;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
		tf_err_errno(err, "cannot become a child subreaper");
		return NULL;
	}
	/* A daemon started with a closed stdin would otherwise get fd 0 for
	 * its first pipe, and dup2 games in the child would go wrong. */
	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
	}
	ch = tf_calloc(1, sizeof *ch);
	return ch;
}

void
rt_children_destroy(rt_children **self_p)
{
	rt_children *ch;

	if (self_p == NULL || *self_p == NULL)
		return;
	ch = *self_p;
	free(ch->watches);
	free(ch);
	*self_p = NULL;
}

static void
children_park(rt_children *ch, pid_t pid, int status)
{
	uint64_t now = tf_now_ms();
	size_t i, j;

	/* Forget stale entries first, then the oldest if still full. */
	for (i = j = 0; i < ch->nparked; i++) {
		if (now - ch->parked[i].when_ms < PARK_MS)
			ch->parked[j++] = ch->parked[i];
	}
	ch->nparked = j;
	if (ch->nparked == PARK_MAX) {
		memmove(&ch->parked[0], &ch->parked[1],
		    (PARK_MAX - 1) * sizeof ch->parked[0]);
		ch->nparked--;
	}
	ch->parked[ch->nparked].pid = pid;
	ch->parked[ch->nparked].status = status;
	ch->parked[ch->nparked].when_ms = now;
	ch->nparked++;
}

int
rt_children_claim(rt_children *ch, pid_t pid, rt_child_fn fn, void *arg,
		  int *status)
{
	size_t i;

	for (i = 0; i < ch->nparked; i++) {
		if (ch->parked[i].pid == pid) {
			*status = ch->parked[i].status;
			ch->parked[i] = ch->parked[--ch->nparked];
			return 1;
		}
	}
	for (i = 0; i < ch->nwatches; i++) {
		if (ch->watches[i].pid == pid) {
			ch->watches[i].fn = fn;
			ch->watches[i].arg = arg;
			return 0;
		}
	}
	if (ch->nwatches == ch->capwatches) {
		ch->capwatches = ch->capwatches ? ch->capwatches * 2 : 16;
		ch->watches = tf_realloc(ch->watches,
		    ch->capwatches * sizeof *ch->watches);
	}
	ch->watches[ch->nwatches].pid = pid;
	ch->watches[ch->nwatches].fn = fn;
	ch->watches[ch->nwatches].arg = arg;
	ch->nwatches++;
	return 0;
}

void
rt_children_forget(rt_children *ch, pid_t pid)
{
	size_t i;

	for (i = 0; i < ch->nwatches; i++) {
		if (ch->watches[i].pid == pid) {
			ch->watches[i] = ch->watches[--ch->nwatches];
			return;
		}
	}
}

static void
children_dispatch(rt_children *ch, pid_t pid, int status)
{
	size_t i;
	rt_watch w;

	for (i = 0; i < ch->nwatches; i++) {
		if (ch->watches[i].pid == pid) {
			w = ch->watches[i];
			/* Remove before calling: the callback may claim anew. */
			ch->watches[i] = ch->watches[--ch->nwatches];
			w.fn(pid, status, w.arg);
			return;
		}
	}
	tf_debug("parking exit of unclaimed pid %d", (int)pid);
	children_park(ch, pid, status);
}

void
rt_children_reap(rt_children *ch)
{
	pid_t pid;
	int status;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0) {
			if (pid < 0 && errno == EINTR)
				continue;
			break;
		}
		children_dispatch(ch, pid, status);
	}
}

int
rt_children_wait(rt_children *ch, pid_t pid, int *status)
{
	size_t i;

	for (i = 0; i < ch->nparked; i++) {
		if (ch->parked[i].pid == pid) {
			*status = ch->parked[i].status;
			ch->parked[i] = ch->parked[--ch->nparked];
			return 0;
		}
	}
	rt_children_forget(ch, pid);
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

pid_t
rt_spawn(const char *const argv[], const int fds[RT_SPAWN_FDS], tf_err *err)
{
	return rt_spawn_fds(argv, fds, RT_SPAWN_FDS, err);
}

pid_t
rt_spawn_fds(const char *const argv[], const int *fds, int nfds, tf_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int i, base = 3, rc;
	pid_t pid;

	/* Copy every source fd above all of them first, then into place, so
	 * a source that happens to be one of the targets is never overwritten
	 * before it has been copied. */
	for (i = 0; i < nfds; i++) {
		if (fds[i] >= base)
			base = fds[i] + 1;
	}
	posix_spawn_file_actions_init(&fa);
	for (i = 0; i < nfds; i++) {
		if (fds[i] >= 0)
			posix_spawn_file_actions_adddup2(&fa, fds[i], base + i);
	}
	for (i = 0; i < nfds; i++) {
		if (fds[i] >= 0) {
			posix_spawn_file_actions_adddup2(&fa, base + i, i);
		} else if (fds[i] == RT_FD_NULL) {
			posix_spawn_file_actions_addopen(&fa, i, "/dev/null",
			    i == 0 ? O_RDONLY : O_WRONLY, 0);
		} else {
			posix_spawn_file_actions_addclose(&fa, i);
		}
	}
	posix_spawn_file_actions_addclosefrom_np(&fa, nfds);

	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);

	rc = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv,
	    environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		tf_err_errno(err, "cannot run %s", argv[0]);
		return -1;
	}
	return pid;
}

const char *
rt_status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status 0x%x", status);
	return buf;
}
