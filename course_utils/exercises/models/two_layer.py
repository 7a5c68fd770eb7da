"""Two layers without biases, written once for notebooks 05-07.

z1 = x @ W1, h = f(z1), z2 = h @ w2 (h * w2 for one hidden unit), yhat = sigma(z2),
L = 1/2 sum (yhat - y)^2. Shapes: 05 x (d,), w1 (d,), w2 a number; 06 x (d,), W1 (d, H),
w2 (H,); 07 X (N, d), W1 (d, H), w2 (H,), y (N,).

The hidden activation f is a model choice (``hidden``), not a knob: "sigmoid" (the
course's network), "tanh" (07's transfer exercise), or "sigmoid_linear" (06's unequal
hidden units: every unit a sigmoid except the last, which is linear, f(z) = z).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ...checking import diagnosis as D
from ...checking.exercise import Slip
from ...portable.functions import sigmoid

Hidden = Literal["sigmoid", "tanh", "sigmoid_linear"]


def slope(a, how):
    """sigma'(z) from the activation a = sigma(z): a (1 - a); the slips "none" (left out)
    and "activation" (sigma' applied to a instead of z: sigma(a) (1 - sigma(a)))."""
    if how == "none":
        return np.ones_like(np.asarray(a, dtype=np.float64))
    if how == "activation":
        s = sigmoid(a)
        return s * (1 - s)
    return a * (1 - a)


def hidden_activation(z1: Any, hidden: Hidden = "sigmoid") -> np.ndarray:
    """h = f(z1) for the hidden layer ``hidden`` (see the module docstring), shaped like z1."""
    z1 = np.asarray(z1, dtype=np.float64)
    if hidden == "tanh":
        return np.tanh(z1)
    h = sigmoid(z1)
    if hidden == "sigmoid_linear":
        h = np.array(h, dtype=np.float64)
        h[..., -1] = z1[..., -1]
    return np.asarray(h, dtype=np.float64)


def activation_slope(h: Any, hidden: Hidden = "sigmoid", how: str = "a") -> np.ndarray:
    """f'(z1) computed from the hidden activation h = f(z1), shaped like h.

    Right (``how="a"``): sigmoid h (1 - h), tanh 1 - h^2, linear 1. The slips: "none"
    (left out: 1 everywhere), "activation" (f' applied to h instead of z1),
    "sigmoid_form" (h (1 - h) for every unit, whatever its activation),
    "tanh_unsquared" (1 - h for a tanh unit), "sech" (sqrt(1 - h^2) = 1 / cosh(z1),
    the square left out)."""
    h = np.asarray(h, dtype=np.float64)
    if how == "none":
        return np.ones_like(h)
    if how == "sigmoid_form":
        return h * (1 - h)
    if hidden == "tanh":
        if how == "activation":
            return 1 - np.tanh(h) ** 2
        if how == "tanh_unsquared":
            return 1 - h
        if how == "sech":
            return np.sqrt(1 - h ** 2)
        return 1 - h ** 2
    out = slope(h, "activation" if how == "activation" else "a")
    if hidden == "sigmoid_linear":
        out = np.array(out, dtype=np.float64)
        out[..., -1] = 1.0
    return np.asarray(out, dtype=np.float64)


def two_layer_deltas(x, y, W1, w2, *, out_slope="a", hidden_slope="a", through_w2=True, mean=False,
                     hidden: Hidden = "sigmoid", forward_as: Hidden | None = None):
    """(delta1, delta2): dL/dz1 (shaped like z1) and dL/dz2 (shaped like z2) of the two-layer
    network above. Knobs: ``out_slope`` "none" or "activation" (see ``slope``);
    ``hidden_slope`` one of ``activation_slope``'s slips; ``through_w2=False`` leaves the
    factor w2 out of delta1; ``mean=True`` divides by the batch size; ``forward_as`` the
    activation a learner's code uses instead of ``hidden`` (e.g. "sigmoid" in a tanh net:
    the all-sigmoid network's answer)."""
    x = np.asarray(x, dtype=np.float64)
    W1 = np.asarray(W1, dtype=np.float64)
    w2 = np.asarray(w2, dtype=np.float64)
    kind: Hidden = forward_as or hidden
    h = hidden_activation(x @ W1, kind)
    z2 = h * w2 if w2.ndim == 0 else h @ w2
    yhat = sigmoid(z2)
    delta2 = (yhat - y) * slope(yhat, out_slope)
    if mean and x.ndim == 2:
        delta2 = delta2 / x.shape[0]
    back = w2 if through_w2 else np.ones_like(w2)
    from_above = np.outer(delta2, back) if x.ndim == 2 else delta2 * back
    delta1 = from_above * activation_slope(h, kind, hidden_slope)
    return delta1, delta2


def two_layer_grads(x, y, W1, w2, *, input_for_w2="h", sum_first=False, **delta_knobs):
    """(dW1, dw2) of the two-layer network above: dW1 shaped like W1, dw2 like w2.

    dw2 = (input of layer 2) * delta2 summed over the batch; dW1 = (input of layer 1) *
    delta1. Knobs: ``input_for_w2="z1"`` uses the pre-activation instead of h;
    ``sum_first=True`` (a batch) multiplies the sums over the batch instead of summing
    the products; the others (and ``hidden``) as ``two_layer_deltas``."""
    x = np.asarray(x, dtype=np.float64)
    W1 = np.asarray(W1, dtype=np.float64)
    delta1, delta2 = two_layer_deltas(x, y, W1, w2, **delta_knobs)
    z1 = x @ W1
    kind = delta_knobs.get("forward_as") or delta_knobs.get("hidden", "sigmoid")
    into2 = z1 if input_for_w2 == "z1" else hidden_activation(z1, kind)
    if x.ndim == 2:  # a batch: rows are examples
        if sum_first:
            return np.outer(x.sum(axis=0), delta1.sum(axis=0)), into2.sum(axis=0) * delta2.sum()
        return x.T @ delta1, into2.T @ delta2
    dW1 = np.outer(x, delta1) if np.ndim(delta1) else delta1 * x
    dw2 = delta2 * into2
    return dW1, (float(dw2) if np.ndim(dw2) == 0 else dw2)


def two_layer_input_grad(x, y, W1, w2, *, input_factor="W1", **delta_knobs):
    """dL/dx of the two-layer network above, shaped like x: (d,) for one example
    (``W1 @ delta1``; ``delta1 * w1`` for one hidden unit), (N, d) for a batch
    (``Delta1 @ W1.T``). Knob: ``input_factor="x"`` multiplies delta1 by the input x
    instead of the weights (that is dL/dw1, the derivative of z1 = x @ w1 in w1);
    the others as ``two_layer_deltas``."""
    x = np.asarray(x, dtype=np.float64)
    W1 = np.asarray(W1, dtype=np.float64)
    delta1, _ = two_layer_deltas(x, y, W1, w2, **delta_knobs)
    if input_factor == "x":
        if np.ndim(delta1) != 0:
            raise ValueError("the slip input_factor='x' is defined for one hidden unit and one example")
        return delta1 * x
    if x.ndim == 2:
        return delta1 @ W1.T
    return W1 @ delta1 if np.ndim(delta1) else delta1 * W1


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

Z1_FOR_TANH_SLIP = Slip(
    "input_for_w2", "z1", D.WRONG_VALUE, "dL/dw2 uses Z1 instead of the activations Hid",
    "dL/dw2 multiplies delta2 by the hidden ACTIVATIONS Hid = tanh(Z1), the input of layer 2, not by Z1: "
    "dw2 = Hid.T @ delta2.")

X_FOR_W1_SLIP = Slip(
    "input_factor", "x", D.WRONG_VALUE, "delta1 is multiplied by x instead of w1",
    "You multiplied delta1 by x: that is dL/dw1. Here we differentiate z1 = x @ w1 in x, and "
    "dz1/dx_j = w1_j, so dL/dx = delta1 * w1 (the weight and the input swap roles).")

MIXED_SLIPS = (
    Slip("hidden_slope", "sigmoid_form", D.WRONG_VALUE, "the linear unit is given the sigmoid's slope h (1 - h)",
         "You used h * (1 - h) for both hidden units. That is the slope of a sigmoid, from its output; unit 1 is "
         "linear, h[1] = z1[1], and its slope is dh[1]/dz1[1] = 1. Each unit passes the gradient back with its "
         "OWN derivative: delta1 = (delta2 * w2) * [h[0] (1 - h[0]), 1]."),
    Slip("hidden_slope", "none", D.MISSING_ACTIVATION_DERIVATIVE, "sigma'(z1[0]) of the sigmoid unit is missing",
         "The sigmoid unit's slope h[0] * (1 - h[0]) is missing: unit 1 is linear (slope 1), but unit 0 is still a "
         "sigmoid, and its delta1[0] = delta2 * w2[0] * h[0] * (1 - h[0])."),
    Slip("forward_as", "sigmoid", D.WRONG_VALUE, "unit 1 is treated as a sigmoid (06.grads' network)",
         "Your numbers are those of notebook 06's all-sigmoid network. Here hidden unit 1 has no sigmoid: "
         "h = [sigmoid(z1[0]), z1[1]], both in the forward pass and in its slope (1 for the linear unit)."),
)

TANH_SLIPS = (
    Slip("hidden_slope", "sigmoid_form", D.WRONG_VALUE, "tanh' is written as the sigmoid's Hid (1 - Hid)",
         "You used Hid * (1 - Hid): that is the SIGMOID's derivative written with its output. For "
         "Hid = tanh(Z1) the slope is tanh'(Z1) = 1 - tanh(Z1)^2 = 1 - Hid**2."),
    Slip("hidden_slope", "tanh_unsquared", D.WRONG_VALUE, "tanh' is written as 1 - Hid (the square left out)",
         "You used 1 - Hid: tanh'(z) = 1 - tanh(z)^2, so the slope is 1 - Hid**2 (squared)."),
    Slip("hidden_slope", "sech", D.WRONG_VALUE, "tanh' is written as 1 / cosh(Z1) (sech, not sech squared)",
         "You used 1 / cosh(Z1) = sqrt(1 - Hid**2): tanh'(z) = 1 / cosh(z)^2, the square of that."),
    Slip("hidden_slope", "activation", D.WRONG_VALUE, "tanh' is applied to Hid instead of Z1",
         "You applied tanh' to the activation Hid: 1 - tanh(Hid)^2. The slope is taken at the pre-activation, "
         "tanh'(Z1) = 1 - tanh(Z1)^2 = 1 - Hid**2."),
    Slip("hidden_slope", "none", D.MISSING_ACTIVATION_DERIVATIVE, "tanh'(Z1) is missing at the hidden layer",
         "The hidden layer's slope tanh'(Z1) = 1 - Hid**2 is missing: on its way back the gradient passes "
         "through the tanh units, Delta1 = outer(delta2, w2) * (1 - Hid**2)."),
    Slip("forward_as", "sigmoid", D.WRONG_VALUE, "the hidden layer is a sigmoid (07.grads' network), not tanh",
         "Your numbers are those of the sigmoid network of 07.grads. Here Hid = tanh(X @ W1), in the forward pass "
         "and in the slope 1 - Hid**2."),
)
