"""Namespaces as registrations: each is complete, listed once, and its hooks run in order."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from pathlib import Path

import pytest

from supercp.daemon import handlers, modules
from supercp.daemon.config import DaemonConfig, load_config
from supercp.daemon.context import Deps, Slot
from supercp.daemon.handlers import NAMESPACES, dns, web
from supercp.daemon.main import build_deps as daemon_deps
from supercp.daemon.modules import Module, build_deps
from supercp.daemon.system.runner import Runner, SystemRunner
from supercp.daemon.web.manager import WebManager
from supercp.protocol.accounts import ENSURE, REMOVE, EnsureParams, RemoveParams
from supercp.protocol.client import DaemonClient
from tests.conftest import make_root, write_config
from tests.daemon.threaded import ThreadDaemon


def handler_modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(handlers.__path__)]


def test_every_handler_module_is_one_namespace_in_the_list():
    listed = [m.name for m in NAMESPACES]
    assert sorted(handler_modules()) == sorted(listed)
    for name in handler_modules():
        module = importlib.import_module(f"supercp.daemon.handlers.{name}")
        assert module.MODULE in NAMESPACES
        assert module.MODULE.name == name
        assert module.MODULE.methods is module.METHODS
        assert module.METHODS, f"namespace {name} serves no method"


def test_each_namespace_with_a_state_names_its_builder():
    for module in NAMESPACES:
        if module.state is not None:
            assert module.state.name == module.name
            assert callable(module.state.build)


def test_a_method_outside_its_namespace_is_refused():
    with pytest.raises(ValueError, match=r"web\.site\.apply is not in namespace dns"):
        Module("dns", web.METHODS)


def test_a_state_in_another_namespace_s_slot_is_refused():
    with pytest.raises(ValueError, match="keeps its state in slot web"):
        Module("dns", dns.METHODS, web.STATE)


def test_a_namespace_listed_twice_is_refused(tmp_path):
    config = DaemonConfig(root=tmp_path)
    with pytest.raises(ValueError, match="registered twice"):
        build_deps(config, SystemRunner(1.0), [*NAMESPACES, dns.MODULE])


def test_a_method_registered_twice_is_refused(tmp_path):
    config = DaemonConfig(root=tmp_path)
    twice = Module("dns", [*dns.METHODS, dns.METHODS[0]], dns.STATE)
    listed = [twice if m is dns.MODULE else m for m in NAMESPACES]
    with pytest.raises(ValueError, match=r"method dns\.zone\.refresh registered twice"):
        build_deps(config, SystemRunner(1.0), listed)


def test_each_state_is_built_once_and_read_back_with_its_type(world_dir):
    deps = daemon_deps(load_config(write_config(world_dir, make_root(world_dir))))
    assert isinstance(deps.get(web.STATE), WebManager)
    assert deps.get(web.STATE) is deps.get(web.STATE)
    assert set(deps.states) == {m.name for m in NAMESPACES if m.state is not None}
    assert {m.name for m in deps.registry} == {m.name for ns in NAMESPACES for m in ns.methods}
    deps.get(web.STATE).close()


class Journal:
    """Records what each fake namespace's hooks saw, in the order they ran."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def module(self, name: str) -> Module:
        async def start(deps: Deps) -> None:
            await asyncio.sleep(0.01)
            self.lines.append(f"{name} started with {deps.get(slot)}")

        async def stop(deps: Deps, grace: float) -> None:
            self.lines.append(f"{name} stopped within {grace}")

        async def on_account_remove(deps: Deps, account: str) -> None:
            self.lines.append(f"{name} let go of {account}")

        def build(config: DaemonConfig, runner: Runner) -> str:
            return f"{name}'s state"

        slot = Slot(name, build)
        return Module(name, [], slot, start, stop, on_account_remove)


def test_hooks_run_in_registration_order_and_stops_in_reverse(tmp_path):
    journal = Journal()
    deps = build_deps(
        DaemonConfig(root=tmp_path),
        SystemRunner(1.0),
        [journal.module("first"), Module("quiet", []), journal.module("second")],
    )

    async def life() -> None:
        started = modules.start(deps)
        await modules.remove_account(deps, "alice")
        await modules.stop(deps, started, 2.5)

    asyncio.run(life())
    assert journal.lines == [
        "first let go of alice",
        "second let go of alice",
        "first started with first's state",
        "second started with second's state",
        "second stopped within 2.5",
        "first stopped within 2.5",
    ]


class RecordingWeb:
    """Stands in for the web namespace's state: when were the account's sites taken off?"""

    def __init__(self, passwd: Path) -> None:
        self.passwd = passwd
        self.calls: list[tuple[str, bool]] = []

    async def remove_account(self, account: str) -> list[str]:
        still_there = any(
            line.startswith(f"{account}:") for line in self.passwd.read_text().split("\n")
        )
        self.calls.append((account, still_there))
        return []


def test_removing_an_account_takes_its_sites_off_in_one_call_before_the_user_goes(world_dir):
    recording = RecordingWeb(world_dir / "root/etc/passwd")
    d = ThreadDaemon(world_dir, web=recording)
    d.start()
    try:
        with DaemonClient(d.socket) as c:
            c.invoke(ENSURE, EnsureParams(name="alice"))
            assert c.invoke(REMOVE, RemoveParams(name="alice")).removed
    finally:
        d.stop()
    assert recording.calls == [("alice", True)]
    assert not any(line.startswith("alice:") for line in recording.passwd.read_text().split("\n"))
