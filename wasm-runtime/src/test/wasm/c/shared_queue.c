/*
 * The classic shared-queue pattern from Envoy's documentation, for the Wasm service tests: HTTP
 * filters on the event loops enqueue, a singleton service that registered the queue dequeues and
 * aggregates. One module, two root contexts, chosen by root_id:
 *
 *   producer    (HTTP filter) each request enqueues its :path on the queue named by queue= (default
 *               "requests") of vm_id service_vm= (default: the filter's own vm_id); the response
 *               gets x-aggregated-total and x-aggregated-path, the service's counts as they are now
 *               (read from shared data) and x-enqueue: the enqueue status
 *   aggregator  (Wasm service) registers the queue in on_configure, and on each proxy_on_queue_ready
 *               dequeues everything: shared data "total" and "count:<path>" grow, "batches" counts
 *               the deliveries; with tick=MS, "ticks" counts its ticks
 *
 * Built twice: shared_queue.wasm, and shared_queue_noready.wasm without proxy_on_queue_ready.
 */
#include "test_helpers.h"
#include "ctx_map.h"

PROXY_WASM_ABI_0_2_1
PROXY_WASM_ALLOCATOR

/* A producer and an aggregator may share the VM (same vm_id and code): state is kept per role. */
static const char *config;
static uint32_t registered_id; /* the aggregator's queue */
static uint32_t resolved_id;   /* the producer's view of it */
static int queue_resolved;

static char *root_id(void) {
  char *r = prop("plugin_root_id", NULL);
  return r ? r : cstr("", 0);
}

EXPORT(proxy_on_configure) uint32_t on_configure(uint32_t root, uint32_t size) {
  set_root_config(root, buffer_text(BUF_PLUGIN_CONFIGURATION, size, NULL));
  config = config_of(root);
  char *id = root_id();
  int is_aggregator = streq(id, "aggregator");
  free(id);
  char *name = cfg_get(config, "queue");
  const char *q = name ? name : "requests";
  if (is_aggregator) {
    if (proxy_register_shared_queue(q, strlen(q), &registered_id) != OK) return 0;
    char *tick = cfg_get(config, "tick");
    if (tick) proxy_set_tick_period_milliseconds((uint32_t)atoi(tick));
    free(tick);
    bump("service_starts", 1);
  }
  free(name);
  return 1;
}

EXPORT(proxy_on_context_create) void on_context_create(uint32_t ctx, uint32_t parent) {
  remember_parent(ctx, parent);
}

EXPORT(proxy_on_delete) void on_delete(uint32_t ctx) { forget_context(ctx); }

static status_t enqueue(const char *value) {
  if (!queue_resolved) {
    char *vm = cfg_get(config, "service_vm");
    char *name = cfg_get(config, "queue");
    const char *q = name ? name : "requests";
    status_t s = proxy_resolve_shared_queue(vm ? vm : "", vm ? strlen(vm) : 0, q, strlen(q), &resolved_id);
    free(vm);
    free(name);
    if (s != OK) return s;
    queue_resolved = 1;
  }
  return proxy_enqueue_shared_queue(resolved_id, value, strlen(value));
}

static status_t last_enqueue = OK;

EXPORT(proxy_on_request_headers) uint32_t on_request_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  config = config_of(ctx);
  status_t s;
  char *path = get_header(MAP_REQUEST_HEADERS, ":path", &s);
  last_enqueue = enqueue(path ? path : "?");
  free(path);
  return 0;
}

EXPORT(proxy_on_response_headers) uint32_t on_response_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%lld", shared_int("total"));
  set_header(MAP_RESPONSE_HEADERS, "x-aggregated-total", tmp);
  snprintf(tmp, sizeof tmp, "%u", last_enqueue);
  set_header(MAP_RESPONSE_HEADERS, "x-enqueue", tmp);
  return 0;
}

#ifndef NO_QUEUE_READY
EXPORT(proxy_on_queue_ready) void on_queue_ready(uint32_t root, uint32_t id) {
  if (id != registered_id) return;
  bump("batches", 1);
  for (;;) {
    const char *v = NULL;
    size_t n = 0;
    if (proxy_dequeue_shared_queue(id, &v, &n) != OK) break;
    char *item = cstr(v, n);
    free((void *)v);
    char key[256];
    snprintf(key, sizeof key, "count:%s", item);
    bump(key, 1);
    bump("total", 1);
    free(item);
  }
}
#endif

EXPORT(proxy_on_tick) void on_tick(uint32_t root) {
  bump("ticks", 1);
}
