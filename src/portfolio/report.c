/* report.c — `kenko report`: the portfolio aggregates, built while the
 * accounts stream past (a ScoreSink), and the figures derived from them
 * (grade rows, forecasts, deciles, top drivers). The writers are in
 * report_write.c (text, JSON) and report_html.c (HTML).
 *
 * Per account the sink adds to fixed-size tables: grade rows overall, per
 * persona, per segment case and per `--by` group; a 0.1-wide histogram of
 * the health and of each dimension score; lost points per member (overall
 * and per persona); flags; journey steps and bottlenecks; coverage. With
 * --html it also keeps the REPORT_WORST accounts of lowest health in a
 * max-heap, so memory never grows with the number of accounts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "portfolio/report.h"
#include "front/diag.h"
#include "engine/eval.h"
#include "io/reader.h"
#include "engine/result.h"
#include "run/run.h"
#include "portfolio/portfolio.h"
#include "base/vec.h"

/* ---- tallies ------------------------------------------------------------ */

void report_tally_init(Report *r, Tally *t) {
  memset(t, 0, sizeof *t);
  t->id = r->ntallies++;
}

static uint64_t cell_key(int32_t id, int32_t row) { return ((uint64_t)id + 1) << 32 | (uint32_t)row; }

static size_t cell_slot(uint64_t key, size_t cap) {
  key ^= key >> 31;
  key *= 0x9e3779b97f4a7c15ull;
  return (size_t)(key >> 17) & (cap - 1);
}

/* The cell of (ID, ROW), or -1 when none was made. */
static int32_t cell_find(const TallyCells *c, int32_t id, int32_t row) {
  if (c->cap == 0) return -1;
  uint64_t key = cell_key(id, row);
  for (size_t j = cell_slot(key, c->cap);; j = (j + 1) & (c->cap - 1)) {
    if (c->keys[j] == key) return c->cell[j];
    if (c->keys[j] == 0) return -1;
  }
}

/* The cell of (ID, ROW), made (zeroed) when it is the first account there. */
static int32_t cell_get(Report *r, int32_t id, int32_t row) {
  TallyCells *c = &r->cells;
  int32_t found = cell_find(c, id, row);
  if (found >= 0) return found;
  if ((size_t)(c->n + 1) * 2 > c->cap) { /* rehash into twice the slots */
    size_t cap = c->cap ? c->cap * 2 : 64;
    uint64_t *keys = xcalloc(cap, sizeof *keys);
    int32_t *cell = xmalloc(cap * sizeof *cell);
    for (size_t i = 0; i < c->cap; i++) {
      if (!c->keys[i]) continue;
      size_t j = cell_slot(c->keys[i], cap);
      while (keys[j])
        j = (j + 1) & (cap - 1);
      keys[j] = c->keys[i];
      cell[j] = c->cell[i];
    }
    free(c->keys);
    free(c->cell);
    c->keys = keys;
    c->cell = cell;
    c->cap = cap;
  }
  if ((size_t)c->n == c->vcap) {
    c->vcap = c->vcap ? c->vcap * 2 : 64;
    size_t nw = (size_t)r->nweights;
    c->count = xrealloc(c->count, c->vcap * sizeof *c->count);
    c->weight = xrealloc(c->weight, c->vcap * (nw ? nw : 1) * sizeof *c->weight);
    c->unweighted = xrealloc(c->unweighted, c->vcap * (nw ? nw : 1) * sizeof *c->unweighted);
  }
  int32_t at = c->n++;
  c->count[at] = 0;
  for (int32_t k = 0; k < r->nweights; k++) {
    c->weight[(size_t)at * (size_t)r->nweights + (size_t)k] = 0;
    c->unweighted[(size_t)at * (size_t)r->nweights + (size_t)k] = 0;
  }
  uint64_t key = cell_key(id, row);
  size_t j = cell_slot(key, c->cap);
  while (c->keys[j])
    j = (j + 1) & (c->cap - 1);
  c->keys[j] = key;
  c->cell[j] = at;
  return at;
}

uint64_t report_count(const Report *r, const Tally *t, int32_t row) {
  int32_t at = cell_find(&r->cells, t->id, row);
  return at < 0 ? 0 : r->cells.count[at];
}

