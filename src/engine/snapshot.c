/* snapshot.c — dated data files and the table of accounts followed
 * across snapshots (snapshot.h). */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "engine/snapshot.h"
#include "engine/value.h"

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

enum { ACCT_FIRST = 1024 };

void acct_table_init(AcctTable *t) {
  t->cap = ACCT_FIRST;
  t->count = 0;
  t->slots = xcalloc(t->cap, sizeof *t->slots);
}

void acct_table_free(AcctTable *t) {
  free(t->slots);
  t->slots = NULL;
}

static AcctHist *slot_for(AcctHist *slots, size_t cap, uint64_t h) {
  size_t j = (size_t)h & (cap - 1);
  while (slots[j].hash && slots[j].hash != h)
    j = (j + 1) & (cap - 1);
  return &slots[j];
}

AcctHist *acct_table_get(AcctTable *t, uint64_t h) {
  if ((t->count + 1) * 2 > t->cap) {
    size_t cap = t->cap * 2;
    AcctHist *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < t->cap; i++)
      if (t->slots[i].hash) *slot_for(slots, cap, t->slots[i].hash) = t->slots[i];
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
  }
  AcctHist *a = slot_for(t->slots, t->cap, h);
  if (!a->hash) {
    a->hash = h;
    a->last = SNAP_NONE;
    a->index = (int32_t)t->count++;
  }
  return a;
}

uint64_t acct_table_seen_before(const AcctTable *t, int32_t date) {
  uint64_t n = 0;
  for (size_t i = 0; i < t->cap; i++)
    if (t->slots[i].hash && t->slots[i].last < date) n++;
  return n;
}
