/* read_jobs.c — a data file read on other threads while the calling
 * thread handles its accounts (read_data_jobs, reader.h).
 *
 * The readers run unchanged on worker threads, each over an Intake whose
 * callbacks record instead of act: an account (its values stay in the
 * intake's arena, which is not reset between accounts but handed over
 * with the batch; with a JobWork, what its work made of the account, in
 * the same arena: run_jobs.c scores it there), a diagnostic (its text), a
 * rejected account's key. The calling thread replays the records in the
 * file's order: the account callback, the diagnostics and the rejected
 * keys come to it one by one exactly as read_data gives them, with the
 * counts (ReadStats) as they were at that moment, so nothing above the
 * readers can tell the difference (tests/jobs.sh checks the bytes);
 * with a compact work's JobWork.packed_run, the accounts between two
 * other records come to it as one run, the counts following on. A
 * replayed batch goes back to the workers with its arena, to be filled
 * again while its memory is warm.
 *
 * CSV is read in pieces, several at once: a piece ends just after a line
 * feed outside quotes (csv_piece_end: the quotes' parity, from the
 * piece's start, which is a record boundary), each piece is read by its
 * own reader from its offset and line, and the pieces are replayed in
 * order. A '"' inside an unquoted cell (an ordinary byte to the reader)
 * can fool the parity; the reader of the piece before then ends
 * elsewhere than where the next piece began, and the rest of the file is
 * read on the calling thread from where it really ended. Other formats
 * (and CSV that is not UTF-8, has CR line ends or comes from standard
 * input) are read by one worker while the calling thread scores.
 *
 * The calling thread reads CSV pieces too (Piece.direct): with JOBS
 * threads, JOBS - 1 workers and it. Its own piece it reads as read_data
 * would, straight into the callback (nothing recorded, nothing replayed,
 * no cache line crossing to the other core: what recording and replaying
 * cost, -j 2's threads took a third more CPU than -j 1), between the
 * workers' pieces, which it replays. The pieces alternate as the threads
 * ask: the calling thread has up to CALLER_AHEAD pieces made for it
 * ahead (a worker makes one for it before its own), and a worker that is
 * ahead takes the next piece itself, so the faster thread takes more of
 * the file. When a worker's piece has nothing to replay yet, the calling
 * thread does not sleep: it makes the next piece and reads it as a
 * worker would, recorded, to replay it in its turn (help). The calling
 * thread's pieces grow when it finds a worker's piece unread, and shrink
 * when a worker waits for room in the window (balance_caller_waits,
 * balance_worker_waits); both are rare. Near the end of the file the
 * pieces shrink with what is left (TAIL_SHARE), so the threads end
 * together.
 *
 * Memory stays bounded: at most `window` pieces (of at most PIECE_MAX
 * bytes) are read ahead of the one being replayed, and a file read by one
 * worker hands over at most QUEUE_MAX batches before it waits for them to
 * be replayed. A CSV piece never waits for its batches to be replayed:
 * the workers read their pieces to the end while the calling thread
 * catches up, so that both cores of two keep reading.
 *
 * Waking costs: threads share cores (a file read by one worker: two
 * threads at -j 1 + 1), and each wake-up of a sleeping thread is a
 * context switch that stops a reader. So each
 * thread is woken only for what it waits for (condition variables
 * `ready` for the calling thread, `room` for the workers), and the
 * calling thread only once its piece has WAKE_AT batches or is read.
 *
 * With a compact JobWork (account.h) the values are not handed over:
 * the reader's arena is reset at each account, as on one thread (the
 * values stay in the core's cache), and a batch's own arena holds what
 * the work made of each account, its id, and the keys of rejected
 * accounts. */
#ifdef __linux__
#define _GNU_SOURCE /* sched_getcpu, pthread_attr_setaffinity_np */
#include <sched.h>
#endif
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/intake.h"
#include "io/reader.h"
#include "kenko.h"

enum {
  BATCH_EVENTS = 256,      /* accounts (and diagnostics) handed over at once */
  AHEAD = 8,               /* JobWork.ahead comes this many events before */
  FETCH = 16,              /* what the work made is fetched this many before */
  FETCH_LINES = 16,        /* (up to the next account's, at most this many lines) */
  BATCH_BYTES = 1 << 19,   /* a batch's arena: one chunk holds it, most often */
  COMPACT_BYTES = 1 << 17, /* the same with a compact JobWork */
  QUEUE_MAX = 4,           /* batches of a one-piece file waiting to be replayed */
  WAKE_AT = 4,             /* the calling thread waits for this many batches */
  PIECES_PER_JOB = 8,      /* a CSV file is cut in about jobs × this pieces */
  PIECE_MAX = 1 << 20,     /* bytes of a CSV piece at most (each costs its
                              setup: the header, the columns, the buffers) */
  PIECE_MIN = 1,           /* small files too: tests reach every path */
  SPARE_MAX = 32,          /* spare batches kept, per piece of the window */
  CALLER_AHEAD = 2,        /* pieces made for the calling thread, unread */
  TAIL_SHARE = 4,          /* a piece is at most this fraction of what is
                              left of the file (the tail: both threads end
                              together) */
  TAIL_MIN = 16,           /* ... down to a piece (PIECE_MAX) / this */
  LINES = 128              /* a Worker's and a Batch's alignment: two cache
                              lines (the adjacent-line prefetcher fetches
                              pairs) */
};

/* EV_PACKED: an account of a compact work (JobWork.pack). */
typedef enum EventKind { EV_ACCOUNT, EV_PACKED, EV_DIAG, EV_KEY } EventKind;

/* One thing a reader did, as the calling thread replays it (small, 56
 * bytes: the calling thread reads each one from the other core's cache,
 * and the worker writes it; an Account is made of it at the replay,
 * whose file is the calling thread's name of the data, the same). */
