/* write_jsonl.c — `run --format jsonl`: one JSON object per account, keys
 * in the order of LANGUAGE.md §5; with --explain, expressions, the values
 * they used, N/A reasons, the personas tried, the drivers and, last, what
 * would change the grade (docs/cli.md). Writers format the explanation
 * (explain.h); they evaluate nothing.
 *
 * Everything fixed by the rules (names, kinds, source locations, the
 * expressions' source text, the keys of the "values" objects) is escaped
 * once per run into a JsonlPlan of fragments, written with the JSON
 * emitter (io/json.h); per account only the values are written between
 * them, straight into the buffer with the few keys that stand between
 * values as constants (the emitter's bookkeeping per value measured a
 * quarter more instructions for --explain). */
#include <math.h>
#include <string.h>

#include "io/json.h"
#include "io/writer.h"

/* The keys of one "values" object: `"name":` (a ',' before all but the
 * first), and how each value is named when it is a symbol; for the trend
 * references among them, the keys of the "dates" object that follows
 * (docs/history.md: the date each trend value came from). */
typedef struct RefsPlan {
  const RefList *refs;
  Frag *keys;
  int *symkind;    /* writer_ref_symbol_kind, or -1 */
  Frag *date_keys; /* per ref: `"name":` for a trend ref (a ',' before all
                      but the first of them), empty for the others */
  bool dates;      /* any trend ref: write ,"dates":{…} */
} RefsPlan;

typedef struct MemberPlan {
  Frag head;    /* [,]{"name":…,"kind":"…","score": */
  Frag at;      /* ,"at":"file:line" and, explaining,
                   ,"expr":"…","values":{ */
  Frag driver;  /* {"dimension":…,"member":…,"lost": */
  Frag what_if; /* {"dimension":…,"member":…,"from": */
  RefsPlan refs;
  Frag *missing;     /* per ref: ,"reason":"`name` is missing" */
  Frag *no_snapshot; /* per trend ref: ,"reason":"no snapshot 30d back" */
} MemberPlan;

struct JsonlPlan {
  Frag head;           /* ,"as_of":"…","rules":"…","persona": */
  Frag *persona_name;  /* per persona: "name" */
  Frag *grade_name;    /* per grade: "name" */
  Frag *segment_key;   /* per segment: [,]"name": */
  Frag **case_name;    /* [segment][case]: "name" */
  Frag *dim_head;      /* per dimension: [,]{"name":…,"score": */
  MemberPlan *members; /* flat */
  Frag *flag_head;     /* {"name":…,"severity":"…","action":… */
  RefsPlan *flag_refs;
  Frag *step_name; /* per step: "name" (the bottleneck) */
  Frag *step_head; /* [,]{"name":…,"status":" */
  Frag *step_expr; /* ","expr":"…","values":{ */
  RefsPlan *step_refs;
  Frag *persona_head; /* [,]{"name":…,"result":" */
  Frag *persona_tail; /* ","expr":"…","values":{  or
                         ","expr":"otherwise"} */
  RefsPlan *persona_refs;
  Frag reason[MISS_NO_SNAPSHOT + 1]; /* ,"reason":"…" by MissingWhy */
  size_t room;                       /* the most one account takes but for its own text (account_room) */
};

/* Every fragment of the plan is padded (writer_frag): written by moves
 * of FRAG_PAD bytes (frag_in_room). The few constant pieces chosen per
 * account are padded the same way (PadText). */
typedef struct PadText {
  char s[FRAG_PAD];
  size_t n;
} PadText;

/* A trend value's snapshot date (Explanation.trend_dates) as a value:
 * missing when there was no snapshot. */
static inline Value trend_date_value(int32_t date) {
  return date == INT32_MIN ? val_missing(MISS_NO_SNAPSHOT) : val_date(date);
}

/* ---- the plan ------------------------------------------------------------ */

/* The plan's fragments are written with the JSON emitter as if inside
 * the object they belong to (AFTER: members come before them). */
static Json *plan_json(Json *j, Buf *tmp, bool after) {
  json_init_members(j, tmp, after);
  return j;
}

