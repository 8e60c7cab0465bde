/* run.c — scoring a run: data files read in order, each account checked
 * for a unique key, evaluated and written; rejected accounts counted so
 * that accounts in = scored + rejected, always. */
#define _DEFAULT_SOURCE /* ferror_unlocked: the output is this thread's */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/numfmt.h"
#include "kenko.h"
#include "front/program.h"
#include "engine/eval.h"
#include "engine/keys.h"
#include "engine/explain.h"
#include "io/reader.h"
#include "run/run.h"
#include "engine/run_jobs.h"
#include "engine/snapshot.h"
#include "engine/trend.h"
#include "io/writer.h"
#include "io/xlsx.h"

typedef struct RunCtx {
  const Program *p;
  Evaluator *ev;
  const kenko_run_opts *opts;
  Diag *diag;
  const ScoreSink *sink;
  /* read once an account: */
  FILE *out;         /* sink->out */
  int32_t key_input; /* p->key_input: the key's input, or -1 */
  EvalDepth depth;   /* what the sink needs evaluated */
  KeyTable keys;
  int32_t as_of;
  uint64_t scored, dup_rejected, seen;
  bool found;
  /* History (run.h): records grouped in snapshots. */
  bool history;
  bool all;               /* every snapshot goes to the sink */
  bool evaluate_all;      /* records of every snapshot are evaluated (trend
                             functions), not only those handed over */
  int32_t target;         /* one snapshot: the one handed over */
  int32_t limit;          /* records dated after it are not read */
  int32_t file_date;      /* dated files: this file's snapshot, else SNAP_NONE */
  int32_t cur;            /* the snapshot being read, or SNAP_NONE */
  int32_t last;           /* the last snapshot read, or SNAP_NONE */
  bool handing;           /* cur goes to the sink */
  bool past_limit;        /* a record after the limit was met: read no more */
  const ReadStats *rs;    /* the readers' running figures */
  uint64_t rej_base;      /* rs->rejected when cur began */
  uint64_t hist_rejected; /* rejected by the order or key rules */
  kenko_run_stats snap;   /* cur's own figures */
  uint64_t snapshots;
  AcctTable accts;
  /* with opts->account: the diagnostics pass through note_error, which
   * keeps the last error, so that a rejection of that account can be
   * told at the end with its reason (`kenko explain`) */
  kenko_diag_fn diag_fn;
  void *diag_ud;
  char last_error[512], last_file[512];
  int last_line, last_col;
  bool account_rejected;
  char rejected_error[512], rejected_file[512];
  int rejected_line, rejected_col;
  JobResult unpacked;  /* an account scored on a reading thread (--jobs) */
  const CExpr **exprs; /* sink->exprs compiled for ev */
  Value *values;       /* their values, for an account scored here */
  bool written;        /* accounts come written (ScoreSink.text) */
  /* accounts scored on a reading thread with only the inputs the sink
   * reads (ScoreJob.inputs): READS unpacked into INPUTS, whose other
   * places hold missing */
  bool packed_inputs;
  const int32_t *reads;
  int32_t nreads;
  Value *inputs;
  TrendStore trends; /* the earlier snapshots trend functions read */
  TrendView view;    /* the account being scored's */
  Value *subjects;   /* its trend subjects' values, to keep */
} RunCtx;

static void note_error(void *ud, const kenko_diag *d) {
  RunCtx *rc = ud;
  if (d->level == KENKO_ERROR) {
    snprintf(rc->last_error, sizeof rc->last_error, "%s", d->message);
    snprintf(rc->last_file, sizeof rc->last_file, "%s", d->file ? d->file : "");
    rc->last_line = d->line;
    rc->last_col = d->col;
  }
  if (rc->diag_fn) rc->diag_fn(rc->diag_ud, d);
}

/* Whether KEY is the account asked for (opts->account). */
static bool is_asked_for(const RunCtx *rc, const Value *key) {
  const char *want = rc->opts->account;
  if (key->type == T_TEXT) return strlen(want) == key->len && memcmp(want, key->u.text, key->len) == 0;
  if (key->type != T_NUMBER) return false;
  char num[32];
  size_t n = (size_t)num_format(key->u.num, num);
  return strlen(want) == n && memcmp(want, num, n) == 0;
}

/* `account "ID" was rejected, so it cannot be explained: REASON`, at the
 * place of the account's error: the last line of `kenko explain` for an
 * account the reader rejected. */
