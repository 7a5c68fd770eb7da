"""check / hint / solution as a learner calls them in a notebook."""

import numpy as np
import pytest

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.checking import registry
from course_utils.exercises import nb01_sigmoid
from course_utils.learner.commands import hint_text, solution_text


def learners_sigmoid(u):
    """A right answer defined outside the course package, as a learner's is."""
    return nb01_sigmoid.sigmoid(u)


def test_check_passes_quietly_and_fails_loudly_only_in_strict_mode(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_UTILS_STRICT", "1")
    assert course_utils.check("01.sigmoid", learners_sigmoid) is None
    assert "PASSED 01.sigmoid" in capsys.readouterr().out
    with pytest.raises(course_utils.CheckFailed, match="not_implemented"):
        course_utils.check("01.sigmoid", lambda u: None)
    monkeypatch.delenv("COURSE_UTILS_STRICT")
    course_utils.check("01.sigmoid", lambda u: None)  # a learner's kernel: reports, never raises
    assert "NOT YET 01.sigmoid [not_implemented]" in capsys.readouterr().out


def test_check_with_a_typo_in_the_id_explains(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_UTILS_STRICT", raising=False)
    course_utils.check("01.sigmod", nb01_sigmoid.sigmoid)
    assert "Did you mean '01.sigmoid'" in capsys.readouterr().out


def test_hints_are_graded_and_end_at_the_solution():
    n = len(registry.get("01.sigmoid").hints)
    first, last = hint_text("01.sigmoid", 1), hint_text("01.sigmoid", 99)
    assert first.startswith(f"Hint 1/{n}") and "hint('01.sigmoid', 2)" in first
    assert last.startswith(f"Hint {n}/{n}") and "solution('01.sigmoid')" in last
    assert hint_text("01.sigmoid", "junk").startswith(f"Hint 1/{n}")
    assert "There is no exercise" in hint_text("nope")


def test_solution_text_shows_the_learners_signature_without_knobs():
    text = solution_text("01.sigmoid_prime")
    assert text.startswith("def sigmoid_prime(u):") and "s * (1 - s)" in text
    for ex in registry.all_exercises():
        assert "*," not in solution_text(ex.id), f"{ex.id}'s solution shows the reference's knobs"


def test_float32_answers_are_refused_with_a_reason():
    r = course_utils.run_check("01.sigmoid", lambda u: nb01_sigmoid.sigmoid(u).astype(np.float32))
    assert r.diagnosis == D.WRONG_TYPE and "float64" in r.message


def test_result_renders_as_text_and_html():
    r = course_utils.run_check("01.sigmoid", learners_sigmoid, seed=0)
    assert str(r).startswith("PASSED") and "&#10004;" in r._repr_html_()
    bad = course_utils.run_check("01.sigmoid", lambda u: "<script>", seed=0)
    assert "<script>" not in bad._repr_html_()  # messages are escaped
