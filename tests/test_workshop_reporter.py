"""The learner's side of workshop mode: join(), leave(), and what check(), hint() and
solution() report, against a real workshop server on loopback. Covers an unreachable
server (events wait and arrive once), a server that never answers (the notebook is not
held up), lost answers (retries stored once), a kernel killed and restarted (the queue
survives), a full queue, and events the server refuses."""

import http.server
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from workshop_support import ThreadServer, free_port

import course_utils
from course_utils.functions import sigmoid
from course_utils.workshop import reporter as rep
from course_utils.workshop.storage import WorkshopStore

MARKER = "SECRET_LEARNER_CODE_7f3a"  # appears in the learner's function source only


def wrong_grad_w(x, y, w):
    """A sigma' factor left out (SECRET_LEARNER_CODE_7f3a)."""
    yhat = sigmoid(w * x)
    return float((yhat - y) * x) + 0.0


def right_grad_w(x, y, w):
    yhat = sigmoid(w * x)
    return float((yhat - y) * yhat * (1 - yhat) * x)


@pytest.fixture
def learner(tmp_path, monkeypatch):
    """This process as one learner: a fresh workshop folder, not strict (a failed check
    must not raise here), and the background thread stopped afterwards."""
    monkeypatch.setenv(rep.ENV_DIR, str(tmp_path / "learner"))
    monkeypatch.delenv(rep.ENV_URL, raising=False)
    monkeypatch.delenv("COURSE_UTILS_STRICT", raising=False)
    r = rep.reporter()
    yield r
    r.stop()


@pytest.fixture
def server(tmp_path):
    s = ThreadServer(str(tmp_path / "server.sqlite"))
    yield s
    s.stop()


def server_events(server):
    return [(kind, ex, passed, diag, attempt, level) for _, _, _, kind, ex, passed, diag, attempt, level, _, _
            in server.store.events()]


def test_join_check_hint_solution_reach_the_instructor(learner, server, capsys):
    course_utils.join(server.join_url, "Ada")
    assert "Joined the workshop" in capsys.readouterr().out
    expected = course_utils.run_check("02.grad_w", wrong_grad_w).diagnosis  # what the engine names
    assert expected not in (None, "wrong_value")
    course_utils.check("02.grad_w", wrong_grad_w)
    course_utils.hint("02.grad_w", 99)         # clamped to the last level, as hint() shows it
    course_utils.solution("02.grad_w")
    course_utils.check("02.grad_w", right_grad_w)
    course_utils.check("not.an_exercise", right_grad_w)   # unknown ids are not reported
    assert learner.flush(10)
    levels = len(__import__("course_utils.checking.registry", fromlist=["get"]).get("02.grad_w").hints)
    assert server_events(server) == [
        ("check", "02.grad_w", 0, expected, 1, None),
        ("hint", "02.grad_w", None, None, None, levels),
        ("solution", "02.grad_w", None, None, None, None),
        ("check", "02.grad_w", 1, None, 2, None),
    ]
    state = server.instructor("/instructor/state")[1]
    assert state["grid"]["1"]["02.grad_w"]["status"] == "passed"


def test_no_code_or_values_leave_the_learners_machine(learner, server, tmp_path):
    """The learner's source (a marker in it) and the values it returns appear neither in
    the local queue nor in the server's database."""
    learner.keep_acked = True
    rep.join(server.join_url, "Ada")
    course_utils.check("02.grad_w", wrong_grad_w)
    assert learner.flush(10)
    value = repr(wrong_grad_w(0.5, 1.0, 0.3))[:8]
    server.store.close()  # flush the WAL into the file
    server.store = WorkshopStore(str(tmp_path / "server.sqlite"))
    blobs = [p.read_bytes() for folder in (tmp_path, tmp_path / "learner") for p in folder.iterdir() if p.is_file()]
    assert blobs and len(learner.acked) == 1
    for blob in blobs:
        assert MARKER.encode() not in blob
        assert b"sigmoid(w * x)" not in blob
        assert value.encode() not in blob


