/* nop.c: a program that exits at once with status 0.
 * The benchmark execs and spawns it to time process creation alone.
 */

int main(void)
{
	return 0;
}
