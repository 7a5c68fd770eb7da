"""The learner's side of workshop mode: ``join(url, name)``, ``leave()``, and the hooks
``check()``, ``hint()`` and ``solution()`` call.

What is reported: the exercise id, the verdict (passed or not) and diagnosis code of a
check with its attempt number, the level of a hint asked, that a solution was shown,
and when. Never code, never values, never messages.

How it never gets in the learner's way:

- a hook only puts a small tuple on an in-memory queue and returns (no network, no
  disk); when nobody has joined, it returns after one ``stat`` of the session file;
- one daemon thread per kernel writes events to a local SQLite queue (so they survive
  a kernel restart) and sends them in batches with a short timeout
  (``SEND_TIMEOUT``), backing off while the server does not answer;
- the local queue is bounded (``MAX_QUEUED``; the oldest are dropped, and counted);
- every event has a random id, so a batch sent twice (a retry after a lost answer, or
  two kernels sending the same queue) is stored once by the server;
- every failure is swallowed by the thread; ``status()`` says what happened.

State lives in ``$COURSE_UTILS_WORKSHOP_DIR`` or a ``workshop/`` folder next to the
progress file: ``session.json`` (server, join code, name, participant token) and
``queue.sqlite``. Joining once in any notebook makes every kernel of this learner
report. Setting ``COURSE_UTILS_WORKSHOP`` (the join URL) and
``COURSE_UTILS_WORKSHOP_NAME`` before starting JupyterLab joins without a call.
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import json
import os
import queue
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..files import atomic

ENV_URL = "COURSE_UTILS_WORKSHOP"
ENV_NAME = "COURSE_UTILS_WORKSHOP_NAME"
ENV_DIR = "COURSE_UTILS_WORKSHOP_DIR"
JOIN_TIMEOUT = 3.0        # seconds join() waits for the server before queueing the join
SEND_TIMEOUT = 2.0        # seconds one background request may take
MAX_QUEUED = 2000         # events kept while the server is away (oldest dropped first)
BATCH = 50                # events per request (the server's limit)
MAX_BACKOFF = 30.0        # seconds between retries at most while the server is away
IDLE_WAKE = 30.0          # seconds the thread sleeps when there is nothing to do
LEAVE_FLUSH = 2.0         # seconds leave() lets waiting events go out before discarding them


def default_state_dir() -> str:
    """Return the folder of the workshop session and queue (a str)."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    from ..learner.progress import progress_path

    return os.path.join(os.path.dirname(progress_path()), "workshop")


