"""Notebook 03: one layer, one example, a vector input.

Model: x (d,), w (d,), z = x @ w (a number), yhat = sigma(z), L = 1/2 (yhat - y)^2.
dL/dw = delta * x, shape (d,), with delta = dL/dz = (yhat - y) * yhat * (1 - yhat).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import nonzero, target_on_side
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.one_layer import GRAD_SLIPS, one_layer_grad


def grad_w(x, y, w, **knobs):
    """dL/dw for yhat = sigmoid(x @ w), L = 1/2 (yhat - y)^2; x (d,), y float, w (d,) -> (d,)."""
    return one_layer_grad(x, y, w, **knobs)


def gd_step(x, y, w, lr, *, direction=-1, keep_w=True, use_lr=True, **grad_knobs):
    """One gradient-descent step, w - lr * dL/dw; x (d,), y float, w (d,), lr float -> new (d,).

    Knobs: ``direction=+1`` steps uphill; ``keep_w=False`` returns only the step;
    ``use_lr=False`` leaves out the learning rate; ``grad_knobs`` as ``grad_w``'s."""
    step = (lr if use_lr else 1.0) * grad_w(x, y, w, **grad_knobs)
    return (w if keep_w else 0.0) + direction * step


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
