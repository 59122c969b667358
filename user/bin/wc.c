/* wc.c: count lines, words and bytes (-l -w -c; all three by default) in
 * files or standard input, with a total line for more than one file.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int lflag, wflag, cflag, width;
static char buf[32 * 1024];

struct counts {
	unsigned long lines, words, bytes;
};

static int count(int fd, struct counts *c)
{
	int inword = 0;
	long n;
	memset(c, 0, sizeof *c);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		c->bytes += n;
		for (long i = 0; i < n; i++) {
			unsigned char ch = buf[i];
			if (ch == '\n')
				c->lines++;
			if (isspace(ch)) {
				inword = 0;
			} else if (!inword) {
				inword = 1;
				c->words++;
			}
		}
	}
	return n < 0 ? -1 : 0;
}

static void show(const struct counts *c, const char *name)
{
	const char *sep = "";
	if (lflag) {
		printf("%*lu", width, c->lines);
		sep = " ";
	}
	if (wflag) {
		printf("%s%*lu", sep, width, c->words);
		sep = " ";
	}
	if (cflag)
		printf("%s%*lu", sep, width, c->bytes);
	if (name)
		printf(" %s", name);
	printf("\n");
}

static int digits(unsigned long v)
{
	int n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	int i;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (char *p = argv[i] + 1; *p; p++) {
			switch (*p) {
			case 'l': lflag = 1; break;
			case 'w': wflag = 1; break;
			case 'c': cflag = 1; break;
			default:
				fprintf(stderr, "wc: invalid option -- '%c'\nusage: wc [-clw] [file...]\n", *p);
				return 1;
			}
		}
	}
	if (!lflag && !wflag && !cflag)
		lflag = wflag = cflag = 1;
	int nfiles = argc - i;

	/* Columns line up as in GNU wc: as wide as the total byte count (no
	 * count can be larger), at least 7 when a pipe or terminal is among
	 * the inputs, and no padding at all for a single number. */
	unsigned long total_size = 0;
	int odd = nfiles == 0;
	for (int j = i; j < argc; j++) {
		struct stat st;
		if (strcmp(argv[j], "-") == 0)
			odd = 1;
		else if (stat(argv[j], &st) < 0)
			continue; /* an error, not a line of output */
		else if (!S_ISREG(st.st_mode))
			odd = 1;
		else
			total_size += st.st_size;
	}
	width = digits(total_size);
	if (odd && width < 7)
		width = 7;
	if (lflag + wflag + cflag == 1 && nfiles <= 1)
		width = 1;

	struct counts c, total = { 0, 0, 0 };
	int status = 0;
	if (nfiles == 0) {
		if (count(0, &c) < 0) {
			fprintf(stderr, "wc: -: %s\n", strerror(errno));
			return 1;
		}
		show(&c, NULL);
		return 0;
	}
	for (; i < argc; i++) {
		int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
		if (fd < 0 || count(fd, &c) < 0) {
			int e = errno;
			fflush(stdout);
			fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(e));
			status = 1;
			if (fd > 0)
				close(fd);
			continue;
		}
		if (fd > 0)
			close(fd);
		show(&c, argv[i]);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (nfiles > 1)
		show(&total, "total");
	return status;
}
