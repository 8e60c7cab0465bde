/* history.c — `kenko history` (LANGUAGE.md §6): the sink that every
 * (account, snapshot) result streams through, in snapshot order then
 * input order. It writes the jsonl/csv records (the run's writers, one
 * plan per snapshot: each record carries its snapshot's date), and adds
 * to the aggregates the text and the HTML page show: a report Tally per
 * snapshot, each account's first and latest grade, and the grade changes
 * between the two latest snapshots with the members whose lost points
 * moved most. history.h lists everything kept and how it grows. */
#include "base/i18n.h"
#include "portfolio/history.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/numfmt.h"
#include "base/vec.h"
#include "engine/eval.h"
#include "engine/result.h"
#include "run/run.h"
#include "front/diag.h"
#include "io/json.h"
#include "io/writer.h"
#include "io/xlsx.h"
#include "engine/kpi.h"

/* Lost points that moved less than this are taken as unchanged (the
 * earlier snapshot's are kept as floats: about 7 significant digits). */
#define HISTORY_EPSILON 1e-4

/* The sink's state: the aggregates and, for jsonl/csv, the writer. */
typedef struct HistRun {
  History *h;
  bool aggregate; /* text or --html */
  bool write;     /* jsonl or csv */
  kenko_format format;
  WriteCtx w;
  Buf buf;
  float *point_lost; /* --account: the previous row's lost points */
  bool point_prev;
  KpiRun *kpis;  /* the KPIs of the snapshot being read, or NULL */
  bool kpi_rows; /* --kpis: a KPI row per snapshot instead of the records */
} HistRun;

/* ---- grade rows ----------------------------------------------------------- */

static int32_t grade_row(const History *h, int32_t grade) { return grade >= 0 ? grade : h->r.rows - 1; }

/* Each grade's place, best first: the default grades in order, then the
 * grades only other grade sets (personas') list, in the order of the
 * first set that lists them; n/a has none (-1). */
int32_t *grade_ranks(const Program *p, int32_t rows) {
  int32_t *rank = xmalloc((size_t)rows * sizeof *rank);
  for (int32_t g = 0; g < rows; g++)
    rank[g] = -1;
  int32_t next = 0;
  for (int32_t pass = 0; pass < 2; pass++)
    for (int32_t s = 0; s < p->ngrade_sets; s++) {
      if ((pass == 0) != (s == p->default_grades)) continue;
      const GradeSet *gs = &p->grade_sets[s];
      for (int32_t i = 0; i < gs->nbands; i++)
        if (rank[gs->bands[i].grade] < 0) rank[gs->bands[i].grade] = next++;
    }
  return rank;
}

const char *history_member_name(const History *h, int32_t m, char *buf, size_t n, const char **label) {
  const DimensionDecl *d = &h->p->dimensions[h->r.member_dim[m]];
  const Member *mem = &d->members[h->r.member_index[m]];
  snprintf(buf, n, "%s.%s", d->name, mem->name);
  *label = mem->label && *mem->label ? mem->label : NULL;
  return buf;
}

/* ---- the members that moved ------------------------------------------------ */

/* How much MV counts: the growth of its lost points (SIGN 1: what fell),
 * their shrinking (SIGN -1: what rose), or either (SIGN 0). */
static double move_size(const HistMove *mv, int sign) {
  double d = mv->after - mv->before;
  return sign == 0 ? fabs(d) : d * sign;
}

/* Keeps MV among TOP's N moves (the largest first; of two equal the
 * earlier member first); moves of size HISTORY_EPSILON or less are not
 * kept. */
static void keep_move(HistMove *top, int32_t *n, HistMove mv, int sign) {
  double size = move_size(&mv, sign);
  if (!(size > HISTORY_EPSILON)) return;
  int32_t at = *n;
  while (at > 0 && move_size(&top[at - 1], sign) < size)
    at--;
  if (at >= HISTORY_TOP_MEMBERS) return;
  int32_t last = *n < HISTORY_TOP_MEMBERS ? *n : HISTORY_TOP_MEMBERS - 1;
  for (int32_t i = last; i > at; i--)
    top[i] = top[i - 1];
  top[at] = mv;
  if (*n < HISTORY_TOP_MEMBERS) (*n)++;
}

