"""The official HSDS 3.0 schemas, loaded from the vendored copy in ``spec/``.

The schema files have no ``$id`` and refer to each other by file name
(``"$ref": "phone.json"``); the OpenAPI document refers to them by their upstream
URL. Registering every file under its upstream URL resolves both offline.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_DIR = Path(__file__).resolve().parent / "spec"
SCHEMA_DIR = SPEC_DIR / "schema"
UPSTREAM = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def schema(name: str) -> dict[str, Any]:
    """One schema by name: ``service`` or ``compiled/service_list``."""
    return _load(SCHEMA_DIR / f"{name}.json")


def schema_names() -> list[str]:
    """Names of the entity schemas (not the OpenAPI document)."""
    return sorted(p.stem for p in SCHEMA_DIR.glob("*.json") if p.stem != "openapi")


@cache
def registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.rglob("*.json")):
        if path.stem == "openapi":
            continue
        uri = UPSTREAM + path.relative_to(SCHEMA_DIR).as_posix()
        resources.append(
            (uri, Resource.from_contents(_load(path), default_specification=DRAFT202012))
        )
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """A draft 2020-12 validator for ``name`` with every ``$ref`` resolved offline."""
    return Draft202012Validator(
        {"$ref": UPSTREAM + f"{name}.json"},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def errors(name: str, instance: Any) -> list[str]:
    """Human-readable schema violations (empty when ``instance`` is valid)."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in validator(name).iter_errors(instance)
    ]


@cache
def datapackage() -> dict[str, Any]:
    """The official HSDS 3.0.0 tabular data package descriptor."""
    return _load(SPEC_DIR / "datapackage.json")


@cache
def resources() -> dict[str, dict[str, Any]]:
    """Descriptor resources by name (``service`` -> path, fields...), in official order."""
    return {r["name"]: r for r in datapackage()["resources"]}


@cache
def openapi() -> dict[str, Any]:
    return schema("openapi")
