"""Read an HSDS 3.0 package (folder, .zip or JSON) into typed tables, safely.

Everything is checked before the database is touched: the files exist and are
UTF-8, required columns are present, every value has its HSDS type, ids are
UUIDs and unique. A .zip is read in memory with limits on member count, total
uncompressed size and compression ratio, and no member may point outside it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from matcher.hsds import HSDSError, mapping, schema

MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 1000
csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class SourceRow:
    """One typed HSDS row and where it came from (for error messages)."""

    file: str
    row: int | str
    values: mapping.Row

    def error(self, message: str, field: str | None = None) -> HSDSError:
        return HSDSError(message, self.file, self.row, field)


Tables = dict[str, list[SourceRow]]


class Source:
    """Files of a package, by relative path; never outside its root."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: dict[str, bytes] | None = None
        if path.is_file():
            self._zip = _read_zip(path)
        self.prefix = self._find_prefix()

    def _find_prefix(self) -> str:
        if self._zip is None:
            return ""
        candidates = sorted(
            (n for n in self._zip if PurePosixPath(n).name == "datapackage.json"),
            key=lambda n: n.count("/"),
        )
        return candidates[0].removesuffix("datapackage.json") if candidates else ""

    def names(self) -> list[str]:
        if self._zip is not None:
            return [n.removeprefix(self.prefix) for n in self._zip if n.startswith(self.prefix)]
        return [p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()]

    def read_bytes(self, name: str) -> bytes:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or "\\" in name:
            raise HSDSError("path outside the package", name)
        if self._zip is not None:
            if self.prefix + name not in self._zip:
                raise HSDSError("file is missing from the package", name)
            return self._zip[self.prefix + name]
        target = (self.path / name).resolve()
        if not target.is_relative_to(self.path.resolve()):
            raise HSDSError("path outside the package", name)
        try:
            return target.read_bytes()
        except FileNotFoundError:
            raise HSDSError("file is missing from the package", name) from None
        except OSError as error:
            raise HSDSError(f"file cannot be read ({error.strerror})", name) from None

    def read_text(self, name: str) -> str:
        try:
            return self.read_bytes(name).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise HSDSError(f"file is not UTF-8 text (byte {error.start})", name) from None


def _read_zip(path: Path) -> dict[str, bytes]:
    """Members of a zip, refusing bombs, links and paths that leave the package."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise HSDSError(f"not a readable .zip file ({error})", path.name) from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise HSDSError(f"more than {MAX_MEMBERS} files in the archive", path.name)
        total = 0
        for info in infos:
            pure = PurePosixPath(info.filename)
            if pure.is_absolute() or ".." in pure.parts or "\\" in info.filename:
                raise HSDSError("path outside the package", f"{path.name}:{info.filename}")
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise HSDSError("symbolic links are not allowed", f"{path.name}:{info.filename}")
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > MAX_TOTAL_BYTES or ratio > MAX_RATIO:
                raise HSDSError(
                    "archive expands too much (possible zip bomb): limit "
                    f"{MAX_TOTAL_BYTES // (1024 * 1024)} MiB and ratio {MAX_RATIO}:1",
                    f"{path.name}:{info.filename}",
                )
        members = {}
        for info in infos:
            with archive.open(info) as handle:
                data = handle.read(info.file_size + 1)
            if len(data) > info.file_size:
                raise HSDSError("member is larger than its header says", info.filename)
            members[info.filename] = data
        return members


def type_row(table: str, raw: dict[str, Any], where: SourceRow) -> SourceRow:
    """Parse every descriptor field of ``table`` from ``raw`` into ``where.values``."""
    for spec in mapping.descriptor_fields(table):
        name = spec["name"]
        try:
            value = mapping.parse(table, spec, raw.get(name))
        except ValueError as error:
            raise where.error(str(error), name) from None
        if value is None and spec.get("constraints", {}).get("required"):
            raise where.error("a value is required", name)
        where.values[name] = value
    return where


def read_csv_package(source: Source) -> Tables:
    """The tables of a tabular data package (``datapackage.json`` plus CSV files)."""
    try:
        descriptor = json.loads(source.read_text("datapackage.json"))
    except json.JSONDecodeError as error:
        raise HSDSError(f"invalid JSON ({error.msg})", "datapackage.json", error.lineno) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise HSDSError("no 'resources' list", "datapackage.json")
    version = str(descriptor.get("version") or "3")
    if not version.startswith("3"):
        raise HSDSError(f"unsupported HSDS version {version!r} (3.x expected)", "datapackage.json")
    tables: Tables = {}
    known = schema.resources()
    for resource in descriptor["resources"]:
        name, path = resource.get("name"), resource.get("path")
        if name not in known or not isinstance(path, str):
            continue
        tables[name] = _read_csv(source, name, path)
    return tables


def csv_records(text: str, path: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and (line, row) pairs of a CSV file; any malformed row aborts the read.

    ``csv`` alone forgives too much: an unterminated quote swallows the rest of the file
    into one field and a row with extra or missing fields still reads, so a broken
    export would import with rows silently lost or shifted. Here the row's first line,
    the file and the reason are reported instead.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    records = []
    line = 1
    try:
        for fields in reader:
            if not header:
                header = fields
            elif fields:  # a blank line is no row
                if len(fields) != len(header):
                    raise HSDSError(
                        f"malformed CSV: {len(fields)} fields where the header has"
                        f" {len(header)}", path, line
                    )
                records.append((line, dict(zip(header, fields, strict=True))))
            line = reader.line_num + 1
    except csv.Error as error:
        raise HSDSError(f"malformed CSV ({error})", path, line) from None
    return header, records


def _read_csv(source: Source, table: str, path: str) -> list[SourceRow]:
    header, records = csv_records(source.read_text(path), path)
    missing = [f for f in mapping.required_fields(table) if f not in header]
    if missing:
        raise HSDSError(f"missing required column {missing[0]!r}", path, 1, missing[0])
    rows, seen = [], set()
    for number, raw in records:
        row = type_row(table, raw, SourceRow(path, number, {}))
        if row.values["id"] in seen:
            raise row.error(f"duplicate id {row.values['id']}", "id")
        seen.add(row.values["id"])
        rows.append(row)
    return rows
