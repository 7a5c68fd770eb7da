"""Other correct ways to write notebook 04's exercises (one layer, a batch)."""

import math

import numpy as np


def _sig(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def loss_loop(X, y, w):
    total = 0.0
    for xi, yi in zip(X, y, strict=True):
        yhat = 1 / (1 + math.exp(-float(xi @ w)))
        total += 0.5 * (yhat - yi) ** 2
    return total


def loss_dot(X, y, w):
    # the sum of squares as a dot product of the error with itself
    e = _sig(np.einsum("nd,d->n", X, w)) - y
    return 0.5 * float(e @ e)


def grad_w_delta_first(X, y, w):
    # delta @ X: (N,) @ (N, d) -> (d,), the same sum as X.T @ delta
    yhat = _sig(X @ w)
    return ((yhat - y) * yhat * (1 - yhat)) @ X


def grad_w_einsum(X, y, w):
    yhat = _sig(np.einsum("nd,d->n", X, w))
    delta = (yhat - y) * yhat * (1 - yhat)
    return np.einsum("nd,n->d", X, delta)


def grad_w_broadcast(X, y, w):
    # per-example gradients as rows delta_i * x_i, then summed over the batch
    yhat = _sig(X @ w)
    delta = (yhat - y) * yhat * (1 - yhat)
    return (delta[:, None] * X).sum(axis=0)


def grad_w_by_component(X, y, w):
    # loop over weights instead of examples: dL/dw_j = sum_i delta_i X[i, j]
    yhat = _sig(X @ w)
    delta = (yhat - y) * yhat * (1 - yhat)
    return np.array([np.sum(delta * X[:, j]) for j in range(X.shape[1])])


def grad_w_loop_math(X, y, w):
    N, d = X.shape
    g = [0.0] * d
    for i in range(N):
        z = sum(X[i, j] * w[j] for j in range(d))
        s = 1 / (1 + math.exp(-z))
        delta = (s - y[i]) * s * (1 - s)
        for j in range(d):
            g[j] += delta * X[i, j]
    return np.array(g)


def grad_w_loop_list(X, y, w):
    # one notebook-03 gradient per example, summed at the end
    def one(x, t):
        s = _sig(x @ w)
        return (s - t) * s * (1 - s) * x

    return sum(one(x, t) for x, t in zip(X, y, strict=True))


def grad_wb_augmented(X, y, w, b):
    # A column of ones appended to X makes b the last weight: (X1.T @ delta)[-1] = sum_i delta_i.
    X1 = np.hstack([X, np.ones((X.shape[0], 1))])
    g = grad_w_einsum(X1, y, np.append(w, b))
    return g[:-1], float(g[-1])


def grad_wb_loop(X, y, w, b):
    dw = np.zeros(X.shape[1])
    db = 0.0
    for xi, yi in zip(X, y, strict=True):
        s = 1 / (1 + math.exp(-(float(xi @ w) + b)))
        delta = (s - yi) * s * (1 - s)
        dw += delta * xi
        db += delta
    return dw, db


def grad_X_broadcast(X, y, w):
    yhat = _sig(X @ w)
    delta = (yhat - y) * yhat * (1 - yhat)
    return delta[:, None] * w[None, :]


def grad_X_loop(X, y, w):
    # Entry by entry, from dz_i/dX[i, j] = w_j.
    out = np.zeros(X.shape)
    for i in range(X.shape[0]):
        s = 1 / (1 + math.exp(-float(X[i] @ w)))
        for j in range(X.shape[1]):
            out[i, j] = (s - y[i]) * s * (1 - s) * w[j]
    return out


def grad_X_einsum(X, y, w):
    yhat = _sig(np.einsum("nd,d->n", X, w))
    return np.einsum("n,d->nd", (yhat - y) * yhat * (1 - yhat), w)


ALTERNATIVES = {
    "04.loss": [loss_loop, loss_dot],
    "04.grad_w_loop": [grad_w_loop_math, grad_w_loop_list, grad_w_broadcast],
    "04.grad_w": [grad_w_delta_first, grad_w_einsum, grad_w_broadcast, grad_w_by_component],
    "04.grad_wb": [grad_wb_augmented, grad_wb_loop],
    "04.grad_X": [grad_X_broadcast, grad_X_loop, grad_X_einsum],
}
