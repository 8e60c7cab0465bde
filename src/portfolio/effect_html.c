/* effect_html.c — `kenko effect --html FILE`: one self-contained page
 * (the blocks of html.c, in the reader's language like `report --html`), a section
 * per action tag: the events and what became of them, the effect with its
 * 95% interval drawn against zero, the health distributions before and
 * after of the accounts acted on and of their controls, and the members
 * whose lost points fell. It says in one line that this compares with
 * similar accounts and is not proof of cause. Nothing is fetched from the
 * network; all text from the rules and the data is escaped. */
#include <math.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "portfolio/effect.h"
#include "portfolio/html.h"

/* The not-proof-of-cause line, a paragraph of class "note cause". */
static void cause_note(Buf *b) {
  buf_puts(b, "<p class=\"note cause\">");
  html_esc(b, _(effect_note));
  buf_puts(b, "</p>\n");
}

static const char *const acted_color = "#2f6fb3", *const control_color = "#9aa5b1";

/* The effect and its interval on an axis through zero. */
static void svg_interval(Buf *b, const EffTag *tg) {
  const double width = 640, height = 64, left = 20, right = 20;
  double lo = isnan(tg->lo) ? tg->mean : tg->lo, hi = isnan(tg->hi) ? tg->mean : tg->hi;
  double mn = fmin(fmin(lo, 0), tg->mean), mx = fmax(fmax(hi, 0), tg->mean);
  double pad = (mx - mn) * 0.15 + 1;
  mn -= pad;
  mx += pad;
#define X(v) (left + (width - left - right) * ((v)-mn) / (mx - mn))
  buf_printf(b, "<svg class=\"chart interval\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", width,
             height);
  /* xgettext:no-c-format */
  html_esc(b, _("Effect and its 95% interval"));
  buf_puts(b, "\">\n");
  buf_printf(b,
             "<line class=\"axis-line\" x1=\"%.1f\" y1=\"40\" x2=\"%.1f\" y2=\"40\" stroke=\"#cbd2d9\"/>\n",
             left, width - right);
  buf_printf(
      b,
      "<line class=\"zero\" x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"52\" stroke=\"#616e7c\" "
      "stroke-dasharray=\"4 3\"/><text class=\"axis\" x=\"%.1f\" y=\"62\" text-anchor=\"middle\">0</text>\n",
      X(0), X(0), X(0));
  if (!isnan(tg->lo))
    buf_printf(
        b,
        "<line class=\"ci\" x1=\"%.1f\" y1=\"40\" x2=\"%.1f\" y2=\"40\" stroke=\"%s\" stroke-width=\"6\" "
        "stroke-linecap=\"round\"/>\n",
        X(tg->lo), X(tg->hi), acted_color);
  buf_printf(b, "<circle class=\"mean\" cx=\"%.1f\" cy=\"40\" r=\"7\" fill=\"%s\"><title>", X(tg->mean),
             acted_color);
  buf_printf(b, "%+.1f", tg->mean);
  buf_puts(b, "</title></circle>\n");
  buf_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"24\" text-anchor=\"middle\">%+.1f</text>\n", X(tg->mean),
             tg->mean);
#undef X
  buf_puts(b, "</svg>\n");
}

/* The health distribution of the acted-on accounts and of their controls
 * in one snapshot (WHICH: 0 before, 1 after): paired bars per 10 points,
 * each as a share of its group. */
