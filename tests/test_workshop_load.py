"""Workshop server under load and faults, on loopback only, bounded in time (``-m slow``).

- ``test_load_200_participants``: 200 simulated participants post 30 events each at
  once (6,000 requests, one event each) to a real ``course-utils workshop serve``
  process. Every event is stored exactly once; the figures printed are events/s, the
  instructor state's response times during the load, and (when Chromium is present) how
  long the instructor page took to show a probe participant's checks during the load.
- ``test_sigkill_mid_load_loses_nothing``: 200 participants using the real reporter
  (local queue, retries, event ids); the server is killed with SIGKILL in the middle and
  restarted on the same database. Everything stored before the kill is still there,
  every event acknowledged before the kill is there, the events queued meanwhile arrive,
  and each event is stored exactly once.
"""

import concurrent.futures
import csv
import io
import os
import random
import sqlite3
import statistics
import threading
import time
from collections import Counter

import pytest
from browser_support import CHROMIUM, launch_browser
from workshop_support import OBSERVER_JS, ProcessServer, http, wait_for_flip

import course_utils
from course_utils.workshop import reporter as rep

pytestmark = pytest.mark.slow

PARTICIPANTS = 200
EVENTS_EACH = 30
LOAD_TIMEOUT = 240  # seconds: the whole load must finish within this (it takes a few)
IDS = course_utils.exercise_ids()


