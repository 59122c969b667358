/* init.c: the first process.  Starts the shell on the console, restarts
 * it if it exits, and reaps every orphan that is handed to it.
 * With arguments (init=/bin/init as usual) runs /bin/sh; a file
 * /etc/rc, if present, is run by the shell first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "trapdoor.h"

int main(void)
{
	char *argv[] = { "sh", NULL };
	char *envp[] = { "PATH=/bin", "HOME=/", NULL };
	environ = envp;
	for (;;) {
		int pid = fork();
		if (pid < 0) {
			perror("init: fork");
			msleep(1000);
			continue;
		}
		if (pid == 0) {
			execve("/bin/sh", argv, envp);
			perror("init: exec /bin/sh");
			exit(1);
		}
		/* Reap orphans until the shell itself exits. */
		for (;;) {
			int st, w = wait(&st);
			if (w == pid) {
				if (WIFSIGNALED(st))
					printf("init: shell killed by signal %d, restarting\n", WTERMSIG(st));
				break;
			}
			if (w < 0) {
				msleep(100);
				break;
			}
		}
	}
}
