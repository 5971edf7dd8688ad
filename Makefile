# SPDX-License-Identifier: Apache-2.0
# hull — plain Makefile (no autotools).  `make help` lists the targets.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DESTDIR ?=

CC      ?= cc
PKG_CONFIG ?= pkg-config
VERSION := 0.1.0
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

B := build

# Libraries of the runtime (hull-oci): found with pkg-config.
RT_PKGS  := yajl libseccomp libcap
# Libraries of the image store (hull, issue 4): libarchive for layers.
IMG_PKGS := libarchive libcrypto libcurl
# Of the engine: libcgroup reads the counters `hull compare` reports (engine/usage.c).
ENG_PKGS := libcgroup

# The systemd cgroup driver's sd-bus: its header only; runtime/cgroup/systemd_lib.c loads
# libsystemd.so.0 when --systemd-cgroup is used, so the cgroupfs start path never loads it.
SD_PKGS  := libsystemd

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(RT_PKGS) $(IMG_PKGS) $(ENG_PKGS) $(SD_PKGS) 2>/dev/null)
RT_LIBS    := $(shell $(PKG_CONFIG) --libs $(RT_PKGS) 2>/dev/null)
IMG_LIBS   := $(shell $(PKG_CONFIG) --libs $(IMG_PKGS) 2>/dev/null)
ENG_LIBS   := $(shell $(PKG_CONFIG) --libs $(ENG_PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
	   -DHULL_VERSION='"$(VERSION)"' -DHULL_COMMIT='"$(GIT_COMMIT)"' \
	   -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
LDFLAGS ?=
LDFLAGS += -pie -Wl,--as-needed -Wl,-z,relro,-z,now

# lib/ is the base every folder uses.  The runtime (libhullrt.a) has the container level; the
# vm level's host side is a library of its own (libhullvm.a, linked before libhullrt.a: it
# uses the runtime's interface for levels, never the reverse) that the front ends compose
# (exit_status.c is the QEMU preload).
LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
# vm/proto/ (the host<->guest contract) is linked into both sides; the static guest init also
# takes lib/err.c (libc only) for its errors.
PROTO_SRC := $(wildcard vm/proto/*.c)
RT_SRC   := $(wildcard runtime/*.c runtime/*/*.c)
RT_OBJ   := $(RT_SRC:%.c=$(B)/%.o)
VM_SRC   := $(filter-out vm/host/exit_status.c,$(wildcard vm/host/*.c)) $(PROTO_SRC)
VM_OBJ   := $(VM_SRC:%.c=$(B)/%.o)
GUEST_SRC := $(wildcard vm/guest/*.c) $(PROTO_SRC) lib/err.c
OCI_SRC  := $(wildcard cmd/hull-oci/*.c)
OCI_OBJ  := $(OCI_SRC:%.c=$(B)/%.o)
ENG_SRC  := $(wildcard engine/*.c)
ENG_OBJ  := $(ENG_SRC:%.c=$(B)/%.o)
NET_SRC  := $(wildcard network/*.c)
NET_OBJ  := $(NET_SRC:%.c=$(B)/%.o)
IMG_SRC  := $(wildcard image/*.c)
IMG_OBJ  := $(IMG_SRC:%.c=$(B)/%.o)
HULL_SRC := $(wildcard cmd/hull/*.c)
HULL_OBJ := $(HULL_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# fuzz targets (tests/fuzz/fuzz_NAME.c): build/fuzz/fuzz_NAME with libFuzzer for `make fuzz`,
# build/tests/test_fuzz_NAME (driver.c feeds it tests/fuzz/corpus/NAME/) for `make test`
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REG_BIN := $(FUZZ_NAMES:%=$(B)/tests/test_fuzz_%)
FUZZ_BIN := $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)

BINS := $(B)/hull-oci $(B)/hull-oci-vm $(B)/hull
# The guest side: the static init, the QEMU preload, the kernel and initramfs (when a Debian
# kernel is installed: scripts/deps.sh installs linux-image-amd64).
VM_BINS := $(B)/vm/hull-guest-init $(B)/vm/hull-vm-exit.so
VM_ASSETS := $(if $(wildcard /boot/vmlinuz-*),$(B)/vm/initrd)
# the minimal kernel's initramfs follows the guest init once `make guest-kernel` has run
VM_ASSETS += $(if $(wildcard $(B)/vm/guest-kernel/vmlinux),$(B)/vm/guest-kernel/initrd)

.PHONY: all man deb vm-assets guest-kernel test-kvm deps run test test-unit test-integration fault fuzz fuzz-build fuzz-cc mutate lint format install uninstall bench clean help

# man pages in roff from docs/*.1.md (go-md2man, installed by scripts/deps.sh)
MAN_SRC  := $(wildcard docs/*.1.md)
MAN_OUT  := $(MAN_SRC:docs/%.md=$(B)/man/%)
MAN_DATE := $(shell git log -1 --format=%cs 2>/dev/null || date -u +%Y-%m-%d)
MANS     := $(if $(shell command -v go-md2man 2>/dev/null),$(MAN_OUT))

all: $(BINS) $(VM_BINS) $(VM_ASSETS) $(MANS)

man: $(MAN_OUT)

$(B)/man/%: docs/%.md scripts/man.sh
	@echo "  MAN     $@"
	@HULL_VERSION=$(VERSION) HULL_MAN_DATE=$(MAN_DATE) scripts/man.sh $< $@

vm-assets: $(B)/vm/initrd

$(B)/vm/hull-guest-init: $(GUEST_SRC) vm/guest/guest.h $(wildcard vm/proto/*.h) lib/err.h lib/exitcode.h lib/vfsflags.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	@$(CC) -static -O2 -std=gnu11 $(WARN) -D_GNU_SOURCE -I. -o $@ $(GUEST_SRC)

$(B)/vm/hull-vm-exit.so: vm/host/exit_status.c vm/host/preload.h vm/proto/status.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) -shared -fPIC -O2 -std=gnu11 $(WARN) -D_GNU_SOURCE -I. -o $@ $<

# vmlinux (PVH, uncompressed) and the base initramfs; the kernel is Debian's newest installed.
$(B)/vm/initrd: $(B)/vm/hull-guest-init scripts/vm-assets.sh
	@echo "  GEN     $(B)/vm/vmlinux $(B)/vm/initrd"
	@scripts/vm-assets.sh $(B)/vm/hull-guest-init $(B)/vm

# the minimal guest kernel (vm/kernel/hull.config on tinyconfig, from linux-source-6.1): hull
# boots it instead of Debian's once it is there
guest-kernel: $(B)/vm/hull-guest-init
	@scripts/guest-kernel.sh $(B)/vm/hull-guest-init $(B)/vm/guest-kernel

$(B)/vm/guest-kernel/initrd: $(B)/vm/hull-guest-init scripts/guest-kernel.sh
	@echo "  GEN     $@"
	@scripts/guest-kernel.sh --initrd $(B)/vm/hull-guest-init $(B)/vm/guest-kernel

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libhull.a: $(LIB_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

$(B)/libhullrt.a: $(RT_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

$(B)/libhullvm.a: $(VM_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

$(B)/hull-oci: $(OCI_OBJ) $(B)/libhullvm.a $(B)/libhullrt.a $(B)/libhull.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(OCI_OBJ) $(B)/libhullvm.a $(B)/libhullrt.a $(B)/libhull.a $(RT_LIBS)

$(B)/libhullengine.a: $(ENG_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

$(B)/libhullimg.a: $(IMG_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

$(B)/libhullnet.a: $(NET_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

$(B)/hull: $(HULL_OBJ) $(B)/libhullengine.a $(B)/libhullnet.a $(B)/libhullimg.a $(B)/libhullvm.a $(B)/libhullrt.a $(B)/libhull.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(HULL_OBJ) $(B)/libhullengine.a $(B)/libhullnet.a $(B)/libhullimg.a $(B)/libhullvm.a $(B)/libhullrt.a $(B)/libhull.a $(RT_LIBS) $(IMG_LIBS) $(ENG_LIBS) -lm

# hull-oci-vm picks the vm isolation level by the name it is invoked with.
$(B)/hull-oci-vm: $(B)/hull-oci
	@ln -sf hull-oci $@

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libhullengine.a $(B)/libhullnet.a $(B)/libhullimg.a $(B)/libhullvm.a $(B)/libhullrt.a $(B)/libhull.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(B)/libhullengine.a $(B)/libhullnet.a $(B)/libhullimg.a $(B)/libhullvm.a $(B)/libhullrt.a $(B)/libhull.a $(RT_LIBS) $(IMG_LIBS) $(ENG_LIBS) -lm

# a fuzz target run once on each file of its seed corpus (tests/fuzz/driver.c)
$(B)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c tests/fuzz/fuzz.h $(B)/libhullnet.a $(B)/libhullimg.a $(B)/libhullvm.a $(B)/libhullrt.a $(B)/libhull.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -DFUZZ_NAME='"$*"' -MMD -MP $(LDFLAGS) -o $@ $< tests/fuzz/driver.c $(B)/libhullnet.a $(B)/libhullimg.a $(B)/libhullvm.a $(B)/libhullrt.a $(B)/libhull.a $(RT_LIBS) $(IMG_LIBS)

# `make fuzz`: every target under libFuzzer with ASan and UBSan for FUZZ_SECONDS each, one at a
# time, on a copy of its corpus (tests/fuzz/run.sh).  Needs clang and libclang-rt-14-dev.  The
# libraries are compiled again with clang into build/fuzz/ (coverage for the fuzzer); no
# -Werror there: clang's warnings are not the build's.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
	       -DHULL_VERSION='"$(VERSION)"' -DHULL_COMMIT='"$(GIT_COMMIT)"' $(FUZZ_SAN)
FUZZ_LIB_OBJ := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(LIB_SRC) $(RT_SRC) $(IMG_SRC) $(NET_SRC) $(PROTO_SRC))

fuzz-cc:
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs clang and libFuzzer: apt-get install clang libclang-rt-14-dev" >&2; exit 1; }

$(B)/fuzz/obj/%.o: %.c | fuzz-cc
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fuzz)"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(B)/fuzz/libhullfuzz.a: $(FUZZ_LIB_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/fuzz/libhullfuzz.a
	@echo "  CC      $< (libFuzzer)"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -Werror -Wno-unused-parameter -fsanitize=fuzzer -MMD -MP \
		-o $@ $< $(B)/fuzz/libhullfuzz.a $(RT_LIBS) $(IMG_LIBS) -lm

fuzz-build: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

# what `hull run` will do with an image, for the integration tests (tests/data/imgbundle.c)
$(B)/tests/imgbundle: tests/data/imgbundle.c $(B)/libhullengine.a $(B)/libhullnet.a $(B)/libhullimg.a $(B)/libhullrt.a $(B)/libhull.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libhullengine.a $(B)/libhullnet.a $(B)/libhullimg.a $(B)/libhullrt.a $(B)/libhull.a $(RT_LIBS) $(IMG_LIBS) $(ENG_LIBS) -lm

# bench/unpack.sh: one stored layer unpacked by hull_layer_unpack, as load and pull do
$(B)/bench/unpack-layer: bench/unpack-layer.c $(B)/libhullimg.a $(B)/libhullrt.a $(B)/libhull.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libhullimg.a $(B)/libhullrt.a $(B)/libhull.a $(RT_LIBS) $(IMG_LIBS)

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-sample.sh

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(FUZZ_REG_BIN) $(B)/tests/imgbundle
	@tests/run.sh

test-unit: $(UNIT_BIN) $(FUZZ_REG_BIN)
	@tests/run.sh unit

test-integration: all $(B)/tests/imgbundle
	@tests/run.sh integration

# one VM test under -accel kvm, in a TCG guest with nested KVM (slow: minutes)
test-kvm: deps all
	@HULL_TEST_KVM=1 HULL_TEST_TIMEOUT=$${HULL_TEST_TIMEOUT:-900} tests/run.sh integration nested_kvm

# mutation testing of the tests (scripts/mutate.py): one fault at a time in FILES (default:
# every file of tests/mutate/map.txt), built and tested in a scratch copy under /tmp; bounded
# by MUTATE_MAX mutants and MUTATE_SECONDS, chosen by MUTATE_SEED.  Not part of `make test`.
mutate: all
	@nice -n 10 python3 scripts/mutate.py $(if $(FILES),--files "$(FILES)")

bench: deps all
	@bench/run.sh

# kill -9 at random moments, then delete --force / rm -f must leave nothing (tests/fault.py);
# `make test` runs a short smoke of it (test_fault_injection_smoke)
FAULT_ITERATIONS ?= 200
fault: deps all
	@tests/fault.py --iterations $(FAULT_ITERATIONS) $(if $(FAULT_SEED),--seed $(FAULT_SEED))

SRC_ALL := $(wildcard lib/*.[ch] runtime/*.[ch] runtime/*/*.[ch] cmd/*/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/data/imgbundle.c engine/*.[ch] vm/*.[ch] vm/*/*.[ch] image/*.[ch] network/*.[ch])
lint:
	clang-format --dry-run --Werror $(SRC_ALL)
	scripts/check-headers.sh
	scripts/check-spdx.sh
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--inline-suppr --suppress=missingIncludeSystem -D__GNUC__ -I. \
		lib runtime engine image network cmd tests/unit tests/fuzz vm

format:
	clang-format -i $(SRC_ALL)

DOCDIR  ?= $(PREFIX)/share/doc/hull

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(B)/hull-oci $(DESTDIR)$(BINDIR)/hull-oci
	install -m 0755 $(B)/hull $(DESTDIR)$(BINDIR)/hull
	ln -sf hull-oci $(DESTDIR)$(BINDIR)/hull-oci-vm
	install -d $(DESTDIR)$(PREFIX)/lib/hull/vm
	install -m 0644 $(B)/vm/hull-vm-exit.so $(wildcard $(B)/vm/vmlinux $(B)/vm/initrd) \
		$(DESTDIR)$(PREFIX)/lib/hull/vm/
	$(if $(wildcard $(B)/vm/guest-kernel/vmlinux),install -d $(DESTDIR)$(PREFIX)/lib/hull/vm/guest-kernel && \
		install -m 0644 $(addprefix $(B)/vm/guest-kernel/,vmlinux vmlinux.boot initrd kernel-version) \
		$(DESTDIR)$(PREFIX)/lib/hull/vm/guest-kernel/)
	install -m 0644 README.md $(filter-out docs/README.md,$(wildcard docs/*.md)) $(DESTDIR)$(DOCDIR)/
	$(if $(MANS),install -d $(DESTDIR)$(PREFIX)/share/man/man1 && \
		install -m 0644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/)
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 scripts/completion/hull scripts/completion/hull-oci \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	ln -sf hull-oci $(DESTDIR)$(PREFIX)/share/bash-completion/completions/hull-oci-vm

# a .deb from the install rule (scripts/deb.sh): build/hull_VERSION_ARCH.deb
deb: all
	@scripts/deb.sh $(VERSION) $(B)/hull_$(VERSION)_$(shell dpkg --print-architecture).deb

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hull-oci $(DESTDIR)$(BINDIR)/hull-oci-vm $(DESTDIR)$(BINDIR)/hull
	rm -rf $(DESTDIR)$(PREFIX)/lib/hull
	rm -rf $(DESTDIR)$(DOCDIR)
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(MAN_OUT)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/bash-completion/completions/,hull hull-oci hull-oci-vm)

clean:
	rm -rf $(B)

help:
	@echo "make            build hull, hull-oci (and hull-oci-vm) into $(B)/"
	@echo "make run        install missing Debian packages, build, run a sample container"
	@echo "make test       install missing Debian packages, build, run the whole test suite"
	@echo "make vm-assets  the guest kernel (PVH vmlinux) and initramfs into $(B)/vm/"
	@echo "make guest-kernel  a minimal guest kernel from linux-source-6.1 into $(B)/vm/guest-kernel/"
	@echo "make test-kvm   one VM test under KVM, nested in a TCG guest (slow)"
	@echo "make fuzz       each fuzz target under libFuzzer for FUZZ_SECONDS (default $(FUZZ_SECONDS)) s"
	@echo "make mutate     mutation testing of the tests (FILES=..., MUTATE_MAX, MUTATE_SECONDS, MUTATE_SEED)"
	@echo "make lint       clang-format check and cppcheck"
	@echo "make bench      benchmarks against crun and runc"
	@echo "make fault      kill -9 at random moments, check clean-up leaves nothing (FAULT_ITERATIONS=200, FAULT_SEED)"
	@echo "make install    install into \$$DESTDIR\$$PREFIX (PREFIX=$(PREFIX))"

-include $(LIB_OBJ:.o=.d) $(RT_OBJ:.o=.d) $(VM_OBJ:.o=.d) $(OCI_OBJ:.o=.d) $(ENG_OBJ:.o=.d) $(NET_OBJ:.o=.d) $(IMG_OBJ:.o=.d) $(HULL_OBJ:.o=.d)
# unit tests that compile a guest file in (test_vm_security.c) rebuild when it changes
-include $(UNIT_BIN:=.d) $(FUZZ_REG_BIN:=.d) $(FUZZ_BIN:=.d) $(FUZZ_LIB_OBJ:.o=.d)
