/* kernel/stat.h (xv6 compatibility): xv6's struct stat and file types.
 * fstat()/stat() in ulib.c convert Trapdoor's kstat to it.
 */
#ifndef XV6_STAT_H
#define XV6_STAT_H
#define T_DIR 1
#define T_FILE 2
#define T_DEVICE 3

struct stat {
	int dev;
	unsigned int ino;
	short type;
	short nlink;
	unsigned long size;
};
#endif
