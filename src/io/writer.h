/* writer.h — turning a Result into output: JSON lines, CSV rows, and the
 * text explanation people read. Writers append to a Buf; the caller
 * flushes. Every number written is the one the evaluator computed. */
#ifndef KENKO_WRITER_H
#define KENKO_WRITER_H

#include <stdbool.h>

#include "base/buf.h"
#include "front/program.h"
#include "engine/explain.h"
#include "io/reader.h"
#include "engine/result.h"

/* Fixed output made once per run (write_csv.c, write_jsonl.c): names
 * already quoted or escaped, so that per account only values are
 * written. */
typedef struct CsvPlan CsvPlan;
typedef struct JsonlPlan JsonlPlan;

/* A piece of fixed output. */
typedef struct Frag {
  const char *s;
  size_t n;
} Frag;

typedef struct WriteCtx {
  const Program *p;
  /* The explanation of the account being written: the names from the
   * start, the values (and what would change the grade, when asked for)
   * set before each account. Writers format it; they evaluate nothing.
   * Only the text writer and explaining jsonl read it (NULL otherwise). */
  const Explanation *ex;
  Buf *buf;
  bool explain;    /* jsonl: expressions, values, reasons, drivers, what if */
  bool color;      /* text: ANSI colours */
  bool excel_safe; /* csv: cells that a spreadsheet would take for a formula get a ' (buf_csv_cell_safe) */
  /* csv for people (kenko_run_opts): */
  bool bom;     /* a UTF-8 byte order mark before the header */
  bool labels;  /* labels for names: header and symbol cells */
  bool rounded; /* numbers to `digits` decimals */
  int digits;
  void *encoder;        /* `--output-encoding cp932`: an iconv_t (csv_encoder_open), or NULL: UTF-8 */
  Diag *diag;           /* where a row the encoding cannot hold is reported */
  uint64_t unencodable; /* rows left out for it (rejected accounts) */
  size_t head_start;    /* csv: where the header's first cell is */
  struct Xlsx *xlsx;    /* --format xlsx: the workbook (io/xlsx.h) */
  int32_t *grade_pos;   /* xlsx: each grade's place among the grade rows (its colour; in the plans) */
  int32_t ngrade_pos;
  char as_of[11]; /* YYYY-MM-DD */
  char rules[13]; /* first 12 hex digits of the fingerprint */
  bool history;   /* `kenko history`'s records: jsonl without members;
                     csv id,as_of,rules,persona,health,grade,coverage,
                     <dim>,<dim>_grade…,flags,bottleneck */
  /* made on first use from the fields above (which must not change
   * afterwards), released by writer_free: */
  Arena plans;
  bool has_plans;
  CsvPlan *csv;
  JsonlPlan *jsonl;
} WriteCtx;

/* Releases what the writers made for W (not W itself). */
void writer_free(WriteCtx *w);
/* The bytes B got from position AT on, moved into W's plan arena (B is
 * cut back to AT), followed by FRAG_PAD zero bytes. */
Frag writer_frag(WriteCtx *w, Buf *b, size_t at);

/* Writes a fragment made by writer_frag. One of up to FRAG_PAD bytes (a
 * name, a grade) is copied by a move of a fixed size, over its padding,
 * so that no branch depends on which one the account has (memcpy
 * branches on the length). Not for other Frags: they are not padded. */
#define FRAG_PAD 64
static inline void put_plan_frag(Buf *b, Frag f) {
  if (f.n > FRAG_PAD) {
    buf_put(b, f.s, f.n);
    return;
  }
  buf_reserve(b, FRAG_PAD);
  memcpy(b->data + b->len, f.s, FRAG_PAD);
  b->len += f.n;
}
/* Writing into room made beforehand (the per-account writers): the
 * pieces between an account's values are many and short, so each of
 * these writes into room that one buf_reserve made for a whole run of
 * them (what each needs is said), rather than checking the room itself. */
/* A fragment of the plan: frag_room(f) bytes. */
static inline size_t frag_room(Frag f) { return f.n > FRAG_PAD ? f.n : FRAG_PAD; }
/* Each writes at a cursor O in the room and returns the end of what it
 * wrote (the _at forms: a writer that keeps its place in a local saves
 * the reload of the buffer's fields that every store into its text
 * would cost), or at B's end (the _in_room forms). */