typedef struct Event {
  uint8_t kind;                /* EventKind */
  uint8_t level;               /* EV_DIAG: kenko_level */
  uint32_t line;               /* EV_DIAG's (an int); an account's */
  uint64_t accounts, rejected; /* the piece's counts at that moment */
  union {
    /* EV_ACCOUNT: the account as the reader gave it (its ordinal is the
     * piece's; the replay puts the run's) */
    struct {
      const Value *values;
      const char *id, *name;
      const void *work;
    } a;
    /* EV_PACKED: where its id and work's head are in the batch's head,
     * its text in the batch's text (Batch.head, .text), and its line
     * (Event.line is not set): what JobWork.packed_run reads */
    PackedAccount p;
    struct {
      Value key;
      const char *id;
    } k; /* EV_KEY */
    struct {
      char *file;    /* malloc'ed, or NULL */
      char *message; /* malloc'ed */
      int col;
    } d; /* EV_DIAG */
  } u;
} Event;
_Static_assert(sizeof(void *) != 8 || sizeof(Event) == 56, "an event is 56 bytes on a 64-bit machine");

/* A batch is on cache lines of its own (aligned_zeroed): a worker writes
 * its count at every account, and two batches side by side may be filled
 * by two workers at once (the spares go to either). */
typedef struct Batch {
  _Alignas(LINES) Event *events;
  size_t n, cap;
  size_t diags; /* EV_DIAG events among them (what batch_clear frees) */
  Arena arena;  /* the values of its accounts */
  /* a compact work's heads (with the accounts' ids) and texts
   * (JobWork.pack): the storage of the worker's Bufs while the batch is
   * filled */
  char *head, *text;
  size_t head_cap, text_cap;
  struct Batch *next;
} Batch;

typedef struct Piece {
  CsvPiece range; /* CSV: its bytes */
  bool direct;    /* read by the calling thread itself (a CSV piece that
                     no worker reads): nothing recorded, nothing replayed */
  Batch *head, *tail;
  size_t queued; /* batches handed over and not yet replayed */
  bool done;     /* read: status and stats are final */
  int status;
  ReadStats stats; /* its own counts */
} Piece;

typedef struct Jobs {
  const char *path;
  DataFormat fmt;
  const Schema *schema;
  const ReadOpts *opts;
  const SourceSet *sources;
  const JobWork *work; /* done on the workers, or NULL */
  bool compact;        /* work->pack: a compact work */
  bool csv;
  int fd;
  uint64_t size, piece_bytes;
  size_t window;
  size_t queue_max; /* batches of a piece waiting, at most */
  /* a compact work: the most bytes a batch's head and text have held
   * (hand_over), which a batch's storage starts with (batch_take) */
  size_t head_high, text_high;
  pthread_mutex_t mu;
  pthread_cond_t ready; /* the calling thread: what it waits for is there */
  pthread_cond_t room;  /* the workers: a piece may be made or a batch
                           handed over, or cancel */
  size_t wanted;        /* the piece the calling thread waits for, or
                           SIZE_MAX when it does not wait */
  Piece **pieces;
  size_t npieces, cap;
  Batch *spare; /* replayed batches, for the workers to fill again */
  size_t nspare;
  size_t replayed;     /* pieces the calling thread is done with */
  uint64_t pos, lines; /* CSV: where the next piece begins, line feeds before it */
  bool split_done;     /* every piece is made */
  bool splitting;      /* a thread is finding the next piece's end */
  bool cancel;
  /* CSV: pieces are read by the calling thread too (Piece.direct):
   * CALLER_PENDING of them are made and not yet read (CALLER_AHEAD at
   * most), and CALLER_BYTES holds the reading buffers (CsvPiece.bytes)
   * of those it has read, for the scans of the next ones */
  size_t caller_pending;
  uint64_t caller_piece_bytes; /* the size of its pieces (balance_*) */
  char *caller_bytes[CALLER_AHEAD];
  size_t caller_bytes_cap[CALLER_AHEAD];
  size_t ncaller_bytes;
#ifdef __linux__
  cpu_set_t cpus; /* where the process may run (start_elsewhere) */
  bool placed;    /* the workers start on other CPUs than the caller's */
#endif
  struct Worker *self; /* the calling thread reading pieces recorded
                          (help), made the first time it does, or NULL */
} Jobs;

/* A worker thread and the piece it reads. Each is aligned to its own
 * cache lines: a worker writes its counts and its Bufs' lengths at every
 * account, and they must not share a line with the next worker's fields
 * (false sharing: the line would travel between the cores at each
 * write). */
typedef struct Worker {
  _Alignas(LINES) Jobs *j;
  pthread_t thread;
  ReadOpts opts; /* the caller's, with the rejected keys recorded */
  Piece *piece;
  Batch *batch; /* being filled */
  ReadStats stats;
  Intake *in;
  void *state;                 /* JobWork's */
  Buf head, text;              /* a compact work: the batch's bytes being written
                                  (their storage goes with the batch; the text's number
                                  cache stays) */
  size_t head_room, text_room; /* what the batch taken last should
                                  have room for (batch_take) */
  Arena arena;                 /* a compact work: the reader's arena, kept from one
                                  piece to the next (reset at each account) */
  char *bytes;                 /* CSV: the last piece's reading buffer (CsvPiece.bytes),
                                  for the next one */
  size_t bytes_cap;
} Worker;

/* N zeroed bytes aligned to LINES (N a multiple of it); freed by free. */
static void *aligned_zeroed(size_t n) {
  void *p = aligned_alloc(LINES, n);
  if (!p) p = xmalloc(n); /* unaligned, still right */
  memset(p, 0, n);
  return p;
}

static Batch *batch_new(const Jobs *j) {
  Batch *b = aligned_zeroed(sizeof *b);
  arena_init(&b->arena, j->compact ? COMPACT_BYTES : BATCH_BYTES);
  return b;
}

/* Empties B's events (its arena and bytes stay as they are): the
 * diagnostics' texts are freed, when it has any (most batches have none,
 * and their events are not read again). */
static void batch_clear(Batch *b) {
  for (size_t i = 0; b->diags > 0 && i < b->n; i++) {
    if (b->events[i].kind != EV_DIAG) continue;
    free(b->events[i].u.d.message);
    free(b->events[i].u.d.file);
    b->diags--;
  }
  b->n = 0;
}

static void batch_free(Batch *b) {
  batch_clear(b);
  free(b->events);
  free(b->head);
  free(b->text);
  arena_free(&b->arena);
  free(b);
}

