/* lock.c: picolibc's retargetable locks, so malloc, free and stdio work
 * from many threads at once; and flockfile, which makes printf one piece.
 *
 * picolibc (built with _RETARGETABLE_LOCKING) calls __retarget_lock_* on
 * its own lock objects: one static recursive lock for malloc, atexit,
 * the environment and time zones (__lock___libc_recursive_mutex), and one
 * per stdio stream, made by __retarget_lock_init when fdopen/fopen make
 * the stream.  Defining every hook here keeps picolibc's do-nothing ones
 * (libc/misc/lock.c) out of the link.
 *
 * Every lock is recursive, plain ones too: the thread that holds one may
 * take it again (it only counts).  That lets flockfile hold a stream's
 * lock across a whole printf while picolibc takes the same lock again
 * for each character it puts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdio-bufio.h>
#include <stdlib.h>
#include <sys/lock.h>
#include "futex.h"

struct __lock {
	volatile unsigned word; /* the futex lock (futex.h) */
	void *volatile owner;   /* thread pointer of the holder, or 0 */
	unsigned count;         /* times the holder took it */
};

struct __lock __lock___libc_recursive_mutex;

/* The slow path of futex_lock: mark the word contended (2) and sleep
 * until an unlock hands it over.  Whoever swaps a 0 out of it holds it. */
void __futex_lock_wait(volatile unsigned *w)
{
	while (__atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE) != 0)
		futex_wait(w, 2, 0);
}

static void acquire(struct __lock *l)
{
	void *me = thread_id();
	if (l->owner == me) { /* only this thread ever stores me here */
		l->count++;
		return;
	}
	futex_lock(&l->word);
	l->owner = me;
	l->count = 1;
}

static int try_acquire(struct __lock *l)
{
	void *me = thread_id();
	if (l->owner == me) {
		l->count++;
		return 1;
	}
	if (!futex_trylock(&l->word))
		return 0;
	l->owner = me;
	l->count = 1;
	return 1;
}

static void release(struct __lock *l)
{
	if (--l->count)
		return;
	l->owner = 0;
	futex_unlock(&l->word);
}

/* A stream's lock comes from malloc (under the libc lock, never a stream
 * lock).  Should malloc fail, the lock stays NULL and the stream is used
 * unlocked: one allocation failure must not make fopen fail. */
/* (Each function in a section of its own, so a program that never opens
 * a file links neither them nor, through them, malloc.) */
#define ALONE(name) __attribute__((section(".text." #name)))
ALONE(lock_init) void __retarget_lock_init(_LOCK_T *lock) { *lock = calloc(1, sizeof(struct __lock)); }
ALONE(lock_init_r) void __retarget_lock_init_recursive(_LOCK_T *lock) { __retarget_lock_init(lock); }
ALONE(lock_close) void __retarget_lock_close(_LOCK_T lock) { free(lock); }
ALONE(lock_close_r) void __retarget_lock_close_recursive(_LOCK_T lock) { free(lock); }

void __retarget_lock_acquire(_LOCK_T lock)
{
	if (lock)
		acquire(lock);
}
void __retarget_lock_acquire_recursive(_LOCK_T lock) { __retarget_lock_acquire(lock); }

int __retarget_lock_try_acquire(_LOCK_T lock) { return lock ? try_acquire(lock) : 1; }
int __retarget_lock_try_acquire_recursive(_LOCK_T lock) { return __retarget_lock_try_acquire(lock); }

void __retarget_lock_release(_LOCK_T lock)
{
	if (lock)
		release(lock);
}
void __retarget_lock_release_recursive(_LOCK_T lock) { __retarget_lock_release(lock); }

/* The standard streams are static (libc/libtd.c), so nothing called
 * __retarget_lock_init for them: their locks are these, set before main. */
static struct __lock stdin_lock, stdout_lock, stderr_lock;
static void __attribute__((constructor(101))) std_locks(void)
{
	((struct __file_bufio *)stdin)->lock = &stdin_lock;
	((struct __file_bufio *)stdout)->lock = &stdout_lock;
	((struct __file_bufio *)stderr)->lock = &stderr_lock;
}

/* POSIX flockfile: hold a stream across several calls.  Only buffered
 * streams (fopen, fdopen, the standard ones) have a lock; others, like
 * sprintf's, belong to one thread anyway. */
static _LOCK_T lock_of(FILE *f)
{
	return (f->flags & __SBUF) ? ((struct __file_bufio *)f)->lock : 0;
}
ALONE(flockfile) void flockfile(FILE *f) { __retarget_lock_acquire(lock_of(f)); }
ALONE(ftrylockfile) int ftrylockfile(FILE *f) { return __retarget_lock_try_acquire(lock_of(f)) ? 0 : -1; }
ALONE(funlockfile) void funlockfile(FILE *f) { __retarget_lock_release(lock_of(f)); }

/* printf and its kin as one piece: picolibc locks a stream for each
 * character it puts, so two threads' lines could interleave letter by
 * letter.  These take the stream's lock around the whole call, as POSIX
 * asks of stdio; they replace picolibc's own, each of which is alone in
 * its object file. */
ALONE(vprintf) int vprintf(const char *fmt, va_list ap)
{
	flockfile(stdout);
	int n = vfprintf(stdout, fmt, ap);
	funlockfile(stdout);
	return n;
}

ALONE(printf) int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

ALONE(fprintf) int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	flockfile(f);
	int n = vfprintf(f, fmt, ap);
	funlockfile(f);
	va_end(ap);
	return n;
}

ALONE(puts) int puts(const char *s)
{
	flockfile(stdout);
	int r = fputs(s, stdout) < 0 || putc('\n', stdout) < 0 ? EOF : 0;
	funlockfile(stdout);
	return r;
}

/* fork copies only the calling thread.  A lock another thread held at
 * that moment would stay held in the child for ever, by no one, and its
 * first malloc or printf would hang.  So in a process with threads, fork
 * takes picolibc's locks first (the streams before the libc lock, the
 * order the library itself nests them; then pthread.c's stack lists),
 * and parent and child each give them back.  A process with one thread skips all that: nobody else can
 * hold a lock, and the stores of taking and giving back would cost it a
 * copy-on-write fault on each side of every fork. */
int __sys_fork(void);
volatile unsigned __pthread_live = 1; /* threads of the process (pthread.c) */
extern volatile unsigned __pthread_stacks_lock; /* pthread.c's stack cache */
int fork(void)
{
	if (__pthread_live == 1)
		return __sys_fork();
	flockfile(stdin);
	flockfile(stdout);
	flockfile(stderr);
	acquire(&__lock___libc_recursive_mutex);
	futex_lock(&__pthread_stacks_lock);
	int pid = __sys_fork();
	if (pid == 0)
		__pthread_live = 1;
	futex_unlock(&__pthread_stacks_lock);
	release(&__lock___libc_recursive_mutex);
	funlockfile(stderr);
	funlockfile(stdout);
	funlockfile(stdin);
	return pid;
}
