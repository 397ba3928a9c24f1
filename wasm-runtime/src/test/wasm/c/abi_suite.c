/*
 * The ABI test module: one plugin whose behaviour is chosen by the test.
 *
 *  - Root: the VM configuration and plugin configuration ("key=value;..." with tick=, ticks=,
 *    queue=, fail=vm_start|configure, done=later) drive start-up, ticks and queues.
 *  - Streams: the request header x-case names what on_request_headers does; x-body what
 *    on_request_body does; x-resp what the response callbacks do.
 *
 * Results are reported as "key=value" lines through proxy_log at INFO (report()), or as header
 * changes the test reads back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy_wasm_host.h"

#ifdef ABI_0_2_0
EXPORT(proxy_abi_version_0_2_0) void proxy_abi_version_0_2_0(void) {}
#else
PROXY_WASM_ABI_0_2_1
#endif
PROXY_WASM_ALLOCATOR

static uint32_t root_id;
static char *plugin_config;
static uint32_t queue_id;
static int ticks, max_ticks;
static int done_later;
static int pending_done;

/* Callouts waiting for their response: token -> stream context id. */
#define MAX_CALLS 64
static uint32_t call_tokens[MAX_CALLS];
static uint32_t call_contexts[MAX_CALLS];

static void remember_call(uint32_t token, uint32_t ctx) {
  for (int i = 0; i < MAX_CALLS; i++) {
    if (call_tokens[i] == 0) {
      call_tokens[i] = token;
      call_contexts[i] = ctx;
      return;
    }
  }
}

static uint32_t take_call(uint32_t token) {
  for (int i = 0; i < MAX_CALLS; i++) {
    if (call_tokens[i] == token) {
      call_tokens[i] = 0;
      return call_contexts[i];
    }
  }
  return 0;
}

/* The value of key in "k=v;k=v", as a new string, or NULL. */
static char *config_get(const char *cfg, const char *key) {
  if (!cfg) return NULL;
  size_t kl = strlen(key);
  const char *p = cfg;
  while (*p) {
    const char *end = strchr(p, ';');
    if (!end) end = p + strlen(p);
    if ((size_t)(end - p) > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
      return cstr(p + kl + 1, (size_t)(end - p) - kl - 1);
    }
    p = *end ? end + 1 : end;
  }
  return NULL;
}

static char *buffer_string(uint32_t type, status_t *status) {
  const char *p = NULL;
  size_t n = 0;
  status_t s = proxy_get_buffer_bytes(type, 0, 0xFFFFFFFFu, &p, &n);
  if (status) *status = s;
  if (s != OK) return NULL;
  char *out = cstr(p, n);
  free((void *)p);
  return out;
}

EXPORT(proxy_on_context_create) void on_context_create(uint32_t ctx, uint32_t parent) {
  if (parent == 0) {
    root_id = ctx;
    report_int("root_create", ctx);
    /* The C++ and AS SDKs read plugin_root_id here to pick the root context factory. */
    const char *v = NULL;
    size_t n = 0;
    if (proxy_get_property("plugin_root_id", 14, &v, &n) == OK) {
      char *s = cstr(v, n);
      report("root_id_at_create", s);
      free(s);
      free((void *)v);
    }
  }
}

EXPORT(proxy_on_vm_start) uint32_t on_vm_start(uint32_t root, uint32_t size) {
  status_t s;
  char *cfg = buffer_string(BUF_VM_CONFIGURATION, &s);
  report_int("vm_config_size", size);
  report("vm_config", cfg ? cfg : "");
  int ok = !streq(cfg, "fail_vm_start");
  free(cfg);
  return ok;
}