static void report_asked_rejected(RunCtx *rc) {
  const char *msg = rc->rejected_error, *rest = NULL;
  if (strncmp(msg, "account \"", 9) == 0) rest = strstr(msg + 9, "\": ");
  const char *file = rc->rejected_file[0] ? rc->rejected_file : NULL;
  if (rest)
    diag_at(rc->diag, KENKO_ERROR, file, rc->rejected_line, rc->rejected_col,
            "%.*s was rejected, so it cannot be explained: %s", (int)(rest + 1 - msg), msg, rest + 3);
  else
    diag_at(rc->diag, KENKO_ERROR, file, rc->rejected_line, rc->rejected_col,
            "account \"%s\" was rejected, so it cannot be explained: %s", rc->opts->account, msg);
}

/* The index of the account whose key is KEY (of the account ID) in the
 * history's table. */
static int32_t account_index(RunCtx *rc, const Value *key, const char *id) {
  char buf[32];
  size_t n;
  const char *text = key_text(key, id, buf, &n);
  return acct_table_index(&rc->accts, text, n);
}

/* Adds KEY (of the account ID) to the keys seen; false when it was there. */
static bool key_add(RunCtx *rc, const Value *key, const char *id) {
  char buf[32];
  size_t n;
  const char *text = key_text(key, id, buf, &n);
  bool added;
  keys_put(&rc->keys, key_hash(text, n), text, n, &added);
  return added;
}

/* The key of an account the reader rejected still takes its place: a
 * later account with the same key is a duplicate. */
static void rejected_key(void *ud, const Value *key, const char *id) {
  RunCtx *rc = ud;
  /* history: the record counts in the snapshot being read (as in the
   * per-snapshot figures), so its account was seen there: not "only in
   * earlier snapshots", and a later record of its key in the same
   * snapshot is a duplicate, as in a plain run */
  if (!rc->history)
    key_add(rc, key, id);
  else if (rc->p->key_input >= 0 && rc->cur != SNAP_NONE)
    rc->accts.last[account_index(rc, key, id)] = rc->cur;
  if (rc->opts->account && !rc->found && !rc->account_rejected && is_asked_for(rc, key)) {
    rc->account_rejected = true;
    memcpy(rc->rejected_error, rc->last_error, sizeof rc->last_error);
    memcpy(rc->rejected_file, rc->last_file, sizeof rc->last_file);
    rc->rejected_line = rc->last_line;
    rc->rejected_col = rc->last_col;
  }
}

/* Hands A, scored as R, to the sink (with its expressions' values). */
static inline void hand_to_sink(RunCtx *rc, const Account *a, const Result *r) {
  const ScoreSink *s = rc->sink;
  if (!s->account_values) {
    s->account(s->ud, a, r);
    return;
  }
  if (a->work) {
    s->account_values(s->ud, a, r, rc->unpacked.values);
    return;
  }
  job_values(rc->ev, rc->exprs, s->nexprs, rc->values);
  s->account_values(s->ud, a, r, rc->values);
}

/* Rejects A for a key seen before; returns whether to read on. */
static bool duplicate_key(RunCtx *rc, const Account *a) {
  diag_at(rc->diag, KENKO_ERROR, a->file, (int)a->line, 1,
          "account \"%s\": duplicate key (an earlier account has the same `%s`)", a->id,
          rc->p->inputs[rc->p->key_input].name);
  rc->dup_rejected++;
  return !rc->opts->strict;
}

/* Ends snapshot cur: its reader rejections are added to its figures and
 * the sink is told. */
static void snapshot_end(RunCtx *rc) {
  if (rc->cur == SNAP_NONE) return;
  rc->snap.rejected += rc->rs->rejected - rc->rej_base;
  rc->snap.accounts = rc->snap.scored + rc->snap.rejected;
  rc->rej_base = rc->rs->rejected;
  if (rc->handing && rc->sink->snapshot_done) rc->sink->snapshot_done(rc->sink->ud, rc->cur, &rc->snap);
  rc->cur = SNAP_NONE;
}

/* Makes DATE the snapshot being read. */
static void snapshot_enter(RunCtx *rc, int32_t date) {
  if (rc->cur == date) return;
  snapshot_end(rc);
  rc->cur = rc->last = date;
  rc->snapshots++;
  memset(&rc->snap, 0, sizeof rc->snap);
  rc->snap.snapshot = date;
  rc->handing = rc->all || date == rc->target;
  if (rc->handing && rc->sink->snapshot_begin) rc->sink->snapshot_begin(rc->sink->ud, date);
}

/* A record of history data rejected by the order or key rules. */
static bool history_reject(RunCtx *rc) {
  rc->snap.rejected++;
  rc->hist_rejected++;
  return !rc->opts->strict;
}

/* Whether the output has had no error (only this thread writes to it:
 * no lock taken, once an account). */
static bool output_ok(const RunCtx *rc) { return !rc->out || !ferror_unlocked(rc->out); }

/* One record of history data: placed in its snapshot, checked for order
 * and for its key's uniqueness in the snapshot, evaluated when it is
 * handed over or the trend functions need it. */
