/* check_expr.c — names and types in expressions: every E_NAME, E_FIELD
 * and E_CALL resolved to what it refers to, every node typed, symbols
 * (grades, personas, cases, steps) resolved against the kind they are
 * compared with, and dependency edges recorded for check_graph.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "base/vec.h"
#include "base/i18n.h"

typedef struct BuiltinInfo {
  const char *name;
  Builtin id;
  int min_args, max_args; /* max -1: any number */
} BuiltinInfo;

static const BuiltinInfo builtins[] = {
    {"min", FN_MIN, 1, -1},
    {"max", FN_MAX, 1, -1},
    {"abs", FN_ABS, 1, 1},
    {"round", FN_ROUND, 1, 2},
    {"clamp", FN_CLAMP, 3, 3},
    {"scale", FN_SCALE, 3, 3},
    {"coalesce", FN_COALESCE, 2, -1},
    {"days", FN_DAYS, 2, 2},
    {"days_since", FN_DAYS_SINCE, 1, 1},
    {"days_until", FN_DAYS_UNTIL, 1, 1},
    {"lower", FN_LOWER, 1, 1},
    {"upper", FN_UPPER, 1, 1},
    {"contains", FN_CONTAINS, 2, 2},
    {"starts_with", FN_STARTS_WITH, 2, 2},
    {"nps", FN_NPS, 1, 1},
    {"count", FN_COUNT, 1, 1},
    {"sum", FN_SUM, 1, 1},
    {"avg", FN_AVG, 1, 1},
    {"any", FN_ANY, 1, 1},
    {"all", FN_ALL, 1, 1},
    {"flagged", FN_FLAGGED, 1, 1},
    {"past", FN_PAST, 2, 2},
    {"previous", FN_PREVIOUS, 1, 1},
    {"change", FN_CHANGE, 2, 2},
    {"pct_change", FN_PCT_CHANGE, 2, 2},
    {"avg_over", FN_AVG_OVER, 2, 2},
    {"min_over", FN_MIN_OVER, 2, 2},
    {"max_over", FN_MAX_OVER, 2, 2},
    {"count_over", FN_COUNT_OVER, 2, 2},
};
enum { NBUILTINS = sizeof builtins / sizeof *builtins };

static bool is_bad(uint8_t t) { return t == T_ERROR; }

static void set_type(Node *n, uint8_t type, int32_t aux) {
  n->type = type;
  n->type_aux = aux;
}

/* Two types that may meet in ==, ??, if branches, coalesce. */
static bool same_type(const Node *a, const Node *b) {
  if (a->type == T_ANY || b->type == T_ANY) return true;
  if (a->type != b->type) return false;
  if (a->type == T_SYMBOL) return a->type_aux == b->type_aux;
  return true;
}

static const Node *pick_typed(const Node *a, const Node *b) { return a->type == T_ANY ? b : a; }

/* "`x`" for a name, the source text of a short expression ("`3`",
 * "`days_since(start)`"), or "this expression". */
static const char *what(Checker *c, const Node *n) {
  if (n->kind == E_NAME) return arena_printf(c->arena, "`%s`", n->name);
  if (n->kind == E_FIELD && n->a && n->a->kind == E_NAME)
    return arena_printf(c->arena, "`%s.%s`", n->a->name, n->name);
  const Source *src = n->span.file >= 0 ? src_get(&c->p->sources, n->span.file) : NULL;
  uint32_t len = n->span.end - n->span.begin;
  if (src && n->span.end <= src->len && len > 0 && len <= 32 &&
      !memchr(src->text + n->span.begin, '\n', len) && !memchr(src->text + n->span.begin, '`', len))
    return arena_printf(c->arena, "`%.*s`", (int)len, src->text + n->span.begin);
  return "this expression";
}

/* Requires N to be of TYPE; reports "`x` is text, but … needs a number". */
static bool expect_type(Checker *c, Node *n, uint8_t type, const char *needs) {
  if (is_bad(n->type) || n->type == type || n->type == T_ANY) return true;
  diag_error(c->diag, n->span, "%s is %s, but %s needs %s", what(c, n),
             check_type_text(c, n->type, n->type_aux), needs,
             type == T_BOOL     ? _("a condition (true/false)")
             : type == T_NUMBER ? _("a number")
                                : check_type_text(c, type, 0));
  return false;
}

/* Both operands of TYPE (each reported on its own). */
static bool expect_both(Checker *c, Node *a, Node *b, uint8_t type, const char *needs) {
  bool ok_a = expect_type(c, a, type, needs);
  bool ok_b = expect_type(c, b, type, needs);
  return ok_a && ok_b;
}

void check_condition(Checker *c, Node *n, const char *where) {
  check_expr(c, n, -1);
  expect_type(c, n, T_BOOL, where);
}

/* Records a dependency of the current owner and enforces the context. */
static void reference(Checker *c, Node *n, RefKind kind, int32_t index, int32_t sub) {
  n->ref_kind = (uint8_t)kind;
  n->ref_index = index;
  n->ref_sub = sub;
  Program *p = c->p;
  if (c->ctx == CTX_PERSONA) {
    const char *why = NULL;
    switch (kind) {
    case REF_DIMENSION:
    case REF_DIM_GRADE:
    case REF_MEMBER: why = _("dimension scores and grades depend on the persona's weights and grades"); break;
    case REF_HEALTH:
    case REF_GRADE: why = _("the health score and grade depend on the persona's weights and grades"); break;
    case REF_FLAG: why = _("flags are decided after the persona (they may use scores and grades)"); break;
    case REF_BOTTLENECK:
      why = _("the journey is decided after the persona (its steps may use scores and grades)");
      break;
    case REF_PERSONA: why = _("the persona is what these conditions decide"); break;
    case REF_SEGMENT: why = _("segments are decided after the persona"); break;
    default: break;
    }
    if (why) {
      /* The node keeps its type, so the comparison around it still
       * checks (`grade == good` gives one error, not two). */
      diag_error(c->diag, n->span, "a persona condition cannot use %s: %s", what(c, n), why);
      return;
    }
  }
  if (c->ctx == CTX_CONSTANT && kind != REF_THRESHOLD && kind != REF_SYMBOL && kind != REF_FUNC) {
    diag_error(c->diag, n->span, "a threshold must be a constant; %s is not", what(c, n));
    n->type = T_ERROR;
    return;
  }
  if (c->owner < 0) return;
  int32_t to = -1;
  switch (kind) {
  case REF_INDICATOR:
    if (c->ctx == CTX_PERSONA && p->indicators[index].persona_defaults) {
      graph_persona_indicator(c, index, n->span);
      return;
    }
    to = c->node_indicator[index];
    break;
  case REF_THRESHOLD:
    if (p->thresholds[index].overridden && c->ctx == CTX_NORMAL) to = c->node_threshold[index];
    break;
  case REF_DIMENSION:
  case REF_DIM_GRADE: to = c->node_dimension[index]; break;
  case REF_MEMBER: to = c->member_base[index] + sub; break;
  case REF_SEGMENT: to = c->node_segment[index]; break;
  case REF_HEALTH:
  case REF_GRADE: to = c->node_health; break;
  case REF_PERSONA: to = c->node_persona; break;
  case REF_BOTTLENECK: to = c->node_journey; break;
  case REF_FLAG: to = c->node_flag[index]; break;
  default: break;
  }
  if (to >= 0) graph_edge(c, to, n->span);
}

/* A bare name that would be resolved as a value (not as a symbol). */
static bool is_value_name(Checker *c, const Node *n) {
  if (n->kind != E_NAME) return true;
  if (check_names_get(&c->values, n->name)) return true;
  if (c->elem_input >= 0) {
    const InputDecl *in = &c->p->inputs[c->elem_input];
    for (int32_t i = 0; i < in->nfields; i++)
      if (strcmp(in->fields[i].name, n->name) == 0) return true;
  }
  return false;
}

static const NameMap *symbol_map(Checker *c, int kind) {
  switch (kind) {
  case SYM_GRADE: return &c->grades;
  case SYM_PERSONA: return &c->personas;
  case SYM_STEP: return &c->steps;
  default: return NULL;
  }
}

/* "a persona", "a case of segment `touch`", … when NAME is a symbol of
 * some kind, else NULL. */
static const char *symbol_kind_of(Checker *c, const char *name) {
  if (check_names_get(&c->grades, name)) return _("a grade");
  if (check_names_get(&c->personas, name)) return _("a persona");
  if (check_names_get(&c->steps, name)) return _("a journey step");
  const NameEntry *cs = check_names_get(&c->cases, name);
  if (cs) return arena_printf(c->arena, _("a case of segment `%s`"), c->p->segments[cs->index].name);
  return NULL;
}

