"""Unit tests of the grader's parts: wire protocol, untrusted text, discovery and ids,
bounded reads, notebook preparation, which file answers which notebook, which exercises
are graded, the secret and the resume state, the CLI's help, and that a sandboxed grade
agrees with the in-process check engine."""

import json
import os
import socket
import stat
import textwrap

import numpy as np
import pytest
from test_grading_leakcheck import no_leaks  # noqa: F401 - autouse: nothing of a test's grading is left

from course_utils import run_check
from course_utils.checking import registry
from course_utils.files import nbjson
from course_utils.grading import discovery, judge, limits, matching, prepare, secret, selection, state
from course_utils.grading.cli import build_parser
from course_utils.grading.notes import Notes
from course_utils.grading.reading import Unreadable, read_bounded
from course_utils.grading.records import Graded, Row
from course_utils.grading.sandbox import Runtime
from course_utils.grading.text import printable, shown_name
from course_utils.portable import wire
from course_utils.portable.plain import Foreign, to_plain
from course_utils.portable.testfunctions import SmoothFunction

# ---------------------------------------------------------------- wire

def roundtrip(value, **kw):
    message = {"v": wire.encode(value, **kw)}
    r, w = os.pipe()
    try:
        os.write(w, wire.dumps(message))
        return wire.decode(wire.Reader(r).read(timeout=5)["v"])
    finally:
        os.close(r)
        os.close(w)


def test_wire_carries_plain_data_exactly():
    value = (np.arange(6.0).reshape(2, 3)[:, ::2], [(np.ones((2, 2)), np.zeros(0))], 3.5, 7, -(2 ** 80), 2 + 3j,
             np.float64(2.5), np.array([np.nan, np.inf]), np.array([1, 2], dtype=">i4"), True, None, "t\ud800",
             Foreign("a dict"), np.array(5.0))
    back = roundtrip(value)
    assert type(back) is tuple and type(back[1]) is list and type(back[1][0]) is tuple
    np.testing.assert_array_equal(back[0], value[0])
    assert back[0].flags.writeable and back[1][0][1].shape == (0,)
    assert back[2:6] == (3.5, 7, -(2 ** 80), 2 + 3j)
    assert type(back[6]) is np.float64 and back[6] == 2.5
    np.testing.assert_array_equal(back[7], value[7])
    assert back[8].dtype == np.dtype(">i4") and list(back[8]) == [1, 2]
    assert back[9:12] == (True, None, "t\ud800")
    assert back[12] == Foreign("a dict") and back[13].shape == () and back[13] == 5.0


def test_wire_sends_what_plain_made_of_hostile_objects_without_running_them():
    class Hostile:
        def __getattribute__(self, name):
            raise RuntimeError("boom")

        def __eq__(self, other):
            return True

    class Sub(np.ndarray):
        pass

    plain = to_plain([Hostile(), {"a": 1}, np.array([object()]), np.arange(3.0).view(Sub)])
    back = roundtrip(plain)
    assert back[0] == Foreign("a Hostile object") and back[1] == Foreign("a dict")
    assert type(back[2]) is Foreign
    assert type(back[3]) is np.ndarray and list(back[3]) == [0.0, 1.0, 2.0]  # a subclass reads as its values
    assert type(roundtrip(Hostile())) is Foreign  # not plain: only its type name travels


def test_wire_ships_test_functions_as_data():
    f = SmoothFunction(np.ones((2, 3)), np.ones((3, 2)))
    data = wire.encode([f], fn_hook=lambda v: v.spec() if isinstance(v, SmoothFunction) else None)
    rebuilt = wire.decode(data, fn_hook=lambda spec: SmoothFunction(spec["A"], spec["B"]))[0]
    w = np.arange(6.0).reshape(2, 3) / 10
    assert rebuilt(w) == f(w)
    with pytest.raises(wire.WireError):
        wire.decode(data)  # without a hook a function is refused, never rebuilt


