"""File system, descriptors and pipes (issue "A usable system")."""
import harness
from harness import guest_test

guest_test("/test/fdtest")
guest_test("/test/fstest")
# fsmax=200%: files limited only by the reserve (ramfs.c) that keeps the last
# pages for processes, which is what fsfull checks; the file system's own
# size, fsmax=, is diskfull's (test_mem.py)
guest_test("/test/fsfull", args="fsmax=200%", timeout=300, setup=harness.RAM_ROOT)
guest_test("/test/pipetest")
guest_test("/test/fstest", cpus=4)
guest_test("/test/pipetest", cpus=4)
# read/write buffers outside user memory: EFAULT for every kind of file,
# checked once before any handler (issue 9, item 2)
guest_test("/test/badbuf")
