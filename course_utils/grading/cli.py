"""``course-utils grade``: grade a class's notebooks into a gradebook (see --help)."""

import argparse
import concurrent.futures
import os
import signal
import sys
import threading
import time

from ..checking import registry
from ..files import atomic
from . import discovery, gradebook, judge, prepare, report, shards
from .progressbar import Progress
from .sandbox import Runtime

DESCRIPTION = """\
Grade submitted notebooks safely and in parallel into a gradebook CSV.

Each submission runs in its own sandboxed process (time, memory, CPU, process and
file-size limits; scratch folder as working directory and HOME; scrubbed environment;
no network, private process tree and read-only filesystem where the OS allows it).
The grader never runs submitted code itself: it draws fresh random inputs, receives
plain numbers back, and judges them with the same engine as check().
"""

EPILOG = """\
student ids:
  alice.ipynb              -> alice   (a notebook file: its name without .ipynb)
  class/bob.ipynb          -> bob     (a notebook directly inside a class folder)
  class/carol/...ipynb     -> carol   (a sub-folder: all its notebooks, any depth)
  dave/  (one notebook)    -> dave    (a folder given directly that holds one notebook)

outputs:
  OUT                      student, exercise, passed, diagnosis, points, max_points, seconds
  OUT.state.json           content hashes: a re-run skips unchanged submissions (resume)
  FEEDBACK/<student>.md    each exercise's message, and notes on running the notebook
  FEEDBACK/<student>.html  the same as a self-contained web page (course-utils report --help)

example:
  course-utils grade submissions/ --out gradebook.csv --feedback feedback/ --jobs 4
"""


