/* test_diag.c — unit tests for diag.c: the exact rendered text (caret,
 * wide characters, tabs, CRLF, end of file), the error cap, data-file
 * diagnostics, and name suggestions. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "front/diag.h"

#define SEEN_MAX 64

/* What the callback received, copied (strings live only for the call). */
typedef struct Seen {
  int count;
  kenko_level level[SEEN_MAX];
  char *file[SEEN_MAX];
  int line[SEEN_MAX];
  int col[SEEN_MAX];
  char *message[SEEN_MAX];
  char *rendered[SEEN_MAX];
} Seen;

static char *copy_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void collect(void *ud, const kenko_diag *d) {
  Seen *seen = ud;
  int i = seen->count++;
  if (i >= SEEN_MAX) return;
  seen->level[i] = d->level;
  seen->file[i] = copy_or_null(d->file);
  seen->line[i] = d->line;
  seen->col[i] = d->col;
  seen->message[i] = copy_or_null(d->message);
  seen->rendered[i] = copy_or_null(d->rendered);
}

static void seen_free(Seen *seen) {
  for (int i = 0; i < seen->count && i < SEEN_MAX; i++) {
    free(seen->file[i]);
    free(seen->message[i]);
    free(seen->rendered[i]);
  }
}

/* Renders an error at [BEGIN, END) of TEXT (file "rules/x.kenko") and
 * compares with EXPECTED. */
static void expect_render_level(const char *text, uint32_t begin, uint32_t end, kenko_level level,
                                const char *message, const char *expected) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "rules/x.kenko", text, strlen(text));
  char *got = diag_render(&set, level, (Span){id, begin, end}, message, false);
  cr_assert_str_eq(got, expected);
  free(got);
  src_free(&set);
}

static void expect_render(const char *text, uint32_t begin, uint32_t end, const char *message,
                          const char *expected) {
  expect_render_level(text, begin, end, KENKO_ERROR, message, expected);
}

/* ---- diag: rendering -------------------------------------------------------- */

Test(diag, render_ascii) {
  expect_render("#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\nrule kickoff = done\n", 27, 34, "expected `:`, found `=`",
                "rules/x.kenko:12:6: error: expected `:`, found `=`\n"
                "   12 | rule kickoff = done\n"
                "      |      ^~~~~~~\n");
}

Test(diag, render_levels) {
  expect_render_level("input x: number\n", 6, 7, KENKO_WARNING, "unused input `x`",
                      "rules/x.kenko:1:7: warning: unused input `x`\n"
                      "    1 | input x: number\n"
                      "      |       ^\n");
  expect_render_level("input x: number\n", 0, 5, KENKO_NOTE, "declared here",
                      "rules/x.kenko:1:1: note: declared here\n"
                      "    1 | input x: number\n"
                      "      | ^~~~~\n");
}

Test(diag, render_japanese_underline_is_display_width) {
  expect_render("input 契約プラン: text\n", 6, 21, "unknown name `契約プラン`",
                "rules/x.kenko:1:7: error: unknown name `契約プラン`\n"
                "    1 | input 契約プラン: text\n"
                "      |       ^~~~~~~~~~\n");
  /* after wide characters the caret column counts 2 per character */
  expect_render("契約 = x\n", 9, 10, "unknown name `x`",
                "rules/x.kenko:1:8: error: unknown name `x`\n"
                "    1 | 契約 = x\n"
                "      |        ^\n");
}

Test(diag, render_expands_tabs) {
  expect_render("\tscore = x\n", 1, 6, "bad",
                "rules/x.kenko:1:9: error: bad\n"
                "    1 |         score = x\n"
                "      |         ^~~~~\n");
  /* a tab inside the span is underlined over its whole width */
  expect_render("a\tb = 1\n", 0, 3, "bad",
                "rules/x.kenko:1:1: error: bad\n"
                "    1 | a       b = 1\n"
                "      | ^~~~~~~~~\n");
  /* a tab after a wide character */
  expect_render("契\tx\n", 4, 5, "bad",
                "rules/x.kenko:1:9: error: bad\n"
                "    1 | 契      x\n"
                "      |         ^\n");
}

Test(diag, render_span_past_end_of_line) {
  expect_render("x = (1 +\n  2)\n", 4, 13, "unclosed `(`",
                "rules/x.kenko:1:5: error: unclosed `(`\n"
                "    1 | x = (1 +\n"
                "      |     ^~~~\n");
}

