/* read_csv.c — the CSV tokeniser (RFC 4180) behind read_data, and the
 * CSV half of reader_columns (see reader.h; the per-account rules are
 * reader.c's, intake.h).
 *
 * The file is read in chunks into one buffer that only ever holds the
 * record being parsed and the bytes after it; a record is split into cells
 * (offsets into the buffer, no copies), then the cells the schema declares
 * are converted. Nothing is allocated per cell or per record once the
 * buffers have grown to fit.
 *
 * What is accepted, and the choices made where RFC 4180 is silent:
 *   - A header row, then one account per record. Records end with LF or
 *     CRLF, or all with a lone CR (old Mac files: told by the first line
 *     break; every CR is then a line break, inside quotes too); otherwise
 *     a lone CR is an ordinary byte. Lines that are empty or hold only
 *     blanks are skipped (so a final newline is normal).
 *   - Without an encoding given, it is detected from the first chunk
 *     (input_sniff): a UTF-16 BOM → UTF-16; valid UTF-8 → UTF-8; else
 *     valid CP932 with a double-byte character → CP932, with a note; else
 *     UTF-8 (cells with bad bytes reject their accounts, located).
 *   - A UTF-8 BOM at the start of the file is skipped. With an encoding
 *     other than UTF-8 (given or detected) the bytes are converted to UTF-8
 *     with iconv as they are read; a byte that cannot be converted makes
 *     the file malformed from there on.
 *   - Quoted cells: '"' … '"' with "" for a quote, newlines allowed inside.
 *     Blanks (spaces and tabs, unless the delimiter is a tab) before the
 *     opening and after the closing quote are ignored; other text after the
 *     closing quote rejects the account. A '"' inside an unquoted cell is an
 *     ordinary byte. An unterminated quote is a malformed file, located at
 *     the opening quote.
 *   - Unquoted cells are trimmed of blanks at both ends; quoted cells are
 *     taken exactly as written between the quotes.
 *   - An empty cell (unquoted, or quoted "") and a cell equal to one of the
 *     --na values are missing.
 *   - Header names are matched exactly with each input's column, after
 *     trimming/unquoting, dropping invisible characters (zero-width space,
 *     joiners, a stray BOM) and trimming full-width and no-break spaces at
 *     both ends (header_name): what Excel users leave in a header and
 *     cannot see. Columns no input declares are ignored, duplicates of
 *     them too; a declared column that appears twice is a malformed file
 *     (which one would be meant?). A declared column absent from the header
 *     is missing in every account when the input is optional; when it is
 *     required, every absent required column is reported once (located at
 *     the header line) and no account of the file is scored: each record
 *     is counted as rejected, without a message of its own (every one
 *     would give the same reason).
 *   - A list input cannot come from CSV: optional ones are always missing,
 *     a required one makes the file unusable (reported once).
 *   - A record with a cell count unlike the header's rejects the account.
 *   - One record may not exceed 64 MiB (a guard against an unclosed quote
 *     swallowing a huge file): past that the file is malformed. A header
 *     of more than 65536 columns makes the file malformed too; a record
 *     with more cells than that is rejected like any record whose cell
 *     count is not the header's, its cells past 65536 counted, not kept.
 *
 * Locations: LINE is the physical line (1-based) where the cell starts,
 * counting line breaks inside quoted cells; COL is the 1-based column of
 * the cell's first character (its opening quote, or its first non-blank),
 * counted in Unicode code points of the (converted) UTF-8 text. Code points
 * do not depend on the file's encoding and match what editors show as the
 * column of most text. An account is rejected for its first bad field: the
 * key first, then the other inputs in declaration order.
 *
 * Accounts: one per data record; stats->accounts counts every record read
 * (scored or rejected), stats->rejected the rejected ones. A record cut by
 * a malformed-file error counts as read and rejected (its error is the
 * file's), so that accounts read = scored + rejected whatever happens. */
#include "base/i18n.h"
#include "io/reader.h"

#include <errno.h>
#include <iconv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "front/source.h"
#include "io/convert.h"
#include "io/intake.h"
#include "kenko.h"

/* The buffer sizes can be shrunk at build time to test chunk boundaries. */
#ifndef CSV_BUF_INITIAL
#define CSV_BUF_INITIAL (1u << 20) /* first size of the record buffer */
#endif
#define CSV_PIECE_HEAD (4u << 10) /* a later piece's first read, for the header */
#ifndef CSV_RAW_CHUNK
#define CSV_RAW_CHUNK (64u << 10) /* bytes read per iconv round */
#endif
#define CSV_RECORD_MAX (64u << 20) /* longest record accepted */
#define CSV_CELLS_MAX  65536u      /* header columns; cells kept per record */
#define CSV_MIN_ROOM   64          /* free bytes wanted before a read */
#define CSV_PAD                                                                                              \
  64 /* zero bytes after the data, so that the                                                               \
        cell scan may read 64 bytes at once */

/* ---- input: file bytes, converted to UTF-8 when needed ------------------ */

typedef enum InputStop {
  INPUT_OK,        /* more data may follow */
  INPUT_BAD_BYTES, /* iconv met bytes it cannot convert */
  INPUT_READ_ERROR /* the read failed */
} InputStop;

typedef struct CsvInput {
  FILE *fp;
  bool converting; /* through iconv */
  iconv_t cd;
  char *raw; /* undecoded bytes (converting only) */
  size_t raw_len;
  bool raw_eof;
  char *buf; /* decoded bytes, buf[len] == '\0' (a sentinel) */
  size_t cap;
  size_t len;
  bool eof;      /* nothing follows buf[len] */
  uint64_t base; /* file offset of buf[0] (when not converting) */
  bool cr_lines; /* lines end with a lone CR: each CR is read as LF */
  InputStop stop;
  unsigned char bad[2]; /* the first bytes iconv rejected */
  int nbad;
  int read_errno;
  size_t pending; /* plain reading: raw[pending_at..raw_len) sniffed, not yet in buf */
  size_t pending_at;
  const char *detected; /* auto-detection chose this encoding (NULL: UTF-8) */
  uint64_t read_to;     /* plain reading stops at this file offset until
                           it is reached (0: none): a piece reads its own
                           bytes, not the next pieces' (read_jobs.c) */
} CsvInput;

static bool is_utf8_name(const char *encoding) {
  const char *names[] = {"utf-8", "utf8", "UTF-8", "UTF8"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(encoding, names[i]) == 0) return true;
  return false;
}

/* Returned by input_open when iconv does not know the encoding. */
#define INPUT_BAD_ENCODING (-1)

/* Whether S holds a CP932 double-byte lead byte: Japanese text always
 * does, a stray Latin-1 byte in ASCII (read as half-width kana) does not. */
static bool has_cp932_pair(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((s[i] >= 0x81 && s[i] <= 0x9F) || (s[i] >= 0xE0 && s[i] <= 0xFC)) return true;
  return false;
}

/* Whether S (N bytes) converts from CP932 without error (a sequence cut by
 * the end counts as valid when MORE). */
static bool valid_cp932(const char *s, size_t n, bool more) {
  iconv_t cd = iconv_open("UTF-8", "CP932");
  if (cd == (iconv_t)-1) return false;
  char out[4096];
  char *in = (char *)s;
  size_t left = n;
  bool ok = true;
  while (left > 0) {
    char *o = out;
    size_t room = sizeof out;
    if (iconv(cd, &in, &left, &o, &room) != (size_t)-1) break;
    if (errno == E2BIG) continue;
    ok = errno == EINVAL && more;
    break;
  }
  iconv_close(cd);
  return ok;
}

/* Whether S (N bytes) is valid UTF-8, NUL bytes allowed (as
 * utf8_first_invalid says -1), told quickly: 16 ASCII bytes at a time
 * with SSE2, and a character at a time (clean_utf8) elsewhere. */
static bool utf8_valid(const char *s, size_t n) {
  const char *p = s, *end = s + n;
  while (p < end) {
#ifdef __SSE2__
    if (end - p >= 16 && !_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)p))) {
      p += 16;
      continue;
    }
#endif
    unsigned char b = (unsigned char)*p;
    if (b < 0x80) {
      p++;
      continue;
    }
    size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2; /* (a bad lead fails clean_utf8) */
    if ((size_t)(end - p) < len || !clean_utf8(p, len)) return false;
    p += len;
  }
  return true;
}

/* Auto-detection (no --encoding): reads the first chunk and tells its
 * encoding by a UTF-16 BOM, else by whether it is valid UTF-8, else valid
 * CP932. Returns the iconv name to convert from, or NULL for UTF-8 (the
 * sniffed bytes then wait in raw as `pending`). */
static const char *input_sniff(CsvInput *in) {
  in->raw = xmalloc(CSV_RAW_CHUNK);
  in->raw_len = fread(in->raw, 1, CSV_RAW_CHUNK, in->fp);
  if (in->raw_len < CSV_RAW_CHUNK) in->raw_eof = true;
  const unsigned char *u = (const unsigned char *)in->raw;
  bool more = !in->raw_eof;
  if (in->raw_len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) return "UTF-16";
  if (utf8_valid(in->raw, in->raw_len)) return NULL;
  long bad = utf8_first_invalid(in->raw, in->raw_len);
  if (bad < 0 || (more && (size_t)bad + 4 > in->raw_len)) return NULL; /* valid, or maybe cut by the read */
  /* Neither: read as UTF-8, so that the cells with bad bytes are the
   * errors, located (convert.c names `--encoding` in them). */
  return has_cp932_pair(u, in->raw_len) && valid_cp932(in->raw, in->raw_len, more) ? "CP932" : NULL;
}

/* Opens PATH for reading in ENCODING (NULL: detect it), with a buffer of
 * CAP bytes at first. Returns 0, an errno value, or INPUT_BAD_ENCODING. */
