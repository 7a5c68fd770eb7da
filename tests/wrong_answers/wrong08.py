"""Wrong answers for notebook 08's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import forward, sig, unrolled3

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def backprop08_unrolled(X, y, params):
    return unrolled3(X, y[:, None], params)


def backprop08_bias_not_summed(X, y, params):
    H = forward(X, params)
    delta = (H[-1][:, 0] - y)[:, None]
    grads = [None] * len(params)
    for l in range(len(params), 0, -1):
        W, _ = params[l - 1]
        grads[l - 1] = (H[l - 1].T @ delta, delta.copy())
        if l > 1:
            delta = (delta @ W.T) * H[l - 1] * (1 - H[l - 1])
    return grads


def backprop08_last_layer_only(X, y, params):
    H = forward(X, params)
    delta = (H[-1][:, 0] - y)[:, None]
    grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    grads[-1] = (H[-2].T @ delta, delta.sum(axis=0))
    return grads


def backprop08_reversed_list(X, y, params):
    H = forward(X, params)
    delta = (H[-1][:, 0] - y)[:, None]
    grads = []
    for l in range(len(params), 0, -1):
        W, _ = params[l - 1]
        grads.append((H[l - 1].T @ delta, delta.sum(axis=0)))
        if l > 1:
            delta = (delta @ W.T) * H[l - 1] * (1 - H[l - 1])
    return grads  # last layer first: the order is wrong


def bce08_naive_softplus(z, y):
    return np.sum(np.log(1 + np.exp(z)) - y * z)           # exp(z) overflows for z > 709


def bce08_probabilities(z, y):
    f = sig(z)
    return -np.sum(y * np.log(f) + (1 - y) * np.log(1 - f))   # f rounds to 0 or 1: log(0)


def bce08_clipped(z, y):
    f = np.clip(sig(z), 1e-15, 1 - 1e-15)                    # finite, but wrong where |z| > 34.5
    return -np.sum(y * np.log(f) + (1 - y) * np.log(1 - f))


def bce08_per_example(z, y):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z   # not summed


def bce08_mean(z, y):
    return np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z)


def bce08_no_max(z, y):
    return np.sum(np.log1p(np.exp(-np.abs(z))) - y * z)     # softplus(z) = max(z, 0) + ...: max forgotten


def bce08_labels_swapped(z, y):
    softplus = lambda u: np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))  # noqa: E731
    return np.sum(y * softplus(z) + (1 - y) * softplus(-z))   # log sigma(z) and log(1 - sigma(z)) mixed up


WRONG = {
    "08.bce_from_logits": [("naive softplus", bce08_naive_softplus, {D.NAN}),
                           ("from probabilities", bce08_probabilities, {D.NAN}),
                           ("clipped probabilities", bce08_clipped, VALUE),
                           ("per example", bce08_per_example, {D.SHAPE}),
                           ("mean", bce08_mean, {D.BATCH_SCALE}),
                           ("max(z, 0) forgotten", bce08_no_max, VALUE),
                           ("labels swapped", bce08_labels_swapped, VALUE)],
    "08.backprop": [("three layers unrolled", backprop08_unrolled, FAILS),
                    ("bias not summed", backprop08_bias_not_summed, {D.BIAS_NOT_SUMMED}),
                    ("last layer only", backprop08_last_layer_only, VALUE),
                    ("layers in reverse order", backprop08_reversed_list, FAILS)],
}
