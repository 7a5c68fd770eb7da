"""course_utils.gradcheck against gradients known in closed form."""

import numpy as np
import pytest

from course_utils import gradcheck, numerical_gradient, rel_error
from course_utils.portable.testfunctions import SmoothFunction


def test_numerical_gradient_matches_closed_form_and_leaves_input_alone():
    rng = np.random.default_rng(0)
    f = SmoothFunction(rng.normal(size=(3, 4)), rng.normal(size=(4, 2)))
    w = rng.normal(size=(3, 4))
    before = w.copy()
    num = numerical_gradient(f, w)
    assert num.shape == w.shape
    assert np.array_equal(w, before)
    assert rel_error(f.gradient(w), num) < 1e-6


def test_gradcheck_accepts_right_and_rejects_wrong_with_several_inputs():
    rng = np.random.default_rng(1)
    A, x = rng.normal(size=(3, 5)), rng.normal(size=5)

    def f(A, x):  # 1/2 ||A x||^2: dA = (A x) x^T, dx = A^T A x
        return 0.5 * float(np.sum((A @ x) ** 2))

    right = [np.outer(A @ x, x), A.T @ A @ x]
    result = gradcheck(f, [A, x], right)
    assert result.passed and len(result.errors) == 2 and "OK" in repr(result)
    wrong = [np.outer(A @ x, x), 2 * A.T @ A @ x]  # dx off by a factor 2
    bad = gradcheck(f, [A, x], wrong)
    assert not bad.passed and bad.errors[1] > 0.1 and bad.errors[0] < 1e-6


def test_rel_error_is_cs231n():
    # CS231n's gradient-check notes: |a - n| / max(|a|, |n|), the largest over entries.
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert abs(rel_error(np.array([1.0]), np.array([3.0])) - 2 / 3) < 1e-15
    assert abs(rel_error(np.array([1.0, -4.0]), np.array([1.0, -5.0])) - 1 / 5) < 1e-15
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0


def test_rel_error_takes_the_worst_part_of_a_structure():
    a = (np.array([1.0, 2.0]), 3.0)
    n = (np.array([1.0, 2.0]), 4.0)
    assert abs(rel_error(a, n) - 1 / 4) < 1e-15
    with pytest.raises(ValueError):
        rel_error((1.0, 2.0), (1.0,))
