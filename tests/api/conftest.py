"""Fixtures of the API tests: a real uvicorn server on a free loopback port, and an httpx client.

Each server runs the app built by `create_app` against a fresh database of each backend (see the root
conftest), with the sample bank imported and the first administrator created by the same function
`sensei serve` calls. `module_server` shares one server per test module for read-mostly tests.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.engine import make_url

from codesensei.api.accounts.bootstrap import ensure_admin
from codesensei.api.app import create_app
from codesensei.platform import open_platform
from codesensei.sessions.clock import now_utc
from codesensei.settings import Settings
from codesensei.store.db import make_engine, unit_of_work
from conftest import BACKENDS, POSTGRES_URL

STRONG = "correct horse battery staple"
NO_RATE_LIMITS = {
    "rate_run_per_minute": 0, "rate_submit_per_minute": 0, "rate_assistant_per_minute": 0, "rate_login_per_minute": 0,
}


@dataclass
class Api:
    """A client of one running server, with the administrator's credentials and helpers to make accounts."""

    base_url: str
    settings: Settings
    admin_email: str
    admin_password: str
    http: httpx.Client = field(init=False)
    _admin_token: str | None = None

    def __post_init__(self) -> None:
        # Code answers are judged in the sandbox during the request: allow for a slow, shared machine.
        self.http = httpx.Client(base_url=self.base_url, timeout=120)

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, token: str | None = None, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, token, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def login(self, email: str, password: str = STRONG) -> dict[str, Any]:
        tokens: dict[str, Any] = self.ok("POST", "/api/auth/login", json={"email": email, "password": password})
        return tokens

    @property
    def admin(self) -> str:
        if self._admin_token is None:
            self._admin_token = self.login(self.admin_email, self.admin_password)["access_token"]
        return self._admin_token

    def user(self, role: str, email: str | None = None, password: str = STRONG) -> str:
        """A new account of `role`; returns its access token."""
        address = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        self.ok("POST", "/api/users", self.admin, status=201,
                json={"email": address, "name": role.title(), "role": role, "password": password})
        return str(self.login(address, password)["access_token"])


def make_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url, data_dir=tmp_path / "data", load_sample_bank=True,
        starter_bank_dir=tmp_path / "no-starter-bank", secret_key=secrets.token_urlsafe(48),
        # Tests sign in and answer faster than people: rate limits only where a test sets them.
        **{**NO_RATE_LIMITS, **overrides},
    )


@contextmanager
def serving(settings: Settings) -> Iterator[Api]:
    """Prepare the database as `sensei serve` does, then run the app under uvicorn in a thread until done."""
    platform = open_platform(settings)
    try:
        with unit_of_work(platform.sessions) as session:
            first = ensure_admin(session, settings, now_utc())
    finally:
        platform.close()
    assert first is not None
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive(), "the server thread died while starting"
        assert time.monotonic() < deadline, "the server did not start within 60 s"
        time.sleep(0.02)
    api = Api(f"http://127.0.0.1:{port}", settings, first.email, first.password)
    try:
        yield api
    finally:
        api.http.close()
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


@pytest.fixture(autouse=True)
def _runner_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # The runner reads its compile cache location from the environment, not from the app's settings.
    monkeypatch.setenv("SENSEI_DATA_DIR", str(tmp_path_factory.getbasetemp() / "sensei-data"))


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with serving(make_settings(database_url, tmp_path)) as running:
        yield running


@pytest.fixture(scope="module", params=BACKENDS)
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like the root `database_url`, but one database per module and backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path_factory.mktemp("moduledb") / "sensei.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    assert POSTGRES_URL is not None
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"sensei_m_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def module_api(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(make_settings(module_database_url, tmp_path_factory.mktemp("api"))) as running:
        yield running


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The error object of a failure; asserts the shape every error shares."""
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert set(error) <= {"code", "message", "details"}
    return error
