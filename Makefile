# civic — see README.md.  Targets: all check demo install uninstall clean bench fuzz deps
.SUFFIXES:

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/civic
DESTDIR ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS     = jansson libpcre2-8 libsodium libcrypto libRmath gmp xlsxwriter libzip expat freexl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# Warnings and the language level are ours, whatever CFLAGS says.
override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra -Werror -Wshadow -Wno-unused-parameter $(LIB_INCLUDES) $(PKG_CFLAGS) \
	-DCIVIC_VERSION='"$(VERSION)"' -DCIVIC_DATADIR='"$(DATADIR)"'
LDLIBS  += $(PKG_LIBS) -lcsv -lglpk -lm -pthread

ifeq ($(SANITIZE),1)
override CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
endif

# lib/ is one folder per layer (lib/README.md); every folder is on the
# include path, and scripts/check-layers keeps includes pointing downwards.
LIB_DIRS := $(sort $(dir $(wildcard lib/*.h lib/*/*.h lib/*/*/*.h)))
LIB_INCLUDES := $(patsubst %/,-I%,$(LIB_DIRS))
LIB_SRC  := $(wildcard lib/*.c lib/*/*.c lib/*/*/*.c)
LIB_OBJ  := $(LIB_SRC:.c=.o)
CMD_SRC  := $(wildcard bin/*.c)
CMDS     := $(CMD_SRC:.c=)
# Commands written in shell, kept in bin/ beside the built ones.
SCRIPT_CMDS := bin/civic-monthly
# Programs that measure (scripts/bench-tools: floors for scripts/bench) or
# probe (tests/tools: the survey engine without a command around it);
# not part of the product, so not of `make all`.
BENCH_TOOLS := $(patsubst %.c,%,$(wildcard scripts/bench-tools/*.c))
TEST_TOOLS  := $(patsubst %.c,%,$(wildcard tests/tools/*.c))
TOOLS    := $(BENCH_TOOLS) $(TEST_TOOLS)
MAN1     := $(wildcard man/*.1)
MAN5     := $(wildcard man/*.5)
MAN7     := $(wildcard man/*.7)

all: $(CMDS)
tools: $(TOOLS)

# Objects are rebuilt whenever the compiler flags change (SANITIZE=1 and back).
BUILD_FLAGS = $(CC) $(CFLAGS) $(LDFLAGS)
.build-flags: FORCE
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' > $@

# -MMD: each object depends on the headers it includes, listed in its .d file.
lib/%.o: lib/%.c .build-flags
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

lib/libcivic.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

bin/%: bin/%.c lib/libcivic.a .build-flags
	$(CC) $(CFLAGS) $(LDFLAGS) -MMD -MP -o $@ $< lib/libcivic.a $(LDLIBS)

scripts/bench-tools/%: scripts/bench-tools/%.c lib/libcivic.a .build-flags
	$(CC) $(CFLAGS) $(LDFLAGS) -MMD -MP -o $@ $< lib/libcivic.a $(LDLIBS)

tests/tools/%: tests/tools/%.c lib/libcivic.a .build-flags
	$(CC) $(CFLAGS) $(LDFLAGS) -MMD -MP -o $@ $< lib/libcivic.a $(LDLIBS)

-include $(LIB_OBJ:.o=.d) $(CMDS:=.d) $(TOOLS:=.d)

deps:
	@scripts/install-deps

# Bats runs every tests/*.bats; TESTS=tests/ingest.bats runs one file.
TESTS ?= tests
# Chromium is large: only a run that includes tests/report.bats installs it.
BROWSER_FOR_TESTS = $(if $(filter tests tests/ tests/report.bats,$(TESTS)),--browser)
check:
	@scripts/install-deps $(BROWSER_FOR_TESTS)
	@$(MAKE) --no-print-directory all tools
	scripts/check-layers
	SANITIZE=$(SANITIZE) VALGRIND=$(VALGRIND) bats $(BATS_FLAGS) $(TESTS)

demo: deps
	@$(MAKE) --no-print-directory all
	scripts/demo

bench: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory all tools
	scripts/bench $(BENCH_FLAGS)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)
	cp $(CMDS) $(SCRIPT_CMDS) $(DESTDIR)$(BINDIR)/
	cp $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	$(if $(MAN5),cp $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	cp $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	cp -R share/civic/. $(DESTDIR)$(DATADIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(CMDS) $(SCRIPT_CMDS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -f $(LIB_OBJ) $(LIB_OBJ:.o=.d) lib/libcivic.a $(CMDS) $(CMDS:=.d) $(TOOLS) $(TOOLS:=.d) .build-flags
	rm -rf demo tests/tmp

# libFuzzer harnesses (fuzz/*.c), each run FUZZ_SECONDS seconds: scripts/fuzz.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-deps --fuzz
	scripts/fuzz $(FUZZ_SECONDS)
.PHONY: fuzz

FORCE:
.PHONY: all tools check deps demo bench install uninstall clean FORCE
