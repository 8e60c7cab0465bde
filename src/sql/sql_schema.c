/* sql_schema.c — `kenko sql --schema`: the tables the query reads, as
 * CREATE TABLE statements (one column a line): the accounts' table with a
 * column per input (its data column name and type), and per list input
 * its child table TABLE_COLUMN (the key column, then the element's
 * fields). For loading data exported as CSV into a database. History
 * (sql_history.c): each row is one snapshot of an account, dated by the
 * `snapshot` input's column or an added column `snapshot`, which the
 * child tables have too, after the key. */
#include "sql/sql.h"

#include "sql/sql_int.h"

static const char *type_name(const SqlDialect *d, uint8_t type) {
  switch ((ValueType)type) {
  case T_NUMBER: return d->float_type;
  case T_TEXT: return d->text_type;
  case T_BOOL: return "BOOLEAN";
  case T_DATE: return "DATE";
  default: return d->text_type;
  }
}

static void column(Buf *b, const SqlDialect *d, const char *name, uint8_t type, bool last) {
  buf_puts(b, "  ");
  sql_ident(b, name);
  buf_printf(b, " %s%s\n", type_name(d, type), last ? "" : ",");
}

void sql_schema(const Program *p, const SqlOptions *o, Buf *out) {
  const SqlDialect *d = o->dialect;
  int32_t last = -1;
  for (int32_t i = 0; i < p->ninputs; i++)
    if (p->inputs[i].type != T_LIST) last = i;
  /* history without a `snapshot` input: the date of each row's snapshot */
  bool snapshot_col = sql_history(p) && p->snapshot_input < 0;
  if (snapshot_col) last = p->ninputs;
  buf_puts(out, "CREATE TABLE ");
  sql_ident(out, o->table);
  buf_puts(out, " (\n");
  for (int32_t i = 0; i < p->ninputs; i++) {
    const InputDecl *in = &p->inputs[i];
    if (in->type == T_LIST) continue;
    column(out, d, in->column ? in->column : in->name, in->type, i == last);
  }
  if (snapshot_col) column(out, d, "snapshot", T_DATE, true);
  buf_puts(out, ");\n");
  if (p->key_input < 0) return;
  const InputDecl *key = &p->inputs[p->key_input];
  for (int32_t i = 0; i < p->ninputs; i++) {
    const InputDecl *in = &p->inputs[i];
    if (in->type != T_LIST) continue;
    Buf name;
    buf_init(&name, NULL);
    buf_printf(&name, "%s_%s", o->table, in->column ? in->column : in->name);
    buf_putc(&name, '\0');
    buf_puts(out, "CREATE TABLE ");
    sql_ident(out, name.data);
    buf_puts(out, " (\n");
    column(out, d, key->column ? key->column : key->name, key->type, in->nfields == 0 && !sql_history(p));
    if (sql_history(p)) column(out, d, sql_snapshot_column(p), T_DATE, in->nfields == 0);
    for (int32_t f = 0; f < in->nfields; f++)
      column(out, d, in->fields[f].name, in->fields[f].type, f + 1 == in->nfields);
    buf_puts(out, ");\n");
    buf_free(&name);
  }
}
