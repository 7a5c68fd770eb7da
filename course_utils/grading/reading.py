"""Read a submitted file safely: a regular file only, never through a link, never more
than a bound, never blocking.

``discovery`` looked at the file once; by the time it is read it may have been swapped
for a FIFO, a link to ``/dev/zero`` or a 3 GB file. ``read_bounded`` opens it with
``O_NOFOLLOW | O_NONBLOCK``, checks the open file itself (``fstat``: a regular file),
and reads at most ``limit + 1`` bytes, so none of those can block, exhaust memory or
read another file.
"""

from __future__ import annotations

import os
import stat

__all__ = ["Unreadable", "read_bounded"]


class Unreadable(Exception):
    """The file could not be read as a submission; ``str()`` says why, for the learner."""


def read_bounded(path: str, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` of them). Raises
    ``Unreadable`` when it is a link, not a regular file, larger than ``limit`` bytes,
    or cannot be opened or read."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == getattr(os, "ELOOP", 40):
            raise Unreadable("it is a symbolic link (only regular files are graded)") from None
        raise Unreadable(f"it could not be opened ({exc.strerror or type(exc).__name__})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable("it is not a regular file (only regular files are graded)")
        if st.st_size > limit:
            raise Unreadable(f"it is {st.st_size / 2 ** 20:.1f} MB, more than the {limit / 2 ** 20:g} MB allowed "
                             "(--max-notebook-mb)")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # it grew while being read
            raise Unreadable(f"it is more than the {limit / 2 ** 20:g} MB allowed (--max-notebook-mb)")
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(f"it could not be read ({exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)
