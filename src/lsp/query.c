/* query.c — the language server's questions over a checked program: the
 * name at a place (from the checker's annotations: ref_kind, ref_index,
 * ref_sub), its declaration, a hover text, the outline of a file, the
 * names to complete. */
#include "lsp/query.h"

#include <stdlib.h>
#include <string.h>

/* LSP SymbolKind and CompletionItemKind numbers. */
enum { SK_CLASS = 5, SK_PROPERTY = 7, SK_FIELD = 8, SK_ENUM = 10, SK_FUNCTION = 12 };
enum { SK_VARIABLE = 13, SK_CONSTANT = 14, SK_EVENT = 24, SK_ENUM_MEMBER = 22, SK_MODULE = 2 };
enum { CK_FUNCTION = 3, CK_FIELD = 5, CK_VARIABLE = 6, CK_CLASS = 7, CK_MODULE = 9, CK_KEYWORD = 14 };
enum { CK_ENUM_MEMBER = 20, CK_CONSTANT = 21, CK_EVENT = 23 };

/* One line of the language reference for each built-in function. */
static const struct {
  const char *name, *doc;
} builtin_docs[] = {
    {"min", "`min(a, b, …)`: the smallest argument; `min(L.f [where C])` over a list"},
    {"max", "`max(a, b, …)`: the largest argument; `max(L.f [where C])` over a list"},
    {"abs", "`abs(x)`: the absolute value"},
    {"round", "`round(x[, digits])`: rounded half away from zero"},
    {"clamp", "`clamp(x, lo, hi)`: x limited to lo..hi"},
    {"scale", "`scale(x, lo, hi)`: linear to 0..100, clamped; `lo > hi` means lower is better"},
    {"coalesce", "`coalesce(a, b, …)`: the first argument that is not missing"},
    {"days", "`days(from, to)`: whole days, to − from"},
    {"days_since", "`days_since(d)`: whole days from d to as_of"},
    {"days_until", "`days_until(d)`: whole days from as_of to d"},
    {"lower", "`lower(t)`: the text in lower case"},
    {"upper", "`upper(t)`: the text in upper case"},
    {"contains", "`contains(t, s)`: whether text t contains s"},
    {"starts_with", "`starts_with(t, s)`: whether text t starts with s"},
    {"nps", "`nps(L.f)`: % promoters (9–10) − % detractors (0–6)"},
    {"count", "`count(L [where C])`: how many elements of list L (that satisfy C)"},
    {"sum", "`sum(L.f [where C])`: the sum of field f over list L"},
    {"avg", "`avg(L.f [where C])`: the mean of field f over list L"},
    {"any", "`any(L where C)`: whether some element satisfies C"},
    {"all", "`all(L where C)`: whether every element satisfies C"},
    {"flagged", "`flagged(F)`: whether flag F is raised for the account"},
    {"past", "`past(x, DUR)`: x in the account's latest snapshot on or before as_of − DUR"},
    {"previous", "`previous(x)`: x in the account's snapshot before this one"},
    {"change", "`change(x, DUR)`: x − past(x, DUR)"},
    {"pct_change", "`pct_change(x, DUR)`: (x − past) / past"},
    {"avg_over", "`avg_over(x, DUR)`: the mean of x over the snapshots after as_of − DUR"},
    {"min_over", "`min_over(x, DUR)`: the smallest x over the snapshots after as_of − DUR"},
    {"max_over", "`max_over(x, DUR)`: the largest x over the snapshots after as_of − DUR"},
    {"count_over", "`count_over(x, DUR)`: how many snapshots after as_of − DUR have x"},
};

static const char *const keywords[] = {
    "scorecard", "include",  "input",     "indicator", "threshold", "dimension", "rule",    "score",
    "weight",    "grades",   "persona",   "segment",   "flag",      "severity",  "action",  "journey",
    "step",      "forecast", "weighted",  "by",        "outcome",   "test",      "given",   "expect",
    "as_of",     "when",     "otherwise", "and",       "or",        "not",       "in",      "is",
    "from",      "if",       "then",      "else",      "true",      "false",     "missing", "where",
    "key",       "optional", "list",      "text",      "number",    "bool",      "date",
};

