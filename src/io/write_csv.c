/* write_csv.c — `run --format csv`: one row per account,
 * id,persona,health,grade,<dim>,<dim>_grade…,flags,bottleneck, then
 * as_of and rules so every row says how it was scored. `kenko history`'s
 * rows (WriteCtx.history) put as_of and rules after the id and add the
 * coverage after the grade (LANGUAGE.md §6). Missing values are empty
 * cells; raised flags are joined with ';'. */
#include <iconv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "front/source.h"

#include "io/writer.h"

/* Flag sets precomputed up to this many flags (2^n fragments). */
enum { FLAG_SETS_MAX = 8 };

/* Every name a row can hold, as a CSV cell, made once per run. */
struct CsvPlan {
  Frag *personas;  /* per persona */
  Frag *grades;    /* per grade name */
  Frag *flags;     /* per flag */
  Frag *flag_sets; /* up to FLAG_SETS_MAX flags: the flags cell of every set
                      of raised flags (bit f: flag f), else NULL */
  Frag *steps;     /* per journey step */
  Frag head;       /* history: ",as_of,rules"; else empty */
  Frag tail;       /* ",as_of,rules\n"; history: "\n" */
  size_t room;     /* what a row needs after its id (write_csv) */
};

static void cell(Buf *b, const char *s) {
  if (s) buf_csv_cell(b, s, strlen(s));
}

static Frag cell_frag(WriteCtx *w, Buf *tmp, const char *s) {
  cell(tmp, s);
  return writer_frag(w, tmp, 0);
}

/* ---- the output encoding (--output-encoding cp932) ---------------------- */

bool csv_writer_setup(WriteCtx *w, const kenko_run_opts *opts, Diag *diag) {
  w->bom = opts->bom;
  w->labels = opts->labels;
  w->rounded = opts->rounded;
  w->digits = opts->digits;
  w->diag = diag;
  if (!opts->output_encoding) return true;
  iconv_t cd = iconv_open("CP932", "UTF-8");
  if (cd == (iconv_t)-1) {
    diag_at(diag, KENKO_ERROR, NULL, 0, 0, "--output-encoding cp932: this system's iconv cannot write CP932");
    return false;
  }
  w->encoder = cd;
  return true;
}

int csv_writer_finish(WriteCtx *w, kenko_run_stats *stats, int status) {
  if (w->encoder) iconv_close((iconv_t)w->encoder);
  w->encoder = NULL;
  if (w->unencodable == 0) return status;
  stats->scored -= w->unencodable;
  stats->rejected += w->unencodable;
  return status == KENKO_OK ? KENKO_ERR_DATA : status;
}

/* The 0-based column of the cell at byte OFF of the CSV row ROW (cells
 * split at commas outside quotes), and where that cell starts and ends. */
static int cell_at(const char *row, size_t len, size_t off, size_t *begin, size_t *end) {
  int col = 0;
  bool quoted = false;
  *begin = 0;
  for (size_t i = 0; i < len; i++) {
    char c = row[i];
    if (c == '"') quoted = !quoted;
    if (quoted || (c != ',' && c != '\n')) continue;
    if (i >= off) {
      *end = i;
      return col;
    }
    col++;
    *begin = i + 1;
  }
  *end = len;
  return col;
}

/* Cell COL of W's header, as its text. */
static void header_cell(const WriteCtx *w, int col, Buf *out) {
  Buf hb;
  buf_init(&hb, NULL);
  WriteCtx h = *w;
  h.buf = &hb;
  h.bom = false;
  h.encoder = NULL;
  write_csv_header(&h);
  size_t at = 0, begin, end;
  for (int c = 0; c < col && at < hb.len; at++)
    if (hb.data[at] == ',') c++; /* header cells hold no quoted comma */
  cell_at(hb.data + at, hb.len - at, 0, &begin, &end);
  buf_put(out, hb.data + at + begin, end - begin);
  buf_putc(out, '\0');
  buf_free(&hb);
}

/* A CSV cell's text: its quotes taken off. */
static void unquoted(Buf *out, const char *s, size_t n) {
  if (n < 2 || s[0] != '"') {
    buf_put(out, s, n);
    return;
  }
  for (size_t i = 1; i + 1 < n; i++) {
    buf_putc(out, s[i]);
    if (s[i] == '"') i++;
  }
}

