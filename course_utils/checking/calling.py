"""Call a learner's function in this process (a notebook's kernel): ``portable.safecall``
with the rule for which traceback frames are the learner's own.

A frame is the learner's when its file lies outside this package and outside Python's
and the installed packages' folders (a notebook cell, a learner's own module).
"""

from __future__ import annotations

import os
import sysconfig
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from ..portable import safecall
from ..portable.safecall import Outcome

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY_DIRS = tuple(
    {os.path.abspath(p) for key in ("stdlib", "platstdlib", "purelib", "platlib")
     if (p := sysconfig.get_paths().get(key))}
)


def is_learner_frame(frame: traceback.FrameSummary) -> bool:
    """True when the frame's file is neither ours nor a library's."""
    path = os.path.abspath(frame.filename or "")
    return not (path.startswith(_PACKAGE_DIR) or path.startswith(_LIBRARY_DIRS))


def call(fn: Callable[..., Any], args: Sequence[Any], time_limit: float | None,
         withheld: Sequence[Callable[..., Any]] = ()) -> Outcome:
    """Call ``fn(*args)`` under ``time_limit`` seconds, the course functions ``withheld``
    raising meanwhile (``safecall.withholding``); an ``Outcome`` of plain data, never raises."""
    return safecall.call(fn, args, time_limit, is_learner_frame, withheld)


def describe(exc: BaseException) -> str:
    """One line naming the exception and the learner's failing line, if any."""
    return safecall.describe_exception(exc, is_learner_frame)