/* The aggregates of a `kpi` (LANGUAGE.md §10), over the accounts. */
static const struct {
  const char *name, *doc;
} kpi_docs[] = {
    {"count", "`count(accounts [where C])` in a KPI: how many accounts (where C holds)"},
    {"share",
     "`share(accounts where C)` in a KPI: the accounts where C holds / all accounts (missing C: false)"},
    {"sum", "`sum(E [where C])` in a KPI: E summed over the accounts (missing values skipped)"},
    {"avg", "`avg(E [where C])` in a KPI: the mean of E over the accounts (missing values skipped)"},
    {"min", "`min(E [where C])` in a KPI: the smallest E over the accounts"},
    {"max", "`max(E [where C])` in a KPI: the largest E over the accounts"},
    {"median", "`median(E [where C])` in a KPI: the median of E over the accounts (even count: the mean of "
               "the middle two)"},
};

static const char *kpi_doc(const char *name) {
  for (size_t i = 0; i < sizeof kpi_docs / sizeof kpi_docs[0]; i++)
    if (strcmp(kpi_docs[i].name, name) == 0) return kpi_docs[i].doc;
  return NULL;
}

static const char *builtin_doc(const char *name) {
  for (size_t i = 0; i < sizeof builtin_docs / sizeof builtin_docs[0]; i++)
    if (strcmp(builtin_docs[i].name, name) == 0) return builtin_docs[i].doc;
  return NULL;
}

/* ---- the name at a place ----------------------------------------------- */

static bool covers(Span s, int32_t file, uint32_t off) {
  return s.file == file && s.begin <= off && off <= s.end && s.end > s.begin;
}

static bool is_decl_kind(NodeKind k) {
  return (k >= D_SCORECARD && k <= D_TEST) || k == P_FIELD_DECL || k == P_RULE || k == P_SCORE ||
         k == P_BANDS || k == P_GRADE || k == P_CASE || k == P_STEP;
}

typedef struct Walk {
  const Program *p;
  int32_t file;
  uint32_t off;
  QueryRef best;
  const Node *call; /* the E_CALL flagged(…) we are inside, if any */
  bool in_kpi;      /* inside a `kpi`: its aggregates are not list functions */
} Walk;

static void take(Walk *w, Span span, const Node *n, RefKind kind) {
  w->best.found = true;
  w->best.span = span;
  w->best.kind = kind;
  w->best.index = n->ref_index;
  w->best.sub = n->ref_sub;
  w->best.aux = n->type_aux;
  w->best.name = n->name;
  w->best.type = n->type;
  w->best.decl = NULL;
}

/* The index of the input called NAME, or -1. */
static int32_t input_named(const Program *p, const char *name) {
  for (int32_t i = 0; i < p->ninputs; i++)
    if (strcmp(p->inputs[i].name, name) == 0) return i;
  return -1;
}

/* The names that are parts of tests and forecasts rather than
 * expressions: a `given` field (an input), a forecast's grade, the KPI of
 * an `expect kpi` line. */
