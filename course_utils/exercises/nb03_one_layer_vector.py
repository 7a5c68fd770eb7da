"""Notebook 03: one layer, one example, a vector input.

Model: x (d,), w (d,), z = x @ w (a number), yhat = sigma(z), L = 1/2 (yhat - y)^2.
dL/dw = delta * x, shape (d,), with delta = dL/dz = (yhat - y) * yhat * (1 - yhat).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import draw_until, nonzero, targets
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import sigmoid  # the stable sigmoid of notebook 01

# --- reference answers ------------------------------------------------------------------

def grad_w(x, y, w):
    """dL/dw for yhat = sigmoid(x @ w), L = 1/2 (yhat - y)^2; x (d,), y float, w (d,) -> (d,)."""
    z = x @ w                              # () : one number
    yhat = sigmoid(z)                      # ()
    delta = (yhat - y) * yhat * (1 - yhat)  # () : dL/dz
    return delta * x                       # (d,) : dL/dw_j = delta * x_j


def gd_step(x, y, w, lr):
    """One gradient-descent step, w - lr * dL/dw; x (d,), y float, w (d,), lr float -> new (d,)."""
    return w - lr * grad_w(x, y, w)        # (d,) : a new array, w itself untouched


# --- known mistakes ---------------------------------------------------------------------

def _parts(x, y, w):
    yhat = sigmoid(x @ w)
    return yhat, yhat - y


def _no_sigma_prime(x, y, w):
    yhat, err = _parts(x, y, w)
    return err * x


def _sigma_not_prime(x, y, w):
    yhat, err = _parts(x, y, w)
    return err * yhat * x


def _times_w(x, y, w):
    yhat, err = _parts(x, y, w)
    return err * yhat * (1 - yhat) * w


def _componentwise(x, y, w):
    # notebook 02's scalar formula applied to each component on its own: z_j = w_j * x_j
    yhat_j = sigmoid(x * w)
    return (yhat_j - y) * yhat_j * (1 - yhat_j) * x


def _twice(x, y, w):
    return 2 * grad_w(x, y, w)


def _sigma_prime_of_y(x, y, w):
    yhat, err = _parts(x, y, w)
    return err * y * (1 - y) * x


GRAD_MISTAKES = (
    Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_sigma_prime,
            "You computed (yhat - y) * x: the chain rule passes through the sigmoid, so the factor "
            "sigma'(z) = yhat * (1 - yhat) is missing from delta = dL/dz."),
    Mistake(D.WRONG_VALUE, _sigma_not_prime,
            "You multiplied by sigma(z) = yhat where its derivative belongs: "
            "dyhat/dz = sigma'(z) = yhat * (1 - yhat)."),
    Mistake(D.WRONG_VALUE, _times_w,
            "You multiplied delta by w: that is dL/dx, the gradient with respect to the input. "
            "z = x @ w = sum_j x_j w_j, so dz/dw_j = x_j and dL/dw = delta * x."),
    Mistake(D.WRONG_VALUE, _componentwise,
            "You applied notebook 02's scalar formula to each component separately, with "
            "sigmoid(x * w) elementwise. There is one pre-activation, z = x @ w = sum_j x_j w_j "
            "(a number), and one delta shared by all components: dL/dw = delta * x."),
    Mistake(D.WRONG_VALUE, _twice,
            "Your gradient is twice the right one: the derivative of 1/2 * (yhat - y)**2 is "
            "(yhat - y); the 2 of the square cancels the 1/2."),
    Mistake(D.WRONG_VALUE, _sigma_prime_of_y,
            "You used y * (1 - y): sigma'(z) = yhat * (1 - yhat) uses the prediction, not the target."),
)


def _step_uphill(x, y, w, lr):
    return w + lr * grad_w(x, y, w)


def _step_only(x, y, w, lr):
    return -lr * grad_w(x, y, w)


def _step_no_lr(x, y, w, lr):
    return w - grad_w(x, y, w)


def _step_gradient_only(x, y, w, lr):
    return w - lr * _no_sigma_prime(x, y, w)


STEP_MISTAKES = (
    Mistake(D.WRONG_VALUE, _step_uphill,
            "You stepped uphill, w + lr * dL/dw: gradient descent subtracts, w - lr * dL/dw."),
    Mistake(D.WRONG_VALUE, _step_only,
            "You returned only the step -lr * dL/dw: return the new weights w - lr * dL/dw."),
    Mistake(D.WRONG_VALUE, _step_no_lr,
            "You left out the learning rate: the new weights are w - lr * dL/dw."),
    Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _step_gradient_only,
            "Your step uses (yhat - y) * x as the gradient: the factor sigma'(z) = yhat * (1 - yhat) "
            "is missing (check your grad_w with check('03.grad_w', grad_w))."),
)


def _make(rng):
    d = int(rng.integers(2, 8))
    x = nonzero(rng, (d,), scale=1.5, floor=0.2)          # no zero inputs
    w = nonzero(rng, (d,), scale=1.2, floor=0.1) / np.sqrt(d)  # |z| moderate: sigmoid not saturated
    return x, targets(rng), w


def _make_step(rng):
    x, y, w = _make(rng)
    lr = float(rng.uniform(0.2, 4.0))
    return x, y, w, lr


def _draw_grad(rng):
    return draw_until(rng, _make, (grad_w,) + tuple(m.variant for m in GRAD_MISTAKES))


def _draw_step(rng):
    return draw_until(rng, _make_step, (gd_step,) + tuple(m.variant for m in STEP_MISTAKES))


EXERCISES = [
    Exercise(
        id="03.grad_w",
        signature="grad_w(x, y, w)",
        returns="(d,) array: dL/dw, the shape of w",
        draw=_draw_grad,
        reference=grad_w,
        points=2,
        mistakes=GRAD_MISTAKES,
        hints=(
            "z = x @ w is ONE number, so yhat and delta = dL/dz = (yhat - y) * sigma'(z) are numbers "
            "too. Then differentiate z = sum_j x_j w_j with respect to a single w_j.",
            "dz/dw_j = x_j, so dL/dw_j = delta * x_j for every j: "
            "yhat = sigmoid(x @ w); delta = (yhat - y) * yhat * (1 - yhat); return delta * x",
        ),
    ),
    Exercise(
        id="03.gd_step",
        signature="gd_step(x, y, w, lr)",
        returns="(d,) array: the new weights w - lr * dL/dw (w itself unchanged)",
        draw=_draw_step,
        reference=gd_step,
        points=1,
        mistakes=STEP_MISTAKES,
        hints=(
            "Call your grad_w and move against the gradient, scaled by the learning rate. "
            "Return a new array: `w -= ...` would change the caller's w.",
            "return w - lr * grad_w(x, y, w)",
        ),
    ),
]