double report_weight(const Report *r, const Tally *t, int32_t k, int32_t row) {
  int32_t at = cell_find(&r->cells, t->id, row);
  return at < 0 ? 0 : r->cells.weight[(size_t)at * (size_t)r->nweights + (size_t)k];
}

uint64_t report_unweighted(const Report *r, const Tally *t, int32_t k, int32_t row) {
  int32_t at = cell_find(&r->cells, t->id, row);
  return at < 0 ? 0 : r->cells.unweighted[(size_t)at * (size_t)r->nweights + (size_t)k];
}

void report_tally_add(Report *r, Tally *t, int32_t row, double h, const double *w) {
  t->accounts++;
  int32_t at = cell_get(r, t->id, row);
  TallyCells *c = &r->cells;
  c->count[at]++;
  for (int32_t k = 0; k < r->nweights; k++) {
    size_t i = (size_t)at * (size_t)r->nweights + (size_t)k;
    if (isnan(w[k]))
      c->unweighted[i]++;
    else
      c->weight[i] += w[k];
  }
  if (!isnan(h)) {
    t->health_sum += h;
    t->health_n++;
  }
}

const double *report_persona_lost(const Report *r, int32_t i) {
  return r->persona_lost[i] ? r->persona_lost[i] : r->no_lost;
}

/* ---- histograms --------------------------------------------------------- */

static void hist_init(ScoreHist *h) {
  memset(h, 0, sizeof *h);
  h->min = INFINITY;
  h->max = -INFINITY;
}

static void hist_free(ScoreHist *h) { free(h->bins); }

static void hist_add(ScoreHist *h, bool na, double x) {
  if (na || isnan(x)) {
    h->na++;
    return;
  }
  /* bin b holds [b/10, (b+1)/10); 100 joins the last bin. The tiny nudge
   * keeps 70 from falling to 69.9 when it was computed as 69.99999999. */
  long b = (long)floor(x * 10 + 1e-9);
  if (b < 0) b = 0;
  if (b >= REPORT_HIST_BINS) b = REPORT_HIST_BINS - 1;
  int32_t lo = 0, hi = h->nbins; /* the first bin >= b */
  while (lo < hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (h->bins[mid].bin < b)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == h->nbins || h->bins[lo].bin != b) {
    VEC_GROW(h->bins, h->nbins, h->cap, 4);
    memmove(&h->bins[lo + 1], &h->bins[lo], (size_t)(h->nbins - lo) * sizeof *h->bins);
    h->bins[lo] = (HistBin){(int32_t)b, 0, x, x};
    h->nbins++;
  }
  HistBin *bin = &h->bins[lo];
  if (x < bin->min) bin->min = x;
  if (x > bin->max) bin->max = x;
  bin->n++;
  h->n++;
  h->sum += x;
  if (x < h->min) h->min = x;
  if (x > h->max) h->max = x;
}

double report_decile(const ScoreHist *h, int k) {
  if (h->n == 0) return NAN;
  uint64_t rank = ((uint64_t)k * h->n + 9) / 10; /* ⌈k·n/10⌉, 1-based */
  if (rank < 1) rank = 1;
  uint64_t cum = 0;
  for (int32_t i = 0; i < h->nbins; i++) {
    cum += h->bins[i].n;
    if (cum >= rank) return cum == rank ? h->bins[i].max : h->bins[i].min;
  }
  return h->max;
}

/* ---- --by groups --------------------------------------------------------- */

uint64_t report_hash_text(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h ? h : 1;
}

static int32_t group_new(Report *r, const char *value, size_t len, const char *label) {
  VEC_GROW(r->groups, r->ngroups, r->groups_cap, 16);
  ReportGroup *g = &r->groups[r->ngroups];
  g->value = value ? arena_strndup(&r->arena, value, len) : NULL;
  g->label = label;
  report_tally_init(r, &g->tally);
  return r->ngroups++;
}

/* The group of text VALUE (LEN bytes), created when first seen; past
 * REPORT_MAX_GROUPS distinct values, the "(other)" group. */
