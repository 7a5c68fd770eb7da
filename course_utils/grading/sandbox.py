"""Start and stop sandboxed worker processes (the grader's side of the sandbox).

``Runtime`` prepares, once per grading run, a folder holding what a worker needs
(``worker.py``, copies of ``portable/plain.py``, ``safecall.py``, ``wire.py`` and
``testfunctions.py``, a ``config.json`` and a stub ``course_utils`` package), makes the
run's control groups (``cgroups``), and starts the fork server ("zygote",
``worker.py``): one process that imports Python, NumPy and matplotlib once and builds
the sandbox's file system (only Python, its packages, ``/usr``, ``/etc`` and the runtime
folder, read-only), so each notebook starts in milliseconds. When the grader is not
root it runs under ``unshare --user --map-root-user`` where that is allowed.

``Worker`` is one notebook's sandbox: its own control group (memory and process count
of all its processes together), its own mount, pid, network and IPC namespaces, a
private scratch tmpfs, a fresh unprivileged uid; it talks over two private pipes
(never stdin/stdout, which the submission may use). ``Worker.kill`` ends it and
everything it started: the pid namespace dies with its init, and the control group is
emptied and removed. See ``worker.py`` for the process chain and why nothing outlives
the grader, even when the grader is killed with ``kill -9``.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from ..portable import wire
from .cgroups import Cgroups, Group
from .text import printable

__all__ = ["WorkerDied", "Runtime", "Worker", "Isolation"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_PACKAGE = os.path.dirname(_HERE)
_PORTABLE = os.path.join(_PACKAGE, "portable")
RUNTIME_MODULES = ("plain", "safecall", "wire", "testfunctions")   # next to worker.py
PUBLIC_MODULES = ("functions", "testfunctions", "gradcheck")      # in the stub package
SYSTEM_BINDS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
UID_BASE, UID_SPAN = 200_000, 700_000
RUN_PREFIX = "course-grade-"


class WorkerDied(Exception):
    """The worker process ended (crash, exit, kill) or sent garbage."""


def _probe(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _inside(path: str, folder: str) -> bool:
    folder = folder.rstrip("/")
    return path == folder or path.startswith(folder + "/")


def _site_dirs() -> list[str]:
    dirs = [p for p in sys.path if os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages")
            and os.path.isdir(p)]
    return list(dict.fromkeys(os.path.abspath(p) for p in dirs))


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(x) for x in fh.read().split()]
    except (OSError, ValueError):
        return []


def _demand_of(pid: int) -> float:
    """Seconds process ``pid``'s threads have spent running or waiting to run (schedstat)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as fh:
                running, waiting = fh.read().split()[:2]
            total += int(running) + int(waiting)
        except (OSError, ValueError):
            continue
    return total / 1e9


