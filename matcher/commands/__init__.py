"""The ``flask --app wsgi ...`` commands: thin wrappers over the domain packages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every command group (see README, *Commands*)."""
    from matcher.commands import (
        accounts,
        families,
        hsds,
        matching,
        ops,
        schools,
        search,
        seed,
    )

    for module in (seed, hsds, schools, search, matching, families, ops, accounts):
        module.init_app(app)
