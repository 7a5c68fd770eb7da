"""The exercise registry: every ``Exercise`` of the course, in course order.

Each module in ``course_utils/exercises/`` defines a list ``EXERCISES``; modules are
found automatically, so adding a notebook's exercises touches no shared file.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil

from .exercise import Exercise

_REGISTRY: dict[str, Exercise] | None = None


def _load() -> dict[str, Exercise]:
    global _REGISTRY
    if _REGISTRY is None:
        from .. import exercises

        found: dict[str, Exercise] = {}
        for info in sorted(pkgutil.iter_modules(exercises.__path__), key=lambda m: m.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{exercises.__name__}.{info.name}")
            for ex in getattr(module, "EXERCISES", ()):
                if ex.id in found:
                    raise RuntimeError(f"exercise id {ex.id!r} is registered twice")
                found[ex.id] = ex
        ordered = sorted(found.values(), key=lambda e: e.notebook)  # stable: module order kept
        _REGISTRY = {ex.id: ex for ex in ordered}
    return _REGISTRY


def exercise_ids() -> list[str]:
    """Return the ordered list of exercise ids, e.g. ["01.sigmoid", ...]."""
    return list(_load())


def all_exercises() -> list[Exercise]:
    """Return every ``Exercise`` in course order."""
    return list(_load().values())


def get(exercise_id: object) -> Exercise:
    """Return the ``Exercise`` with this id; raise KeyError with a suggestion if unknown."""
    registry = _load()
    if isinstance(exercise_id, str) and exercise_id in registry:
        return registry[exercise_id]
    raise KeyError(unknown_id_message(exercise_id))


def unknown_id_message(exercise_id: object) -> str:
    """A sentence saying the id is unknown, with the closest known ids."""
    known = list(_load())
    close = difflib.get_close_matches(str(exercise_id), known, n=3) if isinstance(exercise_id, str) else []
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"There is no exercise {exercise_id!r}.{hint} Known ids: course_utils.exercise_ids()."
