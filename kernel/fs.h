/* fs.h: the file systems (VFS, RAM, ext2), open files, pipes and devices.
 * struct inode is generic, with a part for the file system it is on.
 */
#ifndef FS_H
#define FS_H

#include "kernel.h"
#include "proc.h" /* struct waitq, for sleeplocks */

#define MAXPATH 256
#define NAME_MAX 255
#define ARG_MAX (32 * 1024)
#define FS_RESERVE_PAGES 256 /* RAM files may not take the last 1 MiB of RAM (ramfs.c) */

struct dentry;
struct inode;
struct fs;

/* What a file system does: the VFS (vfs.c) walks paths, checks
 * permissions and crosses mount points; each file system (ramfs.c,
 * ext2.c) provides these.  Every operation is called with the file
 * system's lock held (lock/unlock: a spinlock for the RAM file system, a
 * sleeping lock for ext2, whose operations wait for the disk).  Inodes
 * returned through `out` carry a reference.  The VFS holds a reference
 * to each directory it passes (VFS_HELD): an operation that checks a
 * directory's count against refs_max leaves that one out. */
#define VFS_HELD 1
struct fs_ops {
	const char *type; /* "ramfs", "ext2": shown by mount */
	void (*lock)(struct fs *fs);
	void (*unlock)(struct fs *fs);
	int (*lookup)(struct inode *dp, const char *name, struct inode **out); /* also ".." */
	int (*create)(struct inode *dp, const char *name, u32 type, u32 perm, u32 major, struct inode **out);
	int (*link)(struct inode *dp, const char *name, struct inode *ip);
	int (*unlink)(struct inode *dp, const char *name, int dir);
	int (*rename)(struct inode *odp, const char *oname, struct inode *ndp, const char *nname);
	int (*symlink)(struct inode *dp, const char *name, const char *target);
	long (*read)(struct inode *ip, int user, u64 dst, u64 off, u64 n);
	long (*write)(struct inode *ip, int user, u64 src, u64 off, u64 n);
	int (*truncate)(struct inode *ip, u64 size);
	int (*getdents)(struct inode *dp, u64 *off, u64 ubuf, u64 n);
	int (*nameof)(struct inode *dp, struct inode *ip, char *name); /* ip's name in dp */
	void (*stat)(struct inode *ip, struct kstat *st);
	int (*update)(struct inode *ip);  /* perm or uid changed: write it */
	int (*fsync)(struct inode *ip);
	void (*put)(struct inode *ip);    /* the last reference went */
	void *(*page)(struct inode *ip, u64 pgno); /* a file page to map, or NULL (may be NULL) */
};

/* sleeplock.c: a lock held across sleeps (ext2's, around disk I/O) */
struct sleeplock {
	struct spinlock lk; /* guards locked and the queue */
	int locked;
	struct proc *owner;
	struct waitq wq;
};
void acquiresleep(struct sleeplock *sl);
void releasesleep(struct sleeplock *sl);
int holdingsleep(struct sleeplock *sl);

/* One mounted file system. */
struct fs {
	const struct fs_ops *ops;
	u32 dev;       /* st_dev */
	void *priv;    /* the file system's own state */
};

/* An inode in memory.  The generic part is what the VFS reads (type,
 * permissions, owner, size, links, references); the rest belongs to the
 * file system the inode lives on.  All under its fs's lock. */
struct inode {
	struct fs *fs;
	u64 ino;
	u32 type;  /* S_IFREG, S_IFDIR, S_IFCHR, S_IFLNK */
	u32 perm;  /* rwxrwxrwx and the sticky bit */
	u32 uid;
	u32 nlink; /* names that refer to it */
	u32 refs;  /* open files, cwds, exec in progress, mounts, subdirectories ("..") */
	u32 major; /* device number for S_IFCHR */
	u64 size;
	u64 mtime;
	union {
		struct { /* ramfs.c */
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
		struct { /* ext2.c */
			struct inode *e2next;        /* in the file system's inode list */
			void *e2d;                   /* struct ext2_inode: the disk inode */
		};
	};
};

/* The mount table: filled at boot, fixed after (vfs.c). */
#define NMOUNT 8
struct mount {
	struct inode *covered; /* the directory it hides, NULL for / */
	struct inode *root;    /* what is seen there */
	struct fs *fs;
	char path[32];
	char src[16];          /* "/dev/vda", "ram" */
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

/* vfs.c: paths, permissions, mounts; the generic calls */
#define MAXSYMLINKS 8
extern struct spinlock fslock; /* the RAM file system's lock (ramfs.c) */
void vfs_mount(struct inode *dir, const char *path, const char *src);
int vfs_exists_in(struct inode *dir, const char *path);
struct inode *vfs_rootdir(void);
int vfs_mounts(char *buf, u64 n);
struct inode *idup(struct inode *ip);
void iput(struct inode *ip);
struct inode *namei(const char *path);
long namei_err(const char *path, struct inode **out);
long namei_nofollow(const char *path, struct inode **out);
int fs_create(const char *path, u32 type, u32 perm, u32 major, struct inode **out, int excl);
long readi(struct inode *ip, int user, u64 dst, u64 off, u64 n);
long writei(struct inode *ip, int user, u64 src, u64 off, u64 n);
long file_rw(struct file *f, int user, u64 addr, u64 n, int write);
int fs_truncate(struct inode *ip, u64 size);
void *fs_page_get(struct inode *ip, u64 pgno);
u64 fs_size(struct inode *ip);
int fs_setattr(struct inode *ip, u32 perm, u32 uid);
int fs_fsync(struct inode *ip);
int fs_unlink(const char *path, int dir);
int fs_link(const char *old, const char *new);
int fs_rename(const char *old, const char *new);
int fs_symlink(const char *target, const char *path);
int fs_readlink(const char *path, char *buf, u64 n);
int fs_getdents(struct inode *dp, u64 *off, u64 ubuf, u64 n);
int fs_getcwd(struct inode *cwd, char *buf, size_t n);
void fs_stat(struct inode *ip, struct kstat *st);
int fs_permission(struct inode *ip, int want); /* want: 4 r, 2 w, 1 x */
int sticky_permission(struct inode *dp, struct inode *ip);
static inline int is_dot(const char *name) { return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])); }

/* ramfs.c: the file system in RAM */
extern const struct fs_ops ramfs_ops;
void ramfs_init(void);
struct inode *ramfs_newroot(void); /* another, empty RAM file system */
void fs_meminfo(u64 *files, u64 *meta, u64 *max);
u64 fs_max_pages(void);
u64 ramfs_adopt(struct inode *ip, u64 pa, u64 n); /* the initrd's n pages at pa as its first */

/* ext2.c: the file system on the disk */
int ext2_mount(struct inode **root); /* 0 or -errno; refuses a bad image with a message */
void ext2_unmount(void);              /* at poweroff: flush, mark clean */

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
