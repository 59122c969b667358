/* mmaptest.c: anonymous mappings (mmap, munmap, mprotect), from user mode.
 * Every error path; zero fill on first touch; munmap and mprotect of any
 * page range; fork, exec, RLIMIT_AS; free pages back to the baseline.
 *   mmaptest          the checks (TAP)
 *   mmaptest hole     touch a page unmapped from a mapping's middle: killed
 *   mmaptest guard    touch a PROT_NONE page: killed
 * (the last two print the address first; tests/test_mmap.py reads the
 * kernel's line about them).
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include "tap.h"
#include "uarch.h"

#define PAGE 4096UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define PGROUNDUP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

static unsigned long baseline;
int main(int argc, char **argv);

static char *map(size_t len, int prot) { return mmap(NULL, len, prot, ANON, -1, 0); }

/* mmap failed with errno e? */
static int fails(void *r, int e) { return r == MAP_FAILED && errno == e; }
static int fails_i(int r, int e) { return r == -1 && errno == e; }

/* Fill p[0..n) with a pattern of v, or check that p[off..off+n) holds
 * that pattern still. */
static void fill(char *p, size_t n, int v)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(v + i % 251);
}
static int holds(const char *p, size_t off, size_t n, int v)
{
	for (size_t i = off; i < off + n; i++)
		if (p[i] != (char)(v + i % 251))
			return 0;
	return 1;
}
static int zeros(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void check_baseline(const char *what)
{
	unsigned long f = free_pages_settle(baseline);
	check(f == baseline, "%s: free pages back to the baseline (%lu, baseline %lu)", what, f, baseline);
}

/* Run fn(arg) in a child; its wait status. */
static int in_child(void (*fn)(void *), void *arg)
{
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return reap(pid);
}
static int segv(int st) { return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV; }
static int exited_ok(int st) { return WIFEXITED(st) && WEXITSTATUS(st) == 0; }

static volatile char sink;
static void touch_read(void *a) { sink = *(volatile char *)a; }
static void touch_write(void *a) { *(volatile char *)a = 1; }
static void call(void *a) { ((void (*)(void))a)(); }

/* The user pages procinfo counts for this process. */
static unsigned long my_pages(void)
{
	static struct kprocinfo rows[64];
	int n = procinfo(rows, 64), pid = getpid();
	for (int i = 0; i < n; i++)
		if (rows[i].pid == pid)
			return rows[i].mem_pages;
	return 0;
}

static unsigned long tlb_ipis(void)
{
	struct kmeminfo mi;
	meminfo(&mi);
	return mi.tlb_ipis;
}

static void test_errors(void)
{
	char *heap = sbrk(0);
	check(fails(mmap(NULL, 0, RW, ANON, -1, 0), EINVAL), "mmap: length 0 is EINVAL");
	check(fails(mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0), EINVAL), "mmap: MAP_SHARED is EINVAL");
	check(fails(mmap(NULL, PAGE, RW, MAP_ANONYMOUS, -1, 0), EINVAL), "mmap: neither shared nor private is EINVAL");
	check(fails(mmap(NULL, PAGE, RW, MAP_PRIVATE, -1, 0), EBADF), "mmap: a file mapping of fd -1 is EBADF");
	check(fails(mmap(NULL, PAGE, RW, MAP_PRIVATE, 0, 0), ENODEV), "mmap: a file mapping of an open fd is ENODEV");
	check(fails(mmap(NULL, PAGE, RW, ANON, 0, 0), EBADF), "mmap: anonymous with an fd other than -1 is EBADF");
	check(fails(mmap(NULL, PAGE, 8, ANON, -1, 0), EINVAL), "mmap: an unknown PROT bit is EINVAL");
	check(fails(mmap(NULL, PAGE, PROT_WRITE | PROT_EXEC, ANON, -1, 0), EACCES), "mmap: write with execute is EACCES");
	check(fails(mmap(NULL, PAGE, RW, ANON, -1, 100), EINVAL), "mmap: an unaligned offset is EINVAL");
	check(fails(mmap(NULL, UA_USER_END, RW, ANON, -1, 0), ENOMEM), "mmap: all of user space (%#lx) is ENOMEM",
	      UA_USER_END);
	char *a = map(PAGE, RW);
	check(a != MAP_FAILED, "mmap: one page");
	check(fails(mmap(a + 1, PAGE, RW, ANON | MAP_FIXED, -1, 0), EINVAL), "mmap: MAP_FIXED unaligned is EINVAL");
	check(fails(mmap((void *)KERNEL_ADDR, PAGE, RW, ANON | MAP_FIXED, -1, 0), EINVAL),
	      "mmap: MAP_FIXED at a kernel address is EINVAL");
	check(fails(mmap((void *)PGROUNDUP((unsigned long)heap), PAGE, RW, ANON | MAP_FIXED, -1, 0), EINVAL),
	      "mmap: MAP_FIXED over the heap is EINVAL");
	check(fails(mmap((void *)UA_STACK_PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0), EINVAL),
	      "mmap: MAP_FIXED over the stack is EINVAL");
	check(fails(mmap(a, 1UL << 37, RW, ANON | MAP_FIXED, -1, 0), EINVAL),
	      "mmap: MAP_FIXED running past the mmap area is EINVAL");
	check(fails_i(munmap(a + 1, PAGE), EINVAL), "munmap: unaligned is EINVAL");
	check(fails_i(munmap(a, 0), EINVAL), "munmap: length 0 is EINVAL");
	check(fails_i(munmap((void *)KERNEL_ADDR, PAGE), EINVAL), "munmap: a kernel address is EINVAL");
	check(fails_i(munmap((void *)PGROUNDUP((unsigned long)heap), PAGE), EINVAL), "munmap: the heap is EINVAL");
	/* the call itself: musl's mprotect() rounds the address down first */
	check(fails_i(syscall(SYS_mprotect, a + 1, PAGE, PROT_READ), EINVAL), "mprotect: unaligned is EINVAL");
	check(fails_i(mprotect(a, PAGE, 8), EINVAL), "mprotect: an unknown PROT bit is EINVAL");
	check(fails_i(mprotect(a, PAGE, PROT_WRITE | PROT_EXEC), EACCES), "mprotect: write with execute is EACCES");
	check(fails_i(mprotect(a, 2 * PAGE, PROT_READ), ENOMEM), "mprotect: a range not all mapped is ENOMEM");
	check(fails_i(mprotect((void *)((unsigned long)main & ~(PAGE - 1)), PAGE, RW), ENOMEM),
	      "mprotect: the program's text is ENOMEM");
	check(mprotect(a, 0, PROT_READ) == 0, "mprotect: length 0 succeeds");
	a[0] = 5; /* and the failed calls left it writable */
	check(munmap(a, PAGE) == 0 && munmap(a, PAGE) == 0, "munmap: twice is no error");
}

