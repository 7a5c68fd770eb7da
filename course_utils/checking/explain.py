"""Which known mistakes explain a wrong answer: the reference's knobs, alone and combined.

An **explanation** is a frozenset of keys: ``"slip:i"`` for the exercise's i-th ``Slip``,
and the generic slips ``"sign"`` (the whole answer negated), ``"transpose"`` (a matrix
transposed: a reversed shape, or a square matrix transposed), ``"bias_not_summed"``,
``"weight_not_summed"`` and ``"diagonal_jacobian"`` (shape repairs, see ``compare``).
The empty explanation means "right".

For one draw, ``explanations`` returns every explanation whose answer equals the
learner's (within the exercise's tolerance): the reference run with the slips' knobs set
(at most ``max_slips`` slips on distinct knobs), negated or not, with square output
matrices transposed or not, plus the shape repairs already made. The engine keeps the
explanations that hold on every draw, and names the simplest.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import compare
from . import diagnosis as D
from .diagnosis import Diagnosis
from .exercise import Exercise, Slip

Explanation = frozenset[str]
RIGHT: Explanation = frozenset()
MAX_COMBOS = 400

GENERIC_SAYS: dict[str, str] = {
    "sign": "the whole answer has the opposite sign (check (yhat - y) versus (y - yhat))",
    "transpose": "a matrix is transposed (a gradient has the shape of what it differentiates)",
    "bias_not_summed": "a bias gradient keeps one row per example (sum it over the batch, axis 0)",
    "weight_not_summed": "a weight gradient keeps one entry per example (sum the per-example gradients)",
    "diagonal_jacobian": "a vector is returned as a diagonal matrix (return the vector itself)",
}
GENERIC_CODES: dict[str, Diagnosis] = {
    "sign": D.SIGN, "transpose": D.TRANSPOSE, "bias_not_summed": D.BIAS_NOT_SUMMED,
    "weight_not_summed": D.WEIGHT_NOT_SUMMED, "diagonal_jacobian": D.DIAGONAL_JACOBIAN,
}


@dataclass
class Draw:
    """One draw of a check: the case it comes from, the arguments, and the reference
    answer on them; the reference's outputs with knobs set are computed on demand and
    cached (``output``)."""

    case: str
    args: tuple[Any, ...]
    reference: Any
    _outputs: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    def pristine(self) -> Any:
        """The arguments as plain data (``to_plain(..., exact=True)``), computed once: what
        the learner's arguments must still equal after the call."""
        if ("pristine",) not in self._outputs:
            from ..portable.plain import to_plain
            self._outputs[("pristine",)] = to_plain(list(self.args), exact=True)
        return self._outputs[("pristine",)]

    def output(self, exercise: Exercise, combo: tuple[int, ...]) -> Any:
        """The reference's answer with the slips at indices ``combo`` switched on; None
        when that combination cannot be computed."""
        if not combo:
            return self.reference
        if combo not in self._outputs:
            knobs = {exercise.slips[i].knob: exercise.slips[i].value for i in combo}
            try:
                out = exercise.reference(*_copy_args(self.args), **knobs)
                clean, repairs = compare.conform(_to_plain(out), self.reference)
                self._outputs[combo] = None if repairs else clean
            except Exception:  # noqa: BLE001 - a combination that makes no sense
                self._outputs[combo] = None
        return self._outputs[combo]


def _copy_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    import copy
    return copy.deepcopy(args)


def _to_plain(value: Any) -> Any:
    from ..portable.plain import to_plain
    return to_plain(value)


def combos(exercise: Exercise) -> list[tuple[int, ...]]:
    """The slip combinations to try, smallest first: every single slip, then pairs, ...
    up to ``exercise.max_slips`` slips on distinct knobs (at most ``MAX_COMBOS``)."""
    found: list[tuple[int, ...]] = []
    indices = range(len(exercise.slips))
    for size in range(1, exercise.max_slips + 1):
        for combo in itertools.combinations(indices, size):
            knobs = [exercise.slips[i].knob for i in combo]
            if len(set(knobs)) == size:
                found.append(combo)
                if len(found) >= MAX_COMBOS:
                    return found
    return found


def _transpose_options(structure: Any) -> list[tuple[int, ...]]:
    square = compare.square_leaves(structure)
    if not square:
        return [()]
    options: list[tuple[int, ...]] = [(), tuple(square)]
    if len(square) > 1:
        options += [(i,) for i in square]
    return options


@dataclass
class _Table:
    """Every candidate answer of one draw, flattened: row i is the answer of explanation
    ``keys[i]``; ``starts`` / ``lengths`` say where each output leaf lies in a row."""

    keys: list[Explanation]
    rows: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray


def _flat(structure: Any) -> np.ndarray:
    return np.concatenate([np.asarray(x, dtype=np.float64).ravel() for x in compare.leaves(structure)])


