/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_codec: every message family's codec packs a filled struct, unpacks
 * it and packs it again to the same bytes; and its unpacker refuses what it
 * must (wrong types, overlong strings, too many items, missing required
 * fields) without undefined behaviour, and reads empty strings safely.
 */
/* The checks are the test: never compiled out. */
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_codec.h"
#include "tf_codec_account.h"
#include "tf_codec_all.h"
#include "tf_codec_file.h"
#include "tf_codec_firewall.h"
#include "tf_codec_flow.h"
#include "tf_codec_fs.h"
#include "tf_codec_hosts.h"
#include "tf_codec_image.h"
#include "tf_codec_quota.h"
#include "tf_codec_kv.h"
#include "tf_codec_metrics.h"
#include "tf_codec_offer.h"
#include "tf_codec_proc.h"
#include "tf_codec_report.h"
#include "tf_codec_session.h"
#include "tf_codec_spawn.h"
#include "tf_codec_stream.h"
#include "tf_codec_tunnel.h"
#include "tf_codec_vol.h"
#include "tf_codec_web.h"

#define CHECK(x) do { if (!(x)) { fprintf(stderr, "%s:%d: %s failed\n", \
	__FILE__, __LINE__, #x); exit(1); } } while (0)

static void
roundtrip(const tf_codec *c, const void *v)
{
	tf_err err = { "" };

	if (tf_codec_roundtrip(c, v, &err) != 0) {
		fprintf(stderr, "%s: %s\n", c->name, err.msg);
		exit(1);
	}
}

/* Unpacks params given as a msgpack map built by fill(). */
typedef void (*fill_fn)(msgpack_packer *pk);

static int
unpack_built(const tf_codec *c, fill_fn fill, void *out, tf_err *err)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked keep;
	int rc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	fill(&pk);
	rc = tf_codec_unpack_buf(c, sb.data, sb.size, &keep, out, err);
	if (rc == 0)
		tf_codec_free(c, out);
	msgpack_unpacked_destroy(&keep);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* Whether *v packs to the very bytes that by_hand packs (a message as it
 * was packed by hand before its codec). */
static bool
packs_as(const tf_codec *c, const void *v, fill_fn by_hand)
{
	msgpack_sbuffer a, b;
	msgpack_packer pk;
	bool same;

	msgpack_sbuffer_init(&a);
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &a, msgpack_sbuffer_write);
	by_hand(&pk);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	tf_codec_pack_value(c, v, &pk);
	same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	msgpack_sbuffer_destroy(&a);
	msgpack_sbuffer_destroy(&b);
	return same;
}

/* ---- spawn -------------------------------------------------------------- */

static void
test_spawn(void)
{
	static const char *const env[] = { "A=1", "B=", NULL };
	static const char *const cmd[] = { "/bin/sh", "-c", "true", NULL };
	static const char *const layers[] = { "ab", "cd", NULL };
	tf_spawn_file pre[] = {
		{ .path = "/etc/x", .data = (const uint8_t *)"x\0y", .n_data = 3 },
		{ .path = "/empty", .data = NULL, .n_data = 0 },
	};
	tf_spawn_mount vols[] = { { .volume = "v1", .mountpoint = "/data" } };
	msgpack_zone zone;
	msgpack_object cfg;
	tf_spawn_msg s = {
		.image = "alpine", .node = "n1", .tag = "web",
		.env = env, .n_env = 2, .command = cmd, .n_command = 3,
		.preboot = pre, .n_preboot = 2, .sleep = true,
		.volumes = vols, .n_volumes = 1,
		.limits = { .memory_mb = 64, .pids = 100, .cpu_shares = 512 },
		.container = "c1", .layers = layers, .n_layers = 2,
		.user = 7, .session = "s1",
	};
	tf_spawn_reply r = { .container = "c1", .node = "n1" };

	msgpack_zone_init(&zone, 256);
	cfg.type = MSGPACK_OBJECT_MAP;
	cfg.via.map.size = 0;
	cfg.via.map.ptr = NULL;
	s.config = &cfg;
	roundtrip(&tf_spawn_codec, &s);
	roundtrip(&tf_spawn_reply_codec, &r);
	{
		tf_spec_file files[] = { { .path = "/etc/x", .size = 3 } };
		tf_ctr_spec_msg q = { .container = "c1" };
		tf_ctr_spec sp = {
			.container = "c1", .image = "alpine", .tag = "web",
			.command = cmd, .n_command = 3, .env = env, .n_env = 2,
			.preboot = files, .n_preboot = 1,
			.volumes = vols, .n_volumes = 1,
			.limits = { .memory_mb = 64, .pids = 0, .cpu_shares = 0 },
			.sleep = true,
		};

		roundtrip(&tf_ctr_spec_msg_codec, &q);
		roundtrip(&tf_ctr_spec_codec, &sp);
	}
	msgpack_zone_destroy(&zone);
}

static void
spawn_empty_image(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "image", "");
	tf_pack_kv_str(pk, "tag", "");
}

static void
spawn_no_image(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_kv_str(pk, "tag", "x");
}

static void
spawn_bad_env(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "image", "a");
	tf_pack_str(pk, "env");
	msgpack_pack_array(pk, 1);
	msgpack_pack_int(pk, 3);
}

