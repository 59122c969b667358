/* compat.h (xv6 compatibility): forced into every xv6 program (-include).
 * Renames the calls whose xv6 form or meaning differs from POSIX to ulib.c's
 * versions (which say what differs).
 */
#define exit(s) xv6_exit(s)
#define kill xv6_kill
#define wait xv6_wait
#define open xv6_open
#define unlink xv6_unlink
#define read xv6_read
#define sleep xv6_sleep
#define mkdir xv6_mkdir
#define mknod xv6_mknod
#define exec xv6_exec
#define gets xv6_gets
#define printf xv6_printf
#define fprintf xv6_fprintf
#define fstat xv6_fstat
#define stat(p, s) xv6_stat(p, s)
#define uptime xv6_uptime
