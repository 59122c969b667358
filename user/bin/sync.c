/* sync.c: write every dirty disk block back now.
 * The kernel also does it by itself: within seconds, and at poweroff.
 */
#include <unistd.h>

int main(void)
{
	sync();
	return 0;
}
