/* test_keys.c — the key table (keys.c): keys found by their hash and
 * decided by their text, so two keys whose hashes collide stay two keys;
 * indices in insertion order across growth; the text a key compares by. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/keys.h"
#include "engine/snapshot.h"

static uint32_t put(KeyTable *t, const char *s, bool *added) {
  return keys_put(t, key_hash(s, strlen(s)), s, strlen(s), added);
}

static int64_t find(const KeyTable *t, const char *s) {
  return keys_find(t, key_hash(s, strlen(s)), s, strlen(s));
}

/* A pair of keys that collides under key_hash (found by a
 * distinguished-point search over 11-character ids; the regressions
 * key_collision, diff_key_collision and history_key_collision use it):
 * two keys, each found again. */
Test(keys, real_collision_is_two_keys) {
  cr_assert_eq(key_hash("ioyhQUYHAg6", 11), key_hash("1rp0UE9tOn7", 11));
  KeyTable t;
  keys_init(&t);
  bool added;
  cr_assert_eq(put(&t, "ioyhQUYHAg6", &added), 0);
  cr_assert(added);
  cr_assert_eq(put(&t, "1rp0UE9tOn7", &added), 1);
  cr_assert(added);
  cr_assert_eq(put(&t, "ioyhQUYHAg6", &added), 0);
  cr_assert_not(added);
  cr_assert_eq(find(&t, "1rp0UE9tOn7"), 1);
  cr_assert_eq(find(&t, "ioyhQUYHAg6"), 0);
  cr_assert_eq(find(&t, "ioyhQUYHAg7"), -1);
  keys_free(&t);
}

/* Keys of every length 0..40 that differ only in their last byte, only
 * in their first byte, or only in their length (a longer key beginning
 * with a shorter one), all given one hash: the text decides, so each is
 * its own key, found again after the table has grown past them. */
Test(keys, colliding_hashes_are_two_keys) {
  KeyTable t;
  keys_init(&t);
  bool added;
  char k[48];
  uint32_t next = 0;
  for (size_t n = 0; n <= 40; n++) {
    for (size_t i = 0; i < n; i++)
      k[i] = (char)('a' + i % 26);
    cr_assert_eq(keys_put(&t, 7, k, n, &added), next++, "length %zu", n);
    cr_assert(added);
    if (n == 0) continue;
    k[n - 1] = 'Z'; /* the last byte differs */
    cr_assert_eq(keys_put(&t, 7, k, n, &added), next++, "length %zu, last byte", n);
    cr_assert(added);
    k[n - 1] = (char)('a' + (n - 1) % 26);
    k[0] = 'Y'; /* the first byte differs */
    cr_assert_eq(keys_put(&t, 7, k, n, &added), next++, "length %zu, first byte", n);
    cr_assert(added);
  }
  for (int i = 0; i < 5000; i++) { /* other keys, so the shards grow */
    char s[16];
    snprintf(s, sizeof s, "g%d", i);
    keys_put(&t, key_hash(s, strlen(s)), s, strlen(s), &added);
    cr_assert(added);
  }
  next = 0;
  for (size_t n = 0; n <= 40; n++) {
    for (size_t i = 0; i < n; i++)
      k[i] = (char)('a' + i % 26);
    cr_assert_eq(keys_find(&t, 7, k, n), next);
    cr_assert_eq(keys_put(&t, 7, k, n, &added), next++);
    cr_assert_not(added);
    if (n == 0) continue;
    k[n - 1] = 'Z';
    cr_assert_eq(keys_find(&t, 7, k, n), next++);
    k[n - 1] = (char)('a' + (n - 1) % 26);
    k[0] = 'Y';
    cr_assert_eq(keys_find(&t, 7, k, n), next++);
    k[0] = 'X'; /* never put */
    cr_assert_eq(keys_find(&t, 7, k, n), -1);
  }
  keys_free(&t);
}

/* The hash reads a key 8 bytes at a time, its last 1 to 8 bytes as one
 * word: every byte of a key of any length 0..40 changes it, so does the
 * length (a key and the same key with a NUL more), and no byte past the
 * key is read (each key sits at the end of its own block: asan-test). */
