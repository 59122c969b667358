/* tlsinit.c: a thread-local variable starts at its initial value, in the
 * first thread and in every new one (on x86-64, musl finds the TLS image
 * through the auxv's AT_PHDR that exec writes). */
#include <pthread.h>
#include "tap.h"

static __thread int mine = 7;
static __thread char text[8] = "tls";

static void *work(void *arg)
{
	int was = mine;
	mine += (int)(long)arg;
	return (void *)(long)(was == 7 && strcmp(text, "tls") == 0 ? mine : -1);
}

int main(void)
{
	plan(3);
	check(mine == 7 && strcmp(text, "tls") == 0, "the first thread's copy starts initialized (%d, '%s')", mine, text);
	pthread_t t[4];
	long sum = 0;
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], 0, work, (void *)i);
	for (int i = 0; i < 4; i++) {
		void *v;
		pthread_join(t[i], &v);
		sum += (long)v;
	}
	check(sum == 4 * 7 + 0 + 1 + 2 + 3, "each new thread's copy starts at 7 and is its own (sum %ld, want 34)", sum);
	check(mine == 7, "the first thread's copy is untouched by theirs (%d)", mine);
	return tap_done();
}
