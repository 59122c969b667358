# standalone.mk: builds the x86-64 kernel (the portable kernel/*.c and
# kernel/arch/x86_64) with make -f kernel/arch/x86_64/standalone.mk, until
# the Makefile's ARCH=x86_64 skeleton includes build.mk itself.
include kernel/arch/x86_64/build.mk
CPUS ?= 1
MEM ?= 128M
ARGS ?=
XSRC := $(wildcard kernel/*.c kernel/arch/x86_64/*.c)
XASM := $(wildcard kernel/arch/x86_64/*.S)
XOBJ := $(patsubst %.c,$(B)/%.o,$(XSRC)) $(patsubst %.S,$(B)/%.o,$(XASM))

$(B)/kernel/%.o: kernel/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@
$(B)/kernel/%.o: kernel/%.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -c $< -o $@
$(B)/kernel.elf: $(XOBJ) $(KLDSCRIPT)
	$(CC) $(KCFLAGS) $(KLDFLAGS) -T $(KLDSCRIPT) -o $@ $(XOBJ)
$(B)/initrd.cpio: FORCE
	@mkdir -p $(B)/rootfs
	cd $(B)/rootfs && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 > ../initrd.cpio
all: $(B)/kernel.elf $(B)/initrd.cpio
run: all
	$(QEMU) $(QEMUOPTS)
.PHONY: all run FORCE
.DEFAULT_GOAL := all
-include $(shell find $(B) -name '*.d' 2>/dev/null)
