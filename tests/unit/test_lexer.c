/* test_lexer.c — the scanner (grammar/lexer.l) through parse_dump_tokens:
 * every keyword, operator and punctuation token, names, strings and their
 * escapes, numbers, percents, dates, comments, the BOM, and each lexical
 * error with its exact message and position. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/parse.h"

/* One scan: the token lines and the diagnostics, each as text. */
typedef struct Lexed {
  char *tokens; /* "1:1-1:6 `input`\n…" */
  char *diags;  /* "1:3: error: unexpected …\n…" */
  int errors;
} Lexed;

static const char *level_word(kenko_level level) {
  switch (level) {
  case KENKO_ERROR: return "error";
  case KENKO_WARNING: return "warning";
  case KENKO_NOTE: return "note";
  }
  return "?";
}

/* Diag callback: appends "LINE:COL: LEVEL: MESSAGE\n" to a FILE. */
static void record_diag(void *ud, const kenko_diag *d) {
  fprintf((FILE *)ud, "%d:%d: %s: %s\n", d->line, d->col, level_word(d->level), d->message);
}

/* Scans LEN bytes of TEXT (file "t.kenko"). */
static Lexed lex_bytes(const char *text, size_t len) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "t.kenko", text, len);
  cr_assert_geq(id, 0);
  Lexed out = {0};
  size_t tlen = 0, dlen = 0;
  FILE *tokens = open_memstream(&out.tokens, &tlen);
  FILE *diags = open_memstream(&out.diags, &dlen);
  Diag diag;
  diag_init(&diag, &set, record_diag, diags);
  parse_dump_tokens(&set, id, &diag, tokens);
  fclose(tokens);
  fclose(diags);
  out.errors = diag.errors;
  src_free(&set);
  return out;
}

static Lexed lex(const char *text) { return lex_bytes(text, strlen(text)); }

static void lexed_free(Lexed *l) {
  free(l->tokens);
  free(l->diags);
}

/* Scans TEXT and compares the tokens and diagnostics with the expected
 * texts (DIAGS "" when the text is clean). */
static void expect_lex_bytes(const char *text, size_t len, const char *tokens, const char *diags) {
  Lexed l = lex_bytes(text, len);
  cr_expect_str_eq(l.tokens, tokens, "tokens of «%s»:\n%s", text, l.tokens);
  cr_expect_str_eq(l.diags, diags, "diagnostics of «%s»:\n%s", text, l.diags);
  lexed_free(&l);
}

static void expect_lex(const char *text, const char *tokens, const char *diags) {
  expect_lex_bytes(text, strlen(text), tokens, diags);
}

/* ---- keywords, operators, punctuation ---------------------------------- */

static const char *const keywords[] = {
    "scorecard", "include",  "input",     "indicator", "threshold", "dimension", "rule",    "score",
    "weight",    "grades",   "persona",   "segment",   "flag",      "severity",  "action",  "journey",
    "step",      "forecast", "weighted",  "by",        "outcome",   "test",      "given",   "expect",
    "as_of",     "when",     "otherwise", "and",       "or",        "not",       "in",      "is",
    "from",      "if",       "then",      "else",      "true",      "false",     "missing", "where",
    "key",       "optional", "list",      "text",      "number",    "bool",      "date",
};

/* Each keyword on its own line is its own token, named `keyword`. */
Test(lexer, every_keyword) {
  size_t n = sizeof keywords / sizeof *keywords;
  cr_assert_eq(n, 47); /* the list of LANGUAGE.md §1 */
  char *src = NULL, *want = NULL;
  size_t slen = 0, wlen = 0;
  FILE *s = open_memstream(&src, &slen);
  FILE *w = open_memstream(&want, &wlen);
  for (size_t i = 0; i < n; i++) {
    int line = (int)i + 1, end = (int)strlen(keywords[i]) + 1;
    fprintf(s, "%s\n", keywords[i]);
    fprintf(w, "%d:1-%d:%d `%s`\n", line, line, end, keywords[i]);
  }
  fclose(s);
  fclose(w);
  expect_lex(src, want, "");
  free(src);
  free(want);
}

/* A keyword with more letters before or after it is a name. */
Test(lexer, keyword_prefixes_are_names) {
  expect_lex("scorecards inputx _if as_of1 notx iffy Given",
             "1:1-1:11 name scorecards\n"
             "1:12-1:18 name inputx\n"
             "1:19-1:22 name _if\n"
             "1:23-1:29 name as_of1\n"
             "1:30-1:34 name notx\n"
             "1:35-1:39 name iffy\n"
             "1:40-1:45 name Given\n",
             "");
}

