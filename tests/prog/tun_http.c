/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tun_http: tunnels to web servers (issue 5, "Tunnels"), as in the seeds:
 * a tunnel to nginx returns its welcome page; a pre-boot index.html comes
 * back through a tunnel; a tunnel on a given local port; wait_http_200
 * plain and with a Host header and path (checked by a server that answers
 * 200 only for the right ones), and its failure as an error value;
 * wait_tcp; attach_browser with $BROWSER and without (the URL printed);
 * the tunnel's record (session, port, bytes) seen by this and by another
 * session of the user; destroying a tunnel closes its port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>

#include "prog.h"
#include "tf_util.h"

/* Answers 200 only to GET /app/health with Host www.atomicdroplet.com. */
static const char http_sh[] =
    "read -r method path proto\n"
    "host=\n"
    "while read -r line; do\n"
    "  line=$(printf '%s' \"$line\" | tr -d '\\r')\n"
    "  [ -z \"$line\" ] && break\n"
    "  case \"$line\" in [Hh]ost:*) host=${line#*: };; esac\n"
    "done\n"
    "host=${host%%:*}\n"
    "if [ \"$host\" = www.atomicdroplet.com ] && [ \"$path\" = /app/health ]; then\n"
    "  printf 'HTTP/1.0 200 OK\\r\\n\\r\\nhealthy\\n'\n"
    "else\n"
    "  printf 'HTTP/1.0 404 Not Found\\r\\n\\r\\nhost=%s path=%s\\n' \"$host\" \"$path\"\n"
    "fi\n";

struct get {
	int port;
	const char *path, *host;
	int status;
	char *body;
};

static void *
get_main(void *arg)
{
	struct get *g = arg;

	g->status = prog_http_get(g->port, g->path, g->host, &g->body, NULL);
	return NULL;
}

/* A GET through 127.0.0.1:port while the loop runs; returns the status. */
static int
get(tf_location *loc, int port, const char *path, char **body)
{
	struct get g = { .port = port, .path = path };

	if (prog_run_bg(loc, get_main, &g, 60000) != 0)
		return -2;
	if (body != NULL)
		*body = g.body;
	else
		free(g.body);
	return g.status;
}

struct tunnel_seen {
	tf_location *loc;
	const char *id;
};

static bool
tunnel_gone(void *arg)
{
	struct tunnel_seen *s = arg;

	return tf_model_tunnel_find(tf_location_model(s->loc), s->id) == NULL;
}

/* What the steps share, in tun_tests[] order. */
struct tun {
	tf_location *loc;
	tf_node *node;
	tf_container *nginx, *hello, *checker;
	tf_tunnel *t;			/* to nginx */
	char tid[64];
};

/* nginx's welcome page. */
static void
test_nginx(struct tun *x)
{
	char *body = NULL;
	tf_err err;
	int st, rc;

	x->nginx = prog_spawn(x->loc, x->node, "nginx", NULL);
	x->t = tf_container_attach_tunnel(x->nginx, 80, 0, NULL, &err);
	if (x->t == NULL)
		prog_bail(&x->loc, "attach_tunnel", &err);
	prog_check(tf_tunnel_localport(x->t) > 0 && tf_tunnel_port(x->t) == 80,
	    "a tunnel on a chosen local port (%d -> 80)",
	    tf_tunnel_localport(x->t));
	rc = tf_container_wait_tcp(x->nginx, 80, 30000, &err);
	prog_check(rc == 0, "wait_tcp(80)%s%s", rc ? ": " : "", rc ? err.msg : "");
	st = get(x->loc, tf_tunnel_localport(x->t), "/", &body);
	prog_check(st == 200 && body != NULL &&
	    strstr(body, "Welcome to nginx!") != NULL,
	    "the tunnel returns nginx's welcome page (status %d)", st);
	free(body);
}