EXPORT(proxy_on_configure) uint32_t on_configure(uint32_t root, uint32_t size) {
  status_t s;
  free(plugin_config);
  plugin_config = buffer_string(BUF_PLUGIN_CONFIGURATION, &s);
  report_int("plugin_config_status", s);
  report("plugin_config", plugin_config ? plugin_config : "");
  char *fail = config_get(plugin_config, "fail");
  if (streq(fail, "configure")) return 0;
  free(fail);
  char *tick = config_get(plugin_config, "tick");
  if (tick) {
    char *maxs = config_get(plugin_config, "ticks");
    max_ticks = maxs ? atoi(maxs) : 0;
    report_int("set_tick", proxy_set_tick_period_milliseconds((uint32_t)atoi(tick)));
    free(maxs);
    free(tick);
  }
  char *queue = config_get(plugin_config, "queue");
  if (queue) {
    report_int("register_queue", proxy_register_shared_queue(queue, strlen(queue), &queue_id));
    report_int("queue_id", queue_id);
    free(queue);
  }
  char *done = config_get(plugin_config, "done");
  done_later = streq(done, "later");
  free(done);
  return 1;
}

EXPORT(proxy_on_tick) void on_tick(uint32_t root) {
  ticks++;
  report_int("tick", ticks);
  if (max_ticks && ticks >= max_ticks) {
    proxy_set_tick_period_milliseconds(0);
  }
  if (pending_done) {
    pending_done = 0;
    report_int("proxy_done", proxy_done());
  }
}

EXPORT(proxy_on_queue_ready) void on_queue_ready(uint32_t root, uint32_t qid) {
  report_int("queue_ready", qid);
  for (;;) {
    const char *v = NULL;
    size_t n = 0;
    status_t s = proxy_dequeue_shared_queue(qid, &v, &n);
    if (s != OK) {
      report_int("dequeue_end", s);
      break;
    }
    char *item = cstr(v, n);
    report("dequeued", item);
    free(item);
    free((void *)v);
  }
}

/* ---- properties: x-props is a comma list of "t:a.b.c" (t = s string, i int64, b bool, h hex) */

static void report_property(const char *spec) {
  char type = spec[0];
  const char *dotted = spec + 2;
  char *path = cstr(dotted, strlen(dotted));
  for (char *p = path; *p; p++) if (*p == '.') *p = 0;
  const char *v = NULL;
  size_t n = 0;
  status_t s = proxy_get_property(path, strlen(dotted), &v, &n);
  char key[160];
  snprintf(key, sizeof key, "prop:%s", dotted);
  if (s != OK) {
    char val[32];
    snprintf(val, sizeof val, "status %u", s);
    report(key, val);
  } else if (type == 'i') {
    long long x = 0;
    if (n == 8) memcpy(&x, v, 8);
    report_int(key, n == 8 ? x : -999999);
  } else if (type == 'b') {
    report(key, n == 1 && v[0] ? "true" : "false");
  } else if (type == 'h') {
    char *hex = malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) sprintf(hex + 2 * i, "%02x", (unsigned char)v[i]);
    hex[n * 2] = 0;
    report(key, hex);
    free(hex);
  } else {
    char *str = cstr(v, n);
    report(key, str);
    free(str);
  }
  if (v) free((void *)v);
  free(path);
}

static void case_props(void) {
  char *list = get_header(MAP_REQUEST_HEADERS, "x-props", NULL);
  if (!list) return;
  char *save = NULL;
  for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
    report_property(item);
  }
  free(list);
}

static void case_headers(void) {
  status_t s;
  char *in = get_header(MAP_REQUEST_HEADERS, "x-in", &s);
  report_int("get_status", s);
  if (in) {
    add_header(MAP_REQUEST_HEADERS, "x-r-get", in);
    free(in);
  }
  char *missing = get_header(MAP_REQUEST_HEADERS, "x-nope", &s);
  report_int("missing_status", s);
  free(missing);
  /* Keys are case-insensitive: Envoy lower-cases them. */
  char *upper = get_header(MAP_REQUEST_HEADERS, "X-IN", &s);
  report("upper", upper ? upper : "");
  free(upper);
  report_int("replace", set_header(MAP_REQUEST_HEADERS, "x-replace", "new"));
  report_int("remove", proxy_remove_header_map_value(MAP_REQUEST_HEADERS, "x-remove", 8));
  report_int("remove_absent", proxy_remove_header_map_value(MAP_REQUEST_HEADERS, "x-absent", 8));
  report_int("add", add_header(MAP_REQUEST_HEADERS, "x-multi", "b"));
  char *multi = get_header(MAP_REQUEST_HEADERS, "x-multi", &s);
  report("multi_first", multi ? multi : "");
  free(multi);
  size_t size = 0;
  report_int("size_status", proxy_get_header_map_size(MAP_REQUEST_HEADERS, &size));
  report_int("size", (long long)size);
  const char *pairs = NULL;
  size_t plen = 0;
  report_int("pairs_status", proxy_get_header_map_pairs(MAP_REQUEST_HEADERS, &pairs, &plen));
  uint32_t count = 0;
  if (plen >= 4) memcpy(&count, pairs, 4);
  report_int("pairs_count", count);
  report_int("pairs_len", (long long)plen);
  free((void *)pairs);
}