Test(diag, render_at_end_of_file) {
  static const char expected[] = "rules/x.kenko:1:9: error: unexpected end of file\n"
                                 "    1 | rule a =\n"
                                 "      |         ^\n";
  expect_render("rule a =\n", 9, 9, "unexpected end of file", expected);
  expect_render("rule a =", 8, 8, "unexpected end of file", expected);
  expect_render("rule a =\r\n", 10, 10, "unexpected end of file", expected);
  /* offsets past the end are clamped */
  expect_render("rule a =\n", 50, 60, "unexpected end of file", expected);
  expect_render("", 0, 0, "empty",
                "rules/x.kenko:1:1: error: empty\n"
                "    1 | \n"
                "      | ^\n");
}

Test(diag, render_crlf_hides_cr) {
  expect_render("a = 1\r\nb = 2\r\n", 7, 12, "bad",
                "rules/x.kenko:2:1: error: bad\n"
                "    2 | b = 2\n"
                "      | ^~~~~\n");
  /* a span that runs over the "\r\n" is underlined to the line's end */
  expect_render("a = 1\r\nb = 2\r\n", 4, 9, "bad",
                "rules/x.kenko:1:5: error: bad\n"
                "    1 | a = 1\n"
                "      |     ^\n");
}

Test(diag, render_invalid_utf8_as_question_marks) {
  expect_render("x = \"\xFF\xFE\"\n", 5, 6, "invalid UTF-8",
                "rules/x.kenko:1:6: error: invalid UTF-8\n"
                "    1 | x = \"??\"\n"
                "      |      ^\n");
  /* control characters too, so the terminal is not disturbed */
  expect_render("a\x1b[31mb\n", 6, 7, "bad",
                "rules/x.kenko:1:7: error: bad\n"
                "    1 | a?[31mb\n"
                "      |       ^\n");
}

Test(diag, render_empty_span_and_combining_marks) {
  expect_render("abc\n", 1, 1, "here",
                "rules/x.kenko:1:2: error: here\n"
                "    1 | abc\n"
                "      |  ^\n");
  expect_render("abc\n", 2, 1, "reversed span",
                "rules/x.kenko:1:3: error: reversed span\n"
                "    1 | abc\n"
                "      |   ^\n");
  expect_render("e\xCC\x81 = 1\n", 0, 3, "accent",
                "rules/x.kenko:1:1: error: accent\n"
                "    1 | e\xCC\x81 = 1\n"
                "      | ^\n");
}

Test(diag, render_wide_line_numbers_keep_bars_aligned) {
  size_t n = 123456;
  char *text = malloc(n + 2);
  memset(text, '\n', n - 1);
  memcpy(text + n - 1, "xy", 3);
  expect_render(text, (uint32_t)(n - 1), (uint32_t)(n + 1), "deep",
                "rules/x.kenko:123456:1: error: deep\n"
                "123456 | xy\n"
                "       | ^~\n");
  free(text);
}

Test(diag, render_without_location) {
  SourceSet set;
  src_init(&set);
  char *got = diag_render(&set, KENKO_ERROR, SPAN_NONE, "no rules", false);
  cr_assert_str_eq(got, "kenko: error: no rules\n");
  free(got);
  got = diag_render(NULL, KENKO_WARNING, SPAN_NONE, "hmm", false);
  cr_assert_str_eq(got, "kenko: warning: hmm\n");
  free(got);
  /* an unknown file id has no location either */
  got = diag_render(&set, KENKO_NOTE, (Span){3, 0, 1}, "see", false);
  cr_assert_str_eq(got, "kenko: note: see\n");
  free(got);
  src_free(&set);
}

Test(diag, render_color) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "r.kenko", "abc\n", 4);
  char *got = diag_render(&set, KENKO_ERROR, (Span){id, 0, 3}, "boom", true);
  cr_assert_str_eq(got, "\033[1mr.kenko:1:1:\033[0m \033[1;31merror:\033[0m boom\n"
                        "    1 | abc\n"
                        "      | \033[32m^~~\033[0m\n");
  free(got);
  got = diag_render(&set, KENKO_WARNING, (Span){id, 0, 3}, "w", true);
  cr_assert_not_null(strstr(got, "\033[1;35mwarning:\033[0m w\n"));
  free(got);
  got = diag_render(&set, KENKO_NOTE, SPAN_NONE, "n", true);
  cr_assert_str_eq(got, "\033[1mkenko:\033[0m \033[1;36mnote:\033[0m n\n");
  free(got);
  got = diag_render(&set, KENKO_ERROR, (Span){id, 0, 3}, "plain", false);
  cr_assert_null(strchr(got, '\033'));
  free(got);
  src_free(&set);
}

