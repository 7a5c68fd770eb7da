"""Notebook 05: two layers, one hidden unit, one example (seed 000, part 4).

Model (no biases): z1 = x @ w1 (a number), h = sigma(z1), z2 = w2 * h, yhat = sigma(z2),
L = 1/2 * (yhat - y)**2, with x, w1 of shape (d,) and w2, y numbers.

Backward: delta2 = dL/dz2 = (yhat - y) * sigma'(z2); dL/dw2 = delta2 * h;
delta1 = dL/dz1 = delta2 * w2 * sigma'(z1); dL/dw1 = delta1 * x.
"""

from ..checking.draws import away_from_one, features, nonzero, target_on_side
from ..checking.exercise import Case, Exercise
from ..portable.functions import sigmoid
from .models.two_layer import TWO_LAYER_SLIPS, Z1_FOR_H_SLIP, two_layer_grads


def grads(x, y, w1, w2, **knobs):
    """dL/dw1, dL/dw2 for h = sigmoid(x @ w1), yhat = sigmoid(w2 * h), L = 1/2 (yhat - y)^2;
    x (d,), y number, w1 (d,), w2 number -> (dw1 (d,), dw2 float)."""
    return two_layer_grads(x, y, w1, w2, **knobs)


def _case(side, w2_sign):
    def draw(rng):
        d = int(rng.integers(2, 7))
        x = features(rng, (d,))
        w1 = nonzero(rng, (d,), scale=0.8, floor=0.15)
        w2 = w2_sign * abs(away_from_one(rng))
        return x, target_on_side(rng, sigmoid(w2 * sigmoid(x @ w1)), side), w1, w2
    return draw


EXERCISES = [
    Exercise(
        id="05.grads",
        signature="grads(x, y, w1, w2)",
        returns="tuple (dw1 (d,), dw2 number): dL/dw1 and dL/dw2",
        cases=(
            Case("yhat > y, w2 > 0", _case(+1, +1)),
            Case("yhat < y, w2 < 0", _case(-1, -1)),
            Case("yhat > y, w2 < 0", _case(+1, -1)),
            Case("yhat < y, w2 > 0", _case(-1, +1)),
        ),
        reference=grads,
        slips=TWO_LAYER_SLIPS + (Z1_FOR_H_SLIP,),
        outputs=("dw1", "dw2"),
        points=2,
        hints=(
            "Run the forward pass first and keep every intermediate: z1, h, z2, yhat. Then go backwards one "
            "step at a time, starting from dL/dyhat = yhat - y.",
            "delta2 = dL/dz2 = (yhat - y) * sigma'(z2) and dL/dw2 = delta2 * h. One layer further back: "
            "delta1 = delta2 * dz2/dh * sigma'(z1).",
            "delta2 = (yhat - y) * yhat * (1 - yhat); dw2 = delta2 * h; delta1 = delta2 * w2 * h * (1 - h); "
            "dw1 = delta1 * x, shape (d,).",
        ),
        solution="""
            def grads(x, y, w1, w2):
                z1 = x @ w1                    # number
                h = sigmoid(z1)                # number
                z2 = w2 * h                    # number
                yhat = sigmoid(z2)             # number
                delta2 = (yhat - y) * yhat * (1 - yhat)   # dL/dz2
                dw2 = delta2 * h                          # dL/dw2 (number)
                delta1 = delta2 * w2 * h * (1 - h)        # dL/dz1
                dw1 = delta1 * x                          # dL/dw1, shape (d,)
                return dw1, dw2
        """,
    ),
]
