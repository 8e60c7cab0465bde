/* key_memory.c — what the duplicate-key set (src/engine/keys.c) costs per
 * account: N keys shaped like the bench's ids ("acct-0000001", 12 bytes)
 * put in a KeyTable, the heap in use measured before and after (glibc's
 * mallinfo2: the arena's blocks and the mapped ones), plus the shards, the
 * texts and the offsets the table mapped itself (keys.c's block_new, which
 * malloc does not see). The table keeps
 * every key's text, so the figure grows with the keys' length; the bench
 * prints it for the bench's ids and for 36-byte ids (UUIDs).
 *
 *   key_memory N     prints "N keys: B bytes (B per key); 36-byte keys: …"
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/keys.h"

static size_t heap_in_use(void) {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

/* The heap a table of N keys takes: the bench's ids, or UUID-shaped. */
static size_t table_bytes(long n, bool uuid) {
  size_t before = heap_in_use();
  KeyTable t;
  keys_init(&t);
  char key[64];
  for (long i = 1; i <= n; i++) {
    int len = uuid ? snprintf(key, sizeof key, "%08lx-0000-4000-8000-%06lx%06lx", i, i * 7919 % 0xFFFFFF,
                              i * 104729 % 0xFFFFFF)
                   : snprintf(key, sizeof key, "acct-%07ld", i);
    bool added;
    keys_put(&t, key_hash(key, (size_t)len), key, (size_t)len, &added);
  }
  size_t bytes = heap_in_use() - before;
  for (int i = 0; i < KEY_SHARDS; i++)
    if (t.shards[i].mapped) bytes += t.shards[i].cap * sizeof(KeySlot);
  /* the texts and their offsets, mapped likewise once they are large */
  if (t.pool_mapped) bytes += t.pool_cap;
  if (t.offset_mapped) bytes += t.offset_cap * sizeof *t.offset;
  keys_free(&t);
  return bytes;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  if (n <= 0) return 2;
  size_t ids = table_bytes(n, false);
  size_t uuids = table_bytes(n, true);
  printf("%ld keys: %zu bytes (%.1f per key); 36-byte keys: %zu bytes (%.1f per key)\n", n, ids,
         (double)ids / (double)n, uuids, (double)uuids / (double)n);
  return 0;
}
