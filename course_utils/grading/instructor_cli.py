"""``course-utils export``, ``course-utils report`` and ``course-utils merge``: what an
instructor does with a gradebook once ``course-utils grade`` has written it.

Each command's ``--help`` says what it reads and writes; every bad input (a missing
file, a roster that is not Canvas's, a part graded with another course version) ends
with one line on stderr saying what is wrong and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from . import export, results
from .output import write_text
from .results import GradebookError

EXPORT_DESCRIPTION = """\
Write a gradebook (from course-utils grade) in the format an LMS imports.

  canvas   fill one assignment column of the gradebook CSV you exported from Canvas
           (Grades > Export > Export Entire Gradebook); import the result in Canvas
           with Grades > Import. Students are matched on --match (default: SIS Login ID).
  moodle   an identifier column plus the grade item (and, on request, one column per
           exercise and a feedback column); import in Moodle with Grades > Import >
           CSV file, mapping the identifier column to the same user field (--match).
  csv      one row per student, one column per exercise, total and maximum.

Students in the gradebook but missing from the roster, and roster students with no
submission, are always listed on stderr (--strict makes that an error).
"""

EXPORT_EPILOG = """\
matching student ids (file names of the submissions) to the roster:
  the id is compared with the --match column exactly (ignoring case for e-mail
  addresses and Moodle usernames); an id the grader escaped (o'neil@uni.edu.ipynb ->
  o%27neil@uni.edu) matches the roster value it came from. For anything else give
  --mapping FILE, a CSV of "student,roster value" lines.

examples:
  course-utils export gradebook.csv --to canvas --roster canvas_export.csv \\
      --assignment "Gradients: backprop" --out canvas_import.csv
  course-utils export gradebook.csv --to moodle --roster moodle_grades.csv --match email \\
      --item "Gradients: backprop" --per-exercise --out moodle_import.csv
  course-utils export gradebook.csv --to csv --out grades_wide.csv
"""


def _export_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="course-utils export", description=EXPORT_DESCRIPTION, epilog=EXPORT_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("gradebook", help="the gradebook CSV written by course-utils grade (or merge)")
    p.add_argument("--to", required=True, choices=("canvas", "moodle", "csv"), help="the format to write")
    p.add_argument("--out", required=True, help="the file to write")
    p.add_argument("--roster", metavar="CSV",
                   help="Canvas: its gradebook export (required); Moodle: its grade export or any CSV with the "
                        "identifier column (optional, checks who is enrolled)")
    p.add_argument("--assignment", metavar="NAME",
                   help="Canvas: the assignment column to fill, as titled in Canvas ('Name' or 'Name (id)'); "
                        "a name not in the roster makes Canvas create a new assignment")
    p.add_argument("--match", metavar="FIELD",
                   help="the roster field student ids are matched on. Canvas: login (SIS Login ID, default), "
                        "email (SIS Login ID, any case), sis (SIS User ID), canvas (ID), name. "
                        "Moodle: email (default), username, idnumber, userid")
    p.add_argument("--mapping", metavar="CSV", help="a CSV of 'student id,roster value' lines used instead of the ids")
    p.add_argument("--missing", choices=("blank", "zero"), default="blank",
                   help="score of roster students without a submission: blank (the LMS changes nothing, "
                        "default) or zero")
    p.add_argument("--scale", action="store_true",
                   help="Canvas: rescale totals to the assignment's Points Possible when it differs")
    p.add_argument("--item", default="Gradients assignment", help="Moodle: the grade item's column name")
    p.add_argument("--per-exercise", action="store_true", help="Moodle: also one column per exercise")
    p.add_argument("--feedback-column", action="store_true", help="Moodle: also a one-line feedback column")
    p.add_argument("--strict", action="store_true", help="exit 1 when any student could not be matched")
    return p


def _export(argv: Sequence[str]) -> int:
    args = _export_parser().parse_args(argv)
    data = results.load(args.gradebook, with_state=False)
    mapping = export.read_mapping(args.mapping) if args.mapping else None
    if args.to == "csv":
        done = export.wide_csv(data)
    elif args.to == "canvas":
        if not args.roster or not args.assignment:
            raise GradebookError("--to canvas needs --roster (Canvas's gradebook export) and --assignment NAME")
        roster = results.read_text(args.roster, "roster")
        done = export.canvas_csv(data, roster, assignment=args.assignment, match=args.match or "login",
                                 mapping=mapping, missing=args.missing, scale=args.scale, roster_path=args.roster)
    else:
        roster_text = results.read_text(args.roster, "roster") if args.roster else None
        done = export.moodle_csv(data, match=args.match or "email", roster_text=roster_text, mapping=mapping,
                                 item=args.item, per_exercise=args.per_exercise, feedback=args.feedback_column,
                                 missing=args.missing, roster_path=args.roster or "roster.csv")
    write_text(args.out, done.text)
    problems = done.matching.problems() if done.matching else []
    for line in done.warnings + (done.matching.notes() if done.matching else []):
        print(f"note: {line}", file=sys.stderr)
    for line in problems:
        print(f"warning: {line}", file=sys.stderr)
    print(f"wrote {args.out}: {done.written} of {len(data.students)} students scored"
          + (f"; {len(problems)} to look at (listed above)" if problems else ""))
    return 1 if args.strict and problems else 0


REPORT_DESCRIPTION = """\
Write the class report of a gradebook as one self-contained HTML page: score
distribution, pass rate per exercise, the most frequent diagnoses per exercise with
counts, submissions that hit a limit, every student's results, and the course version
it was graded with. With --feedback DIR, also one HTML feedback page per student in DIR
(beside the Markdown feedback course-utils grade writes there), linked from the report.