/* Resolves a bare name as a symbol of kind HINT. */
static bool resolve_symbol(Checker *c, Node *n, int hint) {
  if (hint >= SYM_SEGMENT) {
    const SegmentDecl *s = &c->p->segments[hint - SYM_SEGMENT];
    for (int32_t i = 0; i < s->ncases; i++)
      if (strcmp(s->cases[i].name, n->name) == 0) {
        set_type(n, T_SYMBOL, hint);
        reference(c, n, REF_SYMBOL, hint, i);
        return true;
      }
    int32_t ncand = c->diag->errors < KENKO_MAX_ERRORS ? s->ncases : 0; /* none past the cap */
    const char **names = arena_alloc(c->arena, (size_t)(ncand + 1) * sizeof *names);
    for (int32_t i = 0; i < ncand; i++)
      names[i] = s->cases[i].name;
    const char *sug = diag_suggest(n->name, names, ncand);
    const char *other = symbol_kind_of(c, n->name);
    diag_error(c->diag, n->span, "segment `%s` has no case `%s`%s", s->name, n->name,
               other ? arena_printf(c->arena, _(" (`%s` is %s)"), n->name, other)
               : sug ? arena_printf(c->arena, _("; did you mean `%s`?"), sug)
                     : "");
    set_type(n, T_ERROR, 0);
    return true;
  }
  const NameMap *m = symbol_map(c, hint);
  if (!m) return false;
  const NameEntry *e = check_names_get(m, n->name);
  if (e) {
    set_type(n, T_SYMBOL, hint);
    reference(c, n, REF_SYMBOL, hint, e->index);
    return true;
  }
  const char *kind = hint == SYM_GRADE ? _("grade") : hint == SYM_PERSONA ? _("persona") : _("journey step");
  const char *other = symbol_kind_of(c, n->name);
  if (other)
    diag_error(c->diag, n->span, "`%s` is %s, not a %s; a %s can only be compared with a %s", n->name, other,
               kind, kind, kind);
  else
    diag_error(c->diag, n->span, "unknown %s `%s`%s", kind, n->name, check_suggest_in(c, n->name, m));
  set_type(n, T_ERROR, 0);
  return true;
}

/* An unknown name: say what it is if it is a symbol, else suggest. */
static void unknown_name(Checker *c, Node *n) {
  const struct {
    const NameMap *m;
    const char *what, *example;
  } symbol_kinds[] = {
      {&c->grades, _("a grade"), "`grade == %s`"},
      {&c->personas, _("a persona"), "`persona == %s`"},
      {&c->steps, _("a journey step"), "`bottleneck == %s`"},
  };
  for (size_t i = 0; i < sizeof symbol_kinds / sizeof *symbol_kinds; i++)
    if (check_names_get(symbol_kinds[i].m, n->name)) {
      diag_error(c->diag, n->span, "`%s` is %s; compare it with one, as in %s", n->name, symbol_kinds[i].what,
                 arena_printf(c->arena, symbol_kinds[i].example, n->name));
      return;
    }
  const NameEntry *cs = check_names_get(&c->cases, n->name);
  if (cs) {
    diag_error(c->diag, n->span, "`%s` is a case of segment `%s`; compare it with one, as in `%s == %s`",
               n->name, c->p->segments[cs->index].name, c->p->segments[cs->index].name, n->name);
    return;
  }
  if (check_names_get(&c->flag_names, n->name)) {
    diag_error(c->diag, n->span, "`%s` is a flag; use `flagged(%s)`", n->name, n->name);
    return;
  }
  for (int32_t i = 0; i < c->p->nkpis; i++)
    if (strcmp(c->p->kpis[i].name, n->name) == 0) {
      if (c->in_expect)
        diag_error(c->diag, n->span, "`%s` is a KPI; to test it, write `expect kpi %s >= …`", n->name,
                   n->name);
      else
        diag_error(c->diag, n->span,
                   "`%s` is a KPI; an account-level expression cannot use it (KPIs are computed after every "
                   "account is scored)",
                   n->name);
      return;
    }
  if (strcmp(n->name, "accounts") == 0) {
    diag_error(
        c->diag, n->span,
        "`accounts` (every account of the portfolio) can only be aggregated in a `kpi`, as in `kpi n = "
        "count(accounts)`");
    return;
  }
  /* candidates: element fields in scope, then values */
  const char *sug = NULL;
  if (c->elem_input >= 0 && c->diag->errors < KENKO_MAX_ERRORS) {
    const InputDecl *in = &c->p->inputs[c->elem_input];
    const char **f = arena_alloc(c->arena, (size_t)(in->nfields + 1) * sizeof *f);
    for (int32_t i = 0; i < in->nfields; i++)
      f[i] = in->fields[i].name;
    sug = diag_suggest(n->name, f, in->nfields);
  }
  diag_error(c->diag, n->span, "unknown name `%s`%s", n->name,
             sug ? arena_printf(c->arena, _("; did you mean `%s`?"), sug)
                 : check_suggest_in(c, n->name, &c->values));
}

static void check_name(Checker *c, Node *n, int hint) {
  Program *p = c->p;
  set_type(n, T_ERROR, 0);
  if (c->elem_input >= 0) {
    const InputDecl *in = &p->inputs[c->elem_input];
    for (int32_t i = 0; i < in->nfields; i++)
      if (strcmp(in->fields[i].name, n->name) == 0) {
        set_type(n, in->fields[i].type, 0);
        reference(c, n, REF_ELEM_FIELD, c->elem_input, i);
        return;
      }
  }
  const NameEntry *e = check_names_get(&c->values, n->name);
  if (!e) {
    if (hint >= 0 && resolve_symbol(c, n, hint)) return;
    unknown_name(c, n);
    return;
  }
  switch ((NameKind)e->kind) {
  case NAME_INPUT: {
    InputDecl *in = &p->inputs[e->index];
    in->used = true;
    set_type(n, in->type, in->type == T_LIST ? e->index : 0);
    reference(c, n, REF_INPUT, e->index, -1);
    break;
  }
  case NAME_INDICATOR: {
    IndicatorDecl *ind = &p->indicators[e->index];
    ind->used = true;
    set_type(n, ind->type, ind->type_aux);
    reference(c, n, REF_INDICATOR, e->index, -1);
    break;
  }
  case NAME_THRESHOLD: {
    ThresholdDecl *t = &p->thresholds[e->index];
    t->used = true;
    set_type(n, t->type, 0);
    reference(c, n, REF_THRESHOLD, e->index, -1);
    break;
  }
  case NAME_DIMENSION:
    set_type(n, T_NUMBER, 0);
    reference(c, n, REF_DIMENSION, e->index, -1);
    break;
  case NAME_SEGMENT:
    set_type(n, T_SYMBOL, SYM_SEGMENT + e->index);
    reference(c, n, REF_SEGMENT, e->index, -1);
    break;
  case NAME_BUILTIN:
    if (strcmp(n->name, "health") == 0) {
      set_type(n, T_NUMBER, 0);
      reference(c, n, REF_HEALTH, -1, -1);
    } else if (strcmp(n->name, "grade") == 0) {
      set_type(n, T_SYMBOL, SYM_GRADE);
      reference(c, n, REF_GRADE, -1, -1);
    } else if (strcmp(n->name, "persona") == 0) {
      set_type(n, T_SYMBOL, SYM_PERSONA);
      reference(c, n, REF_PERSONA, -1, -1);
    } else if (strcmp(n->name, "as_of") == 0) {
      set_type(n, T_DATE, 0);
      reference(c, n, REF_AS_OF, -1, -1);
    } else if (strcmp(n->name, "bottleneck") == 0) {
      if (!p->has_journey) {
        diag_error(c->diag, n->span, "`bottleneck` needs a `journey` declaration");
        return;
      }
      set_type(n, T_SYMBOL, SYM_STEP);
      reference(c, n, REF_BOTTLENECK, -1, -1);
    }
    break;
  default: break;
  }
}

/* `DIM.grade`, `DIM.MEMBER`; `L.f` is only valid as an aggregate argument. */
static void check_field(Checker *c, Node *n) {
  Program *p = c->p;
  set_type(n, T_ERROR, 0);
  Node *obj = n->a;
  if (obj->kind == E_NAME) {
    const NameEntry *e = check_names_get(&c->values, obj->name);
    if (e && e->kind == NAME_DIMENSION) {
      const DimensionDecl *d = &p->dimensions[e->index];
      set_type(obj, T_NUMBER, 0);
      obj->ref_kind = REF_DIMENSION;
      obj->ref_index = e->index;
      if (strcmp(n->name, "grade") == 0) {
        set_type(n, T_SYMBOL, SYM_GRADE);
        reference(c, n, REF_DIM_GRADE, e->index, -1);
        return;
      }
      for (int32_t i = 0; i < d->nmembers; i++)
        if (strcmp(d->members[i].name, n->name) == 0) {
          set_type(n, T_NUMBER, 0);
          reference(c, n, REF_MEMBER, e->index, i);
          return;
        }
      int32_t ncand = c->diag->errors < KENKO_MAX_ERRORS ? d->nmembers : 0; /* none past the cap */
      const char **names = arena_alloc(c->arena, (size_t)(ncand + 2) * sizeof *names);
      names[0] = "grade";
      for (int32_t i = 0; i < ncand; i++)
        names[i + 1] = d->members[i].name;
      const char *sug = diag_suggest(n->name, names, ncand + 1);
      diag_error(c->diag, n->name_span, "dimension `%s` has no member `%s`%s", d->name, n->name,
                 sug ? arena_printf(c->arena, _("; did you mean `%s`?"), sug) : "");
      return;
    }
    if (e && e->kind == NAME_INPUT && p->inputs[e->index].type == T_LIST) {
      diag_error(c->diag, n->span, "`%s.%s` is a list of values; use it in an aggregate such as `sum(%s.%s)`",
                 obj->name, n->name, obj->name, n->name);
      p->inputs[e->index].used = true;
      return;
    }
  }
  check_expr(c, obj, -1);
  if (!is_bad(obj->type))
    diag_error(
        c->diag, n->span,
        "`.%s` can only follow a dimension (as in `utilization.grade`) or a list input inside an aggregate",
        n->name);
}