/* ---- diag: reporting -------------------------------------------------------- */

Test(diag, report_fills_fields_and_formats) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "rules/x.kenko", "a\n契約 = b\n", strlen("a\n契約 = b\n"));
  Seen seen = {0};
  Diag d;
  diag_init(&d, &set, collect, &seen);
  cr_assert_eq(d.errors + d.warnings + d.suppressed, 0);
  cr_assert_eq(d.color, false);
  diag_error(&d, (Span){id, 11, 12}, "unknown name `%s` (%d)", "b", 7);
  diag_warning(&d, SPAN_NONE, "nothing %s", "here");
  cr_assert_eq(seen.count, 2);
  cr_assert_eq(seen.level[0], KENKO_ERROR);
  cr_assert_str_eq(seen.file[0], "rules/x.kenko");
  cr_assert_eq(seen.line[0], 2);
  cr_assert_eq(seen.col[0], 8);
  cr_assert_str_eq(seen.message[0], "unknown name `b` (7)");
  cr_assert_str_eq(seen.rendered[0], "rules/x.kenko:2:8: error: unknown name `b` (7)\n"
                                     "    2 | 契約 = b\n"
                                     "      |        ^\n");
  cr_assert_eq(seen.level[1], KENKO_WARNING);
  cr_assert_null(seen.file[1]);
  cr_assert_eq(seen.line[1], 0);
  cr_assert_eq(seen.col[1], 0);
  cr_assert_str_eq(seen.rendered[1], "kenko: warning: nothing here\n");
  cr_assert_eq(d.errors, 1);
  cr_assert_eq(d.warnings, 1);
  seen_free(&seen);
  src_free(&set);
}

Test(diag, eof_location_matches_caret) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "x.kenko", "ab\ncd\n", 6);
  Seen seen = {0};
  Diag d;
  diag_init(&d, &set, collect, &seen);
  diag_error(&d, (Span){id, 6, 6}, "unexpected end of file");
  cr_assert_eq(seen.line[0], 2);
  cr_assert_eq(seen.col[0], 3);
  seen_free(&seen);
  src_free(&set);
}

Test(diag, color_flag_reaches_rendered_text) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "x.kenko", "ab\n", 3);
  Seen seen = {0};
  Diag d;
  diag_init(&d, &set, collect, &seen);
  d.color = true;
  diag_error(&d, (Span){id, 0, 2}, "boom");
  cr_assert_not_null(strstr(seen.rendered[0], "\033[1;31merror:\033[0m boom"));
  cr_assert_str_eq(seen.message[0], "boom");
  seen_free(&seen);
  src_free(&set);
}

Test(diag, cap_after_20_errors) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "x.kenko", "abc\n", 4);
  Seen seen = {0};
  Diag d;
  diag_init(&d, &set, collect, &seen);
  for (int i = 0; i < 25; i++)
    diag_error(&d, (Span){id, 0, 1}, "error %d", i + 1);
  cr_assert_eq(seen.count, 20);
  cr_assert_str_eq(seen.message[19], "error 20");
  cr_assert_eq(d.errors, 25);
  cr_assert_eq(d.suppressed, 5);
  diag_finish(&d);
  cr_assert_eq(seen.count, 21);
  cr_assert_eq(d.errors, 25);
  cr_assert_eq(seen.level[20], KENKO_ERROR);
  cr_assert_null(seen.file[20]);
  cr_assert_eq(seen.line[20], 0);
  cr_assert_str_eq(seen.message[20], "5 more errors not shown (limit is 20)");
  cr_assert_str_eq(seen.rendered[20], "kenko: error: 5 more errors not shown (limit is 20)\n");
  seen_free(&seen);
  src_free(&set);
}

Test(diag, cap_message_singular) {
  Seen seen = {0};
  Diag d;
  diag_init(&d, NULL, collect, &seen);
  for (int i = 0; i < 21; i++)
    diag_error(&d, SPAN_NONE, "e");
  diag_finish(&d);
  cr_assert_eq(seen.count, 21);
  cr_assert_str_eq(seen.message[20], "1 more error not shown (limit is 20)");
  cr_assert_str_eq(seen.rendered[20], "kenko: error: 1 more error not shown (limit is 20)\n");
  seen_free(&seen);
}

