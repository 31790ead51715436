"""The in-memory job stream: numbering, replay after a seq, live following across threads, bounds, expiry."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from codesensei.api.jobstream import JobOwner, MemoryJobStream, ReplayUnavailable
from codesensei.errors import NotFound

OWNER = JobOwner("user", "attempt")


async def collect(stream: MemoryJobStream, job: str, after: int) -> list[dict[str, Any]]:
    return [event async for event in stream.follow(job, after)]


def test_events_are_numbered_and_replayed_after_a_seq() -> None:
    stream = MemoryJobStream()
    stream.start("j", OWNER)
    published = [stream.publish("j", {"type": "test", "n": n}) for n in range(3)]
    published.append(stream.publish("j", {"type": "done", "seq": 99, "job": "forged"}))
    assert [(e["job"], e["seq"]) for e in published] == [("j", 1), ("j", 2), ("j", 3), ("j", 4)]
    assert asyncio.run(collect(stream, "j", 0)) == published
    assert asyncio.run(collect(stream, "j", 2)) == published[2:]
    assert asyncio.run(collect(stream, "j", 4)) == []
    assert stream.owner("j") == OWNER
    with pytest.raises(RuntimeError):
        stream.publish("j", {"type": "test"})


def test_a_follower_gets_events_published_from_another_thread_as_they_come() -> None:
    stream = MemoryJobStream()
    stream.start("j", OWNER)
    stream.publish("j", {"type": "accepted"})

    def worker() -> None:
        for n in range(50):
            stream.publish("j", {"type": "test", "n": n})
        stream.publish("j", {"type": "done"})

    async def follow() -> list[dict[str, Any]]:
        thread = threading.Thread(target=worker)
        thread.start()
        try:
            return await asyncio.wait_for(collect(stream, "j", 1), 30)
        finally:
            thread.join()

    events = asyncio.run(follow())
    assert [e["seq"] for e in events] == list(range(2, 53))
    assert events[-1]["type"] == "done"


def test_an_outgrown_buffer_refuses_a_replay_it_cannot_complete() -> None:
    stream = MemoryJobStream(max_events=3)
    stream.start("j", OWNER)
    for _ in range(5):
        stream.publish("j", {"type": "assistant_delta", "text": "x"})
    stream.publish("j", {"type": "assistant_done"})
    assert [e["seq"] for e in asyncio.run(collect(stream, "j", 3))] == [4, 5, 6]
    with pytest.raises(ReplayUnavailable):
        asyncio.run(collect(stream, "j", 2))


def test_finished_jobs_expire_and_the_oldest_go_first_past_the_job_limit() -> None:
    now = [0.0]
    stream = MemoryJobStream(ttl_s=60, max_jobs=3, clock=lambda: now[0])
    for job in ("a", "b", "running"):
        stream.start(job, OWNER)
    for job in ("a", "b"):
        stream.publish(job, {"type": "done"})
    stream.start("c", OWNER)  # one over the limit: the oldest finished job goes
    assert (stream.owner("a"), stream.owner("b")) == (None, OWNER)
    now[0] = 61.0
    assert stream.owner("b") is None
    assert stream.owner("running") == OWNER  # a running job is never dropped
    with pytest.raises(NotFound):
        asyncio.run(collect(stream, "b", 0))