/* Keeps B, replayed, for a worker to fill again (under the lock): its
 * events' memory and its arena's chunk are then used again instead of
 * freed and allocated anew (which costs page faults and a cold cache).
 * The spares are never more than the batches alive at once, which the
 * window (and QUEUE_MAX) bound; SPARE_MAX a piece is a safety net. */
static void batch_spare(Jobs *j, Batch *b) {
  if (j->nspare >= SPARE_MAX * j->window) {
    batch_free(b);
    return;
  }
  j->nspare++;
  b->next = j->spare;
  j->spare = b;
}

/* The room a batch's head or text starts with, when the fullest batch
 * so far held HIGH bytes there: that, and an eighth more (batches of
 * BATCH_EVENTS accounts differ little), or nothing before any batch. */
static size_t batch_room(size_t high) { return high ? high + high / 8 + 64 : 0; }

/* A batch to fill for worker W (under the lock): a spare one, or new;
 * with a compact work, W learns the room its bytes should have
 * (take_text makes it). */
static Batch *batch_take(Jobs *j, Worker *w) {
  w->head_room = batch_room(j->head_high);
  w->text_room = batch_room(j->text_high);
  Batch *b = j->spare;
  if (!b) return batch_new(j);
  j->spare = b->next;
  j->nspare--;
  b->next = NULL;
  return b;
}

/* A new event of worker W's batch (inlined: once an account). */
__attribute__((always_inline)) static inline Event *record(Worker *w, EventKind kind) {
  Batch *b = w->batch;
  if (b->n == b->cap) { /* (a batch holds BATCH_EVENTS accounts, and the diagnostics between them) */
    b->cap = b->cap ? 2 * b->cap : BATCH_EVENTS + 16;
    b->events = xrealloc(b->events, b->cap * sizeof *b->events);
  }
  Event *e = &b->events[b->n++];
  e->kind = kind;
  e->accounts = w->stats.accounts;
  e->rejected = w->stats.rejected;
  return e;
}

/* Wakes the calling thread when it waits for piece P (the lock held) and
 * P has what it waits for: WAKE_AT batches, or its end. */
static void wake_caller(Jobs *j, const Piece *p) {
  if (j->wanted < j->npieces && j->pieces[j->wanted] == p && (p->done || p->queued >= WAKE_AT))
    pthread_cond_signal(&j->ready);
}

/* Makes *DATA (of *CAP bytes, holding nothing to keep) at least ROOM
 * bytes: allocated anew, not grown, which would copy it. */
static void storage_room(char **data, size_t *cap, size_t room) {
  if (*cap >= room) return;
  free(*data);
  *data = xmalloc(room);
  *cap = room;
}

/* A compact work: the worker's Bufs take B's storage for bytes, to fill,
 * made as large as the fullest batch's so far (batch_take): a batch's
 * Bufs then seldom grow (from empty, by doubling, each new batch's did
 * some eight times, and about a hundred batches are made for a file). */
static void take_text(Worker *w, Batch *b) {
  storage_room(&b->head, &b->head_cap, w->head_room);
  storage_room(&b->text, &b->text_cap, w->text_room);
  w->head.data = b->head;
  w->head.cap = b->head_cap;
  w->head.len = 0;
  w->text.data = b->text;
  w->text.cap = b->text_cap;
  w->text.len = 0;
  b->head = b->text = NULL;
  b->head_cap = b->text_cap = 0;
}

/* A compact work: B (filled, or a spare one) takes the storage of the
 * worker's Bufs. */
static void give_storage(Worker *w, Batch *b) {
  b->head = w->head.data;
  b->head_cap = w->head.cap;
  b->text = w->text.data;
  b->text_cap = w->text.cap;
  w->head.data = w->text.data = NULL;
  w->head.cap = w->text.cap = 0;
}

/* A compact work: batch B takes the bytes written for it (its events
 * say where each account's are in them: EV_PACKED), the worker's Buf the
 * storage of NEXT, the batch to be filled next. */
static void give_text(Worker *w, Batch *b, Batch *next) {
  give_storage(w, b);
  take_text(w, next);
}

/* Hands the batch being filled to the calling thread (a one-piece file:
 * waiting while QUEUE_MAX batches wait); a fresh batch follows. Its
 * accounts are in the intake's arena, which goes with it, the intake
 * taking the fresh batch's, emptied (with a compact JobWork, in the
 * batch's own). After cancel, the reader is told to stop and the batch
 * is dropped. */
static void hand_over(Worker *w) {
  Batch *b = w->batch;
  Jobs *j = w->j;
  Piece *p = w->piece;
  pthread_mutex_lock(&j->mu);
  if (j->head_high < w->head.len) j->head_high = w->head.len;
  if (j->text_high < w->text.len) j->text_high = w->text.len;
  Batch *next = batch_take(j, w);
  pthread_mutex_unlock(&j->mu);
  arena_reset(&next->arena);
  if (!j->compact) {
    /* the batch takes the intake's arena (its own is empty: batch_new, or
     * given to the intake before), the intake the next batch's */
    Arena full = w->in->arena;
    w->in->arena = next->arena;
    arena_init(&next->arena, BATCH_BYTES);
    b->arena = full;
  }
  if (j->compact) give_text(w, b, next);
  w->batch = next;
  pthread_mutex_lock(&j->mu);
  /* (the calling thread replays its own: it never waits for them) */
  while (!j->cancel && p->queued >= j->queue_max && w != j->self)
    pthread_cond_wait(&j->room, &j->mu);
  bool cancelled = j->cancel;
  if (!cancelled) {
    if (p->tail)
      p->tail->next = b;
    else
      p->head = b;
    p->tail = b;
    p->queued++;
    wake_caller(j, p);
  }
  pthread_mutex_unlock(&j->mu);
  if (cancelled) {
    batch_free(b);
    w->in->stop = true;
  }
}

/* Intake.begin_hook: a full batch is handed over before the next
 * account's values are allocated. */
static void begin_account(Intake *in) {
  Worker *w = in->hook_ud;
  if (w->batch->n >= BATCH_EVENTS) hand_over(w);
  if (w->j->compact) arena_reset(&in->arena);
}

