/* pthread.c: POSIX threads on the kernel's threads (kernel/thread.c):
 * create, join, exit, detach, mutexes, condition variables, once, keys.
 *
 * A thread's memory is one anonymous mapping: a PROT_NONE guard page at
 * the bottom (running off the stack faults there, and the kernel kills
 * the process, naming the thread), the stack above it, and at the top its
 * TLS block (picolibc's _init_tls fills it: errno and the rest of the C
 * library's per-thread state) and its descriptor, struct pthread, which
 * is what a pthread_t points at:
 *
 *     base                                                base + size
 *     | guard | stack, growing down ...    <- sp | pthread | TLS block |
 *                                                          ^ tp
 *
 * Who gives the mapping back.  A joined thread: its joiner, once the
 * kernel's join says the thread is gone.  A detached thread cannot unmap
 * the stack it is running on, and the kernel does not know what the
 * mapping is; so it puts itself on a list of dead threads, and in its
 * last instructions, which touch no memory, sets its `done` word and
 * traps into thread_exit (finish()).  The next pthread_create or
 * pthread_join of any thread takes every listed thread whose done is set
 * (reap()).
 *
 * Given back means: into the stack cache, as glibc does.  A mapping of a
 * gone thread, guard page and touched pages kept, waits on a free list
 * and the next pthread_create asking for the same size takes it: no mmap,
 * mprotect or munmap, no page faulted in and zeroed again.  The cache
 * holds at most STACK_CACHE_MAX bytes of mappings; what does not fit is
 * unmapped at once.  pthread_stack_cache_trim_np() unmaps everything
 * cached (a test that counts free pages calls it first), and exit frees
 * it all with the address space.
 */
#include <errno.h>
#include <limits.h>
#include <picotls.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>
#include "futex.h"
#include "trapdoor.h"

#define PAGE 4096UL
#define ROUND(x, a) (((x) + (a)-1) & ~((a)-1))

enum { JOINABLE, DETACHED, EXITED };

struct pthread {
	void *(*fn)(void *);
	void *arg;
	volatile int tid;         /* the kernel's thread id; 0 until create returns */
	volatile unsigned state;  /* JOINABLE, DETACHED, EXITED: swapped atomically */
	volatile unsigned done;   /* 1: off its stack for good (finish) */
	char *base;               /* the mapping; 0 for the first thread */
	size_t size;
	struct pthread *next;     /* on the dead list or in the stack cache */
	unsigned keyed;           /* specific[] was ever set: clear it for reuse */
	struct {
		unsigned seq;     /* the key's seq when the value was set */
		void *value;
	} specific[PTHREAD_KEYS_MAX];
};

/* The first thread has no mapping of its own: its stack and TLS block
 * are the ones exec and crt0 made. */
static struct pthread main_thread = { .state = JOINABLE };
static __thread struct pthread *current; /* 0 in the first thread */
extern volatile unsigned __pthread_live;  /* threads of the process; fork makes it 1 (lock.c) */

static inline struct pthread *self(void)
{
	struct pthread *t = current;
	return t ? t : &main_thread;
}

pthread_t pthread_self(void) { return self(); }
int pthread_equal(pthread_t a, pthread_t b) { return a == b; }
int sched_yield(void) { return yield(); }

static int tid_of(struct pthread *t)
{
	int tid;
	if (t == &main_thread) /* the first thread's tid is the pid */
		return getpid();
	while (!(tid = t->tid)) {
		if (t == self()) /* before its creator stored it */
			return gettid();
		sched_yield();
	}
	return tid;
}

/* --- the stack cache, and dead detached threads ---------------------------- */

/* One lock for both lists (fork takes it: lock.c). */
volatile unsigned __pthread_stacks_lock;
static struct pthread *dead;   /* detached threads that ended or are ending */
static struct pthread *cached; /* gone threads' mappings, each its own size */
static size_t cached_bytes;

#define STACK_CACHE_MAX (4UL << 20)

/* A gone thread's mapping: into the cache if it fits, unmapped if not. */
static void stack_put(struct pthread *t)
{
	futex_lock(&__pthread_stacks_lock);
	if (cached_bytes + t->size <= STACK_CACHE_MAX) {
		t->next = cached;
		cached = t;
		cached_bytes += t->size;
		t = 0;
	}
	futex_unlock(&__pthread_stacks_lock);
	if (t)
		munmap(t->base, t->size);
}

/* A cached mapping of exactly size bytes (its guard page still
 * PROT_NONE), or 0.  Exactly: the stack size asked for is the one the
 * thread gets, so a stack overflow faults where the program expects. */
