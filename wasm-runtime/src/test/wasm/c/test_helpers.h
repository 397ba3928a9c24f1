/*
 * Helpers shared by the test modules that need configuration parsing, properties and shared-data
 * counters (tcp_filter.c, access_logger.c, shared_queue.c). Written for these tests from the ABI;
 * not an SDK.
 */
#ifndef XDSDP_TEST_HELPERS_H
#define XDSDP_TEST_HELPERS_H

#include <stdio.h>

#include "proxy_wasm_host.h"

/* The value of key in "k=v;k=v" (cfg may be NULL), as a new string, or NULL. */
static char *cfg_get(const char *cfg, const char *key) {
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

/* A whole buffer (up to max bytes) as a new NUL-terminated string, or NULL when absent. */
static char *buffer_text(uint32_t type, size_t max, size_t *len) {
  const char *p = NULL;
  size_t n = 0;
  if (proxy_get_buffer_bytes(type, 0, (uint32_t)max, &p, &n) != OK) return NULL;
  char *out = cstr(p, n);
  free((void *)p);
  if (len) *len = n;
  return out;
}

/* A property as a new string (NULL when absent); "a.b.c" is split at '.' into the ABI's form. */
static char *prop(const char *dotted, size_t *len) {
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

/* An integer property (8 bytes little-endian) as decimal text, or "-" when absent. */
static void prop_int_text(const char *dotted, char *out, size_t size) {
  size_t n = 0;
  char *v = prop(dotted, &n);
  if (v && n == 8) {
    long long x;
    memcpy(&x, v, 8);
    snprintf(out, size, "%lld", x);
  } else {
    snprintf(out, size, "-");
  }
  free(v);
}

/* A string property, or "-" when absent; the caller frees. */
static char *prop_text(const char *dotted) {
  char *v = prop(dotted, NULL);
  return v ? v : cstr("-", 1);
}

/* Adds delta to a shared-data counter with compare-and-swap; returns the new value. */
static long long bump(const char *key, long long delta) {
  for (int attempt = 0; attempt < 1000; attempt++) {
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

static void shared_put(const char *key, const char *value) {
  proxy_set_shared_data(key, strlen(key), value, strlen(value), 0);
}

#endif
