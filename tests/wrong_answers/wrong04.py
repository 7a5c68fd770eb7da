"""Wrong answers for notebook 04's exercises, in learners' styles, with their true diagnoses."""

import numpy as np

from course_utils.checking import diagnosis as D

from .common import sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def _delta04(X, y, w):
    yhat = sig(X @ w)
    return (yhat - y) * yhat * (1 - yhat)


def grad04_abs(X, y, w):
    yhat = sig(X @ w)
    return X.T @ (np.abs(yhat - y) * yhat * (1 - yhat))


def grad04_per_example(X, y, w):
    return _delta04(X, y, w)[:, None] * X


def grad04_mean_of_rows(X, y, w):
    return np.mean(_delta04(X, y, w)[:, None] * X, axis=0)


def grad04_square_sum(X, y, w):
    return X.T @ _delta04(X, y, w) ** 2


def loss04_first_and_last(X, y, w):
    yhat = sig(X @ w)
    return float(0.5 * ((yhat[0] - y[0]) ** 2 + (yhat[-1] - y[-1]) ** 2))


def grad04_per_example_T(X, y, w):
    return (_delta04(X, y, w)[:, None] * X).T


WRONG = {
    "04.loss": [("first and last", loss04_first_and_last, VALUE)],
    "04.grad_w": [("abs(yhat - y)", grad04_abs, VALUE), ("per example", grad04_per_example, {D.WEIGHT_NOT_SUMMED}),
                  ("per example, transposed", grad04_per_example_T, {D.SHAPE}),
                  ("mean of rows", grad04_mean_of_rows, {D.BATCH_SCALE}), ("delta squared", grad04_square_sum, VALUE)],
    "04.grad_w_loop": [("abs(yhat - y)", grad04_abs, VALUE),
                       ("per example", grad04_per_example, {D.WEIGHT_NOT_SUMMED})],
}
