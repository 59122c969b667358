/* mmap.c: anonymous memory mappings (mmap, munmap, mprotect).
 * Regions of zero-filled pages outside the image, heap and stack.
 */
#include "kernel.h"
#include "proc.h"
#include "syscall.h"

long sys_mmap(SYSARGS) { return -ENOSYS; }
long sys_munmap(SYSARGS) { return -ENOSYS; }
long sys_mprotect(SYSARGS) { return -ENOSYS; }
