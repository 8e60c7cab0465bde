/* read_yaml.c — the YAML/JSON tokeniser behind read_data, on libyaml's
 * event API (no document tree is ever built), and the YAML half of
 * reader_columns (see reader.h; the per-account rules are reader.c's,
 * intake.h).
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
 * Limits, all without recursion: the value of a declared input nested
 * deeper than 64 levels rejects its account; nesting deeper than 10000
 * levels anywhere (libyaml keeps a stack entry for each) makes the file
 * malformed (reading stops there), and so does one value (a scalar,
 * or anything else libyaml must read whole before the next event) longer
 * than 64 MiB, which keeps libyaml's buffers bounded; a list of more than
 * 1000000 elements rejects its account. Aliases are refused (the account
 * that holds one is rejected) and never expanded, so a "billion laughs"
 * file costs nothing; anchors are ignored. See docs/limits.md.
 *
 * A syntax error stops the file at its location: the accounts already
 * passed on stay, and the account it cuts counts as read and rejected (so
 * that accounts read = scored + rejected; its error is the file's).
 * Invalid UTF-8 and the characters YAML does not allow (NUL and other
 * controls) are not syntax errors here: each rejects the account whose
 * value holds it ("invalid UTF-8 (byte 0xFF)"), and the file goes on
 * (read_input). Locations are libyaml's marks, 1-based; columns count
 * code points. */
#include "base/i18n.h"
#include "io/reader.h"

#include <errno.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "io/convert.h"
#include "io/intake.h"
#include "kenko.h"

#define YAML_DEPTH_MAX        64          /* nesting levels of a value accepted */
#define YAML_DEPTH_HARD       10000       /* nesting levels read at all */
#define YAML_LIST_MAX         1000000     /* elements per list input */
#define YAML_VALUE_MAX        (64u << 20) /* bytes read between two events */
#define YAML_COLUMNS_ACCOUNTS 100         /* accounts scanned by yaml_columns */
#define YAML_COLUMNS_MAX      65536       /* distinct keys yaml_columns collects */

/* The first error of the account being read. */
typedef struct AccountError {
  bool set;
  int line, col;
  char field[256]; /* "" when not about one field */
  char message[ERR_MESSAGE_MAX];
} AccountError;

/* A run of characters the input filter replaced (see read_input). */
typedef struct BadChar {
  uint64_t first, last; /* character indices (libyaml's mark.index) */
  uint32_t value;       /* the first one: its byte, or code point */
  bool invalid_utf8;    /* VALUE is a byte of invalid UTF-8 */
} BadChar;

typedef struct YamlReader {
  const char *source; /* the file opened ("-": standard input) */
  const char *path;   /* its name in messages */
  const Schema *schema;
  const ReadOpts *opts;
  Diag *diag;
  FILE *fp;
  yaml_parser_t parser;
  size_t bytes_read;     /* read from the file so far */
  size_t bytes_out;      /* handed to libyaml so far (after the filter) */
  size_t bytes_at_event; /* bytes_out when the last event came */
  yaml_mark_t event_end; /* where the last event ended */
  bool too_long;         /* YAML_VALUE_MAX was hit */

  /* the input filter (read_input) */
  unsigned char *raw; /* file bytes not yet handed on */
  size_t raw_pos, raw_len;
  bool raw_eof;
  bool raw_error;        /* the read failed */
  bool utf16;            /* a UTF-16 BOM: handed on unfiltered */
  uint64_t chars;        /* characters handed on (libyaml's mark.index) */
  unsigned char pend[4]; /* output that did not fit the last call */
  int npend;
  BadChar *bad; /* replaced characters not yet passed */
  size_t nbad, bad_head, bad_cap;
  int depth;               /* collections open */
  bool in_field;           /* reading the value of a declared input */
  bool too_deep;           /* that value went past YAML_DEPTH_MAX */
  yaml_mark_t too_deep_at; /* where */
  bool fatal;              /* a malformed-file error was reported */
  bool stop;               /* strict mode, the callback said so, or enough columns */

  Intake *in;            /* the accounts (NULL in columns mode) */
  Value *values;         /* the current account's, in its arena */
  bool *seen;            /* per input: its key came */
  bool distinct_columns; /* no two inputs read the same key */
  const char *key_text;  /* the key as written, in the arena */
  bool in_account;       /* an account begun and not finished */
  bool in_accounts;      /* between the accounts of the accounts list */
  bool accounts_read;    /* an accounts list was begun */
  AccountError error;

  Value *scratch; /* list elements being read */
  size_t scratch_cap;
  bool *element_seen; /* per element field */
  int32_t max_fields;

  bool columns_mode; /* yaml_columns: collect keys only */
  char **cols;
  int32_t ncols, cols_cap;
  int32_t *col_slots;   /* hash set: 1 + index into cols, 0 = empty */
  size_t col_slots_cap; /* a power of two, > 2 * ncols */
  int accounts_scanned;
} YamlReader;

/* ---- events ------------------------------------------------------------- */

/* Line (1-based) and code-point column of byte OFFSET in the file (1:1
 * for standard input, which cannot be read again). */
