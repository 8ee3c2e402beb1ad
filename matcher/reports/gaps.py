"""Gaps: where recorded need meets no supply, or only supply through an interpreter.

For one school (or the county), per barrier with demand and per family language:
how many families, how many services speak the language, how many only offer an
interpreter. Separately, per barrier: referrals declined or closed without being
completed, and matches that found no acceptable service. Rows are sorted by the
families affected, largest first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from matcher.reports.demand import GapRow, NeedRow, ReferralRow, outcomes_by_barrier
from matcher.reports.supply import Supply

NO_SERVICE = "no_service"  # nothing reaches the school for this barrier
NOT_IN_LANGUAGE = "not_in_language"  # services exist, none in the family's language
INTERPRETER_ONLY = "interpreter_only"  # only through an interpreter


@dataclass(frozen=True)
class LanguageGap:
    barrier: str
    language: str
    families: int
    direct: int
    interpreter_only: int
    kind: str


@dataclass(frozen=True)
class ReferralGap:
    barrier: str
    affected: int  # referrals declined or not completed, plus matches with no service
    declined: int
    not_completed: int
    no_acceptable_service: int


def language_gaps(needs: Sequence[NeedRow], supply: Supply) -> list[LanguageGap]:
    families = Counter((code, need.language) for need in needs for code in need.barriers)
    found = []
    for (code, language), count in families.items():
        row = supply.for_barrier(code)
        if row is None:
            continue
        offered = row.in_language(language)
        if row.total == 0:
            kind = NO_SERVICE
        elif offered.direct:
            continue
        elif offered.interpreter_only:
            kind = INTERPRETER_ONLY
        else:
            kind = NOT_IN_LANGUAGE
        found.append(
            LanguageGap(code, language, count, offered.direct, offered.interpreter_only, kind)
        )
    return sorted(found, key=lambda g: (-g.families, g.barrier, g.language))


def referral_gaps(referrals: Sequence[ReferralRow], matches: Sequence[GapRow]) -> list[ReferralGap]:
    by_barrier = outcomes_by_barrier(referrals)
    unmatched = Counter(m.barrier for m in matches)
    found = []
    for code in sorted(set(by_barrier) | set(unmatched)):
        outcome = by_barrier.get(code)
        declined = outcome.declined if outcome else 0
        not_completed = outcome.not_completed if outcome else 0
        if declined or not_completed or unmatched[code]:
            found.append(
                ReferralGap(
                    code,
                    declined + not_completed + unmatched[code],
                    declined,
                    not_completed,
                    unmatched[code],
                )
            )
    return sorted(found, key=lambda g: (-g.affected, g.barrier))
