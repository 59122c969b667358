/* pipe.c: a one-way byte channel between processes.
 * A ring buffer of one page; a reader with nothing to read and a writer
 * with no room each sleep on their own wait queue.  A write of at most
 * PIPESIZE bytes is atomic: it goes in whole, never interleaved with
 * another writer's bytes.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"

#define PIPESIZE PGSIZE

struct pipe {
	struct spinlock lock;
	struct waitq readq, writeq;
	u64 nread, nwritten; /* totals; nwritten - nread bytes are buffered */
	int readers, writers;
	char *data;          /* the ring: a page of its own, PIPESIZE bytes */
};

int pipealloc(struct file **rf, struct file **wf)
{
	struct pipe *pi = kmalloc(sizeof *pi);
	char *data = kalloc_nozero();
	*rf = filealloc();
	*wf = filealloc();
	if (!pi || !data || !*rf || !*wf) {
		kmfree(pi);
		if (data)
			kfree(data);
		kmfree(*rf);
		kmfree(*wf);
		return -ENOMEM;
	}
	pi->data = data;
	pi->lock = (struct spinlock)SPINLOCK_INIT("pipe");
	pi->readq = (struct waitq)WAITQ_INIT("pipe read");
	pi->writeq = (struct waitq)WAITQ_INIT("pipe write");
	pi->nread = pi->nwritten = 0;
	pi->readers = pi->writers = 1;
	(*rf)->type = (*wf)->type = FD_PIPE;
	(*rf)->pipe = (*wf)->pipe = pi;
	(*rf)->readable = 1;
	(*wf)->writable = 1;
	(*rf)->flags = O_RDONLY;
	(*wf)->flags = O_WRONLY;
	return 0;
}

void pipeclose(struct pipe *pi, int writable)
{
	acquire(&pi->lock);
	if (writable) {
		pi->writers--;
		wakeup(&pi->readq); /* readers may now see end-of-file */
	} else {
		pi->readers--;
		wakeup(&pi->writeq); /* writers now get EPIPE */
	}
	int last = pi->readers == 0 && pi->writers == 0;
	release(&pi->lock);
	if (last) {
		kfree(pi->data);
		kmfree(pi);
	}
}

/* The general case: waits for room, pieces a long write, handles the
 * reader going away.  pi->lock held on entry, released on return. */
static __attribute__((noinline)) long pipewrite_slow(struct pipe *pi, u64 src, long n, int kernel)
{
	struct proc *p = myproc();
	long done = 0;
	while (done < n) {
		if (pi->readers == 0) {
			release(&pi->lock);
			if (!kernel && done == 0) {
				/* As Unix: the writer dies of SIGPIPE, and the call
				 * fails with EPIPE if it does not. */
				acquire(&schedlock);
				if (!p->killed)
					p->killed = SIGPIPE;
				release(&schedlock);
			}
			return done ? done : -EPIPE;
		}
		if (p->killed) {
			release(&pi->lock);
			return done ? done : -EINTR;
		}
		u64 room = PIPESIZE - (pi->nwritten - pi->nread);
		/* A write that fits the pipe waits until it fits whole, so
		 * that several writers' messages never interleave (POSIX's
		 * PIPE_BUF rule, with the whole ring as the limit).  A longer
		 * one goes in piece by piece as room appears. */
		u64 need = (u64)n <= PIPESIZE ? (u64)(n - done) : 1;
		if (room < need) {
			wakeup(&pi->readq);
			sleep(&pi->writeq, &pi->lock);
			continue;
		}
		/* copy up to the end of the ring or of the free space */
		u64 at = pi->nwritten % PIPESIZE;
		u64 chunk = min(min(room, (u64)(n - done)), PIPESIZE - at);
		if (kernel)
			memcpy(pi->data + at, (char *)src + done, chunk);
		else if (__copy_from_user(pi->data + at, src + done, chunk) < 0) {
			release(&pi->lock);
			return done ? done : -EFAULT;
		}
		pi->nwritten += chunk;
		done += chunk;
	}
	wakeup(&pi->readq);
	release(&pi->lock);
	return done;
}

/* Copy between user memory and the ring at offset `at`, wrapping once.
 * The user range was checked by fileread/filewrite. */
static inline int ring_copy(struct pipe *pi, u64 at, u64 uva, u64 n, int in)
{
	u64 first = min(n, PIPESIZE - at);
	int r = in ? __copy_from_user(pi->data + at, uva, first) : __copy_to_user(uva, pi->data + at, first);
	if (r == 0 && first < n)
		r = in ? __copy_from_user(pi->data, uva + first, n - first) : __copy_to_user(uva + first, pi->data, n - first);
	return r;
}

/* write: the common case, a reader exists and the bytes fit now, takes the
 * straight path; everything else goes to pipewrite_slow. */
long pipewrite(struct pipe *pi, u64 src, long n, int kernel)
{
	acquire(&pi->lock);
	u64 room = PIPESIZE - (pi->nwritten - pi->nread);
	if (likely(!kernel && n > 0 && (u64)n <= room && pi->readers && !myproc()->killed)) {
		if (unlikely(ring_copy(pi, pi->nwritten % PIPESIZE, src, n, 1) < 0)) {
			release(&pi->lock);
			return -EFAULT;
		}
		pi->nwritten += n;
		wakeup(&pi->readq);
		release(&pi->lock);
		return n;
	}
	return pipewrite_slow(pi, src, n, kernel);
}

/* read: wait until there is data or no writer is left, then take what
 * is there, up to n bytes.  The wait is a loop because another reader may
 * have emptied the pipe again before this one ran. */
long piperead(struct pipe *pi, u64 dst, long n)
{
	acquire(&pi->lock);
	while (pi->nread == pi->nwritten) {
		if (pi->writers == 0) { /* empty for good: end of file */
			release(&pi->lock);
			return 0;
		}
		if (unlikely(myproc()->killed)) {
			release(&pi->lock);
			return -EINTR;
		}
		sleep(&pi->readq, &pi->lock);
	}
	u64 chunk = min(pi->nwritten - pi->nread, (u64)n);
	if (unlikely(ring_copy(pi, pi->nread % PIPESIZE, dst, chunk, 0) < 0)) {
		release(&pi->lock);
		return -EFAULT;
	}
	pi->nread += chunk;
	wakeup(&pi->writeq); /* room for a writer that waits */
	release(&pi->lock);
	return chunk;
}
