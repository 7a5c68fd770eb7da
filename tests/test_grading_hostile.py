"""A hostile class: every family of attack in issue 10, and more, graded in one run.

Families: submissions that try to stop the class (bad names, bad bytes, links to
devices, FIFOs, huge or deeply nested files, floods of notes), submissions that try to
make the grader fail on them (garbage or crafted replies from a patched sandbox,
exercise ids planted in comments), escapes (daemons that detach and clear their
parent-death signal, SysV and POSIX IPC, abstract and TCP sockets, files of the grader
and of other students, memory held by forked children, the cgroup and mount tables),
and submissions that try to be scored wrongly (links to another student's notebook or
the solution, look-alike names, ndarray subclasses and memmaps, nbformat 3, big outputs).

The test plants bait on the host before the run (an abstract socket and a TCP port
listening, a SysV segment and a /dev/shm file open to everyone, the grading secret,
another student's notebook, a world-writable file), and the "trap" submissions compute
the right answer only if every attack on the bait failed: a leak costs them points. A
slow test grades the same traps with --no-namespaces and checks that they do lose
points there, so the traps are real.
"""

import contextlib
import csv
import ctypes
import io
import json
import os
import random
import socket
import textwrap

import pytest
from test_grading_leakcheck import Snapshot, no_leaks, problems_since  # noqa: F401 - no_leaks is autouse

from course_utils.cli import main as course_utils_main
from course_utils.grading import limits

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IDS = ("01.sigmoid", "01.sigmoid_prime", "01.numerical_grad")
MARKER = "6543.21"   # sleep duration that marks processes started by hostile submissions
MEMORY_MB = 512
_LIBC = ctypes.CDLL(None, use_errno=True)

RIGHT = """
import numpy as np

def sigmoid(u):
    u = np.asarray(u, dtype=float)
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))

def sigmoid_prime(u):
    s = sigmoid(u)
    return s * (1 - s)

def numerical_grad(f, w, eps=1e-6):
    w = np.array(w, dtype=float)
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + eps
        fp = f(w)
        w[i] = old - eps
        fm = f(w)
        w[i] = old
        grad[i] = (fp - fm) / (2 * eps)
    return grad
"""

TRAP_START = """
_leaked = []

def _try(name, attack):
    try:
        if attack():
            _leaked.append(name)
    except BaseException:
        pass
"""

TRAP_END = """
_right_sigmoid = sigmoid

def sigmoid(u):
    return _right_sigmoid(u) + (1.0 if _leaked else 0.0)
"""


def cell(source):
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": textwrap.dedent(source).lstrip("\n").splitlines(True)}


def notebook(*sources, outputs=None):
    cells = [cell(s) for s in sources]
    if outputs:
        cells[-1]["outputs"] = outputs
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})


def trap(*attacks):
    """A notebook whose sigmoid (and so sigmoid_prime) is right only if every attack failed."""
    return notebook(RIGHT, TRAP_START, *attacks, TRAP_END)


ALL_RIGHT = {i: (True, None) for i in IDS}
ALL_NOT_IMPLEMENTED = {i: (False, "not_implemented") for i in IDS}


