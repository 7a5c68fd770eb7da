"""The check engine: one procedure that judges every exercise from its ``Exercise`` record.

1. ``plan(exercise, rng)`` draws the inputs: one draw per case of the coverage plan, then
   ``extra_draws`` more from random cases, each with fresh random values. A draw is kept
   only when every single slip (and the answer negated, and square outputs transposed)
   differs from the right answer by at least ``exercise.min_gap``, so no known mistake can pass
   it by chance.
2. The learner's function is called on each draw (``calling``: time limit, the learner's
   own failing line, plain copies of what comes back) in this process; the grader calls
   it in a sandbox instead and hands back the same plain data.
3. ``judge_draw`` judges one call: not implemented, exception, timeout, an input changed
   in place, a wrong type or shape, NaN; else right, or the set of explanations
   (``explain``) of the wrong value. ``stop`` says that more draws cannot change the
   verdict.
4. ``conclude`` combines the draws: all right is a pass; otherwise a named mistake only
   when one simplest explanation holds on **every** draw, right draws included (so an
   answer that is right on some draws and negated on others is ``wrong_value``, not
   ``sign``); else ``shape`` when some answer needed a shape repair, else ``wrong_value``
   with the cases it got wrong.

``run_check`` does all four in a notebook; the grader uses ``plan``, ``judge_draw`` and
``conclude`` with ``grading_rng``, so a grade and a learner's own check can never
disagree about what is right.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..portable.plain import describe, first_difference, to_plain
from ..portable.safecall import WITHHELD, Outcome, course_function, course_functions
from . import calling, compare, explain, registry
from . import diagnosis as D
from .diagnosis import Diagnosis
from .draws import Redraw
from .exercise import Exercise
from .explain import Draw, Explanation
from .result import CheckResult

MAX_REDRAWS = 200
EXACT = 1e-12   # a slip this close to the right answer gives it exactly (up to rounding)


class DrawError(RuntimeError):
    """A case could not produce a well-posed draw (an authoring error, caught by the tests)."""


# ---------------------------------------------------------------- 1. the draws

def plan(exercise: Exercise, rng: np.random.Generator, extra: int | None = None) -> list[Draw]:
    """The draws of one check: each case of the coverage plan once, in order, then
    ``extra`` (default ``exercise.extra_draws``) draws from cases chosen at random."""
    chosen = list(exercise.cases)
    count = exercise.extra_draws if extra is None else max(0, int(extra))
    chosen += [exercise.cases[int(rng.integers(len(exercise.cases)))] for _ in range(count)]
    return [_well_posed_draw(exercise, case.name, case.draw, rng) for case in chosen]


def _well_posed_draw(exercise: Exercise, name: str, make: Callable[[np.random.Generator], tuple[Any, ...]],
                     rng: np.random.Generator) -> Draw:
    for _ in range(MAX_REDRAWS):
        try:
            args = tuple(make(rng))
        except Redraw:
            continue
        reference = exercise.reference(*copy.deepcopy(args))
        draw = Draw(name, args, _clean(reference))
        if well_posed(exercise, draw):
            return draw
    raise DrawError(f"{exercise.id}: case {name!r} gave no well-posed draw in {MAX_REDRAWS} tries")


def _clean(reference: Any) -> Any:
    clean, _ = compare.conform(to_plain(reference), to_plain(reference))
    return clean


def well_posed(exercise: Exercise, draw: Draw) -> bool:
    """True when, on this draw, the negated answer and each transposed square output differ
    from the right answer by at least ``exercise.min_gap``, and every single slip either
    does too or gives exactly the right answer (a slip that cannot show in this case,
    e.g. a hidden-layer slip in a network without hidden layers; other cases catch it)."""
    ref = draw.reference
    strict = [compare.negate(ref)] if _has_numbers(ref) else []
    strict += [compare.transpose_leaves(ref, (i,)) for i in compare.square_leaves(ref)]
    if not all(compare.gap(ref, r) >= exercise.min_gap for r in strict):
        return False
    for i in range(len(exercise.slips)):
        out = draw.output(exercise, (i,))
        if out is None:
            return False
        gap = compare.gap(ref, out)
        if EXACT < gap < exercise.min_gap:
            return False
    return True


def _has_numbers(structure: Any) -> bool:
    return any(not isinstance(x, str) for x in compare.leaves(structure))


def grading_rng(secret: bytes, exercise_id: str, version: str | None = None) -> np.random.Generator:
    """The generator the grader draws with: fixed by the instructor's secret, the course
    version and the exercise, so a re-grade gives identical verdicts and two students with
    the same answer get the same points."""
    from .version import course_version
    digest = hashlib.sha256(b"\0".join([secret, (version or course_version()).encode(), exercise_id.encode()]))
    return np.random.default_rng(int.from_bytes(digest.digest(), "big"))


# ---------------------------------------------------------------- 3. one draw

@dataclass
class DrawVerdict:
    """The judgement of one call.

    passed        True when the answer is right on this draw.
    stop_code     a diagnosis that ends the check at once (type, shape, exception, ...),
                  or None; ``stop`` says whether there is one.
    message       the sentence for ``stop_code``.
    clean         the answer conformed to the reference's structure (None if unreadable).
    repairs       shape repairs made while reading it (code -> sentence).
    found         the explanations of a wrong answer on this draw (computed lazily).
    error         the relative gap between the answer and the right one.
    warnings      warnings the learner's code raised.
    """

    passed: bool = False
    stop_code: Diagnosis | None = None
    message: str = ""
    clean: Any = None
    repairs: dict[Diagnosis, str] = field(default_factory=dict)
    found: set[Explanation] | None = None
    error: float = float("nan")
    warnings: list[str] = field(default_factory=list)

    @property
    def stop(self) -> bool:
        """True when judging more draws cannot change the verdict."""
        return self.stop_code is not None


def judge_draw(exercise: Exercise, draw: Draw, outcome: Outcome) -> DrawVerdict:
    """Judge one call of the learner's function (``outcome``: plain data, from this
    process or from the grader's sandbox) on ``draw``; returns a ``DrawVerdict``."""
    kind = outcome.kind
    if kind == "not_implemented":
        return DrawVerdict(stop_code=D.NOT_IMPLEMENTED, message=(
            withheld_message(exercise) if outcome.error == WITHHELD else D.DEFAULT_MESSAGES[D.NOT_IMPLEMENTED]))
    if kind == "timeout":
        return DrawVerdict(stop_code=D.TIMEOUT, message=(
            f"Your function did not finish: {outcome.error} (is there an endless loop?). If a check ever "
            "hangs for good, interrupt the kernel (the stop button): code that swallows the interrupt or "
            "loops inside NumPy cannot be stopped from inside."))
    if kind == "exception":
        return DrawVerdict(stop_code=D.EXCEPTION, message=f"Your function raised {outcome.error}.")
    if exercise.kind == "function":
        changed = first_difference(draw.pristine(), outcome.args_after)
        if changed is not None:
            where, _, note = changed.partition(" (")
            note = f" ({note}" if note else ""
            return DrawVerdict(stop_code=D.MUTATES_INPUT, message=(
                f"Your function changed its input {_arg_name(exercise, where)} in place{note}; "
                "compute on a copy instead."))
    try:
        roles = exercise.roles(draw.reference) if exercise.roles else None
        batch = exercise.batch_size(*draw.args) if exercise.batch_size else None
        clean, repairs = compare.conform(outcome.value, draw.reference, roles, batch)
    except compare.Mismatch as m:
        return DrawVerdict(stop_code=m.code, message=m.message[:1].upper() + m.message[1:])
    if exercise.options and isinstance(clean, str) and clean not in exercise.options:
        return DrawVerdict(stop_code=D.WRONG_VALUE, message=(
            f"{clean!r} is not one of the options: {', '.join(repr(o) for o in exercise.options)}."))
    error = compare.gap(clean, draw.reference)
    verdict = DrawVerdict(clean=clean, repairs=repairs, error=error, warnings=list(outcome.warnings))
    verdict.passed = error <= exercise.rtol and not repairs
    return verdict


