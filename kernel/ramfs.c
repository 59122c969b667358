/* ramfs.c: a hierarchical file system that lives in RAM.
 * Filled at boot from the initramfs; files, directories, hard links,
 * symbolic links and device nodes.  One lock, fslock, covers every inode
 * and directory of every RAM file system: operations are short, in-memory
 * and never sleep.  The VFS (vfs.c) calls these with fslock held.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"

#define DIRHASH 64
#define PTRS_PER_PAGE (PGSIZE / sizeof(void *))
#define MAX_FILE_PAGES (PTRS_PER_PAGE * PTRS_PER_PAGE) /* 1 GiB */

struct dentry {
	struct dentry *next, *prev; /* in creation order */
	struct dentry *hnext;       /* hash chain */
	struct inode *ip;
	u64 seq;                    /* position for getdents: grows along the list */
	u32 hash;
	char name[];
};

struct spinlock fslock = SPINLOCK_INIT("fs");
static u64 next_ino = 1;
static struct fs ramfs = { &ramfs_ops, 1, NULL };

/* What "full" means for a file system in RAM.  Files share the page
 * allocator with processes, so the file system has a size of its own,
 * fs_max pages (boot argument fsmax=, default half of RAM, as tmpfs):
 * whatever files do, processes keep the rest.  It counts the files' data
 * and index pages and the heap bytes of inodes, names and directory
 * hashes, so that empty files fill it too.  And files never take the last
 * FS_RESERVE_PAGES free pages either, even below fs_max: when processes
 * hold the rest, the one that would remove files must still start.
 * At either limit, writes and creations fail with ENOSPC.  All under
 * fslock. */
static u64 fs_max, file_pages, meta_bytes;

static u64 fs_used(void) { return file_pages + (meta_bytes + PGSIZE - 1) / PGSIZE; }

static int fs_full(void) { return fs_used() >= fs_max || kavailpages() < FS_RESERVE_PAGES; }

/* A data or index page of a file: zeroed, or not when the caller
 * overwrites all of it at once (a write of whole pages: the initramfs's
 * files at boot, where zeroing them was 0.8 M of 2.4 M instructions). */
static void *fs_page_alloc_zero(int zero)
{
	if (fs_full())
		return NULL;
	void *pg = zero ? kalloc() : kalloc_nozero();
	if (pg)
		file_pages++;
	return pg;
}

static void *fs_page_alloc(void) { return fs_page_alloc_zero(1); }

static void fs_page_free(void *pg)
{
	file_pages--;
	kfree(pg);
}

/* Heap objects of the file system (inodes, entries, hashes, names). */
static void *fs_alloc(size_t n)
{
	void *p = kzalloc(n);
	if (p)
		meta_bytes += kmsize(p);
	return p;
}

static void fs_free(void *p)
{
	if (p) {
		meta_bytes -= kmsize(p);
		kmfree(p);
	}
}

u64 fs_max_pages(void) { return fs_max; }

void fs_meminfo(u64 *files, u64 *meta, u64 *max)
{
	acquire(&fslock);
	*files = file_pages;
	*meta = (meta_bytes + PGSIZE - 1) / PGSIZE;
	*max = fs_max;
	release(&fslock);
}

static u32 namehash(const char *s)
{
	u32 h = 2166136261u;
	while (*s)
		h = (h ^ (u8)*s++) * 16777619u;
	return h;
}

static struct inode *ialloc(u32 type, u32 perm, u32 uid)
{
	struct inode *ip = fs_alloc(sizeof *ip);
	if (!ip)
		return NULL;
	ip->fs = &ramfs;
	ip->ino = next_ino++;
	ip->type = type;
	ip->perm = perm & 07777;
	ip->uid = uid;
	ip->mtime = ticks;
	return ip;
}

/* --- file data --- */

