"""Wrong answers for notebook 11's exercises (the errata fixed), in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def column_delta_as_written(delta_next, W_next, h):
    # Seed 001's formula typed literally: delta W^T h * (1 - h), with delta a column.
    return (delta_next.T @ W_next.T) * h * (1 - h)


def column_delta_row(delta_next, W_next, h):
    return (delta_next.T @ W_next.T) * (h * (1 - h)).T


def column_delta_transposed_W(delta_next, W_next, h):
    return (W_next.T @ delta_next) * h * (1 - h)


def column_delta_sigmoid_of_h(delta_next, W_next, h):
    return (W_next @ delta_next) * sig(h) * (1 - sig(h))


def column_delta_flattened(delta_next, W_next, h):
    return ((W_next @ delta_next) * h * (1 - h)).ravel()


def _forward002(x, Ws, bs):
    a = [np.asarray(x, dtype=float)]
    for W, b in zip(Ws, bs, strict=False):
        a.append(sig(W @ a[-1] + b))
    return a


def activation_grad_delta(x, y, Ws, bs, l):
    # Seed 002 read literally: delta^l (with sigma'(z^l)) "is" the gradient at layer l.
    a = _forward002(x, Ws, bs)
    delta = (a[-1] - y) * a[-1] * (1 - a[-1])
    for k in range(len(Ws) - 1, l - 1, -1):
        if k == 0:
            return Ws[0].T @ delta
        delta = (Ws[k].T @ delta) * a[k] * (1 - a[k])
    return delta


def activation_grad_our_convention(x, y, Ws, bs, l):
    # W used as if it were ours (z = a @ W): the shapes only fit when the layers are square.
    a = [np.asarray(x, dtype=float)]
    for W, b in zip(Ws, bs, strict=False):
        a.append(sig(a[-1] @ W + b))
    g = a[-1] - y
    for k in range(len(Ws), l, -1):
        g = (g * a[k] * (1 - a[k])) @ Ws[k - 1].T
    return g


def activation_grad_one_layer_too_far(x, y, Ws, bs, l):
    a = _forward002(x, Ws, bs)
    g = a[-1] - y
    for k in range(len(Ws), max(l - 1, 0), -1):
        g = Ws[k - 1].T @ (g * a[k] * (1 - a[k]))
    return g


def activation_grad_no_output_slope(x, y, Ws, bs, l):
    a = _forward002(x, Ws, bs)
    g = a[-1] - y
    for k in range(len(Ws), l, -1):
        delta = g if k == len(Ws) else g * a[k] * (1 - a[k])
        g = Ws[k - 1].T @ delta
    return g


WRONG = {
    "11.column_delta": [("seed 001 as written", column_delta_as_written, FAILS),
                        ("row form", column_delta_row, {D.TRANSPOSE}),
                        ("W transposed", column_delta_transposed_W, FAILS),
                        ("sigma' of h", column_delta_sigmoid_of_h, VALUE),
                        ("flattened", column_delta_flattened, {D.SHAPE})],
    "11.activation_grad": [("delta^l returned", activation_grad_delta, {D.EXTRA_ACTIVATION_DERIVATIVE}),
                           ("our convention's W", activation_grad_our_convention, FAILS),
                           ("one layer too far", activation_grad_one_layer_too_far, FAILS),
                           ("no output slope", activation_grad_no_output_slope, {D.MISSING_ACTIVATION_DERIVATIVE})],
}
