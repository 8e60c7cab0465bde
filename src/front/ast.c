/* ast.c — node constructors, spans, and the AST dump used by tests. */
#include "front/ast.h"

#include <string.h>

#include "base/numfmt.h"
#include "base/value.h"
#include "base/vec.h"

Node *ast_new(Arena *a, NodeKind kind, Span span) {
  Node *n = arena_alloc(a, sizeof *n);
  n->kind = (uint8_t)kind;
  n->span = span;
  n->name_span = SPAN_NONE;
  n->depth = 1;
  n->ref_index = -1;
  n->ref_sub = -1;
  return n;
}

Node *ast_leaf_num(Arena *a, Span span, double v, unsigned flags) {
  Node *n = ast_new(a, E_NUM, span);
  n->num = v;
  n->flags = (uint16_t)flags;
  return n;
}

Node *ast_leaf_str(Arena *a, NodeKind kind, Span span, const char *s) {
  Node *n = ast_new(a, kind, span);
  n->str = s;
  return n;
}

Node *ast_name(Arena *a, Span span, const char *name) {
  Node *n = ast_new(a, E_NAME, span);
  n->name = name;
  n->name_span = span;
  return n;
}

static uint32_t max_depth(const Node *x, const Node *y, const Node *z) {
  uint32_t d = 0;
  if (x && x->depth > d) d = x->depth;
  if (y && y->depth > d) d = y->depth;
  if (z && z->depth > d) d = z->depth;
  return d;
}

Node *ast_unary(Arena *a, Span span, Op op, Node *x) {
  Node *n = ast_new(a, E_UNARY, span);
  n->op = (uint8_t)op;
  n->a = x;
  n->depth = 1 + max_depth(x, NULL, NULL);
  return n;
}

Node *ast_binary(Arena *a, Span span, Op op, Node *x, Node *y) {
  Node *n = ast_new(a, E_BINARY, span);
  n->op = (uint8_t)op;
  n->a = x;
  n->b = y;
  n->depth = 1 + max_depth(x, y, NULL);
  return n;
}

Node *ast_ternary(Arena *a, NodeKind kind, Span span, Node *x, Node *y, Node *z) {
  Node *n = ast_new(a, kind, span);
  n->a = x;
  n->b = y;
  n->c = z;
  n->depth = 1 + max_depth(x, y, z);
  return n;
}

void ast_push(Arena *a, NodeList *list, Node *n) {
  VEC_RESERVE_IN(a, list->items, list->count, list->cap, list->count + 1, 4);
  list->items[list->count++] = n;
}

void ast_set_name(Node *n, const char *name, Span name_span, const char *label) {
  n->name = name;
  n->name_span = name_span;
  n->label = label;
}

Span span_join(Span a, Span b) {
  Span s = a;
  if (b.file != a.file) return a;
  if (b.begin < s.begin) s.begin = b.begin;
  if (b.end > s.end) s.end = b.end;
  return s;
}

static const char *const kind_names[NODE_KIND_COUNT] = {
    "num",       "str",    "date",        "bool",    "missing",    "list",       "name",
    "field",     "call",   "where",       "unary",   "binary",     "in",         "is-missing",
    "if",        "record", "scorecard",   "include", "input",      "indicator",  "threshold",
    "dimension", "grades", "persona",     "segment", "flag",       "journey",    "forecast",
    "outcome",   "kpi",    "test",        "type",    "field-decl", "rule",       "score",
    "bands",     "band",   "grade",       "weight",  "case",       "step",       "rate",
    "as-of",     "given",  "field-value", "expect",  "duration",   "given-list", "expect-kpi",
};

const char *ast_kind_name(NodeKind k) { return k < NODE_KIND_COUNT ? kind_names[k] : "?"; }

