"""Other correct ways to write notebook 03's exercises (one layer, one vector example)."""

import math

import numpy as np


def grad_w_loop(x, y, w):
    # Component by component, as in the derivation: z = sum_j x_j w_j, dL/dw_j = delta * x_j.
    z = 0.0
    for xj, wj in zip(x, w, strict=True):
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
    return np.array([wj - lr * gj for wj, gj in zip(w, g, strict=True)])


def gd_step_copy(x, y, w, lr):
    # Copy first, then update the copy in place: the caller's w is untouched.
    new = w.copy()
    new -= lr * grad_w_einsum(x, y, w)
    return new


def grad_wb_augmented(x, y, w, b):
    # The bias as a weight on a constant input 1 (seed 002's remark): x1 = (x, 1), w1 = (w, b);
    # the gradient delta * x1 then holds dL/dw and, last, dL/db.
    x1 = np.append(x, 1.0)
    w1 = np.append(w, b)
    g = grad_w_loop(x1, y, w1)
    return g[:-1], float(g[-1])


def grad_wb_math(x, y, w, b):
    z = float(np.dot(x, w)) + b
    e = math.exp(-z)
    yhat = 1 / (1 + e)
    delta = (yhat - y) * e / (1 + e) ** 2
    return np.array([delta * xj for xj in x]), delta


def grad_metric_inverse(x, y, w, M):
    # np.linalg.inv, then the product.
    return np.linalg.inv(M) @ grad_w_einsum(x, y, w)


def grad_metric_cholesky(x, y, w, M):
    # M = C C^T (Cholesky); solve C u = g, then C^T h = u, by hand-written substitution.
    g = grad_w_loop(x, y, w)
    C = np.linalg.cholesky(M)
    d = len(g)
    u = np.zeros(d)
    for i in range(d):
        u[i] = (g[i] - C[i, :i] @ u[:i]) / C[i, i]
    h = np.zeros(d)
    for i in reversed(range(d)):
        h[i] = (u[i] - C[i + 1:, i] @ h[i + 1:]) / C[i, i]
    return h


ALTERNATIVES = {
    "03.grad_w": [grad_w_loop, grad_w_einsum, grad_w_jacobian],
    "03.gd_step": [gd_step_loop, gd_step_copy],
    "03.grad_wb": [grad_wb_augmented, grad_wb_math],
    "03.grad_metric": [grad_metric_inverse, grad_metric_cholesky],
}
