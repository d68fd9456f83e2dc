/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * node_req: the commands the location sends to a node, as a table (tmux's
 * cmd_table), and the helpers every handler answers with.  A handler
 * returns 0 when it has answered (or will answer later: spawn, reboot,
 * streams) and -1 with err set when the request failed; the dispatcher then
 * sends the error, so the location and client always hear why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node.h"
#include "tf_log.h"

struct node_cmd {
	const char *name;
	int (*fn)(struct node *, const tf_msg *, tf_err *);
};

static const struct node_cmd node_cmds[] = {
	{ "spawn",        node_cmd_spawn },
	{ "destroy",      node_cmd_destroy },
	{ "reboot",       node_cmd_reboot },
	{ "wake",         node_cmd_wake },
	{ "put",          node_cmd_put },
	{ "fetch",        node_cmd_fetch },
	{ "fs",           node_cmd_fs },
	{ "logs",         node_cmd_logs },
	{ "proc",         node_cmd_proc },
	{ "proc_stdin",   node_cmd_proc_stdin },
	{ "proc_kill",    node_cmd_proc_kill },
	{ "proc_resize",  node_cmd_proc_resize },
	{ "ack",          node_cmd_ack },
	{ "unsub",        node_cmd_unsub },
	{ "allow",        node_cmd_allow },
	{ "disallow",     node_cmd_allow },
	{ "tunnel",       node_cmd_tunnel },
	{ "tunnel_close", node_cmd_tunnel_close },
	{ "tcp_open",     node_cmd_tcp },
	{ "tcp_data",     node_cmd_tcp },
	{ "tcp_close",    node_cmd_tcp },
	{ "vol_create",   node_cmd_vol },
	{ "vol_destroy",  node_cmd_vol },
	{ "vol_snapshot", node_cmd_vol },
	{ "vol_rollback", node_cmd_vol },
	{ "peers",        node_cmd_peers },
	{ "ip_gone",      node_cmd_ip_gone },
	{ NULL, NULL },
};

void
node_push_cb(tf_conn *c, const tf_msg *m, void *arg)
{
	struct node *n = arg;
	const struct node_cmd *cmd;
	tf_err err;

	(void)c;
	for (cmd = node_cmds; cmd->name != NULL; cmd++) {
		if (strcmp(cmd->name, m->cmd) == 0)
			break;
	}
	if (cmd->name == NULL) {
		tf_debug("unknown command %s from the location", m->cmd);
		if (m->id != 0)
			node_reply_error(n, m->id, "unknown command for a node: %s",
			    m->cmd);
		return;
	}
	tf_err_clear(&err);
	if (cmd->fn(n, m, &err) != 0) {
		tf_debug("%s failed: %s", m->cmd, err.msg);
		if (m->id != 0)
			node_reply_error(n, m->id, "%s",
			    err.msg[0] != '\0' ? err.msg : "failed");
	}
}

int
node_reply(struct node *n, uint64_t id, tf_out *o, const void *bulk,
	   size_t len)
{
	if (id == 0 || n->conn == NULL) {
		if (o != NULL)
			tf_out_fini(o);
		return 0;
	}
	return tf_conn_reply(n->conn, id, TF_REPLY, o, bulk, len);
}

int
node_stream_item(struct node *n, uint64_t id, tf_out *o, const void *bulk,
		 size_t len)
{
	if (id == 0 || n->conn == NULL) {
		if (o != NULL)
			tf_out_fini(o);
		return 0;
	}
	return tf_conn_reply(n->conn, id, TF_STREAM, o, bulk, len);
}

int
node_reply_error(struct node *n, uint64_t id, const char *fmt, ...)
{
	char text[TF_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (id == 0 || n->conn == NULL)
		return 0;
	return tf_conn_reply_error(n->conn, id, "%s", text);
}
