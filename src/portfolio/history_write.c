/* history_write.c — `kenko history` for people (docs/history.md): a row
 * per snapshot (accounts, mean health, each grade's count and share, the
 * expected retention of each forecast), the grade transitions between
 * the first and the last snapshot shown, the flags raised per snapshot,
 * and the accounts whose grade
 * fell or rose between the last two with the members that moved them;
 * with --account, that account's series. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "portfolio/history.h"
#include "engine/kpi.h"
#include "io/table.h"

static const char *num_cell(Table *t, double x) { return isnan(x) ? "n/a" : table_num2(t, x); }

static const char *pct_cell(Table *t, double x) { return isnan(x) ? "-" : table_fmt(t, "%.1f%%", 100 * x); }

static void date_text(int32_t date, char *out) {
  if (date == SNAP_NONE)
    strcpy(out, "-");
  else
    date_format(date, out);
}

static void header(const History *h, Buf *b, const char *what) {
  const Program *p = h->p;
  buf_printf(b, "kenko history%s: ", what);
  if (h->nsnaps == 0 && h->nseries == 0) {
    buf_printf(b, _("no snapshot shown (%llu read)"), (unsigned long long)h->read_snapshots);
  } else {
    char first[11], last[11];
    int32_t d0 = h->nsnaps ? h->snaps[0].date : h->series[0].date;
    int32_t d1 = h->nsnaps ? h->snaps[h->nsnaps - 1].date : h->series[h->nseries - 1].date;
    date_text(d0, first);
    date_text(d1, last);
    if (h->nsnaps == 1)
      buf_printf(b, _("1 snapshot, %s"), first);
    else if (h->nsnaps)
      buf_printf(b, _("%llu snapshots, %s … %s"), (unsigned long long)h->nsnaps, first, last);
    else
      buf_printf(b, "%s … %s", first, last);
    if ((uint64_t)h->nsnaps < h->read_snapshots && !h->account)
      buf_printf(b, _(" (%llu read; the others feed the trend functions only)"),
                 (unsigned long long)h->read_snapshots);
  }
  buf_printf(b, _(", rules %s"), h->r.rules);
  if (p->title) buf_printf(b, " (%s)", p->title);
  buf_putc(b, '\n');
}

/* ---- per snapshot ----------------------------------------------------------- */

static void text_snapshots(History *h, Buf *b, Arena *arena, const int32_t *rows, int32_t nrows) {
  const Program *p = h->p;
  /* columns: date, accounts, rejected, mean health, each grade row, each
   * forecast (and its value-weighted figure) */
  Table t;
  table_init_figures(&t, arena, 4); /* a column more for each grade and forecast */
  table_new_row(&t);
  table_text(&t, _("snapshot"));
  table_text(&t, _("accounts"));
  table_text(&t, _("rejected"));
  table_text(&t, _("mean health"));
  for (int32_t g = 0; g < nrows; g++)
    table_text(&t, report_grade_name(&h->r, rows[g]));
  for (int32_t f = 0; f < p->nforecasts; f++) {
    table_text(&t, p->forecasts[f].name);
    int32_t in = p->forecasts[f].weight_input;
    if (in >= 0) table_cell(&t, "%s (%s)", p->forecasts[f].name, p->inputs[in].name);
  }
  for (size_t i = 0; i < h->nsnaps; i++) {
    const HistSnap *s = &h->snaps[i];
    const Tally *ty = &s->tally;
    char day[11];
    date_format(s->date, day);
    table_new_row(&t);
    table_text(&t, day);
    table_cell(&t, "%llu", (unsigned long long)s->scored);
    table_cell(&t, "%llu", (unsigned long long)s->rejected);
    table_text(&t, num_cell(&t, ty->health_n ? ty->health_sum / (double)ty->health_n : NAN));
    for (int32_t g = 0; g < nrows; g++) {
      uint64_t n = report_count(&h->r, ty, rows[g]);
      table_cell(&t, "%llu (%.1f%%)", (unsigned long long)n,
                 ty->accounts ? 100.0 * (double)n / (double)ty->accounts : 0.0);
    }
    for (int32_t f = 0; f < p->nforecasts; f++) {
      uint64_t rated, out;
      table_text(&t, pct_cell(&t, report_expected(&h->r, ty, f, &rated, &out)));
      if (p->forecasts[f].weight_input >= 0) {
        double total;
        table_text(&t, pct_cell(&t, report_expected_weighted(&h->r, ty, f, &total, &out)));
      }
    }
  }
  table_print(&t, b, "  ", false);
  table_free(&t);
}

/* Accounts with each flag raised, per snapshot (flags never raised in any
 * snapshot shown are left out). */
