/* pthreadtest.c: POSIX threads (issue 10): mutexes, conditions, once, keys,
 * detach, per-thread errno, thread-safe malloc and stdio, stack guard pages.
 *
 * Each check is built to fail when its mechanism is missing: the counter
 * yields inside its critical section, so a mutex that excludes no one
 * loses increments even on one hart; the errno threads fail different
 * calls at once; the guard check writes the page below the stack.  After
 * every test the free page count must come back to where it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include "tap.h"
#include "uthread.h"

#define PAGE 4096UL

static unsigned long baseline;

/* Free pages back where they were, asked until a deadline: the kernel
 * may finish a thread's exit just after its joiner has returned. */
static void pages_back(const char *what)
{
	ut_trim(); /* the cache's own checks: test_stack_cache */
	unsigned long now = free_pages_settle(baseline);
	check(now == baseline, "%s: free pages back to the baseline (%lu, now %lu)", what, baseline, now);
}

/* --- a counter under a mutex ---------------------------------------------- */

#define NT 8
#define ROUNDS 20000
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile long counter;

static void *count_up(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&count_lock);
		long v = counter;
		if (i % 256 == 0) /* let someone else in, if the lock would */
			sched_yield();
		counter = v + 1;
		pthread_mutex_unlock(&count_lock);
	}
	return (void *)(long)ROUNDS;
}

static void test_counter(void)
{
	pthread_t t[NT];
	int made = 0;
	long sum = 0;
	for (int i = 0; i < NT; i++)
		made += pthread_create(&t[i], 0, count_up, 0) == 0;
	for (int i = 0; i < made; i++) {
		void *v = 0;
		pthread_join(t[i], &v);
		sum += (long)v;
	}
	check(made == NT && sum == (long)NT * ROUNDS, "8 threads created and joined, each returned its value");
	check(counter == (long)NT * ROUNDS, "counter under a mutex is exact: %ld of %ld", counter, (long)NT * ROUNDS);
	pages_back("counter");
}

/* --- producer/consumer with condition variables --------------------------- */

#define SLOTS 8
#define PER_PRODUCER 3000
#define NPROD 3
#define NCONS 3
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_nonempty = PTHREAD_COND_INITIALIZER, q_nonfull = PTHREAD_COND_INITIALIZER;
static int q[SLOTS], q_head, q_len, q_producers = NPROD;
static unsigned seen[NPROD * PER_PRODUCER];

static void *produce(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < PER_PRODUCER; i++) {
		pthread_mutex_lock(&q_lock);
		while (q_len == SLOTS)
			pthread_cond_wait(&q_nonfull, &q_lock);
		q[(q_head + q_len++) % SLOTS] = id * PER_PRODUCER + i;
		pthread_cond_signal(&q_nonempty);
		pthread_mutex_unlock(&q_lock);
	}
	pthread_mutex_lock(&q_lock);
	if (--q_producers == 0)
		pthread_cond_broadcast(&q_nonempty);
	pthread_mutex_unlock(&q_lock);
	return 0;
}

static void *consume(void *arg)
{
	(void)arg;
	long got = 0;
	for (;;) {
		pthread_mutex_lock(&q_lock);
		while (q_len == 0 && q_producers > 0)
			pthread_cond_wait(&q_nonempty, &q_lock);
		if (q_len == 0) {
			pthread_mutex_unlock(&q_lock);
			return (void *)got;
		}
		int v = q[q_head];
		q_head = (q_head + 1) % SLOTS;
		q_len--;
		pthread_cond_signal(&q_nonfull);
		pthread_mutex_unlock(&q_lock);
		if (v >= 0 && v < NPROD * PER_PRODUCER)
			__atomic_add_fetch(&seen[v], 1, __ATOMIC_RELAXED);
		got++;
	}
}

