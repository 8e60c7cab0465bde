/* json.c — the JSON emitter (see json.h). */
#include "io/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(Json *j, Buf *b) {
  j->b = b;
  j->depth = 0;
  j->has_items = 0;
  j->arrays = 0;
  j->after_key = false;
  j->pending = NULL;
}

static void open_container(Json *j, char c, bool array) {
  json_sep(j);
  if (j->depth >= JSON_MAX_DEPTH) {
    fputs("kenko: JSON nested too deep (a writer's bug)\n", stderr);
    abort();
  }
  buf_putc(j->b, c);
  j->depth++;
  uint64_t bit = 1ull << j->depth;
  j->has_items &= ~bit;
  if (array)
    j->arrays |= bit;
  else
    j->arrays &= ~bit;
}

void json_object(Json *j) { open_container(j, '{', false); }

void json_array(Json *j) { open_container(j, '[', true); }

void json_end(Json *j) {
  if (j->depth <= 0) {
    fputs("kenko: JSON container closed twice (a writer's bug)\n", stderr);
    abort();
  }
  buf_putc(j->b, j->arrays & (1ull << j->depth) ? ']' : '}');
  j->depth--;
  j->pending = NULL;
}

void json_key(Json *j, const char *key) {
  json_sep(j);
  buf_json_str(j->b, key, strlen(key));
  buf_putc(j->b, ':');
  j->after_key = true;
}

void json_str(Json *j, const char *s, size_t n) {
  json_sep(j);
  buf_json_str(j->b, s, n);
}

void json_cstr(Json *j, const char *s) {
  json_sep(j);
  buf_json_cstr(j->b, s);
}

void json_count(Json *j, uint64_t n) {
  json_sep(j);
  buf_u64(j->b, n);
}

void json_bool(Json *j, bool v) {
  json_sep(j);
  if (v)
    buf_put(j->b, "true", 4);
  else
    buf_put(j->b, "false", 5);
}

void json_null(Json *j) {
  json_sep(j);
  buf_put(j->b, "null", 4);
}

void json_raw(Json *j, const char *s, size_t n) {
  json_sep(j);
  buf_put(j->b, s, n);
}

void json_field_str(Json *j, const char *key, const char *s) {
  json_key(j, key);
  json_cstr(j, s);
}

void json_field_num(Json *j, const char *key, double x) {
  json_key(j, key);
  json_num(j, x);
}

void json_field_count(Json *j, const char *key, uint64_t n) {
  json_key(j, key);
  json_count(j, n);
}

void json_field_bool(Json *j, const char *key, bool v) {
  json_key(j, key);
  json_bool(j, v);
}

void json_field_null(Json *j, const char *key) {
  json_key(j, key);
  json_null(j);
}
