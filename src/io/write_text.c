/* write_text.c — the explanation people read (`run --format text`,
 * `kenko explain`): health, grade and coverage; the persona and why; each
 * dimension with its members (✓ / ✗ / n/a, the values against their
 * thresholds, lost points); flags and actions; the journey; the drivers;
 * and, for explain, what would change the grade. Columns are aligned by
 * display width, so Japanese labels line up. */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "base/numfmt.h"
#include "io/writer.h"

#define C_BOLD   "\033[1m"
#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM    "\033[2m"
#define C_OFF    "\033[0m"

static void color(WriteCtx *w, const char *code) {
  if (w->color) buf_puts(w->buf, code);
}

/* A number for people: at most 2 decimals, no trailing zeros. */
static void num2(Buf *b, double x) {
  char tmp[64];
  buf_put(b, tmp, (size_t)num_format2(x, tmp));
}

static int width_of(const char *s) { return utf8_display_width(s, strlen(s), 0); }

static void pad(Buf *b, int n) {
  for (int i = 0; i < n; i++)
    buf_putc(b, ' ');
}

/* The left column of the explanation: its labels, translated, padded to
 * one display width (10 in English: "health    "). */
typedef struct Labels {
  const char *health, *persona, *segment, *flags, *journey, *drivers;
  int width;
} Labels;

static Labels labels(void) {
  Labels l = {_("health"), _("persona"), _("segment"), _("flags"), _("journey"), _("drivers"), 10};
  const char *all[] = {l.health, l.persona, l.segment, l.flags, l.journey, l.drivers};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
    int w = width_of(all[i]) + 2;
    if (w > l.width) l.width = w;
  }
  return l;
}

/* LABEL padded to the label column. */
static void label(Buf *b, const Labels *l, const char *text) {
  buf_puts(b, text);
  pad(b, l->width - width_of(text));
}

/* "ラベル (name)", or just the name. */
static void named(Buf *b, const char *label, const char *name) {
  if (label && *label) {
    buf_shown_str(b, label);
    buf_puts(b, " (");
    buf_puts(b, name);
    buf_putc(b, ')');
  } else {
    buf_puts(b, name);
  }
}

/* The display width of S as buf_shown_str writes it. */
static int shown_width(const char *s) {
  size_t n = strlen(s);
  if (!text_has_controls(s, n)) return utf8_display_width(s, n, 0);
  Buf tmp;
  buf_init(&tmp, NULL);
  buf_shown(&tmp, s, n, false);
  int w = utf8_display_width(tmp.data, tmp.len, 0);
  buf_free(&tmp);
  return w;
}

static int named_width(const char *label, const char *name) {
  if (label && *label) return shown_width(label) + 3 + width_of(name);
  return width_of(name);
}

static const char *grade_label(const Program *p, int32_t g) { return g >= 0 ? p->grade_labels[g] : NULL; }

static void grade_text(WriteCtx *w, int32_t g) {
  if (g < 0) {
    buf_puts(w->buf, "n/a");
    return;
  }
  named(w->buf, grade_label(w->p, g), w->p->grade_names[g]);
}

static void expr_source(WriteCtx *w, Span s) {
  const char *t;
  size_t n;
  writer_source_text(w->p, s, &t, &n);
  /* one line: comments dropped, runs of white space folded */
  bool space = false, in_string = false;
  for (size_t i = 0; i < n; i++) {
    char c = t[i];
    if (!in_string && c == '#') {
      while (i < n && t[i] != '\n')
        i++;
      space = true;
      continue;
    }
    if (!in_string && (c == '\n' || c == '\r' || c == '\t' || c == ' ')) {
      space = true;
      continue;
    }
    if (space && w->buf->len > 0) buf_putc(w->buf, ' ');
    space = false;
    if (c == '"' && (i == 0 || t[i - 1] != '\\')) in_string = !in_string;
    /* a control character inside a string literal: shown as an escape */
    size_t ctl = (unsigned char)c < 0x20 || c == 0x7F                                   ? 1
                 : (unsigned char)c == 0xC2 && i + 1 < n && text_has_controls(t + i, 2) ? 2
                                                                                        : 0;
    if (ctl) {
      buf_shown(w->buf, t + i, ctl, false);
      i += ctl - 1;
      continue;
    }
    buf_putc(w->buf, c);
  }
}

