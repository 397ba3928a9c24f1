/*
 * The proxy-wasm ABI 0.2.1 as the test modules of this repository use it: declarations of the
 * host functions (imports from "env"), the enums, and small helpers. Written from the ABI
 * specification for these tests; it is not an SDK.
 */
#ifndef XDSDP_PROXY_WASM_HOST_H
#define XDSDP_PROXY_WASM_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

typedef uint32_t status_t;

enum { OK = 0, NOT_FOUND = 1, BAD_ARGUMENT = 2, SERIALIZATION_FAILURE = 3, PARSE_FAILURE = 4,
       INVALID_MEMORY_ACCESS = 6, EMPTY = 7, CAS_MISMATCH = 8, INTERNAL_FAILURE = 10,
       BROKEN_CONNECTION = 11, UNIMPLEMENTED = 12 };
enum { LOG_TRACE = 0, LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_CRITICAL };
enum { MAP_REQUEST_HEADERS = 0, MAP_REQUEST_TRAILERS, MAP_RESPONSE_HEADERS, MAP_RESPONSE_TRAILERS,
       MAP_GRPC_INITIAL, MAP_GRPC_TRAILING, MAP_CALL_RESPONSE_HEADERS, MAP_CALL_RESPONSE_TRAILERS };
enum { BUF_REQUEST_BODY = 0, BUF_RESPONSE_BODY, BUF_DOWNSTREAM, BUF_UPSTREAM, BUF_CALL_RESPONSE_BODY,
       BUF_GRPC_RECEIVE, BUF_VM_CONFIGURATION, BUF_PLUGIN_CONFIGURATION, BUF_CALL_DATA };
enum { STREAM_REQUEST = 0, STREAM_RESPONSE, STREAM_DOWNSTREAM, STREAM_UPSTREAM };
enum { METRIC_COUNTER = 0, METRIC_GAUGE, METRIC_HISTOGRAM };

IMPORT(proxy_log) status_t proxy_log(uint32_t level, const char *msg, size_t len);
IMPORT(proxy_get_log_level) status_t proxy_get_log_level(uint32_t *level);
IMPORT(proxy_get_current_time_nanoseconds) status_t proxy_get_current_time_nanoseconds(uint64_t *t);
IMPORT(proxy_set_tick_period_milliseconds) status_t proxy_set_tick_period_milliseconds(uint32_t ms);
IMPORT(proxy_set_effective_context) status_t proxy_set_effective_context(uint32_t id);
IMPORT(proxy_done) status_t proxy_done(void);
IMPORT(proxy_get_status) status_t proxy_get_status(uint32_t *code, const char **msg, size_t *len);
IMPORT(proxy_get_buffer_bytes) status_t proxy_get_buffer_bytes(uint32_t type, uint32_t start, uint32_t max,
                                                               const char **ptr, size_t *size);
IMPORT(proxy_set_buffer_bytes) status_t proxy_set_buffer_bytes(uint32_t type, uint32_t start, uint32_t size,
                                                               const char *data, size_t len);
IMPORT(proxy_get_buffer_status) status_t proxy_get_buffer_status(uint32_t type, size_t *size, uint32_t *flags);
IMPORT(proxy_get_header_map_pairs) status_t proxy_get_header_map_pairs(uint32_t type, const char **ptr, size_t *size);
IMPORT(proxy_set_header_map_pairs) status_t proxy_set_header_map_pairs(uint32_t type, const char *ptr, size_t size);
IMPORT(proxy_get_header_map_value) status_t proxy_get_header_map_value(uint32_t type, const char *key, size_t klen,
                                                                       const char **val, size_t *vlen);
IMPORT(proxy_add_header_map_value) status_t proxy_add_header_map_value(uint32_t type, const char *key, size_t klen,
                                                                       const char *val, size_t vlen);
IMPORT(proxy_replace_header_map_value) status_t proxy_replace_header_map_value(uint32_t type, const char *key,
                                                                               size_t klen, const char *val,
                                                                               size_t vlen);
IMPORT(proxy_remove_header_map_value) status_t proxy_remove_header_map_value(uint32_t type, const char *key,
                                                                             size_t klen);
IMPORT(proxy_get_header_map_size) status_t proxy_get_header_map_size(uint32_t type, size_t *size);
IMPORT(proxy_continue_stream) status_t proxy_continue_stream(uint32_t type);
IMPORT(proxy_close_stream) status_t proxy_close_stream(uint32_t type);
IMPORT(proxy_send_local_response) status_t proxy_send_local_response(uint32_t status, const char *details,
                                                                     size_t dlen, const char *body, size_t blen,
                                                                     const char *pairs, size_t plen,
                                                                     int32_t grpc_status);
IMPORT(proxy_get_property) status_t proxy_get_property(const char *path, size_t plen, const char **val,
                                                       size_t *vlen);
IMPORT(proxy_set_property) status_t proxy_set_property(const char *path, size_t plen, const char *val,
                                                       size_t vlen);
IMPORT(proxy_http_call) status_t proxy_http_call(const char *up, size_t uplen, const char *hdrs, size_t hlen,
                                                 const char *body, size_t blen, const char *trls, size_t tlen,
                                                 uint32_t timeout_ms, uint32_t *token);
IMPORT(proxy_grpc_call) status_t proxy_grpc_call(const char *up, size_t uplen, const char *svc, size_t slen,
                                                 const char *method, size_t mlen, const char *md, size_t mdlen,
                                                 const char *msg, size_t msglen, uint32_t timeout_ms,
                                                 uint32_t *token);
