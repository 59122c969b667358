/* pipetest.c: pipes: blocking, end of file, SIGPIPE, order, atomic writes.
 * A reader with nothing to read and a writer with no room must sleep (not
 * spin); messages of up to 4000 bytes from several writers arrive whole.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "fsutil.h"

#define MB (1024UL * 1024)

/* The process table row of pid, or a row with pid 0. */
static struct kprocinfo proc_row(int pid)
{
	static struct kprocinfo rows[256];
	struct kprocinfo none;
	memset(&none, 0, sizeof none);
	int n = procinfo(rows, 256);
	for (int i = 0; i < n && i < 256; i++)
		if (rows[i].pid == pid)
			return rows[i];
	return none;
}

static void basics(void)
{
	int p[2];
	char buf[16];
	struct stat st;
	check(pipe(p) == 0, "pipe");
	check(write(p[1], "hello", 5) == 5 && read(p[0], buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0,
	      "what is written is read");
	check(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode), "fstat: a FIFO");
	check_err(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on a pipe");
	check_err(read(p[1], buf, 1), EBADF, "read the write end");
	check_err(write(p[0], "x", 1), EBADF, "write the read end");
	check(write(p[1], "", 0) == 0 && read(p[0], buf, 0) == 0, "zero-byte write and read");
	write(p[1], "abc", 3);
	check(read(p[0], buf, 1) == 1 && read(p[0], buf + 1, 10) == 2 && memcmp(buf, "abc", 3) == 0, "a read takes what is there, no more");
	close(p[1]);
	check(read(p[0], buf, sizeof buf) == 0, "EOF once the only writer has closed");
	close(p[0]);
}

static void blocking(void)
{
	int p[2];
	char buf[16];
	pipe(p);
	int t0 = uptime();
	int pid = xfork();
	if (pid == 0) {
		msleep(200);
		write(p[1], "ping", 4);
		exit(0);
	}
	long r = read(p[0], buf, sizeof buf);
	int waited = uptime() - t0;
	check(r == 4 && memcmp(buf, "ping", 4) == 0 && waited >= 150, "a reader blocks until data comes (%d ms)", waited);
	waitstatus(pid);

	/* the reader sleeps: its state, and no CPU time while it waits */
	pid = xfork();
	if (pid == 0) {
		close(p[1]);
		exit(read(p[0], buf, 1) == 1 && buf[0] == 'w' ? 0 : 1);
	}
	msleep(300);
	struct kprocinfo row = proc_row(pid);
	check(row.pid == pid && row.state == SLEEPING, "a blocked reader is sleeping (state %d)", row.state);
	check(row.ticks <= 2, "and uses no CPU while it waits (%lu ticks in 300 ms)", row.ticks);
	write(p[1], "w", 1);
	check(waitstatus(pid) == 0, "a write wakes it");

	/* a writer with no room sleeps too */
	static unsigned char big[256 * 1024];
	pid = xfork();
	if (pid == 0) {
		fill_pattern(big, 7, 0, sizeof big);
		exit(writeall(p[1], big, sizeof big) == sizeof big ? 0 : 1);
	}
	msleep(300);
	row = proc_row(pid);
	int st;
	check(waitpid(pid, &st, WNOHANG) == 0 && row.state == SLEEPING, "a writer with a full pipe is sleeping (state %d)", row.state);
	check(row.ticks <= 3, "and uses no CPU while it waits (%lu ticks)", row.ticks);
	memset(big, 0, sizeof big);
	check(readall(p[0], big, sizeof big) == sizeof big && check_pattern(big, 7, 0, sizeof big) < 0,
	      "reading lets it finish: 256 KiB intact");
	check(waitstatus(pid) == 0, "the writer completed");
	close(p[0]);
	close(p[1]);
}

static void end_of_file(void)
{
	int p[2];
	char buf[64];
	pipe(p);
	int a = xfork();
	if (a == 0) {
		close(p[0]);
		write(p[1], "first ", 6);
		exit(0);
	}
	int b = xfork();
	if (b == 0) {
		close(p[0]);
		msleep(200);
		write(p[1], "second", 6);
		exit(0);
	}
	close(p[1]);
	int t0 = uptime();
	long n = readall(p[0], buf, sizeof buf);
	int waited = uptime() - t0;
	check(n == 12 && memcmp(buf, "first second", 12) == 0, "EOF comes only after every writer has closed (%ld bytes)", n);
	check(waited >= 150, "even when one closed early (%d ms)", waited);
	check(read(p[0], buf, 1) == 0, "and stays");
	close(p[0]);
	waitstatus(a);
	waitstatus(b);
}

static void sigpipe(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	int pid = xfork();
	if (pid == 0) {
		write(p[1], "x", 1);
		exit(0); /* not reached: SIGPIPE kills it */
	}
	int st = waitstatus(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "writing to a pipe with no reader: killed by SIGPIPE (status %#x)", st);
	close(p[1]);

	/* a writer blocked on a full pipe when the last reader goes: the
	 * write returns what it wrote, the next one gets SIGPIPE */
	int q[2], rep[2];
	pipe(q);
	pipe(rep);
	pid = xfork();
	if (pid == 0) {
		static char big[64 * 1024];
		close(q[0]);
		close(rep[0]);
		long r = write(q[1], big, sizeof big);
		write(rep[1], &r, sizeof r);
		write(q[1], big, 1);
		exit(0);
	}
	close(q[1]);
	close(rep[1]);
	char buf[1000];
	msleep(100);
	read(q[0], buf, sizeof buf);
	msleep(100);
	close(q[0]);
	long r = -2;
	read(rep[0], &r, sizeof r);
	close(rep[0]);
	check(r > 0 && r < 64 * 1024, "a blocked write ends short when the reader closes (%ld bytes)", r);
	st = waitstatus(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "its next write: SIGPIPE (status %#x)", st);
}

static unsigned char xfer[16 * 1024];

static void bulk(void)
{
	const unsigned long total = 8 * MB;
	int p[2];
	pipe(p);
	int pid = xfork();
	if (pid == 0) {
		close(p[0]);
		unsigned long off = 0, n = 1;
		while (off < total) {
			n = n * 7 % 9001 + 1; /* odd sizes, 1..9001 */
			if (n > total - off)
				n = total - off;
			fill_pattern(xfer, 3, off, n);
			if (writeall(p[1], xfer, n) != (long)n)
				exit(1);
			off += n;
		}
		exit(0);
	}
	close(p[1]);
	unsigned long off = 0, n = 1;
	long bad = -1;
	int t0 = uptime();
	for (;;) {
		n = n * 13 % 7001 + 1;
		long r = read(p[0], xfer, n);
		if (r <= 0)
			break;
		if (bad < 0 && check_pattern(xfer, 3, off, r) >= 0)
			bad = off + check_pattern(xfer, 3, off, r);
		off += r;
	}
	close(p[0]);
	check(off == total && bad < 0, "8 MiB through a pipe, intact and in order (%lu bytes, first bad %ld, %d ms)", off, bad,
	      uptime() - t0);
	check(waitstatus(pid) == 0, "the writer finished cleanly");
}

/* Several writers at once: each message is a header and a body, at most
 * 4000 bytes in all, written with one write().  They must arrive whole. */
#define NWRITERS 4
#define NMSG 300
struct mhdr {
	unsigned short magic, writer, seq, len;
};
#define MAGIC 0xfeed

static unsigned msg_len(int w, int seq) { return 8 + (unsigned)(seq * 1237 + w * 311) % 3993; }

static void many_writers(void)
{
	int p[2];
	pipe(p);
	int pids[NWRITERS];
	long expect = 0;
	for (int w = 0; w < NWRITERS; w++) {
		for (int s = 0; s < NMSG; s++)
			expect += msg_len(w, s);
		pids[w] = xfork();
		if (pids[w] == 0) {
			static unsigned char m[4000];
			close(p[0]);
			for (int s = 0; s < NMSG; s++) {
				unsigned len = msg_len(w, s);
				struct mhdr h = { MAGIC, w, s, len };
				memcpy(m, &h, 8);
				fill_pattern(m + 8, w * 1000 + s, 0, len - 8);
				if (write(p[1], m, len) != (long)len)
					exit(1);
			}
			exit(0);
		}
	}
	close(p[1]);
	/* read everything, then parse */
	static unsigned char all[NWRITERS * NMSG * 4000];
	long got = readall(p[0], all, sizeof all);
	close(p[0]);
	int next[NWRITERS] = { 0 }, whole = 1, inorder = 1;
	long off = 0;
	while (off + 8 <= got && whole) {
		struct mhdr h;
		memcpy(&h, all + off, 8);
		if (h.magic != MAGIC || h.writer >= NWRITERS || h.len < 8 || h.len > 4000 || off + h.len > got ||
		    h.len != msg_len(h.writer, h.seq) || check_pattern(all + off + 8, h.writer * 1000 + h.seq, 0, h.len - 8) >= 0) {
			whole = 0;
			break;
		}
		if (h.seq != next[h.writer])
			inorder = 0;
		next[h.writer] = h.seq + 1;
		off += h.len;
	}
	check(whole && off == got, "%d writers x %d messages of 8..4000 bytes: each arrives whole (at %ld of %ld)", NWRITERS,
	      NMSG, off, got);
	check(inorder, "each writer's messages arrive in order");
	check(got == expect, "all %ld bytes arrive", expect);
	int ok = 1;
	for (int w = 0; w < NWRITERS; w++)
		ok &= waitstatus(pids[w]) == 0;
	check(ok, "every writer's writes were complete");
}

static void killing(void)
{
	int p[2];
	pipe(p);
	int pid = xfork();
	if (pid == 0) {
		char c;
		read(p[0], &c, 1);
		exit(0);
	}
	msleep(50);
	kill(pid, SIGKILL);
	int st = waitstatus(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "a reader blocked in read can be killed (status %#x)", st);
	pid = xfork();
	if (pid == 0) {
		static char big[64 * 1024];
		write(p[1], big, sizeof big);
		exit(0);
	}
	msleep(50);
	kill(pid, SIGKILL);
	st = waitstatus(pid);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "a writer blocked in write can be killed (status %#x)", st);
	close(p[0]);
	close(p[1]);
}

/* Open 30 pipes at once with data in them, close them, then open and
 * close 500 one at a time; returns how many were open at once. */
static int pipe_rounds(void)
{
	int p[2], fds[60], n = 0;
	while (n + 2 <= 60 && pipe(p) == 0) {
		write(p[1], "data", 4);
		fds[n++] = p[0];
		fds[n++] = p[1];
	}
	int opened = n / 2;
	while (n > 0)
		close(fds[--n]);
	for (int i = 0; i < 500; i++) {
		pipe(p);
		close(p[1]);
		close(p[0]);
	}
	return opened;
}

static void memory(void)
{
	/* The first round warms the allocator up (kmalloc keeps one empty
	 * slab page per size class); the second must give back every page. */
	pipe_rounds();
	unsigned long before = free_pages();
	check(pipe_rounds() == 30, "30 pipes open at once");
	check(free_pages() == before, "every pipe's memory is freed (%ld pages missing)", (long)before - (long)free_pages());
}

int main(void)
{
	plan(33);
	basics();
	blocking();
	end_of_file();
	sigpipe();
	bulk();
	many_writers();
	killing();
	memory();
	printf("done: %d failed\n", failures);
	return failures != 0;
}
