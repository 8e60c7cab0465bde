/* run_jobs.c — accounts scored on the reading threads (run_jobs.h).
 *
 * Each reading thread has its own evaluator (eval_new_like: its own
 * registers and scratch over the shared, read-only compiled program) and
 * copies each account's Result into the arena that travels with the
 * account, (packed: result_pack), so the calling thread finds it in
 * Account.work and hands it on in the file's order (job_result),
 * exactly as if it had scored the account itself: evaluating depends on nothing but the account's values and
 * the date, so the copy is the Result the calling thread would have made. */
#include "engine/run_jobs.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/keys.h"
#include "engine/snapshot.h"

/* A Result packed for the trip to the calling thread: what eval_account
 * filled, each member without the indices every Result of the rules
 * shares (MemberResult.dim, .index) and without the details when it did
 * not fill them (Result.detailed): a third of the Result's size, which is
 * memory written on one thread and read on another, account by account.
 * In order: the key's hash (uint64_t), the Result itself (its pointers are
 * the calling thread's own again once unpacked), the values of the
 * ScoreJob's expressions (Value), the dimensions (DimResult, pointers
 * likewise), the members (PackedMember, then their weight, effective
 * weight and lost points when detailed), the segments (int32_t), and the
 * personas tried, flags and steps (a byte each). */
typedef struct PackedMember {
  double score;
  int32_t band;
  bool na;
  uint8_t status, why;
} PackedMember;

/* The bytes of a detailed member's weight, effective and lost, which
 * MemberResult keeps together. */
#define MEMBER_DETAILS (offsetof(MemberResult, lost) + sizeof(double) - offsetof(MemberResult, weight))

/* Moves N bytes between FULL and the packed bytes at *AT (into them when
 * PACK, out of them else), and steps *AT past them. */
static void move(void *full, char **at, size_t n, bool pack) {
  if (pack)
    memcpy(*at, full, n);
  else
    memcpy(full, *at, n);
  *at += n;
}

/* The packed size of R with N values. */
static size_t packed_size(const Result *r, int32_t n) {
  size_t member = sizeof(PackedMember) + (r->detailed ? MEMBER_DETAILS : 0);
  return sizeof(uint64_t) + sizeof *r + (size_t)n * sizeof(Value) + (size_t)r->ndims * sizeof *r->dims +
         (size_t)r->nmembers * member + (size_t)r->nsegments * sizeof *r->segments + (size_t)r->npersonas +
         (size_t)r->nflags + (size_t)r->nsteps;
}

/* Packs *R, the N VALUES and the key's hash *H into AT (PACK: then
 * nothing of them is written), or unpacks them from AT into *R (whose
 * arrays stay the caller's), VALUES and *H. */
static void transfer(Result *r, Value *values, int32_t n, uint64_t *h, char *at, bool pack) {
  Result own = *r;
  move(h, &at, sizeof *h, pack);
  move(r, &at, sizeof *r, pack);
  if (!pack) { /* the arrays stay the caller's */
    r->persona_tried = own.persona_tried;
    r->segments = own.segments;
    r->dims = own.dims;
    r->members = own.members;
    r->flags = own.flags;
    r->steps = own.steps;
  }
  move(values, &at, (size_t)n * sizeof *values, pack);
  for (int32_t d = 0; d < r->ndims; d++) {
    MemberResult *members = r->dims[d].members;
    move(&r->dims[d], &at, sizeof *r->dims, pack);
    if (!pack) r->dims[d].members = members;
  }
  for (int32_t m = 0; m < r->nmembers; m++, at += sizeof(PackedMember)) {
    MemberResult *x = &r->members[m];
    PackedMember *y = (PackedMember *)(void *)at;
    if (pack) {
      *y = (PackedMember){x->score, x->band, x->na, x->status, x->why};
      continue;
    }
    x->score = y->score;
    x->band = y->band;
    x->na = y->na;
    x->status = y->status;
    x->why = y->why;
  }
  for (int32_t m = 0; r->detailed && m < r->nmembers; m++)
    move(&r->members[m].weight, &at, MEMBER_DETAILS, pack);
  move(r->segments, &at, (size_t)r->nsegments * sizeof *r->segments, pack);
  move(r->persona_tried, &at, (size_t)r->npersonas, pack);
  move(r->flags, &at, (size_t)r->nflags, pack);
  move(r->steps, &at, (size_t)r->nsteps, pack);
}

