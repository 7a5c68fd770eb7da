"""``course-utils merge``: gradebook parts of a sharded run into one gradebook.

Parts are written here by hand, as sharded ``course-utils grade`` runs write them (a
gradebook and a state file whose run metadata names the course version, the secret's
hash, and the shard with the class it saw). The grading side (``--shard``) is tested
end to end in test_instructor_loop.py.
"""

import json

import pytest

from course_utils.cli import main as course_utils_main
from course_utils.grading import shards

CLASS = [f"student{i:02d}" for i in range(12)] + ["o'neil@uni.edu", "ünï", "a b"]
HEADER = "student,exercise,passed,diagnosis,points,max_points"


def row(student, exercise, passed):
    return f"{student},{exercise},{int(passed)},{'' if passed else 'sign'},{int(passed)},1"


def write_part(folder, index, count, *, students=None, version="3f2a9c01d4e5", secret="f" * 64, members=CLASS,
               name=None, limits="timeout=300;cell=30", exercises=("01.sigmoid", "01.sigmoid_prime")):
    """Write part ``index``/``count`` of CLASS (or ``students``); returns its path."""
    chosen = [s for s in members if shards.in_shard(s, index, count)] if students is None else students
    path = folder / (name or f"part{index}.csv")
    lines = [HEADER]
    entries = {}
    for s in chosen:
        passed = len(s) % 2 == 0
        lines += [row(s, "01.sigmoid", passed), row(s, "01.sigmoid_prime", True)]
        entries[s] = {"hash": "1" * 64, "notes": [], "seconds": 0.2, "rows": []}
    path.write_text("\n".join(lines) + "\n")
    state = {"version": 2, "course_version": version, "secret_digest": secret, "limits": limits,
             "exercises": list(exercises), "meta": {"shard": shards.shard_meta(index, count, members)},
             "students": entries}
    (folder / (path.name + ".state.json")).write_text(json.dumps(state))
    return str(path)


def run(capsys, *argv):
    code = course_utils_main(["merge", *map(str, argv)])
    return code, capsys.readouterr()


def test_shares_are_stable_and_cover_everyone():
    assert shards.shard_of("alice", 3) == shards.shard_of("alice", 3)
    for n in (1, 2, 3, 7):
        shares = [[s for s in CLASS if shards.in_shard(s, i, n)] for i in range(1, n + 1)]
        assert sorted(sum(shares, [])) == sorted(CLASS)                     # each exactly once
    # the share is sha256 of the id, not Python's salted hash(): fixed values
    assert [shards.shard_of(s, 3) for s in ("alice", "bob", "carol")] == [
        int.from_bytes(__import__("hashlib").sha256(s.encode()).digest()[:8], "big") % 3 + 1
        for s in ("alice", "bob", "carol")]
    with pytest.raises(ValueError, match="expected I/N"):
        shards.parse_shard("2")
    with pytest.raises(ValueError, match="between 1 and N"):
        shards.parse_shard("4/3")
    assert shards.parse_shard(" 2 / 3 ") == (2, 3)


def test_merge_writes_every_student_once_in_class_order(tmp_path, capsys):
    parts = [write_part(tmp_path, i, 3) for i in (3, 1, 2)]
    out = tmp_path / "gradebook.csv"
    code, io_ = run(capsys, *parts, "--out", out)
    assert code == 0, io_.err
    lines = out.read_text().splitlines()
    assert lines[0] == HEADER
    expected = [HEADER]
    for s in CLASS:
        expected += [row(s, "01.sigmoid", len(s) % 2 == 0), row(s, "01.sigmoid_prime", True)]
    assert lines == expected
    state = json.loads((tmp_path / "gradebook.csv.state.json").read_text())
    assert sorted(state["students"]) == sorted(CLASS) and "shard" not in state["meta"]
    assert state["course_version"] == "3f2a9c01d4e5"
    assert [p["part"] for p in state["meta"]["merged_from"]] == ["1/3", "2/3", "3/3"]
    assert course_utils_main(["report", str(out), "--out", str(tmp_path / "r.html")]) == 0


@pytest.mark.parametrize("case,message", [
    ("missing", "missing part 2/3 of 3"),
    ("duplicated", "part 2/3 is given 2 times"),
    ("version", "different course versions"),
    ("secret", "different grading secrets"),
    ("limits", "different limits"),
    ("exercises", "different exercises"),
    ("count", "different numbers of shards"),
    ("twice", "appears in two parts"),
    ("wrong_share", "belongs to part"),
    ("unfinished", "missing from the parts"),
    ("other_class", "did not see the same class"),
    ("unsharded", "graded without --shard"),
    ("no_state", "no state file"),
])
def test_bad_sets_of_parts_fail_clearly(tmp_path, capsys, case, message):
    p1, p2, p3 = (write_part(tmp_path, i, 3) for i in (1, 2, 3))
    parts = [p1, p2, p3]
    if case == "missing":
        parts = [p1, p3]
    elif case == "duplicated":
        copy = tmp_path / "copy_of_part2.csv"
        copy.write_text(open(p2).read())
        (tmp_path / "copy_of_part2.csv.state.json").write_text((tmp_path / "part2.csv.state.json").read_text())
        parts = [p1, p2, str(copy), p3]
    elif case == "version":
        parts[1] = write_part(tmp_path, 2, 3, version="0.2.0+def")
    elif case == "secret":
        parts[2] = write_part(tmp_path, 3, 3, secret="0" * 64)
    elif case == "limits":
        parts[2] = write_part(tmp_path, 3, 3, limits="timeout=60;cell=30")
    elif case == "exercises":
        parts[0] = write_part(tmp_path, 1, 3, exercises=("01.sigmoid",))
    elif case == "count":
        parts.append(write_part(tmp_path, 1, 4, name="four.csv"))
    elif case == "twice":
        stolen = [s for s in CLASS if shards.in_shard(s, 2, 3)][:1]
        mine = [s for s in CLASS if shards.in_shard(s, 1, 3)]
        parts[0] = write_part(tmp_path, 1, 3, students=mine + stolen)
    elif case == "wrong_share":
        parts = [write_part(tmp_path, 1, 3, students=[s for s in CLASS if shards.in_shard(s, 2, 3)], name="a.csv"),
                 write_part(tmp_path, 2, 3, students=[s for s in CLASS if shards.in_shard(s, 1, 3)], name="b.csv"), p3]
    elif case == "unfinished":
        parts[1] = write_part(tmp_path, 2, 3, students=[s for s in CLASS if shards.in_shard(s, 2, 3)][1:])
    elif case == "other_class":
        parts[2] = write_part(tmp_path, 3, 3, members=CLASS + ["late"])
    elif case == "unsharded":
        state = json.loads((tmp_path / "part1.csv.state.json").read_text())
        del state["meta"]["shard"]
        (tmp_path / "part1.csv.state.json").write_text(json.dumps(state))
    elif case == "no_state":
        (tmp_path / "part3.csv.state.json").unlink()
    out = tmp_path / "merged.csv"
    code, io_ = run(capsys, *parts, "--out", out)
    assert code == 2 and message in io_.err and "Traceback" not in io_.err, io_.err
    assert not out.exists()                                  # nothing written on a failed check


def test_merge_refuses_to_overwrite_a_part(tmp_path, capsys):
    parts = [write_part(tmp_path, i, 2) for i in (1, 2)]
    code, io_ = run(capsys, *parts, "--out", parts[0])
    assert code == 2 and "is one of the parts" in io_.err
