/* parse.h — source text → AST: the state shared by the flex scanner
 * (grammar/lexer.l), the bison parser (grammar/parser.y) and the driver
 * (parse.c). Nothing here is public. */
#ifndef KENKO_PARSE_H
#define KENKO_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "front/ast.h"
#include "front/diag.h"
#include "front/source.h"

/* Deepest bracket nesting ( [ { the scanner accepts. */
#define KENKO_MAX_BRACKETS 256
/* Deepest expression tree (operators and brackets) the parser builds. */
#define KENKO_MAX_EXPR_DEPTH 1000
/* Most declarations in one file. */
#define KENKO_MAX_DECLS 100000
/* Most items in one block of a declaration: members of a dimension, bands
 * of a score, grades, overrides of a persona, cases, journey steps,
 * forecast rates, lines of a test, fields and values of test data, fields
 * and allowed values of an input. (Some checks compare each item with the
 * ones before it.) */
#define KENKO_MAX_ITEMS 10000
/* Longest string literal (bytes after decoding). */
#define KENKO_MAX_STRING (16u * 1024u * 1024u)

typedef struct OpenBracket {
  char ch;         /* '(' '[' '{' */
  uint32_t offset; /* where it was opened */
} OpenBracket;

typedef struct ParseState {
  Arena *arena; /* the rule set's arena: nodes and strings */
  Diag *diag;
  const Source *src;
  int32_t file;    /* id of the file being parsed */
  uint32_t base;   /* offset of the scanned text in the file (BOM) */
  uint32_t offset; /* scanner position relative to base */
  bool fatal;      /* a limit was hit: stop without more errors */
  Ast *ast;        /* the result */
  int32_t ndecls;
  /* scanner */
  char *sbuf; /* string literal being decoded (malloc'ed) */
  size_t slen, scap;
  uint32_t sbegin;            /* offset of the opening quote */
  uint32_t broken_string_end; /* just after the last unterminated string */
  OpenBracket brackets[KENKO_MAX_BRACKETS];
  int nbrackets;
  /* Recovery at a declaration keyword that starts a line inside open
   * brackets: the scanner hands the parser a closing bracket for each
   * (synth_pending more to come), all located at the keyword, then the
   * keyword itself (synth_keyword), so that the declarations after an
   * unclosed bracket are parsed and their errors reported too. */
  bool recover; /* parsing (not dumping tokens): do the above */
  int synth_pending;
  int synth_keyword;       /* the keyword's token, 0 when none is held */
  Span synth_span;         /* the keyword */
  OpenBracket synth_inner; /* the innermost bracket closed */
  bool synth_reported;     /* the parser reported an error at one of them */
} ParseState;

/* Parses source file FILE of SOURCES into an AST allocated in ARENA.
 * Errors go to DIAG; the AST holds every declaration that parsed. */
Ast *parse_file(const SourceSet *sources, int32_t file, Arena *arena, Diag *diag);

/* Writes one line per token of FILE ("1:5-1:9 name `seats`"), for tests
 * and `kenko dump-tokens`. Lexical errors go to DIAG. */
void parse_dump_tokens(const SourceSet *sources, int32_t file, Diag *diag, FILE *out);
const char *parse_token_name(int token);
/* Is only white space before OFFSET on its line? */
bool parse_at_line_start(const ParseState *ps, uint32_t offset);

/* One token of a file: its kind (a bison token number) and its bytes
 * [begin, end) in the file (a string from its opening quote). */
typedef struct LexToken {
  int kind;
  uint32_t begin, end;
} LexToken;

/* Scans FILE with the real scanner into a malloc'ed array of its tokens
 * (*ntokens of them; the end-of-file token not included). Lexical errors
 * go to DIAG. Returns NULL (nothing allocated) when scanning could not
 * start: invalid UTF-8 or a NUL byte (reported). */
LexToken *parse_lex(const SourceSet *sources, int32_t file, Diag *diag, int32_t *ntokens);

/* Helpers called from grammar actions (parse.c). */
void parse_error(ParseState *ps, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Checks an expression node against KENKO_MAX_EXPR_DEPTH. */
Node *parse_expr_depth(ParseState *ps, Node *n);
/* Adds one input modifier (key, optional, in [...], from "..."). */
void parse_input_modifier(ParseState *ps, Node *input, int which, Node *arg, const char *from, Span span);
void parse_push_decl(ParseState *ps, Node *decl);
/* Sets a KPI's `target OP N` (one per KPI: a second one is an error). */
Node *parse_kpi_target(ParseState *ps, Node *kpi, Op op, Node *value, Span span);
/* `expect kpi NAME OP VALUE` in a test. */
Node *parse_expect_kpi(ParseState *ps, const char *name, Span name_span, Op op, Node *value, Span span);

enum { MOD_KEY, MOD_OPTIONAL, MOD_IN, MOD_FROM, MOD_SNAPSHOT, MOD_DISPLAY, MOD_KEPT };

#endif
