"""The course version: one digest of everything that can change a verdict.

``course_version()`` hashes the source of the check engine (``checking/``), every
exercise (references, known mistakes, draws: ``exercises/``), the code shared with the
sandbox (``portable/``) and the grader's own verdict-making parts (judge, worker,
notebook preparation and matching, the sandbox's stub package). The resume state
records it: when it changes, every submission is graded again.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

__all__ = ["course_version", "VERDICT_SOURCES"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERDICT_SOURCES = ("checking", "exercises", "portable", "grading/judge.py", "grading/worker.py",
                   "grading/prepare.py", "grading/matching.py", "grading/sandbox_files")


def _files(relative: str) -> list[str]:
    path = os.path.join(_PACKAGE, relative)
    if os.path.isfile(path):
        return [path]
    found = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
        found += [os.path.join(root, f) for f in sorted(files) if f.endswith(".py")]
    return found


@lru_cache(maxsize=1)
def course_version() -> str:
    """A hex digest over the names and bytes of ``VERDICT_SOURCES`` (computed once)."""
    h = hashlib.sha256(b"course-grade version 2\0")
    for relative in VERDICT_SOURCES:
        for path in _files(relative):
            h.update(os.path.relpath(path, _PACKAGE).encode() + b"\0")
            with open(path, "rb") as fh:
                h.update(hashlib.sha256(fh.read()).digest())
    return h.hexdigest()[:32]
