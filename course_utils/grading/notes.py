"""A bounded list of notes for one submission: the first ``limits.MAX_NOTES`` are kept,
each made printable and cut to ``limits.MAX_NOTE_CHARS``; the rest are only counted."""

from __future__ import annotations

from . import limits
from .text import printable

__all__ = ["Notes"]


class Notes:
    """Notes on running a submission (skipped magics, failed cells, limits hit, refused files)."""

    def __init__(self, limit: int = limits.MAX_NOTES) -> None:
        self.limit = limit
        self.kept: list[str] = []
        self.dropped = 0

    def add(self, text: object) -> None:
        """Keep ``text`` (made printable and bounded) if there is room, else count it; returns None."""
        if len(self.kept) < self.limit:
            note = printable(text, limits.MAX_NOTE_CHARS)
            if note and note not in self.kept:
                self.kept.append(note)
        else:
            self.dropped += 1

    def extend(self, texts: list[str]) -> None:
        """``add`` each of ``texts``; returns None."""
        for t in texts:
            self.add(t)

    def as_list(self) -> list[str]:
        """The kept notes, plus one saying how many more there were (list of str)."""
        if not self.dropped:
            return list(self.kept)
        return [*self.kept, f"... and {self.dropped:,} more notes (only the first {self.limit} are kept)"]
