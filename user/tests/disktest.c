/* disktest.c: the disk through /dev/vda and the buffer cache, from user mode.
 * Subcommands (tests/test_disk.py runs them on prepared images):
 *   magic                 the ext2 superblock's magic and the disk's size
 *   write BLOCK SEED      fill a block with SEED's pattern (then poweroff)
 *   check BLOCK SEED      the block holds SEED's pattern
 *   pattern FROM N        blocks FROM..FROM+N-1 hold the host's pattern
 *   par NPROC FROM N      NPROC processes read FROM..FROM+N-1 at once
 *   end                   reads and writes at the end of the disk
 *   eio BLOCK             reading BLOCK fails with EIO (a device error)
 *   weio BLOCK            writing BLOCK back fails: fsync says EIO
 *   mixed NPROC FROM N    readers and writers on the same N blocks at once
 *   shrink                a full cache gives memory back to a process
 *   shrinkfs              ... and to a file in RAM
 *   flushwait             the periodic flush writes dirty blocks back
 *   sleeps FROM N         a reader sleeps on each block it must wait for
 *   cost FROM N           instructions per 4 KiB read, cold and cached
 *   many FROM N SEED      write N blocks, fsync: more requests than the ring holds
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "tap.h"

#define BS 4096
static unsigned int buf[BS / 4];

static int open_disk(int flags)
{
	int fd = open("/dev/vda", flags);
	if (fd < 0)
		printf("not ok - open /dev/vda: %s\ndone\n", strerror(errno));
	return fd;
}

/* The host writes this pattern past the file system: word i of the disk
 * (byte offset 4i) holds i ^ 0xa5a5a5a5. */
static int host_pattern_ok(unsigned long block)
{
	for (int i = 0; i < BS / 4; i++)
		if (buf[i] != ((unsigned)(block * (BS / 4) + i) ^ 0xa5a5a5a5u))
			return 0;
	return 1;
}

static long read_block(int fd, unsigned long block)
{
	if (lseek(fd, (long)block * BS, SEEK_SET) < 0)
		return -1;
	return read(fd, buf, BS);
}

static int magic(void)
{
	plan(4);
	int fd = open_disk(O_RDONLY);
	if (fd < 0)
		return 1;
	unsigned short m = 0;
	check(lseek(fd, 1024 + 56, SEEK_SET) == 1024 + 56, "lseek to the superblock's magic");
	check(read(fd, &m, 2) == 2 && m == 0xef53, "ext2 magic 0xef53 (read %#x)", m);
	struct kdiskstat st;
	check(diskstat(&st) == 0 && st.block_size == BS, "diskstat: blocks of %lu", st.block_size);
	long end = lseek(fd, 0, SEEK_END);
	check(end == (long)(st.blocks * BS), "lseek(SEEK_END) = disk size %ld", end);
	close(fd);
	return tap_done();
}

