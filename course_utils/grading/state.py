"""The resume state: what a re-run may reuse, in ``<gradebook>.state.json``.

It records the run's keys (the course version, a digest of the secret, never the secret
itself, the limits and the exercises graded) and, per student, the content hash of the
submission (file names and bytes, refused entries) with the rows, notes and sources it
earned. A re-run with the same keys reuses every student whose hash is unchanged; when
a key differs, nothing is reused. The file is rewritten atomically after each student,
so a run killed at any moment (even ``kill -9``) resumes where it stopped, and a
malformed or oversized state (or entry) is ignored, never trusted: its students are
graded again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from . import limits
from .discovery import Submission
from .output import write_text
from .reading import Unreadable, read_bounded
from .records import Graded, Row
from .text import name_bytes, printable

__all__ = ["RunKeys", "content_hash", "state_path", "load", "save", "to_entry", "from_entry"]

STATE_VERSION = 2
MAX_STATE_BYTES = 512 * limits.MB


@dataclass(frozen=True)
class RunKeys:
    """What every grade of a run depends on besides the submission itself."""

    course_version: str
    secret_digest: str
    limits: str
    exercises: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The keys as JSON-ready data."""
        return {"course_version": self.course_version, "secret_digest": self.secret_digest,
                "limits": self.limits, "exercises": list(self.exercises)}


def content_hash(submission: Submission, max_bytes: int) -> str:
    """sha256 (hex) over the submission's notebooks (relative names and bytes, read with
    the same bound as grading) and its refused entries."""
    h = hashlib.sha256(b"course-grade submission\0")
    for path in submission.notebooks:
        h.update(name_bytes(os.path.relpath(path, submission.root)) + b"\0")
        try:
            data = read_bounded(path, max_bytes)
            h.update(b"%d\0" % len(data) + hashlib.sha256(data).digest())
        except Unreadable as exc:
            h.update(b"unreadable\0" + str(exc).encode("utf-8", "backslashreplace"))
    for note in submission.refused:
        h.update(b"refused\0" + note.encode("utf-8", "backslashreplace"))
    return h.hexdigest()


def state_path(out: str) -> str:
    """The resume-state file of gradebook ``out``: ``out + ".state.json"``."""
    return out + ".state.json"


def load(out: str, keys: RunKeys) -> tuple[dict[str, dict[str, Any]], str | None]:
    """(student -> entry of a state written with the same ``keys``, or {}; a sentence
    saying why nothing was reused, or None)."""
    path = state_path(out)
    if not os.path.lexists(path):
        return {}, None
    try:
        data = json.loads(read_bounded(path, MAX_STATE_BYTES))
    except (Unreadable, ValueError, RecursionError) as exc:
        return {}, f"the resume state {path} could not be read ({printable(exc, 120)}); grading everyone again"
    if type(data) is not dict or data.get("version") != STATE_VERSION or type(data.get("students")) is not dict:
        return {}, f"the resume state {path} is from another version; grading everyone again"
    changed = [k for k, v in keys.as_dict().items() if data.get(k) != v]
    if changed:
        what = {"course_version": "the course changed", "secret_digest": "the secret changed",
                "limits": "the limits changed", "exercises": "the exercises changed"}
        return {}, f"{', '.join(what[k] for k in changed)} since the last run; grading everyone again"
    return {k: v for k, v in data["students"].items() if type(k) is str and type(v) is dict}, None


def save(out: str, keys: RunKeys, students: dict[str, dict[str, Any]], meta: dict[str, Any] | None = None) -> None:
    """Write the state atomically (``meta``: JSON-ready facts about the run for later
    stages, e.g. which shard of a class it graded, kept under "meta"); returns None."""
    data = dict(keys.as_dict(), version=STATE_VERSION, students=students, meta=meta or {})
    write_text(state_path(out), json.dumps(data, indent=1, sort_keys=True) + "\n")


def to_entry(graded: Graded, digest: str) -> dict[str, Any]:
    """The JSON-ready state entry of one Graded."""
    return {"hash": digest, "notes": list(graded.notes), "sources": dict(graded.sources),
            "seconds": round(graded.seconds, 3),
            "rows": [{"exercise": r.exercise, "passed": r.passed, "diagnosis": r.diagnosis, "points": r.points,
                      "max_points": r.max_points, "seconds": r.seconds, "message": r.message} for r in graded.rows]}


def _number(value: object) -> float:
    if type(value) not in (int, float):
        raise ValueError("not a number")
    return float(value)  # type: ignore[arg-type]


def from_entry(student: str, entry: dict[str, Any], exercise_ids: tuple[str, ...]) -> Graded | None:
    """The Graded rebuilt from a state entry (inverse of ``to_entry``), every field checked
    and its text made printable again; None when the entry is malformed or does not
    cover exactly ``exercise_ids``."""
    try:
        rows = []
        for r in entry["rows"]:
            passed = r["passed"]
            if type(passed) is not bool or type(r["exercise"]) is not str or type(r["diagnosis"]) is not str:
                return None
            rows.append(Row(student, r["exercise"], passed, printable(r["diagnosis"], 40), _number(r["points"]),
                            _number(r["max_points"]), _number(r["seconds"]), printable(r["message"], 1000)))
        if tuple(r.exercise for r in rows) != exercise_ids:
            return None
        notes = entry.get("notes", [])
        sources = entry.get("sources", {})
        if type(notes) is not list or type(sources) is not dict:
            return None
        kept = [printable(n, limits.MAX_NOTE_CHARS) for n in notes[: limits.MAX_NOTES + 1]]
        return Graded(student, rows=rows, notes=kept,
                      sources={printable(k, 4): printable(v, 200) for k, v in sources.items()},
                      seconds=_number(entry.get("seconds", 0.0)))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
