/* read_yaml.c — the streaming YAML/JSON reader, on libyaml's event API
 * (no document tree is ever built), and the YAML half of reader_columns
 * (see reader.h).
 *
 * Accepted shapes, in every document of the stream:
 *   - a sequence of account mappings, or
 *   - a mapping whose `accounts` key holds that sequence (other top-level
 *     keys are skipped).
 * In an account mapping, a key that names an input (its column) is that
 * field; other keys are ignored, whatever they hold. A list input holds a
 * sequence of mappings whose keys are the element fields. JSON is read as
 * YAML flow style.
 *
 * Values: a plain `~`, `null` (any of null Null NULL) or empty scalar is
 * missing, and so is an empty quoted scalar (as an empty CSV cell is).
 * Other scalars go through convert_cell; quoted (and block) scalars count
 * as quoted cells. A mapping or sequence where a scalar belongs, or a
 * scalar where a list belongs, rejects the account.
 *
 * An account is rejected for its first error in document order (then, at
 * its end, the first required field that never came). Its id is the key
 * field's text wherever the key sits in the mapping, else FILE:LINE of the
 * mapping's start. A duplicate key of a declared field rejects the account.
 *
 * Limits, all without recursion: nesting deeper than 64 levels makes the
 * file malformed (reading stops there); a list of more than 1000000
 * elements rejects its account. Aliases are refused (the account that
 * holds one is rejected) and never expanded, so a "billion laughs" file
 * costs nothing; anchors are ignored.
 *
 * A syntax error stops the file at its location: the accounts already
 * passed on stay, the account it cuts is not counted. Locations are
 * libyaml's marks, 1-based; columns count code points. */
#include "reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "kenko.h"

#define YAML_DEPTH_MAX 64           /* nesting levels accepted */
#define YAML_LIST_MAX 1000000       /* elements per list input */
#define YAML_COLUMNS_ACCOUNTS 100   /* accounts scanned by yaml_columns */
#define ERR_MESSAGE_MAX 1024
#define ID_MESSAGE_MAX 200

/* The first error of the account being read. */
typedef struct AccountError {
  bool set;
  int line, col;
  char field[256];              /* "" when not about one field */
  char message[ERR_MESSAGE_MAX];
} AccountError;

typedef struct YamlReader {
  const char *path;
  const Schema *schema;
  const ReadOpts *opts;
  Diag *diag;
  FILE *fp;
  yaml_parser_t parser;
  int depth;                    /* collections open */
  bool fatal;                   /* a malformed-file error was reported */
  bool stop;                    /* strict mode, or the callback said so */
  bool rejected;                /* some account was rejected */

  AccountFn fn;
  void *ud;
  ReadStats *stats;
  Arena arena;                  /* the current account's */
  Value *values;                /* the current account's, in the arena */
  bool *seen;                   /* per input: its key came */
  const char *key_text;         /* the key as written, in the arena */
  AccountError error;

  Value *scratch;               /* list elements being read */
  size_t scratch_cap;
  bool *element_seen;           /* per element field */
  int32_t max_fields;

  bool columns_mode;            /* yaml_columns: collect keys only */
  char **cols;
  int32_t ncols, cols_cap;
  int accounts_scanned;
} YamlReader;

/* ---- events ------------------------------------------------------------- */

/* Line (1-based) and code-point column of byte OFFSET in the file. */
static void offset_location(const char *path, size_t offset, int *line, int *col) {
  *line = 1;
  *col = 1;
  FILE *fp = fopen(path, "rb");
  if (!fp) return;
  for (size_t i = 0; i < offset; i++) {
    int c = getc(fp);
    if (c == EOF) break;
    if (c == '\n') {
      ++*line;
      *col = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++*col;
    }
  }
  fclose(fp);
}

