"""From one framed line to its response: parse, authorize, validate, lock, run, audit.

Methods marked ``inline`` (they answer from memory, like ``system.ping``) are answered
synchronously when they arrive alone on a line, without a task or a lock; everything else
runs as a task. Both paths share the same checks and the same audit record.
"""

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
from supercp.daemon.registry import Method
from supercp.protocol import framing, jsonrpc
from supercp.protocol.errors import Forbidden, InternalError, MethodNotFound, SuperCPError

log = logging.getLogger("supercp.daemon")


class Dispatcher:
    """Turns lines into responses; holds no per-connection state."""

    def __init__(self, deps: Deps, audit: AuditLog) -> None:
        self.deps = deps
        self.audit = audit
        self.locks = KeyedLocks()

    # -- entry points ------------------------------------------------------------------

    def parse(self, line: bytes, peer: Peer) -> jsonrpc.Item | list[jsonrpc.Item] | bytes:
        """Parse a line; a line that is wrong as a whole comes back as its framed answer."""
        try:
            return jsonrpc.parse_message(line)
        except SuperCPError as err:
            self._audit_invalid(peer, err)
            return framing.encode(jsonrpc.error_response(None, err))

    def answer_inline(self, item: jsonrpc.Item, peer: Peer) -> tuple[bool, bytes | None]:
        """Answer ``item`` now if no task is needed: (True, answer or None), else (False, None)."""
        if isinstance(item, jsonrpc.Invalid):
            return True, framing.encode(self._invalid(item, peer))
        method = self.deps.registry.get(item.method)
        if method is None or method.inline is None:
            return False, None
        started = time.perf_counter()
        params: BaseModel | None = None
        error: SuperCPError | None = None
        result: Any = None
        try:
            method, params = self._admit(item, peer)
            assert method.inline is not None
            result = method.dump_result(method.inline(Context(self.deps, peer), params))
        except SuperCPError as err:
            error = err
        except Exception:
            log.exception("internal error in %s", item.method)
            error = InternalError("Internal error")
        answer = self._finish(item, peer, params, result, error, started, flush=False)
        return True, framing.encode(answer) if answer is not None else None

    async def handle(self, parsed: jsonrpc.Item | list[jsonrpc.Item], peer: Peer) -> bytes | None:
        """The framed response to a parsed line, or None when nothing must be sent."""
        if isinstance(parsed, list):
            # Batch members run concurrently; answers keep the request order.
            answers = await asyncio.gather(*(self.handle_item(item, peer) for item in parsed))
            responses = [a for a in answers if a is not None]
            return framing.encode(responses) if responses else None
        answer = await self.handle_item(parsed, peer)
        return framing.encode(answer) if answer is not None else None

    async def handle_line(self, line: bytes, peer: Peer) -> bytes | None:
        """Parse and answer one line (the whole path, for callers without a fast path)."""
        parsed = self.parse(line, peer)
        if isinstance(parsed, bytes):
            return parsed
        return await self.handle(parsed, peer)

    async def handle_item(self, item: jsonrpc.Item, peer: Peer) -> dict[str, Any] | None:
        if isinstance(item, jsonrpc.Invalid):
            return self._invalid(item, peer)
        started = time.perf_counter()
        params: BaseModel | None = None
        error: SuperCPError | None = None
        result: Any = None
        try:
            method, params = self._admit(item, peer)
            key = method.lock(params) if method.lock is not None else None
            if key is None:
                value = await method.handler(Context(self.deps, peer), params)
            else:
                async with self.locks.hold(key):
                    value = await method.handler(Context(self.deps, peer), params)
            result = method.dump_result(value)
        except SuperCPError as err:
            error = err
        except Exception:
            # The traceback stays in the daemon's log; the caller gets a generic error.
            log.exception("internal error in %s", item.method)
            error = InternalError("Internal error")
        return self._finish(item, peer, params, result, error, started, flush=True)

    # -- shared steps ------------------------------------------------------------------

    def _admit(self, item: jsonrpc.Request, peer: Peer) -> tuple[Method[Any, Any], BaseModel]:
        """Authorize the caller and validate the params, or raise."""
        if peer.role is None:
            # Strangers learn nothing, not even which methods exist.
            raise Forbidden(f"uid {peer.uid} may not call this daemon")
        method = self.deps.registry.get(item.method)
        if method is None:
            raise MethodNotFound(f"Method not found: {item.method}")
        if peer.role not in method.callers:
            raise Forbidden(f"{item.method} may not be called by {peer.role}")
        return method, method.parse_params(item.params)

    def _finish(  # noqa: PLR0917 - one call's full outcome, passed from two call sites
        self,
        item: jsonrpc.Request,
        peer: Peer,
        params: BaseModel | None,
        result: Any,
        error: SuperCPError | None,
        started: float,
        *,
        flush: bool,
    ) -> dict[str, Any] | None:
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
            },
            # Calls that may change the system are on disk before their answer leaves.
            flush=flush,
        )
        if item.notification:
            return None
        if error is not None:
            return jsonrpc.error_response(item.id, error)
        return jsonrpc.result_response(item.id, result)

    def _invalid(self, item: jsonrpc.Invalid, peer: Peer) -> dict[str, Any]:
        self._audit_invalid(peer, item.error)
        return jsonrpc.error_response(item.id, item.error)

    def _audit_invalid(self, peer: Peer, err: SuperCPError) -> None:
        self.audit.record(
            {
                "uid": peer.uid,
                "pid": peer.pid,
                "role": peer.role,
                "method": None,
                "outcome": err.code,
            },
            flush=False,
        )
