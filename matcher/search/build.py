"""Writing the index: a full rebuild into a fresh directory swapped in whole, the
spelling vocabulary beside it, and the cross-process write lock that a rebuild and an
incremental update share."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from whoosh import index as whoosh_index

from matcher.models import (
    Service,
)
from matcher.search import curation
from matcher.search.documents import (
    _documents,
    _indexable,
    _load_terms,
    _taxonomy_phrases,
    schema,
)

log = logging.getLogger(__name__)

INDEX_NAME = "services"
TAXONOMY_FILE = "taxonomy.json"
LOCK_FILE = ".write.lock"
LOCK_TIMEOUT_S = 10.0
VOCABULARY_FILE = "vocabulary.json"

Progress = Callable[[int, int], None]


class IndexUnavailable(RuntimeError):
    """The index could not be opened or rebuilt."""


class IndexDamaged(IndexUnavailable):
    """A file of the index cannot be read: searches rebuild it from the database."""


def read_index_json(path: Path, name: str) -> Any:
    """A JSON side file of the index (taxonomy labels, vocabulary); IndexDamaged when it
    is missing or unreadable, never an empty stand-in that would quietly find nothing."""
    try:
        return json.loads((path / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexDamaged(f"{name} is unreadable ({type(error).__name__})") from error


def _read_vocabulary(path: Path) -> Counter[str]:
    try:
        return Counter(json.loads((path / VOCABULARY_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        log.warning("spelling vocabulary missing from the search index at %s", path)
        return Counter()


def _write_vocabulary(path: Path, vocabulary: Counter[str]) -> None:
    """Word -> number of listings using it (never decremented: a stale word is harmless)."""
    scratch = path / f".{VOCABULARY_FILE}.{uuid.uuid4().hex[:8]}"
    scratch.write_text(json.dumps(dict(vocabulary), ensure_ascii=False), encoding="utf-8")
    scratch.replace(path / VOCABULARY_FILE)


@contextmanager
def write_lock(index_dir: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """One writer at a time across processes (full rebuild or update); waits ``timeout``."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK_FILE).open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexUnavailable(
                        f"the search index is busy (waited {timeout:.0f} s)"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def default_procs() -> int:
    """Writing processes for ``flask reindex``: one per CPU, at most 8."""
    return min(os.cpu_count() or 1, 8)


class IncompleteBuild(RuntimeError):
    """A fresh index does not hold every document written to it."""


def _document_count(ix) -> int:
    return ix.doc_count_all()


def _build_into(target: Path, session: Session, progress: Progress | None, procs: int) -> int:
    target.mkdir(parents=True)
    terms_by_id = _load_terms(session)
    ids = list(session.scalars(_indexable().with_only_columns(Service.id).order_by(Service.id)))
    ix = whoosh_index.create_in(str(target), schema())
    if procs > 1:  # one segment per process; documents are built here and sent to them
        writer = ix.writer(procs=procs, multisegment=True, limitmb=128)
    else:
        writer = ix.writer(limitmb=256)
    done = 0
    vocabulary: Counter[str] = Counter()
    try:
        for doc in _documents(session, ids, terms_by_id):
            vocabulary.update(doc.pop("vocab"))
            writer.add_document(**doc)
            done += 1
            if progress and (done % 100 == 0 or done == len(ids)):
                progress(done, len(ids))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    if _document_count(ix) != done:
        # Whoosh's MpWriter waits one second for each process's segment and silently
        # drops one that is late: never swap in an index that lost listings.
        raise IncompleteBuild(f"the new index holds {_document_count(ix)} of {done} services")
    (target / TAXONOMY_FILE).write_text(
        json.dumps(_taxonomy_phrases(terms_by_id), ensure_ascii=False), encoding="utf-8"
    )
    _write_vocabulary(target, vocabulary)
    if progress and not ids:
        progress(0, 0)
    return done


def rebuild(
    index_dir: str | Path, session: Session, progress: Progress | None = None, procs: int = 1
) -> int:
    """Rebuild the whole index from the database; returns the number of documents.

    Builds beside the live index and swaps directories, so searchers keep
    answering from the old files until the new index is complete. ``procs`` > 1
    writes with that many forked processes (Whoosh's ``MpWriter``): for the
    ``reindex`` command, not for a multi-threaded web worker.
    """
    index_dir = Path(index_dir)
    with write_lock(index_dir):
        fresh = index_dir / f"{INDEX_NAME}.new-{uuid.uuid4().hex[:8]}"
        try:
            try:
                count = _build_into(fresh, session, progress, procs)
            except IncompleteBuild as error:
                log.warning("search index build incomplete (%s): building in one process", error)
                shutil.rmtree(fresh, ignore_errors=True)
                count = _build_into(fresh, session, progress, 1)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        live = index_dir / INDEX_NAME
        old = index_dir / f"{INDEX_NAME}.old-{uuid.uuid4().hex[:8]}"
        if live.exists():
            live.rename(old)
        fresh.rename(live)
        shutil.rmtree(old, ignore_errors=True)
        curation.write_staff_lexicon(session, index_dir)
    return count


def index_dir_of(app_or_index_dir: Any) -> Path:
    """Accept an index directory or anything with a ``config`` mapping (a Flask app)."""
    config = getattr(app_or_index_dir, "config", None)
    if config is not None:
        return Path(config["ENLACE_INDEX_DIR"])
    return Path(app_or_index_dir)
