/* ast.h — the syntax tree: one node shape, a handful of constructors.
 *
 * Every node carries the span of its source text. Nodes, lists and strings
 * live in the rule set's arena; nothing here is freed one by one.
 *
 * What each kind uses (fields not listed are unused and zero):
 *
 *   expressions
 *   E_NUM        num; flags NF_PERCENT for `95%` (num is already 0.95)
 *   E_STR        str (decoded, NUL-terminated; may not contain NUL)
 *   E_DATE       date (days since 1970-01-01)
 *   E_BOOL       num (0 or 1)
 *   E_MISSING    —
 *   E_LIST       list: the elements              `[a, b]`
 *   E_NAME       name                             `seat_ratio`, `as_of`, `persona`
 *   E_FIELD      a: object, name: field, name_span  `utilization.grade`
 *   E_CALL       name: function, name_span, list: arguments
 *   E_WHERE      a: list (E_NAME or E_FIELD), b: condition  (only as an argument)
 *   E_UNARY      op: OP_NEG | OP_NOT, a
 *   E_BINARY     op: OP_ADD … OP_COALESCE, a, b
 *   E_IN         a: value, b: E_LIST
 *   E_IS_MISSING a; flags NF_NEGATED for `is not missing`
 *   E_IF         a: condition, b: then, c: else
 *   E_RECORD     list: P_FIELD_VALUE              `{ k: v, … }` (test data only)
 *   E_DURATION   num: how many, op: DurUnit       `30d`, `12w`, `6mo`
 *
 *   declarations (top level)
 *   D_SCORECARD  str: title
 *   D_INCLUDE    str: path as written
 *   D_INPUT      name, label, a: T_TYPE, b: allowed values (E_LIST) or NULL,
 *                str: the `from "column"` name or NULL; flags NF_KEY, NF_OPTIONAL,
 *                NF_SNAPSHOT
 *   D_INDICATOR  name, label, a: expression
 *   D_THRESHOLD  name, label, a: expression   (also a persona override)
 *   D_DIMENSION  name, label, num: weight (NF_HAS_WEIGHT), list: P_RULE,
 *                P_SCORE, P_BANDS and D_GRADES nodes in source order
 *   D_GRADES     list: P_GRADE
 *   D_PERSONA    name, label, a: condition or NULL with NF_OTHERWISE,
 *                list: overrides (D_THRESHOLD, P_WEIGHT, D_GRADES)
 *   D_SEGMENT    name, label, list: P_CASE
 *   D_FLAG       name, label, a: condition, b: severity (E_NAME) or NULL,
 *                str: action or NULL
 *   D_JOURNEY    name (may be NULL), label, list: P_STEP
 *   D_FORECAST   name, label, a: `weighted by` field (E_NAME) or NULL,
 *                list: P_RATE
 *   D_OUTCOME    a: E_NAME of the bool input
 *   D_KPI        name, label, a: the aggregate expression, op: the target's
 *                comparison (OP_GE, OP_LE, OP_GT, OP_LT; OP_NONE: no target),
 *                b: the target (E_NUM) or NULL
 *   D_TEST       str: test name, list: P_AS_OF, P_GIVEN, P_GIVEN_LIST,
 *                P_EXPECT, P_EXPECT_KPI
 *
 *   parts
 *   T_TYPE       op: TY_TEXT … TY_LIST; list: P_FIELD_DECL (for TY_LIST)
 *   P_FIELD_DECL name, a: T_TYPE, b: allowed values or NULL; flags NF_OPTIONAL
 *   P_RULE       name, label, num: weight (NF_HAS_WEIGHT), a: condition
 *   P_SCORE      name, label, num: weight (NF_HAS_WEIGHT), a: expression
 *   P_BANDS      name, label, num: weight (NF_HAS_WEIGHT), list: P_BAND
 *   P_BAND       a: value, b: condition or NULL with NF_OTHERWISE
 *   P_GRADE      name, label, num: lower bound, or NF_OTHERWISE
 *   P_WEIGHT     a: target (E_NAME dimension or E_FIELD dimension.member),
 *                num: weight
 *   P_CASE       name, label, a: condition or NULL with NF_OTHERWISE
 *   P_STEP       name, label, a: condition
 *   P_RATE       name: grade, num: rate (0..1)
 *   P_AS_OF      date
 *   P_GIVEN      list: P_FIELD_VALUE
 *   P_FIELD_VALUE name, a: value (a literal, E_LIST or E_RECORD)
 *   P_EXPECT     a: condition
 *   P_GIVEN_LIST list: P_GIVEN (one per account: `given [ { … }, … ]`)
 *   P_EXPECT_KPI name: the KPI, op: OP_EQ … OP_GE, a: E_NUM or E_MISSING
 */
#ifndef KENKO_AST_H
#define KENKO_AST_H

#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "front/source.h"

