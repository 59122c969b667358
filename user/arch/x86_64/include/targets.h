/* targets.h (x86-64): cp, mv and ln's argument rule, as on RISC-V.
 * user/lib/targets.c is built for both.
 */
#include "../../../include/targets.h"
