"""Notebook 02: one layer, one example, everything a number.

Model: z = w * x, yhat = sigma(z), L = 1/2 (yhat - y)^2.
dL/dw = (yhat - y) * sigma'(z) * x with sigma'(z) = yhat * (1 - yhat).
"""

from ..checking.draws import nonzero, target_on_side
from ..checking.exercise import Case, Exercise
from ..portable.functions import sigmoid
from .models.one_layer import GRAD_SLIPS, LOSS_SLIPS, one_layer_grad, one_layer_loss


def loss(x, y, w, **knobs):
    """L = 1/2 (sigmoid(w * x) - y)^2; x, y, w numbers -> float (knobs: ``models.one_layer_loss``)."""
    return one_layer_loss(x, y, w, **knobs)


def grad_w(x, y, w, **knobs):
    """dL/dw for yhat = sigmoid(w * x), L = 1/2 (yhat - y)^2; x, y, w numbers -> float."""
    return one_layer_grad(x, y, w, **knobs)


def _case(side, x_sign, w_sign):
    """Numbers x, y, w with sign(yhat - y) = side, sign(x) = x_sign, sign(w) = w_sign."""
    def draw(rng):
        x = x_sign * abs(nonzero(rng, (), scale=2.0, floor=0.3))   # x == 0 makes every gradient 0
        w = w_sign * abs(nonzero(rng, (), scale=1.5, floor=0.2))
        return x, target_on_side(rng, sigmoid(w * x), side), w
    return draw


CASES = (
    Case("yhat > y, x > 0, w > 0", _case(+1, +1, +1)),
    Case("yhat < y, x < 0, w > 0", _case(-1, -1, +1)),
    Case("yhat > y, x < 0, w < 0", _case(+1, -1, -1)),
    Case("yhat < y, x > 0, w < 0", _case(-1, +1, -1)),
)

EXERCISES = [
    Exercise(
        id="02.loss",
        signature="loss(x, y, w)",
        returns="float: L = 1/2 * (sigmoid(w * x) - y)**2",
        cases=CASES,
        reference=loss,
        slips=LOSS_SLIPS,
        points=1,
        hints=(
            "Two steps: the prediction yhat = sigmoid(w * x), then the loss 1/2 * (yhat - y)**2. "
            "Use the sigmoid from course_utils.functions (or your own from notebook 01).",
            "yhat = sigmoid(w * x); return float(0.5 * (yhat - y) ** 2)",
        ),
        solution="""
            def loss(x, y, w):
                yhat = sigmoid(w * x)
                return float(0.5 * (yhat - y) ** 2)
        """,
    ),
    Exercise(
        id="02.grad_w",
        signature="grad_w(x, y, w)",
        returns="float: dL/dw",
        cases=CASES,
        reference=grad_w,
        slips=GRAD_SLIPS,
        points=2,
        hints=(
            "Write L as a chain w -> z = w * x -> yhat = sigma(z) -> L = 1/2 (yhat - y)^2 and "
            "multiply the three local derivatives.",
            "dL/dyhat = yhat - y, dyhat/dz = sigma'(z) = yhat * (1 - yhat), dz/dw = x.",
            "yhat = sigmoid(w * x); return float((yhat - y) * yhat * (1 - yhat) * x)",
        ),
        solution="""
            def grad_w(x, y, w):
                z = w * x
                yhat = sigmoid(z)
                return float((yhat - y) * yhat * (1 - yhat) * x)   # dL/dyhat * dyhat/dz * dz/dw
        """,
    ),
]
