"""The events of each WebSocket job (a run, a submit, an assistant request), kept so a client can resume.

A job's events are numbered from 1 (`seq`) as they are published; a client that lost its connection
reconnects and asks for the events after the last `seq` it saw, and gets each of the rest exactly once.
`JobStream` is the interface the WebSocket endpoint codes against. `MemoryJobStream` keeps the events in
this process, bounded per job and in job count, and forgets a finished job after `ttl_s`: the embedded
default, enough for one API process. `RedisJobStream` keeps them in Redis (one Redis stream per job, entry
id `0-seq`, `XADD` with a length cap and an expiry, `XREAD BLOCK` to follow), so a client can reconnect to
any of several API processes and resume there (`SENSEI_REDIS_URL`).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from codesensei.errors import NotFound, SenseiError

if TYPE_CHECKING:
    import redis
    import redis.asyncio

Event = dict[str, Any]
# A job ends with exactly one of these; a follower stops after it.
TERMINAL = frozenset({"done", "assistant_done", "error"})


class ReplayUnavailable(SenseiError):
    """The events after the requested `seq` are no longer all kept (the job outgrew its buffer)."""

    code = "replay_unavailable"
    http_status = 410


@dataclass(frozen=True)
class JobOwner:
    user_id: str
    attempt_id: str


class JobStream(Protocol):
    def start(self, job_id: str, owner: JobOwner) -> None:
        """Open a job's stream before anything is published to it."""

    def publish(self, job_id: str, event: Event) -> Event:
        """Number `event` and keep it (callable from any thread); returns it with `job` and `seq`."""

    def owner(self, job_id: str) -> JobOwner | None:
        """Who may follow the job, or None when it is unknown or expired."""

    def follow(self, job_id: str, after: int) -> AsyncIterator[Event]:
        """The events with `seq` > `after`, then each new one as it comes, until the job's last event."""


def stamp(job_id: str, seq: int, event: Event) -> Event:
    """The event as followers get it: `type`, `job` and `seq` first, and none of them forged by the payload."""
    return {"type": event["type"], "job": job_id, "seq": seq} | {
        k: v for k, v in event.items() if k not in ("type", "job", "seq")
    }


@dataclass
class _Job:
    owner: JobOwner
    events: deque[Event]
    next_seq: int = 1
    finished_at: float | None = None
    waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = field(default_factory=list)


