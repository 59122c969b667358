"""The shell: pipelines, redirection, jobs, variables, scripts, keys."""
import re
import time
from harness import test

F = "/test/filt"  # cat / upper / wc / err / exit / mkdir / pwd


@test()
def pipeline_of_three_and_more(g):
    assert g.run("echo hello world | %s upper | %s wc" % (F, F)) == "1 12\n"
    assert g.run("echo abc | %s cat | %s upper | %s cat | %s cat" % (F, F, F, F)) == "ABC\n"
    # the last stage's status is the pipeline's
    assert g.run("echo x | %s exit 3; echo $?" % F) == "3\n"
    # a binary of ~100 KiB through three pipes arrives whole
    direct = g.run("%s wc < /test/fstest" % F)
    assert re.match(r"\d+ \d{5,}\n$", direct), direct
    assert g.run("%s cat /test/fstest | %s cat | %s cat | %s wc" % (F, F, F, F)) == direct
    # a reader that quits early: the writer dies of SIGPIPE, nothing hangs
    assert g.run("%s cat /test/fstest | %s exit 0; echo $?" % (F, F)) == "0\n"


@test()
def redirect_out_append_in(g):
    assert g.run("echo one > /tmp/r1") == ""
    assert g.run("%s cat < /tmp/r1" % F) == "one\n"
    g.run("echo two >> /tmp/r1")
    assert g.run("%s cat < /tmp/r1" % F) == "one\ntwo\n"
    g.run("echo three > /tmp/r1")
    assert g.run("%s cat /tmp/r1" % F) == "three\n", "> truncates"
    assert g.run("%s upper < /tmp/r1 > /tmp/r2; %s cat /tmp/r2" % (F, F)) == "THREE\n"
    out = g.run("%s cat < /tmp/missing; echo status=$?" % F)
    assert "sh: /tmp/missing:" in out and "status=1" in out, out


@test()
def redirect_stderr(g):
    assert g.run("%s err oops 2> /tmp/e1" % F) == "out\n"
    assert g.run("%s cat /tmp/e1" % F) == "oops\n"
    assert g.run("%s err oops > /tmp/o2 2>&1" % F) == ""
    assert g.run("%s cat /tmp/o2" % F) == "out\noops\n"
    assert g.run("%s err oops 2>&1 | %s upper" % (F, F)) == "OUT\nOOPS\n"
    # without 2>&1 stderr bypasses the pipe
    out = g.run("%s err oops | %s upper" % (F, F))
    assert sorted(out.splitlines()) == ["OUT", "oops"], out


@test()
def sequence_with_semicolons(g):
    assert g.run("echo a; echo b;echo c ; %s exit 2; echo st=$?" % F) == "a\nb\nc\nst=2\n"


def run_until(g, cmd, text, timeout=15, out=""):
    """Run cmd at the prompt until its output (after out, what came
    before) contains text; return it all."""
    end = time.time() + timeout
    if text in out:
        return out
    while time.time() < end:
        out += g.run(cmd)
        if text in out:
            return out
        time.sleep(0.3)
    raise AssertionError("%r never showed %r: %r" % (cmd, text, out))


@test()
def background_jobs_are_reaped(g):
    out = g.run("/bin/spin 1 &")
    m = re.match(r"\[(\d+)\]\n$", out)
    assert m, out
    pid = m.group(1)
    # the shell answers while the job runs
    assert g.run("echo meanwhile") == "meanwhile\n"
    run_until(g, "echo later", "[%s] done, status 0" % pid)
    assert re.search(r"spin: \d+ loops", g.tail(20)), "the job ran to its end"
    out = g.run("%s exit 4 &" % F)
    pid = re.match(r"\[(\d+)\]", out).group(1)
    # a job this short may end before the shell's next prompt: the shell
    # then reports it right under the '[pid]' line
    run_until(g, "echo x", "[%s] done, status 4" % pid, out=out)
    # Ctrl-C at the prompt does not touch a background job
    out = g.run("/bin/spin 1 &")
    pid = re.match(r"\[(\d+)\]", out).group(1)
    g.send("half a line\x03")  # the shell is reading: the line is dropped
    g.expect(r"\^C\n\$ ", 5)     # and the shell starts over with a fresh prompt
    out = run_until(g, "echo y", "[%s] " % pid)
    assert "[%s] done, status 0" % pid in out, out


@test()
def cd_and_relative_paths(g):
    assert g.run("%s mkdir /tmp/dd; cd /tmp/dd; %s pwd" % (F, F)) == "/tmp/dd\n"
    g.run("echo rel > file.txt")
    assert g.run("cd /; %s cat /tmp/dd/file.txt" % F) == "rel\n"
    assert g.run("cd tmp/dd; %s cat file.txt; %s pwd" % (F, F)) == "rel\n/tmp/dd\n"
    assert g.run("cd ..; %s pwd" % F) == "/tmp\n"
    assert g.run("cd /test; echo q | ./filt upper") == "Q\n", "a program run by relative path"
    out = g.run("cd /nonexistent; echo st=$?; %s pwd" % F)
    assert "sh: cd: /nonexistent:" in out and "st=1\n/test\n" in out, out
    assert g.run("cd; %s pwd" % F) == "/\n", "cd alone goes HOME"


