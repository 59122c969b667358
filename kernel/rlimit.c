/* rlimit.c: per-process resource limits, getrlimit and setrlimit.
 * RLIMIT_NPROC caps the processes of one user, RLIMIT_AS the memory of one
 * process; root's are high, and a process that leaves root gets the user
 * defaults.  Limits are inherited by fork and spawn.
 */
#include "kernel.h"
#include "proc.h"
#include "syscall.h"

/* The defaults for a process that stops being root: enough for a shell,
 * a long pipeline and a parallel build, not enough to fill the process
 * list or (one process alone) all of memory. */
#define USER_NPROC 128
static u64 user_as(void) { return ktotalpages() * PGSIZE / 2; }

/* Root's soft RLIMIT_NPROC: one process per 16 pages of RAM (2048 in
 * 128 MiB), fewer than memory can hold (a process takes about 10), so
 * that even root's fork bomb (xv6's forkforkfork) ends in EAGAIN rather
 * than in the out-of-memory killer.  Its hard limit is unlimited: root
 * may lift it (ulimit -u unlimited). */
static u64 root_nproc(void) { return max(ktotalpages() / 16, 64UL); }

static const struct krlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

void rlimit_init(struct proc *p)
{
	p->lim_nproc = (struct krlimit){ root_nproc(), RLIM_INFINITY };
	p->lim_as = unlimited;
}

/* A limit root left at its default (or unlimited) becomes the user
 * default; one root set on purpose (setrlimit before setuid) is kept. */
static void clamp(struct krlimit *l, u64 rootdef, u64 def)
{
	if (l->cur == RLIM_INFINITY || l->cur == rootdef)
		l->cur = def;
	if (l->max == RLIM_INFINITY)
		l->max = max(l->cur, def);
}

void rlimit_setuid(struct proc *p)
{
	clamp(&p->lim_nproc, root_nproc(), USER_NPROC);
	clamp(&p->lim_as, RLIM_INFINITY, user_as());
}

/* The processes of each uid, for RLIMIT_NPROC: one counter per uid that
 * has any, in a small hash, so that fork checks its limit in O(1) however
 * many processes there are.  Every PCB counts from proc_alloc to
 * proc_free, zombies too (they are gone only once reaped), as in Linux.
 * schedlock protects the counters and every p->uid change. */
struct ucount {
	int uid;
	u32 n;
	struct ucount *next;
};
#define UHASH 64
static struct ucount *uhash[UHASH];

static struct ucount **ucount_slot(int uid)
{
	struct ucount **up = &uhash[(unsigned)uid % UHASH];
	while (*up && (*up)->uid != uid)
		up = &(*up)->next;
	return up;
}

/* One more process for uid, if it has fewer than limit: 0, -EAGAIN at the
 * limit, -ENOMEM if its first counter cannot be had.  schedlock held
 * (kmalloc's slablock comes after it in the lock order). */
int ucount_get(int uid, u64 limit)
{
	assert(holding(&schedlock));
	struct ucount **up = ucount_slot(uid), *u = *up;
	if (u && u->n >= limit)
		return -EAGAIN;
	if (!u) {
		if (limit == 0)
			return -EAGAIN;
		if (!(u = kzalloc(sizeof *u)))
			return -ENOMEM;
		u->uid = uid;
		*up = u;
	}
	u->n++; /* below limit, or below 2^32: a PCB costs far more than that */
	return 0;
}

/* A process of uid is gone (proc_free) or changed its uid.  schedlock held. */
void ucount_put(int uid)
{
	assert(holding(&schedlock));
	struct ucount **up = ucount_slot(uid), *u = *up;
	if (!u || u->n == 0)
		panic("ucount_put: uid %d has no processes", uid);
	if (--u->n == 0) {
		*up = u->next;
		kmfree(u);
	}
}

/* What RLIMIT_AS counts: the image, the heap, the stack and the
 * mappings (touched or not, PROT_NONE too, as in Linux), in bytes.  The
 * image from its first page: musl's x86-64 programs start at 4 MiB, and
 * the unmapped addresses below are no memory. */
u64 vm_size(struct vmspace *vm)
{
	return (vm->text_end - vm->text_start) + (PGROUNDUP(vm->brk) - vm->heap_start) + (USTACK_TOP - vm->stack_low) + vm->mapped;
}

/* The limit the kernel keeps for resource res, or NULL for one it does
 * not (*fixed then says what it is). */
static struct krlimit *slot(struct proc *p, int res, struct krlimit *fixed)
{
	switch (res) {
	case RLIMIT_NPROC: return &p->lim_nproc;
	case RLIMIT_AS: return &p->lim_as;
	case RLIMIT_STACK: *fixed = (struct krlimit){ USTACK_MAX, USTACK_MAX }; return NULL;
	case RLIMIT_NOFILE: *fixed = (struct krlimit){ NOFILE, NOFILE }; return NULL;
	}
	*fixed = unlimited; /* CPU time, file size, ...: not limited */
	return NULL;
}

/* The limit on resource res, in *out: 0, or -EINVAL for no such resource. */
int rlimit_get(struct proc *p, int res, struct krlimit *out)
{
	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	struct krlimit fixed, *l = slot(p, res, &fixed);
	*out = l ? *l : fixed;
	return 0;
}

/* POSIX's rule: the soft limit may move anywhere up to the hard one; the
 * hard one may be lowered by anyone, raised only by root.  A limit the
 * kernel does not keep can only be "set" to what it already is. */
int rlimit_set(struct proc *p, int res, const struct krlimit *want)
{
	struct krlimit fixed;
	if (res < 0 || res >= RLIM_NLIMITS || want->cur > want->max)
		return -EINVAL;
	struct krlimit *l = slot(p, res, &fixed);
	if (!l)
		return want->cur == fixed.cur && want->max == fixed.max ? 0 : -EINVAL;
	if (want->max > l->max && p->uid != 0)
		return -EPERM;
	*l = *want;
	return 0;
}

long sys_getrlimit(SYSARGS)
{
	struct krlimit l;
	int r = rlimit_get(myproc(), a0, &l);
	return r < 0 ? r : copy_to_user(a1, &l, sizeof l);
}

long sys_setrlimit(SYSARGS)
{
	struct krlimit want;
	if ((int)a0 < 0 || (int)a0 >= RLIM_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&want, a1, sizeof want) < 0)
		return -EFAULT;
	return rlimit_set(myproc(), a0, &want);
}
