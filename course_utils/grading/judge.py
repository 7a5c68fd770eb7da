"""Grade one submission: run each notebook in a sandbox, call its functions, judge with the engine.

The trusted side of the trust boundary. For each exercise it plans the draws with the
check engine from the instructor's secret (``engine.grading_rng``: the same inputs on
every re-grade, the same points for the same answer), sends only the inputs to the
sandboxed worker, reads back plain data (validated: anything malformed is the
submission's own failure), and judges it with ``engine.judge_draw`` / ``engine.conclude``,
the same code that ``check()`` uses in a notebook, on the same plain data.

Containment: a failure of one notebook (even a bug of the grader's) costs only that
notebook's exercises; a worker that crashes, hangs or exits is restarted for the next
exercise (its notebook re-run, skipping a cell that killed it), so a submission loses
only what it broke. An exercise is not called again after its first timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..checking import diagnosis as D
from ..checking import engine
from ..checking.exercise import Exercise
from ..checking.explain import Draw
from ..checking.result import CheckResult
from ..portable import wire
from ..portable.plain import Foreign, Plain, to_plain
from ..portable.safecall import Outcome
from . import limits, matching, prepare
from .discovery import Submission
from .limits import Limits
from .notes import Notes
from .reading import Unreadable, read_bounded
from .records import Graded, Row
from .sandbox import Runtime, Worker, WorkerDied
from .text import printable, shown_name

__all__ = ["Options", "Tracker", "grade_submission", "internal_error", "function_names"]

REPLY_SLACK_S = 2.0     # beyond a call's own limit, for the worker to say the call is over
SEND_WAIT_S = 60.0      # for the worker to encode and send what the call returned (at most 64 MB)


@dataclass(frozen=True)
class Options:
    """What one grading run grades with: its limits, the instructor's secret (the draws
    are planned from it) and the release's notebook file names."""

    limits: Limits = field(default_factory=Limits)
    secret: bytes = b"\0" * 32
    release_names: dict[str, str] = field(default_factory=dict)
    extra_draws: int | None = None   # random draws beyond the coverage plan (None: the exercise's own)
    plans: dict[str, list[Draw]] = field(default_factory=dict, compare=False, repr=False)

    def plan(self, exercise: Exercise) -> list[Draw]:
        """The draws of ``exercise``: the same for every student of the run (they depend on
        the secret, the course version and the exercise only), so planned once."""
        draws = self.plans.get(exercise.id)
        if draws is None:
            draws = engine.plan(exercise, engine.grading_rng(self.secret, exercise.id), self.extra_draws)
            self.plans[exercise.id] = draws
        return draws


class Tracker:
    """What a submission is doing now, for the scheduler: ``worker`` while its sandbox
    runs, None while the grader itself works."""

    def __init__(self) -> None:
        self.worker: Worker | None = None


def _fail(exercise: Exercise, code: str, message: str) -> CheckResult:
    return CheckResult(passed=False, diagnosis=code, message=message, exercise_id=exercise.id, points=exercise.points)


def _spec_of(value: object) -> dict[str, Any] | None:
    spec = getattr(type(value), "spec", None)
    if not callable(spec):
        return None
    data = spec(value)
    return data if type(data) is dict else None


def name_the_limit(text: str, run: Limits) -> str:
    """``text`` (an error or note from the sandbox) followed by the limit it shows was hit,
    in brackets, when it shows one (memory, processes, scratch space, file size)."""
    if "MemoryError" in text:
        return f"{text} [limit: {run.memory_mb} MB of memory for the notebook's processes together, --memory]"
    if "can't start new thread" in text or "Resource temporarily unavailable" in text or "BlockingIOError" in text:
        return f"{text} [limit: {run.processes} processes and threads, --processes]"
    if "No space left on device" in text:
        return f"{text} [limit: {limits.SCRATCH_MB} MB of scratch space]"
    if "File too large" in text:
        return f"{text} [limit: {limits.FILE_MB} MB per file]"
    return text


def function_names(exercises: list[Exercise]) -> list[str]:
    """The names the learner must define for ``exercises`` (sorted, unique)."""
    return sorted({ex.function_name for ex in exercises})


# ---------------------------------------------------------------- one notebook's sandbox

