/* fs.h: the in-memory file system, open files, pipes and devices.
 * Inodes live in RAM; a file's data is a two-level index of pages.
 */
#ifndef FS_H
#define FS_H

#include "kernel.h"

#define MAXPATH 256
#define NAME_MAX 255
#define ARG_MAX (32 * 1024)
#define FS_RESERVE_PAGES 256 /* files may not take the last 1 MiB of RAM (fs.c) */

struct dentry;

struct inode {
	u64 ino;
	u32 type;  /* S_IFREG, S_IFDIR, S_IFCHR */
	u32 perm;  /* rwxrwxrwx */
	u32 uid;
	u32 nlink; /* names that refer to it */
	u32 refs;  /* open files, cwds, exec in progress, subdirectories ("..") */
	u32 major; /* device number for S_IFCHR */
	u64 size;
	u64 mtime;
	/* regular file: idx[i] is a page of 512 page pointers */
	void ***idx;
	/* directory */
	struct dentry *first, *last; /* entries in creation order */
	struct dentry **hash;        /* DIRHASH buckets */
	u64 nentries;
	u64 next_seq;                /* seq of the next entry added */
	struct inode *parent;        /* "..": a directory has one name */
	char *name;                  /* that name (for getcwd) */
};

/* An open file: the shared open-file table entry (offset, flags, refs). */
enum { FD_NONE, FD_INODE, FD_PIPE, FD_DEVICE };
struct file {
	int type;
	u32 refs;  /* descriptors (in every process) and strace; <= REFS_MAX */
	int flags; /* O_* as opened */
	int readable, writable;
	u64 off;
	struct inode *ip;
	struct pipe *pipe;
};

/* Character devices: /dev/console, /dev/null. */
struct devsw {
	long (*read)(u64 udst, long n);
	long (*write)(u64 usrc, long n);
};
enum { DEV_CONSOLE = 1, DEV_NULL = 2, DEV_DISK = 3, NDEV }; /* DEV_DISK: blkdev.c */
extern const struct devsw devsw[NDEV];

/* fs.c */
void fs_init(void);
void fs_meminfo(u64 *files, u64 *meta, u64 *max);
u64 fs_max_pages(void);
struct inode *idup(struct inode *ip);
void iput(struct inode *ip);
struct inode *namei(const char *path);
long namei_err(const char *path, struct inode **out);
int fs_create(const char *path, u32 type, u32 perm, u32 major, struct inode **out, int excl);
long readi(struct inode *ip, int user, u64 dst, u64 off, u64 n);
long writei(struct inode *ip, int user, u64 src, u64 off, u64 n);
int fs_truncate(struct inode *ip, u64 size);
void *fs_page(struct inode *ip, u64 pgno);
int fs_unlink(const char *path, int dir);
int fs_link(const char *old, const char *new);
int fs_rename(const char *old, const char *new);
int fs_getdents(struct inode *dp, u64 *off, u64 ubuf, u64 n);
int fs_getcwd(struct inode *cwd, char *buf, size_t n);
void fs_stat(struct inode *ip, struct kstat *st);
int fs_permission(struct inode *ip, int want); /* want: 4 r, 2 w, 1 x */
extern struct spinlock fslock;

/* file.c */
struct file *filealloc(void);
struct file *filedup(struct file *f);
void fileclose(struct file *f);
long fileread(struct file *f, u64 udst, long n);
long filewrite(struct file *f, u64 usrc, long n);
long filewrite_kernel(struct file *f, const char *buf, long n);
struct file *console_open(void);
int fdalloc(struct file *f);

/* pipe.c */
int pipealloc(struct file **rf, struct file **wf);
void pipeclose(struct pipe *pi, int writable);
long piperead(struct pipe *pi, u64 udst, long n);
long pipewrite(struct pipe *pi, u64 usrc, long n, int kernel);

/* exec.c */
int spawn(const char *path, u64 uargv, u64 uenvp);

#endif