static bool record_account(void *ud, const Account *a, Arena *arena) {
  Worker *w = ud;
  if (w->j->compact) {
    /* what the work made (the id among it) goes to the batch's bytes,
     * where the event says (EV_PACKED) */
    Event *e = record(w, EV_PACKED);
    e->u.p.line = a->line;
    Buf *h = &w->head;
    size_t at = w->text.len;
    e->u.p.work = h->len; /* (aligned to 8) */
    e->u.p.id = w->j->work->pack(w->state, a, h, &w->text);
    h->len = (h->len + 7) & ~(size_t)7;
    e->u.p.text = at;
    e->u.p.text_len = (uint32_t)(w->text.len - at);
    return !w->in->stop;
  }
  Event *e = record(w, EV_ACCOUNT);
  e->line = a->line;
  e->u.a.values = a->values;
  e->u.a.id = a->id;
  e->u.a.name = a->name;
  e->u.a.work = w->j->work ? w->j->work->account(w->state, a, arena) : NULL;
  return !w->in->stop;
}

static void record_diag(void *ud, const kenko_diag *d) {
  Worker *w = ud;
  Event *e = record(w, EV_DIAG);
  w->batch->diags++;
  e->level = (uint8_t)d->level;
  e->u.d.file = d->file ? xstrdup(d->file) : NULL;
  e->line = (uint32_t)d->line;
  e->u.d.col = d->col;
  e->u.d.message = xstrdup(d->message);
}

static void record_key(void *ud, const Value *key, const char *id) {
  Worker *w = ud;
  Event *e = record(w, EV_KEY);
  e->u.k.key = *key;
  e->u.k.id = id;
  if (w->j->compact) { /* the reader's arena is reset at the next account */
    Arena *arena = &w->batch->arena;
    if (key->type == T_TEXT) e->u.k.key.u.text = arena_strndup(arena, key->u.text, key->len);
    if (id) e->u.k.id = arena_strdup(arena, id);
  }
}

/* Reads piece P on this worker. */
static void read_piece(Worker *w, Piece *p) {
  Jobs *j = w->j;
  Diag diag;
  diag_init(&diag, j->sources, record_diag, w);
  memset(&w->stats, 0, sizeof w->stats);
  w->piece = p;
  /* a spare batch and its arena, warm (without a compact work, the
   * arena goes to the intake: the batch takes the intake's in hand_over) */
  pthread_mutex_lock(&j->mu);
  w->batch = batch_take(j, w);
  pthread_mutex_unlock(&j->mu);
  arena_reset(&w->batch->arena);
  if (j->compact) take_text(w, w->batch);
  Intake in;
  intake_init(&in, j->path, j->schema, &w->opts, &diag, record_account, w, &w->stats);
  in.begin_hook = begin_account;
  in.kept = !j->compact; /* compact: the work is done with them at once */
  arena_free(&in.arena);
  if (j->compact) {
    in.arena = w->arena; /* warm: the last piece's */
  } else {
    in.arena = w->batch->arena;
    arena_init(&w->batch->arena, BATCH_BYTES);
  }
  in.hook_ud = w;
  in.piece = j->csv ? &p->range : NULL;
  w->in = &in;
  int status = intake_read(&in, j->fmt);
  if (p->range.bytes) { /* the reader's buffer, kept for the next piece */
    free(w->bytes);
    w->bytes = p->range.bytes;
    w->bytes_cap = p->range.bytes_cap;
    p->range.bytes = NULL;
  }
  hand_over(w);
  if (j->compact) { /* kept for the next piece */
    arena_reset(&in.arena);
    w->arena = in.arena;
    arena_init(&in.arena, 0);
  }
  intake_free(&in);
  w->in = NULL;
  if (j->compact) give_storage(w, w->batch); /* it goes back with the batch */
  pthread_mutex_lock(&j->mu);
  batch_spare(j, w->batch);
  w->batch = NULL;
  p->status = status;
  p->stats = w->stats;
  p->done = true;
  wake_caller(j, p);
  pthread_mutex_unlock(&j->mu);
}

/* Makes P the next piece of a CSV file (under the lock, which it lets
 * go while it finds the piece's end: that reads the piece), keeping the
 * bytes the scan reads in the reading buffer *BYTES (of *CAP bytes),
 * which goes with the piece: its reader takes them instead of reading
 * them again. */
static void cut_piece(Jobs *j, Piece *p, char **bytes, size_t *cap) {
  uint64_t lines, begin = j->pos;
  p->range.begin = begin;
  p->range.line = (uint32_t)(1 + j->lines);
  if (begin > 0) {
    p->range.bytes = *bytes;
    p->range.bytes_cap = *cap;
    *bytes = NULL;
    *cap = 0;
  }
  j->splitting = true;
  pthread_mutex_unlock(&j->mu);
  uint64_t want = p->direct ? j->caller_piece_bytes : j->piece_bytes;
  /* the tail: pieces shrink with what is left (guided self-scheduling),
   * so that the last ones are small and the threads end together */
  uint64_t guided = (j->size - begin) / TAIL_SHARE, least = j->piece_bytes / TAIL_MIN;
  if (guided < least) guided = least;
  if (guided < PIECE_MIN) guided = PIECE_MIN;
  if (guided < want) want = guided;
  uint64_t target = begin + want;
  if (begin > 0)
    p->range.end = csv_piece_take(j->fd, &p->range, target, j->size, &lines);
  else
    p->range.end = csv_piece_end(j->fd, begin, target, j->size, &lines);
  pthread_mutex_lock(&j->mu);
  j->splitting = false;
  j->pos = p->range.end;
  j->lines += lines;
  j->split_done = j->pos >= j->size;
  pthread_cond_broadcast(&j->room); /* a worker waiting for the split */
}

/* Appends the piece P, made (under the lock). */
static void add_piece(Jobs *j, Piece *p) {
  if (j->npieces == j->cap) {
    j->cap = j->cap ? 2 * j->cap : 16;
    j->pieces = xrealloc(j->pieces, j->cap * sizeof *j->pieces);
  }
  j->pieces[j->npieces++] = p;
  if (j->wanted == j->npieces - 1 || j->split_done) pthread_cond_signal(&j->ready);
}

/* The calling thread would wait for a worker's piece (it reads one
 * recorded instead, help, when it can): it is ahead, its own pieces grow
 * (a quarter), to the size of 4 workers' pieces at most. */
