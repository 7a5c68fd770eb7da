"""Start and stop sandboxed worker processes (the grader's side of the sandbox).

``Runtime`` prepares, once per grading run, a world-readable folder holding what a worker
needs: ``worker.py``, ``wire.py``, a ``config.json`` and a stub ``course_utils``
package (with copies of the course's public NumPy-only helper modules), probes which
isolation the machine allows, and starts a fork server (the "zygote", ``worker.py``):
one process that imports Python, NumPy and matplotlib once, so each submission starts
in milliseconds instead of seconds. The zygote runs under
``unshare --net --mount`` (plus ``--user --map-root-user`` when not root) when allowed:
no network, the grader's folders hidden under empty tmpfs mounts, every filesystem
read-only. Each worker it forks then takes its own mount and pid namespaces (its own
/proc, a private scratch tmpfs; when it ends the kernel kills everything it started),
resource limits, and, when the grader runs as root, a fresh unprivileged uid. Without
namespaces a worker is a plain process group with resource limits only; the run
summary says which level was reached.

``Worker`` is one running sandbox, talking over two private pipes (never
stdin/stdout, which the submission may use).
"""

import ast
import json
import os
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

from ..portable import wire

_HERE = os.path.dirname(os.path.abspath(__file__))
_PACKAGE = os.path.dirname(_HERE)
_PORTABLE = os.path.join(_PACKAGE, "portable")
# Public helper modules a notebook may import; copied only if they import nothing but these.
PUBLIC_MODULES = ("functions", "testfunctions", "gradcheck")
_ALLOWED_IMPORTS = {"numpy", "math", "dataclasses", "typing", "functools", "itertools", "__future__"}


class WorkerDied(Exception):
    """The worker process ended (crash, exit, kill) or sent garbage."""


def _numpy_only(path):
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name.split(".")[0] not in _ALLOWED_IMPORTS for a in node.names):
                return False
        elif isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").split(".")[0] not in _ALLOWED_IMPORTS:
                return False
    return True


def _site_dirs():
    dirs = [p for p in sys.path if os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages")
            and os.path.isdir(p)]
    return list(dict.fromkeys(os.path.abspath(p) for p in dirs))


def _probe(cmd):
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _inside(path, folder):
    """True when ``path`` is ``folder`` or lies inside it."""
    folder = folder.rstrip("/")
    return path == folder or path.startswith(folder + "/")


def _world_traversable(path):
    path = os.path.realpath(path)
    while True:
        try:
            if not os.stat(path).st_mode & 0o005:
                return False
        except OSError:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


class Isolation:
    """What this machine allows; ``describe()`` is the line printed in the run summary."""

    def __init__(self, allow_namespaces=True):
        self.root = os.geteuid() == 0
        self.prefix = []
        self.mount_ns = False
        self.net_ns = False
        self.pid_ns = False
        unshare = shutil.which("unshare")
        if unshare and allow_namespaces:
            user = [] if self.root else ["--user", "--map-root-user"]
            full = [unshare, *user, "--net", "--mount"]
            net_only = [unshare, *user, "--net"]
            if _probe(full + ["true"]):
                self.prefix, self.mount_ns, self.net_ns = full, True, True
            elif _probe(net_only + ["true"]):
                self.prefix, self.net_ns = net_only, True
        self.uid_drop = self.root

    def describe(self, facts=None):
        """One line (str) listing the isolation reached, given the workers' ``facts`` dict."""
        facts = facts or {}
        parts = ["own process group per submission", "resource limits (memory, CPU, file size)",
                 "scrubbed environment", "scratch cwd and HOME"]
        parts.append("no network (network namespace)" if self.net_ns else "NETWORK AVAILABLE (no network namespace)")
        if facts.get("pid_ns"):
            parts.append("private process tree (pid namespace: everything it starts dies with it)")
        else:
            parts.append("no pid namespace (processes that leave the group may survive)")
        if self.mount_ns and facts.get("read_only"):
            parts.append(f"filesystem read-only except a private scratch tmpfs, {facts.get('hidden', 0)} grader folders hidden")
        elif self.mount_ns:
            parts.append(f"{facts.get('hidden', 0)} grader folders hidden (filesystem NOT read-only)")
        else:
            parts.append("grader files NOT hidden (no mount namespace)")
        if facts.get("uid") not in (None, 0):
            parts.append("unprivileged uid with a process limit")
        elif self.root:
            parts.append("RUNS AS ROOT (could not drop privileges)")
        else:
            parts.append("the grader's own uid, no process-count limit (run as root for a separate uid)")
        return "; ".join(parts)