static void case_set_pairs(void) {
  const char *kv[] = {":method", "POST", ":path", "/replaced", "x-only", "1", "X-Upper", "v"};
  size_t n;
  char *p = make_pairs(kv, 4, &n);
  report_int("set_pairs", proxy_set_header_map_pairs(MAP_REQUEST_HEADERS, p, n));
  free(p);
}

static void case_bad_args(uint32_t ctx) {
  const char *v = NULL;
  size_t n = 0;
  report_int("bad_map", proxy_get_header_map_value(42, "a", 1, &v, &n));
  report_int("bad_key_ptr", proxy_get_header_map_value(MAP_REQUEST_HEADERS, (const char *)0xFFFFFFF0u, 64, &v, &n));
  report_int("bad_ret_ptr", proxy_get_header_map_value(MAP_REQUEST_HEADERS, "x-case", 6, (const char **)0xFFFFFFF0u, &n));
  char bad[] = {2, 0, 0, 0, 9, 0, 0, 0};
  report_int("bad_pairs", proxy_set_header_map_pairs(MAP_REQUEST_HEADERS, bad, sizeof bad));
  report_int("bad_buffer_type", proxy_get_buffer_bytes(9, 0, 10, &v, &n));
  report_int("bad_log_level", proxy_log(9, "x", 1));
  report_int("bad_effective", proxy_set_effective_context(99999));
  report_int("bad_stream_type", proxy_continue_stream(7));
  report_int("upstream_continue", proxy_continue_stream(STREAM_UPSTREAM));
  report_int("vm_config_in_stream", proxy_get_buffer_bytes(BUF_VM_CONFIGURATION, 0, 100, &v, &n));
  free((void *)v);
  v = NULL;
  report_int("plugin_config_in_stream", proxy_get_buffer_bytes(BUF_PLUGIN_CONFIGURATION, 0, 100, &v, &n));
  report_int("call_body_outside", proxy_get_buffer_bytes(BUF_CALL_RESPONSE_BODY, 0, 100, &v, &n));
  report_int("call_headers_outside", proxy_get_header_map_pairs(MAP_CALL_RESPONSE_HEADERS, &v, &n));
  report_int("response_body_in_request", proxy_get_buffer_bytes(BUF_RESPONSE_BODY, 0, 100, &v, &n));
  report_int("bad_local_status", proxy_send_local_response(42, "", 0, "", 0, "", 0, -1));
  report_int("write_call_headers", proxy_add_header_map_value(MAP_CALL_RESPONSE_HEADERS, "a", 1, "b", 1));
  report_int("unknown_queue", proxy_enqueue_shared_queue(987654, "x", 1));
  uint32_t id;
  report_int("resolve_missing", proxy_resolve_shared_queue("", 0, "no-such-queue", 13, &id));
}

static void case_local(void) {
  const char *kv[] = {"x-wasm", "deny", "content-type", "text/plain"};
  size_t n;
  char *p = make_pairs(kv, 2, &n);
  const char *details = "denied by wasm";
  report_int("local", proxy_send_local_response(403, details, strlen(details), "forbidden", 9, p, n, -1));
  report_int("local_again", proxy_send_local_response(404, "", 0, "", 0, "", 0, -1));
  free(p);
}

static void case_local_grpc(void) {
  report_int("local", proxy_send_local_response(200, "grpc", 4, "", 0, "", 0, 7));
}

