"""What a listing's free text says that the rules read: an appointment is needed, the
service is for adults only. HSDS keeps these in prose (``application_process``,
``eligibility_description``), in English or Spanish; a negation ("no appointment needed",
"walk in") or a young audience ("women and their children") keeps the rule off.
"""

from __future__ import annotations

import re

_APPOINTMENT = re.compile(r"\b(appointments?|appt|cita|citas)\b", re.IGNORECASE)
_NO_APPOINTMENT = re.compile(
    r"\b(no|without|sin)\b[^.;]{0,25}\b(appointments?|appt|cita)\b|\bwalk[- ]?ins?\b",
    re.IGNORECASE,
)


_ADULTS = re.compile(
    r"\b(women|men|adults?|seniors?|older adults|mujeres|hombres|adult[oa]s?|"
    r"personas mayores)\b",
    re.IGNORECASE,
)
_NOT_ONLY_ADULTS = re.compile(
    r"\b(children|child|kids?|youth|teens?|young|students?|famil(y|ies)|ni[nñ][oa]s|"
    r"j[oó]venes|adolescentes|estudiantes|familias?|hij[oa]s)\b",
    re.IGNORECASE,
)


def adults_only(eligibility: str | None) -> bool:
    """An eligibility that names an adult audience ("Farmworker women.") and no young one."""
    return bool(
        eligibility and _ADULTS.search(eligibility) and not _NOT_ONLY_ADULTS.search(eligibility)
    )


def needs_appointment(text: str | None) -> bool:
    """How-to-apply text that asks for an appointment (and does not say walk in)."""
    return bool(text and _APPOINTMENT.search(text) and not _NO_APPOINTMENT.search(text))
