"""The workshop's storage: one SQLite file in WAL mode (standard library ``sqlite3``).

Tables:

- ``meta``: the join code and the instructor secret, so that a restarted server (same
  ``--db``) keeps them and the learners' queued events still get in;
- ``participants``: id, display name, a hash of the participant's token (the token
  itself is never stored), join and last-seen times, how many events it has stored;
- ``events``: one row per event, primary key ``(participant_id, event_id)``: a retried
  event is ignored, never stored twice.

Every write is one transaction, committed before the server answers, so an event the
server acknowledged survives the server being killed (WAL with ``synchronous=NORMAL``
is durable against a process crash; ``synchronous=FULL`` is used when asked for
power-loss durability too).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .protocol import BadRequest, Event, name_key

# Join codes avoid characters read aloud ambiguously (0/O, 1/I/L, 5/S, 2/Z, 8/B).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS participants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    joined_at REAL NOT NULL,
    last_seen REAL NOT NULL,
    event_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events (
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('check', 'hint', 'solution')),
    exercise TEXT NOT NULL,
    passed INTEGER,
    diagnosis TEXT,
    attempt INTEGER,
    level INTEGER,
    at REAL NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (participant_id, event_id)
);
CREATE INDEX IF NOT EXISTS events_by_cell ON events (participant_id, exercise, kind);
"""


def new_join_code() -> str:
    """Return a fresh join code such as ``K7QM-3XPA`` (8 characters, ~37 bits)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def token_hash(token: str) -> str:
    """Return the stored form of a participant token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Secrets:
    """The join code (learners post with it) and the instructor secret (views with it)."""

    join_code: str
    instructor_key: str


@dataclass(frozen=True)
class Joined:
    """Result of a join: the participant's id, its token, and whether it re-joined."""

    participant_id: int
    token: str
    rejoined: bool