typedef enum NodeKind {
  E_NUM,
  E_STR,
  E_DATE,
  E_BOOL,
  E_MISSING,
  E_LIST,
  E_NAME,
  E_FIELD,
  E_CALL,
  E_WHERE,
  E_UNARY,
  E_BINARY,
  E_IN,
  E_IS_MISSING,
  E_IF,
  E_RECORD,
  D_SCORECARD,
  D_INCLUDE,
  D_INPUT,
  D_INDICATOR,
  D_THRESHOLD,
  D_DIMENSION,
  D_GRADES,
  D_PERSONA,
  D_SEGMENT,
  D_FLAG,
  D_JOURNEY,
  D_FORECAST,
  D_OUTCOME,
  D_KPI,
  D_TEST,
  T_TYPE,
  P_FIELD_DECL,
  P_RULE,
  P_SCORE,
  P_BANDS,
  P_BAND,
  P_GRADE,
  P_WEIGHT,
  P_CASE,
  P_STEP,
  P_RATE,
  P_AS_OF,
  P_GIVEN,
  P_FIELD_VALUE,
  P_EXPECT,
  E_DURATION,
  P_GIVEN_LIST,
  P_EXPECT_KPI,
  NODE_KIND_COUNT
} NodeKind;

typedef enum Op {
  OP_NONE,
  OP_NEG,     /* -a */
  OP_NOT,     /* not a */
  OP_ADD,     /* a + b */
  OP_SUB,     /* a - b */
  OP_MUL,     /* a * b */
  OP_DIV,     /* a / b */
  OP_MOD,     /* a % b */
  OP_EQ,      /* a == b */
  OP_NE,      /* a != b */
  OP_LT,      /* a < b */
  OP_LE,      /* a <= b */
  OP_GT,      /* a > b */
  OP_GE,      /* a >= b */
  OP_AND,     /* a and b (Kleene) */
  OP_OR,      /* a or b (Kleene) */
  OP_COALESCE /* a ?? b */
} Op;

typedef enum TypeName { TY_TEXT, TY_NUMBER, TY_BOOL, TY_DATE, TY_LIST } TypeName;

enum {
  NF_PERCENT = 1u << 0,    /* E_NUM written as a percent literal */
  NF_NEGATED = 1u << 1,    /* E_IS_MISSING: `is not missing` */
  NF_KEY = 1u << 2,        /* D_INPUT: the account id */
  NF_OPTIONAL = 1u << 3,   /* D_INPUT, P_FIELD_DECL */
  NF_HAS_WEIGHT = 1u << 4, /* D_DIMENSION, members: weight was written */
  NF_OTHERWISE = 1u << 5,  /* P_BAND, P_GRADE, P_CASE, D_PERSONA */
  NF_PAREN = 1u << 6,      /* expression was written in parentheses */
  NF_SNAPSHOT = 1u << 7,   /* D_INPUT: dates each record (history, LANGUAGE.md §6) */
  NF_DISPLAY = 1u << 8,    /* D_INPUT: the account's display name */
  NF_KEPT = 1u << 9        /* D_INPUT: kept for display and grouping (no unused warning) */
};

typedef struct Node Node;

typedef struct NodeList {
  Node **items;
  int32_t count;
  int32_t cap;
} NodeList;

struct Node {
  uint8_t kind;      /* NodeKind */
  uint8_t op;        /* Op for E_UNARY/E_BINARY; TypeName for T_TYPE */
  uint16_t flags;    /* NF_* */
  uint32_t depth;    /* expression nesting depth (1 for a leaf) */
  Span span;         /* the whole construct */
  Span name_span;    /* the name token (declarations, E_FIELD, E_CALL) */
  const char *name;  /* identifier (NUL-terminated, in the arena) */
  const char *label; /* the quoted label after a name, or NULL */
  const char *str;   /* string payload (see the table above) */
  double num;
  int32_t date;
  Node *a, *b, *c;
  NodeList list;
  /* Filled in by the checker (check.c); see check.h. */
  uint8_t type;      /* ValueType of an expression */
  uint8_t ref_kind;  /* RefKind of an E_NAME / E_FIELD / E_CALL */
  int32_t ref_index; /* which declaration (index into its table) */
  int32_t ref_sub;   /* member index, list field index, symbol id, … */
  int32_t type_aux;  /* symbol kind detail (e.g. which segment) */
};

/* A parsed file: its declarations in source order. */
typedef struct Ast {
  NodeList decls;
} Ast;

Node *ast_new(Arena *a, NodeKind kind, Span span);
Node *ast_leaf_num(Arena *a, Span span, double v, unsigned flags);
Node *ast_leaf_str(Arena *a, NodeKind kind, Span span, const char *s);
Node *ast_name(Arena *a, Span span, const char *name);
Node *ast_unary(Arena *a, Span span, Op op, Node *x);
Node *ast_binary(Arena *a, Span span, Op op, Node *x, Node *y);
Node *ast_ternary(Arena *a, NodeKind kind, Span span, Node *x, Node *y, Node *z);
void ast_push(Arena *a, NodeList *list, Node *n);
/* Sets name, name_span and label of a declaration-like node. */
void ast_set_name(Node *n, const char *name, Span name_span, const char *label);

/* Span covering both (same file). */
Span span_join(Span a, Span b);

const char *ast_kind_name(NodeKind k);
const char *ast_op_text(Op op);
/* An S-expression dump of N for tests (`kenko dump-ast`), one node a line,
 * indented; spans as [begin,end). */
void ast_dump(FILE *out, const Node *n, int indent);
void ast_dump_file(FILE *out, const Ast *ast);

#endif