static void
spawn_bad_preboot(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "image", "a");
	tf_pack_str(pk, "preboot");
	msgpack_pack_array(pk, 1);
	msgpack_pack_array(pk, 1);
	tf_pack_str(pk, "/x");
}

static void
spawn_bad_limits(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "image", "a");
	tf_pack_str(pk, "limits");
	msgpack_pack_map(pk, 1);
	tf_pack_kv_int(pk, "memory_mb", 1);
}

static void
spawn_long_tag(msgpack_packer *pk)
{
	char tag[200];

	memset(tag, 't', sizeof tag - 1);
	tag[sizeof tag - 1] = '\0';
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "image", "a");
	tf_pack_kv_str(pk, "tag", tag);
}

static void
spawn_nul_image(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_str(pk, "image");
	msgpack_pack_str(pk, 3);
	msgpack_pack_str_body(pk, "a\0b", 3);
}

static void
spawn_many_volumes(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "image", "a");
	tf_pack_str(pk, "volumes");
	msgpack_pack_array(pk, TF_SPAWN_MAX_VOLUMES + 1);
	for (int i = 0; i <= TF_SPAWN_MAX_VOLUMES; i++) {
		msgpack_pack_array(pk, 2);
		tf_pack_str(pk, "v");
		tf_pack_str(pk, "/m");
	}
}

static void
test_spawn_refused(void)
{
	tf_spawn_msg s;
	tf_err err;

	/* Empty strings are read safely (issue #17) and are not "absent". */
	CHECK(unpack_built(&tf_spawn_codec, spawn_empty_image, &s, &err) == 0);
	CHECK(unpack_built(&tf_spawn_codec, spawn_no_image, &s, &err) != 0);
	CHECK(strstr(err.msg, "image") != NULL);
	CHECK(unpack_built(&tf_spawn_codec, spawn_bad_env, &s, &err) != 0);
	CHECK(strstr(err.msg, "env") != NULL);
	CHECK(unpack_built(&tf_spawn_codec, spawn_bad_preboot, &s, &err) != 0);
	CHECK(strstr(err.msg, "preboot") != NULL);
	CHECK(unpack_built(&tf_spawn_codec, spawn_bad_limits, &s, &err) != 0);
	CHECK(strstr(err.msg, "memory_mb") != NULL);
	CHECK(unpack_built(&tf_spawn_codec, spawn_long_tag, &s, &err) != 0);
	CHECK(strstr(err.msg, "tag") != NULL);
	CHECK(unpack_built(&tf_spawn_codec, spawn_nul_image, &s, &err) != 0);
	CHECK(unpack_built(&tf_spawn_codec, spawn_many_volumes, &s, &err) != 0);
	CHECK(strstr(err.msg, "volumes") != NULL);
	/* Not a map at all, and garbage bytes. */
	{
		msgpack_unpacked keep;
		static const uint8_t garbage[] = { 0xdb, 0xff, 0xff, 0xff };
		static const uint8_t one[] = { 0x01 };

		CHECK(tf_codec_unpack_buf(&tf_spawn_codec, garbage,
		    sizeof garbage, &keep, &s, &err) != 0);
		msgpack_unpacked_destroy(&keep);
		CHECK(tf_codec_unpack_buf(&tf_spawn_codec, one, sizeof one,
		    &keep, &s, &err) != 0);
		msgpack_unpacked_destroy(&keep);
	}
}

/* ---- hosts -------------------------------------------------------------- */

static void
test_hosts(void)
{
	tf_peer peers[TF_PEERS_MAX];
	char names[TF_PEERS_MAX][16], addrs[TF_PEERS_MAX][16];
	char subnets[TF_PEERS_MAX][24];
	tf_peers_msg none = { 0 }, one, most;
	tf_ip_gone_msg g = { .ip = "10.220.3.7" };
	tf_err err;

	for (size_t i = 0; i < TF_PEERS_MAX; i++) {
		snprintf(names[i], sizeof names[i], "node%zu", i);
		snprintf(addrs[i], sizeof addrs[i], "192.168.%zu.%zu", i / 200,
		    i % 200 + 1);
		snprintf(subnets[i], sizeof subnets[i], "10.220.%zu.0/24", i);
		peers[i] = (tf_peer){ .node = names[i], .address = addrs[i],
		    .subnet = subnets[i] };
	}
	one = (tf_peers_msg){ .peers = peers, .n_peers = 1 };
	most = (tf_peers_msg){ .peers = peers, .n_peers = TF_PEERS_MAX };
	roundtrip(&tf_peers_codec, &none);
	roundtrip(&tf_peers_codec, &one);
	roundtrip(&tf_peers_codec, &most);
	roundtrip(&tf_ip_gone_codec, &g);
	CHECK(tf_peers_check(&most, &err) == 0);
	CHECK(tf_ip_gone_check(&g, &err) == 0);
}

static void peers_none(msgpack_packer *pk) { msgpack_pack_map(pk, 0); }

static void
peers_not_maps(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_str(pk, "peers");
	msgpack_pack_array(pk, 1);
	msgpack_pack_int(pk, 7);
}

static void
peers_too_many(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_str(pk, "peers");
	msgpack_pack_array(pk, TF_PEERS_MAX + 1);
	for (int i = 0; i <= TF_PEERS_MAX; i++) {
		msgpack_pack_map(pk, 3);
		tf_pack_kv_str(pk, "node", "n");
		tf_pack_kv_str(pk, "address", "192.168.1.1");
		tf_pack_kv_str(pk, "subnet", "10.1.1.0/24");
	}
}

