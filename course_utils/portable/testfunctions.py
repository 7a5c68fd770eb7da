"""Scalar test functions handed to learners' gradient code (e.g. ``01.numerical_grad``).

They are plain data plus a formula, so the grader can send them to a sandboxed
submission as arrays (``spec()``) and rebuild them there (``from_spec``) without
pickling code. The formula uses tanh, not the sigmoid, so it gives away no answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


class SmoothFunction:
    """f(w) = sum(tanh(w * A)) + 1/2 * sum((w @ B)**2), a smooth scalar function of w.

    A has w's shape; B is (w.shape[-1], k). Returns a Python float.
    """

    kind = "smooth"

    def __init__(self, A: ArrayLike, B: ArrayLike) -> None:
        self.A = np.asarray(A, dtype=np.float64)
        self.B = np.asarray(B, dtype=np.float64)

    def __call__(self, w: ArrayLike) -> float:
        v = np.asarray(w, dtype=np.float64)
        return float(np.sum(np.tanh(v * self.A)) + 0.5 * np.sum((v @ self.B) ** 2))

    def gradient(self, w: ArrayLike) -> NDArray[np.float64]:
        """The exact gradient, shaped like w: A * (1 - tanh(w A)^2) + (w @ B) @ B.T."""
        v = np.asarray(w, dtype=np.float64)
        out: NDArray[np.float64] = self.A * (1 - np.tanh(v * self.A) ** 2) + (v @ self.B) @ self.B.T
        return out

    def spec(self) -> dict[str, Any]:
        """Plain data describing this function: {"kind": "smooth", "A": array, "B": array}."""
        return {"kind": self.kind, "A": self.A, "B": self.B}

    def __deepcopy__(self, memo: dict[int, Any]) -> SmoothFunction:
        return self  # immutable in use; the engine's snapshots need not copy it

    def __repr__(self) -> str:
        return f"SmoothFunction(w of shape {self.A.shape})"


def from_spec(spec: dict[str, Any]) -> SmoothFunction:
    """Rebuild a test function from ``spec()`` data."""
    if spec.get("kind") == SmoothFunction.kind:
        return SmoothFunction(spec["A"], spec["B"])
    raise ValueError(f"unknown test function kind {spec.get('kind')!r}")
