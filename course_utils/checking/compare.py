"""Turn a learner's return value into plain float64 arrays shaped like the reference.

``conform`` never trusts the value: it looks at ``type(value)`` (not ``isinstance``,
which an object can fool), copies data into fresh float64 arrays, and reports what is
wrong as a ``Mismatch`` carrying a diagnosis code. Two repairs are recorded rather than
refused outright, so the engine can name them when the repaired answer is right:
a transposed matrix (``transpose``) and a bias gradient kept per example
(``bias_not_summed``).
"""

import numpy as np

from . import diagnosis as D


class Mismatch(Exception):
    """The value cannot be compared with the reference: ``code`` and ``message`` say why."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


_NUMBER_TYPES = (int, float)


def _is_number(value):
    t = type(value)
    if t is bool or issubclass(t, np.bool_):
        return False
    return t in _NUMBER_TYPES or issubclass(t, (np.integer, np.floating))


def _is_array(value):
    t = type(value)
    return issubclass(t, np.ndarray) and not issubclass(t, (np.matrix, np.ma.MaskedArray))


def _is_scalar_ref(ref):
    return _is_number(ref) or (_is_array(ref) and ref.shape == ())


def describe(value):
    """A short description of what a value is, for messages: "a list", "array (3, 2)"."""
    t = type(value)
    if value is None:
        return "None"
    if _is_array(value):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if _is_number(value):
        return "a number"
    if t in (list, tuple, dict, str, bool, set):
        return f"a {t.__name__}"
    return f"an object of type {t.__name__}"


def _as_float_array(value, where):
    """Copy a real-valued array into a fresh float64 ndarray or raise Mismatch."""
    kind = value.dtype.kind
    if kind not in "fiu":
        raise Mismatch(D.WRONG_TYPE, f"{where} has dtype {value.dtype}; it should hold real numbers (float64).")
    if kind == "f" and value.dtype.itemsize < 8:
        raise Mismatch(D.WRONG_TYPE, f"{where} has dtype {value.dtype}: compute in float64 (NumPy's default), "
                                     "lower precision loses the digits the check compares.")
    return np.array(np.asarray(value), dtype=np.float64, copy=True)


def conform(value, ref, where="your answer"):
    """Return ``(clean, repairs)``: ``value`` as ``ref``'s structure of float64 data.

    ``ref`` is a number, an ndarray, or a tuple/list of those (nested). ``clean`` has the
    same structure with numbers as Python floats and arrays as fresh float64 ndarrays.
    ``repairs`` maps ``"transpose"`` / ``"bias_not_summed"`` to a sentence when a part
    had to be transposed or summed over axis 0 to reach the reference shape.
    Raises ``Mismatch`` for a wrong type, a wrong shape, or NaN / infinity.
    """
    repairs = {}
    clean = _conform(value, ref, where, repairs)
    return clean, repairs


def _conform(value, ref, where, repairs):
    if isinstance(ref, (tuple, list)):
        return _conform_sequence(value, ref, where, repairs)
    if _is_scalar_ref(ref):
        return _conform_number(value, where)
    return _conform_array(value, np.asarray(ref), where, repairs)


def _conform_sequence(value, ref, where, repairs):
    kind = "tuple" if type(ref) is tuple else "list"
    if type(value) not in (tuple, list):
        raise Mismatch(D.WRONG_TYPE, f"{where} should be a {kind} of {len(ref)} items, but it is {describe(value)}.")
    if len(value) != len(ref):
        raise Mismatch(D.SHAPE, f"{where} should have {len(ref)} items, but it has {len(value)}.")
    items = [_conform(v, r, f"{where}[{i}]", repairs) for i, (v, r) in enumerate(zip(value, ref))]
    return tuple(items) if type(ref) is tuple else items


def _conform_number(value, where):
    if _is_number(value):
        number = float(value)
    elif _is_array(value):
        if value.shape != ():
            raise Mismatch(D.SHAPE, f"{where} should be a single number, but it is {describe(value)}.")
        number = float(_as_float_array(value, where))
    else:
        hint = " (did you forget `return`?)" if value is None else ""
        raise Mismatch(D.WRONG_TYPE, f"{where} should be a single number, but it is {describe(value)}{hint}.")
    if not np.isfinite(number):
        raise Mismatch(D.NAN, f"{where} is {number}: a NaN or infinity crept in (overflow, 0/0 or log(0)?).")
    return number


def _conform_array(value, ref, where, repairs):
    if _is_number(value) and ref.shape != ():
        raise Mismatch(D.SHAPE, f"{where} should be an array of shape {ref.shape}, but it is a single number.")
    if not _is_array(value):
        if type(value) in (list, tuple):
            raise Mismatch(D.WRONG_TYPE, f"{where} is a {type(value).__name__}; return a NumPy array of shape {ref.shape} (np.array(...)).")
        raise Mismatch(D.WRONG_TYPE, f"{where} should be a NumPy array of shape {ref.shape}, but it is {describe(value)}.")
    arr = _as_float_array(value, where)
    if arr.shape != ref.shape:
        if arr.ndim == 2 and ref.ndim == 2 and arr.shape == ref.shape[::-1]:
            repairs.setdefault(D.TRANSPOSE, f"{where} has shape {arr.shape} but should have shape {ref.shape}")
            arr = arr.T.copy()
        elif ref.ndim == 1 and arr.ndim == 2 and arr.shape[1] == ref.shape[0] and arr.shape[0] > 1:
            repairs.setdefault(D.BIAS_NOT_SUMMED, f"{where} has shape {arr.shape} but should have shape {ref.shape}")
            arr = arr.sum(axis=0)
        else:
            raise Mismatch(D.SHAPE, f"{where} should have shape {ref.shape}, but yours has shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise Mismatch(D.NAN, f"{where} has {bad} NaN or infinite entries (overflow, 0/0 or log(0)?).")
    return arr


def leaves(structure):
    """Yield the numbers and arrays of a nested tuple/list structure, depth first."""
    if isinstance(structure, (tuple, list)):
        for item in structure:
            yield from leaves(item)
    else:
        yield structure


def rel_error(a, b, floor_fraction=1e-6):
    """Largest elementwise relative error between two structures of the same shape.

    For each entry: |a - b| / max(|a| + |b|, floor), with floor a small fraction of the
    largest magnitude in the pair, so entries that are tiny next to the rest are judged
    on an absolute scale instead of blowing up. Returns a float in [0, 1].
    """
    worst = 0.0
    for x, y in zip(leaves(a), leaves(b)):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        scale = max(float(np.max(np.abs(x), initial=0.0)), float(np.max(np.abs(y), initial=0.0)))
        floor = max(floor_fraction * scale, 1e-300)
        err = np.abs(x - y) / np.maximum(np.abs(x) + np.abs(y), floor)
        worst = max(worst, float(np.max(err, initial=0.0)))
    return worst


def negate(structure):
    """The structure with every number and array negated."""
    if isinstance(structure, (tuple, list)):
        items = [negate(s) for s in structure]
        return tuple(items) if type(structure) is tuple else items
    return -structure
