"""Line framing: one JSON text per line, UTF-8, terminated by a single ``\\n``.

Both directions use the same framing. A JSON text never contains a raw newline (JSON
escapes control characters inside strings, and the encoder below emits no
insignificant whitespace), so the newline is an unambiguous delimiter. A line longer
than ``MAX_MESSAGE`` bytes (newline excluded) is refused; see docs/protocol.md.
"""

from __future__ import annotations

from typing import Any

import orjson

MAX_MESSAGE = 1024 * 1024  # 1 MiB, newline excluded
DELIMITER = b"\n"


def encode(message: Any) -> bytes:
    """Serialize one message as a framed line (compact UTF-8; NaN and infinities as null)."""
    return orjson.dumps(message) + DELIMITER


class LineSplitter:
    """Incremental splitter: feed bytes, get complete lines; tracks an over-long line."""

    __slots__ = ("_buffer", "limit")

    def __init__(self, limit: int = MAX_MESSAGE) -> None:
        self._buffer = bytearray()
        self.limit = limit

    def feed(self, data: bytes) -> list[bytes]:
        """Return the complete lines in ``data`` (without their newline).

        Raises ``OverflowError`` once a line exceeds the limit; the caller closes the
        connection, since the peer's idea of message boundaries can no longer be trusted.
        """
        self._buffer += data
        lines: list[bytes] = []
        start = 0
        buf = self._buffer
        while True:
            end = buf.find(DELIMITER, start)
            if end < 0:
                break
            if end - start > self.limit:
                raise OverflowError("message larger than the limit")
            lines.append(bytes(buf[start:end]))
            start = end + 1
        if start:
            del buf[:start]
        if len(buf) > self.limit:
            raise OverflowError("message larger than the limit")
        return lines

    @property
    def pending(self) -> bool:
        """True while a partial line is buffered."""
        return bool(self._buffer)