@pytest.mark.parametrize("bad", [
    {"__nd__": ["(2**70,)f8", [1], "AAAAAAAAAAA="]},       # the issue's dtype
    {"__nd__": ["<f8", [0, 2 ** 62, 2 ** 62], ""]},       # the issue's reshape
    {"__nd__": ["|O", [1], "AAAAAAAAAAA="]},              # object dtype
    {"__nd__": ["V8", [1], "AAAAAAAAAAA="]},              # void
    {"__nd__": ["<f8", [3], "AAAAAAAAAAA="]},             # 8 bytes for 3 floats
    {"__nd__": ["<f8", [-1], ""]},
    {"__nd__": ["<f8", [True], "AAAAAAAAAAA="]},          # a bool is not a dimension
    {"__nd__": ["<f8", [1.0], "AAAAAAAAAAA="]},
    {"__nd__": ["<f8", [1] * 40, "AAAAAAAAAAA="]},        # too many dimensions
    {"__nd__": ["<f8", [10 ** 8], "A" * 16]},              # too many entries, tiny data
    {"__nd__": ["<f8", [1], "!!!!!!!!!!!="]},
    {"__scalar__": ["<f8", [2], "AAAAAAAAAAAAAAAAAAAAAA=="]},
    {"__int__": "--1"}, {"__int__": "f" * 5000}, {"__int__": 5},
    {"__complex__": [1, "x"]}, {"__complex__": [1]},
    {"__foreign__": 3},
    {"__pickle__": "gASVAAAAAAAAAAA="},
    {"__tuple__": [1], "extra": 2},
    {"__fn__": {}},                                       # no hook: refused
    2 ** 64, {"a": 1},
])
def test_wire_rejects_malformed_values_with_wire_error_only(bad):
    with pytest.raises(wire.WireError):
        wire.decode(bad)


def test_wire_bounds_nesting_and_frame_size():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.decode(json.loads(json.dumps(deep)))
    assert type(wire.encode(deep)) is list  # encoding never raises: too deep becomes a Foreign inside
    r, w = os.pipe()
    try:
        os.write(w, wire.dumps({"x": "y" * 1000}))
        with pytest.raises(wire.WireError):
            wire.Reader(r, max_bytes=100).read(timeout=5)
        os.write(w, b"\x00\x00\x00\x05nope!")
        with pytest.raises(wire.WireError):
            wire.Reader(r).read(timeout=5)
    finally:
        os.close(r)
        os.close(w)


# ---------------------------------------------------------------- untrusted text

def test_printable_makes_any_text_safe_to_write():
    nasty = "a\ud800b\udcff\x00\x1b[31mred\u202eevil\nnext\ttab" + "x" * 10_000
    text = printable(nasty, 60)
    text.encode("utf-8")  # encodable: no lone surrogates
    assert len(text) <= 60 and text.endswith("...")
    assert "\x1b" not in text and "\u202e" not in text and "\n" not in text and "\x00" not in text
    assert text.startswith("a\ufffdb\\xff")  # a JSON surrogate escape, an undecodable byte shown
    assert printable(object.__new__(type("Weird", (), {"__repr__": lambda s: 1 / 0})), 40) == "<Weird>"
    assert shown_name(os.fsdecode(b"caf\xe9.ipynb")) == "caf\\xe9.ipynb"


def test_notes_are_bounded_in_number_and_length():
    notes = Notes()
    for i in range(100_000):
        notes.add(f"note {i} " + "z" * 1000)
    kept = notes.as_list()
    assert len(kept) == limits.MAX_NOTES + 1 and kept[-1].startswith(f"... and {100_000 - limits.MAX_NOTES:,} more")
    assert all(len(n) <= limits.MAX_NOTE_CHARS for n in kept)


# ---------------------------------------------------------------- discovery and ids

