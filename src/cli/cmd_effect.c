/* cmd_effect.c — `kenko effect RULES DATA... --actions LOG [--after DUR]
 * [--format text|json] [data options]`: options, then kenko_effect, then
 * the summary line on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "cli/cli.h"

static const char effect_usage[] =
    "usage: kenko effect RULES DATA... --actions LOG [--after DUR] [--format text|json] [--html FILE] [data "
    "options]";

/* The options into OPTS, the rules' path into *RULES and the data files
 * into DATA; 0, or KENKO_ERR_USAGE after printing why. */
static int parse_effect_args(Cli *cli, int argc, char **argv, kenko_effect_opts *opts, const char **rules,
                             const char **data, int *ndata, const char **html) {
  const CliText texts[] = {
      {"--actions", N_("`--actions` needs the action log's file name"), &opts->actions},
      {"--html", N_("`--html` needs a file name (`-`: standard output)"), html},
      {"--after", N_("`--after` needs a duration such as 90d, 12w or 3mo"), &opts->after},
      {NULL, NULL, NULL}};
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    int taken;
    if ((taken = cli_snapshots_data_option(
             cli, argc, argv, &i, &opts->run,
             N_("`kenko effect` scores every snapshot as of its own date: no `--as-of`"))) != 0 ||
        (taken = cli_text_option(cli, argc, argv, &i, texts)) != 0) {
      if (taken == KENKO_ERR_USAGE) return KENKO_ERR_USAGE;
    } else if ((v = cli_opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "text") == 0)
        opts->json = false;
      else if (strcmp(v, "json") == 0)
        opts->json = true;
      else
        return cli_usage_error(cli, "`--format` takes text or json for `kenko effect`, found `%s`", v);
    } else if (cli_rules_or_data(cli, "effect", a, rules, data, ndata)) {
      return KENKO_ERR_USAGE;
    }
  }
  if (!*rules || *ndata == 0) return cli_usage_error(cli, "%s", effect_usage);
  if (!opts->actions) return cli_usage_error(cli, "`kenko effect` needs `--actions LOG`: the action log");
  return 0;
}

static int score_effect(const kenko_rules *rules, const char *const *data, int ndata, const void *opts,
                        FILE *out, kenko_run_stats *stats) {
  return kenko_effect(rules, data, ndata, opts, out, stats);
}
static const CliScoring effect_scoring = {
    .score = score_effect, .color = true, .progress = true, .summary = CLI_SUMMARY_SNAPSHOTS};

int cmd_effect(Cli *cli, int argc, char **argv) {
  const char *rules_path = NULL, *html = NULL;
  const char **data = calloc((size_t)argc + 3, sizeof *data);
  int ndata = 0;
  kenko_effect_opts opts;
  memset(&opts, 0, sizeof opts);
  int status = parse_effect_args(cli, argc, argv, &opts, &rules_path, data, &ndata, &html);
  FILE *out = cli->out;
  if (status == 0 && html) {
    data[ndata] = rules_path; /* the inputs the page must not overwrite */
    data[ndata + 1] = opts.actions;
    if (!(opts.html = cli_output(cli, "--html", html, data, ndata + 2, NULL))) status = KENKO_ERR_USAGE;
    data[ndata] = data[ndata + 1] = NULL;
    if (strcmp(html, "-") == 0) out = NULL;
  }
  status = cli_score(cli, status, &effect_scoring, rules_path, data, ndata, &opts, &opts.run, out, NULL);
  free(data);
  return status;
}
