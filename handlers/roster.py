"""Officer roster import from .xlsx or .csv, headers found by meaning, without diacritics."""

from __future__ import annotations

import csv
import dataclasses
import io

from sqlmodel import Session

from db.officers import add_officer
from db.orgs import get_or_create_unit
from plans.text import fold
from plans.units import UnitDirectory, default_directory

HEADER_WORDS = {
    "name": ("ho va ten", "ho ten", "ten can bo", "ten"),
    "unit": ("don vi", "co quan", "phong"),
    "role": ("vai tro", "chuc vu"),
    "title": ("chuc danh",),
    "phone": ("so dien thoai", "dien thoai", "sdt"),
}


class RosterError(Exception):
    """The roster cannot be read; the message is Vietnamese and names the line."""


@dataclasses.dataclass
class RosterRow:
    name: str
    unit: str | None
    role: str
    title: str | None
    phone: str | None
    line: int


@dataclasses.dataclass
class RosterImportResult:
    added: int
    updated: int
    unknown_units: list[str]


def role_of(text: str | None) -> str:
    f = fold(text or "")
    if "quan tri" in f or "admin" in f:
        return "admin"
    if "theo doi" in f or "don doc" in f or "monitor" in f:
        return "monitor"
    if "chu tich" in f or "lanh dao" in f or "leader" in f:
        return "leader"
    if any(w in f for w in ("truong phong", "chanh van phong", "giam doc", "truong don vi",
                            "unit_head")):
        return "unit_head"
    return "officer"


def _rows_from(content: bytes, filename: str) -> list[list[str]]:
    if content[:2] == b"PK":
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        if ws is None:
            raise RosterError("Tệp Excel không có trang tính nào.")
        return [["" if v is None else str(v).strip() for v in row]
                for row in ws.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError("Tệp CSV phải được lưu với mã UTF-8.") from exc
    dialect = ";" if text.count(";") > text.count(",") else ","
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=dialect)]


def _header_map(row: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        f = fold(cell)
        for key, words in HEADER_WORDS.items():
            if key not in found and any(f == w or f.startswith(w) for w in words):
                found[key] = i
                break
    return found


def read_roster(content: bytes, filename: str) -> list[RosterRow]:
    rows = _rows_from(content, filename)
    for index, row in enumerate(rows[:10]):  # noqa: B007 (index is used after the loop)
        header = _header_map(row)
        if "name" in header:
            break
    else:
        raise RosterError("Không tìm thấy dòng tiêu đề có cột «Họ và tên».")

    def cell(row: list[str], key: str) -> str | None:
        i = header.get(key)
        value = row[i].strip() if i is not None and i < len(row) else ""
        return value or None

    out = []
    for line, row in enumerate(rows[index + 1:], start=index + 2):
        name = cell(row, "name")
        if not name:
            continue
        out.append(RosterRow(name, cell(row, "unit"), role_of(cell(row, "role")),
                             cell(row, "title") or cell(row, "role"), cell(row, "phone"), line))
    if not out:
        raise RosterError("Danh sách không có cán bộ nào.")
    return out


def import_roster(session: Session, org_id: int, rows: list[RosterRow], *,
                  directory: UnitDirectory | None = None) -> RosterImportResult:
    from db.officers import find_officer

    directory = directory or default_directory()
    added = updated = 0
    unknown: list[str] = []
    for row in rows:
        unit_id = None
        if row.unit:
            known = directory.resolve(row.unit)
            name = known.name if known else row.unit
            if known is None and row.unit not in unknown:
                unknown.append(row.unit)
            unit_id = get_or_create_unit(session, org_id, name).id
        existed = find_officer(session, org_id, row.name) is not None
        add_officer(session, org_id, row.name, unit_id=unit_id, role=row.role, title=row.title,
                    phone=row.phone)
        updated += existed
        added += not existed
    return RosterImportResult(added, updated, unknown)