/* The list input named by N (an E_NAME), or -1 with an error. */
static int32_t list_input(Checker *c, Node *n, const char *fn) {
  if (n->kind == E_NAME) {
    const NameEntry *e = check_names_get(&c->values, n->name);
    if (e && e->kind == NAME_INPUT && c->p->inputs[e->index].type == T_LIST) {
      c->p->inputs[e->index].used = true;
      set_type(n, T_LIST, e->index);
      n->ref_kind = REF_INPUT;
      n->ref_index = e->index;
      return e->index;
    }
    if (!e) {
      unknown_name(c, n);
      return -1;
    }
  }
  check_expr(c, n, -1);
  if (!is_bad(n->type))
    diag_error(c->diag, n->span, "`%s` needs a list input; %s is %s", fn, what(c, n),
               check_type_text(c, n->type, n->type_aux));
  return -1;
}

/* `L.f` as an aggregate argument: the element field. */
static int32_t list_field(Checker *c, Node *n, const char *fn) {
  if (n->kind != E_FIELD) {
    if (n->kind == E_NAME && check_names_get(&c->values, n->name)) {
      const NameEntry *e = check_names_get(&c->values, n->name);
      if (e->kind == NAME_INPUT && c->p->inputs[e->index].type == T_LIST) {
        c->p->inputs[e->index].used = true;
        diag_error(c->diag, n->span, "`%s` needs a field of the list's elements, as in `%s(%s.FIELD)`", fn,
                   fn, n->name);
        return -1;
      }
    }
    check_expr(c, n, -1);
    if (!is_bad(n->type))
      diag_error(c->diag, n->span, "`%s` needs a field of a list input, as in `%s(LIST.FIELD)`; %s is %s", fn,
                 fn, what(c, n), check_type_text(c, n->type, n->type_aux));
    return -1;
  }
  int32_t li = list_input(c, n->a, fn);
  if (li < 0) return -1;
  const InputDecl *in = &c->p->inputs[li];
  for (int32_t i = 0; i < in->nfields; i++)
    if (strcmp(in->fields[i].name, n->name) == 0) {
      set_type(n, in->fields[i].type, 0);
      n->ref_kind = REF_LIST_FIELD;
      n->ref_index = li;
      n->ref_sub = i;
      return li;
    }
  int32_t ncand = c->diag->errors < KENKO_MAX_ERRORS ? in->nfields : 0; /* none past the cap */
  const char **names = arena_alloc(c->arena, (size_t)(ncand + 1) * sizeof *names);
  for (int32_t i = 0; i < ncand; i++)
    names[i] = in->fields[i].name;
  const char *sug = diag_suggest(n->name, names, ncand);
  diag_error(c->diag, n->name_span, "the elements of `%s` have no field `%s`%s", in->name, n->name,
             sug ? arena_printf(c->arena, _("; did you mean `%s`?"), sug) : "");
  return -1;
}

/* The `where` condition of an aggregate, with the element fields of list
 * input LI in scope. */
static void check_where(Checker *c, Node *cond, int32_t li) {
  int32_t saved = c->elem_input;
  c->elem_input = li;
  check_condition(c, cond, "`where`");
  c->elem_input = saved;
}

/* count(L [where C]), sum/avg/min/max/nps(L.f [where C]), any/all(L where C). */
static void check_aggregate(Checker *c, Node *call, Builtin fn) {
  Node *arg = call->list.items[0];
  Node *target = arg->kind == E_WHERE ? arg->a : arg;
  const char *name = call->name;
  int32_t li;
  if (fn == FN_COUNT || ((fn == FN_ANY || fn == FN_ALL) && target->kind != E_FIELD)) {
    li = list_input(c, target, name);
    if ((fn == FN_ANY || fn == FN_ALL) && arg->kind != E_WHERE && li >= 0)
      diag_error(c->diag, arg->span, "`%s` needs a condition: `%s(%s where …)`", name, name, target->name);
  } else {
    li = list_field(c, target, name);
    if (li >= 0) {
      uint8_t ft = target->type;
      bool ok = ft == T_NUMBER || ((fn == FN_AGG_MIN || fn == FN_AGG_MAX) && ft == T_DATE) ||
                ((fn == FN_ANY || fn == FN_ALL) && ft == T_BOOL);
      if (!ok)
        diag_error(c->diag, target->span, "`%s` needs a %s field, and `%s` is %s", name,
                   fn == FN_ANY || fn == FN_ALL ? "bool" : "number", target->name, check_type_text(c, ft, 0));
    }
  }
  if (arg->kind == E_WHERE) {
    arg->type = target->type;
    arg->type_aux = target->type_aux;
    if (li >= 0) check_where(c, arg->b, li);
  }
  switch (fn) {
  case FN_ANY:
  case FN_ALL: set_type(call, T_BOOL, 0); break;
  case FN_AGG_MIN:
  case FN_AGG_MAX: set_type(call, target->type == T_DATE ? T_DATE : T_NUMBER, 0); break;
  default: set_type(call, T_NUMBER, 0); break;
  }
}

/* Can the snapshots keep the value N refers to (the first argument of a
 * trend function)? Inputs and indicators that are not lists, the scores,
 * grades, persona, segments, flags and the bottleneck. */
static bool trend_subject(const Node *n) {
  if (n->type == T_LIST) return false;
  switch ((RefKind)n->ref_kind) {
  case REF_INPUT:
  case REF_INDICATOR:
  case REF_DIMENSION:
  case REF_DIM_GRADE:
  case REF_MEMBER:
  case REF_SEGMENT:
  case REF_HEALTH:
  case REF_GRADE:
  case REF_PERSONA:
  case REF_BOTTLENECK: return n->kind == E_NAME || n->kind == E_FIELD;
  case REF_FUNC: return n->kind == E_CALL && n->ref_index == FN_FLAGGED;
  default: return false;
  }
}

/* The index of X (a trend subject) in Program.trend_subjects, added when
 * new. Tables grow by doubling in the checker's arena. */
static int32_t trend_subject_index(Checker *c, const Node *x) {
  Program *p = c->p;
  uint8_t kind = x->ref_kind;
  int32_t index = x->ref_index, sub = x->kind == E_FIELD && kind == REF_MEMBER ? x->ref_sub : -1;
  if (x->kind == E_CALL) { /* flagged(F) */
    kind = REF_FLAG;
    index = x->list.items[0]->ref_index;
  }
  if (kind == REF_HEALTH || kind == REF_GRADE || kind == REF_PERSONA || kind == REF_BOTTLENECK) index = -1;
  for (int32_t i = 0; i < p->ntrend_subjects; i++) {
    const TrendSubject *t = &p->trend_subjects[i];
    if (t->kind == kind && t->index == index && t->sub == sub) return i;
  }
  int32_t n = p->ntrend_subjects;
  if ((n & (n - 1)) == 0) { /* 0, 1, 2, 4, …: full */
    TrendSubject *grown = arena_alloc(c->arena, (size_t)(n ? n * 2 : 1) * sizeof *grown);
    if (n) memcpy(grown, p->trend_subjects, (size_t)n * sizeof *grown);
    p->trend_subjects = grown;
  }
  TrendSubject *t = &p->trend_subjects[p->ntrend_subjects++];
  t->kind = kind;
  t->index = index;
  t->sub = sub;
  const char *w = what(c, x);
  t->name = w[0] == '`' ? arena_printf(c->arena, "%.*s", (int)strlen(w) - 2, w + 1) : w;
  return n;
}

/* The index of the trend call FN(X, W) in Program.trend_calls, added when
 * new (AT: its span); W is the window (NULL for previous). */
static int32_t trend_call(Checker *c, Builtin fn, const Node *x, const Node *w, Span at) {
  Program *p = c->p;
  TrendCall call = {(uint8_t)fn, w ? w->op : DUR_DAYS, w ? (int32_t)w->num : 0, trend_subject_index(c, x),
                    at};
  for (int32_t i = 0; i < p->ntrend_calls; i++) {
    const TrendCall *t = &p->trend_calls[i];
    if (t->fn == call.fn && t->unit == call.unit && t->n == call.n && t->subject == call.subject) return i;
  }
  int32_t n = p->ntrend_calls;
  if ((n & (n - 1)) == 0) {
    TrendCall *grown = arena_alloc(c->arena, (size_t)(n ? n * 2 : 1) * sizeof *grown);
    if (n) memcpy(grown, p->trend_calls, (size_t)n * sizeof *grown);
    p->trend_calls = grown;
  }
  p->trend_calls[p->ntrend_calls++] = call;
  return n;
}

