"""From one framed line to its response: parse, authorize, validate, lock, run, audit."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from pydantic import BaseModel

from supercp.daemon.audit import AuditLog, loggable_params
from supercp.daemon.context import Context, Deps
from supercp.daemon.locks import KeyedLocks
from supercp.daemon.peer import Peer
from supercp.protocol import framing, jsonrpc
from supercp.protocol.errors import Forbidden, InternalError, MethodNotFound, SuperCPError

log = logging.getLogger("supercp.daemon")


class Dispatcher:
    """Turns lines into responses; holds no per-connection state."""

    def __init__(self, deps: Deps, audit: AuditLog) -> None:
        self.deps = deps
        self.audit = audit
        self.locks = KeyedLocks()

    async def handle_line(self, line: bytes, peer: Peer) -> bytes | None:
        """The framed response to one line, or None when nothing must be sent."""
        try:
            parsed = jsonrpc.parse_message(line)
        except SuperCPError as err:
            self._audit_invalid(peer, err)
            return framing.encode(jsonrpc.error_response(None, err))
        if isinstance(parsed, list):
            # Batch members run concurrently; the spec lets the server answer in any order,
            # but keeping the request order costs nothing here.
            answers = await asyncio.gather(*(self.handle_item(item, peer) for item in parsed))
            responses = [a for a in answers if a is not None]
            return framing.encode(responses) if responses else None
        answer = await self.handle_item(parsed, peer)
        return framing.encode(answer) if answer is not None else None

    async def handle_item(self, item: jsonrpc.Item, peer: Peer) -> dict[str, Any] | None:
        if isinstance(item, jsonrpc.Invalid):
            self._audit_invalid(peer, item.error)
            return jsonrpc.error_response(item.id, item.error)
        started = time.perf_counter()
        params: BaseModel | None = None
        error: SuperCPError | None = None
        result: Any = None
        try:
            if peer.role is None:
                # Strangers learn nothing, not even which methods exist.
                raise Forbidden(f"uid {peer.uid} may not call this daemon")
            method = self.deps.registry.get(item.method)
            if method is None:
                raise MethodNotFound(f"Method not found: {item.method}")
            if peer.role not in method.callers:
                raise Forbidden(f"{item.method} may not be called by {peer.role}")
            params = method.parse_params(item.params)
            key = method.lock(params) if method.lock is not None else None
            async with self.locks.hold(key):
                value = await method.handler(Context(self.deps, peer), params)
            result = method.dump_result(value)
        except SuperCPError as err:
            error = err
        except Exception:
            # The traceback stays in the daemon's log; the caller gets a generic error.
            log.exception("internal error in %s", item.method)
            error = InternalError("Internal error")
        self.audit.record(
            {
                "uid": peer.uid,
                "pid": peer.pid,
                "role": peer.role,
                "method": item.method,
                "params": loggable_params(params, item.params),
                "notification": item.notification,
                "outcome": "ok" if error is None else error.code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            }
        )
        if item.notification:
            return None
        if error is not None:
            return jsonrpc.error_response(item.id, error)
        return jsonrpc.result_response(item.id, result)

    def _audit_invalid(self, peer: Peer, err: SuperCPError) -> None:
        self.audit.record(
            {
                "uid": peer.uid,
                "pid": peer.pid,
                "role": peer.role,
                "method": None,
                "outcome": err.code,
            }
        )
