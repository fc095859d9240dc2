"""The panel's modules, each registered here once: INSTALLED_APPS, the API's routers, the
pages' URLs, the WebSocket routes, the navigation, the panel.toml keys and the hooks all
come from ``MODULES``.

Everything a module names is a dotted path, imported only when it is needed: the settings
read this list before Django is set up, and panel.toml is checked (install.sh, super-panel)
without importing a single model.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

# core.models.Role's values; the models cannot be imported here (see the module's doc).
ALL = ("admin", "reseller", "customer")
ADMIN = ("admin",)
T = TypeVar("T")


@dataclass(frozen=True)
class NavItem:
    """A link of the main navigation, shown to ``roles`` (the pages refuse the others
    anyway), placed by ``order`` among the links of every module."""

    label: str
    href: str
    roles: tuple[str, ...]
    order: int


@dataclass(frozen=True)
class Api:
    """A module's REST endpoints: a ninja Router mounted at /api/v1<prefix>."""

    prefix: str
    router: str


@dataclass(frozen=True)
class Socket:
    """A WebSocket route (a Django URL pattern) and its channels consumer."""

    path: str
    consumer: str


class ModuleConfig(BaseModel):
    """A module's keys in panel.toml, and the Django settings they make; a path among them
    must be absolute."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def django_settings(self) -> dict[str, object]:
        """The settings (SUPERCP_*) these keys set; base.py has them from the defaults."""
        return {}

    @model_validator(mode="after")
    def _absolute_paths(self) -> ModuleConfig:
        for name, value in self:
            if isinstance(value, Path) and not value.is_absolute():
                raise ValueError(f"{name} must be an absolute path")
        return self


@dataclass(frozen=True)
class Module:
    """One Django app of the panel and what it adds to the rest."""

    # The app's package, as INSTALLED_APPS names it.
    app: str
    api: Api | None = None
    # Its pages' urls.py, included at the root.
    urls: str | None = None
    nav: tuple[NavItem, ...] = ()
    sockets: tuple[Socket, ...] = ()
    # Its panel.toml keys: a ModuleConfig (see docs/panel.md, "Settings").
    config: str | None = None
    # Hook point → what the module registers there, as a dotted path; the app that owns the
    # point says what it must be (accounts/hooks.py "accounts", dns/ownership.py "names").
    hooks: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def label(self) -> str:
        """The app's label (its package's last name)."""
        return self.app.rsplit(".", 1)[-1]


MODULES: tuple[Module, ...] = (
    Module(
        "supercp.web.core",
        api=Api("/tokens", "supercp.web.core.api.router"),
        urls="supercp.web.core.urls",
        nav=(
            NavItem("Dashboard", "/", ALL, 0),
            # Resellers are logins (core.User), not accounts.
            NavItem("Resellers", "/resellers", ADMIN, 800),
            NavItem("API tokens", "/tokens", ALL, 900),
            NavItem("Audit log", "/audit", ADMIN, 910),
            NavItem("Security", "/profile", ALL, 990),
        ),
        sockets=(Socket("ws/dashboard", "supercp.web.core.live.DashboardConsumer"),),
    ),
    # Limits of accounts (and resellers' totals) that the other modules claim against.
    Module(
        "supercp.web.plans",
        api=Api("/plans", "supercp.web.plans.api.router"),
        urls="supercp.web.plans.urls",
        nav=(NavItem("Plans", "/plans", ("admin", "reseller"), 150),),
    ),
    Module(
        "supercp.web.accounts",
        api=Api("/accounts", "supercp.web.accounts.api.router"),
        urls="supercp.web.accounts.urls",
        nav=(NavItem("Hosting accounts", "/accounts", ALL, 100),),
    ),
    # Its pages are reached from the action that started a job, not from the navigation.
    Module(
        "supercp.web.jobs",
        urls="supercp.web.jobs.urls",
        sockets=(Socket("ws/jobs/<uuid:job_id>", "supercp.web.jobs.live.JobConsumer"),),
    ),
    Module(
        "supercp.web.sites",
        api=Api("/sites", "supercp.web.sites.api.router"),
        urls="supercp.web.sites.urls",
        nav=(NavItem("Sites", "/sites", ALL, 200),),
        config="supercp.web.sites.config.SitesConfig",
        hooks=MappingProxyType(
            {
                "accounts": "supercp.web.sites.bulk.ACCOUNT_HOOKS",
                "names": "supercp.web.sites.ownership.NAMES",
                "plans": "supercp.web.sites.bulk.PLAN_USAGE",
            }
        ),
    ),
    Module(
        "supercp.web.dns",
        api=Api("/dns", "supercp.web.dns.api.router"),
        urls="supercp.web.dns.urls",
        nav=(NavItem("DNS", "/dns", ALL, 300),),
        config="supercp.web.dns.config.DnsConfig",
        hooks=MappingProxyType(
            {
                "accounts": "supercp.web.dns.services.ACCOUNT_HOOKS",
                "plans": "supercp.web.dns.services.PLAN_USAGE",
            }
        ),
    ),
)


def load(dotted: str, kind: type[T]) -> T:
    """What ``package.module.name`` names, importing its module; it must be a ``kind``."""
    module, _, name = dotted.rpartition(".")
    found = getattr(importlib.import_module(module), name)
    if not isinstance(found, kind):
        raise TypeError(f"{dotted} is a {type(found).__name__}, not a {kind.__name__}")
    return found


def hooks(point: str, kind: type[T]) -> list[T]:
    """What the modules registered at ``point``, in the order of MODULES."""
    return [load(m.hooks[point], kind) for m in MODULES if point in m.hooks]


def nav_for(role: str) -> list[NavItem]:
    """The navigation of a user of ``role``, in order."""
    items = [item for m in MODULES for item in m.nav if role in item.roles]
    return sorted(items, key=lambda item: item.order)
