/* uthread.h (RISC-V): what pthreadtest needs to know about the thread
 * library under it: Trapdoor's own (user/lib/pthread.c) on picolibc.
 */
#ifndef UTHREAD_H
#define UTHREAD_H

#include <pthread.h>
#include <sys/lock.h>

/* pthread.c keeps gone threads' stacks for reuse (a stack cache of at
 * most 4 MiB); ut_trim() gives them back, so that free pages can be
 * counted. */
#define UT_STACK_CACHE 1
static inline size_t ut_trim(void) { return pthread_stack_cache_trim_np(); }

/* The guard page below the running thread's stack.  pthread.c maps guard,
 * stack and one page (descriptor and TLS block) in this order, and sp
 * starts in that last page: from sp's page up, stacksize + 2 pages down. */
static inline char *ut_guard_page(size_t stacksize)
{
	char here;
	unsigned long top = ((unsigned long)&here + 4095) & ~4095UL;
	return (char *)(top - stacksize - 2 * 4096);
}

/* The joins POSIX leaves undefined fail here: a detached thread EINVAL,
 * oneself EDEADLK. */
#define UT_JOIN_CHECKS 1

/* Hold, then let go, the lock malloc takes: picolibc's recursive lock. */
static inline void ut_malloc_lock(void) { __retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex); }
static inline void ut_malloc_unlock(void) { __retarget_lock_release_recursive(&__lock___libc_recursive_mutex); }

#endif