static void balance_caller_waits(Jobs *j) {
  uint64_t more = j->caller_piece_bytes + j->caller_piece_bytes / 4 + 1;
  j->caller_piece_bytes = more < 4 * j->piece_bytes ? more : 4 * j->piece_bytes;
}

/* A worker waits for room in the window: the calling thread, busy with
 * its own pieces and replaying the workers', is behind; its pieces
 * shrink (an eighth), to an eighth of a worker's piece at least. (Not
 * each time a worker has read its piece before the calling thread its
 * own, as it was: the calling thread then came to wait for the workers
 * at every other piece, the equilibrium of that rule.) */
static void balance_worker_waits(Jobs *j) {
  uint64_t less = j->caller_piece_bytes - j->caller_piece_bytes / 8;
  j->caller_piece_bytes = less > j->piece_bytes / 8 ? less : j->piece_bytes / 8;
  if (j->caller_piece_bytes < PIECE_MIN) j->caller_piece_bytes = PIECE_MIN;
}

/* A CSV piece for the calling thread to read itself, made under the
 * lock: by a worker, before its own, when fewer than CALLER_AHEAD are
 * made and unread, or by the calling thread when it has none and no one
 * is making one. */
static void cut_for_caller(Jobs *j) {
  Piece *p = xcalloc(1, sizeof *p);
  p->direct = true;
  j->caller_pending++;
  char *bytes = NULL;
  size_t cap = 0;
  if (j->ncaller_bytes > 0) { /* a reading buffer the calling thread gave back */
    bytes = j->caller_bytes[--j->ncaller_bytes];
    cap = j->caller_bytes_cap[j->ncaller_bytes];
  }
  cut_piece(j, p, &bytes, &cap);
  free(bytes); /* (the first piece's scan keeps nothing) */
  add_piece(j, p);
}

/* The next piece for worker W to read (made here, under the lock), or
 * NULL when there is none or the run is cancelled. Waits while `window`
 * pieces are ahead of the one being replayed (the calling thread is
 * behind: balance_worker_waits), or another thread is finding where the
 * next piece ends (which it does without the lock: that reads a piece).
 * A CSV file's pieces alternate as the threads ask: when the calling
 * thread has fewer than CALLER_AHEAD pieces of its own made and unread,
 * the next one is made for it first (so that it has a piece of its own
 * to read after the worker's), else the worker takes the next one: a
 * worker that is ahead takes more of the file. A worker's FIRST piece is
 * its own: the calling thread made its first before the workers started
 * and reads it meanwhile. */
static Piece *next_piece(Jobs *j, Worker *w, bool first) {
  for (;;) {
    if (j->csv && !j->cancel && !j->split_done && !j->splitting && j->npieces >= j->replayed + j->window)
      balance_worker_waits(j);
    while (!j->cancel && !j->split_done && (j->splitting || j->npieces >= j->replayed + j->window))
      pthread_cond_wait(&j->room, &j->mu);
    if (j->cancel || j->split_done) return NULL;
    if (j->csv && j->caller_pending < CALLER_AHEAD && !first) {
      cut_for_caller(j);
      continue;
    }
    Piece *p = xcalloc(1, sizeof *p);
    if (j->csv)
      cut_piece(j, p, &w->bytes, &w->bytes_cap);
    else
      j->split_done = true; /* one piece: the whole file */
    add_piece(j, p);
    return p;
  }
}

/* Worker W of J, ready to read pieces. */
static void worker_init(Jobs *j, Worker *w) {
  w->j = j;
  arena_init(&w->arena, 0);
  if (j->opts) w->opts = *j->opts;
  w->opts.rejected_key = record_key;
  w->opts.rejected_ud = w;
  w->opts.expect = NULL; /* the calling thread's (its first piece tells it) */
  /* splittable: UTF-8, which each piece need not find out again */
  if (j->csv) w->opts.encoding = "utf-8";
  /* the work's state made on the calling thread, before the worker reads
   * anything (the calling thread reads its own pieces meanwhile) */
  if (j->work) w->state = j->work->start(j->work->ud);
  /* the caller's array is the calling thread's: a compact work's
   * reader converts into the work's own (Intake.kept: the values stay
   * in the batch's arena) */
  w->opts.values = j->compact && j->work->inputs ? j->work->inputs(w->state) : NULL;
}

/* Ends worker W's work (on the thread that read with it: a worker's own
 * at its end, while the calling thread still replays). */
static void worker_stop(Worker *w) {
  if (w->j->work && w->state) w->j->work->stop(w->state);
  w->state = NULL;
}

/* Frees what worker W kept from one piece to the next (its thread has
 * ended, or it is the calling thread's). */
static void worker_free(Worker *w) {
  worker_stop(w);
  buf_free(&w->head);
  buf_free(&w->text);
  arena_free(&w->arena);
  free(w->bytes);
}

/* The calling thread would wait for a worker's piece (under the lock):
 * instead, while the file has pieces to make and the window has room,
 * it makes the next one and reads it as a worker does (recorded, to be
 * replayed in its turn; Jobs.self, made the first time), so that it
 * does not sleep while there is work. Returns false when it cannot. */
static bool help(Jobs *j) {
  if (!j->csv || j->cancel || j->split_done || j->splitting || j->npieces >= j->replayed + j->window)
    return false;
  if (!j->self) {
    j->self = aligned_zeroed(sizeof *j->self);
    worker_init(j, j->self);
  }
  Worker *w = j->self;
  Piece *p = xcalloc(1, sizeof *p);
  cut_piece(j, p, &w->bytes, &w->bytes_cap);
  add_piece(j, p);
  pthread_mutex_unlock(&j->mu);
  read_piece(w, p);
  pthread_mutex_lock(&j->mu);
  return true;
}

/* Where the workers start (ATTR, for pthread_create): on the CPUs the
 * process may use other than the calling thread's, when there are any.
 * Left to itself, the kernel often starts a new thread on its creator's
 * CPU, where the two take turns until the load balancer moves one, while
 * the other CPU idles. Each worker lets itself go anywhere again as soon
 * as it runs (worker_main), and the calling thread lets them all go once
 * it has read its first piece (go_anywhere: a worker that could not start
 * on a busy CPU by then starts where it can): the start is only a hint. */
