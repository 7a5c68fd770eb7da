"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

import os
import tempfile


def write_text(path, text, prefix=".tmp-"):
    """Write ``text`` (UTF-8) to ``path`` via a temporary file in the same folder, flushed to
    disk, then renamed over ``path``. Creates the folder if needed; returns None."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
