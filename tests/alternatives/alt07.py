"""Other correct ways to write notebook 07's exercises (two layers, a batch; a tanh hidden layer)."""

import math

import numpy as np


def _sig(u):
    return 0.5 * (1 + np.tanh(0.5 * u))


def grads_per_example(X, y, W1, w2):
    # The loss is a sum over examples, so its gradient is the sum of notebook 06's per-example gradients.
    dW1 = np.zeros(W1.shape)
    dw2 = np.zeros(w2.shape)
    for x, t in zip(X, y, strict=True):
        h = _sig(x @ W1)
        yhat = _sig(h @ w2)
        delta2 = (yhat - t) * yhat * (1 - yhat)
        dw2 += delta2 * h
        dW1 += np.outer(x, delta2 * w2 * h * (1 - h))
    return dW1, dw2


def grads_einsum(X, y, W1, w2):
    # Index notation: dW1[i, j] = sum_n X[n, i] Delta1[n, j], dw2[j] = sum_n Hid[n, j] delta2[n].
    Hid = _sig(np.einsum("ni,ij->nj", X, W1))
    yhat = _sig(np.einsum("nj,j->n", Hid, w2))
    delta2 = (yhat - y) * yhat * (1 - yhat)
    Delta1 = np.einsum("n,j,nj->nj", delta2, w2, Hid * (1 - Hid))
    return np.einsum("ni,nj->ij", X, Delta1), np.einsum("nj,n->j", Hid, delta2)


def grads_column_by_column(X, y, W1, w2):
    # One hidden unit at a time: column j of W1 is notebook 05's w1 for unit j, batched.
    Hid = 1 / (1 + np.exp(-(X @ W1)))
    yhat = 1 / (1 + np.exp(-(Hid @ w2)))
    delta2 = (yhat - y) * yhat * (1 - yhat)
    dW1 = np.empty(W1.shape)
    dw2 = np.empty(w2.shape)
    for j in range(W1.shape[1]):
        h = Hid[:, j]
        dw2[j] = np.sum(delta2 * h)
        dW1[:, j] = np.sum((delta2 * w2[j] * h * (1 - h))[:, None] * X, axis=0)
    return dW1, dw2


def deltas_per_example(X, y, W1, w2):
    # Notebook 06's deltas, one example at a time, stacked.
    rows, d2 = [], []
    for x, t in zip(X, y, strict=True):
        h = _sig(x @ W1)
        yhat = _sig(h @ w2)
        delta2 = (yhat - t) * yhat * (1 - yhat)
        rows.append(delta2 * w2 * h * (1 - h))
        d2.append(delta2)
    return np.array(rows), np.array(d2)


def deltas_matrix_form(X, y, W1, w2):
    # The general layer form: Delta2 (N, 1), W2 (H, 1), Delta1 = (Delta2 @ W2.T) * sigma'(Z1).
    Z1 = X @ W1
    H1 = 1 / (1 + np.exp(-Z1))
    W2 = w2[:, None]
    H2 = 1 / (1 + np.exp(-(H1 @ W2)))
    D2 = (H2 - y[:, None]) * H2 * (1 - H2)
    return (D2 @ W2.T) * H1 * (1 - H1), D2[:, 0]


ALTERNATIVES = {
    "07.deltas": [deltas_per_example, deltas_matrix_form],
    "07.grads": [grads_per_example, grads_einsum, grads_column_by_column],
}


def tanh_grads_per_example(X, y, W1, w2):
    # The sum of per-example gradients, with math.tanh and tanh' = 1 - tanh^2, entry by entry.
    N, d = X.shape
    H = W1.shape[1]
    dW1, dw2 = np.zeros((d, H)), np.zeros(H)
    for n in range(N):
        h = np.array([math.tanh(float(X[n] @ W1[:, j])) for j in range(H)])
        yhat = 1 / (1 + math.exp(-float(h @ w2)))
        delta2 = (yhat - y[n]) * yhat * (1 - yhat)
        dw2 += delta2 * h
        dW1 += np.outer(X[n], delta2 * w2 * (1 - h ** 2))
    return dW1, dw2


def tanh_grads_cosh(X, y, W1, w2):
    # tanh' = 1 / cosh^2 (the quotient rule's form), einsum for the sums over the batch.
    Z1 = np.einsum("ni,ij->nj", X, W1)
    Hid = np.tanh(Z1)
    yhat = _sig(Hid @ w2)
    delta2 = (yhat - y) * yhat * (1 - yhat)
    Delta1 = np.einsum("n,j,nj->nj", delta2, w2, 1 / np.cosh(Z1) ** 2)
    return np.einsum("ni,nj->ij", X, Delta1), np.einsum("nj,n->j", Hid, delta2)


def tanh_grads_via_sigmoid(X, y, W1, w2):
    # tanh(u) = 2 sigma(2u) - 1, so tanh'(u) = 4 sigma'(2u) = 4 s (1 - s) with s = sigma(2u).
    s = 1 / (1 + np.exp(-2 * (X @ W1)))
    Hid = 2 * s - 1
    yhat = 1 / (1 + np.exp(-(Hid @ w2)))
    delta2 = (yhat - y) * yhat * (1 - yhat)
    Delta1 = (delta2[:, None] @ w2[None, :]) * 4 * s * (1 - s)
    return X.T @ Delta1, Hid.T @ delta2


ALTERNATIVES["07.tanh_grads"] = [tanh_grads_per_example, tanh_grads_cosh, tanh_grads_via_sigmoid]
ALTERNATIVES["07.tanh_slope"] = [16 / 25, np.float64(0.64), np.array(0.64)]