/* Severity levels and the built-in reference words are ordinary names. */
Test(lexer, non_keywords_are_names) {
  expect_lex("low medium high health grade bottleneck",
             "1:1-1:4 name low\n"
             "1:5-1:11 name medium\n"
             "1:12-1:16 name high\n"
             "1:17-1:23 name health\n"
             "1:24-1:29 name grade\n"
             "1:30-1:40 name bottleneck\n",
             "");
}

Test(lexer, every_operator_and_punctuation) {
  expect_lex("== != <= >= ?? < > = + - * / % . , : ( ) [ ] { }",
             "1:1-1:3 `==`\n"
             "1:4-1:6 `!=`\n"
             "1:7-1:9 `<=`\n"
             "1:10-1:12 `>=`\n"
             "1:13-1:15 `??`\n"
             "1:16-1:17 `<`\n"
             "1:18-1:19 `>`\n"
             "1:20-1:21 `=`\n"
             "1:22-1:23 `+`\n"
             "1:24-1:25 `-`\n"
             "1:26-1:27 `*`\n"
             "1:28-1:29 `/`\n"
             "1:30-1:31 `%`\n"
             "1:32-1:33 `.`\n"
             "1:34-1:35 `,`\n"
             "1:36-1:37 `:`\n"
             "1:38-1:39 `(`\n"
             "1:40-1:41 `)`\n"
             "1:42-1:43 `[`\n"
             "1:44-1:45 `]`\n"
             "1:46-1:47 `{`\n"
             "1:48-1:49 `}`\n",
             "");
}

/* Longest match without spaces: `<=` then `>`, `==` then `=`. */
Test(lexer, operators_without_spaces) {
  expect_lex("a<=>b===c!=d-1",
             "1:1-1:2 name a\n"
             "1:2-1:4 `<=`\n"
             "1:4-1:5 `>`\n"
             "1:5-1:6 name b\n"
             "1:6-1:8 `==`\n"
             "1:8-1:9 `=`\n"
             "1:9-1:10 name c\n"
             "1:10-1:12 `!=`\n"
             "1:12-1:13 name d\n"
             "1:13-1:14 `-`\n"
             "1:14-1:15 number 1\n",
             "");
}

Test(lexer, field_access_and_call) {
  expect_lex("utilization.grade count(t)",
             "1:1-1:12 name utilization\n"
             "1:12-1:13 `.`\n"
             "1:13-1:18 name grade\n"
             "1:19-1:24 name count\n"
             "1:24-1:25 `(`\n"
             "1:25-1:26 name t\n"
             "1:26-1:27 `)`\n",
             "");
}

/* ---- names --------------------------------------------------------------- */

/* Non-ASCII characters are letters; a Japanese character is two columns. */
Test(lexer, names_ascii_and_japanese) {
  expect_lex("契約プラン _x1 seat_ratio X9 プラン2 a_契約",
             "1:1-1:11 name 契約プラン\n"
             "1:12-1:15 name _x1\n"
             "1:16-1:26 name seat_ratio\n"
             "1:27-1:29 name X9\n"
             "1:30-1:37 name プラン2\n"
             "1:38-1:44 name a_契約\n",
             "");
}

Test(lexer, names_are_case_sensitive_and_underscore_alone) {
  expect_lex("_ Input INPUT",
             "1:1-1:2 name _\n"
             "1:3-1:8 name Input\n"
             "1:9-1:14 name INPUT\n",
             "");
}

/* ---- strings ------------------------------------------------------------- */

Test(lexer, string_plain_and_empty) {
  expect_lex("\"ok\" \"\"",
             "1:1-1:5 string \"ok\"\n"
             "1:6-1:8 string \"\"\n",
             "");
}

/* Every escape decodes; the span covers the source text (display columns). */
Test(lexer, string_every_escape) {
  expect_lex("\"q\\\"b\\\\n\\nt\\tu\\u{3042}\\u{1F600}\\u{41}\"", "1:1-1:39 string \"q\"b\\n\nt\tuあ😀A\"\n",
             "");
}

Test(lexer, string_japanese_content) {
  expect_lex("\"サクセス事例づくりを支援する\" x",
             "1:1-1:31 string \"サクセス事例づくりを支援する\"\n"
             "1:32-1:33 name x\n",
             "");
}

