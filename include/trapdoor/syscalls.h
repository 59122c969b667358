/* syscalls.h: THE list of Trapdoor's system calls, written once.
 * Everything else is generated from it by the C preprocessor: the kernel's
 * dispatch table and name/format table (kernel/syscall.c), the SYS_* numbers
 * (sysnum.h: the kernel's and user/include/sys/syscall.h's) and the user-mode
 * stubs (user/lib/usys.S); on x86-64 tools/syscalls.py makes the user
 * programs' SYS_* for Trapdoor's own calls from it too.
 *
 * Include it after defining
 *   SYSCALL(rv, x86, name, stub, args, ret)   a Trapdoor call
 *   LINUX(rv, x86, name, stub, args, ret)     a call of Linux's x86-64 ABI
 * (LINUX defaults to SYSCALL with the name linux_<name>).
 * rv    the number on RISC-V, in a7.  1..21 are xv6-riscv's numbers, so
 *       "syscall number 16" means write in both; 22..67 Trapdoor's; the
 *       Linux calls are numbered from 68 on RISC-V too, so that the RISC-V
 *       suite runs their handlers (100 is left out: proctest's "no call").
 * x86   the number on x86-64, in rax: Linux's number (syscall_64.tbl) for a
 *       call that does what Linux's of that name does; 1000 + rv for
 *       Trapdoor's own calls, past Linux's range (tests/test_sysnum.py
 *       checks both against musl's <sys/syscall.h>).
 * name  kernel handler is sys_<name> (LINUX: linux_<name>, in kernel/linux.c);
 *       also the name strace prints.  SYS_<name> (LINUX: SYS_linux_<name>)
 *       is its number on the architecture being compiled for (sysnum.h).
 * stub  the symbol of the user-mode stub (the C library name; RISC-V).
 * args  one letter per argument, for strace and the tracer:
 *         i int   u unsigned/size   x hex   p pointer   s string
 *         w buffer the kernel reads, length in the next argument
 *         e iovec array the kernel reads (writev), count in the next one
 *         r buffer the kernel fills, length is the result
 *         v string vector (argv, envp)   f open flags   o octal mode
 * ret   how the result prints: 'i' int or -errno, 'p' pointer, 'n' never
 *       returns (exit).
 */
#ifndef LINUX
#define LINUX(rv, x86, name, stub, args, ret) SYSCALL(rv, x86, linux_##name, stub, args, ret)
#define TRAPDOOR_LINUX_DEFAULT
#endif