def _touch(path, text="{}"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


@pytest.mark.parametrize("name, expected", [
    ("alice", "alice"), ("mary-jane.o_neil@uni.edu", "mary-jane.o_neil@uni.edu"),
    ("a b", "a%20b"), ("a_b", "a_b"), ("a%20b", "a%2520b"), ("-rm", "%2Drm"), ("=cmd", "%3Dcmd"),
    ("+1", "%2B1"), ("@x", "%40x"), ("José", "Jos%C3%A9"), (os.fsdecode(b"caf\xe9"), "caf%E9"),
    ("a\nb,c", "a%0Ab%2Cc"), ("x" * 100, "x" * 100),
])
def test_student_id_rule(name, expected):
    assert discovery.student_id(name) == expected


def test_student_ids_never_collide_for_different_names():
    names = ["a b", "a_b", "a%20b", "a%2520b", "A b", "-a", "%2Da", "x" * 101, "x" * 102, "y" * 300, "y" * 301,
             os.fsdecode(b"\xff"), "\udcff", "ÿ", ".a", "%2Ea", "", "%"]
    ids = [discovery.student_id(n) for n in names]
    assert len(set(ids)) == len(set(names)), dict(zip(names, ids, strict=True))
    assert all(len(i) <= discovery.MAX_ID for i in ids)


def test_discovery_ids_links_devices_and_collisions(tmp_path):
    cls = tmp_path / "class"
    _touch(str(cls / "alice.ipynb"))
    _touch(str(cls / "a b.ipynb"))
    _touch(str(cls / "a_b.ipynb"))
    _touch(str(cls / "bob" / "01_sigmoid.ipynb"))
    _touch(str(cls / "bob" / "ps2" / "02_one_layer_scalar.ipynb"))
    _touch(str(cls / "bob" / ".ipynb_checkpoints" / "01_sigmoid-checkpoint.ipynb"))
    os.symlink(str(cls / "alice.ipynb"), str(cls / "bob" / "03_stolen.ipynb"))
    os.symlink("..", str(cls / "bob" / "up"))
    os.mkfifo(str(cls / "bob" / "04_fifo.ipynb"))
    os.symlink("/dev/zero", str(cls / "zero.ipynb"))
    os.symlink(str(tmp_path), str(cls / "linkdir"))
    _touch(str(cls / "Carol.ipynb"))
    _touch(str(cls / "carol" / "01.ipynb"))   # equal ids but for case: a collision
    _touch(str(cls / "dave.ipynb"))
    _touch(str(cls / "dave" / "01.ipynb"))    # a file and a folder named alike: a collision
    _touch(os.path.join(os.fsencode(str(cls)), b"\xffname.ipynb").decode("utf-8", "surrogateescape"))
    (cls / "notes.txt").write_text("not a notebook")
    found = discovery.discover([str(cls), str(cls), str(tmp_path / "missing")])
    by_id = {s.student: s for s in found.submissions}
    assert set(by_id) == {"alice", "a%20b", "a_b", "bob", "zero", "linkdir", "%FFname"}
    assert [os.path.basename(p) for p in by_id["bob"].notebooks] == ["01_sigmoid.ipynb", "02_one_layer_scalar.ipynb"]
    refused = " ".join(by_id["bob"].refused)
    assert "03_stolen.ipynb` is a symbolic link" in refused and "04_fifo.ipynb` is a FIFO" in refused
    assert "`up` is a symbolic link" in refused
    assert by_id["zero"].notebooks == [] and "symbolic link" in by_id["zero"].refused[0]
    assert by_id["linkdir"].notebooks == []
    assert sorted(sorted(os.path.basename(o) for o in c) for c in found.collisions) == [
        ["Carol.ipynb", "carol"], ["dave", "dave.ipynb"]]
    text = " ".join(found.warnings)
    assert "missing" in text and "none of them was graded" in text and "symbolic link" in text


def test_discovery_bounds_a_huge_student_folder(tmp_path):
    folder = tmp_path / "class" / "eve"
    for i in range(limits.MAX_NOTEBOOKS + 20):
        _touch(str(folder / f"{i:03d}.ipynb"))
    sub = discovery.discover([str(tmp_path / "class")]).submissions[0]
    assert len(sub.notebooks) == limits.MAX_NOTEBOOKS
    assert any("stopped looking" in r for r in sub.refused)


# ---------------------------------------------------------------- bounded reads

def test_reads_are_bounded_and_never_block(tmp_path):
    fifo = tmp_path / "fifo.ipynb"
    os.mkfifo(fifo)
    with pytest.raises(Unreadable, match="not a regular file"):
        read_bounded(str(fifo), 100)  # would block forever without O_NONBLOCK
    link = tmp_path / "zero.ipynb"
    os.symlink("/dev/zero", link)
    with pytest.raises(Unreadable, match="symbolic link"):
        read_bounded(str(link), 100)
    big = tmp_path / "big.ipynb"
    with open(big, "wb") as fh:
        fh.truncate(3 * 2 ** 30)  # sparse: 3 GB that cost nothing on disk
    with pytest.raises(Unreadable, match="more than the"):
        read_bounded(str(big), 2 ** 20)
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.ipynb"))
        with pytest.raises(Unreadable):
            read_bounded(str(tmp_path / "s.ipynb"), 100)
    finally:
        sock.close()
    ok = tmp_path / "ok.ipynb"
    ok.write_bytes(b"x" * 100)
    assert read_bounded(str(ok), 100) == b"x" * 100


# ---------------------------------------------------------------- notebook preparation

def _nb(cells, version=4):
    if version == 3:
        return json.dumps({"nbformat": 3, "worksheets": [{"cells": [
            {"cell_type": "code", "input": textwrap.dedent(c), "language": "python"} for c in cells]}]}).encode()
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": nbjson.split_source(textwrap.dedent(c))} for c in cells]}).encode()


def test_ipython_syntax_is_skipped_with_a_note():
    prep = prepare.prepare(_nb([
        "%matplotlib inline\nimport numpy as np\n!pip install foo\nfiles = !ls\nnp.exp?\n",
        "%%timeit\n1 + 1\n",
        "def f(x):\n    return x  # 100% sure\n",
        "%bad\udcff\ud800 magic\n",
    ]))
    assert prep.error is None
    code = dict(prep.cells)
    assert 2 not in code  # the cell magic's cell is dropped whole
    compile(code[1], "c1", "exec")
    assert "import numpy as np" in code[1] and "pip" not in code[1] and "%" not in code[1]
    assert "100% sure" in code[3]
    notes = prep.notes.as_list()
    assert len(notes) == 6 and all("IPython-only" in n for n in notes)
    for n in notes:
        n.encode("utf-8")  # the lone surrogates of cell 4 cannot reach a file


def test_nbformat_3_notebooks_are_read():
    prep = prepare.prepare(_nb(["def f(x):\n    return x\n"], version=3))
    assert prep.error is None and prep.cells == [(1, "def f(x):\n    return x\n")]


@pytest.mark.parametrize("data, phrase", [
    (b"{ nope", "not a valid Jupyter notebook"),
    (b"\xff\xfe\x00garbage", "not a valid Jupyter notebook"),
    (b"[" * 100_000 + b"]" * 100_000, "not a valid Jupyter notebook"),   # RecursionError
    (json.dumps({"nbformat": 2, "cells": []}).encode(), "nbformat 2"),
    (json.dumps([1, 2]).encode(), "not a JSON object"),
    (json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": "x"}] * (limits.MAX_CELLS + 1)}).encode(),
     "cells"),
    (json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": "#" * (limits.MAX_CODE_BYTES + 1)}]}
                ).encode(), "MB of code"),
])
def test_unreadable_notebooks_are_reported_not_raised(data, phrase):
    prep = prepare.prepare(data)
    assert prep.error and phrase in prep.error and prep.cells == []