static int rw(int wr, unsigned long block, unsigned seed)
{
	if (wr)
		plan(2);
	else
		plan(1);
	int fd = open_disk(wr ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return 1;
	if (wr) {
		for (int i = 0; i < BS / 4; i++)
			buf[i] = seed * 2654435761u + i;
		check(lseek(fd, (long)block * BS, SEEK_SET) >= 0 && write(fd, buf, BS) == BS, "write block %lu", block);
		/* read back through the cache at an odd offset */
		unsigned int w = 0;
		check(lseek(fd, (long)block * BS + 4 * 100, SEEK_SET) >= 0 && read(fd, &w, 4) == 4 &&
			      w == seed * 2654435761u + 100,
		      "read back word 100 from the cache");
	} else {
		int ok = read_block(fd, block) == BS;
		for (int i = 0; ok && i < BS / 4; i++)
			ok = buf[i] == seed * 2654435761u + i;
		check(ok, "block %lu holds seed %u's pattern", block, seed);
	}
	close(fd);
	return tap_done();
}

static int pattern(unsigned long from, unsigned long n)
{
	plan(1);
	int fd = open_disk(O_RDONLY);
	if (fd < 0)
		return 1;
	int bad = 0;
	for (unsigned long b = from; b < from + n; b++)
		if (read_block(fd, b) != BS || !host_pattern_ok(b))
			bad++;
	check(!bad, "%lu blocks from %lu read with the host's pattern (%d bad)", n, from, bad);
	close(fd);
	return tap_done();
}

/* Each child reads its own share, interleaved with the others', so that
 * the cache misses and the requests overlap. */
static int par(int nproc, unsigned long from, unsigned long n)
{
	plan(3);
	struct kdiskstat before, after;
	diskstat(&before);
	for (int c = 0; c < nproc; c++) {
		int pid = fork();
		if (pid == 0) {
			int fd = open("/dev/vda", O_RDONLY);
			int bad = fd < 0;
			for (unsigned long b = from + c; b < from + n; b += nproc)
				if (read_block(fd, b) != BS || !host_pattern_ok(b))
					bad++;
			_exit(bad ? 1 : 0);
		}
	}
	int failed = 0;
	for (int c = 0; c < nproc; c++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	diskstat(&after);
	check(!failed, "%d processes read %lu blocks, each as the host wrote it", nproc, n);
	check(after.inflight_max >= 2, "requests in flight at once: up to %lu", after.inflight_max);
	check(after.reads - before.reads <= n + 8, "each block read from the device once (%lu reads for %lu blocks)",
	      after.reads - before.reads, n);
	note("misses %lu, hits %lu, read-ahead %lu, ring waits %lu", after.misses - before.misses,
	     after.hits - before.hits, after.readahead - before.readahead, after.ring_waits);
	return tap_done();
}

static int end(void)
{
	plan(7);
	int fd = open_disk(O_RDWR);
	if (fd < 0)
		return 1;
	long size = lseek(fd, 0, SEEK_END);
	check(read(fd, buf, BS) == 0, "read at the end of the disk: end of file");
	errno = 0;
	check(write(fd, buf, BS) < 0 && errno == ENOSPC, "write at the end: ENOSPC (%s)", strerror(errno));
	check(lseek(fd, size - 10, SEEK_SET) == size - 10 && read(fd, buf, BS) == 10, "a read across the end is cut short");
	check(lseek(fd, size + BS, SEEK_SET) == size + BS && read(fd, buf, BS) == 0, "a read past the end: end of file");
	lseek(fd, 0, SEEK_SET);
	errno = 0;
	check(read(fd, (void *)8, BS) < 0 && errno == EFAULT, "read into a bad pointer: EFAULT (%s)", strerror(errno));
	errno = 0;
	check(write(fd, (void *)8, BS) < 0 && errno == EFAULT, "write from a bad pointer: EFAULT (%s)", strerror(errno));
	close(fd);
	int u = fork();
	if (u == 0) {
		setuid(1);
		_exit(open("/dev/vda", O_RDONLY) < 0 && errno == EACCES ? 0 : 1);
	}
	int st;
	check(waitpid(u, &st, 0) == u && WIFEXITED(st) && WEXITSTATUS(st) == 0, "/dev/vda is root's only");
	return tap_done();
}

static int eio(unsigned long block)
{
	plan(3);
	int fd = open_disk(O_RDONLY);
	if (fd < 0)
		return 1;
	errno = 0;
	long r = read_block(fd, block);
	check(r < 0 && errno == EIO, "read of block %lu: EIO (%ld, %s)", block, r, strerror(errno));
	check(read_block(fd, block - 1) == BS, "the block before reads");
	struct kdiskstat st;
	diskstat(&st);
	check(st.errors >= 1, "diskstat counts %lu device errors", st.errors);
	close(fd);
	return tap_done();
}

static int weio(unsigned long block)
{
	plan(3);
	int fd = open_disk(O_RDWR);
	if (fd < 0)
		return 1;
	memset(buf, 0x5a, BS);
	check(lseek(fd, (long)block * BS, SEEK_SET) >= 0 && write(fd, buf, BS) == BS, "write block %lu (cached)", block);
	errno = 0;
	check(fsync(fd) < 0 && errno == EIO, "fsync: EIO (%s)", strerror(errno));
	check(read_block(fd, block) == BS && buf[0] == 0x5a5a5a5au, "the block still reads from the cache");
	close(fd);
	return tap_done();
}

/* A block as mixed writes it: word 0 a tag, word i tag * K + i. */
static void tagged(unsigned tag)
{
	buf[0] = tag;
	for (int i = 1; i < BS / 4; i++)
		buf[i] = tag * 2654435761u + i;
}

static int consistent(unsigned long block)
{
	if (host_pattern_ok(block))
		return 1;
	for (int i = 1; i < BS / 4; i++)
		if (buf[i] != buf[0] * 2654435761u + i)
			return 0;
	return 1;
}

/* Every process reads, checks and rewrites whole blocks of one small
 * region, and now and then fsyncs: a block is only ever seen whole
 * (the writer owns the buffer while it copies), never torn. */
static int mixed(int nproc, unsigned long from, unsigned long n)
{
	plan(3);
	for (int c = 0; c < nproc; c++) {
		if (fork() == 0) {
			int fd = open("/dev/vda", O_RDWR), bad = fd < 0;
			unsigned seed = 12345 + c;
			for (int k = 0; k < 300 && !bad; k++) {
				seed = seed * 1103515245 + 12345;
				unsigned long b = from + (seed >> 8) % n;
				if (read_block(fd, b) != BS || !consistent(b))
					bad = 1;
				tagged(c << 16 | k);
				if (lseek(fd, (long)b * BS, SEEK_SET) < 0 || write(fd, buf, BS) != BS)
					bad = 2;
				if (k % 50 == 49 && fsync(fd) < 0)
					bad = 3;
			}
			_exit(bad);
		}
	}
	int failed = 0;
	for (int c = 0; c < nproc; c++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	check(!failed, "%d processes read and wrote %lu blocks at once: none torn", nproc, n);
	int fd = open_disk(O_RDWR);
	check(fd >= 0 && fsync(fd) == 0, "fsync at the end");
	int bad = 0;
	for (unsigned long b = from; b < from + n; b++)
		bad += read_block(fd, b) != BS || !consistent(b);
	check(!bad, "every block whole afterwards (%d bad)", bad);
	close(fd);
	return tap_done();
}

/* Fill the cache with most of free memory, then have a child allocate
 * more than is left free: its pages must come out of the clean cache. */
static int shrink(void)
{
	plan(4);
	int fd = open_disk(O_RDONLY);
	if (fd < 0)
		return 1;
	struct kdiskstat st;
	diskstat(&st);
	unsigned long free0 = free_list_pages(), nblk = st.blocks;
	for (unsigned long b = 0; b < nblk; b++)
		if (read_block(fd, b) != BS)
			break;
	diskstat(&st);
	unsigned long free1 = free_list_pages();
	check(st.cached > nblk / 2, "the cache grew: %lu blocks cached, free pages %lu -> %lu", st.cached, free0, free1);
	unsigned long want = free1 + st.cached / 2; /* pages: more than is free */
	int pid = fork();
	if (pid == 0) {
		char *p = sbrk(want * 4096);
		if (p == (char *)-1)
			_exit(2);
		for (unsigned long i = 0; i < want; i++)
			p[i * 4096] = 1;
		_exit(0);
	}
	int stat;
	check(waitpid(pid, &stat, 0) == pid && WIFEXITED(stat) && WEXITSTATUS(stat) == 0,
	      "a process got %lu pages, more than the %lu free (status %#x)", want, free1, stat);
	diskstat(&st);
	check(st.shrunk > 0, "the cache gave back %lu pages", st.shrunk);
	check(read_block(fd, 1) == BS, "the disk still reads");
	close(fd);
	return tap_done();
}

/* Files in RAM may use the memory the disk cache holds too: a file
 * bigger than the free pages (but within fsmax=) is written in full, the
 * clean cached blocks dropped for it, never ENOSPC while they remain. */
static int shrinkfs(void)
{
	plan(4);
	int fd = open_disk(O_RDONLY);
	if (fd < 0)
		return 1;
	struct kdiskstat st;
	struct kmeminfo mi;
	diskstat(&st);
	unsigned long nblk = st.blocks;
	for (unsigned long b = 0; b < nblk; b++)
		if (read_block(fd, b) != BS)
			break;
	diskstat(&st);
	meminfo(&mi);
	unsigned long free1 = mi.free_pages, room = mi.fs_max_pages - mi.file_pages - mi.fsmeta_pages - 64; /* index pages too */
	unsigned long want = free1 + st.cached / 4 < room ? free1 + st.cached / 4 : room;
	check(st.cached > nblk / 2 && want > free1, "the cache holds %lu blocks; %lu pages free, a file of %lu pages",
	      st.cached, free1, want);
	static char page[4096];
	memset(page, 'c', sizeof page);
	int f = open("/tmp/shrinkfs", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	unsigned long n = 0;
	while (f >= 0 && n < want && write(f, page, sizeof page) == (long)sizeof page)
		n++;
	int err = errno;
	close(f);
	check(n == want, "the file got all %lu pages (%lu written, errno %d)", want, n, n == want ? 0 : err);
	diskstat(&st);
	check(st.shrunk > 0, "the cache gave back %lu pages for it", st.shrunk);
	check(unlink("/tmp/shrinkfs") == 0 && read_block(fd, 1) == BS, "removed; the disk still reads");
	close(fd);
	return tap_done();
}

/* Without sync or poweroff, the periodic flush writes a dirty block back
 * within a few seconds (it writes what has been dirty for 5 s). */
static int flushwait(void)
{
	plan(2);
	struct kdiskstat st;
	long t0 = uptime(), t = 0;
	diskstat(&st);
	check(st.dirty > 0, "%lu dirty blocks to begin with", st.dirty);
	while (diskstat(&st) == 0 && st.dirty > 0 && (t = uptime() - t0) < 30000)
		msleep(100);
	check(st.dirty == 0, "the periodic flush wrote them back after %ld ms", t);
	return tap_done();
}

static unsigned long my_vswitches(void)
{
	static struct kprocinfo rows[64];
	int n = procinfo(rows, 64), pid = getpid();
	for (int i = 0; i < n && i < 64; i++)
		if (rows[i].pid == pid)
			return rows[i].vswitches;
	return 0;
}

/* Every other block: no read-ahead, so each read is a miss the reader
 * must sleep for (a driver that spun for the disk would not switch). */
static int sleeps(unsigned long from, unsigned long n)
{
	plan(3);
	int fd = open_disk(O_RDONLY);
	if (fd < 0)
		return 1;
	struct kdiskstat s0, s1;
	diskstat(&s0);
	unsigned long v0 = my_vswitches();
	int bad = 0;
	for (unsigned long i = 0; i < n; i++)
		if (read_block(fd, from + 2 * i) != BS || !host_pattern_ok(from + 2 * i))
			bad++;
	unsigned long v1 = my_vswitches();
	diskstat(&s1);
	check(!bad, "%lu blocks read", n);
	check(s1.misses - s0.misses == n, "%lu misses", s1.misses - s0.misses);
	check(v1 - v0 >= n, "the reader left the CPU %lu times for %lu misses", v1 - v0, n);
	close(fd);
	return tap_done();
}

static int cost(unsigned long from, unsigned long n)
{
	int fd = open_disk(O_RDONLY);
	if (fd < 0)
		return 1;
	for (int pass = 0; pass < 2; pass++) {
		lseek(fd, (long)from * BS, SEEK_SET);
		unsigned long t0 = rdinstret();
		for (unsigned long i = 0; i < n; i++)
			read(fd, buf, BS);
		unsigned long t = rdinstret() - t0;
		note("%s: %lu instructions per 4 KiB block read (%lu blocks)", pass ? "cached" : "cold, sequential", t / n, n);
	}
	close(fd);
	/* the same reads from a file of the in-RAM file system, to compare */
	int rf = open("/test/disktest", O_RDONLY);
	long size = lseek(rf, 0, SEEK_END) / BS, reads = 0;
	unsigned long t0 = rdinstret();
	for (unsigned long i = 0; i < n; i++, reads++) {
		if (i % size == 0)
			lseek(rf, 0, SEEK_SET);
		read(rf, buf, BS);
	}
	note("in-RAM file: %lu instructions per 4 KiB read", (rdinstret() - t0) / reads);
	close(rf);
	return tap_done();
}

static int many(unsigned long from, unsigned long n, unsigned seed)
{
	plan(7);
	int fd = open_disk(O_RDWR);
	if (fd < 0)
		return 1;
	int bad = 0;
	struct kdiskstat s0, s1, sw;
	diskstat(&sw);
	lseek(fd, (long)from * BS, SEEK_SET);
	for (unsigned long b = from; b < from + n; b++) {
		for (int i = 0; i < BS / 4; i++)
			buf[i] = (seed + (unsigned)b) * 2654435761u + i;
		bad += write(fd, buf, BS) != BS;
	}
	diskstat(&s0);
	check(!bad && s0.dirty >= n, "%lu blocks written, %lu dirty", n, s0.dirty);
	check(s0.reads == sw.reads, "whole blocks overwritten without reading them (%lu reads)", s0.reads - sw.reads);
	check(fsync(fd) == 0, "fsync /dev/vda");
	diskstat(&s1);
	check(s1.dirty == 0 && s1.writes - s0.writes >= n, "all written back: %lu writes", s1.writes - s0.writes);
	check(s1.ring_waits > s0.ring_waits, "the submitter waited for ring space (%lu times), up to %lu in flight",
	      s1.ring_waits - s0.ring_waits, s1.inflight_max);
	int p[2];
	pipe(p);
	errno = 0;
	check(fsync(p[0]) < 0 && errno == EINVAL, "fsync of a pipe: EINVAL");
	check(fsync(99) < 0 && errno == EBADF, "fsync of no file: EBADF");
	close(fd);
	return tap_done();
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	unsigned long a = argc > 2 ? strtoul(argv[2], 0, 0) : 0, b = argc > 3 ? strtoul(argv[3], 0, 0) : 0;
	unsigned long c = argc > 4 ? strtoul(argv[4], 0, 0) : 0;
	if (!strcmp(cmd, "magic"))
		return magic();
	if (!strcmp(cmd, "write") || !strcmp(cmd, "check"))
		return rw(cmd[0] == 'w', a, (unsigned)b);
	if (!strcmp(cmd, "pattern"))
		return pattern(a, b);
	if (!strcmp(cmd, "par"))
		return par((int)a, b, c);
	if (!strcmp(cmd, "end"))
		return end();
	if (!strcmp(cmd, "eio"))
		return eio(a);
	if (!strcmp(cmd, "weio"))
		return weio(a);
	if (!strcmp(cmd, "mixed"))
		return mixed((int)a, b, c);
	if (!strcmp(cmd, "shrink"))
		return shrink();
	if (!strcmp(cmd, "shrinkfs"))
		return shrinkfs();
	if (!strcmp(cmd, "flushwait"))
		return flushwait();
	if (!strcmp(cmd, "sleeps"))
		return sleeps(a, b);
	if (!strcmp(cmd, "cost"))
		return cost(a, b);
	if (!strcmp(cmd, "many"))
		return many(a, b, (unsigned)c);
	printf("usage: disktest magic|write B S|check B S|pattern F N|par P F N|end|eio B|shrink|shrinkfs\n");
	return 2;
}
