/* help.c — the command line's one table of commands and options: what
 * `kenko help [CMD]` and `kenko CMD --help` print, what the dispatcher
 * runs, and which options each command accepts. Every argument that looks
 * like an option is checked against this table before the command sees
 * it (cli_scan_options), so an option that is not listed here cannot be
 * accepted: the help can never leave one out. A misspelt command or
 * option gets a "did you mean" from the same edit distance as names in
 * rules (kenko_suggest). */
#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "cli/cli.h"

/* Options every command that loads rules takes. */
static const CliOption rule_options[] = {
    {"--include-root", "DIR", N_("includes may also read files in DIR's tree (given once)")},
    {NULL, NULL, NULL},
};

/* Options every command that reads account data takes (docs/cli.md). */
static const CliOption data_options[] = {
    {"--as-of", "YYYY-MM-DD", N_("the evaluation date (default: today, local date)")},
    {"--input-format", "csv|yaml|json|jsonl",
     N_("the data's format, instead of guessing from the extension")},
    {"--delimiter", "C", N_("the CSV separator (`;`, `tab`); default `,`")},
    {"--encoding", "ENC", N_("the CSV's encoding: utf-8, cp932 or utf-16 (default: detected)")},
    {"--na", "LIST", N_("more cell values that mean missing, comma-separated (\"NA,N/A,#N/A\")")},
    {"--thousands", ",", N_("accept \"1,234\" in quoted CSV cells")},
    {"--strict", NULL, N_("stop at the first rejected account")},
    {"--jobs", "N",
     N_("threads: the data is read and scored on others while one writes (default: every core; 1: one)")},
    {"-j", "N", N_("the same as --jobs")},
    {NULL, NULL, NULL},
};

static const CliOption output_option[] = {
    {"--output", "FILE", N_("write the result to FILE (replaced only when the run succeeds; `-`: stdout)")},
    {NULL, NULL, NULL},
};

/* The CSV options for people (run, history): docs/cli.md. */
static const CliOption csv_options[] = {
    {"--bom", NULL, N_("a UTF-8 byte order mark first (what Excel needs to read UTF-8)")},
    {"--output-encoding", "utf-8|cp932", N_("the CSV's encoding (cp932: a character it lacks is an error)")},
    {"--labels", NULL, N_("the rules' labels instead of names in the header and the symbol cells")},
    {"--digits", "N", N_("numbers rounded to N decimals for people (default: exact)")},
    {NULL, NULL, NULL},
};

