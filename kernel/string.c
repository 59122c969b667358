/* string.c: the few string and memory routines the kernel needs.
 * memcpy and memset move 8 bytes at a time when both ends are aligned,
 * 64 bytes per loop round: zeroing and copying whole pages is most of
 * what fork, exec and sbrk cost, and a loop of one store per round spends
 * two more instructions on the loop itself for every store.
 */
#include "kernel.h"

void *memset(void *d, int c, size_t n)
{
	u8 *p = d;
	if ((((u64)p | n) & 7) == 0) {
		u64 v = (u8)c * 0x0101010101010101UL;
		u64 *q = (u64 *)p, *end = (u64 *)(p + n);
		for (; end - q >= 8; q += 8) {
			q[0] = v;
			q[1] = v;
			q[2] = v;
			q[3] = v;
			q[4] = v;
			q[5] = v;
			q[6] = v;
			q[7] = v;
		}
		while (q < end)
			*q++ = v;
		return d;
	}
	while (n--)
		*p++ = c;
	return d;
}

/* Each round loads all eight words before storing any, so memmove may use
 * this for overlapping copies to a lower address. */
void *memcpy(void *d, const void *s, size_t n)
{
	if ((((u64)d | (u64)s | n) & 7) == 0) {
		u64 *dq = d, *end = (u64 *)((u8 *)d + n);
		const u64 *sq = s;
		for (; end - dq >= 8; dq += 8, sq += 8) {
			u64 a0 = sq[0], a1 = sq[1], a2 = sq[2], a3 = sq[3];
			u64 a4 = sq[4], a5 = sq[5], a6 = sq[6], a7 = sq[7];
			dq[0] = a0;
			dq[1] = a1;
			dq[2] = a2;
			dq[3] = a3;
			dq[4] = a4;
			dq[5] = a5;
			dq[6] = a6;
			dq[7] = a7;
		}
		while (dq < end)
			*dq++ = *sq++;
		return d;
	}
	u8 *dp = d;
	const u8 *sp = s;
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == c)
			return (char *)s;
	return c ? NULL : (char *)s;
}

size_t strlcpy(char *d, const char *s, size_t n)
{
	size_t l = strlen(s);
	if (n) {
		size_t c = l < n - 1 ? l : n - 1;
		memcpy(d, s, c);
		d[c] = 0;
	}
	return l;
}

const char *strstr(const char *h, const char *n)
{
	size_t l = strlen(n);
	for (; *h; h++)
		if (strncmp(h, n, l) == 0)
			return h;
	return l ? NULL : h;
}

u64 parse_uint(const char *s, const char **end)
{
	u64 v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	if (end)
		*end = s;
	return v;
}