static void case_shared(void) {
  char *key = get_header(MAP_REQUEST_HEADERS, "x-key", NULL);
  char *val = get_header(MAP_REQUEST_HEADERS, "x-val", NULL);
  const char *v = NULL;
  size_t n = 0;
  uint32_t cas = 0;
  status_t s = proxy_get_shared_data(key, strlen(key), &v, &n, &cas);
  report_int("get_before", s);
  if (s == OK) {
    char *old = cstr(v, n);
    report("old", old);
    free(old);
    free((void *)v);
  }
  report_int("set", proxy_set_shared_data(key, strlen(key), val, strlen(val), 0));
  s = proxy_get_shared_data(key, strlen(key), &v, &n, &cas);
  char *now = cstr(v, n);
  report("value", now);
  free(now);
  free((void *)v);
  report_int("cas_nonzero", cas != 0);
  report_int("set_bad_cas", proxy_set_shared_data(key, strlen(key), "x", 1, cas + 1000));
  report_int("set_good_cas", proxy_set_shared_data(key, strlen(key), "y", 1, cas));
  report_int("set_stale_cas", proxy_set_shared_data(key, strlen(key), "z", 1, cas));
  free(key);
  free(val);
}

static void case_queue(void) {
  char *name = get_header(MAP_REQUEST_HEADERS, "x-queue", NULL);
  char *vm = get_header(MAP_REQUEST_HEADERS, "x-vm", NULL);
  char *item = get_header(MAP_REQUEST_HEADERS, "x-item", NULL);
  uint32_t id = 0;
  status_t s = proxy_resolve_shared_queue(vm ? vm : "", vm ? strlen(vm) : 0, name, strlen(name), &id);
  report_int("resolve", s);
  if (s == OK) {
    report_int("resolved_id", id);
    report_int("enqueue", proxy_enqueue_shared_queue(id, item, strlen(item)));
  }
  free(name);
  free(vm);
  free(item);
}

static void case_metrics(void) {
  uint32_t c, g, h, bad;
  report_int("define_counter", proxy_define_metric(METRIC_COUNTER, "test_counter", 12, &c));
  report_int("define_gauge", proxy_define_metric(METRIC_GAUGE, "test_gauge", 10, &g));
  report_int("define_histogram", proxy_define_metric(METRIC_HISTOGRAM, "test_histogram", 14, &h));
  report_int("define_bad_type", proxy_define_metric(9, "x", 1, &bad));
  report_int("counter_id_type", c & 3);
  report_int("gauge_id_type", g & 3);
  report_int("histogram_id_type", h & 3);
  report_int("inc_counter", proxy_increment_metric(c, 5));
  report_int("inc_counter_zero", proxy_increment_metric(c, 0));
  report_int("inc_counter_negative", proxy_increment_metric(c, -1));
  report_int("inc_gauge", proxy_increment_metric(g, 10));
  report_int("dec_gauge", proxy_increment_metric(g, -3));
  report_int("inc_histogram", proxy_increment_metric(h, 1));
  report_int("record_counter", proxy_record_metric(c, 2));
  report_int("record_histogram", proxy_record_metric(h, 42));
  uint64_t v = 0;
  report_int("get_counter", proxy_get_metric(c, &v));
  report_int("counter_value", (long long)v);
  report_int("get_gauge", proxy_get_metric(g, &v));
  report_int("gauge_value", (long long)v);
  report_int("get_histogram", proxy_get_metric(h, &v));
  report_int("get_unknown", proxy_get_metric(999, &v));
  report_int("record_gauge", proxy_record_metric(g, 100));
  proxy_get_metric(g, &v);
  report_int("gauge_after_record", (long long)v);
}

static int case_http_call(uint32_t ctx, int complete_headers) {
  char *cluster = get_header(MAP_REQUEST_HEADERS, "x-cluster", NULL);
  const char *kv[] = {":method", "POST", ":path", "/check", ":authority", "auth.local", "x-from", "wasm"};
  size_t n;
  char *p = make_pairs(kv, complete_headers ? 4 : 1, &n);
  const char *tkv[] = {"x-trailer", "t"};
  size_t tn;
  char *t = make_pairs(tkv, 1, &tn);
  uint32_t token = 0;
  status_t s = proxy_http_call(cluster ? cluster : "", cluster ? strlen(cluster) : 0, p, n, "ping", 4, t, tn,
                               1500, &token);
  report_int("http_call", s);
  free(cluster);
  free(p);
  free(t);
  if (s != OK) return 0;
  report_int("token", token);
  remember_call(token, ctx);
  return 1; /* stop until the response */
}

