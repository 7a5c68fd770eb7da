"""Two layers without biases, written once for notebooks 05-07.

z1 = x @ W1, h = sigma(z1), z2 = h @ w2 (h * w2 for one hidden unit), yhat = sigma(z2),
L = 1/2 sum (yhat - y)^2. Shapes: 05 x (d,), w1 (d,), w2 a number; 06 x (d,), W1 (d, H),
w2 (H,); 07 X (N, d), W1 (d, H), w2 (H,), y (N,).
"""

import numpy as np

from ...checking import diagnosis as D
from ...checking.exercise import Slip
from ...portable.functions import sigmoid


def slope(a, how):
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
    delta2 = (yhat - y) * slope(yhat, out_slope)
    if mean and x.ndim == 2:
        delta2 = delta2 / x.shape[0]
    back = w2 if through_w2 else np.ones_like(w2)
    delta1 = (np.outer(delta2, back) if x.ndim == 2 else delta2 * back) * slope(h, hidden_slope)
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
