/* reader.c — the front door of the data readers (see reader.h): which
 * format a file is in, the per-account rules every format shares
 * (intake.h), and the columns check of `kenko check --data`. The format
 * readers (read_csv.c, read_yaml.c) only tokenise. */
#include "io/reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/numfmt.h"
#include "front/source.h"
#include "io/intake.h"
#include "kenko.h"

/* ---- formats ------------------------------------------------------------- */

/* Case-insensitive equality of the ASCII strings A and B. */
static bool same_ascii_nocase(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
    char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
    if (x != y) return false;
  }
  return *a == *b;
}

DataFormat reader_format_for(const char *path) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) return FMT_AUTO;
  const char *ext = dot + 1;
  if (same_ascii_nocase(ext, "csv")) return FMT_CSV;
  if (same_ascii_nocase(ext, "yaml") || same_ascii_nocase(ext, "yml")) return FMT_YAML;
  if (same_ascii_nocase(ext, "json")) return FMT_JSON;
  if (same_ascii_nocase(ext, "jsonl")) return FMT_JSONL;
  return FMT_AUTO;
}

DataFormat reader_format(const char *path, const char *forced, Diag *diag) {
  DataFormat fmt = reader_format_for(path);
  if (forced) {
    if (strcmp(forced, "csv") == 0)
      fmt = FMT_CSV;
    else if (strcmp(forced, "yaml") == 0)
      fmt = FMT_YAML;
    else if (strcmp(forced, "json") == 0)
      fmt = FMT_JSON;
    else if (strcmp(forced, "jsonl") == 0)
      fmt = FMT_JSONL;
  }
  if (fmt == FMT_AUTO && diag && strcmp(path, "-") == 0)
    diag_at(
        diag, KENKO_ERROR, data_name(path), 0, 0,
        "standard input has no file name to tell the data format by; use --input-format csv|yaml|json|jsonl");
  else if (fmt == FMT_AUTO && diag)
    diag_at(diag, KENKO_ERROR, path, 0, 0,
            "cannot tell the data format from the file name; use --input-format csv|yaml|json|jsonl");
  return fmt;
}

int read_data(const char *path, DataFormat fmt, const Schema *schema, const ReadOpts *opts, Diag *diag,
              AccountFn fn, void *ud, ReadStats *stats) {
  if (fmt == FMT_AUTO) fmt = reader_format(path, NULL, diag);
  if (fmt == FMT_AUTO) return KENKO_ERR_USAGE;
  Intake in;
  intake_init(&in, path, schema, opts, diag, fn, ud, stats);
  int status = intake_read(&in, fmt);
  intake_free(&in);
  return status;
}

int intake_read(Intake *in, DataFormat fmt) {
  return fmt == FMT_CSV     ? csv_read(in)
         : fmt == FMT_JSONL ? jsonl_read(in)
         : fmt == FMT_JSON  ? json_read(in)
                            : yaml_read(in);
}

/* ---- files -------------------------------------------------------------- */

FILE *data_open(const char *path) {
  FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!fp) return NULL;
  struct stat st;
  if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
    data_close(fp);
    errno = EISDIR;
    return NULL;
  }
  return fp;
}

void data_close(FILE *fp) {
  if (fp && fp != stdin) fclose(fp);
}

const char *data_name(const char *path) { return strcmp(path, "-") == 0 ? "<stdin>" : path; }

/* ---- accounts ------------------------------------------------------------- */

void intake_init(Intake *in, const char *path, const Schema *schema, const ReadOpts *opts, Diag *diag,
                 AccountFn fn, void *ud, ReadStats *stats) {
  memset(in, 0, sizeof *in);
  in->source = path;
  in->path = data_name(path);
  in->path_len = strlen(in->path);
  in->schema = schema;
  in->opts = opts;
  in->diag = diag;
  in->fn = fn;
  in->ud = ud;
  in->stats = stats;
  in->name_index = -1;
  for (int32_t i = 0; schema && i < schema->ninputs; i++)
    if (schema->inputs[i].display) in->name_index = i;
  arena_init(&in->arena, 64 * 1024);
}

void intake_free(Intake *in) { arena_free(&in->arena); }

Value *intake_begin(Intake *in) {
  if (in->begin_hook)
    in->begin_hook(in);
  else
    arena_reset(&in->arena);
  return arena_alloc(&in->arena, ((size_t)in->schema->ninputs + 1) * sizeof(Value));
}

