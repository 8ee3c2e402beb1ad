"""The curation loop: learn the words families use, and let staff teach search.

*Counting.* Each search notes its query's unknown words (not in the index vocabulary,
the taxonomy, the glossary, the situations lexicon or the place names) and the phrases
they stand in. Counts collect in memory and are written every few seconds in a short
transaction of their own, so a search stays a read and a logging failure never breaks
one. A term is stored as a keyed hash with its count; only from the ``MIN_READABLE``-th
search on is its text stored, so a name typed once is never readable by anyone.
Unreadable terms expire after ``EXPIRE_DAYS`` without a search.

*Teaching.* Staff map a phrase to taxonomy terms or to a crisis kind
(``add_mapping``); the mapping is audit-logged and written with an outbox row, so every
host's index sync rewrites its staff lexicon file and every process's next search uses
it (``staff_phrases``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from matcher.core import audit
from matcher.core.text import fold
from matcher.models import IndexChange, QueryTerm, StaffMapping, TaxonomyTerm, User
from matcher.models.vocabulary import MAX_TERM
from matcher.situations.lexicon import CRISIS_KINDS

log = logging.getLogger(__name__)

MIN_READABLE = 11  # the reports' suppression rule: fewer searches than this stay unreadable
EXPIRE_DAYS = 30
FLUSH_EVERY_S = 5.0
MAX_TERMS_PER_QUERY = 8
STAFF_LEXICON_FILE = "staff_lexicon.json"


class CurationError(ValueError):
    """A mapping staff asked for is not valid; the message says which part."""


# --- counting ------------------------------------------------------------------------


def term_hash(key: bytes, kind: str, term: str) -> str:
    return hmac.new(key, f"{kind}:{term}".encode(), hashlib.sha256).hexdigest()


def query_terms(words: Sequence[str], unknown: set[str]) -> list[tuple[str, str]]:
    """(kind, folded text) of what a query teaches: its unknown words, and each pair of
    neighbouring words that holds one ("ocupo lonche" when "lonche" is unknown)."""
    found: list[tuple[str, str]] = []
    for i, word in enumerate(words):
        if word in unknown:
            found.append(("word", word))
            if i + 1 < len(words):
                found.append(("phrase", f"{word} {words[i + 1]}"))
            if i > 0 and words[i - 1] not in unknown:
                found.append(("phrase", f"{words[i - 1]} {word}"))
    return list(dict.fromkeys(t for t in found if len(t[1]) <= MAX_TERM))[:MAX_TERMS_PER_QUERY]


@dataclass
class _Pending:
    kind: str
    locale: str
    text: str
    count: int = 0
    zero: int = 0


class TermCounter:
    """In-process counts, written to the database at most every ``FLUSH_EVERY_S``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._last_flush = time.monotonic()

    def note(
        self, key: bytes, terms: Iterable[tuple[str, str]], locale: str, zero_results: bool
    ) -> None:
        with self._lock:
            for kind, text in terms:
                digest = term_hash(key, kind, text)
                entry = self._pending.setdefault(digest, _Pending(kind, locale[:10], text))
                entry.count += 1
                entry.zero += int(zero_results)

    def due(self) -> bool:
        return bool(self._pending) and time.monotonic() - self._last_flush >= FLUSH_EVERY_S

    def flush(self, bind: Any, now: datetime | None = None) -> int:
        """Write the pending counts in their own transaction; returns terms written."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = time.monotonic()
        if not pending:
            return 0
        now = now or datetime.now(UTC)
        try:
            with Session(bind) as session:
                rows = {
                    row.term_hash: row
                    for row in session.scalars(
                        select(QueryTerm).where(QueryTerm.term_hash.in_(list(pending)))
                    )
                }
                for digest, entry in pending.items():
                    row = rows.get(digest)
                    if row is None:
                        row = QueryTerm(
                            term_hash=digest, kind=entry.kind, locale=entry.locale,
                            count=0, zero_results=0, first_seen=now,
                        )
                        session.add(row)
                    row.count += entry.count
                    row.zero_results += entry.zero
                    row.last_seen = now
                    if row.text is None and row.count >= MIN_READABLE:
                        row.text = entry.text
                session.commit()
        except SQLAlchemyError:
            log.warning("could not write query term counts", exc_info=True)
            return 0
        return len(pending)


COUNTER = TermCounter()


def expire(session: Session, now: datetime | None = None, days: int = EXPIRE_DAYS) -> int:
    """Forget unreadable terms nobody searched for in ``days``; returns how many."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    result = session.execute(
        delete(QueryTerm).where(QueryTerm.text.is_(None), QueryTerm.last_seen < cutoff),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class TermCount:
    kind: str
    text: str
    locale: str
    count: int
    zero_results: int