/* Reports libyaml's error as a malformed file. */
static void report_parser_error(YamlReader *r) {
  yaml_parser_t *p = &r->parser;
  const char *problem = p->problem ? p->problem : "unknown error";
  if (p->error == YAML_MEMORY_ERROR) {
    diag_at(r->diag, KENKO_ERROR, r->path, 0, 0, "out of memory while reading YAML");
  } else if (p->error == YAML_READER_ERROR) {
    int line, col;
    offset_location(r->path, p->problem_offset, &line, &col);
    if (p->problem_value >= 0)
      diag_at(r->diag, KENKO_ERROR, r->path, line, col, "YAML syntax: %s (0x%02X)",
              problem, (unsigned)p->problem_value);
    else
      diag_at(r->diag, KENKO_ERROR, r->path, line, col, "YAML syntax: %s", problem);
  } else if (p->context) {
    diag_at(r->diag, KENKO_ERROR, r->path, (int)p->problem_mark.line + 1,
            (int)p->problem_mark.column + 1,
            "YAML syntax: %s (%s that starts at line %d)", problem, p->context,
            (int)p->context_mark.line + 1);
  } else {
    diag_at(r->diag, KENKO_ERROR, r->path, (int)p->problem_mark.line + 1,
            (int)p->problem_mark.column + 1, "YAML syntax: %s", problem);
  }
  r->fatal = true;
}

/* A malformed-file error at MARK. */
static void file_error(YamlReader *r, yaml_mark_t mark, const char *message) {
  diag_at(r->diag, KENKO_ERROR, r->path, (int)mark.line + 1, (int)mark.column + 1,
          "%s", message);
  r->fatal = true;
}

/* The next event, keeping count of the nesting. False (after reporting)
 * on a syntax error or too deep a nesting; EV then needs no delete. */
static bool next_event(YamlReader *r, yaml_event_t *ev) {
  if (!yaml_parser_parse(&r->parser, ev)) {
    report_parser_error(r);
    return false;
  }
  if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
    if (++r->depth > YAML_DEPTH_MAX) {
      char message[64];
      snprintf(message, sizeof message, "YAML nested too deeply (limit is %d)",
               YAML_DEPTH_MAX);
      file_error(r, ev->start_mark, message);
      yaml_event_delete(ev);
      return false;
    }
  } else if (ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT) {
    r->depth--;
  }
  return true;
}

static bool is_start(const yaml_event_t *ev) {
  return ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT;
}

static bool is_end(const yaml_event_t *ev) {
  return ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT;
}

/* Skips the rest of the node that FIRST (already read) begins, without
 * recursion. *SAW_ALIAS is set when an alias is met. False on a fatal
 * error. */
static bool skip_node(YamlReader *r, const yaml_event_t *first, bool *saw_alias) {
  if (first->type == YAML_ALIAS_EVENT) *saw_alias = true;
  if (!is_start(first)) return true;
  long open = 1;
  while (open > 0) {
    yaml_event_t ev;
    if (!next_event(r, &ev)) return false;
    if (is_start(&ev)) open++;
    else if (is_end(&ev)) open--;
    else if (ev.type == YAML_ALIAS_EVENT) *saw_alias = true;
    yaml_event_delete(&ev);
  }
  return true;
}

/* Reads and skips one whole node. */
static bool skip_next_node(YamlReader *r, bool *saw_alias) {
  yaml_event_t ev;
  if (!next_event(r, &ev)) return false;
  bool ok = skip_node(r, &ev, saw_alias);
  yaml_event_delete(&ev);
  return ok;
}

static const char *scalar_text(const yaml_event_t *ev) {
  return (const char *)ev->data.scalar.value;
}

/* A YAML null: a plain, untagged ~, null, Null, NULL or empty scalar. */
static bool is_null_scalar(const yaml_event_t *ev) {
  if (ev->type != YAML_SCALAR_EVENT) return false;
  if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ev->data.scalar.tag) return false;
  const char *s = scalar_text(ev);
  size_t n = ev->data.scalar.length;
  return n == 0 || (n == 1 && s[0] == '~') ||
         (n == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
                     memcmp(s, "NULL", 4) == 0));
}

/* ---- account errors ------------------------------------------------------ */

/* Records an error of the current account at MARK unless one came first.
 * The field is COLUMN, or LIST[INDEX].COLUMN when LIST is set; no field
 * when COLUMN is NULL. */
static void account_error(YamlReader *r, yaml_mark_t mark, const char *list,
                          long index, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void account_error(YamlReader *r, yaml_mark_t mark, const char *list,
                          long index, const char *column, const char *fmt, ...) {
  AccountError *e = &r->error;
  if (e->set) return;
  e->set = true;
  e->line = (int)mark.line + 1;
  e->col = (int)mark.column + 1;
  if (!column && !list) e->field[0] = '\0';
  else if (!list) snprintf(e->field, sizeof e->field, "%s", column);
  else if (!column) snprintf(e->field, sizeof e->field, "%s[%ld]", list, index);
  else snprintf(e->field, sizeof e->field, "%s[%ld].%s", list, index, column);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof e->message, fmt, ap);
  va_end(ap);
}

