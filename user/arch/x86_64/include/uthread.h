/* uthread.h (x86-64): what pthreadtest needs to know about the thread
 * library under it: musl's own, on the kernel's clone, futex and
 * set_tid_address (kernel/linux.c).
 */
#ifndef UTHREAD_H
#define UTHREAD_H

#include <pthread.h>

/* musl caches no stacks: a thread's mapping goes at its join (or, for a
 * detached one, with its last instructions).  Nothing to give back. */
#define UT_STACK_CACHE 0
static inline size_t ut_trim(void) { return 0; }

/* The guard page below the running thread's stack: musl says where the
 * stack starts (pthread_getattr_np), and its guard pages lie just below. */
static inline char *ut_guard_page(size_t stacksize)
{
	pthread_attr_t a;
	void *lo = 0;
	size_t size = 0;
	(void)stacksize;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		pthread_attr_getstack(&a, &lo, &size);
		pthread_attr_destroy(&a);
	}
	return (char *)lo - 4096;
}

/* The joins POSIX leaves undefined are not checked by musl: a detached
 * thread is a crash on purpose (a_crash(), hlt: killed as a privileged
 * instruction), oneself waits for ever. */
#define UT_JOIN_CHECKS 0

/* Hold, then let go, the lock malloc takes: musl's own entry for fork,
 * __malloc_atfork (-1 takes it, 0 lets it go in the parent). */
void __malloc_atfork(int who);
static inline void ut_malloc_lock(void) { __malloc_atfork(-1); }
static inline void ut_malloc_unlock(void) { __malloc_atfork(0); }

#endif
