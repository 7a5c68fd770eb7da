"""Unit tests of the grader's parts: wire protocol, discovery, notebook preparation,
CLI help, and that a sandboxed grade agrees with the in-process check engine."""

import json
import os
import textwrap

import numpy as np
import pytest

from course_utils import run_check
from course_utils.checking import registry
from course_utils.files import nbjson
from course_utils.grading import discovery, judge, prepare
from course_utils.grading.cli import build_parser
from course_utils.grading.sandbox import Runtime
from course_utils.portable import wire
from course_utils.portable.testfunctions import SmoothFunction

# ---------------------------------------------------------------- wire

def roundtrip(value, **kw):
    message = {"v": wire.encode(value, **kw)}
    frame = wire.dumps(message)
    r, w = os.pipe()
    try:
        os.write(w, frame)
        return wire.decode(wire.Reader(r).read(timeout=5)["v"])
    finally:
        os.close(r)
        os.close(w)


def test_wire_round_trips_plain_data():
    value = (np.arange(6.0).reshape(2, 3), [(np.ones((2, 2)), np.zeros(2))], 3.5, 7, np.float32(2.5),
             np.array([np.nan, np.inf]), np.array([1, 2], dtype=np.int32), True, None, "text")
    back = roundtrip(value)
    assert type(back) is tuple and type(back[1]) is list and type(back[1][0]) is tuple
    np.testing.assert_array_equal(back[0], value[0])
    assert back[0].dtype == np.float64 and back[0].flags.writeable
    np.testing.assert_array_equal(back[5], value[5])
    assert back[6].dtype == np.int32
    assert back[2:4] == (3.5, 7) and back[4] == 2.5 and back[7:] == (True, None, "text")


def test_wire_sends_only_type_names_of_other_objects():
    class Hostile:
        def __getattribute__(self, name):
            raise RuntimeError("boom")

        def __eq__(self, other):
            return True

    back = roundtrip([Hostile(), {"a": 1}, np.array([object()]), np.ma.masked_array([1.0])])
    assert type(back[0]).__name__ == "Hostile" and isinstance(back[0], wire.Foreign)
    assert back[1] == {}
    assert isinstance(back[2], wire.Foreign) and isinstance(back[3], wire.Foreign)


def test_wire_ships_test_functions_as_data():
    f = SmoothFunction(np.ones((2, 3)), np.ones((3, 2)))
    data = wire.encode([f], fn_hook=lambda v: v.spec() if isinstance(v, SmoothFunction) else None)
    rebuilt = wire.decode(data, fn_hook=lambda spec: SmoothFunction(spec["A"], spec["B"]))[0]
    w = np.arange(6.0).reshape(2, 3) / 10
    assert rebuilt(w) == f(w)
    assert isinstance(wire.decode(data)[0], wire.Foreign)  # no hook: a placeholder, never code


@pytest.mark.parametrize("bad", [
    {"__nd__": ["|O", [1], "AAAAAAAAAAA="]},             # object dtype
    {"__nd__": ["<f8", [3], "AAAAAAAAAAA="]},            # 8 bytes for 3 floats
    {"__nd__": ["<f8", [-1], ""]},
    {"__pickle__": "gASVAAAAAAAAAAA="},
    {"__tuple__": [1], "extra": 2},
    {"__fn__": "not a dict"},
])
def test_wire_rejects_malformed_values(bad):
    with pytest.raises(wire.WireError):
        wire.decode(bad)


def test_wire_bounds_nesting_and_frame_size():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.decode(json.loads(json.dumps(deep)))
    r, w = os.pipe()
    try:
        os.write(w, wire.dumps({"x": "y" * 1000}))
        with pytest.raises(wire.WireError):
            wire.Reader(r, max_bytes=100).read(timeout=5)
    finally:
        os.close(r)
        os.close(w)


# ---------------------------------------------------------------- discovery

