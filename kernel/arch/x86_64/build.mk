# build.mk: how to build Trapdoor for x86-64 (included by the Makefile as
# kernel/arch/$(ARCH)/build.mk): compilers, flags, linker script, QEMU.

B       := build/x86_64
CC      := gcc
OBJDUMP := objdump
QEMU    ?= qemu-system-x86_64

# The kernel runs in the top 2 GiB (-mcmodel=kernel: addresses fit a
# sign-extended 32-bit immediate).  No red zone: an interrupt pushes its
# frame right below the interrupted rsp, over anything kept there.  No
# SSE in the kernel: its registers belong to the user (saved by XSAVE only
# when a process switch needs it), so compiled code must not touch them.
KARCHFLAGS := -m64 -march=x86-64 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-mno-mmx -mno-sse -mno-sse2 -mno-avx -fno-pic -fno-pie -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer
KCFLAGS := $(KARCHFLAGS) -ffreestanding -fno-common -fno-stack-protector -fno-builtin \
	-O2 -g -Wall -Wextra -Werror -std=gnu11 -DTRAPDOOR_KERNEL \
	-Ikernel -Ikernel/arch/x86_64 -MMD -MP
KASFLAGS := $(KARCHFLAGS) -D__ASSEMBLER__ -Ikernel -Ikernel/arch/x86_64 -MMD -MP
KLDFLAGS := -nostdlib -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
KLDSCRIPT := kernel/arch/x86_64/kernel.ld

# QEMU's microvm (docs/design.md, "x86-64: the machine"): virtio-mmio as on
# RISC-V's virt, no PCI, ACPI tables for the MADT and the sleep register.
# KVM with the host's CPU when /dev/kvm opens, TCG otherwise.  Without
# arch-capabilities: on this (nested, AMD) host KVM refuses QEMU's value
# for that MSR and QEMU aborts at start.  The PIT is only for measuring
# the TSC's frequency when CPUID does not tell it (lapic.c).
, := ,
ACCEL := $(shell [ -r /dev/kvm ] && [ -w /dev/kvm ] && echo kvm || echo tcg)
QEMU_CPU := $(if $(filter kvm,$(ACCEL)),host$(,)-arch-capabilities,max)
QEMUOPTS = -machine microvm,acpi=on,rtc=on,pit=on -accel $(ACCEL) -cpu $(QEMU_CPU) \
	-smp $(CPUS) -m $(MEM) -nographic -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel $(B)/kernel.elf -initrd $(B)/initrd.cpio -append "$(ARGS)"

# User programs: static musl (h-linuxabi fills this in).
UCC := musl-gcc
