/* kenko.h — the public API of libkenko, the health-score rule language.
 *
 * Ownership: every handle returned by a kenko_*_new / kenko_load function
 * is owned by the caller and freed with its matching kenko_*_free. Strings
 * handed to callbacks live only for the duration of the call. The library
 * keeps no global mutable state and never prints: diagnostics reach the
 * caller through a kenko_diag_fn. */
#ifndef KENKO_H
#define KENKO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KENKO_VERSION "0.1.0"
/* The version of the language and CLI contract (LANGUAGE.md) implemented. */
#define KENKO_CONTRACT_VERSION "2"

/* Exit statuses of the CLI, also returned by the library's entry points. */
enum {
  KENKO_OK = 0,        /* success */
  KENKO_ERR_RULES = 1, /* rule errors, failed tests, fmt --check diffs */
  KENKO_ERR_USAGE = 2, /* bad flags, unreadable file */
  KENKO_ERR_DATA = 3   /* some accounts rejected; the others were scored */
};

typedef enum kenko_level {
  KENKO_ERROR = 0,   /* the rules (or an account) cannot be used */
  KENKO_WARNING = 1, /* a lint; the rules are still usable */
  KENKO_NOTE = 2     /* more about the diagnostic before it */
} kenko_level;

/* One diagnostic. `rendered` is the whole text as printed by the CLI:
 * "FILE:LINE:COL: error: MESSAGE\n" then the source line and a caret line
 * (both absent when there is no location). */
typedef struct kenko_diag {
  kenko_level level;
  const char *file; /* NULL when the diagnostic has no location */
  int line;         /* 1-based */
  int col;          /* 1-based display column */
  const char *message;
  const char *rendered;
} kenko_diag;

typedef void (*kenko_diag_fn)(void *ud, const kenko_diag *d);

/* Options for loading rules. */
typedef struct kenko_load_opts {
  kenko_diag_fn diag; /* may be NULL */
  void *diag_ud;
  bool color; /* ANSI colour in rendered diagnostics */
  /* Reads a rule file (the main one and includes) instead of the file
   * system, e.g. from a git revision; returns malloc'ed bytes and sets
   * *len, or NULL with *err set. NULL: read files from disk. An include
   * is asked for by the including file's directory joined with the
   * include's path, "." and "dir/.." parts taken out (`include
   * "../common/x.kenko"` in "rules/a.kenko" asks for "common/x.kenko");
   * files are told apart by that path. */
  char *(*read_file)(void *ud, const char *path, size_t *len, const char **err);
  void *read_ud;
  /* Includes must stay inside the main rule file's directory tree (".."
   * and symlinks resolved; absolute include paths are refused). A
   * directory whose tree includes may read too (`--include-root DIR`),
   * or NULL. With read_file, both are compared as normalized text. */
  const char *include_root;
} kenko_load_opts;

/* PATH with "." and "dir/.." parts and repeated slashes taken out, by the
 * text alone ("rules/../common/./x.kenko" → "common/x.kenko"; a relative
 * path that climbs above its start keeps its leading ".." parts; "" and
 * "." give "."): the form a read_file hook is asked for. malloc'ed. */
char *kenko_normalize_path(const char *path);

/* The candidate closest to WORD by the edit distance diagnostics use for
 * "did you mean" (Damerau–Levenshtein, within a third of the length), or
 * NULL when none is close. */
const char *kenko_suggest(const char *word, const char *const *candidates, int n);

/* A parsed, checked and compiled rule set (opaque). */
typedef struct kenko_rules kenko_rules;

/* Reads PATH (and its includes), parses, checks and compiles it. Returns
 * NULL when the file cannot be read or has errors; diagnostics went to
 * opts->diag. *status receives KENKO_OK, KENKO_ERR_RULES or
 * KENKO_ERR_USAGE (unreadable file). */
kenko_rules *kenko_load(const char *path, const kenko_load_opts *opts, int *status);
/* The same from memory (PATH only names the text in diagnostics; includes
 * are resolved relative to it). */
kenko_rules *kenko_load_text(const char *path, const char *text, size_t len, const kenko_load_opts *opts,
                             int *status);
void kenko_rules_free(kenko_rules *rules);

