"""The workshop server over real HTTP on loopback (a tornado server in a thread): who may
post and view, and that every bad request gets a 4xx with a reason and stores nothing."""

import json
import socket
import threading
import time
import urllib.request

import pytest
from workshop_support import ThreadServer, http

import course_utils
from course_utils.workshop.server import Limits

IDS = course_utils.exercise_ids()


@pytest.fixture
def server(tmp_path):
    s = ThreadServer(str(tmp_path / "w.sqlite"))
    yield s
    s.stop()


def good_event(i=0, **overrides):
    body = {"id": f"evt{i:08d}", "kind": "check", "exercise": IDS[0], "passed": False,
            "diagnosis": "transpose", "attempt": 1, "age": 0.1}
    body.update(overrides)
    return body


def post_events(server, token, events, **kw):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return http("POST", server.url("/api/events"), {"events": events} if events is not None else None,
                headers=headers, **kw)


def stored(server):
    return server.store.counts()


# --------------------------------------------------------------------------- who may do what

def test_join_then_post_then_the_instructor_sees_it(server):
    token = server.join("Ada")
    status, body, _ = post_events(server, token, [good_event(1), good_event(2, passed=True, diagnosis=None,
                                                                            attempt=2)])
    assert (status, body) == (200, {"stored": 2, "duplicates": 0})
    status, body, _ = post_events(server, token, [good_event(2, passed=True, diagnosis=None, attempt=2)])
    assert (status, body) == (200, {"stored": 0, "duplicates": 1})  # a retry is not stored twice
    status, state, _ = server.instructor("/instructor/state")
    assert status == 200
    assert state["participants"][0]["name"] == "Ada"
    assert state["grid"]["1"][IDS[0]]["status"] == "passed"


@pytest.mark.parametrize("code", ["", "WRONG-CODE", "x" * 41, 12345, None, ["K7QM-3XPA"]])
def test_a_wrong_or_missing_join_code_is_refused(server, code):
    status, body, _ = http("POST", server.url("/api/join"), {"code": code, "name": "Mallory"})
    assert status in (400, 403)
    assert "code" in body["error"]
    assert stored(server) == (0, 0)


def test_the_join_code_is_not_case_or_space_sensitive(server):
    code = server.secrets.join_code.lower().replace("-", "- ")
    status, _, _ = http("POST", server.url("/api/join"), {"code": " " + code, "name": "Ada"})
    assert status == 201


@pytest.mark.parametrize("header", [None, "", "Bearer ", "Bearer nonsense-token-0123456789", "Basic abc",
                                    "Bearer " + "a" * 5000, "Bearer ../../etc/passwd"])
def test_events_without_a_known_participant_token_are_refused(server, header):
    server.join("Ada")
    headers = {} if header is None else {"Authorization": header}
    status, body, _ = http("POST", server.url("/api/events"), {"events": [good_event()]}, headers=headers)
    assert status == 401 and "join" in body["error"]
    assert stored(server) == (1, 0)


def test_the_join_code_does_not_open_the_instructor_view(server):
    for auth in ({}, {"Authorization": f"Bearer {server.secrets.join_code}"},
                 {"Authorization": f"Bearer {server.join('Ada')}"}, {"Authorization": "Bearer "}):
        for path in ("/instructor", "/instructor/state", "/instructor/stream", "/instructor/export.csv",
                     "/instructor/events.csv"):
            status, body, _ = http("GET", server.url(path), headers=auth)
            assert status == 403, (path, auth)
            assert "instructor only" in body["error"]
    status, body, _ = http("GET", server.url("/instructor?key=" + server.secrets.join_code))
    assert status == 403 and "wrong instructor key" in body["error"]


def test_the_instructor_key_gives_a_cookie_and_leaves_the_address_bar(server):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor())
    with opener.open(server.url(f"/instructor?key={server.key}"), timeout=5) as resp:
        assert resp.status == 200
        assert resp.url == server.url("/instructor")  # redirected: the key is not on the projected screen
        page = resp.read().decode()
        csp = resp.headers["Content-Security-Policy"]
    assert "<title>Workshop" in page and "/assets/instructor.js" in page
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "http" not in page.replace("http-equiv", "")  # nothing loaded from elsewhere (no CDN)
    with opener.open(server.url("/instructor/state"), timeout=5) as resp:
        assert json.loads(resp.read())["exercises"] == IDS


def test_a_participant_can_read_nothing(server):
    token = server.join("Ada")
    server.join("Bob")
    for path in ("/instructor/state", "/instructor/export.csv", "/api/events", "/api/join", "/api/participants",
                 "/api/events?participant=2"):
        status, body, _ = http("GET", server.url(path), headers={"Authorization": f"Bearer {token}"})
        assert status in (403, 404, 405), path
        assert "Bob" not in json.dumps(body)


# --------------------------------------------------------------------------- junk