static void test_basics(void)
{
	unsigned long f0 = free_pages(), m0 = my_pages();
	char *p = map(64 * PAGE, RW);
	char *brk = sbrk(0);
	check(p != MAP_FAILED && (unsigned long)p % PAGE == 0 && (unsigned long)p >= (1UL << 34) &&
		      (unsigned long)p < UA_MMAP_END,
	      "mmap: page aligned, between the heap's maximum and the stack (%p)", p);
	unsigned long f1 = free_pages();
	check(f0 - f1 <= 2, "mmap: no pages taken before the first touch (%lu)", f0 - f1);
	check(zeros(p, 64 * PAGE), "mmap: 64 pages read as zeros");
	fill(p, 64 * PAGE, 7);
	check(holds(p, 0, 64 * PAGE, 7), "mmap: writes are read back");
	unsigned long f2 = free_pages();
	check(f1 - f2 >= 64 && f1 - f2 <= 66, "mmap: touching 64 pages takes 64 pages (%lu)", f1 - f2);
	check(my_pages() - m0 >= 64, "mmap: the pages count in procinfo's mem_pages (the OOM killer's measure)");
	check(munmap(p, 64 * PAGE) == 0, "munmap: the whole mapping");
	check(free_pages() == f0, "munmap: free pages back where they were, page tables too (%lu, %lu)", free_pages(),
	      f0);
	check(my_pages() == m0, "munmap: procinfo's count back where it was");
	check(segv(in_child(touch_read, p + 5 * PAGE)), "munmap: touching the unmapped range kills (SIGSEGV)");

	/* a mapping of 1 GiB costs nothing until touched */
	char *g = map(1UL << 30, RW);
	check(g != MAP_FAILED, "mmap: 1 GiB");
	g[(1UL << 29) + 123] = 9;
	check(g[(1UL << 29) + 123] == 9 && g[0] == 0 && f0 - free_pages() <= 8,
	      "mmap: 1 GiB, one page touched, a few pages used (%lu)", f0 - free_pages());
	munmap(g, 1UL << 30);
	check(free_pages() == f0, "munmap: 1 GiB gives every page back");

	/* addresses handed back are zeros again, not the old contents */
	p = map(4 * PAGE, RW);
	fill(p, 4 * PAGE, 3);
	munmap(p, 4 * PAGE);
	char *q = mmap(p, 4 * PAGE, RW, ANON, -1, 0);
	check(q == p, "mmap: a free hint is taken as it is");
	check(zeros(q, 4 * PAGE), "mmap: a mapping where another was reads zeros");
	char *r = mmap(p, PAGE, RW, ANON, -1, 0);
	check(r != MAP_FAILED && r != p, "mmap: a hint that is taken goes elsewhere");
	char *s = mmap(p + 10, PAGE, RW, ANON, -1, 0);
	check(s != MAP_FAILED && (unsigned long)s % PAGE == 0, "mmap: an unaligned hint still maps, page aligned");
	char *t = mmap((void *)0x1000, PAGE, RW, ANON, -1, 0);
	check(t != MAP_FAILED && t > brk, "mmap: a hint outside the area maps elsewhere in it");
	munmap(r, PAGE);
	munmap(s, PAGE);
	munmap(t, PAGE);
	/* MAP_FIXED replaces */
	fill(q, 4 * PAGE, 11);
	char *x = mmap(q + PAGE, 2 * PAGE, RW, ANON | MAP_FIXED, -1, 0);
	check(x == q + PAGE, "MAP_FIXED: at exactly that address");
	check(zeros(x, 2 * PAGE) && holds(q, 0, PAGE, 11) && holds(q, 3 * PAGE, PAGE, 11),
	      "MAP_FIXED: replaces the pages it covers, keeps the others");
	munmap(q, 4 * PAGE);
	check(free_pages() == f0, "MAP_FIXED: no page lost");
}