/* A trend function: past(x, DUR), previous(x), change, pct_change,
 * avg_over, min_over, max_over, count_over. Checking x records the use
 * of x, so the restrictions are those of x itself (a member cannot look
 * back at the health; a flag can). */
static void check_trend(Checker *c, Node *n, Builtin fn, const char *name) {
  Program *p = c->p;
  Node *x = n->list.items[0];
  if (x->kind == E_WHERE) {
    diag_error(c->diag, x->span,
               "`where` is only allowed in aggregates (count, sum, avg, min, max, any, all, nps)");
    return;
  }
  check_expr(c, x, -1);
  bool ok = !is_bad(x->type);
  if (ok && !trend_subject(x)) {
    diag_error(c->diag, x->span,
               "`%s` looks back at a name the snapshots keep (an input, an indicator, `health`, `grade`, "
               "`persona`, a dimension, `DIM.grade`, `DIM.MEMBER`, a segment, `flagged(F)` or `bottleneck`), "
               "not %s",
               name, x->type == T_LIST ? _("a list") : what(c, x));
    ok = false;
  }
  if (n->list.count > 1) {
    Node *w = n->list.items[1];
    if (w->kind != E_DURATION) {
      if (w->kind != E_WHERE) check_expr(c, w, -1);
      diag_error(c->diag, w->span,
                 "the window of `%s` must be a duration such as `30d`, `12w` or `6mo`, found %s", name,
                 what(c, w));
      ok = false;
    } else {
      set_type(w, T_DURATION, 0);
      int32_t k = (int32_t)w->num;
      if (w->op == DUR_MONTHS) {
        if (k > p->trend_months) p->trend_months = k;
      } else {
        int32_t days = w->op == DUR_WEEKS ? k * 7 : k;
        if (days > p->trend_days) p->trend_days = days;
      }
    }
  }
  if (p->key_input < 0) {
    diag_error(
        c->diag, n->name_span,
        "`%s` needs a `key` input to follow the account across snapshots (declare one: `input id: text key`)",
        name);
    ok = false;
  }
  p->uses_trend = true;
  if (!ok) return;
  n->ref_sub = trend_call(c, fn, x, n->list.count > 1 ? n->list.items[1] : NULL, n->span);
  const char *needs = arena_printf(c->arena, "`%s`", name);
  switch (fn) {
  case FN_PAST:
  case FN_PREVIOUS: set_type(n, x->type, x->type_aux); break;
  case FN_COUNT_OVER: set_type(n, T_NUMBER, 0); break;
  default:
    if (expect_type(c, x, T_NUMBER, needs)) set_type(n, T_NUMBER, 0);
    break;
  }
}

static void check_call(Checker *c, Node *n) {
  set_type(n, T_ERROR, 0);
  const BuiltinInfo *bi = NULL;
  for (int i = 0; i < NBUILTINS; i++)
    if (strcmp(builtins[i].name, n->name) == 0) bi = &builtins[i];
  if (!bi) {
    const char *names[NBUILTINS];
    for (int i = 0; i < NBUILTINS; i++)
      names[i] = builtins[i].name;
    const char *sug = diag_suggest(n->name, names, NBUILTINS);
    if (strcmp(n->name, "share") == 0 || strcmp(n->name, "median") == 0)
      diag_error(c->diag, n->name_span,
                 "`%s` aggregates the accounts of the portfolio; it can only be used in a `kpi`", n->name);
    else
      diag_error(c->diag, n->name_span, "unknown function `%s`%s", n->name,
                 sug ? arena_printf(c->arena, _("; did you mean `%s`?"), sug) : "");
    for (int32_t i = 0; i < n->list.count; i++)
      if (n->list.items[i]->kind != E_WHERE) check_expr(c, n->list.items[i], -1);
    return;
  }
  int32_t nargs = n->list.count;
  if (nargs < bi->min_args || (bi->max_args >= 0 && nargs > bi->max_args)) {
    if (bi->min_args == bi->max_args && bi->min_args == 1)
      diag_error(c->diag, n->span, "`%s` takes 1 argument, found %d", bi->name, nargs);
    else if (bi->min_args == bi->max_args)
      diag_error(c->diag, n->span, "`%s` takes %d arguments, found %d", bi->name, bi->min_args, nargs);
    else if (bi->max_args < 0)
      diag_error(c->diag, n->span, "`%s` takes at least %d arguments, found %d", bi->name, bi->min_args,
                 nargs);
    else
      diag_error(c->diag, n->span, "`%s` takes %d to %d arguments, found %d", bi->name, bi->min_args,
                 bi->max_args, nargs);
    return;
  }
  Builtin fn = bi->id;
  /* min/max of one list field are aggregates */
  if ((fn == FN_MIN || fn == FN_MAX) && nargs == 1) fn = fn == FN_MIN ? FN_AGG_MIN : FN_AGG_MAX;
  n->ref_kind = REF_FUNC;
  n->ref_index = fn;
  if (c->ctx == CTX_CONSTANT && fn != FN_MIN && fn != FN_MAX && fn != FN_ABS && fn != FN_ROUND &&
      fn != FN_CLAMP) {
    diag_error(c->diag, n->span, "a threshold must be a constant; `%s(…)` is not", bi->name);
    return;
  }
  if (builtin_is_aggregate(fn)) {
    check_aggregate(c, n, fn);
    return;
  }
  switch (fn) {
  case FN_PAST:
  case FN_PREVIOUS:
  case FN_CHANGE:
  case FN_PCT_CHANGE:
  case FN_AVG_OVER:
  case FN_MIN_OVER:
  case FN_MAX_OVER:
  case FN_COUNT_OVER: check_trend(c, n, fn, bi->name); return;
  case FN_FLAGGED: {
    Node *a = n->list.items[0];
    const NameEntry *e = a->kind == E_NAME ? check_names_get(&c->flag_names, a->name) : NULL;
    if (!e) {
      diag_error(c->diag, a->span, "`flagged` needs the name of a flag%s",
                 a->kind == E_NAME ? check_suggest_in(c, a->name, &c->flag_names) : "");
      return;
    }
    set_type(n, T_BOOL, 0);
    a->ref_kind = REF_FLAG;
    a->ref_index = e->index;
    reference(c, n, REF_FLAG, e->index, -1);
    n->ref_kind = REF_FUNC;
    n->ref_index = FN_FLAGGED;
    return;
  }
  default: break;
  }
  for (int32_t i = 0; i < nargs; i++) {
    if (n->list.items[i]->kind == E_WHERE) {
      diag_error(c->diag, n->list.items[i]->span,
                 "`where` is only allowed in aggregates (count, sum, avg, min, max, any, all, nps)");
      return;
    }
  }
  /* The arguments; for `coalesce`, bare symbol names after the others, as
   * symbols of the kind those have (`coalesce(grade, bad)`). */
  int hint = -1;
  for (int32_t i = 0; i < nargs; i++) {
    Node *a = n->list.items[i];
    if (fn == FN_COALESCE && !is_value_name(c, a)) continue;
    check_expr(c, a, -1);
    if (a->type == T_SYMBOL && hint < 0) hint = a->type_aux;
  }
  for (int32_t i = 0; i < nargs; i++)
    if (fn == FN_COALESCE && !is_value_name(c, n->list.items[i])) check_expr(c, n->list.items[i], hint);
  Node **args = n->list.items;
  const char *needs = arena_printf(c->arena, "`%s`", bi->name);
  switch (fn) {
  case FN_MIN:
  case FN_MAX: {
    uint8_t t = T_NUMBER;
    for (int32_t i = 0; i < nargs; i++)
      if (args[i]->type == T_DATE) t = T_DATE;
    for (int32_t i = 0; i < nargs; i++)
      expect_type(c, args[i], t, needs);
    set_type(n, t, 0);
    break;
  }
  case FN_ABS:
  case FN_ROUND:
  case FN_CLAMP:
  case FN_SCALE:
    for (int32_t i = 0; i < nargs; i++)
      expect_type(c, args[i], T_NUMBER, needs);
    set_type(n, T_NUMBER, 0);
    break;
  case FN_COALESCE: {
    const Node *t = args[0];
    for (int32_t i = 1; i < nargs; i++) {
      if (!is_bad(t->type) && !is_bad(args[i]->type) && !same_type(t, args[i]))
        diag_error(c->diag, args[i]->span, "`coalesce` needs values of one type: %s and %s",
                   check_type_text(c, t->type, t->type_aux),
                   check_type_text(c, args[i]->type, args[i]->type_aux));
      t = pick_typed(t, args[i]);
    }
    set_type(n, t->type, t->type_aux);
    break;
  }
  case FN_DAYS:
    expect_type(c, args[0], T_DATE, needs);
    expect_type(c, args[1], T_DATE, needs);
    set_type(n, T_NUMBER, 0);
    break;
  case FN_DAYS_SINCE:
  case FN_DAYS_UNTIL:
    expect_type(c, args[0], T_DATE, needs);
    set_type(n, T_NUMBER, 0);
    break;
  case FN_LOWER:
  case FN_UPPER:
    expect_type(c, args[0], T_TEXT, needs);
    set_type(n, T_TEXT, 0);
    break;
  case FN_CONTAINS:
  case FN_STARTS_WITH:
    expect_type(c, args[0], T_TEXT, needs);
    expect_type(c, args[1], T_TEXT, needs);
    set_type(n, T_BOOL, 0);
    break;
  default: break;
  }
}

