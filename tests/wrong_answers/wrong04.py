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


def _delta04b(X, y, w, b):
    yhat = sig(X @ w + b)
    return (yhat - y) * yhat * (1 - yhat)


def wb04_bias_per_example(X, y, w, b):
    delta = _delta04b(X, y, w, b)
    return X.T @ delta, delta


def wb04_bias_mean(X, y, w, b):
    delta = _delta04b(X, y, w, b)
    return X.T @ delta, float(np.mean(delta))


def wb04_weight_per_example(X, y, w, b):
    delta = _delta04b(X, y, w, b)
    return delta[:, None] * X, float(delta.sum())


def wb04_no_bias(X, y, w, b):
    delta = _delta04(X, y, w)
    return X.T @ delta, float(delta.sum())


def gX_outer_reversed(X, y, w):
    return np.outer(w, _delta04(X, y, w))


def gX_weight_gradient(X, y, w):
    return X.T @ _delta04(X, y, w)


def gX_summed(X, y, w):
    return np.outer(_delta04(X, y, w), w).sum(axis=0)


def gX_flat_product(X, y, w):
    # (N,) * (d,): broadcasting fails unless N == d, and then it is not the outer product.
    return _delta04(X, y, w) * w


def gX_times_inputs(X, y, w):
    return _delta04(X, y, w)[:, None] * X


WRONG = {
    "04.loss": [("first and last", loss04_first_and_last, VALUE)],
    "04.grad_w": [("abs(yhat - y)", grad04_abs, VALUE), ("per example", grad04_per_example, {D.WEIGHT_NOT_SUMMED}),
                  ("per example, transposed", grad04_per_example_T, {D.SHAPE}),
                  ("mean of rows", grad04_mean_of_rows, {D.BATCH_SCALE}), ("delta squared", grad04_square_sum, VALUE)],
    "04.grad_wb": [("bias per example", wb04_bias_per_example, {D.BIAS_NOT_SUMMED}),
                   ("bias averaged", wb04_bias_mean, {D.BATCH_SCALE}),
                   ("weight per example", wb04_weight_per_example, {D.WEIGHT_NOT_SUMMED}),
                   ("bias left out of z", wb04_no_bias, VALUE)],
    "04.grad_X": [("outer(w, delta)", gX_outer_reversed, {D.TRANSPOSE}), ("X.T @ delta", gX_weight_gradient, {D.SHAPE}),
                  ("summed over the batch", gX_summed, {D.SHAPE}), ("delta * w", gX_flat_product, {D.EXCEPTION}),
                  ("delta times X", gX_times_inputs, VALUE)],
    "04.grad_w_loop": [("abs(yhat - y)", grad04_abs, VALUE),
                       ("per example", grad04_per_example, {D.WEIGHT_NOT_SUMMED})],
}
