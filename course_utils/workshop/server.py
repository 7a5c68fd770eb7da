"""The workshop server (tornado): learners post events, the instructor watches the room.

Routes (``A`` = instructor only: the instructor key, as ``?key=`` once, then a signed
cookie; or ``Authorization: Bearer <key>``):

- ``GET  /api/ping[?code=C]``   liveness, and whether a join code is right (for ``doctor``)
- ``POST /api/join``            ``{"code", "name"[, "token"]}`` -> ``{"participant", "token", ...}``
- ``POST /api/events``          ``Authorization: Bearer <participant token>``, ``{"events": [...]}``
- ``GET  /instructor``          A: the live page (``?key=`` sets the cookie, then redirects
  so the key leaves the address bar of a projected screen)
- ``GET  /instructor/state``    A: the page's state as JSON
- ``GET  /instructor/stream``   A: the same, pushed as server-sent events on every change
- ``GET  /instructor/export.csv``, ``/instructor/events.csv``  A: CSV exports
- ``GET  /assets/...``          the page's own CSS and JavaScript (no CDN, nothing external)

Every request is validated before anything is stored (``protocol``); a refused one gets
a 4xx with ``{"error": "..."}`` and stores nothing. Failed codes, keys and tokens are
rate-limited per client address, events per participant, joins per address.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass
from typing import Any

import tornado.http1connection
import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web

from . import dashboard, export
from .protocol import (
    MAX_BODY_BYTES,
    TOKEN_RE,
    BadRequest,
    normalise_code,
    parse_json_body,
    validate_events,
    validate_join,
)
from .storage import Secrets, WorkshopStore

LOG = logging.getLogger("course_utils.workshop")
ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets")
COOKIE = "workshop_instructor"
DRAIN_LIMIT = 16 * 1024 * 1024  # bodies up to this are read (and dropped) to answer 413 cleanly
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@dataclass
class Limits:
    """Bounds on what the server accepts (the defaults suit a room of up to a few hundred)."""

    max_participants: int = 500
    max_events_per_participant: int = 20_000
    events_burst: float = 60          # requests a participant may send at once ...
    events_rate: float = 10           # ... refilled at this many per second
    join_burst: float = 500           # joins from one address at once (a room behind one NAT)
    join_rate: float = 10
    auth_fail_burst: float = 30       # wrong codes / keys / tokens from one address
    auth_fail_rate: float = 0.5
    max_streams: int = 16             # live instructor pages at once
    push_delay: float = 0.1           # seconds: changes are pushed at most this often


class Workshop:
    """The server's state: the store, the secrets, rate limiters, and the live streams."""

    def __init__(self, store: WorkshopStore, secrets: Secrets, limits: Limits | None = None) -> None:
        from .ratelimit import RateLimiter

        self.store, self.secrets = store, secrets
        self.limits = limits or Limits()
        lim = self.limits
        self.event_limiter = RateLimiter(lim.events_burst, lim.events_rate)
        self.join_limiter = RateLimiter(lim.join_burst, lim.join_rate)
        self.fail_limiter = RateLimiter(lim.auth_fail_burst, lim.auth_fail_rate)
        self.streams: set[StreamHandler] = set()
        self.version = 0
        self._push_scheduled = False
        self._quiet_until = 0.0  # loop time before which no push starts (see push())
        self.started = time.time()

    def changed(self) -> None:
        """Note a change; the live pages get it within ``push_delay`` seconds (coalesced)."""
        self.version += 1
        if self._push_scheduled or not self.streams:
            return
        self._push_scheduled = True
        loop = asyncio.get_running_loop()
        loop.call_later(max(self.limits.push_delay, self._quiet_until - loop.time()), self.push)

    def state_json(self) -> str:
        """Return the page's state, as JSON text."""
        state = dashboard.snapshot(self.store, time.time())
        state["version"] = self.version
        return json.dumps(state, separators=(",", ":"))

    def push(self) -> None:
        """Send the current state to every live page. Under a stream of events the next
        push waits twice as long as this one took to compute, so computing pages never
        takes more than a third of the server's time (posts stay fast)."""
        self._push_scheduled = False
        if not self.streams:
            return
        started = time.perf_counter()
        payload = self.state_json()
        for stream in list(self.streams):
            stream.send(payload)
        loop = asyncio.get_running_loop()
        self._quiet_until = loop.time() + 2 * (time.perf_counter() - started)