Test(keys, hash_every_byte_and_length) {
  uint64_t seen[41];
  for (size_t n = 0; n <= 40; n++) {
    char *k = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
      k[i] = (char)('0' + i % 10);
    uint64_t h = key_hash(k, n);
    cr_assert_neq(h, 0, "0 marks an empty slot");
    for (size_t m = 0; m < n; m++)
      cr_assert_neq(seen[m], h, "lengths %zu and %zu", m, n);
    seen[n] = h;
    for (size_t i = 0; i < n; i++) {
      for (int bit = 0; bit < 8; bit++) {
        k[i] ^= (char)(1 << bit);
        cr_assert_neq(key_hash(k, n), h, "length %zu, byte %zu, bit %d", n, i, bit);
        k[i] ^= (char)(1 << bit);
      }
    }
    cr_assert_eq(key_hash(k, n), h, "the same bytes, the same hash");
    char *z = calloc(n + 1, 1); /* the key and a NUL after it */
    memcpy(z, k, n);
    cr_assert_neq(key_hash(z, n + 1), h, "length %zu and a NUL", n);
    free(z);
    free(k);
  }
}

/* Every key is hashed at its own address: the same text anywhere in
 * memory (any alignment) hashes the same. */
Test(keys, hash_any_alignment) {
  char buf[64];
  const char *key = "acct-0000001-and-more-text";
  size_t n = strlen(key);
  uint64_t h = key_hash(key, n);
  for (size_t off = 0; off < 16; off++) {
    memcpy(buf + off, key, n);
    cr_assert_eq(key_hash(buf + off, n), h, "offset %zu", off);
  }
}

Test(keys, forced_collision_in_one_slot) {
  /* Same hash given for different texts: the text decides. */
  KeyTable t;
  keys_init(&t);
  bool added;
  cr_assert_eq(keys_put(&t, 42, "a", 1, &added), 0);
  cr_assert_eq(keys_put(&t, 42, "b", 1, &added), 1);
  cr_assert(added);
  cr_assert_eq(keys_put(&t, 42, "ab", 2, &added), 2);
  cr_assert_eq(keys_put(&t, 42, "", 0, &added), 3);
  cr_assert_eq(keys_put(&t, 42, "b", 1, &added), 1);
  cr_assert_not(added);
  cr_assert_eq(keys_find(&t, 42, "", 0), 3);
  keys_free(&t);
}

Test(keys, many_keys_across_growth) {
  KeyTable t;
  keys_init(&t);
  char s[32];
  bool added;
  for (uint32_t i = 0; i < 100000; i++) {
    snprintf(s, sizeof s, "k%u", i);
    cr_assert_eq(put(&t, s, &added), i);
    cr_assert(added);
  }
  for (uint32_t i = 0; i < 100000; i += 7) {
    snprintf(s, sizeof s, "k%u", i);
    cr_assert_eq(find(&t, s), (int64_t)i);
    cr_assert_eq(put(&t, s, &added), i);
    cr_assert_not(added);
  }
  cr_assert_eq(find(&t, "k100000"), -1);
  keys_free(&t);
}

/* Enough keys for shards of 2 MB and more (mapped from the system and
 * aligned for huge pages, see keys.c's slots_new), every shard's
 * memory fresh from growth: each key keeps its index and is found again,
 * none that was not added is found, and the shards are all mapped, 2 MB
 * aligned, at most half full (each key found again after the doublings
 * also shows that growing places a key by its slot's 32 bits of hash
 * where a lookup with the whole hash looks). */
Test(keys, large_mapped_shards) {
  KeyTable t;
  keys_init(&t);
  char s[32];
  bool added;
  enum { N = 600000 };
  for (uint32_t i = 0; i < N; i++) {
    snprintf(s, sizeof s, "acct-%07u", i);
    cr_assert_eq(put(&t, s, &added), i);
    cr_assert(added);
  }
  for (int i = 0; i < KEY_SHARDS; i++) {
    const KeyShard *sh = &t.shards[i];
    cr_assert(sh->mapped, "shard %d", i);
    cr_assert_geq(sh->cap * sizeof(KeySlot), (size_t)2 << 20, "shard %d", i);
    cr_assert_eq((uintptr_t)sh->slots % ((size_t)2 << 20), 0, "shard %d", i);
    cr_assert_leq(sh->count * 2, sh->cap);
    cr_assert_eq(sh->cap, (size_t)1 << (64 - sh->shift), "shard %d", i);
  }
  for (uint32_t i = 0; i < N; i += 3) {
    snprintf(s, sizeof s, "acct-%07u", i);
    cr_assert_eq(find(&t, s), (int64_t)i);
    cr_assert_eq(put(&t, s, &added), i);
    cr_assert_not(added);
  }
  cr_assert_eq(find(&t, "acct-0600000"), -1);
  cr_assert_eq(t.count, N);
  keys_free(&t);
}

