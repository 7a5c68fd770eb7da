"""The course's own numerical building blocks, used by reference answers and plots.

Shapes follow docs/design.md: a batch ``X`` is (N, d), ``W_l`` is (n_{l-1}, n_l), ``b_l`` is
(n_l,), ``Z_l = H_{l-1} @ W_l + b_l``, ``H_l = sigmoid(Z_l)``.
"""

import warnings
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

__all__ = ["sigmoid", "sigmoid_prime", "softmax", "forward", "bce_loss", "bce_with_logits", "squared_loss"]


def sigmoid(u: ArrayLike) -> Array:
    """Numerically stable logistic function; returns an array shaped like ``u``.

    exp is only ever applied to -|u| <= 0, so nothing overflows for any finite u.
    """
    u = np.asarray(u, dtype=np.float64)
    e = np.exp(-np.abs(u))
    result: Array = np.where(u >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return result


def sigmoid_prime(u: ArrayLike) -> Array:
    """Derivative of the sigmoid, sigma(u) * (1 - sigma(u)); shaped like ``u``."""
    s = sigmoid(u)
    return s * (1.0 - s)


def forward(X: ArrayLike, params: Sequence[tuple[ArrayLike, ArrayLike]]) -> list[Array]:
    """Forward pass through sigmoid layers.

    X (N, d); params a list of (W_l (n_{l-1}, n_l), b_l (n_l,)). Returns the list of
    activations [H_0 = X, H_1, ..., H_D], each (N, n_l), D = len(params).
    """
    H = [np.asarray(X, dtype=np.float64)]
    for W, b in params:
        H.append(sigmoid(H[-1] @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64)))
    return H


def softmax(z: ArrayLike, axis: int = -1) -> Array:
    """Softmax along ``axis`` (the last by default): exp(z) / sum(exp(z)); shaped like ``z``.

    Each slice along ``axis`` is a probability vector. Its maximum is subtracted first
    (softmax does not change when the same number is added to every entry), so exp never
    overflows for any finite z.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    result: Array = e / np.sum(e, axis=axis, keepdims=True)
    return result


def _same_shape(name_a: str, a: Array, name_b: str, b: Array, caller: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{caller}: {name_a} has shape {a.shape} and {name_b} has shape {b.shape}; they must "
                         f"be the same (one {name_b} per {name_a}), e.g. pass H[-1][:, 0] for a single output")


def bce_loss(f: ArrayLike, y: ArrayLike) -> float:
    """Binary cross-entropy summed over every entry: -sum(y log f + (1 - y) log(1 - f)); a float.

    ``f`` (probabilities in [0, 1]) and ``y`` (labels in [0, 1]) have the same shape, e.g.
    (N,) or (N, K). The value is the formula's, in float64, never clipped: a term whose
    weight is 0 counts 0 (0 log 0 = 0), and a probability of exactly 0 where the label
    needs it gives ``inf``, with a RuntimeWarning. That happens sooner than one expects:
    ``sigmoid(z)`` rounds to exactly 1.0 for z above about 36.74, though the true loss for y = 0 is
    finite there. Compute such a loss from the logits, without forming f (notebook 08).
    Raises ValueError for shapes that differ, or values outside [0, 1] (NaN included).
    """
    f = np.asarray(f, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    _same_shape("f", f, "y", y, "bce_loss")
    if not (np.all((f >= 0) & (f <= 1)) and np.all((y >= 0) & (y <= 1))):
        raise ValueError("bce_loss: f must hold probabilities and y labels, all in [0, 1] "
                         "(got a value outside, or NaN)")
    with np.errstate(divide="ignore", invalid="ignore"):
        ones = np.where(y > 0, y * np.log(f), 0.0)
        zeros = np.where(y < 1, (1 - y) * np.log1p(-f), 0.0)
    loss = float(-np.sum(ones + zeros)) + 0.0   # + 0.0: a loss of 0 prints as 0.0, not -0.0
    if loss == np.inf:
        warnings.warn("bce_loss is infinite: a probability is exactly 0 or 1 against its label. If it came "
                      "from sigmoid(z), which rounds to 1.0 for z above about 36.74, the true loss is finite: "
                      "compute it from the logits, softplus(z) - y z, without forming f (notebook 08).",
                      RuntimeWarning, stacklevel=2)
    return loss


def bce_with_logits(z: ArrayLike, y: ArrayLike) -> float:
    """Binary cross-entropy of sigmoid outputs, summed, computed from their logits z; a float.

    ``z`` (any real numbers) and ``y`` (labels in [0, 1]) have the same shape. With
    f = sigmoid(z), -[y log f + (1 - y) log(1 - f)] = softplus(z) - y z, where
    softplus(z) = log(1 + exp(z)) is evaluated as ``np.logaddexp(0, z)``: finite for
    every finite z, never overflowing. Raises ValueError for shapes that differ.
    """
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    _same_shape("z", z, "y", y, "bce_with_logits")
    return float(np.sum(np.logaddexp(0.0, z) - y * z))


def squared_loss(yhat: ArrayLike, y: ArrayLike) -> float:
    """Squared error summed over all entries: 1/2 * sum((yhat - y)**2); a float."""
    return float(0.5 * np.sum((np.asarray(yhat) - np.asarray(y)) ** 2))