def build_parser():
    """The argparse.ArgumentParser for ``course-utils grade`` (options listed by --help)."""
    p = argparse.ArgumentParser(prog="course-utils grade", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="notebook files or folders of them")
    p.add_argument("--out", required=True, help="the gradebook CSV to write")
    p.add_argument("--feedback", metavar="DIR", help="write one Markdown feedback file per student here")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="submissions graded at once (default: the number of cores, %(default)s)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S",
                   help="wall-time limit per submission in seconds (default %(default)g)")
    p.add_argument("--cell-timeout", type=float, default=30.0, metavar="S",
                   help="wall-time limit per notebook cell (default %(default)g)")
    p.add_argument("--call-timeout", type=float, default=None, metavar="S",
                   help="cap on the time limit of each exercise call (default: each exercise's own)")
    p.add_argument("--memory", type=int, default=1024, metavar="MB",
                   help="address-space limit per submission in MB (default %(default)d)")
    p.add_argument("--exercises", metavar="IDS",
                   help="comma-separated notebook numbers or exercise ids to grade, e.g. 01 or "
                        "01.sigmoid,01.sigmoid_prime (default: the notebooks the submissions answer)")
    p.add_argument("--shard", metavar="I/N",
                   help="grade only share I of N of the class (1 <= I <= N; a student's share is fixed by a hash "
                        "of the id), into this share's own --out and resume state; then course-utils merge")
    p.add_argument("--force", action="store_true", help="regrade every submission, even unchanged ones")
    p.add_argument("--no-namespaces", action="store_true",
                   help="do not use unshare (weaker isolation; for machines where it misbehaves)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def select_exercises(spec, submissions):
    """The exercises to grade: those named by ``spec``, else those of the notebooks the
    class's submissions answer, else all."""
    every = registry.all_exercises()
    if spec:
        wanted = [s.strip() for s in spec.split(",") if s.strip()]
        chosen = [e for e in every if e.id in wanted or e.notebook in wanted]
        unknown = [w for w in wanted if not any(e.id == w or e.notebook == w for e in every)]
        if unknown:
            raise SystemExit(f"course-utils grade: unknown exercises or notebooks: {', '.join(unknown)}")
        return chosen
    numbers = set()
    for sub in submissions:
        for path in sub.notebooks:
            numbers.update(prepare.notebook_numbers(path, prepare.prepare(path), every))
    chosen = [e for e in every if e.notebook in numbers]
    return chosen or every


def main(argv=None):
    """Grade the submissions named in ``argv`` (default sys.argv[1:]); writes the gradebook,
    state and feedback files. Returns the exit code: 0 done, 2 no submissions, 130 interrupted.
    """
    args = build_parser().parse_args(argv)
    submissions, warnings = discovery.discover(args.submissions)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    if not submissions:
        print("course-utils grade: no submissions found", file=sys.stderr)
        return 2
    exercises = select_exercises(args.exercises, submissions)  # from the whole class: the same in every shard
    meta = shards.run_meta(exercises)
    if args.shard:
        try:
            index, count = shards.parse_shard(args.shard)
        except ValueError as exc:
            print(f"course-utils grade: {exc}", file=sys.stderr)
            return 2
        meta["shard"] = shards.shard_meta(index, count, [s.student for s in submissions])
        submissions = [s for s in submissions if shards.in_shard(s.student, index, count)]
    out = os.path.abspath(args.out)
    feedback = os.path.abspath(args.feedback) if args.feedback else None
    options = judge.Options(timeout=args.timeout, cell_timeout=args.cell_timeout, call_timeout=args.call_timeout,
                            memory_mb=args.memory)
    fp = gradebook.fingerprint(exercises)
    state = {} if args.force else gradebook.load_state(out)
    hide = {os.path.dirname(out)} | ({feedback} if feedback else set())
    for sub in submissions:
        hide.update(os.path.dirname(p) for p in sub.notebooks)
    hide.update(os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))
                for p in args.submissions)

    started = time.monotonic()
    results, todo = {}, []
    for sub in submissions:
        digest = gradebook.content_hash(sub, fp)
        entry = state.get(sub.student)
        if entry and entry.get("hash") == digest:
            try:
                results[sub.student] = gradebook.from_state(sub.student, entry)
                continue
            except (KeyError, TypeError):
                pass
        todo.append((sub, digest))
    reused = len(results)
    keep = {s.student for s in submissions}
    state = {k: v for k, v in state.items() if k in keep and k in results}

    runtime = Runtime(hide=sorted(hide), allow_namespaces=not args.no_namespaces, memory_mb=args.memory,
                      cpu_seconds=int(args.timeout) + 10) if todo else None
    progress = Progress(len(todo), enabled=not args.quiet)
    lock = threading.Lock()
    facts = {}

    def one(sub, digest):
        try:
            graded = judge.grade_submission(sub, exercises, runtime, options)
        except Exception as exc:  # a grader bug must not stop the class: report it, keep going
            print(f"error: grading {sub.student} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            graded = judge.internal_error(sub, exercises, exc)
        with lock:
            if runtime.closing:  # interrupted: this grade may be incomplete, keep it out
                return None
            results[sub.student] = graded
            if graded.complete:
                state[sub.student] = gradebook.to_state(graded, digest)
                gradebook.save_state(out, state, meta)
            if feedback:
                atomic.write_text(os.path.join(feedback, f"{sub.student}.md"), gradebook.feedback_text(graded))
                atomic.write_text(os.path.join(feedback, f"{sub.student}.html"), report.feedback_page_for_graded(
                    graded, meta))
            if graded.facts and not facts:
                facts.update(graded.facts)
            progress.advance(sub.student, sum(r.points for r in graded.rows), sum(r.max_points for r in graded.rows))
        return graded

    previous, previous_int = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    interrupted = False
    futures = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) if todo else None
    try:
        futures = [pool.submit(one, sub, digest) for sub, digest in todo] if todo else []
        for f in concurrent.futures.as_completed(futures):
            f.result()
    except KeyboardInterrupt:
        interrupted = True
        if threading.current_thread() is threading.main_thread():  # clean up without a second interrupt
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for f in futures:
            f.cancel()
        runtime.kill_all()
    finally:
        if todo:
            pool.shutdown(wait=True, cancel_futures=True)
            runtime.close()
        progress.close()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)

    ordered = [results[s.student] for s in submissions if s.student in results]
    gradebook.save_state(out, state, meta)
    atomic.write_text(out, gradebook.csv_text(ordered))
    if feedback:
        for graded in ordered:
            path = os.path.join(feedback, f"{graded.student}.md")
            if not os.path.exists(path):
                atomic.write_text(path, gradebook.feedback_text(graded))
            if not os.path.exists(path[:-3] + ".html"):
                atomic.write_text(path[:-3] + ".html", report.feedback_page_for_graded(graded, meta))
    elapsed = time.monotonic() - started
    print(gradebook.summary_text(ordered, exercises))
    print(f"graded {len(ordered) - reused} submissions, reused {reused} unchanged, in {elapsed:.1f} s "
          f"with {args.jobs} jobs; gradebook: {out}" + (f"; feedback: {feedback}" if feedback else ""))
    if runtime is not None:
        print(f"isolation: {runtime.isolation.describe(facts)}")
    if interrupted:
        print("interrupted: run the same command again to finish (graded submissions are kept)", file=sys.stderr)
        return 130
    return 0


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt()