static void start_elsewhere(Jobs *j, pthread_attr_t *attr) {
#ifdef __linux__
  int cpu = sched_getcpu();
  if (cpu < 0 || sched_getaffinity(0, sizeof j->cpus, &j->cpus) != 0) return;
  if (!CPU_ISSET(cpu, &j->cpus) || CPU_COUNT(&j->cpus) < 2) return;
  cpu_set_t others = j->cpus;
  CPU_CLR(cpu, &others);
  j->placed = pthread_attr_setaffinity_np(attr, sizeof others, &others) == 0;
#else
  (void)j;
  (void)attr;
#endif
}

/* The calling thread has read its first piece: the workers may run on
 * any of the process's CPUs (those that run already have said so). */
static void go_anywhere(Jobs *j, Worker *workers, int started) {
#ifdef __linux__
  for (int t = 0; j->placed && t < started; t++)
    pthread_setaffinity_np(workers[t].thread, sizeof j->cpus, &j->cpus);
#else
  (void)j;
  (void)workers;
  (void)started;
#endif
}

static void *worker_main(void *arg) {
  Worker *w = arg;
  Jobs *j = w->j;
#ifdef __linux__
  if (j->placed) pthread_setaffinity_np(pthread_self(), sizeof j->cpus, &j->cpus);
#endif
  pthread_mutex_lock(&j->mu);
  Piece *p;
  for (bool first = true; (p = next_piece(j, w, first)) != NULL; first = false) {
    pthread_mutex_unlock(&j->mu);
    read_piece(w, p);
    pthread_mutex_lock(&j->mu);
  }
  pthread_mutex_unlock(&j->mu);
  worker_stop(w);
  return NULL;
}

/* What the calling thread replays into: the caller's intake (its
 * options, diagnostics, callback and counts; it also reads the rest of a
 * file whose cut went wrong). */
typedef struct Replay {
  const JobWork *work;
  Intake *to;
  uint64_t accounts, rejected; /* the counts before the piece */
} Replay;

/* Makes *A the account of event E (EV_ACCOUNT) as the reader gave it to
 * record_account, but for its ordinal (the piece's) and file (set by the
 * caller: the data's name, the same for all). */
static inline void event_account(const Event *e, Account *a) {
  a->line = e->line;
  a->values = e->u.a.values;
  a->name = e->u.a.name;
  a->id = e->u.a.id;
  a->work = e->u.a.work;
}

/* What the work made of event I of B (EV_ACCOUNT), or NULL. */
static const char *event_work(const Batch *b, size_t i) {
  if (i >= b->n) return NULL;
  const Event *e = &b->events[i];
  return e->kind == EV_ACCOUNT ? e->u.a.work : NULL;
}

/* JobWork.ahead for event I of B, when the work made something of it. */
static inline void look_ahead(Replay *r, const Batch *b, size_t i) {
  const char *w = event_work(b, i);
  if (w) r->work->ahead(r->to->ud, w);
}

/* Starts fetching what the work made of event I of B (written on
 * another core: the calling thread would otherwise wait for it, line by
 * line, where it first reads it). */
static inline void fetch(const Batch *b, size_t i) {
  const char *w = event_work(b, i);
  if (!w) return;
  const char *next = event_work(b, i + 1);
  size_t len = next > w && (size_t)(next - w) < 64 * FETCH_LINES ? (size_t)(next - w) : 64 * FETCH_LINES;
  for (size_t k = 0; k < len; k += 64)
    __builtin_prefetch(w + k);
}

/* Replays event E, a diagnostic or a rejected key, into TO. */
static void replay_other(Intake *to, const Event *e) {
  if (e->kind == EV_DIAG)
    diag_at(to->diag, (kenko_level)e->level, e->u.d.file, (int)e->line, e->u.d.col, "%s", e->u.d.message);
  else if (to->opts && to->opts->rejected_key)
    to->opts->rejected_key(to->opts->rejected_ud, &e->u.k.key, e->u.k.id);
}

/* replay_events for a compact work's batch B (EV_PACKED: the accounts'
 * heads, ids and texts at offsets in B's bytes) without
 * JobWork.packed_run: B's heads fetched as one stream, up to the head of
 * the account FETCH on; JobWork.ahead AHEAD accounts on; each account
 * handed to FN with the counts as they were. */
static bool replay_packed_each(Replay *r, Batch *b) {
  /* (in locals: the callbacks could change what is behind a pointer) */
  const JobWork *work = r->work;
  void (*ahead)(void *, const void *) = work->ahead;
  Intake *to = r->to;
  ReadStats *stats = to->stats;
  void *ud = to->ud;
  uint64_t accounts = r->accounts, rejected = r->rejected;
  const Event *ev = b->events;
  size_t n = b->n;
  const char *head = b->head, *text = b->text;
  size_t fetched = 0; /* the heads' bytes fetched */
  for (size_t i = 0; ahead && i < AHEAD && i < n; i++)
    if (ev[i].kind == EV_PACKED) ahead(ud, head + ev[i].u.p.work);
  Account a = {.file = to->path}; /* (no values, no name) */
  for (size_t i = 0; i < n; i++) {
    const Event *f = &ev[i + FETCH < n ? i + FETCH : n - 1];
    for (; f->kind == EV_PACKED && fetched <= f->u.p.work; fetched += 64)
      __builtin_prefetch(head + fetched);
    if (ahead && i + AHEAD < n && ev[i + AHEAD].kind == EV_PACKED) ahead(ud, head + ev[i + AHEAD].u.p.work);
    const Event *e = &ev[i];
    stats->accounts = accounts + e->accounts;
    stats->rejected = rejected + e->rejected;
    if (e->kind != EV_PACKED) {
      replay_other(to, e);
      continue;
    }
    a.line = e->u.p.line;
    a.ordinal = accounts + e->accounts - 1;
    a.id = head + e->u.p.id;
    a.work = head + e->u.p.work;
    a.text = text ? text + e->u.p.text : NULL;
    a.text_len = e->u.p.text_len;
    if (!to->fn(ud, &a, &b->arena)) return false;
  }
  return true;
}

/* replay_events for a compact work's batch B with JobWork.packed_run:
 * its packed accounts go to it in runs, as many at once as follow each
 * other with nothing between them and counts that follow on (a record
 * a malformed file cut short counts without an event: intake_cut), the
 * calling thread's loop once a worker's account being packed_run's
 * own. The counts are the run's first account's while it is handled,
 * its last handled one's after. */
