"""The daemon's own configuration, read from a root-owned TOML file (never from callers)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_CONFIG_PATH = Path("/etc/supercp/daemon.toml")
# Pools per PHP-FPM master of ours (a shard): a reload re-reads every pool of its master at
# about 0.65 ms each, so 500 keep it near 0.3 s at any number of sites (docs/daemon.md).
PHP_FPM_SHARD_SIZE = 500

_Name = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_-]{0,31}$")]
_AbsPath = Annotated[Path, Field()]


class DaemonConfig(BaseModel):
    """Settings of super-daemon; every path the daemon touches derives from these."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    socket: _AbsPath = Path("/run/super-daemon.sock")
    # Group that owns the socket (mode 0660); it holds only the panel's service user.
    socket_group: _Name = "supercp-daemon"
    # The panel's unprivileged service user: the only non-root caller the daemon serves.
    panel_user: _Name = "supercp"
    audit_dir: _AbsPath = Path("/var/log/supercp")
    state_dir: _AbsPath = Path("/var/lib/supercp")
    # Hosting accounts: Linux users the daemon creates inside this uid range only.
    uid_min: int = Field(default=20000, ge=1000, le=2**31 - 2)
    uid_max: int = Field(default=59999, ge=1000, le=2**31 - 2)
    users_group: _Name = "supercp-users"
    home_root: _AbsPath = Path("/home")
    # Prefix for every system file the daemon reads or writes ("/" in production); tests
    # point it at a temporary directory so appliers can run without touching the host.
    root: _AbsPath = Path("/")
    # Upper bound for any one program the daemon runs.
    command_timeout: float = Field(default=120.0, gt=0, le=3600)
    # A partial line must be completed within this many seconds or the connection is closed.
    line_timeout: float = Field(default=30.0, gt=0, le=3600)
    # Requests one connection may have in flight before the daemon stops reading from it.
    max_inflight_per_connection: int = Field(default=64, ge=1, le=4096)
    # Seconds SIGTERM waits for in-flight calls before the daemon exits anyway.
    shutdown_grace: float = Field(default=60.0, gt=0, le=3600)
    # A new site's pool goes to the shard with the fewest pools; a new shard once every
    # shard of its PHP version holds this many. Tests set it small.
    php_fpm_shard_size: int = Field(default=PHP_FPM_SHARD_SIZE, ge=1, le=100000)

    @model_validator(mode="after")
    def _check(self) -> DaemonConfig:
        for name in ("socket", "audit_dir", "state_dir", "home_root", "root"):
            if not getattr(self, name).is_absolute():
                raise ValueError(f"{name} must be an absolute path")
        if self.uid_min > self.uid_max:
            raise ValueError("uid_min must not exceed uid_max")
        return self

    def host_path(self, path: str | Path) -> Path:
        """Map an absolute system path into the configured root prefix."""
        p = Path(path)
        if not p.is_absolute():
            raise ValueError(f"not an absolute path: {p}")
        return self.root / p.relative_to("/")


def load_config(path: Path = DEFAULT_CONFIG_PATH) -> DaemonConfig:
    """Read the config file; a missing file means all defaults."""
    if not path.exists():
        return DaemonConfig()
    with path.open("rb") as fh:
        return DaemonConfig.model_validate(tomllib.load(fh))