static char *stack_get(size_t size)
{
	if (!cached)
		return 0;
	char *base = 0;
	futex_lock(&__pthread_stacks_lock);
	for (struct pthread **pp = &cached; *pp; pp = &(*pp)->next) {
		if ((*pp)->size == size) {
			base = (*pp)->base;
			*pp = (*pp)->next;
			cached_bytes -= size;
			break;
		}
	}
	futex_unlock(&__pthread_stacks_lock);
	return base;
}

size_t pthread_stack_cache_trim_np(void)
{
	futex_lock(&__pthread_stacks_lock);
	struct pthread *t = cached;
	size_t n = cached_bytes;
	cached = 0;
	cached_bytes = 0;
	futex_unlock(&__pthread_stacks_lock);
	while (t) {
		struct pthread *next = t->next; /* read before the unmap */
		munmap(t->base, t->size);
		t = next;
	}
	return n;
}

static void bury(struct pthread *t)
{
	futex_lock(&__pthread_stacks_lock);
	t->next = dead;
	dead = t;
	futex_unlock(&__pthread_stacks_lock);
}

static void reap(void)
{
	if (!dead)
		return;
	struct pthread *gone = 0, **pp = &dead;
	futex_lock(&__pthread_stacks_lock);
	while (*pp) {
		struct pthread *t = *pp;
		if (__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) {
			*pp = t->next;
			t->next = gone;
			gone = t;
		} else {
			pp = &t->next;
		}
	}
	futex_unlock(&__pthread_stacks_lock);
	while (gone) {
		struct pthread *next = gone->next; /* read before stack_put links it */
		stack_put(gone);
		gone = next;
	}
}

/* A thread's last instructions: done = 1, then thread_exit(value).
 * Between the store and the trap it touches no memory, so whoever sees
 * done may unmap the stack at once. */
static void __attribute__((noreturn)) finish(volatile unsigned *done, void *value)
{
	register long a0 __asm__("a0") = (long)value;
	register long a7 __asm__("a7") = SYS_thread_exit;
	__asm__ volatile("fence rw, w\n\tsw %1, 0(%2)\n\tecall"
			 : : "r"(a0), "r"(1), "r"(done), "r"(a7) : "memory");
	__builtin_unreachable();
}

/* --- keys ---------------------------------------------------------------- */

/* A key is in use while its seq is odd; delete makes it even again, and
 * a value set under an older seq reads as NULL. */
static struct {
	volatile unsigned seq;
	void (*destructor)(void *);
} keys[PTHREAD_KEYS_MAX];
static volatile unsigned keys_lock;

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	futex_lock(&keys_lock);
	for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
		if (!(keys[k].seq & 1)) {
			keys[k].destructor = destructor;
			__atomic_store_n(&keys[k].seq, keys[k].seq + 1, __ATOMIC_RELEASE);
			futex_unlock(&keys_lock);
			*key = k;
			return 0;
		}
	}
	futex_unlock(&keys_lock);
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t k)
{
	int err = EINVAL;
	futex_lock(&keys_lock);
	if (k < PTHREAD_KEYS_MAX && (keys[k].seq & 1)) {
		__atomic_store_n(&keys[k].seq, keys[k].seq + 1, __ATOMIC_RELEASE);
		err = 0;
	}
	futex_unlock(&keys_lock);
	return err;
}

void *pthread_getspecific(pthread_key_t k)
{
	struct pthread *t = self();
	if (k >= PTHREAD_KEYS_MAX || t->specific[k].seq != keys[k].seq)
		return 0;
	return t->specific[k].value;
}

int pthread_setspecific(pthread_key_t k, const void *value)
{
	if (k >= PTHREAD_KEYS_MAX)
		return EINVAL;
	unsigned seq = __atomic_load_n(&keys[k].seq, __ATOMIC_ACQUIRE);
	if (!(seq & 1))
		return EINVAL;
	struct pthread *t = self();
	t->keyed = 1;
	t->specific[k].seq = seq;
	t->specific[k].value = (void *)value;
	return 0;
}

/* At thread exit: each non-NULL value of a live key goes to its
 * destructor, again while destructors set new ones (up to 4 rounds). */
static void run_destructors(struct pthread *t)
{
	if (!t->keyed) /* it never set a value: nothing to destroy */
		return;
	for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		int any = 0;
		for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
			void (*d)(void *) = keys[k].destructor;
			void *v = t->specific[k].value;
			if (t->specific[k].seq != keys[k].seq || !(keys[k].seq & 1) || !v || !d)
				continue;
			t->specific[k].value = 0;
			d(v);
			any = 1;
		}
		if (!any)
			break;
	}
}

