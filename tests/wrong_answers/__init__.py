"""Wrong answers written the way learners write them, independently of the exercise modules.

Each module ``wrongNN.py`` defines ``WRONG = {exercise_id: [(name, fn, allowed), ...]}``: a
wrong learner function and the set of diagnoses that are true for it (the structural
slips the checkers issue found passing by chance are here: a transposed or flattened
sigmoid, abs(yhat - y), forward passes that skip or reverse layers, three layers unrolled
by hand, diag(v) for v). ``common`` holds generic wrappers that apply to every exercise.
"""

import importlib
import pkgutil

from .common import hard_coded, sometimes_negated

__all__ = ["WRONG", "hard_coded", "sometimes_negated"]


def _merged():
    merged = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("wrong"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            for key, items in module.WRONG.items():
                merged.setdefault(key, []).extend(items)
    return merged


WRONG = _merged()
