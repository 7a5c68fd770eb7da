"""One sigmoid unit, written once for notebooks 02-04 (a number, a vector, a batch).

z = x w (02: numbers), z = x @ w (03: x (d,)), z = X @ w (04: X (N, d)); yhat = sigma(z);
L = 1/2 sum (yhat - y)^2. Every knob's default is the right answer; the ``*_SLIPS`` tuples
say what each wrong setting is called.
"""

import numpy as np

from ...checking import diagnosis as D
from ...checking.exercise import Slip
from ...portable.functions import sigmoid


def _pre_activation(x, w, componentwise=False):
    """z = x * w for numbers, x @ w for a vector or a batch (a number or (N,));
    ``componentwise`` gives the slip z_j = x_j * w_j (an array)."""
    if np.ndim(x) == 0 or componentwise:
        return np.asarray(x, dtype=np.float64) * w
    return np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64)


def _rows(x, y, examples):
    """The examples a (mistaken) loop would see: all, or only the first / last row."""
    if examples == "all" or np.ndim(x) < 2:
        return x, y
    rows = slice(0, 1) if examples == "first" else slice(-1, None)
    return x[rows], np.asarray(y)[rows]


def one_layer_loss(x, y, w, *, half=True, prediction="sigmoid", power=2, mean=False, examples="all",
                   square_of_sum=False):
    """L = 1/2 sum (sigmoid(z) - y)^2 of one sigmoid unit (see module docstring) -> float.

    Knobs: ``half=False`` drops the 1/2; ``prediction="z"`` uses z as the prediction;
    ``power=1`` takes |yhat - y| instead of its square; ``mean=True`` averages over the
    batch; ``examples="first"`` sees only the first example; ``square_of_sum=True``
    squares the summed error."""
    x, y = _rows(x, y, examples)
    z = _pre_activation(x, w)
    yhat = sigmoid(z) if prediction == "sigmoid" else np.asarray(z, dtype=np.float64)
    err = yhat - y
    if square_of_sum:
        total = float(np.sum(err)) ** 2
    else:
        total = float(np.sum(np.abs(err) ** power))
    if mean:
        total /= np.size(err)
    return 0.5 * total if half else total


def one_layer_grad(x, y, w, *, sigma_prime="yhat", input_factor="x", twice=False, mean=False, examples="all",
                   product_of_sums=False, componentwise=False):
    """dL/dw of one sigmoid unit: delta * x (a number or (d,)), or X.T @ delta for a batch (d,).

    delta = dL/dz = (yhat - y) * yhat * (1 - yhat). Knobs: ``sigma_prime`` "none" (left
    out), "sigma" (yhat instead of yhat (1 - yhat)), "target" (y (1 - y)); ``input_factor``
    "none" (dz/dw left out) or "w" (dz/dx instead of dz/dw); ``twice=True`` keeps the 2
    of the square; ``mean=True`` divides by the batch size; ``examples`` "first" / "last"
    (only one example of the batch); ``product_of_sums`` (sum of deltas times sum of
    inputs); ``componentwise`` (notebook 02's formula per component, z_j = x_j w_j)."""
    n = np.shape(x)[0] if np.ndim(x) == 2 else 1
    x, y = _rows(x, y, examples)
    z = _pre_activation(x, w, componentwise)
    yhat = sigmoid(z)
    y_arr = np.asarray(y, dtype=np.float64)
    slope = {"yhat": yhat * (1 - yhat), "none": 1.0, "sigma": yhat, "target": y_arr * (1 - y_arr)}[sigma_prime]
    delta = (2.0 if twice else 1.0) * (yhat - y) * slope
    w_arr = np.asarray(w, dtype=np.float64)
    factor = {"x": np.asarray(x, dtype=np.float64), "w": w_arr, "none": np.ones_like(w_arr)}[input_factor]
    if np.ndim(x) == 2:  # a batch: each example's delta_i times its own input row, summed
        if product_of_sums:
            grad = np.sum(delta) * (factor.sum(axis=0) if factor.ndim == 2 else factor)
        else:
            grad = factor.T @ delta if factor.ndim == 2 else np.sum(delta) * factor
        return grad / n if mean else grad
    out = delta * factor
    return float(out) if np.ndim(out) == 0 else out