/* The first 12 hex digits of the SHA-256 of the rule files' bytes
 * (includes in order), and the whole 64 digits. */
const char *kenko_rules_fingerprint(const kenko_rules *rules);
/* The rule files read: how many (the main file, then its includes in the
 * order read), and the path file I was read from. */
int kenko_rules_file_count(const kenko_rules *rules);
const char *kenko_rules_file(const kenko_rules *rules, int i);
const char *kenko_rules_fingerprint_full(const kenko_rules *rules);

struct kenko_run_opts;
/* `kenko check --data FILE`: compares the declared inputs with the data's
 * columns (CSV header) or keys (first YAML records), then reads every cell
 * as `kenko run` would with OPTS's data options (format, delimiter,
 * encoding, --na, --thousands) and reports the bad ones per column.
 * Missing columns and bad cells are errors, undeclared columns a warning.
 * Diagnostics go to OPTS->diag. Returns the number of errors, or -1 when
 * the data file cannot be read or its format told. */
int kenko_check_data(const kenko_rules *rules, const char *data_path, const struct kenko_run_opts *opts);

/* ---- scoring ------------------------------------------------------------ */

typedef enum kenko_format {
  KENKO_FORMAT_TEXT = 0, /* for people: the explanation of each account */
  KENKO_FORMAT_JSONL,    /* one JSON object per account */
  KENKO_FORMAT_CSV,      /* one row per account */
  KENKO_FORMAT_XLSX      /* an Excel workbook: the csv's table as a sheet
                            (run, history; the stream must take binary) */
} kenko_format;

typedef struct kenko_run_opts {
  kenko_format format;
  bool explain; /* jsonl/csv: add expressions, values, reasons, drivers */
  /* csv meant for a spreadsheet (`--excel-safe`): a cell that starts with
   * = + - @ tab or CR gets a ' in front, so that no spreadsheet reads it
   * as a formula (docs/security.md). false: cells exactly as the data has
   * them. */
  bool excel_safe;
  /* csv for people (docs/cli.md, "CSV for spreadsheets"); each also turns
   * on excel_safe except --labels and --digits: */
  bool bom;                    /* `--bom`: a UTF-8 byte order mark first */
  const char *output_encoding; /* `--output-encoding`: NULL (UTF-8) or "cp932" */
  bool labels;                 /* `--labels`: labels for names in the header and the symbol cells */
  bool rounded;                /* `--digits N`: numbers rounded to `digits` decimals (else exact) */
  int digits;
  const char *as_of;        /* "YYYY-MM-DD"; NULL: today (local date) */
  const char *account;      /* only this account id (`kenko explain`); NULL: all */
  bool what_if;             /* text: add "what would change the grade" */
  const char *input_format; /* "csv", "yaml", "json", or NULL: by extension */
  char delimiter;           /* CSV separator (0: ',') */
  const char *encoding;     /* NULL: detected; "utf-8", "cp932" or "utf-16" */
  const char *na;           /* comma-separated cell values meaning missing */
  char thousands;           /* ',' to accept "1,234" in quoted CSV cells */
  bool strict;              /* stop at the first rejected account */
  /* threads (`--jobs`): the data is read on others while this one scores;
   * 0 or 1: all on the calling thread. Output, diagnostics and figures
   * are the same whatever the number (docs/performance.md). */
  int jobs;
  bool color;         /* ANSI colour in text output */
  kenko_diag_fn diag; /* data errors (and rule errors) */
  void *diag_ud;
  bool diag_color;
  /* progress: called every so many accounts (may be NULL) */
  void (*progress)(void *ud, unsigned long long accounts);
  void *progress_ud;
} kenko_run_opts;

typedef struct kenko_run_stats {
  unsigned long long accounts; /* read: scored + rejected */
  unsigned long long scored;
  unsigned long long rejected;
  bool found;          /* with opts.account: the account was seen and scored */
  bool found_rejected; /* with opts.account: it was rejected for bad data
                          (reported with its reason through opts.diag) */
  /* History (data in snapshots, LANGUAGE.md §6): */
  int snapshot;                    /* the snapshot scored (days since
                                      1970-01-01) when snapshots > 0 */
  unsigned long long snapshots;    /* snapshots read (0: not history) */
  unsigned long long earlier_only; /* accounts seen only in snapshots
                                      before the one scored */
  unsigned long long trend_bytes;  /* the most memory the earlier
                                      snapshots kept for the trend
                                      functions took at once */
} kenko_run_stats;

