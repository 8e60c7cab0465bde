/* check.c — the checker: declarations into tables, names resolved, types
 * checked, per-persona overrides validated. The dependency graph and the
 * lints live in check_graph.c and check_lint.c; the shared state is in
 * check_int.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "base/i18n.h"

/* ---- name tables ------------------------------------------------------ */

static uint64_t hash_name(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

void check_names_init(NameMap *m) {
  m->cap = 0;
  m->count = 0;
  m->slots = NULL;
}

void check_names_free(NameMap *m) { free(m->slots); }

static void names_grow(NameMap *m) {
  int32_t cap = m->cap ? m->cap * 2 : 64;
  NameEntry *slots = xcalloc((size_t)cap, sizeof *slots);
  for (int32_t i = 0; i < m->cap; i++) {
    if (!m->slots[i].name) continue;
    uint64_t h = hash_name(m->slots[i].name);
    int32_t j = (int32_t)(h & (uint64_t)(cap - 1));
    while (slots[j].name)
      j = (j + 1) & (cap - 1);
    slots[j] = m->slots[i];
  }
  free(m->slots);
  m->slots = slots;
  m->cap = cap;
}

const NameEntry *check_names_get(const NameMap *m, const char *name) {
  if (!m->cap) return NULL;
  int32_t j = (int32_t)(hash_name(name) & (uint64_t)(m->cap - 1));
  while (m->slots[j].name) {
    if (strcmp(m->slots[j].name, name) == 0) return &m->slots[j];
    j = (j + 1) & (m->cap - 1);
  }
  return NULL;
}

/* Adds NAME; returns the existing entry when it is already there. */
const NameEntry *check_names_put(NameMap *m, const char *name, int kind, int32_t index, const Node *node) {
  const NameEntry *old = check_names_get(m, name);
  if (old) return old;
  if ((m->count + 1) * 2 > m->cap) names_grow(m);
  int32_t j = (int32_t)(hash_name(name) & (uint64_t)(m->cap - 1));
  while (m->slots[j].name)
    j = (j + 1) & (m->cap - 1);
  m->slots[j].name = name;
  m->slots[j].kind = kind;
  m->slots[j].index = index;
  m->slots[j].node = node;
  m->count++;
  return NULL;
}

/* ---- small helpers ---------------------------------------------------- */

const char *kind_word(int kind) {
  switch (kind) {
  case NAME_INPUT: return _("input");
  case NAME_INDICATOR: return _("indicator");
  case NAME_THRESHOLD: return _("threshold");
  case NAME_DIMENSION: return _("dimension");
  case NAME_SEGMENT: return _("segment");
  case NAME_BUILTIN: return _("built-in name");
  case NAME_GRADE: return _("grade");
  case NAME_PERSONA: return _("persona");
  case NAME_STEP: return _("journey step");
  case NAME_CASE: return _("segment case");
  case NAME_FLAG: return _("flag");
  case NAME_FORECAST: return _("forecast");
  default: return _("name");
  }
}

const char *a_kind_word(int kind) {
  switch (kind) {
  case NAME_INPUT: return _("an input");
  case NAME_INDICATOR: return _("an indicator");
  case NAME_THRESHOLD: return _("a threshold");
  case NAME_DIMENSION: return _("a dimension");
  case NAME_SEGMENT: return _("a segment");
  case NAME_BUILTIN: return _("a built-in name");
  case NAME_GRADE: return _("a grade");
  case NAME_PERSONA: return _("a persona");
  case NAME_STEP: return _("a journey step");
  case NAME_CASE: return _("a segment case");
  case NAME_FLAG: return _("a flag");
  case NAME_FORECAST: return _("a forecast");
  default: return _("a name");
  }
}

/* Where a declaration is, as "file:line" (for "first declared at …"). */
const char *where_text(Checker *c, Span s) {
  if (s.file < 0) return "?";
  const Source *src = src_get(&c->p->sources, s.file);
  int line, col;
  src_line_col(src, s.begin, &line, &col);
  return arena_printf(c->arena, "%s:%d", src->path, line);
}

#define APPEND(c, arr, n) (&(arr)[(n)++])

const char *check_type_text(Checker *c, uint8_t type, int32_t aux) {
  if (type == T_SYMBOL) {
    switch (aux) {
    case SYM_GRADE: return _("a grade");
    case SYM_PERSONA: return _("a persona");
    case SYM_STEP: return _("a journey step");
    default:
      if (aux >= SYM_SEGMENT && aux - SYM_SEGMENT < c->p->nsegments)
        return arena_printf(c->arena, _("a case of segment `%s`"), c->p->segments[aux - SYM_SEGMENT].name);
      return _("a symbol");
    }
  }
  switch (type) {
  case T_NUMBER: return _("a number");
  case T_TEXT: return _("text");
  case T_BOOL: return _("a bool");
  case T_DATE: return _("a date");
  case T_LIST: return _("a list");
  case T_ANY: return _("missing");
  case T_DURATION: return _("a duration");
  default: return value_type_name((ValueType)type);
  }
}

static uint8_t type_of_typename(int ty) {
  switch (ty) {
  case TY_TEXT: return T_TEXT;
  case TY_NUMBER: return T_NUMBER;
  case TY_BOOL: return T_BOOL;
  case TY_DATE: return T_DATE;
  default: return T_LIST;
  }
}

/* Candidate names of a map (for suggestions), in declaration order is not
 * needed: suggestions pick the closest, ties by the table's order. */
static int compare_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char **map_names(Checker *c, const NameMap *m, int32_t *n) {
  const char **names = arena_alloc(c->arena, (size_t)(m->count + 1) * sizeof *names);
  int32_t k = 0;
  for (int32_t i = 0; i < m->cap; i++)
    if (m->slots[i].name) names[k++] = m->slots[i].name;
  /* sort for determinism (slot order depends on hashing only, but be safe) */
  qsort(names, (size_t)k, sizeof *names, compare_names);
  *n = k;
  return names;
}

/* " (did you mean `x`?)" or "". Nothing past the error cap: the message
 * is not shown, and thousands of unknown names must not cost
 * thousands of searches. */
const char *check_suggest_in(Checker *c, const char *name, const NameMap *m) {
  if (c->diag->errors >= KENKO_MAX_ERRORS) return "";
  int32_t n;
  const char **names = map_names(c, m, &n);
  const char *s = diag_suggest(name, names, n);
  return s ? arena_printf(c->arena, _("; did you mean `%s`?"), s) : "";
}

static const char *suggest_list(Checker *c, const char *name, const char *const *names, int32_t n) {
  if (c->diag->errors >= KENKO_MAX_ERRORS) return "";
  const char *s = diag_suggest(name, names, n);
  return s ? arena_printf(c->arena, _("; did you mean `%s`?"), s) : "";
}

/* ---- declarations into tables ----------------------------------------- */

static const char *const builtin_names[] = {"health", "grade", "bottleneck", "as_of", "persona"};

/* Registers a name in the value namespace; reports duplicates. */
static bool declare_value(Checker *c, const Node *n, int kind, int32_t index) {
  const NameEntry *old = check_names_put(&c->values, n->name, kind, index, n);
  if (!old) return true;
  if (old->kind == NAME_BUILTIN)
    diag_error(c->diag, n->name_span, "`%s` is a built-in name and cannot be declared", n->name);
  else if (old->kind == kind)
    diag_error(c->diag, n->name_span, "%s `%s` is declared twice (first at %s)", kind_word(kind), n->name,
               where_text(c, old->node->name_span));
  else
    diag_error(c->diag, n->name_span, "`%s` is already the name of %s (at %s)", n->name,
               a_kind_word(old->kind), where_text(c, old->node->name_span));
  return false;
}

/* Text values of an `in [...]` list (all must be strings). */
static const char **allowed_values(Checker *c, const Node *list, uint8_t type, int32_t *n) {
  *n = 0;
  if (!list) return NULL;
  if (type != T_TEXT) {
    diag_error(c->diag, list->span, "`in [...]` restricts text inputs only; this one is %s",
               check_type_text(c, type, 0));
    return NULL;
  }
  const char **vals = arena_alloc(c->arena, (size_t)(list->list.count + 1) * sizeof *vals);
  for (int32_t i = 0; i < list->list.count; i++) {
    const Node *v = list->list.items[i];
    if (v->kind != E_STR) {
      diag_error(c->diag, v->span, "allowed values must be strings, like \"basic\"");
      continue;
    }
    for (int32_t j = 0; j < *n; j++)
      if (strcmp(vals[j], v->str) == 0) {
        diag_warning(c->diag, v->span, "\"%s\" is listed twice", v->str);
        break;
      }
    vals[(*n)++] = v->str;
  }
  if (list->list.count == 0) diag_error(c->diag, list->span, "the list of allowed values is empty");
  return vals;
}

static void declare_input(Checker *c, Node *n) {
  Program *p = c->p;
  int32_t index = p->ninputs;
  InputDecl *in = APPEND(c, p->inputs, p->ninputs);
  in->name = n->name;
  in->label = n->label;
  in->node = n;
  in->column = n->str ? n->str : n->name;
  in->type = type_of_typename(n->a->op);
  in->optional = (n->flags & NF_OPTIONAL) != 0;
  in->key = (n->flags & NF_KEY) != 0;
  in->allowed = allowed_values(c, n->b, in->type, &in->nallowed);
  declare_value(c, n, NAME_INPUT, index);
  if (in->key) {
    if (p->key_input >= 0)
      diag_error(c->diag, n->name_span, "only one input can be the `key`; `%s` already is",
                 p->inputs[p->key_input].name);
    else
      p->key_input = index;
    if (in->type != T_TEXT && in->type != T_NUMBER)
      diag_error(c->diag, n->a->span, "the key input must be text or a number; `%s` is %s", n->name,
                 check_type_text(c, in->type, 0));
    if (in->optional) diag_error(c->diag, n->name_span, "the key input `%s` cannot be optional", n->name);
  }
  if (n->flags & NF_SNAPSHOT) {
    in->snapshot = true;
    if (p->snapshot_input >= 0)
      diag_error(c->diag, n->name_span, "only one input can be the `snapshot`; `%s` already is",
                 p->inputs[p->snapshot_input].name);
    else
      p->snapshot_input = index;
    if (in->type != T_DATE)
      diag_error(c->diag, n->a->span, "the snapshot input must be a date; `%s` is %s", n->name,
                 check_type_text(c, in->type, 0));
    if (in->optional)
      diag_error(c->diag, n->name_span, "the snapshot input `%s` cannot be optional: it dates each record",
                 n->name);
    if (in->key)
      diag_error(
          c->diag, n->name_span,
          "`%s` cannot be both the key and the snapshot: the key names the account, the snapshot dates it",
          n->name);
  }
  in->kept = (n->flags & NF_KEPT) != 0;
  if (n->flags & NF_DISPLAY) {
    in->display = true;
    if (p->display_input >= 0)
      diag_error(c->diag, n->name_span, "only one input can be the `display` name; `%s` already is",
                 p->inputs[p->display_input].name);
    else
      p->display_input = index;
    if (in->type != T_TEXT)
      diag_error(c->diag, n->a->span, "the display name must be text; `%s` is %s", n->name,
                 check_type_text(c, in->type, 0));
    if (in->key)
      diag_error(c->diag, n->name_span,
                 "`%s` cannot be both the key and the display name: the key is shown anyway; mark the "
                 "input that holds the account's name `display`",
                 n->name);
  }
  if (in->type == T_LIST) {
    const Node *t = n->a;
    in->nfields = 0;
    in->fields = arena_alloc(c->arena, (size_t)(t->list.count + 1) * sizeof *in->fields);
    for (int32_t i = 0; i < t->list.count; i++) {
      const Node *f = t->list.items[i];
      bool dup = false;
      for (int32_t j = 0; j < in->nfields; j++)
        if (strcmp(in->fields[j].name, f->name) == 0) dup = true;
      if (dup) {
        diag_error(c->diag, f->name_span, "field `%s` is declared twice in `%s`", f->name, n->name);
        continue;
      }
      ListField *lf = &in->fields[in->nfields++];
      lf->name = f->name;
      lf->node = f;
      lf->type = type_of_typename(f->a->op);
      lf->optional = (f->flags & NF_OPTIONAL) != 0;
      lf->allowed = allowed_values(c, f->b, lf->type, &lf->nallowed);
    }
  }
}

/* Registers a grade name (shared by every `grades` block). */
static int32_t grade_id(Checker *c, const char *name, const char *label) {
  Program *p = c->p;
  for (int32_t i = 0; i < p->ngrade_names; i++)
    if (strcmp(p->grade_names[i], name) == 0) {
      if (!p->grade_labels[i] && label) p->grade_labels[i] = label;
      return i;
    }
  int32_t n = p->ngrade_names++;
  p->grade_names[n] = name;
  p->grade_labels[n] = label;
  return n;
}

/* A `grades { … }` block: strictly decreasing bounds, ending in otherwise. */
static int32_t declare_grades(Checker *c, const Node *g) {
  Program *p = c->p;
  int32_t index = p->ngrade_sets;
  GradeSet *set = APPEND(c, p->grade_sets, p->ngrade_sets);
  set->node = g;
  set->bands = arena_alloc(c->arena, (size_t)(g->list.count + 1) * sizeof *set->bands);
  bool seen_otherwise = false;
  double prev = INFINITY;
  for (int32_t i = 0; i < g->list.count; i++) {
    const Node *b = g->list.items[i];
    for (int32_t j = 0; j < set->nbands; j++)
      if (strcmp(p->grade_names[set->bands[j].grade], b->name) == 0)
        diag_error(c->diag, b->name_span, "grade `%s` appears twice in this block", b->name);
    if (seen_otherwise) {
      diag_error(c->diag, b->span, "grade `%s` comes after `otherwise` and can never be given", b->name);
      continue;
    }
    GradeBand *gb = &set->bands[set->nbands++];
    gb->grade = grade_id(c, b->name, b->label);
    gb->label = b->label;
    gb->node = b;
    if (b->flags & NF_OTHERWISE) {
      gb->bound = -INFINITY;
      seen_otherwise = true;
      continue;
    }
    gb->bound = b->num;
    if (b->a && (b->a->flags & NF_PERCENT))
      diag_error(c->diag, b->a->span, "a grade bound is a score from 0 to 100: write `%g`, not `%g%%`",
                 b->num * 100, b->num * 100);
    else if (b->num < 0 || b->num > 100)
      diag_error(c->diag, b->a ? b->a->span : b->span, "a grade bound must be between 0 and 100");
    else if (b->num >= prev)
      diag_error(c->diag, b->a ? b->a->span : b->span,
                 "grade bounds must decrease (best grade first): %g is not below the previous bound %g",
                 b->num, prev);
    prev = b->num;
  }
  if (!seen_otherwise && g->list.count > 0) {
    const Node *last = g->list.items[g->list.count - 1];
    diag_error(c->diag, last->span,
               "a `grades` block must end with a grade for `otherwise`, as in `%s otherwise`", last->name);
  }
  return index;
}

static double member_weight(Checker *c, const Node *m) {
  if (!(m->flags & NF_HAS_WEIGHT)) return 1;
  if (m->num < 0) {
    diag_error(c->diag, m->name_span, "member `%s` has a negative weight (%g); weights must be 0 or more",
               m->name, m->num);
    return 0;
  }
  return m->num;
}

static void declare_dimension(Checker *c, Node *n) {
  Program *p = c->p;
  int32_t index = p->ndimensions;
  DimensionDecl *d = APPEND(c, p->dimensions, p->ndimensions);
  d->name = n->name;
  d->label = n->label;
  d->node = n;
  d->weight = 1;
  d->grades = -1;
  if (n->flags & NF_HAS_WEIGHT) {
    if (n->num < 0)
      diag_error(c->diag, n->name_span,
                 "dimension `%s` has a negative weight (%g); weights must be 0 or more", n->name, n->num);
    else
      d->weight = n->num;
  }
  declare_value(c, n, NAME_DIMENSION, index);
  d->members = arena_alloc(c->arena, (size_t)(n->list.count + 1) * sizeof *d->members);
  for (int32_t i = 0; i < n->list.count; i++) {
    Node *m = n->list.items[i];
    if (m->kind == D_GRADES) {
      if (d->grades >= 0)
        diag_error(c->diag, m->span, "dimension `%s` has two `grades` blocks", n->name);
      else
        d->grades = declare_grades(c, m);
      continue;
    }
    if (strcmp(m->name, "grade") == 0) {
      diag_error(c->diag, m->name_span,
                 "a member cannot be called `grade` (`%s.grade` is the dimension's grade)", n->name);
      continue;
    }
    bool dup = false;
    for (int32_t j = 0; j < d->nmembers; j++)
      if (strcmp(d->members[j].name, m->name) == 0) {
        diag_error(c->diag, m->name_span, "member `%s` is declared twice in dimension `%s`", m->name,
                   n->name);
        dup = true;
      }
    if (dup) continue;
    Member *mem = &d->members[d->nmembers++];
    mem->name = m->name;
    mem->label = m->label;
    mem->node = m;
    mem->weight = member_weight(c, m);
    if (m->kind == P_RULE) {
      mem->kind = MEMBER_RULE;
      mem->expr = m->a;
    } else if (m->kind == P_SCORE) {
      mem->kind = MEMBER_SCORE;
      mem->expr = m->a;
    } else {
      mem->kind = MEMBER_BANDS;
      mem->bands = arena_alloc(c->arena, (size_t)(m->list.count + 1) * sizeof *mem->bands);
      bool otherwise = false;
      for (int32_t k = 0; k < m->list.count; k++) {
        Node *b = m->list.items[k];
        if (otherwise) {
          diag_warning(c->diag, b->span, "this band comes after `otherwise` and is never used");
          continue;
        }
        Band *band = &mem->bands[mem->nbands++];
        band->value = b->a;
        band->cond = b->b;
        band->node = b;
        if (b->flags & NF_OTHERWISE) otherwise = true;
      }
      if (!otherwise)
        diag_error(c->diag, m->name_span,
                   "score `%s` has bands but no `otherwise` band; add one like `0 otherwise`", m->name);
    }
  }
  /* (a member rejected above was reported already) */
  bool any_member = false;
  for (int32_t i = 0; i < n->list.count; i++)
    if (n->list.items[i]->kind != D_GRADES) any_member = true;
  if (!any_member) diag_error(c->diag, n->name_span, "dimension `%s` has no members", n->name);
}

static void declare_symbol(Checker *c, NameMap *m, const Node *n, int kind, int32_t index) {
  const NameEntry *old = check_names_put(m, n->name, kind, index, n);
  if (old)
    diag_error(c->diag, n->name_span, "%s `%s` is declared twice (first at %s)", kind_word(kind), n->name,
               where_text(c, old->node->name_span));
}

static void declare_persona(Checker *c, Node *n) {
  Program *p = c->p;
  int32_t index = p->npersonas;
  *APPEND(c, p->personas, p->npersonas) =
      (PersonaDecl){.name = n->name, .label = n->label, .node = n, .cond = n->a, .grades = -1};
  declare_symbol(c, &c->personas, n, NAME_PERSONA, index);
}

static void declare_segment(Checker *c, Node *n) {
  Program *p = c->p;
  int32_t index = p->nsegments;
  SegmentDecl *s = APPEND(c, p->segments, p->nsegments);
  *s = (SegmentDecl){.name = n->name, .label = n->label, .node = n};
  declare_value(c, n, NAME_SEGMENT, index);
  s->cases = arena_alloc(c->arena, (size_t)(n->list.count + 1) * sizeof *s->cases);
  for (int32_t i = 0; i < n->list.count; i++) {
    Node *k = n->list.items[i];
    bool dup = false;
    for (int32_t j = 0; j < s->ncases; j++)
      if (strcmp(s->cases[j].name, k->name) == 0) {
        diag_error(c->diag, k->name_span, "case `%s` appears twice in segment `%s`", k->name, n->name);
        dup = true;
      }
    if (dup) continue;
    if (s->has_otherwise) {
      diag_warning(c->diag, k->span, "case `%s` comes after `otherwise` and can never match", k->name);
    }
    s->cases[s->ncases++] = (CaseDecl){.name = k->name, .label = k->label, .node = k, .cond = k->a};
    if (k->flags & NF_OTHERWISE) s->has_otherwise = true;
  }
}

static void declare_flag(Checker *c, Node *n) {
  Program *p = c->p;
  int32_t index = p->nflags;
  FlagDecl *f = APPEND(c, p->flags, p->nflags);
  *f = (FlagDecl){
      .name = n->name, .label = n->label, .node = n, .cond = n->a, .action = n->str, .severity = SEV_MEDIUM};
  if (n->b) {
    static const char *const levels[] = {"low", "medium", "high"};
    int level = -1;
    for (int i = 0; i < 3; i++)
      if (strcmp(n->b->name, levels[i]) == 0) level = i;
    if (level < 0)
      diag_error(c->diag, n->b->span, "severity must be `low`, `medium` or `high`, found `%s`%s", n->b->name,
                 suggest_list(c, n->b->name, levels, 3));
    else
      f->severity = (Severity)(level + 1);
  }
  declare_symbol(c, &c->flag_names, n, NAME_FLAG, index);
}

static void declare_journey(Checker *c, Node *n) {
  Program *p = c->p;
  if (p->has_journey) {
    Span keyword = {n->span.file, n->span.begin, n->span.begin + (uint32_t)strlen("journey")};
    diag_error(c->diag, keyword, "only one `journey` can be declared (first at %s)",
               where_text(c, c->journey_node->span));
    return;
  }
  p->has_journey = true;
  p->journey_label = n->label ? n->label : n->name;
  c->journey_node = n;
  p->steps = arena_alloc(c->arena, (size_t)(n->list.count + 1) * sizeof *p->steps);
  for (int32_t i = 0; i < n->list.count; i++) {
    Node *s = n->list.items[i];
    if (check_names_get(&c->steps, s->name)) {
      declare_symbol(c, &c->steps, s, NAME_STEP, p->nsteps);
      continue;
    }
    declare_symbol(c, &c->steps, s, NAME_STEP, p->nsteps);
    StepDecl *st = &p->steps[p->nsteps++];
    st->name = s->name;
    st->label = s->label;
    st->node = s;
    st->cond = s->a;
  }
}

/* Grade bands in a list of declarations/overrides (for table sizes). */
static int32_t count_grade_bands(const NodeList *l) {
  int32_t n = 0;
  for (int32_t i = 0; i < l->count; i++)
    if (l->items[i]->kind == D_GRADES) n += l->items[i]->list.count;
  return n;
}

/* Sizes every table once, so entries never move while being filled. */
static void preallocate(Checker *c, Node **decls, int32_t n) {
  Program *p = c->p;
  int32_t count[NODE_KIND_COUNT] = {0};
  int32_t grades = 0, grade_blocks = 0;
  for (int32_t i = 0; i < n; i++) {
    const Node *d = decls[i];
    count[d->kind]++;
    if (d->kind == D_GRADES) {
      grades += d->list.count;
      grade_blocks++;
    }
    if (d->kind == D_DIMENSION || d->kind == D_PERSONA) {
      grades += count_grade_bands(&d->list);
      for (int32_t k = 0; k < d->list.count; k++)
        if (d->list.items[k]->kind == D_GRADES) grade_blocks++;
    }
  }
  Arena *a = c->arena;
  p->inputs = arena_alloc(a, (size_t)(count[D_INPUT] + 1) * sizeof *p->inputs);
  p->indicators = arena_alloc(a, (size_t)(count[D_INDICATOR] + 1) * sizeof *p->indicators);
  p->thresholds = arena_alloc(a, (size_t)(count[D_THRESHOLD] + 1) * sizeof *p->thresholds);
  p->dimensions = arena_alloc(a, (size_t)(count[D_DIMENSION] + 1) * sizeof *p->dimensions);
  p->grade_sets = arena_alloc(a, (size_t)(grade_blocks + 1) * sizeof *p->grade_sets);
  p->grade_names = arena_alloc(a, (size_t)(grades + 1) * sizeof *p->grade_names);
  p->grade_labels = arena_alloc(a, (size_t)(grades + 1) * sizeof *p->grade_labels);
  p->personas = arena_alloc(a, (size_t)(count[D_PERSONA] + 1) * sizeof *p->personas);
  p->segments = arena_alloc(a, (size_t)(count[D_SEGMENT] + 1) * sizeof *p->segments);
  p->flags = arena_alloc(a, (size_t)(count[D_FLAG] + 1) * sizeof *p->flags);
  p->forecasts = arena_alloc(a, (size_t)(count[D_FORECAST] + 1) * sizeof *p->forecasts);
  p->tests = arena_alloc(a, (size_t)(count[D_TEST] + 1) * sizeof *p->tests);
  p->kpis = arena_alloc(a, (size_t)(count[D_KPI] + 1) * sizeof *p->kpis);
}

/* Pass 1: every declaration into its table, names registered. */
static void declare_all(Checker *c, Node **decls, int32_t n) {
  Program *p = c->p;
  const Node *scorecard = NULL;
  preallocate(c, decls, n);
  for (size_t i = 0; i < sizeof builtin_names / sizeof *builtin_names; i++)
    check_names_put(&c->values, builtin_names[i], NAME_BUILTIN, (int32_t)i, NULL);
  for (int32_t i = 0; i < n; i++) {
    Node *d = decls[i];
    switch ((NodeKind)d->kind) {
    case D_SCORECARD:
      if (scorecard)
        diag_error(c->diag, d->span, "only one `scorecard` title can be given (first at %s)",
                   where_text(c, scorecard->span));
      else
        scorecard = d;
      p->title = scorecard->str;
      break;
    case D_INPUT: declare_input(c, d); break;
    case D_INDICATOR:
      *APPEND(c, p->indicators, p->nindicators) =
          (IndicatorDecl){.name = d->name, .label = d->label, .node = d, .expr = d->a, .type = T_ERROR};
      declare_value(c, d, NAME_INDICATOR, p->nindicators - 1);
      break;
    case D_THRESHOLD:
      *APPEND(c, p->thresholds, p->nthresholds) =
          (ThresholdDecl){.name = d->name, .label = d->label, .node = d, .expr = d->a, .type = T_ERROR};
      declare_value(c, d, NAME_THRESHOLD, p->nthresholds - 1);
      break;
    case D_DIMENSION: declare_dimension(c, d); break;
    case D_GRADES:
      if (p->default_grades >= 0) {
        diag_error(c->diag, d->span, "the top-level `grades` block is given twice (first at %s)",
                   where_text(c, p->grade_sets[p->default_grades].node->span));
        declare_grades(c, d);
      } else {
        p->default_grades = declare_grades(c, d);
      }
      break;
    case D_PERSONA: declare_persona(c, d); break;
    case D_SEGMENT: declare_segment(c, d); break;
    case D_FLAG: declare_flag(c, d); break;
    case D_JOURNEY: declare_journey(c, d); break;
    case D_FORECAST: {
      ForecastDecl *f = APPEND(c, p->forecasts, p->nforecasts);
      f->name = d->name;
      f->label = d->label;
      f->node = d;
      f->weight_input = -1;
      declare_symbol(c, &c->forecast_names, d, NAME_FORECAST, p->nforecasts - 1);
      break;
    }
    case D_OUTCOME:
      if (c->outcome_node)
        diag_error(c->diag, d->span, "only one `outcome` can be declared (first at %s)",
                   where_text(c, c->outcome_node->span));
      else
        c->outcome_node = d;
      break;
    case D_KPI: {
      for (int32_t k = 0; k < p->nkpis; k++)
        if (strcmp(p->kpis[k].name, d->name) == 0) {
          diag_error(c->diag, d->name_span, "KPI `%s` is declared twice (first at %s)", d->name,
                     where_text(c, p->kpis[k].node->name_span));
          break;
        }
      KpiDecl *k = APPEND(c, p->kpis, p->nkpis);
      k->name = d->name;
      k->label = d->label;
      k->node = d;
      k->expr = d->a;
      k->target_op = d->b ? d->op : OP_NONE;
      k->target = d->b ? d->b->num : 0;
      /* a share, or a KPI whose target is a percent, reads as a percent */
      k->percent = (d->b && (d->b->flags & NF_PERCENT)) ||
                   (d->a && d->a->kind == E_CALL && strcmp(d->a->name, "share") == 0);
      break;
    }
    case D_TEST: {
      TestDecl *t = APPEND(c, p->tests, p->ntests);
      t->name = d->str;
      t->node = d;
      break;
    }
    default: break;
    }
  }
  /* Grade names of persona blocks join the same table. */
  for (int32_t i = 0; i < p->npersonas; i++) {
    PersonaDecl *pd = &p->personas[i];
    for (int32_t k = 0; k < pd->node->list.count; k++) {
      const Node *o = pd->node->list.items[k];
      if (o->kind != D_GRADES) continue;
      if (pd->grades >= 0)
        diag_error(c->diag, o->span, "persona `%s` has two `grades` blocks", pd->name);
      else
        pd->grades = declare_grades(c, o);
    }
  }
  for (int32_t i = 0; i < p->ngrade_names; i++)
    check_names_put(&c->grades, p->grade_names[i], NAME_GRADE, i, NULL);
  for (int32_t i = 0; i < p->nsegments; i++)
    for (int32_t k = 0; k < p->segments[i].ncases; k++)
      if (!check_names_get(&c->cases, p->segments[i].cases[k].name))
        check_names_put(&c->cases, p->segments[i].cases[k].name, NAME_CASE, i, p->segments[i].cases[k].node);
}

/* A symbol name that is also a value name would make `x == name`
 * ambiguous: that is an error. */
static void check_symbol_clashes(Checker *c) {
  const NameMap *maps[] = {&c->personas, &c->steps, &c->cases, &c->grades};
  for (size_t m = 0; m < sizeof maps / sizeof *maps; m++) {
    for (int32_t i = 0; i < maps[m]->cap; i++) {
      const NameEntry *e = &maps[m]->slots[i];
      if (!e->name) continue;
      const NameEntry *v = check_names_get(&c->values, e->name);
      if (!v) continue;
      Span at = e->node ? e->node->name_span : SPAN_NONE;
      if (e->kind == NAME_GRADE) {
        /* grade names have no single node; point at the value instead */
        at = v->node ? v->node->name_span : SPAN_NONE;
        diag_error(c->diag, at, "`%s` is both a grade and %s; rename one", e->name, a_kind_word(v->kind));
      } else {
        diag_error(c->diag, at, "`%s` is both %s and %s; rename one", e->name, a_kind_word(e->kind),
                   a_kind_word(v->kind));
      }
    }
  }
  /* List element fields may not shadow account-level names. */
  for (int32_t i = 0; i < c->p->ninputs; i++) {
    const InputDecl *in = &c->p->inputs[i];
    for (int32_t k = 0; k < in->nfields; k++) {
      const NameEntry *v = check_names_get(&c->values, in->fields[k].name);
      if (v)
        diag_error(c->diag, in->fields[k].node->name_span,
                   "element field `%s` has the same name as %s; rename one", in->fields[k].name,
                   a_kind_word(v->kind));
    }
  }
}

/* ---- the checks after declaration --------------------------------------- */

static void check_outcome(Checker *c) {
  const Node *o = c->outcome_node;
  if (!o) return;
  const NameEntry *e = check_names_get(&c->values, o->a->name);
  if (!e || e->kind != NAME_INPUT) {
    diag_error(c->diag, o->a->span, "`outcome` must name a bool input; `%s` is not an input%s", o->a->name,
               check_suggest_in(c, o->a->name, &c->values));
    return;
  }
  InputDecl *in = &c->p->inputs[e->index];
  if (in->type != T_BOOL) {
    diag_error(c->diag, o->a->span, "`outcome` must name a bool input; `%s` is %s", in->name,
               check_type_text(c, in->type, 0));
    return;
  }
  in->used = true;
  c->p->outcome_input = e->index;
}

static void check_forecasts(Checker *c) {
  Program *p = c->p;
  for (int32_t i = 0; i < p->nforecasts; i++) {
    ForecastDecl *f = &p->forecasts[i];
    const Node *n = f->node;
    f->rate = arena_alloc(c->arena, (size_t)(p->ngrade_names + 1) * sizeof *f->rate);
    for (int32_t g = 0; g < p->ngrade_names; g++)
      f->rate[g] = NAN;
    if (n->a) {
      const NameEntry *e = check_names_get(&c->values, n->a->name);
      if (!e || e->kind != NAME_INPUT)
        diag_error(c->diag, n->a->span, "`weighted by` must name a number input; `%s` is not an input%s",
                   n->a->name, check_suggest_in(c, n->a->name, &c->values));
      else if (p->inputs[e->index].type != T_NUMBER)
        diag_error(c->diag, n->a->span, "`weighted by` must name a number input; `%s` is %s", n->a->name,
                   check_type_text(c, p->inputs[e->index].type, 0));
      else {
        f->weight_input = e->index;
        p->inputs[e->index].used = true;
      }
    }
    bool unknown_grade = false;
    for (int32_t k = 0; k < n->list.count; k++) {
      const Node *r = n->list.items[k];
      const NameEntry *g = check_names_get(&c->grades, r->name);
      if (!g) {
        diag_error(c->diag, r->name_span, "unknown grade `%s`%s", r->name,
                   check_suggest_in(c, r->name, &c->grades));
        unknown_grade = true;
        continue;
      }
      if (!isnan(f->rate[g->index]))
        diag_error(c->diag, r->name_span, "grade `%s` is given twice in this forecast", r->name);
      if (r->num < 0 || r->num > 1)
        diag_error(c->diag, r->a->span, "a rate must be between 0%% and 100%%%s",
                   r->num > 1 && r->num <= 100 && !(r->a->flags & NF_PERCENT)
                       ? arena_printf(c->arena, _("; did you mean `%g%%`?"), r->num)
                       : "");
      f->rate[g->index] = r->num;
    }
    /* (after a misspelt grade, a "no rate" warning would only repeat it) */
    if (p->default_grades >= 0 && !unknown_grade) {
      const GradeSet *gs = &p->grade_sets[p->default_grades];
      for (int32_t k = 0; k < gs->nbands; k++)
        if (isnan(f->rate[gs->bands[k].grade]))
          diag_warning(c->diag, n->name_span, "forecast `%s` has no rate for grade `%s`", f->name,
                       p->grade_names[gs->bands[k].grade]);
    }
  }
}

/* Persona bodies: threshold overrides, weights, grades. */
static void check_persona_overrides(Checker *c) {
  Program *p = c->p;
  for (int32_t i = 0; i < p->npersonas; i++) {
    PersonaDecl *pd = &p->personas[i];
    const Node *n = pd->node;
    pd->thresholds = arena_alloc(c->arena, (size_t)(n->list.count + 1) * sizeof *pd->thresholds);
    pd->weights = arena_alloc(c->arena, (size_t)(n->list.count + 1) * sizeof *pd->weights);
    for (int32_t k = 0; k < n->list.count; k++) {
      Node *o = n->list.items[k];
      if (o->kind == D_THRESHOLD) {
        const NameEntry *e = check_names_get(&c->values, o->name);
        if (!e || e->kind != NAME_THRESHOLD) {
          diag_error(c->diag, o->name_span, "persona `%s` overrides unknown threshold `%s`%s", pd->name,
                     o->name, check_suggest_in(c, o->name, &c->threshold_names));
          continue;
        }
        for (int32_t j = 0; j < pd->nthresholds; j++)
          if (pd->thresholds[j].threshold == e->index) {
            diag_error(c->diag, o->name_span, "threshold `%s` is overridden twice in persona `%s`", o->name,
                       pd->name);
            break;
          }
        ThresholdOverride *to = &pd->thresholds[pd->nthresholds++];
        to->threshold = e->index;
        to->expr = o->a;
        p->thresholds[e->index].overridden = true;
      } else if (o->kind == P_WEIGHT) {
        const Node *t = o->a;
        const char *dim = t->kind == E_FIELD ? t->a->name : t->name;
        Span dim_span = t->kind == E_FIELD ? t->a->span : t->span;
        const NameEntry *e = check_names_get(&c->values, dim);
        if (!e || e->kind != NAME_DIMENSION) {
          diag_error(c->diag, dim_span, "persona `%s` sets the weight of unknown dimension `%s`%s", pd->name,
                     dim, check_suggest_in(c, dim, &c->dimension_names));
          continue;
        }
        const DimensionDecl *d = &p->dimensions[e->index];
        int32_t member = -1;
        if (t->kind == E_FIELD) {
          for (int32_t j = 0; j < d->nmembers; j++)
            if (strcmp(d->members[j].name, t->name) == 0) member = j;
          if (member < 0) {
            int32_t ncand = c->diag->errors < KENKO_MAX_ERRORS ? d->nmembers : 0; /* none past the cap */
            const char **names = arena_alloc(c->arena, (size_t)(ncand + 1) * sizeof *names);
            for (int32_t j = 0; j < ncand; j++)
              names[j] = d->members[j].name;
            diag_error(c->diag, t->name_span, "dimension `%s` has no member `%s`%s", d->name, t->name,
                       suggest_list(c, t->name, names, ncand));
            continue;
          }
        }
        if (o->num < 0) {
          diag_error(c->diag, o->b->span, "weights must be 0 or more, found %g", o->num);
          continue;
        }
        for (int32_t j = 0; j < pd->nweights; j++)
          if (pd->weights[j].dimension == e->index && pd->weights[j].member == member) {
            diag_error(c->diag, o->span, "this weight is set twice in persona `%s`", pd->name);
            break;
          }
        WeightOverride *w = &pd->weights[pd->nweights++];
        w->dimension = e->index;
        w->member = member;
        w->weight = o->num;
        w->node = o;
      }
    }
  }
}

/* Builds the secondary name maps used only for suggestions. */
static void build_kind_maps(Checker *c) {
  for (int32_t i = 0; i < c->values.cap; i++) {
    const NameEntry *e = &c->values.slots[i];
    if (!e->name) continue;
    if (e->kind == NAME_THRESHOLD) check_names_put(&c->threshold_names, e->name, e->kind, e->index, e->node);
    if (e->kind == NAME_DIMENSION) check_names_put(&c->dimension_names, e->name, e->kind, e->index, e->node);
  }
}

void check_program(Program *p, Node **decls, int32_t ndecls, Diag *diag) {
  Checker c;
  memset(&c, 0, sizeof c);
  c.p = p;
  c.diag = diag;
  c.arena = &p->arena;
  c.elem_input = -1;
  int errors_before = diag->errors;
  declare_all(&c, decls, ndecls);
  build_kind_maps(&c);
  check_symbol_clashes(&c);
  check_outcome(&c);
  check_forecasts(&c);
  check_persona_overrides(&c);
  check_expressions(&c);
  check_tests(&c);
  check_kpis(&c);
  check_graph(&c);
  /* Lints after errors would mostly repeat them ("input `seats` is never
   * used" after a misspelt reference to it): they wait for clean rules. */
  if (diag->errors == errors_before) check_lints(&c);
  check_names_free(&c.values);
  check_names_free(&c.personas);
  check_names_free(&c.steps);
  check_names_free(&c.cases);
  check_names_free(&c.grades);
  check_names_free(&c.flag_names);
  check_names_free(&c.forecast_names);
  check_names_free(&c.threshold_names);
  check_names_free(&c.dimension_names);
  free(c.edges);
  free(c.nodes);
}

const char *program_symbol_name(const Program *p, int32_t kind, int32_t sym) {
  if (sym < 0) return NULL;
  switch (kind) {
  case SYM_GRADE: return sym < p->ngrade_names ? p->grade_names[sym] : NULL;
  case SYM_PERSONA: return sym < p->npersonas ? p->personas[sym].name : NULL;
  case SYM_STEP: return sym < p->nsteps ? p->steps[sym].name : NULL;
  default:
    if (kind >= SYM_SEGMENT && kind - SYM_SEGMENT < p->nsegments) {
      const SegmentDecl *s = &p->segments[kind - SYM_SEGMENT];
      return sym < s->ncases ? s->cases[sym].name : NULL;
    }
    return NULL;
  }
}
