# build.mk: how ARCH=x86_64 is built: the host's gcc, the kernel's flags,
# linker script, QEMU's microvm machine, the user programs' compiler.
# The Makefile includes it and adds the flags every architecture shares.

B       := build/x86_64
CC      := gcc
OBJDUMP := objdump
QEMU    ?= qemu-system-x86_64
DEPS    := sh tools/deps.sh

# The kernel runs in the top 2 GiB (-mcmodel=kernel: addresses fit a
# sign-extended 32-bit immediate).  No red zone: an interrupt pushes its
# frame right below the interrupted rsp, over anything kept there.  No
# SSE or x87 in the kernel: those registers are the user's, saved only
# when a switch needs it (fpu.c), so compiled code must never touch them.
# No CET notes, no unwind tables: nothing here reads them.
KARCHFLAGS := -m64 -march=x86-64 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-mno-mmx -mno-sse -mno-sse2 -mno-avx -fno-pic -fcf-protection=none \
	-fno-asynchronous-unwind-tables
KASFLAGS   := -m64 -march=x86-64
KLDSCRIPT  := kernel/arch/x86_64/kernel.ld
KLDFLAGS   := -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack \
	-Wl,--no-warn-rwx-segments

# User programs: static musl (h-linuxabi's part: Linux's system calls).
UCC        := musl-gcc
UARCHFLAGS := -static -fno-pie
ULDFLAGS   := -static -no-pie
ULDDEPS    :=
ULIB       :=

# QEMU's microvm (docs/design.md, "x86-64: the machine"): virtio-mmio as
# on RISC-V's virt, no PCI, ACPI tables for the MADT and the power-off
# register, isa-debug-exit for a failing power-off's exit status.  KVM
# with the host's CPU or TCG: tools/guest.py's accel() chooses (KVM when
# /dev/kvm opens, but TCG on kvm-pvm, where KVM is nested and the guest
# kernel emulated, ~100x slower); ACCEL=kvm|tcg overrides.  Without
# arch-capabilities: this host's KVM refuses QEMU's value for that MSR
# and QEMU aborts at start.  The PIT only measures the TSC's rate when
# CPUID does not tell it (lapic.c).
, := ,
# make run says why when the choice is TCG on a host with KVM
RUNNOTE  := $(if $(filter default undefined,$(origin ACCEL)),python3 tools/guest.py accel >/dev/null,true)
ACCEL    ?= $(shell python3 tools/guest.py accel 2>/dev/null)
QEMU_CPU := $(if $(filter kvm,$(ACCEL)),host$(,)-arch-capabilities,max)
DISKOPTS = $(if $(filter none,$(DISK)),,-global virtio-mmio.force-legacy=false \
	-drive file=$(DISK),if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0)
QEMUOPTS = -machine microvm,acpi=on,rtc=on,pit=on -accel $(ACCEL) -cpu $(QEMU_CPU) \
	-smp $(CPUS) -m $(MEM) -nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel $(B)/kernel.elf -initrd $(B)/initrd.cpio -append "$(ARGS)" $(DISKOPTS)
