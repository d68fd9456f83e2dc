# SPDX-License-Identifier: BSD-2-Clause
"""Writes the C source of tfnz._tf, the cffi (API mode) binding of libtf.

meson runs this at build time (python3 tfnz_build.py OUT.c) and compiles
the output as an extension module linked with libtf: the declarations
below are checked against tf.h by the C compiler, so a change of the
header that breaks them fails the build instead of the program.
"""
import sys

import cffi

CDEF = r"""
typedef struct { char msg[512]; ...; } tf_err;

typedef struct tf_loop tf_loop;
typedef struct tf_model tf_model;
typedef struct tf_location tf_location;
typedef struct tf_node tf_node;
typedef struct tf_container tf_container;
typedef struct tf_process tf_process;
typedef struct tf_tunnel tf_tunnel;
typedef struct tf_volume tf_volume;

void free(void *);

/* tf_log.h */
enum tf_log_level { TF_LOG_QUIET = -1, TF_LOG_ERROR = 0, TF_LOG_WARN,
                    TF_LOG_INFO, TF_LOG_DEBUG };
void tf_log_setup(int level, const char *prog, void *out);
typedef void (*tf_log_fn)(int level, const char *msg, void *arg);
void tf_log_set_fn(tf_log_fn fn, void *arg);

/* tf_model.h (what the binding reads) */
typedef enum { TF_MODEL_NODE, TF_MODEL_CONTAINER, TF_MODEL_TUNNEL,
               TF_MODEL_VOLUME, TF_MODEL_IMAGE, TF_MODEL_ENDPOINT,
               TF_MODEL_PROC,
               TF_MODEL_EVENT, TF_MODEL_KIND_LAST } tf_model_kind;
typedef enum { TF_CTR_UNKNOWN, TF_CTR_SPAWNING, TF_CTR_SLEEPING,
               TF_CTR_RUNNING, TF_CTR_EXITED, TF_CTR_FAILED,
               TF_CTR_DESTROYED, TF_CTR_STATE_LAST } tf_model_ctr_state;
typedef struct {
    char id[96]; char node[96]; char tag[72]; char ip[48];
    tf_model_ctr_state state; char session[96]; ...;
} tf_model_container;
typedef struct {
    char id[96]; char name[72]; char names[256]; ...;
} tf_model_image;
size_t tf_model_count(const tf_model *m, tf_model_kind kind);
const void *tf_model_at(const tf_model *m, tf_model_kind kind, size_t i);

/* tf.h: locations */
typedef enum { TF_LOGGING_UNCHANGED = 0, TF_LOGGING_INFO, TF_LOGGING_DEBUG,
               TF_LOGGING_QUIET } tf_log_mode;
typedef void (*tf_node_fn)(tf_location *loc, tf_node *node, void *arg);
typedef struct {
    const char *location; const char *address; tf_log_mode logging;
    const char *program; int timeout_ms; tf_loop *loop;
    tf_node_fn new_node; void *new_node_arg; ...;
} tf_location_opts;
tf_location *tf_location_new(const tf_location_opts *opts, tf_err *err);
void tf_location_destroy(tf_location **loc_p);
void tf_location_disconnect(tf_location *loc);
void tf_location_complete(tf_location *loc, int code);
bool tf_location_completed(const tf_location *loc);
tf_model *tf_location_model(tf_location *loc);
const char *tf_location_name(const tf_location *loc);
const char *tf_location_session(const tf_location *loc);
const char *tf_location_state(const tf_location *loc);
typedef void (*tf_call_fn)(tf_location *loc, void *arg);
int tf_location_thread_start(tf_location *loc, tf_err *err);
int tf_location_call(tf_location *loc, tf_call_fn fn, void *arg, tf_err *err);
int tf_location_post(tf_location *loc, tf_call_fn fn, void *arg, tf_err *err);
int tf_location_thread_join(tf_location *loc, tf_err *err);
int tf_location_thread_stop(tf_location *loc);

/* nodes */
typedef struct {
    bool up; int64_t cpus; double cpu_pct; int64_t mem_total_mb;
    int64_t mem_free_mb; double paging; int64_t containers; double load1;
    ...;
} tf_node_stats;
size_t tf_location_ranked_nodes(tf_location *loc, tf_node **out, size_t max);
tf_node *tf_location_best_node(tf_location *loc, tf_err *err);
tf_node *tf_location_node(tf_location *loc, const char *name, tf_err *err);
const char *tf_node_name(const tf_node *node);
int tf_node_stats_get(const tf_node *node, tf_node_stats *out);

/* images */
typedef void (*tf_progress_fn)(const char *what, uint64_t done,
                               uint64_t total, void *arg);
int tf_location_ensure_image_uploaded(tf_location *loc, const char *image,
        tf_progress_fn progress, void *arg, char *id_out, size_t id_size,
        tf_err *err);
int tf_location_last_image(tf_location *loc, char *id_out, size_t id_size,
        tf_err *err);

/* containers */
typedef struct { const char *path; const void *data; size_t len; } tf_file;
typedef struct { tf_volume *volume; const char *name;
                 const char *mountpoint; } tf_mount;
typedef struct { int64_t memory_mb; int64_t pids; int64_t cpu_shares;
                 ...; } tf_limits;
typedef void (*tf_output_fn)(tf_container *c, int fd, const uint8_t *data,
                             size_t len, void *arg);
typedef void (*tf_container_end_fn)(tf_container *c,
        tf_model_ctr_state state, int exit_code, void *arg);
typedef struct {
    const char *tag; const char *const *env; const char *const *command;
    const tf_file *files; size_t nfiles; const tf_mount *mounts;
    size_t nmounts; bool sleep; tf_limits limits; bool no_image_check;
    tf_output_fn output; void *output_arg; tf_container_end_fn on_end;
    void *on_end_arg; ...;
} tf_spawn_opts;
tf_container *tf_node_spawn(tf_node *node, const char *image,
                            const tf_spawn_opts *opts, tf_err *err);
int tf_container_wait_ready(tf_container *c, int timeout_ms, tf_err *err);
bool tf_container_is_ready(const tf_container *c);
int tf_container_wait_end(tf_container *c, int timeout_ms, tf_err *err);
const char *tf_container_id(const tf_container *c);
const char *tf_container_tag(const tf_container *c);
const char *tf_container_image(const tf_container *c);
const char *tf_container_ip(const tf_container *c);
const char *tf_container_display_name(const tf_container *c);
tf_node *tf_container_node(const tf_container *c);
tf_model_ctr_state tf_container_state(const tf_container *c);
int tf_container_exit_code(const tf_container *c);
const char *tf_container_error(const tf_container *c);
bool tf_container_is_external(const tf_container *c);
int tf_container_wake(tf_container *c, tf_err *err);
int tf_container_reboot(tf_container *c, bool reset, tf_err *err);
int tf_container_destroy(tf_container *c, tf_err *err);
int tf_container_put(tf_container *c, const char *path, const void *data,
                     size_t len, int mode, tf_err *err);
int tf_container_fetch(tf_container *c, const char *path, uint8_t **data,
                       size_t *len, tf_err *err);
int tf_container_allow_connection_from(tf_container *c, tf_container *other,
                                       tf_err *err);
int tf_container_disallow_connection_from(tf_container *c,
                                          tf_container *other, tf_err *err);
int tf_container_wait_tcp(tf_container *c, int port, int timeout_ms,
                          tf_err *err);

/* processes */
typedef void (*tf_process_data_fn)(tf_process *p, int fd,
                                   const uint8_t *data, size_t len, void *arg);
typedef void (*tf_process_end_fn)(tf_process *p, int exit_code, void *arg);
typedef struct {
    tf_process_data_fn data; tf_process_end_fn on_end; void *arg;
    bool tty; int rows, cols; const char *term; const char *const *env;
    ...;
} tf_process_opts;
tf_process *tf_container_spawn_process(tf_container *c, const char *command,
        const tf_process_opts *opts, tf_err *err);
tf_process *tf_container_spawn_shell(tf_container *c, const char *const *argv,
        const tf_process_opts *opts, tf_err *err);
int tf_container_destroy_process(tf_container *c, tf_process *p, tf_err *err);
typedef struct {
    uint8_t *out; size_t out_len; uint8_t *err; size_t err_len;
    int exit_code; ...;
} tf_run_result;
void tf_run_result_fini(tf_run_result *r);
int tf_container_run_process(tf_container *c, const char *command,
        int timeout_ms, tf_run_result *out, tf_err *err);
int tf_process_stdin(tf_process *p, const void *data, size_t len,
                     tf_err *err);
int tf_process_stdin_reply(tf_process *p, const void *data, size_t len,
        bool drop_echo, int settle_ms, int timeout_ms, uint8_t **reply,
        size_t *reply_len, tf_err *err);
int tf_process_close_stdin(tf_process *p, tf_err *err);
int tf_process_kill(tf_process *p, int signal, tf_err *err);
int tf_process_wait(tf_process *p, int timeout_ms, int *exit_code,
                    tf_err *err);
const uint8_t *tf_process_output(const tf_process *p, size_t *len);
const uint8_t *tf_process_stderr(const tf_process *p, size_t *len);
bool tf_process_running(const tf_process *p);
int tf_process_exit_code(const tf_process *p);
const char *tf_process_id(const tf_process *p);

/* tunnels */
tf_tunnel *tf_container_attach_tunnel(tf_container *c, int port,
        int localport, const char *bind, tf_err *err);
tf_tunnel *tf_container_wait_http_200(tf_container *c, int port,
        const char *fqdn, const char *path, int timeout_ms, tf_err *err);
tf_tunnel *tf_container_attach_browser(tf_container *c, int port,
        const char *fqdn, const char *path, tf_err *err);
int tf_tunnel_localport(const tf_tunnel *t);
int tf_tunnel_port(const tf_tunnel *t);
const char *tf_tunnel_id(const tf_tunnel *t);
const char *tf_tunnel_url(const tf_tunnel *t);
int tf_tunnel_destroy(tf_tunnel *t, tf_err *err);

/* volumes */
tf_volume *tf_location_create_volume(tf_location *loc, tf_node *node,
                                     const char *tag, tf_err *err);
tf_volume *tf_location_create_volume_sized(tf_location *loc, tf_node *node,
    const char *tag, int64_t size, tf_err *err);
int tf_location_destroy_volume(tf_location *loc, tf_volume *v, tf_err *err);
tf_volume *tf_location_volume(tf_location *loc, const char *key, tf_err *err);
tf_volume *tf_location_ensure_volume(tf_location *loc, const char *key,
                                     tf_err *err);
size_t tf_location_volumes(tf_location *loc, tf_volume **out, size_t max);
int tf_location_node_and_volume(tf_location *loc, const char *key,
        tf_node **node, tf_volume **volume, tf_err *err);
int tf_volume_snapshot(tf_volume *v, tf_err *err);
int tf_volume_rollback(tf_volume *v, tf_err *err);
const char *tf_volume_id(const tf_volume *v);
const char *tf_volume_tag(const tf_volume *v);
const char *tf_volume_display_name(const tf_volume *v);
tf_node *tf_volume_node(const tf_volume *v);
bool tf_volume_exists(const tf_volume *v);

/* key/value */
int tf_kv_get(tf_location *loc, const char *key, char **value, tf_err *err);
int tf_kv_set1(tf_location *loc, const char *key, const char *value,
               tf_err *err);
int tf_kv_del(tf_location *loc, const char *key, tf_err *err);
int tf_kv_list(tf_location *loc, const char *prefix, char ***keys,
               tf_err *err);
void tf_strv_free(char **v);

/* discovery */
tf_container *tf_location_find_container(tf_location *loc, const char *name,
                                         tf_err *err);

/* Python callbacks (tfnz/_glue.py defines them). */
extern "Python" void tfnz_log_cb(int, const char *, void *);
extern "Python" void tfnz_call_cb(tf_location *, void *);
extern "Python" void tfnz_node_cb(tf_location *, tf_node *, void *);
extern "Python" void tfnz_output_cb(tf_container *, int, const uint8_t *,
                                    size_t, void *);
extern "Python" void tfnz_end_cb(tf_container *, tf_model_ctr_state, int,
                                 void *);
extern "Python" void tfnz_pdata_cb(tf_process *, int, const uint8_t *,
                                   size_t, void *);
extern "Python" void tfnz_pend_cb(tf_process *, int, void *);
"""


def builder():
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    ffi.set_source("tfnz._tf", '#include <stdlib.h>\n#include "tf.h"\n')
    return ffi


if __name__ == "__main__":
    builder().emit_c_code(sys.argv[1])