static void offset_location(const char *source, size_t offset, int *line, int *col) {
  *line = 1;
  *col = 1;
  if (strcmp(source, "-") == 0) return;
  FILE *fp = fopen(source, "rb");
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
  const char *problem = p->problem ? p->problem : _("unknown error");
  if (r->too_long) {
    diag_at(r->diag, KENKO_ERROR, r->path, (int)r->event_end.line + 1, (int)r->event_end.column + 1,
            "YAML value longer than 64 MiB after this point (the limit for one value)");
  } else if (p->error == YAML_MEMORY_ERROR) {
    diag_at(r->diag, KENKO_ERROR, r->path, 0, 0, "out of memory while reading YAML");
  } else if (p->error == YAML_READER_ERROR) {
    int line, col;
    offset_location(r->source, p->problem_offset, &line, &col);
    if (p->problem_value >= 0)
      diag_at(r->diag, KENKO_ERROR, r->path, line, col, "YAML syntax: %s (0x%02X)", problem,
              (unsigned)p->problem_value);
    else
      diag_at(r->diag, KENKO_ERROR, r->path, line, col, "YAML syntax: %s", problem);
  } else if (p->context) {
    diag_at(r->diag, KENKO_ERROR, r->path, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1,
            "YAML syntax: %s (%s that starts at line %d)", problem, p->context,
            (int)p->context_mark.line + 1);
  } else {
    diag_at(r->diag, KENKO_ERROR, r->path, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1,
            "YAML syntax: %s", problem);
  }
  r->fatal = true;
}

/* A malformed-file error at MARK. */
static void file_error(YamlReader *r, yaml_mark_t mark, const char *message) {
  diag_at(r->diag, KENKO_ERROR, r->path, (int)mark.line + 1, (int)mark.column + 1, "%s", _(message));
  r->fatal = true;
}

/* The next event, keeping count of the nesting. False (after reporting)
 * on a syntax error or too deep a nesting; EV then needs no delete. */
static bool next_event(YamlReader *r, yaml_event_t *ev) {
  if (!yaml_parser_parse(&r->parser, ev)) {
    report_parser_error(r);
    return false;
  }
  r->bytes_at_event = r->bytes_out;
  r->event_end = ev->end_mark;
  while (r->bad_head < r->nbad && r->bad[r->bad_head].last < ev->start_mark.index)
    r->bad_head++;
  if (r->bad_head == r->nbad) r->bad_head = r->nbad = 0;
  if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
    if (++r->depth > YAML_DEPTH_HARD) {
      char message[96];
      snprintf(message, sizeof message, _("YAML nested deeper than %d levels (the file is not read further)"),
               YAML_DEPTH_HARD);
      file_error(r, ev->start_mark, message);
      yaml_event_delete(ev);
      return false;
    }
    if (r->depth > YAML_DEPTH_MAX && r->in_field && !r->too_deep) {
      r->too_deep = true;
      r->too_deep_at = ev->start_mark;
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
    if (is_start(&ev))
      open++;
    else if (is_end(&ev))
      open--;
    else if (ev.type == YAML_ALIAS_EVENT)
      *saw_alias = true;
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

/* Skips a mapping's pair whose key KEY (already read) is not looked at. */
static bool skip_pair(YamlReader *r, const yaml_event_t *key, bool *saw_alias) {
  return skip_node(r, key, saw_alias) && skip_next_node(r, saw_alias);
}

/* The one event loop of the reader: reads the items of the collection
 * whose start event was read, up to its end event, handing EACH the first
 * event of every item (of a mapping: every key, whose value EACH then
 * reads). False on a fatal error, or when EACH returns false. Inlined, so
 * that each caller's EACH is a direct call. */
typedef bool (*ItemFn)(YamlReader *r, const yaml_event_t *first, void *ctx);

static inline __attribute__((always_inline)) bool each_item(YamlReader *r, ItemFn each, void *ctx) {
  for (;;) {
    yaml_event_t ev;
    if (!next_event(r, &ev)) return false;
    if (is_end(&ev)) {
      yaml_event_delete(&ev);
      return true;
    }
    bool ok = each(r, &ev, ctx);
    yaml_event_delete(&ev);
    if (!ok) return false;
  }
}

static const char *scalar_text(const yaml_event_t *ev) { return (const char *)ev->data.scalar.value; }

/* A YAML null: a plain, untagged ~, null, Null, NULL or empty scalar. */
static bool is_null_scalar(const yaml_event_t *ev) {
  if (ev->type != YAML_SCALAR_EVENT) return false;
  if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ev->data.scalar.tag) return false;
  const char *s = scalar_text(ev);
  size_t n = ev->data.scalar.length;
  return n == 0 || (n == 1 && s[0] == '~') ||
         (n == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 || memcmp(s, "NULL", 4) == 0));
}

/* ---- account errors ------------------------------------------------------ */

/* Records an error of the current account at MARK unless one came first.
 * The field is COLUMN, or LIST[INDEX].COLUMN when LIST is set; no field
 * when COLUMN is NULL. */
static void account_error(YamlReader *r, yaml_mark_t mark, const char *list, long index, const char *column,
                          const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void account_error(YamlReader *r, yaml_mark_t mark, const char *list, long index, const char *column,
                          const char *fmt, ...) {
  AccountError *e = &r->error;
  if (e->set) return;
  e->set = true;
  e->line = (int)mark.line + 1;
  e->col = (int)mark.column + 1;
  if (!column && !list)
    e->field[0] = '\0';
  else if (!list)
    snprintf(e->field, sizeof e->field, "%s", column);
  else if (!column)
    snprintf(e->field, sizeof e->field, "%s[%ld]", list, index);
  else
    snprintf(e->field, sizeof e->field, "%s[%ld].%s", list, index, column);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof e->message, _(fmt), ap);
  va_end(ap);
}

/* How EV (not a scalar) is named in "expected X, got ...". */
static const char *node_kind(const yaml_event_t *ev) {
  switch (ev->type) {
  case YAML_MAPPING_START_EVENT: return _("a mapping");
  case YAML_SEQUENCE_START_EVENT: return _("a list");
  default: return _("something else");
  }
}

/* How EV is named in "expected X, got ...": null, a scalar's text quoted
 * (cut at 40 bytes), or its kind; written to BUF (SIZE bytes) if needed. */
