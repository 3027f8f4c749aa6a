# SPDX-License-Identifier: MIT
# rewind: GNU Make build. `make` builds build/rewind; `make check` runs every test.
CC ?= gcc
BUILD ?= build
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
PKGS := libzstd libxxhash libelf libdw
WARN := -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2 -Wstrict-prototypes -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE= $(WARN) $(CFLAGS) -Isrc $(shell pkg-config --cflags $(PKGS)) \
	-MMD -MP
LDLIBS := $(shell pkg-config --libs $(PKGS)) -lZydis

SRCS := $(wildcard src/base/*.c src/task/*.c src/syscalls/*.c src/trace/*.c src/record/*.c \
	src/replay/*.c src/timeline/*.c src/gdbserver/*.c src/trap/*.c src/cli/*.c)
OBJS := $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS := $(filter-out $(BUILD)/src/cli/%,$(OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
PROG_SRCS := $(wildcard tests/progs/*.c)
PROG_BINS := $(PROG_SRCS:tests/progs/%.c=$(BUILD)/tests/progs/%)
# The programs with hot loops that call PAD() (tests/progs/util.h) also get a
# NAME-pad build, which tests/run.sh records for `pad` rows when REWIND_TRAPS=0.
PAD_SRCS := $(shell grep -l -e 'PAD();' -e spin_until $(PROG_SRCS))
PROG_BINS += $(PAD_SRCS:tests/progs/%.c=$(BUILD)/tests/progs/%-pad)
TOOLS := $(BUILD)/tools/check_syscall_table

.PHONY: all check unit asan analyze clean progs tools
all: $(BUILD)/rewind

$(BUILD)/rewind: $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/harness.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJS) $(LDLIBS)

# Test programs: plain C, built like a user would build them (with debug info).
$(BUILD)/tests/progs/%-pad: tests/progs/%.c tests/progs/util.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu17 -O1 -g -Wall -Wextra -Werror -DREWIND_TEST_PAD -o $@ $< -lm

$(BUILD)/tests/progs/%: tests/progs/%.c tests/progs/util.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu17 -O1 -g -Wall -Wextra -Werror -o $@ $< -lm

$(BUILD)/tools/%: tools/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

progs: $(PROG_BINS)
unit: $(UNIT_BINS)
tools: $(TOOLS)

check: $(BUILD)/rewind $(UNIT_BINS) $(PROG_BINS) $(TOOLS)
	@BUILD=$(BUILD) tests/run.sh

asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -Wno-format-truncation" check

analyze:
	$(MAKE) BUILD=build-analyze CFLAGS="-O1 -fanalyzer" all

clean:
	rm -rf build build-asan build-analyze

-include $(OBJS:.o=.d)
