/* main.c: boot, in the order of the seeds' "OS @ boot" rows.
 * The arch has described the machine (bootinfo); set up memory, install the
 * trap table, start the timer and the other CPUs, and run the first process.
 */
#include "kernel.h"
#include "proc.h"
#include "fs.h"
#include "trace.h"
#include "buf.h"

struct bootinfo bootinfo;
static volatile int boot_done;

/* The root file system: the ext2 disk when one is attached, valid and
 * holds the first program (so that a scratch disk does not hide the
 * initramfs), with the RAM file system's /dev and /tmp mounted on it;
 * else the RAM file system filled from the initramfs.  root=mnt: the root
 * in RAM and the disk on /mnt whatever it holds (the crash and bad-image
 * tests look at a small image there). */
static void mount_root(int disk)
{
	ramfs_init();
	vfs_mount(ramfs_newroot(), "/", "ram");
	struct inode *droot = NULL;
	if (disk && ext2_check() == 0 && params.root_ram != 1 && ext2_mount(&droot) == 0 && params.root_ram != 2 &&
	    !vfs_exists_in(droot, params.init + 1)) {
		kprintf("ext2: no %s on /dev/vda: the root stays in RAM\n", params.init);
		iput(droot);
		ext2_unmount();
		droot = NULL;
	}
	initrd_load(!droot || params.root_ram == 2);
	if (disk)
		blkdev_init();
	if (!droot)
		return;
	struct inode *ip;
	if (params.root_ram == 2) {
		if (fs_create("/mnt", S_IFDIR, 0755, 0, &ip, 1) >= 0)
			iput(ip);
		vfs_mount(droot, "/mnt", "/dev/vda");
		kprintf("ext2: /dev/vda mounted on /mnt\n");
		return;
	}
	struct inode *dev = namei("/dev"), *tmp = namei("/tmp");
	vfs_mount(droot, "/", "/dev/vda");
	if (fs_create("/dev", S_IFDIR, 0755, 0, &ip, 1) >= 0)
		iput(ip);
	if (fs_create("/tmp", S_IFDIR, 01777, 0, &ip, 1) >= 0)
		iput(ip);
	vfs_mount(dev, "/dev", "ram");
	vfs_mount(tmp, "/tmp", "ram");
	if (!params.quiet)
		kprintf("root: ext2 on /dev/vda; /dev and /tmp in RAM\n");
}

/* The boot CPU arrives here from the arch's entry: on cpus[0], with
 * bootinfo filled and the console working. */
void kmain(void)
{
	struct cpu *c = mycpu();
	u64 ram = 0;
	for (int i = 0; i < bootinfo.nmem; i++)
		ram += bootinfo.mem[i].size;
	timebase_hz = bootinfo.timer_hz;
	kprintf("\nTrapdoor: limited direct execution on %s (%s %d of %d, %d MiB RAM)\n", bootinfo.machine, ARCH_CPU,
		c->hartid, bootinfo.ncpu, (int)(ram >> 20));
	params_parse(bootinfo.cmdline); /* after the banner: its warnings follow it */
	tick_period = params.tick_us * timebase_hz / 1000000;

	kinit();
	kvm_init();
	kvm_hart_init();
	trace_init();

	/* The trap table: from here on the hardware knows where to go on a
	 * system call, a fault or an interrupt. */
	trap_init();
	trace_boot(BOOT_TRAPTABLE);

	arch_irq_init();
	console_init();
	rtc_init(); /* the time of day, before anything gets a timestamp */
	binit();
	int disk = disk_init(); /* before arch_irq_cpu_init: its irq on every CPU */
	arch_irq_cpu_init();
	sched_init();
	mount_root(disk == 0);

	/* Start the interrupt timer: the OS will get the CPU back. */
	arch_timer_init();
	trace_boot(BOOT_TIMER);
	if (!params.quiet)
		kprintf("timer: every %d us, slice %d tick(s), %s scheduling (%s); %d pages free\n",
			(int)params.tick_us, params.slice, params.coop ? "cooperative" : "preemptive",
			bootinfo.timer, (int)kfreepages());

	user_init();
	c->started = 1;
	arch_start_cpus();
	trace_boot(BOOT_HARTS);
	if (!params.quiet && ncpu > 1)
		kprintf(ARCH_CPU "s: %d running\n", ncpu);
	boot_done = 1;
	scheduler();
}

/* Every other CPU lands here from the arch's start (arch_start_cpus), on
 * its own struct cpu and stack. */
void secondary_main(void)
{
	kvm_hart_init();
	arch_trap_init();
	arch_irq_cpu_init();
	arch_timer_init();
	mycpu()->started = 1;
	while (!boot_done)
		;
	scheduler();
}
