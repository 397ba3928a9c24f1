/*
 * The data plane's integration-test filter: everything it does is visible through real sockets,
 * as headers the upstream echoes back or headers and bodies the client receives.
 *
 * Plugin configuration, "key=value;...":
 *   version=V        every request and response gets "x-wasm-version: V"
 *   mode=M           what requests do when they carry no "x-test" header (see below)
 *   auth_cluster=C   the cluster "auth" calls
 *   grpc_cluster=C   the cluster "grpc" calls
 *   tick=MS          on_tick every MS ms; each tick adds 1 to the shared "ticks" counter
 *   fail=configure   proxy_on_configure returns false
 *   role=logger      the plugin is an access logger (envoy.access_loggers.wasm): proxy_on_log on
 *                    its root context bumps the shared "logged" counter and stores in
 *                    "logger_saw_streams" how many streams this VM's filters have started (module
 *                    memory: non-zero only when the logger shares the filters' VM); with
 *                    trap_log=1, a logged request with "x-test: trap_log" traps the VM
 *   trap_tick=1      the first tick of the process (shared flag "tick_trapped") traps the VM
 *
 * Modes ("x-test" request header, else mode=):
 *   headers  add x-wasm-version and x-wasm-plugin (the default)
 *   local    answer 403 from the filter
 *   auth     ask auth_cluster (or the request's x-call-cluster) (GET /auth with the request's authorization header) with a timeout of
 *            x-auth-timeout ms (default 2000); 200 lets the request through with x-auth-user,
 *            anything else answers 403 (x-auth-status: the call's status), a call answered
 *            without headers 503
 *   body     buffer both bodies and rewrite them (request: "wasm[<chunks>,<size>]:" + body;
 *            response: {"wasm_chunks":n,"wasm_size":n,"upstream":<body>})
 *   props    request headers with property values; on_log stores what it saw at the end
 *   last_log x-wasm-last-log: what on_log stored for the previous "props" request
 *   env      x-wasm-env (WASI environ WASM_TEST_ENV), x-wasm-vm-config, x-wasm-config
 *   count    x-wasm-count: a counter in shared data, bumped with compare-and-swap; x-wasm-vm:
 *            which VM of the vm_id served (numbered in start order, in shared data too)
 *   ticks    x-wasm-ticks: the shared tick counter
 *   grpc     unary gRPC call grpc.health.v1.Health/Check on grpc_cluster for the service named
 *            by x-grpc-service; the request goes on with x-grpc-reply-hex (the response message)
 *            or x-grpc-status and x-grpc-message when the call fails
 *   grpc_stream
 *            a gRPC stream test.Chat/Talk on grpc_cluster (or the request's x-call-cluster): sends the comma-separated messages of
 *            x-chat-send, then ends as x-chat-end says: "close" (proxy_grpc_close, a half-close),
 *            "eos" (the last message carries end of stream), "cancel" (proxy_grpc_cancel once the
 *            first reply arrives), anything else keeps it open. Everything the stream brings is
 *            logged and the request goes on, once the stream closed (or was cancelled), with
 *            x-grpc-stream-log: "init:<x-chat of the initial metadata>;msg:<m>;...;
 *            trail:<x-chat-end of the trailing metadata>;close:<status>:<message>"
 *   trap     the VM traps
 *   close    proxy_close_stream
 *   hold_request / hold_response
 *            the request (response) body is held with StopIterationAndWatermark, however much
 *            arrives, until the shared counter named by x-wm-key is above 0; then the next tick
 *            (tick= must be set) continues the stream. The bytes held so far (each callback
 *            brings only what arrived since, as in Envoy when not buffering) are kept in shared
 *            data "<key>_held"
 *   release  bumps the shared counter named by x-wm-key (lets the held streams go)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_wasm_host.h"
#include "ctx_map.h"

PROXY_WASM_ABI_0_2_1
PROXY_WASM_ALLOCATOR

/*
 * Plugins with the same vm_id and code share a VM, one root context each (as in Envoy), so the
 * plugin configuration is kept per root context and each stream remembers its root; plugin_config
 * points at the configuration of the root of the context being called.
 */
