/* sh.c: the shell: seed 003's loop of read a command, fork, exec in the
 * child, wait in the parent.  Pipelines, redirections (< > >> 2> 2>&1),
 * background jobs (&), sequences (;), quotes, $VAR and $?, cd, exit,
 * export, ulimit, scripts (sh FILE) and sh -c CMD.  Ctrl-C stops the
 * foreground job (its own process group is the console's foreground group).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "trapdoor.h"

#define MAXWORDS 128
#define MAXCMDS 32
#define LINE 1024

struct redir {
	int fd;          /* 0, 1 or 2 */
	int flags;       /* open flags; -1: dup of fd `dupfrom` */
	int dupfrom;
	char *path;
};

struct cmd {
	char *argv[MAXWORDS];
	int argc;
	struct redir redir[8];
	int nredir;
};

static int last_status;
static int interactive;

/* --- jobs: background pipelines, reaped before each prompt --- */

static void reap_background(void)
{
	int st, pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (interactive) {
			if (WIFSIGNALED(st))
				printf("[%d] killed by signal %d\n", pid, WTERMSIG(st));
			else
				printf("[%d] done, status %d\n", pid, WEXITSTATUS(st));
		}
	}
}

/* --- lexing: words with quotes and $ expansion --- */

static char *expand_var(const char **pp, char *out, char *end)
{
	const char *p = *pp;
	char name[64];
	int n = 0;
	if (*p == '?') {
		p++;
		out += snprintf(out, end - out, "%d", last_status);
	} else if (*p == '$') {
		p++;
		out += snprintf(out, end - out, "%d", getpid());
	} else {
		if (*p == '{') {
			p++;
			while (*p && *p != '}' && n < 63)
				name[n++] = *p++;
			if (*p == '}')
				p++;
		} else {
			while ((isalnum((unsigned char)*p) || *p == '_') && n < 63)
				name[n++] = *p++;
		}
		name[n] = 0;
		const char *v = n ? getenv(name) : "$";
		if (v)
			out += snprintf(out, end - out, "%s", v);
	}
	if (out > end)
		out = end;
	*pp = p;
	return out;
}

/* Split line into tokens: words (expanded, unquoted) and the operators
 * | ; & < > >> 2> 2>&1.  Operators come back as "\001|" etc. so a quoted
 * "|" stays a word. */
static int tokenize(const char *line, char **tok, int max, char *buf, size_t bufsz)
{
	const char *p = line;
	char *out = buf, *end = buf + bufsz - 1;
	int n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (n >= max - 1 || out >= end - 8)
			return -1;
		tok[n++] = out;
		if (*p == '|' || *p == ';' || *p == '&' || *p == '<' || *p == '>' ||
		    (p[0] == '2' && p[1] == '>')) {
			*out++ = '\001';
			if (p[0] == '2' && p[1] == '>' && p[2] == '&' && p[3] == '1') {
				out = stpcpy(out, "2>&1");
				p += 4;
			} else if (p[0] == '2' && p[1] == '>') {
				out = stpcpy(out, "2>");
				p += 2;
			} else if (p[0] == '>' && p[1] == '>') {
				out = stpcpy(out, ">>");
				p += 2;
			} else {
				*out++ = *p++;
			}
			*out++ = 0;
			continue;
		}
		while (*p && !strchr(" \t\n|;&<>", *p) && out < end) {
			if (*p == '\'') {
				p++;
				while (*p && *p != '\'' && out < end)
					*out++ = *p++;
				if (*p)
					p++;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"' && out < end) {
					if (*p == '$' && p[1] && p[1] != ' ') {
						p++;
						out = expand_var(&p, out, end);
					} else if (*p == '\\' && p[1]) {
						p++;
						*out++ = *p++;
					} else {
						*out++ = *p++;
					}
				}
				if (*p)
					p++;
			} else if (*p == '\\' && p[1]) {
				p++;
				*out++ = *p++;
			} else if (*p == '$' && p[1] && p[1] != ' ') {
				p++;
				out = expand_var(&p, out, end);
			} else {
				*out++ = *p++;
			}
		}
		*out++ = 0;
	}
	tok[n] = NULL;
	return n;
}

static int isop(const char *t, const char *op) { return t && t[0] == '\001' && strcmp(t + 1, op) == 0; }

/* --- running --- */