static void svg_distribution(Buf *b, const EffTag *tg, int which, const char *title) {
  const double width = 460, height = 200, left = 40, right = 10, top = 10, bottom = 34;
  const double *acted = tg->hist[which], *ctrl = tg->hist[2 + which];
  double na = 0, nc = 0, mx = 0;
  for (int k = 0; k < EFFECT_BINS; k++) {
    na += acted[k];
    nc += ctrl[k];
  }
  for (int k = 0; k < EFFECT_BINS; k++) {
    if (na > 0) mx = fmax(mx, acted[k] / na);
    if (nc > 0) mx = fmax(mx, ctrl[k] / nc);
  }
  if (mx <= 0) mx = 1;
  double plot_w = width - left - right, plot_h = height - top - bottom, slot = plot_w / EFFECT_BINS;
  buf_puts(b, "<figure class=\"dist\"><figcaption>");
  html_esc(b, title);
  buf_printf(b,
             "</figcaption>\n<svg class=\"chart dist\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"",
             width, height);
  html_esc(b, title);
  buf_puts(b, "\">\n");
  for (int k = 0; k < EFFECT_BINS; k++) {
    double x = left + slot * k;
    double ha = na > 0 ? plot_h * (acted[k] / na) / mx : 0, hc = nc > 0 ? plot_h * (ctrl[k] / nc) / mx : 0;
    buf_printf(b,
               "<rect class=\"acted\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
               "fill=\"%s\"><title>%d–%d: "
               "%.0f%%</title></rect>",
               x + 2, top + plot_h - ha, slot / 2 - 2, ha, acted_color, k * 10, k * 10 + 10,
               na > 0 ? 100 * acted[k] / na : 0);
    buf_printf(b,
               "<rect class=\"control\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
               "fill=\"%s\"><title>%d–%d: "
               "%.0f%%</title></rect>\n",
               x + slot / 2, top + plot_h - hc, slot / 2 - 2, hc, control_color, k * 10, k * 10 + 10,
               nc > 0 ? 100 * ctrl[k] / nc : 0);
    if (k % 2 == 0)
      buf_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\">%d</text>\n", x,
                 height - 16, k * 10);
  }
  buf_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">100</text>\n", width - right,
             height - 16);
  buf_printf(b,
             "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#cbd2d9\"/>\n</svg></figure>\n",
             left, top + plot_h, width - right, top + plot_h);
}

static void html_tag(const Effect *e, const EffTag *tg, size_t t, Buf *b) {
  buf_printf(b, "<section class=\"tag\" id=\"tag-%zu\">\n<h2>", t + 1);
  Buf h2;
  buf_init(&h2, NULL);
  buf_printf(&h2, _("Action %s"), tg->name);
  buf_putc(&h2, '\0');
  html_esc(b, h2.data);
  buf_free(&h2);
  buf_puts(b, "</h2>\n<table class=\"events\">\n<thead><tr>");
  static const char *const events_head[] = {N_("events"), N_("used"), N_("pending"), N_("not followed"),
                                            N_("no control")};
  for (int i = 0; i < 5; i++)
    html_th_class(b, "num", _(events_head[i]));
  buf_puts(b, "</tr></thead>\n<tbody><tr>");
  uint64_t counts[] = {tg->events, tg->used, tg->pending, tg->not_followed, tg->no_control};
  for (int i = 0; i < 5; i++)
    buf_printf(b, "<td class=\"num\">%llu</td>", (unsigned long long)counts[i]);
  buf_puts(b, "</tr></tbody></table>\n");
  if (tg->used == 0) {
    buf_puts(b, "<p class=\"note\">");
    html_esc(b, _("No event to compare."));
    buf_puts(b, "</p>\n</section>\n");
    return;
  }
  /* the translations are ours: their words need no escaping, the %s are HTML */
  char strong[64], span[96];
  snprintf(strong, sizeof strong, "<strong>%+.1f</strong>", tg->mean);
  buf_puts(b, "<p class=\"effect\">");
  buf_printf(b, _("Effect: %s health points"), strong);
  if (!isnan(tg->lo)) {
    snprintf(span, sizeof span, "<span class=\"ci-text\">%+.1f … %+.1f</span>", tg->lo, tg->hi);
    buf_printf(b, _(", 95%% interval %s"), span);
  } else {
    html_esc(b, _(", no interval (one event)"));
  }
  if (tg->used < EFFECT_SMALL) {
    Buf small;
    buf_init(&small, NULL);
    buf_printf(&small, _("small: n = %llu < %d"), (unsigned long long)tg->used, EFFECT_SMALL);
    buf_putc(&small, '\0');
    buf_puts(b, " <span class=\"small\">");
    html_esc(b, small.data);
    buf_puts(b, "</span>");
    buf_free(&small);
  }
  if (!isnan(tg->lo)) {
    buf_puts(b, " — ");
    html_esc(b, tg->lo > 0   ? _("the interval is above 0")
                : tg->hi < 0 ? _("the interval is below 0")
                             : _("the interval crosses 0: no effect can be claimed"));
  }
  buf_puts(b, "</p>\n");
  svg_interval(b, tg);
  char improved[HTML_NUM], ctrl_improved[HTML_NUM];
  buf_puts(b, "<p class=\"note\">");
  buf_printf(b, _("Improved their grade: %s of the accounts acted on, %s of the controls"),
             html_pct_text(improved, tg->improved), html_pct_text(ctrl_improved, tg->ctrl_improved));
  buf_puts(b, "</p>\n<div class=\"dists\">\n");
  svg_distribution(b, tg, 0, _("Health before the action"));
  svg_distribution(b, tg, 1, _("Health after the action"));
  buf_printf(b, "</div>\n<div class=\"legend\"><span><i style=\"background:%s\"></i>", acted_color);
  html_esc(b, _("accounts acted on"));
  buf_printf(b, "</span><span><i style=\"background:%s\"></i>", control_color);
  html_esc(b, _("controls"));
  buf_puts(b, "</span></div>\n");
  if (tg->ntop > 0) {
    buf_puts(b, "<h3>");
    html_esc(b, _("How it worked"));
    buf_puts(b, " <small>");
    html_esc(b, _("lost points that fell against the controls"));
    buf_puts(b, "</small></h3>\n<ul class=\"how\">\n");
    for (int32_t i = 0; i < tg->ntop; i++) {
      char name[256];
      const char *label;
      effect_member_name(e->p, tg->top[i].member, name, sizeof name, &label);
      buf_puts(b, "<li>");
      html_esc_named(b, label, name);
      buf_printf(b, " <span class=\"num\">%+.2f</span></li>\n", tg->top[i].change);
    }
    buf_puts(b, "</ul>\n");
  }
  cause_note(b);
  buf_puts(b, "</section>\n");
}

