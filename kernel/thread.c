/* thread.c: threads, several execution streams in one process (seed 003).
 * Creating, ending and joining threads, and futex wait/wake.
 */
#include "kernel.h"
#include "proc.h"
#include "syscall.h"

long sys_thread_create(SYSARGS) { return -ENOSYS; }
long sys_thread_exit(SYSARGS) { return -ENOSYS; }
long sys_thread_join(SYSARGS) { return -ENOSYS; }
long sys_gettid(SYSARGS) { return myproc()->pid; }
long sys_futex_wait(SYSARGS) { return -ENOSYS; }
long sys_futex_wake(SYSARGS) { return -ENOSYS; }
long sys_thread_detach(SYSARGS) { return -ENOSYS; }
