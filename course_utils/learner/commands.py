"""What a learner calls in a notebook: ``check``, ``hint``, ``solution``, ``progress``.

In Jupyter these show an HTML box; elsewhere they print plain text. None of them lets
an internal traceback reach the learner. When the environment variable
``COURSE_UTILS_STRICT`` is "1" (the test suite sets it), a failed ``check`` raises
``CheckFailed`` so that a solution notebook with a wrong answer fails its test.
"""

import os

from ..checking import registry
from ..checking.engine import run_check
from ..workshop import reporter as _workshop
from . import display
from . import progress as _progress

STRICT_ENV = "COURSE_UTILS_STRICT"


class CheckFailed(AssertionError):
    """Raised by ``check`` in strict mode when an exercise does not pass."""


_show = display.show  # how a verdict, hint, solution and the progress view look: display.py


def check(exercise_id, fn):
    """Check ``fn`` for ``exercise_id``, show the verdict, record progress. Returns None.

    Raises ``CheckFailed`` only in strict mode (``COURSE_UTILS_STRICT=1``).
    """
    result = run_check(exercise_id, fn)
    if result.exercise_id in registry.exercise_ids():
        _progress.record(result)
    _workshop.report_check(result)  # workshop mode: verdict only, in the background
    _show(result.headline(), result._repr_html_())
    if not result.passed and os.environ.get(STRICT_ENV) == "1":
        raise CheckFailed(result.headline())


def hint_text(exercise_id, level=1):
    """Return the hint of this level (1 = a nudge; the last level gives the formula)."""
    try:
        ex = registry.get(exercise_id)
    except KeyError as err:
        return str(err.args[0])
    if not ex.hints:
        return f"No hints for {ex.id}; see solution({ex.id!r})."
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 1
    level = min(max(level, 1), len(ex.hints))
    text = f"Hint {level}/{len(ex.hints)} for {ex.id}: {ex.hints[level - 1]}"
    if level < len(ex.hints):
        text += f"\nMore: hint({ex.id!r}, {level + 1})."
    else:
        text += f"\nStill stuck? solution({ex.id!r}) shows a worked answer."
    return text


def hint(exercise_id, level=1):
    """Show a hint for the exercise (level 1 nudges; higher levels say more). Returns None."""
    text = hint_text(exercise_id, level)
    _workshop.report_hint(exercise_id, level)  # workshop mode: which level, never the text
    _show(text, display.hint_html(text))


def solution_text(exercise_id):
    """Return a worked solution for the exercise as Python source text."""
    try:
        ex = registry.get(exercise_id)
    except KeyError as err:
        return str(err.args[0])
    return ex.solution_text()


def solution(exercise_id):
    """Show a worked solution for the exercise. Returns None."""
    text = solution_text(exercise_id)
    _workshop.report_solution(exercise_id)  # workshop mode: that it was shown, never the code
    _show(text, display.solution_html(text))


def progress():
    """Show which exercises have passed, notebook by notebook. Returns None."""
    text = _progress.summary_text()
    _show(text, display.progress_html(text))