static void test_munmap_split(void)
{
	unsigned long f0 = free_pages();
	char *p = map(8 * PAGE, RW);
	fill(p, 8 * PAGE, 1);
	check(munmap(p + 2 * PAGE, 2 * PAGE) == 0, "munmap: two pages in the middle");
	check(holds(p, 0, 2 * PAGE, 1) && holds(p, 4 * PAGE, 4 * PAGE, 1),
	      "munmap in the middle: both ends keep their data");
	check(segv(in_child(touch_read, p + 2 * PAGE)) && segv(in_child(touch_write, p + 3 * PAGE)),
	      "munmap in the middle: the hole faults");
	munmap(p, PAGE);
	munmap(p + 7 * PAGE, PAGE);
	check(holds(p, PAGE, PAGE, 1) && holds(p, 4 * PAGE, 3 * PAGE, 1),
	      "munmap of the first and the last page: the rest stays");
	check(segv(in_child(touch_read, p)) && segv(in_child(touch_read, p + 7 * PAGE)),
	      "munmap of the first and the last page: they fault");
	check(munmap(p, 8 * PAGE) == 0, "munmap: one call over the pieces and the holes");
	check(free_pages() == f0, "munmap: pieces and holes: no page lost");
}

static void test_mprotect(void)
{
	unsigned long f0 = free_pages();
	char *p = map(6 * PAGE, RW);
	fill(p, 6 * PAGE, 2);
	check(mprotect(p + PAGE, 2 * PAGE, PROT_READ) == 0, "mprotect: two pages in the middle read-only");
	check(holds(p, PAGE, 2 * PAGE, 2), "mprotect PROT_READ: still readable");
	check(segv(in_child(touch_write, p + PAGE)) && segv(in_child(touch_write, p + 2 * PAGE)),
	      "mprotect PROT_READ: a write kills");
	p[0] = 1;
	p[3 * PAGE] = 1;
	check(exited_ok(in_child(touch_write, p + 5 * PAGE)), "mprotect: the pages around it stay writable");
	int fd[2];
	pipe(fd);
	write(fd[1], "abc", 3);
	check(fails_i(read(fd[0], p + PAGE, 3), EFAULT), "mprotect PROT_READ: read() into it is EFAULT");
	check(mprotect(p, 6 * PAGE, RW) == 0, "mprotect: across the pieces, back to read-write");
	p[PAGE] = 2;
	check(p[PAGE] == 2 && holds(p, PAGE + 1, PAGE - 1, 2), "mprotect back: writable, data kept");

	/* PROT_NONE: a guard page that keeps its contents */
	check(mprotect(p + 4 * PAGE, PAGE, PROT_NONE) == 0, "mprotect: PROT_NONE");
	check(segv(in_child(touch_read, p + 4 * PAGE)) && segv(in_child(touch_write, p + 4 * PAGE + 100)),
	      "mprotect PROT_NONE: a read or a write kills");
	write(fd[1], "abc", 3); /* something to read: the read must not block */
	check(fails_i(write(fd[1], p + 4 * PAGE, 3), EFAULT) && fails_i(read(fd[0], p + 4 * PAGE, 3), EFAULT),
	      "mprotect PROT_NONE: write() from it and read() into it are EFAULT");
	check(mprotect(p + 4 * PAGE, PAGE, PROT_READ) == 0 && holds(p, 4 * PAGE, PAGE, 2),
	      "mprotect PROT_NONE, then PROT_READ: the old contents are back");
	close(fd[0]);
	close(fd[1]);

	/* a page mapped PROT_NONE from the start */
	char *n = map(3 * PAGE, PROT_NONE);
	check(n != MAP_FAILED && segv(in_child(touch_read, n)), "mmap PROT_NONE: a touch kills");
	munmap(n + 2 * PAGE, PAGE);
	check(mprotect(n, 2 * PAGE, RW) == 0 && zeros(n, 2 * PAGE), "mmap PROT_NONE, then read-write: zeros");
	check(fails_i(mprotect(n, 3 * PAGE, PROT_NONE), ENOMEM) && (n[0] = 1) == 1,
	      "mprotect over a hole: ENOMEM, and nothing changed");

	/* PROT_EXEC: code written, then made executable (never both) */
	unsigned char *code = (unsigned char *)map(PAGE, RW);
	memcpy(code, ua_ret42, sizeof ua_ret42); /* return 42; */
	check(segv(in_child(call, code)), "PROT_READ|PROT_WRITE: a jump into it kills");
	check(mprotect(code, PAGE, PROT_READ | PROT_EXEC) == 0, "mprotect: PROT_READ|PROT_EXEC");
	ua_sync_icache();
	check(((int (*)(void))code)() == 42, "PROT_EXEC: the code runs");
	check(segv(in_child(touch_write, code)), "PROT_READ|PROT_EXEC: a write kills");
	munmap(code, PAGE);
	munmap(n, 2 * PAGE);
	munmap(p, 6 * PAGE);
	check(free_pages() == f0, "mprotect: no page lost");
}

