# Builds the libFuzzer harnesses: lib/ compiled again with clang, coverage
# instrumentation, ASan and UBSan, into fuzz/out/build.  Run by scripts/fuzz.
.SUFFIXES:
CC       = clang
PKGS     = jansson libpcre2-8 libsodium libcrypto libRmath gmp libzip expat freexl
SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS   = -O1 -g -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra \
	-Wno-unused-parameter $(LIB_INCLUDES) $(shell pkg-config --cflags $(PKGS)) \
	-DCIVIC_VERSION='"fuzz"' -DCIVIC_DATADIR='"share/civic"' $(SAN)
LDLIBS   = $(shell pkg-config --libs $(PKGS)) -lcsv -lm
B        = fuzz/out/build

LIB_DIRS := $(sort $(dir $(wildcard lib/*.h lib/*/*.h lib/*/*/*.h)))
LIB_INCLUDES := $(patsubst %/,-I%,$(LIB_DIRS))
LIB_SRC  := $(wildcard lib/*.c lib/*/*.c lib/*/*/*.c)
LIB_OBJ  := $(patsubst lib/%.c,$(B)/lib/%.o,$(LIB_SRC))
HARNESS  := $(patsubst fuzz/%.c,$(B)/%,$(wildcard fuzz/*.c))

all: $(HARNESS)

$(B)/lib/%.o: lib/%.c $(wildcard lib/*.h lib/*/*.h lib/*/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(B)/libcivic.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(B)/%: fuzz/%.c fuzz/fuzz.h $(B)/libcivic.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(B)/libcivic.a $(LDLIBS)
