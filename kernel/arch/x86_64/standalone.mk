# standalone.mk: builds the x86-64 bring-up kernel from kernel/arch/x86_64
# alone (make -f kernel/arch/x86_64/standalone.mk), until the portable
# kernel links for x86-64 through the Makefile's ARCH=x86_64.
include kernel/arch/x86_64/build.mk
CPUS ?= 1
MEM ?= 128M
ARGS ?=
# Only the files that do not need the portable kernel (kernel.h).
XSRC := $(shell grep -L "include \"kernel.h\"" kernel/arch/x86_64/*.c)
XASM := $(filter-out %/swtch.S %/uaccess.S,$(wildcard kernel/arch/x86_64/*.S))
XOBJ := $(patsubst %.c,$(B)/%.o,$(XSRC)) $(patsubst %.S,$(B)/%.o,$(XASM))

$(B)/kernel/%.o: kernel/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@
$(B)/kernel/%.o: kernel/%.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -c $< -o $@
$(B)/kernel.elf: $(XOBJ) $(KLDSCRIPT)
	$(CC) $(KCFLAGS) $(KLDFLAGS) -T $(KLDSCRIPT) -o $@ $(XOBJ)
$(B)/initrd.cpio:
	@mkdir -p $(B)/rootfs
	cd $(B)/rootfs && find . -mindepth 1 | cpio --quiet -o -H newc -R 0:0 > ../initrd.cpio
all: $(B)/kernel.elf $(B)/initrd.cpio
run: all
	$(QEMU) $(QEMUOPTS)
.DEFAULT_GOAL := all
-include $(shell find $(B) -name '*.d' 2>/dev/null)
