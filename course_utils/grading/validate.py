"""``course-utils validate NOTEBOOK...``: a student's own check before submitting.

It runs the grader itself on the student's files: the same discovery rules, the same
preparation of each notebook (magics skipped), the same sandbox and limits, the same
judge (``judge.grade_submission``), so the verdict, diagnosis and points it prints
for each exercise are the ones ``course-utils grade`` will give. Only the random inputs
differ (drawn afresh each time); a check gives the same verdict on every draw, so that
changes the numbers quoted in a message, never the verdict.

The files given are one student's submission, read as the grader reads a student's
folder (``discovery.student_folder``). Besides the grades it prints what the grader
would refuse or skip: files it does not read (not ``.ipynb``, hidden, links, devices,
too large, not a notebook), file names it cannot place in the course, exercises with no
notebook, a function that is missing or renamed, cells that failed, IPython magics.
"""

from __future__ import annotations

import argparse
import os
import secrets
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import discovery, judge, limits, matching, selection
from .limits import Limits
from .results import format_points
from .sandbox import Runtime

DESCRIPTION = """\
Check your notebooks the way the grader will, before you submit them.

Runs the grader itself on your files (same sandbox, same limits, same checks) and
prints, per exercise, the verdict, diagnosis and points the grader will give, plus
anything it would refuse or skip (file names, sizes, missing notebooks, renamed
functions, failed cells, IPython magics). Give every notebook you will submit (or the
folder holding them): together they are treated as your submission. Save your
notebook first: the file on disk is what is checked.

In a notebook: from course_utils import validate; validate()
"""

EPILOG = """\
exit status: 0 every exercise passes, 1 some do not (yet), 2 nothing to check.
examples:
  course-utils validate notebooks/03_one_layer_vector.ipynb
  course-utils validate my_submission/
"""


@dataclass
class Validation:
    """What validating found: the grader's result (``graded``: rows and notes, None when
    there was nothing to grade) and the files given that the grader would not read."""

    graded: Any
    exercises: list[Any]
    refused: list[str] = field(default_factory=list)
    isolation: str = ""


def collect(paths: Sequence[str]) -> tuple[Any, list[str]]:
    """One student's submission made of ``paths`` (notebook files, or the folder holding
    them), read by the grader's own rules, and a sentence for each path it would not read.
    Returns (discovery.Submission or None, list of str)."""
    notebooks: list[str] = []
    refused: list[str] = []
    folders: list[Any] = []
    for given in paths:
        path = os.path.abspath(given)
        try:
            mode = os.lstat(path).st_mode
        except OSError as exc:
            refused.append(f"{given}: {exc.strerror or 'cannot be read'}")
            continue
        if stat.S_ISDIR(mode):
            folders.append(discovery.student_folder(path, "you"))
        elif not discovery.is_notebook_name(os.path.basename(path)):
            refused.append(f"{given}: the grader only reads notebooks (a name ending in .ipynb, not hidden)")
        elif not stat.S_ISREG(mode):
            refused.append(f"{given}: not a regular file (a link, FIFO or device is never read); "
                           "submit the file itself")
        else:
            notebooks.append(path)
    for sub in folders:
        notebooks += sub.notebooks
        refused += [f"in {sub.origin}: {note}" for note in sub.refused]
        if not sub.notebooks and not sub.refused:
            refused.append(f"{sub.origin}: no notebook in this folder")
    notebooks = sorted(dict.fromkeys(notebooks))
    if not notebooks:
        return None, refused
    root = os.path.dirname(notebooks[0]) if len(notebooks) == 1 else os.path.commonpath(notebooks)
    return discovery.Submission("you", root, root, notebooks), refused


def choose_exercises(notebooks: Sequence[str], spec: str | None, release: str | None) -> list[Any]:
    """The exercises to check: as ``grade`` chooses them when ``spec`` (--exercises) or
    ``release`` (--release) is given, else those of the notebooks whose file names carry a
    course notebook number, else every exercise (grade's default). A list of Exercise."""
    if spec or release:
        return list(selection.select_exercises(spec, release))
    numbers = {n for n in (matching.course_number(p) for p in notebooks) if n is not None}
    every = list(selection.select_exercises(None, None))
    return [e for e in every if e.notebook in numbers] or every


def run(paths: Sequence[str], *, exercises: str | None = None, release: str | None = None,
        limits: Limits | None = None, namespaces: bool = True) -> Validation | None:
    """Grade the notebooks of ``paths`` as one submission with the grader's own code (a
    fresh random secret: the grader's inputs are not known, its verdicts are the same);
    returns a Validation, or None when nothing was given."""
    submission, refused = collect(paths)
    if submission is None:
        return Validation(graded=None, exercises=[], refused=refused) if refused else None
    chosen = choose_exercises(submission.notebooks, exercises, release)
    run_limits = limits or Limits()
    options = judge.Options(limits=run_limits, secret=secrets.token_bytes(32),
                            release_names=selection.release_names(release))
    runtime = Runtime(hide=[submission.root], allow_namespaces=namespaces, memory_mb=run_limits.memory_mb,
                      cpu_seconds=int(run_limits.timeout) + 10, processes=run_limits.processes)
    try:
        graded = judge.grade_submission(submission, chosen, runtime, options)
        isolation = str(runtime.isolation.describe(graded.facts))
    finally:
        runtime.close()
    return Validation(graded, chosen, refused, isolation)


