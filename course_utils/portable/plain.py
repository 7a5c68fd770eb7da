"""Plain copies of values that come out of learner code, made without running any of it.

``to_plain(value)`` returns data built only from ``None``, ``bool``, ``int``, ``float``,
``complex``, ``str``, exact ``list`` / ``tuple`` and fresh exact ``numpy.ndarray`` copies of
numeric dtype; anything else becomes a ``Foreign`` marker that carries only a description.
Objects are read through the base types' own C-level methods (``np.ndarray.view``,
``float.__float__``, ``list.__iter__``), never through attributes or methods a subclass
may override, so a hostile object cannot run code while being read: no ``__array__``,
``__array_function__``, ``__iter__``, ``__len__``, ``__eq__``, properties or metaclass tricks.

The in-process check (``course_utils.checking``) and the grading sandbox's worker both
convert a learner's return value and the learner's arguments after the call with this
module, so both judge exactly the same plain data. Standard library and NumPy only: it
is copied into the grading sandbox.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np

__all__ = ["Foreign", "Plain", "to_plain", "first_difference", "describe", "MAX_DEPTH", "MAX_ITEMS",
           "MAX_ARRAY_ENTRIES"]

MAX_DEPTH = 32                 # nesting of lists / tuples
MAX_ITEMS = 100_000            # list / tuple items and scalars, over the whole value
MAX_ARRAY_ENTRIES = 10_000_000  # entries of one array (80 MB of float64)
_NUMERIC_KINDS = "biufc"


class Foreign:
    """Stands for a value that is not plain data: only ``what`` (a short description,
    e.g. "an object of type Tensor", "a dict") survives. Two Foreign markers are equal
    when their descriptions are."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = str(what)[:120]

    def __eq__(self, other: object) -> bool:
        return type(other) is Foreign and other.what == self.what

    def __hash__(self) -> int:
        return hash(self.what)

    def __repr__(self) -> str:
        return f"Foreign({self.what!r})"


Plain: TypeAlias = "None | bool | int | float | complex | str | np.ndarray | Foreign | list[Plain] | tuple[Plain, ...]"


def _type_name(t: type) -> str:
    # type.__dict__["__name__"] reads the C slot: a metaclass cannot fake it.
    try:
        name = type.__dict__["__name__"].__get__(t)
    except Exception:  # noqa: BLE001 - never fails for real types; be safe anyway
        return "object"
    return name if isinstance(name, str) else "object"


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"


class _Budget:
    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_ITEMS


def to_plain(value: object, exact: bool = False) -> Plain:
    """A plain copy of ``value`` (see the module docstring); never raises, never calls
    code belonging to ``value``'s type. Containers nested deeper than ``MAX_DEPTH`` or
    holding more than ``MAX_ITEMS`` items, and arrays of more than ``MAX_ARRAY_ENTRIES``
    entries, become ``Foreign`` markers saying so.

    With ``exact=False`` (for returned values) subclasses of the plain types are read as
    their base type: a memmap or an ndarray subclass becomes an ndarray copy, a
    namedtuple a tuple. With ``exact=True`` (for a learner's arguments after a call,
    to see whether one was replaced) any subclass becomes a ``Foreign`` marker naming it."""
    try:
        return _plain(value, 0, _Budget(), exact)
    except RecursionError:
        return Foreign("a value nested too deeply")
    except MemoryError:
        return Foreign("a value too large to copy")