/* How EV (not a scalar) is named in "expected X, got ...". */
static const char *node_kind(const yaml_event_t *ev) {
  switch (ev->type) {
  case YAML_MAPPING_START_EVENT: return "a mapping";
  case YAML_SEQUENCE_START_EVENT: return "a list";
  default: return "something else";
  }
}

static bool required(const FieldSchema *f) {
  return f->key || !f->optional;
}

/* Converts scalar EV for field F into *OUT, or records the error. */
static void scalar_value(YamlReader *r, const FieldSchema *f, const yaml_event_t *ev,
                         const char *list, long index, Value *out) {
  const char *s = scalar_text(ev);
  size_t n = ev->data.scalar.length;
  *out = val_missing(MISS_ABSENT);
  if (n == 0 || is_null_scalar(ev)) {
    if (required(f))
      account_error(r, ev->start_mark, list, index, f->column, "missing required value");
    return;
  }
  bool quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
  char err[ERR_MESSAGE_MAX];
  if (!convert_cell(f, s, n, r->opts, quoted, &r->arena, out, err, sizeof err)) {
    *out = val_missing(MISS_ABSENT);
    account_error(r, ev->start_mark, list, index, f->column, "%s", err);
  }
}

/* Reads the value of scalar field F after its key: EV is its first event. */
static bool scalar_field(YamlReader *r, const FieldSchema *f, const yaml_event_t *ev,
                         const char *list, long index, Value *out) {
  if (ev->type == YAML_SCALAR_EVENT) {
    scalar_value(r, f, ev, list, index, out);
    return true;
  }
  bool saw_alias = false;
  if (ev->type == YAML_ALIAS_EVENT)
    account_error(r, ev->start_mark, list, index, f->column,
                  "YAML aliases are not supported");
  else
    account_error(r, ev->start_mark, list, index, f->column, "expected %s, got %s",
                  value_type_name((ValueType)f->type), node_kind(ev));
  return skip_node(r, ev, &saw_alias);
}

/* The index of the field among FIELDS (N of them) whose column is the
 * scalar KEY, or -1. */
static int32_t find_field(const FieldSchema *fields, int32_t n, const yaml_event_t *key) {
  const char *s = scalar_text(key);
  size_t len = key->data.scalar.length;
  for (int32_t i = 0; i < n; i++) {
    const char *column = fields[i].column;
    if (column[0] == s[0] && strlen(column) == len && memcmp(column, s, len) == 0)
      return i;
  }
  return -1;
}

/* ---- lists ------------------------------------------------------------------ */

/* Reads one element mapping of list input LF into SLOTS (nfields values). */
static bool read_element(YamlReader *r, const FieldSchema *lf, long index,
                         yaml_mark_t start, Value *slots) {
  for (int32_t k = 0; k < lf->nfields; k++) {
    slots[k] = val_missing(MISS_ABSENT);
    r->element_seen[k] = false;
  }
  for (;;) {
    yaml_event_t key;
    if (!next_event(r, &key)) return false;
    if (key.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&key);
      break;
    }
    bool ok = true, saw_alias = false;
    if (key.type != YAML_SCALAR_EVENT) {
      ok = skip_node(r, &key, &saw_alias) && skip_next_node(r, &saw_alias);
    } else {
      int32_t k = find_field(lf->fields, lf->nfields, &key);
      if (k < 0) {
        ok = skip_next_node(r, &saw_alias);
      } else {
        if (r->element_seen[k])
          account_error(r, key.start_mark, NULL, 0, NULL,
                        "duplicate field \"%s[%ld].%s\"", lf->column, index,
                        lf->fields[k].column);
        r->element_seen[k] = true;
        yaml_event_t value;
        ok = next_event(r, &value);
        if (ok) {
          ok = scalar_field(r, &lf->fields[k], &value, lf->column, index, &slots[k]);
          yaml_event_delete(&value);
        }
      }
    }
    if (saw_alias)
      account_error(r, key.start_mark, NULL, 0, NULL, "YAML aliases are not supported");
    yaml_event_delete(&key);
    if (!ok) return false;
  }
  for (int32_t k = 0; k < lf->nfields; k++)
    if (!r->element_seen[k] && required(&lf->fields[k]))
      account_error(r, start, lf->column, index, lf->fields[k].column,
                    "missing required value");
  return true;
}