static const char *describe_node(const yaml_event_t *ev, char *buf, size_t size) {
  if (ev->type != YAML_SCALAR_EVENT) return node_kind(ev);
  if (is_null_scalar(ev)) return "null";
  char text[ERR_MESSAGE_MAX / 4];
  text_for_message(text, sizeof text, scalar_text(ev), ev->data.scalar.length, 40);
  snprintf(buf, size, "\"%s\"", text);
  return buf;
}

/* The first character the input filter replaced between character
 * indices START and END, or NULL. */
static const BadChar *replaced_in(const YamlReader *r, size_t start, size_t end) {
  size_t i = r->bad_head;
  while (i < r->nbad && r->bad[i].last < start)
    i++;
  return i < r->nbad && r->bad[i].first < end ? &r->bad[i] : NULL;
}

/* Converts scalar EV for field F into *OUT, or records the error. */
static void scalar_value(YamlReader *r, const FieldSchema *f, const yaml_event_t *ev, const char *list,
                         long index, Value *out) {
  const char *s = scalar_text(ev);
  size_t n = ev->data.scalar.length;
  *out = val_missing(MISS_ABSENT);
  const BadChar *bad = replaced_in(r, ev->start_mark.index, ev->end_mark.index);
  if (bad) {
    if (bad->invalid_utf8)
      account_error(r, ev->start_mark, list, index, f->column, "invalid UTF-8 (byte 0x%02X)",
                    (unsigned)bad->value);
    else if (bad->value == 0)
      account_error(r, ev->start_mark, list, index, f->column, "NUL byte in text");
    else
      account_error(r, ev->start_mark, list, index, f->column,
                    "control character U+%04X (YAML does not allow it)", (unsigned)bad->value);
    return;
  }
  if (n == 0 || is_null_scalar(ev)) {
    if (field_required(f)) account_error(r, ev->start_mark, list, index, f->column, "missing required value");
    return;
  }
  if (convert_usual(f, s, n, false, &r->in->arena, out)) return;
  bool quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
  char err[ERR_MESSAGE_MAX];
  if (!convert_cell(f, s, n, r->opts, quoted, &r->in->arena, out, err, sizeof err)) {
    *out = val_missing(MISS_ABSENT);
    account_error(r, ev->start_mark, list, index, f->column, "%s", err);
  }
}

/* Reads the value of scalar field F after its key: EV is its first event. */
static bool scalar_field(YamlReader *r, const FieldSchema *f, const yaml_event_t *ev, const char *list,
                         long index, Value *out) {
  if (ev->type == YAML_SCALAR_EVENT) {
    scalar_value(r, f, ev, list, index, out);
    return true;
  }
  bool saw_alias = false;
  if (ev->type == YAML_ALIAS_EVENT)
    account_error(r, ev->start_mark, list, index, f->column, "YAML aliases are not supported");
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
    if (column[0] == s[0] && strlen(column) == len && memcmp(column, s, len) == 0) return i;
  }
  return -1;
}

/* The input named by KEY, or -1. Accounts usually list their keys in the
 * order of the schema, some left out, so the search starts after the
 * previous key's input (HINT) and wraps around. That finds the same input
 * as find_field when no two inputs read the same key; otherwise
 * find_field's first match is the one. */
static int32_t find_input(const YamlReader *r, const yaml_event_t *key, int32_t hint) {
  const FieldSchema *inputs = r->schema->inputs;
  int32_t n = r->schema->ninputs;
  if (!r->distinct_columns || hint >= n) return find_field(inputs, n, key);
  const char *s = scalar_text(key);
  size_t len = key->data.scalar.length;
  for (int32_t k = 0, i = hint; k < n; k++, i = i + 1 < n ? i + 1 : 0) {
    const char *column = inputs[i].column;
    if (column[0] == s[0] && strlen(column) == len && memcmp(column, s, len) == 0) return i;
  }
  return -1;
}

/* ---- lists ------------------------------------------------------------------ */

/* A list element being read. */
typedef struct Element {
  const FieldSchema *lf; /* the list input */
  long index;
  Value *slots; /* its nfields values */
} Element;

/* One key of a list element, then its value. */
static bool element_pair(YamlReader *r, const yaml_event_t *key, void *ctx) {
  const Element *e = ctx;
  const FieldSchema *lf = e->lf;
  bool ok, saw_alias = false;
  int32_t k = key->type == YAML_SCALAR_EVENT ? find_field(lf->fields, lf->nfields, key) : -1;
  if (k < 0) {
    ok = skip_pair(r, key, &saw_alias);
  } else {
    if (r->element_seen[k])
      account_error(r, key->start_mark, NULL, 0, NULL, "duplicate field \"%s[%ld].%s\"", lf->column, e->index,
                    lf->fields[k].column);
    r->element_seen[k] = true;
    yaml_event_t value;
    ok = next_event(r, &value);
    if (ok) {
      ok = scalar_field(r, &lf->fields[k], &value, lf->column, e->index, &e->slots[k]);
      yaml_event_delete(&value);
    }
  }
  if (saw_alias) account_error(r, key->start_mark, NULL, 0, NULL, "YAML aliases are not supported");
  return ok;
}

/* Reads one element mapping of list input LF into SLOTS (nfields values). */
static bool read_element(YamlReader *r, const FieldSchema *lf, long index, yaml_mark_t start, Value *slots) {
  for (int32_t k = 0; k < lf->nfields; k++) {
    slots[k] = val_missing(MISS_ABSENT);
    r->element_seen[k] = false;
  }
  Element e = {lf, index, slots};
  if (!each_item(r, element_pair, &e)) return false;
  for (int32_t k = 0; k < lf->nfields; k++)
    if (!r->element_seen[k] && field_required(&lf->fields[k]))
      account_error(r, start, lf->column, index, lf->fields[k].column, "missing required value");
  return true;
}

