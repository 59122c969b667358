/* trapdoor.h (x86-64): Trapdoor's own calls for programs built with musl.
 * The same declarations as on RISC-V (user/include/trapdoor.h); musl has
 * the POSIX ones, user/arch/x86_64/lib/libtd.c the rest by their numbers.
 */
#include "../../../include/trapdoor.h"
