"""Deep sigmoid networks with biases and binary cross-entropy, for notebooks 08-10.

X (N, d), params [(W_l (n_{l-1}, n_l), b_l (n_l,)), l = 1..D], Z_l = H_{l-1} @ W_l + b_l,
H_l = sigma(Z_l), F = H_D (D is the depth; L is only ever the loss). Binary cross-entropy
summed over examples and outputs: L = -sum [Y log F + (1 - Y) log(1 - F)]
= sum [softplus(Z_D) - Y Z_D], whose output delta is F - Y.
"""

import numpy as np

from ...checking import diagnosis as D
from ...checking.exercise import Slip
from ...portable.functions import sigmoid
from .two_layer import slope


def softplus(u):
    """log(1 + exp(u)) without overflow: max(u, 0) + log1p(exp(-|u|)); shaped like ``u``."""
    u = np.asarray(u, dtype=np.float64)
    return np.maximum(u, 0.0) + np.log1p(np.exp(-np.abs(u)))


def bce_from_logits(z, y, *, mean=False, yz="minus", swapped=False):
    """The binary cross-entropy of sigmoid outputs, summed, from the logits: a float;
    z (N,) logits, y (N,) labels.

    L = sum_i softplus(z_i) - y_i z_i, evaluated as y softplus(-z) + (1 - y) softplus(z)
    (the same number; no cancellation when the loss is tiny). Knobs: ``mean=True`` divides
    by N; ``yz`` "plus" flips the sign of the y z term, "none" leaves it out (the loss as
    if every label were 0); ``swapped=True`` pairs y with softplus(z) and 1 - y with
    softplus(-z) (log sigma(z) and log(1 - sigma(z)) mixed up: the labels swapped)."""
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if swapped:
        y = 1 - y
    if yz == "minus":
        per_example = y * softplus(-z) + (1 - y) * softplus(z)
    else:
        per_example = softplus(z) + (y * z if yz == "plus" else 0.0)
    total = float(np.sum(per_example))
    return total / z.shape[0] if mean else total


def output_delta(F, Y, *, form="f-y", mean=False):
    """dL/dZ_D at sigmoid outputs F with the summed binary cross-entropy: F - Y (any shape).

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
    """[H_0 = X, H_1, ..., H_D] of a sigmoid network; each (N, n_l)."""
    H = [np.asarray(X, dtype=np.float64)]
    for W, b in params:
        H.append(sigmoid(H[-1] @ W + b))
    return H


def deep_grads(X, Y, params, *, form="f-y", hidden_slope="a", mean=False, minus_first_only=False):
    """[(dW_l, db_l), ...] shaped like params: gradients of the summed BCE of a sigmoid network.

    The delta recursion: Delta_D = F - Y; dW_l = H_{l-1}.T @ Delta_l, db_l = Delta_l summed
    over the batch; Delta_{l-1} = (Delta_l @ W_l.T) * sigma'(Z_{l-1}). ``Y`` is (N, K);
    for one output pass Y[:, None]. Knobs: ``form`` and ``mean`` as ``output_delta``;
    ``hidden_slope`` "none" or "activation" (see ``two_layer.slope``); ``minus_first_only=True``
    works with the log-likelihood (delta = Y - F, as seed 001 does) and restores the minus
    on the first layer only."""
    H = deep_forward(X, params)
    delta = output_delta(H[-1], Y, form=form, mean=mean)
    if minus_first_only:
        delta = -delta
    grads: list[tuple[np.ndarray, np.ndarray]] = []
    for l in range(len(params), 0, -1):
        W, _ = params[l - 1]
        grads.insert(0, (H[l - 1].T @ delta, delta.sum(axis=0)))     # layer l, in front of l + 1, ...
        if l > 1:
            delta = (delta @ np.asarray(W, dtype=np.float64).T) * slope(H[l - 1], hidden_slope)
    if minus_first_only:
        grads[0] = (-grads[0][0], -grads[0][1])
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


BCE_FROM_LOGITS_SLIPS = (
    Slip("mean", True, D.BATCH_SCALE, "it is divided by the number of examples N",
         "Your loss is 1/N of the right one: the cross-entropy here is SUMMED over the batch, not averaged."),
    Slip("yz", "plus", D.WRONG_VALUE, "the y z term has the wrong sign",
         "The y z term has the wrong sign: log sigma(z) = -softplus(-z) = z - softplus(z), so "
         "L_i = softplus(z_i) - y_i z_i, with a minus."),
    Slip("yz", "none", D.WRONG_VALUE, "the -y z term is missing",
         "The -y z term is missing: sum softplus(z) alone is the loss as if every label were 0. "
         "The label-1 term -y log sigma(z) contributes y (softplus(z) - z)."),
    Slip("swapped", True, D.WRONG_VALUE, "y and 1 - y are swapped",
         "Your loss is the right one for the swapped labels 1 - y: -log sigma(z) = softplus(-z) belongs to "
         "y = 1 and -log(1 - sigma(z)) = softplus(z) to y = 0."),
)
