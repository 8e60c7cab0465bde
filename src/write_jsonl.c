/* write_jsonl.c — `run --format jsonl`: one JSON object per account, keys
 * in the order of LANGUAGE.md §5; with --explain, expressions, the values
 * they used, N/A reasons, the personas tried and the drivers. */
#include <math.h>
#include <string.h>

#include "writer.h"

static void str_or_null(Buf *b, const char *s) {
  if (s) buf_json_str(b, s, strlen(s));
  else buf_puts(b, "null");
}

static void num_or_null(Buf *b, bool na, double x) {
  if (na || isnan(x)) buf_puts(b, "null");
  else buf_num(b, x);
}

static const char *grade_name(const Program *p, int32_t g) {
  return g >= 0 ? p->grade_names[g] : NULL;
}

/* "values":{"name":value,…} for the references of an expression. */
static void values_object(WriteCtx *w, const RefList *refs, const Value *values, bool default_thresholds) {
  Buf *b = w->buf;
  buf_puts(b, "\"values\":{");
  for (int32_t i = 0; i < refs->count; i++) {
    const ExplainRef *ref = &refs->refs[i];
    if (i) buf_putc(b, ',');
    buf_json_str(b, ref->name, strlen(ref->name));
    buf_putc(b, ':');
    Value v = values ? values[i] : eval_ref_value(w->ev, ref, default_thresholds);
    json_value(w, v, ref_symbol_kind(w->p, ref));
  }
  buf_putc(b, '}');
}

static void expr_text(WriteCtx *w, Span s) {
  const char *t;
  size_t n;
  source_text(w->p, s, &t, &n);
  buf_puts(w->buf, "\"expr\":");
  buf_json_str(w->buf, t, n);
}

/* The source of a member: its expression, or for bands the whole body. */
static Span member_expr_span(const Member *m) {
  if (m->kind != MEMBER_BANDS) return m->expr->span;
  Span s = m->bands[0].node->span;
  s.end = m->bands[m->nbands - 1].node->span.end;
  return s;
}

static void write_member(WriteCtx *w, const Member *m, const MemberResult *mr, int32_t flat) {
  Buf *b = w->buf;
  char at[512];
  buf_puts(b, "{\"name\":");
  buf_json_str(b, m->name, strlen(m->name));
  buf_puts(b, ",\"kind\":\"");
  buf_puts(b, member_kind_name(m));
  buf_puts(b, "\",\"score\":");
  num_or_null(b, mr->na, mr->score);
  buf_puts(b, ",\"weight\":");
  buf_num(b, mr->weight);
  buf_puts(b, ",\"status\":\"");
  buf_puts(b, member_status_name(mr->status));
  buf_puts(b, "\",\"lost\":");
  buf_num(b, mr->lost);
  node_location(w->p, m->node, at, sizeof at);
  buf_puts(b, ",\"at\":");
  buf_json_str(b, at, strlen(at));
  if (w->explain) {
    const RefList *refs = eval_member_refs(w->ev, flat);
    buf_putc(b, ',');
    expr_text(w, member_expr_span(m));
    buf_putc(b, ',');
    values_object(w, refs, mr->values, false);
    if (mr->na) {
      char reason[256];
      const char *why = member_reason(w, mr, refs, reason, sizeof reason);
      buf_puts(b, ",\"reason\":");
      buf_json_str(b, why, strlen(why));
    }
  }
  buf_putc(b, '}');
}

static void write_personas_tried(WriteCtx *w, const Result *r) {
  Buf *b = w->buf;
  static const char *const outcome[] = {"not tried", "false", "missing", "matched"};
  buf_puts(b, ",\"persona_tried\":[");
  for (int32_t i = 0; i < r->npersonas; i++) {
    const PersonaDecl *pd = &w->p->personas[i];
    if (i) buf_putc(b, ',');
    buf_puts(b, "{\"name\":");
    buf_json_str(b, pd->name, strlen(pd->name));
    buf_puts(b, ",\"result\":\"");
    buf_puts(b, outcome[r->persona_tried[i] < 4 ? r->persona_tried[i] : 0]);
    buf_putc(b, '"');
    if (pd->cond) {
      buf_putc(b, ',');
      expr_text(w, pd->cond->span);
      buf_putc(b, ',');
      values_object(w, eval_persona_refs(w->ev, i), NULL, true);
    } else {
      buf_puts(b, ",\"expr\":\"otherwise\"");
    }
    buf_putc(b, '}');
  }
  buf_putc(b, ']');
}

