"""``course-utils export``: a gradebook into Canvas, Moodle and a wide CSV.

The rosters in tests/lms_samples/ are written from Canvas's and Moodle's own exporters
(see its README). The Canvas output is read back with the rules of Canvas's importer
(GradebookImporter: the header test, the Points Possible and Manual Posting rows,
students found by ID, then SIS User ID, then SIS Login ID), the Moodle output with
Moodle's (one identifier column, a blank or "-" grade is no grade). Expected totals are
written out by hand from the gradebook below, not computed by the code under test.
"""

import csv
import io
import os

import pytest

from course_utils.cli import main as course_utils_main

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lms_samples")
CANVAS = os.path.join(SAMPLES, "canvas_export.csv")
CANVAS_SEMICOLON = os.path.join(SAMPLES, "canvas_export_semicolon.csv")
MOODLE = os.path.join(SAMPLES, "moodle_export.csv")

# student -> points on (01.sigmoid: 1, 01.sigmoid_prime: 1, 03.grad_w: 2); best = 4
GRADEBOOK = {
    "alice@uni.edu": (1, 1, 2),                # total 4
    "siobhan.obrien@uni.edu": (1, 0, 2),       # 3; the roster spells it Siobhan.OBrien@uni.edu
    "jdoe+cs101@uni.edu": (0, 0, 2),           # 2
    "o%27neil@uni.edu": (1, 1, 0),             # 2; from o'neil@uni.edu.ipynb (the grader escapes ')
    "bao%20nguyen": (1, 0, 0),                 # 1; Canvas login "bao nguyen"
    "extra@uni.edu": (1, 1, 2),                # 4; not enrolled anywhere
}
EXERCISES = (("01.sigmoid", 1), ("01.sigmoid_prime", 1), ("03.grad_w", 2))


def write_gradebook(path, table=GRADEBOOK):
    lines = ["student,exercise,passed,diagnosis,points,max_points,seconds"]
    for student, points in table.items():
        for (exercise, best), got in zip(EXERCISES, points, strict=True):
            lines.append(f"{student},{exercise},{int(got == best)},{'' if got == best else 'transpose'},"
                         f"{got},{best},0.01")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def gradebook(tmp_path):
    return write_gradebook(tmp_path / "gradebook.csv")


def run(*argv, capsys=None):
    code = course_utils_main(["export", *map(str, argv)])
    out = capsys.readouterr() if capsys else None
    return code, out


def read_rows(path, delimiter=","):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def canvas_import(path, delimiter=","):
    """What Canvas's importer reads from a file: {(id, sis user id, sis login id): grade}
    for the one assignment column, plus that column's header and points possible."""
    rows = read_rows(path, delimiter)
    header = rows[0]
    assert "Student" in header[0] and "ID" in header[1] and len(header) > 3
    section = header.index("Section")
    assert header[2:section] == ["SIS User ID", "SIS Login ID"]
    assignments = header[section + 1:]
    assert len(assignments) == 1
    grades, possible = {}, None
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            possible = row[section + 1]
            continue
        assert not all(c.strip() in ("", "Manual Posting") for c in row[1:])
        grades[(row[1], row[2], row[3])] = row[section + 1]
    return assignments[0], possible, grades


# --------------------------------------------------------------------------- Canvas

