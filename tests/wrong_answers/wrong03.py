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


def _delta03(x, y, w, b=0.0):
    yhat = sig(x @ w + b)
    return (yhat - y) * yhat * (1 - yhat)


def grad_wb_bias_like_weight(x, y, w, b):
    delta = _delta03(x, y, w, b)
    return delta * x, delta * x


def grad_wb_only_dw(x, y, w, b):
    return _delta03(x, y, w, b) * x


def grad_wb_swapped(x, y, w, b):
    delta = _delta03(x, y, w, b)
    return float(delta), delta * x


def grad_wb_bias_times_sum(x, y, w, b):
    delta = _delta03(x, y, w, b)
    return delta * x, float(delta * x.sum())


def grad_wb_bias_sign(x, y, w, b):
    delta = _delta03(x, y, w, b)
    return delta * x, -float(delta)


def metric_abs_error(x, y, w, M):
    # The right solve, but |yhat - y| for the error (sign lost on half the draws).
    yhat = sig(x @ w)
    return np.linalg.solve(M.T, abs(yhat - y) * yhat * (1 - yhat) * x)


def metric_row_times(x, y, w, M):
    # (grad as a row) @ M: the metric applied from the other side.
    return (_delta03(x, y, w) * x) @ M


def metric_elementwise(x, y, w, M):
    # M's rows summed: as if the inner product weighed each coordinate by its row sum.
    return _delta03(x, y, w) * x / M.sum(axis=1)


def metric_matrix(x, y, w, M):
    # The whole inverse metric scaled by the gradient, a matrix.
    return np.linalg.inv(M) * (_delta03(x, y, w) * x)


WRONG = {
    "03.grad_w": [("abs(yhat - y)", grad03_abs, VALUE), ("diag", grad03_diag, {D.DIAGONAL_JACOBIAN}),
                  ("column", grad03_column, {D.SHAPE}), ("summed", grad03_sum, {D.SHAPE})],
    "03.grad_wb": [("bias like a weight", grad_wb_bias_like_weight, {D.SHAPE}),
                   ("dw only", grad_wb_only_dw, {D.WRONG_TYPE}), ("swapped", grad_wb_swapped, {D.SHAPE}),
                   ("delta * sum(x)", grad_wb_bias_times_sum, VALUE), ("bias negated", grad_wb_bias_sign, VALUE)],
    "03.grad_metric": [("abs(yhat - y)", metric_abs_error, VALUE),
                       ("grad @ M", metric_row_times, VALUE), ("divided by row sums", metric_elementwise, VALUE),
                       ("inv(M) * grad", metric_matrix, {D.SHAPE})],
    "03.gd_step": [("in place", step03_inplace, {D.MUTATES_INPUT}), ("abs(yhat - y)", step03_abs, VALUE)],
}
