"""Other correct ways to write notebook 06's exercise (two layers, two hidden units)."""

import math

import numpy as np


def grads_loops(x, y, W1, w2):
    # Every partial derivative by the scalar chain rule, entry by entry.
    d, H = W1.shape
    z1 = [sum(x[i] * W1[i, j] for i in range(d)) for j in range(H)]
    h = [1 / (1 + math.exp(-z)) for z in z1]
    z2 = sum(h[j] * w2[j] for j in range(H))
    yhat = 1 / (1 + math.exp(-z2))
    delta2 = (yhat - y) * yhat * (1 - yhat)
    dw2 = np.array([delta2 * h[j] for j in range(H)])
    dW1 = np.zeros((d, H))
    for i in range(d):
        for j in range(H):
            dW1[i, j] = delta2 * w2[j] * h[j] * (1 - h[j]) * x[i]
    return dW1, dw2


def grads_einsum(x, y, W1, w2):
    # Column vectors and einsum: dW1_ij = x_i delta1_j, dw2_j = h_j delta2.
    h = 0.5 * (1 + np.tanh(0.5 * np.einsum("i,ij->j", x, W1)))
    yhat = 0.5 * (1 + np.tanh(0.5 * np.einsum("j,j->", h, w2)))
    delta2 = (yhat - y) * yhat * (1 - yhat)
    delta1 = np.einsum("j,j->j", w2 * delta2, h * (1 - h))
    return np.einsum("i,j->ij", x, delta1), np.einsum("j,->j", h, delta2)


def grads_matrix_form(x, y, W1, w2):
    # As a batch of one: X (1, d), W2 (2, 1); dW = H_prev.T @ Delta, Delta1 = (Delta2 @ W2.T) * sigma'.
    X = np.asarray(x, dtype=float)[None, :]
    W2 = np.asarray(w2, dtype=float)[:, None]
    H1 = 1 / (1 + np.exp(-(X @ W1)))
    H2 = 1 / (1 + np.exp(-(H1 @ W2)))
    D2 = (H2 - y) * H2 * (1 - H2)
    D1 = (D2 @ W2.T) * H1 * (1 - H1)
    return X.T @ D1, (H1.T @ D2)[:, 0]


ALTERNATIVES = {
    "06.grads": [grads_loops, grads_einsum, grads_matrix_form],
}