class Runtime:
    """The per-run folder a worker starts from; remove it with ``close()``."""

    def __init__(self, hide=(), allow_namespaces=True, memory_mb=1024, cpu_seconds=120, file_mb=64,
                 scratch_mb=128, nproc=64):
        self.isolation = Isolation(allow_namespaces)
        self.dir = tempfile.mkdtemp(prefix="course-grade-")
        os.chmod(self.dir, 0o755)
        self.scratch_root = os.path.join(self.dir, "scratch")
        os.makedirs(self.scratch_root)
        os.chmod(self.scratch_root, 0o711)
        self.rt = os.path.join(self.dir, "runtime")
        stub = os.path.join(self.rt, "stub", "course_utils")
        os.makedirs(stub)
        shutil.copy(os.path.join(_HERE, "worker.py"), self.rt)
        shutil.copy(os.path.join(_PORTABLE, "wire.py"), self.rt)
        shutil.copy(os.path.join(_HERE, "sandbox_files", "course_utils_stub.py"), os.path.join(stub, "__init__.py"))
        for name in PUBLIC_MODULES:
            src = os.path.join(_PORTABLE, f"{name}.py")
            if os.path.exists(src) and _numpy_only(src):
                shutil.copy(src, stub)
        self.site_dirs = _site_dirs()
        os.makedirs(os.path.join(self.rt, "mpl"))  # the zygote builds matplotlib's font cache here, once
        for root, dirs, files in os.walk(self.rt):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        self.limits = {"memory_mb": int(memory_mb), "cpu_seconds": int(cpu_seconds), "file_mb": int(file_mb),
                       "scratch_mb": int(scratch_mb), "nproc": int(nproc)}
        self.needed = [self.dir, sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)),
                       *self.site_dirs]
        self.hide = self._hide_list(hide)
        # Dropping to another uid needs Python readable by that uid: either the mount
        # namespace binds it into view, or it is world-readable already.
        self.isolation.uid_drop = self.isolation.root and (
            self.isolation.mount_ns or all(_world_traversable(p) for p in self.needed))
        self.count = 0
        self.active = set()
        self.lock = threading.Lock()
        self.closing = False
        with open(os.path.join(self.rt, "config.json"), "w") as fh:
            json.dump({"site_dirs": self.site_dirs, "hide": self.hide, "mount_ns": self.isolation.mount_ns,
                       "preload": ["numpy", "matplotlib", "matplotlib.pyplot"]}, fh)
        os.chmod(os.path.join(self.rt, "config.json"), 0o644)
        self.exits = {}
        self.zlock = threading.Lock()
        self.facts = {}
        self._start_zygote()

    def _start_zygote(self):
        """Start the fork server (in the main thread: it dies with its parent thread)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cmd = [*self.isolation.prefix, sys.executable, "-I", "-S", os.path.join(self.rt, "worker.py"),
               str(theirs.fileno())]
        env = _scrubbed_env(self.dir)
        env["MPLCONFIGDIR"] = os.path.join(self.rt, "mpl")
        with open(os.path.join(self.dir, "zygote.stderr"), "wb") as err:
            self.zygote = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env,
                                           pass_fds=(theirs.fileno(),), cwd=self.dir, start_new_session=True)
        theirs.close()
        self.sock = ours
        ready = self._next(lambda m: "ready" in m, timeout=120)
        if ready is None:
            raise RuntimeError("the grading sandbox did not start: " + self._zygote_error())
        self.facts = ready.get("facts", {})

    def _zygote_error(self):
        try:
            with open(os.path.join(self.dir, "zygote.stderr"), encoding="utf-8", errors="replace") as fh:
                return fh.read()[-2000:]
        except OSError:
            return "(no error output)"

    def _next(self, wanted, timeout):
        """Read the zygote's messages until one satisfies ``wanted`` (recording exits)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                return None
            data = self.sock.recv(1 << 16)
            if not data:
                return None
            message = json.loads(data.decode())
            if "exit" in message:
                self.exits[message["exit"]] = message["status"]
            if wanted(message):
                return message

    def exit_status(self, pid, timeout=2.0):
        """How a worker ended: its exit code, 128 + signal when killed; None if unknown."""
        with self.zlock:
            if pid not in self.exits:
                self._next(lambda m: m.get("exit") == pid, timeout)
            return self.exits.get(pid)

    def fork(self, cfg, fds):
        """Ask the zygote for a new worker holding ``fds``; returns its pid."""
        with self.zlock:
            if self.zygote.poll() is not None:
                raise WorkerDied("the grading sandbox server has stopped")
            socket.send_fds(self.sock, [json.dumps(cfg).encode()], list(fds))
            reply = self._next(lambda m: "pid" in m, timeout=30)
        if not reply or not reply.get("pid"):
            raise WorkerDied("the sandbox could not start a process")
        return reply["pid"]

    def _hide_list(self, extra):
        """Grader folders to cover with an empty tmpfs in each worker, each with the
        folders inside it that the worker needs (Python, its packages, the runtime),
        which are bound back: [[folder, [needed, ...]], ...]."""
        needed = [os.path.realpath(p) for p in self.needed]
        candidates = [_PACKAGE, os.path.dirname(_PACKAGE), os.getcwd(), os.path.expanduser("~"), *extra]
        chosen = set()
        for path in candidates:
            path = os.path.realpath(path)
            if not os.path.isdir(path) or path == "/":
                continue
            if any(_inside(path, n) for n in needed):  # a folder the worker needs, or inside one
                continue
            chosen.add(path)
        tops = sorted(p for p in chosen if not any(p != q and _inside(p, q) for q in chosen))
        return [[p, sorted({n for n in needed if _inside(n, p)})] for p in tops]

    def start(self, memory_mb=None):
        """A new Worker with its own scratch folder and limits (``memory_mb`` overrides the memory
        limit); raises WorkerDied after ``kill_all``.
        """
        with self.lock:
            if self.closing:
                raise WorkerDied("grading was interrupted")
            self.count += 1
            count = self.count
        scratch = os.path.join(self.scratch_root, f"s{count}")
        os.makedirs(scratch)
        uid = 100_000 + secrets.randbelow(800_000) if self.isolation.uid_drop else None
        if uid:
            os.chown(scratch, uid, uid)
        limits = dict(self.limits)
        if memory_mb:
            limits["memory_mb"] = int(memory_mb)
        cfg = dict(limits, scratch=scratch, uid=uid, mount_ns=self.isolation.mount_ns, env=_scrubbed_env(scratch))
        if not uid:
            cfg["nproc"] = None
        return Worker(self, cfg)

    def kill_all(self):
        """Stop every running worker (on interrupt); no new one can start."""
        with self.lock:
            self.closing = True
            workers = list(self.active)
        for w in workers:
            w.kill()

    def close(self):
        """Stop every worker and the zygote, then delete the run folder; returns None."""
        self.kill_all()
        try:
            self.sock.close()
            self.zygote.kill()
            self.zygote.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _scrubbed_env(scratch):
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "USER": "student",
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(scratch, ".matplotlib"), "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
    }