static int32_t group_of_text(Report *r, const char *value, size_t len) {
  if ((size_t)(r->ngroups + 1) * 2 > r->group_cap) {
    size_t cap = r->group_cap ? r->group_cap * 2 : 64;
    uint64_t *slots = xcalloc(cap, sizeof *slots);
    for (int32_t i = 0; i < r->ngroups; i++) {
      const char *v = r->groups[i].value;
      if (!v || i == r->other_group) continue;
      size_t j = (size_t)report_hash_text(v, strlen(v)) & (cap - 1);
      while (slots[j])
        j = (j + 1) & (cap - 1);
      slots[j] = (uint64_t)i + 1;
    }
    free(r->group_slots);
    r->group_slots = slots;
    r->group_cap = cap;
  }
  size_t j = (size_t)report_hash_text(value, len) & (r->group_cap - 1);
  while (r->group_slots[j]) {
    const char *v = r->groups[r->group_slots[j] - 1].value;
    if (strlen(v) == len && memcmp(v, value, len) == 0) return (int32_t)(r->group_slots[j] - 1);
    j = (j + 1) & (r->group_cap - 1);
  }
  if (r->ngroups >= REPORT_MAX_GROUPS) {
    if (r->other_group < 0) r->other_group = group_new(r, NULL, 0, "(other)");
    return r->other_group;
  }
  int32_t g = group_new(r, value, len, NULL);
  r->group_slots[j] = (uint64_t)g + 1;
  return g;
}

/* "--by segment tuch: the rules have no segment `tuch` (did you mean `touch`?)" */
static void unknown_name(Diag *diag, const char *kind, const char *name, const char **names, int32_t n) {
  const char *hint = diag_suggest(name, names, n);
  if (hint)
    diag_at(diag, KENKO_ERROR, NULL, 0, 0, "--by %s %s: the rules have no %s `%s` (did you mean `%s`?)", kind,
            name, kind, name, hint);
  else
    diag_at(diag, KENKO_ERROR, NULL, 0, 0, "--by %s %s: the rules have no %s `%s`", kind, name, kind, name);
}

/* Reads BY ("persona", "segment NAME", "input NAME") and creates the fixed
 * groups. Returns KENKO_OK or KENKO_ERR_USAGE (reported through DIAG). */
static int setup_by(Report *r, const char *by, Diag *diag) {
  const Program *p = r->p;
  r->missing_group = -1;
  r->other_group = -1;
  if (!by) return KENKO_OK;
  while (*by == ' ')
    by++;
  r->by_text = by;
  const char *rest = strchr(by, ' ');
  size_t kind_len = rest ? (size_t)(rest - by) : strlen(by);
  while (rest && *rest == ' ')
    rest++;
  const char *name = rest && *rest ? rest : NULL;
  if (kind_len == 7 && strncmp(by, "persona", 7) == 0 && !name) {
    if (p->npersonas == 0) {
      diag_at(diag, KENKO_ERROR, NULL, 0, 0, "--by persona: the rules declare no persona");
      return KENKO_ERR_USAGE;
    }
    r->by = BY_PERSONA;
    for (int32_t i = 0; i < p->npersonas; i++)
      group_new(r, p->personas[i].name, strlen(p->personas[i].name), p->personas[i].label);
    r->missing_group = group_new(r, NULL, 0, NULL);
    return KENKO_OK;
  }
  if (kind_len == 7 && strncmp(by, "segment", 7) == 0 && name) {
    int32_t s = -1;
    const char **names = xcalloc((size_t)p->nsegments + 1, sizeof *names);
    for (int32_t i = 0; i < p->nsegments; i++) {
      names[i] = p->segments[i].name;
      if (strcmp(names[i], name) == 0) s = i;
    }
    if (s < 0) unknown_name(diag, "segment", name, names, p->nsegments);
    free(names);
    if (s < 0) return KENKO_ERR_USAGE;
    r->by = BY_SEGMENT;
    r->by_index = s;
    const SegmentDecl *sd = &p->segments[s];
    for (int32_t i = 0; i < sd->ncases; i++)
      group_new(r, sd->cases[i].name, strlen(sd->cases[i].name), sd->cases[i].label);
    r->missing_group = group_new(r, NULL, 0, NULL);
    return KENKO_OK;
  }
  if (kind_len == 5 && strncmp(by, "input", 5) == 0 && name) {
    int32_t in = -1;
    const char **names = xcalloc((size_t)p->ninputs + 1, sizeof *names);
    for (int32_t i = 0; i < p->ninputs; i++) {
      names[i] = p->inputs[i].name;
      if (strcmp(names[i], name) == 0) in = i;
    }
    if (in < 0) unknown_name(diag, "input", name, names, p->ninputs);
    free(names);
    if (in < 0) return KENKO_ERR_USAGE;
    const InputDecl *id = &p->inputs[in];
    if (id->type != T_TEXT && id->type != T_BOOL) {
      diag_at(diag, KENKO_ERROR, NULL, 0, 0,
              "--by input %s: `%s` is a %s input; --by input takes a text or bool input "
              "(to group numbers or dates, declare a segment with ranges and use --by segment)",
              name, name, value_type_name((ValueType)id->type));
      return KENKO_ERR_USAGE;
    }
    r->by = BY_INPUT;
    r->by_index = in;
    if (id->type == T_BOOL) {
      group_new(r, "true", 4, NULL);
      group_new(r, "false", 5, NULL);
    } else {
      for (int32_t i = 0; i < id->nallowed; i++)
        group_of_text(r, id->allowed[i], strlen(id->allowed[i]));
    }
    return KENKO_OK;
  }
  diag_at(diag, KENKO_ERROR, NULL, 0, 0, "--by takes `persona`, `segment NAME` or `input NAME`, found \"%s\"",
          by);
  return KENKO_ERR_USAGE;
}

