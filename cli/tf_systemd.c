/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf --systemd: instead of running the container here and now, write a
 * systemd unit that runs the same `tf` command line as a service, copy the
 * pre-boot files it names beside it, and install and start it: on another
 * machine over ssh ([USER@]HOST, as the original tf did), or with no host
 * as a user unit on this one (systemctl --user).
 *
 * The unit's tf runs with the account of the user it runs as, so that user
 * needs one on the target (tfacctbak copies an account).  Every command is
 * run from an argv, never through a local shell; what goes to the remote
 * shell through ssh is quoted word by word.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "tf_systemd.h"
#include "tf_util.h"

extern char **environ;

/* The options of tf that take a value (tf.c's parse_args), so the walk
 * over argv below skips their values as getopt does. */
static const char *const opts_with_value[] = {
	"-e", "--env", "-f", "--file", "-m", "--mount", "-p", "--publish",
	"--offset", "--tag", "--node", "--location", "--local", "--identity",
	"--creds", "--authfile", "--tls-verify", NULL,
};

static bool
opt_takes_value(const char *arg)
{
	for (size_t i = 0; opts_with_value[i] != NULL; i++)
		if (strcmp(arg, opts_with_value[i]) == 0)
			return true;
	return false;
}

/* A unit name from the image: tf-<image> with what systemd would escape
 * replaced by '-'.  "." (the last image) gives "tf-last". */
static void
unit_name(const char *image, char *buf, size_t size)
{
	size_t n;

	n = (size_t)snprintf(buf, size, "tf-");
	if (strcmp(image, ".") == 0)
		image = "last";
	for (const char *p = image; *p != '\0' && n + 1 < size; p++)
		buf[n++] = isalnum((unsigned char)*p) || *p == '_' ||
		    *p == '.' ? *p : '-';
	buf[n] = '\0';
}

/* One word as systemd's ExecStart (and the remote POSIX shell) reads it:
 * in double quotes for systemd, with \, " and $ escaped ($ would be a
 * variable to both). */
static void
exec_word(FILE *f, const char *w)
{
	fputc('"', f);
	for (const char *p = w; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		if (*p == '$')
			fputc('$', f);	/* "$$" is a literal $ to systemd */
		if (*p == '%')
			fputc('%', f);	/* "%%" is a literal % to systemd */
		fputc(*p, f);
	}
	fputc('"', f);
}

/* A word for a POSIX shell: single quotes, ' as '\''. */
static char *
shell_word(const char *w)
{
	size_t len = 2;
	char *out, *q;

	for (const char *p = w; *p != '\0'; p++)
		len += *p == '\'' ? 4 : 1;
	out = tf_malloc(len + 1);
	q = out;
	*q++ = '\'';
	for (const char *p = w; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(q, "'\\''", 4);
			q += 4;
		} else {
			*q++ = *p;
		}
	}
	*q++ = '\'';
	*q = '\0';
	return out;
}

/* Runs argv, waits; 0 when it exited 0. */
static int
run_argv(char *const argv[], bool quiet)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, rc;

	posix_spawn_file_actions_init(&fa);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
		    "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
		    "/dev/null", O_WRONLY, 0);
	}
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		tf_error("cannot run %s: %s", argv[0], strerror(rc));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ssh [-i identity] target -- command (one string for the remote shell),
 * into argv (room for 10). */
static void
ssh_argv(const struct tf_systemd *sd, const char *command, char **argv)
{
	int n = 0;

	argv[n++] = "ssh";
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	if (sd->identity != NULL) {
		argv[n++] = "-i";
		argv[n++] = (char *)sd->identity;
	}
	argv[n++] = (char *)sd->target;
	argv[n++] = "--";
	argv[n++] = (char *)command;
	argv[n] = NULL;
}

static int
ssh_run(const struct tf_systemd *sd, const char *command)
{
	char *argv[10];

	ssh_argv(sd, command, argv);
	return run_argv(argv, false);
}

/* scp [-i identity] local target:remote */
static int
scp_put(const struct tf_systemd *sd, const char *local, const char *remote)
{
	char *dest = tf_asprintf("%s:%s", sd->target, remote);
	char *argv[10];
	int n = 0, rc;

	argv[n++] = "scp";
	argv[n++] = "-q";
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	if (sd->identity != NULL) {
		argv[n++] = "-i";
		argv[n++] = (char *)sd->identity;
	}
	argv[n++] = (char *)local;
	argv[n++] = dest;
	argv[n] = NULL;
	rc = run_argv(argv, false);
	free(dest);
	return rc;
}

