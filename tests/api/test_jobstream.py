"""The job streams, in memory and in Redis: numbering, replay after a seq, live following across threads and
processes, bounds, expiry."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from typing import Any

import pytest

from codesensei.api.jobstream import JobOwner, JobStream, MemoryJobStream, RedisJobStream, ReplayUnavailable
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


# The Redis-backed stream, against the real Redis the API's scale-out uses (SENSEI_TEST_REDIS_URL).
REDIS_URL = os.environ.get("SENSEI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_stream(**options: Any) -> RedisJobStream:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        if os.environ.get("SENSEI_TEST_REQUIRE_REDIS"):
            raise  # CI starts Redis: a missing one there is a failure, not a skip
        pytest.skip(f"no Redis at {REDIS_URL}")
    # A prefix per test: tests in parallel never see each other's jobs.
    return RedisJobStream(REDIS_URL, prefix=f"sensei-test:{uuid.uuid4().hex}:", block_ms=200, **options)


def test_redis_numbers_and_replays_events_to_a_follower_in_another_process() -> None:
    publisher = redis_stream()
    # Another API process: its own client of the same Redis, nothing shared in memory.
    elsewhere = RedisJobStream(REDIS_URL, prefix=publisher.prefix, block_ms=200)
    publisher.start("j", OWNER)
    published = [publisher.publish("j", {"type": "test", "n": n}) for n in range(3)]
    published.append(publisher.publish("j", {"type": "done", "seq": 99, "job": "forged"}))
    assert [(e["job"], e["seq"]) for e in published] == [("j", 1), ("j", 2), ("j", 3), ("j", 4)]
    assert elsewhere.owner("j") == OWNER
    assert elsewhere.owner("unknown") is None
    assert asyncio.run(collect_any(elsewhere, "j", 0)) == published
    assert asyncio.run(collect_any(elsewhere, "j", 2)) == published[2:]
    assert asyncio.run(collect_any(elsewhere, "j", 4)) == []
    with pytest.raises(RuntimeError):
        publisher.publish("j", {"type": "test"})
    with pytest.raises(NotFound):
        asyncio.run(collect_any(elsewhere, "unknown", 0))


def test_redis_follower_gets_live_events_from_a_publisher_thread_in_order() -> None:
    publisher = redis_stream()
    elsewhere = RedisJobStream(REDIS_URL, prefix=publisher.prefix, block_ms=200)
    publisher.start("j", OWNER)
    publisher.publish("j", {"type": "accepted"})

    def worker() -> None:
        for n in range(50):
            publisher.publish("j", {"type": "test", "n": n})
        publisher.publish("j", {"type": "done"})

    async def follow() -> list[dict[str, Any]]:
        thread = threading.Thread(target=worker)
        thread.start()
        try:
            return await asyncio.wait_for(collect_any(elsewhere, "j", 1), 30)
        finally:
            thread.join()

    events = asyncio.run(follow())
    assert [e["seq"] for e in events] == list(range(2, 53))
    assert [e["n"] for e in events[:-1]] == list(range(50))
    assert events[-1]["type"] == "done"


def test_redis_refuses_a_replay_it_can_no_longer_complete_and_forgets_finished_jobs() -> None:
    stream = redis_stream(max_events=3, ttl_s=1)
    stream.start("j", OWNER)
    for _ in range(5):
        stream.publish("j", {"type": "assistant_delta", "text": "x"})
    stream.publish("j", {"type": "assistant_done"})
    assert [e["seq"] for e in asyncio.run(collect_any(stream, "j", 3))] == [4, 5, 6]
    with pytest.raises(ReplayUnavailable):
        asyncio.run(collect_any(stream, "j", 2))
    deadline = time.monotonic() + 10
    while stream.owner("j") is not None:
        assert time.monotonic() < deadline, "a finished job outlived its ttl"
        time.sleep(0.2)
    with pytest.raises(NotFound):
        asyncio.run(collect_any(stream, "j", 0))


async def collect_any(stream: JobStream, job: str, after: int) -> list[dict[str, Any]]:
    return [event async for event in stream.follow(job, after)]