Test(keys, key_text) {
  char buf[32];
  size_t n;
  Value v = val_num(1001);
  const char *s = key_text(&v, "1001.0", buf, &n);
  cr_assert_eq(n, 4);
  cr_assert(memcmp(s, "1001", 4) == 0);
  v = val_num(9007199254740992.0); /* 2^53: neighbours read as it */
  s = key_text(&v, "9007199254740993", buf, &n);
  cr_assert_str_eq(s, "9007199254740993");
  v = val_num(-9007199254740992.0);
  s = key_text(&v, "-9007199254740992", buf, &n);
  cr_assert_str_eq(s, "-9007199254740992");
  v = val_num(9007199254740991.0);
  s = key_text(&v, "9007199254740991.0", buf, &n);
  cr_assert_eq(n, 16);
  cr_assert(memcmp(s, "9007199254740991", 16) == 0);
  v = val_date(0);
  s = key_text(&v, "1970-01-01", buf, &n);
  cr_assert_str_eq(s, "1970-01-01");
}

/* The accounts followed across snapshots (snapshot.c) use the same rule:
 * the colliding pair is two accounts, each with its own last snapshot. */
Test(keys, acct_table_colliding_keys_are_two_accounts) {
  AcctTable t;
  acct_table_init(&t);
  int32_t a = acct_table_index(&t, "ioyhQUYHAg6", 11);
  int32_t b = acct_table_index(&t, "1rp0UE9tOn7", 11);
  cr_assert_eq(a, 0);
  cr_assert_eq(b, 1);
  cr_assert_eq(t.last[a], SNAP_NONE);
  t.last[a] = 100;
  t.last[b] = 200;
  cr_assert_eq(acct_table_index(&t, "ioyhQUYHAg6", 11), a);
  cr_assert_eq(t.last[a], 100);
  cr_assert_eq(acct_table_seen_before(&t, 200), 1);
  cr_assert_eq(acct_table_seen_before(&t, 201), 2);
  for (int i = 0; i < 5000; i++) { /* across growth, indices stay */
    char id[16];
    snprintf(id, sizeof id, "k%d", i);
    cr_assert_eq(acct_table_index(&t, id, strlen(id)), i + 2);
  }
  cr_assert_eq(acct_table_index(&t, "1rp0UE9tOn7", 11), b);
  acct_table_free(&t);
}

/* keys_reserve sizes every shard for the keys to come at once: putting
 * that many keys afterwards grows no shard, and the keys put before it
 * (moved into the larger shards) are found again, with their indices.
 * Reserving fewer than the table holds changes nothing. */
Test(keys, reserve_then_no_growth) {
  KeyTable t;
  keys_init(&t);
  bool added;
  char s[24];
  for (int i = 0; i < 3000; i++) {
    snprintf(s, sizeof s, "before-%d", i);
    cr_assert_eq(put(&t, s, &added), (uint32_t)i);
  }
  enum { N = 200000 };
  keys_reserve(&t, N);
  size_t cap[KEY_SHARDS];
  for (int k = 0; k < KEY_SHARDS; k++) {
    cap[k] = t.shards[k].cap;
    cr_assert_geq(cap[k], (size_t)2 * (N / KEY_SHARDS), "shard %d: %zu slots", k, cap[k]);
  }
  for (int i = 0; i < 3000; i++) {
    snprintf(s, sizeof s, "before-%d", i);
    cr_assert_eq(find(&t, s), i, "%s after the reserve", s);
  }
  for (int i = 3000; i < N; i++) {
    snprintf(s, sizeof s, "after-%d", i);
    cr_assert_eq(put(&t, s, &added), (uint32_t)i);
    cr_assert(added);
  }
  for (int k = 0; k < KEY_SHARDS; k++)
    cr_assert_eq(t.shards[k].cap, cap[k], "shard %d grew", k);
  for (int i = 0; i < N; i += 997) {
    snprintf(s, sizeof s, i < 3000 ? "before-%d" : "after-%d", i);
    cr_assert_eq(find(&t, s), i);
    cr_assert_eq(put(&t, s, &added), (uint32_t)i);
    cr_assert_not(added);
  }
  keys_reserve(&t, 10);
  for (int k = 0; k < KEY_SHARDS; k++)
    cr_assert_eq(t.shards[k].cap, cap[k], "shard %d shrank", k);
  keys_free(&t);
}