Test(diag, finish_without_suppression_reports_nothing) {
  Seen seen = {0};
  Diag d;
  diag_init(&d, NULL, collect, &seen);
  for (int i = 0; i < 20; i++)
    diag_error(&d, SPAN_NONE, "e");
  diag_finish(&d);
  cr_assert_eq(seen.count, 20);
  cr_assert_eq(d.suppressed, 0);
  seen_free(&seen);
}

Test(diag, notes_follow_their_error_and_warnings_are_never_capped) {
  Seen seen = {0};
  Diag d;
  diag_init(&d, NULL, collect, &seen);
  diag_error(&d, SPAN_NONE, "first");
  diag_note(&d, SPAN_NONE, "about first");
  cr_assert_eq(seen.count, 2);
  cr_assert_eq(seen.level[1], KENKO_NOTE);
  cr_assert_str_eq(seen.rendered[1], "kenko: note: about first\n");
  for (int i = 1; i < 20; i++)
    diag_error(&d, SPAN_NONE, "more");
  cr_assert_eq(seen.count, 21);
  diag_error(&d, SPAN_NONE, "capped");
  diag_note(&d, SPAN_NONE, "about capped");
  cr_assert_eq(seen.count, 21);
  diag_warning(&d, SPAN_NONE, "a lint");
  diag_note(&d, SPAN_NONE, "about the lint");
  cr_assert_eq(seen.count, 23);
  cr_assert_str_eq(seen.message[21], "a lint");
  cr_assert_str_eq(seen.message[22], "about the lint");
  cr_assert_eq(d.errors, 21);
  cr_assert_eq(d.warnings, 1);
  cr_assert_eq(d.suppressed, 1);
  seen_free(&seen);
}

Test(diag, without_callback_only_counts) {
  Diag d;
  diag_init(&d, NULL, NULL, NULL);
  for (int i = 0; i < 22; i++)
    diag_error(&d, SPAN_NONE, "e");
  diag_warning(&d, SPAN_NONE, "w");
  diag_note(&d, SPAN_NONE, "n");
  diag_at(&d, KENKO_ERROR, "data.csv", 2, 1, "bad");
  diag_finish(&d);
  cr_assert_eq(d.errors, 23);
  cr_assert_eq(d.warnings, 1);
  cr_assert_eq(d.suppressed, 2);
}

Test(diag, data_file_diagnostics) {
  Seen seen = {0};
  Diag d;
  diag_init(&d, NULL, collect, &seen);
  diag_at(&d, KENKO_ERROR, "data.csv", 3, 7, "account \"%s\": bad number", "a1");
  diag_at(&d, KENKO_ERROR, "data.csv", 0, 0, "cannot read header");
  diag_at(&d, KENKO_WARNING, "data.yaml", 4, 0, "unknown key `x`");
  cr_assert_eq(seen.count, 3);
  cr_assert_str_eq(seen.rendered[0], "data.csv:3:7: error: account \"a1\": bad number\n");
  cr_assert_str_eq(seen.message[0], "account \"a1\": bad number");
  cr_assert_str_eq(seen.file[0], "data.csv");
  cr_assert_eq(seen.line[0], 3);
  cr_assert_eq(seen.col[0], 7);
  cr_assert_str_eq(seen.rendered[1], "data.csv: error: cannot read header\n");
  cr_assert_eq(seen.line[1], 0);
  cr_assert_str_eq(seen.rendered[2], "data.yaml:4: warning: unknown key `x`\n");
  cr_assert_eq(d.errors, 2);
  cr_assert_eq(d.warnings, 1);
  seen_free(&seen);
}

Test(diag, data_file_diagnostics_are_not_capped) {
  Seen seen = {0};
  Diag d;
  diag_init(&d, NULL, collect, &seen);
  for (int i = 0; i < 30; i++)
    diag_at(&d, KENKO_ERROR, "data.csv", i + 2, 1, "bad");
  cr_assert_eq(seen.count, 30);
  cr_assert_eq(d.errors, 30);
  cr_assert_eq(d.suppressed, 0);
  cr_assert_str_eq(seen.rendered[29], "data.csv:31:1: error: bad\n");
  seen_free(&seen);
}

Test(diag, data_file_diagnostics_in_color) {
  Seen seen = {0};
  Diag d;
  diag_init(&d, NULL, collect, &seen);
  d.color = true;
  diag_at(&d, KENKO_ERROR, "data.csv", 3, 7, "bad");
  cr_assert_str_eq(seen.rendered[0], "\033[1mdata.csv:3:7:\033[0m \033[1;31merror:\033[0m bad\n");
  seen_free(&seen);
}

