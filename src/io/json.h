/* json.h — a small JSON emitter over a Buf: objects, arrays, keys,
 * escaped strings, numbers (the shortest round-trip text, as every writer
 * writes them), counts, booleans and null. It keeps the commas: each
 * member writes the ',' it needs, so callers never spell `",\"key\":"`.
 *
 *   Json j;
 *   json_init(&j, buf);
 *   json_object(&j);
 *   json_field_str(&j, "id", id);      {"id":"a-1",
 *   json_key(&j, "scores");            "scores":
 *   json_array(&j);                    [
 *   json_num(&j, 1.5);                 1.5
 *   json_end(&j);                      ]
 *   json_end(&j);                      }
 *
 * Output is compact; json_break asks for whitespace (a newline, an
 * indent) before the next member, after its comma. Values at the top level
 * are written one after another with no separator (JSON Lines: the caller
 * writes the newline). Nesting is limited to JSON_MAX_DEPTH (a writer's
 * bug beyond that, not the data's: it aborts). The emitter owns nothing;
 * the Buf is the caller's. */
#ifndef KENKO_JSON_H
#define KENKO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

enum { JSON_MAX_DEPTH = 63 };

typedef struct Json {
  Buf *b;
  int32_t depth;       /* containers open */
  uint64_t has_items;  /* bit d: the container at depth d has a member */
  uint64_t arrays;     /* bit d: it is an array (else an object) */
  bool after_key;      /* a key was written: its value comes next */
  const char *pending; /* json_break's text, not yet written */
} Json;

void json_init(Json *j, Buf *b);

/* What comes before a member: the comma when the container has one
 * already, then json_break's text; nothing after a key. */
static inline void json_sep(Json *j) {
  if (j->after_key) {
    j->after_key = false;
    return;
  }
  uint64_t bit = (1ull << j->depth) & ~1ull; /* none at the top level */
  if (j->has_items & bit) buf_putc(j->b, ',');
  j->has_items |= bit;
  if (j->pending) {
    buf_puts(j->b, j->pending);
    j->pending = NULL;
  }
}

/* Containers: json_end closes the innermost one open. */
void json_object(Json *j);
void json_array(Json *j);
void json_end(Json *j);
/* TEXT (whitespace) is written before the next member, after its comma. */
static inline void json_break(Json *j, const char *text) { j->pending = text; }

/* An object's key; its value is the next thing written. */
void json_key(Json *j, const char *key);

/* Values. */
void json_str(Json *j, const char *s, size_t n);
/* S as a string, or null when S is NULL. */
void json_cstr(Json *j, const char *s);
/* X as its shortest round-trip text; null when NaN or infinite. */
static inline void json_num(Json *j, double x) {
  json_sep(j);
  buf_json_num(j->b, x);
}
void json_count(Json *j, uint64_t n);
void json_bool(Json *j, bool v);
void json_null(Json *j);
/* A value already written as JSON (a writer's plan of fixed text). */
void json_raw(Json *j, const char *s, size_t n);

/* A key and its value in one call. */
void json_field_str(Json *j, const char *key, const char *s);
void json_field_num(Json *j, const char *key, double x);
void json_field_count(Json *j, const char *key, uint64_t n);
void json_field_bool(Json *j, const char *key, bool v);
void json_field_null(Json *j, const char *key);

#endif
