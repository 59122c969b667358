#!/bin/sh
# deps.sh: make sure the cross-compiler, picolibc, QEMU, cpio and e2fsprogs
# (mke2fs, for make disk) are here, and for x86-64 gcc, musl and QEMU's x86.
# As root it installs what is missing with apt-get; otherwise it prints the
# command to run and fails.
#   sh tools/deps.sh --chromium   the optional extra: Chromium, used only by
#                                 the test that looks at the trace page
#                                 (tests/test_render.py skips without it)
#   sh tools/deps.sh --gdb        gdb-multiarch, for make qemu-gdb: the
#                                 system gdb only debugs the host's own
#                                 architecture, not RISC-V
optional() {  # optional COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && exit 0
	if [ "$(id -u)" = 0 ]; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq --no-install-recommends "$2" >/dev/null &&
			command -v "$1" >/dev/null 2>&1 && exit 0
		echo "apt-get install $2 failed"
	else
		echo "run:  sudo apt-get install $2"
	fi
	exit 1
}
[ "$1" = "--chromium" ] && optional chromium chromium
[ "$1" = "--gdb" ] && optional gdb-multiarch gdb-multiarch
need=""
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || need="$need gcc-riscv64-unknown-elf"
[ -f /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs ] || need="$need picolibc-riscv64-unknown-elf"
command -v qemu-system-riscv64 >/dev/null 2>&1 || need="$need qemu-system-misc"
command -v cpio >/dev/null 2>&1 || need="$need cpio"
PATH="$PATH:/sbin:/usr/sbin" command -v mke2fs >/dev/null 2>&1 || need="$need e2fsprogs"
command -v python3 >/dev/null 2>&1 || need="$need python3"
# x86-64 (make ARCH=x86_64, and the x86 tests in every make test): the
# host's gcc for the kernel, musl for the user programs, QEMU's microvm
command -v gcc >/dev/null 2>&1 || need="$need gcc"
command -v musl-gcc >/dev/null 2>&1 || need="$need musl-tools"
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
[ -z "$need" ] && exit 0
echo "Trapdoor needs:$need"
if [ "$(id -u)" = 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $need >/dev/null || {
		echo "apt-get install failed"; exit 1; }
	echo "installed:$need"
else
	echo "run:  sudo apt-get install$need"
	exit 1
fi