def test_an_unreachable_server_gets_the_events_later_once(learner, tmp_path):
    db = str(tmp_path / "later.sqlite")
    store = WorkshopStore(db)
    code = store.secrets().join_code
    store.close()
    port = free_port()  # nothing listens here yet
    message = learner.join(f"http://127.0.0.1:{port}/{code}", "Ada")
    assert "did not answer" in message and "sent when it answers" in message
    course_utils.check("02.grad_w", wrong_grad_w)
    course_utils.check("02.grad_w", right_grad_w)
    course_utils.hint("02.grad_w")
    deadline = time.monotonic() + 10
    while learner.status().queued < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    status = learner.status()
    assert status.queued == 3 and status.session.token is None and status.last_error
    server = ThreadServer(db, port=port)
    try:
        learner._wake.set()
        assert learner.flush(15), learner.status()
        assert [(k, a) for k, _, _, _, a, _ in server_events(server)] == [("check", 1), ("check", 2), ("hint", None)]
        assert server.store.counts() == (1, 3)
        assert "joined" in str(learner.status())
    finally:
        server.stop()


class GateHandler(http.server.BaseHTTPRequestHandler):
    """A server that holds every request until the test opens the gate."""

    def do_POST(self):
        gate = self.server.gate
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        gate["entered"].set()
        gate["opened"].wait(30)
        body = json.dumps({"stored": 1, "duplicates": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_server_that_never_answers_does_not_hold_up_the_notebook(learner, capsys, monkeypatch):
    """join() gives up after its timeout; check() does not wait for the server at all.
    The server holds every request until the test opens its gate (or 20 s pass): a
    check() that waited for the network would return only after the gate opened."""
    monkeypatch.setattr(rep, "JOIN_TIMEOUT", 0.5)
    monkeypatch.setattr(rep, "SEND_TIMEOUT", 60.0)  # a background request would hang as long as the server
    gate = {"entered": threading.Event(), "opened": threading.Event()}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), GateHandler)
    httpd.gate = gate
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    watchdog = threading.Timer(20, gate["opened"].set)
    watchdog.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        started = time.monotonic()
        message = learner.join(f"{base}/ABCD-EFGH", "Ada")   # join waits at most JOIN_TIMEOUT
        joined_in = time.monotonic() - started
        assert "did not answer" in message and gate["entered"].is_set()
        timings = []
        for _ in range(4):
            t0 = time.monotonic()
            course_utils.check("02.grad_w", right_grad_w)   # the server is holding a request meanwhile
            timings.append(time.monotonic() - t0)
        assert not gate["opened"].is_set(), "check() waited for the server to answer"
        assert capsys.readouterr().out.count("PASSED") == 4
        with capsys.disabled():
            print(f"\n[workshop] join() to a server that never answers returned after {joined_in:.2f} s "
                  f"(JOIN_TIMEOUT {rep.JOIN_TIMEOUT} s); check() meanwhile took "
                  f"{', '.join(f'{t * 1000:.0f}' for t in timings)} ms")
    finally:
        watchdog.cancel()
        gate["opened"].set()
        httpd.shutdown()
        httpd.server_close()  # later attempts are refused at once


def test_a_lost_answer_is_retried_and_stored_once(learner, server, monkeypatch):
    """The server stores a batch but its answer never arrives: the reporter sends the
    same event ids again, and the server keeps one copy."""
    learner.join(server.join_url, "Ada")
    real_post = rep.post_json
    lost = []

    def lossy(url, payload, timeout, token=None):
        answer = real_post(url, payload, timeout, token)
        if url.endswith("/api/events") and not lost:
            lost.append(answer.body)
            return rep.Answer(0, {}, None, "simulated: the answer was lost")
        return answer

    monkeypatch.setattr(rep, "post_json", lossy)
    for fn in (wrong_grad_w, wrong_grad_w, right_grad_w):
        course_utils.check("02.grad_w", fn)
    assert learner.flush(15)
    assert lost and lost[0]["stored"] >= 1
    assert server.store.counts()[1] == 3
    assert [a for *_, a, _ in server_events(server)] == [1, 2, 3]