def test_malformed_cells_are_skipped_and_outputs_never_matter():
    nb = {"nbformat": 4, "cells": [
        {"cell_type": "code", "source": ["x = 1\n", 5]},
        {"cell_type": "code", "source": {"a": 1}},
        "not a cell",
        {"cell_type": "code", "source": "y = 2\n", "outputs": [{"data": {"text/plain": "z" * 5_000_000}}]},
    ]}
    prep = prepare.prepare(json.dumps(nb).encode())
    assert prep.error is None and prep.cells == [(3, "y = 2\n")]
    assert sum("could not be read" in n for n in prep.notes.as_list()) == 2


# ---------------------------------------------------------------- which file answers which notebook

RELEASE = {"01": "01_sigmoid.ipynb", "03": "03_one_layer_vector.ipynb"}


def test_a_numbered_file_answers_its_notebook_only():
    m = matching.match(["/c/x/03_one_layer_vector.ipynb"], ["01", "03"], RELEASE)
    assert m.chosen == {"03": "/c/x/03_one_layer_vector.ipynb"}  # never 01.sigmoid for free
    m = matching.match(["/c/x/03_one_layer_vector.ipynb"], ["01"], RELEASE)
    assert m.chosen == {} and "not part of what is graded" in m.notes[0]


def test_an_unnumbered_file_answers_a_one_notebook_assignment_only():
    assert matching.match(["/c/alice.ipynb"], ["01"], RELEASE).chosen == {"01": "/c/alice.ipynb"}
    m = matching.match(["/c/alice.ipynb"], ["01", "03"], RELEASE)
    assert m.chosen == {} and "does not start with a notebook number" in m.notes[0]