static void test_prodcons(void)
{
	pthread_t p[NPROD], c[NCONS];
	for (long i = 0; i < NCONS; i++)
		pthread_create(&c[i], 0, consume, 0);
	for (long i = 0; i < NPROD; i++)
		pthread_create(&p[i], 0, produce, (void *)i);
	long total = 0;
	for (int i = 0; i < NPROD; i++)
		pthread_join(p[i], 0);
	for (int i = 0; i < NCONS; i++) {
		void *v = 0;
		pthread_join(c[i], &v);
		total += (long)v;
	}
	int lost = 0, dup = 0;
	for (int i = 0; i < NPROD * PER_PRODUCER; i++) {
		lost += seen[i] == 0;
		dup += seen[i] > 1;
	}
	check(total == NPROD * PER_PRODUCER && lost == 0 && dup == 0,
	      "producer/consumer: %ld items taken, none lost (%d), none twice (%d)", total, lost, dup);
	pages_back("producer/consumer");
}

/* --- errno is per thread ---------------------------------------------------- */

static volatile int errno_go;
static void *errno_worker(void *arg)
{
	long k = (long)arg;
	int bad = 0;
	while (!errno_go)
		sched_yield();
	for (int i = 0; i < 300; i++) {
		/* even threads fail with EBADF, odd ones with ENOENT */
		if (k % 2 == 0)
			close(-1 - (int)k);
		else
			open("/no/such/file", O_RDONLY);
		sched_yield();
		if (errno != (k % 2 == 0 ? EBADF : ENOENT))
			bad++;
	}
	return (void *)(long)bad;
}

static void test_errno(void)
{
	pthread_t t[4];
	errno = 0;
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], 0, errno_worker, (void *)i);
	errno = EINTR;
	errno_go = 1;
	long bad = 0;
	for (int i = 0; i < 4; i++) {
		void *v = 0;
		pthread_join(t[i], &v);
		bad += (long)v;
	}
	check(bad == 0, "errno is per thread: %ld of 1200 readings saw another thread's error", bad);
	check(errno == EINTR, "the first thread's errno is its own (%d)", errno);
	pages_back("errno");
}

/* --- malloc, free and printf from 8 threads --------------------------------- */

static FILE *shared;
static void *heap_worker(void *arg)
{
	long k = (long)arg;
	unsigned x = 12345 + k;
	int bad = 0;
	char *keep[16] = { 0 };
	for (int i = 0; i < 400; i++) {
		x = x * 1103515245 + 12345;
		int slot = (x >> 8) % 16;
		size_t n = 1 + (x >> 12) % 3000;
		if (keep[slot]) {
			for (size_t j = 1; j < (unsigned char)keep[slot][0]; j++)
				if (keep[slot][j] != (char)(k + j))
					bad++;
			free(keep[slot]);
		}
		keep[slot] = malloc(n);
		if (!keep[slot]) {
			bad++;
			continue;
		}
		size_t fill = n < 255 ? n : 255;
		keep[slot][0] = (char)fill;
		for (size_t j = 1; j < fill; j++)
			keep[slot][j] = (char)(k + j);
		fprintf(shared, "thread %ld line %d %s\n", k, i, "padding-to-make-the-line-longer");
	}
	for (int s = 0; s < 16; s++)
		free(keep[s]);
	printf("# heap thread %ld done\n", k);
	return (void *)(long)bad;
}

static void test_heap(void)
{
	int pid = fork();
	if (pid == 0) {
		shared = fopen("/tmp/pthreadtest.out", "w");
		if (!shared)
			_exit(10);
		pthread_t t[NT];
		long bad = 0;
		for (long i = 0; i < NT; i++)
			if (pthread_create(&t[i], 0, heap_worker, (void *)i))
				_exit(11);
		for (int i = 0; i < NT; i++) {
			void *v = 0;
			pthread_join(t[i], &v);
			bad += (long)v;
		}
		fclose(shared);
		if (bad)
			_exit(12);
		/* every line whole, each once */
		static unsigned char lines[NT][400];
		FILE *f = fopen("/tmp/pthreadtest.out", "r");
		char buf[128];
		int n = 0;
		while (f && fgets(buf, sizeof buf, f)) {
			long k;
			int i;
			char pad[64];
			if (sscanf(buf, "thread %ld line %d %63s", &k, &i, pad) != 3 || k < 0 || k >= NT || i < 0 ||
			    i >= 400 || strcmp(pad, "padding-to-make-the-line-longer") != 0)
				_exit(13);
			lines[k][i]++;
			n++;
		}
		if (f)
			fclose(f);
		unlink("/tmp/pthreadtest.out");
		if (n != NT * 400)
			_exit(14);
		for (int k = 0; k < NT; k++)
			for (int i = 0; i < 400; i++)
				if (lines[k][i] != 1)
					_exit(15);
		_exit(0);
	}
	int st = reap(pid);
	check(st == 0, "8 threads malloc, free and fprintf at once: no corruption, every line whole (status %#x)", st);
	pages_back("malloc/printf (in a child)");
}