static bool symbol_ok_for_eq(const Node *n) { return n->type != T_LIST; }

static void check_binary(Checker *c, Node *n) {
  Node *a = n->a, *b = n->b;
  Op op = (Op)n->op;
  set_type(n, T_ERROR, 0);
  if (op == OP_EQ || op == OP_NE) {
    if (a->kind == E_NAME && !is_value_name(c, a) && is_value_name(c, b)) {
      check_expr(c, b, -1);
      check_expr(c, a, b->type == T_SYMBOL ? b->type_aux : -1);
    } else {
      check_expr(c, a, -1);
      check_expr(c, b, a->type == T_SYMBOL ? a->type_aux : -1);
    }
  } else if (op == OP_COALESCE) {
    check_expr(c, a, -1);
    check_expr(c, b, a->type == T_SYMBOL ? a->type_aux : -1);
  } else {
    check_expr(c, a, -1);
    check_expr(c, b, -1);
  }
  if (is_bad(a->type) || is_bad(b->type)) return;
  const char *opname = arena_printf(c->arena, "`%s`", ast_op_text(op));
  if (op >= OP_EQ && op <= OP_GE && (a->type == T_DURATION || b->type == T_DURATION)) {
    diag_error(c->diag, n->span,
               "durations cannot be compared; compare dates (`renewal_date <= as_of + 6mo`)");
    return;
  }
  switch (op) {
  case OP_ADD:
  case OP_SUB:
    if (a->type == T_DATE && b->type == T_DURATION) {
      set_type(n, T_DATE, 0);
      return;
    }
    if (op == OP_ADD && a->type == T_DURATION && b->type == T_DATE) {
      set_type(n, T_DATE, 0);
      return;
    }
    if (a->type == T_DURATION || b->type == T_DURATION) {
      diag_error(c->diag, n->span,
                 op == OP_SUB && b->type == T_DATE
                     ? "a date cannot be subtracted from a duration; write `date - duration`"
                     : N_("a duration can only be added to or subtracted from a date (`as_of - 6mo`)"));
      return;
    }
    if (a->type == T_DATE && b->type == T_DATE) {
      diag_error(c->diag, n->span,
                 op == OP_SUB ? "dates cannot be subtracted; use `days(from, to)`"
                              : N_("two dates cannot be added; add a number of days to a date instead"));
      return;
    }
    if (a->type == T_DATE && (b->type == T_NUMBER || b->type == T_ANY)) {
      set_type(n, T_DATE, 0);
      return;
    }
    if (op == OP_ADD && b->type == T_DATE && (a->type == T_NUMBER || a->type == T_ANY)) {
      set_type(n, T_DATE, 0);
      return;
    }
    /* fall through */
  case OP_MUL:
  case OP_DIV:
  case OP_MOD:
    if (expect_both(c, a, b, T_NUMBER, opname)) set_type(n, T_NUMBER, 0);
    return;
  case OP_EQ:
  case OP_NE:
    if (a->type == T_ANY || b->type == T_ANY) {
      diag_warning(c->diag, n->span, "comparing with `missing` is always missing; use `is missing`");
      set_type(n, T_BOOL, 0);
      return;
    }
    if (!same_type(a, b) || !symbol_ok_for_eq(a)) {
      diag_error(c->diag, n->span, "cannot compare %s with %s", check_type_text(c, a->type, a->type_aux),
                 check_type_text(c, b->type, b->type_aux));
      return;
    }
    set_type(n, T_BOOL, 0);
    return;
  case OP_LT:
  case OP_LE:
  case OP_GT:
  case OP_GE:
    if (a->type == T_ANY || b->type == T_ANY) {
      diag_warning(c->diag, n->span, "comparing with `missing` is always missing; use `is missing`");
      set_type(n, T_BOOL, 0);
      return;
    }
    if (!same_type(a, b) || (a->type != T_NUMBER && a->type != T_DATE)) {
      if (same_type(a, b))
        diag_error(c->diag, n->span, "%s compares numbers or dates, not %s", opname,
                   check_type_text(c, a->type, a->type_aux));
      else
        diag_error(c->diag, n->span, "cannot compare %s with %s", check_type_text(c, a->type, a->type_aux),
                   check_type_text(c, b->type, b->type_aux));
      return;
    }
    set_type(n, T_BOOL, 0);
    return;
  case OP_AND:
  case OP_OR:
    if (expect_both(c, a, b, T_BOOL, opname)) set_type(n, T_BOOL, 0);
    return;
  case OP_COALESCE:
    if (!same_type(a, b)) {
      diag_error(c->diag, n->span,
                 "the default after `??` must have the type of the value before it: %s, not %s",
                 check_type_text(c, a->type, a->type_aux), check_type_text(c, b->type, b->type_aux));
      return;
    }
    {
      const Node *t = pick_typed(a, b);
      set_type(n, t->type, t->type_aux);
    }
    return;
  default: return;
  }
}

void check_expr(Checker *c, Node *n, int hint) {
  switch ((NodeKind)n->kind) {
  case E_NUM: set_type(n, T_NUMBER, 0); return;
  case E_STR: set_type(n, T_TEXT, 0); return;
  case E_DATE: set_type(n, T_DATE, 0); return;
  case E_BOOL: set_type(n, T_BOOL, 0); return;
  case E_MISSING: set_type(n, T_ANY, 0); return;
  case E_DURATION: set_type(n, T_DURATION, 0); return;
  case E_NAME: check_name(c, n, hint); return;
  case E_FIELD: check_field(c, n); return;
  case E_CALL: check_call(c, n); return;
  case E_BINARY: check_binary(c, n); return;
  case E_UNARY:
    check_expr(c, n->a, -1);
    set_type(n, T_ERROR, 0);
    if (is_bad(n->a->type)) return;
    if (n->op == OP_NOT) {
      if (expect_type(c, n->a, T_BOOL, "`not`")) set_type(n, T_BOOL, 0);
    } else if (expect_type(c, n->a, T_NUMBER, "`-`")) {
      set_type(n, T_NUMBER, 0);
    }
    return;
  case E_IS_MISSING:
    check_expr(c, n->a, -1);
    set_type(n, T_BOOL, 0);
    return;
  case E_IN: {
    check_expr(c, n->a, -1);
    set_type(n, T_BOOL, 0);
    if (n->a->type == T_LIST) {
      diag_error(c->diag, n->a->span, "a list input cannot be tested with `in`; use `any(… where …)`");
      set_type(n, T_ERROR, 0);
      return;
    }
    int h = n->a->type == T_SYMBOL ? n->a->type_aux : -1;
    for (int32_t i = 0; i < n->b->list.count; i++) {
      Node *e = n->b->list.items[i];
      check_expr(c, e, h);
      if (!is_bad(n->a->type) && !is_bad(e->type) && !same_type(n->a, e))
        diag_error(c->diag, e->span, "%s is %s, but the value before `in` is %s", what(c, e),
                   check_type_text(c, e->type, e->type_aux), check_type_text(c, n->a->type, n->a->type_aux));
    }
    return;
  }
  case E_IF:
    check_condition(c, n->a, "`if`");
    check_expr(c, n->b, hint);
    check_expr(c, n->c, n->b->type == T_SYMBOL ? n->b->type_aux : hint);
    set_type(n, T_ERROR, 0);
    if (is_bad(n->b->type) || is_bad(n->c->type)) return;
    if (!same_type(n->b, n->c)) {
      diag_error(c->diag, n->span, "the branches of `if` must have one type: %s and %s",
                 check_type_text(c, n->b->type, n->b->type_aux),
                 check_type_text(c, n->c->type, n->c->type_aux));
      return;
    }
    {
      const Node *t = pick_typed(n->b, n->c);
      set_type(n, t->type, t->type_aux);
    }
    return;
  case E_LIST:
    diag_error(c->diag, n->span, "a list `[...]` can only follow `in`");
    set_type(n, T_ERROR, 0);
    return;
  case E_WHERE:
    diag_error(c->diag, n->span,
               "`where` is only allowed in aggregates (count, sum, avg, min, max, any, all, nps)");
    set_type(n, T_ERROR, 0);
    return;
  default: set_type(n, T_ERROR, 0); return;
  }
}

/* ---- constants: thresholds and their persona overrides ----------------- */

/* Folds a checked constant expression to a value. Returns false when it
 * cannot (then an error was reported or the type is already in error). */
