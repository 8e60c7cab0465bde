/* keys.c — account keys compared exactly (see keys.h).
 *
 * Open addressing in shards picked by the hash's top bits, so that growing
 * copies one shard at a time (peak memory stays near the table's own
 * size): 16 bytes a slot, at most half full, plus 8 bytes an index and
 * the key's text in the pool; for a million ten-character keys, about
 * 50 MB. A slot holds the hash, so growing never reads a text, and a text
 * is compared only when the hashes are equal: a duplicate, or (about once
 * in 10^7 at a million keys) two keys whose hashes collide.
 *
 * The table is read at random, one cache miss per key: the caller
 * prefetches the slot before the account is scored. With 4 KB pages each
 * miss also misses the TLB, so shards of 2 MB and more ask for huge pages
 * where the system has them (Linux THP). */
#define _DEFAULT_SOURCE /* madvise */
#include "engine/keys.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/arena.h"
#include "base/numfmt.h"
#include "base/vec.h"

#define KEY_HUGE_PAGE ((size_t)2 << 20)

enum { KEY_SHARD_FIRST = 1024 }; /* slots of a new shard */

uint64_t key_hash(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h ? h : 1;
}

const char *key_text(const Value *key, const char *id, char *buf, size_t *n) {
  if (key->type == T_TEXT) {
    *n = key->len;
    return key->u.text;
  }
  if (key->type == T_NUMBER && key->u.num > -9007199254740992.0 && key->u.num < 9007199254740992.0) {
    *n = (size_t)num_format(key->u.num, buf);
    return buf;
  }
  *n = strlen(id);
  return id;
}

/* N zeroed slots (free with free()). */
static KeySlot *slots_new(size_t n) {
  size_t bytes = n * sizeof(KeySlot);
  if (bytes < KEY_HUGE_PAGE) return xcalloc(n, sizeof(KeySlot));
  KeySlot *slots = aligned_alloc(KEY_HUGE_PAGE, bytes); /* n is a power of two */
  if (!slots) return xcalloc(n, sizeof(KeySlot));
#ifdef MADV_HUGEPAGE
  madvise(slots, bytes, MADV_HUGEPAGE); /* advice: failing is harmless */
#endif
  memset(slots, 0, bytes);
  return slots;
}

void keys_init(KeyTable *t) {
  memset(t, 0, sizeof *t);
  for (int i = 0; i < KEY_SHARDS; i++) {
    t->shards[i].cap = KEY_SHARD_FIRST;
    t->shards[i].slots = slots_new(KEY_SHARD_FIRST);
  }
}

void keys_free(KeyTable *t) {
  for (int i = 0; i < KEY_SHARDS; i++)
    free(t->shards[i].slots);
  free(t->pool);
  free(t->offset);
  memset(t, 0, sizeof *t);
}

static const KeyShard *shard_of(const KeyTable *t, uint64_t h) {
  return &t->shards[h >> (64 - KEY_SHARD_BITS)];
}

void keys_prefetch(const KeyTable *t, uint64_t h) {
  const KeyShard *s = shard_of(t, h);
  __builtin_prefetch(&s->slots[(size_t)h & (s->cap - 1)]);
}

/* The slot of key S in shard SH: where it is, or the empty one where it
 * would go. */
static size_t slot_of(const KeyTable *t, const KeyShard *sh, uint64_t h, const char *s, size_t n) {
  size_t mask = sh->cap - 1, j = (size_t)h & mask;
  for (;;) {
    const KeySlot *k = &sh->slots[j];
    if (!k->hash) return j;
    if (k->hash == h && k->len == n && memcmp(t->pool + t->offset[k->index], s, n) == 0) return j;
    j = (j + 1) & mask;
  }
}

/* Doubles shard SH. */
static void shard_grow(KeyShard *sh) {
  size_t cap = sh->cap * 2;
  KeySlot *slots = slots_new(cap);
  for (size_t i = 0; i < sh->cap; i++) {
    if (!sh->slots[i].hash) continue;
    size_t j = (size_t)sh->slots[i].hash & (cap - 1);
    while (slots[j].hash)
      j = (j + 1) & (cap - 1);
    slots[j] = sh->slots[i];
  }
  free(sh->slots);
  sh->slots = slots;
  sh->cap = cap;
}

uint32_t keys_put(KeyTable *t, uint64_t h, const char *s, size_t n, bool *added) {
  KeyShard *sh = &t->shards[h >> (64 - KEY_SHARD_BITS)];
  size_t j = slot_of(t, sh, h, s, n);
  if (sh->slots[j].hash) {
    *added = false;
    return sh->slots[j].index;
  }
  *added = true;
  VEC_RESERVE(t->pool, t->pool_cap, t->pool_len + n + 1, 4096);
  VEC_GROW(t->offset, t->count, t->offset_cap, 1024);
  if (n) memcpy(t->pool + t->pool_len, s, n);
  uint32_t index = (uint32_t)t->count++;
  t->offset[index] = t->pool_len;
  t->pool_len += n;
  sh->slots[j] = (KeySlot){h, index, (uint32_t)n};
  if (++sh->count * 2 > sh->cap) shard_grow(sh);
  return index;
}

int64_t keys_find(const KeyTable *t, uint64_t h, const char *s, size_t n) {
  const KeyShard *sh = shard_of(t, h);
  size_t j = slot_of(t, sh, h, s, n);
  return sh->slots[j].hash ? (int64_t)sh->slots[j].index : -1;
}
