/* effect_html.c — `kenko effect --html FILE`: one self-contained page
 * (the blocks of html.c, Japanese labels like `report --html`), a section
 * per action tag: the events and what became of them, the effect with its
 * 95% interval drawn against zero, the health distributions before and
 * after of the accounts acted on and of their controls, and the members
 * whose lost points fell. It says in one line that this compares with
 * similar accounts and is not proof of cause. Nothing is fetched from the
 * network; all text from the rules and the data is escaped. */
#include <math.h>

#include "base/buf.h"
#include "portfolio/effect.h"
#include "portfolio/html.h"

static const char effect_note_ja[] =
    "施策をした顧客を、同じペルソナ・同じグレードで施策をしていない似た顧客 (対照) と比べています。"
    "比較であって、因果の証明ではありません (compares with similar accounts, not proof of cause)。";

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
  buf_printf(
      b,
      "<svg class=\"chart interval\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"effect and its "
      "95%% interval\">\n",
      width, height);
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
  buf_printf(b, "<section class=\"tag\" id=\"tag-%zu\">\n<h2>施策 ", t + 1);
  html_esc(b, tg->name);
  buf_puts(
      b,
      "</h2>\n<table class=\"events\">\n<thead><tr><th class=\"num\">件数 events</th><th "
      "class=\"num\">比較に使用 used</th><th class=\"num\">結果待ち pending</th><th class=\"num\">追跡不能 "
      "not followed</th><th class=\"num\">対照なし no control</th></tr></thead>\n<tbody><tr>");
  uint64_t counts[] = {tg->events, tg->used, tg->pending, tg->not_followed, tg->no_control};
  for (int i = 0; i < 5; i++)
    buf_printf(b, "<td class=\"num\">%llu</td>", (unsigned long long)counts[i]);
  buf_puts(b, "</tr></tbody></table>\n");
  if (tg->used == 0) {
    buf_puts(b, "<p class=\"note\">比較できるイベントがありません (no event to compare)。</p>\n</section>\n");
    return;
  }
  buf_puts(b, "<p class=\"effect\">効果 effect: <strong>");
  buf_printf(b, "%+.1f", tg->mean);
  buf_puts(b, "</strong> ヘルススコア点 (health points)");
  if (!isnan(tg->lo))
    buf_printf(b, "、95%%区間 interval <span class=\"ci-text\">%+.1f … %+.1f</span>", tg->lo, tg->hi);
  else
    buf_puts(b, "、区間なし (one event)");
  if (tg->used < EFFECT_SMALL)
    buf_printf(b, " <span class=\"small\">少数 small: n = %llu &lt; %d</span>", (unsigned long long)tg->used,
               EFFECT_SMALL);
  if (!isnan(tg->lo))
    buf_puts(b, tg->lo > 0   ? " — 区間は 0 より上 (above 0)"
                : tg->hi < 0 ? " — 区間は 0 より下 (below 0)"
                             : " — 区間が 0 をまたぐ: 効果があるとは言えない (crosses 0)");
  buf_puts(b, "</p>\n");
  svg_interval(b, tg);
  buf_puts(b, "<p class=\"note\">グレードが改善した割合 improved: 施策 ");
  html_pct(b, tg->improved);
  buf_puts(b, "、対照 controls ");
  html_pct(b, tg->ctrl_improved);
  buf_puts(b, "</p>\n<div class=\"dists\">\n");
  svg_distribution(b, tg, 0, "施策前のヘルススコア (before)");
  svg_distribution(b, tg, 1, "施策後のヘルススコア (after)");
  buf_printf(
      b,
      "</div>\n<div class=\"legend\"><span><i style=\"background:%s\"></i>施策をした顧客 acted on</span>"
      "<span><i style=\"background:%s\"></i>対照 controls</span></div>\n",
      acted_color, control_color);
  if (tg->ntop > 0) {
    buf_puts(b, "<h3>どう効いたか <small>lost points that fell against the controls</small></h3>\n<ul "
                "class=\"how\">\n");
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
  buf_printf(b, "<p class=\"note cause\">%s</p>\n</section>\n", effect_note_ja);
}

static const char effect_css[] = "<style>\n"
                                 ".dists{display:flex;flex-wrap:wrap;gap:16px}\n"
                                 "figure.dist{margin:0;flex:1 1 320px}\n"
                                 "figure.dist figcaption{font-size:13px;color:var(--muted)}\n"
                                 "svg.interval{max-width:640px}\n"
                                 "p.effect strong{font-size:20px}\n"
                                 ".small{color:#c62828}\n"
                                 "</style>\n";

void effect_write_html(const Effect *e, FILE *out) {
  const Program *p = e->p;
  Buf b;
  buf_init(&b, out);
  const char *title = p->title ? p->title : "kenko effect";
  buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
  html_esc(&b, title);
  buf_puts(&b, " — 施策の効果</title>\n");
  buf_puts(&b, html_style);
  buf_puts(&b, effect_css);
  buf_puts(&b, "</head>\n<body>\n<main>\n<header>\n<h1>");
  html_esc(&b, title);
  buf_printf(
      &b,
      "</h1>\n<p>施策の効果 effect of actions · 施策の %s 後のヘルススコア · rules %.12s · 施策記録 %llu "
      "件を読み込み、%llu 件を除外</p>\n",
      e->after, p->fingerprint, (unsigned long long)e->actions, (unsigned long long)e->rejected);
  buf_printf(&b, "<p class=\"note cause\">%s</p>\n</header>\n", effect_note_ja);
  if (e->ntags == 0)
    buf_puts(&b, "<section id=\"empty\"><p class=\"note\">比較する施策がありません (no action to "
                 "compare)。</p></section>\n");
  for (size_t t = 0; t < e->ntags; t++)
    html_tag(e, &e->tags[t], t, &b);
  buf_printf(&b, "<footer>kenko %s · rules %.12s</footer>\n</main>\n</body>\n</html>\n", KENKO_VERSION,
             p->fingerprint);
  buf_flush(&b, 0);
  buf_free(&b);
}