/* The --by group of one account. */
static int32_t group_of(Report *r, const Account *a, const Result *res) {
  switch (r->by) {
  case BY_PERSONA: return res->persona >= 0 ? res->persona : r->missing_group;
  case BY_SEGMENT: {
    int32_t c = res->segments[r->by_index];
    return c >= 0 ? c : r->missing_group;
  }
  case BY_INPUT: {
    Value v = a->values[r->by_index];
    if (v.type == T_BOOL) return v.u.b ? 0 : 1;
    if (v.type == T_TEXT) return group_of_text(r, v.u.text, v.len);
    if (r->missing_group < 0) r->missing_group = group_new(r, NULL, 0, NULL);
    return r->missing_group;
  }
  default: return -1;
  }
}

static int compare_group_values(const Report *r, int32_t a, int32_t b) {
  const ReportGroup *ga = &r->groups[a], *gb = &r->groups[b];
  /* missing, then (other), go last */
  int ra = a == r->other_group ? 2 : !ga->value ? 1 : 0;
  int rb = b == r->other_group ? 2 : !gb->value ? 1 : 0;
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra) return 0;
  return strcmp(ga->value, gb->value);
}

/* Whether group G is shown: every group but an empty "none" group. */
static bool group_shown(const Report *r, int32_t g) {
  return r->groups[g].value || g == r->other_group || r->groups[g].tally.accounts > 0;
}

int32_t report_group_order(const Report *r, int32_t *order) {
  int32_t n = 0;
  for (int32_t i = 0; i < r->ngroups; i++)
    if (group_shown(r, i)) order[n++] = i;
  /* Personas, segment cases, bools and `in [...]` values keep their
   * declared order; other text values are sorted (bytewise). */
  bool sort = r->by == BY_INPUT && r->p->inputs[r->by_index].type == T_TEXT &&
              r->p->inputs[r->by_index].nallowed == 0;
  if (sort) {
    for (int32_t i = 1; i < n; i++) { /* insertion sort: stable */
      int32_t g = order[i], j = i;
      while (j > 0 && compare_group_values(r, order[j - 1], g) > 0) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = g;
    }
  } else {
    /* declared order; missing (then other) last */
    int32_t k = 0;
    for (int32_t i = 0; i < r->ngroups; i++)
      if (r->groups[i].value) order[k++] = i;
    for (int32_t i = 0; i < r->ngroups; i++)
      if (!r->groups[i].value && i != r->other_group && group_shown(r, i)) order[k++] = i;
    if (r->other_group >= 0) order[k++] = r->other_group;
  }
  return n;
}

/* ---- worst accounts (HTML) ----------------------------------------------- */

/* Whether A should leave the heap before B: higher health, or the same
 * health and later in the run. */