/* Makes room for one more element of NFIELDS values in the scratch. */
static void scratch_reserve(YamlReader *r, size_t used, int32_t nfields) {
  size_t need = used + (size_t)nfields;
  if (need <= r->scratch_cap && r->scratch) return;
  size_t cap = r->scratch_cap ? r->scratch_cap * 2 : 256;
  while (cap < need)
    cap *= 2;
  r->scratch = xrealloc(r->scratch, cap * sizeof *r->scratch);
  r->scratch_cap = cap;
}

/* A list input's sequence being read. */
typedef struct ListRead {
  const FieldSchema *lf;
  size_t used; /* values in the scratch */
  long count;  /* elements */
  bool too_long;
} ListRead;

/* One element of a list input's sequence. */
static bool list_item(YamlReader *r, const yaml_event_t *ev, void *ctx) {
  ListRead *l = ctx;
  const FieldSchema *lf = l->lf;
  bool ok = true, saw_alias = false;
  if (l->count < YAML_LIST_MAX) {
    /* Every element gets its record, even a bad one (all missing). */
    scratch_reserve(r, l->used, lf->nfields);
    for (int32_t k = 0; k < lf->nfields; k++)
      r->scratch[l->used + (size_t)k] = val_missing(MISS_ABSENT);
  }
  if (l->count >= YAML_LIST_MAX) {
    if (!l->too_long)
      account_error(r, ev->start_mark, NULL, 0, NULL, "list \"%s\" has more than %d elements", lf->column,
                    YAML_LIST_MAX);
    l->too_long = true;
    ok = skip_node(r, ev, &saw_alias);
  } else if (ev->type == YAML_MAPPING_START_EVENT) {
    ok = read_element(r, lf, l->count, ev->start_mark, r->scratch + l->used);
  } else if (ev->type == YAML_ALIAS_EVENT) {
    account_error(r, ev->start_mark, lf->column, l->count, NULL, "YAML aliases are not supported");
  } else {
    char what[ERR_MESSAGE_MAX / 2];
    account_error(r, ev->start_mark, lf->column, l->count, NULL,
                  "expected a mapping (a list element), got %s", describe_node(ev, what, sizeof what));
    ok = skip_node(r, ev, &saw_alias);
  }
  if (saw_alias) account_error(r, ev->start_mark, NULL, 0, NULL, "YAML aliases are not supported");
  if (ok && !l->too_long) {
    l->count++;
    l->used += (size_t)lf->nfields;
  }
  return ok;
}

/* Reads the sequence of list input LF (its start event already read)
 * into *OUT: a T_LIST of records in the arena. */
static bool read_list(YamlReader *r, const FieldSchema *lf, Value *out) {
  ListRead l = {lf, 0, 0, false};
  if (!each_item(r, list_item, &l)) return false;
  Value v = {0};
  v.type = T_LIST;
  if (!l.too_long) {
    v.len = (uint32_t)l.count;
    if (l.used > 0) {
      Value *items = arena_alloc(&r->in->arena, l.used * sizeof *items);
      memcpy(items, r->scratch, l.used * sizeof *items);
      v.u.items = items;
    }
  }
  *out = v;
  return true;
}

/* Reads the value of list input LF after its key (EV: its first event). */
static bool list_field(YamlReader *r, const FieldSchema *lf, const yaml_event_t *ev, Value *out) {
  *out = val_missing(MISS_ABSENT);
  if (ev->type == YAML_SEQUENCE_START_EVENT) return read_list(r, lf, out);
  bool saw_alias = false;
  if (is_null_scalar(ev)) {
    if (field_required(lf)) account_error(r, ev->start_mark, NULL, 0, lf->column, "missing required value");
  } else if (ev->type == YAML_ALIAS_EVENT) {
    account_error(r, ev->start_mark, NULL, 0, lf->column, "YAML aliases are not supported");
  } else if (ev->type == YAML_SCALAR_EVENT) {
    char text[ERR_MESSAGE_MAX / 4];
    text_for_message(text, sizeof text, scalar_text(ev), ev->data.scalar.length, 40);
    account_error(r, ev->start_mark, NULL, 0, lf->column, "expected a list, got \"%s\"", text);
  } else {
    account_error(r, ev->start_mark, NULL, 0, lf->column, "expected a list, got %s", node_kind(ev));
    return skip_node(r, ev, &saw_alias);
  }
  return true;
}

/* ---- accounts ---------------------------------------------------------------- */

static size_t column_hash(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return (size_t)(h ^ (h >> 29));
}

/* The slot of the column S (N bytes) in the hash set: where it is, or the
 * empty slot where it would go. */
static size_t column_slot(const YamlReader *r, const char *s, size_t n) {
  size_t mask = r->col_slots_cap - 1;
  size_t j = column_hash(s, n) & mask;
  while (r->col_slots[j]) {
    const char *c = r->cols[r->col_slots[j] - 1];
    if (strlen(c) == n && memcmp(c, s, n) == 0) break;
    j = (j + 1) & mask;
  }
  return j;
}

/* yaml_columns: notes KEY among the columns seen. False (reported, the
 * file is then unusable) past YAML_COLUMNS_MAX distinct keys. */