static const char *plugin_config;

static void enter(uint32_t ctx) { plugin_config = config_of(ctx); }

static char *vm_config;
static long long vm_ordinal; /* which VM of this vm_id this is: 1, 2, ... in start order */
static long long streams_started; /* streams this VM's filter roots have seen, for role=logger */

/* The value of key in "k=v;k=v", as a new string, or NULL. */
static char *config_get(const char *key) {
  if (!plugin_config) return NULL;
  size_t kl = strlen(key);
  const char *p = plugin_config;
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

static char *buffer_string(uint32_t type, size_t max) {
  const char *p = NULL;
  size_t n = 0;
  if (proxy_get_buffer_bytes(type, 0, (uint32_t)max, &p, &n) != OK) return NULL;
  char *out = cstr(p, n);
  free((void *)p);
  return out;
}

/* A property as a string (NULL when absent); dotted is split at '.' into the ABI's NUL form. */
static char *property(const char *dotted, size_t *len) {
  size_t n = strlen(dotted);
  char *path = cstr(dotted, n);
  for (char *c = path; *c; c++) if (*c == '.') *c = 0;
  const char *v = NULL;
  size_t vn = 0;
  status_t s = proxy_get_property(path, n, &v, &vn);
  free(path);
  if (s != OK) return NULL;
  if (len) *len = vn;
  char *out = cstr(v, vn);
  free((void *)v);
  return out;
}

static long long property_int(const char *dotted, int *found) {
  size_t n = 0;
  char *v = property(dotted, &n);
  long long x = 0;
  *found = v != NULL && n == 8;
  if (*found) memcpy(&x, v, 8);
  free(v);
  return x;
}

static void add_property_header(const char *header, const char *dotted) {
  char *v = property(dotted, NULL);
  add_header(MAP_REQUEST_HEADERS, header, v ? v : "(none)");
  free(v);
}

static void add_int_header(uint32_t map, const char *header, long long v) {
  char tmp[32];
  snprintf(tmp, sizeof tmp, "%lld", v);
  add_header(map, header, tmp);
}

/* Adds delta to a shared-data counter with compare-and-swap; returns the new value. */
static long long bump(const char *key, long long delta) {
  for (int attempt = 0; attempt < 100; attempt++) {
    const char *v = NULL;
    size_t n = 0;
    uint32_t cas = 0;
    long long cur = 0;
    if (proxy_get_shared_data(key, strlen(key), &v, &n, &cas) == OK) {
      char *s = cstr(v, n);
      cur = atoll(s);
      free(s);
      free((void *)v);
    }
    char next[32];
    snprintf(next, sizeof next, "%lld", cur + delta);
    if (proxy_set_shared_data(key, strlen(key), next, strlen(next), cas) == OK) return cur + delta;
  }
  return -1;
}

/* Sets key from "0" to "1" with one compare-and-swap; true only for the one caller that did. A
 * retrying bump would not do: two VMs that both read 0 would both count, leaving 2. */
static int claim(const char *key) {
  const char *v = NULL;
  size_t n = 0;
  uint32_t cas = 0;
  if (proxy_get_shared_data(key, strlen(key), &v, &n, &cas) != OK) return 0;
  int unclaimed = n == 1 && v[0] == '0';
  free((void *)v);
  return unclaimed && proxy_set_shared_data(key, strlen(key), "1", 1, cas) == OK;
}

static long long shared_int(const char *key) {
  const char *v = NULL;
  size_t n = 0;
  uint32_t cas = 0;
  if (proxy_get_shared_data(key, strlen(key), &v, &n, &cas) != OK) return 0;
  char *s = cstr(v, n);
  long long x = atoll(s);
  free(s);
  free((void *)v);
  return x;
}

EXPORT(proxy_on_vm_start) uint32_t on_vm_start(uint32_t root, uint32_t size) {
  /* Sent for every root context; the VM is numbered once. */
  free(vm_config);
  vm_config = buffer_string(BUF_VM_CONFIGURATION, size);
  if (!vm_ordinal) vm_ordinal = bump("vm_seq", 1);
  return 1;
}

EXPORT(proxy_on_configure) uint32_t on_configure(uint32_t root, uint32_t size) {
  set_root_config(root, buffer_string(BUF_PLUGIN_CONFIGURATION, size));
  enter(root);
  char *fail = config_get("fail");
  int ok = !streq(fail, "configure");
  free(fail);
  if (!ok) return 0;
  char *trap_tick = config_get("trap_tick");
  /* Shared data compares the cas only for a key that exists (as Envoy's does), so two VMs creating
   * "tick_trapped" at once would both win. Creating it here, before any tick, makes the tick's
   * bump a real compare-and-swap; a VM rebuilt later finds it set and leaves it. */
  if (trap_tick) {
    const char *v = NULL;
    size_t n = 0;
    uint32_t cas = 0;
    if (proxy_get_shared_data("tick_trapped", 12, &v, &n, &cas) == NOT_FOUND) {
      proxy_set_shared_data("tick_trapped", 12, "0", 1, 0);
    }
    free((void *)v);
  }
  free(trap_tick);
  char *tick = config_get("tick");
  if (tick) {
    proxy_set_tick_period_milliseconds((uint32_t)atoi(tick));
    free(tick);
  }
  return 1;
}

EXPORT(proxy_on_context_create) void on_context_create(uint32_t ctx, uint32_t parent) {
  remember_parent(ctx, parent);
}

/* The behaviour of this stream: x-test, else mode=, else "headers". */
static char *mode_of_request(void) {
  char *m = get_header(MAP_REQUEST_HEADERS, "x-test", NULL);
  if (!m) m = config_get("mode");
  if (!m) m = cstr("headers", 7);
  return m;
}

/* Per-stream state, by context id (a VM runs one stream at a time per callback, many in flight). */
#define MAX_STREAMS 256
static uint32_t stream_ids[MAX_STREAMS];
static uint32_t stream_chunks[MAX_STREAMS];
static uint32_t call_tokens[MAX_STREAMS];
/* hold_request / hold_response: which body is held (1 request, 2 response), and the release key. */
static uint32_t held[MAX_STREAMS];
static char hold_keys[MAX_STREAMS][32];
static long long held_bytes[MAX_STREAMS];
/* grpc_stream: what the stream brought so far, and how it ends. */
static char stream_log[MAX_STREAMS][256];
static char stream_end[MAX_STREAMS][8];

static int slot(uint32_t ctx, int create) {
  for (int i = 0; i < MAX_STREAMS; i++) if (stream_ids[i] == ctx) return i;
  if (!create) return -1;
  for (int i = 0; i < MAX_STREAMS; i++) {
    if (stream_ids[i] == 0) {
      stream_ids[i] = ctx;
      stream_chunks[i] = 0;
      call_tokens[i] = 0;
      held[i] = 0;
      hold_keys[i][0] = 0;
      held_bytes[i] = 0;
      stream_log[i][0] = 0;
      stream_end[i][0] = 0;
      return i;
    }
  }
  return -1;
}

/* The stream waiting for callout token, forgotten once found; 0 when none. */
static uint32_t take_stream(uint32_t token) {
  for (int i = 0; i < MAX_STREAMS; i++) {
    if (stream_ids[i] && call_tokens[i] == token) {
      call_tokens[i] = 0;
      return stream_ids[i];
    }
  }
  return 0;
}

/* Ticks count in shared data, and continue the held streams whose key was released. */
EXPORT(proxy_on_tick) void on_tick(uint32_t root) {
  enter(root);
  char *trap_tick = config_get("trap_tick");
  /* Compare-and-swap decides: of the VMs ticking at once, only the one that claims the flag traps. */
  int trap = trap_tick && claim("tick_trapped");
  free(trap_tick);
  if (trap) __builtin_trap();
  bump("ticks", 1);
  for (int i = 0; i < MAX_STREAMS; i++) {
    if (!held[i] || shared_int(hold_keys[i]) <= 0) continue;
    uint32_t which = held[i];
    held[i] = 0;
    proxy_set_effective_context(stream_ids[i]);
    proxy_continue_stream(which == 1 ? STREAM_REQUEST : STREAM_RESPONSE);
  }
}

static void add_version(uint32_t map) {
  char *version = config_get("version");
  if (version) {
    add_header(map, "x-wasm-version", version);
    free(version);
  }
}

static uint32_t start_auth(uint32_t ctx) {
  char *cluster = get_header(MAP_REQUEST_HEADERS, "x-call-cluster", NULL);
  if (!cluster) cluster = config_get("auth_cluster");
  char *authz = get_header(MAP_REQUEST_HEADERS, "authorization", NULL);
  char *timeout_header = get_header(MAP_REQUEST_HEADERS, "x-auth-timeout", NULL);
  uint32_t timeout = timeout_header ? (uint32_t)atoi(timeout_header) : 2000;
  free(timeout_header);
  const char *kv[] = {":method", "GET", ":path", "/auth", ":authority", "auth", "authorization", authz ? authz : ""};
  size_t n;
  char *pairs = make_pairs(kv, 4, &n);
  uint32_t token = 0;
  status_t s = proxy_http_call(cluster ? cluster : "", cluster ? strlen(cluster) : 0, pairs, n, "", 0, "", 0, timeout,
                               &token);
  free(pairs);
  free(authz);
  free(cluster);
  if (s != OK) {
    const char *msg = "auth call failed";
    proxy_send_local_response(500, "wasm auth call failed", 21, msg, strlen(msg), "", 0, -1);
    return 1;
  }
  int i = slot(ctx, 1);
  if (i >= 0) call_tokens[i] = token;
  return 1; /* StopIteration until the auth service answers */
}

EXPORT(proxy_on_http_call_response)
void on_http_call_response(uint32_t root, uint32_t token, uint32_t nh, uint32_t body_size, uint32_t nt) {
  enter(root);
  uint32_t ctx = take_stream(token);
  if (!ctx) return;
  char *status = nh ? get_header(MAP_CALL_RESPONSE_HEADERS, ":status", NULL) : NULL;
  char *user = nh ? get_header(MAP_CALL_RESPONSE_HEADERS, "x-user", NULL) : NULL;
  proxy_set_effective_context(ctx);
  if (!nh) {
    const char *msg = "auth unavailable";
    proxy_send_local_response(503, "wasm auth unavailable", 21, msg, strlen(msg), "", 0, -1);
  } else if (streq(status, "200")) {
    add_header(MAP_REQUEST_HEADERS, "x-auth-user", user ? user : "");
    proxy_continue_stream(STREAM_REQUEST);
  } else {
    const char *kv[] = {"x-auth-status", status ? status : ""};
    size_t n;
    char *pairs = make_pairs(kv, 1, &n);
    const char *msg = "auth denied";
    proxy_send_local_response(403, "wasm auth denied", 16, msg, strlen(msg), pairs, n, -1);
    free(pairs);
  }
  free(status);
  free(user);
}

static uint32_t start_grpc(uint32_t ctx) {
  char *cluster = config_get("grpc_cluster");
  char *service = get_header(MAP_REQUEST_HEADERS, "x-grpc-service", NULL);
  size_t sl = service ? strlen(service) : 0;
  /* HealthCheckRequest { string service = 1; } */
  char *msg = malloc(sl + 2);
  msg[0] = 0x0a;
  msg[1] = (char)sl;
  if (sl) memcpy(msg + 2, service, sl);
  const char *kv[] = {"x-wasm-md", "1"};
  size_t mdn;
  char *md = make_pairs(kv, 1, &mdn);
  uint32_t token = 0;
  status_t s = proxy_grpc_call(cluster ? cluster : "", cluster ? strlen(cluster) : 0, "grpc.health.v1.Health", 21,
                               "Check", 5, md, mdn, msg, sl + 2, 2000, &token);
  free(md);
  free(msg);
  free(service);
  free(cluster);
  if (s != OK) {
    add_int_header(MAP_REQUEST_HEADERS, "x-grpc-call-status", s);
    return 0;
  }
  int i = slot(ctx, 1);
  if (i >= 0) call_tokens[i] = token;
  return 1;
}

/* The slot of the stream waiting on call token, without forgetting it; -1 when none. */
static int slot_of_call(uint32_t token) {
  for (int i = 0; i < MAX_STREAMS; i++) {
    if (stream_ids[i] && call_tokens[i] == token) return i;
  }
  return -1;
}

static void stream_log_add(int i, const char *what, const char *text) {
  size_t used = strlen(stream_log[i]);
  snprintf(stream_log[i] + used, sizeof stream_log[i] - used, "%s%s:%s", used ? ";" : "", what, text);
}

/* The request goes on with the stream's log. */
static void stream_log_done(int i) {
  uint32_t ctx = stream_ids[i];
  call_tokens[i] = 0;
  proxy_set_effective_context(ctx);
  add_header(MAP_REQUEST_HEADERS, "x-grpc-stream-log", stream_log[i]);
  proxy_continue_stream(STREAM_REQUEST);
}

static uint32_t start_grpc_stream(uint32_t ctx) {
  char *cluster = get_header(MAP_REQUEST_HEADERS, "x-call-cluster", NULL);
  if (!cluster) cluster = config_get("grpc_cluster");
  uint32_t token = 0;
  status_t s = proxy_grpc_stream(cluster ? cluster : "", cluster ? strlen(cluster) : 0, "test.Chat", 9, "Talk", 4, "", 0,
                                 &token);
  free(cluster);
  if (s != OK) {
    add_int_header(MAP_REQUEST_HEADERS, "x-grpc-call-status", s);
    return 0;
  }
  int i = slot(ctx, 1);
  if (i < 0) return 0;
  call_tokens[i] = token;
  char *end = get_header(MAP_REQUEST_HEADERS, "x-chat-end", NULL);
  snprintf(stream_end[i], sizeof stream_end[i], "%s", end ? end : "");
  free(end);
  char *all = get_header(MAP_REQUEST_HEADERS, "x-chat-send", NULL);
  char *p = all;
  while (p && *p) {
    char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    int last = comma == NULL;
    proxy_grpc_send(token, p, n, last && streq(stream_end[i], "eos"));
    p = comma ? comma + 1 : p + n;
  }
  free(all);
  if (streq(stream_end[i], "close")) proxy_grpc_close(token);
  return 1; /* until the stream ends */
}

/* Logs one metadata value of a stream (token even), "-" when absent. */
static void stream_log_metadata(uint32_t token, uint32_t map, const char *name, const char *what) {
  int i = slot_of_call(token);
  if (i < 0 || token % 2) return;
  char *v = get_header(map, name, NULL);
  stream_log_add(i, what, v ? v : "-");
  free(v);
}

EXPORT(proxy_on_grpc_receive_initial_metadata) void on_grpc_initial(uint32_t root, uint32_t token, uint32_t n) {
  stream_log_metadata(token, MAP_GRPC_INITIAL, "x-chat", "init");
}

EXPORT(proxy_on_grpc_receive_trailing_metadata) void on_grpc_trailing(uint32_t root, uint32_t token, uint32_t n) {
  stream_log_metadata(token, MAP_GRPC_TRAILING, "x-chat-end", "trail");
}

EXPORT(proxy_on_grpc_receive) void on_grpc_receive(uint32_t root, uint32_t token, uint32_t size) {
  enter(root);
  if (token % 2 == 0) { /* a stream: log each message */
    int i = slot_of_call(token);
    if (i < 0) return;
    char *msg = buffer_string(BUF_GRPC_RECEIVE, size);
    stream_log_add(i, "msg", msg ? msg : "");
    free(msg);
    if (streq(stream_end[i], "cancel")) {
      proxy_grpc_cancel(token);
      stream_log_add(i, "cancelled", "1");
      stream_log_done(i);
    }
    return;
  }
  uint32_t ctx = take_stream(token);
  if (!ctx) return;
  const char *p = NULL;
  size_t n = 0;
  proxy_get_buffer_bytes(BUF_GRPC_RECEIVE, 0, size, &p, &n);
  char *hex = malloc(n * 2 + 1);
  for (size_t i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", (unsigned char)p[i]);
  hex[n * 2] = 0;
  free((void *)p);
  proxy_set_effective_context(ctx);
  add_header(MAP_REQUEST_HEADERS, "x-grpc-reply-hex", hex);
  free(hex);
  proxy_continue_stream(STREAM_REQUEST);
}

EXPORT(proxy_on_grpc_close) void on_grpc_close(uint32_t root, uint32_t token, uint32_t status) {
  enter(root);
  uint32_t code = 0;
  const char *m = NULL;
  size_t ml = 0;
  proxy_get_status(&code, &m, &ml);
  char *message = cstr(m, ml);
  free((void *)m);
  if (token % 2 == 0) {
    int i = slot_of_call(token);
    if (i >= 0) {
      char tmp[160];
      snprintf(tmp, sizeof tmp, "%u:%s", status, message);
      stream_log_add(i, "close", tmp);
      stream_log_done(i);
    }
    free(message);
    return;
  }
  uint32_t ctx = take_stream(token);
  if (!ctx) {
    free(message);
    return;
  }
  proxy_set_effective_context(ctx);
  add_int_header(MAP_REQUEST_HEADERS, "x-grpc-status", status);
  add_header(MAP_REQUEST_HEADERS, "x-grpc-message", message);
  free(message);
  proxy_continue_stream(STREAM_REQUEST);
}

static void props(void) {
  add_property_header("x-wasm-route-name", "xds.route_name");
  add_property_header("x-wasm-cluster-name", "xds.cluster_name");
  add_property_header("x-wasm-legacy-cluster-name", "cluster_name");
  add_property_header("x-wasm-source", "source.address");
  add_property_header("x-wasm-destination", "destination.address");
  add_property_header("x-wasm-plugin-name", "plugin_name");
  add_property_header("x-wasm-root-id", "plugin_root_id");
  add_property_header("x-wasm-vm-id", "plugin_vm_id");
  add_property_header("x-wasm-node-id", "xds.node.id");
  add_property_header("x-wasm-protocol", "request.protocol");
  add_property_header("x-wasm-path", "request.url_path");
  int found;
  long long dir = property_int("xds.listener_direction", &found);
  if (found) add_int_header(MAP_REQUEST_HEADERS, "x-wasm-listener-direction", dir);
}

EXPORT(proxy_on_request_headers) uint32_t on_request_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  enter(ctx);
  streams_started++;
  char *m = mode_of_request();
  uint32_t result = 0;
  add_version(MAP_REQUEST_HEADERS);
  if (streq(m, "headers")) {
    char *name = property("plugin_name", NULL);
    add_header(MAP_REQUEST_HEADERS, "x-wasm-plugin", name ? name : "");
    free(name);
  } else if (streq(m, "local")) {
    const char *kv[] = {"x-wasm-local", "1", "content-type", "text/plain"};
    size_t pn;
    char *pairs = make_pairs(kv, 2, &pn);
    const char *body = "denied by wasm\n";
    proxy_send_local_response(403, "denied by wasm", 14, body, strlen(body), pairs, pn, -1);
    free(pairs);
  } else if (streq(m, "auth")) {
    result = start_auth(ctx);
  } else if (streq(m, "grpc")) {
    result = start_grpc(ctx);
  } else if (streq(m, "grpc_stream")) {
    result = start_grpc_stream(ctx);
  } else if (streq(m, "body")) {
    proxy_remove_header_map_value(MAP_REQUEST_HEADERS, "content-length", 14);
    slot(ctx, 1);
  } else if (streq(m, "props")) {
    props();
  } else if (streq(m, "last_log")) {
    const char *v = NULL;
    size_t vn = 0;
    uint32_t cas;
    if (proxy_get_shared_data("last_log", 8, &v, &vn, &cas) == OK) {
      char *s = cstr(v, vn);
      add_header(MAP_REQUEST_HEADERS, "x-wasm-last-log", s);
      free(s);
      free((void *)v);
    }
  } else if (streq(m, "env")) {
    const char *env = getenv("WASM_TEST_ENV");
    add_header(MAP_REQUEST_HEADERS, "x-wasm-env", env ? env : "(unset)");
    add_header(MAP_REQUEST_HEADERS, "x-wasm-vm-config", vm_config ? vm_config : "");
    add_header(MAP_REQUEST_HEADERS, "x-wasm-config", plugin_config ? plugin_config : "");
  } else if (streq(m, "count")) {
    add_int_header(MAP_REQUEST_HEADERS, "x-wasm-count", bump("count", 1));
    add_int_header(MAP_REQUEST_HEADERS, "x-wasm-vm", vm_ordinal);
  } else if (streq(m, "ticks")) {
    add_int_header(MAP_REQUEST_HEADERS, "x-wasm-ticks", shared_int("ticks"));
  } else if (streq(m, "trap")) {
    __builtin_trap();
  } else if (streq(m, "close")) {
    proxy_close_stream(STREAM_REQUEST);
  } else if (streq(m, "hold_request") || streq(m, "hold_response")) {
    int i = slot(ctx, 1);
    char *key = get_header(MAP_REQUEST_HEADERS, "x-wm-key", NULL);
    if (i >= 0 && key) snprintf(hold_keys[i], sizeof hold_keys[i], "%s", key);
    free(key);
  } else if (streq(m, "release")) {
    char *key = get_header(MAP_REQUEST_HEADERS, "x-wm-key", NULL);
    if (key) bump(key, 1);
    free(key);
  }
  free(m);
  return result;
}

/* hold_request / hold_response: StopIterationAndWatermark until the stream's key is released. */
static uint32_t hold_body(uint32_t ctx, uint32_t which, uint32_t size) {
  int i = slot(ctx, 0);
  if (i < 0 || !hold_keys[i][0]) return 0;
  if (shared_int(hold_keys[i]) > 0) {
    held[i] = 0;
    return 0;
  }
  held_bytes[i] += size;
  char held_key[40], tmp[32];
  snprintf(held_key, sizeof held_key, "%s_held", hold_keys[i]);
  snprintf(tmp, sizeof tmp, "%lld", held_bytes[i]);
  proxy_set_shared_data(held_key, strlen(held_key), tmp, strlen(tmp), 0);
  held[i] = which;
  return 2; /* StopIterationAndWatermark */
}

/* Collects the body until the end, then rewrites it whole. */
EXPORT(proxy_on_request_body) uint32_t on_request_body(uint32_t ctx, uint32_t size, uint32_t eos) {
  enter(ctx);
  char *m = mode_of_request();
  int body = streq(m, "body");
  int hold = streq(m, "hold_request");
  free(m);
  if (hold) return hold_body(ctx, 1, size);
  if (!body) return 0;
  int i = slot(ctx, 1);
  if (i >= 0) stream_chunks[i]++;
  if (!eos) return 1; /* StopIterationAndBuffer: the host accumulates */
  char *in = buffer_string(BUF_REQUEST_BODY, size);
  size_t inl = in ? strlen(in) : 0;
  char *out = malloc(inl + 64);
  int k = snprintf(out, 64, "wasm[%u,%u]:", i >= 0 ? stream_chunks[i] : 0, size);
  memcpy(out + k, in ? in : "", inl);
  proxy_set_buffer_bytes(BUF_REQUEST_BODY, 0, size, out, (size_t)k + inl);
  free(out);
  free(in);
  return 0;
}

EXPORT(proxy_on_response_headers) uint32_t on_response_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  enter(ctx);
  add_version(MAP_RESPONSE_HEADERS);
  add_header(MAP_RESPONSE_HEADERS, "x-wasm-response", "1");
  char *m = mode_of_request();
  if (streq(m, "body")) {
    proxy_remove_header_map_value(MAP_RESPONSE_HEADERS, "content-length", 14);
    int i = slot(ctx, 1);
    if (i >= 0) stream_chunks[i] = 0;
  }
  free(m);
  return 0;
}