struct forkarg {
	char *p;
	int fd;
};
static void child_cow(void *a)
{
	char *p = a;
	if (!holds(p, 0, 4 * PAGE, 5))
		_exit(1);
	fill(p, 4 * PAGE, 6);
	if (!holds(p, 0, 4 * PAGE, 6))
		_exit(2);
}
static void child_after_unmap(void *a)
{
	struct forkarg *f = a;
	char c;
	read(f->fd, &c, 1); /* the parent has unmapped it */
	_exit(holds(f->p, 0, PAGE, 8) ? 0 : 1);
}
static void child_guard(void *a)
{
	char *p = a;
	/* the PROT_NONE page came along with its protection and contents */
	if (mprotect(p, PAGE, PROT_READ) < 0 || !holds(p, 0, PAGE, 9))
		_exit(1);
	mprotect(p, PAGE, PROT_NONE);
	sink = *(volatile char *)p;
}

static unsigned long pages_at_fork;
static void child_pages(void *unused)
{
	(void)unused;
	unsigned long n = my_pages();
	_exit(n >= pages_at_fork && n <= pages_at_fork + 2 ? 0 : 1);
}

static void test_fork_exec(void)
{
	char *p = map(4 * PAGE, RW);
	fill(p, 4 * PAGE, 5);
	pages_at_fork = my_pages();
	check(exited_ok(in_child(child_pages, NULL)), "fork: the child counts the pages the parent has (%lu)",
	      pages_at_fork);
	check(exited_ok(in_child(child_cow, p)), "fork: the child sees the mapping's data and writes its own copy");
	check(holds(p, 0, 4 * PAGE, 5), "fork: the parent's data is untouched by the child's writes");
	int fd[2];
	pipe(fd);
	char *q = map(PAGE, RW);
	fill(q, PAGE, 8);
	struct forkarg f = { q, fd[0] };
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		close(fd[1]);
		child_after_unmap(&f);
	}
	munmap(q, PAGE);
	write(fd[1], "x", 1);
	check(exited_ok(reap(pid)), "fork: the child keeps its mapping after the parent unmaps it");
	close(fd[0]);
	close(fd[1]);
	fill(p, PAGE, 9);
	mprotect(p, PAGE, PROT_NONE);
	check(segv(in_child(child_guard, p)), "fork: a PROT_NONE page is copied with its protection and contents");
	mprotect(p, PAGE, RW);
	munmap(p, 4 * PAGE);
	check_baseline("fork");

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *m = map(100 * PAGE, RW);
		fill(m, 100 * PAGE, 1);
		mprotect(m, PAGE, PROT_NONE);
		char *argv[] = { "true", NULL };
		execve("/bin/true", argv, NULL);
		_exit(1);
	}
	check(exited_ok(reap(pid)), "exec: a process with 100 touched pages execs");
	check_baseline("exec");
	pid = fork();
	if (pid == 0) {
		char *m = map(100 * PAGE, RW);
		fill(m, 100 * PAGE, 1);
		mprotect(m + PAGE, PAGE, PROT_NONE);
		_exit(0); /* without munmap */
	}
	check(exited_ok(reap(pid)), "exit: a process exits with mappings in place");
	check_baseline("exit");
}

