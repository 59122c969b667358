/* targets.h: cp, mv and ln's common argument rule (user/lib/targets.c).
 * SRC DST acts on DST; SRC... DIR acts on DIR/basename(SRC) for each.
 */
#ifndef TARGETS_H
#define TARGETS_H

/* The last component of path, without trailing slashes (static buffer). */
const char *basename_of(const char *path);

/* Apply op(src, dst) to argv[i..argc-2] with argv[argc-1] as the target;
 * prints "prog: target: error" if the target must be a directory and is
 * not.  Returns the exit status: 0, or 1 if anything failed. */
int for_each_target(const char *prog, int argc, char **argv, int i, int (*op)(const char *, const char *));

#endif
