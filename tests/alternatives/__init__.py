"""Correct answers written differently from the reference (loops, einsum, other algebra).

Each module ``altNN.py`` defines ``ALTERNATIVES = {exercise_id: [fn, ...]}``;
``test_checkers.py`` checks that every one passes and that every exercise has at least two.
"""

import importlib
import pkgutil


def all_alternatives():
    """Return {exercise_id: [fn, ...]} merged from every module of this package."""
    merged = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, fns in getattr(module, "ALTERNATIVES", {}).items():
            merged.setdefault(key, []).extend(fns)
    return merged
