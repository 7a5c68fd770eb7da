"""Notebook 03: one layer, one example, a vector input.

Model: x (d,), w (d,), z = x @ w (a number), yhat = sigma(z), L = 1/2 (yhat - y)^2.
dL/dw = delta * x, shape (d,), with delta = dL/dz = (yhat - y) * yhat * (1 - yhat) (worked).
The learner derives: the Jacobian dz/dw of column vectors (a checkpoint: a row, (1, d)),
the gradient for another inner product <u, v>_M = u @ M @ v (M^{-1} delta x: the
derivative is a covector, the gradient depends on the inner product), and the gradients
with a bias b, z = x @ w + b (dL/db = delta).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import away_from_one, nonzero, target_on_side
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.one_layer import (
    BIAS_SLIPS,
    GRAD_SLIPS,
    METRIC_SLIPS,
    one_layer_grad,
    one_layer_grad_metric,
    one_layer_grad_wb,
)


def grad_w(x, y, w, **knobs):
    """dL/dw for yhat = sigmoid(x @ w), L = 1/2 (yhat - y)^2; x (d,), y float, w (d,) -> (d,)."""
    return one_layer_grad(x, y, w, **knobs)


def gd_step(x, y, w, lr, *, direction=-1, keep_w=True, use_lr=True, **grad_knobs):
    """One gradient-descent step, w - lr * dL/dw; x (d,), y float, w (d,), lr float -> new (d,).

    Knobs: ``direction=+1`` steps uphill; ``keep_w=False`` returns only the step;
    ``use_lr=False`` leaves out the learning rate; ``grad_knobs`` as ``grad_w``'s."""
    step = (lr if use_lr else 1.0) * grad_w(x, y, w, **grad_knobs)
    return (w if keep_w else 0.0) + direction * step


def grad_wb(x, y, w, b, **knobs):
    """(dL/dw, dL/db) for yhat = sigmoid(x @ w + b); x (d,), y float, w (d,), b float -> ((d,), float)."""
    return one_layer_grad_wb(x, y, w, b, **knobs)


def grad_metric(x, y, w, M, **knobs):
    """The gradient of L = 1/2 (sigmoid(x @ w) - y)^2 for the inner product u @ M @ v:
    M^{-1} (delta * x); x (d,), y float, w (d,), M (d, d) symmetric positive definite -> (d,)."""
    return one_layer_grad_metric(x, y, w, M, **knobs)


def dz_dw_shape(*, layout="row"):
    """The checkpoint: the shape of the Jacobian dz/dw for z = w^T x with column vectors of
    d = 3 entries: one row per output (z: 1), one column per input (w: 3) -> (1, 3).
    Knob ``layout``: "column" (the gradient's shape, (3, 1)), "square" ((3, 3))."""
    return {"row": (1, 3), "column": (3, 1), "square": (3, 3)}[layout]


def _case(d, side):
    """x, w of length d (|z| moderate: no saturation), y with sign(yhat - y) = side."""
    def draw(rng):
        n = d(rng) if callable(d) else d
        x = nonzero(rng, (n,), scale=1.5, floor=0.2)            # no zero inputs
        w = nonzero(rng, (n,), scale=1.2, floor=0.1) / np.sqrt(n)
        return x, target_on_side(rng, sigmoid(x @ w), side), w
    return draw


CASES = (
    Case("yhat > y, d in 3..7", _case(lambda rng: int(rng.integers(3, 8)), +1)),
    Case("yhat < y, d in 3..7", _case(lambda rng: int(rng.integers(3, 8)), -1)),
    Case("yhat > y, d = 2", _case(2, +1)),
    Case("yhat < y, d = 2", _case(2, -1)),
)


def _with_lr(case):
    return lambda rng: (*case(rng), float(rng.uniform(0.2, 4.0)))


def _bias_case(d, side):
    """x, w of length d and a bias b (|b| in [0.3, 0.7] or [1.5, 2.5]: far from 0 and 1), with
    sign(sigmoid(x @ w + b) - y) = side."""
    def draw(rng):
        n = d(rng) if callable(d) else d
        x = nonzero(rng, (n,), scale=1.5, floor=0.2)
        w = nonzero(rng, (n,), scale=1.2, floor=0.1) / np.sqrt(n)
        b = away_from_one(rng)
        return x, target_on_side(rng, sigmoid(x @ w + b), side), w, b
    return draw