/* The page holding byte pgno*PGSIZE of the file, or NULL (a hole). */
static void *ram_page(struct inode *ip, u64 pgno)
{
	if (!ip->idx || pgno >= MAX_FILE_PAGES)
		return NULL;
	void **mid = ip->idx[pgno / PTRS_PER_PAGE];
	return mid ? mid[pgno % PTRS_PER_PAGE] : NULL;
}

/* The slot for page pgno, allocating the index pages on the way. */
static void **page_slot(struct inode *ip, u64 pgno)
{
	if (pgno >= MAX_FILE_PAGES)
		return NULL;
	if (!ip->idx && !(ip->idx = fs_page_alloc()))
		return NULL;
	void ***mid = &ip->idx[pgno / PTRS_PER_PAGE];
	if (!*mid && !(*mid = fs_page_alloc()))
		return NULL;
	return &(*mid)[pgno % PTRS_PER_PAGE];
}

/* New names (an inode, a directory entry) count as well: empty files
 * cost no data pages, but enough of them would leave no memory to start
 * the rm that removes them. */
static int name_room(void)
{
	return fs_full() ? -ENOSPC : 0;
}

/* ram_read and ram_write copy n bytes at most between the file at off and dst
 * (src): a kernel address, or with user set a user range the caller has
 * checked with user_range() (fileread and filewrite do). */
static long ram_read(struct inode *ip, int user, u64 dst, u64 off, u64 n)
{
	if (off >= ip->size)
		return 0;
	n = min(n, ip->size - off);
	u64 done = 0;
	while (done < n) {
		u64 pos = off + done, in = pos % PGSIZE;
		u64 chunk = min(n - done, PGSIZE - in);
		char *pg = ram_page(ip, pos / PGSIZE);
		static const char zeros[PGSIZE];
		const char *src = pg ? pg + in : zeros;
		if (user) {
			if (__copy_to_user(dst + done, src, chunk) < 0)
				return done ? (long)done : -EFAULT;
		} else {
			memcpy((char *)dst + done, src, chunk);
		}
		done += chunk;
	}
	return done;
}

static long ram_write(struct inode *ip, int user, u64 src, u64 off, u64 n)
{
	if (off + n < off || off + n > MAX_FILE_PAGES * PGSIZE)
		return -EFBIG;
	u64 done = 0;
	long err = 0;
	while (done < n) {
		u64 pos = off + done, in = pos % PGSIZE;
		u64 chunk = min(n - done, PGSIZE - in);
		void **slot = page_slot(ip, pos / PGSIZE);
		if (!slot) {
			err = -ENOSPC;
			break;
		}
		int fresh = !*slot;
		if (fresh) {
			if (!(*slot = fs_page_alloc_zero(chunk < PGSIZE))) {
				err = -ENOSPC;
				break;
			}
		} else if (page_refs(*slot) > 1) {
			/* A running program maps this page as its text: give the
			 * file a fresh copy and leave the program its old one.
			 * The file does not grow: only the reserve applies. */
			void *copy = kavailpages() < FS_RESERVE_PAGES ? NULL : kalloc();
			if (!copy) {
				err = -ENOSPC;
				break;
			}
			memcpy(copy, *slot, PGSIZE);
			kfree(*slot);
			*slot = copy;
		}
		char *dst = (char *)*slot + in;
		if (user) {
			if (__copy_from_user(dst, src + done, chunk) < 0) {
				/* copyin may have copied part of the chunk before
				 * the bad user page.  Bytes past the end of file
				 * must stay zero (a later write past them makes a
				 * hole), and a page past the end would never be
				 * freed by ram_truncate: undo both. */
				if (fresh) {
					fs_page_free(*slot);
					*slot = NULL;
				} else if (pos + chunk > ip->size) {
					u64 from = max(pos, ip->size);
					memset((char *)*slot + from % PGSIZE, 0, pos + chunk - from);
				}
				err = -EFAULT;
				break;
			}
		} else {
			memcpy(dst, (char *)src + done, chunk);
		}
		done += chunk;
		if (off + done > ip->size)
			ip->size = off + done;
	}
	if (done)
		ip->mtime = ticks;
	return done ? (long)done : err;
}

