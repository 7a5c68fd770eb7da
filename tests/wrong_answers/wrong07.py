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


WRONG = {
    "07.grads": [("abs(yhat - y)", grads07_abs, VALUE),
                 ("per example", grads07_per_example, {D.WEIGHT_NOT_SUMMED}),
                 ("dW1 transposed", grads07_W1_transposed, {D.TRANSPOSE})],
    "07.deltas": [("delta2 per unit", deltas07_delta2_per_unit, {D.SHAPE})],
}
