"""The web app: the built single-page app (source in `web/` at the repository root) and how the API serves it.

`STATIC_DIR` holds the committed build (`scripts/build-web` writes it), so installing the package needs no
Node.js. `mount_web(app)` serves it at `/`: a file when one exists (`/app.js`), and `index.html` for every
other page a browser navigates to (`/attempts/…`, `/claim#token=…`), so client routes survive a reload.

The catch-all is a route that declines every API path (`/api/…`, `/ws/…`, `/docs`, `/openapi.json`), not a mount:
a mount at `/` would take over unknown API paths and wrong methods, which must keep answering 404 and
405 in the API's own error shape.
"""

from __future__ import annotations

import gzip
import mimetypes
import os
import stat
from functools import lru_cache
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent / "static"
INDEX = "index.html"
# Paths that belong to the API; the web app never answers for them.
RESERVED = ("/api", "/ws", "/docs", "/redoc", "/openapi.json")
COMPRESSIBLE = {".js", ".css", ".html", ".svg", ".json", ".map", ".txt"}

# The app loads only its own files; Markdown is sanitised in the browser, and this stops what slips through.
# Styles may be inline: the editor and the charts set element styles.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Files keep their names from build to build: the browser revalidates them (ETag) on every load.
    "Cache-Control": "no-cache",
}


def is_reserved(path: str) -> bool:
    return any(path == prefix or path.startswith(f"{prefix}/") for prefix in RESERVED)


def static_file(relative: str, root: Path = STATIC_DIR) -> Path | None:
    """The built file at `relative` (URL path without the leading slash), or None; never outside `root`."""
    if not relative or "\x00" in relative:
        return None
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root):
        return None
    try:
        mode = candidate.stat().st_mode
    except (OSError, ValueError):
        return None
    return candidate if stat.S_ISREG(mode) else None


def wants_html(request: Request) -> bool:
    """A browser navigating to a page (rather than a script or a client asking for JSON)."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept or accept.strip() == "*/*" or not accept


@lru_cache(maxsize=64)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    """The file compressed once per version (the key changes when the file does)."""
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


def _file(path: Path, request: Request) -> Response:
    """The file with validators (ETag → 304) and, when the browser takes it, gzip for text files."""
    info = path.stat()
    etag = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'
    headers = {**HEADERS, "ETag": etag, "Vary": "Accept-Encoding"}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    accepts = {e.split(";")[0].strip() for e in request.headers.get("accept-encoding", "").split(",")}
    if path.suffix in COMPRESSIBLE and info.st_size > 1024 and "gzip" in accepts:
        body = _gzipped(path, info.st_mtime_ns, info.st_size)
        return Response(body, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return FileResponse(path, media_type=media_type, headers=headers, stat_result=info)


async def serve_web(request: Request) -> Response:
    """A built file, or `index.html` for a page of the app; 404 for a missing file that is not a page."""
    root: Path = request.app.state.web_static_dir
    relative = request.path_params.get("path", "").lstrip("/")
    found = static_file(relative, root)
    if found is not None:
        return _file(found, request)
    index = root / INDEX
    last = relative.rsplit("/", 1)[-1]
    looks_like_file = os.path.splitext(last)[1] in {".js", ".css", ".map", ".png", ".svg", ".ico", ".txt", ".json"}
    if not index.is_file() or looks_like_file or not wants_html(request):
        raise HTTPException(status_code=404, detail=f"no such file: /{relative}")
    return _file(index, request)


class WebRoute(Route):
    """`/{path}` for GET and HEAD, declining API paths so that they keep their own 404 and 405 answers."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and is_reserved(scope.get("path", "")):
            return Match.NONE, {}
        return super().matches(scope)


def mount_web(app: Starlette, static_dir: Path = STATIC_DIR) -> None:
    """Serve the web app at `/`, after every route already added (call it last)."""
    app.state.web_static_dir = static_dir
    app.router.routes.append(WebRoute("/{path:path}", serve_web, methods=["GET", "HEAD"], include_in_schema=False))
