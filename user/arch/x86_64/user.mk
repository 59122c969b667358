# user/arch/x86_64/user.mk: the user programs for x86-64, linked statically
# with musl from the same sources as RISC-V's (make ARCH=x86_64, or x86-user).
#
# The Makefile includes this before its own user-program rules, whatever
# ARCH is: these rules make build/x86_64/... only.  With ARCH=x86_64
# (B = build/x86_64) they come first, so they are the ones used, and the
# Makefile's UBIN, UTEST and ULIB become this file's.  Programs about the
# machine itself have an x86-64 version in user/arch/x86_64/bin/ or
# tests/ under the same name (priv, kmem, bench, regtest), which takes the
# place of the common one.  A portable test asks uarch.h or memlayout.h
# (and pthreadtest uthread.h) for what differs: each architecture has its own.

MUSLCC ?= musl-gcc
UXB := build/x86_64
UX_CFLAGS := -static -fno-pie -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	-Iuser/arch/x86_64/include -I$(UXB)/include -Iinclude -MMD -MP
UX_MACHINE :=
UX_OWN := $(patsubst user/arch/x86_64/%.c,%,$(wildcard user/arch/x86_64/bin/*.c user/arch/x86_64/tests/*.c))
UX_PROGS := $(filter-out $(UX_MACHINE) $(UX_OWN),$(patsubst user/%.c,%,$(wildcard user/bin/*.c user/tests/*.c))) $(UX_OWN)
UX_BIN := $(patsubst bin/%,$(UXB)/rootfs/bin/%,$(filter bin/%,$(UX_PROGS)))
UX_TEST := $(patsubst tests/%,$(UXB)/rootfs/test/%,$(filter tests/%,$(UX_PROGS)))
UX_LIB := $(UXB)/user/arch/x86_64/lib/libtd.o $(UXB)/user/lib/targets.o
UX_ETC := $(patsubst user/etc/%,$(UXB)/rootfs/etc/%,$(wildcard user/etc/*))
UX_HDR := $(UXB)/include/trapdoor/sysnum_x86_64.h

# SYS_spawn, SYS_procinfo, ...: Trapdoor's own numbers, from the one list
$(UX_HDR): include/trapdoor/syscalls.h tools/syscalls.py
	@mkdir -p $(dir $@)
	python3 tools/syscalls.py x86-header > $@

# One rule per source directory: a shorter stem than the Makefile's
# $(B)/user/%.o, so make takes these for the same objects with ARCH=x86_64.
define UX_COMPILE
$(UXB)/user/$(1)/%.o: user/$(1)/%.c $(UX_HDR)
	@mkdir -p $$(dir $$@)
	$(MUSLCC) $(UX_CFLAGS) -c $$< -o $$@
endef
$(foreach d,bin tests lib arch/x86_64/bin arch/x86_64/tests arch/x86_64/lib,$(eval $(call UX_COMPILE,$(d))))

# an x86-64 version of a program first, then the common source
$(UXB)/rootfs/bin/%: $(UXB)/user/arch/x86_64/bin/%.o $(UX_LIB)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -o $@ $< $(UX_LIB)
$(UXB)/rootfs/test/%: $(UXB)/user/arch/x86_64/tests/%.o $(UX_LIB)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -o $@ $< $(UX_LIB)
$(UXB)/rootfs/bin/%: $(UXB)/user/bin/%.o $(UX_LIB)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -o $@ $< $(UX_LIB)
$(UXB)/rootfs/test/%: $(UXB)/user/tests/%.o $(UX_LIB)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -o $@ $< $(UX_LIB)
$(UXB)/rootfs/etc/%: user/etc/%
	@mkdir -p $(dir $@)
	cp $< $@

ifeq ($(ARCH),x86_64)
UBIN := $(UX_BIN)
UTEST := $(UX_TEST)
UETC := $(UX_ETC)
ULIB := $(UX_LIB)
UCFLAGS := $(UX_CFLAGS) # the docs' programs (the Makefile's $(B)/scratch/%) too
ULDDEPS := $(UX_HDR)
x86-user: $(UXB)/initrd.cpio
else
x86-user: $(UX_BIN) $(UX_TEST) $(UX_ETC)
	cd $(UXB)/rootfs && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 > ../initrd.cpio
endif
.PHONY: x86-user
