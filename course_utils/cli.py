"""The ``course-utils`` command (also ``python -m course_utils``).

Subcommands: ``release`` (solutions/ -> notebooks/), ``progress``, ``execute`` (run
solution notebooks in place to refresh their stored outputs), ``grade`` (see
``course_utils.grading``), ``workshop serve`` and ``doctor`` (see ``course_utils.workshop``).
"""

import argparse
import os
import sys


def find_root(start=None):
    """The course folder: the nearest folder at or above ``start`` holding solutions/,
    else the folder above this package."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        if os.path.isdir(os.path.join(here, "solutions")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        here = parent


def _release(args):
    from .authoring.release import ReleaseError, release

    root = find_root()
    solutions = args.solutions or os.path.join(root, "solutions")
    notebooks = args.notebooks or os.path.join(root, "notebooks")
    try:
        problems = release(solutions, notebooks, check=args.check, only=args.only or None)
    except (ReleaseError, ValueError, OSError) as err:
        print(f"release failed: {err}", file=sys.stderr)
        return 2
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        if args.check:
            print("notebooks/ is out of date: run `course-utils release`.", file=sys.stderr)
        return 1
    print("notebooks/ is up to date." if args.check else f"released student notebooks into {notebooks}")
    return 0


def _progress(args):
    from .learner import progress

    if args.reset:
        progress.reset()
    print(progress.summary_text())
    return 0


def _execute(args):
    from .authoring.execute import execute_in_place

    root = find_root()
    paths = args.notebooks or sorted(
        os.path.join(root, "solutions", f) for f in os.listdir(os.path.join(root, "solutions")) if f.endswith(".ipynb"))
    failures = 0
    for path in paths:
        error = execute_in_place(path, timeout=args.timeout)
        print(f"{'ok  ' if error is None else 'FAIL'} {path}" + (f": {error}" if error else ""))
        failures += error is not None
    return 1 if failures else 0


def _site(args):
    from .authoring.site.command import run

    return run(args, find_root())


def _grade(argv):
    from .grading import cli as grading_cli

    return grading_cli.main(argv)


INSTRUCTOR_COMMANDS = ("export", "report", "merge")


def _instructor(name, argv):
    from .grading import instructor_cli

    return instructor_cli.main(name, argv)


def main(argv=None):
    """Entry point; returns the process exit code. Output cut short by its reader
    (``course-utils validate ... | head``) ends the command quietly, with code 1."""
    try:
        code = _dispatch(argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail again
        return 1


def _dispatch(argv):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "grade":
        return _grade(argv[1:])
    if argv and argv[0] in INSTRUCTOR_COMMANDS:
        return _instructor(argv[0], argv[1:])
    if argv and argv[0] == "validate":
        from .grading import validate

        return validate.main(argv[1:])
    if argv and argv[0] in ("workshop", "doctor"):
        from .workshop import cli as workshop_cli

        return (workshop_cli.workshop_main if argv[0] == "workshop" else workshop_cli.doctor_main)(argv[1:])
    parser = argparse.ArgumentParser(prog="course-utils", description="Gradients for Neural Nets: course tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="generate notebooks/ from solutions/")
    rel.add_argument("--check", action="store_true", help="exit 1 if notebooks/ is stale; write nothing")
    rel.add_argument("--solutions", help="solution folder (default: ./solutions)")
    rel.add_argument("--notebooks", help="student folder (default: ./notebooks)")
    rel.add_argument("only", nargs="*", help="release only these notebooks (file names)")
    prog = sub.add_parser("progress", help="show which exercises you have passed")
    prog.add_argument("--reset", action="store_true", help="forget all progress first")
    exe = sub.add_parser("execute", help="run solution notebooks in place, refreshing stored outputs")
    exe.add_argument("notebooks", nargs="*")
    exe.add_argument("--timeout", type=int, default=600)
    sub.add_parser("grade", help="grade submissions (course-utils grade --help)")
    sub.add_parser("validate", help="check your notebooks as the grader will (course-utils validate --help)")
    sub.add_parser("export", help="a gradebook for Canvas, Moodle or a spreadsheet (course-utils export --help)")
    sub.add_parser("report", help="class report and HTML feedback from a gradebook (course-utils report --help)")
    sub.add_parser("merge", help="merge the gradebook parts of a sharded run (course-utils merge --help)")
    sub.add_parser("workshop", help="run a live workshop server (course-utils workshop serve --help)")
    sub.add_parser("doctor", help="check this computer is ready for the course and the workshop")
    from .authoring.site.command import add_arguments as site_arguments

    site_arguments(sub.add_parser("site", help="the course as a static website that works offline"))
    args = parser.parse_args(argv)
    handlers = {"release": _release, "progress": _progress, "execute": _execute, "site": _site}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
