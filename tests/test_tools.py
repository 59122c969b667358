"""The everyday tools (issue "A usable system", item 6): ls cat grep wc head
mkdir rmdir rm ln mv cp kill sleep true false env uptime ps, driven from the
shell as a user would, with their error messages and exit statuses."""
import re
from harness import test

FRUIT = "apple\nbanana\nCherry pie\ndate\n"


def check(g, cmd, want):
    """Run cmd at the shell; what it prints must be exactly want."""
    out = g.run(cmd)
    assert out == want, "%r printed %r, expected %r" % (cmd, out, want)


def fruit(g, path="/tmp/f"):
    """Make a four-line file with echo, as a user would."""
    check(g, "echo apple > {0}; echo banana >> {0}; echo Cherry pie >> {0}; echo date >> {0}".format(path), "")


@test()
def tools_ls(g):
    out = g.run("ls -l /bin")
    assert re.search(r"^-rwxr-xr-x +1 +0 +\d+ sh$", out, re.M), out
    names = [l.split()[-1] for l in out.splitlines()]
    assert names == sorted(names) and "ls" in names and "cat" in names, out
    # plain ls: names only, sorted, no dot files without -a
    check(g, "mkdir /tmp/l; echo x > /tmp/l/b; echo yy > /tmp/l/a; echo z > /tmp/l/.hid; ls /tmp/l", "a\nb\n")
    check(g, "ls -a /tmp/l", ".\n..\n.hid\na\nb\n")
    out = g.run("ls -l /tmp/l")
    assert out == "-rw-r--r-- 1 0 3 a\n-rw-r--r-- 1 0 2 b\n", out
    # cd and list "."
    check(g, "cd /tmp/l; ls; cd /", "a\nb\n")
    # a file argument is listed as given; directories get headings
    check(g, "ls /tmp/l/a", "/tmp/l/a\n")
    check(g, "mkdir /tmp/l/sub; ls /tmp/l/b /tmp/l /tmp/l/sub", "/tmp/l/b\n\n/tmp/l:\na\nb\nsub\n\n/tmp/l/sub:\n")
    assert re.match(r"drwxr-xr-x +\d+ +0 +\d+ /tmp/l/sub\n$", g.run("ls -ld /tmp/l/sub"))
    # errors: message, the others still listed, status 2 as in GNU ls
    check(g, "ls /nonexistent /tmp/l/a; echo $?", "ls: /nonexistent: No such file or directory\n/tmp/l/a\n2\n")
    check(g, "ls -z; echo $?", "ls: invalid option -- 'z'\nusage: ls [-ald1] [file...]\n2\n")


@test()
def tools_cat(g):
    fruit(g)
    check(g, "cat /tmp/f", FRUIT)
    check(g, "cat < /tmp/f", FRUIT)
    check(g, "echo hi > /tmp/h; echo middle | cat /tmp/h - /tmp/h", "hi\nmiddle\nhi\n")
    check(g, "cat /tmp/h /tmp/h > /tmp/hh; cat /tmp/hh; echo $?", "hi\nhi\n0\n")
    check(g, "cat /nonexistent; echo $?", "cat: /nonexistent: No such file or directory\n1\n")
    # a bad file does not stop the others, but the status says so
    check(g, "cat /tmp/h /nonexistent /tmp/h; echo $?", "hi\ncat: /nonexistent: No such file or directory\nhi\n1\n")
    check(g, "cat /tmp; echo $?", "cat: /tmp: Is a directory\n1\n")
    # a big binary file comes through byte for byte
    size = re.match(r"-\S+ +\d+ +\d+ +(\d+) ", g.run("ls -l /bin/sh")).group(1)
    check(g, "cat /bin/sh > /tmp/sh2; cat /tmp/sh2 | wc -c", size + "\n")