class Worker:
    """One running sandbox, forked by the zygote. ``request`` sends a message and waits
    for the reply; ``kill`` ends it and everything it started."""

    def __init__(self, runtime, cfg):
        self.runtime = runtime
        self.cfg = cfg
        self.closed = False
        self.facts = {}
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        self.err_path = cfg["scratch"] + ".stderr"
        try:
            with open(self.err_path, "wb") as err:
                self.pid = runtime.fork(cfg, (to_r, from_w, err.fileno()))
        except BaseException:
            for fd in (self.to_w, self.from_r):
                os.close(fd)
            raise
        finally:
            os.close(to_r)
            os.close(from_w)
        with runtime.lock:
            runtime.active.add(self)
        self.reader = wire.Reader(self.from_r)

    def hello(self, timeout=30.0):
        """Wait until the worker has locked itself in; returns what it achieved."""
        try:
            reply = self.receive(timeout)
        except TimeoutError as exc:
            raise WorkerDied("the sandbox did not start in time") from exc
        if reply.get("op") != "ready":
            raise WorkerDied("the sandbox did not start")
        self.facts = reply.get("facts") or {}
        return self.facts

    def send(self, message):
        """Send one message to the worker; returns None, raises WorkerDied if it has gone."""
        try:
            wire.send(self.to_w, message)
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(self.death()) from exc

    def receive(self, timeout):
        """The next message; TimeoutError when none comes in time, WorkerDied when the
        process ended or sent something unreadable."""
        try:
            message = self.reader.read(timeout)
        except TimeoutError:
            raise
        except (EOFError, OSError, wire.WireError) as exc:
            reason = str(exc) if isinstance(exc, wire.WireError) else None
            raise WorkerDied(reason or self.death()) from exc
        if type(message) is not dict:
            raise WorkerDied("it sent something that is not a message")
        return message

    def request(self, message, timeout):
        """Send ``message`` and return the worker's reply (a dict); TimeoutError or WorkerDied as ``receive``."""
        self.send(message)
        return self.receive(timeout)

    def death(self):
        """Why the process ended, for feedback: exit code or signal, plus the last error line."""
        code = self.runtime.exit_status(self.pid)
        if code is None:
            return "the process stopped answering"
        if code < 0 or code > 128:
            num = -code if code < 0 else code - 128
            try:
                name = signal.Signals(num).name
            except ValueError:
                name = f"signal {num}"
            text = {"SIGSEGV": "a segmentation fault", "SIGKILL": "killed (out of memory or time?)",
                    "SIGXCPU": "CPU-time limit reached", "SIGXFSZ": "file-size limit reached",
                    "SIGABRT": "aborted"}.get(name, name)
            reason = f"the process died: {text} ({name})"
        else:
            reason = f"the process exited with code {code}"
        tail = self.stderr_tail()
        return reason + (f"; last error output: {tail}" if tail else "")

    def stderr_tail(self, limit=200):
        """The last non-empty line of the worker's stderr, cut to ``limit`` characters ("" if none)."""
        try:
            with open(self.err_path, "rb") as fh:
                fh.seek(0, 2)
                size = fh.tell()
                fh.seek(max(0, size - 4000))
                lines = [ln.strip() for ln in fh.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return lines[-1][:limit] if lines else ""

    def kill(self):
        """End the worker and everything it started (its pid namespace, or its process group)."""
        with self.runtime.lock:
            if self.closed:
                return
            self.closed = True
            self.runtime.active.discard(self)
        if self.pid not in self.runtime.exits:  # not yet reaped, so the pid is still ours
            for kill in (os.killpg, os.kill):
                try:
                    kill(self.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        for fd in (self.to_w, self.from_r):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.unlink(self.err_path)
        except OSError:
            pass
        try:
            os.rmdir(self.cfg["scratch"])
        except OSError:
            shutil.rmtree(self.cfg["scratch"], ignore_errors=True)

    def close(self):
        """End the worker (the group is killed: nothing it started survives)."""
        self.kill()
