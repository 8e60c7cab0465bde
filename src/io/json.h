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
 * indent) before the next member, after its comma. Containers at the top level
 * are written one after another with no separator (JSON Lines: the caller
 * writes the newline). Nesting is limited to JSON_MAX_DEPTH (a writer's
 * bug beyond that, not the data's: it aborts). The emitter owns nothing;
 * the Buf is the caller's. */
#ifndef KENKO_JSON_H
#define KENKO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"

enum { JSON_MAX_DEPTH = 63 };

typedef struct Json {
  Buf *b;
  int32_t depth;       /* containers open */
  uint64_t arrays;     /* bit 0: the innermost open container is an array;
                          bit 1: the one around it; … */
  bool comma;          /* the next member needs a ',' before it */
  const char *pending; /* json_break's text, not yet written */
} Json;

void json_init(Json *j, Buf *b);
/* For writing members of an object whose braces (and, when AFTER, some
 * members before) are written elsewhere, as a writer's plan of fixed text
 * is: as if just inside the object. */
void json_init_members(Json *j, Buf *b, bool after);

void json_put_pending(Json *j);
/* What comes before a member: the comma when it is not the first in its
 * container and does not follow its key, then json_break's text. */
static inline void json_sep(Json *j) {
  if (j->comma) buf_putc(j->b, ',');
  if (j->pending) json_put_pending(j);
  j->comma = true;
}

void json_too_deep(void);
static inline void json_open(Json *j, char c, uint64_t array) {
  if (j->depth >= JSON_MAX_DEPTH) json_too_deep();
  json_sep(j);
  buf_putc(j->b, c);
  j->depth++;
  j->arrays = j->arrays << 1 | array;
  j->comma = false;
}

/* Containers: json_end closes the innermost one open. */
static inline void json_object(Json *j) { json_open(j, '{', 0); }
static inline void json_array(Json *j) { json_open(j, '[', 1); }
static inline void json_end(Json *j) {
  buf_putc(j->b, j->arrays & 1 ? ']' : '}');
  j->arrays >>= 1;
  j->depth--;
  j->comma = j->depth > 0; /* containers at the top level: no separator */
  j->pending = NULL;
}
/* TEXT (whitespace) is written before the next member, after its comma. */
static inline void json_break(Json *j, const char *text) { j->pending = text; }

/* An object's key; its value is the next thing written. */
void json_key(Json *j, const char *key);
/* A key already escaped, with its colon ("\"name\":"); JSON_KEY of a
 * literal that needs no escaping. */
static inline void json_key_raw(Json *j, const char *s, size_t n) {
  json_sep(j);
  buf_put(j->b, s, n);
  j->comma = false;
}
#define JSON_KEY(j, lit) json_key_raw((j), "\"" lit "\":", sizeof("\"" lit "\":") - 1)

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
static inline void json_null(Json *j) {
  json_sep(j);
  buf_put(j->b, "null", 4);
}
/* Text already written as JSON (a writer's plan): one value, or in an
 * object one or more members ("\"a\":1,\"b\":2"). */
static inline void json_raw(Json *j, const char *s, size_t n) {
  json_sep(j);
  buf_put(j->b, s, n);
}

/* A key and its value in one call. */
void json_field_str(Json *j, const char *key, const char *s);
void json_field_num(Json *j, const char *key, double x);
void json_field_count(Json *j, const char *key, uint64_t n);
void json_field_bool(Json *j, const char *key, bool v);
void json_field_null(Json *j, const char *key);

#endif