/* Makes room for one more element of NFIELDS values in the scratch. */
static void scratch_reserve(YamlReader *r, size_t used, int32_t nfields) {
  size_t need = used + (size_t)nfields;
  if (need <= r->scratch_cap && r->scratch) return;
  size_t cap = r->scratch_cap ? r->scratch_cap * 2 : 256;
  while (cap < need) cap *= 2;
  r->scratch = xrealloc(r->scratch, cap * sizeof *r->scratch);
  r->scratch_cap = cap;
}

/* Reads the sequence of list input LF (its start event already read)
 * into *OUT: a T_LIST of records in the arena. */
static bool read_list(YamlReader *r, const FieldSchema *lf, Value *out) {
  size_t used = 0;
  long count = 0;
  bool too_long = false;
  for (;;) {
    yaml_event_t ev;
    if (!next_event(r, &ev)) return false;
    if (ev.type == YAML_SEQUENCE_END_EVENT) {
      yaml_event_delete(&ev);
      break;
    }
    bool ok = true, saw_alias = false;
    if (count < YAML_LIST_MAX) {
      /* Every element gets its record, even a bad one (all missing). */
      scratch_reserve(r, used, lf->nfields);
      for (int32_t k = 0; k < lf->nfields; k++)
        r->scratch[used + (size_t)k] = val_missing(MISS_ABSENT);
    }
    if (count >= YAML_LIST_MAX) {
      if (!too_long)
        account_error(r, ev.start_mark, NULL, 0, NULL,
                      "list \"%s\" has more than %d elements", lf->column,
                      YAML_LIST_MAX);
      too_long = true;
      ok = skip_node(r, &ev, &saw_alias);
    } else if (ev.type == YAML_MAPPING_START_EVENT) {
      ok = read_element(r, lf, count, ev.start_mark, r->scratch + used);
    } else if (ev.type == YAML_ALIAS_EVENT) {
      account_error(r, ev.start_mark, lf->column, count, NULL,
                    "YAML aliases are not supported");
    } else if (ev.type == YAML_SCALAR_EVENT) {
      char quoted[ERR_MESSAGE_MAX / 2];
      if (is_null_scalar(&ev))
        snprintf(quoted, sizeof quoted, "null");
      else {
        char text[ERR_MESSAGE_MAX / 4];
        text_for_message(text, sizeof text, scalar_text(&ev), ev.data.scalar.length, 40);
        snprintf(quoted, sizeof quoted, "\"%s\"", text);
      }
      account_error(r, ev.start_mark, lf->column, count, NULL,
                    "expected a mapping (a list element), got %s", quoted);
    } else {
      account_error(r, ev.start_mark, lf->column, count, NULL,
                    "expected a mapping (a list element), got %s", node_kind(&ev));
      ok = skip_node(r, &ev, &saw_alias);
    }
    if (saw_alias)
      account_error(r, ev.start_mark, NULL, 0, NULL, "YAML aliases are not supported");
    yaml_event_delete(&ev);
    if (!ok) return false;
    if (!too_long) {
      count++;
      used += (size_t)lf->nfields;
    }
  }
  Value v = {0};
  v.type = T_LIST;
  if (!too_long) {
    v.len = (uint32_t)count;
    if (used > 0) {
      Value *items = arena_alloc(&r->arena, used * sizeof *items);
      memcpy(items, r->scratch, used * sizeof *items);
      v.u.items = items;
    }
  }
  *out = v;
  return true;
}

/* Reads the value of list input LF after its key (EV: its first event). */
static bool list_field(YamlReader *r, const FieldSchema *lf, const yaml_event_t *ev,
                       Value *out) {
  *out = val_missing(MISS_ABSENT);
  if (ev->type == YAML_SEQUENCE_START_EVENT) return read_list(r, lf, out);
  bool saw_alias = false;
  if (is_null_scalar(ev)) {
    if (required(lf))
      account_error(r, ev->start_mark, NULL, 0, lf->column, "missing required value");
  } else if (ev->type == YAML_ALIAS_EVENT) {
    account_error(r, ev->start_mark, NULL, 0, lf->column, "YAML aliases are not supported");
  } else if (ev->type == YAML_SCALAR_EVENT) {
    char text[ERR_MESSAGE_MAX / 4];
    text_for_message(text, sizeof text, scalar_text(ev), ev->data.scalar.length, 40);
    account_error(r, ev->start_mark, NULL, 0, lf->column, "expected a list, got \"%s\"",
                  text);
  } else {
    account_error(r, ev->start_mark, NULL, 0, lf->column, "expected a list, got %s",
                  node_kind(ev));
    return skip_node(r, ev, &saw_alias);
  }
  return true;
}

