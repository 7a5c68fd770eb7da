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


def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jac09_naive(a_prev, W, b):
    p = _naive_softmax(a_prev @ W + b)                       # overflows when the logits are large
    return (np.diag(p) - np.outer(p, p)) @ W.T


def softmax_jac09_elementwise(a_prev, W, b):
    p = _softmax(a_prev @ W + b)
    return (p * (1 - p))[:, None] * W.T                      # as if softmax were element-wise


def softmax_jac09_transposed(a_prev, W, b):
    p = _softmax(a_prev @ W + b)
    return W @ (np.diag(p) - np.outer(p, p))                 # (m, K): the transpose


def softmax_jac09_no_linear(a_prev, W, b):
    p = _softmax(a_prev @ W + b)
    return np.diag(p) - np.outer(p, p)                       # dp/dz only: (K, K)


def softmax_jac09_sigmoid_layer(a_prev, W, b):
    s = sig(a_prev @ W + b)
    return (s * (1 - s))[:, None] * W.T                      # the sigmoid layer of exercise 1


def xent09_naive(Z, Y):
    return _naive_softmax(Z) - Y


def xent09_dl_dp(Z, Y):
    return -Y / _softmax(Z)


def xent09_y_minus_p(Z, Y):
    return Y - _softmax(Z)


def xent09_mean(Z, Y):
    return (_softmax(Z) - Y) / len(Z)


def xent09_one_hot_only(Z, Y):
    G = _softmax(Z)
    G[np.arange(len(Z)), Y.argmax(axis=1)] -= 1.0           # right for one-hot targets only
    return G


def jvp09_reverse(x, v, params):
    a = [x]
    for W, b in params:
        a.append(sig(a[-1] @ W + b))
    g = v                                                    # v used as an output covector: u @ J
    for l in range(len(params), 0, -1):
        g = (g * a[l] * (1 - a[l])) @ params[l - 1][0].T
    return g


def jvp09_no_slopes(x, v, params):
    t = v
    for W, _ in params:
        t = t @ W
    return t


def jvp09_output(x, v, params):
    a = x
    for W, b in params:
        a = sig(a @ W + b)
    return a                                                 # the forward pass alone


def jvp09_full_jacobian(x, v, params):
    a, J = x, np.eye(len(x))
    for W, b in params:
        a = sig(a @ W + b)
        J = (a * (1 - a))[:, None] * W.T @ J
    return J                                                 # the Jacobian, not J v


WRONG = {
    "09.softmax_jacobian": [("naive softmax", softmax_jac09_naive, {D.NAN}),
                            ("element-wise softmax", softmax_jac09_elementwise, VALUE),
                            ("transposed", softmax_jac09_transposed, {D.TRANSPOSE}),
                            ("dp/dz only", softmax_jac09_no_linear, FAILS),
                            ("sigmoid layer", softmax_jac09_sigmoid_layer, VALUE)],
    "09.softmax_xent_grad": [("naive softmax", xent09_naive, {D.NAN}),
                             ("dL/dp", xent09_dl_dp, VALUE),
                             ("y - p", xent09_y_minus_p, {D.SIGN}),
                             ("mean", xent09_mean, {D.BATCH_SCALE}),
                             ("one-hot shortcut", xent09_one_hot_only, VALUE)],
    "09.network_jvp": [("reverse mode", jvp09_reverse, FAILS),
                       ("no sigma'", jvp09_no_slopes, {D.MISSING_ACTIVATION_DERIVATIVE}),
                       ("forward pass only", jvp09_output, VALUE),
                       ("the whole Jacobian", jvp09_full_jacobian, FAILS)],
    "09.input_grad": [("three layers unrolled", input_grad09_unrolled, FAILS),
                      ("every sigma' missing", input_grad09_no_slopes, {D.MISSING_ACTIVATION_DERIVATIVE}),
                      ("diag", input_grad09_diag, {D.DIAGONAL_JACOBIAN}),
                      ("dC/dW_1 instead", input_grad09_weight_grad, {D.SHAPE})],
    "09.layer_jacobian": [("transposed", layer_jac09_transposed, {D.TRANSPOSE}),
                          ("diag(sigma') only", layer_jac09_diag_only, FAILS)],
}
