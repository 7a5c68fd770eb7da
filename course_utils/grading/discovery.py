"""Find the submissions to grade and give each one its student id.

What counts as a submission (documented in ``course-utils grade --help`` and
docs/grading.md):

- a notebook file given on the command line, or found directly inside a class folder,
  is one student's submission, named by the file name without ``.ipynb``
  (``submissions/alice.ipynb`` -> ``alice``);
- a sub-folder of a class folder is one student's submission, named by the sub-folder;
  it holds all that student's notebooks, at any depth (``submissions/bob/01_sigmoid.ipynb``
  -> ``bob``; nbgrader's ``submitted/bob/ps1/...`` works too);
- a folder given on the command line is always a class folder.

Only regular files are read. Inside a class folder nothing is followed: a symbolic link,
a device, a FIFO or a socket (whatever its name) is refused, with a note in the run
summary and in that student's feedback; the paths given on the command line themselves
are the instructor's and are followed. Hidden files and folders (``.ipynb_checkpoints``)
are ignored.

Student ids: one rule, ``student_id``. A name made only of ASCII letters, digits and
``._@+-`` (not starting with ``.``, ``+``, ``-`` or ``@``, which spreadsheets read as a
formula; at most 100 characters) is its own id. Any other name is written with every
other byte, and such a first character, as ``%XX`` (its UTF-8 or raw bytes, upper-case
hex): ``a b`` -> ``a%20b``, ``-x`` -> ``%2Dx``. Since ``%`` never appears in a name kept as is, two
different names never get the same id (names longer than the limit end in ``%~`` and a
hash of the full name). Ids that are equal ignoring case would name the same student
on case-insensitive systems and in most LMSs: such submissions are a collision, and a
collision is never resolved by renaming: none of the colliding submissions is graded,
and the run reports them.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field

from . import limits
from .text import name_bytes, shown_name

__all__ = ["Submission", "Found", "discover", "student_id", "is_notebook_name"]

_SAFE_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@+-")
_ESCAPED_FIRST = (b".", b"+", b"-", b"@")  # hidden files; what spreadsheets read as a formula
MAX_ID = 100
MAX_SCANNED = 20_000   # entries looked at in one student's folder
MAX_DEPTH = 8          # folder depth inside one student's folder


@dataclass
class Submission:
    """One student's notebooks.

    student    the student id (``student_id``)
    origin     the file or folder it came from, for people (printable)
    root       the folder its notebooks' names are relative to
    notebooks  absolute paths of its notebooks (regular files), sorted
    refused    notes on entries that were not read (links, devices, ...), for the feedback
    """

    student: str
    origin: str
    root: str
    notebooks: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@dataclass
class Found:
    """What ``discover`` found: submissions to grade, warnings for the run summary, and
    the collisions (each a list of origins whose ids clash), which are not graded."""

    submissions: list[Submission] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    collisions: list[list[str]] = field(default_factory=list)


def is_notebook_name(name: str) -> bool:
    """True when ``name`` ends in ``.ipynb`` (any case) and is not hidden."""
    return name.lower().endswith(".ipynb") and not name.startswith(".") and len(name) > len(".ipynb")


def _stem(name: str) -> str:
    return name[: -len(".ipynb")] if is_notebook_name(name) else name


def student_id(name: str) -> str:
    """The student id for a file or folder name (``str`` as ``os.listdir`` gives it,
    undecodable bytes as surrogates): the name itself when it is made of ASCII letters,
    digits and ``._@+-``, else every other byte as ``%XX`` (see the module docstring)."""
    raw = name_bytes(name)
    if raw and len(raw) <= MAX_ID and raw[:1] not in _ESCAPED_FIRST and all(b in _SAFE_BYTES for b in raw):
        return raw.decode("ascii")
    escaped = "".join(chr(b) if b in _SAFE_BYTES and not (i == 0 and raw[:1] in _ESCAPED_FIRST) else f"%{b:02X}"
                      for i, b in enumerate(raw)) or "%"
    if len(escaped) > MAX_ID:
        escaped = escaped[: MAX_ID - 18] + "%~" + hashlib.sha256(raw).hexdigest()[:16]
    return escaped


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


class _Walker:
    """Collects one student's notebooks under a folder, without following anything."""

    def __init__(self, sub: Submission, top: str) -> None:
        self.sub = sub
        self.top = top
        self.scanned = 0
        self.stopped = False

    def note_refused(self, path: str, what: str) -> None:
        rel = os.path.relpath(path, self.top) if path != self.top else os.path.basename(path)
        self.sub.refused.append(f"`{shown_name(rel)}` is {what}: it was not read (only regular files are graded)")

    def walk(self, folder: str, depth: int) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: name_bytes(e.name))
        except OSError as exc:
            self.sub.refused.append(f"the folder `{shown_name(os.path.relpath(folder, self.top))}` could not be "
                                    f"read ({exc.strerror or type(exc).__name__})")
            return
        subfolders = []
        for entry in entries:
            self.scanned += 1
            if self.scanned > MAX_SCANNED or len(self.sub.notebooks) >= limits.MAX_NOTEBOOKS:
                if not self.stopped:
                    self.stopped = True
                    self.sub.refused.append(f"stopped looking after {len(self.sub.notebooks)} notebooks and "
                                            f"{MAX_SCANNED:,} entries (limit: {limits.MAX_NOTEBOOKS} notebooks "
                                            "per student folder)")
                return
            if entry.name.startswith("."):
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISREG(mode):
                if is_notebook_name(entry.name):
                    self.sub.notebooks.append(entry.path)
            elif stat.S_ISDIR(mode):
                subfolders.append(entry.path)
            elif is_notebook_name(entry.name) or stat.S_ISLNK(mode):
                self.note_refused(entry.path, _kind(mode))
        for path in subfolders:
            if depth >= MAX_DEPTH:
                self.sub.refused.append(f"`{shown_name(os.path.relpath(path, self.top))}` is more than "
                                        f"{MAX_DEPTH} folders deep: not searched")
                continue
            self.walk(path, depth + 1)


