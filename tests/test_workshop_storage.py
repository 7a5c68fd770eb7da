"""Workshop mode, without a network: request validation, SQLite storage, the page's
state, CSV export and the rate limiter. Expected values are worked out by hand from the
events each test stores."""

import sqlite3

import pytest

import course_utils
from course_utils.workshop import dashboard, export, protocol
from course_utils.workshop.protocol import BadRequest, Event
from course_utils.workshop.ratelimit import RateLimiter
from course_utils.workshop.storage import WorkshopStore

IDS = course_utils.exercise_ids()
EX1, EX2, EX3 = IDS[0], IDS[1], IDS[2]


def ev(i, kind="check", exercise=EX1, passed=False, diagnosis="transpose", attempt=1, level=None, age=0.0):
    return Event(f"event-{i:04d}", kind, exercise,
                 passed if kind == "check" else None,
                 (None if passed else diagnosis) if kind == "check" else None,
                 attempt if kind == "check" else None, level, age)


@pytest.fixture
def store(tmp_path):
    s = WorkshopStore(str(tmp_path / "w.sqlite"))
    yield s
    s.close()


# --------------------------------------------------------------------------- protocol

def check_body(**overrides):
    body = {"id": "abcdefgh12", "kind": "check", "exercise": EX1, "passed": False, "diagnosis": "sign",
            "attempt": 1, "age": 0.5}
    body.update(overrides)
    return body


def test_valid_events_of_each_kind_are_accepted():
    events = protocol.validate_events({"events": [
        check_body(),
        check_body(id="pass000001", passed=True, diagnosis=None, attempt=2),
        {"id": "hint000001", "kind": "hint", "exercise": EX2, "level": 2, "age": 0},
        {"id": "soln000001", "kind": "solution", "exercise": EX3, "age": 3},
    ]})
    assert [(e.kind, e.exercise, e.passed, e.diagnosis, e.attempt, e.level) for e in events] == [
        ("check", EX1, False, "sign", 1, None), ("check", EX1, True, None, 2, None),
        ("hint", EX2, None, None, None, 2), ("solution", EX3, None, None, None, None)]


@pytest.mark.parametrize("bad,fragment", [
    (check_body(exercise="99.nope"), "unknown exercise"),
    (check_body(exercise=["03.grad_w"]), "unknown exercise"),
    (check_body(diagnosis="made_up"), "unknown diagnosis"),
    (check_body(diagnosis="transpose+transpose"), "unknown diagnosis"),
    (check_body(diagnosis="sign+transpose+nan+shape"), "unknown diagnosis"),
    (check_body(diagnosis=None), "unknown diagnosis"),
    (check_body(passed=True, diagnosis="sign"), "no diagnosis"),
    (check_body(passed=1), "true or false"),
    (check_body(passed="false"), "true or false"),
    (check_body(attempt=0), "between"),
    (check_body(attempt=True), "whole number"),
    (check_body(attempt=1.5), "whole number"),
    (check_body(attempt=10 ** 30), "between"),
    (check_body(age=-1), "between"),
    (check_body(age=1e12), "between"),
    (check_body(age="1"), "number"),
    (check_body(id="short"), "id must be"),
    (check_body(id="has space!"), "id must be"),
    (check_body(id="x" * 65), "id must be"),
    (check_body(kind="exec"), "kind must be"),
    (check_body(code="def f(): ..."), "unknown field"),
    (check_body(value=[1, 2, 3]), "unknown field"),
    ({k: v for k, v in check_body().items() if k != "attempt"}, "missing field"),
    ({"id": "hint000001", "kind": "hint", "exercise": EX1, "level": 0, "age": 0}, "between"),
    ({"id": "hint000001", "kind": "hint", "exercise": EX1, "level": 99, "age": 0}, "between"),
    ({"id": "soln000001", "kind": "solution", "exercise": EX1, "level": 1, "age": 0}, "unknown field"),
    ("a string", "JSON object"),
    (None, "JSON object"),
])
def test_bad_events_are_refused_with_a_reason(bad, fragment):
    with pytest.raises(BadRequest) as info:
        protocol.validate_events({"events": [check_body(id="goodgood01"), bad]})
    assert info.value.status == 400
    assert fragment in info.value.message
    assert info.value.index == 1  # the client can drop exactly that one