/* A full-width space, `#` and `'` inside a string are string content. */
Test(lexer, string_keeps_special_characters) {
  expect_lex("\"全角　空白 # no comment 'q' ? !\"", "1:1-1:34 string \"全角　空白 # no comment 'q' ? !\"\n",
             "");
}

/* ---- numbers, percents, dates ---------------------------------------------- */

Test(lexer, numbers) {
  expect_lex("12 1.5 1_000_000 1e6 2.5e-3 0 007 1E+2 3_000.25",
             "1:1-1:3 number 12\n"
             "1:4-1:7 number 1.5\n"
             "1:8-1:17 number 1000000\n"
             "1:18-1:21 number 1000000\n"
             "1:22-1:28 number 0.0025\n"
             "1:29-1:30 number 0\n"
             "1:31-1:34 number 7\n"
             "1:35-1:39 number 100\n"
             "1:40-1:48 number 3000.25\n",
             "");
}

/* A minus sign is an operator, never part of the number. */
Test(lexer, negative_number_is_minus_then_number) {
  expect_lex("-5 x-1",
             "1:1-1:2 `-`\n"
             "1:2-1:3 number 5\n"
             "1:4-1:5 name x\n"
             "1:5-1:6 `-`\n"
             "1:6-1:7 number 1\n",
             "");
}

Test(lexer, percents) {
  expect_lex("95% 100% 1.5% 0% 1_000%",
             "1:1-1:4 percent 0.95\n"
             "1:5-1:9 percent 1\n"
             "1:10-1:14 percent 0.015\n"
             "1:15-1:17 percent 0\n"
             "1:18-1:24 percent 10\n",
             "");
}

/* `95 %` with a space is a number and the remainder operator. */
Test(lexer, percent_needs_no_space) {
  expect_lex("95 % 7",
             "1:1-1:3 number 95\n"
             "1:4-1:5 `%`\n"
             "1:6-1:7 number 7\n",
             "");
}

Test(lexer, dates) {
  expect_lex("2026-11-22 2024-02-29 2000-02-29 1970-01-01 9999-12-31",
             "1:1-1:11 date 2026-11-22\n"
             "1:12-1:22 date 2024-02-29\n"
             "1:23-1:33 date 2000-02-29\n"
             "1:34-1:44 date 1970-01-01\n"
             "1:45-1:55 date 9999-12-31\n",
             "");
}

/* Without two-digit month and day it is arithmetic, not a date. */
Test(lexer, not_a_date_shape) {
  expect_lex("2026-1-2",
             "1:1-1:5 number 2026\n"
             "1:5-1:6 `-`\n"
             "1:6-1:7 number 1\n"
             "1:7-1:8 `-`\n"
             "1:8-1:9 number 2\n",
             "");
}

/* ---- white space, comments, BOM, line ends ---------------------------------- */

Test(lexer, comments) {
  expect_lex("# a whole line: \"not a string\" 契約\n"
             "x # after a token\n"
             "\t#indented\n"
             "y#z",
             "2:1-2:2 name x\n"
             "4:1-4:2 name y\n",
             "");
}

Test(lexer, comment_at_end_of_file_without_newline) { expect_lex("a # end", "1:1-1:2 name a\n", ""); }

Test(lexer, empty_and_blank_sources) {
  expect_lex("", "", "");
  expect_lex(" \t\r\n\n", "", "");
}

/* Tabs advance to the next multiple of 8 in columns. */
Test(lexer, tabs_and_crlf) {
  expect_lex("a\tb\r\nc", "1:1-1:2 name a\n1:9-1:10 name b\n2:1-2:2 name c\n", "");
}

Test(lexer, bom_is_skipped) { expect_lex("\xEF\xBB\xBFinput x", "1:1-1:6 `input`\n1:7-1:8 name x\n", ""); }

Test(lexer, bom_then_comment_then_error_position) {
  expect_lex("\xEF\xBB\xBF# c\nx@", "2:1-2:2 name x\n", "2:2: error: unexpected character `@`\n");
}

/* ---- lexical errors ----------------------------------------------------------- */

Test(lexer, invalid_date_february_30) {
  expect_lex("2026-02-30", "1:1-1:11 date 1970-01-01\n", "1:1: error: `2026-02-30` is not a calendar date\n");
}

