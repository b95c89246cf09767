"""Counters for throttling (failed logins, wrong codes), shared by every app server in Redis
and kept in this process when Redis is not configured or cannot be reached.

When ``SURVEY_REDIS_URL`` is set but Redis does not answer, nothing is refused because of it:
the counts degrade to per-process ones (each app server counts on its own, so an attacker
gets at most the number of servers times the limit), a warning is logged at most once a
minute, and the counts return to Redis as soon as it answers again (issue 17 item 4).

Each throttle is a *growing delay*, never a hard lock: after ``free`` failures in a scope, the
next attempt must wait ``first`` seconds, then twice that after the next failure, up to
``cap``; a quiet ``window`` forgets the failures.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app

logger = logging.getLogger(__name__)

WARN_EVERY = 60.0  # seconds between two "Redis unreachable" warnings of one process
RETRY_AFTER = 10.0  # seconds a process counts on its own before it asks Redis again


@dataclass(frozen=True)
class Rule:
    """A growing delay: ``free`` failures cost nothing, then ``first``·2^k seconds up to
    ``cap``; failures are forgotten after ``window`` seconds without one."""

    name: str
    free: int
    first: float
    cap: float
    window: int = 900

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.cap, self.first * 2 ** (failures - self.free))


class MemoryCounters:
    """This process's counts: the fallback, and the store without Redis."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, float]] = {}  # key -> (value, expires at)

    def _live(self, key: str, now: float) -> float | None:
        held = self._values.get(key)
        if held is None or held[1] <= now:
            self._values.pop(key, None)
            return None
        return held[0]

    def incr(self, key: str, ttl: int) -> int:
        now = time.time()
        with self._lock:
            value = int(self._live(key, now) or 0) + 1
            self._values[key] = (value, now + ttl)
            if len(self._values) > 100_000:  # a flood of made-up names: forget the expired
                self._values = {k: v for k, v in self._values.items() if v[1] > now}
            return value

    def put(self, key: str, value: float, ttl: int) -> None:
        with self._lock:
            self._values[key] = (value, time.time() + ttl)

    def get(self, key: str) -> float | None:
        with self._lock:
            return self._live(key, time.time())

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._values.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._values.clear()


class RedisCounters:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def incr(self, key: str, ttl: int) -> int:
        pipe = self.client.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        return int(pipe.execute()[0])

    def put(self, key: str, value: float, ttl: int) -> None:
        self.client.set(key, repr(value), ex=ttl)

    def get(self, key: str) -> float | None:
        raw = self.client.get(key)
        return None if raw is None else float(raw)

    def delete(self, *keys: str) -> None:
        self.client.delete(*keys)

    def reset(self, prefix: str) -> None:
        for key in self.client.scan_iter(match=f"{prefix}*", count=500):
            self.client.delete(key)


class Counters:
    """Redis when configured, this process's memory when not or while Redis is down."""

    def __init__(self, redis_url: str | None, prefix: str) -> None:
        self.prefix = prefix
        self.memory = MemoryCounters()
        self.redis = RedisCounters(redis_url) if redis_url else None
        self._warned_at = 0.0
        self._down_until = 0.0  # no Redis round trip (and its timeout) before this time
        self.degraded = False  # the last call fell back to this process's counts

    def _call(self, method: str, key: str, *args):
        key = self.prefix + key
        if self.redis is not None and time.monotonic() >= self._down_until:
            try:
                result = getattr(self.redis, method)(key, *args)
                self.degraded = False
                return result
            except Exception as error:  # noqa: BLE001 -- any Redis failure: count here instead
                self.degraded = True
                now = time.monotonic()
                self._down_until = now + RETRY_AFTER
                if now - self._warned_at > WARN_EVERY:
                    self._warned_at = now
                    logger.warning(
                        "Redis unreachable (%s): throttling falls back to this process's counts",
                        type(error).__name__,
                    )
        elif self.redis is not None:
            self.degraded = True
        return getattr(self.memory, method)(key, *args)

    def incr(self, key: str, ttl: int) -> int:
        return self._call("incr", key, ttl)

    def put(self, key: str, value: float, ttl: int) -> None:
        self._call("put", key, value, ttl)

    def get(self, key: str) -> float | None:
        return self._call("get", key)

    def delete(self, key: str) -> None:
        self._call("delete", key)

    def reset(self) -> None:
        self.memory.reset()
        if self.redis is not None:
            try:
                self.redis.reset(self.prefix)
            except Exception:  # noqa: BLE001 -- nothing to forget there
                logger.warning("Redis unreachable: only this process's counts were reset")


def counters(app: Flask | None = None) -> Counters:
    app = app or current_app._get_current_object()
    holder = app.extensions.setdefault("survey.throttle", {})
    if "counters" not in holder:
        prefix = app.config.get("RATELIMIT_KEY_PREFIX", "") + "throttle:"
        holder["counters"] = Counters(app.config.get("REDIS_URL"), prefix)
    return holder["counters"]


def wait_seconds(rule: Rule, scope: str) -> float:
    """How long an attempt in ``scope`` must still wait (0: it may go ahead)."""
    until = counters().get(f"{rule.name}:until:{scope}")
    return max(0.0, until - time.time()) if until else 0.0


def failed(rule: Rule, scope: str) -> int:
    """Count a failure in ``scope``; set the delay the next attempt waits. The count."""
    store = counters()
    count = store.incr(f"{rule.name}:n:{scope}", rule.window)
    delay = rule.delay(count)
    if delay:
        store.put(f"{rule.name}:until:{scope}", time.time() + delay, rule.window)
    return count


def forget(rule: Rule, scope: str) -> None:
    store = counters()
    store.delete(f"{rule.name}:n:{scope}")
    store.delete(f"{rule.name}:until:{scope}")
