"""Fixtures of the browser tests: a real `sensei serve` on a free loopback port, and Debian's Chromium.

The server runs in a child process with a scratch data directory, exactly as an operator starts it; the
first-start administrator password is read from its output. Accounts, the test bank, the assessment and
the invitation are made over the HTTP API; everything a person does then happens in the browser.
Screenshots go to `test-artifacts/screenshots/` (or `SENSEI_SCREENSHOTS`), printed at the end of the run.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SENSEI_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
BANK = Path(__file__).with_name("bank.yaml")
PASSWORD_LINE = re.compile(r"one-time password:\s*\n\s*(\S+)\s*\n")
STRONG = "correct horse battery staple"

NO_CHROMIUM = (
    f"{CHROMIUM} is missing: install Debian's Chromium (`apt-get install -y chromium`, which "
    "`bash scripts/install --dev` does) to run the browser tests"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """`sensei serve` in a child process, with an API client for the setup the tests do not click through."""

    url: str
    admin_email: str
    admin_password: str
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=120)

    def ok(self, method: str, path: str, token: str | None = None, status: int = 200, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def login(self, email: str, password: str = STRONG) -> str:
        tokens = self.ok("POST", "/api/auth/login", json={"email": email, "password": password})
        return str(tokens["access_token"])

    def account(self, role: str, email: str, password: str = STRONG) -> str:
        admin = self.login(self.admin_email, self.admin_password)
        self.ok("POST", "/api/users", admin, status=201,
                json={"email": email, "name": role.title(), "role": role, "password": password})
        return self.login(email, password)

    def import_bank(self, token: str, text: str) -> None:
        self.ok("POST", "/api/questions/import", token, content=text, headers={"Content-Type": "application/yaml"})

    def operations(self) -> set[str]:
        paths = self.ok("GET", "/openapi.json")["paths"]
        return {f"{method.upper()} {path}" for path, methods in paths.items() for method in methods}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("sensei-web")
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("SENSEI_") or k == "SENSEI_SANDBOX"
    } | {
        "SENSEI_DATA_DIR": str(data / "data"),
        "SENSEI_SECRET_KEY": secrets.token_urlsafe(48),
        "SENSEI_LOAD_SAMPLE_BANK": "false",
    }
    out_path, err_path = data / "serve.out", data / "serve.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "codesensei.cli.main", "serve", "--port", str(port), "--log-level", "warning"],
            env=env, stdout=out, stderr=err,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, err_path.read_text()
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "sensei serve did not answer within 120 s"
            time.sleep(0.2)
        found = PASSWORD_LINE.search(out_path.read_text())
        assert found, out_path.read_text()
        running = Server(url, "admin@localhost", found.group(1))
        yield running
        running.http.close()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


STARTED = time.time()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots are, at the end of every run that took some (with xdist too: by file time)."""
    taken = [p for p in SCREENSHOTS.glob("*.png") if p.stat().st_mtime >= STARTED] if SCREENSHOTS.is_dir() else []
    if taken:
        terminalreporter.write_line(f"browser screenshots: {len(taken)} pages in {SCREENSHOTS}")


class Shots:
    """Full-page screenshots named by step, and the browser's console errors (a page must log none)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def take(self, page: Page, name: str, *, full_page: bool = True) -> Path:
        path = self.directory / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def shots(screenshots: Path) -> Shots:
    return Shots(screenshots)


def watch_console(page: Page) -> list[str]:
    """Collect the page's errors: uncaught exceptions and console errors (failed requests the app handles
    are logged by the browser as console errors too, so tests that expect one clear the list)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return problems
