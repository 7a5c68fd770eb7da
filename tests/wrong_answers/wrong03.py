"""Wrong answers for notebook 03's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def grad03_abs(x, y, w):
    yhat = sig(x @ w)
    return abs(yhat - y) * yhat * (1 - yhat) * x


def grad03_diag(x, y, w):
    yhat = sig(x @ w)
    return np.diag((yhat - y) * yhat * (1 - yhat) * x)


def grad03_column(x, y, w):
    yhat = sig(x @ w)
    return ((yhat - y) * yhat * (1 - yhat) * x)[:, None]


def grad03_sum(x, y, w):
    yhat = sig(x @ w)
    return float(np.sum((yhat - y) * yhat * (1 - yhat) * x))


def step03_inplace(x, y, w, lr):
    yhat = sig(x @ w)
    w -= lr * (yhat - y) * yhat * (1 - yhat) * x
    return w


def step03_abs(x, y, w, lr):
    yhat = sig(x @ w)
    return w - lr * abs(yhat - y) * yhat * (1 - yhat) * x


WRONG = {
    "03.grad_w": [("abs(yhat - y)", grad03_abs, VALUE), ("diag", grad03_diag, {D.DIAGONAL_JACOBIAN}),
                  ("column", grad03_column, {D.SHAPE}), ("summed", grad03_sum, {D.SHAPE})],
    "03.gd_step": [("in place", step03_inplace, {D.MUTATES_INPUT}), ("abs(yhat - y)", step03_abs, VALUE)],
}
