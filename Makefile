# entopic: see README.md. `make run` builds and annotates corpus/, `make test` runs the
# whole suite (and again under AddressSanitizer + UndefinedBehaviorSanitizer).

PREFIX ?= /usr/local
DATADIR ?= $(PREFIX)/share/entopic
CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PKGS = libutf8proc jansson libpcre2-8

PROJECT_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -DPCRE2_CODE_UNIT_WIDTH=8 -pthread -Ibuild \
	-DGAZ_CODE_ID='"$(GAZ_CODE_ID)"'
# Compiled lexicon images are valid only for the code that wrote them: a digest of the
# sources that decide their layout and keys.
GAZ_CODE_ID := $(shell cat src/gazetteer.c src/gazetteer.h src/normalize.c src/normalize.h src/tokenize.c src/tokenize.h src/util.c src/util.h 2>/dev/null | cksum | cut -d' ' -f1)
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
	uninstall clean lexicons model bench bench-peers fuzz memcheck eval fuzz-smoke test-fuzz \
	check-fuzz-deps fuzz-build

all: entopic lexicons/default.eimg

# The default lexicons compiled into one image (read with mmap at start-up; entopic uses
# it only while it is newer than every lexicons/*.tsv and of the same build).
lexicons/default.eimg: entopic $(wildcard lexicons/*.tsv)
	./entopic compile --lexicon-dir lexicons -o $@

build/obj/%.o: src/%.c $(HDRS) | check-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# the build id written into lexicon images changes with these sources
build/obj/gazetteer.o: src/normalize.c src/tokenize.c src/util.c

build/libentopic.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# DATADIR lives in a generated header that changes (and rebuilds cli.o) only when the
# value does, so `make install PREFIX=/usr` after a plain `make` installs the right binary.
build/datadir.h: FORCE
	@mkdir -p build
	@printf '#define DATADIR "%s"\n' '$(DATADIR)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
FORCE:

build/obj/cli.o: build/datadir.h
build/asan/obj/cli.o: build/datadir.h

entopic: build/obj/cli.o build/libentopic.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# the portable tokenizer test includes test_tokenize.c and builds tokenize.c itself
build/unit/test_tokenize_portable build/asan/unit/test_tokenize_portable: tests/unit/test_tokenize.c src/tokenize.c
# and the SSE2 input test includes test_input.c and builds input.c itself
build/unit/test_input_sse2 build/asan/unit/test_input_sse2: tests/unit/test_input.c src/input.c

build/unit/%: tests/unit/%.c build/libentopic.a tests/unit/check.h tests/unit/reference.h
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

run: all
	@for f in corpus/*.txt; do ./entopic "$$f"; done

test: test-plain test-asan test-fuzz

test-plain: entopic lexicons/default.eimg $(UNIT_BIN)
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
build/asan/unit/%: tests/unit/%.c build/asan/libentopic.a tests/unit/check.h tests/unit/reference.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< build/asan/libentopic.a $(LDLIBS)
asan-suite: build/asan/entopic $(UNIT_SRC:tests/unit/%.c=build/asan/unit/%)
	@ln -sfn ../../lexicons build/asan/lexicons; ln -sfn ../../models build/asan/models
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  ENTOPIC_SANITIZED=1 sh tests/run-all.sh build/asan/entopic build/asan/unit
endif

install: entopic lexicons/default.eimg
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/lexicons $(DESTDIR)$(DATADIR)/models
	install -m 755 entopic $(DESTDIR)$(PREFIX)/bin/entopic
	install -m 644 lexicons/*.tsv lexicons/README.md $(DESTDIR)$(DATADIR)/lexicons/
	install -m 644 lexicons/default.eimg $(DESTDIR)$(DATADIR)/lexicons/
	install -m 644 models/*.tsv $(DESTDIR)$(DATADIR)/models/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/entopic
	rm -rf $(DESTDIR)$(DATADIR)

# Regenerate the generated lexicons from ../shared/data (needs the sources).
SHARED ?= ../shared
lexicons:
	python3 tools/make-lexicons.py --data $(SHARED)/data

# Evaluation on the dev gold (needs ../shared; skipped without it).
eval: all
	@if [ -f $(SHARED)/gold/dev.jsonl ]; then \
	  ./entopic eval $(SHARED)/gold/seed-article.jsonl; ./entopic eval $(SHARED)/gold/dev.jsonl; \
	else echo "eval: $(SHARED)/gold not found, skipped"; fi
	@if [ -f $(SHARED)/data/conll2003/valid.txt ]; then \
	  echo "eval: people in CoNLL-2003 valid (PER, spans only):"; \
	  python3 tools/conll-to-gold.py $(SHARED)/data/conll2003/valid.txt > build/conll-valid.jsonl && \
	  ./entopic eval --no-topics --types PERSON build/conll-valid.jsonl; \
	else echo "eval: $(SHARED)/data/conll2003 not found, CoNLL check skipped"; fi

clean:
	rm -rf build entopic lexicons/default.eimg

# Retrain the default topic model from the labelled news of ../shared/data (needs the
# sources; the texts stay in build/, only the weights are committed).
model: entopic
	@if [ ! -d $(SHARED)/data/bbc-news ]; then echo "model: $(SHARED)/data not found, skipped"; exit 0; fi; \
	python3 tools/make-topic-data.py --bbc $(SHARED)/data/bbc-news/bbc-fulltext.tar.gz --news20 $(SHARED)/data/20newsgroups/20news-bydate.tar.gz --out build/topic-data && \
	./entopic train --base models/topics-curated.tsv -o models/topics.tsv build/topic-data/train.jsonl && \
	echo "model: held-out BBC + 20 Newsgroups:" && ./entopic eval --topics-only build/topic-data/test.jsonl && \
	echo "model: held-out BBC alone:" && ./entopic eval --topics-only build/topic-data/test-bbc.jsonl && \
	echo "model: project-written texts (corpus/gold.jsonl, then models/topic-checks.jsonl):" && \
	./entopic eval --topics-only corpus/gold.jsonl && ./entopic eval --topics-only models/topic-checks.jsonl

# Throughput of the full pipeline (tools/bench/bench.sh: MB/s, docs/s, peak RSS, start-up;
# BENCH_CORPUS=FILE.jsonl, BENCH_RUNS=N) and beside the peer annotators of ../shared/peers
# (tools/bench/bench-peers.sh). Generated files go to build/bench/. Not part of `make test`.
bench: all
	@SHARED=$(SHARED) bash tools/bench/bench.sh

bench-peers: all
	@if [ ! -d $(SHARED)/peers ]; then echo "bench-peers: $(SHARED)/peers not found, skipped"; exit 0; fi; \
	SHARED=$(SHARED) bash tools/bench/bench-peers.sh

# libFuzzer harnesses (tests/fuzz/fuzz_<entry>.c), built with clang in build/fuzz/ and run
# from the repository root on a scratch corpus seeded from tests/fuzz/corpus/<entry>/. A
# crash leaves its input in build/fuzz/artifacts/. `make fuzz` runs each FUZZ_SECONDS,
# `make fuzz-smoke` (part of `make test`) FUZZ_SMOKE_SECONDS; one at a time.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_TARGETS = document jsonl lexicon model rules patterns
FUZZ_DEB_PKGS = clang libclang-rt-14-dev
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = $(PROJECT_CFLAGS) $(DEP_CFLAGS) -O1 -g $(FUZZ_SAN)
FUZZ_OBJ = $(LIB_SRC:src/%.c=build/fuzz/obj/%.o)
FUZZ_BIN = $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

check-fuzz-deps: | check-deps
	@mkdir -p build/fuzz
	@printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >build/fuzz/probe.c
	@$(FUZZ_CC) -fsanitize=fuzzer build/fuzz/probe.c -o build/fuzz/probe 2>/dev/null || { \
	  echo "entopic: $(FUZZ_CC) cannot build libFuzzer harnesses" >&2; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "entopic: installing: apt-get install -y $(FUZZ_DEB_PKGS)" >&2; \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FUZZ_DEB_PKGS) && \
	    $(FUZZ_CC) -fsanitize=fuzzer build/fuzz/probe.c -o build/fuzz/probe; \
	  else \
	    echo "entopic: run: sudo apt-get install $(FUZZ_DEB_PKGS)" >&2; exit 1; \
	  fi; }

build/fuzz/obj/%.o: src/%.c $(HDRS) | check-fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h tests/unit/reference.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

# run-fuzz SECONDS: each target in turn; the first failure stops the run.
define run-fuzz
	@mkdir -p build/fuzz/artifacts
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/work/$$t; \
	  echo "fuzz: $$t for $(1) s"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  build/fuzz/fuzz_$$t -max_total_time=$(1) -timeout=25 -rss_limit_mb=2560 -max_len=16384 \
	    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$$t- \
	    build/fuzz/work/$$t tests/fuzz/corpus/$$t >build/fuzz/$$t.log 2>&1 || { \
	    tail -n 60 build/fuzz/$$t.log; echo "fuzz: $$t FAILED (log: build/fuzz/$$t.log)"; exit 1; }; \
	  grep -E '^stat::number_of_executed_units' build/fuzz/$$t.log | sed "s/^/fuzz: $$t: /"; \
	done
endef

fuzz: $(FUZZ_BIN)
	$(call run-fuzz,$(FUZZ_SECONDS))

fuzz-smoke: $(FUZZ_BIN)
	$(call run-fuzz,$(FUZZ_SMOKE_SECONDS))

test-fuzz: fuzz-smoke

# The unit tests, golden cases and CLI tests under valgrind (no errors, no leaks); the huge
# CLI cases skip themselves (ENTOPIC_MEMCHECK=1). Logs in build/memcheck/logs/.
memcheck: entopic $(UNIT_BIN)
	@sh tests/memcheck.sh ./entopic build/unit
