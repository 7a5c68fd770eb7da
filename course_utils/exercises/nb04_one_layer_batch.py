"""Notebook 04: one layer, a batch of examples, the summed loss.

Model: X (N, d) one example per row, w (d,), z = X @ w (N,), yhat = sigma(z) (N,),
L = 1/2 * sum_i (yhat_i - y_i)^2. dL/dw = X.T @ delta, shape (d,), with
delta = (yhat - y) * yhat * (1 - yhat) of shape (N,).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, mixed_sides, nonzero, target_on_side
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.one_layer import (
    GRAD_SLIPS,
    LOOP_SLIPS,
    LOSS_SLIPS,
    MEAN_GRAD_SLIP,
    MEAN_LOSS_SLIP,
    one_layer_grad,
    one_layer_loss,
)


def loss(X, y, w, **knobs):
    """L = 1/2 sum_i (sigmoid(X @ w)_i - y_i)^2; X (N, d), y (N,), w (d,) -> float."""
    return one_layer_loss(X, y, w, **knobs)


def grad_w(X, y, w, **knobs):
    """dL/dw of the summed loss, X.T @ delta; X (N, d), y (N,), w (d,) -> (d,)."""
    return one_layer_grad(X, y, w, **knobs)


def grad_w_loop(X, y, w, **knobs):
    """dL/dw of the summed loss, adding one example's delta_i * x_i at a time;
    X (N, d), y (N,), w (d,) -> (d,). (Same answer as ``grad_w``.)"""
    return one_layer_grad(X, y, w, **knobs)


def _case(sizes, sides):
    """X (N, d) and w with moderate z, y with sign(yhat_i - y_i) = sides(rng, N)_i."""
    def draw(rng):
        n, d = sizes(rng)
        X = nonzero(rng, (n, d), scale=1.5, floor=0.2)             # no zero inputs
        w = nonzero(rng, (d,), scale=1.2, floor=0.1) / np.sqrt(d)  # moderate z: no saturation
        return X, target_on_side(rng, sigmoid(X @ w), sides(rng, n)), w
    return draw


def _n_above_d(rng):
    d, n = sorted(distinct_sizes(rng, 2, 2, 7))
    return n, d


def _n_below_d(rng):
    n, d = sorted(distinct_sizes(rng, 2, 2, 7))
    return n, d


CASES = (
    Case("errors of both signs, N > d", _case(_n_above_d, mixed_sides)),
    Case("errors of both signs, N < d", _case(_n_below_d, mixed_sides)),
    Case("every yhat_i > y_i", _case(_n_above_d, lambda rng, n: np.ones(n))),
    Case("N = 2, errors of both signs", _case(lambda rng: (2, int(rng.integers(3, 7))), mixed_sides)),
)


def _batch(X, y, w):
    return np.shape(X)[0]


PER_EXAMPLE_MESSAGE = (
    "Your gradient still has one row per example (delta_i * x_i, shape (N, d)): the gradient of the "
    "summed loss is their sum over the batch, shape (d,) like w: X.T @ delta.")

EXERCISES = [
    Exercise(
        id="04.loss",
        signature="loss(X, y, w)",
        returns="float: L = 1/2 * sum_i (sigmoid(X @ w)_i - y_i)**2",
        cases=CASES,
        reference=loss,
        slips=LOSS_SLIPS + (
            MEAN_LOSS_SLIP,
            Slip("examples", "first", D.WRONG_VALUE, "only the first example counts",
                 "Your loss is the first example's only: is your return inside the loop?"),
            Slip("square_of_sum", True, D.WRONG_VALUE, "it squares the sum of the errors",
                 "You squared the sum of the errors: the loss is the sum of the squared errors, "
                 "0.5 * np.sum((yhat - y) ** 2)."),
        ),
        points=1,
        solution="""
            def loss(X, y, w):
                yhat = sigmoid(X @ w)                     # (N,)
                return float(0.5 * np.sum((yhat - y) ** 2))
        """,
        hints=(
            "X @ w gives all N pre-activations at once, shape (N,); the sigmoid works element-wise.",
            "The loss adds one term 1/2 (yhat_i - y_i)^2 per example.",
            "yhat = sigmoid(X @ w); return float(0.5 * np.sum((yhat - y) ** 2))",
        ),
    ),
    Exercise(
        id="04.grad_w_loop",
        signature="grad_w_loop(X, y, w)",
        returns="(d,) array: dL/dw, accumulated example by example",
        cases=CASES,
        reference=grad_w_loop,
        slips=GRAD_SLIPS + LOOP_SLIPS + (MEAN_GRAD_SLIP,),
        roles=lambda ref: ("weight",),
        batch_size=_batch,
        messages={"weight_not_summed": PER_EXAMPLE_MESSAGE},
        points=1,
        solution="""
            def grad_w_loop(X, y, w):
                g = np.zeros(X.shape[1])                  # (d,)
                for i in range(X.shape[0]):               # one example at a time, as in notebook 03
                    yhat_i = sigmoid(X[i] @ w)
                    delta_i = (yhat_i - y[i]) * yhat_i * (1 - yhat_i)
                    g += delta_i * X[i]                   # accumulate: the loss is a sum
                return g
        """,
        hints=(
            "The loss is a sum over examples, so its gradient is the sum of the examples' gradients "
            "from notebook 03.",
            "Example i contributes delta_i * x_i with delta_i = (yhat_i - y_i) * yhat_i * (1 - yhat_i).",
            "g = np.zeros(X.shape[1]); for i in range(X.shape[0]): yhat_i = sigmoid(X[i] @ w); "
            "g += (yhat_i - y[i]) * yhat_i * (1 - yhat_i) * X[i]; after the loop: return g",
        ),
    ),
    Exercise(
        id="04.grad_w",
        signature="grad_w(X, y, w)",
        returns="(d,) array: dL/dw of the summed loss, without a Python loop",
        cases=CASES,
        reference=grad_w,
        slips=GRAD_SLIPS + LOOP_SLIPS + (MEAN_GRAD_SLIP,),
        roles=lambda ref: ("weight",),
        batch_size=_batch,
        messages={"weight_not_summed": PER_EXAMPLE_MESSAGE},
        points=2,
        hints=(
            "The loss is a sum over examples, so its gradient is the sum of the examples' gradients "
            "from notebook 03: sum_i delta_i * x_i.",
            "Component j of sum_i delta_i * X[i] is sum_i X[i, j] * delta_i = (X.T @ delta)[j]. "
            "Shapes: (d, N) @ (N,) -> (d,).",
            "yhat = sigmoid(X @ w); delta = (yhat - y) * yhat * (1 - yhat); return X.T @ delta",
        ),
        solution="""
            def grad_w(X, y, w):
                yhat = sigmoid(X @ w)                     # (N,)
                delta = (yhat - y) * yhat * (1 - yhat)    # (N,): dL/dz_i, one per example
                return X.T @ delta                        # (d, N) @ (N,) -> (d,) = sum_i delta_i x_i
        """,
    ),
]
