/* ext2.h: the ext2 on-disk format (revision 1), little-endian throughout.
 * Written from the format's description; sizes are checked below.
 */
#ifndef EXT2_H
#define EXT2_H

#include "types.h"

#define EXT2_MAGIC 0xEF53
#define EXT2_SUPER_OFFSET 1024 /* bytes from the start of the disk */
#define EXT2_DYNAMIC_REV 1     /* revision 1: variable inode size, features */
#define EXT2_VALID_FS 1        /* s_state: unmounted cleanly */
#define EXT2_ERROR_FS 2        /* s_state: errors detected */
#define EXT2_ROOT_INO 2

/* Incompatible features: a driver must refuse what it does not know. */
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002 /* file type in dir entries */
/* Compatible features we keep right: htree directories (an indexed
 * directory we change loses its index flag, and is a plain one). */
#define EXT2_FEATURE_COMPAT_DIR_INDEX 0x0020
#define EXT2_INDEX_FL 0x1000 /* i_flags: the directory has an htree index */
/* Read-only compatible: unknown ones allow reading only. */
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002

struct ext2_super_block {
	u32 s_inodes_count;
	u32 s_blocks_count;
	u32 s_r_blocks_count; /* reserved for the superuser */
	u32 s_free_blocks_count;
	u32 s_free_inodes_count;
	u32 s_first_data_block; /* 1 with 1 KiB blocks, else 0 */
	u32 s_log_block_size;   /* block size = 1024 << this */
	u32 s_log_frag_size;
	u32 s_blocks_per_group;
	u32 s_frags_per_group;
	u32 s_inodes_per_group;
	u32 s_mtime, s_wtime; /* last mount, last write */
	u16 s_mnt_count;
	s16 s_max_mnt_count;
	u16 s_magic;
	u16 s_state;
	u16 s_errors;
	u16 s_minor_rev_level;
	u32 s_lastcheck, s_checkinterval;
	u32 s_creator_os;
	u32 s_rev_level;
	u16 s_def_resuid, s_def_resgid;
	/* revision 1 */
	u32 s_first_ino;
	u16 s_inode_size;
	u16 s_block_group_nr;
	u32 s_feature_compat, s_feature_incompat, s_feature_ro_compat;
	u8 s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	u32 s_algo_bitmap;
	u8 s_prealloc_blocks, s_prealloc_dir_blocks;
	u16 s_padding1;
	u8 s_journal_uuid[16];
	u32 s_journal_inum, s_journal_dev, s_last_orphan;
	u32 s_hash_seed[4];
	u8 s_def_hash_version;
	u8 s_reserved_char_pad;
	u16 s_reserved_word_pad;
	u32 s_default_mount_opts;
	u32 s_first_meta_bg;
	u32 s_reserved[190];
};

/* One per block group, in the blocks after the superblock's. */
struct ext2_group_desc {
	u32 bg_block_bitmap;
	u32 bg_inode_bitmap;
	u32 bg_inode_table;
	u16 bg_free_blocks_count;
	u16 bg_free_inodes_count;
	u16 bg_used_dirs_count;
	u16 bg_pad;
	u32 bg_reserved[3];
};

#define EXT2_NDIR_BLOCKS 12 /* i_block[12..14]: single, double, triple indirect */
#define EXT2_N_BLOCKS 15

struct ext2_inode {
	u16 i_mode;
	u16 i_uid;
	u32 i_size;
	u32 i_atime, i_ctime, i_mtime, i_dtime;
	u16 i_gid;
	u16 i_links_count;
	u32 i_blocks; /* in 512-byte units */
	u32 i_flags;
	u32 i_osd1;
	u32 i_block[EXT2_N_BLOCKS];
	u32 i_generation;
	u32 i_file_acl;
	u32 i_size_high; /* i_dir_acl in revision 0 */
	u32 i_faddr;
	u8 i_osd2[12];
};

struct ext2_dir_entry {
	u32 inode;
	u16 rec_len; /* to the next entry: 4-aligned, within the block */
	u8 name_len;
	u8 file_type;
	char name[];
};

/* file_type in a directory entry (with the filetype feature) */
enum { EXT2_FT_UNKNOWN, EXT2_FT_REG, EXT2_FT_DIR, EXT2_FT_CHR, EXT2_FT_BLK, EXT2_FT_FIFO, EXT2_FT_SOCK, EXT2_FT_LNK };

_Static_assert(sizeof(struct ext2_super_block) == 1024, "superblock is 1 KiB");
_Static_assert(sizeof(struct ext2_group_desc) == 32, "group descriptor is 32 bytes");
_Static_assert(sizeof(struct ext2_inode) == 128, "revision-0 inode is 128 bytes");

/* What ext2_check learnt, for the mount to come. */
struct ext2_info {
	int ok;
	u32 block_size, groups, gdt_blocks;
	struct ext2_super_block sb;
};
extern struct ext2_info ext2;

#endif