def test_several_candidates_one_rule():
    paths = ["/s/bob/01-mine.ipynb", "/s/bob/deep/01_sigmoid.ipynb", "/s/bob/01_sigmoid.ipynb", "/s/bob/sig.ipynb",
             "/s/bob/01 (2).ipynb"]
    m = matching.match(paths, ["01"], RELEASE)
    assert m.chosen == {"01": "/s/bob/01_sigmoid.ipynb"}  # the release's name, nearest the top
    m = matching.match(["/s/bob/sig.ipynb", "/s/bob/z/01-mine.ipynb", "/s/bob/01 (2).ipynb"], ["01"], RELEASE)
    assert m.chosen == {"01": "/s/bob/01 (2).ipynb"}      # numbered first, then nearest, then by name
    assert "graded `01 (2).ipynb`" in m.notes[0]
    assert matching.course_number("/x/010_a.ipynb") is None and matching.course_number("/x/01.ipynb") == "01"


# ---------------------------------------------------------------- which exercises are graded

def test_exercises_come_from_the_instructor_never_from_submissions(tmp_path):
    every = registry.all_exercises()
    assert [e.id for e in selection.select_exercises(None, None)] == [e.id for e in every]
    assert {e.notebook for e in selection.select_exercises("01,03.grad_w", None)} == {"01", "03"}
    assert [e.id for e in selection.select_exercises("03.grad_w", None)] == ["03.grad_w"]
    release = tmp_path / "release"
    _touch(str(release / "01_sigmoid.ipynb"))
    _touch(str(release / "05_two_layer_one_hidden.ipynb"))
    _touch(str(release / "notes.ipynb"))
    assert {e.notebook for e in selection.select_exercises(None, str(release))} == {"01", "05"}
    with pytest.raises(selection.UsageError, match="99.nope"):
        selection.select_exercises("01,99.nope", None)
    with pytest.raises(selection.UsageError):
        selection.select_exercises(None, str(tmp_path / "nothing"))


# ---------------------------------------------------------------- secret and resume state

def test_secret_file_is_private_and_the_state_never_holds_it(tmp_path):
    path = str(tmp_path / "gb.csv.secret")
    value, created = secret.load_or_create(path)
    assert created and len(value) == secret.SECRET_BYTES and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret.load_or_create(path) == (value, False)
    os.chmod(path, 0o644)
    with pytest.raises(secret.SecretError, match="readable by others"):
        secret.load_or_create(path)
    os.chmod(path, 0o600)
    os.symlink(path, str(tmp_path / "link"))
    with pytest.raises(secret.SecretError, match="not a regular file"):
        secret.load_or_create(str(tmp_path / "link"))
    with pytest.raises(secret.SecretError, match="No such file"):
        secret.load_or_create(str(tmp_path / "absent"), create=False)
    keys = state.RunKeys("v1", secret.secret_digest(value), "limits", ("01.sigmoid",))
    out = str(tmp_path / "gb.csv")
    state.save(out, keys, {})
    text = open(state.state_path(out)).read()
    assert value.hex() not in text and secret.secret_digest(value) in text


