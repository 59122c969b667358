/* syscalls.h: THE list of Trapdoor's system calls, written once.
 * Everything else is generated from it by the C preprocessor: the kernel's
 * dispatch table and name/format table (kernel/syscall.c), the SYS_* numbers
 * (sysnum.h: the kernel's and user/include/sys/syscall.h's) and the user-mode
 * stubs (user/lib/usys.S).
 *
 * Include it after defining
 *   SYSCALL(num, name, stub, args, ret)
 * num   system-call number; the value user code puts in a7.  1..21 are
 *       xv6-riscv's numbers, so "syscall number 16" means write in both.
 * name  kernel handler is sys_<name>; also the name strace prints.
 * stub  the symbol of the user-mode stub (the C library name).
 * args  one letter per argument, for strace and the tracer:
 *         i int   u unsigned/size   x hex   p pointer   s string
 *         w buffer the kernel reads, length in the next argument
 *         r buffer the kernel fills, length is the result
 *         v string vector (argv, envp)   f open flags   o octal mode
 * ret   how the result prints: 'i' int or -errno, 'p' pointer, 'n' never
 *       returns (exit).
 */

/*       num name      stub           args   ret */
SYSCALL(  1, fork,     fork,          "",    'i')
SYSCALL(  2, exit,     _exit,         "i",   'n')
SYSCALL(  3, wait,     wait,          "p",   'i')
SYSCALL(  4, pipe,     pipe,          "p",   'i')
SYSCALL(  5, read,     read,          "iru", 'i')
SYSCALL(  6, kill,     kill,          "ii",  'i')
SYSCALL(  7, exec,     execve,        "svv", 'i')
SYSCALL(  8, fstat,    __sys_fstat,   "ip",  'i')
SYSCALL(  9, chdir,    chdir,         "s",   'i')
SYSCALL( 10, dup,      dup,           "i",   'i')
SYSCALL( 11, getpid,   getpid,        "",    'i')
SYSCALL( 12, sbrk,     sbrk,          "i",   'p')
SYSCALL( 13, sleep,    msleep,        "u",   'i')
SYSCALL( 14, uptime,   uptime,        "",    'i')
SYSCALL( 15, open,     open,          "sfo", 'i')
SYSCALL( 16, write,    write,         "iwu", 'i')
SYSCALL( 17, mknod,    __sys_mknod,   "sii", 'i')
SYSCALL( 18, unlink,   unlink,        "s",   'i')
SYSCALL( 19, link,     link,          "ss",  'i')
SYSCALL( 20, mkdir,    __sys_mkdir,   "so",  'i')
SYSCALL( 21, close,    close,         "i",   'i')
SYSCALL( 22, getppid,  getppid,       "",    'i')
SYSCALL( 23, yield,    yield,         "",    'i')
SYSCALL( 24, poweroff, poweroff,      "i",   'i')
SYSCALL( 25, lseek,    lseek,         "iii", 'i')
SYSCALL( 26, dup2,     dup2,          "ii",  'i')
SYSCALL( 27, stat,     __sys_stat,    "sp",  'i')
SYSCALL( 28, rmdir,    rmdir,         "s",   'i')
SYSCALL( 29, rename,   rename,        "ss",  'i')
SYSCALL( 30, getcwd,   __sys_getcwd,  "pu",  'i')
SYSCALL( 31, getdents, getdents,      "ipu", 'i')
SYSCALL( 32, waitpid,  waitpid,       "ipi", 'i')
SYSCALL( 33, setpgid,  setpgid,       "ii",  'i')
SYSCALL( 34, getpgid,  getpgid,       "i",   'i')
SYSCALL( 35, fgpgrp,   fgpgrp,        "i",   'i')
SYSCALL( 36, getuid,   getuid,        "",    'i')
SYSCALL( 37, setuid,   setuid,        "i",   'i')
SYSCALL( 38, chmod,    chmod,         "so",  'i')
SYSCALL( 39, spawn,    spawn,         "svv", 'i')
SYSCALL( 40, procinfo, procinfo,      "pu",  'i')
SYSCALL( 41, meminfo,  meminfo,       "p",   'i')
SYSCALL( 42, trace,    tracectl,      "iii", 'i')
SYSCALL( 43, traceread, traceread,    "pu",  'i')
SYSCALL( 44, strace,   strace,        "ii",  'i')
SYSCALL( 45, clock,    clock_ns,      "",    'i')
SYSCALL( 46, nice,     setprio,       "ii",  'i')
SYSCALL( 47, getrlimit, getrlimit,     "ip",  'i')
SYSCALL( 48, setrlimit, setrlimit,     "ip",  'i')
SYSCALL( 49, thread_create, __thread_create, "pxpp", 'i')
SYSCALL( 50, thread_exit, __thread_exit, "x",   'n')
SYSCALL( 51, thread_join, __thread_join, "ip",  'i')
SYSCALL( 52, gettid,   gettid,        "",    'i')
SYSCALL( 53, futex_wait, __futex_wait, "pxu", 'i')
SYSCALL( 54, futex_wake, __futex_wake, "pi",  'i')
SYSCALL( 55, thread_detach, __thread_detach, "i", 'i')
SYSCALL( 56, mmap,     __sys_mmap,    "puxxii", 'p')
SYSCALL( 57, munmap,   munmap,        "pu",  'i')
SYSCALL( 58, mprotect, mprotect,      "pux", 'i')
SYSCALL( 60, diskstat, diskstat,      "p",   'i')
SYSCALL( 61, sync,     sync,          "",    'i')
SYSCALL( 62, fsync,    fsync,         "i",   'i')
SYSCALL( 63, clock_gettime, clock_gettime, "ip", 'i')
SYSCALL( 64, clock_settime, clock_settime, "ip", 'i')
SYSCALL( 65, symlink,  symlink,       "ss",  'i')
SYSCALL( 66, readlink, readlink,      "sru", 'i')
SYSCALL( 67, mounts,   mounts,        "pu",  'i')