static void expr_text(WriteCtx *w, Json *j, Span s) {
  const char *t;
  size_t n;
  writer_source_text(w->p, s, &t, &n);
  json_key(j, "expr");
  json_str(j, t, n);
}

/* The source of a member: its expression, or for bands the whole body. */
static Span member_expr_span(const Member *m) {
  if (m->kind != MEMBER_BANDS) return m->expr->span;
  Span s = m->bands[0].node->span;
  s.end = m->bands[m->nbands - 1].node->span.end;
  return s;
}

static Frag json_frag(WriteCtx *w, Buf *tmp, const char *s) {
  buf_json_cstr(tmp, s);
  return writer_frag(w, tmp, 0);
}

/* The names FIELD[I] of the explanation references, or none when not
 * explaining (the writer may then have no explanation at all). */
static const RefList no_refs = {NULL, 0, false};
#define PLAN_REFS(w, field, i) ((w)->explain && (w)->ex ? &(w)->ex->field[i] : &no_refs)

static RefsPlan refs_plan(WriteCtx *w, Buf *tmp, const RefList *refs) {
  Arena *a = writer_arena(w);
  RefsPlan rp;
  rp.refs = refs;
  rp.keys = arena_alloc(a, ((size_t)refs->count + 1) * sizeof *rp.keys);
  rp.symkind = arena_alloc(a, ((size_t)refs->count + 1) * sizeof *rp.symkind);
  rp.date_keys = arena_alloc(a, ((size_t)refs->count + 1) * sizeof *rp.date_keys);
  rp.dates = false;
  for (int32_t i = 0; i < refs->count; i++) {
    const ExplainRef *ref = &refs->refs[i];
    Json j;
    json_key(plan_json(&j, tmp, i > 0), ref->name);
    rp.keys[i] = writer_frag(w, tmp, 0);
    rp.symkind[i] = writer_ref_symbol_kind(w->p, ref);
    rp.date_keys[i] = (Frag){"", 0};
    if (ref->kind != REF_TREND) continue;
    json_key(plan_json(&j, tmp, rp.dates), ref->name);
    rp.date_keys[i] = writer_frag(w, tmp, 0);
    rp.dates = true;
  }
  return rp;
}

/* {"dimension":…,"member":…,"KEY": for member MEM of DD. */
static Frag member_ref_frag(WriteCtx *w, Buf *tmp, const DimensionDecl *dd, const Member *mem,
                            const char *key) {
  Json j;
  plan_json(&j, tmp, false);
  json_object(&j);
  json_field_str(&j, "dimension", dd->name);
  json_field_str(&j, "member", mem->name);
  json_key(&j, key);
  return writer_frag(w, tmp, 0);
}

static void member_plan(WriteCtx *w, Buf *tmp, MemberPlan *mp, const DimensionDecl *dd, int32_t m,
                        int32_t flat) {
  const Member *mem = &dd->members[m];
  Json j;
  plan_json(&j, tmp, m > 0);
  json_object(&j);
  json_field_str(&j, "name", mem->name);
  json_field_str(&j, "kind", writer_member_kind(mem));
  json_key(&j, "score");
  mp->head = writer_frag(w, tmp, 0);

  char at[512];
  writer_node_location(w->p, mem->node, at, sizeof at);
  json_field_str(plan_json(&j, tmp, true), "at", at);
  if (w->explain) {
    expr_text(w, &j, member_expr_span(mem));
    json_key(&j, "values");
    json_object(&j);
  }
  mp->at = writer_frag(w, tmp, 0);

  mp->driver = member_ref_frag(w, tmp, dd, mem, "lost");
  mp->what_if = member_ref_frag(w, tmp, dd, mem, "from");

  const RefList *refs = PLAN_REFS(w, member_refs, flat);
  mp->refs = refs_plan(w, tmp, refs);
  mp->missing = arena_alloc(writer_arena(w), ((size_t)refs->count + 1) * sizeof *mp->missing);
  mp->no_snapshot = arena_alloc(writer_arena(w), ((size_t)refs->count + 1) * sizeof *mp->no_snapshot);
  for (int32_t k = 0; k < refs->count; k++) {
    MemberResult mr;
    memset(&mr, 0, sizeof mr);
    mr.na = true;
    mr.why = MISS_ABSENT;
    char reason[256];
    json_field_str(plan_json(&j, tmp, true), "reason",
                   writer_member_reason(w->p, &mr, refs, k, reason, sizeof reason, false));
    mp->missing[k] = writer_frag(w, tmp, 0);
    mp->no_snapshot[k] = mp->missing[k];
    if (refs->refs[k].kind != REF_TREND) continue;
    mr.why = MISS_NO_SNAPSHOT;
    json_field_str(plan_json(&j, tmp, true), "reason",
                   writer_member_reason(w->p, &mr, refs, k, reason, sizeof reason, false));
    mp->no_snapshot[k] = writer_frag(w, tmp, 0);
  }
}

