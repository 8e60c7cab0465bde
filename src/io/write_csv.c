/* write_csv.c — `run --format csv`: one row per account,
 * id,persona,health,grade,<dim>,<dim>_grade…,flags,bottleneck, then
 * as_of and rules so every row says how it was scored. `kenko history`'s
 * rows (WriteCtx.history) put as_of and rules after the id and add the
 * coverage after the grade (LANGUAGE.md §6). Missing values are empty
 * cells; raised flags are joined with ';'. */
#include <iconv.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "front/source.h"

#include "io/writer.h"

/* Flag sets precomputed up to this many flags (2^n fragments). */
enum { FLAG_SETS_MAX = 8 };

/* Every name a row can hold, as a CSV cell, made once per run. */
struct CsvPlan {
  Frag *personas;   /* per persona: ",NAME"; [-1] (none): "," */
  Frag *grades;     /* per grade name: ",NAME"; [-1] (none): "," */
  Frag *flags;      /* per flag */
  Frag *flag_sets;  /* up to FLAG_SETS_MAX flags: the flags cell of every set
                       of raised flags (bit f: flag f), else NULL */
  Frag *steps;      /* per journey step: ",NAME"; [-1] (none): "," */
  Frag head;        /* history: ",as_of,rules"; else empty */
  Frag tail;        /* ",as_of,rules\n"; history: "\n" */
  size_t room;      /* what a row needs after its id (write_csv) */
  bool short_cells; /* every persona, grade and step cell, with its comma, is at most 16 bytes */
};

/* A fragment of the plan at O, in room made beforehand (frag16_room(f)
 * bytes), by moves of 16 bytes over its padding (writer_frag pads every
 * fragment with FRAG_PAD zero bytes): no call, and one move for the
 * names and grades most rows hold. */
static inline size_t frag16_room(Frag f) { return f.n > 16 ? (f.n + 15) & ~(size_t)15 : 16; }
static inline char *frag16_at(char *o, Frag f) {
  memcpy(o, f.s, 16);
  for (size_t i = 16; i < f.n; i += 16)
    memcpy(o + i, f.s + i, 16);
  return o + f.n;
}
/* The same for a cell of the plan when BRIEF (CsvPlan.short_cells, a
 * constant where it is inlined): one move, no test. */
static inline char *plan_cell_at(char *o, Frag f, bool brief) {
  if (!brief) return frag16_at(o, f);
  memcpy(o, f.s, 16);
  return o + f.n;
}

static void cell(Buf *b, const char *s) {
  if (s) buf_csv_cell(b, s, strlen(s));
}

static Frag cell_frag(WriteCtx *w, Buf *tmp, const char *s) {
  cell(tmp, s);
  return writer_frag(w, tmp, 0);
}

