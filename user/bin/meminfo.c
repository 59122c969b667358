/* meminfo.c: where the machine's pages are, from the meminfo system call.
 * One "name: pages" line each; free + cached comes back after a workload.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "trapdoor.h"

static void line(const char *name, unsigned long pages, unsigned long psz, const char *what)
{
	printf("%-8s %8lu pages %8lu KiB  %s\n", name, pages, pages * psz / 1024, what);
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: meminfo\n");
		return 1;
	}
	struct kmeminfo mi;
	if (meminfo(&mi) < 0) {
		fprintf(stderr, "meminfo: %s\n", strerror(errno));
		return 1;
	}
	unsigned long psz = mi.page_size;
	line("total:", mi.total_pages, psz, "RAM");
	line("free:", mi.free_pages, psz, "can be allocated now");
	line("files:", mi.file_pages, psz, "file data and index pages");
	line("fsmeta:", mi.fsmeta_pages, psz, "inodes, names, directory hashes");
	line("fsmax:", mi.fs_max_pages, psz, "files + fsmeta may reach this (fsmax=)");
	line("heap:", mi.heap_pages, psz, "kernel heap: PCBs, inodes, open files, pipes");
	line("cached:", mi.cached_pages, psz, "kept for reuse (trace rings, disk blocks)");
	printf("%lu processes on %lu hart%s\n", mi.nproc, mi.ncpu, mi.ncpu == 1 ? "" : "s");
	return 0;
}