/* The files to copy: each -f SRC:DEST's SRC, rewritten in the unit to its
 * copy's name in the working directory. */
struct sd_files {
	char **src;
	size_t n;
};

static const char *
file_copy_name(const char *src, char *buf, size_t size)
{
	char *copy = tf_strdup(src);

	snprintf(buf, size, "%s", basename(copy));
	free(copy);
	return buf;
}

/* The unit.  argv is tf's own, with --systemd and --identity left out and
 * -f sources pointing at their copies. */
/* Who a system unit runs as (NULL for a user unit). */
struct sd_user {
	const char *user, *group;
};

static int
unit_write(const char *path, const char *name, const char *tf_path,
	   const char *workdir, int argc, char **argv,
	   const struct sd_user *who, struct sd_files *files, tf_err *err)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return tf_err_errno(err, "cannot write %s", path);
	fprintf(f, "# Written by tf --systemd; runs one tf command line as a "
	    "service.\n[Unit]\nDescription=20ft: %s\n"
	    "After=network-online.target\nWants=network-online.target\n\n"
	    "[Service]\nWorkingDirectory=%s\n", name, workdir);
	if (who != NULL)
		fprintf(f, "User=%s\nGroup=%s\n", who->user, who->group);
	else if (getenv("TF_DIR") != NULL) {
		/* A user unit runs with this user's account: the one this
		 * tf would have used. */
		char *env = tf_asprintf("TF_DIR=%s", getenv("TF_DIR"));

		fputs("Environment=", f);
		exec_word(f, env);
		fputc('\n', f);
		free(env);
	}
	fputs("ExecStart=", f);
	exec_word(f, tf_path);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		/* Options end at the image, as for tf's getopt ("+"): the
		 * image and its command go as they are. */
		if (a[0] != '-' || strcmp(a, "--") == 0) {
			for (; i < argc; i++) {
				fputc(' ', f);
				exec_word(f, argv[i]);
			}
			break;
		}
		if (strcmp(a, "--systemd") == 0) {
			if (i + 1 < argc && strchr(argv[i + 1], '@') != NULL)
				i++;
			continue;
		}
		if (strncmp(a, "--systemd=", 10) == 0 ||
		    strncmp(a, "--identity=", 11) == 0)
			continue;
		if (strcmp(a, "--identity") == 0 || strcmp(a, "--creds") == 0 ||
		    strcmp(a, "--authfile") == 0 ||
		    strcmp(a, "--tls-verify") == 0) {
			i++;
			continue;
		}
		/* The image is uploaded already: the unit carries no
		 * registry secrets. */
		if (strncmp(a, "--creds=", 8) == 0 ||
		    strncmp(a, "--authfile=", 11) == 0 ||
		    strncmp(a, "--tls-verify=", 13) == 0)
			continue;
		fputc(' ', f);
		if ((strcmp(a, "-f") == 0 || strcmp(a, "--file") == 0) &&
		    i + 1 < argc) {
			const char *colon = strrchr(argv[i + 1], ':');
			char *src = tf_strndup(argv[i + 1],
			    (size_t)(colon - argv[i + 1]));
			char base[NAME_MAX + 1], *word;

			file_copy_name(src, base, sizeof base);
			files->src = tf_realloc(files->src,
			    (files->n + 1) * sizeof *files->src);
			files->src[files->n++] = src;
			/* A dest ending in / took src's name: keep it. */
			word = colon[strlen(colon) - 1] == '/' ?
			    tf_asprintf("%s:%s%s", base, colon + 1, base) :
			    tf_asprintf("%s%s", base, colon);
			exec_word(f, a);
			fputc(' ', f);
			exec_word(f, word);
			free(word);
			i++;
			continue;
		}
		exec_word(f, a);
		if (opt_takes_value(a) && i + 1 < argc) {
			fputc(' ', f);
			exec_word(f, argv[++i]);
		}
	}
	/* SIGINT is how tf is told to destroy what it made and leave. */
	fprintf(f, "\nKillSignal=SIGINT\nRestart=always\nRestartSec=5\n\n"
	    "[Install]\nWantedBy=%s\n",
	    who == NULL ? "default.target" : "multi-user.target");
	if (fclose(f) != 0)
		return tf_err_errno(err, "cannot write %s", path);
	return 0;
}

