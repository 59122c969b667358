/* kmalloc.c: small kernel objects (PCBs, inodes, open files, pipes).
 * Slabs: a page holds objects of one power-of-two size class (16..2048)
 * and keeps its own free list; a page whose objects are all free goes
 * back to the page allocator, so memory returns exactly to its baseline.
 */
#include "kernel.h"
#include "proc.h"

#define MIN_SHIFT 4
#define NCLASS 8 /* 16, 32, ..., 2048 */

struct slab {
	struct slab *next, *prev; /* pages of this class with free objects */
	void *free;               /* first free object in this page */
	u16 inuse, total;
	u16 cls;
	u16 magic;
};
#define SLAB_MAGIC 0x51ab
#define SLAB_HDR 64 /* objects start here, keeping 64-byte alignment */

static struct slab *partial[NCLASS];
static u64 nslabs; /* pages the heap holds, for meminfo */
static struct spinlock slablock = SPINLOCK_INIT("kmalloc");

static void unlink(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void push(struct slab *s)
{
	s->prev = NULL;
	s->next = partial[s->cls];
	if (s->next)
		s->next->prev = s;
	partial[s->cls] = s;
}

void *kmalloc(size_t n)
{
	if (n > 2048)
		panic("kmalloc: %d bytes is more than a slab object", (int)n);
	int cls = 0;
	while ((16UL << cls) < n)
		cls++;
	acquire(&slablock);
	struct slab *s = partial[cls];
	if (!s) {
		s = kalloc_nozero();
		if (!s) {
			release(&slablock);
			return NULL;
		}
		size_t sz = 16UL << cls;
		u64 first = sz < SLAB_HDR ? SLAB_HDR : sz; /* object 0 after the header */
		s->cls = cls;
		s->magic = SLAB_MAGIC;
		s->inuse = 0;
		s->total = 0;
		s->free = NULL;
		nslabs++;
		for (u64 off = PGSIZE - sz; off >= first; off -= sz) {
			*(void **)((char *)s + off) = s->free;
			s->free = (char *)s + off;
			s->total++;
		}
		push(s);
	}
	void *obj = s->free;
	s->free = *(void **)obj;
	if (++s->inuse == s->total)
		unlink(s);
	release(&slablock);
	return obj;
}

void *kzalloc(size_t n)
{
	void *p = kmalloc(n);
	if (p)
		memset(p, 0, n);
	return p;
}

void kmfree(void *obj)
{
	if (!obj)
		return;
	struct slab *s = (struct slab *)PGROUNDDOWN((u64)obj);
	if (s->magic != SLAB_MAGIC)
		panic("kmfree: %p is not a slab object", obj);
	acquire(&slablock);
	int was_full = s->inuse == s->total;
	*(void **)obj = s->free;
	s->free = obj;
	s->inuse--;
	if (was_full)
		push(s);
	/* An empty page goes back at once, so the free-page count after a
	 * workload is exactly what it was before.  (Keeping one spare page per
	 * class would make that depend on the order of frees; the page
	 * allocator's cache of recently freed pages makes the churn cheap.) */
	if (s->inuse == 0) {
		unlink(s);
		s->magic = 0;
		nslabs--;
		release(&slablock);
		kfree(s);
		return;
	}
	release(&slablock);
}

/* The bytes obj really takes: its size class. */
size_t kmsize(const void *obj)
{
	struct slab *s = (struct slab *)PGROUNDDOWN((u64)obj);
	if (s->magic != SLAB_MAGIC)
		panic("kmsize: %p is not a slab object", obj);
	return 16UL << s->cls;
}

u64 kheappages(void) { return nslabs; }
