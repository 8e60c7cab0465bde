/* api.c — the public entry points of kenko.h over the internal stages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kenko.h"
#include "base/buf.h"
#include "check/check.h" /* program_load */
#include "front/program.h"
#include "front/diag.h"
#include "front/parse.h"
#include "engine/compile.h"
#include "engine/eval.h"
#include "fmt/fmt.h"
#include "io/reader.h"
#include "portfolio/report.h"
#include "run/run.h"
#include "portfolio/validate.h"
#include "portfolio/diff.h"
#include "portfolio/effect.h"
#include "portfolio/history.h"
#include "sql/sql.h"

struct kenko_rules {
  Program *program;
  CProgram *compiled;         /* built here, at load: what every command runs */
  char short_fingerprint[13]; /* first 12 hex digits */
};

static kenko_rules *load(const char *path, const char *text, size_t len, const kenko_load_opts *opts,
                         int *status) {
  Diag diag;
  diag_init(&diag, NULL, opts ? opts->diag : NULL, opts ? opts->diag_ud : NULL);
  diag.color = opts && opts->color;
  int errors = 0;
  RuleReader reader = {opts ? opts->read_file : NULL, opts ? opts->read_ud : NULL,
                       opts ? opts->include_root : NULL};
  Program *p = program_load_with(path, text, len, &reader, &diag, &errors);
  CProgram *cp = errors == 0 ? compile_program(p, &diag) : NULL;
  diag_finish(&diag);
  if (!cp) {
    *status = errors > 0 && p->unreadable ? KENKO_ERR_USAGE : KENKO_ERR_RULES;
    program_free(p);
    return NULL;
  }
  kenko_rules *r = xcalloc(1, sizeof *r);
  r->program = p;
  r->compiled = cp;
  memcpy(r->short_fingerprint, p->fingerprint, 12);
  r->short_fingerprint[12] = '\0';
  *status = KENKO_OK;
  return r;
}

kenko_rules *kenko_load(const char *path, const kenko_load_opts *opts, int *status) {
  return load(path, NULL, 0, opts, status);
}

kenko_rules *kenko_load_text(const char *path, const char *text, size_t len, const kenko_load_opts *opts,
                             int *status) {
  return load(path, text, len, opts, status);
}

void kenko_rules_free(kenko_rules *rules) {
  if (!rules) return;
  compile_free(rules->compiled);
  program_free(rules->program);
  free(rules);
}

const char *kenko_rules_fingerprint_full(const kenko_rules *rules) { return rules->program->fingerprint; }

const char *kenko_rules_fingerprint(const kenko_rules *rules) { return rules->short_fingerprint; }

int kenko_rules_file_count(const kenko_rules *rules) { return rules->program->sources.count; }

const char *kenko_rules_file(const kenko_rules *rules, int i) {
  return i >= 0 && i < rules->program->sources.count ? rules->program->sources.files[i]->path : NULL;
}

/* Compares the declared inputs with a data file's columns, then checks
 * its cells. */
int kenko_check_data(const kenko_rules *rules, const char *data_path, const kenko_run_opts *opts) {
  Diag diag;
  diag_init(&diag, &rules->program->sources, opts->diag, opts->diag_ud);
  diag.color = opts->diag_color;
  FILE *probe = data_open(data_path);
  if (!probe) {
    diag_at(&diag, KENKO_ERROR, data_name(data_path), 0, 0, "cannot read the data file: %s", strerror(errno));
    return -1;
  }
  data_close(probe);
  DataFormat fmt = reader_format(data_path, opts->input_format, &diag);
  if (fmt == FMT_AUTO) return -1;
  Arena arena;
  arena_init(&arena, 0);
  ReadOpts ro;
  run_read_opts(opts, &ro, &arena);
  Schema schema;
  eval_schema(rules->program, &schema, &arena);
  int errors = reader_check_columns(data_path, fmt, &schema, &ro, &diag);
  arena_free(&arena);
  return errors;
}

int kenko_dump(const char *path, kenko_dump_kind what, FILE *out, const kenko_load_opts *opts) {
  SourceSet sources;
  src_init(&sources);
  Diag diag;
  diag_init(&diag, &sources, opts ? opts->diag : NULL, opts ? opts->diag_ud : NULL);
  diag.color = opts && opts->color;
  const char *err = NULL;
  int32_t id = src_load_file(&sources, path, &err);
  if (id < 0) {
    diag_error(&diag, SPAN_NONE, "cannot read %s: %s", path, err);
    src_free(&sources);
    return 1;
  }
  if (what == KENKO_DUMP_TOKENS) {
    parse_dump_tokens(&sources, id, &diag, out);
  } else {
    Arena arena;
    arena_init(&arena, 0);
    Ast *ast = parse_file(&sources, id, &arena, &diag);
    ast_dump_file(out, ast);
    arena_free(&arena);
  }
  diag_finish(&diag);
  src_free(&sources);
  return diag.errors;
}