static void text_flags(const History *h, Buf *b, Arena *arena) {
  const Program *p = h->p;
  int32_t *cols = arena_alloc(arena, (size_t)p->nflags * sizeof *cols);
  int32_t n = 0;
  for (int32_t f = 0; f < p->nflags; f++) {
    uint64_t any = 0;
    for (size_t i = 0; i < h->nsnaps; i++)
      any += h->snaps[i].flag_raised[f];
    if (any) cols[n++] = f;
  }
  if (n == 0) return;
  buf_puts(b, _("\nFlags raised per snapshot (accounts)\n"));
  Table t;
  table_init_figures(&t, arena, n + 1);
  table_new_row(&t);
  table_text(&t, _("snapshot"));
  for (int32_t k = 0; k < n; k++)
    table_text(&t, p->flags[cols[k]].name);
  for (size_t i = 0; i < h->nsnaps; i++) {
    char day[11];
    date_format(h->snaps[i].date, day);
    table_new_row(&t);
    table_text(&t, day);
    for (int32_t k = 0; k < n; k++)
      table_cell(&t, "%llu", (unsigned long long)h->snaps[i].flag_raised[cols[k]]);
  }
  table_print(&t, b, "  ", false);
  table_free(&t);
}

/* Each KPI per snapshot (a column each), its target underneath; ✓ met,
 * ✗ not met. */
static void text_kpis(const History *h, Buf *b, Arena *arena) {
  const Program *p = h->p;
  if (p->nkpis == 0 || !h->snaps[0].kpi) return;
  int32_t n = p->nkpis; /* every KPI: the table grows its columns */
  buf_putc(b, '\n');
  buf_puts(b, _("KPIs per snapshot (✓ target met, ✗ not met)"));
  buf_putc(b, '\n');
  Table t;
  table_init_figures(&t, arena, n + 1);
  table_new_row(&t);
  table_text(&t, _("snapshot"));
  for (int32_t k = 0; k < n; k++)
    table_text(&t, p->kpis[k].name);
  for (size_t i = 0; i < h->nsnaps; i++) {
    char day[11], v[KPI_TEXT_SIZE];
    date_format(h->snaps[i].date, day);
    table_new_row(&t);
    table_text(&t, day);
    for (int32_t k = 0; k < n; k++) {
      int met = h->snaps[i].kpi_met[k];
      table_cell(&t, "%s%s", kpi_text(p, k, h->snaps[i].kpi[k], v), met == 1 ? " ✓" : met == 0 ? " ✗" : "");
    }
  }
  table_new_row(&t);
  table_text(&t, _("target"));
  for (int32_t k = 0; k < n; k++) {
    char tg[KPI_TARGET_SIZE];
    const char *target = kpi_target_text(p, k, tg);
    table_text(&t, target ? target : "-");
  }
  table_print(&t, b, "  ", false);
  table_free(&t);
  for (int32_t k = 0; k < n; k++) {
    const KpiDecl *kd = &p->kpis[k];
    if (!kd->label || !*kd->label) continue;
    buf_puts(b, "  ");
    buf_puts(b, kd->name);
    buf_puts(b, ": ");
    buf_shown_str(b, kd->label);
    buf_putc(b, '\n');
  }
}

/* ---- first → last ------------------------------------------------------------ */

static void text_transitions(History *h, Buf *b, Arena *arena, const int32_t *rows, int32_t nrows) {
  uint64_t both, joined, left;
  uint64_t *m = history_transitions(h, &both, &joined, &left);
  char first[11], last[11];
  date_format(h->snaps[0].date, first);
  date_format(h->snaps[h->nsnaps - 1].date, last);
  buf_printf(b,
             _("\nGrade transitions %s → %s (rows: first, columns: last): %llu accounts in both, %llu joined "
               "since, %llu left\n"),
             first, last, (unsigned long long)both, (unsigned long long)joined, (unsigned long long)left);
  /* the n/a row and column only when some account is in them */
  size_t nr = (size_t)h->r.rows, na = nr - 1;
  uint64_t na_total = 0;
  for (size_t k = 0; k < nr; k++)
    na_total += m[na * nr + k] + m[k * nr + na];
  int32_t shown = na_total ? nrows : nrows - 1;
  const char **heads = arena_alloc(arena, (size_t)shown * sizeof *heads);
  for (int32_t g = 0; g < shown; g++)
    heads[g] = report_grade_name(&h->r, rows[g]);
  TableCounts counts = {.corner = _("first \\ last"),
                        .row_heads = heads,
                        .col_heads = heads,
                        .nrows = shown,
                        .ncols = shown,
                        .count = m,
                        .stride = nr,
                        .row_at = rows,
                        .col_at = rows};
  table_print_counts(b, "  ", &counts);
  free(m);
}

/* ---- what fell and what rose --------------------------------------------------- */

static void text_member(const History *h, Buf *b, int32_t m) {
  char name[512];
  const char *label;
  buf_puts(b, history_member_name(h, m, name, sizeof name, &label));
  if (label) buf_printf(b, " %s", label);
}

static void text_moves(const History *h, Buf *b, const HistMove *top, int32_t ntop, const char *none) {
  if (ntop == 0 && none) buf_printf(b, "      %s\n", none);
  for (int32_t k = 0; k < ntop; k++) {
    buf_puts(b, "      ");
    text_member(h, b, top[k].member);
    buf_puts(b, _(": lost "));
    buf_num2(b, top[k].before);
    buf_puts(b, " → ");
    buf_num2(b, top[k].after);
    buf_putc(b, '\n');
  }
}