/* "[a = 1, min_a = 2]" */
static void values_list(WriteCtx *w, const RefList *refs, const Value *values) {
  if (!refs || refs->count == 0) return;
  Buf *b = w->buf;
  color(w, C_DIM);
  buf_puts(b, "  [");
  for (int32_t i = 0; i < refs->count; i++) {
    const ExplainRef *ref = &refs->refs[i];
    if (i) buf_puts(b, ", ");
    buf_puts(b, ref->name);
    buf_puts(b, " = ");
    writer_text_value(w, b, values[i], writer_ref_symbol_kind(w->p, ref));
    if (ref->kind == REF_TREND) {
      int32_t from = w->ex->trend_dates[ref->index];
      if (from == INT32_MIN) {
        /* TRANSLATORS: after a trend's value in explain: no snapshot at the date it looks back to */
        buf_printf(b, " (%s)", _("no snapshot"));
      } else {
        char day[11];
        date_format(from, day);
        buf_printf(b, " (%s)", day);
      }
    }
  }
  buf_putc(b, ']');
  color(w, C_OFF);
}

static void write_persona(WriteCtx *w, const Result *r, const Labels *l) {
  const Program *p = w->p;
  Buf *b = w->buf;
  label(b, l, l->persona);
  if (r->persona >= 0) {
    color(w, C_BOLD);
    named(b, p->personas[r->persona].label, p->personas[r->persona].name);
    color(w, C_OFF);
  } else {
    buf_puts(b, _("none (no persona matched: the default weights and grades apply)"));
  }
  buf_putc(b, '\n');
  for (int32_t i = 0; i < r->npersonas; i++) {
    const PersonaDecl *pd = &p->personas[i];
    uint8_t t = r->persona_tried[i];
    if (t == PT_NOT_TRIED) continue;
    pad(b, l->width);
    if (t == PT_MATCHED) {
      color(w, C_GREEN);
      buf_puts(b, "✓ ");
    } else if (t == PT_MISSING) {
      color(w, C_YELLOW);
      buf_puts(b, "? ");
    } else {
      color(w, C_RED);
      buf_puts(b, "✗ ");
    }
    color(w, C_OFF);
    named(b, pd->label, pd->name);
    buf_puts(b, ": ");
    if (!pd->cond) {
      buf_puts(b, "otherwise\n");
      continue;
    }
    buf_puts(b, "when ");
    expr_source(w, pd->cond->span);
    buf_puts(b, t == PT_MATCHED   ? " → true"
                : t == PT_MISSING ? _(" → missing (counts as not matching)")
                                  : " → false");
    values_list(w, &w->ex->persona_refs[i], w->ex->persona_values[i]);
    buf_putc(b, '\n');
  }
}

static void write_member(WriteCtx *w, const Member *m, const MemberResult *mr, int32_t flat, int name_w) {
  Buf *b = w->buf;
  buf_puts(b, "  ");
  switch (mr->status) {
  case MS_PASS:
    color(w, C_GREEN);
    buf_puts(b, "✓  ");
    break;
  case MS_FAIL:
    color(w, C_RED);
    buf_puts(b, "✗  ");
    break;
  case MS_SCORED:
    color(w, mr->score >= 100 ? C_GREEN : mr->score <= 0 ? C_RED : C_YELLOW);
    buf_puts(b, mr->score >= 100 ? "✓  " : mr->score <= 0 ? "✗  " : "~  ");
    break;
  default:
    color(w, C_YELLOW);
    buf_puts(b, "n/a");
    break;
  }
  color(w, C_OFF);
  buf_putc(b, ' ');
  named(b, m->label, m->name);
  pad(b, name_w - named_width(m->label, m->name));
  char tmp[32];
  if (mr->na) {
    buf_puts(b, "    n/a");
  } else {
    Buf nb;
    buf_init(&nb, NULL);
    num2(&nb, mr->score);
    snprintf(tmp, sizeof tmp, "%7.*s", (int)nb.len, nb.data);
    buf_puts(b, tmp);
    buf_free(&nb);
  }
  buf_puts(b, _("  w "));
  num2(b, mr->weight);
  buf_puts(b, _("  lost "));
  num2(b, mr->lost);
  buf_puts(b, "\n       ");
  color(w, C_DIM);
  if (m->kind == MEMBER_BANDS) {
    for (int32_t k = 0; k < m->nbands; k++) {
      if (k) buf_puts(b, "; ");
      expr_source(w, m->bands[k].node->span);
    }
  } else {
    expr_source(w, m->expr->span);
  }
  color(w, C_OFF);
  const RefList *refs = &w->ex->member_refs[flat];
  values_list(w, refs, w->ex->member_values[flat]);
  if (mr->na) {
    char reason[256];
    buf_puts(b, "  — n/a: ");
    buf_puts(b, writer_member_reason(w->p, mr, refs, w->ex->missing_ref[flat], reason, sizeof reason, true));
  }
  buf_putc(b, '\n');
}