class Isolation:
    """What this run obtained; ``describe()`` is the line printed in the run summary."""

    def __init__(self, zygote_facts: dict[str, Any], cgroups: Cgroups, user_ns: bool, allowed: bool) -> None:
        self.zygote = zygote_facts
        self.cgroups = cgroups
        self.user_ns = user_ns
        self.allowed = allowed

    def describe(self, facts: dict[str, Any] | None = None) -> str:
        """One line (str) listing the isolation reached, given a worker's ``facts``."""
        f = dict(self.zygote, **(facts or {}))
        parts = ["own process group and session per notebook"]
        if not self.allowed:
            parts.append("NAMESPACES DISABLED (--no-namespaces)")
        parts.append("private process tree (pid namespace: nothing it starts survives it)" if f.get("pid_ns")
                     else "NO PID NAMESPACE (processes that leave their group may survive, unless the cgroup "
                          "catches them)")
        parts.append("no network, own abstract sockets (network namespace)" if f.get("net_ns")
                     else "NETWORK AND ABSTRACT SOCKETS SHARED (no network namespace)")
        parts.append("own SysV IPC and POSIX message queues (IPC namespace)" if f.get("ipc_ns")
                     else "SYSV IPC SHARED WITH THE HOST (no IPC namespace)")
        if f.get("root") and f.get("mount_ns"):
            parts.append(f"file system: only Python, its packages, /usr and /etc, read-only ({f['root']}); "
                         "private scratch tmpfs and /dev/shm")
        else:
            why = f.get("root_error") or "no mount namespace"
            parts.append(f"GRADER FILES VISIBLE ({why}); scratch folder private to its uid only")
        if self.cgroups.available and f.get("cgroup") is False:
            parts.append("CGROUP NOT JOINED (the notebook could not be moved into its control group): memory "
                         "limited per process only")
        else:
            parts.append(self.cgroups.describe())
        uid = f.get("uid")
        if type(uid) is int and uid != 0:
            parts.append("a fresh unprivileged uid per notebook, with a process limit")
        elif self.user_ns and f.get("caps_dropped"):
            parts.append("user namespace, no capabilities (one uid for all notebooks)")
        else:
            parts.append("RUNS WITH THE GRADER'S UID (no separate uid)")
        parts.append("system-call filter (no namespaces, mounts, ptrace, BPF, io_uring, keyrings)" if f.get("seccomp")
                     else "NO SYSTEM-CALL FILTER")
        parts.append("resource limits (address space, CPU time, file size, no core files), scrubbed environment")
        return "; ".join(parts)


