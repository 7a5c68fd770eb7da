"""Authoring helper: convert between a solution notebook and a percent-format script.

    python tools/nbpy.py to-ipynb draft.py solutions/03_one_layer_vector.ipynb
    python tools/nbpy.py to-py solutions/03_one_layer_vector.ipynb draft.py

The notebook in solutions/ is the source of truth; the script is a convenient view for
editing long markdown and code in a text editor. Cells start at ``# %%`` (code) or
``# %% [markdown]`` (markdown lines written as ``# text``); ``# %% tags=["hidden"]`` sets
tags. nbgrader metadata is added: solution cells (holding ``### BEGIN SOLUTION``) are
``solution: true``; cells calling ``check("NN.name", ...)`` are graded cells worth the
exercise's points. After converting, run ``course-utils execute <notebook>`` to store
outputs, then ``course-utils release``.
"""

import json
import re
import sys

import nbformat

# check("NN.name", ...) or course_utils.check(...), but not run_check(...) and the like
CHECK_CALL = re.compile(r"""(?<!\w)check\(\s*["'](\d\d\.\w+)["']""")
DEF = re.compile(r"^def (\w+)\(", re.M)


def _cells(text):
    cells = []
    current = None
    for line in text.splitlines():
        if line.startswith("# %%"):
            if current:
                cells.append(current)
            kind = "markdown" if "[markdown]" in line else "code"
            tags = []
            m = re.search(r"tags=(\[.*\])", line)
            if m:
                tags = json.loads(m.group(1))
            current = {"kind": kind, "lines": [], "tags": tags}
            continue
        if current is None:
            continue
        if current["kind"] == "markdown":
            line = line[2:] if line.startswith("# ") else line[1:] if line.startswith("#") else line
        current["lines"].append(line)
    if current:
        cells.append(current)
    return cells


def nbgrader_metadata(source, points_of):
    """Return nbgrader cell metadata for a code cell's source, or None for an ordinary cell."""
    if "### BEGIN SOLUTION" in source:
        names = DEF.findall(source)
        return {"grade": False, "grade_id": f"{names[0] if names else 'solution'}_solution",
                "locked": False, "schema_version": 3, "solution": True, "task": False}
    m = CHECK_CALL.search(source)
    if m:
        ex_id = m.group(1)
        return {"grade": True, "grade_id": "check_" + ex_id.replace(".", "_"), "locked": True,
                "points": points_of(ex_id), "schema_version": 3, "solution": False, "task": False}
    return None


def _points_of(ex_id):
    try:
        from course_utils.checking import registry
        return registry.get(ex_id).points
    except Exception:
        return 1


def to_ipynb(script, out):
    """Write the notebook made from a percent-format ``script`` to ``out``."""
    with open(script, encoding="utf-8") as fh:
        parsed = _cells(fh.read())
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    graded = set()  # nbgrader needs unique grade ids: only the first check of an exercise grades
    for c in parsed:
        text = "\n".join(c["lines"]).strip("\n")
        if c["kind"] == "markdown":
            cell = nbformat.v4.new_markdown_cell(text)
        else:
            cell = nbformat.v4.new_code_cell(text)
            meta = nbgrader_metadata(text, _points_of)
            if meta and meta["grade"]:
                if meta["grade_id"] in graded:
                    meta = None
                else:
                    graded.add(meta["grade_id"])
            if meta:
                cell.metadata["nbgrader"] = meta
        if c["tags"]:
            cell.metadata["tags"] = c["tags"]
        nb.cells.append(cell)
    # stable cell ids so regenerated notebooks diff cleanly
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"
    nbformat.write(nb, out)


def to_py(notebook, out):
    """Write a percent-format script view of ``notebook`` to ``out``."""
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags")
        suffix = f" tags={json.dumps(tags)}" if tags else ""
        if cell.cell_type == "markdown":
            body = "\n".join(("# " + l) if l else "#" for l in cell.source.splitlines())
            parts.append(f"# %% [markdown]{suffix}\n{body}")
        else:
            parts.append(f"# %%{suffix}\n{cell.source}")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n\n".join(parts) + "\n")


if __name__ == "__main__":
    command, src, dst = sys.argv[1:4]
    {"to-ipynb": to_ipynb, "to-py": to_py}[command](src, dst)