const CExpr **job_compile(const Evaluator *ev, const Node *const *exprs, int32_t n, Arena *arena) {
  const CExpr **x = arena_alloc(arena, ((size_t)n + 1) * sizeof *x);
  for (int32_t i = 0; i < n; i++)
    x[i] = exprs[i] ? eval_compile(ev, arena, exprs[i]) : NULL;
  return x;
}

void job_values(Evaluator *ev, const CExpr *const *x, int32_t n, Value *out) {
  for (int32_t i = 0; i < n; i++) {
    out[i] = x[i] ? eval_compiled(ev, x[i]) : val_missing(MISS_ABSENT);
    if (out[i].type == T_TEXT) out[i] = val_missing(MISS_ABSENT);
  }
}

void job_result_init(JobResult *jr, const Evaluator *like, int32_t nexprs) {
  const Result *r = eval_result(like);
  arena_init(&jr->arena, 0);
  jr->values = arena_alloc(&jr->arena, ((size_t)nexprs + 1) * sizeof *jr->values);
  jr->nvalues = nexprs;
  /* one block: the arrays, each as LIKE's (the members' indices, the
   * dimensions' member counts), the dimensions pointing into its members */
  size_t dims = (size_t)r->ndims * sizeof *r->dims, members = (size_t)r->nmembers * sizeof *r->members;
  size_t segments = (size_t)r->nsegments * sizeof *r->segments;
  char *at = arena_alloc(&jr->arena, dims + members + segments + (size_t)r->npersonas + (size_t)r->nflags +
                                         (size_t)r->nsteps + 1);
  Result *c = &jr->r;
  *c = *r;
  c->dims = memcpy(at, r->dims, dims);
  c->members = memcpy(at + dims, r->members, members);
  for (int32_t d = 0; d < r->ndims; d++)
    c->dims[d].members = c->members + (r->dims[d].members - r->members);
  at += dims + members;
  c->segments = (int32_t *)(void *)at;
  c->persona_tried = (uint8_t *)at + segments;
  c->flags = c->persona_tried + r->npersonas;
  c->steps = c->flags + r->nflags;
}

void job_result_free(JobResult *jr) { arena_free(&jr->arena); }

const Result *job_result(JobResult *jr, const void *packed) {
  uint64_t h;
  transfer(&jr->r, jr->values, jr->nvalues, &h, (char *)(uintptr_t)packed, false);
  return &jr->r;
}

typedef struct Scorer {
  const ScoreJob *sj;
  Evaluator *ev;
  Arena arena;
  const CExpr **exprs; /* sj->exprs compiled for ev */
  Value *values;
  void *writer; /* sj->text's state */
} Scorer;

static void *scorer_start(void *ud) {
  const ScoreJob *sj = ud;
  Scorer *s = xmalloc(sizeof *s);
  s->sj = sj;
  s->ev = eval_new_like(sj->like);
  arena_init(&s->arena, 0);
  s->exprs = job_compile(s->ev, sj->exprs, sj->nexprs, &s->arena);
  s->values = arena_alloc(&s->arena, ((size_t)sj->nexprs + 1) * sizeof *s->values);
  s->writer = sj->text ? sj->text->start(sj->text->ud) : NULL;
  return s;
}

/* JobWork.pack (ScoreJob.text): A scored and written here: its
 * PackedText head, its key's text and its id (the key's text again for a
 * text key: written once, no strlen) to HEAD, its output to TEXT (the
 * writer writes straight into it: nothing is copied). */
