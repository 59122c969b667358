/* cowtest.c: copy-on-write fork, checked from user mode.
 * Writes in the parent, the child or both after fork; forks of forks;
 * exits in every order; exec after fork; a 16 MiB heap; running out of
 * memory in a copy-on-write fault.  After every workload the free page
 * count must be back where it started: no page leaked, none freed twice.
 */
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include "tap.h"

#define PAGE 4096
#define NG (16 * PAGE / sizeof(int)) /* 16 pages of globals (bss) */

static int g[NG];
static unsigned long baseline;

/* Fill v[0..n) with value + i, or check that it holds that. */
static void fill(int *v, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		v[i] = value + (int)i;
}
static int holds(const int *v, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != value + (int)i)
			return 0;
	return 1;
}

static void check_baseline(const char *workload)
{
	unsigned long f = free_pages_settle(baseline);
	check(f == baseline, "%s: free pages back to the baseline (%lu, baseline %lu)", workload, f, baseline);
}

static int exited_ok(int st) { return WIFEXITED(st) && WEXITSTATUS(st) == 0; }

/* One byte through a pipe: the other side may go on. */
static void signal_fd(int fd) { write(fd, "x", 1); }
static void wait_fd(int fd)
{
	char c;
	read(fd, &c, 1);
}

static void test_write_parent(void)
{
	fill(g, NG, 100);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		msleep(30); /* let the parent write first */
		_exit(holds(g, NG, 100) ? 0 : 1);
	}
	fill(g, NG, 200);
	int st = reap(pid);
	check(exited_ok(st), "parent writes after fork: the child still sees the old values");
	check(holds(g, NG, 200), "parent writes after fork: the parent sees its new values");
	check_baseline("parent writes");
}

static void test_write_child(void)
{
	fill(g, NG, 300);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		fill(g, NG, 400);
		_exit(holds(g, NG, 400) ? 0 : 1);
	}
	int st = reap(pid);
	check(exited_ok(st), "child writes after fork: the child sees its new values");
	check(holds(g, NG, 300), "child writes after fork: the parent still sees the old values");
	check_baseline("child writes");
}

static void test_write_both(void)
{
	int to_child[2], to_parent[2];
	pipe(to_child);
	pipe(to_parent);
	int local[1024];
	fill(g, NG, 500);
	fill(local, 1024, 550);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		fill(g, NG / 2, 600); /* first half of the pages */
		fill(local, 1024, 650);
		signal_fd(to_parent[1]);
		wait_fd(to_child[0]);
		int ok = holds(g, NG / 2, 600) && holds(g + NG / 2, NG / 2, 500 + (int)NG / 2) && holds(local, 1024, 650);
		_exit(ok ? 0 : 1);
	}
	wait_fd(to_parent[0]);
	fill(g, NG, 700); /* all pages, half of them the child copied already */
	fill(local, 1024, 750);
	signal_fd(to_child[1]);
	int st = reap(pid);
	check(exited_ok(st), "both write after fork: the child sees only its own writes (globals and stack)");
	check(holds(g, NG, 700) && holds(local, 1024, 750), "both write after fork: the parent sees only its own");
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	check_baseline("both write");
}

static void test_fork_of_fork(void)
{
	fill(g, NG, 800);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		fill(g, NG / 4, 900);
		int gpid = fork();
		if (gpid == 0) {
			int ok = holds(g, NG / 4, 900) && holds(g + NG / 4, NG - NG / 4, 800 + (int)NG / 4);
			fill(g, NG, 1000);
			_exit(ok && holds(g, NG, 1000) ? 0 : 1);
		}
		int st = reap(gpid);
		int ok = exited_ok(st) && holds(g, NG / 4, 900) && holds(g + NG / 4, NG - NG / 4, 800 + (int)NG / 4);
		_exit(ok ? 0 : 1);
	}
	int st = reap(pid);
	check(exited_ok(st), "fork of a fork: child and grandchild each see their own writes");
	check(holds(g, NG, 800), "fork of a fork: the parent's pages are untouched");
	check_baseline("fork of a fork");
}

/* Three processes share the pages: P (this one), C and G (C's child).
 * `order` says who exits first and whether the survivor then writes. */