/* Its record, here and in another session of the same user. */
static void
test_record(struct tun *x)
{
	const tf_model_tunnel *mt;
	tf_location *other;
	tf_err err;
	int rc;

	snprintf(x->tid, sizeof x->tid, "%s", tf_tunnel_id(x->t));
	mt = tf_model_tunnel_find(tf_location_model(x->loc), x->tid);
	prog_check(mt != NULL && strcmp(mt->container,
	    tf_container_id(x->nginx)) == 0 && mt->port == 80 &&
	    strcmp(mt->session, tf_location_session(x->loc)) == 0,
	    "the tunnel's record names its container, port and session");
	other = tf_location_new(&(tf_location_opts){ .program = "tun_http2" },
	    &err);
	if (other == NULL)
		prog_bail(&x->loc, "a second session", &err);
	mt = tf_model_tunnel_find(tf_location_model(other), x->tid);
	prog_check(mt != NULL && strcmp(mt->session,
	    tf_location_session(x->loc)) == 0 &&
	    mt->localport == tf_tunnel_localport(x->t),
	    "another session of the user sees the tunnel, its owning session "
	    "and local port");
	prog_check(mt != NULL && mt->bytes_out > 0,
	    "with the bytes it carried (%lld out)",
	    mt ? (long long)mt->bytes_out : -1LL);
	tf_location_destroy(&other);

	rc = tf_container_wait_tcp(x->nginx, 81, 2000, &err);
	prog_check(rc == -1, "wait_tcp on a closed port fails: %s", err.msg);
}

/* The seeds' pre-boot example. */
static void
test_preboot(struct tun *x)
{
	tf_file pre[] = { { "/usr/share/nginx/html/index.html",
	    "Hello World!", 12 } };
	tf_spawn_opts so = { .files = pre, .nfiles = 1 };
	char *body = NULL;
	tf_tunnel *t2;
	tf_err err;
	int st, port;

	x->hello = prog_spawn(x->loc, x->node, "nginx", &so);
	port = prog_free_port();
	t2 = tf_container_attach_tunnel(x->hello, 80, port, NULL, &err);
	prog_check(t2 != NULL && tf_tunnel_localport(t2) == port,
	    "a tunnel on a given local port (%d)%s%s", port, t2 ? "" : ": ",
	    t2 ? "" : err.msg);
	if (t2 != NULL) {
		tf_container_wait_tcp(x->hello, 80, 30000, &err);
		st = get(x->loc, port, "/", &body);
		prog_check(st == 200 && body != NULL &&
		    strcmp(body, "Hello World!") == 0,
		    "a pre-boot index.html comes back through it: '%s'",
		    body ? body : "");
		free(body);
		prog_check(strstr(tf_tunnel_url(t2), "localhost") != NULL ||
		    strstr(tf_tunnel_url(t2), "127.0.0.1") != NULL,
		    "tunnel_url: %s", tf_tunnel_url(t2));
	}
}

/* wait_http_200, plain (seeds: container.wait_http_200()). */
static void
test_wait_http_200(struct tun *x)
{
	char *body = NULL;
	tf_tunnel *w;
	uint64_t t0;
	tf_err err;
	int st;

	w = tf_container_wait_http_200(x->hello, 80, NULL, NULL, 30000, &err);
	prog_check(w != NULL, "wait_http_200 on nginx%s%s", w ? "" : ": ",
	    w ? "" : err.msg);
	if (w != NULL) {
		st = get(x->loc, tf_tunnel_localport(w), "/", &body);
		prog_check(st == 200 && body && strcmp(body, "Hello World!") == 0,
		    "and its tunnel serves the page");
		free(body);
	}
	t0 = prog_now_ms();
	w = tf_container_wait_http_200(x->hello, 80, NULL, "/no/such/page",
	    3000, &err);
	prog_check(w == NULL && prog_now_ms() - t0 < 10000,
	    "wait_http_200 of a page that is 404 fails after its timeout "
	    "(%.1f s): %s", (double)(prog_now_ms() - t0) / 1000,
	    w ? "it succeeded" : err.msg);
}

/* With a Host header and a path (the seeds' fqdn=...). */
static void
test_fqdn(struct tun *x)
{
	tf_file pre[] = { { "/srv/http.sh", http_sh, sizeof http_sh - 1 } };
	tf_spawn_opts so = { .files = pre, .nfiles = 1,
	    .command = (const char *const[]){ "nc", "-ll", "-p",
	    "8080", "-e", "sh", "/srv/http.sh", NULL } };
	char *body = NULL;
	tf_tunnel *w;
	tf_err err;
	int st;

	x->checker = prog_spawn(x->loc, x->node, "busybox", &so);
	w = tf_container_wait_http_200(x->checker, 8080,
	    "www.atomicdroplet.com", "/app/health", 30000, &err);
	prog_check(w != NULL, "wait_http_200 with fqdn and path gets its 200"
	    "%s%s", w ? "" : ": ", w ? "" : err.msg);
	if (w != NULL) {
		st = get(x->loc, tf_tunnel_localport(w), "/", &body);
		prog_check(st == 404 && body && strstr(body, "path=/") != NULL,
		    "(the server really checks: plain / is %d)", st);
		free(body);
	}
	w = tf_container_wait_http_200(x->checker, 8080, "www.example.com",
	    "/app/health", 3000, &err);
	prog_check(w == NULL, "with another Host it never gets 200: %s",
	    w ? "it did" : err.msg);
}

