/* ext2.c: the ext2 file system (revision 1, 4 KiB blocks) on /dev/vda.
 * Every block goes through the buffer cache (bread/brelse); what the disk
 * says is checked before it is used, so a corrupted image gives -EIO and
 * a message, never a panic.
 *
 * Locking: one sleeping lock (e2.lock) per file system, taken by the VFS
 * around every operation (fs_ops.lock): operations wait for the disk with
 * it held, so it cannot be a spinlock.  Under it: the in-memory inodes,
 * the group descriptors, the superblock's counts.  Each block is owned
 * between bread and brelse (B_BUSY in bio.c), never with a spinlock held.
 *
 * Crash safety: ext2 has no journal, so the writes are ordered for
 * e2fsck -p to repair whatever a crash leaves without asking.  It clears
 * an empty inode that nothing names and an entry naming a free or deleted
 * inode, and fixes link counts, bitmaps and free counts; it asks (fails)
 * about an unnamed inode with data, an unnamed directory, a block two
 * files claim, a pointer to garbage.  Hence:
 *  - a new file's inode (empty) is written (bwrite) before the entry that
 *    names it, and the entry before any of its data can be; a new
 *    directory's first block, then its entry, then its inode;
 *    a new link raises the link count on disk before the entry is added;
 *  - unlink (and rename of a file over another) lowers the link count on
 *    the disk before the entry goes (a crash between leaves a count too
 *    low, or a name of a deleted inode), then frees blocks and inode;
 *  - rename raises the link count (on the disk), writes the new name,
 *    then removes the old one: a crash leaves one name or both;
 *  - blocks are marked in the bitmap before a pointer to them is stored;
 *    a new indirect block (zeroed) and a directory's new block (with its
 *    entries) are written before the pointer to them can be;
 *  - a truncate writes the inode and indirect blocks without the freed
 *    pointers before it returns (and before the lock is let go), so no
 *    freed block is reused while a pointer to it is still on the disk.
 * So a crash leaves at worst blocks or inodes marked used that nothing
 * names, empty unnamed inodes or link counts off by one: e2fsck -p fixes
 * those silently (tests/test_crash.py kills QEMU at random points).  A
 * file's data block may reach the disk after the pointer to it: a crash
 * can leave old bytes in a file that was being written and not fsynced,
 * as ext2 on Linux can.
 * The superblock says "not clean" (s_state) on the disk from the first
 * change until the unmount at poweroff, which marks it clean.
 */
#include "kernel.h"
#include "proc.h"
#include "buf.h"
#include "ext2.h"
#include "fs.h"

struct ext2_info ext2;

/* Copy n bytes at byte offset off of the disk, through the cache. */
static int disk_bytes(u64 off, void *dst, u64 n)
{
	while (n) {
		struct buf *b;
		int r = bread(off / BSIZE, &b);
		if (r < 0)
			return r;
		u64 o = off % BSIZE, m = BSIZE - o < n ? BSIZE - o : n;
		memcpy(dst, b->data + o, m);
		brelse(b);
		dst = (char *)dst + m;
		off += m;
		n -= m;
	}
	return 0;
}

static int refuse(const char *why, u64 a, u64 b)
{
	kprintf("ext2: /dev/vda refused: ");
	kprintf(why, a, b);
	kprintf("\n");
	return -EINVAL; /* picolibc has no EUCLEAN yet */
}

/* Every group's bitmaps and inode table inside the disk, and inside the
 * file system's blocks. */
static int check_groups(void)
{
	struct ext2_super_block *sb = &ext2.sb;
	u64 gdt = (u64)(sb->s_first_data_block + 1) * ext2.block_size;
	for (u32 g = 0; g < ext2.groups; g++) {
		struct ext2_group_desc gd;
		int r = disk_bytes(gdt + g * sizeof gd, &gd, sizeof gd);
		if (r < 0) {
			kprintf("ext2: /dev/vda: cannot read group descriptor %d (%d)\n", (int)g, r);
			return r;
		}
		u64 itb = ((u64)sb->s_inodes_per_group * sb->s_inode_size + ext2.block_size - 1) / ext2.block_size;
		if (gd.bg_block_bitmap >= sb->s_blocks_count || gd.bg_inode_bitmap >= sb->s_blocks_count ||
		    gd.bg_inode_table < sb->s_first_data_block || gd.bg_inode_table + itb > sb->s_blocks_count)
			return refuse("group %d's bitmaps or inode table lie outside the file system", g, 0);
	}
	return 0;
}

int ext2_check(void)
{
	struct ext2_super_block *sb = &ext2.sb;
	int r = disk_bytes(EXT2_SUPER_OFFSET, sb, sizeof *sb);
	if (r < 0) {
		kprintf("ext2: /dev/vda: cannot read the superblock (%d)\n", r);
		return r;
	}
	if (sb->s_magic != EXT2_MAGIC)
		return refuse("bad magic %p: not an ext2 file system", sb->s_magic, 0);
	if (sb->s_rev_level != EXT2_DYNAMIC_REV)
		return refuse("revision %d (only revision 1 is read)", sb->s_rev_level, 0);
	if (sb->s_log_block_size > 2)
		return refuse("block size 1024 << %d is over 4096", sb->s_log_block_size, 0);
	u32 bs = 1024u << sb->s_log_block_size;
	ext2.block_size = bs;
	u64 disk_fsblocks = disk_blocks * (BSIZE / bs);
	if (!sb->s_blocks_count || sb->s_blocks_count > disk_fsblocks)
		return refuse("%d blocks, but the disk holds %d", sb->s_blocks_count, disk_fsblocks);
	if (sb->s_first_data_block != (bs == 1024 ? 1u : 0u) || sb->s_first_data_block >= sb->s_blocks_count)
		return refuse("first data block %d for block size %d", sb->s_first_data_block, bs);
	if (!sb->s_blocks_per_group || sb->s_blocks_per_group > 8 * bs || !sb->s_inodes_per_group ||
	    sb->s_inodes_per_group > 8 * bs)
		return refuse("%d blocks and %d inodes per group", sb->s_blocks_per_group, sb->s_inodes_per_group);
	u32 isz = sb->s_inode_size;
	if (isz < 128 || isz > bs || (isz & (isz - 1)))
		return refuse("inode size %d", isz, 0);
	if (sb->s_first_ino <= EXT2_ROOT_INO)
		return refuse("first inode %d", sb->s_first_ino, 0);
	ext2.groups = (sb->s_blocks_count - sb->s_first_data_block + sb->s_blocks_per_group - 1) / sb->s_blocks_per_group;
	if ((u64)ext2.groups * sb->s_inodes_per_group != sb->s_inodes_count)
		return refuse("%d inodes, not groups x inodes per group", sb->s_inodes_count, 0);
	if (sb->s_free_blocks_count > sb->s_blocks_count || sb->s_free_inodes_count > sb->s_inodes_count)
		return refuse("more free blocks or inodes than there are", 0, 0);
	ext2.gdt_blocks = (ext2.groups * sizeof(struct ext2_group_desc) + bs - 1) / bs;
	if (sb->s_first_data_block + 1 + ext2.gdt_blocks > sb->s_blocks_count)
		return refuse("group descriptors (%d blocks) run past the end", ext2.gdt_blocks, 0);
	if (sb->s_feature_incompat & ~EXT2_FEATURE_INCOMPAT_FILETYPE)
		return refuse("unsupported incompatible features %p", sb->s_feature_incompat, 0);
	if ((r = check_groups()) < 0)
		return r;
	ext2.ok = 1;
	kprintf("ext2: /dev/vda %d blocks of %d, %d inodes, %d groups, %s\n", (int)sb->s_blocks_count, (int)bs,
		(int)sb->s_inodes_count, (int)ext2.groups,
		sb->s_state & EXT2_ERROR_FS  ? "has errors (run e2fsck)" :
		sb->s_state & EXT2_VALID_FS ? "clean" :
					      "not cleanly unmounted");
	return 0;
}

