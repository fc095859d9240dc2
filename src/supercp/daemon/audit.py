"""Audit log: one JSON line per call, params with secrets redacted, under /var/log/supercp."""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

REDACTED = "[redacted]"
# Params that failed validation are logged raw; any key that looks secret is masked.
_SECRET_KEY = re.compile(r"pass|secret|token|key|credential|otp|private", re.IGNORECASE)
_MAX_LOGGED = 4096  # bytes of params kept per line; hostile 1 MiB params stay out


def redact_raw(value: Any, depth: int = 0) -> Any:
    """Mask values under secret-looking keys, recursively (bounded depth)."""
    if depth > 8:
        return "…"
    if isinstance(value, dict):
        return {
            k: REDACTED
            if isinstance(k, str) and _SECRET_KEY.search(k)
            else redact_raw(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_raw(v, depth + 1) for v in value]
    return value


def _encode(value: Any) -> bytes:
    return orjson.dumps(value, default=str)


def loggable_params(params: BaseModel | None, raw: Any) -> Any:
    """What the audit line shows of a call's params.

    Validated models dump in JSON mode, where SecretStr fields render masked; the same
    key-based masking as for raw params is applied on top, belt and braces.
    """
    if params is not None and not type(params).model_fields:
        return None  # a method without params: nothing to show or redact
    value = params.model_dump(mode="json") if params is not None else raw
    if not value:
        return value
    value = redact_raw(value)
    size = len(_encode(value))
    if size > _MAX_LOGGED:
        return {"truncated": True, "size": size}
    return value


class AuditLog:
    """Appends records to ``<dir>/audit.jsonl`` (0640, root).

    Records of calls that may change the system are written before their answer is sent.
    Records of calls answered from memory (ping, malformed input) are gathered and written
    once per event-loop pass, which keeps a flood of pings from costing a write each.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o750)
        self.path = directory / "audit.jsonl"
        self._fd = -1
        self._pending: list[bytes] = []
        self._second = -1
        self._stamp = ""
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self._open()

    def _open(self) -> None:
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)

    def reopen(self) -> None:
        """After log rotation (SIGHUP)."""
        self.close()
        self._open()

    def _now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(second))
        return self._stamp

    def record(self, entry: dict[str, Any], *, flush: bool = True) -> None:
        self._pending.append(_encode({"time": self._now(), **entry}) + b"\n")
        if flush or self._loop is None:
            self.flush()
        elif len(self._pending) == 1:
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        if not self._pending or self._fd < 0:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        # O_APPEND: each write lands whole at the end, even after logrotate truncated it.
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def close(self) -> None:
        self.flush()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
