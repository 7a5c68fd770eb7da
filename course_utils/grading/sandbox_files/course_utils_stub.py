"""A stand-in for ``course_utils`` inside the grading sandbox.

A submitted notebook runs ``from course_utils import check, hint, solution, gradcheck``
as the learner did; here those names do nothing (the grader judges the functions
itself, outside the sandbox). The course's public numerical helpers (functions,
testfunctions, gradcheck: NumPy-only modules that hold no exercise answers) are copied
next to this file; every other submodule or name is a harmless no-op. The real package,
with the exercises' reference answers, cannot be imported or read here.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterator, Sequence
from typing import Any


class _Nothing:
    """A harmless value: calling it, or any attribute of it, gives itself back."""

    def __call__(self, *args: Any, **kwargs: Any) -> _Nothing:
        return self

    def __getattr__(self, name: str) -> _Nothing:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __bool__(self) -> bool:
        return True

    def __format__(self, spec: str) -> str:
        return "n/a"

    def __repr__(self) -> str:
        return "(not available while grading)"

    def _repr_html_(self) -> str:
        return ""


_NOTHING = _Nothing()


def check(*args: Any, **kwargs: Any) -> None:
    """No-op while grading: the grader checks your functions itself."""


def hint(*args: Any, **kwargs: Any) -> None:
    """No-op while grading."""


def solution(*args: Any, **kwargs: Any) -> None:
    """No-op while grading."""


def progress(*args: Any, **kwargs: Any) -> None:
    """No-op while grading."""


def exercise_ids() -> list[str]:
    """No exercises while grading: returns an empty list."""
    return []


def run_check(*args: Any, **kwargs: Any) -> _Nothing:
    """No-op while grading: returns a harmless placeholder value."""
    return _NOTHING


class CheckFailed(AssertionError):
    """Never raised while grading; defined so notebooks that catch it still run."""


gradcheck: Any
numerical_gradient: Any
rel_error: Any
try:
    from .gradcheck import gradcheck, numerical_gradient, rel_error  # type: ignore[no-redef]
except Exception:  # noqa: BLE001 - not copied into this sandbox
    gradcheck = numerical_gradient = rel_error = _NOTHING

for _public in ("functions", "testfunctions"):  # `from course_utils import functions` gives the module, as in class
    try:
        importlib.import_module(f"{__name__}.{_public}")
    except Exception:  # noqa: BLE001 - not copied into this sandbox: the finder below makes a module of no-ops
        pass


def __getattr__(name: str) -> _Nothing:
    if name.startswith("__"):
        raise AttributeError(name)
    return _NOTHING


class _StubModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Any other ``course_utils.X`` module imports as a module of no-ops."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        """A package spec for any ``course_utils.X`` submodule; None for every other module."""
        if fullname.startswith(__name__ + "."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        """An empty package module whose every attribute is a harmless no-op."""
        module = types.ModuleType(spec.name)
        module.__path__ = []
        setattr(module, "__getattr__", __getattr__)  # noqa: B010 - a module-level __getattr__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the module stays empty; returns None."""


sys.meta_path.append(_StubModuleFinder())
