/* test_parser.c — the grammar (grammar/parser.y) through parse_file and
 * ast_dump_file: every declaration with its optional parts, every
 * expression form and the precedence between them, test blocks, and
 * syntax errors: messages with the expected tokens, recovery (several
 * errors in one run), comparison chains. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/parse.h"

/* One parse: the AST dump and the diagnostics, each as text. */
typedef struct Parsed {
  char *ast;   /* ast_dump_file output */
  char *diags; /* "LINE:COL: error: MESSAGE\n" … */
  int errors;
} Parsed;

static void record_diag(void *ud, const kenko_diag *d) {
  const char *level = d->level == KENKO_ERROR ? "error" : d->level == KENKO_WARNING ? "warning" : "note";
  fprintf((FILE *)ud, "%d:%d: %s: %s\n", d->line, d->col, level, d->message);
}

/* A malloc'ed copy of PREFIX followed by S. */
static char *concat(const char *prefix, const char *s) {
  size_t a = strlen(prefix), b = strlen(s);
  char *out = malloc(a + b + 1);
  cr_assert_not_null(out);
  memcpy(out, prefix, a);
  memcpy(out + a, s, b + 1);
  return out;
}

static Parsed parse_text(const char *text) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "t.kenko", text, strlen(text));
  cr_assert_geq(id, 0);
  Arena arena;
  arena_init(&arena, 0);
  Parsed out = {0};
  size_t alen = 0, dlen = 0;
  FILE *diags = open_memstream(&out.diags, &dlen);
  Diag diag;
  diag_init(&diag, &set, record_diag, diags);
  Ast *ast = parse_file(&set, id, &arena, &diag);
  FILE *dump = open_memstream(&out.ast, &alen);
  ast_dump_file(dump, ast);
  fclose(dump);
  fclose(diags);
  out.errors = diag.errors;
  arena_free(&arena);
  src_free(&set);
  return out;
}

static void parsed_free(Parsed *p) {
  free(p->ast);
  free(p->diags);
}

/* Removes the " [begin,end)" at the end of every dump line, in place. */
static char *strip_spans(char *s) {
  char *out = s;
  const char *in = s;
  while (*in) {
    const char *eol = strchr(in, '\n');
    size_t n = eol ? (size_t)(eol - in) : strlen(in);
    size_t keep = n;
    if (n > 0 && in[n - 1] == ')') {
      for (size_t i = n; i-- > 0;)
        if (in[i] == '[') {
          keep = i > 0 && in[i - 1] == ' ' ? i - 1 : i;
          break;
        }
    }
    memmove(out, in, keep);
    out += keep;
    in += n;
    if (*in == '\n') {
      *out++ = '\n';
      in++;
    }
  }
  *out = '\0';
  return s;
}

/* Parses TEXT, which must have no error, and compares the full dump. */
static void expect_ast(const char *text, const char *expected) {
  Parsed p = parse_text(text);
  cr_expect_str_eq(p.diags, "", "unexpected diagnostics for «%s»:\n%s", text, p.diags);
  cr_expect_str_eq(p.ast, expected, "AST of «%s»:\n%s", text, p.ast);
  parsed_free(&p);
}

/* Parses `indicator x = EXPR` and compares the expression's dump (spans
 * stripped, indented one level under the indicator) with EXPECTED. */
static void expect_expr(const char *expr, const char *expected) {
  char *text = concat("indicator x = ", expr);
  Parsed p = parse_text(text);
  cr_expect_str_eq(p.diags, "", "unexpected diagnostics for «%s»:\n%s", expr, p.diags);
  strip_spans(p.ast);
  char *want = concat("(indicator x)\n", expected);
  cr_expect_str_eq(p.ast, want, "AST of «%s»:\n%s", expr, p.ast);
  free(want);
  free(text);
  parsed_free(&p);
}

/* Parses TEXT and compares the diagnostics (exactly) and the error count. */
static void expect_syntax_errors(const char *text, int count, const char *diags) {
  Parsed p = parse_text(text);
  cr_expect_str_eq(p.diags, diags, "diagnostics of «%s»:\n%s", text, p.diags);
  cr_expect_eq(p.errors, count, "«%s»: %d errors, expected %d", text, p.errors, count);
  parsed_free(&p);
}

/* ---- helpers themselves ----------------------------------------------------- */

Test(parser, strip_spans_helper) {
  char s[] = "(name a) [1,2)\n  (num 1) [3,4)\n(list) [0,9)\n";
  cr_assert_str_eq(strip_spans(s), "(name a)\n  (num 1)\n(list)\n");
}