static bool fold(Checker *c, const Node *n, Value *out) {
  Value a, b;
  switch ((NodeKind)n->kind) {
  case E_NUM: *out = val_num(n->num); return true;
  case E_STR: *out = val_text(n->str, (uint32_t)strlen(n->str)); return true;
  case E_DATE: *out = val_date(n->date); return true;
  case E_BOOL: *out = val_bool(n->num != 0); return true;
  case E_NAME:
    if (n->ref_kind != REF_THRESHOLD) return false;
    *out = c->fold_table ? c->fold_table[n->ref_index] : c->p->thresholds[n->ref_index].value;
    return out->type != T_MISSING || c->p->thresholds[n->ref_index].type != T_ERROR;
  case E_UNARY:
    if (!fold(c, n->a, &a)) return false;
    if (n->op == OP_NEG && a.type == T_NUMBER) {
      *out = val_num(-a.u.num);
      return true;
    }
    if (n->op == OP_NOT && a.type == T_BOOL) {
      *out = val_bool(!a.u.b);
      return true;
    }
    return false;
  case E_BINARY: {
    if (!fold(c, n->a, &a) || !fold(c, n->b, &b)) return false;
    static const char sign[] = {
        [OP_ADD] = '+', [OP_SUB] = '-', [OP_MUL] = '*', [OP_DIV] = '/', [OP_MOD] = '%'};
    if ((unsigned)n->op >= sizeof sign || !sign[n->op]) return false;
    /* the evaluator's arithmetic, so a threshold holds what the same
     * expression gives in a rule */
    Value r = value_arith(sign[n->op], a, b);
    if (r.type != T_MISSING) {
      *out = r;
      return true;
    }
    const char *what = r.why == MISS_DIV_ZERO ? _("division by zero in a constant")
                       : a.type == T_DATE || b.type == T_DATE
                           ? _("this date is out of range (0001-01-01 to 9999-12-31)")
                       : a.type == T_NUMBER && b.type == T_NUMBER
                           ? _("this number is out of range (the result is not finite)")
                           : NULL;
    if (what && c->fold_persona)
      diag_error(c->diag, n->span, "%s, with persona `%s`'s thresholds", what, c->fold_persona);
    else if (what)
      diag_error(c->diag, n->span, "%s", what);
    return false;
  }
  case E_CALL: {
    Value args[3];
    int32_t k = n->list.count;
    if (k > 3 && n->ref_index != FN_MIN && n->ref_index != FN_MAX) return false;
    double acc = 0;
    for (int32_t i = 0; i < k; i++) {
      Value v;
      if (!fold(c, n->list.items[i], &v) || v.type != T_NUMBER) return false;
      if (i < 3) args[i] = v;
      /* as the evaluator: a later argument wins only when strictly better */
      if (i == 0)
        acc = v.u.num;
      else if (n->ref_index == FN_MIN ? v.u.num < acc : n->ref_index == FN_MAX && v.u.num > acc)
        acc = v.u.num;
    }
    switch (n->ref_index) {
    case FN_MIN:
    case FN_MAX: *out = val_num(acc); return true;
    case FN_ABS: *out = val_num(fabs(args[0].u.num)); return true;
    case FN_ROUND: *out = val_num(value_round(args[0].u.num, k > 1 ? args[1].u.num : 0)); return true;
    case FN_CLAMP: *out = val_num(fmin(fmax(args[0].u.num, args[1].u.num), args[2].u.num)); return true;
    default: return false;
    }
  }
  default: return false;
  }
}

/* Checks and folds one constant expression (a threshold or an override). */
static bool check_constant(Checker *c, Node *e, Value *out) {
  Context saved = c->ctx;
  int32_t owner = c->owner;
  c->ctx = CTX_CONSTANT;
  c->owner = -1;
  check_expr(c, e, -1);
  c->ctx = saved;
  c->owner = owner;
  if (is_bad(e->type)) return false;
  if (e->type == T_ANY) {
    diag_error(c->diag, e->span, "a threshold cannot be `missing`");
    return false;
  }
  if (e->type == T_DURATION) {
    diag_error(c->diag, e->span, "a threshold cannot be a duration (write the duration where it is used)");
    return false;
  }
  int errors = c->diag->errors;
  if (!fold(c, e, out)) {
    if (c->diag->errors == errors) /* fold said nothing (it reports division by zero) */
      diag_error(c->diag, e->span,
                 "a threshold must be a constant: a literal, or arithmetic on literals and other thresholds");
    return false;
  }
  return true;
}

/* Names of thresholds that E refers to (to fold in dependency order). */
static bool refs_ready(Checker *c, const Node *e, const bool *done) {
  if (!e) return true;
  if (e->kind == E_NAME) {
    const NameEntry *n = check_names_get(&c->values, e->name);
    if (n && n->kind == NAME_THRESHOLD && !done[n->index]) return false;
    return true;
  }
  if (!refs_ready(c, e->a, done) || !refs_ready(c, e->b, done) || !refs_ready(c, e->c, done)) return false;
  for (int32_t i = 0; i < e->list.count; i++)
    if (!refs_ready(c, e->list.items[i], done)) return false;
  return true;
}

/* The first threshold E refers to that is not folded yet, or -1. */
static int32_t pending_threshold(Checker *c, const Node *e, const bool *done) {
  if (!e) return -1;
  if (e->kind == E_NAME) {
    const NameEntry *n = check_names_get(&c->values, e->name);
    return n && n->kind == NAME_THRESHOLD && !done[n->index] ? n->index : -1;
  }
  const Node *kids[3] = {e->a, e->b, e->c};
  for (int i = 0; i < 3; i++) {
    int32_t t = pending_threshold(c, kids[i], done);
    if (t >= 0) return t;
  }
  for (int32_t i = 0; i < e->list.count; i++) {
    int32_t t = pending_threshold(c, e->list.items[i], done);
    if (t >= 0) return t;
  }
  return -1;
}

/* No threshold left can be folded: they wait on each other. Follows the
 * references from the first one left to a cycle, reports it ("dependency
 * cycle: threshold `a` → threshold `b` → threshold `a`"), and marks its
 * members done (their type stays in error, so their users say nothing
 * more). Returns how many were marked. */
static int32_t report_threshold_cycle(Checker *c, bool *done) {
  Program *p = c->p;
  int32_t *path = xmalloc(((size_t)p->nthresholds + 1) * sizeof *path);
  int32_t len = 0, cur = 0;
  while (done[cur])
    cur++;
  int32_t start = -1;
  while (start < 0) {
    for (int32_t i = 0; i < len; i++)
      if (path[i] == cur) start = i;
    if (start >= 0) break;
    path[len++] = cur;
    cur = pending_threshold(c, p->thresholds[cur].expr, done);
  }
  char *text = arena_printf(c->arena, _("threshold `%s`"), p->thresholds[path[start]].name);
  for (int32_t i = start + 1; i < len; i++)
    text = arena_printf(c->arena, _("%s → threshold `%s`"), text, p->thresholds[path[i]].name);
  if (len - start == 1)
    diag_error(c->diag, p->thresholds[path[start]].node->name_span, "dependency cycle: %s uses itself", text);
  else
    diag_error(c->diag, p->thresholds[path[start]].node->name_span, "dependency cycle: %s → threshold `%s`",
               text, p->thresholds[path[start]].name);
  for (int32_t i = start; i < len; i++)
    done[path[i]] = true;
  free(path);
  return len - start;
}

/* Does E refer to a threshold marked CHANGED (one whose value for the
 * persona at hand is not its default)? */
static bool uses_changed(const Node *e, const bool *changed) {
  if (!e) return false;
  if (e->kind == E_NAME) return e->ref_kind == REF_THRESHOLD && e->ref_index >= 0 && changed[e->ref_index];
  if (uses_changed(e->a, changed) || uses_changed(e->b, changed) || uses_changed(e->c, changed)) return true;
  for (int32_t i = 0; i < e->list.count; i++)
    if (uses_changed(e->list.items[i], changed)) return true;
  return false;
}

/* A threshold defined from others follows a persona's overrides of them:
 * for each persona that overrides some, the thresholds it does not
 * override are folded again, in dependency order (ORDER), with its
 * values; those that come out different are the persona's derived
 * values, and vary by persona like the overridden ones. */
static void derive_persona_thresholds(Checker *c, const int32_t *order, int32_t norder) {
  Program *p = c->p;
  Value *table = xmalloc(((size_t)p->nthresholds + 1) * sizeof *table);
  bool *changed = xcalloc((size_t)p->nthresholds + 1, 1);
  bool *own = xcalloc((size_t)p->nthresholds + 1, 1);
  for (int32_t i = 0; i < p->npersonas; i++) {
    PersonaDecl *pd = &p->personas[i];
    if (pd->nthresholds == 0) continue;
    for (int32_t t = 0; t < p->nthresholds; t++) {
      table[t] = p->thresholds[t].value;
      changed[t] = own[t] = false;
    }
    for (int32_t k = 0; k < pd->nthresholds; k++) {
      int32_t t = pd->thresholds[k].threshold;
      table[t] = pd->thresholds[k].value;
      changed[t] = own[t] = true;
    }
    pd->derived = arena_alloc(c->arena, ((size_t)norder + 1) * sizeof *pd->derived);
    c->fold_table = table;
    c->fold_persona = pd->name;
    for (int32_t k = 0; k < norder; k++) {
      int32_t t = order[k];
      ThresholdDecl *td = &p->thresholds[t];
      if (own[t] || td->type == T_ERROR || !uses_changed(td->expr, changed)) continue;
      Value v;
      if (!fold(c, td->expr, &v)) continue;
      table[t] = v;
      changed[t] = true;
      td->overridden = true;
      pd->derived[pd->nderived++] = (ThresholdOverride){t, td->expr, v};
    }
    c->fold_table = NULL;
    c->fold_persona = NULL;
  }
  free(table);
  free(changed);
  free(own);
}