@pytest.mark.parametrize("body,status", [
    ({"events": []}, 400), ({"events": {}}, 400), ({}, 400), ({"events": [check_body()], "x": 1}, 400),
    ({"events": [check_body(id=f"id{i:08d}") for i in range(protocol.MAX_EVENTS_PER_BATCH + 1)]}, 413),
])
def test_bad_batches_are_refused(body, status):
    with pytest.raises(BadRequest) as info:
        protocol.validate_events(body)
    assert info.value.status == status


def test_ids_and_codes_are_read_from_the_course_at_request_time(monkeypatch):
    """A new exercise or diagnosis code added to the course is accepted with no change here."""
    with pytest.raises(BadRequest):
        protocol.validate_events({"events": [check_body(exercise="42.brand_new", diagnosis="overflow")]})
    monkeypatch.setattr(protocol, "_exercise_ids", lambda: IDS + ["42.brand_new"])
    monkeypatch.setattr(course_utils, "DIAGNOSIS_CODES", tuple(course_utils.DIAGNOSIS_CODES) + ("overflow",))
    (event,) = protocol.validate_events({"events": [check_body(exercise="42.brand_new", diagnosis="overflow")]})
    assert (event.exercise, event.diagnosis) == ("42.brand_new", "overflow")
    # a composite of two known codes is a named pair of slips
    (event,) = protocol.validate_events({"events": [check_body(diagnosis="transpose+sign")]})
    assert event.diagnosis == "transpose+sign"


@pytest.mark.parametrize("raw,content_type,status", [
    (b'{"events": []}', "text/plain", 415),
    (b'{"events": []}', None, 415),
    (b"\xff\xfe{}", "application/json", 400),
    (b'{"a": NaN}', "application/json", 400),
    (b'{"a": Infinity}', "application/json", 400),
    (b'{"a": 1, "a": 2}', "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b"[" * 100_000, "application/json", 413),
    (b"[" * 60_000, "application/json", 400),
    (b'{"n": ' + b"9" * 5000 + b"}", "application/json", 400),
    (b"", "application/json", 400),
])
def test_bodies_that_are_not_one_strict_json_object_are_refused(raw, content_type, status):
    with pytest.raises(BadRequest) as info:
        protocol.parse_json_body(raw, content_type)
    assert info.value.status == status


@pytest.mark.parametrize("raw,expected", [
    ("  Ada   Lovelace ", "Ada Lovelace"),
    ("O'Brien & Sons", "O'Brien & Sons"),
    ("Zoë", "Zoë"),
    ("Zoe\u0308", "Zoë"),          # NFC: the same name however it was typed
    ("李小龍", "李小龍"),
])
def test_names_are_normalised(raw, expected):
    assert protocol.clean_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "<script>alert(1)</script>", "a<b", "x" * 41, "tab\tin\x00side",
                                 "evil\u202egnp.exe", "bell\x07", 42, None, ["Ada"], "\ud800"])
def test_bad_names_are_refused(raw):
    with pytest.raises(BadRequest) as info:
        protocol.clean_name(raw)
    assert info.value.status == 400


# --------------------------------------------------------------------------- storage

def test_database_is_sqlite_in_wal_mode(store, tmp_path):
    con = sqlite3.connect(str(tmp_path / "w.sqlite"))
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_secrets_survive_a_restart_and_rotate_on_request(tmp_path):
    path = str(tmp_path / "s.sqlite")
    first = WorkshopStore(path)
    a = first.secrets()
    first.close()
    again = WorkshopStore(path)
    assert again.secrets() == a
    rotated = again.secrets(rotate=True)
    assert rotated.join_code != a.join_code and rotated.instructor_key != a.instructor_key
    again.close()