def test_the_local_queue_is_bounded_oldest_dropped(learner, monkeypatch):
    monkeypatch.setattr(rep, "MAX_QUEUED", 5)
    learner.join(f"http://127.0.0.1:{free_port()}/ABCD-EFGH", "Ada")
    for _ in range(8):
        course_utils.check("02.grad_w", wrong_grad_w)
    learner.stop()  # drains what the hooks handed over
    status = learner.status()
    assert (status.queued, status.dropped) == (5, 3)
    with learner._queue_db() as db:
        attempts = [json.loads(b)["attempt"] for (b,) in db.execute("SELECT body FROM queue ORDER BY seq")]
    assert attempts == [4, 5, 6, 7, 8]


def test_events_refused_by_the_server_are_dropped_one_by_one(learner, server, monkeypatch):
    """An exercise this server does not know (an older course version on the instructor's
    machine) is refused by index; the other events of the batch still arrive."""
    ids = course_utils.exercise_ids()
    unknown_here = "03.grad_w"
    monkeypatch.setattr("course_utils.workshop.protocol._exercise_ids", lambda: [i for i in ids if i != unknown_here])
    learner.join(server.join_url, "Ada")
    learner.stop()                                         # hold sending: the three go in one batch
    learner._ensure_thread = lambda: None
    rep.report_check(course_utils.run_check("02.grad_w", right_grad_w))
    rep.report_hint(unknown_here, 1)
    rep.report_solution("02.grad_w")
    learner.drain_inbox()
    assert learner.status().queued == 3
    del learner._ensure_thread                            # back to the real method
    learner._ensure_thread()
    assert learner.flush(10)
    assert [(k, ex) for k, ex, *_ in server_events(server)] == [("check", "02.grad_w"), ("solution", "02.grad_w")]
    assert learner.status().rejected == 1


def test_leave_stops_reporting_in_every_kernel(learner, server, tmp_path, capsys):
    rep.join(server.join_url, "Ada")
    course_utils.check("02.grad_w", wrong_grad_w)
    assert learner.flush(10)
    other_kernel = rep.Reporter(learner.state_dir)  # a second notebook of the same learner
    assert other_kernel.active() and other_kernel.load_session().name == "Ada"
    rep.leave()
    assert "Left the workshop" in capsys.readouterr().out
    course_utils.check("02.grad_w", right_grad_w)
    other_kernel.report("check", "02.grad_w", True)
    other_kernel.drain_inbox()
    learner.drain_inbox()
    assert learner.status().queued == 0 and other_kernel.load_session() is None
    assert server.store.counts() == (1, 1)


def test_a_check_just_before_leave_still_counts(learner, server, capsys):
    rep.join(server.join_url, "Ada")
    course_utils.check("02.grad_w", right_grad_w)
    rep.leave()                                    # no flush in between: leave() lets it go out first
    assert "discarded" not in capsys.readouterr().out
    assert server_events(server) == [("check", "02.grad_w", 1, None, 1, None)]


def test_joining_once_makes_another_kernel_report(learner, server):
    learner.join(server.join_url, "Ada")
    other_kernel = rep.Reporter(learner.state_dir)
    try:
        other_kernel.report("hint", "02.grad_w", level=1)
        assert other_kernel.flush(10)
        assert server_events(server) == [("hint", "02.grad_w", None, None, None, 1)]
    finally:
        other_kernel.stop()


def test_the_environment_variable_joins_without_a_call(server, tmp_path):
    r = rep.Reporter(str(tmp_path / "envjoin"), env={rep.ENV_URL: server.join_url, rep.ENV_NAME: "Bea"})
    try:
        r.report("check", "02.grad_w", False, "sign")
        assert r.flush(10)
        assert [n for _, n, *_ in server.store.participants()] == ["Bea"]
        assert server_events(server) == [("check", "02.grad_w", 0, "sign", 1, None)]
    finally:
        r.stop()