class Session:
    """One notebook of one submission, running in a (restartable) sandbox."""

    def __init__(self, runtime: Runtime, prepared: prepare.Prepared, names: list[str], options: Options,
                 deadline: float, notes: Notes, tracker: Tracker) -> None:
        self.runtime = runtime
        self.prepared = prepared
        self.names = names
        self.limits = options.limits
        self.deadline = deadline
        self.notes = notes
        self.tracker = tracker
        self.skip: set[int] = set()
        self.worker: Worker | None = None
        self.callable: set[str] = set()
        self.bound: set[str] = set()
        self.course_own: dict[str, str] = {}  # name -> the course's function it is bound to
        self.broken: str | None = None
        self.restarts = 0
        self.facts: dict[str, Any] = {}
        self.noted = False
        self.infrastructure = False

    def left(self) -> float:
        """Seconds left before the submission's deadline (negative once past)."""
        return self.deadline - time.monotonic()

    def ensure(self) -> bool:
        """A live worker that has run the notebook; False (and ``broken``) if impossible."""
        while self.worker is None and self.broken is None:
            if self.restarts > limits.MAX_RESTARTS:
                self.broken = (f"your notebook crashed or hung its process {self.restarts} times "
                               f"(limit {limits.MAX_RESTARTS} restarts)")
                break
            if self.left() <= 0:
                self.broken = f"your submission used up its {self.limits.timeout:g} s (--timeout)"
                break
            self.restarts += 1
            self._start()
        return self.worker is not None

    def _start(self) -> None:
        try:
            worker = self.runtime.start(memory_mb=self.limits.memory_mb)
        except (WorkerDied, OSError) as exc:  # the grader's side failed, not the submission
            self.broken = f"the sandbox could not start ({printable(exc, 200)})"
            self.infrastructure = True
            return
        self.tracker.worker = worker
        current: int | None = None
        try:
            self.facts = worker.hello(timeout=min(60.0, max(self.left(), 5.0)))
            cells = self.prepared.cells
            worker.send({"op": "exec", "cells": cells, "skip": sorted(self.skip), "names": self.names,
                         "max_notes": limits.MAX_NOTES, "cell_timeout": max(0.1, min(self.limits.cell_timeout,
                                                                                       self.left()))})
            valid = {n for n, _ in cells}
            for _ in range(len(cells) + 1):
                wait = min(self.limits.cell_timeout + REPLY_SLACK_S, self.left() + 1.0)
                msg = worker.receive(max(wait, 0.1))
                op = msg.get("op")
                if op == "cell" and type(msg.get("index")) is int and msg["index"] in valid:
                    current = msg["index"]
                elif op == "ran":
                    self._ran(msg)
                    self.worker = worker
                    return
                else:
                    raise WorkerDied("it sent a message out of turn")
            raise WorkerDied("it sent too many messages")
        except TimeoutError:
            worker.kill()
            self.tracker.worker = None
            self._lost_cell(current, f"did not finish in time (cell limit {self.limits.cell_timeout:g} s, "
                                     "--cell-timeout)")
        except WorkerDied as exc:
            worker.kill()
            self.tracker.worker = None
            self._lost_cell(current, f"ended its process ({printable(exc, 200)})")

    def _ran(self, msg: dict[str, Any]) -> None:
        notes, names = msg.get("notes"), set(self.names)
        if not self.noted and type(notes) is list:
            self.noted = True
            for note in notes[: limits.MAX_NOTES]:
                self.notes.add(name_the_limit(note, self.limits) if type(note) is str else "an unreadable note")
        for key, target in (("callable", self.callable), ("bound", self.bound)):
            value = msg.get(key)
            target.clear()
            if type(value) is list:
                target.update(n for n in value if type(n) is str and n in names)
        own = msg.get("course_own")
        self.course_own = ({n: printable(q, 120) for n, q in own.items() if type(n) is str and n in names
                            and type(q) is str} if type(own) is dict else {})

    def _lost_cell(self, index: int | None, what: str) -> None:
        if index is not None and index not in self.skip:
            self.notes.add(f"code cell {index} {what}; it was skipped so the rest could be graded")
            self.skip.add(index)
        elif index is None:  # no cell had started: the grader's side failed
            self.broken = f"the sandbox could not start your notebook ({what})"
            self.infrastructure = True
        else:
            self.broken = f"your notebook could not be run ({what})"

    def call(self, exercise: Exercise, draws: list[tuple[Any, ...]], time_limit: float) -> list[Outcome]:
        """Call the learner's function on each draw's arguments (for a "value" exercise:
        read the variable), in one message; the worker stops after the first call that
        does not return. Returns one ``safecall.Outcome`` of plain data per call made."""
        worker = self.worker
        assert worker is not None
        results: list[Outcome] = []
        message = {"op": "call", "name": exercise.function_name, "kind": exercise.kind, "time_limit": time_limit,
                   "max_bytes": limits.MAX_REPLY_BYTES, "withheld": list(exercise.withheld),
                   "draws": [wire.encode(list(args), fn_hook=_spec_of) for args in draws]}
        try:
            worker.send(message)
            for index, args in enumerate(draws):
                wait = max(0.1, min(time_limit + REPLY_SLACK_S, self.left() + 1.0))
                over = worker.receive(wait)
                if over.get("op") != "called" or over.get("index") != index:
                    raise WorkerDied("it sent a reply out of turn")
                outcome = _read_reply(worker.receive(max(0.1, min(SEND_WAIT_S, self.left() + 1.0))), index, args)
                if outcome.error:
                    outcome.error = name_the_limit(outcome.error, self.limits)
                results.append(outcome)
                if results[-1].kind != "returned":
                    break
        except TimeoutError:
            self.lose_worker()
            results.append(Outcome("timeout", error=f"stopped after {time_limit:g} s"))
        except WorkerDied as exc:
            self.lose_worker()
            results.append(Outcome("exception", error=f"a fatal error: {printable(exc, 250)}"))
        return results

    def lose_worker(self) -> None:
        """Kill the current worker, if any, so ``ensure()`` starts a fresh one; returns None."""
        if self.worker is not None:
            self.worker.kill()
            self.worker = None
        self.tracker.worker = None

    def close(self) -> None:
        """End this session's worker, if any; returns None."""
        self.lose_worker()


