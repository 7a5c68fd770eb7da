"""Wrong answers for notebook 07's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def grads07_abs(X, y, W1, w2):
    Hid = sig(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = np.abs(yhat - y) * yhat * (1 - yhat)
    return X.T @ (np.outer(d2, w2) * Hid * (1 - Hid)), Hid.T @ d2


def grads07_per_example(X, y, W1, w2):
    Hid = sig(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    D1 = np.outer(d2, w2) * Hid * (1 - Hid)
    return np.einsum("ni,nj->nij", X, D1), Hid * d2[:, None]


def deltas07_delta2_per_unit(X, y, W1, w2):
    Hid = sig(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return np.outer(d2, w2) * Hid * (1 - Hid), np.outer(d2, w2)


def grads07_W1_transposed(X, y, W1, w2):
    Hid = sig(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return (X.T @ (np.outer(d2, w2) * Hid * (1 - Hid))).T, Hid.T @ d2


def tanh07_slope_of_activation(X, y, W1, w2):
    # tanh' evaluated at the activation: 1 - tanh(Hid)^2.
    Hid = np.tanh(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return X.T @ (np.outer(d2, w2) * (1 - np.tanh(Hid) ** 2)), Hid.T @ d2


def tanh07_sigmoid_slope(X, y, W1, w2):
    # The sigmoid's h (1 - h) kept from 07.grads.
    Hid = np.tanh(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return X.T @ (np.outer(d2, w2) * Hid * (1 - Hid)), Hid.T @ d2


def tanh07_tanh_output(X, y, W1, w2):
    # tanh everywhere, also at the output (whose slope is then 1 - yhat^2).
    Hid = np.tanh(X @ W1)
    yhat = np.tanh(Hid @ w2)
    d2 = (yhat - y) * (1 - yhat ** 2)
    return X.T @ (np.outer(d2, w2) * (1 - Hid ** 2)), Hid.T @ d2


def tanh07_mean(X, y, W1, w2):
    Hid = np.tanh(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat) / len(y)
    return X.T @ (np.outer(d2, w2) * (1 - Hid ** 2)), Hid.T @ d2


def tanh07_per_example(X, y, W1, w2):
    Hid = np.tanh(X @ W1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return np.einsum("ni,nj->nij", X, np.outer(d2, w2) * (1 - Hid ** 2)), Hid * d2[:, None]


def tanh07_cosh_unsquared(X, y, W1, w2):
    Z1 = X @ W1
    Hid = np.tanh(Z1)
    yhat = sig(Hid @ w2)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return X.T @ (np.outer(d2, w2) / np.cosh(Z1)), Hid.T @ d2


WRONG = {
    "07.tanh_grads": [("tanh'(Hid)", tanh07_slope_of_activation, VALUE),
                      ("Hid (1 - Hid)", tanh07_sigmoid_slope, VALUE),
                      ("tanh output", tanh07_tanh_output, VALUE),
                      ("mean loss", tanh07_mean, {D.BATCH_SCALE}),
                      ("per example", tanh07_per_example, {D.WEIGHT_NOT_SUMMED}),
                      ("1 / cosh(Z1)", tanh07_cosh_unsquared, VALUE)],
    "07.tanh_slope": [("tanh'(0.6)", 1 - np.tanh(0.6) ** 2, VALUE), ("rounded to one digit", 0.6, VALUE),
                      ("an array", np.array([0.64]), {D.SHAPE}), ("a string", "0.64", {D.WRONG_TYPE})],
    "07.grads": [("abs(yhat - y)", grads07_abs, VALUE),
                 ("per example", grads07_per_example, {D.WEIGHT_NOT_SUMMED}),
                 ("dW1 transposed", grads07_W1_transposed, {D.TRANSPOSE})],
    "07.deltas": [("delta2 per unit", deltas07_delta2_per_unit, {D.SHAPE})],
}
