"""The house's rooms: which package may import which, no cycles, no Flask in the domain.

Layers, lowest first; a module may import its own layer or a lower one, never a higher
one. ``docs/architecture.md`` explains what each package owns.
"""

from __future__ import annotations

import ast
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "matcher"

LAYERS: list[set[str]] = [
    {"config", "core", "models"},
    {"directory", "access", "situations"},
    {"search"},
    {"operations"},
    {"matching", "hsds"},
    {"families", "partners"},
    {"reports"},
    {"extensions", "db"},  # Flask wiring: no domain package may use it
    {"web", "commands", ""},  # interfaces; "" is matcher/__init__ (create_app)
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
INTERFACES = {"web", "commands", "extensions", "db", ""}
FLASK_MODULES = ("flask", "flask_babel", "flask_login", "flask_wtf", "flask_limiter",
                 "flask_sqlalchemy", "flask_migrate", "werkzeug")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(name: str) -> str | None:
    while name not in MODULES:
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return name


def _imports(path: Path) -> list[str]:
    """Every module of ``matcher`` this file imports, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                target = full if full in MODULES else _resolve(node.module)
                if target:
                    found.append(target)
        elif isinstance(node, ast.Import):
            found.extend(t for a in node.names if (t := _resolve(a.name)))
    return found


def _third_party(path: Path) -> set[str]:
    tops = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            tops.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            tops.update(a.name.split(".")[0] for a in node.names)
    return tops


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


GRAPH = {
    name: {t for t in _imports(path) if t != name and t != "matcher"}
    for name, path in MODULES.items()
}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_package_has_a_layer():
    assert {_package(m) for m in MODULES} <= set(RANK)


def test_no_import_cycles():
    assert _cycles(GRAPH) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_package_imports_a_higher_layer():
    upward = [
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        for target in targets
        if RANK[_package(target)] > RANK[_package(source)]
    ]
    assert upward == []


def test_domain_packages_never_import_flask():
    offenders = [
        name
        for name, path in MODULES.items()
        if _package(name) not in INTERFACES and _third_party(path) & set(FLASK_MODULES)
    ]
    assert offenders == []


def test_no_module_grows_past_the_size_of_one_concern():
    """About 450 lines: past that a module usually holds more than one concern. The HSDS
    API queries and the directory models are one concern each, listed here with a cap."""
    caps = {"matcher.hsds.api_queries": 540, "matcher.models.directory": 520}
    too_long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > caps.get(name, 470)
    }
    assert too_long == {}


def test_a_route_without_a_line_in_the_policy_is_refused(app: Flask, client):
    app.add_url_rule("/unlisted", "unlisted", lambda: "secret")
    response = client.get("/unlisted")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


def test_views_repeat_no_role_check():
    """Roles are the gate's (``matcher.web.gate``); views only narrow by data."""
    for path in (PACKAGE / "web").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "roles_required" not in text, path.name
        assert "current_user.role not in" not in text or path.name == "gate.py", path.name