# --------------------------------------------------------------------------- base


class BaseHandler(tornado.web.RequestHandler):
    """Common to all routes: security headers, JSON errors, client address, auth."""

    workshop: Workshop

    def initialize(self, workshop: Workshop) -> None:
        self.workshop = workshop

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Cache-Control", "no-store")

    def client(self) -> str:
        return self.request.remote_ip or "?"

    def fail(self, status: int, message: str, **extra: Any) -> None:
        """Answer ``status`` with ``{"error": message}`` and finish."""
        self.clear_header("Content-Type")
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": message, **extra}))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        reason = self._reason if status_code < 500 else "internal error (see the server's log)"
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": reason}))

    def auth_failed(self, status: int, message: str) -> None:
        """Refuse a wrong secret, counting it against the client address (429 when too many)."""
        wait = self.workshop.fail_limiter.allow(self.client())
        if wait:
            self.set_header("Retry-After", str(int(wait) + 1))
            self.fail(429, f"too many refused attempts from this address; wait {int(wait) + 1} s")
        else:
            self.fail(status, message)

    def locked_out(self) -> bool:
        """True (and a 429 sent) when this address has used up its refused attempts."""
        wait = self.workshop.fail_limiter.peek(self.client())
        if not wait:
            return False
        self.set_header("Retry-After", str(int(wait) + 1))
        self.fail(429, f"too many refused attempts from this address; wait {int(wait) + 1} s")
        return True

    def is_instructor(self) -> bool:
        key = self.workshop.secrets.instructor_key
        header = self.request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), key.encode()):
            return True
        cookie = self.get_signed_cookie(COOKIE, max_age_days=2)
        return cookie is not None and hmac.compare_digest(cookie, b"instructor")

    def require_instructor(self) -> bool:
        """True for the instructor; otherwise answers 403 (or 429) and returns False."""
        if self.locked_out():
            return False
        if self.is_instructor():
            return True
        self.auth_failed(403, "instructor only: open the instructor URL printed by `course-utils workshop serve`")
        return False


class JsonBodyHandler(BaseHandler):
    """A POST handler whose body is read in chunks: more than MAX_BODY_BYTES is dropped
    as it arrives (and answered 413), so a huge body costs no memory."""

    def prepare(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0
        declared = self.request.headers.get("Content-Length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                raise tornado.web.HTTPError(400, reason="bad Content-Length") from None
            if size > DRAIN_LIMIT:
                raise tornado.web.HTTPError(413, reason=f"the request body is too large (limit {MAX_BODY_BYTES})")
        connection = self.request.connection
        if isinstance(connection, tornado.http1connection.HTTP1Connection):
            connection.set_max_body_size(DRAIN_LIMIT)

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size <= MAX_BODY_BYTES:
            self._chunks.append(chunk)
        else:
            self._chunks = []

    def body_json(self) -> dict[str, Any]:
        """Return the parsed body or raise ``BadRequest``."""
        if self._size > MAX_BODY_BYTES:
            raise BadRequest(413, f"the request body is {self._size} bytes; the limit is {MAX_BODY_BYTES}")
        return parse_json_body(b"".join(self._chunks), self.request.headers.get("Content-Type"))


# --------------------------------------------------------------------------- learners


@tornado.web.stream_request_body
class JoinHandler(JsonBodyHandler):
    def post(self) -> None:
        ws = self.workshop
        if self.locked_out():
            return
        wait = ws.join_limiter.allow(self.client())
        if wait:
            self.set_header("Retry-After", str(int(wait) + 1))
            self.fail(429, f"too many joins from this address; wait {int(wait) + 1} s")
            return
        try:
            code, name, token = validate_join(self.body_json())
            if not hmac.compare_digest(code.encode(), ws.secrets.join_code.encode()):
                self.auth_failed(403, "wrong join code: ask the instructor for the code of this workshop")
                return
            joined = ws.store.join(name, token, ws.limits.max_participants)
        except BadRequest as err:
            self.fail(err.status, err.message)
            return
        ws.changed()
        self.set_status(200 if joined.rejoined else 201)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"participant": joined.participant_id, "token": joined.token, "name": name,
                                "rejoined": joined.rejoined}))