IMPORT(proxy_grpc_stream) status_t proxy_grpc_stream(const char *up, size_t uplen, const char *svc, size_t slen,
                                                     const char *method, size_t mlen, const char *md, size_t mdlen,
                                                     uint32_t *token);
IMPORT(proxy_grpc_send) status_t proxy_grpc_send(uint32_t token, const char *msg, size_t len, uint32_t end);
IMPORT(proxy_grpc_cancel) status_t proxy_grpc_cancel(uint32_t token);
IMPORT(proxy_grpc_close) status_t proxy_grpc_close(uint32_t token);
IMPORT(proxy_get_shared_data) status_t proxy_get_shared_data(const char *key, size_t klen, const char **val,
                                                             size_t *vlen, uint32_t *cas);
IMPORT(proxy_set_shared_data) status_t proxy_set_shared_data(const char *key, size_t klen, const char *val,
                                                             size_t vlen, uint32_t cas);
IMPORT(proxy_register_shared_queue) status_t proxy_register_shared_queue(const char *name, size_t len, uint32_t *id);
IMPORT(proxy_resolve_shared_queue) status_t proxy_resolve_shared_queue(const char *vm, size_t vlen,
                                                                       const char *name, size_t nlen, uint32_t *id);
IMPORT(proxy_enqueue_shared_queue) status_t proxy_enqueue_shared_queue(uint32_t id, const char *val, size_t len);
IMPORT(proxy_dequeue_shared_queue) status_t proxy_dequeue_shared_queue(uint32_t id, const char **val, size_t *len);
IMPORT(proxy_define_metric) status_t proxy_define_metric(uint32_t type, const char *name, size_t len, uint32_t *id);
IMPORT(proxy_increment_metric) status_t proxy_increment_metric(uint32_t id, int64_t delta);
IMPORT(proxy_record_metric) status_t proxy_record_metric(uint32_t id, uint64_t value);
IMPORT(proxy_get_metric) status_t proxy_get_metric(uint32_t id, uint64_t *value);
IMPORT(proxy_call_foreign_function) status_t proxy_call_foreign_function(const char *name, size_t nlen,
                                                                         const char *args, size_t alen,
                                                                         const char **ret, size_t *rlen);

/* Every test module declares its ABI version and exports an allocator. */
#define PROXY_WASM_ABI_0_2_1 EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1(void) {}
#define PROXY_WASM_ALLOCATOR EXPORT(proxy_on_memory_allocate) void *proxy_on_memory_allocate(size_t n) { return malloc(n); }

/* Helpers. */

static inline size_t slen(const char *s) { return strlen(s); }

static inline void log_info(const char *s) { proxy_log(LOG_INFO, s, strlen(s)); }

/* "key=value" at INFO: how the tests read results from any callback. */
static inline void report(const char *key, const char *value) {
  size_t kl = strlen(key), vl = strlen(value);
  char *buf = malloc(kl + vl + 2);
  memcpy(buf, key, kl);
  buf[kl] = '=';
  memcpy(buf + kl + 1, value, vl);
  buf[kl + 1 + vl] = 0;
  proxy_log(LOG_INFO, buf, kl + vl + 1);
  free(buf);
}

static inline void report_int(const char *key, long long v) {
  char tmp[32];
  int neg = v < 0;
  unsigned long long u = neg ? (unsigned long long)(-v) : (unsigned long long)v;
  int i = 31;
  tmp[i] = 0;
  do { tmp[--i] = (char)('0' + u % 10); u /= 10; } while (u);
  if (neg) tmp[--i] = '-';
  report(key, tmp + i);
}

/* A NUL-terminated copy of (ptr, len) that the caller frees. */
static inline char *cstr(const char *p, size_t n) {
  char *s = malloc(n + 1);
  if (n) memcpy(s, p, n);
  s[n] = 0;
  return s;
}

/* The value of a header as a new C string, or NULL; *status gets the call's status. */
static inline char *get_header(uint32_t map, const char *key, status_t *status) {
  const char *v = NULL;
  size_t n = 0;
  status_t s = proxy_get_header_map_value(map, key, strlen(key), &v, &n);
  if (status) *status = s;
  if (s != OK) return NULL;
  char *out = cstr(v, n);
  free((void *)v);
  return out;
}

static inline status_t add_header(uint32_t map, const char *key, const char *value) {
  return proxy_add_header_map_value(map, key, strlen(key), value, strlen(value));
}

static inline status_t set_header(uint32_t map, const char *key, const char *value) {
  return proxy_replace_header_map_value(map, key, strlen(key), value, strlen(value));
}

/* Serializes n key/value pairs in the proxy-wasm map format into a new buffer. */
static inline char *make_pairs(const char **kv, int n, size_t *out_len) {
  size_t size = 4 + (size_t)n * 8;
  for (int i = 0; i < n; i++) size += strlen(kv[2 * i]) + strlen(kv[2 * i + 1]) + 2;
  char *b = malloc(size);
  uint32_t *w = (uint32_t *)b;
  w[0] = (uint32_t)n;
  char *p = b + 4 + (size_t)n * 8;
  for (int i = 0; i < n; i++) {
    uint32_t kl = (uint32_t)strlen(kv[2 * i]), vl = (uint32_t)strlen(kv[2 * i + 1]);
    memcpy(b + 4 + i * 8, &kl, 4);
    memcpy(b + 8 + i * 8, &vl, 4);
    memcpy(p, kv[2 * i], kl); p += kl; *p++ = 0;
    memcpy(p, kv[2 * i + 1], vl); p += vl; *p++ = 0;
  }
  *out_len = size;
  return b;
}

static inline int streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

#endif