/* ---- accounts ---------------------------------------------------------------- */

/* yaml_columns: notes KEY among the columns seen. */
static void add_column(YamlReader *r, const yaml_event_t *key) {
  const char *s = scalar_text(key);
  size_t n = key->data.scalar.length;
  for (int32_t i = 0; i < r->ncols; i++)
    if (strlen(r->cols[i]) == n && memcmp(r->cols[i], s, n) == 0) return;
  if (r->ncols == r->cols_cap) {
    r->cols_cap = r->cols_cap ? r->cols_cap * 2 : 16;
    r->cols = xrealloc(r->cols, (size_t)r->cols_cap * sizeof *r->cols);
  }
  char *copy = xmalloc(n + 1);
  memcpy(copy, s, n);
  copy[n] = '\0';
  r->cols[r->ncols++] = copy;
}

/* Reads the value of input I after its key. */
static bool account_field(YamlReader *r, int32_t i, const yaml_event_t *key) {
  const FieldSchema *f = &r->schema->inputs[i];
  if (r->seen[i])
    account_error(r, key->start_mark, NULL, 0, NULL, "duplicate field \"%s\"", f->column);
  bool first = !r->seen[i];
  r->seen[i] = true;
  yaml_event_t ev;
  if (!next_event(r, &ev)) return false;
  Value v;
  bool ok = f->type == T_LIST ? list_field(r, f, &ev, &v)
                              : scalar_field(r, f, &ev, NULL, 0, &v);
  if (first) {
    r->values[i] = v;
    if (i == r->schema->key_index && v.type != T_MISSING && ev.type == YAML_SCALAR_EVENT)
      r->key_text = arena_strndup(&r->arena, scalar_text(&ev), ev.data.scalar.length);
  }
  yaml_event_delete(&ev);
  return ok;
}

/* "FILE:LINE" in the arena. */
static const char *place_id(YamlReader *r, int line) {
  return arena_printf(&r->arena, "%s:%d", r->path, line);
}

/* Ends the account that started at START: checks required fields, then
 * passes it on or reports it. */
static void finish_account(YamlReader *r, yaml_mark_t start) {
  const Schema *schema = r->schema;
  uint64_t ordinal = r->stats->accounts++;
  for (int32_t i = 0; i < schema->ninputs; i++)
    if (!r->seen[i] && required(&schema->inputs[i]))
      account_error(r, start, NULL, 0, schema->inputs[i].column, "missing required value");
  int line = (int)start.line + 1;
  /* A good key names the account even when another field is bad. */
  const char *id = r->key_text ? r->key_text : place_id(r, line);
  if (r->error.set) {
    char quoted_id[ID_MESSAGE_MAX * 4 + 8];
    text_for_message(quoted_id, sizeof quoted_id, id, strlen(id), ID_MESSAGE_MAX);
    if (r->error.field[0])
      diag_at(r->diag, KENKO_ERROR, r->path, r->error.line, r->error.col,
              "account \"%s\": field \"%s\": %s", quoted_id, r->error.field,
              r->error.message);
    else
      diag_at(r->diag, KENKO_ERROR, r->path, r->error.line, r->error.col,
              "account \"%s\": %s", quoted_id, r->error.message);
    r->stats->rejected++;
    r->rejected = true;
    if (r->opts && r->opts->strict) r->stop = true;
    return;
  }
  Account acct = {r->values, id, r->path, (uint32_t)line, ordinal};
  if (!r->fn(r->ud, &acct, &r->arena)) r->stop = true;
}

/* Starts a fresh account. */
static void begin_account(YamlReader *r) {
  arena_reset(&r->arena);
  int32_t n = r->schema->ninputs;
  r->values = arena_alloc(&r->arena, ((size_t)n + 1) * sizeof *r->values);
  for (int32_t i = 0; i < n; i++) {
    r->values[i] = val_missing(MISS_ABSENT);
    r->seen[i] = false;
  }
  r->key_text = NULL;
  r->error.set = false;
}