def test_canvas_fills_the_assignment_column_matched_on_email(gradebook, tmp_path, capsys):
    out = tmp_path / "canvas_import.csv"
    code, io_ = run(gradebook, "--to", "canvas", "--roster", CANVAS, "--assignment", "Gradients: backprop (4402)",
                    "--match", "email", "--scale", "--out", out, capsys=capsys)
    assert code == 0
    title, possible, grades = canvas_import(out)
    assert title == "Gradients: backprop (4402)" and possible == "21"
    # scaled by 21 / 4 = 5.25 to Canvas's points possible
    assert grades == {
        ("101", "S001", "alice@uni.edu"): "21",
        ("102", "S002", "Siobhan.OBrien@uni.edu"): "15.75",      # case of an e-mail ignored
        ("103", "S003", "jdoe+cs101@uni.edu"): "10.5",
        ("104", "S004", "o'neil@uni.edu"): "10.5",                # matched through the grader's id cleaning
        ("105", "S005", "bao nguyen"): "5.25",
        ("106", "S006", "bob@uni.edu"): "",                       # no submission: blank = no change in Canvas
        ("107", "", ""): "",                                      # the Test Student
    }
    rows = read_rows(out)
    names = [r[0] for r in rows[2:]]
    assert names[3] == '="=cmd|\' /C calc\'!A0"'                 # Canvas's own escaping kept verbatim
    assert names[1] == "O'Brien, Siobhán" and names[2] == 'Doe, Jane "JJ"'
    assert "extra@uni.edu" in io_.err and "not in the roster" in io_.err
    assert "bob@uni.edu" in io_.err and "no submission" in io_.err
    assert "o%27neil@uni.edu = \"o'neil@uni.edu\"" in io_.err


def test_canvas_login_match_is_exact_and_reports_both_sides(gradebook, tmp_path, capsys):
    out = tmp_path / "canvas_import.csv"
    code, io_ = run(gradebook, "--to", "canvas", "--roster", CANVAS, "--assignment", "Gradients: backprop (4402)",
                    "--out", out, "--strict", capsys=capsys)
    assert code == 1                                   # --strict: someone was not matched
    _, possible, grades = canvas_import(out)
    assert possible == "21"
    assert grades[("102", "S002", "Siobhan.OBrien@uni.edu")] == ""
    assert grades[("101", "S001", "alice@uni.edu")] == "4"           # not scaled without --scale
    assert "siobhan.obrien@uni.edu" in io_.err and "Siobhan.OBrien@uni.edu" in io_.err
    assert "worth 21 points in Canvas" in io_.err and "--scale" in io_.err


def test_canvas_refuses_an_ambiguous_title_and_accepts_a_new_one(gradebook, tmp_path, capsys):
    out = tmp_path / "x.csv"
    code, io_ = run(gradebook, "--to", "canvas", "--roster", CANVAS, "--assignment", "Gradients: backprop",
                    "--out", out, capsys=capsys)
    assert code == 2 and "several assignments are titled" in io_.err and "(4402)" in io_.err
    assert not out.exists()
    code, io_ = run(gradebook, "--to", "canvas", "--roster", CANVAS, "--assignment", "Homework 1", "--out", out,
                    "--match", "sis", "--mapping", _mapping(tmp_path, {"alice@uni.edu": "S001"}), capsys=capsys)
    assert code == 0
    title, possible, grades = canvas_import(out)
    assert title == "Homework 1 (4401)" and grades[("101", "S001", "alice@uni.edu")] == "4"
    assert "not in the mapping file" in io_.err
    code, io_ = run(gradebook, "--to", "canvas", "--roster", CANVAS, "--assignment", "Brand new", "--out", out,
                    capsys=capsys)
    assert code == 0 and "create a new assignment" in io_.err
    title, possible, _ = canvas_import(out)
    assert title == "Brand new" and possible == "4"


def test_canvas_semicolon_export_with_decimal_commas(gradebook, tmp_path, capsys):
    out = tmp_path / "canvas_import.csv"
    code, _ = run(gradebook, "--to", "canvas", "--roster", CANVAS_SEMICOLON, "--assignment", "Gradients: backprop",
                  "--out", out, "--scale", capsys=capsys)
    assert code == 0
    title, possible, grades = canvas_import(out, delimiter=";")
    assert title == "Gradients: backprop (4402)" and possible == "21"          # read from "21,00"
    assert grades == {("101", "S001", "alice@uni.edu"): "21", ("106", "S006", "bob@uni.edu"): ""}


