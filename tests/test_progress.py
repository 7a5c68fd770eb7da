"""Progress for self-paced learners: course_utils/progress_store.py, ``course_utils.progress()``
and the ``course-utils progress`` command.

Every test points COURSE_UTILS_PROGRESS at its own tmp_path, so nothing touches the
user's real progress file (conftest.py already sends the whole session to a scratch file).
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import course_utils
from course_utils.checking import registry
from course_utils.checking.result import CheckResult
from course_utils.learner import progress as progress_store
from course_utils.learner.commands import check


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    """A fresh progress file location (not created yet) for one test."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv(progress_store.ENV_VAR, str(path))
    monkeypatch.delenv("COURSE_UTILS_STRICT", raising=False)  # check() must not raise here
    return path


def _first_id():
    return registry.exercise_ids()[0]


def _reference(ex_id):
    """A right answer as a learner hands it over: defined outside the course package (the
    check refuses the course's own functions)."""
    reference = registry.get(ex_id).reference

    def learners(*args):
        return reference(*args)
    return learners


def _not_implemented(*args):
    raise NotImplementedError()


def _wrong(*args):
    # Right type and shape, wrong values: the reference plus one everywhere.
    out = _reference(_first_id())(*args)
    return np.asarray(out, dtype=float) + 1.0