/* ---- declarations ------------------------------------------------------------ */

Test(parser, empty_file) {
  expect_ast("", "");
  expect_ast("# only a comment\n\n", "");
}

Test(parser, scorecard_and_include) {
  expect_ast("scorecard \"あいうえお\"\ninclude \"common/t.kenko\"\n",
             "(scorecard \"あいうえお\") [0,27)\n"
             "(include \"common/t.kenko\") [28,52)\n");
}

Test(parser, input_minimal) {
  expect_ast("input seats: number", "(input seats) [0,19)\n"
                                    "  (type number) [13,19)\n");
}

Test(parser, input_every_scalar_type) {
  Parsed p = parse_text("input a: text\ninput b: number\ninput c: bool\ninput d: date\n");
  strip_spans(p.ast);
  cr_expect_str_eq(p.ast, "(input a)\n  (type text)\n"
                          "(input b)\n  (type number)\n"
                          "(input c)\n  (type bool)\n"
                          "(input d)\n  (type date)\n");
  cr_expect_str_eq(p.diags, "");
  parsed_free(&p);
}

Test(parser, input_key_with_label) {
  expect_ast("input id \"顧客ID\": text key", "(input id \"顧客ID\" key) [0,29)\n"
                                              "  (type text) [21,25)\n");
}

/* Every modifier, in a different order than usual. */
Test(parser, input_all_modifiers_any_order) {
  expect_ast("input plan \"P\": text from \"契約プラン\" optional in [\"a\", \"b\"]",
             "(input plan \"P\" optional from \"契約プラン\") [0,66)\n"
             "  (type text) [16,20)\n"
             "  (list) [56,66)\n"
             "    (str \"a\") [57,60)\n"
             "    (str \"b\") [62,65)\n");
}

Test(parser, input_list_type_with_field_modifiers) {
  expect_ast("input t: list { p: text in [\"h\"], o: date, c: date optional, } optional",
             "(input t optional) [0,71)\n"
             "  (type list) [9,62)\n"
             "    (field-decl p) [16,32)\n"
             "      (type text) [19,23)\n"
             "      (list) [27,32)\n"
             "        (str \"h\") [28,31)\n"
             "    (field-decl o) [34,41)\n"
             "      (type date) [37,41)\n"
             "    (field-decl c optional) [43,59)\n"
             "      (type date) [46,50)\n");
}

Test(parser, input_modifier_given_twice) {
  expect_syntax_errors("input x: number optional optional", 1,
                       "1:26: error: `optional` is given twice for `x`\n");
}

Test(parser, indicator_with_and_without_label) {
  expect_ast("indicator r \"率\" = a / b\nindicator s = 1", "(indicator r \"率\") [0,25)\n"
                                                            "  (binary /) [20,25)\n"
                                                            "    (name a) [20,21)\n"
                                                            "    (name b) [24,25)\n"
                                                            "(indicator s) [26,41)\n"
                                                            "  (num 1) [40,41)\n");
}

Test(parser, threshold_with_and_without_label) {
  expect_ast("threshold m \"最低\" = 2\nthreshold p = 60%", "(threshold m \"最低\") [0,24)\n"
                                                            "  (num 2) [23,24)\n"
                                                            "(threshold p) [25,42)\n"
                                                            "  (num 0.6 percent) [39,42)\n");
}

Test(parser, outcome) {
  expect_ast("outcome churned", "(outcome) [0,15)\n"
                                "  (name churned) [8,15)\n");
}

Test(parser, dimension_minimal_and_empty) { expect_ast("dimension d { }", "(dimension d) [0,15)\n"); }