def parse_join_url(url: Any) -> tuple[str, str]:
    """Return ``(base_url, join_code)`` from a join URL such as
    ``http://10.0.0.5:8765/K7QM-3XPA``; raise ValueError saying what is wrong."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError("the join URL must be a string such as 'http://10.0.0.5:8765/K7QM-3XPA'")
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not a web address: it starts with http:// and ends with the join code")
    code = parts.path.strip("/")
    if not code or "/" in code:
        raise ValueError(f"{url!r} has no join code at the end: it looks like http://10.0.0.5:8765/K7QM-3XPA")
    try:
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port number") from None
    return f"{parts.scheme}://{parts.netloc}", code.upper()


@dataclass
class Session:
    """Who this learner is in which workshop. ``token`` is None until the server answered."""

    base: str
    code: str
    name: str
    token: str | None = None
    participant: int | None = None
    refused: str | None = None  # the server's reason, when it refused the join (stop trying)

    def key(self) -> str:
        return f"{self.base}|{self.code}|{self.name}"


@dataclass
class Status:
    """What the reporter knows: joined as whom, events waiting, sent, dropped, last error;
    ``extra["resent"]``: events the server already had (a retry after a lost answer)."""

    session: Session | None
    queued: int
    sent: int
    dropped: int
    rejected: int
    last_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.session is None:
            return "Not in a workshop (join(url, name) to join one)."
        s = self.session
        state = (f"refused: {s.refused}" if s.refused else
                 "joined" if s.token else "waiting for the server to answer the join")
        text = (f"Workshop {s.base} as {s.name!r}: {state}; {self.queued} event(s) waiting, "
                f"{self.sent} sent, {self.dropped} dropped (queue full), {self.rejected} refused by the server.")
        if self.last_error:
            text += f" Last problem: {self.last_error}"
        return text


class Answer:
    """An HTTP answer: ``status`` (0 = no answer at all), parsed JSON ``body``, ``retry_after``."""

    def __init__(self, status: int, body: dict[str, Any], retry_after: float | None = None,
                 error: str | None = None) -> None:
        self.status, self.body, self.retry_after, self.error = status, body, retry_after, error


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # a room's server: never via a proxy


def post_json(url: str, payload: dict[str, Any], timeout: float, token: str | None = None) -> Answer:
    """POST ``payload`` as JSON; return an ``Answer`` (never raises for network trouble)."""
    data = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "course-utils-reporter"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            return Answer(resp.status, json_object(resp.read()))
    except urllib.error.HTTPError as err:
        try:
            body = json_object(err.read())
        except OSError:
            body = {}
        retry = err.headers.get("Retry-After") if err.headers else None
        try:
            retry_after = float(retry) if retry else None
        except ValueError:
            retry_after = None
        return Answer(err.code, body, retry_after, body.get("error") or f"HTTP {err.code}")
    except (OSError, ValueError) as err:  # URLError, timeouts, refused, reset, bad URL
        reason = getattr(err, "reason", err)
        return Answer(0, {}, None, f"no answer from {url}: {reason}")


def json_object(raw: bytes) -> dict[str, Any]:
    """Return ``raw`` parsed as a JSON object, or {} when it is not one."""
    try:
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# --------------------------------------------------------------------------- the reporter


class Reporter:
    """One learner's reporter, keeping its state in ``state_dir`` (the module functions
    use one per process; tests make several)."""

    def __init__(self, state_dir: str, env: dict[str, str] | None = None, say: Any = print,
                 max_backoff: float = MAX_BACKOFF) -> None:
        self.state_dir = state_dir
        self.env = os.environ if env is None else env
        self.say = say
        self.max_backoff = max_backoff
        self.session_path = os.path.join(state_dir, "session.json")
        self.queue_path = os.path.join(state_dir, "queue.sqlite")
        self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one writer of the local queue per process
        self._thread_lock = threading.Lock()
        self.last_error: str | None = None
        self._handed = 0               # items the hooks handed over ...
        self._taken = 0                # ... and items the thread has queued or dropped
        self.acked: list[str] = []     # event ids the server acknowledged (for tests and status)
        self.keep_acked = False

    # ---------------------------------------------------------------- hooks

    def active(self) -> bool:
        """True when events should be collected: a session file or the join variable."""
        return bool(self.env.get(ENV_URL)) or os.path.exists(self.session_path)

    def report(self, kind: str, exercise_id: Any, passed: Any = None, diagnosis: Any = None,
               level: Any = None) -> None:
        """Hand an event to the background thread; returns at once, never raises."""
        try:
            if not self.active():
                return
            self._handed += 1
            self._inbox.put((kind, exercise_id, passed, diagnosis, level, time.time(), uuid.uuid4().hex))
            self._ensure_thread()
            self._wake.set()
        except Exception:  # a hook must never break the learner's notebook
            pass

    # ---------------------------------------------------------------- session file

    def load_session(self) -> Session | None:
        """Return the saved ``Session`` (None when not joined, or after leave())."""
        try:
            with open(self.session_path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict) and data.get("left"):
            return None
        if isinstance(data, dict):
            try:
                return Session(str(data["base"]), str(data["code"]), str(data["name"]),
                               data.get("token"), data.get("participant"), data.get("refused"))
            except KeyError:
                return None
        url, name = self.env.get(ENV_URL), self.env.get(ENV_NAME)
        if url:
            try:
                base, code = parse_join_url(url)
            except ValueError as err:
                self.last_error = f"{ENV_URL}: {err}"
                return None
            return Session(base, code, (name or _login_name()).strip() or "learner")
        return None

    def save_session(self, session: Session | None) -> None:
        """Write ``session`` (or the 'left' marker for None) atomically."""
        data: dict[str, Any] = {"left": True} if session is None else {
            "base": session.base, "code": session.code, "name": session.name, "token": session.token,
            "participant": session.participant, "refused": session.refused}
        atomic.write_text(self.session_path, json.dumps(data, indent=1), prefix=".session-")

    def _save_if_current(self, session: Session) -> bool:
        """Save ``session`` unless the learner left or joined elsewhere meanwhile; return
        whether it was saved (the background thread never undoes a leave())."""
        current = self.load_session()
        if current is None or current.key() != session.key():
            return False
        self.save_session(session)
        return True

    # ---------------------------------------------------------------- join / leave

    def join(self, url: Any, name: Any) -> str:
        """Join the workshop at ``url`` as ``name``; return the sentence shown to the learner.

        Waits at most ``JOIN_TIMEOUT`` s; when the server does not answer, the join and
        every later event are kept and sent in the background when it does."""
        from .protocol import BadRequest, clean_name

        try:
            base, code = parse_join_url(url)
            name = clean_name(name)
        except ValueError as err:
            return f"Not joined: {err}"
        except BadRequest as err:
            return f"Not joined: {err.message}"
        old = self.load_session()
        token = old.token if old and (old.base, old.code) == (base, code) else None
        session = Session(base, code, name, token)
        answer = post_json(f"{base}/api/join", {"code": code, "name": name, **({"token": token} if token else {})},
                           JOIN_TIMEOUT)
        if answer.status in (200, 201):
            session.token, session.participant = answer.body.get("token"), answer.body.get("participant")
        elif answer.status == 0 or answer.status == 429 or answer.status >= 500:
            session.token = None
        else:
            return f"Not joined: the workshop server said: {answer.error}"
        try:
            os.makedirs(self.state_dir, exist_ok=True)
            self.save_session(session)
        except OSError as err:
            return f"Not joined: cannot write {self.session_path} ({err.strerror})."
        self._ensure_thread()
        self._wake.set()
        what = "checks (exercise, verdict, diagnosis, attempt), hints and solutions asked"
        if session.token:
            return (f"Joined the workshop at {base} as {name!r}. From now on your {what} are reported "
                    "to the instructor (never your code or values). leave() stops it.")
        return (f"The workshop server at {base} did not answer ({answer.error}); you are joined as {name!r} and "
                f"your {what} are kept here and sent when it answers. leave() stops it.")

    def leave(self) -> str:
        """Stop reporting (in every kernel of this learner); return the sentence shown.
        What is still waiting gets up to ``LEAVE_FLUSH`` seconds to be sent (a check
        just before leave() still counts); the rest is discarded."""
        session = self.load_session()
        if session is not None and not session.refused and (self._handed > self._taken or self.status().queued):
            self._ensure_thread()
            self.flush(LEAVE_FLUSH)
        waiting = 0
        with contextlib.suppress(Exception):
            with self._queue_db() as db:
                waiting = db.execute("SELECT COUNT(*) FROM queue").fetchone()[0]
                db.execute("DELETE FROM queue")
        try:
            os.makedirs(self.state_dir, exist_ok=True)
            self.save_session(None)
        except OSError as err:
            return f"Could not leave: cannot write {self.session_path} ({err.strerror})."
        self._wake.set()
        extra = f" ({waiting} unsent event(s) discarded)" if waiting else ""
        return f"Left the workshop: nothing more is reported{extra}."

    # ---------------------------------------------------------------- local queue

    @contextlib.contextmanager
    def _queue_db(self) -> Iterator[sqlite3.Connection]:
        os.makedirs(self.state_dir, exist_ok=True)
        db = sqlite3.connect(self.queue_path, timeout=2, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript("""
                CREATE TABLE IF NOT EXISTS queue (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE, session TEXT NOT NULL, body TEXT NOT NULL, t REAL NOT NULL);
                CREATE TABLE IF NOT EXISTS attempts (session TEXT NOT NULL, exercise TEXT NOT NULL,
                    n INTEGER NOT NULL, PRIMARY KEY (session, exercise));
                CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);""")
            yield db
        finally:
            db.close()

    def _persist(self, session: Session, items: list[tuple[Any, ...]]) -> None:
        """Turn in-memory items into queued events (numbering attempts), in one transaction."""
        from ..checking.registry import exercise_ids

        known = set(exercise_ids())
        with self._lock, self._queue_db() as db:
            db.execute("BEGIN IMMEDIATE")
            for kind, exercise, passed, diagnosis, level, t, event_id in items:
                if not isinstance(exercise, str) or exercise not in known:
                    continue
                body: dict[str, Any] = {"id": event_id, "kind": kind, "exercise": exercise}
                if kind == "check":
                    db.execute("INSERT INTO attempts (session, exercise, n) VALUES (?, ?, 1) "
                               "ON CONFLICT (session, exercise) DO UPDATE SET n = n + 1", (session.key(), exercise))
                    n = db.execute("SELECT n FROM attempts WHERE session = ? AND exercise = ?",
                                   (session.key(), exercise)).fetchone()[0]
                    body.update(passed=bool(passed), diagnosis=None if passed else str(diagnosis or "wrong_value"),
                                attempt=int(n))
                elif kind == "hint":
                    body["level"] = _hint_level(exercise, level)
                db.execute("INSERT OR IGNORE INTO queue (event_id, session, body, t) VALUES (?, ?, ?, ?)",
                           (event_id, session.key(), json.dumps(body), t))
            over = db.execute("SELECT COUNT(*) FROM queue").fetchone()[0] - MAX_QUEUED
            if over > 0:
                db.execute("DELETE FROM queue WHERE seq IN (SELECT seq FROM queue ORDER BY seq LIMIT ?)", (over,))
                self._count(db, "dropped", over)
            db.execute("COMMIT")

    @staticmethod
    def _count(db: sqlite3.Connection, name: str, n: int) -> None:
        db.execute("INSERT INTO counters (name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = n + ?",
                   (name, n, n))

    def drain_inbox(self) -> None:
        """Move everything the hooks handed over into the local queue (or drop it when
        this learner is in no workshop)."""
        items = []
        while True:
            try:
                items.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        if not items:
            return
        try:
            session = self.load_session()
            if session is not None and not session.refused:
                self._persist(session, items)
        finally:
            self._taken += len(items)

    # ---------------------------------------------------------------- sending

    def send_once(self) -> float | None:
        """One round: join if needed, then send queued events until the queue is empty
        or the server stops answering. Return None when done, else seconds to wait."""
        session = self.load_session()
        if session is None or session.refused:
            return None
        if not session.token:
            answer = post_json(f"{session.base}/api/join", {"code": session.code, "name": session.name},
                               SEND_TIMEOUT)
            if answer.status in (200, 201):
                session.token, session.participant = answer.body.get("token"), answer.body.get("participant")
                if not self._save_if_current(session):
                    return None
            elif answer.status in (0, 429) or answer.status >= 500:
                self.last_error = answer.error
                return answer.retry_after or 1.0
            else:
                session.refused = str(answer.error)
                self.last_error = f"join refused: {answer.error}"
                self._save_if_current(session)
                return None
        while True:
            with self._queue_db() as db:
                rows = db.execute("SELECT event_id, body, t FROM queue WHERE session = ? ORDER BY seq LIMIT ?",
                                  (session.key(), BATCH)).fetchall()
                stale = db.execute("DELETE FROM queue WHERE session != ?", (session.key(),)).rowcount
                if stale:
                    self._count(db, "dropped", stale)
            if not rows:
                return None
            now = time.time()
            events = []
            for _event_id, body, t in rows:
                ev = json.loads(body)
                ev["age"] = round(min(max(now - t, 0.0), 6 * 24 * 3600.0), 6)
                events.append(ev)
            answer = post_json(f"{session.base}/api/events", {"events": events}, SEND_TIMEOUT, session.token)
            ids = [r[0] for r in rows]
            if answer.status == 200:
                self._forget(ids, "sent")
                duplicates = answer.body.get("duplicates")
                if isinstance(duplicates, int) and duplicates > 0:  # a retry of a batch whose answer was lost
                    with self._lock, self._queue_db() as db:
                        self._count(db, "resent", duplicates)
                if self.keep_acked:
                    self.acked.extend(ids)
                self.last_error = None
                continue
            self.last_error = answer.error
            if answer.status == 400 and isinstance(answer.body.get("index"), int) \
                    and 0 <= answer.body["index"] < len(ids):
                self._forget([ids[answer.body["index"]]], "rejected")  # e.g. an exercise this server does not know
                continue
            if answer.status in (400, 413):
                self._forget(ids, "rejected")
                continue
            if answer.status == 401:  # the server does not know this token (a new database): join again
                session.token = None
                self._save_if_current(session)
                return 0.5
            return answer.retry_after or 1.0

    def _forget(self, ids: list[str], counter: str) -> None:
        with self._lock, self._queue_db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM queue WHERE event_id = ?", [(i,) for i in ids])
            self._count(db, counter, len(ids))
            db.execute("COMMIT")

    def _run(self) -> None:
        backoff = 0.0
        while not self._stop.is_set():
            try:
                self.drain_inbox()
                wait = self.send_once()
            except Exception as err:  # never let the thread die: report it in status()
                self.last_error = f"{type(err).__name__}: {err}"
                wait = 5.0
            if wait is None:
                backoff = 0.0
                timeout = IDLE_WAKE
            else:
                backoff = min(self.max_backoff, max(wait, backoff * 2 if backoff else wait))
                timeout = backoff
            self._wake.wait(timeout)
            self._wake.clear()

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="course-utils-workshop", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """Stop the background thread (queued events stay on disk)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=SEND_TIMEOUT + 3)
        with contextlib.suppress(Exception):
            self.drain_inbox()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the queue is empty (True) or ``timeout`` passes (False). For tests and
        ``doctor``; the hooks never call it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._wake.set()
            if self._taken >= self._handed and self.status().queued == 0:
                return True
            time.sleep(0.05)
        return False

    def status(self) -> Status:
        """Return the reporter's ``Status``."""
        queued = sent = dropped = rejected = resent = 0
        with contextlib.suppress(Exception):
            with self._queue_db() as db:
                queued = db.execute("SELECT COUNT(*) FROM queue").fetchone()[0]
                counters = dict(db.execute("SELECT name, n FROM counters").fetchall())
                sent, dropped, rejected = (counters.get(k, 0) for k in ("sent", "dropped", "rejected"))
                resent = counters.get("resent", 0)
        return Status(self.load_session(), queued, sent, dropped, rejected, self.last_error, {"resent": resent})


