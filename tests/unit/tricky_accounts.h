/* tricky_accounts.h — generated accounts for the unit tests that compare
 * a fast path with a general one (test_eval_fused.c, test_explain_fast.c):
 * a small deterministic generator and values of every type full of what
 * fast paths get wrong (missing inputs, numbers on and around the
 * thresholds, zero and -0, huge and tiny numbers, dates, text, booleans). */
#ifndef KENKO_TRICKY_ACCOUNTS_H
#define KENKO_TRICKY_ACCOUNTS_H

#include <string.h>

#include "base/arena.h"
#include "base/value.h"
#include "front/program.h"

/* A small deterministic generator (the same accounts on every run). */
static inline uint32_t next(uint64_t *state) {
  *state = *state * 6364136223846793005u + 1442695040888963407u;
  return (uint32_t)(*state >> 33);
}

/* A tricky value of TYPE. */
static inline Value tricky(uint8_t type, uint64_t *rng, int32_t as_of) {
  static const double numbers[] = {0,   -0.0, 1,     2,      2.5,    3,   4,   5,       6,       7,
                                   8,   9,    10,    12,     14,     15,  20,  30,      40,      50,
                                   70,  80,   100,   101,    -1,     -3,  0.3, 0.5,     0.6,     0.7,
                                   0.8, 1e-9, 1e300, -1e300, 5e-324, 365, 730, 1200000, 6000000, 3e6};
  static const char *const texts[] = {"basic", "pro", "enterprise", "", "b", "high", "normal", "low", "x"};
  uint32_t r = next(rng);
  if (r % 7 == 0) return val_missing(MISS_ABSENT);
  r /= 7;
  switch ((ValueType)type) {
  case T_NUMBER: return val_num(numbers[r % (sizeof numbers / sizeof *numbers)]);
  case T_BOOL: return val_bool(r & 1);
  case T_DATE: {
    static const int32_t days[] = {0, 1, 13, 14, 15, 89, 90, 91, 99, 180, 181, 364, 365, 366, 729, 730, 1000};
    int32_t d = days[r % (sizeof days / sizeof *days)];
    return val_date((r >> 8) & 1 ? as_of - d : as_of + d);
  }
  case T_TEXT: {
    const char *s = texts[r % (sizeof texts / sizeof *texts)];
    return val_text(s, (uint32_t)strlen(s));
  }
  default: return val_missing(MISS_ABSENT);
  }
}

/* A list input's value: missing, or a few records of tricky fields. */
static inline Value tricky_list(const InputDecl *in, uint64_t *rng, int32_t as_of, Arena *arena) {
  uint32_t n = next(rng) % 4;
  if (n == 3) return val_missing(MISS_ABSENT);
  Value *items = arena_alloc(arena, ((size_t)n * (size_t)in->nfields + 1) * sizeof *items);
  for (uint32_t k = 0; k < n * (uint32_t)in->nfields; k++)
    items[k] = tricky(in->fields[k % (uint32_t)in->nfields].type, rng, as_of);
  Value v = {0};
  v.type = T_LIST;
  v.len = n;
  v.u.items = items;
  return v;
}

/* Fills IN (P's inputs, in order) with a tricky account. */
static inline void tricky_account(const Program *p, Value *in, uint64_t *rng, int32_t as_of, Arena *arena) {
  for (int32_t i = 0; i < p->ninputs; i++)
    in[i] = p->inputs[i].type == T_LIST ? tricky_list(&p->inputs[i], rng, as_of, arena)
                                        : tricky(p->inputs[i].type, rng, as_of);
}

#endif
