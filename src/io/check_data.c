/* check_data.c — the cells half of `kenko check --data` (see reader.h,
 * reader_check_cells): every cell of every account read against its
 * input's type and constraints, reported per column.
 *
 * The file is read once per input that has a column, through the same
 * readers and conversion as `run` (so what check accepts, run accepts),
 * with a schema of that input alone (and the key, so that the accounts are
 * named as run names them). A rejection for the input's field is counted
 * for its column instead of being reported; a rejection of the account as
 * a whole (a record with the wrong cell count, a broken JSON line) is
 * reported as run reports it, in the first pass only, and so are the
 * file's own errors and notes (a malformed file, the CP932 note): later
 * passes are silent. Reading once per input keeps the readers unchanged
 * (they stop at an account's first bad field) at the price of reading the
 * file as many times: fine for the data a person checks before a run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "io/intake.h"
#include "io/reader.h"
#include "kenko.h"

/* Bad cells of a column shown with their location and message. */
#define SAMPLES_MAX 3

/* Distinct `--na` values gathered for a column's hint. */
#define NA_VALUES_MAX 10

typedef struct Sample {
  int line, col;
  char *message; /* "account \"ID\": MESSAGE" */
} Sample;

/* One pass: the column checked and what was found in it. */
typedef struct CellPass {
  const char *column; /* the data column of the input checked */
  bool first;         /* the first pass: whole-account errors are reported */
  Diag *diag;         /* where those go */
  const char *file;
  uint64_t bad;
  Sample samples[SAMPLES_MAX];
  int nsamples;
  /* hints: the values `--na` would accept, and how many cells each
   * option would accept */
  char *na_values[NA_VALUES_MAX];
  int nna_values;
  uint64_t na_cells, thousands_cells, encoding_cells;
} CellPass;

/* True when FIELD (a field of a rejection: "col", "col[2]", "col[2].x")
 * belongs to COLUMN. */
static bool field_of(const char *field, const char *column) {
  size_t n = strlen(column);
  return strncmp(field, column, n) == 0 && (field[n] == '\0' || field[n] == '[');
}

/* The value of the `--na VALUE` hint in MSG (convert.c's wording), or
 * NULL; *LEN its length. */
static const char *na_hint(const char *msg, size_t *len) {
  const char *p = strstr(msg, "`--na ");
  if (!p) return NULL;
  p += 6;
  const char *end = strchr(p, '`');
  if (!end) return NULL;
  *len = (size_t)(end - p);
  return p;
}

static void gather_hints(CellPass *cp, const char *msg) {
  size_t len;
  const char *na = na_hint(msg, &len);
  if (na) {
    cp->na_cells++;
    for (int k = 0; k < cp->nna_values; k++)
      if (strlen(cp->na_values[k]) == len && memcmp(cp->na_values[k], na, len) == 0) return;
    if (cp->nna_values < NA_VALUES_MAX) {
      char *v = malloc(len + 1);
      memcpy(v, na, len);
      v[len] = '\0';
      cp->na_values[cp->nna_values++] = v;
    }
  } else if (strstr(msg, "--thousands ,")) {
    cp->thousands_cells++;
  } else if (strstr(msg, "`--encoding`")) {
    cp->encoding_cells++;
  }
}

static void on_reject(void *ud, int line, int col, const char *field, const char *id, const char *msg) {
  CellPass *cp = ud;
  if (!field || !field_of(field, cp->column)) {
    /* the account as a whole, or the key in another input's pass */
    if (cp->first && !field)
      diag_at(cp->diag, KENKO_ERROR, cp->file, line, col, "account \"%s\": %s", id, msg);
    return;
  }
  cp->bad++;
  gather_hints(cp, msg);
  if (cp->nsamples == SAMPLES_MAX) return;
  Sample *s = &cp->samples[cp->nsamples++];
  s->line = line;
  s->col = col;
  Buf b;
  buf_init(&b, NULL);
  buf_printf(&b, _("account \"%s\""), id);
  if (strcmp(field, cp->column) != 0) buf_printf(&b, ", %s", field);
  buf_printf(&b, ": %s", msg);
  buf_putc(&b, '\0');
  s->message = b.data;
}

static bool count_account(void *ud, const Account *acct, Arena *arena) {
  (void)ud, (void)acct, (void)arena;
  return true;
}

static void silent(void *ud, const kenko_diag *d) { (void)ud, (void)d; }

/* The first pass's diagnostics: the file's errors and warnings go on to
 * the caller's Diag (UD); its notes were given when the columns were read. */
static void no_notes(void *ud, const kenko_diag *d) {
  const Diag *to = ud;
  if (d->level != KENKO_NOTE && to->fn) to->fn(to->ud, d);
}