@test()
def tools_grep(g):
    fruit(g)
    check(g, "grep an /tmp/f; echo $?", "banana\n0\n")
    check(g, "grep zzz /tmp/f; echo $?", "1\n")
    check(g, "grep -v a /tmp/f", "Cherry pie\n")
    check(g, "grep cherry /tmp/f; echo $?", "1\n")
    check(g, "grep -i CHERRY /tmp/f", "Cherry pie\n")
    check(g, "grep -n e /tmp/f", "1:apple\n3:Cherry pie\n4:date\n")
    check(g, "grep -c a /tmp/f", "3\n")
    check(g, "grep -vn a /tmp/f", "3:Cherry pie\n")
    check(g, "grep -ci A /tmp/f", "3\n")
    # regular expressions: ^ $ . * [set] and \ quoting
    check(g, "grep '^b.*a$' /tmp/f", "banana\n")
    check(g, "grep 'e$' /tmp/f", "apple\nCherry pie\ndate\n")
    check(g, "grep '^.a' /tmp/f", "banana\ndate\n")
    check(g, "grep 'ap*le' /tmp/f", "apple\n")
    check(g, "grep 'x*' /tmp/f | wc -l", "4\n")
    check(g, "grep '[cd]' /tmp/f", "date\n")
    check(g, "grep '[^a-z ]' /tmp/f", "Cherry pie\n")
    check(g, "echo 'a.b' > /tmp/dot; echo axb >> /tmp/dot; grep 'a\\.b' /tmp/dot", "a.b\n")
    check(g, "grep -F a. /tmp/dot", "a.b\n")
    check(g, "grep a. /tmp/dot", "a.b\naxb\n")
    check(g, "grep -e -x /tmp/f; echo $?", "1\n")
    # several files: each line says where it came from
    check(g, "grep -c an /tmp/f /tmp/dot", "/tmp/f:1\n/tmp/dot:0\n")
    check(g, "grep b /tmp/f /tmp/dot", "/tmp/f:banana\n/tmp/dot:a.b\n/tmp/dot:axb\n")
    # standard input, in a pipeline
    check(g, "cat /tmp/f | grep a | wc -l", "3\n")
    check(g, "echo hello | grep -n l", "1:hello\n")
    # errors: status 2
    check(g, "grep a /nonexistent; echo $?", "grep: /nonexistent: No such file or directory\n2\n")
    check(g, "grep an /tmp/f /nonexistent; echo $?",
          "/tmp/f:banana\ngrep: /nonexistent: No such file or directory\n2\n")
    check(g, "grep '[ab' /tmp/f; echo $?", "grep: Unmatched [, [^, [:, [., or [=\n2\n")
    check(g, "grep; echo $?", "usage: grep [-cinqvF] [-e] pattern [file...]\n2\n")
    check(g, "grep -q an /tmp/f; echo $?", "0\n")


@test()
def tools_wc(g):
    fruit(g)
    check(g, "wc /tmp/f", " 4  5 29 /tmp/f\n")
    check(g, "wc -l /tmp/f", "4 /tmp/f\n")
    check(g, "wc -w /tmp/f", "5 /tmp/f\n")
    check(g, "wc -c /tmp/f", "29 /tmp/f\n")
    check(g, "wc -lc /tmp/f", " 4 29 /tmp/f\n")
    check(g, "echo one two > /tmp/two; wc /tmp/f /tmp/two", " 4  5 29 /tmp/f\n 1  2  8 /tmp/two\n 5  7 37 total\n")
    check(g, "wc -l /tmp/f /tmp/two", " 4 /tmp/f\n 1 /tmp/two\n 5 total\n")
    # standard input: GNU's 7-wide columns, or just the number for one
    check(g, "cat /tmp/f | wc", "      4       5      29\n")
    check(g, "cat /tmp/f | wc -l", "4\n")
    check(g, "echo -n 'no newline' | wc", "      0       2      10\n")
    check(g, "wc /nonexistent; echo $?", "wc: /nonexistent: No such file or directory\n1\n")
    check(g, "wc -l /tmp/f /nonexistent; echo $?",
          " 4 /tmp/f\nwc: /nonexistent: No such file or directory\n 4 total\n1\n")


@test()
def tools_head(g):
    g.run("echo 1 > /tmp/n; " + "; ".join("echo %d >> /tmp/n" % i for i in range(2, 13)))
    check(g, "head /tmp/n", "".join("%d\n" % i for i in range(1, 11)))
    check(g, "head -n 2 /tmp/n", "1\n2\n")
    check(g, "head -n2 /tmp/n", "1\n2\n")
    check(g, "head -3 /tmp/n", "1\n2\n3\n")
    check(g, "head -n 0 /tmp/n; echo $?", "0\n")
    check(g, "head -n 100 /tmp/n | wc -l", "12\n")
    check(g, "cat /tmp/n | head -n 1", "1\n")
    check(g, "head -1 /tmp/n /tmp/n", "==> /tmp/n <==\n1\n\n==> /tmp/n <==\n1\n")
    check(g, "head -n x /tmp/n; echo $?", "head: invalid number of lines: 'x'\n1\n")
    check(g, "head /nonexistent; echo $?", "head: /nonexistent: No such file or directory\n1\n")


