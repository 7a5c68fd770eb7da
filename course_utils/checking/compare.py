"""Read a learner's (plain) answer against the reference, and measure how far apart two answers are.

``conform(value, ref, roles, batch)`` turns a plain value (``portable.plain``) into the
reference's structure of float64 data, or raises ``Mismatch`` with a diagnosis code (a
wrong type, a wrong shape, NaN or infinity). Shape slips whose meaning is certain are
repaired and recorded rather than refused, so the engine can name them when the repaired
answer explains everything:

- a 2-D answer with the reference's shape reversed: ``transpose``;
- an answer with one extra leading axis of length N, for an output leaf whose role is a
  bias or a weight gradient of a batch exercise: ``bias_not_summed`` / ``weight_not_summed``
  (summed over that axis);
- an (n, n) diagonal matrix where an (n,) vector is expected: ``diagonal_jacobian``
  (its diagonal is read).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..portable.plain import Foreign, describe
from . import diagnosis as D
from .diagnosis import Diagnosis
from .exercise import Role

Structure = Any  # a number, a str, an ndarray, or a tuple / list of Structures


class Mismatch(Exception):
    """The value cannot be compared with the reference: ``code`` and ``message`` say why."""

    def __init__(self, code: Diagnosis, message: str) -> None:
        super().__init__(message)
        self.code: Diagnosis = code
        self.message = message


def _is_number(value: object) -> bool:
    return type(value) in (int, float)


def is_scalar_ref(ref: object) -> bool:
    """True when the reference output is a single number (a Python number or a 0-d array)."""
    return _is_number(ref) or (isinstance(ref, np.ndarray) and type(ref) is np.ndarray and ref.shape == ())


def leaves(structure: Structure) -> Iterator[Any]:
    """The numbers, strings and arrays of a nested tuple/list structure, depth first."""
    if isinstance(structure, (tuple, list)):
        for item in structure:
            yield from leaves(item)
    else:
        yield structure


def rebuild(structure: Structure, new_leaves: Iterator[Any]) -> Structure:
    """``structure`` with its leaves replaced, in order, by ``new_leaves``."""
    if isinstance(structure, (tuple, list)):
        items = [rebuild(s, new_leaves) for s in structure]
        return tuple(items) if type(structure) is tuple else items
    return next(new_leaves)


def conform(value: Any, ref: Structure, roles: Sequence[Role] | None = None, batch: int | None = None,
            where: str = "your answer") -> tuple[Structure, dict[Diagnosis, str]]:
    """Return ``(clean, repairs)``: the plain ``value`` as ``ref``'s structure of float64 data.

    ``clean`` has numbers as Python floats, arrays as float64 ndarrays, strings as str.
    ``repairs`` maps a repair's code (transpose, bias_not_summed, weight_not_summed,
    diagonal_jacobian) to a sentence saying which part was repaired. ``roles`` gives
    each output leaf's role (depth-first order); ``batch`` the batch size N, or None.
    Raises ``Mismatch`` for a wrong type, a wrong shape, or NaN / infinity.
    """
    repairs: dict[Diagnosis, str] = {}
    role_iter = iter(roles) if roles is not None else None
    clean = _conform(value, ref, where, repairs, role_iter, batch)
    return clean, repairs


def _conform(value: Any, ref: Structure, where: str, repairs: dict[Diagnosis, str],
             roles: Iterator[Role] | None, batch: int | None) -> Structure:
    if isinstance(ref, (tuple, list)):
        return _conform_sequence(value, ref, where, repairs, roles, batch)
    role: Role = next(roles, "other") if roles is not None else "other"
    if isinstance(ref, str):
        return _conform_choice(value, ref, where)
    if is_scalar_ref(ref):
        return _conform_number(value, where, repairs, role, batch)
    return _conform_array(value, np.asarray(ref), where, repairs, role, batch)


def _conform_sequence(value: Any, ref: Sequence[Any], where: str, repairs: dict[Diagnosis, str],
                      roles: Iterator[Role] | None, batch: int | None) -> Structure:
    kind = "tuple" if type(ref) is tuple else "list"
    if type(value) not in (tuple, list):
        hint = " (did you return only one of them?)" if type(value) is np.ndarray or _is_number(value) else ""
        raise Mismatch(D.WRONG_TYPE, f"{where} should be a {kind} of {len(ref)} items, but it is "
                                     f"{describe(value)}{hint}.")
    if len(value) != len(ref):
        raise Mismatch(D.SHAPE, f"{where} should have {len(ref)} items, but it has {len(value)}.")
    items = [_conform(v, r, f"{where}[{i}]", repairs, roles, batch)
             for i, (v, r) in enumerate(zip(value, ref, strict=True))]
    return tuple(items) if type(ref) is tuple else items


def _conform_choice(value: Any, ref: str, where: str) -> str:
    if type(value) is not str:
        # never quote the reference here: for a one-letter choice it IS the answer
        raise Mismatch(D.WRONG_TYPE, f"{where} should be a string (one of the options listed with the question), "
                                     f"but it is {describe(value)}.")
    return value.strip().lower()


def _finite_number(number: float, where: str) -> float:
    if not np.isfinite(number):
        raise Mismatch(D.NAN, f"{where} is {number}: a NaN or infinity crept in (overflow, 0/0 or log(0)?).")
    return number


def _conform_number(value: Any, where: str, repairs: dict[Diagnosis, str] | None = None, role: Role = "other",
                    batch: int | None = None) -> float:
    if (type(value) is np.ndarray and repairs is not None and role in ("weight", "bias") and batch is not None
            and batch > 1 and value.shape == (batch,)):
        code: Diagnosis = D.BIAS_NOT_SUMMED if role == "bias" else D.WEIGHT_NOT_SUMMED
        repairs.setdefault(code, f"{where} has shape {value.shape} but should be a single number: "
                                 "one entry per example")
        return _finite_number(float(_as_float_array(value, where).sum()), where)
    if type(value) is int:
        try:
            return _finite_number(float(value), where)
        except OverflowError as exc:
            raise Mismatch(D.NAN, f"{where} is an integer too large for a float.") from exc
    if type(value) is float:
        return _finite_number(value, where)
    if type(value) is np.ndarray:
        if value.shape != ():
            raise Mismatch(D.SHAPE, f"{where} should be a single number, but it is {describe(value)}.")
        return _finite_number(float(_as_float_array(value, where)), where)
    hint = " (did you forget `return`?)" if value is None else ""
    raise Mismatch(D.WRONG_TYPE, f"{where} should be a single number, but it is {describe(value)}{hint}.")


def _as_float_array(value: np.ndarray, where: str) -> np.ndarray:
    kind = value.dtype.kind
    if kind not in "fiub":
        raise Mismatch(D.WRONG_TYPE, f"{where} has dtype {value.dtype}; it should hold real numbers (float64).")
    if kind == "b":
        raise Mismatch(D.WRONG_TYPE, f"{where} holds True/False values; it should hold numbers (float64).")
    if kind == "f" and value.dtype.itemsize < 8:
        raise Mismatch(D.WRONG_TYPE, f"{where} has dtype {value.dtype}: compute in float64 (NumPy's default); "
                                     "lower precision loses the digits the check compares.")
    return np.array(value, dtype=np.float64, copy=True)


def _conform_array(value: Any, ref: np.ndarray, where: str, repairs: dict[Diagnosis, str],
                   role: Role, batch: int | None) -> np.ndarray:
    if _is_number(value):
        raise Mismatch(D.SHAPE, f"{where} should be an array of shape {ref.shape}, but it is a single number.")
    if type(value) is not np.ndarray:
        if type(value) in (list, tuple):
            raise Mismatch(D.WRONG_TYPE, f"{where} is a {type(value).__name__}; return a NumPy array of shape "
                                         f"{ref.shape} (np.array(...)).")
        what = value.what if type(value) is Foreign else describe(value)
        hint = " (did you forget `return`?)" if value is None else ""
        raise Mismatch(D.WRONG_TYPE, f"{where} should be a NumPy array of shape {ref.shape}, but it is {what}{hint}.")
    arr = _as_float_array(value, where)
    if arr.shape != ref.shape:
        arr = _repair_shape(arr, ref, where, repairs, role, batch)
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise Mismatch(D.NAN, f"{where} has {bad} NaN or infinite entr{'y' if bad == 1 else 'ies'} "
                              "(overflow, 0/0 or log(0)?).")
    return arr


def _repair_shape(arr: np.ndarray, ref: np.ndarray, where: str, repairs: dict[Diagnosis, str],
                  role: Role, batch: int | None) -> np.ndarray:
    said = f"{where} has shape {arr.shape} but should have shape {ref.shape}"
    if arr.ndim == 2 and ref.ndim == 2 and arr.shape == ref.shape[::-1]:
        repairs.setdefault(D.TRANSPOSE, said)
        return arr.T.copy()
    if role in ("weight", "bias") and batch is not None and batch > 1 and arr.shape == (batch, *ref.shape):
        code: Diagnosis = D.BIAS_NOT_SUMMED if role == "bias" else D.WEIGHT_NOT_SUMMED
        repairs.setdefault(code, f"{said}: one entry per example")
        summed: np.ndarray = arr.sum(axis=0)
        return summed
    if ref.ndim == 1 and ref.shape[0] > 1 and arr.shape == (ref.shape[0], ref.shape[0]):
        off = arr - np.diag(np.diag(arr))
        if not np.any(off):
            repairs.setdefault(D.DIAGONAL_JACOBIAN, f"{said}: a diagonal matrix")
            return np.diag(arr).copy()
    raise Mismatch(D.SHAPE, f"{where} should have shape {ref.shape}, but yours has shape {arr.shape}.")


def gap(a: Structure, b: Structure, floor_fraction: float = 1e-6) -> float:
    """How far apart two answers of the same structure are: the largest entry-wise
    |a - b| / max(|a| + |b|, floor), where the floor is ``floor_fraction`` of the largest
    magnitude in that pair of leaves (so entries tiny next to the rest are judged on an
    absolute scale). Strings: 0 when equal, else 1. A float in [0, 1]."""
    worst = 0.0
    for x, y in zip(leaves(a), leaves(b), strict=True):
        if isinstance(x, str) or isinstance(y, str):
            if x != y:
                return 1.0
            continue
        xa = np.asarray(x, dtype=np.float64)
        ya = np.asarray(y, dtype=np.float64)
        if xa.shape != ya.shape:
            return 1.0
        scale = max(float(np.max(np.abs(xa), initial=0.0)), float(np.max(np.abs(ya), initial=0.0)))
        floor = max(floor_fraction * scale, 1e-300)
        err = np.abs(xa - ya) / np.maximum(np.abs(xa) + np.abs(ya), floor)
        worst = max(worst, float(np.max(err, initial=0.0)))
    return worst


def negate(structure: Structure) -> Structure:
    """The structure with every number and array negated (strings unchanged)."""
    return rebuild(structure, iter([x if isinstance(x, str) else -x for x in leaves(structure)]))


def leaf_gaps(a: Structure, b: Structure) -> list[float]:
    """``gap`` of each pair of leaves, in order (for "which part is wrong" messages)."""
    return [gap(x, y) for x, y in zip(leaves(a), leaves(b), strict=True)]


def square_leaves(structure: Structure) -> list[int]:
    """Indices (depth-first) of the leaves that are square 2-D arrays of side > 1."""
    return [i for i, x in enumerate(leaves(structure))
            if isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[0] == x.shape[1] > 1]


def transpose_leaves(structure: Structure, which: Sequence[int]) -> Structure:
    """The structure with the leaves at indices ``which`` transposed."""
    chosen = set(which)
    return rebuild(structure, iter([x.T if i in chosen else x for i, x in enumerate(leaves(structure))]))
