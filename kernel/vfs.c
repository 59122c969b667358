/* vfs.c: the virtual file system: paths, mounts, permissions, and the
 * generic calls that sysfile.c, file.c and exec.c use on any file system.
 *
 * A path is walked one component at a time, each looked up by the file
 * system of the directory it is in (fs_ops.lookup, under that fs's lock),
 * so a walk holds a reference to one inode and no lock between steps: the
 * disk file system may sleep in a lookup.  Mount points are crossed both
 * ways: a directory covered by a mount is replaced by the mounted root,
 * and ".." at a mounted root goes to the covered directory's parent.
 * Symbolic links are followed, MAXSYMLINKS of them per walk (then ELOOP).
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"

static const char *skipelem(const char *path, char *name, int *err);
static void iput_locked(struct inode *ip);
static struct inode *hold(struct inode *ip);
static int step(struct inode *dp, const char *name, struct inode **out);

static struct mount mounts[NMOUNT];
static int nmounts;
static struct inode *root; /* mounts[0].root */

static void fs_lock(struct inode *ip) { ip->fs->ops->lock(ip->fs); }
static void fs_unlock(struct inode *ip) { ip->fs->ops->unlock(ip->fs); }

/* Mount directory dir (and what is under it, of its file system) on path.
 * Boot only: the table is fixed after, so it is read without a lock.  The
 * first mount is /; a later one on "/" replaces it (the disk's root
 * replaces the RAM file system's, before any process runs). */
void vfs_mount(struct inode *dir, const char *path, const char *src)
{
	if (nmounts == NMOUNT)
		panic("vfs_mount: table full");
	struct mount *m = &mounts[nmounts];
	if (strcmp(path, "/") == 0) {
		m = &mounts[0];
		root = dir;
		if (nmounts)
			nmounts--;
	} else if (namei_err(path, &m->covered) < 0 || m->covered->type != S_IFDIR) {
		kprintf("mount: %s: no such directory, %s not mounted\n", path, src);
		iput(m->covered);
		m->covered = NULL;
		iput(dir);
		return;
	}
	m->root = dir;
	m->fs = dir->fs;
	strlcpy(m->path, path, sizeof m->path);
	strlcpy(m->src, src, sizeof m->src);
	nmounts++;
}

struct inode *vfs_rootdir(void) { return root; }

/* Does path (relative) exist under dir?  For the choice of the root. */
int vfs_exists_in(struct inode *dir, const char *path)
{
	char elem[NAME_MAX + 1];
	int err = 0;
	struct inode *ip = hold(dir), *nx;
	while (ip && (path = skipelem(path, elem, &err)) && !err) {
		if (ip->type != S_IFDIR || step(ip, elem, &nx) < 0) {
			iput(ip);
			return 0;
		}
		iput(ip);
		ip = nx;
	}
	iput(ip);
	return ip && !err;
}

/* The mount table as text, one "source path type" line per mount. */
int vfs_mounts(char *buf, u64 n)
{
	u64 used = 0;
	for (int i = 0; i < nmounts; i++) {
		char line[96];
		int len = ksnprintf(line, sizeof line, "%s %s %s dev=%d\n", mounts[i].src, mounts[i].path,
				    mounts[i].fs->ops->type, (int)mounts[i].fs->dev);
		if (used + len >= n)
			return -ERANGE;
		memcpy(buf + used, line, len);
		used += len;
	}
	buf[used] = 0;
	return used;
}

/* The mount whose root is ip, or whose covered directory is ip. */
static struct mount *mount_root(struct inode *ip)
{
	for (int i = 1; i < nmounts; i++)
		if (mounts[i].root == ip)
			return &mounts[i];
	return NULL;
}

static struct mount *mount_on(struct inode *ip)
{
	for (int i = 1; i < nmounts; i++)
		if (mounts[i].covered == ip)
			return &mounts[i];
	return NULL;
}

/* --- references --- */

/* A walk's references are taken without the REFS_MAX check: each walking
 * process holds one or two for the length of a call, far fewer than the
 * 2^31 of headroom above REFS_MAX (kernel.h).  A reference the caller
 * keeps (an open file, a cwd) is checked at the end (keep()). */
