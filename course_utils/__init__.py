"""Gradients for Neural Nets: checkers, hints, gradient checking and course tools.

The stable programmatic API (docs/design.md)::

    import course_utils
    course_utils.exercise_ids()             # ordered list of "NN.name"
    r = course_utils.run_check("03.grad_w", fn)
    r.passed, r.diagnosis, r.message

In a notebook: ``check(id, fn)``, ``hint(id, level)``, ``solution(id)``, ``progress()``,
``validate()`` (the saved notebook, checked as the grader will), and
``gradcheck(f, inputs, analytic)``; ``join(url, name)`` / ``leave()`` for a live workshop.

Module map (the folders are the layers; each imports only from the layers above it):

- ``portable/``   standard library + NumPy only, also copied into the grading sandbox:
  ``functions`` (sigmoid, forward pass, losses), ``gradcheck``, ``testfunctions``, ``wire``.
- ``checking/``   the check engine: ``exercise`` (the records an exercise is made of),
  ``draws`` (random inputs), ``compare`` (reading a returned value), ``calling`` (calling
  learner code safely), ``engine`` (the verdict), ``diagnosis`` (codes), ``registry``,
  ``result``.
- ``exercises/``  data: one module per notebook, each a list of ``Exercise`` records.
- ``learner/``    what a notebook calls: ``commands`` (check, hint, solution, progress),
  ``display`` (how verdicts and hints look), ``progress`` (the progress file), ``runmode``
  (``full_run()``: the one switch between the test suite's short run and the full one),
  ``explorer``, ``palette``, ``netgraph``, ``autodiff``.
- ``files/``      ``atomic`` writes and notebooks read as plain JSON (``nbjson``).
- ``authoring/``  for course authors: ``release`` (solutions -> student notebooks), ``execute``,
  ``site`` (the course as an offline website).
- ``grading/``    for instructors: ``course-utils grade`` (see its package docstring).
- ``workshop/``   the live workshop server and the learner's reporter (``join``, ``leave``).
- ``workshop/``   workshop mode: the server, its storage and page, the learner's reporter
  (``join``/``leave``), and ``course-utils doctor`` (see its package docstring).
- top level: ``cli`` (the ``course-utils`` command) and the public module paths notebooks
  import (``course_utils.functions``, ``.gradcheck``, ``.explorer``, ``.netgraph``, ``.autodiff``).
"""

# The submodule ``course_utils.gradcheck`` is imported first so that the name
# ``course_utils.gradcheck`` ends up bound to the function (as notebooks expect), not
# rebound to the module when a notebook later imports ``course_utils.gradcheck``.
from . import gradcheck as _gradcheck_module  # noqa: F401
from .checking.diagnosis import CODES as DIAGNOSIS_CODES
from .checking.engine import run_check
from .checking.registry import exercise_ids
from .checking.result import CheckResult
from .learner.commands import CheckFailed, check, hint, progress, solution
from .learner.runmode import full_run
from .learner.validate import validate
from .portable.gradcheck import gradcheck, numerical_gradient, rel_error
from .workshop.reporter import join, leave

__all__ = [
    "exercise_ids", "run_check", "CheckResult", "DIAGNOSIS_CODES",
    "check", "hint", "solution", "progress", "CheckFailed", "validate",
    "gradcheck", "numerical_gradient", "rel_error", "full_run", "join", "leave",
]