def test_state_reuses_only_what_matches_and_never_trusts_entries(tmp_path):
    out = str(tmp_path / "gb.csv")
    keys = state.RunKeys("v1", "digest", "limits", ("01.sigmoid",))
    graded = Graded("alice", rows=[Row("alice", "01.sigmoid", True, "", 1.0, 1.0, 0.1, "right")],
                    notes=["a \udcff note"], sources={"01": "01_sigmoid.ipynb"})
    state.save(out, keys, {"alice": state.to_entry(graded, "h1")})
    saved, why = state.load(out, keys)
    assert why is None and saved["alice"]["hash"] == "h1"
    back = state.from_entry("alice", saved["alice"], ("01.sigmoid",))
    assert back.rows == graded.rows and back.notes == ["a \\xff note"]
    assert state.from_entry("alice", saved["alice"], ("01.sigmoid", "01.sigmoid_prime")) is None
    for changed in (state.RunKeys("v2", "digest", "limits", ("01.sigmoid",)),
                    state.RunKeys("v1", "other", "limits", ("01.sigmoid",))):
        assert state.load(out, changed)[0] == {}
    bad = dict(saved["alice"], rows=[{"exercise": "01.sigmoid", "passed": "yes"}])
    assert state.from_entry("alice", bad, ("01.sigmoid",)) is None
    with open(state.state_path(out), "w") as fh:
        fh.write("{ garbage")
    assert state.load(out, keys)[0] == {}


def test_the_feedback_names_the_limit_an_error_shows():
    run = limits.Limits(memory_mb=512, processes=32)
    assert "512 MB of memory" in judge.name_the_limit("MemoryError: Unable to allocate 1 GiB", run)
    assert "32 processes" in judge.name_the_limit("RuntimeError: can't start new thread", run)
    full = judge.name_the_limit("OSError: [Errno 28] No space left on device", run)
    assert f"{limits.SCRATCH_MB} MB of scratch" in full
    assert judge.name_the_limit("ValueError: no", run) == "ValueError: no"


# ---------------------------------------------------------------- the command line

def test_help_documents_ids_rules_and_limits():
    text = build_parser().format_help()
    for phrase in ("student ids", "name without .ipynb", "%XX", "collision", "regular files", "notebook number",
                   "--jobs", "--memory", "--timeout", "--cell-timeout", "--processes", "--max-notebook-mb",
                   f"{limits.MAX_NOTES} notes", "MB of code", "scratch", "restarted", "--secret-file", "exit codes"):
        assert phrase in text, phrase


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
    "shape": """
        def sigmoid_prime(u):
            return np.ones(3)
        """,
    "mutates": """
        def sigmoid_prime(u):
            u *= 0.5
            return u
        """,
    "raises": """
        def sigmoid_prime(u):
            return 1 / 0
        """,
    "list": """
        def sigmoid_prime(u):
            return [0.25] * len(u)
        """,
    "subclass": """
        class Mine(np.ndarray):
            pass
        def sigmoid_prime(u):
            e = np.exp(-np.abs(u))
            s = np.where(u >= 0, 1 / (1 + e), e / (1 + e))
            return (s - s * s).view(Mine)
        """,
}