static const CliOption check_options[] = {
    {"--data", "FILE", N_("also check FILE: its columns, and every cell against its input")},
    {NULL, NULL, NULL},
};
static const CliOption run_options[] = {
    {"--format", "jsonl|csv|text|xlsx",
     N_("the output format (default text; xlsx: an Excel workbook, with --output)")},
    {"--explain", NULL,
     N_("jsonl: each member's expression, values and reasons, the drivers, what would change the grade")},
    {"--excel-safe", NULL,
     N_("csv: neutralise cells a spreadsheet would run as a formula (docs/security.md)")},
    {NULL, NULL, NULL},
};
static const CliOption explain_options[] = {
    {"--account", "ID", N_("the account to explain (required)")},
    {NULL, NULL, NULL},
};
static const CliOption report_options[] = {
    {"--by", "WHAT", N_("group by `persona`, `segment NAME` or `input NAME`")},
    {"--format", "text|json", N_("the output format (default text)")},
    {"--html", "FILE", N_("also write a self-contained HTML report (`-`: stdout)")},
    {"--xlsx", "FILE", N_("also write the report as an Excel workbook, a sheet per table (`-`: stdout)")},
    {NULL, NULL, NULL},
};
static const CliOption validate_options[] = {
    {"--outcome", "FIELD", N_("the bool input that marks a bad outcome (default: the rules' `outcome`)")},
    {"--horizon", "DUR", N_("score each account from its snapshot DUR before its outcome (180d, 6mo)")},
    {"--format", "text|json", N_("the output format (default text)")},
    {NULL, NULL, NULL},
};
static const CliOption diff_options[] = {
    {"--git", "REV", N_("OLD rules = RULES (and its includes) at git revision REV")},
    {"--data", "OLD_DATA", N_("compare two data snapshots under one rule version")},
    {"--format", "text|json", N_("the output format (default text)")},
    {"--limit", "N", N_("text: list at most N accounts in each list")},
    {"--min-change", "N", N_("list health moves of at least N points within a grade (default 5)")},
    {NULL, NULL, NULL},
};
static const CliOption fmt_options[] = {
    {"-w", NULL, N_("rewrite the files that change (also `--write`)")},
    {"--write", NULL, N_("the same as -w")},
    {"--check", NULL, N_("print a unified diff of each file that would change; exit 1 if any")},
    {NULL, NULL, NULL},
};
static const CliOption history_options[] = {
    {"--format", "text|jsonl|csv|xlsx",
     N_("the output format (default text; xlsx: an Excel workbook, with --output)")},
    {"--html", "FILE", N_("also write a self-contained HTML page (`-`: stdout)")},
    {"--account", "ID", N_("one account's series and what moved it")},
    {"--from", "D", N_("show the snapshots dated on or after D")},
    {"--to", "D", N_("show the snapshots dated on or before D")},
    {"--kpis", NULL, N_("jsonl/csv: a row of the KPIs per snapshot instead of the account records")},
    {"--excel-safe", NULL,
     N_("csv: neutralise cells a spreadsheet would run as a formula (docs/security.md)")},
    {NULL, NULL, NULL},
};
static const CliOption effect_options[] = {
    {"--actions", "LOG", N_("the action log: the key column, date, action (CSV, YAML or JSON)")},
    {"--after", "DUR", N_("compare the snapshot DUR after each action (default 90d)")},
    {"--html", "FILE", N_("also write a self-contained HTML page, a section per action (`-`: stdout)")},
    {"--format", "text|json", N_("the output format (default text)")},
    {NULL, NULL, NULL},
};
static const CliOption lsp_options[] = {
    {"--stdio", NULL, N_("speak JSON-RPC on stdin/stdout (the default; editors pass it)")},
    {NULL, NULL, NULL},
};
static const CliOption sql_options[] = {
    {"--dialect", "postgres|duckdb", N_("the SQL engine the query is for (default postgres)")},
    {"--table", "NAME", N_("the accounts' table (default `accounts`; lists: NAME_COLUMN)")},
    {"--as-of", "YYYY-MM-DD", N_("the evaluation date (default: the database's current date)")},
    {"--explain", NULL,
     N_("add the `members` JSON column: each member's status, score, weight, lost points")},
    {"--schema", NULL, N_("print the CREATE TABLE statements of the tables the query reads instead")},
    {"--kpis", NULL, N_("print the query of the rules' KPIs instead: a row per KPI, as report shows them")},
    {NULL, NULL, NULL},
};
static const CliOption no_options[] = {{NULL, NULL, NULL}};