JUNK_EVENTS = [
    [good_event(exercise="99.not_an_exercise")],
    [good_event(diagnosis="<img src=x onerror=alert(1)>")],
    [good_event(passed="yes")],
    [good_event(attempt="1")],
    [good_event(attempt=-3)],
    [good_event(age=10 ** 12)],
    [good_event(source="def grad_w(x): return x.T")],   # code is never accepted
    [good_event(values=[[1.0, 2.0]])],                   # nor values
    [good_event(id=None)],
    [good_event(kind=None)],
    [good_event(1), good_event(2, exercise="nope")],    # one bad event refuses the batch
    [good_event(i) for i in range(51)],                 # too many in one request
    [],
    [None],
    ["check"],
    [[good_event()]],
    [{"kind": "hint", "exercise": IDS[0], "level": 1, "id": "hint00000001", "age": 0, "extra": {"deep": [1] * 10}}],
]


@pytest.mark.parametrize("events", JUNK_EVENTS, ids=range(len(JUNK_EVENTS)))
def test_junk_events_are_refused_and_nothing_is_stored(server, events):
    token = server.join("Ada")
    status, body, _ = post_events(server, token, events)
    assert 400 <= status < 500 and isinstance(body, dict) and body["error"]
    assert stored(server) == (1, 0)


