"""Helpers shared by the wrong-answer modules: a stable sigmoid and a forward pass
written independently of the course package, and generic wrappers."""

import itertools

import numpy as np


def sig(u):
    u = np.asarray(u, dtype=float)
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))


def forward(X, params):
    H = [np.asarray(X, dtype=float)]
    for W, b in params:
        H.append(sig(H[-1] @ W + b))
    return H


def unrolled3(X, Y, params):
    """Backprop with three layers written out by hand (F - Y at the output): right at depth 3 only."""
    (W1, b1), (W2, b2), (W3, b3) = params
    H1 = sig(X @ W1 + b1)
    H2 = sig(H1 @ W2 + b2)
    F = sig(H2 @ W3 + b3)
    D3 = F - Y
    D2 = (D3 @ W3.T) * H2 * (1 - H2)
    D1 = (D2 @ W2.T) * H1 * (1 - H1)
    return [(X.T @ D1, D1.sum(0)), (H1.T @ D2, D2.sum(0)), (H2.T @ D3, D3.sum(0))]


def sometimes_negated(reference):
    """Right on every other call, negated on the others: never ``sign``."""
    counter = itertools.count()

    def learner(*args):
        out = reference(*args)
        if next(counter) % 2:
            return _negate(out)
        return out
    return learner


def hard_coded(reference, args):
    """Always the reference's answer on one fixed draw."""
    frozen = reference(*args)
    return lambda *a: frozen


def _negate(structure):
    if isinstance(structure, (tuple, list)):
        items = [_negate(x) for x in structure]
        return tuple(items) if isinstance(structure, tuple) else items
    return -structure
