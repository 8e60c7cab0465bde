/* i18n.h — text for people in the user's language (GNU gettext).
 *
 * Every message a person reads is marked in the source where it is
 * written: _("…") translates it there, N_("…") only marks a string kept in
 * a table or a struct, translated with _() where it is formatted; P_(one,
 * many, n) chooses a plural form. The diagnostic functions (diag_error,
 * diag_warning, diag_note, diag_at, parse_error, cli_usage_error, …)
 * translate their format themselves, so their literal arguments need no
 * mark (xgettext knows them as keywords: the Makefile's XGETTEXT_KEYWORDS).
 *
 * The library looks its messages up in the text domain "kenko" whatever
 * the program's own domain is (dgettext); the program chooses the locale
 * (setlocale) and where the catalogs are (bindtextdomain): the CLI does it
 * in main.c. Machine formats (jsonl, csv, json) are never translated:
 * their writers use no _() (but the fixed headings of the CSV for people,
 * `--labels`, which is not for reading back). docs/i18n.md. */
#ifndef KENKO_I18N_H
#define KENKO_I18N_H

#include <libintl.h>

#define KENKO_TEXTDOMAIN "kenko"

#define _(msgid)                 dgettext(KENKO_TEXTDOMAIN, msgid)
#define N_(msgid)                msgid
#define P_(msgid, plural, count) dngettext(KENKO_TEXTDOMAIN, msgid, plural, count)

#endif
