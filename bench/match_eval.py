"""Judged family profiles over two directories: are the first three matches right?

Profiles live in ``tests/data/match_profiles*.json``: the Ventura sample
(``match_profiles.json``, ``match_profiles_extra_ventura.json``) and the synthetic Monterey
County package (``match_profiles_monterey.json``). Each names, per barrier, the services
acceptable for that family, judged from the listings before any engine run; an empty list
means nobody in that directory can serve the barrier for the family.

Measures, per barrier a family reports:

* **normalised top-3 precision**: acceptable services among the first three results,
  divided by the number that could be there (``min(3, acceptable)``); servable barriers;
* **hit rate**: an acceptable service among the first three (servable barriers);
* **unacceptable per barrier**: results in the first three that are not acceptable;
* **unservable reported**: no results and a no-match reason when nothing is acceptable.

Used by ``tests/test_match_quality.py`` and printed by ``bench/match.py``.
"""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from matcher.core.upsert import stable_id
from matcher.directory import geo
from matcher.matching import engine as matching

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
MONTEREY = DATA / "counties" / "monterey"
PROFILE_FILES = {
    "ventura": (DATA / "match_profiles.json", DATA / "match_profiles_extra_ventura.json"),
    "monterey": (DATA / "match_profiles_monterey.json",),
}
TOP = 3


@dataclass(frozen=True)
class Judged:
    """One family profile with its acceptable service ids per barrier."""

    id: str
    directory: str
    near: str
    languages: tuple[str, ...]
    age: int | None
    barriers: tuple[str, ...]
    acceptable: dict[str, frozenset[str]]
    no_documents: bool = False


def _ids(directory: str) -> Callable[[str], str]:
    if directory == "monterey":
        keys = json.loads((MONTEREY / "hsds" / "keys.json").read_text(encoding="utf-8"))
        return keys["services"].__getitem__
    return lambda key: stable_id("service", key)


def load_profiles(directories: Iterable[str] = ("ventura", "monterey")) -> list[Judged]:
    """Every judged profile of ``directories``, services as database ids."""
    profiles = []
    for directory in directories:
        service_id = _ids(directory)
        for path in PROFILE_FILES[directory]:
            for spec in json.loads(path.read_text(encoding="utf-8"))["profiles"]:
                profiles.append(
                    Judged(
                        id=spec["id"],
                        directory=directory,
                        near=spec["near"],
                        languages=tuple(spec["languages"]),
                        age=spec.get("age"),
                        barriers=tuple(spec["barriers"]),
                        acceptable={
                            code: frozenset(service_id(k) for k in spec["acceptable"][code])
                            for code in spec["barriers"]
                        },
                        no_documents=bool(spec.get("no_documents")),
                    )
                )
    return profiles


def _monterey_places() -> dict[str, geo.Place]:
    """Monterey cities from the package's ``places.csv`` (Enlace's place list is Ventura's)."""
    places = {}
    with (MONTEREY / "places.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            zips = [z for z in row["postal_codes"].split("|") if z]
            places[row["name"]] = geo.Place(
                point=geo.Point(float(row["latitude"]), float(row["longitude"])),
                label=row["name"],
                kind="place",
                city=row["name"],
                county="Monterey",
                postal_code=zips[0] if zips else None,
            )
    return places


def place_for(profile: Judged) -> geo.Place:
    if profile.directory == "monterey" and not profile.near.isdigit():
        return _monterey_places()[profile.near]
    return geo.resolve_place(profile.near)


def family_profile(profile: Judged) -> matching.FamilyProfile:
    return matching.FamilyProfile(
        barriers=list(profile.barriers),
        languages=list(profile.languages),
        near=place_for(profile),
        age=profile.age,
        no_documents=profile.no_documents,
    )


@dataclass
class Report:
    servable: int = 0
    unservable: int = 0
    precision: list[float] = field(default_factory=list)
    hits: int = 0
    unacceptable: int = 0
    reported: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def barriers(self) -> int:
        return self.servable + self.unservable

    @property
    def normalised_precision(self) -> float:
        return statistics.fmean(self.precision) if self.precision else 0.0

    @property
    def hit_rate(self) -> float:
        return self.hits / self.servable if self.servable else 0.0

    @property
    def unacceptable_per_barrier(self) -> float:
        return self.unacceptable / self.barriers if self.barriers else 0.0


def _reported(barrier: Any) -> bool:
    return not barrier.results and barrier.no_match is not None


def evaluate(sessions: dict[str, Session], profiles: list[Judged]) -> Report:
    """Match every profile in its directory's session and score the first three."""
    report = Report()
    for profile in profiles:
        result = matching.match_family(sessions[profile.directory], family_profile(profile))
        for barrier in result.barriers:
            allowed = profile.acceptable[barrier.code]
            top = [m.id for m in barrier.results[:TOP]]
            wrong = [m.service.name for m in barrier.results[:TOP] if m.id not in allowed]
            report.unacceptable += len(wrong)
            where = f"{profile.directory}/{profile.id}/{barrier.code}"
            if wrong:
                report.misses.append(f"unacceptable {where}: {wrong}")
            if not allowed:
                report.unservable += 1
                if _reported(barrier):
                    report.reported += 1
                else:
                    report.misses.append(f"unservable not reported {where}")
                continue
            report.servable += 1
            found = len(allowed.intersection(top))
            report.precision.append(found / min(TOP, len(allowed)))
            if found:
                report.hits += 1
            else:
                report.misses.append(f"no acceptable service in the first {TOP} {where}")
            if found < min(TOP, len(allowed)):
                report.misses.append(f"precision {found}/{min(TOP, len(allowed))} {where}")
    return report


def format_report(report: Report, profiles: int) -> str:
    return (
        f"{profiles} judged profiles, {report.barriers} barriers "
        f"({report.servable} servable, {report.unservable} unservable)\n"
        f"normalised top-{TOP} precision: {report.normalised_precision:.3f}\n"
        f"acceptable service in the first {TOP}: {report.hit_rate:.1%} of servable barriers\n"
        f"unacceptable services in the first {TOP}: "
        f"{report.unacceptable_per_barrier:.3f} per barrier ({report.unacceptable} in all)\n"
        f"unservable barriers reported: {report.reported}/{report.unservable}"
    )