def test_canvas_rejects_other_files_clearly(gradebook, tmp_path, capsys):
    out = tmp_path / "x.csv"
    code, io_ = run(gradebook, "--to", "canvas", "--roster", MOODLE, "--assignment", "A", "--out", out, capsys=capsys)
    assert code == 2 and "not a Canvas gradebook export" in io_.err and "Traceback" not in io_.err
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("Student,ID,SIS Login ID,Section\nJos\xe9,1,j,A\n".encode("latin-1"))
    code, io_ = run(gradebook, "--to", "canvas", "--roster", latin, "--assignment", "A", "--out", out, capsys=capsys)
    assert code == 2 and "not UTF-8" in io_.err
    code, io_ = run(gradebook, "--to", "canvas", "--out", out, capsys=capsys)
    assert code == 2 and "--roster" in io_.err
    no_sis = tmp_path / "ta_export.csv"          # a TA's export has no SIS columns
    no_sis.write_text("Student,ID,Section,Gradients: backprop (4402)\n\"Smith, Alice\",101,Section A,\n")
    code, io_ = run(gradebook, "--to", "canvas", "--roster", no_sis, "--assignment", "Gradients: backprop",
                    "--out", out, capsys=capsys)
    assert code == 2 and "no 'SIS Login ID' column to match on" in io_.err
    code, _ = run(gradebook, "--to", "canvas", "--roster", no_sis, "--assignment", "Gradients: backprop",
                  "--match", "canvas", "--mapping", _mapping(tmp_path, {"alice@uni.edu": "101"}), "--out", out,
                  capsys=capsys)
    assert code == 0 and read_rows(out)[2] == ["Smith, Alice", "101", "Section A", "4"]
    code, io_ = run(tmp_path / "nope.csv", "--to", "csv", "--out", out, capsys=capsys)
    assert code == 2 and "no such file" in io_.err


# --------------------------------------------------------------------------- Moodle

def test_moodle_with_roster_writes_only_enrolled_users(gradebook, tmp_path, capsys):
    out = tmp_path / "moodle_import.csv"
    code, io_ = run(gradebook, "--to", "moodle", "--roster", MOODLE, "--item", "Gradients: backprop",
                    "--per-exercise", "--out", out, capsys=capsys)
    assert code == 0
    rows = read_rows(out)
    assert rows[0] == ["Email address", "Gradients: backprop", "Gradients: backprop: 01.sigmoid",
                       "Gradients: backprop: 01.sigmoid_prime", "Gradients: backprop: 03.grad_w"]
    assert rows[1:] == [
        ["alice@uni.edu", "4", "1", "1", "2"],
        ["Siobhan.OBrien@uni.edu", "3", "1", "0", "2"],    # the roster's spelling: Moodle compares exactly
        ["jdoe+cs101@uni.edu", "2", "0", "0", "2"],
        ["o'neil@uni.edu", "2", "1", "1", "0"],
        ["bao.nguyen@uni.edu", "", "", "", ""],           # no submission under that address
        ["bob@uni.edu", "", "", "", ""],
    ]
    emails = {r[0] for r in rows[1:]}
    assert "extra@uni.edu" not in emails and "bao%20nguyen" not in emails   # would abort Moodle's import
    assert "extra@uni.edu" in io_.err and "bao%20nguyen" in io_.err and "bob@uni.edu" in io_.err


def test_moodle_mapping_file_and_feedback_column(gradebook, tmp_path, capsys):
    out = tmp_path / "moodle_import.csv"
    mapping = _mapping(tmp_path, {"bao%20nguyen": "S005", "alice@uni.edu": "S001"})
    code, io_ = run(gradebook, "--to", "moodle", "--roster", MOODLE, "--match", "idnumber", "--mapping", mapping,
                    "--feedback-column", "--missing", "zero", "--out", out, capsys=capsys)
    assert code == 0
    rows = read_rows(out)
    assert rows[0] == ["ID number", "Gradients assignment", "Gradients assignment (feedback)"]
    by_id = {r[0]: r[1:] for r in rows[1:]}
    assert by_id["S005"][0] == "1" and by_id["S001"][0] == "4"
    assert by_id["S005"][1] == "1 / 4 points; 1 of 3 exercises passed; not yet: 01.sigmoid_prime (transpose), " \
                               "03.grad_w (transpose)"
    assert by_id["S006"] == ["0", ""]                   # --missing zero


