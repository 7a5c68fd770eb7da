"""Other correct ways to write notebook 09's exercises (Jacobians of sigmoid layers)."""

import numpy as np


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def layer_jacobian_diag(a_prev, W, b):
    # Literally the chain of two Jacobians: diag(sigma'(z)) @ dz/da_prev.
    s = _sigmoid(a_prev @ W + b)
    return np.diag(s * (1 - s)) @ W.T


def layer_jacobian_loops(a_prev, W, b):
    # Entry by entry: J[i, j] = d a_i / d a_prev_j = sigma'(z_i) W[j, i].
    n_prev, n = W.shape
    J = np.zeros((n, n_prev))
    for i in range(n):
        z_i = sum(a_prev[j] * W[j, i] for j in range(n_prev)) + b[i]
        s_i = 1 / (1 + np.exp(-z_i))
        for j in range(n_prev):
            J[i, j] = s_i * (1 - s_i) * W[j, i]
    return J


def layer_jacobian_einsum(a_prev, W, b):
    s = _sigmoid(np.einsum("j,ji->i", a_prev, W) + b)
    return np.einsum("i,ji->ij", s * (1 - s), W)


def input_grad_full_jacobians(x, y, params):
    # Seed 002's chain: dC/dx = dC/da_L . J_L . ... . J_1 with every J formed, multiplied
    # from the input side (forward accumulation): dA/dx grows layer by layer.
    a = x
    dadx = np.eye(len(x))
    for W, b in params:
        s = _sigmoid(a @ W + b)
        dadx = (np.diag(s * (1 - s)) @ W.T) @ dadx
        a = s
    return (a - y) @ dadx


def input_grad_seed002_columns(x, y, params):
    # Seed 002's own convention: column vectors, z = V a with V = W.T, delta^{l-1} = f' o V^T delta^l.
    acts = [x]
    for W, b in params:
        acts.append(_sigmoid(W.T @ acts[-1] + b))
    delta = (acts[-1] - y) * acts[-1] * (1 - acts[-1])
    for l in range(len(params), 0, -1):
        V = params[l - 1][0].T
        grad = V.T @ delta
        if l > 1:
            delta = acts[l - 1] * (1 - acts[l - 1]) * grad
    return grad


def input_grad_loops(x, y, params):
    # Scalar chain rule, summing over paths unit by unit.
    acts = [list(x)]
    for W, b in params:
        prev = acts[-1]
        acts.append([float(_sigmoid(sum(prev[j] * W[j, i] for j in range(len(prev))) + b[i]))
                     for i in range(W.shape[1])])
    out = acts[-1]
    delta = [(out[i] - y[i]) * out[i] * (1 - out[i]) for i in range(len(out))]
    for l in range(len(params), 0, -1):
        W = params[l - 1][0]
        prev = acts[l - 1]
        g = [sum(delta[i] * W[j, i] for i in range(len(delta))) for j in range(len(prev))]
        delta = [g[j] * prev[j] * (1 - prev[j]) for j in range(len(prev))]
    return np.array(g)


ALTERNATIVES = {
    "09.layer_jacobian": [layer_jacobian_diag, layer_jacobian_loops, layer_jacobian_einsum],
    "09.input_grad": [input_grad_full_jacobians, input_grad_seed002_columns, input_grad_loops],
}
