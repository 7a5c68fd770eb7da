"""Finite-difference gradient checking (central differences, float64).

``numerical_gradient(f, x)`` estimates df/dx for a scalar function of an array;
``rel_error`` is CS231n's relative error (max over entries of |a - n| / max(|a|, |n|));
``gradcheck`` compares an analytic gradient
with the numerical one and says whether they agree.

The course's one tolerance rule (derived in notebook 01, section 6): step ``EPS`` = 1e-6,
and a gradient is right when its relative error is at most ``TOL`` = 1e-6. A right
gradient's relative error is about (EPS**2 |f3| / 6 + 2**-53 |L| / EPS) / |g_i|, f3 the
third derivative along the entry: the truncation of the central difference plus the
rounding of the two loss values, divided by the size of the entry. At EPS = 1e-6 that is
~1e-12 + 1e-10 |L| / |g_i|, so TOL holds with a margin of 10 while |L| <= 1e3 |g_i|. For a
loss much larger than the entries checked, raise eps to 1e-5 (less rounding) or check
fewer examples; do not loosen TOL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["numerical_gradient", "rel_error", "GradcheckResult", "gradcheck", "EPS", "TOL"]

EPS = 1e-6   # the course's finite-difference step
TOL = 1e-6   # the course's tolerance on rel_error (the module docstring says why)


def numerical_gradient(f: Callable[[NDArray[np.float64]], Any], x: ArrayLike, eps: float = EPS
                       ) -> NDArray[np.float64]:
    """Central-difference gradient of scalar ``f`` at ``x``; returns an array shaped like x.

    ``x`` is never modified: the function works on a float64 copy.
    """
    at = np.array(x, dtype=np.float64)
    grad = np.zeros_like(at)
    for i in np.ndindex(at.shape):
        old = at[i]
        at[i] = old + eps
        f_plus = float(f(at))
        at[i] = old - eps
        f_minus = float(f(at))
        at[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def _leaves(x: Any) -> Iterator[Any]:
    if isinstance(x, (list, tuple)):
        for item in x:
            yield from _leaves(item)
    else:
        yield x


def rel_error(a: Any, n: Any, tiny: float = 1e-12) -> float:
    """CS231n's relative error, max over entries of |a - n| / max(|a|, |n|), as a float.

    ``a`` and ``n`` are numbers, arrays, or matching (nested) tuples/lists of them (the
    maximum is over every entry of every part). ``tiny`` keeps 0 / 0 at 0 where both
    entries vanish."""
    worst = 0.0
    for p, q in zip(_leaves(a), _leaves(n), strict=True):
        x = np.asarray(p, dtype=np.float64)
        y = np.asarray(q, dtype=np.float64)
        ratio = np.abs(x - y) / np.maximum(np.maximum(np.abs(x), np.abs(y)), tiny)
        worst = max(worst, float(np.max(ratio, initial=0.0)))
    return worst


@dataclass
class GradcheckResult:
    """Outcome of ``gradcheck``: per-input relative errors and the verdict."""

    errors: list[float]
    tol: float

    @property
    def max_error(self) -> float:
        """The largest relative error over all inputs (a float)."""
        return max(self.errors, default=0.0)

    @property
    def passed(self) -> bool:
        """True when every relative error is at most ``tol``."""
        return self.max_error <= self.tol

    def __repr__(self) -> str:
        verdict = "OK" if self.passed else "MISMATCH"
        return f"gradcheck {verdict}: max relative error {self.max_error:.1e} (tolerance {self.tol:.0e})"


def gradcheck(f: Callable[..., Any], inputs: Any, analytic: Any, eps: float = EPS, tol: float = TOL
              ) -> GradcheckResult:
    """Compare analytic gradients with central differences.

    f         scalar function called as f(*inputs) (or f(inputs) for a single array).
    inputs    an array, or a list/tuple of arrays, at which to check.
    analytic  the claimed gradient(s): same structure and shapes as ``inputs``.
    Returns a ``GradcheckResult`` (``.passed``, ``.max_error``, ``.errors``).
    """
    single = isinstance(inputs, np.ndarray) or np.isscalar(inputs)
    arrays = [np.asarray(inputs, dtype=np.float64)] if single else [np.asarray(x, dtype=np.float64) for x in inputs]
    grads = [analytic] if single else list(analytic)
    errors = []
    for k, x in enumerate(arrays):
        def f_k(value: NDArray[np.float64], k: int = k) -> Any:
            args = list(arrays)
            args[k] = value
            return f(args[0]) if single else f(*args)

        errors.append(rel_error(grads[k], numerical_gradient(f_k, x, eps)))
    return GradcheckResult(errors, tol)
