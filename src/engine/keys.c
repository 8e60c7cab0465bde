/* keys.c — account keys compared exactly (see keys.h).
 *
 * Open addressing in shards picked by the hash's top bits, so that growing
 * copies one shard at a time (peak memory stays near the table's own
 * size): 8 bytes a slot, at most half full, plus 8 bytes an index and
 * the key's text in the pool; for a million ten-character keys, about
 * 34 MB. A slot holds the top 32 bits of the hash, and a key's place in
 * its shard comes from those bits too, so growing never reads a text; a
 * text is compared only when the 32 bits are equal: a duplicate, or
 * (with a million keys, about once in 2,000 lookups: the bits that
 * placed both keys near each other are equal anyway) two keys whose top
 * bits agree.
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
#define KEY_MAP_MIN   ((size_t)64 << 10)

/* Slots of a new shard: 64 KB, mapped (see block_new), so that a table
 * stays untouched where no key has gone and the first doublings of a
 * large one are skipped. The pool and the offsets start at 256 KB for
 * the same reason, mapped too; they grow by copying (block_grow), once
 * when keys_reserve told how many keys are coming. */
enum {
  KEY_SHARD_FIRST_BITS = 13, /* 8,192 slots, 64 KB */
  KEY_SHARD_MAX_BITS = 32 - KEY_SHARD_BITS,
  KEY_POOL_FIRST = 256 << 10,
  KEY_OFFSETS_FIRST = 32 << 10,
  /* keys_reserve goes no further (256 MB of slots): a guess from the
   * start of a file may be wrong, and growing takes the table on */
  KEY_RESERVE_MAX = 1 << 24
};

/* Loads of 8 and 4 bytes at P, in the machine's order (the hash differs
 * between byte orders, which no output shows). */
