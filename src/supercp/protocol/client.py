"""Clients for super-daemon: a blocking one (CLI, panel views) and an asyncio one."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import threading
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from supercp.protocol import framing, jsonrpc
from supercp.protocol.errors import InternalError, SuperCPError, Unavailable, from_error_object
from supercp.protocol.models import Spec

DEFAULT_SOCKET = Path("/run/super-daemon.sock")
# Responses (lists of accounts, sites, …) may be larger than the 1 MiB request limit.
MAX_RESPONSE = 64 * 1024 * 1024

P = TypeVar("P", bound=BaseModel)
R = TypeVar("R")


@cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def _params(spec: Spec[Any, Any], params: BaseModel | None) -> dict[str, Any] | None:
    if params is None:
        return None
    if not isinstance(params, spec.params):
        raise TypeError(f"{spec.name} takes {spec.params.__name__}")
    dumped: dict[str, Any] = params.model_dump(mode="json")
    return dumped


def _unwrap(response: Any) -> Any:
    if not isinstance(response, dict):
        raise InternalError("malformed response from the daemon")
    if "error" in response:
        raise from_error_object(response["error"])
    if "result" not in response:
        raise InternalError("malformed response from the daemon")
    return response["result"]


class DaemonClient:
    """Blocking JSON-RPC client over the daemon's Unix socket; one call at a time."""

    def __init__(self, path: Path | str = DEFAULT_SOCKET, timeout: float = 300.0) -> None:
        self.path = str(path)
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._splitter = framing.LineSplitter(MAX_RESPONSE)
        self._lines: list[bytes] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def __enter__(self) -> DaemonClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._splitter = framing.LineSplitter(MAX_RESPONSE)
        self._lines = []

    def _connect(self) -> socket.socket:
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(self.path)
            except OSError as err:
                sock.close()
                raise Unavailable(
                    f"cannot reach super-daemon at {self.path}: {err.strerror or err}"
                ) from err
            self._sock = sock
        return self._sock

    def _read_line(self, sock: socket.socket) -> bytes:
        while not self._lines:
            chunk = sock.recv(262144)
            if not chunk:
                raise Unavailable("super-daemon closed the connection")
            self._lines.extend(self._splitter.feed(chunk))
        return self._lines.pop(0)

    def send_raw(self, message: Any) -> Any:
        """Send one request, batch or notification object; return the parsed reply, if any."""
        with self._lock:
            sock = self._connect()
            try:
                sock.sendall(framing.encode(message))
                if _expects_reply(message):
                    return jsonrpc.parse_json(self._read_line(sock))
                return None
            except (OSError, SuperCPError) as err:
                self.close()
                if isinstance(err, SuperCPError):
                    raise
                raise Unavailable(f"lost the connection to super-daemon: {err}") from err

    def call(self, method: str, params: jsonrpc.Params = None) -> Any:
        """Call a method by name; return its result or raise the matching SuperCPError."""
        rid = next(self._ids)
        response = self.send_raw(jsonrpc.request_object(method, params, rid))
        if isinstance(response, dict) and response.get("id") not in (rid, None):
            self.close()
            raise InternalError("response id does not match the request")
        return _unwrap(response)

    def invoke(self, spec: Spec[P, R], params: P | None = None) -> R:
        """Typed call: params from the spec's model, result validated against its type."""
        result = self.call(spec.name, _params(spec, params))
        value: R = _adapter(spec.result).validate_python(result)
        return value


def _expects_reply(message: Any) -> bool:
    if isinstance(message, list):
        # A non-empty batch of only notifications gets no reply; anything else does.
        return not message or any(not isinstance(m, dict) or "id" in m for m in message)
    return not (isinstance(message, dict) and "id" not in message and "method" in message)


class AsyncDaemonClient:
    """asyncio client: many concurrent calls share one connection, matched by id."""

    def __init__(self, path: Path | str = DEFAULT_SOCKET, timeout: float = 300.0) -> None:
        self.path = str(path)
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        try:
            self._reader, self._writer = await asyncio.open_unix_connection(
                self.path, limit=MAX_RESPONSE
            )
        except OSError as err:
            raise Unavailable(f"cannot reach super-daemon at {self.path}: {err}") from err
        self._task = asyncio.create_task(self._read_loop())

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._writer = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def __aenter__(self) -> AsyncDaemonClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _read_loop(self) -> None:
        assert self._reader is not None
        error: SuperCPError = Unavailable("super-daemon closed the connection")
        try:
            while line := await self._reader.readline():
                response = jsonrpc.parse_json(line.rstrip(b"\n"))
                rid = response.get("id") if isinstance(response, dict) else None
                future = self._pending.pop(rid, None) if isinstance(rid, int) else None
                if future is not None and not future.done():
                    future.set_result(response)
        except (OSError, ValueError, SuperCPError) as err:
            error = Unavailable(f"lost the connection to super-daemon: {err}")
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        self._pending.clear()

    async def call(self, method: str, params: jsonrpc.Params = None) -> Any:
        if self._writer is None:
            await self.connect()
        assert self._writer is not None
        rid = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        self._writer.write(framing.encode(jsonrpc.request_object(method, params, rid)))
        try:
            async with asyncio.timeout(self.timeout):
                response = await future
        finally:
            self._pending.pop(rid, None)
        return _unwrap(response)

    async def invoke(self, spec: Spec[P, R], params: P | None = None) -> R:
        result = await self.call(spec.name, _params(spec, params))
        value: R = _adapter(spec.result).validate_python(result)
        return value
