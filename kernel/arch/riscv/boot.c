/* boot.c: the boot hart's first C code: describe the machine for kmain.
 * entry.S jumps here with paging on, on the boot stack.
 */
#include "kernel.h"
#include "proc.h"
#include "board.h"

/* hartid and the device tree's physical address, as OpenSBI passed them
 * in a0 and a1.  The portable kernel starts on cpus[0], with bootinfo
 * filled in and the console (the device tree names the UART) working. */
void boot_main(u64 hartid, u64 dtb)
{
	struct cpu *c = &cpus[0];
	c->hartid = hartid;
	c->id = 0;
	asm volatile("mv tp, %0" ::"r"(c));
	strlcpy(bootinfo.machine, "RISC-V", sizeof bootinfo.machine);
	fdt_parse(dtb);
	uart_init(bootinfo.uart_base);
	kmain();
}
