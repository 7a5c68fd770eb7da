"""The wire protocol between the grader and a sandboxed worker: plain data, never pickle.

A message is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
Values are the plain data of ``plain.to_plain`` and travel exactly, as JSON with a few
tagged objects:

    {"__nd__": [dtype, shape, base64]}   an ndarray of a numeric dtype (exact bytes)
    {"__tuple__": [...]}                 a tuple (a JSON list is a list)
    {"__scalar__": [dtype, [], base64]}  a NumPy scalar of an exact NumPy type
    {"__complex__": [re, im]}            a complex number
    {"__int__": "hex"}                   an int too large for a JSON number
    {"__foreign__": "what"}              ``plain.Foreign(what)``: a value that is not plain
    {"__fn__": {key: value, ...}}        a test function as plain data (grader -> worker
                                         only; see ``testfunctions.SmoothFunction.spec``)

Decoding never runs code and trusts nothing: every tag, dtype, shape, length and depth
is checked, and anything malformed raises ``WireError`` (never another exception), so
the grader can turn it into the submission's own failure. Encoding never calls a method
of a value (``type()`` checks only).

Standard library and NumPy only: this module is copied next to the worker inside the
sandbox, where course_utils itself is not importable.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import select
import struct
import time
from collections.abc import Callable
from typing import Any

import numpy as np

try:  # inside the course package
    from .plain import Foreign
except ImportError:  # copied into the grading sandbox next to plain.py
    from plain import Foreign  # type: ignore[no-redef]

__all__ = ["WireError", "encode", "decode", "dumps", "send", "send_frame", "Reader", "MAX_DEPTH", "MAX_ITEMS",
           "MAX_ARRAY_ENTRIES", "MAX_FOREIGN", "MAX_FRAME"]

MAX_DEPTH = 40                 # nesting of lists / tuples (plain data nests at most 32 deep)
MAX_ITEMS = 200_000            # values in one message part (plain data holds at most 100,000)
MAX_ARRAY_ENTRIES = 10_000_000
MAX_DIM = 2 ** 31
MAX_NDIM = 32
MAX_FOREIGN = 120              # characters of a Foreign's description
MAX_INT_HEX = 4096             # hex digits of a big int
MAX_FRAME = 64 * 2 ** 20       # bytes of one message

_DTYPES: dict[str, np.dtype[Any]] = {}
for _name in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "longdouble", "complex64", "complex128", "clongdouble"):
    _dt = np.dtype(_name)
    for _order in ("<", ">", "|", "="):
        try:
            _variant = _dt.newbyteorder(_order) if _dt.itemsize > 1 else _dt
        except ValueError:
            continue
        _DTYPES[_variant.str] = _variant


_NUMPY_SCALARS = frozenset(t.type for t in _DTYPES.values())


class WireError(Exception):
    """A message could not be framed, read or decoded."""


# ---------------------------------------------------------------- encoding

def encode(value: object, fn_hook: Callable[[object], dict[str, Any] | None] | None = None) -> Any:
    """``value`` (plain data, see the module docstring) as JSON-ready data; never raises
    and never calls a method of ``value``. Something that is not plain travels as a
    Foreign naming its type. ``fn_hook(value)`` may return plain data for a test function."""
    try:
        return _enc(value, 0, [0], fn_hook)
    except (RecursionError, MemoryError, ValueError, OverflowError):
        return {"__foreign__": "a value that could not be sent"}


def _enc(value: object, depth: int, count: list[int], fn_hook: Callable[[object], dict[str, Any] | None] | None
         ) -> Any:
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_ITEMS:
        return {"__foreign__": "a value nested too deeply or too large"}
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        assert isinstance(value, int)
        if -(2 ** 63) < value < 2 ** 63:
            return value
        text = format(value, "x")
        if len(text) > MAX_INT_HEX + 1:
            return {"__foreign__": "an integer too large to send"}
        return {"__int__": text}
    if t is float:
        return value
    if t is complex:
        assert isinstance(value, complex)
        return {"__complex__": [value.real, value.imag]}
    if t is list:
        assert isinstance(value, list)
        return [_enc(v, depth + 1, count, fn_hook) for v in list.__iter__(value)]
    if t is tuple:
        assert isinstance(value, tuple)
        return {"__tuple__": [_enc(v, depth + 1, count, fn_hook) for v in tuple.__iter__(value)]}
    if t is np.ndarray:
        assert isinstance(value, np.ndarray)
        return _enc_array(value)
    if t is Foreign:
        assert isinstance(value, Foreign)
        return {"__foreign__": str(value.what)[:MAX_FOREIGN]}
    if t in _NUMPY_SCALARS:  # exact NumPy scalar types only (identity: a subclass cannot pass)
        return {"__scalar__": _enc_array(np.asarray(value))["__nd__"]}
    if fn_hook is not None:
        spec = fn_hook(value)
        if type(spec) is dict:
            return {"__fn__": {k: _enc(v, depth + 1, count, None) for k, v in spec.items() if type(k) is str}}
    name = getattr(t, "__name__", "object")
    return {"__foreign__": f"an object of type {name if type(name) is str else 'object'}"[:MAX_FOREIGN]}


def _enc_array(value: np.ndarray[Any, Any]) -> Any:
    base = np.ndarray.view(value, np.ndarray)
    dtype = base.dtype
    if dtype.str not in _DTYPES or dtype.fields is not None or dtype.subdtype is not None:
        return {"__foreign__": f"an array of dtype {dtype}"[:MAX_FOREIGN]}
    if base.size > MAX_ARRAY_ENTRIES:
        return {"__foreign__": f"an array of {base.size:,} entries"}
    data = base if base.flags.c_contiguous else np.ndarray.copy(base, order="C")
    return {"__nd__": [dtype.str, list(data.shape), base64.b64encode(data.tobytes()).decode("ascii")]}


# ---------------------------------------------------------------- decoding

def decode(data: Any, fn_hook: Callable[[dict[str, Any]], object] | None = None) -> Any:
    """The plain value that ``encode`` turned into ``data``; raises ``WireError`` (and only
    that) on anything malformed or too large. ``fn_hook(spec)`` rebuilds a test function;
    without it a test function is refused."""
    try:
        return _dec(data, 0, [0], fn_hook)
    except WireError:
        raise
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError, KeyError, AttributeError) as exc:
        raise WireError(f"malformed value ({type(exc).__name__})") from None


def _dec(data: Any, depth: int, count: list[int], fn_hook: Callable[[dict[str, Any]], object] | None) -> Any:
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_ITEMS:
        raise WireError("value nested too deeply or too large")
    t = type(data)
    if data is None or t is bool or t is str or t is float:
        return data
    if t is int:
        if not -(2 ** 63) < data < 2 ** 63:
            raise WireError("integer out of range")
        return data
    if t is list:
        return [_dec(v, depth + 1, count, fn_hook) for v in data]
    if t is not dict or len(data) != 1:
        raise WireError("malformed value")
    ((tag, body),) = data.items()
    if tag == "__tuple__" and type(body) is list:
        return tuple(_dec(v, depth + 1, count, fn_hook) for v in body)
    if tag == "__nd__":
        return _dec_array(body)
    if tag == "__scalar__":
        scalar = _dec_array(body)
        if scalar.shape != ():
            raise WireError("malformed scalar")
        return scalar[()]
    if tag == "__foreign__" and type(body) is str:
        return Foreign(body[:MAX_FOREIGN])
    if tag == "__complex__" and type(body) is list and len(body) == 2 and all(type(x) in (int, float) for x in body):
        return complex(float(body[0]), float(body[1]))
    if tag == "__int__" and type(body) is str and 0 < len(body) <= MAX_INT_HEX + 1:
        if not all(c in "-0123456789abcdef" for c in body) or "-" in body[1:]:
            raise WireError("malformed integer")
        return int(body, 16)
    if tag == "__fn__" and type(body) is dict and fn_hook is not None:
        spec = {k: _dec(v, depth + 1, count, None) for k, v in body.items() if type(k) is str}
        return fn_hook(spec)
    raise WireError("malformed value")


def _dec_array(body: Any) -> np.ndarray[Any, Any]:
    if type(body) is not list or len(body) != 3:
        raise WireError("malformed array")
    dtype_str, shape, b64 = body
    if type(dtype_str) is not str or type(shape) is not list or type(b64) is not str:
        raise WireError("malformed array")
    dtype = _DTYPES.get(dtype_str)
    if dtype is None:
        raise WireError("array of a dtype that is not allowed")
    if len(shape) > MAX_NDIM or not all(type(n) is int and 0 <= n <= MAX_DIM for n in shape):
        raise WireError("array of a shape that is not allowed")
    size = math.prod(shape)
    if size > MAX_ARRAY_ENTRIES:
        raise WireError("array too large")
    if len(b64) != 4 * math.ceil(size * dtype.itemsize / 3):
        raise WireError("array data does not match its shape")
    try:
        raw = base64.b64decode(b64.encode("ascii"), validate=True)
    except (ValueError, binascii.Error) as exc:
        raise WireError("bad array data") from exc
    if len(raw) != size * dtype.itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


# ---------------------------------------------------------------- framing

def dumps(message: Any) -> bytes:
    """A framed message: a 4-byte length header + the JSON bytes."""
    body = json.dumps(message, allow_nan=True, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return struct.pack(">I", len(body)) + body


def send(fd: int, message: Any) -> None:
    """Write one framed message to file descriptor ``fd`` (blocking); returns None."""
    send_frame(fd, dumps(message))


def send_frame(fd: int, frame: bytes) -> None:
    """Write a frame made by ``dumps`` to file descriptor ``fd`` (blocking); returns None."""
    data = memoryview(frame)
    while data:
        n = os.write(fd, data)
        data = data[n:]


class Reader:
    """Reads framed messages from a file descriptor, with a deadline and a size cap."""

    def __init__(self, fd: int, max_bytes: int = MAX_FRAME) -> None:
        self.fd = fd
        self.max_bytes = max_bytes
        self.buffer = bytearray()

    def _frame(self) -> tuple[bool, Any]:
        if len(self.buffer) < 4:
            return False, None
        (size,) = struct.unpack(">I", bytes(self.buffer[:4]))
        if size > self.max_bytes:
            raise WireError(f"a message of {size:,} bytes, more than the {self.max_bytes:,} allowed")
        if len(self.buffer) < 4 + size:
            return False, None
        body = bytes(self.buffer[4:4 + size])
        del self.buffer[:4 + size]
        try:
            return True, json.loads(body.decode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError, MemoryError) as exc:
            raise WireError("a message that is not valid JSON") from exc

    def read(self, timeout: float | None = None) -> Any:
        """The next message (parsed JSON). Raises TimeoutError when ``timeout`` seconds
        pass, EOFError when the writer has gone, WireError on garbage."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            done, message = self._frame()
            if done:
                return message
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no message in time")
                ready, _, _ = select.select([self.fd], [], [], left)
                if not ready:
                    raise TimeoutError("no message in time")
            want = 1 << 20
            if len(self.buffer) >= 4:
                (size,) = struct.unpack(">I", bytes(self.buffer[:4]))
                if size > self.max_bytes:
                    raise WireError(f"a message of {size:,} bytes, more than the {self.max_bytes:,} allowed")
                want = max(want, 4 + size - len(self.buffer))
            chunk = os.read(self.fd, want)
            if not chunk:
                raise EOFError("the other side closed the pipe")
            self.buffer += chunk