EXPORT(proxy_on_http_call_response)
void on_http_call_response(uint32_t root, uint32_t token, uint32_t nh, uint32_t body_size, uint32_t nt) {
  report_int("call_root", root);
  report_int("call_token", token);
  report_int("call_headers", nh);
  report_int("call_body_size", body_size);
  report_int("call_trailers", nt);
  uint32_t code = 99;
  const char *msg = NULL;
  size_t mlen = 0;
  proxy_get_status(&code, &msg, &mlen);
  char *m = cstr(msg, mlen);
  report_int("call_status_code", code);
  report("call_status_message", m);
  free(m);
  free((void *)msg);
  uint32_t ctx = take_call(token);
  if (!ctx) return;
  status_t s;
  char *status = get_header(MAP_CALL_RESPONSE_HEADERS, ":status", &s);
  char *body = buffer_string(BUF_CALL_RESPONSE_BODY, &s);
  char *trailer = get_header(MAP_CALL_RESPONSE_TRAILERS, "x-t", &s);
  report_int("set_effective", proxy_set_effective_context(ctx));
  if (nh > 0) {
    add_header(MAP_REQUEST_HEADERS, "x-call-status", status ? status : "");
    add_header(MAP_REQUEST_HEADERS, "x-call-body", body ? body : "");
    add_header(MAP_REQUEST_HEADERS, "x-call-trailer", trailer ? trailer : "");
  } else {
    add_header(MAP_REQUEST_HEADERS, "x-call-failed", "1");
  }
  free(status);
  free(body);
  free(trailer);
  report_int("continue", proxy_continue_stream(STREAM_REQUEST));
}

static int case_grpc_call(uint32_t ctx) {
  char *cluster = get_header(MAP_REQUEST_HEADERS, "x-cluster", NULL);
  const char *kv[] = {"x-md", "1"};
  size_t n;
  char *md = make_pairs(kv, 1, &n);
  uint32_t token = 0;
  status_t s = proxy_grpc_call(cluster, strlen(cluster), "test.Echo", 9, "Say", 3, md, n, "hello", 5, 2000, &token);
  report_int("grpc_call", s);
  free(cluster);
  free(md);
  if (s != OK) return 0;
  report_int("grpc_token", token);
  remember_call(token, ctx);
  return 1;
}

static void case_grpc_stream(void) {
  char *cluster = get_header(MAP_REQUEST_HEADERS, "x-cluster", NULL);
  uint32_t token = 0;
  status_t s = proxy_grpc_stream(cluster, strlen(cluster), "test.Echo", 9, "Chat", 4, "", 0, &token);
  report_int("grpc_stream", s);
  free(cluster);
  if (s != OK) return;
  report_int("stream_token", token);
  report_int("send1", proxy_grpc_send(token, "m1", 2, 0));
  report_int("send2", proxy_grpc_send(token, "m2", 2, 1));
  report_int("close", proxy_grpc_close(token));
  report_int("send_unknown", proxy_grpc_send(token + 100, "x", 1, 0));
  report_int("cancel_unknown", proxy_grpc_cancel(token + 100));
}

EXPORT(proxy_on_grpc_receive_initial_metadata) void on_grpc_initial(uint32_t root, uint32_t token, uint32_t n) {
  report_int("grpc_initial_metadata", n);
  char *v = get_header(MAP_GRPC_INITIAL, "x-init", NULL);
  report("grpc_initial_value", v ? v : "");
  free(v);
}

EXPORT(proxy_on_grpc_receive) void on_grpc_receive(uint32_t root, uint32_t token, uint32_t size) {
  char *msg = buffer_string(BUF_GRPC_RECEIVE, NULL);
  report("grpc_message", msg ? msg : "");
  uint32_t ctx = take_call(token);
  if (ctx) {
    proxy_set_effective_context(ctx);
    add_header(MAP_REQUEST_HEADERS, "x-grpc-reply", msg ? msg : "");
    proxy_continue_stream(STREAM_REQUEST);
  }
  free(msg);
}

