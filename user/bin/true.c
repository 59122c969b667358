/* true.c: do nothing, successfully.
 * The shell's idea of success is exit status 0.
 */
int main(void)
{
	return 0;
}
