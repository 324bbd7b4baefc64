# xl-balance: libbalance.so.1, the xl-balance command, tests.
#
#   make            build library and command into build/
#   make demo       the main job on the built-in simulated cluster
#   make check      every test (installs its Debian build deps when missing)
#   make install    DESTDIR= PREFIX= LIBDIR= SBINDIR= ...
#   make SANITIZE=1 ...   the same under ASan+UBSan, in build/san/

# SOVERSION changes with every incompatible change of the ABI
# (doc/architecture.md, "ABI"): the soname libbalance.so.$(SOVERSION), the
# Debian package libbalance$(SOVERSION).  ABI_VERSION names the library's
# file: $(SOVERSION).MINOR.0, MINOR counting the compatible additions (a
# version node LIBBALANCE_$(SOVERSION).MINOR of libbalance.map).
VERSION     := 0.2.0
SOVERSION   := 1
ABI_VERSION := $(SOVERSION).0.0

PREFIX     ?= /usr/local
EXEC_PREFIX ?= $(PREFIX)
LIBDIR     ?= $(EXEC_PREFIX)/lib
SBINDIR    ?= $(EXEC_PREFIX)/sbin
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
SYSCONFDIR ?= /etc
MANDIR     ?= $(DATADIR)/man
DESTDIR    ?=

CC      ?= gcc
CFLAGS  ?= -O2 -g
PKG_CONFIG ?= pkg-config

XEN_PKGS   := xenlight xenstat xlutil xentoollog xencontrol
XEN_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(XEN_PKGS) 2>/dev/null)
XEN_LIBS   := $(shell $(PKG_CONFIG) --libs $(XEN_PKGS) 2>/dev/null)
YAJL_LIBS  := -lyajl
# The PNG writer deflates with zlib (research/plot_png.c); Xen's own
# libraries already bring it to every dom0.
ZLIB_CFLAGS := $(shell $(PKG_CONFIG) --cflags zlib 2>/dev/null)
ZLIB_LIBS   := $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null || echo -lz)

ifeq ($(SANITIZE),1)
B ?= build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B ?= build
SAN_FLAGS :=
endif

BAL_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -fPIC -MMD -MP \
	-DBAL_DATADIR='"$(DATADIR)/xl-balance"' -Ilibbalance $(ZLIB_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
BAL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)
# What an adapter needs to include Xen's headers; given to the adapters
# alone (XEN_ADAPTERS), and to the tests' fakes of Xen's libraries.
XEN_INC := -DLIBXL_API_VERSION=0x041400 $(XEN_CFLAGS)

