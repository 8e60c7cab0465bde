/* read_json.c — the JSON and JSON Lines tokenisers behind read_data (`.jsonl`: one
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
 * first, then the inputs in declaration order, each located at its value
 * (json_value_place finds it in the account's text: jansson keeps no
 * places).
 *
 * Limits (docs/limits.md): a line of at most 64 MiB, and at most 500,000
 * JSON values in it (jansson builds the line's tree: about 230 bytes a
 * value at worst), so that memory stays bounded whatever the input. */
#include "base/i18n.h"
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
  case JSON_OBJECT: return _("an object");
  case JSON_ARRAY: return _("a list");
  case JSON_STRING: return _("a string");
  case JSON_TRUE:
  case JSON_FALSE: return _("a bool");
  case JSON_NULL: return "null";
  default: return _("a number");
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
    snprintf(err, ERR_MESSAGE_MAX, _("expected %s, got %s"), value_type_name((ValueType)f->type),
             json_kind(v));
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
      snprintf(err, ERR_MESSAGE_MAX, _("expected an object (a list element), got %s"), json_kind(el));
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

/* Where the value of top-level key KEY of the account text S (N bytes,
 * starting at LINE, COL0 of the file) begins: *LINE and *COL (columns
 * count characters, as libyaml's do). Unchanged when KEY is not found
 * (jansson keeps no places; this finds the one an error names). */
static void json_value_place(const char *s, size_t n, const char *key, uint32_t *line, uint32_t *col) {
  size_t keylen = strlen(key);
  int depth = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '"') {
      size_t start = i + 1, j = start;
      while (j < n && s[j] != '"')
        j += s[j] == '\\' ? 2 : 1;
      if (j >= n) return;
      size_t k = j + 1;
      while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'))
        k++;
      if (depth == 1 && k < n && s[k] == ':' && j - start == keylen && memcmp(s + start, key, keylen) == 0) {
        k++;
        while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'))
          k++;
        for (size_t m = 0; m < k; m++) {
          if (s[m] == '\n') {
            (*line)++;
            *col = 1;
          } else if (((unsigned char)s[m] & 0xC0) != 0x80) {
            (*col)++;
          }
        }
        return;
      }
      i = j;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if (c == '}' || c == ']') {
      depth--;
    }
  }
}

/* One account: the JSON text S (N bytes) that starts at LINE, COL0 of the
 * file (a JSON Lines line, or one element of a JSON document: WHERE says
 * which in the limit's message, "on one line" or "in one account"). */
static void json_account(Intake *in, const char *s, size_t n, uint32_t line, uint32_t col0,
                         const char *where) {
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
    snprintf(msg, sizeof msg, _("more than %d JSON values %s (the limit)"), JSONL_VALUES_MAX, where);
    intake_reject(in, place, NULL, (int)line, 1, NULL, msg);
    return;
  }
  json_error_t jerr;
  json_t *root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
  char err[ERR_MESSAGE_MAX], field[256];
  if (!root) {
    snprintf(err, sizeof err, _("JSON syntax: %s"), jerr.text); /* jansson's own words: English */
    int err_line = (int)line + (jerr.line > 1 ? jerr.line - 1 : 0);
    int err_col = jerr.column > 0 ? jerr.column : 1;
    if (jerr.line <= 1) err_col += (int)col0 - 1;
    intake_reject(in, place, NULL, err_line, err_col, NULL, err);
    return;
  }
  if (!json_is_object(root)) {
    snprintf(err, sizeof err, _("expected an account (a JSON object), got %s"), json_kind(root));
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
    char top[256];
    snprintf(top, sizeof top, "%.*s", (int)strcspn(field, "["), field);
    uint32_t err_line = line, err_col = col0;
    json_value_place(s, n, top, &err_line, &err_col);
    intake_reject(in, id ? id : place, id ? &values[key] : NULL, (int)err_line, (int)err_col, field, err);
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
                    _("line longer than 64 MiB (the limit for one account)"));
      continue;
    }
    size_t i = 0;
    while (i < (size_t)n && (buf[i] == ' ' || buf[i] == '\t'))
      i++;
    if (i == (size_t)n) continue; /* a blank line */
    json_account(in, buf, (size_t)n, line, 1, _("on one line"));
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