static void check_thresholds(Checker *c) {
  Program *p = c->p;
  bool *done = xcalloc((size_t)p->nthresholds + 1, 1);
  int32_t *order = xmalloc(((size_t)p->nthresholds + 1) * sizeof *order);
  int32_t norder = 0;
  int32_t remaining = p->nthresholds;
  /* Fold in dependency order: each pass folds those whose references are
   * folded; what is left when a pass makes no progress is a cycle. */
  while (remaining > 0) {
    int32_t progress = 0;
    for (int32_t i = 0; i < p->nthresholds; i++) {
      if (done[i] || !refs_ready(c, p->thresholds[i].expr, done)) continue;
      ThresholdDecl *t = &p->thresholds[i];
      Value v = val_missing(MISS_ABSENT);
      if (check_constant(c, t->expr, &v)) {
        t->value = v;
        t->type = v.type;
        order[norder++] = i;
      }
      done[i] = true;
      remaining--;
      progress++;
    }
    if (progress == 0) remaining -= report_threshold_cycle(c, done);
  }
  free(done);
  for (int32_t i = 0; i < p->npersonas; i++) {
    PersonaDecl *pd = &p->personas[i];
    for (int32_t k = 0; k < pd->nthresholds; k++) {
      ThresholdOverride *o = &pd->thresholds[k];
      const ThresholdDecl *t = &p->thresholds[o->threshold];
      Value v;
      if (!check_constant(c, o->expr, &v)) continue;
      if (t->type != T_ERROR && v.type != t->type)
        diag_error(c->diag, o->expr->span, "threshold `%s` is %s, but this override is %s", t->name,
                   check_type_text(c, t->type, 0), check_type_text(c, v.type, 0));
      o->value = v;
    }
  }
  if (c->diag->errors == 0) derive_persona_thresholds(c, order, norder);
  free(order);
}

/* ---- indicators in dependency order ------------------------------------ */

static void collect_indicator_refs(Checker *c, const Node *e, int32_t **out, int32_t *n, int32_t *cap) {
  /* explicit stack: expressions are at most KENKO_MAX_EXPR_DEPTH deep, but
   * lists make the tree wide */
  const Node **stack = NULL;
  int32_t top = 0, scap = 0;
  if (!e) return;
  stack = xmalloc(16 * sizeof *stack);
  scap = 16;
  stack[top++] = e;
  while (top > 0) {
    const Node *x = stack[--top];
    if (x->kind == E_NAME) {
      const NameEntry *ne = check_names_get(&c->values, x->name);
      if (ne && ne->kind == NAME_INDICATOR) {
        VEC_GROW(*out, *n, *cap, 8);
        (*out)[(*n)++] = ne->index;
      }
    }
    const Node *kids[3] = {x->a, x->b, x->c};
    int32_t need = top + 3 + x->list.count;
    VEC_RESERVE(stack, scap, need, 64);
    for (int i = 0; i < 3; i++)
      if (kids[i]) stack[top++] = kids[i];
    for (int32_t i = 0; i < x->list.count; i++)
      stack[top++] = x->list.items[i];
  }
  free(stack);
}

/* Types the indicators so that each is checked after those it uses
 * (Kahn's algorithm); indicators in a cycle are checked last and the
 * cycle is reported by check_graph. */
static void check_indicators(Checker *c) {
  Program *p = c->p;
  int32_t n = p->nindicators;
  if (n == 0) return;
  int32_t **uses = xcalloc((size_t)n, sizeof *uses);
  int32_t *nuses = xcalloc((size_t)n, sizeof *nuses);
  int32_t *indeg = xcalloc((size_t)n, sizeof *indeg);
  int32_t *queue = xmalloc((size_t)n * sizeof *queue);
  bool *checked = xcalloc((size_t)n, 1);
  /* users[j] = indicators that use j */
  int32_t **users = xcalloc((size_t)n, sizeof *users);
  int32_t *nusers = xcalloc((size_t)n, sizeof *nusers), *cusers = xcalloc((size_t)n, sizeof *cusers);
  for (int32_t i = 0; i < n; i++) {
    int32_t cap = 0;
    collect_indicator_refs(c, p->indicators[i].expr, &uses[i], &nuses[i], &cap);
    indeg[i] = nuses[i];
    for (int32_t k = 0; k < nuses[i]; k++) {
      int32_t j = uses[i][k];
      if (nusers[j] == cusers[j]) {
        cusers[j] = cusers[j] ? cusers[j] * 2 : 4;
        users[j] = xrealloc(users[j], (size_t)cusers[j] * sizeof *users[j]);
      }
      users[j][nusers[j]++] = i;
    }
  }
  int32_t head = 0, tail = 0;
  for (int32_t i = 0; i < n; i++)
    if (indeg[i] == 0) queue[tail++] = i;
  int32_t order_n = 0;
  int32_t *order = xmalloc((size_t)n * sizeof *order);
  while (head < tail) {
    int32_t i = queue[head++];
    order[order_n++] = i;
    for (int32_t k = 0; k < nusers[i]; k++)
      if (--indeg[users[i][k]] == 0) queue[tail++] = users[i][k];
  }
  for (int32_t k = 0; k < order_n; k++)
    checked[order[k]] = true;
  for (int32_t i = 0; i < n; i++)
    if (!checked[i]) order[order_n++] = i;
  for (int32_t k = 0; k < n; k++) {
    IndicatorDecl *ind = &p->indicators[order[k]];
    c->owner = c->node_indicator[order[k]];
    check_expr(c, ind->expr, -1);
    ind->type = ind->expr->type;
    ind->type_aux = ind->expr->type_aux;
    if (ind->type == T_LIST) {
      diag_error(c->diag, ind->expr->span,
                 "an indicator cannot be a whole list; aggregate it, as in `count(%s)`",
                 ind->expr->kind == E_NAME ? ind->expr->name : "…");
      ind->type = T_ERROR;
    } else if (ind->type == T_ANY) {
      diag_error(c->diag, ind->expr->span, "an indicator cannot be just `missing`");
      ind->type = T_ERROR;
    } else if (ind->type == T_DURATION) {
      diag_error(c->diag, ind->expr->span,
                 "an indicator cannot be a duration; add it to a date (`as_of - 6mo`) or use it as a trend "
                 "function's window");
      ind->type = T_ERROR;
    }
  }
  c->owner = -1;
  for (int32_t i = 0; i < n; i++) {
    free(uses[i]);
    free(users[i]);
  }
  free(uses);
  free(nuses);
  free(indeg);
  free(queue);
  free(checked);
  free(users);
  free(nusers);
  free(cusers);
  free(order);
}

/* ---- members, personas, segments, flags, steps ------------------------- */

/* A band's value: a number from 0 to 100 (not a percent) or a threshold. */
static void check_band_value(Checker *c, Node *v) {
  check_expr(c, v, -1);
  if (v->kind == E_NUM && (v->flags & NF_PERCENT)) {
    diag_error(c->diag, v->span, "a band's value is a score from 0 to 100: write `%g`, not `%g%%`",
               v->num * 100, v->num * 100);
    return;
  }
  if (v->kind == E_NAME && !is_bad(v->type) && v->ref_kind != REF_THRESHOLD) {
    const NameEntry *e = check_names_get(&c->values, v->name);
    int kind = e ? e->kind : NAME_BUILTIN;
    diag_error(c->diag, v->span, "a band's value must be a number or a threshold; `%s` is %s", v->name,
               a_kind_word(kind));
    return;
  }
  expect_type(c, v, T_NUMBER, _("a band's value"));
}

static void check_members(Checker *c) {
  Program *p = c->p;
  for (int32_t d = 0; d < p->ndimensions; d++) {
    DimensionDecl *dim = &p->dimensions[d];
    for (int32_t m = 0; m < dim->nmembers; m++) {
      Member *mem = &dim->members[m];
      c->owner = c->member_base[d] + m;
      switch (mem->kind) {
      case MEMBER_RULE: check_condition(c, mem->expr, _("a `rule`")); break;
      case MEMBER_SCORE:
        check_expr(c, mem->expr, -1);
        expect_type(c, mem->expr, T_NUMBER, _("a `score`"));
        break;
      case MEMBER_BANDS:
        for (int32_t b = 0; b < mem->nbands; b++) {
          check_band_value(c, mem->bands[b].value);
          if (mem->bands[b].cond) check_condition(c, mem->bands[b].cond, "`when`");
        }
        break;
      }
    }
  }
  c->owner = -1;
}