/* Scores every account of the data files (read in order) and writes the
 * results to OUT. Returns KENKO_OK, KENKO_ERR_DATA (some accounts
 * rejected; the others were written) or KENKO_ERR_USAGE (a data file
 * cannot be read, a bad option). */
int kenko_run(const kenko_rules *rules, const char *const *data, int ndata, const kenko_run_opts *opts,
              FILE *out, kenko_run_stats *stats);

/* ---- portfolio analytics (report, validate, diff) ----------------------- */

typedef struct kenko_report_opts {
  kenko_run_opts run; /* reading, --as-of, diagnostics (format unused) */
  const char *by;     /* NULL, "persona", "segment NAME" or "input NAME" */
  bool json;          /* --format json (else text for people) */
  FILE *html;         /* --html FILE: also write the HTML report here
                         (NULL: none); the caller opens and closes it */
  FILE *xlsx;         /* --xlsx FILE: also write the report as an Excel
                         workbook here (NULL: none); the caller's */
} kenko_report_opts;

/* `kenko report`: composition per grade (and per persona, segment, or
 * --by group), the forecast, the journey funnel and bottlenecks, flags,
 * drivers, dimension deciles and coverage, aggregated while streaming.
 * The text or JSON report goes to OUT (NULL: not written, e.g. when the
 * HTML report takes standard output). */
int kenko_report(const kenko_rules *rules, const char *const *data, int ndata, const kenko_report_opts *opts,
                 FILE *out, kenko_run_stats *stats);

typedef struct kenko_validate_opts {
  kenko_run_opts run;
  const char *outcome; /* --outcome FIELD (an input), or NULL: the rules' */
  bool json;
  const char *horizon; /* --horizon DUR ("180d", "26w", "6mo"): each
                          account's score from its latest snapshot on or
                          before its last record's date − DUR; NULL: the
                          score and the outcome from the same snapshot */
} kenko_validate_opts;

/* `kenko validate`: outcome rate per grade (Wilson 95%), AUC of health,
 * of each dimension and per persona, and each rule member's lift. */
int kenko_validate(const kenko_rules *rules, const char *const *data, int ndata,
                   const kenko_validate_opts *opts, FILE *out, kenko_run_stats *stats);

typedef struct kenko_diff_opts {
  kenko_run_opts run;
  bool json;
  const char *const *old_data; /* --data OLD_DATA: compare two snapshots */
  int nold_data;
  unsigned long long limit; /* --limit: text lists at most this many
                               accounts each (0: all) */
  double min_change;        /* --min-change: list health moves of at least
                               this many points within a grade (0: 5) */
} kenko_diff_opts;

/* `kenko diff`: OLD and NEW rules over the same data (or one rule set over
 * two data snapshots): the grade transition matrix, the accounts whose
 * grade changed with the members whose lost points moved most, flags
 * raised and cleared, health moves within a grade, bottleneck changes,
 * and the change in forecast. */
int kenko_diff(const kenko_rules *old_rules, const kenko_rules *new_rules, const char *const *data, int ndata,
               const kenko_diff_opts *opts, FILE *out, kenko_run_stats *stats);

typedef struct kenko_history_opts {
  kenko_run_opts run;  /* reading, diagnostics; format: text (default),
                          jsonl or csv; run.account and run.as_of unused */
  FILE *html;          /* --html FILE: also write the HTML page here
                          (NULL: none); the caller opens and closes it */
  const char *account; /* --account ID: that account's series */
  const char *from;    /* --from D: the first snapshot shown (or NULL) */
  const char *to;      /* --to D: the last snapshot shown (or NULL) */
  bool kpis;           /* --kpis: with jsonl/csv, a row of the KPIs per
                          snapshot instead of the account records */
} kenko_history_opts;

