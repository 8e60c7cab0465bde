/* dialect.c — the spellings that differ between the SQL engines kenko sql
 * writes for (sql.h). Everything else is written once, in standard SQL
 * both engines read the same way. */
#include <string.h>

#include "sql/sql.h"

static const SqlDialect dialects[] = {
    {
        .name = "postgres",
        .float_type = "float8",
        .text_type = "text",
        .days = "($2 - $1)",
        .add_days = "($1 + CAST($2 AS integer))",
        .add_months = "CAST($1 + make_interval(months => $2) AS date)",
        .last_day = "CAST(date_trunc('month', $1) + INTERVAL '1 month - 1 day' AS date)",
        .json_object = "json_build_object",
        .json_array = "json_build_array",
        .fence = "\n  OFFSET 0",
        .byte_order = " COLLATE \"C\"",
        .ident_max = 63, /* NAMEDATALEN - 1 */
    },
    {
        .name = "duckdb",
        .float_type = "DOUBLE",
        .text_type = "VARCHAR",
        .days = "date_diff('day', $1, $2)",
        .add_days = "($1 + CAST($2 AS INTEGER))",
        .add_months = "CAST($1 + to_months($2) AS DATE)",
        .last_day = "last_day($1)",
        .json_object = "json_object",
        .json_array = "json_array",
        .fence = "",
        .byte_order = "",
        .ident_max = 0,
    },
};

const SqlDialect *sql_dialect(const char *name) {
  for (size_t i = 0; i < sizeof dialects / sizeof dialects[0]; i++)
    if (strcmp(dialects[i].name, name) == 0) return &dialects[i];
  return NULL;
}
