/* primes.c: an ordinary pthreads program: count the primes below N with T
 * threads, each taking the next block of numbers; watch it with ps. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "trapdoor.h"

#define BLOCK 1000

static long limit, next_block, total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int is_prime(long n)
{
	if (n < 2)
		return 0;
	for (long d = 2; d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

static void *worker(void *arg)
{
	long id = (long)arg, found = 0, blocks = 0;
	for (;;) {
		pthread_mutex_lock(&lock);
		long from = next_block;
		next_block += BLOCK;
		pthread_mutex_unlock(&lock);
		if (from >= limit)
			break;
		long to = from + BLOCK < limit ? from + BLOCK : limit;
		for (long n = from; n < to; n++)
			found += is_prime(n);
		blocks++;
	}
	pthread_mutex_lock(&lock);
	total += found;
	pthread_mutex_unlock(&lock);
	printf("thread %ld (tid %d): %ld blocks, %ld primes\n", id, gettid(), blocks, found);
	return NULL;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 4;
	limit = argc > 2 ? atol(argv[2]) : 2000000;
	if (nthreads < 1 || nthreads > 64 || limit < 1) {
		fprintf(stderr, "usage: primes [THREADS (1-64)] [LIMIT]\n");
		return 2;
	}
	pthread_t t[64];
	for (long i = 0; i < nthreads; i++) {
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) {
			fprintf(stderr, "primes: cannot create thread %ld\n", i);
			return 1;
		}
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	printf("%ld primes below %ld, %d threads\n", total, limit, nthreads);
	return 0;
}
