"""Which services meet a barrier: through what they are (their taxonomy terms), never
through a word they share with the barrier's name.

Each barrier names two kinds of term (``seed_data/reference/barriers.csv``, ``BarrierTerm.role``):

* **meets**: a service of this kind meets the barrier (Food Pantry for food insecurity,
  Counseling for anxiety or depression);
* **related**: a way of helping that serves the barrier only when the service is about
  it (Counseling, a hotline or legal aid for domestic violence; help with forms for
  benefits). A narrower term the barrier did not name, below one it names as meets, is
  related too: the barrier's authors chose which kinds meet it ("Personal Hygiene" sits
  under "Medical Care", and showers are not a doctor).

Some terms name a **way of helping** rather than a need (``WAYS_OF_HELPING``: counseling,
support groups, peer support, mentoring, hotlines, home visits, case management, legal
aid, help with forms, interpretation). On a service that meets another barrier B' through
a term B does not name, such a term is how that service delivers B' help, unless B' itself
names it as meeting B': counseling at a rape crisis centre is counseling for survivors, so
the centre is not an anxiety service; a grief group's support group is grief help; peer
counselors for breastfeeding are not bullying help. A mental health clinic's counseling
still meets grief, because counseling is what meets mental health too.

A service tagged "Navigating the System" is information and referral: the "help find ..."
terms below it say where it refers, not help it gives (related, not meets).

What a service is also shows in who provides it. An organization whose every service
that names a need meets barrier B' (a rape crisis centre, a domestic violence agency)
specialises in B'; its services that name only ways of helping (its counseling, its
support group) are B' help, and no other barrier's.

A service whose kinds are all ways of helping (no need of its own) meets B only when B
names every one of them: a mentoring and peer-support programme is behaviour help, not
bullying help; counseling with a support group meets anxiety or grief alike.

A service meets barrier B when it carries one of B's meets terms that is not claimed so.

A service that carries B's terms without meeting B is a **related topic** for B when it
meets no barrier at all (a general helper: 211, case management, help with forms); a
specialist of another need (a tenant lawyer for custody) is not offered for B.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.directory.taxonomy import term_id
from matcher.matching.table import CACHED_DATABASES, DirectoryTable, directory_table
from matcher.models import Barrier, BarrierTerm

RELATED_SHARE = 0.5  # a related term's weight in a service's focus on the barrier
MEMO_LIMIT = 100_000  # remembered (barrier, kinds, specialty) answers
# Open Eligibility terms that say how a service helps, not which need it meets (the
# "Support Network" branch, counseling, navigation and forms, legal aid, civil-rights
# advocacy and representation, interpretation). Codes, so any directory using the
# taxonomy reads them alike.
WAYS_OF_HELPING = frozenset(
    term_id(code)
    for code in (
        "1220", "1303", "1304", "1305", "1306", "1307", "1308", "1309", "1310", "1311",
        "1312", "1316", "1292", "1293", "1375", "1382", "1389", "1390",
        "enl-indigenous-interpretation",
    )
)  # fmt: skip
NAVIGATION = term_id("1292")  # "Navigating the System": information and referral

BarrierRows = tuple[tuple[str, str, str], ...]  # (barrier code, term id, role), sorted


@dataclass(frozen=True)
class BarrierModel:
    """One barrier's terms by role."""

    code: str
    meets: frozenset[str]
    named_related: frozenset[str]
    related: frozenset[str]  # named related terms and unnamed narrower kinds of meets terms
    claimable: frozenset[str]  # meets terms that name a way of helping: they may be claimed

    @property
    def named(self) -> frozenset[str]:
        return self.meets | self.named_related

    @property
    def terms(self) -> frozenset[str]:
        return self.meets | self.related