Test(lexer, invalid_date_month_13_and_not_a_leap_year) {
  expect_lex("x 2026-13-01 2023-02-29",
             "1:1-1:2 name x\n1:3-1:13 date 1970-01-01\n1:14-1:24 date 1970-01-01\n",
             "1:3: error: `2026-13-01` is not a calendar date\n"
             "1:14: error: `2023-02-29` is not a calendar date\n");
}

/* One error per number, however many underscores are misplaced. */
Test(lexer, double_underscore_in_number) {
  expect_lex("1__0", "1:1-1:5 number 10\n", "1:1: error: `_` in a number must stand between two digits\n");
}

Test(lexer, trailing_underscore_in_number) {
  expect_lex("x = 1_", "1:1-1:2 name x\n1:3-1:4 `=`\n1:5-1:7 number 1\n",
             "1:5: error: `_` in a number must stand between two digits\n");
}

Test(lexer, leading_underscore_is_a_name) { expect_lex("_1", "1:1-1:3 name _1\n", ""); }

Test(lexer, number_too_large) {
  expect_lex("1e999", "1:1-1:6 number 0\n", "1:1: error: number is too large\n");
}

/* Reported, then read as the name it was meant to be. */
Test(lexer, name_starting_with_digit) {
  expect_lex("12abc", "1:1-1:6 name 12abc\n", "1:1: error: a name cannot start with a digit: `12abc`\n");
}

Test(lexer, durations) {
  expect_lex("30d 12w 6mo 1_000d",
             "1:1-1:4 duration 30d\n1:5-1:8 duration 12w\n1:9-1:12 duration 6mo\n"
             "1:13-1:19 duration 1000d\n",
             "");
  /* a unit kenko does not have: reported, read as a duration */
  expect_lex("30days", "1:1-1:7 duration 0d\n",
             "1:1: error: unknown duration unit `days` in `30days`: use d, w or mo; did you mean `30d`?\n");
  expect_lex("1y", "1:1-1:3 duration 0d\n",
             "1:1: error: unknown duration unit `y` in `1y`: use d, w or mo (a year is 12mo)\n");
  expect_lex(
      "1.5mo", "1:1-1:6 duration 0d\n",
      "1:1: error: a duration is a whole number of days (d), weeks (w) or calendar months (mo): `1.5mo`\n");
  expect_lex("100001w", "1:1-1:8 duration 100000w\n",
             "1:1: error: duration `100001w` is too long (at most 100000w)\n");
  /* `d` after a name or a space is a name */
  expect_lex("x d", "1:1-1:2 name x\n1:3-1:4 name d\n", "");
}

Test(lexer, unterminated_string_at_end_of_file) {
  Lexed l = lex("x \"abc");
  cr_expect_str_eq(l.diags, "1:3: error: unterminated string\n");
  cr_expect_eq(l.errors, 1);
  cr_expect(strncmp(l.tokens, "1:1-1:2 name x\n", 15) == 0, "%s", l.tokens);
  lexed_free(&l);
}

Test(lexer, unterminated_string_at_end_of_line) {
  Lexed l = lex("a \"abc\nb");
  cr_expect_str_eq(l.diags, "1:3: error: unterminated string (a string ends on the line it starts; use \\n "
                            "for a line break)\n");
  cr_expect_eq(l.errors, 1);
  /* the next line is scanned normally */
  cr_expect(strstr(l.tokens, "2:1-2:2 name b\n") != NULL, "%s", l.tokens);
  lexed_free(&l);
}

Test(lexer, unknown_escape) {
  expect_lex("\"ab\\qc\"", "1:1-1:8 string \"abc\"\n",
             "1:4: error: unknown escape `\\q` (use \\\" \\\\ \\n \\t or \\u{XXXX})\n");
}

Test(lexer, unknown_escape_of_a_japanese_character) {
  expect_lex("\"\\あ\"", "1:1-1:6 string \"\"\n",
             "1:2: error: unknown escape `\\あ` (use \\\" \\\\ \\n \\t or \\u{XXXX})\n");
}

Test(lexer, unicode_escape_errors) {
  expect_lex("\"\\u{D800}\"", "1:1-1:11 string \"\"\n",
             "1:2: error: `\\u{D800}` is not a valid character (U+0001..U+10FFFF, no surrogates)\n");
  expect_lex("\"\\u{0}\"", "1:1-1:8 string \"\"\n",
             "1:2: error: `\\u{0}` is not a valid character (U+0001..U+10FFFF, no surrogates)\n");
  expect_lex("\"\\u{110000}\"", "1:1-1:13 string \"\"\n",
             "1:2: error: `\\u{110000}` is not a valid character (U+0001..U+10FFFF, no surrogates)\n");
  expect_lex("\"\\u12\"", "1:1-1:7 string \"12\"\n",
             "1:2: error: write `\\u{12}`: the code point goes in braces\n");
}