static bool add_column(YamlReader *r, const yaml_event_t *key) {
  const char *s = scalar_text(key);
  size_t n = key->data.scalar.length;
  if ((size_t)r->ncols * 2 + 2 > r->col_slots_cap) {
    free(r->col_slots);
    r->col_slots_cap = r->col_slots_cap ? r->col_slots_cap * 2 : 64;
    r->col_slots = xcalloc(r->col_slots_cap, sizeof *r->col_slots);
    for (int32_t i = 0; i < r->ncols; i++)
      r->col_slots[column_slot(r, r->cols[i], strlen(r->cols[i]))] = i + 1;
  }
  size_t slot = column_slot(r, s, n);
  if (r->col_slots[slot]) return true;
  if (r->ncols >= YAML_COLUMNS_MAX) {
    char message[96];
    snprintf(message, sizeof message, _("more than %d different keys in the accounts (the limit)"),
             YAML_COLUMNS_MAX);
    file_error(r, key->start_mark, message);
    return false;
  }
  if (r->ncols == r->cols_cap) {
    r->cols_cap = r->cols_cap ? r->cols_cap * 2 : 16;
    r->cols = xrealloc(r->cols, (size_t)r->cols_cap * sizeof *r->cols);
  }
  char *copy = xmalloc(n + 1);
  memcpy(copy, s, n);
  copy[n] = '\0';
  r->cols[r->ncols++] = copy;
  r->col_slots[slot] = r->ncols;
  return true;
}

/* Reads the value of input I after its key. */
static bool account_field(YamlReader *r, int32_t i, const yaml_event_t *key) {
  const FieldSchema *f = &r->schema->inputs[i];
  if (r->seen[i]) account_error(r, key->start_mark, NULL, 0, NULL, "duplicate field \"%s\"", f->column);
  bool first = !r->seen[i];
  r->seen[i] = true;
  yaml_event_t ev;
  r->in_field = true;
  r->too_deep = false;
  if (!next_event(r, &ev)) {
    r->in_field = false;
    return false;
  }
  Value v;
  bool ok = f->type == T_LIST ? list_field(r, f, &ev, &v) : scalar_field(r, f, &ev, NULL, 0, &v);
  r->in_field = false;
  if (r->too_deep) {
    /* The limit says why the value is unusable: it replaces an error
     * found inside the value ("expected number, got a list"). */
    size_t n = strlen(f->column);
    if (r->error.set && strncmp(r->error.field, f->column, n) == 0 &&
        (r->error.field[n] == '\0' || r->error.field[n] == '['))
      r->error.set = false;
    account_error(r, r->too_deep_at, NULL, 0, f->column, "YAML nested too deeply (limit is %d)",
                  YAML_DEPTH_MAX);
    v = val_missing(MISS_ABSENT);
  }
  if (first) {
    r->values[i] = v;
    if (i == r->schema->key_index && v.type != T_MISSING && ev.type == YAML_SCALAR_EVENT)
      r->key_text = arena_strndup(&r->in->arena, scalar_text(&ev), ev.data.scalar.length);
  }
  yaml_event_delete(&ev);
  return ok;
}

/* Ends the account that started at START: checks required fields, then
 * passes it on or reports it. */
static void finish_account(YamlReader *r, yaml_mark_t start) {
  const Schema *schema = r->schema;
  r->in_account = false;
  for (int32_t i = 0; i < schema->ninputs; i++)
    if (!r->seen[i] && field_required(&schema->inputs[i]))
      account_error(r, start, NULL, 0, schema->inputs[i].column, "missing required value");
  uint32_t line = (uint32_t)start.line + 1;
  /* A good key names the account even when another field is bad. */
  const char *id = r->key_text ? r->key_text : intake_place_id(r->in, line);
  if (r->error.set) {
    const Value *key = r->key_text ? &r->values[schema->key_index] : NULL;
    intake_reject(r->in, id, key, r->error.line, r->error.col, r->error.field[0] ? r->error.field : NULL,
                  r->error.message);
  } else {
    intake_accept(r->in, r->values, id, line);
  }
  r->stop = r->in->stop;
}

/* Starts a fresh account. */
static void begin_account(YamlReader *r) {
  int32_t n = r->schema->ninputs;
  r->values = intake_begin(r->in);
  for (int32_t i = 0; i < n; i++) {
    r->values[i] = val_missing(MISS_ABSENT);
    r->seen[i] = false;
  }
  r->key_text = NULL;
  r->error.set = false;
  r->in_account = true;
}

/* One key of an account, then its value. *NEXT_INPUT is where the next
 * key is looked for first. */
static bool account_pair(YamlReader *r, const yaml_event_t *key, void *ctx) {
  int32_t *next_input = ctx;
  bool ok, saw_alias = false;
  int32_t i = -1;
  if (key->type == YAML_SCALAR_EVENT) {
    if (r->columns_mode && !add_column(r, key)) return false;
    if (!r->columns_mode) i = find_input(r, key, *next_input);
  }
  if (i >= 0) {
    *next_input = i + 1;
    ok = account_field(r, i, key);
  } else {
    ok = skip_pair(r, key, &saw_alias);
  }
  if (saw_alias && !r->columns_mode)
    account_error(r, key->start_mark, NULL, 0, NULL, "YAML aliases are not supported");
  return ok;
}

/* account -> '{' (KEY VALUE)* '}' ; its start event already read. */
static bool read_account(YamlReader *r, yaml_mark_t start) {
  if (!r->columns_mode) begin_account(r);
  int32_t next_input = 0;
  if (!each_item(r, account_pair, &next_input)) return false;
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
  if (!r->columns_mode) r->in_account = true; /* counted if it is cut short */
  if (!skip_node(r, ev, &saw_alias)) return false;
  if (r->columns_mode) return true;
  begin_account(r);
  if (ev->type == YAML_ALIAS_EVENT) {
    account_error(r, ev->start_mark, NULL, 0, NULL, "YAML aliases are not supported");
  } else {
    char what[ERR_MESSAGE_MAX / 2];
    account_error(r, ev->start_mark, NULL, 0, NULL, "expected an account (a mapping), got %s",
                  describe_node(ev, what, sizeof what));
  }
  /* No field of it was read: skip the required-field check. */
  for (int32_t i = 0; i < r->schema->ninputs; i++)
    r->seen[i] = true;
  finish_account(r, ev->start_mark);
  return !r->stop;
}

