"""Notebook 02: one layer, one example, everything a scalar.

Model: z = w * x, yhat = sigma(z), L = 1/2 (yhat - y)^2.
dL/dw = (yhat - y) * sigma'(z) * x with sigma'(z) = yhat * (1 - yhat).
"""


from ..checking import diagnosis as D
from ..checking.draws import draw_until, nonzero, targets
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import sigmoid  # the stable sigmoid of notebook 01

# --- the model and the reference answers ----------------------------------------------

def loss(x, y, w):
    """L = 1/2 (sigmoid(w * x) - y)^2; x, y, w numbers -> float."""
    z = w * x                    # scalar
    yhat = sigmoid(z)            # scalar in (0, 1)
    return float(0.5 * (yhat - y) ** 2)


def grad_w(x, y, w):
    """dL/dw for yhat = sigmoid(w * x), L = 1/2 (yhat - y)^2; x, y, w numbers -> float."""
    z = w * x                    # scalar
    yhat = sigmoid(z)            # scalar
    dL_dyhat = yhat - y          # dL/dyhat
    dyhat_dz = yhat * (1 - yhat)  # sigma'(z)
    dz_dw = x                    # d(w * x)/dw
    return float(dL_dyhat * dyhat_dz * dz_dw)


# --- known mistakes ---------------------------------------------------------------------

def _loss_no_half(x, y, w):
    return float((sigmoid(w * x) - y) ** 2)


def _loss_no_sigmoid(x, y, w):
    return float(0.5 * (w * x - y) ** 2)


def _loss_abs(x, y, w):
    return float(0.5 * abs(sigmoid(w * x) - y))


def _grad_no_sigma_prime(x, y, w):
    yhat = sigmoid(w * x)
    return float((yhat - y) * x)


def _grad_sigma_not_prime(x, y, w):
    yhat = sigmoid(w * x)
    return float((yhat - y) * yhat * x)


def _grad_no_x(x, y, w):
    yhat = sigmoid(w * x)
    return float((yhat - y) * yhat * (1 - yhat))


def _grad_times_w(x, y, w):
    yhat = sigmoid(w * x)
    return float((yhat - y) * yhat * (1 - yhat) * w)


def _grad_twice(x, y, w):
    return 2 * grad_w(x, y, w)


def _grad_sigma_prime_of_y(x, y, w):
    yhat = sigmoid(w * x)
    return float((yhat - y) * y * (1 - y) * x)


LOSS_MISTAKES = (
    Mistake(D.WRONG_VALUE, _loss_no_half,
            "Your loss is twice the right one: L = 1/2 * (yhat - y)**2 keeps the factor 1/2 "
            "(it is there so that the 2 from differentiating the square cancels)."),
    Mistake(D.WRONG_VALUE, _loss_no_sigmoid,
            "You used z = w * x as the prediction: the output is yhat = sigmoid(w * x)."),
    Mistake(D.WRONG_VALUE, _loss_abs,
            "You took |yhat - y|: the loss squares the error, 1/2 * (yhat - y)**2."),
)

GRAD_MISTAKES = (
    Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _grad_no_sigma_prime,
            "You computed (yhat - y) * x: the chain rule passes through the sigmoid, so a factor "
            "sigma'(z) = yhat * (1 - yhat) is missing between dL/dyhat and dz/dw."),
    Mistake(D.WRONG_VALUE, _grad_sigma_not_prime,
            "You multiplied by sigma(z) = yhat where its derivative belongs: "
            "dyhat/dz = sigma'(z) = yhat * (1 - yhat)."),
    Mistake(D.WRONG_VALUE, _grad_no_x,
            "The last chain factor dz/dw is missing: z = w * x, so dz/dw = x."),
    Mistake(D.WRONG_VALUE, _grad_times_w,
            "You multiplied by w: that is dz/dx. We differentiate with respect to w, and "
            "dz/dw = x."),
    Mistake(D.WRONG_VALUE, _grad_twice,
            "Your gradient is twice the right one: the derivative of 1/2 * (yhat - y)**2 is "
            "(yhat - y); the 2 of the square cancels the 1/2."),
    Mistake(D.WRONG_VALUE, _grad_sigma_prime_of_y,
            "You used y * (1 - y): sigma'(z) = yhat * (1 - yhat) uses the prediction, not the target."),
)


def _make(rng):
    # Python floats. |x| >= 0.3 (x == 0 makes every gradient 0), |w| >= 0.2.
    x = nonzero(rng, (), scale=2.2, floor=0.3)
    w = nonzero(rng, (), scale=1.8, floor=0.2)
    y = targets(rng)
    return x, y, w


def _draw_loss(rng):
    return draw_until(rng, _make, (loss,) + tuple(m.variant for m in LOSS_MISTAKES))


def _draw_grad(rng):
    return draw_until(rng, _make, (grad_w,) + tuple(m.variant for m in GRAD_MISTAKES))


EXERCISES = [
    Exercise(
        id="02.loss",
        signature="loss(x, y, w)",
        returns="float: L = 1/2 * (sigmoid(w * x) - y)**2",
        draw=_draw_loss,
        reference=loss,
        points=1,
        mistakes=LOSS_MISTAKES,
        hints=(
            "Two steps: the prediction yhat = sigmoid(w * x), then the loss 1/2 * (yhat - y)**2. "
            "Use the sigmoid from course_utils.functions (or your own from notebook 01).",
            "yhat = sigmoid(w * x); return float(0.5 * (yhat - y) ** 2)",
        ),
    ),
    Exercise(
        id="02.grad_w",
        signature="grad_w(x, y, w)",
        returns="float: dL/dw",
        draw=_draw_grad,
        reference=grad_w,
        points=2,
        mistakes=GRAD_MISTAKES,
        hints=(
            "Write L as a chain w -> z = w * x -> yhat = sigma(z) -> L = 1/2 (yhat - y)^2 and "
            "multiply the three local derivatives dL/dyhat, dyhat/dz, dz/dw.",
            "dL/dyhat = yhat - y, dyhat/dz = yhat * (1 - yhat), dz/dw = x. So "
            "yhat = sigmoid(w * x); return float((yhat - y) * yhat * (1 - yhat) * x)",
        ),
    ),
]