/* `kenko history` (LANGUAGE.md §6): every snapshot scored; per snapshot
 * the portfolio (accounts, mean health, grades, expected retention), the
 * first→last grade transitions, the accounts whose grade fell or rose
 * between the last two snapshots and what moved them; or one record per
 * (account, snapshot) as jsonl/csv; or one account's series. The text,
 * jsonl or csv goes to OUT (NULL: not written, e.g. when the HTML page
 * takes standard output). */
int kenko_history(const kenko_rules *rules, const char *const *data, int ndata,
                  const kenko_history_opts *opts, FILE *out, kenko_run_stats *stats);

typedef struct kenko_effect_opts {
  kenko_run_opts run;  /* reading, diagnostics; format: text (default) or
                          json; run.account and run.as_of unused */
  const char *actions; /* --actions LOG: the action log (required) */
  const char *after;   /* --after DUR (NULL: 90d) */
  bool json;           /* --format json (else text) */
  FILE *html;          /* --html FILE: also write the HTML page here
                          (NULL: none); the caller opens and closes it */
} kenko_effect_opts;

/* `kenko effect` (LANGUAGE.md §7): per action tag, the change in health
 * of the accounts acted on against similar accounts that were not, with
 * its 95% interval, the grade-improvement shares and the members that
 * moved. Returns KENKO_ERR_DATA when action records or data records were
 * rejected (the rest used). */
int kenko_effect(const kenko_rules *rules, const char *const *data, int ndata, const kenko_effect_opts *opts,
                 FILE *out, kenko_run_stats *stats);

/* Runs the rules' inline tests, writing one line per test (and the
 * failing expectations) to OUT, then "N passed, N failed". Returns the
 * number of failed tests. */
int kenko_test(const kenko_rules *rules, FILE *out, bool color, int *passed);

/* `kenko fmt` (LANGUAGE.md §9): the canonical layout of one rule file,
 * made by changing only white space (the tokens and comments are kept and
 * checked). TEXT is the file's LEN bytes; PATH names it in diagnostics.
 * Returns KENKO_OK with *out set (malloc'ed, NUL-terminated, *outlen
 * bytes), KENKO_ERR_RULES when the file has syntax errors (reported
 * through opts->diag: it is not formatted), or KENKO_ERR_USAGE when TEXT
 * is larger than a rule file may be. */
int kenko_fmt(const char *path, const char *text, size_t len, const kenko_load_opts *opts, char **out,
              size_t *outlen);

/* `kenko sql` (LANGUAGE.md §8): the rules as one SQL query over a table
 * of accounts, giving the rows of `run --format csv` (docs/sql.md). */
typedef struct kenko_sql_opts {
  const char *dialect; /* "postgres" (NULL: the default) or "duckdb" */
  const char *table;   /* the accounts' table (NULL: "accounts") */
  const char *as_of;   /* "YYYY-MM-DD"; NULL: the database's current date */
  bool explain;        /* add the `members` JSON column */
  bool schema;         /* instead: the CREATE TABLE statements it reads */
  bool kpis;           /* instead: the KPIs' query, a row per KPI */
  kenko_diag_fn diag;  /* what cannot be translated, with its location */
  void *diag_ud;
  bool color;
} kenko_sql_opts;
/* Writes the query to OUT. Returns KENKO_OK; KENKO_ERR_RULES when some
 * construct cannot be translated (each reported; nothing is written);
 * KENKO_ERR_USAGE for an unknown dialect or a bad date (reported). */
int kenko_sql(const kenko_rules *rules, const kenko_sql_opts *opts, FILE *out);

/* `kenko lsp`: a Language Server Protocol server reading JSON-RPC
 * messages (Content-Length framing) from IN and writing its answers and
 * notifications to OUT until `exit` or the end of IN (docs/lsp.md).
 * Returns KENKO_OK when `shutdown` came before the end, else
 * KENKO_ERR_USAGE. */
int kenko_lsp(FILE *in, FILE *out);

/* Debugging and tests: writes the tokens ("LINE:COL-LINE:COL kind value")
 * or the syntax tree of one rule file (includes not followed) to OUT.
 * Returns the number of errors reported. */
typedef enum kenko_dump_kind { KENKO_DUMP_TOKENS, KENKO_DUMP_AST } kenko_dump_kind;
int kenko_dump(const char *path, kenko_dump_kind what, FILE *out, const kenko_load_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
