"""Wrong answers for notebook 02's exercises, in learners' styles, with their true diagnoses."""


from course_utils.checking import diagnosis as D

from .common import sig

VALUE = {D.WRONG_VALUE}
FAILS = {D.WRONG_VALUE, D.SHAPE, D.EXCEPTION, D.WRONG_TYPE, D.NAN}


def grad02_abs(x, y, w):
    yhat = sig(w * x)
    return float(abs(yhat - y) * yhat * (1 - yhat) * x)


def grad02_abs_x(x, y, w):
    yhat = sig(w * x)
    return float((yhat - y) * yhat * (1 - yhat) * abs(x))


def grad02_sigma_prime_of_x(x, y, w):
    yhat = sig(w * x)
    return float((yhat - y) * sig(x) * (1 - sig(x)) * x)


def loss02_abs_error(x, y, w):
    return float(0.5 * abs(sig(w * x) - y))


def grad_x_both_factors(x, y, w):
    # Both last factors, x and w, as if z = w * x had to be differentiated by both.
    yhat = sig(w * x)
    return float((yhat - y) * yhat * (1 - yhat) * w * x)


def grad_x_target_minus(x, y, w):
    yhat = sig(w * x)
    return float((y - yhat) * yhat * (1 - yhat) * w)


def grad_x_sigma_prime_of_w(x, y, w):
    # sigma' evaluated at the weight instead of at z = w * x.
    yhat = sig(w * x)
    return float((yhat - y) * sig(w) * (1 - sig(w)) * w)


def grad_y_prediction(x, y, w):
    return float(sig(w * x) - y)


def grad_y_half(x, y, w):
    return float(0.5 * (y - sig(w * x)))


def grad_y_of_sigmoid(x, y, w):
    # As if y were fed through the sigmoid as well.
    return float(sig(y) - sig(w * x))


WRONG = {
    "02.loss": [("abs error", loss02_abs_error, VALUE)],
    "02.grad_x": [("times w and x", grad_x_both_factors, VALUE), ("y - yhat", grad_x_target_minus, {D.SIGN}),
                  ("sigma'(w)", grad_x_sigma_prime_of_w, VALUE)],
    "02.grad_y": [("yhat - y", grad_y_prediction, {D.SIGN}), ("halved", grad_y_half, VALUE),
                  ("sigmoid of y", grad_y_of_sigmoid, VALUE)],
    "02.grad_w": [("abs(yhat - y)", grad02_abs, VALUE), ("abs(x)", grad02_abs_x, VALUE),
                  ("sigma'(x)", grad02_sigma_prime_of_x, VALUE)],
}
