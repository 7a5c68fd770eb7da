"""The instructor's secret: what makes grading deterministic without being guessable.

Every exercise's inputs are drawn from a generator seeded by the secret, the course
version and the exercise id (``checking.engine.grading_rng``), so a re-grade of the same
submission with the same secret and course version draws the very same inputs and gives
identical verdicts, two students with the same answer get the same points, and a
student who does not know the secret cannot know the inputs in advance.

The secret is 32 random bytes in a file readable by its owner only: by default
``<gradebook>.secret``, created (0600) on the first run, or the file given with
``--secret-file``. The resume state records ``secret_digest`` (a one-way hash), never
the secret itself.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat

from .reading import Unreadable, read_bounded

__all__ = ["SecretError", "load_or_create", "secret_digest"]

SECRET_BYTES = 32


class SecretError(Exception):
    """The secret file could not be read or made; ``str()`` says why, for the instructor."""


def load_or_create(path: str, create: bool = True) -> tuple[bytes, bool]:
    """(the secret in ``path``, True when it was just created). Creates a new 0600 file
    when ``create`` and there is none; raises SecretError when the file is not a regular
    file of ours, is readable by others, or holds too few bytes."""
    if create:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            pass
        except OSError as exc:
            raise SecretError(f"the secret file {path} could not be created ({exc.strerror})") from None
        else:
            value = secrets.token_bytes(SECRET_BYTES)
            try:
                os.write(fd, value.hex().encode() + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
            return value, True
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise SecretError(f"the secret file {path} could not be read ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise SecretError(f"the secret file {path} is not a regular file")
    if st.st_mode & 0o077:
        raise SecretError(f"the secret file {path} is readable by others (mode {stat.S_IMODE(st.st_mode):o}): "
                          f"run `chmod 600 {path}`")
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise SecretError(f"the secret file {path} belongs to another user")
    try:
        text = read_bounded(path, 4096).strip()
    except Unreadable as exc:
        raise SecretError(f"the secret file {path}: {exc}") from None
    try:
        value = bytes.fromhex(text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        value = text
    if len(value) < 16:
        raise SecretError(f"the secret file {path} holds fewer than 16 bytes")
    return value, False


def secret_digest(secret: bytes) -> str:
    """A one-way digest of the secret (hex) for the resume state: equal secrets, equal digests."""
    return hashlib.sha256(b"course-grade secret digest\0" + secret).hexdigest()
