"""Helpers for exercise input generators: random sizes, weights, labels.

Every generator takes a seeded ``numpy.random.Generator`` and returns float64 data.
The rules of DESIGN.md are built in: sizes that differ from each other (so a transpose
shows in the shape), non-zero non-symmetric weights, both labels in every batch.
"""

import numpy as np

from . import compare


def distinct_sizes(rng, count, low=2, high=7):
    """Return ``count`` different integers drawn from [low, high] (inclusive)."""
    pool = np.arange(low, high + 1)
    return [int(v) for v in rng.choice(pool, size=count, replace=False)]


def nonzero(rng, shape, scale=1.0, floor=0.1):
    """Random float64 array of ``shape`` (``()`` gives a float) with every |entry| in
    [floor, scale + floor] and random signs: never zero, never symmetric by design."""
    magnitude = floor + scale * rng.random(shape)
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    out = np.asarray(sign * magnitude, dtype=np.float64)
    return float(out) if shape == () else out


def features(rng, shape, scale=1.0):
    """Random inputs of ``shape`` (standard normal times ``scale``), float64."""
    return np.asarray(scale * rng.standard_normal(shape), dtype=np.float64)


def targets(rng, shape=()):
    """Regression targets in (0.05, 0.95): reachable by a sigmoid output."""
    out = 0.05 + 0.9 * rng.random(shape)
    return float(out) if shape == () else np.asarray(out, dtype=np.float64)


def labels(rng, n):
    """(n,) float64 array of 0s and 1s holding both labels (n >= 2)."""
    if n < 2:
        raise ValueError("a label batch needs n >= 2 to hold both classes")
    y = (rng.random(n) < 0.5).astype(np.float64)
    y[0], y[1] = 0.0, 1.0
    return rng.permutation(y)


def layer_params(rng, sizes, scale=1.0):
    """List of (W_l (n_{l-1}, n_l), b_l (n_l,)) for consecutive ``sizes``, non-zero entries."""
    return [(nonzero(rng, (a, b), scale), nonzero(rng, (b,), scale)) for a, b in zip(sizes[:-1], sizes[1:])]


def well_separated(args, fns, min_gap=0.05):
    """True when the outputs of ``fns`` on ``args``, and the first one negated, differ
    pairwise by a relative error of at least ``min_gap`` (see ``compare.rel_error``).

    Draws use it to reject degenerate inputs: the reference (fns[0]), its negation
    (the generic ``sign`` diagnosis) and every known mistake must be told apart clearly
    on every draw, so a named diagnosis is always the right one.
    """
    outs = [f(*args) for f in fns]
    outs.insert(1, compare.negate(outs[0]))
    for i in range(len(outs)):
        for j in range(i + 1, len(outs)):
            if compare.rel_error(outs[i], outs[j]) < min_gap:
                return False
    return True


def draw_until(rng, make, fns, tries=200, min_gap=0.05):
    """Call ``make(rng)`` until its arguments separate ``fns`` by at least ``min_gap``
    (``well_separated``); return those arguments."""
    for _ in range(tries):
        args = make(rng)
        if well_separated(args, fns, min_gap):
            return args
    raise RuntimeError("could not draw well-separated inputs")  # pragma: no cover
