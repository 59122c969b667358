// xv6demo.c: an xv6-style user program, compiled unchanged against
// Trapdoor's xv6 compatibility headers (user/xv6/) and run as /xv6/xv6demo.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  int p[2];
  char buf[16];
  struct stat st;

  if(pipe(p) < 0){
    fprintf(2, "xv6demo: pipe failed\n");
    exit(1);
  }
  int pid = fork();
  if(pid == 0){
    close(p[0]);
    write(p[1], "ping", 4);
    exit(7);
  }
  close(p[1]);
  int n = read(p[0], buf, sizeof(buf) - 1);
  buf[n < 0 ? 0 : n] = 0;
  int status;
  wait(&status);
  char *mem = sbrk(4096);
  mem[0] = 'x';
  int fd = open("/tmp/xv6demo", O_CREATE | O_RDWR);
  write(fd, "hi\n", 3);
  fstat(fd, &st);
  close(fd);
  printf("xv6demo: got %s from child %d, status %d, file size %d type %d, argc %d\n",
         buf, pid, status, (int)st.size, st.type, argc);
  exit(0);
}