@tornado.web.stream_request_body
class EventsHandler(JsonBodyHandler):
    def post(self) -> None:
        ws = self.workshop
        if self.locked_out():
            return
        header = self.request.headers.get("Authorization", "")
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        pid = ws.store.participant_for(token) if TOKEN_RE.fullmatch(token) else None
        if pid is None:
            self.auth_failed(401, "unknown participant: run join(url, name) again")
            return
        wait = ws.event_limiter.allow(pid)
        if wait:
            self.set_header("Retry-After", str(int(wait) + 1))
            self.fail(429, f"too many requests from this participant; wait {wait:.1f} s", retry_after=wait)
            return
        try:
            events = validate_events(self.body_json())
            stored, duplicates = ws.store.add_events(pid, events, time.time(),
                                                     ws.limits.max_events_per_participant)
        except BadRequest as err:
            extra = {} if err.index is None else {"index": err.index}
            self.fail(err.status, err.message, **extra)
            return
        if stored:
            ws.changed()
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"stored": stored, "duplicates": duplicates}))


class PingHandler(BaseHandler):
    def get(self) -> None:
        answer: dict[str, Any] = {"service": "course-utils-workshop", "protocol": 1}
        raw = self.get_query_argument("code", None)
        if raw is not None:
            if self.locked_out():
                return
            ok = hmac.compare_digest(normalise_code(raw).encode(), self.workshop.secrets.join_code.encode())
            if not ok:
                self.auth_failed(403, "wrong join code: ask the instructor for the code of this workshop")
                return
            answer["code_ok"] = True
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(answer))


class HomeHandler(BaseHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("course-utils workshop server.\nLearners: in a notebook, "
                    "from course_utils import join; join(JOIN_URL, 'Your Name')\n"
                    "Instructor: open the instructor URL printed when the server started.\n")


# --------------------------------------------------------------------------- instructor


class InstructorPageHandler(BaseHandler):
    def get(self) -> None:
        key = self.get_query_argument("key", None)
        if key is not None:
            if self.locked_out():
                return
            if not hmac.compare_digest(key.encode(), self.workshop.secrets.instructor_key.encode()):
                self.auth_failed(403, "wrong instructor key: use the instructor URL printed by "
                                      "`course-utils workshop serve`")
                return
            self.set_signed_cookie(COOKIE, "instructor", expires_days=1, httponly=True, samesite="Strict")
            query = "?large=1" if self.get_query_argument("large", None) == "1" else ""
            self.redirect("/instructor" + query, status=303)
            return
        if not self.require_instructor():
            return
        with open(os.path.join(ASSETS, "instructor.html"), encoding="utf-8") as fh:
            page = fh.read()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page)


class StateHandler(BaseHandler):
    def get(self) -> None:
        if not self.require_instructor():
            return
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(self.workshop.state_json())


class ExportHandler(BaseHandler):
    def initialize(self, workshop: Workshop, which: str = "summary") -> None:
        self.workshop, self.which = workshop, which

    def get(self) -> None:
        if not self.require_instructor():
            return
        store = self.workshop.store
        text = export.summary_csv(store) if self.which == "summary" else export.events_csv(store)
        stamp = time.strftime("%Y%m%d-%H%M")
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="workshop-{self.which}-{stamp}.csv"')
        self.finish(text)


class StreamHandler(BaseHandler):
    """Server-sent events: the state now, then again on every change (and every 15 s)."""

    _closed: asyncio.Event

    async def get(self) -> None:
        if not self.require_instructor():
            return
        ws = self.workshop
        if len(ws.streams) >= ws.limits.max_streams:
            self.fail(503, f"too many open instructor pages (limit {ws.limits.max_streams}); close one")
            return
        self._closed = asyncio.Event()
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("X-Accel-Buffering", "no")
        ws.streams.add(self)
        try:
            self.send(ws.state_json(), retry=True)
            while not self._closed.is_set():
                try:
                    await asyncio.wait_for(self._closed.wait(), timeout=15)
                except asyncio.TimeoutError:
                    self.send(ws.state_json())  # also refreshes "stuck for N minutes"
        finally:
            ws.streams.discard(self)

    def send(self, payload: str, retry: bool = False) -> None:
        """Write one SSE message (the state as JSON); a closed page is dropped."""
        try:
            self.write(("retry: 1000\n" if retry else "") + f"data: {payload}\n\n")
            self.flush()
        except tornado.iostream.StreamClosedError:
            self.on_connection_close()

    def on_connection_close(self) -> None:
        if hasattr(self, "_closed"):
            self._closed.set()
        self.workshop.streams.discard(self)


