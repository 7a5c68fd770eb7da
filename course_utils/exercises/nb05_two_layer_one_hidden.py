"""Notebook 05: two layers, one hidden unit, one example (seed 000, part 4).

Model (no biases): z1 = x @ w1 (a number), h = sigma(z1), z2 = w2 * h, yhat = sigma(z2),
L = 1/2 * (yhat - y)**2, with x, w1 of shape (d,) and w2, y numbers.

Backward: delta2 = dL/dz2 = (yhat - y) * sigma'(z2); dL/dw2 = delta2 * h;
delta1 = dL/dz1 = delta2 * w2 * sigma'(z1); dL/dw1 = delta1 * x; dL/dx = delta1 * w1.

The notebook derives delta2 and dL/dw2 and stops: the learner writes the chain on to
dL/dw1 (05.grads), answers which factor of that chain vanishes when the hidden unit
saturates (05.saturated_factor), and carries the chain to the input, dL/dx (05.input_grad),
which the notebook never shows.
"""

from __future__ import annotations

from typing import Any

from ..checking import diagnosis as D
from ..checking.draws import away_from_one, features, nonzero, target_on_side
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.two_layer import TWO_LAYER_SLIPS, X_FOR_W1_SLIP, Z1_FOR_H_SLIP, two_layer_grads, two_layer_input_grad


def grads(x, y, w1, w2, **knobs):
    """dL/dw1, dL/dw2 for h = sigmoid(x @ w1), yhat = sigmoid(w2 * h), L = 1/2 (yhat - y)^2;
    x (d,), y number, w1 (d,), w2 number -> (dw1 (d,), dw2 float)."""
    return two_layer_grads(x, y, w1, w2, **knobs)


def input_grad(x, y, w1, w2, **knobs):
    """dL/dx for the same network; x (d,), y number, w1 (d,), w2 number -> dx (d,)."""
    return two_layer_input_grad(x, y, w1, w2, **knobs)


def saturated_factor(*, pick: str = "d") -> str:
    """The factor of the chain dL/dw1_j = (yhat - y) yhat (1 - yhat) w2 h (1 - h) x_j that
    is close to 0 when the hidden unit saturates: (d) h (1 - h) = sigma'(z1). ``pick``
    is the learner's choice among (a) ... (e)."""
    return pick


def _case(side, w2_sign):
    def draw(rng):
        d = int(rng.integers(2, 7))
        x = features(rng, (d,))
        w1 = nonzero(rng, (d,), scale=0.8, floor=0.15)
        w2 = w2_sign * abs(away_from_one(rng))
        return x, target_on_side(rng, sigmoid(w2 * sigmoid(x @ w1)), side), w1, w2
    return draw


CASES = (
    Case("yhat > y, w2 > 0", _case(+1, +1)),
    Case("yhat < y, w2 < 0", _case(-1, -1)),
    Case("yhat > y, w2 < 0", _case(+1, -1)),
    Case("yhat < y, w2 > 0", _case(-1, +1)),
)


def _question(rng: Any) -> tuple[()]:
    return ()