/* Every member kind with every optional part, and a grades block. */
Test(parser, dimension_with_every_member_kind) {
  Parsed p = parse_text("dimension u \"U\" weight 40 {\n"
                        "  rule r \"R\" weight 2 : n >= m\n"
                        "  rule q : ok\n"
                        "  score s : scale(n, 0, m * 5)\n"
                        "  score w \"W\" weight 1.5 : n\n"
                        "  score bb \"B\" weight 3 {\n"
                        "    100 when n >= 60%\n"
                        "    50% when n > 1\n"
                        "    m when n > 0\n"
                        "    0 otherwise\n"
                        "  }\n"
                        "  grades { g >= 50 z otherwise }\n"
                        "}\n");
  cr_expect_str_eq(p.diags, "");
  strip_spans(p.ast);
  cr_expect_str_eq(p.ast,
                   "(dimension u \"U\" 40)\n"
                   "  (rule r \"R\" 2)\n"
                   "    (binary >=)\n"
                   "      (name n)\n"
                   "      (name m)\n"
                   "  (rule q)\n"
                   "    (name ok)\n"
                   "  (score s)\n"
                   "    (call scale)\n"
                   "      (name n)\n"
                   "      (num 0)\n"
                   "      (binary *)\n"
                   "        (name m)\n"
                   "        (num 5)\n"
                   "  (score w \"W\" 1.5)\n"
                   "    (name n)\n"
                   "  (bands bb \"B\" 3)\n"
                   "    (band)\n"
                   "      (num 100)\n"
                   "      (binary >=)\n"
                   "        (name n)\n"
                   "        (num 0.6 percent)\n"
                   "    (band)\n"
                   "      (num 0.5 percent)\n"
                   "      (binary >)\n"
                   "        (name n)\n"
                   "        (num 1)\n"
                   "    (band)\n"
                   "      (name m)\n"
                   "      (binary >)\n"
                   "        (name n)\n"
                   "        (num 0)\n"
                   "    (band otherwise)\n"
                   "      (num 0)\n"
                   "  (grades)\n"
                   "    (grade g 50)\n"
                   "      (num 50)\n"
                   "    (grade z otherwise)\n",
                   "%s", p.ast);
  parsed_free(&p);
}

/* Spans of a member and of a band (begin at the keyword / the value). */
Test(parser, member_spans) {
  expect_ast("dimension d {\n  rule r : a\n  score s { 1 when b 0 otherwise }\n}",
             "(dimension d) [0,63)\n"
             "  (rule r) [16,26)\n"
             "    (name a) [25,26)\n"
             "  (bands s) [29,61)\n"
             "    (band) [39,47)\n"
             "      (num 1) [39,40)\n"
             "      (name b) [46,47)\n"
             "    (band otherwise) [48,59)\n"
             "      (num 0) [48,49)\n");
}

/* `outcome` is a keyword, but may name a dimension and be used as one. */
Test(parser, dimension_named_outcome) {
  Parsed p = parse_text("dimension outcome { rule q : b }\nflag f when outcome.grade == bad");
  cr_expect_str_eq(p.diags, "");
  strip_spans(p.ast);
  cr_expect_str_eq(p.ast, "(dimension outcome)\n"
                          "  (rule q)\n"
                          "    (name b)\n"
                          "(flag f)\n"
                          "  (binary ==)\n"
                          "    (field grade)\n"
                          "      (name outcome)\n"
                          "    (name bad)\n");
  parsed_free(&p);
}

Test(parser, grades_top_level) {
  expect_ast("grades {\n  good \"グッド\" >= 70\n  normal >= 40\n  bad \"バッド\" otherwise\n}",
             "(grades) [0,78)\n"
             "  (grade good \"グッド\" 70) [11,33)\n"
             "    (num 70) [31,33)\n"
             "  (grade normal 40) [36,48)\n"
             "    (num 40) [46,48)\n"
             "  (grade bad \"バッド\" otherwise) [51,76)\n");
}

Test(parser, persona_with_every_override) {
  Parsed p = parse_text("persona lo \"L\" when n >= 4 {\n"
                        "  threshold m = 3\n"
                        "  threshold k \"K\" = 5%\n"
                        "  weight u = 60\n"
                        "  weight u.r = 0\n"
                        "  grades { good >= 60 bad otherwise }\n"
                        "}\n"
                        "persona em when b { }\n"
                        "persona ac \"A\" otherwise\n");
  cr_expect_str_eq(p.diags, "");
  strip_spans(p.ast);
  cr_expect_str_eq(p.ast,
                   "(persona lo \"L\")\n"
                   "  (binary >=)\n"
                   "    (name n)\n"
                   "    (num 4)\n"
                   "  (threshold m)\n"
                   "    (num 3)\n"
                   "  (threshold k \"K\")\n"
                   "    (num 0.05 percent)\n"
                   "  (weight 60)\n"
                   "    (name u)\n"
                   "    (num 60)\n"
                   "  (weight 0)\n"
                   "    (field r)\n"
                   "      (name u)\n"
                   "    (num 0)\n"
                   "  (grades)\n"
                   "    (grade good 60)\n"
                   "      (num 60)\n"
                   "    (grade bad otherwise)\n"
                   "(persona em)\n"
                   "  (name b)\n"
                   "(persona ac \"A\" otherwise)\n",
                   "%s", p.ast);
  parsed_free(&p);
}

