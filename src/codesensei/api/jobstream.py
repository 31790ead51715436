"""The events of each WebSocket job (a run, a submit, an assistant request), kept so a client can resume.

A job's events are numbered from 1 (`seq`) as they are published; a client that lost its connection
reconnects and asks for the events after the last `seq` it saw, and gets each of the rest exactly once.
`JobStream` is the interface the WebSocket endpoint codes against; `MemoryJobStream` keeps the events in
this process, bounded per job and in job count, and forgets a finished job after `ttl_s`. A Redis-backed
stream (one Redis stream per job, `XADD` with a length cap and an expiry, `XREAD BLOCK` to follow) can
replace it to fan the events out across API processes without changing the endpoint.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from codesensei.errors import NotFound, SenseiError

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
            stamped = {"type": event["type"], "job": job_id, "seq": job.next_seq} | {
                k: v for k, v in event.items() if k not in ("type", "job", "seq")
            }
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
