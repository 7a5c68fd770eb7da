"""The release tool: make student notebooks (notebooks/) from solution notebooks (solutions/).

nbgrader's conventions:
- in code cells, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` become
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the marker's indentation;
  a region at the top level of a cell that only assigns variables (a derivation
  checkpoint: ``dw_shape = (3,)``) becomes ``dw_shape = ...  # YOUR ANSWER HERE`` instead,
  so the student notebook still runs top to bottom and its check says "not implemented";
- in markdown cells, such a region becomes ``YOUR ANSWER HERE``;
- ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` regions are dropped;
- cells tagged ``hidden`` (or ``solution_only``) are dropped;
- ``# NBVAL_CHECK_OUTPUT`` lines (for the test suite) are dropped;
- outputs, execution counts and saved widget state are cleared.
The output is deterministic, so ``release --check`` can compare it byte for byte.

The release also keeps the solution notebooks' nbgrader cell metadata (schema 3) in step
with their cells (``files/cells.py`` says what a solution cell and a check cell are), so
authors never write it by hand; ``release --check`` fails when it is missing or stale.
"""

import copy
import glob
import os

from ..files import atomic, nbjson
from ..files.cells import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, OUTPUT_MARKER, nbgrader_metadata

HIDDEN_TAGS = {"hidden", "solution_only"}


class ReleaseError(ValueError):
    """A solution notebook is malformed (e.g. an unclosed solution region)."""


def _strip_regions(text, begin, end, replacement, where):
    """Replace each begin..end region of ``text`` by ``replacement(indent, region_lines)``."""
    out = []
    inside = None
    for line in text.splitlines():
        marker = line.strip()
        if marker.startswith(begin):
            if inside is not None:
                raise ReleaseError(f"{where}: nested {begin!r}")
            inside = (line[: len(line) - len(line.lstrip())], [])
        elif marker.startswith(end):
            if inside is None:
                raise ReleaseError(f"{where}: {end!r} without {begin!r}")
            out.extend(replacement(*inside))
            inside = None
        elif inside is not None:
            inside[1].append(line)
        else:
            out.append(line)
    if inside is not None:
        raise ReleaseError(f"{where}: {begin!r} is never closed")
    return "\n".join(out)


def _checkpoint_names(indent, lines):
    """The variables a top-level region only assigns (``name = value`` lines, comments and
    blank lines allowed), or None when the region does anything else."""
    if indent:
        return None
    names = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[:1].isspace():  # a continuation line of a multi-line value
            continue
        head, eq, _ = line.partition("=")
        if not eq or not head.strip().isidentifier() or line.partition("=")[2].startswith("="):
            return None
        names.append(head.strip())
    return names or None


def _code_stub(indent, lines):
    names = _checkpoint_names(indent, lines)
    if names:
        return [f"{name} = ...  # YOUR ANSWER HERE" for name in dict.fromkeys(names)]
    return [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]


def student_source(text, cell_type, where="cell"):
    """Return the student version of one cell's source text."""
    if cell_type == "code":
        text = _strip_regions(text, BEGIN_HIDDEN, END_HIDDEN, lambda indent, lines: [], where)
        text = _strip_regions(text, BEGIN_SOLUTION, END_SOLUTION, _code_stub, where)
        text = "\n".join(line for line in text.split("\n") if line.strip() != OUTPUT_MARKER)
    elif cell_type == "markdown":
        text = _strip_regions(text, BEGIN_SOLUTION, END_SOLUTION, lambda indent, lines: ["YOUR ANSWER HERE"], where)
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


def _points_of(exercise_id):
    from ..checking import registry
    try:
        return registry.get(exercise_id).points
    except KeyError:
        raise ReleaseError(f"a check cell checks {exercise_id!r}, which is not a registered exercise") from None


def with_nbgrader_metadata(nb, points_of=_points_of):
    """The solution notebook with every cell's nbgrader metadata as ``files.cells`` defines
    it (the input is not changed). Only the first check cell of an exercise is a grade
    cell: nbgrader would otherwise count its points twice."""
    out = copy.deepcopy(nb)
    graded = set()
    for cell in out["cells"]:
        meta = cell.setdefault("metadata", {})
        wanted = None
        if cell.get("cell_type") == "code":
            source = nbjson.source_of(cell)
            wanted = nbgrader_metadata(source, points_of)
            if wanted and wanted["grade"]:
                if wanted["grade_id"] in graded:
                    wanted = None
                else:
                    graded.add(wanted["grade_id"])
        if wanted is None:
            meta.pop("nbgrader", None)
        else:
            meta["nbgrader"] = wanted
    return out


def release(solutions_dir="solutions", notebooks_dir="notebooks", check=False, only=None):
    """Generate (or with ``check=True`` only compare) student notebooks, and keep the
    solutions' nbgrader metadata in step.

    Returns a list of problems as strings: with ``check`` the stale, missing or extra
    notebooks and solutions whose nbgrader metadata is missing or stale; without it the
    empty list (files are written only when they change).
    """
    problems = []
    pairs = _pairs(solutions_dir, notebooks_dir, only)
    for src, dst in pairs:
        original = nbjson.read(src)
        solution = with_nbgrader_metadata(original)
        if solution != original:
            if check:
                problems.append(f"{src} lacks up-to-date nbgrader metadata")
            else:
                atomic.write_text(src, nbjson.dumps(solution))
        text = nbjson.dumps(student_notebook(solution, os.path.basename(src)))
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
