"""The course's models written once, with knobs for the mistakes learners make.

Exercise modules build their references from these functions, so the one-layer unit
(notebooks 02-04) is written once for a number, a vector and a batch. Every knob's
default is the right answer; the ``SLIPS`` tuples say what each wrong setting is called.

One sigmoid unit: z = x w (02: numbers), z = x @ w (03: x (d,)), z = X @ w (04: X (N, d));
yhat = sigma(z); L = 1/2 sum (yhat - y)^2.
"""

import numpy as np

from ..checking import diagnosis as D
from ..checking.exercise import Slip
from ..portable.functions import sigmoid


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


# ---------------------------------------------------------------- two layers (notebooks 05-07)
#
# No biases. z1 = x @ W1, h = sigma(z1), z2 = h @ w2 (h * w2 for one hidden unit),
# yhat = sigma(z2), L = 1/2 sum (yhat - y)^2. Shapes: 05 x (d,), w1 (d,), w2 a number;
# 06 x (d,), W1 (d, H), w2 (H,); 07 X (N, d), W1 (d, H), w2 (H,), y (N,).

def _slope(a, how):
    """sigma'(z) from the activation a = sigma(z): a (1 - a); the slips "none" (left out)
    and "activation" (sigma' applied to a instead of z: sigma(a) (1 - sigma(a)))."""
    if how == "none":
        return np.ones_like(np.asarray(a, dtype=np.float64))
    if how == "activation":
        s = sigmoid(a)
        return s * (1 - s)
    return a * (1 - a)


def two_layer_deltas(x, y, W1, w2, *, out_slope="a", hidden_slope="a", through_w2=True, mean=False):
    """(delta1, delta2): dL/dz1 (shaped like z1) and dL/dz2 (shaped like z2) of the two-layer
    network above. Knobs: ``out_slope`` / ``hidden_slope`` "none" or "activation" (see
    ``_slope``); ``through_w2=False`` leaves the factor w2 out of delta1; ``mean=True``
    divides by the batch size."""
    x = np.asarray(x, dtype=np.float64)
    W1 = np.asarray(W1, dtype=np.float64)
    w2 = np.asarray(w2, dtype=np.float64)
    h = sigmoid(x @ W1)
    z2 = h * w2 if w2.ndim == 0 else h @ w2
    yhat = sigmoid(z2)
    delta2 = (yhat - y) * _slope(yhat, out_slope)
    if mean and x.ndim == 2:
        delta2 = delta2 / x.shape[0]
    back = w2 if through_w2 else np.ones_like(w2)
    delta1 = (np.outer(delta2, back) if x.ndim == 2 else delta2 * back) * _slope(h, hidden_slope)
    return delta1, delta2


def two_layer_grads(x, y, W1, w2, *, input_for_w2="h", sum_first=False, **delta_knobs):
    """(dW1, dw2) of the two-layer network above: dW1 shaped like W1, dw2 like w2.

    dw2 = (input of layer 2) * delta2 summed over the batch; dW1 = (input of layer 1) *
    delta1. Knobs: ``input_for_w2="z1"`` uses the pre-activation instead of h;
    ``sum_first=True`` (a batch) multiplies the sums over the batch instead of summing
    the products; the others as ``two_layer_deltas``."""
    x = np.asarray(x, dtype=np.float64)
    W1 = np.asarray(W1, dtype=np.float64)
    delta1, delta2 = two_layer_deltas(x, y, W1, w2, **delta_knobs)
    z1 = x @ W1
    into2 = z1 if input_for_w2 == "z1" else sigmoid(z1)
    if x.ndim == 2:  # a batch: rows are examples
        if sum_first:
            return np.outer(x.sum(axis=0), delta1.sum(axis=0)), into2.sum(axis=0) * delta2.sum()
        return x.T @ delta1, into2.T @ delta2
    dW1 = np.outer(x, delta1) if np.ndim(delta1) else delta1 * x
    dw2 = delta2 * into2
    return dW1, (float(dw2) if np.ndim(dw2) == 0 else dw2)


TWO_LAYER_SLIPS = (
    Slip("out_slope", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma'(z2) is missing at the output",
         "The output layer's sigma'(z2) = yhat * (1 - yhat) is missing: delta2 = dL/dz2 = (yhat - y) * sigma'(z2), "
         "not just (yhat - y). Everything downstream starts from delta2, so it is all off."),
    Slip("hidden_slope", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma'(z1) is missing at the hidden layer",
         "The hidden layer's sigma'(z1) = h * (1 - h) is missing: on its way back the gradient also passes "
         "through the hidden sigmoid, delta1 = delta2 * w2 * sigma'(z1)."),
    Slip("out_slope", "activation", D.WRONG_VALUE, "sigma' at the output is applied to yhat instead of z2",
         "You applied sigma' to the activation yhat (sigmoid_prime(yhat)). sigma'(z2) is taken at the "
         "pre-activation and equals yhat * (1 - yhat)."),
    Slip("hidden_slope", "activation", D.WRONG_VALUE, "sigma' at the hidden layer is applied to h instead of z1",
         "You applied sigma' to the hidden activation h (sigmoid_prime(h)). sigma'(z1) is taken at the "
         "pre-activation and equals h * (1 - h)."),
    Slip("through_w2", False, D.WRONG_VALUE, "delta1 does not pass back through w2",
         "delta1 must pass back through w2: z2 depends on h through w2, so delta1 = delta2 * w2 * sigma'(z1)."),
)

