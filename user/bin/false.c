/* false.c: do nothing, unsuccessfully.
 * Exit status 1, as scripts testing for failure expect.
 */
int main(void)
{
	return 1;
}
