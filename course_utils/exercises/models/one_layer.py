"""One sigmoid unit, written once for notebooks 02-04 (a number, a vector, a batch).

z = x w (02: numbers), z = x @ w (03: x (d,)), z = X @ w (04: X (N, d)), plus a bias b
where an exercise has one; yhat = sigma(z); L = 1/2 sum (yhat - y)^2. One function per
quantity: the loss, dL/dw, dL/dx (the input), dL/dy (the target), (dL/dw, dL/db) with a
bias, and the gradient of L for another inner product <u, v>_M = u @ M @ v. Every
knob's default is the right answer; the ``*_SLIPS`` tuples say what each wrong setting is
called.
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


# ---------------------------------------------------------------- quantities beyond dL/dw

def _delta(yhat, y, sigma_prime="yhat", twice=False):
    """dL/dz = (yhat - y) * sigma'(z) (knobs as ``one_layer_grad``'s); shaped like yhat."""
    y_arr = np.asarray(y, dtype=np.float64)
    slope = {"yhat": yhat * (1 - yhat), "none": 1.0, "sigma": yhat, "target": y_arr * (1 - y_arr)}[sigma_prime]
    return (2.0 if twice else 1.0) * (yhat - y_arr) * slope


def one_layer_input_grad(x, y, w, *, sigma_prime="yhat", factor="w", twice=False, mean=False):
    """dL/dx of one sigmoid unit: delta * w. A number for 02 (x a number), (d,) for 03
    (x (d,)), and for a batch X (N, d) the (N, d) matrix whose row i is delta_i * w
    (np.outer(delta, w)): each example's input gets its own gradient, nothing is summed.

    Knobs: ``sigma_prime`` as ``one_layer_grad``'s; ``factor="x"`` multiplies by the input
    (dz/dw) instead of the weight (dz/dx); ``twice=True`` keeps the 2 of the square;
    ``mean=True`` divides by the batch size (the mean loss)."""
    x_arr = np.asarray(x, dtype=np.float64)
    w_arr = np.asarray(w, dtype=np.float64)
    yhat = sigmoid(_pre_activation(x_arr, w_arr))
    delta = _delta(yhat, y, sigma_prime, twice)
    other = x_arr if factor == "x" else w_arr
    if x_arr.ndim == 2:  # a batch: row i is delta_i times w (or the slip's x_i)
        grad = delta[:, None] * (other if other.ndim == 2 else other[None, :])
        return grad / x_arr.shape[0] if mean else grad
    out = delta * other
    return float(out) if np.ndim(out) == 0 else out


def one_layer_target_grad(x, y, w, *, chain="none", twice=False):
    """dL/dy of one sigmoid unit: y - yhat (a number; (N,) for a batch). The target enters
    the loss only through (yhat - y), so no sigma' and no input factor appear.

    Knobs: ``chain="sigma_prime"`` multiplies by sigma'(z) as if y sat before the sigmoid;
    ``chain="weight_grad"`` is the chain of dL/dw with the sign of y, (y - yhat) sigma'(z) x;
    ``twice=True`` keeps the 2 of the square."""
    yhat = sigmoid(_pre_activation(x, w))
    y_arr = np.asarray(y, dtype=np.float64)
    out = (2.0 if twice else 1.0) * (y_arr - yhat)
    if chain in ("sigma_prime", "weight_grad"):
        out = out * yhat * (1 - yhat)
    if chain == "weight_grad":
        out = out * np.asarray(x, dtype=np.float64)
    return float(out) if np.ndim(out) == 0 else out


def one_layer_grad_wb(x, y, w, b, *, bias_in_forward=True, bias_factor="one", sigma_prime="yhat", mean=False,
                      bias_mean=False):
    """(dL/dw, dL/db) of one sigmoid unit with a bias, z = x @ w + b (X @ w + b for a batch).

    dL/dw = delta * x (03: (d,)) or X.T @ delta (04: (d,)); dL/db = delta (03: a number) or
    sum_i delta_i (04: a number), since dz/db = 1. Knobs: ``bias_in_forward=False`` leaves b
    out of z; ``bias_factor="b"`` multiplies the bias gradient by b (as if dz/db were b);
    ``sigma_prime`` as ``one_layer_grad``'s (both parts); ``mean=True`` divides both parts by
    the batch size; ``bias_mean=True`` averages the bias gradient only."""
    x_arr = np.asarray(x, dtype=np.float64)
    z = _pre_activation(x_arr, w) + (b if bias_in_forward else 0.0)
    yhat = sigmoid(z)
    delta = _delta(yhat, y, sigma_prime)
    n = x_arr.shape[0] if x_arr.ndim == 2 else 1
    dw = x_arr.T @ delta if x_arr.ndim == 2 else delta * x_arr
    db = float(np.sum(delta)) * (b if bias_factor == "b" else 1.0)
    if bias_mean:
        db /= n
    if mean:
        dw, db = dw / n, db / n
    return dw, db


def one_layer_grad_metric(x, y, w, M, *, metric="inverse", **grad_knobs):
    """The gradient of L with respect to w for the inner product <u, v>_M = u @ M @ v
    (M (d, d) symmetric positive definite): the vector g with <g, v>_M = dL(w)[v] =
    (delta * x) @ v for every v, so M @ g = delta * x and g = M^{-1} (delta * x), shape (d,).

    Knobs: ``metric`` "forward" (M @ grad: the metric applied instead of inverted),
    "euclidean" (M ignored), "diagonal" (divided by M's diagonal only); ``grad_knobs`` as
    ``one_layer_grad``'s."""
    grad = one_layer_grad(x, y, w, **grad_knobs)
    M = np.asarray(M, dtype=np.float64)
    if metric == "forward":
        return M @ grad
    if metric == "euclidean":
        return grad
    if metric == "diagonal":
        return grad / np.diag(M)
    return np.linalg.solve(M, grad)


INPUT_GRAD_SLIPS = (
    Slip("sigma_prime", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma'(z) = yhat (1 - yhat) is missing",
         "You computed (yhat - y) times w: the chain passes through the sigmoid, so the factor "
         "sigma'(z) = yhat * (1 - yhat) is missing from delta = dL/dz."),
    Slip("sigma_prime", "sigma", D.WRONG_VALUE, "sigma(z) = yhat stands where sigma'(z) belongs",
         "You multiplied by sigma(z) = yhat where its derivative belongs: dyhat/dz = yhat * (1 - yhat)."),
    Slip("factor", "x", D.WRONG_VALUE, "it multiplies by the input x (dz/dw) instead of the weight w (dz/dx)",
         "You multiplied by the input x: that is dz/dw, the last factor of dL/dw. Here the variable is the "
         "input, and z = w * x changes with x at the rate dz/dx = w."),
    Slip("twice", True, D.WRONG_VALUE, "it is twice too large (the 2 of the square kept)",
         "Your gradient is twice the right one: the derivative of 1/2 * (yhat - y)**2 with respect to yhat is "
         "(yhat - y); the 2 of the square cancels the 1/2."),
)

TARGET_GRAD_SLIPS = (
    Slip("chain", "sigma_prime", D.WRONG_VALUE, "it multiplies by sigma'(z), as if y came before the sigmoid",
         "You multiplied by sigma'(z): the target y is not an input of the sigmoid. L = 1/2 (yhat - y)^2 "
         "depends on y directly, so dL/dy has a single factor."),
    Slip("chain", "weight_grad", D.WRONG_VALUE, "it is the chain of dL/dw (sigma'(z) and x included)",
         "You reused the chain of dL/dw, (y - yhat) * sigma'(z) * x. That chain goes w -> z -> yhat -> L; "
         "y enters L only through the difference (yhat - y), with no sigmoid and no x on the way."),
    Slip("twice", True, D.WRONG_VALUE, "it is twice too large (the 2 of the square kept)",
         "Your answer is twice the right one: the 1/2 in L cancels the 2 of the square."),
)

TARGET_SIGN_MESSAGE = (
    "Your answer is yhat - y, the derivative with respect to the PREDICTION. With respect to the target, "
    "the inner function yhat - y has slope -1 in y, so dL/dy = -(yhat - y) = y - yhat.")

BIAS_SLIPS = (
    Slip("bias_in_forward", False, D.WRONG_VALUE, "the bias is left out of the forward pass",
         "Your forward pass leaves out the bias: with a bias, z = x @ w + b, and every factor that uses "
         "yhat (the error and sigma'(z)) must use that z."),
    Slip("bias_factor", "b", D.WRONG_VALUE, "the bias gradient is multiplied by b (dz/db is 1)",
         "Your bias gradient is multiplied by b. In z = x @ w + b the bias is added, not multiplied: "
         "dz/db = 1, so dL/db = delta."),
    Slip("sigma_prime", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma'(z) = yhat (1 - yhat) is missing",
         "The factor sigma'(z) = yhat * (1 - yhat) is missing: both gradients pass through the sigmoid, "
         "via delta = dL/dz = (yhat - y) * sigma'(z)."),
)

BIAS_BATCH_SLIPS = (
    Slip("mean", True, D.BATCH_SCALE, "both gradients are divided by the batch size N",
         "Your gradients are the right ones divided by N: that is the MEAN loss. Here the loss is a sum "
         "over examples, so do not divide by N."),
    Slip("bias_mean", True, D.BATCH_SCALE, "the bias gradient is averaged over the batch (np.mean)",
         "Your bias gradient is the MEAN of the deltas: the loss is a sum over examples, so dL/db is their "
         "sum, delta.sum()."),
)

METRIC_SLIPS = (
    Slip("metric", "forward", D.WRONG_VALUE, "it multiplies by M instead of solving with M",
         "You returned M @ grad: the gradient g for <u, v>_M must satisfy g @ M @ v = grad @ v for every v, "
         "that is M @ g = grad, so g = M^{-1} grad (np.linalg.solve(M, grad)), not M @ grad."),
    Slip("metric", "euclidean", D.WRONG_VALUE, "it is the Euclidean gradient (M is ignored)",
         "That is the Euclidean gradient delta * x: it represents the derivative through u @ v. With the "
         "inner product u @ M @ v the vector that represents the same derivative is different."),
    Slip("metric", "diagonal", D.WRONG_VALUE, "it divides by the diagonal of M only",
         "You divided by M's diagonal: that inverts M only when M is diagonal. Here M has off-diagonal "
         "entries; solve M @ g = grad for g."),
    Slip("sigma_prime", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma'(z) is missing from the derivative",
         "The derivative itself misses sigma'(z) = yhat * (1 - yhat): dL(w)[v] = delta * (x @ v) with "
         "delta = (yhat - y) * sigma'(z)."),
)
