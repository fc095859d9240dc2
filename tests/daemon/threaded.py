"""The real server and dispatcher in a thread of the test process, over a real socket.

Unlike ``test_daemon`` (a daemon process), the test can swap dependencies (a recording
runner, say) and register methods of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from supercp.daemon.audit import AuditLog
from supercp.daemon.config import load_config
from supercp.daemon.dispatch import Dispatcher
from supercp.daemon.handlers import all_methods
from supercp.daemon.main import build_deps
from supercp.daemon.peer import RoleResolver
from supercp.daemon.registry import Method, Registry
from supercp.daemon.server import DaemonServer
from tests.conftest import make_root, wait_for_socket, write_config


class ThreadDaemon:
    """``extra`` methods join the registry; ``deps`` replace namespaces' states by name."""

    def __init__(self, base: Path, extra: Sequence[Method[Any, Any]] = (), **deps: Any) -> None:
        self.root = make_root(base)
        config = load_config(write_config(base, self.root))
        built = build_deps(config)
        registry = Registry([*all_methods(), *extra])
        self.deps = dataclasses.replace(built, registry=registry, states={**built.states, **deps})
        self.audit = AuditLog(config.audit_dir)
        self.server = DaemonServer(
            config.socket,
            Dispatcher(self.deps, self.audit),
            RoleResolver(config.panel_user),
            socket_group=config.socket_group,
        )
        self.socket = config.socket
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        wait_for_socket(self.socket)

    def stop(self, grace: float = 10.0) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(grace), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
        self.audit.close()
