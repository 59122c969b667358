/* usys.S: one stub per system call, generated from syscalls.h.
 * Number in a7, arguments already in a0..a5 (the C calling convention
 * put them there), ecall traps into the kernel.  A result in
 * [-4095, -1] is an error: errno = -result, return -1.
 */
#define SYSCALL(rv, x86, name, stub, args, rfmt) \
	.globl stub;                        \
	.type stub, @function;              \
stub:                                       \
	li a7, rv;                          \
	ecall;                              \
	bltz a0, __syscall_neg;             \
	ret;

	.section .text
#include "trapdoor/syscalls.h"

/* The generic entry of seed 003: syscall(n, a, b, c, d, e) */
	.globl syscall
syscall:
	mv	a7, a0
	mv	a0, a1
	mv	a1, a2
	mv	a2, a3
	mv	a3, a4
	mv	a4, a5
	mv	a5, a6
	ecall
	bltz	a0, __syscall_neg
	ret

/* A negative result.  The kernel fails with -errno, and errno values are
 * below 4096, as in Linux: only [-4095, -1] is an error.  Anything lower
 * is a value, returned as it is (no call returns one today, but an
 * address in the upper half or a 64-bit count may some day).  Off the
 * success path, which stays one branch.  Global, for proctest's checks. */
	.globl __syscall_neg
	.type __syscall_neg, @function
__syscall_neg:
	li	t0, -4096
	bleu	a0, t0, 1f
	neg	a0, a0
	/* errno is thread-local: tp + its offset in the TLS block */
	lui	t0, %tprel_hi(errno)
	add	t0, t0, tp, %tprel_add(errno)
	sw	a0, %tprel_lo(errno)(t0)
	li	a0, -1
1:	ret
