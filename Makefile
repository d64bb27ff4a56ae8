# Respite - one GNU Makefile, no generated build system (STYLE.md 10).
#   make                 build bin/respite (-O2 -g, jemalloc)
#   make run             install dependencies, build, start on the defaults
#   make test            install dependencies, run every test (unit and
#                        integration, plain and under ASan+UBSan)
#   make SANITIZER=address,undefined   sanitized build (forces MALLOC=libc)
#   make V=1             show the commands
#   make static          bin/respite-static: fully static, stripped (for the
#                        container image); make test-image builds and checks it

CC      ?= cc
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)
PKGS    := libuv hiredis libxxhash lua5.1
SANITIZER ?=
MALLOC  ?= jemalloc

ifneq ($(SANITIZER),)
  MALLOC   := libc
  VARIANT  := san
  SANFLAGS := -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
  OPT      := -O1 -g
else
  VARIANT  := release
  SANFLAGS :=
  OPT      := -O2 -g
endif

BUILD   := build/$(VARIANT)
BIN     := $(if $(SANITIZER),bin/respite-san,bin/respite)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -MMD -MP \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Scripting (EVAL) embeds Lua 5.1 as Redis does, with Debian's cjson and
# bitop modules as the scripts' cjson and bit globals.
LUA_MODS := -llua5.1-cjson -llua5.1-bitop
LDLIBS  += $(LUA_MODS) $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
# FUNCTION DUMP compresses with liblzf, as Debian's redis-server does.
LDLIBS  += -llzf
ifeq ($(MALLOC),jemalloc)
  CFLAGS += -DUSE_JEMALLOC
  LDLIBS += -ljemalloc
endif
LDFLAGS += $(SANFLAGS)