def _notebook_01(tmp_path, source):
    """A one-notebook submission: ``source`` as the only cell of 01_sigmoid.ipynb."""
    path = tmp_path / "01_sigmoid.ipynb"
    path.write_bytes(_nb([source]))
    return discovery.Submission("x", str(path), str(tmp_path), [str(path)])


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
    sub = _notebook_01(tmp_path, source)
    exercise = registry.get("01.sigmoid_prime")
    options = judge.Options(limits=limits.Limits(timeout=30, cell_timeout=5))
    graded = judge.grade_submission(sub, [exercise], runtime, options)
    row = graded.rows[0]
    assert (row.passed, row.diagnosis or None) == (local.passed, local.diagnosis)
    assert graded.facts and graded.sources == {"01": "01_sigmoid.ipynb"}


def test_the_secret_fixes_the_draws(runtime, tmp_path):
    """Same secret: the same inputs, to the digit (the function raises with its first
    input in the message, which the feedback quotes); another secret draws other inputs."""
    source = "import numpy as np\ndef sigmoid_prime(u):\n    raise ValueError(repr(float(np.ravel(u)[0])))\n"
    sub = _notebook_01(tmp_path, source)
    exercise = registry.get("01.sigmoid_prime")

    def message(key):
        options = judge.Options(limits=limits.Limits(timeout=30, cell_timeout=5), secret=key)
        return judge.grade_submission(sub, [exercise], runtime, options).rows[0].message

    first = message(b"a" * 32)
    assert "ValueError: " in first
    assert message(b"a" * 32) == first
    assert message(b"b" * 32) != first


def _run_cells(runtime, cells):
    """Start a worker, run ``cells`` (sources) in it; returns (worker, notes)."""
    worker = runtime.start()
    worker.hello()
    worker.send({"op": "exec", "cells": [[i + 1, c] for i, c in enumerate(cells)], "names": [], "cell_timeout": 10})
    while True:
        message = worker.receive(30)
        if message["op"] == "ran":
            return worker, message["notes"]


def test_two_sandboxes_cannot_reach_each_other(runtime):
    """One notebook listens on an abstract socket, makes a SysV segment, a /dev/shm file,
    a scratch file and a process; another one, running at the same time, finds none."""
    owner, notes = _run_cells(runtime, [textwrap.dedent("""
        import ctypes, os, socket, subprocess
        server = socket.socket(socket.AF_UNIX)
        server.bind("\\0course-grade-peer")
        server.listen()
        assert ctypes.CDLL(None).shmget(0x5EED0042, 4096, 0o1666) >= 0
        open("/dev/shm/peer", "w").write("x")
        open("/scratch/peer", "w").write("x")
        sleeper = subprocess.Popen(["sleep", "30"])
        """)])
    try:
        assert notes == []
        probe, notes = _run_cells(runtime, [textwrap.dedent("""
            import ctypes, glob, os, socket
            found = []
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect("\\0course-grade-peer")
                found.append("socket")
            except OSError:
                pass
            if ctypes.CDLL(None).shmget(0x5EED0042, 0, 0) >= 0:
                found.append("sysv")
            found += [p for p in ("/dev/shm/peer", "/scratch/peer") if os.path.exists(p)]
            for pid in (p for p in os.listdir("/proc") if p.isdigit()):
                try:
                    if b"sleep" in open(f"/proc/{pid}/cmdline", "rb").read():
                        found.append("process")
                except OSError:
                    pass
            found += [p for p in glob.glob("/tmp/course-grade-*/*") if not p.endswith("/runtime")]
            raise SystemExit(f"found {found}")
            """)])
        probe.kill()
        assert notes and notes[0].startswith("code cell 1 raised SystemExit: found []"), notes
    finally:
        owner.kill()


@pytest.mark.slow  # ~2 s: 72 MB allocated, copied and encoded
def test_a_reply_over_the_size_limit_is_judged_not_lost(runtime, tmp_path):
    """A value whose reply would pass the 64 MB message limit comes back as a Foreign that
    says so (wrong type, the limit named), not as a dead sandbox or a changed argument."""
    source = textwrap.dedent("""
        import numpy as np
        _calls = []
        def sigmoid_prime(u):
            _calls.append(1)
            if len(_calls) > 1:
                raise RuntimeError("only once")
            return np.ones(9_000_000)          # 72 MB of float64: a reply of about 96 MB
        """)
    sub = _notebook_01(tmp_path, source)
    options = judge.Options(limits=limits.Limits(timeout=60, cell_timeout=10, memory_mb=1024))
    row = judge.grade_submission(sub, [registry.get("01.sigmoid_prime")], runtime, options).rows[0]
    assert (row.passed, row.diagnosis) == (False, "wrong_type"), row.message
    assert f"at most {limits.MAX_REPLY_BYTES // limits.MB} MB" in row.message