static void
peers_long_address(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_str(pk, "peers");
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	tf_pack_kv_str(pk, "node", "n");
	tf_pack_kv_str(pk, "address", "192.168.100.100.1");
	tf_pack_kv_str(pk, "subnet", "10.1.1.0/24");
}

static void
test_hosts_refused(void)
{
	static const char *const bad[][3] = {
		{ "", "192.168.1.1", "10.1.1.0/24" },
		{ "n", "192.168.1", "10.1.1.0/24" },
		{ "n", "host.example", "10.1.1.0/24" },
		{ "n", "192.168.1.1", "10.1.1.1/24" },
		{ "n", "192.168.1.1", "10.1.1.0/31" },
		{ "n", "192.168.1.1", "10.1.1.0" },
		{ "n", "192.168.1.1", "10.1.1.0/x" },
	};
	tf_ip_gone_msg g = { .ip = "10.220.3.777" };
	tf_peers_msg s;
	tf_err err;

	/* No list is no peers (as []); anything else wrong is refused. */
	CHECK(unpack_built(&tf_peers_codec, peers_none, &s, &err) == 0);
	CHECK(unpack_built(&tf_peers_codec, peers_not_maps, &s, &err) != 0);
	CHECK(unpack_built(&tf_peers_codec, peers_too_many, &s, &err) != 0);
	CHECK(unpack_built(&tf_peers_codec, peers_long_address, &s,
	    &err) != 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tf_peer p = { .node = bad[i][0], .address = bad[i][1],
		    .subnet = bad[i][2] };
		tf_peers_msg m = { .peers = &p, .n_peers = 1 };

		CHECK(tf_peers_check(&m, &err) != 0);
	}
	CHECK(tf_ip_gone_check(&g, &err) != 0);
}

/* ---- node reports ------------------------------------------------------ */

static void
status_exit_only(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	tf_pack_kv_str(pk, "container", "c1");
	tf_pack_kv_str(pk, "state", "exited");
	tf_pack_kv_int(pk, "exit_code", 3);
}

static void
test_report(void)
{
	tf_ctr_status_msg st = { .container = "c1", .state = "running",
	    .ip = "10.1.2.3", .exit_code = -1, .error = "e",
	    .startup_ms = 0 };
	tf_node_stats_msg ns = { .cpus = 2, .cpu_pct = 150, .mem_total_mb = 9,
	    .mem_free_mb = 3, .paging = 0, .containers = 4, .load1 = 0.5 };
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked keep;
	tf_err err;

	TF_SET(&tf_ctr_status_codec, &st, ip);
	TF_SET(&tf_ctr_status_codec, &st, exit_code);
	TF_SET(&tf_ctr_status_codec, &st, startup_ms);
	roundtrip(&tf_ctr_status_codec, &st);
	roundtrip(&tf_node_stats_codec, &ns);
	{
		static const char *const none[] = { NULL };
		tf_node_ctr_rec recs[2] = {
			{ .container = "c1", .user = 1, .session = "s",
			  .tag = "t", .image = "i", .state = "running",
			  .ip = "10.0.0.2", .exit_code = 0, .error = "",
			  .created = 1.5, .started = 2.5, .startup_ms = 3,
			  .node = "n1" },
			{ .container = "c2", .session = "", .tag = "",
			  .image = "i", .state = "spawning" },
		};
		tf_node_hello_msg h = { .containers = recs, .n_containers = 2,
		    .volumes = none };

		TF_SET(&tf_node_ctr_rec_codec, &recs[0], ip);
		TF_SET(&tf_node_ctr_rec_codec, &recs[0], exit_code);
		TF_SET(&tf_node_ctr_rec_codec, &recs[0], error);
		TF_SET(&tf_node_ctr_rec_codec, &recs[0], created);
		TF_SET(&tf_node_ctr_rec_codec, &recs[0], started);
		TF_SET(&tf_node_ctr_rec_codec, &recs[0], startup_ms);
		TF_SET(&tf_node_ctr_rec_codec, &recs[0], node);
		roundtrip(&tf_node_hello_codec, &h);
	}
	/* Presence is kept: an absent ip or startup is not "". */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	status_exit_only(&pk);
	CHECK(tf_codec_unpack_buf(&tf_ctr_status_codec, sb.data, sb.size,
	    &keep, &st, &err) == 0);
	CHECK(TF_HAS(&tf_ctr_status_codec, &st, exit_code) && st.exit_code == 3);
	CHECK(!TF_HAS(&tf_ctr_status_codec, &st, ip) && st.ip[0] == '\0');
	CHECK(!TF_HAS(&tf_ctr_status_codec, &st, startup_ms));
	tf_ctr_status_free(&st);
	msgpack_unpacked_destroy(&keep);
	msgpack_sbuffer_destroy(&sb);
}

/* ---- processes ---------------------------------------------------------- */

static void
proc_no_process(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_kv_str(pk, "container", "c1");
}

static void
proc_bad_signal(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	tf_pack_kv_str(pk, "container", "c1");
	tf_pack_kv_str(pk, "process", "p1");
	tf_pack_kv_int(pk, "signal", 99);
}

