/* linuxabi.c: the RISC-V side of the Linux-ABI calls (kernel/linux.h):
 * the TLS base a thread runs with is its tp.
 */
#include "kernel.h"
#include "proc.h"
#include "linux.h"

void arch_set_tls(struct thread *t, u64 base) { t->tf->tp = base; }
u64 arch_get_tls(struct thread *t) { return t->tf->tp; }