def attacks(bait):
    """The attack cells, each given the bait's whereabouts."""
    b = {k: repr(v) for k, v in bait.items()}
    return {
        "network": f"""
            import socket
            def _abstract():
                s = socket.socket(socket.AF_UNIX)
                s.settimeout(1)
                s.connect({b['abstract']})
                return True
            def _tcp():
                socket.create_connection(("127.0.0.1", {b['port']}), timeout=1).close()
                return True
            _try("abstract socket", _abstract)
            _try("tcp", _tcp)
            # listen on an abstract name of our own: another submission must not reach it
            _server = socket.socket(socket.AF_UNIX)
            _server.bind("\\0course-grade-attack")
            _server.listen()
            """,
        "ipc": f"""
            import ctypes, os
            _libc = ctypes.CDLL(None, use_errno=True)
            _try("sysv bait", lambda: _libc.shmget({b['shm_key']}, 0, 0) >= 0)
            _try("devshm bait", lambda: os.path.exists({b['devshm']}))
            for key in (0x5EED0001, 0x5EED0002):
                _libc.shmget(key, 4096, 0o1666)
                _libc.msgget(key, 0o1666)
                _libc.semget(key, 1, 0o1666)
            _libc.shmget(0, 1 << 20, 0o1600)
            try:
                _rt = ctypes.CDLL("librt.so.1")
                _rt.mq_open(b"/course-grade-attack", os.O_CREAT | os.O_RDWR, 0o666, None)
            except OSError:
                pass
            with open("/dev/shm/course-grade-attack", "w") as fh:
                fh.write("x")
            """,
        "files": f"""
            import ctypes, os, sys, glob
            _libc = ctypes.CDLL(None, use_errno=True)
            def _read(path):
                with open(path, "rb") as fh:
                    return fh.read(1) is not None
            for _p in ({b['secret']}, {b['other']}, {b['solution']}, {b['answers']}, {b['state']}):
                _try("read " + _p, lambda p=_p: _read(p))
            _try("course package", lambda: os.path.exists({b['package']}))
            def _write(path):
                with open(path, "a") as fh:
                    fh.write("pwned")
                return True
            _try("host file", lambda: _write({b['host_file']}))
            for _d in ("/", "/usr", "/etc", "/tmp", os.path.dirname(np.__file__),
                       os.path.dirname(sys.modules["wire"].__file__)):
                _try("write " + _d, lambda d=_d: _write(os.path.join(d, "course-grade-attack")))
            # the sandbox's own runtime copy is there; nothing of the grader's run folder besides
            _try("run folder", lambda: [p for p in glob.glob("/tmp/course-grade-*/*") if not p.endswith("/runtime")])
            _try("cgroup", lambda: _write("/sys/fs/cgroup/memory/tasks"))
            _try("setuid", lambda: os.setuid(0) is None)
            _try("mount", lambda: _libc.mount(b"tmpfs", b"/scratch", b"tmpfs", 0, None) == 0)
            _try("see processes", lambda: len([p for p in os.listdir("/proc") if p.isdigit()]) > 2)
            _try("signal parent", lambda: os.kill(os.getppid(), 0) is None)
            _try("user namespace", lambda: _libc.unshare(0x10000000) == 0)   # would be "root" inside it
            _try("io_uring", lambda: _libc.syscall(425, 8, None) >= 0)
            _try("bpf", lambda: _libc.syscall(321, 0, None, 0) >= 0)
            _try("ptrace", lambda: _libc.ptrace(16, 1, None, None) == 0)      # PTRACE_ATTACH to pid 1
            """,
        "daemon": f"""
            import ctypes, os
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)    # clear the parent-death signal
                    os.execv("/bin/sleep", ["sleep", "{MARKER}"])
                os._exit(0)
            os.wait()
            """,
        "memory": f"""
            import os, signal, time
            import numpy as np
            _r, _w = os.pipe()
            _kids = []
            for _ in range(4):
                _pid = os.fork()
                if _pid == 0:
                    try:
                        _hold = np.ones(150 * 2 ** 20 // 8)       # 150 MB, touched
                        os.write(_w, b"%8d" % os.getpid())
                        time.sleep(20)
                    finally:
                        os._exit(0)
                _kids.append(_pid)
            os.close(_w)
            os.set_blocking(_r, False)
            _wrote, _dead, _deadline = set(), set(), time.monotonic() + 15  # within the 20 s cell limit
            while len(_wrote | _dead) < 4 and time.monotonic() < _deadline:
                try:
                    _data = os.read(_r, 80)
                    _wrote.update(int(_data[i:i + 8]) for i in range(0, len(_data), 8))
                except BlockingIOError:
                    pass
                _dead.update(p for p in _kids if p not in _dead and os.waitpid(p, os.WNOHANG)[0])
                _holding = len(_wrote - _dead)                    # 150 MB each, all at the same time
                if _holding * 150 > {MEMORY_MB}:
                    _leaked.append("memory")                      # more than the limit, held at once
                    break
                time.sleep(0.02)
            for _pid in _kids:
                try:
                    os.kill(_pid, signal.SIGKILL)
                except OSError:
                    pass
            """,
    }


