"""Scalar test functions handed to learners' gradient code (e.g. ``01.numerical_grad``).

They are plain data plus a formula, so the grader can send them to a sandboxed
submission as arrays (``spec()``) and rebuild them there (``from_spec``) without
pickling code. The formula uses tanh, not the sigmoid, so it gives away no answer.
"""

import numpy as np


class SmoothFunction:
    """f(w) = sum(tanh(w * A)) + 1/2 * sum((w @ B)**2), a smooth scalar function of w.

    A has w's shape; B is (w.shape[-1], k). Returns a Python float.
    """

    kind = "smooth"

    def __init__(self, A, B):
        self.A = np.asarray(A, dtype=np.float64)
        self.B = np.asarray(B, dtype=np.float64)

    def __call__(self, w):
        w = np.asarray(w, dtype=np.float64)
        return float(np.sum(np.tanh(w * self.A)) + 0.5 * np.sum((w @ self.B) ** 2))

    def gradient(self, w):
        """The exact gradient, shaped like w: A * (1 - tanh(w A)^2) + (w @ B) @ B.T."""
        w = np.asarray(w, dtype=np.float64)
        return self.A * (1 - np.tanh(w * self.A) ** 2) + (w @ self.B) @ self.B.T

    def spec(self):
        """Plain data describing this function: {"kind": "smooth", "A": array, "B": array}."""
        return {"kind": self.kind, "A": self.A, "B": self.B}

    def __deepcopy__(self, memo):
        return self  # immutable in use; the engine's snapshots need not copy it

    def __repr__(self):
        return f"SmoothFunction(w of shape {self.A.shape})"


def from_spec(spec):
    """Rebuild a test function from ``spec()`` data."""
    if spec.get("kind") == SmoothFunction.kind:
        return SmoothFunction(spec["A"], spec["B"])
    raise ValueError(f"unknown test function kind {spec.get('kind')!r}")