/* The members whose lost points moved most from BEFORE to R's: those that
 * grew (SIGN 1: what fell) or shrank (SIGN -1: what rose). */
static int32_t top_moves(const float *before, const Result *r, int sign, HistMove *top) {
  int32_t n = 0;
  for (int32_t m = 0; m < r->nmembers; m++) {
    HistMove mv = {m, before[m], r->members[m].lost};
    keep_move(top, &n, mv, sign);
  }
  return n;
}

/* ---- snapshots ------------------------------------------------------------- */

static bool shown(const History *h, int32_t date) {
  return (h->from == SNAP_NONE || date >= h->from) && (h->to == SNAP_NONE || date <= h->to);
}

static void drop_changes(History *h) {
  for (size_t i = 0; i < h->nchanges; i++) {
    free(h->changes[i].id);
    free(h->changes[i].name);
  }
  h->nchanges = 0;
}

static void on_snapshot_begin(void *ud, int32_t date) {
  HistRun *hr = ud;
  History *h = hr->h;
  h->read_snapshots++;
  h->reading = date;
  h->in_range = shown(h, date);
  if (!h->in_range) return;
  if (hr->kpis) kpi_reset(hr->kpis);
  if (hr->write) {
    writer_free(&hr->w); /* the records' as_of is in the plans */
    date_format(date, hr->w.as_of);
  }
  if (!hr->aggregate) return;
  VEC_GROW(h->snaps, h->nsnaps, h->capsnaps, 16);
  HistSnap *s = &h->snaps[h->nsnaps++];
  memset(s, 0, sizeof *s);
  s->date = date;
  report_tally_init(&h->r, &s->tally);
  size_t np = (size_t)h->p->npersonas + 1;
  s->persona_health = arena_alloc(&h->r.arena, np * sizeof *s->persona_health);
  s->persona_n = arena_alloc(&h->r.arena, np * sizeof *s->persona_n);
  s->flag_raised = arena_alloc(&h->r.arena, ((size_t)h->p->nflags + 1) * sizeof *s->flag_raised);
  if (hr->kpis) {
    s->kpi = arena_alloc(&h->r.arena, ((size_t)h->p->nkpis + 1) * sizeof *s->kpi);
    s->kpi_met = arena_alloc(&h->r.arena, ((size_t)h->p->nkpis + 1) * sizeof *s->kpi_met);
  }
  drop_changes(h);
  h->changes_date = date;
  h->changes_prev = h->nsnaps > 1 ? h->snaps[h->nsnaps - 2].date : SNAP_NONE;
}

/* --kpis: the KPI row of the snapshot DATE (SCORED accounts): csv
 * `snapshot,accounts,KPI…` (a missing value an empty cell), or a jsonl
 * object with each KPI as in `report --format json`. */
static void write_kpi_row(HistRun *hr, int32_t date, uint64_t scored) {
  const Program *p = hr->h->p;
  Buf *b = &hr->buf;
  char day[11], num[32];
  date_format(date, day);
  if (hr->format == KENKO_FORMAT_CSV) {
    buf_puts(b, day);
    buf_printf(b, ",%llu", (unsigned long long)scored);
    for (int32_t i = 0; i < p->nkpis; i++) {
      double x = kpi_value(hr->kpis, i);
      buf_putc(b, ',');
      if (!isnan(x)) buf_put(b, num, (size_t)num_format(x, num));
    }
    buf_putc(b, '\n');
    return;
  }
  Json j;
  json_init(&j, b);
  json_object(&j);
  json_field_str(&j, "snapshot", day);
  json_field_count(&j, "accounts", scored);
  json_key(&j, "kpis");
  json_array(&j);
  for (int32_t i = 0; i < p->nkpis; i++) {
    json_object(&j);
    json_field_str(&j, "kpi", p->kpis[i].name);
    json_field_str(&j, "label", p->kpis[i].label && *p->kpis[i].label ? p->kpis[i].label : NULL);
    report_kpi_fields(&j, hr->kpis, i);
    json_end(&j);
  }
  json_end(&j);
  json_end(&j);
  buf_putc(b, '\n');
}