static void child_rlimit(void *unused)
{
	(void)unused;
	struct rlimit rl = { 64UL << 20, 64UL << 20 };
	int bad = 0;
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		_exit(10);
	bad |= !fails(map(128UL << 20, PROT_NONE), ENOMEM) << 0;
	char *a = map(32UL << 20, PROT_NONE);
	bad |= (a == MAP_FAILED) << 1;
	bad |= !fails(map(32UL << 20, RW), ENOMEM) << 2;
	bad |= (sbrk(32 << 20) != (void *)-1) << 3; /* sbrk counts the mappings too */
	bad |= (munmap(a, 32UL << 20) != 0) << 4;
	bad |= (map(32UL << 20, RW) == MAP_FAILED) << 5;
	_exit(bad);
}

static void test_rlimit(void)
{
	int st = in_child(child_rlimit, NULL);
	check(exited_ok(st), "RLIMIT_AS counts mappings, touched or not, and sbrk sees them (%d)", WEXITSTATUS(st));
}

/* Many cycles: no page or region struct may leak. */
static void test_cycles(void)
{
	unsigned long f0 = free_pages(), ipi0 = tlb_ipis();
	unsigned seed = 1;
	int ok = 1;
	for (int i = 0; i < 2000 && ok; i++) {
		seed = seed * 1103515245 + 12345;
		size_t n = 1 + (seed >> 16) % 16;
		char *p = map(n * PAGE, RW);
		if (p == MAP_FAILED) {
			ok = 0;
			break;
		}
		for (size_t k = 0; k < n; k += 2)
			p[k * PAGE] = 1;
		if (n > 2)
			mprotect(p + PAGE, PAGE, PROT_NONE);
		ok &= munmap(p, n * PAGE) == 0;
	}
	check(ok, "2000 cycles of mmap, touch, mprotect, munmap");
	check(free_pages() == f0, "2000 cycles: free pages back to the baseline (%lu, %lu)", free_pages(), f0);
	check(tlb_ipis() == ipi0, "2000 cycles, one thread: no TLB-shootdown interrupt sent to another hart");

	/* Regions until the limit: alternate protections, so none merge. */
	char *lo = NULL, *hi = NULL;
	int n = 0;
	for (; n < 5000; n++) {
		char *p = map(PAGE, n % 2 ? PROT_READ : RW);
		if (p == MAP_FAILED)
			break;
		hi = hi ? hi : p + PAGE;
		lo = p;
	}
	int e = errno;
	check(n >= 4000 && n <= 4096 && e == ENOMEM, "regions: at most 4096, then ENOMEM (%d)", n);
	check(lo && hi - lo == (long)(n * PAGE), "regions: mapped top down, one next to the other");
	check(munmap(lo, hi - lo) == 0, "munmap: %d regions in one call", n);
	check(free_pages() == f0, "regions: free pages back to the baseline (%lu, %lu)", free_pages(), f0);
}