/* account -> '{' (KEY VALUE)* '}' ; its start event already read. */
static bool read_account(YamlReader *r, yaml_mark_t start) {
  if (!r->columns_mode) begin_account(r);
  for (;;) {
    yaml_event_t key;
    if (!next_event(r, &key)) return false;
    if (key.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&key);
      break;
    }
    bool ok, saw_alias = false;
    int32_t i = -1;
    if (key.type == YAML_SCALAR_EVENT) {
      if (r->columns_mode) add_column(r, &key);
      else i = find_field(r->schema->inputs, r->schema->ninputs, &key);
    }
    if (i >= 0) ok = account_field(r, i, &key);
    else ok = skip_node(r, &key, &saw_alias) && skip_next_node(r, &saw_alias);
    if (saw_alias && !r->columns_mode)
      account_error(r, key.start_mark, NULL, 0, NULL, "YAML aliases are not supported");
    yaml_event_delete(&key);
    if (!ok) return false;
  }
  if (r->columns_mode) {
    if (++r->accounts_scanned >= YAML_COLUMNS_ACCOUNTS) r->stop = true;
    return !r->stop;
  }
  finish_account(r, start);
  return !r->stop;
}

/* An element of the accounts sequence that is not a mapping (EV): it is
 * counted and rejected. */
static bool bad_account(YamlReader *r, const yaml_event_t *ev) {
  bool saw_alias = false;
  if (!skip_node(r, ev, &saw_alias)) return false;
  if (r->columns_mode) return true;
  begin_account(r);
  if (ev->type == YAML_ALIAS_EVENT) {
    account_error(r, ev->start_mark, NULL, 0, NULL, "YAML aliases are not supported");
  } else if (ev->type == YAML_SCALAR_EVENT) {
    char text[ERR_MESSAGE_MAX / 4];
    if (is_null_scalar(ev)) snprintf(text, sizeof text, "null");
    else {
      char value[ERR_MESSAGE_MAX / 8];
      text_for_message(value, sizeof value, scalar_text(ev), ev->data.scalar.length, 40);
      snprintf(text, sizeof text, "\"%s\"", value);
    }
    account_error(r, ev->start_mark, NULL, 0, NULL,
                  "expected an account (a mapping), got %s", text);
  } else {
    account_error(r, ev->start_mark, NULL, 0, NULL,
                  "expected an account (a mapping), got %s", node_kind(ev));
  }
  /* No field of it was read: skip the required-field check. */
  for (int32_t i = 0; i < r->schema->ninputs; i++) r->seen[i] = true;
  finish_account(r, ev->start_mark);
  return !r->stop;
}

/* accounts -> '[' account* ']' ; its start event already read. */
static bool read_accounts(YamlReader *r) {
  for (;;) {
    yaml_event_t ev;
    if (!next_event(r, &ev)) return false;
    bool ok;
    if (ev.type == YAML_SEQUENCE_END_EVENT) {
      yaml_event_delete(&ev);
      return true;
    }
    if (ev.type == YAML_MAPPING_START_EVENT) ok = read_account(r, ev.start_mark);
    else ok = bad_account(r, &ev);
    yaml_event_delete(&ev);
    if (!ok) return false;
  }
}

/* root-mapping -> '{' ('accounts' accounts | KEY any)* '}' */
static bool read_root_mapping(YamlReader *r, yaml_mark_t start) {
  bool found = false;
  for (;;) {
    yaml_event_t key;
    if (!next_event(r, &key)) return false;
    if (key.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&key);
      break;
    }
    bool ok, saw_alias = false;
    if (key.type == YAML_SCALAR_EVENT && strcmp(scalar_text(&key), "accounts") == 0) {
      found = true;
      yaml_event_t value;
      ok = next_event(r, &value);
      if (ok) {
        if (value.type == YAML_SEQUENCE_START_EVENT) {
          ok = read_accounts(r);
        } else if (!is_null_scalar(&value)) {
          file_error(r, value.start_mark, "\"accounts\" must hold a list of accounts");
          ok = false;
        }
        yaml_event_delete(&value);
      }
    } else {
      ok = skip_node(r, &key, &saw_alias) && skip_next_node(r, &saw_alias);
    }
    yaml_event_delete(&key);
    if (!ok) return false;
  }
  if (!found) {
    file_error(r, start, "no \"accounts\" key: expected a list of accounts, or a "
                         "mapping with an \"accounts\" key");
    return false;
  }
  return true;
}

