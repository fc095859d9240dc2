"""Audit log: one JSON line per call, params with secrets redacted, under /var/log/supercp."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

REDACTED = "[redacted]"
# Params that failed validation are logged raw; any key that looks secret is masked.
_SECRET_KEY = re.compile(r"pass|secret|token|key|credential|otp|private", re.IGNORECASE)
_MAX_LOGGED = 4096  # characters of params kept per line; hostile 1 MiB params stay out


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


def loggable_params(params: BaseModel | None, raw: Any) -> Any:
    """What the audit line shows of a call's params.

    Validated models dump in JSON mode, where SecretStr fields render masked; the same
    key-based masking as for raw params is applied on top, belt and braces.
    """
    value = params.model_dump(mode="json") if params is not None else raw
    value = redact_raw(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > _MAX_LOGGED:
        return {"truncated": True, "size": len(text)}
    return value


class AuditLog:
    """Appends records to ``<dir>/audit.jsonl`` (0640, root)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o750)
        self.path = directory / "audit.jsonl"
        self._fh: IO[str] | None = None
        self._open()

    def _open(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
        self._fh = os.fdopen(fd, "a", encoding="utf-8", buffering=1)

    def reopen(self) -> None:
        """After log rotation (SIGHUP)."""
        self.close()
        self._open()

    def record(self, entry: dict[str, Any]) -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **entry}
        if self._fh is not None:
            self._fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
