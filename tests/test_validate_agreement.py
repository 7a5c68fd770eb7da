"""``validate`` agrees with ``grade`` on the grader's own hardest classes (slow).

The hostile class of test_grading_hostile.py (traps, floods, links, FIFOs, sparse files,
a patched sandbox...) and the whole-course class of test_grading_course.py (missing,
extra, renamed files, two students in one folder, a broken notebook) are graded once
with ``course-utils grade``; then each student's own files are validated with the same
options. Every (student, exercise) must get the same verdict, diagnosis and points. A
submission the grader cannot read at all (a link, a FIFO) is refused by validate, and
grade gives it nothing on every exercise.
"""

import csv
import os

import pytest
from test_grading_course import build_course_class
from test_grading_hostile import MEMORY_MB, bait, build_class  # noqa: F401 - bait is a fixture

from course_utils.cli import main as course_utils_main
from course_utils.grading import discovery
from course_utils.grading import validate as validate_mod
from course_utils.grading.limits import Limits

pytestmark = pytest.mark.slow


def _students(folder):
    """{student id as grade names it: the path a student would validate} for a class folder."""
    found = {}
    for name in os.listdir(folder):
        if name.startswith("."):
            continue
        stem = name[:-len(".ipynb")] if name.lower().endswith(".ipynb") else name
        found[discovery.student_id(stem)] = os.path.join(folder, name)
    return found


def _compare(gradebook, folder, exercises, run_limits):
    with open(gradebook, newline="") as fh:
        rows = list(csv.DictReader(fh))
    graded = {}
    for r in rows:
        graded.setdefault(r["student"], {})[r["exercise"]] = (r["passed"], r["diagnosis"], float(r["points"]))
    paths = _students(folder)
    disagreements, compared = [], 0
    for student, by_exercise in graded.items():
        result = validate_mod.run([paths[student]], exercises=exercises, limits=run_limits)
        assert result is not None, student
        if result.graded is None:   # refused outright: grade must have given nothing
            compared += len(by_exercise)
            if any(v[0] == "1" or v[2] != 0 for v in by_exercise.values()):
                disagreements.append(f"{student}: refused by validate, but grade gave {by_exercise}")
            continue
        got = {r.exercise: ("1" if r.passed else "0", "" if r.passed else r.diagnosis, float(r.points))
               for r in result.graded.rows}
        if set(got) != set(by_exercise):
            disagreements.append(f"{student}: validate checked {sorted(got)}, grade graded {sorted(by_exercise)}")
            continue
        for exercise, expected in by_exercise.items():
            compared += 1
            if got[exercise] != expected:
                disagreements.append(f"{student} {exercise}: grade {expected}, validate {got[exercise]}")
    return disagreements, compared, len(graded)


def test_validate_agrees_with_grade_on_the_hostile_class(bait, capsys):  # noqa: F811 - the fixture
    folder = os.path.join(bait["base"], "agreement_class")
    os.makedirs(folder)
    build_class(folder, bait)
    out = os.path.join(bait["base"], "agreement", "gradebook.csv")
    options = ["--timeout", "60", "--cell-timeout", "5", "--call-timeout", "1", "--memory", str(MEMORY_MB)]
    assert course_utils_main(["grade", folder, "--exercises", "01", "--out", out, "--jobs", "2", "--quiet",
                              *options]) in (0, 1)
    capsys.readouterr()
    disagreements, compared, students = _compare(
        out, folder, "01", Limits(timeout=60, cell_timeout=5, call_timeout=1, memory_mb=MEMORY_MB))
    assert not disagreements, "\n".join(disagreements)
    with capsys.disabled():
        print(f"\nhostile class: validate agreed with grade on {compared} verdicts of {students} submissions")


def test_validate_agrees_with_grade_on_the_whole_course_class(tmp_path, capsys):
    folder = tmp_path / "class"
    build_course_class(str(folder))
    out = tmp_path / "out" / "gradebook.csv"
    assert course_utils_main(["grade", str(folder), "--out", str(out), "--jobs", "2", "--quiet"]) == 0
    capsys.readouterr()
    every = ",".join(sorted({n[:2] for n in os.listdir(os.path.join(os.path.dirname(__file__), "..", "solutions"))
                             if n.endswith(".ipynb")}))
    disagreements, compared, students = _compare(out, str(folder), every, Limits())
    assert not disagreements, "\n".join(disagreements)
    with capsys.disabled():
        print(f"\nwhole-course class: validate agreed with grade on {compared} verdicts of {students} submissions")
