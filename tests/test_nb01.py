"""Notebook 01's checkers over many seeds: no right answer refused, no mistake missed."""

import numpy as np
import pytest

import course_utils
from course_utils.checking import diagnosis as D
from course_utils.exercises import nb01_sigmoid as nb01
from course_utils.portable.testfunctions import SmoothFunction


def sigmoid_prime_exact(u):
    # e^{-|u|} / (1 + e^{-|u|})^2: more accurate than s * (1 - s) where s rounds to 1.
    e = np.exp(-np.abs(np.asarray(u, dtype=float)))
    return e / (1 + e) ** 2


@pytest.mark.parametrize("seed", range(60))
def test_precise_and_textbook_derivatives_both_pass(seed):
    assert course_utils.run_check("01.sigmoid_prime", sigmoid_prime_exact, seed=seed).passed
    assert course_utils.run_check("01.sigmoid_prime", lambda u: nb01.sigmoid_prime(u), seed=seed).passed


@pytest.mark.parametrize("seed", range(60))
def test_forward_difference_is_always_named(seed):
    r = course_utils.run_check("01.numerical_grad",
                               lambda f, w, eps=1e-6: nb01.numerical_grad(f, w, eps, forward=True), seed=seed)
    assert not r.passed and "forward difference" in r.message


def test_numerical_grad_reference_matches_the_exact_gradient():
    rng = np.random.default_rng(0)
    f = SmoothFunction(rng.normal(size=(3, 4)), rng.normal(size=(4, 3)))
    w = rng.normal(size=(3, 4))
    num = nb01.numerical_grad(f, w, 1e-6)
    assert np.max(np.abs(num - f.gradient(w))) < 1e-6 * np.max(np.abs(f.gradient(w)))


def test_the_sigmoid_checks_judge_values_not_warnings():
    """Notebook 01's rule: the values must be finite and right for |u| up to 1e4. The
    textbook form overflows inside (a warning) but returns the right values and passes
    with a note; the form exp(u) / (1 + exp(u)) returns NaN for u > 709 and fails,
    even when the learner silences NumPy's warnings first."""
    def textbook(u):
        return 1 / (1 + np.exp(-u))

    r = course_utils.run_check("01.sigmoid", textbook, seed=3)
    assert r.passed and "overflow" in r.message

    def silenced_nan_form(u):
        np.seterr(all="ignore")  # hides the warning, not the NaN
        return np.exp(u) / (1 + np.exp(u))

    old = np.geterr()
    try:
        r = course_utils.run_check("01.sigmoid", silenced_nan_form, seed=3)
    finally:
        np.seterr(**old)
    assert r.diagnosis == D.NAN


# --- 01.log_sigmoid ---------------------------------------------------------------------

def test_log_sigmoid_reference_against_independent_formulas():
    """Where the direct formula is exact in float64 (|u| <= 30) it must agree; far left,
    log sigma(u) = u - log(1 + e^u) is u to within e^u; its exponential is the sigmoid; and
    its derivative (finite differences) is sigma(-u) = 1 - sigma(u)."""
    moderate = np.linspace(-30, 30, 601)
    direct = np.log(1 / (1 + np.exp(-moderate)))
    assert np.allclose(nb01.log_sigmoid(moderate), direct, rtol=1e-12, atol=1e-15)
    far_left = np.array([-40.0, -750.0, -1e4])
    assert np.allclose(nb01.log_sigmoid(far_left), far_left, rtol=1e-15, atol=np.exp(-40))
    u = np.random.default_rng(1).normal(scale=5, size=50)
    assert np.allclose(np.exp(nb01.log_sigmoid(u)), 1 / (1 + np.exp(-u)), rtol=1e-13)
    eps = 1e-6
    slope = (nb01.log_sigmoid(u + eps) - nb01.log_sigmoid(u - eps)) / (2 * eps)
    assert np.allclose(slope, 1 / (1 + np.exp(u)), rtol=1e-6, atol=1e-10)


def test_log_sigmoid_is_finite_where_every_naive_form_is_not():
    """The point of the exercise: at u = -1e4 the true value is finite (-1e4) while the log of
    either sigmoid form is -inf; the check names that nan and passes the stable forms."""
    u = np.array([-1e4])
    with np.errstate(all="ignore"):
        assert np.isneginf(np.log(1 / (1 + np.exp(-u))))[0]
        assert np.isneginf(np.log(nb01.sigmoid(u)))[0]
    assert nb01.log_sigmoid(u)[0] == -1e4
    with np.errstate(all="ignore"):
        r = course_utils.run_check("01.log_sigmoid", lambda v: np.log(1 / (1 + np.exp(-v))), seed=0)
    assert r.diagnosis == D.NAN
    r = course_utils.run_check("01.log_sigmoid", lambda v: -np.logaddexp(0.0, -v), seed=0)
    assert r.passed
