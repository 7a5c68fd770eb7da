"""Atomic writes for the grader's outputs (gradebook, state, feedback): a reader sees the
old file or the new one, never half of either (``files.atomic``)."""

from __future__ import annotations

from ..files import atomic

__all__ = ["write_text"]


def write_text(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, creating its folder; returns None."""
    atomic.write_text(path, text)  # type: ignore[no-untyped-call]