def _arg_name(exercise: Exercise, where: str) -> str:
    """"[1][0]" -> "params[0]" using the signature's argument names."""
    if not where.startswith("["):
        return "(the arguments)"
    index_text, _, rest = where[1:].partition("]")
    names = exercise.arg_names
    try:
        index = int(index_text)
    except ValueError:
        return where
    name = names[index] if index < len(names) else f"argument {index + 1}"
    return name + rest


# ---------------------------------------------------------------- 4. the verdict

def conclude(exercise: Exercise, draws: Sequence[Draw], verdicts: Sequence[DrawVerdict]) -> CheckResult:
    """Combine the verdicts of the draws judged (in order; the list may stop early at a
    verdict with ``stop``) into a ``CheckResult``."""
    hint = f" Stuck? hint({exercise.id!r})."
    for draw, v in zip(draws, verdicts, strict=False):
        if v.stop_code is not None:
            where = f" (on the case {draw.case!r}: {describe_args(exercise, draw.args)})" \
                if v.stop_code in (D.SHAPE, D.EXCEPTION, D.NAN) and exercise.kind == "function" else ""
            tail = hint if v.stop_code in (D.SHAPE, D.NAN, D.WRONG_TYPE) else ""
            return _result(exercise, False, v.stop_code, f"{v.message}{where}{tail}")
    if all(v.passed for v in verdicts) and exercise.kind == "value":
        return _result(exercise, True, None, "right.")
    if all(v.passed for v in verdicts):
        n = len(verdicts)
        cases = "; ".join(dict.fromkeys(d.case for d in draws[:n]))
        note = ""
        if exercise.on_warning and any(v.warnings for v in verdicts):
            first = next(w for v in verdicts for w in v.warnings)
            note = f" Note: {first}. {exercise.on_warning}"
        return _result(exercise, True, None, f"correct on {n} random draws covering: {cases}.{note}")
    alive = _common_explanations(exercise, draws, verdicts)
    best = explain.simplest(sorted(alive, key=sorted))
    repaired = next((v.repairs for v in verdicts if v.repairs), {})
    if len(best) == 1:
        code = explain.code_of(exercise, best[0])
        text = explain.message_of(exercise, best[0], {str(k): v for k, v in repaired.items()})
        result = _result(exercise, False, code, text + hint)
        result.explanation = tuple(sorted(best[0]))
        return result
    if best:
        codes = {explain.code_of(exercise, e) for e in best}
        if len(codes) == 1:
            texts = " Or: ".join(explain.message_of(exercise, e) for e in best)
            return _result(exercise, False, codes.pop(), f"Your answer matches more than one known slip. {texts}{hint}")
    if repaired:
        detail = "; ".join(repaired.values())
        return _result(exercise, False, D.SHAPE, f"Wrong shape: {detail}.{hint}")
    return _result(exercise, False, D.WRONG_VALUE, _wrong_value_message(exercise, draws, verdicts) + hint)


