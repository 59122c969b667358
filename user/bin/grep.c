/* grep.c: print the lines that match a pattern.  Patterns are a subset of
 * POSIX basic regular expressions: literal characters, . * ^ $ [set] and
 * \ to quote; -F takes the pattern literally.  Options -v -i -n -c -q -e.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One element of the compiled pattern: a character, any character, or a
 * set of characters, optionally repeated (star) zero or more times. */
struct atom {
	unsigned char set[32]; /* bit c set: the atom matches byte c */
	int star;
};

static struct atom *atoms;
static int natoms, anchor_bol, anchor_eol;
static int vflag, iflag, nflag, cflag, qflag, Fflag;

static void die(const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "grep: %s\n", msg);
	exit(2);
}

static void addbyte(struct atom *a, unsigned char c)
{
	a->set[c >> 3] |= 1 << (c & 7);
	/* -i folds case when compiling, so matching is a plain lookup */
	if (iflag && isalpha(c)) {
		unsigned char o = islower(c) ? toupper(c) : tolower(c);
		a->set[o >> 3] |= 1 << (o & 7);
	}
}

static struct atom *newatom(void)
{
	struct atom *a = &atoms[natoms++];
	memset(a, 0, sizeof *a);
	return a;
}

/* Parse a bracket expression starting after '['; return the pointer just
 * past its closing ']'. */
static const char *bracket(const char *p, struct atom *a)
{
	int neg = 0;
	if (*p == '^') {
		neg = 1;
		p++;
	}
	/* a ']' right at the start is a member, not the end */
	const char *start = p;
	while (*p && (*p != ']' || p == start)) {
		unsigned char lo = *p, hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2];
			p += 3;
		} else {
			p++;
		}
		if (hi < lo)
			die("Invalid range end");
		for (unsigned c = lo; c <= hi; c++)
			addbyte(a, c);
	}
	if (*p != ']')
		die("Unmatched [, [^, [:, [., or [=");
	if (neg) {
		for (int i = 0; i < 32; i++)
			a->set[i] = ~a->set[i];
		a->set['\n' >> 3] &= ~(1 << ('\n' & 7));
	}
	return p + 1;
}

static void compile(const char *pat)
{
	/* never more atoms than pattern bytes */
	atoms = malloc((strlen(pat) + 1) * sizeof *atoms);
	if (!atoms)
		die("out of memory");
	const char *p = pat;
	if (Fflag) {
		for (; *p; p++)
			addbyte(newatom(), *p);
		return;
	}
	if (*p == '^') {
		anchor_bol = 1;
		p++;
	}
	while (*p) {
		if (*p == '$' && p[1] == 0) {
			anchor_eol = 1;
			break;
		}
		/* a '*' with nothing before it is an ordinary character */
		if (*p == '*' && natoms > 0) {
			atoms[natoms - 1].star = 1;
			p++;
			continue;
		}
		struct atom *a = newatom();
		if (*p == '.') {
			memset(a->set, 0xff, sizeof a->set);
			p++;
		} else if (*p == '[') {
			p = bracket(p + 1, a);
		} else if (*p == '\\') {
			if (!p[1])
				die("Trailing backslash");
			addbyte(a, p[1]);
			p += 2;
		} else {
			addbyte(a, *p++);
		}
	}
}

static int member(const struct atom *a, unsigned char c)
{
	return a->set[c >> 3] & (1 << (c & 7));
}

/* Does the pattern from atom a on match the text starting at s?  A starred
 * atom takes as many characters as it can and gives them back one by one
 * until the rest matches. */
static int matchhere(const struct atom *a, int n, const char *s, const char *end)
{
	for (; n > 0; a++, n--) {
		if (a->star) {
			const char *t = s;
			while (t < end && member(a, *t))
				t++;
			for (;; t--) {
				if (matchhere(a + 1, n - 1, t, end))
					return 1;
				if (t == s)
					return 0;
			}
		}
		if (s == end || !member(a, *s))
			return 0;
		s++;
	}
	return !anchor_eol || s == end;
}

static int match(const char *line, long len)
{
	const char *end = line + len;
	if (anchor_bol)
		return matchhere(atoms, natoms, line, end);
	for (const char *s = line; s <= end; s++)
		if (matchhere(atoms, natoms, s, end))
			return 1;
	return 0;
}