class _Reply(Exception):
    """A reply from the worker that is not what the protocol allows."""


def _read_reply(reply: dict[str, Any], index: int, args: tuple[Any, ...]) -> Outcome:
    """One "result" message as a ``safecall.Outcome``, every field validated: a malformed
    reply is the submission's own exception, an unreadable value a Foreign (wrong type)."""
    try:
        if reply.get("op") != "result" or reply.get("index") != index:
            raise _Reply("a reply out of turn")
        kind = reply.get("kind")
        error = reply.get("error", "")
        if kind not in ("returned", "not_implemented", "exception", "timeout") or type(error) is not str:
            raise _Reply("an unreadable reply")
        raw_warnings = reply.get("warnings", [])
        warned = [printable(w, 200) for w in raw_warnings[:5] if type(w) is str] if type(raw_warnings) is list else []
        try:
            after: Plain = wire.decode(reply.get("args_after"))
        except wire.WireError:  # unreadable: the value alone decides (a sabotaged worker can send anything)
            after = to_plain(list(args), exact=True)
        if kind != "returned":
            return Outcome(kind, error=printable(error, 400), args_after=after, warnings=warned)
        try:
            value: Plain = wire.decode(reply.get("value"))
        except wire.WireError as exc:
            value = Foreign(f"a value that could not be read back ({printable(exc, 60)})")
        return Outcome("returned", value, args_after=after, warnings=warned)
    except _Reply as exc:
        return Outcome("exception", error=f"{exc} from its process")


def grade_exercise(session: Session, exercise: Exercise, options: Options) -> tuple[CheckResult, float]:
    """Judge one exercise; returns (CheckResult, seconds spent calling)."""
    if not session.ensure():
        return _fail(exercise, D.NOT_IMPLEMENTED, f"Could not grade: {session.broken}."), 0.0
    if exercise.kind == "function" and exercise.function_name not in session.callable:
        return _fail(exercise, D.NOT_IMPLEMENTED, (
            f"No function named `{exercise.function_name}` was defined when your notebook ran "
            f"(is it missing, renamed, or in a cell that failed?).")), 0.0
    if exercise.kind == "function" and exercise.function_name in session.course_own:  # as check() refuses it
        return _fail(exercise, D.NOT_IMPLEMENTED, engine.course_function_message(
            exercise, session.course_own[exercise.function_name])), 0.0
    start = time.monotonic()
    draws = options.plan(exercise)
    call_cap = options.limits.call_timeout
    limit = exercise.time_limit if call_cap is None else min(exercise.time_limit, call_cap)
    outcomes = session.call(exercise, [draw.args for draw in draws], limit)
    if exercise.kind == "value" and outcomes:  # a checkpoint: judged as check() judges it
        return engine.judge_value_outcome(exercise, outcomes[0]), time.monotonic() - start
    verdicts = []
    for draw, outcome in zip(draws, outcomes, strict=False):
        verdict = engine.judge_draw(exercise, draw, outcome)
        verdicts.append(verdict)
        if verdict.stop:
            break
    seconds = time.monotonic() - start
    if not verdicts:
        return _fail(exercise, D.NOT_IMPLEMENTED, f"Could not grade: {session.broken}."), seconds
    return engine.conclude(exercise, draws, verdicts), seconds


