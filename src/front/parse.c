/* parse.c — the parse driver: runs the scanner and parser over one source
 * file, and the small helpers grammar actions call. */
#include "front/parse.h"
#include "base/numfmt.h"
#include "base/i18n.h"
#include "base/value.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#define YYSTYPE KK_YYSTYPE
#define YYLTYPE KK_YYLTYPE
#include "lexer.h"

void parse_error(ParseState *ps, Span span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_report(ps->diag, KENKO_ERROR, span, fmt, ap);
  va_end(ap);
}

Node *parse_expr_depth(ParseState *ps, Node *n) {
  if (n->kind == E_LIST || n->kind == E_CALL) {
    uint32_t d = 0;
    for (int32_t i = 0; i < n->list.count; i++)
      if (n->list.items[i]->depth > d) d = n->list.items[i]->depth;
    n->depth = d + 1;
  }
  if (n->depth > KENKO_MAX_EXPR_DEPTH && !ps->fatal) {
    parse_error(ps, n->span, "expression nested too deeply (limit is %d levels)", KENKO_MAX_EXPR_DEPTH);
    ps->fatal = true;
  }
  if (n->depth > KENKO_MAX_EXPR_DEPTH) {
    /* Keep the tree shallow so no later stage recurses past the limit. */
    Node *cut = ast_new(ps->arena, E_MISSING, n->span);
    return cut;
  }
  return n;
}

Node *parse_kpi_target(ParseState *ps, Node *kpi, Op op, Node *value, Span span) {
  if (kpi->b)
    parse_error(ps, value->span, "`target` is given twice for `%s`", kpi->name ? kpi->name : "?");
  else {
    kpi->op = (uint8_t)op;
    kpi->b = value;
  }
  kpi->span = span;
  return kpi;
}

Node *parse_expect_kpi(ParseState *ps, const char *name, Span name_span, Op op, Node *value, Span span) {
  Node *n = ast_new(ps->arena, P_EXPECT_KPI, span);
  ast_set_name(n, name, name_span, NULL);
  n->op = (uint8_t)op;
  n->a = value;
  return n;
}

static const char *const modifier_names[] = {"key", "optional", "in", "from", "snapshot", "display", "kept"};

void parse_input_modifier(ParseState *ps, Node *input, int which, Node *arg, const char *from, Span span) {
  unsigned flag = 0;
  int dup = 0;
  switch (which) {
  case MOD_KEY:
    flag = NF_KEY;
    dup = (input->flags & flag) != 0;
    break;
  case MOD_OPTIONAL:
    flag = NF_OPTIONAL;
    dup = (input->flags & flag) != 0;
    break;
  case MOD_IN:
    dup = input->b != NULL;
    if (!dup) input->b = arg;
    break;
  case MOD_SNAPSHOT:
    flag = NF_SNAPSHOT;
    dup = (input->flags & flag) != 0;
    break;
  case MOD_DISPLAY:
    flag = NF_DISPLAY;
    dup = (input->flags & flag) != 0;
    break;
  case MOD_KEPT:
    flag = NF_KEPT;
    dup = (input->flags & flag) != 0;
    break;
  case MOD_FROM:
    dup = input->str != NULL;
    if (!dup) input->str = from;
    break;
  default: return;
  }
  if (dup)
    parse_error(ps, span, "`%s` is given twice for `%s`", modifier_names[which],
                input->name ? input->name : "?");
  input->flags |= (uint16_t)flag;
}

/* What the items of N's list are called, when N is a block that
 * KENKO_MAX_ITEMS limits; NULL otherwise. */
static const char *block_items(const Node *n) {
  switch ((NodeKind)n->kind) {
  case D_DIMENSION: return _("members");
  case P_BANDS: return _("bands");
  case D_GRADES: return _("grades");
  case D_PERSONA: return _("overrides");
  case D_SEGMENT: return _("cases");
  case D_JOURNEY: return _("steps");
  case D_FORECAST: return _("rates");
  case D_TEST: return _("lines");
  case P_GIVEN:
  case E_RECORD:
  case T_TYPE: return _("fields");
  case P_GIVEN_LIST: return _("accounts");
  case E_LIST: return _("values");
  default: return NULL;
  }
}

/* Reports every block under N (a declaration, or a part of one; never an
 * expression, except the literal lists of allowed values and test data)
 * with more than KENKO_MAX_ITEMS items. Recursion follows test data, whose
 * nesting the scanner's bracket limit bounds. */
