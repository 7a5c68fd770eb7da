"""Grading beyond one machine: merging the gradebook parts of a sharded run into one.

``course-utils grade ... --shard I/N`` grades the submissions whose student id hashes
to share I of N (``shards.in_shard``) and writes its own gradebook part and resume
state. The state records, besides each student's rows, the run's keys (the course
version, a digest of the grading secret, the limits, the exercises), the shard ``I/N``
and the ids of the whole class as that shard discovered it.

``merge(parts)`` checks, before writing anything, that
- every part is a gradebook with its state file, from a sharded run;
- all parts were graded with the same course version, the same secret, the same
  limits and the same exercises, and split
  the same class into the same number of shards;
- each shard 1..N is given exactly once (a missing or duplicated part is named);
- every submission of the class appears in exactly one part, in the part its id
  hashes to;
and then writes the gradebook (rows in the class's order, as one run writes them) and
a state file that ``report`` and a later unsharded re-run can use.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .results import COLUMNS, ClassResults, GradebookError, load, read_text, state_path
from .shards import class_digest, in_shard, shard_of


@dataclass
class Part:
    """One gradebook part: its results, and the metadata merge checks."""

    path: str
    results: ClassResults
    course_version: str
    secret: str           # the grading secret's digest (never the secret)
    limits: str
    exercises: str
    index: int
    count: int
    members: list[str]
    raw: dict[tuple[str, str], list[str]]   # (student, exercise) -> the CSV row as the part wrote it


def _part(path: str) -> Part:
    data = load(path)
    if data.state is None:
        raise GradebookError(f"{path}: no state file ({state_path(path)}) beside it: merge needs the state each "
                             f"shard writes; copy it along with the gradebook")
    meta = data.meta
    version, secret, shard = meta.get("course_version"), meta.get("secret_digest"), meta.get("shard")
    if not isinstance(version, str) or not version:
        raise GradebookError(f"{path}: its state does not record the course version (graded by an older "
                             f"course-utils?); grade the shard again")
    if not isinstance(secret, str) or not secret:
        raise GradebookError(f"{path}: its state does not record the grading secret's digest; grade the shard again")
    if not isinstance(shard, dict) or not all(k in shard for k in ("index", "count", "class")):
        raise GradebookError(f"{path}: not a shard's gradebook (it was graded without --shard I/N); "
                             f"there is nothing to merge it with")
    index, count, members = shard["index"], shard["count"], shard["class"]
    if type(index) is not int or type(count) is not int or not 1 <= index <= count or \
            not isinstance(members, list) or not all(isinstance(s, str) for s in members):
        raise GradebookError(f"{path}: its state's shard entry is malformed")
    rows = list(csv.reader(io.StringIO(read_text(path, "gradebook"), newline="")))
    raw = {(r[0], r[1]): r[:len(COLUMNS)] for r in rows[1:] if len(r) >= len(COLUMNS)}
    return Part(path, data, version, secret, str(meta.get("limits")), ",".join(map(str, meta.get("exercises") or [])),
                index, count, members, raw)


def _same(parts: Sequence[Part], what: str, value: Any, describe: str) -> None:
    groups: dict[str, list[str]] = {}
    for p in parts:
        groups.setdefault(str(getattr(p, value)), []).append(p.path)
    if len(groups) > 1:
        listing = "; ".join(f"{k[:16]}: {', '.join(v)}" for k, v in groups.items())
        raise GradebookError(f"the parts were graded with different {what} ({listing}); {describe}")


def check_parts(paths: Sequence[str]) -> list[Part]:
    """Read and cross-check gradebook parts (list of Part, in shard order); GradebookError
    naming the problem: unreadable part, mixed course versions or secrets, another class,
    a missing or duplicated shard, a submission in two parts or in the wrong one."""
    if not paths:
        raise GradebookError("no parts given")
    parts = [_part(p) for p in paths]
    _same(parts, "course versions", "course_version", "grade every shard with the same release of the course")
    _same(parts, "grading secrets", "secret", "give every shard the same --secret-file")
    _same(parts, "limits", "limits", "give every shard the same --timeout, --memory ... options")
    _same(parts, "exercises", "exercises", "give every shard the same --exercises or --release")
    _same(parts, "numbers of shards", "count", "every shard must use the same N in --shard I/N")
    count = parts[0].count
    if len({class_digest(p.members) for p in parts}) > 1:
        sizes = ", ".join(f"{p.path}: {len(p.members)} submissions" for p in parts)
        raise GradebookError(f"the shards did not see the same class ({sizes}); grade every shard from the same "
                             f"submissions folder")
    by_index: dict[int, list[str]] = {}
    for p in parts:
        by_index.setdefault(p.index, []).append(p.path)
    twice = {i: v for i, v in by_index.items() if len(v) > 1}
    if twice:
        i, v = sorted(twice.items())[0]
        raise GradebookError(f"part {i}/{count} is given {len(v)} times ({', '.join(v)}); give each part once")
    missing = [i for i in range(1, count + 1) if i not in by_index]
    if missing:
        listing = ", ".join(f"{i}/{count}" for i in missing)
        raise GradebookError(f"missing part{'s' if len(missing) > 1 else ''} {listing} of {count}; grade "
                             f"{'them' if len(missing) > 1 else 'it'} with --shard "
                             f"{missing[0]}/{count} and pass every part")
    members = parts[0].members
    if len(set(members)) != len(members):
        raise GradebookError("the class lists a student id twice; grade it again")
    seen: dict[str, str] = {}
    ordered = sorted(parts, key=lambda p: p.index)
    for p in ordered:
        for student in p.results.students:
            if student in seen:
                raise GradebookError(f"student {student} appears in two parts: {seen[student]} and {p.path}")
            seen[student] = p.path
    for p in ordered:
        for student in p.results.students:
            if student not in members:
                raise GradebookError(f"{p.path}: student {student} is not in the class the shards discovered")
            if not in_shard(student, p.index, count):
                raise GradebookError(f"{p.path}: student {student} belongs to part {shard_of(student, count)}/"
                                     f"{count}, not {p.index}/{count}; was this part renamed?")
    absent = [s for s in members if s not in seen]
    if absent:
        where = sorted({shard_of(s, count) for s in absent})
        raise GradebookError(f"{len(absent)} submission(s) missing from the parts ({', '.join(absent[:5])}"
                             f"{'...' if len(absent) > 5 else ''}), which belong to part(s) "
                             f"{', '.join(f'{i}/{count}' for i in where)}: that run did not finish; run it again")
    return ordered


def merge(paths: Sequence[str]) -> tuple[str, dict[str, Any], int]:
    """Merge gradebook parts: returns (gradebook CSV text, state dict, number of students),
    rows in the class's order; raises GradebookError as ``check_parts``."""
    parts = check_parts(paths)
    where = {s: p for p in parts for s in p.results.students}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    students_state: dict[str, Any] = {}
    order = parts[0].members
    for student in order:
        part = where[student]
        for m in part.results.marks_of(student):
            writer.writerow(part.raw[(m.student, m.exercise)])
        entry = (part.results.state or {}).get("students", {}).get(student)
        if entry is not None:
            students_state[student] = entry
    keys = {k: v for k, v in (parts[0].results.state or {}).items() if k not in ("students", "meta")}
    merged_from = [{"part": f"{p.index}/{p.count}", "students": len(p.results.students)} for p in parts]
    return buf.getvalue(), dict(keys, students=students_state, meta={"merged_from": merged_from}), len(order)


def state_json(state: dict[str, Any]) -> str:
    """A state dict as the JSON text ``grade`` writes (sorted keys, one space indent)."""
    return json.dumps(state, indent=1, sort_keys=True) + "\n"
