"""Helpers for bulk work (importing a bank of 100,000 questions) shared by the bank and the store."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around bulk reading or writing.

    A bulk import builds millions of short-lived, acyclic objects (parsed documents, validated models, row
    tuples) while everything already parsed stays alive; the collections those allocations trigger walk that
    whole growing heap again and again, about a sixth of an import's time for 100,000 questions. Reference
    counting still frees what the work drops; only cycles wait until the collector resumes at the end. The
    switch is process-wide, so other threads' collections wait too, for as long as one bulk call. Nested use
    leaves the collector to the outermost caller.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