static void check_blocks(ParseState *ps, const Node *n) {
  if (!n) return;
  const char *items = block_items(n);
  if (items && n->list.count > KENKO_MAX_ITEMS)
    parse_error(ps, n->list.items[KENKO_MAX_ITEMS]->span, "too many %s in one block (limit is %d)", items,
                KENKO_MAX_ITEMS);
  switch ((NodeKind)n->kind) {
  case D_INPUT:
    check_blocks(ps, n->a);
    check_blocks(ps, n->b);
    return;
  case P_FIELD_DECL: check_blocks(ps, n->b); return;
  case P_FIELD_VALUE:
    if (n->a && (n->a->kind == E_LIST || n->a->kind == E_RECORD)) check_blocks(ps, n->a);
    return;
  case E_LIST:
    for (int32_t i = 0; i < n->list.count; i++)
      if (n->list.items[i]->kind == E_LIST || n->list.items[i]->kind == E_RECORD)
        check_blocks(ps, n->list.items[i]);
    return;
  case D_DIMENSION:
  case D_PERSONA:
  case D_TEST:
  case P_GIVEN:
  case P_GIVEN_LIST:
  case E_RECORD:
  case T_TYPE:
    for (int32_t i = 0; i < n->list.count; i++)
      check_blocks(ps, n->list.items[i]);
    return;
  default: return;
  }
}

bool parse_at_line_start(const ParseState *ps, uint32_t offset) {
  const char *text = ps->src->text;
  while (offset > ps->base && text[offset - 1] != '\n') {
    offset--;
    if (text[offset] != ' ' && text[offset] != '\t' && text[offset] != '\r') return false;
  }
  return true;
}

/* Adds a parsed declaration; past KENKO_MAX_DECLS, reports the limit once
 * and drops the rest. */
void parse_push_decl(ParseState *ps, Node *decl) {
  if (ps->ndecls >= KENKO_MAX_DECLS) {
    if (!ps->fatal)
      parse_error(ps, decl->span, "too many declarations in one file (limit is %d)", KENKO_MAX_DECLS);
    ps->fatal = true;
    return;
  }
  check_blocks(ps, decl);
  ps->ndecls++;
  ast_push(ps->arena, &ps->ast->decls, decl);
}

/* Sets up PS to scan FILE, and starts the scanner over its text (after
 * a BOM). Returns the buffer, or NULL when the file is not valid UTF-8
 * (reported: every byte after it would only give follow-on errors) or
 * the scanner cannot start. */
static YY_BUFFER_STATE begin_scan(ParseState *ps, const SourceSet *sources, int32_t file, Arena *arena,
                                  Diag *diag, yyscan_t *scanner) {
  const Source *src = src_get(sources, file);
  memset(ps, 0, sizeof *ps);
  ps->arena = arena;
  ps->diag = diag;
  ps->src = src;
  ps->file = file;
  long bad = utf8_first_invalid(src->text, src->len);
  if (bad >= 0) {
    Span at = {file, (uint32_t)bad, (uint32_t)bad + 1};
    diag_error(diag, at, "invalid UTF-8 (byte 0x%02X); rule files must be UTF-8",
               (unsigned)(unsigned char)src->text[bad]);
    return NULL;
  }
  if (src->len >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0) ps->base = 3;
  if (kk_yylex_init_extra(ps, scanner) != 0) {
    diag_error(diag, SPAN_NONE, "cannot start the scanner");
    return NULL;
  }
  return kk_yy_scan_bytes(src->text + ps->base, (int)(src->len - ps->base), *scanner);
}

static void end_scan(ParseState *ps, YY_BUFFER_STATE buf, yyscan_t scanner) {
  kk_yy_delete_buffer(buf, scanner);
  kk_yylex_destroy(scanner);
  free(ps->sbuf);
}

/* The offset of the first NUL byte of SRC when the text before it is valid
 * UTF-8, else -1. A rule file holding a NUL is not text (often UTF-16 or
 * a binary file): it is refused before scanning, because the scanner
 * would rescan a token for every NUL inside it (a string or comment of
 * NULs takes quadratic time) and a string would end at the first NUL. */
static long first_nul(const Source *src) {
  const char *nul = memchr(src->text, '\0', src->len);
  if (!nul) return -1;
  size_t at = (size_t)(nul - src->text);
  return utf8_first_invalid(src->text, at) < 0 ? (long)at : -1;
}