# ---------------------------------------------------------------- one submission

def _row(student: str, exercise: Exercise, result: CheckResult, seconds: float) -> Row:
    passed = bool(result.passed)
    return Row(student, exercise.id, passed, "" if passed else str(result.diagnosis),
               float(exercise.points if passed else 0.0), float(exercise.points), round(seconds, 3),
               printable(result.message, 1000))


def _grade_notebook(path: str, group: list[Exercise], submission: Submission, runtime: Runtime, options: Options,
                    deadline: float, graded: Graded, notes: Notes, tracker: Tracker
                    ) -> dict[str, tuple[CheckResult, float]]:
    try:
        data = read_bounded(path, options.limits.max_notebook_mb * limits.MB)
    except Unreadable as exc:
        reason = f"`{shown_name(path.rsplit('/', 1)[-1])}` could not be read: {exc}"
        return {ex.id: (_fail(ex, D.NOT_IMPLEMENTED, f"Could not grade: {reason}."), 0.0) for ex in group}
    prep = prepare.prepare(data)
    del data
    notes.extend(prep.notes.as_list())
    if prep.error:
        reason = f"`{shown_name(path.rsplit('/', 1)[-1])}`: {prep.error}"
        notes.add(reason)
        return {ex.id: (_fail(ex, D.NOT_IMPLEMENTED, f"Could not grade: {reason}."), 0.0) for ex in group}
    session = Session(runtime, prep, function_names(group), options, deadline, notes, tracker)
    results: dict[str, tuple[CheckResult, float]] = {}
    try:
        for ex in group:
            results[ex.id] = grade_exercise(session, ex, options)
    finally:
        session.close()
        if session.facts and not graded.facts:
            graded.facts = dict(session.facts)
        if session.infrastructure:
            graded.complete = False
    return results


def grade_submission(submission: Submission, exercises: list[Exercise], runtime: Runtime, options: Options,
                     tracker: Tracker | None = None, on_notebook: Callable[[], None] | None = None) -> Graded:
    """Grade every exercise of ``exercises`` for this submission; returns ``Graded``.
    Never raises for anything the submission does; a failure of the grader itself on
    one notebook costs only that notebook's exercises (marked incomplete)."""
    tracker = tracker or Tracker()
    began = time.monotonic()
    deadline = began + options.limits.timeout
    graded = Graded(submission.student)
    notes = Notes()
    notes.extend(submission.refused)
    wanted = list(dict.fromkeys(ex.notebook for ex in exercises))
    matched = matching.match(submission.notebooks, wanted, options.release_names)
    notes.extend(matched.notes)
    results: dict[str, tuple[CheckResult, float]] = {}
    for number in wanted:
        path = matched.chosen.get(number)
        group = [ex for ex in exercises if ex.notebook == number]
        if path is None:
            name = options.release_names.get(number, f"{number}_....ipynb")
            for ex in group:
                results[ex.id] = (_fail(ex, D.NOT_IMPLEMENTED, (
                    f"No notebook for part {number} was found in your submission (expected a file named "
                    f"like `{name}`).")), 0.0)
            continue
        graded.sources[number] = shown_name(path.rsplit("/", 1)[-1])
        try:
            results.update(_grade_notebook(path, group, submission, runtime, options, deadline, graded, notes,
                                           tracker))
        except Exception as exc:  # noqa: BLE001 - a grader bug: contained to this notebook
            graded.complete = False
            message = (f"The grader failed on your notebook {graded.sources[number]} ({type(exc).__name__}); "
                       "your instructor will grade it again.")
            for ex in group:
                results.setdefault(ex.id, (_fail(ex, D.EXCEPTION, message), 0.0))
        finally:
            tracker.worker = None
        if on_notebook is not None:
            on_notebook()
    for ex in exercises:
        result, seconds = results[ex.id]
        graded.rows.append(_row(submission.student, ex, result, seconds))
    graded.notes = notes.as_list()
    graded.seconds = time.monotonic() - began
    return graded


def internal_error(submission: Submission, exercises: list[Exercise], exc: BaseException) -> Graded:
    """The rows for a submission the grader itself failed on (a bug, not the learner's):
    every exercise 0 with diagnosis "exception", marked incomplete (graded again next run)."""
    message = f"The grader failed on your submission ({type(exc).__name__}); your instructor will grade it again."
    rows = [Row(submission.student, ex.id, False, D.EXCEPTION, 0.0, float(ex.points), 0.0, message)
            for ex in exercises]
    return Graded(submission.student, rows=rows, notes=[], complete=False)
