/* intake.h — what the front door (reader.c) gives the format readers
 * (read_csv.c, read_yaml.c): the per-account rules every format shares
 * (required fields, the account id, rejection with its message, the
 * counts) and the tokenisers' entry points. Internal to src/io/.
 *
 * A tokeniser turns its format into fields; an Intake turns fields into
 * accounts: intake_begin gives a fresh value array in the account's
 * arena, and each account ends in exactly one intake_accept or
 * intake_reject (or intake_cut, for the account a malformed file cuts
 * short), so that stats->accounts = scored + rejected always. */
#ifndef KENKO_INTAKE_H
#define KENKO_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/reader.h"

#define ERR_MESSAGE_MAX 1024 /* one field's error message */
#define ID_MESSAGE_MAX  200  /* bytes of an id quoted in messages */

/* A piece of a CSV file read on its own (read_jobs.c): the records that
 * start in [begin, end), the first of them on line LINE. A piece that
 * begins past 0 reads the header first, silently. */
typedef struct CsvPiece {
  uint64_t begin, end;
  uint32_t line;
  uint64_t stopped_at;   /* out: where the next record starts (end, when
                            the piece ended at a record boundary) */
  uint32_t stopped_line; /* out: its line */
  /* A reading buffer (malloc'ed, bytes_cap + 64 bytes, or NULL), which
   * csv_piece_take fills with the bytes from BEGIN to END as its scan
   * read them (bytes_read): the reader then takes them instead of reading
   * them again. csv_read leaves its own reading buffer here at the end,
   * for the next piece's scan to use (nothing is allocated per piece). */
  char *bytes;
  size_t bytes_cap;
  bool bytes_read;
} CsvPiece;

typedef struct Intake {
  const char *source; /* the file to open ("-": standard input) */
  const char *path;   /* as shown in messages and place ids */
  size_t path_len;
  const Schema *schema;
  const ReadOpts *opts;
  Diag *diag;
  AccountFn fn;
  void *ud;
  ReadStats *stats;
  int32_t name_index; /* the display input (FieldSchema.display), or -1 */
  Arena arena;        /* the current account's */
  bool rejected;      /* some account of this file was rejected */
  bool stop;          /* strict mode, or the callback asked to stop */
  /* read_jobs.c: called at each account's start instead of resetting the
   * arena (the accounts of a batch stay in it until they are handed
   * over); NULL: the arena is reset */
  void (*begin_hook)(struct Intake *in);
  /* read_jobs.c: accounts are kept after the callback (their values must
   * outlive the read buffer). Without it, read_csv.c hands over values it
   * keeps itself and text that points into its read buffer (both good
   * until the next account); with it, they are copied into the arena. */
  bool kept;
  void *hook_ud;
  CsvPiece *piece; /* csv_read: only this piece of the file (NULL: all) */
} Intake;

/* A field that must have a value: the key, or an input not `optional`. */
static inline bool field_required(const FieldSchema *f) { return f->key || !f->optional; }

void intake_init(Intake *in, const char *path, const Schema *schema, const ReadOpts *opts, Diag *diag,
                 AccountFn fn, void *ud, ReadStats *stats);
void intake_free(Intake *in);

/* Starts an account: resets the arena and returns room for one value per
 * input (not initialised). */
Value *intake_begin(Intake *in);

/* The fallback account id "FILE:LINE", in the account's arena. */
const char *intake_place_id(Intake *in, uint32_t line);

/* F has no value: sets *OUT missing; false (with ERR, ERR_MESSAGE_MAX
 * bytes, set) when F is required. */
bool intake_absent(const FieldSchema *f, Value *out, char *err);

/* Rejects the account ID for FIELD (NULL: the account as a whole) at
 * LINE:COL with MSG. KEY is the account's key value when the key itself
 * was good (it keeps its place among the keys), else NULL. */
void intake_reject(Intake *in, const char *id, const Value *key, int line, int col, const char *field,
                   const char *msg);

/* Hands the account (VALUES, one per input) to the callback (inline:
 * once an account, between the reader and the callback). */
static inline void intake_accept(Intake *in, const Value *values, const char *id, uint32_t line) {
  const Value *name = in->name_index >= 0 ? &values[in->name_index] : NULL;
  Account acct = {.values = values,
                  .id = id,
                  .file = in->path,
                  .line = line,
                  .ordinal = in->stats->accounts++,
                  .name = name && name->type == T_TEXT ? name->u.text : NULL};
  if (!in->fn(in->ud, &acct, &in->arena)) in->stop = true;
}

/* The account a malformed-file error cut short: read, and not scored. */
void intake_cut(Intake *in);

/* Reads in->source with the tokeniser of FMT (not FMT_AUTO): read_data's
 * work, for an Intake set up by the caller (read_jobs.c). */
int intake_read(Intake *in, DataFormat fmt);

/* The tokenisers (reader.c chooses; see read_data). They open in->source
 * and name it in->path. */
int csv_read(Intake *in);
int yaml_read(Intake *in);
int jsonl_read(Intake *in);
/* `.json`: an array of accounts, or an object with `accounts` (read_json.c). */
int json_read(Intake *in);
char **csv_columns(const char *path, const ReadOpts *opts, Diag *diag, int32_t *count);
/* Whether PATH can be read in pieces: a regular file in UTF-8 (given or
 * detected), lines not ended by lone CRs, whose header is usable for
 * SCHEMA. *SIZE gets its size. Reports nothing. */
bool csv_splittable(const char *path, const Schema *schema, const ReadOpts *opts, uint64_t *size);
/* The end of the piece of the CSV file FD (SIZE bytes) that starts at the
 * record boundary FROM and runs to TARGET or a little past it: just after
 * the first line feed outside quotes at TARGET - 1 or later (quotes
 * counted from FROM by their parity), or SIZE. *NEWLINES gets the line
 * feeds before it. A '"' inside an unquoted cell fools the parity: the
 * reader of the piece then ends elsewhere (CsvPiece.stopped_at), and
 * read_jobs.c reads on from there. */
uint64_t csv_piece_end(int fd, uint64_t from, uint64_t target, uint64_t size, uint64_t *newlines);
/* csv_piece_end that keeps what it read: the end of PIECE (from
 * PIECE->begin), with its bytes in PIECE->bytes (bytes_read; not after a
 * short read). */
uint64_t csv_piece_take(int fd, CsvPiece *piece, uint64_t target, uint64_t size, uint64_t *newlines);
/* Both, by the portable scan when not WIDE, else by AVX2 where the
 * processor has it (their choice; the unit tests run both), keeping the
 * bytes in KEEP when it is not NULL. */
uint64_t csv_piece_scan(int fd, uint64_t from, uint64_t target, uint64_t size, uint64_t *newlines, bool wide,
                        CsvPiece *keep);
char **yaml_columns(const char *path, const ReadOpts *opts, Diag *diag, int32_t *count);
char **jsonl_columns(const char *path, Diag *diag, int32_t *count);

/* Matches each input of SCHEMA with its column among the N names COLS:
 * COLUMN_OF[i] is the index, or -1. Reports what makes the file unusable
 * for a read (a list input that is required, a declared column twice, a
 * required column absent) at LINE, and returns false then. WHERE locates
 * column J for the duplicate report. */
bool columns_map(const char *path, const Schema *schema, char *const *cols, int32_t n, int line,
                 void (*where)(const void *ctx, int32_t j, int *line, int *col), const void *ctx, Diag *diag,
                 int32_t *column_of);

#endif
