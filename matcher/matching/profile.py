"""Match input from the API or the command line: a family profile, or a clear error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matcher.directory import geo
from matcher.directory.languages import code_for as languages_code_for
from matcher.matching.results import FamilyProfile


class ProfileError(ValueError):
    """Bad match input; ``field`` names the input, ``code`` the problem, ``detail`` the value."""

    def __init__(self, field: str, code: str, detail: str = "") -> None:
        super().__init__(f"{field}: {code} {detail}".strip())
        self.field = field
        self.code = code
        self.detail = detail


MAX_BARRIERS = 36
MAX_AGE = 120


def parse_profile(
    barriers: Sequence[str] | None,
    language: str | Sequence[str] | None = None,
    near: str | None = None,
    age: int | str | None = None,
    *,
    school_id: str | None = None,
    no_documents: bool = False,
) -> FamilyProfile:
    """Build a FamilyProfile from API or command-line input; raises ProfileError."""
    codes = [str(c).strip() for c in barriers or [] if str(c).strip()]
    if not codes:
        raise ProfileError("barriers", "required")
    if len(codes) > MAX_BARRIERS:
        raise ProfileError("barriers", "too_many")
    raw_languages = [language] if isinstance(language, str) else list(language or [])
    family_languages = []
    for name in raw_languages:
        code = languages_code_for(name)
        if code is None:
            raise ProfileError("language", "unknown", str(name))
        family_languages.append(code)
    place = None
    if near not in (None, ""):
        try:
            place = geo.resolve_place(str(near))
        except geo.PlaceError as error:
            raise ProfileError("near", "unknown", str(error)) from error
    years = None
    if age not in (None, ""):
        try:
            years = int(age)  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise ProfileError("age", "invalid", str(age)) from error
        if not 0 <= years <= MAX_AGE:
            raise ProfileError("age", "invalid", str(age))
    if not isinstance(no_documents, bool):
        raise ProfileError("no_documents", "invalid", str(no_documents))
    return FamilyProfile(
        barriers=list(dict.fromkeys(codes)),
        languages=list(dict.fromkeys(family_languages)),
        near=place,
        age=years,
        school_id=school_id,
        no_documents=no_documents,
    )


_NAME = {"type": "string", "minLength": 1, "maxLength": 80}
# The body of POST /api/v1/match as a JSON schema: published in the OpenAPI document
# (matcher.web.openapi) and enforced by matcher.web.match_api before parse_profile.
MATCH_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["barriers"],
    "properties": {
        "barriers": {"type": "array", "items": _NAME, "minItems": 1, "maxItems": MAX_BARRIERS},
        "language": {
            "oneOf": [_NAME, {"type": "array", "items": _NAME, "maxItems": 20}, {"type": "null"}]
        },
        "near": {"type": ["string", "null"], "maxLength": 200},
        "age": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_AGE},
        "no_documents": {
            "type": "boolean",
            "description": "The family prefers services that ask for no documents.",
        },
    },
}
