"""Gradients for Neural Nets: checkers, hints, gradient checking and course tools.

The stable programmatic API (DESIGN.md)::

    import course_utils
    course_utils.exercise_ids()             # ordered list of "NN.name"
    r = course_utils.run_check("03.grad_w", fn)
    r.passed, r.diagnosis, r.message

In a notebook: ``check(id, fn)``, ``hint(id, level)``, ``solution(id)``, ``progress()``,
and ``gradcheck(f, inputs, analytic)``.
"""

from .diagnosis import CODES as DIAGNOSIS_CODES
from .engine import run_check
from .gradcheck import gradcheck, numerical_gradient, rel_error
from .notebook import CheckFailed, check, hint, progress, solution
from .registry import exercise_ids
from .result import CheckResult

__all__ = [
    "exercise_ids", "run_check", "CheckResult", "DIAGNOSIS_CODES",
    "check", "hint", "solution", "progress", "CheckFailed",
    "gradcheck", "numerical_gradient", "rel_error",
]