static void
test_proc(void)
{
	static const char *const argv[] = { "ls", "-l", NULL };
	static const char *const env[] = { "X=1", NULL };
	tf_proc_msg pm = { .container = "c1", .process = "p1", .argv = argv,
	    .n_argv = 2, .command = "ls -l", .tty = true, .rows = 24,
	    .cols = 80, .term = "xterm", .env = env, .n_env = 1,
	    .close = true, .signal = 15 };
	tf_proc_msg out;
	tf_err err;

	TF_SET(&tf_proc_codec, &pm, tty);
	TF_SET(&tf_proc_codec, &pm, rows);
	TF_SET(&tf_proc_codec, &pm, cols);
	roundtrip(&tf_proc_codec, &pm);
	CHECK(unpack_built(&tf_proc_codec, proc_no_process, &out, &err) != 0);
	CHECK(strstr(err.msg, "process") != NULL);
	CHECK(unpack_built(&tf_proc_codec, proc_bad_signal, &out, &err) != 0);
	CHECK(strstr(err.msg, "signal") != NULL);
}

/* ---- key/value ---------------------------------------------------------- */

static void
kv_long_key(msgpack_packer *pk)
{
	char key[TF_KV_KEY_MAX + 2];

	memset(key, 'k', sizeof key - 1);
	key[sizeof key - 1] = '\0';
	msgpack_pack_map(pk, 1);
	tf_pack_kv_str(pk, "key", key);
}

static void
kv_pairs_not_map(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_kv_str(pk, "pairs", "x");
}

static void
test_kv(void)
{
	static const char *const keys[] = { "a", "b/c", "", NULL };
	msgpack_object_kv kv[1];
	msgpack_object pairs = { .type = MSGPACK_OBJECT_MAP };
	msgpack_object value = { .type = MSGPACK_OBJECT_POSITIVE_INTEGER };
	tf_kv_msg m = { .key = "k", .pairs = &pairs, .prefix = "",
	    .value = &value, .keys = keys, .n_keys = 3 };
	tf_err err;

	kv[0].key.type = MSGPACK_OBJECT_STR;
	kv[0].key.via.str.ptr = "k";
	kv[0].key.via.str.size = 1;
	kv[0].val.type = MSGPACK_OBJECT_NIL;
	pairs.via.map.size = 1;
	pairs.via.map.ptr = kv;
	value.via.u64 = 42;
	roundtrip(&tf_kv_codec, &m);
	CHECK(unpack_built(&tf_kv_codec, kv_long_key, &m, &err) != 0);
	CHECK(strstr(err.msg, "key") != NULL);
	CHECK(unpack_built(&tf_kv_codec, kv_pairs_not_map, &m, &err) != 0);
	CHECK(strstr(err.msg, "pairs") != NULL);
}

/* ---- volumes ------------------------------------------------------------ */

static void
vol_int_tag(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_kv_int(pk, "tag", 1);
}

static void
test_vol(void)
{
	tf_vol_msg v = { .volume = "v1", .node = "n1", .tag = "data",
	    .user = 3 };
	tf_err err;

	TF_SET(&tf_vol_codec, &v, user);
	roundtrip(&tf_vol_codec, &v);
	CHECK(unpack_built(&tf_vol_codec, vol_int_tag, &v, &err) != 0);
	CHECK(strstr(err.msg, "tag") != NULL);
}

/* ---- web endpoints ------------------------------------------------------ */

static void
web_bad_port(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "fqdn", "www.example.test");
	tf_pack_kv_int(pk, "port", 65536);
}

static void
test_web(void)
{
	static const char *const members[] = { "c1", "c2", NULL };
	tf_domain_msg d = { .domain = "example.test", .token = "abc",
	    .owner = "alice", .global = true, .mine = true };
	tf_web_msg w = { .cluster = "k1", .fqdn = "www.example.test",
	    .rewrite = "inner.test", .port = 8080, .containers = members,
	    .n_containers = 2, .cert = (const uint8_t *)"PEM", .n_cert = 3,
	    .state = "serving" };
	tf_web_list_msg l = { .domains = &d, .n_domains = 1, .clusters = &w,
	    .n_clusters = 1, .http_port = 80 };
	tf_err err;

	roundtrip(&tf_domain_codec, &d);
	roundtrip(&tf_web_codec, &w);
	roundtrip(&tf_web_list_codec, &l);
	CHECK(unpack_built(&tf_web_codec, web_bad_port, &w, &err) != 0);
	CHECK(strstr(err.msg, "port") != NULL);
}

/* ---- quotas ------------------------------------------------------------- */

static void
quota_negative(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	msgpack_pack_str_with_body(pk, "quota", 5);
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	tf_pack_kv_str(pk, "kind", "containers");
	tf_pack_kv_int(pk, "limit", -1);
	tf_pack_kv_int(pk, "used", 0);
}

static void
test_quota(void)
{
	tf_quota_item items[] = {
		{ .kind = "containers", .limit = 100, .used = 3 },
		{ .kind = "kv_bytes", .limit = 0, .used = 12345 },
	};
	tf_quota_msg q = { .quota = items, .n_quota = 2 };
	tf_err err;

	roundtrip(&tf_quota_codec, &q);
	CHECK(unpack_built(&tf_quota_codec, quota_negative, &q, &err) != 0);
	CHECK(strstr(err.msg, "limit") != NULL);
}

