"""The bundle: the fewest organizations that cover a family's barriers (weighted set cover).

Fewer organizations means fewer trips, calls and intake forms for the family.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from matcher.matching.results import BarrierMatch, ServiceMatch
from matcher.models import Organization

# The bundle only uses options this high in a barrier's ranking, so saving a trip never
# means sending a family to a poor match.
BUNDLE_DEPTH = 3
# Exact set cover (dynamic programming over barrier subsets) up to this many barriers;
# greedy beyond it.
EXACT_BUNDLE_MAX = 10


@dataclass(frozen=True)
class BundleItem:
    organization: Organization = field(compare=False, repr=False)
    services: tuple[ServiceMatch, ...]
    covers: tuple[str, ...]


def build_bundle(matches: Sequence[BarrierMatch]) -> list[BundleItem]:
    """Fewest organizations covering every barrier that has results (weighted set cover).

    Each organization may cover a barrier with its best service among that barrier's top
    ``BUNDLE_DEPTH`` results. Crisis barriers stay out: their first step is a call, not a
    trip, and their notice is shown before everything else. Among covers of minimum size
    the one with the highest total score wins. Exact (dynamic programming over barrier
    subsets) for up to ``EXACT_BUNDLE_MAX`` barriers; greedy beyond that: take the
    organization covering the most uncovered barriers, ties to the higher summed score,
    then the name.
    """
    coverable = [m for m in matches if m.results and m.barrier.urgent != "crisis"]
    if not coverable:
        return []
    # org id -> {barrier index: best ServiceMatch}
    options: dict[str, dict[int, ServiceMatch]] = {}
    orgs: dict[str, Organization] = {}
    for index, match in enumerate(coverable):
        for option in match.results[:BUNDLE_DEPTH]:
            org = option.organization
            orgs[org.id] = org
            best = options.setdefault(org.id, {})
            if index not in best or option.score > best[index].score:
                best[index] = option
    if len(coverable) <= EXACT_BUNDLE_MAX:
        chosen = _exact_cover(len(coverable), options)
    else:
        chosen = _greedy_cover(len(coverable), options, orgs)
    items = []
    for org_id, indexes in chosen:
        picked = [options[org_id][i] for i in sorted(indexes)]
        items.append(
            BundleItem(
                organization=orgs[org_id],
                services=tuple(dict.fromkeys(picked)),
                covers=tuple(coverable[i].barrier.code for i in sorted(indexes)),
            )
        )
    items.sort(key=lambda item: (-len(item.covers), item.organization.name))
    return items


def _exact_cover(
    size: int, options: Mapping[str, Mapping[int, ServiceMatch]]
) -> list[tuple[str, frozenset[int]]]:
    """Partition barriers among organizations: fewest organizations, then highest score."""
    # best[subset mask] = (score, org id): the best single organization for that subset.
    best: dict[int, tuple[float, str]] = {}
    for org_id in sorted(options):
        covered = options[org_id]
        indexes = sorted(covered)
        for r in range(1, len(indexes) + 1):
            for combo in itertools.combinations(indexes, r):
                mask = sum(1 << i for i in combo)
                total = sum(covered[i].score for i in combo)
                if mask not in best or total > best[mask][0]:
                    best[mask] = (total, org_id)
    full = (1 << size) - 1
    # cost[mask] = (organizations used, -score); plan[mask] = (subset, org) used last.
    cost: dict[int, tuple[int, float]] = {0: (0, 0.0)}
    plan: dict[int, tuple[int, str]] = {}
    for mask in range(1, full + 1):
        low = mask & -mask  # the lowest barrier must be covered by some subset: no duplicates
        sub = mask
        candidate: tuple[int, float] | None = None
        while sub:
            if sub & low and sub in best and (mask ^ sub) in cost:
                prev = cost[mask ^ sub]
                value = (prev[0] + 1, prev[1] - best[sub][0])
                if candidate is None or value < candidate:
                    candidate = value
                    plan[mask] = (sub, best[sub][1])
            sub = (sub - 1) & mask
        if candidate is not None:
            cost[mask] = candidate
    chosen = []
    mask = full
    while mask:
        sub, org_id = plan[mask]
        chosen.append((org_id, frozenset(i for i in range(size) if sub >> i & 1)))
        mask ^= sub
    return chosen


def _greedy_cover(
    size: int,
    options: Mapping[str, Mapping[int, ServiceMatch]],
    orgs: Mapping[str, Organization],
) -> list[tuple[str, frozenset[int]]]:
    uncovered = set(range(size))
    chosen = []
    while uncovered:
        org_id = min(
            options,
            key=lambda o: (
                -len(uncovered & options[o].keys()),
                -sum(options[o][i].score for i in uncovered & options[o].keys()),
                orgs[o].name,
            ),
        )
        gain = frozenset(uncovered & options[org_id].keys())
        chosen.append((org_id, gain))
        uncovered -= gain
    return chosen
