/* pthread.h: POSIX threads on Trapdoor's thread system calls (user/lib/pthread.c).
 * Standard names and semantics; every function returns 0 or an error number.
 *
 * picolibc declares no thread types of its own (its <sys/types.h> has no
 * pthread_t), so they are all here.  Mutexes, condition variables and
 * once are futex words: no system call unless a thread must sleep.
 */
#ifndef TRAPDOOR_PTHREAD_H
#define TRAPDOOR_PTHREAD_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include <sched.h>

int sched_yield(void); /* picolibc's <sched.h> declares it only for some systems */

/* A thread: its descriptor, at the top of its stack mapping. */
typedef struct pthread *pthread_t;

typedef struct {
	size_t stacksize; /* 0: PTHREAD_STACK_DEFAULT */
	int detachstate;
} pthread_attr_t;

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1
#define PTHREAD_STACK_MIN 16384
#define PTHREAD_STACK_DEFAULT (256 * 1024) /* mapped, filled only where touched */

/* Mutex types: normal (the default) does no owner checks; errorcheck
 * fails with EDEADLK/EPERM; recursive counts. */
#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_RECURSIVE 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT PTHREAD_MUTEX_NORMAL

typedef struct {
	volatile unsigned lock; /* futex word: 0 free, 1 held, 2 held, waiters */
	int type;
	void *volatile owner;   /* recursive and errorcheck: the holder */
	unsigned count;         /* recursive: how many times */
} pthread_mutex_t;
#define PTHREAD_MUTEX_INITIALIZER { 0, PTHREAD_MUTEX_NORMAL, 0, 0 }

typedef struct {
	int type;
} pthread_mutexattr_t;

typedef struct {
	volatile unsigned seq;     /* futex word: bumped by every signal */
	volatile unsigned waiters; /* threads in wait: a signal to none is free */
} pthread_cond_t;
#define PTHREAD_COND_INITIALIZER { 0, 0 }

typedef struct {
	int unused;
} pthread_condattr_t;

typedef struct {
	volatile unsigned state; /* 0 not run, 1 running, 2 done */
} pthread_once_t;
#define PTHREAD_ONCE_INIT { 0 }

typedef unsigned pthread_key_t;
#define PTHREAD_KEYS_MAX 32
#define PTHREAD_DESTRUCTOR_ITERATIONS 4

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg);
int pthread_join(pthread_t thread, void **value);
void pthread_exit(void *value) __attribute__((noreturn));
pthread_t pthread_self(void);
int pthread_equal(pthread_t a, pthread_t b);
int pthread_detach(pthread_t thread);
/* Not POSIX (hence _np): unmap the stacks of gone threads that pthread.c
 * keeps for reuse; returns the bytes of mappings given back. */
size_t pthread_stack_cache_trim_np(void);

int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size);
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state);

int pthread_mutexattr_init(pthread_mutexattr_t *attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type);

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m);

int pthread_condattr_init(pthread_condattr_t *attr);
int pthread_condattr_destroy(pthread_condattr_t *attr);
int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
/* abstime: on gettimeofday's clock (CLOCK_REALTIME) */
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime);
int pthread_cond_signal(pthread_cond_t *c);
int pthread_cond_broadcast(pthread_cond_t *c);

int pthread_once(pthread_once_t *once, void (*fn)(void));

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int pthread_key_delete(pthread_key_t key);
void *pthread_getspecific(pthread_key_t key);
int pthread_setspecific(pthread_key_t key, const void *value);

/* <stdio.h>'s POSIX stream locks, which picolibc does not declare
 * (user/lib/lock.c): printf and fprintf already hold them per call. */
void flockfile(FILE *f);
int ftrylockfile(FILE *f);
void funlockfile(FILE *f);

#endif