def test_moodle_without_roster_uses_ids_and_warns(gradebook, tmp_path, capsys):
    out = tmp_path / "moodle_import.csv"
    code, io_ = run(gradebook, "--to", "moodle", "--match", "username", "--out", out, capsys=capsys)
    assert code == 0
    rows = read_rows(out)
    assert rows[0] == ["Username", "Gradients assignment"]
    assert dict(rows[1:]) == {"alice@uni.edu": "4", "siobhan.obrien@uni.edu": "3", "jdoe+cs101@uni.edu": "2",
                              "o%27neil@uni.edu": "2", "bao%20nguyen": "1", "extra@uni.edu": "4"}
    assert "no roster given" in io_.err


# --------------------------------------------------------------------------- wide CSV and input checks

def test_wide_csv_one_row_per_student_and_formula_guard(tmp_path, capsys):
    table = {"alice": (1, 1, 2), "-2+3": (0, 1, 2), "@bob": (0, 0, 0)}
    gradebook = write_gradebook(tmp_path / "g.csv", table)
    out = tmp_path / "wide.csv"
    code, _ = run(gradebook, "--to", "csv", "--out", out, capsys=capsys)
    assert code == 0
    assert read_rows(out) == [
        ["student", "01.sigmoid", "01.sigmoid_prime", "03.grad_w", "total", "max_points"],
        ["alice", "1", "1", "2", "4", "4"],
        ["'-2+3", "0", "1", "2", "3", "4"],            # a spreadsheet would compute -2+3
        ["'@bob", "0", "0", "0", "0", "4"],
    ]


def test_broken_gradebooks_are_named_not_tracebacks(tmp_path, capsys):
    out = tmp_path / "x.csv"
    cases = {
        "dup.csv": ("student,exercise,passed,diagnosis,points,max_points,seconds\n"
                    "a,01.sigmoid,1,,1,1,0\na,01.sigmoid,0,nan,0,1,0\n", "already appears on line 2"),
        "header.csv": ("name,score\na,1\n", "not a gradebook written by course-utils grade"),
        "nan.csv": ("student,exercise,passed,diagnosis,points,max_points,seconds\na,01.sigmoid,1,,nan,1,0\n",
                    "not a finite number"),
        "mixed.csv": ("student,exercise,passed,diagnosis,points,max_points,seconds\n"
                      "a,01.sigmoid,1,,1,1,0\nb,01.sigmoid,1,,2,2,0\n", "were two runs mixed"),
        "empty.csv": ("", "empty file"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        code, io_ = run(tmp_path / name, "--to", "csv", "--out", out, capsys=capsys)
        assert code == 2 and message in io_.err and "Traceback" not in io_.err, (name, io_.err)
    code, io_ = run(tmp_path, "--to", "csv", "--out", out, capsys=capsys)
    assert code == 2 and "not a regular file" in io_.err


def test_match_students_never_guesses_between_two_rows():
    from course_utils.grading.export import match_students

    # the grader's ids are injective: an escaped id matches the one value it came from
    m = match_students(["o%27neil"], {0: "o'neil", 1: "o neil", 2: "bob"})
    assert m.rows == {0: "o%27neil"} and m.no_submission == ["o neil", "bob"]
    # two roster values that are the same id (a duplicated roster row): neither is chosen
    m = match_students(["o%27neil"], {0: "o'neil", 1: "o'neil "})
    assert m.rows == {} and m.ambiguous
    # two students claim one row through a mapping: neither gets it
    m = match_students(["a", "b"], {0: "x"}, mapping={"a": "x", "b": "x"})
    assert m.rows == {} and "claimed by a, b" in m.ambiguous[0]
    # duplicated roster key: reported, not filled
    m = match_students(["a"], {0: "a", 1: "a"})
    assert m.rows == {} and m.ambiguous == ["a: 2 roster rows have 'a'"] and m.no_submission == []


def _mapping(tmp_path, pairs):
    path = tmp_path / "mapping.csv"
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", "roster value"])
    writer.writerows(pairs.items())
    path.write_text(buf.getvalue())
    return path
