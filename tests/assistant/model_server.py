"""A real HTTP server on loopback speaking the OpenAI chat-completions protocol with scripted replies.

Each request pops the next scripted `Reply` (the last one repeats), and every request body is
recorded so tests can check exactly what was sent to the model — prompts included.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted reply: `text` as a completion (streamed when the request asks), or a failure mode."""

    text: str = ""
    status: int = 200
    delay_s: float = 0.0
    raw_body: str | None = None  # sent verbatim instead of a completion (malformed replies)
    headers: dict[str, str] = field(default_factory=dict)
    break_stream_after: int | None = None  # close the connection after this many chunks
    usage: bool = True


def _chunks(text: str) -> Iterator[str]:
    words = text.split(" ")
    for index, word in enumerate(words):
        yield word if index == len(words) - 1 else word + " "


class ModelServer:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                reply = server._next(body | {"_path": self.path, "_auth": self.headers.get("authorization")})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.raw_body is not None or reply.status != 200:
                    self._send(reply.status, reply.raw_body or json.dumps({"error": {"message": "scripted"}}), reply)
                elif body.get("stream"):
                    self._stream(reply, body)
                else:
                    completion = {
                        "id": "cmpl-1",
                        "object": "chat.completion",
                        "model": body.get("model"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": reply.text},
                                "finish_reason": "stop",
                            }
                        ],
                    }
                    if reply.usage:
                        completion["usage"] = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
                    self._send(200, json.dumps(completion), reply)

            def _send(self, status: int, body: str, reply: Reply) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(b": keep-alive\n\n")
                for index, piece in enumerate(_chunks(reply.text)):
                    if reply.break_stream_after is not None and index >= reply.break_stream_after:
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                final: dict[str, Any] = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(final)}\n\n".encode())
                if reply.usage and body.get("stream_options", {}).get("include_usage"):
                    usage = {"choices": [], "usage": {"prompt_tokens": 13, "completion_tokens": 5}}
                    self.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if not self.replies:
                return Reply(text="(no scripted reply)")
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies = list(replies)

    def prompts(self) -> list[str]:
        """Every message content sent so far, in order."""
        return [m["content"] for body in self.requests for m in body.get("messages", [])]

    def start(self) -> ModelServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
