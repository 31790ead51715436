"""`sensei serve` as an operator runs it: first-start administrator, no default password, graceful stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

PASSWORD_LINE = re.compile(r"one-time password:\s*\n\s*(\S+)\s*\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """`sensei serve` in a child process, stopped with SIGTERM as a service manager would."""

    def __init__(self, env: dict[str, str], tmp_path: Path, name: str) -> None:
        self.port = free_port()
        self.out_path = tmp_path / f"{name}.out"
        self.err_path = tmp_path / f"{name}.err"
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "codesensei.cli.main", "serve", "--port", str(self.port)],
                env=env, stdout=out, stderr=err,
            )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 90
        while True:
            assert self.process.poll() is None, self.err_path.read_text()
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "sensei serve did not answer within 90 s"
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM: uvicorn finishes what is in flight, runs the shutdown, then re-raises the signal."""
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=30) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in self.err_path.read_text()

    @property
    def stdout(self) -> str:
        return self.out_path.read_text()


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **cli_env, "SENSEI_LOAD_SAMPLE_BANK": "true", "SENSEI_SECRET_KEY": "s" * 40}


def login(url: str, email: str, password: str) -> httpx.Response:
    return httpx.post(f"{url}/api/auth/login", json={"email": email, "password": password}, timeout=30)


def test_first_start_prints_a_one_time_admin_password_once(env: dict[str, str], tmp_path: Path) -> None:
    first = Served(env, tmp_path, "first")
    try:
        found = PASSWORD_LINE.search(first.stdout)
        assert found, first.stdout
        password = found.group(1)
        assert len(password) >= 20
        assert "admin@localhost" in first.stdout
        response = login(first.url, "admin@localhost", password)
        assert response.status_code == 200, response.text
        assert response.json()["user"]["role"] == "admin"
        # There is no default password to guess.
        for guess in ("admin", "password", "changeme", "admin@localhost", "sensei", ""):
            assert login(first.url, "admin@localhost", guess).status_code in (401, 422)
        # The sample bank came with the first start.
        token = response.json()["access_token"]
        listed = httpx.get(f"{first.url}/api/questions", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert listed.json()["total"] > 20
    finally:
        first.stop()

    second = Served(env, tmp_path, "second")
    try:
        assert "password" not in second.stdout
        assert login(second.url, "admin@localhost", password).status_code == 200
    finally:
        second.stop()
