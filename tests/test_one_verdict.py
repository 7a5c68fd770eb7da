"""One verdict everywhere (issue 9.7; marker ``slow``): every registered mistake, every
alternative right answer, the learner-style wrong answers, a set of hostile returns and
wrappers of the course's own version of an answer (``Exercise.withheld``)
are judged twice, by ``engine.judge_function`` / ``engine.judge_value`` in this process
and by the sandboxed grader (``judge.grade_submission``), on the grader's own draws (the
same secret), and must get the same verdict, the same code and the same points.

How the answers reach the sandbox: the sandbox holds only a stub of ``course_utils``
(never the answers), so each graded notebook starts with a cell that unpacks a copy of
the course's sources and of this folder's answer modules (compressed into the cell) into
the sandbox's scratch folder and imports them in place of the stub. Every answer is
written once, as an expression (``CANDIDATES``), evaluated in the same namespace on both
sides: here with the real modules, there with the unpacked copies.

A notebook binds, for each exercise of its part, the k-th answer of that exercise; the
k-th submission holds one such notebook per part, so a run grades max(answers) students.
"""

import base64
import json
import os
import zlib

import nbformat
import pytest
from alternatives import all_alternatives
from checking_support import pair_keys, single_keys
from wrong_answers import WRONG

from course_utils.checking import engine, registry
from course_utils.grading import discovery, judge, limits
from course_utils.grading.sandbox import Runtime

pytestmark = pytest.mark.slow

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(os.path.abspath(registry.__file__)).rsplit(os.sep, 1)[0]  # .../course_utils
SECRET = b"one verdict everywhere, same draws".ljust(32, b".")
PAIRS_EACH = 4   # pairs of slips per exercise (all pairs run in test_checkers_seeds)

HOSTILE = '''
"""Hostile and odd returns, written the way a learner (or an attacker) might."""
import numpy as np


class Trap(np.ndarray):
    """An array whose NumPy protocol and comparisons raise."""
    def __array_function__(self, *a, **k):
        raise RuntimeError("trapped")

    def __array_ufunc__(self, *a, **k):
        raise RuntimeError("trapped")

    def __eq__(self, other):
        raise RuntimeError("trapped")

    def __bool__(self):
        raise RuntimeError("trapped")


def _leaves(value, change):
    if isinstance(value, (tuple, list)):
        items = [_leaves(v, change) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    return change(value)


def none(ref):
    return lambda *a: None


def listed(ref):
    return lambda *a: _leaves(ref(*a), lambda v: np.asarray(v).tolist())


def with_nan(ref):
    def learner(*a):
        def spoil(v):
            v = np.array(v, dtype=float)
            v.flat[0] = np.nan
            return v
        return _leaves(ref(*a), spoil)
    return learner


def raises(ref):
    def learner(*a):
        raise ValueError("not done yet")
    return learner


def exits(ref):
    def learner(*a):
        raise SystemExit(3)
    return learner


def trapped(ref):
    return lambda *a: _leaves(ref(*a), lambda v: np.asarray(v, dtype=float).view(Trap))


def mutates(ref):
    def learner(*a):
        out = ref(*a)
        for x in a:
            if isinstance(x, np.ndarray) and x.size:
                x += 1.0
                break
        return out
    return learner


def swaps_input(ref):
    def learner(*a):
        out = ref(*a)
        for x in a:
            if isinstance(x, np.ndarray) and x.size:
                x.resize((0,), refcheck=False)
                break
        return out
    return learner


def single(ref):
    return lambda *a: _leaves(ref(*a), lambda v: np.asarray(v, dtype=np.float32))


def text(ref):
    return lambda *a: "0.5"


def generator(ref):
    return lambda *a: (v for v in [ref(*a)])


def chatty(ref):
    def learner(*a):
        print("debugging", a)
        return ref(*a)
    return learner


def scaled(ref):
    return lambda *a: _leaves(ref(*a), lambda v: np.asarray(v) * (1 + 1e-3))


def overflow(ref):
    def learner(*a):
        with np.errstate(all="ignore"):
            return _leaves(ref(*a), lambda v: np.asarray(v, dtype=float) * np.float64(1e308) * 10)
    return learner


def calls_course(names):
    """Only calls the course's own version of the answer (looked up at call time)."""
    import importlib
    module_name, _, attr = names[0].rpartition(".")

    def learner(*a):
        return getattr(importlib.import_module("course_utils." + module_name), attr)(*a)
    return learner


def loops(ref):
    def learner(*a):
        while True:
            pass
    return learner


VALUES = [None, "0.5", [float("nan")], {"a": 1}, 1e400, (1, 2, 3)]
'''

HOSTILE_FUNCTIONS = ["none", "listed", "with_nan", "raises", "exits", "trapped", "mutates", "swaps_input",
                     "single", "text", "generator", "chatty", "scaled", "overflow"]
LOOPING = {"01.sigmoid"}   # one endless loop is enough to show both time limits give the same verdict


