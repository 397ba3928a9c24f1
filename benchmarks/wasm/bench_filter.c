/*
 * The benchmarks' proxy-wasm HTTP filter (ABI 0.2.1). Its plugin configuration picks what it does
 * on each request, so one module serves every Wasm figure:
 *
 *   noop        every callback returns Continue without a host call
 *   headers     reads :path and user-agent, adds x-bench-request to the request and
 *               x-bench-response to the response (4 header host calls per request)
 *   body        buffers the response body (StopIterationAndBuffer until end of stream), reads it
 *               whole with proxy_get_buffer_bytes and adds its size and byte sum to a counter
 *   getheader=N proxy_get_header_map_value(":path") N times per request: host-call cost
 *
 * Built with build.sh next to this file; bench_big.wasm is the same filter with several MB of
 * generated code beside it (cold-start figure).
 */
#include "proxy_wasm_host.h"

PROXY_WASM_ABI_0_2_1
PROXY_WASM_ALLOCATOR

enum { MODE_NOOP = 0, MODE_HEADERS, MODE_BODY, MODE_GETHEADER };
enum { ACTION_CONTINUE = 0, ACTION_PAUSE = 1 };

#define MAX_CONTEXTS 4096

/* Per root context: mode and argument. Stream contexts map to their root. */
typedef struct { uint32_t id; int mode; int arg; uint32_t metric; } root_config;
static root_config roots[64];
static int root_count;
static uint32_t stream_root[MAX_CONTEXTS];

static root_config *root_of(uint32_t context_id) {
  uint32_t root = stream_root[context_id % MAX_CONTEXTS];
  for (int i = 0; i < root_count; i++) {
    if (roots[i].id == root) return &roots[i];
  }
  return &roots[0];
}

static int starts_with(const char *s, size_t n, const char *prefix) {
  size_t p = strlen(prefix);
  return n >= p && memcmp(s, prefix, p) == 0;
}

static int parse_int(const char *s, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) v = v * 10 + (s[i] - '0');
  return v;
}

#ifdef BENCH_BIG
int bench_big_work(int seed);
#endif

EXPORT(proxy_on_context_create) void proxy_on_context_create(uint32_t id, uint32_t parent) {
  stream_root[id % MAX_CONTEXTS] = parent ? parent : id;
}

EXPORT(proxy_on_vm_start) uint32_t proxy_on_vm_start(uint32_t root, size_t size) {
  (void)root; (void)size;
#ifdef BENCH_BIG
  /* Touch the generated code so the linker keeps all of it. */
  return bench_big_work(0) != -1;
#else
  return 1;
#endif
}

EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root, size_t size) {
  const char *cfg = NULL;
  size_t n = 0;
  root_config *rc = NULL;
  for (int i = 0; i < root_count; i++) if (roots[i].id == root) rc = &roots[i];
  if (!rc) {
    if (root_count == 64) return 0;
    rc = &roots[root_count++];
  }
  rc->id = root;
  rc->mode = MODE_NOOP;
  rc->arg = 0;
  if (size > 0 && proxy_get_buffer_bytes(BUF_PLUGIN_CONFIGURATION, 0, size, &cfg, &n) == OK) {
    if (starts_with(cfg, n, "headers")) rc->mode = MODE_HEADERS;
    else if (starts_with(cfg, n, "body")) rc->mode = MODE_BODY;
    else if (starts_with(cfg, n, "getheader=")) {
      rc->mode = MODE_GETHEADER;
      rc->arg = parse_int(cfg + 10, n - 10);
    } else if (!starts_with(cfg, n, "noop")) {
      free((void *)cfg);
      return 0;
    }
    free((void *)cfg);
  }
  if (rc->mode == MODE_BODY) {
    proxy_define_metric(METRIC_COUNTER, "bench_body_bytes", 16, &rc->metric);
  }
  return 1;
}

EXPORT(proxy_on_request_headers) uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers,
                                                                   uint32_t end_of_stream) {
  (void)headers; (void)end_of_stream;
  root_config *rc = root_of(id);
  if (rc->mode == MODE_HEADERS) {
    const char *v = NULL;
    size_t n = 0;
    if (proxy_get_header_map_value(MAP_REQUEST_HEADERS, ":path", 5, &v, &n) == OK) free((void *)v);
    if (proxy_get_header_map_value(MAP_REQUEST_HEADERS, "user-agent", 10, &v, &n) == OK) free((void *)v);
    proxy_add_header_map_value(MAP_REQUEST_HEADERS, "x-bench-request", 15, "1", 1);
  } else if (rc->mode == MODE_GETHEADER) {
    for (int i = 0; i < rc->arg; i++) {
      const char *v = NULL;
      size_t n = 0;
      if (proxy_get_header_map_value(MAP_REQUEST_HEADERS, ":path", 5, &v, &n) == OK) free((void *)v);
    }
  }
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_response_headers) uint32_t proxy_on_response_headers(uint32_t id, uint32_t headers,
                                                                     uint32_t end_of_stream) {
  (void)headers; (void)end_of_stream;
  if (root_of(id)->mode == MODE_HEADERS) {
    proxy_add_header_map_value(MAP_RESPONSE_HEADERS, "x-bench-response", 16, "1", 1);
  }
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_response_body) uint32_t proxy_on_response_body(uint32_t id, uint32_t size,
                                                               uint32_t end_of_stream) {
  root_config *rc = root_of(id);
  if (rc->mode != MODE_BODY) return ACTION_CONTINUE;
  if (!end_of_stream) return ACTION_PAUSE; /* buffer until the whole body is here */
  const char *body = NULL;
  size_t n = 0;
  if (size > 0 && proxy_get_buffer_bytes(BUF_RESPONSE_BODY, 0, size, &body, &n) == OK) {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += (unsigned char)body[i];
    free((void *)body);
    proxy_increment_metric(rc->metric, (int64_t)(sum & 0xff) + (int64_t)n);
  }
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_request_body) uint32_t proxy_on_request_body(uint32_t id, uint32_t size, uint32_t eos) {
  (void)id; (void)size; (void)eos;
  return ACTION_CONTINUE;
}

EXPORT(proxy_on_done) uint32_t proxy_on_done(uint32_t id) { (void)id; return 1; }
EXPORT(proxy_on_log) void proxy_on_log(uint32_t id) { (void)id; }
EXPORT(proxy_on_delete) void proxy_on_delete(uint32_t id) { (void)id; }