Test(lexer, stray_at_sign) {
  expect_lex("x @ y", "1:1-1:2 name x\n1:5-1:6 name y\n", "1:3: error: unexpected character `@`\n");
}

/* `?` and `!` are reported and then read as `??` and `not`, so that the
 * parser can go on. */
Test(lexer, single_question_mark) {
  expect_lex("a ? b", "1:1-1:2 name a\n1:3-1:4 `??`\n1:5-1:6 name b\n",
             "1:3: error: unexpected `?` (the default operator is `??`)\n");
}

Test(lexer, bang) {
  expect_lex("!x", "1:1-1:2 `not`\n1:2-1:3 name x\n",
             "1:1: error: unexpected `!` (write `not`, or `!=` for not equal)\n");
}

Test(lexer, c_style_logical_operators) {
  expect_lex("a && b | c", "1:1-1:2 name a\n1:3-1:5 `and`\n1:6-1:7 name b\n1:8-1:9 `or`\n1:10-1:11 name c\n",
             "1:3: error: unexpected `&&` (write `and`)\n"
             "1:8: error: unexpected `|` (write `or`)\n");
}

Test(lexer, single_quotes) {
  expect_lex("'basic'", "1:1-1:8 string \"basic\"\n",
             "1:1: error: strings use double quotes: write \"basic\"\n");
}

Test(lexer, control_characters) {
  expect_lex_bytes("x\001y", 3, "1:1-1:2 name x\n1:3-1:4 name y\n",
                   "1:2: error: unexpected control character 0x01\n");
  expect_lex_bytes("x\0y", 3, "1:1-1:2 name x\n1:3-1:4 name y\n", "1:2: error: unexpected NUL byte\n");
}

/* Invalid UTF-8 anywhere: one error at the first bad byte, no tokens. */
Test(lexer, invalid_utf8_byte) {
  expect_lex("ab\n  x \xFF y", "", "2:5: error: invalid UTF-8 (byte 0xFF); rule files must be UTF-8\n");
}

Test(lexer, invalid_utf8_in_string_and_truncated) {
  expect_lex("\"\xC3\x28\"", "", "1:2: error: invalid UTF-8 (byte 0xC3); rule files must be UTF-8\n");
  expect_lex("x \xE3\x81", "", "1:3: error: invalid UTF-8 (byte 0xE3); rule files must be UTF-8\n");
}

Test(lexer, invalid_utf8_overlong_and_surrogate) {
  expect_lex("\xC0\xAF", "", "1:1: error: invalid UTF-8 (byte 0xC0); rule files must be UTF-8\n");
  expect_lex("a \xED\xA0\x80", "", "1:3: error: invalid UTF-8 (byte 0xED); rule files must be UTF-8\n");
}

Test(lexer, fullwidth_space_between_tokens) {
  expect_lex("x \xE3\x80\x80y", "1:1-1:2 name x\n1:5-1:6 name y\n",
             "1:3: error: full-width space (U+3000) outside a string; use an ASCII space\n");
}

/* Inside a name it ends the name, is reported, and counts as a space. */
Test(lexer, fullwidth_space_inside_a_name) {
  expect_lex("a\xE3\x80\x80"
             "b",
             "1:1-1:2 name a\n1:4-1:5 name b\n",
             "1:2: error: full-width space (U+3000) outside a string; use an ASCII space\n");
}

Test(lexer, fullwidth_space_alone) {
  expect_lex("\xE3\x80\x80", "",
             "1:1: error: full-width space (U+3000) outside a string; use an ASCII space\n");
}

/* Several lexical errors in one scan are all reported, in order. */
Test(lexer, several_errors_in_one_scan) {
  Lexed l = lex("a @ b\n2026-02-30\n\"x\\q\"\n");
  cr_expect_str_eq(l.diags, "1:3: error: unexpected character `@`\n"
                            "2:1: error: `2026-02-30` is not a calendar date\n"
                            "3:3: error: unknown escape `\\q` (use \\\" \\\\ \\n \\t or \\u{XXXX})\n");
  cr_expect_eq(l.errors, 3);
  lexed_free(&l);
}
