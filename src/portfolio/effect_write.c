/* effect_write.c — `kenko effect`'s text (a block per tag) and JSON
 * (docs/effect.md gives its shape). */
#include <math.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "portfolio/effect.h"

const char effect_note[] =
    N_("compares the accounts acted on with similar accounts (same persona and grade) that were not: a "
       "comparison, not proof of cause");

static void put_signed(Buf *b, double x) {
  if (x >= 0) buf_putc(b, '+');
  buf_printf(b, "%.1f", x);
}

/* X signed with one decimal (as put_signed writes it), or as a whole percent, in OUT (32 bytes). */
static const char *signed_text(char *out, double x) {
  snprintf(out, 32, "%s%.1f", x >= 0 ? "+" : "", x);
  return out;
}
static const char *share_text(char *out, double x) {
  snprintf(out, 32, "%.0f%%", x * 100);
  return out;
}

void effect_write_text(const Effect *e, FILE *out) {
  Buf b;
  buf_init(&b, out);
  buf_printf(&b, _("effect of actions, health %s after each action\n"), e->after);
  buf_printf(&b, "(%s)\n", _(effect_note));
  buf_printf(&b,
             P_("%llu action record read, %llu rejected\n", "%llu action records read, %llu rejected\n",
                (unsigned long)e->actions),
             (unsigned long long)e->actions, (unsigned long long)e->rejected);
  if (e->ntags == 0) buf_puts(&b, _("\nno action to compare\n"));
  for (size_t t = 0; t < e->ntags; t++) {
    const EffTag *tg = &e->tags[t];
    char x1[32], x2[32];
    buf_puts(&b, _("\naction "));
    buf_shown_str(&b, tg->name);
    buf_printf(&b, _("\n  events       %llu: %llu used, %llu pending, %llu not followed, %llu no control\n"),
               (unsigned long long)tg->events, (unsigned long long)tg->used, (unsigned long long)tg->pending,
               (unsigned long long)tg->not_followed, (unsigned long long)tg->no_control);
    if (tg->used == 0) continue;
    buf_printf(&b, _("  effect       %s health points"), signed_text(x1, tg->mean));
    if (tg->used >= 2)
      buf_printf(&b, _(", 95%% interval %s .. %s"), signed_text(x1, tg->lo), signed_text(x2, tg->hi));
    else
      buf_puts(&b, _(", no interval (one event)"));
    if (tg->used < EFFECT_SMALL)
      buf_printf(&b, _("  (small: n = %llu < %d)"), (unsigned long long)tg->used, EFFECT_SMALL);
    buf_printf(&b, _("\n  improved     %s of events improved their grade, controls %s\n"),
               share_text(x1, tg->improved), share_text(x2, tg->ctrl_improved));
    if (tg->ntop == 0) {
      buf_puts(&b, _("  how          no member's lost points fell against the controls\n"));
      continue;
    }
    buf_puts(&b, _("  how          lost points that fell against the controls:\n"));
    for (int32_t i = 0; i < tg->ntop; i++) {
      char name[256];
      const char *label;
      effect_member_name(e->p, tg->top[i].member, name, sizeof name, &label);
      buf_puts(&b, "    ");
      buf_shown_str(&b, label ? label : name);
      if (label) buf_printf(&b, " (%s)", name);
      buf_puts(&b, "  ");
      put_signed(&b, tg->top[i].change);
      buf_putc(&b, '\n');
    }
  }
  buf_flush(&b, 0);
  buf_free(&b);
}

static void json_num_or_null(Buf *b, double x) {
  if (isnan(x))
    buf_puts(b, "null");
  else
    buf_json_num(b, x);
}

void effect_write_json(const Effect *e, FILE *out) {
  Buf b;
  buf_init(&b, out);
  buf_puts(&b, "{\"after\":");
  buf_json_cstr(&b, e->after);
  buf_puts(&b, ",\"note\":");
  buf_json_cstr(&b, effect_note);
  buf_printf(&b, ",\"actions\":%llu,\"rejected\":%llu,\"tags\":[", (unsigned long long)e->actions,
             (unsigned long long)e->rejected);
  for (size_t t = 0; t < e->ntags; t++) {
    const EffTag *tg = &e->tags[t];
    if (t) buf_putc(&b, ',');
    buf_puts(&b, "{\"action\":");
    buf_json_cstr(&b, tg->name);
    buf_printf(&b,
               ",\"events\":%llu,\"used\":%llu,\"pending\":%llu,\"not_followed\":%llu,\"no_control\":%llu",
               (unsigned long long)tg->events, (unsigned long long)tg->used, (unsigned long long)tg->pending,
               (unsigned long long)tg->not_followed, (unsigned long long)tg->no_control);
    buf_puts(&b, ",\"effect\":");
    json_num_or_null(&b, tg->mean);
    buf_puts(&b, ",\"interval\":");
    if (isnan(tg->lo)) {
      buf_puts(&b, "null");
    } else {
      buf_putc(&b, '[');
      buf_json_num(&b, tg->lo);
      buf_putc(&b, ',');
      buf_json_num(&b, tg->hi);
      buf_putc(&b, ']');
    }
    buf_printf(&b, ",\"small\":%s,\"improved\":", tg->used < EFFECT_SMALL ? "true" : "false");
    json_num_or_null(&b, tg->improved);
    buf_puts(&b, ",\"controls_improved\":");
    json_num_or_null(&b, tg->ctrl_improved);
    buf_puts(&b, ",\"members\":[");
    for (int32_t i = 0; i < tg->ntop; i++) {
      char name[256];
      const char *label;
      effect_member_name(e->p, tg->top[i].member, name, sizeof name, &label);
      if (i) buf_putc(&b, ',');
      buf_puts(&b, "{\"member\":");
      buf_json_cstr(&b, name);
      buf_puts(&b, ",\"label\":");
      if (label)
        buf_json_cstr(&b, label);
      else
        buf_puts(&b, "null");
      buf_puts(&b, ",\"change\":");
      buf_json_num(&b, tg->top[i].change);
      buf_putc(&b, '}');
    }
    buf_puts(&b, "]}");
  }
  buf_puts(&b, "]}\n");
  buf_flush(&b, 0);
  buf_free(&b);
}
