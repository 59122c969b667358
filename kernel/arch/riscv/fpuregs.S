/* fpuregs.S: save and restore a process's floating-point registers.
 * The kernel itself never uses them; only these routines touch them, and
 * only while sstatus.FS is not Off.
 */
	.section .text
	.attribute arch, "rv64gc"

/* void fpu_save(u64 regs[33]): f0-f31 then fcsr */
	.globl fpu_save
fpu_save:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, \n*8(a0)
	.endr
	frcsr	t0
	sd	t0, 256(a0)
	ret

/* void fpu_restore(const u64 regs[33]) */
	.globl fpu_restore
fpu_restore:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, \n*8(a0)
	.endr
	ld	t0, 256(a0)
	fscsr	t0
	ret
