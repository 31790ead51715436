"""Fixtures for assessments and attempts: a platform holding the sample bank."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from codesensei.bank.files import read_bank
from codesensei.bank.service import import_files
from codesensei.platform import SAMPLE_BANK, Platform
from codesensei.store.db import unit_of_work


@pytest.fixture
def bank(platform: Platform) -> Iterator[Platform]:
    with unit_of_work(platform.sessions) as session:
        import_files(session, read_bank(SAMPLE_BANK))
    return platform