class Relevance:
    """Every barrier's model and the term lookups the claims need."""

    def __init__(
        self,
        rows: BarrierRows,
        children: Mapping[str | None, list[str]],
        crisis: frozenset[str] = frozenset(),
    ) -> None:
        self.rows = rows
        self.children = children
        self.crisis = crisis  # codes of the barriers that are crises
        self._memo: dict[tuple, frozenset[str]] = {}
        meets: dict[str, set[str]] = {}
        related: dict[str, set[str]] = {}
        for code, term, role in rows:
            meets.setdefault(code, set())
            related.setdefault(code, set())
            (meets if role == "meets" else related)[code].add(term)
        named_anywhere = set().union(*meets.values(), *related.values())
        self.meets_by_term: dict[str, set[str]] = {}
        for code, terms in meets.items():
            for term in terms:
                self.meets_by_term.setdefault(term, set()).add(code)
        self.related_ways = {code: terms & WAYS_OF_HELPING for code, terms in related.items()}
        # The ways of helping a barrier's own services use: claimed from other barriers.
        self.ways_of = {code: WAYS_OF_HELPING - terms for code, terms in meets.items()}
        self.referrals = frozenset(children.get(NAVIGATION, ()))
        self.barriers: dict[str, BarrierModel] = {}
        for code in meets:
            narrower = _below(meets[code], children) - named_anywhere
            self.barriers[code] = BarrierModel(
                code=code,
                meets=frozenset(meets[code]),
                named_related=frozenset(related[code]),
                related=frozenset(related[code] | narrower),
                claimable=frozenset(meets[code] & (WAYS_OF_HELPING | self.referrals)),
            )

    def model(self, code: str) -> BarrierModel:
        return self.barriers.get(code) or BarrierModel(
            code, frozenset(), frozenset(), frozenset(), frozenset()
        )

    def meeting_terms(
        self, code: str, terms: frozenset[str], specialty: frozenset[str] = frozenset()
    ) -> frozenset[str]:
        """The terms through which a service with ``terms`` meets the barrier, claims
        removed; ``specialty``: the barriers its organization specialises in."""
        key = (code, terms, specialty)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[key] = self._meeting_terms(code, terms, specialty)
        return found

    def _meeting_terms(
        self, code: str, terms: frozenset[str], specialty: frozenset[str]
    ) -> frozenset[str]:
        model = self.model(code)
        own = terms & model.meets
        ways = terms & WAYS_OF_HELPING
        if own and not specialty and not ways <= model.named and not self.needs_met(terms):
            return frozenset()  # only ways of helping, and not all of them this barrier's
        if specialty:
            if code in specialty:  # the specialist's own ways of helping are its help
                own |= terms & model.named_related & WAYS_OF_HELPING
            else:  # the ways of helping its specialty names as related are for the specialty
                own -= set().union(*(self.related_ways.get(c, ()) for c in specialty))
        if not own or not (own & model.claimable):
            return own
        claimed: set[str] = set()
        if NAVIGATION in terms:
            claimed |= self.referrals
        for term in terms - model.named:
            for other in self.meets_by_term.get(term, ()):
                if other != code:
                    claimed |= self.ways_of[other]
        return own - claimed

    def needs_met(self, terms: frozenset[str]) -> set[str]:
        """Barriers a service meets through a term that names a need (never claimed)."""
        return self._touched(terms - WAYS_OF_HELPING - self.referrals)

    def barriers_met(
        self, terms: frozenset[str], specialty: frozenset[str] = frozenset()
    ) -> set[str]:
        """Every barrier a service with ``terms`` meets (the supply report counts these)."""
        return {
            code
            for code in self._touched(terms) | specialty
            if self.meeting_terms(code, terms, specialty)
        }

    def crisis_services(self, table: DirectoryTable) -> frozenset[str]:
        """Services meeting a crisis barrier through a need they name (crisis lines and
        teams): they answer crises, not the barriers beside them."""
        return self._per_table(table).crisis

    def specialties(self, table: DirectoryTable) -> dict[str, frozenset[str]]:
        """Organization id -> the barriers every one of its need-naming services meets."""
        return self._per_table(table).specialties

    def meeting(self, table: DirectoryTable, code: str) -> dict[str, frozenset[str]]:
        """Service id -> the terms through which it meets barrier ``code`` (any status,
        anywhere): the same for every family, so read once per directory version.

        Crisis lines and teams answer the crisis barriers, not the barriers beside them."""
        known = self._per_table(table)
        found = known.meeting.get(code)
        if found is None:
            model = self.model(code)
            candidates = table.tagged(model.meets | model.named_related)
            if code not in self.crisis:
                candidates -= known.crisis
            found = {}
            for sid in candidates:
                row = table.services[sid]
                specialty = known.specialties.get(row.organization_id, frozenset())
                terms = self.meeting_terms(code, row.terms, specialty)
                if terms:
                    found[sid] = terms
            known.meeting[code] = found
        return found

    def _touched(self, terms: Iterable[str]) -> set[str]:
        return set().union(*(self.meets_by_term.get(t, ()) for t in terms))

    def focus(self, code: str, terms: frozenset[str], meeting: frozenset[str]) -> float:
        """Share of the service's kinds that are about this barrier."""
        related = len((terms - meeting) & self.model(code).terms)
        return (len(meeting) + RELATED_SHARE * related) / max(len(terms), 1)

    def _per_table(self, table: DirectoryTable) -> _PerTable:
        """What the model derives from one directory table, read once per version."""
        found = _per_table.get(table)
        if found is None or found.model is not self:
            shared: dict[str, set[str]] = {}
            crisis = set()
            for row in table.services.values():
                met = self.needs_met(row.terms)
                if met:
                    org = row.organization_id
                    shared[org] = shared[org] & met if org in shared else met
                    if met & self.crisis:
                        crisis.add(row.id)
            specialties = {org: frozenset(b) for org, b in shared.items() if b}
            found = _PerTable(self, specialties, frozenset(crisis))
            _per_table[table] = found
        return found


