/* options.c — the options every subcommand that reads data shares: the
 * evaluation date and how the data files are read (docs/cli.md, "Data
 * options"), and the progress count on a terminal. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/i18n.h"
#include "cli/cli.h"

const char *cli_opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] != '\0') return NULL;
  if (*i + 1 >= argc) return "";
  return argv[++*i];
}

int cli_rules_option(Cli *cli, int argc, char **argv, int *i) {
  const char *v = cli_opt_value(argc, argv, i, "--include-root");
  if (!v) return 0;
  if (!*v) return cli_usage_error(cli, "`--include-root` needs a directory");
  if (cli->include_root) return cli_usage_error(cli, "`--include-root` is given twice");
  cli->include_root = v;
  return 1;
}

int cli_data_option(Cli *cli, int argc, char **argv, int *i, kenko_run_opts *opts) {
  const char *v;
  int taken = cli_rules_option(cli, argc, argv, i);
  if (taken) return taken;
  if ((v = cli_opt_value(argc, argv, i, "--as-of"))) {
    if (!*v) return cli_usage_error(cli, "`--as-of` needs a date YYYY-MM-DD");
    opts->as_of = v;
  } else if ((v = cli_opt_value(argc, argv, i, "--input-format"))) {
    if (strcmp(v, "csv") != 0 && strcmp(v, "yaml") != 0 && strcmp(v, "json") != 0 && strcmp(v, "jsonl") != 0)
      return cli_usage_error(cli, "`--input-format` takes csv, yaml, json or jsonl, found `%s`", v);
    opts->input_format = v;
  } else if ((v = cli_opt_value(argc, argv, i, "--delimiter"))) {
    if (strcmp(v, "\\t") == 0 || strcmp(v, "tab") == 0)
      opts->delimiter = '\t';
    else if (strlen(v) == 1)
      opts->delimiter = v[0];
    else
      return cli_usage_error(cli, "`--delimiter` takes one character, found `%s`", v);
  } else if ((v = cli_opt_value(argc, argv, i, "--encoding"))) {
    /* given, it is forced: no detection (utf-8 too) */
    if (strcasecmp(v, "cp932") == 0)
      opts->encoding = "cp932";
    else if (strcasecmp(v, "utf-8") == 0)
      opts->encoding = "utf-8";
    else if (strcasecmp(v, "utf-16") == 0)
      opts->encoding = "utf-16";
    else
      return cli_usage_error(cli, "`--encoding` takes utf-8, cp932 or utf-16, found `%s`", v);
  } else if ((v = cli_opt_value(argc, argv, i, "--na"))) {
    opts->na = v;
  } else if ((v = cli_opt_value(argc, argv, i, "--thousands"))) {
    if (strcmp(v, ",") != 0) return cli_usage_error(cli, "`--thousands` takes `,`, found `%s`", v);
    opts->thousands = ',';
  } else if (strcmp(argv[*i], "--strict") == 0) {
    opts->strict = true;
  } else if ((v = cli_opt_value(argc, argv, i, "--jobs")) || (v = cli_opt_value(argc, argv, i, "-j"))) {
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 1 || n > 1024)
      return cli_usage_error(cli, "`--jobs` takes a number of threads from 1 to 1024, found `%s`", v);
    opts->jobs = (int)n;
  } else {
    return 0;
  }
  return 1;
}

int cli_csv_option(Cli *cli, int argc, char **argv, int *i, kenko_run_opts *opts) {
  const char *v;
  if (strcmp(argv[*i], "--bom") == 0) {
    opts->bom = true;
  } else if (strcmp(argv[*i], "--labels") == 0) {
    opts->labels = true;
  } else if ((v = cli_opt_value(argc, argv, i, "--output-encoding"))) {
    if (strcmp(v, "utf-8") == 0 || strcmp(v, "UTF-8") == 0)
      opts->output_encoding = NULL;
    else if (strcmp(v, "cp932") == 0 || strcmp(v, "CP932") == 0)
      opts->output_encoding = "cp932";
    else
      return cli_usage_error(cli, "`--output-encoding` takes utf-8 or cp932, found `%s`", v);
  } else if ((v = cli_opt_value(argc, argv, i, "--digits"))) {
    if (!*v) return cli_usage_error(cli, "`--digits` needs a number of decimals (0 to 15)");
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 0 || n > 15 || !isdigit((unsigned char)*v))
      return cli_usage_error(cli, "`--digits` takes a number of decimals from 0 to 15, found `%s`", v);
    opts->rounded = true;
    opts->digits = (int)n;
  } else {
    return 0;
  }
  return 1;
}

int cli_csv_options_check(Cli *cli, const kenko_run_opts *opts) {
  const char *opt = opts->bom               ? "--bom"
                    : opts->output_encoding ? "--output-encoding"
                    : opts->labels          ? "--labels"
                    : opts->rounded         ? "--digits"
                                            : NULL;
  if (opt && opts->format != KENKO_FORMAT_CSV) return cli_usage_error(cli, "`%s` is for `--format csv`", opt);
  if (opts->bom && opts->output_encoding)
    return cli_usage_error(cli,
                           "`--bom` marks UTF-8; CP932 (`--output-encoding cp932`) has no byte order mark");
  return 0;
}

int cli_xlsx_needs_output(Cli *cli) {
  return cli_usage_error(
      cli, "`--format xlsx` writes a binary workbook: give the file with `--output FILE` (`--output "
           "-`: standard output, for a pipe)");
}

int cli_rules_or_data(Cli *cli, const char *cmd, const char *arg, const char **rules, const char **data,
                      int *ndata) {
  if (arg[0] == '-' && arg[1] != '\0')
    return cli_usage_error(cli, "unknown option `%s` for `kenko %s`", arg, cmd);
  if (!*rules)
    *rules = arg;
  else
    data[(*ndata)++] = arg;
  return 0;
}

int cli_text_option(Cli *cli, int argc, char **argv, int *i, const CliText *texts) {
  for (const CliText *t = texts; t->name; t++) {
    const char *v = cli_opt_value(argc, argv, i, t->name);
    if (!v) continue;
    if (!*v) return cli_usage_error(cli, "%s", _(t->needs));
    *t->value = v;
    return 1;
  }
  return 0;
}

int cli_snapshots_data_option(Cli *cli, int argc, char **argv, int *i, kenko_run_opts *opts,
                              const char *no_as_of) {
  int taken = cli_data_option(cli, argc, argv, i, opts);
  if (taken == 1 && opts->as_of) return cli_usage_error(cli, "%s", _(no_as_of));
  return taken;
}
