"""Read an HSDS 3.0 package (folder, .zip or JSON) into typed tables, safely.

Everything is checked before the database is touched: the files exist and are
UTF-8, required columns are present, every value has its HSDS type, ids are
UUIDs and unique. A .zip is read in memory with limits on member count, total
uncompressed size and compression ratio, and no member may point outside it; a
symbolic link (in a folder or a .zip) is followed only to a file inside the package.

A row holds only the fields its source gives: a column the CSV file does not have, or
a key the JSON object leaves out, is absent (and an import leaves that field alone),
while an empty cell or ``null`` is a value that clears it. Fields the HSDS core does
not define are kept as given in ``SourceRow.extra``.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from matcher.hsds import HSDSError, mapping, schema, values

UNREAD = "unread:"  # table-name prefix of a package file that is not read (reported)
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
    extra: dict[str, Any] = field(default_factory=dict)  # fields the core does not define
    forms: dict[str, Any] = field(default_factory=dict)  # original spelling of typed values
    # JSON: the (child table, reference) lists the record states in full; None for a
    # table of a package, which is complete for every record of the package.
    given: set[tuple[str, str]] | None = None
    required: tuple[str, ...] = ()  # fields a new record needs (the format's own rules)
    skipped: bool = False  # a row of a table an older format's converter does not carry

    def error(self, message: str, field: str | None = None) -> HSDSError:
        return HSDSError(message, self.file, self.row, field)


Tables = dict[str, list[SourceRow]]


class Source:
    """Files of a package, by relative path; never outside its root."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: dict[str, bytes] | None = None
        self._links: dict[str, str] = {}
        self.read_names: set[str] = set()  # files read so far
        if path.is_file():
            self._zip, self._links = _read_zip(path)
        self.prefix = self._find_prefix()

    def _find_prefix(self) -> str:
        if self._zip is None:
            return ""
        candidates = sorted(
            (n for n in [*self._zip, *self._links] if PurePosixPath(n).name == "datapackage.json"),
            key=lambda n: n.count("/"),
        )
        return candidates[0].removesuffix("datapackage.json") if candidates else ""

    def names(self) -> list[str]:
        if self._zip is not None:
            return [n.removeprefix(self.prefix) for n in self._zip if n.startswith(self.prefix)]
        return [p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()]

    def read_bytes(self, name: str) -> bytes:
        self.read_names.add(name)
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or "\\" in name:
            raise HSDSError("path outside the package", name)
        if self._zip is not None:
            return self._zip_member(name)
        root = self.path.resolve()
        target = (self.path / name).resolve()
        if not target.is_relative_to(root):
            link = _first_link(self.path, name)
            where = f"a symbolic link to {link[1]}, outside the package" if link else ""
            raise HSDSError(where or "path outside the package", link[0] if link else name)
        try:
            return target.read_bytes()
        except FileNotFoundError:
            raise HSDSError("file is missing from the package", name) from None
        except OSError as error:
            raise HSDSError(f"file cannot be read ({error.strerror})", name) from None

    def _zip_member(self, name: str, hops: int = 0) -> bytes:
        """A member's bytes; a symbolic link is followed while it stays in the archive."""
        assert self._zip is not None
        key = self.prefix + name
        if key in self._links:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), self._links[key]))
            if target.startswith("../") or target == ".." or target.startswith("/"):
                raise HSDSError(f"a symbolic link to {self._links[key]}, outside the package", name)
            if hops > 8:
                raise HSDSError("symbolic links that go round in a loop", name)
            return self._zip_member(target, hops + 1)
        if key not in self._zip:
            raise HSDSError("file is missing from the package", name)
        return self._zip[key]

    def read_text(self, name: str) -> str:
        try:
            return self.read_bytes(name).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise HSDSError(f"file is not UTF-8 text (byte {error.start})", name) from None


def _first_link(root: Path, name: str) -> tuple[str, str] | None:
    """(path in the package, target) of the first symbolic link on the way to ``name``."""
    current = root
    for part in PurePosixPath(name).parts:
        current = current / part
        if current.is_symlink():
            return current.relative_to(root).as_posix(), str(current.readlink())
    return None