static void walk_parts(Walk *w, const Node *n) {
  const Program *p = w->p;
  NodeKind k = (NodeKind)n->kind;
  if (k == P_GIVEN)
    for (int32_t i = 0; i < n->list.count; i++) {
      const Node *fv = n->list.items[i];
      int32_t in = fv->name ? input_named(p, fv->name) : -1;
      if (in < 0 || !covers(fv->name_span, w->file, w->off)) continue;
      take(w, fv->name_span, fv, REF_INPUT);
      w->best.index = in;
      w->best.type = p->inputs[in].type;
      w->best.decl = p->inputs[in].node;
    }
  if (k == P_RATE && n->name && covers(n->name_span, w->file, w->off))
    for (int32_t g = 0; g < p->ngrade_names; g++)
      if (strcmp(p->grade_names[g], n->name) == 0) {
        take(w, n->name_span, n, REF_SYMBOL);
        w->best.aux = SYM_GRADE;
        w->best.sub = g;
      }
  if (k == P_EXPECT_KPI && n->ref_index >= 0 && n->ref_index < p->nkpis &&
      covers(n->name_span, w->file, w->off)) {
    take(w, n->name_span, n, REF_NONE);
    w->best.decl = p->kpis[n->ref_index].node;
  }
  if (k == D_TEST && n->str && covers(n->name_span, w->file, w->off)) {
    take(w, n->name_span, n, REF_NONE);
    w->best.name = n->str;
    w->best.decl = n;
  }
}

static void walk(Walk *w, const Node *n) {
  if (!n || n->span.file != w->file) return;
  NodeKind k = (NodeKind)n->kind;
  if (is_decl_kind(k) && n->name && covers(n->name_span, w->file, w->off)) {
    take(w, n->name_span, n, REF_NONE);
    w->best.decl = n;
  }
  if (k == E_NAME && covers(n->span, w->file, w->off)) {
    if (n->ref_kind != REF_NONE)
      take(w, n->span, n, (RefKind)n->ref_kind);
    else if (w->call && w->call->ref_kind == REF_FLAG) /* flagged(NAME) */
      take(w, n->span, w->call, REF_FLAG);
  }
  if (k == E_FIELD && covers(n->name_span, w->file, w->off)) take(w, n->name_span, n, (RefKind)n->ref_kind);
  if (k == E_FIELD && n->a && n->a->ref_kind == REF_NONE && covers(n->a->span, w->file, w->off) &&
      (n->ref_kind == REF_DIM_GRADE || n->ref_kind == REF_MEMBER)) {
    take(w, n->a->span, n, REF_DIMENSION); /* the DIM of DIM.grade */
    w->best.name = n->a->name;
    w->best.type = T_NUMBER;
    return;
  }
  if (k == E_CALL && covers(n->name_span, w->file, w->off)) {
    bool agg = w->in_kpi && n->ref_kind == REF_NONE && kpi_doc(n->name);
    take(w, n->name_span, n, n->ref_kind == REF_FLAG || agg ? REF_FUNC : (RefKind)n->ref_kind);
    if (n->ref_kind == REF_FLAG) w->best.index = FN_FLAGGED;
    if (agg) w->best.aux = 1; /* a KPI's aggregate */
  }
  if (k == E_NAME && w->in_kpi && n->ref_kind == REF_NONE && strcmp(n->name, "accounts") == 0 &&
      covers(n->span, w->file, w->off)) {
    take(w, n->span, n, REF_NONE);
    w->best.aux = 1; /* `accounts` of a KPI */
  }
  walk_parts(w, n);
  const Node *outer = w->call;
  bool was_kpi = w->in_kpi;
  if (k == D_KPI) w->in_kpi = true;
  if (k == E_CALL) w->call = n;
  walk(w, n->a);
  walk(w, n->b);
  walk(w, n->c);
  for (int32_t i = 0; i < n->list.count; i++)
    walk(w, n->list.items[i]);
  w->call = outer;
  w->in_kpi = was_kpi;
}

static const Node *grade_node(const Program *p, int32_t grade) {
  for (int32_t pass = 0; pass < 2; pass++)
    for (int32_t s = 0; s < p->ngrade_sets; s++) {
      if (pass == 0 && s != p->default_grades) continue;
      for (int32_t b = 0; b < p->grade_sets[s].nbands; b++)
        if (p->grade_sets[s].bands[b].grade == grade) return p->grade_sets[s].bands[b].node;
    }
  return NULL;
}

