"""The outbox records every listing change in the change's own transaction, and each host
replays it into its own search index (high-water mark plus remembered gaps)."""

import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from whoosh import index as whoosh_index

from matcher.models import IndexChange, Organization, Phone, Service
from matcher.operations import index_sync
from matcher.search.index import INDEX_NAME


def _changes_after(session, mark: int) -> list[tuple[str, str, str]]:
    rows = session.scalars(select(IndexChange).where(IndexChange.id > mark).order_by("id"))
    return [(row.entity, row.entity_id, row.op) for row in rows]


def _mark(session) -> int:
    return session.scalar(select(func.coalesce(func.max(IndexChange.id), 0)))


def _active_service(session) -> Service:
    return session.scalars(
        select(Service)
        .join(Organization)
        .where(Service.status == "active", Organization.published.is_(True))
        .order_by(Service.name)
    ).first()


def _indexed_name(index_dir: Path, service_id: str) -> str | None:
    ix = whoosh_index.open_dir(str(index_dir / INDEX_NAME))
    with ix.searcher() as searcher:
        found = searcher.document(id=service_id)
    return found["attrs"]["name"]["en"] if found else None


def test_a_listing_change_writes_its_outbox_row_in_the_same_transaction(session):
    mark = _mark(session)
    service = _active_service(session)
    service.name = "Renamed pantry"
    session.commit()
    assert _changes_after(session, mark) == [("service", service.id, "upsert")]

    mark = _mark(session)
    service.name = "Never committed"
    session.flush()
    assert _changes_after(session, mark) == [("service", service.id, "upsert")]
    session.rollback()
    assert _changes_after(session, mark) == []
    assert session.get(Service, service.id).name == "Renamed pantry"


def test_child_rows_are_recorded_as_the_listing_they_belong_to(session):
    mark = _mark(session)
    service = _active_service(session)
    session.add(Phone(service_id=service.id, number="805-555-0100"))
    org = service.organization
    org.published = False
    session.commit()
    assert set(_changes_after(session, mark)) == {
        ("service", service.id, "upsert"),
        ("organization", org.id, "upsert"),
    }


def test_deleting_a_service_records_a_delete(session):
    service = _active_service(session)
    mark = _mark(session)
    session.delete(service)
    session.commit()
    assert ("service", service.id, "delete") in _changes_after(session, mark)


def test_an_unchanged_object_and_non_listing_tables_write_nothing(session):
    mark = _mark(session)
    service = _active_service(session)
    service.name = service.name  # touched but not modified
    session.commit()
    assert _changes_after(session, mark) == []


def test_sync_builds_a_new_host_then_applies_only_new_changes(app, session, tmp_path):
    index_dir = tmp_path / "host-b"
    first = index_sync.sync(session, index_dir)
    assert first.action == "rebuilt"
    assert first.services == 142
    assert first.high_water == _mark(session)
    assert index_sync.sync(session, index_dir).action == "idle"

    service = _active_service(session)
    service.name = "Despensa comunitaria renombrada"
    session.commit()
    applied = index_sync.sync(session, index_dir)
    assert (applied.action, applied.changes, applied.services) == ("applied", 1, 1)
    assert _indexed_name(index_dir, service.id) == "Despensa comunitaria renombrada"

    service.status = "inactive"
    session.commit()
    index_sync.sync(session, index_dir)
    assert _indexed_name(index_dir, service.id) is None


def test_an_organization_change_reindexes_all_its_services(app, session, tmp_path):
    index_dir = tmp_path / "idx"
    index_sync.sync(session, index_dir)
    org = _active_service(session).organization
    org.published = False
    session.commit()
    result = index_sync.sync(session, index_dir)
    assert result.services == len(org.services)
    assert all(_indexed_name(index_dir, s.id) is None for s in org.services)


def test_ids_skipped_by_a_late_commit_are_picked_up_from_the_gaps(app, session, tmp_path):
    index_dir = tmp_path / "idx"
    index_sync.sync(session, index_dir)
    state = index_sync.SyncState.load(index_dir)
    service = _active_service(session)
    # Simulate a transaction that took id N+1 but commits after id N+2 was applied.
    late_id, early_id = state.high_water + 1, state.high_water + 2
    session.execute(
        IndexChange.__table__.insert(),
        [{"id": early_id, "entity": "service", "entity_id": "nope", "op": "upsert"}],
    )
    session.commit()
    index_sync.sync(session, index_dir)
    state = index_sync.SyncState.load(index_dir)
    assert state.high_water == early_id and late_id in state.gaps

    session.execute(
        text("UPDATE service SET name = 'Late commit' WHERE id = :id"), {"id": service.id}
    )
    session.execute(
        IndexChange.__table__.insert(),
        [{"id": late_id, "entity": "service", "entity_id": service.id, "op": "upsert"}],
    )
    session.commit()
    result = index_sync.sync(session, index_dir)
    assert result.changes == 1
    assert _indexed_name(index_dir, service.id) == "Late commit"
    assert late_id not in index_sync.SyncState.load(index_dir).gaps


def test_gaps_expire_so_a_rolled_back_id_is_not_read_forever(app, session, tmp_path):
    index_dir = tmp_path / "idx"
    index_sync.sync(session, index_dir)
    mark = index_sync.SyncState.load(index_dir).high_water
    session.execute(
        IndexChange.__table__.insert(),
        [{"id": mark + 5, "entity": "service", "entity_id": "x", "op": "upsert"}],
    )
    session.commit()
    index_sync.sync(session, index_dir, now=lambda: 1000.0)
    assert len(index_sync.SyncState.load(index_dir).gaps) == 4
    index_sync.sync(session, index_dir, now=lambda: 1000.0 + index_sync.GAP_TTL_SECONDS + 1)
    assert index_sync.SyncState.load(index_dir).gaps == {}