def test_a_token_the_server_forgot_leads_to_a_new_join(learner, tmp_path):
    """The instructor restarted with a fresh database (same code): the reporter's token is
    unknown (401), so it joins again and the events still arrive."""
    first = ThreadServer(str(tmp_path / "one.sqlite"))
    port, code = first.port, first.secrets.join_code
    learner.join(first.join_url, "Ada")
    first.stop()
    fresh = WorkshopStore(str(tmp_path / "two.sqlite"))
    fresh.secrets()
    fresh._db.execute("UPDATE meta SET value = ? WHERE key = 'join_code'", (code,))
    fresh.close()
    second = ThreadServer(str(tmp_path / "two.sqlite"), port=port)
    try:
        course_utils.check("02.grad_w", right_grad_w)
        assert learner.flush(15), learner.status()
        assert server_events(second) == [("check", "02.grad_w", 1, None, 1, None)]
    finally:
        second.stop()


@pytest.mark.parametrize("url,name,fragment", [
    ("not a url", "Ada", "not a web address"),
    ("http://127.0.0.1:8765", "Ada", "no join code"),
    ("http://127.0.0.1:8765/", "Ada", "no join code"),
    ("ftp://127.0.0.1/ABCD", "Ada", "not a web address"),
    ("http://127.0.0.1:99999/ABCD", "Ada", "invalid port"),
    (None, "Ada", "must be a string"),
    ("http://127.0.0.1:8765/ABCD", "<script>", "may not contain"),
    ("http://127.0.0.1:8765/ABCD", "", "empty"),
    ("http://127.0.0.1:8765/ABCD", 42, "must be a string"),
])
def test_join_with_bad_arguments_says_why_and_saves_nothing(learner, url, name, fragment):
    message = learner.join(url, name)
    assert message.startswith("Not joined:") and fragment in message
    assert not os.path.exists(learner.session_path)


def test_join_with_a_wrong_code_is_refused(learner, server):
    message = learner.join(f"{server.base}/WRONG-CODE", "Ada")
    assert "Not joined" in message and "wrong join code" in message
    assert not learner.active()


KERNEL = textwrap.dedent("""
    import os, sys, time
    import course_utils
    from course_utils.functions import sigmoid
    from course_utils.workshop import reporter as rep
    def wrong(x, y, w):
        return float((sigmoid(w * x) - y) * x)
    course_utils.join(sys.argv[1], "Kim")
    for _ in range(3):
        course_utils.check("02.grad_w", wrong)
    r = rep.reporter()
    while r.status().queued < 3:
        time.sleep(0.02)
    print("QUEUED", flush=True)
    os.kill(os.getpid(), 9)   # the kernel dies (a restart): no clean-up runs
""")


def test_queued_events_survive_a_killed_kernel(learner, tmp_path):
    db = str(tmp_path / "k.sqlite")
    store = WorkshopStore(db)
    code = store.secrets().join_code
    store.close()
    port = free_port()
    env = dict(os.environ, **{rep.ENV_DIR: learner.state_dir})
    env.pop("COURSE_UTILS_STRICT", None)
    proc = subprocess.run([sys.executable, "-c", KERNEL, f"http://127.0.0.1:{port}/{code}"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL and "QUEUED" in proc.stdout, proc.stderr[-2000:]
    server = ThreadServer(db, port=port)
    try:
        assert learner.status().queued == 3
        course_utils.check("02.grad_w", right_grad_w)    # the restarted kernel goes on counting
        assert learner.flush(15), learner.status()
        assert [(p, a) for _, _, p, _, a, _ in server_events(server)] == [(0, 1), (0, 2), (0, 3), (1, 4)]
    finally:
        server.stop()