/* --- the mounted file system --- */

#define NPTR (BSIZE / 4)  /* block pointers in an indirect block */
#define LINK_MAX 32000    /* ext2's limit on i_links_count (or refmax=, when lower: tests) */
#define DIRENT_LEN(n) ALIGN_UP(8 + (n), 4)

static const struct fs_ops ext2_ops;
static u32 link_max(void) { return min((u32)LINK_MAX, refs_max); }

static struct {
	struct fs fs;
	struct sleeplock lock;
	struct ext2_group_desc *gd; /* every group's, copied at mount */
	/* Per group, where first fit in its block and inode bitmaps starts:
	 * every bit from the allocator's first candidate up to the hint is
	 * set, so it finds the same bit as a scan from there, without the
	 * scan (a file written block by block looked at every used block's
	 * bit for each new one).  In gd's allocation, after the groups. */
	u32 *bhint, *ihint;
	struct inode *inodes;       /* the ones in memory (referenced) */
	int mounted;
	int ro;                     /* read only: the disk, or features we do not know */
	int dirty;                  /* s_state on the disk says "not clean" */
	int filetype;               /* entries carry the file type */
	u32 isz;                    /* inode size on the disk */
} e2 = { .lock = { .lk = SPINLOCK_INIT("ext2"), .wq = WAITQ_INIT("inode") } };

/* Seconds since 1970 for timestamps: the Goldfish RTC's (rtc.c). */
static u32 now(void) { return (u32)rtc_seconds(); }

/* The disk says something impossible: refuse the operation. */
static int corrupt(const char *what, u64 a, u64 b)
{
	kprintf("ext2: /dev/vda corrupt: ");
	kprintf(what, a, b);
	kprintf("\n");
	return -EIO;
}

/* A data or indirect block number that may be read: inside the file
 * system and not the superblock's block. */
static int blk_ok(u64 blk) { return blk > ext2.sb.s_first_data_block && blk < ext2.sb.s_blocks_count; }

static int bread_ok(u64 blk, struct buf **b)
{
	if (!blk_ok(blk))
		return corrupt("block %d is outside the file system", blk, 0);
	return bread_meta(blk, b);
}

/* The superblock and group descriptor g, back into their blocks. */
static int sb_write(int sync)
{
	struct buf *b;
	int r = bread_meta(EXT2_SUPER_OFFSET / BSIZE, &b);
	if (r < 0)
		return r;
	ext2.sb.s_wtime = now();
	memcpy(b->data + EXT2_SUPER_OFFSET % BSIZE, &ext2.sb, sizeof ext2.sb);
	r = bput(b, sync);
	return r;
}

static int gd_write(u32 g)
{
	u64 off = (u64)g * sizeof(struct ext2_group_desc);
	struct buf *b;
	int r = bread_meta(ext2.sb.s_first_data_block + 1 + off / BSIZE, &b);
	if (r < 0)
		return r;
	memcpy(b->data + off % BSIZE, &e2.gd[g], sizeof e2.gd[g]);
	bdirty(b);
	brelse(b);
	return 0;
}

/* Before the first change: the disk says "not clean" until the unmount. */
static int start_write(void)
{
	if (e2.ro)
		return -EROFS;
	if (e2.dirty)
		return 0;
	ext2.sb.s_state &= ~EXT2_VALID_FS;
	ext2.sb.s_mnt_count++;
	ext2.sb.s_mtime = now();
	e2.dirty = 1;
	return sb_write(1);
}

/* --- bitmaps: blocks and inodes --- */

/* Find a clear bit in bitmap block bmblk among nbits, set it: its index,
 * or -1 if all are set. */
static long bitmap_take(u32 bmblk, u32 nbits, u32 from, u32 *hint, int *err)
{
	struct buf *b;
	if ((*err = bread_ok(bmblk, &b)) < 0)
		return -1;
	long found = -1;
	u32 i;
	for (i = max(from, *hint); i < nbits; i++) {
		if (b->data[i / 8] == 0xff && i % 8 == 0) {
			i += 7;
			continue;
		}
		if (!(b->data[i / 8] & (1 << (i % 8)))) {
			b->data[i / 8] |= 1 << (i % 8);
			bdirty(b);
			found = i;
			break;
		}
	}
	/* every bit of [from, found] is set now (the caller's from is the
	 * same for each call on one bitmap) */
	*hint = found >= 0 ? (u32)found + 1 : nbits;
	brelse(b);
	return found;
}

static int bitmap_clear(u32 bmblk, u32 bit, u32 *hint)
{
	struct buf *b;
	int r = bread_ok(bmblk, &b);
	if (r < 0)
		return r;
	if (!(b->data[bit / 8] & (1 << (bit % 8)))) {
		brelse(b);
		return corrupt("bit %d of bitmap block %d freed twice", bit, bmblk);
	}
	b->data[bit / 8] &= ~(1 << (bit % 8));
	bdirty(b);
	brelse(b);
	if (bit < *hint)
		*hint = bit;
	return 0;
}

static u32 group_of_ino(u64 ino) { return (ino - 1) / ext2.sb.s_inodes_per_group; }

/* A free block, near group `near`; marked used.  The superuser may take
 * the reserved blocks, others may not. */
static int balloc(struct inode *ip, u32 *out)
{
	struct ext2_super_block *sb = &ext2.sb;
	struct proc *p = myproc();
	u32 reserve = p && p->uid != 0 ? sb->s_r_blocks_count : 0;
	if (sb->s_free_blocks_count <= reserve)
		return -ENOSPC;
	u32 near = group_of_ino(ip->ino) % ext2.groups;
	for (u32 i = 0; i < ext2.groups; i++) {
		u32 g = (near + i) % ext2.groups;
		if (!e2.gd[g].bg_free_blocks_count)
			continue;
		u64 first = sb->s_first_data_block + (u64)g * sb->s_blocks_per_group;
		u32 nbits = min((u64)sb->s_blocks_per_group, sb->s_blocks_count - first);
		int err;
		long bit = bitmap_take(e2.gd[g].bg_block_bitmap, nbits, 0, &e2.bhint[g], &err);
		if (err < 0)
			return err;
		if (bit < 0)
			continue; /* the count was wrong: look on */
		e2.gd[g].bg_free_blocks_count--;
		sb->s_free_blocks_count--;
		gd_write(g);
		sb_write(0);
		*out = first + bit;
		((struct ext2_inode *)ip->e2d)->i_blocks += BSIZE / 512;
		return 0;
	}
	return -ENOSPC;
}