Ast *parse_file(const SourceSet *sources, int32_t file, Arena *arena, Diag *diag) {
  Ast *ast = arena_alloc(arena, sizeof *ast);
  long nul = first_nul(src_get(sources, file));
  if (nul >= 0) {
    Span at = {file, (uint32_t)nul, (uint32_t)nul + 1};
    diag_error(diag, at, "unexpected NUL byte");
    return ast;
  }
  ParseState ps;
  yyscan_t scanner;
  YY_BUFFER_STATE buf = begin_scan(&ps, sources, file, arena, diag, &scanner);
  if (!buf) return ast;
  ps.ast = ast;
  ps.recover = true;
  kk_yyparse(scanner, &ps);
  end_scan(&ps, buf, scanner);
  return ast;
}

/* Runs the scanner over FILE and calls FN with each token (the end of
 * the file not included). False when scanning could not start. */
typedef void (*TokenFn)(void *ud, const Source *src, int tok, const KK_YYSTYPE *val, const KK_YYLTYPE *loc);

static bool each_token(const SourceSet *sources, int32_t file, Diag *diag, TokenFn fn, void *ud) {
  Arena arena;
  arena_init(&arena, 0);
  ParseState ps;
  yyscan_t scanner;
  YY_BUFFER_STATE buf = begin_scan(&ps, sources, file, &arena, diag, &scanner);
  if (!buf) {
    arena_free(&arena);
    return false;
  }
  for (;;) {
    KK_YYSTYPE val;
    KK_YYLTYPE loc;
    memset(&val, 0, sizeof val);
    int tok = kk_yylex(&val, &loc, scanner);
    if (tok == 0) break;
    fn(ud, ps.src, tok, &val, &loc);
  }
  end_scan(&ps, buf, scanner);
  arena_free(&arena);
  return true;
}

static void dump_token(void *ud, const Source *src, int tok, const KK_YYSTYPE *val, const KK_YYLTYPE *loc) {
  FILE *out = ud;
  int l1, c1, l2, c2;
  src_line_col(src, loc->begin, &l1, &c1);
  src_line_col(src, loc->end, &l2, &c2);
  fprintf(out, "%d:%d-%d:%d %s", l1, c1, l2, c2, parse_token_name(tok));
  char num[32];
  switch (tok) {
  case IDENT: fprintf(out, " %s", val->IDENT); break;
  case STRING: fprintf(out, " \"%s\"", val->STRING); break;
  case NUMBER:
    num_format(val->NUMBER, num);
    fprintf(out, " %s", num);
    break;
  case PERCENT:
    num_format(val->PERCENT, num);
    fprintf(out, " %s", num);
    break;
  case DATE:
    date_format(val->DATE, num);
    fprintf(out, " %s", num);
    break;
  case DURATION:
    fprintf(out, " %lld%s", (long long)(val->DURATION / 4), duration_unit_text((int)(val->DURATION % 4)));
    break;
  default: break;
  }
  fputc('\n', out);
}

void parse_dump_tokens(const SourceSet *sources, int32_t file, Diag *diag, FILE *out) {
  each_token(sources, file, diag, dump_token, out);
}

typedef struct TokenList {
  LexToken *items;
  int32_t n, cap;
} TokenList;

static void add_token(void *ud, const Source *src, int tok, const KK_YYSTYPE *val, const KK_YYLTYPE *loc) {
  TokenList *list = ud;
  (void)src;
  (void)val;
  if (list->n == list->cap) {
    list->cap = list->cap ? list->cap * 2 : 256;
    list->items = xrealloc(list->items, (size_t)list->cap * sizeof *list->items);
  }
  list->items[list->n++] = (LexToken){tok, loc->begin, loc->end};
}

LexToken *parse_lex(const SourceSet *sources, int32_t file, Diag *diag, int32_t *ntokens) {
  *ntokens = 0;
  long nul = first_nul(src_get(sources, file));
  if (nul >= 0) {
    Span at = {file, (uint32_t)nul, (uint32_t)nul + 1};
    diag_error(diag, at, "unexpected NUL byte");
    return NULL;
  }
  TokenList list = {NULL, 0, 0};
  if (!each_token(sources, file, diag, add_token, &list)) return NULL;
  *ntokens = list.n;
  return list.items ? list.items : xmalloc(1);
}