static void text_changes(History *h, Buf *b, bool fell) {
  size_t n = 0;
  for (size_t i = 0; i < h->nchanges; i++)
    n += h->changes[i].fell == fell;
  char before[11], after[11];
  date_text(h->changes_prev, before);
  date_text(h->changes_date, after);
  buf_printf(b, fell ? _("\nFell between %s and %s (%llu)%s\n") : _("\nRose between %s and %s (%llu)%s\n"),
             before, after, (unsigned long long)n,
             n == 0 ? ""
             : fell ? _(", with the members whose lost points grew most")
                    : _(", with the members whose lost points shrank most"));
  for (size_t i = 0; i < h->nchanges; i++) {
    const HistChange *c = &h->changes[i];
    if (c->fell != fell) continue;
    buf_flush(b, 1 << 16);
    buf_puts(b, "  ");
    buf_account(b, c->id, c->name);
    buf_printf(b, _(": %s → %s, health "), report_grade_name(&h->r, c->from),
               report_grade_name(&h->r, c->to));
    buf_num2(b, c->health_before);
    buf_puts(b, " → ");
    buf_num2(b, c->health_after);
    buf_putc(b, '\n');
    text_moves(h, b, c->top, c->ntop, _("no member's lost points moved that way: the grade bands did"));
  }
}

void history_write_text(History *h, FILE *out) {
  Buf b;
  buf_init(&b, out);
  Arena arena;
  arena_init(&arena, 0);
  header(h, &b, "");
  if (h->nsnaps > 0) {
    int32_t *rows = xmalloc((size_t)h->r.rows * sizeof *rows);
    int32_t nrows = report_grade_rows(&h->r, rows);
    buf_puts(&b, _("\nPer snapshot (accounts scored; grades: count and share; forecasts: expected rate)\n"));
    text_snapshots(h, &b, &arena, rows, nrows);
    text_kpis(h, &b, &arena);
    text_flags(h, &b, &arena);
    if (h->nsnaps > 1) {
      text_transitions(h, &b, &arena, rows, nrows);
      history_sort_changes(h);
      text_changes(h, &b, true);
      text_changes(h, &b, false);
    }
    free(rows);
  }
  arena_free(&arena);
  buf_flush(&b, 0);
  buf_free(&b);
}

/* ---- --account ---------------------------------------------------------------- */

void history_write_account(History *h, FILE *out) {
  const Program *p = h->p;
  Buf b;
  buf_init(&b, out);
  Arena arena;
  arena_init(&arena, 0);
  header(h, &b, " --account");
  buf_puts(&b, _("account "));
  buf_account(&b, h->account, h->account_name);
  buf_printf(&b, P_(": %llu snapshot\n\n", ": %llu snapshots\n\n", (unsigned long)h->nseries),
             (unsigned long long)h->nseries);
  Table t;
  table_init(&t, &arena, "lllrll");
  const char *head[] = {_("snapshot"), _("persona"), _("grade"), _("health"), _("change"), _("flags")};
  table_row(&t, head);
  for (size_t i = 0; i < h->nseries; i++) {
    const HistPoint *pt = &h->series[i];
    char day[11];
    date_format(pt->date, day);
    Buf flags;
    buf_init(&flags, NULL);
    for (uint32_t k = 0; k < pt->nflags; k++) {
      if (k) buf_puts(&flags, ", ");
      buf_puts(&flags, p->flags[pt->flags[k]].name);
    }
    buf_putc(&flags, '\0');
    double change = i > 0 ? pt->health - h->series[i - 1].health : NAN;
    const char *cells[] = {table_fmt(&t, "%s", day),
                           pt->persona >= 0 ? p->personas[pt->persona].name : "-",
                           report_grade_name(&h->r, pt->grade),
                           num_cell(&t, pt->health),
                           isnan(change) ? "" : table_fmt(&t, "%+.2f", change),
                           flags.data};
    table_row(&t, cells);
    buf_free(&flags);
  }
  table_print(&t, &b, "  ", false);
  table_free(&t);
  bool moved = false;
  for (size_t i = 1; i < h->nseries; i++) {
    const HistPoint *pt = &h->series[i];
    if (pt->ntop == 0) continue;
    if (!moved)
      buf_puts(&b,
               _("\nWhat moved the health between snapshots (the members whose lost points moved most)\n"));
    moved = true;
    char before[11], after[11];
    date_format(h->series[i - 1].date, before);
    date_format(pt->date, after);
    buf_printf(&b, _("  %s → %s: health "), before, after);
    buf_num2(&b, h->series[i - 1].health);
    buf_puts(&b, " → ");
    buf_num2(&b, pt->health);
    buf_putc(&b, '\n');
    text_moves(h, &b, pt->top, pt->ntop, NULL);
  }
  arena_free(&arena);
  buf_flush(&b, 0);
  buf_free(&b);
}