/* ---- the room an account takes ---------------------------------------- */

/* Every piece of an account's output is written into room made once for
 * the whole account (no check per piece): the most its fixed pieces and
 * values can take, each fragment counted as frag_room (a short one is
 * moved FRAG_PAD bytes at a time) for every time the account can write
 * it, each value as VALUE bytes (a number, a date, a boolean, null, a
 * list's count or a symbol's name from the plan). Text from the account
 * (its id and name, text values) is not counted: it makes its own room,
 * then the account's room is made again. */
enum { LITERALS = 64 }; /* the constant text between two fragments: at most */

static size_t max_room(size_t a, Frag f) { return a > frag_room(f) ? a : frag_room(f); }

/* A "values" object, its braces and its "dates". */
static size_t refs_room(const RefsPlan *rp, size_t value) {
  size_t n = LITERALS;
  for (int32_t i = 0; i < rp->refs->count; i++)
    n += frag_room(rp->keys[i]) + frag_room(rp->date_keys[i]) + 2 * value;
  return n;
}

static size_t account_room(const JsonlPlan *jp, const Program *p) {
  size_t value = NUM_ROOM; /* the longest value, a symbol's name included */
  for (int32_t g = 0; g < p->ngrade_names; g++)
    value = max_room(value, jp->grade_name[g]);
  for (int32_t i = 0; i < p->npersonas; i++)
    value = max_room(value, jp->persona_name[i]);
  for (int32_t i = 0; i < p->nsteps; i++)
    value = max_room(value, jp->step_name[i]);
  for (int32_t s = 0; s < p->nsegments; s++)
    for (int32_t k = 0; k < p->segments[s].ncases; k++)
      value = max_room(value, jp->case_name[s][k]);
  size_t reason = 0;
  for (int why = 0; why <= MISS_NO_SNAPSHOT; why++)
    reason = max_room(reason, jp->reason[why]);
  /* the account's own keys and values: id, name, persona, health, grade,
   * coverage, bottleneck, what_if's eleven */
  size_t n = 16 * (LITERALS + value) + frag_room(jp->head);
  for (int32_t i = 0; i < p->npersonas; i++) {
    n += frag_room(jp->persona_head[i]) + FRAG_PAD + frag_room(jp->persona_tail[i]) + LITERALS;
    if (p->personas[i].cond) n += refs_room(&jp->persona_refs[i], value);
  }
  for (int32_t s = 0; s < p->nsegments; s++)
    n += frag_room(jp->segment_key[s]) + value;
  int32_t flat = 0;
  for (int32_t d = 0; d < p->ndimensions; d++) {
    n += frag_room(jp->dim_head[d]) + 3 * (LITERALS + value);
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++, flat++) {
      const MemberPlan *mp = &jp->members[flat];
      size_t why = reason;
      for (int32_t k = 0; k < mp->refs.refs->count; k++)
        why = max_room(max_room(why, mp->missing[k]), mp->no_snapshot[k]);
      n += frag_room(mp->head) + FRAG_PAD + frag_room(mp->at) + refs_room(&mp->refs, value) + why;
      n += frag_room(mp->driver) + frag_room(mp->what_if) +
           8 * (LITERALS + value); /* its 3, the driver's 1, what_if's 3 */
    }
  }
  for (int32_t f = 0; f < p->nflags; f++)
    n += frag_room(jp->flag_head[f]) + LITERALS + refs_room(&jp->flag_refs[f], value);
  for (int32_t i = 0; i < p->nsteps; i++)
    n += frag_room(jp->step_head[i]) + FRAG_PAD + frag_room(jp->step_expr[i]) + LITERALS +
         refs_room(&jp->step_refs[i], value);
  return n;
}

