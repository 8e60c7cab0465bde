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
#include "portfolio/kpi.h"
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
  int32_t nfc = 0;
  for (int32_t f = 0; f < p->nforecasts; f++)
    nfc += p->forecasts[f].weight_input >= 0 ? 2 : 1;
  int32_t ncols = 4 + nrows + nfc;
  if (ncols > TABLE_MAX_COLS) ncols = TABLE_MAX_COLS;
  Table t;
  table_init_figures(&t, arena, ncols);
  const char *cells[TABLE_MAX_COLS];
  int32_t c = 0;
  cells[c++] = _("snapshot");
  cells[c++] = _("accounts");
  cells[c++] = _("rejected");
  cells[c++] = _("mean health");
  for (int32_t g = 0; g < nrows && c < ncols; g++)
    cells[c++] = report_grade_name(&h->r, rows[g]);
  for (int32_t f = 0; f < p->nforecasts && c < ncols; f++) {
    cells[c++] = p->forecasts[f].name;
    int32_t in = p->forecasts[f].weight_input;
    if (in >= 0 && c < ncols) cells[c++] = table_fmt(&t, "%s (%s)", p->forecasts[f].name, p->inputs[in].name);
  }
  table_row(&t, cells);
  for (size_t i = 0; i < h->nsnaps; i++) {
    const HistSnap *s = &h->snaps[i];
    const Tally *ty = &s->tally;
    char day[11];
    date_format(s->date, day);
    c = 0;
    cells[c++] = table_fmt(&t, "%s", day);
    cells[c++] = table_fmt(&t, "%llu", (unsigned long long)s->scored);
    cells[c++] = table_fmt(&t, "%llu", (unsigned long long)s->rejected);
    cells[c++] = num_cell(&t, ty->health_n ? ty->health_sum / (double)ty->health_n : NAN);
    for (int32_t g = 0; g < nrows && c < ncols; g++) {
      uint64_t n = report_count(&h->r, ty, rows[g]);
      cells[c++] = table_fmt(&t, "%llu (%.1f%%)", (unsigned long long)n,
                             ty->accounts ? 100.0 * (double)n / (double)ty->accounts : 0.0);
    }
    for (int32_t f = 0; f < p->nforecasts && c < ncols; f++) {
      uint64_t rated, out;
      cells[c++] = pct_cell(&t, report_expected(&h->r, ty, f, &rated, &out));
      if (p->forecasts[f].weight_input >= 0 && c < ncols) {
        double total;
        cells[c++] = pct_cell(&t, report_expected_weighted(&h->r, ty, f, &total, &out));
      }
    }
    table_row(&t, cells);
  }
  table_print(&t, b, "  ", false);
  table_free(&t);
}

/* Accounts with each flag raised, per snapshot (flags never raised in any
 * snapshot shown are left out). */
static void text_flags(const History *h, Buf *b, Arena *arena) {
  const Program *p = h->p;
  int32_t cols[TABLE_MAX_COLS];
  int32_t n = 0;
  for (int32_t f = 0; f < p->nflags && n < TABLE_MAX_COLS - 1; f++) {
    uint64_t any = 0;
    for (size_t i = 0; i < h->nsnaps; i++)
      any += h->snaps[i].flag_raised[f];
    if (any) cols[n++] = f;
  }
  if (n == 0) return;
  buf_puts(b, _("\nFlags raised per snapshot (accounts)\n"));
  Table t;
  table_init_figures(&t, arena, n + 1);
  const char *cells[TABLE_MAX_COLS];
  cells[0] = _("snapshot");
  for (int32_t k = 0; k < n; k++)
    cells[k + 1] = p->flags[cols[k]].name;
  table_row(&t, cells);
  for (size_t i = 0; i < h->nsnaps; i++) {
    char day[11];
    date_format(h->snaps[i].date, day);
    cells[0] = table_fmt(&t, "%s", day);
    for (int32_t k = 0; k < n; k++)
      cells[k + 1] = table_fmt(&t, "%llu", (unsigned long long)h->snaps[i].flag_raised[cols[k]]);
    table_row(&t, cells);
  }
  table_print(&t, b, "  ", false);
  table_free(&t);
}

/* Each KPI per snapshot (a column each, as many as a table holds), its
 * target underneath; ✓ met, ✗ not met. */
static void text_kpis(const History *h, Buf *b, Arena *arena) {
  const Program *p = h->p;
  if (p->nkpis == 0 || !h->snaps[0].kpi) return;
  int32_t n = p->nkpis < TABLE_MAX_COLS - 1 ? p->nkpis : TABLE_MAX_COLS - 1;
  buf_puts(b, "\nKPIs per snapshot (✓ target met, ✗ not met)\n");
  char align[TABLE_MAX_COLS + 1];
  memset(align, 'r', sizeof align);
  align[0] = 'l';
  align[n + 1] = '\0';
  Table t;
  table_init(&t, arena, align);
  const char *cells[TABLE_MAX_COLS];
  cells[0] = "snapshot";
  for (int32_t k = 0; k < n; k++)
    cells[k + 1] = p->kpis[k].name;
  table_row(&t, cells);
  for (size_t i = 0; i < h->nsnaps; i++) {
    char day[11], v[KPI_TEXT_SIZE];
    date_format(h->snaps[i].date, day);
    cells[0] = table_fmt(&t, "%s", day);
    for (int32_t k = 0; k < n; k++) {
      int met = h->snaps[i].kpi_met[k];
      cells[k + 1] = table_fmt(&t, "%s%s", kpi_text(p, k, h->snaps[i].kpi[k], v),
                               met == 1   ? " ✓"
                               : met == 0 ? " ✗"
                                          : "");
    }
    table_row(&t, cells);
  }
  cells[0] = "target";
  for (int32_t k = 0; k < n; k++) {
    char tg[KPI_TARGET_SIZE];
    const char *target = kpi_target_text(p, k, tg);
    cells[k + 1] = target ? table_fmt(&t, "%s", target) : "-";
  }
  table_row(&t, cells);
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
  if (n < p->nkpis)
    buf_printf(b, "  … and %d more KPIs (--kpis --format csv has every one)\n", (int)(p->nkpis - n));
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
  if (shown + 1 > TABLE_MAX_COLS) shown = TABLE_MAX_COLS - 1;
  Table t;
  table_init_figures(&t, arena, shown + 1);
  const char *cells[TABLE_MAX_COLS];
  cells[0] = _("first \\ last");
  for (int32_t g = 0; g < shown; g++)
    cells[g + 1] = report_grade_name(&h->r, rows[g]);
  table_row(&t, cells);
  for (int32_t r = 0; r < shown; r++) {
    cells[0] = report_grade_name(&h->r, rows[r]);
    for (int32_t g = 0; g < shown; g++)
      cells[g + 1] = table_fmt(&t, "%llu", (unsigned long long)m[(size_t)rows[r] * nr + (size_t)rows[g]]);
    table_row(&t, cells);
  }
  table_print(&t, b, "  ", false);
  table_free(&t);
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
