"""Call a learner's function safely: a time limit, the learner's own failing line, plain results.

``call(fn, args, time_limit, is_learner_frame)`` never raises, whatever ``fn`` does: it
returns an ``Outcome`` whose value (and the arguments as they are after the call) are
plain copies made by ``plain.to_plain``, so nothing the learner's code returned can run
code later. Used by the in-process check (``course_utils.checking.calling``) and by the
grading sandbox's worker, so a call is judged the same way in both.

The time limit uses ``SIGALRM`` (``setitimer``) when called from the main thread of a
Unix process (a Jupyter kernel, the grader's worker); elsewhere there is no limit. It is
re-armed every 50 ms after it first fires, so code that swallows the first interrupt
with a bare ``except`` still stops. What an in-process limit cannot stop: a loop inside
C code, code that swallows every interrupt, or code that cancels the timer. In a
notebook the learner interrupts the kernel; the grader kills the whole process.

Standard library and NumPy only: this module is copied into the grading sandbox.
"""

from __future__ import annotations

import contextlib
import importlib
import signal
import threading
import traceback
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

try:  # inside the course package
    from .plain import Plain, to_plain
except ImportError:  # copied into the grading sandbox next to plain.py
    from plain import Plain, to_plain  # type: ignore[no-redef]

__all__ = ["OutcomeKind", "Outcome", "StudentTimeout", "Alarm", "describe_exception", "call",
           "REARM_SECONDS", "course_function", "WITHHELD", "withholding",
           "course_functions"]

WITHHELD = "course-utils: this course function is withheld while its exercise is checked"


