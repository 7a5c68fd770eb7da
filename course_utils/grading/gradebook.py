"""Write what grading found: the gradebook CSV, one feedback file per student, the
resume state, and the summary table. Every file is written atomically (a temporary
file in the same folder, then a rename), so an interrupted run never leaves half a file.

The state file (``<gradebook>.state.json``) maps each student to the content hash of
their submission and the rows it earned; a re-run reuses the rows of every submission
whose hash is unchanged, so an interrupted run resumes without losing or duplicating
anything.
"""

import csv
import hashlib
import io
import json
import os
from dataclasses import asdict

from ..files import atomic
from .records import Graded, Row

GRADER_VERSION = "1"
COLUMNS = ("student", "exercise", "passed", "diagnosis", "points", "max_points", "seconds")


def fingerprint(exercises):
    """What a grade depends on besides the notebook: the exercises and grader version."""
    parts = [GRADER_VERSION] + [f"{e.id}|{e.points}|{e.signature}|{e.draws}|{e.rtol}|{e.fp_strict}" for e in exercises]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def content_hash(submission, exercise_fingerprint):
    """sha256 over the exercise fingerprint and every notebook's name and bytes."""
    h = hashlib.sha256(exercise_fingerprint.encode())
    for path in submission.notebooks:
        h.update(os.path.basename(path).encode() + b"\0")
        try:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        except OSError as exc:
            h.update(f"unreadable {exc.errno}".encode())
        h.update(b"\0")
    return h.hexdigest()


def state_path(out):
    """The resume-state file of gradebook ``out``: ``out + ".state.json"``."""
    return out + ".state.json"


def load_state(out):
    """{student: {"hash", "rows", "notes", "seconds"}}; empty if absent or unreadable."""
    try:
        with open(state_path(out), encoding="utf-8") as fh:
            data = json.load(fh)
        students = data.get("students", {})
        return students if isinstance(students, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def save_state(out, students):
    """Write {student: entry} atomically to ``state_path(out)``; returns None."""
    atomic.write_text(state_path(out), json.dumps({"version": 1, "students": students}, indent=1, sort_keys=True) + "\n")


def to_state(graded, digest):
    """The JSON-ready state entry of one Graded: {"hash", "rows", "notes", "seconds"}."""
    return {"hash": digest, "rows": [asdict(r) for r in graded.rows], "notes": graded.notes,
            "seconds": round(graded.seconds, 3)}


def from_state(student, entry):
    """The Graded rebuilt from a state entry (inverse of ``to_state``); KeyError/TypeError if malformed."""
    rows = [Row(**{k: r[k] for k in Row.__dataclass_fields__ if k in r}) for r in entry["rows"]]
    return Graded(student, rows=rows, notes=list(entry.get("notes", [])), seconds=entry.get("seconds", 0.0))


def csv_text(graded_list):
    """The gradebook CSV as a string: a COLUMNS header, then one line per (student, exercise) row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for graded in graded_list:
        for r in graded.rows:
            writer.writerow([r.student, r.exercise, int(bool(r.passed)), r.diagnosis,
                             f"{r.points:g}", f"{r.max_points:g}", f"{r.seconds:.2f}"])
    return buf.getvalue()


def _md(text):
    """Untrusted text (from a submission) made safe for one Markdown line."""
    text = " ".join(str(text).split())
    return text.replace("<", "&lt;").replace(">", "&gt;")


def feedback_text(graded):
    """One student's Markdown feedback (score, table of results, each message, notes) as a string."""
    total = sum(r.points for r in graded.rows)
    best = sum(r.max_points for r in graded.rows)
    lines = [f"# Feedback for {graded.student}", "", f"**Score: {total:g} / {best:g}**", "",
             "| exercise | result | points |", "|---|---|---|"]
    for r in graded.rows:
        verdict = "passed" if r.passed else f"not yet (`{r.diagnosis}`)"
        lines.append(f"| {r.exercise} | {verdict} | {r.points:g} / {r.max_points:g} |")
    lines.append("")
    for r in graded.rows:
        mark = "PASSED" if r.passed else "NOT YET"
        lines += [f"## {r.exercise}: {mark}", "", _md(r.message), ""]
    if graded.notes:
        lines += ["## Notes on running your notebook", ""]
        lines += [f"- {_md(n)}" for n in graded.notes[:50]]
        if len(graded.notes) > 50:
            lines.append(f"- ... and {len(graded.notes) - 50} more")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary_text(graded_list, exercises):
    """A plain-text table: per exercise, how many passed and the mean points."""
    n = len(graded_list)
    width = max([len(e.id) for e in exercises] + [8])
    lines = [f"{'exercise':<{width}}  passed        mean points"]
    for ex in exercises:
        rows = [r for g in graded_list for r in g.rows if r.exercise == ex.id]
        passed = sum(r.passed for r in rows)
        mean = sum(r.points for r in rows) / len(rows) if rows else 0.0
        lines.append(f"{ex.id:<{width}}  {passed:>4} / {n:<5}  {mean:5.2f} / {ex.points:g}")
    totals = sorted(sum(r.points for r in g.rows) for g in graded_list)
    best = sum(ex.points for ex in exercises)
    if totals:
        median = totals[len(totals) // 2] if n % 2 else (totals[n // 2 - 1] + totals[n // 2]) / 2
        lines.append(f"{'total':<{width}}  {n} students, median {median:g} / {best:g}, "
                     f"full marks {sum(t == best for t in totals)}")
    return "\n".join(lines)