Test(parser, persona_spans) {
  expect_ast("persona a when x\npersona b otherwise { weight d = 0 }", "(persona a) [0,16)\n"
                                                                       "  (name x) [15,16)\n"
                                                                       "(persona b otherwise) [17,53)\n"
                                                                       "  (weight 0) [39,51)\n"
                                                                       "    (name d) [46,47)\n"
                                                                       "    (num 0) [50,51)\n");
}

Test(parser, segment) {
  expect_ast("segment touch \"T\" { high \"H\" when arr >= 3_000_000  low otherwise }",
             "(segment touch \"T\") [0,67)\n"
             "  (case high \"H\") [20,50)\n"
             "    (binary >=) [34,50)\n"
             "      (name arr) [34,37)\n"
             "      (num 3000000) [41,50)\n"
             "  (case low otherwise) [52,65)\n");
}

Test(parser, flag_full_and_minimal) {
  expect_ast("flag f \"F\" severity high when a action \"やる\"\nflag g when b",
             "(flag f \"F\" action \"やる\") [0,47)\n"
             "  (name a) [30,31)\n"
             "  (name high) [20,24)\n"
             "(flag g) [48,61)\n"
             "  (name b) [60,61)\n");
}

Test(parser, flag_with_flagged_call) {
  Parsed p = parse_text("flag f2 severity low when flagged(f) and not flagged(g)");
  cr_expect_str_eq(p.diags, "");
  strip_spans(p.ast);
  cr_expect_str_eq(p.ast, "(flag f2)\n"
                          "  (binary and)\n"
                          "    (call flagged)\n"
                          "      (name f)\n"
                          "    (unary not)\n"
                          "      (call flagged)\n"
                          "        (name g)\n"
                          "  (name low)\n");
  parsed_free(&p);
}

Test(parser, journey_with_label_name_or_neither) {
  Parsed p = parse_text("journey \"J\" { step a1 \"①\" when n >= 1 step a2 when not b }\n"
                        "journey named \"N\" { step a3 when b }\n"
                        "journey { step a4 when c }\n");
  cr_expect_str_eq(p.diags, "");
  strip_spans(p.ast);
  cr_expect_str_eq(p.ast,
                   "(journey \"J\")\n"
                   "  (step a1 \"①\")\n"
                   "    (binary >=)\n"
                   "      (name n)\n"
                   "      (num 1)\n"
                   "  (step a2)\n"
                   "    (unary not)\n"
                   "      (name b)\n"
                   "(journey named \"N\")\n"
                   "  (step a3)\n"
                   "    (name b)\n"
                   "(journey)\n"
                   "  (step a4)\n"
                   "    (name c)\n",
                   "%s", p.ast);
  parsed_free(&p);
}

Test(parser, forecast_with_and_without_weighted_by) {
  expect_ast("forecast r \"R\" weighted by arr { good 95% bad 0.6 }\nforecast s { good 1 }",
             "(forecast r \"R\") [0,51)\n"
             "  (name arr) [27,30)\n"
             "  (rate good 0.95) [33,41)\n"
             "    (num 0.95 percent) [38,41)\n"
             "  (rate bad 0.6) [42,49)\n"
             "    (num 0.6) [46,49)\n"
             "(forecast s) [52,73)\n"
             "  (rate good 1) [65,71)\n"
             "    (num 1) [70,71)\n");
}

/* as_of, given with every literal kind and nested lists of records,
 * trailing commas, and expect. */
Test(parser, test_block_full) {
  Parsed p = parse_text("test \"t1\" {\n"
                        "  as_of 2026-11-01\n"
                        "  given { id: \"t1\", n: -3, r: 95%, b: false, ok: true, d: 2026-10-01,\n"
                        "          plan: missing,\n"
                        "          t: [ { p: \"h\", o: 2026-10-20, tags: [\"x\", \"y\"] }, {} ],\n"
                        "          e: [], y: [1, 2,], }\n"
                        "  expect persona == lo\n"
                        "  expect not flagged(f)\n"
                        "}\n");
  cr_expect_str_eq(p.diags, "");
  strip_spans(p.ast);
  cr_expect_str_eq(p.ast,
                   "(test \"t1\")\n"
                   "  (as-of 2026-11-01)\n"
                   "  (given)\n"
                   "    (field-value id)\n"
                   "      (str \"t1\")\n"
                   "    (field-value n)\n"
                   "      (num -3)\n"
                   "    (field-value r)\n"
                   "      (num 0.95 percent)\n"
                   "    (field-value b)\n"
                   "      (bool false)\n"
                   "    (field-value ok)\n"
                   "      (bool true)\n"
                   "    (field-value d)\n"
                   "      (date 2026-10-01)\n"
                   "    (field-value plan)\n"
                   "      (missing)\n"
                   "    (field-value t)\n"
                   "      (list)\n"
                   "        (record)\n"
                   "          (field-value p)\n"
                   "            (str \"h\")\n"
                   "          (field-value o)\n"
                   "            (date 2026-10-20)\n"
                   "          (field-value tags)\n"
                   "            (list)\n"
                   "              (str \"x\")\n"
                   "              (str \"y\")\n"
                   "        (record)\n"
                   "    (field-value e)\n"
                   "      (list)\n"
                   "    (field-value y)\n"
                   "      (list)\n"
                   "        (num 1)\n"
                   "        (num 2)\n"
                   "  (expect)\n"
                   "    (binary ==)\n"
                   "      (name persona)\n"
                   "      (name lo)\n"
                   "  (expect)\n"
                   "    (unary not)\n"
                   "      (call flagged)\n"
                   "        (name f)\n",
                   "%s", p.ast);
  parsed_free(&p);
}

