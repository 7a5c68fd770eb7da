"""Leak checks for the grading tests: after every test, nothing its grading started or made
is left: no process, file, control group, IPC object, socket or file descriptor.

How it is checked, not assumed:

- processes: while a check is open the test process is a child subreaper
  (``PR_SET_CHILD_SUBREAPER``), so any process a grading run leaves behind, even one that
  detached itself (``setsid``, double fork), is re-parented to it; after the test it must
  have no descendant left (dead ones are reaped). Processes in a sandbox's pid namespace
  are its descendants too. (The flag is off outside grading tests, so other tests'
  orphans go to init as usual.)
- files and control groups: every run folder and cgroup folder ``Runtime`` made during
  the test must be gone, and no ``course-grade-*`` folder of this process may remain in
  the temporary folder;
- IPC: ``/proc/sysvipc`` (shared memory, message queues, semaphores) must hold no new
  object, and ``/dev/shm`` and ``/dev/mqueue`` no new entry owned by a sandbox uid;
- sockets: no new TCP/UDP socket owned by a sandbox uid, no new Unix socket under a
  run folder; and the test process holds no more file descriptors than before.

The tests at the end break each check on purpose and watch it fail.
"""

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from course_utils.grading.sandbox import UID_BASE, UID_SPAN, Runtime

PR_SET_CHILD_SUBREAPER = 36
SANDBOX_UIDS = range(UID_BASE, UID_BASE + UID_SPAN)
_LIBC = ctypes.CDLL(None, use_errno=True)
_OPEN_CHECKS = [0]   # snapshots not yet checked: the subreaper flag is on while any is open


def _subreaper(on):
    _OPEN_CHECKS[0] += 1 if on else -1
    if _OPEN_CHECKS[0] == (1 if on else 0):
        assert _LIBC.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _stat_of(pid):
    text = _read(f"/proc/{pid}/stat")
    if not text:
        return None
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    return name, fields[0], int(fields[1])  # name, state, ppid


def _children(pid):
    """The child pids of every thread of process ``pid`` (from /proc/PID/task/*/children)."""
    kids = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tasks:
        kids += [int(x) for x in _read(f"/proc/{pid}/task/{tid}/children").split()]
    return kids


def descendants(root=None):
    """[(pid, name, state)] of every descendant of ``root`` (this process), zombies included."""
    found, todo, seen = [], [root or os.getpid()], set()
    while todo:
        for pid in _children(todo.pop()):
            info = _stat_of(pid)
            if info and pid not in seen:
                seen.add(pid)
                found.append((pid, info[0], info[1]))
                todo.append(pid)
    return found


def _reap_zombies():
    for pid, _, state in descendants():
        if state == "Z":
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def _sysvipc():
    found = set()
    for kind in ("shm", "msg", "sem"):
        lines = _read(f"/proc/sysvipc/{kind}").splitlines()[1:]
        found.update(f"{kind}:{' '.join(line.split()[:2])}" for line in lines if line.strip())
    return found


def _owned_by_sandbox(folder):
    found = set()
    try:
        names = os.listdir(folder)
    except OSError:
        return found
    for name in names:
        try:
            if os.lstat(os.path.join(folder, name)).st_uid in SANDBOX_UIDS:
                found.add(f"{folder}/{name}")
        except OSError:
            pass
    return found


def _sockets():
    found = set()
    for kind in ("tcp", "tcp6", "udp", "udp6"):
        for line in _read(f"/proc/net/{kind}").splitlines()[1:]:
            parts = line.split()
            if len(parts) > 7 and parts[7].isdigit() and int(parts[7]) in SANDBOX_UIDS:
                found.add(f"{kind} {parts[1]} uid {parts[7]}")
    for line in _read("/proc/net/unix").splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 8 and "course-grade-" in parts[7]:
            found.add(f"unix {parts[7]}")
    return found


def _own_run_folders():
    prefix = f"course-grade-{os.getpid()}-"
    return {os.path.join(tempfile.gettempdir(), n) for n in os.listdir(tempfile.gettempdir()) if n.startswith(prefix)}


