"""Helpers shared by the workshop tests: a server in a thread of the test process
(fast, and the test can look into its store), a server as a real ``course-utils
workshop serve`` process (for kill -9 and the browser), and small HTTP helpers.
Everything listens on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from course_utils.workshop.server import Limits, Workshop, start_server
from course_utils.workshop.storage import WorkshopStore

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
         raw: bytes | None = None, timeout: float = 10) -> tuple[int, dict[str, Any] | str, dict[str, str]]:
    """Send one request; return ``(status, JSON body or text, headers)``, errors included."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    hdrs = {"Content-Type": "application/json"} if data is not None else {}
    hdrs.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=hdrs, method=method)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            status, payload, rh = resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        status, payload, rh = err.code, err.read(), dict(err.headers)
    text = payload.decode("utf-8", "replace")
    try:
        return status, json.loads(text), rh
    except ValueError:
        return status, text, rh


class ThreadServer:
    """A workshop server on a free loopback port, running in a thread of this process."""

    def __init__(self, db: str, limits: Limits | None = None, port: int = 0) -> None:
        self.store = WorkshopStore(db)
        self.secrets = self.store.secrets()
        self.workshop = Workshop(self.store, self.secrets, limits)
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)

            async def start() -> None:
                self.server, self.port = start_server(self.workshop, "127.0.0.1", port)
                ready.set()

            self.loop.run_until_complete(start())
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        if not ready.wait(10):
            raise RuntimeError("the workshop server did not start")
        self.base = f"http://127.0.0.1:{self.port}"
        self.join_url = f"{self.base}/{self.secrets.join_code}"
        self.key = self.secrets.instructor_key

    def url(self, path: str) -> str:
        return self.base + path

    def instructor(self, path: str) -> tuple[int, Any, dict[str, str]]:
        return http("GET", self.url(path), headers={"Authorization": f"Bearer {self.key}"})

    def join(self, name: str) -> str:
        """Join as ``name``; return the participant token."""
        status, body, _ = http("POST", self.url("/api/join"), {"code": self.secrets.join_code, "name": name})
        assert status == 201, body
        assert isinstance(body, dict)
        return str(body["token"])

    def stop(self) -> None:
        async def shutdown() -> None:
            self.server.stop()
            for stream in list(self.workshop.streams):
                stream.on_connection_close()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.store.close()


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ProcessServer:
    """``python -m course_utils workshop serve`` as a child process (its own session, so it
    and nothing else is killed); parses the URLs it prints."""

    def __init__(self, db: str, port: int | None = None, log_path: str | None = None,
                 extra: list[str] | None = None) -> None:
        self.db, self.port = db, port or free_port()
        self.log_path = log_path or db + f".{self.port}.log"
        cmd = [sys.executable, "-m", "course_utils", "workshop", "serve", "--db", db, "--port", str(self.port),
               *(extra or [])]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            text = self.output()
            if "Stop with Ctrl+C" in text:
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"workshop server did not start:\n{text}")
            time.sleep(0.05)
        self.instructor_url = re.search(r"Instructor page \(keep it private\): (\S+)", text).group(1)
        self.key = self.instructor_url.split("key=", 1)[1]
        self.code = re.search(r"Join code: (\S+)", text).group(1)
        self.join_url = re.search(r"Join URL: (\S+)", text).group(1)
        self.base = f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def instructor(self, path: str) -> tuple[int, Any, dict[str, str]]:
        return http("GET", self.base + path, headers={"Authorization": f"Bearer {self.key}"})

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(10)
        self.log.close()


# Records, in the page, when each grid cell last changed status (for the measured delays).
OBSERVER_JS = """() => {
  window.__flips = [];
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes' && r.attributeName === 'data-status' && r.target.dataset.status !== 'not-started') {
        const row = r.target.closest('tr');
        window.__flips.push({p: row ? row.dataset.participant : null, x: r.target.dataset.exercise,
                             s: r.target.dataset.status, t: Date.now() / 1000});
      }
    }
  }).observe(document.getElementById('grid'), {subtree: true, attributes: true, attributeFilter: ['data-status']});
}"""


def wait_for_flip(page, participant, exercise, status, timeout_s):
    """Wait until the grid cell shows ``status``; return the page time it flipped."""
    page.wait_for_function(
        "([p, x, s]) => (window.__flips || []).some(f => f.p === p && f.x === x && f.s === s)",
        arg=[str(participant), exercise, status], timeout=timeout_s * 1000)
    return page.evaluate("([p, x, s]) => window.__flips.filter(f => f.p === p && f.x === x && f.s === s)[0].t",
                         [str(participant), exercise, status])
