"""County settings: which county (or region of counties) an installation serves.

One TOML file per county (format: README, *Set up for your county*) holds its name, office
of education, map centre, main languages and its own help and crisis lines. An
installation names one file or several (a region) in ``ENLACE_COUNTY_SETTINGS``; the first
is the *home* county, towards which ambiguous place names resolve. Nothing else in the
code names a county: this module is the one place that knows which one we serve.

No Flask here: the app calls :func:`configure` once at start-up; domain code calls
:func:`region` / :func:`home`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from matcher.config import PROJECT_ROOT
from matcher.situations.lexicon import CRISIS_KINDS

SAMPLES_DIR = PROJECT_ROOT / "seed_data" / "samples"
SETTINGS_FILE_NAME = "county.toml"
PLACES_FILE_NAME = "places.csv"
ENV_VAR = "ENLACE_COUNTY_SETTINGS"

# Kinds of line a county may list; national defaults cover any kind a county leaves out.
LINE_KINDS = frozenset(CRISIS_KINDS) | {"help"}

SAMPLE_KINDS = frozenset({"", "compiled", "synthetic"})


class CountySettingsError(ValueError):
    """A settings file is missing, unreadable or has a wrong field; the message names both."""


@dataclass(frozen=True)
class CountyLine:
    """A help or crisis line run in the county, with where its number was checked."""

    kinds: tuple[str, ...]
    name_en: str
    name_es: str
    phone: str
    text: str
    text_es: str
    hours: str
    hours_es: str
    languages: tuple[str, ...]
    source: str
    checked: str
    unconfirmed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "kinds": list(self.kinds),
            "name_en": self.name_en,
            "name_es": self.name_es,
            "phone": self.phone,
            "text": self.text,
            "text_es": self.text_es,
            "hours": self.hours,
            "hours_es": self.hours_es,
            "languages": list(self.languages),
            "source": self.source,
            "checked": self.checked,
            "unconfirmed": self.unconfirmed,
        }


@dataclass(frozen=True)
class CountySettings:
    """One county's settings, as read (and checked) from its TOML file."""

    name: str  # "Monterey County"
    name_es: str
    fips: str
    office_of_education: str
    center: tuple[float, float]
    languages: tuple[str, ...]
    help_line: str
    lines: tuple[CountyLine, ...] = ()
    # "compiled" (sample data compiled from public sources, unverified) or "synthetic"
    # (invented, for tests and demos); "" for a county's own, real directory.
    sample_data: str = ""
    path: Path | None = field(default=None, compare=False)
    places_file: Path | None = field(default=None, compare=False)

    @property
    def short_name(self) -> str:
        """The name without "County", as the Census ZIP data and the CDE file write it."""
        return short_name(self.name)

    def matches(self, name: str | None) -> bool:
        """Is ``name`` ("Monterey", "monterey county", "MONTEREY") this county?"""
        return bool(name) and short_name(name or "").casefold() == self.short_name.casefold()


def short_name(name: str) -> str:
    text = " ".join(name.split())
    for suffix in (" County", " county", " COUNTY"):
        text = text.removesuffix(suffix)
    return text.strip()


def _error(path: Path, field_name: str, problem: str) -> CountySettingsError:
    return CountySettingsError(f"{path}: field '{field_name}' {problem}")


