/* kernel.h: declarations shared by the whole portable kernel.
 * One section per mechanism, in the order a reader meets them at boot.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include "types.h"
#include "arch.h"
#include "../include/trapdoor/abi.h"

struct proc;
struct cpu;
struct inode;
struct file;
struct waitq;

/* printf.c */
void kprintf(const char *fmt, ...);
int ksnprintf(char *buf, size_t n, const char *fmt, ...);
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
void panic(const char *fmt, ...) __attribute__((noreturn));
void console_write(const char *s, size_t n); /* raw, to the UART */
void console_write_locked(const char *s, size_t n);
#define assert(c)                                                            \
	do {                                                                 \
		if (unlikely(!(c)))                                          \
			panic("assertion failed: %s (%s:%d)", #c, __FILE__, \
			      __LINE__);                                     \
	} while (0)

/* string.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *d, const char *s, size_t n);
const char *strstr(const char *h, const char *n);
u64 parse_uint(const char *s, const char **end);

/* spinlock.h-in-brief: short critical sections.  The kernel runs with
 * interrupts off (they are on only in user mode and in the idle loop), so
 * a spinlock never needs to disable them.  Inline: they are on every
 * system-call and switch path.  The holder is its struct cpu.
 *
 * The misuse checks cost nothing until they matter.  A hart that takes a
 * lock it already holds (directly, or from an interrupt handler because
 * interrupts were on) finds it taken and would spin forever: spin_wait,
 * the contended path, checks for exactly that and panics instead.
 * Releasing a lock this hart does not hold is checked on every release. */
struct spinlock {
	volatile u32 locked;
	void *cpu; /* holder, for holding() and panics */
	const char *name;
};
#define SPINLOCK_INIT(n) { 0, NULL, n }
void spin_panic(struct spinlock *lk, const char *why) __attribute__((noreturn, cold));
void spin_wait(struct spinlock *lk) __attribute__((cold));

static inline int holding(struct spinlock *lk) { return lk->cpu == arch_this_cpu(); }

static inline void acquire(struct spinlock *lk)
{
	while (unlikely(arch_swap_acquire(&lk->locked, 1)))
		spin_wait(lk);
	lk->cpu = arch_this_cpu();
}

static inline void release(struct spinlock *lk)
{
	if (unlikely(!holding(lk)))
		spin_panic(lk, "not held");
	lk->cpu = NULL;
	arch_store_release(&lk->locked, 0);
}

/* Reference counts.  Every count of the users of a shared object (a page,
 * an open file, an inode, a link count) is a u32 that never passes
 * REFS_MAX.  Users can raise most of them at will (map a page again,
 * fork, dup, open, link), so taking a reference is checked: a count at
 * REFS_MAX refuses it, and the operation fails (-ENOMEM, -ENFILE,
 * -EMLINK) instead of wrapping the count to a small number, after which
 * the object would be freed while still in use.  Each reference costs at
 * least 8 bytes of kernel memory (a page-table entry, a descriptor slot,
 * a directory entry), so honest use cannot reach 2^31 of them; and the
 * 2^31 above REFS_MAX mean that a reference taken and dropped again in one
 * critical section (rename's) needs no check. */
#define REFS_MAX 0x7fffffffu
extern u32 refs_max; /* REFS_MAX, or lower with refmax=N: tests of the refusals */
static inline int ref_get(u32 *refs)
{
	if (unlikely(*refs >= refs_max))
		return -1;
	++*refs;
	return 0;
}

/* params.c: boot arguments (tick=, slice=, sched=, trace=, init=, fsmax=) */
struct params {
	u64 tick_us;  /* timer period */
	int slice;    /* ticks a process may run before preemption */
	int coop;     /* sched=coop: no preemption */
	char init[64];
	u32 trace_mask; /* trace=: TR_* bits */
	int trace_pid;
	int quiet;
	u64 fsmax_pages; /* fsmax=64M: the file system's size, or */
	int fsmax_pct;   /* fsmax=50%: as a share of RAM */
	int root_ram;    /* root=ram (1): not on the disk (vfs); root=mnt (2): the disk on /mnt */
	int fpu_eager;   /* fpu=eager: the arch switches FPU registers eagerly (x86-64 only) */
};
extern struct params params;
void params_parse(const char *bootargs);

/* kalloc.c: the physical page allocator (a buddy allocator over all RAM) */
void kinit(void);
void *kalloc(void);                  /* one zeroed page, or NULL */
void *kalloc_nozero(void);           /* one page, contents undefined */
void kadopt(u64 pa, u64 n);          /* n pages of the initrd, as they are (initrd.c) */
void *kalloc_order(int order);       /* 2^order contiguous pages */
void kfree(void *pa);                /* drop one reference */
void kfree_order(void *pa, int order);
int page_get(void *kva);             /* add a reference (shared page), or -ENOMEM */
void kfree_many(void **kva, int n);  /* kfree each, one lock round */
void kfree_zeroed(void *kva);        /* kfree of a page of zeros */
int page_get_many(void **kva, int n); /* all or none: 0 or -ENOMEM */
int page_refs(void *kva);
int page_unref(void *kva);
u64 kfreepages(void);
u64 bcache_clean(void);             /* bio.c: pages the cache would give back */
/* Pages an allocation can have: the free ones and the clean disk blocks
 * that kalloc drops for it (bcache_shrink). */
static inline u64 kavailpages(void) { return kfreepages() + bcache_clean(); }
u64 bcache_pages(void);             /* bio.c: pages the cache holds */
u64 ktotalpages(void);