/* --- trylock and mutex types ------------------------------------------------ */

static pthread_mutex_t try_lock = PTHREAD_MUTEX_INITIALIZER;
static void *try_other(void *arg)
{
	(void)arg;
	return (void *)(long)pthread_mutex_trylock(&try_lock);
}

static int trylock_from_other(void)
{
	pthread_t t;
	void *v = (void *)-1L;
	if (pthread_create(&t, 0, try_other, 0) || pthread_join(t, &v))
		return -1;
	return (int)(long)v;
}

static void test_trylock(void)
{
	pthread_mutex_lock(&try_lock);
	int held = trylock_from_other();
	pthread_mutex_unlock(&try_lock);
	int freed = trylock_from_other(); /* and the other thread now holds it */
	check(held == EBUSY && freed == 0, "trylock: EBUSY while held (%d), 0 when free (%d)", held, freed);
	pthread_mutex_unlock(&try_lock);

	pthread_mutexattr_t a;
	pthread_mutex_t m;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &a);
	int r1 = pthread_mutex_lock(&m), r2 = pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	int r3 = pthread_mutex_unlock(&m);
	check(r1 == 0 && r2 == EDEADLK && r3 == EPERM, "errorcheck mutex: relock EDEADLK (%d), unlock unheld EPERM (%d)", r2, r3);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&m, &a);
	r1 = pthread_mutex_lock(&m);
	r2 = pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	r3 = pthread_mutex_trylock(&m);
	pthread_mutex_unlock(&m);
	pthread_mutex_unlock(&m);
	int r4 = pthread_mutex_destroy(&m);
	check(r1 == 0 && r2 == 0 && r3 == 0 && r4 == 0, "recursive mutex: locked twice, unlocked twice, free after");
	pages_back("trylock");
}

/* --- cond_timedwait times out ------------------------------------------------ */

static void test_timedwait(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timeval tv;
	gettimeofday(&tv, 0);
	struct timespec until = { tv.tv_sec, tv.tv_usec * 1000L + 100000000L }; /* + 100 ms */
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	long t0 = clock_ns();
	pthread_mutex_lock(&m);
	int r = pthread_cond_timedwait(&c, &m, &until);
	long ms = (clock_ns() - t0) / 1000000;
	int held = pthread_mutex_trylock(&m);
	pthread_mutex_unlock(&m);
	check(r == ETIMEDOUT && ms >= 99, "cond_timedwait with no signal: ETIMEDOUT (%d) after %ld ms of 100", r, ms);
	check(held == EBUSY, "cond_timedwait returns with the mutex held again");
	until.tv_sec -= 1;
	pthread_mutex_lock(&m);
	r = pthread_cond_timedwait(&c, &m, &until);
	pthread_mutex_unlock(&m);
	check(r == ETIMEDOUT, "cond_timedwait for a time gone by: ETIMEDOUT at once");
}

/* --- once ------------------------------------------------------------------ */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static volatile int once_runs, once_done;
static void once_init(void)
{
	once_runs++;
	msleep(30); /* the others must wait for it, not go past */
	once_done = 1;
}
static void *once_worker(void *arg)
{
	(void)arg;
	pthread_once(&once, once_init);
	return (void *)(long)once_done;
}