static size_t scorer_pack(void *state, const Account *a, Buf *head, Buf *text) {
  Scorer *s = state;
  const ScoreJob *sj = s->sj;
  const Result *r = eval_account(s->ev, a->values, sj->as_of, sj->scores_only ? EVAL_SCORES : EVAL_DETAILS);
  char buf[32];
  size_t n = 0;
  const char *key = sj->key_input >= 0 ? key_text(&a->values[sj->key_input], a->id, buf, &n) : "";
  PackedText t = {sj->key_input >= 0 ? key_hash(key, n) : 0, n};
  size_t id_len = key == a->id ? 0 : strlen(a->id) + 1, at = head->len + sizeof t;
  buf_reserve(head, sizeof t + n + 1 + id_len + 8); /* (8: the next head is aligned) */
  char *to = head->data + head->len;
  memcpy(to, &t, sizeof t);
  key_copy(to + sizeof t, key, n);
  to[sizeof t + n] = '\0';
  if (id_len) memcpy(to + sizeof t + n + 1, a->id, id_len);
  head->len += sizeof t + n + 1 + id_len;
  sj->text->write(s->writer, a, r, text);
  return id_len ? at + n + 1 : at;
}

/* The head of an account packed with its inputs (ScoreJob.inputs): the
 * key's hash (first, as in every packed account: job_key_hash), where its
 * inputs are (from the head: the display name's offset or 0, the READS'
 * Values, a text one's u.text its offset, then the texts) and whether it
 * was scored: then its packed Result follows the head. */
typedef struct InputsHead {
  uint64_t hash;
  uint32_t inputs_at;
  uint32_t scored;
} InputsHead;

/* The date A is scored as of, and *SCORED whether it is (history: a
 * record of a snapshot handed over, dated on or before the limit). */
static int32_t scored_as_of(const ScoreJob *sj, const Account *a, bool *scored) {
  *scored = true;
  if (!sj->history) return sj->as_of;
  int32_t as_of = sj->file_date != SNAP_NONE ? sj->file_date : a->values[sj->snapshot_input].u.date;
  *scored = as_of <= sj->limit && (sj->all || as_of == sj->target);
  return as_of;
}

/* The key_hash of A's key (0 without a key input). */
static uint64_t account_hash(const ScoreJob *sj, const Account *a) {
  if (sj->key_input < 0) return 0;
  char buf[32];
  size_t n;
  const char *text = key_text(&a->values[sj->key_input], a->id, buf, &n);
  return key_hash(text, n);
}

/* The 8-aligned length of N bytes. */
static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* JobWork.pack (ScoreJob.inputs): A scored here (when it is to be), its
 * Result packed after an InputsHead into HEAD, then the inputs the sink
 * reads, the display name and the id; the values stay here. */