class WorkshopStore:
    """All reads and writes of the workshop database. Thread-safe (one lock)."""

    def __init__(self, path: str, durable: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        mode = self._db.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            raise RuntimeError(f"{path}: SQLite could not switch to WAL mode (got {mode})")
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        self._tokens: dict[str, int] = {}

    def close(self) -> None:
        """Close the database (checkpointing the WAL)."""
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ secrets

    def secrets(self, rotate: bool = False) -> Secrets:
        """Return the join code and instructor key, creating them on first use (or new
        ones when ``rotate``); they are kept in the database across restarts."""
        with self._lock:
            rows = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            if rotate or "join_code" not in rows or "instructor_key" not in rows:
                rows["join_code"] = new_join_code()
                rows["instructor_key"] = secrets.token_urlsafe(24)
                self._db.execute("BEGIN IMMEDIATE")
                for key in ("join_code", "instructor_key"):
                    self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, rows[key]))
                self._db.execute("COMMIT")
            return Secrets(rows["join_code"], rows["instructor_key"])

    # ------------------------------------------------------------------ participants

    def join(self, name: str, token: str | None, max_participants: int) -> Joined:
        """Add a participant (or find the one holding ``token``) and return ``Joined``.

        Raises ``BadRequest``: 409 when another participant has this name, 403 when
        the workshop already has ``max_participants``."""
        now = time.time()
        key = name_key(name)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if token is not None:
                    row = self._db.execute("SELECT id FROM participants WHERE token_hash = ?",
                                           (token_hash(token),)).fetchone()
                    if row is not None:
                        other = self._db.execute("SELECT id FROM participants WHERE name_key = ? AND id != ?",
                                                 (key, row[0])).fetchone()
                        if other is not None:
                            raise BadRequest(409, f"another participant is already called {name!r}: "
                                                  "add an initial or a number")
                        self._db.execute("UPDATE participants SET name = ?, name_key = ?, last_seen = ? WHERE id = ?",
                                         (name, key, now, row[0]))
                        self._db.execute("COMMIT")
                        return Joined(int(row[0]), token, True)
                if self._db.execute("SELECT 1 FROM participants WHERE name_key = ?", (key,)).fetchone():
                    raise BadRequest(409, f"another participant is already called {name!r}: "
                                          "add an initial or a number")
                count = self._db.execute("SELECT COUNT(*) FROM participants").fetchone()[0]
                if count >= max_participants:
                    raise BadRequest(403, f"the workshop is full ({max_participants} participants)")
                new_token = secrets.token_urlsafe(32)
                cur = self._db.execute(
                    "INSERT INTO participants (name, name_key, token_hash, joined_at, last_seen) "
                    "VALUES (?, ?, ?, ?, ?)", (name, key, token_hash(new_token), now, now))
                self._db.execute("COMMIT")
                pid = int(cur.lastrowid or 0)
                return Joined(pid, new_token, False)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def participant_for(self, token: str) -> int | None:
        """Return the participant id holding ``token``, or None."""
        digest = token_hash(token)
        cached = self._tokens.get(digest)
        if cached is not None:
            return cached
        with self._lock:
            row = self._db.execute("SELECT id FROM participants WHERE token_hash = ?", (digest,)).fetchone()
        if row is None:
            return None
        self._tokens[digest] = int(row[0])
        return int(row[0])

    # ------------------------------------------------------------------ events

    def add_events(self, participant_id: int, events: Sequence[Event], received: float,
                   max_events: int) -> tuple[int, int]:
        """Store a validated batch in one transaction; return ``(stored, duplicates)``.

        An event id this participant already stored is ignored (a retry). Raises
        ``BadRequest`` (429) and stores nothing when the participant would pass
        ``max_events`` stored events.

        An event's time is ``received - age``. Within a batch those times are exact relative
        to each other (the ages were measured at one instant); across batches, network
        latency could swap two quick events, so an event is never dated before the
        participant's latest stored event: the reporter sends one batch at a time, in the
        order the events happened."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (last,) = self._db.execute("SELECT MAX(at) FROM events WHERE participant_id = ?",
                                           (participant_id,)).fetchone()
                rows = []
                for e in events:
                    at = received - e.age if last is None else max(received - e.age, last)
                    rows.append((participant_id, e.event_id, e.kind, e.exercise,
                                 None if e.passed is None else int(e.passed), e.diagnosis, e.attempt, e.level,
                                 at, received))
                before = self._db.total_changes
                self._db.executemany(
                    "INSERT OR IGNORE INTO events (participant_id, event_id, kind, exercise, passed, diagnosis, "
                    "attempt, level, at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                stored = self._db.total_changes - before
                count = self._db.execute("SELECT event_count FROM participants WHERE id = ?",
                                         (participant_id,)).fetchone()[0]
                if count + stored > max_events:
                    raise BadRequest(429, f"this participant has reached the limit of {max_events} events")
                self._db.execute("UPDATE participants SET event_count = event_count + ?, last_seen = ? WHERE id = ?",
                                 (stored, received, participant_id))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return stored, len(rows) - stored

    # ------------------------------------------------------------------ reads

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def participants(self) -> list[tuple[int, str, float, float]]:
        """Return ``(id, name, joined_at, last_seen)`` for every participant, in join order."""
        return [(int(r[0]), str(r[1]), float(r[2]), float(r[3])) for r in
                self._query("SELECT id, name, joined_at, last_seen FROM participants ORDER BY id")]

    def cells(self) -> list[dict[str, Any]]:
        """Return one dict per (participant, exercise) with any event: ``participant``,
        ``exercise``, ``attempts``, ``passed`` (ever), ``first_check``, ``passed_at``,
        ``last_check``, ``hint_level``, ``hints``, ``solutions``, ``diagnosis`` (of the
        latest failing check, by event time)."""
        rows = self._query("""
            SELECT participant_id, exercise,
                   SUM(kind = 'check'), MAX(CASE WHEN kind = 'check' THEN attempt END),
                   MAX(CASE WHEN kind = 'check' AND passed = 1 THEN 1 ELSE 0 END),
                   MIN(CASE WHEN kind = 'check' THEN at END),
                   MIN(CASE WHEN kind = 'check' AND passed = 1 THEN at END),
                   MAX(CASE WHEN kind = 'check' THEN at END),
                   MAX(CASE WHEN kind = 'hint' THEN level END),
                   SUM(kind = 'hint'), SUM(kind = 'solution')
            FROM events GROUP BY participant_id, exercise""")
        latest = {(r[0], r[1]): r[2] for r in self._query("""
            SELECT participant_id, exercise, diagnosis FROM (
                SELECT participant_id, exercise, diagnosis, ROW_NUMBER() OVER (
                    PARTITION BY participant_id, exercise ORDER BY at DESC, attempt DESC, event_id) AS rn
                FROM events WHERE kind = 'check' AND passed = 0) WHERE rn = 1""")}
        out = []
        for (pid, ex, checks, max_attempt, passed, first, passed_at, last, hint_level,
             hints, solutions) in rows:
            out.append({
                "participant": int(pid), "exercise": str(ex),
                "attempts": max(int(checks or 0), int(max_attempt or 0)),
                "passed": bool(passed), "first_check": first, "passed_at": passed_at, "last_check": last,
                "hint_level": int(hint_level or 0), "hints": int(hints or 0), "solutions": int(solutions or 0),
                "diagnosis": latest.get((pid, ex)),
            })
        return out

    def counts(self) -> tuple[int, int]:
        """Return ``(participants, events)`` stored."""
        row = self._query("SELECT (SELECT COUNT(*) FROM participants), (SELECT COUNT(*) FROM events)")[0]
        return int(row[0]), int(row[1])

    def events(self) -> list[tuple[Any, ...]]:
        """Return every event as ``(participant_id, name, event_id, kind, exercise, passed,
        diagnosis, attempt, level, at, received_at)``, in time order (ties: the order they were stored)."""
        return self._query("""
            SELECT e.participant_id, p.name, e.event_id, e.kind, e.exercise, e.passed, e.diagnosis,
                   e.attempt, e.level, e.at, e.received_at
            FROM events e JOIN participants p ON p.id = e.participant_id
            ORDER BY e.at, e.rowid""")