static int input_open(CsvInput *in, const char *source, const char *encoding, size_t cap) {
  memset(in, 0, sizeof *in);
  if (encoding && *encoding && !is_utf8_name(encoding)) {
    in->cd = iconv_open("UTF-8", encoding);
    if (in->cd == (iconv_t)-1) return INPUT_BAD_ENCODING;
    in->converting = true;
    in->raw = xmalloc(CSV_RAW_CHUNK);
  }
  in->fp = data_open(source);
  if (!in->fp) {
    int err = errno;
    if (in->converting) iconv_close(in->cd);
    free(in->raw);
    return err;
  }
  if (!encoding || !*encoding) {
    const char *found = input_sniff(in);
    if (found) {
      in->cd = iconv_open("UTF-8", found);
      if (in->cd == (iconv_t)-1) {
        data_close(in->fp);
        free(in->raw);
        return INPUT_BAD_ENCODING;
      }
      in->converting = true;
      in->detected = strcmp(found, "CP932") == 0 ? "cp932" : "utf-16";
    } else {
      in->pending = in->raw_len;
    }
  }
  in->cap = cap;
  in->buf = xmalloc(in->cap + CSV_PAD);
  memset(in->buf, 0, CSV_PAD);
  return 0;
}

static void input_close(CsvInput *in) {
  data_close(in->fp);
  if (in->converting) iconv_close(in->cd);
  free(in->raw);
  free(in->buf);
  memset(in, 0, sizeof *in);
}

/* Reads up to ROOM raw bytes into DST. */
static size_t read_plain(CsvInput *in, char *dst, size_t room) {
  if (in->pending) { /* the sniffed bytes first */
    size_t n = in->pending < room ? in->pending : room;
    memcpy(dst, in->raw + in->pending_at, n);
    in->pending -= n;
    in->pending_at += n;
    if (in->pending == 0 && in->raw_eof) in->eof = true;
    return n;
  }
  if (in->raw_eof) {
    in->eof = true;
    return 0;
  }
  size_t n = fread(dst, 1, room, in->fp);
  if (n < room) {
    if (ferror(in->fp)) {
      in->stop = INPUT_READ_ERROR;
      in->read_errno = errno ? errno : EIO;
    }
    in->eof = true;
  }
  return n;
}

/* Converts raw bytes into DST (ROOM bytes free), reading more raw bytes as
 * needed. A multibyte sequence split between two reads waits in `raw` for
 * the rest. Returns the bytes written. */
static size_t read_converted(CsvInput *in, char *dst, size_t room) {
  char *out = dst;
  size_t out_left = room;
  while (out_left >= CSV_MIN_ROOM / 2) {
    if (!in->raw_eof && in->raw_len < CSV_RAW_CHUNK) {
      size_t n = fread(in->raw + in->raw_len, 1, CSV_RAW_CHUNK - in->raw_len, in->fp);
      in->raw_len += n;
      if (n == 0) {
        in->raw_eof = true;
        if (ferror(in->fp)) {
          in->stop = INPUT_READ_ERROR;
          in->read_errno = errno ? errno : EIO;
          break;
        }
      }
    }
    if (in->raw_len == 0 && in->raw_eof) {
      iconv(in->cd, NULL, NULL, &out, &out_left); /* flush any shift state */
      in->eof = true;
      break;
    }
    char *raw_in = in->raw;
    size_t in_left = in->raw_len;
    size_t r = iconv(in->cd, &raw_in, &in_left, &out, &out_left);
    int err = errno;
    memmove(in->raw, raw_in, in_left);
    in->raw_len = in_left;
    if (r != (size_t)-1) continue;
    if (err == E2BIG) break;
    if (err == EINVAL && !in->raw_eof && in->raw_len < CSV_RAW_CHUNK)
      continue; /* a sequence split by the read: fetch the rest */
    /* EILSEQ, or a sequence cut short by the end of the file. */
    in->stop = INPUT_BAD_BYTES;
    in->nbad = in->raw_len >= 2 ? 2 : (int)in->raw_len;
    memcpy(in->bad, in->raw, (size_t)in->nbad);
    in->eof = true;
    break;
  }
  return (size_t)(out - dst);
}

/* Old Mac line ends: every CR in S (N bytes) becomes LF. */
static void cr_to_lf(char *s, size_t n) {
  for (char *p = s; (p = memchr(p, '\r', (size_t)(s + n - p))) != NULL; p++)
    *p = '\n';
}

/* Keeps buf[keep_from..len) (moved to the start) and appends more data,
 * growing the buffer when the kept bytes leave too little room. Returns
 * false when nothing more can come. */
static bool input_refill(CsvInput *in, size_t keep_from) {
  if (in->eof) return false;
  size_t keep = in->len - keep_from;
  if (keep_from) memmove(in->buf, in->buf + keep_from, keep);
  in->base += keep_from;
  in->len = keep;
  if (in->cap - 1 - in->len < CSV_MIN_ROOM || in->len > in->cap / 2) {
    size_t cap = in->cap * 2;
    if (cap > CSV_RECORD_MAX + CSV_BUF_INITIAL) cap = CSV_RECORD_MAX + CSV_BUF_INITIAL;
    if (cap > in->cap) {
      in->buf = xrealloc(in->buf, cap + CSV_PAD);
      in->cap = cap;
    }
  }
  size_t room = in->cap - 1 - in->len;
  if (in->read_to > in->base + in->len && in->read_to - (in->base + in->len) < room)
    room = (size_t)(in->read_to - (in->base + in->len));
  size_t n =
      in->converting ? read_converted(in, in->buf + in->len, room) : read_plain(in, in->buf + in->len, room);
  if (in->cr_lines) cr_to_lf(in->buf + in->len, n);
  in->len += n;
  memset(in->buf + in->len, 0, CSV_PAD); /* the sentinel, and the padding */
  return true;
}

/* ---- splitting records into cells --------------------------------------- */

enum {
  CELL_QUOTED = 1,   /* was in quotes */
  CELL_ESCAPES = 2,  /* holds "" pairs to undo */
  CELL_BAD_QUOTE = 4 /* text followed its closing quote */
};

typedef struct CsvCell {
  uint32_t at;    /* first character, from the record start */
  uint32_t begin; /* content, from the record start */
  uint32_t len;
  uint32_t flags;
} CsvCell;

typedef enum ScanResult {
  SCAN_RECORD,      /* cells[] holds a record */
  SCAN_EMPTY,       /* an empty line, skipped */
  SCAN_MORE,        /* the buffer ended inside the record */
  SCAN_END,         /* no more data */
  SCAN_UNTERMINATED /* a quote never closed (at bad_at) */
} ScanResult;

/* What the fast paths do with a cell: convert it as FAST_NUMBER ... (or
 * by convert_cell: FAST_OTHER); read_fast also skips a header cell no
 * input reads (FAST_SKIP), takes the key's cell and every cell with --na
 * with more care (FAST_CAREFUL), refuses a cell past the header's
 * (FAST_END), and has steps of its own for optional numbers and bools,
 * whose empty cell is missing (FAST_NUMBER and FAST_BOOL refuse it). */
enum {
  FAST_SKIP,
  FAST_NUMBER,
  FAST_BOOL,
  FAST_DATE,
  FAST_TEXT,
  FAST_OTHER,
  FAST_CAREFUL,
  FAST_END,
  FAST_NUMBER_OPTIONAL,
  FAST_BOOL_OPTIONAL
};

/* How the fast paths read one input (fast_plan): per input for
 * check_record, per header cell for read_fast. */
typedef struct CsvPlan {
  uint8_t kind;             /* FAST_NUMBER ... FAST_OTHER */
  uint8_t step;             /* read_fast's: FAST_* */
  bool required;            /* an empty cell rejects the account */
  bool key;                 /* the key's */
  int32_t input;            /* its index */
  int32_t column;           /* its header cell, or -1 (then it is absent) */
  Value *out;               /* read_fast: its value (in fast_values) */
  const FieldSchema *field; /* the input */
  AllowedText *allowed;     /* text `in [...]`: the values (allowed_usual), else NULL */
} CsvPlan;

typedef struct CsvReader {
  const char *source; /* the file opened ("-": standard input) */
  const char *path;   /* its name in messages */
  const Schema *schema;
  const ReadOpts *opts;
  ReadOpts cell_opts; /* *opts, with na_hint: what the cells convert with */
  Diag *diag;
  CsvInput in;
  char delimiter;
  uint8_t stop[256];      /* unquoted cell ends here: delimiter, '\n', NUL */
  const char *stops_at;   /* next_stop's window: 64 bytes from here (NULL: none) */
  uint64_t stops;         /* bit i: stops_at[i] is a stop byte */
  uint8_t blank[256];     /* trimmed around cells */
  uint8_t odd_first[256]; /* a cell starting with it is not plain: '"', blanks */
  uint8_t odd_last[256];  /* a cell ending with it is not plain: CR, blanks */
  int32_t nna;            /* opts->nna (0 without opts) */
  size_t *na_len;         /* lengths of opts->na */

  CsvCell *cells; /* the current record */
  uint32_t ncells, cells_cap;
  uint32_t rec_flags; /* the cells' flags or'ed together */
  size_t rec_start;   /* offset in in.buf */
  size_t rec_end;     /* one past its terminator */
  bool rec_open;      /* it ended with the data, not with a newline */
  bool cut;           /* after NEXT_BROKEN: a record had begun */
  bool too_wide;      /* the header has more than CSV_CELLS_MAX columns */
  uint32_t rec_lines; /* line breaks in it, the terminator included */
  size_t bad_at;      /* SCAN_UNTERMINATED: the opening quote */
  uint32_t line;      /* line of the record at rec_start */
  uint64_t limit;     /* a piece (read_jobs.c): no record starting at or
                         past this file offset is read */
  uint64_t head_read; /* a piece: the file's first read stops here */

  char *scratch; /* a quoted cell with "" undone */
  size_t scratch_cap;
  int32_t ncolumns;   /* header cells */
  char **header;      /* their names (malloc'ed) */
  int32_t *column_of; /* per input: header index, or -1 */

  /* the fast paths (fast_plan) */
  CsvPlan *plan;        /* per input */
  CsvPlan *by_column;   /* per header cell (read_fast) */
  bool fast;            /* read_fast may be tried */
  int32_t *text_inputs; /* the text inputs with a column */
  int32_t ntext;
  Value *fast_values; /* read_fast converts into these (the inputs
                         without a column: absent, once): values_own,
                         or ReadOpts.values */
  Value *values_own;
} CsvReader;