static void write_dimensions(WriteCtx *w, const Result *r) {
  const Program *p = w->p;
  Buf *b = w->buf;
  int name_w = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++) {
      int nw = named_width(p->dimensions[d].members[m].label, p->dimensions[d].members[m].name);
      if (nw > name_w) name_w = nw;
    }
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    const DimensionDecl *dd = &p->dimensions[d];
    buf_putc(b, '\n');
    color(w, C_BOLD);
    named(b, dd->label, dd->name);
    color(w, C_OFF);
    buf_puts(b, "   ");
    if (dr->na)
      buf_puts(b, _("n/a (no member has data)"));
    else
      num2(b, dr->score);
    buf_puts(b, "   ");
    grade_text(w, dr->grade);
    buf_puts(b, _("   weight "));
    num2(b, dr->weight);
    if (dr->excluded) {
      buf_puts(b, _(" (excluded from health)"));
    } else if (!dr->na && !r->health_na) {
      char pct[64];
      pct[num_format2(dr->effective * 100, pct)] = '\0';
      buf_printf(b, _(" · %s%% of health"), pct);
    }
    buf_putc(b, '\n');
    for (int32_t m = 0; m < dr->nmembers; m++)
      write_member(w, &dd->members[m], &dr->members[m], (int32_t)(dr->members - r->members) + m, name_w);
  }
}

static void write_flags(WriteCtx *w, const Result *r, const Labels *l) {
  const Program *p = w->p;
  Buf *b = w->buf;
  /* TRANSLATORS: a flag's severity, the language's low / medium / high */
  const char *const sev[] = {"", _("low"), _("medium"), _("high")};
  bool any = false;
  for (int32_t f = 0; f < r->nflags; f++) {
    if (r->flags[f] != FLAG_RAISED) continue;
    if (!any) buf_printf(b, "\n%s\n", l->flags);
    any = true;
    const FlagDecl *fd = &p->flags[f];
    buf_puts(b, "  ⚑ ");
    color(w, fd->severity == SEV_HIGH ? C_RED : C_YELLOW);
    buf_puts(b, sev[fd->severity]);
    pad(b, 7 - width_of(sev[fd->severity]));
    color(w, C_OFF);
    named(b, fd->label, fd->name);
    values_list(w, &w->ex->flag_refs[f], w->ex->flag_values[f]);
    buf_putc(b, '\n');
    if (fd->action) {
      pad(b, l->width + 1);
      buf_puts(b, "→ ");
      buf_shown_str(b, fd->action);
      buf_putc(b, '\n');
    }
  }
  if (!any && p->nflags > 0) {
    buf_putc(b, '\n');
    label(b, l, l->flags);
    buf_puts(b, _("none raised"));
    buf_putc(b, '\n');
  }
}

static void write_journey(WriteCtx *w, const Result *r, const Labels *l) {
  const Program *p = w->p;
  Buf *b = w->buf;
  if (!p->has_journey) return;
  buf_putc(b, '\n');
  label(b, l, l->journey);
  if (p->journey_label) buf_shown_str(b, p->journey_label);
  buf_putc(b, '\n');
  for (int32_t i = 0; i < r->nsteps; i++) {
    const StepDecl *s = &p->steps[i];
    buf_puts(b, "  ");
    if (r->steps[i] == STEP_PASS) {
      color(w, C_GREEN);
      buf_puts(b, "✓       ");
    } else if (r->steps[i] == STEP_UNKNOWN) {
      color(w, C_YELLOW);
      /* TRANSLATORS: a journey step whose condition is missing; padded to 8 columns */
      const char *unknown = _("unknown");
      buf_puts(b, unknown);
      pad(b, 8 - width_of(unknown));
    } else {
      color(w, C_RED);
      buf_puts(b, "✗       ");
    }
    color(w, C_OFF);
    named(b, s->label, s->name);
    if (i == r->bottleneck) buf_puts(b, _("   ← bottleneck"));
    buf_putc(b, '\n');
  }
  if (r->bottleneck < 0) buf_puts(b, _("  every step passes: no bottleneck\n"));
}

static void write_drivers(WriteCtx *w, const Result *r, const Labels *l) {
  const Program *p = w->p;
  Buf *b = w->buf;
  if (r->health_na) return;
  buf_putc(b, '\n');
  label(b, l, l->drivers);
  double total = 0;
  int shown = 0;
  for (int32_t k = 0; k < r->nmembers; k++) {
    const MemberResult *mr = &r->members[w->ex->drivers[k]];
    total += mr->lost;
    if (!(mr->lost > 0) || shown >= 5) continue;
    if (shown) buf_puts(b, " · ");
    buf_puts(b, p->dimensions[mr->dim].members[mr->index].name);
    buf_putc(b, ' ');
    num2(b, mr->lost);
    shown++;
  }
  if (!shown) buf_puts(b, _("nothing lost"));
  buf_putc(b, '\n');
  pad(b, l->width);
  char sum[64], health[64];
  sum[num_format2(total, sum)] = '\0';
  health[num_format2(r->health, health)] = '\0';
  buf_printf(b, _("lost points add up to %s = 100 − %s\n"), sum, health);
}

