"""Shared fixtures: a private data directory so the compile cache of one test run never leaks into another."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path_factory.getbasetemp() / "sensei-data"
    monkeypatch.setenv("SENSEI_DATA_DIR", str(path))
    return path
