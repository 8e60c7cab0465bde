/* run_jobs.h — accounts scored on the reading threads (`--jobs`): the
 * work (reader.h's JobWork) a scoring run hands to read_data_jobs. */
#ifndef KENKO_RUN_JOBS_H
#define KENKO_RUN_JOBS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "engine/eval.h"
#include "engine/account.h"

/* An account's output made on the thread that scores it: start(ud) makes
 * a thread's writer (JobWork.start: on the calling thread, before the
 * file is read; the writer then reads nothing the calling thread writes),
 * write(state, a, r, b) appends A's output, scored as R, to B,
 * stop(state) ends the writer. */
typedef struct JobText {
  void *(*start)(void *ud);
  void (*write)(void *state, const Account *a, const Result *r, Buf *b);
  void (*stop)(void *state);
  void *ud;
} JobText;

/* What a reading thread scores, and how. Filled by the calling thread
 * before each file is read, and read-only while it is. */
typedef struct ScoreJob {
  const Evaluator *like; /* each thread scores with an evaluator like it */
  bool scores_only;      /* EVAL_SCORES, else EVAL_DETAILS */
  int32_t as_of;         /* plain data: the date every account is scored as of */
  /* History without trend functions (run.h): a record is scored when
   * it belongs to a snapshot handed over (all, or its date is target)
   * and is dated on or before limit; as of its snapshot: file_date, or
   * else its snapshot_input's date. */
  bool history, all;
  int32_t snapshot_input, file_date, target, limit;
  const Node *const *exprs; /* ScoreSink.exprs, evaluated after scoring */
  int32_t nexprs;
  int32_t key_input;                            /* Program.key_input: its key_hash is packed too */
  void (*ahead)(void *fn_ud, const void *work); /* JobWork.ahead */
  void (*replayed)(void *fn_ud);                /* JobWork.replayed */
  bool (*packed_run)(void *fn_ud, const PackedRun *run, size_t *done); /* JobWork.packed_run */
  /* Not NULL (plain data, no exprs): each account written there too, and
   * what the calling thread gets is its key (job_key_text) and its
   * output (Account.text), not the Result: a compact JobWork. */
  const JobText *text;
  /* Without text: each account's Result packed with the NREADS inputs
   * READS and its display name (job_inputs), its values not kept past
   * the work (a compact JobWork). */
  bool inputs;
  const int32_t *reads;
  int32_t nreads;
} ScoreJob;

/* The JobWork scoring each account as SJ says: Account.work is then its
 * Result, packed, or with sj->text its output (or NULL for a record not
 * to be scored). */
JobWork score_job_work(const ScoreJob *sj);

/* The calling thread's Result that a packed one is unpacked into: each
 * job_result overwrites it (as eval_account overwrites its own). */
typedef struct JobResult {
  Result r;
  Value *values; /* the ScoreJob's exprs' */
  int32_t nvalues;
  Arena arena;
} JobResult;
void job_result_init(JobResult *jr, const Evaluator *like, int32_t nexprs);
void job_result_free(JobResult *jr);
/* The Result PACKED (an Account.work) was packed from; jr->values its
 * expressions' values. */
const Result *job_result(JobResult *jr, const void *packed);
/* The key_hash of the packed account's key (0 without a key input):
 * the first word of every packed account. Inline, as job_key_text: the
 * calling thread reads them once an account. */
static inline uint64_t job_key_hash(const void *packed) {
  uint64_t h;
  memcpy(&h, packed, sizeof h);
  return h;
}

/* The head of an account written on a reading thread (ScoreJob.text):
 * the key's hash (first, as in every packed account: job_key_hash), then
 * the key's text after it, NUL-terminated, which is the account's id too
 * when the id is the key's text (a text key), else the id follows it;
 * the output is the Account's text. */
typedef struct PackedText {
  uint64_t hash;
  uint64_t key_len;
} PackedText;

/* With ScoreJob.text: the text of the account's key (key_text; length 0
 * without a key input), N bytes. */
static inline const char *job_key_text(const void *packed, size_t *n) {
  const PackedText *t = packed;
  *n = (size_t)t->key_len;
  return (const char *)(t + 1);
}

/* With ScoreJob.inputs: the inputs READS (N of them) of the account
 * PACKED (an Account.work) into VALUES at their indices, its display
 * name (or NULL) into *NAME; returns its packed Result (for job_result
 * and job_key_hash), or NULL when it was not scored (history: a record
 * of a snapshot not handed over). Valid while the batch is replayed. */
const void *job_inputs(const void *packed, const int32_t *reads, int32_t nreads, Value *values,
                       const char **name);

/* EXPRS (N of them, NULL ones allowed) compiled for EV, into ARENA. */
const CExpr **job_compile(const Evaluator *ev, const Node *const *exprs, int32_t n, Arena *arena);
/* The values of the N expressions X (job_compile's) in the context of
 * the account EV scored last, into OUT: NULL ones and text are missing. */
void job_values(Evaluator *ev, const CExpr *const *x, int32_t n, Value *out);

#endif
