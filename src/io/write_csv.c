/* write_csv.c — `run --format csv`: one row per account,
 * id,persona,health,grade,<dim>,<dim>_grade…,flags,bottleneck, then
 * as_of and rules so every row says how it was scored. `kenko history`'s
 * rows (WriteCtx.history) put as_of and rules after the id and add the
 * coverage after the grade (LANGUAGE.md §6). Missing values are empty
 * cells; raised flags are joined with ';'. */
#include <math.h>
#include <string.h>

#include "io/writer.h"

/* Flag sets precomputed up to this many flags (2^n fragments). */
enum { FLAG_SETS_MAX = 8 };

/* Every name a row can hold, as a CSV cell, made once per run. */
struct CsvPlan {
  Frag *personas;  /* per persona */
  Frag *grades;    /* per grade name */
  Frag *flags;     /* per flag */
  Frag *flag_sets; /* up to FLAG_SETS_MAX flags: the flags cell of every set
                      of raised flags (bit f: flag f), else NULL */
  Frag *steps;     /* per journey step */
  Frag head;       /* history: ",as_of,rules"; else empty */
  Frag tail;       /* ",as_of,rules\n"; history: "\n" */
};

static void cell(Buf *b, const char *s) {
  if (s) buf_csv_cell(b, s, strlen(s));
}

static Frag cell_frag(WriteCtx *w, Buf *tmp, const char *s) {
  cell(tmp, s);
  return writer_frag(w, tmp, 0);
}

static CsvPlan *csv_plan(WriteCtx *w) {
  const Program *p = w->p;
  Arena *a = writer_arena(w);
  CsvPlan *cp = arena_alloc(a, sizeof *cp);
  cp->personas = arena_alloc(a, ((size_t)p->npersonas + 1) * sizeof(Frag));
  cp->grades = arena_alloc(a, ((size_t)p->ngrade_names + 1) * sizeof(Frag));
  cp->flags = arena_alloc(a, ((size_t)p->nflags + 1) * sizeof(Frag));
  cp->steps = arena_alloc(a, ((size_t)p->nsteps + 1) * sizeof(Frag));
  Buf tmp;
  buf_init(&tmp, NULL);
  for (int32_t i = 0; i < p->npersonas; i++)
    cp->personas[i] = cell_frag(w, &tmp, p->personas[i].name);
  for (int32_t i = 0; i < p->ngrade_names; i++)
    cp->grades[i] = cell_frag(w, &tmp, p->grade_names[i]);
  for (int32_t i = 0; i < p->nflags; i++)
    cp->flags[i] = cell_frag(w, &tmp, p->flags[i].name);
  for (int32_t i = 0; i < p->nsteps; i++)
    cp->steps[i] = cell_frag(w, &tmp, p->steps[i].name);
  if (p->nflags <= FLAG_SETS_MAX) {
    /* the cell written as a whole (one lookup, no branch per flag) */
    cp->flag_sets = arena_alloc(a, ((size_t)1 << p->nflags) * sizeof(Frag));
    for (uint32_t set = 0; set < 1u << p->nflags; set++) {
      for (int32_t f = 0, n = 0; f < p->nflags; f++) {
        if (!(set >> f & 1)) continue;
        if (n++) buf_putc(&tmp, ';');
        cell(&tmp, p->flags[f].name);
      }
      cp->flag_sets[set] = writer_frag(w, &tmp, 0);
    }
  }
  buf_putc(&tmp, ',');
  buf_puts(&tmp, w->as_of);
  buf_putc(&tmp, ',');
  buf_puts(&tmp, w->rules);
  if (w->history) {
    cp->head = writer_frag(w, &tmp, 0);
    buf_putc(&tmp, '\n');
    cp->tail = writer_frag(w, &tmp, 0);
  } else {
    cp->head = writer_frag(w, &tmp, tmp.len);
    buf_putc(&tmp, '\n');
    cp->tail = writer_frag(w, &tmp, 0);
  }
  buf_free(&tmp);
  return cp;
}

void write_csv_header(WriteCtx *w) {
  const Program *p = w->p;
  Buf *b = w->buf;
  buf_puts(b, w->history ? "id,as_of,rules,persona,health,grade,coverage" : "id,persona,health,grade");
  for (int32_t d = 0; d < p->ndimensions; d++) {
    buf_putc(b, ',');
    cell(b, p->dimensions[d].name);
    buf_putc(b, ',');
    cell(b, p->dimensions[d].name);
    buf_puts(b, "_grade");
  }
  buf_puts(b, w->history ? ",flags,bottleneck\n" : ",flags,bottleneck,as_of,rules\n");
}

void write_csv(WriteCtx *w, const Account *a, const Result *r) {
  if (!w->csv) w->csv = csv_plan(w);
  const CsvPlan *cp = w->csv;
  Buf *b = w->buf;
  /* The id is the one cell from the data (the others are names from the
   * rules, numbers and dates, which never start with = + - @). */
  if (w->excel_safe && a->id)
    buf_csv_cell_safe(b, a->id, strlen(a->id));
  else
    cell(b, a->id);
  put_plan_frag(b, cp->head);
  buf_putc(b, ',');
  if (r->persona >= 0) put_plan_frag(b, cp->personas[r->persona]);
  buf_putc(b, ',');
  if (!r->health_na) buf_num(b, r->health);
  buf_putc(b, ',');
  if (r->grade >= 0) put_plan_frag(b, cp->grades[r->grade]);
  if (w->history) {
    buf_putc(b, ',');
    if (!isnan(r->coverage)) buf_num(b, r->coverage);
  }
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    buf_putc(b, ',');
    if (!dr->na) buf_num(b, dr->score);
    buf_putc(b, ',');
    if (dr->grade >= 0) put_plan_frag(b, cp->grades[dr->grade]);
  }
  buf_putc(b, ',');
  if (cp->flag_sets) {
    uint32_t set = 0;
    for (int32_t f = 0; f < r->nflags; f++)
      set |= (uint32_t)(r->flags[f] == FLAG_RAISED) << f;
    put_plan_frag(b, cp->flag_sets[set]);
  } else {
    bool first = true;
    for (int32_t f = 0; f < r->nflags; f++) {
      if (r->flags[f] != FLAG_RAISED) continue;
      if (!first) buf_putc(b, ';');
      first = false;
      put_plan_frag(b, cp->flags[f]);
    }
  }
  buf_putc(b, ',');
  if (r->bottleneck >= 0) put_plan_frag(b, cp->steps[r->bottleneck]);
  put_plan_frag(b, cp->tail);
}
