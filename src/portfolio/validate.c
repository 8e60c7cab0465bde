/* validate.c — `kenko validate`: does the health score predict the bad
 * outcome (churn)?
 *
 * While the accounts stream past, each one with an outcome adds to:
 *   - the outcome count of its grade (and of "no grade");
 *   - the score lists of the health, of each dimension and of its
 *     persona's health, split by outcome (8 bytes a score: the exact AUC
 *     needs every score, which is the one place memory grows with the
 *     number of accounts);
 *   - each rule member's fail/pass counts.
 * At the end each list is sorted and the AUC counted exactly (the
 * Mann–Whitney U, ties counting half, in integers), and the outcome rates
 * get 95% Wilson intervals. Accounts whose outcome is missing are counted
 * and left out of every figure. */
#include "base/i18n.h"
#include "portfolio/validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/vec.h"
#include "front/diag.h"
#include "engine/eval.h"
#include "io/reader.h"
#include "engine/result.h"
#include "run/run.h"
#include "portfolio/portfolio.h"
#include "io/json.h"
#include "io/table.h"
#include "base/vec.h"
#include "engine/snapshot.h"
#include "portfolio/report.h"

/* ---- the statistics --------------------------------------------------- */

/* The bits of a double as an unsigned key that sorts like the number. */
static uint64_t sort_key(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return (u >> 63) ? ~u : u | (1ull << 63);
}

