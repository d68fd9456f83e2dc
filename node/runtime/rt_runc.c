/* SPDX-License-Identifier: BSD-2-Clause */
/* rt_runc: runc command lines, pid files and runc's JSON error log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "rt_runc.h"
#include "tf_log.h"
#include "tf_util.h"

static size_t
runc_argv(const rt_runc *r, const char *log_path, const char *const args[],
	  const char **argv, size_t max)
{
	size_t n = 0, i;

	argv[n++] = r->runc != NULL ? r->runc : "runc";
	argv[n++] = "--root";
	argv[n++] = r->root;
	if (log_path != NULL) {
		argv[n++] = "--log";
		argv[n++] = log_path;
		argv[n++] = "--log-format";
		argv[n++] = "json";
	}
	for (i = 0; args[i] != NULL && n + 1 < max; i++)
		argv[n++] = args[i];
	if (args[i] != NULL)
		tf_panic("rt_runc: too many arguments");
	argv[n] = NULL;
	return n;
}

pid_t
rt_runc_spawn(const rt_runc *r, const char *log_path, const char *const args[],
	      const int fds[RT_SPAWN_FDS], tf_err *err)
{
	return rt_runc_spawn_fds(r, log_path, args, fds, RT_SPAWN_FDS, err);
}

pid_t
rt_runc_spawn_fds(const rt_runc *r, const char *log_path,
		  const char *const args[], const int *fds, int nfds,
		  tf_err *err)
{
	const char *argv[RT_RUNC_MAX_ARGS + 8];

	runc_argv(r, log_path, args, argv, TF_ARRAY_LEN(argv));
	if (log_path != NULL)
		unlink(log_path);
	return rt_spawn_fds(argv, fds, nfds, err);
}

int
rt_runc_run_sync(const rt_runc *r, rt_children *ch, const char *const args[])
{
	const char *argv[RT_RUNC_MAX_ARGS + 8];
	const int fds[RT_SPAWN_FDS] = { RT_FD_NULL, RT_FD_NULL, RT_FD_NULL,
	    RT_FD_NONE };
	tf_err err;
	pid_t pid;
	int status;

	runc_argv(r, NULL, args, argv, TF_ARRAY_LEN(argv));
	pid = rt_spawn(argv, fds, &err);
	if (pid < 0) {
		tf_warn("%s", err.msg);
		return -1;
	}
	if (rt_children_wait(ch, pid, &status) != 0)
		return -1;
	return status;
}

void
rt_runc_log_error(const char *log_path, char *buf, size_t size)
{
	char *data, *line, *save = NULL;
	json_t *j;
	const char *level, *msg;

	buf[0] = '\0';
	data = tf_read_file(log_path, NULL, 1 << 20);
	if (data == NULL)
		return;
	/* One JSON object per line; keep the last error (runc logs the
	 * cause first and the summary last). */
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		j = json_loads(line, 0, NULL);
		if (j == NULL)
			continue;
		level = json_string_value(json_object_get(j, "level"));
		msg = json_string_value(json_object_get(j, "msg"));
		if (level != NULL && msg != NULL &&
		    (strcmp(level, "error") == 0 || strcmp(level, "fatal") == 0))
			snprintf(buf, size, "%s", msg);
		json_decref(j);
	}
	free(data);
}

int
rt_runc_read_pid(const char *path, pid_t *pid)
{
	char *data, *end;
	long v;

	data = tf_read_file(path, NULL, 64);
	if (data == NULL)
		return -1;
	errno = 0;
	v = strtol(data, &end, 10);
	free(data);
	if (errno != 0 || end == NULL || v <= 1 || v > (1L << 30))
		return -1;
	*pid = (pid_t)v;
	return 0;
}

int
rt_runc_id_valid(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 64 || id[0] == '.' || id[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char ch = id[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.'))
			return 0;
	}
	return 1;
}
