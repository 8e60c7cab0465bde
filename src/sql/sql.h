/* sql.h — `kenko sql` (LANGUAGE.md §8): the checked and compiled rules as
 * one SQL query, a CTE per stage of the evaluation, over a table of
 * accounts (docs/sql.md). Internal to the library; kenko_sql (api.c) is
 * the public door. */
#ifndef KENKO_SQL_H
#define KENKO_SQL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "front/program.h"
#include "engine/compile.h"
#include "front/diag.h"

/* Where the SQL engines spell the same thing differently: a small table
 * of spellings (dialect.c), never a second translator. Templates take
 * their arguments as $1, $2. */
typedef struct SqlDialect {
  const char *name;        /* "postgres", "duckdb" */
  const char *float_type;  /* the IEEE double type */
  const char *text_type;   /* the text type */
  const char *days;        /* whole days from $1 to $2 (dates), an integer */
  const char *add_days;    /* date $1 moved by the integer $2 days */
  const char *add_months;  /* date $1 moved by the integer $2 months (clamped) */
  const char *last_day;    /* the last day of date $1's month */
  const char *json_object; /* the function building a JSON object */
  const char *json_array;  /* the function building a JSON array */
  const char *fence;       /* ends each stage's SELECT so that the engine
                               keeps it a subquery of its own, or "".
                               PostgreSQL pulls a subquery up into the one
                               reading it, copying each column's expression
                               into every use (exponential in the stages);
                               it never pulls up one with OFFSET 0 */
  const char *byte_order;  /* appended to a text operand of < <= > >= so
                              that text orders by bytes, or "" */
  int ident_max;           /* bytes of a name the engine keeps (PostgreSQL
                              cuts longer ones, so two may become one), or 0 */
} SqlDialect;

/* The dialect named NAME, or NULL. */
const SqlDialect *sql_dialect(const char *name);

typedef struct SqlOptions {
  const SqlDialect *dialect;
  const char *table;    /* the accounts' table */
  bool has_as_of;       /* as_of is a literal; else the current date */
  int32_t as_of;        /* days since 1970-01-01 */
  bool explain;         /* add the `members` JSON column */
  bool kpis;            /* the KPIs' query instead (sql_kpi.c) */
  const char *rules_id; /* the first 12 hex digits of the fingerprint */
} SqlOptions;

/* Writes the query for P (compiled as CP) to OUT. Whatever cannot be
 * translated is reported through DIAG with its location; returns the
 * number of errors (OUT is not meant to be used when it is not 0). */
int sql_generate(const Program *p, const CProgram *cp, const SqlOptions *o, Buf *out, Diag *diag);

/* Whether the rules (sql_history.c) score every snapshot: a `snapshot` input or a trend
 * function (then every row of the table is one account's snapshot). */
bool sql_history(const Program *p);
/* The data column dating each row: the `snapshot` input's, or "snapshot". */
const char *sql_snapshot_column(const Program *p);

/* The CREATE TABLE statements of the tables the query reads (sql_schema.c). */
void sql_schema(const Program *p, const SqlOptions *o, Buf *out);

#endif
