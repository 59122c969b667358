/* time.h: picolibc's <time.h>, and what it leaves out for this target:
 * clock_gettime and clock_settime (system calls 63 and 64) and CLOCK_MONOTONIC.
 */
#ifndef TRAPDOOR_TIME_H
#define TRAPDOOR_TIME_H

#include_next <time.h>

/* picolibc declares these only where the configuration says _POSIX_TIMERS
 * and _POSIX_MONOTONIC_CLOCK; Trapdoor has both clocks (include/trapdoor/abi.h). */
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC ((clockid_t)4)
#endif
#ifndef _POSIX_TIMERS
int clock_gettime(clockid_t clock_id, struct timespec *tp);
int clock_settime(clockid_t clock_id, const struct timespec *tp);
#endif

#endif