/* ---- JSON documents (.json) ----------------------------------------------
 * A top-level array of accounts, or an object whose "accounts" member is
 * that array (other members are ignored; a second "accounts" is an error,
 * as in YAML). The document is never built as one tree: JsonScan finds
 * each account's bytes (balanced brackets, strings with their escapes) and
 * each account is parsed on its own by jansson, like a JSON Lines line, so
 * memory grows with the largest account, not with the file. */

typedef struct JsonScan {
  FILE *fp;
  int c;              /* the current character (EOF at the end) */
  uint32_t line, col; /* its place, 1-based */
  bool capture;       /* append each character passed to buf */
  char *buf;
  size_t n, cap;
  bool too_long; /* the captured account passed JSONL_LINE_MAX */
} JsonScan;

/* Moves past the current character (capturing it when asked). */
static void js_next(JsonScan *s) {
  if (s->c == EOF) return;
  if (s->capture) {
    if (s->n >= JSONL_LINE_MAX) {
      s->too_long = true;
    } else {
      if (s->n + 1 >= s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->buf = xrealloc(s->buf, s->cap);
      }
      s->buf[s->n++] = (char)s->c;
    }
  }
  if (s->c == '\n') {
    s->line++;
    s->col = 1;
  } else {
    s->col++;
  }
  s->c = getc(s->fp);
}

static void js_skip_space(JsonScan *s) {
  while (s->c == ' ' || s->c == '\t' || s->c == '\n' || s->c == '\r')
    js_next(s);
}

/* Passes a string (the current character is its `"`); false at EOF. */
static bool js_skip_string(JsonScan *s) {
  js_next(s);
  while (s->c != EOF) {
    if (s->c == '\\') {
      js_next(s);
      if (s->c == EOF) return false;
    } else if (s->c == '"') {
      js_next(s);
      return true;
    }
    js_next(s);
  }
  return false;
}

/* Passes one value, nested ones included, without judging it (jansson
 * does); false when the file ends inside it. */
static bool js_skip_value(JsonScan *s) {
  long depth = 0;
  do {
    if (s->c == EOF) return false;
    if (s->c == '"') {
      if (!js_skip_string(s)) return false;
    } else if (s->c == '{' || s->c == '[') {
      depth++;
      js_next(s);
    } else if (s->c == '}' || s->c == ']') {
      if (depth == 0) return true; /* the end of the enclosing container */
      depth--;
      js_next(s);
    } else if (depth == 0 && (s->c == ',' || s->c == ' ' || s->c == '\t' || s->c == '\n' || s->c == '\r')) {
      return true;
    } else {
      js_next(s);
    }
  } while (depth > 0 || (s->c != ',' && s->c != '}' && s->c != ']' && s->c != EOF && s->c != ' ' &&
                         s->c != '\t' && s->c != '\n' && s->c != '\r'));
  return true;
}

/* The character C for a message. */
static const char *js_shown(int c, char tmp[32]) {
  if (c == EOF) return _("the end of the file");
  if (c >= 0x21 && c < 0x7f)
    snprintf(tmp, 32, "`%c`", c);
  else
    snprintf(tmp, 32, _("byte 0x%02X"), (unsigned)c);
  return tmp;
}

/* A structural error at the scanner's place: the account being read (or
 * the one that would come next) is rejected, and reading stops. */
static void js_broken(Intake *in, JsonScan *s, const char *expected) {
  char tmp[32], msg[160];
  snprintf(msg, sizeof msg, _("JSON syntax: expected %s, got %s"), _(expected), js_shown(s->c, tmp));
  intake_begin(in);
  intake_reject(in, intake_place_id(in, s->line), NULL, (int)s->line, (int)s->col, NULL, msg);
  in->stop = true;
}

/* Reads the array of accounts (the current character is its `[`); with
 * SECOND (a second `accounts` key) each account is rejected, not read. */
static void js_accounts(Intake *in, JsonScan *s, bool second) {
  js_next(s);
  js_skip_space(s);
  if (s->c == ']') {
    js_next(s);
    return;
  }
  while (!in->stop) {
    uint32_t line = s->line, col = s->col;
    s->capture = true;
    s->n = 0;
    s->too_long = false;
    bool whole = js_skip_value(s);
    s->capture = false;
    if (!whole) {
      js_broken(in, s, "the rest of the account");
      return;
    }
    if (second) {
      intake_begin(in);
      intake_reject(in, intake_place_id(in, line), NULL, (int)line, (int)col, NULL,
                    _("an account under a second `accounts` key (only the first is read)"));
    } else if (s->too_long) {
      intake_begin(in);
      intake_reject(in, intake_place_id(in, line), NULL, (int)line, (int)col, NULL,
                    _("account longer than 64 MiB (the limit for one account)"));
    } else {
      json_account(in, s->buf, s->n, line, col, _("in one account"));
    }
    js_skip_space(s);
    if (s->c == ',') {
      js_next(s);
      js_skip_space(s);
    } else if (s->c == ']') {
      js_next(s);
      return;
    } else {
      js_broken(in, s, "`,` or `]` after an account");
      return;
    }
  }
}

