"""web/modules.py: every app is registered whole, once, and the apps import one another
only as the allow-list says."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve
from ninja import Router

from supercp.web import modules
from supercp.web.accounts.hooks import AccountHooks
from supercp.web.config import panel
from supercp.web.core.models import Role
from supercp.web.dns.ownership import NameHolder
from supercp.web.modules import MODULES, Module, ModuleConfig, load
from supercp.web.plans.usage import Usage

WEB = Path(modules.__file__).parent
BY_LABEL = {m.label: m for m in MODULES}
# The hook points, each owned by one app, and what a module registers there.
POINTS = {"accounts": AccountHooks, "names": NameHolder, "plans": Usage}
# Apps with pages and no navigation link, and why.
NO_NAV = {"jobs": "a job's page is reached from the action that started the job"}

# Which app may import which modules of another app. core (the frame every app builds on)
# and modules.py are everyone's; anything else goes through a hook (modules.py) instead.
# A domain app's rows belong to hosting accounts, and it registers the accounts' hooks.
DOMAIN_APP: dict[str, set[str]] = {
    "accounts": {"models", "hooks"},
    # The limits they claim against, the counters they register, the plan they read.
    "plans": {"services", "limits", "usage", "models"},
}
# Apps that need more, or less, than a domain app.
ALLOWED: dict[str, dict[str, set[str]]] = {
    # The dashboard counts the accounts, and shows a customer its plan's usage.
    "core": {"accounts": {"services"}, "plans": {"services"}},
    # Deleting an account is a background job; every account has a plan, chosen and
    # checked by the plans' services (which import of accounts only its models).
    "accounts": {"jobs": {"services", "models"}, "plans": {"services", "limits"}},
    # Plans count what the modules register under its "plans" hook point. Its form's PHP
    # checkboxes are the installed versions, which sites' services ask the daemon for.
    "plans": {"accounts": {"models"}, "sites": {"services"}},
    "jobs": {},
    # A site makes its zone and claims its names through DNS's services, never its models.
    "sites": {**DOMAIN_APP, "dns": {"services", "ownership"}},
}


def _app_dirs() -> set[str]:
    return {p.parent.name for p in WEB.glob("*/apps.py")} | {
        p.parent.name for p in WEB.glob("*/models.py")
    }


def _imports(path: Path) -> set[tuple[str, str]]:
    """The (app, module) pairs of supercp.web that the file imports, anywhere in it."""
    found: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # from supercp.web.sites import names: the module names, or names of the package.
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["supercp", "web"] and len(parts) > 2:
                found.add((parts[2], parts[3] if len(parts) > 3 else ""))
    return found


def _forbidden(label: str) -> list[str]:
    allowed = ALLOWED.get(label, DOMAIN_APP)
    apps = _app_dirs()
    shared = {"core", "modules", label}
    wrong = []
    for path in sorted((WEB / label).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for app, module in sorted(_imports(path)):
            # Only other apps count (config, transport and the like are no app).
            if app not in apps or app in shared or module in allowed.get(app, set()):
                continue
            wrong.append(f"{path.relative_to(WEB)} imports supercp.web.{app}.{module}")
    return wrong


@pytest.mark.parametrize("label", [m.label for m in MODULES])
def test_an_app_imports_of_other_apps_only_what_the_allow_list_names(label):
    assert _forbidden(label) == []


def test_a_forbidden_cross_app_import_is_found(monkeypatch, tmp_path):
    (tmp_path / "dns").mkdir()
    (tmp_path / "dns" / "rogue.py").write_text(
        "def f():\n    from supercp.web.sites.models import SiteHost\n"
    )
    for app in ("dns", "sites"):
        (tmp_path / app).mkdir(exist_ok=True)
        (tmp_path / app / "apps.py").touch()
    monkeypatch.setattr(f"{__name__}.WEB", tmp_path)
    assert _forbidden("dns") == ["dns/rogue.py imports supercp.web.sites.models"]


def test_every_app_is_in_modules():
    assert {m.label for m in MODULES} == _app_dirs()
    assert set(ALLOWED) <= _app_dirs()
    assert settings.INSTALLED_APPS[-len(MODULES) :] == [m.app for m in MODULES]
    assert all(m.app == f"supercp.web.{m.label}" for m in MODULES)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.label)
def test_a_module_registers_what_its_package_has(module: Module):
    package = WEB / module.label
    assert (module.api is not None) == (package / "api.py").exists()
    assert (module.urls is not None) == (package / "urls.py").exists()
    assert (module.config is not None) == (package / "config.py").exists()
    if module.api is not None:
        assert module.api.router.startswith(f"{module.app}.api.")
        assert isinstance(load(module.api.router, Router), Router)
        assert module.api.prefix.startswith("/")
        assert not module.api.prefix.endswith("/")
    if module.urls is not None:
        assert module.urls == f"{module.app}.urls"
        assert bool(module.nav) != (module.label in NO_NAV), "pages without navigation"
    if module.config is not None:
        model = load(module.config, type)
        assert issubclass(model, ModuleConfig)
        # Each key is one of the panel's, and its setting is made by settings.py.
        assert set(model.model_fields) <= set(panel.PanelConfig.model_fields)
        assert set(model().django_settings()) <= set(dir(settings))
    for point, dotted in module.hooks.items():
        assert isinstance(load(dotted, POINTS[point]), POINTS[point])
        assert dotted.startswith(f"{module.app}.")
    for socket in module.sockets:
        assert socket.consumer.startswith(f"{module.app}.")


def test_the_api_prefixes_and_the_navigation_are_each_others_once():
    prefixes = [m.api.prefix for m in MODULES if m.api is not None]
    assert len(prefixes) == len(set(prefixes))
    items = [item for m in MODULES for item in m.nav]
    assert len({i.href for i in items}) == len({i.order for i in items}) == len(items)
    roles = set(Role.values)
    for item in items:
        assert set(item.roles) <= roles, item
        # The link leads to a page of the module that lists it.
        owner = next(m for m in MODULES if item in m.nav)
        assert resolve(item.href).func.__module__ == f"{owner.app}.views"


class Clashing(ModuleConfig):
    """A module's key that is the panel's own already."""

    port: int = 1


def test_a_key_two_modules_declare_is_refused(monkeypatch):
    clash = Module("tests.web.clashing", config=f"{__name__}.Clashing")
    monkeypatch.setattr(panel, "MODULES", (*MODULES, clash))
    with pytest.raises(TypeError, match="declares port, a key of the panel"):
        panel._compose()