Test(parser, test_block_spans_and_empty_given) {
  expect_ast("test \"t2\" { given {} }\ntest \"t3\" { }", "(test \"t2\") [0,22)\n"
                                                          "  (given) [12,20)\n"
                                                          "(test \"t3\") [23,36)\n");
}

/* ---- expressions: each form ------------------------------------------------- */

Test(parser, literals) {
  expect_expr("12", "  (num 12)\n");
  expect_expr("1_000_000", "  (num 1000000)\n");
  expect_expr("95%", "  (num 0.95 percent)\n");
  expect_expr("\"テキスト\"", "  (str \"テキスト\")\n");
  expect_expr("2026-11-22", "  (date 2026-11-22)\n");
  expect_expr("true", "  (bool true)\n");
  expect_expr("false", "  (bool false)\n");
  expect_expr("missing", "  (missing)\n");
}

/* `as_of` and `persona` are keywords that read as names in expressions. */
Test(parser, names_and_keyword_references) {
  expect_expr("seat_ratio", "  (name seat_ratio)\n");
  expect_expr("契約プラン", "  (name 契約プラン)\n");
  expect_expr("as_of", "  (name as_of)\n");
  expect_expr("persona", "  (name persona)\n");
}

Test(parser, field_access_chains_left) {
  expect_expr("a.b.c", "  (field c)\n    (field b)\n      (name a)\n");
  expect_expr("utilization.grade", "  (field grade)\n    (name utilization)\n");
}

Test(parser, calls) {
  expect_expr("f()", "  (call f)\n");
  expect_expr("days(contract_start, as_of)", "  (call days)\n    (name contract_start)\n    (name as_of)\n");
  expect_expr("round(x, 1)", "  (call round)\n    (name x)\n    (num 1)\n");
}

Test(parser, aggregates_with_where) {
  expect_expr("count(tickets where priority == \"high\" and closed is missing)", "  (call count)\n"
                                                                                 "    (where)\n"
                                                                                 "      (name tickets)\n"
                                                                                 "      (binary and)\n"
                                                                                 "        (binary ==)\n"
                                                                                 "          (name priority)\n"
                                                                                 "          (str \"high\")\n"
                                                                                 "        (is-missing)\n"
                                                                                 "          (name closed)\n");
  expect_expr("sum(t.amount where paid)", "  (call sum)\n"
                                          "    (where)\n"
                                          "      (field amount)\n"
                                          "        (name t)\n"
                                          "      (name paid)\n");
  expect_expr("count(t)", "  (call count)\n    (name t)\n");
}

Test(parser, unary_minus) {
  expect_expr("-x", "  (unary -)\n    (name x)\n");
  expect_expr("- -x", "  (unary -)\n    (unary -)\n      (name x)\n");
  /* unary minus binds tighter than `*` */
  expect_expr("-a * b", "  (binary *)\n    (unary -)\n      (name a)\n    (name b)\n");
  expect_expr("a * -b", "  (binary *)\n    (name a)\n    (unary -)\n      (name b)\n");
  /* postfix binds tighter than unary minus */
  expect_expr("-u.s", "  (unary -)\n    (field s)\n      (name u)\n");
}