def _touch(path, text="{}"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


def test_student_ids_come_from_file_and_folder_names(tmp_path):
    cls = tmp_path / "class"
    _touch(str(cls / "alice.ipynb"))
    _touch(str(cls / "bob" / "01_sigmoid.ipynb"))
    _touch(str(cls / "bob" / "ps2" / "02_one_layer_scalar.ipynb"))
    _touch(str(cls / "bob" / ".ipynb_checkpoints" / "01_sigmoid-checkpoint.ipynb"))
    _touch(str(cls / "carol weird!" / "x.ipynb"))
    _touch(str(tmp_path / "dave" / "whatever.ipynb"))
    _touch(str(tmp_path / "extra" / "alice.ipynb"))
    subs, warnings = discovery.discover([str(cls), str(tmp_path / "dave"), str(tmp_path / "extra" / "alice.ipynb"),
                                         str(tmp_path / "missing")])
    by_id = {s.student: s.notebooks for s in subs}
    assert set(by_id) == {"alice", "bob", "carol_weird", "dave", "alice~2"}
    assert [os.path.basename(p) for p in by_id["bob"]] == ["01_sigmoid.ipynb", "02_one_layer_scalar.ipynb"]
    assert any("alice" in w for w in warnings) and any("missing" in w for w in warnings)


def test_help_documents_student_ids():
    text = build_parser().format_help()
    for phrase in ("student ids", "name without .ipynb", "sub-folder", "--jobs", "--memory", "--timeout"):
        assert phrase in text


# ---------------------------------------------------------------- notebook preparation

def _notebook(tmp_path, name, cells):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": nbjson.split_source(textwrap.dedent(c))} for c in cells]}
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return str(path)


def test_ipython_syntax_is_skipped_with_a_note(tmp_path):
    path = _notebook(tmp_path, "x.ipynb", [
        "%matplotlib inline\nimport numpy as np\n!pip install foo\nfiles = !ls\nnp.exp?\n",
        "%%timeit\n1 + 1\n",
        "def f(x):\n    return x  # 100% sure\n",
    ])
    prep = prepare.prepare(path)
    assert prep.error is None
    code = dict(prep.cells)
    assert 2 not in code  # the cell magic's cell is dropped whole
    compile(code[1], "c1", "exec")
    assert "import numpy as np" in code[1] and "pip" not in code[1] and "%" not in code[1]
    assert "100% sure" in code[3]
    assert len(prep.notes) == 5 and all("IPython-only" in n for n in prep.notes)


def test_unreadable_notebooks_are_reported_not_raised(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{ nope")
    assert "not a valid Jupyter notebook" in prepare.prepare(str(bad)).error
    v3 = tmp_path / "old.ipynb"
    v3.write_text(json.dumps({"nbformat": 3, "cells": []}))
    assert prepare.prepare(str(v3)).error
    binary = tmp_path / "bin.ipynb"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert prepare.prepare(str(binary)).error


def test_notebook_numbers_from_name_checks_or_functions(tmp_path):
    exercises = registry.all_exercises()
    by_name = _notebook(tmp_path, "01_sigmoid.ipynb", [])
    by_check = _notebook(tmp_path, "mine.ipynb", ['check("01.sigmoid", f)'])
    by_def = _notebook(tmp_path, "other.ipynb", ["def numerical_grad(f, w, eps=1e-6):\n    pass\n"])
    for path in (by_name, by_check, by_def):
        assert prepare.notebook_numbers(path, prepare.prepare(path), exercises) == ["01"]


# ---------------------------------------------------------------- the same engine as check()

ANSWERS = {
    "right": """
        def sigmoid_prime(u):
            e = np.exp(-np.abs(u))
            s = np.where(u >= 0, 1 / (1 + e), e / (1 + e))
            return s - s * s
        """,
    "mistake": """
        def sigmoid_prime(u):
            return u * (1 - u)
        """,
    "transpose_or_shape": """
        def sigmoid_prime(u):
            return np.ones(3)
        """,
    "mutates": """
        def sigmoid_prime(u):
            u *= 0.5
            return None
        """,
    "raises": """
        def sigmoid_prime(u):
            return 1 / 0
        """,
    "list": """
        def sigmoid_prime(u):
            return [0.25] * len(u)
        """,
}


@pytest.fixture(scope="module")
def runtime():
    rt = Runtime()
    yield rt
    rt.close()


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_sandboxed_grade_matches_run_check(runtime, tmp_path, name):
    source = "import numpy as np\n" + textwrap.dedent(ANSWERS[name])
    namespace = {}
    exec(compile(source, "<answer>", "exec"), namespace)
    local = run_check("01.sigmoid_prime", namespace["sigmoid_prime"], seed=1)
    path = _notebook(tmp_path, "01_sigmoid.ipynb", [source])
    sub = discovery.Submission("x", [path])
    exercise = registry.get("01.sigmoid_prime")
    graded = judge.grade_submission(sub, [exercise], runtime, judge.Options(timeout=30, cell_timeout=5))
    row = graded.rows[0]
    assert (row.passed, row.diagnosis or None) == (local.passed, local.diagnosis)
    assert graded.facts  # the worker reported what isolation it reached