const char *ast_op_text(Op op) {
  switch (op) {
  case OP_NEG: return "-";
  case OP_NOT: return "not";
  case OP_ADD: return "+";
  case OP_SUB: return "-";
  case OP_MUL: return "*";
  case OP_DIV: return "/";
  case OP_MOD: return "%";
  case OP_EQ: return "==";
  case OP_NE: return "!=";
  case OP_LT: return "<";
  case OP_LE: return "<=";
  case OP_GT: return ">";
  case OP_GE: return ">=";
  case OP_AND: return "and";
  case OP_OR: return "or";
  case OP_COALESCE: return "??";
  case OP_NONE: break;
  }
  return "?";
}

static const char *const type_names[] = {"text", "number", "bool", "date", "list"};

/* One line: (kind [name] ["label"] attributes) [begin,end) */
static void dump_line(FILE *out, const Node *n) {
  fprintf(out, "(%s", ast_kind_name((NodeKind)n->kind));
  if (n->name) fprintf(out, " %s", n->name);
  if (n->label) fprintf(out, " \"%s\"", n->label);
  char buf[32];
  switch ((NodeKind)n->kind) {
  case E_NUM:
    num_format(n->num, buf);
    fprintf(out, " %s%s", buf, (n->flags & NF_PERCENT) ? " percent" : "");
    break;
  case E_STR:
  case D_SCORECARD:
  case D_INCLUDE:
  case D_TEST:
    if (n->str) fprintf(out, " \"%s\"", n->str);
    break;
  case E_DATE:
  case P_AS_OF:
    date_format(n->date, buf);
    fprintf(out, " %s", buf);
    break;
  case E_BOOL: fprintf(out, " %s", n->num != 0 ? "true" : "false"); break;
  case E_DURATION: fprintf(out, " %.0f%s", n->num, duration_unit_text(n->op)); break;
  case E_UNARY:
  case E_BINARY:
  case P_EXPECT_KPI: fprintf(out, " %s", ast_op_text((Op)n->op)); break;
  case T_TYPE: fprintf(out, " %s", n->op < 5 ? type_names[n->op] : "?"); break;
  case D_INPUT:
    if (n->flags & NF_KEY) fprintf(out, " key");
    if (n->flags & NF_OPTIONAL) fprintf(out, " optional");
    if (n->str) fprintf(out, " from \"%s\"", n->str);
    break;
  case P_FIELD_DECL:
    if (n->flags & NF_OPTIONAL) fprintf(out, " optional");
    break;
  case D_DIMENSION:
  case P_RULE:
  case P_SCORE:
  case P_BANDS:
  case P_WEIGHT:
  case P_GRADE:
  case P_RATE:
    if ((n->flags & NF_HAS_WEIGHT) || n->kind == P_WEIGHT || n->kind == P_RATE ||
        (n->kind == P_GRADE && !(n->flags & NF_OTHERWISE))) {
      num_format(n->num, buf);
      fprintf(out, " %s", buf);
    }
    break;
  case D_FLAG:
    if (n->str) fprintf(out, " action \"%s\"", n->str);
    break;
  case E_IS_MISSING:
    if (n->flags & NF_NEGATED) fprintf(out, " not");
    break;
  default: break;
  }
  if (n->flags & NF_OTHERWISE) fprintf(out, " otherwise");
  fprintf(out, ") [%u,%u)\n", n->span.begin, n->span.end);
}

void ast_dump(FILE *out, const Node *n, int indent) {
  if (!n) {
    fprintf(out, "%*s-\n", indent * 2, "");
    return;
  }
  fprintf(out, "%*s", indent * 2, "");
  dump_line(out, n);
  /* children: a, b, c, then the list (absent a/b/c are not shown unless a
   * later one is present, so positions stay unambiguous) */
  const Node *kids[3] = {n->a, n->b, n->c};
  int last = -1;
  for (int i = 0; i < 3; i++)
    if (kids[i]) last = i;
  for (int i = 0; i <= last; i++)
    ast_dump(out, kids[i], indent + 1);
  for (int32_t i = 0; i < n->list.count; i++)
    ast_dump(out, n->list.items[i], indent + 1);
}

void ast_dump_file(FILE *out, const Ast *ast) {
  for (int32_t i = 0; i < ast->decls.count; i++)
    ast_dump(out, ast->decls.items[i], 0);
}