@test()
def tools_mkdir_rmdir(g):
    check(g, "mkdir /tmp/d; echo $?", "0\n")
    check(g, "ls -ld /tmp/d", "drwxr-xr-x 2 0 0 /tmp/d\n")
    check(g, "mkdir /tmp/d; echo $?", "mkdir: /tmp/d: File exists\n1\n")
    check(g, "mkdir -p /tmp/d; echo $?", "0\n")
    check(g, "mkdir /tmp/x/y; echo $?", "mkdir: /tmp/x/y: No such file or directory\n1\n")
    check(g, "mkdir -p /tmp/x/y/z; echo $?; ls /tmp/x /tmp/x/y", "0\n/tmp/x:\ny\n\n/tmp/x/y:\nz\n")
    check(g, "echo f > /tmp/file; mkdir -p /tmp/file/sub; echo $?", "mkdir: /tmp/file: Not a directory\n1\n")
    check(g, "mkdir; echo $?", "mkdir: missing operand\nusage: mkdir [-p] dir...\n1\n")
    check(g, "mkdir /tmp/a /tmp/b; ls /tmp", "a\nb\nd\nfile\nx\n")
    check(g, "rmdir /tmp/a /tmp/b; echo $?; ls /tmp", "0\nd\nfile\nx\n")
    check(g, "rmdir /tmp/x; echo $?", "rmdir: /tmp/x: Directory not empty\n1\n")
    check(g, "rmdir /tmp/file; echo $?", "rmdir: /tmp/file: Not a directory\n1\n")
    check(g, "rmdir /tmp/nonexistent; echo $?", "rmdir: /tmp/nonexistent: No such file or directory\n1\n")
    check(g, "cd /tmp; rmdir -p x/y/z; echo $?; ls; cd /", "0\nd\nfile\n")


@test()
def tools_rm(g):
    check(g, "echo a > /tmp/a; echo b > /tmp/b; rm /tmp/a /tmp/b; echo $?; ls /tmp", "0\n")
    check(g, "rm /tmp/nonexistent; echo $?", "rm: /tmp/nonexistent: No such file or directory\n1\n")
    check(g, "rm -f /tmp/nonexistent; echo $?", "0\n")
    check(g, "rm; echo $?", "rm: missing operand\nusage: rm [-rf] file...\n1\n")
    check(g, "mkdir /tmp/d; rm /tmp/d; echo $?", "rm: /tmp/d: Is a directory\n1\n")
    g.run("mkdir -p /tmp/d/e/f; echo 1 > /tmp/d/one; echo 2 > /tmp/d/e/two; echo 3 > /tmp/d/e/f/three")
    check(g, "rm -r /tmp/d; echo $?; ls /tmp", "0\n")
    g.run("mkdir -p /tmp/d/e; echo 1 > /tmp/d/e/one")
    check(g, "rm -rf /tmp/d /tmp/nonexistent; echo $?; ls /tmp", "0\n")
    check(g, "rm -r /tmp/nonexistent; echo $?", "rm: /tmp/nonexistent: No such file or directory\n1\n")
    check(g, "cd /tmp; rm -r .; echo $?; cd /", "rm: refusing to remove '.' or '..' directory: skipping '.'\n1\n")


@test()
def tools_ln(g):
    g.run("echo data > /tmp/a")
    check(g, "ln /tmp/a /tmp/b; echo $?; cat /tmp/b", "0\ndata\n")
    check(g, "ls -l /tmp", "-rw-r--r-- 2 0 5 a\n-rw-r--r-- 2 0 5 b\n")
    # one file: a change through one name shows through the other
    check(g, "echo more >> /tmp/b; cat /tmp/a", "data\nmore\n")
    check(g, "rm /tmp/a; cat /tmp/b; ls -l /tmp", "data\nmore\n-rw-r--r-- 1 0 10 b\n")
    check(g, "echo x > /tmp/x; ln /tmp/x /tmp/b; echo $?", "ln: /tmp/b: File exists\n1\n")
    check(g, "ln -f /tmp/x /tmp/b; echo $?; cat /tmp/b", "0\nx\n")
    check(g, "mkdir /tmp/d; ln /tmp/x /tmp/d; ls -l /tmp/d", "-rw-r--r-- 3 0 2 x\n")
    check(g, "ln /tmp/nonexistent /tmp/c; echo $?", "ln: /tmp/nonexistent: No such file or directory\n1\n")
    check(g, "ln /tmp/d /tmp/e; echo $?", "ln: /tmp/d: hard link not allowed for directory\n1\n")
    check(g, "ln /tmp/x; echo $?",
          "ln: missing destination file operand\nusage: ln [-f] old new, ln [-f] name... dir\n1\n")


