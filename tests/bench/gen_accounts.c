/* gen_accounts.c — deterministic synthetic accounts for rules/aiueo.kenko,
 * for `make bench` and the property tests: the same seed and count always
 * give the same bytes. About 30 fields, with missing values (empty cells
 * or absent keys) in the optional ones.
 *
 *   gen_accounts csv|crlf|excel|excel-ja|yaml COUNT [SEED] > FILE
 *
 * csv: clean LF lines, the shapes kenko writes itself. crlf: the same
 * with CRLF line ends (what Excel and Python's csv module write). excel:
 * CRLF and the cell shapes an Excel export has: dates YYYY/MM/DD,
 * booleans TRUE/FALSE or 1/0, and more empty cells. excel-ja: also the
 * Japanese ones, はい/いいえ and unpadded dates (2023/4/1).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: small, fast, and the same everywhere */
static uint64_t next_u64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static int64_t rnd(uint64_t *s, int64_t lo, int64_t hi) {
  return lo + (int64_t)(next_u64(s) % (uint64_t)(hi - lo + 1));
}

static int chance(uint64_t *s, int percent) { return (int)(next_u64(s) % 100) < percent; }

enum { F_TEXT, F_NUM, F_BOOL, F_DATE };

typedef struct Field {
  const char *column;
  int type;
  int missing_pct; /* how often it is left empty */
} Field;

static const Field fields[] = {
    {"id", F_TEXT, 0},
    {"name", F_TEXT, 5},
    {"plan", F_TEXT, 0},
    {"arr", F_NUM, 0},
    {"contract_start", F_DATE, 0},
    {"renewal_date", F_DATE, 10},
    {"seats", F_NUM, 0},
    {"seats_initial", F_NUM, 10},
    {"業種", F_TEXT, 15},
    {"churned", F_BOOL, 20},
    {"support_contacts", F_NUM, 0},
    {"operators", F_NUM, 0},
    {"kickoff_done", F_BOOL, 10},
    {"training_done", F_BOOL, 10},
    {"setup_done", F_BOOL, 0},
    {"active_users", F_NUM, 0},
    {"logins_30d", F_NUM, 5},
    {"core_features_used", F_NUM, 5},
    {"report_views_30d", F_NUM, 5},
    {"nps_score", F_NUM, 30},
    {"regular_meetings_90d", F_NUM, 10},
    {"cs_touches_90d", F_NUM, 10},
    {"executive_sponsor", F_BOOL, 15},
    {"leads_actual", F_NUM, 20},
    {"leads_goal", F_NUM, 20},
    {"goals_set", F_NUM, 15},
    {"goals_met", F_NUM, 15},
    {"roi_reported", F_BOOL, 15},
    {"case_study_published", F_BOOL, 15},
    {"expansion_proposed", F_BOOL, 15},
};
enum { NFIELDS = sizeof fields / sizeof *fields };

static const char *const plans[] = {"basic", "pro", "enterprise"};
static const char *const industries[] = {"製造", "物流", "不動産", "教育", "小売", "IT", "医療"};
static const char *const names[] = {"株式会社さくら", "みなと商事", "ひかり工業", "あおば電機", "つばさ物流"};

/* Days since 1970-01-01 to YYYY-MM-DD (civil from days). */
static void date_text(int64_t z, char *out) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  sprintf(out, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, y, m, d);
}

enum { SHAPE_CLEAN, SHAPE_EXCEL, SHAPE_EXCEL_JA };

/* Rewrites the date OUT (YYYY-MM-DD) and the bool OUT (true/false) as an
 * Excel export of SHAPE writes them. */
static void export_shape(uint64_t *s, int type, int shape, char *out) {
  if (type == F_DATE) {
    int y = atoi(out), m = atoi(out + 5), d = atoi(out + 8);
    if (shape == SHAPE_EXCEL_JA && chance(s, 50))
      sprintf(out, "%d/%d/%d", y, m, d);
    else
      sprintf(out, "%04d/%02d/%02d", y, m, d);
  } else if (type == F_BOOL) {
    int yes = out[0] == 't';
    int pick = (int)rnd(s, 0, shape == SHAPE_EXCEL_JA ? 2 : 1);
    const char *words[3][2] = {{"FALSE", "TRUE"}, {"0", "1"}, {"いいえ", "はい"}};
    strcpy(out, words[pick][yes]);
  }
}

