"""Processes (issue "Trapdoor core"): the in-guest proctest (fork, exec,
wait, exit, kill, sbrk, sleep, bad calls), cowtest (copy-on-write fork),
fputest (per-process FPU registers) and regtest (every user register
survives system calls, switches, timer interrupts and fork).

Each runs on one hart and on four, where the parent and its children
really run at the same time.
"""
from harness import guest_test

guest_test("/test/proctest", cpus=1)
guest_test("/test/proctest", cpus=4)
guest_test("/test/cowtest", cpus=1)
guest_test("/test/cowtest", cpus=4)
guest_test("/test/fputest", cpus=1)
guest_test("/test/fputest", cpus=4)
guest_test("/test/regtest", cpus=1)
guest_test("/test/regtest", cpus=4)
