/* uaccess.S: copying to and from user memory, the fast way.
 * The kernel touches user pages directly with sstatus.SUM set.  A fault
 * inside these routines (between uaccess_begin and uaccess_end) goes to
 * kerneltrap, which either resolves it (copy-on-write, stack growth) and
 * retries the instruction, or resumes at uaccess_fault, which returns
 * -EFAULT.  Callers have already checked that the whole range lies below
 * USER_TOP, so a bad pointer can never reach kernel memory.
 */
#define SSTATUS_SUM_HI 0x40 /* lui: 0x40 << 12 = bit 18 = SUM */
#define EFAULT 14
#define ENAMETOOLONG 91

	.section .text
	.option norvc

/* long __copy_user(void *dst, const void *src, size_t n): 0 or -EFAULT.
 * A leaf: no stack, ra untouched, so the fault path can simply return. */
	.globl __copy_user
__copy_user:
	lui	t6, SSTATUS_SUM_HI
	csrs	sstatus, t6
	.globl uaccess_begin
uaccess_begin:
	beqz	a2, 9f
	/* Same alignment mod 8?  Then bytes up to an 8-byte boundary, words,
	 * and the tail in bytes; otherwise bytes all the way. */
	xor	t0, a0, a1
	andi	t0, t0, 7
	bnez	t0, 5f
1:	andi	t0, a0, 7
	beqz	t0, 2f
	lb	t1, 0(a1)
	sb	t1, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	bnez	a2, 1b
	j	9f
2:	li	t2, 8
3:	bltu	a2, t2, 5f
	ld	t1, 0(a1)
	sd	t1, 0(a0)
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	3b
5:	beqz	a2, 9f
	lb	t1, 0(a1)
	sb	t1, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	5b
9:	csrc	sstatus, t6
	li	a0, 0
	ret

/* long __copy_user_str(char *dst, const char *usrc, size_t max): the
 * length of the string copied (without its NUL), -ENAMETOOLONG if no NUL
 * within max bytes, or -EFAULT. */
	.globl __copy_user_str
__copy_user_str:
	lui	t6, SSTATUS_SUM_HI
	csrs	sstatus, t6
	mv	t2, a0
1:	beqz	a2, 8f
	lb	t1, 0(a1)
	sb	t1, 0(a0)
	beqz	t1, 7f
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	1b
7:	csrc	sstatus, t6
	sub	a0, a0, t2
	ret
8:	csrc	sstatus, t6
	li	a0, -ENAMETOOLONG
	ret
/* long __get_user32(u32 *dst, u64 uva): one aligned word (a futex word),
 * 0 or -EFAULT.  A single load, where __copy_user would go byte by byte
 * whenever dst and uva differ in alignment mod 8. */
	.globl __get_user32
__get_user32:
	lui	t6, SSTATUS_SUM_HI
	csrs	sstatus, t6
	lw	t1, 0(a1)
	csrc	sstatus, t6
	sw	t1, 0(a0)
	li	a0, 0
	ret
	.globl uaccess_end
uaccess_end:

/* kerneltrap resumes here after a fault it cannot resolve. */
	.globl uaccess_fault
uaccess_fault:
	lui	t6, SSTATUS_SUM_HI
	csrc	sstatus, t6
	li	a0, -EFAULT
	ret