const char *intake_place_id(Intake *in, uint32_t line) {
  char digits[20];
  int n = uint_text(digits, line);
  char *id = arena_alloc(&in->arena, in->path_len + 1 + (size_t)n + 1); /* zeroed */
  memcpy(id, in->path, in->path_len);
  id[in->path_len] = ':';
  memcpy(id + in->path_len + 1, digits, (size_t)n);
  return id;
}

bool intake_absent(const FieldSchema *f, Value *out, char *err) {
  *out = val_missing(MISS_ABSENT);
  if (!field_required(f)) return true;
  snprintf(err, ERR_MESSAGE_MAX, "%s", _("missing required value"));
  return false;
}

void intake_reject(Intake *in, const char *id, const Value *key, int line, int col, const char *field,
                   const char *msg) {
  in->stats->accounts++;
  char quoted_id[ID_MESSAGE_MAX * 4 + 8];
  text_for_message(quoted_id, sizeof quoted_id, id, strlen(id), ID_MESSAGE_MAX);
  if (in->opts && in->opts->on_reject)
    in->opts->on_reject(in->opts->reject_ud, line, col, field, quoted_id, msg);
  else if (field)
    diag_at(in->diag, KENKO_ERROR, in->path, line, col, "account \"%s\": field \"%s\": %s", quoted_id, field,
            msg);
  else
    diag_at(in->diag, KENKO_ERROR, in->path, line, col, "account \"%s\": %s", quoted_id, msg);
  in->stats->rejected++;
  in->rejected = true;
  if (in->opts && in->opts->strict) in->stop = true;
  if (key && in->opts && in->opts->rejected_key) in->opts->rejected_key(in->opts->rejected_ud, key, id);
}

void intake_cut(Intake *in) {
  in->stats->accounts++;
  in->stats->rejected++;
}

/* ---- columns ---------------------------------------------------------------- */

/* "" or "; did you mean \"NAME\"?" for a missing COLUMN, NAME the closest
 * of the N header names COLS (a column spelled with a different space or
 * a typo), into DST; when a header name is not UTF-8, the hint for
 * `--encoding` instead. */
static void column_suggestion(char *dst, size_t dstsz, const char *column, char *const *cols, int32_t n) {
  dst[0] = '\0';
  for (int32_t j = 0; j < n; j++)
    if (utf8_first_invalid(cols[j], strlen(cols[j])) >= 0) {
      snprintf(dst, dstsz, _("; the header is not UTF-8: give the file's encoding with `--encoding`"));
      return;
    }
  const char *near = diag_suggest(column, (const char *const *)cols, (int)n);
  if (!near) return;
  char quoted[ID_MESSAGE_MAX * 4 + 8];
  text_for_message(quoted, sizeof quoted, near, strlen(near), ID_MESSAGE_MAX);
  snprintf(dst, dstsz, _("; did you mean \"%s\"?"), quoted);
}

bool columns_map(const char *path, const Schema *schema, char *const *cols, int32_t n, int line,
                 void (*where)(const void *ctx, int32_t j, int *line, int *col), const void *ctx, Diag *diag,
                 int32_t *column_of) {
  bool usable = true;
  for (int32_t i = 0; i < schema->ninputs; i++) {
    const FieldSchema *f = &schema->inputs[i];
    column_of[i] = -1;
    if (f->type == T_LIST) {
      if (field_required(f)) {
        diag_at(diag, KENKO_ERROR, path, 0, 0, "input %s is a list: lists cannot come from CSV", f->name);
        usable = false;
      } else {
        diag_at(diag, KENKO_WARNING, path, 0, 0,
                "input %s is a list: lists cannot come from CSV, so it is missing in every account", f->name);
      }
      continue;
    }
    for (int32_t j = 0; j < n; j++) {
      if (strcmp(cols[j], f->column) != 0) continue;
      if (column_of[i] >= 0) {
        int dup_line, dup_col;
        where(ctx, j, &dup_line, &dup_col);
        diag_at(diag, KENKO_ERROR, path, dup_line, dup_col, "duplicate column \"%s\" (columns %d and %d)",
                f->column, column_of[i] + 1, j + 1);
        usable = false;
        break;
      }
      column_of[i] = j;
    }
    if (column_of[i] < 0 && field_required(f)) {
      char hint[ID_MESSAGE_MAX * 4 + 32];
      column_suggestion(hint, sizeof hint, f->column, cols, n);
      diag_at(diag, KENKO_ERROR, path, line, 1, "missing column \"%s\" (required by input %s)%s", f->column,
              f->name, hint);
      usable = false;
    }
  }
  return usable;
}

