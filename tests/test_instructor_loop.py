"""The instructor's whole loop on a real class (slow): students validate, the class is
graded once and in three shards, the shards are merged, then reported and exported.

The class mixes right, wrong and broken notebooks built from the real solution notebook
01 (test_grading_class.variant), a student whose folder holds two notebooks (01 and 02),
one whose notebook is not JSON, one with a renamed function and one with IPython magics.
Checked:
- ``validate`` on each student's own files gives, for every exercise, the verdict,
  diagnosis and points that ``grade`` gives (the grader's own run is the reference);
- grading in 3 shards and merging gives the same gradebook as one run, apart from the
  seconds column;
- the merged gradebook's report and wide CSV name every student.
"""

import csv
import json
import os
import shutil

import pytest
from test_grading_class import variant

from course_utils.checking import registry
from course_utils.cli import main as course_utils_main
from course_utils.files import nbjson
from course_utils.grading import validate as validate_mod
from course_utils.grading.limits import Limits
from course_utils.grading.version import grading_version

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMITS = ["--timeout", "60", "--cell-timeout", "3", "--call-timeout", "1", "--memory", "768"]
EXERCISES = "01,02"   # the instructor grades notebooks 01 and 02; students validate with the same option


def _write(path, nb):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(nb if isinstance(nb, str) else nbjson.dumps(nb))


def build(folder):
    """The class: {student: [its notebook paths]} (a folder per student, as an LMS hands them out)."""
    students = {
        "right": variant(),
        "wrong_prime": variant(replace={"sigmoid_prime": "def sigmoid_prime(u):\n    return u * (1 - u)\n"}),
        "overflow": variant(replace={"sigmoid": "def sigmoid(u):\n    return 1 / (1 + np.exp(-u))\n"}),
        "endless": variant(replace={"numerical_grad": "def numerical_grad(f, w, eps=1e-6):\n    while True:\n"
                                                      "        pass\n"}),
        "raises": variant(replace={"sigmoid_prime": "def sigmoid_prime(u):\n    raise ValueError('oops')\n"}),
        "renamed": variant(replace={"numerical_grad": "def num_grad(f, w, eps=1e-6):\n    return w\n"}),
        "magics": variant(insert_first=["%matplotlib inline\n!echo hi\n", "%%bash\necho cell magic\n"]),
        "not_json": "{ this is not a notebook",
        "empty": {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []},
    }
    paths = {}
    for name, nb in students.items():
        path = os.path.join(folder, name, "01_sigmoid.ipynb")
        _write(path, nb)
        paths[name] = [path]
    two = os.path.join(folder, "two_notebooks")
    _write(os.path.join(two, "01_sigmoid.ipynb"), variant())
    shutil.copy(os.path.join(ROOT, "solutions", "02_one_layer_scalar.ipynb"),
                os.path.join(two, "02_one_layer_scalar.ipynb"))
    paths["two_notebooks"] = sorted(os.path.join(two, n) for n in os.listdir(two))
    return paths


