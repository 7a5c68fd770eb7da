"""Run many submissions at once without giving a core to one that sleeps.

``--jobs N`` (default: the number of cores) is how many submissions may *use a CPU* at
the same time, not how many may be open: a submission whose sandbox is sleeping
(``time.sleep``, waiting on a timer) does not hold one of the N, so the run does not
idle while a slow notebook sleeps. The scheduler samples, every ``interval`` seconds,
how long each running submission's processes have wanted a CPU (time running plus time
waiting to run, so a machine loaded by other programs does not make a computing
submission look idle) and admits the next submission while fewer than N are busy; at most ``most`` are open at
once, to bound memory. A submission that computes keeps its core until its own time
limit: nothing is slowed down to make room, so what a submission scores does not depend
on how many others run beside it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from .judge import Tracker

__all__ = ["Scheduler"]

T = TypeVar("T")
BUSY_SHARE = 0.25   # a sandbox wanting a core more than this share of the time counts as busy


class _Running(Generic[T]):
    def __init__(self, item: T) -> None:
        self.item = item
        self.tracker = Tracker()
        self.last_cpu: float | None = None
        self.last_time = time.monotonic()
        self.last_worker: object = None
        self.busy = True


class Scheduler(Generic[T]):
    """Runs ``work(item, tracker)`` for every item, one thread each, at most ``jobs``
    busy and ``most`` open at a time."""

    def __init__(self, jobs: int, most: int, interval: float = 0.05) -> None:
        self.jobs = max(1, jobs)
        self.most = max(self.jobs, most)
        self.interval = interval
        self.cond = threading.Condition()
        self.running: dict[int, _Running[T]] = {}
        self.threads: list[threading.Thread] = []
        self.stopped = False
        self.peak_open = 0

    def _sample(self, r: _Running[T], now: float) -> bool:
        worker = r.tracker.worker
        if worker is None:
            r.last_worker = None
            return True  # the grader's own work (reading, judging): counts as busy
        used = worker.demand_seconds()
        if worker is not r.last_worker or used is None or r.last_cpu is None:
            r.last_worker, r.last_cpu, r.last_time = worker, used, now
            return True
        share = (used - r.last_cpu) / max(now - r.last_time, 1e-3)
        r.last_cpu, r.last_time = used, now
        return share > BUSY_SHARE

    def _thread(self, key: int, work: Callable[[T, Tracker], None]) -> None:
        r = self.running[key]
        try:
            work(r.item, r.tracker)
        finally:
            with self.cond:
                del self.running[key]
                self.cond.notify_all()

    def run(self, items: Sequence[T], work: Callable[[T, Tracker], None]) -> None:
        """Grade every item; returns when all are done. On KeyboardInterrupt, admits no
        more and re-raises at once (the caller stops the sandboxes, then ``join()``s)."""
        pending = list(items)
        key = 0
        with self.cond:
            while pending or self.running:
                if self.stopped:
                    break
                now = time.monotonic()
                busy = 0
                for r in self.running.values():
                    if now - r.last_time >= self.interval or r.last_cpu is None:
                        r.busy = self._sample(r, now)
                    busy += r.busy
                while pending and busy < self.jobs and len(self.running) < self.most:
                    key += 1
                    self.running[key] = _Running(pending.pop(0))
                    thread = threading.Thread(target=self._thread, args=(key, work), name=f"grade-{key}")
                    self.threads.append(thread)
                    thread.start()
                    busy += 1
                self.peak_open = max(self.peak_open, len(self.running))
                self.cond.wait(self.interval)

    def stop(self) -> None:
        """Admit nothing more; returns None."""
        with self.cond:
            self.stopped = True
            self.cond.notify_all()

    def join(self, timeout: float = 60.0) -> None:
        """Wait for the running threads to end; returns None."""
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