def plan_events(rng, who):
    """30 plausible events for one participant: checks (mostly failing, then passing),
    hints and solutions, moving through the exercises in order."""
    events = []
    attempt = {}
    for k in range(EVENTS_EACH):
        ex = IDS[min(k // 3, len(IDS) - 1)]
        roll = rng.random()
        base = {"id": f"p{who:03d}e{k:02d}{rng.getrandbits(32):08x}", "exercise": ex, "age": 0}
        if roll < 0.12:
            events.append({**base, "kind": "hint", "level": rng.choice([1, 2])})
        elif roll < 0.16:
            events.append({**base, "kind": "solution"})
        else:
            attempt[ex] = attempt.get(ex, 0) + 1
            passed = k % 3 == 2
            events.append({**base, "kind": "check", "passed": passed, "attempt": attempt[ex],
                           "diagnosis": None if passed else rng.choice(["transpose", "sign", "shape", "wrong_value"])})
    return events


def post_until_stored(base, token, event, deadline):
    """POST one event; on 429 wait as told and retry. Returns the number of 429s met."""
    limited = 0
    while True:
        status, body, headers = http("POST", base + "/api/events", {"events": [event]},
                                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if status == 200:
            return limited
        assert status == 429, (status, body)
        limited += 1
        assert time.monotonic() < deadline, "rate-limited until the deadline"
        time.sleep(float(headers.get("Retry-After", "1")))


def stored_events(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute("SELECT p.name, e.event_id FROM events e JOIN participants p "
                           "ON p.id = e.participant_id").fetchall()
    finally:
        con.close()


def cpu_seconds(pid):
    """User + system CPU time of process ``pid`` so far (Linux /proc; 0.0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def say(capsys, lines):
    with capsys.disabled():
        print("\n" + "\n".join(f"[workshop load] {ln}" for ln in lines))


def test_load_200_participants(tmp_path, capsys):
    db = str(tmp_path / "load.sqlite")
    server = ProcessServer(db)
    rng = random.Random(20240916)
    deadline = time.monotonic() + LOAD_TIMEOUT
    try:
        names = [f"Learner {i:03d}" for i in range(PARTICIPANTS)]
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            joined = list(pool.map(lambda n: http("POST", server.base + "/api/join",
                                                  {"code": server.code, "name": n}, timeout=30), names))
        assert [s for s, _, _ in joined] == [201] * PARTICIPANTS
        tokens = [body["token"] for _, body, _ in joined]
        plans = [plan_events(rng, i) for i in range(PARTICIPANTS)]
        status, probe_body, _ = http("POST", server.base + "/api/join", {"code": server.code, "name": "Probe"})
        probe = probe_body["token"]

        state_times = []
        done = threading.Event()

        def watch_state():  # the instructor's state, fetched as the page's reload would
            while not done.is_set():
                t0 = time.perf_counter()
                status, body, _ = server.instructor("/instructor/state")
                state_times.append(time.perf_counter() - t0)
                assert status == 200
                time.sleep(0.2)

        def participant(i):
            return sum(post_until_stored(server.base, tokens[i], ev, deadline) for ev in plans[i])

        watcher = threading.Thread(target=watch_state, daemon=True)
        watcher.start()
        cpu_before = cpu_seconds(server.proc.pid)
        page_delays = []
        started = time.perf_counter()
        pool = concurrent.futures.ThreadPoolExecutor(PARTICIPANTS)
        futures = [pool.submit(participant, i) for i in range(PARTICIPANTS)]
        shot = None
        if CHROMIUM is not None:
            page_delays, shot = probe_page_during_load(server, probe, futures, tmp_path, deadline)
        limited = sum(f.result(timeout=max(1, deadline - time.monotonic())) for f in futures)
        elapsed = time.perf_counter() - started
        cpu_used = cpu_seconds(server.proc.pid) - cpu_before
        pool.shutdown()
        done.set()
        watcher.join(10)

        # exactly once: the stored (participant, event id) pairs are the planned ones, each once
        rows = stored_events(db)
        counts = Counter(rows)
        planned = {(names[i], ev["id"]) for i in range(PARTICIPANTS) for ev in plans[i]}
        ours = [r for r in rows if r[0] != "Probe"]
        assert len(ours) == PARTICIPANTS * EVENTS_EACH
        assert set(ours) == planned and max(counts.values()) == 1
        status, csv_text, _ = server.instructor("/instructor/export.csv")
        table = list(csv.DictReader(io.StringIO(csv_text)))
        assert len(table) == (PARTICIPANTS + 1) * len(IDS)

        total = PARTICIPANTS * EVENTS_EACH
        lines = [f"{PARTICIPANTS} participants x {EVENTS_EACH} events = {total} requests in {elapsed:.1f} s: "
                 f"{total / elapsed:.0f} events/s stored ({limited} answered 429 and retried); "
                 f"each stored exactly once; the server process used {cpu_used:.1f} CPU-s "
                 f"({cpu_used / total * 1000:.2f} ms per event; the rest is the 200 simulated clients sharing "
                 f"the same 2 cores)",
                 f"instructor state during the load: median {statistics.median(state_times) * 1000:.0f} ms, "
                 f"max {max(state_times) * 1000:.0f} ms over {len(state_times)} requests"]
        if page_delays:
            acks = [a for a, _ in page_delays]
            grid = [g for _, g in page_delays]
            lines.append(f"instructor page (Chromium) during the load, {len(page_delays)} probe checks: the post "
                         f"was acknowledged after median {statistics.median(acks) * 1000:.0f} ms "
                         f"(max {max(acks) * 1000:.0f}), and the grid showed it median "
                         f"{statistics.median(grid) * 1000:.0f} ms (max {max(grid) * 1000:.0f}) after the "
                         f"acknowledgement; screenshot {shot}")
        say(capsys, lines)
    finally:
        server.kill()


def probe_page_during_load(server, probe_token, futures, tmp_path, deadline):
    """While the load runs: the instructor page is open in Chromium; a probe participant
    posts a check every 0.3 s; return how long each took to show in the grid, and a
    screenshot path."""
    delays = []
    shot = os.path.join(os.environ.get("COURSE_SCREENSHOTS") or str(tmp_path), "workshop_load_instructor_page.png")
    with launch_browser(tmp_path / "profile", viewport={"width": 1400, "height": 900}) as browser:
        page = browser.new_page()
        page.goto(server.instructor_url)
        page.wait_for_selector("#connection.live")
        page.wait_for_selector('tr:has(th:text-is("Probe"))')
        page.evaluate(OBSERVER_JS)
        probe_row = page.locator('tr:has(th:text-is("Probe"))').get_attribute("data-participant")
        k = 0
        while not all(f.done() for f in futures) and k < 2 * len(IDS) and time.monotonic() < deadline:
            ex = IDS[k // 2]
            passed = k % 2 == 1
            event = {"id": f"probe{k:06d}", "kind": "check", "exercise": ex, "passed": passed,
                     "diagnosis": None if passed else "sign", "attempt": 1 + k % 2, "age": 0}
            t0 = time.time()
            post_until_stored(server.base, probe_token, event, deadline)
            t1 = time.time()
            # the page stamps the moment the cell changes (Date.now(), the same clock as time.time()),
            # so a slow test harness does not inflate the figure
            shown = wait_for_flip(page, probe_row, ex, "passed" if passed else "trying", 60)
            delays.append((t1 - t0, shown - t1))
            k += 1
            time.sleep(0.3)
        page.screenshot(path=shot)
        assert browser.blocked == []
    return delays, shot


def test_sigkill_mid_load_loses_nothing(tmp_path, capsys):
    db = str(tmp_path / "fault.sqlite")
    server = ProcessServer(db)
    port = server.port
    rng = random.Random(7)
    reporters = [rep.Reporter(str(tmp_path / f"learner{i:03d}"), env={}, max_backoff=1.0)
                 for i in range(PARTICIPANTS)]
    for r in reporters:
        r.keep_acked = True
    try:
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            messages = list(pool.map(lambda i: reporters[i].join(server.join_url, f"Learner {i:03d}"),
                                     range(PARTICIPANTS)))
        assert all(m.startswith("Joined") for m in messages), [m for m in messages if not m.startswith("Joined")][:3]

        gate = threading.Event()  # the last third waits for the kill: a loaded machine cannot let the load end first

        def learner(i):  # 30 hook calls, spread over a few seconds, as a learner's checks are
            r = reporters[i]
            for k in range(EVENTS_EACH):
                if k == 2 * EVENTS_EACH // 3:
                    gate.wait(LOAD_TIMEOUT)
                ex = IDS[min(k // 3, len(IDS) - 1)]
                before = r._handed
                if k % 5 == 4:
                    r.report("hint", ex, level=1)
                else:
                    r.report("check", ex, k % 3 == 2, None if k % 3 == 2 else "transpose")
                assert r._handed == before + 1
                time.sleep(rng.uniform(0.02, 0.15))

        pool = concurrent.futures.ThreadPoolExecutor(PARTICIPANTS)
        learners = [pool.submit(learner, i) for i in range(PARTICIPANTS)]
        total = PARTICIPANTS * EVENTS_EACH
        deadline = time.monotonic() + LOAD_TIMEOUT
        while len(stored_events(db)) < total // 4:
            assert time.monotonic() < deadline, "the load never reached a quarter"
            time.sleep(0.02)
        server.kill()  # SIGKILL to the server's process group: no clean-up at all
        gate.set()
        acked_before = {(f"Learner {i:03d}", eid) for i, r in enumerate(reporters) for eid in list(r.acked)}
        stored_before = set(stored_events(db))
        assert len(stored_before) < total, "the kill came after the load: nothing was tested"
        time.sleep(1.0)  # learners go on working while the server is down; their events queue
        queued_while_down = sum(r.status().queued for r in reporters)
        server = ProcessServer(db, port=port)  # same database, same port, same join code

        for f in learners:
            f.result(timeout=max(1, deadline - time.monotonic()))
        pool.shutdown()
        for r in reporters:
            assert r.flush(max(1, deadline - time.monotonic())), r.status()
        after = stored_events(db)
        counts = Counter(after)
        assert len(after) == total and max(counts.values()) == 1          # none lost, none twice
        assert stored_before <= set(after)                                 # nothing stored was lost
        assert acked_before <= set(after)                                  # nothing acknowledged was lost
        assert {name for name, _ in after} == {f"Learner {i:03d}" for i in range(PARTICIPANTS)}
        per = Counter(name for name, _ in after)
        assert set(per.values()) == {EVENTS_EACH}
        resent = sum(r.status().extra["resent"] for r in reporters)
        say(capsys, [f"SIGKILL after {len(stored_before)} of {total} events were stored "
                     f"({len(acked_before)} acknowledged); {queued_while_down} events queued on the learners' "
                     f"side while it was down; after the restart all {total} stored, each once "
                     f"({resent} sent again after a lost answer and not stored twice)"])
    finally:
        for r in reporters:
            r.stop()
        server.kill()
