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


def mixed_grads_loops(x, y, W1, w2):
    # Entry by entry: each hidden unit passes the gradient back with its own slope (sigmoid: h(1-h), linear: 1).
    d = len(x)
    z1 = [sum(x[i] * W1[i, j] for i in range(d)) for j in range(2)]
    h = [1 / (1 + math.exp(-z1[0])), z1[1]]
    slopes = [h[0] * (1 - h[0]), 1.0]
    yhat = 1 / (1 + math.exp(-(h[0] * w2[0] + h[1] * w2[1])))
    delta2 = (yhat - y) * yhat * (1 - yhat)
    dW1 = np.array([[x[i] * delta2 * w2[j] * slopes[j] for j in range(2)] for i in range(d)])
    return dW1, np.array([delta2 * h[0], delta2 * h[1]])


def mixed_grads_masked(x, y, W1, w2):
    # One formula for both units, with a mask saying which unit is a sigmoid.
    is_sigmoid = np.array([True, False])
    z1 = x @ W1
    s = 1 / (1 + np.exp(-z1))
    h = np.where(is_sigmoid, s, z1)
    yhat = 1 / (1 + np.exp(-(h @ w2)))
    delta1 = (yhat - y) * yhat * (1 - yhat) * w2 * np.where(is_sigmoid, s * (1 - s), 1.0)
    return x[:, None] * delta1[None, :], (yhat - y) * yhat * (1 - yhat) * h


def mixed_grads_two_paths(x, y, W1, w2):
    # The output sums two paths, one per hidden unit: differentiate each path and put the columns side by side.
    z_sig, z_lin = x @ W1[:, 0], x @ W1[:, 1]
    h_sig = 0.5 * (1 + np.tanh(z_sig / 2))
    yhat = 0.5 * (1 + np.tanh((w2[0] * h_sig + w2[1] * z_lin) / 2))
    delta2 = (yhat - y) * yhat * (1 - yhat)
    col_sig = delta2 * w2[0] * h_sig * (1 - h_sig) * x
    col_lin = delta2 * w2[1] * x
    return np.column_stack([col_sig, col_lin]), np.array([delta2 * h_sig, delta2 * z_lin])


ALTERNATIVES["06.mixed_grads"] = [mixed_grads_loops, mixed_grads_masked, mixed_grads_two_paths]
ALTERNATIVES["06.zero_init"] = ["B", "b "]