def _open_fds():
    """{fd: what it is} for this process's open descriptors (the listing's own one left out)."""
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[int(fd)] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile: the descriptor of the listing itself
    return found


class Snapshot:
    """What exists before a test, to compare with after it."""

    def __init__(self):
        _subreaper(True)
        _reap_zombies()
        self.fds = _open_fds()
        self.ipc = _sysvipc()
        self.owned = _owned_by_sandbox("/dev/shm") | _owned_by_sandbox("/dev/mqueue")
        self.sockets = _sockets()
        self.made = len(Runtime.made)
        self.made_cgroups = len(Runtime.made_cgroups)
        self.folders = _own_run_folders()
        self.processes = {pid for pid, _, state in descendants() if state != "Z"}


def problems_since(before, wait=5.0):
    """What was left since ``before`` (a list of sentences; empty when nothing)."""
    deadline = time.monotonic() + wait
    while True:  # the kernel tears pid namespaces down asynchronously: give it a moment
        _reap_zombies()
        left = [(p, n, s) for p, n, s in descendants() if s != "Z" and p not in before.processes]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    found = [f"process {pid} ({name}, state {state}) is still running" for pid, name, state in left]
    found += [f"run folder {d} is still there" for d in Runtime.made[before.made:] if os.path.exists(d)]
    found += [f"run folder {d} is still there" for d in _own_run_folders() - before.folders]
    found += [f"control group {d} is still there" for d in Runtime.made_cgroups[before.made_cgroups:]
              if os.path.exists(d)]
    found += [f"SysV IPC object {x} is new" for x in _sysvipc() - before.ipc]
    found += [f"{x} (owned by a sandbox uid) is new" for x in
              (_owned_by_sandbox("/dev/shm") | _owned_by_sandbox("/dev/mqueue")) - before.owned]
    found += [f"socket {x} is new" for x in _sockets() - before.sockets]
    for fd, target in sorted(set(_open_fds().items()) - set(before.fds.items())):
        found.append(f"file descriptor {fd} ({target}) is still open")
    if not getattr(before, "checked", False):
        before.checked = True
        _subreaper(False)
    return found


@pytest.fixture(autouse=True)
def no_leaks():
    """Fail the test if it left anything of its grading behind (see the module docstring)."""
    before = Snapshot()
    yield
    problems = problems_since(before)
    assert not problems, "the test left:\n" + "\n".join(problems)


# ---------------------------------------------------------------- the checker catches leaks

def _detached_sleeper():
    """Start a process that detaches itself (setsid, double fork) and sleeps; returns its pid."""
    code = ("import os, sys, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        sys.stdout.write(str(os.getpid())); sys.stdout.flush(); os.close(1); os.close(2); time.sleep(60)\n"
            "    os._exit(0)\n"
            "os.wait()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    return int(proc.stdout)


def test_the_checker_sees_a_detached_process():
    before = Snapshot()
    pid = _detached_sleeper()
    try:
        found = problems_since(before, wait=0.2)
        assert any(f"process {pid} " in p for p in found), found
    finally:
        os.kill(pid, signal.SIGKILL)
    assert problems_since(before) == []


def test_the_checker_sees_a_sysv_object_and_an_open_descriptor():
    before = Snapshot()
    shmid = _LIBC.shmget(0, 4096, 0o600 | 0o1000)  # IPC_PRIVATE, IPC_CREAT
    assert shmid >= 0
    r, w = os.pipe()
    try:
        found = problems_since(before, wait=0)
        assert any(p.startswith("SysV IPC object shm:") for p in found), found
        assert sum("file descriptor" in p for p in found) == 2, found
    finally:
        _LIBC.shmctl(shmid, 0, None)  # IPC_RMID
        os.close(r)
        os.close(w)
    assert problems_since(before) == []


def test_the_checker_sees_a_leftover_run_folder():
    before = Snapshot()
    folder = tempfile.mkdtemp(prefix=f"course-grade-{os.getpid()}-0-")
    try:
        assert any(folder in p for p in problems_since(before, wait=0))
    finally:
        os.rmdir(folder)
    assert problems_since(before) == []