@test()
def tools_mv(g):
    g.run("echo data > /tmp/a")
    check(g, "mv /tmp/a /tmp/b; echo $?; ls /tmp; cat /tmp/b", "0\nb\ndata\n")
    check(g, "mkdir /tmp/d; mv /tmp/b /tmp/d; ls /tmp /tmp/d", "/tmp:\nd\n\n/tmp/d:\nb\n")
    check(g, "echo 1 > /tmp/one; echo 2 > /tmp/two; mv /tmp/one /tmp/two /tmp/d/; ls /tmp/d", "b\none\ntwo\n")
    # over an existing file: replaced
    check(g, "echo new > /tmp/n; mv /tmp/n /tmp/d/b; cat /tmp/d/b; ls /tmp", "new\nd\n")
    # directories move too, with their contents
    check(g, "mv /tmp/d /tmp/e; ls /tmp; cat /tmp/e/one", "e\n1\n")
    check(g, "mv /tmp/nonexistent /tmp/z; echo $?", "mv: /tmp/nonexistent: No such file or directory\n1\n")
    check(g, "mv /tmp/e /tmp/e/sub; echo $?", "mv: /tmp/e/sub: Invalid argument\n1\n")
    check(g, "mv /tmp/e/one /tmp/e/two /tmp/e/b; echo $?", "mv: /tmp/e/b: Not a directory\n1\n")
    check(g, "mv /tmp/e; echo $?", "mv: missing destination file operand\nusage: mv old new, mv name... dir\n1\n")


@test()
def tools_cp(g):
    fruit(g)
    check(g, "cp /tmp/f /tmp/g; echo $?; cat /tmp/g", "0\n" + FRUIT)
    # a copy is a new file: changing it leaves the original alone
    check(g, "echo extra >> /tmp/g; cat /tmp/f | wc -l; ls -l /tmp/f /tmp/g",
          "4\n-rw-r--r-- 1 0 29 /tmp/f\n-rw-r--r-- 1 0 35 /tmp/g\n")
    # over an existing file: truncated first
    check(g, "echo short > /tmp/s; cp /tmp/s /tmp/g; cat /tmp/g", "short\n")
    check(g, "mkdir /tmp/d; cp /tmp/f /tmp/s /tmp/d/; ls /tmp/d; cat /tmp/d/s", "f\ns\nshort\n")
    check(g, "cp /tmp/f /tmp/d; ls /tmp/d", "f\ns\n")
    # executables keep their mode and still run
    assert g.run("cp /bin/echo /tmp/e; ls -l /tmp/e").startswith("-rwxr-xr-x ")
    check(g, "/tmp/e copied", "copied\n")
    check(g, "cp /tmp/f /tmp/f; echo $?; cat /tmp/f | wc -l", "cp: '/tmp/f' and '/tmp/f' are the same file\n1\n4\n")
    check(g, "cp /tmp/nonexistent /tmp/y; echo $?", "cp: /tmp/nonexistent: No such file or directory\n1\n")
    check(g, "cp /tmp/d /tmp/y; echo $?", "cp: /tmp/d: Is a directory\n1\n")
    check(g, "cp /tmp/f /tmp/s /tmp/g; echo $?", "cp: /tmp/g: Not a directory\n1\n")
    check(g, "cp /tmp/f /tmp/nodir/; echo $?", "cp: /tmp/nodir/: No such file or directory\n1\n")
    check(g, "cp /tmp/f; echo $?", "cp: missing destination file operand\nusage: cp src dst, cp src... dir\n1\n")