static void on_snapshot_done(void *ud, int32_t date, const kenko_run_stats *snap) {
  HistRun *hr = ud;
  History *h = hr->h;
  if (!shown(h, date)) return;
  if (hr->kpi_rows) write_kpi_row(hr, date, snap->scored);
  if (hr->write || hr->kpi_rows) buf_flush(&hr->buf, 0);
  if (!hr->aggregate || h->nsnaps == 0) return;
  HistSnap *s = &h->snaps[h->nsnaps - 1];
  s->scored = snap->scored;
  s->rejected = snap->rejected;
  for (int32_t i = 0; s->kpi && i < h->p->nkpis; i++) {
    s->kpi[i] = kpi_value(hr->kpis, i);
    s->kpi_met[i] = (int8_t)kpi_met(hr->kpis, i);
  }
}

/* ---- accounts --------------------------------------------------------------- */

/* The entry of account A (made when first seen). */
static int32_t account_index(History *h, const Account *a) {
  size_t i = (size_t)acct_table_index(&h->table, a->id, strlen(a->id));
  if (i >= h->naccts) {
    size_t nm = (size_t)h->r.nmembers;
    if (i >= h->capaccts) {
      VEC_RESERVE(h->accts, h->capaccts, i + 1, 1024);
      h->lost_pool = xrealloc(h->lost_pool, h->capaccts * (nm ? nm : 1) * sizeof *h->lost_pool);
    }
    for (size_t k = h->naccts; k <= i; k++) {
      h->accts[k].last_date = SNAP_NONE;
      h->accts[k].first_grade = -1;
      h->accts[k].last_grade = -1;
      h->accts[k].last_health = NAN;
    }
    h->naccts = i + 1;
  }
  return (int32_t)i;
}

static float *lost_of(History *h, int32_t i) { return h->lost_pool + (size_t)i * (size_t)h->r.nmembers; }

/* Records a grade change of account I between its previous snapshot (the
 * one shown before) and this one. */
static void note_change(History *h, int32_t i, const Account *a, const Result *res, int32_t row) {
  HistAcct *ac = &h->accts[i];
  int32_t before = h->grade_rank[ac->last_grade], after = h->grade_rank[row];
  if (before < 0 || after < 0 || before == after) return;
  VEC_GROW(h->changes, h->nchanges, h->capchanges, 16);
  HistChange *c = &h->changes[h->nchanges++];
  memset(c, 0, sizeof *c);
  c->id = xstrdup(a->id);
  c->name = a->name ? xstrdup(a->name) : NULL;
  c->account = i;
  c->from = ac->last_grade;
  c->to = row;
  c->health_before = ac->last_health;
  c->health_after = res->health_na ? NAN : res->health;
  c->fell = after > before;
  c->ntop = top_moves(lost_of(h, i), res, c->fell ? 1 : -1, c->top);
}

static void aggregate(History *h, const Account *a, const Result *res) {
  const Program *p = h->p;
  HistSnap *s = &h->snaps[h->nsnaps - 1];
  int32_t row = grade_row(h, res->grade);
  double health = res->health_na ? NAN : res->health;
  double w[64], *weights = w;
  if (h->r.nweights > 64) weights = xmalloc((size_t)h->r.nweights * sizeof *weights);
  report_weights(&h->r, a, weights);
  report_tally_add(&h->r, &s->tally, row, health, weights);
  report_tally_add(&h->r, &h->r.all, row, health, weights);
  if (weights != w) free(weights);
  int32_t persona = res->persona >= 0 ? res->persona : p->npersonas;
  if (!isnan(health)) {
    s->persona_health[persona] += health;
    s->persona_n[persona]++;
  }
  for (int32_t f = 0; f < res->nflags; f++)
    s->flag_raised[f] += res->flags[f] == FLAG_RAISED;

  int32_t i = account_index(h, a);
  HistAcct *ac = &h->accts[i];
  if (h->nsnaps == 1) ac->first_grade = (int16_t)row;
  if (ac->last_date != SNAP_NONE && ac->last_date == h->changes_prev) note_change(h, i, a, res, row);
  ac->last_date = s->date;
  ac->last_grade = (int16_t)row;
  ac->last_health = (float)health;
  float *lost = lost_of(h, i);
  for (int32_t m = 0; m < res->nmembers; m++)
    lost[m] = (float)res->members[m].lost;
  if (h->html) {
    if ((size_t)i >= s->nhealth) {
      size_t n = s->nhealth ? s->nhealth : 64;
      while (n <= (size_t)i)
        n *= 2;
      s->health = xrealloc(s->health, n);
      memset(s->health + s->nhealth, HISTORY_NO_HEALTH, n - s->nhealth);
      s->nhealth = n;
    }
    s->health[i] = isnan(health) ? HISTORY_NO_HEALTH : (uint8_t)lround(health);
  }
}