def _hint_level(exercise_id: str, level: Any) -> int:
    """The level ``hint()`` actually shows for this request (it clamps the same way)."""
    from ..checking import registry

    count = max(1, len(registry.get(exercise_id).hints))
    try:
        value = int(level)
    except (TypeError, ValueError, OverflowError):
        value = 1
    return min(max(value, 1), count)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "learner"


# --------------------------------------------------------------------------- per process

_REPORTER: Reporter | None = None
_REPORTER_LOCK = threading.Lock()


def reporter() -> Reporter:
    """Return this process's ``Reporter`` (a new one if the state folder changed)."""
    global _REPORTER
    folder = default_state_dir()
    with _REPORTER_LOCK:
        if _REPORTER is None or _REPORTER.state_dir != folder:
            if _REPORTER is not None:
                _REPORTER._stop.set()
                _REPORTER._wake.set()
            _REPORTER = Reporter(folder)
        return _REPORTER


def _at_exit() -> None:
    if _REPORTER is not None:
        with contextlib.suppress(Exception):
            _REPORTER._stop.set()
            _REPORTER.drain_inbox()  # what the hooks handed over is on disk before the kernel goes


atexit.register(_at_exit)


def report_check(result: Any) -> None:
    """Called by ``check()``: report the verdict of ``result`` (a ``CheckResult``). Never raises."""
    try:
        reporter().report("check", result.exercise_id, bool(result.passed),
                          None if result.passed else result.diagnosis)
    except Exception:
        pass


def report_hint(exercise_id: Any, level: Any = 1) -> None:
    """Called by ``hint()``: report that a hint of this level was asked. Never raises."""
    try:
        reporter().report("hint", exercise_id, level=level)
    except Exception:
        pass


def report_solution(exercise_id: Any) -> None:
    """Called by ``solution()``: report that the worked solution was shown. Never raises."""
    try:
        reporter().report("solution", exercise_id)
    except Exception:
        pass


def join(url: str, name: str) -> None:
    """Join the workshop at ``url`` (the join URL the instructor shows) as ``name``.
    From then on, in every notebook, ``check()`` reports the exercise, the verdict, its
    diagnosis and the attempt number; ``hint()`` and ``solution()`` report what was asked.
    Never code or values. Prints what happened; returns None."""
    print(reporter().join(url, name))


def leave() -> None:
    """Stop reporting to the workshop (every notebook of this learner). Returns None."""
    print(reporter().leave())


def status() -> Status:
    """Return the reporter's ``Status`` (print it to read it)."""
    return reporter().status()
