"""Wrong answers for notebook 09's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def input_grad09_unrolled(x, y, params):
    (W1, b1), (W2, b2), (W3, b3) = params
    a1 = sig(x @ W1 + b1)
    a2 = sig(a1 @ W2 + b2)
    a3 = sig(a2 @ W3 + b3)
    d3 = (a3 - y) * a3 * (1 - a3)
    d2 = (d3 @ W3.T) * a2 * (1 - a2)
    d1 = (d2 @ W2.T) * a1 * (1 - a1)
    return d1 @ W1.T


def input_grad09_no_slopes(x, y, params):
    a = [x]
    for W, b in params:
        a.append(sig(a[-1] @ W + b))
    g = a[-1] - y
    for W, _ in reversed(params):
        g = g @ W.T
    return g


def input_grad09_diag(x, y, params):
    a = [x]
    for W, b in params:
        a.append(sig(a[-1] @ W + b))
    delta = (a[-1] - y) * a[-1] * (1 - a[-1])
    for l in range(len(params), 0, -1):
        g = delta @ params[l - 1][0].T
        if l > 1:
            delta = g * a[l - 1] * (1 - a[l - 1])
    return np.diag(g)


def input_grad09_weight_grad(x, y, params):
    a = [x]
    for W, b in params:
        a.append(sig(a[-1] @ W + b))
    delta = (a[-1] - y) * a[-1] * (1 - a[-1])
    for l in range(len(params), 1, -1):
        delta = (delta @ params[l - 1][0].T) * a[l - 1] * (1 - a[l - 1])
    return np.outer(x, delta)  # dC/dW_1, not dC/dx


def layer_jac09_transposed(a_prev, W, b):
    s = sig(a_prev @ W + b)
    return W * (s * (1 - s))[None, :]  # the transpose of diag(sigma'(z)) @ W.T


def layer_jac09_diag_only(a_prev, W, b):
    s = sig(a_prev @ W + b)
    return np.diag(s * (1 - s))


WRONG = {
    "09.input_grad": [("three layers unrolled", input_grad09_unrolled, FAILS),
                      ("every sigma' missing", input_grad09_no_slopes, {D.MISSING_ACTIVATION_DERIVATIVE}),
                      ("diag", input_grad09_diag, {D.DIAGONAL_JACOBIAN}),
                      ("dC/dW_1 instead", input_grad09_weight_grad, {D.SHAPE})],
    "09.layer_jacobian": [("transposed", layer_jac09_transposed, {D.TRANSPOSE}),
                          ("diag(sigma') only", layer_jac09_diag_only, FAILS)],
}
