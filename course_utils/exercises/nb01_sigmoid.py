"""Notebook 01: the sigmoid, its derivative, and a finite-difference gradient."""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, draw_until, features
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import sigmoid as _sigmoid
from ..portable.testfunctions import SmoothFunction


def _draw_u(rng):
    """An array of 1 or 2 dimensions mixing ordinary values with huge ones (|u| <= 1e4)."""
    shape = tuple(distinct_sizes(rng, int(rng.integers(1, 3)), 2, 6))
    u = features(rng, shape, scale=4.0)
    flat = u.reshape(-1)
    extremes = np.array([1e4, -1e4, 750.0, -750.0, 40.0, -40.0, 0.0])
    # At most half the entries are extreme, so every draw also holds ordinary values and
    # the comparison's scale is set by them (a correct e / (1 + e)**2 and s * (1 - s) differ
    # by ~1e-18 at u = 40, which must not count as wrong).
    k = min(max(flat.size // 2, 1), len(extremes))
    flat[rng.choice(flat.size, size=k, replace=False)] = rng.permutation(extremes)[:k]
    return (u,)


def sigmoid(u):
    """1 / (1 + exp(-u)) element-wise, computed without overflow; u any shape -> same shape."""
    # Only ever exponentiate -|u| <= 0: no overflow for any u.
    u = np.asarray(u, dtype=float)
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(u):
    """d sigma / du = sigma(u) * (1 - sigma(u)) element-wise; u any shape -> same shape."""
    s = _sigmoid(u)
    return s * (1 - s)


def numerical_grad(f, w, eps=1e-6):
    """Central differences (f(w + eps e_i) - f(w - eps e_i)) / (2 eps) for every entry i;
    f scalar function of w, w any shape -> array shaped like w. w itself is not changed.
    """
    w = np.array(w, dtype=float)  # a private copy: the caller's w is never touched
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + eps
        f_plus = f(w)
        w[i] = old - eps
        f_minus = f(w)
        w[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _forward_difference(f, w, eps=1e-6):
    w = np.array(w, dtype=float)
    f0 = f(w)
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + eps
        grad[i] = (f(w) - f0) / eps
        w[i] = old
    return grad


def _make_f_w(rng):
    shape = tuple(distinct_sizes(rng, int(rng.integers(1, 3)), 2, 5))
    f = SmoothFunction(features(rng, shape), features(rng, (shape[-1], 3)))
    return f, features(rng, shape), 1e-2


def _draw_f_w(rng):
    """A smooth scalar function f of an array w (1-D or 2-D), w itself, and eps.

    eps = 1e-2 (not the default 1e-6): the check passes its own eps, and at this size a
    forward difference (error ~ eps) is far from the central one (error ~ eps^2) while
    rounding (~1e-16 / eps) stays negligible; draws are redrawn until the two differ
    by more than 1e-4, so they can never be confused.
    """
    return draw_until(rng, _make_f_w, (numerical_grad, _forward_difference), min_gap=1e-4)


EXERCISES = [
    Exercise(
        id="01.sigmoid",
        signature="sigmoid(u)",
        returns="array shaped like u: 1 / (1 + exp(-u)) elementwise, finite for |u| up to 1e4",
        draw=_draw_u,
        reference=sigmoid,
        points=1,
        fp_strict=True,
        mistakes=(
            Mistake(D.WRONG_VALUE, lambda u: _sigmoid(-np.asarray(u)),
                    "You computed 1 / (1 + exp(+u)) = sigma(-u): the exponent needs a minus sign."),
        ),
        hints=(
            "1 / (1 + np.exp(-u)) is right on paper, but np.exp(-u) overflows for u = -1e4. "
            "Find a form that only ever calls exp on a number <= 0.",
            "For u >= 0 use 1 / (1 + exp(-u)); for u < 0 multiply top and bottom by exp(u): "
            "exp(u) / (1 + exp(u)). With e = np.exp(-np.abs(u)) both are "
            "np.where(u >= 0, 1 / (1 + e), e / (1 + e)), and e never overflows.",
        ),
    ),
    Exercise(
        id="01.sigmoid_prime",
        signature="sigmoid_prime(u)",
        returns="array shaped like u: d sigma / du at each entry",
        draw=_draw_u,
        reference=sigmoid_prime,
        points=1,
        fp_strict=True,
        mistakes=(
            Mistake(D.WRONG_VALUE, lambda u: np.asarray(u) * (1 - np.asarray(u)),
                    "You wrote u * (1 - u): the formula is sigma(u) * (1 - sigma(u)), applied to the "
                    "sigmoid's output, not to its input."),
            Mistake(D.WRONG_VALUE, lambda u: _sigmoid(u),
                    "You returned sigma(u) itself: its derivative is sigma(u) * (1 - sigma(u))."),
        ),
        hints=(
            "Differentiate (1 + e^{-u})^{-1} with the chain rule, then write the result in terms "
            "of sigma(u) itself.",
            "sigma'(u) = sigma(u) * (1 - sigma(u)); compute s = sigmoid(u) with your stable "
            "sigmoid and return s * (1 - s).",
        ),
    ),
    Exercise(
        id="01.numerical_grad",
        signature="numerical_grad(f, w, eps=1e-6)",
        returns="array shaped like w: central differences (f(w + eps e_i) - f(w - eps e_i)) / (2 eps)",
        draw=_draw_f_w,
        reference=numerical_grad,
        points=2,
        rtol=1e-6,
        mistakes=(
            Mistake(D.WRONG_VALUE, _forward_difference,
                    "You used a forward difference (f(w + eps) - f(w)) / eps, whose error is of order "
                    "eps; use the central difference (f(w + eps) - f(w - eps)) / (2 eps), error of order eps^2."),
            Mistake(D.WRONG_VALUE, lambda f, w, eps=1e-6: 2 * numerical_grad(f, w, eps),
                    "Your answer is twice the right one: the central difference divides by 2 * eps, "
                    "the distance between w + eps and w - eps."),
        ),
        hints=(
            "Loop over every entry of w (np.ndindex(w.shape) works for any shape), nudge that entry "
            "up and down by eps, and see how f changes. Work on a copy of w.",
            "grad[i] = (f(w with w[i] + eps) - f(w with w[i] - eps)) / (2 * eps). Save old = w[i] "
            "and put it back exactly with w[i] = old afterwards.",
        ),
    ),
]
