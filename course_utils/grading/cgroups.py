"""Control groups: a memory and a process limit for a whole submission, and a sure way
to find (and kill) every process it started.

Where the grader may create control groups (``/sys/fs/cgroup``, as root or with a
delegated hierarchy), each notebook's sandbox gets its own group, with

- ``memory``: the memory of all its processes together (RAM, no swap), so five forked
  processes share one ``--memory`` limit instead of having one each;
- ``pids``: at most ``--processes`` processes and threads;

and at the end the grader kills whatever is left in the group and removes it. Both
cgroup v2 (one unified hierarchy) and v1 (one hierarchy per controller, as on this
project's build machine) are supported. ``Cgroups.probe`` says what was obtained and,
when nothing, why; the run summary prints it.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field

__all__ = ["Cgroups", "Group"]

_WANTED_V1 = ("memory", "pids")


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            return fh.read(65536)
    except OSError:
        return ""


def _write(path: str, text: str) -> bool:
    try:
        with open(path, "w", encoding="ascii") as fh:
            fh.write(text)
        return True
    except OSError:
        return False


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(mount point, fs type, options) of every cgroup mount of this process."""
    found = []
    for line in _read("/proc/self/mountinfo").splitlines():
        try:
            left, right = line.split(" - ", 1)
            point = left.split()[4]
            fstype, _, options = right.split()[:3]
        except (ValueError, IndexError):
            continue
        if fstype in ("cgroup", "cgroup2"):
            found.append((point.encode().decode("unicode_escape"), fstype, set(options.split(","))))
    return found


def _own_paths() -> dict[str, str]:
    """Controller (or "" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    paths = {}
    for line in _read("/proc/self/cgroup").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else [""]:
                paths[controller] = parts[2]
    return paths


@dataclass
class Group:
    """One sandbox's control group (a folder per hierarchy)."""

    dirs: dict[str, str]          # controller ("memory", "pids", or "" for v2) -> folder
    version: int
    removed: bool = False

    def _file(self, controller: str, name: str) -> str | None:
        folder = self.dirs.get("" if self.version == 2 else controller)
        return os.path.join(folder, name) if folder else None

    def attach(self, pid: int) -> bool:
        """Move process ``pid`` into every hierarchy of this group; True when all worked."""
        return all(_write(os.path.join(d, "cgroup.procs"), str(pid)) for d in self.dirs.values())

    def pids(self) -> set[int]:
        """The processes in the group now (host pids)."""
        found: set[int] = set()
        for d in self.dirs.values():
            found.update(int(x) for x in _read(os.path.join(d, "cgroup.procs")).split() if x.isdigit())
        return found

    def oom_killed(self) -> bool:
        """True when the kernel killed a process of the group for using too much memory."""
        path = self._file("memory", "memory.events" if self.version == 2 else "memory.oom_control")
        for line in _read(path).splitlines() if path else []:
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit() and int(value) > 0:
                return True
        return False

    def peak_bytes(self) -> int | None:
        """The most memory the group used at once (bytes), if the kernel says."""
        path = self._file("memory", "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes")
        text = _read(path).strip() if path else ""
        return int(text) if text.isdigit() else None

    def kill(self, timeout: float = 5.0) -> bool:
        """SIGKILL every process in the group until it is empty; True when it is."""
        if self.version == 2 and _write(os.path.join(self.dirs[""], "cgroup.kill"), "1"):
            pass
        deadline = time.monotonic() + timeout
        while True:
            left = self.pids()
            if not left:
                return True
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)

    def remove(self, timeout: float = 5.0) -> bool:
        """Kill what is left and remove the group's folders; True when all are gone."""
        if self.removed:
            return True
        self.kill(timeout)
        deadline = time.monotonic() + timeout
        ok = True
        for d in self.dirs.values():
            while True:
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        ok = False
                        break
                    time.sleep(0.01)
        self.removed = ok
        return ok