/* The same after a comma (",good"); S NULL: the comma alone. */
static Frag comma_frag(WriteCtx *w, Buf *tmp, const char *s) {
  buf_putc(tmp, ',');
  return cell_frag(w, tmp, s);
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
  /* personas, grades and steps after their comma, [-1] the comma alone */
  cp->personas = (Frag *)arena_alloc(a, ((size_t)p->npersonas + 1) * sizeof(Frag)) + 1;
  cp->grades = (Frag *)arena_alloc(a, ((size_t)p->ngrade_names + 1) * sizeof(Frag)) + 1;
  cp->flags = arena_alloc(a, ((size_t)p->nflags + 1) * sizeof(Frag));
  cp->steps = (Frag *)arena_alloc(a, ((size_t)p->nsteps + 1) * sizeof(Frag)) + 1;
  Buf tmp;
  buf_init(&tmp, NULL);
  cp->personas[-1] = cp->grades[-1] = cp->steps[-1] = comma_frag(w, &tmp, NULL);
  for (int32_t i = 0; i < p->npersonas; i++)
    cp->personas[i] = comma_frag(w, &tmp, writer_shown(w, p->personas[i].name, p->personas[i].label));
  for (int32_t i = 0; i < p->ngrade_names; i++)
    cp->grades[i] = comma_frag(w, &tmp, writer_shown(w, p->grade_names[i], p->grade_labels[i]));
  for (int32_t i = 0; i < p->nflags; i++)
    cp->flags[i] = cell_frag(w, &tmp, writer_shown(w, p->flags[i].name, p->flags[i].label));
  for (int32_t i = 0; i < p->nsteps; i++)
    cp->steps[i] = comma_frag(w, &tmp, writer_shown(w, p->steps[i].name, p->steps[i].label));
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
  /* the row after the id, every piece at its largest (frag16_room;
   * a number NUM_ROOM bytes, or num_format_fixed's 352 with --digits) */
  size_t grade = 16, persona = 16, step = 16, flags = 0, num = w->rounded ? 352 : NUM_ROOM;
  for (int32_t i = 0; i < p->ngrade_names; i++)
    grade = grade > frag16_room(cp->grades[i]) ? grade : frag16_room(cp->grades[i]);
  for (int32_t i = 0; i < p->npersonas; i++)
    persona = persona > frag16_room(cp->personas[i]) ? persona : frag16_room(cp->personas[i]);
  for (int32_t i = 0; i < p->nsteps; i++)
    step = step > frag16_room(cp->steps[i]) ? step : frag16_room(cp->steps[i]);
  for (uint32_t set = 0; cp->flag_sets && set < 1u << p->nflags; set++)
    flags = flags > frag16_room(cp->flag_sets[set]) ? flags : frag16_room(cp->flag_sets[set]);
  for (int32_t f = 0; !cp->flag_sets && f < p->nflags; f++)
    flags += frag16_room(cp->flags[f]) + 1; /* every flag and its ';' */
  cp->short_cells = grade == 16 && persona == 16 && step == 16;
  cp->room = frag16_room(cp->head) + persona + grade + step + flags + frag16_room(cp->tail) + 2 * num + 8 +
             (size_t)p->ndimensions * (num + grade + 2);
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

/* A number at O, in room made beforehand: exact (through B's cache of
 * number texts, made before the row), or rounded with --digits. */
static inline char *num_at(int digits, Buf *b, char *o, double x) {
  if (digits >= 0) return o + num_format_fixed(x, digits, o);
  return o + buf_num_cached(b, o, x);
}

/* The set of raised flags (bit f: flag f) of the N <= FLAG_SETS_MAX
 * FLAGS: with SSE2 the bytes compared all at once (read as two words of
 * 4 that overlap, never past the array). */
static inline uint32_t raised_set(const uint8_t *flags, int32_t n) {
#ifdef __SSE2__
  if (n >= 4) {
    uint32_t lo, hi;
    memcpy(&lo, flags, 4);
    memcpy(&hi, flags + n - 4, 4);
    uint64_t v = lo | (uint64_t)hi << 8 * (n - 4); /* the bytes they share are the same */
    __m128i raised = _mm_cmpeq_epi8(_mm_cvtsi64_si128((int64_t)v), _mm_set1_epi8(FLAG_RAISED));
    return (uint32_t)_mm_movemask_epi8(raised) & ((1u << n) - 1);
  }
#endif
  uint32_t set = 0;
  for (int32_t f = 0; f < n; f++)
    set |= (uint32_t)(flags[f] == FLAG_RAISED) << f;
  return set;
}

/* The row after its id, at O in room made beforehand (cp->room; b->data
 * does not move); returns its end. DIGITS: --digits, or -1 for exact
 * numbers; BRIEF: cp->short_cells (constants where it is inlined, so
 * that no cell tests them). What is read from R and CP is read into
 * locals first: stores through O could change them as far as the
 * compiler knows. */
static inline __attribute__((always_inline)) char *row_at(const WriteCtx *w, Buf *b, char *o, const Result *r,
                                                          int digits, bool brief) {
  const CsvPlan *cp = w->csv;
  const Frag *grades = cp->grades;
  const DimResult *dims = r->dims;
  int32_t ndims = r->ndims, nflags = r->nflags;
  const uint8_t *flags = r->flags;
  int32_t bottleneck = r->bottleneck, grade = r->grade, persona = r->persona;
  double health = r->health, coverage = r->coverage;
  bool health_na = r->health_na, history = w->history;
  if (history) o = frag16_at(o, cp->head);
  o = plan_cell_at(o, cp->personas[persona], brief); /* its comma in front, none at -1 */
  *o++ = ',';
  if (!health_na) o = num_at(digits, b, o, health);
  o = plan_cell_at(o, grades[grade], brief);
  if (history) {
    *o++ = ',';
    if (!isnan(coverage)) o = num_at(digits, b, o, coverage);
  }
  for (int32_t d = 0; d < ndims; d++) {
    bool na = dims[d].na;
    double score = dims[d].score;
    int32_t dim_grade = dims[d].grade;
    *o++ = ',';
    if (!na) o = num_at(digits, b, o, score);
    o = plan_cell_at(o, grades[dim_grade], brief);
  }
  *o++ = ',';
  if (cp->flag_sets) {
    o = frag16_at(o, cp->flag_sets[raised_set(flags, nflags)]);
  } else { /* more flags than FLAG_SETS_MAX: one by one */
    bool first = true;
    for (int32_t f = 0; f < nflags; f++) {
      if (flags[f] != FLAG_RAISED) continue;
      if (!first) *o++ = ';';
      first = false;
      o = frag16_at(o, cp->flags[f]);
    }
  }
  o = plan_cell_at(o, cp->steps[bottleneck], brief);
  return frag16_at(o, cp->tail);
}

void write_csv(WriteCtx *w, const Account *a, const Result *r) {
  if (!w->csv) w->csv = csv_plan(w);
  Buf *b = w->buf;
  size_t start = b->len;
  /* The id is the one cell from the data (the others are names from the
   * rules, numbers and dates, which never start with = + - @). */
  const char *id = a->id ? a->id : "";
  size_t id_len = strlen(id);
  if (w->excel_safe || (w->labels && w->p->display_input >= 0)) {
    if (w->excel_safe)
      buf_csv_cell_safe(b, id, id_len);
    else
      buf_csv_cell(b, id, id_len);
    if (w->labels && w->p->display_input >= 0) { /* the display name: from the data too */
      buf_putc(b, ',');
      if (a->name && w->excel_safe)
        buf_csv_cell_safe(b, a->name, strlen(a->name));
      else if (a->name)
        buf_csv_cell(b, a->name, strlen(a->name));
    }
    buf_reserve(b, w->csv->room);
  } else {
    buf_reserve(b, CSV_CELL_ROOM(id_len) + w->csv->room);
    b->len = (size_t)(csv_cell_at(b->data + b->len, id, id_len) - b->data);
  }
  buf_num_cache(b);
  char *o = b->data + b->len, *end;
  if (!w->rounded && w->csv->short_cells)
    end = row_at(w, b, o, r, -1, true); /* the usual row: exact numbers, short names */
  else
    end = row_at(w, b, o, r, w->rounded ? w->digits : -1, false);
  b->len = (size_t)(end - b->data);
  if (w->encoder) csv_encode_row(w, a, start);
}
