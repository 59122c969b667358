/* crt0.S: where a user program starts (the kernel's sret lands here).
 * The kernel leaves a0 = argc, a1 = argv, a2 = envp and a 16-byte
 * aligned sp; every other register is zero.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	mv	s0, a0
	mv	s1, a1
	mv	s2, a2
	/* The first thread's thread-local block (errno...): a copy of the
	 * .tdata image, so the image stays pristine for later threads. */
	la	a0, __tls_main
	mv	tp, a0
	call	_init_tls
	la	t0, environ
	sd	s2, 0(t0)
	call	__libc_init_array	/* C constructors */
	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	call	main
	call	exit			/* flushes stdio, then _exit */
1:	j	1b
