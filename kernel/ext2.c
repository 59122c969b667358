/* ext2.c: the ext2 file system on the disk; for now the superblock only.
 * At boot it is read through the buffer cache and checked; a bad one is
 * refused with a message, never a panic.
 */
#include "kernel.h"
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

/* Not yet: the root stays in RAM. */
int ext2_mount(struct inode **root)
{
	(void)root;
	return -ENOSYS;
}

void ext2_unmount(void) {}
