"""The order of setup's steps, and its command line (``super-daemon setup``)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from supercp.daemon.config import DaemonConfig
from supercp.daemon.setup.apply import SetupFailed
from supercp.daemon.setup.machine import Machine, OsPaths, SystemIds
from supercp.daemon.setup.mariadb import setup_mariadb
from supercp.daemon.setup.panel import our_directories, setup_panel
from supercp.daemon.setup.pdns import setup_pdns
from supercp.daemon.setup.web import setup_web
from supercp.daemon.system.runner import SystemRunner
from supercp.protocol.errors import SuperCPError


async def converge_all(m: Machine, certificate: Path, key: Path) -> None:
    """Every step, in order: MariaDB before what reads from it."""
    our_directories(m)
    await setup_web(m)
    await setup_mariadb(m)
    await setup_pdns(m)
    await setup_panel(m, certificate, key)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--panel-certificate", type=Path, required=True, help="panel.toml's tls_certificate"
    )
    parser.add_argument("--panel-key", type=Path, required=True, help="panel.toml's tls_key")


def _say(line: str) -> None:
    print(line, flush=True)


def main(config: DaemonConfig, args: argparse.Namespace) -> int:
    """Run setup on this machine (as root); 1 with the reason when a step fails."""
    try:
        machine = Machine(
            config,
            OsPaths.from_environ(os.environ),
            SystemRunner(config.command_timeout),
            SystemIds(),
            _say,
        )
        asyncio.run(converge_all(machine, args.panel_certificate, args.panel_key))
    except (SetupFailed, SuperCPError, OSError) as err:
        print(f"super-daemon setup: {err}", file=sys.stderr)
        return 1
    return 0