static inline char *frag_at(char *o, Frag f) {
  if (f.n <= FRAG_PAD)
    memcpy(o, f.s, FRAG_PAD); /* a fixed move over the padding */
  else
    memcpy(o, f.s, f.n);
  return o + f.n;
}
static inline void frag_in_room(Buf *b, Frag f) { b->len = (size_t)(frag_at(b->data + b->len, f) - b->data); }
/* A number as buf_num writes it: NUM_ROOM bytes (buf.h; num_format's
 * longest text is 24). B's number cache must be made (buf_num_cache):
 * a number met last in its set is one lookup here, inline. */
static inline char *room_num_at(Buf *b, char *o, double x) {
  if (x >= 0 && x < 1000 && (double)(int32_t)x == x) return o + small_int_in_room(o, (uint32_t)x);
  return o + buf_num_cached(b, o, x);
}
static inline void num_in_room(Buf *b, double x) {
  b->len = (size_t)(room_num_at(b, b->data + b->len, x) - b->data);
}
/* A constant piece (a string literal): its length. */
#define LIT_IN_ROOM(b, lit)                                                                                  \
  do {                                                                                                       \
    memcpy((b)->data + (b)->len, lit, sizeof(lit) - 1);                                                      \
    (b)->len += sizeof(lit) - 1;                                                                             \
  } while (0)
#define LIT_AT(o, lit) (memcpy(o, lit, sizeof(lit) - 1), (o) + sizeof(lit) - 1)

/* W's plan arena (initialised on first use). */
Arena *writer_arena(WriteCtx *w);

void write_jsonl(WriteCtx *w, const Account *a, const Result *r);
/* The header row; false when the output encoding cannot hold it
 * (reported through w->diag: a usage error). */
bool write_csv_header(WriteCtx *w);
/* One account's row. With an encoder, a row holding a character the
 * encoding cannot hold is left out, reported through w->diag (naming the
 * account and the column) and counted in w->unencodable. */
void write_csv(WriteCtx *w, const Account *a, const Result *r);
/* The header's cells in order (csv, xlsx): the names, or with w->labels
 * the labels and Japanese headings (docs/cli.md). */
void writer_header(const WriteCtx *w, void (*cell_fn)(void *ud, const char *text), void *ud);
/* What a row shows for a named thing: its label with w->labels (when it
 * has one), else its name. */
const char *writer_shown(const WriteCtx *w, const char *name, const char *label);
/* `--format xlsx` (write_xlsx.c): the sheet and its header, then one row
 * per account: the csv's cells with labels, numbers as numbers, grades
 * coloured. */
void write_xlsx_header(WriteCtx *w);
void write_xlsx(WriteCtx *w, const Account *a, const Result *r);

/* The writer options of OPTS (--bom --labels --digits --output-encoding)
 * into W, with DIAG for the encoding's errors; false when the encoding
 * cannot be opened (reported). */
bool csv_writer_setup(WriteCtx *w, const kenko_run_opts *opts, Diag *diag);
/* After the run: W's rows left out moved from STATS' scored to its
 * rejected, and STATUS made KENKO_ERR_DATA when there were any; the
 * encoder closed. Returns the status. */
int csv_writer_finish(WriteCtx *w, kenko_run_stats *stats, int status);
void write_text(WriteCtx *w, const Account *a, const Result *r);

/* Shared by the writers (write_common.c). */
const char *writer_member_kind(const Member *m);
const char *writer_member_status(uint8_t status);
/* Why a member is N/A, for people: "`nps` is missing", "division by zero",
 * "no snapshot 30d back" (a trend function with nothing to look back at,
 * LANGUAGE.md §6), "no earlier snapshot" (previous). MISSING: the first
 * of REFS whose value is missing, or -1. PEOPLE: in the user's language
 * (the text writer); the machine formats keep English. */
const char *writer_member_reason(const Program *p, const MemberResult *mr, const RefList *refs,
                                 int32_t missing, char *buf, size_t n, bool people);
/* The source text of a node ("active_users / seats"). */
void writer_source_text(const Program *p, Span s, const char **text, size_t *len);
/* "rules/aiueo.kenko:14" for a node. */
void writer_node_location(const Program *p, const Node *n, char *out, size_t n_out);
/* The symbol kind of a reference's value (SYM_*), or -1 if not a symbol. */
int writer_ref_symbol_kind(const Program *p, const ExplainRef *ref);
/* A value as JSON (symbols need SYMKIND to be named; -1 otherwise). */
void writer_json_value(WriteCtx *w, Value v, int symkind);
/* A value for people ("0.5", "\"pro\"", "2026-11-22", "good", "missing"). */
void writer_text_value(WriteCtx *w, Buf *b, Value v, int symkind);

#endif
