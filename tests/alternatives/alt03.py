"""Other correct ways to write notebook 03's exercises (one layer, one vector example)."""

import math

import numpy as np


def grad_w_loop(x, y, w):
    # Component by component, as in the derivation: z = sum_j x_j w_j, dL/dw_j = delta * x_j.
    z = 0.0
    for xj, wj in zip(x, w):
        z += xj * wj
    yhat = 1.0 / (1.0 + math.exp(-z))
    delta = (yhat - y) * yhat * (1.0 - yhat)
    return np.array([delta * xj for xj in x])


def grad_w_einsum(x, y, w):
    # np.einsum for the dot product; sigma'(z) as e^{-z} / (1 + e^{-z})^2 via tanh:
    # sigma'(z) = (1 - tanh(z/2)^2) / 4.
    z = np.einsum("j,j->", x, w)
    t = np.tanh(z / 2)
    yhat = (1 + t) / 2
    return np.einsum("j->j", x) * ((yhat - y) * (1 - t ** 2) / 4)


def grad_w_jacobian(x, y, w):
    # Jacobian chain with explicit row/column matrices: dL/dw = (dL/dz * dz/dw)^T,
    # dz/dw = x[None, :] (1, d); the gradient is the transpose of the (1, d) Jacobian.
    z = (x[None, :] @ w[:, None])[0, 0]  # (1, d) @ (d, 1) -> (1, 1)
    yhat = 1 / (1 + np.exp(-z))
    dz_dw = x[None, :]
    jac = (yhat - y) * yhat * (1 - yhat) * dz_dw
    return jac.T[:, 0]


def gd_step_loop(x, y, w, lr):
    g = grad_w_loop(x, y, w)
    return np.array([wj - lr * gj for wj, gj in zip(w, g)])


def gd_step_copy(x, y, w, lr):
    # Copy first, then update the copy in place: the caller's w is untouched.
    new = w.copy()
    new -= lr * grad_w_einsum(x, y, w)
    return new


ALTERNATIVES = {
    "03.grad_w": [grad_w_loop, grad_w_einsum, grad_w_jacobian],
    "03.gd_step": [gd_step_loop, gd_step_copy],
}
