/* write_csv.c — `run --format csv`: one row per account,
 * id,persona,health,grade,<dim>,<dim>_grade…,flags,bottleneck, then
 * as_of and rules so every row says how it was scored. Missing values are
 * empty cells; raised flags are joined with ';'. */
#include <math.h>
#include <string.h>

#include "writer.h"

static void cell(Buf *b, const char *s) {
  if (s) buf_csv_cell(b, s, strlen(s));
}

void write_csv_header(WriteCtx *w) {
  const Program *p = w->p;
  Buf *b = w->buf;
  buf_puts(b, "id,persona,health,grade");
  for (int32_t d = 0; d < p->ndimensions; d++) {
    buf_putc(b, ',');
    cell(b, p->dimensions[d].name);
    buf_putc(b, ',');
    cell(b, p->dimensions[d].name);
    buf_puts(b, "_grade");
  }
  buf_puts(b, ",flags,bottleneck,as_of,rules\n");
}

void write_csv(WriteCtx *w, const Account *a, const Result *r) {
  const Program *p = w->p;
  Buf *b = w->buf;
  cell(b, a->id);
  buf_putc(b, ',');
  if (r->persona >= 0) cell(b, p->personas[r->persona].name);
  buf_putc(b, ',');
  if (!r->health_na) buf_num(b, r->health);
  buf_putc(b, ',');
  if (r->grade >= 0) cell(b, p->grade_names[r->grade]);
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    buf_putc(b, ',');
    if (!dr->na) buf_num(b, dr->score);
    buf_putc(b, ',');
    if (dr->grade >= 0) cell(b, p->grade_names[dr->grade]);
  }
  buf_putc(b, ',');
  bool first = true;
  for (int32_t f = 0; f < r->nflags; f++) {
    if (r->flags[f] != FLAG_RAISED) continue;
    if (!first) buf_putc(b, ';');
    first = false;
    cell(b, p->flags[f].name);
  }
  buf_putc(b, ',');
  if (r->bottleneck >= 0) cell(b, p->steps[r->bottleneck].name);
  buf_putc(b, ',');
  buf_puts(b, w->as_of);
  buf_putc(b, ',');
  buf_puts(b, w->rules);
  buf_putc(b, '\n');
}
