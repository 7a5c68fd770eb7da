"""Whole-course grading: every student hands in all 11 notebooks, some missing, some
extra, some renamed, one folder holding two students' notebooks; and a run killed with
``kill -9`` half-way resumes to the very gradebook an uninterrupted run writes.

The solution notebooks (``solutions/``) are right by construction (the test suite runs
each one and fails on any failed check); the released student notebooks (``notebooks/``)
raise NotImplementedError in every exercise. So each student's expected score follows
from which file they handed in for which notebook, by the file-name rule alone.
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from test_grading_leakcheck import _reap_zombies, descendants, no_leaks  # noqa: F401 - no_leaks is autouse

from course_utils.checking import registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(ROOT, "solutions")
RELEASE = os.path.join(ROOT, "notebooks")
NAMES = sorted(n for n in os.listdir(SOLUTIONS) if n.endswith(".ipynb"))
NUMBERS = [n[:2] for n in NAMES]
EXERCISES = registry.all_exercises()
GRADE = [sys.executable, "-m", "course_utils", "grade"]


def _copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy(src, dst)


def _right(numbers):
    return {e.id: (True, None) for e in EXERCISES if e.notebook in numbers}


def _missing(numbers):
    return {e.id: (False, "not_implemented") for e in EXERCISES if e.notebook in numbers}


def build_course_class(folder):
    """Write the class; returns {student: {exercise id: (passed, diagnosis or None)}}."""
    if len(NAMES) != 11:
        pytest.fail(f"expected the 11 solution notebooks in {SOLUTIONS}, found {NAMES}")
    expected = {}
    for name in NAMES:                                    # complete, with the release's names
        _copy(os.path.join(SOLUTIONS, name), os.path.join(folder, "complete", name))
    expected["complete"] = _right(NUMBERS)
    for name in NAMES:                                    # 05 missing: costs 05 only
        if not name.startswith("05"):
            _copy(os.path.join(SOLUTIONS, name), os.path.join(folder, "missing_05", "ps", name))
    expected["missing_05"] = {**_right(NUMBERS), **_missing(["05"])}
    for name in NAMES:                                    # extras and a checkpoint folder: ignored
        _copy(os.path.join(SOLUTIONS, name), os.path.join(folder, "extra", name))
    _copy(os.path.join(RELEASE, NAMES[1]), os.path.join(folder, "extra", ".ipynb_checkpoints", NAMES[1]))
    _copy(os.path.join(SOLUTIONS, NAMES[3]), os.path.join(folder, "extra", "11_bonus.ipynb"))
    _copy(os.path.join(RELEASE, NAMES[2]), os.path.join(folder, "extra", "scratch.ipynb"))
    expected["extra"] = _right(NUMBERS)
    renamed = {"01": "01-Sigmoid (1).ipynb", "02": "02.ipynb", "03": "3_one_layer.ipynb", "04": "batch.ipynb"}
    for name, number in zip(NAMES, NUMBERS, strict=True):  # renamed: a file must start with its number
        _copy(os.path.join(SOLUTIONS, name), os.path.join(folder, "renamed", renamed.get(number, name)))
    expected["renamed"] = {**_right(NUMBERS), **_missing(["03", "04"])}
    # One folder holding two students' notebooks: the one nearest the top is graded.
    for name in NAMES:
        _copy(os.path.join(SOLUTIONS, name), os.path.join(folder, "frank", name))
        _copy(os.path.join(RELEASE, name), os.path.join(folder, "frank", "gina", name))
    expected["frank"] = _right(NUMBERS)
    for name in NAMES:                                    # the release for 01-04, solutions after
        source = RELEASE if name[:2] <= "04" else SOLUTIONS
        _copy(os.path.join(source, name), os.path.join(folder, "half", name))
    expected["half"] = {**_right(NUMBERS), **_missing(["00", "01", "02", "03", "04"])}
    _copy(os.path.join(SOLUTIONS, NAMES[3]), os.path.join(folder, "only_03", NAMES[3]))   # 03 earns nothing in 01
    expected["only_03"] = {**_missing(NUMBERS), **_right(["03"])}
    for name in NAMES:                                    # one broken notebook costs that notebook only
        target = os.path.join(folder, "broken_08", name)
        _copy(os.path.join(SOLUTIONS, name), target)
        if name.startswith("08"):
            with open(target, "w") as fh:
                fh.write('{"cells": [')
    expected["broken_08"] = {**_right(NUMBERS), **_missing(["08"])}
    return expected


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_whole_course_class(tmp_path):
    folder = tmp_path / "class"
    expected = build_course_class(str(folder))
    out, feedback = tmp_path / "out" / "gradebook.csv", tmp_path / "out" / "feedback"
    proc = subprocess.run([*GRADE, str(folder), "--out", str(out), "--feedback", str(feedback), "--quiet"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = _rows(out)
    assert {r["exercise"] for r in rows} == {e.id for e in EXERCISES}  # the whole course, by default
    wrong = [f"{r['student']} {r['exercise']}: expected {expected[r['student']][r['exercise']]}, "
             f"got {(r['passed'] == '1', r['diagnosis'] or None)}" for r in rows
             if (r["passed"] == "1", r["diagnosis"] or None) != expected[r["student"]][r["exercise"]]]
    assert not wrong, "\n".join(wrong)
    assert {r["student"] for r in rows} == set(expected) and len(rows) == len(expected) * len(EXERCISES)
    text = {p.stem: p.read_text() for p in feedback.iterdir()}
    assert "No notebook for part 05" in text["missing_05"]
    assert "notebook 11 is not part of what is graded" in text["extra"]
    assert "`scratch.ipynb` was not graded" in text["extra"] and "checkpoint" not in text["extra"]
    assert "`3_one_layer.ipynb` was not graded" in text["renamed"] and "notebook 01: 01-Sigmoid (1).ipynb" in text[
        "renamed"]
    assert "gina/01_sigmoid.ipynb" in text["frank"]
    assert "could be read" not in text["complete"] and "not a valid Jupyter notebook" in text["broken_08"]


def _class_for_resume(folder):
    """A 01 class whose grades are the same on every run: right, wrong, raising, endless,
    and slow-to-run notebooks (so that a kill lands half-way)."""
    with open(os.path.join(SOLUTIONS, NAMES[1])) as fh:
        base = json.load(fh)

    def write(name, replace=None, extra=None):
        nb = json.loads(json.dumps(base))
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            for fn, new in (replace or {}).items():
                if cell["cell_type"] == "code" and src.lstrip().startswith(f"def {fn}("):
                    cell["source"] = new.splitlines(True)
        if extra:
            nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                "source": extra.splitlines(True)})
        with open(os.path.join(folder, f"{name}.ipynb"), "w") as fh:
            json.dump(nb, fh)

    os.makedirs(folder)
    for i in range(12):
        kind = i % 4
        write(f"s{i:02d}", replace=[{}, {"sigmoid_prime": "def sigmoid_prime(u):\n    return u * (1 - u)\n"},
                                    {"sigmoid": "def sigmoid(u):\n    raise ValueError('no')\n"},
                                    {"numerical_grad": "def numerical_grad(f, w, eps=1e-6):\n    while True:\n"
                                                       "        pass\n"}][kind],
              extra="import time\ntime.sleep(0.7)\n")


@pytest.mark.slow
def test_a_run_killed_with_kill_9_resumes_to_the_same_gradebook(tmp_path):
    folder = str(tmp_path / "class")
    _class_for_resume(folder)
    secret = tmp_path / "secret"
    secret.write_text("ab" * 32)
    os.chmod(secret, 0o600)
    common = ["--exercises", "01", "--secret-file", str(secret), "--jobs", "2", "--call-timeout", "1",
              "--cell-timeout", "3", "--quiet"]
    clean = tmp_path / "clean" / "gradebook.csv"
    first = subprocess.run([*GRADE, folder, "--out", str(clean), *common], capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]

    out = tmp_path / "killed" / "gradebook.csv"
    proc = subprocess.Popen([*GRADE, folder, "--out", str(out), *common], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    state = out.with_name("gradebook.csv.state.json")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # wait until a few students are saved, then kill it mid-run
        try:
            if len(json.loads(state.read_text())["students"]) >= 3:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = len(json.loads(state.read_text())["students"])
    assert 3 <= saved < 12, saved
    assert not out.exists()  # killed before the gradebook was written
    deadline = time.monotonic() + 10  # everything it started dies with it (parent-death signals, pid namespaces)
    while descendants() and time.monotonic() < deadline:
        _reap_zombies()
        time.sleep(0.05)
    assert [d for d in descendants() if d[2] != "Z"] == []
    stale = [n for n in os.listdir("/tmp") if n.startswith(f"course-grade-{proc.pid}-")]
    assert stale == []  # the run folder was gone as soon as the sandbox was built

    again = subprocess.run([*GRADE, folder, "--out", str(out), *common], capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert out.read_text() == clean.read_text()
    assert f"reused {saved} unchanged" in again.stdout
    cgroups = subprocess.run(["find", "/sys/fs/cgroup", "-maxdepth", "6", "-name", f"course-grade-{proc.pid}-*"],
                             capture_output=True, text=True).stdout
    assert cgroups == ""  # the killed run's control groups were removed by the next run
