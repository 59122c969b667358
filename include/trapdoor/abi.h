/* abi.h: the contract between the kernel and user programs.
 * Numbers and structures that cross the system-call boundary.  The values
 * match picolibc's headers, which user/lib checks at compile time.
 */
#ifndef TRAPDOOR_ABI_H
#define TRAPDOOR_ABI_H

/* System-call numbers: SYS_fork, SYS_write, ... */
#include "sysnum.h"

#if defined(__x86_64__) && !defined(TRAPDOOR_KERNEL)
/* musl's headers first: the constants they share with this file are
 * theirs (the same values, spelt their way), and this file's #ifndefs
 * leave them be. */
#include <sys/mman.h>
#include <sys/resource.h>
#endif

/* Errors, open flags, file modes and signals: the kernel's copy of the
 * numbers.  User programs get the same ones from picolibc's headers
 * (user/lib/libtd.c checks that they agree). */
#ifdef TRAPDOOR_KERNEL
#ifdef __x86_64__
/* x86-64 speaks Linux's ABI, so the kernel is built with Linux's numbers
 * for errors, open flags, signals and clocks: a handler's -ENOENT is what
 * musl expects, and the dispatcher translates nothing. */
#include "linuxnum.h"
/* musl's start-up reads an auxiliary vector after envp's NULL, as Linux
 * puts one there: exec writes AT_PHDR, AT_PHENT, AT_PHNUM (musl finds
 * the TLS image through them), AT_PAGESZ and AT_NULL (exec.c). */
#define EXEC_AUXV_WORDS 10
#else
#define EXEC_AUXV_WORDS 0 /* picolibc's crt0 takes argc, argv, envp in registers */
/* Error numbers: a failing system call returns -E* in a0. */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define ERANGE 34
#define EDEADLK 45
#define ENOSYS 88
#define ENOTEMPTY 90
#define ENAMETOOLONG 91
#define ELOOP 92
#define ETIMEDOUT 116

/* open() flags (picolibc / newlib values). */
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_ACCMODE 3
#define O_CREAT 0x0040
#define O_TRUNC 0x0200
#define O_APPEND 0x0400
#define O_EXCL 0x0800
#define O_DIRECTORY 0x200000
#define O_NOCTTY 0x8000    /* accepted, no effect: there are no ttys to adopt */
#define O_BINARY 0x10000   /* accepted, no effect: no text mode */
#define O_NOFOLLOW 0x100000 /* open: a symlink as the last component is ELOOP */
#define O_CLOEXEC 0x40000  /* accepted by the Linux calls, no effect (see linux.c) */
#define O_NONBLOCK 0x4000
#define O_LARGEFILE 0       /* no such flag: every file is large */

/* lseek() whence */
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

/* File types and permission bits in st_mode (the classic Unix values). */
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_IFIFO 0010000
#define S_ISVTX 0001000 /* sticky: in a directory, only owners remove entries */

/* Signals the kernel uses to report how a process ended. */
#define SIGINT 2
#define SIGILL 4
#define SIGTRAP 5
#define SIGKILL 9
#define SIGBUS 10
#define SIGSEGV 11
#define SIGSYS 12
#define SIGPIPE 13
#define SIGTERM 15
#define SIGCHLD 20
#endif /* __x86_64__ */

#endif

/* wait status: exit code in bits 8..15, or the killing signal in 0..6. */
#ifndef W_EXITCODE
#define W_EXITCODE(code) (((code)&0xff) << 8)
#define W_KILLED(sig) ((sig)&0x7f)
#endif
#ifndef WNOHANG
#define WNOHANG 1
#endif

/* What stat() and fstat() fill in.  user/lib converts it to picolibc's
 * struct stat, so the kernel does not depend on the C library's layout. */
struct kstat {
	unsigned long dev;
	unsigned long ino;
	unsigned int mode;
	unsigned int nlink;
	unsigned int uid;
	unsigned int rdev;
	long size;
	long mtime_ns;
};

/* One directory entry as getdents() returns it: records of variable length,
 * each reclen bytes long, name NUL-terminated. */
struct kdirent {
	unsigned long ino;
	unsigned short reclen;
	unsigned char type; /* S_IFMT >> 12 */
	char name[];
};

#define PROC_NAME_LEN 16

/* One row of the process table, as procinfo() returns it (ps uses it). */
struct kprocinfo {
	int pid;
	int ppid;
	int uid;
	int pgid;
	int state; /* enum procstate */
	int priority;
	int hart; /* hart it runs on, or last ran on; -1 if it never ran */
	int tid;  /* the thread this row is about (one row per thread) */
	int nthreads; /* threads of its process */
	int pad;
	unsigned long ticks;     /* timer ticks charged to it */
	unsigned long syscalls;  /* system calls made */
	unsigned long vswitches; /* voluntary switches (blocked, yielded) */
	unsigned long iswitches; /* involuntary switches (preempted) */
	unsigned long mem_pages; /* user pages mapped */
	char name[PROC_NAME_LEN];
	char wait[PROC_NAME_LEN]; /* sleeping: what for (its wait queue's name: "disk", "pipe read", "futex", "join", ...) */
};

