"""Notebook 06: two layers, a hidden layer of two units, one example (seed 000, part 5).

Model (no biases): z1 = x @ W1 (2,), h = sigma(z1) (2,), z2 = h @ w2 (a number),
yhat = sigma(z2), L = 1/2 (yhat - y)^2; x (d,), W1 (d, 2), w2 (2,).

Backward: delta2 = (yhat - y) * sigma'(z2); dL/dw2 = delta2 * h (2,);
delta1 = (delta2 * w2) * sigma'(z1) (2,); dL/dW1 = np.outer(x, delta1) (d, 2).
"""

from ..checking.draws import away_from_one, features, nonzero, target_on_side
from ..checking.exercise import Case, Exercise
from ..portable.functions import sigmoid
from .models.two_layer import TWO_LAYER_SLIPS, Z1_FOR_H_SLIP, two_layer_grads


def grads(x, y, W1, w2, **knobs):
    """dL/dW1, dL/dw2 for h = sigmoid(x @ W1), yhat = sigmoid(h @ w2), L = 1/2 (yhat - y)^2;
    x (d,), y number, W1 (d, 2), w2 (2,) -> (dW1 (d, 2), dw2 (2,))."""
    return two_layer_grads(x, y, W1, w2, **knobs)


def _case(side, d_choice):
    def draw(rng):
        d = d_choice(rng)
        x = features(rng, (d,))
        W1 = nonzero(rng, (d, 2), scale=0.8, floor=0.15)
        w2 = away_from_one(rng, (2,))
        return x, target_on_side(rng, sigmoid(sigmoid(x @ W1) @ w2), side), W1, w2
    return draw


def _d_not_two(rng):
    return int(rng.integers(3, 7))  # a transposed dW1 shows in its shape


EXERCISES = [
    Exercise(
        id="06.grads",
        signature="grads(x, y, W1, w2)",
        returns="tuple (dW1 (d, 2), dw2 (2,)): dL/dW1 and dL/dw2",
        cases=(
            Case("yhat > y, d > 2", _case(+1, _d_not_two)),
            Case("yhat < y, d > 2", _case(-1, _d_not_two)),
            Case("yhat > y, d = 2 (W1 square)", _case(+1, lambda rng: 2)),
            Case("yhat < y, d = 2 (W1 square)", _case(-1, lambda rng: 2)),
        ),
        reference=grads,
        slips=TWO_LAYER_SLIPS + (Z1_FOR_H_SLIP,),
        outputs=("dW1", "dw2"),
        points=2,
        hints=(
            "Same two rules as in notebook 05, now with a vector of two hidden units: a weight's gradient is "
            "(input of its layer) times (delta of its layer), and delta1 = (delta2 * w2) * sigma'(z1). "
            "Write the shape next to every line: z1, h, delta1 and dw2 are (2,), dW1 is (d, 2) like W1.",
            "dW1[i, j] = dL/dz1_j * dz1_j/dW1[i, j], and z1_j = sum_i x_i W1[i, j].",
            "delta2 = (yhat - y) * yhat * (1 - yhat); dw2 = delta2 * h; "
            "delta1 = delta2 * w2 * h * (1 - h); dW1 = np.outer(x, delta1).",
        ),
        solution="""
            def grads(x, y, W1, w2):
                z1 = x @ W1                    # (2,)
                h = sigmoid(z1)                # (2,)
                z2 = h @ w2                    # number
                yhat = sigmoid(z2)             # number
                delta2 = (yhat - y) * yhat * (1 - yhat)   # dL/dz2, a number
                dw2 = delta2 * h                          # (2,)
                delta1 = (delta2 * w2) * h * (1 - h)      # dL/dz1, (2,)
                dW1 = np.outer(x, delta1)                 # (d, 2): dW1[i, j] = x[i] * delta1[j]
                return dW1, dw2
        """,
    ),
]
