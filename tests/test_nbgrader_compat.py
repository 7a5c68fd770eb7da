"""nbgrader compatibility: an instructor who uses nbgrader can drop solutions/ into a course.

(a) Always: the nbgrader cell metadata in every solution notebook is what nbgrader expects
    (schema version 3): exercise cells (holding ``### BEGIN SOLUTION``) are solution
    cells; the cells calling ``check("NN.name", ...)`` are locked grade cells worth the
    registry's points; grade ids are valid and unique within a notebook; each exercise
    is graded once; every exercise registered for a notebook is graded in it.
(b) Only when nbgrader is installed: ``nbgrader generate_assignment`` on solutions/ gives
    the same student code as our release tool (course_utils.authoring.release.student_notebook),
    code cell by code cell, after normalising whitespace. nbgrader is not in
    requirements.txt; to run this: ``pip install nbgrader`` then
    ``pytest tests/test_nbgrader_compat.py``.
"""

import glob
import os
import re
import shutil
import subprocess
import sys

import pytest

from course_utils.authoring.release import HIDDEN_TAGS, student_notebook
from course_utils.checking import registry
from course_utils.files import nbjson
from course_utils.files.cells import BEGIN_SOLUTION, CHECK_CALL

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = sorted(glob.glob(os.path.join(ROOT, "solutions", "*.ipynb")))
NAMES = [os.path.basename(p) for p in SOLUTIONS]

GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]+$")  # what nbgrader accepts as a grade id
SCHEMA_VERSION = 3


def _source(cell):
    return nbjson.source_of(cell)


def _nbgrader(cell):
    return (cell.get("metadata") or {}).get("nbgrader")


def _graded_ids(nb):
    """Exercise ids checked by the notebook's grade cells, in order."""
    ids = []
    for cell in nb["cells"]:
        meta = _nbgrader(cell)
        if cell.get("cell_type") == "code" and meta and meta.get("grade"):
            m = CHECK_CALL.search(_source(cell))
            if m:
                ids.append(m.group(1))
    return ids


# --------------------------------------------------------------------------- (a) metadata


@pytest.mark.skipif(not SOLUTIONS, reason="no solution notebooks yet")
@pytest.mark.parametrize("path", SOLUTIONS, ids=NAMES)
def test_nbgrader_cell_metadata(path):
    nb = nbjson.read(path)
    name = os.path.basename(path)
    problems = []
    grade_ids = {}
    for index, cell in enumerate(nb["cells"]):
        where = f"{name} cell {index}"
        meta = _nbgrader(cell)
        text = _source(cell)
        if meta is not None:
            if meta.get("schema_version") != SCHEMA_VERSION:
                problems.append(f"{where}: nbgrader schema_version {meta.get('schema_version')!r}, not 3")
            gid = meta.get("grade_id")
            if meta.get("grade") or meta.get("solution") or meta.get("locked") or meta.get("task"):
                if not isinstance(gid, str) or not GRADE_ID.match(gid):
                    problems.append(f"{where}: grade_id {gid!r} is not a valid nbgrader id")
                elif gid in grade_ids:
                    problems.append(f"{where}: grade_id {gid!r} already used by cell {grade_ids[gid]}")
                else:
                    grade_ids[gid] = index
            for key in ("grade", "solution", "locked", "task"):
                if not isinstance(meta.get(key, False), bool):
                    problems.append(f"{where}: nbgrader {key} is {meta.get(key)!r}, not a bool")
            if meta.get("solution") and meta.get("locked"):
                problems.append(f"{where}: a solution cell must not be locked")

        if BEGIN_SOLUTION in text:
            if not meta or meta.get("solution") is not True:
                problems.append(f"{where}: holds {BEGIN_SOLUTION} but is not an nbgrader solution cell")
            elif cell.get("cell_type") == "code" and meta.get("grade") is not False:
                problems.append(f"{where}: exercise cell should have grade false (the check cell grades it)")
            continue
        if meta and meta.get("solution"):
            problems.append(f"{where}: nbgrader solution cell without {BEGIN_SOLUTION}: "
                            "nbgrader would leave the answer in the student version")

        m = CHECK_CALL.search(text) if cell.get("cell_type") == "code" else None
        if meta and meta.get("grade"):
            if not m:
                problems.append(f"{where}: grade cell that calls no check(\"NN.name\", ...)")
                continue
            ex_id = m.group(1)
            try:
                ex = registry.get(ex_id)
            except KeyError:
                problems.append(f"{where}: grade cell checks unregistered exercise {ex_id!r}")
                continue
            if meta.get("locked") is not True:
                problems.append(f"{where}: grade cell for {ex_id} is not locked")
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)):
                problems.append(f"{where}: grade cell for {ex_id} has points {points!r}")
            elif points != ex.points:
                problems.append(f"{where}: {ex_id} is worth {ex.points} points in the registry, "
                                f"{points} in nbgrader metadata")
            if not name.startswith(ex.notebook + "_"):
                problems.append(f"{where}: grades {ex_id}, which belongs to notebook {ex.notebook}")

    graded = _graded_ids(nb)
    for ex_id in sorted(set(graded)):
        if graded.count(ex_id) > 1:
            problems.append(f"{name}: {ex_id} is graded by {graded.count(ex_id)} cells "
                            "(nbgrader would count its points that many times)")
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not SOLUTIONS, reason="no solution notebooks yet")
@pytest.mark.parametrize("path", SOLUTIONS, ids=NAMES)
def test_every_registered_exercise_is_graded(path):
    """nbgrader's total for a notebook is the sum of its grade cells: an exercise in the
    registry but not checked in its notebook would be missing from the gradebook."""
    name = os.path.basename(path)
    graded = _graded_ids(nbjson.read(path))
    missing = [ex.id for ex in registry.all_exercises() if ex.notebook == name[:2] and ex.id not in graded]
    assert not missing, f"{name}: registered exercises with no graded check cell: {missing}"