/* ---- files -------------------------------------------------------------- */

static void
fetch_too_long(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	tf_pack_kv_str(pk, "container", "c1");
	tf_pack_kv_str(pk, "path", "/x");
	tf_pack_kv_int(pk, "length", (int64_t)TF_FETCH_MAX + 1);
}

static void
put_no_path(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_kv_str(pk, "container", "c1");
}

static void
test_fs(void)
{
	tf_fs_stat ent[2] = {
		{ .name = "a", .mode = 0100644, .size = 5, .uid = 1,
		  .gid = 2, .atime = 3, .mtime = 4, .nlink = 1 },
		{ .name = "b", .mode = 040755, .nlink = 2 },
	};
	tf_fs_msg m = { .container = "c1", .op = "rename", .path = "/a",
	    .path2 = "/b", .offset = 7, .length = 8, .mode = 0600,
	    .flags = TF_FS_O_WRITE | TF_FS_O_CREATE, .atime = 1, .mtime = 2 };
	tf_fs_reply r = { .stat = { .mode = 0100600, .size = 9 },
	    .entries = ent, .n_entries = 2, .eof = true, .target = "/t",
	    .written = 0 };

	TF_SET(&tf_fs_reply_codec, &r, stat);
	TF_SET(&tf_fs_reply_codec, &r, written);
	roundtrip(&tf_fs_codec, &m);
	roundtrip(&tf_fs_reply_codec, &r);
	CHECK(tf_fs_op_valid("lstat") && !tf_fs_op_valid("chown"));
}

static void
test_file(void)
{
	tf_file_msg f = { .container = "c1", .path = "/etc/x", .offset = 9,
	    .last = true, .mode = 0644, .length = 100 };
	tf_file_reply r = { .written = 5, .size = 7, .eof = true };
	tf_err err;

	TF_SET(&tf_file_codec, &f, last);
	TF_SET(&tf_file_codec, &f, length);
	TF_SET(&tf_file_reply_codec, &r, written);
	TF_SET(&tf_file_reply_codec, &r, size);
	TF_SET(&tf_file_reply_codec, &r, eof);
	roundtrip(&tf_file_codec, &f);
	roundtrip(&tf_file_reply_codec, &r);
	CHECK(unpack_built(&tf_file_codec, fetch_too_long, &f, &err) != 0);
	CHECK(strstr(err.msg, "length") != NULL);
	CHECK(unpack_built(&tf_file_codec, put_no_path, &f, &err) != 0);
	CHECK(strstr(err.msg, "path") != NULL);
}

/* ---- tunnels and flow control ------------------------------------------- */

static void
tunnel_bad_port(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "tunnel", "t1");
	tf_pack_kv_int(pk, "port", 70000);
}

static void
ack_no_ref(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_kv_int(pk, "bytes", 5);
}

static void
test_tunnel(void)
{
	tf_tunnel_msg t = { .tunnel = "t1", .container = "c1", .port = 80,
	    .localport = 8080, .conn = 0, .event = "close", .error = "",
	    .bytes = 0, .both = false };
	tf_flow_msg a = { .ref = 9, .bytes = 100, .conn = 0 };
	tf_tunnel_msg back;
	tf_err err;

	TF_SET(&tf_tunnel_codec, &t, localport);
	TF_SET(&tf_tunnel_codec, &t, conn);
	TF_SET(&tf_tunnel_codec, &t, error);
	TF_SET(&tf_tunnel_codec, &t, bytes);
	TF_SET(&tf_tunnel_codec, &t, both);
	TF_SET(&tf_flow_codec, &a, conn);
	/* conn 0, bytes 0 and both false survive: they are marked set. */
	roundtrip(&tf_tunnel_codec, &t);
	roundtrip(&tf_flow_codec, &a);
	CHECK(unpack_built(&tf_tunnel_codec, tunnel_bad_port, &back, &err) != 0);
	CHECK(strstr(err.msg, "port") != NULL);
	CHECK(unpack_built(&tf_flow_codec, ack_no_ref, &a, &err) != 0);
	CHECK(strstr(err.msg, "ref") != NULL);
}

/* ---- images and layers -------------------------------------------------- */

static void
image_many_layers(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_str(pk, "layers");
	msgpack_pack_array(pk, TF_IMAGE_MAX_LAYERS + 1);
	for (int i = 0; i <= TF_IMAGE_MAX_LAYERS; i++)
		tf_pack_str(pk, "ab");
}

static void
test_image(void)
{
	static const char *const names[] = { "nginx:latest", NULL };
	static const char *const layers[] = { "aa", "bb", NULL };
	msgpack_object cfg = { .type = MSGPACK_OBJECT_MAP };
	tf_image_msg im = { .image = "id1", .names = names, .n_names = 1,
	    .layers = layers, .n_layers = 2, .config = &cfg, .missing = layers,
	    .n_missing = 1, .sha256 = "aa", .offset = 0, .last = true,
	    .received = 10, .complete = false, .size = 10, .eof = true };
	tf_err err;

	TF_SET(&tf_image_codec, &im, offset);
	TF_SET(&tf_image_codec, &im, last);
	TF_SET(&tf_image_codec, &im, received);
	TF_SET(&tf_image_codec, &im, complete);
	TF_SET(&tf_image_codec, &im, size);
	TF_SET(&tf_image_codec, &im, eof);
	roundtrip(&tf_image_codec, &im);
	CHECK(unpack_built(&tf_image_codec, image_many_layers, &im, &err) != 0);
	CHECK(strstr(err.msg, "layers") != NULL);
}

