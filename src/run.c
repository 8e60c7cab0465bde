/* run.c — scoring a run: data files read in order, each account checked
 * for a unique key, evaluated and written; rejected accounts counted so
 * that accounts in = scored + rejected, always. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kenko.h"
#include "check.h"
#include "eval.h"
#include "reader.h"
#include "run.h"
#include "writer.h"

/* Keys seen so far, as 64-bit hashes (open addressing; 0 = empty). Two
 * different keys with the same 64-bit hash would be taken for duplicates:
 * at a million accounts the chance is about 3·10⁻⁸. */
typedef struct KeySet {
  uint64_t *slots;
  size_t cap, count;
} KeySet;

static uint64_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h ? h : 1;
}

/* Adds H; false when it was already there. */
static bool keyset_add(KeySet *k, uint64_t h) {
  if ((k->count + 1) * 2 > k->cap) {
    size_t cap = k->cap ? k->cap * 2 : 1024;
    uint64_t *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < k->cap; i++) {
      if (!k->slots[i]) continue;
      size_t j = (size_t)k->slots[i] & (cap - 1);
      while (slots[j]) j = (j + 1) & (cap - 1);
      slots[j] = k->slots[i];
    }
    free(k->slots);
    k->slots = slots;
    k->cap = cap;
  }
  size_t j = (size_t)h & (k->cap - 1);
  while (k->slots[j]) {
    if (k->slots[j] == h) return false;
    j = (j + 1) & (k->cap - 1);
  }
  k->slots[j] = h;
  k->count++;
  return true;
}

typedef struct RunCtx {
  const Program *p;
  Evaluator *ev;
  const kenko_run_opts *opts;
  Diag *diag;
  WriteCtx w;
  Buf buf;
  KeySet keys;
  int32_t as_of;
  bool explain;          /* evaluate with the explanation trace */
  uint64_t scored, dup_rejected, seen;
  bool found;
  bool stop;
} RunCtx;

static bool on_account(void *ud, const Account *a, Arena *arena) {
  RunCtx *rc = ud;
  (void)arena;
  rc->seen++;
  if (rc->opts->progress && (rc->seen & 0xFFFF) == 0) rc->opts->progress(rc->opts->progress_ud, rc->seen);
  if (rc->p->key_input >= 0) {
    const Value *k = &a->values[rc->p->key_input];
    char num[32];
    const char *s = a->id;
    size_t n = strlen(a->id);
    if (k->type == T_TEXT) {
      s = k->u.text;
      n = k->len;
    } else if (k->type == T_NUMBER) {
      n = (size_t)num_format(k->u.num, num);
      s = num;
    }
    if (!keyset_add(&rc->keys, hash_bytes(s, n))) {
      diag_at(rc->diag, KENKO_ERROR, a->file, (int)a->line, 1,
              "account \"%s\": duplicate key (an earlier account has the same `%s`)", a->id,
              rc->p->inputs[rc->p->key_input].name);
      rc->dup_rejected++;
      return !rc->opts->strict;
    }
  }
  if (rc->opts->account) {
    if (strcmp(a->id, rc->opts->account) != 0) return true;
    rc->found = true;
  }
  const Result *r = eval_account(rc->ev, a->values, rc->as_of, rc->explain);
  switch (rc->opts->format) {
  case KENKO_FORMAT_JSONL: write_jsonl(&rc->w, a, r); break;
  case KENKO_FORMAT_CSV: write_csv(&rc->w, a, r); break;
  default: write_text(&rc->w, a, r); break;
  }
  rc->scored++;
  buf_flush(&rc->buf, 1 << 16);
  return true;
}