static bool worse_kept(const WorstAccount *a, const WorstAccount *b) {
  if (a->health != b->health) return a->health > b->health;
  return a->ordinal > b->ordinal;
}

static void heap_down(WorstAccount *h, int32_t n, int32_t i) {
  for (;;) {
    int32_t l = 2 * i + 1, rgt = l + 1, top = i;
    if (l < n && worse_kept(&h[l], &h[top])) top = l;
    if (rgt < n && worse_kept(&h[rgt], &h[top])) top = rgt;
    if (top == i) return;
    WorstAccount t = h[i];
    h[i] = h[top];
    h[top] = t;
    i = top;
  }
}

static void heap_up(WorstAccount *h, int32_t i) {
  while (i > 0) {
    int32_t parent = (i - 1) / 2;
    if (!worse_kept(&h[i], &h[parent])) return;
    WorstAccount t = h[i];
    h[i] = h[parent];
    h[parent] = t;
    i = parent;
  }
}

static void fill_worst(const Report *r, WorstAccount *w, const Account *a, const Result *res) {
  const Program *p = r->p;
  free(w->id);
  free(w->name);
  *w = (WorstAccount){.id = xstrdup(a->id),
                      .name = a->name ? xstrdup(a->name) : NULL,
                      .ordinal = a->ordinal,
                      .health = res->health,
                      .coverage = res->coverage,
                      .grade = res->grade,
                      .persona = res->persona,
                      .bottleneck = res->bottleneck};
  /* the members that lost most, ties in declaration order */
  for (int32_t m = 0; m < res->nmembers; m++) {
    double lost = res->members[m].lost;
    if (!(lost > 0)) continue;
    int32_t j = w->ndrivers < REPORT_WORST_DRIVERS ? w->ndrivers++ : REPORT_WORST_DRIVERS;
    while (j > 0 && w->driver_lost[j - 1] < lost) {
      if (j < REPORT_WORST_DRIVERS) {
        w->driver[j] = w->driver[j - 1];
        w->driver_lost[j] = w->driver_lost[j - 1];
      }
      j--;
    }
    if (j < REPORT_WORST_DRIVERS) {
      w->driver[j] = m;
      w->driver_lost[j] = lost;
    }
  }
  /* flags raised, by severity (high first), then declaration order */
  w->nflags = 0;
  int32_t shown = 0;
  for (int sev = SEV_HIGH; sev >= SEV_LOW; sev--)
    for (int32_t f = 0; f < res->nflags; f++) {
      if (res->flags[f] != FLAG_RAISED || (int)p->flags[f].severity != sev) continue;
      if (shown < REPORT_WORST_FLAGS) w->flag[shown++] = f;
      w->nflags++;
    }
}

static void keep_worst(Report *r, const Account *a, const Result *res) {
  if (res->health_na) return;
  if (r->nworst < REPORT_WORST) {
    WorstAccount *w = &r->worst[r->nworst];
    memset(w, 0, sizeof *w);
    fill_worst(r, w, a, res);
    heap_up(r->worst, r->nworst++);
    return;
  }
  if (!(res->health < r->worst[0].health)) return; /* ties: the earlier stays */
  fill_worst(r, &r->worst[0], a, res);
  heap_down(r->worst, r->nworst, 0);
}

