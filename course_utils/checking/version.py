"""The course version: a hash of everything that can change a verdict.

The grader records it with every gradebook (and seeds its draws with it), so a changed
reference answer, slip, case or tolerance can never reuse a stale cached grade. It
covers the source of the check engine (``checking/``), the exercises (``exercises/``)
and the numerical helpers they use (``portable/``).
"""

from __future__ import annotations

import functools
import hashlib
import os

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COVERED = ("checking", "exercises", "portable")


@functools.lru_cache(maxsize=1)
def course_version() -> str:
    """A 16-hex-digit hash of the source files in ``COVERED`` (names and bytes, sorted)."""
    digest = hashlib.sha256()
    for folder in COVERED:
        root = os.path.join(_PACKAGE, folder)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(f for f in filenames if f.endswith(".py")):
                path = os.path.join(dirpath, name)
                digest.update(os.path.relpath(path, _PACKAGE).encode() + b"\0")
                with open(path, "rb") as fh:
                    digest.update(fh.read())
                digest.update(b"\0")
    return digest.hexdigest()[:16]