/* --account: one row of the series, with what moved since the row before. */
static void add_point(HistRun *hr, const Result *res) {
  History *h = hr->h;
  VEC_GROW(h->series, h->nseries, h->capseries, 16);
  HistPoint *pt = &h->series[h->nseries++];
  memset(pt, 0, sizeof *pt);
  pt->date = h->reading;
  pt->persona = res->persona;
  pt->grade = grade_row(h, res->grade);
  pt->health = res->health_na ? NAN : res->health;
  pt->flags = xmalloc(((size_t)res->nflags + 1) * sizeof *pt->flags);
  for (int32_t f = 0; f < res->nflags; f++)
    if (res->flags[f] == FLAG_RAISED) pt->flags[pt->nflags++] = f;
  if (hr->point_prev) {
    /* the members whose lost points moved most, either way */
    for (int32_t m = 0; m < res->nmembers; m++) {
      HistMove mv = {m, hr->point_lost[m], res->members[m].lost};
      keep_move(pt->top, &pt->ntop, mv, 0);
    }
  }
  for (int32_t m = 0; m < res->nmembers; m++)
    hr->point_lost[m] = (float)res->members[m].lost;
  hr->point_prev = true;
}

/* VALUES: the KPIs' expressions' (KpiRun.nodes), or NULL without KPIs. */
static void on_account_values(void *ud, const Account *a, const Result *res, const Value *values) {
  HistRun *hr = ud;
  History *h = hr->h;
  if (!h->in_range) return;
  if (values) kpi_account_values(hr->kpis, values);
  if (h->account) {
    if (strcmp(a->id, h->account) != 0) return;
    h->found = true;
    free(h->account_name);
    h->account_name = a->name ? xstrdup(a->name) : NULL;
  }
  if (hr->write) {
    if (hr->format == KENKO_FORMAT_CSV)
      write_csv(&hr->w, a, res);
    else if (hr->format == KENKO_FORMAT_XLSX)
      write_xlsx(&hr->w, a, res);
    else
      write_jsonl(&hr->w, a, res);
    buf_flush(&hr->buf, 1 << 16);
  }
  if (h->account && !hr->write) add_point(hr, res);
  if (hr->aggregate) aggregate(h, a, res);
}

static void on_account(void *ud, const Account *a, const Result *res) { on_account_values(ud, a, res, NULL); }

/* ---- derived figures ----------------------------------------------------- */

uint64_t *history_transitions(const History *h, uint64_t *both, uint64_t *joined, uint64_t *left) {
  size_t rows = (size_t)h->r.rows;
  uint64_t *m = xcalloc(rows * rows, sizeof *m);
  *both = *joined = *left = 0;
  if (h->nsnaps == 0) return m;
  int32_t last = h->snaps[h->nsnaps - 1].date;
  for (size_t i = 0; i < h->naccts; i++) {
    const HistAcct *ac = &h->accts[i];
    bool in_first = ac->first_grade >= 0, in_last = ac->last_date == last;
    if (in_first && in_last) {
      m[(size_t)ac->first_grade * rows + (size_t)ac->last_grade]++;
      (*both)++;
    } else if (in_last) {
      (*joined)++;
    } else if (in_first) {
      (*left)++;
    }
  }
  return m;
}

static double health_move(const HistChange *c) {
  double d = c->health_after - c->health_before;
  return isnan(d) ? 0 : d;
}