/* Up to n pages of the initrd from pa become the empty regular file
 * ip's first pages, as they lie there (kadopt): the initramfs's file
 * data, page-aligned in the archive (tools/mkinitrd.py), is not copied.
 * Returns how many it took: fewer at fsmax= (the caller copies the
 * rest, and says it does not fit), none if ip is not a RAM file.  One
 * lock for all: per page, the locks cost 200 instructions. */
u64 ramfs_adopt(struct inode *ip, u64 pa, u64 n)
{
	if (ip->fs != &ramfs || ip->type != S_IFREG || ip->size)
		return 0;
	u64 i = 0;
	void **slot;
	acquire(&fslock);
	for (; i < n && !fs_full() && (slot = page_slot(ip, i)); i++) {
		*slot = P2V(pa + i * PGSIZE);
		file_pages++;
	}
	if (i)
		kadopt(pa, i);
	ip->size = i * PGSIZE;
	release(&fslock);
	return i;
}

/* Cut the file to size bytes, freeing whole pages past it. */
static int ram_truncate(struct inode *ip, u64 size)
{
	if (size > ip->size) {
		ip->size = size; /* the gap reads as zeros (holes) */
		return 0;
	}
	if (size % PGSIZE) { /* zero the tail of the last kept page */
		char *pg = ram_page(ip, size / PGSIZE);
		if (pg)
			memset(pg + size % PGSIZE, 0, PGSIZE - size % PGSIZE);
	}
	u64 first = PGROUNDUP(size) / PGSIZE, last = PGROUNDUP(ip->size) / PGSIZE;
	for (u64 pg = first; ip->idx && pg < last; pg++) {
		void **mid = ip->idx[pg / PTRS_PER_PAGE];
		if (mid && mid[pg % PTRS_PER_PAGE]) {
			fs_page_free(mid[pg % PTRS_PER_PAGE]);
			mid[pg % PTRS_PER_PAGE] = NULL;
		}
	}
	/* Index pages whose range is wholly past the end go too. */
	for (u64 i = (first + PTRS_PER_PAGE - 1) / PTRS_PER_PAGE; ip->idx && i < PTRS_PER_PAGE; i++) {
		if (ip->idx[i]) {
			fs_page_free(ip->idx[i]);
			ip->idx[i] = NULL;
		}
	}
	if (size == 0 && ip->idx) {
		fs_page_free(ip->idx);
		ip->idx = NULL;
	}
	ip->size = size;
	ip->mtime = ticks;
	return 0;
}

/* --- inode lifetime --- */

/* Free an inode with no names and no users.  fslock held. */
static void ifree(struct inode *ip)
{
	if (ip->type == S_IFREG || ip->type == S_IFLNK)
		ram_truncate(ip, 0);
	if (ip->type == S_IFDIR) {
		fs_free(ip->hash);
		fs_free(ip->name);
		if (ip->parent && ip->parent != ip && --ip->parent->refs == 0 && ip->parent->nlink == 0)
			ifree(ip->parent);
	}
	fs_free(ip);
}

static void ram_put(struct inode *ip)
{
	if (ip->nlink == 0)
		ifree(ip);
}

static void iput_locked(struct inode *ip)
{
	if (--ip->refs == 0)
		ram_put(ip);
}

/* --- directories --- */