static inline uint64_t load64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline uint64_t load32(const unsigned char *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* The two halves of A * B (128 bits) folded into one word: every bit of
 * each operand reaches the middle of the result, and it cannot be undone
 * (unlike a multiplication by a constant), so a chosen word does not
 * steer the state where a caller wants it. */
static inline uint64_t fold_mul(uint64_t a, uint64_t b) {
  __extension__ typedef unsigned __int128 u128;
  u128 r = (u128)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
}

enum { KEY_WORD = 8 };
#define KEY_K0 0xa0761d6478bd642full
#define KEY_K1 0xe7037ed1a0b428dbull
#define KEY_K2 0x8ebc6af09c88c6e3ull

/* Eight bytes at a time: each word folded into the state (which is kept
 * beside the product, so a word that zeroes one factor does not wipe what
 * came before), the last 1 to 8 bytes read as one word without reading
 * past the key (overlapping the word before it when the key is longer),
 * the length in the seed. */
uint64_t key_hash(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  uint64_t h = KEY_K0 ^ n, last;
  if (n > KEY_WORD) {
    for (size_t i = 0; i + KEY_WORD < n; i += KEY_WORD)
      h += fold_mul(load64(p + i) ^ KEY_K1, h ^ KEY_K2);
    last = load64(p + n - KEY_WORD);
  } else if (n >= 4) {
    last = load32(p) << 32 | load32(p + n - 4);
  } else if (n > 0) {
    last = (uint64_t)p[0] << 16 | (uint64_t)p[n >> 1] << 8 | p[n - 1];
  } else {
    last = 0;
  }
  h = fold_mul(last ^ KEY_K1, h ^ KEY_K2) + h;
  h = fold_mul(h ^ KEY_K0, KEY_K1 ^ n);
  return h ? h : 1;
}

const char *key_text_other(const Value *key, const char *id, char *buf, size_t *n) {
  if (key->type == T_NUMBER && key->u.num > -9007199254740992.0 && key->u.num < 9007199254740992.0) {
    *n = (size_t)num_format(key->u.num, buf);
    return buf;
  }
  *n = strlen(id);
  return id;
}

/* BYTES zeroed (free with block_free): a key table's slots, pool or
 * offsets. A table of KEY_MAP_MIN bytes
 * and more is mapped straight from the system, whose pages come zeroed:
 * calloc would clear it again wherever it reuses freed memory (after the
 * first shard is freed, glibc serves blocks of that size from its heap),
 * which is most of what growing cost. Smaller ones, and any the system
 * will not map, come from calloc; *MAPPED tells which. FILLED: the
 * table is about to be filled (a shard grown, or sized for the keys a
 * file is expected to hold: keys_reserve), so its pages are made
 * writable at once: a page first read (a probe finds it empty) is the
 * shared zero page, and the write after it copies that page, flushing
 * the TLB of every core running the process's threads (--jobs: an
 * interrupt on the other core at each page). */
static void *block_new(size_t bytes, bool *mapped, bool filled) {
  *mapped = false;
  if (bytes < KEY_MAP_MIN) return xcalloc(1, bytes);
  /* 2 MB and more: aligned to 2 MB (the address; the length need not be), so that the
   * table can sit on huge pages, by mapping 2 MB more and trimming */
  size_t extra = bytes >= KEY_HUGE_PAGE ? KEY_HUGE_PAGE : 0;
  char *at = mmap(NULL, bytes + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (at == MAP_FAILED) return xcalloc(1, bytes);
  if (extra) {
    size_t head = (KEY_HUGE_PAGE - (uintptr_t)at % KEY_HUGE_PAGE) % KEY_HUGE_PAGE;
    if (head) munmap(at, head);
    if (extra - head) munmap(at + head + bytes, extra - head);
    at += head;
#ifdef MADV_HUGEPAGE
    madvise(at, bytes, MADV_HUGEPAGE); /* advice: failing is harmless */
#endif
  }
#ifdef MADV_POPULATE_WRITE
  if (filled) madvise(at, bytes, MADV_POPULATE_WRITE); /* (Linux 5.14: else faulted as used) */
#else
  (void)filled;
#endif
  *mapped = true;
  return at;
}

static void block_free(void *p, size_t bytes, bool mapped) {
  if (mapped)
    munmap(p, bytes);
  else
    free(p);
}

static KeySlot *slots_new(size_t n, bool *mapped, bool filled) {
  return block_new(n * sizeof(KeySlot), mapped, filled);
}

static void slots_free(KeySlot *slots, size_t n, bool mapped) {
  block_free(slots, n * sizeof(KeySlot), mapped);
}

/* Makes *P (of *CAP elements of ELEM bytes, USED of them kept; *MAPPED:
 * block_new's, else malloc's) room for NEED elements. Toward the keys
 * keys_reserve expects (EXPECT, with USED elements for COUNT keys so
 * far): as many elements as those would take, mapped and written at
 * once (block_new), so that the pages come in one call, on huge pages
 * where the system has them, instead of a page fault at each new page
 * (a million keys: 4,500 faults on the thread that scores, 2% of a
 * run). Otherwise doubled, from FIRST elements. */
static void *block_grow(void *p, size_t *cap, bool *mapped, size_t used, size_t need, size_t elem,
                        size_t first, size_t count, size_t expect) {
  size_t want = vec_capacity(*cap, need, first, elem);
  if (expect > count && count > 0) { /* USED as many elements a key as so far, and a margin */
    size_t all = (size_t)((double)used * (double)expect / (double)count);
    all += all / 32 + 64;
    if (all > want) want = all;
  }
  if (!*mapped && want * elem < KEY_MAP_MIN) {
    *cap = want;
    return xrealloc(p, want * elem);
  }
  bool m;
  void *q = block_new(want * elem, &m, expect > count);
  if (used) memcpy(q, p, used * elem);
  block_free(p, *cap * elem, *mapped);
  *cap = want;
  *mapped = m;
  return q;
}

/* KeyShard.grow_at for a shard of 2^BITS slots. */
static size_t grow_at_of(unsigned bits) {
  /* (a shard of 2^29 slots holds as many keys as it can place: more than
   * 2^28 keys in one shard are more than the indices can number anyway) */
  return bits < KEY_SHARD_MAX_BITS ? ((size_t)1 << bits) / 2 : SIZE_MAX;
}

void keys_init(KeyTable *t) {
  memset(t, 0, sizeof *t);
  for (int i = 0; i < KEY_SHARDS; i++) {
    t->shards[i].cap = (size_t)1 << KEY_SHARD_FIRST_BITS;
    t->shards[i].grow_at = grow_at_of(KEY_SHARD_FIRST_BITS);
    t->shards[i].shift = 64 - KEY_SHARD_FIRST_BITS;
    t->shards[i].slots = slots_new(t->shards[i].cap, &t->shards[i].mapped, false);
  }
}

void keys_free(KeyTable *t) {
  for (int i = 0; i < KEY_SHARDS; i++)
    slots_free(t->shards[i].slots, t->shards[i].cap, t->shards[i].mapped);
  block_free(t->pool, t->pool_cap, t->pool_mapped);
  block_free(t->offset, t->offset_cap * sizeof *t->offset, t->offset_mapped);
  memset(t, 0, sizeof *t);
}

static const KeyShard *shard_of(const KeyTable *t, uint64_t h) {
  return &t->shards[h >> (64 - KEY_SHARD_BITS)];
}

/* Key I's text is S (N bytes). */
static inline bool key_is(const KeyTable *t, uint32_t i, const char *s, size_t n) {
  return t->offset[i + 1] - t->offset[i] == n && memcmp(t->pool + t->offset[i], s, n) == 0;
}

/* The home slot in SH of a key whose hash has the top 32 bits TAG. */
static inline size_t home_of(const KeyShard *sh, uint32_t tag) {
  return (size_t)(((uint64_t)tag << 32 << KEY_SHARD_BITS) >> sh->shift);
}

/* The slot of key S in shard SH: where it is, or the empty one where it
 * would go (inlined: it is most of keys_put, once an account). */
__attribute__((always_inline)) static inline size_t slot_of(const KeyTable *t, const KeyShard *sh, uint64_t h,
                                                            const char *s, size_t n) {
  size_t mask = sh->cap - 1, j = (size_t)((h << KEY_SHARD_BITS) >> sh->shift);
  uint32_t tag = (uint32_t)(h >> 32);
  for (;;) {
    const KeySlot *k = &sh->slots[j];
    if (!k->index1) return j;
    if (k->tag == tag && key_is(t, k->index1 - 1, s, n)) return j;
    j = (j + 1) & mask;
  }
}

/* Makes shard SH 2^BITS slots (more than it has): each key goes to its
 * home slot in the larger shard, or the first empty one after it, in the
 * order of the old slots. Kept out of keys_put, which then needs fewer
 * registers saved. */
__attribute__((noinline)) static void shard_resize(KeyShard *sh, unsigned bits) {
  KeyShard grown = {
      .cap = (size_t)1 << bits, .count = sh->count, .grow_at = grow_at_of(bits), .shift = 64 - bits};
  grown.slots = slots_new(grown.cap, &grown.mapped, true);
  size_t mask = grown.cap - 1;
  for (size_t i = 0; i < sh->cap; i++) {
    KeySlot k = sh->slots[i];
    if (!k.index1) continue;
    size_t j = home_of(&grown, k.tag);
    while (grown.slots[j].index1)
      j = (j + 1) & mask;
    grown.slots[j] = k;
  }
  slots_free(sh->slots, sh->cap, sh->mapped);
  *sh = grown;
}

void keys_reserve(KeyTable *t, size_t n) {
  /* a shard's share, and a margin (the keys do not split evenly: about
   * 0.2% apart at a million) */
  if (n > KEY_RESERVE_MAX) n = KEY_RESERVE_MAX;
  if (n > t->expect) t->expect = n;
  size_t share = n / KEY_SHARDS;
  share += share / 64 + 64;
  for (int i = 0; i < KEY_SHARDS; i++) {
    KeyShard *sh = &t->shards[i];
    unsigned bits = 64 - sh->shift;
    while (bits < KEY_SHARD_MAX_BITS && ((size_t)1 << bits) < 2 * share)
      bits++;
    if (bits > 64 - sh->shift) shard_resize(sh, bits);
  }
}

/* Room in the pool for a key of N bytes more, and for its offsets.
 * Kept out of keys_put, as shard_resize. */
__attribute__((noinline)) static void texts_grow(KeyTable *t, size_t n) {
  if (t->pool_len + n + 1 > t->pool_cap)
    t->pool = block_grow(t->pool, &t->pool_cap, &t->pool_mapped, t->pool_len, t->pool_len + n + 1, 1,
                         KEY_POOL_FIRST, t->count, t->expect);
  if (t->count + 2 > t->offset_cap)
    t->offset = block_grow(t->offset, &t->offset_cap, &t->offset_mapped, t->count ? t->count + 1 : 0,
                           t->count + 2, sizeof *t->offset, KEY_OFFSETS_FIRST, t->count, t->expect);
  if (t->count == 0) t->offset[0] = 0; /* (the first key's start: keys_put writes only ends) */
}

uint32_t keys_put(KeyTable *t, uint64_t h, const char *s, size_t n, bool *added) {
  KeyShard *sh = &t->shards[h >> (64 - KEY_SHARD_BITS)];
  size_t j = slot_of(t, sh, h, s, n);
  if (sh->slots[j].index1) {
    *added = false;
    return sh->slots[j].index1 - 1;
  }
  *added = true;
  /* (in locals: the key's copy could write anywhere, for the compiler) */
  size_t len = t->pool_len, count = t->count;
  if (len + n + 1 > t->pool_cap || count + 2 > t->offset_cap) texts_grow(t, n);
  key_copy(t->pool + len, s, n);
  t->offset[count + 1] = len + n; /* (offset[count] is len: the key before ended there) */
  t->pool_len = len + n;
  t->count = count + 1;
  sh->slots[j] = (KeySlot){(uint32_t)(h >> 32), (uint32_t)count + 1};
  if (++sh->count > sh->grow_at) shard_resize(sh, 65 - sh->shift);
  return (uint32_t)count;
}

int64_t keys_find(const KeyTable *t, uint64_t h, const char *s, size_t n) {
  const KeyShard *sh = shard_of(t, h);
  size_t j = slot_of(t, sh, h, s, n);
  return sh->slots[j].index1 ? (int64_t)sh->slots[j].index1 - 1 : -1;
}