static int
copy_file(const char *from, const char *to, tf_err *err)
{
	size_t len;
	char *data = tf_read_file(from, &len, 64u << 20);
	FILE *f;

	if (data == NULL)
		return tf_err_errno(err, "cannot read %s", from);
	f = fopen(to, "w");
	if (f == NULL || fwrite(data, 1, len, f) != len) {
		if (f != NULL)
			fclose(f);
		free(data);
		return tf_err_errno(err, "cannot write %s", to);
	}
	free(data);
	if (fclose(f) != 0)
		return tf_err_errno(err, "cannot write %s", to);
	return 0;
}

/* This machine: ~/.config/systemd/user/NAME.service, files in
 * ~/.local/share/20ft/NAME/. */
static int
install_local(const char *name, const char *tf_path, int argc, char **argv,
	      struct sd_files *files)
{
	const char *home = getenv("HOME");
	char *workdir, *unitdir, *unit, *start[6], *reload[4];
	char base[NAME_MAX + 1];
	tf_err err;
	int rc = TF_SYSTEMD_FAILED;

	if (home == NULL || home[0] != '/') {
		tf_error("--systemd: HOME is not set");
		return TF_SYSTEMD_FAILED;
	}
	workdir = tf_asprintf("%s/.local/share/20ft/%s", home, name);
	unitdir = tf_asprintf("%s/.config/systemd/user", home);
	unit = tf_asprintf("%s/%s.service", unitdir, name);
	if (tf_mkdir_p(workdir, 0700) != 0 || tf_mkdir_p(unitdir, 0755) != 0) {
		tf_error("--systemd: cannot create %s or %s: %s", workdir,
		    unitdir, strerror(errno));
		goto out;
	}
	if (unit_write(unit, name, tf_path, workdir, argc, argv, NULL, files,
	    &err) != 0) {
		tf_error("--systemd: %s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < files->n; i++) {
		char *to = tf_asprintf("%s/%s", workdir,
		    file_copy_name(files->src[i], base, sizeof base));

		if (copy_file(files->src[i], to, &err) != 0) {
			tf_error("--systemd: %s", err.msg);
			free(to);
			goto out;
		}
		free(to);
	}
	printf("wrote %s\n", unit);
	reload[0] = "systemctl"; reload[1] = "--user";
	reload[2] = "daemon-reload"; reload[3] = NULL;
	start[0] = "systemctl"; start[1] = "--user"; start[2] = "enable";
	start[3] = "--now"; start[4] = (char *)name; start[5] = NULL;
	if (run_argv(reload, true) != 0 || run_argv(start, false) != 0) {
		tf_error("--systemd: the unit is written, but systemctl --user "
		    "could not start it (is there a user service manager?); "
		    "start it with: systemctl --user enable --now %s", name);
		rc = TF_SYSTEMD_NOT_STARTED;
		goto out;
	}
	printf("started %s (systemctl --user status %s)\n", name, name);
	rc = 0;
out:
	free(workdir);
	free(unitdir);
	free(unit);
	return rc;
}

/* ssh's standard output, up to size-1 bytes. */
static int
ssh_capture(const struct tf_systemd *sd, const char *command, char *buf,
	    size_t size)
{
	char *argv[10];
	int pipefd[2], st, rc;
	posix_spawn_file_actions_t fa;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	ssh_argv(sd, command, argv);
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	rc = posix_spawnp(&pid, "ssh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		tf_error("cannot run ssh: %s", strerror(rc));
		return -1;
	}
	while (got + 1 < size &&
	    ((r = read(pipefd[0], buf + got, size - 1 - got)) > 0 ||
	    (r < 0 && errno == EINTR)))
		if (r > 0)
			got += (size_t)r;
	buf[got] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* [USER@]HOST over ssh: files and unit into ~/20ft/NAME on the host, the
 * unit linked into /etc/systemd/system with sudo and run as the ssh user,
 * as the original did. */
static int
install_remote(const struct tf_systemd *sd, const char *name, int argc,
	       char **argv, struct sd_files *files)
{
	char tmpl[] = "/tmp/tf-systemd.XXXXXX", base[NAME_MAX + 1];
	char facts[4 * PATH_MAX], *line[4], *save = NULL, *p;
	char *cmd, *qname, *unit = NULL;
	struct sd_user who;
	tf_err err;
	int fd, rc = TF_SYSTEMD_FAILED, n = 0;

	/* Where it goes, which tf, and as whom: only the host knows. */
	qname = shell_word(name);
	cmd = tf_asprintf("mkdir -p 20ft/%s && cd 20ft/%s && pwd && "
	    "command -v tf && id -un && id -gn", qname, qname);
	if (ssh_capture(sd, cmd, facts, sizeof facts) != 0) {
		tf_error("--systemd: cannot prepare ~/20ft/%s on %s (ssh "
		    "failed, or tf is not installed there)", name, sd->target);
		goto out;
	}
	for (p = strtok_r(facts, "\n", &save); p != NULL && n < 4;
	    p = strtok_r(NULL, "\n", &save))
		line[n++] = p;
	if (n != 4) {
		tf_error("--systemd: %s did not say where tf is", sd->target);
		goto out;
	}
	who = (struct sd_user){ line[2], line[3] };
	fd = mkstemp(tmpl);
	if (fd < 0) {
		tf_error("--systemd: cannot make a temporary file: %s",
		    strerror(errno));
		goto out;
	}
	close(fd);
	if (unit_write(tmpl, name, line[1], line[0], argc, argv, &who, files,
	    &err) != 0) {
		tf_error("--systemd: %s", err.msg);
		unlink(tmpl);
		goto out;
	}
	for (size_t i = 0; i < files->n; i++) {
		char *to = tf_asprintf("%s/%s", line[0],
		    file_copy_name(files->src[i], base, sizeof base));

		rc = scp_put(sd, files->src[i], to);
		free(to);
		if (rc != 0) {
			tf_error("--systemd: cannot copy %s to %s",
			    files->src[i], sd->target);
			unlink(tmpl);
			rc = TF_SYSTEMD_FAILED;
			goto out;
		}
	}
	rc = TF_SYSTEMD_FAILED;
	unit = tf_asprintf("%s/%s.service", line[0], name);
	if (scp_put(sd, tmpl, unit) != 0) {
		tf_error("--systemd: cannot copy the unit to %s", sd->target);
		unlink(tmpl);
		goto out;
	}
	unlink(tmpl);
	free(cmd);
	free(unit);
	unit = shell_word(line[0]);
	cmd = tf_asprintf("sudo ln -sf %s/%s.service /etc/systemd/system/ && "
	    "sudo systemctl daemon-reload && sudo systemctl enable --now %s",
	    unit, qname, qname);
	if (ssh_run(sd, cmd) != 0) {
		tf_error("--systemd: installing the unit on %s failed "
		    "(sudo and systemd are needed there)", sd->target);
		goto out;
	}
	printf("started %s on %s\n", name, sd->target);
	rc = 0;
out:
	free(unit);
	free(cmd);
	free(qname);
	return rc;
}

int
tf_systemd_install(const struct tf_systemd *sd, const char *image,
		   bool interactive, int argc, char **argv)
{
	struct sd_files files = { NULL, 0 };
	char name[200], self[PATH_MAX];
	ssize_t len;
	int rc;

	if (interactive) {
		tf_error("--systemd: a service has no terminal; leave out -ti");
		return TF_SYSTEMD_USAGE;
	}
	unit_name(image, name, sizeof name);
	if (sd->target == NULL) {
		/* The unit runs this very tf, by its absolute path. */
		len = readlink("/proc/self/exe", self, sizeof self - 1);
		if (len <= 0) {
			tf_error("--systemd: cannot find this program's path");
			return TF_SYSTEMD_FAILED;
		}
		self[len] = '\0';
		rc = install_local(name, self, argc, argv, &files);
	} else {
		rc = install_remote(sd, name, argc, argv, &files);
	}
	for (size_t i = 0; i < files.n; i++)
		free(files.src[i]);
	free(files.src);
	return rc;
}
