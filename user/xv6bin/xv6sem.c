// xv6sem.c: xv6's semantics where they differ from POSIX, as xv6 programs
// see them through user/xv6/ (wait status, unlink, directory reads, fstat,
// printf, malloc beside a program's own sbrk).
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/riscv.h"
#include "user/user.h"

static int failures;

static void
ok(int cond, char *what)
{
  printf("%s - %s\n", cond ? "ok" : "not ok", what);
  if(!cond)
    failures++;
}

static int
status_of(int how)
{
  int pid = fork();
  if(pid == 0){
    if(how == 1)
      for(;;)
        sleep(1);
    exit(how);
  }
  if(how == 1){
    sleep(1);
    kill(pid);
  }
  int st = 12345;
  if(wait(&st) != pid)
    return 12345;
  return st;
}

static void
waitstatus(void)
{
  ok(status_of(3) == 3, "wait: exit(3) gives status 3");
  ok(status_of(-1) == -1, "wait: exit(-1) gives status -1");
  ok(status_of(1) == -1, "wait: a killed process's status is -1");
  int pid = fork();
  if(pid == 0)
    exit(0);
  ok(wait(0) == pid, "wait(0): the status may be ignored");
  ok(wait(0) == -1, "wait: no children left is -1");
}

static void
unlinkdir(void)
{
  struct stat st;
  mkdir("/tmp/x6e");
  ok(unlink("/tmp/x6e") == 0, "unlink removes an empty directory");
  ok(stat("/tmp/x6e", &st) < 0, "unlink: the directory is gone");
  mkdir("/tmp/x6f");
  close(open("/tmp/x6f/a", O_CREATE | O_RDWR));
  ok(unlink("/tmp/x6f") < 0, "unlink of a directory that is not empty fails");
  ok(stat("/tmp/x6f/a", &st) == 0, "unlink: the full directory is still there");
  ok(unlink("/tmp/x6f/.") < 0 && unlink("/tmp/x6f/..") < 0, "unlink of . and .. fails");
  unlink("/tmp/x6f/a");
  ok(unlink("/tmp/x6f") == 0, "unlink removes it once empty");
}

// the names read from directory fd, 16-byte records read n at a time
static int
readnames(int fd, int n, char names[][DIRSIZ + 1], ushort *inums, int max)
{
  struct dirent de[8];
  int count = 0, r;
  while((r = read(fd, de, n * sizeof(de[0]))) > 0){
    if(r % sizeof(de[0]) != 0)
      return -100;
    for(int i = 0; i < r / sizeof(de[0]) && count < max; i++){
      if(de[i].inum == 0)
        continue;
      memmove(names[count], de[i].name, DIRSIZ);
      names[count][DIRSIZ] = 0;
      inums[count] = de[i].inum;
      count++;
    }
  }
  return r < 0 ? -1 : count;
}

static int
find(char names[][DIRSIZ + 1], int n, char *name)
{
  for(int i = 0; i < n; i++)
    if(strcmp(names[i], name) == 0)
      return i;
  return -1;
}

static void
dirread(void)
{
  char names[20][DIRSIZ + 1];
  ushort inums[20];
  struct stat st, sta;

  mkdir("/tmp/x6d");
  close(open("/tmp/x6d/a", O_CREATE | O_RDWR));
  close(open("/tmp/x6d/bb", O_CREATE | O_RDWR));
  close(open("/tmp/x6d/fifteen_letters", O_CREATE | O_RDWR));
  mkdir("/tmp/x6d/sub");

  int fd = open("/tmp/x6d", O_RDONLY);
  ok(fd >= 0, "open a directory to read it");
  struct dirent de;
  ok(read(fd, &de, sizeof(de)) == sizeof(de), "read of a directory gives a 16-byte struct dirent");
  ok(de.inum != 0 && strcmp(de.name, ".") == 0, "the first record is .");
  close(fd);

  for(int n = 1; n <= 3; n += 2){
    fd = open("/tmp/x6d", O_RDONLY);
    int count = readnames(fd, n, names, inums, 20);
    close(fd);
    char *what = n == 1 ? "read of a directory one record at a time: every entry once"
                        : "read of a directory three records at a time: every entry once";
    ok(count == 6 && find(names, count, ".") >= 0 && find(names, count, "..") >= 0 &&
       find(names, count, "a") >= 0 && find(names, count, "bb") >= 0 &&
       find(names, count, "sub") >= 0, what);
  }
  // a name longer than DIRSIZ comes cut to DIRSIZ bytes, without a NUL
  ok(find(names, 6, "fifteen_letter") >= 0, "a long name is cut to DIRSIZ (14) bytes");
  int ia = find(names, 6, "a");
  ok(ia >= 0 && stat("/tmp/x6d/a", &sta) == 0 && inums[ia] == (ushort)sta.ino,
     "a record's inum is the file's inode number");

  ok(stat("/tmp/x6d", &st) == 0 && st.type == T_DIR, "stat: a directory is T_DIR");
  fd = open("/tmp/x6d/a", O_RDWR);
  write(fd, "hello", 5);
  ok(fstat(fd, &st) == 0 && st.type == T_FILE && st.size == 5 && st.nlink == 1 && st.ino == sta.ino,
     "fstat: a file is T_FILE with its size, nlink and ino");
  close(fd);
  link("/tmp/x6d/a", "/tmp/x6d/c");
  ok(stat("/tmp/x6d/a", &st) == 0 && st.nlink == 2, "stat: nlink counts a link");
  fd = open("/dev/console", O_RDWR);
  ok(fd >= 0 && fstat(fd, &st) == 0 && st.type == T_DEVICE, "fstat: the console is T_DEVICE");
  close(fd);
  ok(open("/tmp/x6d", O_RDWR) < 0, "a directory cannot be opened for writing");

  unlink("/tmp/x6d/a");
  unlink("/tmp/x6d/c");
  unlink("/tmp/x6d/bb");
  unlink("/tmp/x6d/fifteen_letters");
  unlink("/tmp/x6d/sub");
  ok(unlink("/tmp/x6d") == 0, "unlink: cleaned up");
}