static double from_sort_key(uint64_t u) {
  u = (u >> 63) ? u & ~(1ull << 63) : ~u;
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* LSD radix sort, a byte a pass; passes where every key has the same
 * byte are skipped (scores 0..100 share their top bytes). */
void validate_sort_scores(double *x, size_t n) {
  if (n < 2) return;
  uint64_t *keys = xmalloc(n * sizeof *keys);
  uint64_t *tmp = xmalloc(n * sizeof *tmp);
  size_t(*count)[256] = xcalloc(8, sizeof *count);
  for (size_t i = 0; i < n; i++) {
    keys[i] = sort_key(x[i]);
    for (int b = 0; b < 8; b++)
      count[b][(keys[i] >> (8 * b)) & 0xFF]++;
  }
  for (int b = 0; b < 8; b++) {
    if (count[b][(keys[0] >> (8 * b)) & 0xFF] == n) continue;
    size_t pos[256], sum = 0;
    for (int v = 0; v < 256; v++) {
      pos[v] = sum;
      sum += count[b][v];
    }
    for (size_t i = 0; i < n; i++)
      tmp[pos[(keys[i] >> (8 * b)) & 0xFF]++] = keys[i];
    uint64_t *swap = keys;
    keys = tmp;
    tmp = swap;
  }
  for (size_t i = 0; i < n; i++)
    x[i] = from_sort_key(keys[i]);
  free(count);
  free(tmp);
  free(keys);
}

/* For each score s of WITHOUT, 2·#(WITH < s) + #(WITH == s); the sum is
 * twice U, an integer, so nothing is lost until the final division. */
double validate_auc(const double *without, size_t nwithout, const double *with, size_t nwith) {
  if (nwithout == 0 || nwith == 0) return NAN;
  size_t below = 0, upto = 0;
  uint64_t twice_u = 0;
  for (size_t i = 0; i < nwithout; i++) {
    double s = without[i];
    while (below < nwith && with[below] < s)
      below++;
    if (upto < below) upto = below;
    while (upto < nwith && with[upto] <= s)
      upto++;
    twice_u += 2 * (uint64_t)below + (uint64_t)(upto - below);
  }
  return (double)twice_u / (2.0 * (double)nwithout * (double)nwith);
}

void validate_wilson(uint64_t k, uint64_t n, double *low, double *high) {
  if (n == 0) {
    *low = *high = NAN;
    return;
  }
  const double z = 1.959963984540054; /* the 97.5% point of the normal */
  double nn = (double)n, p = (double)k / nn, z2 = z * z;
  double denom = 1 + z2 / nn;
  double centre = (p + z2 / (2 * nn)) / denom;
  double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
  *low = k == 0 ? 0 : fmax(0, centre - half);
  *high = k == n ? 1 : fmin(1, centre + half);
}

/* ---- the aggregates ---------------------------------------------------- */

typedef struct ScoreList {
  double *x;
  size_t n, cap;
} ScoreList;

static void list_add(ScoreList *l, double v) {
  VEC_GROW(l->x, l->n, l->cap, 256);
  l->x[l->n++] = v;
}

/* One score's AUC: the scores split by outcome. */
typedef struct AucGroup {
  ScoreList with;    /* accounts with the bad outcome */
  ScoreList without; /* accounts without it */
  uint64_t missing;  /* accounts with an outcome but no score */
  double auc;        /* at the end */
} AucGroup;

static void group_add(AucGroup *g, bool na, double score, bool outcome) {
  if (na)
    g->missing++;
  else
    list_add(outcome ? &g->with : &g->without, score + 0.0); /* -0 is 0 */
}

static void group_finish(AucGroup *g) {
  validate_sort_scores(g->with.x, g->with.n);
  validate_sort_scores(g->without.x, g->without.n);
  g->auc = validate_auc(g->without.x, g->without.n, g->with.x, g->with.n);
  free(g->with.x);
  free(g->without.x);
  g->with.x = g->without.x = NULL;
}

/* Accounts and how many of them had the outcome. */
typedef struct Rate {
  uint64_t n, k;
} Rate;

typedef struct RuleStat {
  Rate fail, pass;
  uint64_t na;
} RuleStat;

typedef struct Validation {
  const Program *p;
  int32_t outcome; /* the outcome input */
  uint64_t scored, outcome_missing, used, with_outcome;
  Rate *grades; /* per grade name, then "no grade" */
  AucGroup health;
  AucGroup *dims;
  AucGroup *personas; /* per persona, then "no persona matched" */
  RuleStat *members;  /* flat (dimension by dimension) */
  const Member **member_decl;
  int32_t *member_dim;
  int32_t nmembers;
  /* --horizon: the score taken DUR before the outcome */
  const char *horizon; /* "180d", or NULL */
  uint64_t too_recent; /* accounts with an outcome but no snapshot that old */
} Validation;

/* Adds one (score, outcome) pair: R scored, O its outcome value. */
static void add_pair(Validation *v, const Result *r, const Value *o) {
  const Program *p = v->p;
  v->scored++;
  if (o->type != T_BOOL) {
    v->outcome_missing++;
    return;
  }
  bool bad = o->u.b;
  v->used++;
  v->with_outcome += bad;
  Rate *g = &v->grades[r->grade >= 0 ? r->grade : p->ngrade_names];
  g->n++;
  g->k += bad;
  group_add(&v->health, r->health_na, r->health, bad);
  if (p->npersonas > 0)
    group_add(&v->personas[r->persona >= 0 ? r->persona : p->npersonas], r->health_na, r->health, bad);
  for (int32_t d = 0; d < r->ndims; d++)
    group_add(&v->dims[d], r->dims[d].na, r->dims[d].score, bad);
  for (int32_t m = 0; m < r->nmembers && m < v->nmembers; m++) {
    if (v->member_decl[m]->kind != MEMBER_RULE) continue;
    RuleStat *rs = &v->members[m];
    const MemberResult *mr = &r->members[m];
    if (mr->na || (mr->status != MS_PASS && mr->status != MS_FAIL)) {
      rs->na++;
    } else {
      Rate *side = mr->status == MS_FAIL ? &rs->fail : &rs->pass;
      side->n++;
      side->k += bad;
    }
  }
}

static void on_account(void *ud, const Account *a, const Result *r) {
  Validation *v = ud;
  add_pair(v, r, &a->values[v->outcome]);
}

static void validation_init(Validation *v, const Program *p, int32_t outcome) {
  memset(v, 0, sizeof *v);
  v->p = p;
  v->outcome = outcome;
  v->grades = xcalloc((size_t)p->ngrade_names + 1, sizeof *v->grades);
  v->dims = xcalloc((size_t)p->ndimensions + 1, sizeof *v->dims);
  v->personas = xcalloc((size_t)p->npersonas + 1, sizeof *v->personas);
  v->nmembers = program_members(p, NULL, NULL);
  v->members = xcalloc((size_t)v->nmembers + 1, sizeof *v->members);
  v->member_decl = xcalloc((size_t)v->nmembers + 1, sizeof *v->member_decl);
  v->member_dim = xcalloc((size_t)v->nmembers + 1, sizeof *v->member_dim);
  program_members(p, v->member_decl, v->member_dim);
}

static void validation_free(Validation *v) {
  free(v->health.with.x);
  free(v->health.without.x);
  for (int32_t d = 0; d < v->p->ndimensions; d++) {
    free(v->dims[d].with.x);
    free(v->dims[d].without.x);
  }
  for (int32_t i = 0; i <= v->p->npersonas; i++) {
    free(v->personas[i].with.x);
    free(v->personas[i].without.x);
  }
  free(v->grades);
  free(v->dims);
  free(v->personas);
  free(v->members);
  free(v->member_decl);
  free(v->member_dim);
}

static void validation_finish(Validation *v) {
  group_finish(&v->health);
  for (int32_t d = 0; d < v->p->ndimensions; d++)
    group_finish(&v->dims[d]);
  for (int32_t i = 0; i <= v->p->npersonas; i++)
    group_finish(&v->personas[i]);
}

static double rate_of(Rate r) { return r.n ? (double)r.k / (double)r.n : NAN; }

/* rate_fail / rate_pass; NAN when either is undefined or rate_pass is 0. */
static double lift_of(const RuleStat *rs) {
  double fail = rate_of(rs->fail), pass = rate_of(rs->pass);
  if (isnan(fail) || isnan(pass) || pass == 0) return NAN;
  return fail / pass;
}

static uint64_t group_accounts(const AucGroup *g) { return (uint64_t)(g->with.n + g->without.n); }

/* Whether the persona group "no persona matched" is shown: when there are
 * personas and some account matched none. */
static bool show_no_persona(const Validation *v) {
  const AucGroup *g = &v->personas[v->p->npersonas];
  return v->p->npersonas > 0 && group_accounts(g) + g->missing > 0;
}

/* ---- JSON -------------------------------------------------------------- */

static void json_rate(Json *j, Rate r) {
  json_field_count(j, "accounts", r.n);
  json_field_count(j, "with_outcome", r.k);
  json_field_num(j, "rate", rate_of(r));
}

/* The members of a group's object: its AUC and how many accounts it has. */
static void json_auc(Json *j, const AucGroup *g) {
  json_field_num(j, "auc", g->auc);
  json_field_count(j, "accounts", group_accounts(g));
  json_field_count(j, "without_outcome", g->without.n);
  json_field_count(j, "with_outcome", g->with.n);
  json_field_count(j, "missing", g->missing);
  json_field_bool(j, "small", group_accounts(g) < VALIDATE_SMALL);
}

/* One row of a list ("\n {…}"): the name and label, then the AUC. */
static void json_auc_row(Json *j, const char *name, const char *label, const AucGroup *g) {
  json_break(j, "\n ");
  json_object(j);
  json_field_str(j, "name", name);
  json_field_str(j, "label", label);
  json_auc(j, g);
  json_end(j);
}

static void json_output(const void *data, Buf *b, const char *as_of) {
  const Validation *v = data;
  const Program *p = v->p;
  Json j;
  json_init(&j, b);
  json_object(&j);
  json_field_str(&j, "command", "validate");
  json_field_str(&j, "title", p->title);
  char rules[13];
  snprintf(rules, sizeof rules, "%.12s", p->fingerprint);
  json_field_str(&j, "rules", rules);
  json_field_str(&j, "as_of", as_of);
  json_field_str(&j, "outcome", p->inputs[v->outcome].name);
  json_field_count(&j, "accounts", v->scored);
  json_field_count(&j, "outcome_missing", v->outcome_missing);
  if (v->horizon) {
    json_field_str(&j, "horizon", v->horizon);
    json_field_count(&j, "no_snapshot_before", v->too_recent);
  }
  json_field_count(&j, "used", v->used);
  json_field_count(&j, "with_outcome", v->with_outcome);
  json_field_num(&j, "rate", v->used ? (double)v->with_outcome / (double)v->used : NAN);

  json_break(&j, "\n");
  json_key(&j, "grades");
  json_array(&j);
  for (int32_t g = 0; g <= p->ngrade_names; g++) {
    Rate r = v->grades[g];
    if (g == p->ngrade_names && r.n == 0) break;
    double low, high;
    validate_wilson(r.k, r.n, &low, &high);
    json_break(&j, "\n ");
    json_object(&j);
    json_field_str(&j, "grade", g < p->ngrade_names ? p->grade_names[g] : NULL);
    json_field_str(&j, "label", g < p->ngrade_names ? p->grade_labels[g] : NULL);
    json_rate(&j, r);
    json_field_num(&j, "low", low);
    json_field_num(&j, "high", high);
    json_field_bool(&j, "small", r.n < VALIDATE_SMALL);
    json_end(&j);
  }
  json_end(&j);
  json_break(&j, "\n");
  json_key(&j, "health");
  json_object(&j);
  json_auc(&j, &v->health);
  json_end(&j);
  json_break(&j, "\n");
  json_key(&j, "dimensions");
  json_array(&j);
  for (int32_t d = 0; d < p->ndimensions; d++)
    json_auc_row(&j, p->dimensions[d].name, p->dimensions[d].label, &v->dims[d]);
  json_end(&j);
  json_break(&j, "\n");
  json_key(&j, "personas");
  json_array(&j);
  for (int32_t i = 0; i <= p->npersonas; i++) {
    if (i == p->npersonas && !show_no_persona(v)) break;
    json_auc_row(&j, i < p->npersonas ? p->personas[i].name : NULL,
                 i < p->npersonas ? p->personas[i].label : NULL, &v->personas[i]);
  }
  json_end(&j);
  json_break(&j, "\n");
  json_key(&j, "members");
  json_array(&j);
  for (int32_t m = 0; m < v->nmembers; m++) {
    const Member *decl = v->member_decl[m];
    if (decl->kind != MEMBER_RULE) continue;
    const RuleStat *rs = &v->members[m];
    json_break(&j, "\n ");
    json_object(&j);
    json_field_str(&j, "dimension", p->dimensions[v->member_dim[m]].name);
    json_field_str(&j, "member", decl->name);
    json_field_str(&j, "label", decl->label);
    json_key(&j, "fail");
    json_object(&j);
    json_rate(&j, rs->fail);
    json_field_bool(&j, "small", rs->fail.n < VALIDATE_SMALL);
    json_end(&j);
    json_key(&j, "pass");
    json_object(&j);
    json_rate(&j, rs->pass);
    json_field_bool(&j, "small", rs->pass.n < VALIDATE_SMALL);
    json_end(&j);
    json_field_count(&j, "na", rs->na);
    json_field_num(&j, "lift", lift_of(rs));
    json_end(&j);
  }
  json_end(&j);
  json_end(&j);
  buf_putc(b, '\n');
}

/* ---- text for people --------------------------------------------------- */

/* "ラベル (name)", or the name alone. */
static const char *named(Table *t, const char *label, const char *name) {
  if (label && *label) return table_fmt(t, "%s (%s)", label, name);
  return name;
}

static const char *percent(Table *t, double x) {
  if (isnan(x)) return "-";
  return table_fmt(t, "%.2f%%", 100 * x);
}

static const char *count_text(Table *t, uint64_t n) { return table_fmt(t, "%llu", (unsigned long long)n); }

static const char *auc_text(Table *t, double x) { return isnan(x) ? "-" : table_fmt(t, "%.3f", x); }

static void auc_row(Table *t, const char *name, const AucGroup *g) {
  const char *row[] = {name,
                       auc_text(t, g->auc),
                       count_text(t, group_accounts(g)),
                       count_text(t, g->without.n),
                       count_text(t, g->with.n),
                       count_text(t, g->missing),
                       group_accounts(g) < VALIDATE_SMALL ? _("small") : NULL};
  table_row(t, row);
}

static void text_output(const void *data, Buf *b, const char *as_of) {
  const Validation *v = data;
  const Program *p = v->p;
  const InputDecl *outcome = &p->inputs[v->outcome];
  Arena arena;
  arena_init(&arena, 0);
  Table scratch;
  table_init(&scratch, &arena, "l");

  buf_puts(b, "kenko validate");
  if (p->title) {
    buf_puts(b, ": ");
    buf_shown_str(b, p->title);
  }
  buf_printf(b, _("\nrules %.12s, as of %s, outcome %s\n"), p->fingerprint, as_of,
             named(&scratch, outcome->label, outcome->name));
  if (v->horizon)
    buf_printf(b,
               _("score taken %s before the outcome (each account's latest snapshot dated on or before its "
                 "last record's date − %s)\n"),
               v->horizon, v->horizon);
  buf_putc(b, '\n');
  buf_printf(b, _("accounts  %llu scored, %llu without an outcome (left out), "),
             (unsigned long long)v->scored, (unsigned long long)v->outcome_missing);
  if (v->horizon)
    buf_printf(b, _("%llu with no snapshot %s before the outcome (left out), "),
               (unsigned long long)v->too_recent, v->horizon);
  buf_printf(b, _("%llu used\n"), (unsigned long long)v->used);
  buf_printf(b, _("outcome   %llu of %llu (%s)\n"), (unsigned long long)v->with_outcome,
             (unsigned long long)v->used,
             percent(&scratch, v->used ? (double)v->with_outcome / (double)v->used : NAN));

  buf_puts(b, _("\nOutcome rate by grade (95% Wilson interval)\n"));
  Table t;
  table_init(&t, &arena, "lrrrrl");
  /* xgettext:no-c-format */
  const char *interval = _("95% interval");
  const char *head[] = {_("grade"), _("accounts"), _("outcome"), _("rate"), interval, NULL};
  table_row(&t, head);
  for (int32_t g = 0; g <= p->ngrade_names; g++) {
    Rate r = v->grades[g];
    if (g == p->ngrade_names && r.n == 0) break;
    double low, high;
    validate_wilson(r.k, r.n, &low, &high);
    const char *row[] = {g < p->ngrade_names ? named(&t, p->grade_labels[g], p->grade_names[g])
                                             : _("no grade"),
                         count_text(&t, r.n),
                         count_text(&t, r.k),
                         percent(&t, rate_of(r)),
                         r.n ? table_fmt(&t, "%s – %s", percent(&t, low), percent(&t, high)) : "-",
                         r.n < VALIDATE_SMALL ? _("small") : NULL};
    table_row(&t, row);
  }
  table_print(&t, b, "  ", false);
  table_free(&t);

  buf_puts(b, _("\nAUC: the chance that an account without the outcome scores higher than one with it\n"
                "(ties count half; 0.5 is no better than chance, 1 is perfect)\n"));
  table_init(&t, &arena, "lrrrrrl");
  const char *auc_head[] = {"", "AUC", _("accounts"), _("without"), _("with"), _("no score"), NULL};
  table_row(&t, auc_head);
  auc_row(&t, _("health"), &v->health);
  if (p->ndimensions > 0) {
    const char *sub[] = {_("by dimension"), NULL, NULL, NULL, NULL, NULL, NULL};
    table_row(&t, sub);
  }
  for (int32_t d = 0; d < p->ndimensions; d++)
    auc_row(&t, table_fmt(&t, "  %s", named(&t, p->dimensions[d].label, p->dimensions[d].name)), &v->dims[d]);
  if (p->npersonas > 0) {
    const char *sub[] = {_("health by persona"), NULL, NULL, NULL, NULL, NULL, NULL};
    table_row(&t, sub);
  }
  for (int32_t i = 0; i <= p->npersonas; i++) {
    if (i == p->npersonas && !show_no_persona(v)) break;
    const char *name =
        i < p->npersonas ? named(&t, p->personas[i].label, p->personas[i].name) : _("no persona");
    auc_row(&t, table_fmt(&t, "  %s", name), &v->personas[i]);
  }
  table_print(&t, b, "  ", false);
  table_free(&t);

  bool any_rule = false;
  for (int32_t m = 0; m < v->nmembers; m++)
    any_rule |= v->member_decl[m]->kind == MEMBER_RULE;
  if (any_rule) {
    buf_puts(b, _("\nRules: outcome rate when the rule fails vs when it passes (lift = fail / pass)\n"));
    table_init(&t, &arena, "lrrrrrrl");
    const char *rule_head[] = {_("rule"), _("fails"), _("rate"), _("passes"),
                               _("rate"), "n/a",      _("lift"), NULL};
    table_row(&t, rule_head);
    for (int32_t m = 0; m < v->nmembers; m++) {
      const Member *decl = v->member_decl[m];
      if (decl->kind != MEMBER_RULE) continue;
      const RuleStat *rs = &v->members[m];
      double lift = lift_of(rs);
      bool small = rs->fail.n < VALIDATE_SMALL || rs->pass.n < VALIDATE_SMALL;
      const char *name = table_fmt(&t, "%s.%s", p->dimensions[v->member_dim[m]].name, decl->name);
      const char *row[] = {decl->label && *decl->label ? table_fmt(&t, "%s %s", name, decl->label) : name,
                           count_text(&t, rs->fail.n),
                           percent(&t, rate_of(rs->fail)),
                           count_text(&t, rs->pass.n),
                           percent(&t, rate_of(rs->pass)),
                           count_text(&t, rs->na),
                           isnan(lift) ? "-" : table_fmt(&t, "%.2f", lift),
                           small ? _("small") : NULL};
      table_row(&t, row);
    }
    table_print(&t, b, "  ", false);
    table_free(&t);
  }
  buf_printf(b,
             _("\nsmall: fewer than %d accounts, read with care. \"-\": not defined (no accounts, or a "
               "rate of 0 to divide by).\n"),
             VALIDATE_SMALL);
  table_free(&scratch);
  arena_free(&arena);
}

/* ---- the run ----------------------------------------------------------- */

/* ---- --horizon: the score taken before the outcome ------------------------ */

/* What the three passes over the history keep per account (by key hash):
 * 9 bytes, whatever the number of snapshots. */
typedef struct Horizon {
  Validation *v;
  DurUnit unit;
  int64_t n;       /* the horizon: N units */
  AcctTable table; /* key hash → index */
  int32_t *latest; /* pass 1: the date of the account's latest record */
  int8_t *outcome; /* pass 1: its outcome there: 1, 0, or -1 missing */
  int32_t *chosen; /* pass 2: the latest snapshot on or before
                      latest − horizon, or SNAP_NONE */
  size_t naccts, cap;
  int pass;
} Horizon;

/* "180d", "12w", "6mo": N and the unit; false when TEXT is not one. */
static bool parse_horizon(const char *text, int64_t *n, DurUnit *unit) {
  const char *s = text;
  int64_t x = 0;
  if (*s < '0' || *s > '9') return false;
  while (*s >= '0' && *s <= '9') {
    x = x * 10 + (*s++ - '0');
    if (x > 1000000) return false;
  }
  if (strcmp(s, "d") == 0)
    *unit = DUR_DAYS;
  else if (strcmp(s, "w") == 0)
    *unit = DUR_WEEKS;
  else if (strcmp(s, "mo") == 0)
    *unit = DUR_MONTHS;
  else
    return false;
  *n = x;
  return true;
}

static int32_t horizon_index(Horizon *hz, const Account *a) {
  size_t i = (size_t)acct_table_index(&hz->table, a->id, strlen(a->id));
  if (i >= hz->naccts) {
    if (i >= hz->cap) {
      size_t cap = hz->cap;
      VEC_RESERVE(hz->latest, cap, i + 1, 1024);
      hz->outcome = xrealloc(hz->outcome, cap * sizeof *hz->outcome);
      hz->chosen = xrealloc(hz->chosen, cap * sizeof *hz->chosen);
      hz->cap = cap;
    }
    for (size_t k = hz->naccts; k <= i; k++) {
      hz->latest[k] = SNAP_NONE;
      hz->outcome[k] = -1;
      hz->chosen[k] = SNAP_NONE;
    }
    hz->naccts = i + 1;
  }
  return (int32_t)i;
}

/* Pass 1: each account's latest record and its outcome. Pass 2: the
 * latest snapshot dated on or before that record's date − the horizon.
 * Pass 3: that snapshot's result, paired with the outcome. */
static void on_horizon_record(void *ud, const Account *a, const Result *r) {
  Horizon *hz = ud;
  int32_t i = horizon_index(hz, a);
  if (hz->pass == 1) {
    const Value *o = &a->values[hz->v->outcome];
    hz->latest[i] = r->as_of;
    hz->outcome[i] = o->type == T_BOOL ? (int8_t)o->u.b : -1;
  } else if (hz->pass == 2) {
    int32_t target;
    if (date_shift(hz->latest[i], -hz->n, hz->unit, &target) && r->as_of <= target) hz->chosen[i] = r->as_of;
  } else if (r->as_of == hz->chosen[i]) {
    Value o = hz->outcome[i] < 0 ? val_missing(MISS_ABSENT) : val_bool(hz->outcome[i] == 1);
    add_pair(hz->v, r, &o);
  }
}

/* The three passes; returns the status of the first (the data's
 * problems are reported once, by it). */
static int score_with_horizon(Validation *v, const Program *p, Evaluator *ev, const char *const *data,
                              int ndata, const kenko_run_opts *run, Diag *diag, int64_t n, DurUnit unit,
                              kenko_run_stats *stats) {
  Horizon hz;
  memset(&hz, 0, sizeof hz);
  hz.v = v;
  hz.n = n;
  hz.unit = unit;
  acct_table_init(&hz.table);
  ScoreSink sink;
  memset(&sink, 0, sizeof sink);
  sink.all_snapshots = true;
  sink.account = on_horizon_record;
  sink.result_only = true;
  sink.inputs_declared = true; /* the outcome alone */
  sink.reads = &v->outcome;
  sink.nreads = 1;
  sink.ud = &hz;
  hz.pass = 1;
  int status = score_accounts(p, ev, 0, data, ndata, run, diag, &sink, stats);
  if (status != KENKO_ERR_USAGE) {
    Diag quiet;
    diag_init(&quiet, &p->sources, NULL, NULL);
    kenko_run_stats again;
    for (hz.pass = 2; hz.pass <= 3; hz.pass++)
      score_accounts(p, ev, 0, data, ndata, run, &quiet, &sink, &again);
    for (size_t i = 0; i < hz.naccts; i++)
      if (hz.latest[i] != SNAP_NONE && hz.chosen[i] == SNAP_NONE) {
        if (hz.outcome[i] < 0)
          v->outcome_missing++;
        else
          v->too_recent++;
      }
  }
  acct_table_free(&hz.table);
  free(hz.latest);
  free(hz.outcome);
  free(hz.chosen);
  return status;
}

/* The outcome input: --outcome NAME, else the rules' `outcome`; -1 after
 * reporting why there is none. */
static int32_t find_outcome(const Program *p, const char *name, Diag *diag) {
  if (!name) {
    if (p->outcome_input < 0)
      diag_at(diag, KENKO_ERROR, NULL, 0, 0,
              "`kenko validate` needs an outcome: declare `outcome FIELD` in the rules, or pass "
              "`--outcome FIELD` naming a bool input (true = the bad outcome, e.g. churned)");
    return p->outcome_input;
  }
  for (int32_t i = 0; i < p->ninputs; i++) {
    if (strcmp(p->inputs[i].name, name) != 0) continue;
    if (p->inputs[i].type != T_BOOL) {
      diag_at(diag, KENKO_ERROR, NULL, 0, 0,
              "`--outcome %s`: the outcome must be a bool input; `%s` is a %s input", name, name,
              value_type_name(p->inputs[i].type));
      return -1;
    }
    return i;
  }
  const char **names = xcalloc((size_t)p->ninputs + 1, sizeof *names);
  for (int32_t i = 0; i < p->ninputs; i++)
    names[i] = p->inputs[i].name;
  const char *near = diag_suggest(name, names, p->ninputs);
  if (near)
    diag_at(diag, KENKO_ERROR, NULL, 0, 0, "`--outcome %s`: no input of that name (did you mean `%s`?)", name,
            near);
  else {
    /* List the bool inputs: the names --outcome can take. */
    size_t len = 0;
    for (int32_t i = 0; i < p->ninputs; i++)
      if (p->inputs[i].type == T_BOOL) len += strlen(p->inputs[i].name) + 4;
    char *list = xmalloc(len + 1);
    list[0] = '\0';
    for (int32_t i = 0; i < p->ninputs; i++)
      if (p->inputs[i].type == T_BOOL) {
        if (list[0]) strcat(list, ", ");
        strcat(list, "`");
        strcat(list, p->inputs[i].name);
        strcat(list, "`");
      }
    if (list[0])
      diag_at(diag, KENKO_ERROR, NULL, 0, 0, "`--outcome %s`: no input of that name (the bool inputs: %s)",
              name, list);
    else
      diag_at(diag, KENKO_ERROR, NULL, 0, 0,
              "`--outcome %s`: no input of that name, and the rules have no bool input", name);
    free(list);
  }
  free(names);
  return -1;
}

int validate_program(const CProgram *cp, const char *const *data, int ndata, const kenko_validate_opts *opts,
                     FILE *out, kenko_run_stats *stats) {
  PortfolioRun pr;
  if (!portfolio_begin(&pr, cp, &opts->run, stats)) return KENKO_ERR_USAGE;
  const Program *p = pr.p;
  int32_t outcome = find_outcome(p, opts->outcome, &pr.diag);
  if (outcome < 0) return KENKO_ERR_USAGE;
  int64_t horizon_n = 0;
  DurUnit horizon_unit = DUR_DAYS;
  if (opts->horizon && !parse_horizon(opts->horizon, &horizon_n, &horizon_unit)) {
    diag_at(&pr.diag, KENKO_ERROR, NULL, 0, 0,
            "--horizon needs a duration: days, weeks or calendar months (180d, 26w, 6mo), found \"%s\"",
            opts->horizon);
    return KENKO_ERR_USAGE;
  }
  if (opts->horizon && p->key_input < 0) {
    diag_at(&pr.diag, KENKO_ERROR, NULL, 0, 0,
            "--horizon follows each account across snapshots by its key; declare one (`input id: text key`)");
    return KENKO_ERR_USAGE;
  }
  Evaluator *ev = eval_new(cp);

  Validation v;
  validation_init(&v, p, outcome);
  pr.result_only = true;
  pr.inputs_declared = true; /* the outcome alone */
  pr.reads = &v.outcome;
  pr.nreads = 1;
  int status;
  if (opts->horizon) {
    v.horizon = opts->horizon;
    kenko_run_opts run = pr.run;
    run.as_of = NULL; /* every snapshot is read */
    status = score_with_horizon(&v, p, ev, data, ndata, &run, &pr.diag, horizon_n, horizon_unit, stats);
  } else {
    status = portfolio_score(&pr, p, ev, data, ndata, &pr.diag, on_account, &v, stats);
    if (status != KENKO_ERR_USAGE && stats->snapshots > 0) {
      char day[11];
      date_format((int32_t)stats->snapshot, day);
      diag_at(&pr.diag, KENKO_WARNING, NULL, 0, 0,
              "the score and the outcome come from the same snapshot (%s), so the outcome can leak into the "
              "score it judges; `--horizon 180d` takes each account's score 180 days before its outcome",
              day);
    }
  }
  if (status != KENKO_ERR_USAGE) {
    validation_finish(&v);
    run_write_dated(out, run_output_date(stats, pr.as_of), opts->json, json_output, text_output, &v);
  }
  validation_free(&v);
  eval_free(ev);
  return status;
}