static const char effect_css[] = "<style>\n"
                                 ".dists{display:flex;flex-wrap:wrap;gap:16px}\n"
                                 "figure.dist{margin:0;flex:1 1 320px}\n"
                                 "figure.dist figcaption{font-size:13px;color:var(--muted)}\n"
                                 "svg.interval{max-width:640px}\n"
                                 "p.effect strong{font-size:20px}\n"
                                 ".small{color:#c62828}\n"
                                 ".cause::first-letter{text-transform:uppercase}\n"
                                 "</style>\n";

void effect_write_html(const Effect *e, FILE *out) {
  const Program *p = e->p;
  Buf b;
  buf_init(&b, out);
  const char *title = p->title ? p->title : "kenko effect";
  char rules[13];
  snprintf(rules, sizeof rules, "%.12s", p->fingerprint);
  html_page_open(&b, title, _("Effect of actions"), effect_css);
  buf_puts(&b, "</h1>\n<p>");
  buf_printf(&b,
             P_("Effect of actions · health %s after each action · rules %s · %llu action record read, %llu "
                "rejected",
                "Effect of actions · health %s after each action · rules %s · %llu action records read, %llu "
                "rejected",
                (unsigned long)e->actions),
             e->after, rules, (unsigned long long)e->actions, (unsigned long long)e->rejected);
  buf_puts(&b, "</p>\n");
  cause_note(&b);
  buf_puts(&b, "</header>\n");
  if (e->ntags == 0) {
    buf_puts(&b, "<section id=\"empty\"><p class=\"note\">");
    html_esc(&b, _("No action to compare."));
    buf_puts(&b, "</p></section>\n");
  }
  for (size_t t = 0; t < e->ntags; t++)
    html_tag(e, &e->tags[t], t, &b);
  buf_puts(&b, "<footer>");
  buf_printf(&b, _("kenko %s · rules %s"), KENKO_VERSION, rules);
  buf_puts(&b, "</footer>\n</main>\n</body>\n</html>\n");
  buf_flush(&b, 0);
  buf_free(&b);
}
