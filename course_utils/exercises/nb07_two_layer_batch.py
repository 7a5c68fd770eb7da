"""Notebook 07: two layers, H hidden units, a batch of N examples (seed 000, part 6).

Model (no biases): Z1 = X @ W1 (N, H), Hid = sigma(Z1) (N, H), z2 = Hid @ w2 (N,),
yhat = sigma(z2) (N,), L = 1/2 * sum_n (yhat_n - y_n)**2; X (N, d), W1 (d, H), w2 (H,), y (N,).

Backward: delta2 = (yhat - y) * sigma'(z2) (N,); dL/dw2 = Hid.T @ delta2 (H,);
Delta1 = outer(delta2, w2) * sigma'(Z1) (N, H); dL/dW1 = X.T @ Delta1 (d, H).

The notebook derives delta2 and dL/dw2 for the batch and stops: the learner stacks the
hidden deltas (07.deltas) and contracts them with X (07.grads). Then a layer the page
never differentiates: tanh hidden units, whose slope the learner derives (07.tanh_slope:
tanh' at an activation a = 0.6 is 1 - a^2 = 0.64) and uses (07.tanh_grads).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import away_from_one, distinct_sizes, features, mixed_sides, nonzero, target_on_side
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.two_layer import (
    TANH_SLIPS,
    TWO_LAYER_SLIPS,
    Z1_FOR_H_SLIP,
    Z1_FOR_TANH_SLIP,
    activation_slope,
    hidden_activation,
    two_layer_deltas,
    two_layer_grads,
)


def grads(X, y, W1, w2, **knobs):
    """dL/dW1, dL/dw2 of the loss summed over the batch;
    X (N, d), y (N,), W1 (d, H), w2 (H,) -> (dW1 (d, H), dw2 (H,))."""
    return two_layer_grads(X, y, W1, w2, **knobs)


def deltas(X, y, W1, w2, **knobs):
    """The deltas of both layers, Delta1 = dL/dZ1 and delta2 = dL/dz2, one row or entry per
    example; X (N, d), y (N,), W1 (d, H), w2 (H,) -> (Delta1 (N, H), delta2 (N,))."""
    return two_layer_deltas(X, y, W1, w2, **knobs)


def tanh_grads(X, y, W1, w2, **knobs):
    """dL/dW1, dL/dw2 of the summed loss with a tanh hidden layer, Hid = tanh(X @ W1),
    yhat = sigmoid(Hid @ w2); X (N, d), y (N,), W1 (d, H), w2 (H,) -> (dW1 (d, H), dw2 (H,))."""
    return two_layer_grads(X, y, W1, w2, hidden="tanh", **knobs)


TANH_ACTIVATION = 0.6
"""The activation a = tanh(z) of the checkpoint 07.tanh_slope."""


def tanh_slope(*, form: str = "a") -> float:
    """tanh'(z) where tanh(z) = 0.6: 1 - 0.6^2 = 0.64. ``form`` is one of
    ``two_layer.activation_slope``'s slips for a tanh unit."""
    return float(activation_slope(np.array(TANH_ACTIVATION), "tanh", form))


def _case(sizes, sides, hidden="sigmoid"):
    def draw(rng):
        N, d, H = sizes(rng)
        X = features(rng, (N, d))
        W1 = nonzero(rng, (d, H), scale=0.8, floor=0.15)
        w2 = away_from_one(rng, (H,))
        yhat = sigmoid(hidden_activation(X @ W1, hidden) @ w2)
        return X, target_on_side(rng, yhat, sides(rng, N)), W1, w2
    return draw


def _all_different(rng):
    return tuple(distinct_sizes(rng, 3, 2, 7))  # N, d, H: a transpose shows in the shape


def _square_w1(rng):
    N, d = distinct_sizes(rng, 2, 2, 6)
    return N, d, d


def _cases(hidden):
    return (
        Case("N, d, H all different, errors of both signs", _case(_all_different, mixed_sides, hidden)),
        Case("d = H (W1 square), errors of both signs", _case(_square_w1, mixed_sides, hidden)),
        Case("every yhat_n < y_n", _case(_all_different, lambda rng, n: -np.ones(n), hidden)),
        Case("N = 2", _case(lambda rng: (2, *distinct_sizes(rng, 2, 3, 7)), mixed_sides, hidden)),
    )