def test_metadata_checker_catches_bad_metadata(tmp_path, monkeypatch):
    """The test above really fails on what nbgrader rejects (a duplicate grade id,
    wrong points, a solution cell without metadata)."""
    import nbformat

    ex = registry.all_exercises()[0]
    nb = nbformat.v4.new_notebook()
    sol = nbformat.v4.new_code_cell(f"def f(x):\n    {BEGIN_SOLUTION}\n    return x\n    ### END SOLUTION")
    chk = nbformat.v4.new_code_cell(f'check("{ex.id}", f)')
    chk.metadata["nbgrader"] = {"grade": True, "grade_id": "c1", "locked": True, "points": ex.points + 1,
                                "schema_version": 3, "solution": False, "task": False}
    dup = nbformat.v4.new_code_cell(f'check("{ex.id}", f)')
    dup.metadata["nbgrader"] = dict(chk.metadata["nbgrader"], points=ex.points)
    nb.cells = [sol, chk, dup]
    path = tmp_path / f"{ex.notebook}_bad.ipynb"
    nbformat.write(nb, str(path))
    with pytest.raises(AssertionError) as info:
        test_nbgrader_cell_metadata(str(path))
    text = str(info.value)
    assert "is not an nbgrader solution cell" in text
    assert "already used" in text
    assert f"worth {ex.points} points in the registry, {ex.points + 1}" in text
    assert "graded by 2 cells" in text


# --------------------------------------------------------------------------- (b) nbgrader itself


def _normalise(text):
    """Code text with trailing spaces, blank-line runs and end blank lines removed."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    out = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def _code_cells(nb):
    return [_normalise(_source(c)) for c in nb["cells"]
            if c.get("cell_type") == "code"
            and not set((c.get("metadata") or {}).get("tags") or []) & HIDDEN_TAGS]


def _run_nbgrader(course, env, notebook=None):
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", "course",
           f"--CourseDirectory.root={course}", "--no-db", "--force"]
    if notebook:
        cmd.append(f"--notebook={notebook}")
    return subprocess.run(cmd, cwd=str(course), env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not SOLUTIONS, reason="no solution notebooks yet")
def test_nbgrader_generate_assignment_matches_release(tmp_path):
    pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install nbgrader to run this)")
    course = tmp_path / "nbgrader-course"
    source = course / "source" / "course"
    source.mkdir(parents=True)
    for path in SOLUTIONS:
        shutil.copy(path, source)
    env = dict(os.environ)
    for name in ("config", "data", "runtime"):  # never read or write the user's Jupyter set-up
        (tmp_path / name).mkdir()
        env[f"JUPYTER_{name.upper()}_DIR"] = str(tmp_path / name)
    env.pop("JUPYTER_CONFIG_PATH", None)
    env.pop("JUPYTER_PATH", None)

    # nbgrader gives up on the whole assignment when one notebook's metadata is invalid:
    # validate each with nbgrader's own validator first, set those aside, run on the rest.
    import nbformat
    from nbgrader.nbgraderformat import MetadataValidator

    failures = {}
    for name in NAMES:
        try:
            MetadataValidator().validate_nb(nbformat.read(str(source / name), as_version=4))
        except Exception as err:  # nbgrader's ValidationError and friends
            failures[name] = f"nbgrader refused it: {err}".splitlines()[0]
            os.remove(source / name)
    proc = _run_nbgrader(course, env)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.splitlines()[-15:])
        pytest.fail(f"nbgrader generate_assignment failed:\n{tail}\n" + "\n".join(
            f"{n}: {why}" for n, why in failures.items()))

    release = course / "release" / "course"
    for path, name in zip(SOLUTIONS, NAMES, strict=True):
        if name in failures:
            continue
        generated = release / name
        if not generated.exists():
            failures[name] = "nbgrader wrote no student version"
            continue
        ours = _code_cells(student_notebook(nbjson.read(path), name))
        theirs = _code_cells(nbjson.read(str(generated)))
        if len(ours) != len(theirs):
            failures[name] = f"{len(ours)} code cells from our release, {len(theirs)} from nbgrader"
            continue
        for k, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            if a != b:
                failures[name] = f"code cell {k} differs:\n--- ours\n{a}\n--- nbgrader\n{b}"
                break
    assert not failures, "\n".join(f"{n}: {why}" for n, why in failures.items())
