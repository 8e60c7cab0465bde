/* write_xlsx.c — `run --format xlsx` and `history --format xlsx`: the
 * csv's table as a sheet (io/xlsx.h): the same columns with the rules'
 * labels (csv --labels), numbers as numbers (full precision, shown with
 * one decimal; history's coverage as a percentage), each grade cell in
 * the colour the HTML report gives its grade row; the sheet's name and
 * the fixed headings in the user's language (gettext). The `id` is a text
 * cell, so nothing from the data can become a formula. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "io/writer.h"
#include "io/xlsx.h"
#include "io/palette.h"

/* The header's cells, copied (the joined dimension headings are made
 * one at a time). */
typedef struct HeadCells {
  char **cells;
  int n;
} HeadCells;

static void xlsx_head_cell(void *ud, const char *text) {
  HeadCells *h = ud;
  h->cells[h->n++] = strdup(text);
}

/* Each grade's place among the grade rows the HTML report shows: the
 * default grades in order, then the grades of the other grade sets in
 * the order first listed (the report lists these only when they
 * occurred); n/a is the last row. */
static void grade_places(WriteCtx *w) {
  const Program *p = w->p;
  w->grade_pos = arena_alloc(writer_arena(w), ((size_t)p->ngrade_names + 1) * sizeof *w->grade_pos);
  for (int32_t g = 0; g < p->ngrade_names; g++)
    w->grade_pos[g] = -1;
  int32_t n = 0;
  for (int32_t pass = 0; pass < 2; pass++)
    for (int32_t s = 0; s < p->ngrade_sets; s++) {
      if ((pass == 0) != (s == p->default_grades)) continue;
      const GradeSet *gs = &p->grade_sets[s];
      for (int32_t i = 0; i < gs->nbands; i++)
        if (w->grade_pos[gs->bands[i].grade] < 0) w->grade_pos[gs->bands[i].grade] = n++;
    }
  for (int32_t g = 0; g < p->ngrade_names; g++)
    if (w->grade_pos[g] < 0) w->grade_pos[g] = n++;
  w->ngrade_pos = n + 1;
}

void write_xlsx_header(WriteCtx *w) {
  HeadCells h = {calloc((size_t)(12 + 2 * w->p->ndimensions), sizeof(char *)), 0};
  bool labels = w->labels;
  w->labels = true;
  writer_header(w, xlsx_head_cell, &h);
  w->labels = labels;
  /* TRANSLATORS: the sheet's name in `run --format xlsx` (Results) and `history --format xlsx` (History) */
  xlsx_sheet(w->xlsx, w->history ? _("History") : _("Results"), (const char *const *)h.cells, h.n);
  for (int i = 0; i < h.n; i++)
    free(h.cells[i]);
  free(h.cells);
}

/* A grade cell: its label on its grade row's colour. */
static void grade_cell(WriteCtx *w, int32_t g) {
  if (g < 0) {
    xlsx_text(w->xlsx, NULL);
    return;
  }
  const Program *p = w->p;
  xlsx_colored(w->xlsx, writer_shown(w, p->grade_names[g], p->grade_labels[g]),
               palette_grade_color(w->grade_pos[g], w->ngrade_pos));
}

void write_xlsx(WriteCtx *w, const Account *a, const Result *r) {
  const Program *p = w->p;
  Xlsx *x = w->xlsx;
  if (!w->grade_pos) grade_places(w); /* again after writer_free (history's snapshots) */
  bool labels = w->labels;
  w->labels = true;
  xlsx_text(x, a->id);
  if (p->display_input >= 0) xlsx_text(x, a->name); /* the display name (writer_header) */
  if (w->history) {
    xlsx_text(x, w->as_of);
    xlsx_text(x, w->rules);
  }
  xlsx_text(x, r->persona >= 0 ? writer_shown(w, p->personas[r->persona].name, p->personas[r->persona].label)
                               : NULL);
  xlsx_num(x, r->health_na ? NAN : r->health, XLSX_NUM1);
  grade_cell(w, r->grade);
  if (w->history) xlsx_num(x, r->coverage, XLSX_PCT);
  for (int32_t d = 0; d < r->ndims; d++) {
    xlsx_num(x, r->dims[d].na ? NAN : r->dims[d].score, XLSX_NUM1);
    grade_cell(w, r->dims[d].grade);
  }
  Buf flags;
  buf_init(&flags, NULL);
  for (int32_t f = 0; f < r->nflags; f++) {
    if (r->flags[f] != FLAG_RAISED) continue;
    if (flags.len) buf_putc(&flags, ';');
    buf_puts(&flags, writer_shown(w, p->flags[f].name, p->flags[f].label));
  }
  buf_putc(&flags, '\0');
  xlsx_text(x, flags.data);
  buf_free(&flags);
  xlsx_text(x, r->bottleneck >= 0
                   ? writer_shown(w, p->steps[r->bottleneck].name, p->steps[r->bottleneck].label)
                   : NULL);
  if (!w->history) {
    xlsx_text(x, w->as_of);
    xlsx_text(x, w->rules);
  }
  xlsx_row(x);
  w->labels = labels;
}