@pytest.mark.parametrize("raw,content_type,status", [
    (b"not json at all", "application/json", 400),
    (b'{"events": [' + b"1," * 40000 + b"1]}", "application/json", 413),
    (json.dumps({"events": [good_event()]}).encode(), "text/plain", 415),      # a cross-site form post
    (json.dumps({"events": [good_event()]}).encode(), "application/x-www-form-urlencoded", 415),
    (b'{"events": [{"id": "evt00000000", "age": NaN}]}', "application/json", 400),
    (b"\x00\x01\x02\xff" * 100, "application/json", 400),
    (b"[" * 50_000, "application/json", 400),
    (b'{"events": "' + b"A" * 3_000_000 + b'"}', "application/json", 413),    # huge: read, dropped, refused
])
def test_malformed_bodies_are_refused(server, raw, content_type, status):
    token = server.join("Ada")
    got, body, _ = http("POST", server.url("/api/events"), raw=raw,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    assert got == status, body
    assert body["error"]
    assert stored(server) == (1, 0)


def test_a_declared_gigantic_body_is_refused_before_it_is_read(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST /api/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 999999999999\r\n\r\n{")
        answer = sock.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")
    assert stored(server) == (0, 0)


@pytest.mark.parametrize("body", [
    {"code": None, "name": "Ada"}, {"name": "Ada"}, {"code": "X"}, {},
    {"code": "CODE", "name": "Ada", "admin": True},
    {"code": "CODE", "name": "<script>alert(1)</script>"},
    {"code": "CODE", "name": "<b>bold</b>"},
    {"code": "CODE", "name": "x" * 10_000},
    {"code": "CODE", "name": 7},
    {"code": "CODE", "name": ""},
    {"code": "CODE", "name": "a\u202eb"},
    {"code": "CODE", "name": "Ada", "token": "short"},
    {"code": "CODE", "name": "Ada", "token": 12345678901234567890123},
])
def test_junk_joins_are_refused_and_nothing_is_stored(server, body):
    if body.get("code") == "CODE":
        body = dict(body, code=server.secrets.join_code)
    status, answer, _ = http("POST", server.url("/api/join"), body)
    assert 400 <= status < 500 and answer["error"]
    assert stored(server) == (0, 0)


def test_a_name_already_taken_is_refused_with_409(server):
    server.join("Ada")
    status, body, _ = http("POST", server.url("/api/join"), {"code": server.secrets.join_code, "name": "  ada "})
    assert status == 409 and "already called" in body["error"]
    assert stored(server) == (1, 0)


def test_unknown_paths_and_methods_get_4xx(server):
    for method, path in [("GET", "/nope"), ("GET", "/../../etc/passwd"), ("GET", "/assets/../server.py"),
                         ("GET", "/assets/instructor.html"), ("DELETE", "/api/events"), ("PUT", "/api/join"),
                         ("GET", "/api/join")]:
        status, _, _ = http(method, server.url(path))
        assert 400 <= status < 500, (method, path, status)


# --------------------------------------------------------------------------- limits

def test_too_many_requests_from_one_participant_get_429_and_store_nothing(tmp_path):
    s = ThreadServer(str(tmp_path / "w.sqlite"), Limits(events_burst=3, events_rate=0.01))
    try:
        token = s.join("Ada")
        answers = [post_events(s, token, [good_event(i)])[0] for i in range(5)]
        assert answers == [200, 200, 200, 429, 429]
        status, body, headers = post_events(s, token, [good_event(9)])
        assert status == 429 and int(headers["Retry-After"]) >= 1 and "wait" in body["error"]
        assert s.store.counts() == (1, 3)
        other = s.join("Bob")  # the limit is per participant: Bob is not slowed by Ada
        assert post_events(s, other, [good_event(1)])[0] == 200
    finally:
        s.stop()


def test_too_many_events_per_participant_are_refused(tmp_path):
    s = ThreadServer(str(tmp_path / "w.sqlite"), Limits(max_events_per_participant=60))
    try:
        token = s.join("Ada")
        assert post_events(s, token, [good_event(i) for i in range(50)])[0] == 200
        status, body, _ = post_events(s, token, [good_event(100 + i) for i in range(11)])
        assert status == 429 and "limit" in body["error"]
        assert s.store.counts() == (1, 50)
    finally:
        s.stop()


def test_guessing_codes_and_keys_is_locked_out(tmp_path):
    s = ThreadServer(str(tmp_path / "w.sqlite"), Limits(auth_fail_burst=5, auth_fail_rate=0.01))
    try:
        statuses = [http("POST", s.url("/api/join"), {"code": f"GUESS-{i:04d}", "name": "M"})[0] for i in range(5)]
        assert statuses == [403] * 5
        # now even the right code is refused from this address until the bucket refills
        status, body, _ = http("POST", s.url("/api/join"), {"code": s.secrets.join_code, "name": "M"})
        assert status == 429 and "too many refused" in body["error"]
        assert http("GET", s.url(f"/instructor?key={s.key}"))[0] == 429
        assert s.store.counts() == (0, 0)
    finally:
        s.stop()


def test_the_workshop_can_be_full(tmp_path):
    s = ThreadServer(str(tmp_path / "w.sqlite"), Limits(max_participants=2))
    try:
        s.join("A1")
        s.join("A2")
        status, body, _ = http("POST", s.url("/api/join"), {"code": s.secrets.join_code, "name": "A3"})
        assert status == 403 and "full" in body["error"]
    finally:
        s.stop()


# --------------------------------------------------------------------------- live updates, exports, ping

def read_sse(server, stop_after, timeout=10):
    """Open the stream with the key; collect ``stop_after`` messages (parsed JSON)."""
    messages = []
    req = urllib.request.Request(server.url("/instructor/stream"), headers={"Authorization": f"Bearer {server.key}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=timeout) as resp:
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        for raw in resp:
            line = raw.decode().rstrip("\n")
            if line.startswith("data: "):
                messages.append(json.loads(line[6:]))
                if len(messages) >= stop_after:
                    break
    return messages


def test_changes_are_pushed_to_the_stream(server):
    token = server.join("Ada")
    got = []
    reader = threading.Thread(target=lambda: got.extend(read_sse(server, 2)))
    reader.start()
    deadline = time.monotonic() + 10
    while not server.workshop.streams and time.monotonic() < deadline:
        time.sleep(0.02)
    post_events(server, token, [good_event(1, diagnosis="sign")])
    reader.join(10)
    assert len(got) == 2
    assert got[0]["grid"] == {}                                   # the state at connection
    assert got[1]["grid"]["1"][IDS[0]]["diagnosis"] == "sign"     # pushed after the post
    assert got[1]["version"] > got[0]["version"]


def test_csv_exports_need_the_key_and_hold_the_rows(server):
    token = server.join("Ada")
    post_events(server, token, [good_event(1)])
    status, text, headers = server.instructor("/instructor/export.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    rows = text.strip().split("\n")
    assert len(rows) == 1 + len(IDS) and rows[1].startswith(f"Ada,{IDS[0]},trying,1,transpose,")
    status, text, _ = server.instructor("/instructor/events.csv")
    assert status == 200 and len(text.strip().split("\n")) == 2


def test_ping_checks_the_code(server):
    assert http("GET", server.url("/api/ping"))[1]["service"] == "course-utils-workshop"
    assert http("GET", server.url(f"/api/ping?code={server.secrets.join_code}"))[1]["code_ok"] is True
    assert http("GET", server.url("/api/ping?code=NOPE"))[0] == 403


# --------------------------------------------------------------------------- the command

def run_cli(*args, timeout=60):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "course_utils", "workshop", *args], capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("args,fragment", [
    (["serve", "--db", "/nonexistent-folder/w.sqlite"], "folder of --db does not exist"),
    (["serve", "--port", "70000"], "--port must be between"),
    (["serve", "--max-participants", "0"], "--max-participants must be at least 1"),
    (["launch"], "invalid choice"),
])
def test_serve_refuses_bad_arguments_clearly(args, fragment):
    out = run_cli(*args)
    assert out.returncode == 2 and fragment in out.stderr and "Traceback" not in out.stderr


def test_serve_refuses_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "notes.sqlite"
    bad.write_text("these are my notes, not a database\n" * 100)
    out = run_cli("serve", "--db", str(bad), "--port", "0")
    assert out.returncode == 2 and "cannot use" in out.stderr and "Traceback" not in out.stderr
    assert bad.read_text().startswith("these are my notes")  # left as it was


def test_serve_says_when_the_port_is_taken(tmp_path, server):
    out = run_cli("serve", "--db", str(tmp_path / "other.sqlite"), "--port", str(server.port))
    assert out.returncode == 2 and f"cannot listen on 127.0.0.1:{server.port}" in out.stderr
    assert "Traceback" not in out.stderr