// a directory of more entries than one getdents() batch holds, read a few
// records at a time: each entry comes exactly once
static void
bigdir(void)
{
  enum { N = 150 };
  char name[40], seen[N];
  mkdir("/tmp/x6b");
  strcpy(name, "/tmp/x6b/f000_a_long_file_name");
  for(int i = 0; i < N; i++){
    name[10] = '0' + i / 100;
    name[11] = '0' + i / 10 % 10;
    name[12] = '0' + i % 10;
    close(open(name, O_CREATE | O_RDWR));
  }
  memset(seen, 0, sizeof(seen));
  int fd = open("/tmp/x6b", O_RDONLY), r, others = 0, bad = 0;
  struct dirent de[5];
  while((r = read(fd, de, sizeof(de))) > 0){
    for(int j = 0; j < r / sizeof(de[0]); j++){
      char *s = de[j].name;
      if(s[0] == 'f' && memcmp(s + 4, "_a_long_fi", 10) == 0){
        int i = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        if(i < 0 || i >= N || seen[i]++)
          bad++;
      } else
        others++;
    }
  }
  close(fd);
  int all = 1;
  for(int i = 0; i < N; i++)
    all = all && seen[i] == 1;
  ok(r == 0 && all && bad == 0 && others == 2, "a directory of 150 entries read 5 records at a time: each once");
  for(int i = 0; i < N; i++){
    name[10] = '0' + i / 100;
    name[11] = '0' + i / 10 % 10;
    name[12] = '0' + i % 10;
    unlink(name);
  }
  unlink("/tmp/x6b");
}

static void
openmode(void)
{
  // xv6's open() has no mode: what it creates can be written and read back
  int fd = open("/tmp/x6m", O_CREATE | O_WRONLY);
  ok(fd >= 0 && write(fd, "xv6", 3) == 3, "open(O_CREATE) makes a file it can write");
  close(fd);
  char buf[4] = {0};
  fd = open("/tmp/x6m", O_RDONLY);
  ok(fd >= 0 && read(fd, buf, 3) == 3 && strcmp(buf, "xv6") == 0, "and read back");
  close(fd);
  unlink("/tmp/x6m");
}

static void
printfmt(void)
{
  // xv6's printf language: %l is a uint64, %p 16 hex digits, %s of 0 "(null)"
  int p[2];
  char buf[100];
  pipe(p);
  fprintf(p[1], "%d %x %l %p %s|%c%%%q", -5, 255, (uint64)1 << 40, (void *)0x10, (char *)0, 'z');
  close(p[1]);
  int n = read(p[0], buf, sizeof(buf) - 1);
  close(p[0]);
  buf[n < 0 ? 0 : n] = 0;
  ok(strcmp(buf, "-5 ff 1099511627776 0x0000000000000010 (null)|z%%q") == 0, "fprintf speaks xv6's format language");
  if(strcmp(buf, "-5 ff 1099511627776 0x0000000000000010 (null)|z%%q") != 0)
    printf("# got \"%s\"\n", buf);
}

// xv6's malloc takes its memory from sbrk, and a program may call sbrk
// itself: neither may take back what the other was given.
static void
heapshare(void)
{
  char *a = malloc(100);
  char *p = sbrk(3 * PGSIZE);
  ok(p != (char *)-1, "sbrk after malloc grows the heap");
  if(p == (char *)-1)
    return;
  memset(p, 'x', 3 * PGSIZE);
  char *keep[400];
  int got = 0;
  for(int i = 0; i < 400; i++)
    if((keep[i] = malloc(16 + 40 * i)) != 0)
      got++;
  int pid = fork();
  if(pid == 0){
    // a child: if malloc shrank the heap under p, this read kills it
    int same = 1;
    for(int i = 0; i < 3 * PGSIZE; i += 512)
      same &= p[i] == 'x';
    exit(same ? 0 : 1);
  }
  int st = -2;
  wait(&st);
  ok(got == 400 && st == 0, "400 mallocs after a program's own sbrk leave its pages alone");
  for(int i = 0; i < 400; i++)
    free(keep[i]);
  free(a);
}

int
main(int argc, char *argv[])
{
  waitstatus();
  unlinkdir();
  dirread();
  bigdir();
  openmode();
  printfmt();
  heapshare();
  printf("done\n");
  exit(failures ? 1 : 0);
}
