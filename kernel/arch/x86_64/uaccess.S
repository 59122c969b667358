/* uaccess.S: copying to and from user memory.  SMAP forbids every kernel
 * access to a user page while RFLAGS.AC is clear; these routines alone
 * set it, for the copy.  A fault inside (between uaccess_begin and
 * uaccess_end) goes to copy_fault: resolved (copy-on-write, stack growth)
 * the instruction is retried, else the copy resumes at uaccess_fault and
 * returns -EFAULT.  Callers have checked the range is below USER_TOP.
 * All are leaves that push nothing: the fault path can simply return.
 */
#include "x86.h"
/* The error numbers come from C (arch.c: uaccess_errno), which has the
 * ABI's values for this architecture. */

	.section .text

/* AC through popfq, not stac/clac (see stac() in x86.h). */
.macro STAC
	pushfq
	orq	$RFLAGS_AC, (%rsp)
	popfq
.endm
.macro CLAC
	pushfq
	andq	$~RFLAGS_AC, (%rsp)
	popfq
.endm

	.globl uaccess_begin
uaccess_begin:

/* long __copy_user(void *dst, const void *src, size_t n): 0 or -EFAULT.
 * rep movsb: the CPU copies in its widest moves when it can (ERMSB); after
 * a resolved fault it resumes with rsi, rdi and rcx where it stopped. */
	.globl __copy_user
__copy_user:
	STAC
	movq	%rdx, %rcx
	rep movsb
	CLAC
	xorl	%eax, %eax
	ret

/* long __copy_user_str(char *dst, const char *usrc, size_t max): the
 * length copied (without the NUL), -ENAMETOOLONG or -EFAULT. */
	.globl __copy_user_str
__copy_user_str:
	STAC
	movq	%rdi, %r8
1:	testq	%rdx, %rdx
	jz	3f
	movb	(%rsi), %al
	movb	%al, (%rdi)
	testb	%al, %al
	jz	2f
	incq	%rdi
	incq	%rsi
	decq	%rdx
	jmp	1b
2:	CLAC
	movq	%rdi, %rax
	subq	%r8, %rax
	ret
3:	CLAC
	movq	uaccess_errno+8(%rip), %rax
	ret

/* long __get_user32(u32 *dst, u64 uva): one aligned word, 0 or -EFAULT. */
	.globl __get_user32
__get_user32:
	STAC
	movl	(%rsi), %eax
	CLAC
	movl	%eax, (%rdi)
	xorl	%eax, %eax
	ret

	.globl uaccess_end
uaccess_end:

/* The trap code resumes here after a fault it could not resolve. */
	.globl uaccess_fault
uaccess_fault:
	CLAC
	movq	uaccess_errno(%rip), %rax
	ret
