"""Notebook 06: two layers, a hidden layer of two units, one example (seed 000, part 5).

Model (no biases): z1 = x @ W1 (2,), h = sigma(z1) (2,), z2 = h @ w2 (a number),
yhat = sigma(z2), L = 1/2 (yhat - y)^2; x (d,), W1 (d, 2), w2 (2,).

Backward: delta2 = (yhat - y) * sigma'(z2); dL/dw2 = delta2 * h (2,);
delta1 = (delta2 * w2) * sigma'(z1) (2,); dL/dW1 = np.outer(x, delta1) (d, 2).

The notebook derives delta2, dL/dw2 and dL/dh and stops: the learner writes delta1 and
the outer product dL/dW1 (06.grads). Then two things the page never computes: a hidden
layer whose units differ, a sigmoid and a linear unit (06.mixed_grads), and what zero
initialisation does to the first step (06.zero_init: dW1 = 0, only w2 moves).
"""

from __future__ import annotations

from typing import Any

from ..checking import diagnosis as D
from ..checking.draws import away_from_one, features, nonzero, target_on_side
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.two_layer import (
    MIXED_SLIPS,
    TWO_LAYER_SLIPS,
    Z1_FOR_H_SLIP,
    hidden_activation,
    two_layer_grads,
)


def grads(x, y, W1, w2, **knobs):
    """dL/dW1, dL/dw2 for h = sigmoid(x @ W1), yhat = sigmoid(h @ w2), L = 1/2 (yhat - y)^2;
    x (d,), y number, W1 (d, 2), w2 (2,) -> (dW1 (d, 2), dw2 (2,))."""
    return two_layer_grads(x, y, W1, w2, **knobs)


def mixed_grads(x, y, W1, w2, **knobs):
    """dL/dW1, dL/dw2 when hidden unit 0 is a sigmoid and hidden unit 1 is linear:
    h = [sigmoid(z1[0]), z1[1]], yhat = sigmoid(h @ w2); x (d,), y number, W1 (d, 2),
    w2 (2,) -> (dW1 (d, 2), dw2 (2,))."""
    return two_layer_grads(x, y, W1, w2, hidden="sigmoid_linear", **knobs)


def zero_init(*, pick: str = "b") -> str:
    """Which weights move in the first gradient step from W1 = 0, w2 = 0: (b) only w2
    (dW1 = outer(x, delta1) with delta1 = delta2 * w2 * sigma'(z1) = 0, while
    dw2 = delta2 * h with h = sigma(0) = 1/2). ``pick`` is the learner's choice."""
    return pick


def _case(side, d_choice, hidden="sigmoid"):
    def draw(rng):
        d = d_choice(rng)
        x = features(rng, (d,))
        W1 = nonzero(rng, (d, 2), scale=0.8, floor=0.15)
        w2 = away_from_one(rng, (2,))
        yhat = sigmoid(hidden_activation(x @ W1, hidden) @ w2)
        return x, target_on_side(rng, yhat, side), W1, w2
    return draw


def _d_not_two(rng):
    return int(rng.integers(3, 7))  # a transposed dW1 shows in its shape


def _cases(hidden):
    return (
        Case("yhat > y, d > 2", _case(+1, _d_not_two, hidden)),
        Case("yhat < y, d > 2", _case(-1, _d_not_two, hidden)),
        Case("yhat > y, d = 2 (W1 square)", _case(+1, lambda rng: 2, hidden)),
        Case("yhat < y, d = 2 (W1 square)", _case(-1, lambda rng: 2, hidden)),
    )


def _question(rng: Any) -> tuple[()]:
    return ()


