"""``course-utils report``: the class report and the HTML feedback pages, parsed.

The class is written by hand in report_support.py, with the numbers the report must show
counted by hand; the pages are read with the standard library's HTML parser.
"""

import os

import pytest
from report_support import CLASS, EXERCISES, EXPECTED, Page, external_urls, write_class

from course_utils.checking import registry
from course_utils.cli import main as course_utils_main
from course_utils.grading import report, results


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The report and feedback pages of the hand-written class, rendered once."""
    folder = tmp_path_factory.mktemp("report")
    gradebook = write_class(folder, {"course_version": "0.1.0+f2bd035"})
    out = folder / "site" / "report.html"
    feedback = folder / "site" / "feedback"
    assert course_utils_main(["report", gradebook, "--out", str(out), "--feedback", str(feedback)]) == 0
    return Page(out.read_text()), feedback


def test_class_report_shows_every_student_and_exercise(made):
    page, _ = made
    assert page.lang == "en" and page.tags.count("h1") == 1
    levels = [level for level, _ in page.headings]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no skipped level
    everyone = page.table("Each student's result per exercise")
    assert everyone["rows"][0] == ["Student", "Total", *[e for e, _ in EXERCISES]]
    got = {row[0]: row[1] for row in everyone["rows"][1:]}
    assert got == {s: f"{t} / 4" for s, t in EXPECTED["totals"].items()}
    assert all(scope in ("col", "row") for t in page.tables for scope in t["headers"])
    rate = page.table("Pass rate per exercise")
    assert {r[0]: r[1] for r in rate["rows"][1:]} == {e: f"{n} of 6" for e, n in EXPECTED["passed"].items()}
    assert EXPECTED["top"] in page.text
    assert "Graded with course version 0.1.0+f2bd035" in page.text


def test_class_report_lists_limits_and_diagnoses(made):
    page, _ = made
    limits = page.table("3 submissions hit a limit")
    assert {(r[0], r[1]) for r in limits["rows"][1:]} == EXPECTED["limits"]
    per_exercise = page.table("Diagnoses per exercise")
    rows = {r[0]: r[1:] for r in per_exercise["rows"][1:]}
    assert rows["03.grad_w"] == ["4", "3 students: transpose; 1 student: not_implemented"]
    assert rows["01.sigmoid"] == ["3", "1 student: timeout; 1 student: exception; 1 student: not_implemented"]


def test_pages_are_self_contained_and_escaped(made):
    page, feedback = made
    assert external_urls(page) == []
    assert [src[:22] for src, _ in page.images] == ["data:image/png;base64,"] * 2
    assert all(alt and len(alt) > 40 for _, alt in page.images)          # a real text alternative
    assert "<script" not in page.tags and "script" not in page.tags
    hostile = '<img src="http://evil.example/x.png">'
    assert hostile in page.text                                          # shown as text, not as an image
    assert len(page.images) == 2
    names = sorted(os.listdir(feedback))
    assert len(names) == len(CLASS) and all(n.endswith(".html") for n in names)
    for name in names:
        fb = Page((feedback / name).read_text())
        assert external_urls(fb) == [] and "script" not in fb.tags and fb.lang == "en", name


def test_feedback_page_has_a_section_per_exercise_with_hint(made):
    _, feedback = made
    bob = Page((feedback / "bob.html").read_text())
    assert bob.headings[0] == (1, "Feedback for bob")
    sections = [text for level, text in bob.headings if level == 3]
    assert sections == ["01.sigmoid: passed", "01.sigmoid_prime: not yet", "03.grad_w: not yet"]
    assert "Score: 1 / 4" in bob.text and "You wrote u * (1 - u)." in bob.text
    levels = len(registry.get("03.grad_w").hints)               # the last hint gives the formula
    assert f"hint('03.grad_w', {levels})" in bob.text          # a formula slip: ask for the formula hint
    erin = Page((feedback / "erin+x@uni.edu.html").read_text())
    assert "Ask for the first hint, a nudge: hint('01.sigmoid')" in erin.text   # nothing ran: start with a nudge
    assert "%matplotlib inline" in erin.text and "IPython-only" in erin.text
    table = erin.table("Results per exercise")
    assert [r[1] for r in table["rows"][1:]] == ["✗ not yet: not_implemented"] * 3   # words, not colour


def test_report_without_state_still_works_and_says_so(tmp_path, capsys):
    gradebook = write_class(tmp_path)
    os.remove(results.state_path(gradebook))
    out = tmp_path / "r.html"
    assert course_utils_main(["report", gradebook, "--out", str(out)]) == 0
    assert "no messages or notes" in capsys.readouterr().err
    page = Page(out.read_text())
    assert len(page.table("Each student's result per exercise")["rows"]) == 1 + len(CLASS)
    assert "Course version: not recorded" in page.text
    bad = tmp_path / "state_bad" / "gradebook.csv"
    bad.parent.mkdir()
    bad.write_text((tmp_path / "gradebook.csv").read_text())
    (tmp_path / "state_bad" / "gradebook.csv.state.json").write_text("{ not json")
    assert course_utils_main(["report", str(bad), "--out", str(out)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_limits_hit_takes_one_limit_per_text():
    data = results.ClassResults("g.csv", [results.Mark("a", "x", False, "timeout", 0, 1, 0,
                                                       "Your function took too long (stopped after 1 s).")],
                                ["a"], ["x"], {"x": 1.0}, notes={"a": ["cell 2 was stopped after 2 s"]})
    assert [(h.limit, h.where) for h in report.limits_hit(data)] == [("time limit of a cell", "note"),
                                                                    ("time limit of a call", "x")]

