"""A written gradebook read back: what ``export``, ``report`` and ``merge`` start from.

``course-utils grade`` writes ``OUT`` (one CSV line per student and exercise) and
``OUT.state.json`` (per student: the content hash of the submission, the rows with each
exercise's message, the notes on running the notebook, and the run's metadata). This
module reads both back, checks them, and hands out one ``ClassResults``. The CSV is the
source of truth for marks; the state file adds the messages and notes when it is there
(a gradebook copied without its state still exports; its report has no messages).

Every problem with the files is a ``GradebookError`` whose text names the file and line,
never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import discovery

# The grader's own helpers, typed for the strictly typed modules that read gradebooks back.
student_id: Callable[[str], str] = discovery.student_id         # the grader's file-name -> student-id rule
_ID_CHARS = re.compile(r"[A-Za-z0-9._@+%-]+")


def file_stem(student: str) -> str:
    """The name ``grade`` gives a student's feedback files (without extension): the id
    itself, which the grader made file-safe; any other text (a gradebook edited by hand)
    goes through the grader's id rule first."""
    if _ID_CHARS.fullmatch(student) and not student.startswith(".") and len(student) <= 200:
        return student
    return student_id(student)

COLUMNS = ("student", "exercise", "passed", "diagnosis", "points", "max_points")
TIMED = COLUMNS + ("seconds",)   # gradebooks of older versions had a seconds column: still read
MAX_GRADEBOOK_BYTES = 200 * 2 ** 20   # a class of 10,000 students x 60 exercises is ~40 MB


class GradebookError(Exception):
    """A gradebook, state, roster or mapping file that cannot be used (the text says why)."""


@dataclass(frozen=True)
class Mark:
    """One line of the gradebook: one student's result on one exercise."""

    student: str
    exercise: str
    passed: bool
    diagnosis: str
    points: float
    max_points: float
    seconds: float
    message: str = ""


@dataclass
class ClassResults:
    """A gradebook read back. ``marks`` in file order; ``students`` and ``exercises`` in
    order of first appearance; ``notes`` per student; ``meta`` is the state file's run
    metadata (``{}`` when there is none); ``state`` is None when no state file was found."""

    path: str
    marks: list[Mark]
    students: list[str]
    exercises: list[str]
    max_points: dict[str, float]
    notes: dict[str, list[str]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, str]] = field(default_factory=dict)   # student -> notebook number -> file graded
    state: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self._by_student: dict[str, list[Mark]] = {}
        for m in self.marks:
            self._by_student.setdefault(m.student, []).append(m)

    def marks_of(self, student: str) -> list[Mark]:
        """The marks of one student, in exercise order (list of Mark)."""
        return list(self._by_student.get(student, []))

    def total(self, student: str) -> float:
        """The student's points summed over every exercise (float)."""
        return sum(m.points for m in self._by_student.get(student, []))

    @property
    def best(self) -> float:
        """The most points a student can get: the sum of every exercise's max points (float)."""
        return sum(self.max_points.values())

    def table(self) -> dict[str, dict[str, Mark]]:
        """{student: {exercise: Mark}} (dict of dicts)."""
        out: dict[str, dict[str, Mark]] = {s: {} for s in self.students}
        for m in self.marks:
            out[m.student][m.exercise] = m
        return out


def state_path(gradebook: str) -> str:
    """The resume-state file that ``course-utils grade`` writes beside ``gradebook`` (str)."""
    return gradebook + ".state.json"


def read_text(path: str, what: str, limit: int = MAX_GRADEBOOK_BYTES) -> str:
    """The UTF-8 text of a regular file (a byte-order mark is dropped); GradebookError otherwise."""
    if not os.path.exists(path):
        raise GradebookError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise GradebookError(f"{path}: not a regular file (the {what} must be a file)")
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise GradebookError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    if len(data) > limit:
        raise GradebookError(f"{path}: more than {limit // 2 ** 20} MB; is this really a {what}?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GradebookError(f"{path}: the {what} is not UTF-8 text (byte {exc.start}); "
                             f"save it as 'CSV UTF-8' and try again") from exc


