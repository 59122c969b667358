# user/arch/x86_64/user.mk: the user programs for x86-64, linked statically
# with musl from the same sources as RISC-V's (make ARCH=x86_64, or x86-user).
#
# The Makefile includes this with UXB, the x86-64 build directory
# (build/x86_64).  Programs about the machine itself (privileged
# instructions, kernel memory, the register test, RISC-V's own threads and
# code patching) are left out here; a version of one for x86-64 goes in
# user/arch/x86_64/bin/ or tests/ under the same name.

MUSLCC ?= musl-gcc
UXB ?= build/x86_64
UX_CFLAGS := -static -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	-Iuser/arch/x86_64/include -I$(UXB)/include -Iinclude -MMD -MP
UX_MACHINE := bin/priv bin/kmem bin/bench tests/regtest tests/proctest tests/threadk tests/mmaptest tests/pthreadtest
# and, to do: the fuzzer's table of calls it must not make is by RISC-V's
# numbering (x86-64 has Linux's forms of open, exit, ... at other numbers)
UX_MACHINE += tests/fuzz
UX_OWN := $(patsubst user/arch/x86_64/%.c,%,$(wildcard user/arch/x86_64/bin/*.c user/arch/x86_64/tests/*.c))
UX_PROGS := $(filter-out $(UX_MACHINE) $(UX_OWN),$(patsubst user/%.c,%,$(wildcard user/bin/*.c user/tests/*.c))) $(UX_OWN)
UX_LIB := $(UXB)/user/arch/x86_64/lib/libtd.o $(UXB)/user/lib/targets.o
UX_ETC := $(patsubst user/etc/%,$(UXB)/rootfs/etc/%,$(wildcard user/etc/*))

# SYS_spawn, SYS_procinfo, ...: Trapdoor's own numbers, from the one list
$(UXB)/include/trapdoor/sysnum_x86_64.h: include/trapdoor/syscalls.h tools/syscalls.py
	@mkdir -p $(dir $@)
	python3 tools/syscalls.py x86-header > $@

$(UXB)/user/arch/x86_64/%.o: user/arch/x86_64/%.c $(UXB)/include/trapdoor/sysnum_x86_64.h
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -c $< -o $@
$(UXB)/user/%.o: user/%.c $(UXB)/include/trapdoor/sysnum_x86_64.h
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -c $< -o $@

$(UXB)/rootfs/bin/%: $(UXB)/user/bin/%.o $(UX_LIB)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -o $@ $< $(UX_LIB)
$(UXB)/rootfs/test/%: $(UXB)/user/tests/%.o $(UX_LIB)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -o $@ $< $(UX_LIB)
$(UXB)/rootfs/bin/%: $(UXB)/user/arch/x86_64/bin/%.o $(UX_LIB)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -o $@ $< $(UX_LIB)
$(UXB)/rootfs/test/%: $(UXB)/user/arch/x86_64/tests/%.o $(UX_LIB)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UX_CFLAGS) -o $@ $< $(UX_LIB)
$(UXB)/rootfs/etc/%: user/etc/%
	@mkdir -p $(dir $@)
	cp $< $@

UX_ROOT := $(patsubst bin/%,$(UXB)/rootfs/bin/%,$(patsubst tests/%,$(UXB)/rootfs/test/%,$(UX_PROGS))) $(UX_ETC)
$(UXB)/initrd.cpio: $(UX_ROOT)
	cd $(UXB)/rootfs && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 > ../initrd.cpio

x86-user: $(UXB)/initrd.cpio
.PHONY: x86-user