/*       rv   x86  name     stub           args   ret */
SYSCALL(  1,   57, fork,     __sys_fork,    "",    'i')
SYSCALL(  2, 1002, exit,     _exit,         "i",   'n')
SYSCALL(  3, 1003, wait,     wait,          "p",   'i')
SYSCALL(  4,   22, pipe,     pipe,          "p",   'i')
SYSCALL(  5,    0, read,     read,          "iru", 'i')
SYSCALL(  6,   62, kill,     kill,          "ii",  'i')
SYSCALL(  7, 1007, exec,     execve,        "svv", 'i')
SYSCALL(  8, 1008, fstat,    __sys_fstat,   "ip",  'i')
SYSCALL(  9,   80, chdir,    chdir,         "s",   'i')
SYSCALL( 10,   32, dup,      dup,           "i",   'i')
SYSCALL( 11,   39, getpid,   getpid,        "",    'i')
SYSCALL( 12, 1012, sbrk,     sbrk,          "i",   'p')
SYSCALL( 13, 1013, sleep,    msleep,        "u",   'i')
SYSCALL( 14, 1014, uptime,   uptime,        "",    'i')
SYSCALL( 15, 1015, open,     open,          "sfo", 'i')
SYSCALL( 16,    1, write,    write,         "iwu", 'i')
SYSCALL( 17, 1017, mknod,    __sys_mknod,   "sii", 'i')
SYSCALL( 18,   87, unlink,   unlink,        "s",   'i')
SYSCALL( 19,   86, link,     link,          "ss",  'i')
SYSCALL( 20,   83, mkdir,    __sys_mkdir,   "so",  'i')
SYSCALL( 21,    3, close,    close,         "i",   'i')
SYSCALL( 22,  110, getppid,  getppid,       "",    'i')
SYSCALL( 23, 1023, yield,    yield,         "",    'i')
SYSCALL( 24, 1024, poweroff, poweroff,      "i",   'i')
SYSCALL( 25,    8, lseek,    lseek,         "iii", 'i')
SYSCALL( 26,   33, dup2,     dup2,          "ii",  'i')
SYSCALL( 27, 1027, stat,     __sys_stat,    "sp",  'i')
SYSCALL( 28,   84, rmdir,    rmdir,         "s",   'i')
SYSCALL( 29,   82, rename,   rename,        "ss",  'i')
SYSCALL( 30, 1030, getcwd,   __sys_getcwd,  "pu",  'i')
SYSCALL( 31, 1031, getdents, getdents,      "ipu", 'i')
SYSCALL( 32, 1032, waitpid,  waitpid,       "ipi", 'i')
SYSCALL( 33,  109, setpgid,  setpgid,       "ii",  'i')
SYSCALL( 34,  121, getpgid,  getpgid,       "i",   'i')
SYSCALL( 35, 1035, fgpgrp,   fgpgrp,        "i",   'i')
SYSCALL( 36,  102, getuid,   getuid,        "",    'i')
SYSCALL( 37,  105, setuid,   setuid,        "i",   'i')
SYSCALL( 38,   90, chmod,    chmod,         "so",  'i')
SYSCALL( 39, 1039, spawn,    spawn,         "svv", 'i')
SYSCALL( 40, 1040, procinfo, procinfo,      "pu",  'i')
SYSCALL( 41, 1041, meminfo,  meminfo,       "p",   'i')
SYSCALL( 42, 1042, trace,    tracectl,      "iii", 'i')
SYSCALL( 43, 1043, traceread, traceread,    "pu",  'i')
SYSCALL( 44, 1044, strace,   strace,        "ii",  'i')
SYSCALL( 45, 1045, clock,    clock_ns,      "",    'i')
SYSCALL( 46, 1046, nice,     setprio,       "ii",  'i')
SYSCALL( 47,   97, getrlimit, getrlimit,     "ip",  'i')
SYSCALL( 48,  160, setrlimit, setrlimit,     "ip",  'i')
SYSCALL( 49, 1049, thread_create, __thread_create, "pxpp", 'i')
SYSCALL( 50, 1050, thread_exit, __thread_exit, "x",   'n')
SYSCALL( 51, 1051, thread_join, __thread_join, "ip",  'i')
SYSCALL( 52,  186, gettid,   gettid,        "",    'i')
SYSCALL( 53, 1053, futex_wait, __futex_wait, "pxu", 'i')
SYSCALL( 54, 1054, futex_wake, __futex_wake, "pi",  'i')
SYSCALL( 55, 1055, thread_detach, __thread_detach, "i", 'i')
SYSCALL( 56,    9, mmap,     __sys_mmap,    "puxxii", 'p')
SYSCALL( 57,   11, munmap,   munmap,        "pu",  'i')
SYSCALL( 58,   10, mprotect, mprotect,      "pux", 'i')
SYSCALL( 60, 1060, diskstat, diskstat,      "p",   'i')
SYSCALL( 61,  162, sync,     sync,          "",    'i')
SYSCALL( 62,   74, fsync,    fsync,         "i",   'i')
SYSCALL( 63,  228, clock_gettime, clock_gettime, "ip", 'i')
SYSCALL( 64,  227, clock_settime, clock_settime, "ip", 'i')
SYSCALL( 65,   88, symlink,  symlink,       "ss",  'i')
SYSCALL( 66,   89, readlink, readlink,      "sru", 'i')
SYSCALL( 67, 1067, mounts,   mounts,        "pu",  'i')