void check_expressions(Checker *c) {
  Program *p = c->p;
  graph_build_nodes(c);
  c->owner = -1;
  c->ctx = CTX_NORMAL;
  check_thresholds(c);
  check_indicators(c);
  c->ctx = CTX_PERSONA;
  c->owner = c->node_persona;
  graph_persona_defaults_begin(c);
  for (int32_t i = 0; i < p->npersonas; i++)
    if (p->personas[i].cond) check_condition(c, p->personas[i].cond, _("a persona's `when`"));
  graph_persona_defaults_end(c);
  c->ctx = CTX_NORMAL;
  for (int32_t i = 0; i < p->nsegments; i++) {
    c->owner = c->node_segment[i];
    for (int32_t k = 0; k < p->segments[i].ncases; k++)
      if (p->segments[i].cases[k].cond)
        check_condition(c, p->segments[i].cases[k].cond, _("a case's `when`"));
  }
  check_members(c);
  for (int32_t i = 0; i < p->nflags; i++) {
    c->owner = c->node_flag[i];
    check_condition(c, p->flags[i].cond, _("a flag's `when`"));
  }
  c->owner = c->node_journey;
  for (int32_t i = 0; i < p->nsteps; i++)
    check_condition(c, p->steps[i].cond, _("a step's `when`"));
  c->owner = -1;
}

/* ---- tests -------------------------------------------------------------- */

static uint8_t literal_type(const Node *v) {
  switch ((NodeKind)v->kind) {
  case E_NUM: return T_NUMBER;
  case E_STR: return T_TEXT;
  case E_DATE: return T_DATE;
  case E_BOOL: return T_BOOL;
  case E_MISSING: return T_ANY;
  case E_LIST: return T_LIST;
  default: return T_ERROR;
  }
}

static void check_allowed(Checker *c, const Node *v, const char **allowed, int32_t n, const char *field) {
  if (!allowed || v->kind != E_STR) return;
  for (int32_t i = 0; i < n; i++)
    if (strcmp(allowed[i], v->str) == 0) return;
  diag_error(c->diag, v->span, "\"%s\" is not an allowed value of `%s`", v->str, field);
}

/* One `given` value against the input it fills. */
static void check_given_value(Checker *c, const InputDecl *in, const Node *v) {
  uint8_t t = literal_type(v);
  if (t == T_ANY) return;
  if (t != in->type) {
    diag_error(c->diag, v->span, "input `%s` is %s, but this value is %s", in->name,
               check_type_text(c, in->type, 0),
               v->kind == E_RECORD ? _("a record") : check_type_text(c, t, 0));
    return;
  }
  check_allowed(c, v, in->allowed, in->nallowed, in->name);
  if (t != T_LIST) return;
  for (int32_t i = 0; i < v->list.count; i++) {
    const Node *rec = v->list.items[i];
    if (rec->kind != E_RECORD) {
      diag_error(c->diag, rec->span, "the elements of `%s` are records like `{ %s: … }`", in->name,
                 in->nfields ? in->fields[0].name : _("field"));
      break; /* once is enough */
    }
    for (int32_t k = 0; k < rec->list.count; k++) {
      const Node *fv = rec->list.items[k];
      const ListField *lf = NULL;
      for (int32_t j = 0; j < in->nfields; j++)
        if (strcmp(in->fields[j].name, fv->name) == 0) lf = &in->fields[j];
      if (!lf) {
        int32_t ncand = c->diag->errors < KENKO_MAX_ERRORS ? in->nfields : 0; /* none past the cap */
        const char **names = arena_alloc(c->arena, (size_t)(ncand + 1) * sizeof *names);
        for (int32_t j = 0; j < ncand; j++)
          names[j] = in->fields[j].name;
        const char *sug = diag_suggest(fv->name, names, ncand);
        diag_error(c->diag, fv->name_span, "the elements of `%s` have no field `%s`%s", in->name, fv->name,
                   sug ? arena_printf(c->arena, "; did you mean `%s`?", sug) : "");
        continue;
      }
      for (int32_t j = 0; j < k; j++)
        if (strcmp(rec->list.items[j]->name, fv->name) == 0)
          diag_error(c->diag, fv->name_span, "field `%s` is given twice", fv->name);
      uint8_t ft = literal_type(fv->a);
      if (ft != T_ANY && ft != lf->type)
        diag_error(c->diag, fv->a->span, "field `%s` is %s, but this value is %s", lf->name,
                   check_type_text(c, lf->type, 0), check_type_text(c, ft, 0));
      else
        check_allowed(c, fv->a, lf->allowed, lf->nallowed, lf->name);
    }
  }
}

/* One account of a test's `given`: inputs only, each once, of its type. */
static void check_given(Checker *c, const Node *given) {
  for (int32_t f = 0; f < given->list.count; f++) {
    const Node *fv = given->list.items[f];
    const NameEntry *e = check_names_get(&c->values, fv->name);
    if (!e || e->kind != NAME_INPUT) {
      if (e)
        diag_error(c->diag, fv->name_span, "`%s` is %s, not an input; a test gives inputs only", fv->name,
                   a_kind_word(e->kind));
      else
        diag_error(c->diag, fv->name_span, "unknown input `%s`%s", fv->name,
                   check_suggest_in(c, fv->name, &c->values));
      continue;
    }
    for (int32_t j = 0; j < f; j++)
      if (strcmp(given->list.items[j]->name, fv->name) == 0) {
        diag_error(c->diag, fv->name_span, "input `%s` is given twice", fv->name);
        break;
      }
    check_given_value(c, &c->p->inputs[e->index], fv->a);
  }
}

/* The KPI an `expect kpi NAME …` line names (its index), or -1 after an
 * error. */
static int32_t find_kpi(Checker *c, const Node *item) {
  const Program *p = c->p;
  for (int32_t i = 0; i < p->nkpis; i++)
    if (strcmp(p->kpis[i].name, item->name) == 0) return i;
  int32_t ncand = c->diag->errors < KENKO_MAX_ERRORS ? p->nkpis : 0;
  const char **names = arena_alloc(c->arena, (size_t)(ncand + 1) * sizeof *names);
  for (int32_t i = 0; i < ncand; i++)
    names[i] = p->kpis[i].name;
  const char *sug = diag_suggest(item->name, names, ncand);
  const NameEntry *e = check_names_get(&c->values, item->name);
  if (sug)
    diag_error(c->diag, item->name_span, "unknown KPI `%s`; did you mean `%s`?", item->name, sug);
  else if (e)
    diag_error(c->diag, item->name_span, "`%s` is %s, not a KPI; test it with `expect %s …`", item->name,
               a_kind_word(e->kind), item->name);
  else if (p->nkpis == 0)
    diag_error(c->diag, item->name_span, "unknown KPI `%s`; no `kpi` is declared", item->name);
  else
    diag_error(c->diag, item->name_span, "unknown KPI `%s`", item->name);
  return -1;
}

void check_tests(Checker *c) {
  Program *p = c->p;
  c->ctx = CTX_NORMAL;
  c->owner = -1;
  NameMap test_names; /* the first test of each name */
  check_names_init(&test_names);
  for (int32_t i = 0; i < p->ntests; i++) {
    TestDecl *t = &p->tests[i];
    const Node *n = t->node;
    const NameEntry *first = check_names_put(&test_names, t->name, 0, i, n);
    if (first)
      diag_warning(c->diag, n->name_span, "another test is also called \"%s\" (at %s)", t->name,
                   where_text(c, first->node->span));
    t->expects = arena_alloc(c->arena, (size_t)(n->list.count + 1) * sizeof *t->expects);
    int32_t kpi_lines = 0;
    for (int32_t k = 0; k < n->list.count; k++) {
      Node *item = n->list.items[k];
      switch ((NodeKind)item->kind) {
      case P_AS_OF:
        if (t->has_as_of) diag_error(c->diag, item->span, "`as_of` is given twice in this test");
        t->has_as_of = true;
        t->as_of = item->date;
        break;
      case P_GIVEN:
      case P_GIVEN_LIST:
        if (t->givens) {
          diag_error(c->diag, item->span, "`given` appears twice in this test");
          break;
        }
        t->givens = arena_alloc(c->arena, ((size_t)item->list.count + 1) * sizeof *t->givens);
        if (item->kind == P_GIVEN) {
          t->givens[0] = item;
          t->ngivens = 1;
        } else {
          for (int32_t g = 0; g < item->list.count; g++)
            t->givens[g] = item->list.items[g];
          t->ngivens = item->list.count; /* `given []`: no account at all */
        }
        t->given = t->ngivens ? t->givens[0] : NULL;
        for (int32_t g = 0; g < t->ngivens; g++)
          check_given(c, t->givens[g]);
        break;
      case P_EXPECT:
        c->in_expect = true;
        check_condition(c, item->a, "`expect`");
        c->in_expect = false;
        t->expects[t->nexpects++] = item->a;
        break;
      case P_EXPECT_KPI:
        if (!t->kpi_expects)
          t->kpi_expects = arena_alloc(c->arena, (size_t)n->list.count * sizeof *t->kpi_expects);
        item->ref_index = find_kpi(c, item);
        if (item->ref_index >= 0) t->kpi_expects[t->nkpi_expects++] = item;
        kpi_lines++;
        break;
      default: break;
      }
    }
    if (t->nexpects == 0 && kpi_lines == 0)
      diag_warning(c->diag, n->name_span, "test \"%s\" has no `expect`", t->name);
  }
  check_names_free(&test_names);
}
