/* syscall.h: the name seed 003 and older Linux code include for
 * syscall() and SYS_*; everything is in <sys/syscall.h>.
 */
#include <sys/syscall.h>
