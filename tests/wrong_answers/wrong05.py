"""Wrong answers for notebook 05's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def grads05_abs(x, y, w1, w2):
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    d2 = abs(yhat - y) * yhat * (1 - yhat)
    return d2 * w2 * h * (1 - h) * x, float(d2 * h)


def grads05_swapped(x, y, w1, w2):
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return float(d2 * h), d2 * w2 * h * (1 - h) * x


def grads05_x_for_h(x, y, w1, w2):
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    d2 = (yhat - y) * yhat * (1 - yhat)
    return d2 * w2 * h * (1 - h) * x, float(d2 * np.sum(x))


WRONG = {
    "05.grads": [("abs(yhat - y)", grads05_abs, VALUE), ("swapped", grads05_swapped, {D.SHAPE}),
                 ("sum(x) for h", grads05_x_for_h, VALUE)],
}