static void reader_init(CsvReader *r, const char *source, const Schema *schema, const ReadOpts *opts,
                        Diag *diag) {
  memset(r, 0, sizeof *r);
  r->source = source;
  r->path = data_name(source);
  r->schema = schema;
  r->opts = opts;
  if (opts) r->cell_opts = *opts;
  r->cell_opts.na_hint = true;
  r->diag = diag;
  r->delimiter = opts && opts->delimiter ? opts->delimiter : ',';
  r->stop[(uint8_t)r->delimiter] = 1;
  r->stop['\n'] = 1;
  r->stop['\0'] = 1;
  r->blank[' '] = r->delimiter != ' ';
  r->blank['\t'] = r->delimiter != '\t';
  for (int c = 0; c < 256; c++) {
    r->odd_first[c] = r->blank[c] || c == '"';
    r->odd_last[c] = r->blank[c] || c == '\r';
  }
  r->line = 1;
  r->limit = UINT64_MAX;
  r->nna = opts ? opts->nna : 0;
  if (r->nna > 0) {
    r->na_len = xmalloc((size_t)opts->nna * sizeof *r->na_len);
    for (int32_t k = 0; k < opts->nna; k++)
      r->na_len[k] = strlen(opts->na[k]);
  }
  r->cells_cap = 64;
  r->cells = xmalloc(r->cells_cap * sizeof *r->cells);
}

static void reader_free(CsvReader *r) {
  input_close(&r->in);
  free(r->na_len);
  free(r->cells);
  free(r->scratch);
  free(r->column_of);
  for (int32_t i = 0; r->plan && i < r->schema->ninputs; i++)
    free(r->plan[i].allowed);
  free(r->plan);
  free(r->by_column);
  free(r->text_inputs);
  free(r->values_own);
  for (int32_t j = 0; j < r->ncolumns; j++)
    free(r->header[j]);
  free(r->header);
}

/* Adds a cell to the record. Past CSV_CELLS_MAX cells are only counted:
 * such a record has more cells than any header, so it is refused before
 * its cells are looked at. */
static inline void push_cell(CsvReader *r, const char *base, const char *at, const char *begin, size_t len,
                             uint32_t flags) {
  if (r->ncells >= r->cells_cap) {
    if (r->cells_cap >= CSV_CELLS_MAX) {
      r->ncells++;
      return;
    }
    r->cells_cap *= 2;
    r->cells = xrealloc(r->cells, r->cells_cap * sizeof *r->cells);
  }
  CsvCell *c = &r->cells[r->ncells++];
  c->at = (uint32_t)(at - base);
  c->begin = (uint32_t)(begin - base);
  c->len = (uint32_t)len;
  c->flags = flags;
  r->rec_flags |= flags;
}

static uint32_t count_newlines(const char *s, const char *end) {
  uint32_t n = 0;
  while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
    n++;
    s++;
  }
  return n;
}

/* The stop bytes (delimiter, '\n', NUL) among the 64 bytes at P, as bits. */
static inline uint64_t stop_bits(const CsvReader *r, const char *p) {
#ifdef __SSE2__
  const __m128i delimiter = _mm_set1_epi8(r->delimiter), newline = _mm_set1_epi8('\n'),
                zero = _mm_setzero_si128();
  /* (written out four times: the loop was not unrolled) */
  const __m128i *at = (const __m128i *)(const void *)p;
  __m128i v0 = _mm_loadu_si128(at), v1 = _mm_loadu_si128(at + 1), v2 = _mm_loadu_si128(at + 2),
          v3 = _mm_loadu_si128(at + 3);
#define STOPS(v)                                                                                             \
  (uint64_t)(uint16_t) _mm_movemask_epi8(_mm_or_si128(                                                       \
      _mm_or_si128(_mm_cmpeq_epi8(v, delimiter), _mm_cmpeq_epi8(v, newline)), _mm_cmpeq_epi8(v, zero)))
  uint64_t bits = STOPS(v0) | STOPS(v1) << 16 | STOPS(v2) << 32 | STOPS(v3) << 48;
#undef STOPS
  return bits;
#else
  uint64_t bits = 0;
  for (int k = 0; k < 64; k++)
    bits |= (uint64_t)r->stop[(uint8_t)p[k]] << k;
  return bits;
#endif
}

/* The first stop byte at or after P (there is always one: the NUL after
 * the data). The bits of a 64-byte window are kept between calls, so a
 * record's cells cost one bit scan each instead of a loop over their
 * bytes that ends at an unpredictable place. */
static inline const char *next_stop(CsvReader *r, const char *p) {
  for (;;) {
    if ((uintptr_t)p - (uintptr_t)r->stops_at < 64) { /* in the window (none: NULL) */
      uint64_t bits = r->stops >> (p - r->stops_at);
      if (bits) return p + __builtin_ctzll(bits);
      p = r->stops_at + 64;
    }
    r->stops_at = p;
    r->stops = stop_bits(r, p);
  }
}

/* Finds the end of an unquoted run from P: the delimiter, '\n' or the end
 * of the data (NUL bytes inside the data are skipped over). */
static const char *unquoted_end(const CsvReader *r, const char *p, const char *end) {
  for (;;) {
    while (!r->stop[(uint8_t)*p])
      p++;
    if (*p != '\0' || p == end) return p;
    p++;
  }
}

/* Ends an unquoted cell that started at P and stopped at Q (a delimiter,
 * '\n' or the end of the data), dropping the CR of a CRLF and the blanks
 * around it. The cell starts at FIRST (its opening quote for a cell with a
 * stray quote, else its first non-blank). */
static void push_unquoted(CsvReader *r, const char *base, const char *p, const char *q, const char *end,
                          uint32_t flags) {
  const char *e = q;
  if ((q == end || *q == '\n') && e > p && e[-1] == '\r') e--;
  while (p < e && r->blank[(uint8_t)*p])
    p++;
  while (e > p && r->blank[(uint8_t)e[-1]])
    e--;
  push_cell(r, base, p, p, (size_t)(e - p), flags);
}

/* Record ends at TERMINATOR: '\n', "\r\n", or END (the end of the data). */
static ScanResult end_record(CsvReader *r, const char *terminator, const char *end) {
  if (terminator == end) {
    r->rec_end = r->in.len;
    r->rec_open = true;
  } else {
    r->rec_end = (size_t)(terminator + (*terminator == '\r' ? 2 : 1) - r->in.buf);
    r->rec_lines++;
  }
  return SCAN_RECORD;
}

/* An empty line (or one of blanks) at P, or false. SCAN_MORE when the
 * buffer ends before this can be told. */
static bool empty_line(CsvReader *r, const char *p, const char *end, ScanResult *res) {
  bool eof = r->in.eof;
  const char *q = p;
  while (q < end && r->blank[(uint8_t)*q])
    q++;
  if (q == end) {
    *res = !eof ? SCAN_MORE : q == p ? SCAN_END : SCAN_EMPTY;
    r->rec_end = r->in.len;
    r->rec_open = true;
    return true;
  }
  if (*q == '\r' && q + 1 == end) {
    *res = eof ? SCAN_EMPTY : SCAN_MORE;
    r->rec_end = r->in.len;
    r->rec_open = true;
    return true;
  }
  if (*q == '\n' || (*q == '\r' && q[1] == '\n')) {
    *res = SCAN_EMPTY;
    r->rec_end = (size_t)(q + (*q == '\r' ? 2 : 1) - r->in.buf);
    r->rec_lines = 1;
    return true;
  }
  return false;
}

/* The common record, split with one bit scan per cell: it ends with '\n'
 * or CRLF inside the buffer, and each of its cells is plain: unquoted,
 * without blanks at either end, CR at its end (the CR of the record's
 * CRLF aside) or NUL in it. False at the first
 * thing that is not so; the general loop then splits the record from its
 * start (what this stored is overwritten). */
static bool scan_plain(CsvReader *r, const char *base) {
  const char *block = base, *p = base;
  uint64_t bits = stop_bits(r, block);
  CsvCell *cells = r->cells;
  uint32_t n = 0, cap = r->cells_cap;
  for (;;) {
    /* The NUL after the data is a stop, so this never passes it, and
     * the padding behind the data covers the 64 bytes read. */
    while (!bits) {
      block += 64;
      bits = stop_bits(r, block);
    }
    const char *q = block + __builtin_ctzll(bits);
    bits &= bits - 1;
    char stop = *q;
    if (stop == '\0' || n == cap) return false;
    /* the CR of a CRLF is the record's end, not its last cell's */
    const char *e = stop == '\n' && q > p && q[-1] == '\r' ? q - 1 : q;
    if (e > p && (r->odd_first[(uint8_t)*p] | r->odd_last[(uint8_t)e[-1]])) return false;
    CsvCell *c = &cells[n++];
    c->at = c->begin = (uint32_t)(p - base);
    c->len = (uint32_t)(e - p);
    c->flags = 0;
    if (stop == '\n') {
      r->ncells = n;
      r->rec_end = (size_t)(q + 1 - r->in.buf);
      r->rec_lines = 1;
      return true;
    }
    p = q + 1;
  }
}

