"""Start and stop sandboxed worker processes (the grader's side of the sandbox).

``Runtime`` prepares, once per grading run, a world-readable folder holding what a worker
needs: ``worker.py``, ``wire.py``, a ``config.json`` and a stub ``course_utils``
package (with copies of the course's public NumPy-only helper modules). It also probes
which isolation the machine allows:

- ``unshare --net --pid --fork --kill-child --mount --mount-proc`` (plus ``--user
  --map-root-user`` when not root): no network, the grader's processes invisible,
  private mounts (the worker hides the grader's folders and makes the rest read-only),
  and every process of the submission killed when its first process ends;
- as root, the worker also switches to a fresh unprivileged uid (so a process limit
  applies and root-owned files stay untouchable);
- otherwise a plain child process with resource limits only.

``Worker`` is one running sandbox: a process group started in a new session, talking
over two private pipes (never stdin/stdout, which the submission may use).
"""

import ast
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

from . import wire

_HERE = os.path.dirname(os.path.abspath(__file__))
_PACKAGE = os.path.dirname(_HERE)
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
            full = [unshare, *user, "--net", "--pid", "--fork", "--kill-child", "--mount", "--mount-proc"]
            net_only = [unshare, *user, "--net"]
            if _probe(full + ["true"]):
                self.prefix, self.mount_ns, self.net_ns, self.pid_ns = full, True, True, True
            elif _probe(net_only + ["true"]):
                self.prefix, self.net_ns = net_only, True
        self.uid_drop = self.root

    def describe(self, facts=None):
        facts = facts or {}
        parts = ["own process group per submission", "resource limits (memory, CPU, file size)",
                 "scrubbed environment", "scratch cwd and HOME"]
        parts.append("no network (network namespace)" if self.net_ns else "NETWORK AVAILABLE (no namespace allowed)")
        if self.pid_ns:
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
        shutil.copy(os.path.join(_HERE, "wire.py"), self.rt)
        shutil.copy(os.path.join(_HERE, "sandbox_files", "course_utils_stub.py"), os.path.join(stub, "__init__.py"))
        for name in PUBLIC_MODULES:
            src = os.path.join(_PACKAGE, f"{name}.py")
            if os.path.exists(src) and _numpy_only(src):
                shutil.copy(src, stub)
        self.site_dirs = _site_dirs()
        with open(os.path.join(self.rt, "config.json"), "w") as fh:
            json.dump({"site_dirs": self.site_dirs}, fh)
        self._matplotlib_cache()
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
        self.active = set()
        self.lock = threading.Lock()
        self.closing = False
        # Dropping to another uid needs Python readable by that uid: either the mount
        # namespace binds it into view, or it is world-readable already.
        self.isolation.uid_drop = self.isolation.root and (
            self.isolation.mount_ns or all(_world_traversable(p) for p in self.needed))
        self.count = 0

    def _matplotlib_cache(self):
        """Build matplotlib's font cache once, so no worker spends a second on it."""
        cache = os.path.join(self.rt, "mpl")
        os.makedirs(cache)
        env = dict(os.environ, MPLCONFIGDIR=cache, MPLBACKEND="Agg")
        try:
            subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, timeout=120,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            pass

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
        cfg = dict(limits, scratch=scratch, uid=uid, hide=self.hide, mount_ns=self.isolation.mount_ns)
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
        self.kill_all()
        shutil.rmtree(self.dir, ignore_errors=True)


def _scrubbed_env(scratch):
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "USER": "student",
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(scratch, ".matplotlib"), "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
    }


class Worker:
    """One running sandbox. ``request`` sends a message and waits for the reply."""

    def __init__(self, runtime, cfg):
        self.runtime = runtime
        self.cfg = cfg
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        self.err_path = cfg["scratch"] + ".stderr"
        cmd = [*runtime.isolation.prefix, sys.executable, "-I", "-S", os.path.join(runtime.rt, "worker.py"),
               str(to_r), str(from_w)]
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                         pass_fds=(to_r, from_w), env=_scrubbed_env(cfg["scratch"]),
                                         cwd=runtime.dir, start_new_session=True, close_fds=True)
        os.close(to_r)
        os.close(from_w)
        with runtime.lock:
            runtime.active.add(self)
        self.reader = wire.Reader(self.from_r)
        self.facts = {}
        self.closed = False

    def hello(self, timeout=30.0):
        """Send the sandbox settings and wait until it is locked in; returns its facts."""
        reply = self.request(self.cfg, timeout)
        if reply.get("op") != "ready":
            raise WorkerDied("the sandbox did not start")
        self.facts = reply.get("facts") or {}
        return self.facts

    def send(self, message):
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
        self.send(message)
        return self.receive(timeout)

    def death(self):
        """Why the process ended, for feedback: exit code or signal, plus the last error line."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
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
        """End the worker and everything it started (its whole process group / namespace)."""
        with self.runtime.lock:
            if self.closed:
                return
            self.closed = True
            self.runtime.active.discard(self)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
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
        shutil.rmtree(self.cfg["scratch"], ignore_errors=True)

    def close(self):
        """End the worker (the group is killed: nothing it started survives)."""
        self.kill()
