/* parser.y — kenko's grammar: declarations, expressions, test data.
 *
 * A pure (reentrant) parser with locations. Actions only build nodes with
 * the ast_* constructors (and parse_* helpers for the few checks that
 * belong to the syntax). `error` productions after declarations, members
 * and inside brackets let one run report several syntax errors; messages
 * list the expected tokens (LAC keeps that list right). */

%require "3.8"
%define api.pure full
%define api.prefix {kk_yy}
%define api.value.type union
%define api.location.type {Span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0

%param {void *scanner}
%parse-param {ParseState *ps}

%code requires {
#include "front/parse.h"
}

%code provides {
int kk_yylex(KK_YYSTYPE *yylval, KK_YYLTYPE *yylloc, void *scanner);
}

%code {
#include <string.h>

#include "base/i18n.h"

#define YYLLOC_DEFAULT(Cur, Rhs, N)                      \
  do {                                                   \
    if (N) {                                             \
      (Cur).file = YYRHSLOC(Rhs, 1).file;                \
      (Cur).begin = YYRHSLOC(Rhs, 1).begin;              \
      (Cur).end = YYRHSLOC(Rhs, N).end;                  \
    } else {                                             \
      (Cur).file = YYRHSLOC(Rhs, 0).file;                \
      (Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end;    \
    }                                                    \
  } while (0)

#define YYMAXDEPTH 20000

static void kk_yyerror(const Span *loc, void *scanner, ParseState *ps, const char *msg);

#define ARENA (ps->arena)
#define DEPTH(n) parse_expr_depth(ps, (n))
}

%token END 0                "end of file"
%token <const char *> IDENT "name"
%token <const char *> STRING "string"
%token <double> NUMBER      "number"
%token <double> PERCENT     "percent"
%token <int32_t> DATE       "date"
%token <int64_t> DURATION   "duration"

%token SCORECARD "`scorecard`" INCLUDE "`include`" INPUT "`input`"
%token INDICATOR "`indicator`" THRESHOLD "`threshold`" DIMENSION "`dimension`"
%token RULE "`rule`" SCORE "`score`" WEIGHT "`weight`" GRADES "`grades`"
%token PERSONA "`persona`" SEGMENT "`segment`" FLAG "`flag`"
%token SEVERITY "`severity`" ACTION "`action`" JOURNEY "`journey`"
%token STEP "`step`" FORECAST "`forecast`" WEIGHTED "`weighted`" BY "`by`"
%token SNAPSHOT "`snapshot`" KPI "`kpi`" TARGET "`target`"
%token DISPLAY "`display`" KEPT "`kept`"
%token OUTCOME "`outcome`" TEST "`test`" GIVEN "`given`" EXPECT "`expect`"
%token AS_OF "`as_of`" WHEN "`when`" OTHERWISE "`otherwise`"
%token AND "`and`" OR "`or`" NOT "`not`" IN "`in`" IS "`is`" FROM "`from`"
%token IF "`if`" THEN "`then`" ELSE "`else`" TRUE "`true`" FALSE "`false`"
%token MISSING "`missing`" WHERE "`where`" KEY "`key`" OPTIONAL "`optional`"
%token LIST "`list`" TEXT "`text`" NUMBER_KW "`number`" BOOL "`bool`"
%token DATE_KW "`date`"
%token EQ "`==`" NE "`!=`" LE "`<=`" GE "`>=`" COALESCE "`??`"
%token '<' "`<`" '>' "`>`" '=' "`=`" '+' "`+`" '-' "`-`" '*' "`*`" '/' "`/`"
%token '%' "`%`" '.' "`.`" ',' "`,`" ':' "`:`" '(' "`(`" ')' "`)`"
%token '[' "`[`" ']' "`]`" '{' "`{`" '}' "`}`"

%type <const char *> name label_opt
%type <Node *> decl input_decl type scalar_type field_decls field_decl
%type <Node *> dimension_decl dim_items member bands band band_value
%type <Node *> grades_decl grade_bands grade_band weight_opt number_lit
%type <Node *> persona_decl persona_body overrides override weight_target
%type <Node *> segment_decl cases seg_case flag_decl severity_opt
%type <Node *> journey_decl steps step forecast_decl weighted_opt rates rate
%type <Node *> kpi_decl test_decl test_items test_item field_values field_value literal
%type <Node *> given_records given_record kpi_expect_value
%type <Node *> literals list_lit exprs
%type <Node *> expr or_expr and_expr not_expr cmp_expr coal_expr add_expr
%type <Node *> mul_expr unary postfix primary args arg
%type <const char *> action_opt

%%

file
  : decls
  ;

decls
  : %empty
  | decls decl            { if ($2) parse_push_decl(ps, $2); }
  | decls error
  ;

/* name -> IDENT | `outcome` (a dimension may be called outcome) |
 * `snapshot` (a keyword only after an input's type, since v2) */
name
  : IDENT                 { $$ = $1; }
  | OUTCOME               { $$ = "outcome"; }
  | SNAPSHOT              { $$ = "snapshot"; }
  | DISPLAY               { $$ = "display"; }
  | KEPT                  { $$ = "kept"; }
  | KPI                   { $$ = "kpi"; }
  | TARGET                { $$ = "target"; }
  ;

label_opt
  : %empty                { $$ = NULL; }
  | STRING                { $$ = $1; }
  ;

decl
  : SCORECARD STRING      { $$ = ast_leaf_str(ARENA, D_SCORECARD, @$, $2); }
  | INCLUDE STRING        { $$ = ast_leaf_str(ARENA, D_INCLUDE, @$, $2); }
  | input_decl
  | INDICATOR name label_opt '=' expr
      { $$ = ast_new(ARENA, D_INDICATOR, @$); ast_set_name($$, $2, @2, $3); $$->a = $5; }
  | THRESHOLD name label_opt '=' expr
      { $$ = ast_new(ARENA, D_THRESHOLD, @$); ast_set_name($$, $2, @2, $3); $$->a = $5; }
    /* A broken expression keeps its declaration (with LAC the error is
     * found before the expression is reduced, and recovery at the top
     * level would drop the whole declaration). */
  | INDICATOR name label_opt '=' error
      { $$ = ast_new(ARENA, D_INDICATOR, @$); ast_set_name($$, $2, @2, $3); $$->a = ast_new(ARENA, E_MISSING, @5); }
  | THRESHOLD name label_opt '=' error
      { $$ = ast_new(ARENA, D_THRESHOLD, @$); ast_set_name($$, $2, @2, $3); $$->a = ast_new(ARENA, E_MISSING, @5); }
  | dimension_decl
  | grades_decl
  | persona_decl
  | segment_decl
  | flag_decl
  | journey_decl
  | forecast_decl
  | OUTCOME name          { $$ = ast_new(ARENA, D_OUTCOME, @$); $$->a = ast_name(ARENA, @2, $2); }
  | test_decl
  | kpi_decl
  ;

/* kpi_decl -> `kpi` name label? `=` expr (`target` (`>=`|`<=`|`>`|`<`) number)? */
kpi_decl
  : KPI name label_opt '=' expr
      { $$ = ast_new(ARENA, D_KPI, @$); ast_set_name($$, $2, @2, $3); $$->a = $5; }
  | kpi_decl TARGET GE number_lit { $$ = parse_kpi_target(ps, $1, OP_GE, $4, @$); }
  | kpi_decl TARGET LE number_lit { $$ = parse_kpi_target(ps, $1, OP_LE, $4, @$); }
  | kpi_decl TARGET '>' number_lit { $$ = parse_kpi_target(ps, $1, OP_GT, $4, @$); }
  | kpi_decl TARGET '<' number_lit { $$ = parse_kpi_target(ps, $1, OP_LT, $4, @$); }
  ;

/* input_decl -> `input` name label? `:` type modifier* */
input_decl
  : INPUT name label_opt ':' type
      { $$ = ast_new(ARENA, D_INPUT, @$); ast_set_name($$, $2, @2, $3); $$->a = $5; }
  | input_decl KEY        { $$ = $1; $$->span = span_join($$->span, @2); parse_input_modifier(ps, $$, MOD_KEY, NULL, NULL, @2); }
  | input_decl OPTIONAL   { $$ = $1; $$->span = span_join($$->span, @2); parse_input_modifier(ps, $$, MOD_OPTIONAL, NULL, NULL, @2); }
  | input_decl IN list_lit
      { $$ = $1; $$->span = span_join($$->span, @3); parse_input_modifier(ps, $$, MOD_IN, $3, NULL, span_join(@2, @3)); }
  | input_decl FROM STRING
      { $$ = $1; $$->span = span_join($$->span, @3); parse_input_modifier(ps, $$, MOD_FROM, NULL, $3, span_join(@2, @3)); }
  | input_decl SNAPSHOT   { $$ = $1; $$->span = span_join($$->span, @2); parse_input_modifier(ps, $$, MOD_SNAPSHOT, NULL, NULL, @2); }
  | input_decl DISPLAY    { $$ = $1; $$->span = span_join($$->span, @2); parse_input_modifier(ps, $$, MOD_DISPLAY, NULL, NULL, @2); }
  | input_decl KEPT       { $$ = $1; $$->span = span_join($$->span, @2); parse_input_modifier(ps, $$, MOD_KEPT, NULL, NULL, @2); }
  ;

type
  : scalar_type
  | LIST '{' field_decls '}'   { $$ = $3; $$->span = @$; }
  | LIST '{' field_decls ',' '}' { $$ = $3; $$->span = @$; }
  ;

scalar_type
  : TEXT        { $$ = ast_new(ARENA, T_TYPE, @$); $$->op = TY_TEXT; }
  | NUMBER_KW   { $$ = ast_new(ARENA, T_TYPE, @$); $$->op = TY_NUMBER; }
  | BOOL        { $$ = ast_new(ARENA, T_TYPE, @$); $$->op = TY_BOOL; }
  | DATE_KW     { $$ = ast_new(ARENA, T_TYPE, @$); $$->op = TY_DATE; }
  ;

field_decls
  : field_decl
      { $$ = ast_new(ARENA, T_TYPE, @$); $$->op = TY_LIST; ast_push(ARENA, &$$->list, $1); }
  | field_decls ',' field_decl   { $$ = $1; ast_push(ARENA, &$$->list, $3); }
  ;

/* field_decl -> name `:` scalar_type (`optional` | `in` list)* */
field_decl
  : name ':' scalar_type
      { $$ = ast_new(ARENA, P_FIELD_DECL, @$); ast_set_name($$, $1, @1, NULL); $$->a = $3; }
  | field_decl OPTIONAL   { $$ = $1; $$->span = span_join($$->span, @2); parse_input_modifier(ps, $$, MOD_OPTIONAL, NULL, NULL, @2); }
  | field_decl IN list_lit
      { $$ = $1; $$->span = span_join($$->span, @3); parse_input_modifier(ps, $$, MOD_IN, $3, NULL, span_join(@2, @3)); }
  ;

/* dimension_decl -> `dimension` name label? (`weight` number)? `{` member* `}` */
dimension_decl
  : DIMENSION name label_opt weight_opt '{' dim_items '}'
      {
        $$ = $6; $$->span = @$; ast_set_name($$, $2, @2, $3);
        if ($4) { $$->num = $4->num; $$->flags |= NF_HAS_WEIGHT; }
      }
  ;

weight_opt
  : %empty                { $$ = NULL; }
  | WEIGHT number_lit     { $$ = $2; }
  ;

number_lit
  : NUMBER                { $$ = ast_leaf_num(ARENA, @$, $1, 0); }
  | PERCENT               { $$ = ast_leaf_num(ARENA, @$, $1, NF_PERCENT); }
  | '-' NUMBER            { $$ = ast_leaf_num(ARENA, @$, -$2, 0); }
  ;

dim_items
  : %empty                { $$ = ast_new(ARENA, D_DIMENSION, @$); }
  | dim_items member      { $$ = $1; ast_push(ARENA, &$$->list, $2); }
  | dim_items grades_decl { $$ = $1; ast_push(ARENA, &$$->list, $2); }
  | dim_items error       { $$ = $1; }
  ;

/* member -> `rule` name label? weight? `:` expr
 *         | `score` name label? weight? (`:` expr | `{` band+ `}`) */
member
  : RULE name label_opt weight_opt ':' expr
      {
        $$ = ast_new(ARENA, P_RULE, @$); ast_set_name($$, $2, @2, $3); $$->a = $6;
        if ($4) { $$->num = $4->num; $$->flags |= NF_HAS_WEIGHT; }
      }
  | SCORE name label_opt weight_opt ':' expr
      {
        $$ = ast_new(ARENA, P_SCORE, @$); ast_set_name($$, $2, @2, $3); $$->a = $6;
        if ($4) { $$->num = $4->num; $$->flags |= NF_HAS_WEIGHT; }
      }
  | SCORE name label_opt weight_opt '{' bands '}'
      {
        $$ = $6; $$->span = @$; ast_set_name($$, $2, @2, $3);
        if ($4) { $$->num = $4->num; $$->flags |= NF_HAS_WEIGHT; }
      }
  ;

bands
  : band                  { $$ = ast_new(ARENA, P_BANDS, @$); ast_push(ARENA, &$$->list, $1); }
  | bands band            { $$ = $1; ast_push(ARENA, &$$->list, $2); }
  | bands error           { $$ = $1; }
  ;

/* band -> band_value `when` expr | band_value `otherwise` */
band
  : band_value WHEN expr  { $$ = ast_ternary(ARENA, P_BAND, @$, $1, $3, NULL); }
  | band_value OTHERWISE  { $$ = ast_ternary(ARENA, P_BAND, @$, $1, NULL, NULL); $$->flags |= NF_OTHERWISE; }
  ;

/* A band's value is a number or a threshold name (an expression could
 * not be told apart from the end of the previous band's condition). */
band_value
  : NUMBER                { $$ = ast_leaf_num(ARENA, @$, $1, 0); }
  | PERCENT               { $$ = ast_leaf_num(ARENA, @$, $1, NF_PERCENT); }
  | name                  { $$ = ast_name(ARENA, @$, $1); }
  ;

grades_decl
  : GRADES '{' grade_bands '}'   { $$ = $3; $$->span = @$; }
  ;

grade_bands
  : grade_band            { $$ = ast_new(ARENA, D_GRADES, @$); ast_push(ARENA, &$$->list, $1); }
  | grade_bands grade_band { $$ = $1; ast_push(ARENA, &$$->list, $2); }
  | grade_bands error     { $$ = $1; }
  ;

/* grade_band -> name label? (`>=` number | `otherwise`) */
grade_band
  : name label_opt GE number_lit
      { $$ = ast_new(ARENA, P_GRADE, @$); ast_set_name($$, $1, @1, $2); $$->num = $4->num; $$->a = $4; }
  | name label_opt OTHERWISE
      { $$ = ast_new(ARENA, P_GRADE, @$); ast_set_name($$, $1, @1, $2); $$->flags |= NF_OTHERWISE; }
  ;

/* persona_decl -> `persona` name label? (`when` expr | `otherwise`) (`{` override* `}`)? */
persona_decl
  : PERSONA name label_opt WHEN expr persona_body
      { $$ = $6; $$->span = @$; ast_set_name($$, $2, @2, $3); $$->a = $5; }
  | PERSONA name label_opt OTHERWISE persona_body
      { $$ = $5; $$->span = @$; ast_set_name($$, $2, @2, $3); $$->flags |= NF_OTHERWISE; }
  ;

persona_body
  : %empty                { $$ = ast_new(ARENA, D_PERSONA, @$); }
  | '{' overrides '}'     { $$ = $2; }
  ;

overrides
  : %empty                { $$ = ast_new(ARENA, D_PERSONA, @$); }
  | overrides override    { $$ = $1; ast_push(ARENA, &$$->list, $2); }
  | overrides error       { $$ = $1; }
  ;

override
  : THRESHOLD name label_opt '=' expr
      { $$ = ast_new(ARENA, D_THRESHOLD, @$); ast_set_name($$, $2, @2, $3); $$->a = $5; }
  | WEIGHT weight_target '=' number_lit
      { $$ = ast_new(ARENA, P_WEIGHT, @$); $$->a = $2; $$->num = $4->num; $$->b = $4; }
  | grades_decl
  ;

weight_target
  : name                  { $$ = ast_name(ARENA, @$, $1); }
  | name '.' name
      { $$ = ast_new(ARENA, E_FIELD, @$); $$->a = ast_name(ARENA, @1, $1); $$->name = $3; $$->name_span = @3; }
  ;

/* segment_decl -> `segment` name label? `{` case+ `}` */
segment_decl
  : SEGMENT name label_opt '{' cases '}'
      { $$ = $5; $$->span = @$; ast_set_name($$, $2, @2, $3); }
  ;

cases
  : seg_case              { $$ = ast_new(ARENA, D_SEGMENT, @$); ast_push(ARENA, &$$->list, $1); }
  | cases seg_case            { $$ = $1; ast_push(ARENA, &$$->list, $2); }
  | cases error           { $$ = $1; }
  ;

seg_case
  : name label_opt WHEN expr
      { $$ = ast_new(ARENA, P_CASE, @$); ast_set_name($$, $1, @1, $2); $$->a = $4; }
  | name label_opt OTHERWISE
      { $$ = ast_new(ARENA, P_CASE, @$); ast_set_name($$, $1, @1, $2); $$->flags |= NF_OTHERWISE; }
  ;

/* flag_decl -> `flag` name label? (`severity` name)? `when` expr (`action` string)? */
flag_decl
  : FLAG name label_opt severity_opt WHEN expr action_opt
      {
        $$ = ast_new(ARENA, D_FLAG, @$); ast_set_name($$, $2, @2, $3);
        $$->a = $6; $$->b = $4; $$->str = $7;
      }
  ;

severity_opt
  : %empty                { $$ = NULL; }
  | SEVERITY name         { $$ = ast_name(ARENA, @2, $2); }
  ;

action_opt
  : %empty                { $$ = NULL; }
  | ACTION STRING         { $$ = $2; }
  ;

/* journey_decl -> `journey` name? label? `{` step+ `}` */
journey_decl
  : JOURNEY label_opt '{' steps '}'
      { $$ = $4; $$->span = @$; $$->label = $2; }
  | JOURNEY name label_opt '{' steps '}'
      { $$ = $5; $$->span = @$; ast_set_name($$, $2, @2, $3); }
  ;

steps
  : step                  { $$ = ast_new(ARENA, D_JOURNEY, @$); ast_push(ARENA, &$$->list, $1); }
  | steps step            { $$ = $1; ast_push(ARENA, &$$->list, $2); }
  | steps error           { $$ = $1; }
  ;

step
  : STEP name label_opt WHEN expr
      { $$ = ast_new(ARENA, P_STEP, @$); ast_set_name($$, $2, @2, $3); $$->a = $5; }
  ;

/* forecast_decl -> `forecast` name label? (`weighted` `by` name)? `{` rate+ `}` */
forecast_decl
  : FORECAST name label_opt weighted_opt '{' rates '}'
      { $$ = $6; $$->span = @$; ast_set_name($$, $2, @2, $3); $$->a = $4; }
  ;

weighted_opt
  : %empty                { $$ = NULL; }
  | WEIGHTED BY name      { $$ = ast_name(ARENA, @3, $3); }
  ;

rates
  : rate                  { $$ = ast_new(ARENA, D_FORECAST, @$); ast_push(ARENA, &$$->list, $1); }
  | rates rate            { $$ = $1; ast_push(ARENA, &$$->list, $2); }
  | rates error           { $$ = $1; }
  ;

rate
  : name number_lit
      { $$ = ast_new(ARENA, P_RATE, @$); ast_set_name($$, $1, @1, NULL); $$->num = $2->num; $$->a = $2; }
  ;

/* test_decl -> `test` string `{` (`as_of` date | `given` `{` … `}` | `given` `[` `{` … `}`,* `]`
 *            | `expect` expr | `expect` `kpi` name cmp value)* `}` */
test_decl
  : TEST STRING '{' test_items '}'
      { $$ = $4; $$->span = @$; $$->str = $2; $$->name_span = @2; }
  ;

test_items
  : %empty                { $$ = ast_new(ARENA, D_TEST, @$); }
  | test_items test_item  { $$ = $1; ast_push(ARENA, &$$->list, $2); }
  | test_items error      { $$ = $1; }
  ;

test_item
  : AS_OF DATE            { $$ = ast_new(ARENA, P_AS_OF, @$); $$->date = $2; }
  | GIVEN '{' '}'         { $$ = ast_new(ARENA, P_GIVEN, @$); }
  | GIVEN '{' field_values '}'        { $$ = $3; $$->kind = P_GIVEN; $$->span = @$; }
  | GIVEN '{' field_values ',' '}'    { $$ = $3; $$->kind = P_GIVEN; $$->span = @$; }
  | GIVEN '[' ']'                   { $$ = ast_new(ARENA, P_GIVEN_LIST, @$); }
  | GIVEN '[' given_records ']'     { $$ = $3; $$->span = @$; }
  | GIVEN '[' given_records ',' ']' { $$ = $3; $$->span = @$; }
  | EXPECT expr           { $$ = ast_new(ARENA, P_EXPECT, @$); $$->a = $2; }
  | EXPECT KPI name EQ kpi_expect_value { $$ = parse_expect_kpi(ps, $3, @3, OP_EQ, $5, @$); }
  | EXPECT KPI name NE kpi_expect_value { $$ = parse_expect_kpi(ps, $3, @3, OP_NE, $5, @$); }
  | EXPECT KPI name GE kpi_expect_value { $$ = parse_expect_kpi(ps, $3, @3, OP_GE, $5, @$); }
  | EXPECT KPI name LE kpi_expect_value { $$ = parse_expect_kpi(ps, $3, @3, OP_LE, $5, @$); }
  | EXPECT KPI name '>' kpi_expect_value { $$ = parse_expect_kpi(ps, $3, @3, OP_GT, $5, @$); }
  | EXPECT KPI name '<' kpi_expect_value { $$ = parse_expect_kpi(ps, $3, @3, OP_LT, $5, @$); }
  ;

/* `given [ { … }, { … } ]`: several accounts (P_GIVEN_LIST of P_GIVEN) */
given_records
  : given_record          { $$ = ast_new(ARENA, P_GIVEN_LIST, @$); ast_push(ARENA, &$$->list, $1); }
  | given_records ',' given_record { $$ = $1; ast_push(ARENA, &$$->list, $3); }
  ;

given_record
  : '{' '}'               { $$ = ast_new(ARENA, P_GIVEN, @$); }
  | '{' field_values '}'  { $$ = $2; $$->kind = P_GIVEN; $$->span = @$; }
  | '{' field_values ',' '}' { $$ = $2; $$->kind = P_GIVEN; $$->span = @$; }
  ;

/* the value an `expect kpi` line compares with: a number, a percent or
 * `missing` */
kpi_expect_value
  : number_lit            { $$ = $1; }
  | MISSING               { $$ = ast_new(ARENA, E_MISSING, @$); }
  ;

field_values
  : field_value           { $$ = ast_new(ARENA, E_RECORD, @$); ast_push(ARENA, &$$->list, $1); }
  | field_values ',' field_value { $$ = $1; ast_push(ARENA, &$$->list, $3); }
  ;

field_value
  : name ':' literal
      { $$ = ast_new(ARENA, P_FIELD_VALUE, @$); ast_set_name($$, $1, @1, NULL); $$->a = $3; }
  ;

/* literal -> number | percent | string | date | true | false | missing
 *          | `[` literal,* `]` | `{` name: literal,* `}` */
literal
  : NUMBER                { $$ = ast_leaf_num(ARENA, @$, $1, 0); }
  | '-' NUMBER            { $$ = ast_leaf_num(ARENA, @$, -$2, 0); }
  | PERCENT               { $$ = ast_leaf_num(ARENA, @$, $1, NF_PERCENT); }
  | STRING                { $$ = ast_leaf_str(ARENA, E_STR, @$, $1); }
  | DATE                  { $$ = ast_new(ARENA, E_DATE, @$); $$->date = $1; }
  | DURATION              { $$ = ast_new(ARENA, E_DURATION, @$); $$->num = (double)($1 / 4); $$->op = (uint8_t)($1 % 4); }
  | TRUE                  { $$ = ast_new(ARENA, E_BOOL, @$); $$->num = 1; }
  | FALSE                 { $$ = ast_new(ARENA, E_BOOL, @$); $$->num = 0; }
  | MISSING               { $$ = ast_new(ARENA, E_MISSING, @$); }
  | '[' ']'               { $$ = ast_new(ARENA, E_LIST, @$); }
  | '[' literals ']'      { $$ = $2; $$->span = @$; }
  | '[' literals ',' ']'  { $$ = $2; $$->span = @$; }
  | '{' '}'               { $$ = ast_new(ARENA, E_RECORD, @$); }
  | '{' field_values '}'  { $$ = $2; $$->span = @$; }
  | '{' field_values ',' '}' { $$ = $2; $$->span = @$; }
  ;

literals
  : literal               { $$ = ast_new(ARENA, E_LIST, @$); ast_push(ARENA, &$$->list, $1); }
  | literals ',' literal  { $$ = $1; ast_push(ARENA, &$$->list, $3); }
  ;

/* ---- expressions, lowest precedence first ---- */

expr
  : IF expr THEN expr ELSE expr
      { $$ = DEPTH(ast_ternary(ARENA, E_IF, @$, $2, $4, $6)); }
  | or_expr
  ;

or_expr
  : or_expr OR and_expr   { $$ = DEPTH(ast_binary(ARENA, @$, OP_OR, $1, $3)); }
  | and_expr
  ;

and_expr
  : and_expr AND not_expr { $$ = DEPTH(ast_binary(ARENA, @$, OP_AND, $1, $3)); }
  | not_expr
  ;

not_expr
  : NOT not_expr          { $$ = DEPTH(ast_unary(ARENA, @$, OP_NOT, $2)); }
  | cmp_expr
  ;

/* Comparisons do not chain: `a < b < c` is a syntax error. */
cmp_expr
  : coal_expr EQ coal_expr  { $$ = DEPTH(ast_binary(ARENA, @$, OP_EQ, $1, $3)); }
  | coal_expr NE coal_expr  { $$ = DEPTH(ast_binary(ARENA, @$, OP_NE, $1, $3)); }
  | coal_expr '<' coal_expr { $$ = DEPTH(ast_binary(ARENA, @$, OP_LT, $1, $3)); }
  | coal_expr LE coal_expr  { $$ = DEPTH(ast_binary(ARENA, @$, OP_LE, $1, $3)); }
  | coal_expr '>' coal_expr { $$ = DEPTH(ast_binary(ARENA, @$, OP_GT, $1, $3)); }
  | coal_expr GE coal_expr  { $$ = DEPTH(ast_binary(ARENA, @$, OP_GE, $1, $3)); }
  | coal_expr IN list_lit   { $$ = DEPTH(ast_ternary(ARENA, E_IN, @$, $1, $3, NULL)); }
  | coal_expr IS MISSING    { $$ = DEPTH(ast_ternary(ARENA, E_IS_MISSING, @$, $1, NULL, NULL)); }
  | coal_expr IS NOT MISSING
      { $$ = DEPTH(ast_ternary(ARENA, E_IS_MISSING, @$, $1, NULL, NULL)); $$->flags |= NF_NEGATED; }
  | coal_expr
  ;

coal_expr
  : coal_expr COALESCE add_expr { $$ = DEPTH(ast_binary(ARENA, @$, OP_COALESCE, $1, $3)); }
  | add_expr
  ;

add_expr
  : add_expr '+' mul_expr { $$ = DEPTH(ast_binary(ARENA, @$, OP_ADD, $1, $3)); }
  | add_expr '-' mul_expr { $$ = DEPTH(ast_binary(ARENA, @$, OP_SUB, $1, $3)); }
  | mul_expr
  ;

mul_expr
  : mul_expr '*' unary    { $$ = DEPTH(ast_binary(ARENA, @$, OP_MUL, $1, $3)); }
  | mul_expr '/' unary    { $$ = DEPTH(ast_binary(ARENA, @$, OP_DIV, $1, $3)); }
  | mul_expr '%' unary    { $$ = DEPTH(ast_binary(ARENA, @$, OP_MOD, $1, $3)); }
  | unary
  ;

unary
  : '-' unary             { $$ = DEPTH(ast_unary(ARENA, @$, OP_NEG, $2)); }
  | postfix
  ;

postfix
  : primary
  | postfix '.' name
      {
        $$ = DEPTH(ast_ternary(ARENA, E_FIELD, @$, $1, NULL, NULL));
        $$->name = $3; $$->name_span = @3;
      }
  ;

primary
  : NUMBER                { $$ = ast_leaf_num(ARENA, @$, $1, 0); }
  | PERCENT               { $$ = ast_leaf_num(ARENA, @$, $1, NF_PERCENT); }
  | STRING                { $$ = ast_leaf_str(ARENA, E_STR, @$, $1); }
  | DATE                  { $$ = ast_new(ARENA, E_DATE, @$); $$->date = $1; }
  | DURATION              { $$ = ast_new(ARENA, E_DURATION, @$); $$->num = (double)($1 / 4); $$->op = (uint8_t)($1 % 4); }
  | TRUE                  { $$ = ast_new(ARENA, E_BOOL, @$); $$->num = 1; }
  | FALSE                 { $$ = ast_new(ARENA, E_BOOL, @$); $$->num = 0; }
  | MISSING               { $$ = ast_new(ARENA, E_MISSING, @$); }
  | name                  { $$ = ast_name(ARENA, @$, $1); }
  | AS_OF                 { $$ = ast_name(ARENA, @$, "as_of"); }
  | PERSONA               { $$ = ast_name(ARENA, @$, "persona"); }
  | name '(' ')'
      { $$ = ast_new(ARENA, E_CALL, @$); $$->name = $1; $$->name_span = @1; }
  | name '(' args ')'
      { $$ = DEPTH($3); $$->span = @$; $$->name = $1; $$->name_span = @1; }
  | '(' expr ')'          { $$ = $2; $$->flags |= NF_PAREN; }
  | '(' error ')'         { $$ = ast_new(ARENA, E_MISSING, @$); }
  | list_lit
  ;

list_lit
  : '[' ']'               { $$ = ast_new(ARENA, E_LIST, @$); }
  | '[' exprs ']'         { $$ = DEPTH($2); $$->span = @$; }
  | '[' exprs ',' ']'     { $$ = DEPTH($2); $$->span = @$; }
  | '[' error ']'         { $$ = ast_new(ARENA, E_LIST, @$); }
  ;

exprs
  : expr                  { $$ = ast_new(ARENA, E_LIST, @$); ast_push(ARENA, &$$->list, $1); }
  | exprs ',' expr        { $$ = $1; ast_push(ARENA, &$$->list, $3); }
  ;

args
  : arg                   { $$ = ast_new(ARENA, E_CALL, @$); ast_push(ARENA, &$$->list, $1); }
  | args ',' arg          { $$ = $1; ast_push(ARENA, &$$->list, $3); }
  ;

/* arg -> expr | expr `where` expr  (the latter only for aggregates) */
arg
  : expr
  | expr WHERE expr       { $$ = DEPTH(ast_ternary(ARENA, E_WHERE, @$, $1, $3, NULL)); }
  ;

%%

/* The text of the token at LOC, for "found …" (at most 24 bytes). */
static void token_text(const ParseState *ps, Span loc, char *out, size_t outsz) {
  const char *text = ps->src->text;
  uint32_t n = loc.end > loc.begin ? loc.end - loc.begin : 0;
  if (n > 24) n = 24;
  /* do not cut a UTF-8 sequence in half */
  while (n > 0 && loc.begin + n < ps->src->len &&
         ((unsigned char)text[loc.begin + n] & 0xC0) == 0x80)
    n--;
  snprintf(out, outsz, "%.*s%s", (int)n, text + loc.begin,
           loc.end - loc.begin > n ? "…" : "");
}

/* Is K one of the tokens that can start an expression? */
static int starts_expression(yysymbol_kind_t k) {
  switch (k) {
  case YYSYMBOL_IDENT: case YYSYMBOL_STRING: case YYSYMBOL_NUMBER:
  case YYSYMBOL_PERCENT: case YYSYMBOL_DATE: case YYSYMBOL_TRUE:
  case YYSYMBOL_FALSE: case YYSYMBOL_MISSING: case YYSYMBOL_AS_OF: case YYSYMBOL_DURATION:
  case YYSYMBOL_PERSONA: case YYSYMBOL_IF: case YYSYMBOL_NOT:
  case YYSYMBOL_OUTCOME: case YYSYMBOL_SNAPSHOT: case YYSYMBOL_KPI: case YYSYMBOL_TARGET:
  case YYSYMBOL_DISPLAY: case YYSYMBOL_KEPT:
    return 1;
  default:
    break;
  }
  const char *name = yysymbol_name(k);
  return strcmp(name, "`(`") == 0 || strcmp(name, "`[`") == 0 || strcmp(name, "`-`") == 0;
}

/* Is K among the N tokens of LIST? */
static int has_token(const yysymbol_kind_t *list, int n, yysymbol_kind_t k) {
  for (int i = 0; i < n; i++)
    if (list[i] == k) return 1;
  return 0;
}

/* Is K a keyword (its display name is a backquoted word)? */
static int is_keyword(yysymbol_kind_t k) {
  const char *name = yysymbol_name(k);
  return name[0] == '`' && ((name[1] >= 'a' && name[1] <= 'z') || name[1] == '_');
}

/* Is K a comparison operator? */
static int is_comparison(yysymbol_kind_t k) {
  const char *name = yysymbol_name(k);
  return k == YYSYMBOL_EQ || k == YYSYMBOL_NE || k == YYSYMBOL_LE || k == YYSYMBOL_GE ||
         k == YYSYMBOL_IN || k == YYSYMBOL_IS || strcmp(name, "`<`") == 0 || strcmp(name, "`>`") == 0;
}

/* Is K an operator that can continue a complete expression? */
static int is_operator(yysymbol_kind_t k) {
  static const char *const ops[] = {"`and`", "`or`", "`in`", "`is`", "`==`", "`!=`", "`<=`", "`>=`",
                                    "`??`", "`<`", "`>`", "`+`", "`-`", "`*`", "`/`", "`%`", "`.`", "`(`"};
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
    if (strcmp(yysymbol_name(k), ops[i]) == 0) return 1;
  return 0;
}

/* Can K start a literal of test data (`given { … }`)? */
static int starts_literal(yysymbol_kind_t k) {
  switch (k) {
  case YYSYMBOL_STRING: case YYSYMBOL_NUMBER: case YYSYMBOL_PERCENT: case YYSYMBOL_DATE:
  case YYSYMBOL_TRUE: case YYSYMBOL_FALSE: case YYSYMBOL_MISSING: case YYSYMBOL_DURATION:
    return 1;
  default: {
    const char *name = yysymbol_name(k);
    return strcmp(name, "`-`") == 0 || strcmp(name, "`[`") == 0 || strcmp(name, "`{`") == 0;
  }
  }
}

/* Is K a keyword that starts a declaration? */
static int starts_declaration(yysymbol_kind_t k) {
  switch (k) {
  case YYSYMBOL_SCORECARD: case YYSYMBOL_INCLUDE: case YYSYMBOL_INPUT: case YYSYMBOL_INDICATOR:
  case YYSYMBOL_THRESHOLD: case YYSYMBOL_DIMENSION: case YYSYMBOL_GRADES: case YYSYMBOL_PERSONA:
  case YYSYMBOL_SEGMENT: case YYSYMBOL_FLAG: case YYSYMBOL_JOURNEY: case YYSYMBOL_FORECAST:
  case YYSYMBOL_OUTCOME: case YYSYMBOL_TEST: case YYSYMBOL_KPI:
    return 1;
  default:
    return 0;
  }
}


/* Does a syntax error at BEGIN come from the unterminated string before
 * it (which swallowed the rest of its line)? True when only white space
 * and comments lie between that string and BEGIN. */
static int follows_broken_string(const ParseState *ps, uint32_t begin) {
  uint32_t i = ps->broken_string_end;
  if (i == 0 || begin < i) return 0;
  const char *text = ps->src->text;
  while (i < begin) {
    if (text[i] == '#') {
      while (i < begin && text[i] != '\n') i++;
    } else if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
      i++;
    } else {
      return 0;
    }
  }
  return 1;
}

/* "expected `:`, `weight` or a label, found name `foo`" — the expected
 * tokens come from LAC; expression starters fold into "an expression".
 * A few common slips get a message of their own: chained comparisons,
 * `=` for `==`, a keyword where a name should be. */
static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, ParseState *ps) {
  (void)scanner;
  if (ps->fatal) return 0;
  enum { MAX_EXPECTED = 40 };
  yysymbol_kind_t expected[MAX_EXPECTED];
  int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
  if (n < 0) n = 0;
  yysymbol_kind_t found = yypcontext_token(ctx);
  Span loc = *yypcontext_location(ctx);
  if (follows_broken_string(ps, loc.begin)) return 0;
  /* a closing bracket the scanner made at a declaration keyword: told as
   * the keyword it stands for (its location is the keyword's) */
  if (ps->synth_keyword && loc.begin == ps->synth_span.begin && loc.end == ps->synth_span.end)
    ps->synth_reported = true;

  /* After a complete expression `and` can always come next. */
  int after_expr = has_token(expected, n, YYSYMBOL_AND);
  if (after_expr && is_comparison(found)) {
    parse_error(ps, loc, "comparisons do not chain; join two of them with `and`, as in "
                         "`a <= x and x <= b`");
    return 0;
  }
  if (after_expr && strcmp(yysymbol_name(found), "`=`") == 0) {
    parse_error(ps, loc, "unexpected `=`; to compare two values, write `==`");
    return 0;
  }

  char what[512] = "";
  size_t len = 0;
  int any_expr = 0, any_op = 0, any_decl = 0, shown = 0, total = 0;
  const char *items[MAX_EXPECTED + 3];
  /* Fold the tokens that start an expression into "an expression" only
   * when an expression can really start here: a `(` is expected, and not
   * merely as the call after a complete name. */
  int expr_here = 0;
  for (int i = 0; i < n; i++)
    if (strcmp(yysymbol_name(expected[i]), "`(`") == 0) expr_here = !after_expr;
  int name_here = has_token(expected, n, YYSYMBOL_IDENT);
  int top_level = has_token(expected, n, YYSYMBOL_INPUT);
  /* test data (`given { … }`): literals only */
  int literal_here = !expr_here && has_token(expected, n, YYSYMBOL_STRING) &&
                     has_token(expected, n, YYSYMBOL_DATE) && has_token(expected, n, YYSYMBOL_TRUE);
  /* a weight, a rate, a grade bound: `-` and a percent are forms of a number */
  int number_here = !expr_here && !literal_here && has_token(expected, n, YYSYMBOL_NUMBER);
  int any_literal = 0;
  for (int i = 0; i < n; i++) {
    if (expr_here && starts_expression(expected[i])) {
      any_expr = 1;
    } else if (literal_here && expected[i] != YYSYMBOL_YYEOF && (starts_literal(expected[i]))) {
      any_literal = 1;
    } else if (number_here && (expected[i] == YYSYMBOL_PERCENT || strcmp(yysymbol_name(expected[i]), "`-`") == 0)) {
      /* folded into "a number" */
    } else if (after_expr && is_operator(expected[i])) {
      any_op = 1;
    } else if (top_level && (expected[i] == YYSYMBOL_YYEOF || starts_declaration(expected[i]))) {
      any_decl = 1;
    } else if (expected[i] == YYSYMBOL_DISPLAY || expected[i] == YYSYMBOL_KEPT) {
      /* input modifiers left out of the list (it would be too long to be
       * shown after an input); a misspelt one still gets its did-you-mean */
    } else if (name_here && (expected[i] == YYSYMBOL_OUTCOME || expected[i] == YYSYMBOL_SNAPSHOT ||
                                  expected[i] == YYSYMBOL_KPI || expected[i] == YYSYMBOL_TARGET)) {
      /* listed because a dimension may be called `outcome` (and a name
       * `kpi` or `target`: keywords only where they start a KPI or its target) */
    } else {
      items[total++] = expected[i] == YYSYMBOL_STRING ? _("a string") : yysymbol_name(expected[i]);
    }
  }
  /* Token aliases read better with an article. */
  for (int i = 0; i < total; i++) {
    if (strcmp(items[i], "name") == 0) items[i] = _("a name");
    else if (strcmp(items[i], "number") == 0) items[i] = _("a number");
    else if (strcmp(items[i], "date") == 0) items[i] = _("a date");
    else if (strcmp(items[i], "duration") == 0) items[i] = _("a duration");
  }
  if (any_literal) items[total++] = _("a value (a number, string, date, `true`, `false`, `missing` or a list)");
  if (any_op || any_decl) {
    memmove(items + any_op + any_decl, items, (size_t)total * sizeof *items);
    if (any_op) items[0] = _("an operator");
    if (any_decl) items[any_op] = _("a declaration");
    total += any_op + any_decl;
  }
  if (any_expr) items[total++] = _("an expression");
  if (total > 6) total = 0; /* too many to be useful */
  for (int i = 0; i < total; i++) {
    const char *sep = i == 0 ? "" : (i == total - 1 ? _(" or ") : _(", "));
    len += (size_t)snprintf(what + len, sizeof what - len, "%s%s", sep, items[i]);
    if (len >= sizeof what) break;
    shown++;
  }

  char tok[64];
  char found_text[128];
  int keyword_as_name = 0;
  if (found == YYSYMBOL_YYEOF) {
    snprintf(found_text, sizeof found_text, _("end of file"));
  } else {
    token_text(ps, loc, tok, sizeof tok);
    switch (found) {
    case YYSYMBOL_IDENT: snprintf(found_text, sizeof found_text, _("name `%s`"), tok); break;
    case YYSYMBOL_NUMBER: case YYSYMBOL_PERCENT:
      snprintf(found_text, sizeof found_text, _("number `%s`"), tok); break;
    case YYSYMBOL_STRING: snprintf(found_text, sizeof found_text, _("string %s"), tok); break;
    case YYSYMBOL_DATE: snprintf(found_text, sizeof found_text, _("date `%s`"), tok); break;
    case YYSYMBOL_DURATION: snprintf(found_text, sizeof found_text, _("duration `%s`"), tok); break;
    default:
      /* (a declaration keyword at the start of a line begins the next
       * declaration: nobody tried to use it as a name) */
      if (is_keyword(found) && (name_here || any_expr) &&
          !(starts_declaration(found) && parse_at_line_start(ps, loc.begin))) {
        snprintf(found_text, sizeof found_text, _("the keyword `%s` (keywords cannot be names)"), tok);
        keyword_as_name = 1;
      } else {
        snprintf(found_text, sizeof found_text, "`%s`", tok);
      }
      break;
    }
  }

  /* Lua's habit: say which bracket is still open. For a `{`, only at the
   * end of the file: inside a block, "to close `{`" is rarely the point. */
  char hint[96] = "";
  if (ps->nbrackets > 0 && !keyword_as_name) {
    const OpenBracket *ob = &ps->brackets[ps->nbrackets - 1];
    char want = ob->ch == '(' ? ')' : ob->ch == '[' ? ']' : '}';
    char want_name[8];
    snprintf(want_name, sizeof want_name, "`%c`", want);
    int wanted = 0;
    for (int i = 0; i < n; i++)
      if (strcmp(yysymbol_name(expected[i]), want_name) == 0) wanted = 1;
    if (ob->ch == '{' && found != YYSYMBOL_YYEOF) wanted = 0;
    if (wanted) {
      int line, col;
      src_line_col(ps->src, ob->offset, &line, &col);
      snprintf(hint, sizeof hint, _(" (to close `%c` at line %d)"), ob->ch, line);
    }
  }

  /* A misspelt keyword: `dimenson usage {` */
  char suggestion[64] = "";
  if (found == YYSYMBOL_IDENT) {
    char words[MAX_EXPECTED][24];
    const char *cands[MAX_EXPECTED];
    int ncands = 0;
    for (int i = 0; i < n; i++) {
      if (!is_keyword(expected[i])) continue;
      const char *kw = yysymbol_name(expected[i]) + 1; /* drop the backquotes */
      snprintf(words[ncands], sizeof words[ncands], "%.*s", (int)strlen(kw) - 1, kw);
      cands[ncands] = words[ncands];
      ncands++;
    }
    const char *best = diag_suggest(tok, cands, ncands);
    if (best) snprintf(suggestion, sizeof suggestion, _("; did you mean `%s`?"), best);
  }

  if (shown > 0)
    parse_error(ps, loc, "expected %s, found %s%s%s", what, found_text, hint, suggestion);
  else
    parse_error(ps, loc, "unexpected %s%s%s", found_text, hint, suggestion);
  return 0;
}

static void kk_yyerror(const Span *loc, void *scanner, ParseState *ps, const char *msg) {
  (void)scanner;
  if (ps->fatal) return;
  if (strcmp(msg, "memory exhausted") == 0) {
    parse_error(ps, *loc, "rules nested too deeply (the parser's limit is %d levels)", YYMAXDEPTH);
    ps->fatal = true;
  } else {
    parse_error(ps, *loc, "%s", msg);
  }
}

/* The display name of token TOKEN (as returned by the scanner), for
 * `kenko dump-tokens`. */
const char *parse_token_name(int token) {
  return yysymbol_name(YYTRANSLATE(token));
}
