# Trapdoor: `make run` boots to a shell, `make test` runs the test suite.
# Knobs: CPUS=1..4  MEM=128M  ARGS="tick=10ms slice=1 sched=coop trace=syscall"
#        DISK=build/disk.img (made on first use, kept between runs) or DISK=none
#        ARCH=riscv (the default) or another directory of kernel/arch/
# `make qemu-gdb` (or `make gdb`) starts QEMU waiting for gdb-multiarch.

ARCH    ?= riscv
CPUS    ?= 1
MEM     ?= 128M
ARGS    ?=

# The architecture's kernel/arch/$(ARCH)/build.mk names the toolchain and
# its flags, the linker script, QEMU and its options, the user programs'
# compiler, flags and runtime (ULIB), and the build directory B.
ARCHES  := $(notdir $(wildcard kernel/arch/*))
ifeq ($(wildcard kernel/arch/$(ARCH)/build.mk),)
$(error ARCH=$(ARCH): no kernel/arch/$(ARCH)/build.mk, so no such architecture here (there is: $(foreach a,$(ARCHES),$(if $(wildcard kernel/arch/$(a)/build.mk),$(a)))))
endif
include kernel/arch/$(ARCH)/build.mk

# --- kernel -------------------------------------------------------------
# The portable kernel (kernel/*.c) and one architecture's files: the
# portable code sees the architecture only through kernel/arch.h, which
# includes the architecture's machine.h.
KCFLAGS := $(KARCHFLAGS) -ffreestanding -fno-common -fno-stack-protector -fno-pie \
	-O2 -g -Wall -Wextra -Werror -std=gnu11 -DTRAPDOOR_KERNEL -Ikernel -Ikernel/arch/$(ARCH) -MMD -MP
KASFLAGS += -Ikernel -Ikernel/arch/$(ARCH) -MMD -MP
KSRC := $(wildcard kernel/*.c kernel/arch/$(ARCH)/*.c)
KASM := $(wildcard kernel/arch/$(ARCH)/*.S)
KOBJ := $(patsubst %.c,$(B)/%.o,$(KSRC)) $(patsubst %.S,$(B)/%.o,$(KASM))

$(B)/kernel/%.o: kernel/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@
$(B)/kernel/%.o: kernel/%.S | deps
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -c $< -o $@

$(B)/kernel.elf: $(KOBJ) $(KLDSCRIPT)
	$(CC) $(KCFLAGS) -nostdlib -T $(KLDSCRIPT) $(KLDFLAGS) -o $@ $(KOBJ)
	$(OBJDUMP) -S $@ > $(B)/kernel.asm

# --- user programs ------------------------------------------------------
UCFLAGS := $(UARCHFLAGS) -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iuser/include -Iinclude -MMD -MP

$(B)/user/%.o: user/%.c | deps
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) -c $< -o $@
$(B)/user/%.o: user/%.S | deps
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) -c $< -o $@

# Every .c in user/bin becomes /bin/NAME, every .c in user/tests /test/NAME.
UBIN  := $(patsubst user/bin/%.c,$(B)/rootfs/bin/%,$(wildcard user/bin/*.c))
UTEST := $(patsubst user/tests/%.c,$(B)/rootfs/test/%,$(wildcard user/tests/*.c))
UETC  := $(patsubst user/etc/%,$(B)/rootfs/etc/%,$(wildcard user/etc/*))

# x86-64's user programs, on musl: with ARCH=x86_64 they are UBIN and
# UTEST, and its rules (before the ones below) win; from any ARCH,
# `make x86-user` builds build/x86_64/initrd.cpio.
include user/arch/x86_64/user.mk

$(B)/rootfs/bin/%: $(B)/user/bin/%.o $(ULIB) $(ULDDEPS)
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) $(ULDFLAGS) -o $@ $< $(ULIB)
$(B)/rootfs/test/%: $(B)/user/tests/%.o $(ULIB) $(ULDDEPS)
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) $(ULDFLAGS) -o $@ $< $(ULIB)
# A program outside the tree, built exactly like /bin/NAME: tests/test_docs.py
# drops the README's and the tour's programs in $(B)/scratch/ and makes them.
$(B)/scratch/%: $(B)/scratch/%.c $(ULIB) $(ULDDEPS)
	$(UCC) $(UCFLAGS) -c $< -o $@.o
	$(UCC) $(UCFLAGS) $(ULDFLAGS) -o $@ $@.o $(ULIB)
$(B)/rootfs/etc/%: user/etc/%
	@mkdir -p $(dir $@)
	cp $< $@

# xv6 user programs compile unchanged against user/xv6/ (its kernel/*.h and
# user/user.h; the machine's part in user/xv6/arch/$(ARCH)/machine.h);
# every .c in user/xv6bin becomes /xv6/NAME.
XV6CFLAGS := $(UARCHFLAGS) -O2 -g -fno-builtin -Wall -Werror -Wno-main \
	-Iuser/xv6 -Iuser/xv6/arch/$(ARCH) -include user/xv6/compat.h
UXV6 ?= $(patsubst user/xv6bin/%.c,$(B)/rootfs/xv6/%,$(wildcard user/xv6bin/*.c))
$(B)/user/xv6bin/%.o: user/xv6bin/%.c user/xv6/compat.h $(wildcard user/xv6/*/*.h user/xv6/arch/$(ARCH)/*.h) | deps
	@mkdir -p $(dir $@)
	$(UCC) $(XV6CFLAGS) -c $< -o $@
$(B)/rootfs/xv6/%: $(B)/user/xv6bin/%.o $(B)/user/xv6/ulib.o $(ULIB) $(ULDDEPS)
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) $(ULDFLAGS) -o $@ $< $(B)/user/xv6/ulib.o $(ULIB)

# xv6-riscv's own programs, from an xv6 checkout outside this repository
# (make xv6 XV6=/path/to/xv6-riscv, see docs/xv6.md): built unmodified
# into build/xv6/, never into the tree, and booted with an initramfs of
# their own (build/xv6/initrd.cpio: build/rootfs plus /xv6/NAME).
XV6 ?=
XV6PROGS ?= usertests forktest zombie stressfs grind sh ls cat grep wc echo ln mkdir rm kill
# build/xv6/.src names the tree built last: another tree rebuilds everything
ifneq ($(XV6),)
$(shell mkdir -p $(B)/xv6; [ "$$(cat $(B)/xv6/.src 2>/dev/null)" = "$(abspath $(XV6))" ] || echo "$(abspath $(XV6))" > $(B)/xv6/.src)
endif
$(B)/xv6/obj/%.o: $(XV6)/user/%.c $(B)/xv6/.src user/xv6/compat.h $(wildcard user/xv6/*/*.h user/xv6/arch/$(ARCH)/*.h) | deps
	@mkdir -p $(dir $@)
	$(UCC) $(XV6CFLAGS) -c $< -o $@
$(B)/xv6/root/xv6/%: $(B)/xv6/obj/%.o $(B)/user/xv6/ulib.o $(ULIB) $(ULDDEPS)
	@mkdir -p $(dir $@)
	$(UCC) $(UCFLAGS) $(ULDFLAGS) -o $@ $< $(B)/user/xv6/ulib.o $(ULIB)
# As on xv6's disk, / holds echo and cat (usertests and grind exec "echo"
# and "/cat"), README and init (usertests reads them as any file).
$(B)/xv6/initrd.cpio: Makefile $(B)/initrd.cpio $(patsubst %,$(B)/xv6/root/xv6/%,$(XV6PROGS))
	@test -n "$(XV6)" || { echo "make xv6: set XV6=/path/to/xv6-riscv"; exit 1; }
	cp -a $(B)/rootfs/. $(B)/xv6/root/
	cp $(B)/xv6/root/xv6/cat $(B)/xv6/root/xv6/echo $(B)/xv6/root/
	cp $(B)/xv6/root/xv6/sh $(B)/xv6/root/init
	if [ -f $(XV6)/README ]; then cp $(XV6)/README $(B)/xv6/root/; else cp README.md $(B)/xv6/root/README; fi
	cd $(B)/xv6/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 > ../initrd.cpio
xv6-build: $(B)/kernel.elf $(B)/xv6/initrd.cpio

# make xv6 XV6=/path/to/xv6-riscv [CPUS=4] [XV6TESTS="copyin sbrkbasic"]
xv6: all
	TRAPDOOR_ARCH=$(ARCH) python3 tools/xv6run.py --xv6 "$(XV6)" --cpus $(CPUS) --mem $(MEM) $(XV6TESTS)

# The initramfs: a cpio -H newc archive of build/rootfs, owned by root,
# each file's data page-aligned (tools/mkinitrd.py: taken in place at boot).
$(B)/initrd.cpio: $(UBIN) $(UTEST) $(UETC) $(UXV6) tools/mkinitrd.py
	python3 tools/mkinitrd.py $(B)/rootfs $@

all: $(B)/kernel.elf $(B)/initrd.cpio
.DEFAULT_GOAL := all

# --- the disk -----------------------------------------------------------
# An ext2 (revision 1) image of the root tree, made by the host's e2fsprogs
# with the cache's block size.  `make disk` makes a fresh one; `make run`
# makes it only if it is missing, so what the guest wrote stays.
DISK      ?= $(B)/disk.img
DISK_SIZE ?= 64M
$(B)/disk.img: | $(B)/initrd.cpio
	@sh tools/deps.sh
	PATH="$$PATH:/sbin:/usr/sbin" mke2fs -q -F -t ext2 -r 1 -b 4096 -d $(B)/rootfs $@ $(DISK_SIZE)
disk: $(B)/initrd.cpio
	rm -f $(B)/disk.img
	$(MAKE) $(B)/disk.img

# --- running ------------------------------------------------------------
# QEMUOPTS and DISKOPTS: the architecture's build.mk.
run: all $(if $(filter none,$(DISK)),,$(DISK))
	@$(or $(RUNNOTE),true)
	$(QEMU) $(QEMUOPTS)

# make qemu-gdb (or make gdb): QEMU halted at reset, its gdb stub on this
# user's port; then `gdb-multiarch -nx -x .gdbinit` in another terminal.
# PROG=NAME also loads /bin/NAME's symbols.  GDBPORT=N picks the port.
GDBPORT ?= $(shell expr `id -u` % 5000 + 25000)
GDBINIT ?= .gdbinit
$(GDBINIT): .gdbinit.tmpl FORCE
	@mkdir -p $(dir $@)
	@sed -e 's/@GDBPORT@/$(GDBPORT)/' .gdbinit.tmpl > $@
	@$(if $(PROG),echo 'usersyms $(PROG)' >> $@,true)
qemu-gdb gdb: all $(GDBINIT) $(if $(filter none,$(DISK)),,$(DISK))
	@sh tools/deps.sh --gdb
	@echo "*** QEMU waits for gdb on port $(GDBPORT). In another terminal:  gdb-multiarch -nx -x $(GDBINIT)" 1>&2
	$(QEMU) $(QEMUOPTS) -S -gdb tcp:127.0.0.1:$(GDBPORT)

# make test [T=substring] [ROOT=disk: every guest's root on an ext2 image]
# [ARCH=x86_64: the x86-64 guest, under KVM or TCG as tools/guest.py says; ACCEL=kvm|tcg]
test: all
	$(if $(filter command line environment,$(origin ACCEL)),ACCEL=$(ACCEL)) \
	python3 tools/test.py --arch $(ARCH) $(if $(T),-k "$(T)") $(if $(ROOT),--root $(ROOT))

# ARCH=x86_64: the same static musl binary on this host's Linux and in
# Trapdoor, side by side in TSC cycles (tools/bench_x86.py; QUICK=1: few samples)
bench: all
	$(if $(filter x86_64,$(ARCH)),python3 tools/bench_x86.py $(if $(QUICK),--quick),python3 tools/bench.py $(if $(ICOUNT),--icount $(ICOUNT)))

# make trace CMD="spin 1 & echo hi" [CPUS=2] [ARGS="tick=100ms"] [OUT=docs/run] [NAME=run]
# [ARCH=x86_64: the x86-64 guest, its files in build/x86_64/trace/]
# The disk is attached as for make run (DISK=none: without one), so
# CMD="spin 1 & dd if=/dev/vda of=/dev/null bs=4096 count=1 skip=3000"
# records a read that blocks on the disk.
trace: all $(if $(filter none,$(DISK)),,$(DISK))
	python3 tools/trace.py --arch $(ARCH) --cmd "$(CMD)" --cpus $(CPUS) $(if $(ARGS),--args "$(ARGS)") $(if $(OUT),--out $(OUT)) \
		$(if $(NAME),--name $(NAME)) $(if $(filter none,$(DISK)),,--disk $(DISK)) --png

compile_commands.json: clean
	bear -- $(MAKE) all

clean:
	rm -rf $(B)

# --- dependencies: install what is missing (apt-get as root) ------------
deps: $(B)/.deps-ok
$(B)/.deps-ok:
	@$(DEPS)
	@mkdir -p $(B) && touch $@

.PHONY: all run disk gdb qemu-gdb test bench trace clean deps xv6 xv6-build FORCE
.SECONDARY:
# (build/ holds the other architectures' build directories too: not theirs)
-include $(shell find $(B) -name '*.d' $(foreach a,$(filter-out $(ARCH),$(ARCHES)),-not -path 'build/$(a)/*') 2>/dev/null)