def build_class(folder, bait):
    """Write the class; returns {student id: {exercise: (passed, diagnosis or None)}}."""
    expected = {}

    def add(name, data, expect=None, raw_name=None):
        path = os.path.join(os.fsencode(folder), raw_name) if raw_name else os.path.join(folder, f"{name}.ipynb")
        with open(path, "wb") as fh:
            fh.write(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
        expected[name] = dict(ALL_RIGHT, **(expect or {}))

    a = attacks(bait)
    # ---- escapes: the traps (right only if the attack failed)
    for name in ("network", "ipc", "files", "daemon", "memory"):
        add(f"trap_{name}", trap(a[name]))
    # ---- trying to stop the class
    add("%FFnot_utf8", notebook(RIGHT), raw_name=b"\xffnot_utf8.ipynb")
    add("surrogate_magic", notebook(RIGHT, "%load_ext \ud800\udcff magic\n!rm -rf \ud83d /\n"))
    add("magic_flood", notebook(RIGHT, "%x\n" * 200_000))
    add("deep_json", "[" * 200_000 + "]" * 200_000, ALL_NOT_IMPLEMENTED)
    add("utf16", notebook(RIGHT).encode("utf-16"))   # JSON may be UTF-16: read like any notebook
    os.symlink("/dev/zero", os.path.join(folder, "zero_link.ipynb"))
    expected["zero_link"] = ALL_NOT_IMPLEMENTED
    os.mkfifo(os.path.join(folder, "fifo.ipynb"))
    expected["fifo"] = ALL_NOT_IMPLEMENTED
    with open(os.path.join(folder, "sparse.ipynb"), "wb") as fh:
        fh.truncate(3 * 2 ** 30)
    expected["sparse"] = ALL_NOT_IMPLEMENTED
    # ---- trying to make the grader fail: a sandbox patched to send what it likes
    def patch(code):
        return "import sys\n_wire = sys.modules['wire']\n" + textwrap.dedent(code)
    add("bad_dtype", notebook(RIGHT, patch("_wire.encode = lambda v, fn_hook=None: "
                                             "{'__nd__': ['(2**70,)f8', [1], 'AAAAAAAAAAA=']}\n")),
        {i: (False, "wrong_type") for i in IDS})
    add("bad_reshape", notebook(RIGHT, patch("_wire.encode = lambda v, fn_hook=None: "
                                               "{'__nd__': ['<f8', [0, 2**62, 2**62], '']}\n")),
        {i: (False, "wrong_type") for i in IDS})
    add("bad_frames", notebook(RIGHT, patch("""
        import os
        _send_frame = _wire.send_frame
        def send_frame(fd, frame):                                 # results are sent as ready-made frames
            if b'"op":"result"' in frame:
                frame = b"\\xff\\xff\\xff\\xff" + b"x" * 64      # a 4 GB length, then garbage
            _send_frame(fd, frame)
        _wire.send_frame = send_frame
        """)), {i: (False, "exception") for i in IDS})
    add("out_of_turn", notebook(RIGHT, patch("""
        _send = _wire.send
        def send(fd, message):
            if message.get("op") == "called":
                message = dict(message, index=7)
            _send(fd, message)
        _wire.send = send
        """)), {i: (False, "exception") for i in IDS})
    add("result_out_of_turn", notebook(RIGHT, patch("""
        _send_frame = _wire.send_frame
        def send_frame(fd, frame):
            if b'"op":"result"' in frame:
                frame = _wire.dumps({"op": "result", "index": 9, "kind": "returned", "value": 0.25})
            _send_frame(fd, frame)
        _wire.send_frame = send_frame
        """)), {i: (False, "exception") for i in IDS})
    add("note_flood", notebook(RIGHT, patch("""
        _send = _wire.send
        def send(fd, message):
            if message.get("op") == "ran":
                junk = [1, None, "x" * 10**6]
                message = dict(message, notes=["n" * 200] * 100_000, callable=message["callable"] + junk)
            _send(fd, message)
        _wire.send = send
        """)))
    add("planted_ids", notebook(RIGHT, '# check("05.grads", f) and check("06.grads", g)\n'
                                       'check = lambda *a: None\ncheck("07.grads", sigmoid)\n'))
    # ---- trying to be scored wrongly
    other = os.path.join(folder, "honest.ipynb")
    add("honest", notebook(RIGHT))
    link_dir = os.path.join(folder, "copycat")
    os.mkdir(link_dir)
    os.symlink(other, os.path.join(link_dir, "01_sigmoid.ipynb"))
    os.symlink(os.path.join(ROOT, "solutions", "01_sigmoid.ipynb"), os.path.join(link_dir, "01-solution.ipynb"))
    os.symlink("..", os.path.join(link_dir, "up"))
    expected["copycat"] = ALL_NOT_IMPLEMENTED
    add("a b", notebook(RIGHT))                                   # id a%20b
    add("a_b", notebook("def sigmoid(u):\n    return u\n"),       # its own id, its own grade
        {i: (False, "not_implemented") for i in IDS[1:]} | {"01.sigmoid": (False, "wrong_value")})
    expected["a%20b"] = expected.pop("a b")
    add("memmap", notebook(RIGHT, """
        _plain = sigmoid_prime
        def sigmoid_prime(u):
            value = _plain(u)
            out = np.memmap("m.bin", dtype=value.dtype, mode="w+", shape=value.shape)
            out[...] = value
            return out
        """))
    add("nbformat3", json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [
        {"cells": [{"cell_type": "code", "language": "python", "input": RIGHT, "outputs": []}]}]}))
    add("big_outputs", notebook(RIGHT, outputs=[{"output_type": "stream", "name": "stdout",
                                                  "text": ["x" * 1_000_000 + "\n"] * 50}]))
    # ---- more than the issue names
    add("huge_value", notebook(RIGHT, "def sigmoid_prime(u):\n    return np.zeros(11_000_000, dtype=bool)\n"),
        {"01.sigmoid_prime": (False, "wrong_type")})           # more entries than plain data holds

    add("deaf_loop", notebook(RIGHT, """
        import signal
        def numerical_grad(f, w, eps=1e-6):
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            while True:
                pass
        """), {"01.numerical_grad": (False, "timeout")})
    add("pipe_closer", notebook(RIGHT, "import os\nos.closerange(3, 1024)\n"))
    add("thread_bomb", notebook(RIGHT, """
        import threading, time
        _threads = []
        try:
            for _ in range(1000):
                t = threading.Thread(target=time.sleep, args=(30,), daemon=True)
                t.start()
                _threads.append(t)
        except RuntimeError:
            pass
        """))
    add("exits", notebook(RIGHT, "import sys\nsys.exit(3)\n", "raise KeyboardInterrupt\n"))
    add("group_killer", notebook(RIGHT, """
        import os, signal
        def numerical_grad(f, w, eps=1e-6):
            os.killpg(0, signal.SIGKILL)
        """), {"01.numerical_grad": (False, "exception")})
    return expected