def _class_folder(path: str, found: list[Submission], warnings: list[str]) -> None:
    try:
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: name_bytes(e.name))
    except OSError as exc:
        warnings.append(f"{shown_name(path)}: could not be read ({exc.strerror or type(exc).__name__})")
        return
    before = len(found)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue
        origin = shown_name(entry.path)
        if stat.S_ISDIR(mode):
            sub = Submission(student_id(entry.name), origin, entry.path)
            _Walker(sub, entry.path).walk(entry.path, 1)
            if sub.notebooks or sub.refused:
                found.append(sub)
        elif is_notebook_name(entry.name) or stat.S_ISLNK(mode):
            sub = Submission(student_id(_stem(entry.name)), origin, path)
            if stat.S_ISREG(mode):
                sub.notebooks.append(entry.path)
            else:
                sub.refused.append(f"`{shown_name(entry.name)}` is {_kind(mode)}: it was not read "
                                   "(only regular files are graded)")
            found.append(sub)
    if len(found) == before:
        warnings.append(f"{shown_name(path)}: no notebooks found")


def discover(paths: list[str]) -> Found:
    """The submissions under the command-line ``paths`` (files or class folders), with
    their ids; ids that collide are withheld and listed in ``collisions``. Never raises
    on what it finds: problems become warnings and refusal notes."""
    found: list[Submission] = []
    warnings: list[str] = []
    seen_args: set[tuple[int, int]] = set()
    for arg in paths:
        path = os.path.abspath(arg)
        try:
            st = os.stat(path)  # the instructor's own argument: followed
        except OSError as exc:
            warnings.append(f"{shown_name(arg)}: {exc.strerror or 'cannot be read'}")
            continue
        if (st.st_dev, st.st_ino) in seen_args:
            continue  # the same file or folder given twice
        seen_args.add((st.st_dev, st.st_ino))
        if stat.S_ISDIR(st.st_mode):
            _class_folder(path, found, warnings)
        elif stat.S_ISREG(st.st_mode) and is_notebook_name(os.path.basename(path)):
            found.append(Submission(student_id(_stem(os.path.basename(path))), shown_name(path),
                                    os.path.dirname(path), [path]))
        elif stat.S_ISREG(st.st_mode):
            warnings.append(f"{shown_name(arg)}: not a notebook (.ipynb); skipped")
        else:
            warnings.append(f"{shown_name(arg)}: {_kind(st.st_mode)}, not a notebook or folder; skipped")
    result = Found(warnings=warnings)
    by_key: dict[str, list[Submission]] = {}
    for sub in found:
        sub.notebooks.sort(key=name_bytes)
        by_key.setdefault(sub.student.casefold(), []).append(sub)
    for sub in found:
        group = by_key[sub.student.casefold()]
        if len(group) == 1:
            result.submissions.append(sub)
        elif group[0] is sub:
            origins = [s.origin for s in group]
            result.collisions.append(origins)
            ids = sorted({s.student for s in group})
            result.warnings.append(f"id collision: {' and '.join(origins)} would all be student "
                                   f"{' / '.join(ids)}; none of them was graded (rename or move them)")
        for note in sub.refused:
            if len(group) == 1:
                result.warnings.append(f"{sub.student}: {note}")
    return result