/* Splits the record at r->rec_start into r->cells. */
static ScanResult scan_record(CsvReader *r) {
  const char *base = r->in.buf + r->rec_start;
  const char *end = r->in.buf + r->in.len;
  bool eof = r->in.eof;
  const char *p = base;
  r->ncells = 0;
  r->rec_flags = 0;
  r->rec_lines = 0;
  r->rec_open = false;

  ScanResult res;
  if (empty_line(r, p, end, &res)) return res;
  if (scan_plain(r, base)) return SCAN_RECORD;
  r->ncells = 0;

  for (;;) {
    /* The common cell: unquoted, no blanks or CR around it. */
    uint8_t first = (uint8_t)*p;
    if (first != '"' && !r->blank[first]) {
      const char *q = next_stop(r, p);
      if (*q != '\0') {
        uint8_t last = q > p ? (uint8_t)q[-1] : 'x';
        if (last != '\r' && !r->blank[last]) {
          push_cell(r, base, p, p, (size_t)(q - p), 0);
          if (*q == '\n') return end_record(r, q, end);
          p = q + 1;
          continue;
        }
      }
    }
    const char *q = p;
    while (r->blank[(uint8_t)*q])
      q++; /* the sentinel stops it */
    uint32_t flags = 0;
    const char *scan_from = p;
    if (q < end && *q == '"') {
      const char *open = q;
      const char *c = q + 1;
      const char *close;
      flags = CELL_QUOTED;
      for (;;) {
        close = memchr(c, '"', (size_t)(end - c));
        if (!close) {
          if (!eof) return SCAN_MORE;
          r->bad_at = (size_t)(open - r->in.buf);
          return SCAN_UNTERMINATED;
        }
        if (close + 1 == end) {
          if (!eof) return SCAN_MORE;
          break;
        }
        if (close[1] != '"') break;
        flags |= CELL_ESCAPES;
        c = close + 2;
      }
      r->rec_lines += count_newlines(open + 1, close);
      q = close + 1;
      while (q < end && r->blank[(uint8_t)*q])
        q++;
      if (q == end && !eof) return SCAN_MORE;
      if (q + 1 == end && *q == '\r' && !eof) return SCAN_MORE;
      bool crlf = q < end && *q == '\r' && (q + 1 == end || q[1] == '\n');
      if (q == end || *q == r->delimiter || *q == '\n' || crlf) {
        push_cell(r, base, open, open + 1, (size_t)(close - open - 1), flags);
        if (q < end && *q == r->delimiter) {
          p = q + 1;
          continue;
        }
        if (crlf && q + 1 == end) q = end;
        return end_record(r, q, end);
      }
      /* Text after the closing quote: the cell runs on to the delimiter
       * or the line end, and its account will be rejected. */
      flags |= CELL_BAD_QUOTE;
      scan_from = q;
      p = open;
    }
    q = unquoted_end(r, scan_from, end);
    if (q == end && !eof) return SCAN_MORE;
    push_unquoted(r, base, p, q, end, flags);
    if (q == end || *q == '\n') return end_record(r, q, end);
    p = q + 1;
  }
}

/* ---- locations ------------------------------------------------------------ */

/* Line and code-point column of buffer offset AT inside the current
 * record (or at its end). */
static void locate(const CsvReader *r, size_t at, int *line, int *col) {
  const char *base = r->in.buf + r->rec_start;
  const char *target = r->in.buf + at;
  const char *line_start = base;
  uint32_t lines = 0;
  for (const char *s = base; s < target; s++)
    if (*s == '\n') {
      lines++;
      line_start = s + 1;
    }
  int column = 1;
  for (const char *s = line_start; s < target; s++)
    if (((unsigned char)*s & 0xC0) != 0x80) column++;
  *line = (int)(r->line + lines);
  *col = column;
}

static void cell_location(const CsvReader *r, const CsvCell *c, int *line, int *col) {
  locate(r, r->rec_start + c->at, line, col);
}

/* ---- records ---------------------------------------------------------------- */

typedef enum NextResult {
  NEXT_RECORD, /* r->cells holds a record */
  NEXT_END,    /* the file ended cleanly */
  NEXT_BROKEN  /* a malformed-file error was reported */
} NextResult;

/* The encoding the file is read in (given or detected). */
static const char *input_encoding(const CsvReader *r) {
  return r->in.detected ? r->in.detected : r->opts->encoding;
}

/* Reports why the data ended early (iconv or read failure) at the end of
 * what was read. */
static void report_input_stop(CsvReader *r) {
  int line, col;
  locate(r, r->in.len, &line, &col);
  if (r->in.stop == INPUT_READ_ERROR) {
    diag_at(r->diag, KENKO_ERROR, r->path, line, col, "read error: %s", strerror(r->in.read_errno));
  } else if (r->in.nbad == 2) {
    diag_at(r->diag, KENKO_ERROR, r->path, line, col, "cannot convert from %s: invalid bytes 0x%02X 0x%02X",
            input_encoding(r), r->in.bad[0], r->in.bad[1]);
  } else if (r->in.nbad == 1) {
    diag_at(r->diag, KENKO_ERROR, r->path, line, col, "cannot convert from %s: invalid byte 0x%02X",
            input_encoding(r), r->in.bad[0]);
  } else {
    diag_at(r->diag, KENKO_ERROR, r->path, line, col, "cannot convert from %s: invalid byte sequence",
            input_encoding(r));
  }
}

/* Reports the record at rec_start as longer than the limit. */
static NextResult record_too_long(CsvReader *r) {
  int line, col;
  locate(r, r->rec_start, &line, &col);
  diag_at(r->diag, KENKO_ERROR, r->path, line, col, "CSV record longer than 64 MiB (an unclosed quote?)");
  r->cut = true;
  return NEXT_BROKEN;
}

/* Moves to the next record (skipping empty lines), reading as needed. */
static NextResult next_record(CsvReader *r) {
  for (;;) {
    if (r->in.base + r->rec_start >= r->limit) return NEXT_END; /* the next piece's */
    ScanResult s = scan_record(r);
    if (s == SCAN_MORE) {
      if (r->in.len - r->rec_start > CSV_RECORD_MAX) return record_too_long(r);
      input_refill(&r->in, r->rec_start);
      r->rec_start = 0;
      r->stops_at = NULL; /* the bytes moved */
      continue;
    }
    /* Data cut short by a conversion or read error: the record reaching
     * the end of the data is incomplete. */
    bool at_data_end = s == SCAN_END || s == SCAN_UNTERMINATED || r->rec_open;
    if (r->in.stop != INPUT_OK && at_data_end) {
      report_input_stop(r);
      r->cut = s != SCAN_END && s != SCAN_EMPTY;
      return NEXT_BROKEN;
    }
    if (s == SCAN_END) return NEXT_END;
    if (s == SCAN_UNTERMINATED) {
      int line, col;
      locate(r, r->bad_at, &line, &col);
      diag_at(r->diag, KENKO_ERROR, r->path, line, col,
              "unterminated quoted cell: the quote opened here is never closed");
      r->cut = true;
      return NEXT_BROKEN;
    }
    if (s == SCAN_EMPTY) {
      r->line += r->rec_lines;
      r->rec_start = r->rec_end;
      continue;
    }
    /* The buffer holds a little more than the limit, so a record just
     * over it can arrive whole: the limit is the same either way. */
    if (r->rec_end - r->rec_start > CSV_RECORD_MAX) return record_too_long(r);
    return NEXT_RECORD;
  }
}

/* Steps past the current record. */
static void advance(CsvReader *r) {
  r->line += r->rec_lines;
  r->rec_start = r->rec_end;
}

/* The text of cell C (with "" undone), valid until the next cell_text. */
static inline const char *cell_text(CsvReader *r, const CsvCell *c, size_t *n) {
  const char *s = r->in.buf + r->rec_start + c->begin;
  *n = c->len;
  if (!(c->flags & CELL_ESCAPES)) return s;
  if (r->scratch_cap < c->len + 1) {
    r->scratch_cap = c->len + 1;
    r->scratch = xrealloc(r->scratch, r->scratch_cap);
  }
  size_t j = 0;
  for (size_t i = 0; i < c->len; i++) {
    r->scratch[j++] = s[i];
    if (s[i] == '"') i++; /* "" -> " (inside quotes a '"' is always paired) */
  }
  r->scratch[j] = '\0';
  *n = j;
  return r->scratch;
}

/* Opens the file and skips a BOM. False (after reporting) on failure;
 * *status then holds the return code. */
static bool open_file(CsvReader *r, int *status) {
  const char *encoding = r->opts ? r->opts->encoding : NULL;
  if (r->delimiter == '"' || r->delimiter == '\n' || r->delimiter == '\r') {
    diag_at(r->diag, KENKO_ERROR, r->path, 0, 0, "a CSV delimiter cannot be a quote or a line break");
    *status = KENKO_ERR_USAGE;
    return false;
  }
  /* a piece's first read is its own (the header: a small one) */
  size_t cap =
      r->head_read && r->head_read < CSV_BUF_INITIAL / 2 ? 2 * (size_t)r->head_read : CSV_BUF_INITIAL;
  int err = input_open(&r->in, r->source, encoding, cap);
  if (err) {
    if (err == INPUT_BAD_ENCODING)
      diag_at(r->diag, KENKO_ERROR, r->path, 0, 0, "unsupported encoding \"%s\"", encoding);
    else
      diag_at(r->diag, KENKO_ERROR, r->path, 0, 0, "cannot open: %s", strerror(err));
    *status = KENKO_ERR_USAGE;
    return false;
  }
  r->in.read_to = r->head_read;
  if (r->in.detected && strcmp(r->in.detected, "cp932") == 0)
    diag_at(r->diag, KENKO_NOTE, r->path, 0, 0,
            "not UTF-8, read as CP932 (`--encoding cp932` says so and silences this note)");
  input_refill(&r->in, 0);
  while (r->in.len < 3 && !r->in.eof)
    input_refill(&r->in, 0);
  if (r->in.len >= 3 && memcmp(r->in.buf, "\xEF\xBB\xBF", 3) == 0) r->rec_start = 3;
  /* The first line break tells how lines end: a CR not followed by LF
   * means a file of CR line ends (Excel for the old Mac OS). */
  const char *p = r->in.buf + r->rec_start, *end = r->in.buf + r->in.len;
  while (p < end && *p != '\n' && *p != '\r')
    p++;
  if (p + 1 < end && p[0] == '\r' && p[1] != '\n') {
    r->in.cr_lines = true;
    cr_to_lf(r->in.buf, r->in.len);
  }
  return true;
}