/* A forked child that does not exec leaves by _exit, after flushing what
 * it printed: exit() would close the child's copies of the shell's FILEs
 * too, and for an input stream C moves the descriptor's offset back to
 * the stream's position (musl does; picolibc does not).  The offset is
 * shared with the parent, which then reads the rest of its script again,
 * line after line of it, as often as a child exits. */
static int in_child; /* this is a forked child of the shell */
static void child_exit(int status)
{
	fflush(stdout);
	_exit(status);
}

static void apply_redirs(struct cmd *c)
{
	for (int i = 0; i < c->nredir; i++) {
		struct redir *r = &c->redir[i];
		if (r->flags < 0) {
			dup2(r->dupfrom, r->fd);
			continue;
		}
		int fd = open(r->path, r->flags, 0644);
		if (fd < 0) {
			fprintf(stderr, "sh: %s: %s\n", r->path, strerror(errno));
			child_exit(1);
		}
		if (fd != r->fd) {
			dup2(fd, r->fd);
			close(fd);
		}
	}
}

static void child_exec(struct cmd *c)
{
	execvp(c->argv[0], c->argv);
	int e = errno;
	fprintf(stderr, "sh: %s: %s\n", c->argv[0], e == ENOENT ? "not found" : strerror(e));
	child_exit(e == ENOENT ? 127 : 126);
}

/* Find cmd on PATH for spawn (which takes a path, not a name). */
static int resolve(const char *name, char *out, size_t n)
{
	if (strchr(name, '/')) {
		snprintf(out, n, "%s", name);
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		snprintf(out, n, "%.*s/%s", (int)len, path, name);
		if (access(out, X_OK) == 0)
			return 0;
		path += len + (end ? 1 : 0);
	}
	return -1;
}

/* --- ulimit: the shell's own limits, which its children inherit --- */

static const struct {
	char opt;
	int res;
	unsigned long unit; /* bytes per number shown */
	const char *what;
} limits[] = {
	{ 'u', RLIMIT_NPROC, 1, "max user processes" },
	{ 'v', RLIMIT_AS, 1024, "virtual memory (kbytes)" },
	{ 's', RLIMIT_STACK, 1024, "stack size (kbytes)" },
	{ 'n', RLIMIT_NOFILE, 1, "open files" },
};
#define NLIMITS (int)(sizeof limits / sizeof limits[0])

static void show_limit(int i, int hard, int label)
{
	struct rlimit rl;
	if (getrlimit(limits[i].res, &rl) < 0) {
		fprintf(stderr, "sh: ulimit: %s\n", strerror(errno));
		return;
	}
	rlim_t v = hard ? rl.rlim_max : rl.rlim_cur;
	if (label)
		printf("%-28s(-%c) ", limits[i].what, limits[i].opt);
	if (v == RLIM_INFINITY)
		printf("unlimited\n");
	else
		printf("%lu\n", (unsigned long)(v / limits[i].unit)); /* rlim_t: musl's is long long */
}

/* ulimit [-S|-H] [-a | -u|-v|-s|-n [N|unlimited]]: show a limit (the
 * soft one, or -H the hard one), all of them (-a), or set one: -S the
 * soft, -H the hard, neither both, as in sh.  The default is -u. */
static int ulimit(struct cmd *c)
{
	int soft = 0, hard = 0, all = 0, which = 0, i = 1;
	for (; i < c->argc && c->argv[i][0] == '-' && c->argv[i][1]; i++) {
		for (const char *o = c->argv[i] + 1; *o; o++) {
			int k = 0;
			while (k < NLIMITS && limits[k].opt != *o)
				k++;
			if (*o == 'S')
				soft = 1;
			else if (*o == 'H')
				hard = 1;
			else if (*o == 'a')
				all = 1;
			else if (k < NLIMITS)
				which = k;
			else {
				fprintf(stderr, "sh: ulimit: -%c: unknown option (-a -S -H -u -v -s -n)\n", *o);
				return 2;
			}
		}
	}
	if (all) {
		for (int k = 0; k < NLIMITS; k++)
			show_limit(k, hard, 1);
		return 0;
	}
	if (i >= c->argc) {
		show_limit(which, hard, 0);
		return 0;
	}
	struct rlimit rl;
	rlim_t v;
	char *end;
	if (strcmp(c->argv[i], "unlimited") == 0) {
		v = RLIM_INFINITY;
	} else {
		v = strtoul(c->argv[i], &end, 10);
		if (end == c->argv[i] || *end) {
			fprintf(stderr, "sh: ulimit: %s: not a number\n", c->argv[i]);
			return 2;
		}
		v *= limits[which].unit;
	}
	if (getrlimit(limits[which].res, &rl) < 0)
		return 1;
	if (!hard || soft)
		rl.rlim_cur = v;
	if (!soft || hard)
		rl.rlim_max = v;
	if (setrlimit(limits[which].res, &rl) < 0) {
		fprintf(stderr, "sh: ulimit: -%c: %s\n", limits[which].opt, strerror(errno));
		return 1;
	}
	return 0;
}