/* Linux's calls where Linux's meaning differs from Trapdoor's call of the
 * same purpose (kernel/linux.c): what musl's start-up, stdio, malloc,
 * pthreads and exit need.
 *       rv   x86  name     stub                      args     ret */
LINUX(  68,   60, exit,     __linux_exit,             "i",     'n') /* the thread only */
LINUX(  69,  231, exit_group, __linux_exit_group,     "i",     'n')
LINUX(  70,   61, wait4,    __linux_wait4,            "ipip",  'i')
LINUX(  71,   12, brk,      __linux_brk,              "p",     'p')
LINUX(  72,  257, openat,   __linux_openat,           "isfo",  'i')
LINUX(  73,  258, mkdirat,  __linux_mkdirat,          "iso",   'i')
LINUX(  74,  263, unlinkat, __linux_unlinkat,         "isx",   'i')
LINUX(  75,  262, newfstatat, __linux_newfstatat,     "ispx",  'i')
LINUX(  76,    5, fstat,    __linux_fstat,            "ip",    'i')
LINUX(  77,    4, stat,     __linux_stat,             "sp",    'i')
LINUX(  78,    6, lstat,    __linux_lstat,            "sp",    'i')
LINUX(  79,  217, getdents64, __linux_getdents64,     "ipu",   'i')
LINUX(  80,   20, writev,   __linux_writev,           "iei",   'i')
LINUX(  81,   19, readv,    __linux_readv,            "ipi",   'i')
LINUX(  82,   16, ioctl,    __linux_ioctl,            "ixp",   'i')
LINUX(  83,  293, pipe2,    __linux_pipe2,            "pf",    'i')
LINUX(  84,  292, dup3,     __linux_dup3,             "iif",   'i')
LINUX(  85,  158, arch_prctl, __linux_arch_prctl,     "xx",    'i')
LINUX(  86,  218, set_tid_address, __linux_set_tid_address, "p", 'i')
LINUX(  87,   56, clone,    __linux_clone,            "xpppx", 'i')
LINUX(  88,  202, futex,    __linux_futex,            "pixpxx", 'i')
LINUX(  89,   14, rt_sigprocmask, __linux_rt_sigprocmask, "ippu", 'i')
LINUX(  90,   13, rt_sigaction, __linux_rt_sigaction, "ippu",  'i')
LINUX(  91,   24, sched_yield, __linux_sched_yield,   "",      'i')
LINUX(  92,   35, nanosleep, __linux_nanosleep,       "pp",    'i')
LINUX(  93,   63, uname,    __linux_uname,            "p",     'i')
LINUX(  94,  107, geteuid,  __linux_geteuid,          "",      'i')
LINUX(  95,  104, getgid,   __linux_getgid,           "",      'i')
LINUX(  96,  108, getegid,  __linux_getegid,          "",      'i')
LINUX(  97,   79, getcwd,   __linux_getcwd,           "pu",    'i')
LINUX(  98,   59, execve,   __linux_execve,           "svv",   'i')
LINUX(  99,   58, vfork,    __linux_vfork,            "",      'i')
LINUX( 101,   72, fcntl,    __linux_fcntl,            "iix",   'i')
LINUX( 102,   21, access,   __linux_access,           "si",    'i')
LINUX( 103,  133, mknod,    __linux_mknod,            "sox",   'i')
LINUX( 104,    2, open,     __linux_open,             "sfo",   'i')
LINUX( 105,  302, prlimit64, __linux_prlimit64,       "iipp",  'i') /* musl's getrlimit, setrlimit */

#ifdef TRAPDOOR_LINUX_DEFAULT
#undef LINUX
#undef TRAPDOOR_LINUX_DEFAULT
#endif
