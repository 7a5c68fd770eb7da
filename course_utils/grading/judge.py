"""Grade one submission: run it in a sandbox, call its functions, judge with the engine.

The trusted side of the trust boundary. For each exercise it draws fresh inputs from a
secret seed, computes the reference answer itself, sends only the inputs to the
sandboxed worker, reads back plain data, and judges it with ``engine.judge_draw`` and
``engine.conclude``: the same code that ``check()`` uses in a notebook, so the grade
and the learner's own check can never disagree about what is right.

A worker that crashes, hangs or exits is restarted for the next exercise (its notebook
re-run, skipping a cell that killed it), so a submission loses only what it broke.
"""

import secrets
import time
from dataclasses import dataclass

import numpy as np

from ..checking import calling, engine
from ..checking import diagnosis as D
from ..checking.result import CheckResult
from ..portable import wire
from . import prepare
from .records import Graded, Row
from .sandbox import WorkerDied

MAX_RESTARTS = 6


@dataclass
class Options:
    """Limits for one submission (seconds and megabytes)."""

    timeout: float = 300.0        # wall time for the whole submission
    cell_timeout: float = 30.0    # wall time for one notebook cell
    call_timeout: float = None    # cap on each exercise's own time limit per call
    memory_mb: int = None
    draws: int = None             # None: each exercise's own number of draws


def _fail(exercise, code, message):
    return CheckResult(passed=False, diagnosis=code, message=message, exercise_id=exercise.id,
                       points=exercise.points)


def _spec_of(value):
    spec = getattr(type(value), "spec", None)
    return value.spec() if callable(spec) else None


def _clip(text, limit=300):
    text = "".join(c if c.isprintable() else " " for c in str(text))
    return text if len(text) <= limit else text[:limit] + "..."


class Session:
    """One notebook of one submission, running in a (restartable) sandbox."""

    def __init__(self, runtime, prepared, names, options, deadline, notes):
        self.runtime = runtime
        self.prepared = prepared
        self.names = names
        self.options = options
        self.deadline = deadline
        self.notes = notes
        self.skip = set()
        self.worker = None
        self.defined = set()
        self.broken = None
        self.restarts = 0
        self.facts = {}
        self.noted = False
        self.infrastructure = False

    def left(self):
        """Seconds left before the submission's deadline (float, negative once past)."""
        return self.deadline - time.monotonic()

    def ensure(self):
        """A live worker that has run the notebook; False (and ``broken``) if impossible."""
        while self.worker is None and self.broken is None:
            if self.restarts > MAX_RESTARTS:
                self.broken = "your notebook kept crashing its process"
                break
            if self.left() <= 0:
                self.broken = f"grading stopped: your submission used up its {self.options.timeout:g} s"
                break
            self.restarts += 1
            self._start()
        return self.worker is not None

    def _start(self):
        try:
            worker = self.runtime.start(memory_mb=self.options.memory_mb)
        except (WorkerDied, OSError) as exc:  # the grader's side failed, not the submission
            self.broken = f"the sandbox could not start ({exc})"
            self.infrastructure = True
            return
        current = None
        try:
            self.facts = worker.hello(timeout=min(60.0, max(self.left(), 1.0)))
            self.facts = dict(self.runtime.facts, **self.facts)
            worker.send({"op": "exec", "cells": self.prepared.cells, "skip": sorted(self.skip),
                         "names": self.names, "cell_timeout": max(0.1, min(self.options.cell_timeout, self.left()))})
            while True:
                if self.left() < -1.0:  # a flood of messages must not keep it alive either
                    raise TimeoutError()
                wait = min(self.options.cell_timeout + 2.0, self.left() + 1.0)
                msg = worker.receive(max(wait, 0.1))
                if msg.get("op") == "cell":
                    current = msg.get("index")
                elif msg.get("op") == "ran":
                    break
                else:
                    raise WorkerDied("unexpected message")
        except TimeoutError:
            worker.kill()
            self._lost_cell(current, f"did not finish in time (limit {self.options.cell_timeout:g} s)")
            return
        except WorkerDied as exc:
            reason = str(exc)
            worker.kill()
            self._lost_cell(current, f"ended its process ({reason})")
            return
        if not self.noted:
            self.noted = True
            for note in msg.get("notes", []) if type(msg.get("notes")) is list else []:
                self.notes.append(_clip(note))
        defined = msg.get("defined")
        self.defined = {n for n in defined if n in self.names} if type(defined) is list else set()
        self.worker = worker

    def _lost_cell(self, index, what):
        if type(index) is int and index not in self.skip:
            self.notes.append(f"code cell {index} {what}; it was skipped so the rest could be graded")
            self.skip.add(index)
        elif index is None:  # no cell had started: the grader's side failed
            self.broken = f"the sandbox could not start your notebook ({what})"
            self.infrastructure = True
        else:
            self.broken = f"your notebook could not be run ({what})"

    def call(self, exercise, args, time_limit):
        """Call the learner's function on ``args``; return (Outcome, encoded args after the
        call or None). A returned value is decoded but not yet read against the reference."""
        message = {"op": "call", "name": exercise.function_name, "fp_strict": bool(exercise.fp_strict),
                   "time_limit": time_limit, "args": wire.encode(list(args), fn_hook=_spec_of)}
        worker = self.worker
        try:
            reply = worker.request(message, timeout=max(0.1, min(time_limit + 2.0, self.left() + 1.0)))
        except TimeoutError:
            self.lose_worker()
            return calling.Outcome("timeout", error=f"stopped after {time_limit:g} s"), None
        except WorkerDied as exc:
            self.lose_worker()
            return calling.Outcome("exception", error=f"a fatal error: {_clip(exc)}"), None
        kind = reply.get("kind")
        if kind in ("not_implemented", "exception", "timeout", "fp_error"):
            return calling.Outcome(kind, error=_clip(reply.get("error", ""))), reply.get("args_after")
        if kind != "returned":
            return calling.Outcome("exception", error="an unreadable reply from its process"), None
        try:
            raw = wire.decode(reply.get("value"))
        except (wire.WireError, RecursionError):
            return calling.Outcome("exception", error="a value that could not be read back"), None
        return calling.Outcome("returned", raw), reply.get("args_after")

    def lose_worker(self):
        """Kill the current worker, if any, so ``ensure()`` starts a fresh one; returns None."""
        if self.worker is not None:
            self.worker.kill()
            self.worker = None

    def close(self):
        """End this session's worker, if any; returns None."""
        self.lose_worker()


