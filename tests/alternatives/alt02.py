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


def grad_x_math(x, y, w):
    # The chain with sigma'(z) = e^{-z} / (1 + e^{-z})^2 and dz/dx = w.
    e = math.exp(-w * x)
    yhat = 1.0 / (1.0 + e)
    return (yhat - y) * (e / (1.0 + e) ** 2) * w


def grad_x_symmetry(x, y, w):
    # z = w x is symmetric in w and x: dL/dx = dL/dw * w / x (x is never 0 in the course's draws
    # and a learner may reason so), written with tanh.
    s = 0.5 * (1.0 + math.tanh(0.5 * w * x))
    dL_dw = (s - y) * s * (1 - s) * x
    return dL_dw * w / x


def grad_y_math(x, y, w):
    return y - 1.0 / (1.0 + math.exp(-w * x))


def grad_y_expanded(x, y, w):
    # L = 1/2 (yhat^2 - 2 yhat y + y^2): dL/dy = -yhat + y, term by term.
    yhat = 0.5 * (1.0 + math.tanh(0.5 * w * x))
    return -yhat + y


ALTERNATIVES = {
    "02.loss": [loss_math, loss_tanh],
    "02.grad_w": [grad_w_math, grad_w_expanded],
    "02.grad_x": [grad_x_math, grad_x_symmetry],
    "02.grad_y": [grad_y_math, grad_y_expanded],
}