@test()
def exit_and_status(g):
    assert g.run("%s exit 5; echo $?" % F) == "5\n"
    assert g.run("echo ok; echo $?") == "ok\n0\n"
    assert g.run("sh -c 'exit 7'; echo $?") == "7\n"
    out = g.run("nosuchprogram; echo $?")
    assert "nosuchprogram: not found" in out and out.endswith("127\n"), out
    # exit in a nested interactive shell returns to this one
    g.send("sh\n")
    g.expect(r"\$ ", 5)
    assert g.run("exit 3") == ""
    assert g.run("echo $?") == "3\n"


@test()
def export_reaches_children(g):
    assert g.run("/test/printenv FOO; echo $?") == "1\n"
    assert g.run("export FOO=bar BAZ=two") == ""
    assert g.run("/test/printenv FOO") == "bar\n"
    assert g.run("echo $FOO-$BAZ") == "bar-two\n"
    assert g.run("sh -c 'echo $FOO'") == "bar\n", "a child shell inherits it"
    assert g.run("/test/printenv FOO | %s upper" % F) == "BAR\n", "so does a pipeline stage"
    env = g.run("/test/printenv").splitlines()
    assert "FOO=bar" in env and "PATH=/bin" in env, env
    g.run("unset FOO")
    assert g.run("/test/printenv FOO; echo $?") == "1\n"


@test()
def script_from_a_file(g):
    g.run("echo 'echo from script' > /tmp/s.sh")
    g.run("echo 'echo two | /test/filt upper; /test/filt exit 4' >> /tmp/s.sh")
    g.run("echo 'echo status $?' >> /tmp/s.sh")
    assert g.run("sh /tmp/s.sh") == "from script\nTWO\nstatus 4\n"
    g.run("echo 'exit 9' >> /tmp/s.sh")
    assert g.run("sh /tmp/s.sh > /tmp/s.out; echo $?") == "9\n"
    assert g.run("%s cat /tmp/s.out" % F) == "from script\nTWO\nstatus 4\n"
    assert g.run("sh -c 'echo a | %s upper; echo b'" % F) == "A\nb\n"
    out = g.run("sh /tmp/none.sh; echo $?")
    assert out.endswith("127\n"), out


@test()
def script_goes_on_after_a_forked_child_exits(g):
    """A command that is not found, a builtin in a pipeline, exit in a
    pipeline: each a forked child that never execs.  It must not move the
    script's file offset, which it shares with the shell (musl's exit()
    would set it back to where the child's copy of the buffer was, and
    the shell read the rest of its script again)."""
    g.run("echo nosuchcmd > /tmp/f.sh; echo 'echo one' >> /tmp/f.sh")
    g.run("echo 'cd / | echo two' >> /tmp/f.sh; echo 'exit 3 | echo three' >> /tmp/f.sh")
    g.run("echo 'echo four' >> /tmp/f.sh")
    out = g.run("sh /tmp/f.sh; echo status=$?")
    assert out == "sh: nosuchcmd: not found\none\ntwo\nthree\nfour\nstatus=0\n", out


def interrupt(g, tries=10):
    """Ctrl-C until the shell prompts again (the job may still be starting)."""
    for _ in range(tries):
        g.send("\x03")
        try:
            g.expect(r"\^C\n(.*\n)*\$ ", 2)
            return
        except Exception:
            pass
    raise AssertionError("Ctrl-C never brought the prompt back")


@test()
def ctrl_c_stops_the_foreground_job(g):
    g.send("spin\n")
    time.sleep(1)
    interrupt(g)
    assert g.run("echo $?") == "130\n", "killed by SIGINT"
    assert g.run("echo alive") == "alive\n"
    # a whole pipeline goes
    g.send("spin | %s cat\n" % F)
    time.sleep(1)
    interrupt(g)
    assert g.run("echo still here") == "still here\n"
    # a job asleep reading the console goes too
    g.send("%s cat\n" % F)
    time.sleep(0.5)
    g.send("typed\n")
    g.expect(r"typed\n", 5)  # the echo of the key
    g.expect(r"typed\n", 5)  # cat's copy
    interrupt(g)
    assert g.run("echo $?") == "130\n"


@test()
def ctrl_d_ends_the_shell_and_init_restarts_it(g):
    g.send("\x04")
    g.expect(r"\$ ", 5)
    assert g.run("echo back") == "back\n"
    # Ctrl-D in the middle of a line ends only that read, not the shell
    g.send("echo par\x04")
    g.send("tial\n")
    g.expect(r"partial\n", 5)
    g.expect(r"\$ ", 5)
    assert g.run("echo fine") == "fine\n"
    # a reader sees each Ctrl-D as the end of a partial line, and one
    # on an empty line as end of file; a read that fills its buffer just
    # before the Ctrl-D does not turn it into a false end of file
    g.send("%s reads 3\n" % F)
    time.sleep(0.5)
    g.send("abc\x04")
    g.expect(r"\[abc\]\n", 5)
    g.send("de\x04")
    g.expect(r"\[de\]\n", 5)
    g.send("xy\n")
    g.expect(r"\[xy\n\]\n", 5)
    g.send("\x04")
    g.expect(r"EOF\n", 5)
    g.expect(r"\$ ", 5)


@test()
def backspace_edits_the_line(g):
    g.send("ecx\x7fho hi\n")
    g.expect(r"\nhi\n", 5)
    g.expect(r"\$ ", 5)
    g.send("echo abc\x08\x08xy\n")
    g.expect(r"\naxy\n", 5)
    g.expect(r"\$ ", 5)
    # Ctrl-U drops the whole line typed so far
    assert g.run("echo junk\x15echo kept") == "kept\n"
    # backspace cannot eat into the prompt or an earlier line
    assert g.run("\x7f\x7f\x7fecho ok") == "ok\n"
