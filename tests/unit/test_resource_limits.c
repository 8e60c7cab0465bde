/* test_resource_limits.c — limits reached through the library API rather
 * than the CLI (the CLI's are in tests/limits/). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "kenko.h"
#include "front/source.h"

static void keep_message(void *ud, const kenko_diag *d) {
  char *out = ud;
  if (!out[0]) snprintf(out, 256, "%s", d->message);
}

/* Rule text over 64 MiB given in memory is refused like a file (it once
 * went on with file id -1 and wrote before the start of an array). */
Test(resource_limits, rule_text_over_64_mib, .timeout = 60) {
  size_t len = KENKO_MAX_SOURCE_BYTES + 1;
  char *text = malloc(len);
  cr_assert_not_null(text);
  memset(text, '#', len);
  char message[256] = "";
  kenko_load_opts opts;
  memset(&opts, 0, sizeof opts);
  opts.diag = keep_message;
  opts.diag_ud = message;
  int status = -1;
  kenko_rules *rules = kenko_load_text("big.kenko", text, len, &opts, &status);
  cr_expect_null(rules);
  cr_expect_eq(status, KENKO_ERR_USAGE);
  cr_expect_str_eq(message, "cannot read big.kenko: file is larger than 64 MiB");
  kenko_rules_free(rules);
  free(text);
}
