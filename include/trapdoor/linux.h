/* linux.h: the structures and constants of Linux's x86-64 system-call ABI
 * that kernel/linux.c implements (the layouts of Linux's uapi headers).
 */
#ifndef TRAPDOOR_LINUX_H
#define TRAPDOOR_LINUX_H

/* *at() calls: the directory fd, and flags (LINUX_: picolibc has other values) */
#define LINUX_AT_FDCWD (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_REMOVEDIR 0x200
#define LINUX_AT_EMPTY_PATH 0x1000

/* struct stat as x86-64 Linux fills it (144 bytes) */
struct linux_stat {
	unsigned long dev, ino, nlink;
	unsigned int mode, uid, gid, pad0;
	unsigned long rdev;
	long size, blksize, blocks;
	long atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	long unused[3];
};

/* getdents64's records, each reclen bytes (a multiple of 8) */
struct linux_dirent64 {
	unsigned long ino;
	long off;
	unsigned short reclen;
	unsigned char type; /* DT_*: S_IFMT >> 12, as Trapdoor's kdirent */
	char name[];
};

struct linux_iovec {
	unsigned long base, len;
};
#define LINUX_IOV_MAX 1024

/* ioctl: what musl's isatty() and stdio ask of a terminal */
#define TCGETS 0x5401
#define TIOCGWINSZ 0x5413
struct linux_winsize {
	unsigned short row, col, xpixel, ypixel;
};
struct linux_termios { /* the kernel's struct termios: 36 bytes */
	unsigned int iflag, oflag, cflag, lflag;
	unsigned char line, cc[19];
};

struct linux_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

/* fcntl */
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4

/* arch_prctl */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

/* clone flags: the low byte is the signal sent to the parent at the end */
#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_VFORK 0x4000
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED 0x400000
#define CLONE_CHILD_SETTID 0x1000000

/* futex ops */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

/* rt_sigaction's struct sigaction (the kernel's: handler, flags,
 * restorer, mask) */
struct linux_sigaction {
	unsigned long handler, flags, restorer, mask;
};
#define LINUX_SIG_DFL 0

#endif