/* A number for people as a string (NUM_TEXT_MAX bytes). */
enum { NUM_TEXT_MAX = 64 };
static const char *num_text(char *buf, double x) {
  buf[num_format2(x, buf)] = '\0';
  return buf;
}

/* Grade G as grade_text writes it, into TMP (freed by the caller). */
static const char *grade_string(WriteCtx *w, Buf *tmp, int32_t g) {
  Buf *saved = w->buf;
  buf_init(tmp, NULL);
  w->buf = tmp;
  grade_text(w, g);
  buf_putc(tmp, '\0');
  w->buf = saved;
  return tmp->data;
}

/* "What would change the grade" (explain.c found the set; docs/cli.md). */
static void write_what_if(WriteCtx *w, const Result *r) {
  const Program *p = w->p;
  const WhatIf *wi = &w->ex->what_if;
  Buf *b = w->buf;
  if (wi->status == WI_NO_GRADES) return;
  buf_printf(b, "\n%s\n", _("what would change the grade"));
  switch ((WhatIfStatus)wi->status) {
  case WI_NO_HEALTH:
    buf_puts(b, _("  the health is n/a (no dimension has data): there is no grade to change until a member "
                  "has data\n"));
    return;
  case WI_BEST_GRADE: buf_puts(b, _("  already the best grade\n")); return;
  default: break;
  }
  char n1[NUM_TEXT_MAX], n2[NUM_TEXT_MAX];
  Buf g;
  buf_printf(b, _("  next grade %s at %s: %s points away\n"), grade_string(w, &g, wi->next_grade),
             num_text(n1, wi->bound), num_text(n2, wi->away));
  buf_free(&g);
  if (wi->status == WI_UNREACHABLE) {
    buf_printf(
        b, _("  no set of members can reach it: with every member at its best the health would be %s (%s)\n"),
        num_text(n1, wi->health), grade_string(w, &g, wi->grade));
    buf_free(&g);
    return;
  }
  buf_printf(b, _("  the fewest members that reach it: %d (%s points moved)\n"), (int)wi->nmembers,
             num_text(n1, wi->points));
  for (int32_t k = 0; k < wi->nmembers; k++) {
    const WhatIfMember *wm = &wi->members[k];
    const MemberResult *mr = &r->members[wm->member];
    const Member *m = &p->dimensions[mr->dim].members[mr->index];
    buf_puts(b, "    ");
    named(b, m->label, m->name);
    buf_puts(b, ": ");
    if (isnan(wm->from))
      buf_puts(b, "n/a");
    else
      num2(b, wm->from);
    buf_puts(b, " → ");
    num2(b, wm->to);
    buf_printf(b, _(" (alone +%s)\n"), num_text(n1, wm->gain));
  }
  buf_printf(b, _("  together: health %s (%s)\n"), num_text(n1, wi->health), grade_string(w, &g, wi->grade));
  buf_free(&g);
  if (!wi->searched) buf_puts(b, _("  (the search stopped at its step limit: a smaller set may exist)\n"));
}

void write_text(WriteCtx *w, const Account *a, const Result *r) {
  const Program *p = w->p;
  Buf *b = w->buf;
  Labels l = labels();
  color(w, C_BOLD);
  buf_puts(b, "━━ ");
  buf_account(b, a->id, a->name);
  buf_puts(b, " ━━");
  color(w, C_OFF);
  buf_puts(b, "  ");
  if (p->title) {
    buf_shown_str(b, p->title);
    buf_puts(b, " · ");
  }
  buf_printf(b, _("as of %s · rules %s\n"), w->as_of, w->rules);
  label(b, &l, l.health);
  color(w, C_BOLD);
  if (r->health_na)
    buf_puts(b, _("n/a (no dimension has data)"));
  else
    num2(b, r->health);
  color(w, C_OFF);
  buf_puts(b, "   ");
  grade_text(w, r->grade);
  char cov[NUM_TEXT_MAX];
  buf_printf(b, _("   coverage %s%% of the weight\n"), num_text(cov, r->coverage * 100));
  if (p->npersonas > 0) write_persona(w, r, &l);
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *sd = &p->segments[s];
    label(b, &l, l.segment);
    named(b, sd->label, sd->name);
    buf_puts(b, ": ");
    if (r->segments[s] >= 0)
      named(b, sd->cases[r->segments[s]].label, sd->cases[r->segments[s]].name);
    else
      buf_puts(b, _("none"));
    buf_putc(b, '\n');
  }
  write_dimensions(w, r);
  write_flags(w, r, &l);
  write_journey(w, r, &l);
  write_drivers(w, r, &l);
  if (w->ex->what_if.status != WI_NONE) write_what_if(w, r);
  buf_putc(b, '\n');
}
