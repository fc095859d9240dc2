"""Entry point of ``super-daemon``: load config, build dependencies, serve until SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from supercp import __version__
from supercp.daemon import modules
from supercp.daemon.audit import AuditLog
from supercp.daemon.config import DEFAULT_CONFIG_PATH, DaemonConfig, load_config
from supercp.daemon.context import Deps
from supercp.daemon.dispatch import Dispatcher
from supercp.daemon.handlers import NAMESPACES
from supercp.daemon.notify import sd_notify
from supercp.daemon.peer import RoleResolver
from supercp.daemon.server import DaemonServer
from supercp.daemon.setup import __doc__ as setup_doc
from supercp.daemon.setup import run as setup_run
from supercp.daemon.system.runner import SystemRunner

log = logging.getLogger("supercp.daemon")


def build_deps(config: DaemonConfig) -> Deps:
    return modules.build_deps(config, SystemRunner(config.command_timeout), NAMESPACES)


async def serve(config: DaemonConfig) -> None:
    audit = AuditLog(config.audit_dir)
    deps = build_deps(config)
    server = DaemonServer(
        config.socket,
        Dispatcher(deps, audit),
        RoleResolver(config.panel_user),
        socket_group=config.socket_group,
        max_inflight=config.max_inflight_per_connection,
        line_timeout=config.line_timeout,
    )
    await server.start()
    # In the background, so the socket is up at once (the sites' shard masters that should
    # run but do not, say: their reloads wait for their starts).
    started = modules.start(deps)
    trimmer = asyncio.create_task(server.trimmer.run())
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGHUP, audit.reopen)
    log.info("super-daemon %s listening on %s", __version__, config.socket)
    sd_notify(f"READY=1\nSTATUS=listening on {config.socket}\nMAINPID={os.getpid()}")
    await stop.wait()
    log.info("stopping: finishing in-flight calls")
    sd_notify("STOPPING=1")
    await server.stop(config.shutdown_grace)
    trimmer.cancel()
    await modules.stop(deps, started, config.shutdown_grace)
    audit.close()
    log.info("stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="super-daemon", description=__doc__)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH)
    parser.add_argument("--socket", type=Path, help="override the socket path of the config")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"])
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="setup")
    setup = commands.add_parser(
        "setup", help="configure the system services (install.sh runs it)", description=setup_doc
    )
    setup_run.add_arguments(setup)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if os.geteuid() != 0:
        log.error("super-daemon must run as root")
        return 1
    if args.command == "setup":
        try:
            config = load_config(args.config)
        except (OSError, ValueError) as err:
            log.error("cannot read %s: %s", args.config, err)
            return 1
        return setup_run.main(config, args)
    try:
        config = load_config(args.config)
        if args.socket is not None:
            config = config.model_copy(update={"socket": args.socket})
        asyncio.run(serve(config))
    except (OSError, RuntimeError, ValueError, KeyError) as err:
        log.error("cannot start: %s", err)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
