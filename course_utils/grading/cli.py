"""``course-utils grade``: grade a class's notebooks into a gradebook (see --help)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from ..checking.exercise import Exercise
from . import discovery, gradebook, judge, limits, selection, state
from .discovery import Submission
from .judge import Options, Tracker
from .limits import Limits
from .output import write_text
from .progressbar import Progress
from .records import Graded
from .sandbox import Runtime
from .scheduler import Scheduler
from .secret import SecretError, load_or_create, secret_digest
from .text import printable
from .version import grading_version

DESCRIPTION = """\
Grade submitted notebooks safely and in parallel into a gradebook CSV.

Each notebook runs in its own sandbox: its own process tree, network, IPC and file
system (only Python and its packages, read-only, plus a private scratch space), a fresh
unprivileged user, and limits on time, memory (all its processes together) and process
count, as far as this machine allows; the run summary says what was obtained. The
grader never runs submitted code itself: it draws inputs from the instructor's secret,
receives plain numbers back, and judges them with the same engine as check().
"""

EPILOG = f"""\
student ids:
  alice.ipynb              -> alice   (a notebook file: its name without .ipynb)
  class/bob.ipynb          -> bob     (a notebook directly inside a class folder)
  class/carol/...ipynb     -> carol   (a sub-folder: all its notebooks, any depth)
  A name made of ASCII letters, digits and ._@+- is its own id; any other byte (and a
  leading . + - @) is written %XX: "a b.ipynb" -> a%20b. Ids equal but for case are a
  collision: those submissions are not graded, and the run says so (exit code 1).
  Only regular files are read: links, FIFOs and devices are refused, with a note.

which file is graded for which notebook (by file name only):
  a name starting with a notebook number (01_sigmoid.ipynb, 01.ipynb, "01 (2).ipynb")
  answers that notebook only; a name without one (alice.ipynb) answers the assignment's
  notebook when the exercises graded come from one notebook. Several candidates: a
  numbered name first, then the release's own name, then the one nearest the top.

exercises graded (never chosen by what was submitted):
  --exercises 01,03.grad_w, or --release DIR (the course notebooks in DIR), or else
  every exercise of the course.

{limits.help_text()}
outputs:
  OUT                      student, exercise, passed, diagnosis, points, max_points
  OUT.state.json           resume state: a re-run reuses unchanged submissions; it holds a
                           digest of the secret, never the secret
  OUT.secret               the secret the inputs are drawn from (0600, made on first run)
  FEEDBACK/<student>.md    each exercise's message, the files graded, notes

exit codes: 0 done; 1 done, but some submissions were not graded (id collisions) or
the grader failed on some (run again); 2 usage error or nothing to grade; 130 interrupted.

example:
  course-utils grade submissions/ --exercises 01 --out gradebook.csv --feedback feedback/