Messages and notes come from the gradebook's state file (GRADEBOOK.state.json), which
course-utils grade and merge write beside it; without it the report has the marks only.
The pages load nothing from anywhere (inline CSS, plots as data: URIs): mail them, put
them on the LMS, or open them offline.
"""

REPORT_EPILOG = """\
example:
  course-utils report gradebook.csv --out class_report.html --feedback feedback/
"""


def _report_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="course-utils report", description=REPORT_DESCRIPTION, epilog=REPORT_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("gradebook", help="the gradebook CSV written by course-utils grade (or merge)")
    p.add_argument("--out", required=True, help="the class report to write (HTML)")
    p.add_argument("--feedback", metavar="DIR", help="also write DIR/<student>.html for every student")
    p.add_argument("--title", default="Class report", help="the report's title (default: %(default)s)")
    return p


def _report(argv: Sequence[str]) -> int:
    from . import report

    args = _report_parser().parse_args(argv)
    data = results.load(args.gradebook)
    links = None
    if args.feedback:
        for student in data.students:
            write_text(os.path.join(args.feedback, f"{results.file_stem(student)}.html"),
                              report.feedback_page(student, data.marks_of(student), data.notes.get(student, []),
                                                   data.meta, data.sources.get(student)))
        links = os.path.relpath(os.path.abspath(args.feedback), os.path.dirname(os.path.abspath(args.out)))
    write_text(args.out, report.class_report(data, title=args.title, feedback_links=links))
    if data.state is None:
        print(f"note: no {results.state_path(args.gradebook)}: the report has marks but no messages or notes",
              file=sys.stderr)
    print(f"wrote {args.out} ({len(data.students)} students)"
          + (f" and {len(data.students)} feedback pages in {args.feedback}" if args.feedback else ""))
    return 0


MERGE_DESCRIPTION = """\
Merge the gradebook parts of a sharded run (course-utils grade ... --shard I/N) into
one gradebook, with its state file beside it (for course-utils report, and so that an
unsharded re-run reuses every grade).

Before writing anything it checks that each part 1..N is given exactly once, that all
parts were graded with the same course version and the same secret and saw the same
class, and that every submission appears in exactly one part. Anything else stops it
with a message naming the part to fix; nothing is written then.
"""

MERGE_EPILOG = """\
example (three machines grading one class, then one merge):
  course-utils grade submissions/ --shard 1/3 --out parts/part1.csv --feedback feedback/
  course-utils grade submissions/ --shard 2/3 --out parts/part2.csv --feedback feedback/
  course-utils grade submissions/ --shard 3/3 --out parts/part3.csv --feedback feedback/
  course-utils merge parts/part*.csv --out gradebook.csv
"""


def _merge_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="course-utils merge", description=MERGE_DESCRIPTION, epilog=MERGE_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("parts", nargs="+", metavar="PART",
                   help="the gradebook part of each shard (its .state.json beside it)")
    p.add_argument("--out", required=True, help="the merged gradebook CSV to write (and OUT.state.json)")
    return p


def _merge(argv: Sequence[str]) -> int:
    from . import merge

    args = _merge_parser().parse_args(argv)
    out = os.path.abspath(args.out)
    if any(os.path.abspath(p) == out for p in args.parts):
        raise GradebookError(f"--out {args.out} is one of the parts; write the merged gradebook elsewhere")
    text, state, students = merge.merge(args.parts)
    write_text(results.state_path(args.out), merge.state_json(state))
    write_text(args.out, text)
    print(f"merged {len(args.parts)} parts: {students} students into {args.out}")
    return 0


def _run(handler: Callable[[Sequence[str]], int], name: str, argv: Sequence[str]) -> int:
    try:
        return handler(argv)
    except GradebookError as exc:
        print(f"course-utils {name}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"course-utils {name}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {"export": _export, "report": _report, "merge": _merge}


def main(name: str, argv: Sequence[str]) -> int:
    """Run ``course-utils NAME ARGV...`` for NAME in COMMANDS; returns the exit code
    (0 done, 1 --strict found unmatched students or a check failed, 2 bad input)."""
    return _run(COMMANDS[name], name, list(argv))


