/* read_json.c — the JSON Lines tokeniser behind read_data (`.jsonl`: one
 * account per line, the format `kenko run --format jsonl` writes), on
 * jansson, a real JSON parser (surrogate pairs, exact error places).
 *
 * Each line is one JSON object, parsed on its own: a line that is not
 * valid JSON, or not an object, rejects only its account (located at the
 * line and jansson's column) and the file goes on. Blank lines are
 * skipped; a CR before the LF is dropped. Keys that name an input are that
 * field (a key given twice rejects the account); others are ignored.
 *
 * Values: null or an absent key is missing; a string goes through the
 * same conversion as a quoted CSV cell; true and false as the cells
 * "true" and "false"; an integer as its digits (exact up to 2^63, so a
 * `number key` keeps all of them) and any other number as its shortest
 * round-trip form. A list input holds an array of objects whose keys are
 * the element fields. The first bad field rejects the account: the key
 * first, then the inputs in declaration order, each located at its line
 * (column 1: jansson keeps no place of a value).
 *
 * Limits (docs/limits.md): a line of at most 64 MiB, and at most 500,000
 * JSON values in it (jansson builds the line's tree: about 230 bytes a
 * value at worst), so that memory stays bounded whatever the input. */
#include "io/reader.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/numfmt.h"
#include "io/convert.h"
#include "io/intake.h"
#include "kenko.h"

#define JSONL_LINE_MAX   (64u << 20) /* bytes of one line */
#define JSONL_VALUES_MAX 500000      /* JSON values in one line */

/* How V is named in "expected X, got ...". */
static const char *json_kind(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "a list";
  case JSON_STRING: return "a string";
  case JSON_TRUE:
  case JSON_FALSE: return "a bool";
  case JSON_NULL: return "null";
  default: return "a number";
  }
}

/* Converts V for field F into *OUT; false with ERR set when it is bad. */
static bool json_scalar(Intake *in, const FieldSchema *f, const json_t *v, Value *out, char *err) {
  if (!v || json_is_null(v)) return intake_absent(f, out, err);
  char num[40];
  const char *s;
  size_t n;
  bool quoted = false;
  switch (json_typeof(v)) {
  case JSON_STRING:
    s = json_string_value(v);
    n = json_string_length(v);
    quoted = true;
    if (n == 0) return intake_absent(f, out, err);
    break;
  case JSON_INTEGER:
    n = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    s = num;
    break;
  case JSON_REAL:
    n = (size_t)num_format(json_real_value(v), num);
    s = num;
    break;
  case JSON_TRUE:
  case JSON_FALSE:
    s = json_is_true(v) ? "true" : "false";
    n = strlen(s);
    break;
  default:
    snprintf(err, ERR_MESSAGE_MAX, "expected %s, got %s", value_type_name((ValueType)f->type), json_kind(v));
    *out = val_missing(MISS_ABSENT);
    return false;
  }
  if (convert_usual(f, s, n, false, &in->arena, out)) return true;
  if (convert_cell(f, s, n, in->opts, quoted, &in->arena, out, err, ERR_MESSAGE_MAX)) return true;
  *out = val_missing(MISS_ABSENT);
  return false;
}

/* Converts array V of list input LF into *OUT; false with FIELD (the
 * element field, "LIST[I].F") and ERR set when it is bad. */
static bool json_list(Intake *in, const FieldSchema *lf, const json_t *v, Value *out, char *field,
                      char *err) {
  snprintf(field, 256, "%s", lf->column);
  if (!v || json_is_null(v)) return intake_absent(lf, out, err);
  *out = val_missing(MISS_ABSENT);
  if (!json_is_array(v)) {
    snprintf(err, ERR_MESSAGE_MAX, "expected a list, got %s", json_kind(v));
    return false;
  }
  size_t count = json_array_size(v), nf = (size_t)lf->nfields;
  Value *items = count > 0 && nf > 0 ? arena_alloc(&in->arena, count * nf * sizeof *items) : NULL;
  for (size_t i = 0; i < count; i++) {
    const json_t *el = json_array_get(v, i);
    if (!json_is_object(el)) {
      snprintf(field, 256, "%s[%zu]", lf->column, i);
      snprintf(err, ERR_MESSAGE_MAX, "expected an object (a list element), got %s", json_kind(el));
      return false;
    }
    for (size_t k = 0; k < nf; k++) {
      const FieldSchema *ef = &lf->fields[k];
      if (!json_scalar(in, ef, json_object_get(el, ef->column), &items[i * nf + k], err)) {
        snprintf(field, 256, "%s[%zu].%s", lf->column, i, ef->column);
        return false;
      }
    }
  }
  Value list = {0};
  list.type = T_LIST;
  list.len = (uint32_t)count;
  list.u.items = items;
  *out = list;
  return true;
}

/* The id of the account ROOT: its key's text (a number as written by
 * json_scalar), or NULL. */
static const char *json_id(Intake *in, const Value *values) {
  int32_t key = in->schema->key_index;
  if (key < 0) return NULL;
  const Value *k = &values[key];
  if (k->type == T_TEXT) return k->u.text;
  if (k->type == T_NUMBER) {
    char num[40];
    int n = num_format(k->u.num, num);
    return arena_strndup(&in->arena, num, (size_t)n);
  }
  return NULL;
}

