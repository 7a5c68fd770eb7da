"""End to end: grade a class of real notebooks mixing right, wrong and hostile ones.

The notebooks are built from solutions/01_sigmoid.ipynb (the real solution notebook)
by replacing an exercise's cell or adding cells. One `course-utils grade` run grades
them all in parallel with short limits; each submission must get exactly what it
deserves (0 on what it broke, full marks on what it did right), nothing may escape the
sandbox, nothing may be left after the run, and the run must finish.
"""

import contextlib
import csv
import io
import json
import os
import textwrap

import pytest
from test_grading_leakcheck import Snapshot, no_leaks, problems_since  # noqa: F401 - no_leaks is autouse

from course_utils.cli import main as course_utils_main
from course_utils.files import nbjson

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTION = os.path.join(ROOT, "solutions", "01_sigmoid.ipynb")
IDS = ("01.sigmoid", "01.sigmoid_prime", "01.log_sigmoid", "01.numerical_grad")
FUNCS = {"01.sigmoid": "sigmoid", "01.sigmoid_prime": "sigmoid_prime", "01.log_sigmoid": "log_sigmoid",
         "01.numerical_grad": "numerical_grad"}
MARKER = "4321.987"  # sleep duration that marks processes started by hostile submissions
pytestmark = pytest.mark.slow  # ~6 s: the default run grades the hostile class (test_grading_hostile.py)

# Full isolation needs Linux namespaces and, for a separate uid, root. Elsewhere the
# submissions that attack the machine are still graded, but what they can reach is not
# asserted; the run summary (read below) says which level was reached.
NEEDS_STRONG = {"spy", "vandal", "fork_bomb", "background"}


def _code(source):
    return {"cell_type": "code", "metadata": {}, "source": nbjson.split_source(textwrap.dedent(source)),
            "outputs": [], "execution_count": None}


def base_notebook():
    """The solution notebook, plots and all (the test fails without it: a stand-in would
    test less than it claims)."""
    if not os.path.exists(SOLUTION):
        pytest.fail(f"{SOLUTION} is missing: this test grades the real solution notebook")
    return nbjson.read(SOLUTION)


def variant(replace=None, append=(), insert_first=()):
    """A copy of the base notebook with exercise cells replaced (function name -> source,
    or None to delete the cell) and cells added at the start or end."""
    nb = json.loads(json.dumps(base_notebook()))
    cells = []
    for cell in nb["cells"]:
        src = nbjson.source_of(cell)
        name = next((f for f in (replace or {}) if cell["cell_type"] == "code"
                     and src.lstrip().startswith(f"def {f}(")), None)
        if name is None:
            cells.append(cell)
        elif replace[name] is not None:
            cells.append(_code(replace[name]))
    setup = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    cells[setup + 1:setup + 1] = [_code(s) for s in insert_first]
    cells += [_code(s) for s in append]
    nb["cells"] = cells
    return nb