static const Node *decl_of(const Program *p, const QueryRef *r) {
  int32_t i = r->index, s = r->sub;
  switch (r->kind) {
  case REF_INPUT: return i >= 0 && i < p->ninputs ? p->inputs[i].node : NULL;
  case REF_INDICATOR: return i >= 0 && i < p->nindicators ? p->indicators[i].node : NULL;
  case REF_THRESHOLD: return i >= 0 && i < p->nthresholds ? p->thresholds[i].node : NULL;
  case REF_DIMENSION:
  case REF_DIM_GRADE: return i >= 0 && i < p->ndimensions ? p->dimensions[i].node : NULL;
  case REF_MEMBER:
    return i >= 0 && i < p->ndimensions && s >= 0 && s < p->dimensions[i].nmembers
               ? p->dimensions[i].members[s].node
               : NULL;
  case REF_SEGMENT: return i >= 0 && i < p->nsegments ? p->segments[i].node : NULL;
  case REF_FLAG: return i >= 0 && i < p->nflags ? p->flags[i].node : NULL;
  case REF_ELEM_FIELD:
  case REF_LIST_FIELD:
    return i >= 0 && i < p->ninputs && s >= 0 && s < p->inputs[i].nfields ? p->inputs[i].fields[s].node
                                                                          : NULL;
  case REF_SYMBOL:
    if (r->aux == SYM_GRADE) return grade_node(p, s);
    if (r->aux == SYM_PERSONA) return s >= 0 && s < p->npersonas ? p->personas[s].node : NULL;
    if (r->aux == SYM_STEP) return s >= 0 && s < p->nsteps ? p->steps[s].node : NULL;
    if (r->aux >= SYM_SEGMENT && r->aux - SYM_SEGMENT < p->nsegments) {
      const SegmentDecl *seg = &p->segments[r->aux - SYM_SEGMENT];
      return s >= 0 && s < seg->ncases ? seg->cases[s].node : NULL;
    }
    return NULL;
  default: return NULL;
  }
}

/* Every declaration node of the program (the roots of the walk). */
typedef void (*NodeFn)(void *ud, const Node *n);
static void each_decl(const Program *p, NodeFn fn, void *ud) {
  for (int32_t i = 0; i < p->ninputs; i++)
    fn(ud, p->inputs[i].node);
  for (int32_t i = 0; i < p->nindicators; i++)
    fn(ud, p->indicators[i].node);
  for (int32_t i = 0; i < p->nthresholds; i++)
    fn(ud, p->thresholds[i].node);
  for (int32_t i = 0; i < p->ndimensions; i++)
    fn(ud, p->dimensions[i].node);
  for (int32_t i = 0; i < p->ngrade_sets; i++)
    fn(ud, p->grade_sets[i].node);
  for (int32_t i = 0; i < p->npersonas; i++)
    fn(ud, p->personas[i].node);
  for (int32_t i = 0; i < p->nsegments; i++)
    fn(ud, p->segments[i].node);
  for (int32_t i = 0; i < p->nflags; i++)
    fn(ud, p->flags[i].node);
  for (int32_t i = 0; i < p->nsteps; i++)
    fn(ud, p->steps[i].node);
  for (int32_t i = 0; i < p->nforecasts; i++)
    fn(ud, p->forecasts[i].node);
  for (int32_t i = 0; i < p->ntests; i++)
    fn(ud, p->tests[i].node);
  for (int32_t i = 0; i < p->nkpis; i++)
    fn(ud, p->kpis[i].node);
}

static void walk_root(void *ud, const Node *n) { walk(ud, n); }

QueryRef query_at(const Program *p, int32_t file, uint32_t offset) {
  Walk w;
  memset(&w, 0, sizeof w);
  w.p = p;
  w.file = file;
  w.off = offset;
  each_decl(p, walk_root, &w);
  if (w.best.found && !w.best.decl) w.best.decl = decl_of(p, &w.best);
  return w.best;
}

/* ---- hover ------------------------------------------------------------- */