def _changed(exercise, pristine, after_data):
    if after_data is None:
        return None
    try:
        after = wire.decode(after_data)
    except (wire.WireError, RecursionError):
        return None
    if type(after) is not list or len(after) != len(pristine):
        return None
    return engine.changed_argument(exercise, pristine, after)


def grade_exercise(session, exercise, options):
    """Judge one exercise; returns (CheckResult, seconds)."""
    if not session.ensure():
        return _fail(exercise, D.NOT_IMPLEMENTED, f"Could not grade: {session.broken}."), 0.0
    if exercise.function_name not in session.defined:
        return _fail(exercise, D.NOT_IMPLEMENTED, (
            f"No function named `{exercise.function_name}` was defined when your notebook ran "
            f"(is it missing, renamed, or in a cell that failed?).")), 0.0
    start = time.monotonic()
    rng = np.random.default_rng(secrets.randbits(128))
    n = exercise.draws if options.draws is None else max(1, int(options.draws))
    limit = exercise.time_limit if options.call_timeout is None else min(exercise.time_limit, options.call_timeout)
    verdicts, inputs_text = [], ""
    for _ in range(n):
        if not session.ensure():
            break
        args = tuple(exercise.draw(rng))
        pristine = calling.snapshot(args)
        ref = exercise.reference(*calling.snapshot(args))
        outcome, after = session.call(exercise, args, limit)
        changed = None
        if outcome.kind == "returned":
            changed = _changed(exercise, pristine, after)
            outcome = engine.read_value(outcome.value, ref)
        verdict = engine.judge_draw(exercise, pristine, ref, outcome, changed)
        verdicts.append(verdict)
        if not verdict.passed and not inputs_text:
            inputs_text = engine.describe_args(exercise, pristine)
        if verdict.final:
            break
    if not verdicts:
        return _fail(exercise, D.NOT_IMPLEMENTED, f"Could not grade: {session.broken}."), \
            time.monotonic() - start
    return engine.conclude(exercise, verdicts, inputs_text), time.monotonic() - start


def choose_notebooks(submission, prepared, exercises):
    """Map each exercise id to the notebook path that answers it (or None)."""
    paths = submission.notebooks
    if len(paths) == 1:
        return {ex.id: paths[0] for ex in exercises}
    by_number = {}
    for path in paths:
        for number in prepare.notebook_numbers(path, prepared[path], exercises):
            by_number.setdefault(number, path)
    return {ex.id: by_number.get(ex.notebook) for ex in exercises}


def grade_submission(submission, exercises, runtime, options):
    """Grade every exercise of ``exercises`` for this submission; returns ``Graded``."""
    began = time.monotonic()
    deadline = began + options.timeout
    graded = Graded(submission.student)
    prepared = {path: prepare.prepare(path) for path in submission.notebooks}
    for prep in prepared.values():
        graded.notes.extend(prep.notes)
    chosen = choose_notebooks(submission, prepared, exercises)
    results = {}
    for path in dict.fromkeys(p for p in chosen.values() if p is not None):
        prep = prepared[path]
        group = [ex for ex in exercises if chosen[ex.id] == path]
        if prep.error:
            for ex in group:
                results[ex.id] = (_fail(ex, D.NOT_IMPLEMENTED, f"Could not grade: {prep.error}."), 0.0)
            continue
        session = Session(runtime, prep, sorted({ex.function_name for ex in group}), options, deadline, graded.notes)
        try:
            for ex in group:
                results[ex.id] = grade_exercise(session, ex, options)
        finally:
            session.close()
            graded.facts = graded.facts or session.facts
            graded.complete = graded.complete and not session.infrastructure
    for ex in exercises:
        result, seconds = results.get(ex.id) or (_fail(
            ex, False, D.NOT_IMPLEMENTED, f"No notebook for part {ex.notebook} was found in your submission."), 0.0)
        graded.rows.append(Row(submission.student, ex.id, bool(result.passed),
                               "" if result.passed else str(result.diagnosis),
                               float(ex.points if result.passed else 0.0), float(ex.points),
                               round(seconds, 3), result.message))
    graded.seconds = time.monotonic() - began
    return graded


def internal_error(submission, exercises, exc):
    """The rows for a submission the grader itself failed on (a bug, not the learner's)."""
    message = f"The grader failed on your submission ({type(exc).__name__}); your instructor will regrade it."
    rows = [Row(submission.student, ex.id, False, D.EXCEPTION, 0.0, float(ex.points), 0.0, message)
            for ex in exercises]
    return Graded(submission.student, rows=rows, complete=False)