/* Reads the header record. False (after reporting) when there is none. */
/* The length of the UTF-8 character at S (N bytes left) when it is one a
 * header name is cleaned of: 1 for SPACES (the ideographic space U+3000,
 * the no-break space U+00A0), 2 for the invisible ones (zero-width space,
 * non-joiner and joiner U+200B..U+200D, word joiner U+2060, a BOM U+FEFF
 * past the start); 0 otherwise. *LEN is its byte length. */
static int header_junk(const unsigned char *s, size_t n, int *len) {
  uint32_t cp;
  *len = s[0] < 0x80 ? 0 : utf8_decode(s, n, &cp);
  if (*len <= 0) return 0;
  if (cp == 0x3000 || cp == 0xA0) return 1;
  if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF) return 2;
  return 0;
}

/* Copies header cell NAME (N bytes) to DST (room for N bytes) as it is
 * matched with the inputs' columns: invisible characters dropped, and the
 * spaces Excel users leave around a name (full-width and no-break ones
 * too: ASCII blanks were trimmed with the cell) taken off both ends.
 * Returns the new length. */
static size_t header_name(const char *name, size_t n, char *dst) {
  const unsigned char *p = (const unsigned char *)name;
  size_t j = 0, end = 0; /* end: DST's length without trailing spaces */
  for (size_t i = 0; i < n;) {
    int len;
    int junk = header_junk(p + i, n - i, &len);
    if (junk == 2 || (junk == 1 && j == 0)) {
      i += (size_t)len;
      continue;
    }
    size_t k = len > 0 ? (size_t)len : 1;
    memcpy(dst + j, name + i, k);
    j += k;
    i += k;
    if (junk != 1 && !(k == 1 && (name[i - 1] == ' ' || name[i - 1] == '\t'))) end = j;
  }
  return end;
}

static bool read_header(CsvReader *r) {
  NextResult next = next_record(r);
  if (next == NEXT_BROKEN) return false;
  if (next == NEXT_END) {
    diag_at(r->diag, KENKO_ERROR, r->path, 0, 0, "no header row (the file is empty)");
    return false;
  }
  if (r->ncells > CSV_CELLS_MAX) {
    int line, col;
    locate(r, r->rec_start, &line, &col);
    diag_at(r->diag, KENKO_ERROR, r->path, line, col, "CSV header has %u columns (the limit is %u)",
            r->ncells, CSV_CELLS_MAX);
    r->too_wide = true;
    return false;
  }
  r->ncolumns = (int32_t)r->ncells;
  r->header = xmalloc(((size_t)r->ncolumns + 1) * sizeof *r->header);
  for (int32_t j = 0; j < r->ncolumns; j++) {
    size_t n;
    const char *name = cell_text(r, &r->cells[j], &n);
    r->header[j] = xmalloc(n + 1);
    n = header_name(name, n, r->header[j]);
    r->header[j][n] = '\0';
  }
  return true;
}

/* Header cell J's location (for columns_map). */
static void header_location(const void *ctx, int32_t j, int *line, int *col) {
  const CsvReader *r = ctx;
  cell_location(r, &r->cells[j], line, col);
}

/* Maps every input to its header cell (see the top of the file). False
 * (after reporting) when the file cannot be used. */
static bool map_columns(CsvReader *r) {
  const Schema *schema = r->schema;
  r->column_of = xmalloc(((size_t)schema->ninputs + 1) * sizeof *r->column_of);
  int line, col;
  locate(r, r->rec_start, &line, &col);
  return columns_map(r->path, schema, r->header, r->ncolumns, line, header_location, r, r->diag,
                     r->column_of);
}

/* Sets up the fast paths for the columns map_columns found, read_fast
 * converting into VALUES (NULL: the reader's own array). */
static void fast_plan(CsvReader *r, Value *values) {
  const Schema *schema = r->schema;
  int32_t ninputs = schema->ninputs;
  r->plan = xcalloc((size_t)ninputs + 1, sizeof *r->plan);
  r->by_column = xcalloc((size_t)r->ncolumns + 1, sizeof *r->by_column); /* FAST_SKIP */
  r->by_column[r->ncolumns].step = FAST_END;
  r->text_inputs = xmalloc(((size_t)ninputs + 1) * sizeof *r->text_inputs);
  r->values_own = values ? NULL : xcalloc((size_t)ninputs + 1, sizeof *r->values_own);
  r->fast_values = values ? values : r->values_own;
  r->fast = true;
  for (int32_t i = 0; i < ninputs; i++) {
    const FieldSchema *f = &schema->inputs[i];
    CsvPlan *p = &r->plan[i];
    p->kind = f->type == T_NUMBER ? FAST_NUMBER
              : f->type == T_BOOL ? FAST_BOOL
              : f->type == T_DATE ? FAST_DATE
              : f->type == T_TEXT ? FAST_TEXT
                                  : FAST_OTHER;
    p->key = f->key;
    p->field = f;
    p->input = i;
    p->column = r->column_of[i];
    p->required = field_required(f);
    /* a cell with blanks around it, or one quoted, is not what it seems
     * to read_fast: --na values and a key's text as written are compared
     * as the general path trims them (FAST_TEXT checks for itself, and a
     * text key's id is its value) */
    p->step = (f->key && p->kind != FAST_TEXT) || r->nna > 0 ? FAST_CAREFUL : p->kind;
    if (!p->required && p->step == FAST_NUMBER) p->step = FAST_NUMBER_OPTIONAL;
    if (!p->required && p->step == FAST_BOOL) p->step = FAST_BOOL_OPTIONAL;
    p->out = &r->fast_values[i];
    if (f->type == T_TEXT) p->allowed = allowed_prepare(f);
    if (p->column < 0) {
      r->fast_values[i] = val_missing(MISS_ABSENT);
      if (p->required) r->fast = false; /* (map_columns refused the file) */
      continue;
    }
    if (f->type == T_TEXT) r->text_inputs[r->ntext++] = i;
    if (r->by_column[p->column].step != FAST_SKIP) r->fast = false; /* two inputs, one column */
    r->by_column[p->column] = *p;
    /* (shared: freed once, per input) */
    r->by_column[p->column].allowed = p->allowed; /* (shared: freed once, per input) */
  }
}

static bool is_na(const CsvReader *r, const char *s, size_t n) {
  for (int32_t k = 0; k < r->opts->nna; k++)
    if (r->na_len[k] == n && memcmp(r->opts->na[k], s, n) == 0) return true;
  return false;
}

/* Reading state of one csv_read call. */
typedef struct CsvRun {
  Intake *in;
  bool key_valid; /* the current record's key was read */
} CsvRun;

/* Rejects the current account for field COLUMN (NULL for the record as
 * a whole) at LINE:COL. */
static void reject(const CsvReader *r, CsvRun *run, const Value *values, const char *id, const char *column,
                   int line, int col, const char *msg) {
  const Value *key = run->key_valid ? &values[r->schema->key_index] : NULL;
  intake_reject(run->in, id, key, line, col, column, msg);
}

/* Converts input F from cell C of the record at REC (NULL: no column, or
 * a short record) into *OUT. False (with ERR set) when the value is bad.
 * Inline: it runs for every cell of every account. */
static inline __attribute__((always_inline)) bool convert_input(CsvReader *r, CsvRun *run,
                                                                const FieldSchema *f, const CsvCell *c,
                                                                const char *rec, Value *out, char *err) {
  if (!c) return intake_absent(f, out, err);
  size_t n = c->len;
  const char *s = rec + c->begin;
  /* a cell in the buffer has its padding behind it; "" undone ones do not */
  bool padded = !(c->flags & CELL_ESCAPES);
  if (!padded) s = cell_text(r, c, &n);
  if (n == 0 || (r->nna > 0 && is_na(r, s, n))) return intake_absent(f, out, err);
  if (convert_usual(f, s, n, padded, &run->in->arena, out)) return true;
  return convert_cell(f, s, n, &r->cell_opts, (c->flags & CELL_QUOTED) != 0, &run->in->arena, out, err,
                      ERR_MESSAGE_MAX);
}

/* Input I's cell in the current record, or NULL (no column, or a short
 * record). */
static inline const CsvCell *input_cell(const CsvReader *r, int32_t i) {
  int32_t j = r->column_of[i];
  return j >= 0 && (uint32_t)j < r->ncells ? &r->cells[j] : NULL;
}

/* The account id: the key's text (a non-text key as written), or NULL
 * when the key is bad or absent. KEY_ERR/KEY_CELL describe a bad key. */
static const char *key_id(CsvReader *r, CsvRun *run, Value *values, bool *key_ok, const CsvCell **key_cell,
                          char *key_err) {
  int32_t key = r->schema->key_index;
  *key_ok = true;
  *key_cell = NULL;
  if (key < 0) return NULL;
  *key_cell = input_cell(r, key);
  *key_ok = convert_input(r, run, &r->schema->inputs[key], *key_cell, r->in.buf + r->rec_start, &values[key],
                          key_err);
  if (!*key_ok || values[key].type == T_MISSING) return NULL;
  if (values[key].type == T_TEXT) return values[key].u.text;
  size_t n;
  const char *s = cell_text(r, *key_cell, &n);
  return arena_strndup(&run->in->arena, s, n);
}

/* convert_cell for a cell the fast paths leave (kept out of their way). */
__attribute__((noinline)) static bool convert_general(const CsvReader *r, const FieldSchema *f, const char *s,
                                                      size_t n, bool quoted, Arena *arena, Value *out) {
  char err[ERR_MESSAGE_MAX];
  return convert_cell(f, s, n, &r->cell_opts, quoted, arena, out, err, sizeof err);
}

