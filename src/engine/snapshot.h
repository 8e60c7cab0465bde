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

enum { SNAP_NONE = INT32_MIN }; /* no snapshot (yet) */

/* The first YYYY-MM-DD that is a calendar date in PATH's base name, or
 * SNAP_NONE. */
int32_t snapshot_date_of_path(const char *path);

/* One account followed across snapshots. */
typedef struct AcctHist {
  uint64_t hash; /* the key's 64-bit hash (0: empty slot) */
  int32_t last;  /* the last snapshot it was seen in */
  int32_t index; /* its place in AcctTable.hist */
} AcctHist;

/* Accounts by key hash: open addressing, grown at half full. */
typedef struct AcctTable {
  AcctHist *slots;
  size_t cap, count;
} AcctTable;

void acct_table_init(AcctTable *t);
void acct_table_free(AcctTable *t);
/* The account with key hash H, added (last = SNAP_NONE) when new. The
 * pointer stays valid until the next call. */
AcctHist *acct_table_get(AcctTable *t, uint64_t h);
/* How many accounts were last seen before snapshot DATE. */
uint64_t acct_table_seen_before(const AcctTable *t, int32_t date);

#endif
