# kenko — build, tests, benchmarks, sanitizer and valgrind runs.
#
#   make            build build/kenko (never installs anything)
#   make deps       install the missing Debian packages (scripts/install-deps.sh)
#   make demo       deps, build, then score the bundled sample accounts and history
#   make test       every test: unit (Criterion), catalog, golden
#   make asan-test  the same suite under AddressSanitizer + UBSan
#   make tsan-test  tests/jobs.sh (every -j case) under ThreadSanitizer (clang; build/tsan/)
#   make valgrind   the golden suite under valgrind memcheck
#   make bench      benchmarks (prints figures; asserts nothing)
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (clang; build/fuzz/)
#   make install    PREFIX=/usr/local DESTDIR= BINDIR MANDIR …; make uninstall
#   make deb        a Debian package (build/kenko_VERSION_ARCH.deb)
#   make pot        po/kenko.pot from the sources (xgettext); make update-po merges it into po/*.po
#   make format     clang-format every C source and header in place
#   make format-check   fail if any of them is not formatted
#
# Generated C (flex, bison) goes to $(BUILD)/gen, never into git.

CC      ?= gcc
BUILD   ?= build
OPT     ?= -O2
SAN     ?=
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
CPPFLAGS := -D_XOPEN_SOURCE=700 -Iinclude -Isrc -I$(BUILD)/gen -MMD -MP
CFLAGS  := -std=c11 $(WARN) $(OPT) -g -pthread $(SAN)
# flex output is not written to our warning set; it gets the basic one.
GENFLAGS := -std=c11 -Wall -Wextra -Werror -Wno-unused-function -Wno-sign-compare \
            -Wno-unused-parameter $(OPT) -g $(SAN)
LDLIBS  := -lyaml -ljansson -lm -lpthread

LIB_SRC  := $(filter-out $(EXCLUDE),$(wildcard src/*.c src/*/*.c))
LIB_SRC  := $(filter-out src/cli/%,$(LIB_SRC))
CLI_SRC  := $(wildcard src/cli/*.c)
GEN_C    := $(BUILD)/gen/parser.c $(BUILD)/gen/lexer.c
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/parser.o $(BUILD)/gen/lexer.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/init_files.o
INIT_FILES := $(shell find templates/init -type f)
UNIT_SRC := $(filter-out $(EXCLUDE),$(wildcard tests/unit/*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)

KENKO := $(BUILD)/kenko

# Translations (docs/i18n.md): po/LANG.po → $(BUILD)/locale/LANG/LC_MESSAGES/kenko.mo
PO_FILES := $(wildcard po/*.po)
MO_FILES := $(PO_FILES:po/%.po=$(BUILD)/locale/%/LC_MESSAGES/kenko.mo)

.PHONY: all deps demo test unit catalog golden asan-test tsan-test valgrind bench clean fuzz fuzz-build format format-check \
        pot update-po

all: $(KENKO) $(MO_FILES)

deps:
	@sh scripts/install-deps.sh

# The main job: check the reference scorecard, run its tests, then score
# the bundled sample accounts and print every account's explanation; then
# the scorecard with its trend rules over the sample history (12 monthly
# exports): the portfolio month by month, who fell and what moved them,
# and the validation with the score taken 180 days before the outcome.
demo: deps
	@$(MAKE) --no-print-directory all
	$(KENKO) check rules/aiueo.kenko
	$(KENKO) test rules/aiueo.kenko
	$(KENKO) run rules/aiueo.kenko rules/sample/accounts.yaml --as-of 2026-11-22
	$(KENKO) check rules/aiueo-history.kenko
	$(KENKO) history rules/aiueo-history.kenko rules/sample/history/accounts-*.csv --html $(BUILD)/history.html
	$(KENKO) validate rules/aiueo-history.kenko rules/sample/history/accounts-*.csv --horizon 180d

$(BUILD)/gen/parser.c $(BUILD)/gen/parser.h &: grammar/parser.y
	@mkdir -p $(BUILD)/gen
	bison -Wall -Werror --defines=$(BUILD)/gen/parser.h -o $(BUILD)/gen/parser.c $<

$(BUILD)/gen/lexer.c $(BUILD)/gen/lexer.h &: grammar/lexer.l
	@mkdir -p $(BUILD)/gen
	flex --header-file=$(BUILD)/gen/lexer.h -o $(BUILD)/gen/lexer.c $<

# kenko init's files, compiled in (scripts/embed-files.sh)
$(BUILD)/gen/init_files.c: scripts/embed-files.sh $(INIT_FILES)
	@mkdir -p $(BUILD)/gen
	sh scripts/embed-files.sh templates/init > $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c | $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
	$(CC) $(CPPFLAGS) $(GENFLAGS) -c -o $@ $<

# Header dependencies come from the compiler (-MMD -MP, the .d files
# included below); the generated headers must exist before the first
# compile, hence the order-only prerequisites.
$(BUILD)/src/%.o: src/%.c | $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/locale/%/LC_MESSAGES/kenko.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# The messages of the sources: _() and N_() (P_() for plurals), and the
# functions that translate their format themselves (base/i18n.h).
XGETTEXT_KEYWORDS := --keyword=_ --keyword=N_ --keyword=P_:1,2 \
  --keyword=diag_error:3 --flag=diag_error:3:c-format --keyword=diag_warning:3 --flag=diag_warning:3:c-format \
  --keyword=diag_note:3 --flag=diag_note:3:c-format --keyword=diag_at:6 --flag=diag_at:6:c-format \
  --keyword=parse_error:3 --flag=parse_error:3:c-format --keyword=sql_error:3 --flag=sql_error:3:c-format \
  --keyword=cli_usage_error:2 --flag=cli_usage_error:2:c-format \
  --keyword=account_error:6 --flag=account_error:6:c-format --keyword=file_error:3 --keyword=js_broken:3 \
  --flag=buf_printf:2:c-format --flag=table_fmt:2:c-format \
  --flag=arena_printf:2:c-format --flag=snprintf:3:c-format --flag=fprintf:2:c-format
I18N_SRC = $(sort $(LIB_SRC) $(CLI_SRC) $(wildcard src/*/*.h) grammar/parser.y grammar/lexer.l)