/* getrlimit/setrlimit: per-process resource limits, Linux's numbers.
 * Enforced: RLIMIT_NPROC (processes of the same uid, root's included; it
 * counts processes, not threads: thread_create's cap is 1024 a process) and
 * RLIMIT_AS (bytes of image + heap + stack + mappings).  RLIMIT_STACK and
 * RLIMIT_NOFILE report Trapdoor's fixed limits and cannot be changed. */
#define RLIMIT_STACK 3
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_AS 9
#ifndef RLIM_INFINITY /* musl's <sys/resource.h> has its own spelling */
#define RLIM_NLIMITS 10
#define RLIM_INFINITY (~0UL)
#endif
struct krlimit {
	unsigned long cur; /* soft limit: what is enforced */
	unsigned long max; /* hard limit: cur may rise up to it; only root raises it */
};

/* Threads (kernel/thread.c).  thread_create(entry, arg, stack, tls)
 * starts a thread of the calling process at entry with a0 = arg,
 * sp = stack (16-byte aligned, top of a mapped stack) and tp = tls; its
 * other registers are the caller's (gp included), ra = 0.  (x86-64: rdi =
 * arg, the FS base = tls, and rsp = stack - 8, where a 0 is the return
 * address, as if entry had been called.)  It returns the
 * new thread's id, from the same number space as pids (a process's first
 * thread has tid == pid).  thread_exit(value) ends the calling thread (the
 * last one ends the process, status 0); thread_join(tid, &value) waits
 * for a thread of the same process and collects its value (EDEADLK for
 * oneself, ESRCH for no such thread here, EINVAL if detached or already
 * being joined); thread_detach(tid) frees it at its exit instead.
 *
 * futex_wait(addr, val, timeout_ns) sleeps while the aligned 32-bit word
 * at addr holds val: -EAGAIN at once if it does not, 0 when woken,
 * -ETIMEDOUT after timeout_ns (0: no timeout), -EINTR if killed.
 * futex_wake(addr, n) wakes up to n sleepers on addr, returns how many. */

/* mmap(addr, len, prot, flags, fd, off): anonymous memory only
 * (MAP_PRIVATE | MAP_ANONYMOUS, fd -1), zero-filled on first touch.
 * The values are Linux's. */
#ifndef MAP_ANONYMOUS
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
#endif

/* clock_gettime(clockid, ts) / clock_settime(CLOCK_REALTIME, ts).  The
 * clock numbers are picolibc's (newlib's), not Linux's; picolibc's
 * <time.h> defines CLOCK_MONOTONIC only for some configurations, so it is
 * here too.  ktimespec is laid out like struct timespec (user/lib checks). */
#ifndef TRAPDOOR_KERNEL
#include <time.h> /* its CLOCK_REALTIME first: one definition, not two */
#endif
#ifndef CLOCK_REALTIME /* the kernel's x86-64 build has Linux's, 0 and 1 */
#define CLOCK_REALTIME 1  /* the time of day: ns since 1970-01-01 UTC, settable by root */
#endif
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC 4 /* time since boot: never set, never goes back */
#endif
struct ktimespec {
	long tv_sec;
	long tv_nsec;
};

/* Process states: the textbook's, plus embryo (being created). */
enum procstate { UNUSED, EMBRYO, RUNNABLE, RUNNING, SLEEPING, ZOMBIE };

/* Memory, in pages.  free_pages can be allocated now.  Of the others,
 * the kernel holds some for the file system and its own heap, and keeps
 * some on purpose after the work that took them is over: cached_pages.
 * A workload that cleans up after itself (its processes gone, its files
 * removed) leaves free_pages + cached_pages exactly where it was. */
struct kmeminfo {
	unsigned long total_pages;
	unsigned long free_pages;
	unsigned long nproc;
	unsigned long page_size;
	unsigned long ncpu;         /* harts running */
	unsigned long file_pages;   /* files' data and index pages */
	unsigned long fsmeta_pages; /* inodes, names, directory hashes (heap bytes, rounded up) */
	unsigned long fs_max_pages; /* the file system is full when file + fsmeta reach it */
	unsigned long heap_pages;   /* kernel heap (kmalloc) pages: PCBs, inodes, open files, pipes */
	unsigned long cached_pages; /* kept for reuse: the trace rings once recording started, disk blocks */
	unsigned long idle_ns;      /* harts' time idle (in wfi) since boot, summed: what I/O left the CPU */
	unsigned long tlb_ipis;     /* TLB-shootdown interrupts sent to other harts since boot */
};

