/*
 * A proxy-wasm access logger (envoy.access_loggers.wasm) for the tests. Envoy calls
 * proxy_on_log on the logger's root context once per finished HTTP stream or TCP connection, with
 * the stream's headers and properties readable. This logger formats one line per entry:
 *
 *   kind=<http|tcp> method=<:method> path=<:path> status=<response.code> test=<x-test>
 *   resp=<response header x-upstream-name> cluster=<xds.cluster_name> upstream=<upstream.address>
 *   src=<source.address> rx=<BYTES_RECEIVED-like: connection bytes if any> flags=<response.flags>
 *   tag=<plugin configuration tag=>
 *
 * It keeps the count in shared data ("lines"), the last line ("last_line"), checks that maps are
 * read-only ("write_refused" counts refused writes), and, with plugin configuration
 * "cluster=C", POSTs each line to C at /log (a collector the test runs).
 */
#include "test_helpers.h"
#include "ctx_map.h"

PROXY_WASM_ABI_0_2_1
PROXY_WASM_ALLOCATOR

/* Loggers with the same vm_id and code share a VM: configuration is kept per root context. */
static const char *config;

EXPORT(proxy_on_configure) uint32_t on_configure(uint32_t root, uint32_t size) {
  set_root_config(root, buffer_text(BUF_PLUGIN_CONFIGURATION, size, NULL));
  return 1;
}

EXPORT(proxy_on_context_create) void on_context_create(uint32_t ctx, uint32_t parent) {}

static char *header(uint32_t map, const char *name) {
  status_t s;
  char *v = get_header(map, name, &s);
  return v ? v : cstr("-", 1);
}

static void append(char **line, size_t *len, const char *key, const char *value) {
  size_t add = strlen(key) + strlen(value) + 2;
  *line = realloc(*line, *len + add + 1);
  sprintf(*line + *len, "%s%s=%s", *len ? " " : "", key, value);
  *len += add - (*len ? 0 : 1);
}

EXPORT(proxy_on_log) void on_log(uint32_t ctx) {
  config = config_of(ctx);
  char *line = NULL;
  size_t len = 0;
  char *method = header(MAP_REQUEST_HEADERS, ":method");
  int http = strcmp(method, "-") != 0;
  append(&line, &len, "kind", http ? "http" : "tcp");
  append(&line, &len, "method", method);
  char *path = header(MAP_REQUEST_HEADERS, ":path");
  append(&line, &len, "path", path);
  char code[32];
  prop_int_text("response.code", code, sizeof code);
  append(&line, &len, "status", code);
  char *test = header(MAP_REQUEST_HEADERS, "x-test");
  append(&line, &len, "test", test);
  char *resp = header(MAP_RESPONSE_HEADERS, "x-upstream-name");
  append(&line, &len, "resp", resp);
  char *cluster = prop_text("xds.cluster_name");
  append(&line, &len, "cluster", cluster);
  char *upstream = prop_text("upstream.address");
  append(&line, &len, "upstream", upstream);
  char *src = prop_text("source.address");
  append(&line, &len, "src", strchr(src, ':') ? "ip:port" : src);
  char flags[32];
  prop_int_text("response.flags", flags, sizeof flags);
  append(&line, &len, "flags", flags);
  char *tag = cfg_get(config, "tag");
  append(&line, &len, "tag", tag ? tag : "-");

  /* The access-log phase is read-only. */
  if (add_header(MAP_REQUEST_HEADERS, "x-logged", "1") != OK) bump("write_refused", 1);

  bump("lines", 1);
  shared_put("last_line", line);
  char *target = cfg_get(config, "cluster");
  if (target) {
    const char *kv[] = {":method", "POST", ":path", "/log", ":authority", "collector"};
    size_t hl = 0;
    char *hdrs = make_pairs(kv, 3, &hl);
    uint32_t token = 0;
    proxy_http_call(target, strlen(target), hdrs, hl, line, len, NULL, 0, 5000, &token);
    free(hdrs);
    free(target);
  }
  free(method);
  free(path);
  free(test);
  free(resp);
  free(cluster);
  free(upstream);
  free(src);
  free(tag);
  free(line);
}

EXPORT(proxy_on_http_call_response) void on_http_call_response(uint32_t ctx, uint32_t token, uint32_t headers,
                                                            uint32_t body, uint32_t trailers) {
  bump(headers ? "posted" : "post_failed", 1);
}
