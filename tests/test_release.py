"""The release tool: nbgrader's markers turned into student code, deterministically."""

import glob
import json
import os
import shutil
import subprocess
import sys

import pytest

from course_utils.authoring.release import ReleaseError, release, student_notebook, student_source
from course_utils.files import nbjson

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = sorted(glob.glob(os.path.join(ROOT, "solutions", "*.ipynb")))
STUDENT = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))


def test_solution_region_becomes_placeholder_at_its_indentation():
    src = "def f(x):\n    \"\"\"doc\"\"\"\n    ### BEGIN SOLUTION\n    y = x * 2\n    return y\n    ### END SOLUTION\n"
    out = student_source(src, "code")
    assert out == 'def f(x):\n    """doc"""\n    # YOUR CODE HERE\n    raise NotImplementedError()'


def test_hidden_tests_dropped_and_markdown_answer():
    src = "check('01.sigmoid', sigmoid)\n### BEGIN HIDDEN TESTS\nassert secret()\n### END HIDDEN TESTS\nprint(1)"
    assert student_source(src, "code") == "check('01.sigmoid', sigmoid)\nprint(1)"
    md = "Explain:\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    assert student_source(md, "markdown") == "Explain:\nYOUR ANSWER HERE"


@pytest.mark.parametrize("src", [
    "### BEGIN SOLUTION\nx = 1\n",
    "x = 1\n### END SOLUTION\n",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
])
def test_malformed_regions_are_errors(src):
    with pytest.raises(ReleaseError):
        student_source(src, "code")


def _nb(cells):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


def _code(src, tags=None, outputs=None):
    cell = {"cell_type": "code", "id": "x", "metadata": {}, "source": src,
            "outputs": outputs or [], "execution_count": 3 if outputs else None}
    if tags:
        cell["metadata"]["tags"] = tags
    return cell


def test_outputs_cleared_hidden_cells_dropped_input_untouched():
    nb = _nb([
        _code("print(1)", outputs=[{"output_type": "stream", "name": "stdout", "text": "1\n"}]),
        _code("secret = 42", tags=["hidden"]),
    ])
    before = json.dumps(nb, sort_keys=True)
    out = student_notebook(nb)
    assert json.dumps(nb, sort_keys=True) == before
    assert len(out["cells"]) == 1
    assert out["cells"][0]["outputs"] == [] and out["cells"][0]["execution_count"] is None


def test_release_writes_and_check_detects_stale_missing_extra(tmp_path):
    sol, stu = tmp_path / "solutions", tmp_path / "notebooks"
    sol.mkdir()
    nb = _nb([_code("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n")])
    (sol / "01_a.ipynb").write_text(nbjson.dumps(nb))
    assert release(str(sol), str(stu), check=True) == [
        f"{sol / '01_a.ipynb'} lacks up-to-date nbgrader metadata", f"{stu / '01_a.ipynb'} is missing"]
    assert release(str(sol), str(stu)) == []
    written = nbjson.read(str(sol / "01_a.ipynb"))["cells"][0]["metadata"]["nbgrader"]
    assert written["solution"] is True and written["grade_id"] == "f_solution"
    assert release(str(sol), str(stu), check=True) == []
    text = (stu / "01_a.ipynb").read_text()
    assert "raise NotImplementedError()" in text and "return 1" not in text
    (stu / "01_a.ipynb").write_text(text.replace("YOUR CODE HERE", "edited by hand"))
    assert release(str(sol), str(stu), check=True) == [f"{stu / '01_a.ipynb'} is stale"]
    (stu / "99_orphan.ipynb").write_text(text)
    problems = release(str(sol), str(stu), check=True)
    assert any("has no solution notebook" in p for p in problems)


def test_nbjson_rejects_non_notebooks(tmp_path):
    bad = tmp_path / "x.ipynb"
    bad.write_text("[1, 2]")
    with pytest.raises(ValueError):
        nbjson.read(str(bad))


def test_checkpoint_region_becomes_an_ellipsis_so_the_notebook_still_runs():
    src = ("### BEGIN SOLUTION\ndw_shape = (3,)\nfactor = 'b'  # the second choice\n### END SOLUTION\n"
           "check('03.x', dw_shape)")
    out = student_source(src, "code")
    assert out == "dw_shape = ...  # YOUR ANSWER HERE\nfactor = ...  # YOUR ANSWER HERE\ncheck('03.x', dw_shape)"
    ns = {"check": lambda *a: None}
    exec(out, ns)  # runs: no NotImplementedError at the top level
    assert ns["dw_shape"] is Ellipsis


