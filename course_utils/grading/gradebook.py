"""Write what grading found: the gradebook CSV, one feedback file per student, and the
run summary. Files are written atomically (a temporary file in the same folder, then a
rename), so an interrupted run never leaves half a file. The resume state is in
``state``.

The gradebook holds what a grade is (student, exercise, passed, diagnosis, points,
max_points) and nothing that varies from run to run (timings are in the resume state),
so grading the same class twice with the same secret gives the same file.
"""

from __future__ import annotations

import csv
import io

from ..checking.exercise import Exercise
from .records import Graded

__all__ = ["COLUMNS", "csv_text", "feedback_text", "summary_text", "md"]

COLUMNS = ("student", "exercise", "passed", "diagnosis", "points", "max_points")


def csv_text(graded_list: list[Graded]) -> str:
    """The gradebook CSV as a string: a COLUMNS header, then one line per (student, exercise) row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for graded in graded_list:
        for r in graded.rows:
            writer.writerow([r.student, r.exercise, int(bool(r.passed)), r.diagnosis, f"{r.points:g}",
                             f"{r.max_points:g}"])
    return buf.getvalue()


def md(text: str) -> str:
    """Untrusted text (already printable) made inert in one line of Markdown: no HTML, no
    links or images (brackets and backslashes escaped, angle brackets as entities)."""
    text = " ".join(str(text).split())
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def feedback_text(graded: Graded) -> str:
    """One student's Markdown feedback (score, table of results, each message, the
    files graded, notes) as a string."""
    lines = [f"# Feedback for {md(graded.student)}", "", f"**Score: {graded.points:g} / {graded.max_points:g}**", "",
             "| exercise | result | points |", "|---|---|---|"]
    for r in graded.rows:
        verdict = "passed" if r.passed else f"not yet ({md(r.diagnosis)})"
        lines.append(f"| {r.exercise} | {verdict} | {r.points:g} / {r.max_points:g} |")
    lines.append("")
    if graded.sources:
        sources = sorted(graded.sources.items())
        lines += ["Graded from: " + ", ".join(f"notebook {n}: {md(name)}" for n, name in sources), ""]
    for r in graded.rows:
        mark = "PASSED" if r.passed else "NOT YET"
        lines += [f"## {r.exercise}: {mark}", "", md(r.message), ""]
    if graded.notes:
        lines += ["## Notes on running your notebook", ""]
        lines += [f"- {md(n)}" for n in graded.notes]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary_text(graded_list: list[Graded], exercises: list[Exercise]) -> str:
    """A plain-text table: per exercise, how many passed and the mean points; then the total."""
    n = len(graded_list)
    width = max([len(e.id) for e in exercises] + [8])
    lines = [f"{'exercise':<{width}}  passed        mean points"]
    by_exercise: dict[str, list[tuple[bool, float]]] = {}
    for g in graded_list:
        for r in g.rows:
            by_exercise.setdefault(r.exercise, []).append((r.passed, r.points))
    for ex in exercises:
        rows = by_exercise.get(ex.id, [])
        passed = sum(p for p, _ in rows)
        mean = sum(pts for _, pts in rows) / len(rows) if rows else 0.0
        lines.append(f"{ex.id:<{width}}  {passed:>4} / {n:<5}  {mean:5.2f} / {ex.points:g}")
    totals = sorted(g.points for g in graded_list)
    best = sum(ex.points for ex in exercises)
    if totals:
        median = totals[n // 2] if n % 2 else (totals[n // 2 - 1] + totals[n // 2]) / 2
        lines.append(f"{'total':<{width}}  {n} students, median {median:g} / {best:g}, "
                     f"full marks {sum(t == best for t in totals)}")
    return "\n".join(lines)
