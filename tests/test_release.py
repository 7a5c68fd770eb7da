"""The release tool: nbgrader's markers turned into student code, deterministically."""

import json

import pytest

from course_utils.authoring.release import ReleaseError, release, student_notebook, student_source
from course_utils.files import nbjson


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
    assert release(str(sol), str(stu), check=True) == [f"{stu / '01_a.ipynb'} is missing"]
    assert release(str(sol), str(stu)) == []
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
