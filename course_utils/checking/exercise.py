"""The data that defines an exercise: what to call, on what, and what is right or wrong.

A checker is data, not code: the shared engine (``engine.py``) runs every exercise the
same way from an ``Exercise`` record.
"""

import inspect
import re
import textwrap
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer.

    ``variant`` has the reference's signature and returns what a learner who made this
    mistake would return; ``diagnosis`` is its code (see ``diagnosis.py``); ``message``
    explains it (the code's default sentence when empty).
    """

    diagnosis: str
    variant: object
    message: str = ""


@dataclass(frozen=True)
class Exercise:
    """One exercise of the course.

    id          "NN.name", NN the notebook number.
    signature   how the learner's function is called, e.g. "grad_w(x, y, w)"; the
                engine calls it positionally with the arguments ``draw`` returns.
    returns     what it returns, with shapes, e.g. "(d,) array: dL/dw".
    draw        draw(rng) -> tuple of arguments: fresh random valid inputs of a random
                shape (numpy Generator in, float64 arrays out).
    reference   the right answer: same signature as the learner's function.
    points      what a pass is worth.
    mistakes    known wrong variants, each tagged with a diagnosis.
    hints       graded hints, a nudge first and the formula last.
    solution    solution text shown by ``solution(id)``; the reference's source if empty.
    draws       how many random inputs one check tries.
    rtol        relative tolerance of the value comparison.
    fp_strict   when True, numpy overflow / invalid / divide-by-zero inside the
                learner's function fail the check (numerical-stability exercises).
    time_limit  seconds allowed per call.
    """

    id: str
    signature: str
    returns: str
    draw: object
    reference: object
    points: float = 1.0
    mistakes: tuple = ()
    hints: tuple = ()
    solution: str = ""
    draws: int = 4
    rtol: float = 1e-7
    fp_strict: bool = False
    time_limit: float = 5.0
    notes: dict = field(default_factory=dict, compare=False)

    @property
    def notebook(self):
        """The two-digit notebook number, e.g. "03"."""
        return self.id.split(".", 1)[0]

    @property
    def function_name(self):
        """The name of the learner's function, e.g. "grad_w"."""
        return self.signature.split("(", 1)[0].strip()

    @property
    def arg_names(self):
        """Parameter names from the signature, e.g. ("x", "y", "w")."""
        inside = self.signature[self.signature.index("(") + 1:self.signature.rindex(")")]
        names = []
        for part in inside.split(","):
            part = re.split(r"[=:]", part)[0].strip().lstrip("*")
            if part:
                names.append(part)
        return tuple(names)

    def solution_text(self):
        """The solution shown to a learner: ``solution`` or the reference's source."""
        if self.solution:
            return textwrap.dedent(self.solution).strip()
        try:
            return textwrap.dedent(inspect.getsource(self.reference)).strip()
        except (OSError, TypeError):
            return "(no solution text available)"
