"""A progress bar on stderr while grading (a plain line per tenth when not a terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Grading progress on ``stream`` (default stderr): a bar on a terminal, else a line per tenth."""

    def __init__(self, total: int, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.tty = self.enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()
        self.last_decile = -1

    def advance(self, student: str, points: float, max_points: float) -> None:
        """Count one more graded submission and show it with its points; returns None."""
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        if self.tty:
            width = 30
            filled = int(width * self.done / self.total)
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\rgrading [{bar}] {self.done}/{self.total}  {elapsed:5.0f} s, ~{eta:4.0f} s left  "
                              f"{student[:20]:<20} {points:g}/{max_points:g}")
            self.stream.flush()
        else:
            decile = 10 * self.done // self.total
            if decile != self.last_decile:
                self.last_decile = decile
                self.stream.write(f"grading: {self.done}/{self.total} done, {elapsed:.0f} s\n")
                self.stream.flush()

    def close(self) -> None:
        """End the bar's line on a terminal; returns None."""
        if self.tty and self.done:
            self.stream.write("\n")
            self.stream.flush()