/* --- TLB shootdown (issue 10, point 5) ---
 * A thread keeps reading a page of a mapping while another thread, on
 * another hart, unmaps it and fills new memory (which is likely to get
 * the freed page).  The reader's hart must have dropped the page from its
 * TLB before munmap returned: its next read faults, and the process is
 * killed.  Without the shootdown it goes on reading through the stale
 * entry and sees the new contents (or, if the page went elsewhere, never
 * faults at all). */
#define MAGIC1 0x11111111u
#define MAGIC2 0x22222222u
static volatile int reader_started, reader_stop, reader_stale;

/* The reader: no library calls, no errno; a tight loop of loads. */
static void reader(void *arg)
{
	volatile unsigned *w = arg;
	for (;;) {
		if (*w != MAGIC1) {
			reader_stale = 1;
			for (;;)
				;
		}
		reader_started = 1;
		if (reader_stop)
			__thread_exit(0);
	}
}

/* shared: the reader makes no call that sets errno */
static void *tls_of_main(void) { return thread_pointer(); }

static int start_reader(void *page)
{
	char *stack = map(16 * PAGE, RW);
	if (stack == MAP_FAILED)
		return -1;
	reader_started = reader_stop = reader_stale = 0;
	return __thread_create(reader, page, stack + 16 * PAGE, tls_of_main());
}

/* One round, in a child, which never returns: it is killed by the
 * reader's fault (SIGSEGV), or exits 3 (the reader read the reused
 * page), 4 (it neither faulted nor saw a change in 5 s), 5 (no thread).
 * The page is given back by munmap, or (heap) by sbrk shrinking. */
