/* exec.c: load a program: the "OS @ run" rows of the seeds' table.
 * exec replaces the calling process's image; spawn builds a new process
 * straight from the file (seed 003's "process from scratch").  Both:
 * allocate memory, load the program, set up the stack with argc/argv/envp,
 * clear the registers, and return-from-trap into main's caller, _start.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"
#include "elf.h"
#include "trace.h"

#define MAXARG 1024
#define ARGS_ORDER 3 /* 8 pages = ARG_MAX */

/* argv and envp gathered into kernel memory before the old image goes. */
struct args {
	char *buf;        /* strings, packed */
	u64 used;
	int argc, envc;
};

static int gather(struct args *a, u64 uvec, char **kvec, int *count)
{
	struct proc *p = myproc();
	for (int i = 0;; i++) {
		if (i >= MAXARG)
			return -E2BIG;
		u64 sp;
		const char *ks = NULL;
		if (kvec) {
			ks = kvec[i];
			if (!ks)
				break;
		} else {
			if (!uvec)
				break;
			if (copyin(&p->vm, &sp, uvec + 8 * i, 8) < 0)
				return -EFAULT;
			if (!sp)
				break;
		}
		u64 room = ARG_MAX - a->used;
		int n;
		if (ks) {
			n = strlen(ks);
			if ((u64)n + 1 > room)
				return -E2BIG;
			memcpy(a->buf + a->used, ks, n + 1);
		} else {
			n = copyinstr(&p->vm, a->buf + a->used, sp, room);
			if (n == -ENAMETOOLONG)
				return -E2BIG;
			if (n < 0)
				return n;
		}
		a->used += n + 1;
		(*count)++;
	}
	return 0;
}

/* Program headers an executable may have: as many as fit in one page, the
 * limit Linux sets too (73).  Real programs have two to five.  Without a
 * limit one exec could map one file page 65,535 times (e_phnum is 16
 * bits), and do the work of mapping as many segments, at no cost to its
 * author; page counts are checked anyway (page_get), this keeps exec's
 * work and the references it takes in proportion to sane programs. */
#define MAX_PHNUM (PGSIZE / sizeof(struct proghdr))

/* Map the program's PT_LOAD segments into vm; *phdr is where its program
 * headers are in memory (0 if no segment holds them), for the auxv. */
static int load_image(struct vmspace *vm, struct inode *ip, u64 *entry, u64 *phdr, u64 *phnum)
{
	struct elfhdr eh;
	struct proghdr ph;
	long n = readi(ip, 0, (u64)&eh, 0, sizeof eh);
	if (n != sizeof eh || eh.magic != ELF_MAGIC || eh.class != 2 || eh.machine != ELF_MACHINE ||
	    eh.type != ET_EXEC || eh.phentsize != sizeof ph || eh.phnum > MAX_PHNUM)
		return -ENOEXEC;
	u64 start = ~0UL, end = 0;
	for (int i = 0; i < eh.phnum; i++) {
		n = readi(ip, 0, (u64)&ph, eh.phoff + i * sizeof ph, sizeof ph);
		if (n != sizeof ph)
			return -ENOEXEC;
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (EXEC_AUXV_WORDS && ph.off <= eh.phoff && eh.phoff + eh.phnum * sizeof ph <= ph.off + ph.filesz)
			*phdr = ph.vaddr + (eh.phoff - ph.off);
		if (ph.filesz > ph.memsz || ph.vaddr + ph.memsz < ph.vaddr || ph.vaddr < PGSIZE ||
		    ph.vaddr + ph.memsz > USTACK_GUARD - UHEAP_MAX || (ph.vaddr % PGSIZE) != (ph.off % PGSIZE))
			return -ENOEXEC;
		u64 perm = (ph.flags & PF_R ? VM_R : 0) | (ph.flags & PF_W ? VM_W : 0) | (ph.flags & PF_X ? VM_X : 0);
		if ((perm & VM_W) && (perm & VM_X))
			return -ENOEXEC; /* W^X: no page is both */
		for (u64 va = PGROUNDDOWN(ph.vaddr); va < ph.vaddr + ph.memsz; va += PGSIZE) {
			u64 foff = ph.off + (va - ph.vaddr); /* may be < ph.off on the first page */
			void *fpage = NULL;
			/* Read-only pages fully backed by the file map the file's
			 * own page: no copy (the file copies on a later write).
			 * A page whose count is full gets a private copy instead. */
			if (!(perm & VM_W) && va + PGSIZE <= ph.vaddr + ph.filesz && va >= ph.vaddr &&
			    foff % PGSIZE == 0)
				fpage = fs_page_get(ip, foff / PGSIZE);
			if (!fpage) {
				fpage = kalloc();
				if (!fpage)
					return -ENOMEM;
				/* the file bytes of this page, the rest stays zero */
				u64 lo = max(va, ph.vaddr), hi = min(va + PGSIZE, ph.vaddr + ph.filesz);
				if (hi > lo && readi(ip, 0, (u64)fpage + (lo - va), ph.off + (lo - ph.vaddr), hi - lo) < 0) {
					kfree(fpage);
					return -EIO;
				}
			}
			/* The region first: vm_destroy frees only the tables
			 * and pages the regions cover, and a vm_map that runs
			 * out of memory part way has made tables for va. */
			if (va + PGSIZE > vm->text_end)
				vm->text_end = vm->heap_start = vm->brk = va + PGSIZE;
			if ((n = vm_map(vm, va, fpage, perm)) < 0) {
				kfree(fpage);
				return n == -EEXIST ? -ENOEXEC : n;
			}
		}
		start = min(start, PGROUNDDOWN(ph.vaddr));
		if (ph.vaddr + ph.memsz > end)
			end = ph.vaddr + ph.memsz;
	}
	if (!end || eh.entry >= end)
		return -ENOEXEC;
	vm->text_start = start;
	vm->text_end = PGROUNDUP(end);
	vm->heap_start = vm->brk = PGROUNDUP(end);
	*entry = eh.entry;
	*phnum = eh.phnum;
	return 0;
}

