/* string.c: the few string and memory routines the kernel needs.
 * memcpy and memset move 8 bytes at a time (memcpy by shifting words
 * when the two ends are aligned differently), 64 bytes per loop round:
 * zeroing and copying whole pages is most of what fork, exec and sbrk
 * cost, and a loop of one store per round spends two more instructions
 * on the loop itself for every store.
 */
#include "kernel.h"

/* Weak: an architecture may bring its own (x86-64's rep movsq/stosq,
 * kernel/arch/x86_64/rep.c). */
__attribute__((weak)) void *memset(void *d, int c, size_t n)
{
	u8 *p = d, *end = p + n;
	if (n >= 8) {
		u64 v = (u8)c * 0x0101010101010101UL;
		while ((u64)p & 7) /* bytes up to an 8-byte boundary */
			*p++ = c;
		u64 *q = (u64 *)p, *qend = (u64 *)((u64)end & ~7UL);
		/* Whole pages (kalloc zeroes every page it hands out) go 256
		 * bytes a round: 35 instructions for 32 stores, against 44
		 * with the 64-byte round below. */
		for (; qend - q >= 32; q += 32) {
#pragma GCC unroll 32
			for (int i = 0; i < 32; i++)
				q[i] = v;
		}
		for (; qend - q >= 8; q += 8) {
			q[0] = v;
			q[1] = v;
			q[2] = v;
			q[3] = v;
			q[4] = v;
			q[5] = v;
			q[6] = v;
			q[7] = v;
		}
		while (q < qend)
			*q++ = v;
		p = (u8 *)q;
	}
	while (p < end) /* what is left: under 8 bytes, or all of a short n */
		*p++ = c;
	return d;
}

/* Each round loads all eight words before storing any, so memmove may use
 * this for overlapping copies to a lower address.  Words are used when
 * both ends are equally aligned: a program's text is copied in at exec
 * with its odd length (972 bytes for /bin/nop), and the byte loop cost
 * five instructions a byte. */
__attribute__((weak)) void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d, *end = dp + n;
	const u8 *sp = s;
	if (n >= 8 && (((u64)dp ^ (u64)sp) & 7) == 0) {
		while ((u64)dp & 7)
			*dp++ = *sp++;
		u64 *dq = (u64 *)dp, *qend = (u64 *)((u64)end & ~7UL);
		const u64 *sq = (const u64 *)sp;
		for (; qend - dq >= 8; dq += 8, sq += 8) {
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
		while (dq < qend)
			*dq++ = *sq++;
		dp = (u8 *)dq;
		sp = (const u8 *)sq;
	} else if (n >= 64) {
		/* Ends aligned differently: an initramfs file's data is 4-byte
		 * aligned in the archive, the page it goes to is not, and the
		 * byte loop spent 3.2 instructions a byte there (21 M of the
		 * x86-64 boot's 25 M).  So aligned source words are shifted
		 * together into each destination word (both machines are
		 * little-endian).  Every aligned load holds at least one byte
		 * of the source, so it never touches a page the source is not
		 * on; and each word is loaded before the store that could
		 * overwrite it, as memmove needs. */
		while ((u64)dp & 7)
			*dp++ = *sp++;
		unsigned r = ((u64)sp & 7) * 8; /* not 0: the ends differ */
		const u64 *sq = (const u64 *)((u64)sp & ~7UL);
		u64 *dq = (u64 *)dp, *qend = (u64 *)((u64)end & ~7UL);
		u64 w = *sq++;
		for (; qend - dq >= 4; dq += 4, sq += 4) {
			u64 a0 = sq[0], a1 = sq[1], a2 = sq[2], a3 = sq[3];
			dq[0] = w >> r | a0 << (64 - r);
			dq[1] = a0 >> r | a1 << (64 - r);
			dq[2] = a1 >> r | a2 << (64 - r);
			dq[3] = a2 >> r | a3 << (64 - r);
			w = a3;
		}
		for (; dq < qend; dq++) {
			u64 a = *sq++;
			*dq = w >> r | a << (64 - r);
			w = a;
		}
		sp += (u8 *)dq - dp;
		dp = (u8 *)dq;
	}
	while (dp < end)
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
