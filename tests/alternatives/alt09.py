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


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jacobian_loops(a_prev, W, b):
    # Quotient rule entry by entry: dp_i/dz_k = p_i (1 - p_i) if i == k else -p_i p_k,
    # then the chain through z_k = sum_j a_prev_j W[j, k] + b_k.
    p = _softmax(a_prev @ W + b)
    K, m = W.shape[1], W.shape[0]
    J = np.zeros((K, m))
    for i in range(K):
        for j in range(m):
            J[i, j] = sum((p[i] * (1 - p[i]) if i == k else -p[i] * p[k]) * W[j, k] for k in range(K))
    return J


def softmax_jacobian_scaled_rows(a_prev, W, b):
    # (diag(p) - p p^T) W^T = p[:, None] * (W.T - p @ W.T): row i is p_i (W[:, i] - sum_k p_k W[:, k]).
    p = _softmax(a_prev @ W + b)
    return p[:, None] * (W.T - (p @ W.T)[None, :])


def softmax_jacobian_einsum(a_prev, W, b):
    p = _softmax(np.einsum("j,jk->k", a_prev, W) + b)
    dp_dz = np.einsum("i,ik->ik", p, np.eye(len(p))) - np.einsum("i,k->ik", p, p)
    return np.einsum("ik,jk->ij", dp_dz, W)


def softmax_xent_grad_chain(Z, Y):
    # Literally (dL/dp) @ J for each row, with the Jacobian formed.
    P = _softmax(Z)
    return np.stack([(-y / p) @ (np.diag(p) - np.outer(p, p)) for p, y in zip(P, Y, strict=True)])


def softmax_xent_grad_logsumexp(Z, Y):
    # L_n = logsumexp(z_n) - y_n . z_n (rows of Y sum to 1); d logsumexp/dz = softmax.
    shifted = Z - Z.max(axis=1, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True) - Y


def network_jvp_formed(x, v, params):
    # Every layer's Jacobian formed, applied to the column v in the order of the layers.
    a, t = x, v
    for W, b in params:
        a = _sigmoid(a @ W + b)
        t = np.diag(a * (1 - a)) @ W.T @ t
    return t


def network_jvp_dual(x, v, params):
    # Dual numbers by hand: carry (value, derivative) pairs; sigma(u + eps u') = sigma(u) + eps sigma'(u) u'.
    a, da = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
    for W, b in params:
        z, dz = a @ W + b, da @ W
        a = 1 / (1 + np.exp(-z))
        da = a * (1 - a) * dz
    return da


def network_jvp_loops(x, v, params):
    a, t = list(x), list(v)
    for W, b in params:
        z = [sum(a[j] * W[j, i] for j in range(len(a))) + b[i] for i in range(W.shape[1])]
        dz = [sum(t[j] * W[j, i] for j in range(len(t))) for i in range(W.shape[1])]
        a = [1 / (1 + np.exp(-zi)) for zi in z]
        t = [ai * (1 - ai) * dzi for ai, dzi in zip(a, dz, strict=True)]
    return np.array(t)


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
    "09.softmax_jacobian": [softmax_jacobian_loops, softmax_jacobian_scaled_rows, softmax_jacobian_einsum],
    "09.softmax_xent_grad": [softmax_xent_grad_chain, softmax_xent_grad_logsumexp],
    "09.network_jvp": [network_jvp_formed, network_jvp_dual, network_jvp_loops],
    "09.input_grad": [input_grad_full_jacobians, input_grad_seed002_columns, input_grad_loops],
}