def _text(data: dict, key: str, path: Path, where: str, *, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise _error(path, f"{where}{key}", "must be text")
    if required and not value.strip():
        raise _error(path, f"{where}{key}", "is required")
    return value.strip()


def _codes(data: dict, key: str, path: Path, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _error(path, f"{where}{key}", "must be a list of codes")
    return tuple(v.strip() for v in value)


def _line(data: Any, n: int, path: Path) -> CountyLine:
    where = f"lines[{n}]."
    if not isinstance(data, dict):
        raise _error(path, f"lines[{n}]", "must be a table")
    kinds = _codes(data, "kinds", path, where)
    if not kinds:
        raise _error(path, f"{where}kinds", "is required")
    unknown = sorted(set(kinds) - LINE_KINDS)
    if unknown:
        raise _error(
            path, f"{where}kinds", f"has unknown kinds {unknown} (known: {sorted(LINE_KINDS)})"
        )
    unconfirmed = data.get("unconfirmed", False)
    if not isinstance(unconfirmed, bool):
        raise _error(path, f"{where}unconfirmed", "must be true or false")
    checked = data.get("checked", "")
    return CountyLine(
        kinds=kinds,
        name_en=_text(data, "name_en", path, where, required=True),
        name_es=_text(data, "name_es", path, where) or _text(data, "name_en", path, where),
        phone=_text(data, "phone", path, where, required=True),
        text=_text(data, "text", path, where),
        text_es=_text(data, "text_es", path, where),
        hours=_text(data, "hours", path, where),
        hours_es=_text(data, "hours_es", path, where),
        languages=_codes(data, "languages", path, where),
        # Every number shown to families needs a recorded source (README, Data sources).
        source=_text(data, "source", path, where, required=True),
        checked=str(checked).strip(),
        unconfirmed=unconfirmed,
    )


def load_settings(path: str | Path) -> CountySettings:
    """Read and check one county settings file; raises CountySettingsError naming the field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CountySettingsError(
            f"{path}: cannot read county settings ({error.strerror})"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise CountySettingsError(f"{path}: not valid TOML ({error})") from error
    county = data.get("county")
    if not isinstance(county, dict):
        raise _error(path, "county", "is required (a [county] table)")
    where = "county."
    fips = _text(county, "fips", path, where, required=True)
    if not (len(fips) == 5 and fips.isdigit() and fips.startswith("06")):
        raise _error(path, "county.fips", "must be the 5-digit California FIPS code (06xxx)")
    center = county.get("center")
    if (
        not isinstance(center, list)
        or len(center) != 2
        or not all(isinstance(v, int | float) for v in center)
        or not (-90 <= center[0] <= 90 and -180 <= center[1] <= 180)
    ):
        raise _error(path, "county.center", "must be [latitude, longitude]")
    lines = data.get("lines", [])
    if not isinstance(lines, list):
        raise _error(path, "lines", "must be a list of [[lines]] tables")
    places = county.get("places", PLACES_FILE_NAME)
    if not isinstance(places, str):
        raise _error(path, "county.places", "must be a file name")
    places_file = (path.parent / places).resolve()
    if not places_file.exists():
        if "places" in county:
            raise _error(path, "county.places", f"names a missing file {places_file}")
        places_file = None  # type: ignore[assignment]
    name = _text(county, "name", path, where, required=True)
    sample_data = _text(county, "sample_data", path, where)
    if sample_data not in SAMPLE_KINDS:
        raise _error(path, "county.sample_data", f"must be one of {sorted(SAMPLE_KINDS)}")
    return CountySettings(
        name=name if name.lower().endswith(" county") else f"{name} County",
        name_es=_text(county, "name_es", path, where) or name,
        fips=fips,
        office_of_education=_text(county, "office_of_education", path, where),
        center=(float(center[0]), float(center[1])),
        languages=_codes(county, "languages", path, where) or ("en", "es"),
        help_line=_text(county, "help_line", path, where) or "211",
        lines=tuple(_line(line, n, path) for n, line in enumerate(lines)),
        sample_data=sample_data,
        path=path,
        places_file=places_file,
    )


def county_lines(settings: CountySettings) -> dict[str, list[dict[str, Any]]]:
    """Kind -> the county's own lines for it, to put before the national defaults."""
    out: dict[str, list[dict[str, Any]]] = {}
    for line in settings.lines:
        for kind in line.kinds:
            out.setdefault(kind, []).append(line.as_dict())
    return out


def region_lines(region_settings: Iterable[CountySettings]) -> dict[str, list[dict[str, Any]]]:
    """County lines of every county in a region, the home county's first."""
    out: dict[str, list[dict[str, Any]]] = {}
    for settings in region_settings:
        for kind, lines in county_lines(settings).items():
            out.setdefault(kind, []).extend(lines)
    return out


def lines_of(county_name: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The lines to offer a family: its county's own when that county is served, else
    every served county's (the home county's first). National defaults are added later."""
    settings = find(county_name) if county_name else None
    return county_lines(settings) if settings else region_lines(region())


# --- which counties this process serves -------------------------------------------------


def sample_dirs() -> list[Path]:
    """Sample data directories shipped in seed_data/samples (each with a county.toml)."""
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p for p in SAMPLES_DIR.iterdir() if (p / SETTINGS_FILE_NAME).is_file())


def default_paths() -> tuple[Path, ...]:
    """The shipped sample county's settings: what a fresh checkout serves (the demo)."""
    samples = sample_dirs()
    return (samples[0] / SETTINGS_FILE_NAME,) if samples else ()


def parse_paths(value: str | Sequence[str | Path] | None) -> tuple[Path, ...]:
    """``ENLACE_COUNTY_SETTINGS``: one path or several separated by commas or os.pathsep."""
    if value is None or value == "":
        return default_paths()
    if isinstance(value, str | Path):
        parts = [p for chunk in str(value).split(",") for p in chunk.split(os.pathsep)]
    else:
        parts = [str(p) for p in value]
    paths = tuple(Path(p.strip()) for p in parts if p.strip())
    return paths or default_paths()


@cache
def _load_region(paths: tuple[Path, ...]) -> tuple[CountySettings, ...]:
    if not paths:
        raise CountySettingsError(
            f"no county settings: set {ENV_VAR} to a county.toml (see README)"
        )
    region_settings = tuple(load_settings(p) for p in paths)
    seen: set[str] = set()
    for settings in region_settings:
        if settings.fips in seen:
            raise CountySettingsError(f"{settings.path}: county {settings.name} is listed twice")
        seen.add(settings.fips)
    return region_settings


_configured: tuple[Path, ...] | None = None


def configure(value: str | Sequence[str | Path] | None) -> tuple[Path, ...]:
    """Choose the counties served (the app calls this at start-up and before each
    request, so two apps in one process each serve their own); returns the checked paths."""
    global _configured
    paths = parse_paths(value)
    _load_region(paths)  # read and checked once: a wrong file stops the app at start-up
    _configured = paths
    return paths


def region() -> tuple[CountySettings, ...]:
    """Every county served, the home county first."""
    paths = _configured if _configured is not None else parse_paths(os.environ.get(ENV_VAR))
    return _load_region(paths)


def home() -> CountySettings:
    """The home county: the first settings file."""
    return region()[0]


def find(name: str | None) -> CountySettings | None:
    """The county of the region called ``name`` (with or without "County"), if any."""
    return next((s for s in region() if s.matches(name)), None)


def first_phone(kind: str) -> str | None:
    """The home county's first line of ``kind`` (e.g. "child_abuse"), if it lists one."""
    return next((line.phone for line in home().lines if kind in line.kinds), None)


def in_sentence(settings: CountySettings, locale: str) -> str:
    """The county's name inside a sentence: "Monterey County"; in Spanish "condado de
    Monterey", so that "del %(county)s" and "en el %(county)s" read right."""
    if locale != "es":
        return settings.name
    name = settings.name_es
    return "c" + name[1:] if name.startswith("Condado ") else name
