"""Officer roster import from .xlsx or .csv, headers found by meaning, without diacritics.

Valid lines are imported; each invalid line is reported with its number ("Dòng 5: thiếu họ
tên.") and skipped. A file that cannot be read at all (too large, a zip bomb, no header row)
raises :class:`RosterError` with one Vietnamese sentence.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import itertools
import zipfile
from typing import Any

from sqlmodel import Session

from db.models import Role
from db.officers import add_officer, find_officer
from db.orgs import get_or_create_unit, org_directory
from messages import render
from plans.text import fold
from plans.units import UnitDirectory

MAX_ROSTER_BYTES = 5 * 1024 * 1024  # a roster of thousands of officers is well under 1 MB
MAX_UNCOMPRESSED = 20 * 1024 * 1024  # all members of an .xlsx, as declared in the zip
MAX_ZIP_MEMBERS = 500
MAX_ROWS = 5000
MAX_COLS = 40
NAME_MAX = 200  # Officer.name

HEADER_WORDS = {
    "name": ("ho va ten", "ho ten", "ten can bo", "ten"),
    "unit": ("don vi", "co quan", "phong", "ten don vi", "ten co quan", "bo phan"),
    "role": ("vai tro",),
    "position": ("chuc vu",),
    "title": ("chuc danh",),
    "phone": ("so dien thoai", "dien thoai", "sdt"),
}
# Words in a "Vai trò" cell, most specific first; a value matching none is refused.
ROLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Role.ADMIN, ("quan tri", "admin")),
    (Role.MONITOR, ("theo doi", "don doc", "monitor")),
    (Role.LEADER, ("chu tich", "lanh dao", "leader")),
    (Role.UNIT_HEAD, ("truong phong", "chanh van phong", "giam doc", "truong don vi",
                      "truong ban", "chi huy truong", "truong tram", "truong cong an",
                      "unit_head", "unit head")),
    (Role.OFFICER, ("can bo", "cong chuc", "chuyen vien", "nhan vien", "vien chuc", "officer",
                    "ke toan", "van thu", "thu quy")),
)


class RosterError(Exception):
    """The roster cannot be read at all; the message is one Vietnamese sentence."""


@dataclasses.dataclass
class RosterRow:
    name: str
    unit: str | None
    role: str
    title: str | None
    phone: str | None
    line: int


@dataclasses.dataclass(frozen=True)
class LineError:
    line: int
    message: str  # "Dòng 5: thiếu họ tên."


@dataclasses.dataclass
class Roster:
    rows: list[RosterRow]
    errors: list[LineError]


@dataclasses.dataclass
class RosterImportResult:
    added: int
    updated: int
    unknown_units: list[str]  # names that matched no unit of the commune
    errors: list[LineError] = dataclasses.field(default_factory=list)
    created_units: list[str] = dataclasses.field(default_factory=list)
    officer_ids: list[int] = dataclasses.field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.added + self.updated

    def text(self, *, cli: bool = True) -> str:
        """The result as plain text (for the command line)."""
        return html.unescape(render("roster_result", r=self, cli=cli))


def _error(kind: str, **ctx: Any) -> RosterError:
    return RosterError(html.unescape(render("roster_error", kind=kind, **ctx)))


def _line_error(line: int, kind: str, **ctx: Any) -> LineError:
    return LineError(line, html.unescape(render("roster_line", kind=kind, line=line, **ctx)))


def role_from(text: str | None) -> str | None:
    """The role a "Vai trò" cell names, or None when it names none we know."""
    f = fold(text or "").replace("_", " ").strip()
    for role, words in ROLE_WORDS:
        if f == role or any(w in f for w in words):
            return role
    return None


def role_of(text: str | None) -> str:
    """The role suggested by a position ("Chức vụ"); anything else is an ordinary officer."""
    return role_from(text) or Role.OFFICER


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".replace(".", ",").removesuffix(",0")


def check_size(size: int, max_bytes: int = MAX_ROSTER_BYTES) -> None:
    if size > max_bytes:
        raise _error("too_big", size_mb=_mb(size), limit_mb=_mb(max_bytes))


def _check_zip(content: bytes) -> None:
    """Refuse an .xlsx whose members would inflate past MAX_UNCOMPRESSED, before openpyxl.

    The sizes are those declared in the zip's directory; CPython's zipfile never inflates a
    member past its declared size (it stops there and the CRC check fails), so they bound
    what openpyxl can be made to read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _error("bad_xlsx") from exc
    total = sum(max(0, i.file_size) for i in infos)
    if len(infos) > MAX_ZIP_MEMBERS or total > MAX_UNCOMPRESSED:
        raise _error("zip_bomb", limit_mb=_mb(MAX_UNCOMPRESSED))


