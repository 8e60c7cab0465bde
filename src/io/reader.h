/* reader.h — streaming account readers (CSV, YAML/JSON) and the schema
 * they convert to.
 *
 * A reader turns one data file into accounts, one at a time, converting
 * every field to the type its input declares. It never holds more than
 * one account: memory does not grow with the number of accounts. Each
 * account's values live in the arena handed to the callback, which the
 * reader resets before the next account.
 *
 * Bad data: a field that cannot be converted rejects the whole account
 * with a located error ("FILE:LINE:COL: error: account \"ID\": field
 * \"seats\": expected number, got \"ten\""), reported through Diag; the
 * account is not passed to the callback and the reader goes on with the
 * next one (unless opts->strict). A malformed file (broken quoting, YAML
 * syntax) is reported with its location; accounts before it were kept,
 * and the account it cuts short counts as read and rejected, so that
 * stats->accounts = scored + rejected always. */
#ifndef KENKO_READER_H
#define KENKO_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "front/diag.h"
#include "engine/account.h" /* Schema, FieldSchema, Account */
#include "base/value.h"

typedef struct ReadOpts {
  char delimiter;        /* CSV separator; ',' by default */
  const char *encoding;  /* NULL: detected; "utf-8" forced; else converted with iconv ("cp932", "utf-16") */
  const char *const *na; /* extra cell values meaning missing */
  int32_t nna;
  char thousands; /* 0, or ',' : "1,234" in quoted cells */
  bool na_hint;   /* set by the CSV reader, whose cells --na applies to: a
                     refused cell that spells missing names `--na` */
  bool strict;    /* stop at the first bad account */
  /* Called with the key of each account rejected for bad data when its
   * key itself was good, so that keys stay unique across good and bad
   * accounts (may be NULL). ID is the account's id: the key as written. */
  void (*rejected_key)(void *ud, const Value *key, const char *id);
  void *rejected_ud;
  /* When set, a rejected account is handed here instead of being reported
   * (`check --data` counts bad cells per column): where, the field (NULL:
   * the account as a whole), the id quoted for a message, the message. */
  void (*on_reject)(void *ud, int line, int col, const char *field, const char *id, const char *msg);
  void *reject_ud;
  /* CSV, read whole on the caller's thread, or its first piece there
   * (read_data_jobs; never by a worker): called once before the first
   * account, when the file is a regular one, with about how many records
   * it holds (its size over the length of the lines in the first read),
   * so that what grows with the accounts can be made that large at once
   * (may be NULL). */
  void (*expect)(void *ud, uint64_t records);
  void *expect_ud;
  /* CSV, accounts handed over at once (a file read whole, a piece
   * read_data_jobs's calling thread reads, a compact JobWork's worker:
   * not Intake.kept): where the one-pass path puts an account's values,
   * one per input (may be NULL: in the reader's own array). The
   * caller's, such as the evaluator's input table (eval_inputs), so that
   * they need not be copied there; nothing else may write them while the
   * file (or piece) is read. */
  Value *values;
} ReadOpts;

/* Called for each good account; return false to stop reading. */
typedef bool (*AccountFn)(void *ud, const Account *acct, Arena *arena);

typedef struct ReadStats {
  uint64_t accounts; /* accounts seen (scored + rejected) */
  uint64_t rejected; /* accounts rejected for bad data */
  bool file_error;   /* the file was malformed or unreadable */
} ReadStats;

typedef enum DataFormat { FMT_AUTO, FMT_CSV, FMT_YAML, FMT_JSON, FMT_JSONL } DataFormat;

/* Opens data file PATH for reading: "-" is standard input; a directory
 * is refused like an unreadable file (errno EISDIR). NULL, with errno
 * set, on failure. Close with data_close (which leaves stdin open). */
FILE *data_open(const char *path);
void data_close(FILE *fp);

/* How PATH is named in messages and place ids: "<stdin>" for "-". */
const char *data_name(const char *path);

/* Picks the format from the extension (.csv .yaml .yml .json .jsonl). */
DataFormat reader_format_for(const char *path);

/* The format FORCED names ("csv", "yaml", "json": --input-format), or
 * else the one PATH's extension says ("jsonl" too); FMT_AUTO when neither tells
 * (reported through DIAG unless it is NULL). */
DataFormat reader_format(const char *path, const char *forced, Diag *diag);

/* Reads PATH in format FMT (FMT_AUTO: by its extension; a file whose
 * format cannot be told is reported and KENKO_ERR_USAGE returned).
 * Returns KENKO_OK, KENKO_ERR_DATA when accounts were rejected or the
 * file was malformed, or KENKO_ERR_USAGE when it cannot be opened. Stats
 * are added to *stats (so several files accumulate). */
int read_data(const char *path, DataFormat fmt, const Schema *schema, const ReadOpts *opts, Diag *diag,
              AccountFn fn, void *ud, ReadStats *stats);

/* read_data with JOBS threads (read_jobs.c): the file is read on other
 * threads (a CSV file in pieces, several at once; other formats by one
 * thread) while this one handles the accounts. FN, opts->rejected_key and
 * every diagnostic come on this thread, in the file's order, with STATS
 * as they would be: the same calls as read_data makes, with WORK (when
 * not NULL) done on the reading threads. JOBS <= 1, opts->strict or
 * opts->on_reject: read_data itself (and WORK not done). */
int read_data_jobs(const char *path, DataFormat fmt, const Schema *schema, const ReadOpts *opts, Diag *diag,
                   AccountFn fn, void *ud, ReadStats *stats, int jobs, const JobWork *work);

/* The column names of a data file (CSV header, or the keys of the first
 * YAML records), for `kenko check --data`. Returns a malloc'ed array of
 * malloc'ed strings (free with reader_free_columns) or NULL on error. */
char **reader_columns(const char *path, DataFormat fmt, const ReadOpts *opts, Diag *diag, int32_t *count);
void reader_free_columns(char **cols, int32_t count);

/* Converts one text cell to FIELD's type (shared by both readers).
 * Returns true and sets *out, or false and writes a message ("expected
 * number, got \"ten\"") to ERR (size ERRSZ). Empty/NA handling is the
 * caller's. Text values are copied into ARENA. */
bool convert_cell(const FieldSchema *field, const char *s, size_t n, const ReadOpts *opts, bool quoted,
                  Arena *arena, Value *out, char *err, size_t errsz);

/* Writes S (N bytes) to DST (size DSTSZ, always NUL-terminated) for
 * quoting in a one-line message: '"', '\\' and control characters are
 * escaped (\n, \t, \r, \xNN), invalid UTF-8 bytes become \xNN, and when
 * N > MAX (0: no limit) the text is cut after at most MAX bytes, on a
 * character boundary, and "…" is appended. */
void text_for_message(char *dst, size_t dstsz, const char *s, size_t n, size_t max);

/* `kenko check --data`: compares SCHEMA's inputs with the columns of
 * PATH, read in format FMT (missing ones, undeclared ones), then checks
 * the cells (reader_check_cells), reported through DIAG. Returns the
 * number of errors (at least 1 when the columns cannot be read). */
int reader_check_columns(const char *path, DataFormat fmt, const Schema *schema, const ReadOpts *opts,
                         Diag *diag);

/* `kenko check --data`, the cells (check_data.c): every cell of the
 * inputs among the file's NCOLS columns COLS read as `run` reads it; bad
 * cells reported per column (how many, the first few located, the option
 * that would accept them) through DIAG as errors. */
void reader_check_cells(const char *path, DataFormat fmt, const Schema *schema, char *const *cols,
                        int32_t ncols, const ReadOpts *opts, Diag *diag);

#endif
