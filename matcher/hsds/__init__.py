"""Open Referral HSDS 3.0 exchange: import, export and the HSDS API read model.

Data moves through one intermediate form, *tables*: ``{table: [Row, ...]}`` where a
table is an HSDS 3.0 tabular resource name (``service``, ``phone``...) and a row
holds typed values (str, float, date, time, datetime) under HSDS field names. CSV
packages, nested JSON and legacy formats are all read into tables, and one loader
writes tables to the database; the exporter builds the same rows from the
database. So there is one field mapping (``mapping.py``) for both directions.
"""

from __future__ import annotations

from dataclasses import dataclass

HSDS_VERSION = "3.0"


@dataclass
class HSDSError(Exception):
    """A package problem, located as precisely as the format allows."""

    message: str
    file: str | None = None
    row: int | str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row is not None else None,
                f"field {self.field}" if self.field else None,
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message