def _plain(value: object, depth: int, budget: _Budget, exact: bool) -> Plain:
    budget.left -= 1
    if budget.left < 0:
        return Foreign(f"a value with more than {MAX_ITEMS:,} items")
    t = type(value)
    if value is None or t is bool or t is str or t is int or t is float or t is complex:
        return value  # type: ignore[return-value]
    if exact and t is not np.ndarray and t is not list and t is not tuple and not issubclass(t, np.generic):
        name = _type_name(t)
        return Foreign(f"{_article(name)} {name} object")
    if issubclass(t, np.ndarray):
        return _array(value)  # type: ignore[arg-type]
    if issubclass(t, np.generic):
        if any(t is s for s in _EXACT_NUMPY_SCALARS):  # identity: a metaclass cannot fake it
            return _array(np.asarray(value))
        return Foreign(f"a NumPy scalar of subclass {_type_name(t)}")
    if issubclass(t, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(value)
    if issubclass(t, int):
        return int.__int__(value)  # type: ignore[arg-type]
    if issubclass(t, float):
        return float.__float__(value)  # type: ignore[arg-type]
    if issubclass(t, complex):
        return complex(complex.__complex__(value))  # type: ignore[arg-type]
    if issubclass(t, str):
        return str.__str__(value)
    if issubclass(t, (list, tuple)):
        if depth >= MAX_DEPTH:
            return Foreign(f"a list or tuple nested more than {MAX_DEPTH} deep")
        seq: list[object] | tuple[object, ...] = value  # type: ignore[assignment]
        # issubclass on the real type, not isinstance (which trusts a forged __class__)
        iterator = list.__iter__(seq) if issubclass(t, list) else tuple.__iter__(seq)  # type: ignore[arg-type]
        items = [_plain(v, depth + 1, budget, exact) for v in iterator]
        return items if issubclass(t, list) else tuple(items)
    if issubclass(t, dict):
        return Foreign("a dict")
    if issubclass(t, (set, frozenset)):
        return Foreign("a set")
    name = _type_name(t)
    return Foreign(f"{_article(name)} {name} object")


_EXACT_NUMPY_SCALARS = tuple(
    {t for t in np.sctypeDict.values() if isinstance(t, type) and issubclass(t, np.generic)})


def _array(value: np.ndarray) -> Plain:
    base = np.ndarray.view(value, np.ndarray)  # a base-class view: no subclass code from here on
    t = type(value)
    if issubclass(t, np.ma.MaskedArray):
        return Foreign("a masked array")
    dtype = base.dtype
    if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in _NUMERIC_KINDS:
        return Foreign(f"an array of dtype {dtype}")
    if base.size > MAX_ARRAY_ENTRIES:
        return Foreign(f"an array of {base.size:,} entries (more than {MAX_ARRAY_ENTRIES:,})")
    return np.ndarray.copy(base, order="C")


def first_difference(before: Plain, after: Plain, where: str = "") -> str | None:
    """Where ``after`` differs from ``before`` ("" for the value itself, "[1][0]" inside a
    list), with " (only by rounding: ...)" when two arrays differ by rounding only; None
    when they are equal. Arrays are compared exactly (NaN equal to NaN); both arguments
    must be plain (``to_plain``)."""
    if type(before) is np.ndarray:
        if type(after) is not np.ndarray or after.shape != before.shape or after.dtype != before.dtype:
            return where
        if np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"):
            return None
        if before.dtype.kind in "fc" and np.allclose(before, after, rtol=1e-12, atol=1e-15, equal_nan=True):
            return where + " (only by rounding: save the old value and restore it exactly)"
        return where
    if type(before) in (list, tuple):
        assert isinstance(before, (list, tuple))
        if type(after) is not type(before) or len(after) != len(before):
            return where
        assert isinstance(after, (list, tuple))
        for i, (x, y) in enumerate(zip(before, after, strict=True)):
            found = first_difference(x, y, f"{where}[{i}]")
            if found is not None:
                return found
        return None
    if type(before) is float and type(after) is float and before != before and after != after:
        return None  # NaN is unchanged
    if type(before) is not type(after) or before != after:
        return where
    return None


def describe(value: Plain) -> str:
    """A short description of a plain value for messages: "None", "a number",
    "an array of shape (3, 2) and dtype float64", "a list", or a Foreign's own words."""
    t = type(value)
    if value is None:
        return "None"
    if t is Foreign:
        assert isinstance(value, Foreign)
        return value.what
    if t is np.ndarray:
        assert isinstance(value, np.ndarray)
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if t is bool:
        return "a bool"
    if t in (int, float):
        return "a number"
    if t is complex:
        return "a complex number"
    if t is str:
        return "a string"
    return f"{_article(t.__name__)} {t.__name__}"
