"""What setup knows about the machine: the OS's paths, its users, and where setup reports.

The paths that differ between operating systems are ``deploy/os.sh``'s, the one file that
knows releases apart; install.sh exports them (``OS_*``) to ``super-daemon setup``. The
daemon's own paths (its state, nginx's include of the sites, PHP-FPM's directories) come
from its config and layouts, as at run time. Every path is taken under ``config.root``, so
tests run setup against a temporary directory.
"""

from __future__ import annotations

import grp
import pwd
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Protocol

from supercp.daemon.config import DaemonConfig
from supercp.daemon.setup.apply import SetupFailed
from supercp.daemon.setup.init import InitSystem
from supercp.daemon.system.runner import Runner

# Our directory in /etc (daemon.toml's, and the panel's files and the secrets beside it).
ETC_DIR = "/etc/supercp"


@dataclass(frozen=True, slots=True)
class OsPaths:
    """The OS-specific paths and names setup needs, from deploy/os.sh (absolute, as on the
    system: templates name them as they are; files go under the root prefix)."""

    nginx_conf_d: Path
    # Debian's default site: the link sites-enabled/default -> sites-available/default.
    nginx_default_site: Path
    nginx_default_site_target: Path
    # Read by nginx's init script (its ULIMIT), where PID 1 is not systemd.
    nginx_defaults: Path
    mariadb_conf_d: Path
    mariadb_socket: Path
    pdns_dir: Path
    pdns_schema: Path
    pdns_user: str
    logrotate_d: Path
    systemd_unit_dir: Path
    resolv_conf: Path

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> OsPaths:
        """Read ``OS_<FIELD>`` for every field; a missing one means os.sh did not run."""
        values: dict[str, object] = {}
        for f in fields(cls):
            key = f"OS_{f.name.upper()}"
            value = env.get(key, "")
            if not value:
                raise SetupFailed(f"{key} is not set: run setup through install.sh (deploy/os.sh)")
            values[f.name] = value if f.type == "str" else Path(value)
        return cls(**values)  # type: ignore[arg-type]


class Ids(Protocol):
    """Numeric ids of users and groups by name."""

    def user(self, name: str) -> int: ...

    def group(self, name: str) -> int: ...


class SystemIds:
    """The machine's own users and groups."""

    def user(self, name: str) -> int:
        try:
            return pwd.getpwnam(name).pw_uid
        except KeyError:
            raise SetupFailed(f"user {name} does not exist (install.sh creates it)") from None

    def group(self, name: str) -> int:
        try:
            return grp.getgrnam(name).gr_gid
        except KeyError:
            raise SetupFailed(f"group {name} does not exist") from None


@dataclass(frozen=True)
class Machine:
    """Everything a setup step reads or drives."""

    config: DaemonConfig
    os: OsPaths
    runner: Runner
    ids: Ids
    # Where progress lines go (install.sh shows them as they come).
    say: Callable[[str], None]

    @property
    def init(self) -> InitSystem:
        return InitSystem(self.config.root, self.runner)

    def path(self, path: str | Path) -> Path:
        """A system path under the root prefix."""
        return self.config.host_path(path)

    @property
    def etc(self) -> Path:
        return self.path(ETC_DIR)

    @property
    def secrets(self) -> Path:
        """Root's alone (0700): the generated passwords."""
        return self.etc / "secrets"

    @property
    def panel_etc(self) -> Path:
        """What the panel's user may read (root:supercp 0750, files 0640)."""
        return self.etc / "panel"

    @property
    def state_dir(self) -> Path:
        return self.path(self.config.state_dir)

    @property
    def rebuild_stamp(self) -> Path:
        """install.sh re-applies every site (super-cli rebuild) while this file is missing or
        names other code."""
        return self.state_dir / "sites-rebuilt.sha256"

    def note(self, text: str) -> None:
        self.say(f"    {text}")

    def step(self, text: str) -> None:
        self.say(f"==> {text}")


def template(name: str, **values: str) -> bytes:
    """One of setup's templates, with ``@KEY@`` replaced by ``values[key]``."""
    text = resources.files("supercp.daemon.setup").joinpath("templates", name).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key.upper()}@", value)
    leftover = re.search(r"@[A-Z_]+@", text)
    if leftover:
        raise ValueError(f"template {name} left {leftover.group()} unfilled")
    return text.encode()
