/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tf_log: levelled log lines.  The level, program name and sink are set
 * once from main(); they are the library's only process-wide settings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include "tf_log.h"

static int log_level = TF_LOG_INFO;
static const char *log_prog = "tf";
static FILE *log_out;
static tf_log_fn log_fn;
static void *log_fn_arg;

void
tf_log_setup(int level, const char *prog, FILE *out)
{
	log_level = level;
	if (prog != NULL)
		log_prog = prog;
	log_out = out;
}

void
tf_log_set_fn(tf_log_fn fn, void *arg)
{
	log_fn = fn;
	log_fn_arg = arg;
}

int
tf_log_level(void)
{
	return log_level;
}

static const char *
log_level_name(int level)
{
	switch (level) {
	case TF_LOG_ERROR: return "ERROR";
	case TF_LOG_WARN:  return "WARNING";
	case TF_LOG_INFO:  return "INFO";
	default:           return "DEBUG";
	}
}

static void
log_vwrite(int level, const char *func, const char *fmt, va_list ap)
{
	FILE *out = log_out != NULL ? log_out : stderr;
	struct timeval tv;
	struct tm tm;
	char stamp[32];

	if (log_fn != NULL) {
		char text[1024];
		int n = 0;

		if (func != NULL)
			n = snprintf(text, sizeof text, "%s: ", func);
		vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
		log_fn(level, text, log_fn_arg);
		return;
	}
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%m%d%H%M%S", &tm);
	fprintf(out, "%s.%03ld %-8s %s: ", stamp, (long)(tv.tv_usec / 1000),
	    log_level_name(level), log_prog);
	if (func != NULL)
		fprintf(out, "%s: ", func);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	fflush(out);
}

void
tf_log_write(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, NULL, fmt, ap);
	va_end(ap);
}

void
tf_log_write_in(int level, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, func, fmt, ap);
	va_end(ap);
}

void
tf_panic_at(const char *file, int line, const char *fmt, ...)
{
	FILE *out = log_out != NULL ? log_out : stderr;
	va_list ap;

	char text[1024];

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	fprintf(out, "%s: panic at %s:%d: %s", log_prog, file, line, text);
	fputc('\n', out);
	fflush(out);
	abort();
}