# libbalance/ in the pipeline's order (doc/architecture.md): each folder
# includes only those before it.  The Xen adapters are the only files
# that include a Xen header; `make' fails when another one does.
LIB_LAYERS   := base migrate backend observe planner balance run research
LIB_SRCS     := $(sort $(wildcard $(LIB_LAYERS:%=libbalance/%/*.c)))
LIB_OBJS     := $(LIB_SRCS:libbalance/%.c=$(B)/lib/%.o)
XEN_ADAPTERS := libbalance/base/config_xlu.c libbalance/migrate/migrate_xl.h \
	libbalance/migrate/migrate_xl.c libbalance/backend/backend_xen.c
CLI_SRCS := $(sort $(wildcard xl-plugin/*.c))
CLI_OBJS := $(CLI_SRCS:xl-plugin/%.c=$(B)/cli/%.o)

SONAME  := libbalance.so.$(SOVERSION)
LIB_SO  := $(B)/libbalance.so.$(ABI_VERSION)
LIB_A   := $(B)/libbalance-internal.a
CLI     := $(B)/xl-balance

# Unit tests: tests/test_NAME.c, one cmocka binary each, linked with every
# library object (internal symbols included) and the real Xen libraries.
# Seam tests (tests/seam_NAME.c) link fakes instead of a real library: no
# real Xen library is on their link line, so nothing reaches past the seam.
TEST_SRCS := $(sort $(wildcard tests/test_*.c))
TESTS     := $(TEST_SRCS:tests/%.c=$(B)/tests/%)
SEAM_SRCS := $(sort $(wildcard tests/seam_*.c))
SEAMS     := $(SEAM_SRCS:tests/%.c=$(B)/tests/%)
FAKE_OBJS := $(patsubst tests/%.c,$(B)/tests/%.o,$(wildcard tests/fake_*.c))
TEST_LIBS := $(YAJL_LIBS) $(ZLIB_LIBS) -lcmocka -lm

# Benchmarks: bench/bench_NAME.c, one program each, printing figures;
# bench/lib_*.c are linked into every one of them.  bench/gen_regimes.c is
# a tool (a generated cluster for the planner or for hbal), built beside.
BENCH_SRCS := $(sort $(wildcard bench/bench_*.c))
BENCHES    := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)
BENCH_LIB  := $(patsubst bench/%.c,$(B)/bench/%.o,$(wildcard bench/lib_*.c))
BENCH_TOOLS := $(B)/bench/gen_regimes

.PHONY: all lib cli tests check check-unit check-asan check-valgrind demo \
	check-xen check-crash deps install uninstall clean bench
.DEFAULT_GOAL := all

all: lib cli

lib: $(LIB_SO) $(B)/libbalance.so

cli: $(CLI)

# What the library exports is libbalance.map's business alone.
$(B)/lib/%.o: libbalance/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(BAL_CFLAGS) $(if $(filter $<,$(XEN_ADAPTERS)),$(XEN_INC)) -c -o $@ $<

# The layering, checked before the library is linked: no Xen header
# outside the adapters, and no include of a later folder
# (tests/check-layers.sh).
$(B)/layers.ok: tests/check-layers.sh Makefile $(wildcard libbalance/*/*.[ch])
	@mkdir -p $(@D)
	@sh tests/check-layers.sh "$(LIB_LAYERS)" "$(XEN_ADAPTERS)"
	@touch $@

# The ABI, checked before the library is linked: each public header
# declares exactly the functions of its version node of libbalance.map
# (tests/check-symbols.sh).
PUB_HEADERS := libbalance/libbalance.h libbalance/libbalance-research.h
$(B)/symbols.ok: tests/check-symbols.sh packaging/map-symbols.awk libbalance/libbalance.map $(PUB_HEADERS)
	@mkdir -p $(@D)
	@sh tests/check-symbols.sh
	@touch $@

$(B)/cli/%.o: xl-plugin/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(BAL_CFLAGS) -c -o $@ $<

$(B)/tests/%.o: tests/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(BAL_CFLAGS) $(XEN_INC) -Wno-unused-parameter -c -o $@ $<

$(LIB_SO): $(LIB_OBJS) libbalance/libbalance.map $(B)/layers.ok $(B)/symbols.ok
	$(CC) -shared -o $@ $(LIB_OBJS) -Wl,-soname,$(SONAME) \
		-Wl,--version-script=libbalance/libbalance.map -Wl,--no-undefined \
		$(BAL_LDFLAGS) $(XEN_LIBS) $(YAJL_LIBS) $(ZLIB_LIBS) -lm

$(B)/libbalance.so: $(LIB_SO)
	ln -sf libbalance.so.$(ABI_VERSION) $(B)/$(SONAME)
	ln -sf libbalance.so.$(ABI_VERSION) $@

$(LIB_A): $(LIB_OBJS) $(B)/layers.ok
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

$(CLI): $(CLI_OBJS) $(B)/libbalance.so
	$(CC) -o $@ $(CLI_OBJS) -L$(B) -lbalance $(BAL_LDFLAGS)

$(B)/tests/test_%: $(B)/tests/test_%.o $(LIB_A) $(B)/tests/testutil.o
	$(CC) -o $@ $< $(B)/tests/testutil.o $(LIB_A) $(BAL_LDFLAGS) $(XEN_LIBS) $(TEST_LIBS)

$(B)/tests/seam_%: $(B)/tests/seam_%.o $(LIB_A) $(FAKE_OBJS) $(B)/tests/testutil.o
	$(CC) -o $@ $< $(FAKE_OBJS) $(B)/tests/testutil.o $(LIB_A) $(BAL_LDFLAGS) $(TEST_LIBS)

tests: all $(TESTS) $(SEAMS)

$(B)/bench/%.o: bench/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(BAL_CFLAGS) -Ibench -c -o $@ $<

$(B)/bench/bench_%: $(B)/bench/bench_%.o $(BENCH_LIB) $(LIB_A)
	$(CC) -o $@ $< $(BENCH_LIB) $(LIB_A) $(BAL_LDFLAGS) $(XEN_LIBS) $(YAJL_LIBS) $(ZLIB_LIBS) -lm

$(B)/bench/gen_regimes: $(B)/bench/gen_regimes.o $(LIB_A)
	$(CC) -o $@ $< $(LIB_A) $(BAL_LDFLAGS) $(XEN_LIBS) $(YAJL_LIBS) $(ZLIB_LIBS) -lm

# Speed and memory figures (not pass/fail: see README for the targets).
# bench_hbal compares the planner with Ganeti's hbal on generated
# regimes (about 30 minutes on 2 cores), hbal installed when missing
# (bench/install-deps.sh; without it, the planner alone).  bench_peers
# plays 60 dom0s with tests/data/fake-peer: run from the source tree.
bench: deps all $(BENCHES) $(BENCH_TOOLS)
	@sh bench/install-deps.sh
	@echo "== $(B)/bench/gen_regimes htools 100 1000 --json --hbal --util"
	@$(B)/bench/gen_regimes htools 100 1000 --json $(B)/bench/htools-100-1000.json && \
		$(B)/bench/gen_regimes htools 100 1000 --hbal $(B)/bench/htools-100-1000.txt \
		--util $(B)/bench/htools-100-1000.util && \
		wc -l $(B)/bench/htools-100-1000.json $(B)/bench/htools-100-1000.txt \
		$(B)/bench/htools-100-1000.util
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

# The Debian packages a build and the tests need; installed when missing.
deps:
	@sh tests/install-deps.sh

# All tests three times: plain, under ASan+UBSan, under valgrind memcheck.
# Every test: unit and command line, the bad-input catalogue, the crash
# harness, the same under ASan+UBSan and valgrind, the packages, real Xen
# under QEMU, and each fuzzer for 60 s.  CI runs exactly this.
check: deps
	$(MAKE) check-unit
	$(MAKE) check-badinput
	$(MAKE) check-crash
	$(MAKE) check-asan
	$(MAKE) check-valgrind
	$(MAKE) check-packaging
	$(MAKE) check-xen
	$(MAKE) check-fuzz

check-unit: tests
	XLB_DATADIR=$(DATADIR) sh tests/run-tests.sh $(B)

check-asan:
	$(MAKE) SANITIZE=1 tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		XLB_DATADIR=$(DATADIR) sh tests/run-tests.sh build/san

# Real Xen 4.17 under QEMU (TCG), xl-balance tested in its dom0; as root.
# About 3 min with a warm cache, under 4 min the first time (tests/xen/README.md).
check-xen: deps
	bash tests/xen/check-xen.sh

check-valgrind: tests
	sh tests/run-tests.sh $(B) valgrind

# The crash-injection harness (tests/crash/run.sh says what it checks): a
# simulated rebalance killed at each of its file operations, plain and
# torn, and the runs after it checked.  The shim is preloaded into the
# plain build (an ASan build would refuse a library loaded before its
# runtime).  About 15 s.
$(B)/tests/crashshim.so: tests/crash/crashshim.c Makefile
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -fPIC -shared $(CFLAGS) -o $@ $< -ldl

check-crash: all $(B)/tests/crashshim.so
	sh tests/crash/run.sh $(B)

# The catalogue of bad input (tests/bad-input/): every case's one error
# line, exit code, and nothing left half-done.
check-badinput: all
	sh tests/bad-input/run.sh $(B)/xl-balance

# ---- fuzzing (fuzz/, doc/security.md) ------------------------------------
# libFuzzer harnesses for every parser of outside input, built with clang
# (installed from Debian when missing) under ASan+UBSan into build/fuzz/.
# `make fuzz' runs each for FUZZ_SECONDS; `check-fuzz' 60 s each, for CI.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FZ           := build/fuzz
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=gnu11 -Wall -Wextra -g -O1 -MMD -MP \
	-DLIBXL_API_VERSION=0x041400 -DBAL_DATADIR='"$(DATADIR)/xl-balance"' \
	-Ilibbalance $(XEN_CFLAGS) $(ZLIB_CFLAGS) $(FUZZ_SAN)
FUZZ_LIB_OBJS := $(LIB_SRCS:libbalance/%.c=$(FZ)/lib/%.o)

.PHONY: fuzz check-fuzz fuzz-build fuzz-deps check-badinput

fuzz-deps:
	@sh fuzz/install-deps.sh $(FUZZ_CC)

$(FZ)/lib/%.o: libbalance/%.c Makefile
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/libbalance-fuzz.a: $(FUZZ_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(FZ)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(FZ)/libbalance-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FZ)/libbalance-fuzz.a $(XEN_LIBS) $(YAJL_LIBS) $(ZLIB_LIBS) -lm

fuzz-build: fuzz-deps
	$(MAKE) $(FUZZ_TARGETS:%=$(FZ)/%)

fuzz: fuzz-build
	sh fuzz/run.sh $(FZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

check-fuzz:
	$(MAKE) fuzz FUZZ_SECONDS=60

-include $(wildcard $(FZ)/lib/*/*.d $(FZ)/*.d)

demo: deps
	$(MAKE) all
	sh tests/demo.sh $(B)

# ---- installation, manual pages, packages (doc/packaging.md) -------------
# Where systemd, bash-completion and pkg-config look under PREFIX; the
# Debian and RPM builds set them to their own paths.
SYSTEMDUNITDIR ?= $(EXEC_PREFIX)/lib/systemd/system
BASHCOMPDIR    ?= $(DATADIR)/bash-completion/completions
PKGCONFIGDIR   ?= $(LIBDIR)/pkgconfig

MAN_PAGES := $(B)/man/xl-balance.1 $(B)/man/xl-balance.conf.5
MAN_VARS  := VERSION=$(VERSION) SYSCONFDIR=$(SYSCONFDIR) DATADIR=$(DATADIR) \
	SYSTEMDUNITDIR=$(SYSTEMDUNITDIR)
# The shipped units and cron file name /usr/sbin/xl-balance: another SBINDIR.
SBIN_SED  := sed 's|/usr/sbin/xl-balance|$(SBINDIR)/xl-balance|g'

.PHONY: man deb rpm check-packaging

# The pages take their verbs, options and exit codes from the built
# program's help, their keys from doc/config.md: they cannot drift.
man: $(MAN_PAGES)

$(B)/man/xl-balance.1: packaging/man/xl-balance.1.in packaging/man/gen-man.pl \
		packaging/debian/changelog $(CLI)
	@mkdir -p $(@D)
	LD_LIBRARY_PATH=$(B) perl packaging/man/gen-man.pl cmd $(CLI) $< \
		packaging/debian/changelog $(MAN_VARS) > $@.tmp
	mv $@.tmp $@

$(B)/man/xl-balance.conf.5: packaging/man/xl-balance.conf.5.in \
		packaging/man/gen-man.pl packaging/debian/changelog doc/config.md
	@mkdir -p $(@D)
	perl packaging/man/gen-man.pl conf doc/config.md $< \
		packaging/debian/changelog $(MAN_VARS) > $@.tmp
	mv $@.tmp $@

install: all man
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(DATADIR)/xl-balance/scenarios \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSCONFDIR)/xen \
		$(DESTDIR)$(SYSCONFDIR)/cron.d
	install -m 0644 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libbalance.so.$(ABI_VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libbalance.so
	install -m 0644 $(PUB_HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@EXEC_PREFIX@|$(EXEC_PREFIX)|' \
		-e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' packaging/libbalance.pc.in \
		> $(DESTDIR)$(PKGCONFIGDIR)/libbalance.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libbalance.pc
	install -m 0755 $(CLI) $(DESTDIR)$(SBINDIR)/
	install -m 0644 scenarios/*.scn $(DESTDIR)$(DATADIR)/xl-balance/scenarios/
	install -m 0644 $(B)/man/xl-balance.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(B)/man/xl-balance.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 packaging/completion/xl-balance $(DESTDIR)$(BASHCOMPDIR)/
	$(SBIN_SED) packaging/systemd/xl-balance.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/xl-balance.service
	install -m 0644 packaging/systemd/xl-balance.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/xl-balance.service
	@# The admin's files: installed when absent, never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/xen/xl-balance.conf ] || \
		install -m 0644 packaging/xl-balance.conf $(DESTDIR)$(SYSCONFDIR)/xen/
	[ -e $(DESTDIR)$(SYSCONFDIR)/cron.d/xl-balance ] || \
		{ $(SBIN_SED) packaging/cron/xl-balance \
		> $(DESTDIR)$(SYSCONFDIR)/cron.d/xl-balance && \
		chmod 0644 $(DESTDIR)$(SYSCONFDIR)/cron.d/xl-balance; }

# Leaves the admin's /etc/xen/xl-balance.conf and /etc/cron.d/xl-balance.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libbalance.so* $(DESTDIR)$(INCLUDEDIR)/libbalance.h \
		$(DESTDIR)$(INCLUDEDIR)/libbalance-research.h \
		$(DESTDIR)$(SBINDIR)/xl-balance $(DESTDIR)$(PKGCONFIGDIR)/libbalance.pc \
		$(DESTDIR)$(MANDIR)/man1/xl-balance.1 \
		$(DESTDIR)$(MANDIR)/man5/xl-balance.conf.5 \
		$(DESTDIR)$(BASHCOMPDIR)/xl-balance \
		$(DESTDIR)$(SYSTEMDUNITDIR)/xl-balance.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/xl-balance.timer
	rm -rf $(DESTDIR)$(DATADIR)/xl-balance

# Binary packages into $(B)/packages, built from a copy of the tree (the
# tree itself gets no ./debian): libbalance1, libbalance-dev, xl-balance.
deb:
	sh packaging/build-deb.sh $(B)/packages

rpm:
	sh packaging/build-rpm.sh $(B)/packages

# The packages build, lint, install and work; the pages and completion
# match the program.  Installs its own Debian tools when missing.
check-packaging: all
	bash tests/packaging/check-packaging.sh $(B)

clean:
	rm -rf build

# Header dependencies: the library's objects are one folder deeper.
-include $(wildcard $(B)/*/*.d $(B)/lib/*/*.d)
