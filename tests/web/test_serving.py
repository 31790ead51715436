"""How the API serves the web app: its files, index.html for client routes, and API paths left alone."""

from __future__ import annotations

import re
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI

from codesensei.api.app import create_app
from codesensei.settings import Settings
from codesensei.web import STATIC_DIR, mount_web

HTML = {"Accept": "text/html,application/xhtml+xml"}


class Client:
    """Requests straight into the ASGI app (no server, no lifespan: nothing here touches the database)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                response = await client.request(method, path, headers=headers)
                await response.aread()
                return response

        return anyio.run(send)

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.request("GET", path, headers)

    def post(self, path: str) -> httpx.Response:
        return self.request("POST", path)

    def delete(self, path: str) -> httpx.Response:
        return self.request("DELETE", path)


@pytest.fixture
def client(tmp_path: Path) -> Client:
    """The real app, serving a small stand-in build."""
    static = tmp_path / "static"
    (static / "chunks").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>Code Sensei</title><div id=app></div>")
    (static / "app.js").write_text("console.log('app');\n" * 200)
    (static / "chunks" / "lang-1.js").write_text("export const x = 1;\n")
    (tmp_path / "secret.txt").write_text("outside the build")
    app = create_app(Settings(data_dir=tmp_path / "data"))
    app.state.web_static_dir = static
    return Client(app)


def test_files_and_client_routes(client: Client) -> None:
    script = client.get("/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert client.get("/chunks/lang-1.js").text == "export const x = 1;\n"
    for page in ("/", "/assessments", "/attempts/abc123", "/attempts/abc123/results", "/claim", "/metrics"):
        response = client.get(page, headers=HTML)
        assert response.status_code == 200, page
        assert "<div id=app>" in response.text
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_missing_files_are_404_not_the_page(client: Client) -> None:
    for path in ("/nope.js", "/chunks/gone.js", "/app.css"):
        response = client.get(path, headers=HTML)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    # A client asking for JSON gets no HTML page either.
    assert client.get("/assessments", headers={"Accept": "application/json"}).status_code == 404


def test_api_paths_keep_their_own_answers(client: Client) -> None:
    missing = client.get("/api/nowhere", headers=HTML)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    wrong_method = client.delete("/api/auth/login")
    assert (wrong_method.status_code, wrong_method.json()["error"]["code"]) == (405, "method_not_allowed")
    assert client.post("/assessments").status_code == 405  # the app's pages are only read
    assert client.get("/openapi.json").json()["info"]["title"] == "Code Sensei"
    assert client.get("/ws/attempts/x", headers=HTML).status_code == 404
    assert "/{path}" not in client.get("/openapi.json").json()["paths"]


def test_no_way_out_of_the_build(client: Client) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/chunks/..%2f..%2fsecret.txt"):
        response = client.get(path)
        assert "outside the build" not in response.text, path


def test_gzip_and_revalidation(client: Client) -> None:
    plain = client.get("/app.js", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/app.js", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.text == plain.text  # the client decompresses
    assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"]) / 5
    etag = plain.headers["etag"]
    again = client.get("/app.js", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")


def test_the_committed_build_is_complete() -> None:
    """The package ships a build whose page names files that exist (scripts/build-web --check proves it current)."""
    index = (STATIC_DIR / "index.html").read_text()
    named = re.findall(r'(?:src|href)="/([^"?]+)', index)
    assert {"app.js", "app.css", "favicon.svg"} <= set(named)
    for name in named:
        assert (STATIC_DIR / name).is_file(), name
    for chunk in re.findall(r'"\./chunks/([^"]+\.js)"', (STATIC_DIR / "app.js").read_text()):
        assert (STATIC_DIR / "chunks" / chunk).is_file(), chunk


def test_mount_web_adds_one_route_at_the_end(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    before = len(app.router.routes)
    mount_web(app, tmp_path)
    assert len(app.router.routes) == before + 1
    assert app.state.web_static_dir == tmp_path
