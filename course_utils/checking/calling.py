"""Call a learner's function safely: time limit, error capture, input-mutation check.

``call`` never raises: whatever the function does, it returns an ``Outcome``. The time
limit uses ``SIGALRM`` when called from the main thread of a Unix process (as in a
Jupyter kernel or the grader's worker); elsewhere the call runs without a limit.
"""

import copy
import os
import signal
import sysconfig
import threading
import traceback
from dataclasses import dataclass

import numpy as np

from .compare import Mismatch

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(
    {os.path.abspath(p) for key in ("stdlib", "platstdlib", "purelib", "platlib")
     if (p := sysconfig.get_paths().get(key))}
)


STRICT_FP = {"over": "raise", "invalid": "raise", "divide": "raise"}
FP_TAMPERED = ("your function switched off NumPy's floating-point errors (np.seterr) instead of "
               "avoiding the overflow")


def fp_still_strict():
    """True while NumPy still raises on overflow, invalid and divide (as STRICT_FP set it)."""
    state = np.geterr()
    return all(state[k] == v for k, v in STRICT_FP.items())


class StudentTimeout(BaseException):
    """Raised inside the learner's code when its time is up (BaseException, so a plain
    ``except Exception`` in the learner's code does not swallow it)."""


@dataclass
class Outcome:
    """What happened when the learner's function was called.

    kind   "returned", "not_implemented", "exception", "timeout" or "fp_error".
    value  the return value (kind "returned").
    error  one line naming the exception and the learner's own failing line.
    """

    kind: str
    value: object = None
    error: str = ""


def _student_frame(tb):
    """The last traceback frame that belongs to the learner, not to a library."""
    frames = traceback.extract_tb(tb)
    chosen = None
    for frame in frames:
        path = os.path.abspath(frame.filename or "")
        if path.startswith(_PACKAGE_DIR) or path.startswith(_LIBRARY_DIRS):
            continue
        chosen = frame
    return chosen


def describe_exception(exc):
    """One line: exception type and message, plus the learner's failing line if known."""
    try:
        text = f"{type(exc).__name__}: {exc}"
    except BaseException:  # a hostile __str__
        text = type(exc).__name__
    if len(text) > 300:
        text = text[:300] + "..."
    try:
        frame = _student_frame(exc.__traceback__)
    except BaseException:
        frame = None
    if frame is not None:
        where = f"in {frame.name}, line {frame.lineno}"
        if frame.line:
            where += f": `{frame.line.strip()}`"
        return f"{text} ({where})"
    return text


class _Alarm:
    """Context manager: raise StudentTimeout in this thread after ``seconds``."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.active = (
            seconds and seconds > 0 and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
        )

    def _fire(self, signum, frame):
        # Re-arm quickly so that code which swallows the first one still stops.
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        raise StudentTimeout()

    def __enter__(self):
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


def call(fn, args, time_limit=5.0, fp_strict=False, after=None):
    """Call ``fn(*args)`` and return an ``Outcome``; never raises.

    ``after(value)``, if given, runs under the same time limit on the returned value
    (the engine uses it to read the value, which may itself be a hostile object).
    Its result replaces the value; a ``Mismatch`` it raises propagates as
    ``Outcome("mismatch", error=...)`` with ``value`` set to the exception.
    """
    try:
        with _Alarm(time_limit):
            try:
                with np.errstate(**(STRICT_FP if fp_strict else {})):
                    value = fn(*args)
                    if fp_strict and not fp_still_strict():
                        return Outcome("fp_error", error=FP_TAMPERED)
                if value is None or value is Ellipsis:
                    return Outcome("not_implemented")
                if after is not None:
                    value = after(value)
                return Outcome("returned", value)
            except StudentTimeout:
                raise
            except NotImplementedError:
                return Outcome("not_implemented")
            except Mismatch as exc:
                if after is None:
                    return Outcome("exception", error=describe_exception(exc))
                return Outcome("mismatch", value=exc)
            except FloatingPointError as exc:
                return Outcome("fp_error", error=describe_exception(exc))
            except BaseException as exc:  # noqa: B902 - learner code may raise anything
                return Outcome("exception", error=describe_exception(exc))
    except StudentTimeout:
        return Outcome("timeout", error=f"stopped after {time_limit:g} s")


def snapshot(args):
    """A deep copy of the arguments, to compare against after the call."""
    return copy.deepcopy(args)


def mutated(before, after):
    """Return where the argument was changed in place ("" for itself, "[1][0]" inside a
    list, plus a note when only rounding differs), or None when it is unchanged.

    Arrays are compared exactly (NaN equal to NaN); lists and tuples element by
    element; anything else (functions, numbers) is not checked.
    """
    return _diff(before, after, "")


def _diff(a, b, where):
    if isinstance(a, np.ndarray):
        if not isinstance(b, np.ndarray) or a.shape != b.shape:
            return where
        if not np.array_equal(a, b, equal_nan=True):
            close = np.allclose(a, b, rtol=1e-12, atol=1e-15, equal_nan=True)
            return where + (" (only by rounding: save the old value and restore it exactly)" if close else "")
        return None
    if isinstance(a, (list, tuple)):
        if type(a) is not type(b) or len(a) != len(b):
            return where
        for i, (x, y) in enumerate(zip(a, b)):
            found = _diff(x, y, f"{where}[{i}]")
            if found is not None:
                return found
    return None