class AssetHandler(tornado.web.StaticFileHandler):
    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")


class NotFoundHandler(BaseHandler):
    def prepare(self) -> None:
        self.fail(404, "no such page on this workshop server")


def make_app(workshop: Workshop) -> tornado.web.Application:
    """Return the tornado application serving ``workshop``."""
    args = {"workshop": workshop}
    return tornado.web.Application(
        [
            (r"/", HomeHandler, args),
            (r"/api/ping", PingHandler, args),
            (r"/api/join", JoinHandler, args),
            (r"/api/events", EventsHandler, args),
            (r"/instructor", InstructorPageHandler, args),
            (r"/instructor/state", StateHandler, args),
            (r"/instructor/stream", StreamHandler, args),
            (r"/instructor/export.csv", ExportHandler, {**args, "which": "summary"}),
            (r"/instructor/events.csv", ExportHandler, {**args, "which": "events"}),
            (r"/assets/(instructor\.(?:js|css))", AssetHandler, {"path": ASSETS}),
        ],
        default_handler_class=NotFoundHandler, default_handler_args=args,
        cookie_secret=workshop.secrets.instructor_key, xsrf_cookies=False, serve_traceback=False,
        compress_response=True, log_function=_quiet_log,
    )


def _quiet_log(handler: tornado.web.RequestHandler) -> None:
    """Log only refused requests and errors (one line each), never a query string (it may
    hold the instructor key)."""
    status = handler.get_status()
    if status >= 400:
        req = handler.request
        LOG.info("%s %s %s from %s", status, req.method, req.path, req.remote_ip)


def start_server(workshop: Workshop, host: str, port: int) -> tuple[tornado.httpserver.HTTPServer, int]:
    """Start listening (in the running asyncio loop); return the HTTP server and its port
    (``port`` 0 picks a free one)."""
    server = tornado.httpserver.HTTPServer(make_app(workshop), max_body_size=DRAIN_LIMIT,
                                           idle_connection_timeout=60, body_timeout=15)
    sockets = tornado.netutil.bind_sockets(port, address=host)
    server.add_sockets(sockets)
    return server, int(sockets[0].getsockname()[1])


def lan_address() -> str | None:
    """Return this machine's address on the local network, or None (no packet is sent:
    a UDP socket is only pointed at a private address to see which interface it picks)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.254.254.254", 1))
            addr = str(s.getsockname()[0])
    except OSError:
        return None
    return None if addr.startswith("127.") else addr


def banner(host: str, port: int, secrets: Secrets, db: str) -> str:
    """Return the text printed at start: the instructor URL, the join code and URL."""
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = lan_address() or socket.gethostname()
    base = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"
    local = f"http://{'127.0.0.1' if ':' not in host else '[::1]'}:{port}" if host in ("0.0.0.0", "::", "") else base
    lines = [
        f"Workshop server listening on {host}:{port} (database {db})",
        f"Instructor page (keep it private): {local}/instructor?key={secrets.instructor_key}",
        f"Join code: {secrets.join_code}",
        f"Join URL: {base}/{secrets.join_code}",
        "Learners run, in any notebook:",
        f'    from course_utils import join; join("{base}/{secrets.join_code}", "Your Name")',
        "Stop with Ctrl+C.",
    ]
    if host in ("127.0.0.1", "localhost", "::1"):
        lines.insert(4, "(Listening on this machine only: use --host 0.0.0.0 to let the room join.)")
    return "\n".join(lines)


def serve(host: str, port: int, db: str, rotate: bool = False, durable: bool = False,
          limits: Limits | None = None) -> int:
    """Run the server until SIGINT/SIGTERM; return an exit code."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    store = WorkshopStore(db, durable=durable)
    secrets = store.secrets(rotate=rotate)
    workshop = Workshop(store, secrets, limits)

    async def main() -> None:
        try:
            server, port_used = start_server(workshop, host, port)
        except OSError as err:
            raise SystemExit(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
        print(banner(host, port_used, secrets, db), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass
        await stop.wait()
        server.stop()
        for stream in list(workshop.streams):
            stream.on_connection_close()
            stream.finish() if not stream._finished else None
        print("Workshop server stopped; everything is in " + db, flush=True)

    try:
        asyncio.run(main())
    finally:
        store.close()
    return 0