EXPORT(proxy_on_grpc_receive_trailing_metadata) void on_grpc_trailing(uint32_t root, uint32_t token, uint32_t n) {
  report_int("grpc_trailing_metadata", n);
}

EXPORT(proxy_on_grpc_close) void on_grpc_close(uint32_t root, uint32_t token, uint32_t status) {
  uint32_t code = 0;
  const char *msg = NULL;
  size_t mlen = 0;
  proxy_get_status(&code, &msg, &mlen);
  char *m = cstr(msg, mlen);
  report_int("grpc_close", status);
  report("grpc_close_message", m);
  free(m);
  free((void *)msg);
  uint32_t ctx = take_call(token);
  if (ctx) {
    proxy_set_effective_context(ctx);
    add_header(MAP_REQUEST_HEADERS, "x-grpc-failed", "1");
    proxy_continue_stream(STREAM_REQUEST);
  }
}

static void case_foreign(void) {
  const char *text = "hello hello hello hello hello hello";
  const char *z = NULL, *u = NULL;
  size_t zn = 0, un = 0;
  report_int("compress", proxy_call_foreign_function("compress", 8, text, strlen(text), &z, &zn));
  report_int("compressed_smaller", zn < strlen(text));
  report_int("uncompress", proxy_call_foreign_function("uncompress", 10, z, zn, &u, &un));
  report_int("roundtrip", un == strlen(text) && memcmp(u, text, un) == 0);
  report_int("uncompress_garbage", proxy_call_foreign_function("uncompress", 10, "garbage!", 8, &u, &un));
  report_int("unknown", proxy_call_foreign_function("no_such_function", 16, "", 0, &u, &un));
  report_int("clear_route_cache", proxy_call_foreign_function("clear_route_cache", 17, "", 0, &u, &un));
  /* SetEnvoyFilterStateArguments{path: "my.state", value: "sv"} */
  const char args[] = {0x0a, 8, 'm', 'y', '.', 's', 't', 'a', 't', 'e', 0x12, 2, 's', 'v'};
  report_int("set_envoy_filter_state", proxy_call_foreign_function("set_envoy_filter_state", 22, args, sizeof args, &u, &un));
}

static void case_wasi(void) {
  printf("stdout line from wasm\n");
  fflush(stdout);
  fprintf(stderr, "stderr line from wasm\n");
  const char *env = getenv("TEST_ENV");
  report("env", env ? env : "(unset)");
  const char *home = getenv("HOME");
  report("home", home ? home : "(unset)");
  const char *path = getenv("PATH");
  report("path", path ? path : "(unset)");
  unsigned char rnd[16] = {0};
  int r = getentropy(rnd, sizeof rnd);
  int nonzero = 0;
  for (int i = 0; i < 16; i++) nonzero |= rnd[i];
  report_int("getentropy", r);
  report_int("random_nonzero", nonzero != 0);
  struct timespec ts;
  report_int("clock_realtime", clock_gettime(CLOCK_REALTIME, &ts));
  report_int("realtime_after_2020", ts.tv_sec > 1577836800);
  report_int("clock_monotonic", clock_gettime(CLOCK_MONOTONIC, &ts));
  FILE *f = fopen("/etc/passwd", "r");
  report_int("fopen_fails", f == NULL);
}

static void case_time(void) {
  uint64_t t = 0;
  report_int("time_status", proxy_get_current_time_nanoseconds(&t));
  report_int("time_after_2020", t > 1577836800ull * 1000000000ull);
  uint32_t level = 99;
  report_int("log_level_status", proxy_get_log_level(&level));
  report_int("log_level", level);
}

/* Kept reachable so the compiler cannot drop the allocations. */
static void *volatile grown[512];

static void case_grow(void) {
  int chunks = 0;
  for (int i = 0; i < 512; i++) {
    char *p = malloc(1 << 20);
    if (!p) break;
    memset(p, 1, 1 << 20);
    grown[i] = p;
    chunks++;
  }
  report_int("grow_chunks", chunks);
  for (int i = 0; i < chunks; i++) free(grown[i]);
}