static void put_text(Buf *out, const Program *p, Span s) {
  if (s.file < 0 || s.file >= p->sources.count) return;
  const Source *src = p->sources.files[s.file];
  if (s.end > src->len || s.begin > s.end) return;
  buf_put(out, src->text + s.begin, s.end - s.begin);
}

static void put_where(Buf *out, const Program *p, const Node *n) {
  if (!n || n->span.file < 0 || n->span.file >= p->sources.count) return;
  int line, col;
  const Source *src = p->sources.files[n->span.file];
  src_line_col(src, n->span.begin, &line, &col);
  buf_printf(out, "\n\ndeclared at %s:%d", src->path, line);
}

static const char *kind_word(const Program *p, const QueryRef *r) {
  const Node *d = r->decl;
  if (r->kind == REF_FUNC) return "function";
  if (r->kind == REF_SYMBOL)
    return r->aux == SYM_GRADE     ? "grade"
           : r->aux == SYM_PERSONA ? "persona"
           : r->aux == SYM_STEP    ? "journey step"
                                   : "segment case";
  if (!d) return "name";
  switch ((NodeKind)d->kind) {
  case D_INPUT: return "input";
  case D_INDICATOR: return "indicator";
  case D_THRESHOLD: return "threshold";
  case D_DIMENSION: return "dimension";
  case D_PERSONA: return "persona";
  case D_SEGMENT: return "segment";
  case D_FLAG: return "flag";
  case D_FORECAST: return "forecast";
  case D_TEST: return "test";
  case D_KPI: return "KPI";
  case P_RULE: return "rule";
  case P_SCORE:
  case P_BANDS: return "score";
  case P_GRADE: return "grade";
  case P_CASE: return "segment case";
  case P_STEP: return "journey step";
  case P_FIELD_DECL: return "list field";
  default: (void)p; return "declaration";
  }
}

/* The weights in effect for member M of dimension D (or the dimension,
 * M < 0), per persona that overrides them. */
static void put_persona_weights(Buf *out, const Program *p, int32_t d, int32_t m) {
  for (int32_t i = 0; i < p->npersonas; i++)
    for (int32_t k = 0; k < p->personas[i].nweights; k++) {
      const WeightOverride *w = &p->personas[i].weights[k];
      if (w->dimension != d || w->member != m) continue;
      char num[32];
      num_format(w->weight, num);
      buf_printf(out, "\n- persona `%s`: weight %s", p->personas[i].name, num);
    }
}