/* Reports pass CP's column (input IN) when some of its cells are bad. */
static void report_column(const CellPass *cp, const FieldSchema *in, uint64_t accounts, Diag *diag) {
  if (!cp->bad) return;
  const Sample *first = &cp->samples[0];
  diag_at(diag, KENKO_ERROR, cp->file, first->line, first->col,
          "column \"%s\" (input `%s`, %s%s): %llu bad %s in %llu accounts", cp->column, in->name,
          value_type_name((ValueType)in->type), in->allowed ? " in [...]" : "", (unsigned long long)cp->bad,
          cp->bad == 1 ? _("cell") : _("cells"), (unsigned long long)accounts);
  for (int k = 0; k < cp->nsamples; k++)
    diag_at(diag, KENKO_NOTE, cp->file, cp->samples[k].line, cp->samples[k].col, "%s",
            cp->samples[k].message);
  if (cp->bad > (uint64_t)cp->nsamples)
    diag_at(diag, KENKO_NOTE, cp->file, 0, 0, "column \"%s\": %llu more bad %s not shown", cp->column,
            (unsigned long long)(cp->bad - (uint64_t)cp->nsamples),
            cp->bad - (uint64_t)cp->nsamples == 1 ? _("cell") : _("cells"));
  if (cp->na_cells) {
    Buf b;
    buf_init(&b, NULL);
    for (int k = 0; k < cp->nna_values; k++)
      buf_printf(&b, "%s%s", k ? "," : "", cp->na_values[k]);
    buf_putc(&b, '\0');
    diag_at(diag, KENKO_NOTE, cp->file, 0, 0, "column \"%s\": `--na %s` would read %llu of them as missing%s",
            cp->column, b.data, (unsigned long long)cp->na_cells,
            cp->nna_values == NA_VALUES_MAX ? _(" (and more values like them)") : "");
    buf_free(&b);
  }
  if (cp->thousands_cells)
    diag_at(diag, KENKO_NOTE, cp->file, 0, 0, "column \"%s\": `--thousands ,` would read %llu of them",
            cp->column, (unsigned long long)cp->thousands_cells);
  if (cp->encoding_cells)
    diag_at(diag, KENKO_NOTE, cp->file, 0, 0,
            "column \"%s\": %llu %s not UTF-8: give the file's encoding with `--encoding`", cp->column,
            (unsigned long long)cp->encoding_cells, cp->encoding_cells == 1 ? _("cell is") : _("cells are"));
}

/* Adds pass CP's `--na` values to the file's list ALL (N of them). */
static void gather_na(const CellPass *cp, char **all, int *n, uint64_t *cells) {
  *cells += cp->na_cells;
  for (int k = 0; k < cp->nna_values; k++) {
    int j = 0;
    while (j < *n && strcmp(all[j], cp->na_values[k]) != 0)
      j++;
    if (j == *n && *n < NA_VALUES_MAX) all[(*n)++] = strdup(cp->na_values[k]);
  }
}

static void pass_free(CellPass *cp) {
  for (int k = 0; k < cp->nsamples; k++)
    free(cp->samples[k].message);
  for (int k = 0; k < cp->nna_values; k++)
    free(cp->na_values[k]);
}

void reader_check_cells(const char *path, DataFormat fmt, const Schema *schema, char *const *cols,
                        int32_t ncols, const ReadOpts *opts, Diag *diag) {
  bool first = true;
  int32_t key = schema->key_index;
  bool key_column = false;
  for (int32_t k = 0; key >= 0 && k < ncols; k++)
    if (strcmp(cols[k], schema->inputs[key].column) == 0) key_column = true;
  char *na_all[NA_VALUES_MAX];
  int nna_all = 0, columns_na = 0;
  uint64_t na_cells = 0;
  Diag quiet, first_diag;
  diag_init(&quiet, diag->sources, silent, NULL);
  diag_init(&first_diag, diag->sources, no_notes, diag);
  first_diag.color = diag->color;
  for (int32_t i = 0; i < schema->ninputs; i++) {
    const FieldSchema *in = &schema->inputs[i];
    if (fmt == FMT_CSV && in->type == T_LIST) continue;
    bool present = false;
    for (int32_t k = 0; k < ncols && !present; k++)
      present = strcmp(cols[k], in->column) == 0;
    if (!present) continue;
    /* the input alone, after the key when it has a column */
    FieldSchema fields[2];
    Schema one = {fields, 0, -1};
    if (key_column && i != key) {
      fields[one.ninputs] = schema->inputs[key];
      one.key_index = one.ninputs++;
    }
    fields[one.ninputs] = *in;
    if (i == key) one.key_index = one.ninputs;
    one.ninputs++;
    CellPass cp;
    memset(&cp, 0, sizeof cp);
    cp.column = in->column;
    cp.first = first;
    cp.diag = &first_diag;
    cp.file = data_name(path);
    ReadOpts ro = *opts;
    ro.strict = false;
    ro.rejected_key = NULL;
    ro.on_reject = on_reject;
    ro.reject_ud = &cp;
    ReadStats rs;
    memset(&rs, 0, sizeof rs);
    read_data(path, fmt, &one, &ro, first ? &first_diag : &quiet, count_account, NULL, &rs);
    first = false;
    report_column(&cp, in, rs.accounts, diag);
    if (cp.na_cells) columns_na++;
    gather_na(&cp, na_all, &nna_all, &na_cells);
    pass_free(&cp);
  }
  if (columns_na > 1) { /* one option for the whole file */
    Buf b;
    buf_init(&b, NULL);
    for (int k = 0; k < nna_all; k++)
      buf_printf(&b, "%s%s", k ? "," : "", na_all[k]);
    buf_putc(&b, '\0');
    diag_at(diag, KENKO_NOTE, data_name(path), 0, 0, "`--na %s` would read %llu bad cells as missing", b.data,
            (unsigned long long)na_cells);
    buf_free(&b);
  }
  for (int k = 0; k < nna_all; k++)
    free(na_all[k]);
  diag->errors += first_diag.errors;
  diag->warnings += first_diag.warnings;
}