/* ---- offer records ------------------------------------------------------ */

/* A node record as the location packed it by hand before the codec: the
 * codec must send the same bytes (cpu_pct and paging stay integers). */
static void
node_by_hand(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 12);
	tf_pack_kv_str(pk, "node", "n1");
	tf_pack_kv_str(pk, "address", "192.0.2.1");
	tf_pack_kv_int(pk, "id", 3);
	tf_pack_kv_str(pk, "state", "up");
	tf_pack_kv_int(pk, "cpus", 8);
	tf_pack_kv_int(pk, "cpu_pct", 12);
	tf_pack_kv_int(pk, "mem_total_mb", 32000);
	tf_pack_kv_int(pk, "mem_free_mb", 21000);
	tf_pack_kv_int(pk, "paging", 0);
	tf_pack_kv_int(pk, "containers", 3);
	tf_pack_kv_str(pk, "subnet", "10.20.1.0/24");
	tf_pack_kv_double(pk, "load1", 0.5);
}

/* A container event that tells only a state and has a tag of the wrong
 * type: the tag is left out, the state still counts. */
static void
ctr_odd_tag(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	tf_pack_kv_str(pk, "container", "c1");
	tf_pack_kv_int(pk, "tag", 5);
	tf_pack_kv_str(pk, "state", "running");
}

static void
ctr_no_id(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_kv_str(pk, "state", "running");
}

static void
test_offer(void)
{
	static const char *const mounts[] = { "c1", "c2", NULL };
	static const char *const names[] = { "busybox:latest", "bb", NULL };
	static const char *const layers[] = { "l1", NULL };
	tf_node_rec node = { .node = "n1", .address = "192.0.2.1", .id = 3,
	    .state = "up", .cpus = 8, .cpu_pct = 12, .mem_total_mb = 32000,
	    .mem_free_mb = 21000, .paging = 0, .containers = 3,
	    .subnet = "10.20.1.0/24", .load1 = 0.5 };
	tf_node_rec frac = { .node = "n2", .name = "node-b", .address = "",
	    .state = "down", .cpu_pct = 12.5, .paging = 0.25, .subnet = "" };
	tf_ctr_rec ctr = { .container = "c1", .node = "n1", .tag = "web",
	    .image = "nginx", .ip = "10.20.1.5", .state = "exited",
	    .exit_code = -1, .error = "exited with status 255",
	    .session = "S1", .session_name = "tfcon", .user = 2,
	    .user_name = "demo", .created = 1.7e9, .started = 1.7e9 + 0.5,
	    .startup_ms = 412 };
	tf_tunnel_rec tun = { .tunnel = "t1", .container = "c1", .port = 80,
	    .session = "S1", .session_name = "", .user = 2,
	    .user_name = "demo", .localport = 8080, .conns = 2,
	    .bytes_in = 1, .bytes_out = 1 << 20 };
	tf_vol_rec vol = { .volume = "v1", .node = "n1", .tag = "pg",
	    .node_id = 0, .mounts = mounts, .n_mounts = 2, .snapshot = true,
	    .user = 2, .user_name = "demo" };
	tf_image_rec img = { .image = "sha256:1a2b", .names = names,
	    .n_names = 2, .layers = layers, .n_layers = 1, .size = 4400000,
	    .created = 1.6e9, .user = 0, .origin = "" };
	tf_offer_msg offer = { .nodes = &node, .n_nodes = 1,
	    .containers = &ctr, .n_containers = 1, .tunnels = &tun,
	    .n_tunnels = 1, .volumes = &vol, .n_volumes = 1, .images = &img,
	    .n_images = 1 };
	msgpack_sbuffer a;
	msgpack_packer pk;
	tf_ctr_rec back;
	tf_err err;
	bool gone;

	TF_SET(&tf_node_rec_codec, &node, id);
	TF_SET(&tf_vol_rec_codec, &vol, node_id);	/* 0 is sent */
	TF_SET(&tf_image_rec_codec, &img, user);
	roundtrip(&tf_node_rec_codec, &node);
	roundtrip(&tf_node_rec_codec, &frac);
	roundtrip(&tf_ctr_rec_codec, &ctr);
	roundtrip(&tf_tunnel_rec_codec, &tun);
	roundtrip(&tf_vol_rec_codec, &vol);
	roundtrip(&tf_image_rec_codec, &img);
	roundtrip(&tf_offer_codec, &offer);

	/* The same bytes as the hand-packed record of before. */
	CHECK(packs_as(tf_rec_codec(TF_REC_NODE), &node, node_by_hand));

	/* Lenient: a field of the wrong type is left out, not the record. */
	CHECK(unpack_built(&tf_ctr_rec_codec, ctr_odd_tag, &back, &err) == 0);
	CHECK(unpack_built(&tf_ctr_rec_codec, ctr_no_id, &back, &err) != 0);
	CHECK(strstr(err.msg, "container") != NULL);
	{
		msgpack_unpacked keep;

		msgpack_sbuffer_init(&a);
		msgpack_packer_init(&pk, &a, msgpack_sbuffer_write);
		ctr_odd_tag(&pk);
		CHECK(tf_codec_unpack_buf(&tf_ctr_rec_codec, a.data, a.size,
		    &keep, &back, &err) == 0);
		CHECK(!TF_HAS(&tf_ctr_rec_codec, &back, tag));
		CHECK(TF_HAS(&tf_ctr_rec_codec, &back, state));
		CHECK(strcmp(back.state, "running") == 0 && back.tag[0] == '\0');
		tf_codec_free(&tf_ctr_rec_codec, &back);
		msgpack_unpacked_destroy(&keep);
		msgpack_sbuffer_destroy(&a);
	}

	/* Names: an event is its kind, a list its plural, a gone "_gone". */
	CHECK(strcmp(tf_rec_name(TF_REC_VOLUME), "volume") == 0);
	CHECK(strcmp(tf_rec_list(TF_REC_CONTAINER), "containers") == 0);
	CHECK(tf_rec_event("tunnel_gone", &gone) == TF_REC_TUNNEL && gone);
	CHECK(tf_rec_event("image", &gone) == TF_REC_IMAGE && !gone);
	CHECK(tf_rec_event("nodes", &gone) == TF_REC_KINDS);
	CHECK(tf_rec_event("log", &gone) == TF_REC_KINDS);
}

