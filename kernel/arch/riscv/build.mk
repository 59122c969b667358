# build.mk: how ARCH=riscv (the default) is built: toolchain, flags, linker
# script, QEMU's machine, and the user programs' compiler and runtime.
# The Makefile includes it and adds the flags every architecture shares.

B       := build
CROSS   ?= riscv64-unknown-elf-
CC      := $(CROSS)gcc
OBJDUMP := $(CROSS)objdump
QEMU    ?= qemu-system-riscv64
# tools/deps.sh installs the cross-compiler, picolibc and QEMU if missing
DEPS    := sh tools/deps.sh

# The kernel: RV64IMAC without floating point (the kernel never touches
# the FPU but for fpuregs.S, which says so itself), no linker relaxation
# (gp is the user's, not a base register).
KARCHFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax
KASFLAGS   := -march=rv64gc -mabi=lp64 -mcmodel=medany -mno-relax
KLDSCRIPT  := kernel/arch/riscv/kernel.ld
KLDFLAGS   := -Wl,--no-relax

# User programs: RV64GC on picolibc, our own crt0 and system-call stubs.
UCC        := $(CC)
UARCHFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -specs=picolibc.specs
ULDFLAGS   := -nostartfiles -static -T user/lib/user.ld -Wl,--gc-sections
ULDDEPS    := user/lib/user.ld
ULIB       := $(B)/user/lib/crt0.o $(B)/user/lib/usys.o $(B)/user/lib/libtd.o \
	$(patsubst %.c,$(B)/%.o,$(filter-out user/lib/libtd.c,$(wildcard user/lib/*.c)))

# QEMU's virt board under OpenSBI (-bios default), the disk on virtio-mmio.
DISKOPTS = $(if $(filter none,$(DISK)),,-global virtio-mmio.force-legacy=false \
	-drive file=$(DISK),if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0)
QEMUOPTS = -machine virt -cpu rv64 -smp $(CPUS) -m $(MEM) -nographic -bios default \
	-kernel $(B)/kernel.elf -initrd $(B)/initrd.cpio -append "$(ARGS)" $(DISKOPTS)
