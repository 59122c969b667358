/* kernel/types.h (xv6 compatibility): the integer names xv6 programs use.
 * Lets unmodified xv6-riscv user programs compile against Trapdoor.
 */
#ifndef XV6_TYPES_H
#define XV6_TYPES_H
typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;
typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;
typedef uint64 pde_t;
#endif
