"""Facts about the machine for ``system.info``, read from /proc and os-release."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from supercp.protocol.system import DiskInfo, MemoryInfo, OsInfo

# Filesystems worth showing; pseudo filesystems (proc, tmpfs, cgroup, …) are not.
_REAL_FS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "overlay", "vfat"})


def os_release(root: Path) -> OsInfo:
    fields: dict[str, str] = {}
    for candidate in ("etc/os-release", "usr/lib/os-release"):
        try:
            text = (root / candidate).read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        for line in text.splitlines():
            key, sep, value = line.partition("=")
            if sep:
                fields[key.strip()] = value.strip().strip('"')
        break
    return OsInfo(
        id=fields.get("ID", "unknown"),
        version_id=fields.get("VERSION_ID", ""),
        pretty_name=fields.get("PRETTY_NAME", "unknown"),
    )


def hostname() -> str:
    return socket.gethostname()


def kernel() -> str:
    return os.uname().release


def uptime_seconds() -> float:
    with open("/proc/uptime", encoding="ascii") as fh:
        return float(fh.read().split()[0])


def load() -> tuple[float, float, float]:
    return os.getloadavg()


def memory() -> MemoryInfo:
    values: dict[str, int] = {}
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                values[key] = int(parts[0]) * 1024
    return MemoryInfo(
        total=values.get("MemTotal", 0),
        available=values.get("MemAvailable", values.get("MemFree", 0)),
        swap_total=values.get("SwapTotal", 0),
        swap_free=values.get("SwapFree", 0),
    )


def disks() -> list[DiskInfo]:
    """Usage of each real filesystem, once per device."""
    seen: set[int] = set()
    result: list[DiskInfo] = []
    with open("/proc/self/mounts", encoding="utf-8", errors="replace") as fh:
        mounts = [line.split() for line in fh]
    for fields in mounts:
        if len(fields) < 3 or fields[2] not in _REAL_FS:
            continue
        # /proc/mounts escapes spaces and the like as octal sequences.
        mount = fields[1].encode().decode("unicode_escape")
        try:
            st = os.stat(mount)
            vfs = os.statvfs(mount)
        except OSError:
            continue
        if st.st_dev in seen:
            continue
        seen.add(st.st_dev)
        total = vfs.f_blocks * vfs.f_frsize
        free = vfs.f_bavail * vfs.f_frsize
        used = (vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize
        result.append(DiskInfo(mount=mount, total=total, used=used, free=free))
    return result