def _number(text: str, path: str, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GradebookError(f"{path}, line {line}: {column} is {text!r}, not a number") from None
    if not math.isfinite(value):
        raise GradebookError(f"{path}, line {line}: {column} is {text!r}, not a finite number")
    return value


def parse_gradebook(text: str, path: str = "gradebook.csv") -> list[Mark]:
    """The marks of a gradebook CSV given as text (list of Mark, in file order); raises
    GradebookError on a wrong header, a malformed line or a (student, exercise) pair seen twice."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise GradebookError(f"{path}: not a readable CSV file ({exc})") from exc
    if not rows:
        raise GradebookError(f"{path}: empty file, not a gradebook")
    header = tuple(c.strip() for c in rows[0])
    timed = header[:len(TIMED)] == TIMED
    if header[:len(COLUMNS)] != COLUMNS:
        raise GradebookError(f"{path}: not a gradebook written by course-utils grade: the header is "
                             f"{','.join(header)[:200]!r}, expected {','.join(COLUMNS)!r}")
    marks: list[Mark] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise GradebookError(f"{path}, line {number}: {len(row)} fields, expected {len(header)}")
        student, exercise, passed, diagnosis = row[0], row[1], row[2].strip(), row[3].strip()
        if not student or not exercise:
            raise GradebookError(f"{path}, line {number}: the student or the exercise is empty")
        if passed not in ("0", "1"):
            raise GradebookError(f"{path}, line {number}: passed is {passed!r}, expected 0 or 1")
        key = (student, exercise)
        if key in seen:
            raise GradebookError(f"{path}, line {number}: {student} {exercise} already appears on line {seen[key]}")
        seen[key] = number
        marks.append(Mark(student, exercise, passed == "1", diagnosis,
                          _number(row[4], path, number, "points"), _number(row[5], path, number, "max_points"),
                          _number(row[6], path, number, "seconds") if timed else 0.0))
    return marks


def _ordered(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def read_state(gradebook: str) -> dict[str, Any] | None:
    """The parsed state file beside ``gradebook`` (a dict), None when there is none;
    GradebookError when it exists but is not the JSON object ``grade`` writes."""
    path = state_path(gradebook)
    if not os.path.exists(path):
        return None
    try:
        data = json.loads(read_text(path, "state file"))
    except ValueError as exc:
        raise GradebookError(f"{path}: not valid JSON ({exc}); re-run course-utils grade to rewrite it") from exc
    if not isinstance(data, dict) or not isinstance(data.get("students", {}), dict):
        raise GradebookError(f"{path}: not a state file written by course-utils grade")
    return data


def _messages(state: dict[str, Any] | None) -> tuple[dict[tuple[str, str], str], dict[str, list[str]],
                                                      dict[str, dict[str, str]]]:
    messages: dict[tuple[str, str], str] = {}
    notes: dict[str, list[str]] = {}
    sources: dict[str, dict[str, str]] = {}
    if state is None:
        return messages, notes, sources
    for student, entry in state.get("students", {}).items():
        if not isinstance(entry, dict):
            continue
        rows = entry.get("rows")
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and isinstance(row.get("exercise"), str):
                messages[(str(student), row["exercise"])] = str(row.get("message", ""))
        raw = entry.get("notes")
        notes[str(student)] = [str(n) for n in raw] if isinstance(raw, list) else []
        graded_from = entry.get("sources")
        if isinstance(graded_from, dict):
            sources[str(student)] = {str(k): str(v) for k, v in graded_from.items()}
    return messages, notes, sources


def run_meta(state: dict[str, Any] | None) -> dict[str, Any]:
    """The run metadata a state file carries besides the students: its keys (course
    version, secret digest, limits, exercises) and what the run noted under "meta" (a
    shard's ``shard``), in one dict (empty without state)."""
    if state is None:
        return {}
    extra = state.get("meta")
    flat = {k: v for k, v in state.items() if k not in ("students", "meta")}
    return dict(extra, **flat) if isinstance(extra, dict) else flat


def load(gradebook: str, *, with_state: bool = True) -> ClassResults:
    """Read ``gradebook`` (and its state file unless ``with_state`` is False) into a
    ClassResults; raises GradebookError with a clear message when either is unusable."""
    marks = parse_gradebook(read_text(gradebook, "gradebook"), gradebook)
    state = read_state(gradebook) if with_state else None
    messages, notes, sources = _messages(state)
    if messages:
        marks = [Mark(m.student, m.exercise, m.passed, m.diagnosis, m.points, m.max_points, m.seconds,
                      messages.get((m.student, m.exercise), "")) for m in marks]
    max_points: dict[str, float] = {}
    for m in marks:
        if max_points.setdefault(m.exercise, m.max_points) != m.max_points:
            raise GradebookError(f"{gradebook}: exercise {m.exercise} is worth {max_points[m.exercise]:g} points "
                                 f"for one student and {m.max_points:g} for {m.student}; were two runs mixed?")
    return ClassResults(path=gradebook, marks=marks, students=_ordered([m.student for m in marks]),
                        exercises=_ordered([m.exercise for m in marks]), max_points=max_points,
                        notes=notes, meta=run_meta(state), state=state, sources=sources)


def format_points(value: float) -> str:
    """Points as LMS importers read them: at most two decimals, no trailing zeros, "." as the
    decimal point (e.g. 3, 2.5, 0.33)."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