void query_hover(const Program *p, const QueryRef *r, Buf *out) {
  if (r->kind == REF_NONE && !r->decl && r->aux == 1) {
    buf_puts(out, "**accounts**: every account scored in the run (in a KPI's `count` or `share`)");
    return;
  }
  if (r->kind == REF_FUNC) {
    const char *doc = !r->name ? NULL : r->aux == 1 ? kpi_doc(r->name) : builtin_doc(r->name);
    buf_printf(out, "**function** `%s`", r->name ? r->name : "?");
    if (doc) buf_printf(out, "\n\n%s", doc);
    return;
  }
  const Node *d = r->decl;
  const char *name = d && d->name                       ? d->name
                     : d && d->kind == D_TEST && d->str ? d->str
                     : r->name                          ? r->name
                                                        : "?";
  buf_printf(out, "**%s** `%s`", kind_word(p, r), name);
  if (d && d->label) buf_printf(out, " \"%s\"", d->label);
  if (r->kind != REF_NONE && r->kind != REF_SYMBOL && r->type != T_MISSING)
    buf_printf(out, ": %s", value_type_name((ValueType)r->type));
  if (r->kind == REF_MEMBER || (d && (d->kind == P_RULE || d->kind == P_SCORE || d->kind == P_BANDS))) {
    for (int32_t i = 0; i < p->ndimensions; i++)
      for (int32_t k = 0; k < p->dimensions[i].nmembers; k++) {
        if (p->dimensions[i].members[k].node != d) continue;
        char num[32];
        num_format(p->dimensions[i].members[k].weight, num);
        buf_printf(out, "\n\nmember of dimension `%s`, weight %s", p->dimensions[i].name, num);
        put_persona_weights(out, p, i, k);
      }
  }
  if (d && d->kind == D_DIMENSION)
    for (int32_t i = 0; i < p->ndimensions; i++) {
      if (p->dimensions[i].node != d) continue;
      char num[32];
      num_format(p->dimensions[i].weight, num);
      buf_printf(out, "\n\nweight %s, %d members", num, (int)p->dimensions[i].nmembers);
      put_persona_weights(out, p, i, -1);
    }
  if (d && d->kind == D_THRESHOLD && d->a) {
    buf_puts(out, "\n\n`= ");
    put_text(out, p, d->a->span);
    buf_puts(out, "`");
    for (int32_t i = 0; i < p->nthresholds; i++) {
      if (p->thresholds[i].node != d) continue;
      for (int32_t s = 0; s < p->npersonas; s++)
        for (int32_t k = 0; k < p->personas[s].nthresholds; k++)
          if (p->personas[s].thresholds[k].threshold == i && p->personas[s].thresholds[k].expr) {
            buf_printf(out, "\n- persona `%s`: ", p->personas[s].name);
            put_text(out, p, p->personas[s].thresholds[k].expr->span);
          }
    }
  }
  if (d && d->kind == D_KPI)
    for (int32_t i = 0; i < p->nkpis; i++) {
      if (p->kpis[i].node != d) continue;
      buf_puts(out, "\n\n`= ");
      put_text(out, p, d->a->span);
      buf_puts(out, "`");
      char tg[128];
      const char *op = p->kpis[i].target_op == OP_GE   ? ">="
                       : p->kpis[i].target_op == OP_LE ? "<="
                       : p->kpis[i].target_op == OP_GT ? ">"
                       : p->kpis[i].target_op == OP_LT ? "<"
                                                       : NULL;
      if (op && d->b) {
        snprintf(tg, sizeof tg, "%s ", op);
        buf_printf(out, "\n\ntarget %s", tg);
        put_text(out, p, d->b->span);
      } else
        buf_puts(out, "\n\nno target");
      buf_puts(out, " · a portfolio number over every account of a run (report, history, diff)");
    }
  put_where(out, p, d);
}

/* ---- outline --------------------------------------------------------------- */

typedef struct SymList {
  QuerySymbol *items;
  int32_t n, cap;
  int32_t file;
} SymList;

static void add_sym(SymList *l, const Node *n, const char *name, int kind, int depth) {
  if (!n || n->span.file != l->file) return;
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->items = xrealloc(l->items, (size_t)l->cap * sizeof *l->items);
  }
  QuerySymbol *s = &l->items[l->n++];
  s->name = name ? name : "?";
  s->detail = n->label;
  s->kind = kind;
  s->span = n->span;
  s->name_span = n->name_span.end > n->name_span.begin ? n->name_span : n->span;
  s->depth = depth;
}

static int cmp_sym(const void *a, const void *b) {
  const QuerySymbol *x = a, *y = b;
  /* children keep their place after their parent: sort by the parent's
   * start, which a child's span does not precede */
  if (x->span.begin != y->span.begin) return x->span.begin < y->span.begin ? -1 : 1;
  return x->depth - y->depth;
}