EXERCISES = [
    Exercise(
        id="05.grads",
        signature="grads(x, y, w1, w2)",
        returns="tuple (dw1 (d,), dw2 number): dL/dw1 and dL/dw2",
        cases=CASES,
        reference=grads,
        slips=TWO_LAYER_SLIPS + (Z1_FOR_H_SLIP,),
        outputs=("dw1", "dw2"),
        points=2,
        hints=(
            "The chain rule along w1 -> z1 -> h -> z2 -> yhat -> L: dL/dw1_j is the product of the local "
            "derivatives of these links. The first two links give delta2, which section 2 computed; two links "
            "are new, dz2/dh and dh/dz1, and the last one is dz1/dw1_j.",
            "z2 = w2 * h, so dz2/dh = w2 and dL/dh = delta2 * w2. h = sigma(z1), so dh/dz1 = sigma'(z1) = h (1 - h) "
            "and delta1 = dL/dz1 = dL/dh * h (1 - h). Finally z1 = sum_j x_j w1_j, so dz1/dw1_j = x_j.",
            "delta2 = (yhat - y) * yhat * (1 - yhat); dw2 = delta2 * h; delta1 = delta2 * w2 * h * (1 - h); "
            "dw1 = delta1 * x, shape (d,).",
        ),
        solution="""
            def grads(x, y, w1, w2):
                h = sigmoid(x @ w1)                       # number
                yhat = sigmoid(w2 * h)                    # number
                delta2 = (yhat - y) * yhat * (1 - yhat)   # dL/dz2
                dw2 = delta2 * h                          # dL/dw2 (number)
                delta1 = delta2 * w2 * h * (1 - h)        # dL/dz1: back through w2 and sigma
                return delta1 * x, dw2                    # dL/dw1 = delta1 * dz1/dw1, shape (d,)
        """,
    ),
    Exercise(
        id="05.saturated_factor",
        kind="value",
        signature="saturated_factor",
        returns='a letter, "a" to "e": the factor of the chain for dL/dw1_j that is close to 0',
        cases=(Case("the question", _question),),
        reference=saturated_factor,
        options=("a", "b", "c", "d", "e"),
        slips=(
            Slip("pick", "a", D.WRONG_VALUE, "(a) yhat - y was chosen",
                 "(a) yhat - y is the error at the output: it depends on the prediction and the target, not on how "
                 "saturated the hidden unit is. A saturated hidden unit can feed a prediction that is badly wrong."),
            Slip("pick", "b", D.WRONG_VALUE, "(b) yhat (1 - yhat) was chosen",
                 "(b) yhat (1 - yhat) = sigma'(z2) is the slope of the OUTPUT sigmoid: it is small when z2 is far "
                 "from 0, i.e. when the output saturates. The hidden unit saturates when z1 is far from 0."),
            Slip("pick", "c", D.WRONG_VALUE, "(c) w2 was chosen",
                 "(c) w2 is a weight: it does not change when z1 grows, and a saturated hidden unit leaves it as "
                 "it is."),
            Slip("pick", "e", D.WRONG_VALUE, "(e) x_j was chosen",
                 "(e) x_j is the input, fixed by the example: it does not depend on z1."),
        ),
        points=1,
        hints=(
            "Notebook 01: sigma'(u) = sigma(u) (1 - sigma(u)) is the slope of the sigmoid curve, and the curve is "
            "flat far from u = 0.",
            "Only two factors of the chain are sigmoid slopes: yhat (1 - yhat) = sigma'(z2) and h (1 - h) = "
            "sigma'(z1). Which one is evaluated at z1 = 6?",
            'h (1 - h) = sigma\'(z1) = sigma(6) (1 - sigma(6)), about 0.0025: saturated_factor = "d".',
        ),
        solution='saturated_factor = "d"   # h (1 - h) = sigma\'(z1), about 0.0025 at z1 = 6',
    ),
    Exercise(
        id="05.input_grad",
        signature="input_grad(x, y, w1, w2)",
        returns="(d,) array: dL/dx, the gradient of the loss with respect to the input",
        cases=CASES,
        reference=input_grad,
        slips=TWO_LAYER_SLIPS + (X_FOR_W1_SLIP,),
        points=2,
        hints=(
            "The input x is one more leaf of the graph, next to w1: the chain from L down to z1 is the same as for "
            "dL/dw1 (it ends in delta1 = dL/dz1); only the last link changes, dz1/dx instead of dz1/dw1.",
            "z1 = x @ w1 = sum_j x_j w1_j is symmetric in x and w1: dz1/dw1_j = x_j, and dz1/dx_j = w1_j.",
            "delta2 = (yhat - y) * yhat * (1 - yhat); delta1 = delta2 * w2 * h * (1 - h); dx = delta1 * w1, "
            "shape (d,) like x.",
        ),
        solution="""
            def input_grad(x, y, w1, w2):
                h = sigmoid(x @ w1)
                yhat = sigmoid(w2 * h)
                delta1 = (yhat - y) * yhat * (1 - yhat) * w2 * h * (1 - h)   # dL/dz1, as for dL/dw1
                return delta1 * w1                                           # dz1/dx = w1: shape (d,)
        """,
    ),
]
