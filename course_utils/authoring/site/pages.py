"""The notebook behind each site page: the student's code with the worked examples' outputs.

For each solution notebook the page shows
- every cell a learner gets from ``course-utils release`` (solution regions replaced by
  ``raise NotImplementedError()``, hidden cells dropped), in order;
- the stored outputs of the solution notebook's cells that are *not* exercises: worked
  examples, printed tables, figures (an explorer shows its static picture);
- no output for an exercise cell, a ``check(...)`` cell (its verdict belongs to the
  learner's own answer) or a ``solution(...)`` cell;
- after each exercise's first check, its hints except the last one (the last hint of
  every exercise gives the formula: the page tells the learner how to ask for it);
- below the title, a link to download the student notebook.
Nothing else of the solution notebook reaches the page.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from ...checking import registry
from ..release import student_notebook
from . import alttext

Notebook = dict[str, Any]
Cell = dict[str, Any]

_INDEX_KEY = "course_site_index"
_CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d\d\.\w+)["']""")
_SOLUTION_CALL = re.compile(r"\bsolution(?:_text)?\(")
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+!|$~&])")


class PageError(ValueError):
    """A solution notebook cannot be made into a page (e.g. a picture without alt text)."""


@dataclass
class Page:
    """One page of the site.

    ``name`` the notebook's file name (e.g. "03_one_layer_vector.ipynb"), ``title`` its
    first heading, ``notebook`` the page's notebook (a dict, nbformat 4), ``student`` the
    released student notebook offered for download, ``alts`` maps the SHA-256 of every
    picture on the page to its alt text, ``hinted`` the exercise ids whose hints it shows.
    """

    name: str
    title: str
    notebook: Notebook
    student: Notebook
    alts: dict[str, str] = field(default_factory=dict)
    hinted: list[str] = field(default_factory=list)


def escape_markdown(text: str) -> str:
    """Return ``text`` with Markdown/MyST punctuation backslash-escaped (shown literally)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _source(cell: Cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _markdown_cell(text: str, cell_id: str) -> Cell:
    return {"cell_type": "markdown", "id": cell_id[:64], "metadata": {}, "source": text}


def _hints_cell(exercise_id: str, hints: tuple[str, ...] | list[str]) -> Cell:
    return _markdown_cell(hints_markdown(exercise_id, hints), "course-site-hints-" + re.sub(r"\W", "-", exercise_id))


def title_of(nb: Notebook, fallback: str) -> str:
    """Return the text of the notebook's first Markdown heading, or ``fallback``."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for line in _source(cell).splitlines():
            match = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                return match.group(1)
    return fallback


def checked_ids(cell: Cell) -> list[str]:
    """Return the exercise ids a code cell checks with ``check("NN.name", ...)``, in order."""
    return _CHECK_CALL.findall(_source(cell)) if cell.get("cell_type") == "code" else []


def hints_markdown(exercise_id: str, hints: tuple[str, ...] | list[str]) -> str:
    """Return the Markdown of a page's hint box for one exercise.

    Every hint but the last is shown; the last one (the formula) and the worked solution
    stay in the notebook, where ``hint(id, n)`` and ``solution(id)`` give them.
    """
    shown = list(hints)[:-1]
    lines = [f"```{{admonition}} Hints for `{exercise_id}`", ":class: hint course-hints", ""]
    if shown:
        for level, text in enumerate(shown, start=1):
            lines.append(f"{level}. {escape_markdown(' '.join(str(text).split()))}")
        lines.append("")
    last = len(hints)
    if last:
        lines.append(f"The last hint gives the formula: run `hint(\"{exercise_id}\", {last})` in the notebook. "
                     f"`solution(\"{exercise_id}\")` shows a worked answer.")
    else:
        lines.append(f"`solution(\"{exercise_id}\")` in the notebook shows a worked answer.")
    lines.append("```")
    return "\n".join(lines)


def download_markdown(name: str, target: str) -> str:
    """Return the Markdown line offering the student notebook ``target`` for download."""
    return (f"{{download}}`Download the student notebook {name} <{target}>` "
            "and open it in JupyterLab to do the exercises; each `check(...)` cell tells you "
            "whether your answer is right.")


