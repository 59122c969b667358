/* mmap.c: anonymous memory mappings (mmap, munmap, mprotect).
 * Regions of zero-filled pages between the heap's maximum and the stack.
 *
 * An address space's mappings are a list of regions (struct vma: start,
 * end, protection), sorted by address, neighbours with the same
 * protection merged.  Every operation walks the list, O(n) in the number
 * of regions: simple, and cheap at the few dozen a process has here (a
 * kernel with thousands per process would use a balanced tree, as Linux
 * does).  VMA_MAX bounds the list, as Linux's vm.max_map_count does.
 * mmap only records a region; vm_fault gives it a zeroed page at the
 * first touch of each page (demand paging).  munmap and mprotect work on
 * any page range, splitting regions at its ends.
 */
#include "kernel.h"
#include "proc.h"
#include "syscall.h"

#define VMA_MAX 4096 /* regions per address space */

/* The VM_* bits for prot.  The hardware has no write-only pages: a
 * writable page is readable too.  PROT_NONE has no bits (see pte_none). */
u64 prot_vm(int prot)
{
	u64 perm = 0;
	if (prot & (PROT_READ | PROT_WRITE))
		perm |= VM_R;
	if (prot & PROT_WRITE)
		perm |= VM_W;
	if (prot & PROT_EXEC)
		perm |= VM_X;
	return perm;
}

/* The region holding va, or NULL. */
struct vma *vma_find(struct vmspace *vm, u64 va)
{
	for (struct vma *v = vm->vmas; v && v->lo <= va; v = v->next)
		if (va < v->hi)
			return v;
	return NULL;
}

/* Is [lo, lo + len) inside the mmap area? */
static int in_area(struct vmspace *vm, u64 lo, u64 len)
{
	return lo >= mmap_base(vm) && lo < MMAP_TOP && len <= MMAP_TOP - lo;
}

/* Bytes of [lo, hi) that regions cover. */
static u64 mapped_in(struct vmspace *vm, u64 lo, u64 hi)
{
	u64 n = 0;
	for (struct vma *v = vm->vmas; v && v->lo < hi; v = v->next)
		if (v->hi > lo)
			n += min(v->hi, hi) - max(v->lo, lo);
	return n;
}

/* How many regions cutting the list at lo and at hi would add. */
static int splits(struct vmspace *vm, u64 lo, u64 hi)
{
	struct vma *a = vma_find(vm, lo), *b = vma_find(vm, hi);
	return (a && a->lo < lo) + (b && b->lo < hi);
}

/* The highest free gap of len bytes in the mmap area: its start, or 0.
 * Top down, as Linux does, so mappings grow towards the heap. */
static u64 find_gap(struct vmspace *vm, u64 len)
{
	u64 prev = mmap_base(vm), best = 0;
	for (struct vma *v = vm->vmas;; v = v->next) {
		u64 end = v ? v->lo : MMAP_TOP;
		if (end > prev && end - prev >= len)
			best = end - len;
		if (!v)
			return best;
		prev = max(prev, v->hi);
	}
}

/* Region structs are allocated before the lock is taken and before
 * anything changes, so that an operation either fails at once with
 * -ENOMEM or completes.  The most any needs is three: MAP_FIXED into the
 * middle of a region splits it at both ends and adds itself. */
#define NSPARE 3
struct spares {
	struct vma *v[NSPARE];
};
static void spares_put(struct spares *s)
{
	for (int i = 0; i < NSPARE; i++)
		kmfree(s->v[i]);
}
static int spares_get(struct spares *s)
{
	int ok = 1;
	for (int i = 0; i < NSPARE; i++)
		ok &= (s->v[i] = kmalloc(sizeof(struct vma))) != NULL;
	if (ok)
		return 0;
	spares_put(s);
	return -ENOMEM;
}
static struct vma *spare(struct spares *s)
{
	for (int i = 0; i < NSPARE; i++) {
		struct vma *v = s->v[i];
		if (v) {
			s->v[i] = NULL;
			return v;
		}
	}
	panic("mmap: more regions needed than allocated");
}

