"""``course-utils validate NOTEBOOK...``: a student's own check before submitting.

It runs the grader itself on the student's files: the same discovery rules, the same
preparation of each notebook (magics skipped), the same sandbox and limits, the same
judge (``judge.grade_submission``), so the verdict, diagnosis and points it prints
for each exercise are the ones ``course-utils grade`` will give. Only the random inputs
differ (drawn afresh each time); a check gives the same verdict on every draw, so that
changes the numbers quoted in a message, never the verdict.

The files given are one student's submission, as the grader sees a student's folder.
Besides the grades it prints what the grader would refuse or skip: files it does not
read (not ``.ipynb``, hidden, too large, unreadable, not a notebook), notebooks whose
name does not say which course notebook they answer, exercises with no notebook, a
function that is missing or renamed, cells that failed, and IPython magics skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..checking import registry
from . import discovery, prepare
from .results import format_points

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
    """What validating found: the grader's result (``graded``: rows and notes), the files
    the grader would not read (``refused``), and notes about file names (``naming``)."""

    graded: Any
    exercises: list[Any]
    refused: list[str] = field(default_factory=list)
    naming: list[str] = field(default_factory=list)
    isolation: str = ""


def collect(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """The notebooks of ``paths`` as the grader would read them from one student's folder
    (absolute paths, sorted) and a sentence for each file it would not read (two lists)."""
    notebooks: list[str] = []
    refused: list[str] = []
    for given in paths:
        path = os.path.abspath(given)
        if os.path.isdir(path):
            found = _under(path)
            if not found:
                refused.append(f"{given}: no .ipynb notebook in this folder")
            notebooks += found
        elif not os.path.lexists(path):
            refused.append(f"{given}: no such file")
        elif not given.endswith(".ipynb"):
            refused.append(f"{given}: the grader only reads notebooks ending in .ipynb")
        elif os.path.basename(path).startswith("."):
            refused.append(f"{given}: hidden files (a name starting with '.') are not graded")
        elif not os.path.isfile(path) or os.path.islink(path):
            refused.append(f"{given}: not a regular file (a link or a device is not graded); submit the file itself")
        else:
            notebooks.append(path)
    return sorted(dict.fromkeys(notebooks)), refused


def _under(folder: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.join(root, f) for f in sorted(files) if f.endswith(".ipynb") and not f.startswith(".")]
    return found


def _naming(notebooks: Sequence[str], exercises: Sequence[Any]) -> list[str]:
    """A sentence for each notebook the grader could not place in the course."""
    numbers: Any = prepare.notebook_numbers
    read: Any = prepare.prepare
    every: Any = registry.all_exercises
    out = []
    for path in notebooks:
        if not numbers(path, read(path), list(every())):
            out.append(f"{os.path.basename(path)}: the grader cannot tell which course notebook this answers; "
                       f"keep the released file name (e.g. 03_one_layer_vector.ipynb)")
    return out


def run(paths: Sequence[str], *, exercises: str | None = None, timeout: float = 300.0, cell_timeout: float = 30.0,
        call_timeout: float | None = None, memory_mb: int = 1024, namespaces: bool = True) -> Validation | None:
    """Grade the notebooks of ``paths`` as one submission with the grader's own code;
    returns a Validation, or None when there is no notebook to check."""
    from . import cli as grade_cli
    from . import judge
    from .sandbox import Runtime

    notebooks, refused = collect(paths)
    if not notebooks:
        return Validation(graded=None, exercises=[], refused=refused) if refused else None
    submission: Any = discovery.Submission("you", notebooks)
    select: Any = grade_cli.select_exercises
    chosen: list[Any] = select(exercises, [submission])
    make_options: Any = judge.Options
    options: Any = make_options(timeout=timeout, cell_timeout=cell_timeout, call_timeout=call_timeout,
                                 memory_mb=memory_mb)
    hide = sorted({os.path.dirname(p) for p in notebooks})
    make_runtime: Any = Runtime
    runtime: Any = make_runtime(hide=hide, allow_namespaces=namespaces, memory_mb=memory_mb,
                                cpu_seconds=int(timeout) + 10)
    try:
        grade: Any = judge.grade_submission
        graded = grade(submission, chosen, runtime, options)
        isolation = str(runtime.isolation.describe(graded.facts))
    finally:
        runtime.close()
    return Validation(graded, chosen, refused, _naming(notebooks, chosen), isolation)


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
    failing = [r for r in rows if not r.passed]
    if failing:
        lines += ["", "What the grader says:"]
        for r in failing:
            lines.append(f"  {r.exercise}: {' '.join(str(r.message).split())}")
    if result.naming:
        lines += ["", "File names:"] + [f"  - {n}" for n in result.naming]
    notes = list(result.graded.notes)
    if notes:
        lines += ["", "Notes on running your notebook (the grader skips these lines or cells):"]
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
    p.add_argument("--exercises", metavar="IDS", help="only these notebook numbers or exercise ids (as grade)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S",
                   help="time limit for the whole submission, as the grader's (default %(default)g)")
    p.add_argument("--cell-timeout", type=float, default=30.0, metavar="S", help="per cell (default %(default)g)")
    p.add_argument("--call-timeout", type=float, default=None, metavar="S", help="cap per exercise call")
    p.add_argument("--memory", type=int, default=1024, metavar="MB", help="memory limit (default %(default)d)")
    p.add_argument("--no-namespaces", action="store_true", help="do not use unshare (as grade's option)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """``course-utils validate``: prints the report; returns 0 all passed, 1 some not, 2 nothing checked."""
    args = build_parser().parse_args(argv)
    try:
        result = run(args.notebooks, exercises=args.exercises, timeout=args.timeout, cell_timeout=args.cell_timeout,
                     call_timeout=args.call_timeout, memory_mb=args.memory, namespaces=not args.no_namespaces)
    except SystemExit as exc:  # select_exercises refuses unknown ids with a message
        print(exc, file=sys.stderr)
        return 2
    if result is None:
        print("course-utils validate: no notebook found in the files given", file=sys.stderr)
        return 2
    print(render(result))
    if result.graded is None:
        return 2
    return 0 if all(r.passed for r in result.graded.rows) and not result.refused else 1