/* Cell S (N bytes, not empty, readable for 8 bytes) for the input of
 * plan P into *OUT: the usual spellings inline, the rest by convert_cell.
 * A text value points at S (see finish_account). False when the cell is
 * bad. */
static inline __attribute__((always_inline)) bool fast_cell(const CsvReader *r, CsvRun *run, const CsvPlan *p,
                                                            const char *s, size_t n, bool quoted,
                                                            Value *out) {
  double x;
  int32_t days;
  bool b;
  switch (p->kind) {
  case FAST_NUMBER:
    if (!number_usual(s, n, true, &x)) break;
    *out = val_num(x);
    return true;
  case FAST_BOOL:
    if (!bool_usual(s, n, true, &b)) break;
    *out = val_bool(b);
    return true;
  case FAST_DATE:
    if (!date_usual(s, n, &days)) break;
    *out = val_date(days);
    return true;
  case FAST_TEXT:
    /* convert_cell takes no more text than this */
    if (!(plain_ascii(s, n) || clean_utf8(s, n)) || !allowed_usual(p->field, p->allowed, s, n)) return false;
    *out = val_text(s, (uint32_t)n);
    return true;
  default: break;
  }
  return convert_general(r, p->field, s, n, quoted, &run->in->arena, out);
}

/* Ends an account the fast paths converted from the record at REC (LEN
 * bytes): its text values, which point into the record, each get a NUL
 * written over the byte after it (a delimiter, quote, blank or line end,
 * which nothing reads again once the record is split), unless ENDED
 * (read_fast wrote them as it went). The record is
 * the reading buffer's while an account is handed over at once; for
 * read_jobs.c, which keeps accounts after the buffer has moved on
 * (Intake.kept), it is first copied into the account's arena,
 * once. KEY_AT/KEY_LEN: the key's cell in REC. Returns the account id. */
static inline const char *finish_account(CsvReader *r, CsvRun *run, Value *values, char *rec, size_t len,
                                         bool ended, uint32_t key_at, uint32_t key_len) {
  int32_t key = r->schema->key_index;
  bool cell_id = key >= 0 && values[key].type != T_TEXT; /* a key of another type: as written */
  char *to = rec;
  if (run->in->kept && (r->ntext || cell_id)) {
    to = arena_alloc(&run->in->arena, len + 1);
    memcpy(to, rec, len);
    for (int32_t k = 0; k < r->ntext; k++) {
      Value *v = &values[r->text_inputs[k]];
      if (v->type == T_TEXT) v->u.text = to + (v->u.text - rec); /* (else missing) */
    }
  }
  for (int32_t k = 0; !ended && k < r->ntext; k++) {
    const Value *v = &values[r->text_inputs[k]];
    if (v->type == T_TEXT) ((char *)v->u.text)[v->len] = '\0';
  }
  if (key < 0) return intake_place_id(run->in, r->line);
  if (!cell_id) return values[key].u.text;
  to[key_at + key_len] = '\0';
  return to + key_at;
}

/* check_record's common case, converted in one tight loop: every input's
 * cell good. False when some input is bad (or needs the general path):
 * check_record then starts over and reports it, with VALUES overwritten. */
static bool convert_fast(CsvReader *r, CsvRun *run, Value *values, const char **account_id) {
  const CsvCell *cells = r->cells;
  char *rec = r->in.buf + r->rec_start;
  int32_t ninputs = r->schema->ninputs;
  uint32_t key_at = 0, key_len = 0;
  for (int32_t i = 0; i < ninputs; i++) {
    const CsvPlan *p = &r->plan[i];
    Value *out = &values[i];
    if (p->column < 0) {
      *out = val_missing(MISS_ABSENT);
      continue;
    }
    const CsvCell *c = &cells[p->column];
    if (c->flags & CELL_ESCAPES) return false; /* rare: the general path */
    const char *s = rec + c->begin;
    size_t n = c->len;
    if (p->key) key_at = c->begin, key_len = c->len;
    if (n == 0 || (r->nna > 0 && is_na(r, s, n))) {
      if (p->required) return false;
      *out = val_missing(MISS_ABSENT);
      continue;
    }
    if (!fast_cell(r, run, p, s, n, (c->flags & CELL_QUOTED) != 0, out)) return false;
  }
  *account_id = finish_account(r, run, values, rec, r->rec_end - r->rec_start, false, key_at, key_len);
  return true;
}

/* A cell (P..E) that read_fast takes with care: it must be plain (no
 * quote or blank at its start, no CR or blank at its end), and it may be
 * the key's, or a --na value. */
__attribute__((noinline)) static bool careful_cell(const CsvReader *r, CsvRun *run, const CsvPlan *c,
                                                   const char *base, const char *p, const char *e,
                                                   uint32_t *key_at, uint32_t *key_len) {
  size_t n = (size_t)(e - p);
  if (n && (r->odd_first[(uint8_t)*p] | r->odd_last[(uint8_t)e[-1]])) return false;
  if (c->key) *key_at = (uint32_t)(p - base), *key_len = (uint32_t)n;
  Value *out = c->out;
  if (n == 0 || (r->nna > 0 && is_na(r, p, n))) {
    if (c->required) return false;
    *out = val_missing(MISS_ABSENT);
    return true;
  }
  if (!fast_cell(r, run, c, p, n, false, out)) return false;
  if (out->type == T_TEXT) *(char *)e = '\0'; /* see fast_step */
  return true;
}

/* read_fast's cell P..E (N bytes, before a delimiter or the record's
 * end) for the header cell of plan C: converted into C->out, or skipped.
 * False when the record needs the general path. Inline: read_fast's loop
 * and its last cell each have a copy. */
static inline __attribute__((always_inline)) bool fast_step(const CsvReader *r, CsvRun *run, const CsvPlan *c,
                                                            const char *base, const char *p, const char *e,
                                                            uint32_t *key_at, uint32_t *key_len) {
  size_t n = (size_t)(e - p);
  Value *out = c->out;
  double x;
  uint64_t digits;
  int32_t days;
  bool b = false;
  /* (an empty cell fails the usual dates and text before it is looked at) */
  switch (c->step) {
  case FAST_SKIP:
    if (r->odd_first[(uint8_t)*p]) return false; /* maybe quoted: the cells may end elsewhere */
    return true;
  case FAST_NUMBER_OPTIONAL:
    /* 0 to 8 digits: the empty cell with the short numbers, without a
     * branch of its own (a column of numbers with empty cells here and
     * there made the predictor miss one cell after another) */
    if (digits_short(p, n, &digits)) {
      Value v = val_missing(MISS_ABSENT);
      v.type = n ? T_NUMBER : T_MISSING;
      v.u.num = (double)digits; /* (0: an absent value's bytes) */
      *out = v;
      return true;
    }
    goto decimal;
  case FAST_NUMBER:
    if (digits_short(p, n, &digits)) {
      if (!n) return false; /* (required: rare) */
      *out = val_num((double)digits);
      return true;
    }
  decimal:
    if (n && simple_decimal(p, n, &x)) { /* (digits8 refused it as digits_short did) */
      *out = val_num(x);
      return true;
    }
    break;
  case FAST_BOOL_OPTIONAL:
    /* true, false or nothing, as above; the other spellings next */
    if (bool_short(p, n, &b) || (n && bool_usual(p, n, true, &b))) {
      Value v = val_missing(MISS_ABSENT);
      v.type = n ? T_BOOL : T_MISSING;
      v.u.b = b; /* (false: an absent value's bytes) */
      *out = v;
      return true;
    }
    break;
  case FAST_BOOL:
    if (bool_short(p, n, &b) || (n && bool_usual(p, n, true, &b))) {
      if (!n) return false;
      *out = val_bool(b);
      return true;
    }
    break;
  case FAST_DATE:
    if (date_usual(p, n, &days)) {
      *out = val_date(days);
      return true;
    }
    break;
  case FAST_TEXT:
    /* (no NUL in the cell: it would have been a stop) */
    if (!n) break;
    if ((r->odd_first[(uint8_t)*p] | r->odd_last[(uint8_t)e[-1]]) || !utf8_padded(p, n) ||
        !allowed_usual(c->field, c->allowed, p, n))
      return false;
    *out = val_text(p, (uint32_t)n);
    /* the byte after it (the delimiter, or the record's end) made its
     * end, as finish_account would (read_fast undoes it if the record
     * goes to the general path after all) */
    *(char *)e = '\0';
    return true;
  case FAST_CAREFUL: return careful_cell(r, run, c, base, p, e, key_at, key_len);
  case FAST_OTHER: break;
  case FAST_END: return false; /* more cells than the header */
  default: __builtin_unreachable();
  }
  if (!n) {
    if (c->required) return false;
    *out = val_missing(MISS_ABSENT);
    return true;
  }
  return convert_general(r, c->field, p, n, false, &run->in->arena, out);
}

/* The common record read, split and converted in one pass, before the
 * general path (next_record, take_account) sees it: it ends with '\n'
 * or CRLF inside the buffer, has as many cells as the header, none of
 * them quoted, and every input's cell is good. The cells are found with
 * one bit scan each, as in scan_plain, and each is converted as it is
 * found, into r->fast_values (nothing is stored per cell). Hands the
 * account over and steps past it; false, having changed nothing, when
 * the record is anything else. */
