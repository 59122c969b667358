/* fs.c: a hierarchical file system that lives in RAM.
 * Filled at boot from the initramfs; files, directories, hard links and
 * device nodes, with a uid and rwx bits on each inode checked as Unix does.
 * One lock, fslock, covers every inode and directory: operations are
 * short, in-memory and never sleep.
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
static struct inode *root;
static u64 next_ino = 1;

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

/* A data or index page of a file. */
static void *fs_page_alloc(void)
{
	if (fs_full())
		return NULL;
	void *pg = kalloc();
	if (pg)
		file_pages++;
	return pg;
}

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
	ip->ino = next_ino++;
	ip->type = type;
	ip->perm = perm & 07777;
	ip->uid = uid;
	ip->mtime = ticks;
	return ip;
}

/* --- file data --- */

/* The page holding byte pgno*PGSIZE of the file, or NULL (a hole). */
void *fs_page(struct inode *ip, u64 pgno)
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

/* readi and writei copy n bytes at most between the file at off and dst
 * (src): a kernel address, or with user set a user range the caller has
 * checked with user_range() (fileread and filewrite do). */
long readi(struct inode *ip, int user, u64 dst, u64 off, u64 n)
{
	if (off >= ip->size)
		return 0;
	n = min(n, ip->size - off);
	u64 done = 0;
	while (done < n) {
		u64 pos = off + done, in = pos % PGSIZE;
		u64 chunk = min(n - done, PGSIZE - in);
		char *pg = fs_page(ip, pos / PGSIZE);
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

long writei(struct inode *ip, int user, u64 src, u64 off, u64 n)
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
			if (!(*slot = fs_page_alloc())) {
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
				 * freed by fs_truncate: undo both. */
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

/* Cut the file to size bytes, freeing whole pages past it. */
int fs_truncate(struct inode *ip, u64 size)
{
	if (size > ip->size) {
		ip->size = size; /* the gap reads as zeros (holes) */
		return 0;
	}
	if (size % PGSIZE) { /* zero the tail of the last kept page */
		char *pg = fs_page(ip, size / PGSIZE);
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

/* Another reference to ip, or NULL if its count is full (REFS_MAX). */
struct inode *idup(struct inode *ip)
{
	if (ip) {
		acquire(&fslock);
		if (ref_get(&ip->refs) < 0)
			ip = NULL;
		release(&fslock);
	}
	return ip;
}

/* Free an inode with no names and no users.  fslock held. */
static void ifree(struct inode *ip)
{
	if (ip->type == S_IFREG)
		fs_truncate(ip, 0);
	if (ip->type == S_IFDIR) {
		fs_free(ip->hash);
		fs_free(ip->name);
		if (ip->parent && ip->parent != ip && --ip->parent->refs == 0 && ip->parent->nlink == 0)
			ifree(ip->parent);
	}
	fs_free(ip);
}

static void iput_locked(struct inode *ip)
{
	if (--ip->refs == 0 && ip->nlink == 0)
		ifree(ip);
}

void iput(struct inode *ip)
{
	if (!ip)
		return;
	acquire(&fslock);
	iput_locked(ip);
	release(&fslock);
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

/* --- permissions --- */

/* May the current process do `want` (4 read, 2 write, 1 search/exec)?
 * uid 0 may do anything but execute a file with no x bit at all. */
int fs_permission(struct inode *ip, int want)
{
	struct proc *p = myproc();
	int uid = p ? p->uid : 0;
	if (uid == 0) {
		if ((want & 1) && ip->type == S_IFREG && !(ip->perm & 0111))
			return -EACCES;
		return 0;
	}
	u32 bits = uid == (int)ip->uid ? (ip->perm >> 6) & 7 : ip->perm & 7;
	return (bits & want) == (u32)want ? 0 : -EACCES;
}

/* In a sticky directory (/tmp is 01777) only the owner of an entry, the
 * owner of the directory or root may remove, rename or replace it. */
static int sticky_permission(struct inode *dp, struct inode *ip)
{
	struct proc *p = myproc();
	u32 uid = p ? p->uid : 0;
	if (!(dp->perm & S_ISVTX) || uid == 0 || uid == ip->uid || uid == dp->uid)
		return 0;
	return -EPERM;
}

/* --- paths --- */

/* Copy the next component of path into name; return the rest, or NULL at
 * the end.  "a//b/" gives "a", then "b". */
static const char *skipelem(const char *path, char *name, int *err)
{
	while (*path == '/')
		path++;
	if (!*path)
		return NULL;
	const char *s = path;
	while (*path && *path != '/')
		path++;
	size_t len = path - s;
	if (len > NAME_MAX) {
		*err = -ENAMETOOLONG;
		len = NAME_MAX;
	}
	memcpy(name, s, len);
	name[len] = 0;
	return path;
}

/* Walk path.  With parent set, stop before the last component: return
 * its directory and copy the last name into name.  fslock held; the
 * result has no extra reference. */
static struct inode *walkpath(const char *path, int parent, char *name, int *err)
{
	struct proc *p = myproc();
	struct inode *ip = (*path == '/' || !p || !p->cwd) ? root : p->cwd;
	char elem[NAME_MAX + 1], next[NAME_MAX + 1];
	*err = 0;
	if (!*path) {
		*err = -ENOENT;
		return NULL;
	}
	const char *rest = skipelem(path, elem, err);
	if (!rest) { /* the path is "/" */
		if (parent)
			*err = -EEXIST;
		return parent ? NULL : ip;
	}
	for (;;) {
		if (*err)
			return NULL;
		/* elem is the component to look up in ip; rest follows it */
		if (ip->type != S_IFDIR) {
			*err = -ENOTDIR;
			return NULL;
		}
		if ((*err = fs_permission(ip, 1)) < 0)
			return NULL;
		const char *after = skipelem(rest, next, err);
		if (parent && !after) {
			strlcpy(name, elem, NAME_MAX + 1);
			return ip;
		}
		if (strcmp(elem, ".") == 0) {
			/* stay */
		} else if (strcmp(elem, "..") == 0) {
			ip = ip->parent ? ip->parent : ip;
		} else {
			struct dentry *d = dir_lookup(ip, elem);
			if (!d) {
				*err = -ENOENT;
				return NULL;
			}
			ip = d->ip;
		}
		if (!after)
			return ip;
		memcpy(elem, next, sizeof elem);
		rest = after;
	}
}

struct inode *namei(const char *path)
{
	struct inode *ip;
	return namei_err(path, &ip) < 0 ? NULL : ip;
}

/* Resolve path to an inode with a reference, or a negative errno
 * (-ENFILE if the inode's count is full). */
long namei_err(const char *path, struct inode **out)
{
	int err;
	acquire(&fslock);
	struct inode *ip = walkpath(path, 0, NULL, &err);
	if (ip && ref_get(&ip->refs) < 0) {
		ip = NULL;
		err = -ENFILE;
	}
	release(&fslock);
	*out = ip;
	return ip ? 0 : err;
}

static int is_dot(const char *name) { return strcmp(name, ".") == 0 || strcmp(name, "..") == 0; }

/* Create path as a new inode of the given type (or, unless excl, open the
 * existing regular file).  Returns 1 if created, 0 if it existed, with
 * *out referenced; or a negative errno. */
int fs_create(const char *path, u32 type, u32 perm, u32 major, struct inode **out, int excl)
{
	char name[NAME_MAX + 1];
	int err;
	acquire(&fslock);
	struct inode *dp = walkpath(path, 1, name, &err);
	if (!dp)
		goto out;
	struct dentry *d = is_dot(name) ? NULL : dir_lookup(dp, name);
	if (d || is_dot(name)) {
		struct inode *ip = d ? d->ip : dp;
		if (excl || type != S_IFREG) {
			err = -EEXIST;
		} else if (ip->type == S_IFDIR) {
			err = -EISDIR;
		} else if (ref_get(&ip->refs) < 0) {
			err = -ENFILE;
		} else {
			*out = ip;
		}
		goto out;
	}
	if ((err = fs_permission(dp, 3)) < 0)
		goto out;
	if (dp->nlink == 0) { /* created in a removed directory */
		err = -ENOENT;
		goto out;
	}
	if ((err = name_room()) < 0)
		goto out;
	struct proc *p = myproc();
	struct inode *ip = ialloc(type, perm, p ? p->uid : 0);
	if (!ip) {
		err = -ENOSPC;
		goto out;
	}
	ip->major = major;
	if (type == S_IFDIR) {
		ip->name = fs_alloc(strlen(name) + 1);
		if (!ip->name) {
			fs_free(ip);
			err = -ENOSPC;
			goto out;
		}
		memcpy(ip->name, name, strlen(name) + 1);
		/* Its ".." is a reference to dp: one per subdirectory. */
		if (ref_get(&dp->refs) < 0) {
			fs_free(ip->name);
			fs_free(ip);
			err = -EMLINK;
			goto out;
		}
		ip->parent = dp;
	}
	if ((err = dir_add(dp, name, ip)) < 0) {
		ip->refs = 1;
		iput_locked(ip);
		goto out;
	}
	ip->refs++; /* a new inode: its first reference */
	*out = ip;
	err = 1;
out:
	release(&fslock);
	return err;
}

/* unlink a file (dir = 0) or remove an empty directory (dir = 1). */
int fs_unlink(const char *path, int dir)
{
	char name[NAME_MAX + 1];
	int err;
	acquire(&fslock);
	struct inode *dp = walkpath(path, 1, name, &err);
	if (!dp)
		goto out;
	if (is_dot(name)) {
		err = dir ? -EINVAL : -EISDIR;
		goto out;
	}
	struct dentry *d = dir_lookup(dp, name);
	if (!d) {
		err = -ENOENT;
		goto out;
	}
	struct inode *ip = d->ip;
	if (dir && ip->type != S_IFDIR)
		err = -ENOTDIR;
	else if (!dir && ip->type == S_IFDIR)
		err = -EISDIR;
	else if (dir && ip->nentries)
		err = -ENOTEMPTY;
	else if (dir && ip == root)
		err = -EBUSY;
	else if ((err = fs_permission(dp, 3)) == 0 && (err = sticky_permission(dp, ip)) == 0)
		dir_remove(dp, d);
out:
	release(&fslock);
	return err;
}

int fs_link(const char *old, const char *new)
{
	char name[NAME_MAX + 1];
	int err;
	acquire(&fslock);
	struct inode *ip = walkpath(old, 0, NULL, &err);
	if (!ip)
		goto out;
	if (ip->type == S_IFDIR) {
		err = -EPERM;
		goto out;
	}
	struct inode *dp = walkpath(new, 1, name, &err);
	if (!dp)
		goto out;
	if (is_dot(name) || dir_lookup(dp, name))
		err = -EEXIST;
	else if (dp->nlink == 0) /* a removed directory: the entry would never be freed */
		err = -ENOENT;
	else if ((err = fs_permission(dp, 3)) == 0 && (err = name_room()) == 0)
		err = dir_add(dp, name, ip);
out:
	release(&fslock);
	return err;
}

int fs_rename(const char *old, const char *new)
{
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	int err;
	acquire(&fslock);
	struct inode *odp = walkpath(old, 1, oname, &err);
	if (!odp)
		goto out;
	struct inode *ndp = walkpath(new, 1, nname, &err);
	if (!ndp)
		goto out;
	if (is_dot(oname) || is_dot(nname)) {
		err = -EINVAL;
		goto out;
	}
	struct dentry *od = dir_lookup(odp, oname);
	if (!od) {
		err = -ENOENT;
		goto out;
	}
	struct inode *ip = od->ip;
	if ((err = fs_permission(odp, 3)) < 0 || (err = fs_permission(ndp, 3)) < 0 ||
	    (err = sticky_permission(odp, ip)) < 0)
		goto out;
	/* Nothing may move into a removed directory (a cwd after rmdir): it
	 * is never freed while not empty, nor can it be emptied by name. */
	if (ndp->nlink == 0) {
		err = -ENOENT;
		goto out;
	}
	/* A directory may not move into its own subtree. */
	if (ip->type == S_IFDIR)
		for (struct inode *a = ndp; a; a = a->parent == a ? NULL : a->parent)
			if (a == ip) {
				err = -EINVAL;
				goto out;
			}
	struct dentry *nd = dir_lookup(ndp, nname);
	if (nd) {
		if (nd->ip == ip)
			goto out; /* same file: nothing to do */
		if ((err = sticky_permission(ndp, nd->ip)) < 0)
			goto out;
		if (nd->ip->type == S_IFDIR && ip->type != S_IFDIR) {
			err = -EISDIR;
			goto out;
		}
		if (nd->ip->type != S_IFDIR && ip->type == S_IFDIR) {
			err = -ENOTDIR;
			goto out;
		}
		if (nd->ip->type == S_IFDIR && nd->ip->nentries) {
			err = -ENOTEMPTY;
			goto out;
		}
	}
	/* A directory that moves takes a reference on its new parent (its
	 * ".."): refuse before anything changes if that count is full. */
	if (ip->type == S_IFDIR && ip->parent != ndp && ndp->refs >= refs_max) {
		err = -EMLINK;
		goto out;
	}
	/* Add the new name first: if memory runs out nothing has changed. */
	char *dname = NULL;
	if (ip->type == S_IFDIR && !(dname = fs_alloc(strlen(nname) + 1))) {
		err = -ENOSPC;
		goto out;
	}
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
		goto out;
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
out:
	release(&fslock);
	return err;
}

/* Read directory entries from *off into the user buffer as struct
 * kdirent.  The offset is 0 for ".", 1 for "..", then 2 + the seq of the
 * next entry: a position that stays right when entries before it are
 * removed (rm -r unlinks what it has listed and reads on), where a plain
 * index would skip as many entries as were removed. */
int fs_getdents(struct inode *dp, u64 *off, u64 ubuf, u64 n)
{
	char rec[sizeof(struct kdirent) + NAME_MAX + 8];
	u64 used = 0;
	acquire(&fslock);
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
			release(&fslock);
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
	release(&fslock);
	if (used == 0 && (d || *off < 2))
		return -EINVAL; /* buffer too small for one entry */
	return used;
}

int fs_getcwd(struct inode *cwd, char *buf, size_t n)
{
	char tmp[MAXPATH];
	size_t pos = sizeof tmp - 1;
	tmp[pos] = 0;
	acquire(&fslock);
	if (cwd->nlink == 0 && cwd != root) {
		release(&fslock);
		return -ENOENT;
	}
	for (struct inode *d = cwd; d != root && d->parent; d = d->parent) {
		size_t l = strlen(d->name);
		if (l + 1 > pos) {
			release(&fslock);
			return -ERANGE;
		}
		pos -= l;
		memcpy(tmp + pos, d->name, l);
		tmp[--pos] = '/';
	}
	release(&fslock);
	if (pos == sizeof tmp - 1)
		tmp[--pos] = '/';
	size_t len = sizeof tmp - 1 - pos;
	if (len + 1 > n)
		return -ERANGE;
	memcpy(buf, tmp + pos, len + 1);
	return len;
}

void fs_stat(struct inode *ip, struct kstat *st)
{
	acquire(&fslock);
	st->dev = 1;
	st->ino = ip->ino;
	st->mode = ip->type | ip->perm;
	st->nlink = ip->nlink + (ip->type == S_IFDIR ? 1 : 0);
	st->uid = ip->uid;
	st->rdev = ip->major;
	st->size = ip->size;
	st->mtime_ns = rtc_now_ns() - (ticks - ip->mtime) * params.tick_us * 1000; /* ticks ago, from now */
	release(&fslock);
}

void fs_init(void)
{
	fs_max = params.fsmax_pages ? params.fsmax_pages : ktotalpages() * params.fsmax_pct / 100;
	root = ialloc(S_IFDIR, 0755, 0);
	assert(root);
	root->nlink = 1;
	root->refs = 1;
	root->parent = root;
	root->name = "";
}
