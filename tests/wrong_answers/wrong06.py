"""Wrong answers for notebook 06's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def grads06_abs(x, y, W1, w2):
    h = sig(x @ W1)
    yhat = sig(h @ w2)
    d2 = abs(yhat - y) * yhat * (1 - yhat)
    return np.outer(x, d2 * w2 * h * (1 - h)), d2 * h


def grads06_outer_swapped(x, y, W1, w2):
    h = sig(x @ W1)
    yhat = sig(h @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return np.outer(d2 * w2 * h * (1 - h), x), d2 * h


def grads06_elementwise(x, y, W1, w2):
    h = sig(x @ W1)
    yhat = sig(h @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    delta1 = d2 * w2 * h * (1 - h)
    return x[:, None] * delta1.sum(), d2 * h


def mixed06_all_sigmoid(x, y, W1, w2):
    # Notebook 06's all-sigmoid network, as if both units were the same.
    h = sig(x @ W1)
    yhat = sig(h @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return np.outer(x, d2 * w2 * h * (1 - h)), d2 * h


def mixed06_sigmoid_slope_copied(x, y, W1, w2):
    # The forward pass is right; the backward pass copies h * (1 - h) for both units.
    z1 = x @ W1
    h = np.array([sig(z1[0]), z1[1]])
    yhat = sig(h @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return np.outer(x, d2 * w2 * h * (1 - h)), d2 * h


def mixed06_linear_slope_is_z(x, y, W1, w2):
    # The linear unit's slope taken as z1[1] (the derivative of z^2 / 2, not of z).
    z1 = x @ W1
    h = np.array([sig(z1[0]), z1[1]])
    yhat = sig(h @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return np.outer(x, d2 * w2 * np.array([h[0] * (1 - h[0]), z1[1]])), d2 * h


def mixed06_linear_unit_ignored(x, y, W1, w2):
    # Only the sigmoid unit gets a gradient: column 1 of dW1 and dw2[1] left at 0.
    z1 = x @ W1
    h = np.array([sig(z1[0]), z1[1]])
    yhat = sig(h @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    dW1 = np.zeros_like(W1)
    dW1[:, 0] = x * d2 * w2[0] * h[0] * (1 - h[0])
    return dW1, np.array([d2 * h[0], 0.0])


def mixed06_outer_swapped(x, y, W1, w2):
    z1 = x @ W1
    h = np.array([sig(z1[0]), z1[1]])
    yhat = sig(h @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return np.outer(d2 * w2 * np.array([h[0] * (1 - h[0]), 1.0]), x), d2 * h


WRONG = {
    "06.mixed_grads": [("all sigmoid", mixed06_all_sigmoid, VALUE),
                       ("h(1-h) for both units", mixed06_sigmoid_slope_copied, VALUE),
                       ("linear slope z", mixed06_linear_slope_is_z, VALUE),
                       ("linear unit ignored", mixed06_linear_unit_ignored, VALUE),
                       ("outer(delta1, x)", mixed06_outer_swapped, {D.TRANSPOSE})],
    "06.zero_init": [("not an option", "e", VALUE), ("upper case word", "only w2", VALUE),
                     ("a list", ["b"], {D.WRONG_TYPE})],
    "06.grads": [("abs(yhat - y)", grads06_abs, VALUE), ("outer(delta1, x)", grads06_outer_swapped, {D.TRANSPOSE}),
                 ("elementwise", grads06_elementwise, {D.SHAPE})],
}
