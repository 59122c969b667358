/* linuxabi.c: the RISC-V side of the Linux-ABI calls (kernel/linux.h):
 * the TLS base is tp, a new thread's frame a copy with sp, a0 and FPU set.
 */
#include "kernel.h"
#include "proc.h"
#include "linux.h"

void arch_set_tls(struct thread *t, u64 base) { t->tf->tp = base; }
u64 arch_get_tls(struct thread *t) { return t->tf->tp; }

void arch_thread_frame(struct trapframe *tf, u64 sp)
{
	tf->sp = sp;
	tf->a0 = 0;
	/* s0-s11 were not saved at this trap (only fork's are): the new
	 * thread starts with them zero, as thread_create's */
	tf->s0 = tf->s1 = tf->s2 = tf->s3 = tf->s4 = tf->s5 = 0;
	tf->s6 = tf->s7 = tf->s8 = tf->s9 = tf->s10 = tf->s11 = 0;
	tf->full = 1;
	tf->sstatus &= ~SSTATUS_FS; /* its FPU zeroed on first use */
}

const char arch_machine[] = "riscv64";