def _text(value: object, key: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if key == "phone" and isinstance(value, int) and len(text) == 9:
        text = "0" + text  # Excel drops the leading zero of 09xx… numbers
    return text


def _rows_from(content: bytes, filename: str) -> list[list[Any]]:
    if content[:4] == b"\xd0\xcf\x11\xe0":
        raise _error("xls")
    if content[:2] == b"PK":
        _check_zip(content)
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # a malformed workbook raises anything from KeyError to XML
            raise _error("bad_xlsx") from exc
        try:
            ws = wb.active
            if ws is None:
                raise _error("no_sheet")
            rows = [list(r) for r in itertools.islice(
                ws.iter_rows(max_col=MAX_COLS, values_only=True), MAX_ROWS + 2)]
        except RosterError:
            raise
        except Exception as exc:
            raise _error("bad_xlsx") from exc
        finally:
            wb.close()
        return rows
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error("encoding") from exc
    if "\x00" in text:
        raise _error("unsupported")
    dialect = ";" if text.count(";") > text.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text), delimiter=dialect)
        return [row[:MAX_COLS] for row in itertools.islice(reader, MAX_ROWS + 2)]
    except csv.Error as exc:
        raise _error("unsupported") from exc


def _header_map(row: list[str]) -> dict[str, int]:
    """Column of each known header; the longest matching header word wins ("Tên đơn vị")."""
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        f = " ".join(fold(cell).replace(".", " ").split())
        best: tuple[int, str] | None = None
        for key, words in HEADER_WORDS.items():
            for w in words:
                if (f == w or f.startswith(w + " ")) and (best is None or len(w) > best[0]):
                    best = (len(w), key)
        if best is not None and best[1] not in found:
            found[best[1]] = i
    return found


def read_roster(content: bytes, filename: str, *, max_bytes: int = MAX_ROSTER_BYTES) -> Roster:
    """Rows of the roster, and the lines that cannot be imported with the reason why."""
    check_size(len(content), max_bytes)
    raw = _rows_from(content, filename)
    for index, raw_row in enumerate(raw[:10]):  # noqa: B007 (index is used after the loop)
        header = _header_map([_text(v) for v in raw_row])
        if "name" in header:
            break
    else:
        raise _error("no_header")
    if len(raw) - index - 1 > MAX_ROWS:
        raise _error("too_many_rows", limit=MAX_ROWS)

    rows: list[RosterRow] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for line, raw_row in enumerate(raw[index + 1:], start=index + 2):
        values = {key: _text(raw_row[i], key) if i < len(raw_row) else ""
                  for key, i in header.items()}
        name = " ".join(values.get("name", "").split())
        if not name:
            if any(v for k, v in values.items() if k != "name"):
                errors.append(_line_error(line, "no_name"))
            continue  # a blank (or only numbered) line is not an error
        if len(name) > NAME_MAX:
            errors.append(_line_error(line, "too_long", limit=NAME_MAX))
            continue
        key = fold(name)
        if key in seen:
            errors.append(_line_error(line, "duplicate", name=name, other=seen[key]))
            continue
        role_text, position = values.get("role") or None, values.get("position") or None
        if role_text:
            role = role_from(role_text)
            if role is None:
                errors.append(_line_error(line, "bad_role", value=role_text[:60]))
                continue
        else:
            role = role_of(position)
        seen[key] = line
        rows.append(RosterRow(name, values.get("unit") or None, role,
                              (values.get("title") or position or role_text or "")[:200] or None,
                              (values.get("phone") or "")[:32] or None, line))
    if not rows and not errors:
        raise _error("empty")
    return Roster(rows, errors)


def import_roster(session: Session, org_id: int, roster: Roster | list[RosterRow], *,
                  directory: UnitDirectory | None = None,
                  create_units: bool = False) -> RosterImportResult:
    """Write the valid lines in the caller's transaction; unknown units refuse their line
    unless ``create_units`` (then the unit is created as written and listed)."""
    rows = roster.rows if isinstance(roster, Roster) else roster
    errors = list(roster.errors) if isinstance(roster, Roster) else []
    directory = directory or org_directory(session, org_id)
    result = RosterImportResult(0, 0, [])
    for row in rows:
        unit_id = None
        if row.unit:
            known = directory.resolve(row.unit)
            if known is not None and known.kind == "group":
                errors.append(_line_error(row.line, "group_unit", value=row.unit))
                continue
            if known is not None and known.kind == "external":
                errors.append(_line_error(row.line, "external_unit", value=row.unit))
                continue
            if known is None:
                if row.unit not in result.unknown_units:
                    result.unknown_units.append(row.unit)
                if not create_units:
                    errors.append(_line_error(row.line, "unknown_unit", value=row.unit,
                                              suggest=directory.suggest(row.unit)))
                    continue
                if row.unit not in result.created_units:
                    result.created_units.append(row.unit)
                directory.add(row.unit)
            unit_id = get_or_create_unit(session, org_id, known.name if known else row.unit).id
        existed = find_officer(session, org_id, row.name) is not None
        officer = add_officer(session, org_id, row.name, unit_id=unit_id, role=row.role,
                              title=row.title, phone=row.phone)
        result.officer_ids.append(officer.id or 0)
        result.updated += existed
        result.added += not existed
    result.errors = sorted(errors, key=lambda e: e.line)
    return result
