"""Token buckets: at most ``capacity`` requests at once, refilled at ``rate`` per second,
one bucket per key (a participant, or a client address). Bounded memory: the least
recently used keys are forgotten past ``max_keys`` (a forgotten key starts full)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """``allow(key)`` returns 0 when a request may go ahead (and counts it), else the
    seconds to wait before the next one would be allowed."""

    def __init__(self, capacity: float, rate: float, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity, self.rate, self.max_keys, self.clock = capacity, rate, max_keys, clock
        self._buckets: OrderedDict[object, tuple[float, float]] = OrderedDict()

    def allow(self, key: object, cost: float = 1.0) -> float:
        """Take ``cost`` tokens from ``key``'s bucket; return 0.0, or the wait in seconds."""
        now = self.clock()
        tokens, last = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= cost:
            tokens -= cost
        else:
            wait = (cost - tokens) / self.rate if self.rate > 0 else float("inf")
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait

    def peek(self, key: object, cost: float = 1.0) -> float:
        """Return the wait before ``key`` could spend ``cost`` (0.0: now), spending nothing."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        tokens, last = bucket
        tokens = min(self.capacity, tokens + (self.clock() - last) * self.rate)
        if tokens >= cost:
            return 0.0
        return (cost - tokens) / self.rate if self.rate > 0 else float("inf")