def _stored(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _status(ex_id):
    return {i: s for _, i, s in progress_store.table()}[ex_id]


def test_env_var_overrides_location(progress_file):
    assert progress_store.progress_path() == str(progress_file)


def test_default_location_is_per_user(monkeypatch, tmp_path):
    monkeypatch.delenv(progress_store.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert progress_store.progress_path() == str(tmp_path / "xdg" / "gradients-course" / "progress.json")
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert progress_store.progress_path() == str(
        tmp_path / "home" / ".local" / "share" / "gradients-course" / "progress.json")


def test_env_var_expands_user_and_relative(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(progress_store.ENV_VAR, "~/p/progress.json")
    assert progress_store.progress_path() == str(tmp_path / "p" / "progress.json")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(progress_store.ENV_VAR, "rel/progress.json")
    assert progress_store.progress_path() == str(tmp_path / "rel" / "progress.json")


def test_missing_file_means_nothing_tried(progress_file):
    assert progress_store.load() == {}
    rows = progress_store.table()
    assert [i for _, i, _ in rows] == registry.exercise_ids()
    assert all(status == "not tried" for *_, status in rows)
    assert not progress_file.exists()  # reading never creates the file


def test_check_records_a_pass(progress_file):
    ex_id = _first_id()
    check(ex_id, _reference(ex_id))
    stored = _stored(progress_file)
    assert stored["version"] == 1
    rec = stored["exercises"][ex_id]
    assert rec["passed"] is True and rec["ever_passed"] is True and rec["diagnosis"] is None
    assert _status(ex_id) == "passed"


def test_check_records_not_implemented(progress_file, capsys):
    ex_id = _first_id()
    check(ex_id, _not_implemented)
    assert "not_implemented" in capsys.readouterr().out
    rec = _stored(progress_file)["exercises"][ex_id]
    assert rec["passed"] is False and rec["ever_passed"] is False
    assert rec["diagnosis"] == "not_implemented"
    assert _status(ex_id) == "not yet (not_implemented)"


def test_pass_then_fail_keeps_ever_passed(progress_file):
    ex_id = _first_id()
    check(ex_id, _reference(ex_id))
    check(ex_id, _wrong)
    rec = _stored(progress_file)["exercises"][ex_id]
    assert rec["passed"] is False          # the latest attempt
    assert rec["ever_passed"] is True      # but the earlier pass is not forgotten
    assert rec["diagnosis"] not in (None, "not_implemented")
    assert _status(ex_id).startswith("not yet (")
    check(ex_id, _not_implemented)
    assert _stored(progress_file)["exercises"][ex_id]["ever_passed"] is True


def test_unknown_exercise_is_not_recorded(progress_file):
    check("99.no_such_exercise", _not_implemented)
    assert progress_store.load() == {}


def test_record_keeps_other_exercises(progress_file):
    ids = registry.exercise_ids()
    for ex_id in ids:
        progress_store.record(CheckResult(False, "wrong_value", "", ex_id, 1.0))
    progress_store.record(CheckResult(True, None, "", ids[0], 1.0))
    records = progress_store.load()
    assert set(records) == set(ids)
    assert records[ids[0]]["passed"] is True
    assert all(records[i]["passed"] is False for i in ids[1:])


@pytest.mark.parametrize("content", [
    b"{not json",
    b"",
    b"\xff\xfe\x00garbage",
    b"null",
    b"[1, 2, 3]",
    b'"a string"',
    b'{"version": 1}',
    b'{"version": 1, "exercises": [1, 2]}',
    b"[" * 100000 + b"]" * 100000,
])
def test_corrupt_file_is_moved_aside_and_rebuilt(progress_file, content):
    progress_file.write_bytes(content)
    assert progress_store.load() == {}                      # no crash
    aside = progress_file.with_name(progress_file.name + ".corrupt")
    assert aside.read_bytes() == content                    # kept for inspection
    assert not progress_file.exists()
    ex_id = _first_id()
    check(ex_id, _reference(ex_id))                         # the file is rebuilt
    assert _stored(progress_file)["exercises"][ex_id]["passed"] is True
    assert "passed" in progress_store.summary_text()


def test_bad_entries_are_ignored(progress_file):
    ids = registry.exercise_ids()
    progress_file.write_text(json.dumps({"version": 1, "exercises": {
        ids[0]: "passed", ids[1]: {"passed": True, "ever_passed": True, "diagnosis": None, "time": 0}}}))
    records = progress_store.load()
    assert set(records) == {ids[1]}
    assert _status(ids[0]) == "not tried" and _status(ids[1]) == "passed"


def test_missing_directory_is_created(tmp_path, monkeypatch):
    path = tmp_path / "does" / "not" / "exist" / "progress.json"
    monkeypatch.setenv(progress_store.ENV_VAR, str(path))
    assert progress_store.record(CheckResult(True, None, "", _first_id(), 1.0)) is True
    assert _stored(path)["exercises"][_first_id()]["passed"] is True


def test_atomic_write_leaves_no_temporary_files(progress_file):
    for passed in (True, False, True):
        progress_store.record(CheckResult(passed, None if passed else "sign", "", _first_id(), 1.0))
    left = sorted(p.name for p in progress_file.parent.iterdir())
    assert left in (["progress.json"], ["progress.json", "progress.json.lock"])


def _record_many(path, prefix, count):
    os.environ[progress_store.ENV_VAR] = path
    for i in range(count):
        progress_store.record(CheckResult(True, None, "", f"{prefix}.{i}", 1.0))


def test_concurrent_kernels_lose_no_record(progress_file):
    # Two notebooks open at once: each kernel's check() must survive the other's writes.
    import multiprocessing

    ctx = multiprocessing.get_context("spawn" if sys.platform == "win32" else "fork")
    procs = [ctx.Process(target=_record_many, args=(str(progress_file), f"p{k}", 15)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    expected = {f"p{k}.{i}" for k in range(4) for i in range(15)}
    assert set(progress_store.load()) == expected


def test_unreadable_file_is_left_alone(progress_file):
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("permissions are not enforced for root / on this OS")
    progress_file.write_text('{"version": 1, "exercises": {}}')
    progress_file.chmod(0)
    try:
        assert progress_store.load() == {}
        assert progress_file.exists()
        assert not progress_file.with_name("progress.json.corrupt").exists()
    finally:
        progress_file.chmod(0o600)


def test_unwritable_location_is_not_a_crash(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setenv(progress_store.ENV_VAR, str(blocker / "progress.json"))  # parent is a file
    monkeypatch.delenv("COURSE_UTILS_STRICT", raising=False)
    assert progress_store.record(CheckResult(True, None, "", _first_id(), 1.0)) is False
    check(_first_id(), _reference(_first_id()))             # the learner still sees the verdict
    assert "PASSED" in capsys.readouterr().out


def test_reset_forgets(progress_file):
    progress_store.record(CheckResult(True, None, "", _first_id(), 1.0))
    progress_store.reset()
    assert progress_store.load() == {}


def test_summary_text_counts(progress_file):
    ids = registry.exercise_ids()
    progress_store.record(CheckResult(True, None, "", ids[0], 1.0))
    text = progress_store.summary_text()
    assert f"Progress file: {progress_file}" in text
    assert f"[x] {ids[0]}" in text
    assert f"total: 1/{len(ids)} exercises passed" in text
    nb = registry.get(ids[0]).notebook
    in_nb = [i for i in ids if registry.get(i).notebook == nb]
    assert f"notebook {nb}: 1/{len(in_nb)} passed" in text


def test_progress_function_shows_the_table(progress_file, capsys):
    progress_store.record(CheckResult(True, None, "", _first_id(), 1.0))
    assert course_utils.progress() is None
    out = capsys.readouterr().out
    assert f"[x] {_first_id()}" in out and "total: 1/" in out


def _cli_env(progress_file):
    env = dict(os.environ)
    env[progress_store.ENV_VAR] = str(progress_file)
    return env


@pytest.mark.parametrize("command", [
    [os.path.join(os.path.dirname(sys.executable), "course-utils"), "progress"],
    [sys.executable, "-m", "course_utils", "progress"],
], ids=["course-utils", "python-m"])
def test_progress_command(progress_file, command):
    if not os.path.exists(command[0]):
        pytest.skip(f"{command[0]} is not installed next to this Python")
    ids = registry.exercise_ids()
    progress_store.record(CheckResult(True, None, "", ids[0], 1.0))
    if len(ids) > 1:
        progress_store.record(CheckResult(False, "transpose", "", ids[1], 1.0))
    proc = subprocess.run(command, env=_cli_env(progress_file), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"Progress file: {progress_file}" in out
    assert f"[x] {ids[0]}" in out
    if len(ids) > 1:
        assert f"[ ] {ids[1]}" in out and "not yet (transpose)" in out
    assert f"total: 1/{len(ids)} exercises passed" in out
    assert "Traceback" not in proc.stderr


def test_progress_command_survives_corrupt_file_and_reset(progress_file):
    progress_file.write_text("{{{ corrupt")
    cmd = [sys.executable, "-m", "course_utils", "progress"]
    proc = subprocess.run(cmd, env=_cli_env(progress_file), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "total: 0/" in proc.stdout
    progress_store.record(CheckResult(True, None, "", _first_id(), 1.0))
    proc = subprocess.run(cmd + ["--reset"], env=_cli_env(progress_file), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "total: 0/" in proc.stdout
    assert _stored(progress_file)["exercises"] == {}