/* One element of the accounts sequence. */
static bool accounts_item(YamlReader *r, const yaml_event_t *ev, void *ctx) {
  (void)ctx;
  return ev->type == YAML_MAPPING_START_EVENT ? read_account(r, ev->start_mark) : bad_account(r, ev);
}

/* accounts -> '[' account* ']' ; its start event already read. */
static bool read_accounts(YamlReader *r) {
  r->in_accounts = r->accounts_read = true;
  bool ok = each_item(r, accounts_item, NULL);
  if (ok) r->in_accounts = false;
  return ok;
}

/* The accounts libyaml had begun to scan, and not yet passed on as
 * events, when a syntax error stopped it between two accounts: in flow
 * style it scans up to 1024 characters ahead (a `{…}` in a list could
 * still turn out to be a key), so a complete account can sit in its token
 * queue with the broken one, even the list's own start. Each item at the
 * accounts list's level (a mapping, or a scalar) counts. INSIDE: the
 * list's start event came; else the queue is read from the first
 * sequence start in it. */
static uint64_t accounts_ahead(const yaml_parser_t *p, bool inside) {
  uint64_t n = 0;
  int level = 0;
  const yaml_token_t *t = p->tokens.head;
  while (!inside && t != p->tokens.tail) {
    inside = t->type == YAML_FLOW_SEQUENCE_START_TOKEN || t->type == YAML_BLOCK_SEQUENCE_START_TOKEN;
    t++;
  }
  for (; t != p->tokens.tail; t++) {
    switch (t->type) {
    case YAML_FLOW_MAPPING_START_TOKEN:
    case YAML_BLOCK_MAPPING_START_TOKEN:
    case YAML_FLOW_SEQUENCE_START_TOKEN:
    case YAML_BLOCK_SEQUENCE_START_TOKEN:
      if (level++ == 0) n++;
      break;
    case YAML_FLOW_MAPPING_END_TOKEN:
    case YAML_FLOW_SEQUENCE_END_TOKEN:
    case YAML_BLOCK_END_TOKEN:
      if (--level < 0) return n;
      break;
    case YAML_SCALAR_TOKEN:
    case YAML_ALIAS_TOKEN:
      if (level == 0) n++;
      break;
    default: break;
    }
  }
  return n;
}

/* The root mapping being read. */
typedef struct Root {
  bool found;        /* its `accounts` key came */
  yaml_mark_t first; /* where */
} Root;

/* Skips one element of a second accounts list, counting it as read and
 * rejected. */
static bool skip_account(YamlReader *r, const yaml_event_t *ev, void *ctx) {
  uint64_t *count = ctx;
  bool saw_alias = false;
  ++*count;
  if (r->in) intake_cut(r->in);
  return skip_node(r, ev, &saw_alias);
}

/* A second `accounts` key (KEY): which list would be meant? Its accounts
 * are counted as read and rejected, and the file is malformed. */
static bool second_accounts(YamlReader *r, const yaml_event_t *key, const Root *root) {
  yaml_event_t value;
  if (!next_event(r, &value)) return false;
  uint64_t count = 0;
  bool saw_alias = false, ok = value.type == YAML_SEQUENCE_START_EVENT ? each_item(r, skip_account, &count)
                                                                       : skip_node(r, &value, &saw_alias);
  yaml_event_delete(&value);
  if (!ok) return false;
  char message[160];
  snprintf(
      message, sizeof message,
      P_("a second \"accounts\" key (the first is at line %d): its %llu account is not read (rejected)",
         "a second \"accounts\" key (the first is at line %d): its %llu accounts are not read (rejected)",
         (unsigned long)count),
      (int)root->first.line + 1, (unsigned long long)count);
  file_error(r, key->start_mark, message);
  return true;
}

/* One key of the root mapping, then its value. */
static bool root_pair(YamlReader *r, const yaml_event_t *key, void *ctx) {
  Root *root = ctx;
  bool saw_alias = false;
  if (!(key->type == YAML_SCALAR_EVENT && strcmp(scalar_text(key), "accounts") == 0))
    return skip_pair(r, key, &saw_alias);
  if (root->found) return second_accounts(r, key, root);
  root->found = true;
  root->first = key->start_mark;
  yaml_event_t value;
  if (!next_event(r, &value)) return false;
  bool ok = true;
  if (value.type == YAML_SEQUENCE_START_EVENT) {
    ok = read_accounts(r);
  } else if (!is_null_scalar(&value)) {
    file_error(r, value.start_mark, "\"accounts\" must hold a list of accounts");
    ok = false;
  }
  yaml_event_delete(&value);
  return ok;
}