char **reader_columns(const char *path, DataFormat fmt, const ReadOpts *opts, Diag *diag, int32_t *count) {
  *count = 0;
  if (fmt == FMT_AUTO) fmt = reader_format_for(path);
  switch (fmt) {
  case FMT_CSV: return csv_columns(path, opts, diag, count);
  case FMT_YAML:
  case FMT_JSON: return yaml_columns(path, opts, diag, count);
  case FMT_JSONL: return jsonl_columns(path, diag, count);
  case FMT_AUTO: break;
  }
  diag_at(diag, KENKO_ERROR, path, 0, 0,
          "unknown data format (expected a .csv, .yaml, .yml, .json or .jsonl file)");
  return NULL;
}

void reader_free_columns(char **cols, int32_t count) {
  if (!cols) return;
  for (int32_t i = 0; i < count; i++)
    free(cols[i]);
  free(cols);
}

/* True when NAME is among the N columns COLS. */
static bool has_column(char *const *cols, int32_t n, const char *name) {
  for (int32_t k = 0; k < n; k++)
    if (strcmp(cols[k], name) == 0) return true;
  return false;
}

/* True when NAME is the column of one of SCHEMA's inputs. */
static bool declared_column(const Schema *schema, const char *name) {
  for (int32_t i = 0; i < schema->ninputs; i++)
    if (strcmp(name, schema->inputs[i].column) == 0) return true;
  return false;
}

int reader_check_columns(const char *path, DataFormat fmt, const Schema *schema, const ReadOpts *opts,
                         Diag *diag) {
  int32_t ncols = 0;
  char **cols = reader_columns(path, fmt, opts, diag, &ncols);
  if (!cols) return diag->errors ? diag->errors : 1;
  for (int32_t i = 0; i < schema->ninputs; i++) {
    const FieldSchema *in = &schema->inputs[i];
    if (fmt == FMT_CSV && in->type == T_LIST) {
      if (field_required(in))
        diag_at(diag, KENKO_ERROR, path, 1, 1,
                "input `%s` is a list: lists cannot come from CSV, so every account would be rejected",
                in->name);
      else
        diag_at(diag, KENKO_WARNING, path, 1, 1,
                "input `%s` is a list: lists cannot come from CSV, so it will always be missing", in->name);
      continue;
    }
    if (has_column(cols, ncols, in->column)) continue;
    char hint[ID_MESSAGE_MAX * 4 + 32];
    column_suggestion(hint, sizeof hint, in->column, cols, ncols);
    if (in->optional)
      diag_at(diag, KENKO_WARNING, path, 1, 1,
              "no column \"%s\" for optional input `%s`: it will always be missing%s", in->column, in->name,
              hint);
    else
      diag_at(diag, KENKO_ERROR, path, 1, 1, "missing column \"%s\" (required by input `%s`)%s", in->column,
              in->name, hint);
  }
  /* Undeclared columns: one warning that names the first few of them. */
  enum { NAMED_MAX = 10 };
  Buf list;
  buf_init(&list, NULL);
  int32_t undeclared = 0;
  for (int32_t k = 0; k < ncols; k++) {
    if (declared_column(schema, cols[k])) continue;
    if (undeclared < NAMED_MAX) {
      if (undeclared) buf_puts(&list, ", ");
      buf_shown(&list, cols[k], strlen(cols[k]), true);
    }
    undeclared++;
  }
  if (undeclared > NAMED_MAX) buf_printf(&list, _(" and %d more"), undeclared - NAMED_MAX);
  buf_putc(&list, '\0');
  if (undeclared == 1)
    diag_at(diag, KENKO_WARNING, path, 1, 1, "column is not declared as input and will be ignored: %s",
            list.data);
  else if (undeclared)
    diag_at(diag, KENKO_WARNING, path, 1, 1, "columns are not declared as inputs and will be ignored: %s",
            list.data);
  buf_free(&list);
  reader_check_cells(path, fmt, schema, cols, ncols, opts, diag);
  reader_free_columns(cols, ncols);
  return diag->errors;
}