static bool replay_packed(Replay *r, Batch *b) {
  if (!r->work->packed_run) return replay_packed_each(r, b);
  Intake *to = r->to;
  ReadStats *stats = to->stats;
  const Event *ev = b->events;
  size_t n = b->n;
  PackedRun run = {.stride = sizeof *ev, .head = b->head, .text = b->text, .file = to->path};
  for (size_t i = 0; i < n;) {
    const Event *e = &ev[i];
    stats->accounts = r->accounts + e->accounts;
    stats->rejected = r->rejected + e->rejected;
    if (e->kind != EV_PACKED) {
      replay_other(to, e);
      i++;
      continue;
    }
    size_t j = i + 1;
    while (j < n && ev[j].kind == EV_PACKED && ev[j].accounts == ev[j - 1].accounts + 1 &&
           ev[j].rejected == e->rejected)
      j++;
    run.first = (const char *)&e->u.p;
    run.n = j - i;
    run.ordinal = stats->accounts - 1;
    size_t done = run.n;
    bool go = r->work->packed_run(to->ud, &run, &done);
    if (done > 0) stats->accounts = r->accounts + ev[i + done - 1].accounts;
    if (!go) return false;
    i = j;
  }
  return true;
}

/* Replays batch B; false when the callback asked to stop. */
static bool replay_events(Replay *r, Batch *b) {
  if (r->work && r->work->pack) return replay_packed(r, b);
  bool ahead = r->work && r->work->ahead;
  for (size_t i = 0; r->work && i < FETCH; i++)
    fetch(b, i);
  for (size_t i = 0; ahead && i < AHEAD; i++)
    look_ahead(r, b, i);
  Account a = {.file = r->to->path}; /* (event_account fills the rest) */
  for (size_t i = 0; i < b->n; i++) {
    const Event *e = &b->events[i];
    if (r->work) fetch(b, i + FETCH);
    if (ahead) look_ahead(r, b, i + AHEAD);
    Intake *to = r->to;
    to->stats->accounts = r->accounts + e->accounts;
    to->stats->rejected = r->rejected + e->rejected;
    if (e->kind != EV_ACCOUNT) {
      replay_other(to, e);
      continue;
    }
    event_account(e, &a);
    a.ordinal = to->stats->accounts - 1;
    if (!to->fn(to->ud, &a, &b->arena)) return false;
  }
  return true;
}

/* replay_events, then JobWork.replayed: B's memory is used again after. */
static bool replay(Replay *r, Batch *b) {
  bool go = replay_events(r, b);
  if (r->work && r->work->replayed) r->work->replayed(r->to->ud);
  return go;
}

/* Reads piece P (Piece.direct) on the calling thread, without the lock:
 * its accounts, diagnostics and rejected keys go straight where read_data
 * sends them, with the counts following on from R's; P's status and its
 * own counts are then as a worker's reading would have left them.
 * Returns false when the callback asked to stop. */
static bool read_direct(Replay *r, Piece *p, DataFormat fmt) {
  Intake *in = r->to;
  ReadStats *stats = in->stats;
  bool file_error = stats->file_error;
  stats->accounts = r->accounts;
  stats->rejected = r->rejected;
  stats->file_error = false;
  in->piece = &p->range;
  p->status = intake_read(in, fmt);
  in->piece = NULL;
  p->stats.accounts = stats->accounts - r->accounts;
  p->stats.rejected = stats->rejected - r->rejected;
  p->stats.file_error = stats->file_error;
  stats->file_error = file_error;
  return !in->stop;
}

/* Merges a read's STATUS into *STATUS. */
static void merge_status(int *status, int s) {
  if (s == KENKO_ERR_USAGE)
    *status = KENKO_ERR_USAGE;
  else if (s != KENKO_OK && *status == KENKO_OK)
    *status = KENKO_ERR_DATA;
}

