/* keys.h — account keys, compared exactly: a table found by a 64-bit hash
 * and decided by the key's text (two different keys with the same hash
 * are two keys), and the text a key compares by. Used by the scoring
 * loop (duplicate keys) and `kenko diff --data` (pairing accounts). */
#ifndef KENKO_KEYS_H
#define KENKO_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/value.h"

enum { KEY_SHARD_BITS = 3, KEY_SHARDS = 1 << KEY_SHARD_BITS };

/* One slot: the top 32 bits of the key's hash (its shard's bits, the
 * bits that place it in the shard, and more) and its index + 1 (0: the
 * slot is empty). 8 bytes: a million keys' slots fit in 16 MB. */
typedef struct KeySlot {
  uint32_t tag;
  uint32_t index1;
} KeySlot;

/* A shard of CAP = 2^(64 - SHIFT) slots: a key's home slot is the bits
 * of its hash below the shard's, (h << KEY_SHARD_BITS) >> SHIFT, so that
 * growing finds it again from its tag (CAP is at most 2^29). */
typedef struct KeyShard {
  KeySlot *slots;
  size_t cap, count;
  size_t grow_at; /* the count past which it doubles: half its slots
                     (SIZE_MAX at the largest) */
  unsigned shift;
  bool mapped; /* slots mapped from the system (else from calloc) */
} KeyShard;

/* Keys get indices 0, 1, 2, … in the order they are added; their texts
 * sit end to end in one pool, key I from offset[I] to offset[I + 1]
 * (offset[count] is pool_len: a new key's start is the last one's end,
 * written with it). */
typedef struct KeyTable {
  KeyShard shards[KEY_SHARDS];
  char *pool;
  size_t pool_len, pool_cap;
  uint64_t *offset; /* per index, and one more: where its text starts */
  size_t count, offset_cap;
  size_t expect;                   /* keys_reserve's keys: the pool and the
                                      offsets grow to them at once */
  bool pool_mapped, offset_mapped; /* mapped from the system (else malloc) */
} KeyTable;

void keys_init(KeyTable *t);
void keys_free(KeyTable *t);

/* The text KEY compares by, in BUF (32 bytes) or pointing into ID, with
 * its length in *N: a text key's text; a number key's shortest round-trip
 * form while it is below 2^53 in magnitude (1001 and 1001.0 are one key),
 * else ID, its digits as written (from 2^53 on, neighbouring integers are
 * the same double: 9007199254740993 reads as 9007199254740992); any other
 * key, ID. */
const char *key_text_other(const Value *key, const char *id, char *buf, size_t *n); /* not text */
static inline const char *key_text(const Value *key, const char *id, char *buf, size_t *n) {
  if (key->type == T_TEXT) { /* (inline: the usual key, once an account) */
    *n = key->len;
    return key->u.text;
  }
  return key_text_other(key, id, buf, n);
}

uint64_t key_hash(const char *s, size_t n);

/* Copies the N bytes of key S to DST: up to 16 bytes by two moves of a
 * fixed size (the compiler's, no call), overlapping when shorter. Inline:
 * once an account (keys_put, and a reading thread's packing). */
static inline void key_copy(char *dst, const char *s, size_t n) {
  if (n >= 8 && n <= 16) {
    memcpy(dst, s, 8);
    memcpy(dst + n - 8, s + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    memcpy(dst, s, 4);
    memcpy(dst + n - 4, s + n - 4, 4);
  } else if (n) {
    memcpy(dst, s, n);
  }
}

/* Starts loading H's slot into the cache (keys_put, a little later, then
 * finds it there). Inline: once an account. */
static inline void keys_prefetch(const KeyTable *t, uint64_t h) {
  const KeyShard *s = &t->shards[h >> (64 - KEY_SHARD_BITS)];
  __builtin_prefetch(&s->slots[(h << KEY_SHARD_BITS) >> s->shift]);
}

/* Makes the table as large as N keys in all would make it, at once: a
 * caller that knows about how many keys are coming saves the table's
 * growing (copying every key at each doubling) on the way there, and a
 * large table is on huge pages from its first key. The keys' texts and
 * their offsets are made that large at their first growth, when the
 * keys so far tell how long a key is. */
void keys_reserve(KeyTable *t, size_t n);

/* The index of key S (N bytes, hash H), added when new (*ADDED tells). */
uint32_t keys_put(KeyTable *t, uint64_t h, const char *s, size_t n, bool *added);

/* The index of key S, or -1. */
int64_t keys_find(const KeyTable *t, uint64_t h, const char *s, size_t n);

#endif
