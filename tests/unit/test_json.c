/* test_json.c — the JSON emitter: commas, nesting, escapes, numbers and
 * null, json_break's whitespace; and the growable-array helper. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "base/numfmt.h"
#include "base/vec.h"
#include "io/json.h"

static void expect(Buf *b, const char *want) {
  cr_assert_eq(b->len, strlen(want), "got %.*s, want %s", (int)b->len, b->data, want);
  cr_assert(memcmp(b->data, want, b->len) == 0, "got %.*s, want %s", (int)b->len, b->data, want);
  b->len = 0;
}

Test(json, commas_and_nesting) {
  Buf b;
  buf_init(&b, NULL);
  Json j;
  json_init(&j, &b);
  json_object(&j);
  json_field_str(&j, "id", "a-1");
  json_key(&j, "list");
  json_array(&j);
  json_num(&j, 1.5);
  json_count(&j, 18446744073709551615ull);
  json_object(&j);
  json_end(&j);
  json_array(&j);
  json_end(&j);
  json_null(&j);
  json_bool(&j, true);
  json_end(&j);
  json_field_bool(&j, "ok", false);
  json_key(&j, "empty");
  json_object(&j);
  json_end(&j);
  json_end(&j);
  expect(&b,
         "{\"id\":\"a-1\",\"list\":[1.5,18446744073709551615,{},[],null,true],\"ok\":false,\"empty\":{}}");
  cr_assert_eq(j.depth, 0);
  buf_free(&b);
}

Test(json, top_level_values_follow_each_other) {
  Buf b;
  buf_init(&b, NULL);
  Json j;
  json_init(&j, &b);
  json_object(&j);
  json_field_count(&j, "n", 1);
  json_end(&j);
  buf_putc(&b, '\n');
  json_object(&j);
  json_field_count(&j, "n", 2);
  json_end(&j);
  expect(&b, "{\"n\":1}\n{\"n\":2}");
  buf_free(&b);
}

Test(json, strings_escaped_and_null) {
  Buf b;
  buf_init(&b, NULL);
  Json j;
  json_init(&j, &b);
  json_array(&j);
  json_cstr(&j, "q\"b\\n\nt\tc\x01");
  json_cstr(&j, NULL);
  json_str(&j, "ab\0c", 4);
  json_cstr(&j, "日本");
  json_end(&j);
  expect(&b, "[\"q\\\"b\\\\n\\nt\\tc\\u0001\",null,\"ab\\u0000c\",\"日本\"]");
  json_object(&j);
  json_key(&j, "k\"ey");
  json_raw(&j, "[1,2]", 5);
  json_field_str(&j, "s", NULL);
  json_field_null(&j, "z");
  json_end(&j);
  expect(&b, "{\"k\\\"ey\":[1,2],\"s\":null,\"z\":null}");
  buf_free(&b);
}

Test(json, numbers_shortest_and_null) {
  Buf b;
  buf_init(&b, NULL);
  Json j;
  json_init(&j, &b);
  json_array(&j);
  json_num(&j, 0.1);
  json_num(&j, -0.0);
  json_num(&j, 1e21);
  json_num(&j, NAN);
  json_num(&j, INFINITY);
  json_num(&j, -INFINITY);
  json_num(&j, 2.0 / 3.0);
  json_end(&j);
  char want[256], third[64];
  num_format(2.0 / 3.0, third);
  char big[64];
  num_format(1e21, big);
  snprintf(want, sizeof want, "[0.1,0,%s,null,null,null,%s]", big, third);
  expect(&b, want);
  buf_free(&b);
}

Test(json, breaks_come_after_the_comma) {
  Buf b;
  buf_init(&b, NULL);
  Json j;
  json_init(&j, &b);
  json_object(&j);
  json_field_str(&j, "command", "diff");
  json_break(&j, "\n");
  json_key(&j, "rows");
  json_array(&j);
  for (int i = 0; i < 3; i++) {
    json_break(&j, "\n ");
    json_count(&j, (uint64_t)i);
  }
  json_end(&j);
  json_end(&j);
  expect(&b, "{\"command\":\"diff\",\n\"rows\":[\n 0,\n 1,\n 2]}");
  buf_free(&b);
}

Test(vec, grows_by_doubling_and_keeps_elements) {
  int *xs = NULL;
  int32_t n = 0, cap = 0;
  for (int i = 0; i < 1000; i++) {
    VEC_GROW(xs, n, cap, 8);
    xs[n++] = i;
    cr_assert(cap >= n);
  }
  cr_assert_eq(cap, 1024);
  for (int i = 0; i < 1000; i++)
    cr_assert_eq(xs[i], i);
  free(xs);

  char *text = NULL;
  size_t len = 0, tcap = 0;
  VEC_RESERVE(text, tcap, 5000, 256);
  cr_assert_eq(tcap, 8192);
  (void)len;
  free(text);
}

Test(vec, arena_copy_keeps_elements) {
  Arena a;
  arena_init(&a, 0);
  long *xs = NULL;
  int32_t n = 0, cap = 0;
  for (long i = 0; i < 100; i++) {
    VEC_RESERVE_IN(&a, xs, n, cap, n + 1, 4);
    xs[n++] = i * 3;
  }
  cr_assert_eq(cap, 128);
  for (long i = 0; i < 100; i++)
    cr_assert_eq(xs[i], i * 3);
  cr_assert_eq(vec_capacity(0, 0, 0, 1), 1);
  cr_assert_eq(vec_capacity(3, 7, 8, 4), 12);
  arena_free(&a);
}

Test(json, members_of_an_object_written_elsewhere) {
  Buf b;
  buf_init(&b, NULL);
  Json j;
  json_init_members(&j, &b, false);
  json_field_str(&j, "a", "x");
  json_key(&j, "b");
  json_object(&j);
  json_end(&j);
  expect(&b, "\"a\":\"x\",\"b\":{}");
  json_init_members(&j, &b, true);
  json_field_count(&j, "c", 3);
  JSON_KEY(&j, "d");
  json_raw(&j, "[1]", 3);
  expect(&b, ",\"c\":3,\"d\":[1]");
  buf_free(&b);
}