static bool read_fast(CsvReader *r, CsvRun *run) {
  Intake *in = run->in;
  if (r->in.base + r->rec_start >= r->limit) return false;
  char *base = r->in.buf + r->rec_start;
  const char *p = base;
  if (*p == '\n' || *p == '\r') return false; /* an empty line, or one to read again */
  const char *block;
  uint64_t full, bits;
  if ((uintptr_t)p - (uintptr_t)r->stops_at < 64) { /* in next_stop's window */
    block = r->stops_at;
    full = r->stops;
    bits = full & (~UINT64_C(0) << (p - block));
  } else {
    block = p;
    full = bits = stop_bits(r, block);
  }
  /* (locals: the compiler cannot keep r's fields in registers across the
   * stores into values) */
  const CsvPlan *c = r->by_column;
  const char delimiter = r->delimiter;
  uint32_t key_at = 0, key_len = 0;
  const char *q;
  for (;; c++) {
    /* The NUL after the data is a stop, so this never passes it, and
     * the padding behind the data covers the 64 bytes read. */
    while (!bits) {
      block += 64;
      full = bits = stop_bits(r, block);
    }
    q = block + (uint64_t)__builtin_ctzll(bits);
    bits &= bits - 1;
    /* the record's end (or a NUL: the end of the data, or in it) */
    if (__builtin_expect(*q != delimiter, 0)) break;
    if (!fast_step(r, run, c, base, p, q, &key_at, &key_len)) goto refused;
    p = q + 1;
  }
  /* the last cell, which must be the header's last */
  size_t len = (size_t)(q + 1 - base);
  if (*q != '\n' || c != r->by_column + r->ncolumns - 1 || len > CSV_RECORD_MAX) goto refused;
  if (!fast_step(r, run, c, base, p, q > p && q[-1] == '\r' ? q - 1 : q, &key_at, &key_len)) goto refused;
  Value *values = r->fast_values;
  r->stops_at = block;
  r->stops = full;
  Value *account = values;
  if (in->kept) { /* the values outlive the next account: in the arena */
    Value *room = intake_begin(in);
    memcpy(room, values, (size_t)r->schema->ninputs * sizeof *room);
    account = room;
  } else if (in->begin_hook) { /* the hook's turn (read_jobs.c), which resets */
    in->begin_hook(in);
  } else { /* handed over at once: intake_begin's reset, without the copy */
    arena_reset(&in->arena);
  }
  const char *id = finish_account(r, run, account, base, len, true, key_at, key_len);
  r->rec_end = r->rec_start + len;
  r->rec_lines = 1;
  intake_accept(in, account, id, r->line);
  advance(r);
  return true;
refused:
  /* the text cells' ends written before P back to the delimiters they
   * were (a NUL of the record's own would have stopped the loop) */
  for (char *x = base; x < p; x++)
    if (!*x) *x = delimiter;
  return false;
}

/* Reports the first bad field in the order described at the top: the
 * record's shape, the key, stray quotes, then the inputs. */
static bool check_record(CsvReader *r, CsvRun *run, Value *values, const char **account_id) {
  if ((int32_t)r->ncells == r->ncolumns && !(r->rec_flags & CELL_BAD_QUOTE) &&
      convert_fast(r, run, values, account_id))
    return true;
  const Schema *schema = r->schema;
  char err[ERR_MESSAGE_MAX];
  const CsvCell *cell;
  int line = (int)r->line, col = 1;
  bool key_ok;
  const char *id = key_id(r, run, values, &key_ok, &cell, err);
  run->key_valid = key_ok && id != NULL;
  const char *place = id ? id : intake_place_id(run->in, r->line);
  *account_id = place;

  if ((int32_t)r->ncells != r->ncolumns) {
    snprintf(err, sizeof err, _("expected %d cells, got %u"), r->ncolumns, r->ncells);
    reject(r, run, values, place, NULL, line, col, err);
    return false;
  }
  int32_t key = schema->key_index;
  if (!key_ok) {
    if (cell) cell_location(r, cell, &line, &col);
    reject(r, run, values, place, schema->inputs[key].column, line, col, err);
    return false;
  }
  if (r->rec_flags & CELL_BAD_QUOTE) {
    for (uint32_t j = 0; j < r->ncells; j++) {
      if (!(r->cells[j].flags & CELL_BAD_QUOTE)) continue;
      cell_location(r, &r->cells[j], &line, &col);
      reject(r, run, values, place, r->header[j], line, col,
             _("text after the closing quote of a quoted cell"));
      return false;
    }
  }
  /* The record's cells count as many as the header's here: every input
   * with a column has its cell. */
  const FieldSchema *inputs = schema->inputs;
  const int32_t *column_of = r->column_of;
  const CsvCell *cells = r->cells;
  const char *rec = r->in.buf + r->rec_start;
  int32_t ninputs = schema->ninputs;
  for (int32_t i = 0; i < ninputs; i++) {
    if (i == key) continue;
    int32_t j = column_of[i];
    cell = j >= 0 ? &cells[j] : NULL;
    if (!convert_input(r, run, &inputs[i], cell, rec, &values[i], err)) {
      if (cell) cell_location(r, cell, &line, &col);
      reject(r, run, values, place, schema->inputs[i].column, line, col, err);
      return false;
    }
  }
  return true;
}

/* Converts the current record and hands it to the callback, or rejects it. */
static void take_account(CsvReader *r, CsvRun *run) {
  Value *values = intake_begin(run->in);
  const char *id;
  if (check_record(r, run, values, &id)) intake_accept(run->in, values, id, r->line);
}

/* A file whose header makes it unusable (a required column missing, a
 * declared one twice, too many columns; reported once): its records are
 * accounts that cannot be scored, so each counts as read and rejected. */
static void count_unusable(CsvReader *r, Intake *in) {
  in->stats->file_error = true;
  advance(r);
  for (;;) {
    NextResult n = next_record(r);
    if (n == NEXT_END) break;
    if (n == NEXT_BROKEN) {
      if (r->cut) intake_cut(in);
      break;
    }
    intake_cut(in);
    advance(r);
  }
}

/* Makes the bytes of PIECE that the scan for its end read (and kept) the
 * input's, as if they had just been read from the file, which then reads
 * on from the piece's end (a record that runs past it: a fooled parity).
 * PIECE gives up its bytes. */
static bool input_take_piece(CsvInput *in, CsvPiece *piece) {
  if (fseeko(in->fp, (off_t)piece->end, SEEK_SET) != 0) return false;
  free(in->buf);
  in->buf = piece->bytes;
  in->cap = piece->bytes_cap;
  piece->bytes = NULL;
  piece->bytes_cap = 0;
  piece->bytes_read = false;
  in->pending = 0;
  in->raw_eof = false;
  in->eof = false;
  in->base = piece->begin;
  in->len = (size_t)(piece->end - piece->begin);
  memset(in->buf + in->len, 0, CSV_PAD); /* the sentinel, and the padding */
  return true;
}

/* Moves the input to file offset AT, dropping what was read. */
static bool input_seek(CsvInput *in, uint64_t at) {
  if (fseeko(in->fp, (off_t)at, SEEK_SET) != 0) return false;
  in->pending = 0;
  in->raw_eof = false;
  in->eof = false;
  in->len = 0;
  in->base = at;
  memset(in->buf, 0, CSV_PAD);
  return true;
}

/* ReadOpts.expect: the records of a regular file, told from the lines
 * in what was read so far after the header (all of them when that is the
 * whole file). */
static void expect_records(CsvReader *r) {
  struct stat st;
  if (r->in.converting || fstat(fileno(r->in.fp), &st) != 0 || !S_ISREG(st.st_mode)) return;
  const char *from = r->in.buf + r->rec_start, *end = r->in.buf + r->in.len;
  uint64_t lines = count_newlines(from, end), seen = (uint64_t)(end - from);
  uint64_t at = r->in.base + r->rec_start; /* (the file offset of FROM) */
  if (!r->in.eof && seen && (uint64_t)st.st_size > at + seen)
    lines = (uint64_t)((double)lines * (double)((uint64_t)st.st_size - at) / (double)seen);
  r->opts->expect(r->opts->expect_ud, lines);
}

int csv_read(Intake *in) {
  CsvReader r;
  ReadStats *stats = in->stats;
  CsvPiece *piece = in->piece;
  /* A later piece reads the header again, silently (the first piece
   * reported what there was to say about it). */
  bool later = piece && piece->begin > 0;
  Diag quiet;
  diag_init(&quiet, NULL, NULL, NULL);
  reader_init(&r, in->source, in->schema, in->opts, later ? &quiet : in->diag);
  /* a piece reads the header (a later one, only a little) and its own bytes */
  if (piece) r.head_read = later ? CSV_PIECE_HEAD : piece->end;
  int status = KENKO_OK;
  if (!open_file(&r, &status)) {
    stats->file_error = true;
    reader_free(&r);
    return status;
  }
  if (!read_header(&r)) {
    if (r.too_wide && !later) count_unusable(&r, in);
    stats->file_error = true;
    reader_free(&r);
    return KENKO_ERR_DATA;
  }
  if (!map_columns(&r)) {
    if (!later) count_unusable(&r, in);
    stats->file_error = true;
    reader_free(&r);
    return KENKO_ERR_DATA;
  }
  advance(&r);
  if (piece) {
    r.limit = piece->end;
    if (later) {
      r.diag = in->diag;
      if (!(piece->bytes_read ? input_take_piece(&r.in, piece) : input_seek(&r.in, piece->begin))) {
        stats->file_error = true;
        reader_free(&r);
        return KENKO_ERR_DATA;
      }
      r.in.read_to = piece->end;
      r.rec_start = 0;
      r.line = piece->line;
      r.stops_at = NULL;
    }
  }

  /* the caller's estimate when the file is read whole on the caller's
   * thread (a --jobs worker has its begin_hook), or its first piece
   * there (read_data_jobs's calling thread); the caller's array whenever
   * each account is handed over before the next is read (not
   * Intake.kept): a whole file, a piece, a worker's (its own array) */
  bool whole = !piece && !in->begin_hook;
  bool first = piece && piece->begin == 0 && !in->begin_hook;
  if ((whole || first) && r.opts && r.opts->expect) expect_records(&r);
  fast_plan(&r, !in->kept && r.opts ? r.opts->values : NULL);
  CsvRun run = {.in = in};
  bool broken = false;
  while (!in->stop) {
    if (r.fast && read_fast(&r, &run)) continue;
    NextResult n = next_record(&r);
    if (n == NEXT_END) break;
    if (n == NEXT_BROKEN) {
      broken = true;
      if (r.cut) intake_cut(in);
      break;
    }
    take_account(&r, &run);
    advance(&r);
  }
  if (piece) {
    piece->stopped_at = r.in.base + r.rec_start;
    piece->stopped_line = r.line;
    if (!r.in.converting) { /* the reading buffer, for the next piece */
      free(piece->bytes);
      piece->bytes = r.in.buf;
      piece->bytes_cap = r.in.cap;
      piece->bytes_read = false;
      r.in.buf = NULL;
    }
  }
  reader_free(&r);
  if (broken) stats->file_error = true;
  return broken || in->rejected ? KENKO_ERR_DATA : KENKO_OK;
}