LOSS_SLIPS = (
    Slip("half", False, D.WRONG_VALUE, "the factor 1/2 is missing",
         "Your loss is twice the right one: L = 1/2 * (yhat - y)**2 keeps the factor 1/2 "
         "(it is there so that the 2 from differentiating the square cancels)."),
    Slip("prediction", "z", D.WRONG_VALUE, "z is used as the prediction instead of sigmoid(z)",
         "You used z as the prediction: the output is yhat = sigmoid(z)."),
    Slip("power", 1, D.WRONG_VALUE, "the error is not squared",
         "You took |yhat - y|: the loss squares the error, 1/2 * (yhat - y)**2."),
)

MEAN_LOSS_SLIP = Slip("mean", True, D.BATCH_SCALE, "it averages over the batch instead of summing",
                      "You averaged over the batch: the loss here is a SUM over examples, "
                      "L = 1/2 * sum_i (yhat_i - y_i)**2, N times the mean.")

GRAD_SLIPS = (
    Slip("sigma_prime", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma'(z) = yhat (1 - yhat) is missing",
         "You computed (yhat - y) times the input: the chain rule passes through the sigmoid, so the factor "
         "sigma'(z) = yhat * (1 - yhat) is missing from delta = dL/dz."),
    Slip("sigma_prime", "sigma", D.WRONG_VALUE, "sigma(z) = yhat stands where sigma'(z) belongs",
         "You multiplied by sigma(z) = yhat where its derivative belongs: "
         "dyhat/dz = sigma'(z) = yhat * (1 - yhat)."),
    Slip("sigma_prime", "target", D.WRONG_VALUE, "sigma' is computed from the target, y (1 - y)",
         "You used y * (1 - y): sigma'(z) = yhat * (1 - yhat) uses the prediction, not the target."),
    Slip("input_factor", "none", D.WRONG_VALUE, "the last chain factor dz/dw is missing",
         "The last chain factor dz/dw is missing: z is linear in w, and dz/dw is the input x."),
    Slip("input_factor", "w", D.WRONG_VALUE, "it multiplies by w (dz/dx) instead of x (dz/dw)",
         "You multiplied by w: that is dz/dx, the derivative with respect to the input. We differentiate "
         "with respect to w, and dz/dw = x."),
    Slip("twice", True, D.WRONG_VALUE, "it is twice too large (the 2 of the square kept)",
         "Your gradient is twice the right one: the derivative of 1/2 * (yhat - y)**2 is (yhat - y); "
         "the 2 of the square cancels the 1/2."),
)

LOOP_SLIPS = (
    Slip("examples", "first", D.WRONG_VALUE, "only the first example counts",
         "Your answer is the FIRST example's only: is your return inside the loop? The loss sums over "
         "all examples, so its gradient does too."),
    Slip("examples", "last", D.WRONG_VALUE, "only the last example counts",
         "Your answer is the LAST example's only: accumulate over the batch (g += ..., starting from "
         "g = np.zeros(d)) instead of overwriting g = ..."),
    Slip("product_of_sums", True, D.WRONG_VALUE, "the sum of the deltas multiplies the sum of the inputs",
         "You multiplied the sum of the deltas by the sum of the inputs. The gradient is the sum of the "
         "products, sum_i delta_i * x_i = X.T @ delta: each example's input is weighted by its own delta."),
)

MEAN_GRAD_SLIP = Slip("mean", True, D.BATCH_SCALE, "it is divided by the batch size N",
                      "Your gradient is the right one divided by N: that is the gradient of the MEAN loss. "
                      "Here the loss is a sum over examples, so do not divide by N.")