def test_an_event_sent_twice_is_stored_once(store):
    token = store.join("Ada", None, 10).token
    pid = store.participant_for(token)
    assert store.add_events(pid, [ev(1), ev(2)], 1000.0, 100) == (2, 0)
    assert store.add_events(pid, [ev(2), ev(3), ev(3)], 1001.0, 100) == (1, 2)
    assert store.counts() == (1, 3)


def test_event_ids_are_per_participant(store):
    a = store.participant_for(store.join("Ada", None, 10).token)
    b = store.participant_for(store.join("Bob", None, 10).token)
    store.add_events(a, [ev(1)], 1000.0, 100)
    assert store.add_events(b, [ev(1)], 1000.0, 100) == (1, 0)  # Bob's event-0001 is his own


def test_the_event_limit_stores_nothing_of_a_batch_that_crosses_it(store):
    pid = store.participant_for(store.join("Ada", None, 10).token)
    store.add_events(pid, [ev(i) for i in range(4)], 1000.0, 5)
    with pytest.raises(BadRequest) as info:
        store.add_events(pid, [ev(10), ev(11)], 1000.0, 5)
    assert info.value.status == 429
    assert store.counts() == (1, 4)


def test_join_names_tokens_and_capacity(store):
    first = store.join("Ada", None, 2)
    with pytest.raises(BadRequest) as taken:
        store.join("ADA", None, 2)  # case-insensitive: two "Ada"s on the wall are one too many
    assert taken.value.status == 409
    again = store.join("Ada L.", first.token, 2)  # a re-join keeps the row, may rename
    assert (again.participant_id, again.rejoined) == (first.participant_id, True)
    store.join("Bob", None, 2)
    with pytest.raises(BadRequest) as full:
        store.join("Cy", None, 2)
    assert full.value.status == 403
    assert [name for _, name, _, _ in store.participants()] == ["Ada L.", "Bob"]
    assert store.participant_for("not-a-token-at-all-000000") is None


def test_the_token_is_not_stored_in_clear(store, tmp_path):
    token = store.join("Ada", None, 10).token
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("w.sqlite"))
    assert token.encode() not in raw


# --------------------------------------------------------------------------- page state

def test_page_state_by_hand(store):
    """Three learners; the expected grid, stuck list, hints and passes are counted by hand."""
    ada = store.participant_for(store.join("Ada", None, 10).token)
    bob = store.participant_for(store.join("Bob", None, 10).token)
    cy = store.participant_for(store.join("Cy", None, 10).token)
    now = 10_000.0
    # Ada: EX1 transpose (t=100), transpose (t=200), pass (t=300); EX2 sign at t=400.
    store.add_events(ada, [ev(1, attempt=1, age=now - 100), ev(2, attempt=2, age=now - 200),
                           ev(3, passed=True, attempt=3, age=now - 300), ev(4, exercise=EX2, diagnosis="sign",
                                                                           age=now - 400)], now, 100)
    # Bob: EX1 sign (t=50) then transpose (t=150) -> latest diagnosis transpose; hint level 2 and 1.
    store.add_events(bob, [ev(5, diagnosis="transpose", attempt=2, age=now - 150),
                           ev(6, diagnosis="sign", attempt=1, age=now - 50),
                           ev(7, kind="hint", level=2, age=now - 160), ev(8, kind="hint", level=1, age=now - 170)],
                     now, 100)
    # Cy: EX1 transpose at t=500; a solution for EX3 without any check.
    store.add_events(cy, [ev(9, attempt=1, age=now - 500), ev(10, kind="solution", exercise=EX3, age=now - 510)],
                     now, 100)
    state = dashboard.snapshot(store, now)
    g = state["grid"]
    assert g[str(ada)][EX1] == {"status": "passed", "attempts": 3, "diagnosis": "transpose", "hint_level": 0,
                                "solution": False}
    assert g[str(ada)][EX2]["status"] == "trying"
    assert g[str(bob)][EX1] == {"status": "trying", "attempts": 2, "diagnosis": "transpose", "hint_level": 2,
                                "solution": False}
    assert g[str(cy)][EX3] == {"status": "hinted", "attempts": 0, "diagnosis": None, "hint_level": 0,
                               "solution": True}
    # stuck on EX1: Bob (transpose) and Cy (transpose); on EX2: Ada (sign)
    assert state["stuck"] == [{"exercise": EX1, "learners": 2, "diagnoses": [["transpose", 2]]},
                              {"exercise": EX2, "learners": 1, "diagnoses": [["sign", 1]]}]
    # longest: Bob since t=50, Ada (EX2) since 400, Cy since 500
    assert [(r["name"], r["exercise"], r["since"]) for r in state["longest"]] == [
        ("Bob", EX1, 50.0), ("Ada", EX2, 400.0), ("Cy", EX1, 500.0)]
    assert state["longest"][0]["minutes"] == pytest.approx((now - 50) / 60)
    assert state["hints"] == [{"exercise": EX1, "hints": 2, "solutions": 0, "learners": 1},
                              {"exercise": EX3, "hints": 0, "solutions": 1, "learners": 1}]
    assert [(p["name"], p["exercise"], p["at"]) for p in state["passes"]] == [("Ada", EX1, 300.0)]
    assert state["totals"] == {"participants": 3, "passed": 1, "trying": 3}
    assert state["exercises"] == IDS


