"""A JSON-RPC client for tests, written from the specification alone (no project code)."""

from __future__ import annotations

import json
import pwd
import select
import socket
import subprocess
import sys
import time
from typing import Any


class RawClient:
    """Line-framed JSON over a Unix socket, with helpers to send anything at all."""

    def __init__(self, path: str, timeout: float = 10.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer = b""
        self.timeout = timeout

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_json(self, obj: Any) -> None:
        self.send(json.dumps(obj).encode() + b"\n")

    def recv_line(self, timeout: float | None = None) -> bytes:
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no complete line")
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                continue
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def recv(self, timeout: float | None = None) -> Any:
        return json.loads(self.recv_line(timeout))

    def call(self, obj: Any) -> Any:
        self.send_json(obj)
        return self.recv()

    def expect_silence(self, wait: float = 0.3) -> None:
        """Assert that nothing arrives (notifications get no response, ever)."""
        ready, _, _ = select.select([self.sock], [], [], wait)
        assert not ready, "the server answered"
        assert b"\n" not in self.buffer, "the server answered"

    def closed_by_server(self, wait: float = 5.0) -> bool:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.sock], [], [], deadline - time.monotonic())
            if ready:
                try:
                    chunk = self.sock.recv(65536)
                except ConnectionResetError:
                    return True
                if not chunk:
                    return True
                self.buffer += chunk
        return False


def request(method: str, params: Any = None, rid: Any = 1) -> dict[str, Any]:
    msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": rid}
    if params is not None:
        msg["params"] = params
    return msg


def notification(method: str, params: Any = None) -> dict[str, Any]:
    msg = request(method, params)
    del msg["id"]
    return msg


# Runs as another uid, so it may use nothing but the standard library.
_CLIENT_AS = r"""
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as err:
    print(json.dumps({"connect_error": err.errno}))
    sys.exit(0)
s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile("rb").readline().decode().strip())
"""


def call_as(user: str, groups: list[int], socket_path: object, message: Any) -> Any:
    """Send one message as ``user`` with exactly the supplementary ``groups``; the reply, or
    ``{"connect_error": errno}`` when the socket's permissions keep that user out."""
    pw = pwd.getpwnam(user)
    done = subprocess.run(
        [sys.executable, "-I", "-c", _CLIENT_AS, str(socket_path), json.dumps(message)],
        user=pw.pw_uid,
        group=pw.pw_gid,
        extra_groups=groups,
        capture_output=True,
        timeout=30,
        check=True,
        cwd="/",
    )
    return json.loads(done.stdout)
