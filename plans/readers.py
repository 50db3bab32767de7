"""Reading plan documents (.txt, .docx, .pdf, .xlsx) into lines and table rows.

The parser never sees a file: it gets a ``DocumentText``, a list of blocks in document order,
each either a paragraph line or a table row (a list of cells). Keeping table rows as rows is
what makes a .docx appendix easy; a .txt or OCR appendix arrives as plain lines and the
parser rebuilds the rows itself.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# A real plan .docx is a few hundred KB unpacked; 200 MB or a 100:1 ratio is not a plan.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100.0
MAX_ZIP_ENTRIES = 5000

ERROR_MESSAGES = {
    "empty": "Tệp rỗng, không có nội dung để đọc.",
    "too_large": "Tệp quá lớn (vượt quá {limit} MB). Vui lòng gửi tệp nhỏ hơn.",
    "unsupported": (
        "Định dạng tệp không được hỗ trợ. Vui lòng gửi tệp .docx, .pdf, .txt "
        "hoặc tệp Excel theo mẫu nhập kế hoạch."
    ),
    "zip_bomb": "Tệp nén có kích thước giải nén bất thường, đã bị từ chối vì lý do an toàn.",
    "scanned": (
        "Tệp PDF là bản quét (không có lớp chữ), cần nhận dạng ký tự (OCR) trước khi nhập. "
        "Vui lòng gửi bản .docx hoặc PDF có chữ."
    ),
    "corrupt": "Không đọc được tệp: tệp bị hỏng hoặc không đúng định dạng.",
    "encrypted": "Tệp PDF được đặt mật khẩu, không thể đọc. Vui lòng gửi bản không khóa.",
}


class PlanReadError(Exception):
    """A document that cannot be read; ``message_vi`` is shown to the user as is."""

    def __init__(self, code: str, message_vi: str | None = None) -> None:
        self.code = code
        self.message_vi = message_vi or ERROR_MESSAGES.get(code, ERROR_MESSAGES["corrupt"])
        super().__init__(f"{code}: {self.message_vi}")


@dataclass
class Block:
    """One paragraph line (``cells is None``) or one table row."""

    text: str
    cells: list[str] | None = None
    # a row whose one cell spans the table ("I. Công tác tuyên truyền"): a group title
    spanning: bool = False

    @property
    def is_row(self) -> bool:
        return self.cells is not None


@dataclass
class DocumentText:
    blocks: list[Block] = field(default_factory=list)
    kind: str = "txt"  # txt | docx | pdf | xlsx
    filename: str = ""

    @property
    def lines(self) -> list[str]:
        return [b.text for b in self.blocks]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @classmethod
    def from_text(cls, text: str, filename: str = "") -> DocumentText:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return cls([Block(line) for line in text.split("\n")], "txt", filename)


# ---------------------------------------------------------------- type detection


_EXECUTABLE_EXTS = frozenset(
    {
        "exe",
        "dll",
        "com",
        "scr",
        "msi",
        "bat",
        "cmd",
        "ps1",
        "vbs",
        "js",
        "jar",
        "sh",
        "apk",
        "bin",
        "elf",
        "so",
        "lnk",
        "hta",
        "cpl",
        "pif",
    }
)


def _sniff(data: bytes, filename: str) -> str:
    ext = Path(filename).suffix.lower().lstrip(".")
    if ext in _EXECUTABLE_EXTS:
        # Refused by name whatever the bytes look like: nobody sends a plan as setup.exe.
        raise PlanReadError("unsupported")
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise PlanReadError("corrupt") from exc
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise PlanReadError("unsupported")
    if data.startswith((b"MZ", b"\x7fELF", b"\xd0\xcf\x11\xe0", b"\xca\xfe\xba\xbe")):
        # executables, and legacy .doc/.xls (OLE) which python-docx cannot read
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise PlanReadError(
                "unsupported",
                "Tệp Word/Excel định dạng cũ (.doc/.xls) chưa được hỗ trợ. "
                "Vui lòng lưu lại thành .docx hoặc .xlsx rồi gửi lại.",
            )
        raise PlanReadError("unsupported")
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return "txt"
    if _looks_textual(data):
        return "txt"
    if ext in {"txt", "text", "md", "csv"} and b"\x00" not in data[:4096]:
        return "txt"
    raise PlanReadError("unsupported")


def _looks_textual(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    bad = sum(1 for b in sample if b < 9 or (13 < b < 32 and b != 27))
    return bad <= len(sample) * 0.02


# ---------------------------------------------------------------- txt


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_txt(data: bytes, filename: str) -> DocumentText:
    import unicodedata

    text = unicodedata.normalize("NFC", decode_text(data))
    return DocumentText.from_text(text, filename)


# ---------------------------------------------------------------- docx


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise PlanReadError("corrupt") from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise PlanReadError("zip_bomb")
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED:
        raise PlanReadError("zip_bomb")
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size / max(1, i.compress_size) > MAX_RATIO:
            raise PlanReadError("zip_bomb")
    if total > 10 * 1024 * 1024 and total / packed > MAX_RATIO:
        raise PlanReadError("zip_bomb")


def _clean_cell(text: str) -> str:
    return "\n".join(line.strip() for line in text.replace("\r", "\n").split("\n")).strip()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ROMAN_VALS = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def _roman(n: int) -> str:
    out = ""
    for v, r in _ROMAN_VALS:
        while n >= v:
            out += r
            n -= v
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        r = _roman(max(1, n))
        return r if fmt == "upperRoman" else r.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letters = "abcdeghiklmnopqrstuvxy"  # Vietnamese lists skip f, j, w, z
        c = letters[(n - 1) % len(letters)] if n > 0 else "a"
        return c.upper() if fmt == "upperLetter" else c
    return str(n)


class _Numbering:
    """The labels Word draws in front of auto-numbered paragraphs ("II.", "1.", "a)", "-").

    python-docx gives a paragraph's text without them, and a plan typed with Word's list
    buttons would lose its whole structure (sections, items, bullets) without them."""

    def __init__(self, document: object) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.abstract_of: dict[str, str] = {}
        self.counters: dict[str, list[int]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        # "restart numbering": a list instance that starts a level again at a given number
        self.overrides: dict[str, dict[int, int]] = {}
        self.seen: set[str] = set()
        try:
            self._load(document)
        except Exception:  # no numbering part, or a broken one: the text alone is kept
            self.levels = {}

    def _load(self, document: object) -> None:
        part = document.part.numbering_part  # type: ignore[attr-defined]
        root = part.element
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.iterchildren(_W + "abstractNum"):
            aid = an.get(_W + "abstractNumId") or ""
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in an.iterchildren(_W + "lvl"):
                ilvl = int(lvl.get(_W + "ilvl") or 0)
                fmt_el = lvl.find(_W + "numFmt")
                txt_el = lvl.find(_W + "lvlText")
                start_el = lvl.find(_W + "start")
                fmt = fmt_el.get(_W + "val") if fmt_el is not None else "decimal"
                txt = txt_el.get(_W + "val") if txt_el is not None else "%1."
                start = int(start_el.get(_W + "val") or 1) if start_el is not None else 1
                lv[ilvl] = (fmt or "decimal", txt or "", start)
            abstract[aid] = lv
        for num in root.iterchildren(_W + "num"):
            nid = num.get(_W + "numId") or ""
            ref = num.find(_W + "abstractNumId")
            aid = ref.get(_W + "val") if ref is not None else ""
            self.abstract_of[nid] = aid or ""
            for ilvl, spec in abstract.get(aid or "", {}).items():
                self.levels[(nid, ilvl)] = spec
            for ov in num.iterchildren(_W + "lvlOverride"):
                so = ov.find(_W + "startOverride")
                if so is not None:
                    lvl_no = int(ov.get(_W + "ilvl") or 0)
                    self.overrides.setdefault(nid, {})[lvl_no] = int(so.get(_W + "val") or 1)
        by_id = {}
        for st in document.styles:  # type: ignore[attr-defined]
            by_id[st.style_id] = st
        for sid, st in by_id.items():
            # numbering set on a style, or on the style it is based on ("Heading 2" → …)
            cur, depth = st, 0
            while cur is not None and depth < 10:
                ppr = cur.element.find(_W + "pPr")
                numpr = ppr.find(_W + "numPr") if ppr is not None else None
                if numpr is not None:
                    self.style_num[sid] = _numpr(numpr, ("", 0))
                    break
                cur, depth = getattr(cur, "base_style", None), depth + 1

    def label(self, p_element: object, style_id: str | None) -> str:
        if not self.levels:
            return ""
        ppr = p_element.find(_W + "pPr")  # type: ignore[attr-defined]
        numpr = ppr.find(_W + "numPr") if ppr is not None else None
        nid, ilvl = self.style_num.get(style_id or "", ("", 0))
        if numpr is not None:
            nid, ilvl = _numpr(numpr, (nid, ilvl))
        if not nid or nid == "0" or (nid, ilvl) not in self.levels:
            return ""
        fmt, text, _start = self.levels[(nid, ilvl)]
        key = self.abstract_of.get(nid, nid)
        counts = self.counters.setdefault(key, [0] * 9)
        if nid not in self.seen:
            self.seen.add(nid)
            for lvl_no, start in self.overrides.get(nid, {}).items():
                if 0 <= lvl_no < 9:
                    counts[lvl_no] = 0
                    self.levels[(nid, lvl_no)] = (
                        *self.levels.get((nid, lvl_no), ("decimal", "%1.", 1))[:2],
                        start,
                    )
        if ilvl < 9:
            if counts[ilvl] == 0:
                counts[ilvl] = self.levels[(nid, ilvl)][2]
            else:
                counts[ilvl] += 1
            for deeper in range(ilvl + 1, 9):
                counts[deeper] = 0
        if fmt == "bullet":
            return "+" if text.strip() == "+" else "-"
        if fmt == "none":
            return ""
        out = text
        for k in range(9):
            if f"%{k + 1}" in out:
                spec = self.levels.get((nid, k), ("decimal", "", 1))
                out = out.replace(f"%{k + 1}", _format_number(max(counts[k], 1), spec[0]))
        return out.strip()


def _numpr(numpr: object, default: tuple[str, int]) -> tuple[str, int]:
    nid_el = numpr.find(_W + "numId")  # type: ignore[attr-defined]
    il_el = numpr.find(_W + "ilvl")  # type: ignore[attr-defined]
    nid = nid_el.get(_W + "val") if nid_el is not None else default[0]
    ilvl = int(il_el.get(_W + "val") or 0) if il_el is not None else default[1]
    return nid or "", ilvl


def _read_docx(data: bytes, filename: str) -> DocumentText:
    _check_zip(data)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except PlanReadError:
        raise
    except Exception as exc:  # python-docx raises many kinds on broken files
        raise PlanReadError("corrupt") from exc

    blocks: list[Block] = []
    body = document.element.body

    def emit_table(table: Table) -> None:
        for row in table.rows:
            cells: list[str] = []
            prev_tc = None
            row_cells = row.cells
            widest = max(
                (sum(1 for c in row_cells if c._tc is t._tc) for t in row_cells), default=0
            )
            for cell in row_cells:
                # A horizontally merged cell comes back once per grid column: keep the column
                # (so data rows stay aligned with the header) but not the repeated text.
                # A vertically merged cell repeats its text in every row it spans, which is
                # what a task row sharing a deadline cell with the row above means.
                if cell._tc is prev_tc:
                    cells.append("")
                    continue
                prev_tc = cell._tc
                nested = cell.tables
                text = _clean_cell(cell.text)
                if nested and not text:
                    for t in nested:
                        emit_table(t)
                    continue
                cells.append(text)
            if any(c for c in cells):
                spanning = (
                    len(row_cells) >= 3
                    and widest >= len(row_cells) - 1
                    and sum(1 for c in cells if c) == 1
                )
                blocks.append(
                    Block(" | ".join(c.replace("\n", " ") for c in cells), cells, spanning)
                )

    numbering = _Numbering(document)
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            text = para.text
            try:
                label = numbering.label(child, para.style.style_id if para.style else None)
            except Exception:  # a broken numbering part must not lose the text
                label = ""
            if label and text.strip():
                text = f"{label} {text.lstrip()}"
            for line in text.replace("\r", "\n").split("\n"):
                blocks.append(Block(line))
        elif tag == "tbl":
            emit_table(Table(child, document))
    return DocumentText(blocks, "docx", filename)


# ---------------------------------------------------------------- pdf


_STT_LIKE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6}|[A-Z])[.)]?$")


class _BorderlessTable:
    """A table printed without rules: pdfplumber finds no table, and its text lines run the
    cells together ("1 Nâng cấp mạng Văn phòng HĐND Phòng Kinh tế Quý II/2026"). A header
    line whose pieces name the columns (content, lead, deadline …) gives the column stops;
    the lines under it are cut at those stops into rows, until a line runs across a stop
    (a paragraph again). The stops carry over a page break."""

    def __init__(self) -> None:
        self.stops: list[float] | None = None
        self.header: Block | None = None
        self.rows = 0

    @staticmethod
    def _words(line: dict) -> list[tuple[float, float, str, float]]:
        """(x0, x1, text, gap before) of each word of a pdfplumber text line."""
        chars = [c for c in line.get("chars") or [] if c.get("text")]
        words: list[list] = []
        prev_x1 = None
        for c in chars:
            size = float(c.get("size") or 10.0)
            x0, x1 = float(c["x0"]), float(c["x1"])
            gap = x0 - prev_x1 if prev_x1 is not None else 0.0
            if c["text"].isspace():
                prev_x1 = x1 if prev_x1 is None else prev_x1
                continue
            if not words or gap > 0.18 * size:
                words.append([x0, x1, c["text"], gap / size if prev_x1 is not None else 9.0])
            else:
                words[-1][1] = x1
                words[-1][2] += c["text"]
            prev_x1 = x1
        return [(w[0], w[1], w[2], w[3]) for w in words]

    def line(self, line: dict, text: str) -> Block:
        try:
            return self._line(line, text)
        except Exception:  # a PDF oddity must not lose the text
            self.stops = None
            return Block(text)

    def _line(self, line: dict, text: str) -> Block:
        from plans.parser import _role_of_header

        words = self._words(line)
        if not words:
            return Block(text)
        # pieces: runs of words with small gaps between them
        pieces: list[list] = []
        for x0, x1, w, gap in words:
            if not pieces or gap > 0.9:
                pieces.append([x0, x1, w])
            else:
                pieces[-1][1] = x1
                pieces[-1][2] += " " + w
        roles = [_role_of_header(pc[2]) for pc in pieces]
        known = [r for r in roles if r]
        if (
            len(pieces) >= 3
            and len(known) >= 3
            and "content" in known
            and {"lead", "deadline"} & set(known)
            and len(known) >= len(pieces) - 1
        ):
            self.stops = [pc[0] for pc in pieces]
            cells = [pc[2] for pc in pieces]
            self.header, self.rows = Block(" | ".join(cells), cells), 0
            return self.header
        stops = self.stops
        if stops is None:
            return Block(text)
        sub_roles = [_role_of_header(pc[2]) for pc in pieces]
        if self.rows == 0 and self.header is not None and all(sub_roles):
            # "Chủ trì | Phối hợp" under "Đơn vị thực hiện": new columns of the header
            header = self.header
            assert header.cells is not None
            for pc, role in zip(pieces, sub_roles, strict=True):
                if role in ("lead", "coop") and all(abs(pc[0] - st) > 3 for st in stops):
                    k = sum(1 for st in stops if st < pc[0])
                    stops.insert(k, pc[0])
                    header.cells.insert(k, "")
            header.text = " | ".join(header.cells)
            sub = [""] * len(stops)
            for pc in pieces:
                k = max((j for j, st in enumerate(stops) if pc[0] >= st - 3), default=0)
                sub[k] = (sub[k] + " " + pc[2]).strip()
            return Block(" | ".join(sub), sub)
        self.rows += 1
        if text.strip().isdigit() and len(words) == 1 and words[0][0] > stops[1]:
            return Block(text)  # a page number, not a row
        cells = [""] * len(stops)
        for x0, x1, w, _gap in words:
            col = 0
            for k, stop in enumerate(stops):
                if x0 >= stop - 2:
                    col = k
            # a word running over the next stop: the line is a paragraph, the table is over
            if col + 1 < len(stops) and x1 > stops[col + 1] + 2:
                self.stops = None
                return Block(text)
            cells[col] = (cells[col] + " " + w).strip()
        if sum(1 for c in cells if c) == 1 and cells[0] and not _STT_LIKE.match(cells[0]):
            # text at the left margin only ("Nơi nhận:", a closing sentence): the table ended
            self.stops = None
            return Block(text)
        return Block(" | ".join(cells), cells)


def _read_pdf(data: bytes, filename: str) -> DocumentText:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise PlanReadError("unsupported") from exc
    blocks: list[Block] = []
    any_text = False
    _borderless = _BorderlessTable()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages[:500]:
                tables = []
                try:
                    tables = page.find_tables()
                except Exception:
                    tables = []
                boxes = [t.bbox for t in tables]

                def outside(obj: dict, boxes: list = boxes) -> bool:
                    x = (obj["x0"] + obj["x1"]) / 2
                    y = (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                items: list[tuple[float, list[Block]]] = []
                text_page = page.filter(outside) if boxes else page
                words = text_page.extract_text_lines() or []
                for w in words:
                    t = (w.get("text") or "").strip()
                    if t:
                        any_text = True
                        items.append((float(w["top"]), [_borderless.line(w, t)]))
                for t in tables:
                    rows = []
                    for r in t.extract() or []:
                        # merged cells come back as None: keep the column (so rows stay aligned
                        # with the header) but not the text twice
                        cells = [_clean_cell(c or "") for c in r]
                        if any(cells):
                            any_text = True
                            merged = sum(1 for c in r if c is None)
                            spanning = (
                                len(r) >= 3
                                and merged >= len(r) - 2
                                and sum(1 for c in cells if c) == 1
                            )
                            rows.append(
                                Block(
                                    " | ".join(c.replace("\n", " ") for c in cells),
                                    cells,
                                    spanning,
                                )
                            )
                    items.append((float(t.bbox[1]), rows))
                items.sort(key=lambda it: it[0])
                for _, bl in items:
                    blocks.extend(bl)
    except PlanReadError:
        raise
    except Exception as exc:
        name = type(exc).__name__.lower()
        if "password" in name or "encrypt" in str(exc).lower():
            raise PlanReadError("encrypted") from exc
        raise PlanReadError("corrupt") from exc
    if not any_text:
        raise PlanReadError("scanned")
    return DocumentText(blocks, "pdf", filename)


# ---------------------------------------------------------------- xlsx


def _read_xlsx(data: bytes, filename: str) -> DocumentText:
    _check_zip(data)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise PlanReadError("corrupt") from exc
    blocks: list[Block] = []
    try:
        for ws in wb.worksheets[:5]:
            for n, row in enumerate(ws.iter_rows(values_only=True)):
                if n > 5000:
                    break
                cells = [_xlsx_value(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if any(cells):
                    blocks.append(Block(" | ".join(c.replace("\n", " ") for c in cells), cells))
    finally:
        wb.close()
    return DocumentText(blocks, "xlsx", filename)


def _xlsx_value(v: object) -> str:
    import datetime as dtm

    if v is None:
        return ""
    if isinstance(v, dtm.datetime):
        if v.hour or v.minute:
            return f"{v.hour:02d} giờ {v.minute:02d}, ngày {v.day:02d}/{v.month:02d}/{v.year}"
        return f"{v.day:02d}/{v.month:02d}/{v.year}"
    if isinstance(v, dtm.date):
        return f"{v.day:02d}/{v.month:02d}/{v.year}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return _clean_cell(str(v))


# ---------------------------------------------------------------- entry point


def read_document(
    path_or_bytes: str | os.PathLike[str] | bytes,
    filename: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> DocumentText:
    """Read a plan file into blocks; raise ``PlanReadError`` with a Vietnamese message."""
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        data = bytes(path_or_bytes)
        name = filename or ""
    else:
        p = Path(path_or_bytes)
        name = filename or p.name
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise PlanReadError("corrupt", "Không tìm thấy hoặc không mở được tệp.") from exc
        if size > max_bytes:
            raise PlanReadError(
                "too_large", ERROR_MESSAGES["too_large"].format(limit=max_bytes // (1024 * 1024))
            )
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise PlanReadError("corrupt", "Không tìm thấy hoặc không mở được tệp.") from exc
    if len(data) > max_bytes:
        raise PlanReadError(
            "too_large",
            ERROR_MESSAGES["too_large"].format(limit=max(1, max_bytes // (1024 * 1024))),
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise PlanReadError("empty")
    kind = _sniff(data, name)
    reader = {"txt": _read_txt, "docx": _read_docx, "pdf": _read_pdf, "xlsx": _read_xlsx}[kind]
    doc = reader(data, name)
    if not any(b.text.strip() for b in doc.blocks):
        raise PlanReadError("scanned" if kind == "pdf" else "empty")
    return doc


def read_text(
    path_or_bytes: str | os.PathLike[str] | bytes,
    filename: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> DocumentText:
    """Alias used by ARCHITECTURE §4.1 (``plans.read_text``)."""
    return read_document(path_or_bytes, filename, max_bytes=max_bytes)