/* The text of field F for account N (empty: missing). */
static void value(uint64_t *s, int f, long n, int64_t seats, int shape, char *out) {
  const Field *fd = &fields[f];
  int missing = fd->missing_pct && shape != SHAPE_CLEAN ? fd->missing_pct + 10 : fd->missing_pct;
  if (missing && chance(s, missing)) {
    out[0] = '\0';
    return;
  }
  const char *col = fd->column;
  if (strcmp(col, "id") == 0)
    sprintf(out, "acct-%07ld", n);
  else if (strcmp(col, "name") == 0)
    sprintf(out, "%s %ld", names[n % 5], n);
  else if (strcmp(col, "plan") == 0)
    strcpy(out, plans[rnd(s, 0, 2)]);
  else if (strcmp(col, "業種") == 0)
    strcpy(out, industries[rnd(s, 0, 6)]);
  else if (strcmp(col, "arr") == 0)
    sprintf(out, "%" PRId64, rnd(s, 30, 2000) * 10000);
  else if (strcmp(col, "contract_start") == 0)
    date_text(rnd(s, 18000, 20410), out);
  else if (strcmp(col, "renewal_date") == 0)
    date_text(rnd(s, 20400, 21000), out);
  else if (strcmp(col, "seats") == 0)
    sprintf(out, "%" PRId64, seats);
  else if (strcmp(col, "active_users") == 0)
    sprintf(out, "%" PRId64, rnd(s, 0, seats));
  else if (strcmp(col, "nps_score") == 0)
    sprintf(out, "%" PRId64, rnd(s, 0, 10));
  else if (fd->type == F_BOOL)
    strcpy(out, chance(s, 60) ? "true" : "false");
  else if (strcmp(col, "logins_30d") == 0)
    sprintf(out, "%" PRId64, rnd(s, 0, seats * 20));
  else if (strcmp(col, "leads_actual") == 0 || strcmp(col, "leads_goal") == 0)
    sprintf(out, "%" PRId64, rnd(s, 0, 400));
  else if (strcmp(col, "seats_initial") == 0)
    sprintf(out, "%" PRId64, rnd(s, 1, 300));
  else
    sprintf(out, "%" PRId64, rnd(s, 0, 8));
  if (shape != SHAPE_CLEAN) export_shape(s, fd->type, shape, out);
}

int main(int argc, char **argv) {
  const char *kinds[] = {"csv", "crlf", "excel", "excel-ja", "yaml"};
  int kind = 0;
  while (kind < 5 && argc >= 3 && strcmp(argv[1], kinds[kind]) != 0)
    kind++;
  if (argc < 3 || kind == 5) {
    fprintf(stderr, "usage: gen_accounts csv|crlf|excel|excel-ja|yaml COUNT [SEED]\n");
    return 2;
  }
  int yaml = kind == 4;
  int shape = kind == 2 ? SHAPE_EXCEL : kind == 3 ? SHAPE_EXCEL_JA : SHAPE_CLEAN;
  const char *eol = kind == 1 || kind == 2 || kind == 3 ? "\r\n" : "\n";
  long count = atol(argv[2]);
  uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  if (!yaml) {
    for (int f = 0; f < NFIELDS; f++)
      printf("%s%s", f ? "," : "", fields[f].column);
    printf("%s", eol);
  } else {
    printf("accounts:\n");
  }
  char text[128];
  for (long n = 1; n <= count; n++) {
    uint64_t s = seed * 1000003u + (uint64_t)n;
    int64_t seats = rnd(&s, 1, 300);
    for (int f = 0; f < NFIELDS; f++) {
      value(&s, f, n, seats, shape, text);
      if (!yaml) {
        printf("%s%s", f ? "," : "", text);
      } else if (text[0]) {
        const char *quote = fields[f].type == F_TEXT ? "\"" : "";
        printf("%s%s: %s%s%s\n", f == 0 ? "- " : "  ", fields[f].column, quote, text, quote);
      } else if (f == 0) {
        printf("- id: ~\n");
      }
    }
    if (!yaml) printf("%s", eol);
  }
  return 0;
}
