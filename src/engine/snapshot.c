/* snapshot.c — dated data files and the table of accounts followed
 * across snapshots (snapshot.h). */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/vec.h"
#include "engine/snapshot.h"
#include "base/value.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

int32_t snapshot_date_of_path(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  for (size_t i = 0; i + 10 <= n; i++) {
    const char *s = base + i;
    if (!(is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-' &&
          is_digit(s[5]) && is_digit(s[6]) && s[7] == '-' && is_digit(s[8]) && is_digit(s[9])))
      continue;
    int32_t days;
    if (date_parse(s, 10, &days) == 1) return days;
  }
  return SNAP_NONE;
}

void acct_table_init(AcctTable *t) {
  keys_init(&t->keys);
  t->last = NULL;
  t->last_cap = 0;
}

void acct_table_free(AcctTable *t) {
  keys_free(&t->keys);
  free(t->last);
  t->last = NULL;
}

int32_t acct_table_index(AcctTable *t, const char *s, size_t n) {
  bool added;
  uint32_t i = keys_put(&t->keys, key_hash(s, n), s, n, &added);
  if (added) {
    VEC_RESERVE(t->last, t->last_cap, (size_t)i + 1, 1024);
    t->last[i] = SNAP_NONE;
  }
  return (int32_t)i;
}

uint64_t acct_table_seen_before(const AcctTable *t, int32_t date) {
  uint64_t n = 0;
  for (size_t i = 0; i < t->keys.count; i++)
    if (t->last[i] < date) n++;
  return n;
}