@test()
def tools_kill(g):
    # the default signal is SIGTERM; the shell reports 128 + signal
    check(g, "sh -c 'kill $$'; echo $?", "143\n")
    check(g, "sh -c 'kill -9 $$'; echo $?", "137\n")
    check(g, "sh -c 'kill -KILL $$'; echo $?", "137\n")
    check(g, "sh -c 'kill -SIGINT $$'; echo $?", "130\n")
    check(g, "sh -c 'kill -s TERM $$'; echo $?", "143\n")
    # a background job, by its pid
    m = re.match(r"\[(\d+)\]\n$", g.run("sleep 100 &"))
    assert m
    pid = m.group(1)
    assert re.search(r"^ *%s +\d+ +0 +\S+ +sleep " % pid, g.run("ps"), re.M)
    check(g, "kill %s; echo $?; wait" % pid, "0\n")
    check(g, "kill %s; echo $?" % pid, "kill: %s: No such process\n1\n" % pid)
    assert not re.search(r"^ *%s " % pid, g.run("ps"), re.M)
    m = re.match(r"\[(\d+)\]\n$", g.run("sleep 100 &"))
    check(g, "kill -9 %s; echo $?; wait" % m.group(1), "0\n")
    # errors
    check(g, "kill 99999; echo $?", "kill: 99999: No such process\n1\n")
    check(g, "kill abc; echo $?", "kill: abc: invalid process id\n1\n")
    check(g, "kill -FOO 1; echo $?", "kill: FOO: invalid signal specification\n1\n")
    check(g, "kill; echo $?", "usage: kill [-SIG | -s SIG] pid..., kill -l [number]\n"
          "(pid 1, init, cannot be signalled: EPERM)\n2\n")
    check(g, "kill -l 9 143", "KILL\nTERM\n")
    assert "TERM" in g.run("kill -l").split()


@test()
def tools_sleep_true_false(g):
    check(g, "true; echo $?", "0\n")
    check(g, "false; echo $?", "1\n")
    # sleep: at least as long as asked, fractions allowed (uptime is ms)
    out = g.run("uptime; sleep 0.5; uptime")
    t = [float(x) for x in re.findall(r"up (\d+\.\d+) seconds", out)]
    assert len(t) == 2 and t[1] - t[0] >= 0.49, out
    check(g, "sleep 0; echo $?", "0\n")
    check(g, "sleep .1 0.1 0.001m; echo $?", "0\n")
    check(g, "sleep 1x; echo $?", "sleep: invalid time interval '1x'\n1\n")
    check(g, "sleep; echo $?", "sleep: missing operand\nusage: sleep number[smhd]...\n1\n")
    check(g, "sleep abc; echo $?", "sleep: invalid time interval 'abc'\n1\n")
    check(g, "sleep 1.2.3; echo $?", "sleep: invalid time interval '1.2.3'\n1\n")


@test()
def tools_env(g):
    check(g, "export GREETING=hi; env | grep GREETING", "GREETING=hi\n")
    assert "PATH=" in g.run("env")
    check(g, "env -i A=1 B=2", "A=1\nB=2\n")
    check(g, "env -i A=1 env", "A=1\n")
    check(g, "env X=42 sh -c 'echo $X'", "42\n")
    # the extra variable is the command's only: the shell does not get it
    check(g, "echo \"[$X]\"", "[]\n")
    check(g, "env -u GREETING env | grep -c GREETING", "0\n")
    check(g, "env nosuchcmd; echo $?", "env: nosuchcmd: No such file or directory\n127\n")
    check(g, "env false; echo $?", "1\n")


@test()
def tools_uptime_ps(g):
    out = g.run("uptime")
    assert re.match(r"up \d+\.\d\d seconds, 3 processes\n$", out), out
    out = g.run("ps")
    lines = out.splitlines()
    assert lines[0] == "  PID  PPID   UID STATE    NAME               TICKS SYSCALLS  VOLSW  INVSW HART WAIT", out
    # one hart: every process ran on hart 0; WAIT only for a sleeper
    row = r"^ +%s +%s +0 %-8s %-15s +\d+ +\d+ +\d+ +\d+ +0%s$"
    assert re.match(row % (1, 0, "sleeping", "init", " child"), lines[1]), out
    # the shell may be preempted between starting ps and waiting for it
    sh = re.match(row % (r"(\d+)", 1, "(?:sleeping|runnable)", "sh", "(?: child)?"), lines[2])
    assert sh, out
    # ps itself is the one running (one hart, so the shell waits for it)
    assert re.match(row % (r"\d+", sh.group(1), "running", "ps", ""), lines[3]), out
    assert len(lines) == 4, out
    # a background job shows up, and counts in uptime
    g.run("sleep 100 &")
    assert re.search(r" sh +\d+ +\d+ +\d+ +\d+ +0(?: child)?\n +\d+ +%s +0 (sleeping|runnable) sleep .*( sleep)?$"
                     % sh.group(1), g.run("ps"), re.M)
    assert re.match(r"up \d+\.\d\d seconds, 4 processes\n$", g.run("uptime"))