/* The text of the key string at the scanner (decoded: escapes and
 * surrogate pairs), malloc'ed, or NULL when it is not a valid string. */
static char *js_key(JsonScan *s) {
  s->capture = true;
  s->n = 0;
  s->too_long = false;
  bool whole = js_skip_string(s);
  s->capture = false;
  if (!whole || s->too_long) return NULL;
  json_t *k = json_loadb(s->buf, s->n, JSON_DECODE_ANY, NULL);
  char *text = json_is_string(k) ? xstrdup(json_string_value(k)) : NULL;
  json_decref(k);
  return text;
}

/* Reads the object holding `accounts` (the current character is `{`). */
static void js_document_object(Intake *in, JsonScan *s) {
  bool seen = false;
  js_next(s);
  js_skip_space(s);
  if (s->c == '}') {
    js_next(s);
    return;
  }
  while (!in->stop) {
    if (s->c != '"') return js_broken(in, s, "a key (a string)");
    uint32_t line = s->line, col = s->col;
    char *key = js_key(s);
    if (!key) return js_broken(in, s, "the end of the key");
    bool accounts = strcmp(key, "accounts") == 0;
    free(key);
    js_skip_space(s);
    if (s->c != ':') return js_broken(in, s, "`:` after the key");
    js_next(s);
    js_skip_space(s);
    if (accounts && seen)
      diag_at(in->diag, KENKO_ERROR, in->path, (int)line, (int)col,
              "a second `accounts` key: the accounts are read from the first one only");
    if (accounts) {
      if (s->c != '[') return js_broken(in, s, "a list of accounts after `accounts`");
      js_accounts(in, s, seen);
      seen = true;
      if (in->stop) return;
    } else if (!js_skip_value(s)) {
      return js_broken(in, s, "a value");
    }
    js_skip_space(s);
    if (s->c == ',') {
      js_next(s);
      js_skip_space(s);
    } else if (s->c == '}') {
      js_next(s);
      return;
    } else {
      return js_broken(in, s, "`,` or `}`");
    }
  }
}

int json_read(Intake *in) {
  FILE *fp = data_open(in->source);
  if (!fp) {
    diag_at(in->diag, KENKO_ERROR, in->path, 0, 0, "cannot open: %s", strerror(errno));
    in->stats->file_error = true;
    return KENKO_ERR_USAGE;
  }
  JsonScan s = {.fp = fp, .line = 1, .col = 1};
  s.c = getc(fp);
  if (s.c == 0xEF) { /* a UTF-8 byte order mark */
    int b = getc(fp), c = getc(fp);
    if (b == 0xBB && c == 0xBF) {
      s.c = getc(fp);
    } else {
      if (c != EOF) ungetc(c, fp);
      /* not a BOM: jansson will report the bytes in the account */
      s.c = 0xEF;
      if (b != EOF) ungetc(b, fp);
    }
  }
  js_skip_space(&s);
  if (s.c == '[')
    js_accounts(in, &s, false);
  else if (s.c == '{')
    js_document_object(in, &s);
  else if (s.c != EOF)
    js_broken(in, &s, "a list of accounts, or an object with `accounts`");
  if (!in->stop) {
    js_skip_space(&s);
    if (s.c != EOF) {
      char tmp[32];
      diag_at(in->diag, KENKO_ERROR, in->path, (int)s.line, (int)s.col,
              "JSON syntax: %s after the end of the document", js_shown(s.c, tmp));
      in->stats->file_error = true;
    }
  }
  bool read_error = ferror(fp) != 0;
  if (read_error) {
    diag_at(in->diag, KENKO_ERROR, in->path, (int)s.line, 1, "read error: %s", strerror(errno ? errno : EIO));
    in->stats->file_error = true;
  }
  free(s.buf);
  data_close(fp);
  return read_error || in->rejected || in->stats->file_error ? KENKO_ERR_DATA : KENKO_OK;
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