Test(parser, arithmetic_precedence_and_associativity) {
  expect_expr("x + y * z", "  (binary +)\n    (name x)\n    (binary *)\n      (name y)\n      (name z)\n");
  expect_expr("x * y + z", "  (binary +)\n    (binary *)\n      (name x)\n      (name y)\n    (name z)\n");
  expect_expr("a - b - c", "  (binary -)\n    (binary -)\n      (name a)\n      (name b)\n    (name c)\n");
  expect_expr("a / b % c", "  (binary %)\n    (binary /)\n      (name a)\n      (name b)\n    (name c)\n");
  expect_expr("a % b * c", "  (binary *)\n    (binary %)\n      (name a)\n      (name b)\n    (name c)\n");
}

Test(parser, parentheses_group) {
  expect_expr("(a + b) * c", "  (binary *)\n    (binary +)\n      (name a)\n      (name b)\n    (name c)\n");
  expect_expr("a - (b - c)", "  (binary -)\n    (name a)\n    (binary -)\n      (name b)\n      (name c)\n");
  expect_expr("((x))", "  (name x)\n");
}

Test(parser, coalesce_precedence) {
  /* `??` binds looser than `+` */
  expect_expr("a ?? b + c", "  (binary ?\?)\n    (name a)\n    (binary +)\n      (name b)\n      (name c)\n");
  /* left associative */
  expect_expr("a ?? b ?? c",
              "  (binary ?\?)\n    (binary ?\?)\n      (name a)\n      (name b)\n    (name c)\n");
  /* and tighter than comparisons: `x ?? 0 >= 3` is `(x ?? 0) >= 3` */
  expect_expr("x ?? 0 >= 3", "  (binary >=)\n    (binary ?\?)\n      (name x)\n      (num 0)\n    (num 3)\n");
}

Test(parser, every_comparison) {
  expect_expr("a == b", "  (binary ==)\n    (name a)\n    (name b)\n");
  expect_expr("a != b", "  (binary !=)\n    (name a)\n    (name b)\n");
  expect_expr("a < b", "  (binary <)\n    (name a)\n    (name b)\n");
  expect_expr("a <= b", "  (binary <=)\n    (name a)\n    (name b)\n");
  expect_expr("a > b", "  (binary >)\n    (name a)\n    (name b)\n");
  expect_expr("a >= b", "  (binary >=)\n    (name a)\n    (name b)\n");
  expect_expr("a + 1 < b * 2", "  (binary <)\n"
                               "    (binary +)\n      (name a)\n      (num 1)\n"
                               "    (binary *)\n      (name b)\n      (num 2)\n");
}

Test(parser, in_list) {
  expect_expr("persona in [loyal, active]",
              "  (in)\n    (name persona)\n    (list)\n      (name loyal)\n      (name active)\n");
  expect_expr("x in []", "  (in)\n    (name x)\n    (list)\n");
  expect_expr("x in [1, 2,]", "  (in)\n    (name x)\n    (list)\n      (num 1)\n      (num 2)\n");
  expect_expr("a + 1 in [2]",
              "  (in)\n    (binary +)\n      (name a)\n      (num 1)\n    (list)\n      (num 2)\n");
}

Test(parser, is_missing_and_is_not_missing) {
  expect_expr("x is missing", "  (is-missing)\n    (name x)\n");
  expect_expr("x is not missing", "  (is-missing not)\n    (name x)\n");
  expect_expr("x ?? 0 is missing", "  (is-missing)\n    (binary ?\?)\n      (name x)\n      (num 0)\n");
}

Test(parser, not_precedence) {
  /* `not` binds looser than comparisons */
  expect_expr("not a == b", "  (unary not)\n    (binary ==)\n      (name a)\n      (name b)\n");
  expect_expr("not x in [a]", "  (unary not)\n    (in)\n      (name x)\n      (list)\n        (name a)\n");
  expect_expr("not x is missing", "  (unary not)\n    (is-missing)\n      (name x)\n");
  /* and tighter than `and` */
  expect_expr("not a and b", "  (binary and)\n    (unary not)\n      (name a)\n    (name b)\n");
  expect_expr("not not a", "  (unary not)\n    (unary not)\n      (name a)\n");
}

Test(parser, and_or_precedence) {
  expect_expr("a or b and c",
              "  (binary or)\n    (name a)\n    (binary and)\n      (name b)\n      (name c)\n");
  expect_expr("a and b or c",
              "  (binary or)\n    (binary and)\n      (name a)\n      (name b)\n    (name c)\n");
  expect_expr("a or b or c",
              "  (binary or)\n    (binary or)\n      (name a)\n      (name b)\n    (name c)\n");
  expect_expr("a and b and c",
              "  (binary and)\n    (binary and)\n      (name a)\n      (name b)\n    (name c)\n");
  expect_expr("a == 1 or b < 2 and not c", "  (binary or)\n"
                                           "    (binary ==)\n      (name a)\n      (num 1)\n"
                                           "    (binary and)\n"
                                           "      (binary <)\n        (name b)\n        (num 2)\n"
                                           "      (unary not)\n        (name c)\n");
}

