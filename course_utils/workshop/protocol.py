"""What a workshop request may contain, and the checks every request passes before
anything is stored.

The wire format (JSON, UTF-8, ``Content-Type: application/json``):

- join: ``{"code": "K7QM-3XPA", "name": "Ada"}`` (``token`` too when a participant
  re-joins after a restart of its kernel, to keep its row);
- events: ``{"events": [EVENT, ...]}`` with 1 to ``MAX_EVENTS_PER_BATCH`` events, each::

      {"id": "<8-64 chars [A-Za-z0-9_-]>", "kind": "check", "exercise": "03.grad_w",
       "passed": false, "diagnosis": "transpose", "attempt": 2, "age": 0.4}
      {"id": ..., "kind": "hint", "exercise": ..., "level": 2, "age": ...}
      {"id": ..., "kind": "solution", "exercise": ..., "age": ...}

  ``age`` is how many seconds ago the event happened, measured on the learner's
  machine (so a learner's clock being wrong does not matter); the server stores
  ``received - age``.

Nothing else is accepted: no code, no values, no free text except the name. Exercise
ids and diagnosis codes are read from ``course_utils`` at the time of the request (the
course grows; nothing here lists them). Every check raises ``BadRequest`` with a status
and a sentence saying what was wrong; the caller stores nothing from a request that
fails any check (a batch is all or nothing).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..checking.diagnosis import CODES as _STATIC_CODES
from ..checking.registry import exercise_ids as _exercise_ids

MAX_BODY_BYTES = 64 * 1024          # one request body
MAX_EVENTS_PER_BATCH = 50           # events in one request
MAX_NAME_CHARS = 40                 # a participant's display name
MAX_ATTEMPT = 100_000               # attempt numbers of one exercise
MAX_LEVEL = 20                      # hint levels
MAX_AGE_SECONDS = 7 * 24 * 3600.0   # an event older than a week is not from this workshop
MAX_COMPOSITE_PARTS = 3             # "transpose+sign": a composite diagnosis of known codes
EVENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")
KINDS = ("check", "hint", "solution")
# Characters never allowed in a name: markup, and the bidirectional controls that could
# make a name on the projected page read as something else.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_MARKUP = set("<>")


class BadRequest(Exception):
    """A request that is refused: ``status`` (4xx) and a ``message`` for a person.
    ``index`` is the position of the offending event in a batch, when there is one."""

    def __init__(self, status: int, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.index = index


@dataclass(frozen=True)
class Event:
    """One validated event. ``passed``/``diagnosis``/``attempt`` only for checks,
    ``level`` only for hints; ``age`` in seconds (>= 0)."""

    event_id: str
    kind: str
    exercise: str
    passed: bool | None
    diagnosis: str | None
    attempt: int | None
    level: int | None
    age: float


def known_exercises() -> set[str]:
    """Return the exercise ids the server accepts now (read from the course registry)."""
    return set(_exercise_ids())


def known_codes() -> set[str]:
    """Return the diagnosis codes accepted now (``course_utils.DIAGNOSIS_CODES``, read at
    call time so codes added to the course are accepted without a change here)."""
    import course_utils

    return set(getattr(course_utils, "DIAGNOSIS_CODES", _STATIC_CODES))


def is_known_diagnosis(code: str, codes: set[str] | None = None) -> bool:
    """True when ``code`` is a known diagnosis code, or a composite of 2 or 3 distinct
    known codes joined by "+" (two slips at once)."""
    codes = known_codes() if codes is None else codes
    if code in codes:
        return True
    parts = code.split("+")
    return (1 < len(parts) <= MAX_COMPOSITE_PARTS and len(set(parts)) == len(parts)
            and all(p in codes for p in parts))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice")
        out[key] = value
    return out


def parse_json_body(body: bytes, content_type: str | None) -> dict[str, Any]:
    """Return the request body as a dict, or raise ``BadRequest``: it must be declared
    as JSON, at most ``MAX_BODY_BYTES``, valid UTF-8, strict JSON (no NaN, no repeated
    keys) and an object at the top."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise BadRequest(415, "send JSON with the header Content-Type: application/json")
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(413, f"the request body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    try:
        text = body.decode("utf-8")
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise BadRequest(400, f"the body is not valid JSON: {str(err)[:120]}") from None
    if not isinstance(data, dict):
        raise BadRequest(400, "the body must be a JSON object")
    return data


def _only_keys(obj: dict[str, Any], allowed: set[str], required: set[str], what: str,
               index: int | None = None) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        shown = ", ".join(repr(k[:30]) for k in extra[:3])
        raise BadRequest(400, f"{what}: unknown field(s) {shown}; allowed: {', '.join(sorted(allowed))}", index)
    missing = sorted(required - set(obj))
    if missing:
        raise BadRequest(400, f"{what}: missing field(s) {', '.join(missing)}", index)


def clean_name(raw: Any) -> str:
    """Return the display name to store: NFC-normalised, inner whitespace collapsed,
    1 to ``MAX_NAME_CHARS`` characters, no control or bidirectional characters, no
    ``<`` or ``>``. Raises ``BadRequest`` (400) saying what to change."""
    if not isinstance(raw, str):
        raise BadRequest(400, "name must be a string")
    if len(raw) > 4 * MAX_NAME_CHARS:
        raise BadRequest(400, f"name is too long: at most {MAX_NAME_CHARS} characters")
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise BadRequest(400, "name is empty: give the name the instructor should see")
    if len(name) > MAX_NAME_CHARS:
        raise BadRequest(400, f"name is too long ({len(name)} characters): at most {MAX_NAME_CHARS}")
    for ch in name:
        if ch in _MARKUP:
            raise BadRequest(400, "name may not contain < or >: use plain text")
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            raise BadRequest(400, f"name contains a control or unassigned character (U+{ord(ch):04X})")
    return name


def name_key(name: str) -> str:
    """Return the key two names collide on (case- and width-insensitive)."""
    return unicodedata.normalize("NFKC", name).casefold()


def normalise_code(raw: Any) -> str:
    """Return a join code in canonical form (upper case, no spaces); '' when not a str."""
    if not isinstance(raw, str) or len(raw) > 40:
        return ""
    return raw.strip().upper().replace(" ", "")


def validate_join(data: dict[str, Any]) -> tuple[str, str, str | None]:
    """Return ``(code, name, token_or_None)`` from a join body, or raise ``BadRequest``."""
    _only_keys(data, {"code", "name", "token"}, {"code", "name"}, "join")
    code = normalise_code(data["code"])
    if not code:
        raise BadRequest(400, "code must be the join code as a string")
    name = clean_name(data["name"])
    token = data.get("token")
    if token is not None and (not isinstance(token, str) or not TOKEN_RE.fullmatch(token)):
        raise BadRequest(400, "token must be the token this server gave at the previous join")
    return code, name, token


def _int_field(ev: dict[str, Any], key: str, low: int, high: int, index: int) -> int:
    value = ev.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(400, f"event {index}: {key} must be a whole number", index)
    if not low <= value <= high:
        raise BadRequest(400, f"event {index}: {key} must be between {low} and {high}", index)
    return value


def validate_event(ev: Any, index: int, exercises: set[str], codes: set[str]) -> Event:
    """Return the ``Event`` for one item of a batch, or raise ``BadRequest`` naming it."""
    if not isinstance(ev, dict):
        raise BadRequest(400, f"event {index} must be a JSON object", index)
    kind = ev.get("kind")
    if kind not in KINDS:
        raise BadRequest(400, f"event {index}: kind must be one of {', '.join(KINDS)}", index)
    allowed = {"id", "kind", "exercise", "age"}
    allowed |= {"check": {"passed", "diagnosis", "attempt"}, "hint": {"level"}, "solution": set()}[kind]
    _only_keys(ev, allowed, allowed, f"event {index} ({kind})", index)
    event_id = ev["id"]
    if not isinstance(event_id, str) or not EVENT_ID_RE.fullmatch(event_id):
        raise BadRequest(400, f"event {index}: id must be 8 to 64 characters from A-Z a-z 0-9 _ -", index)
    exercise = ev["exercise"]
    if not isinstance(exercise, str) or exercise not in exercises:
        shown = exercise[:40] if isinstance(exercise, str) else type(exercise).__name__
        raise BadRequest(400, f"event {index}: unknown exercise {shown!r}", index)
    age = ev["age"]
    if isinstance(age, bool) or not isinstance(age, (int, float)) or not math.isfinite(age):
        raise BadRequest(400, f"event {index}: age must be a number of seconds", index)
    if not 0 <= age <= MAX_AGE_SECONDS:
        raise BadRequest(400, f"event {index}: age must be between 0 and {MAX_AGE_SECONDS:.0f} seconds", index)
    passed = diagnosis = attempt = level = None
    if kind == "check":
        passed = ev["passed"]
        if not isinstance(passed, bool):
            raise BadRequest(400, f"event {index}: passed must be true or false", index)
        diagnosis = ev["diagnosis"]
        if passed and diagnosis is not None:
            raise BadRequest(400, f"event {index}: a passed check has no diagnosis (null)", index)
        if not passed and (not isinstance(diagnosis, str) or not is_known_diagnosis(diagnosis, codes)):
            shown = diagnosis[:40] if isinstance(diagnosis, str) else diagnosis.__class__.__name__
            raise BadRequest(400, f"event {index}: unknown diagnosis code {shown!r}", index)
        attempt = _int_field(ev, "attempt", 1, MAX_ATTEMPT, index)
    elif kind == "hint":
        level = _int_field(ev, "level", 1, MAX_LEVEL, index)
    return Event(event_id, kind, exercise, passed, diagnosis, attempt, level, float(age))


def validate_events(data: dict[str, Any]) -> list[Event]:
    """Return the validated events of a batch body (all of them, or raise ``BadRequest``)."""
    _only_keys(data, {"events"}, {"events"}, "events body")
    items = data["events"]
    if not isinstance(items, list):
        raise BadRequest(400, "events must be a list")
    if not items:
        raise BadRequest(400, "events is empty")
    if len(items) > MAX_EVENTS_PER_BATCH:
        raise BadRequest(413, f"{len(items)} events in one request; send at most {MAX_EVENTS_PER_BATCH}")
    exercises, codes = known_exercises(), known_codes()
    return [validate_event(ev, i, exercises, codes) for i, ev in enumerate(items)]