static int compare_worst(const void *a, const void *b) {
  const WorstAccount *x = a, *y = b;
  if (x->health != y->health) return x->health < y->health ? -1 : 1;
  return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

void report_sort_worst(Report *r) { qsort(r->worst, (size_t)r->nworst, sizeof *r->worst, compare_worst); }

/* ---- the sink ------------------------------------------------------------ */

void report_weights(const Report *r, const Account *a, double *w) {
  for (int32_t k = 0; k < r->nweights; k++) {
    Value v = a->values[r->weight_input[k]];
    w[k] = v.type == T_NUMBER && isfinite(v.u.num) && v.u.num >= 0 ? v.u.num : NAN;
  }
}

const int32_t *report_reads(Report *r, int32_t *n) {
  int32_t *reads = arena_alloc(&r->arena, (size_t)(r->nweights + 1) * sizeof *reads);
  *n = 0;
  if (r->by == BY_INPUT) reads[(*n)++] = r->by_index; /* group_of */
  for (int32_t k = 0; k < r->nweights; k++)
    reads[(*n)++] = r->weight_input[k]; /* report_weights */
  return reads;
}

/* The sink with KPIs: VALUES are their expressions' (KpiRun.nodes). */
static void report_account(void *ud, const Account *a, const Result *res);
static void report_account_kpis(void *ud, const Account *a, const Result *res, const Value *values) {
  Report *r = ud;
  kpi_account_values(r->kpis, values);
  report_account(ud, a, res);
}

static void report_account(void *ud, const Account *a, const Result *res) {
  Report *r = ud;
  const Program *p = r->p;
  int32_t row = res->grade >= 0 ? res->grade : r->rows - 1;
  double h = res->health_na ? NAN : res->health;
  double w[64], *weights = w;
  if (r->nweights > 64) weights = xmalloc((size_t)r->nweights * sizeof *weights);
  report_weights(r, a, weights);

  report_tally_add(r, &r->all, row, h, weights);
  int32_t persona = res->persona >= 0 ? res->persona : p->npersonas;
  report_tally_add(r, &r->by_persona[persona], row, h, weights);
  for (int32_t s = 0; s < p->nsegments; s++) {
    int32_t c = res->segments[s] >= 0 ? res->segments[s] : p->segments[s].ncases;
    report_tally_add(r, &r->by_case[s][c], row, h, weights);
  }
  if (r->by != BY_NONE) {
    int32_t g = group_of(r, a, res);
    report_tally_add(r, &r->groups[g].tally, row, h, weights);
  }
  if (weights != w) free(weights);

  hist_add(&r->health, res->health_na, res->health);
  for (int32_t d = 0; d < res->ndims; d++)
    hist_add(&r->dims[d], res->dims[d].na, res->dims[d].score);
  r->coverage_sum += res->coverage;
  if (res->coverage < 0.5) r->coverage_below_half++;

  for (int32_t m = 0; m < res->nmembers; m++) {
    double lost = res->members[m].lost;
    if (!(lost > 0)) continue;
    r->lost_total[m] += lost;
    r->losing[m]++;
    if (!r->persona_lost[persona]) r->persona_lost[persona] = xcalloc((size_t)r->nmembers, sizeof(double));
    r->persona_lost[persona][m] += lost;
  }
  for (int32_t f = 0; f < res->nflags; f++) {
    if (res->flags[f] == FLAG_RAISED)
      r->flag_raised[f]++;
    else if (res->flags[f] == FLAG_UNKNOWN)
      r->flag_unknown[f]++;
  }
  for (int32_t s = 0; s < res->nsteps; s++) {
    if (res->steps[s] == STEP_PASS)
      r->step_passed[s]++;
    else if (res->steps[s] == STEP_UNKNOWN)
      r->step_unknown[s]++;
  }
  if (p->has_journey) r->bottleneck[res->bottleneck >= 0 ? res->bottleneck : p->nsteps]++;
  if (r->keep_worst) keep_worst(r, a, res);
}

/* ---- derived figures ----------------------------------------------------- */

int32_t report_grade_rows(const Report *r, int32_t *rows) {
  const Program *p = r->p;
  int32_t n = 0;
  bool *listed = xcalloc((size_t)r->rows, sizeof *listed);
  if (p->default_grades >= 0) {
    const GradeSet *gs = &p->grade_sets[p->default_grades];
    for (int32_t i = 0; i < gs->nbands; i++) {
      int32_t g = gs->bands[i].grade;
      if (!listed[g]) rows[n++] = g;
      listed[g] = true;
    }
  }
  /* other grades that occurred (personas' own grade names), in the order
   * of the first grade set that lists them */
  for (int32_t s = 0; s < p->ngrade_sets; s++) {
    const GradeSet *gs = &p->grade_sets[s];
    for (int32_t i = 0; i < gs->nbands; i++) {
      int32_t g = gs->bands[i].grade;
      if (listed[g] || report_count(r, &r->all, g) == 0) continue;
      rows[n++] = g;
      listed[g] = true;
    }
  }
  rows[n++] = r->rows - 1;
  free(listed);
  return n;
}

const char *report_grade_name(const Report *r, int32_t row) {
  return row < r->rows - 1 ? r->p->grade_names[row] : "n/a";
}

const char *report_grade_label(const Report *r, int32_t row) {
  if (row >= r->rows - 1) return "n/a";
  const char *label = r->p->grade_labels[row];
  return label && *label ? label : r->p->grade_names[row];
}

double report_expected(const Report *r, const Tally *t, int32_t f, uint64_t *rated, uint64_t *left_out) {
  const ForecastDecl *fd = &r->p->forecasts[f];
  double sum = 0;
  uint64_t n = 0;
  for (int32_t g = 0; g < r->rows - 1; g++) {
    uint64_t count = isnan(fd->rate[g]) ? 0 : report_count(r, t, g);
    if (count == 0) continue;
    sum += (double)count * fd->rate[g];
    n += count;
  }
  *rated = n;
  *left_out = t->accounts - n;
  return n ? sum / (double)n : NAN;
}

double report_expected_weighted(const Report *r, const Tally *t, int32_t f, double *weight_total,
                                uint64_t *left_out) {
  const ForecastDecl *fd = &r->p->forecasts[f];
  int32_t k = r->forecast_weight[f];
  *weight_total = 0;
  *left_out = t->accounts;
  if (k < 0) return NAN;
  double sum = 0, total = 0;
  uint64_t in = 0;
  for (int32_t g = 0; g < r->rows - 1; g++) {
    if (isnan(fd->rate[g])) continue;
    double weight = report_weight(r, t, k, g);
    sum += weight * fd->rate[g];
    total += weight;
    in += report_count(r, t, g) - report_unweighted(r, t, k, g);
  }
  *weight_total = total;
  *left_out = t->accounts - in;
  return total > 0 ? sum / total : NAN;
}

int32_t report_top_members(const Report *r, const double *lost, int32_t *order, int32_t max) {
  int32_t n = 0;
  for (int32_t m = 0; m < r->nmembers; m++) {
    if (!(lost[m] > 0)) continue;
    int32_t j = n < max ? n++ : max;
    while (j > 0 && lost[order[j - 1]] < lost[m]) {
      if (j < max) order[j] = order[j - 1];
      j--;
    }
    if (j < max) order[j] = m;
  }
  return n;
}

/* ---- setup and the run --------------------------------------------------- */

void report_init(Report *r, const Program *p) {
  memset(r, 0, sizeof *r);
  r->p = p;
  arena_init(&r->arena, 0);
  r->rows = p->ngrade_names + 1;
  for (int32_t d = 0; d < p->ndimensions; d++)
    r->nmembers += p->dimensions[d].nmembers;
  r->member_dim = arena_alloc(&r->arena, (size_t)(r->nmembers + 1) * sizeof *r->member_dim);
  r->member_index = arena_alloc(&r->arena, (size_t)(r->nmembers + 1) * sizeof *r->member_index);
  int32_t flat = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++) {
      r->member_dim[flat] = d;
      r->member_index[flat++] = m;
    }

  r->weight_input = arena_alloc(&r->arena, (size_t)(p->nforecasts + 1) * sizeof *r->weight_input);
  r->forecast_weight = arena_alloc(&r->arena, (size_t)(p->nforecasts + 1) * sizeof *r->forecast_weight);
  for (int32_t f = 0; f < p->nforecasts; f++) {
    int32_t in = p->forecasts[f].weight_input;
    r->forecast_weight[f] = -1;
    if (in < 0) continue;
    int32_t k = 0;
    while (k < r->nweights && r->weight_input[k] != in)
      k++;
    if (k == r->nweights) r->weight_input[r->nweights++] = in;
    r->forecast_weight[f] = k;
  }

  report_tally_init(r, &r->all);
  r->by_persona = arena_alloc(&r->arena, (size_t)(p->npersonas + 1) * sizeof *r->by_persona);
  for (int32_t i = 0; i <= p->npersonas; i++)
    report_tally_init(r, &r->by_persona[i]);
  r->by_case = arena_alloc(&r->arena, (size_t)(p->nsegments + 1) * sizeof *r->by_case);
  for (int32_t s = 0; s < p->nsegments; s++) {
    r->by_case[s] = arena_alloc(&r->arena, (size_t)(p->segments[s].ncases + 1) * sizeof **r->by_case);
    for (int32_t c = 0; c <= p->segments[s].ncases; c++)
      report_tally_init(r, &r->by_case[s][c]);
  }
  hist_init(&r->health);
  r->dims = xmalloc((size_t)(p->ndimensions + 1) * sizeof *r->dims);
  for (int32_t d = 0; d < p->ndimensions; d++)
    hist_init(&r->dims[d]);
  size_t nm = (size_t)r->nmembers + 1;
  r->lost_total = arena_alloc(&r->arena, nm * sizeof *r->lost_total);
  r->losing = arena_alloc(&r->arena, nm * sizeof *r->losing);
  r->persona_lost = xcalloc((size_t)p->npersonas + 1, sizeof *r->persona_lost);
  r->no_lost = arena_alloc(&r->arena, nm * sizeof *r->no_lost);
  r->flag_raised = arena_alloc(&r->arena, (size_t)(p->nflags + 1) * sizeof *r->flag_raised);
  r->flag_unknown = arena_alloc(&r->arena, (size_t)(p->nflags + 1) * sizeof *r->flag_unknown);
  r->step_passed = arena_alloc(&r->arena, (size_t)(p->nsteps + 1) * sizeof *r->step_passed);
  r->step_unknown = arena_alloc(&r->arena, (size_t)(p->nsteps + 1) * sizeof *r->step_unknown);
  r->bottleneck = arena_alloc(&r->arena, (size_t)(p->nsteps + 1) * sizeof *r->bottleneck);
  r->missing_group = -1;
  r->other_group = -1;
}