def _shown_outputs(solution_cell: Cell, student_source: str) -> list[dict[str, Any]]:
    """The solution cell's outputs a page may show (see the module docstring)."""
    source = _source(solution_cell)
    if source != student_source or checked_ids(solution_cell) or _SOLUTION_CALL.search(source):
        return []
    outputs = []
    for output in solution_cell.get("outputs", []) or []:
        if output.get("output_type") == "error":
            continue
        output = copy.deepcopy(output)
        data = output.get("data")
        if isinstance(data, dict):
            data.pop(_WIDGET_MIME, None)  # a live widget needs a kernel: the page shows its picture
            if not data:
                continue
        outputs.append(output)
    return outputs


def make_page(solution: Notebook, name: str, download_target: str) -> Page:
    """Return the ``Page`` for one solution notebook (the input is not changed).

    Raises ``PageError`` when a picture the page would show has no alt text.
    """
    marked = copy.deepcopy(solution)
    for index, cell in enumerate(marked.get("cells", [])):
        cell.setdefault("metadata", {})[_INDEX_KEY] = index
    student = student_notebook(marked, name)
    released = student_notebook(solution, name)

    exercises = {ex.id: ex for ex in registry.all_exercises()}
    cells: list[Cell] = []
    download: Cell | None = _markdown_cell(download_markdown(name, download_target), "course-site-download")
    hinted: list[str] = []
    page_nb = copy.deepcopy(student)
    missing_alt = []
    for cell in student["cells"]:
        index = cell["metadata"].pop(_INDEX_KEY)
        original = solution["cells"][index]
        if cell.get("cell_type") == "code":
            cell["outputs"] = _shown_outputs(original, _source(cell))
            missing_alt += [f"cell {index} picture {image.position + 1}"
                            for image in alttext.stored_images({"cells": [cell]}, name) if not image.alt]
        cells.append(cell)
        if download is not None and cell.get("cell_type") == "markdown" and title_of({"cells": [cell]}, ""):
            cells.append(download)  # right below the title
            download = None
        for exercise_id in checked_ids(cell):
            if exercise_id in exercises and exercise_id not in hinted:
                cells.append(_hints_cell(exercise_id, exercises[exercise_id].hints))
                hinted.append(exercise_id)
    if missing_alt:
        raise PageError("pictures without alt text: " + ", ".join(missing_alt) + " (describe each under "
                        f"the cell metadata key {alttext.ALT_KEY!r}; `course-utils site --missing-alt` lists them all)")
    page_nb["cells"] = cells if download is None else [download] + cells
    page_nb.get("metadata", {}).pop("widgets", None)  # no widget state: nothing to load from a CDN
    alts = {img.digest: img.alt for img in alttext.stored_images(page_nb, name)}
    return Page(name=name, title=title_of(solution, name), notebook=page_nb, student=released,
                alts=alts, hinted=hinted)


def unplaced_hints(pages: list[Page], notebook_of: dict[str, str]) -> dict[str, list[str]]:
    """Return {page name: [exercise ids]} of registered exercises no page checks.

    ``notebook_of`` maps a notebook number ("03") to its page name; such exercises get
    their hints at the end of that page (see ``append_hints``).
    """
    hinted = {ex_id for page in pages for ex_id in page.hinted}
    result: dict[str, list[str]] = {}
    for ex in registry.all_exercises():
        if ex.id not in hinted and ex.id.split(".", 1)[0] in notebook_of:
            result.setdefault(notebook_of[ex.id.split(".", 1)[0]], []).append(ex.id)
    return result


def append_hints(page: Page, exercise_ids: list[str]) -> None:
    """Add a hint box at the end of the page for each of ``exercise_ids``; returns None."""
    exercises = {ex.id: ex for ex in registry.all_exercises()}
    for exercise_id in exercise_ids:
        page.notebook["cells"].append(_hints_cell(exercise_id, exercises[exercise_id].hints))
        page.hinted.append(exercise_id)