static int compare_changes(const void *x, const void *y) {
  const HistChange *a = x, *b = y;
  if (a->fell != b->fell) return a->fell ? -1 : 1;
  double da = fabs(health_move(a)), db = fabs(health_move(b));
  if (da != db) return da > db ? -1 : 1;
  return a->account < b->account ? -1 : a->account > b->account;
}

void history_sort_changes(History *h) { qsort(h->changes, h->nchanges, sizeof *h->changes, compare_changes); }

/* ---- setup and the run --------------------------------------------------- */

/* --from/--to: D as a date, or SNAP_NONE when absent; false after
 * reporting a malformed one. */
static bool parse_bound(const char *text, const char *flag, Diag *diag, int32_t *date) {
  *date = SNAP_NONE;
  if (!text) return true;
  if (date_parse(text, strlen(text), date) == 1) return true;
  diag_at(diag, KENKO_ERROR, NULL, 0, 0, "%s needs a date YYYY-MM-DD, found \"%s\"", flag, text);
  return false;
}

static void history_free(History *h) {
  drop_changes(h);
  free(h->account_name);
  free(h->changes);
  for (size_t i = 0; i < h->nsnaps; i++)
    free(h->snaps[i].health);
  free(h->snaps);
  for (size_t i = 0; i < h->nseries; i++)
    free(h->series[i].flags);
  free(h->series);
  free(h->accts);
  free(h->lost_pool);
  free(h->grade_rank);
  acct_table_free(&h->table);
  report_free(&h->r);
}

/* Writes the text or the account series to OUT (when there is one), and
 * the HTML page. */
static void write_outputs(History *h, const kenko_history_opts *opts, FILE *out) {
  if (out && opts->run.format == KENKO_FORMAT_TEXT) {
    if (h->account)
      history_write_account(h, out);
    else
      history_write_text(h, out);
  }
  if (opts->html) history_write_html(h, opts->html);
}

