"""Other correct ways to write notebook 05's exercise (two layers, one hidden unit)."""

import math

import numpy as np


def grads_scalar_loop(x, y, w1, w2):
    # Everything with Python floats; dL/dw1_j = dL/dz1 * dz1/dw1_j = delta1 * x_j, one j at a time.
    z1 = sum(float(a) * float(b) for a, b in zip(x, w1, strict=True))
    h = 1 / (1 + math.exp(-z1))
    yhat = 1 / (1 + math.exp(-w2 * h))
    dL_dyhat = yhat - y
    dyhat_dz2 = yhat * (1 - yhat)
    dz2_dh = w2
    dh_dz1 = h * (1 - h)
    dw1 = np.array([dL_dyhat * dyhat_dz2 * dz2_dh * dh_dz1 * float(xj) for xj in x])
    dw2 = dL_dyhat * dyhat_dz2 * h
    return dw1, dw2


def grads_as_matrices(x, y, w1, w2):
    # The general layer formula with W1 (d, 1) and W2 (1, 1): dW = outer(input, delta).
    W1 = np.asarray(w1, dtype=float).reshape(-1, 1)
    W2 = np.array([[w2]])
    h0 = np.asarray(x, dtype=float)
    h1 = 1 / (1 + np.exp(-(h0 @ W1)))          # (1,)
    h2 = 1 / (1 + np.exp(-(h1 @ W2)))          # (1,)
    d2 = (h2 - y) * h2 * (1 - h2)              # (1,)
    d1 = (W2 @ d2) * h1 * (1 - h1)             # (1,)
    return np.outer(h0, d1)[:, 0], float(np.outer(h1, d2)[0, 0])


def grads_tanh_form(x, y, w1, w2):
    # sigma(u) = (1 + tanh(u/2)) / 2 and sigma'(u) = 1 / (4 cosh^2(u/2)): other algebra, same numbers.
    z1 = float(np.dot(x, w1))
    h = 0.5 * (1 + np.tanh(z1 / 2))
    z2 = w2 * h
    yhat = 0.5 * (1 + np.tanh(z2 / 2))
    sp1 = 0.25 / np.cosh(z1 / 2) ** 2
    sp2 = 0.25 / np.cosh(z2 / 2) ** 2
    common = (yhat - y) * sp2
    return np.multiply(x, common * w2 * sp1), float(common * h)


ALTERNATIVES = {
    "05.grads": [grads_scalar_loop, grads_as_matrices, grads_tanh_form],
}


def input_grad_scalar_loop(x, y, w1, w2):
    # dL/dx_j = dL/dz1 * dz1/dx_j, one component at a time with Python floats; dz1/dx_j = w1_j.
    z1 = sum(float(a) * float(b) for a, b in zip(x, w1, strict=True))
    h = 1 / (1 + math.exp(-z1))
    yhat = 1 / (1 + math.exp(-w2 * h))
    dL_dz1 = (yhat - y) * yhat * (1 - yhat) * w2 * h * (1 - h)
    return np.array([dL_dz1 * float(wj) for wj in w1])


def input_grad_as_matrices(x, y, w1, w2):
    # The general layer form with W1 (d, 1), W2 (1, 1): dL/dx = W1 @ delta1 (the backward pass one layer further).
    W1 = np.asarray(w1, dtype=float).reshape(-1, 1)
    W2 = np.array([[w2]])
    h1 = 1 / (1 + np.exp(-(np.asarray(x, dtype=float) @ W1)))
    h2 = 1 / (1 + np.exp(-(h1 @ W2)))
    d2 = (h2 - y) * h2 * (1 - h2)
    d1 = (W2 @ d2) * h1 * (1 - h1)
    return W1 @ d1


def input_grad_tanh_form(x, y, w1, w2):
    # sigma(u) = (1 + tanh(u/2)) / 2, sigma'(u) = 1 / (4 cosh^2(u/2)).
    z1 = float(np.dot(w1, x))
    z2 = w2 * 0.5 * (1 + np.tanh(z1 / 2))
    yhat = 0.5 * (1 + np.tanh(z2 / 2))
    return (yhat - y) * 0.25 / np.cosh(z2 / 2) ** 2 * w2 * 0.25 / np.cosh(z1 / 2) ** 2 * np.asarray(w1, dtype=float)


ALTERNATIVES["05.input_grad"] = [input_grad_scalar_loop, input_grad_as_matrices, input_grad_tanh_form]
# A derivation checkpoint's right answer written differently: case and spaces do not matter.
ALTERNATIVES["05.saturated_factor"] = ["D", " d "]
