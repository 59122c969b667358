/* sys/mman.h: anonymous memory mappings, POSIX names.
 * PROT_* and MAP_* are Linux's values, from the kernel's abi.h.
 */
#ifndef TRAPDOOR_SYS_MMAN_H
#define TRAPDOOR_SYS_MMAN_H

#include <sys/types.h>
#include "trapdoor/abi.h"

#define MAP_ANON MAP_ANONYMOUS

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);

#endif
