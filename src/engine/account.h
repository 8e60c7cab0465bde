/* account.h — what the rules say the data holds (the Schema the readers
 * convert to, built by eval_schema) and one account as read: the types
 * between the readers (io/reader.h) and the evaluator (eval.h). They sit
 * in the engine, below both, so the engine never includes a reader. */
#ifndef KENKO_ACCOUNT_H
#define KENKO_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/value.h"

/* One declared input (or one field of a list input's elements). */
typedef struct FieldSchema {
  const char *name;           /* the input's name in the rules */
  const char *column;         /* the data column/key: `from "…"` or name */
  uint8_t type;               /* T_NUMBER, T_TEXT, T_BOOL, T_DATE, T_LIST */
  bool optional;              /* missing/empty allowed */
  bool key;                   /* the account id (unique, required) */
  const char *const *allowed; /* `in [...]` text values, or NULL */
  int32_t nallowed;
  const struct FieldSchema *fields; /* T_LIST: the element fields */
  int32_t nfields;
  bool display; /* the account's display name (Account.name) */
} FieldSchema;

typedef struct Schema {
  const FieldSchema *inputs;
  int32_t ninputs;
  int32_t key_index; /* index of the key input, or -1 */
} Schema;

/* One account as read: values[i] belongs to schema->inputs[i]. */
typedef struct Account {
  const Value *values;
  const char *id; /* the key's text, or "FILE:LINE" */
  const char *file;
  uint32_t line;    /* where the account starts */
  uint64_t ordinal; /* 0-based position in the run */
  const char *name; /* the display name (the `display` input's text), or NULL */
  const void *work; /* what JobWork.account made of it on a reading thread
                       (read_data_jobs, io/reader.h), or NULL: not done there */
  const char *text; /* a compact work's text of it (JobWork.pack), TEXT_LEN
                       bytes, or NULL */
  uint32_t text_len;
} Account;

/* Where a compact work's account is in its batch's bytes (JobWork.pack):
 * its id and head (Account.work) at offsets in the batch's heads, its
 * text (TEXT_LEN bytes) in its texts; LINE, Account.line. */
typedef struct PackedAccount {
  uint64_t id, work, text;
  uint32_t text_len, line;
} PackedAccount;

/* Accounts a compact work packed, handed over one after another with
 * nothing between them (JobWork.packed_run): N of them, the K-th at
 * FIRST + K * STRIDE, its offsets into HEAD and TEXT, its ordinal
 * ORDINAL + K, its file FILE. The reader's counts (ReadStats) are the
 * first account's while the run is handled: the K-th's are K accounts
 * more, none more rejected. */
typedef struct PackedRun {
  const char *first;
  size_t stride, n;
  const char *head, *text;
  const char *file;
  uint64_t ordinal;
} PackedRun;

/* The K-th account of RUN. */
static inline const PackedAccount *packed_at(const PackedRun *run, size_t k) {
  return (const PackedAccount *)(const void *)(run->first + k * run->stride);
}

/* Makes *A the K-th account of RUN as its reader gave it (but for its
 * values and name, which a compact work does not hand over; A's file is
 * set once, RUN's). */
static inline void packed_account(const PackedRun *run, size_t k, Account *a) {
  const PackedAccount *pa = packed_at(run, k);
  a->line = pa->line;
  a->ordinal = run->ordinal + k;
  a->id = run->head + pa->id;
  a->work = run->head + pa->work;
  a->text = run->text ? run->text + pa->text : NULL;
  a->text_len = pa->text_len;
}

/* Work done on the reading threads of read_data_jobs, account by
 * account, before the account comes to the calling thread: start(ud)
 * makes each reading thread's state, on the calling thread before the
 * reading begins (it may read what the calling thread writes later: the
 * state is made of what it read then); the reading thread calls
 * account(state, a, arena) for each good account it reads (what it
 * returns, allocated in ARENA, which travels with the account, comes to
 * FN as Account.work), and stop(state) at its end. Those must read
 * nothing the calling thread writes: it handles the accounts (and reads
 * CSV pieces of its own, with FN) while the reading threads run. */
typedef struct JobWork {
  void *(*start)(void *ud);
  const void *(*account)(void *state, const Account *a, Arena *arena);
  void (*stop)(void *state);
  void *ud;
  /* May be NULL: called on the calling thread with FN's ud a few
   * accounts before FN gets an account, with what the work made of it
   * (Account.work, not NULL), to start fetching what FN will read. */
  void (*ahead)(void *fn_ud, const void *work);
  /* May be NULL: called on the calling thread with FN's ud after each
   * batch of accounts made on a reading thread has been handed to FN (or
   * FN asked to stop), before what the work made of them (Account.work,
   * .text) is used again. */
  void (*replayed)(void *fn_ud);
  /* Not NULL: a compact work, called instead of account(). It appends
   * what it made of A to HEAD (at an offset aligned to 8) and to TEXT
   * (the account's output: the texts of a batch's accounts follow each
   * other there, so that the calling thread reads them as one stream),
   * which hold all FN reads of the account besides its file, line and
   * ordinal, its id included (NUL-terminated, anywhere in what it
   * appended to HEAD: it returns the id's offset in HEAD, so that an id
   * that is the key's text is written once): FN gets Account.work
   * pointing at the head, .id into it, .text at the text, and .values
   * and .name NULL. The values are not kept past the work (the reader's
   * arena is reset at each account, as on one thread, and a batch
   * carries only the heads and texts). */
  size_t (*pack)(void *state, const Account *a, Buf *head, Buf *text);
  /* May be NULL (then FN, account by account): called on the calling
   * thread with FN's ud instead of FN for a run of accounts a compact
   * work packed (PackedRun), which it handles in order as FN would;
   * false when one of them asked to stop (as FN's false), *DONE then
   * the accounts handled, that one included (else all of the run). Lets
   * the caller go through a batch's accounts in a loop of its own: no
   * call, no Account made, no counts kept per account (JobWork.ahead is
   * then not called: the loop fetches what it needs itself). */
  bool (*packed_run)(void *fn_ud, const struct PackedRun *run, size_t *done);
  /* May be NULL (a compact work): the array a reading thread's CSV
   * reader converts each account's values into (ReadOpts.values), the
   * thread's own (its evaluator's input table), which pack then finds
   * in place instead of copying them there. */
  Value *(*inputs)(void *state);
  /* A compact work whose bytes are many (a Result an account): a CSV
   * piece then hands over a few batches and waits for them to be
   * replayed, as when the values travel, so that the calling thread
   * reads them while they are still in a cache (read far ahead, they
   * were not: report -j 2's calling thread took 20% longer). */
  bool bulky;
} JobWork;

#endif