/* root-mapping -> '{' ('accounts' accounts | KEY any)* '}' */
static bool read_root_mapping(YamlReader *r, yaml_mark_t start) {
  Root root = {false, {0}};
  if (!each_item(r, root_pair, &root)) return false;
  if (!root.found) {
    file_error(r, start,
               "no \"accounts\" key: expected a list of accounts, or a "
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
    file_error(r, ev.start_mark, "expected a list of accounts, or a mapping with an \"accounts\" key");
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

/* ---- input: the file, filtered ------------------------------------------ */

#define RAW_CAP         (16u << 10) /* file bytes read at a time (as libyaml) */
#define BAD_PENDING_MAX 4096        /* replaced runs remembered ahead of the reader */

/* Reads more of the file into r->raw, keeping the bytes not yet handed on.
 * False on a read error. */
static bool raw_refill(YamlReader *r) {
  size_t keep = r->raw_len - r->raw_pos;
  memmove(r->raw, r->raw + r->raw_pos, keep);
  r->raw_pos = 0;
  r->raw_len = keep;
  size_t got = fread(r->raw + keep, 1, RAW_CAP - keep, r->fp);
  r->raw_len += got;
  r->bytes_read += got;
  if (got == 0) {
    r->raw_eof = true;
    if (ferror(r->fp)) r->raw_error = true;
  }
  return !r->raw_error;
}

/* Length of the valid UTF-8 sequence at P (AVAIL bytes; more may follow
 * unless EOF), with its code point in *CP; 0 when the first byte does not
 * start one. */
static size_t utf8_sequence(const unsigned char *p, size_t avail, uint32_t *cp) {
  unsigned char b = p[0];
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
  if (b < 0x80) {
    *cp = b;
    return 1;
  } else if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
    *cp = b & 0x1Fu;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    *cp = b & 0x0Fu;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F; /* no surrogates */
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    *cp = b & 0x07u;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F; /* nothing past U+10FFFF */
  } else {
    return 0;
  }
  if (avail < len) return 0;
  for (size_t k = 1; k < len; k++) {
    unsigned char c = p[k];
    if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return 0;
    *cp = (*cp << 6) | (c & 0x3Fu);
  }
  return len;
}

/* The characters YAML allows in a stream (libyaml refuses the others). */
static bool yaml_printable(uint32_t cp) {
  return cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
         (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* The bytes 0x20..0x7E, '\t', '\n' and '\r' among the 16 at P, as bits. */
static inline unsigned ascii_allowed_bits(const unsigned char *p) {
#ifdef __SSE2__
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  /* signed: 0x20..0x7F are the bytes greater than 0x1F; 0x80.. are negative */
  __m128i ok =
      _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)), _mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F)));
  ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')))));
  return (unsigned)_mm_movemask_epi8(ok);
#else
  unsigned bits = 0;
  for (int k = 0; k < 16; k++)
    bits |= (unsigned)(p[k] >= 0x20 ? p[k] < 0x7F : p[k] == '\n' || p[k] == '\t' || p[k] == '\r') << k;
  return bits;
#endif
}

/* The length of the run of characters at P (at most N bytes) that go to
 * libyaml as they are: ASCII that YAML allows and well-formed printable
 * UTF-8 sequences other than U+FEFF. *CHARS receives the characters in it.
 * A multibyte sequence is only looked at when all its bytes can be there
 * (WHOLE: P[N] is not the end of what has been read so far, or the file
 * ends there), so none is judged cut short by a read. */
static size_t allowed_run(const unsigned char *p, size_t n, bool whole, size_t *chars) {
  size_t run = 0, count = 0;
  while (run < n) {
    if (n - run >= 16) {
      unsigned bits = ascii_allowed_bits(p + run);
      if (bits == 0xFFFF) {
        run += 16;
        count += 16;
        continue;
      }
      unsigned k = (unsigned)__builtin_ctz(~bits);
      run += k;
      count += k;
    } else if (p[run] >= 0x20 ? p[run] < 0x7F : p[run] == '\n' || p[run] == '\t' || p[run] == '\r') {
      run++;
      count++;
      continue;
    }
    if (p[run] < 0x80 || (!whole && n - run < 4)) break;
    uint32_t cp = 0;
    size_t len = utf8_sequence(p + run, n - run, &cp);
    if (len == 0 || cp == 0xFEFF || !yaml_printable(cp)) break;
    run += len;
    count++;
  }
  *chars = count;
  return run;
}

/* Remembers that character r->chars was replaced. */
static void note_replaced(YamlReader *r, uint32_t value, bool invalid_utf8) {
  if (r->nbad > r->bad_head && r->bad[r->nbad - 1].last + 1 == r->chars) {
    r->bad[r->nbad - 1].last = r->chars; /* the run goes on */
    return;
  }
  if (r->nbad - r->bad_head >= BAD_PENDING_MAX) {
    /* Pathological data: merge into the last run (its account, and at
     * worst a neighbour, is rejected). */
    r->bad[r->nbad - 1].last = r->chars;
    return;
  }
  if (r->nbad == r->bad_cap) {
    r->bad_cap = r->bad_cap ? r->bad_cap * 2 : 16;
    r->bad = xrealloc(r->bad, r->bad_cap * sizeof *r->bad);
  }
  r->bad[r->nbad++] = (BadChar){r->chars, r->chars, value, invalid_utf8};
}

/* libyaml's input. Invalid UTF-8 and the characters YAML does not allow
 * (NUL and other control characters) would stop libyaml for the whole
 * file, losing the accounts around them; each such byte (or character)
 * is handed on as U+FFFD instead and remembered, so that a value holding
 * one rejects its account (scalar_value) and the others are read. One
 * replacement character for one bad character keeps libyaml's marks
 * (lines, columns, character indices) those of the file. A file that
 * starts with a UTF-16 byte order mark is handed on unfiltered. */
