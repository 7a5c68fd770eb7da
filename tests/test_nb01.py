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
    assert course_utils.run_check("01.sigmoid_prime", nb01.sigmoid_prime, seed=seed).passed


@pytest.mark.parametrize("seed", range(60))
def test_forward_difference_is_always_named(seed):
    r = course_utils.run_check("01.numerical_grad", nb01._forward_difference, seed=seed)
    assert not r.passed and "forward difference" in r.message


def test_numerical_grad_reference_matches_the_exact_gradient():
    rng = np.random.default_rng(0)
    f = SmoothFunction(rng.normal(size=(3, 4)), rng.normal(size=(4, 3)))
    w = rng.normal(size=(3, 4))
    num = nb01.numerical_grad(f, w, 1e-6)
    assert np.max(np.abs(num - f.gradient(w))) < 1e-6 * np.max(np.abs(f.gradient(w)))


def test_switching_off_fp_errors_does_not_pass_the_stability_check():
    def sneaky(u):
        np.seterr(all="ignore")  # hides the overflow instead of avoiding it
        return 1 / (1 + np.exp(-u))

    old = np.geterr()
    try:
        r = course_utils.run_check("01.sigmoid", sneaky)
    finally:
        np.seterr(**old)
    assert r.diagnosis == D.NAN and "np.seterr" in r.message
