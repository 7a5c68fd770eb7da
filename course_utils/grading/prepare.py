"""Turn a submitted notebook's bytes into the code cells the sandbox runs.

Nothing here runs submitted code. ``prepare`` parses the JSON (nbformat 4, and 3, which
Jupyter still opens), keeps the code cells, and replaces IPython-only syntax
(``%magic``, ``%%cell magic``, ``!shell``, ``x = !cmd``, ``obj?``) by ``pass`` with a
note saying what was skipped. Stored outputs are never looked at, whatever their size
(the file as a whole is bounded by ``--max-notebook-mb``). Problems never raise: they
become ``error`` (nothing can be graded) or notes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from . import limits
from .notes import Notes
from .text import printable

__all__ = ["Prepared", "prepare"]

_ASSIGN_MAGIC = re.compile(r"^\s*[\w.,\s\[\]]+=\s*[%!]")
_HELP = re.compile(r"^[\w.]+\?\??$")


@dataclass
class Prepared:
    """A notebook ready to run: ``cells`` [(code cell number, source)], ``notes`` for the
    feedback, ``error`` (a sentence) when nothing can be run."""

    cells: list[tuple[int, str]] = field(default_factory=list)
    notes: Notes = field(default_factory=Notes)
    error: str | None = None


def _rewrite(source: str, number: int, notes: Notes) -> str:
    lines = source.splitlines()
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if first.startswith("%%"):
        notes.add(f"code cell {number}: the cell magic `{printable(first.split()[0], 40)}` is IPython-only; "
                     "the cell was skipped")
        return ""
    out = []
    for i, line in enumerate(lines, 1):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped.startswith(("%", "!")) or _ASSIGN_MAGIC.match(line) or (
                stripped.endswith("?") and not stripped.startswith("#") and _HELP.match(stripped)):
            notes.add(f"code cell {number}, line {i}: `{printable(stripped, 60)}` is IPython-only and was skipped")
            out.append(indent + "pass")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _source(cell: dict[str, object], key: str) -> str | None:
    src = cell.get(key, "")
    if type(src) is str:
        return src
    if type(src) is list and all(type(s) is str for s in src):
        return "".join(src)
    return None


def _code_cells(nb: object) -> tuple[list[tuple[int, str | None]], str | None]:
    """[(code cell number, source or None if unreadable)] and an error, for v4 and v3."""
    if type(nb) is not dict:
        return [], "it is not a Jupyter notebook (the file is not a JSON object)"
    version = nb.get("nbformat")
    if version == 3 or (version is None and type(nb.get("worksheets")) is list):
        sheets = nb.get("worksheets")
        if type(sheets) is not list:
            return [], "it is an nbformat 3 notebook without worksheets"
        cells: list[object] = []
        for sheet in sheets:
            if type(sheet) is dict and type(sheet.get("cells")) is list:
                cells.extend(sheet["cells"])
        key = "input"
    elif version in (4, None) and type(nb.get("cells")) is list:
        cells, key = nb["cells"], "source"
    elif type(version) is int and version < 3:
        return [], f"it is an nbformat {version} notebook: open it in Jupyter and save it to convert it"
    else:
        return [], "it is not a Jupyter notebook (no list of cells)"
    if len(cells) > limits.MAX_CELLS:
        return [], f"it has {len(cells):,} cells, more than the {limits.MAX_CELLS:,} allowed"
    found: list[tuple[int, str | None]] = []
    number = 0
    for cell in cells:
        if type(cell) is not dict or cell.get("cell_type") != "code":
            continue
        number += 1
        found.append((number, _source(cell, key)))
    return found, None


def prepare(data: bytes) -> Prepared:
    """The runnable code of the notebook whose file holds ``data``; never raises."""
    prep = Prepared()
    try:
        nb = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        prep.error = f"it is not a valid Jupyter notebook ({printable(exc, 160)})"
        return prep
    except MemoryError:
        prep.error = "it could not be read (out of memory)"
        return prep
    cells, error = _code_cells(nb)
    del nb
    if error:
        prep.error = error
        return prep
    size = 0
    for number, source in cells:
        if source is None:
            prep.notes.add(f"code cell {number} could not be read (its source is not text) and was skipped")
            continue
        size += len(source.encode("utf-8", "surrogatepass"))
        if size > limits.MAX_CODE_BYTES:
            prep.error = (f"it has more than {limits.MAX_CODE_BYTES // limits.MB} MB of code "
                          "(outputs are not counted)")
            prep.cells = []
            return prep
        code = _rewrite(source, number, prep.notes)
        if code.strip():
            prep.cells.append((number, code))
    if not prep.cells:
        prep.notes.add("the notebook has no code")
    return prep