CASES = _cases("sigmoid")

MEAN_SLIP = Slip("mean", True, D.BATCH_SCALE, "everything is divided by the batch size N",
                 "Your answer is the right one divided by the batch size N: that is the gradient of the MEAN loss. "
                 "Here L = 1/2 * sum over examples of (yhat - y)^2 is a sum, so do not divide by N.")


SUM_FIRST_SLIP = Slip("sum_first", True, D.WRONG_VALUE, "the batch sums are taken before multiplying",
                      "You summed over the batch before multiplying: the gradient is the sum of the per-example "
                      "products, X.T @ Delta1 = sum_n outer(x_n, delta1_n) and Hid.T @ delta2, not (sum of x) times "
                      "(sum of delta).")

NOT_SUMMED_MESSAGE = (
    "A gradient still has one entry per example (shape (N, ...)): the gradient of the summed loss is the "
    "sum of the per-example gradients, shaped like its weight: dw2 = Hid.T @ delta2 (H,), "
    "dW1 = X.T @ Delta1 (d, H).")


def _batch(X, y, W1, w2):
    return np.shape(X)[0]


def _question(rng):
    return ()


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
            "Example n's hidden pre-activations z_{1,n} (row n of Z1) influence only its own loss L_n, so "
            "dL/dZ1[n, :] = dL_n/dz_{1,n}: notebook 06's delta1 for example n. Stack those rows.",
            "Row n is (delta2[n] * w2) * sigma'(Z1[n]), so entry (n, j) is delta2[n] * w2[j] * "
            "Hid[n, j] * (1 - Hid[n, j]): the (N, H) table of delta2[n] * w2[j], times sigma'(Z1) entry by entry.",
            "delta2 = (yhat - y) * yhat * (1 - yhat); Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid).",
        ),
        solution="""
            def deltas(X, y, W1, w2):
                Hid = sigmoid(X @ W1)                     # (N, H)
                yhat = sigmoid(Hid @ w2)                  # (N,)
                delta2 = (yhat - y) * yhat * (1 - yhat)   # (N,)   dL/dz2
                return delta2[:, None] * w2[None, :] * Hid * (1 - Hid), delta2   # (N, H): row n for example n
        """,
    ),
    Exercise(
        id="07.grads",
        signature="grads(X, y, W1, w2)",
        returns="tuple (dW1 (d, H), dw2 (H,)): gradients of the loss summed over the batch",
        cases=CASES,
        reference=grads,
        slips=TWO_LAYER_SLIPS + (Z1_FOR_H_SLIP, MEAN_SLIP, SUM_FIRST_SLIP),
        roles=lambda ref: ("weight", "weight"),
        batch_size=_batch,
        messages={"weight_not_summed": NOT_SUMMED_MESSAGE},
        outputs=("dW1", "dw2"),
        points=3,
        hints=(
            "The loss is a sum over examples, so its gradient is the sum of notebook 06's per-example gradients: "
            "dL/dW1 = sum_n outer(x_n, delta1_n). Section 2 did this sum for w2 with a matrix product.",
            "Entry (i, j) of that sum is sum_n X[n, i] * Delta1[n, j]: a product that contracts the batch axis n. "
            "Shapes decide the order: (d, N) @ (N, H) gives (d, H), the shape of W1.",
            "delta2 = (yhat - y) * yhat * (1 - yhat); dw2 = Hid.T @ delta2; "
            "Delta1 = np.outer(delta2, w2) * Hid * (1 - Hid); dW1 = X.T @ Delta1.",
        ),
        solution="""
            def grads(X, y, W1, w2):
                Delta1, delta2 = deltas(X, y, W1, w2)     # (N, H), (N,)
                Hid = sigmoid(X @ W1)                     # (N, H): the input of layer 2
                return X.T @ Delta1, Hid.T @ delta2       # (d, N) @ (N, H) -> (d, H); (H, N) @ (N,) -> (H,)
        """,
    ),
    Exercise(
        id="07.tanh_slope",
        kind="value",
        signature="tanh_slope",
        returns="a number: tanh'(z) at the z where tanh(z) = 0.6",
        cases=(Case("the question", _question),),
        reference=tanh_slope,
        messages={"sign": "Your slope is negative: tanh is increasing everywhere, so tanh'(z) > 0 "
                          "(it lies in (0, 1])."},
        says={"sign": "the slope has the wrong sign (tanh is increasing, so tanh' > 0)"},
        slips=(
            Slip("form", "sigmoid_form", D.WRONG_VALUE, "the sigmoid's a (1 - a) was used",
                 "0.6 * (1 - 0.6) = 0.24 is the SIGMOID's slope written with its output, sigma' = sigma (1 - sigma). "
                 "tanh has its own: differentiate tanh = sinh / cosh (or tanh(u) = 2 sigma(2u) - 1) and write the "
                 "result with a = tanh(z)."),
            Slip("form", "tanh_unsquared", D.WRONG_VALUE, "1 - a was used (the square left out)",
                 "1 - 0.6 = 0.4 leaves out a square: the derivative of sinh / cosh is (cosh^2 - sinh^2) / cosh^2 "
                 "= 1 - tanh^2."),
            Slip("form", "sech", D.WRONG_VALUE, "1 / cosh(z) was used (not squared)",
                 "0.8 = sqrt(1 - 0.6^2) = 1 / cosh(z): the quotient rule gives 1 / cosh(z)^2, the square of that."),
            Slip("form", "activation", D.WRONG_VALUE, "tanh' was evaluated at a = 0.6 instead of at z",
                 "You evaluated tanh' at 0.6, the activation: 1 - tanh(0.6)^2. The slope is taken at z, the "
                 "pre-activation, where tanh(z) = 0.6, so it is 1 - 0.6^2."),
        ),
        points=1,
        hints=(
            "tanh(u) = sinh(u) / cosh(u), with sinh' = cosh and cosh' = sinh: the quotient rule. (Or use "
            "tanh(u) = 2 sigma(2u) - 1 and the chain rule with notebook 01's sigma'.)",
            "The quotient rule gives (cosh^2 - sinh^2) / cosh^2. Write it with tanh alone: "
            "divide both terms of the numerator by cosh^2.",
            "tanh'(z) = 1 - tanh(z)^2 = 1 - a^2 = 1 - 0.36: tanh_slope = 0.64.",
        ),
        solution="tanh_slope = 1 - 0.6 ** 2   # tanh' = 1 - tanh^2, written with the activation a = tanh(z) = 0.6",
    ),
    Exercise(
        id="07.tanh_grads",
        signature="tanh_grads(X, y, W1, w2)",
        returns="tuple (dW1 (d, H), dw2 (H,)): gradients of the summed loss with a tanh hidden layer",
        cases=_cases("tanh"),
        reference=tanh_grads,
        slips=(TWO_LAYER_SLIPS[0], TWO_LAYER_SLIPS[2], TWO_LAYER_SLIPS[4]) + TANH_SLIPS + (
            Z1_FOR_TANH_SLIP, MEAN_SLIP, SUM_FIRST_SLIP),
        roles=lambda ref: ("weight", "weight"),
        batch_size=_batch,
        messages={"weight_not_summed": NOT_SUMMED_MESSAGE},
        outputs=("dW1", "dw2"),
        points=3,
        hints=(
            "Only the hidden activation changed, so only its local derivative changes: rule 2 reads "
            "Delta1 = outer(delta2, w2) * f'(Z1) with f = tanh. The output delta2 and both weight-gradient "
            "products keep their form, with Hid = tanh(X @ W1) as the input of layer 2.",
            "f'(Z1) = tanh'(Z1) = 1 - tanh(Z1)^2 = 1 - Hid**2 (the checkpoint above), entry by entry, (N, H).",
            "Hid = np.tanh(X @ W1); yhat = sigmoid(Hid @ w2); delta2 = (yhat - y) * yhat * (1 - yhat); "
            "Delta1 = np.outer(delta2, w2) * (1 - Hid**2); dW1 = X.T @ Delta1; dw2 = Hid.T @ delta2.",
        ),
        solution="""
            def tanh_grads(X, y, W1, w2):
                Hid = np.tanh(X @ W1)                     # (N, H)
                yhat = sigmoid(Hid @ w2)                  # (N,)
                delta2 = (yhat - y) * yhat * (1 - yhat)   # (N,)   the output is still a sigmoid
                Delta1 = np.outer(delta2, w2) * (1 - Hid ** 2)   # (N, H)  tanh' = 1 - tanh^2
                return X.T @ Delta1, Hid.T @ delta2
        """,
    ),
]
