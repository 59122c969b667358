/* sameaddr.c: seed 003's experiment: two threads looking at one address see
 * the same value there; two processes (after fork) see different values. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "trapdoor.h"

static int *where; /* the address every line below looks at */

static void *second_thread(void *arg)
{
	(void)arg;
	*where = 2;
	printf("thread %d writes 2 at %p\n", gettid(), (void *)where);
	return NULL;
}

int main(void)
{
	int value = 1;
	where = &value;

	/* Threads share one address space: the write is seen. */
	pthread_t t;
	pthread_create(&t, NULL, second_thread, NULL);
	pthread_join(t, NULL);
	printf("thread %d reads  %d at %p: the same value\n", gettid(), *where, (void *)where);

	/* Processes have an address space each: the child's write is its own. */
	*where = 1;
	int pid = fork();
	if (pid == 0) {
		*where = 2;
		printf("process %d writes 2 at %p\n", getpid(), (void *)where);
		return 0;
	}
	waitpid(pid, NULL, 0);
	printf("process %d reads  %d at %p: a different value\n", getpid(), *where, (void *)where);
	return 0;
}