static JsonlPlan *jsonl_plan(WriteCtx *w) {
  const Program *p = w->p;
  Arena *a = writer_arena(w);
  JsonlPlan *jp = arena_alloc(a, sizeof *jp);
#define PLAN_ARRAY(n, T) ((T *)arena_alloc(a, ((size_t)(n) + 1) * sizeof(T)))
  Buf tmp;
  buf_init(&tmp, NULL);
  Json j;

  plan_json(&j, &tmp, true);
  json_field_str(&j, "as_of", w->as_of);
  json_field_str(&j, "rules", w->rules);
  json_key(&j, "persona");
  jp->head = writer_frag(w, &tmp, 0);

  jp->persona_name = PLAN_ARRAY(p->npersonas, Frag);
  jp->persona_head = PLAN_ARRAY(p->npersonas, Frag);
  jp->persona_tail = PLAN_ARRAY(p->npersonas, Frag);
  jp->persona_refs = PLAN_ARRAY(p->npersonas, RefsPlan);
  for (int32_t i = 0; i < p->npersonas; i++) {
    const PersonaDecl *pd = &p->personas[i];
    jp->persona_name[i] = json_frag(w, &tmp, pd->name);
    plan_json(&j, &tmp, i > 0);
    json_object(&j);
    json_field_str(&j, "name", pd->name);
    json_key(&j, "result");
    json_raw(&j, "\"", 1); /* the outcome string: its text per account */
    jp->persona_head[i] = writer_frag(w, &tmp, 0);
    buf_putc(&tmp, '"');
    if (pd->cond) {
      expr_text(w, &j, pd->cond->span);
      json_key(&j, "values");
      json_object(&j);
    } else {
      json_field_str(&j, "expr", "otherwise");
      json_end(&j);
    }
    jp->persona_tail[i] = writer_frag(w, &tmp, 0);
    if (pd->cond) jp->persona_refs[i] = refs_plan(w, &tmp, PLAN_REFS(w, persona_refs, i));
  }

  jp->grade_name = PLAN_ARRAY(p->ngrade_names, Frag);
  for (int32_t g = 0; g < p->ngrade_names; g++)
    jp->grade_name[g] = json_frag(w, &tmp, p->grade_names[g]);

  jp->segment_key = PLAN_ARRAY(p->nsegments, Frag);
  jp->case_name = PLAN_ARRAY(p->nsegments, Frag *);
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *seg = &p->segments[s];
    json_key(plan_json(&j, &tmp, s > 0), seg->name);
    jp->segment_key[s] = writer_frag(w, &tmp, 0);
    jp->case_name[s] = PLAN_ARRAY(seg->ncases, Frag);
    for (int32_t k = 0; k < seg->ncases; k++)
      jp->case_name[s][k] = json_frag(w, &tmp, seg->cases[k].name);
  }

  jp->dim_head = PLAN_ARRAY(p->ndimensions, Frag);
  int32_t nmembers = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    nmembers += p->dimensions[d].nmembers;
  jp->members = PLAN_ARRAY(nmembers, MemberPlan);
  int32_t nmembers_before = 0;
  for (int32_t d = 0; d < p->ndimensions; d++) {
    const DimensionDecl *dd = &p->dimensions[d];
    plan_json(&j, &tmp, d > 0);
    json_object(&j);
    json_field_str(&j, "name", dd->name);
    json_key(&j, "score");
    jp->dim_head[d] = writer_frag(w, &tmp, 0);
    for (int32_t m = 0; m < dd->nmembers; m++)
      member_plan(w, &tmp, &jp->members[nmembers_before + m], dd, m, nmembers_before + m);
    nmembers_before += dd->nmembers;
  }

  static const char *const sev[] = {"", "low", "medium", "high"};
  jp->flag_head = PLAN_ARRAY(p->nflags, Frag);
  jp->flag_refs = PLAN_ARRAY(p->nflags, RefsPlan);
  for (int32_t f = 0; f < p->nflags; f++) {
    const FlagDecl *fd = &p->flags[f];
    plan_json(&j, &tmp, false);
    json_object(&j);
    json_field_str(&j, "name", fd->name);
    json_field_str(&j, "severity", sev[fd->severity]);
    json_field_str(&j, "action", fd->action);
    jp->flag_head[f] = writer_frag(w, &tmp, 0);
    jp->flag_refs[f] = refs_plan(w, &tmp, PLAN_REFS(w, flag_refs, f));
  }

  jp->step_name = PLAN_ARRAY(p->nsteps, Frag);
  jp->step_head = PLAN_ARRAY(p->nsteps, Frag);
  jp->step_expr = PLAN_ARRAY(p->nsteps, Frag);
  jp->step_refs = PLAN_ARRAY(p->nsteps, RefsPlan);
  for (int32_t i = 0; i < p->nsteps; i++) {
    const StepDecl *s = &p->steps[i];
    jp->step_name[i] = json_frag(w, &tmp, s->name);
    plan_json(&j, &tmp, i > 0);
    json_object(&j);
    json_field_str(&j, "name", s->name);
    json_key(&j, "status");
    json_raw(&j, "\"", 1); /* the status string: its text per account */
    jp->step_head[i] = writer_frag(w, &tmp, 0);
    buf_putc(&tmp, '"');
    expr_text(w, &j, s->cond->span);
    json_key(&j, "values");
    json_object(&j);
    jp->step_expr[i] = writer_frag(w, &tmp, 0);
    jp->step_refs[i] = refs_plan(w, &tmp, PLAN_REFS(w, step_refs, i));
  }

  for (int why = 0; why <= MISS_NO_SNAPSHOT; why++) {
    MemberResult mr;
    memset(&mr, 0, sizeof mr);
    mr.na = true;
    mr.why = (uint8_t)why;
    char reason[256];
    json_field_str(plan_json(&j, &tmp, true), "reason",
                   writer_member_reason(p, &mr, NULL, -1, reason, sizeof reason, false));
    jp->reason[why] = writer_frag(w, &tmp, 0);
  }