def _common_explanations(exercise: Exercise, draws: Sequence[Draw],
                         verdicts: Sequence[DrawVerdict]) -> set[Explanation]:
    """The explanations that hold on every draw (wrong draws first, then right ones)."""
    order = sorted(range(len(verdicts)), key=lambda i: verdicts[i].passed)
    alive: set[Explanation] | None = None
    for i in order:
        v, draw = verdicts[i], draws[i]
        found = explain.explanations(exercise, draw, v.clean, v.repairs, candidates=alive)
        if v.passed:
            found.discard(explain.RIGHT)
        alive = found if alive is None else alive & found
        if not alive:
            return set()
    return alive or set()


def _wrong_value_message(exercise: Exercise, draws: Sequence[Draw], verdicts: Sequence[DrawVerdict]) -> str:
    failing = [(d, v) for d, v in zip(draws, verdicts, strict=False) if not v.passed]
    if exercise.kind == "value":
        if isinstance(draws[0].reference, str):
            return "That is not the right choice."
        close = " Close: give more significant digits." if failing[0][1].error < 1e-2 else ""
        return f"That is not the right answer.{close}"
    worst = max(v.error for _, v in failing)
    text = f"{D.DEFAULT_MESSAGES[D.WRONG_VALUE]} Largest relative error {worst:.2g}"
    wrong_cases = list(dict.fromkeys(d.case for d, _ in failing))
    right_cases = [c for c in dict.fromkeys(d.case for d, v in zip(draws, verdicts, strict=False) if v.passed)
                   if c not in wrong_cases]
    text += f", on the case{'s' if len(wrong_cases) > 1 else ''} {'; '.join(repr(c) for c in wrong_cases)}"
    d0, v0 = failing[0]
    text += f" (e.g. {describe_args(exercise, d0.args)})."
    if right_cases:
        text += f" It was right on {'; '.join(repr(c) for c in right_cases)}: what differs between those cases?"
    if exercise.outputs and len(exercise.outputs) == len(list(compare.leaves(d0.reference))):
        gaps = compare.leaf_gaps(v0.clean, d0.reference)
        right = [n for n, g in zip(exercise.outputs, gaps, strict=True) if g <= exercise.rtol]
        wrong = [n for n, g in zip(exercise.outputs, gaps, strict=True) if g > exercise.rtol]
        if right and wrong:
            text += f" Part by part: {', '.join(right)} right; {', '.join(wrong)} wrong."
    return text


def _result(exercise: Exercise, passed: bool, code: Diagnosis | None, message: str) -> CheckResult:
    return CheckResult(passed=passed, diagnosis=code, message=message, exercise_id=exercise.id,
                       points=exercise.points)


def describe_args(exercise: Exercise, args: Sequence[Any]) -> str:
    """The drawn arguments in words, e.g. "x (4,), y number, w (4,)"."""
    names = list(exercise.arg_names) + [f"arg{i}" for i in range(len(exercise.arg_names), len(args))]
    parts = []
    for name, arg in zip(names, args, strict=False):
        if isinstance(arg, np.ndarray):
            parts.append(f"{name} {arg.shape}")
        elif isinstance(arg, (list, tuple)):
            parts.append(f"{name} ({type(arg).__name__} of {len(arg)})")
        elif callable(arg):
            parts.append(f"{name} (function)")
        else:
            parts.append(f"{name} number")
    return ", ".join(parts) if parts else "no arguments"


