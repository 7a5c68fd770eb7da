"""The records an exercise is made of: what to call, on which cases, and how it goes wrong.

A checker is data, not code. One engine (``engine.py``) runs every exercise the same way
from its ``Exercise`` record:

- a **coverage plan**: ``Case`` records, each a structural situation every check always
  includes (1-D and 2-D inputs, both signs of the error, both labels, depth 1, 2 and 3,
  a square case...), with fresh random values inside it;
- **one reference with knobs**: the right answer, written once, whose keyword arguments
  switch on the mistakes a learner makes (a sigma' left out, a sum for a mean, ...);
  each wrong setting is a ``Slip`` with its diagnosis. The engine tries the slips alone
  and in combination, so a composite mistake is named as such;
- hints, a nudge first and the formula last, and points.

A derivation checkpoint (a shape, a number, a choice) is an exercise of kind "value":
the learner assigns a variable instead of writing a function, and the reference takes
no arguments.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .diagnosis import Diagnosis

Kind = Literal["function", "value"]
Role = Literal["weight", "bias", "other"]
Args = tuple[Any, ...]


@dataclass(frozen=True)
class Case:
    """One structural case of the coverage plan: ``draw(rng)`` returns fresh random
    arguments (a tuple) inside it, e.g. a 2-D ``u``, or a batch where ``yhat < y`` for
    some examples. ``name`` appears in messages ("wrong on the case 'yhat < y'")."""

    name: str
    draw: Callable[[np.random.Generator], Args]


@dataclass(frozen=True)
class Slip:
    """A known mistake: the reference with keyword argument ``knob`` set to ``value``.

    ``code`` is its diagnosis; ``says`` a short clause for messages naming several slips
    ("sigma'(z2) is missing at the output"); ``why`` the explanation shown when it is the
    only slip (the code's default sentence when empty)."""

    knob: str
    value: Any
    code: Diagnosis
    says: str
    why: str = ""


@dataclass(frozen=True)
class Exercise:
    """One graded item of the course.

    id          "NN.name", NN the notebook number.
    signature   how the learner's function is called, e.g. "grad_w(x, y, w)"; for a
                "value" exercise the name of the variable the learner assigns.
    returns     what it returns, with shapes, e.g. "(d,) array: dL/dw".
    cases       the coverage plan (at least one ``Case``).
    reference   the right answer, ``reference(*args, **knobs)``; with no knobs given it
                returns the right answer (numbers, float64 arrays, tuples/lists of them,
                or for a "value" exercise a number, a tuple of ints, or a str).
    slips       the knob settings that are mistakes (see ``Slip``).
    points      what a pass is worth.
    hints       graded hints: which rule applies first, the formula last.
    solution    the text ``solution(id)`` shows; the reference's source if empty.
    kind        "function" (the learner writes a function) or "value" (a checkpoint).
    rtol        relative tolerance of every value comparison.
    min_gap     every draw is redrawn until each single slip (and the negated answer)
                differs from the right answer by at least this relative gap.
    time_limit  seconds allowed per call.
    extra_draws random draws added to the coverage plan (each from a random case).
    max_slips   composites of up to this many knob slips are tried (besides the
                generic slips: sign everywhere, transposes, sums over the batch).
    roles       roles(reference_output) -> a role per output leaf ("weight", "bias",
                "other"): where a learner may forget to sum over the batch.
    batch_size  batch_size(*args) -> N, for exercises whose inputs hold a batch.
    outputs     names of the output leaves, for messages ("dW1 is right, dw2 is wrong").
    on_warning  a note added to a passing verdict when the learner's code raised a
                warning (e.g. NumPy's overflow warning in the sigmoid).
    messages    this exercise's own sentence for a generic slip ("sign", "transpose",
                "bias_not_summed", "weight_not_summed", "diagonal_jacobian"), when it
                can say more than the default.
    says        this exercise's own clause for a generic slip in messages that name
                several slips (the default for "sign" talks of yhat - y).
    options     for a choice checkpoint (a str reference): the options offered, so an
                answer that is none of them is told so.
    withheld    the course's own public functions that ARE this exercise's answer, as
                "functions.sigmoid" (a module of ``course_utils``, a name): while the
                learner's function runs they raise, so a wrapper of the course's
                version is told to write its own, in check() and in the grader alike.
    """

    id: str
    signature: str
    returns: str
    cases: tuple[Case, ...]
    reference: Callable[..., Any]
    slips: tuple[Slip, ...] = ()
    points: float = 1.0
    hints: tuple[str, ...] = ()
    solution: str = ""
    kind: Kind = "function"
    rtol: float = 1e-7
    min_gap: float = 0.05
    time_limit: float = 5.0
    extra_draws: int = 2
    max_slips: int = 2
    roles: Callable[[Any], Sequence[Role]] | None = None
    batch_size: Callable[..., int] | None = None
    outputs: tuple[str, ...] = ()
    on_warning: str = ""
    messages: Mapping[str, str] = field(default_factory=dict)
    says: Mapping[str, str] = field(default_factory=dict)
    options: tuple[str, ...] = ()
    withheld: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d\d\.[A-Za-z_]\w*", self.id):
            raise ValueError(f"exercise id {self.id!r} is not of the form 'NN.name'")
        if not self.cases:
            raise ValueError(f"{self.id}: the coverage plan needs at least one case")
        if self.slips and not self.solution:
            raise ValueError(f"{self.id}: a reference with knobs needs a `solution` text (its source shows the knobs)")
        if self.kind == "value" and "(" in self.signature:
            raise ValueError(f"{self.id}: a value exercise's signature is a variable name")
        params = inspect.signature(self.reference).parameters.values()
        open_ended = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
        for slip in self.slips:
            if not open_ended and slip.knob not in self.knobs():
                raise ValueError(f"{self.id}: slip knob {slip.knob!r} is not a keyword argument of the reference")

    def knobs(self) -> tuple[str, ...]:
        """The reference's keyword-only arguments: the switches the slips set. (A reference
        that forwards ``**knobs`` to a model accepts any; a misspelt knob then fails every
        draw, which the tests catch.)"""
        params = inspect.signature(self.reference).parameters.values()
        return tuple(p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY)

    @property
    def notebook(self) -> str:
        """The two-digit notebook number, e.g. "03"."""
        return self.id.split(".", 1)[0]

    @property
    def function_name(self) -> str:
        """The learner's function (or, for a "value" exercise, variable) name, e.g. "grad_w"."""
        return self.signature.split("(", 1)[0].strip()

    @property
    def arg_names(self) -> tuple[str, ...]:
        """Parameter names from the signature, e.g. ("x", "y", "w"); () for a value exercise."""
        if "(" not in self.signature:
            return ()
        inside = self.signature[self.signature.index("(") + 1:self.signature.rindex(")")]
        names = []
        for part in inside.split(","):
            part = re.split(r"[=:]", part)[0].strip().lstrip("*")
            if part:
                names.append(part)
        return tuple(names)

    def solution_text(self) -> str:
        """The solution shown to a learner: ``solution`` or the reference's source."""
        if self.solution:
            return textwrap.dedent(self.solution).strip()
        try:
            return textwrap.dedent(inspect.getsource(self.reference)).strip()
        except (OSError, TypeError):
            return "(no solution text available)"