static void test_once(void)
{
	pthread_t t[NT];
	int all_done = 1;
	for (int i = 0; i < NT; i++)
		pthread_create(&t[i], 0, once_worker, 0);
	for (int i = 0; i < NT; i++) {
		void *v = 0;
		pthread_join(t[i], &v);
		all_done &= (long)v == 1;
	}
	pthread_once(&once, once_init);
	check(once_runs == 1 && all_done, "pthread_once: ran once (%d times) and every caller saw it finished", once_runs);
	pages_back("once");
}

/* --- keys and their destructors -------------------------------------------- */

static pthread_key_t key;
static volatile long destroyed, destroyed_sum;
static void key_destructor(void *v)
{
	__atomic_add_fetch(&destroyed, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&destroyed_sum, *(long *)v, __ATOMIC_RELAXED);
}
static long key_values[4] = { 1, 10, 100, 1000 };
static void *key_worker(void *arg)
{
	long k = (long)arg;
	int ok = pthread_getspecific(key) == 0;
	pthread_setspecific(key, &key_values[k]);
	sched_yield();
	ok = ok && pthread_getspecific(key) == &key_values[k];
	if (k == 3)
		pthread_exit((void *)(long)ok); /* destructors run on pthread_exit too */
	return (void *)(long)ok;
}

static void test_keys(void)
{
	static long mine = 5;
	int r = pthread_key_create(&key, key_destructor);
	pthread_setspecific(key, &mine);
	pthread_t t[4];
	int ok = 1;
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], 0, key_worker, (void *)i);
	for (int i = 0; i < 4; i++) {
		void *v = 0;
		pthread_join(t[i], &v);
		ok &= (long)v == 1;
	}
	check(r == 0 && ok && pthread_getspecific(key) == &mine, "keys: each thread sees its own value, NULL at first");
	check(destroyed == 4 && destroyed_sum == 1111, "keys: the destructor ran once per thread with its value (%ld, sum %ld)",
	      destroyed, destroyed_sum);
	pthread_key_delete(key);
	pthread_key_t k2;
	pthread_key_create(&k2, 0);
	check(pthread_getspecific(k2) == 0, "a new key reads NULL, whatever the deleted one held");
	pthread_key_delete(k2);
	pages_back("keys");
}

/* --- detach, and join's errors ------------------------------------------- */

static volatile unsigned detached_ran;
static void *detached_worker(void *arg)
{
	(void)arg;
	msleep(5);
	__atomic_add_fetch(&detached_ran, 1, __ATOMIC_RELEASE);
	return 0;
}
static void *nothing(void *arg) { return arg; }

static void test_detach(void)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_t t1, t2, t3;
	int r1 = pthread_create(&t1, &a, detached_worker, 0);
	int r2 = pthread_create(&t2, 0, detached_worker, 0);
	int r3 = pthread_detach(t2);
	/* before it ends: still detached (undefined in POSIX: uthread.h) */
	int j = UT_JOIN_CHECKS ? pthread_join(t2, 0) : EINVAL;
	pthread_create(&t3, 0, nothing, 0);
	pthread_detach(t3); /* it may well have ended already */
	for (int i = 0; i < 500 && detached_ran < 2; i++)
		msleep(10);
	check(r1 == 0 && r2 == 0 && r3 == 0 && detached_ran == 2, "detached threads run to the end");
	if (UT_JOIN_CHECKS)
		check(j == EINVAL, "joining a detached thread: EINVAL (%d)", j);
	else
		printf("ok - (joining a detached thread: not tried, this library stops the program)\n");
	if (UT_JOIN_CHECKS)
		check(pthread_join(pthread_self(), 0) == EDEADLK, "joining oneself: EDEADLK");
	else
		printf("ok - (joining oneself: not tried, this library waits for ever)\n");
	/* their stacks go at the next create or join */
	for (int i = 0; i < 10; i++) {
		pthread_t t;
		pthread_create(&t, 0, nothing, 0);
		pthread_join(t, 0);
		if (free_pages() == baseline)
			break;
		msleep(10);
	}
	pages_back("detach");
}

/* --- many threads, stacks given back; attributes ----------------------------- */

static void *stack_user(void *arg)
{
	size_t n = (size_t)arg;
	volatile char buf[2048];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)i;
	/* touch the stack down to n bytes below here */
	volatile char *p = (volatile char *)&buf[0];
	for (size_t off = 0; off < n; off += PAGE)
		(void)p[-(long)off];
	return (void *)(long)buf[100];
}

