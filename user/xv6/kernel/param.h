/* kernel/param.h (xv6 compatibility): xv6's size limits, as Trapdoor has them.
 * Where Trapdoor has no such fixed limit the value only sizes a program's buffers.
 */
#ifndef XV6_PARAM_H
#define XV6_PARAM_H
#define NPROC 64        /* no process table here: only a loop bound for programs */
#define NCPU 4          /* QEMU virt, as Trapdoor boots it: 1 to 4 harts */
#define NOFILE 64       /* open files per process (kernel/proc.h) */
#define NFILE 1000      /* no system-wide file table: a loop bound */
#define NINODE 50       /* no inode cache to exhaust: a loop bound */
#define NDEV 10         /* device major numbers */
#define ROOTDEV 1
#define MAXARG 32       /* arguments a program passes; exec takes up to 1024 */
#define MAXOPBLOCKS 10  /* sizes buffers only: the file system has no log */
#define LOGSIZE (MAXOPBLOCKS * 3)
#define NBUF (MAXOPBLOCKS * 3)
#define FSSIZE 2000
#define MAXPATH 256     /* longest path, its NUL included (kernel/fs.h) */
#endif