static void write_journey(WriteCtx *w, const Result *r) {
  Buf *b = w->buf;
  static const char *const status[] = {"fail", "pass", "unknown"};
  buf_puts(b, ",\"journey\":[");
  for (int32_t i = 0; i < r->nsteps; i++) {
    const StepDecl *s = &w->p->steps[i];
    if (i) buf_putc(b, ',');
    buf_puts(b, "{\"name\":");
    buf_json_str(b, s->name, strlen(s->name));
    buf_puts(b, ",\"status\":\"");
    buf_puts(b, status[r->steps[i] < 3 ? r->steps[i] : 0]);
    buf_puts(b, "\",");
    expr_text(w, s->cond->span);
    buf_putc(b, ',');
    values_object(w, eval_step_refs(w->ev, i), NULL, false);
    buf_putc(b, '}');
  }
  buf_putc(b, ']');
}

static void write_drivers(WriteCtx *w, const Result *r) {
  Buf *b = w->buf;
  buf_puts(b, ",\"drivers\":[");
  bool first = true;
  for (int32_t k = 0; k < r->nmembers; k++) {
    const MemberResult *mr = &r->members[r->drivers[k]];
    if (!(mr->lost > 0)) continue;
    const DimensionDecl *d = &w->p->dimensions[mr->dim];
    if (!first) buf_putc(b, ',');
    first = false;
    buf_puts(b, "{\"dimension\":");
    buf_json_str(b, d->name, strlen(d->name));
    buf_puts(b, ",\"member\":");
    buf_json_str(b, d->members[mr->index].name, strlen(d->members[mr->index].name));
    buf_puts(b, ",\"lost\":");
    buf_num(b, mr->lost);
    buf_putc(b, '}');
  }
  buf_putc(b, ']');
}

void write_jsonl(WriteCtx *w, const Account *a, const Result *r) {
  const Program *p = w->p;
  Buf *b = w->buf;
  buf_puts(b, "{\"id\":");
  buf_json_str(b, a->id, strlen(a->id));
  buf_puts(b, ",\"as_of\":\"");
  buf_puts(b, w->as_of);
  buf_puts(b, "\",\"rules\":\"");
  buf_puts(b, w->rules);
  buf_puts(b, "\",\"persona\":");
  str_or_null(b, r->persona >= 0 ? p->personas[r->persona].name : NULL);
  if (w->explain) write_personas_tried(w, r);
  buf_puts(b, ",\"segments\":{");
  for (int32_t s = 0; s < p->nsegments; s++) {
    if (s) buf_putc(b, ',');
    buf_json_str(b, p->segments[s].name, strlen(p->segments[s].name));
    buf_putc(b, ':');
    str_or_null(b, r->segments[s] >= 0 ? p->segments[s].cases[r->segments[s]].name : NULL);
  }
  buf_puts(b, "},\"health\":");
  num_or_null(b, r->health_na, r->health);
  buf_puts(b, ",\"grade\":");
  str_or_null(b, grade_name(p, r->grade));
  buf_puts(b, ",\"coverage\":");
  buf_num(b, r->coverage);
  buf_puts(b, ",\"dimensions\":[");
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    const DimensionDecl *dd = &p->dimensions[d];
    if (d) buf_putc(b, ',');
    buf_puts(b, "{\"name\":");
    buf_json_str(b, dd->name, strlen(dd->name));
    buf_puts(b, ",\"score\":");
    num_or_null(b, dr->na, dr->score);
    buf_puts(b, ",\"grade\":");
    str_or_null(b, grade_name(p, dr->grade));
    buf_puts(b, ",\"weight\":");
    buf_num(b, dr->weight);
    buf_puts(b, ",\"members\":[");
    for (int32_t m = 0; m < dr->nmembers; m++) {
      if (m) buf_putc(b, ',');
      write_member(w, &dd->members[m], &dr->members[m], eval_member_index(w->ev, d, m));
    }
    buf_puts(b, "]}");
  }
  buf_puts(b, "],\"flags\":[");
  bool first = true;
  for (int32_t f = 0; f < r->nflags; f++) {
    if (r->flags[f] != FLAG_RAISED) continue;
    const FlagDecl *fd = &p->flags[f];
    static const char *const sev[] = {"", "low", "medium", "high"};
    if (!first) buf_putc(b, ',');
    first = false;
    buf_puts(b, "{\"name\":");
    buf_json_str(b, fd->name, strlen(fd->name));
    buf_puts(b, ",\"severity\":\"");
    buf_puts(b, sev[fd->severity]);
    buf_puts(b, "\",\"action\":");
    str_or_null(b, fd->action);
    if (w->explain) {
      buf_putc(b, ',');
      values_object(w, eval_flag_refs(w->ev, f), NULL, false);
    }
    buf_putc(b, '}');
  }
  buf_puts(b, "],\"bottleneck\":");
  str_or_null(b, r->bottleneck >= 0 ? p->steps[r->bottleneck].name : NULL);
  if (w->explain) {
    if (p->has_journey) write_journey(w, r);
    write_drivers(w, r);
  }
  buf_puts(b, "}\n");
}