static void exit_order(int c_first, int survivor_writes)
{
	int gpipe[2];
	pipe(gpipe); /* G reports through it: it may be an orphan by then */
	int go[2];
	pipe(go);
	fill(g, NG, 1100);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		close(gpipe[0]);
		int gpid = fork();
		if (gpid == 0) {
			close(go[1]);
			if (c_first)
				wait_fd(go[0]); /* until C has exited (P says so) */
			if (survivor_writes || !c_first)
				fill(g, NG, 1200);
			int ok = holds(g, NG, (survivor_writes || !c_first) ? 1200 : 1100);
			char r = ok ? 'y' : 'n';
			write(gpipe[1], &r, 1);
			_exit(0);
		}
		if (!c_first) {
			int st = reap(gpid);
			if (!exited_ok(st))
				_exit(2);
			if (survivor_writes)
				fill(g, NG, 1300);
		}
		_exit(holds(g, NG, (!c_first && survivor_writes) ? 1300 : 1100) ? 0 : 1);
	}
	close(gpipe[1]);
	int st = reap(pid);
	signal_fd(go[1]); /* C is gone: G may go on */
	char r = 0;
	read(gpipe[0], &r, 1);
	close(gpipe[0]);
	close(go[0]);
	close(go[1]);
	fill(g, NG, 1400); /* P writes last, sharing with no one or with G */
	check(exited_ok(st) && r == 'y' && holds(g, NG, 1400), "exit order: %s first%s: every process saw its own pages",
	      c_first ? "child" : "grandchild", survivor_writes ? ", the survivor writes" : "");
	char what[64];
	snprintf(what, sizeof what, "exit order %s first%s", c_first ? "child" : "grandchild",
		 survivor_writes ? " + write" : "");
	check_baseline(what);
}

static void test_exit_orders(void)
{
	for (int c_first = 0; c_first < 2; c_first++)
		for (int w = 0; w < 2; w++)
			exit_order(c_first, w);

	/* The parent exits first while its children still share its pages. */
	int rp[2];
	pipe(rp);
	fill(g, NG, 1500);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++) {
			if (fork() == 0) {
				msleep(50); /* until the middle process has exited */
				int ok = holds(g, NG, 1500);
				fill(g, NG, 1600 + i);
				ok &= holds(g, NG, 1600 + i);
				write(rp[1], ok ? "y" : "n", 1);
				_exit(0);
			}
		}
		_exit(0);
	}
	close(rp[1]);
	reap(pid);
	char res[4] = { 0 };
	int n = 0;
	while (n < 3 && read(rp[0], res + n, 1) == 1)
		n++;
	close(rp[0]);
	check(n == 3 && strcmp(res, "yyy") == 0, "parent exits first: its orphans keep and then copy the pages (%s)", res);
	check_baseline("parent exits first");
}

static void test_exec_after_fork(void)
{
	fill(g, NG, 1700);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		char *argv[] = { "cowtest", "--fresh", NULL };
		execve("/test/cowtest", argv, NULL);
		_exit(99);
	}
	fill(g, NG / 2, 1800); /* write while the child may be exec'ing */
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "exec after fork: the new image has fresh, zeroed data (%d)",
	      WEXITSTATUS(st));
	check(holds(g, NG / 2, 1800) && holds(g + NG / 2, NG / 2, 1700 + (int)NG / 2),
	      "exec after fork: the parent's pages are as it left them");
	check_baseline("exec after fork");

	/* Many children exec at once while the parent keeps writing. */
	enum { N = 8 };
	int pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char *argv[] = { "hello", NULL };
			close(1); /* hello's output is not a result line */
			open("/dev/null", O_WRONLY);
			execve("/bin/hello", argv, NULL);
			_exit(99);
		}
		fill(g, NG, 1900 + i);
	}
	int ok = 1;
	for (int i = 0; i < N; i++)
		ok &= exited_ok(reap(pids[i]));
	check(ok && holds(g, NG, 1900 + N - 1), "%d children exec while the parent writes", N);
	check_baseline("8 execs after fork");
}

/* The 16 MiB heap: shared at fork for the price of its page tables, copied
 * page by page only as the child writes it. */
static void test_big_heap(void)
{
	const size_t bytes = 16 << 20, n = bytes / sizeof(int);
	int *h = sbrk(bytes);
	if (h == (void *)-1) {
		check(0, "16 MiB heap: sbrk failed");
		return;
	}
	fill(h, n, 2000);
	unsigned long before = free_pages();
	int rp[2];
	pipe(rp);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		unsigned long r[4];
		r[0] = free_pages();
		int ok = holds(h, n, 2000);
		r[1] = free_pages();
		fill(h, n, 3000);
		ok &= holds(h, n, 3000);
		r[2] = free_pages();
		r[3] = ok;
		write(rp[1], r, sizeof r);
		_exit(0);
	}
	unsigned long r[4] = { 0, 0, 0, 0 };
	read(rp[0], r, sizeof r);
	int st = reap(pid);
	close(rp[0]);
	close(rp[1]);
	unsigned long fork_cost = before - r[0], read_cost = r[0] - r[1], write_cost = r[1] - r[2];
	check(exited_ok(st) && r[3], "16 MiB heap: the child reads the parent's data and then writes its own");
	check(fork_cost < 200, "16 MiB heap: fork copies no data pages (%lu pages used)", fork_cost);
	check(read_cost < 8, "16 MiB heap: reading it copies nothing (%lu pages)", read_cost);
	check(write_cost >= 4096 && write_cost < 4096 + 64, "16 MiB heap: writing it copies each page once (%lu pages)",
	      write_cost);
	check(holds(h, n, 2000), "16 MiB heap: the parent's data is untouched");
	unsigned long after = free_pages();
	check(after == before, "16 MiB heap: the child's copies are freed with it (%lu, %lu)", before, after);
	/* No one shares the pages any more: writing them copies nothing. */
	fill(h, n, 4000);
	unsigned long after_write = free_pages();
	check(after - after_write < 8, "16 MiB heap: the last sharer writes without copying (%lu pages)",
	      after - after_write);
	sbrk(-(long)bytes);
	check_baseline("16 MiB heap");
}