/* Make va a region boundary: split the region va is inside of. */
static void vma_split(struct vmspace *vm, u64 va, struct spares *s)
{
	struct vma *v = vma_find(vm, va);
	if (!v || v->lo == va)
		return;
	struct vma *n = spare(s);
	*n = (struct vma){ va, v->hi, v->prot, v->next };
	v->hi = va;
	v->next = n;
	vm->nvma++;
}

/* Merge neighbours that touch and have the same protection. */
static void vma_merge(struct vmspace *vm)
{
	struct vma *v = vm->vmas;
	while (v && v->next) {
		struct vma *n = v->next;
		if (v->hi == n->lo && v->prot == n->prot) {
			v->hi = n->hi;
			v->next = n->next;
			kmfree(n);
			vm->nvma--;
		} else {
			v = n;
		}
	}
}

/* Take [lo, hi) out of the regions; its pages are unmapped already. */
static void vma_cut(struct vmspace *vm, u64 lo, u64 hi, struct spares *s)
{
	vma_split(vm, lo, s);
	vma_split(vm, hi, s);
	struct vma **vp = &vm->vmas, *v;
	while ((v = *vp) && v->lo < hi) {
		if (v->lo >= lo) {
			*vp = v->next;
			vm->mapped -= v->hi - v->lo;
			vm->nvma--;
			kmfree(v);
		} else {
			vp = &v->next;
		}
	}
}

/* A new region [lo, hi) where there is none. */
static void vma_insert(struct vmspace *vm, u64 lo, u64 hi, int prot, struct spares *s)
{
	struct vma **vp = &vm->vmas;
	while (*vp && (*vp)->lo < lo)
		vp = &(*vp)->next;
	struct vma *n = spare(s);
	*n = (struct vma){ lo, hi, prot, *vp };
	*vp = n;
	vm->nvma++;
	vm->mapped += hi - lo;
	vma_merge(vm);
}

/* fork: the child gets the same regions (vm_fork shares their pages). */
int mmap_fork(struct vmspace *to, struct vmspace *from)
{
	struct vma **tail = &to->vmas;
	for (struct vma *v = from->vmas; v; v = v->next) {
		struct vma *n = kmalloc(sizeof *n);
		if (!n)
			return -ENOMEM; /* vm_destroy frees what was copied */
		*n = *v;
		n->next = NULL;
		*tail = n;
		tail = &n->next;
		to->nvma++;
		to->mapped += n->hi - n->lo;
	}
	return 0;
}

/* The regions of an address space being destroyed (its pages are gone). */
void mmap_free(struct vmspace *vm)
{
	while (vm->vmas) {
		struct vma *v = vm->vmas;
		vm->vmas = v->next;
		kmfree(v);
	}
	vm->nvma = 0;
	vm->mapped = 0;
}

static long mmap_locked(struct proc *p, u64 addr, u64 len, int prot, int fixed, struct spares *s)
{
	struct vmspace *vm = &p->vm;
	u64 over = fixed ? mapped_in(vm, addr, addr + len) : 0;
	if (vm_size(vm) - over + len > p->lim_as.cur) /* RLIMIT_AS */
		return -ENOMEM;
	if (vm->nvma + 1 + (fixed ? splits(vm, addr, addr + len) : 0) > VMA_MAX)
		return -ENOMEM;
	if (fixed) {
		/* MAP_FIXED replaces whatever was mapped there. */
		if (over) {
			if (vm_unmap_range(vm, addr, addr + len) < 0)
				return -ENOMEM;
			vma_cut(vm, addr, addr + len, s);
		}
	} else if (!addr || addr % PGSIZE || !in_area(vm, addr, len) || mapped_in(vm, addr, addr + len)) {
		/* A hint that cannot be taken as it is: anywhere else. */
		addr = find_gap(vm, len);
		if (!addr)
			return -ENOMEM;
	}
	vma_insert(vm, addr, addr + len, prot, s);
	return addr;
}