static void test_stacks(void)
{
	int ok = 1;
	for (int i = 0; i < 100 && ok; i++) {
		pthread_t t;
		void *v = 0;
		ok = pthread_create(&t, 0, stack_user, (void *)(64 * 1024UL)) == 0 && pthread_join(t, &v) == 0 && (long)v == 100;
	}
	check(ok, "100 threads, each touching 64 KiB of stack, created and joined in turn");
	pthread_attr_t a;
	size_t sz = 0;
	pthread_attr_init(&a);
	int small = pthread_attr_setstacksize(&a, 100);
	pthread_attr_setstacksize(&a, 1024 * 1024);
	pthread_attr_getstacksize(&a, &sz);
	pthread_t t;
	void *v = 0;
	int r = pthread_create(&t, &a, stack_user, (void *)(900 * 1024UL));
	pthread_join(t, &v);
	check(small == EINVAL && sz == 1024 * 1024 && r == 0 && (long)v == 100,
	      "setstacksize: 1 MiB honoured (900 KiB touched), below the minimum EINVAL");
	pages_back("100 threads");
}

/* --- guard pages ------------------------------------------------------------ */

/* Where the guard page is, the thread library says (uthread.h). */
#define GUARD_STACK (16 * 1024UL)
static void *write_guard(void *arg)
{
	(void)arg;
	volatile char *guard = ut_guard_page(GUARD_STACK);
	printf("# guard page at %p\n", (void *)guard);
	fflush(stdout);
	guard[100] = 1;
	return 0;
}

static int recurse(int n)
{
	volatile char buf[512];
	buf[0] = (char)n;
	return n > 0 ? recurse(n - 1) + buf[0] : 0;
}
static void *overflow(void *arg)
{
	(void)arg;
	return (void *)(long)recurse(1000000);
}

static int die_in_thread(void *(*fn)(void *))
{
	int pid = fork();
	if (pid == 0) {
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, GUARD_STACK);
		pthread_t t;
		if (pthread_create(&t, &a, fn, 0))
			_exit(2);
		pthread_join(t, 0);
		_exit(0);
	}
	return reap(pid);
}

static void test_guard(void)
{
	int st = die_in_thread(write_guard);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a write to the guard page below a thread's stack kills the process (status %#x)", st);
	st = die_in_thread(overflow);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a thread running off its stack is killed by the guard page (status %#x)", st);
	pages_back("guard page");
}

/* --- exit() from one thread ends them all ------------------------------------- */

static void *spin_forever(void *arg) /* arg 0: for ever */
{
	while (!arg)
		__asm__ volatile("");
	return arg;
}
static void *sleep_forever(void *arg)
{
	while (!arg)
		msleep(1000);
	return arg;
}
static void *exit_now(void *arg)
{
	(void)arg;
	msleep(20);
	exit(5);
}

static pthread_t first;
static void *join_first(void *arg)
{
	(void)arg;
	void *v = 0;
	int r = pthread_join(first, &v);
	if (r != 0 || v != (void *)42L)
		exit(1);
	return 0; /* the last thread: its end is the process's, exit(0) */
}

/* pthreadtest exitfirst: the first thread ends with pthread_exit and
 * another joins it.  In a process of its own, exec's: musl 1.2.3 leaves
 * a forked child's first thread without the kernel's clear_tid word
 * (set_tid_address), so that its pthread_exit keeps musl's thread-list
 * lock for ever (on Linux too). */
static void exit_first(void)
{
	pthread_t t;
	first = pthread_self();
	pthread_create(&t, 0, join_first, 0);
	pthread_exit((void *)42L);
}

static void test_exit(void)
{
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		char *argv[] = { "pthreadtest", "exitfirst", NULL };
		execve("/test/pthreadtest", argv, NULL);
		_exit(99);
	}
	int st = reap(pid);
	check(st == 0, "pthread_exit in the first thread, joined by another; the last thread's end is exit(0) (status %#x)", st);

	pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, 0, spin_forever, 0);
		pthread_create(&t, 0, sleep_forever, 0);
		pthread_create(&t, 0, exit_now, 0);
		pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
		pthread_cond_t c = PTHREAD_COND_INITIALIZER;
		pthread_mutex_lock(&m);
		pthread_cond_wait(&c, &m); /* never signalled */
		_exit(1);
	}
	st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 5, "exit(5) in one thread ends the spinning, sleeping and waiting ones (status %#x)", st);
	pages_back("exit from a thread");
}