static bool csv_encode_row(WriteCtx *w, const Account *a, size_t start) {
  Buf *b = w->buf;
  size_t n = b->len - start;
  char *in = b->data + start;
  /* CP932 takes at most as many bytes as UTF-8 (2 for the 3 of a kana or
   * kanji, 1 for ASCII and 2 for the rest), so the row converts in place
   * through a copy of the UTF-8. */
  char *copy = malloc(n + 1);
  memcpy(copy, in, n);
  char *src = copy, *dst = in;
  size_t left = n, room = n;
  size_t rc = iconv((iconv_t)w->encoder, &src, &left, &dst, &room);
  if (rc != (size_t)-1) {
    iconv((iconv_t)w->encoder, NULL, NULL, &dst, &room);
    b->len = start + (n - room);
    free(copy);
    return true;
  }
  iconv((iconv_t)w->encoder, NULL, NULL, NULL, NULL);
  size_t off = (size_t)(src - copy);
  uint32_t cp = 0;
  int len = utf8_decode((const unsigned char *)copy + off, n - off, &cp);
  if (len <= 0) len = 1;
  size_t begin, end;
  int col = cell_at(copy, n, off, &begin, &end);
  Buf name, cell_text, text;
  buf_init(&name, NULL);
  buf_init(&cell_text, NULL);
  buf_init(&text, NULL);
  unquoted(&cell_text, copy + begin, end - begin);
  buf_shown(&text, cell_text.data ? cell_text.data : "", cell_text.len, true);
  buf_putc(&text, '\0');
  if (a) {
    header_cell(w, col, &name);
    diag_at(w->diag, KENKO_ERROR, a->file, (int)a->line, 1,
            "account \"%s\": the `%s` cell %s holds U+%04X (%.*s), which CP932 cannot write: the row is left "
            "out (write UTF-8 with `--bom` instead, which Excel reads too)",
            a->id, name.data, text.data, (unsigned)cp, len, copy + off);
    w->unencodable++;
  } else {
    diag_at(w->diag, KENKO_ERROR, NULL, 0, 0,
            "--output-encoding cp932: the header cell %s holds U+%04X (%.*s), which CP932 cannot write (a "
            "label in the rules; write UTF-8 with `--bom` instead)",
            text.data, (unsigned)cp, len, copy + off);
  }
  buf_free(&name);
  buf_free(&cell_text);
  buf_free(&text);
  free(copy);
  b->len = start;
  return false;
}

const char *writer_shown(const WriteCtx *w, const char *name, const char *label) {
  return w->labels && label && *label ? label : name;
}