PROTOCOL_SRC := $(wildcard protocol/*.c)
STORE_SRC    := $(wildcard store/*.c)
CONF_SRC     := $(wildcard conf/*.c)
SERVER_SRC   := $(wildcard server/*.c)
LEAF_OBJ     := $(patsubst %.c,$(BUILD)/%.o,$(PROTOCOL_SRC) $(STORE_SRC) $(CONF_SRC))
SERVER_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(SERVER_SRC))
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
UNIT_BIN     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all run test test-unit test-integration unit-bins deps bench fuzz clean check-includes \
        static test-image

all: $(BIN)

$(BIN): $(SERVER_OBJ) $(LEAF_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -I. -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LEAF_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -I. -o $@ $< $(LEAF_OBJ) $(LDLIBS)

# The unit tests of a server thread link it and worker.o, which starts
# and stops it.
THREAD_TESTS := $(patsubst %,$(BUILD)/tests/test_%,prefault premap release)
# Likewise test_sha1 links the one server/ leaf it tests (and md32.o).
$(BUILD)/tests/test_sha1: tests/unit/test_sha1.c $(BUILD)/server/sha1.o \
                          $(BUILD)/server/md32.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -I. -o $@ $^ $(LDLIBS)

# And test_sha256 the password hash of ACL (server/sha256.c).
$(BUILD)/tests/test_sha256: tests/unit/test_sha256.c $(BUILD)/server/sha256.o \
                            $(BUILD)/server/md32.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -I. -o $@ $^ $(LDLIBS)

$(THREAD_TESTS): $(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/server/%.o \
                 $(BUILD)/server/worker.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -I. -o $@ $^ $(LDLIBS)

# The slow log's list, the latency histograms and series, INFO's
# instantaneous_* rates and client buffer peaks are plain data in
# server/: each test links its file alone.
PLAIN_TESTS := $(patsubst %,$(BUILD)/tests/test_%,slowlog latency rates peaks)
$(PLAIN_TESTS): $(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/server/%.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -I. -o $@ $^ $(LDLIBS)

# And the key spec table and its reader (server/keyspec*.c).
$(BUILD)/tests/test_keyspec: tests/unit/test_keyspec.c $(BUILD)/server/keyspec.o \
                             $(BUILD)/server/keyspec_table.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -I. -o $@ $^ $(LDLIBS)

# And COMMAND DOCS's syntax reader and table (server/docs*.c), whose
# lookup shares the key spec table's name order.
DOCS_OBJ := $(patsubst %,$(BUILD)/server/%.o,docs_syntax docs_table keyspec_table)
$(BUILD)/tests/test_docs: tests/unit/test_docs.c $(DOCS_OBJ) $(LEAF_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -I. -o $@ $^ $(LDLIBS)

# And test_restore the reading of one RDB value from a shared reader
# (server/restore*.c over rdb*.c), with the store it builds values in and
# DUMP's writer to make payloads.
RESTORE_OBJ := $(patsubst %,$(BUILD)/server/%.o,restore restore_stream rdb rdb_pack \
                 dump dump_stream)
$(BUILD)/tests/test_restore: tests/unit/test_restore.c $(RESTORE_OBJ) $(LEAF_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -I. -o $@ $^ $(LDLIBS)

unit-bins: $(UNIT_BIN)

# The release objects linked with -static against Debian's archives
# (libuv's is libuv_a.a), stripped: the whole container image. Nothing in
# it may need NSS (getaddrinfo, getpwnam): binds are numeric addresses.
# ld still warns about getpwuid_r: libuv's core.c.o holds it for
# uv_os_get_passwd, which Respite never calls.
STATIC_LDLIBS := -lhiredis -lxxhash $(LUA_MODS) -llua5.1 $(if $(filter jemalloc,$(MALLOC)),-ljemalloc) \
                 $(shell pkg-config --static --libs libuv-static 2>/dev/null) -lm

# Debian's liblzf-dev has no static archive but ships the sources.
LZF_STATIC_SRC := /usr/src/liblzf/lzf_c.c /usr/src/liblzf/lzf_d.c

static: bin/respite-static

bin/respite-static: $(SERVER_OBJ) $(LEAF_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) -static -s -o $@ $^ $(LZF_STATIC_SRC) $(STATIC_LDLIBS)

# Installs the Debian packages and the pinned npm clients the build and the
# tests need; a no-op when they are already there.
deps:
	$(Q)scripts/deps.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	./bin/respite $(ARGS)

test: deps
	$(Q)scripts/run-tests.sh

test-unit:
	$(Q)scripts/run-tests.sh unit

test-integration:
	$(Q)scripts/run-tests.sh integration

# Builds the Dockerfile with podman and runs the image and the compose
# file for real (installs podman on first use); see the script's header.
test-image:
	$(Q)scripts/test-image.sh

bench: all
	$(Q)scripts/bench.sh

# protocol/, store/ and conf/ must not include each other or server/.
check-includes:
	$(Q)scripts/check-includes.sh

# RESTORE's value parser and what it builds on (tests/fuzz/fuzz_restore.c).
# FUZZ_OPT=-O0 keeps every load where the source has it: -O1 may sink a
# read past the check that guards it, hiding an out-of-bounds one.
FUZZ_OPT ?= -O1
FUZZ_RESTORE_SRC := $(addprefix server/,restore.c restore_stream.c rdb.c rdb_pack.c \
                    dump.c dump_stream.c)
FUZZ_CFLAGS := -g $(FUZZ_OPT) -Wall -Wextra -Werror -std=c11 -I. -D_GNU_SOURCE \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

fuzz:
	$(Q)mkdir -p build/fuzz/corpus_restore build/fuzz/corpus_function build/fuzz/crashes
	$(Q)clang -g -O1 -fsanitize=fuzzer,address -I. -D_GNU_SOURCE \
	    -o build/fuzz/fuzz_reader tests/fuzz/fuzz_reader.c $(PROTOCOL_SRC) \
	    $(shell pkg-config --cflags --libs hiredis)
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/fuzz_restore tests/fuzz/fuzz_restore.c \
	    $(FUZZ_RESTORE_SRC) $(STORE_SRC) $(shell pkg-config --cflags --libs libxxhash) \
	    -llzf -lm
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/fuzz_function_restore \
	    tests/fuzz/fuzz_function_restore.c server/function_dump.c server/rdb.c \
	    $(STORE_SRC) $(shell pkg-config --cflags --libs libuv libxxhash) -llzf -lm
	@echo "run: build/fuzz/fuzz_reader -max_total_time=60"
	@echo "     build/fuzz/fuzz_restore -max_total_time=300 -malloc_limit_mb=64 \\"
	@echo "         build/fuzz/corpus_restore tests/fuzz/corpus_restore"
	@echo "     build/fuzz/fuzz_function_restore -max_total_time=300 \\"
	@echo "         build/fuzz/corpus_function tests/fuzz/corpus_function"

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' -type f 2>/dev/null)