def render(result: Validation) -> str:
    """The text ``validate`` prints: a table of exercise, verdict, points; then what the
    grader said about each exercise not passed, the refused files and the notes (str)."""
    lines: list[str] = []
    if result.refused:
        lines.append("Files the grader will not read:")
        lines += [f"  - {r}" for r in result.refused]
        lines.append("")
    if result.graded is None:
        lines.append("Nothing to check: no notebook among the files given.")
        return "\n".join(lines)
    rows = result.graded.rows
    width = max([len(r.exercise) for r in rows] + [8])
    lines.append(f"{'exercise':<{width}}  {'verdict':<34}  points")
    for r in rows:
        verdict = "passed" if r.passed else f"NOT YET ({r.diagnosis})"
        lines.append(f"{r.exercise:<{width}}  {verdict:<34}  {format_points(r.points)} / {format_points(r.max_points)}")
    total = sum(r.points for r in rows)
    best = sum(r.max_points for r in rows)
    lines.append(f"{'total':<{width}}  {sum(r.passed for r in rows)} of {len(rows)} passed{'':<20}  "
                 f"{format_points(total)} / {format_points(best)}")
    sources = getattr(result.graded, "sources", None) or {}
    if sources:
        lines += ["", "Graded from: " + ", ".join(f"notebook {n}: {name}" for n, name in sorted(sources.items()))]
    failing = [r for r in rows if not r.passed]
    if failing:
        lines += ["", "What the grader says:"]
        for r in failing:
            lines.append(f"  {r.exercise}: {' '.join(str(r.message).split())}")
    notes = list(result.graded.notes)
    if notes:
        lines += ["", "What the grader notes about your files and notebooks:"]
        lines += [f"  - {n}" for n in notes[:30]]
        if len(notes) > 30:
            lines.append(f"  - ... and {len(notes) - 30} more")
    lines += ["", "These are the grades course-utils grade will give these files: same sandbox, same limits, "
                  "same checks (the random inputs are new each time; the verdicts do not change)."]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``course-utils validate`` (its options mirror ``grade``'s limits)."""
    p = argparse.ArgumentParser(prog="course-utils validate", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="your notebooks, or the folder holding them")
    p.add_argument("--exercises", metavar="IDS", help="the notebook numbers or exercise ids your instructor grades "
                                                      "(as grade; default: those of your notebooks' names)")
    p.add_argument("--release", metavar="DIR", help="the exercises of the course notebooks in DIR (as grade)")
    p.add_argument("--timeout", type=float, default=limits.TIMEOUT_S, metavar="S",
                   help="time limit for the whole submission, as the grader's (default %(default)g)")
    p.add_argument("--cell-timeout", type=float, default=limits.CELL_TIMEOUT_S, metavar="S",
                   help="per notebook cell (default %(default)g)")
    p.add_argument("--call-timeout", type=float, default=None, metavar="S", help="cap per exercise call")
    p.add_argument("--memory", type=int, default=limits.MEMORY_MB, metavar="MB",
                   help="memory per notebook (default %(default)d)")
    p.add_argument("--processes", type=int, default=limits.PROCESSES, metavar="N",
                   help="processes per notebook (default %(default)d)")
    p.add_argument("--max-notebook-mb", type=int, default=limits.MAX_NOTEBOOK_MB, metavar="MB",
                   help="largest notebook read (default %(default)d)")
    p.add_argument("--no-namespaces", action="store_true", help="do not use namespaces (as grade's option)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """``course-utils validate``: prints the report; returns 0 all passed, 1 some not, 2 nothing checked."""
    args = build_parser().parse_args(argv)
    run_limits = Limits(timeout=args.timeout, cell_timeout=args.cell_timeout, call_timeout=args.call_timeout,
                        memory_mb=args.memory, processes=args.processes, max_notebook_mb=args.max_notebook_mb)
    try:
        result = run(args.notebooks, exercises=args.exercises, release=args.release, limits=run_limits,
                     namespaces=not args.no_namespaces)
    except selection.UsageError as exc:
        print(f"course-utils validate: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # the sandbox could not start
        print(f"course-utils validate: {exc}", file=sys.stderr)
        return 2
    if result is None:
        print("course-utils validate: no notebook found in the files given", file=sys.stderr)
        return 2
    print(render(result))
    if result.graded is None:
        return 2
    return 0 if all(r.passed for r in result.graded.rows) and not result.refused else 1