@dataclass
class Cgroups:
    """The control groups of one grading run: ``available`` says whether groups can be
    made, ``describe()`` what they limit (or why there are none)."""

    version: int = 0
    run_dirs: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    count: int = 0

    @classmethod
    def probe(cls, run_name: str) -> Cgroups:
        """Find a writable hierarchy and make this run's folder in it (``run_name``)."""
        mounts = _mounts()
        own = _own_paths()
        v2 = [m for m in mounts if m[1] == "cgroup2"]
        for point, _, _ in v2:
            made = cls._try_v2(point, own.get("", "/"), run_name)
            if made is not None:
                return made
        made = cls._try_v1(mounts, own, run_name)
        if made is not None:
            return made
        if not mounts:
            return cls(reason="no cgroup file system is mounted")
        if os.geteuid() != 0:
            return cls(reason="the cgroup hierarchy is not writable (not root, nothing delegated)")
        return cls(reason="no writable cgroup hierarchy with a memory controller")

    @classmethod
    def _try_v2(cls, point: str, own: str, run_name: str) -> Cgroups | None:
        parent = os.path.join(point, own.lstrip("/"))
        if not {"memory", "pids"} <= set(_read(os.path.join(parent, "cgroup.controllers")).split()):
            return None
        enabled = set(_read(os.path.join(parent, "cgroup.subtree_control")).split())
        if not {"memory", "pids"} <= enabled and not _write(os.path.join(parent, "cgroup.subtree_control"),
                                                           "+memory +pids"):
            return None
        run = os.path.join(parent, run_name)
        try:
            os.mkdir(run)
        except OSError:
            return None
        if not _write(os.path.join(run, "cgroup.subtree_control"), "+memory +pids"):
            os.rmdir(run)
            return None
        return cls(version=2, run_dirs={"": run})

    @classmethod
    def _try_v1(cls, mounts: list[tuple[str, str, set[str]]], own: dict[str, str], run_name: str) -> Cgroups | None:
        run_dirs: dict[str, str] = {}
        for controller in _WANTED_V1:
            point = next((p for p, t, opts in mounts if t == "cgroup" and controller in opts), None)
            if point is None:
                continue
            run = os.path.join(point, own.get(controller, "/").lstrip("/"), run_name)
            try:
                os.mkdir(run)
            except OSError:
                continue
            run_dirs[controller] = run
        if "memory" not in run_dirs:
            for d in run_dirs.values():
                os.rmdir(d)
            return None
        return cls(version=1, run_dirs=run_dirs)

    @property
    def available(self) -> bool:
        """True when this run can make control groups."""
        return bool(self.run_dirs)

    def create(self, memory_mb: int, processes: int) -> Group | None:
        """A new group with these limits, or None when groups are not available or the
        limits could not be set."""
        if not self.available:
            return None
        self.count += 1
        name = f"w{self.count}"
        dirs: dict[str, str] = {}
        try:
            for controller, run in self.run_dirs.items():
                folder = os.path.join(run, name)
                os.mkdir(folder)
                dirs[controller] = folder
        except OSError:
            Group(dirs, self.version).remove(0.5)
            return None
        group = Group(dirs, self.version)
        limit = str(int(memory_mb) * 2 ** 20)
        if self.version == 2:
            ok = _write(os.path.join(dirs[""], "memory.max"), limit)
            _write(os.path.join(dirs[""], "memory.swap.max"), "0")
            ok = _write(os.path.join(dirs[""], "pids.max"), str(int(processes))) and ok
        else:
            ok = _write(os.path.join(dirs["memory"], "memory.limit_in_bytes"), limit)
            memsw = os.path.join(dirs["memory"], "memory.memsw.limit_in_bytes")
            if os.path.exists(memsw):
                _write(memsw, limit)
            if "pids" in dirs:
                ok = _write(os.path.join(dirs["pids"], "pids.max"), str(int(processes))) and ok
        if not ok:
            group.remove(0.5)
            return None
        return group

    @staticmethod
    def stale_candidates() -> list[str]:
        """Run folders (``course-grade-*``) next to where this process's groups would go."""
        found = []
        own = _own_paths()
        for point, fstype, opts in _mounts():
            keys = [""] if fstype == "cgroup2" else [c for c in _WANTED_V1 if c in opts]
            for key in keys:
                parent = os.path.join(point, own.get(key, "/").lstrip("/"))
                try:
                    names = os.listdir(parent)
                except OSError:
                    continue
                found += [os.path.join(parent, n) for n in names if n.startswith("course-grade-")]
        return found

    def limits_processes(self) -> bool:
        """True when groups limit the number of processes too."""
        return self.version == 2 or "pids" in self.run_dirs

    def close(self) -> list[str]:
        """Remove this run's folders (their groups must be gone); returns those that remain."""
        left = []
        for run in self.run_dirs.values():
            try:
                for name in os.listdir(run):
                    child = os.path.join(run, name)
                    if os.path.isdir(child):
                        Group({"x": child}, 1).remove(2.0)
                os.rmdir(run)
            except FileNotFoundError:
                pass
            except OSError:
                left.append(run)
        return left

    def describe(self) -> str:
        """One phrase for the run summary: what the groups limit, or why there are none."""
        if not self.available:
            return (f"NO CGROUP ({self.reason}): memory is limited per process only (--memory is each "
                    "process's address space; several processes together can use more)")
        what = "memory of all its processes together (no swap)"
        if self.limits_processes():
            what += ", process count"
        return f"cgroup v{self.version} per notebook: {what}"