/* The words of the initial stack (argc, argv[], envp[]) go out in small
 * batches: with MAXARG arguments and as many environment strings they are
 * 16 KiB, more than a whole kernel stack, so they cannot be built on it. */
struct vecout {
	struct vmspace *vm;
	u64 at; /* user address of batch[0] */
	int k;
	u64 batch[32];
};

static int vec_flush(struct vecout *o)
{
	if (o->k && copyout(o->vm, o->at, o->batch, o->k * 8) < 0)
		return -EFAULT;
	o->at += o->k * 8;
	o->k = 0;
	return 0;
}

static int vec_put(struct vecout *o, u64 word)
{
	o->batch[o->k++] = word;
	return o->k == (int)nelem(o->batch) ? vec_flush(o) : 0;
}

/* Build the initial stack: the strings at the top, then (16-byte aligned
 * at sp) argc, argv[], NULL, envp[], NULL, as the C runtime expects, and
 * on x86-64 the auxiliary vector musl reads after envp (abi.h's
 * EXEC_AUXV_WORDS of aux: where its program headers are, for its TLS
 * image; the page size; AT_NULL). */
static int build_stack(struct vmspace *vm, struct args *a, const u64 *aux, u64 *sp_out, u64 *argv_out, u64 *envp_out)
{
	int nptr = a->argc + a->envc + 3 + EXEC_AUXV_WORDS;
	u64 strings = USTACK_TOP - ALIGN_UP(a->used, 16);
	u64 sp = ALIGN_DOWN(strings - nptr * 8, 16);
	if (USTACK_TOP - sp > ARG_MAX + PGSIZE * 2)
		return -E2BIG;
	/* The region first: if memory runs out part way, vm_destroy must
	 * see the pages already mapped. */
	vm->stack_low = PGROUNDDOWN(sp);
	int r = vm_alloc_range(vm, PGROUNDDOWN(sp), USTACK_TOP - PGROUNDDOWN(sp), VM_R | VM_W);
	if (r < 0)
		return r;
	if (copyout(vm, strings, a->buf, a->used) < 0)
		return -EFAULT;
	struct vecout o = { .vm = vm, .at = sp, .k = 0 };
	r = vec_put(&o, a->argc);
	u64 s = strings;
	for (int i = 0; r == 0 && i < a->argc + a->envc; i++) {
		if (i == a->argc)
			r = vec_put(&o, 0);
		if (r == 0)
			r = vec_put(&o, s);
		while (a->buf[s - strings])
			s++;
		s++;
	}
	if (r == 0 && a->envc == 0)
		r = vec_put(&o, 0); /* argv's NULL: the loop did not reach envp */
	if (r == 0)
		r = vec_put(&o, 0);
	for (int i = 0; r == 0 && i < EXEC_AUXV_WORDS; i++)
		r = vec_put(&o, aux[i]);
	if (r == 0)
		r = vec_flush(&o);
	if (r < 0)
		return r;
	*sp_out = sp;
	*argv_out = sp + 8;
	*envp_out = sp + 8 + (a->argc + 1) * 8;
	return 0;
}

/* Look up path and check it may be executed; returns it referenced. */
static int open_exec(const char *path, struct inode **out)
{
	int r = namei_err(path, out);
	if (r < 0)
		return r;
	if ((*out)->type != S_IFREG)
		r = -EACCES;
	else
		r = fs_permission(*out, 1);
	if (r < 0)
		iput(*out);
	return r;
}