static int builtin(struct cmd *c)
{
	char *a0 = c->argv[0];
	if (strcmp(a0, "cd") == 0) {
		const char *dir = c->argc > 1 ? c->argv[1] : getenv("HOME");
		if (!dir)
			dir = "/";
		if (chdir(dir) < 0) {
			fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
			last_status = 1;
		} else {
			last_status = 0;
		}
		return 1;
	}
	if (strcmp(a0, "exit") == 0) {
		int st = c->argc > 1 ? atoi(c->argv[1]) : last_status;
		if (in_child) /* exit in a pipeline */
			child_exit(st);
		exit(st);
	}
	if (strcmp(a0, "export") == 0) {
		last_status = 0;
		for (int i = 1; i < c->argc; i++) {
			char *eq = strchr(c->argv[i], '=');
			if (eq) {
				*eq = 0;
				setenv(c->argv[i], eq + 1, 1);
				*eq = '=';
			}
		}
		return 1;
	}
	if (strcmp(a0, "unset") == 0) {
		for (int i = 1; i < c->argc; i++)
			unsetenv(c->argv[i]);
		last_status = 0;
		return 1;
	}
	if (strcmp(a0, "ulimit") == 0) {
		last_status = ulimit(c);
		return 1;
	}
	if (strcmp(a0, "wait") == 0) {
		int st;
		while (wait(&st) > 0)
			;
		last_status = 0;
		return 1;
	}
	return 0;
}

