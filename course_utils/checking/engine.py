"""The check engine: one procedure that judges every exercise from its ``Exercise`` data.

``run_check`` draws fresh random inputs, calls the learner's function on them, and
judges the result with ``judge_draw``. The grader calls ``judge_draw`` too, on values
a sandboxed submission sent back, so there is a single definition of right and wrong.

Order of judgement for one draw: the call itself (not implemented, exception, timeout,
numerical overflow), then inputs changed in place, then type and shape, then NaN, then
values: right, or a named mistake (transpose, sign, a registered variant, ...), or
``wrong_value``. A named mistake is given only when the answer matches it on every
draw where the answer is wrong.
"""

from dataclasses import dataclass, field

import numpy as np

from . import calling, compare, registry
from . import diagnosis as D
from .result import CheckResult


@dataclass
class Verdict:
    """The judgement of one draw.

    passed      True when the answer is right on this draw.
    final       a diagnosis that ends the check at once (type, shape, exception, ...).
    candidates  for a wrong value: keys of the mistakes it matches, in priority order.
    message     the sentence for ``final``; ``error`` the relative error for values.
    """

    passed: bool = False
    final: object = None
    message: str = ""
    candidates: list = field(default_factory=list)
    error: float = float("nan")


def describe_args(exercise, args):
    """Describe the drawn arguments, e.g. "x (4,), y number, w (4,)"."""
    names = list(exercise.arg_names) + [f"arg{i}" for i in range(len(exercise.arg_names), len(args))]
    parts = []
    for name, arg in zip(names, args):
        if isinstance(arg, np.ndarray):
            parts.append(f"{name} {arg.shape}")
        elif isinstance(arg, (list, tuple)):
            parts.append(f"{name} ({type(arg).__name__} of {len(arg)})")
        elif callable(arg):
            parts.append(f"{name} (function)")
        else:
            parts.append(f"{name} number")
    return ", ".join(parts)


def read_value(raw, ref):
    """Read a returned value against the reference: ``Outcome("returned", (clean, repairs))``
    or ``Outcome("mismatch", value=Mismatch)``. Never raises."""
    try:
        return calling.Outcome("returned", compare.conform(raw, ref))
    except compare.Mismatch as m:
        return calling.Outcome("mismatch", value=m)
    except BaseException as exc:  # a hostile object that raises when read
        return calling.Outcome("mismatch", value=compare.Mismatch(
            D.WRONG_TYPE, f"your answer could not be read as numbers ({calling.describe_exception(exc)})."))


def _mistake_output(mistake, args, ref):
    try:
        out = mistake.variant(*calling.snapshot(args))
        clean, _ = compare.conform(out, ref)
        return clean
    except Exception:
        return None


def judge_draw(exercise, args, ref, outcome, changed=None):
    """Judge one call of the learner's function and return a ``Verdict``.

    args     the pristine inputs of this draw (never given to the learner).
    ref      the reference answer on them (a number, array, or tuple/list of those).
    outcome  a ``calling.Outcome``; for kind "returned" its value is ``(clean, repairs)``
             as made by ``read_value`` / ``compare.conform``.
    changed  the name of an input the learner changed in place, or None.
    """
    kind = outcome.kind
    if kind == "not_implemented":
        return Verdict(final=D.NOT_IMPLEMENTED, message=D.DEFAULT_MESSAGES[D.NOT_IMPLEMENTED])
    if kind == "timeout":
        return Verdict(final=D.TIMEOUT, message=f"Your function did not finish: {outcome.error} (is there an endless loop?).")
    if kind == "exception":
        return Verdict(final=D.EXCEPTION, message=f"Your function raised {outcome.error}.")
    if kind == "fp_error":
        return Verdict(final=D.NAN, message=(
            f"NumPy hit a floating-point overflow or invalid operation ({outcome.error}). "
            "Large |u| must not overflow: rewrite the formula so exp only sees non-positive numbers "
            "(note that np.where evaluates both branches)."))
    if changed:
        return Verdict(final=D.MUTATES_INPUT, message=f"Your function changed its input {changed} in place; compute on a copy instead.")
    if kind == "mismatch":
        m = outcome.value
        return Verdict(final=m.code, message=m.message[:1].upper() + m.message[1:])
    clean, repairs = outcome.value
    error = compare.rel_error(clean, ref)
    if error <= exercise.rtol:
        if repairs:
            code = next(iter(repairs))
            # an exercise may word a repaired mistake itself (a Mistake with the same code)
            text = next((m.message for m in exercise.mistakes if m.diagnosis == code and m.message),
                        D.DEFAULT_MESSAGES[code])
            return Verdict(candidates=[code], error=error, message=f"{text} ({repairs[code]}.)")
        return Verdict(passed=True, error=error)
    if repairs:
        detail = "; ".join(repairs.values())
        return Verdict(final=D.SHAPE, message=f"Wrong shape: {detail}.")
    candidates = []
    if compare.rel_error(clean, compare.negate(ref)) <= exercise.rtol:
        candidates.append(D.SIGN)
    for index, mistake in enumerate(exercise.mistakes):
        variant = _mistake_output(mistake, args, ref)
        if variant is not None and compare.rel_error(clean, variant) <= exercise.rtol:
            candidates.append(index)
    return Verdict(candidates=candidates, error=error)