def test_a_top_level_region_that_computes_is_still_a_code_stub():
    src = "### BEGIN SOLUTION\nfor i in range(3):\n    print(i)\n### END SOLUTION"
    assert student_source(src, "code") == "# YOUR CODE HERE\nraise NotImplementedError()"
    src = "### BEGIN SOLUTION\nx == 1\n### END SOLUTION"
    assert "raise NotImplementedError()" in student_source(src, "code")


def test_output_markers_are_for_the_tests_not_the_student():
    src = "# NBVAL_CHECK_OUTPUT\ncheck('01.sigmoid', sigmoid)"
    assert student_source(src, "code") == "check('01.sigmoid', sigmoid)"
    assert "# NBVAL_CHECK_OUTPUT" not in "".join(
        "".join(c["source"]) for p in STUDENT for c in nbjson.read(p)["cells"])


def test_release_check_fails_when_nbgrader_metadata_is_missing(tmp_path):
    sol, stu = tmp_path / "solutions", tmp_path / "notebooks"
    sol.mkdir()
    nb = _nb([_code("check('01.sigmoid', sigmoid)")])
    (sol / "01_a.ipynb").write_text(nbjson.dumps(nb))
    release(str(sol), str(stu))
    meta = nbjson.read(str(sol / "01_a.ipynb"))["cells"][0]["metadata"]["nbgrader"]
    assert meta["grade"] is True and meta["points"] == 1 and meta["locked"] is True
    assert release(str(sol), str(stu), check=True) == []
    stripped = nbjson.read(str(sol / "01_a.ipynb"))
    stripped["cells"][0]["metadata"].pop("nbgrader")
    (sol / "01_a.ipynb").write_text(nbjson.dumps(stripped))
    assert release(str(sol), str(stu), check=True) == [f"{sol / '01_a.ipynb'} lacks up-to-date nbgrader metadata"]


def test_a_check_of_an_unknown_exercise_is_a_release_error(tmp_path):
    sol, stu = tmp_path / "solutions", tmp_path / "notebooks"
    sol.mkdir()
    (sol / "01_a.ipynb").write_text(nbjson.dumps(_nb([_code("check('01.nope', f)")])))
    with pytest.raises(ReleaseError, match="01.nope"):
        release(str(sol), str(stu))


def test_jupytext_round_trip_keeps_outputs_ids_and_metadata(tmp_path):
    """The authoring workflow (README): a solution notebook edited as a percent-format
    script and written back with ``--update`` loses nothing: outputs, cell ids, nbgrader
    metadata, alt text. Every notebook through jupytext's API (what ``--update`` does)."""
    import jupytext
    from jupytext.combine import combine_inputs_with_outputs
    for path in SOLUTIONS:
        nb = jupytext.read(path)
        text = jupytext.writes(nb, fmt="py:percent")
        back = combine_inputs_with_outputs(jupytext.reads(text, fmt="py:percent"), nb, fmt="py:percent")
        assert json.loads(jupytext.writes(back, fmt="ipynb")) == json.loads(open(path, encoding="utf-8").read()), path


@pytest.mark.slow
def test_the_documented_jupytext_commands_edit_one_cell_only(tmp_path):
    """README's two commands, run as an author runs them, on one solution notebook."""
    path = SOLUTIONS[3]
    script, copy_path = tmp_path / "draft.py", tmp_path / os.path.basename(path)
    shutil.copy(path, copy_path)
    subprocess.run([sys.executable, "-m", "jupytext", "--to", "py:percent", path, "-o", str(script), "-q"],
                   check=True, cwd=ROOT)
    script.write_text(script.read_text().replace("# %% [markdown]\n# # ", "# %% [markdown]\n# # Edited: ", 1))
    subprocess.run([sys.executable, "-m", "jupytext", "--update", "--to", "notebook", str(script),
                    "-o", str(copy_path), "-q"], check=True, cwd=ROOT)
    before, after = json.loads(open(path, encoding="utf-8").read()), json.loads(copy_path.read_text())
    assert after["metadata"] == before["metadata"]
    changed = [i for i, (a, b) in enumerate(zip(after["cells"], before["cells"], strict=True)) if a != b]
    assert changed == [0] and "Edited: " in "".join(after["cells"][0]["source"])