BIAS_CASES = (
    Case("yhat > y, d in 3..7", _bias_case(lambda rng: int(rng.integers(3, 8)), +1)),
    Case("yhat < y, d in 3..7", _bias_case(lambda rng: int(rng.integers(3, 8)), -1)),
    Case("yhat > y, d = 2", _bias_case(2, +1)),
    Case("yhat < y, d = 2", _bias_case(2, -1)),
)


def _with_metric(case):
    """Adds M = A A^T / d + 0.3 I: symmetric, positive definite, far from diagonal."""
    def draw(rng):
        args = case(rng)
        d = len(args[0])
        A = rng.standard_normal((d, d))
        return (*args, A @ A.T / d + 0.3 * np.eye(d))
    return draw


COMPONENTWISE = Slip(
    "componentwise", True, D.WRONG_VALUE, "notebook 02's formula is applied to each component",
    "You applied notebook 02's scalar formula to each component separately, with sigmoid(x * w) "
    "element-wise. There is one pre-activation, z = x @ w = sum_j x_j w_j (a number), and one delta "
    "shared by all components: dL/dw = delta * x.")

EXERCISES = [
    Exercise(
        id="03.grad_w",
        signature="grad_w(x, y, w)",
        returns="(d,) array: dL/dw, the shape of w",
        cases=CASES,
        reference=grad_w,
        slips=GRAD_SLIPS + (COMPONENTWISE,),
        points=2,
        hints=(
            "z = x @ w is ONE number, so yhat and delta = dL/dz = (yhat - y) * sigma'(z) are numbers "
            "too. Then differentiate z = sum_j x_j w_j with respect to a single w_j.",
            "dz/dw_j = x_j, so dL/dw_j = delta * x_j for every j.",
            "yhat = sigmoid(x @ w); delta = (yhat - y) * yhat * (1 - yhat); return delta * x",
        ),
        solution="""
            def grad_w(x, y, w):
                yhat = sigmoid(x @ w)                     # a number
                delta = (yhat - y) * yhat * (1 - yhat)    # dL/dz, a number
                return delta * x                          # (d,): dL/dw_j = delta * x_j
        """,
    ),
    Exercise(
        id="03.gd_step",
        signature="gd_step(x, y, w, lr)",
        returns="(d,) array: the new weights w - lr * dL/dw (w itself unchanged)",
        cases=tuple(Case(c.name, _with_lr(c.draw)) for c in CASES),
        reference=gd_step,
        slips=(
            Slip("direction", +1, D.WRONG_VALUE, "it steps uphill (w + lr * dL/dw)",
                 "You stepped uphill, w + lr * dL/dw: gradient descent subtracts, w - lr * dL/dw."),
            Slip("keep_w", False, D.WRONG_VALUE, "it returns only the step, not the new weights",
                 "You returned only the step -lr * dL/dw: return the new weights w - lr * dL/dw."),
            Slip("use_lr", False, D.WRONG_VALUE, "the learning rate is left out",
                 "You left out the learning rate: the new weights are w - lr * dL/dw."),
            Slip("sigma_prime", "none", D.MISSING_ACTIVATION_DERIVATIVE, "its gradient misses sigma'(z)",
                 "Your step uses (yhat - y) * x as the gradient: the factor sigma'(z) = yhat * (1 - yhat) "
                 "is missing (check your grad_w with check('03.grad_w', grad_w))."),
        ),
        points=1,
        solution="""
            def gd_step(x, y, w, lr):
                return w - lr * grad_w(x, y, w)   # a new array: w itself is untouched
        """,
        hints=(
            "Move against the gradient, scaled by the learning rate. Return a new array: `w -= ...` "
            "would change the caller's w.",
            "The new weights are w - lr * dL/dw, with dL/dw from your grad_w.",
            "return w - lr * grad_w(x, y, w)",
        ),
    ),
]