QuerySymbol *query_symbols(const Program *p, int32_t file, int32_t *n) {
  SymList l = {NULL, 0, 0, file};
  for (int32_t i = 0; i < p->ninputs; i++)
    add_sym(&l, p->inputs[i].node, p->inputs[i].name, SK_FIELD, 0);
  for (int32_t i = 0; i < p->nindicators; i++)
    add_sym(&l, p->indicators[i].node, p->indicators[i].name, SK_VARIABLE, 0);
  for (int32_t i = 0; i < p->nthresholds; i++)
    add_sym(&l, p->thresholds[i].node, p->thresholds[i].name, SK_CONSTANT, 0);
  for (int32_t i = 0; i < p->ndimensions; i++) {
    const DimensionDecl *d = &p->dimensions[i];
    add_sym(&l, d->node, d->name, SK_CLASS, 0);
    for (int32_t k = 0; k < d->nmembers; k++)
      add_sym(&l, d->members[k].node, d->members[k].name, SK_PROPERTY, 1);
  }
  for (int32_t i = 0; i < p->ngrade_sets; i++) {
    const GradeSet *g = &p->grade_sets[i];
    if (g->node && g->node->span.file == file && i == p->default_grades) {
      add_sym(&l, g->node, "grades", SK_ENUM, 0);
      for (int32_t k = 0; k < g->nbands; k++)
        add_sym(&l, g->bands[k].node, g->bands[k].node ? g->bands[k].node->name : NULL, SK_ENUM_MEMBER, 1);
    }
  }
  for (int32_t i = 0; i < p->npersonas; i++)
    add_sym(&l, p->personas[i].node, p->personas[i].name, SK_MODULE, 0);
  for (int32_t i = 0; i < p->nsegments; i++) {
    const SegmentDecl *s = &p->segments[i];
    add_sym(&l, s->node, s->name, SK_ENUM, 0);
    for (int32_t k = 0; k < s->ncases; k++)
      add_sym(&l, s->cases[k].node, s->cases[k].name, SK_ENUM_MEMBER, 1);
  }
  for (int32_t i = 0; i < p->nflags; i++)
    add_sym(&l, p->flags[i].node, p->flags[i].name, SK_EVENT, 0);
  for (int32_t i = 0; i < p->nsteps; i++)
    add_sym(&l, p->steps[i].node, p->steps[i].name, SK_ENUM_MEMBER, 0);
  for (int32_t i = 0; i < p->nforecasts; i++)
    add_sym(&l, p->forecasts[i].node, p->forecasts[i].name, SK_VARIABLE, 0);
  for (int32_t i = 0; i < p->ntests; i++)
    add_sym(&l, p->tests[i].node, p->tests[i].name, SK_FUNCTION, 0);
  if (l.n > 1) qsort(l.items, (size_t)l.n, sizeof *l.items, cmp_sym);
  *n = l.n;
  return l.items;
}

/* ---- completion -------------------------------------------------------------- */

static void item(QueryItemFn fn, void *ud, const char *label, const char *detail, int kind) {
  QueryItem it = {label, detail, kind};
  fn(ud, &it);
}

bool query_members(const Program *p, const char *owner, size_t len, QueryItemFn fn, void *ud) {
  if (!p) return false;
  for (int32_t i = 0; i < p->ndimensions; i++) {
    const DimensionDecl *d = &p->dimensions[i];
    if (strlen(d->name) != len || memcmp(d->name, owner, len) != 0) continue;
    item(fn, ud, "grade", "the dimension's grade", CK_ENUM_MEMBER);
    for (int32_t k = 0; k < d->nmembers; k++)
      item(fn, ud, d->members[k].name, d->members[k].label, CK_FIELD);
    return true;
  }
  for (int32_t i = 0; i < p->ninputs; i++) {
    const InputDecl *in = &p->inputs[i];
    if (in->type != T_LIST || strlen(in->name) != len || memcmp(in->name, owner, len) != 0) continue;
    for (int32_t k = 0; k < in->nfields; k++)
      item(fn, ud, in->fields[k].name, value_type_name((ValueType)in->fields[k].type), CK_FIELD);
    return true;
  }
  return false;
}