def _table(exercise: Exercise, draw: Draw) -> _Table | None:
    """The draw's candidate table, built once and cached on the draw; None when an output
    holds strings (a choice: the slow path compares those)."""
    cached = draw._outputs.get(("table",))
    if cached is not None or ("table",) in draw._outputs:
        return cached
    ref_leaves = list(compare.leaves(draw.reference))
    if any(isinstance(x, str) for x in ref_leaves):
        draw._outputs[("table",)] = None
        return None
    lengths = np.array([np.size(x) for x in ref_leaves])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    keys: list[Explanation] = []
    rows: list[np.ndarray] = []
    for combo in [(), *combos(exercise)]:
        out = draw.output(exercise, combo)
        if out is None:
            continue
        base = frozenset(f"slip:{i}" for i in combo)
        # Transposing every matrix changes nothing in an answer without matrices: there
        # the generic "transpose" slip holds as well as its absence.
        no_matrices = not any(isinstance(x, np.ndarray) and x.ndim == 2 for x in compare.leaves(out))
        for transposed in _transpose_options(out):
            flat = _flat(compare.transpose_leaves(out, transposed) if transposed else out)
            t_keys = base | ({"transpose"} if transposed else set())
            for negated in (False, True):
                key = t_keys | ({"sign"} if negated else set())
                for k in ([key, key | {"transpose"}] if no_matrices else [key]):
                    keys.append(frozenset(k))
                    rows.append(-flat if negated else flat)
    table = _Table(keys, np.array(rows), starts, lengths)
    draw._outputs[("table",)] = table
    return table


def _gaps(table: _Table, v: np.ndarray) -> np.ndarray:
    """``compare.gap`` between ``v`` and every row of the table at once."""
    rows = table.rows
    scale = np.maximum(np.maximum.reduceat(np.abs(rows), table.starts, axis=1),
                       np.maximum.reduceat(np.abs(v), table.starts)[None, :])
    floor = np.maximum(1e-6 * np.repeat(scale, table.lengths, axis=1), 1e-300)
    err = np.abs(rows - v) / np.maximum(np.abs(rows) + np.abs(v), floor)
    result: np.ndarray = np.max(err, axis=1)
    return result


def explanations(exercise: Exercise, draw: Draw, clean: Any, repairs: Iterable[str],
                 candidates: Iterable[Explanation] | None = None) -> set[Explanation]:
    """Every explanation of the (conformed) answer ``clean`` on this draw.

    ``repairs``: the shape repairs ``compare.conform`` made (their keys join every
    explanation). ``candidates``: when given, only these explanations are kept (the
    engine passes those still alive from earlier draws)."""
    repaired = frozenset(repairs)
    table = _table(exercise, draw)
    if table is None:
        found = _explanations_slowly(exercise, draw, clean, repaired)
    else:
        hits = np.nonzero(_gaps(table, _flat(clean)) <= exercise.rtol)[0]
        found = {table.keys[i] | repaired for i in hits}
    if candidates is not None:
        found &= set(candidates)
    return found


def _explanations_slowly(exercise: Exercise, draw: Draw, clean: Any, repaired: Explanation) -> set[Explanation]:
    found: set[Explanation] = set()
    for combo in [(), *combos(exercise)]:
        out = draw.output(exercise, combo)
        if out is None:
            continue
        keys = frozenset(f"slip:{i}" for i in combo)
        for negated in (False, True):
            target = compare.negate(out) if negated else out
            if compare.gap(clean, target) <= exercise.rtol:
                found.add(keys | ({"sign"} if negated else set()) | repaired)
    return found


def size(explanation: Explanation) -> int:
    """How many slips an explanation names."""
    return len(explanation)


def code_of(exercise: Exercise, explanation: Explanation) -> Diagnosis:
    """The diagnosis of an explanation: its slips' common code, else ``composite``."""
    codes = {_code(exercise, key) for key in explanation}
    return codes.pop() if len(codes) == 1 else D.COMPOSITE


def _slip(exercise: Exercise, key: str) -> Slip:
    return exercise.slips[int(key[5:])]


def _code(exercise: Exercise, key: str) -> Diagnosis:
    return _slip(exercise, key).code if key.startswith("slip:") else GENERIC_CODES[key]


def _says(exercise: Exercise, key: str) -> str:
    if key.startswith("slip:"):
        return _slip(exercise, key).says
    return exercise.says.get(key) or GENERIC_SAYS[key]


def _order(exercise: Exercise, explanation: Explanation) -> list[str]:
    slips = sorted((k for k in explanation if k.startswith("slip:")), key=lambda k: int(k[5:]))
    generic = [k for k in GENERIC_SAYS if k in explanation]
    return slips + generic


def message_of(exercise: Exercise, explanation: Explanation, repairs: dict[str, str] | None = None) -> str:
    """The sentence for an explanation: one slip's own explanation, or every slip named."""
    keys = _order(exercise, explanation)
    if len(keys) == 1:
        key = keys[0]
        if key.startswith("slip:"):
            slip = _slip(exercise, key)
            text = slip.why or f"{_capital(slip.says)}. {D.DEFAULT_MESSAGES[slip.code]}"
        else:
            text = exercise.messages.get(key) or D.DEFAULT_MESSAGES[GENERIC_CODES[key]]
        detail = (repairs or {}).get(key)
        return f"{text} ({detail}.)" if detail else text
    parts = [_says(exercise, k) for k in keys]
    count = {2: "Two", 3: "Three", 4: "Four"}.get(len(parts), str(len(parts)))
    listed = "; ".join(parts[:-1]) + "; and " + parts[-1]
    return f"{count} slips at once: {listed}."


def simplest(found: Sequence[Explanation]) -> list[Explanation]:
    """The simplest explanations: fewest slips, then fewest generic slips (the exercise's
    own slips are the mistakes its author saw learners make)."""
    if not found:
        return []
    def cost(e: Explanation) -> tuple[int, int]:
        return size(e), sum(1 for k in e if not k.startswith("slip:"))
    least = min(cost(e) for e in found)
    return sorted((e for e in found if cost(e) == least), key=sorted)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