POT ?= po/kenko.pot

pot:
	xgettext --from-code=UTF-8 --language=C $(XGETTEXT_KEYWORDS) --add-comments=TRANSLATORS: \
	  --add-location=file --sort-by-file --package-name=kenko -o $(POT).tmp $(I18N_SRC)
	{ cat po/header.pot; sed '1,/^$$/d' $(POT).tmp; } > $(POT) && rm -f $(POT).tmp

update-po: pot
	for po in $(PO_FILES); do \
	  msgmerge --quiet --update --backup=none --no-fuzzy-matching $$po po/kenko.pot && \
	  msgattrib --no-obsolete -o $$po $$po; \
	done

$(BUILD)/libkenko.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(KENKO): $(CLI_OBJ) $(BUILD)/libkenko.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libkenko.a $(LDLIBS)

# the scripted LSP client (tests/lsp): its own program, talking to kenko lsp
$(BUILD)/lsp-test: tests/lsp/lsp_test.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes -o $@ $< -ljansson

$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libkenko.a
	$(CC) $(CFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libkenko.a -lcriterion $(LDLIBS)

# ---- tests ---------------------------------------------------------------

test: all $(BUILD)/unit-tests $(BUILD)/lsp-test
	@KENKO_SAN="$(SAN)" sh tests/run-all.sh $(BUILD)

unit: all $(BUILD)/unit-tests
	$(BUILD)/unit-tests

catalog: all
	@sh tests/run-catalog.sh $(KENKO)

golden: all
	@sh tests/run-golden.sh $(KENKO)

asan-test:
	$(MAKE) BUILD=build/asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" test

# The threads (--jobs) under ThreadSanitizer: the reports go to files
# (not stderr, which tests/jobs.sh compares), and any report fails it.
tsan-test:
	$(MAKE) BUILD=build/tsan CC=clang OPT=-O1 SAN="-fsanitize=thread -fno-omit-frame-pointer" all
	@rm -rf build/tsan/reports && mkdir -p build/tsan/reports
	@TSAN_OPTIONS="log_path=$(CURDIR)/build/tsan/reports/tsan" sh tests/jobs.sh build/tsan/kenko; status=$$?; \
	  if ls build/tsan/reports/tsan.* >/dev/null 2>&1; then \
	    echo "tsan-test: ThreadSanitizer reports (build/tsan/reports):"; head -n 40 build/tsan/reports/tsan.*; exit 1; \
	  fi; \
	  echo "tsan-test: no ThreadSanitizer report"; exit $$status

valgrind: all
	@VALGRIND="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1" \
	  sh tests/run-golden.sh $(KENKO)

bench: all $(BUILD)/lsp-test
	@sh tests/bench/run.sh $(BUILD)

# ---- fuzzing: clang + libFuzzer, ASan + UBSan (tests/fuzz/) -------------------

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := fuzz_rules fuzz_yaml fuzz_csv fuzz_jsonl fuzz_json
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
            -fno-omit-frame-pointer

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-build:
	@$(MAKE) --no-print-directory CC=clang BUILD=build/fuzz OPT=-O1 SAN="$(FUZZ_SAN)" \
	  $(FUZZ_TARGETS:%=build/fuzz/%)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_data.h $(BUILD)/libkenko.a
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libkenko.a $(LDLIBS)

# ---- installing (GNU conventions: DESTDIR only in the commands) -----------------

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
DATAROOTDIR ?= $(PREFIX)/share
MANDIR      ?= $(DATAROOTDIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(DATAROOTDIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATAROOTDIR)/zsh/vendor-completions
INSTALL     ?= install
VERSION     := $(shell sed -n 's/^\#define KENKO_VERSION "\(.*\)"/\1/p' include/kenko.h)
MAN_PAGES   := $(wildcard docs/man/*.1 docs/man/*.5 docs/man/*.7)
LOCALEDIR   ?= $(DATAROOTDIR)/locale

# where the installed kenko finds its catalogs when not beside it (main.c)
$(BUILD)/src/cli/main.o: CPPFLAGS += -DLOCALEDIR='"$(LOCALEDIR)"'

.PHONY: install uninstall deb man

install: $(KENKO) $(BUILD)/libkenko.a $(MO_FILES)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	$(INSTALL) -m 755 $(KENKO) $(DESTDIR)$(BINDIR)/kenko
	$(INSTALL) -m 644 $(BUILD)/libkenko.a $(DESTDIR)$(LIBDIR)/libkenko.a
	$(INSTALL) -m 644 include/kenko.h $(DESTDIR)$(INCLUDEDIR)/kenko.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)%,$${prefix}%,$(INCLUDEDIR))|' \
	  -e 's|@LIBDIR@|$(patsubst $(PREFIX)%,$${prefix}%,$(LIBDIR))|' \
	  -e 's|@VERSION@|$(VERSION)|' -e 's|@LIBS@|$(LDLIBS)|' packaging/kenko.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/kenko.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/kenko.pc
	$(INSTALL) -m 644 completions/kenko.bash $(DESTDIR)$(BASHCOMPDIR)/kenko
	$(INSTALL) -m 644 completions/_kenko $(DESTDIR)$(ZSHCOMPDIR)/_kenko
	for mo in $(MO_FILES); do \
	  lang=$${mo#$(BUILD)/locale/}; lang=$${lang%%/*}; $(INSTALL) -d $(DESTDIR)$(LOCALEDIR)/$$lang/LC_MESSAGES; \
	  $(INSTALL) -m 644 $$mo $(DESTDIR)$(LOCALEDIR)/$$lang/LC_MESSAGES/kenko.mo; \
	done
	for page in $(MAN_PAGES); do \
	  sect=$${page##*.}; $(INSTALL) -d $(DESTDIR)$(MANDIR)/man$$sect; \
	  gzip -9n < $$page > $(DESTDIR)$(MANDIR)/man$$sect/$$(basename $$page).gz; \
	  chmod 644 $(DESTDIR)$(MANDIR)/man$$sect/$$(basename $$page).gz; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kenko $(DESTDIR)$(LIBDIR)/libkenko.a $(DESTDIR)$(INCLUDEDIR)/kenko.h \
	  $(DESTDIR)$(PKGCONFIGDIR)/kenko.pc $(DESTDIR)$(BASHCOMPDIR)/kenko $(DESTDIR)$(ZSHCOMPDIR)/_kenko
	for po in $(PO_FILES); do lang=$${po#po/}; rm -f $(DESTDIR)$(LOCALEDIR)/$${lang%.po}/LC_MESSAGES/kenko.mo; done
	for page in $(MAN_PAGES); do sect=$${page##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$sect/$$(basename $$page).gz; done

# A Debian package from a staged install (scripts/make-deb.sh)
deb: $(KENKO)
	@sh scripts/make-deb.sh $(BUILD)

# The man pages' roff is generated from docs/man/*.scd with scdoc and
# committed, so a build needs no scdoc (run this after editing a page).
man:
	for src in docs/man/*.scd; do scdoc < $$src > $${src%.scd}; done

# ---- formatting: the repository's .clang-format over src/, include/, tests/ --

FORMAT_FILES = $(shell git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null)

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: every file is formatted"

clean:
	rm -rf build

-include $(wildcard $(BUILD)/src/*.d $(BUILD)/src/*/*.d $(BUILD)/gen/*.d $(BUILD)/tests/*/*.d)