class Runtime:
    """The sandbox of one grading run; ``close()`` ends it and removes everything it made.

    Create it in the main thread (the zygote dies with the thread that started it).
    Its folder (``dir``) is deleted as soon as the zygote has built the sandbox's own
    root (which keeps what it needs bound), so even a grader killed with ``kill -9``
    leaves no file behind; only its (empty) control groups remain, and the next run
    removes those (``remove_stale``)."""

    made: list[str] = []           # every run folder this process made (for leak checks)
    made_cgroups: list[str] = []   # and every control-group folder

    def __init__(self, hide: list[str] | tuple[str, ...] = (), allow_namespaces: bool = True,
                 allow_cgroups: bool = True, memory_mb: int = 1024, cpu_seconds: int = 310, file_mb: int = 64,
                 scratch_mb: int = 128, processes: int = 64) -> None:
        remove_stale()
        self.dir = tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-{_start_time(os.getpid())}-")
        Runtime.made.append(self.dir)
        self.closing = False
        self.lock = threading.Lock()
        self.active: set[Worker] = set()
        self.count = 0
        self.uid_start = UID_BASE + secrets.randbelow(UID_SPAN - 10_000)
        self.exits: dict[int, int] = {}
        self.exit_cond = threading.Condition()
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.zlock = threading.Lock()
        self.leftovers: list[str] = []
        self.to_reap: list[Group] = []
        self.reap_cond = threading.Condition()
        self.reaper: threading.Thread | None = None
        self.reaped_all = False
        try:
            self._make_folders()
            self.root = os.geteuid() == 0
            self.allow_namespaces = allow_namespaces
            self.user_ns = (not self.root and allow_namespaces and shutil.which("unshare") is not None
                            and _probe(["unshare", "--user", "--map-root-user", "true"]))
            self.cgroups = Cgroups.probe(os.path.basename(self.dir)) if allow_cgroups else Cgroups(
                reason="--no-cgroups")
            Runtime.made_cgroups.extend(self.cgroups.run_dirs.values())
            self.limits = {"memory_mb": int(memory_mb), "cpu_seconds": int(cpu_seconds), "file_mb": int(file_mb),
                           "scratch_mb": int(scratch_mb), "processes": int(processes)}
            self._write_config(list(hide))
            self._start_zygote()
            self.isolation = Isolation(self.facts, self.cgroups, self.user_ns, allow_namespaces)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ set-up

    def _make_folders(self) -> None:
        os.chmod(self.dir, 0o755)
        self.scratch_root = os.path.join(self.dir, "scratch")  # per-worker folders when there is no mount ns
        os.mkdir(self.scratch_root, 0o711)
        os.mkdir(os.path.join(self.dir, "root"), 0o755)        # the sandbox's new root is mounted here
        self.rt = os.path.join(self.dir, "runtime")
        stub = os.path.join(self.rt, "stub", "course_utils")
        os.makedirs(stub)
        shutil.copy(os.path.join(_HERE, "worker.py"), self.rt)
        for name in RUNTIME_MODULES:
            shutil.copy(os.path.join(_PORTABLE, f"{name}.py"), self.rt)
        shutil.copy(os.path.join(_HERE, "sandbox_files", "course_utils_stub.py"), os.path.join(stub, "__init__.py"))
        for name in PUBLIC_MODULES:
            shutil.copy(os.path.join(_PORTABLE, f"{name}.py"), stub)
        os.makedirs(os.path.join(self.rt, "mpl"))  # the zygote builds matplotlib's font cache here, once
        for root, dirs, files in os.walk(self.rt):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        os.chmod(self.rt, 0o755)

    def _write_config(self, hide: list[str]) -> None:
        exe_dir = os.path.dirname(os.path.realpath(sys.executable))
        binds = [*SYSTEM_BINDS, sys.prefix, sys.base_prefix, exe_dir, *_site_dirs()]  # the runtime is copied
        binds = list(dict.fromkeys(os.path.abspath(b) for b in binds))
        real_binds = [os.path.realpath(b) for b in binds]
        # Folders inside what is bound that must stay hidden (the course's own package,
        # with the answers, when it is installed into site-packages; the grader's outputs).
        masks = []
        for path in [os.path.realpath(_PACKAGE), *(os.path.realpath(h) for h in hide)]:
            if any(_inside(path, b) for b in real_binds) and not _inside(self.rt, path) and os.path.isdir(path):
                masks.append(path)
        self.site_dirs = _site_dirs()
        config = {"site_dirs": self.site_dirs, "binds": binds, "masks": masks,
                  "namespaces": self.allow_namespaces and (self.root or self.user_ns),
                  "root_mountpoint": os.path.join(self.dir, "root"),
                  "preload": ["numpy", "matplotlib", "matplotlib.pyplot"]}
        path = os.path.join(self.rt, "config.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(config, fh)
        os.chmod(path, 0o644)
        self.namespaces = bool(config["namespaces"])

    def _start_zygote(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        prefix = ["unshare", "--user", "--map-root-user"] if self.user_ns else []
        cmd = [*prefix, sys.executable, "-I", "-S", os.path.join(self.rt, "worker.py"), str(theirs.fileno()),
               str(os.getpid())]
        env = _scrubbed_env()
        env["MPLCONFIGDIR"] = os.path.join(self.rt, "mpl")
        err = _memory_file("zygote-stderr")
        try:
            self.zygote = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env,
                                           pass_fds=(theirs.fileno(),), cwd=self.rt, start_new_session=True)
            theirs.close()
            self.sock = ours
            ready = self._recv(timeout=120)
            if ready is None or not ready.get("ready"):
                raise RuntimeError("the grading sandbox did not start: " + _tail_fd(err, 2000))
        finally:
            os.close(err)
        facts = ready.get("facts")
        self.facts: dict[str, Any] = facts if type(facts) is dict else {}
        if self.facts.get("root"):  # the sandbox holds its own view of the runtime: nothing on disk is needed
            shutil.rmtree(self.dir, ignore_errors=True)
        self.reader = threading.Thread(target=self._read_zygote, name="zygote-reader", daemon=True)
        self.reader.start()

    def _recv(self, timeout: float) -> dict[str, Any] | None:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return None
        try:
            data = self.sock.recv(1 << 16)
        except OSError:
            return None
        if not data:
            return None
        try:
            message = json.loads(data.decode())
        except ValueError:
            return None
        return message if type(message) is dict else None

    def _read_zygote(self) -> None:
        """Thread: route the zygote's messages (fork replies, exit notices) until it ends."""
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                self.replies.put({"pid": None})
                with self.exit_cond:
                    self.exit_cond.notify_all()
                return
            try:
                message = json.loads(data.decode())
            except ValueError:
                continue
            if type(message) is not dict:
                continue
            if "exit" in message and type(message.get("exit")) is int:
                with self.exit_cond:
                    status = message.get("status")
                    self.exits[message["exit"]] = status if type(status) is int else -9
                    self.exit_cond.notify_all()
            elif "pid" in message:
                self.replies.put(message)

    # ------------------------------------------------------------ workers

    def fork(self, cfg: dict[str, Any], fds: tuple[int, int, int]) -> int:
        """Ask the zygote for a new worker holding ``fds``; returns its pid (of C)."""
        with self.zlock:
            if self.zygote.poll() is not None:
                raise WorkerDied("the grading sandbox server has stopped")
            try:
                socket.send_fds(self.sock, [json.dumps(cfg).encode()], list(fds))
                reply = self.replies.get(timeout=30)
            except (OSError, queue.Empty) as exc:
                raise WorkerDied("the sandbox could not start a process") from exc
        pid = reply.get("pid")
        if type(pid) is not int:
            raise WorkerDied("the sandbox could not start a process")
        return pid

    def exit_status(self, pid: int, timeout: float = 2.0) -> int | None:
        """How a worker's C ended: its exit code (128 + signal when killed); None if unknown."""
        deadline = time.monotonic() + timeout
        with self.exit_cond:
            while pid not in self.exits:
                left = deadline - time.monotonic()
                if left <= 0 or not self.reader.is_alive():
                    break
                self.exit_cond.wait(left)
            return self.exits.get(pid)

    def start(self, memory_mb: int | None = None) -> Worker:
        """A new Worker with its own scratch space and limits (``memory_mb`` overrides the
        memory limit); raises WorkerDied once the run is closing."""
        with self.lock:
            if self.closing:
                raise WorkerDied("grading was interrupted")
            self.count += 1
            count = self.count
        uid = (self.uid_start + count % 10_000) if self.root else None
        limits = dict(self.limits)
        if memory_mb:
            limits["memory_mb"] = int(memory_mb)
        fallback = ""
        if not self.facts.get("root"):  # no private tmpfs: a folder of its own, readable by its uid only
            fallback = os.path.join(self.scratch_root, f"s{count}")
            os.mkdir(fallback, 0o700)
            if uid:
                os.chown(fallback, uid, uid)
        cfg = dict(limits, uid=uid, namespaces=self.namespaces, env=_scrubbed_env(), fallback_scratch=fallback)
        return Worker(self, cfg)

    def uid_range(self) -> range:
        """The uids this run gives its workers (for leak checks)."""
        return range(self.uid_start, self.uid_start + 10_000)

    def remove_later(self, group: Group) -> None:
        """Empty and remove a killed worker's control group in the background (its
        processes take a moment to die); ``close`` waits for all of them. Returns None."""
        with self.reap_cond:
            self.to_reap.append(group)
            self.reap_cond.notify()
            if self.reaper is None:
                self.reaper = threading.Thread(target=self._reap, name="cgroup-reaper", daemon=True)
                self.reaper.start()

    def _reap(self) -> None:
        while True:
            with self.reap_cond:
                while not self.to_reap and not self.reaped_all:
                    self.reap_cond.wait()
                if not self.to_reap:
                    return
                group = self.to_reap.pop(0)
            if not group.remove():
                self.leftovers.append(f"cgroup {sorted(group.dirs.values())}")

    def kill_all(self) -> None:
        """Stop every running worker (on interrupt); no new one can start."""
        with self.lock:
            self.closing = True
            workers = list(self.active)
        for w in workers:
            w.kill()

    def close(self) -> None:
        """Stop every worker and the zygote, remove the control groups and the run
        folder; what could not be removed is listed in ``leftovers``. Returns None."""
        self.kill_all()
        with self.reap_cond:
            self.reaped_all = True
            self.reap_cond.notify_all()
            reaper = self.reaper
        if reaper is not None:
            reaper.join()
        zygote = getattr(self, "zygote", None)
        if zygote is not None:
            try:
                zygote.kill()
                zygote.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.leftovers.append(f"zygote pid {zygote.pid}")
        sock = getattr(self, "sock", None)
        if sock is not None:
            sock.close()
        cgroups = getattr(self, "cgroups", None)
        if cgroups is not None:
            self.leftovers += cgroups.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if os.path.exists(self.dir):
            self.leftovers.append(self.dir)


def _scrubbed_env() -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "USER": "student", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _last_line(data: bytes, limit: int) -> str:
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    return printable(lines[-1], limit) if lines else ""


def _memory_file(name: str) -> int:
    """A file in memory (memfd) when Linux has them, else an unlinked temporary file; returns its fd."""
    if hasattr(os, "memfd_create"):
        try:
            return os.memfd_create(name, os.MFD_CLOEXEC)
        except OSError:
            pass
    fd, path = tempfile.mkstemp(prefix="course-grade-err-")
    os.unlink(path)
    return fd


def _tail_fd(fd: int, limit: int = 200) -> str:
    """The last non-empty line of the file open as ``fd`` (printable, cut to ``limit``)."""
    try:
        size = os.fstat(fd).st_size
        start = max(0, size - 4000)
        return _last_line(os.pread(fd, size - start, start), limit)
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """The start time of process ``pid`` in clock ticks since boot ("" if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _stale(name: str) -> bool:
    """True for a run folder or group named ``course-grade-PID-START-...`` whose grader is gone."""
    if not name.startswith(RUN_PREFIX):
        return False
    parts = name[len(RUN_PREFIX):].split("-")
    if len(parts) < 3 or not parts[0].isdigit():
        return False
    return _start_time(int(parts[0])) != parts[1]


def remove_stale() -> list[str]:
    """Remove the run folders and control groups of graders that ended without cleaning
    up (killed with ``kill -9``); returns what was removed."""
    removed = []
    tmp = tempfile.gettempdir()
    try:
        names = os.listdir(tmp)
    except OSError:
        names = []
    for name in names:
        path = os.path.join(tmp, name)
        if _stale(name) and os.path.isdir(path) and not os.path.islink(path) and os.stat(path).st_uid == os.geteuid():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    for folder in Cgroups.stale_candidates():
        if _stale(os.path.basename(folder)):
            left = Cgroups(version=1, run_dirs={"x": folder}).close()
            if not left:
                removed.append(folder)
    return removed


class Worker:
    """One notebook's sandbox. ``request`` sends a message and waits for the reply;
    ``kill`` ends it and everything it started."""

    def __init__(self, runtime: Runtime, cfg: dict[str, Any]) -> None:
        self.runtime = runtime
        self.cfg = cfg
        self.closed = False
        self.facts: dict[str, Any] = {}
        self.group: Group | None = runtime.cgroups.create(cfg["memory_mb"], cfg["processes"])
        fd = _memory_file("worker-stderr")  # its error output, read back by fd: no file on disk
        self.err_fd = os.dup(fd)
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        try:
            self.pid = runtime.fork(cfg, (to_r, from_w, fd))
        except BaseException:
            for f in (self.to_w, self.from_r):
                os.close(f)
            self._cleanup_files()
            if self.group is not None:
                self.group.remove()
            raise
        finally:
            for f in (to_r, from_w, fd):
                os.close(f)
        with runtime.lock:
            runtime.active.add(self)
        self.in_group = self.group is not None and self.group.attach(self.pid)
        try:
            os.write(self.to_w, b"G")  # C may now take its namespaces and run
        except OSError as exc:
            self.kill()
            raise WorkerDied("the sandbox process ended before it started") from exc
        self.reader = wire.Reader(self.from_r, max_bytes=wire.MAX_FRAME)

    def hello(self, timeout: float = 30.0) -> dict[str, Any]:
        """Wait until the worker has locked itself in; returns the facts it reports."""
        try:
            reply = self.receive(timeout)
        except TimeoutError as exc:
            raise WorkerDied("the sandbox did not start in time") from exc
        if reply.get("op") != "ready" or type(reply.get("facts")) is not dict:
            raise WorkerDied("the sandbox did not start")
        facts = {str(k)[:40]: v for k, v in reply["facts"].items()
                 if v is None or type(v) in (bool, int, str)}
        facts["cgroup"] = self.in_group
        self.facts = facts
        return facts

    def send(self, message: dict[str, Any]) -> None:
        """Send one message to the worker; returns None, raises WorkerDied if it has gone."""
        try:
            wire.send(self.to_w, message)
        except OSError as exc:
            raise WorkerDied(self.death()) from exc

    def receive(self, timeout: float) -> dict[str, Any]:
        """The next message (a dict); TimeoutError when none comes in time, WorkerDied
        when the process ended or sent something unreadable."""
        try:
            message = self.reader.read(timeout)
        except TimeoutError:
            raise
        except wire.WireError as exc:
            raise WorkerDied(f"it sent an unreadable message ({exc})") from exc
        except (EOFError, OSError) as exc:
            raise WorkerDied(self.death()) from exc
        if type(message) is not dict:
            raise WorkerDied("it sent something that is not a message")
        return message

    def pids(self) -> list[int]:
        """This worker's processes as the grader sees them: C, G, L (those still there)."""
        found = [self.pid]
        for _ in range(2):
            kids = _children(found[-1])
            if not kids:
                break
            found.append(kids[0])
        return found

    def demand_seconds(self) -> float | None:
        """How long the notebook's processes have wanted a CPU so far: time running plus
        time waiting to run, summed over their threads (seconds; None if unknown). Unlike
        CPU time alone, this does not drop when other programs load the machine."""
        if self.in_group and self.group is not None:
            pids = sorted(self.group.pids())
        else:
            pids = self.pids()[2:]
        if not pids:
            return None
        total = 0.0
        for pid in pids:
            total += _demand_of(pid)
        return total

    def death(self) -> str:
        """Why the process ended, for feedback: out of memory, a signal or an exit code,
        plus the last line of its error output."""
        code = self.runtime.exit_status(self.pid, timeout=1.0)
        if self.group is not None and self.in_group and self.group.oom_killed():
            reason = (f"the process ran out of memory: all its processes together may use "
                      f"{self.cfg['memory_mb']} MB (--memory)")
        elif code is None:
            reason = "the process stopped answering"
        elif code > 128:
            try:
                name = signal.Signals(code - 128).name
            except ValueError:
                name = f"signal {code - 128}"
            text = {"SIGSEGV": "a segmentation fault", "SIGKILL": "killed (out of memory or time?)",
                    "SIGXCPU": "its CPU-time limit was reached",
                    "SIGXFSZ": f"a file-size limit was reached ({self.cfg['file_mb']} MB per file)",
                    "SIGABRT": "aborted", "SIGBUS": "a bus error"}.get(name, name)
            reason = f"the process died: {text} ({name})"
        else:
            reason = f"the process exited with code {code}"
        tail = _tail_fd(self.err_fd)
        return reason + (f"; last error output: {tail}" if tail else "")

    def kill(self) -> None:
        """End the worker and everything it started; returns None."""
        with self.runtime.lock:
            if self.closed:
                return
            self.closed = True
            self.runtime.active.discard(self)
        pids = self.pids() if self.pid not in self.runtime.exits else []
        for i, pid in enumerate(reversed(pids)):
            if i == 0 and len(pids) == 3:
                try:
                    os.killpg(pid, signal.SIGKILL)  # L's session and group
                except OSError:
                    pass
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for f in (self.to_w, self.from_r):
            try:
                os.close(f)
            except OSError:
                pass
        if self.group is not None:
            self.runtime.remove_later(self.group)
        self._cleanup_files()

    def _cleanup_files(self) -> None:
        try:
            os.close(self.err_fd)
        except OSError:
            pass
        if self.cfg.get("fallback_scratch"):
            shutil.rmtree(self.cfg["fallback_scratch"], ignore_errors=True)