def candidates(ex):
    """The answers for ``ex``, as expressions over the names ``LOADER`` binds."""
    ref = f"registry.get({ex.id!r})"
    if ex.kind == "value":
        out = [f"{ref}.reference()"]
        out += [f"_cs.variant({ref}, {keys!r})()" for keys in single_keys(ex) + pair_keys(ex)[:PAIRS_EACH]]
        out += [f"_H.VALUES[{i}]" for i in range(6)]
        return out
    out = [f"{ref}.reference.__call__"]  # a bound method: not a plain function of the course's
    out += [f"_cs.variant({ref}, {keys!r})" for keys in single_keys(ex) + pair_keys(ex)[:PAIRS_EACH]]
    out += [f"ALTS[{ex.id!r}][{i}]" for i in range(len(all_alternatives().get(ex.id, [])))]
    out += [f"WRONG[{ex.id!r}][{i}][1]" for i in range(len(WRONG.get(ex.id, [])))]
    out += [f"_sometimes_negated({ref}.reference)"]
    out += [f"_H.{h}({ref}.reference)" for h in HOSTILE_FUNCTIONS + (["loops"] if ex.id in LOOPING else [])]
    out += [f"_H.calls_course({ex.withheld!r})"] if ex.withheld else []
    return out


def _sources():
    files = {}
    for root, dirs, names in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(root, name)
                files[os.path.relpath(path, os.path.dirname(PACKAGE))] = open(path).read()
    for folder in ("alternatives", "wrong_answers"):
        for name in os.listdir(os.path.join(HERE, folder)):
            if name.endswith(".py"):
                files[f"{folder}/{name}"] = open(os.path.join(HERE, folder, name)).read()
    files["checking_support.py"] = open(os.path.join(HERE, "checking_support.py")).read()
    files["hostile_returns.py"] = HOSTILE
    return files


def loader_cell():
    """The first cell of every graded notebook: the real course and the answers, unpacked."""
    blob = base64.b64encode(zlib.compress(json.dumps(_sources()).encode(), 9)).decode()
    return (
        "import base64, json, os, sys, tempfile, zlib\n"
        f"_files = json.loads(zlib.decompress(base64.b64decode({blob!r})))\n"
        "_root = tempfile.mkdtemp()\n"
        "for _rel, _text in _files.items():\n"
        "    os.makedirs(os.path.join(_root, os.path.dirname(_rel)), exist_ok=True)\n"
        "    with open(os.path.join(_root, _rel), 'w') as _fh:\n"
        "        _fh.write(_text)\n"
        "for _m in [m for m in sys.modules if m == 'course_utils' or m.startswith('course_utils.')]:\n"
        "    del sys.modules[_m]\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != '_StubModuleFinder']\n"
        "sys.path.insert(0, _root)\n"
        + LOADER)


LOADER = (
    "from course_utils.checking import registry\n"
    "import checking_support as _cs\n"
    "import hostile_returns as _H\n"
    "from alternatives import all_alternatives\n"
    "from wrong_answers import WRONG, sometimes_negated as _sometimes_negated\n"
    "ALTS = all_alternatives()\n")


def local_namespace():
    """The names the candidate expressions use, bound to this process's real modules."""
    import types
    ns = {}
    hostile = types.ModuleType("hostile_returns")
    exec(compile(HOSTILE, "hostile_returns.py", "exec"), hostile.__dict__)
    exec(compile(LOADER.replace("import hostile_returns as _H\n", ""), "<loader>", "exec"), ns)
    ns["_H"] = hostile
    return ns


def _notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nbformat.writes(nb)


def test_run_check_and_the_grader_give_one_verdict(tmp_path, capsys):
    exercises = [ex for ex in registry.all_exercises()]
    answers = {ex.id: candidates(ex) for ex in exercises}
    rounds = max(len(a) for a in answers.values())
    parts = sorted({ex.notebook for ex in exercises})
    loader = loader_cell()
    options = judge.Options(limits=limits.Limits(timeout=900, cell_timeout=120), secret=SECRET)
    ns = local_namespace()
    runtime = Runtime()
    compared, differ, seen = 0, [], set()
    try:
        for k in range(rounds):
            folder = tmp_path / f"student{k:03d}"
            folder.mkdir()
            chosen = []
            for part in parts:
                group = [ex for ex in exercises if ex.notebook == part and k < len(answers[ex.id])]
                if not group:
                    continue
                binds = "".join(f"{ex.function_name} = {answers[ex.id][k]}\n" for ex in group)
                (folder / f"{part}_part.ipynb").write_text(_notebook([loader, binds]))
                chosen += group
            paths = sorted(str(p) for p in folder.iterdir())
            sub = discovery.Submission(folder.name, str(folder), str(folder), paths)
            graded = judge.grade_submission(sub, chosen, runtime, options)
            rows = {row.exercise: row for row in graded.rows}
            for ex in chosen:
                expression = answers[ex.id][k]
                answer = eval(expression, ns)
                if ex.kind == "value":
                    local = engine.judge_value(ex, answer)
                else:
                    local = engine.judge_function(ex, answer, options.plan(ex), ex.time_limit)
                row = rows[ex.id]
                compared += 1
                seen.add((local.passed, local.diagnosis))
                if (row.passed, row.diagnosis or None, row.points) != (local.passed, local.diagnosis, local.score):
                    differ.append(f"{ex.id} {expression}: here {local.passed} {local.diagnosis} "
                                  f"({local.message[:160]!r}); grader {row.passed} {row.diagnosis} "
                                  f"({row.message[:160]!r}); notes {graded.notes[:3]}")
    finally:
        runtime.close()
    with capsys.disabled():
        print(f"\none verdict: {compared} answers to {len(exercises)} exercises judged both ways, "
              f"{len(differ)} differ; verdicts seen: {sorted(seen, key=str)}")
    assert compared > 1000
    assert not differ, "\n".join(differ[:30])
