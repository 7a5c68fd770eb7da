"""Helpers for exercise input generators: random sizes, weights, labels.

Every generator takes a seeded ``numpy.random.Generator`` and returns float64 data.
The rules of docs/design.md are built in: sizes that differ from each other (so a transpose
shows in the shape), non-zero non-symmetric weights, both labels in every batch.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np


def distinct_sizes(rng: np.random.Generator, count: int, low: int = 2, high: int = 7) -> list[int]:
    """Return ``count`` different integers drawn from [low, high] (inclusive)."""
    pool = np.arange(low, high + 1)
    return [int(v) for v in rng.choice(pool, size=count, replace=False)]


def nonzero(rng: np.random.Generator, shape: Any, scale: float = 1.0, floor: float = 0.1) -> Any:
    """Random float64 array of ``shape`` (``()`` gives a float) with every |entry| in
    [floor, scale + floor] and random signs: never zero, never symmetric by design."""
    magnitude = floor + scale * rng.random(shape)
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    out = np.asarray(sign * magnitude, dtype=np.float64)
    return float(out) if shape == () else out


def away_from_one(rng: np.random.Generator, shape: Any = ()) -> Any:
    """Non-zero weights whose magnitude is in [0.3, 0.7] or [1.5, 2.5], random signs.

    Far from 0 (so nothing vanishes) and far from 1 (so forgetting to multiply by the
    weight changes the answer clearly). ``shape=()`` gives a float."""
    small = 0.3 + 0.4 * rng.random(shape)
    large = 1.5 + 1.0 * rng.random(shape)
    magnitude = np.where(rng.random(shape) < 0.5, small, large)
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    out = np.asarray(sign * magnitude, dtype=np.float64)
    return float(out) if shape == () else out


def features(rng: np.random.Generator, shape: Any, scale: float = 1.0) -> np.ndarray:
    """Random inputs of ``shape`` (standard normal times ``scale``), float64."""
    return np.asarray(scale * rng.standard_normal(shape), dtype=np.float64)


def targets(rng: np.random.Generator, shape: Any = ()) -> Any:
    """Regression targets in (0.05, 0.95): reachable by a sigmoid output."""
    out = 0.05 + 0.9 * rng.random(shape)
    return float(out) if shape == () else np.asarray(out, dtype=np.float64)


def labels(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n,) float64 array of 0s and 1s holding both labels (n >= 2)."""
    if n < 2:
        raise ValueError("a label batch needs n >= 2 to hold both classes")
    y = (rng.random(n) < 0.5).astype(np.float64)
    y[0], y[1] = 0.0, 1.0
    return rng.permutation(y)


def layer_params(rng: np.random.Generator, sizes: list[int], scale: float = 1.0) -> list[tuple[np.ndarray, np.ndarray]]:
    """List of (W_l (n_{l-1}, n_l), b_l (n_l,)) for consecutive ``sizes``, non-zero entries."""
    return [(nonzero(rng, (a, b), scale), nonzero(rng, (b,), scale)) for a, b in itertools.pairwise(sizes)]


class Redraw(Exception):
    """Raised by a case's draw when the random values it got cannot make the case (e.g. a
    target below a prediction of 0.01): the engine draws again."""


def target_on_side(rng: np.random.Generator, yhat: Any, side: Any, gap: float = 0.1, low: float = 0.02,
                   high: float = 0.98) -> Any:
    """Targets y in [low, high] with sign(yhat - y) == side (+1: the prediction above the
    target, -1: below) and |yhat - y| >= gap, entry by entry. ``yhat`` a number or an
    array, ``side`` a number or an array of +-1 like it. Raises ``Redraw`` where the side
    cannot be reached (e.g. yhat = 0.05 with side +1)."""
    yhat = np.asarray(yhat, dtype=np.float64)
    side = np.broadcast_to(np.asarray(side, dtype=np.float64), yhat.shape)
    lo = np.where(side > 0, low, yhat + gap)
    hi = np.where(side > 0, yhat - gap, high)
    if np.any(hi <= lo):
        raise Redraw("a target on that side of the prediction is out of reach")
    y = lo + (hi - lo) * rng.random(yhat.shape)
    return float(y) if y.shape == () else y


def mixed_sides(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n,) array of +-1 holding both signs (n >= 2): some predictions above their
    target and some below."""
    if n < 2:
        raise ValueError("mixed sides need n >= 2")
    side = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    side[0], side[1] = 1.0, -1.0
    return rng.permutation(side)