def _withheld(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("course-utils: this course function is withheld while its exercise is checked")

OutcomeKind = Literal["returned", "not_implemented", "exception", "timeout"]
REARM_SECONDS = 0.05


class StudentTimeout(BaseException):
    """Raised inside the learner's code when its time is up (a BaseException, so a plain
    ``except Exception`` in the learner's code does not swallow it)."""


@dataclass
class Outcome:
    """What happened when the learner's function was called.

    kind        "returned", "not_implemented", "exception" or "timeout".
    value       a plain copy of what it returned (kind "returned"), else None.
    error       one line naming the exception and the learner's own failing line.
    args_after  a plain copy (``to_plain(..., exact=True)``) of the arguments as they were
                after the call, to see whether the learner changed or replaced one.
    warnings    the distinct warning messages raised during the call (e.g. NumPy's
                "overflow encountered in exp"), at most five.
    """

    kind: OutcomeKind
    value: Plain = None
    error: str = ""
    args_after: Plain = None
    warnings: list[str] = field(default_factory=list)


FrameTest = Callable[[traceback.FrameSummary], bool]


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def describe_exception(exc: BaseException, is_learner_frame: FrameTest) -> str:
    """One line: the exception's type and message, then "(in f, line n: `code`)" for the
    last traceback frame that ``is_learner_frame`` accepts, if any. Never raises, even
    when the exception's ``__str__`` does."""
    try:
        text = f"{type(exc).__name__}: {exc}"
    except BaseException:  # noqa: B036 - a hostile __str__
        text = type(exc).__name__
    text = _clip(" ".join(text.split()))
    frame = _last_learner_frame(exc, is_learner_frame)
    if frame is not None:
        where = f"in {frame.name}, line {frame.lineno}"
        if frame.line:
            where += f": `{_clip(frame.line.strip(), 120)}`"
        return f"{text} ({where})"
    return text


def _frames(exc: BaseException) -> list[traceback.FrameSummary]:
    try:
        return list(traceback.extract_tb(exc.__traceback__))
    except BaseException:  # noqa: B036 - e.g. a hostile frame
        return []


def _last_learner_frame(exc: BaseException, is_learner_frame: FrameTest) -> traceback.FrameSummary | None:
    chosen = None
    for frame in _frames(exc):
        try:
            if is_learner_frame(frame):
                chosen = frame
        except Exception:  # noqa: BLE001 - a frame test must not break the report
            continue
    return chosen


class Alarm:
    """Context manager: raise ``StudentTimeout`` in this thread after ``seconds``, and every
    ``REARM_SECONDS`` after that until the block is left. A no-op outside the main thread
    or where ``setitimer`` is missing (``active`` says which). ``disarm()`` (idempotent)
    stops the timer and restores the previous handler; leaving the block calls it."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.active = bool(
            seconds and seconds > 0 and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread())
        self.armed = False
        self.previous: Any = None

    def _fire(self, signum: int, frame: object) -> None:
        if not self.armed:  # a late signal while disarming: never raise outside the block
            return
        signal.setitimer(signal.ITIMER_REAL, REARM_SECONDS)
        raise StudentTimeout()

    def __enter__(self) -> Alarm:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            self.armed = True
            signal.setitimer(signal.ITIMER_REAL, float(self.seconds or 0))
        return self

    def disarm(self) -> None:
        """Stop the timer and put the previous SIGALRM handler back; returns None."""
        if self.armed:
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous if self.previous is not None else signal.SIG_DFL)

    def __exit__(self, *exc: object) -> Literal[False]:
        self.disarm()
        return False


def course_functions(names: object) -> list[Callable[..., Any]]:
    """The course's public functions named "module.name" in ``names`` (a list of str; a
    module of ``course_utils``: the real package, or the grading sandbox's stub with its
    copies); names that do not resolve are skipped. Returns a list of callables."""
    found: list[Callable[..., Any]] = []
    for name in names if isinstance(names, (list, tuple)) else []:
        if type(name) is not str:
            continue
        module_name, _, attr = name.rpartition(".")
        try:
            fn = getattr(importlib.import_module(f"course_utils.{module_name}"), attr)
        except Exception:  # noqa: BLE001 - not there (or a sabotaged stub): nothing withheld
            continue
        if callable(fn):
            found.append(fn)
    return found


@contextlib.contextmanager
def withholding(functions: Sequence[Callable[..., Any]]) -> Iterator[None]:
    """While the block runs, each plain function of ``functions`` raises
    ``NotImplementedError(WITHHELD)`` instead of computing (its code object is swapped,
    so every name bound to it, ``from ... import`` included, is affected); restored after,
    whatever happens. Functions with a closure, and other callables, are left alone."""
    saved: list[tuple[types.FunctionType, types.CodeType]] = []
    try:
        for fn in functions:
            if type(fn) is types.FunctionType and not fn.__closure__:
                saved.append((fn, fn.__code__))
                fn.__code__ = _withheld.__code__
        yield
    finally:
        for fn, code in saved:
            fn.__code__ = code


def call(fn: Callable[..., Any], args: Sequence[Any], time_limit: float | None,
         is_learner_frame: FrameTest, withheld: Sequence[Callable[..., Any]] = ()) -> Outcome:
    """Call ``fn(*args)`` under a time limit and return an ``Outcome``; never raises.

    ``None`` or ``...`` returned, or a ``NotImplementedError`` raised by the learner's own
    code (its innermost frame is a learner frame), means "not implemented"; so does a call
    of one of the ``withheld`` functions (``withholding``), with ``error`` = WITHHELD; any other
    exception is "exception" with the learner's failing line. The returned value and
    ``args`` after the call are converted with ``plain.to_plain`` (no learner code runs
    while reading them)."""
    seen: list[str] = []
    alarm = Alarm(time_limit)
    try:
        with alarm:
            try:
                with warnings.catch_warnings(record=True) as caught, withholding(withheld):
                    warnings.simplefilter("always")
                    raw = fn(*args)
                seen = _distinct_messages(caught)
                outcome = _returned(raw)
            except StudentTimeout:
                raise
            except NotImplementedError as exc:
                if exc.args == (WITHHELD,):
                    outcome = Outcome("not_implemented", error=WITHHELD)
                elif _raised_by_learner(exc, is_learner_frame):
                    outcome = Outcome("not_implemented")
                else:
                    outcome = Outcome("exception", error=describe_exception(exc, is_learner_frame))
            except BaseException as exc:  # noqa: B036 - learner code may raise anything, even SystemExit
                outcome = Outcome("exception", error=describe_exception(exc, is_learner_frame))
    except StudentTimeout:
        outcome = Outcome("timeout", error=f"stopped after {time_limit:g} s")
    finally:
        alarm.disarm()  # again: a signal may have cut ``__exit__`` short
    outcome.warnings = seen
    outcome.args_after = to_plain(list(args), exact=True)
    return outcome


def _returned(raw: object) -> Outcome:
    if raw is None or raw is Ellipsis:
        return Outcome("not_implemented")
    return Outcome("returned", to_plain(raw))


def _raised_by_learner(exc: BaseException, is_learner_frame: FrameTest) -> bool:
    frames = _frames(exc)
    if not frames:
        return True
    try:
        return bool(is_learner_frame(frames[-1]))
    except Exception:  # noqa: BLE001
        return True


def _distinct_messages(caught: list[warnings.WarningMessage]) -> list[str]:
    out: list[str] = []
    for w in caught:
        try:
            text = _clip(f"{w.category.__name__}: {w.message}", 160)
        except BaseException:  # noqa: B036 - a hostile warning message
            continue
        if text not in out:
            out.append(text)
        if len(out) >= 5:
            break
    return out


def course_function(fn: Any) -> str | None:
    """"course_utils.functions.sigmoid" when ``fn`` is a plain function defined in the
    course's own package (handed in instead of the learner's own), else None. The check
    and the grader's sandbox both ask this, so both refuse the same answers."""
    if type(fn) is not types.FunctionType:
        return None
    module = fn.__dict__.get("__module__") or getattr(fn, "__module__", "")
    if isinstance(module, str) and (module == "course_utils" or module.startswith("course_utils.")):
        return f"{module}.{getattr(fn, '__name__', '?')}"
    return None