def readable_terms(session: Session, limit: int = 200) -> list[TermCount]:
    """Terms searched at least ``MIN_READABLE`` times, most searched first (counts only)."""
    rows = session.scalars(
        select(QueryTerm)
        .where(QueryTerm.text.is_not(None), QueryTerm.count >= MIN_READABLE)
        .order_by(QueryTerm.count.desc(), QueryTerm.text)
        .limit(limit)
    )
    return [TermCount(r.kind, r.text or "", r.locale, r.count, r.zero_results) for r in rows]


# --- teaching ------------------------------------------------------------------------


def _codes(session: Session, term_codes: Iterable[str]) -> list[TaxonomyTerm]:
    codes = [c.strip() for c in term_codes if c and c.strip()]
    statement = select(TaxonomyTerm).where(TaxonomyTerm.code.in_(codes))
    found = {t.code: t for t in session.scalars(statement)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise CurationError(f"unknown taxonomy code: {', '.join(unknown)}")
    return [found[c] for c in codes]


def add_mapping(
    session: Session,
    actor: User | None,
    phrase: str,
    lang: str,
    term_codes: Iterable[str],
    crisis: str | None,
) -> StaffMapping:
    """Map a phrase to terms and/or a crisis kind; audited; reaches every host's search."""
    folded = " ".join(fold(phrase).split())
    if not folded or len(folded) > MAX_TERM:
        raise CurationError(f"the phrase must have 1 to {MAX_TERM} characters")
    if lang not in ("en", "es", "any"):
        raise CurationError("the language must be en, es or any")
    crisis = crisis or None
    if crisis is not None and crisis not in CRISIS_KINDS:
        raise CurationError(f"unknown crisis kind: {crisis}")
    terms = _codes(session, term_codes)
    if not terms and crisis is None:
        raise CurationError("give at least one taxonomy code or a crisis kind")
    mapping = StaffMapping(
        id=str(uuid.uuid4()),
        phrase=folded,
        lang=lang,
        term_codes="|".join(t.code for t in terms),
        crisis=crisis,
        created_by=actor.id if actor else None,
    )
    session.add(mapping)
    session.flush()
    audit.record(session, actor, "staff_mapping.create", mapping, None, _described(mapping))
    session.add(IndexChange(entity="lexicon", entity_id=mapping.id, op="upsert"))
    return mapping


def delete_mapping(session: Session, actor: User | None, mapping_id: str) -> None:
    mapping = session.get(StaffMapping, mapping_id)
    if mapping is None:
        raise CurationError("no such mapping")
    audit.record(session, actor, "staff_mapping.delete", mapping, _described(mapping), None)
    session.delete(mapping)
    session.add(IndexChange(entity="lexicon", entity_id=mapping_id, op="delete"))


def _described(mapping: StaffMapping) -> dict[str, Any]:
    return {
        "phrase": mapping.phrase,
        "lang": mapping.lang,
        "term_codes": mapping.term_codes,
        "crisis": mapping.crisis,
    }


def mappings(session: Session) -> list[StaffMapping]:
    return list(session.scalars(select(StaffMapping).order_by(StaffMapping.phrase)))


def write_staff_lexicon(session: Session, index_dir: Path) -> int:
    """Write every mapping, with term ids, to this host's index directory (atomically)."""
    ids = {t.code: t.id for t in session.scalars(select(TaxonomyTerm))}
    rows = [
        {
            "phrase": m.phrase,
            "lang": m.lang,
            "terms": [ids[c] for c in m.term_codes.split("|") if c in ids],
            "crisis": m.crisis,
        }
        for m in mappings(session)
    ]
    index_dir.mkdir(parents=True, exist_ok=True)
    scratch = index_dir / f".{STAFF_LEXICON_FILE}.{uuid.uuid4().hex[:8]}"
    scratch.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    scratch.replace(index_dir / STAFF_LEXICON_FILE)
    return len(rows)


@dataclass(frozen=True)
class StaffPhrase:
    words: tuple[str, ...]
    lang: str
    term_ids: tuple[str, ...]
    crisis: str | None


def staff_phrases(index_dir: Path) -> tuple[StaffPhrase, ...]:
    """The mappings this host's sync last wrote, re-read only when the file changes."""
    path = index_dir / STAFF_LEXICON_FILE
    try:
        info = path.stat()
    except OSError:
        return ()
    return _read_staff(path, (info.st_ino, info.st_mtime_ns, info.st_size))


@lru_cache(maxsize=8)
def _read_staff(path: Path, _stamp: tuple[int, int, int]) -> tuple[StaffPhrase, ...]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("staff lexicon at %s is unreadable; search goes on without it", path)
        return ()
    return tuple(
        StaffPhrase(tuple(r["phrase"].split()), r.get("lang", "any"), tuple(r.get("terms", ())),
                    r.get("crisis"))
        for r in rows
        if isinstance(r, dict) and r.get("phrase")
    )
