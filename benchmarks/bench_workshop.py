"""Benchmark: the workshop server's two storage and transport choices, side by side.

1. **batched versus one event per request**: 20 participants deliver 50 events each to a
   real ``course-utils workshop serve`` process, either as the reporter does (one
   request of up to 50 events) or one request per event. Same server, interleaved.
2. **--durable versus the default**: the same one-event-per-request load against a
   server with ``synchronous=FULL`` (an fsync per request) and one with the default
   ``synchronous=NORMAL`` (durable against the process being killed, not a power cut).

Each figure is the median wall time of ``--repeats`` interleaved runs (so machine load
hits both sides alike); the ratio is what to read.

    python benchmarks/bench_workshop.py [--repeats 5] [--participants 20] [--events 50]
"""

import argparse
import concurrent.futures
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from course_utils import exercise_ids  # noqa: E402
from course_utils.workshop.reporter import post_json  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A ``course-utils workshop serve`` process on a fresh database."""

    def __init__(self, folder, name, durable):
        self.port = free_port()
        self.log = open(os.path.join(folder, name + ".log"), "w+")
        cmd = [sys.executable, "-m", "course_utils", "workshop", "serve", "--port", str(self.port),
               "--db", os.path.join(folder, name + ".sqlite"), "--max-participants", "100000"]
        self.proc = subprocess.Popen(cmd + (["--durable"] if durable else []), stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while "Stop with Ctrl+C" not in self.output():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("server did not start:\n" + self.output())
            time.sleep(0.05)
        self.code = re.search(r"Join code: (\S+)", self.output()).group(1)
        self.base = f"http://127.0.0.1:{self.port}"
        self.joined = 0

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def join(self):
        self.joined += 1
        answer = post_json(self.base + "/api/join", {"code": self.code, "name": f"bench {self.joined}"}, 10)
        assert answer.status == 201, answer.error
        return answer.body["token"]

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(10)
        self.log.close()


def events_for(who, n, ids):
    stamp = time.monotonic_ns() % 10**8
    return [{"id": f"b{who:04d}{k:06d}{stamp:08d}", "kind": "check", "exercise": ids[k % len(ids)],
             "passed": False, "diagnosis": "sign", "attempt": k + 1, "age": 0} for k in range(n)]


def deliver(server, participants, n, batch, ids):
    """Seconds for ``participants`` new participants to deliver ``n`` events each, at once."""
    tokens = [server.join() for _ in range(participants)]

    def one(i):
        events = events_for(i, n, ids)
        for start in range(0, n, batch):
            while True:
                answer = post_json(server.base + "/api/events", {"events": events[start:start + batch]}, 30,
                                   tokens[i])
                if answer.status == 200:
                    break
                assert answer.status == 429, answer.error
                time.sleep(answer.retry_after or 1)

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(participants) as pool:
        list(pool.map(one, range(participants)))
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()
    ids = exercise_ids()
    total = args.participants * args.events
    with tempfile.TemporaryDirectory() as folder:
        normal, durable = Server(folder, "normal", False), Server(folder, "durable", True)
        times = {"batched": [], "single": [], "durable": []}
        try:
            for _ in range(args.repeats):
                times["batched"].append(deliver(normal, args.participants, args.events, 50, ids))
                times["single"].append(deliver(normal, args.participants, args.events, 1, ids))
                times["durable"].append(deliver(durable, args.participants, args.events, 1, ids))
        finally:
            normal.stop()
            durable.stop()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}; {args.participants} participants x {args.events} events, "
          f"median of {args.repeats} interleaved runs")
    print(f"batched (reporter, <=50 per request): {med['batched']:.2f} s  ({total / med['batched']:.0f} events/s)")
    print(f"one event per request:                {med['single']:.2f} s  ({total / med['single']:.0f} events/s)")
    print(f"one per request, --durable (fsync):   {med['durable']:.2f} s  ({total / med['durable']:.0f} events/s)")
    print(f"ratio single / batched: {med['single'] / med['batched']:.1f}x;  "
          f"ratio durable / default: {med['durable'] / med['single']:.2f}x")


if __name__ == "__main__":
    main()