int kenko_fmt(const char *path, const char *text, size_t len, const kenko_load_opts *opts, char **out,
              size_t *outlen) {
  *out = NULL;
  *outlen = 0;
  SourceSet sources;
  src_init(&sources);
  Diag diag;
  diag_init(&diag, &sources, opts ? opts->diag : NULL, opts ? opts->diag_ud : NULL);
  diag.color = opts && opts->color;
  int32_t id = src_add_text(&sources, path, text, len);
  if (id < 0) {
    diag_error(&diag, SPAN_NONE, "cannot format %s: file is larger than 64 MiB", path);
    src_free(&sources);
    return KENKO_ERR_USAGE;
  }
  *out = fmt_source(&sources, id, &diag, outlen);
  diag_finish(&diag);
  src_free(&sources);
  return *out ? KENKO_OK : KENKO_ERR_RULES;
}

int kenko_run(const kenko_rules *rules, const char *const *data, int ndata, const kenko_run_opts *opts,
              FILE *out, kenko_run_stats *stats) {
  return run_program(rules->compiled, data, ndata, opts, out, stats);
}

int kenko_test(const kenko_rules *rules, FILE *out, bool color, int *passed) {
  return test_program(rules->compiled, out, color, passed);
}

int kenko_report(const kenko_rules *rules, const char *const *data, int ndata, const kenko_report_opts *opts,
                 FILE *out, kenko_run_stats *stats) {
  return report_program(rules->compiled, data, ndata, opts, out, stats);
}

int kenko_validate(const kenko_rules *rules, const char *const *data, int ndata,
                   const kenko_validate_opts *opts, FILE *out, kenko_run_stats *stats) {
  return validate_program(rules->compiled, data, ndata, opts, out, stats);
}

int kenko_history(const kenko_rules *rules, const char *const *data, int ndata,
                  const kenko_history_opts *opts, FILE *out, kenko_run_stats *stats) {
  return history_program(rules->compiled, data, ndata, opts, out, stats);
}

int kenko_effect(const kenko_rules *rules, const char *const *data, int ndata, const kenko_effect_opts *opts,
                 FILE *out, kenko_run_stats *stats) {
  return effect_program(rules->compiled, data, ndata, opts, out, stats);
}

int kenko_diff(const kenko_rules *old_rules, const kenko_rules *new_rules, const char *const *data, int ndata,
               const kenko_diff_opts *opts, FILE *out, kenko_run_stats *stats) {
  return diff_programs(old_rules->compiled, new_rules->compiled, data, ndata, opts, out, stats);
}

const char *kenko_suggest(const char *word, const char *const *candidates, int n) {
  return diag_suggest(word, candidates, n);
}

int kenko_sql(const kenko_rules *rules, const kenko_sql_opts *opts, FILE *out) {
  Diag diag;
  diag_init(&diag, &rules->program->sources, opts->diag, opts->diag_ud);
  diag.color = opts->color;
  SqlOptions o;
  memset(&o, 0, sizeof o);
  o.dialect = sql_dialect(opts->dialect ? opts->dialect : "postgres");
  o.table = opts->table ? opts->table : "accounts";
  o.explain = opts->explain;
  o.kpis = opts->kpis;
  o.rules_id = rules->short_fingerprint;
  if (!o.dialect) {
    diag_at(&diag, KENKO_ERROR, NULL, 0, 0, "unknown SQL dialect \"%s\" (postgres or duckdb)", opts->dialect);
    return KENKO_ERR_USAGE;
  }
  if (opts->as_of) {
    if (date_parse(opts->as_of, strlen(opts->as_of), &o.as_of) != 1) {
      diag_at(&diag, KENKO_ERROR, NULL, 0, 0, "--as-of needs a date YYYY-MM-DD, found \"%s\"", opts->as_of);
      return KENKO_ERR_USAGE;
    }
    o.has_as_of = true;
    if (sql_history(rules->program)) {
      diag_at(&diag, KENKO_ERROR, NULL, 0, 0,
              "kenko sql over history scores every snapshot as of its own date (like `kenko history`): "
              "leave out `--as-of` and filter the rows by `as_of`");
      return KENKO_ERR_USAGE;
    }
  }
  Buf b;
  buf_init(&b, NULL);
  int errors = 0;
  if (opts->schema)
    sql_schema(rules->program, &o, &b);
  else
    errors = sql_generate(rules->program, rules->compiled, &o, &b, &diag);
  diag_finish(&diag);
  if (errors == 0) fwrite(b.data, 1, b.len, out);
  buf_free(&b);
  return errors ? KENKO_ERR_RULES : KENKO_OK;
}