"""


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argparse.ArgumentParser for ``course-utils grade`` (options listed by --help)."""
    p = argparse.ArgumentParser(prog="course-utils grade", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="notebook files or class folders")
    p.add_argument("--out", required=True, help="the gradebook CSV to write")
    p.add_argument("--feedback", metavar="DIR", help="write one Markdown feedback file per student here")
    p.add_argument("--exercises", metavar="IDS", help="notebook numbers or exercise ids to grade, e.g. 01 or "
                                                      "01.sigmoid,03 (default: --release, else the whole course)")
    p.add_argument("--release", metavar="DIR", help="grade the exercises of the course notebooks in DIR")
    p.add_argument("--jobs", type=_positive(int), default=os.cpu_count() or 1,
                   help="submissions computing at once (default: the number of cores, %(default)s); "
                        "sleeping ones do not count")
    p.add_argument("--timeout", type=_positive(float), default=limits.TIMEOUT_S, metavar="S",
                   help="wall-time limit per submission (default %(default)g s)")
    p.add_argument("--cell-timeout", type=_positive(float), default=limits.CELL_TIMEOUT_S, metavar="S",
                   help="wall-time limit per notebook cell (default %(default)g s)")
    p.add_argument("--call-timeout", type=_positive(float), default=None, metavar="S",
                   help="cap on each exercise's own per-call time limit")
    p.add_argument("--memory", type=_positive(int), default=limits.MEMORY_MB, metavar="MB",
                   help="memory per notebook, all its processes together (default %(default)d)")
    p.add_argument("--processes", type=_positive(int), default=limits.PROCESSES, metavar="N",
                   help="processes and threads per notebook (default %(default)d)")
    p.add_argument("--max-notebook-mb", type=_positive(int), default=limits.MAX_NOTEBOOK_MB, metavar="MB",
                   help="largest .ipynb file read, outputs included (default %(default)d)")
    p.add_argument("--secret-file", metavar="FILE", help="the secret inputs are drawn from (default: OUT.secret, "
                                                         "made on first run)")
    p.add_argument("--force", action="store_true", help="grade every submission again, even unchanged ones")
    p.add_argument("--no-namespaces", action="store_true",
                   help="do not use Linux namespaces (much weaker isolation; for machines where they misbehave)")
    p.add_argument("--no-cgroups", action="store_true",
                   help="do not use control groups (memory then limited per process only)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


@dataclass
class Run:
    """The state of one grading run, shared by the submissions' threads."""

    out: str
    feedback: str | None
    keys: state.RunKeys
    exercises: list[Exercise]
    options: Options
    saved: dict[str, dict[str, Any]]
    progress: Progress
    runtime: Runtime | None = None
    results: dict[str, Graded] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    facts: dict[str, Any] = field(default_factory=dict)

    def grade(self, item: tuple[Submission, str], tracker: Tracker) -> None:
        """Grade one submission and record it (state, feedback, progress); never raises."""
        sub, digest = item
        assert self.runtime is not None
        try:
            graded = judge.grade_submission(sub, self.exercises, self.runtime, self.options, tracker)
        except Exception as exc:  # noqa: BLE001 - a grader bug must not stop the class
            print(f"error: grading {sub.student} failed: {type(exc).__name__}: {printable(exc)}", file=sys.stderr)
            graded = judge.internal_error(sub, self.exercises, exc)
        with self.lock:
            if self.runtime.closing:  # interrupted: this grade may be incomplete, keep it out
                return
            self.results[sub.student] = graded
            if graded.complete:
                self.saved[sub.student] = state.to_entry(graded, digest)
                state.save(self.out, self.keys, self.saved)
            if self.feedback:
                write_text(os.path.join(self.feedback, f"{sub.student}.md"), gradebook.feedback_text(graded))
            if graded.facts and not self.facts:
                self.facts.update(graded.facts)
            self.progress.advance(sub.student, graded.points, graded.max_points)


def _hidden_folders(args: argparse.Namespace, found: discovery.Found, out: str, feedback: str | None) -> list[str]:
    hide = {os.path.dirname(out)} | ({feedback} if feedback else set())
    for sub in found.submissions:
        hide.add(sub.root)
    for p in args.submissions:
        path = os.path.abspath(p)
        hide.add(path if os.path.isdir(path) else os.path.dirname(path))
    if args.secret_file:
        hide.add(os.path.dirname(os.path.abspath(args.secret_file)))
    return sorted(hide)


def main(argv: list[str] | None = None) -> int:
    """Grade the submissions named in ``argv`` (default sys.argv[1:]); writes the gradebook,
    state and feedback files. Returns the exit code (see --help)."""
    args = build_parser().parse_args(argv)
    try:
        exercises = selection.select_exercises(args.exercises, args.release)
    except selection.UsageError as exc:
        print(f"course-utils grade: {exc}", file=sys.stderr)
        return 2
    found = discovery.discover(args.submissions)
    for w in found.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if not found.submissions:
        print("course-utils grade: no submissions to grade", file=sys.stderr)
        return 2
    out = os.path.abspath(args.out)
    feedback = os.path.abspath(args.feedback) if args.feedback else None
    try:
        os.makedirs(os.path.dirname(out), exist_ok=True)
        secret_path = os.path.abspath(args.secret_file) if args.secret_file else out + ".secret"
        secret, created = load_or_create(secret_path, create=not args.secret_file)
    except (SecretError, OSError) as exc:
        print(f"course-utils grade: {exc}", file=sys.stderr)
        return 2
    if created:
        print(f"a new grading secret was made: {secret_path} (keep it to re-grade identically)", file=sys.stderr)
    run_limits = Limits(timeout=args.timeout, cell_timeout=args.cell_timeout, call_timeout=args.call_timeout,
                        memory_mb=args.memory, processes=args.processes, max_notebook_mb=args.max_notebook_mb)
    keys = state.RunKeys(grading_version(), secret_digest(secret), run_limits.key(), tuple(e.id for e in exercises))
    saved, why = ({}, None) if args.force else state.load(out, keys)
    if why:
        print(f"note: {why}", file=sys.stderr)
    ids = tuple(e.id for e in exercises)
    options = Options(limits=run_limits, secret=secret, release_names=selection.release_names(args.release))
    started = time.monotonic()
    run = Run(out, feedback, keys, exercises, options, {}, Progress(0, enabled=False))
    todo: list[tuple[Submission, str]] = []
    for sub in found.submissions:
        digest = state.content_hash(sub, run_limits.max_notebook_mb * limits.MB)
        entry = saved.get(sub.student)
        reused = state.from_entry(sub.student, entry, ids) if entry and entry.get("hash") == digest else None
        if reused is not None:
            run.results[sub.student] = reused
            run.saved[sub.student] = entry  # type: ignore[assignment]
        else:
            todo.append((sub, digest))
    reused_count = len(run.results)
    run.progress = Progress(len(todo), enabled=not args.quiet)
    try:
        interrupted = _grade_all(run, todo, args, _hidden_folders(args, found, out, feedback))
    except RuntimeError as exc:  # the sandbox itself could not start
        print(f"course-utils grade: {printable(exc, 2000)}", file=sys.stderr)
        return 2

    ordered = [run.results[s.student] for s in found.submissions if s.student in run.results]
    write_text(out, gradebook.csv_text(ordered))
    if not todo:
        state.save(out, keys, run.saved)
    if feedback:
        for graded in ordered:
            path = os.path.join(feedback, f"{graded.student}.md")
            if not os.path.exists(path):
                write_text(path, gradebook.feedback_text(graded))
    elapsed = time.monotonic() - started
    print(gradebook.summary_text(ordered, exercises))
    print(f"graded {len(ordered) - reused_count} submissions, reused {reused_count} unchanged, in {elapsed:.1f} s "
          f"with {args.jobs} jobs; gradebook: {out}" + (f"; feedback: {feedback}" if feedback else ""))
    if run.runtime is not None:
        print(f"isolation: {run.runtime.isolation.describe(run.facts)}")
        if run.runtime.leftovers:
            print(f"warning: could not remove: {', '.join(run.runtime.leftovers)}", file=sys.stderr)
    problems = 0
    for origins in found.collisions:
        print(f"NOT GRADED (id collision): {', '.join(origins)}", file=sys.stderr)
        problems += 1
    incomplete = [g.student for g in ordered if not g.complete]
    if incomplete:
        print(f"the grader failed on part of {len(incomplete)} submissions ({', '.join(incomplete[:10])}): "
              "run the same command again to grade them again", file=sys.stderr)
        problems += 1
    if interrupted:
        print("interrupted: run the same command again to finish (graded submissions are kept)", file=sys.stderr)
        return 130
    return 1 if problems else 0


def _grade_all(run: Run, todo: list[tuple[Submission, str]], args: argparse.Namespace, hide: list[str]) -> bool:
    """Grade ``todo`` in a sandbox; returns True when interrupted (Ctrl-C or SIGTERM)."""
    if not todo:
        return False
    main_thread = threading.current_thread() is threading.main_thread()
    previous_term = signal.getsignal(signal.SIGTERM) if main_thread else None
    previous_int = signal.getsignal(signal.SIGINT) if main_thread else None
    scheduler: Scheduler[tuple[Submission, str]] = Scheduler(args.jobs, most=4 * args.jobs + 4)
    interrupted = False
    try:
        if main_thread:
            signal.signal(signal.SIGTERM, _raise_interrupt)
        run.runtime = Runtime(hide=hide, allow_namespaces=not args.no_namespaces, allow_cgroups=not args.no_cgroups,
                              memory_mb=args.memory, cpu_seconds=int(args.timeout) + 10, processes=args.processes)
        scheduler.run(todo, run.grade)
    except KeyboardInterrupt:
        interrupted = True
        if main_thread:  # clean up without a second interrupt
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        scheduler.stop()
        if run.runtime is not None:
            run.runtime.kill_all()
    finally:
        scheduler.join()
        if run.runtime is not None:
            run.runtime.close()
        run.progress.close()
        if main_thread:
            signal.signal(signal.SIGTERM, previous_term)
            signal.signal(signal.SIGINT, previous_int)
    return interrupted


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt()