static struct dentry *dir_lookup(struct inode *dp, const char *name)
{
	if (!dp->hash)
		return NULL;
	u32 h = namehash(name);
	for (struct dentry *d = dp->hash[h % DIRHASH]; d; d = d->hnext)
		if (d->hash == h && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

static int dir_add(struct inode *dp, const char *name, struct inode *ip)
{
	if (ip->nlink >= refs_max)
		return -EMLINK; /* link() can add names until memory runs out */
	size_t len = strlen(name);
	if (sizeof(struct dentry) + len + 1 > 2048)
		return -ENAMETOOLONG;
	struct dentry *d = fs_alloc(sizeof *d + len + 1);
	if (!d)
		return -ENOSPC;
	/* the hash last: a directory has one exactly when it has entries */
	if (!dp->hash && !(dp->hash = fs_alloc(DIRHASH * sizeof(struct dentry *)))) {
		fs_free(d);
		return -ENOSPC;
	}
	memcpy(d->name, name, len + 1);
	d->ip = ip;
	d->seq = dp->next_seq++;
	d->hash = namehash(name);
	d->hnext = dp->hash[d->hash % DIRHASH];
	dp->hash[d->hash % DIRHASH] = d;
	d->next = NULL;
	d->prev = dp->last;
	if (dp->last)
		dp->last->next = d;
	else
		dp->first = d;
	dp->last = d;
	dp->nentries++;
	dp->size = dp->nentries;
	dp->mtime = ticks;
	ip->nlink++;
	return 0;
}

/* Remove entry d from dp; the inode loses a name. */
static void dir_remove(struct inode *dp, struct dentry *d)
{
	struct dentry **hp = &dp->hash[d->hash % DIRHASH];
	while (*hp != d)
		hp = &(*hp)->hnext;
	*hp = d->hnext;
	if (d->prev)
		d->prev->next = d->next;
	else
		dp->first = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		dp->last = d->prev;
	dp->nentries--;
	dp->size = dp->nentries;
	dp->mtime = ticks;
	/* An empty directory gives its hash back (dir_add makes a new one),
	 * so that what a directory holds depends on its entries only: filling
	 * and emptying one leaves memory as it was. */
	if (dp->nentries == 0) {
		fs_free(dp->hash);
		dp->hash = NULL;
	}
	struct inode *ip = d->ip;
	fs_free(d);
	ip->nlink--;
	if (ip->nlink == 0 && ip->refs == 0)
		ifree(ip);
}

/* --- the operations --- */

static void ram_lock(struct fs *fs)
{
	(void)fs;
	acquire(&fslock);
}

static void ram_unlock(struct fs *fs)
{
	(void)fs;
	release(&fslock);
}

static int ram_lookup(struct inode *dp, const char *name, struct inode **out)
{
	struct inode *ip;
	if (strcmp(name, ".") == 0) {
		ip = dp;
	} else if (strcmp(name, "..") == 0) {
		ip = dp->parent ? dp->parent : dp;
	} else {
		struct dentry *d = dir_lookup(dp, name);
		if (!d)
			return -ENOENT;
		ip = d->ip;
	}
	ip->refs++; /* a walk's reference: unchecked (vfs.c, hold()) */
	*out = ip;
	return 0;
}


/* A new inode named name in dp (the VFS has checked that the name is
 * free and that dp may be written). */
static int ram_create(struct inode *dp, const char *name, u32 type, u32 perm, u32 major, struct inode **out)
{
	int err;
	if ((err = name_room()) < 0)
		return err;
	struct proc *p = myproc();
	struct inode *ip = ialloc(type, perm, p ? p->uid : 0);
	if (!ip)
		return -ENOSPC;
	ip->major = major;
	if (type == S_IFDIR) {
		ip->name = fs_alloc(strlen(name) + 1);
		if (!ip->name) {
			fs_free(ip);
			return -ENOSPC;
		}
		memcpy(ip->name, name, strlen(name) + 1);
		/* Its ".." is a reference to dp: one per subdirectory.  The
		 * VFS's own reference to dp is not counted against the limit. */
		if (dp->refs - VFS_HELD >= refs_max) {
			fs_free(ip->name);
			fs_free(ip);
			return -EMLINK;
		}
		dp->refs++;
		ip->parent = dp;
	}
	if ((err = dir_add(dp, name, ip)) < 0) {
		ip->refs = 1;
		iput_locked(ip);
		return err;
	}
	ip->refs++; /* a new inode: its first reference */
	*out = ip;
	return 0;
}

static int ram_symlink(struct inode *dp, const char *name, const char *target)
{
	struct inode *ip;
	int err = ram_create(dp, name, S_IFLNK, 0777, 0, &ip);
	if (err < 0)
		return err;
	long n = ram_write(ip, 0, (u64)target, 0, strlen(target));
	if (n != (long)strlen(target)) {
		dir_remove(dp, dir_lookup(dp, name));
		err = n < 0 ? (int)n : -ENOSPC;
	}
	iput_locked(ip);
	return err;
}

/* unlink a file (dir = 0) or remove an empty directory (dir = 1). */
static int ram_unlink(struct inode *dp, const char *name, int dir)
{
	struct dentry *d = dir_lookup(dp, name);
	if (!d)
		return -ENOENT;
	struct inode *ip = d->ip;
	int err;
	if (dir && ip->type != S_IFDIR)
		return -ENOTDIR;
	if (!dir && ip->type == S_IFDIR)
		return -EISDIR;
	if (dir && ip->nentries)
		return -ENOTEMPTY;
	if ((err = fs_permission(dp, 3)) == 0 && (err = sticky_permission(dp, ip)) == 0)
		dir_remove(dp, d);
	return err;
}

static int ram_link(struct inode *dp, const char *name, struct inode *ip)
{
	int err = name_room();
	return err < 0 ? err : dir_add(dp, name, ip);
}

static int ram_rename(struct inode *odp, const char *oname, struct inode *ndp, const char *nname)
{
	int err = 0;
	struct dentry *od = dir_lookup(odp, oname);
	if (!od)
		return -ENOENT;
	struct inode *ip = od->ip;
	if ((err = sticky_permission(odp, ip)) < 0)
		return err;
	/* A directory may not move into its own subtree. */
	if (ip->type == S_IFDIR)
		for (struct inode *a = ndp; a; a = a->parent == a ? NULL : a->parent)
			if (a == ip)
				return -EINVAL;
	struct dentry *nd = dir_lookup(ndp, nname);
	if (nd) {
		if (nd->ip == ip)
			return 0; /* same file: nothing to do */
		if ((err = sticky_permission(ndp, nd->ip)) < 0)
			return err;
		if (nd->ip->type == S_IFDIR && ip->type != S_IFDIR)
			return -EISDIR;
		if (nd->ip->type != S_IFDIR && ip->type == S_IFDIR)
			return -ENOTDIR;
		if (nd->ip->type == S_IFDIR && nd->ip->nentries)
			return -ENOTEMPTY;
	}
	/* A directory that moves takes a reference on its new parent (its
	 * ".."): refuse before anything changes if that count is full. */
	if (ip->type == S_IFDIR && ip->parent != ndp && ndp->refs - VFS_HELD >= refs_max)
		return -EMLINK;
	/* Add the new name first: if memory runs out nothing has changed. */
	char *dname = NULL;
	if (ip->type == S_IFDIR && !(dname = fs_alloc(strlen(nname) + 1)))
		return -ENOSPC;
	ip->refs++; /* keep it alive while it has no name (dropped below: no check, see REFS_MAX) */
	if (nd) {
		/* Take over the target's entry: replacing a name needs no
		 * memory, so it cannot fail once the old file is gone. */
		struct inode *victim = nd->ip;
		nd->ip = ip;
		ip->nlink++; /* for a moment: dir_remove takes the old name */
		ndp->mtime = ticks;
		if (--victim->nlink == 0 && victim->refs == 0)
			ifree(victim);
	} else if ((err = dir_add(ndp, nname, ip)) < 0) {
		fs_free(dname);
		ip->refs--;
		return err;
	}
	dir_remove(odp, od);
	ip->refs--;
	if (ip->type == S_IFDIR) {
		memcpy(dname, nname, strlen(nname) + 1);
		fs_free(ip->name);
		ip->name = dname;
		if (ip->parent != ndp) {
			ndp->refs++; /* checked against REFS_MAX above */
			odp->refs--;
			ip->parent = ndp;
		}
	}
	return 0;
}

/* Read directory entries from *off into the user buffer as struct
 * kdirent.  The offset is 0 for ".", 1 for "..", then 2 + the seq of the
 * next entry: a position that stays right when entries before it are
 * removed (rm -r unlinks what it has listed and reads on), where a plain
 * index would skip as many entries as were removed. */
static int ram_getdents(struct inode *dp, u64 *off, u64 ubuf, u64 n)
{
	char rec[sizeof(struct kdirent) + NAME_MAX + 8];
	u64 used = 0;
	struct dentry *d = dp->first;
	while (d && d->seq + 2 < *off)
		d = d->next;
	for (;;) {
		const char *name;
		struct inode *ip;
		if (*off == 0) {
			name = ".";
			ip = dp;
		} else if (*off == 1) {
			name = "..";
			ip = dp->parent ? dp->parent : dp;
		} else if (d) {
			name = d->name;
			ip = d->ip;
		} else {
			break;
		}
		struct kdirent *k = (struct kdirent *)rec;
		size_t len = strlen(name);
		k->reclen = ALIGN_UP(sizeof *k + len + 1, 8);
		if (used + k->reclen > n)
			break;
		k->ino = ip->ino;
		k->type = ip->type >> 12;
		memcpy(k->name, name, len + 1);
		if (copy_to_user(ubuf + used, k, k->reclen) < 0) {
			/* The entries copied so far are the caller's (the
			 * offset is past them): return them, or they are lost. */
			return used ? (int)used : -EFAULT;
		}
		used += k->reclen;
		if (*off >= 2) {
			*off = d->seq + 3;
			d = d->next;
		} else {
			(*off)++;
		}
	}
	if (used == 0 && (d || *off < 2))
		return -EINVAL; /* buffer too small for one entry */
	return used;
}

/* A directory has one name, kept with it. */
static int ram_nameof(struct inode *dp, struct inode *ip, char *name)
{
	if (ip->type != S_IFDIR || ip->parent != dp || !ip->name)
		return -ENOENT;
	strlcpy(name, ip->name, NAME_MAX + 1);
	return 0;
}

static void ram_stat(struct inode *ip, struct kstat *st)
{
	st->ino = ip->ino;
	st->mode = ip->type | ip->perm;
	st->nlink = ip->nlink + (ip->type == S_IFDIR ? 1 : 0);
	st->uid = ip->uid;
	st->rdev = ip->major;
	st->size = ip->size;
	st->mtime_ns = rtc_now_ns() - (ticks - ip->mtime) * params.tick_us * 1000; /* ticks ago, from now */
}

/* A page exec may map as it is: a regular file's only (a symlink's
 * target is data too, but no program). */
static void *ram_map_page(struct inode *ip, u64 pgno) { return ip->type == S_IFREG ? ram_page(ip, pgno) : NULL; }

static int ram_nop(struct inode *ip)
{
	(void)ip;
	return 0;
}

const struct fs_ops ramfs_ops = {
	.type = "ramfs",
	.lock = ram_lock,
	.unlock = ram_unlock,
	.lookup = ram_lookup,
	.create = ram_create,
	.link = ram_link,
	.unlink = ram_unlink,
	.rename = ram_rename,
	.symlink = ram_symlink,
	.read = ram_read,
	.write = ram_write,
	.truncate = ram_truncate,
	.getdents = ram_getdents,
	.nameof = ram_nameof,
	.stat = ram_stat,
	.update = ram_nop,
	.fsync = ram_nop,
	.put = ram_put,
	.page = ram_map_page,
};

/* The root directory of a new RAM file system: its ".." is itself. */
struct inode *ramfs_newroot(void)
{
	acquire(&fslock);
	struct inode *root = ialloc(S_IFDIR, 0755, 0);
	assert(root);
	root->nlink = 1;
	root->refs = 1;
	root->parent = root;
	root->name = NULL;
	release(&fslock);
	return root;
}

void ramfs_init(void)
{
	fs_max = params.fsmax_pages ? params.fsmax_pages : ktotalpages() * params.fsmax_pct / 100;
}