EXERCISES += [
    Exercise(
        id="03.dz_dw_shape",
        kind="value",
        signature="dz_dw_shape",
        returns="a tuple of two ints: the shape of the Jacobian dz/dw for column vectors with d = 3",
        cases=(Case("z = w^T x, d = 3", lambda rng: ()),),
        reference=dz_dw_shape,
        slips=(
            Slip("layout", "column", D.WRONG_VALUE, "it gives the gradient's shape, a column",
                 "(3, 1) is the shape of the GRADIENT, the column x that has the shape of w. The derivative "
                 "dz/dw as a matrix has one row per output (z is one number) and one column per input "
                 "(three weights)."),
            Slip("layout", "square", D.WRONG_VALUE, "it gives a square matrix",
                 "A (3, 3) matrix would map three inputs to three outputs. z is one number: dz/dw maps a change "
                 "of the three weights to one change of z, so it has one row."),
        ),
        points=1,
        hints=(
            "A Jacobian has one row per output and one column per input. How many outputs does z = w^T x "
            "have, and how many inputs w?",
            "z is one number and w has 3 entries; dz/dw = x^T, the transpose of the column x.",
            "dz_dw_shape = (1, 3)",
        ),
        solution="""
            dz_dw_shape = (1, 3)   # one row (z is a number), one column per weight: x^T
        """,
    ),
    Exercise(
        id="03.grad_wb",
        signature="grad_wb(x, y, w, b)",
        returns="a tuple (dL/dw, dL/db): a (d,) array and a number, for z = x @ w + b",
        cases=BIAS_CASES,
        reference=grad_wb,
        slips=BIAS_SLIPS,
        outputs=("dL/dw", "dL/db"),
        points=2,
        hints=(
            "The bias changes the forward pass (z = x @ w + b) and adds one new local derivative, dz/db. "
            "Everything up to delta = dL/dz is the chain you know.",
            "delta = (yhat - y) * yhat * (1 - yhat) with yhat = sigmoid(x @ w + b); dz/dw_j = x_j as before, "
            "and z changes one for one with b: dz/db = 1.",
            "yhat = sigmoid(x @ w + b); delta = (yhat - y) * yhat * (1 - yhat); return delta * x, float(delta)",
        ),
        solution="""
            def grad_wb(x, y, w, b):
                yhat = sigmoid(x @ w + b)                 # the bias is part of z
                delta = (yhat - y) * yhat * (1 - yhat)    # dL/dz, a number
                return delta * x, float(delta)            # dz/dw = x, dz/db = 1
        """,
    ),
    Exercise(
        id="03.grad_metric",
        signature="grad_metric(x, y, w, M)",
        returns="(d,) array: the gradient of L for the inner product <u, v>_M = u @ M @ v",
        cases=tuple(Case(c.name, _with_metric(c.draw)) for c in CASES),
        reference=grad_metric,
        slips=METRIC_SLIPS,
        points=2,
        hints=(
            "The derivative does not change with the inner product: dL(w)[v] = (delta * x) @ v. The gradient "
            "g_M is DEFINED as the vector with <g_M, v>_M = dL(w)[v] for every direction v.",
            "<g_M, v>_M = g_M @ M @ v = (M @ g_M) @ v (M is symmetric). Equal to (delta * x) @ v for every v "
            "means M @ g_M = delta * x.",
            "yhat = sigmoid(x @ w); grad = (yhat - y) * yhat * (1 - yhat) * x; return np.linalg.solve(M, grad)",
        ),
        solution="""
            def grad_metric(x, y, w, M):
                yhat = sigmoid(x @ w)
                grad = (yhat - y) * yhat * (1 - yhat) * x   # represents dL(w) through u @ v
                return np.linalg.solve(M, grad)             # g with M @ g = grad: represents it through u @ M @ v
        """,
    ),
]

_ORDER = ("03.grad_w", "03.gd_step", "03.dz_dw_shape", "03.grad_metric", "03.grad_wb")  # the notebook's order
EXERCISES.sort(key=lambda ex: _ORDER.index(ex.id))
