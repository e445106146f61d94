# entopic: see README.md. `make run` builds and annotates corpus/, `make test` runs the
# whole suite (and again under AddressSanitizer + UndefinedBehaviorSanitizer).

PREFIX ?= /usr/local
DATADIR ?= $(PREFIX)/share/entopic
CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PKGS = libutf8proc jansson libpcre2-8

PROJECT_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -DPCRE2_CODE_UNIT_WIDTH=8 -DDATADIR='"$(DATADIR)"' -pthread
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lutf8proc -ljansson -lpcre2-8)
ALL_CFLAGS = $(PROJECT_CFLAGS) $(DEP_CFLAGS) $(CFLAGS)
LDLIBS = $(DEP_LIBS) -lm -pthread

LIB_SRC = src/util.c src/normalize.c src/tokenize.c src/gazetteer.c src/rules.c \
	src/patterns.c src/match.c src/topics.c src/pipeline.c src/emit.c src/input.c src/eval.c
LIB_OBJ = $(LIB_SRC:src/%.c=build/obj/%.o)
HDRS = $(wildcard src/*.h)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/unit/%)

.PHONY: all run test test-plain test-asan unit golden cli-tests deps check-deps install \
	uninstall clean lexicons model bench bench-peers fuzz memcheck eval

all: entopic

build/obj/%.o: src/%.c $(HDRS) | check-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/libentopic.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

entopic: build/obj/cli.o build/libentopic.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/unit/%: tests/unit/%.c build/libentopic.a tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< build/libentopic.a $(LDLIBS)

# Missing build dependencies: installed when run as root with apt-get, otherwise the exact
# command is printed.
DEB_PKGS = libutf8proc-dev libpcre2-dev libjansson-dev pkg-config gcc make
check-deps:
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null || { \
	  echo "entopic: missing build dependencies ($(PKGS))" >&2; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "entopic: installing: apt-get install -y $(DEB_PKGS)" >&2; \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PKGS); \
	  else \
	    echo "entopic: run: sudo apt-get install $(DEB_PKGS)" >&2; exit 1; \
	  fi; }

deps: check-deps

run: entopic
	@for f in corpus/*.txt; do ./entopic "$$f"; done

test: test-plain test-asan

test-plain: entopic $(UNIT_BIN)
	@sh tests/run-all.sh ./entopic build/unit

# The whole suite again with sanitizers, in its own build tree.
test-asan:
	@$(MAKE) --no-print-directory BUILD_ASAN=1 CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  OBJDIR=build/asan asan-suite

ifdef BUILD_ASAN
ASAN_OBJ = $(LIB_SRC:src/%.c=build/asan/obj/%.o)
build/asan/obj/%.o: src/%.c $(HDRS) | check-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
build/asan/libentopic.a: $(ASAN_OBJ)
	rm -f $@
	ar rcs $@ $^
build/asan/entopic: build/asan/obj/cli.o build/asan/libentopic.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
build/asan/unit/%: tests/unit/%.c build/asan/libentopic.a tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< build/asan/libentopic.a $(LDLIBS)
asan-suite: build/asan/entopic $(UNIT_SRC:tests/unit/%.c=build/asan/unit/%)
	@ln -sf ../../lexicons build/asan/lexicons; ln -sf ../../models build/asan/models
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  ENTOPIC_SANITIZED=1 sh tests/run-all.sh build/asan/entopic build/asan/unit
endif

install: entopic
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/lexicons $(DESTDIR)$(DATADIR)/models
	install -m 755 entopic $(DESTDIR)$(PREFIX)/bin/entopic
	install -m 644 lexicons/*.tsv lexicons/README.md $(DESTDIR)$(DATADIR)/lexicons/
	install -m 644 models/*.tsv $(DESTDIR)$(DATADIR)/models/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/entopic
	rm -rf $(DESTDIR)$(DATADIR)

# Regenerate the generated lexicons from ../shared/data (needs the sources).
SHARED ?= ../shared
lexicons:
	python3 tools/make-lexicons.py --data $(SHARED)/data

# Evaluation on the dev gold (needs ../shared; skipped without it).
eval: entopic
	@if [ -f $(SHARED)/gold/dev.jsonl ]; then \
	  ./entopic eval $(SHARED)/gold/seed-article.jsonl; ./entopic eval $(SHARED)/gold/dev.jsonl; \
	else echo "eval: $(SHARED)/gold not found, skipped"; fi

clean:
	rm -rf build entopic

# Retrain the default topic model from the labelled news of ../shared/data (needs the
# sources; the texts stay in build/, only the weights are committed).
model: entopic
	@if [ ! -d $(SHARED)/data/bbc-news ]; then echo "model: $(SHARED)/data not found, skipped"; exit 0; fi; \
	python3 tools/make-topic-data.py --bbc $(SHARED)/data/bbc-news/bbc-fulltext.tar.gz --news20 $(SHARED)/data/20newsgroups/20news-bydate.tar.gz --out build/topic-data && \
	./entopic train --base models/topics-curated.tsv -o models/topics.tsv build/topic-data/train.jsonl && \
	./entopic eval --topics-only build/topic-data/test.jsonl