Z1_FOR_H_SLIP = Slip(
    "input_for_w2", "z1", D.WRONG_VALUE, "dL/dw2 uses z1 instead of the activation h",
    "dL/dw2 multiplies delta2 by the hidden ACTIVATION h = sigma(z1), the input of layer 2, not by z1.")


# ---------------------------------------------------------------- deep networks (notebooks 08-10)
#
# X (N, d), params [(W_l (n_{l-1}, n_l), b_l (n_l,)), ...], Z_l = H_{l-1} @ W_l + b_l,
# H_l = sigma(Z_l), F = H_L. Binary cross-entropy summed over examples and outputs:
# L = -sum [Y log F + (1 - Y) log(1 - F)], whose output delta is F - Y.

def output_delta(F, Y, *, form="f-y", mean=False):
    """dL/dZ_L at sigmoid outputs F with the summed binary cross-entropy: F - Y (any shape).

    Knob ``form``: "extra" multiplies by one sigma' too many, F (1 - F); "label0" has the
    label-0 term's sign slipped (right where Y = 1, negated where Y = 0); "label1" the
    label-1 term's (right where Y = 0); "dl_df" returns dL/dF = (F - Y) / (F (1 - F)),
    one chain factor short. ``mean=True`` divides by the number of examples."""
    F = np.asarray(F, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    delta = {
        "f-y": F - Y,
        "extra": (F - Y) * F * (1 - F),
        "label0": np.where(Y == 1, F - Y, -(F - Y)),
        "label1": np.where(Y == 0, F - Y, -(F - Y)),
        "dl_df": (F - Y) / (F * (1 - F)),
    }[form]
    return delta / F.shape[0] if mean else delta


def deep_forward(X, params):
    """[H_0 = X, H_1, ..., H_L] of a sigmoid network; each (N, n_l)."""
    H = [np.asarray(X, dtype=np.float64)]
    for W, b in params:
        H.append(sigmoid(H[-1] @ W + b))
    return H


def deep_grads(X, Y, params, *, form="f-y", hidden_slope="a", mean=False, minus_first_only=False):
    """[(dW_l, db_l), ...] shaped like params: gradients of the summed BCE of a sigmoid network.

    The delta recursion: Delta_L = F - Y; dW_l = H_{l-1}.T @ Delta_l, db_l = Delta_l summed
    over the batch; Delta_{l-1} = (Delta_l @ W_l.T) * sigma'(Z_{l-1}). ``Y`` is (N, K);
    for one output pass Y[:, None]. Knobs: ``form`` and ``mean`` as ``output_delta``;
    ``hidden_slope`` "none" or "activation" (see ``_slope``); ``minus_first_only=True``
    works with the log-likelihood (delta = Y - F, as seed 001 does) and restores the minus
    on the first layer only."""
    H = deep_forward(X, params)
    delta = output_delta(H[-1], Y, form=form, mean=mean)
    if minus_first_only:
        delta = -delta
    grads = [None] * len(params)
    for l in range(len(params), 0, -1):
        W, _ = params[l - 1]
        grads[l - 1] = (H[l - 1].T @ delta, delta.sum(axis=0))
        if l > 1:
            delta = (delta @ np.asarray(W, dtype=np.float64).T) * _slope(H[l - 1], hidden_slope)
    if minus_first_only:
        grads[0] = tuple(-g for g in grads[0])
    return grads


def params_roles(ref):
    """Roles of the leaves of a [(dW_l, db_l), ...] answer: weight, bias, weight, bias, ..."""
    return ("weight", "bias") * len(ref)


OUTPUT_DELTA_SLIPS = (
    Slip("form", "extra", D.EXTRA_ACTIVATION_DERIVATIVE, "the output delta has one sigma' factor too many",
         "Your output delta has one sigma'(z) factor too many: with the cross-entropy, dL/df = (f - y) / (f (1 - f)) "
         "and sigma'(z) = f (1 - f) cancel, so dL/dz = f - y exactly."),
    Slip("form", "label0", D.PARTIAL_SIGN, "the output delta has the wrong sign where y = 0",
         "Your output delta is right where y = 1 and has the wrong sign where y = 0: the label-0 term is "
         "-(1 - y) log(1 - f), whose derivative is +(1 - y) / (1 - f) (the chain rule on log(1 - f) brings a -1 "
         "that cancels the minus in front)."),
    Slip("form", "label1", D.PARTIAL_SIGN, "the output delta has the wrong sign where y = 1",
         "Your output delta is right where y = 0 and has the wrong sign where y = 1: the label-1 term is "
         "-y log f, whose derivative is -y / f."),
    Slip("mean", True, D.BATCH_SCALE, "it is divided by the number of examples N",
         "Your answer is 1/N of the right one: the loss is the cross-entropy SUMMED over the batch, "
         "so there is no division by N."),
)

HIDDEN_SLOPE_SLIPS = (
    Slip("hidden_slope", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma' is missing at the hidden layers",
         "A hidden layer's sigma' factor is missing: going back through layer l, "
         "Delta_{l-1} = (Delta_l @ W_l.T) * H_{l-1} * (1 - H_{l-1})."),
    Slip("hidden_slope", "activation", D.WRONG_VALUE, "sigma' at the hidden layers is applied to H instead of Z",
         "In a hidden layer you applied sigma' to the activation H (sigmoid_prime(H)); the factor is "
         "sigma'(Z) = H * (1 - H), written with the activation itself."),
)
