"""Notebook 02: one layer, one example, everything a number.

Model: z = w * x, yhat = sigma(z), L = 1/2 (yhat - y)^2.
dL/dw = (yhat - y) * sigma'(z) * x with sigma'(z) = yhat * (1 - yhat) (worked in the notebook).
The learner derives the rest: dL/dx = delta * w (the input), dL/dy = y - yhat (the target),
and the checkpoint delta at a saturated unit.
"""

from ..checking import diagnosis as D
from ..checking.draws import nonzero, target_on_side
from ..checking.exercise import Case, Exercise, Slip
from ..portable.functions import sigmoid
from .models.one_layer import (
    GRAD_SLIPS,
    INPUT_GRAD_SLIPS,
    LOSS_SLIPS,
    TARGET_GRAD_SLIPS,
    TARGET_SIGN_MESSAGE,
    one_layer_grad,
    one_layer_input_grad,
    one_layer_loss,
    one_layer_target_grad,
)


def loss(x, y, w, **knobs):
    """L = 1/2 (sigmoid(w * x) - y)^2; x, y, w numbers -> float (knobs: ``models.one_layer_loss``)."""
    return one_layer_loss(x, y, w, **knobs)


def grad_w(x, y, w, **knobs):
    """dL/dw for yhat = sigmoid(w * x), L = 1/2 (yhat - y)^2; x, y, w numbers -> float."""
    return one_layer_grad(x, y, w, **knobs)


def grad_x(x, y, w, **knobs):
    """dL/dx = delta * w for yhat = sigmoid(w * x); x, y, w numbers -> float."""
    return one_layer_input_grad(x, y, w, **knobs)


def grad_y(x, y, w, **knobs):
    """dL/dy = y - yhat for yhat = sigmoid(w * x); x, y, w numbers -> float."""
    return one_layer_target_grad(x, y, w, **knobs)


SATURATED_YHAT, SATURATED_Y = 0.999, 0.1


def delta_saturated(*, slope="yhat"):
    """The checkpoint: delta = dL/dz = (yhat - y) * yhat * (1 - yhat) for yhat = 0.999, y = 0.1
    (a float, about 8.98e-4). Knob ``slope``: "none" (sigma' left out), "sigma" (yhat for
    sigma'), "max" (the largest slope 1/4, at z = 0)."""
    yhat, y = SATURATED_YHAT, SATURATED_Y
    factor = {"yhat": yhat * (1 - yhat), "none": 1.0, "sigma": yhat, "max": 0.25}[slope]
    return (yhat - y) * factor


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
            "The loss is the last link of the chain w -> z -> yhat -> L: compute the forward pass first, "
            "then the loss. Use the sigmoid from course_utils.functions (or your own from notebook 01).",
            "z = w * x and yhat = sigmoid(z); the loss halves the squared error (yhat - y)**2.",
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
    Exercise(
        id="02.delta_saturated",
        kind="value",
        signature="delta_saturated",
        returns="a number: delta = dL/dz for yhat = 0.999, y = 0.1 (four significant digits are enough)",
        cases=(Case("yhat = 0.999, y = 0.1", lambda rng: ()),),
        reference=delta_saturated,
        slips=(
            Slip("slope", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma'(z) is left out of delta",
                 "You gave yhat - y = 0.899: that is dL/dyhat. delta = dL/dz has one more factor, "
                 "dyhat/dz = sigma'(z) = yhat * (1 - yhat), and at yhat = 0.999 that factor is tiny."),
            Slip("slope", "sigma", D.WRONG_VALUE, "sigma(z) = yhat stands where sigma'(z) belongs",
                 "You multiplied by yhat = sigma(z): the factor is its derivative, sigma'(z) = yhat * (1 - yhat)."),
            Slip("slope", "max", D.WRONG_VALUE, "sigma'(z) is taken as its largest value 1/4",
                 "You used sigma'(z) = 1/4, its value at z = 0 (yhat = 0.5). Here yhat = 0.999: "
                 "sigma'(z) = yhat * (1 - yhat) = 0.999 * 0.001."),
        ),
        rtol=2.5e-4,
        points=1,
        hints=(
            "delta = dL/dz is the chain dL/dyhat * dyhat/dz; you know both factors from yhat and y alone "
            "(no x, no w needed).",
            "dL/dyhat = yhat - y = 0.899; dyhat/dz = sigma'(z) = yhat * (1 - yhat).",
            "delta_saturated = (0.999 - 0.1) * 0.999 * (1 - 0.999)",
        ),
        solution="""
            delta_saturated = (0.999 - 0.1) * 0.999 * (1 - 0.999)   # (yhat - y) * sigma'(z), about 8.98e-4
        """,
    ),
    Exercise(
        id="02.grad_x",
        signature="grad_x(x, y, w)",
        returns="float: dL/dx, the derivative with respect to the input",
        cases=CASES,
        reference=grad_x,
        slips=INPUT_GRAD_SLIPS,
        points=2,
        hints=(
            "Same chain as dL/dw, x -> z = w * x -> yhat -> L: only the last local derivative changes, "
            "because now x is the variable and w is a constant.",
            "delta = dL/dz = (yhat - y) * yhat * (1 - yhat) is unchanged; z = w * x is linear in x with slope "
            "dz/dx = w.",
            "yhat = sigmoid(w * x); return float((yhat - y) * yhat * (1 - yhat) * w)",
        ),
        solution="""
            def grad_x(x, y, w):
                yhat = sigmoid(w * x)
                delta = (yhat - y) * yhat * (1 - yhat)   # dL/dz, as for dL/dw
                return float(delta * w)                  # dz/dx = w
        """,
    ),
    Exercise(
        id="02.grad_y",
        signature="grad_y(x, y, w)",
        returns="float: dL/dy, the derivative with respect to the target",
        cases=CASES,
        reference=grad_y,
        slips=TARGET_GRAD_SLIPS,
        messages={"sign": TARGET_SIGN_MESSAGE},
        points=1,
        hints=(
            "Follow y into L: which of the three steps z = w * x, yhat = sigma(z), L = 1/2 (yhat - y)^2 "
            "uses y? Only those steps contribute a local derivative.",
            "y appears only in the loss: L = 1/2 t^2 with t = yhat - y, so dL/dy = t * dt/dy, and dt/dy = -1.",
            "return float(y - sigmoid(w * x))",
        ),
        solution="""
            def grad_y(x, y, w):
                yhat = sigmoid(w * x)
                return float(y - yhat)    # dL/dt * dt/dy with t = yhat - y: t * (-1)
        """,
    ),
]
