"""Running the site under uvicorn with the limits a reachable server needs.

uvicorn bounds how long an idle connection is kept, how big a request head may grow and how many
connections are served at once, but has no limit on how long a client may take to send its request
head: a client sending one byte a minute would hold its connection for ever, and a few hundred of
them the whole server. HeadTimeoutProtocol adds that limit to uvicorn's own h11 protocol.
"""

from __future__ import annotations

import asyncio

import h11
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
"""Seconds a client has to send a whole request head (request line and headers)."""
KEEP_ALIVE_SECONDS = 5
"""Seconds an idle connection is kept open for the client's next request."""
MAX_HEAD_BYTES = 16 * 1024
"""The largest request head accepted (h11's limit on an incomplete event); longer gets 400."""
MAX_CONNECTIONS = 200
"""Connections served at once; requests beyond it are answered 503 at once instead of queued."""


class HeadTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head has not arrived in full
    `header_timeout` seconds after the connection opened or the head's first byte came."""

    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # a whole head has come: the request is running
            self._stop_head_timer()
        elif self._head_timer is None and not self.transport.is_closing():  # a new head is starting
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def run(app: ASGIApp, host: str, port: int, *, header_timeout: float = HEADER_TIMEOUT) -> None:
    """Serve `app` until interrupted, with the limits above."""
    import uvicorn

    protocol = type("ClaimsHttpProtocol", (HeadTimeoutProtocol,), {"header_timeout": header_timeout})
    uvicorn.run(
        app, host=host, port=port, log_level="info", http=protocol,
        timeout_keep_alive=KEEP_ALIVE_SECONDS, h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        limit_concurrency=MAX_CONNECTIONS,
    )  # fmt: skip