/* attach_browser: $BROWSER gets the URL ("%s" stands for it). */
static void
test_browser(struct tun *x)
{
	char file[128], cmd[256], *url = NULL, *printed = NULL, *body = NULL;
	int saved, fd, st;
	tf_tunnel *w;
	tf_err err, e2;

	snprintf(file, sizeof file, "/tmp/tun_http.%d.url", (int)getpid());
	snprintf(cmd, sizeof cmd, "echo %%s > %s", file);
	setenv("BROWSER", cmd, 1);
	w = tf_container_attach_browser(x->hello, 80, NULL, NULL, &err);
	prog_check(w != NULL, "attach_browser%s%s", w ? "" : ": ",
	    w ? "" : err.msg);
	for (int i = 0; i < 50 && access(file, F_OK) != 0; i++)
		tf_location_sleep(x->loc, 100);
	url = tf_read_file(file, NULL, 4096);
	if (url != NULL)
		url[strcspn(url, "\n")] = '\0';
	prog_check(w != NULL && url != NULL &&
	    strncmp(url, tf_tunnel_url(w), strlen(tf_tunnel_url(w))) == 0,
	    "it ran $BROWSER with the tunnel's URL (%s)", url ? url : "-");
	if (w != NULL) {
		st = get(x->loc, tf_tunnel_localport(w), "/", &body);
		prog_check(st == 200, "and that URL serves the page");
		free(body);
	}
	free(url);
	unlink(file);
	/* Without a browser the URL is printed. */
	unsetenv("BROWSER");
	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
	snprintf(file, sizeof file, "/tmp/tun_http.%d.out", (int)getpid());
	fflush(stdout);
	saved = dup(1);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	w = tf_container_attach_browser(x->hello, 80, NULL, NULL, &e2);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	printed = tf_read_file(file, NULL, 4096);
	unlink(file);
	if (printed != NULL)
		printed[strcspn(printed, "\n")] = '\0';
	prog_check(w != NULL && printed != NULL &&
	    strstr(printed, tf_tunnel_url(w)) != NULL,
	    "without a browser it prints the URL: %s", printed ? printed :
	    "-");
	free(printed);
}

/* Destroying a tunnel closes its port and removes its record. */
static void
test_destroy(struct tun *x)
{
	struct tunnel_seen s = { x->loc, x->tid };
	tf_err err;
	int port, rc;

	port = tf_tunnel_localport(x->t);
	rc = tf_tunnel_destroy(x->t, &err);
	prog_check(rc == 0, "tunnel_destroy%s%s", rc ? ": " : "",
	    rc ? err.msg : "");
	prog_check(!prog_tcp_accepts(port),
	    "its local port no longer accepts connections");
	prog_check(prog_wait(x->loc, tunnel_gone, &s, 5000),
	    "and its record is gone");
	rc = tf_tunnel_destroy(x->t, &err);
	prog_check(rc == -1 || rc == 0, "destroying it twice does not crash%s%s",
	    rc ? ": " : "", rc ? err.msg : "");
}

static const struct {
	const char *name;
	void (*fn)(struct tun *);
} tun_tests[] = {
	{ "nginx", test_nginx },
	{ "record", test_record },
	{ "preboot", test_preboot },
	{ "wait_http_200", test_wait_http_200 },
	{ "fqdn", test_fqdn },
	{ "browser", test_browser },
	{ "destroy", test_destroy },
};

int
main(void)
{
	struct tun x = { 0 };

	x.loc = prog_connect("tun_http");
	x.node = prog_node(x.loc);
	for (size_t i = 0; i < TF_ARRAY_LEN(tun_tests); i++) {
		prog_note("%s", tun_tests[i].name);
		tun_tests[i].fn(&x);
	}
	tf_location_destroy(&x.loc);
	return prog_finish();
}
