/* sys/resource.h: resource limits (getrlimit, setrlimit), POSIX names.
 * picolibc's own header has only getrusage; it is included first.
 */
#ifndef TRAPDOOR_SYS_RESOURCE_H
#define TRAPDOOR_SYS_RESOURCE_H

#include_next <sys/resource.h>
#include "trapdoor/abi.h" /* RLIMIT_*, RLIM_INFINITY, struct krlimit */

typedef unsigned long rlim_t;

/* The kernel's struct krlimit, field for field, under POSIX's names. */
struct rlimit {
	rlim_t rlim_cur; /* soft limit: what is enforced */
	rlim_t rlim_max; /* hard limit: rlim_cur may rise to it; only root raises it */
};
_Static_assert(sizeof(struct rlimit) == sizeof(struct krlimit), "struct rlimit is the kernel's");

#define RLIM_SAVED_MAX RLIM_INFINITY
#define RLIM_SAVED_CUR RLIM_INFINITY

int getrlimit(int resource, struct rlimit *rl);
int setrlimit(int resource, const struct rlimit *rl);

#endif