#undef PLAN_ARRAY
  buf_free(&tmp);
  jp->room = account_room(jp, p);
  return jp;
}

/* ---- per account --------------------------------------------------------- */

/* Every piece below is written into the room made for the account
 * (JsonlPlan.room, account_room): none checks it. Text from the account
 * makes its own room and then the account's again (text_in_room). */
static inline void putc_in_room(Buf *b, char c) { b->data[b->len++] = c; }
static inline void pad_in_room(Buf *b, const PadText *t) { frag_in_room(b, (Frag){t->s, t->n}); }
static inline void num_or_null_in_room(Buf *b, bool na, double x) {
  if (na || isnan(x))
    LIT_IN_ROOM(b, "null");
  else
    num_in_room(b, x);
}
static inline void name_or_null(Buf *b, const Frag *names, int32_t i) {
  if (i >= 0)
    frag_in_room(b, names[i]);
  else
    LIT_IN_ROOM(b, "null");
}
/* S[0..N) as a JSON string, then the account's room made again. */
static inline void text_in_room(WriteCtx *w, const char *s, size_t n) {
  buf_json_str(w->buf, s, n);
  buf_reserve(w->buf, w->jsonl->room);
}

/* A symbol's name as the plan holds it (JSON-quoted), or NULL where
 * program_symbol_name has none. */
static const Frag *symbol_frag(const JsonlPlan *jp, const Program *p, int kind, int32_t sym) {
  if (sym < 0) return NULL;
  switch (kind) {
  case SYM_GRADE: return sym < p->ngrade_names ? &jp->grade_name[sym] : NULL;
  case SYM_PERSONA: return sym < p->npersonas ? &jp->persona_name[sym] : NULL;
  case SYM_STEP: return sym < p->nsteps ? &jp->step_name[sym] : NULL;
  default:
    if (kind >= SYM_SEGMENT && kind - SYM_SEGMENT < p->nsegments)
      return sym < p->segments[kind - SYM_SEGMENT].ncases ? &jp->case_name[kind - SYM_SEGMENT][sym] : NULL;
    return NULL;
  }
}