def test_csv_export_rows_and_formula_safety(store):
    evil = store.participant_for(store.join("=HYPERLINK(\"x\")", None, 10).token)
    store.add_events(evil, [ev(1, passed=True, attempt=1, age=5)], 1000.0, 100)
    text = export.summary_csv(store)
    lines = text.strip().split("\n")
    assert lines[0].split(",") == export.SUMMARY_HEADER
    assert len(lines) == 1 + len(IDS)  # one participant x every exercise
    first = lines[1]
    assert first.startswith("\"'=HYPERLINK(\"\"x\"\")\"," + EX1 + ",passed,1,")
    assert all(",not started," in line for line in lines[2:])
    events = export.events_csv(store).strip().split("\n")
    assert len(events) == 2 and ",check," + EX1 + ",1,," in events[1]


@pytest.mark.parametrize("value,expected", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
                                            ("Ada", "Ada"), (None, ""), (3, "3")])
def test_safe_cell(value, expected):
    assert export.safe_cell(value) == expected


# --------------------------------------------------------------------------- rate limiter

def test_rate_limiter_bursts_then_refills():
    now = [0.0]
    lim = RateLimiter(capacity=3, rate=2, clock=lambda: now[0])
    assert [lim.allow("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert lim.allow("a") == pytest.approx(0.5)    # empty: one token takes 1/rate s
    assert lim.allow("b") == 0.0                   # another key has its own bucket
    assert lim.peek("a") == pytest.approx(0.5)
    now[0] = 0.5
    assert lim.allow("a") == 0.0
    assert lim.allow("a") == pytest.approx(0.5)


def test_rate_limiter_memory_is_bounded():
    lim = RateLimiter(capacity=1, rate=0.001, max_keys=100)
    for i in range(1000):
        lim.allow(i)
    assert len(lim._buckets) == 100


def test_a_later_batch_is_never_dated_before_an_earlier_one(store):
    """The reporter sends one batch at a time, in the order the events happened: a batch
    whose ages, minus a slow first request's latency, would date it earlier is kept after."""
    ada = store.participant_for(store.join("Ada", None, 10).token)
    store.add_events(ada, [ev(1, age=0.0)], 1000.050, 100)              # a slow request: happened ~1000.000
    store.add_events(ada, [ev(2, kind="hint", level=1, age=0.045)], 1000.046, 100)   # happened 1000.001
    times = [(row[2], row[9]) for row in store.events()]
    assert [t[0] for t in times] == ["event-0001", "event-0002"]
    assert times[1][1] >= times[0][1]
    # within one batch the ages are exact relative to each other and keep their order
    bob = store.participant_for(store.join("Bob", None, 10).token)
    store.add_events(bob, [ev(3, age=5.0), ev(4, age=9.0)], 2000.0, 100)
    bob_rows = [row for row in store.events() if row[1] == "Bob"]
    assert [(r[2], r[9]) for r in bob_rows] == [("event-0004", 1991.0), ("event-0003", 1995.0)]
