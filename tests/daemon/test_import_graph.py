"""The daemon's modules import one another without a circle (imports for typing aside)."""

from __future__ import annotations

import ast
from pathlib import Path

import supercp.daemon

PACKAGE = "supercp.daemon"
SOURCE = Path(supercp.daemon.__file__).parent


def module_names() -> dict[str, Path]:
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([PACKAGE, *parts])] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    # What runs when the module is imported: not function bodies, not `if TYPE_CHECKING:`.
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                found += _top_level_imports(node.body)
            found += _top_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                found += _top_level_imports(block)
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The daemon's modules that ``name`` imports when it is imported."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _top_level_imports(ast.parse(path.read_text()).body):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            base = f"{anchor}.{base}" if base else anchor
        # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod.
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            targets.add(sub if sub in known else base)
    return {t for t in targets if t in known and t != name}


def import_graph() -> dict[str, set[str]]:
    names = module_names()
    return {name: imports_of(name, path, set(names)) for name, path in names.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports, as the modules along it (the first again at the end)."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph[node]):
            cycle = visit(target)
            if cycle is not None:
                return cycle
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle is not None:
            return cycle
    return None


def test_the_daemon_s_imports_have_no_circle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_the_check_finds_a_circle_and_names_it():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]


def test_the_graph_sees_the_imports_that_run_and_skips_those_for_typing():
    graph = import_graph()
    assert "supercp.daemon.roles" in graph["supercp.daemon.peer"]
    assert "supercp.daemon.registry" not in graph["supercp.daemon.context"]
    assert "supercp.daemon.handlers.web" in graph["supercp.daemon.handlers"]


def test_a_namespace_s_handlers_import_no_other_domain_but_through_registrations():
    # accounts.remove reaches the other namespaces by their on_account_remove hooks.
    graph = import_graph()
    handlers = {n for n in graph if n.startswith("supercp.daemon.handlers.")}
    assert not graph["supercp.daemon.handlers.accounts"] & handlers
    assert not {n for n in graph["supercp.daemon.handlers.accounts"] if ".web" in n}
    for core in ("main", "server", "dispatch", "modules", "context", "registry"):
        domains = {n for n in graph[f"{PACKAGE}.{core}"] if n.split(".")[2] in ("web", "dns")}
        assert not domains, f"{core} imports {domains}"