/* ---- hello and welcome -------------------------------------------------- */

static void
hello_by_hand(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 4);
	tf_pack_kv_str(pk, "role", "client");
	tf_pack_kv_str(pk, "name", "tf");
	tf_pack_kv_int(pk, "pid", 42);
	tf_pack_kv_str(pk, "session", "S1");
}

static void
welcome_by_hand(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 7);
	tf_pack_kv_str(pk, "session", "S1");
	tf_pack_kv_int(pk, "user", 2);
	tf_pack_kv_str(pk, "user_name", "alice");
	tf_pack_kv_bool(pk, "admin", false);
	tf_pack_kv_bool(pk, "resumed", true);
	tf_pack_kv_int(pk, "heartbeat_ms", 1000);
	tf_pack_kv_int(pk, "boot", 1765000000000);
}

static void
test_session(void)
{
	tf_hello_msg h = { .role = "client", .name = "tf", .pid = 42,
	    .session = "S1", .address = "" };
	tf_hello_msg node = { .role = "node", .name = "tf-node", .pid = 7,
	    .session = "", .address = "192.0.2.1" };
	tf_welcome_msg to_client = { .node = NULL, .session = "S1", .user = 2,
	    .user_name = "alice", .admin = false, .resumed = true,
	    .heartbeat_ms = 1000, .boot = 1765000000000 };
	tf_welcome_msg to_node = { .node = "n1", .node_id = 3, .session = "n1",
	    .subnet = "10.20.1.0/24", .gateway = "10.20.1.1",
	    .heartbeat_ms = 1000 };

	TF_SET(&tf_welcome_codec, &to_client, user);
	TF_SET(&tf_welcome_codec, &to_client, admin);
	TF_SET(&tf_welcome_codec, &to_node, node_id);
	roundtrip(&tf_hello_codec, &h);
	roundtrip(&tf_hello_codec, &node);
	roundtrip(&tf_welcome_codec, &to_client);
	roundtrip(&tf_welcome_codec, &to_node);
	CHECK(packs_as(&tf_hello_codec, &h, hello_by_hand));
	CHECK(packs_as(&tf_welcome_codec, &to_client, welcome_by_hand));
}

/* ---- firewall ----------------------------------------------------------- */

static void
allow_no_ip(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_kv_str(pk, "container", "c1");
}

static void
test_firewall(void)
{
	tf_allow_msg a = { .container = "c1", .ip = "10.20.1.5" };
	tf_err err;

	roundtrip(&tf_allow_codec, &a);
	CHECK(unpack_built(&tf_allow_codec, allow_no_ip, &a, &err) != 0);
	CHECK(strstr(err.msg, "ip") != NULL);
}

/* ---- metrics ------------------------------------------------------------ */

static void
metrics_negative_mem(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_str(pk, "containers");
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 2);
	tf_pack_kv_str(pk, "container", "c1");
	tf_pack_kv_int(pk, "mem_rss", -5);
}

static void
test_metrics(void)
{
	tf_ctr_metrics items[2] = {
		{ .container = "c1", .node = "1", .cpu_pct = 99.5,
		  .mem_rss = 1 << 20, .mem_cache = 4096, .mem_limit = 64 << 20,
		  .pids = 3, .oom_kills = 1, .net_rx = 10, .net_tx = 20,
		  .io_read = 30, .io_write = 40 },
		{ .container = "c2" },
	};
	tf_metrics_msg m = { .containers = items, .n_containers = 2 };
	tf_metrics_msg none = { 0 };
	tf_metrics_sub_msg on = { .on = true }, off = { .on = false };
	tf_err err;

	roundtrip(&tf_metrics_codec, &m);
	roundtrip(&tf_metrics_codec, &none);
	roundtrip(&tf_metrics_sub_codec, &on);
	roundtrip(&tf_metrics_sub_codec, &off);
	roundtrip(&tf_events_sub_codec, &on);
	{
		tf_event_rec ev[2] = {
			{ .seq = 7, .time = 1.5, .kind = "oom_killed",
			  .container = "c1", .tag = "hog", .node = "node1",
			  .user = "alice", .text = "OOM killer" },
			{ .seq = 8, .kind = "node_up", .node = "n2",
			  .text = "" },
		};
		tf_events_msg evs = { .events = ev, .n_events = 2 };

		roundtrip(&tf_event_codec, &ev[0]);
		roundtrip(&tf_events_codec, &evs);
	}
	CHECK(unpack_built(&tf_metrics_codec, metrics_negative_mem, &m,
	    &err) != 0);
	CHECK(strstr(err.msg, "mem_rss") != NULL);
}