def test_a_rebuild_request_after_a_restore_rebuilds_the_index(app, session, tmp_path):
    index_dir = tmp_path / "idx"
    index_sync.sync(session, index_dir)
    index_sync.request_rebuild(index_dir)
    assert index_sync.sync(session, index_dir).action == "rebuilt"
    assert not (index_dir / index_sync.REBUILD_MARKER).exists()


def test_an_unwritable_state_file_is_a_clear_error_and_keeps_the_old_state(app, session, tmp_path):
    index_dir = tmp_path / "idx"
    index_sync.sync(session, index_dir)
    before = (index_dir / index_sync.STATE_FILE).read_text()
    (index_dir / "outbox_state.tmp").mkdir()  # the atomic write's temp file cannot be created
    _active_service(session).name = "Changed"
    session.commit()
    with pytest.raises(index_sync.IndexSyncError, match="cannot write the index sync state"):
        index_sync.sync(session, index_dir)
    assert (index_dir / index_sync.STATE_FILE).read_text() == before


def test_an_unwritable_outbox_rolls_the_listing_change_back(app, session):
    service = _active_service(session)
    original = service.name
    session.execute(text("DROP TABLE index_change"))
    session.commit()
    service.name = "Must not be saved"
    with pytest.raises(Exception, match="index_change"):
        session.commit()
    session.rollback()
    session.expire_all()
    assert session.get(Service, service.id).name == original


def test_only_one_process_per_host_applies_at_a_time(app, session, tmp_path):
    index_dir = tmp_path / "idx"
    with index_sync._host_lock(index_dir) as mine:
        assert mine
        assert index_sync.sync(session, index_dir).action == "busy"


def test_readyz_is_503_when_the_index_is_unusable(client, app, tmp_path):
    response = client.get("/readyz")
    assert response.get_json()["search_index"] in {"ok", "unusable"}
    broken = Path(app.config["ENLACE_INDEX_DIR"]) / INDEX_NAME
    broken.mkdir(parents=True, exist_ok=True)
    (broken / "_MAIN_1.toc").write_bytes(b"garbage")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "database": "ok",
        "search_index": "unusable",
        "status": "error",
    }


def _age_outbox(session, days: int) -> None:
    """Make every outbox row look ``days`` old."""
    old = datetime.now(UTC) - timedelta(days=days)
    session.execute(IndexChange.__table__.update().values(created_at=old))
    session.commit()


def test_pruning_deletes_old_rows_but_keeps_the_newest_so_ids_never_go_back(session):
    newest = _mark(session)
    assert session.scalar(select(func.count(IndexChange.id))) > 1
    _age_outbox(session, index_sync.RETENTION_DAYS + 1)
    recent = _active_service(session)
    recent.name = "Changed today"
    session.commit()  # one fresh row, newer than the old ones

    deleted = index_sync.prune(session)
    remaining = session.scalars(select(IndexChange.id).order_by(IndexChange.id)).all()
    assert deleted > 0
    assert remaining == [newest + 1]
    assert index_sync.prune(session) == 0

    _age_outbox(session, index_sync.RETENTION_DAYS + 1)
    assert index_sync.prune(session) == 0  # the newest row stays, however old
    recent.name = "Changed again"
    session.commit()
    assert _mark(session) == newest + 2


def test_a_host_that_has_not_synced_within_the_retention_rebuilds(app, session, tmp_path):
    index_dir = tmp_path / "idx"
    index_sync.sync(session, index_dir)
    state_file = index_dir / index_sync.STATE_FILE
    recent = time.time() - index_sync.STALE_AFTER_SECONDS + 3600
    os.utime(state_file, (recent, recent))
    assert index_sync.sync(session, index_dir).action == "idle"

    stale = time.time() - index_sync.STALE_AFTER_SECONDS - 60
    os.utime(state_file, (stale, stale))
    assert index_sync.sync(session, index_dir).action == "rebuilt"
    assert state_file.stat().st_mtime > time.time() - 60


def test_an_idle_host_records_that_it_synced_about_once_an_hour(app, session, tmp_path):
    index_dir = tmp_path / "idx"
    index_sync.sync(session, index_dir)
    state_file = index_dir / index_sync.STATE_FILE
    minutes_ago = time.time() - 600
    os.utime(state_file, (minutes_ago, minutes_ago))
    assert index_sync.sync(session, index_dir).action == "idle"
    assert state_file.stat().st_mtime == pytest.approx(minutes_ago)

    hours_ago = time.time() - 2 * index_sync.TOUCH_EVERY_SECONDS
    os.utime(state_file, (hours_ago, hours_ago))
    assert index_sync.sync(session, index_dir).action == "idle"
    assert state_file.stat().st_mtime > time.time() - 60


def test_matching_sees_changes_made_after_the_outbox_was_pruned(app, session):
    from matcher.matching import table as match_index

    service = _active_service(session)
    assert service.id in match_index.directory_table(session).services
    _age_outbox(session, index_sync.RETENTION_DAYS + 1)
    assert index_sync.prune(session) > 0
    service.organization.published = False
    session.commit()
    assert service.id not in match_index.directory_table(session).services


def test_the_prune_command_reports_what_it_deleted(app, session, runner):
    _age_outbox(session, 45)
    result = runner.invoke(args=["prune-outbox", "--older-than-days", "40"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Deleted [1-9]\d* outbox rows older than 40 days\.\n", result.output)
    assert session.scalar(select(func.count(IndexChange.id))) == 1
