"""The version of everything that can change a verdict, for the resume state.

The course version (``checking.version.course_version()``: the check engine, every
exercise, the numerical helpers) plus the grader's own verdict-making parts (judge,
worker, notebook preparation and matching, the sandbox's stub package). The resume state
records it; when it changes, every submission is graded again. The draws themselves are
seeded with the course version alone (``engine.grading_rng``), as the engine defines.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from ..checking.version import course_version

__all__ = ["grading_version", "GRADER_SOURCES"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRADER_SOURCES = ("grading/judge.py", "grading/worker.py", "grading/prepare.py", "grading/matching.py",
                  "grading/sandbox_files")


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
def grading_version() -> str:
    """``course_version()`` and a digest of ``GRADER_SOURCES``, as "COURSE-GRADER" (str)."""
    h = hashlib.sha256(b"course-grade grader\0")
    for relative in GRADER_SOURCES:
        for path in _files(relative):
            h.update(os.path.relpath(path, _PACKAGE).encode() + b"\0")
            with open(path, "rb") as fh:
                h.update(hashlib.sha256(fh.read()).digest())
    return f"{course_version()}-{h.hexdigest()[:16]}"