/* After keys_reserve, the texts and their offsets grow once to what the
 * keys expected take (as long as the keys so far, on average): 60,000
 * keys of 12 bytes after a reserve of 60,000 move the pool and the
 * offsets once past their first blocks. Keys longer than those, or more
 * of them than expected, outgrow that size: the table grows again and
 * every key keeps its text and index. */
Test(keys, reserved_texts_grow_once) {
  KeyTable t;
  keys_init(&t);
  enum { N = 60000 };
  keys_reserve(&t, N);
  bool added;
  char s[64];
  char *pool = NULL;
  uint64_t *offset = NULL;
  int moved = 0;
  for (int i = 0; i < N; i++) {
    snprintf(s, sizeof s, "key-%07d", i + 1000000); /* 12 bytes */
    cr_assert_eq(put(&t, s, &added), (uint32_t)i);
    if (t.pool != pool || t.offset != offset) moved++;
    pool = t.pool;
    offset = t.offset;
  }
  /* the first blocks (together), then the pool and the offsets once each */
  cr_assert_leq(moved, 3, "the texts moved %d times", moved);
  cr_assert_leq(t.pool_cap, (size_t)N * 12 * 11 / 10, "pool of %zu bytes", t.pool_cap);
  for (int i = N; i < 3 * N; i++) { /* more keys than expected, and longer */
    snprintf(s, sizeof s, "a-much-longer-key-than-the-others-%d", i);
    cr_assert_eq(put(&t, s, &added), (uint32_t)i);
  }
  for (int i = 0; i < 3 * N; i += 7) {
    if (i < N)
      snprintf(s, sizeof s, "key-%07d", i + 1000000);
    else
      snprintf(s, sizeof s, "a-much-longer-key-than-the-others-%d", i);
    cr_assert_eq(find(&t, s), i, "%s", s);
  }
  keys_free(&t);
}

/* keys_put writes each key's end only (offset[count] is pool_len: the
 * key before ended there): across the texts' and the shards' growth,
 * with keys of 0 to 40 bytes, key I's text is from offset[I] to
 * offset[I + 1], the first from 0, the last to pool_len; and a shard
 * doubles once its keys pass half its slots (grow_at), never later. */
Test(keys, texts_end_to_end_and_shards_half_full) {
  KeyTable t;
  keys_init(&t);
  enum { N = 50000 };
  char s[64];
  bool added;
  for (int i = 0; i < N; i++) { /* (the last LEN digits of I: some again) */
    int len = i % 41;
    snprintf(s, sizeof s, "%040d", i);
    size_t count = t.count;
    uint32_t at = keys_put(&t, key_hash(s + 40 - len, (size_t)len), s + 40 - len, (size_t)len, &added);
    cr_assert_eq(t.count, count + added);
    if (added) cr_assert_eq(at, (uint32_t)count);
    if (len == 0 && i > 0) cr_assert_not(added); /* the empty key, again */
  }
  cr_assert_gt(t.count, N / 2);
  cr_assert_eq(t.offset[0], 0);
  cr_assert_eq(t.offset[t.count], t.pool_len);
  for (size_t k = 0; k < t.count; k++)
    cr_assert_leq(t.offset[k], t.offset[k + 1], "key %zu", k);
  for (int i = 0; i < N; i++) {
    int len = i % 41;
    snprintf(s, sizeof s, "%040d", i);
    int64_t at = keys_find(&t, key_hash(s + 40 - len, (size_t)len), s + 40 - len, (size_t)len);
    cr_assert_geq(at, 0, "key %d", i);
    cr_assert_eq(t.offset[at + 1] - t.offset[at], (uint64_t)len, "key %d", i);
    cr_assert_eq(memcmp(t.pool + t.offset[at], s + 40 - len, (size_t)len), 0, "key %d", i);
  }
  for (int k = 0; k < KEY_SHARDS; k++) {
    cr_assert_eq(t.shards[k].grow_at, t.shards[k].cap / 2, "shard %d", k);
    cr_assert_leq(t.shards[k].count, t.shards[k].grow_at, "shard %d", k);
    cr_assert_gt(t.shards[k].cap, (size_t)1 << 13, "shard %d never grew", k);
  }
  keys_free(&t);
}