void report_free(Report *r) {
  for (int32_t i = 0; i < r->nworst; i++) {
    free(r->worst[i].id);
    free(r->worst[i].name);
  }
  free(r->groups);
  free(r->group_slots);
  hist_free(&r->health);
  for (int32_t d = 0; d < r->p->ndimensions; d++)
    hist_free(&r->dims[d]);
  free(r->dims);
  for (int32_t i = 0; i <= r->p->npersonas; i++)
    free(r->persona_lost[i]);
  free(r->persona_lost);
  free(r->cells.keys);
  free(r->cells.cell);
  free(r->cells.count);
  free(r->cells.weight);
  free(r->cells.unweighted);
  arena_free(&r->arena);
}

int report_program(const CProgram *cp, const char *const *data, int ndata, const kenko_report_opts *opts,
                   FILE *out, kenko_run_stats *stats) {
  PortfolioRun pr;
  if (!portfolio_begin(&pr, cp, &opts->run, stats)) return KENKO_ERR_USAGE;
  const Program *p = pr.p;
  Report *r = xmalloc(sizeof *r);
  report_init(r, p);
  date_format(pr.as_of, r->as_of);
  memcpy(r->rules, p->fingerprint, 12);
  r->rules[12] = '\0';
  int status = setup_by(r, opts->by, &pr.diag);
  r->keep_worst = opts->html != NULL;
  Evaluator *ev = NULL;
  if (status == KENKO_OK) {
    ev = eval_new(cp);
    if (p->nkpis > 0) {
      r->kpis = xmalloc(sizeof *r->kpis);
      kpi_init(r->kpis, p, ev);
    }
    pr.result_only = true;
    pr.inputs_declared = true;
    pr.reads = report_reads(r, &pr.nreads);
    if (r->kpis) {
      pr.kpis = r->kpis;
      pr.account_kpis = report_account_kpis;
    }
    status = portfolio_score(&pr, p, ev, data, ndata, &pr.diag, report_account, r, stats);
    r->stats = *stats;
    date_format(run_output_date(stats, pr.as_of), r->as_of);
    if (status != KENKO_ERR_USAGE) {
      if (out && opts->json)
        report_write_json(r, out);
      else if (out)
        report_write_text(r, out, pr.run.color);
      if (opts->html) report_write_html(r, opts->html);
      if (opts->xlsx && !report_write_xlsx(r, opts->xlsx, &pr.diag, run_output_date(stats, pr.as_of)))
        status = KENKO_ERR_USAGE;
    }
  }
  if (r->kpis) {
    kpi_free(r->kpis);
    free(r->kpis);
  }
  if (ev) eval_free(ev);
  report_free(r);
  free(r);
  return status;
}
