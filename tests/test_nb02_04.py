"""Specific tests of notebooks 02-04 (one sigmoid layer): the references against finite
differences, the draws' promises, and wrong answers written the way a learner would."""

import math

import numpy as np
import pytest

import course_utils
from course_utils import diagnosis as D
from course_utils import registry
from course_utils.gradcheck import gradcheck


def _draws(exercise_id, n=20, seed=0):
    ex = registry.get(exercise_id)
    rng = np.random.default_rng(seed)
    return ex, [ex.draw(rng) for _ in range(n)]


# --- 02: scalars ------------------------------------------------------------------------

def test_02_draws_are_python_floats_away_from_degenerate_values():
    for exercise_id in ("02.loss", "02.grad_w"):
        _, draws = _draws(exercise_id)
        for x, y, w in draws:
            assert all(type(v) is float for v in (x, y, w))
            assert abs(x) >= 0.3 and abs(w) >= 0.2 and 0 < y < 1
            yhat = 1 / (1 + math.exp(-w * x))
            assert abs(yhat - y) > 1e-3


def test_02_grad_matches_finite_differences():
    ex, draws = _draws("02.grad_w")
    loss = registry.get("02.loss").reference
    for x, y, w in draws:
        r = gradcheck(lambda w_: loss(x, y, float(w_)), w, ex.reference(x, y, w))
        assert r.passed, r


def test_02_loss_independent_value():
    # Chosen by hand: w * x = log(3) gives sigma = 3 / (3 + 1) = 3/4, so L = 1/2 (3/4 - 1/4)^2.
    x, w, y = 2.0, math.log(3) / 2, 0.25
    assert registry.get("02.loss").reference(x, y, w) == pytest.approx(0.5 * 0.5 ** 2)
    # dL/dw = (3/4 - 1/4) * (3/4)(1/4) * 2 = 3/16
    assert registry.get("02.grad_w").reference(x, y, w) == pytest.approx(3 / 16)


def test_02_learner_style_mistakes_are_named():
    def no_sigma_prime(x, y, w):
        yhat = 1 / (1 + math.exp(-w * x))
        return (yhat - y) * x

    def target_minus_prediction(x, y, w):
        yhat = 1 / (1 + math.exp(-w * x))
        return (y - yhat) * yhat * (1 - yhat) * x

    def returns_array(x, y, w):  # a (1,) array is the wrong shape for a number
        yhat = 1 / (1 + np.exp(-np.array([w * x])))
        return (yhat - y) * yhat * (1 - yhat) * x

    assert course_utils.run_check("02.grad_w", no_sigma_prime).diagnosis == D.MISSING_ACTIVATION_DERIVATIVE
    assert course_utils.run_check("02.grad_w", target_minus_prediction).diagnosis == D.SIGN
    assert course_utils.run_check("02.grad_w", returns_array).diagnosis == D.SHAPE


def test_02_numpy_scalar_answers_pass():
    def grad_np(x, y, w):
        yhat = 1 / (1 + np.exp(-np.float64(w) * x))
        return (yhat - y) * yhat * (1 - yhat) * x  # np.float64

    assert course_utils.run_check("02.grad_w", grad_np, seed=1).passed