EXERCISES = [
    Exercise(
        id="06.grads",
        signature="grads(x, y, W1, w2)",
        returns="tuple (dW1 (d, 2), dw2 (2,)): dL/dW1 and dL/dw2",
        cases=_cases("sigmoid"),
        reference=grads,
        slips=TWO_LAYER_SLIPS + (Z1_FOR_H_SLIP,),
        outputs=("dW1", "dw2"),
        points=2,
        hints=(
            "The chain rule entry by entry. h_j = sigma(z1_j) depends on z1_j only, so dL/dz1_j = dL/dh_j * "
            "sigma'(z1_j), with no sum. And W1[i, j] appears in one pre-activation only, z1_j = sum_i x_i W1[i, j].",
            "delta1_j = dL/dh_j * h_j (1 - h_j), with dL/dh_j = delta2 * w2[j] from section 2; and "
            "dz1_j/dW1[i, j] = x_i. So dL/dW1[i, j] is a product of one entry of x and one entry of delta1: a "
            "table with one row per input and one column per hidden unit, shape (d, 2) like W1.",
            "delta2 = (yhat - y) * yhat * (1 - yhat); dw2 = delta2 * h; "
            "delta1 = delta2 * w2 * h * (1 - h); dW1 = np.outer(x, delta1).",
        ),
        solution="""
            def grads(x, y, W1, w2):
                h = sigmoid(x @ W1)                       # (2,)
                yhat = sigmoid(h @ w2)                    # number
                delta2 = (yhat - y) * yhat * (1 - yhat)   # dL/dz2, a number
                delta1 = (delta2 * w2) * h * (1 - h)      # dL/dz1, (2,): entry by entry
                return np.outer(x, delta1), delta2 * h    # dW1[i, j] = x[i] * delta1[j] (d, 2); dw2 (2,)
        """,
    ),
    Exercise(
        id="06.mixed_grads",
        signature="mixed_grads(x, y, W1, w2)",
        returns="tuple (dW1 (d, 2), dw2 (2,)): dL/dW1 and dL/dw2 when unit 0 is a sigmoid and unit 1 is linear",
        cases=_cases("sigmoid_linear"),
        reference=mixed_grads,
        slips=(TWO_LAYER_SLIPS[0], TWO_LAYER_SLIPS[2], TWO_LAYER_SLIPS[4]) + MIXED_SLIPS + (Z1_FOR_H_SLIP,),
        outputs=("dW1", "dw2"),
        points=2,
        hints=(
            "Only the hidden layer changed. The chain passes each hidden unit with that unit's own local "
            "derivative dh_j/dz1_j: rule 2 reads delta1 = (delta2 * w2) * f'(z1), entry by entry, with f' the "
            "derivative of each unit's own activation.",
            "Unit 0: h[0] = sigma(z1[0]), slope h[0] (1 - h[0]). Unit 1: h[1] = z1[1], slope dh[1]/dz1[1] = 1. "
            "Everything else (delta2, dw2 = delta2 * h, dW1 = outer(x, delta1)) keeps its form, with this h.",
            "z1 = x @ W1; h = np.array([sigmoid(z1[0]), z1[1]]); yhat = sigmoid(h @ w2); "
            "delta2 = (yhat - y) * yhat * (1 - yhat); delta1 = delta2 * w2 * np.array([h[0] * (1 - h[0]), 1.0]); "
            "dW1 = np.outer(x, delta1); dw2 = delta2 * h.",
        ),
        solution="""
            def mixed_grads(x, y, W1, w2):
                z1 = x @ W1                                   # (2,)
                h = np.array([sigmoid(z1[0]), z1[1]])         # unit 0 a sigmoid, unit 1 linear
                yhat = sigmoid(h @ w2)
                delta2 = (yhat - y) * yhat * (1 - yhat)
                slopes = np.array([h[0] * (1 - h[0]), 1.0])   # each unit's own f'(z1)
                delta1 = delta2 * w2 * slopes                 # (2,)
                return np.outer(x, delta1), delta2 * h
        """,
    ),
    Exercise(
        id="06.zero_init",
        kind="value",
        signature="zero_init",
        returns='a letter, "a" to "d": which weights move in the first gradient step from all-zero weights',
        cases=(Case("the question", _question),),
        reference=zero_init,
        options=("a", "b", "c", "d"),
        slips=(
            Slip("pick", "a", D.WRONG_VALUE, "(a) all weights move was chosen",
                 "(a) Look at dW1 = outer(x, delta1) with delta1 = (delta2 * w2) * sigma'(z1): every entry carries "
                 "the factor w2, which is 0. So dW1 = 0 and W1 does not move in the first step."),
            Slip("pick", "c", D.WRONG_VALUE, "(c) only W1 moves was chosen",
                 "(c) It is the other way round: dW1 carries the factor w2 = 0, so W1 stays; dw2 = delta2 * h "
                 "carries h = sigma(0) = 1/2, which is not 0."),
            Slip("pick", "d", D.WRONG_VALUE, "(d) nothing moves was chosen",
                 "(d) With W1 = 0 the hidden units are not 0: h = sigma(0) = 1/2. yhat = sigma(0) = 1/2, so "
                 "delta2 = (1/2 - y) / 4 is not 0 (unless y = 1/2), and dw2 = delta2 * h is not 0 either."),
        ),
        points=1,
        hints=(
            "Evaluate the forward pass at W1 = 0, w2 = 0 first: z1, h, z2, yhat. Then look at which factors of "
            "dw2 = delta2 * h and dW1 = outer(x, delta1), delta1 = (delta2 * w2) * h * (1 - h), are 0.",
            "z1 = x @ 0 = 0, so h = sigma(0) = [1/2, 1/2] (not 0!); z2 = h @ 0 = 0, yhat = 1/2. delta1 carries "
            "the factor w2.",
            'dw2 = delta2 * [1/2, 1/2] is not 0 (for y != 1/2), dW1 = outer(x, delta2 * 0 * ...) = 0: only w2 '
            'moves, zero_init = "b".',
        ),
        solution='zero_init = "b"   # dW1 carries the factor w2 = 0; dw2 = delta2 * h with h = sigma(0) = 1/2',
    ),
]