def build_class(folder, paths):
    """Write the class; returns {student: {exercise id: expected (passed, diagnosis or None)}}."""
    ok = {i: (True, None) for i in IDS}
    expected = {}

    def add(name, nb, expect):
        with open(os.path.join(folder, f"{name}.ipynb"), "w", encoding="utf-8") as fh:
            fh.write(nb if isinstance(nb, str) else nbjson.dumps(nb))
        expected[name] = dict(ok, **expect)

    add("good", variant(), {})
    add("wrong_prime", variant(replace={"sigmoid_prime": """
        def sigmoid_prime(u):
            return u * (1 - u)
        """}), {"01.sigmoid_prime": (False, "wrong_value")})
    # The sigmoid checks judge values: exp(u) / (1 + exp(u)) is NaN for u > 709 ...
    add("naive_sigmoid", variant(replace={"sigmoid": """
        def sigmoid(u):
            return np.exp(u) / (1 + np.exp(u))
        """}), {"01.sigmoid": (False, "nan"), "01.sigmoid_prime": (False, "nan")})
    # ... while 1 / (1 + exp(-u)) overflows inside but returns the right values (1/inf = 0).
    add("textbook_sigmoid", variant(replace={"sigmoid": """
        def sigmoid(u):
            return 1 / (1 + np.exp(-u))
        """}), {})
    add("loop_in_function", variant(replace={"numerical_grad": """
        def numerical_grad(f, w, eps=1e-6):
            while True:
                pass
        """}), {"01.numerical_grad": (False, "timeout")})
    add("sleep_forever", variant(replace={"sigmoid_prime": """
        def sigmoid_prime(u):
            import time
            time.sleep(10 ** 6)
        """}), {"01.sigmoid_prime": (False, "timeout")})
    # A top-level cell that loops and ignores the alarm: the grader kills the process,
    # skips that cell and runs the notebook again; every function still gets graded.
    add("stubborn_cell", variant(append=["""
        import signal
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass
        """]), {})
    add("exit_midway", variant(replace={"sigmoid_prime": """
        def sigmoid_prime(u):
            import os
            os._exit(1)
        """}), {"01.sigmoid_prime": (False, "exception")})
    add("segfault", variant(replace={"numerical_grad": """
        def numerical_grad(f, w, eps=1e-6):
            import ctypes
            return ctypes.string_at(0)
        """}), {"01.numerical_grad": (False, "exception")})
    add("memory_bomb", variant(replace={"sigmoid_prime": """
        def sigmoid_prime(u):
            hoard = []
            while True:  # reserves memory fast (np.empty does not touch it) until the limit
                hoard.append(np.empty(100 * 2 ** 20 // 8))
        """}), {"01.sigmoid_prime": (False, "exception")})
    # Bounded fork bomb: at most 300 forks, each child sleeping; the process limit stops
    # it early and every child must be gone after grading.
    add("fork_bomb", variant(append=[f"""
        import os, time
        for _ in range(300):
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "{MARKER}"])
        """]), {})
    add("background", variant(append=[f"""
        import os, subprocess
        subprocess.Popen(["sleep", "{MARKER}"])
        if os.fork() == 0:          # a daemon: new session, detached from the group
            os.setsid()
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "{MARKER}"])
            os._exit(0)
        """]), {})
    add("vandal", variant(insert_first=[f"""
        import os, shutil
        for target in {[paths['victim'], paths['outside']]!r}:
            try:
                with open(target, "w") as fh:
                    fh.write("pwned")
            except OSError:
                pass
        for target in {[paths['keep'], paths['gradebook_dir']]!r}:
            try:
                os.remove(target)
            except OSError:
                pass
            shutil.rmtree(target, ignore_errors=True)
        with open(os.path.expanduser("~/fine.txt"), "w") as fh:  # the scratch home: allowed
            fh.write("ok")
        """]), {})
    # Reads the grader's answers, another student's notebook and the grader's environment,
    # and tries the network; its sigmoid is only right if none of that worked.
    add("spy", variant(insert_first=[f"""
        import os, glob
        leaks = []
        for path in {[paths['answers'], paths['other_student'], '/proc/1/environ']!r}:
            try:
                with open(path, "rb") as fh:
                    if b"SECRET_GRADER_TOKEN" in fh.read() or not path.startswith("/proc"):
                        leaks.append(path)
            except OSError:
                pass
        if "SECRET_GRADER_TOKEN" in os.environ:
            leaks.append("environ")
        try:
            from course_utils.exercises.nb01_sigmoid import sigmoid as stolen
            if stolen.__code__.co_code:
                leaks.append("import")
        except Exception:
            pass
        import socket
        try:
            socket.create_connection(("pypi.org", 443), timeout=1).close()
            leaks.append("network")
        except OSError:
            pass
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{{pid}}/environ", "rb") as fh:
                        if b"SECRET_GRADER_TOKEN" in fh.read():
                            leaks.append(pid)
                except OSError:
                    pass
        """], append=["""
        _right = sigmoid
        def sigmoid(u):
            return _right(u) + (1.0 if leaks else 0.0)
        """]), {})
    add("monkeypatcher", variant(insert_first=["""
        import builtins
        import numpy as np
        import course_utils
        np.allclose = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        course_utils.check = lambda *a, **k: True
        course_utils.run_check = lambda *a, **k: True
        import course_utils.checking.engine
        course_utils.checking.engine.judge_draw = lambda *a, **k: None
        """], replace={"sigmoid": """
        def sigmoid(u):
            return np.zeros_like(u)
        """}), {"01.sigmoid": (False, "wrong_value"), "01.sigmoid_prime": (False, "wrong_value")})
    add("liar", variant(replace={"sigmoid": """
        class AlwaysEqual:
            def __eq__(self, other): return True
            def __array__(self, *a, **k): raise RuntimeError("no")
        def sigmoid(u):
            return AlwaysEqual()
        """, "sigmoid_prime": """
        class Explodes:
            def __getattribute__(self, name): raise RuntimeError("boom")
            def __eq__(self, other): raise RuntimeError("boom")
            def __len__(self): raise RuntimeError("boom")
            def __float__(self): raise RuntimeError("boom")
        def sigmoid_prime(u):
            return Explodes()
        """, "numerical_grad": """
        class FakeArray(np.ndarray):
            def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)
        def numerical_grad(f, w, eps=1e-6):
            return np.zeros_like(w).view(FakeArray)
        """}), {"01.sigmoid": (False, "wrong_type"), "01.sigmoid_prime": (False, "wrong_type"),
                "01.numerical_grad": (False, "wrong_value")})  # a subclass is read as its values, as check() does
    add("chatterbox", variant(insert_first=["print('x' * 3_000_000)\n"], replace={"sigmoid": """
        def sigmoid(u):
            print("y" * 2_000_000)
            u = np.asarray(u, dtype=float)
            e = np.exp(-np.abs(u))
            return np.where(u >= 0, 1 / (1 + e), e / (1 + e))
        """}), {})
    not_impl = {i: (False, "not_implemented") for i in IDS}
    add("empty", {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}, not_impl)
    add("garbage", "{ this is not json", not_impl)
    add("renamed", variant(replace={"sigmoid": """
        def my_sigmoid(u):
            u = np.asarray(u, dtype=float)
            return np.where(u >= 0, 1 / (1 + np.exp(-np.abs(u))), np.exp(-np.abs(u)) / (1 + np.exp(-np.abs(u))))
        sigmoid = None
        """, "sigmoid_prime": """
        def sigmoid_prime(u):
            s = my_sigmoid(u)
            return s * (1 - s)
        """, "numerical_grad": None}),
        {"01.sigmoid": (False, "not_implemented"), "01.numerical_grad": (False, "not_implemented")})
    add("magic_user", variant(insert_first=["%matplotlib inline\n!echo hi\nfiles = !ls\n%timeit 1 + 1\n",
                                            "%%bash\necho cell magic\n"]), {})
    return expected


