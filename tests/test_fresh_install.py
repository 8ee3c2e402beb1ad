"""What a new user meets first: the run command's dependencies, schools by name, landing pages.

The run command (``scripts/run.sh``) installs only ``install_requires``; CI also starts it
on a clean checkout (``.ci/smoke``). These tests keep the two in step from inside the suite.
"""

from __future__ import annotations

import ast
import configparser
import importlib
import importlib.metadata
import pkgutil
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

import matcher
from matcher.models import School, User
from tests.fixtures_accounts import login, make_user

ROOT = Path(__file__).resolve().parent.parent


def _requirement_names(section: str, key: str) -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = config[section][key].strip().splitlines()
    names = {re.split(r"[\[=<>!~ ]", line.strip(), maxsplit=1)[0] for line in lines if line.strip()}
    return {n.lower().replace("_", "-") for n in names}


def _distributions_of(top_level: str) -> set[str]:
    """The installed distributions that provide ``top_level`` (a module name)."""
    provided = importlib.metadata.packages_distributions().get(top_level, [])
    return {d.lower().replace("_", "-") for d in provided}


def _closure(names: set[str]) -> set[str]:
    """``names`` and everything they require, as installed (what pip gives the run venv)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for req in requires:
            if "extra ==" in req:
                continue
            name = re.split(r"[\[=<>!~ ;(]", req.strip(), maxsplit=1)[0]
            todo.append(name.lower().replace("_", "-"))
    return seen


def _third_party_imports() -> dict[str, list[str]]:
    """Top-level modules imported anywhere in ``matcher/`` that are not stdlib or matcher."""
    found: dict[str, list[str]] = {}
    for path in (ROOT / "matcher").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "matcher" and top not in sys.stdlib_module_names:
                    found.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_import_of_the_served_app_comes_from_install_requires():
    runtime = _closure(_requirement_names("options", "install_requires"))
    missing = {
        top: files
        for top, files in _third_party_imports().items()
        if not _distributions_of(top) & runtime
    }
    assert not missing, f"imported but not in install_requires (or their requirements): {missing}"


def test_no_test_only_package_is_imported_by_the_app():
    test_only = _requirement_names("options.extras_require", "test") - _closure(
        _requirement_names("options", "install_requires")
    )
    imported = {
        dist for top in _third_party_imports() for dist in _distributions_of(top)
    }
    assert not imported & test_only


def test_every_module_of_matcher_imports():
    names = [m.name for m in pkgutil.walk_packages(matcher.__path__, "matcher.")]
    assert len(names) > 60
    for name in names:
        importlib.import_module(name)


def test_the_run_command_prints_the_port_it_serves_on():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'PORT="${PORT:-5000}"' in script
    assert "http://127.0.0.1:${PORT}" in script
    assert '--port "$PORT"' in script
    assert "PORT" in (ROOT / "README.md").read_text()


def test_create_user_takes_a_school_by_name_without_accents_or_case(runner, session):
    school = session.scalars(select(School).order_by(School.name)).first()
    typed = school.name.upper()
    result = runner.invoke(
        args=["create-user", "--email", "co@example.org", "--role", "coordinator",
              "--school", typed, "--password", "coordinator pass 123"]
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.email == "co@example.org")).one()
    assert [s.id for s in user.schools] == [school.id]


def test_create_user_with_an_unknown_school_says_how_to_list_them(runner, session):
    result = runner.invoke(
        args=["create-user", "--email", "co2@example.org", "--role", "coordinator",
              "--school", "Escuela que no existe", "--password", "coordinator pass 123"]
    )
    assert result.exit_code != 0
    assert "list-schools" in result.output
    assert session.scalars(select(User).where(User.email == "co2@example.org")).first() is None


def test_list_schools_shows_each_school_with_the_key_create_user_takes(runner, session):
    result = runner.invoke(args=["list-schools"])
    assert result.exit_code == 0
    schools = session.scalars(select(School)).all()
    assert len(result.output.strip().splitlines()) == len(schools)
    for school in schools:
        assert f"{school.key}  {school.name}" in result.output


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("coordinator", "/coordinator/"),
        ("liaison", "/coordinator/"),
        ("admin", "/admin/"),
        ("partner", "/partners/"),
    ],
)
def test_each_role_lands_on_its_own_page_after_signing_in(client, session, school, role, landing):
    user = make_user(session, role, schools=[school] if role in ("coordinator", "liaison") else [])
    response = login(client, user)
    assert response.headers["Location"].startswith(landing)
