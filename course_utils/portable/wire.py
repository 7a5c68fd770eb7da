"""The wire protocol between the grader and a sandboxed worker: plain data, never pickle.

A message is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
Values travel as JSON with a few tagged objects:

    {"__nd__": [dtype, shape, base64]}   a NumPy array of numbers (bool/int/float/complex)
    {"__tuple__": [...]}                 a tuple (a JSON list is a list)
    {"__fn__": {key: value, ...}}        a test function given as plain data (see
                                         course_utils.testfunctions.SmoothFunction.spec)
    {"__obj__": "type name"}             anything else: only its type name travels

Decoding never runs code and never trusts sizes: a frame, a nesting depth and an array
are all bounded, and an array's bytes must match its dtype and shape exactly.

This module imports only the standard library and NumPy: it is copied next to the
worker inside the sandbox, where course_utils itself is not importable.
"""

import base64
import json
import os
import select
import struct
import time

import numpy as np

MAX_DEPTH = 32
MAX_ITEMS = 100_000
MAX_NAME = 60
_ARRAY_KINDS = "biufc"


class WireError(Exception):
    """A message could not be framed, read or decoded."""


class Foreign:
    """Stands for an object of a type that cannot travel (only its name does)."""

    def __repr__(self):
        return f"<{type(self).__name__} object>"


_FOREIGN_TYPES = {}


def foreign(name):
    """An instance of a (cached) class called ``name``: type(x).__name__ tells what was sent."""
    name = "".join(c if (c.isalnum() or c == "_") else "_" for c in str(name))[:MAX_NAME] or "object"
    if name[0].isdigit():
        name = "_" + name
    cls = _FOREIGN_TYPES.get(name)
    if cls is None:
        cls = _FOREIGN_TYPES[name] = type(name, (Foreign,), {})
    return cls()


# ---------------------------------------------------------------- encoding

def encode(value, fn_hook=None):
    """Turn ``value`` into JSON-ready data. Never calls a method of an unknown object
    (only ``type()`` checks), so a hostile object cannot run code while being sent.

    ``fn_hook(value)`` may return plain data for a callable test function, or None.
    """
    counter = [0]
    return _enc(value, 0, counter, fn_hook)


def _enc(value, depth, counter, fn_hook):
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_ITEMS:
        return {"__obj__": "too_deeply_nested_value"}
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if abs(value) < 2 ** 63 else float(value)
    if t is float:
        return value
    if t is list:
        return [_enc(v, depth + 1, counter, fn_hook) for v in list.__iter__(value)]
    if t is tuple:
        return {"__tuple__": [_enc(v, depth + 1, counter, fn_hook) for v in tuple.__iter__(value)]}
    if t is np.ndarray:
        if value.dtype.kind in _ARRAY_KINDS and value.dtype.fields is None:
            data = np.ascontiguousarray(value)
            return {"__nd__": [data.dtype.str, list(data.shape), base64.b64encode(data.tobytes()).decode("ascii")]}
        return {"__obj__": f"ndarray_of_{value.dtype.kind}"}
    if issubclass(t, np.generic):
        if issubclass(t, np.bool_):
            return bool(value)
        if issubclass(t, np.integer):
            return int(value) if abs(int(value)) < 2 ** 63 else float(value)
        if issubclass(t, np.floating):
            return float(value)
        return {"__obj__": t.__name__}
    if fn_hook is not None:
        spec = fn_hook(value)
        if spec is not None:
            items = spec.items() if type(spec) is dict else ()
            return {"__fn__": {k: _enc(v, depth + 1, counter, None) for k, v in items if type(k) is str}}
    if t is dict:
        return {"__obj__": "dict"}
    return {"__obj__": t.__name__}


# ---------------------------------------------------------------- decoding

def decode(data, fn_hook=None):
    """Rebuild a value from ``encode``'s output. Raises WireError on anything malformed.

    ``fn_hook(spec)`` rebuilds a test function; without it a function becomes a
    placeholder object.
    """
    counter = [0]
    return _dec(data, 0, counter, fn_hook)


def _dec(data, depth, counter, fn_hook):
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_ITEMS:
        raise WireError("value nested too deeply or too large")
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is list:
        return [_dec(v, depth + 1, counter, fn_hook) for v in data]
    if t is not dict or len(data) != 1:
        raise WireError("malformed value")
    (tag, body), = data.items()
    if tag == "__tuple__" and type(body) is list:
        return tuple(_dec(v, depth + 1, counter, fn_hook) for v in body)
    if tag == "__nd__":
        return _dec_array(body)
    if tag == "__obj__" and type(body) is str:
        return {} if body == "dict" else foreign(body)
    if tag == "__fn__" and type(body) is dict:
        spec = {k: _dec(v, depth + 1, counter, None) for k, v in body.items()}
        return fn_hook(spec) if fn_hook is not None else foreign("function")
    raise WireError("malformed value")


def _dec_array(body):
    if type(body) is not list or len(body) != 3:
        raise WireError("malformed array")
    dtype_str, shape, b64 = body
    if type(dtype_str) is not str or type(shape) is not list or type(b64) is not str or len(shape) > 32:
        raise WireError("malformed array")
    try:
        dtype = np.dtype(dtype_str)
    except TypeError as exc:
        raise WireError("bad dtype") from exc
    if dtype.kind not in _ARRAY_KINDS or dtype.fields is not None or dtype.hasobject or dtype.subdtype is not None:
        raise WireError("bad dtype")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("bad shape")
    try:
        raw = base64.b64decode(b64.encode("ascii"), validate=True)
    except ValueError as exc:
        raise WireError("bad array data") from exc
    size = 1
    for n in shape:
        size *= n
    if size * dtype.itemsize != len(raw):
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


# ---------------------------------------------------------------- framing

def dumps(message):
    """A framed message: length header + JSON bytes."""
    body = json.dumps(message, allow_nan=True, separators=(",", ":")).encode("utf-8")
    return struct.pack(">I", len(body)) + body


def send(fd, message):
    """Write one framed message to file descriptor ``fd`` (blocking)."""
    data = memoryview(dumps(message))
    while data:
        n = os.write(fd, data)
        data = data[n:]


class Reader:
    """Reads framed messages from a file descriptor, with a deadline and a size cap."""

    def __init__(self, fd, max_bytes=64 * 2 ** 20):
        self.fd = fd
        self.max_bytes = max_bytes
        self.buffer = bytearray()

    def _frame(self):
        if len(self.buffer) < 4:
            return None
        (size,) = struct.unpack(">I", bytes(self.buffer[:4]))
        if size > self.max_bytes:
            raise WireError(f"message of {size} bytes exceeds the limit of {self.max_bytes}")
        if len(self.buffer) < 4 + size:
            return None
        body = bytes(self.buffer[4:4 + size])
        del self.buffer[:4 + size]
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise WireError("message is not valid JSON") from exc

    def read(self, timeout=None):
        """Return the next message (parsed JSON). Raises TimeoutError when ``timeout``
        seconds pass, EOFError when the writer has gone, WireError on garbage."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            message = self._frame()
            if message is not None:
                return message
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no message in time")
                ready, _, _ = select.select([self.fd], [], [], left)
                if not ready:
                    raise TimeoutError("no message in time")
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                raise EOFError("the other side closed the pipe")
            self.buffer += chunk
