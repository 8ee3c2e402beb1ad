"""A malformed CSV row aborts an HSDS import with the file, the line and the reason,
instead of being skipped or shifted (issue 18, finding 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matcher.models import Organization, Service

DATA = Path(__file__).parent / "data" / "hsds"
OFFICIAL_CSV = DATA / "openreferral-spec-3.0" / "examples" / "csv"


def _counts(session) -> tuple[int, int]:
    session.expire_all()
    models = (Service, Organization)
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in models)


def _exported(runner, tmp_path: Path) -> Path:
    out = tmp_path / "export"
    result = runner.invoke(args=["export-hsds", "--format", "csv", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _break(services: Path, kind: str) -> int:
    """Damage the third data row of services.csv; returns that row's line number."""
    lines = services.read_text(encoding="utf-8").splitlines(keepends=True)
    header_fields = lines[0].count(",") + 1
    target = 3  # 0: header; rows must not hold line breaks for this simple edit
    assert '"' not in lines[target]
    if kind == "doubled row":
        lines[target] = lines[target].rstrip("\n") + "," + lines[target]
    elif kind == "short row":
        lines[target] = ",".join(lines[target].rstrip("\n").split(",")[: header_fields // 2]) + "\n"
    else:  # an unterminated quote swallows every row after it
        fields = lines[target].rstrip("\n").split(",")
        fields[3] = '"' + fields[3]
        lines[target] = ",".join(fields) + "\n"
    services.write_text("".join(lines), encoding="utf-8")
    return target + 1


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("doubled row", "fields where the header has"),
        ("short row", "fields where the header has"),
        ("unterminated quote", "malformed CSV ("),
    ],
)
def test_a_malformed_services_row_aborts_the_import_with_file_line_and_reason(
    runner, session, tmp_path, kind, reason
):
    package = _exported(runner, tmp_path)
    line = _break(package / "services.csv", kind)
    before = _counts(session)
    result = runner.invoke(args=["import-hsds", str(package)])
    assert result.exit_code != 0, result.output
    assert "Import aborted, nothing was changed." in result.output
    assert f"services.csv, row {line}" in result.output, result.output
    assert reason in result.output
    assert _counts(session) == before


def test_an_unterminated_quote_in_the_last_row_is_reported_not_swallowed(tmp_path):
    from matcher.hsds import HSDSError
    from matcher.hsds.package import csv_records

    with pytest.raises(HSDSError, match=r"row 3: malformed CSV \(unexpected end of data"):
        csv_records('id,name\n1,a\n2,"b\n', "services.csv")
    header, rows = csv_records('id,name\n1,"a\nb"\n\n2,c\n', "services.csv")
    assert header == ["id", "name"] and rows == [(2, {"id": "1", "name": "a\nb"}),
                                                  (5, {"id": "2", "name": "c"})]


def test_the_official_csv_example_still_reads_every_row(tmp_path):
    from matcher.hsds.package import Source, read_csv_package

    copy = tmp_path / "csv"
    shutil.copytree(OFFICIAL_CSV, copy)
    tables = read_csv_package(Source(copy))
    assert len(tables["service"]) == 1 and tables["service"][0].row == 2