/* --- fork while another thread holds malloc's and stdout's locks ------------- */

static volatile int holding;
static void *hold_locks(void *arg)
{
	(void)arg;
	flockfile(stdout);
	ut_malloc_lock();
	holding = 1;
	msleep(50);
	ut_malloc_unlock();
	funlockfile(stdout);
	return 0;
}

static void test_fork(void)
{
	pthread_t t;
	holding = 0;
	pthread_create(&t, 0, hold_locks, 0);
	while (!holding)
		sched_yield();
	int pid = fork(); /* only this thread is copied: not the holder */
	if (pid == 0) {
		char *p = malloc(100);
		printf("# the child of a threaded process can malloc and printf\n");
		free(p);
		_exit(p ? 0 : 1);
	}
	int st = -1;
	for (int i = 0; i < 500 && waitpid(pid, &st, WNOHANG) == 0; i++)
		msleep(10);
	if (st == -1) {
		kill(pid, SIGKILL);
		reap(pid);
	}
	pthread_join(t, 0);
	check(st == 0, "fork while another thread holds malloc's and stdout's locks: the child can use both (status %#x)", st);
	pages_back("fork from a thread");
}

/* --- no system call on the fast paths ---------------------------------------- */

static long my_syscalls(void)
{
	struct kprocinfo rows[64];
	int n = procinfo(rows, 64), pid = getpid();
	for (int i = 0; i < n && i < 64; i++)
		if (rows[i].pid == pid)
			return (long)rows[i].syscalls;
	return -1;
}

static void test_no_syscall(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	pthread_once_t o = PTHREAD_ONCE_INIT;
	pthread_once(&o, once_init);
	free(malloc(32)); /* the heap has room now: no sbrk below */
	long empty0 = my_syscalls(), empty1 = my_syscalls();
	long a = my_syscalls();
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_trylock(&m);
		pthread_cond_signal(&c);
		pthread_cond_broadcast(&c);
		pthread_mutex_unlock(&m);
		pthread_once(&o, once_init);
		char *p = malloc(32); /* malloc's lock and stdio's too */
		free(p);
	}
	long b = my_syscalls();
	check(a >= 0 && b - a == empty1 - empty0,
	      "uncontended lock/unlock, trylock, signal and once make no system call (%ld calls, %ld for procinfo alone)", b - a,
	      empty1 - empty0);
}

/* --- the stack cache ---------------------------------------------------------- */

#define CACHE_MANY 24 /* more default stacks than the cache's 4 MiB hold */

/* The system calls of one create + join. */
static long create_join_calls(void)
{
	pthread_t t;
	long a = my_syscalls();
	pthread_create(&t, 0, nothing, 0);
	pthread_join(t, 0);
	return my_syscalls() - a;
}

static void test_stack_cache(void)
{
	ut_trim();
	long miss = create_join_calls(); /* mmap and mprotect a stack, cache it */
	long hit = create_join_calls();  /* the cached one again */
	if (UT_STACK_CACHE)
		check(miss - hit == 2, "a joined thread's stack is reused: no mmap or mprotect (%ld system calls, %ld uncached)", hit, miss);
	else { /* each create maps a stack, each join unmaps it */
		unsigned long f0 = free_pages();
		create_join_calls();
		unsigned long f1 = free_pages_settle(f0);
		check(hit >= 3 && miss >= 3 && f1 == f0,
		      "no stack cache: each create maps a stack (%ld, %ld system calls), its join gives it back (%lu, %lu free pages)",
		      hit, miss, f0, f1);
	}
	/* 24 stacks at once, none reusable until joined: the cache keeps what fits */
	enum { MANY = CACHE_MANY };
	pthread_t t[MANY];
	int made = 0;
	for (int i = 0; i < MANY; i++)
		made += pthread_create(&t[i], 0, nothing, 0) == 0;
	for (int i = 0; i < MANY; i++)
		pthread_join(t[i], 0);
	size_t kept = ut_trim();
	if (UT_STACK_CACHE)
		check(made == MANY && kept > 0 && kept <= (4UL << 20), "the cache is bounded: %zu of %d stacks' bytes kept (at most 4 MiB)", kept, MANY);
	else
		check(made == MANY && kept == 0, "%d threads at once, created and joined (each join unmaps its stack)", MANY);
	pages_back("stack cache");
}

