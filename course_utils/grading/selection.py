"""Which exercises a run grades: chosen by the instructor, never by what was submitted.

- ``--exercises 01,03.grad_w``: those notebooks' exercises and those exercise ids;
- ``--release DIR``: the exercises of the course notebooks present in DIR, by file name
  (``01_sigmoid.ipynb`` -> notebook 01), e.g. the folder released to students;
- neither: every exercise of the course (the notebooks of the course's own release).

Nothing a student wrote (file contents, ``check("05.grads")`` calls, comments) can add
or remove an exercise.
"""

from __future__ import annotations

import os

from ..checking import registry
from ..checking.exercise import Exercise
from . import matching
from .discovery import is_notebook_name

__all__ = ["UsageError", "select_exercises", "release_names", "COURSE_RELEASE"]

COURSE_RELEASE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                              "notebooks")


class UsageError(Exception):
    """The instructor's options do not name a valid set of exercises; ``str()`` says why."""


def _all() -> list[Exercise]:
    return list(registry.all_exercises())


def release_names(folder: str | None) -> dict[str, str]:
    """Notebook number -> the release's file name ("01" -> "01_sigmoid.ipynb") for the
    notebooks in ``folder`` (the course's own release when None; {} if it is absent)."""
    folder = folder or COURSE_RELEASE
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}
    found: dict[str, str] = {}
    for name in names:
        number = matching.course_number(name)
        if number is not None and is_notebook_name(name) and os.path.isfile(os.path.join(folder, name)):
            found.setdefault(number, name)
    return found


def select_exercises(spec: str | None, release: str | None) -> list[Exercise]:
    """The exercises to grade, in course order (see the module docstring); raises
    UsageError for an unknown id or notebook, or a release folder with no course notebook."""
    every = _all()
    if spec:
        wanted = [s.strip() for s in spec.split(",") if s.strip()]
        unknown = [w for w in wanted if not any(e.id == w or e.notebook == w for e in every)]
        if unknown:
            known = ", ".join(sorted({e.notebook for e in every}))
            raise UsageError(f"unknown exercises or notebooks: {', '.join(unknown)} (notebooks: {known}; "
                             "exercise ids: python -c 'import course_utils; print(course_utils.exercise_ids())')")
        chosen = [e for e in every if e.id in wanted or e.notebook in wanted]
    elif release:
        if not os.path.isdir(release):
            raise UsageError(f"--release {release}: not a folder")
        numbers = set(release_names(release))
        chosen = [e for e in every if e.notebook in numbers]
        if not chosen:
            raise UsageError(f"--release {release}: no course notebook (NN_name.ipynb) with exercises in it")
    else:
        chosen = every
    if not chosen:
        raise UsageError("no exercises to grade")
    return chosen