class MemoryJobStream:
    """Per-process buffers: workers publish from their threads, followers wait on the event loop."""

    def __init__(
        self, *, ttl_s: float = 300.0, max_events: int = 2000, max_jobs: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s, self.max_events, self.max_jobs, self.clock = ttl_s, max_events, max_jobs, clock
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()

    def _expire(self, now: float, room: int = 0) -> None:
        """Forget finished jobs past their time; to leave `room` under `max_jobs`, the oldest finished ones."""
        finished = [(job_id, job) for job_id, job in self._jobs.items() if job.finished_at is not None]
        for job_id, job in finished:
            assert job.finished_at is not None
            if now - job.finished_at >= self.ttl_s:
                del self._jobs[job_id]
        # Dicts keep insertion order: the first finished ones are the oldest. Running jobs are never dropped
        # (their number is bounded by the worker threads), so a live job's events are always complete.
        excess = len(self._jobs) - self.max_jobs + room
        for job_id, job in finished:
            if excess <= 0:
                break
            if job_id in self._jobs and job.finished_at is not None:
                del self._jobs[job_id]
                excess -= 1

    def start(self, job_id: str, owner: JobOwner) -> None:
        with self._lock:
            self._expire(self.clock(), room=1)
            self._jobs[job_id] = _Job(owner, deque(maxlen=self.max_events))

    def publish(self, job_id: str, event: Event) -> Event:
        with self._lock:
            job = self._jobs[job_id]
            if job.finished_at is not None:
                raise RuntimeError(f"job {job_id} already ended")
            stamped = stamp(job_id, job.next_seq, event)
            job.next_seq += 1
            job.events.append(stamped)
            if stamped["type"] in TERMINAL:
                job.finished_at = self.clock()
            waiters, job.waiters = job.waiters, []
        for loop, waiter in waiters:
            # The follower's loop may have closed with its connection; nothing to wake then.
            if not loop.is_closed():
                loop.call_soon_threadsafe(waiter.set)
        return stamped

    def owner(self, job_id: str) -> JobOwner | None:
        with self._lock:
            self._expire(self.clock())
            job = self._jobs.get(job_id)
            return job.owner if job else None

    async def follow(self, job_id: str, after: int) -> AsyncIterator[Event]:
        loop = asyncio.get_running_loop()
        while True:
            waiter: asyncio.Event | None = None
            with self._lock:
                job = self._jobs.get(job_id)
                if job is None:
                    raise NotFound(f"job '{job_id}' is unknown or expired")
                oldest = job.events[0]["seq"] if job.events else job.next_seq
                if after + 1 < oldest:
                    raise ReplayUnavailable(f"the events of job '{job_id}' after {after} are no longer kept")
                pending = [e for e in job.events if e["seq"] > after]
                finished = job.finished_at is not None
                if not pending and not finished:
                    waiter = asyncio.Event()
                    job.waiters.append((loop, waiter))
            for event in pending:
                yield event
                after = event["seq"]
            if finished:
                return
            if waiter is not None:
                await waiter.wait()


# Appends one event as stream entry `0-seq`, trims the stream, renews the job's expiry and, for its last
# event, records the job's last seq, atomically. KEYS: events, owner. ARGV: seq, event JSON, max events,
# expiry in seconds, 1 if the event ends the job.
_PUBLISH = """
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[3], '0-' .. ARGV[1], 'e', ARGV[2])
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[2], 'last', ARGV[1])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""


class RedisJobStream:
    """Job events in Redis, shared by every API process that uses the same Redis.

    The process that runs a job is the only publisher of its events, so it numbers them itself; followers
    in any process read the job's Redis stream from the entry after the `seq` they last saw. A running job
    is kept `running_ttl_s` (a process that dies mid-job leaves nothing behind for long); a finished one
    `ttl_s`, like the in-memory stream.
    """

    def __init__(
        self, url: str, *, ttl_s: float = 300.0, max_events: int = 2000, running_ttl_s: float = 3600.0,
        prefix: str = "sensei:job:", block_ms: int = 5000,
    ) -> None:
        import redis as redis_sync

        self.url, self.ttl_s, self.max_events, self.running_ttl_s = url, ttl_s, max_events, running_ttl_s
        self.prefix, self.block_ms = prefix, block_ms
        self._redis: redis.Redis = redis_sync.Redis.from_url(url)
        self._publish = self._redis.register_script(_PUBLISH)
        self._next_seq: dict[str, int] = {}
        self._lock = threading.Lock()
        # redis.asyncio clients belong to the event loop they were made on: one per loop.
        self._async: dict[asyncio.AbstractEventLoop, redis.asyncio.Redis] = {}

    def _events_key(self, job_id: str) -> str:
        return f"{self.prefix}{job_id}:events"

    def _owner_key(self, job_id: str) -> str:
        return f"{self.prefix}{job_id}:owner"

    def start(self, job_id: str, owner: JobOwner) -> None:
        with self._lock:
            self._next_seq[job_id] = 1
        key = self._owner_key(job_id)
        pipe = self._redis.pipeline()
        pipe.hset(key, mapping={"user_id": owner.user_id, "attempt_id": owner.attempt_id})
        pipe.expire(key, int(self.running_ttl_s))
        pipe.execute()

    def publish(self, job_id: str, event: Event) -> Event:
        with self._lock:
            seq = self._next_seq.get(job_id)
            if seq is None:
                raise RuntimeError(f"job {job_id} already ended or was never started here")
            terminal = event["type"] in TERMINAL
            if terminal:
                del self._next_seq[job_id]
            else:
                self._next_seq[job_id] = seq + 1
            stamped = stamp(job_id, seq, event)
            # Under the lock, so two threads of one job never append out of order.
            self._publish(
                keys=[self._events_key(job_id), self._owner_key(job_id)],
                args=[
                    seq, json.dumps(stamped), self.max_events, int(self.ttl_s if terminal else self.running_ttl_s),
                    1 if terminal else 0,
                ],
            )
        return stamped

    def owner(self, job_id: str) -> JobOwner | None:
        found = self._redis.hgetall(self._owner_key(job_id))
        if not found:
            return None
        fields = {_text(k): _text(v) for k, v in found.items()}
        if "user_id" not in fields:
            return None
        return JobOwner(fields["user_id"], fields["attempt_id"])

    def _client(self) -> redis.asyncio.Redis:
        import redis.asyncio as redis_async

        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            for closed in [other for other in self._async if other.is_closed()]:
                del self._async[closed]
            client = self._async[loop] = redis_async.Redis.from_url(self.url)
        return client

    async def follow(self, job_id: str, after: int) -> AsyncIterator[Event]:
        client = self._client()
        key = self._events_key(job_id)
        last = await client.hget(self._owner_key(job_id), "last")
        if not await client.exists(self._owner_key(job_id)):
            raise NotFound(f"job '{job_id}' is unknown or expired")
        if last is not None and after >= int(last):
            return  # the job ended, and the follower has seen its last event
        oldest: Any = await client.xrange(key, count=1)
        if oldest and _seq_of(oldest[0][0]) > after + 1:
            raise ReplayUnavailable(f"the events of job '{job_id}' after {after} are no longer kept")
        last_id = f"0-{after}"
        while True:
            found: Any = await client.xread({key: last_id}, block=self.block_ms, count=100)
            if not found:
                if not await client.exists(self._owner_key(job_id)):
                    raise NotFound(f"job '{job_id}' expired before it ended")
                continue
            for entry_id, fields in found[0][1]:  # [[key, [(id, fields), ...]]]
                last_id = _text(entry_id)
                event: Event = json.loads(fields[b"e"])
                yield event
                if event["type"] in TERMINAL:
                    return

    def close(self) -> None:
        self._redis.close()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _seq_of(entry_id: bytes | str) -> int:
    return int(_text(entry_id).split("-", 1)[1])