static const CliCommand commands[] = {
    {"check", "RULES [--data FILE]", N_("parse, type-check and lint the rules"),
     CLI_RULE_OPTS | CLI_DATA_OPTS, check_options,
     "kenko check rules/aiueo.kenko --data rules/sample/accounts.csv", cmd_check},
    {"run", "RULES DATA... [--format jsonl|csv|text|xlsx] [--explain]", N_("score every account"),
     CLI_RULE_OPTS | CLI_DATA_OPTS | CLI_OUTPUT_OPT | CLI_CSV_OPTS, run_options,
     "kenko run rules/aiueo.kenko rules/sample/accounts.csv --as-of 2026-11-22 --format csv", cmd_run},
    {"explain", "RULES DATA... --account ID", N_("why one account scored what it did"),
     CLI_RULE_OPTS | CLI_DATA_OPTS | CLI_OUTPUT_OPT, explain_options,
     "kenko explain rules/aiueo.kenko rules/sample/accounts.yaml --account acct-0007 --as-of 2026-11-22",
     cmd_explain},
    {"test", "RULES...", N_("run the rules' inline tests"), CLI_RULE_OPTS, no_options,
     "kenko test rules/aiueo.kenko", cmd_test},
    {"report", "RULES DATA... [--by persona|segment NAME|input NAME] [--html FILE] [--xlsx FILE]",
     N_("the portfolio: grades, dimensions, flags, forecast"), CLI_RULE_OPTS | CLI_DATA_OPTS | CLI_OUTPUT_OPT,
     report_options, "kenko report rules/aiueo.kenko rules/sample/accounts.csv --html report.html",
     cmd_report},
    {"validate", "RULES DATA... [--outcome FIELD] [--horizon DUR]", N_("does the score predict the outcome?"),
     CLI_RULE_OPTS | CLI_DATA_OPTS | CLI_OUTPUT_OPT, validate_options,
     "kenko validate rules/telco.kenko rules/sample/mlc_churn.csv", cmd_validate},
    {"diff", "OLD_RULES NEW_RULES DATA... | --git REV RULES DATA... | RULES DATA... --data OLD_DATA",
     N_("what a rule change (or a month of customer change) did"),
     CLI_RULE_OPTS | CLI_DATA_OPTS | CLI_OUTPUT_OPT, diff_options,
     "kenko diff --git HEAD~1 rules/aiueo.kenko rules/sample/accounts.csv", cmd_diff},
    {"fmt", "[-w|--check] RULES...", N_("the canonical layout of rule files (`-` reads stdin)"), 0,
     fmt_options, "kenko fmt --check rules/*.kenko", cmd_fmt},
    {"history", "RULES DATA... [--format text|jsonl|csv|xlsx] [--html FILE] [--account ID] [--output FILE]",
     N_("every snapshot scored: how the portfolio and each account moved"),
     CLI_RULE_OPTS | CLI_DATA_OPTS | CLI_OUTPUT_OPT | CLI_CSV_OPTS, history_options,
     "kenko history rules/aiueo-history.kenko rules/sample/history/*.csv --html history.html", cmd_history},
    {"effect", "RULES DATA... --actions LOG [--after DUR] [--format text|json] [--html FILE]",
     N_("did an action change the accounts, against similar ones not acted on?"),
     CLI_RULE_OPTS | CLI_DATA_OPTS, effect_options,
     "kenko effect rules/aiueo-history.kenko rules/sample/history/*.csv --actions actions.csv", cmd_effect},
    {"sql", "RULES [--dialect postgres|duckdb] [--table NAME] [--as-of D] [--explain] [--kpis]",
     N_("the rules as one SQL query: run's CSV rows, computed in the database"),
     CLI_RULE_OPTS | CLI_OUTPUT_OPT, sql_options,
     "kenko sql rules/aiueo.kenko --dialect duckdb --as-of 2026-11-22 > score.sql", cmd_sql},
    {"lsp", "", N_("the language server (LSP over stdin/stdout) for editors"), 0, lsp_options,
     "kenko lsp    (started by the editor: docs/editors.md)", cmd_lsp},
    {"init", "DIR",
     N_("a new rules repository for a CS team: starter scorecard, sample data, CI, pre-commit"), 0,
     no_options, "kenko init cs-health", cmd_init},
    {"help", "[COMMAND]", N_("this help, or one command's"), 0, no_options, "kenko help run", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

const CliCommand *cli_commands(void) { return commands; }

const CliCommand *cli_find_command(const char *name) {
  for (const CliCommand *c = commands; c->name; c++)
    if (strcmp(c->name, name) == 0) return c;
  return NULL;
}

/* The option tables a command accepts, in the order help lists them. */
static int option_tables(const CliCommand *c, const CliOption *tables[5]) {
  int n = 0;
  tables[n++] = c->options;
  if (c->groups & CLI_OUTPUT_OPT) tables[n++] = output_option;
  if (c->groups & CLI_CSV_OPTS) tables[n++] = csv_options;
  if (c->groups & CLI_DATA_OPTS) tables[n++] = data_options;
  if (c->groups & CLI_RULE_OPTS) tables[n++] = rule_options;
  return n;
}

const CliOption *cli_find_option(const CliCommand *c, const char *arg) {
  size_t len = strcspn(arg, "=");
  const CliOption *tables[5];
  int n = option_tables(c, tables);
  for (int t = 0; t < n; t++)
    for (const CliOption *o = tables[t]; o->name; o++)
      if (strlen(o->name) == len && strncmp(o->name, arg, len) == 0) return o;
  return NULL;
}

static void print_options(FILE *out, const char *title, const CliOption *opts) {
  if (!opts->name) return;
  fprintf(out, "\n%s:\n", title);
  for (const CliOption *o = opts; o->name; o++) {
    char head[64];
    snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    if (strlen(head) > 28)
      fprintf(out, "  %s\n  %-28s %s\n", head, "", _(o->help));
    else
      fprintf(out, "  %-28s %s\n", head, _(o->help));
  }
}

void cli_print_usage(FILE *out) {
  fputs(_("usage: kenko COMMAND [ARGS]    (kenko help COMMAND, kenko COMMAND --help)\n\ncommands:\n"), out);
  for (const CliCommand *c = commands; c->name; c++)
    fprintf(out, "  %-9s %s\n", c->name, _(c->summary));
  fputs(_("\n  --version  the version of kenko and of the language contract it implements\n"
          "\nExit status: 0 ok, 1 rule errors, failed tests or fmt --check differences,\n"
          "2 usage errors or output that could not be written, 3 some accounts rejected.\n"
          "See docs/cli.md and man kenko.\n"),
        out);
}

void cli_print_help(FILE *out, const CliCommand *c) {
  fprintf(out, _("usage: kenko %s %s\n\n%s.\n"), c->name, c->synopsis, _(c->summary));
  print_options(out, _("options"), c->options);
  if (c->groups & CLI_OUTPUT_OPT) print_options(out, _("output"), output_option);
  if (c->groups & CLI_CSV_OPTS) print_options(out, _("csv for people"), csv_options);
  if (c->groups & CLI_DATA_OPTS) print_options(out, _("data options"), data_options);
  if (c->groups & CLI_RULE_OPTS) print_options(out, _("rule options"), rule_options);
  fprintf(out, _("\nexample:\n  %s\n"), c->example);
}

/* "did you mean" over every option name C accepts, or NULL. */
static const char *suggest_option(const CliCommand *c, const char *arg) {
  const char *names[64];
  int n = 0;
  const CliOption *tables[5];
  int nt = option_tables(c, tables);
  for (int t = 0; t < nt; t++)
    for (const CliOption *o = tables[t]; o->name && n < 63; o++)
      names[n++] = o->name;
  names[n++] = "--help";
  char word[64];
  size_t len = strcspn(arg, "=");
  if (len >= sizeof word) return NULL;
  memcpy(word, arg, len);
  word[len] = '\0';
  return kenko_suggest(word, names, n);
}

int cli_scan_options(Cli *cli, const CliCommand *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || a[1] == '\0') continue; /* a file, or `-` (stdin/stdout) */
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      cli_print_help(cli->out, c);
      return CLI_HELP_SHOWN;
    }
    const CliOption *o = cli_find_option(c, a);
    if (!o) {
      const char *s = suggest_option(c, a);
      if (s)
        return cli_usage_error(cli, "unknown option `%s` for `kenko %s`; did you mean `%s`?", a, c->name, s);
      return cli_usage_error(cli, "unknown option `%s` for `kenko %s` (kenko %s --help lists them)", a,
                             c->name, c->name);
    }
    /* `--by segment NAME` takes two words; the others one, unless `=` */
    if (o->arg && !strchr(a, '=')) i++;
  }
  return 0;
}

int cli_unknown_command(Cli *cli, const char *name) {
  const char *names[32];
  int n = 0;
  for (const CliCommand *c = commands; c->name && n < 32; c++)
    names[n++] = c->name;
  const char *s = kenko_suggest(name, names, n);
  if (s) return cli_usage_error(cli, "unknown command `%s`; did you mean `%s`?", name, s);
  cli_usage_error(cli, "unknown command `%s`", name);
  cli_print_usage(stderr);
  return KENKO_ERR_USAGE;
}