static struct inode *hold(struct inode *ip)
{
	fs_lock(ip);
	ip->refs++;
	fs_unlock(ip);
	return ip;
}

/* The walk's reference to ip becomes the caller's to keep: -ENFILE if
 * the count was already full without it. */
static int keep(struct inode *ip)
{
	fs_lock(ip);
	int full = ip->refs - 1 >= refs_max;
	if (full)
		iput_locked(ip);
	fs_unlock(ip);
	return full ? -ENFILE : 0;
}

/* Drop a reference with the fs's lock held. */
static void iput_locked(struct inode *ip)
{
	if (--ip->refs == 0)
		ip->fs->ops->put(ip); /* may free ip */
}

/* Another reference to ip, or NULL if its count is full (REFS_MAX). */
struct inode *idup(struct inode *ip)
{
	if (ip) {
		fs_lock(ip);
		if (ref_get(&ip->refs) < 0) {
			fs_unlock(ip);
			return NULL;
		}
		fs_unlock(ip);
	}
	return ip;
}

void iput(struct inode *ip)
{
	if (!ip)
		return;
	struct fs *fs = ip->fs;
	fs->ops->lock(fs);
	iput_locked(ip);
	fs->ops->unlock(fs);
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
int sticky_permission(struct inode *dp, struct inode *ip)
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

/* One step: the inode that name names in directory dp (a reference), with
 * mount points crossed.  dp keeps its reference. */
static int step(struct inode *dp, const char *name, struct inode **out)
{
	struct inode *ip;
	int r;
	if (strcmp(name, "..") == 0) {
		if (dp == root) {
			*out = hold(dp);
			return 0;
		}
		struct mount *m = mount_root(dp);
		if (m)
			dp = m->covered; /* and its parent below */
	}
	fs_lock(dp);
	r = dp->fs->ops->lookup(dp, name, &ip);
	fs_unlock(dp);
	if (r < 0)
		return r;
	struct mount *m = ip->type == S_IFDIR ? mount_on(ip) : NULL;
	if (m) {
		iput(ip);
		ip = hold(m->root);
	}
	*out = ip;
	return 0;
}

/* The target of symlink ip into buf (NUL-terminated). */
static int readlink_inode(struct inode *ip, char *buf, u64 n)
{
	fs_lock(ip);
	long r = ip->size >= n ? -ENAMETOOLONG : ip->fs->ops->read(ip, 0, (u64)buf, 0, ip->size);
	fs_unlock(ip);
	if (r < 0)
		return r;
	buf[r] = 0;
	return r;
}

/* Walk path to an inode (a reference in *out).  With parent set, stop
 * before the last component: *out is its directory and name the last
 * name.  With follow set, a symlink as the last component is followed
 * (the parent walk never follows the last one). */
static int pathwalk(const char *path, int parent, char *name, int follow, struct inode **out)
{
	struct proc *p = myproc();
	char elem[NAME_MAX + 1], buf[MAXPATH];
	int err = 0, links = 0;
	if (!*path)
		return -ENOENT;
	struct inode *ip = hold((*path == '/' || !p || !p->cwd) ? root : p->cwd);
	const char *rest = path;
	for (;;) {
		rest = skipelem(rest, elem, &err);
		if (!rest) { /* the path is "/" (or "/" after a link) */
			if (parent) {
				iput(ip);
				return -EEXIST;
			}
			*out = ip;
			return 0;
		}
		if (err)
			break;
		const char *q = rest;
		while (*q == '/')
			q++;
		int last = !*q;
		if (ip->type != S_IFDIR) {
			err = -ENOTDIR;
			break;
		}
		if ((err = fs_permission(ip, 1)) < 0)
			break;
		if (parent && last) {
			strlcpy(name, elem, NAME_MAX + 1);
			*out = ip;
			return 0;
		}
		struct inode *nx;
		if (strcmp(elem, ".") == 0) {
			continue;
		} else if ((err = step(ip, elem, &nx)) < 0) {
			break;
		}
		if (nx->type == S_IFLNK && (!last || follow)) {
			/* Go on from the link's target with the rest of the path. */
			char target[MAXPATH];
			if (++links > MAXSYMLINKS)
				err = -ELOOP;
			else
				err = readlink_inode(nx, target, sizeof target);
			iput(nx);
			if (err < 0)
				break;
			err = 0;
			if (strlen(target) + strlen(rest) + 1 > sizeof buf) {
				err = -ENAMETOOLONG;
				break;
			}
			char tmp[MAXPATH];
			strlcpy(tmp, target, sizeof tmp);
			strlcpy(tmp + strlen(tmp), rest, sizeof tmp - strlen(tmp));
			memcpy(buf, tmp, sizeof buf);
			rest = buf;
			if (!*rest) {
				err = -ENOENT;
				break;
			}
			if (*rest == '/') {
				iput(ip);
				ip = hold(root);
			}
			continue;
		}
		iput(ip);
		ip = nx;
		if (last) {
			*out = ip;
			return 0;
		}
	}
	iput(ip);
	return err;
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
	int r = pathwalk(path, 0, NULL, 1, out);
	return r < 0 ? r : keep(*out);
}

long namei_nofollow(const char *path, struct inode **out)
{
	int r = pathwalk(path, 0, NULL, 0, out);
	return r < 0 ? r : keep(*out);
}

/* --- the generic calls --- */

/* Did another process add name to dp between the caller's lookup and its
 * fs_lock(dp)?  The lookup ran without the lock, so create, link and
 * symlink ask again under it before they add the entry: two processes
 * creating one name at once (xv6's concreate) would otherwise both add
 * it.  *raced holds the reference the lookup took, for an iput after
 * fs_unlock.  fs_lock(dp) held. */
static int name_made(struct inode *dp, const char *name, struct inode **raced)
{
	return dp->fs->ops->lookup(dp, name, raced) == 0;
}

/* Create path as a new inode of the given type (or, unless excl, open the
 * existing regular file).  Returns 1 if created, 0 if it existed, with
 * *out referenced; or a negative errno. */
int fs_create(const char *path, u32 type, u32 perm, u32 major, struct inode **out, int excl)
{
	char name[NAME_MAX + 1];
	struct inode *dp, *ip;
	int err = pathwalk(path, 1, name, 0, &dp);
	if (err < 0)
		return err;
	if (is_dot(name)) {
		err = excl || type != S_IFREG ? -EEXIST : -EISDIR;
		goto out;
	}
again:
	err = step(dp, name, &ip);
	if (err == 0) {
		if (ip->type == S_IFLNK && !excl && type == S_IFREG) {
			iput(ip); /* open(O_CREAT) of a link opens its target */
			if ((err = namei_err(path, &ip)) < 0)
				goto out;
		}
		if (excl || type != S_IFREG)
			err = -EEXIST;
		else if (ip->type == S_IFDIR)
			err = -EISDIR;
		if (err < 0)
			iput(ip);
		else if ((err = keep(ip)) == 0)
			*out = ip;
		goto out;
	}
	if (err != -ENOENT)
		goto out;
	if ((err = fs_permission(dp, 3)) < 0)
		goto out;
	fs_lock(dp);
	struct inode *raced = NULL;
	if (dp->nlink == 0) /* created in a removed directory */
		err = -ENOENT;
	else if (name_made(dp, name, &raced))
		err = -EAGAIN;
	else if ((err = dp->fs->ops->create(dp, name, type, perm, major, out)) == 0)
		err = 1;
	fs_unlock(dp);
	if (raced) {
		iput(raced);
		goto again; /* another process made it: open that one, or EEXIST */
	}
out:
	iput(dp);
	return err;
}

/* Is ip a mount point or a mounted root (so not to be removed)? */
static int busy(struct inode *ip) { return ip == root || mount_on(ip) || mount_root(ip); }

/* unlink a file (dir = 0) or remove an empty directory (dir = 1). */
int fs_unlink(const char *path, int dir)
{
	char name[NAME_MAX + 1];
	struct inode *dp;
	int err = pathwalk(path, 1, name, 0, &dp);
	if (err < 0)
		return err;
	if (is_dot(name)) {
		err = dir ? -EINVAL : -EISDIR;
	} else {
		struct inode *ip;
		fs_lock(dp);
		err = dp->fs->ops->lookup(dp, name, &ip);
		if (err == 0) {
			/* Our reference keeps the inode until the unlock: the
			 * file system frees it when the last one goes. */
			if (ip->type == S_IFDIR && busy(ip))
				err = -EBUSY;
			else
				err = dp->fs->ops->unlink(dp, name, dir);
			iput_locked(ip);
		}
		fs_unlock(dp);
	}
	iput(dp);
	return err;
}

int fs_link(const char *old, const char *new)
{
	char name[NAME_MAX + 1];
	struct inode *ip, *dp, *x;
	int err = pathwalk(old, 0, NULL, 0, &ip);
	if (err < 0)
		return err;
	if (ip->type == S_IFDIR) {
		iput(ip);
		return -EPERM;
	}
	if ((err = pathwalk(new, 1, name, 0, &dp)) < 0) {
		iput(ip);
		return err;
	}
	if (is_dot(name)) {
		err = -EEXIST;
	} else if ((err = step(dp, name, &x)) == 0) {
		iput(x);
		err = -EEXIST;
	} else if (err == -ENOENT) {
		if (dp->fs != ip->fs)
			err = -EXDEV;
		else if ((err = fs_permission(dp, 3)) == 0) {
			struct inode *raced = NULL;
			fs_lock(dp);
			/* a removed directory: the entry would never be freed */
			err = dp->nlink == 0		   ? -ENOENT :
			      name_made(dp, name, &raced) ? -EEXIST :
							    dp->fs->ops->link(dp, name, ip);
			fs_unlock(dp);
			if (raced)
				iput(raced);
		}
	}
	iput(dp);
	iput(ip);
	return err;
}

int fs_rename(const char *old, const char *new)
{
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	struct inode *odp, *ndp = NULL, *ip;
	int err = pathwalk(old, 1, oname, 0, &odp);
	if (err < 0)
		return err;
	if ((err = pathwalk(new, 1, nname, 0, &ndp)) < 0)
		goto out;
	if (is_dot(oname) || is_dot(nname)) {
		err = -EINVAL;
		goto out;
	}
	if ((err = step(odp, oname, &ip)) < 0)
		goto out;
	int isbusy = ip->type == S_IFDIR && busy(ip), other = ip->fs != odp->fs;
	iput(ip);
	if (odp->fs != ndp->fs || other) {
		err = -EXDEV;
		goto out;
	}
	if (isbusy) {
		err = -EBUSY;
		goto out;
	}
	if ((err = fs_permission(odp, 3)) < 0 || (err = fs_permission(ndp, 3)) < 0)
		goto out;
	fs_lock(odp);
	/* Nothing may move into a removed directory (a cwd after rmdir): it
	 * is never freed while not empty, nor can it be emptied by name. */
	if (ndp->nlink == 0) {
		err = -ENOENT;
	} else {
		struct inode *x = NULL;
		err = odp->fs->ops->lookup(ndp, nname, &x);
		if (err == 0)
			err = x->type == S_IFDIR && busy(x) ? -EBUSY : 0;
		else if (err == -ENOENT)
			err = 0, x = NULL;
		if (err == 0)
			err = odp->fs->ops->rename(odp, oname, ndp, nname);
		if (x)
			iput_locked(x); /* a replaced file goes here */
	}
	fs_unlock(odp);
out:
	iput(ndp);
	iput(odp);
	return err;
}

int fs_symlink(const char *target, const char *path)
{
	char name[NAME_MAX + 1];
	struct inode *dp, *x;
	if (!*target)
		return -ENOENT;
	if (strlen(target) >= MAXPATH)
		return -ENAMETOOLONG;
	int err = pathwalk(path, 1, name, 0, &dp);
	if (err < 0)
		return err;
	if (is_dot(name)) {
		err = -EEXIST;
	} else if ((err = step(dp, name, &x)) == 0) {
		iput(x);
		err = -EEXIST;
	} else if (err == -ENOENT && (err = fs_permission(dp, 3)) == 0) {
		struct inode *raced = NULL;
		fs_lock(dp);
		err = dp->nlink == 0		   ? -ENOENT :
		      name_made(dp, name, &raced) ? -EEXIST :
						    dp->fs->ops->symlink(dp, name, target);
		fs_unlock(dp);
		if (raced)
			iput(raced);
	}
	iput(dp);
	return err;
}

int fs_readlink(const char *path, char *buf, u64 n)
{
	struct inode *ip;
	int err = namei_nofollow(path, &ip);
	if (err < 0)
		return err;
	err = ip->type == S_IFLNK ? readlink_inode(ip, buf, n) : -EINVAL;
	iput(ip);
	return err;
}

/* readi and writei copy n bytes at most between the file at off and dst
 * (src): a kernel address, or with user set a user range the caller has
 * checked with user_range() (fileread and filewrite do). */
long readi(struct inode *ip, int user, u64 dst, u64 off, u64 n)
{
	fs_lock(ip);
	long r = ip->fs->ops->read(ip, user, dst, off, n);
	fs_unlock(ip);
	return r;
}

long writei(struct inode *ip, int user, u64 src, u64 off, u64 n)
{
	fs_lock(ip);
	long r = ip->fs->ops->write(ip, user, src, off, n);
	fs_unlock(ip);
	return r;
}

/* Read or write at the file's offset: the offset (and O_APPEND's end of
 * file) is taken and moved under the file system's lock, so processes
 * sharing an open file never read or write the same bytes twice. */
long file_rw(struct file *f, int user, u64 addr, u64 n, int write)
{
	struct inode *ip = f->ip;
	long r;
	fs_lock(ip);
	if (write) {
		if (f->flags & O_APPEND)
			f->off = ip->size;
		r = ip->fs->ops->write(ip, user, addr, f->off, n);
	} else {
		r = ip->fs->ops->read(ip, user, addr, f->off, n);
	}
	if (r > 0)
		f->off += r;
	fs_unlock(ip);
	return r;
}

int fs_truncate(struct inode *ip, u64 size)
{
	fs_lock(ip);
	int r = ip->fs->ops->truncate(ip, size);
	fs_unlock(ip);
	return r;
}

/* A page of the file to map into a program as it is (exec), with a page
 * reference taken, or NULL: the caller copies instead. */
void *fs_page_get(struct inode *ip, u64 pgno)
{
	if (!ip->fs->ops->page)
		return NULL;
	fs_lock(ip);
	void *pg = ip->fs->ops->page(ip, pgno);
	if (pg && page_get(pg) < 0)
		pg = NULL;
	fs_unlock(ip);
	return pg;
}

u64 fs_size(struct inode *ip)
{
	fs_lock(ip);
	u64 n = ip->size;
	fs_unlock(ip);
	return n;
}

int fs_setattr(struct inode *ip, u32 perm, u32 uid)
{
	fs_lock(ip);
	ip->perm = perm & 07777;
	ip->uid = uid;
	int r = ip->fs->ops->update(ip);
	fs_unlock(ip);
	return r;
}

int fs_fsync(struct inode *ip)
{
	fs_lock(ip);
	int r = ip->fs->ops->fsync(ip);
	fs_unlock(ip);
	return r;
}

int fs_getdents(struct inode *dp, u64 *off, u64 ubuf, u64 n)
{
	fs_lock(dp);
	int r = dp->fs->ops->getdents(dp, off, ubuf, n);
	fs_unlock(dp);
	return r;
}

/* The path of cwd: up through ".." (and out of mounted roots) to /, each
 * directory's name found in its parent. */
int fs_getcwd(struct inode *cwd, char *buf, size_t n)
{
	char tmp[MAXPATH], name[NAME_MAX + 1];
	size_t pos = sizeof tmp - 1;
	tmp[pos] = 0;
	if (cwd->nlink == 0 && cwd != root)
		return -ENOENT;
	struct inode *d = hold(cwd), *up;
	int err = 0;
	while (d != root) {
		struct mount *m = mount_root(d);
		if ((err = step(m ? m->covered : d, "..", &up)) < 0)
			break;
		fs_lock(up);
		err = up->fs->ops->nameof(up, m ? m->covered : d, name);
		fs_unlock(up);
		iput(d);
		d = up;
		if (err < 0)
			break;
		size_t l = strlen(name);
		if (l + 1 > pos) {
			err = -ERANGE;
			break;
		}
		pos -= l;
		memcpy(tmp + pos, name, l);
		tmp[--pos] = '/';
	}
	iput(d);
	if (err < 0)
		return err;
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
	fs_lock(ip);
	ip->fs->ops->stat(ip, st);
	st->dev = ip->fs->dev;
	fs_unlock(ip);
}