/* ---- stream items, accounts ---------------------------------------------- */

static void
item_bad_fd(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	tf_pack_str(pk, "fd");
	msgpack_pack_int64(pk, 3);
}

static void
account_long_name(msgpack_packer *pk)
{
	char name[200];

	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	msgpack_pack_map(pk, 1);
	tf_pack_str(pk, "name");
	tf_pack_str(pk, name);
}

static void
test_stream(void)
{
	tf_item_msg logs = { .fd = 2, .at = 0, .dropped = 512 };
	tf_item_msg started = { .event = "started", .pid = 1 };
	tf_item_msg end = { .exit_code = 0, .signal = 0 };
	tf_item_msg back;
	tf_err err;

	/* at 0 and exit_code 0 survive: they are marked set. */
	TF_SET(&tf_item_codec, &logs, at);
	TF_SET(&tf_item_codec, &end, exit_code);
	roundtrip(&tf_item_codec, &logs);
	roundtrip(&tf_item_codec, &started);
	roundtrip(&tf_item_codec, &end);
	CHECK(unpack_built(&tf_item_codec, item_bad_fd, &back, &err) != 0);
	CHECK(strstr(err.msg, "fd") != NULL);
}

static void
test_account(void)
{
	msgpack_object rec = { .type = MSGPACK_OBJECT_POSITIVE_INTEGER,
	    .via.u64 = 7 };
	tf_account_msg invite = { .name = "alice", .admin = true };
	tf_account_msg enrolled = { .user = 3, .name = "alice",
	    .token = "tok" };
	tf_account_msg found = { .kind = "container", .record = &rec };
	tf_account_msg back;
	tf_err err;

	roundtrip(&tf_account_codec, &invite);
	roundtrip(&tf_account_codec, &enrolled);
	roundtrip(&tf_account_codec, &found);
	CHECK(unpack_built(&tf_account_codec, account_long_name, &back,
	    &err) != 0);
	CHECK(strstr(err.msg, "name") != NULL);
}

/* ---- every family: hostile bytes ---------------------------------------- */

/* Each decoder meets maps of wrong types for every one of its keys, and
 * truncated and garbage input: refused or read, never undefined. */
static void
test_hostile(void)
{
	static const uint8_t garbage[][8] = {
		{ 0xc1 }, { 0x81, 0xa1, 'x' }, { 0xdf, 0xff, 0xff, 0xff, 0xff },
		{ 0x91, 0xc0 }, { 0x80 }, { 0xc0 },
	};
	static const uint8_t lens[] = { 1, 3, 5, 2, 1, 1 };

	for (size_t k = 0; tf_codec_families[k] != NULL; k++) {
		const tf_codec *c = tf_codec_families[k];
		void *out = calloc(1, c->size);
		msgpack_unpacked keep;
		tf_err err;

		for (size_t g = 0; g < sizeof lens; g++) {
			if (tf_codec_unpack_buf(c, garbage[g], lens[g], &keep,
			    out, &err) == 0)
				tf_codec_free(c, out);
			msgpack_unpacked_destroy(&keep);
		}
		for (size_t f = 0; f < c->nfields; f++) {
			for (int kind = 0; kind < 5; kind++) {
				msgpack_sbuffer sb;
				msgpack_packer pk;

				msgpack_sbuffer_init(&sb);
				msgpack_packer_init(&pk, &sb,
				    msgpack_sbuffer_write);
				msgpack_pack_map(&pk, 1);
				tf_pack_str(&pk, c->fields[f].name);
				if (kind == 0)
					tf_pack_str(&pk, "");
				else if (kind == 1)
					msgpack_pack_int64(&pk, -1);
				else if (kind == 2)
					msgpack_pack_array(&pk, 0);
				else if (kind == 3)
					msgpack_pack_map(&pk, 0);
				else
					msgpack_pack_bin(&pk, 0);
				if (tf_codec_unpack_buf(c, sb.data, sb.size,
				    &keep, out, &err) == 0)
					tf_codec_free(c, out);
				msgpack_unpacked_destroy(&keep);
				msgpack_sbuffer_destroy(&sb);
			}
		}
		free(out);
	}
}

int
main(void)
{
	test_spawn();
	test_spawn_refused();
	test_hosts();
	test_hosts_refused();
	test_report();
	test_proc();
	test_kv();
	test_vol();
	test_web();
	test_quota();
	test_file();
	test_fs();
	test_tunnel();
	test_image();
	test_offer();
	test_session();
	test_firewall();
	test_metrics();
	test_stream();
	test_account();
	test_hostile();
	printf("codec: all round trips and refusals ok\n");
	return 0;
}