static CsvPlan *csv_plan(WriteCtx *w) {
  const Program *p = w->p;
  Arena *a = writer_arena(w);
  CsvPlan *cp = arena_alloc(a, sizeof *cp);
  cp->personas = arena_alloc(a, ((size_t)p->npersonas + 1) * sizeof(Frag));
  cp->grades = arena_alloc(a, ((size_t)p->ngrade_names + 1) * sizeof(Frag));
  cp->flags = arena_alloc(a, ((size_t)p->nflags + 1) * sizeof(Frag));
  cp->steps = arena_alloc(a, ((size_t)p->nsteps + 1) * sizeof(Frag));
  Buf tmp;
  buf_init(&tmp, NULL);
  for (int32_t i = 0; i < p->npersonas; i++)
    cp->personas[i] = cell_frag(w, &tmp, writer_shown(w, p->personas[i].name, p->personas[i].label));
  for (int32_t i = 0; i < p->ngrade_names; i++)
    cp->grades[i] = cell_frag(w, &tmp, writer_shown(w, p->grade_names[i], p->grade_labels[i]));
  for (int32_t i = 0; i < p->nflags; i++)
    cp->flags[i] = cell_frag(w, &tmp, writer_shown(w, p->flags[i].name, p->flags[i].label));
  for (int32_t i = 0; i < p->nsteps; i++)
    cp->steps[i] = cell_frag(w, &tmp, writer_shown(w, p->steps[i].name, p->steps[i].label));
  if (p->nflags <= FLAG_SETS_MAX) {
    /* the cell written as a whole (one lookup, no branch per flag) */
    cp->flag_sets = arena_alloc(a, ((size_t)1 << p->nflags) * sizeof(Frag));
    for (uint32_t set = 0; set < 1u << p->nflags; set++) {
      for (int32_t f = 0, n = 0; f < p->nflags; f++) {
        if (!(set >> f & 1)) continue;
        if (n++) buf_putc(&tmp, ';');
        cell(&tmp, writer_shown(w, p->flags[f].name, p->flags[f].label));
      }
      cp->flag_sets[set] = writer_frag(w, &tmp, 0);
    }
  }
  buf_putc(&tmp, ',');
  buf_puts(&tmp, w->as_of);
  buf_putc(&tmp, ',');
  buf_puts(&tmp, w->rules);
  if (w->history) {
    cp->head = writer_frag(w, &tmp, 0);
    buf_putc(&tmp, '\n');
    cp->tail = writer_frag(w, &tmp, 0);
  } else {
    cp->head = writer_frag(w, &tmp, tmp.len);
    buf_putc(&tmp, '\n');
    cp->tail = writer_frag(w, &tmp, 0);
  }
  buf_free(&tmp);
  /* the row after the id, every piece at its largest (writer.h) */
  size_t grade = FRAG_PAD, persona = FRAG_PAD, step = FRAG_PAD, flags = FRAG_PAD;
  for (int32_t i = 0; i < p->ngrade_names; i++)
    grade = grade > frag_room(cp->grades[i]) ? grade : frag_room(cp->grades[i]);
  for (int32_t i = 0; i < p->npersonas; i++)
    persona = persona > frag_room(cp->personas[i]) ? persona : frag_room(cp->personas[i]);
  for (int32_t i = 0; i < p->nsteps; i++)
    step = step > frag_room(cp->steps[i]) ? step : frag_room(cp->steps[i]);
  for (uint32_t set = 0; cp->flag_sets && set < 1u << p->nflags; set++)
    flags = flags > frag_room(cp->flag_sets[set]) ? flags : frag_room(cp->flag_sets[set]);
  cp->room = frag_room(cp->head) + persona + grade + step + flags + frag_room(cp->tail) + 2 * NUM_ROOM + 8 +
             (size_t)p->ndimensions * (NUM_ROOM + grade + 2);
  return cp;
}

/* The header's fixed columns with --labels and in xlsx, for people: in
 * the user's language (po/ja.po gives the Japanese headings), translated
 * where the header is written; the rules' labels head the dimensions'
 * columns (docs/cli.md). */
static const char *const fixed_labels[] = {
    /* TRANSLATORS: headings of `--format csv --labels` and xlsx columns */
    N_("Persona"), N_("Health"),     N_("Grade"), N_("Coverage"),
    N_("Flags"),   N_("Bottleneck"), N_("As of"), N_("Rules")};
enum { COL_PERSONA, COL_HEALTH, COL_GRADE, COL_COVERAGE, COL_FLAGS, COL_BOTTLENECK, COL_AS_OF, COL_RULES };
static const char *const fixed_names[] = {"persona", "health",     "grade", "coverage",
                                          "flags",   "bottleneck", "as_of", "rules"};

/* The header's cells in order, each handed to CELL (csv and xlsx). */
void writer_header(const WriteCtx *w, void (*cell_fn)(void *ud, const char *text), void *ud) {
  const Program *p = w->p;
  const char *fixed[sizeof fixed_names / sizeof *fixed_names];
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    fixed[i] = w->labels ? _(fixed_labels[i]) : fixed_names[i];
  const InputDecl *key = p->key_input >= 0 ? &p->inputs[p->key_input] : NULL;
  cell_fn(ud, w->labels && key ? writer_shown(w, key->name, key->label) : "id");
  /* outputs for people (--labels, xlsx): the display name after the id */
  if (w->labels && p->display_input >= 0)
    cell_fn(ud, writer_shown(w, p->inputs[p->display_input].name, p->inputs[p->display_input].label));
  if (w->history) {
    cell_fn(ud, fixed[COL_AS_OF]);
    cell_fn(ud, fixed[COL_RULES]);
  }
  cell_fn(ud, fixed[COL_PERSONA]);
  cell_fn(ud, fixed[COL_HEALTH]);
  cell_fn(ud, fixed[COL_GRADE]);
  if (w->history) cell_fn(ud, fixed[COL_COVERAGE]);
  Buf joined;
  buf_init(&joined, NULL);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    const char *dim = writer_shown(w, p->dimensions[d].name, p->dimensions[d].label);
    cell_fn(ud, dim);
    joined.len = 0;
    if (w->labels) {
      /* TRANSLATORS: the heading of a dimension's grade column (csv --labels, xlsx); %s is the dimension's
       * label */
      buf_printf(&joined, _("%s grade"), dim);
    } else {
      buf_puts(&joined, dim);
      buf_puts(&joined, "_grade");
    }
    buf_putc(&joined, '\0');
    cell_fn(ud, joined.data);
  }
  buf_free(&joined);
  cell_fn(ud, fixed[COL_FLAGS]);
  cell_fn(ud, fixed[COL_BOTTLENECK]);
  if (!w->history) {
    cell_fn(ud, fixed[COL_AS_OF]);
    cell_fn(ud, fixed[COL_RULES]);
  }
}

