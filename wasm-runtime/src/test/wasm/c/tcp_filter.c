/*
 * A proxy-wasm network filter for the TCP tests: it counts and rewrites the bytes of a TCP
 * connection in front of tcp_proxy, and records what it saw in shared data (vm_id scoped), where
 * the tests read it.
 *
 * Plugin configuration, "key=value;...":
 *   upper=1      downstream bytes are upper-cased before they go upstream
 *   tag=T        T is put in front of every chunk the upstream sends back
 *   hold=N       downstream data is paused until at least N bytes are buffered (the module then
 *                sees all of them at once), then continues
 *   close=W      a downstream chunk containing W closes the connection (proxy_close_stream)
 *   trap=W       a downstream chunk containing W traps the VM
 *
 * Shared data: connections, down_bytes, up_bytes (bytes passed on each way), down_calls, up_calls,
 * closed (contexts finished with on_log), conn_source (source.address), conn_port
 * (destination.port), conn_id (connection.id), last_upstream (upstream.address at on_log),
 * down_close_peer / up_close_peer (peer type of the last close callbacks), eos_down (downstream
 * data callbacks with end of stream).
 * Metric: counter "tcp_filter_bytes" (both directions). Log: "vm_connections=N", the connections
 * this VM has seen (module state, shared by every plugin in the VM).
 *
 * Configuration is kept per root context: plugins with the same vm_id and code share the VM.
 */
#include "test_helpers.h"
#include "ctx_map.h"

PROXY_WASM_ABI_0_2_1
PROXY_WASM_ALLOCATOR

static uint32_t bytes_metric;
static long long vm_connections; /* module state: shared by every plugin whose root is in this VM */

static const char *config; /* the configuration of the root of the context being called */

static void enter(uint32_t ctx) { config = config_of(ctx); }

EXPORT(proxy_on_configure) uint32_t on_configure(uint32_t root, uint32_t size) {
  set_root_config(root, buffer_text(BUF_PLUGIN_CONFIGURATION, size, NULL));
  const char *name = "tcp_filter_bytes";
  proxy_define_metric(METRIC_COUNTER, name, strlen(name), &bytes_metric);
  return 1;
}

EXPORT(proxy_on_context_create) void on_context_create(uint32_t ctx, uint32_t parent) {
  remember_parent(ctx, parent);
}

EXPORT(proxy_on_new_connection) uint32_t on_new_connection(uint32_t ctx) {
  enter(ctx);
  report_int("vm_connections", ++vm_connections);
  bump("connections", 1);
  char *src = prop_text("source.address");
  shared_put("conn_source", src);
  free(src);
  char tmp[32];
  prop_int_text("destination.port", tmp, sizeof tmp);
  shared_put("conn_port", tmp);
  prop_int_text("connection.id", tmp, sizeof tmp);
  shared_put("conn_id", tmp);
  return 0;
}

static int contains(const char *hay, const char *needle) {
  return hay && needle && *needle && strstr(hay, needle) != NULL;
}

EXPORT(proxy_on_downstream_data) uint32_t on_downstream_data(uint32_t ctx, uint32_t size, uint32_t eos) {
  enter(ctx);
  bump("down_calls", 1);
  if (eos) bump("eos_down", 1);
  size_t n = 0;
  char *data = buffer_text(BUF_DOWNSTREAM, size, &n);
  if (!data) return 0;
  char *trap = cfg_get(config, "trap");
  if (contains(data, trap)) __builtin_trap();
  free(trap);
  char *close = cfg_get(config, "close");
  int closing = contains(data, close);
  free(close);
  if (closing) {
    free(data);
    proxy_close_stream(STREAM_DOWNSTREAM);
    return 1;
  }
  char *hold = cfg_get(config, "hold");
  long long need = hold ? atoll(hold) : 0;
  free(hold);
  if ((long long)n < need && !eos) {
    free(data);
    return 1; /* pause: the host keeps the bytes and calls again with more */
  }
  char *upper = cfg_get(config, "upper");
  if (streq(upper, "1") && n > 0) {
    for (size_t i = 0; i < n; i++) {
      if (data[i] >= 'a' && data[i] <= 'z') data[i] = (char)(data[i] - 'a' + 'A');
    }
    proxy_set_buffer_bytes(BUF_DOWNSTREAM, 0, (uint32_t)n, data, n);
  }
  free(upper);
  bump("down_bytes", (long long)n);
  if (n) proxy_increment_metric(bytes_metric, (int64_t)n);
  free(data);
  return 0;
}

EXPORT(proxy_on_upstream_data) uint32_t on_upstream_data(uint32_t ctx, uint32_t size, uint32_t eos) {
  enter(ctx);
  bump("up_calls", 1);
  if (size == 0) return 0;
  char *tag = cfg_get(config, "tag");
  if (tag && *tag) {
    proxy_set_buffer_bytes(BUF_UPSTREAM, 0, 0, tag, strlen(tag)); /* prepend */
  }
  free(tag);
  size_t total = 0;
  uint32_t flags = 0;
  proxy_get_buffer_status(BUF_UPSTREAM, &total, &flags);
  bump("up_bytes", (long long)total);
  proxy_increment_metric(bytes_metric, (int64_t)total);
  return 0;
}

EXPORT(proxy_on_downstream_connection_close) void on_downstream_close(uint32_t ctx, uint32_t peer) {
  char tmp[8];
  snprintf(tmp, sizeof tmp, "%u", peer);
  shared_put("down_close_peer", tmp);
}

EXPORT(proxy_on_upstream_connection_close) void on_upstream_close(uint32_t ctx, uint32_t peer) {
  char tmp[8];
  snprintf(tmp, sizeof tmp, "%u", peer);
  shared_put("up_close_peer", tmp);
}

EXPORT(proxy_on_log) void on_log(uint32_t ctx) {
  char *up = prop_text("upstream.address");
  shared_put("last_upstream", up);
  free(up);
  bump("closed", 1);
}

EXPORT(proxy_on_done) uint32_t on_done(uint32_t ctx) { return 1; }

EXPORT(proxy_on_delete) void on_delete(uint32_t ctx) { forget_context(ctx); }