/* kmalloc.c: small objects, power-of-two sizes 16..2048 */
void *kmalloc(size_t n);
void *kzalloc(size_t n);
void kmfree(void *p);
size_t kmsize(const void *p); /* bytes it takes (its size class) */
u64 kheappages(void);          /* pages the heap holds */

/* vm.c: address spaces */
struct vma;
struct vmspace {
	/* Held while the mappings change (a fault resolved, sbrk, fork's
	 * copy-on-write marking, mmap, munmap, mprotect): the threads of a
	 * process share it.  It covers the page tables, vmas and pages. */
	struct spinlock lock;
	pagetable_t pt;
	u64 text_start; /* first page of the loaded image (0x400000 for musl on x86-64) */
	u64 text_end;   /* end of the loaded image (text + data) */
	u64 heap_start; /* first heap address (page aligned) */
	u64 brk;        /* current program break */
	u64 stack_low;  /* lowest mapped stack page */
	u64 pages;      /* user pages mapped */
	struct vma *vmas; /* mmap's regions, sorted by address (mmap.c) */
	u64 mapped;       /* bytes they cover */
	u32 nvma;         /* how many */
};
#define USTACK_TOP (USER_TOP - PGSIZE)      /* one unmapped page above */
#define USTACK_MAX (8UL << 20)             /* stack may grow to 8 MiB */
#define USTACK_GUARD (USTACK_TOP - USTACK_MAX - PGSIZE)
#define UHEAP_MAX (1UL << 34)              /* heap may grow to 16 GiB */
/* mmap's area: from the heap's maximum up to MMAP_TOP, which leaves a
 * stack's worth of never-mapped addresses below the stack's guard page,
 * so that a stack overflow that jumps the guard still faults. */
#define MMAP_TOP (USTACK_GUARD - USTACK_MAX)
static inline u64 mmap_base(struct vmspace *vm) { return vm->heap_start + UHEAP_MAX; }
int vm_create(struct vmspace *vm);
void vm_destroy(struct vmspace *vm);
int vm_fork(struct vmspace *to, struct vmspace *from);
int vm_map(struct vmspace *vm, u64 va, void *kva, u64 perm);
int vm_alloc_range(struct vmspace *vm, u64 va, u64 len, u64 perm);
int vm_unmap_range(struct vmspace *vm, u64 va, u64 end);
int vm_protect_range(struct vmspace *vm, u64 va, u64 end, int prot);
int vm_fault(struct vmspace *vm, u64 va, int write, int exec);
int copyin_slow(struct vmspace *vm, void *dst, u64 uva, size_t n);
int copyout_slow(struct vmspace *vm, u64 uva, const void *src, size_t n);
int copyinstr(struct vmspace *vm, char *dst, u64 uva, size_t max);
/* the arch's __copy_user, __copy_user_str, __get_user32: arch.h */

/* Is [uva, uva+n) wholly user memory?  The direct copies rely on it: a
 * pointer into the kernel half must never reach them. */
static inline int user_range(u64 uva, size_t n) { return uva < USER_TOP && n <= USER_TOP - uva; }

/* copyin/copyout themselves are inline in proc.h. */
long vm_sbrk(struct vmspace *vm, long delta);
void vm_replace(struct vmspace *vm, struct vmspace *new); /* exec's commit */

/* mmap.c: anonymous mappings.  A region of pages with one protection;
 * its pages are allocated on first touch (vm_fault).  A PROT_NONE page
 * keeps its contents in an entry without access (pte_none). */
struct vma {
	u64 lo, hi; /* [lo, hi), page aligned */
	int prot;   /* PROT_* */
	struct vma *next;
};
struct vma *vma_find(struct vmspace *vm, u64 va);
u64 prot_vm(int prot);                            /* PROT_* -> VM_* bits */
int mmap_fork(struct vmspace *to, struct vmspace *from);
void mmap_free(struct vmspace *vm);

/* tlb.c: TLB shootdown.  After removing or narrowing a mapping of vm,
 * and before the page or page table can be reused, tlb_shootdown(vm)
 * has every hart that runs vm flush its TLB: this one at once, the
 * others through an IPI, waited for. */
void tlb_shootdown(struct vmspace *vm);
void tlb_poll(void);        /* flush if another hart asked this one to */
extern volatile u64 tlb_ipis; /* shootdown IPIs sent since boot */

/* trap.c */
void trap_init(void);
/* and the handlers the arch's trap code calls: arch.h's last section */
extern volatile u64 ticks; /* timer ticks since boot (hart 0's clock) */
extern u64 tick_period;      /* timer units per tick */
u64 uptime_ms(void);
extern u64 timebase_hz;      /* timer units per second */
void kill_fault(struct proc *p, int sig, u64 cause, const char *what, u64 addr);

/* syscall.c */
struct syscall_desc {
	const char *name;
	const char *args;
	char ret;
};
extern const struct syscall_desc syscall_desc[SYS_max];
int argstr(u64 uva, char *buf, size_t max);

/* rtc.c: the time of day (Goldfish RTC at boot, then the timer) */
void rtc_init(void);
u64 mono_ns(void);           /* ns since the timer started: never goes back */
u64 rtc_now_ns(void);        /* ns since 1970-01-01 UTC */
u64 rtc_seconds(void);       /* the same in seconds, for file timestamps */

/* console.c */
void console_init(void);
void console_intr(int c);
long console_read(u64 udst, long n);
long console_write_user(u64 usrc, long n);
extern int console_fgpgid;
void procdump(void);

/* exec.c */
int exec(const char *path, u64 uargv, u64 uenvp, int kargs, char **kargv);

/* initrd.c */
void initrd_load(int files); /* files: the archive too, not only /dev and /tmp */

/* misc */
extern volatile int panicked;

#endif
