"""transport.py: uvicorn's HTTP/1.1 protocol with every answer sent in one write."""

from __future__ import annotations

import asyncio
import http.client
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from supercp.web import serve
from supercp.web.runtime.transport import OneWriteTransport, PanelHttpProtocol


class Sink(asyncio.Protocol):
    """The far end of a socket pair: what it received."""

    def __init__(self) -> None:
        self.received = bytearray()

    def data_received(self, data: bytes) -> None:
        self.received += data


def counted(transport: asyncio.Transport, writes: list[bytes] | None = None) -> list[bytes]:
    """The writes that reach the socket of ``transport`` (asyncio's own, a Python object)."""
    writes = [] if writes is None else writes
    write = transport.write

    def counting(data: Any) -> None:
        writes.append(bytes(data))
        write(data)

    transport.write = counting  # type: ignore[method-assign]
    return writes


async def pair() -> tuple[asyncio.Transport, Sink, asyncio.Transport]:
    loop = asyncio.get_running_loop()
    ours, theirs = socket.socketpair()
    transport, _ = await loop.create_connection(asyncio.Protocol, sock=ours)
    sink = Sink()
    far, _ = await loop.create_connection(lambda: sink, sock=theirs)
    return transport, sink, far


async def settle(sink: Sink, size: int) -> None:
    for _ in range(200):
        if len(sink.received) >= size:
            return
        await asyncio.sleep(0.005)


def test_what_one_pass_writes_leaves_in_one_write_in_order() -> None:
    async def main() -> None:
        transport, sink, far = await pair()
        writes = counted(transport)
        one = OneWriteTransport(transport, asyncio.get_running_loop())
        one.write(b"HTTP/1.1 200 OK\r\n\r\n")
        one.write(memoryview(b"body"))
        one.write(b"")
        assert writes == []  # nothing before the pass ends
        assert one.get_write_buffer_size() == len(b"HTTP/1.1 200 OK\r\n\r\nbody")
        await asyncio.sleep(0)
        assert writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
        one.writelines([b"next", b" pass"])
        await asyncio.sleep(0)
        assert writes[1:] == [b"next pass"]
        await settle(sink, 33)
        assert bytes(sink.received) == b"HTTP/1.1 200 OK\r\n\r\nbodynext pass"
        one.close()
        far.close()

    asyncio.run(main())


def test_closing_sends_what_was_collected_first_and_aborting_drops_it() -> None:
    async def main() -> None:
        transport, sink, far = await pair()
        one = OneWriteTransport(transport, asyncio.get_running_loop())
        one.write(b"last words")
        one.close()
        assert one.is_closing()
        await settle(sink, 10)
        assert bytes(sink.received) == b"last words"
        await asyncio.sleep(0)  # the pass's own flush finds nothing left to send
        far.close()

        transport, sink, far = await pair()
        writes = counted(transport)
        one = OneWriteTransport(transport, asyncio.get_running_loop())
        one.write(b"never sent")
        one.abort()
        await asyncio.sleep(0.01)
        assert writes == []
        assert sink.received == b""
        far.close()

    asyncio.run(main())


class Server:
    """uvicorn with the panel's protocol (serve.options' ``http``) on asyncio's own loop, whose
    transports the test can count the writes of."""

    def __init__(self, app: Any) -> None:
        self.writes: list[bytes] = []
        writes = self.writes

        class Counting(PanelHttpProtocol):
            def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
                counted(transport, writes)
                super().connection_made(transport)

        assert serve.options()["http"] is PanelHttpProtocol
        options = {**serve.options(), "http": Counting, "loop": "asyncio", "log_level": "error"}
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                return self
            threading.Event().wait(0.01)
        raise AssertionError("uvicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers with the request's path, in the two messages an ASGI answer takes."""
    assert scope["type"] == "http"
    await receive()
    body = scope["path"].encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def server() -> Iterator[Server]:
    with Server(app) as running:
        yield running


def test_the_panels_answers_leave_in_one_write_each_on_a_kept_alive_connection(
    server: Server,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path in ("/one", "/two", "/three"):
            conn.request("GET", path)
            response = conn.getresponse()
            assert (response.status, response.read()) == (200, path.encode())
            assert response.getheader("content-type") == "text/plain"
        assert len(server.writes) == 3
        assert all(w.startswith(b"HTTP/1.1 200 OK\r\n") for w in server.writes)
        assert server.writes[1].endswith(b"\r\n\r\n/two")
    finally:
        conn.close()


def test_an_answer_before_the_connection_closes_is_sent_whole(server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/bye", headers={"Connection": "close"})
        response = conn.getresponse()
        assert (response.status, response.read()) == (200, b"/bye")
        assert response.getheader("connection") == "close"
        assert len(server.writes) == 1
    finally:
        conn.close()