/* One line: one account. */
static void json_account(Intake *in, const char *s, size_t n, uint32_t line) {
  Value *values = intake_begin(in);
  const Schema *schema = in->schema;
  for (int32_t i = 0; i < schema->ninputs; i++)
    values[i] = val_missing(MISS_ABSENT);
  const char *place = intake_place_id(in, line);
  size_t nvalues = 1;
  for (size_t i = 0; i < n; i++)
    nvalues += s[i] == ',' || s[i] == '[' || s[i] == '{';
  if (nvalues > JSONL_VALUES_MAX) {
    char msg[96];
    snprintf(msg, sizeof msg, "more than %d JSON values on one line (the limit)", JSONL_VALUES_MAX);
    intake_reject(in, place, NULL, (int)line, 1, NULL, msg);
    return;
  }
  json_error_t jerr;
  json_t *root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
  char err[ERR_MESSAGE_MAX], field[256];
  if (!root) {
    snprintf(err, sizeof err, "JSON syntax: %s", jerr.text);
    intake_reject(in, place, NULL, (int)line, jerr.column > 0 ? jerr.column : 1, NULL, err);
    return;
  }
  if (!json_is_object(root)) {
    snprintf(err, sizeof err, "expected an account (a JSON object), got %s", json_kind(root));
    intake_reject(in, place, NULL, (int)line, 1, NULL, err);
    json_decref(root);
    return;
  }
  /* The key first, then the inputs in declaration order. */
  int32_t key = schema->key_index;
  bool ok = true;
  const char *id = NULL;
  for (int32_t k = -1; k < schema->ninputs && ok; k++) {
    int32_t i = k < 0 ? key : k;
    if (i < 0 || (k >= 0 && i == key)) continue;
    const FieldSchema *f = &schema->inputs[i];
    const json_t *v = json_object_get(root, f->column);
    if (f->type == T_LIST) {
      ok = json_list(in, f, v, &values[i], field, err);
    } else {
      snprintf(field, sizeof field, "%s", f->column);
      ok = json_scalar(in, f, v, &values[i], err);
    }
    if (k < 0 && ok) id = json_id(in, values);
  }
  json_decref(root);
  if (!ok) {
    intake_reject(in, id ? id : place, id ? &values[key] : NULL, (int)line, 1, field, err);
    return;
  }
  intake_accept(in, values, id ? id : place, line);
}

/* Reads the next line of FP into *BUF (without its LF, nor a CR before
 * it): its length, -1 at the end of the file, -2 for a line longer than
 * JSONL_LINE_MAX (skipped). */
static long long next_line(FILE *fp, char **buf, size_t *cap) {
  size_t n = 0;
  int c;
  bool any = false, too_long = false;
  while ((c = getc(fp)) != EOF) {
    any = true;
    if (c == '\n') break;
    if (n >= JSONL_LINE_MAX) {
      too_long = true;
      continue;
    }
    if (n + 1 >= *cap) {
      *cap = *cap ? *cap * 2 : 4096;
      *buf = xrealloc(*buf, *cap);
    }
    (*buf)[n++] = (char)c;
  }
  if (!any) return -1;
  if (too_long) return -2;
  if (n && (*buf)[n - 1] == '\r') n--;
  return (long long)n;
}

int jsonl_read(Intake *in) {
  FILE *fp = data_open(in->source);
  if (!fp) {
    diag_at(in->diag, KENKO_ERROR, in->path, 0, 0, "cannot open: %s", strerror(errno));
    in->stats->file_error = true;
    return KENKO_ERR_USAGE;
  }
  char *buf = NULL;
  size_t cap = 0;
  uint32_t line = 0;
  long long n;
  while (!in->stop && (n = next_line(fp, &buf, &cap)) != -1) {
    line++;
    if (n == -2) {
      intake_begin(in);
      intake_reject(in, intake_place_id(in, line), NULL, (int)line, 1, NULL,
                    "line longer than 64 MiB (the limit for one account)");
      continue;
    }
    size_t i = 0;
    while (i < (size_t)n && (buf[i] == ' ' || buf[i] == '\t'))
      i++;
    if (i == (size_t)n) continue; /* a blank line */
    json_account(in, buf, (size_t)n, line);
  }
  bool read_error = ferror(fp) != 0;
  if (read_error) {
    diag_at(in->diag, KENKO_ERROR, in->path, (int)line, 1, "read error: %s", strerror(errno ? errno : EIO));
    in->stats->file_error = true;
  }
  free(buf);
  data_close(fp);
  return read_error || in->rejected ? KENKO_ERR_DATA : KENKO_OK;
}

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char **jsonl_columns(const char *path, Diag *diag, int32_t *count) {
  enum { ACCOUNTS = 100, KEYS_MAX = 1000000 };
  FILE *fp = data_open(path);
  *count = 0;
  if (!fp) {
    diag_at(diag, KENKO_ERROR, data_name(path), 0, 0, "cannot open: %s", strerror(errno));
    return NULL;
  }
  /* The keys of the first accounts, then sorted and made unique. */
  char **cols = xmalloc(sizeof *cols);
  size_t ncols = 0, capcols = 1;
  int accounts = 0;
  char *buf = NULL;
  size_t cap = 0;
  long long n;
  while (accounts < ACCOUNTS && ncols < KEYS_MAX && (n = next_line(fp, &buf, &cap)) != -1) {
    if (n < 0) continue;
    json_t *root = json_loadb(buf, (size_t)n, 0, NULL);
    if (json_is_object(root)) {
      accounts++;
      const char *k;
      json_t *v;
      json_object_foreach(root, k, v) {
        if (ncols == capcols) {
          capcols *= 2;
          cols = xrealloc(cols, capcols * sizeof *cols);
        }
        cols[ncols++] = xstrdup(k);
      }
    }
    json_decref(root);
  }
  free(buf);
  data_close(fp);
  qsort(cols, ncols, sizeof *cols, by_text);
  size_t kept = 0;
  for (size_t i = 0; i < ncols; i++) {
    if (kept && strcmp(cols[kept - 1], cols[i]) == 0)
      free(cols[i]);
    else
      cols[kept++] = cols[i];
  }
  *count = (int32_t)kept;
  return cols;
}
