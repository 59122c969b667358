/* trace.h: the observation hooks built into the mechanism.
 * One hook at trap entry, one per system call, one at every state change
 * and switch.  Each is a test of one global word when tracing is off.
 */
#ifndef TRACE_H
#define TRACE_H

#include "kernel.h"

struct proc;
struct thread;

/* The mask bits (TR_*), event types (EV_*), boot stages (BOOT_*) and
 * switch reasons (WHY_*) cross to user space: they are in abi.h. */
extern volatile u32 trace_mask;
extern volatile int trace_pid; /* live lines only for this pid, or -1 */

void trace_init(void);
void trace_event(int type, u64 a, u64 b, u64 c, u64 d, const char *name);
void trace_boot(int stage);
void trace_trap_slow(struct proc *p, u64 cause, u64 epc);
void trace_timer_slow(struct thread *t);
void trace_switch_slow(struct thread *from, struct thread *to);
void trace_state_slow(struct thread *t, int old, int state);
void trace_exit_slow(struct proc *p);
void trace_kill_slow(struct proc *p, int sig, u64 cause, u64 addr);
void trace_syscall_enter(struct proc *p, struct trapframe *tf);
void trace_syscall_exit(struct proc *p, struct trapframe *tf, u64 num, long ret);
void trace_exec_slow(struct proc *p, const char *path);
void trace_user_slow(struct thread *t);
void strace_exit(struct proc *p, int status);
long trace_read(u64 ubuf, u64 len);
long trace_ctl(int op, int arg, int arg2); /* long: the timebase may pass 2^31 (x86-64's TSC rate) */
u64 trace_pages(void); /* pages the rings hold */

#define TRACE_ON(bit) unlikely(trace_mask & (bit))
#define trace_trap(p, c, e) do { if (TRACE_ON(TR_RECORD | TR_TRAP)) trace_trap_slow(p, c, e); } while (0)
#define trace_timer(t) do { if (TRACE_ON(TR_RECORD | TR_TIMER)) trace_timer_slow(t); } while (0)
#define trace_switch(f, t) do { if (TRACE_ON(TR_RECORD | TR_SWITCH)) trace_switch_slow(f, t); } while (0)
#define trace_state(t, o, s) do { if (TRACE_ON(TR_RECORD | TR_PROC)) trace_state_slow(t, o, s); } while (0)
#define trace_exit(p) do { if (TRACE_ON(TR_RECORD)) trace_exit_slow(p); } while (0)
#define trace_exec(p, path) do { if (TRACE_ON(TR_RECORD | TR_PROC)) trace_exec_slow(p, path); } while (0)
#define trace_kill(p, s, c, a) do { if (TRACE_ON(TR_RECORD)) trace_kill_slow(p, s, c, a); } while (0)
#define trace_irq(irq) do { if (TRACE_ON(TR_RECORD)) trace_event(EV_IRQ, irq, 0, 0, 0, NULL); } while (0)
#define trace_disk(type, blk, b, how, pid, name) \
	do { if (TRACE_ON(TR_RECORD)) trace_event(type, blk, b, how, pid, name); } while (0)
#define trace_user(t) do { if (TRACE_ON(TR_RECORD)) trace_user_slow(t); } while (0)
#define trace_why(t, w) do { (t)->why = (w); } while (0)

#endif