struct round {
	int verbose, heap;
};
static void shoot_child(void *arg)
{
	struct round *r = arg;
	char *brk0 = r->heap ? sbrk(2 * PAGE) : NULL;
	unsigned *page = r->heap ? (unsigned *)PGROUNDUP((unsigned long)brk0) : (unsigned *)map(PAGE, RW);
	for (unsigned i = 0; i < PAGE / 4; i++)
		page[i] = MAGIC1;
	if (start_reader(page) < 0)
		_exit(5);
	while (!reader_started)
		;
	if (r->verbose) {
		printf("page at %p\n", page);
		fflush(stdout);
	}
	if (r->heap)
		sbrk(-2 * (long)PAGE);
	else
		munmap(page, PAGE);
	/* new memory, likely to get the page just freed */
	unsigned *q = (unsigned *)map(64 * PAGE, RW);
	for (unsigned i = 0; i < 64 * PAGE / 4; i++)
		q[i] = MAGIC2;
	int t0 = uptime();
	while (uptime() - t0 < 5000 && !reader_stale)
		msleep(1);
	_exit(reader_stale ? 3 : 4);
}

/* n rounds, every other one on the heap; how many failed (exit codes
 * counted in bad[]). */
static int shoot(int n, int verbose, int bad[6])
{
	int fails = 0;
	for (int i = 0; i < n; i++) {
		struct round r = { verbose, i % 2 };
		int st = in_child(shoot_child, &r);
		if (!segv(st)) {
			fails++;
			bad[WIFEXITED(st) && WEXITSTATUS(st) < 6 ? WEXITSTATUS(st) : 0]++;
		}
	}
	return fails;
}

/* IPIs go only to the harts running the address space: a reader thread
 * runs on one other hart, so 50 munmaps send at most 50 (all harts:
 * three times as many on 4 harts), and at least one. */
static void ipi_child(void *unused)
{
	(void)unused;
	unsigned *page = (unsigned *)map(PAGE, RW);
	page[0] = MAGIC1;
	int tid = start_reader(page);
	if (tid < 0)
		_exit(255);
	while (!reader_started)
		;
	unsigned long i0 = tlb_ipis();
	for (int k = 0; k < 50; k++) {
		char *q = map(PAGE, RW);
		q[0] = 1;
		munmap(q, PAGE);
	}
	unsigned long d = tlb_ipis() - i0;
	reader_stop = 1;
	__thread_join(tid, NULL);
	_exit(d > 254 ? 254 : d);
}

/* fork in a process whose other thread keeps writing a page: the fork
 * makes the page copy-on-write, and that thread's hart must drop its
 * writable entry, or it goes on writing into the page the child now has. */
static volatile unsigned *wpage;
static void writer(void *unused)
{
	(void)unused;
	for (;;) {
		(*wpage)++;
		reader_started = 1;
		if (reader_stop)
			__thread_exit(0);
	}
}
static void fork_child_frozen(void *unused)
{
	(void)unused;
	unsigned v1 = *wpage;
	msleep(50);
	_exit(*wpage == v1 ? 0 : 1);
}
static void fork_threaded(void *unused)
{
	(void)unused;
	wpage = (unsigned *)map(PAGE, RW);
	char *stack = map(16 * PAGE, RW);
	reader_started = reader_stop = 0;
	int tid = __thread_create(writer, NULL, stack + 16 * PAGE, tls_of_main());
	if (tid < 0)
		_exit(5);
	while (!reader_started)
		;
	int bad = 0;
	for (int i = 0; i < 10; i++)
		bad += !exited_ok(in_child(fork_child_frozen, NULL));
	reader_stop = 1;
	__thread_join(tid, NULL);
	_exit(bad);
}

/* Four threads mapping, writing, protecting and unmapping at once, and
 * one of them forking: every munmap shoots at the others' harts while
 * they fault and shoot too.  Nothing may hang or be lost. */