static void case_effective(uint32_t ctx) {
  report_int("to_root", proxy_set_effective_context(root_id));
  status_t s;
  char *v = get_header(MAP_REQUEST_HEADERS, "x-case", &s);
  report_int("root_headers", s);
  free(v);
  report_int("back", proxy_set_effective_context(ctx));
  v = get_header(MAP_REQUEST_HEADERS, "x-case", &s);
  report_int("stream_headers", s);
  free(v);
}

static void case_set_property(void) {
  report_int("set_property", proxy_set_property("wasm_test_key", 13, "v1", 2));
  const char *v = NULL;
  size_t n = 0;
  status_t s = proxy_get_property("wasm_test_key", 13, &v, &n);
  char *val = cstr(v, n);
  report_int("get_back", s);
  report("value", val);
  free(val);
  free((void *)v);
}

static volatile int spin = 1;

EXPORT(proxy_on_request_headers) uint32_t on_request_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  report_int("request_headers", n);
  report_int("request_eos", eos);
  char *c = get_header(MAP_REQUEST_HEADERS, "x-case", NULL);
  uint32_t result = 0;
  if (!c) return 0;
  if (streq(c, "headers")) case_headers();
  else if (streq(c, "set_pairs")) case_set_pairs();
  else if (streq(c, "bad_args")) case_bad_args(ctx);
  else if (streq(c, "local")) case_local();
  else if (streq(c, "local_grpc")) case_local_grpc();
  else if (streq(c, "pause")) result = 1;
  else if (streq(c, "stop_all")) result = 3;
  else if (streq(c, "continue_and_end")) result = 2;
  else if (streq(c, "big_status")) result = 77;
  else if (streq(c, "props")) case_props();
  else if (streq(c, "set_property")) case_set_property();
  else if (streq(c, "shared")) case_shared();
  else if (streq(c, "queue")) case_queue();
  else if (streq(c, "metrics")) case_metrics();
  else if (streq(c, "http_call")) result = case_http_call(ctx, 1);
  else if (streq(c, "http_call_bad")) result = case_http_call(ctx, 0);
  else if (streq(c, "grpc_call")) result = case_grpc_call(ctx);
  else if (streq(c, "grpc_stream")) case_grpc_stream();
  else if (streq(c, "foreign")) case_foreign();
  else if (streq(c, "wasi")) case_wasi();
  else if (streq(c, "time")) case_time();
  else if (streq(c, "grow")) case_grow();
  else if (streq(c, "effective")) case_effective(ctx);
  else if (streq(c, "close")) report_int("close_stream", proxy_close_stream(STREAM_REQUEST));
  else if (streq(c, "continue_now")) report_int("continue_stream", proxy_continue_stream(STREAM_REQUEST));
  else if (streq(c, "trap")) __builtin_trap();
  else if (streq(c, "loop")) { while (spin) { } }
  else if (streq(c, "exit")) exit(3);
  free(c);
  return result;
}

EXPORT(proxy_on_request_body) uint32_t on_request_body(uint32_t ctx, uint32_t size, uint32_t eos) {
  report_int("request_body", size);
  report_int("request_body_eos", eos);
  char *c = get_header(MAP_REQUEST_HEADERS, "x-body", NULL);
  uint32_t result = 0;
  if (streq(c, "read")) {
    char *b = buffer_string(BUF_REQUEST_BODY, NULL);
    report("body", b ? b : "");
    free(b);
  } else if (streq(c, "read_part")) {
    const char *p = NULL;
    size_t n = 0;
    report_int("read_part", proxy_get_buffer_bytes(BUF_REQUEST_BODY, 2, 3, &p, &n));
    char *b = cstr(p, n);
    report("part", b);
    free(b);
    free((void *)p);
  } else if (streq(c, "append")) {
    report_int("append", proxy_set_buffer_bytes(BUF_REQUEST_BODY, size, 0, " world", 6));
  } else if (streq(c, "prepend")) {
    report_int("prepend", proxy_set_buffer_bytes(BUF_REQUEST_BODY, 0, 0, "hello ", 6));
  } else if (streq(c, "replace")) {
    report_int("replace", proxy_set_buffer_bytes(BUF_REQUEST_BODY, 0, size, "replaced", 8));
  } else if (streq(c, "replace_max")) {
    report_int("replace", proxy_set_buffer_bytes(BUF_REQUEST_BODY, 0, 0x7FFFFFFF, "all new", 7));
  } else if (streq(c, "middle")) {
    report_int("middle", proxy_set_buffer_bytes(BUF_REQUEST_BODY, 1, 1, "x", 1));
  } else if (streq(c, "status")) {
    size_t n = 0;
    uint32_t flags = 7;
    report_int("status", proxy_get_buffer_status(BUF_REQUEST_BODY, &n, &flags));
    report_int("status_size", (long long)n);
    report_int("status_flags", flags);
  } else if (streq(c, "buffer")) {
    if (!eos) {
      result = 1; /* StopIterationAndBuffer: Rust/Go "Pause" */
    } else {
      char *b = buffer_string(BUF_REQUEST_BODY, NULL);
      report("buffered", b ? b : "");
      free(b);
    }
  } else if (streq(c, "trailers")) {
    report_int("add_trailer", add_header(MAP_REQUEST_TRAILERS, "x-added-trailer", "yes"));
  } else if (streq(c, "no_buffer")) {
    result = 3;
  } else if (streq(c, "watermark")) {
    result = 2;
  } else if (streq(c, "trap")) {
    __builtin_trap();
  } else if (streq(c, "loop")) {
    while (spin) { }
  }
  free(c);
  return result;
}