@pytest.mark.parametrize("exercise_id, assignment", [
    ("03.dz_dw_shape", "dz_dw_shape = (1, 3)"),
    ("03.dz_dw_shape", "dz_dw_shape = (1,)"),
    ("03.dz_dw_shape", "dz_dw_shape = ..."),
    ("03.dz_dw_shape", "other = 1"),
    ("07.tanh_slope", "tanh_slope = 0.5"),
    ("07.tanh_slope", "import numpy as np\ntanh_slope = np.float64(0.64)"),
])
def test_value_exercises_read_the_variable_as_check_does(runtime, tmp_path, exercise_id, assignment):
    exercise = registry.get(exercise_id)
    namespace = {}
    exec(assignment, namespace)
    local = run_check(exercise_id, namespace.get(exercise.function_name, ...))
    path = tmp_path / f"{exercise.notebook}_x.ipynb"
    path.write_bytes(_nb([assignment]))
    sub = discovery.Submission("x", str(path), str(tmp_path), [str(path)])
    options = judge.Options(limits=limits.Limits(timeout=30, cell_timeout=5))
    row = judge.grade_submission(sub, [exercise], runtime, options).rows[0]
    assert (row.passed, row.diagnosis or None) == (local.passed, local.diagnosis), row.message


COURSE_OWN = {  # (exercise, source): the course's function handed in, and a learner's wrapper of it
    "imported": ("01.sigmoid", "from course_utils.functions import sigmoid\n"),
    "aliased": ("01.sigmoid_prime", "from course_utils import functions\nsigmoid_prime = functions.sigmoid_prime\n"),
    "wrapped": ("01.sigmoid", "from course_utils import functions\n"
                              "def sigmoid(u):\n    return functions.sigmoid(u)\n"),
    "wrapped, imported": ("01.numerical_grad", "from course_utils.gradcheck import numerical_gradient\n"
                                               "def numerical_grad(f, w, eps=1e-6):\n"
                                               "    return numerical_gradient(f, w, eps)\n"),
    "uses another": ("01.sigmoid_prime", "from course_utils.functions import sigmoid\n"
                                         "def sigmoid_prime(u):\n    s = sigmoid(u)\n    return s * (1 - s)\n"),
}


@pytest.mark.parametrize("case", sorted(COURSE_OWN))
def test_the_grader_refuses_the_courses_own_function_as_check_does(runtime, tmp_path, case):
    """One verdict everywhere: the course's own function handed in, or a wrapper of the
    course's version of the answer (the exercise's ``withheld``), scores nothing, with
    check()'s own words; a learner's function that uses another course helper (the
    course's sigmoid inside sigmoid_prime) is judged as any other."""
    exercise_id, source = COURSE_OWN[case]
    exercise = registry.get(exercise_id)
    namespace = {}
    exec(compile(source, "<answer>", "exec"), namespace)
    local = run_check(exercise_id, namespace[exercise.function_name], seed=1)
    sub = _notebook_01(tmp_path, source)
    options = judge.Options(limits=limits.Limits(timeout=30, cell_timeout=5))
    row = judge.grade_submission(sub, [exercise], runtime, options).rows[0]
    assert (row.passed, row.diagnosis or None) == (local.passed, local.diagnosis)
    assert row.message == local.message.replace("course_utils.portable.functions", "course_utils.functions")
    if case == "uses another":
        assert row.passed
    else:
        assert not row.passed and row.diagnosis == "not_implemented" and "course's own" in row.message
