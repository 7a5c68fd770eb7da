"""Notebook 01: the sigmoid, its derivative, its logarithm, and a finite-difference gradient.

The sigmoid exercises judge values (the rule stated in notebook 01): the answer must be
finite and right, entry by entry, for every u, including |u| up to 1e4. NumPy's warnings
are not judged; a passing answer that made NumPy warn gets a note. ``01.log_sigmoid`` is
where stability changes the values: log sigma(-1e4) = -1e4, while log(sigmoid(u)) gives
log(0) = -inf there, whichever sigmoid is used.
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import features
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid as _sigmoid
from ..portable.testfunctions import SmoothFunction

_EXTREMES = np.array([1e4, -1e4, 750.0, -750.0, 40.0, -40.0, 0.0])


def _with_extremes(rng, shape):
    """Normal values of scale 4 with some entries replaced by huge ones (|u| <= 1e4).

    At most half the entries are extreme, so the comparison's scale is set by ordinary
    values too (a correct e / (1 + e)**2 and s * (1 - s) differ by ~1e-18 at u = 40,
    which must not count as wrong)."""
    u = features(rng, shape, scale=4.0)
    flat = u.reshape(-1)
    k = min(max(flat.size // 2, 1), len(_EXTREMES))
    flat[rng.choice(flat.size, size=k, replace=False)] = rng.permutation(_EXTREMES)[:k]
    return u


def _sizes(rng, count, low=2, high=6):
    return tuple(int(v) for v in rng.choice(np.arange(low, high + 1), size=count, replace=False))


U_CASES = (
    Case("1-D u", lambda rng: (_with_extremes(rng, _sizes(rng, 1, 3, 9)),)),
    Case("2-D u, not square", lambda rng: (_with_extremes(rng, _sizes(rng, 2)),)),
    Case("2-D u, square", lambda rng: (_with_extremes(rng, (4, 4)),)),
    Case("3-D u", lambda rng: (_with_extremes(rng, _sizes(rng, 3)),)),
)


def sigmoid(u, *, exponent_sign=-1):
    """1 / (1 + exp(-u)) element-wise, computed without overflow; u any shape -> same shape.

    Knob (a mistake): ``exponent_sign=+1`` computes 1 / (1 + exp(+u)) = sigma(-u)."""
    u = np.asarray(u, dtype=float) * -exponent_sign
    e = np.exp(-np.abs(u))  # only ever exponentiate -|u| <= 0: no overflow for any u
    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(u, *, at="output"):
    """d sigma / du = sigma(u) * (1 - sigma(u)) element-wise; u any shape -> same shape.

    Knob (mistakes): ``at="input"`` computes u * (1 - u); ``at="none"`` returns sigma(u)."""
    if at == "input":
        u = np.asarray(u, dtype=float)
        return u * (1 - u)
    s = _sigmoid(u)
    return s if at == "none" else s * (1 - s)


def numerical_grad(f, w, eps=1e-6, *, forward=False, halve=True):
    """Central differences (f(w + eps e_i) - f(w - eps e_i)) / (2 eps) for every entry i;
    f scalar function of w, w any shape -> array shaped like w. w itself is not changed.

    Knobs (mistakes): ``forward=True`` uses (f(w + eps e_i) - f(w)) / eps; ``halve=False``
    divides by eps instead of 2 eps."""
    w = np.array(w, dtype=float)  # a private copy: the caller's w is never touched
    grad = np.zeros_like(w)
    f0 = f(w) if forward else None
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + eps
        f_plus = f(w)
        w[i] = old - eps
        f_minus = f0 if forward else f(w)
        w[i] = old
        step = eps if forward else (2 * eps if halve else eps)
        grad[i] = (f_plus - f_minus) / step
    return grad


def log_sigmoid(u, *, exponent_sign=-1, keep_max=True):
    """log sigma(u) = -softplus(-u) element-wise, finite for every u; u any shape -> same shape.

    softplus(t) = log(1 + e^t) = max(t, 0) + log1p(e^{-|t|}): exp only ever sees -|t| <= 0.
    Knobs (mistakes): ``exponent_sign=+1`` computes log sigma(-u) = log(1 - sigma(u));
    ``keep_max=False`` drops the max(t, 0) term of softplus."""
    t = np.asarray(u, dtype=float) * exponent_sign  # softplus's argument: -u for the right answer
    return -((np.maximum(t, 0.0) if keep_max else 0.0) + np.log1p(np.exp(-np.abs(t))))


def _f_and_w(shape):
    """A smooth scalar function f of an array w of ``shape``, w itself, and eps = 1e-2.

    eps = 1e-2 (not the default 1e-6): the check passes its own eps, and at this size a
    forward difference (error ~ eps) is far from the central one (error ~ eps^2) while
    rounding (~1e-16 / eps) stays negligible."""
    def draw(rng):
        s = shape(rng) if callable(shape) else shape
        f = SmoothFunction(features(rng, s), features(rng, (s[-1], 3)))
        return f, features(rng, s), 1e-2
    return draw


_U_WARNING = ("The check judges values, and yours are right: an intermediate overflowed to inf (e.g. "
              "np.exp(1000)) and a later step turned it into the correctly rounded number (1 / (1 + inf) = 0). "
              "Put a logarithm on top and it no longer does (01.log_sigmoid, section 4).")

EXERCISES = [
    Exercise(
        id="01.sigmoid",
        signature="sigmoid(u)",
        returns="array shaped like u: 1 / (1 + exp(-u)) element-wise, finite and right for |u| up to 1e4",
        cases=U_CASES,
        reference=sigmoid,
        withheld=("functions.sigmoid",),
        points=1,
        slips=(
            Slip("exponent_sign", +1, D.WRONG_VALUE, "the exponent has the wrong sign (sigma(-u))",
                 "You computed 1 / (1 + exp(+u)) = sigma(-u): the exponent needs a minus sign."),
        ),
        on_warning=_U_WARNING,
        solution="""
            def sigmoid(u):
                u = np.asarray(u, dtype=float)
                e = np.exp(-np.abs(u))            # exp only ever sees -|u| <= 0: no overflow
                return np.where(u >= 0, 1 / (1 + e), e / (1 + e))
        """,
        hints=(
            "On paper sigma(u) = 1 / (1 + exp(-u)). In float64, exp(-u) overflows to inf for u < -709, "
            "and the other form exp(u) / (1 + exp(u)) gives inf / inf = NaN for u > 709. Which form is safe "
            "for which sign of u?",
            "For u >= 0 use 1 / (1 + exp(-u)); for u < 0 multiply top and bottom by exp(u): "
            "exp(u) / (1 + exp(u)). In both, exp only sees -|u| <= 0.",
            "e = np.exp(-np.abs(u)); return np.where(u >= 0, 1 / (1 + e), e / (1 + e)).",
        ),
    ),
    Exercise(
        id="01.sigmoid_prime",
        signature="sigmoid_prime(u)",
        returns="array shaped like u: d sigma / du at each entry",
        cases=U_CASES,
        reference=sigmoid_prime,
        withheld=("functions.sigmoid_prime",),
        points=1,
        slips=(
            Slip("at", "input", D.WRONG_VALUE, "the formula is applied to u instead of sigma(u)",
                 "You wrote u * (1 - u): the formula is sigma(u) * (1 - sigma(u)), applied to the "
                 "sigmoid's output, not to its input."),
            Slip("at", "none", D.WRONG_VALUE, "it returns sigma(u) itself",
                 "You returned sigma(u) itself: its derivative is sigma(u) * (1 - sigma(u))."),
        ),
        on_warning=_U_WARNING,
        solution="""
            def sigmoid_prime(u):
                s = sigmoid(u)                    # your stable sigmoid
                return s * (1 - s)
        """,
        hints=(
            "Differentiate (1 + e^{-u})^{-1} with the chain rule, then write the result in terms "
            "of sigma(u) itself.",
            "d/du (1 + e^{-u})^{-1} = e^{-u} / (1 + e^{-u})^2 = sigma(u) * e^{-u} / (1 + e^{-u}), and "
            "e^{-u} / (1 + e^{-u}) = 1 - sigma(u).",
            "s = sigmoid(u) (your stable one); return s * (1 - s).",
        ),
    ),
    Exercise(
        id="01.log_sigmoid",
        signature="log_sigmoid(u)",
        returns="array shaped like u: log(sigma(u)) element-wise, finite and right for |u| up to 1e4",
        cases=U_CASES,
        reference=log_sigmoid,
        points=2,
        on_warning=("The check judges values, and yours are right; the warning says an intermediate overflowed "
                    "(np.where computes both branches on every entry). Computing exp(-|t|) only avoids it."),
        messages={"sign": "Your answer is -log sigma(u) = softplus(-u), the right one with the opposite sign: "
                          "log sigma(u) = -log(1 + e^{-u}) is negative, since sigma(u) < 1."},
        says={"sign": "the whole answer has the opposite sign (log sigma is negative: a minus in front of the "
                      "softplus)"},
        slips=(
            Slip("exponent_sign", +1, D.WRONG_VALUE, "it computes log sigma(-u) = log(1 - sigma(u))",
                 "You computed log(1 - sigma(u)) = log sigma(-u) = -softplus(u): the sign inside the softplus "
                 "is flipped. log sigma(u) = -log(1 + e^{-u}) = -softplus(-u)."),
            Slip("keep_max", False, D.WRONG_VALUE, "the max(t, 0) term of softplus is missing",
                 "Your answer is -log1p(exp(-|u|)) only: right for u >= 0, but for u < 0 the softplus needs its "
                 "term max(-u, 0) = -u: softplus(t) = max(t, 0) + log1p(exp(-|t|))."),
        ),
        solution="""
            def log_sigmoid(u):
                u = np.asarray(u, dtype=float)
                t = -u                                        # log sigma(u) = -softplus(-u)
                return -(np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t))))
        """,
        hints=(
            "Do the algebra before the arithmetic: log(sigmoid(u)) takes log(0) = -inf at u = -1e4 because "
            "sigma(-1e4) = e^{-1e4} is far below the smallest float64 (about 1e-308), whichever sigmoid you use. "
            "Write log sigma(u) without computing sigma(u) first.",
            "log sigma(u) = log 1 - log(1 + e^{-u}) = -softplus(-u), softplus(t) = log(1 + e^t). For t > 0, "
            "factor e^t out: log(1 + e^t) = t + log(1 + e^{-t}). So softplus(t) = max(t, 0) + log(1 + e^{-|t|}).",
            "t = -u; return -(np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))). (np.log1p(s) is log(1 + s), "
            "accurate for tiny s.)",
        ),
    ),
    Exercise(
        id="01.numerical_grad",
        signature="numerical_grad(f, w, eps=1e-6)",
        returns="array shaped like w: central differences (f(w + eps e_i) - f(w - eps e_i)) / (2 eps)",
        cases=(
            Case("1-D w", _f_and_w(lambda rng: _sizes(rng, 1, 2, 6))),
            Case("2-D w, not square", _f_and_w(lambda rng: _sizes(rng, 2, 2, 5))),
            Case("2-D w, square", _f_and_w((3, 3))),
        ),
        reference=numerical_grad,
        withheld=("gradcheck.numerical_gradient",),
        points=2,
        rtol=1e-6,
        min_gap=1e-4,
        slips=(
            Slip("forward", True, D.WRONG_VALUE, "it uses a forward difference",
                 "You used a forward difference (f(w + eps) - f(w)) / eps, whose error is of order "
                 "eps; use the central difference (f(w + eps) - f(w - eps)) / (2 eps), error of order eps^2."),
            Slip("halve", False, D.WRONG_VALUE, "it divides by eps instead of 2 * eps",
                 "Your answer is twice the right one: the central difference divides by 2 * eps, "
                 "the distance between w + eps and w - eps."),
        ),
        solution="""
            def numerical_grad(f, w, eps=1e-6):
                w = np.array(w, dtype=float)      # a private copy: the caller's w is never touched
                grad = np.zeros_like(w)
                for i in np.ndindex(w.shape):
                    old = w[i]
                    w[i] = old + eps
                    f_plus = f(w)
                    w[i] = old - eps
                    f_minus = f(w)
                    w[i] = old                    # restore exactly
                    grad[i] = (f_plus - f_minus) / (2 * eps)
                return grad
        """,
        hints=(
            "The partial derivative along entry i is the slope of f when only w[i] moves: the definition of "
            "the derivative, with a small step eps on both sides (the central difference).",
            "Loop over every entry of w (np.ndindex(w.shape) works for any shape), on a private copy of w; "
            "set w[i] = old + eps, evaluate f, set w[i] = old - eps, evaluate f, and put w[i] = old back.",
            "grad[i] = (f_plus - f_minus) / (2 * eps) for every i, with f_plus = f(w with w[i] + eps) and "
            "f_minus = f(w with w[i] - eps).",
        ),
    ),
]