EXPORT(proxy_on_request_trailers) uint32_t on_request_trailers(uint32_t ctx, uint32_t n) {
  report_int("request_trailers", n);
  char *c = get_header(MAP_REQUEST_HEADERS, "x-trailers", NULL);
  uint32_t result = 0;
  if (streq(c, "add")) add_header(MAP_REQUEST_TRAILERS, "x-wasm-trailer", "1");
  if (streq(c, "stop")) result = 1;
  free(c);
  return result;
}

EXPORT(proxy_on_response_headers) uint32_t on_response_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  report_int("response_headers", n);
  add_header(MAP_RESPONSE_HEADERS, "x-wasm-response", "1");
  char *c = get_header(MAP_REQUEST_HEADERS, "x-resp", NULL);
  uint32_t result = 0;
  if (streq(c, "local")) {
    report_int("local", proxy_send_local_response(502, "from response", 13, "bad gateway", 11, "", 0, -1));
  } else if (streq(c, "pause")) {
    result = 1;
  } else if (streq(c, "status")) {
    char *s = get_header(MAP_RESPONSE_HEADERS, ":status", NULL);
    report("status", s ? s : "");
    free(s);
  }
  free(c);
  return result;
}

EXPORT(proxy_on_response_body) uint32_t on_response_body(uint32_t ctx, uint32_t size, uint32_t eos) {
  report_int("response_body", size);
  char *c = get_header(MAP_REQUEST_HEADERS, "x-resp", NULL);
  if (streq(c, "rewrite")) {
    report_int("rewrite", proxy_set_buffer_bytes(BUF_RESPONSE_BODY, 0, size, "rewritten", 9));
  }
  free(c);
  return 0;
}

EXPORT(proxy_on_response_trailers) uint32_t on_response_trailers(uint32_t ctx, uint32_t n) {
  report_int("response_trailers", n);
  return 0;
}

EXPORT(proxy_on_log) void on_log(uint32_t ctx) {
  status_t s;
  char *path = get_header(MAP_REQUEST_HEADERS, ":path", &s);
  report("log_path", path ? path : "");
  free(path);
  report_int("log_add", add_header(MAP_REQUEST_HEADERS, "x-late", "1"));
  char *t = get_header(MAP_RESPONSE_TRAILERS, "x", &s);
  report_int("log_missing_map", s);
  free(t);
}

EXPORT(proxy_on_done) uint32_t on_done(uint32_t ctx) {
  report_int("done", ctx);
  if (ctx == root_id && done_later) {
    pending_done = 1;
    return 0;
  }
  return 1;
}

EXPORT(proxy_on_delete) void on_delete(uint32_t ctx) {
  report_int("delete", ctx);
}

EXPORT(proxy_on_foreign_function) void on_foreign_function(uint32_t root, uint32_t id, uint32_t size) {
  char *args = buffer_string(BUF_CALL_DATA, NULL);
  report_int("foreign_id", id);
  report("foreign_args", args ? args : "");
  free(args);
}