@pytest.fixture(scope="module")
def bait(tmp_path_factory):
    """Things on the host that no submission may reach; removed afterwards."""
    base = tmp_path_factory.mktemp("hostile")
    pid = os.getpid()
    abstract = f"\0course-grade-bait-{pid}"
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(abstract)
    unix.listen()
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    key = random.randrange(0x10000000, 0x7FFFFFFF)
    shmid = _LIBC.shmget(key, 4096, 0o1666)
    assert shmid >= 0
    devshm = f"/dev/shm/course-grade-bait-{pid}"
    with open(devshm, "w") as fh:
        fh.write("bait")
    os.chmod(devshm, 0o666)
    host_file = str(base / "host_file.txt")
    with open(host_file, "w") as fh:
        fh.write("original")
    os.chmod(host_file, 0o666)
    out = base / "out"
    out.mkdir()
    values = {"abstract": abstract, "port": tcp.getsockname()[1], "shm_key": key, "devshm": devshm,
              "secret": str(out / "gradebook.csv.secret"), "other": str(base / "class" / "honest.ipynb"),
              "solution": os.path.join(ROOT, "solutions", "01_sigmoid.ipynb"),
              "answers": os.path.join(ROOT, "course_utils", "exercises", "nb01_sigmoid.py"),
              "package": os.path.join(ROOT, "course_utils", "checking"),
              "state": str(out / "gradebook.csv.state.json"), "host_file": host_file, "base": str(base)}
    yield values
    unix.close()
    tcp.close()
    _LIBC.shmctl(shmid, 0, None)
    os.unlink(devshm)


def grade(bait, *extra):
    folder = os.path.join(bait["base"], "class")
    os.makedirs(folder, exist_ok=True)
    expected = build_class(folder, bait) if not os.listdir(folder) else None
    out = os.path.join(bait["base"], "out", "gradebook.csv")
    argv = ["grade", folder, "--exercises", ",".join(IDS), "--out", out,
            "--feedback", os.path.join(bait["base"], "out", "fb"), "--jobs", "4", "--timeout", "60",
            "--cell-timeout", "20", "--call-timeout", "1", "--memory", str(MEMORY_MB), "--quiet", *extra]
    before = Snapshot()
    printed, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
        code = course_utils_main(argv)
    left = problems_since(before)
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {"code": code, "rows": rows, "expected": expected, "out": out, "left": left,
            "stdout": printed.getvalue(), "stderr": errors.getvalue()}


