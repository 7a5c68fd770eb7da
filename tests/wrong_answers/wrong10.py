"""Wrong answers for notebook 10's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import forward, sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def _unrolled3(X, Y, params):
    """Three layers written out by hand: right at depth 3 only."""
    (W1, b1), (W2, b2), (W3, b3) = params
    H1 = sig(X @ W1 + b1)
    H2 = sig(H1 @ W2 + b2)
    F = sig(H2 @ W3 + b3)
    D3 = F - Y
    D2 = (D3 @ W3.T) * H2 * (1 - H2)
    D1 = (D2 @ W2.T) * H1 * (1 - H1)
    return [(X.T @ D1, D1.sum(0)), (H1.T @ D2, D2.sum(0)), (H2.T @ D3, D3.sum(0))]


def backprop10_unrolled(X, Y, params):
    return _unrolled3(X, Y, params)


def backprop10_softmax_delta(X, Y, params):
    H = forward(X, params)
    F = H[-1]
    P = np.exp(F) / np.exp(F).sum(axis=1, keepdims=True)
    delta = P - Y
    grads = []
    for l in range(len(params) - 1, -1, -1):
        W, _ = params[l]
        grads.append((H[l].T @ delta, delta.sum(axis=0)))
        if l > 0:
            delta = (delta @ W.T) * H[l] * (1 - H[l])
    return grads[::-1]


def predict10_last_layer_only(X, params):
    W, b = params[-1]
    return np.argmax(sig(X @ W + b), axis=1)


def predict10_first_layer_only(X, params):
    W, b = params[0]
    return np.argmax(sig(X @ W + b), axis=1)


def predict10_reversed(X, params):
    H = np.asarray(X, dtype=float)
    for W, b in reversed(params):
        H = sig(H @ W + b)
    return np.argmax(H, axis=1)


def predict10_no_bias(X, params):
    H = np.asarray(X, dtype=float)
    for W, _ in params:
        H = sig(H @ W)
    return np.argmax(H, axis=1)


def predict10_axis0(X, params):
    return np.argmax(forward(X, params)[-1], axis=0)


def predict10_rounded_outputs(X, params):
    return np.round(forward(X, params)[-1][:, 0])


WRONG = {
    "10.backprop_multi": [("three layers unrolled", backprop10_unrolled, FAILS),
                          ("softmax delta", backprop10_softmax_delta, VALUE)],
    "10.predict": [("last layer only", predict10_last_layer_only, FAILS),
                   ("first layer only", predict10_first_layer_only, FAILS),
                   ("layers in reverse", predict10_reversed, FAILS), ("no biases", predict10_no_bias, VALUE),
                   ("axis 0", predict10_axis0, {D.SHAPE}), ("first output rounded", predict10_rounded_outputs, VALUE)],
}
