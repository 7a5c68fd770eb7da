"""Notebook 04: one layer, a batch of examples, the summed loss.

Model: X (N, d) one example per row, w (d,), z = X @ w (N,), yhat = sigma(z) (N,),
L = 1/2 * sum_i (yhat_i - y_i)^2. dL/dw = X.T @ delta, shape (d,), with
delta = (yhat - y) * yhat * (1 - yhat) of shape (N,).
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.draws import distinct_sizes, draw_until, nonzero, targets
from ..checking.exercise import Exercise, Mistake
from ..portable.functions import sigmoid  # the stable sigmoid of notebook 01

# --- reference answers ------------------------------------------------------------------

def loss(X, y, w):
    """L = 1/2 sum_i (sigmoid(X @ w)_i - y_i)^2; X (N, d), y (N,), w (d,) -> float."""
    yhat = sigmoid(X @ w)                    # (N,)
    return float(0.5 * np.sum((yhat - y) ** 2))


def grad_w(X, y, w):
    """dL/dw of the summed loss, vectorised: X.T @ delta; X (N, d), y (N,), w (d,) -> (d,)."""
    yhat = sigmoid(X @ w)                    # (N,)
    delta = (yhat - y) * yhat * (1 - yhat)   # (N,) dL/dz_i, one per example
    return X.T @ delta                       # (d, N) @ (N,) -> (d,) = sum_i delta_i x_i


def grad_w_loop(X, y, w):
    """dL/dw of the summed loss, adding one example's delta_i * x_i at a time;
    X (N, d), y (N,), w (d,) -> (d,).
    """
    g = np.zeros(X.shape[1])                 # (d,)
    for i in range(X.shape[0]):              # one example at a time, as in notebook 03
        yhat_i = sigmoid(X[i] @ w)           # ()
        delta_i = (yhat_i - y[i]) * yhat_i * (1 - yhat_i)
        g += delta_i * X[i]                  # (d,)
    return g


# --- known mistakes ---------------------------------------------------------------------

def _delta(X, y, w):
    yhat = sigmoid(X @ w)
    return yhat, (yhat - y) * yhat * (1 - yhat)


def _loss_mean(X, y, w):
    return loss(X, y, w) / X.shape[0]


def _loss_no_half(X, y, w):
    return 2 * loss(X, y, w)


def _loss_no_sigmoid(X, y, w):
    return float(0.5 * np.sum((X @ w - y) ** 2))


def _loss_square_of_sum(X, y, w):
    return float(0.5 * np.sum(sigmoid(X @ w) - y) ** 2)


def _loss_first_only(X, y, w):
    return float(0.5 * (sigmoid(X[0] @ w) - y[0]) ** 2)


LOSS_MISTAKES = (
    Mistake(D.BATCH_SCALE, _loss_mean,
            "You divided by N: this course's loss is the SUM over the batch, "
            "L = 1/2 * sum_i (yhat_i - y_i)**2, not the mean."),
    Mistake(D.WRONG_VALUE, _loss_no_half,
            "Your loss is twice the right one: keep the factor 1/2 in L = 1/2 * sum_i (yhat_i - y_i)**2."),
    Mistake(D.WRONG_VALUE, _loss_no_sigmoid,
            "You used z = X @ w as the prediction: the outputs are yhat = sigmoid(X @ w)."),
    Mistake(D.WRONG_VALUE, _loss_square_of_sum,
            "You squared the sum of the errors: the loss is the sum of the squared errors, "
            "0.5 * np.sum((yhat - y) ** 2)."),
    Mistake(D.WRONG_VALUE, _loss_first_only,
            "Your loss is the first example's only: is your return inside the loop?"),
)


def _no_sigma_prime(X, y, w):
    yhat = sigmoid(X @ w)
    return X.T @ (yhat - y)


def _mean(X, y, w):
    return grad_w(X, y, w) / X.shape[0]


def _sigma_not_prime(X, y, w):
    yhat = sigmoid(X @ w)
    return X.T @ ((yhat - y) * yhat)


def _first_only(X, y, w):
    yhat, delta = _delta(X, y, w)
    return delta[0] * X[0]


def _last_only(X, y, w):
    yhat, delta = _delta(X, y, w)
    return delta[-1] * X[-1]


def _product_of_sums(X, y, w):
    yhat, delta = _delta(X, y, w)
    return delta.sum() * X.sum(axis=0)


def _twice(X, y, w):
    return 2 * grad_w(X, y, w)


def _per_example(X, y, w):
    yhat, delta = _delta(X, y, w)
    return delta[:, None] * X                # (N, d): one gradient row per example


PER_EXAMPLE = Mistake(
    D.BIAS_NOT_SUMMED, _per_example,
    "Your gradient still has one row per example (delta_i * x_i, shape (N, d)): the gradient of "
    "the summed loss is their sum over the batch, shape (d,) like w: X.T @ delta.")


def _grad_mistakes(first_message):
    return (
        Mistake(D.MISSING_ACTIVATION_DERIVATIVE, _no_sigma_prime,
                "You computed X.T @ (yhat - y): each example's delta_i needs the factor "
                "sigma'(z_i) = yhat_i * (1 - yhat_i), so delta = (yhat - y) * yhat * (1 - yhat)."),
        Mistake(D.BATCH_SCALE, _mean,
                "Your gradient is the right one divided by N: it is the gradient of the MEAN loss. "
                "This course's loss is the SUM over examples, so its gradient is the sum of the "
                "examples' gradients (no division)."),
        Mistake(D.WRONG_VALUE, _sigma_not_prime,
                "You multiplied by sigma(z) = yhat where its derivative belongs: "
                "sigma'(z) = yhat * (1 - yhat), element by element."),
        Mistake(D.WRONG_VALUE, _first_only, first_message),
        Mistake(D.WRONG_VALUE, _last_only,
                "Your answer is the gradient of the LAST example only: accumulate over the batch "
                "(g += ..., starting from g = np.zeros(d)) instead of overwriting g = ..."),
        Mistake(D.WRONG_VALUE, _product_of_sums,
                "You multiplied the sum of the deltas by the sum of the inputs. The gradient is the "
                "sum of the products, sum_i delta_i * x_i = X.T @ delta: each example's input is "
                "weighted by its own delta."),
        Mistake(D.WRONG_VALUE, _twice,
                "Your gradient is twice the right one: the derivative of 1/2 * (yhat_i - y_i)**2 is "
                "(yhat_i - y_i); the 2 of the square cancels the 1/2."),
        PER_EXAMPLE,
    )


GRAD_MISTAKES = _grad_mistakes(
    "Your answer is the gradient of the FIRST example only: is your return inside the loop? "
    "Sum over all examples: X.T @ delta.")
LOOP_MISTAKES = _grad_mistakes(
    "Your answer is the gradient of the FIRST example only: is your return inside the loop? "
    "Return after the loop has added every example's delta_i * x_i.")


def _make(rng):
    N, d = distinct_sizes(rng, 2, 2, 7)                      # N > 1, N != d
    X = nonzero(rng, (N, d), scale=1.5, floor=0.2)            # no zero inputs
    w = nonzero(rng, (d,), scale=1.2, floor=0.1) / np.sqrt(d)  # moderate z: no saturation
    return X, targets(rng, (N,)), w


def _draw_loss(rng):
    return draw_until(rng, _make, (loss,) + tuple(m.variant for m in LOSS_MISTAKES))


def _draw_grad(rng):
    return draw_until(rng, _make, (grad_w,) + tuple(m.variant for m in GRAD_MISTAKES if m is not PER_EXAMPLE))


_GRAD_HINTS = (
    "The loss is a sum over examples, so its gradient is the sum of the examples' gradients "
    "from notebook 03: sum_i delta_i * x_i with delta_i = (yhat_i - y_i) * yhat_i * (1 - yhat_i).",
)

EXERCISES = [
    Exercise(
        id="04.loss",
        signature="loss(X, y, w)",
        returns="float: L = 1/2 * sum_i (sigmoid(X @ w)_i - y_i)**2",
        draw=_draw_loss,
        reference=loss,
        points=1,
        mistakes=LOSS_MISTAKES,
        hints=(
            "X @ w gives all N pre-activations at once, shape (N,); the sigmoid works element-wise.",
            "yhat = sigmoid(X @ w); return float(0.5 * np.sum((yhat - y) ** 2))",
        ),
    ),
    Exercise(
        id="04.grad_w_loop",
        signature="grad_w_loop(X, y, w)",
        returns="(d,) array: dL/dw, accumulated example by example",
        draw=_draw_grad,
        reference=grad_w_loop,
        points=1,
        mistakes=LOOP_MISTAKES,
        hints=_GRAD_HINTS + (
            "g = np.zeros(X.shape[1]); for i in range(X.shape[0]): yhat_i = sigmoid(X[i] @ w); "
            "g += (yhat_i - y[i]) * yhat_i * (1 - yhat_i) * X[i]; after the loop: return g",
        ),
    ),
    Exercise(
        id="04.grad_w",
        signature="grad_w(X, y, w)",
        returns="(d,) array: dL/dw of the summed loss, without a Python loop",
        draw=_draw_grad,
        reference=grad_w,
        points=2,
        mistakes=GRAD_MISTAKES,
        hints=_GRAD_HINTS + (
            "Component j of sum_i delta_i * X[i] is sum_i X[i, j] * delta_i = (X.T @ delta)[j]. "
            "Shapes: (d, N) @ (N,) -> (d,).",
            "yhat = sigmoid(X @ w); delta = (yhat - y) * yhat * (1 - yhat); return X.T @ delta",
        ),
    ),
]