/* Running out of memory inside a copy-on-write fault kills the process
 * that faulted, and only it. */
static void test_oom(void)
{
	unsigned long f = free_pages();
	size_t pages = f * 6 / 10;
	size_t bytes = pages * PAGE;
	char *h = sbrk(bytes);
	if (h == (void *)-1) {
		check(0, "oom: sbrk of %lu pages failed", (unsigned long)pages);
		return;
	}
	for (size_t i = 0; i < bytes; i += PAGE)
		h[i] = (char)(i / PAGE);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		/* Write every shared page: 60% more of memory than there is. */
		for (size_t i = 0; i < bytes; i += PAGE)
			h[i] = 0x55;
		_exit(0);
	}
	int st = reap(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "oom: the child that ran out in a COW fault is killed (0x%x)",
	      st);
	int ok = 1;
	for (size_t i = 0; i < bytes; i += PAGE)
		ok &= h[i] == (char)(i / PAGE);
	check(ok, "oom: the parent survives with its data intact");
	sbrk(-(long)bytes);
	/* and the system still works: fork, exec, pipes */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "cowtest", "--fresh", NULL };
		execve("/test/cowtest", argv, NULL);
		_exit(99);
	}
	st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "oom: fork and exec work afterwards");
	check_baseline("oom");

	/* Several children write the shared pages at once: some run out and
	 * die, the others finish; the parent, which only reads, is safe.
	 * A child that has written every page keeps them until each of its
	 * siblings has too or is dead, so the copies really add up to more
	 * than memory whatever the order the children run in (on a loaded
	 * host one child could otherwise finish and free its copies before
	 * the next one started). */
	enum { NC = 3 };
	pages = free_pages() * 4 / 10;
	bytes = pages * PAGE;
	h = sbrk(bytes);
	if (h == (void *)-1) {
		check(0, "oom 2: sbrk failed");
		return;
	}
	for (size_t i = 0; i < bytes; i += PAGE)
		h[i] = 1;
	fflush(stdout);
	int pids[NC], done[NC][2], hold[2];
	pipe(hold);
	for (int c = 0; c < NC; c++) {
		pipe(done[c]);
		pids[c] = fork();
		if (pids[c] == 0) {
			close(hold[1]);
			close(done[c][0]);
			for (size_t i = 0; i < bytes; i += PAGE)
				h[i] = 2 + c;
			for (size_t i = 0; i < bytes; i += PAGE)
				if (h[i] != 2 + c)
					_exit(1);
			char b = 'd';
			write(done[c][1], &b, 1);
			read(hold[0], &b, 1); /* end of file: the parent let go */
			_exit(0);
		}
		close(done[c][1]);
	}
	/* A byte from child c: it has all its copies; end of file: it died
	 * (its write end closed with it) */
	for (int c = 0; c < NC; c++) {
		char b;
		read(done[c][0], &b, 1);
		close(done[c][0]);
	}
	close(hold[0]);
	close(hold[1]);
	int killed = 0, fine = 0;
	for (int c = 0; c < NC; c++) {
		st = reap(pids[c]);
		killed += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
		fine += exited_ok(st);
	}
	ok = 1;
	for (size_t i = 0; i < bytes; i += PAGE)
		ok &= h[i] == 1;
	check(killed >= 1 && killed + fine == NC, "oom 2: of %d children writing at once, %d ran out and died, %d finished",
	      NC, killed, fine);
	check(ok, "oom 2: the parent's data is intact");
	sbrk(-(long)bytes);
	check_baseline("oom 2");
}

/* Touch 32 KiB of stack now, so that later workloads' stack growth in
 * this process does not show as a change of the free page count. */
static void __attribute__((noinline)) grow_stack(void)
{
	volatile char buf[32 * 1024];
	for (size_t i = 0; i < sizeof buf; i += PAGE)
		buf[i] = 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--fresh") == 0) {
		/* exec'd after fork: the globals must be this image's, zeroed */
		for (size_t i = 0; i < NG; i++)
			if (g[i] != 0)
				return 1;
		fill(g, NG, 5);
		return holds(g, NG, 5) ? 42 : 2;
	}
	plan(42);
	/* Warm up: the first fork sizes the kernel's object caches. */
	grow_stack();
	int pid = fork();
	if (pid == 0)
		_exit(0);
	reap(pid);
	baseline = free_pages();
	note("baseline: %lu free pages", baseline);

	test_write_parent();
	test_write_child();
	test_write_both();
	test_fork_of_fork();
	test_exit_orders();
	test_exec_after_fork();
	test_big_heap();
	test_oom();
	return tap_done();
}