def read(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def verdicts(rows):
    return {(r["student"], r["exercise"]): (r["passed"], r["diagnosis"], r["points"]) for r in rows}


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    base = tmp_path_factory.mktemp("loop")
    folder = base / "submissions"
    paths = build(str(folder))
    one = base / "one" / "gradebook.csv"
    assert course_utils_main(["grade", str(folder), "--out", str(one), "--exercises", EXERCISES,
                              "--jobs", "2", "--quiet", *LIMITS]) == 0
    secret = str(one) + ".secret"          # made by that run; every shard draws from the same secret
    parts = []
    for i in (1, 2, 3):
        part = base / "parts" / f"part{i}.csv"
        assert course_utils_main(["grade", str(folder), "--shard", f"{i}/3", "--out", str(part),
                                  "--secret-file", secret, "--feedback", str(base / "feedback"),
                                  "--exercises", EXERCISES,
                                  "--jobs", "2", "--quiet", *LIMITS]) == 0
        parts.append(str(part))
    merged = base / "gradebook.csv"
    assert course_utils_main(["merge", *parts, "--out", str(merged)]) == 0
    written_by_grade = sorted(p.name for p in (base / "feedback").iterdir())
    assert written_by_grade == sorted(f"{s}.{ext}" for s in paths for ext in ("html", "md"))
    return {"base": base, "paths": paths, "one": one, "parts": parts, "merged": merged}


def test_validate_agrees_with_grade_on_every_exercise(loop, capsys):
    graded = verdicts(read(loop["one"]))
    disagreements, compared = [], 0
    for student, notebooks in loop["paths"].items():
        result = validate_mod.run(notebooks, exercises=EXERCISES,
                                  limits=Limits(timeout=60, cell_timeout=3, call_timeout=1, memory_mb=768))
        assert result is not None and result.graded is not None, student
        for r in result.graded.rows:
            got = ("1" if r.passed else "0", "" if r.passed else r.diagnosis, f"{r.points:g}")
            compared += 1
            if graded[(student, r.exercise)] != got:
                disagreements.append(f"{student} {r.exercise}: grade {graded[(student, r.exercise)]}, validate {got}")
        assert {r.exercise for r in result.graded.rows} == {e for s, e in graded if s == student}
    assert not disagreements, "\n".join(disagreements)
    assert compared == len(graded)
    with capsys.disabled():
        print(f"\nvalidate agreed with grade on all {compared} (student, exercise) verdicts")


def test_validate_names_what_the_grader_refuses(loop, capsys):
    paths = loop["paths"]
    stray = loop["base"] / "notes.txt"
    stray.write_text("not a notebook")
    link = loop["base"] / "02_one_layer_scalar.ipynb"
    link.symlink_to(os.path.join(ROOT, "solutions", "02_one_layer_scalar.ipynb"))   # someone else's work
    assert course_utils_main(["validate", *paths["magics"], str(stray), str(link), *LIMITS]) == 1  # refused files
    out = capsys.readouterr().out
    assert "notes.txt: the grader only reads notebooks" in out
    assert "02_one_layer_scalar.ipynb: not a regular file" in out
    assert "%matplotlib inline" in out and "IPython-only" in out
    assert course_utils_main(["validate", *paths["renamed"], *LIMITS]) == 1
    out = capsys.readouterr().out
    assert "NOT YET (not_implemented)" in out and "No function named `numerical_grad`" in out
    assert course_utils_main(["validate", *paths["not_json"], *LIMITS]) == 1
    assert "NOT YET (not_implemented)" in capsys.readouterr().out
    assert course_utils_main(["validate", *paths["right"], "--exercises", "01,02", *LIMITS]) == 1
    out = capsys.readouterr().out
    in_01, in_02 = (len([e for e in registry.all_exercises() if e.notebook == n]) for n in ("01", "02"))
    assert f"{in_01} of {in_01 + in_02} passed" in out and "No notebook for part 02" in out   # named as missing
    assert course_utils_main(["validate", *paths["right"], *LIMITS]) == 0
    out = capsys.readouterr().out
    best = sum(e.points for e in registry.all_exercises() if e.notebook == "01")
    assert f"{in_01} of {in_01} passed" in out and f"{best:g} / {best:g}" in out


def test_three_shards_merged_equal_one_run(loop, capsys):
    one, merged = read(loop["one"]), read(loop["merged"])
    assert merged == one                                  # the gradebook has no timings: every cell equal
    assert open(loop["merged"]).read() == open(loop["one"]).read()
    sizes = [len({r["student"] for r in read(p)}) for p in loop["parts"]]
    assert sum(sizes) == len(loop["paths"])
    state = json.loads(open(str(loop["merged"]) + ".state.json").read())
    assert state["course_version"] == grading_version()
    with capsys.disabled():
        print(f"\n3 shards ({'+'.join(map(str, sizes))} students) merged: {len(merged)} rows, byte-identical to "
              f"one run")


def test_merged_gradebook_reports_and_exports(loop):
    merged, base = loop["merged"], loop["base"]
    assert course_utils_main(["report", str(merged), "--out", str(base / "report.html"),
                              "--feedback", str(base / "feedback")]) == 0
    html = (base / "report.html").read_text()
    for student in loop["paths"]:
        assert f">{student}</a>" in html and (base / "feedback" / f"{student}.html").exists()
        assert (base / "feedback" / f"{student}.md").exists()          # written by the shards
    assert course_utils_main(["export", str(merged), "--to", "csv", "--out", str(base / "wide.csv")]) == 0
    wide = read(base / "wide.csv")
    rows = read(merged)
    assert {w["student"] for w in wide} == set(loop["paths"])
    for w in wide:
        assert float(w["total"]) == sum(float(r["points"]) for r in rows if r["student"] == w["student"])


def test_notebook_finds_its_own_path_in_a_real_kernel(tmp_path):
    """validate()'s path lookup in a kernel started the way jupyter_server starts one
    (JPY_SESSION_NAME: the notebook's path from the server's root; cwd: its folder)."""
    import nbformat
    from nbclient import NotebookClient

    folder = tmp_path / "course" / "notebooks"
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from course_utils.learner.validate import notebook_path\n"
                                          "print(notebook_path())")]
    path = folder / "03_one_layer_vector.ipynb"
    nbformat.write(nb, str(path))
    os.environ["JPY_SESSION_NAME"] = "notebooks/03_one_layer_vector.ipynb"
    try:
        NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        del os.environ["JPY_SESSION_NAME"]
    assert nb.cells[0].outputs[0]["text"].strip() == str(path)