/* mmap(addr, len, prot, flags, fd, off): anonymous private mappings only.
 * MAP_SHARED is refused with EINVAL (no shared memory yet), a file
 * mapping with ENODEV (EBADF if fd is not open), an anonymous one with an
 * fd other than -1 with EBADF.  Write and execute together are refused
 * with EACCES: no page is both, as exec enforces for programs (W^X).
 * addr is a hint unless MAP_FIXED; then it must be page aligned, inside
 * the mmap area, and what was mapped there is replaced (EINVAL else).
 * Flags other than these are ignored, as Linux does. */
long sys_mmap(SYSARGS)
{
	struct proc *p = myproc();
	u64 addr = a0, len = a1, off = a5;
	int prot = a2, flags = a3, fd = a4;
	int type = flags & (MAP_SHARED | MAP_PRIVATE), fixed = flags & MAP_FIXED;
	if (len == 0 || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) || type == 0 ||
	    type == (MAP_SHARED | MAP_PRIVATE))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return fd >= 0 && fd < NOFILE && p->ofile[fd] ? -ENODEV : -EBADF;
	if (fd != -1)
		return -EBADF;
	if (type == MAP_SHARED || off % PGSIZE)
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES;
	if (len > MMAP_TOP)
		return -ENOMEM;
	len = PGROUNDUP(len);
	if (fixed && (addr % PGSIZE || !in_area(&p->vm, addr, len)))
		return -EINVAL;
	struct spares s;
	if (spares_get(&s) < 0)
		return -ENOMEM;
	acquire(&p->vm.lock);
	long r = mmap_locked(p, addr, len, prot, fixed, &s);
	release(&p->vm.lock);
	spares_put(&s);
	return r;
}

/* munmap(addr, len): any page range of the mmap area; the pages in it
 * that were mapped go (touching them again faults), the rest is left
 * alone.  EINVAL: unaligned, empty, or outside the mmap area (the image,
 * heap and stack are not mmap's). */
long sys_munmap(SYSARGS)
{
	struct vmspace *vm = &myproc()->vm;
	u64 addr = a0, len = a1;
	if (addr % PGSIZE || len == 0 || len > MMAP_TOP)
		return -EINVAL;
	len = PGROUNDUP(len);
	if (!in_area(vm, addr, len))
		return -EINVAL;
	struct spares s;
	if (spares_get(&s) < 0)
		return -ENOMEM;
	acquire(&vm->lock);
	long r = -ENOMEM;
	if (vm->nvma + splits(vm, addr, addr + len) <= VMA_MAX && vm_unmap_range(vm, addr, addr + len) == 0) {
		vma_cut(vm, addr, addr + len, &s);
		r = 0;
	}
	release(&vm->lock);
	spares_put(&s);
	return r;
}

/* mprotect(addr, len, prot): any page range of mappings.  ENOMEM if part
 * of it is not mapped by mmap (so text, heap and stack keep their
 * protection); EINVAL for an unaligned addr or unknown bits; EACCES for
 * write with execute.  A page made PROT_NONE keeps its contents: they are
 * there again when it is made accessible. */
long sys_mprotect(SYSARGS)
{
	struct vmspace *vm = &myproc()->vm;
	u64 addr = a0, len = a1;
	int prot = a2;
	if (addr % PGSIZE || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES;
	if (len == 0)
		return 0;
	if (len > MMAP_TOP)
		return -ENOMEM;
	len = PGROUNDUP(len);
	if (!in_area(vm, addr, len))
		return -ENOMEM;
	u64 hi = addr + len;
	struct spares s;
	if (spares_get(&s) < 0)
		return -ENOMEM;
	acquire(&vm->lock);
	long r = -ENOMEM;
	if (mapped_in(vm, addr, hi) == len && vm->nvma + splits(vm, addr, hi) <= VMA_MAX &&
	    vm_protect_range(vm, addr, hi, prot) == 0) {
		vma_split(vm, addr, &s);
		vma_split(vm, hi, &s);
		for (struct vma *v = vm->vmas; v && v->lo < hi; v = v->next)
			if (v->lo >= addr)
				v->prot = prot;
		vma_merge(vm);
		r = 0;
	}
	release(&vm->lock);
	spares_put(&s);
	return r;
}