def _read_zip(path: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """(members, symbolic links) of a zip, refusing bombs and paths that leave the package."""
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
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > MAX_TOTAL_BYTES or ratio > MAX_RATIO:
                raise HSDSError(
                    "archive expands too much (possible zip bomb): limit "
                    f"{MAX_TOTAL_BYTES // (1024 * 1024)} MiB and ratio {MAX_RATIO}:1",
                    f"{path.name}:{info.filename}",
                )
        members, links = {}, {}
        for info in infos:
            with archive.open(info) as handle:
                data = handle.read(info.file_size + 1)
            if len(data) > info.file_size:
                raise HSDSError("member is larger than its header says", info.filename)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:  # a symbolic link
                links[info.filename] = data.decode("utf-8", "replace")
            else:
                members[info.filename] = data
        return members, links


def type_row(
    table: str,
    raw: dict[str, Any],
    where: SourceRow,
    *,
    required: tuple[str, ...] = (),
    complete: bool = False,
    known: dict[str, dict[str, Any]] | None = None,
) -> SourceRow:
    """Type the fields ``raw`` gives into ``where``: core fields into ``values`` (with their
    original spelling in ``forms``), others into ``extra``. ``required`` fields must have a
    value when given; ``complete`` types every core field, absent ones as None (converters
    of older formats build whole records); ``known`` gives a package's own field types."""
    core = {spec["name"]: spec for spec in mapping.descriptor_fields(table)}
    for name, spec in core.items():
        if name not in raw and not complete:
            continue
        value = _typed(table, spec, raw.get(name), where)
        if value is None and name in required:
            raise where.error("a value is required", name)
        where.values[name] = value
        form = values.original_form(spec, raw.get(name), value)
        if form is not None:
            where.forms[name] = form
    for name, value in raw.items():
        if name in core or not name:
            continue
        if isinstance(value, str) and value == "":
            value = None
        spec = (known or {}).get(name)
        if spec and spec.get("type") in values.TYPED and value is not None:
            _typed(table, {**spec, "name": name}, value, where)  # checked, kept as given
        where.extra[name] = value
    return where


def _typed(table: str, spec: dict[str, Any], raw: Any, where: SourceRow) -> Any:
    try:
        return values.parse(table, spec, raw)
    except ValueError as error:
        raise where.error(str(error), spec["name"]) from None


def read_descriptor(source: Source) -> dict[str, Any]:
    """The package's ``datapackage.json``, checked for a resource list and a 3.x version."""
    try:
        descriptor = json.loads(source.read_text("datapackage.json"))
    except json.JSONDecodeError as error:
        raise HSDSError(f"invalid JSON ({error.msg})", "datapackage.json", error.lineno) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise HSDSError("no 'resources' list", "datapackage.json")
    version = str(descriptor.get("version") or "3")
    if not version.startswith("3"):
        raise HSDSError(f"unsupported HSDS version {version!r} (3.x expected)", "datapackage.json")
    return descriptor


def read_csv_package(source: Source) -> Tables:
    """The tables of a tabular data package (``datapackage.json`` plus CSV files)."""
    descriptor = read_descriptor(source)
    tables: Tables = {}
    known = schema.resources()
    for resource in descriptor["resources"]:
        if not isinstance(resource, dict):
            continue
        name, path = resource.get("name"), resource.get("path")
        if not isinstance(path, str):
            continue
        if name not in known:
            tables.setdefault(UNREAD + path, [])
            continue
        tables[name] = _read_csv(source, name, path, resource.get("schema"))
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


def _package_fields(table: str, own: Any) -> tuple[tuple[str, ...], dict[str, dict[str, Any]]]:
    """(required columns, field specs) from the package's own schema of a resource, which a
    profile may change; the official descriptor's when the package gives none."""
    fields = own.get("fields") if isinstance(own, dict) else None
    if not isinstance(fields, list):
        fields = mapping.descriptor_fields(table)
    specs = {f["name"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)}
    required = tuple(
        n for n, f in specs.items() if (f.get("constraints") or {}).get("required") is True
    )
    return required, specs


def _read_csv(source: Source, table: str, path: str, own_schema: Any = None) -> list[SourceRow]:
    header, records = csv_records(source.read_text(path), path)
    required, specs = _package_fields(table, own_schema)
    missing = [f for f in required if f not in header]
    if missing:
        raise HSDSError(f"missing required column {missing[0]!r}", path, 1, missing[0])
    rows, seen = [], set()
    for number, raw in records:
        row = type_row(
            table, raw, SourceRow(path, number, {}, required=required),
            required=required, known=specs,
        )
        if row.values.get("id") is None:
            raise row.error("a value is required", "id")
        if row.values["id"] in seen:
            raise row.error(f"duplicate id {row.values['id']}", "id")
        seen.add(row.values["id"])
        rows.append(row)
    return rows
