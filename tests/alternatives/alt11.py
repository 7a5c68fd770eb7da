"""Other correct ways to write notebook 11's exercises (the errata fixed)."""

import numpy as np


def _sig(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def column_delta_loops(delta_next, W_next, h):
    # delta_l[j] = sigma'(z_l[j]) * sum_k W_{l+1}[j, k] delta_{l+1}[k], one entry at a time.
    out = np.zeros((W_next.shape[0], 1))
    for j in range(W_next.shape[0]):
        total = 0.0
        for k in range(W_next.shape[1]):
            total += W_next[j, k] * delta_next[k, 0]
        out[j, 0] = total * h[j, 0] * (1 - h[j, 0])
    return out


def column_delta_row_form(delta_next, W_next, h):
    # Seed 001's row reading, transposed back to a column: (delta^T W^T * (h (1 - h))^T)^T.
    row = (delta_next.T @ W_next.T) * (h * (1 - h)).T
    return row.T.copy()


def column_delta_diag(delta_next, W_next, h):
    # The Jacobian chain: diag(sigma'(z_l)) @ W_{l+1} @ delta_{l+1}.
    return np.diag((h * (1 - h))[:, 0]) @ W_next @ delta_next


def activation_grad_jacobians(x, y, Ws, bs, l):
    # Seed 002's chain of Jacobians as matrices, multiplied from the cost down to a^l (a row), transposed.
    a, z = [x], []
    for W, b in zip(Ws, bs, strict=False):
        z.append(W @ a[-1] + b)
        a.append(_sig(z[-1]))
    row = (a[-1] - y)[None, :]                                 # dC/da^D, a covector
    for k in range(len(Ws), l, -1):
        s = _sig(z[k - 1])
        row = row @ np.diag(s * (1 - s)) @ Ws[k - 1]            # d a^k / d z^k, then d z^k / d a^{k-1}
    return row[0]


def activation_grad_subnetwork(x, y, Ws, bs, l):
    # Run the network up to a^l, then treat a^l as the input of the layers above it:
    # the input gradient of that smaller network, written with our W = seed's W.T.
    a = x
    for W, b in zip(Ws[:l], bs[:l], strict=False):
        a = _sig(W @ a + b)
    acts = [a]
    for W, b in zip(Ws[l:], bs[l:], strict=False):
        acts.append(_sig(acts[-1] @ W.T + b))
    g = acts[-1] - y
    for k in range(len(acts) - 1, 0, -1):
        g = (g * acts[k] * (1 - acts[k])) @ Ws[l + k - 1]
    return g


ALTERNATIVES = {
    "11.column_delta": [column_delta_loops, column_delta_row_form, column_delta_diag],
    "11.activation_grad": [activation_grad_jacobians, activation_grad_subnetwork],
}