void query_names(const Program *p, QueryItemFn fn, void *ud) {
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    item(fn, ud, keywords[i], NULL, CK_KEYWORD);
  for (size_t i = 0; i < sizeof builtin_docs / sizeof builtin_docs[0]; i++)
    item(fn, ud, builtin_docs[i].name, builtin_docs[i].doc, CK_FUNCTION);
  static const char *const account_names[] = {"health", "grade", "persona", "bottleneck"};
  for (size_t i = 0; i < sizeof account_names / sizeof account_names[0]; i++)
    item(fn, ud, account_names[i], "the account's result", CK_VARIABLE);
  if (!p) return;
  for (int32_t i = 0; i < p->ninputs; i++)
    item(fn, ud, p->inputs[i].name, p->inputs[i].label ? p->inputs[i].label : "input", CK_FIELD);
  for (int32_t i = 0; i < p->nindicators; i++)
    item(fn, ud, p->indicators[i].name, p->indicators[i].label ? p->indicators[i].label : "indicator",
         CK_VARIABLE);
  for (int32_t i = 0; i < p->nthresholds; i++)
    item(fn, ud, p->thresholds[i].name, p->thresholds[i].label ? p->thresholds[i].label : "threshold",
         CK_CONSTANT);
  for (int32_t i = 0; i < p->ndimensions; i++)
    item(fn, ud, p->dimensions[i].name, p->dimensions[i].label ? p->dimensions[i].label : "dimension",
         CK_CLASS);
  for (int32_t i = 0; i < p->nsegments; i++) {
    item(fn, ud, p->segments[i].name, p->segments[i].label ? p->segments[i].label : "segment", CK_MODULE);
    for (int32_t k = 0; k < p->segments[i].ncases; k++)
      item(fn, ud, p->segments[i].cases[k].name, p->segments[i].cases[k].label, CK_ENUM_MEMBER);
  }
  for (int32_t i = 0; i < p->ngrade_names; i++)
    item(fn, ud, p->grade_names[i], p->grade_labels ? p->grade_labels[i] : "grade", CK_ENUM_MEMBER);
  for (int32_t i = 0; i < p->npersonas; i++)
    item(fn, ud, p->personas[i].name, p->personas[i].label ? p->personas[i].label : "persona",
         CK_ENUM_MEMBER);
  for (int32_t i = 0; i < p->nsteps; i++)
    item(fn, ud, p->steps[i].name, p->steps[i].label ? p->steps[i].label : "journey step", CK_ENUM_MEMBER);
  for (int32_t i = 0; i < p->nflags; i++)
    item(fn, ud, p->flags[i].name, p->flags[i].label ? p->flags[i].label : "flag", CK_EVENT);
}

const Node *query_decl_named(const Program *p, const char *name) {
  for (int32_t i = 0; i < p->ninputs; i++)
    if (strcmp(p->inputs[i].name, name) == 0) return p->inputs[i].node;
  for (int32_t i = 0; i < p->nindicators; i++)
    if (strcmp(p->indicators[i].name, name) == 0) return p->indicators[i].node;
  for (int32_t i = 0; i < p->nthresholds; i++)
    if (strcmp(p->thresholds[i].name, name) == 0) return p->thresholds[i].node;
  for (int32_t i = 0; i < p->ndimensions; i++) {
    if (strcmp(p->dimensions[i].name, name) == 0) return p->dimensions[i].node;
    for (int32_t k = 0; k < p->dimensions[i].nmembers; k++)
      if (strcmp(p->dimensions[i].members[k].name, name) == 0) return p->dimensions[i].members[k].node;
  }
  for (int32_t i = 0; i < p->nsegments; i++)
    if (strcmp(p->segments[i].name, name) == 0) return p->segments[i].node;
  for (int32_t i = 0; i < p->npersonas; i++)
    if (strcmp(p->personas[i].name, name) == 0) return p->personas[i].node;
  for (int32_t i = 0; i < p->nflags; i++)
    if (strcmp(p->flags[i].name, name) == 0) return p->flags[i].node;
  for (int32_t i = 0; i < p->nsteps; i++)
    if (strcmp(p->steps[i].name, name) == 0) return p->steps[i].node;
  for (int32_t g = 0; g < p->ngrade_names; g++)
    if (strcmp(p->grade_names[g], name) == 0) return grade_node(p, g);
  return NULL;
}
