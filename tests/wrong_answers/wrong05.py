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


def input_grad05_dw1(x, y, w1, w2):
    # The chain of dL/dw1 copied to the end: the last factor is still x.
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    return (yhat - y) * yhat * (1 - yhat) * w2 * h * (1 - h) * x


def input_grad05_delta1_only(x, y, w1, w2):
    # Stops at dL/dz1: a number, not one entry per input.
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    return float((yhat - y) * yhat * (1 - yhat) * w2 * h * (1 - h))


def input_grad05_skip_hidden(x, y, w1, w2):
    # Goes from delta2 straight to w1, as if x fed the output: neither w2 nor sigma'(z1).
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    return (yhat - y) * yhat * (1 - yhat) * w1


def input_grad05_flipped(x, y, w1, w2):
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    return (y - yhat) * yhat * (1 - yhat) * w2 * h * (1 - h) * w1


def input_grad05_sum_w1(x, y, w1, w2):
    # dz1/dx taken as sum(w1): every entry the same.
    h = sig(x @ w1)
    yhat = sig(w2 * h)
    return (yhat - y) * yhat * (1 - yhat) * w2 * h * (1 - h) * np.sum(w1) * np.ones_like(x)


WRONG = {
    "05.grads": [("abs(yhat - y)", grads05_abs, VALUE), ("swapped", grads05_swapped, {D.SHAPE}),
                 ("sum(x) for h", grads05_x_for_h, VALUE)],
    "05.input_grad": [("dL/dw1 returned", input_grad05_dw1, VALUE),
                      ("delta1 only", input_grad05_delta1_only, {D.SHAPE}),
                      ("hidden layer skipped", input_grad05_skip_hidden, {D.COMPOSITE}),
                      ("(y - yhat)", input_grad05_flipped, {D.SIGN}),
                      ("sum(w1) for w1", input_grad05_sum_w1, VALUE)],
    "05.saturated_factor": [("not an option", "f", VALUE), ("the letter in parentheses", "(b)", VALUE),
                            ("a number", 4, {D.WRONG_TYPE}), ("the factor written out", "h(1-h)", VALUE)],
}