/* document -> accounts | root-mapping | null */
static bool read_root(YamlReader *r) {
  yaml_event_t ev;
  if (!next_event(r, &ev)) return false;
  bool ok = true;
  if (ev.type == YAML_SEQUENCE_START_EVENT) {
    ok = read_accounts(r);
  } else if (ev.type == YAML_MAPPING_START_EVENT) {
    ok = read_root_mapping(r, ev.start_mark);
  } else if (!is_null_scalar(&ev)) {
    file_error(r, ev.start_mark,
               "expected a list of accounts, or a mapping with an \"accounts\" key");
    ok = false;
  }
  yaml_event_delete(&ev);
  return ok;
}

/* stream -> document* ; stops early on errors or when asked to. */
static void read_stream(YamlReader *r) {
  for (;;) {
    yaml_event_t ev;
    if (!next_event(r, &ev)) return;
    yaml_event_type_t type = ev.type;
    yaml_event_delete(&ev);
    if (type == YAML_STREAM_END_EVENT) return;
    if (type == YAML_DOCUMENT_START_EVENT && !read_root(r)) return;
  }
}

/* ---- entry points --------------------------------------------------------- */

/* Opens PATH for R. False (after reporting) when it cannot be read; the
 * status for the caller is then KENKO_ERR_USAGE. */
static bool reader_open(YamlReader *r, const char *path, const Schema *schema,
                        const ReadOpts *opts, Diag *diag) {
  memset(r, 0, sizeof *r);
  r->path = path;
  r->schema = schema;
  r->opts = opts;
  r->diag = diag;
  const char *encoding = opts ? opts->encoding : NULL;
  if (encoding && *encoding && strcmp(encoding, "utf-8") != 0 &&
      strcmp(encoding, "UTF-8") != 0 && strcmp(encoding, "utf8") != 0 &&
      strcmp(encoding, "UTF8") != 0) {
    diag_at(diag, KENKO_ERROR, path, 0, 0,
            "encoding \"%s\" is only supported for CSV files (YAML and JSON are "
            "read as UTF-8)",
            encoding);
    return false;
  }
  r->fp = fopen(path, "rb");
  if (!r->fp) {
    diag_at(diag, KENKO_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
    return false;
  }
  if (!yaml_parser_initialize(&r->parser)) {
    fclose(r->fp);
    r->fp = NULL;
    diag_at(diag, KENKO_ERROR, path, 0, 0, "out of memory while reading YAML");
    return false;
  }
  yaml_parser_set_input_file(&r->parser, r->fp);
  return true;
}

static void reader_close(YamlReader *r) {
  yaml_parser_delete(&r->parser);
  if (r->fp) fclose(r->fp);
  arena_free(&r->arena);
  free(r->seen);
  free(r->scratch);
  free(r->element_seen);
  for (int32_t i = 0; i < r->ncols; i++) free(r->cols[i]);
  free(r->cols);
}

int read_yaml(const char *path, const Schema *schema, const ReadOpts *opts,
              Diag *diag, AccountFn fn, void *ud, ReadStats *stats) {
  YamlReader r;
  if (!reader_open(&r, path, schema, opts, diag)) {
    stats->file_error = true;
    return KENKO_ERR_USAGE;
  }
  r.fn = fn;
  r.ud = ud;
  r.stats = stats;
  arena_init(&r.arena, 64 * 1024);
  r.seen = xcalloc((size_t)schema->ninputs + 1, sizeof *r.seen);
  for (int32_t i = 0; i < schema->ninputs; i++)
    if (schema->inputs[i].nfields > r.max_fields) r.max_fields = schema->inputs[i].nfields;
  r.element_seen = xcalloc((size_t)r.max_fields + 1, sizeof *r.element_seen);
  read_stream(&r);
  bool failed = r.fatal || r.rejected;
  if (r.fatal) stats->file_error = true;
  reader_close(&r);
  return failed ? KENKO_ERR_DATA : KENKO_OK;
}

char **yaml_columns(const char *path, const ReadOpts *opts, Diag *diag,
                    int32_t *count) {
  YamlReader r;
  *count = 0;
  if (!reader_open(&r, path, NULL, opts, diag)) return NULL;
  r.columns_mode = true;
  read_stream(&r);
  char **cols = NULL;
  if (!r.fatal) {
    cols = r.cols ? r.cols : xmalloc(sizeof *cols);
    *count = r.ncols;
    r.cols = NULL;
    r.ncols = 0;
  }
  reader_close(&r);
  return cols;
}
