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
