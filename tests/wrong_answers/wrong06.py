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


WRONG = {
    "06.grads": [("abs(yhat - y)", grads06_abs, VALUE), ("outer(delta1, x)", grads06_outer_swapped, {D.TRANSPOSE}),
                 ("elementwise", grads06_elementwise, {D.SHAPE})],
}
