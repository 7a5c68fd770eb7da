"""Grading beyond one machine: which share of a class a shard grades.

``course-utils grade --shard I/N`` grades share I of N and records in its resume state
(beside the run's keys: course version, secret digest, limits, exercises) which share it
graded and the class it split (``shard_meta``); ``course-utils merge`` checks these.

A student's share is ``shard_of(id, N)``: sha256 of the id's bytes modulo N, so it is
the same on every machine, Python version and run (Python's own ``hash()`` is salted
per process and would not be).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_SHARDS = 10_000


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` as (I, N) with 1 <= I <= N; ValueError with a sentence otherwise."""
    m = _SHARD.match(text or "")
    if not m:
        raise ValueError(f"--shard {text!r}: expected I/N, e.g. 2/3 (the second of three shares)")
    index, count = int(m.group(1)), int(m.group(2))
    if not 1 <= count <= MAX_SHARDS or not 1 <= index <= count:
        raise ValueError(f"--shard {text!r}: I must be between 1 and N, N between 1 and {MAX_SHARDS}")
    return index, count


def shard_of(student: str, count: int) -> int:
    """The share (1..count) student id ``student`` belongs to: sha256 of its UTF-8 bytes
    (undecodable bytes kept as they were in the file name), modulo ``count``, plus one."""
    data = student.encode("utf-8", "surrogateescape")
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big") % count + 1


def in_shard(student: str, index: int, count: int) -> bool:
    """True when ``student`` is graded by shard ``index`` of ``count``."""
    return shard_of(student, count) == index


def class_digest(students: Sequence[str]) -> str:
    """A sha256 of the class's ids in order: equal in two shards iff they saw the same class."""
    h = hashlib.sha256()
    for s in students:
        h.update(s.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def shard_meta(index: int, count: int, students: Sequence[str]) -> dict[str, Any]:
    """The ``shard`` entry a sharded run stores in its state: {"index", "count", "class"
    (every student id discovered, in order), "class_sha256"} (a dict)."""
    return {"index": index, "count": count, "class": list(students), "class_sha256": class_digest(students)}