static bool on_record(RunCtx *rc, const Account *a) {
  const Program *p = rc->p;
  int32_t date = rc->file_date != SNAP_NONE ? rc->file_date : a->values[p->snapshot_input].u.date;
  if (date > rc->limit) {
    rc->past_limit = true;
    return false;
  }
  if (rc->cur != SNAP_NONE && date < rc->cur) {
    char was[11], now[11];
    date_format(date, was);
    date_format(rc->cur, now);
    diag_at(rc->diag, KENKO_ERROR, a->file, (int)a->line, 1,
            "account \"%s\": snapshot %s comes after a record of %s: records must be in date order (sort the "
            "export by `%s`)",
            a->id, was, now, p->inputs[p->snapshot_input].name);
    return history_reject(rc);
  }
  snapshot_enter(rc, date);
  int32_t acct = -1;
  if (p->key_input >= 0) {
    acct = account_index(rc, &a->values[p->key_input], a->id);
    int32_t *last = &rc->accts.last[acct];
    if (*last == date) {
      char day[11];
      date_format(date, day);
      diag_at(rc->diag, KENKO_ERROR, a->file, (int)a->line, 1,
              "account \"%s\": duplicate key in snapshot %s (an earlier record of it has the same `%s`)",
              a->id, day, p->inputs[p->key_input].name);
      return history_reject(rc);
    }
    *last = date;
  }
  bool hand = rc->handing;
  if (rc->opts->account && strcmp(a->id, rc->opts->account) != 0) return true;
  if (!hand && !rc->evaluate_all) return true;
  EvalDepth depth = !hand || rc->sink->scores_only ? EVAL_SCORES : EVAL_DETAILS;
  bool trend = p->uses_trend && acct >= 0;
  if (trend) {
    rc->view = trend_store_view(&rc->trends, acct, date);
    eval_set_trend(rc->ev, &rc->view);
  }
  const Result *r =
      a->work ? job_result(&rc->unpacked, a->work) : eval_account(rc->ev, a->values, date, depth);
  if (hand) {
    if (rc->opts->account) rc->found = true;
    hand_to_sink(rc, a, r);
    rc->snap.scored++;
    rc->scored++;
  }
  if (trend) {
    eval_trend_subjects(rc->ev, rc->subjects);
    eval_set_trend(rc->ev, NULL);
    trend_store_push(&rc->trends, acct, date, rc->subjects);
  }
  return !hand || output_ok(rc);
}

/* An account scored and written on a reading thread (ScoreSink.text):
 * its key checked, its text handed on; what on_account does for it,
 * without on_account's tests for the other kinds of account. */
static inline bool on_written(RunCtx *rc, const Account *a) {
  if ((++rc->seen & 0xFFFF) == 0 && rc->opts->progress) rc->opts->progress(rc->opts->progress_ud, rc->seen);
  if (rc->key_input >= 0) {
    size_t n;
    const char *text = job_key_text(a->work, &n);
    bool added;
    keys_put(&rc->keys, job_key_hash(a->work), text, n, &added);
    if (!added) return duplicate_key(rc, a);
  }
  rc->sink->written(rc->sink->ud, a, a->text, a->text_len);
  rc->scored++;
  return output_ok(rc);
}

/* How far ahead on_written_run fetches an account's head (written on
 * another core) and, from its hash there, its key's slot. */
enum { HEAD_AHEAD = 16, KEY_AHEAD = 8 };

/* JobWork.packed_run when accounts come written: RUN's accounts through
 * on_written, in this loop (once a worker's account, on the calling
 * thread, which is the busier one: no call through a pointer, the
 * Account made in place), which fetches the heads HEAD_AHEAD accounts
 * on and the key slots KEY_AHEAD on, as JobWork.ahead would. */
static bool on_written_run(void *ud, const PackedRun *run, size_t *done) {
  RunCtx *rc = ud;
  bool keyed = rc->key_input >= 0;
  size_t n = run->n;
  for (size_t k = 0; k < n && k < HEAD_AHEAD; k++)
    __builtin_prefetch(run->head + packed_at(run, k)->work);
  for (size_t k = 0; keyed && k < n && k < KEY_AHEAD; k++)
    keys_prefetch(&rc->keys, job_key_hash(run->head + packed_at(run, k)->work));
  Account a = {.file = run->file};
  for (size_t k = 0; k < n; k++) {
    if (k + HEAD_AHEAD < n) __builtin_prefetch(run->head + packed_at(run, k + HEAD_AHEAD)->work);
    if (keyed && k + KEY_AHEAD < n)
      keys_prefetch(&rc->keys, job_key_hash(run->head + packed_at(run, k + KEY_AHEAD)->work));
    packed_account(run, k, &a);
    if (!on_written(rc, &a)) {
      *done = k + 1;
      return false;
    }
  }
  *done = n;
  return true;
}

