/* initrd.c: fill the file system from the initramfs.
 * The archive is "cpio -H newc": for each file a 110-byte ASCII header
 * ("070701" and 13 eight-digit hex fields), the name, the data, each
 * padded to 4 bytes; it ends with an entry named TRAILER!!!.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"

void kfree_range(u64 pa, u64 end);

static u64 hex8(const char *s)
{
	u64 v = 0;
	for (int i = 0; i < 8; i++) {
		char c = s[i];
		v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
	}
	return v;
}

/* Create every directory along path (like mkdir -p on its parents). */
static void make_parents(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		struct inode *ip;
		if (fs_create(path, S_IFDIR, 0755, 0, &ip, 1) >= 0)
			iput(ip);
		*s = '/';
	}
}

void initrd_load(int archive)
{
	u64 start = bootinfo.initrd_start, end = bootinfo.initrd_end;
	int files = 0;
	struct inode *ip;
	/* device files first: the console must exist even without an initrd */
	if (fs_create("/dev", S_IFDIR, 0755, 0, &ip, 1) >= 0)
		iput(ip);
	if (fs_create("/dev/console", S_IFCHR, 0666, DEV_CONSOLE, &ip, 1) >= 0)
		iput(ip);
	if (fs_create("/dev/null", S_IFCHR, 0666, DEV_NULL, &ip, 1) >= 0)
		iput(ip);
	if (fs_create("/tmp", S_IFDIR, 01777, 0, &ip, 1) >= 0)
		iput(ip);
	if (!start || end <= start) {
		kprintf("initrd: none\n");
		return;
	}
	if (!archive) { /* the root is on the disk: only its pages are wanted */
		int n = 0;
		for (const char *p = P2V(start), *lim = P2V(end); p + 110 <= lim && strncmp(p, "070701", 6) == 0;) {
			u64 filesize = hex8(p + 54), namesize = hex8(p + 94);
			if (!namesize || strncmp(p + 110, "TRAILER!!!", 10) == 0)
				break;
			n += (hex8(p + 14) & S_IFMT) == S_IFREG;
			p = (const char *)ALIGN_UP((u64)ALIGN_UP((u64)(p + 110 + namesize), 4) + filesize, 4);
		}
		if (!params.quiet)
			kprintf("initrd: %d files, %d KiB, not loaded: the root is on the disk\n", n,
				(int)((end - start) / 1024));
		kfree_range(start, end);
		return;
	}
	const char *p = P2V(start), *lim = P2V(end);
	char path[MAXPATH];
	while (p + 110 <= lim && strncmp(p, "070701", 6) == 0) {
		u64 mode = hex8(p + 14), uid = hex8(p + 22), filesize = hex8(p + 54);
		u64 namesize = hex8(p + 94);
		const char *name = p + 110;
		const char *data = (const char *)ALIGN_UP((u64)(name + namesize), 4);
		const char *next = (const char *)ALIGN_UP((u64)(data + filesize), 4);
		if (next > lim || namesize == 0)
			break;
		if (strncmp(name, "TRAILER!!!", 10) == 0)
			break;
		/* names are "./bin/sh" or "bin/sh": make them absolute */
		const char *n = name;
		while (*n == '.' && n[1] == '/')
			n += 2;
		if (*n == '.' && n[1] == 0) {
			p = next;
			continue;
		}
		ksnprintf(path, sizeof path, "/%s", n[0] == '/' ? n + 1 : n);
		make_parents(path);
		u32 type = mode & S_IFMT, perm = mode & 07777;
		if (type == S_IFDIR) {
			if (fs_create(path, S_IFDIR, perm, 0, &ip, 1) >= 0)
				iput(ip);
		} else if (type == S_IFREG) {
			if (fs_create(path, S_IFREG, perm, 0, &ip, 0) >= 0) {
				/* Whole pages of data that lie page-aligned in the
				 * archive (tools/mkinitrd.py pads the names so) become
				 * the file's pages where they are; the last, partial
				 * page is copied, since the bytes past the end of a
				 * file must read as zeros.  A copy of each byte cost
				 * most of the boot under kvm-pvm (docs/design.md). */
				u64 whole = 0;
				if (!(V2P(data) & (PGSIZE - 1)))
					whole = ramfs_adopt(ip, V2P(data), filesize / PGSIZE) * PGSIZE;
				if (writei(ip, 0, (u64)data + whole, whole, filesize - whole) != (long)(filesize - whole))
					kprintf("initrd: %s does not fit (fsmax= too small?)\n", path);
				fs_setattr(ip, perm, uid);
				iput(ip);
				files++;
			}
		}
		p = next;
	}
	if (!params.quiet)
		kprintf("initrd: %d files, %d KiB; files may hold %d MiB (fsmax=)\n", files,
			(int)((end - start) / 1024), (int)(fs_max_pages() >> (20 - PGSHIFT)));
	/* The files are in: the archive's pages they did not take go back
	 * to the allocator. */
	kfree_range(start, end);
}