EXPORT(proxy_on_response_body) uint32_t on_response_body(uint32_t ctx, uint32_t size, uint32_t eos) {
  enter(ctx);
  char *m = mode_of_request();
  int body = streq(m, "body");
  int hold = streq(m, "hold_response");
  free(m);
  if (hold) return hold_body(ctx, 2, size);
  if (!body) return 0;
  int i = slot(ctx, 1);
  if (i >= 0) stream_chunks[i]++;
  if (!eos) return 1;
  char *in = buffer_string(BUF_RESPONSE_BODY, size);
  size_t inl = in ? strlen(in) : 0;
  char *out = malloc(inl + 96);
  int k = snprintf(out, 96, "{\"wasm_chunks\":%u,\"wasm_size\":%u,\"upstream\":", i >= 0 ? stream_chunks[i] : 0, size);
  memcpy(out + k, in ? in : "", inl);
  out[k + inl] = '}';
  proxy_set_buffer_bytes(BUF_RESPONSE_BODY, 0, size, out, (size_t)k + inl + 1);
  free(out);
  free(in);
  return 0;
}

/* At the end of a "props" stream: what the access-log phase sees. */
EXPORT(proxy_on_log) void on_log(uint32_t ctx) {
  enter(ctx);
  char *role = config_get("role");
  int logger = streq(role, "logger");
  free(role);
  if (logger) {
    char *t = get_header(MAP_REQUEST_HEADERS, "x-test", NULL);
    char *may_trap = config_get("trap_log");
    int trap = may_trap && streq(t, "trap_log");
    free(may_trap);
    free(t);
    if (trap) __builtin_trap();
    bump("logged", 1);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", streams_started);
    proxy_set_shared_data("logger_saw_streams", 18, tmp, strlen(tmp), 0);
    return;
  }
  char *m = get_header(MAP_REQUEST_HEADERS, "x-test", NULL);
  int wanted = streq(m, "props");
  free(m);
  if (!wanted) return;
  int found_code, found_flags, found_duration;
  long long code = property_int("response.code", &found_code);
  long long flags = property_int("response.flags", &found_flags);
  long long duration = property_int("request.duration", &found_duration);
  char *details = property("response.code_details", NULL);
  char *cluster = property("xds.cluster_name", NULL);
  char *upstream = property("upstream.address", NULL);
  char *status = get_header(MAP_RESPONSE_HEADERS, ":status", NULL);
  char out[512];
  snprintf(out, sizeof out, "code=%lld;details=%s;flags=%lld;duration=%s;cluster=%s;upstream=%s;status=%s",
           found_code ? code : -1, details ? details : "(none)", found_flags ? flags : -1,
           found_duration && duration > 0 ? "yes" : "no", cluster ? cluster : "(none)",
           upstream ? "yes" : "no", status ? status : "(none)");
  proxy_set_shared_data("last_log", 8, out, strlen(out), 0);
  free(details);
  free(cluster);
  free(upstream);
  free(status);
}

EXPORT(proxy_on_done) uint32_t on_done(uint32_t ctx) { return 1; }

EXPORT(proxy_on_delete) void on_delete(uint32_t ctx) {
  forget_context(ctx);
  int i = slot(ctx, 0);
  if (i >= 0) stream_ids[i] = 0;
}
