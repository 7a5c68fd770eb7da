"""Wrappers that turn a correct function into a specific kind of wrong one, for tests."""

import numpy as np


def map_first_leaf(structure, change):
    """Apply ``change`` to the first number/array of a nested tuple/list structure."""
    done = [False]

    def walk(s):
        if isinstance(s, (tuple, list)):
            items = [walk(x) for x in s]
            return tuple(items) if isinstance(s, tuple) else items
        if done[0]:
            return s
        done[0] = True
        return change(s)

    return walk(structure)


def map_leaves(structure, change):
    """Apply ``change`` to every number/array of a nested structure."""
    if isinstance(structure, (tuple, list)):
        items = [map_leaves(x, change) for x in structure]
        return tuple(items) if isinstance(structure, tuple) else items
    return change(structure)


def as_lists(structure):
    """Arrays become (nested) Python lists; a number becomes a one-element list."""
    def change(leaf):
        return leaf.tolist() if isinstance(leaf, np.ndarray) and leaf.ndim else [float(leaf)]
    out = map_leaves(structure, change)
    return list(out) if isinstance(out, tuple) else out


def wrong_shape(leaf):
    """An extra trailing axis for arrays; a number becomes a (2,) array."""
    if isinstance(leaf, np.ndarray) and leaf.ndim:
        return leaf[..., None]
    return np.array([float(leaf), float(leaf)])


def with_nan(leaf):
    """The leaf with its first entry replaced by NaN."""
    if isinstance(leaf, np.ndarray) and leaf.ndim:
        out = np.array(leaf, dtype=float)
        out.flat[0] = np.nan
        return out
    return float("nan")


def transpose_2d(leaf):
    """Transpose a 2-D array; leave anything else alone."""
    return leaf.T.copy() if isinstance(leaf, np.ndarray) and leaf.ndim == 2 else leaf


def first_array_arg(args):
    """Return the first ndarray among the arguments (looking inside lists/tuples), or None."""
    for a in args:
        if isinstance(a, np.ndarray) and a.size:
            return a
        if isinstance(a, (list, tuple)):
            found = first_array_arg(a)
            if found is not None:
                return found
    return None