/* Each account is scored before its key is added to the set: the slot's
 * cache miss then overlaps the evaluation instead of stalling it. A
 * duplicate's result is dropped; evaluating has no other effect. */
static bool on_account(void *ud, const Account *a, Arena *arena) {
  RunCtx *rc = ud;
  (void)arena;
  Account full;
  if (rc->packed_inputs && a->work) { /* its inputs and Result, packed */
    full = *a;
    full.values = rc->inputs;
    full.work = job_inputs(a->work, rc->reads, rc->nreads, rc->inputs, &full.name);
    a = &full;
  }
  if ((++rc->seen & 0xFFFF) == 0 && rc->opts->progress) rc->opts->progress(rc->opts->progress_ud, rc->seen);
  if (rc->history) return on_record(rc, a);
  bool keyed = rc->key_input >= 0;
  const Value *key = keyed ? &a->values[rc->key_input] : NULL;
  if (rc->opts->account) {
    if (keyed && !key_add(rc, key, a->id)) return duplicate_key(rc, a);
    if (strcmp(a->id, rc->opts->account) != 0) return true;
    rc->found = true;
    keyed = false;
  }
  char buf[32];
  size_t n = 0;
  const char *text = keyed ? key_text(key, a->id, buf, &n) : NULL;
  uint64_t h = !keyed ? 0 : a->work ? job_key_hash(a->work) : key_hash(text, n);
  if (keyed && !a->work) keys_prefetch(&rc->keys, h); /* else ahead_account did */
  const Result *r =
      a->work ? job_result(&rc->unpacked, a->work) : eval_account(rc->ev, a->values, rc->as_of, rc->depth);
  bool added = true;
  if (keyed) keys_put(&rc->keys, h, text, n, &added);
  if (!added) return duplicate_key(rc, a);
  hand_to_sink(rc, a, r);
  rc->scored++;
  return output_ok(rc);
}

/* JobWork.ahead (a plain run with a key): the key's slot fetched while
 * the accounts before it are handled (an account scored on a reading
 * thread is not evaluated here, which would hide the cache miss). */
static void ahead_account(void *ud, const void *work) {
  RunCtx *rc = ud;
  keys_prefetch(&rc->keys, job_key_hash(work));
}

/* JobWork.replayed: the texts handed to the sink are about to go. */
static void batch_replayed(void *ud) {
  RunCtx *rc = ud;
  if (rc->written) rc->sink->written_end(rc->sink->ud);
}

/* ReadOpts.expect: the key table made as large as the RECORDS coming
 * will make it (plain runs: history keeps its keys elsewhere). */