static size_t scorer_pack_inputs(void *state, const Account *a, Buf *head, Buf *text) {
  Scorer *s = state;
  const ScoreJob *sj = s->sj;
  (void)text;
  bool scored;
  int32_t as_of = scored_as_of(sj, a, &scored);
  uint64_t h = account_hash(sj, a);
  size_t at = head->len, size = sizeof(InputsHead);
  const Result *r = NULL;
  if (scored) {
    r = eval_account(s->ev, a->values, as_of, sj->scores_only ? EVAL_SCORES : EVAL_DETAILS);
    job_values(s->ev, s->exprs, sj->nexprs, s->values);
    size += align8(packed_size(r, sj->nexprs));
  }
  size_t texts = a->name ? strlen(a->name) + 1 : 0;
  for (int32_t k = 0; k < sj->nreads; k++) {
    const Value *v = &a->values[sj->reads[k]];
    if (v->type == T_TEXT) texts += v->len + 1;
  }
  size_t inputs = size, id_len = strlen(a->id) + 1;
  size += sizeof(uint64_t) + (size_t)sj->nreads * sizeof(Value) + texts;
  buf_reserve(head, size + id_len + 8);
  char *e = head->data + at;
  InputsHead ih = {h, (uint32_t)inputs, scored};
  memcpy(e, &ih, sizeof ih);
  if (scored) transfer((Result *)r, s->values, sj->nexprs, &h, e + sizeof ih, true); /* only read */
  size_t tat = inputs + sizeof(uint64_t) + (size_t)sj->nreads * sizeof(Value);
  uint64_t name_at = 0;
  if (a->name) {
    name_at = tat;
    size_t n = strlen(a->name) + 1;
    memcpy(e + tat, a->name, n);
    tat += n;
  }
  memcpy(e + inputs, &name_at, sizeof name_at);
  for (int32_t k = 0; k < sj->nreads; k++) {
    Value v = a->values[sj->reads[k]];
    if (v.type == T_TEXT) {
      if (v.len) memcpy(e + tat, v.u.text, v.len);
      e[tat + v.len] = '\0';
      v.u.text = (const char *)(uintptr_t)tat;
      tat += v.len + 1;
    }
    memcpy(e + inputs + sizeof(uint64_t) + (size_t)k * sizeof v, &v, sizeof v);
  }
  memcpy(e + size, a->id, id_len); /* the id, after the texts */
  head->len = at + align8(size + id_len);
  return at + size;
}

const void *job_inputs(const void *packed, const int32_t *reads, int32_t nreads, Value *values,
                       const char **name) {
  const char *e = packed;
  InputsHead ih;
  memcpy(&ih, e, sizeof ih);
  uint64_t name_at;
  memcpy(&name_at, e + ih.inputs_at, sizeof name_at);
  *name = name_at ? e + name_at : NULL;
  for (int32_t k = 0; k < nreads; k++) {
    Value v;
    memcpy(&v, e + ih.inputs_at + sizeof(uint64_t) + (size_t)k * sizeof v, sizeof v);
    if (v.type == T_TEXT) v.u.text = e + (uintptr_t)v.u.text;
    values[reads[k]] = v;
  }
  return ih.scored ? e + sizeof ih : NULL;
}

static const void *scorer_account(void *state, const Account *a, Arena *arena) {
  Scorer *s = state;
  const ScoreJob *sj = s->sj;
  bool scored;
  int32_t as_of = scored_as_of(sj, a, &scored);
  if (!scored) return NULL;
  const Result *r = eval_account(s->ev, a->values, as_of, sj->scores_only ? EVAL_SCORES : EVAL_DETAILS);
  job_values(s->ev, s->exprs, sj->nexprs, s->values);
  uint64_t h = account_hash(sj, a);
  char *packed = arena_alloc(arena, packed_size(r, sj->nexprs));
  transfer((Result *)r, s->values, sj->nexprs, &h, packed, true); /* only read when packing */
  return packed;
}

/* JobWork.inputs: the thread's evaluator's input table. */
static Value *scorer_inputs(void *state) {
  Scorer *s = state;
  return eval_inputs(s->ev);
}

static void scorer_stop(void *state) {
  Scorer *s = state;
  if (s->writer) s->sj->text->stop(s->writer);
  eval_free(s->ev);
  arena_free(&s->arena);
  free(s);
}

JobWork score_job_work(const ScoreJob *sj) {
  JobWork w = {.start = scorer_start,
               .account = scorer_account,
               .stop = scorer_stop,
               .ud = (void *)sj,
               .ahead = sj->ahead,
               .replayed = sj->replayed,
               .packed_run = sj->packed_run,
               .pack = sj->text     ? scorer_pack
                       : sj->inputs ? scorer_pack_inputs
                                    : NULL,
               .inputs = scorer_inputs,
               .bulky = !sj->text && sj->inputs};
  return w;
}