static int read_input(void *data, unsigned char *buffer, size_t size, size_t *size_read) {
  YamlReader *r = data;
  size_t n = 0;
  *size_read = 0;
  /* Once too many bytes have gone to libyaml without an event coming out,
   * stop with r->too_long. They are counted after the filter, which turns
   * one bad byte into three (U+FFFD): libyaml's buffers hold what it is
   * handed. libyaml reads up to 16 KiB ahead, so the bytes handed on since
   * the last event are the value's, give or take 16 KiB either way: with a
   * 64 KiB margin a value over YAML_VALUE_MAX is always refused and one
   * under YAML_VALUE_MAX - 96 KiB always read. */
  if (r->bytes_out - r->bytes_at_event > YAML_VALUE_MAX - (64u << 10)) {
    r->too_long = true;
    return 0;
  }
  while (n < size) {
    if (r->npend > 0) {
      buffer[n++] = r->pend[0];
      memmove(r->pend, r->pend + 1, (size_t)--r->npend);
      continue;
    }
    if (r->raw_len - r->raw_pos < 4 && !r->raw_eof) {
      if (!raw_refill(r)) return 0;
      continue;
    }
    if (r->raw_pos == r->raw_len) break; /* the end of the file */
    const unsigned char *p = r->raw + r->raw_pos;
    size_t avail = r->raw_len - r->raw_pos;
    bool at_start = r->bytes_read == r->raw_len && r->raw_pos == 0;
    if (at_start && avail >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
      r->utf16 = true;
    size_t run = 0, room = size - n, chars = 0;
    if (r->utf16) {
      run = chars = avail < room ? avail : room;
    } else {
      run = allowed_run(p, avail < room ? avail : room, r->raw_eof || avail >= room, &chars);
    }
    if (run > 0) { /* characters YAML allows, as is */
      memcpy(buffer + n, p, run);
      n += run;
      r->raw_pos += run;
      r->chars += chars;
      continue;
    }
    uint32_t cp = 0;
    size_t len = utf8_sequence(p, avail, &cp);
    const unsigned char *out = p;
    size_t out_len = len;
    if (len == 0 || !yaml_printable(cp)) {
      note_replaced(r, len > 0 ? cp : p[0], len == 0);
      if (len == 0) len = 1;
      out = (const unsigned char *)"\xEF\xBF\xBD"; /* U+FFFD */
      out_len = 3;
    }
    if (out_len <= size - n) { /* straight into libyaml's buffer */
      memcpy(buffer + n, out, out_len);
      n += out_len;
    } else { /* the rest goes out next call */
      memcpy(r->pend, out, out_len);
      r->npend = (int)out_len;
    }
    r->raw_pos += len;
    if (!(at_start && cp == 0xFEFF)) r->chars++; /* libyaml does not count a BOM */
  }
  r->bytes_out += n;
  *size_read = n;
  return 1;
}

/* ---- entry points --------------------------------------------------------- */

/* Opens PATH for R. False (after reporting) when it cannot be read; the
 * status for the caller is then KENKO_ERR_USAGE. */
static bool reader_open(YamlReader *r, const char *source, const Schema *schema, const ReadOpts *opts,
                        Diag *diag) {
  memset(r, 0, sizeof *r);
  r->source = source;
  const char *path = r->path = data_name(source);
  r->schema = schema;
  r->opts = opts;
  r->diag = diag;
  const char *encoding = opts ? opts->encoding : NULL;
  if (encoding && *encoding && strcmp(encoding, "utf-8") != 0 && strcmp(encoding, "UTF-8") != 0 &&
      strcmp(encoding, "utf8") != 0 && strcmp(encoding, "UTF8") != 0) {
    diag_at(diag, KENKO_ERROR, path, 0, 0,
            "encoding \"%s\" is only supported for CSV files (YAML and JSON are "
            "read as UTF-8)",
            encoding);
    return false;
  }
  r->fp = data_open(source);
  if (!r->fp) {
    diag_at(diag, KENKO_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
    return false;
  }
  if (!yaml_parser_initialize(&r->parser)) {
    data_close(r->fp);
    r->fp = NULL;
    diag_at(diag, KENKO_ERROR, path, 0, 0, "out of memory while reading YAML");
    return false;
  }
  r->raw = xmalloc(RAW_CAP);
  yaml_parser_set_input(&r->parser, read_input, r);
  return true;
}

static void reader_close(YamlReader *r) {
  yaml_parser_delete(&r->parser);
  data_close(r->fp);
  free(r->seen);
  free(r->scratch);
  free(r->element_seen);
  for (int32_t i = 0; i < r->ncols; i++)
    free(r->cols[i]);
  free(r->cols);
  free(r->col_slots);
  free(r->raw);
  free(r->bad);
}

int yaml_read(Intake *in) {
  YamlReader r;
  const Schema *schema = in->schema;
  if (!reader_open(&r, in->source, schema, in->opts, in->diag)) {
    in->stats->file_error = true;
    return KENKO_ERR_USAGE;
  }
  r.in = in;
  r.seen = xcalloc((size_t)schema->ninputs + 1, sizeof *r.seen);
  r.distinct_columns = true;
  for (int32_t i = 0; i < schema->ninputs; i++)
    for (int32_t j = 0; j < i; j++)
      if (strcmp(schema->inputs[i].column, schema->inputs[j].column) == 0) r.distinct_columns = false;
  for (int32_t i = 0; i < schema->ninputs; i++)
    if (schema->inputs[i].nfields > r.max_fields) r.max_fields = schema->inputs[i].nfields;
  r.element_seen = xcalloc((size_t)r.max_fields + 1, sizeof *r.element_seen);
  read_stream(&r);
  if (r.fatal && r.in_account) intake_cut(in); /* the account cut short: read, and not scored */
  if (r.fatal && !r.in_account && (r.in_accounts || (!r.accounts_read && r.depth <= 1)))
    for (uint64_t n = accounts_ahead(&r.parser, r.in_accounts); n > 0; n--)
      intake_cut(in);
  bool failed = r.fatal || in->rejected;
  if (r.fatal) in->stats->file_error = true;
  reader_close(&r);
  return failed ? KENKO_ERR_DATA : KENKO_OK;
}

char **yaml_columns(const char *path, const ReadOpts *opts, Diag *diag, int32_t *count) {
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