static void expect_records(void *ud, uint64_t records) {
  RunCtx *rc = ud;
  keys_reserve(&rc->keys, (size_t)(rc->keys.count + records));
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

void run_read_opts(const kenko_run_opts *opts, ReadOpts *ro, Arena *arena) {
  memset(ro, 0, sizeof *ro);
  ro->delimiter = opts->delimiter ? opts->delimiter : ',';
  ro->encoding = opts->encoding;
  ro->na = split_na(opts->na, &ro->nna, arena);
  ro->thousands = opts->thousands;
  ro->strict = opts->strict;
}

bool run_parse_as_of(const kenko_run_opts *opts, Diag *diag, int32_t *as_of) {
  if (!opts->as_of) {
    *as_of = today();
    return true;
  }
  if (date_parse(opts->as_of, strlen(opts->as_of), as_of) == 1) return true;
  diag_at(diag, KENKO_ERROR, NULL, 0, 0, "--as-of needs a date YYYY-MM-DD, found \"%s\"", opts->as_of);
  return false;
}

bool run_begin(const Program *p, const kenko_run_opts *opts, kenko_run_stats *stats, Diag *diag,
               int32_t *as_of) {
  memset(stats, 0, sizeof *stats);
  diag_init(diag, &p->sources, opts->diag, opts->diag_ud);
  diag->color = opts->diag_color;
  return run_parse_as_of(opts, diag, as_of);
}

void run_write_dated(FILE *out, int32_t as_of, bool json, DatedWriter as_json, DatedWriter as_text,
                     const void *data) {
  char day[11];
  date_format(as_of, day);
  Buf b;
  buf_init(&b, out);
  (json ? as_json : as_text)(data, &b, day);
  buf_flush(&b, 0);
  buf_free(&b);
}

/* A data file and the snapshot its name dates (dated files). */
typedef struct DataFile {
  const char *path;
  int32_t date;
  int32_t order; /* its place on the command line */
} DataFile;

static int by_date(const void *x, const void *y) {
  const DataFile *a = x, *b = y;
  if (a->date != b->date) return a->date < b->date ? -1 : 1;
  return (a->order > b->order) - (a->order < b->order); /* stable: argument order */
}

/* Finding the snapshot a long table's one-snapshot run scores: the latest
 * record date on or before the limit, read before the scoring pass. */
typedef struct Prescan {
  int32_t limit, best;
} Prescan;

static bool prescan_record(void *ud, const Account *a, Arena *arena) {
  (void)arena;
  Prescan *ps = ud;
  if (a->values[0].type != T_DATE) return true;
  int32_t d = a->values[0].u.date;
  if (d > ps->limit) return false;
  if (d > ps->best) ps->best = d;
  return true;
}

static void silent(void *ud, const kenko_diag *d) {
  (void)ud;
  (void)d;
}

/* The latest snapshot dated on or before LIMIT in the long table DATA
 * (its snapshot column alone is read, silently: the scoring pass reports
 * what is wrong), or SNAP_NONE. */
static int32_t prescan_target(const Program *p, const Schema *schema, const ReadOpts *ro,
                              const char *const *data, int ndata, const kenko_run_opts *opts, int32_t limit) {
  FieldSchema field = schema->inputs[p->snapshot_input];
  field.optional = true;
  field.key = false;
  Schema one = {&field, 1, -1};
  Diag quiet;
  diag_init(&quiet, &p->sources, silent, NULL);
  Prescan ps = {limit, SNAP_NONE};
  for (int i = 0; i < ndata; i++) {
    DataFormat fmt = reader_format(data[i], opts->input_format, &quiet);
    if (fmt == FMT_AUTO) break;
    ReadStats rs;
    memset(&rs, 0, sizeof rs);
    read_data(data[i], fmt, &one, ro, &quiet, prescan_record, &ps, &rs);
  }
  return ps.best;
}

int score_accounts(const Program *p, Evaluator *ev, int32_t as_of, const char *const *data, int ndata,
                   const kenko_run_opts *opts, Diag *diag, const ScoreSink *sink, kenko_run_stats *stats) {
  memset(stats, 0, sizeof *stats);
  Arena arena;
  arena_init(&arena, 0);
  Schema schema;
  eval_schema(p, &schema, &arena);
  ReadOpts ro;
  run_read_opts(opts, &ro, &arena);
  ro.rejected_key = rejected_key;

  RunCtx rc;
  memset(&rc, 0, sizeof rc);
  rc.p = p;
  rc.ev = ev;
  rc.opts = opts;
  rc.diag = diag;
  rc.as_of = as_of;
  rc.sink = sink;
  rc.out = sink->out;
  rc.key_input = p->key_input;
  rc.depth = sink->scores_only ? EVAL_SCORES : EVAL_DETAILS;
  ro.rejected_ud = &rc;
  keys_init(&rc.keys);
  if (opts->account) {
    rc.diag_fn = diag->fn;
    rc.diag_ud = diag->ud;
    diag->fn = note_error;
    diag->ud = &rc;
  }
  ReadStats rs;
  memset(&rs, 0, sizeof rs);
  rc.rs = &rs;
  rc.history = p->snapshot_input >= 0 || p->uses_trend || sink->all_snapshots;
  rc.all = sink->all_snapshots;
  rc.evaluate_all = rc.all || p->uses_trend;
  rc.target = SNAP_NONE;
  rc.limit = rc.all || !opts->as_of ? INT32_MAX : as_of;
  rc.file_date = SNAP_NONE;
  rc.cur = rc.last = SNAP_NONE;
  acct_table_init(&rc.accts);
  job_result_init(&rc.unpacked, ev, sink->nexprs);
  rc.exprs = job_compile(ev, sink->exprs, sink->nexprs, &arena);
  rc.values = arena_alloc(&arena, ((size_t)sink->nexprs + 1) * sizeof *rc.values);
  trend_store_init(&rc.trends, p);
  rc.subjects = arena_alloc(&arena, ((size_t)p->ntrend_subjects + 1) * sizeof *rc.subjects);

  int status = KENKO_OK;
  /* The files in reading order: as given, or by the date in their names. */
  DataFile *files = arena_alloc(&arena, (size_t)(ndata + 1) * sizeof *files);
  for (int i = 0; i < ndata; i++) {
    files[i].path = data[i];
    files[i].date = SNAP_NONE;
    files[i].order = i;
  }
  bool dated = rc.history && p->snapshot_input < 0;
  if (rc.all && p->key_input < 0) {
    diag_at(
        diag, KENKO_ERROR, NULL, 0, 0,
        "history needs a `key` input to follow each account across snapshots; declare one (`input id: text "
        "key`)");
    status = KENKO_ERR_USAGE;
  }
  if (dated && status == KENKO_OK) {
    for (int i = 0; i < ndata; i++) {
      files[i].date = snapshot_date_of_path(data[i]);
      if (files[i].date == SNAP_NONE) {
        diag_at(
            diag, KENKO_ERROR, data[i], 0, 0,
            "no date (YYYY-MM-DD) in the file name: read as history, each data file is one snapshot dated "
            "by its name (accounts-2026-09-30.csv), unless an input is declared `snapshot`");
        status = KENKO_ERR_USAGE;
      }
    }
    if (status == KENKO_OK) qsort(files, (size_t)ndata, sizeof *files, by_date);
  }
  if (rc.history && !rc.all && status == KENKO_OK) {
    if (dated) {
      for (int i = 0; i < ndata; i++)
        if (files[i].date <= rc.limit) rc.target = files[i].date;
    } else {
      rc.target = prescan_target(p, &schema, &ro, data, ndata, opts, rc.limit);
    }
    rc.limit = rc.target;
    if (rc.target == SNAP_NONE && ndata > 0 && opts->as_of) {
      diag_at(diag, KENKO_ERROR, NULL, 0, 0, "no snapshot is dated on or before --as-of %s", opts->as_of);
      status = KENKO_ERR_USAGE;
    }
  }

  /* --jobs: the accounts scored on the reading threads when the sink
   * reads nothing but the Result and nothing ties an account to those
   * before it (trend functions read the earlier snapshots) */
  ScoreJob sj = {.like = ev,
                 .scores_only = sink->scores_only,
                 .as_of = as_of,
                 .history = rc.history,
                 .all = rc.all,
                 .snapshot_input = p->snapshot_input,
                 .file_date = SNAP_NONE,
                 .target = rc.target,
                 .limit = rc.limit,
                 .exprs = sink->exprs,
                 .nexprs = sink->nexprs,
                 .key_input = p->key_input,
                 .ahead = !rc.history && p->key_input >= 0 ? ahead_account : NULL,
                 .replayed = batch_replayed};
  bool scored_there = sink->result_only && !opts->account && !p->uses_trend;
  rc.written = scored_there && sink->text && !rc.history && sink->nexprs == 0;
  sj.text = rc.written ? sink->text : NULL;
  sj.packed_run = rc.written ? on_written_run : NULL;
  /* the sink reads few inputs: the values stay on the reading threads,
   * which pack those (and the ones read here: the key, the snapshot) */
  rc.packed_inputs = scored_there && !rc.written && sink->inputs_declared;
  if (rc.packed_inputs) {
    int32_t *reads = arena_alloc(&arena, ((size_t)sink->nreads + 2) * sizeof *reads);
    int32_t nreads = 0;
    for (int32_t k = 0; k < sink->nreads; k++)
      reads[nreads++] = sink->reads[k];
    if (p->key_input >= 0) reads[nreads++] = p->key_input;
    if (p->snapshot_input >= 0) reads[nreads++] = p->snapshot_input;
    rc.reads = sj.reads = reads;
    rc.nreads = sj.nreads = nreads;
    sj.inputs = true;
    rc.inputs = arena_alloc(&arena, ((size_t)schema.ninputs + 1) * sizeof *rc.inputs);
    for (int32_t i = 0; i < schema.ninputs; i++)
      rc.inputs[i] = val_missing(MISS_ABSENT);
  }
  if (!rc.history && p->key_input >= 0) {
    ro.expect = expect_records;
    ro.expect_ud = &rc;
  }
  ro.values = eval_inputs(ev); /* (the history's prescan is done) */
  JobWork work = score_job_work(&sj);
  for (int i = 0; i < ndata && status != KENKO_ERR_USAGE; i++) {
    const char *path = files[i].path;
    if (dated) {
      if (files[i].date > rc.limit) break;
      rc.file_date = files[i].date;
      snapshot_enter(&rc, files[i].date);
    }
    DataFormat fmt = reader_format(path, opts->input_format, diag);
    if (fmt == FMT_AUTO) {
      status = KENKO_ERR_USAGE;
      break;
    }
    uint64_t before = rs.rejected;
    sj.file_date = rc.file_date;
    int rc_read = read_data_jobs(path, fmt, &schema, &ro, diag, on_account, &rc, &rs, opts->jobs,
                                 scored_there ? &work : NULL);
    if (sink->file_done) sink->file_done(sink->ud);
    if (rc_read == KENKO_ERR_USAGE) {
      status = KENKO_ERR_USAGE;
      break;
    }
    if (rc_read != KENKO_OK && status == KENKO_OK) status = KENKO_ERR_DATA;
    if (opts->strict && (rs.rejected > before || rc.dup_rejected > 0 || rc.hist_rejected > 0)) break;
    if (rc.past_limit) break;
    if (sink->out && ferror(sink->out)) break; /* the caller reports it */
  }
  if (rc.history) snapshot_end(&rc);
  stats->accounts = rs.accounts;
  stats->rejected = rs.rejected + rc.dup_rejected + rc.hist_rejected;
  stats->scored = rc.scored;
  stats->found = rc.found;
  if (rc.history) {
    stats->accounts = stats->scored + stats->rejected;
    stats->snapshots = rc.snapshots;
    stats->snapshot = rc.all ? rc.last : rc.target;
    if (!rc.all && rc.target != SNAP_NONE) stats->earlier_only = acct_table_seen_before(&rc.accts, rc.target);
    if (rc.target == SNAP_NONE && !rc.all) stats->snapshots = 0;
  }
  if (opts->account) {
    stats->scored = rc.found ? 1 : 0;
    diag->fn = rc.diag_fn;
    diag->ud = rc.diag_ud;
    stats->found_rejected = !rc.found && rc.account_rejected;
    if (stats->found_rejected) report_asked_rejected(&rc);
  }
  if ((rc.dup_rejected > 0 || rc.hist_rejected > 0) && status == KENKO_OK) status = KENKO_ERR_DATA;
  stats->trend_bytes = rc.trends.peak_bytes;
  trend_store_free(&rc.trends);
  job_result_free(&rc.unpacked);
  acct_table_free(&rc.accts);
  keys_free(&rc.keys);
  arena_free(&arena);
  return status;
}

/* The writers as a sink: each account's output, flushed in large writes. */
typedef struct WriterSink {
  WriteCtx w;
  Buf buf;
  /* ScoreSink.written's rows not yet copied to buf, which go there as
   * one (SPAN_END - SPAN bytes; SPAN NULL: none): the texts of a batch's
   * accounts follow each other, valid until written_end */
  const char *span, *span_end;
  kenko_format format;
  const Evaluator *ev;
  Explainer *x;
  bool explain; /* explain each account (w.ex), */
  bool what_if; /* with what would change the grade */
} WriterSink;

/* Writes what has gathered in the output's buffer once it passes 64 KiB
 * (the check inline: once an account). */
static inline void output_flush_some(WriterSink *ws) {
  if (ws->buf.len >= (size_t)1 << 16) buf_flush(&ws->buf, 0);
}

static void write_account(void *ud, const Account *a, const Result *r) {
  WriterSink *ws = ud;
  if (ws->explain) explain_account(ws->x, ws->ev, r, ws->what_if);
  switch (ws->format) {
  case KENKO_FORMAT_JSONL: write_jsonl(&ws->w, a, r); break;
  case KENKO_FORMAT_CSV: write_csv(&ws->w, a, r); break;
  case KENKO_FORMAT_XLSX: write_xlsx(&ws->w, a, r); break;
  default: write_text(&ws->w, a, r); break;
  }
  output_flush_some(ws);
}

/* write_account for CSV without explanations (the common run). */
static void write_account_csv(void *ud, const Account *a, const Result *r) {
  WriterSink *ws = ud;
  write_csv(&ws->w, a, r);
  output_flush_some(ws);
}

/* A reading thread's writer (ScoreSink.text): the run's, with plans of
 * its own (and its own number cache, in the Buf it writes to). Only for
 * the writers that read nothing but the Account and the Result (csv
 * without an output encoding, jsonl without explanations). */
typedef struct ThreadWriter {
  WriteCtx w;
  kenko_format format;
} ThreadWriter;

static void *thread_writer_start(void *ud) {
  const WriterSink *ws = ud;
  ThreadWriter *t = xmalloc(sizeof *t);
  t->w = ws->w;
  t->w.buf = NULL;
  t->w.has_plans = false;
  t->w.csv = NULL;
  t->w.jsonl = NULL;
  t->w.grade_pos = NULL;
  t->format = ws->format;
  return t;
}

static void thread_writer_write(void *state, const Account *a, const Result *r, Buf *b) {
  ThreadWriter *t = state;
  t->w.buf = b;
  if (t->format == KENKO_FORMAT_CSV)
    write_csv(&t->w, a, r);
  else
    write_jsonl(&t->w, a, r);
}

static void thread_writer_stop(void *state) {
  ThreadWriter *t = state;
  writer_free(&t->w);
  free(t);
}

/* The rows of the span go to the buffer. */
static void span_take(WriterSink *ws) {
  if (!ws->span) return;
  buf_put(&ws->buf, ws->span, (size_t)(ws->span_end - ws->span));
  ws->span = ws->span_end = NULL;
}

/* ScoreSink.written: an account's output made on a reading thread, kept
 * in its batch while the next ones follow it there, so that a batch's
 * rows are copied at once; written out when the buffer would have
 * passed 64 KiB with it (output_flush_some), as at -j 1: an output error
 * then stops the run at the same account. */
static void write_written(void *ud, const Account *a, const char *text, size_t n) {
  WriterSink *ws = ud;
  (void)a;
  if (text != ws->span_end || !ws->span) {
    span_take(ws);
    ws->span = text;
  }
  ws->span_end = text + n;
  if (ws->buf.len + (size_t)(ws->span_end - ws->span) >= (size_t)1 << 16) {
    span_take(ws);
    buf_flush(&ws->buf, 0);
  }
}

/* ScoreSink.written_end: the batch's texts are about to go. */
static void written_end(void *ud) { span_take(ud); }

/* Over history the output is dated by the snapshot scored. */
static void output_snapshot(void *ud, int32_t date) {
  WriterSink *ws = ud;
  date_format(date, ws->w.as_of);
}

static void flush_output(void *ud) {
  WriterSink *ws = ud;
  buf_flush(&ws->buf, 0);
}

bool run_csv_for_spreadsheet(const kenko_run_opts *opts) {
  return opts->format == KENKO_FORMAT_CSV && (opts->excel_safe || opts->bom || opts->output_encoding);
}

int run_program(const CProgram *cp, const char *const *data, int ndata, const kenko_run_opts *opts, FILE *out,
                kenko_run_stats *stats) {
  const Program *p = cp->prog;
  Diag diag;
  int32_t as_of;
  if (!run_begin(p, opts, stats, &diag, &as_of)) return KENKO_ERR_USAGE;
  Evaluator *ev = eval_new(cp);

  WriterSink ws;
  memset(&ws, 0, sizeof ws);
  ws.format = opts->format;
  buf_init(&ws.buf, out);
  ws.ev = ev;
  ws.x = explain_new(cp);
  ws.explain = opts->explain || opts->format == KENKO_FORMAT_TEXT;
  ws.what_if = opts->what_if || (opts->explain && opts->format == KENKO_FORMAT_JSONL);
  ws.w.p = p;
  ws.w.ex = explain_names(ws.x);
  ws.w.buf = &ws.buf;
  ws.w.explain = opts->explain;
  ws.w.color = opts->color;
  ws.w.excel_safe = run_csv_for_spreadsheet(opts);
  date_format(as_of, ws.w.as_of);
  memcpy(ws.w.rules, p->fingerprint, 12);
  ws.w.rules[12] = '\0';
  bool ready = true;
  if (opts->format == KENKO_FORMAT_CSV)
    ready = csv_writer_setup(&ws.w, opts, &diag) && write_csv_header(&ws.w);
  if (opts->format == KENKO_FORMAT_XLSX) {
    ws.w.xlsx = xlsx_new(p->title, &diag);
    ready = ws.w.xlsx != NULL;
    if (ready) write_xlsx_header(&ws.w);
  }

  ScoreSink sink;
  memset(&sink, 0, sizeof sink);
  sink.explain = opts->explain || opts->format == KENKO_FORMAT_TEXT;
  sink.scores_only =
      (opts->format == KENKO_FORMAT_CSV || opts->format == KENKO_FORMAT_XLSX) && !opts->explain;
  sink.account = opts->format == KENKO_FORMAT_CSV && !ws.explain ? write_account_csv : write_account;
  sink.result_only = !ws.explain;
  /* with --jobs, written where scored: the writers that read nothing
   * else and keep no state across accounts */
  JobText text = {thread_writer_start, thread_writer_write, thread_writer_stop, &ws};
  if ((opts->format == KENKO_FORMAT_CSV && !ws.w.encoder) ||
      (opts->format == KENKO_FORMAT_JSONL && !ws.explain)) {
    sink.text = &text;
    sink.written = write_written;
    sink.written_end = written_end;
  }
  sink.file_done = flush_output;
  sink.snapshot_begin = output_snapshot;
  sink.ud = &ws;
  sink.out = out;
  int status = ready ? score_accounts(p, ev, as_of, data, ndata, opts, &diag, &sink, stats) : KENKO_ERR_USAGE;
  status = csv_writer_finish(&ws.w, stats, status);
  if (ws.w.xlsx && status == KENKO_ERR_USAGE)
    xlsx_discard(ws.w.xlsx);
  else if (ws.w.xlsx && !xlsx_finish(ws.w.xlsx, run_output_date(stats, as_of), out))
    status = KENKO_ERR_USAGE;
  buf_flush(&ws.buf, 0);
  writer_free(&ws.w);
  buf_free(&ws.buf);
  explain_free(ws.x);
  eval_free(ev);
  return status;
}