static int status_of(int st)
{
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* Run one pipeline of n commands, in the background if bg. */
static void run_pipeline(struct cmd *cmds, int n, int bg)
{
	if (n == 1 && cmds[0].argc > 0 && !bg && builtin(&cmds[0]))
		return;
	int pids[MAXCMDS], pgid = 0, in = -1;
	/* A lone command without redirections: spawn builds it from scratch,
	 * no copy of the shell (seed 003's "process from scratch"). */
	if (n == 1 && cmds[0].nredir == 0) {
		char path[256];
		if (resolve(cmds[0].argv[0], path, sizeof path) == 0) {
			int pid = spawn(path, cmds[0].argv, environ);
			if (pid > 0) {
				setpgid(pid, pid);
				pids[0] = pgid = pid;
				goto started;
			}
		}
	}
	for (int i = 0; i < n; i++) {
		int p[2] = { -1, -1 };
		if (i + 1 < n && pipe(p) < 0) {
			perror("sh: pipe");
			break;
		}
		int pid = fork();
		if (pid < 0) {
			perror("sh: fork");
			break;
		}
		if (pid == 0) {
			in_child = 1;
			setpgid(0, pgid ? pgid : 0);
			if (in >= 0) {
				dup2(in, 0);
				close(in);
			}
			if (p[1] >= 0) {
				dup2(p[1], 1);
				close(p[1]);
				close(p[0]);
			}
			apply_redirs(&cmds[i]);
			if (cmds[i].argc == 0)
				child_exit(0);
			if (builtin(&cmds[i]))
				child_exit(last_status);
			child_exec(&cmds[i]);
		}
		if (!pgid)
			pgid = pid;
		setpgid(pid, pgid);
		pids[i] = pid;
		if (in >= 0)
			close(in);
		if (p[1] >= 0)
			close(p[1]);
		in = p[0];
	}
	if (in >= 0)
		close(in);
started:
	if (bg) {
		if (interactive)
			printf("[%d]\n", pids[0]);
		last_status = 0;
		return;
	}
	fgpgrp(pgid);
	for (int i = 0; i < n; i++) {
		int st = 0;
		if (waitpid(pids[i], &st, 0) == pids[i] && i == n - 1)
			last_status = status_of(st);
	}
	fgpgrp(0);
}

/* Parse and run one pipeline (no ; or & inside), in the background if bg.
 * Words are expanded only now, so "false; echo $?" sees false's status. */
static void run_segment(const char *seg, int bg)
{
	static char buf[LINE * 2];
	char *tok[MAXWORDS * 2];
	int nt = tokenize(seg, tok, MAXWORDS * 2, buf, sizeof buf);
	if (nt < 0) {
		fprintf(stderr, "sh: line too long\n");
		last_status = 2;
		return;
	}
	if (nt == 0)
		return;
	struct cmd cmds[MAXCMDS];
	int n = 0;
	memset(&cmds[0], 0, sizeof cmds[0]);
	for (int i = 0; i < nt; i++) {
		char *t = tok[i];
		struct cmd *c = &cmds[n];
		if (isop(t, "|")) {
			if ((c->argc == 0 && c->nredir == 0) || n + 1 >= MAXCMDS)
				goto syntax;
			n++;
			memset(&cmds[n], 0, sizeof cmds[n]);
			continue;
		}
		if (t[0] == '\001') {
			struct redir *r = &c->redir[c->nredir];
			if (c->nredir >= 8)
				goto syntax;
			if (strcmp(t + 1, "2>&1") == 0) {
				r->fd = 2;
				r->flags = -1;
				r->dupfrom = 1;
				c->nredir++;
				continue;
			}
			if (i + 1 >= nt || tok[i + 1][0] == '\001')
				goto syntax;
			r->path = tok[++i];
			r->fd = t[1] == '<' ? 0 : t[1] == '2' ? 2 : 1;
			r->flags = t[1] == '<' ? O_RDONLY :
				   strcmp(t + 1, ">>") == 0 ? O_WRONLY | O_CREAT | O_APPEND : O_WRONLY | O_CREAT | O_TRUNC;
			c->nredir++;
			continue;
		}
		if (c->argc < MAXWORDS - 1)
			c->argv[c->argc++] = t;
	}
	if (cmds[n].argc == 0 && (n > 0 || cmds[n].nredir == 0))
		goto syntax;
	run_pipeline(cmds, n + 1, bg);
	return;
syntax:
	fprintf(stderr, "sh: syntax error\n");
	last_status = 2;
}

/* Run one line: pipelines separated by ; (in order) and & (background).
 * Splits at unquoted ; and & (not the & of 2>&1). */
static void run_line(const char *line)
{
	char seg[LINE];
	size_t n = 0;
	char quote = 0;
	for (const char *p = line;; p++) {
		char c = *p;
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '\\' && p[1]) {
			if (n < sizeof seg - 2)
				seg[n++] = *p++;
			c = *p;
		} else if (c == '#' && (n == 0 || seg[n - 1] == ' ' || seg[n - 1] == '\t')) {
			c = 0; /* a comment runs to the end of the line */
		} else if (c == ';' || (c == '&' && !(n > 0 && seg[n - 1] == '>')) || c == 0 || c == '\n') {
			seg[n] = 0;
			run_segment(seg, c == '&');
			n = 0;
			if (c == 0 || c == '\n')
				return;
			continue;
		}
		if (c == 0) {
			seg[n] = 0;
			run_segment(seg, 0);
			return;
		}
		if (n < sizeof seg - 1)
			seg[n++] = c;
	}
}

static int run_file(FILE *f)
{
	char line[LINE];
	while (fgets(line, sizeof line, f))
		run_line(line);
	return last_status;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		run_line(argv[2]);
		return last_status;
	}
	if (argc > 1) {
		FILE *f = fopen(argv[1], "r");
		if (!f) {
			fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
			return 127;
		}
		return run_file(f);
	}
	interactive = isatty(0);
	/* Claim the console (no job in the foreground yet): the kernel then
	 * knows this is the shell its user types at, and its out-of-memory
	 * killer spares it. */
	if (interactive)
		fgpgrp(0);
	char line[LINE];
	for (;;) {
		reap_background();
		if (interactive) {
			fputs("$ ", stdout);
			fflush(stdout);
		}
		if (!fgets(line, sizeof line, stdin)) {
			if (interactive)
				printf("\n");
			break;
		}
		run_line(line);
	}
	return last_status;
}