/* The first thread's stack, exec's, keeps the pages it grew into: grow
 * it once before the baseline, deeper than any test goes (my_syscalls'
 * rows below create_join_calls are the deepest). */
static void __attribute__((noinline)) grow_stack(void)
{
	volatile char deep[32 * 1024];
	for (size_t i = 0; i < sizeof deep; i += PAGE)
		deep[i] = 1;
}

/* --- futex words the kernel cannot read at once ------------------------------ */

/* futex_wait reads the word with the scheduler's lock held, where a
 * fault cannot be resolved: it lets go, faults the page in and reads
 * again.  A page never touched is there after that (demand-zero); an
 * unmapped or PROT_NONE one is EFAULT. */
static void test_futex_fault(void)
{
	char *m = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile unsigned *fresh = (volatile unsigned *)m, *gone = (volatile unsigned *)(m + PAGE);
	munmap(m + PAGE, PAGE);
	long r1 = __futex_wait(fresh, 1, 0); /* reads 0 after the fault: not 1 */
	int e1 = errno;
	long r2 = __futex_wait(gone, 0, 0);
	int e2 = errno;
	check(m != MAP_FAILED && r1 == -1 && e1 == EAGAIN, "futex_wait on a page not yet touched: faulted in, EAGAIN (errno %d)", e1);
	mprotect(m, PAGE, PROT_NONE);
	long r3 = __futex_wait(fresh, 0, 0);
	int e3 = errno;
	check(r2 == -1 && e2 == EFAULT && r3 == -1 && e3 == EFAULT,
	      "futex_wait on an unmapped or PROT_NONE word: EFAULT (errno %d, %d)", e2, e3);
	munmap(m, PAGE);
}

/* pthreadtest guard: a thread writes its guard page, unforked, so that
 * tests/test_pthreads.py sees the kernel's message about it. */
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exitfirst") == 0)
		exit_first();
	if (argc > 1 && strcmp(argv[1], "guard") == 0) {
		pthread_attr_t a;
		pthread_t t;
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, GUARD_STACK);
		pthread_create(&t, &a, write_guard, 0);
		pthread_join(t, 0);
		printf("the guard page was written\n");
		return 1;
	}
	plan(44);
	/* a first round of threads, as many at once as the most any test
	 * makes (test_stack_cache): the kernel's own tables grow once */
	pthread_t w[CACHE_MANY];
	for (int i = 0; i < CACHE_MANY; i++)
		pthread_create(&w[i], 0, nothing, 0);
	for (int i = 0; i < CACHE_MANY; i++)
		pthread_join(w[i], 0);
	msleep(20);
	ut_trim();
	grow_stack();
	baseline = free_pages();
	note("free pages at the start: %lu", baseline);

	test_counter();    /* checks: 3 */
	test_prodcons();   /* 2 */
	test_errno();      /* 3 */
	test_heap();       /* 2 */
	test_trylock();    /* 4 */
	test_timedwait();  /* 3 */
	test_once();       /* 2 */
	test_keys();       /* 4 */
	test_detach();     /* 4 */
	test_stacks();     /* 3 */
	test_guard();      /* 3 */
	test_exit();       /* 3 */
	test_fork();       /* 2 */
	test_no_syscall(); /* 1 */
	test_stack_cache(); /* 3 */
	test_futex_fault(); /* 2: 44 in all */
	return tap_done();
}
