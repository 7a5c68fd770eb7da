"""Notebook 04: one layer, a batch of examples, the summed loss.

Model: X (N, d) one example per row, w (d,), z = X @ w (N,), yhat = sigma(z) (N,),
L = 1/2 * sum_i (yhat_i - y_i)^2. dL/dw = X.T @ delta, shape (d,), with
delta = (yhat - y) * yhat * (1 - yhat) of shape (N,).

The notebook derives the sum over examples; the learner turns it into one matrix product
(a faded step, revealed after the check), answers which product passes every shape check
with N = d yet is wrong (a checkpoint), and derives the batch gradients with a bias
(dL/db = sum_i delta_i) and with respect to the inputs (dL/dX = outer(delta, w), (N, d)).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import away_from_one, distinct_sizes, mixed_sides, nonzero, target_on_side
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.one_layer import (
    BIAS_BATCH_SLIPS,
    BIAS_SLIPS,
    GRAD_SLIPS,
    INPUT_GRAD_SLIPS,
    LOOP_SLIPS,
    LOSS_SLIPS,
    MEAN_GRAD_SLIP,
    MEAN_LOSS_SLIP,
    one_layer_grad,
    one_layer_grad_wb,
    one_layer_input_grad,
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


def grad_wb(X, y, w, b, **knobs):
    """(dL/dw, dL/db) of the summed loss with a bias, z = X @ w + b;
    X (N, d), y (N,), w (d,), b float -> ((d,), float): (X.T @ delta, sum of delta)."""
    return one_layer_grad_wb(X, y, w, b, **knobs)


def grad_X(X, y, w, **knobs):
    """dL/dX of the summed loss: row i is delta_i * w; X (N, d), y (N,), w (d,) -> (N, d)."""
    return one_layer_input_grad(X, y, w, **knobs)


SQUARE_OPTIONS = {"a": "X.T @ delta", "b": "delta @ X", "c": "X @ delta"}


def square_product(*, answer="c"):
    """The checkpoint: with N = d, which product runs, returns a (d,) vector, and is NOT the
    gradient X.T @ delta? "c" (X @ delta). Knob ``answer``: the other options."""
    return answer


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


def _batch(X, *rest):
    return np.shape(X)[0]


def _bias_case(sizes, sides):
    """X (N, d), w, and a bias b far from 0 and 1, with sign(yhat_i - y_i) = sides(rng, N)_i."""
    def draw(rng):
        n, d = sizes(rng)
        X = nonzero(rng, (n, d), scale=1.5, floor=0.2)
        w = nonzero(rng, (d,), scale=1.2, floor=0.1) / np.sqrt(d)
        b = away_from_one(rng)
        return X, target_on_side(rng, sigmoid(X @ w + b), sides(rng, n)), w, b
    return draw


BIAS_CASES = (
    Case("errors of both signs, N > d", _bias_case(_n_above_d, mixed_sides)),
    Case("errors of both signs, N < d", _bias_case(_n_below_d, mixed_sides)),
    Case("every yhat_i < y_i", _bias_case(_n_above_d, lambda rng, n: -np.ones(n))),
    Case("N = 2, errors of both signs", _bias_case(lambda rng: (2, int(rng.integers(3, 7))), mixed_sides)),
)

SQUARE_CASES = CASES + (
    Case("N = d (X square), errors of both signs", _case(lambda rng: (int(rng.integers(3, 6)),) * 2, mixed_sides)),
)


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
        id="04.square_product",
        kind="value",
        signature="square_product",
        returns='a choice: "a", "b" or "c"',
        cases=(Case("N = d", lambda rng: ()),),
        reference=square_product,
        options=tuple(SQUARE_OPTIONS),
        slips=(
            Slip("answer", "a", D.WRONG_VALUE, "it picks X.T @ delta, the gradient itself",
                 "X.T @ delta IS the gradient: (d, N) @ (N,) sums delta_i * X[i, j] over the examples i. "
                 "The question asks for the product that runs but is not it."),
            Slip("answer", "b", D.WRONG_VALUE, "it picks delta @ X, which equals the gradient",
                 "delta @ X is the gradient too: a 1-D array on the left of @ acts as a row, and "
                 "(delta @ X)[j] = sum_i delta_i X[i, j], the same sum as (X.T @ delta)[j]."),
        ),
        points=1,
        hints=(
            "Write each product's entry j as a sum over an index: which index does each one add up over, "
            "the examples i or the features?",
            "(X.T @ delta)[j] = sum_i X[i, j] delta_i and (delta @ X)[j] = sum_i delta_i X[i, j] add over the "
            "examples; (X @ delta)[i] = sum_j X[i, j] delta_j adds over... delta has no feature index.",
            'square_product = "c"',
        ),
        solution="""
            square_product = "c"   # X @ delta: sums X[i, j] * delta_j over j, mixing features with examples
        """,
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

EXERCISES += [
    Exercise(
        id="04.grad_wb",
        signature="grad_wb(X, y, w, b)",
        returns="a tuple (dL/dw, dL/db): a (d,) array and a number, for z = X @ w + b, the loss summed",
        cases=BIAS_CASES,
        reference=grad_wb,
        slips=BIAS_SLIPS + BIAS_BATCH_SLIPS,
        roles=lambda ref: ("weight", "bias"),
        batch_size=_batch,
        messages={"weight_not_summed": PER_EXAMPLE_MESSAGE},
        outputs=("dL/dw", "dL/db"),
        points=2,
        hints=(
            "Notebook 03's bias, on a batch: one b shared by all N examples. Like w, it gets the sum of what "
            "every example contributes.",
            "Each example gives dL_i/db = delta_i (dz_i/db = 1); the loss sums over the examples, so "
            "dL/db = sum_i delta_i. With yhat = sigmoid(X @ w + b), dL/dw is X.T @ delta as before.",
            "yhat = sigmoid(X @ w + b); delta = (yhat - y) * yhat * (1 - yhat); "
            "return X.T @ delta, float(delta.sum())",
        ),
        solution="""
            def grad_wb(X, y, w, b):
                yhat = sigmoid(X @ w + b)                 # (N,): b is added to every example's z
                delta = (yhat - y) * yhat * (1 - yhat)    # (N,)
                return X.T @ delta, float(delta.sum())    # dz_i/db = 1: sum the deltas over the batch
        """,
    ),
    Exercise(
        id="04.grad_X",
        signature="grad_X(X, y, w)",
        returns="(N, d) array: dL/dX, the gradient with respect to the inputs",
        cases=SQUARE_CASES,
        reference=grad_X,
        slips=INPUT_GRAD_SLIPS + (
            Slip("mean", True, D.BATCH_SCALE, "it is divided by the batch size N",
                 "Your answer is the right one divided by N: the gradient of the MEAN loss. Here the loss is a "
                 "sum over examples."),
        ),
        messages={"transpose": "Your answer is the transpose of dL/dX: a gradient has the shape of what it "
                               "differentiates, and X is (N, d), one row per example."},
        points=2,
        hints=(
            "A gradient has the shape of what it differentiates: X is (N, d), so dL/dX is (N, d). Entry (i, j) "
            "asks how L changes with feature j of example i.",
            "X[i, j] enters only z_i = sum_k X[i, k] w_k, with dz_i/dX[i, j] = w_j. So dL/dX[i, j] = "
            "delta_i * w_j: nothing is summed over the batch.",
            "yhat = sigmoid(X @ w); delta = (yhat - y) * yhat * (1 - yhat); return np.outer(delta, w)",
        ),
        solution="""
            def grad_X(X, y, w):
                yhat = sigmoid(X @ w)                     # (N,)
                delta = (yhat - y) * yhat * (1 - yhat)    # (N,)
                return np.outer(delta, w)                 # (N, d): row i is delta_i * w
        """,
    ),
]

# the notebook's order
_ORDER = ("04.loss", "04.grad_w_loop", "04.grad_w", "04.square_product", "04.grad_wb", "04.grad_X")
EXERCISES.sort(key=lambda ex: _ORDER.index(ex.id))