@dataclass
class _PerTable:
    model: Relevance
    specialties: dict[str, frozenset[str]]
    crisis: frozenset[str]
    meeting: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)


def _below(terms: Iterable[str], children: Mapping[str | None, list[str]]) -> set[str]:
    """Every term strictly below ``terms`` in the tree."""
    found: set[str] = set()
    stack = [child for t in terms for child in children.get(t, ())]
    while stack:
        term = stack.pop()
        if term not in found:
            found.add(term)
            stack.extend(children.get(term, ()))
    return found


_cache: OrderedDict[str, Relevance] = OrderedDict()
_per_table: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def barrier_rows(session: Session) -> tuple[BarrierRows, frozenset[str]]:
    """Every barrier's (code, term id, role) in a fixed order, and the crisis barriers:
    the model's cache key."""
    found = [
        tuple(row)
        for row in session.execute(
            select(
                BarrierTerm.barrier_code,
                BarrierTerm.taxonomy_term_id,
                BarrierTerm.role,
                Barrier.urgent,
            ).join(Barrier, Barrier.code == BarrierTerm.barrier_code)
        )
    ]
    crisis = frozenset(code for code, _term, _role, urgent in found if urgent == "crisis")
    return tuple(sorted(row[:3] for row in found)), crisis


def relevance(session: Session, table: DirectoryTable) -> Relevance:
    """The model for the session's barriers over the table's term tree (cached while both
    are unchanged: barriers are seed data, the tree changes with a taxonomy edit)."""
    rows, crisis = barrier_rows(session)
    key = str(session.get_bind().engine.url)
    with _lock:
        found = _cache.get(key)
        if (
            found is None
            or found.rows != rows
            or found.crisis != crisis
            or found.children is not table.children
        ):
            found = _cache[key] = Relevance(rows, table.children, crisis)
        _cache.move_to_end(key)
        while len(_cache) > CACHED_DATABASES:
            _cache.popitem(last=False)
    return found


def meeting_term_ids(session: Session, barrier_code: str, service_id: str) -> list[str]:
    """The terms of a listed service that meet ``barrier_code`` (the handout's one line)."""
    table = directory_table(session)
    model = relevance(session, table)
    row = table.services.get(service_id)
    if row is None:
        return []
    specialty = model.specialties(table).get(row.organization_id, frozenset())
    return sorted(model.meeting_terms(barrier_code, row.terms, specialty))