/* ---- suggest --------------------------------------------------------------- */

Test(suggest, edit_distance_basics) {
  cr_assert_eq(edit_distance("", ""), 0);
  cr_assert_eq(edit_distance("", "abc"), 3);
  cr_assert_eq(edit_distance("abc", ""), 3);
  cr_assert_eq(edit_distance("abc", "abc"), 0);
  cr_assert_eq(edit_distance("kitten", "sitting"), 3);
  cr_assert_eq(edit_distance("flaw", "lawn"), 2);
  cr_assert_eq(edit_distance("abc", "abd"), 1);
  cr_assert_eq(edit_distance("abc", "abcd"), 1);
}

Test(suggest, edit_distance_transposition_is_one) {
  cr_assert_eq(edit_distance("ab", "ba"), 1);
  cr_assert_eq(edit_distance("seat_raito", "seat_ratio"), 1);
  cr_assert_eq(edit_distance("recieve", "receive"), 1);
  /* restricted: a transposed pair is not edited again */
  cr_assert_eq(edit_distance("ca", "abc"), 3);
}

Test(suggest, edit_distance_ignores_ascii_case) {
  cr_assert_eq(edit_distance("Seat_Ratio", "seat_ratio"), 0);
  cr_assert_eq(edit_distance("NPS", "nps"), 0);
  /* only ASCII is folded */
  cr_assert_eq(edit_distance("Ａ", "ａ"), 1);
}

Test(suggest, edit_distance_counts_code_points) {
  cr_assert_eq(edit_distance("契約プラン", "契約プロン"), 1);
  cr_assert_eq(edit_distance("契約", "約契"), 1);
  cr_assert_eq(edit_distance("契約", ""), 2);
  cr_assert_eq(edit_distance("解約日", "契約日"), 1);
  /* invalid bytes are compared as bytes */
  cr_assert_eq(edit_distance("a\xFF", "a\xFE"), 1);
  cr_assert_eq(edit_distance("a\xFF", "a\xFF"), 0);
}

Test(suggest, suggests_close_names) {
  static const char *const names[] = {"seat_count", "seat_ratio", "usage"};
  cr_assert_str_eq(diag_suggest("seat_raito", names, 3), "seat_ratio");
  cr_assert_str_eq(diag_suggest("usgae", names, 3), "usage");
  cr_assert_str_eq(diag_suggest("Seat_Ratio", names, 3), "seat_ratio");
}

Test(suggest, no_suggestion_when_too_far) {
  static const char *const names[] = {"seat_ratio", "usage"};
  cr_assert_null(diag_suggest("xyz", names, 2));
  cr_assert_null(diag_suggest("churn_risk", names, 2));
  cr_assert_null(diag_suggest("x", names, 0));
  /* 9 code points: up to 3 edits */
  static const char *const nine[] = {"abcdefxyz"};
  cr_assert_str_eq(diag_suggest("abcdefghi", nine, 1), "abcdefxyz");
  static const char *const too_far[] = {"abcdewxyz"};
  cr_assert_null(diag_suggest("abcdefghi", too_far, 1));
}

Test(suggest, skips_the_name_itself_and_prefers_the_first_tie) {
  static const char *const same[] = {"usage"};
  cr_assert_null(diag_suggest("usage", same, 1));
  static const char *const with_neighbour[] = {"usage", "usagi"};
  cr_assert_str_eq(diag_suggest("usage", with_neighbour, 2), "usagi");
  static const char *const ties[] = {"bat", "cut"};
  cr_assert_str_eq(diag_suggest("cat", ties, 2), "bat");
  static const char *const tie_again[] = {"cab", "cat"};
  cr_assert_str_eq(diag_suggest("cax", tie_again, 2), "cab");
  static const char *const with_null[] = {NULL, "seat"};
  cr_assert_str_eq(diag_suggest("sea", with_null, 2), "seat");
}

Test(suggest, japanese_names) {
  static const char *const names[] = {"解約日", "契約プラン", "利用率"};
  cr_assert_str_eq(diag_suggest("契約ブラン", names, 3), "契約プラン");
  cr_assert_str_eq(diag_suggest("契約日", names, 3), "解約日");
  cr_assert_null(diag_suggest("売上", names, 3));
}
