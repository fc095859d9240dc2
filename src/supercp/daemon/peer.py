"""Who is calling: SO_PEERCRED of the connection, resolved to a role."""

from __future__ import annotations

import os
import pwd
import socket
import struct
from dataclasses import dataclass

from supercp.daemon.roles import Role

_UCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid


@dataclass(frozen=True, slots=True)
class Peer:
    """The kernel's word on the connecting process, taken when it connected."""

    pid: int
    uid: int
    gid: int
    role: Role | None


def peer_credentials(sock: socket.socket) -> tuple[int, int, int]:
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size)
    pid, uid, gid = _UCRED.unpack(raw)
    return pid, uid, gid


class RoleResolver:
    """Maps uids to roles: root is uid 0; the panel is the configured service user."""

    def __init__(self, panel_user: str) -> None:
        self.panel_user = panel_user
        self._panel_uid: int | None = None
        self._stamp = -1.0

    def panel_uid(self) -> int | None:
        # Re-read only when /etc/passwd changed, so the installer may create the user later.
        try:
            stamp = os.stat("/etc/passwd").st_mtime
        except OSError:
            stamp = 0.0
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._panel_uid = pwd.getpwnam(self.panel_user).pw_uid
            except KeyError:
                self._panel_uid = None
        return self._panel_uid

    def role(self, uid: int) -> Role | None:
        if uid == 0:
            return "root"
        panel = self.panel_uid()
        if panel is not None and uid == panel and panel != 0:
            return "panel"
        return None

    def peer(self, sock: socket.socket) -> Peer:
        pid, uid, gid = peer_credentials(sock)
        return Peer(pid=pid, uid=uid, gid=gid, role=self.role(uid))
