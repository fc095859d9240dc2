"""Start, reload and restart the services setup configures, through systemd or ``service``."""

from __future__ import annotations

from pathlib import Path

from supercp.daemon.system.runner import Runner, command_failure
from supercp.daemon.system.services import systemd_runs
from supercp.protocol.errors import SystemFailure


class InitSystem:
    """The machine's init system, as setup drives it (units were installed by install.sh)."""

    def __init__(self, root: Path, runner: Runner) -> None:
        self.runner = runner
        self.systemd = systemd_runs(root)

    def _argv(self, unit: str, verb: str) -> list[str]:
        return ["systemctl", verb, unit] if self.systemd else ["service", unit, verb]

    async def running(self, unit: str) -> bool:
        verb = "is-active" if self.systemd else "status"
        done = await self.runner.run(self._argv(unit, verb), check=False)
        return done.returncode == 0

    async def act(self, unit: str, verb: str) -> None:
        """``verb`` (start, reload, restart) the unit; fail with what it said."""
        done = await self.runner.run(self._argv(unit, verb), check=False)
        if done.returncode != 0:
            raise command_failure(done, f"{verb} of {unit}")

    async def ensure_running(self, unit: str) -> bool:
        """Enable (systemd) and start the unit unless it runs; True when it was started."""
        if self.systemd:
            await self.runner.run(["systemctl", "enable", "--quiet", unit])
        if await self.running(unit):
            return False
        await self.act(unit, "start")
        if not await self.running(unit):
            raise SystemFailure(f"{unit} did not start")
        return True

    async def reload_running(self, units: list[str], verb: str = "reload") -> None:
        """Reload (or restart) each of ``units`` that runs; one that does not will read its
        files when it starts."""
        for unit in units:
            if await self.running(unit):
                await self.act(unit, verb)

    async def daemon_reload(self) -> None:
        """Make systemd read changed unit files and drop-ins (nothing to do without it)."""
        if self.systemd:
            await self.runner.run(["systemctl", "daemon-reload"])
