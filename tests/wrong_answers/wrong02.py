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


WRONG = {
    "02.loss": [("abs error", loss02_abs_error, VALUE)],
    "02.grad_w": [("abs(yhat - y)", grad02_abs, VALUE), ("abs(x)", grad02_abs_x, VALUE),
                  ("sigma'(x)", grad02_sigma_prime_of_x, VALUE)],
}