/* Today's local date. */
static int32_t today(void) {
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Splits "NA,N/A,#N/A" into an array in ARENA. */
static const char **split_na(const char *na, int32_t *n, Arena *arena) {
  *n = 0;
  if (!na || !*na) return NULL;
  int32_t cap = 1;
  for (const char *s = na; *s; s++)
    if (*s == ',') cap++;
  const char **out = arena_alloc(arena, (size_t)cap * sizeof *out);
  const char *start = na;
  for (const char *s = na;; s++) {
    if (*s == ',' || *s == '\0') {
      out[(*n)++] = arena_strndup(arena, start, (size_t)(s - start));
      if (!*s) break;
      start = s + 1;
    }
  }
  return out;
}

int run_program(const Program *p, const char *const *data, int ndata, const kenko_run_opts *opts, FILE *out,
                kenko_run_stats *stats) {
  memset(stats, 0, sizeof *stats);
  Diag diag;
  diag_init(&diag, &p->sources, opts->diag, opts->diag_ud);
  diag.color = opts->diag_color;
  int32_t as_of = today();
  if (opts->as_of && date_parse(opts->as_of, strlen(opts->as_of), &as_of) != 1) {
    diag_at(&diag, KENKO_ERROR, NULL, 0, 0, "--as-of needs a date YYYY-MM-DD, found \"%s\"", opts->as_of);
    return KENKO_ERR_USAGE;
  }
  Evaluator *ev = eval_new(p, &diag);
  if (!ev) return KENKO_ERR_RULES;

  Arena arena;
  arena_init(&arena, 0);
  Schema schema;
  eval_schema(p, &schema, &arena);
  ReadOpts ro;
  memset(&ro, 0, sizeof ro);
  ro.delimiter = opts->delimiter ? opts->delimiter : ',';
  ro.encoding = opts->encoding;
  ro.na = split_na(opts->na, &ro.nna, &arena);
  ro.thousands = opts->thousands;
  ro.strict = opts->strict;

  RunCtx rc;
  memset(&rc, 0, sizeof rc);
  rc.p = p;
  rc.ev = ev;
  rc.opts = opts;
  rc.diag = &diag;
  rc.as_of = as_of;
  rc.explain = opts->explain || opts->format == KENKO_FORMAT_TEXT;
  buf_init(&rc.buf, out);
  rc.w.p = p;
  rc.w.ev = ev;
  rc.w.buf = &rc.buf;
  rc.w.explain = opts->explain;
  rc.w.what_if = opts->what_if;
  rc.w.color = opts->color;
  date_format(as_of, rc.w.as_of);
  memcpy(rc.w.rules, p->fingerprint, 12);
  rc.w.rules[12] = '\0';
  if (opts->format == KENKO_FORMAT_CSV) write_csv_header(&rc.w);

  int status = KENKO_OK;
  ReadStats rs;
  memset(&rs, 0, sizeof rs);
  for (int i = 0; i < ndata; i++) {
    DataFormat fmt = reader_format_for(data[i]);
    if (opts->input_format) {
      if (strcmp(opts->input_format, "csv") == 0) fmt = FMT_CSV;
      else if (strcmp(opts->input_format, "yaml") == 0) fmt = FMT_YAML;
      else if (strcmp(opts->input_format, "json") == 0) fmt = FMT_JSON;
    }
    if (fmt == FMT_AUTO) {
      diag_at(&diag, KENKO_ERROR, data[i], 0, 0,
              "cannot tell the data format from the file name; use --input-format csv|yaml|json");
      status = KENKO_ERR_USAGE;
      break;
    }
    uint64_t before = rs.rejected;
    int rc_read = fmt == FMT_CSV ? read_csv(data[i], &schema, &ro, &diag, on_account, &rc, &rs)
                                 : read_yaml(data[i], &schema, &ro, &diag, on_account, &rc, &rs);
    buf_flush(&rc.buf, 0);
    if (rc_read == KENKO_ERR_USAGE) {
      status = KENKO_ERR_USAGE;
      break;
    }
    if (rc_read != KENKO_OK && status == KENKO_OK) status = KENKO_ERR_DATA;
    if (opts->strict && (rs.rejected > before || rc.dup_rejected > 0)) break;
  }
  buf_flush(&rc.buf, 0);
  stats->accounts = rs.accounts;
  stats->rejected = rs.rejected + rc.dup_rejected;
  stats->scored = rc.scored;
  stats->found = rc.found;
  if (opts->account) stats->scored = rc.found ? 1 : 0;
  if (rc.dup_rejected > 0 && status == KENKO_OK) status = KENKO_ERR_DATA;
  buf_free(&rc.buf);
  free(rc.keys.slots);
  arena_free(&arena);
  eval_free(ev);
  return status;
}