static int bfree(struct inode *ip, u32 blk)
{
	struct ext2_super_block *sb = &ext2.sb;
	if (!blk_ok(blk))
		return corrupt("inode %d frees block %d, outside the file system", ip->ino, blk);
	u32 g = (blk - sb->s_first_data_block) / sb->s_blocks_per_group;
	int r = bitmap_clear(e2.gd[g].bg_block_bitmap, (blk - sb->s_first_data_block) % sb->s_blocks_per_group,
			     &e2.bhint[g]);
	if (r < 0)
		return r;
	e2.gd[g].bg_free_blocks_count++;
	sb->s_free_blocks_count++;
	gd_write(g);
	sb_write(0);
	struct ext2_inode *d = ip->e2d;
	if (d->i_blocks >= BSIZE / 512)
		d->i_blocks -= BSIZE / 512;
	return 0;
}

static int ialloc(u32 near, int dir, u32 *out)
{
	struct ext2_super_block *sb = &ext2.sb;
	if (!sb->s_free_inodes_count)
		return -ENOSPC;
	for (u32 i = 0; i < ext2.groups; i++) {
		u32 g = (near + i) % ext2.groups;
		if (!e2.gd[g].bg_free_inodes_count)
			continue;
		/* inodes below s_first_ino are the reserved ones */
		u64 base = (u64)g * sb->s_inodes_per_group + 1;
		u32 from = base < sb->s_first_ino ? sb->s_first_ino - base : 0;
		int err;
		long bit = bitmap_take(e2.gd[g].bg_inode_bitmap, sb->s_inodes_per_group, from, &e2.ihint[g], &err);
		if (err < 0)
			return err;
		if (bit < 0)
			continue;
		e2.gd[g].bg_free_inodes_count--;
		if (dir)
			e2.gd[g].bg_used_dirs_count++;
		sb->s_free_inodes_count--;
		gd_write(g);
		sb_write(0);
		*out = base + bit;
		return 0;
	}
	return -ENOSPC;
}

static int ifree(u32 ino, int dir)
{
	u32 g = group_of_ino(ino);
	int r = bitmap_clear(e2.gd[g].bg_inode_bitmap, (ino - 1) % ext2.sb.s_inodes_per_group, &e2.ihint[g]);
	if (r < 0)
		return r;
	e2.gd[g].bg_free_inodes_count++;
	if (dir && e2.gd[g].bg_used_dirs_count)
		e2.gd[g].bg_used_dirs_count--;
	ext2.sb.s_free_inodes_count++;
	gd_write(g);
	sb_write(0);
	return 0;
}

/* --- inodes --- */

/* Where inode ino is: its block and byte offset. */
static u64 inode_pos(u64 ino, u32 *off)
{
	u32 g = group_of_ino(ino), idx = (ino - 1) % ext2.sb.s_inodes_per_group;
	u64 byte = (u64)idx * e2.isz;
	*off = byte % BSIZE;
	return e2.gd[g].bg_inode_table + byte / BSIZE;
}

/* The generic fields of ip into its disk inode, and that to the disk's
 * block (through the cache; sync: written now, for the order above). */