/* --- create, exit, join, detach ------------------------------------------ */

static void start(void *arg)
{
	struct pthread *t = arg;
	current = t;
	pthread_exit(t->fn(t->arg));
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	int saved = errno, err;
	reap();
	size_t stack = attr && attr->stacksize ? attr->stacksize : PTHREAD_STACK_DEFAULT;
	size_t tls = ROUND(_tls_size(), 16), desc = ROUND(sizeof(struct pthread), 16);
	size_t size = PAGE + ROUND(stack + tls + desc, PAGE);
	char *tp, *base = stack_get(size);
	struct pthread *t;
	if (base) { /* a gone thread's: its descriptor holds that thread's values */
		tp = base + size - tls;
		t = (struct pthread *)(tp - desc);
		/* Only what create does not set below.  specific[] (half a
		 * KiB; picolibc's memset goes byte by byte) only if used. */
		if (t->keyed)
			memset(t->specific, 0, sizeof t->specific);
		t->keyed = 0;
		t->tid = 0;
		t->done = 0;
		t->next = 0;
	} else {
		base = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED) {
			errno = saved;
			return EAGAIN;
		}
		if (mprotect(base, PAGE, PROT_NONE) < 0) { /* the guard page */
			err = errno;
			munmap(base, size);
			errno = saved;
			return err == ENOMEM ? EAGAIN : err;
		}
		tp = base + size - tls;
		t = (struct pthread *)(tp - desc); /* zero: fresh memory */
	}
	t->fn = fn;
	t->arg = arg;
	t->base = base;
	t->size = size;
	t->state = attr && attr->detachstate == PTHREAD_CREATE_DETACHED ? DETACHED : JOINABLE;
	_init_tls(tp);
	__atomic_add_fetch(&__pthread_live, 1, __ATOMIC_RELAXED);
	int tid = __thread_create(start, t, t, tp); /* sp = t: 16-aligned, below it */
	if (tid < 0) {
		err = errno;
		__atomic_sub_fetch(&__pthread_live, 1, __ATOMIC_RELAXED);
		stack_put(t);
		errno = saved;
		return err == ENOMEM ? EAGAIN : err;
	}
	t->tid = tid;
	if (t->state == DETACHED) /* it may be gone already: the kernel frees it then */
		__thread_detach(tid);
	*thread = t;
	errno = saved;
	return 0;
}

void pthread_exit(void *value)
{
	struct pthread *t = self();
	run_destructors(t);
	/* The last thread ends the process as a return from main would:
	 * exit(0) runs the atexit handlers and flushes stdio. */
	if (__atomic_sub_fetch(&__pthread_live, 1, __ATOMIC_ACQ_REL) == 0)
		exit(0);
	if (t == &main_thread) /* its stack is exec's: nothing to free */
		__thread_exit(value);
	if (__atomic_exchange_n(&t->state, EXITED, __ATOMIC_ACQ_REL) == DETACHED)
		bury(t);
	finish(&t->done, value);
}

int pthread_join(pthread_t t, void **value)
{
	if (t == self())
		return EDEADLK;
	if (t->state == DETACHED)
		return EINVAL;
	int saved = errno;
	void *v;
	if (__thread_join(tid_of(t), &v) < 0) {
		int err = errno;
		errno = saved;
		return err;
	}
	if (value)
		*value = v;
	if (t->base) /* the kernel says it is gone: its stack is free */
		stack_put(t);
	reap();
	return 0;
}

int pthread_detach(pthread_t t)
{
	unsigned old = __atomic_exchange_n(&t->state, DETACHED, __ATOMIC_ACQ_REL);
	if (old == DETACHED)
		return EINVAL;
	int saved = errno, err = 0;
	if (__thread_detach(tid_of(t)) < 0)
		err = errno;
	errno = saved;
	/* Already exited as a joinable thread: it did not bury itself. */
	if (old == EXITED && t->base && !err)
		bury(t);
	return err;
}

/* --- attributes ------------------------------------------------------------ */

int pthread_attr_init(pthread_attr_t *a)
{
	a->stacksize = PTHREAD_STACK_DEFAULT;
	a->detachstate = PTHREAD_CREATE_JOINABLE;
	return 0;
}
int pthread_attr_destroy(pthread_attr_t *a) { (void)a; return 0; }

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	a->stacksize = size;
	return 0;
}
int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	*size = a->stacksize;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	a->detachstate = state;
	return 0;
}
int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	*state = a->detachstate;
	return 0;
}