# ---------------------------------------------------------------- all of it, in a notebook

def run_check(exercise_id: object, fn: Any, *, seed: int | None = None, draws: int | None = None,
              time_limit: float | None = None) -> CheckResult:
    """Check the learner's ``fn`` (for a "value" exercise: the value itself) for exercise
    ``exercise_id``; return a ``CheckResult``.

    Runs the exercise's coverage plan plus ``draws`` extra random draws (the exercise's
    own number when None) from a numpy Generator seeded with ``seed`` (fresh entropy
    when None), each call under a time limit. Never raises, whatever ``fn`` does."""
    try:
        return _run_check(exercise_id, fn, seed, draws, time_limit)
    except BaseException as exc:  # noqa: B036 - the promise: never raise
        return CheckResult(False, D.EXCEPTION, f"The check could not run: {calling.describe(exc)}.",
                           exercise_id=str(exercise_id))


def _run_check(exercise_id: object, fn: Any, seed: int | None, draws: int | None,
               time_limit: float | None) -> CheckResult:
    try:
        exercise = registry.get(exercise_id)
    except KeyError:
        return CheckResult(False, D.EXCEPTION, registry.unknown_id_message(exercise_id), exercise_id=str(exercise_id))
    if exercise.kind == "value":
        return judge_value(exercise, fn)
    if fn is None or fn is Ellipsis:
        return _result(exercise, False, D.NOT_IMPLEMENTED, D.DEFAULT_MESSAGES[D.NOT_IMPLEMENTED])
    ours = course_function(fn)
    if ours:
        return _result(exercise, False, D.NOT_IMPLEMENTED, course_function_message(exercise, ours))
    if not callable(fn):
        return _result(exercise, False, D.WRONG_TYPE,
                       f"check({exercise.id!r}, ...) needs your function itself, e.g. "
                       f"check({exercise.id!r}, {exercise.function_name}); you passed "
                       f"{describe(to_plain(fn))}.")
    the_plan = plan(exercise, np.random.default_rng(seed), draws)
    limit = exercise.time_limit if time_limit is None else time_limit
    return judge_function(exercise, fn, the_plan, limit)


def course_function_message(exercise: Exercise, ours: str) -> str:
    """The refusal shown when the course's own function ``ours`` (a dotted name) is handed
    in for ``exercise``, by ``check`` and by the grader alike; returns the text."""
    return (f"That is the course's own `{ours}`, not yours: the exercise is to write {exercise.function_name} "
            "yourself (the course's version is there for the notebooks after this one).")


def withheld_message(exercise: Exercise) -> str:
    """What a learner is told when their function calls the course's own version of the
    answer (``exercise.withheld``), in check() and in the grader alike."""
    names = ", ".join(f"`course_utils.{name}`" for name in exercise.withheld)
    return (f"Your {exercise.function_name} calls the course's own {names}: the exercise is to write it "
            "yourself (the course's version is there for the notebooks after this one, and it does not "
            "run while this check calls your function).")


def judge_function(exercise: Exercise, fn: Callable[..., Any], the_plan: Sequence[Draw],
                   time_limit: float) -> CheckResult:
    """Call ``fn`` on every draw of ``the_plan`` in this process (stopping at a verdict
    with ``stop``) and conclude; returns a ``CheckResult``."""
    verdicts: list[DrawVerdict] = []
    withheld = course_functions(exercise.withheld)  # resolved once, not per draw
    for draw in the_plan:
        outcome = calling.call(fn, copy.deepcopy(draw.args), time_limit, withheld)
        verdict = judge_draw(exercise, draw, outcome)
        verdicts.append(verdict)
        if verdict.stop:
            break
    return conclude(exercise, the_plan, verdicts)


def judge_value(exercise: Exercise, value: Any) -> CheckResult:
    """Judge a derivation checkpoint's answer (a number, a shape tuple, a choice)."""
    if value is None or value is Ellipsis:
        return judge_value_outcome(exercise, Outcome("not_implemented"))
    return judge_value_outcome(exercise, Outcome("returned", to_plain(value)))


def judge_value_outcome(exercise: Exercise, outcome: Outcome) -> CheckResult:
    """Judge a checkpoint's answer already read as an ``Outcome`` (here or in the grader's
    sandbox); a ``None`` answer counts as not yet answered, as ``...`` does."""
    if outcome.kind == "returned" and outcome.value is None:
        outcome = Outcome("not_implemented")
    draw = plan(exercise, np.random.default_rng(0), 0)[0]
    return conclude(exercise, [draw], [judge_draw(exercise, draw, outcome)])