/* A header cell of the CSV, after a comma unless it is the first. */
static void csv_head_cell(void *ud, const char *text) {
  WriteCtx *w = ud;
  if (w->buf->len > w->head_start) buf_putc(w->buf, ',');
  cell(w->buf, text);
}

bool write_csv_header(WriteCtx *w) {
  Buf *b = w->buf;
  size_t start = b->len;
  if (w->bom) buf_puts(b, "\xEF\xBB\xBF");
  w->head_start = b->len;
  writer_header(w, csv_head_cell, w);
  buf_putc(b, '\n');
  return !w->encoder || csv_encode_row(w, NULL, start);
}

/* A number: exact, into NUM_ROOM bytes of the row's room, or rounded
 * with --digits (up to 351 bytes: room made again after it). */
static inline void put_num(const WriteCtx *w, Buf *b, double x) {
  if (!w->rounded) {
    num_in_room(b, x);
    return;
  }
  char t[352];
  buf_put(b, t, (size_t)num_format_fixed(x, w->digits, t));
  buf_reserve(b, w->csv->room);
}

void write_csv(WriteCtx *w, const Account *a, const Result *r) {
  if (!w->csv) w->csv = csv_plan(w);
  const CsvPlan *cp = w->csv;
  Buf *b = w->buf;
  size_t start = b->len;
  /* The id is the one cell from the data (the others are names from the
   * rules, numbers and dates, which never start with = + - @). */
  if (w->excel_safe && a->id)
    buf_csv_cell_safe(b, a->id, strlen(a->id));
  else
    cell(b, a->id);
  if (w->labels && w->p->display_input >= 0) { /* the display name: from the data too */
    buf_putc(b, ',');
    if (a->name && w->excel_safe)
      buf_csv_cell_safe(b, a->name, strlen(a->name));
    else if (a->name)
      cell(b, a->name);
  }
  /* the rest in room made once (writer.h) */
  buf_reserve(b, cp->room);
  frag_in_room(b, cp->head);
  b->data[b->len++] = ',';
  if (r->persona >= 0) frag_in_room(b, cp->personas[r->persona]);
  b->data[b->len++] = ',';
  if (!r->health_na) put_num(w, b, r->health);
  b->data[b->len++] = ',';
  if (r->grade >= 0) frag_in_room(b, cp->grades[r->grade]);
  if (w->history) {
    b->data[b->len++] = ',';
    if (!isnan(r->coverage)) put_num(w, b, r->coverage);
  }
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    b->data[b->len++] = ',';
    if (!dr->na) put_num(w, b, dr->score);
    b->data[b->len++] = ',';
    if (dr->grade >= 0) frag_in_room(b, cp->grades[dr->grade]);
  }
  b->data[b->len++] = ',';
  if (cp->flag_sets) {
    uint32_t set = 0;
    for (int32_t f = 0; f < r->nflags; f++)
      set |= (uint32_t)(r->flags[f] == FLAG_RAISED) << f;
    frag_in_room(b, cp->flag_sets[set]);
  } else {
    /* more flags than FLAG_SETS_MAX: each checks its own room */
    bool first = true;
    for (int32_t f = 0; f < r->nflags; f++) {
      if (r->flags[f] != FLAG_RAISED) continue;
      if (!first) buf_putc(b, ';');
      first = false;
      put_plan_frag(b, cp->flags[f]);
    }
    buf_reserve(b, cp->room);
  }
  b->data[b->len++] = ',';
  if (r->bottleneck >= 0) frag_in_room(b, cp->steps[r->bottleneck]);
  frag_in_room(b, cp->tail);
  if (w->encoder) csv_encode_row(w, a, start);
}