/* diskstat(): the disk and its buffer cache, counted since boot. */
struct kdiskstat {
	unsigned long blocks;        /* disk size in blocks of block_size; 0: no disk */
	unsigned long block_size;
	unsigned long reads, writes; /* requests completed */
	unsigned long errors;        /* requests the device failed */
	unsigned long inflight_max;  /* most requests in flight at once */
	unsigned long ring_waits;    /* submitters that slept for ring space */
	unsigned long hits, misses;  /* bread found the block cached, or not */
	unsigned long readahead;     /* read-ahead requests started */
	unsigned long cached, dirty; /* buffers now, and how many are dirty */
	unsigned long shrunk;        /* pages given back under memory pressure */
};

/* One recorded kernel event, as traceread() returns them (see
 * kernel/trace.h for the types and what a..d mean). */
struct ktevent {
	unsigned long time; /* timer units (timebase_hz per second) */
	unsigned int type;
	unsigned short hart;
	unsigned short pad;
	int pid; /* running on the hart when recorded, 0 = idle */
	int tid; /* thread running then (a process's first thread has tid == pid) */
	unsigned long a, b, c, d;
	char name[16];
};

/* Event types in ktevent.type, and what a..d hold.  pid is the process
 * running on the hart when the event was recorded (0: the idle loop),
 * tid its thread.  The events about scheduling name threads by tid (a
 * process's first thread has tid == pid, so for a process with one
 * thread tid and pid are the same number). */
enum {
	EV_BOOT = 1, /* a = stage (BOOT_*), b = tick in us, c = harts, d = timebase */
	EV_TRAP,     /* a = scause, b = sepc (x86-64: the vector, rip): entered the kernel from user mode */
	EV_SYSCALL,  /* a = number, b..d = a0..a2; name = the call's name */
	EV_SYSRET,   /* a = number, b = result */
	EV_TIMER,    /* a = tid interrupted (0: idle), b = tick count */
	EV_SWITCH,   /* a = from tid, b = to tid (0: idle), c = why (WHY_*) */
	EV_STATE,    /* a = tid, b = new state, c = old state (enum procstate);
		      * d = for a new thread (unused -> embryo) the system call
		      * that made it (SYS_fork, SYS_spawn or SYS_thread_create),
		      * 0: the kernel (init); name = its process's */
	EV_IRQ,      /* a = irq number */
	EV_KILL,     /* a = pid, b = signal, c = scause (x86-64: the vector), d = address */
	EV_EXEC,     /* a = pid, name = its new name */
	EV_EXIT,     /* a = pid, b = wait status */
	EV_USER,     /* a = tid, b = pc: return-from-trap into user mode */
	EV_DISKREQ,  /* a = block, b = blocks, c = DISK_* (how), d = pid it is for
		      * (0: the kernel); name = that process's, or "kernel":
		      * the driver put a request on the queue and told the device */
	EV_DISKDONE, /* a = block, b = status (0 or -EIO), c and d as in the
		      * request: the device's completion, seen by its interrupt */
	EV_max
};
/* EV_BOOT stages: the seeds' "OS @ boot" rows */
enum { BOOT_TRAPTABLE = 1, BOOT_TIMER, BOOT_HARTS };
/* EV_DISKREQ's c: a write or a read, and whether anyone waits for it
 * (read-ahead and the periodic flush: nobody does) */
enum { DISK_WRITE = 1, DISK_ASYNC = 2 };
/* EV_SWITCH: why a process left the CPU */
enum { WHY_NONE, WHY_SLICE, WHY_YIELD, WHY_BLOCK, WHY_EXIT };

/* tracectl(op, arg, arg2) */
#define TRACECTL_GETMASK 0 /* returns the mask */
#define TRACECTL_SETMASK 1 /* mask = arg */
#define TRACECTL_SETPID 2  /* live lines only for pid arg (0: all) */
#define TRACECTL_CLEAR 3   /* empty the rings */
#define TRACECTL_GETPID 4  /* returns the pid filter (0: none) */
#define TRACECTL_DROPPED 5 /* returns events lost to full rings */
#define TRACECTL_TIMEBASE 6 /* returns timer units per second */

/* The trace mask: what is recorded (ring) and what is printed (live). */
#define TR_RECORD 0x01  /* events go to the per-hart rings (tracedump) */
#define TR_SYSCALL 0x02 /* a line per system call, strace style */
#define TR_TIMER 0x04   /* a line per timer interrupt (clockintr) */
#define TR_TRAP 0x08    /* a line per trap from user mode (usertrap) */
#define TR_SWITCH 0x10  /* a line per context switch (swtch) */
#define TR_PROC 0x20    /* a line per process state change */

/* strace() flags */
#define STRACE_ON 1
#define STRACE_FOLLOW 2 /* children inherit tracing (-f) */

#endif
