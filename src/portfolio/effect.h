/* effect.h — `kenko effect` (LANGUAGE.md §7): did an action change the
 * accounts it was taken on, compared with similar accounts not acted on?
 * effect.c reads the action log, keeps what it needs while every
 * snapshot is scored, and computes per tag; effect_write.c writes the
 * text and the JSON, effect_html.c the HTML page.
 *
 * What is kept (docs/effect.md, "Memory"): per (account, snapshot) one
 * EffRec (account index, health, grade row, persona: 12 bytes) and the
 * lost points of each member (a float per member), for every account:
 * any account of the same persona and grade may be a control; after the
 * scoring, a position per (account, snapshot) for the look-ups. Nothing
 * else of a result is kept. Per action: its account, date and tag. */
#ifndef KENKO_EFFECT_H
#define KENKO_EFFECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kenko.h"
#include "front/program.h"
#include "engine/compile.h"

enum { EFFECT_TOP_MEMBERS = 3, EFFECT_SMALL = 30, EFFECT_BINS = 10 };

/* A member whose lost points moved for the acted-on accounts relative to
 * their controls: the mean over used events (negative: fell). */
typedef struct EffMember {
  int32_t member; /* flat index */
  double change;
} EffMember;

/* One tag's figures. */
typedef struct EffTag {
  const char *name;
  uint64_t events, used, pending, not_followed, no_control;
  double mean;          /* NAN when used == 0 */
  double lo, hi;        /* the 95% interval; NAN when used < 2 */
  double improved;      /* share of used events whose grade improved */
  double ctrl_improved; /* mean over used events of their controls' share */
  uint64_t controls;    /* controls summed over used events */
  EffMember top[EFFECT_TOP_MEMBERS];
  int32_t ntop;
  /* --html: the health of the used events by 10 points (100 in the last
   * bin): [0] acted on before, [1] after; [2] their controls before, [3]
   * after, each event's controls weighing 1 together */
  double hist[4][EFFECT_BINS];
} EffTag;

typedef struct Effect {
  const Program *p;
  const char *after; /* the --after duration as written */
  EffTag *tags;
  size_t ntags;
  uint64_t actions, rejected; /* action records read, rejected */
} Effect;

int effect_program(const CProgram *cp, const char *const *data, int ndata, const kenko_effect_opts *opts,
                   FILE *out, kenko_run_stats *stats);

/* effect.c: "utilization.seat_usage" and the member's label (or NULL). */
const char *effect_member_name(const Program *p, int32_t m, char *buf, size_t n, const char **label);
/* effect_write.c */
/* The one line that says what the effect is and is not (a msgid; the text,
 * the JSON and the HTML page all carry it). */
extern const char effect_note[];
void effect_write_text(const Effect *e, FILE *out);
void effect_write_json(const Effect *e, FILE *out);
/* effect_html.c: the self-contained page (--html) */
void effect_write_html(const Effect *e, FILE *out);

#endif