@pytest.fixture(scope="module")
def graded(bait):
    return grade(bait)


def _marked():
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if MARKER.encode() in fh.read():
                        found.append(pid)
            except OSError:
                pass
    return found


def test_the_class_is_graded_completely(graded):
    assert graded["code"] == 0, graded["stderr"]
    students = {r["student"] for r in graded["rows"]}
    assert students == set(graded["expected"])
    assert {r["exercise"] for r in graded["rows"]} == set(IDS)  # no exercise planted by a submission
    assert len(graded["rows"]) == 3 * len(students)


def test_every_submission_gets_what_it_deserves(graded):
    wrong = []
    for r in graded["rows"]:
        want = graded["expected"][r["student"]][r["exercise"]]
        got = (r["passed"] == "1", r["diagnosis"] or None)
        if got != want:
            wrong.append(f"{r['student']} {r['exercise']}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong) + "\n" + graded["stdout"][-600:]


def test_nothing_of_the_run_is_left_and_the_bait_is_untouched(graded, bait):
    assert graded["left"] == [], graded["left"]
    assert _marked() == []
    with open(bait["host_file"]) as fh:
        assert fh.read() == "original"
    assert "pid namespace" in graded["stdout"] and "cgroup" in graded["stdout"]


def test_feedback_and_state_stay_small_and_explain(graded, bait):
    fb = os.path.join(bait["base"], "out", "fb")
    sizes = {name: os.path.getsize(os.path.join(fb, name)) for name in os.listdir(fb)}
    assert max(sizes.values()) < 40_000, sizes
    assert os.path.getsize(graded["out"] + ".state.json") < 1_000_000
    text = {name[:-3]: open(os.path.join(fb, name), encoding="utf-8").read() for name in os.listdir(fb)}
    assert "more notes (only the first" in text["magic_flood"]
    assert "symbolic link" in text["zero_link"] and "FIFO" in text["fifo"]
    assert "--max-notebook-mb" in text["sparse"]
    assert text["copycat"].count("symbolic link") == 3
    assert "\\xff" in text["surrogate_magic"] or "\ufffd" in text["surrogate_magic"]
    assert f"limit {limits.MAX_RESTARTS} restarts" not in text["pipe_closer"]
    assert "cell limit" not in text["honest"] and "Notes" not in text["honest"]


def test_a_rerun_reuses_everything(graded, bait):
    again = grade(bait)
    assert again["code"] == 0 and "graded 0 submissions" in again["stdout"]
    assert again["rows"] == graded["rows"]
    assert again["left"] == []


def _clean_up(left):
    """Remove what a weakly isolated run left (processes, SysV objects, /dev/shm files)."""
    for line in left:
        words = line.split()
        if words[0] == "process":
            os.kill(int(words[1]), 9)
        elif line.startswith("SysV IPC object "):
            kind, ident = words[3].split(":")[0], int(words[4])
            {"shm": _LIBC.shmctl, "msg": _LIBC.msgctl}.get(kind, lambda i, c, b: _LIBC.semctl(i, 0, c))(ident, 0, None)
        elif words[0].startswith("/dev/shm/"):
            os.unlink(words[0])


@pytest.mark.slow
def test_without_namespaces_and_cgroups_the_traps_and_the_leak_check_do_catch(graded, bait):
    """The traps and the leak check are real: with --no-namespaces --no-cgroups the bait is
    reachable, the traps lose points, and the leak check finds what the run left."""
    weak = grade(dict(bait), "--no-namespaces", "--no-cgroups", "--force")
    try:
        lost = {r["student"] for r in weak["rows"] if r["student"].startswith("trap_") and r["passed"] == "0"}
        assert {"trap_network", "trap_ipc", "trap_memory"} <= lost, lost
        assert "NO PID NAMESPACE" in weak["stdout"] and "NO CGROUP" in weak["stdout"]
        kinds = {line.split()[0] for line in weak["left"]}
        assert {"process", "SysV", "/dev/shm/course-grade-attack"} <= kinds, weak["left"]
    finally:
        _clean_up(weak["left"])
