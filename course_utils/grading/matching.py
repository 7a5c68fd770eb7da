"""Which of a student's files is graded for which course notebook: by file name only.

The rule (docs/grading.md, ``course-utils grade --help``):

1. A file whose name starts with a course notebook's number, two digits followed by
   ``_``, ``-``, ``.``, a space or the end of the stem (``01_sigmoid.ipynb``,
   ``01.ipynb``, ``01-mine (2).ipynb``), answers that notebook and no other. An exercise
   is graded only from the notebook it belongs to: ``03_...`` never earns ``01.sigmoid``,
   whatever it imports or defines.
2. A file without such a number (``alice.ipynb``, ``sigmoid.ipynb``) answers the
   assignment's notebook when the exercises graded come from one notebook only (a
   one-notebook assignment, where students name their file as they like); otherwise it
   is not graded, and the feedback says to name it ``NN_...ipynb``.
3. When several files answer the same notebook, one is graded: a numbered file before an
   unnumbered one, then the release's own file name (``01_sigmoid.ipynb``), then the
   file nearest the top of the student's folder, then the first by name. The feedback
   names the file graded and the ones left out.

Nothing inside a file (its code, comments or ``check(...)`` calls) is read to decide.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from .text import name_bytes, shown_name

__all__ = ["Matched", "course_number", "match"]

_NUMBER = re.compile(r"^(\d\d)(?:[_\-. ]|$)")


def course_number(path: str) -> str | None:
    """The two-digit notebook number a file name starts with ("01"), or None."""
    stem = os.path.basename(path)
    if stem.lower().endswith(".ipynb"):
        stem = stem[: -len(".ipynb")]
    m = _NUMBER.match(stem)
    return m.group(1) if m else None


@dataclass
class Matched:
    """``chosen`` maps a notebook number to the file graded for it; ``notes`` say which
    files were left out and why (for the student's feedback)."""

    chosen: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def match(paths: list[str], wanted: list[str], release_names: dict[str, str]) -> Matched:
    """Choose, for each notebook number in ``wanted`` (in order), the file of ``paths``
    that answers it (rule in the module docstring). ``release_names`` maps a number to
    the release's file name ("01" -> "01_sigmoid.ipynb")."""
    result = Matched()
    if not paths:
        return result
    root = os.path.dirname(paths[0]) if len(paths) == 1 else os.path.commonpath(paths)
    candidates: dict[str, list[tuple[tuple[int, int, int, bytes], str]]] = {n: [] for n in wanted}
    lone = wanted[0] if len(wanted) == 1 else None
    for path in paths:
        number = course_number(path)
        rel = os.path.relpath(path, root)
        depth = rel.count(os.sep)
        name = os.path.basename(path)
        if number is None:
            if lone is None:
                result.notes.append(f"`{shown_name(rel)}` was not graded: its name does not start with a notebook "
                                    "number (name it like the release, e.g. `01_sigmoid.ipynb`)")
                continue
            number, numbered = lone, 1
        elif number not in candidates:
            result.notes.append(f"`{shown_name(rel)}` was not graded: notebook {number} is not part of what is "
                                "graded here")
            continue
        else:
            numbered = 0
        exact = 0 if name == release_names.get(number) else 1
        candidates[number].append(((numbered, exact, depth, name_bytes(rel)), path))
    for number in wanted:
        ranked = sorted(candidates[number])
        if not ranked:
            continue
        chosen = ranked[0][1]
        result.chosen[number] = chosen
        if len(ranked) > 1:
            others = ", ".join(f"`{shown_name(os.path.relpath(p, root))}`" for _, p in ranked[1:4])
            more = f" and {len(ranked) - 4} more" if len(ranked) > 4 else ""
            result.notes.append(f"several files could be notebook {number}: graded "
                                f"`{shown_name(os.path.relpath(chosen, root))}`, not {others}{more} (a numbered "
                                "name first, then the release's own name, then the one nearest the top)")
    return result