def _marked_processes():
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if MARKER.encode() in fh.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading_class")
    folder = base / "class"
    folder.mkdir()
    grader_files = base / "grader"
    grader_files.mkdir()
    out_dir = base / "out"
    out_dir.mkdir()
    paths = {
        "victim": str(grader_files / "victim.txt"),
        "keep": str(grader_files / "keep.txt"),
        "outside": str(base / "planted.txt"),
        "gradebook_dir": str(out_dir),
        "answers": os.path.join(ROOT, "course_utils", "exercises", "nb01_sigmoid.py"),
        "other_student": str(folder / "good.ipynb"),
    }
    (grader_files / "victim.txt").write_text("original")
    (grader_files / "keep.txt").write_text("keep me")
    expected = build_class(str(folder), paths)
    out = out_dir / "gradebook.csv"
    feedback = out_dir / "feedback"
    argv = ["grade", str(folder), "--exercises", "01", "--out", str(out), "--feedback", str(feedback),
            "--jobs", "4", "--timeout", "40", "--cell-timeout", "2", "--call-timeout", "1", "--memory", "768",
            "--quiet"]
    os.environ["SECRET_GRADER_TOKEN"] = "hunter2"
    before = Snapshot()
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            code = course_utils_main(argv)
    finally:
        del os.environ["SECRET_GRADER_TOKEN"]
    left = problems_since(before)
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    summary = printed.getvalue()
    strong = "pid namespace" in summary and "fresh unprivileged uid" in summary and "only Python" in summary
    return {"code": code, "rows": rows, "expected": expected, "paths": paths, "out": out, "argv": argv,
            "feedback": feedback, "folder": folder, "after": _marked_processes(), "left": left,
            "strong": strong, "summary": summary}


