/* sh.c: placeholder until the real shell lands */
#include <stdio.h>
int main(void) { printf("$ \n"); return 0; }