/* ---- pieces (read_jobs.c) ------------------------------------------------- */

bool csv_splittable(const char *path, const Schema *schema, const ReadOpts *opts, uint64_t *size) {
  if (strcmp(path, "-") == 0) return false;
  if (opts && opts->encoding && *opts->encoding && !is_utf8_name(opts->encoding)) return false;
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  Diag quiet;
  diag_init(&quiet, NULL, NULL, NULL);
  CsvReader r;
  reader_init(&r, path, schema, opts, &quiet);
  r.head_read = CSV_PIECE_HEAD; /* the header: a small buffer will do */
  int status;
  bool ok = open_file(&r, &status);
  ok = ok && !r.in.converting && !r.in.cr_lines && read_header(&r) && map_columns(&r);
  reader_free(&r);
  *size = (uint64_t)st.st_size;
  return ok;
}

/* Bits of the 64 bytes at P equal to C. */
static inline uint64_t byte_bits(const char *p, char c) {
#ifdef __SSE2__
  const __m128i v = _mm_set1_epi8(c);
  uint64_t bits = 0;
  for (int k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
    bits |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, v)) << (16 * k);
  }
  return bits;
#else
  uint64_t bits = 0;
  for (int k = 0; k < 64; k++)
    bits |= (uint64_t)(p[k] == c) << k;
  return bits;
#endif
}

/* The bits set in X (without -mpopcnt, __builtin_popcountll is a call). */
static inline uint64_t bits_set(uint64_t x) {
  x -= (x >> 1) & UINT64_C(0x5555555555555555);
  x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
  x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
  return (x * UINT64_C(0x0101010101010101)) >> 56;
}

/* Bit i set when an odd number of bits 0..i of X are set. */
static inline uint64_t prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

/* What the scan of a piece's end carries from one block to the next. */
typedef struct PieceScan {
  uint64_t inside; /* all ones while a quoted stretch runs on */
  uint64_t lines;  /* line feeds before the group being scanned */
  uint64_t target;
} PieceScan;

/* The scan of N bytes at BUF (the file's bytes from AT, 64 zero bytes
 * after them) in groups of 64, with the bit masks of QUOTE_BITS and
 * FEED_BITS, the parity of PREFIX_XOR and the count of BITS_SET: the
 * offset just after the first line feed outside quotes at target - 1 or
 * later, or 0 when the block has none. One body for the portable
 * functions and the AVX2 ones. */
#define PIECE_SCAN_BODY(QUOTE_BITS, FEED_BITS, PREFIX_XOR, BITS_SET)                                         \
  for (size_t g = 0; g < n; g += 64) {                                                                       \
    uint64_t quoted = PREFIX_XOR(QUOTE_BITS(buf + g)) ^ ps->inside;                                          \
    ps->inside = (uint64_t)((int64_t)quoted >> 63);                                                          \
    uint64_t feeds = FEED_BITS(buf + g);                                                                     \
    if (n - g < 64) feeds &= (UINT64_C(1) << (n - g)) - 1; /* past the data */                               \
    uint64_t here = at + g;                                                                                  \
    uint64_t outside = feeds & ~quoted;                                                                      \
    if (here + 64 >= ps->target && outside) {                                                                \
      /* the first line feed outside quotes at or past target - 1 */                                         \
      unsigned skip = ps->target > here + 1 ? (unsigned)(ps->target - here - 1) : 0;                         \
      uint64_t later = skip < 64 ? outside & (~UINT64_C(0) << skip) : 0;                                     \
      if (later) {                                                                                           \
        unsigned i = (unsigned)__builtin_ctzll(later);                                                       \
        ps->lines += BITS_SET(feeds & ((UINT64_C(2) << i) - 1));                                             \
        return here + i + 1;                                                                                 \
      }                                                                                                      \
    }                                                                                                        \
    ps->lines += BITS_SET(feeds);                                                                            \
  }                                                                                                          \
  return 0;

static inline uint64_t quote_bits(const char *p) { return byte_bits(p, '"'); }
static inline uint64_t feed_bits(const char *p) { return byte_bits(p, '\n'); }

static uint64_t scan_block(const char *buf, size_t n, uint64_t at, PieceScan *ps) {
  PIECE_SCAN_BODY(quote_bits, feed_bits, prefix_xor, bits_set)
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PIECE_AVX2 __attribute__((target("avx2,popcnt,pclmul")))

/* Bits of the 64 bytes at P equal to C, 32 at a time. */
PIECE_AVX2 static inline uint64_t byte_bits_avx2(const char *p, char c) {
  const __m256i v = _mm256_set1_epi8(c);
  __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
  __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
  uint64_t a = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, v));
  uint64_t b = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, v));
  return a | b << 32;
}
PIECE_AVX2 static inline uint64_t quote_bits_avx2(const char *p) { return byte_bits_avx2(p, '"'); }
PIECE_AVX2 static inline uint64_t feed_bits_avx2(const char *p) { return byte_bits_avx2(p, '\n'); }
/* prefix_xor as one carry-less multiplication by all ones */
PIECE_AVX2 static inline uint64_t prefix_xor_clmul(uint64_t x) {
  __m128i m = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8(-1), 0);
  return (uint64_t)_mm_cvtsi128_si64(m);
}
PIECE_AVX2 static inline uint64_t bits_set_popcnt(uint64_t x) { return (uint64_t)_mm_popcnt_u64(x); }

PIECE_AVX2 static uint64_t scan_block_avx2(const char *buf, size_t n, uint64_t at, PieceScan *ps) {
  PIECE_SCAN_BODY(quote_bits_avx2, feed_bits_avx2, prefix_xor_clmul, bits_set_popcnt)
}

static bool have_avx2(void) {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") &&
         __builtin_cpu_supports("pclmul");
}
#else
static uint64_t scan_block_avx2(const char *buf, size_t n, uint64_t at, PieceScan *ps) {
  return scan_block(buf, n, at, ps);
}
static bool have_avx2(void) { return false; }
#endif

/* Makes room for N more bytes (and the scan's 64 zero bytes after them)
 * after the USED bytes of the kept piece K (whose allocation has CSV_PAD
 * bytes more, as a reading buffer). */
static void piece_room(CsvPiece *k, size_t used, size_t n) {
  if (used + n + 64 <= k->bytes_cap) return;
  size_t cap = k->bytes_cap ? k->bytes_cap : 1 << 16;
  while (used + n + 64 > cap)
    cap *= 2;
  k->bytes = xrealloc(k->bytes, cap + CSV_PAD);
  k->bytes_cap = cap;
}

uint64_t csv_piece_scan(int fd, uint64_t from, uint64_t target, uint64_t size, uint64_t *newlines, bool wide,
                        CsvPiece *keep) {
  enum { BLOCK = 1 << 16, SLACK = 1 << 12 };
  char *buf = keep ? NULL : xmalloc(BLOCK + 64);
  size_t used = 0; /* keep: the bytes from FROM read so far (into
                      keep->bytes, which may come with room already) */
  PieceScan ps = {0, 0, target};
  uint64_t at = from, end = size;
  bool avx2 = wide && have_avx2();
  while (at < size) {
    /* kept, the piece's bytes are read at once with a few records more
     * (then a block at a time); else a block at a time into BUF */
    size_t want = keep && target > at ? (size_t)(target - at) + SLACK : BLOCK;
    if (size - at < want) want = (size_t)(size - at);
    if (keep) {
      piece_room(keep, used, want);
      buf = keep->bytes + used;
    }
    ssize_t got = pread(fd, buf, want, (off_t)at);
    if (got <= 0) break; /* the readers will say what is wrong */
    size_t n = (size_t)got;
    memset(buf + n, 0, 64); /* the last group's bytes past the data */
    uint64_t found = avx2 ? scan_block_avx2(buf, n, at, &ps) : scan_block(buf, n, at, &ps);
    used += n;
    if (found) {
      end = found;
      break;
    }
    at += n;
  }
  if (!keep) free(buf);
  *newlines = ps.lines;
  if (keep) keep->bytes_read = end - from <= used; /* (else a short read: the reader reads them) */
  return end;
}

uint64_t csv_piece_end(int fd, uint64_t from, uint64_t target, uint64_t size, uint64_t *newlines) {
  return csv_piece_scan(fd, from, target, size, newlines, true, NULL);
}

uint64_t csv_piece_take(int fd, CsvPiece *piece, uint64_t target, uint64_t size, uint64_t *newlines) {
  return csv_piece_scan(fd, piece->begin, target, size, newlines, true, piece);
}

/* ---- columns ---------------------------------------------------------------- */

/* The header cells of a CSV file. */
char **csv_columns(const char *path, const ReadOpts *opts, Diag *diag, int32_t *count) {
  CsvReader r;
  reader_init(&r, path, NULL, opts, diag);
  int status;
  char **cols = NULL;
  if (open_file(&r, &status) && read_header(&r)) {
    cols = r.header;
    *count = r.ncolumns;
    r.header = NULL;
    r.ncolumns = 0;
  }
  reader_free(&r);
  return cols;
}
