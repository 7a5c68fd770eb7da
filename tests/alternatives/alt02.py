"""Other correct ways to write notebook 02's exercises (one scalar weight, one example)."""

import math


def loss_math(x, y, w):
    # Plain Python floats and the math module.
    yhat = 1.0 / (1.0 + math.exp(-w * x))
    return 0.5 * (yhat - y) ** 2


def loss_tanh(x, y, w):
    # sigma(z) = (1 + tanh(z / 2)) / 2; the square written out as a product.
    yhat = 0.5 * (1.0 + math.tanh(0.5 * w * x))
    e = yhat - y
    return e * e / 2


def grad_w_math(x, y, w):
    # The same chain, with sigma'(z) from the exponential directly: e^{-z} / (1 + e^{-z})^2.
    z = w * x
    e = math.exp(-z)
    yhat = 1.0 / (1.0 + e)
    return (yhat - y) * (e / (1.0 + e) ** 2) * x


def grad_w_expanded(x, y, w):
    # Multiply out: (yhat - y) yhat (1 - yhat) x = x (yhat^2 - yhat^3 - y yhat + y yhat^2).
    s = 0.5 * (1.0 + math.tanh(0.5 * w * x))
    return x * (s ** 2 - s ** 3 - y * s + y * s ** 2)


ALTERNATIVES = {
    "02.loss": [loss_math, loss_tanh],
    "02.grad_w": [grad_w_math, grad_w_expanded],
}