def test_run_finishes_and_writes_a_complete_gradebook(graded_class):
    assert graded_class["code"] == 0
    rows = graded_class["rows"]
    assert list(rows[0]) == ["student", "exercise", "passed", "diagnosis", "points", "max_points"]
    got = {(r["student"], r["exercise"]) for r in rows}
    want = {(s, i) for s in graded_class["expected"] for i in IDS}
    assert got == want and len(rows) == len(want)  # nothing missing, nothing duplicated


def test_each_submission_gets_what_it_deserves(graded_class):
    wrong = []
    for r in graded_class["rows"]:
        if r["student"] in NEEDS_STRONG and not graded_class["strong"]:
            continue
        passed, diagnosis = graded_class["expected"][r["student"]][r["exercise"]]
        got = (r["passed"] == "1", r["diagnosis"] or None)
        points_ok = float(r["points"]) == (float(r["max_points"]) if passed else 0.0)
        if got != (passed, diagnosis) or not points_ok:
            wrong.append(f"{r['student']} {r['exercise']}: expected {(passed, diagnosis)}, got {got} {r['points']}")
    assert not wrong, "\n".join(wrong)


def test_nothing_escapes_the_sandbox_and_nothing_is_left(graded_class):
    assert graded_class["left"] == [], graded_class["left"]
    assert graded_class["after"] == [], "processes started by submissions outlived grading"
    if not graded_class["strong"]:
        pytest.skip("needs namespaces and root for full isolation: " + graded_class["summary"][-400:])
    paths = graded_class["paths"]
    with open(paths["victim"]) as fh:
        assert fh.read() == "original"
    assert os.path.exists(paths["keep"])
    assert not os.path.exists(paths["outside"])
    assert graded_class["after"] == [], "processes started by submissions outlived grading"


def test_feedback_explains_each_exercise(graded_class):
    fb = graded_class["feedback"]
    assert sorted(p.stem for p in fb.iterdir()) == sorted(graded_class["expected"])
    good = (fb / "good.md").read_text()
    assert "Score: 6 / 6" in good  # notebook 01: sigmoid 1, sigmoid_prime 1, log_sigmoid 2, numerical_grad 2
    prime = (fb / "wrong_prime.md").read_text()
    assert "sigma(u) * (1 - sigma(u))" in prime  # the registered mistake's own message
    magic = (fb / "magic_user.md").read_text()
    assert "%matplotlib inline" in magic and "IPython-only" in magic
    assert "not a valid Jupyter notebook" in (fb / "garbage.md").read_text()
    assert "No function named `sigmoid`" in (fb / "renamed.md").read_text()
    assert "segmentation fault" in (fb / "segfault.md").read_text()
    assert "MemoryError" in (fb / "memory_bomb.md").read_text()
    assert "768 MB of memory" in (fb / "memory_bomb.md").read_text()  # the limit hit is named


def test_rerun_skips_unchanged_and_regrades_changed(graded_class):
    folder = graded_class["folder"]
    state = graded_class["out"].with_name("gradebook.csv.state.json")
    assert set(json.loads(state.read_text())["students"]) == set(graded_class["expected"])
    # Fix one submission; a re-run regrades only that one and keeps everything else.
    (folder / "wrong_prime.ipynb").write_text(nbjson.dumps(variant()))
    (folder / "garbage.ipynb").unlink()
    argv = [a for a in graded_class["argv"] if a != "--quiet"]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert course_utils_main(argv) == 0
    assert f"graded 1 submissions, reused {len(graded_class['expected']) - 2} unchanged" in printed.getvalue()
    with open(graded_class["out"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    students = {r["student"] for r in rows}
    assert "garbage" not in students and len(rows) == len(IDS) * len(students)
    assert "garbage" not in json.loads(state.read_text())["students"]
    assert all(r["passed"] == "1" for r in rows if r["student"] == "wrong_prime")
    before = {(r["student"], r["exercise"]): r for r in graded_class["rows"]}
    for r in rows:
        if r["student"] != "wrong_prime":
            assert r == before[(r["student"], r["exercise"])]  # reused, seconds and all
