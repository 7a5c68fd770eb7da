"""Notebook 07: two layers, H hidden units, a batch of N examples (seed 000, part 6).

Model (no biases): Z1 = X @ W1 (N, H), Hid = sigma(Z1) (N, H), z2 = Hid @ w2 (N,),
yhat = sigma(z2) (N,), L = 1/2 * sum_n (yhat_n - y_n)**2; X (N, d), W1 (d, H), w2 (H,), y (N,).

Backward: delta2 = (yhat - y) * sigma'(z2) (N,); dL/dw2 = Hid.T @ delta2 (H,);
Delta1 = outer(delta2, w2) * sigma'(Z1) (N, H); dL/dW1 = X.T @ Delta1 (d, H).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import away_from_one, distinct_sizes, features, mixed_sides, nonzero, target_on_side
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.two_layer import TWO_LAYER_SLIPS, Z1_FOR_H_SLIP, two_layer_deltas, two_layer_grads


def grads(X, y, W1, w2, **knobs):
    """dL/dW1, dL/dw2 of the loss summed over the batch;
    X (N, d), y (N,), W1 (d, H), w2 (H,) -> (dW1 (d, H), dw2 (H,))."""
    return two_layer_grads(X, y, W1, w2, **knobs)


def deltas(X, y, W1, w2, **knobs):
    """The deltas of both layers, Delta1 = dL/dZ1 and delta2 = dL/dz2, one row or entry per
    example; X (N, d), y (N,), W1 (d, H), w2 (H,) -> (Delta1 (N, H), delta2 (N,))."""
    return two_layer_deltas(X, y, W1, w2, **knobs)


def _case(sizes, sides):
    def draw(rng):
        N, d, H = sizes(rng)
        X = features(rng, (N, d))
        W1 = nonzero(rng, (d, H), scale=0.8, floor=0.15)
        w2 = away_from_one(rng, (H,))
        return X, target_on_side(rng, sigmoid(sigmoid(X @ W1) @ w2), sides(rng, N)), W1, w2
    return draw


def _all_different(rng):
    return tuple(distinct_sizes(rng, 3, 2, 7))  # N, d, H: a transpose shows in the shape


def _square_w1(rng):
    N, d = distinct_sizes(rng, 2, 2, 6)
    return N, d, d


CASES = (
    Case("N, d, H all different, errors of both signs", _case(_all_different, mixed_sides)),
    Case("d = H (W1 square), errors of both signs", _case(_square_w1, mixed_sides)),
    Case("every yhat_n < y_n", _case(_all_different, lambda rng, n: -np.ones(n))),
    Case("N = 2", _case(lambda rng: (2, *distinct_sizes(rng, 2, 3, 7)), mixed_sides)),
)

MEAN_SLIP = Slip("mean", True, D.BATCH_SCALE, "everything is divided by the batch size N",
                 "Your answer is the right one divided by the batch size N: that is the gradient of the MEAN loss. "
                 "Here L = 1/2 * sum over examples of (yhat - y)^2 is a sum, so do not divide by N.")


def _batch(X, y, W1, w2):
    return np.shape(X)[0]


EXERCISES = [
    Exercise(
        id="07.deltas",
        signature="deltas(X, y, W1, w2)",
        returns="tuple (Delta1 (N, H), delta2 (N,)): dL/dZ1 and dL/dz2, one row / entry per example",
        cases=CASES,
        reference=deltas,
        slips=TWO_LAYER_SLIPS + (MEAN_SLIP,),
        outputs=("Delta1", "delta2"),
        points=2,
        hints=(
            "Forward pass first: Hid = sigmoid(X @ W1) (N, H), yhat = sigmoid(Hid @ w2) (N,). delta2 holds "
            "notebook 06's delta2 for every example; row n of Delta1 is notebook 06's delta1 for example n.",
            "Entry (n, j) of Delta1 is delta2[n] * w2[j] * sigma'(Z1[n, j]).",
            "delta2 = (yhat - y) * yhat * (1 - yhat); Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid).",
        ),
        solution="""
            def deltas(X, y, W1, w2):
                Hid = sigmoid(X @ W1)                     # (N, H)
                yhat = sigmoid(Hid @ w2)                  # (N,)
                delta2 = (yhat - y) * yhat * (1 - yhat)   # (N,)   dL/dz2
                Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid)   # (N, H)  dL/dZ1
                return Delta1, delta2
        """,
    ),
    Exercise(
        id="07.grads",
        signature="grads(X, y, W1, w2)",
        returns="tuple (dW1 (d, H), dw2 (H,)): gradients of the loss summed over the batch",
        cases=CASES,
        reference=grads,
        slips=TWO_LAYER_SLIPS + (
            Z1_FOR_H_SLIP, MEAN_SLIP,
            Slip("sum_first", True, D.WRONG_VALUE, "the batch sums are taken before multiplying",
                 "You summed over the batch before multiplying: the gradient is the sum of the per-example "
                 "products, X.T @ Delta1 = sum_n outer(x_n, delta1_n) and Hid.T @ delta2, not (sum of x) times "
                 "(sum of delta)."),
        ),
        roles=lambda ref: ("weight", "weight"),
        batch_size=_batch,
        messages={"weight_not_summed": (
            "A gradient still has one entry per example (shape (N, ...)): the gradient of the summed loss is the "
            "sum of the per-example gradients, shaped like its weight: dw2 = Hid.T @ delta2 (H,), "
            "dW1 = X.T @ Delta1 (d, H).")},
        outputs=("dW1", "dw2"),
        points=3,
        hints=(
            "Do notebook 06's computation for all examples at once: each example is one ROW. The loss is a sum "
            "over examples, so the gradient is the sum of the per-example gradients; a matrix product over the "
            "batch axis does that sum.",
            "Shapes: Hid (N, H), delta2 (N,), Delta1 (N, H); dw2 has the shape of w2 (H,), dW1 of W1 (d, H).",
            "delta2 = (yhat - y) * yhat * (1 - yhat); dw2 = Hid.T @ delta2; "
            "Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid); dW1 = X.T @ Delta1.",
        ),
        solution="""
            def grads(X, y, W1, w2):
                Hid = sigmoid(X @ W1)                     # (N, H)
                yhat = sigmoid(Hid @ w2)                  # (N,)
                delta2 = (yhat - y) * yhat * (1 - yhat)   # (N,)   dL/dz2 for every example
                dw2 = Hid.T @ delta2                      # (H,)   sum_n delta2[n] * Hid[n]
                Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid)   # (N, H)  dL/dZ1
                dW1 = X.T @ Delta1                        # (d, H) sum_n outer(X[n], Delta1[n])
                return dW1, dw2
        """,
    ),
]
