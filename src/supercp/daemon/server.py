"""The asyncio Unix-socket server: framing, per-connection flow control, clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import grp
import logging
import os
import socket
import stat
from pathlib import Path

from supercp.daemon.dispatch import Dispatcher
from supercp.daemon.memory import IdleTrimmer
from supercp.daemon.peer import Peer, RoleResolver
from supercp.protocol import framing, jsonrpc
from supercp.protocol.errors import InvalidRequest

log = logging.getLogger("supercp.daemon")

SOCKET_MODE = 0o660
# Connections waiting to be accepted. A Unix socket refuses a connect beyond it at once
# (EAGAIN) instead of retrying as TCP does, and a burst of panel requests opens one each.
BACKLOG = 1024


class Connection(asyncio.Protocol):
    """One client. Each complete line runs as its own task, so a slow call on this
    connection does not hold up the next request (responses carry ids to match); lines
    that can be answered from memory (a ping, malformed input) are answered at once."""

    def __init__(self, server: DaemonServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.peer: Peer | None = None
        self.splitter = framing.LineSplitter()
        self.inflight = 0
        self.reading_paused = False
        self.half_closed = False
        self.closed = False
        self._line_timer: asyncio.TimerHandle | None = None
        self._loop = asyncio.get_running_loop()

    # -- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        self.peer = self.server.roles.peer(sock)
        self.server.connections.add(self)

    def data_received(self, data: bytes) -> None:
        try:
            lines = self.splitter.feed(data)
        except OverflowError:
            self._refuse_and_close(
                InvalidRequest(
                    f"message larger than {framing.MAX_MESSAGE} bytes", code="message-too-large"
                )
            )
            return
        assert self.peer is not None
        assert self.transport is not None
        dispatcher = self.server.dispatcher
        for line in lines:
            if self.closed:
                return
            if not line.strip():
                continue
            parsed = dispatcher.parse(line, self.peer)
            if isinstance(parsed, bytes):
                self.transport.write(parsed)
                continue
            if not isinstance(parsed, list):
                done, answer = dispatcher.answer_inline(parsed, self.peer)
                if done:
                    if answer is not None:
                        self.transport.write(answer)
                    continue
            self._start(parsed)
        self._arm_line_timer(progress=bool(lines))

    def eof_received(self) -> bool:
        # Half-close: the client is done sending but still reads the answers in flight.
        self.half_closed = True
        self._cancel_line_timer()
        return self.inflight != 0

    def connection_lost(self, exc: Exception | None) -> None:
        # In-flight calls run to completion (a half-applied change is worse than a lost
        # answer); their responses are dropped.
        self.closed = True
        self._cancel_line_timer()
        self.server.connections.discard(self)

    # -- internals ---------------------------------------------------------------------

    def _start(self, parsed: jsonrpc.Item | list[jsonrpc.Item]) -> None:
        self.inflight += 1
        task = self._loop.create_task(self._serve(parsed))
        self.server.track(task)
        if self.inflight >= self.server.max_inflight and not self.reading_paused:
            assert self.transport is not None
            self.transport.pause_reading()
            self.reading_paused = True

    async def _serve(self, parsed: jsonrpc.Item | list[jsonrpc.Item]) -> None:
        assert self.peer is not None
        assert self.transport is not None
        try:
            out = await self.server.dispatcher.handle(parsed, self.peer)
            if out is not None and not self.closed:
                self.transport.write(out)
        finally:
            self.inflight -= 1
            if self.reading_paused and self.inflight < self.server.max_inflight:
                self.reading_paused = False
                if not self.closed:
                    self.transport.resume_reading()
            if self.half_closed and self.inflight == 0 and not self.closed:
                self.transport.close()

    def _refuse_and_close(self, err: InvalidRequest) -> None:
        assert self.transport is not None
        log.warning("closing connection of uid %s: %s", self.peer and self.peer.uid, err.message)
        if not self.closed:
            self.transport.write(framing.encode(jsonrpc.error_response(None, err)))
            self.transport.close()
        self.closed = True
        self._cancel_line_timer()

    def _arm_line_timer(self, *, progress: bool) -> None:
        # A partial line must complete in line_timeout seconds; every completed line resets
        # the clock, so a busy pipelining client is never cut off.
        if not self.splitter.pending:
            self._cancel_line_timer()
            return
        if progress:
            self._cancel_line_timer()
        if self._line_timer is None:
            self._line_timer = self._loop.call_later(self.server.line_timeout, self._line_timed_out)

    def _cancel_line_timer(self) -> None:
        if self._line_timer is not None:
            self._line_timer.cancel()
            self._line_timer = None

    def _line_timed_out(self) -> None:
        self._line_timer = None
        self._refuse_and_close(
            InvalidRequest("incomplete message: no newline in time", code="message-timeout")
        )


class DaemonServer:
    """Owns the listening socket, the live connections and the in-flight tasks."""

    def __init__(
        self,
        path: Path,
        dispatcher: Dispatcher,
        roles: RoleResolver,
        *,
        socket_group: str,
        max_inflight: int = 64,
        line_timeout: float = 30.0,
    ) -> None:
        self.path = path
        self.dispatcher = dispatcher
        self.roles = roles
        self.socket_group = socket_group
        self.max_inflight = max_inflight
        self.line_timeout = line_timeout
        self.connections: set[Connection] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.AbstractServer | None = None
        # Hands memory back once calls are over (daemon/memory.py).
        self.trimmer = IdleTrimmer(busy=lambda: bool(self.tasks))

    def track(self, task: asyncio.Task[None]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        self.trimmer.note_work()

    def _bind(self) -> socket.socket:
        self._clear_stale_socket()
        gid = grp.getgrnam(self.socket_group).gr_gid
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # The socket is born 0600 and only then opened to the group: no window in which
        # anyone else could connect.
        old_umask = os.umask(0o177)
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old_umask)
        os.chown(self.path, 0, gid)
        os.chmod(self.path, SOCKET_MODE)
        sock.listen(BACKLOG)
        sock.setblocking(False)
        return sock

    def _clear_stale_socket(self) -> None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(st.st_mode):
            raise RuntimeError(f"{self.path} exists and is not a socket; refusing to replace it")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(self.path))
        except OSError as err:
            if err.errno not in (errno.ECONNREFUSED, errno.ENOENT):
                raise
            os.unlink(self.path)  # left behind by a daemon that died
            return
        finally:
            probe.close()
        raise RuntimeError(f"another super-daemon is listening on {self.path}")

    async def start(self) -> None:
        sock = self._bind()
        # asyncio listens again with its own backlog (100 unless told).
        self._server = await asyncio.get_running_loop().create_unix_server(
            lambda: Connection(self), sock=sock, backlog=BACKLOG
        )

    async def stop(self, grace: float) -> None:
        """Stop accepting, let in-flight calls finish (up to ``grace`` s), then close."""
        if self._server is not None:
            self._server.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        if self.tasks:
            log.info("waiting for %d in-flight call(s)", len(self.tasks))
            _, pending = await asyncio.wait(set(self.tasks), timeout=grace)
            for task in pending:
                task.cancel()
        for conn in list(self.connections):
            if conn.transport is not None:
                conn.transport.close()
        if self._server is not None:
            await self._server.wait_closed()