static int iupdate(struct inode *ip, int sync)
{
	struct ext2_inode *d = ip->e2d;
	d->i_mode = ip->type | ip->perm;
	d->i_uid = ip->uid & 0xffff;
	*(u16 *)(d->i_osd2 + 4) = ip->uid >> 16;
	d->i_links_count = ip->nlink;
	d->i_size = ip->size;
	d->i_size_high = ip->type == S_IFREG ? ip->size >> 32 : d->i_size_high;
	d->i_mtime = ip->mtime;
	if (ip->size >> 31 && !(ext2.sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
		ext2.sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		sb_write(0);
	}
	u32 off;
	struct buf *b;
	int r = bread_meta(inode_pos(ip->ino, &off), &b);
	if (r < 0)
		return r;
	memcpy(b->data + off, d, sizeof *d);
	r = bput(b, sync);
	return r;
}

static void iload(struct inode *ip)
{
	struct ext2_inode *d = ip->e2d;
	ip->type = d->i_mode & S_IFMT;
	ip->perm = d->i_mode & 07777;
	ip->uid = d->i_uid | (u32) * (u16 *)(d->i_osd2 + 4) << 16;
	ip->nlink = d->i_links_count;
	ip->size = d->i_size | (ip->type == S_IFREG ? (u64)d->i_size_high << 32 : 0);
	ip->mtime = d->i_mtime;
	if (ip->type == S_IFCHR) /* old encoding: major in bits 8..15 of i_block[0] */
		ip->major = d->i_block[0] ? (d->i_block[0] >> 8) & 0xff : (d->i_block[1] >> 8) & 0xfff;
}

static struct inode *inew(u64 ino, struct ext2_inode *d)
{
	struct inode *ip = kzalloc(sizeof *ip);
	if (!ip)
		return NULL;
	ip->fs = &e2.fs;
	ip->ino = ino;
	ip->e2d = d;
	ip->refs = 1;
	ip->e2next = e2.inodes;
	e2.inodes = ip;
	return ip;
}

/* Inode ino in memory, with a reference. */
static int iget(u64 ino, struct inode **out)
{
	for (struct inode *ip = e2.inodes; ip; ip = ip->e2next)
		if (ip->ino == ino) {
			ip->refs++;
			*out = ip;
			return 0;
		}
	if (ino < 1 || ino > ext2.sb.s_inodes_count)
		return corrupt("inode number %d out of range", ino, 0);
	struct ext2_inode *d = kzalloc(sizeof *d);
	if (!d)
		return -ENOMEM;
	u32 off;
	struct buf *b;
	int r = bread_meta(inode_pos(ino, &off), &b);
	if (r < 0) {
		kmfree(d);
		return r;
	}
	memcpy(d, b->data + off, sizeof *d);
	brelse(b);
	u32 t = d->i_mode & S_IFMT;
	if (d->i_links_count == 0 ||
	    (t != S_IFREG && t != S_IFDIR && t != S_IFLNK && t != S_IFCHR && t != 0060000 && t != S_IFIFO && t != 0140000)) {
		kmfree(d);
		return corrupt("a directory names inode %d, which is free or of type %p", ino, t);
	}
	struct inode *ip = inew(ino, d);
	if (!ip) {
		kmfree(d);
		return -ENOMEM;
	}
	iload(ip);
	if (ip->type == S_IFDIR && ip->size % BSIZE) {
		ip->size = ALIGN_DOWN(ip->size, BSIZE); /* read what whole blocks there are */
		corrupt("directory %d's size is not a whole number of blocks", ino, 0);
	}
	*out = ip;
	return 0;
}

static int is_fast_symlink(struct inode *ip)
{
	struct ext2_inode *d = ip->e2d;
	return ip->type == S_IFLNK && d->i_blocks == (d->i_file_acl ? BSIZE / 512 : 0);
}

/* --- block maps --- */

/* The disk block of file block fb, or 0 for a hole.  With alloc, holes
 * are filled (*fresh says so: its contents are not yet the file's). */
static int bmap(struct inode *ip, u64 fb, int alloc, u32 *out, int *fresh)
{
	struct ext2_inode *d = ip->e2d;
	u32 *slot;
	int level, r;
	if (fresh)
		*fresh = 0;
	if (fb < EXT2_NDIR_BLOCKS) {
		slot = &d->i_block[fb];
		level = 0;
	} else if ((fb -= EXT2_NDIR_BLOCKS) < NPTR) {
		slot = &d->i_block[12];
		level = 1;
	} else if ((fb -= NPTR) < (u64)NPTR * NPTR) {
		slot = &d->i_block[13];
		level = 2;
	} else if ((fb -= (u64)NPTR * NPTR) < (u64)NPTR * NPTR * NPTR) {
		slot = &d->i_block[14];
		level = 3;
	} else {
		return -EFBIG;
	}
	u32 blk = *slot;
	struct buf *b = NULL; /* the indirect block holding slot, or NULL: the inode */
	for (;;) {
		if (!blk) {
			if (!alloc) {
				if (b)
					brelse(b);
				*out = 0;
				return 0;
			}
			if ((r = balloc(ip, &blk)) < 0) {
				if (b)
					brelse(b);
				return r;
			}
			if (level > 0) { /* an indirect block: zeroed before it is linked */
				struct buf *z;
				if ((r = bgetblk(blk, &z)) < 0) {
					bfree(ip, blk);
					if (b)
						brelse(b);
					return r;
				}
				memset(z->data, 0, BSIZE);
				r = bwrite(z); /* on the disk before a pointer to it can be */
				brelse(z);
				if (r < 0) {
					bfree(ip, blk);
					if (b)
						brelse(b);
					return r;
				}
			} else if (fresh) {
				*fresh = 1;
			}
			*slot = blk;
			if (b)
				bdirty(b);
		}
		if (b)
			brelse(b);
		if (!blk_ok(blk))
			return corrupt("inode %d points at block %d, outside the file system", ip->ino, blk);
		if (level == 0) {
			*out = blk;
			return 0;
		}
		/* bread_meta: between two data blocks of a sequential read, an
		 * indirect block's read must not stop the cache's read-ahead */
		if ((r = bread_meta(blk, &b)) < 0)
			return r;
		u64 span = level == 3 ? (u64)NPTR * NPTR : level == 2 ? NPTR : 1;
		slot = (u32 *)b->data + (fb / span) % NPTR;
		level--;
		blk = *slot;
	}
}

static int trunc_blocks1(struct inode *ip, u64 from);

/* Free the blocks of the subtree at *slot (level 0: a data block) from
 * its block `from` on; the indirect block itself too if nothing stays. */
static int trunc_tree(struct inode *ip, u32 *slot, int level, u64 from)
{
	if (!*slot)
		return 0;
	if (level > 0) {
		struct buf *b;
		int r = bread_ok(*slot, &b);
		if (r < 0)
			return r;
		u32 *p = (u32 *)b->data;
		u64 span = level == 3 ? (u64)NPTR * NPTR : level == 2 ? NPTR : 1;
		for (u64 i = from / span; i < NPTR; i++) {
			if (p[i] && (r = trunc_tree(ip, &p[i], level - 1, i == from / span ? from % span : 0)) < 0)
				break;
		}
		int w = bwrite(b); /* the pointers gone on the disk before the blocks are reused */
		brelse(b);
		if (r < 0 || (r = w) < 0)
			return r;
	}
	if (from == 0) {
		int r = bfree(ip, *slot);
		*slot = 0;
		return r;
	}
	return 0;
}

/* Free every block of the file from file block `from` on.  If any went,
 * everything is written before the file system's lock is let go: the
 * cleared pointers are on the disk before another file can take a freed
 * block (else a crash could leave one block in two files). */
static int trunc_blocks(struct inode *ip, u64 from)
{
	struct ext2_inode *d = ip->e2d;
	u32 had = d->i_blocks;
	int r = trunc_blocks1(ip, from);
	if (d->i_blocks != had) {
		int r2 = iupdate(ip, 0);
		if (r2 == 0)
			r2 = bsync();
		r = r < 0 ? r : r2;
	}
	return r;
}

static int trunc_blocks1(struct inode *ip, u64 from)
{
	struct ext2_inode *d = ip->e2d;
	int r = 0;
	for (u64 i = from; i < EXT2_NDIR_BLOCKS && r == 0; i++)
		r = trunc_tree(ip, &d->i_block[i], 0, 0);
	u64 base = EXT2_NDIR_BLOCKS, span = NPTR;
	for (int level = 1; level <= 3 && r == 0; level++) {
		if (from < base + span)
			r = trunc_tree(ip, &d->i_block[11 + level], level, from > base ? from - base : 0);
		base += span;
		span *= NPTR;
	}
	return r;
}

/* --- file data --- */

static long e2_read(struct inode *ip, int user, u64 dst, u64 off, u64 n)
{
	if (is_fast_symlink(ip)) {
		struct ext2_inode *d = ip->e2d;
		if (off >= ip->size || ip->size > sizeof d->i_block)
			return 0;
		n = min(n, ip->size - off);
		memcpy((char *)dst, (char *)d->i_block + off, n);
		return n;
	}
	if (off >= ip->size)
		return 0;
	n = min(n, ip->size - off);
	u64 done = 0;
	while (done < n) {
		u64 pos = off + done, in = pos % BSIZE, chunk = min(n - done, BSIZE - in);
		u32 blk;
		int r = bmap(ip, pos / BSIZE, 0, &blk, NULL);
		struct buf *b = NULL;
		if (r == 0 && blk)
			r = bread(blk, &b);
		if (r < 0)
			return done ? (long)done : r;
		static const char zeros[BSIZE];
		const char *src = b ? (char *)b->data + in : zeros;
		if (user)
			r = __copy_to_user(dst + done, src, chunk);
		else
			memcpy((char *)dst + done, src, chunk);
		if (b)
			brelse(b);
		if (r < 0)
			return done ? (long)done : -EFAULT;
		done += chunk;
	}
	return done;
}

static long e2_write(struct inode *ip, int user, u64 src, u64 off, u64 n)
{
	int err = start_write();
	if (err < 0)
		return err;
	if (off + n < off || (off + n + BSIZE - 1) / BSIZE > EXT2_NDIR_BLOCKS + NPTR + (u64)NPTR * NPTR + (u64)NPTR * NPTR * NPTR)
		return -EFBIG;
	u64 done = 0;
	while (done < n) {
		u64 pos = off + done, in = pos % BSIZE, chunk = min(n - done, BSIZE - in);
		u32 blk;
		int fresh;
		struct buf *b;
		if ((err = bmap(ip, pos / BSIZE, 1, &blk, &fresh)) < 0)
			break;
		/* A block wholly overwritten, or new, need not be read. */
		err = fresh || chunk == BSIZE ? bgetblk(blk, &b) : bread(blk, &b);
		if (err < 0)
			break;
		if (fresh)
			memset(b->data, 0, BSIZE);
		if (user)
			err = __copy_from_user(b->data + in, src + done, chunk);
		else
			memcpy(b->data + in, (char *)src + done, chunk);
		if (err < 0 && !fresh && !(b->flags & B_VALID)) {
			brelse(b); /* never read, partly copied: not the block */
			err = -EFAULT;
			break;
		}
		bdirty(b);
		brelse(b);
		if (err < 0) {
			err = -EFAULT;
			break;
		}
		done += chunk;
		if (pos + chunk > ip->size)
			ip->size = pos + chunk;
	}
	/* Blocks allocated past the end by a failed write go again. */
	if (err < 0)
		trunc_blocks(ip, (ip->size + BSIZE - 1) / BSIZE);
	if (done)
		ip->mtime = now();
	iupdate(ip, 0);
	return done ? (long)done : err;
}

static int e2_truncate(struct inode *ip, u64 size)
{
	int r = start_write();
	if (r < 0)
		return r;
	if (is_fast_symlink(ip) || ip->type == S_IFCHR)
		return -EINVAL;
	if (size > (EXT2_NDIR_BLOCKS + NPTR + (u64)NPTR * NPTR + (u64)NPTR * NPTR * NPTR) * BSIZE)
		return -EFBIG;
	if (size < ip->size) {
		if (size % BSIZE) { /* the kept part of the last block: the rest zero */
			u32 blk;
			struct buf *b;
			if ((r = bmap(ip, size / BSIZE, 0, &blk, NULL)) == 0 && blk && (r = bread(blk, &b)) == 0) {
				memset(b->data + size % BSIZE, 0, BSIZE - size % BSIZE);
				bdirty(b);
				brelse(b);
			}
			if (r < 0)
				return r;
		}
		r = trunc_blocks(ip, (size + BSIZE - 1) / BSIZE);
	}
	int freed = size < ip->size;
	ip->size = size;
	ip->mtime = now();
	((struct ext2_inode *)ip->e2d)->i_ctime = now();
	int r2 = iupdate(ip, freed); /* freed blocks: no pointer to them left on the disk */
	return r < 0 ? r : r2;
}

/* --- directories --- */

/* Check the entry at off of a directory block. */
static struct ext2_dir_entry *dirent_at(struct inode *dp, struct buf *b, u32 off, int *err)
{
	struct ext2_dir_entry *de = (struct ext2_dir_entry *)(b->data + off);
	if (off + 8 > BSIZE || de->rec_len < 8 || de->rec_len % 4 || off + de->rec_len > BSIZE ||
	    (de->inode && 8 + de->name_len > de->rec_len)) {
		*err = corrupt("directory %d: bad entry (rec_len %d)", dp->ino, off + 8 > BSIZE ? 0 : de->rec_len);
		return NULL;
	}
	return de;
}

/* The entry named name in dp: its block (owned), offset, and the
 * offset of the entry before it in the block (-1: it is the first). */
static int dir_find(struct inode *dp, const char *name, u64 ino, struct buf **bp, u32 *offp, long *prevp)
{
	size_t len = name ? strlen(name) : 0;
	for (u64 fb = 0; fb < dp->size / BSIZE; fb++) {
		u32 blk;
		struct buf *b;
		int r = bmap(dp, fb, 0, &blk, NULL);
		if (r == 0 && !blk)
			r = corrupt("directory %d has a hole", dp->ino, 0);
		if (r < 0 || (r = bread(blk, &b)) < 0)
			return r;
		long prev = -1;
		for (u32 off = 0; off < BSIZE;) {
			struct ext2_dir_entry *de = dirent_at(dp, b, off, &r);
			if (!de) {
				brelse(b);
				return r;
			}
			int hit = name ? (de->inode && de->name_len == len && memcmp(de->name, name, len) == 0)
				       : (de->inode == ino && !(de->name_len <= 2 && de->name[0] == '.' &&
							      (de->name_len == 1 || de->name[1] == '.')));
			if (hit) {
				*bp = b;
				*offp = off;
				*prevp = prev;
				return 0;
			}
			prev = off;
			off += de->rec_len;
		}
		brelse(b);
	}
	return -ENOENT;
}

static u8 ftype(u32 type)
{
	switch (type) {
	case S_IFREG: return EXT2_FT_REG;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFCHR: return EXT2_FT_CHR;
	case S_IFLNK: return EXT2_FT_LNK;
	case S_IFIFO: return EXT2_FT_FIFO;
	}
	return EXT2_FT_UNKNOWN;
}

/* A change of a directory: it has no htree index any more (we do not
 * keep one), and its times move. */
static void dir_touch(struct inode *dp)
{
	struct ext2_inode *d = dp->e2d;
	d->i_flags &= ~EXT2_INDEX_FL;
	dp->mtime = d->i_ctime = now();
}

/* Add entry name -> ino to dp: in the first gap big enough, or in a new
 * block at the end.  sync: the block is written now (rename's new name
 * is on the disk before the old one goes). */
static int dir_add(struct inode *dp, const char *name, u64 ino, u32 type, int sync)
{
	size_t len = strlen(name);
	u32 need = DIRENT_LEN(len);
	if (len > 255)
		return -ENAMETOOLONG;
	int r;
	struct buf *b;
	struct ext2_dir_entry *de = NULL;
	u64 fb;
	for (fb = 0; fb < dp->size / BSIZE && !de; fb++) {
		u32 blk;
		r = bmap(dp, fb, 0, &blk, NULL);
		if (r == 0 && !blk)
			r = corrupt("directory %d has a hole", dp->ino, 0);
		if (r < 0 || (r = bread(blk, &b)) < 0)
			return r;
		for (u32 off = 0; off < BSIZE;) {
			struct ext2_dir_entry *e = dirent_at(dp, b, off, &r);
			if (!e) {
				brelse(b);
				return r;
			}
			u32 used = e->inode ? DIRENT_LEN(e->name_len) : 0;
			if (e->rec_len - used >= need) {
				if (used) { /* split: the new entry takes the slack */
					de = (struct ext2_dir_entry *)((u8 *)e + used);
					de->rec_len = e->rec_len - used;
					e->rec_len = used;
				} else {
					de = e;
				}
				break;
			}
			off += e->rec_len;
		}
		if (!de)
			brelse(b);
	}
	if (!de) { /* a new block */
		u32 blk;
		int fresh;
		if ((r = bmap(dp, dp->size / BSIZE, 1, &blk, &fresh)) < 0)
			return r;
		if ((r = bgetblk(blk, &b)) < 0)
			return r;
		memset(b->data, 0, BSIZE);
		de = (struct ext2_dir_entry *)b->data;
		de->rec_len = BSIZE;
		dp->size += BSIZE;
		sync = 1; /* the block holds entries before the size says it is there */
	}
	de->inode = ino;
	de->name_len = len;
	de->file_type = e2.filetype ? ftype(type) : 0;
	memcpy(de->name, name, len);
	r = bput(b, sync);
	dir_touch(dp);
	int r2 = iupdate(dp, sync);
	return r < 0 ? r : r2;
}

/* Remove the entry at off (found by dir_find, b owned) and write the
 * block now: the name is gone on the disk before its inode is freed. */
static int dir_remove(struct inode *dp, struct buf *b, u32 off, long prev)
{
	struct ext2_dir_entry *de = (struct ext2_dir_entry *)(b->data + off);
	if (prev >= 0)
		((struct ext2_dir_entry *)(b->data + prev))->rec_len += de->rec_len;
	else
		de->inode = 0;
	int r = bwrite(b);
	brelse(b);
	dir_touch(dp);
	int r2 = iupdate(dp, 0);
	return r < 0 ? r : r2;
}

/* Is directory dp empty but for "." and ".."? 1, 0 or -errno. */
static int dir_empty(struct inode *dp)
{
	for (u64 fb = 0; fb < dp->size / BSIZE; fb++) {
		u32 blk;
		struct buf *b;
		int r = bmap(dp, fb, 0, &blk, NULL);
		if (r < 0 || !blk || (r = bread(blk, &b)) < 0)
			return r < 0 ? r : -EIO;
		for (u32 off = 0; off < BSIZE;) {
			struct ext2_dir_entry *de = dirent_at(dp, b, off, &r);
			if (!de) {
				brelse(b);
				return r;
			}
			if (de->inode && !(de->name_len <= 2 && de->name[0] == '.' && (de->name_len == 1 || de->name[1] == '.'))) {
				brelse(b);
				return 0;
			}
			off += de->rec_len;
		}
		brelse(b);
	}
	return 1;
}

/* Point entry name of dp at ino (rename over a name, a moved ".."). */
static int dir_set(struct inode *dp, const char *name, u64 ino, u32 type, int sync)
{
	struct buf *b;
	u32 off;
	long prev;
	int r = dir_find(dp, name, 0, &b, &off, &prev);
	if (r < 0)
		return r;
	struct ext2_dir_entry *de = (struct ext2_dir_entry *)(b->data + off);
	de->inode = ino;
	de->file_type = e2.filetype ? ftype(type) : 0;
	r = bput(b, sync);
	dir_touch(dp);
	int r2 = iupdate(dp, 0);
	return r < 0 ? r : r2;
}

/* --- the operations --- */

static void e2_lock(struct fs *fs)
{
	(void)fs;
	acquiresleep(&e2.lock);
}

static void e2_unlock(struct fs *fs)
{
	(void)fs;
	releasesleep(&e2.lock);
}

static void e2_put(struct inode *ip);

static void e2_iput(struct inode *ip)
{
	if (--ip->refs == 0)
		e2_put(ip);
}

static int e2_lookup(struct inode *dp, const char *name, struct inode **out)
{
	if (strcmp(name, ".") == 0) {
		dp->refs++;
		*out = dp;
		return 0;
	}
	struct buf *b;
	u32 off;
	long prev;
	int r = dir_find(dp, name, 0, &b, &off, &prev);
	if (r < 0)
		return r;
	u32 ino = ((struct ext2_dir_entry *)(b->data + off))->inode;
	brelse(b);
	return iget(ino, out);
}

/* A new inode of the given type, initialised and on the disk (a
 * directory with its first block holding "." and ".."), not yet named. */
static int newinode(struct inode *dp, u32 type, u32 perm, u32 major, struct inode **out)
{
	int r = start_write();
	if (r < 0)
		return r;
	if (type == S_IFDIR && dp->nlink >= link_max())
		return -EMLINK;
	u32 ino;
	struct ext2_inode *d = kzalloc(sizeof *d);
	if (!d)
		return -ENOMEM;
	if ((r = ialloc(group_of_ino(dp->ino), type == S_IFDIR, &ino)) < 0) {
		kmfree(d);
		return r;
	}
	struct inode *ip = inew(ino, d);
	if (!ip) {
		ifree(ino, type == S_IFDIR);
		kmfree(d);
		return -ENOMEM;
	}
	struct proc *p = myproc();
	ip->type = type;
	ip->perm = perm & 07777;
	ip->uid = p ? p->uid : 0;
	ip->nlink = type == S_IFDIR ? 2 : 1;
	ip->mtime = d->i_atime = d->i_ctime = now();
	if (type == S_IFCHR) {
		ip->major = major;
		d->i_block[0] = major << 8;
	}
	/* The rest of a large disk inode (past the 128 bytes we keep) is zeroed. */
	u32 off;
	struct buf *b;
	if ((r = bread_meta(inode_pos(ino, &off), &b)) == 0) {
		memset(b->data + off, 0, e2.isz);
		bdirty(b);
		brelse(b);
	}
	if (r == 0 && type == S_IFDIR) {
		u32 blk;
		int fresh;
		if ((r = bmap(ip, 0, 1, &blk, &fresh)) == 0 && (r = bgetblk(blk, &b)) == 0) {
			memset(b->data, 0, BSIZE);
			struct ext2_dir_entry *de = (struct ext2_dir_entry *)b->data;
			de->inode = ino;
			de->rec_len = 12;
			de->name_len = 1;
			de->file_type = e2.filetype ? EXT2_FT_DIR : 0;
			de->name[0] = '.';
			de = (struct ext2_dir_entry *)(b->data + 12);
			de->inode = dp->ino;
			de->rec_len = BSIZE - 12;
			de->name_len = 2;
			de->file_type = e2.filetype ? EXT2_FT_DIR : 0;
			de->name[0] = de->name[1] = '.';
			r = bwrite(b);
			brelse(b);
			ip->size = BSIZE;
		}
	}
	if (r < 0) {
		ip->nlink = 0; /* e2_put frees what it has */
		e2_iput(ip);
		return r;
	}
	*out = ip;
	return 0;
}

/* Name a new inode in dp; undone if the entry cannot be added. */
static int name_new(struct inode *dp, const char *name, struct inode *ip, struct inode **out)
{
	/* A file's (empty) inode on the disk before its name, and the name
	 * before any data; a directory (not empty: its first block) after its
	 * name.  e2fsck -p clears an empty unnamed inode or a name of a free
	 * one, but asks about an unnamed inode that holds data. */
	int dir = ip->type == S_IFDIR;
	int r = dir ? 0 : iupdate(ip, 1);
	if (r == 0)
		r = dir_add(dp, name, ip->ino, ip->type, 1);
	if (r == 0 && dir)
		r = iupdate(ip, 1);
	if (r < 0) {
		ip->nlink = 0;
		e2_iput(ip);
		return r;
	}
	if (ip->type == S_IFDIR) { /* the new ".." */
		dp->nlink++;
		iupdate(dp, 0);
	}
	if (out)
		*out = ip;
	else
		e2_iput(ip);
	return 0;
}

static int e2_create(struct inode *dp, const char *name, u32 type, u32 perm, u32 major, struct inode **out)
{
	struct inode *ip;
	if (strlen(name) > 255)
		return -ENAMETOOLONG;
	int r = newinode(dp, type, perm, major, &ip);
	return r < 0 ? r : name_new(dp, name, ip, out);
}

static int e2_symlink(struct inode *dp, const char *name, const char *target)
{
	struct inode *ip;
	size_t len = strlen(target);
	if (strlen(name) > 255)
		return -ENAMETOOLONG;
	int r = newinode(dp, S_IFLNK, 0777, 0, &ip);
	if (r < 0)
		return r;
	struct ext2_inode *d = ip->e2d;
	if (len < sizeof d->i_block) { /* a fast link: the target in i_block */
		memcpy(d->i_block, target, len);
		ip->size = len;
	} else if ((r = e2_write(ip, 0, (u64)target, 0, len)) != (long)len) {
		ip->nlink = 0;
		e2_iput(ip);
		return r < 0 ? r : -ENOSPC;
	}
	return name_new(dp, name, ip, NULL);
}

static int e2_link(struct inode *dp, const char *name, struct inode *ip)
{
	int r = start_write();
	if (r < 0)
		return r;
	if (ip->nlink >= link_max())
		return -EMLINK;
	if (strlen(name) > 255)
		return -ENAMETOOLONG;
	/* The count first: a crash leaves it one too high, never too low. */
	ip->nlink++;
	((struct ext2_inode *)ip->e2d)->i_ctime = now();
	if ((r = iupdate(ip, 1)) == 0 && (r = dir_add(dp, name, ip->ino, ip->type, 0)) == 0)
		return 0;
	ip->nlink--;
	iupdate(ip, 0);
	return r;
}

static int e2_unlink(struct inode *dp, const char *name, int dir)
{
	int r = start_write();
	if (r < 0)
		return r;
	struct inode *ip;
	if ((r = e2_lookup(dp, name, &ip)) < 0)
		return r;
	if (dir && ip->type != S_IFDIR)
		r = -ENOTDIR;
	else if (!dir && ip->type == S_IFDIR)
		r = -EISDIR;
	else if (dir && (r = dir_empty(ip)) <= 0)
		r = r < 0 ? r : -ENOTEMPTY;
	else
		r = 0;
	if (r == 0 && (r = fs_permission(dp, 3)) == 0 && (r = sticky_permission(dp, ip)) == 0) {
		struct buf *b;
		u32 off, was = ip->nlink;
		long prev;
		/* The count down on the disk before the name goes: a crash
		 * between leaves a count too low or a name of a deleted inode
		 * (e2fsck -p fixes both), never an unnamed inode with data. */
		ip->nlink = dir ? 0 : ip->nlink - 1; /* a directory: its name and its "." */
		((struct ext2_inode *)ip->e2d)->i_ctime = now();
		if ((r = iupdate(ip, 1)) == 0 && (r = dir_find(dp, name, 0, &b, &off, &prev)) == 0 &&
		    (r = dir_remove(dp, b, off, prev)) == 0 && dir) {
			dp->nlink--; /* its ".." */
			iupdate(dp, 0);
		}
		if (r < 0) {
			ip->nlink = was;
			iupdate(ip, 0);
		}
	}
	e2_iput(ip); /* the last reference frees it (e2_put) */
	return r;
}

/* Is directory a inside directory ip (or ip itself)?  Up through "..". */
static int inside(struct inode *a, struct inode *ip)
{
	u64 ino = a->ino;
	for (int depth = 0; depth < 4096; depth++) {
		if (ino == ip->ino)
			return 1;
		if (ino == EXT2_ROOT_INO)
			return 0;
		struct inode *d, *up;
		int r = iget(ino, &d);
		if (r < 0)
			return r;
		r = e2_lookup(d, "..", &up);
		e2_iput(d);
		if (r < 0)
			return r;
		ino = up->ino;
		e2_iput(up);
	}
	return corrupt("directory %d: a loop of \"..\"", a->ino, 0);
}

static int e2_rename(struct inode *odp, const char *oname, struct inode *ndp, const char *nname)
{
	int r = start_write();
	if (r < 0)
		return r;
	if (strlen(nname) > 255)
		return -ENAMETOOLONG;
	struct inode *ip, *victim = NULL;
	if ((r = e2_lookup(odp, oname, &ip)) < 0)
		return r;
	if ((r = sticky_permission(odp, ip)) < 0)
		goto out;
	if (ip->type == S_IFDIR && (r = inside(ndp, ip)) != 0) {
		r = r < 0 ? r : -EINVAL; /* not into its own subtree */
		goto out;
	}
	r = e2_lookup(ndp, nname, &victim);
	if (r == -ENOENT) {
		victim = NULL;
	} else if (r < 0) {
		goto out;
	} else if (victim == ip) {
		r = 0; /* the same file: nothing to do */
		goto out;
	} else if ((r = sticky_permission(ndp, victim)) < 0) {
		goto out;
	} else if (victim->type == S_IFDIR && ip->type != S_IFDIR) {
		r = -EISDIR;
		goto out;
	} else if (victim->type != S_IFDIR && ip->type == S_IFDIR) {
		r = -ENOTDIR;
		goto out;
	} else if (victim->type == S_IFDIR && (r = dir_empty(victim)) <= 0) {
		r = r < 0 ? r : -ENOTEMPTY;
		goto out;
	}
	int moves = ip->type == S_IFDIR && odp != ndp;
	if (moves && !victim && ndp->nlink >= link_max()) {
		r = -EMLINK;
		goto out;
	}
	/* The count up first (as link() does), then the new name, then the
	 * old name goes: a crash between leaves two names or a count one too
	 * high, never a file without a name. */
	ip->nlink++;
	if ((r = iupdate(ip, 1)) < 0) {
		ip->nlink--;
		goto out;
	}
	u32 vwas = victim ? victim->nlink : 0;
	if (victim) { /* its count down on the disk before its name goes, as in unlink */
		victim->nlink = victim->type == S_IFDIR ? 0 : victim->nlink - 1;
		((struct ext2_inode *)victim->e2d)->i_ctime = now();
		r = iupdate(victim, 1);
	}
	if (r == 0)
		r = victim ? dir_set(ndp, nname, ip->ino, ip->type, 1) : dir_add(ndp, nname, ip->ino, ip->type, 1);
	if (r < 0) {
		ip->nlink--;
		iupdate(ip, 0);
		if (victim) {
			victim->nlink = vwas;
			iupdate(victim, 0);
		}
		goto out;
	}
	if (victim && victim->type == S_IFDIR)
		ndp->nlink--; /* the victim's ".." */
	struct buf *b;
	u32 off;
	long prev;
	if ((r = dir_find(odp, oname, 0, &b, &off, &prev)) == 0)
		r = dir_remove(odp, b, off, prev);
	ip->nlink--;
	if (r == 0 && moves) { /* its ".." now names the new parent */
		r = dir_set(ip, "..", ndp->ino, S_IFDIR, 0);
		odp->nlink--;
		ndp->nlink++;
	}
	((struct ext2_inode *)ip->e2d)->i_ctime = now();
	iupdate(ip, 0);
	iupdate(odp, 0);
	iupdate(ndp, 0);
out:
	if (victim)
		e2_iput(victim);
	e2_iput(ip);
	return r;
}

static u32 ft_to_type(u8 ft)
{
	static const u32 t[] = { 0, S_IFREG, S_IFDIR, S_IFCHR, 0060000, S_IFIFO, 0140000, S_IFLNK };
	return ft < nelem(t) ? t[ft] : 0;
}

/* Entries from byte *off of the directory as struct kdirent. */
static int e2_getdents(struct inode *dp, u64 *off, u64 ubuf, u64 n)
{
	char rec[sizeof(struct kdirent) + NAME_MAX + 8];
	u64 used = 0;
	int more = 0, r = 0;
	while (*off < dp->size && !more) {
		u64 fb = *off / BSIZE;
		u32 blk;
		struct buf *b;
		if ((r = bmap(dp, fb, 0, &blk, NULL)) < 0 || (r = bread_ok(blk, &b)) < 0)
			break;
		u32 o = 0;
		while (o < BSIZE) {
			struct ext2_dir_entry *de = dirent_at(dp, b, o, &r);
			if (!de)
				break;
			u64 pos = fb * BSIZE + o;
			if (pos >= *off && de->inode) {
				struct kdirent *k = (struct kdirent *)rec;
				k->reclen = ALIGN_UP(sizeof *k + de->name_len + 1, 8);
				if (used + k->reclen > n) {
					more = 1;
					break;
				}
				k->ino = de->inode;
				k->type = e2.filetype ? ft_to_type(de->file_type) >> 12 : 0;
				memcpy(k->name, de->name, de->name_len);
				k->name[de->name_len] = 0;
				if (copy_to_user(ubuf + used, k, k->reclen) < 0) {
					r = -EFAULT;
					break;
				}
				used += k->reclen;
			}
			o += de->rec_len;
			if (pos >= *off)
				*off = fb * BSIZE + o;
		}
		brelse(b);
		if (r < 0)
			break;
		if (!more)
			*off = (fb + 1) * BSIZE;
	}
	if (used)
		return used;
	if (r < 0)
		return r;
	return more ? -EINVAL : 0; /* -EINVAL: the buffer is too small for one entry */
}

static int e2_nameof(struct inode *dp, struct inode *ip, char *name)
{
	struct buf *b;
	u32 off;
	long prev;
	int r = dir_find(dp, NULL, ip->ino, &b, &off, &prev);
	if (r < 0)
		return r;
	struct ext2_dir_entry *de = (struct ext2_dir_entry *)(b->data + off);
	memcpy(name, de->name, de->name_len);
	name[de->name_len] = 0;
	brelse(b);
	return 0;
}

static void e2_stat(struct inode *ip, struct kstat *st)
{
	st->ino = ip->ino;
	st->mode = ip->type | ip->perm;
	st->nlink = ip->nlink;
	st->uid = ip->uid;
	st->rdev = ip->major;
	st->size = ip->size;
	st->mtime_ns = (long)ip->mtime * 1000000000L;
}

static int e2_update(struct inode *ip)
{
	int r = start_write();
	if (r < 0)
		return r;
	((struct ext2_inode *)ip->e2d)->i_ctime = now();
	return iupdate(ip, 0);
}

static int e2_fsync(struct inode *ip)
{
	(void)ip;
	return bsync();
}

/* The last reference went: an inode without names is freed now, its
 * blocks first, then the inode (dtime set, written), then its bit. */
static void e2_put(struct inode *ip)
{
	struct ext2_inode *d = ip->e2d;
	if (ip->nlink == 0 && e2.mounted && !e2.ro) {
		if (!is_fast_symlink(ip) && ip->type != S_IFCHR)
			trunc_blocks(ip, 0);
		ip->size = 0;
		/* Below s_inodes_count a dtime reads as a link of ext3's
		 * orphan list (e2fsck then complains): only the placeholder
		 * clock (0) can be that low. */
		d->i_dtime = max(now(), ext2.sb.s_inodes_count);
		if (iupdate(ip, 1) == 0)
			ifree(ip->ino, ip->type == S_IFDIR);
	}
	for (struct inode **pp = &e2.inodes; *pp; pp = &(*pp)->e2next)
		if (*pp == ip) {
			*pp = ip->e2next;
			break;
		}
	kmfree(d);
	kmfree(ip);
}

static const struct fs_ops ext2_ops = {
	.type = "ext2",
	.lock = e2_lock,
	.unlock = e2_unlock,
	.lookup = e2_lookup,
	.create = e2_create,
	.link = e2_link,
	.unlink = e2_unlink,
	.rename = e2_rename,
	.symlink = e2_symlink,
	.read = e2_read,
	.write = e2_write,
	.truncate = e2_truncate,
	.getdents = e2_getdents,
	.nameof = e2_nameof,
	.stat = e2_stat,
	.update = e2_update,
	.fsync = e2_fsync,
	.put = e2_put,
	.page = NULL, /* exec copies: a cache block is not a page a program may keep */
};

/* --- mount and unmount --- */

int ext2_mount(struct inode **root)
{
	if (!ext2.ok)
		return -EINVAL;
	if (ext2.block_size != BSIZE) {
		kprintf("ext2: /dev/vda not mounted: block size %d, only %d is (mke2fs -b %d)\n", (int)ext2.block_size,
			BSIZE, BSIZE);
		return -EINVAL;
	}
	e2.isz = ext2.sb.s_inode_size;
	e2.gd = kzalloc(ext2.groups * (sizeof *e2.gd + 2 * sizeof(u32)));
	if (!e2.gd)
		return -ENOMEM;
	e2.bhint = (u32 *)(e2.gd + ext2.groups); /* zero: nothing known yet */
	e2.ihint = e2.bhint + ext2.groups;
	for (u32 g = 0; g < ext2.groups; g++) {
		u64 off = (u64)g * sizeof *e2.gd;
		struct buf *b;
		int r = bread(ext2.sb.s_first_data_block + 1 + off / BSIZE, &b);
		if (r < 0) {
			kmfree(e2.gd);
			return r;
		}
		memcpy(&e2.gd[g], b->data + off % BSIZE, sizeof *e2.gd);
		brelse(b);
	}
	u32 known_ro = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
	e2.ro = disk_readonly || (ext2.sb.s_feature_ro_compat & ~known_ro) || (ext2.sb.s_state & EXT2_ERROR_FS);
	e2.filetype = !!(ext2.sb.s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE);
	e2.dirty = 0;
	e2.fs.ops = &ext2_ops;
	e2.fs.dev = 2;
	e2.mounted = 1;
	acquiresleep(&e2.lock);
	int r = iget(EXT2_ROOT_INO, root);
	if (r == 0 && (*root)->type != S_IFDIR) {
		e2_iput(*root);
		r = corrupt("the root inode is not a directory", 0, 0);
	}
	releasesleep(&e2.lock);
	if (r < 0) {
		e2.mounted = 0;
		kmfree(e2.gd);
		kprintf("ext2: /dev/vda not mounted\n");
		return r;
	}
	if (e2.ro && !params.quiet)
		kprintf("ext2: /dev/vda mounted read-only (%s)\n",
			disk_readonly ? "read-only disk" : ext2.sb.s_state & EXT2_ERROR_FS ? "has errors" : "features");
	return 0;
}

/* At poweroff (or when the disk is not the root after all): the
 * superblock says "clean" again and everything is written.  The file
 * system is read-only after. */
void ext2_unmount(void)
{
	if (!e2.mounted)
		return;
	acquiresleep(&e2.lock);
	if (e2.dirty) {
		ext2.sb.s_state |= EXT2_VALID_FS;
		sb_write(0);
		bsync();
		e2.dirty = 0;
	}
	e2.ro = 1;
	releasesleep(&e2.lock);
}
