/* refs.c: reference counts a user program can drive up, and the kernel
 * surviving it: one file page mapped by 65,535 segments, or by 73,000
 * mappings across 1,000 processes; one open file in thousands of
 * descriptors across forks; thousands of links to a file and of ".."s.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tap.h"

#define PGSIZE 4096
#define TEXT_VA 0x10000UL
#define MAX_PHNUM (PGSIZE / 56) /* as many program headers as fit in a page: 73 */
#define DATA_BYTE 42            /* the programs' exit code, */
#define DATA_OFF 1024           /* at this offset of the shared page */
#define NOFILE 64

/* ELF64, as much as the loader reads */
struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr {
	uint32_t type, flags;
	uint64_t off, vaddr, paddr, filesz, memsz, align;
};

#ifdef __riscv
/* RISC-V instruction encodings */
enum { ZERO = 0, SP = 2, T0 = 5, A0 = 10, A1 = 11, A2 = 12, A7 = 17 };
static uint32_t itype(int imm, int rs1, int f3, int rd, int op)
{
	return ((uint32_t)(imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
static uint32_t addi(int rd, int rs1, int imm) { return itype(imm, rs1, 0, rd, 0x13); }
static uint32_t lbu(int rd, int rs1, int imm) { return itype(imm, rs1, 4, rd, 0x03); }
static uint32_t lui(int rd, uint32_t hi20) { return (hi20 << 12) | (rd << 7) | 0x37; }
#define ECALL 0x00000073u
#define ELF_MACHINE 243 /* EM_RISCV */

/* read(0, sp, 1); exit(*(last + DATA_OFF)): Trapdoor's numbers 5 and 2 */
static size_t put_code(char *at, uint64_t last)
{
	uint32_t code[] = {
		addi(A7, ZERO, 5), addi(A0, ZERO, 0), addi(A1, SP, 0), addi(A2, ZERO, 1), ECALL,
		lui(T0, last >> 12), lbu(A0, T0, DATA_OFF), addi(A7, ZERO, 2), ECALL,
	};
	memcpy(at, code, sizeof code);
	return sizeof code;
}
#else
#define ELF_MACHINE 62 /* EM_X86_64 */

/* The same in x86-64 machine code, with Linux's numbers (read 0,
 * exit_group 231); last + DATA_OFF is below 2 GiB, a 32-bit address. */
static size_t put_code(char *at, uint64_t last)
{
	uint32_t data = (uint32_t)(last + DATA_OFF);
	unsigned char code[] = {
		0xb8, 0, 0, 0, 0,       /* mov $0, %eax (read) */
		0x31, 0xff,             /* xor %edi, %edi */
		0x48, 0x89, 0xe6,       /* mov %rsp, %rsi */
		0xba, 1, 0, 0, 0,       /* mov $1, %edx */
		0x0f, 0x05,             /* syscall */
		0x0f, 0xb6, 0x3c, 0x25, /* movzbl data, %edi */
		data, data >> 8, data >> 16, data >> 24,
		0xb8, 231, 0, 0, 0,     /* mov $231, %eax (exit_group) */
		0x0f, 0x05,             /* syscall */
	};
	memcpy(at, code, sizeof code);
	return sizeof code;
}
#endif

/* Write path: an executable of nseg PT_LOAD segments that all map its
 * first page (the ELF header, the code at 256 and a data byte at 1024),
 * read-only and executable, at TEXT_VA, TEXT_VA + 4096, ...: each maps
 * the file's own page (no copy), one reference more on it.  The code
 * waits for a byte or end of file on fd 0, then exits with the data byte
 * as seen through the last mapping.  The program headers follow in the
 * file from its second page. */
static int write_elf(const char *path, int nseg)
{
	size_t phoff = PGSIZE, size = phoff + (size_t)nseg * sizeof(struct phdr);
	char *img = calloc(1, size);
	if (!img)
		return -1;
	struct ehdr *eh = (struct ehdr *)img;
	memcpy(eh->ident, "\177ELF\2\1\1", 7);
	eh->type = 2;       /* ET_EXEC */
	eh->machine = ELF_MACHINE;
	eh->version = 1;
	eh->entry = TEXT_VA + 256;
	eh->phoff = phoff;
	eh->ehsize = sizeof *eh;
	eh->phentsize = sizeof(struct phdr);
	eh->phnum = nseg;
	uint64_t last = TEXT_VA + (uint64_t)(nseg - 1) * PGSIZE;
	put_code(img + 256, last);
	img[DATA_OFF] = DATA_BYTE;
	struct phdr *ph = (struct phdr *)(img + phoff);
	for (int i = 0; i < nseg; i++)
		ph[i] = (struct phdr){ .type = 1, .flags = 5, .off = 0, .vaddr = TEXT_VA + (uint64_t)i * PGSIZE,
				       .filesz = PGSIZE, .memsz = PGSIZE };
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0755);
	long w = fd < 0 ? -1 : write(fd, img, size);
	close(fd);
	free(img);
	return w == (long)size ? 0 : -1;
}

/* Spawn path with fd 0 = rfd; the pid, or -1 with errno. */
static int spawn_reading(const char *path, int rfd)
{
	int saved = dup(0);
	dup2(rfd, 0);
	char *argv[] = { (char *)path, NULL };
	int pid = spawn(path, argv, NULL);
	int e = errno;
	dup2(saved, 0);
	close(saved);
	errno = e;
	return pid;
}

/* In a child running as uid 1000: spawn and exec of path must both fail
 * with ENOEXEC and leave the child going.  Exit code: 0 if so. */
static int refused_as_user(const char *path)
{
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		if (setuid(1000) < 0)
			_exit(10);
		int p[2];
		pipe(p);
		close(p[1]); /* a program that did start would read EOF and exit */
		if (spawn_reading(path, p[0]) >= 0 || errno != ENOEXEC)
			_exit(11);
		char *argv[] = { (char *)path, NULL };
		execve(path, argv, NULL);
		_exit(errno == ENOEXEC ? 0 : 12);
	}
	int st = reap(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static void hostile_elf(void)
{
	const char *H = "/tmp/refs.hostile", *OK = "/tmp/refs.max", *OVER = "/tmp/refs.over";
	check(write_elf(H, 65535) == 0, "write an ELF with 65,535 PT_LOAD segments that all map one file page");
	unsigned long before = free_pages();
	int r = refused_as_user(H);
	check(r == 0, "uid 1000: spawn and exec of it fail with ENOEXEC, the caller goes on (%d)", r);
	check(free_pages() == before, "the refused exec and spawn leave no page behind (%lu free, %lu before)", free_pages(),
	      before);
	check(write_elf(OVER, MAX_PHNUM + 1) == 0 && refused_as_user(OVER) == 0,
	      "%d program headers (more than fit in a page): ENOEXEC", MAX_PHNUM + 1);

	/* the most a program may have still runs, as uid 1000 */
	check(write_elf(OK, MAX_PHNUM) == 0, "write an ELF with %d program headers", MAX_PHNUM);
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		setuid(1000);
		int p[2];
		pipe(p);
		close(p[1]);
		int c = spawn_reading(OK, p[0]);
		int st = reap(c);
		_exit(c > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	}
	int st = reap(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == DATA_BYTE,
	      "uid 1000: it runs and reads the shared page through its last mapping (exit %d)",
	      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	unlink(H);
	unlink(OVER);
}

/* 1,000 processes, each mapping one file page 73 times: 73,000 users of
 * one page at once, more than a 16-bit count holds.  Each waits for a
 * byte on its fd 0, a pipe (whose write end it inherits too, so the pipe
 * gets bytes, not an end of file). */
static void many_mappers(int nproc)
{
	const char *OK = "/tmp/refs.max";
	int p[2];
	pipe(p);
	int *pids = malloc(nproc * sizeof *pids), started = 0;
	unsigned long before = free_pages();
	for (int i = 0; i < nproc; i++) {
		pids[i] = spawn_reading(OK, p[0]);
		if (pids[i] < 0)
			break;
		started++;
	}
	check(started == nproc, "spawned %d programs that map one page %d times each (%d users of it, %lu pages in use)",
	      started, MAX_PHNUM, started * MAX_PHNUM, before - free_pages());
	close(p[0]);
	char go[PGSIZE];
	memset(go, 'g', sizeof go);
	check(write(p[1], go, started) == started, "a byte for each: they exit");
	close(p[1]);
	int good = 0;
	for (int i = 0; i < started; i++) {
		int st = reap(pids[i]);
		good += WIFEXITED(st) && WEXITSTATUS(st) == DATA_BYTE;
	}
	check(good == started, "all %d read the page intact and exited with %d", good, DATA_BYTE);
	free(pids);
}

/* One open file in every descriptor of 200 processes: 12,600 references,
 * each dropped exactly once (else the pipe's reader never sees EOF). */
static void dup_across_forks(void)
{
	int data[2], ctl[2];
	pipe(data);
	pipe(ctl);
	int first = data[1], n = 0;
	for (int fd = 0; fd < NOFILE; fd++) {
		if (fd > 2 && fd != data[0] && fd != data[1] && fd != ctl[0] && fd != ctl[1])
			if (dup2(first, fd) == fd)
				n++;
	}
	check(dup(first) == -1 && errno == EMFILE, "the descriptor table is full: dup fails with EMFILE");
	int kids = 0;
	for (int i = 0; i < 200; i++) {
		fflush(stdout);
		int pid = fork();
		if (pid == 0) {
			char c;
			close(ctl[1]);
			read(ctl[0], &c, 1); /* hold every descriptor until the parent lets go */
			_exit(write(first, "x", 1) == 1 ? 0 : 1);
		}
		kids += pid > 0;
	}
	check(kids == 200, "200 children hold the write end in %d descriptors each", n + 1);
	for (int fd = 3; fd < NOFILE; fd++)
		if (fd != data[0] && fd != ctl[1])
			close(fd);
	close(ctl[1]); /* go */
	int ok = 0, st;
	while (wait(&st) > 0)
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	char buf[256];
	long got = 0, r;
	while ((r = read(data[0], buf, sizeof buf)) > 0)
		got += r;
	check(ok == kids && got == kids && r == 0, "each wrote through it, and the reader sees EOF after the last (%ld bytes)", got);
	close(data[0]);
}

/* Link counts and ".." references, raised by link and mkdir. */
static void names(void)
{
	const char *D = "/tmp/refs.d";
	char path[64];
	mkdir(D, 0755);
	int fd = open("/tmp/refs.d/f", O_CREAT | O_WRONLY, 0644);
	close(fd);
	int links = 0, dirs = 0;
	for (int i = 0; i < 2000; i++) {
		snprintf(path, sizeof path, "%s/l%d", D, i);
		links += link("/tmp/refs.d/f", path) == 0;
		snprintf(path, sizeof path, "%s/d%d", D, i);
		dirs += mkdir(path, 0755) == 0;
	}
	struct stat st;
	check(links == 2000 && stat("/tmp/refs.d/f", &st) == 0 && st.st_nlink == 2001, "2000 links: nlink %d",
	      (int)st.st_nlink);
	for (int i = 0; i < 2000; i++) {
		snprintf(path, sizeof path, "%s/l%d", D, i);
		unlink(path);
		snprintf(path, sizeof path, "%s/d%d", D, i);
		rmdir(path);
	}
	check(dirs == 2000 && stat("/tmp/refs.d/f", &st) == 0 && st.st_nlink == 1, "2000 subdirectories; after the unlinks nlink is 1");
	unlink("/tmp/refs.d/f");
	check(rmdir(D) == 0, "the directory empties and goes");
}

/* --- refmax=R: the limit reached, the calls refused (refs limits R) --- */

static int R;

static void links_refused(void)
{
	const char *F = "/tmp/refs.lf";
	char path[64];
	close(open(F, O_CREAT | O_WRONLY, 0644));
	int n = 0;
	while (n < 2 * R) {
		snprintf(path, sizeof path, "/tmp/refs.l%d", n);
		if (link(F, path) < 0)
			break;
		n++;
	}
	check(n == R - 1 && errno == EMLINK, "link until nlink is %d: then EMLINK (%d links, errno %d)", R, n, errno);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/tmp/refs.l%d", i);
		unlink(path);
	}
	struct stat st;
	check(stat(F, &st) == 0 && st.st_nlink == 1, "unlinked again: nlink 1");
	unlink(F);
}

static void subdirs_refused(void)
{
	const char *D = "/tmp/refs.sd";
	char path[64];
	mkdir(D, 0755);
	mkdir("/tmp/refs.mv", 0755);
	int n = 0;
	while (n < 2 * R) {
		snprintf(path, sizeof path, "%s/%d", D, n);
		if (mkdir(path, 0755) < 0)
			break;
		n++;
	}
	check(n == R && errno == EMLINK, "mkdir until the directory has %d references (its subdirectories' \"..\"): then EMLINK (%d, errno %d)",
	      R, n, errno);
	/* A refused mkdir gives back what it counted against the file
	 * system's size: hundreds of them leave its metadata as it was. */
	struct kmeminfo m0, m1;
	meminfo(&m0);
	snprintf(path, sizeof path, "%s/x", D);
	for (int i = 0; i < 256; i++)
		mkdir(path, 0755);
	meminfo(&m1);
	check(m1.fsmeta_pages == m0.fsmeta_pages, "256 refused mkdirs leave the file system's metadata at %lu pages (now %lu)",
	      m0.fsmeta_pages, m1.fsmeta_pages);
	errno = 0;
	check(open(D, O_RDONLY) == -1 && errno == ENFILE, "open of that directory: ENFILE (errno %d)", errno);
	check(chdir(D) == -1 && errno == ENFILE, "chdir into it: ENFILE");
	check(rename("/tmp/refs.mv", "/tmp/refs.sd/mv") == -1 && errno == EMLINK, "rename a directory into it: EMLINK");
	snprintf(path, sizeof path, "%s/0", D);
	rmdir(path);
	int fd = open(D, O_RDONLY);
	check(fd >= 0, "one subdirectory fewer: it opens");
	close(fd);
	check(rename("/tmp/refs.mv", "/tmp/refs.sd/mv") == 0 && rmdir("/tmp/refs.sd/mv") == 0, "and a directory moves in");
	for (int i = 1; i < n; i++) {
		snprintf(path, sizeof path, "%s/%d", D, i);
		rmdir(path);
	}
	check(rmdir(D) == 0, "all removed");
}

/* A page whose count is full is copied by exec instead of shared. */
static void exec_copies(void)
{
	const char *OK = "/tmp/refs.max";
	write_elf(OK, MAX_PHNUM);
	int want = R / MAX_PHNUM + 5, started = 0, good = 0, p[2];
	int *pids = malloc(want * sizeof *pids);
	pipe(p);
	for (int i = 0; i < want; i++) {
		if ((pids[i] = spawn_reading(OK, p[0])) < 0)
			break;
		started++;
	}
	char go[256];
	memset(go, 'g', sizeof go);
	write(p[1], go, started);
	for (int i = 0; i < started; i++) {
		int st = reap(pids[i]);
		good += WIFEXITED(st) && WEXITSTATUS(st) == DATA_BYTE;
	}
	close(p[0]);
	close(p[1]);
	check(started == want && good == want, "%d programs map one page %d times each, past its limit: all run, %d exit %d",
	      started, MAX_PHNUM, good, DATA_BYTE);
	free(pids);
	unlink(OK);
}

/* fork until a count (a page's, a page table's, an open file's) is full:
 * then ENOMEM, and everything taken for the failed child is given back. */
static void fork_refused(void)
{
	int ctl[2], res[2];
	unsigned long before = free_pages();
	pipe(ctl);
	pipe(res);
	fflush(stdout);
	int forker = fork();
	if (forker == 0) {
		close(ctl[1]);
		close(res[0]);
		close(0);
		close(1);
		close(2);
		int n = 0, e = 0;
		for (; n < 4 * R; n++) {
			int pid = fork();
			if (pid == 0) {
				char c;
				read(ctl[0], &c, 1); /* until the test lets go */
				_exit(0);
			}
			if (pid < 0) {
				e = errno;
				break;
			}
		}
		int out[2] = { n, e };
		write(res[1], out, sizeof out);
		while (wait(NULL) > 0)
			;
		_exit(0);
	}
	close(ctl[0]);
	close(res[1]);
	int got[2] = { -1, -1 };
	read(res[0], got, sizeof got);
	close(ctl[1]); /* the children read end of file */
	reap(forker);
	close(res[0]);
	check(got[1] == ENOMEM && got[0] > R - 50 && got[0] < R, "fork until a count is full: ENOMEM after %d children (errno %d)",
	      got[0], got[1]);
	check(free_pages() == before, "every refused fork gave back what it took (%lu free pages, %lu before)", free_pages(),
	      before);
}

/* One open file in every slot of several processes: fork refused part
 * way through copying the descriptors, then dup and dup2 refused. */
static void dup_refused(void)
{
	int q[2], ctl[2];
	pipe(q);
	pipe(ctl);
	int held[NOFILE], nheld = 0, k = 31; /* references each child adds */
	for (int i = 1; i < k; i++)
		held[nheld++] = dup(q[1]);
	int kids = 0, e = 0;
	for (; kids < R; kids++) {
		fflush(stdout);
		int pid = fork();
		if (pid == 0) {
			char c;
			close(ctl[1]);
			read(ctl[0], &c, 1);
			_exit(0);
		}
		if (pid < 0) {
			e = errno;
			break;
		}
	}
	check(e == ENOMEM && kids == R / k - 1, "fork copying %d references to one file: ENOMEM after %d children", k, kids);
	/* the count is below R by less than k: fill it exactly */
	int extra = 0, fd;
	while ((fd = dup(q[1])) >= 0)
		held[nheld++] = fd, extra++;
	check(errno == EMFILE && extra == R % k && nheld < NOFILE - 8,
	      "dup until the open file's count is full: EMFILE with free descriptors (%d more)", extra);
	check(dup2(q[1], 60) == -1 && errno == EMFILE, "dup2 to a free descriptor: EMFILE");
	int other = open("/tmp", O_RDONLY);
	struct stat st;
	check(dup2(q[1], other) == -1 && errno == EMFILE && fstat(other, &st) == 0 && S_ISDIR(st.st_mode),
	      "dup2 over an open descriptor: EMFILE, and that descriptor stays open");
	close(other);
	close(held[--nheld]);
	check((fd = dup(q[1])) >= 0, "one descriptor closed: dup works again");
	close(fd);
	for (int i = 0; i < nheld; i++)
		close(held[i]);
	close(ctl[1]);
	close(ctl[0]);
	while (wait(NULL) > 0)
		;
	close(q[0]);
	close(q[1]);
}

/* Every check of free pages below compares two readings taken seconds
 * apart: writing dirty blocks back (sync, or the periodic flush at any
 * moment) must not change the reading.  With the root on the disk the
 * file below is on it, in the cache and dirty. */
static void steady_measure(void)
{
	const char *F = "/refs.dirty";
	char buf[512];
	memset(buf, 'd', sizeof buf);
	int fd = open(F, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	int w = fd >= 0 ? (int)write(fd, buf, sizeof buf) : -1;
	close(fd);
	unsigned long before = free_pages();
	sync();
	unsigned long after = free_pages();
	check(w == (int)sizeof buf && before == after,
	      "free_pages() is the same before and after sync writes the dirty blocks back (%lu, %lu)", before, after);
	unlink(F);
	sync();
}

static int limits(void)
{
	unsigned long start = free_pages();
	note("limit: refmax=%d", R);
	links_refused();
	subdirs_refused();
	exec_copies();
	fork_refused();
	dup_refused();
	fflush(stdout);
	int pid = fork();
	if (pid == 0)
		_exit(7);
	int st = reap(pid);
	check(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7, "the system still forks");
	note("free pages: %lu at start, %lu at the end", start, free_pages());
	return tap_done();
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "limits") == 0) {
		plan(19);
		R = atoi(argv[2]);
		return limits();
	}
	plan(21);
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	steady_measure();
	unsigned long start = free_pages();
	hostile_elf();
	unsigned long mid = free_pages();
	many_mappers(n);
	unsigned long after1 = free_pages();
	many_mappers(n);
	check(free_pages() == after1, "a second round leaves memory where the first did (%lu, %lu; %lu before)", free_pages(),
	      after1, mid);
	unlink("/tmp/refs.max");
	dup_across_forks();
	names();
	note("free pages: %lu at start, %lu at the end", start, free_pages());
	fflush(stdout);
	int pid = fork();
	if (pid == 0)
		_exit(7);
	int st = reap(pid);
	check(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7, "the system still forks");
	return tap_done();
}