/* Load path into a fresh address space with the given arguments. */
static int load(const char *path, struct args *a, struct vmspace *vm, u64 *entry, u64 *sp, u64 *argv, u64 *envp)
{
	struct inode *ip;
	int r = open_exec(path, &ip);
	if (r < 0)
		return r;
	if ((r = vm_create(vm)) < 0) {
		iput(ip);
		return r;
	}
	u64 phdr = 0, phnum = 0;
	r = load_image(vm, ip, entry, &phdr, &phnum);
	iput(ip);
	/* AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_NULL */
	const u64 aux[] = { 3, phdr, 4, sizeof(struct proghdr), 5, phdr ? phnum : 0, 6, PGSIZE, 0, 0 };
	_Static_assert(EXEC_AUXV_WORDS <= nelem(aux), "abi.h's auxv is these words");
	if (r == 0)
		r = build_stack(vm, a, aux, sp, argv, envp);
	if (r < 0)
		vm_destroy(vm);
	return r;
}

static int get_args(struct args *a, u64 uargv, u64 uenvp, char **kargv)
{
	memset(a, 0, sizeof *a);
	a->buf = kalloc_order(ARGS_ORDER);
	if (!a->buf)
		return -ENOMEM;
	int r = gather(a, uargv, kargv, &a->argc);
	if (r == 0)
		r = gather(a, uenvp, NULL, &a->envc);
	if (r < 0)
		kfree_order(a->buf, ARGS_ORDER);
	return r;
}

/* exec: on success the old image is gone and the call "returns" argc in
 * a0 into the new program's _start; on failure the caller is untouched. */
int exec(const char *path, u64 uargv, u64 uenvp, int kargs, char **kargv)
{
	struct proc *p = myproc();
	struct args a;
	int r = get_args(&a, uargv, uenvp, kargs ? kargv : NULL);
	if (r < 0)
		return r;
	struct vmspace vm;
	u64 entry, sp, argv, envp;
	r = load(path, &a, &vm, &entry, &sp, &argv, &envp);
	kfree_order(a.buf, ARGS_ORDER);
	if (r == 0 && vm_size(&vm) > p->lim_as.cur) { /* RLIMIT_AS */
		vm_destroy(&vm);
		r = -ENOMEM;
	}
	if (r < 0)
		return r;
	/* The point of no return: the other threads of the process end
	 * first (Linux's de_thread), each off its hart before the old image
	 * goes; a process being killed meanwhile keeps its old image. */
	if ((r = threads_end_others()) < 0) {
		vm_destroy(&vm);
		return r;
	}
	/* Commit: switch to the new image, then free the old one. */
	vm_replace(&p->vm, &vm);
	trace_exec(p, path); /* before the rename: "pid 5 (sh) exec /bin/echo" */
	proc_setname(p, path);
	struct thread *t = mythread();
	fpu_exec(t);
	p->console_owner = 0; /* a new program: no longer the shell */
	arch_user_init(t->tf, entry, sp, a.argc, argv, envp);
	return a.argc;
}

/* spawn: a new child running path, built from the file without copying
 * the parent.  It inherits open files, cwd, uid and process group. */
int spawn(const char *path, u64 uargv, u64 uenvp)
{
	struct proc *p = myproc();
	struct args a;
	int r = get_args(&a, uargv, uenvp, NULL);
	if (r < 0)
		return r;
	struct proc *np = proc_alloc(path, p, &r);
	if (!np) {
		kfree_order(a.buf, ARGS_ORDER);
		return r;
	}
	u64 entry, sp, argv, envp;
	r = load(path, &a, &np->vm, &entry, &sp, &argv, &envp);
	kfree_order(a.buf, ARGS_ORDER);
	if (r == 0 && vm_size(&np->vm) > np->lim_as.cur) { /* RLIMIT_AS */
		vm_destroy(&np->vm);
		r = -ENOMEM;
	}
	if (r < 0) {
		proc_free(np);
		return r;
	}
	arch_user_init(np->threads->tf, entry, sp, a.argc, argv, envp);
	if ((r = proc_inherit(np, p)) < 0) {
		vm_destroy(&np->vm);
		proc_free(np);
		return r;
	}
	np->pgid = p->pgid;
	np->priority = p->priority;
	int pid = np->pid;
	trace_exec(np, path); /* before it is ready: it may run (and exec) at once */
	acquire(&schedlock);
	np->parent = p;
	np->sibling = p->children;
	p->children = np;
	np->life = PROC_LIVE;
	ready(np->threads);
	release(&schedlock);
	return pid;
}
