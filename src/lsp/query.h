/* query.h — what the language server asks of a checked program: the name
 * at a place, where it is declared, what to say about it, the
 * declarations of a file, and the names to complete. Positions here are
 * byte offsets into one source file of the program; the server turns them
 * into LSP positions. */
#ifndef KENKO_LSP_QUERY_H
#define KENKO_LSP_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "front/program.h"

/* The name under byte OFFSET of FILE: an expression's name, a member
 * after `DIM.`, a function, or a declaration's own name. */
typedef struct QueryRef {
  bool found;
  Span span;          /* the name's bytes */
  RefKind kind;       /* what it refers to (REF_NONE for a declaration) */
  int32_t index, sub; /* as in Node.ref_index / ref_sub */
  int32_t aux;        /* symbol kind for REF_SYMBOL */
  const Node *decl;   /* the declaration it names, or NULL (built-ins) */
  const char *name;
  uint8_t type; /* ValueType of the expression, when one */
} QueryRef;

QueryRef query_at(const Program *p, int32_t file, uint32_t offset);

/* Markdown for a hover over R. */
void query_hover(const Program *p, const QueryRef *r, Buf *out);

/* One declaration for the outline: NAME (and DETAIL), the declaration's
 * span and its name's; children follow with depth + 1. */
typedef struct QuerySymbol {
  const char *name;
  const char *detail; /* label, or NULL */
  int kind;           /* LSP SymbolKind */
  Span span, name_span;
  int depth; /* 0 for a declaration, 1 for its members/cases/steps */
} QuerySymbol;

/* The declarations of FILE in source order, members after their
 * declaration. Returns a malloc'ed array of *n symbols. */
QuerySymbol *query_symbols(const Program *p, int32_t file, int32_t *n);

/* Completion candidates. */
typedef struct QueryItem {
  const char *label;
  const char *detail; /* NULL or a short description */
  int kind;           /* LSP CompletionItemKind */
} QueryItem;

typedef void (*QueryItemFn)(void *ud, const QueryItem *item);
/* After `OWNER.`: the members of dimension OWNER and `grade`, or the
 * fields of list input OWNER. False when OWNER is neither. */
bool query_members(const Program *p, const char *owner, size_t len, QueryItemFn fn, void *ud);
/* Everything a name may be at an expression's place: declared names,
 * symbols, built-in functions, keywords. P may be NULL (keywords and
 * built-ins only). */
void query_names(const Program *p, QueryItemFn fn, void *ud);

/* A declaration named NAME (any kind), or NULL. */
const Node *query_decl_named(const Program *p, const char *name);

#endif