int history_program(const CProgram *cp, const char *const *data, int ndata, const kenko_history_opts *opts,
                    FILE *out, kenko_run_stats *stats) {
  const Program *p = cp->prog;
  kenko_run_opts ro = opts->run;
  ro.account = NULL;
  ro.as_of = NULL; /* every snapshot is scored as of its own date */
  Diag diag;
  int32_t as_of;
  if (!run_begin(p, &ro, stats, &diag, &as_of)) return KENKO_ERR_USAGE;
  History h;
  memset(&h, 0, sizeof h);
  h.p = p;
  h.account = opts->account;
  h.html = opts->html != NULL;
  if (!parse_bound(opts->from, "--from", &diag, &h.from) || !parse_bound(opts->to, "--to", &diag, &h.to))
    return KENKO_ERR_USAGE;
  if (h.from != SNAP_NONE && h.to != SNAP_NONE && h.from > h.to) {
    diag_at(&diag, KENKO_ERROR, NULL, 0, 0, "--from %s is after --to %s: no snapshot can be shown",
            opts->from, opts->to);
    return KENKO_ERR_USAGE;
  }
  if (opts->kpis &&
      (h.account || p->nkpis == 0 || ro.format == KENKO_FORMAT_TEXT || ro.format == KENKO_FORMAT_XLSX)) {
    diag_at(&diag, KENKO_ERROR, NULL, 0, 0, "%s",
            h.account       ? _("--kpis shows the portfolio's KPIs; --account one account: use one of them")
            : p->nkpis == 0 ? _("--kpis: the rules declare no `kpi`")
                            : _("--kpis writes a row per snapshot as `--format csv` or `--format jsonl`; "
                                "the text shows the KPIs already"));
    return KENKO_ERR_USAGE;
  }
  if (h.html && h.account) {
    diag_at(
        &diag, KENKO_ERROR, NULL, 0, 0,
        "--html shows the whole portfolio; --account shows one account's series as text: use one of them");
    return KENKO_ERR_USAGE;
  }
  report_init(&h.r, p);
  memcpy(h.r.rules, p->fingerprint, 12);
  h.r.rules[12] = '\0';
  h.grade_rank = grade_ranks(p, h.r.rows);
  acct_table_init(&h.table);

  HistRun hr;
  memset(&hr, 0, sizeof hr);
  hr.h = &h;
  hr.format = ro.format;
  hr.kpi_rows = out && opts->kpis && (ro.format == KENKO_FORMAT_JSONL || ro.format == KENKO_FORMAT_CSV);
  hr.write =
      out && !opts->kpis &&
      (ro.format == KENKO_FORMAT_JSONL || ro.format == KENKO_FORMAT_CSV || ro.format == KENKO_FORMAT_XLSX);
  hr.aggregate = (ro.format == KENKO_FORMAT_TEXT && !h.account) || h.html;
  hr.point_lost = xcalloc((size_t)h.r.nmembers + 1, sizeof *hr.point_lost);
  buf_init(&hr.buf, out);
  hr.w.p = p;
  hr.w.buf = &hr.buf;
  hr.w.history = true;
  hr.w.excel_safe = run_csv_for_spreadsheet(&ro);
  memcpy(hr.w.rules, p->fingerprint, 12);
  hr.w.rules[12] = '\0';

  int status = KENKO_OK;
  Evaluator *ev = eval_new(cp);
  if (!ev) status = KENKO_ERR_RULES;
  if (ev && p->nkpis > 0 && !h.account && (hr.aggregate || hr.kpi_rows)) {
    hr.kpis = xmalloc(sizeof *hr.kpis);
    kpi_init(hr.kpis, p, ev);
  }
  if (status == KENKO_OK) {
    if (hr.write && ro.format == KENKO_FORMAT_CSV) {
      if (!csv_writer_setup(&hr.w, &ro, &diag) || !write_csv_header(&hr.w)) status = KENKO_ERR_USAGE;
      buf_flush(&hr.buf, 0);
    }
    if (hr.write && ro.format == KENKO_FORMAT_XLSX) {
      hr.w.xlsx = xlsx_new(p->title, &diag);
      if (hr.w.xlsx)
        write_xlsx_header(&hr.w);
      else
        status = KENKO_ERR_USAGE;
    }
    if (hr.kpi_rows && ro.format == KENKO_FORMAT_CSV) {
      buf_puts(&hr.buf, "snapshot,accounts");
      for (int32_t i = 0; i < p->nkpis; i++) {
        buf_putc(&hr.buf, ',');
        buf_csv_cell(&hr.buf, p->kpis[i].name, strlen(p->kpis[i].name));
      }
      buf_putc(&hr.buf, '\n');
    }
  }
  if (status == KENKO_OK) {
    ScoreSink sink;
    memset(&sink, 0, sizeof sink);
    sink.all_snapshots = true;
    sink.account = on_account;
    sink.result_only = true;
    sink.inputs_declared = true; /* the weights (aggregate), the id and name */
    sink.reads = report_reads(&h.r, &sink.nreads);
    if (hr.kpis) {
      sink.exprs = hr.kpis->nodes;
      sink.nexprs = 2 * p->nkpi_aggs;
      sink.account_values = on_account_values;
    }
    sink.snapshot_begin = on_snapshot_begin;
    sink.snapshot_done = on_snapshot_done;
    sink.ud = &hr;
    status = score_accounts(p, ev, as_of, data, ndata, &ro, &diag, &sink, stats);
    status = csv_writer_finish(&hr.w, stats, status);
    if (hr.w.xlsx && status == KENKO_ERR_USAGE)
      xlsx_discard(hr.w.xlsx);
    else if (hr.w.xlsx && !xlsx_finish(hr.w.xlsx, (int32_t)stats->snapshot, out))
      status = KENKO_ERR_USAGE;
    hr.w.xlsx = NULL;
    buf_flush(&hr.buf, 0);
    h.stats = *stats;
    if (h.account && !h.found && status != KENKO_ERR_USAGE) {
      diag_at(&diag, KENKO_ERROR, NULL, 0, 0, "no account with id \"%s\" in the snapshots shown", h.account);
      status = KENKO_ERR_USAGE;
    }
    if (status != KENKO_ERR_USAGE) write_outputs(&h, opts, out);
  }
  if (hr.kpis) {
    kpi_free(hr.kpis);
    free(hr.kpis);
  }
  if (ev) eval_free(ev);
  writer_free(&hr.w);
  buf_free(&hr.buf);
  free(hr.point_lost);
  history_free(&h);
  return status;
}
