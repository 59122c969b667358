/* elf.h: the parts of the ELF format that exec reads. */
#ifndef ELF_H
#define ELF_H

#include "types.h"

#define ELF_MAGIC 0x464c457fu /* "\x7fELF" little-endian */
/* e_machine: ELF_MACHINE, the arch's (machine.h) */
#define ET_EXEC 2
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elfhdr {
	u32 magic;
	u8 class, data, version, osabi, abiversion, pad[7];
	u16 type, machine;
	u32 version2;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct proghdr {
	u32 type, flags;
	u64 off, vaddr, paddr, filesz, memsz, align;
};

#endif