/* A value as writer_json_value writes it: numbers, booleans, dates,
 * missing and symbols in the room; text (and a list's count) through
 * writer_json_value, then the room made again. */
static inline void put_value(WriteCtx *w, Buf *b, Value v, int symkind) {
  switch ((ValueType)v.type) {
  case T_NUMBER: num_in_room(b, v.u.num); return;
  case T_BOOL:
    if (v.u.b)
      LIT_IN_ROOM(b, "true");
    else
      LIT_IN_ROOM(b, "false");
    return;
  case T_DATE:
    b->data[b->len] = '"';
    date_format(v.u.date, b->data + b->len + 1);
    b->data[b->len + 11] = '"';
    b->len += 12;
    return;
  case T_MISSING: LIT_IN_ROOM(b, "null"); return;
  case T_SYMBOL: {
    const Frag *name = symbol_frag(w->jsonl, w->p, symkind, v.u.sym);
    if (name)
      frag_in_room(b, *name);
    else
      LIT_IN_ROOM(b, "null");
    return;
  }
  default:
    writer_json_value(w, v, symkind);
    buf_reserve(b, w->jsonl->room);
    return;
  }
}

/* The members of a "values" object (the caller writes the braces). */
static void values_body(WriteCtx *w, const RefsPlan *rp, const Value *values) {
  Buf *b = w->buf;
  for (int32_t i = 0; i < rp->refs->count; i++) {
    frag_in_room(b, rp->keys[i]);
    put_value(w, b, values[i], rp->symkind[i]);
  }
}

/* ,"dates":{"logins 1mo back":"2026-09-30",…} after a "values" object
 * with trend references: the snapshot each trend value came from (for the
 * window functions, the window's first day), null when there was none
 * (the text's "(no snapshot)"). Nothing when no reference is a trend. */
static void dates_object(WriteCtx *w, const RefsPlan *rp) {
  if (!rp->dates) return;
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"dates\":{");
  for (int32_t i = 0; i < rp->refs->count; i++) {
    const ExplainRef *ref = &rp->refs->refs[i];
    if (ref->kind != REF_TREND) continue;
    frag_in_room(b, rp->date_keys[i]);
    put_value(w, b, trend_date_value(w->ex->trend_dates[ref->index]), -1);
  }
  putc_in_room(b, '}');
}

static void write_member(WriteCtx *w, const JsonlPlan *jp, const MemberResult *mr, int32_t flat) {
#define STATUS(s)                                                                                            \
  { ",\"status\":\"" s "\",\"lost\":", sizeof(",\"status\":\"" s "\",\"lost\":") - 1 }
  static const PadText status[] = {STATUS("n/a"), STATUS("pass"), STATUS("fail"), STATUS("scored")};
#undef STATUS
  const MemberPlan *mp = &jp->members[flat];
  Buf *b = w->buf;
  frag_in_room(b, mp->head);
  num_or_null_in_room(b, mr->na, mr->score);
  LIT_IN_ROOM(b, ",\"weight\":");
  num_in_room(b, mr->weight);
  pad_in_room(b, &status[mr->status <= MS_SCORED ? mr->status : MS_NA]);
  num_in_room(b, mr->lost);
  frag_in_room(b, mp->at);
  if (w->explain) {
    values_body(w, &mp->refs, w->ex->member_values[flat]);
    putc_in_room(b, '}');
    dates_object(w, &mp->refs);
    int32_t missing = w->ex->missing_ref[flat];
    if (mr->na) {
      if (mr->why != MISS_DIV_ZERO && missing >= 0 && missing < mp->refs.refs->count)
        frag_in_room(b, mr->why == MISS_NO_SNAPSHOT ? mp->no_snapshot[missing] : mp->missing[missing]);
      else
        frag_in_room(b, jp->reason[mr->why <= MISS_NO_SNAPSHOT ? mr->why : MISS_ABSENT]);
    }
  }
  putc_in_room(b, '}');
}

