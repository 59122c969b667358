/* kernel/fs.h (xv6 compatibility): the on-disk names xv6 programs use.
 * read() of a directory gives struct dirent records (user/xv6/ulib.c makes them).
 */
#ifndef XV6_FS_H
#define XV6_FS_H
#define ROOTINO 1
#define BSIZE 1024      /* a block, for programs that size writes in blocks */
#define NDIRECT 12
#define NINDIRECT (BSIZE / sizeof(uint))
#define MAXFILE (NDIRECT + NINDIRECT)

/* A directory entry as xv6 stores it: a name of up to DIRSIZ bytes, NUL
 * terminated only when shorter; longer Trapdoor names are cut to DIRSIZ. */
#define DIRSIZ 14
struct dirent {
	ushort inum;    /* 0: a free slot (never produced here) */
	char name[DIRSIZ];
};
#endif
