/*
 * The example Wasm filter: every request and response gets "x-wasm-greeting: <plugin configuration>".
 * Rolling out a new configuration (a new filter version) changes the greeting with no restart.
 * Build: deploy/examples/wasm-ecds/build.sh (clang + wasi-libc; the .wasm is committed).
 */
#include <stdlib.h>
#include <string.h>

#include "proxy_wasm_host.h"

PROXY_WASM_ABI_0_2_1
PROXY_WASM_ALLOCATOR

static char *greeting;

EXPORT(proxy_on_vm_start) uint32_t on_vm_start(uint32_t root, uint32_t size) { return 1; }

EXPORT(proxy_on_configure) uint32_t on_configure(uint32_t root, uint32_t size) {
  const char *p = NULL;
  size_t n = 0;
  if (size == 0 || proxy_get_buffer_bytes(BUF_PLUGIN_CONFIGURATION, 0, size, &p, &n) != OK || n == 0) {
    log_info("greeting: the plugin configuration (the greeting) must not be empty");
    return 0;
  }
  free(greeting);
  greeting = cstr(p, n);
  free((void *)p);
  return 1;
}

EXPORT(proxy_on_context_create) void on_context_create(uint32_t ctx, uint32_t parent) {}

EXPORT(proxy_on_request_headers) uint32_t on_request_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  set_header(MAP_REQUEST_HEADERS, "x-wasm-greeting", greeting);
  return 0;
}

EXPORT(proxy_on_response_headers) uint32_t on_response_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  set_header(MAP_RESPONSE_HEADERS, "x-wasm-greeting", greeting);
  return 0;
}