static volatile int stress_bad;
static void stresser(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < 200; i++) {
		char *p = map(2 * PAGE, RW);
		if (p == MAP_FAILED) {
			stress_bad = 1;
			break;
		}
		p[0] = (char)id;
		p[PAGE] = (char)i;
		mprotect(p, PAGE, PROT_READ);
		if (p[0] != (char)id || p[PAGE] != (char)i)
			stress_bad = 1;
		if (id == 0 && i % 50 == 0) {
			int pid = fork();
			if (pid == 0)
				_exit(p[0] == 0 ? 0 : 1);
			int st = -1;
			if (waitpid(pid, &st, 0) != pid || !exited_ok(st))
				stress_bad = 1;
		}
		munmap(p, 2 * PAGE);
	}
	__thread_exit(0);
}
static void stress_child(void *unused)
{
	(void)unused;
	int tid[4];
	stress_bad = 0;
	for (long i = 0; i < 4; i++) {
		char *stack = map(16 * PAGE, RW);
		tid[i] = __thread_create(stresser, (void *)i, stack + 16 * PAGE, tls_of_main());
		if (tid[i] < 0)
			_exit(5);
	}
	for (int i = 0; i < 4; i++)
		__thread_join(tid[i], NULL);
	_exit(stress_bad);
}

static void test_shootdown(void)
{
	struct kmeminfo mi;
	meminfo(&mi);
	int bad[6] = { 0 };
	int fails = shoot(20, 0, bad);
	check(fails == 0, "shootdown: 20 rounds of munmap or sbrk, the reader on another hart faults, never reads "
			  "the reused page "
			  "(%d read it, %d never faulted, %d without a thread)",
	      bad[3], bad[4], bad[5]);
	int st = in_child(ipi_child, NULL), d = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (mi.ncpu > 1)
		check(d >= 1 && d <= 50, "shootdown: 50 munmaps with a reader on another hart: 1..50 IPIs (%d)", d);
	else
		check(d == 0, "shootdown: 50 munmaps on 1 hart: no IPI (%d)", d);
	st = in_child(fork_threaded, NULL);
	check(exited_ok(st), "shootdown: fork while another thread writes: the child's copy stays as it was (%d of 10 "
			     "changed)",
	      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	unsigned long i0 = tlb_ipis();
	st = in_child(stress_child, NULL);
	check(exited_ok(st), "shootdown: 4 threads map, protect, unmap and fork at once: no hang, no lost data");
	check(mi.ncpu == 1 || tlb_ipis() > i0, "shootdown: and IPIs were sent (%lu)", tlb_ipis() - i0);
	check_baseline("shootdown");
}

/* For the host test: an address, then the touch that kills. */
static int hole(void)
{
	char *p = map(3 * PAGE, RW);
	fill(p, 3 * PAGE, 1);
	munmap(p + PAGE, PAGE);
	printf("hole at %p\n", p + PAGE);
	fflush(stdout);
	sink = p[PAGE + 8];
	printf("still alive\n");
	return 1;
}
static int guard(void)
{
	char *p = map(2 * PAGE, RW);
	mprotect(p, PAGE, PROT_NONE);
	printf("guard at %p\n", p);
	fflush(stdout);
	p[16] = 1;
	printf("still alive\n");
	return 1;
}

/* Grow the stack now, so that the deepest calls of the checks take no
 * stack page after the baseline is measured. */
static void __attribute__((noinline)) warm_stack(void)
{
	volatile char buf[24 * 1024];
	for (size_t i = 0; i < sizeof buf; i += 512)
		buf[i] = 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "hole") == 0)
		return hole();
	if (argc > 1 && strcmp(argv[1], "guard") == 0)
		return guard();
	if (argc > 2 && strcmp(argv[1], "shoot") == 0) {
		/* mmaptest shoot N: N rounds, each child printing its page */
		int n = atoi(argv[2]), bad[6] = { 0 };
		plan(1);
		int fails = shoot(n, 1, bad);
		check(fails == 0, "shootdown: %d rounds, %d read the reused page, %d never faulted, %d without a thread", n,
		      bad[3], bad[4], bad[5]);
		return tap_done();
	}
	plan(99);
	warm_stack();
	baseline = free_pages();
	test_errors();
	test_basics();
	test_munmap_split();
	test_mprotect();
	test_fork_exec();
	test_rlimit();
	test_cycles();
	test_shootdown();
	check_baseline("all of it");
	return tap_done();
}
