/* snapshot.h — data over time (LANGUAGE.md §6): the snapshot a data file
 * stands for (dated by its name), and the accounts followed across
 * snapshots by their key.
 *
 * The scoring loop (run.c) reads snapshots in date order. It keeps one
 * AcctHist per account key ever seen: the snapshot it was last seen in
 * (so that a key appears once per snapshot and "seen only earlier" can
 * be counted) and, when the rules use trend functions, the values the
 * rules look back over. */
#ifndef KENKO_SNAPSHOT_H
#define KENKO_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/keys.h"

enum { SNAP_NONE = INT32_MIN }; /* no snapshot (yet) */

/* The first YYYY-MM-DD that is a calendar date in PATH's base name, or
 * SNAP_NONE. */
int32_t snapshot_date_of_path(const char *path);

/* The accounts followed across snapshots, by their key's text: found by a
 * 64-bit hash and decided by the text (keys.h), so two keys whose hashes
 * collide are two accounts. Each account gets an index 0, 1, 2, … in the
 * order first seen, and the last snapshot it was seen in. */
typedef struct AcctTable {
  KeyTable keys;
  int32_t *last; /* per index: the last snapshot seen in (SNAP_NONE: none) */
  size_t last_cap;
} AcctTable;

void acct_table_init(AcctTable *t);
void acct_table_free(AcctTable *t);
/* The index of the account whose key text is S (N bytes), added (its last
 * snapshot SNAP_NONE) when new. */
int32_t acct_table_index(AcctTable *t, const char *s, size_t n);
/* How many accounts were last seen before snapshot DATE. */
uint64_t acct_table_seen_before(const AcctTable *t, int32_t date);

#endif
