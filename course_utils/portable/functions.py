"""The course's own numerical building blocks, used by reference answers and plots.

Shapes follow docs/design.md: a batch ``X`` is (N, d), ``W_l`` is (n_{l-1}, n_l), ``b_l`` is
(n_l,), ``Z_l = H_{l-1} @ W_l + b_l``, ``H_l = sigmoid(Z_l)``.
"""

import numpy as np

__all__ = ["sigmoid", "sigmoid_prime", "forward", "bce_loss", "squared_loss"]


def sigmoid(u):
    """Numerically stable logistic function; returns an array shaped like ``u``.

    exp is only ever applied to -|u| <= 0, so nothing overflows for any finite u.
    """
    u = np.asarray(u, dtype=np.float64)
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(u):
    """Derivative of the sigmoid, sigma(u) * (1 - sigma(u)); shaped like ``u``."""
    s = sigmoid(u)
    return s * (1.0 - s)


def forward(X, params):
    """Forward pass through sigmoid layers.

    X (N, d); params a list of (W_l (n_{l-1}, n_l), b_l (n_l,)). Returns the list of
    activations [H_0 = X, H_1, ..., H_L], each (N, n_l).
    """
    H = [np.asarray(X, dtype=np.float64)]
    for W, b in params:
        H.append(sigmoid(H[-1] @ W + b))
    return H


def bce_loss(f, y):
    """Binary cross-entropy summed over the batch: -sum(y log f + (1 - y) log(1 - f)).

    f and y are (N,); returns a float. Clips f away from 0 and 1 to stay finite.
    """
    f = np.clip(np.asarray(f, dtype=np.float64), 1e-15, 1 - 1e-15)
    return float(-np.sum(y * np.log(f) + (1 - y) * np.log(1 - f)))


def squared_loss(yhat, y):
    """Squared error summed over all entries: 1/2 * sum((yhat - y)**2); a float."""
    return float(0.5 * np.sum((np.asarray(yhat) - np.asarray(y)) ** 2))
