/* futex.h: the futex word lock every user-space lock is built on (private
 * to user/lib: lock.c, pthread.c, once.c...).
 *
 * The classic three-state futex mutex: 0 free, 1 held, 2 held and maybe
 * someone asleep on it.  Taking a free lock is one compare-and-swap and
 * giving back a lock nobody waits for is one swap: no system call.  Only a
 * thread that finds the lock held sleeps in the kernel (futex_wait on the
 * word while it reads 2), and only an unlock that saw 2 wakes one.
 *
 * The raw calls below leave errno alone: a lock taken inside malloc or
 * printf must not change what the program sees in errno.
 */
#ifndef USER_FUTEX_H
#define USER_FUTEX_H

#include "trapdoor/abi.h"

static inline long futex_sys(long n, volatile void *addr, long a, long b)
{
	register long a0 __asm__("a0") = (long)addr;
	register long a1 __asm__("a1") = a;
	register long a2 __asm__("a2") = b;
	register long a7 __asm__("a7") = n;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
}

/* 0 woken (or the word had changed: -EAGAIN), -ETIMEDOUT, -EINTR */
static inline long futex_wait(volatile unsigned *w, unsigned val, unsigned long timeout_ns)
{
	return futex_sys(SYS_futex_wait, w, val, (long)timeout_ns);
}

static inline long futex_wake(volatile unsigned *w, int n)
{
	return futex_sys(SYS_futex_wake, w, n, 0);
}

void __futex_lock_wait(volatile unsigned *w);

static inline int futex_trylock(volatile unsigned *w)
{
	unsigned c = 0;
	return __atomic_compare_exchange_n(w, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void futex_lock(volatile unsigned *w)
{
	if (!futex_trylock(w))
		__futex_lock_wait(w);
}

static inline void futex_unlock(volatile unsigned *w)
{
	if (__atomic_exchange_n(w, 0, __ATOMIC_RELEASE) == 2)
		futex_wake(w, 1);
}

/* Who holds a lock: the thread pointer, unique to each thread of the
 * process (its TLS block) and free to read, no system call. */
static inline void *thread_id(void)
{
	void *tp;
	__asm__("mv %0, tp" : "=r"(tp));
	return tp;
}

#endif