/* --- mutexes --------------------------------------------------------------- */

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	a->type = PTHREAD_MUTEX_DEFAULT;
	return 0;
}
int pthread_mutexattr_destroy(pthread_mutexattr_t *a) { (void)a; return 0; }
int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	a->type = type;
	return 0;
}
int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	*type = a->type;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	m->lock = 0;
	m->type = a ? a->type : PTHREAD_MUTEX_DEFAULT;
	m->owner = 0;
	m->count = 0;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m) { return m->lock ? EBUSY : 0; }

/* Recursive and error-checking mutexes know their holder (its thread
 * pointer); a normal one is only its futex word. */
static __attribute__((noinline)) int lock_typed(pthread_mutex_t *m, int try)
{
	void *me = thread_id();
	if (m->owner == me) {
		if (m->type != PTHREAD_MUTEX_RECURSIVE)
			return EDEADLK;
		if (m->count == UINT_MAX)
			return EAGAIN;
		m->count++;
		return 0;
	}
	if (try) {
		if (!futex_trylock(&m->lock))
			return EBUSY;
	} else {
		futex_lock(&m->lock);
	}
	m->owner = me;
	m->count = 1;
	return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	if (__builtin_expect(m->type == PTHREAD_MUTEX_NORMAL, 1)) {
		futex_lock(&m->lock);
		return 0;
	}
	return lock_typed(m, 0);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	if (m->type == PTHREAD_MUTEX_NORMAL)
		return futex_trylock(&m->lock) ? 0 : EBUSY;
	return lock_typed(m, 1);
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (__builtin_expect(m->type == PTHREAD_MUTEX_NORMAL, 1)) {
		futex_unlock(&m->lock);
		return 0;
	}
	if (m->owner != thread_id())
		return EPERM;
	if (--m->count)
		return 0;
	m->owner = 0;
	futex_unlock(&m->lock);
	return 0;
}

/* --- condition variables --------------------------------------------------- */

int pthread_condattr_init(pthread_condattr_t *a) { (void)a; return 0; }
int pthread_condattr_destroy(pthread_condattr_t *a) { (void)a; return 0; }

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	(void)a;
	c->seq = 0;
	c->waiters = 0;
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c) { return c->waiters ? EBUSY : 0; }

/* Sleep on seq as it was while the mutex was still held: a signal after
 * the unlock has changed seq, and futex_wait then returns at once, so no
 * wakeup is lost between the unlock and the sleep.  Waking without a
 * signal (spurious wakeups) is allowed, as everywhere. */
static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, unsigned long ns)
{
	__atomic_add_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
	unsigned seq = __atomic_load_n(&c->seq, __ATOMIC_SEQ_CST);
	unsigned count = m->count; /* a recursive mutex is let go entirely */
	if (m->type == PTHREAD_MUTEX_RECURSIVE)
		m->count = 1;
	pthread_mutex_unlock(m);
	long r = futex_wait(&c->seq, seq, ns);
	pthread_mutex_lock(m);
	if (m->type == PTHREAD_MUTEX_RECURSIVE)
		m->count = count;
	__atomic_sub_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
	return r == -ETIMEDOUT ? ETIMEDOUT : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) { return cond_wait(c, m, 0); }

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	if (abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000)
		return EINVAL;
	struct timeval now;
	gettimeofday(&now, 0);
	long ns = (abstime->tv_sec - now.tv_sec) * 1000000000L + abstime->tv_nsec - now.tv_usec * 1000L;
	if (ns <= 0)
		return ETIMEDOUT;
	return cond_wait(c, m, ns);
}

/* A signal to a condition nobody waits on costs no system call. */
static int cond_wake(pthread_cond_t *c, int n)
{
	if (__atomic_load_n(&c->waiters, __ATOMIC_SEQ_CST)) {
		__atomic_add_fetch(&c->seq, 1, __ATOMIC_SEQ_CST);
		futex_wake(&c->seq, n);
	}
	return 0;
}

int pthread_cond_signal(pthread_cond_t *c) { return cond_wake(c, 1); }
int pthread_cond_broadcast(pthread_cond_t *c) { return cond_wake(c, INT_MAX); }

/* --- once ------------------------------------------------------------------ */

int pthread_once(pthread_once_t *o, void (*fn)(void))
{
	if (__atomic_load_n(&o->state, __ATOMIC_ACQUIRE) == 2)
		return 0;
	unsigned c = 0;
	if (__atomic_compare_exchange_n(&o->state, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
		fn();
		__atomic_store_n(&o->state, 2, __ATOMIC_RELEASE);
		futex_wake(&o->state, INT_MAX);
		return 0;
	}
	while ((c = __atomic_load_n(&o->state, __ATOMIC_ACQUIRE)) != 2)
		futex_wait(&o->state, c, 0);
	return 0;
}