Test(parser, if_then_else) {
  /* the else branch extends as far as possible */
  expect_expr("if c then 1 else 2 + 3",
              "  (if)\n    (name c)\n    (num 1)\n    (binary +)\n      (num 2)\n      (num 3)\n");
  expect_expr("if a or b then x else y",
              "  (if)\n    (binary or)\n      (name a)\n      (name b)\n    (name x)\n    (name y)\n");
  expect_expr("if a then if b then 1 else 2 else 3",
              "  (if)\n    (name a)\n    (if)\n      (name b)\n      (num 1)\n      (num 2)\n    (num 3)\n");
  expect_expr("if a then 1 else if b then 2 else 3",
              "  (if)\n    (name a)\n    (num 1)\n    (if)\n      (name b)\n      (num 2)\n      (num 3)\n");
  expect_expr("(if a then 1 else 2) + 3",
              "  (binary +)\n    (if)\n      (name a)\n      (num 1)\n      (num 2)\n    (num 3)\n");
}

Test(parser, list_literal_elements_are_expressions) {
  expect_expr("x in [a + 1, -2, \"s\"]", "  (in)\n    (name x)\n    (list)\n"
                                         "      (binary +)\n        (name a)\n        (num 1)\n"
                                         "      (unary -)\n        (num 2)\n"
                                         "      (str \"s\")\n");
}

/* Expression spans: a binary node spans its operands; parentheses are
 * not part of the inner node's span. */
Test(parser, expression_spans) {
  expect_ast("indicator x = (a + b) * -c", "(indicator x) [0,26)\n"
                                           "  (binary *) [14,26)\n"
                                           "    (binary +) [15,20)\n"
                                           "      (name a) [15,16)\n"
                                           "      (name b) [19,20)\n"
                                           "    (unary -) [24,26)\n"
                                           "      (name c) [25,26)\n");
}

/* A declaration may span several lines; comments may sit between. */
Test(parser, declarations_across_lines_and_comments) {
  Parsed p = parse_text("indicator open_high \"未解決\" =   # comment\n"
                        "  count(tickets\n"
                        "        where closed is missing)\n"
                        "flag f\n  when open_high > 0\n  action \"a\"\n");
  cr_expect_str_eq(p.diags, "");
  strip_spans(p.ast);
  cr_expect_str_eq(p.ast, "(indicator open_high \"未解決\")\n"
                          "  (call count)\n"
                          "    (where)\n"
                          "      (name tickets)\n"
                          "      (is-missing)\n"
                          "        (name closed)\n"
                          "(flag f action \"a\")\n"
                          "  (binary >)\n"
                          "    (name open_high)\n"
                          "    (num 0)\n");
  parsed_free(&p);
}

/* The BOM is skipped; spans are still byte offsets into the file. */
Test(parser, bom_offsets) {
  expect_ast("\xEF\xBB\xBFthreshold t = 1", "(threshold t) [3,18)\n  (num 1) [17,18)\n");
}

/* ---- syntax errors -------------------------------------------------------------- */

Test(parser, error_expected_tokens_in_member) {
  expect_syntax_errors("dimension e { rule r a > 1 }", 1,
                       "1:22: error: expected a string, `weight` or `:`, found name `a`\n");
}

Test(parser, error_expected_tokens_in_input) {
  expect_syntax_errors("input b number", 1, "1:9: error: expected a string or `:`, found `number`\n");
}

Test(parser, error_expected_number_after_weight) {
  expect_syntax_errors("dimension d weight { rule r : a }", 1, "1:20: error: expected a number, found `{`\n");
}

Test(parser, error_expected_expression_at_end_of_file) {
  expect_syntax_errors("indicator x =", 1, "1:14: error: expected an expression, found end of file\n");
}

/* A string is an expression: the list says "an expression" once. And no
 * "(keywords cannot be names)": the keyword starts the next declaration
 * (that hint was once given here). */
Test(parser, error_expected_expression_before_next_declaration) {
  expect_syntax_errors("indicator x = a +\nindicator y = 1", 1,
                       "2:1: error: expected an expression, found `indicator`\n");
}

Test(parser, error_keyword_as_a_name) {
  expect_syntax_errors("input if: number", 1,
                       "1:7: error: expected a name, found the keyword `if` (keywords cannot be names)\n");
}