static void write_personas_tried(WriteCtx *w, const JsonlPlan *jp, const Result *r) {
  static const PadText outcome[] = {{"not tried", 9}, {"false", 5}, {"missing", 7}, {"matched", 7}};
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"persona_tried\":[");
  for (int32_t i = 0; i < r->npersonas; i++) {
    frag_in_room(b, jp->persona_head[i]);
    pad_in_room(b, &outcome[r->persona_tried[i] < 4 ? r->persona_tried[i] : 0]);
    frag_in_room(b, jp->persona_tail[i]);
    if (w->p->personas[i].cond) {
      values_body(w, &jp->persona_refs[i], w->ex->persona_values[i]);
      putc_in_room(b, '}');
      dates_object(w, &jp->persona_refs[i]);
      putc_in_room(b, '}');
    }
  }
  putc_in_room(b, ']');
}

static void write_journey(WriteCtx *w, const JsonlPlan *jp, const Result *r) {
  static const PadText status[] = {{"fail", 4}, {"pass", 4}, {"unknown", 7}};
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"journey\":[");
  for (int32_t i = 0; i < r->nsteps; i++) {
    frag_in_room(b, jp->step_head[i]);
    pad_in_room(b, &status[r->steps[i] < 3 ? r->steps[i] : 0]);
    frag_in_room(b, jp->step_expr[i]);
    values_body(w, &jp->step_refs[i], w->ex->step_values[i]);
    putc_in_room(b, '}');
    dates_object(w, &jp->step_refs[i]);
    putc_in_room(b, '}');
  }
  putc_in_room(b, ']');
}

static void write_drivers(WriteCtx *w, const JsonlPlan *jp, const Result *r) {
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"drivers\":[");
  bool first = true;
  const int32_t *drivers = w->ex->drivers;
  for (int32_t k = 0; k < r->nmembers; k++) {
    const MemberResult *mr = &r->members[drivers[k]];
    if (!(mr->lost > 0)) continue;
    if (!first) putc_in_room(b, ',');
    first = false;
    frag_in_room(b, jp->members[drivers[k]].driver);
    num_in_room(b, mr->lost);
    putc_in_room(b, '}');
  }
  putc_in_room(b, ']');
}

/* ,"what_if":{…}: what would change the grade, the figures of the text
 * unrounded (docs/cli.md). */
static void write_what_if(WriteCtx *w, const JsonlPlan *jp) {
#define STATUS(s)                                                                                            \
  { "\"" s "\"", sizeof(s) + 1 }
  static const PadText status[] = {
      [WI_NONE] = STATUS("none"),           [WI_NO_GRADES] = STATUS("no_grades"),
      [WI_NO_HEALTH] = STATUS("no_health"), [WI_BEST_GRADE] = STATUS("best_grade"),
      [WI_REACHABLE] = STATUS("reachable"), [WI_UNREACHABLE] = STATUS("unreachable")};
#undef STATUS
  const WhatIf *wi = &w->ex->what_if;
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"what_if\":{\"status\":");
  pad_in_room(b, &status[wi->status <= WI_UNREACHABLE ? wi->status : WI_NONE]);
  if (wi->status == WI_REACHABLE || wi->status == WI_UNREACHABLE) {
    LIT_IN_ROOM(b, ",\"next_grade\":");
    name_or_null(b, jp->grade_name, wi->next_grade);
    LIT_IN_ROOM(b, ",\"at\":");
    num_in_room(b, wi->bound);
    LIT_IN_ROOM(b, ",\"away\":");
    num_in_room(b, wi->away);
    LIT_IN_ROOM(b, ",\"members\":[");
    for (int32_t k = 0; k < wi->nmembers; k++) {
      const WhatIfMember *wm = &wi->members[k];
      if (k) putc_in_room(b, ',');
      frag_in_room(b, jp->members[wm->member].what_if);
      num_or_null_in_room(b, false, wm->from);
      LIT_IN_ROOM(b, ",\"to\":");
      num_in_room(b, wm->to);
      LIT_IN_ROOM(b, ",\"gain\":");
      num_in_room(b, wm->gain);
      putc_in_room(b, '}');
    }
    LIT_IN_ROOM(b, "],\"points\":");
    num_in_room(b, wi->points);
    LIT_IN_ROOM(b, ",\"health\":");
    num_or_null_in_room(b, false, wi->health);
    LIT_IN_ROOM(b, ",\"grade\":");
    name_or_null(b, jp->grade_name, wi->grade);
    if (wi->searched)
      LIT_IN_ROOM(b, ",\"searched\":true");
    else
      LIT_IN_ROOM(b, ",\"searched\":false");
  }
  putc_in_room(b, '}');
}

