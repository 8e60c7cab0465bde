/* test_keys.c — the key table (keys.c): keys found by their hash and
 * decided by their text, so two keys whose hashes collide stay two keys;
 * indices in insertion order across growth; the text a key compares by. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "engine/keys.h"
#include "engine/snapshot.h"

static uint32_t put(KeyTable *t, const char *s, bool *added) {
  return keys_put(t, key_hash(s, strlen(s)), s, strlen(s), added);
}

static int64_t find(const KeyTable *t, const char *s) {
  return keys_find(t, key_hash(s, strlen(s)), s, strlen(s));
}

Test(keys, colliding_hashes_are_two_keys) {
  /* The pair that collides under the 64-bit hash (issue 11, item 3). */
  cr_assert_eq(key_hash("JtW4SN1UYzA", 11), key_hash("l0PRPFji6sF", 11));
  KeyTable t;
  keys_init(&t);
  bool added;
  cr_assert_eq(put(&t, "JtW4SN1UYzA", &added), 0);
  cr_assert(added);
  cr_assert_eq(put(&t, "l0PRPFji6sF", &added), 1);
  cr_assert(added);
  cr_assert_eq(put(&t, "JtW4SN1UYzA", &added), 0);
  cr_assert_not(added);
  cr_assert_eq(find(&t, "l0PRPFji6sF"), 1);
  cr_assert_eq(find(&t, "JtW4SN1UYzA"), 0);
  cr_assert_eq(find(&t, "JtW4SN1UYzB"), -1);
  keys_free(&t);
}

Test(keys, forced_collision_in_one_slot) {
  /* Same hash given for different texts: the text decides. */
  KeyTable t;
  keys_init(&t);
  bool added;
  cr_assert_eq(keys_put(&t, 42, "a", 1, &added), 0);
  cr_assert_eq(keys_put(&t, 42, "b", 1, &added), 1);
  cr_assert(added);
  cr_assert_eq(keys_put(&t, 42, "ab", 2, &added), 2);
  cr_assert_eq(keys_put(&t, 42, "", 0, &added), 3);
  cr_assert_eq(keys_put(&t, 42, "b", 1, &added), 1);
  cr_assert_not(added);
  cr_assert_eq(keys_find(&t, 42, "", 0), 3);
  keys_free(&t);
}

Test(keys, many_keys_across_growth) {
  KeyTable t;
  keys_init(&t);
  char s[32];
  bool added;
  for (uint32_t i = 0; i < 100000; i++) {
    snprintf(s, sizeof s, "k%u", i);
    cr_assert_eq(put(&t, s, &added), i);
    cr_assert(added);
  }
  for (uint32_t i = 0; i < 100000; i += 7) {
    snprintf(s, sizeof s, "k%u", i);
    cr_assert_eq(find(&t, s), (int64_t)i);
    cr_assert_eq(put(&t, s, &added), i);
    cr_assert_not(added);
  }
  cr_assert_eq(find(&t, "k100000"), -1);
  keys_free(&t);
}

Test(keys, key_text) {
  char buf[32];
  size_t n;
  Value v = val_num(1001);
  const char *s = key_text(&v, "1001.0", buf, &n);
  cr_assert_eq(n, 4);
  cr_assert(memcmp(s, "1001", 4) == 0);
  v = val_num(9007199254740992.0); /* 2^53: neighbours read as it */
  s = key_text(&v, "9007199254740993", buf, &n);
  cr_assert_str_eq(s, "9007199254740993");
  v = val_num(-9007199254740992.0);
  s = key_text(&v, "-9007199254740992", buf, &n);
  cr_assert_str_eq(s, "-9007199254740992");
  v = val_num(9007199254740991.0);
  s = key_text(&v, "9007199254740991.0", buf, &n);
  cr_assert_eq(n, 16);
  cr_assert(memcmp(s, "9007199254740991", 16) == 0);
  v = val_date(0);
  s = key_text(&v, "1970-01-01", buf, &n);
  cr_assert_str_eq(s, "1970-01-01");
}

/* The accounts followed across snapshots (snapshot.c) use the same rule:
 * the colliding pair is two accounts, each with its own last snapshot. */
Test(keys, acct_table_colliding_keys_are_two_accounts) {
  AcctTable t;
  acct_table_init(&t);
  int32_t a = acct_table_index(&t, "JtW4SN1UYzA", 11);
  int32_t b = acct_table_index(&t, "l0PRPFji6sF", 11);
  cr_assert_eq(a, 0);
  cr_assert_eq(b, 1);
  cr_assert_eq(t.last[a], SNAP_NONE);
  t.last[a] = 100;
  t.last[b] = 200;
  cr_assert_eq(acct_table_index(&t, "JtW4SN1UYzA", 11), a);
  cr_assert_eq(t.last[a], 100);
  cr_assert_eq(acct_table_seen_before(&t, 200), 1);
  cr_assert_eq(acct_table_seen_before(&t, 201), 2);
  for (int i = 0; i < 5000; i++) { /* across growth, indices stay */
    char id[16];
    snprintf(id, sizeof id, "k%d", i);
    cr_assert_eq(acct_table_index(&t, id, strlen(id)), i + 2);
  }
  cr_assert_eq(acct_table_index(&t, "l0PRPFji6sF", 11), b);
  acct_table_free(&t);
}