Test(parser, error_unclosed_parenthesis_names_its_line) {
  Parsed p = parse_text("indicator x = (a +\n  b\n\nindicator y = 1");
  cr_expect_eq(p.errors, 1);
  cr_expect(strstr(p.diags, "(to close `(` at line 1)") != NULL, "%s", p.diags);
  cr_expect(strncmp(p.diags, "4:1: error: ", 12) == 0, "%s", p.diags);
  parsed_free(&p);
}

Test(parser, error_comparison_chain) {
  expect_syntax_errors("indicator ok = 0 <= x <= 10", 1,
                       "1:23: error: comparisons do not chain; join two of them with `and`, as in "
                       "`a <= x and x <= b`\n");
  expect_syntax_errors("indicator ok = a < b < c", 1,
                       "1:22: error: comparisons do not chain; join two of them with `and`, as in "
                       "`a <= x and x <= b`\n");
  expect_syntax_errors("indicator ok = a == b == c", 1,
                       "1:23: error: comparisons do not chain; join two of them with `and`, as in "
                       "`a <= x and x <= b`\n");
}

/* Parenthesised comparisons are fine: `(a < b) == c`. */
Test(parser, parenthesised_comparison_is_not_a_chain) {
  expect_expr("(a < b) == c",
              "  (binary ==)\n    (binary <)\n      (name a)\n      (name b)\n    (name c)\n");
}

Test(parser, error_single_equals_in_a_condition) {
  expect_syntax_errors("flag f when plan = \"pro\"", 1,
                       "1:18: error: unexpected `=`; to compare two values, write `==`\n");
}

/* Three independent errors in three declarations: three messages, and
 * the good declarations around them still parse (a comparison chain
 * keeps its declaration, with a `missing` in place of the expression). */
Test(parser, recovery_three_errors) {
  Parsed p = parse_text("input a: number\n"
                        "input b number\n"
                        "dimension d { rule r a > 1\n"
                        "  rule s : a > 2 }\n"
                        "indicator ok = a < 1 < 2\n"
                        "threshold t = 5\n");
  cr_expect_str_eq(p.diags,
                   "2:9: error: expected a string or `:`, found `number`\n"
                   "3:22: error: expected a string, `weight` or `:`, found name `a`\n"
                   "5:22: error: comparisons do not chain; join two of them with `and`, as in "
                   "`a <= x and x <= b`\n",
                   "%s", p.diags);
  cr_expect_eq(p.errors, 3);
  strip_spans(p.ast);
  cr_expect_str_eq(p.ast,
                   "(input a)\n"
                   "  (type number)\n"
                   "(dimension d)\n"
                   "  (rule s)\n"
                   "    (binary >)\n"
                   "      (name a)\n"
                   "      (num 2)\n"
                   "(indicator ok)\n"
                   "  (missing)\n"
                   "(threshold t)\n"
                   "  (num 5)\n",
                   "%s", p.ast);
  parsed_free(&p);
}

/* Errors inside brackets recover at the closing bracket. */
Test(parser, recovery_inside_brackets) {
  Parsed p = parse_text("indicator x = (1 +) * 2\nindicator y = [1 2]\nindicator z = 3\n");
  cr_expect_eq(p.errors, 2, "%s", p.diags);
  cr_expect(strstr(p.ast, "(indicator z)") != NULL, "%s", p.ast);
  parsed_free(&p);
}

/* Regression: a stray token right after a complete declaration once
 * made the parser drop that (valid) declaration too (with LAC the error
 * was detected before the declaration was reduced, and recovery popped
 * it); its name then looked undeclared to the checker. */
Test(parser, recovery_keeps_the_declaration_before_a_stray_token) {
  Parsed p = parse_text("indicator y = a * 2\nrule z : 1\nindicator w = 1\n");
  cr_expect_eq(p.errors, 1, "%s", p.diags);
  strip_spans(p.ast);
  cr_expect(strstr(p.ast, "(indicator y)") != NULL, "indicator y was dropped:\n%s", p.ast);
  cr_expect(strstr(p.ast, "(indicator w)") != NULL, "%s", p.ast);
  parsed_free(&p);
}

/* A syntax error in one test block does not hide the next test. */
Test(parser, recovery_in_test_block) {
  Parsed p = parse_text("test \"a\" { as_of 2026-13-01 expect x == }\ntest \"b\" { expect y }\n");
  cr_expect_eq(p.errors, 2, "%s", p.diags);
  cr_expect(strstr(p.ast, "(test \"b\")") != NULL, "%s", p.ast);
  parsed_free(&p);
}