void write_jsonl(WriteCtx *w, const Account *a, const Result *r) {
  if (!w->jsonl) w->jsonl = jsonl_plan(w);
  const JsonlPlan *jp = w->jsonl;
  const Program *p = w->p;
  Buf *b = w->buf;
  buf_reserve(b, jp->room);
  LIT_IN_ROOM(b, "{\"id\":");
  text_in_room(w, a->id, strlen(a->id));
  if (p->display_input >= 0) { /* the display name, when the rules declare one */
    LIT_IN_ROOM(b, ",\"name\":");
    if (a->name)
      text_in_room(w, a->name, strlen(a->name));
    else
      LIT_IN_ROOM(b, "null");
  }
  frag_in_room(b, jp->head);
  name_or_null(b, jp->persona_name, r->persona);
  if (w->explain) write_personas_tried(w, jp, r);
  LIT_IN_ROOM(b, ",\"segments\":{");
  for (int32_t s = 0; s < p->nsegments; s++) {
    frag_in_room(b, jp->segment_key[s]);
    name_or_null(b, jp->case_name[s], r->segments[s]);
  }
  LIT_IN_ROOM(b, "},\"health\":");
  num_or_null_in_room(b, r->health_na, r->health);
  LIT_IN_ROOM(b, ",\"grade\":");
  name_or_null(b, jp->grade_name, r->grade);
  LIT_IN_ROOM(b, ",\"coverage\":");
  num_in_room(b, r->coverage);
  LIT_IN_ROOM(b, ",\"dimensions\":[");
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    frag_in_room(b, jp->dim_head[d]);
    num_or_null_in_room(b, dr->na, dr->score);
    LIT_IN_ROOM(b, ",\"grade\":");
    name_or_null(b, jp->grade_name, dr->grade);
    LIT_IN_ROOM(b, ",\"weight\":");
    num_in_room(b, dr->weight);
    if (w->history) {
      putc_in_room(b, '}');
      continue;
    }
    LIT_IN_ROOM(b, ",\"members\":[");
    int32_t flat = (int32_t)(dr->members - r->members);
    for (int32_t m = 0; m < dr->nmembers; m++)
      write_member(w, jp, &dr->members[m], flat + m);
    LIT_IN_ROOM(b, "]}");
  }
  LIT_IN_ROOM(b, "],\"flags\":[");
  bool first = true;
  for (int32_t f = 0; f < r->nflags; f++) {
    if (r->flags[f] != FLAG_RAISED) continue;
    if (!first) putc_in_room(b, ',');
    first = false;
    frag_in_room(b, jp->flag_head[f]);
    if (w->explain) {
      LIT_IN_ROOM(b, ",\"values\":{");
      values_body(w, &jp->flag_refs[f], w->ex->flag_values[f]);
      putc_in_room(b, '}');
      dates_object(w, &jp->flag_refs[f]);
    }
    putc_in_room(b, '}');
  }
  LIT_IN_ROOM(b, "],\"bottleneck\":");
  name_or_null(b, jp->step_name, r->bottleneck);
  if (w->explain) {
    if (p->has_journey) write_journey(w, jp, r);
    write_drivers(w, jp, r);
    if (w->ex->what_if.status != WI_NONE) write_what_if(w, jp);
  }
  LIT_IN_ROOM(b, "}\n");
}
