/*
 * A small map from context id to a pointer-sized value, for test modules that keep state per root
 * context or remember each stream's root: plugins with the same vm_id and code share one VM, one
 * root context each, and context ids only grow. Open addressing; deleted slots are reused.
 */
#ifndef XDSDP_CTX_MAP_H
#define XDSDP_CTX_MAP_H

#include <stdint.h>

#define CTX_MAP_SLOTS 8192 /* live contexts at once, well above what the tests keep */

typedef struct {
  uint32_t keys[CTX_MAP_SLOTS]; /* 0 = empty, UINT32_MAX = deleted */
  uintptr_t values[CTX_MAP_SLOTS];
} ctx_map;

static uint32_t ctx_map_hash(uint32_t k) { return (k * 2654435761u) % CTX_MAP_SLOTS; }

static uintptr_t ctx_map_get(const ctx_map *m, uint32_t key) {
  for (uint32_t i = ctx_map_hash(key), n = 0; n < CTX_MAP_SLOTS; i = (i + 1) % CTX_MAP_SLOTS, n++) {
    if (m->keys[i] == key) return m->values[i];
    if (m->keys[i] == 0) return 0;
  }
  return 0;
}

static void ctx_map_put(ctx_map *m, uint32_t key, uintptr_t value) {
  int32_t free_slot = -1;
  for (uint32_t i = ctx_map_hash(key), n = 0; n < CTX_MAP_SLOTS; i = (i + 1) % CTX_MAP_SLOTS, n++) {
    if (m->keys[i] == key) {
      m->values[i] = value;
      return;
    }
    if (m->keys[i] == UINT32_MAX && free_slot < 0) free_slot = (int32_t)i;
    if (m->keys[i] == 0) {
      if (free_slot < 0) free_slot = (int32_t)i;
      break;
    }
  }
  if (free_slot >= 0) {
    m->keys[free_slot] = key;
    m->values[free_slot] = value;
  }
}

static uintptr_t ctx_map_remove(ctx_map *m, uint32_t key) {
  for (uint32_t i = ctx_map_hash(key), n = 0; n < CTX_MAP_SLOTS; i = (i + 1) % CTX_MAP_SLOTS, n++) {
    if (m->keys[i] == key) {
      uintptr_t v = m->values[i];
      m->keys[i] = UINT32_MAX;
      m->values[i] = 0;
      return v;
    }
    if (m->keys[i] == 0) return 0;
  }
  return 0;
}

/*
 * Per-root configuration: roots_config[root] is the root's plugin configuration, parents[ctx] a
 * stream's root. root_of(ctx) is ctx itself for a root context.
 */
static ctx_map roots_config;
static ctx_map parents;

static uint32_t root_of(uint32_t ctx) {
  uint32_t p = (uint32_t)ctx_map_get(&parents, ctx);
  return p ? p : ctx;
}

static const char *config_of(uint32_t ctx) { return (const char *)ctx_map_get(&roots_config, root_of(ctx)); }

static void remember_parent(uint32_t ctx, uint32_t parent) {
  if (parent) ctx_map_put(&parents, ctx, parent);
}

static void set_root_config(uint32_t root, char *config) {
  char *old = (char *)ctx_map_get(&roots_config, root);
  free(old);
  ctx_map_put(&roots_config, root, (uintptr_t)config);
}

/* on_delete: a stream forgets its root; a root frees its configuration. */
static void forget_context(uint32_t ctx) {
  if (ctx_map_remove(&parents, ctx) == 0) {
    free((char *)ctx_map_remove(&roots_config, ctx));
  }
}

#endif
