"""The dispatch interface the API codes against, and its in-process implementation.

`submit` returns an iterator of JSON-ready events; a queue-backed dispatcher (Celery) can implement the
same protocol later by relaying those events.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Protocol

from codesensei.errors import NotFound
from codesensei.runner.api import UNSAFE_WARNING, cache_dir
from codesensei.runner.jobs import JudgeEvent, JudgeJob
from codesensei.runner.judge import BoxSource, ColdBoxes, judge_events
from codesensei.runner.languages import get_language
from codesensei.runner.sandbox import get_sandbox

__all__ = ["Dispatcher", "JudgeEvent", "JudgeJob", "LocalDispatcher"]


class Dispatcher(Protocol):
    def submit(self, job: JudgeJob) -> Iterator[JudgeEvent]: ...


class LocalDispatcher:
    """Judge in this process: with a `WarmPool` (long-lived servers) or a fresh box per submission."""

    def __init__(self, *, boxes: BoxSource | None = None, unsafe_no_sandbox: bool = False) -> None:
        if unsafe_no_sandbox:
            warnings.warn(UNSAFE_WARNING, RuntimeWarning, stacklevel=2)
        self.sandbox = get_sandbox(unsafe_no_sandbox=unsafe_no_sandbox)
        self.boxes = boxes or ColdBoxes(self.sandbox)

    def submit(self, job: JudgeJob) -> Iterator[JudgeEvent]:
        # Only compiled languages use the artifact cache; loading the settings for it costs milliseconds.
        try:
            compiled = get_language(job.answer.language).compiled
        except NotFound:
            compiled = True  # judge_events reports the unknown language itself
        cache = cache_dir() if compiled else None
        return judge_events(job, sandbox=self.sandbox, boxes=self.boxes, cache=cache)
