/* json.c — the JSON emitter (see json.h). */
#include "io/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(Json *j, Buf *b) {
  j->b = b;
  j->depth = 0;
  j->arrays = 0;
  j->comma = false;
  j->pending = NULL;
}

void json_init_members(Json *j, Buf *b, bool after) {
  json_init(j, b);
  j->depth = 1;
  j->comma = after;
}

void json_put_pending(Json *j) {
  buf_puts(j->b, j->pending);
  j->pending = NULL;
}

void json_too_deep(void) {
  fputs("kenko: JSON nested too deep (a writer's bug)\n", stderr);
  abort();
}

void json_key(Json *j, const char *key) {
  json_sep(j);
  buf_json_str(j->b, key, strlen(key));
  buf_putc(j->b, ':');
  j->comma = false;
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