int read_data_jobs(const char *path, DataFormat fmt, const Schema *schema, const ReadOpts *opts, Diag *diag,
                   AccountFn fn, void *ud, ReadStats *stats, int jobs, const JobWork *work) {
  /* --strict stops at the first rejection; on_reject would run on a worker */
  if (jobs <= 1 || (opts && (opts->strict || opts->on_reject)))
    return read_data(path, fmt, schema, opts, diag, fn, ud, stats);
  if (fmt == FMT_AUTO) fmt = reader_format(path, NULL, diag);
  if (fmt == FMT_AUTO) return KENKO_ERR_USAGE;
  Jobs j = {.path = path,
            .fmt = fmt,
            .schema = schema,
            .opts = opts,
            .sources = diag->sources,
            .work = work,
            .compact = work && work->pack,
            .queue_max = QUEUE_MAX,
            .wanted = SIZE_MAX,
            .fd = -1};
  int nthreads = 1;
  if (fmt == FMT_CSV && csv_splittable(path, schema, opts, &j.size)) {
    j.fd = open(path, O_RDONLY);
    if (j.fd >= 0) {
      j.csv = true;
      /* a compact work's piece is read to its end (its size bounds it);
       * otherwise the values of its accounts would take too much room,
       * and a bulky work's bytes would have left the caches */
      if (j.compact && !work->bulky) j.queue_max = SIZE_MAX;
      nthreads = jobs - 1; /* the calling thread reads pieces too */
      j.piece_bytes = j.size / ((uint64_t)jobs * PIECES_PER_JOB);
      if (j.piece_bytes > PIECE_MAX) j.piece_bytes = PIECE_MAX;
      if (j.piece_bytes < PIECE_MIN) j.piece_bytes = PIECE_MIN;
      j.caller_piece_bytes = j.piece_bytes;
    }
  }
  /* a CSV file: the workers read on while the calling thread reads a
   * piece of its own (two pieces more) and replays theirs, and a worker
   * ahead may stay ahead by several pieces (six more; with two, the
   * tail's small pieces filled the window) */
  j.window = 2 * (size_t)nthreads + (j.csv ? 8 : 0);
  pthread_mutex_init(&j.mu, NULL);
  pthread_cond_init(&j.ready, NULL);
  pthread_cond_init(&j.room, NULL);
  /* the calling thread's first piece, made before the workers start, so
   * that it reads while they start and make theirs (they made it, the
   * calling thread waiting, and the next one too, before their own) */
  if (j.csv) {
    pthread_mutex_lock(&j.mu);
    cut_for_caller(&j);
    pthread_mutex_unlock(&j.mu);
  }
  Worker *workers = aligned_zeroed((size_t)nthreads * sizeof *workers);
  pthread_attr_t attr;
  bool attr_ok = pthread_attr_init(&attr) == 0;
  if (attr_ok) start_elsewhere(&j, &attr);
  int started = 0;
  for (int t = 0; t < nthreads; t++) {
    Worker *w = &workers[t];
    worker_init(&j, w);
    if (pthread_create(&w->thread, attr_ok ? &attr : NULL, worker_main, w) != 0) {
      worker_free(w);
      break;
    }
    started++;
  }
  if (attr_ok) pthread_attr_destroy(&attr);

  /* the calling thread's pieces (a CSV file), read as UTF-8 too */
  ReadOpts caller_opts;
  memset(&caller_opts, 0, sizeof caller_opts);
  if (opts) caller_opts = *opts;
  if (j.csv) caller_opts.encoding = "utf-8";
  Intake caller;
  intake_init(&caller, path, schema, opts ? &caller_opts : NULL, diag, fn, ud, stats);
  Replay r = {work, &caller, stats->accounts, stats->rejected};
  uint64_t rejected_before = stats->rejected;
  int status = KENKO_OK;
  bool stopped = false, resume = false;
  CsvPiece rest = {.begin = 0, .end = UINT64_MAX, .line = 1};
  pthread_mutex_lock(&j.mu);
  for (size_t i = 0; started > 0; i++) {
    j.wanted = i;
    /* the next piece, which the calling thread makes for itself when no
     * one makes it (a CSV file: the workers are busy with theirs) */
    while (i >= j.npieces && !j.split_done) {
      if (j.csv && !j.splitting)
        cut_for_caller(&j);
      else
        pthread_cond_wait(&j.ready, &j.mu);
    }
    if (i >= j.npieces) break;
    Piece *p = j.pieces[i];
    if (p->direct) {
      pthread_mutex_unlock(&j.mu);
      bool go = read_direct(&r, p, fmt);
      pthread_mutex_lock(&j.mu);
      /* its reading buffer, for the scan of the next one */
      if (j.ncaller_bytes < CALLER_AHEAD) {
        j.caller_bytes[j.ncaller_bytes] = p->range.bytes;
        j.caller_bytes_cap[j.ncaller_bytes++] = p->range.bytes_cap;
      } else {
        free(p->range.bytes);
      }
      p->range.bytes = NULL;
      j.caller_pending--;
      p->done = true;
      stopped = !go;
      if (i == 0) go_anywhere(&j, workers, started);
    }
    for (; !p->direct;) {
      /* woken once WAKE_AT batches wait (or the piece is read), then the
       * batches are replayed until none is left */
      /* nothing to replay yet: the calling thread reads the next piece
       * recorded meanwhile (help), or waits */
      if (!p->head && !p->done) balance_caller_waits(&j);
      while (!p->head && !p->done) {
        if (help(&j)) continue;
        while (!p->done && p->queued < WAKE_AT)
          pthread_cond_wait(&j.ready, &j.mu);
      }
      Batch *b = p->head;
      if (!b) break;
      p->head = b->next;
      if (!p->head) p->tail = NULL;
      if (p->queued-- >= j.queue_max) pthread_cond_broadcast(&j.room); /* its reader may wait */
      pthread_mutex_unlock(&j.mu);
      bool go = replay(&r, b);
      batch_clear(b);
      pthread_mutex_lock(&j.mu);
      batch_spare(&j, b);
      if (!go) {
        stopped = true;
        break;
      }
    }
    if (stopped) {
      /* read_data would return now: what was rejected so far decides */
      if (stats->rejected > rejected_before && status == KENKO_OK) status = KENKO_ERR_DATA;
      break;
    }
    r.accounts += p->stats.accounts;
    r.rejected += p->stats.rejected;
    stats->accounts = r.accounts;
    stats->rejected = r.rejected;
    stats->file_error |= p->stats.file_error;
    merge_status(&status, p->status);
    j.replayed = i + 1;
    pthread_cond_broadcast(&j.room);
    if (p->stats.file_error || p->status == KENKO_ERR_USAGE) break; /* the file ends there */
    if (j.csv && p->range.end < j.size && p->range.stopped_at != p->range.end) {
      /* the parity was fooled: the next piece did not begin at a record */
      resume = true;
      rest.begin = p->range.stopped_at;
      rest.line = p->range.stopped_line;
      break;
    }
  }
  j.cancel = true;
  pthread_cond_broadcast(&j.room);
  pthread_mutex_unlock(&j.mu);
  for (int t = 0; t < started; t++) {
    pthread_join(workers[t].thread, NULL);
    worker_free(&workers[t]);
  }
  if (j.self) {
    worker_free(j.self);
    free(j.self);
  }
  while (j.ncaller_bytes > 0)
    free(j.caller_bytes[--j.ncaller_bytes]);
  if (started == 0) { /* no thread: read here */
    status = read_data(path, fmt, schema, opts, diag, fn, ud, stats);
  } else if (resume) {
    caller.piece = &rest;
    merge_status(&status, intake_read(&caller, fmt));
    free(rest.bytes); /* the reader's buffer, left for a next piece */
  }
  intake_free(&caller);
  while (j.spare) {
    Batch *b = j.spare;
    j.spare = b->next;
    batch_free(b);
  }
  for (size_t i = 0; i < j.npieces; i++) {
    Piece *p = j.pieces[i];
    while (p->head) {
      Batch *b = p->head;
      p->head = b->next;
      batch_free(b);
    }
    free(p->range.bytes); /* (a piece is read once made: none, but safe) */
    free(p);
  }
  free(j.pieces);
  free(workers);
  pthread_cond_destroy(&j.ready);
  pthread_cond_destroy(&j.room);
  pthread_mutex_destroy(&j.mu);
  if (j.fd >= 0) close(j.fd);
  return status;
}
