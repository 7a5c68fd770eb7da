"""Read a submitted notebook as plain JSON and prepare its code cells for the sandbox.

Nothing here runs submitted code. ``prepare`` returns the code cells with IPython-only
syntax (``%magic``, ``%%cell magic``, ``!shell``, ``x = !cmd``, ``obj?``) replaced by
``pass``, plus notes saying what was skipped, so the feedback can tell the learner.
``notebook_numbers`` guesses which course notebook(s) a submission answers.
"""

import os
import re

from ..files import nbjson

MAX_NOTEBOOK_BYTES = 20 * 2 ** 20
_NUMBER_IN_NAME = re.compile(r"^(\d\d)(?:[_\-. ]|$)")
_CHECK_ID = re.compile(r"""["'](\d\d)\.[A-Za-z_]\w*["']""")
_ASSIGN_MAGIC = re.compile(r"^\s*[\w.,\s\[\]]+=\s*[%!]")


class Prepared:
    """A notebook ready to run: ``cells`` [(number, source)], ``notes``, ``error``."""

    def __init__(self, path):
        self.path = path
        self.cells = []
        self.notes = []
        self.error = None
        self.text = ""


def _rewrite(source, number, notes):
    lines = source.splitlines()
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if first.startswith("%%"):
        notes.append(f"code cell {number}: the cell magic `{first.split()[0]}` is IPython-only; the cell was skipped")
        return ""
    out = []
    for i, line in enumerate(lines, 1):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped.startswith(("%", "!")) or _ASSIGN_MAGIC.match(line) or (
                stripped.endswith("?") and not stripped.startswith("#") and re.match(r"^[\w.]+\?\??$", stripped)):
            notes.append(f"code cell {number}, line {i}: `{stripped[:60]}` is IPython-only and was skipped")
            out.append(indent + "pass")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def prepare(path):
    """Read and prepare one notebook; never raises (problems go to ``error``)."""
    prep = Prepared(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_NOTEBOOK_BYTES:
            prep.error = f"the notebook is {size / 2 ** 20:.0f} MB, more than the {MAX_NOTEBOOK_BYTES // 2 ** 20} MB allowed"
            return prep
        nb = nbjson.read(path)
    except (ValueError, UnicodeDecodeError) as exc:
        prep.error = f"the notebook could not be read: it is not a valid Jupyter notebook ({str(exc)[:200]})"
        return prep
    except (OSError, RecursionError) as exc:
        prep.error = f"the notebook could not be read ({type(exc).__name__})"
        return prep
    number = 0
    texts = []
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        number += 1
        try:
            source = nbjson.source_of(cell)
        except Exception:  # noqa: BLE001 - a malformed source list
            prep.notes.append(f"code cell {number} could not be read and was skipped")
            continue
        texts.append(source)
        code = _rewrite(source, number, prep.notes)
        if code.strip():
            prep.cells.append((number, code))
    prep.text = "\n".join(texts)
    if not prep.cells:
        prep.notes.append("the notebook has no code")
    return prep


def notebook_numbers(path, prepared, exercises):
    """The course notebook numbers ("01", ...) this notebook answers, best guess first:
    the file name's leading number, else the exercise ids its check() calls name,
    else the notebooks whose exercise functions it defines."""
    known = {ex.notebook for ex in exercises}
    m = _NUMBER_IN_NAME.match(os.path.basename(path))
    if m and m.group(1) in known:
        return [m.group(1)]
    text = prepared.text
    ids = [n for n in dict.fromkeys(_CHECK_ID.findall(text)) if n in known]
    if ids:
        return ids
    counts = {}
    for ex in exercises:
        if re.search(rf"^\s*def\s+{re.escape(ex.function_name)}\s*\(", text, re.M):
            counts[ex.notebook] = counts.get(ex.notebook, 0) + 1
    return sorted(counts, key=lambda n: -counts[n])[:1]
