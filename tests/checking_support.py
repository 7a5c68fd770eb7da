"""Helpers for the checker tests: learner functions built from an exercise's knobs, and an
independent check that a named diagnosis is true.

A knob variant is what a learner who made those slips returns: the reference run with the
slips' knobs set, then (for the generic slips) negated or with its matrices transposed.
``explains`` recomputes an explanation's answer on a draw from scratch (the reference
with knobs, then numpy's own negation / transpose) and compares it with what the variant
returned, so a diagnosis is checked without trusting the engine's bookkeeping.
"""

import copy
import itertools

import numpy as np

from course_utils.checking import compare
from course_utils.checking import diagnosis as D
from course_utils.checking.explain import GENERIC_CODES


def slip_key(index):
    return f"slip:{index}"


def knobs_of(ex, keys):
    """{knob: value} for the "slip:i" keys among ``keys``."""
    out = {}
    for key in keys:
        if key.startswith("slip:"):
            slip = ex.slips[int(key[5:])]
            out[slip.knob] = slip.value
    return out


def _map_leaves(structure, change):
    if isinstance(structure, (tuple, list)):
        items = [_map_leaves(x, change) for x in structure]
        return tuple(items) if isinstance(structure, tuple) else items
    return change(structure)


def _generic(structure, keys):
    if "transpose" in keys:
        structure = _map_leaves(structure, lambda x: x.T.copy() if isinstance(x, np.ndarray) and x.ndim == 2 else x)
    if "sign" in keys:
        structure = _map_leaves(structure, lambda x: -x)
    return structure


def variant(ex, keys):
    """The learner function that makes exactly the slips named by ``keys``."""
    knobs = knobs_of(ex, keys)

    def learner(*args):
        return _generic(ex.reference(*args, **knobs), keys)

    learner.__name__ = "+".join(sorted(keys)) or "reference"
    return learner


def expected_code(ex, keys):
    """The diagnosis an explanation deserves: the slips' common code, else composite."""
    codes = {ex.slips[int(k[5:])].code if k.startswith("slip:") else GENERIC_CODES[k] for k in keys}
    return codes.pop() if len(codes) == 1 else D.COMPOSITE


def signed(ex):
    """False for a choice checkpoint (a string answer has no sign), else True."""
    if ex.kind != "value":
        return True
    return any(not isinstance(x, str) for x in compare.leaves(ex.reference()))


def single_keys(ex):
    """Every registered slip alone, and sign alone (where the answer has numbers)."""
    return [(slip_key(i),) for i in range(len(ex.slips))] + ([("sign",)] if signed(ex) else [])


def pair_keys(ex):
    """Every pair of slips on different knobs, and every slip with sign (where the answer has numbers)."""
    pairs = []
    for i, j in itertools.combinations(range(len(ex.slips)), 2):
        if ex.slips[i].knob != ex.slips[j].knob:
            pairs.append((slip_key(i), slip_key(j)))
    if signed(ex):
        pairs += [(slip_key(i), "sign") for i in range(len(ex.slips))]
    return pairs


def answer_on(ex, keys, draw):
    """The answer of the explanation ``keys`` on ``draw``, recomputed from scratch."""
    raw = ex.reference(*copy.deepcopy(draw.args), **knobs_of(ex, keys))
    return _generic(raw, keys)


def same(ex, a, b):
    """True when two answers agree within the exercise's tolerance (numbers and arrays)."""
    la, lb = list(compare.leaves(a)), list(compare.leaves(b))
    if len(la) != len(lb):
        return False
    for x, y in zip(la, lb, strict=True):
        if isinstance(x, str) or isinstance(y, str):
            if str(x).strip().lower() != str(y).strip().lower():
                return False
            continue
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.shape != y.shape:
            return False
        scale = max(np.max(np.abs(x), initial=0.0), np.max(np.abs(y), initial=0.0))
        if np.max(np.abs(x - y), initial=0.0) > ex.rtol * 2 * scale + 1e-300:
            return False
    return True


def explains(ex, explanation, fn, plan):
    """True when the explanation's recomputed answer equals ``fn``'s answer on every draw."""
    return all(same(ex, answer_on(ex, explanation, d), fn(*copy.deepcopy(d.args))) for d in plan)


def is_right(ex, fn, plan):
    """True when ``fn`` gives the reference answer on every draw of the plan."""
    return all(same(ex, d.reference, fn(*copy.deepcopy(d.args))) for d in plan)


def draw_args(ex, rng):
    """One random draw's arguments from the exercise's coverage plan (a random case)."""
    from course_utils.checking import engine
    return engine.plan(ex, rng, extra=1)[-1].args
