"""Untrusted text made safe to store, print and write: one place for the rule.

Everything a submission controls (file and folder names, notebook text, messages from
its sandbox) may hold bytes that are not UTF-8 (``os.listdir`` returns them as lone
surrogates), lone surrogates from JSON ``"\\ud800"`` escapes, control characters, or be
enormous. ``printable`` turns any of it into a bounded, printable, UTF-8-encodable
``str``; ``shown_name`` does the same for a path, keeping undecodable bytes visible as
``\\xNN``. The grader applies them where text enters a record, so nothing downstream
(the CSV, feedback files, the resume state, the terminal) can fail on it.
"""

from __future__ import annotations

import os
import unicodedata

__all__ = ["printable", "shown_name", "clip", "name_bytes"]

_ELLIPSIS = "..."


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "..." when cut (str)."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(_ELLIPSIS))] + _ELLIPSIS


def _char(c: str) -> str:
    code = ord(c)
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate: an undecodable byte or a JSON escape
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"
    if c in "\t\n\r":
        return " "
    category = unicodedata.category(c)
    if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):  # control, format (bidi overrides), unassigned
        return " " if category in ("Cc", "Zl", "Zp") else "\ufffd"
    return c


def printable(value: object, limit: int = 300) -> str:
    """``value`` as one printable line of at most ``limit`` characters: encodable as
    UTF-8, no control or bidi-override characters (each becomes a space or U+FFFD),
    runs of whitespace collapsed. Never raises, whatever ``value`` is."""
    if type(value) is not str:
        try:
            if isinstance(value, str):
                value = str.__str__(value)
            elif isinstance(value, BaseException):
                value = str(value) or type(value).__name__
            else:
                value = repr(value)
        except Exception:  # noqa: BLE001 - a hostile __repr__
            value = f"<{type(value).__name__}>"
    assert isinstance(value, str)
    # Look at a little more than the limit, so a huge text costs nothing more.
    head = value[: limit * 2 + 16] if limit > 0 else ""
    out = " ".join("".join(_char(c) for c in head).split())
    if len(value) > len(head) and len(out) <= limit:
        out = out[: max(0, limit - len(_ELLIPSIS))] + _ELLIPSIS
    return clip(out, limit)


def name_bytes(path: str) -> bytes:
    """The file-system bytes of ``path`` (undoing ``os.listdir``'s surrogate escapes)."""
    return os.fsencode(path)


def shown_name(path: str, limit: int = 200) -> str:
    """A path (or name) for people: printable, with bytes that are not UTF-8 shown as ``\\xNN``."""
    raw = os.fsencode(path)
    text = raw.decode("utf-8", "backslashreplace")
    return printable(text, limit)
