/* user/user.h (xv6 compatibility): the calls an xv6-riscv program may use,
 * with the C types xv6 gives them, grouped by where Trapdoor provides them.
 */
#ifndef XV6_USER_H
#define XV6_USER_H
struct stat;

/* Trapdoor's own system-call stubs (user/lib/usys.S): same meaning as xv6 */
int fork(void);
int pipe(int *);
int write(int, const void *, int);
int close(int);
int dup(int);
int link(const char *, const char *);
int chdir(const char *);
int getpid(void);
char *sbrk(int);

/* xv6's meaning made in user/xv6/ulib.c (compat.h renames each to xv6_NAME) */
int exit(int) __attribute__((noreturn));
int wait(int *status);
int kill(int pid);
int exec(const char *path, char **argv);
int open(const char *path, int flags);
int read(int, void *, int);
int unlink(const char *);
int mkdir(const char *);
int mknod(const char *path, short major, short minor);
int fstat(int fd, struct stat *);
int stat(const char *path, struct stat *);
int sleep(int ticks);
int uptime(void);
char *gets(char *buf, int max);
void printf(const char *fmt, ...);
void fprintf(int fd, const char *fmt, ...);

/* The C library's (picolibc, musl on x86-64), declared with xv6's argument
 * types (programs are built with -fno-builtin, so these need not match
 * <string.h>'s).  Where the library takes a size_t, x86-64 passes xv6's
 * 32-bit int in a 64-bit register whose upper half the ABI leaves
 * undefined: the sizes xv6's programs pass are below 2^31, and sbrk's
 * delta is read as an int by the kernel itself, so a negative one works. */
void *malloc(unsigned int);
void free(void *);
int atoi(const char *);
unsigned int strlen(const char *);
char *strcpy(char *, const char *);
int strcmp(const char *, const char *);
char *strchr(const char *, char c);
void *memset(void *, int, unsigned int);
void *memmove(void *, const void *, int);
void *memcpy(void *, const void *, unsigned int);
int memcmp(const void *, const void *, unsigned int);
#endif