/* Lines of any length from a descriptor, read in big blocks. */
struct reader {
	int fd;
	char buf[32 * 1024];
	long pos, len;
	char *line;
	long cap;
};

/* The next line without its newline: its length, -1 at the end, -2 on a
 * read error (errno set). */
static long nextline(struct reader *r)
{
	long n = 0;
	for (;;) {
		if (r->pos == r->len) {
			r->len = read(r->fd, r->buf, sizeof r->buf);
			r->pos = 0;
			if (r->len < 0) {
				r->len = 0;
				return -2;
			}
			if (r->len == 0)
				return n > 0 ? n : -1;
		}
		char *start = r->buf + r->pos;
		char *nl = memchr(start, '\n', r->len - r->pos);
		long take = nl ? nl - start : r->len - r->pos;
		if (n + take + 1 > r->cap) {
			r->cap = (n + take + 1) * 2;
			r->line = realloc(r->line, r->cap);
			if (!r->line)
				die("out of memory");
		}
		memcpy(r->line + n, start, take);
		n += take;
		r->pos += take + (nl ? 1 : 0);
		if (nl)
			return n;
	}
}

static struct reader rd;

/* Search one file; return how many lines were selected, -1 on error. */
static long grepfile(int fd, const char *name, int showname)
{
	long count = 0, lineno = 0, n;
	rd.fd = fd;
	rd.pos = rd.len = 0;
	while ((n = nextline(&rd)) >= 0) {
		lineno++;
		if (match(rd.line, n) == vflag)
			continue;
		count++;
		if (qflag)
			exit(0);
		if (cflag)
			continue;
		if (showname)
			printf("%s:", name);
		if (nflag)
			printf("%ld:", lineno);
		fwrite(rd.line, 1, n, stdout);
		putchar('\n');
	}
	if (n == -2) {
		int e = errno;
		fflush(stdout);
		fprintf(stderr, "grep: %s: %s\n", name, strerror(e));
		return -1;
	}
	if (cflag) {
		if (showname)
			printf("%s:", name);
		printf("%ld\n", count);
	}
	return count;
}

static void usage(void)
{
	fprintf(stderr, "usage: grep [-cinqvF] [-e] pattern [file...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *pat = NULL;
	int i;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (char *p = argv[i] + 1; *p; p++) {
			switch (*p) {
			case 'v': vflag = 1; break;
			case 'i': iflag = 1; break;
			case 'n': nflag = 1; break;
			case 'c': cflag = 1; break;
			case 'q': qflag = 1; break;
			case 'F': Fflag = 1; break;
			case 'e':
				/* -e PAT or -ePAT */
				if (p[1])
					pat = p + 1;
				else if (i + 1 < argc)
					pat = argv[++i];
				else
					usage();
				p += strlen(p) - 1;
				break;
			default:
				fprintf(stderr, "grep: invalid option -- '%c'\n", *p);
				usage();
			}
		}
	}
	if (!pat) {
		if (i >= argc)
			usage();
		pat = argv[i++];
	}
	compile(pat);

	/* Into a pipe or file, whole blocks rather than a write per line. */
	static char obuf[8192];
	if (!isatty(1))
		setvbuf(stdout, obuf, _IOFBF, sizeof obuf);

	int nfiles = argc - i, matched = 0, error = 0;
	if (nfiles == 0) {
		long c = grepfile(0, "(standard input)", 0);
		matched = c > 0;
		error = c < 0;
	}
	for (; i < argc; i++) {
		int stdin_ = strcmp(argv[i], "-") == 0;
		int fd = stdin_ ? 0 : open(argv[i], O_RDONLY);
		if (fd < 0) {
			int e = errno;
			fflush(stdout);
			fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(e));
			error = 1;
			continue;
		}
		long c = grepfile(fd, stdin_ ? "(standard input)" : argv[i], nfiles > 1);
		if (c > 0)
			matched = 1;
		if (c < 0)
			error = 1;
		if (!stdin_)
			close(fd);
	}
	return error ? 2 : matched ? 0 : 1;
}
