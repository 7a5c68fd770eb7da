"""The release tool: make student notebooks (notebooks/) from solution notebooks (solutions/).

nbgrader's conventions:
- in code cells, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` become
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the marker's indentation;
- in markdown cells, such a region becomes ``YOUR ANSWER HERE``;
- ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` regions are dropped;
- cells tagged ``hidden`` (or ``solution_only``) are dropped;
- outputs, execution counts and saved widget state are cleared.
The output is deterministic, so ``release --check`` can compare it byte for byte.
"""

import copy
import glob
import os

from ..files import atomic, nbjson

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
HIDDEN_TAGS = {"hidden", "solution_only"}


class ReleaseError(ValueError):
    """A solution notebook is malformed (e.g. an unclosed solution region)."""


def _strip_regions(text, begin, end, replacement, where):
    """Replace each begin..end region of ``text`` by ``replacement(indent)`` lines."""
    out = []
    inside = False
    for line in text.splitlines():
        marker = line.strip()
        if marker.startswith(begin):
            if inside:
                raise ReleaseError(f"{where}: nested {begin!r}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(replacement(indent))
        elif marker.startswith(end):
            if not inside:
                raise ReleaseError(f"{where}: {end!r} without {begin!r}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ReleaseError(f"{where}: {begin!r} is never closed")
    return "\n".join(out)


def student_source(text, cell_type, where="cell"):
    """Return the student version of one cell's source text."""
    if cell_type == "code":
        text = _strip_regions(text, BEGIN_HIDDEN, END_HIDDEN, lambda indent: [], where)
        text = _strip_regions(
            text, BEGIN_SOLUTION, END_SOLUTION,
            lambda indent: [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"], where)
    elif cell_type == "markdown":
        text = _strip_regions(text, BEGIN_SOLUTION, END_SOLUTION, lambda indent: ["YOUR ANSWER HERE"], where)
    return text


def _is_hidden(cell):
    tags = set(cell.get("metadata", {}).get("tags", []) or [])
    return bool(tags & HIDDEN_TAGS)


def student_notebook(nb, name="notebook"):
    """Return the student version of a solution notebook dict (the input is not changed)."""
    out = copy.deepcopy(nb)
    cells = []
    for index, cell in enumerate(out["cells"]):
        if _is_hidden(cell):
            continue
        kind = cell.get("cell_type")
        text = student_source(nbjson.source_of(cell), kind, f"{name} cell {index}")
        cell["source"] = nbjson.split_source(text)
        if kind == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
        cells.append(cell)
    out["cells"] = cells
    out.get("metadata", {}).pop("widgets", None)  # saved widget state belongs to a run, not to the exercise
    return out


def _pairs(solutions_dir, notebooks_dir, only=None):
    sources = sorted(glob.glob(os.path.join(solutions_dir, "*.ipynb")))
    if only:
        wanted = {os.path.basename(p) for p in only}
        sources = [s for s in sources if os.path.basename(s) in wanted]
    return [(s, os.path.join(notebooks_dir, os.path.basename(s))) for s in sources]


def release(solutions_dir="solutions", notebooks_dir="notebooks", check=False, only=None):
    """Generate (or with ``check=True`` only compare) student notebooks.

    Returns a list of problems as strings: with ``check`` the stale, missing or extra
    notebooks; without it the empty list (files are written only when they change).
    """
    problems = []
    pairs = _pairs(solutions_dir, notebooks_dir, only)
    for src, dst in pairs:
        text = nbjson.dumps(student_notebook(nbjson.read(src), os.path.basename(src)))
        try:
            with open(dst, encoding="utf-8") as fh:
                current = fh.read()
        except FileNotFoundError:
            current = None
        if current == text:
            continue
        if check:
            problems.append(f"{dst} is {'missing' if current is None else 'stale'}")
        else:
            atomic.write_text(dst, text)
    if not only:
        expected = {os.path.basename(dst) for _, dst in pairs}
        for extra in sorted(glob.glob(os.path.join(notebooks_dir, "*.ipynb"))):
            if os.path.basename(extra) not in expected:
                problems.append(f"{extra} has no solution notebook in {solutions_dir}")
    return problems