def _candidate_message(exercise, key):
    if isinstance(key, int):
        mistake = exercise.mistakes[key]
        return mistake.diagnosis, mistake.message or D.DEFAULT_MESSAGES[mistake.diagnosis]
    return key, D.DEFAULT_MESSAGES[key]


def conclude(exercise, verdicts, inputs_text=""):
    """Combine per-draw ``Verdict``s (in order) into a ``CheckResult``."""
    hint = f" Stuck? hint({exercise.id!r})."
    where = f" (inputs: {inputs_text})" if inputs_text else ""
    failing = []
    for v in verdicts:
        if v.final:
            tail = hint if v.final in (D.SHAPE, D.NAN) else ""
            return _result(exercise, False, v.final, f"{v.message}{where if v.final in (D.SHAPE, D.EXCEPTION, D.NAN) else ''}{tail}")
        if not v.passed:
            failing.append(v)
    if not failing:
        n = len(verdicts)
        return _result(exercise, True, None, f"correct on {n} random input{'s' if n != 1 else ''} of different shapes.")
    common = [c for c in failing[0].candidates if all(c in v.candidates for v in failing[1:])]
    if common:
        code, text = _candidate_message(exercise, common[0])
        first = failing[0]
        if first.message and code in (D.TRANSPOSE, D.BIAS_NOT_SUMMED):
            text = first.message
        return _result(exercise, False, code, text + hint)
    worst = max(v.error for v in failing)
    right = len(verdicts) - len(failing)
    also = f" It was right on {right} of {len(verdicts)} draws." if right else ""
    return _result(exercise, False, D.WRONG_VALUE,
                   f"{D.DEFAULT_MESSAGES[D.WRONG_VALUE]} Largest relative error {worst:.2g}{where}.{also}{hint}")


def _result(exercise, passed, code, message):
    return CheckResult(passed=passed, diagnosis=code, message=message,
                       exercise_id=exercise.id, points=exercise.points)


def check_one_draw(exercise, fn, args, time_limit=None):
    """Call ``fn`` on one draw's inputs in this process and judge it. Returns a ``Verdict``."""
    pristine = calling.snapshot(args)
    ref = exercise.reference(*calling.snapshot(args))
    given = calling.snapshot(args)
    limit = exercise.time_limit if time_limit is None else time_limit
    outcome = calling.call(fn, given, time_limit=limit, fp_strict=exercise.fp_strict,
                           after=lambda raw: _read_or_raise(raw, ref))
    changed = None
    if outcome.kind in ("returned", "mismatch"):
        changed = changed_argument(exercise, pristine, given)
    return judge_draw(exercise, pristine, ref, outcome, changed)


def _read_or_raise(raw, ref):
    out = read_value(raw, ref)
    if out.kind == "mismatch":
        raise out.value
    return out.value


def changed_argument(exercise, before, after):
    """Name the first argument the learner changed in place (e.g. "w", "params[1][0]"),
    comparing the pristine arguments ``before`` with ``after`` the call; None if none."""
    names = list(exercise.arg_names) + [f"arg{i}" for i in range(len(exercise.arg_names), len(before))]
    for name, b, a in zip(names, before, after):
        found = calling.mutated(b, a)
        if found is not None:
            return name + found
    return None


def run_check(exercise_id, fn, *, seed=None, draws=None, time_limit=None):
    """Check the learner's ``fn`` for exercise ``exercise_id``; return a ``CheckResult``.

    Draws ``draws`` fresh random inputs (the exercise's default number when None) from a
    numpy Generator seeded with ``seed`` (fresh entropy when None), calls ``fn`` on each
    with a time limit, and judges type, shape, values and known mistakes.
    Never raises, whatever ``fn`` does or returns.
    """
    try:
        return _run_check(exercise_id, fn, seed, draws, time_limit)
    except BaseException as exc:  # the promise: never raise
        return CheckResult(False, D.EXCEPTION, f"The check could not run: {calling.describe_exception(exc)}.",
                           exercise_id=str(exercise_id))


def _run_check(exercise_id, fn, seed, draws, time_limit):
    try:
        exercise = registry.get(exercise_id)
    except KeyError:
        return CheckResult(False, D.EXCEPTION, registry.unknown_id_message(exercise_id), exercise_id=str(exercise_id))
    if fn is None or fn is Ellipsis:
        return _result(exercise, False, D.NOT_IMPLEMENTED, D.DEFAULT_MESSAGES[D.NOT_IMPLEMENTED])
    if not callable(fn):
        return _result(exercise, False, D.WRONG_TYPE,
                       f"check({exercise.id!r}, ...) needs your function itself, e.g. "
                       f"check({exercise.id!r}, {exercise.function_name}); you passed {compare.describe(fn)}.")
    rng = np.random.default_rng(seed)
    n = exercise.draws if draws is None else max(1, int(draws))
    verdicts = []
    inputs_text = ""
    for _ in range(n):
        args = tuple(exercise.draw(rng))
        verdict = check_one_draw(exercise, fn, args, time_limit)
        verdicts.append(verdict)
        if not verdict.passed and not inputs_text:
            inputs_text = describe_args(exercise, args)
        if verdict.final:
            break
    return conclude(exercise, verdicts, inputs_text)
