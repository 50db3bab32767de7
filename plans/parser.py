"""Finding the tasks of a plan (Kế hoạch): metadata, sections, the appendix table, assignments.

Where tasks come from, in order of preference:

1. The task appendix (Phụ lục / Danh mục nhiệm vụ) as table rows (docx, pdf, xlsx), or as text
   rebuilt into rows: flattened one cell per line (a PDF saved as text) or OCR lines where the
   cells of a row sit side by side, split by ``|`` or not at all, and wrap mid-cell.
2. Otherwise the body: the bullets of the content section (II. NỘI DUNG / NHIỆM VỤ), with the
   unit named in the bullet, in the item's assignment lines (``Cơ quan chủ trì thực hiện:``), or
   given by the implementation section (``Phòng Kinh tế: Chủ trì … các nội dung về cải cách tài
   chính công``).
3. Always: reports with a dated deadline in the implementation section (``+ Phòng …: Tham mưu
   báo cáo …`` with ``Báo cáo gửi … chậm nhất 15 giờ, ngày 06/5/2026``).

Column roles are recognised by what the header says (``Cơ quan chủ trì``, ``Tiến độ hoàn
thành`` …), never by position in a known file. ``parse_plan`` never raises: on text it cannot
make sense of it returns an empty plan with a warning.
"""

from __future__ import annotations

import dataclasses
import datetime as dtm
import functools
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from plans.deadlines import Deadline, parse_deadline
from plans.readers import Block, DocumentText
from plans.text import fold as _fold_raw
from plans.text import fold_aligned as _fold_aligned_raw
from plans.text import roman_to_int
from plans.units import (
    Unit,
    UnitDirectory,
    clean_unit_name,
    shared_default_directory,
    split_units,
)

log = logging.getLogger(__name__)

# Folding is the hot spot of a parse (str.translate over Vietnamese text); the same lines and
# cells are folded many times, and again on every re-import of a plan.
fold = functools.lru_cache(maxsize=32768)(_fold_raw)
fold_aligned = functools.lru_cache(maxsize=32768)(_fold_aligned_raw)

_NONE_DEADLINE = Deadline("none", None, "")


# ====================================================================== results


@dataclass
class ParsedTask:
    ref: str
    title: str
    text: str = ""
    section: str = ""
    lead: list[str] = field(default_factory=list)
    cooperate: list[str] = field(default_factory=list)
    leader: str | None = None
    deadline_text: str = ""
    deadline: Deadline = _NONE_DEADLINE
    lead_raw: list[str] = field(default_factory=list)
    cooperate_raw: list[str] = field(default_factory=list)
    source: str = "body"  # appendix | body | assignment | template

    @property
    def deadline_kind(self) -> str:
        return self.deadline.kind

    @property
    def due(self) -> dtm.datetime | None:
        return self.deadline.due

    @property
    def condition(self) -> str | None:
        return self.deadline.condition

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "title": self.title,
            "lead": list(self.lead),
            "cooperate": list(self.cooperate),
            "leader": self.leader,
            "deadline_text": self.deadline_text,
            "deadline_kind": self.deadline.kind,
            "due": self.deadline.due.isoformat() if self.deadline.due else None,
            "condition": self.deadline.condition,
        }


@dataclass
class ParsedPlan:
    title: str = ""
    number: str | None = None
    issuer: str | None = None
    issued_on: dtm.date | None = None
    year: int | None = None
    tasks: list[ParsedTask] = field(default_factory=list)
    unknown_units: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    external_units: list[str] = field(default_factory=list)
    level: str = "xa"

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": {
                "title": self.title,
                "number": self.number,
                "issuer": self.issuer,
                "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            },
            "tasks": [t.to_json() for t in self.tasks],
        }


# ====================================================================== small helpers

_WS = re.compile(r"\s+")
_MD = re.compile(r"\*{1,3}|_{2,}")
_TERMINAL = (".", ";", ":", "!", "?")
_LOCALITY_TOKENS = {"xa", "x3", "x4", "x3a", "xi", "phuong", "tran"}


@functools.lru_cache(maxsize=32768)
def _clean(s: str) -> str:
    s = _MD.sub("", s or "")
    return _WS.sub(" ", s.replace("\u00a0", " ")).strip()


def _starts_lower(s: str) -> bool:
    for ch in s:
        if ch.isalpha():
            return ch.islower()
        if ch.isdigit():
            return False
        if ch in "(\"'“":
            continue
        return False
    return False


_CONTENT_LABEL = re.compile(r"^(?:Nội dung|Nhiệm vụ|Tên nhiệm vụ|Noi dung|Nhiem vu)\s*:\s*", re.I)


_TITLE_LABEL_CUT = re.compile(
    r"\.\s+(?=(?:Lãnh đạo|Đơn vị|Cơ quan|Thời gian|Thời hạn|Chủ trì|Phối hợp)[^:.]{0,40}:)"
)


def _title_of(text: str, limit: int = 240) -> str:
    t = _clean(text).lstrip("-–+•* ").strip()
    t = _CONTENT_LABEL.sub("", t)
    m = re.search(r"(?<=[^\s.]{3})\.\s+(?=[A-ZĐÀ-Ỹ])", t)
    if m and m.start() >= 40:
        t = t[: m.start() + 1]
    elif (lm := _TITLE_LABEL_CUT.search(t)) and lm.start() >= 10:
        # "Tổ chức giải bóng đá. Lãnh đạo phụ trách: … Đơn vị thực hiện: …"
        t = t[: lm.start()]
    if len(t) > limit:
        cut = t.rfind(" ", 0, limit)
        t = t[: cut if cut > 40 else limit].rstrip(",;: ") + "…"
    return t


def _join(a: str, b: str) -> str:
    if not a:
        return b
    if not b:
        return a
    if a.endswith("-") and not a.endswith(" -") and b[:1].isupper():
        return a + b  # "HĐND-" + "UBND"
    return a + " " + b


# ====================================================================== metadata

_NUMBER_RE = re.compile(
    r"(?:^|\s|\|)(?:so|s[o0-9$]|\$[o0-9])\s*[:.]?\s*(\d{1,5})\s*/\s*((?:[a-z]{1,6}-)*[a-z]{1,8})\b"
)
_NUMBER_ANY = re.compile(r"ke hoach so\s*[:.]?\s*(\d{1,5})\s*/\s*((?:[a-z]{1,6}-)*[a-z]{1,8})")
_DATE_LINE = re.compile(
    r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+n[a-z0-9]m\s+(\d{4})|ngay\s+(\d{1,2})/(\d{1,2})/(\d{4})"
)
_YEAR_ONLY = re.compile(r"ngay\s+thang\s+\d{1,2}\s+n[a-z0-9]m\s+(\d{4})")
_ISSUER_RE = re.compile(
    r"(?i:ủy ban nhân dân|uỷ ban nhân dân|uy ban nhan dan|ubnd)[ \n]+"
    r"(?i:(xã|phường|thị trấn|đặc khu|xa|phuong|thi tran|dac khu|x3|x4|xi)) +"
    r"((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?: [A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3})"
)
# words that start the national motto in the right column of a two-column header
_MOTTO_WORDS = ("cong hoa", "doc lap", "dang cong san")


# the right column starts at a run of spaces, a tab, a cell border, or the motto itself (a PDF
# puts both columns on one line with one space between)
_MOTTO_SPLIT = re.compile(
    r"\t|\s{3,}|\s\|\s|\s(?=(?:CỘNG HÒA|CỘNG HOÀ|Cộng hòa|CONG HOA|ĐỘC LẬP|Độc lập|DOC LAP|"
    r"Doc lap|Đôc lập)\b)"
)


def _header_left(lines: list[str]) -> list[str]:
    """The left column of a two-column header ("ỦY BAN NHÂN DÂN    CỘNG HÒA XÃ HỘI …"),
    with a name split over two lines ("ỦY BAN NHÂN DÂN" / "XÃ PHÚ MỸ") joined."""
    left = [_MOTTO_SPLIT.split(ln.strip())[0] for ln in lines[:12]]
    out = []
    for k, ln in enumerate(left):
        if fold(ln).strip() in ("uy ban nhan dan", "ubnd") and k + 1 < len(left):
            out.append(ln.strip() + " " + left[k + 1].strip())
    return out


_LEVEL_WORD = {
    "xa": "xã",
    "x3": "xã",
    "x4": "xã",
    "xi": "xã",
    "phuong": "phường",
    "thi tran": "thị trấn",
    "dac khu": "đặc khu",
}


def _symbol(s: str) -> str:
    """The document's symbol in capitals, except the small r of "CTr"/"TTr" (chương trình,
    tờ trình) as printed; OCR in lower case is put in capitals."""
    s = s.strip()
    if s != s.upper() and s.replace("Tr", "TR") == s.upper():
        return s
    return s.upper()


_SUBJECT_LINE = re.compile(r"^(?:V/v|V/V|v/v|Về việc|Ve viec)\s*[:.]?\s+(\S.*)$")


def _metadata(plan: ParsedPlan, lines: list[str], ref_date: dtm.date | None) -> int:
    """Fill number/date/issuer/title/year; return the index where the body starts."""
    head_end = min(len(lines), 60)
    title_idx = None
    inline_title = ""
    kind_word = ""
    for i in range(head_end):
        f = fold(lines[i]).strip(" .:'\"|")
        if f in ("ke hoach", "ke hoach:") or re.fullmatch(r"k[eé&] ho[a-z]ch", f):
            title_idx = i
            break
        if f in ("chuong trinh", "chuong trinh cong tac", "thong bao"):
            title_idx, kind_word = i, _clean(lines[i]).capitalize()
            break
        t = _clean(lines[i])
        if f.startswith("chuong trinh cong tac ") and _is_upper_heading(t):
            # "CHƯƠNG TRÌNH CÔNG TÁC NĂM 2026" on one line
            title_idx, inline_title = i, t
            break
        if f.startswith("ke hoach ") and _is_upper_heading(t) and len(f.split()) >= 4:
            # "KẾ HOẠCH TRIỂN KHAI CÔNG TÁC … NĂM 2026" on one line
            title_idx, inline_title = i, t.split(None, 2)[2] if len(t.split()) > 2 else ""
            break

    # number: in the header (before the title) or "Kèm theo Kế hoạch số …" in the appendix
    scan_to = title_idx if title_idx is not None else min(len(lines), 15)
    for i in range(scan_to):
        orig, f = fold_aligned(lines[i])
        m = _NUMBER_RE.search(f)
        if m and "can cu" not in f and "thuc hien" not in f:
            plan.number = f"{m.group(1)}/{_symbol(orig[m.start(2) : m.end(2)])}"
            break
    if plan.number is None:
        for line in lines:
            if "kem theo" in (f := fold(line)) or "ban hanh kem" in f:
                orig, f2 = fold_aligned(line)
                m = _NUMBER_ANY.search(f2)
                if m:
                    plan.number = f"{m.group(1)}/{_symbol(orig[m.start(2) : m.end(2)])}"
                    break

    # date: "<Place>, ngày 17 tháng 10 năm 2025" before the title, else the appendix line
    def find_date(cands: list[str]) -> dtm.date | None:
        for line in cands:
            f = fold(line)
            if ("can cu" in f or "thuc hien" in f or "nghi quyet" in f) and "kem theo" not in f:
                continue
            m = _DATE_LINE.search(f)
            if m:
                g = [x for x in m.groups() if x]
                try:
                    return dtm.date(int(g[2]), int(g[1]), int(g[0]))
                except ValueError:
                    continue
        return None

    plan.issued_on = find_date(lines[:scan_to] if scan_to else [])
    if plan.issued_on is None:
        plan.issued_on = find_date([ln for ln in lines if "kem theo" in fold(ln)])

    # issuer: the commune named most often as "UBND xã X"
    names: Counter[tuple[str, str]] = Counter()
    spelled: dict[tuple[str, str], Counter[str]] = {}
    for line in [*_header_left(lines), *lines]:
        for m in _ISSUER_RE.finditer(line):
            level = _LEVEL_WORD.get(fold(m.group(1)), fold(m.group(1)))
            words = []
            for w in m.group(2).split():
                if not w[:1].isupper():
                    break
                words.append(w)
            fw = fold(" ".join(words))
            for motto in _MOTTO_WORDS:
                if motto in fw:
                    words = words[: fw[: fw.index(motto)].count(" ")]
                    break
            name = " ".join(words)
            if not name:
                continue
            if fold(name).startswith(("ban hanh", "xay dung", "thanh pho", "tinh")):
                continue
            key = (level, fold(name))
            names[key] += 1
            spelled.setdefault(key, Counter())[name] += 1
    if names:
        key, _ = names.most_common(1)[0]
        level = key[0]
        forms = spelled[key]
        # "UBND XÃ ĐÔNG SƠN" in the header, "UBND xã Đông Sơn" in the text: prefer the latter
        mixed = [f for f, _ in forms.most_common() if not f.isupper()]
        name = mixed[0] if mixed else forms.most_common(1)[0][0].title()
        plan.issuer = f"UBND {level} {name}"
        plan.level = "phuong" if level == "phường" else "xa"
    else:
        f_all = fold(" ".join(lines[:80]))
        if f_all.count("phuong") > f_all.count(" xa ") + 2:
            plan.level = "phuong"

    # title
    body_start = 0
    if title_idx is not None:
        parts: list[str] = []
        j = title_idx + 1
        while j < len(lines) and len(" ".join(parts)) < 400:
            raw = lines[j]
            t = _clean(raw)
            j += 1
            if not t:
                continue
            f = fold(t)
            if (
                re.match(
                    r"(can c|thuc hien (ke hoach|quyet dinh|cong van|chi thi|thong bao|van ban))", f
                )
                or _ROMAN_HEAD.match(t)
                or _PART_HEAD.match(f)
                or f.startswith(("phu luc", "noi nhan"))
                # "(Ban hành kèm theo Quyết định số …)" under a plan attached to a decision
                or (parts and re.match(r"\((?:ban hanh )?kem theo", f))
                or (parts and _is_upper_heading(t) and _BARE_SECTION.match(f))
                or " | " in raw
                or (parts and (_ITEM_HEAD.match(t) or _DASH.match(t)))
                or (parts and t.endswith((";", ":")))
                or (parts and (len(t) > 160 or "nhu sau" in f))
            ):
                j -= 1
                break
            parts.append(t)
        plan.title = _clean(" ".join([inline_title, *parts])) or kind_word or "Kế hoạch"
        if kind_word and _starts_lower(plan.title):
            # "CHƯƠNG TRÌNH CÔNG TÁC" / "của Ủy ban nhân dân xã năm 2026"
            plan.title = f"{kind_word} {plan.title}"
        body_start = j
    else:
        first = next((_clean(x) for x in lines if _clean(x)), "")
        plan.title = first[:200]
        # an official letter: "V/v triển khai thực hiện …" under its number is its subject
        for i in range(min(len(lines), 20)):
            m = _SUBJECT_LINE.match(_clean(lines[i]))
            if not m:
                continue
            parts = [m.group(1)]
            j = i + 1
            while j < len(lines) and j < i + 4:
                t = _clean(lines[j])
                ft = fold(t)
                if not t or ft.startswith(("kinh gui", "can cu", "thuc hien")) or t[:1] in "-+":
                    break
                parts.append(t)
                j += 1
            plan.title = _clean(" ".join(parts))
            plan.title = plan.title[:1].upper() + plan.title[1:]
            body_start = j
            break

    if plan.title and _is_upper_heading(plan.title) and len(plan.title) > 12:
        plan.title = _sentence_case(plan.title, plan.issuer)

    # year
    year = plan.issued_on.year if plan.issued_on else None
    if year is not None:
        # "Kế hoạch … năm 2026" issued in December 2025: "trước ngày 30/6" is in 2026
        title_years = {int(y) for y in re.findall(r"\b(20\d\d)\b", plan.title)}
        if title_years == {year + 1}:
            year += 1
    if year is None:
        for line in lines[: max(scan_to, 10)]:
            m = _YEAR_ONLY.search(fold(line))
            if m:
                year = int(m.group(1))
                break
    if year is None:
        m2 = re.search(r"\b(20\d\d)\b", fold(plan.title))
        if m2:
            year = int(m2.group(1))
    if year is None:
        years = Counter(int(y) for y in re.findall(r"\b(20[0-9]{2})\b", " ".join(lines[:400])))
        if years:
            year = years.most_common(1)[0][0]
    if year is None and ref_date is not None:
        year = ref_date.year
    plan.year = year
    return body_start


_ACRONYMS = {
    "ubnd",
    "hdnd",
    "mttq",
    "ubmttq",
    "cchc",
    "tthc",
    "cntt",
    "pccc",
    "atgt",
    "ntm",
    "hcc",
    "bhyt",
    "bhxh",
    "tdtt",
    "kt-xh",
    "qp-an",
    "vh-xh",
    "ttdl",
}


def _sentence_case(title: str, issuer: str | None) -> str:
    """ "TRIỂN KHAI CÔNG TÁC THI ĐUA NĂM 2026" → "Triển khai công tác thi đua năm 2026", keeping
    numbers, acronyms and the commune's name as they are written."""
    words = []
    for w in title.split():
        core = fold(w).strip(",.;:()")
        if any(c.isdigit() for c in w) or "/" in w or core in _ACRONYMS or len(core) <= 1:
            words.append(w if core not in ("a",) else w.lower())
        else:
            words.append(w.lower())
    out = " ".join(words)
    out = out[:1].upper() + out[1:]
    if issuer:
        name = re.sub(r"^UBND (?:xã|phường|thị trấn|đặc khu) ", "", issuer)
        m = re.search(re.escape(name.lower()), out)
        if m:
            out = out[: m.start()] + name + out[m.end() :]
    return out


# ====================================================================== body structure

_PART_HEAD = re.compile(
    r"^phan\s+(?:thu\s+)?([ivx]{1,4}|\d{1,2}|nhat|hai|ba|bon|nam|[abc])\b\s*[.:-]?\s*(.*)$"
)
_PAST_PART = re.compile(r"^(ket qua|danh gia|tinh hinh|thuc trang|tong ket|bao cao ket qua)")
_PART_WORDS = {"nhat": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "a": 1, "b": 2, "c": 3}


def _flatten_parts(lines: list[str]) -> list[str]:
    """ "PHẦN I – KẾT QUẢ NĂM 2025 / PHẦN II – NHIỆM VỤ NĂM 2026 / PHẦN III – TỔ CHỨC THỰC
    HIỆN": a part reviewing the past is not tasks and is dropped; a part holding roman
    sections gives way to them; a part without any becomes a section of its own."""
    heads: list[tuple[int, int, str, int]] = []  # (line, first body line, title, number)
    for i, line in enumerate(lines):
        t = _clean(line)
        if not t or len(t) > 120:
            continue
        m = _PART_HEAD.match(fold(t))
        if not m or not _is_upper_heading(t[:5]):
            continue
        tok = m.group(1)
        num = roman_to_int(tok) or (int(tok) if tok.isdigit() else _PART_WORDS.get(tok, 0))
        title = t[len(t) - len(m.group(2)) :].strip(" .:-–") if m.group(2) else ""
        first = i + 1
        if not title:
            for j in range(i + 1, min(i + 4, len(lines))):
                if _clean(lines[j]):
                    title, first = _clean(lines[j]), j + 1
                    break
        heads.append((i, first, title, num or len(heads) + 1))
    if len(heads) < 2:
        return lines
    out = lines[: heads[0][0]]
    for k, (_i, first, title, num) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        body = lines[first:end]
        if _PAST_PART.match(fold(title)):
            continue
        if any((m := _ROMAN_HEAD.match(_clean(b))) and _is_upper_heading(m.group(2)) for b in body):
            out.extend(body)
        else:
            out.append(f"{_int_to_roman(num)}. {title}")
            out.extend(body)
    return out


_BARE_SECTION = re.compile(
    r"(?:cac )?(muc dich|yeu cau|noi dung|nhiem vu|giai phap|to chuc thuc hien|kinh phi|"
    r"phan cong|trach nhiem|hoat dong|lo trinh|chi tieu|tinh hinh|ket qua)\b"
)
_ROMAN_HEAD = re.compile(r"^([IVXLC]{1,6}|[IVX1l]{2,5})\s*[.:)]\s*(\S.*)$")
_SUBITEM_HEAD = re.compile(r"^(\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)\.?\s+([^\s\d%].*)$")
_ITEM_HEAD = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,2})\s*[.)]\s*(\S.*)$")
_LETTER_HEAD = re.compile(r"^([a-gh-zđ])\s*[.)/]\s+(\S.*)$")
# "Nhiệm vụ 1: Xây dựng tủ sách …" is item 1
_NAMED_ITEM = re.compile(
    r"^(?:Nhiệm vụ|Nhiem vu|NHIỆM VỤ|Mục|Nội dung)\s+(\d{1,2})\s*[:.]\s*(\S.*)$"
)
_DASH = re.compile(r"^[-–—•·▪●]\s*(\S.*)$")
_PLUS = re.compile(r"^\+\s*(\S.*)$")


@dataclass
class Node:
    kind: str  # root | section | item | letter | bullet | plus | para
    label: str
    text: str
    children: list[Node] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)

    def add(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        return child

    def iter(self) -> list[Node]:
        out = [self]
        for c in self.children:
            out.extend(c.iter())
        return out

    def full_text(self) -> str:
        parts = [self.text] if self.kind not in ("root",) else []
        for c in self.children:
            parts.append(c.full_text())
        return "\n".join(p for p in parts if p)


_LEVEL = {
    "root": 0,
    "section": 1,
    "item": 2,
    "subitem": 2.5,
    "letter": 3,
    "bullet": 4,
    "plus": 5,
    "para": 6,
}


@functools.lru_cache(maxsize=32768)
def _is_upper_heading(t: str) -> bool:
    letters = [c for c in t if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def build_tree(lines: list[str]) -> Node:
    root = Node("root", "", "")
    stack: list[Node] = [root]
    last: Node | None = None
    roman_count = 0

    def container(level: float) -> Node:
        while len(stack) > 1 and _LEVEL[stack[-1].kind] >= level:
            stack.pop()
        return stack[-1]

    for raw in lines:
        t = _clean(raw)
        if not t:
            continue
        kind, label, text = "para", "", t
        m = _ROMAN_HEAD.match(t)
        if (
            m
            and (roman_to_int(m.group(1)) or 0)
            and (_is_upper_heading(m.group(2)) or roman_to_int(m.group(1)) == roman_count + 1)
        ):
            kind, label, text = "section", m.group(1), m.group(2)
        elif m and not roman_to_int(m.group(1)) and _is_upper_heading(m.group(2)) and len(t) < 90:
            kind, label, text = "section", "", m.group(2)  # OCR-mangled numeral ("I11I.")
        elif m := _SUBITEM_HEAD.match(t):
            kind, label, text = "subitem", m.group(1), m.group(2)  # "1.1. …" under "1. …"
        elif ((m := _ITEM_HEAD.match(t)) and not re.match(r"^\d{1,2}[.)]\d", t)) or (
            m := _NAMED_ITEM.match(t)
        ):
            kind, label, text = "item", m.group(1), m.group(2)
        elif m := _LETTER_HEAD.match(t):
            kind, label, text = "letter", m.group(1), m.group(2)
        elif m := _DASH.match(t):
            kind, label, text = "bullet", "-", m.group(1)
        elif m := _PLUS.match(t):
            kind, label, text = "plus", "+", m.group(1)
        elif (
            len(t) < 80
            and len(t.split()) <= 12
            and _BARE_SECTION.match(fold(t))
            and _is_upper_heading(t)
        ):
            # "NỘI DUNG" / "TỔ CHỨC THỰC HIỆN" without a numeral (Word heading styles)
            kind, label, text = "section", "", t

        if kind == "para" and last is not None and not _is_assignment_line(t):
            heading = last.kind in ("section", "item", "subitem", "letter")
            if (heading and (_starts_lower(t) or _dangling_end(last.text))) or (
                not heading and (not last.text.rstrip().endswith(_TERMINAL) or _starts_lower(t))
            ):
                last.text = _join(last.text, t)
                continue
        if kind == "section":
            roman_count = roman_to_int(label) or roman_count + 1
            label = label if roman_to_int(label) else _int_to_roman(roman_count)
        level = _LEVEL[kind]
        if kind == "para" and stack[-1].kind in ("bullet", "plus") and _is_assignment_line(t):
            # "- Tổ chức tập huấn …" / "Đơn vị thực hiện: …": the bullet's own assignment
            parent = stack[-1]
        elif kind == "para":
            # a paragraph belongs to the nearest heading, not to the bullet above it
            while len(stack) > 1 and stack[-1].kind in ("bullet", "plus", "para"):
                stack.pop()
            parent = stack[-1]
        else:
            parent = container(level)
        node = parent.add(Node(kind, label, text))
        if kind != "para":
            stack.append(node)
        last = node
    return root


_DANGLING_END = re.compile(
    r"(?:,|\b(?:ngày|tháng|năm|số|trước|từ|đến|và|của|với|cho|tại|các|những|trong|theo|về))$"
)
_DANGLING_END_FOLDED = re.compile(r"\b(?:ngay|thang|truoc)$")


def _dangling_end(text: str) -> bool:
    """A line cut in the middle of a phrase ("… hoàn thành trước ngày" / "15/5/2026.")."""
    t = text.rstrip().lower()
    return bool(_DANGLING_END.search(t) or _DANGLING_END_FOLDED.search(fold(t)))


def _int_to_roman(n: int) -> str:
    vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out or "I"


# ====================================================================== deadline phrases

_CUE_DATED = re.compile(
    r"(cham nhat|truoc ngay|hoan thanh (?:truoc|trong|xong truoc|chậm nhất)|xong truoc|"
    r"thoi han(?: hoan thanh| thuc hien)?\s*:|thoi gian hoan thanh\s*:|tien do(?: hoan thanh)?\s*:|"
    r"truoc \d{1,2}\s*(?:gio|h)\b|han cuoi|tu ngay|den (?:het )?ngay|"
    r"\btrong (?:thang|quy|nam) [0-9ivx]|\btruoc \d{1,2}/\d{1,2}\b"
    # ", Quý II/2026." / ", tháng 4/2026." closing the sentence
    r"|[,;]\s+(?=(?:quy [ivx]{1,3}|thang \d{1,2})\s*/\s*20\d\d\s*[.;]?\s*$))"
)
_CUE_COND = re.compile(
    r"\b((?:ngay )?sau khi (?:co|duoc)|khi co (?:huong dan|quy dinh|yeu cau|van ban))"
)
_CUE_REC = re.compile(
    r"^(?:thuong xuyen|dinh ky|hang (?:thang|quy|tuan|nam))\b|\bhang (?:thang|quy|tuan)\W*$"
    r"|[;,(]\s*(?:(?:thuc hien|duy tri|trien khai|bao cao)\s+)?"
    r"(?:thuong xuyen|dinh ky|hang (?:thang|quy|tuan|nam))\b"
)
_CUE_LABEL = re.compile(r"\b(?:thoi gian|thoi han|tien do)(?: hoan thanh| thuc hien)?\s*:\s*")
_CUE_REQ = re.compile(r"\b(theo yeu cau|khi co yeu cau)\b")


def _phrase_after(orig: str, start: int, limit: int = 90) -> str:
    chunk = orig[start : start + limit]
    m = re.search(
        r"[;.!?)](?:\s|$)|\s(?:để|đe|de|nhằm|và gửi|gửi về)\s"
        r"|,\s+(?=(?:báo cáo|bao cao|gửi|gui|nộp|nop)\b)",
        chunk,
    )
    if m:
        keep = chunk[m.start()] == ")" and chunk.count("(") > 0
        chunk = chunk[: m.start() + (1 if keep else 0)]
    chunk = chunk.strip(" ,:*")
    if chunk.endswith(")") and chunk.count(")") > chunk.count("("):
        chunk = chunk[:-1].rstrip()
    return chunk


def find_deadline(
    text: str, year: int | None, ref_date: dtm.date | None, *, dated_only: bool = False
) -> tuple[str, Deadline] | None:
    """A deadline written in prose, found by its cue words; None if there is none."""
    if not text:
        return None
    return _find_deadline(text, year, ref_date, dated_only)


# the same sentence is looked at by several passes (tasks, reports, titles) and again on a
# re-import; Deadline is frozen, so a result can be shared
@functools.lru_cache(maxsize=8192)
def _find_deadline(
    text: str, year: int | None, ref_date: dtm.date | None, dated_only: bool
) -> tuple[str, Deadline] | None:
    orig, f = fold_aligned(text)
    for m in _CUE_DATED.finditer(f):
        # "Thời hạn: Quý II/2026" keeps the value; "chậm nhất ngày …" keeps its words
        at = m.end() if f[m.start() : m.end()].rstrip().endswith(":") else m.start()
        phrase = _phrase_after(orig, at)
        d = parse_deadline(phrase, plan_year=year, ref_date=ref_date)
        if d.kind in ("datetime", "date", "month", "quarter", "year") or (
            d.kind == "recurring" and d.recurring_day
        ):
            return phrase, d
    if dated_only:
        return None
    mc = _CUE_COND.search(f)
    if mc:
        phrase = _phrase_after(orig, mc.start(), 140)
        d = parse_deadline(phrase, plan_year=year, ref_date=ref_date)
        if d.kind == "conditional":
            return phrase, d
    mq = _CUE_REQ.search(f)
    if mq:
        phrase = _phrase_after(orig, mq.start(), 40)
        d = parse_deadline(phrase, plan_year=year, ref_date=ref_date)
        if d.kind == "on_request":
            return phrase, d
    ml = _CUE_LABEL.search(f)
    if ml:
        phrase = _phrase_after(orig, ml.end(), 120)
        d = parse_deadline(phrase, plan_year=year, ref_date=ref_date)
        if d.kind != "none":
            return phrase, d
    mr = _CUE_REC.search(f)
    if mr:
        phrase = orig[mr.start() : mr.end()].strip(";,(. ")
        d = parse_deadline(phrase, plan_year=year, ref_date=ref_date)
        if d.kind == "recurring":
            return phrase, d
    return None


# ====================================================================== unit helpers


_SEMI_SPLIT = re.compile(r"\s*[;\n]\s*")


class _Units:
    """Resolution with bookkeeping of unknown and external names for one parse."""

    def __init__(self, directory: UnitDirectory) -> None:
        self.d = directory
        self.unknown: dict[str, None] = {}
        self.external: dict[str, None] = {}
        self.complete: dict[str, bool] = {}

    def names(self, cell: str) -> tuple[list[str], list[str]]:
        """(display names, raw names) for a lead/cooperate cell."""
        out: list[str] = []
        raw: list[str] = []
        for name in self.split(cell):
            u = self.d.resolve(name)
            raw.append(name)
            if u is None:
                self.unknown.setdefault(name, None)
                out.append(name)
            elif u.kind == "unit":
                out.append(u.name)
            else:
                if u.kind == "external":
                    self.external.setdefault(u.name, None)
                out.append(u.name)
        return list(dict.fromkeys(out)), raw

    def resolve(self, name: str) -> Unit | None:
        return self.d.resolve(name)

    def join_lines(self, cell: str) -> str:
        """The lines of a unit cell: "Văn phòng HĐND" / "và UBND" is one name wrapped,
        "Công an xã" / "Trạm Y tế xã" two names, "Ủy ban MTTQ Việt" / "Nam" one again."""
        lines = [ln.strip(" -+•*") for ln in cell.split("\n")]
        lines = [ln for ln in lines if ln]
        if not lines:
            return ""
        out = lines[0]
        for b in lines[1:]:
            a = out.rsplit(";", 1)[-1].strip()
            last = (fold(a).split() or [""])[-1]
            wrapped = (
                _starts_lower(b)
                or a.endswith((",", "-", "–", "&", "("))
                or last in ("va", "cua", "voi", "cac")
            )
            joined_known = self.d.resolve(a + " " + b) is not None and (
                self.d.resolve(a) is None or self.d.resolve(b) is None
            )
            out = out + (" " if wrapped or joined_known else "; ") + b
        return out

    def split(self, cell: str) -> list[str]:
        """split_units, except that a part which is one known unit as a whole stays whole
        ("Trung tâm VH, TT và TT" is not three names)."""
        out: list[str] = []
        if "\n" in (cell or ""):
            cell = self.join_lines(cell)
        for part in _SEMI_SPLIT.split(cell or ""):
            name = clean_unit_name(part)
            if "," in name or " và " in name:
                u = self.d.resolve(name)
                if u is not None and u.kind == "unit":
                    out.append(name)
                    continue
            out += split_units(part)
        return list(dict.fromkeys(out))


_HEAD_WORDS = (
    r"Phòng|Văn phòng|Trung tâm|Công an|Ban Chỉ huy|Ban|Sở|Ủy ban|Uỷ ban|UBND|UBMTTQ|Các|"
    r"Hội|Đoàn|Trạm|Trường|Chi cục|Kho bạc|Bảo hiểm|Đảng ủy|Bộ phận|Thường trực|Mặt trận|"
    r"Phong|Van phong|V[a-zâ]n phong|Trung t[a-zâ]m|Cong an|S[&¢6oơở]|Uy ban|C[aeéáo]c|Hoi|Doan|Tram"
)
_HEAD_AT = re.compile(rf"(?:{_HEAD_WORDS})(?=[\s,;.&-]|$)")
_PREPOSITIONS = {
    "tai",
    "cua",
    "voi",
    "cho",
    "va",
    "thuoc",
    "den",
    "tu",
    "o",
    "trong",
    "qua",
    "len",
    "ve",
    "giua",
    "cac",
    "nhung",
    "tren",
    "theo",
    "boi",
    "do",
    "la",
    "gui",
    "danh",
    "&",
}
_OCR_CUA = re.compile(r"^c[a-z0-9]{0,3}a$")
_DEADLINE_START = re.compile(
    r"(th[a-z]ng\s*\d{1,2}\s*/|thang\s*$|qu[yý]\s+[ivx\d]|n[a-z]m\s+20\d\d|thuong xuy|"
    r"sau khi|theo y[a-z]u c|hang (?:thang|quy|nam)|dinh ky|truoc ngay|cham nhat|"
    r"\d{1,2}/\d{1,2}/\d{2,4}|trong (?:thang|quy|nam) \d|\(sau khi|quy [ivx]+|"
    r"khi co (?:yeu cau|huong dan|chi dao)|20\d\d$)"
)
_DANGLING_DEADLINE = {
    "cua",
    "co",
    "c6",
    "khi",
    "quy",
    "va",
    "cac",
    "huong",
    "dan",
    "cho",
    "ban",
    "hanh",
    "bo",
    "nong",
    "nghiep",
    "moi",
    "chinh",
    "theo",
    "cta",
    "cia",
    "ciia",
    "tu",
    "dinh",
    "thang",
    "b0",
    "den",
    "ve",
    "sau",
}
_DANGLING_UNIT = {
    "va",
    "cac",
    "cua",
    "voi",
    "chuyen",
    "lien",
    "thuoc",
    "co",
    "phong",
    "trung",
    "ban",
    "so",
    "bo",
    "hoi",
    "doan",
    "nong",
    "khoa",
    "cong",
    "xay",
    "noi",
    "tai",
    "ha",
    "phuc",
    "don",
    "van",
    "the",
    "thao",
    "truyen",
    "s",
    "se",
    "s&",
    "va&",
}


def _unit_complete(units: _Units, text: str) -> bool:
    hit = units.complete.get(text)
    if hit is None:
        hit = units.complete[text] = _unit_complete_uncached(units, text)
    return hit


def _unit_complete_uncached(units: _Units, text: str) -> bool:
    t = text.strip()
    if not t or t.endswith((",", "-", "&", "(", ";", "–")) or t.count("(") > t.count(")"):
        return False
    names = split_units(t)
    if not names:
        return False
    for name in names:
        u = units.resolve(name)
        if u is None:
            return False
        if u.kind != "unit":
            last = fold(name).split()[-1] if fold(name).split() else ""
            if last in _DANGLING_UNIT:
                return False
    return True


def _deadline_open(text: str, year: int | None) -> bool:
    t = text.strip()
    if not t:
        return True
    if t.count("(") > t.count(")"):
        return True
    words = fold(t).split()
    if (
        words
        and words[-1].strip(",.;") in _DANGLING_DEADLINE
        and not (len(words) > 1 and words[-2] in ("hang", "moi", "cuoi", "dau"))
    ):
        return True
    d = parse_deadline(t, plan_year=year)
    return d.kind == "none"


def _looks_deadline_start(seg: str) -> bool:
    return bool(_DEADLINE_START.match(fold(seg)))


def _looks_unit_start(seg: str) -> bool:
    s = seg.lstrip(" (")
    return bool(_HEAD_AT.match(s)) and s[:1].isupper()


def _short_unit(seg: str) -> bool:
    """Short enough to be a unit cell, not counting a note in brackets ("Các phòng ban
    chuyên môn (theo chức năng, nhiệm vụ, lĩnh vực được giao)")."""
    return len(seg) <= 45 or len(re.sub(r"\([^)]*\)?", "", seg).strip()) <= 45


def _looks_leader(seg: str) -> bool:
    return bool(re.match(r"(d/c|dong chi|chu tich|pho chu tich|pct\b|ct\b)", fold(seg)))


# ====================================================================== table headers

ROLES = ("stt", "content", "lead", "coop", "deadline", "leader", "product", "note")


@functools.lru_cache(maxsize=8192)
def _role_of_header(cell: str) -> str | None:
    f = fold(cell).strip(" .:")
    if not f:
        return None
    if re.fullmatch(r"(stt|tt|so tt|so thu tu|s tt|s\.tt)", f):
        return "stt"
    m = re.fullmatch(r"(?:thang|t)\s*(\d{1,2})", f)
    if m and 1 <= int(m.group(1)) <= 12:
        # a work programme's month columns ("Tháng 1 … Tháng 12"), marked with x
        return f"m{int(m.group(1))}"
    m = re.fullmatch(r"(?:quy|q)\s*([ivx]{1,3}|[1-4])", f)
    if m and (q := _quarter_no(m.group(1))):
        return f"q{q}"
    if "phoi hop" in f:
        # "Cơ quan chủ trì/phối hợp": one column, "A/B"
        return (
            "leadcoop" if "chu tri" in f and re.search(r"chu tri\s*[/-]\s*phoi hop", f) else "coop"
        )
    if "lanh dao" in f or "nguoi chi dao" in f:
        return "leader"
    if "chu tri" in f or re.search(
        r"(co quan|don vi|bo phan)\s+(th[a-z]*\s+hi[a-z]*n|phu trach)", f
    ):
        return "lead"
    if re.search(r"(bat dau|khoi cong|tu ngay)", f):
        return "start"  # "Thời gian | Bắt đầu | Kết thúc": the due is the end
    if re.search(
        r"(tien do|thoi han|thoi gian|han hoan thanh|hoan thanh|ngay hoan|ket thuc|den ngay)", f
    ):
        return "deadline"
    if re.search(r"(san pham|ket qua dau ra|hinh thuc van ban)", f):
        return "product"
    if "ghi chu" in f:
        return "note"
    if re.search(r"(noi dung|nhiem vu|cong viec|ten )", f):
        return "content"
    if re.search(r"(co quan|don vi) th", f) or f in (
        "thuc hien",
        "co quan thuc hien",
        # a bare "Đơn vị" / "Cơ quan" column next to the content is who does it
        "don vi",
        "co quan",
        "bo phan",
        "don vi, ca nhan",
    ):
        return "lead"
    return None


_ROLE_MARK = re.compile(r"\(?\s*\b(chu tri|phoi hop)\b\s*\)?\s*:?")


def _split_role_cell(cell: str) -> tuple[str, str]:
    """One "Đơn vị thực hiện" cell holding both roles: "Chủ trì: A; Phối hợp: B",
    "A (chủ trì); B, C (phối hợp)", "A chủ trì, B phối hợp" → (lead, cooperate)."""
    orig, f = fold_aligned(cell)
    if "phoi hop" not in f and (pm := re.search(r"\(\s*chu tri\s*\)\s*[,;]\s*", f)):
        # "Phòng Kinh tế (chủ trì), Công an xã": the rest cooperates
        lead_part, rest = orig[: pm.start()].strip(" ,;"), orig[pm.end() :].strip(" ,;.")
        return (lead_part, rest) if lead_part and rest else (cell, "")
    if "phoi hop" not in f or "chu tri" not in f:
        return cell, ""
    marks = list(_ROLE_MARK.finditer(f))
    if not marks:
        return cell, ""
    lead: list[str] = []
    coop: list[str] = []
    prefix = marks[0].start() < 3 and f[marks[0].start() : marks[0].end()].rstrip().endswith(":")
    last = 0
    for k, m in enumerate(marks):
        if prefix:
            # "Chủ trì: A; Phối hợp: B": each label names the text after it
            end = marks[k + 1].start() if k + 1 < len(marks) else len(f)
            piece = orig[m.end() : end]
        else:
            # "A (chủ trì); B (phối hợp)": each label names the text before it
            piece = orig[last : m.start()]
            last = m.end()
        piece = piece.strip(" ,;.-–")
        if piece:
            (lead if m.group(1) == "chu tri" else coop).append(piece)
    if not prefix and orig[last:].strip(" ,;.-–"):
        coop.append(orig[last:].strip(" ,;.-–"))
    if not lead:
        return cell, ""
    coop = [re.sub(r"^(?:với|voi)\s+", "", c) for c in coop]
    return "; ".join(lead), "; ".join(coop)


_MONTH_ROLES = frozenset([*(f"m{k}" for k in range(1, 13)), *(f"q{k}" for k in range(1, 5))])
_MONTH_MARK = re.compile(r"^[xX×✓✔v+*]{1,2}$")
_QUARTER_NAMES = ("I", "II", "III", "IV")


def _quarter_no(s: str) -> int | None:
    s = s.strip().upper()
    if s in _QUARTER_NAMES:
        return _QUARTER_NAMES.index(s) + 1
    return int(s) if s in ("1", "2", "3", "4") else None


def _period_role(cell: str, above: str | None) -> str | None:
    """A bare "1" … "12" (or "I" … "IV") under a "Thời gian (tháng)" / "Quý" header."""
    c = _clean(cell)
    if above in _MONTH_ROLES or above == "deadline":
        if re.fullmatch(r"\d{1,2}", c) and 1 <= int(c) <= 12 and (above or "")[:1] != "q":
            return f"m{int(c)}"
        if (q := _quarter_no(c)) and not c.isdigit():
            return f"q{q}"
    return None


def _month_deadline(row: list[str], roles: list[str | None]) -> str:
    """The months (quarters) marked in a work programme's columns: "Tháng 3",
    "Tháng 10, 11", "Quý III, IV"; every one marked is "Hằng tháng" ("Hằng quý")."""
    marked = [
        r
        for c, r in zip(row, roles, strict=False)
        if r in _MONTH_ROLES and _MONTH_MARK.match(_clean(c))
    ]
    months = sorted({int(r[1:]) for r in marked if r[0] == "m"})
    quarters = sorted({int(r[1:]) for r in marked if r[0] == "q"})
    if months:
        if len(months) == 12:
            return "Hằng tháng"
        return "Tháng " + ", ".join(str(m) for m in months)
    if quarters:
        if len(quarters) == 4:
            return "Hằng quý"
        return "Quý " + ", ".join(_QUARTER_NAMES[q - 1] for q in quarters)
    return ""


def _header_roles(cells: list[str]) -> list[str | None]:
    return [_role_of_header(c) for c in cells]


def _is_header_row(cells: list[str]) -> bool:
    roles = [r for r in _header_roles(cells) if r]
    if sum(1 for r in roles if r in _MONTH_ROLES) >= 3:
        roles = [r for r in roles if r not in _MONTH_ROLES] + ["deadline"]
        return "content" in roles and len(roles) >= 3
    return (
        len(set(roles)) >= 2
        and ("content" in roles or "stt" in roles)
        and len(roles) >= 0.5 * len([c for c in cells if c.strip()])
    )


# ====================================================================== appendix: table rows


_STT_NUM = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\s*[.)]?\s*$")
_STT_ROMAN = re.compile(r"^\s*([IVXLC]{1,6}|[A-Z])\s*[.)]?\s*$")


_GROUP_ROW = re.compile(r"^([IVXLC]{1,6}|[A-Z])\s*[.)/]\s*(\S.{2,})$")


@dataclass
class _RawTask:
    ref: str
    section: str
    content: str = ""
    lead: str = ""
    coop: str = ""
    deadline: str = ""
    leader: str = ""
    extra: str = ""


_PERIOD_GROUP = re.compile(
    r"^(?:thang|quy)\s+(?:\d{1,2}|[ivx]{1,4})(?:\s*/\s*\d{4}|\s+nam\s+\d{4})?\s*[:.]?$"
)


def _rows_to_tasks(rows: list[list[str]], roles: list[str | None]) -> list[_RawTask]:
    idx = {r: i for i, r in reversed(list(enumerate(roles))) if r}
    combined = "leadcoop" in idx and "lead" not in idx
    if combined:
        idx["lead"] = idx.pop("leadcoop")
    if "content" not in idx:
        # a table without a "Nội dung" header: the widest unlabelled column is the content
        free = [i for i, r in enumerate(roles) if r is None]
        if free:
            idx["content"] = free[0]
    tasks: list[_RawTask] = []
    section = ""
    section_label = ""
    auto = 0

    def cell(row: list[str], role: str) -> str:
        i = idx.get(role)
        if i is None or i >= len(row):
            return ""
        if role in ("lead", "coop") and "\n" in row[i]:
            # one unit a line in a cell, or a name wrapped: the unit resolver decides
            return "\n".join(x for x in (_clean(ln) for ln in row[i].split("\n")) if x)
        return _clean(row[i])

    groups = 0
    numbered = False
    numbers: list[tuple[str, str]] = []
    months = any(r in _MONTH_ROLES for r in roles)
    group_deadline = ""
    for row in rows:
        if not any(c.strip() for c in row):
            continue
        if len(row) == 1 and len(roles) >= 3:
            text = _clean(row[0])
            if tasks and _starts_lower(text):
                tasks[-1].content = _join(tasks[-1].content, text)
                continue
            groups += 1
            gm = _GROUP_ROW.match(text)
            if gm and (roman_to_int(gm.group(1)) is not None or len(gm.group(1)) == 1):
                section_label, section = gm.group(1), gm.group(2)
            else:
                section_label, section = _int_to_roman(groups), text
            auto, group_deadline = 0, ""
            continue
        if _is_header_row(row):
            continue
        stt = cell(row, "stt") if "stt" in idx else ""
        content = cell(row, "content")
        filled = [_clean(c) for c in row if _clean(c)]
        gm = _GROUP_ROW.match(filled[0]) if len(filled) == 1 else None
        if gm and roman_to_int(gm.group(1)) is not None or gm and len(gm.group(1)) == 1:
            # a group row merged across the columns: "I. Công tác tuyên truyền"
            groups += 1
            section_label, section, auto = gm.group(1), gm.group(2), 0  # type: ignore[union-attr]
            group_deadline = ""
            continue
        if not stt and "stt" not in idx and row:
            first = _clean(row[0])
            if _STT_NUM.match(first) or _STT_ROMAN.match(first):
                stt = first
        others = [cell(row, r) for r in ("lead", "coop", "deadline", "leader")]
        nonempty = [c for c in row if _clean(c)]
        roman = _STT_ROMAN.match(stt) if stt else None
        if roman or (
            not stt and content and not any(others) and len(nonempty) <= 2 and tasks == []
        ):
            groups += 1
            # "I | Tuyên truyền | | | Năm 2026": the group's deadline for its undated rows
            group_deadline = others[2]
            section_label = roman.group(1) if roman else _int_to_roman(groups)
            texts = [_clean(c) for c in row if _clean(c) and _clean(c) != stt]
            section = texts[0] if texts else ""
            if not group_deadline and _PERIOD_GROUP.match(fold(section)):
                # a work programme grouped by month: "I | THÁNG 01/2026", "II | QUÝ II"
                head, _, rest = section.partition(" ")
                group_deadline = f"{head.capitalize()} {rest}"
            auto = 0
            continue
        if months and not others[2]:
            others[2] = _month_deadline(row, roles)
        if not stt and not content and not any(others):
            continue
        if stt and numbers and re.fullmatch(r"[a-zđ]\s*[.)]?", stt):
            # "1 | Kiểm tra …" over "a | …", "b | …": lettered rows under a numbered one
            number = f"{numbers[-1][1].split('.')[0]}.{stt.rstrip('.) ')}"
        elif stt and _STT_NUM.match(stt):
            number = _STT_NUM.match(stt).group(1)  # type: ignore[union-attr]
            auto = int(number.split(".")[-1]) if number.split(".")[-1].isdigit() else auto + 1
        elif not stt and tasks and "stt" in idx and numbered:
            # a row broken by a page in a numbered table: every cell goes on from the row above
            prev = tasks[-1]
            prev.content = _join(prev.content, content)
            prev.lead = _join_units(prev.lead, cell(row, "lead"))
            prev.coop = _join_units(prev.coop, cell(row, "coop"))
            prev.deadline = _join(prev.deadline, cell(row, "deadline"))
            prev.leader = _join(prev.leader, cell(row, "leader"))
            continue
        elif not stt and tasks and not others[0] and not others[2] and content:
            # a row broken across pages: the rest of the previous task's content
            tasks[-1].content = _join(tasks[-1].content, content)
            continue
        elif not stt and not any(others) and len(nonempty) == 1 and content:
            # a group row without a numeral: number the groups I, II … so refs stay unique
            groups += 1
            section, section_label, auto = content, _int_to_roman(groups), 0
            group_deadline = ""
            continue
        else:
            auto += 1
            number = str(auto)
        if stt:
            numbered = True
        ref = f"{section_label}.{number}" if section_label else number
        numbers.append((section_label, number))
        lead, coop = cell(row, "lead"), cell(row, "coop")
        if combined and "/" in lead and not coop:
            lead, _, coop = (x.strip() for x in lead.partition("/"))
            coop = "; ".join(x.strip() for x in coop.split("/") if x.strip())
        tasks.append(
            _RawTask(
                ref=ref,
                section=section,
                content=content,
                lead=lead,
                coop=coop,
                deadline=others[2] or group_deadline,
                leader=cell(row, "leader"),
            )
        )
    # "1 | Công tác tuyên truyền" over "1.1 | …", "1.2 | …": a sub-group, not a task
    parents = {(lab, n.rsplit(".", 1)[0]) for lab, n in numbers if "." in n}
    out: list[_RawTask] = []
    sub_title: dict[tuple[str, str], str] = {}
    for t, key in zip(tasks, numbers, strict=True):
        if key in parents and not (t.lead or t.coop or t.deadline or t.leader):
            sub_title[key] = t.content
            continue
        if "." in key[1] and (key[0], key[1].rsplit(".", 1)[0]) in sub_title:
            t.section = sub_title[(key[0], key[1].rsplit(".", 1)[0])]
        out.append(t)
    return out


def _join_units(a: str, b: str) -> str:
    """A unit cell continued on the next page: "Văn phòng HĐND" + "và UBND" is one name,
    "Phòng Kinh tế" + "Công an xã" two."""
    if not a or not b:
        return a or b
    if a.rstrip().endswith((",", ";", "-", "–", "&", "(")) or _starts_lower(b):
        return _join(a, b)
    if _looks_unit_start(b):
        return a.rstrip(" ,;") + "; " + b
    return _join(a, b)


_APPENDIX_LABEL = re.compile(r"^phu luc\s+(?:so\s+)?([ivx]{1,5}|\d{1,2})\b")


def _table_blocks(blocks: list[Block]) -> list[tuple[str, list[list[str]]]]:
    """The tables in order, each with the label of the appendix it sits in ("II" under
    "PHỤ LỤC II"), or ""."""
    tables: list[tuple[str, list[list[str]]]] = []
    cur: list[list[str]] = []
    label = ""
    cur_label = ""
    for b in blocks:
        if b.cells is not None:
            # a spanning row is passed on as its one cell: a group title, or the rest of the
            # row above when it starts in lower case
            if not cur:
                cur_label = label
            cur.append([next(c for c in b.cells if c)] if b.spanning else b.cells)
        else:
            if cur and b.text.strip():
                tables.append((cur_label, cur))
                cur = []
            if len(b.text) < 120 and (m := _APPENDIX_LABEL.match(fold(b.text).strip())):
                label = m.group(1).upper()
    if cur:
        tables.append((cur_label, cur))
    return tables


# a task table says who does it or by when; "STT | Nội dung | Kinh phí" is a budget
_TASK_ROLES = {"lead", "coop", "leadcoop", "deadline", "leader", *_MONTH_ROLES}


def _tasks_from_tables(blocks: list[Block]) -> list[_RawTask]:
    out: list[_RawTask] = []
    groups: list[tuple[list[str | None], list[list[str]]]] = []
    labels: list[str] = []
    for label, rows in _table_blocks(blocks):
        header_at = None
        for i, r in enumerate(rows[:15]):
            if _is_header_row(r) and _TASK_ROLES & set(_header_roles(r)):
                header_at = i
                break
        if header_at is None:
            # the appendix went on over a page break, where the header was not repeated
            if groups and rows and max(len(r) for r in rows) == len(groups[-1][0]):
                groups[-1][1].extend(rows)
            continue
        roles = _header_roles(rows[header_at])
        # a second header row ("Cơ quan chủ trì | Cơ quan phối hợp" under "Cơ quan thực hiện")
        body_from = header_at + 1
        while body_from < len(rows):
            nxt = rows[body_from]
            # a header cell merged across columns ("Thời gian thực hiện (tháng)") stands
            # over each of them
            spanned: list[str | None] = []
            for i, role in enumerate(roles):
                above_cell = rows[body_from - 1][i] if i < len(rows[body_from - 1]) else ""
                spanned.append(role if role or _clean(above_cell) or not spanned else spanned[-1])
            nroles = [
                r or _period_role(c, spanned[i] if i < len(spanned) else None)
                for i, (c, r) in enumerate(zip(nxt, _header_roles(nxt), strict=False))
            ]
            if (
                any(nroles)
                and not any(_STT_NUM.match(c or "") for c in nxt[:1])
                and all(r for c, r in zip(nxt, nroles, strict=False) if _clean(c))
            ):
                roles = [
                    (
                        nroles[i]
                        if i < len(nroles) and nroles[i]
                        else (roles[i] if i < len(roles) else None)
                    )
                    for i in range(max(len(roles), len(nroles)))
                ]
                body_from += 1
            else:
                break
        # a numbering row "(1) | (2) | (3)" under the header
        if body_from < len(rows) and all(
            re.fullmatch(r"\(?\d{1,2}\)?", _clean(c)) or not _clean(c) for c in rows[body_from]
        ):
            body_from += 1
        if groups and roles == groups[-1][0] and label == labels[-1]:
            # the header repeated on the next page: the same table goes on
            groups[-1][1].extend(rows[body_from:])
            continue
        groups.append((roles, list(rows[body_from:])))
        labels.append(label)
    per_table = [_rows_to_tasks(body, roles) for roles, body in groups]
    refs = [t.ref for ts in per_table for t in ts]
    if len(set(labels)) > 1 and len(set(refs)) < len(refs):
        # "Phụ lục I" and "Phụ lục II" each numbered from 1: the appendix goes in the ref
        for label, ts in zip(labels, per_table, strict=True):
            n = roman_to_int(label) if label else None
            tag = f"PL{n if n is not None else label}." if label else ""
            for t in ts:
                t.ref = tag + t.ref
    for ts in per_table:
        out.extend(ts)
    return out


# ====================================================================== text tables

_CONTENT_HINT = re.compile(r"noi dung|nhiem vu|cong viec|ten ")
_MD_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_LAYOUT_GAP = re.compile(r"\t+|\s{2,}")
_HEADER_TEXT = (
    "stt tt so thu tu noi dung cong viec nhiem vu cu the co quan don vi bo phan chu tri phoi hop "
    "thuc hien thoi gian han tien do hoan thanh lanh dao phu trach chi dao san pham ket qua "
    "ghi chu kinh phi nguon du kien ngay nguoi trach nhiem"
)
_HEADER_WORDS = frozenset(_HEADER_TEXT.split())


def _delimited_cells(line: str) -> list[str] | None:
    """Cells of a markdown row (``| a | b |``) or a tab-separated row; None otherwise."""
    if "|" not in line and "\t" not in line:
        return None
    t = line.strip()
    if t.startswith("|") and t.endswith("|") and t.count("|") >= 3:
        return [c.strip() for c in t[1:-1].split("|")]
    if line.count("\t") >= 2:
        return [c.strip() for c in line.rstrip("\r\n").split("\t")]
    return None


def _layout_segments(line: str) -> list[tuple[int, str]]:
    """(offset, text) of the pieces of a line set out in columns by runs of spaces."""
    out: list[tuple[int, str]] = []
    pos = 0
    for m in _LAYOUT_GAP.finditer(line):
        if m.start() > pos and line[pos : m.start()].strip():
            out.append((pos, line[pos : m.start()]))
        pos = m.end()
    if pos < len(line) and line[pos:].strip():
        out.append((pos, line[pos:]))
    return [(o, t.strip()) for o, t in out]


def _header_only(text: str) -> bool:
    words = re.findall(r"[a-z0-9]+", fold(text))
    return bool(words) and all(w in _HEADER_WORDS for w in words)


def _layout_header(line: str) -> list[tuple[int, str | None]] | None:
    if len(line) < 20 or not _CONTENT_HINT.search(fold(line)):
        return None  # a header names the content column
    segs = _layout_segments(line.expandtabs(8))
    if len(segs) < 3:
        return None
    roles = [_role_of_header(t) for _, t in segs]
    known = [r for r in roles if r]
    if len(known) < 3 or len(known) < len(segs) - 1 or "content" not in known:
        return None
    if not ({"lead", "deadline"} & set(known)):
        return None
    return [(o, r) for (o, _), r in zip(segs, roles, strict=True)]


def _layout_rows(lines: list[str], start: int) -> tuple[list[list[str]], int]:
    """Rebuild the rows of a table laid out in space-aligned columns (``pdftotext -layout``,
    a Word table saved as text): the header's cell offsets are the column stops, a number in
    the first column starts a row, other lines continue the cells above them."""
    header = _layout_header(lines[start])
    assert header is not None
    stops = [o for o, _ in header]
    roles = [r for _, r in header]
    has_stt = roles[0] == "stt"
    names = [_clean(t) for _, t in _layout_segments(lines[start].expandtabs(8))]
    rows: list[list[str]] = [names]
    cur: list[str] | None = None
    after_header = True
    i = start + 1
    blank_run = 0
    while i < len(lines):
        raw = lines[i].expandtabs(8).rstrip()
        i += 1
        if not raw.strip():
            blank_run += 1
            if blank_run > 2 and cur is not None:
                break
            continue
        blank_run = 0
        f = fold(raw.strip())
        if _END_TABLE.match(f) or f.startswith(("noi nhan", "ghi chu:")):
            i -= 1
            break
        if _layout_header(raw) is not None:  # the header repeated on a new page
            after_header = True
            continue
        segs = _layout_segments(raw)
        if after_header and cur is None and all(_header_only(t) for _, t in segs):
            # the second line of a wrapped header ("hoàn thành"), or a split one ("Chủ trì |
            # Phối hợp" under "Đơn vị thực hiện"): a named column of its own is a new stop
            for off, text in segs:
                role = _role_of_header(text)
                if role in ("lead", "coop") and all(abs(off - st) > 3 for st in stops):
                    k = sum(1 for st in stops if st < off)
                    stops.insert(k, off)
                    roles.insert(k, role)
                    names.insert(k, _clean(text))
            continue
        if after_header and cur is not None and all(_header_only(t) for _, t in segs):
            continue
        after_header = False
        cells = [""] * len(stops)
        for off, text in segs:
            col = 0
            for k, stop in enumerate(stops):
                if off >= stop - 2:
                    col = k
            cells[col] = _join(cells[col], text)
        first = cells[0]
        if (
            first
            and (_STT_NUM.match(first) or _STT_ROMAN.match(first))
            and has_stt
            or cur is None
            or (
                has_stt
                and not first
                and len([c for c in cells if c]) == 1
                and _is_upper_heading(cells[1])
            )
            or (not has_stt and _layout_row_start(cells, cur, roles))
        ):
            cur = cells
            rows.append(cur)
            continue
        for k, c in enumerate(cells):
            if c:
                cur[k] = _join(cur[k], c) if cur[k] else c
        if len(segs) == 1 and segs[0][0] < stops[min(1, len(stops) - 1)] - 2 and not first:
            break  # a plain paragraph after the table
    return rows, i


def _layout_row_start(cells: list[str], cur: list[str], roles: list[str | None]) -> bool:
    """Without a number column, a row starts where its content starts with a capital and a
    cell beside it starts too (a unit or a deadline), not where a cell wraps."""
    try:
        ci = roles.index("content")
    except ValueError:
        return False
    content = cells[ci]
    if not content or not content[:1].isupper():
        return False
    for k, c in enumerate(cells):
        if k == ci or not c or roles[k] not in ("lead", "coop", "deadline", "leader"):
            continue
        if c[:1].isupper() or _looks_deadline_start(c):
            return True
    return False


def _promote_text_tables(blocks: list[Block]) -> list[Block]:
    """Turn table rows written as text (markdown ``|`` rows, tab-separated cells, columns
    aligned with spaces) into table rows, when a run of them carries a header."""
    lines = [b.text for b in blocks]
    out: list[Block] = []
    i = 0
    n = len(lines)
    while i < n:
        b = blocks[i]
        if b.cells is not None:
            out.append(b)
            i += 1
            continue
        cells = _delimited_cells(b.text)
        if cells is not None:
            run: list[list[str]] = []
            j = i
            while j < n:
                if blocks[j].cells is None and not blocks[j].text.strip():
                    j += 1
                    continue
                c = _delimited_cells(blocks[j].text) if blocks[j].cells is None else None
                if c is None:
                    break
                if not _MD_SEP.match(blocks[j].text.strip()):
                    run.append(c)
                j += 1
            if any(_is_header_row(r) for r in run[:6]):
                out.extend(Block(" | ".join(r), r) for r in run)
                i = j
                continue
        elif ("  " in b.text or "\t" in b.text) and _layout_header(b.text) is not None:
            rows, j = _layout_rows(lines, i)
            if len(rows) > 1:
                out.extend(Block(" | ".join(r), r) for r in rows)
                i = j
                continue
        out.append(b)
        i += 1
    return out


# ====================================================================== appendix: text rows


def _find_appendix(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        t = _clean(line)
        if not t or len(t) > 60:
            continue
        f = re.sub(r"[^a-z0-9 ]", " ", fold(t))
        f = " ".join(f.split())
        if (
            re.fullmatch(r"phu luc(?: (?:[ivx]+|\d{1,2}|so \d{1,2}))?", f)
            or (_is_upper_heading(t) and re.match(r"danh muc (cac )?nhiem vu|phu luc ", f))
            # "Phụ lục I: Danh mục nhiệm vụ …", "Phụ lục: Các nhiệm vụ cụ thể"
            or re.match(
                r"phu luc(?: (?:[ivx]+|\d{1,2}|so \d{1,2}))? (?:danh muc|(?:cac )?nhiem vu|ke hoach)",
                f,
            )
        ):
            return i
    return None


def _text_header_order(header_text: str) -> list[str]:
    f = fold(header_text)
    pos: dict[str, int] = {}

    def first(pattern: str) -> int | None:
        m = re.search(pattern, f)
        return m.start() if m else None

    content = first(r"noi dung|nhiem vu|cong viec")
    coop = first(r"phoi hop")
    chu_tri = first(r"chu tri")
    thuc_hien = first(r"(co quan|don vi|bo phan)\s+th[a-z]*\s+hi[a-z]*n")
    deadline = first(r"tien do|thoi han|thoi gian|han hoan")
    leader = first(r"lanh dao")
    if content is not None:
        pos["content"] = content
    if chu_tri is not None and coop is not None and thuc_hien is not None:
        # a two-row header flattened: "Cơ quan thực hiện" spans "chủ trì" and "phối hợp"
        pos["lead"], pos["coop"] = thuc_hien, thuc_hien + 1
    else:
        lead = chu_tri if chu_tri is not None else thuc_hien
        if lead is not None:
            pos["lead"] = lead
        if coop is not None:
            pos["coop"] = coop
    start, end = first(r"bat dau|khoi cong"), first(r"ket thuc|hoan thanh")
    if start is not None and end is not None and end > start:
        # "Thời gian bắt đầu | Thời gian kết thúc": the due is the end
        pos["start"], deadline = start, end
    if deadline is not None:
        pos["deadline"] = deadline
    if leader is not None:
        pos["leader"] = leader
    product = first(r"san pham|ket qua dau ra|hinh thuc van ban")
    if product is not None:
        pos["product"] = product
    note = first(r"ghi chu")
    if note is not None:
        pos["note"] = note
    months = [
        (int(m.group(1)), m.start())
        for m in re.finditer(r"\bthang\s*(\d{1,2})\b(?!\s*/)", f)
        if 1 <= int(m.group(1)) <= 12
    ]
    if len(months) >= 3 and [n for n, _ in months] == sorted({n for n, _ in months}):
        # a work programme's "Tháng 1 … Tháng 12" columns
        for n, at in months:
            pos[f"m{n}"] = at
    order = [r for r, _ in sorted(pos.items(), key=lambda kv: kv[1])]
    if "content" not in order:
        order.insert(0, "content")
    elif order[0] != "content":
        order.remove("content")
        order.insert(0, "content")
    if len(order) < 3:
        return ["content", "lead", "coop", "deadline"]
    return order


_LONE_ROMAN = re.compile(r"[IVX]{1,5}\s*[.|]?")
_ROW_ROMAN = re.compile(r"^([IVX]{1,5})\s*[|.]?\s+(\S.*)$")
_ROW_NUM = re.compile(r"^(\d{1,3})(?:(?:\s*[|.)]\s*|\s+)(\S.*))?\s*$")
_TAIL_NUM = re.compile(r"\s{2,}(\d{1,3})\s*$")
_END_TABLE = re.compile(r"^(tong so|tong cong|tong:|noi nhan)")


@dataclass
class _TextRow:
    ref_num: str
    section_label: str
    section: str
    lines: list[str] = field(default_factory=list)


def _split_text_rows(lines: list[str]) -> tuple[list[str], list[_TextRow]]:
    """Cut the appendix lines into rows by their running numbers (I, 1, 2 … II, 1 …)."""
    header: list[str] = []
    rows: list[_TextRow] = []
    expect_num = 1
    roman_seen = 0
    section = ""
    section_label = ""
    in_section_title = False
    started = False
    for raw in lines:
        t = raw.strip()
        if not t:
            continue
        t = _MD.sub("", t).strip()
        f = fold(t)
        if started and _END_TABLE.match(f):
            break
        if (
            started
            and t[:1] in "IVXLC"
            and (rh := _ROMAN_HEAD.match(t))
            and _is_upper_heading(rh.group(2))
            and roman_to_int(rh.group(1)) != roman_seen + 1
        ):
            break  # "III. TỔ CHỨC THỰC HIỆN" after the table: the plan's text goes on
        # "và Môi trường  2": the next row's number printed at the end of a wrapped cell
        tail = _TAIL_NUM.search(raw.rstrip()) if started else None
        if tail and int(tail.group(1)) == expect_num and len(t) > len(tail.group(1)) + 2:
            before = raw[: tail.start()].strip()
            if rows and before:
                rows[-1].lines.append(before)
            rows.append(_TextRow(tail.group(1), section_label, section))
            expect_num += 1
            in_section_title = False
            continue
        if _LONE_ROMAN.fullmatch(t) and roman_to_int(t.strip(" .|")) == roman_seen + 1:
            # a flattened group row: the numeral on its own line, the title on the next
            roman_seen += 1
            section_label, section = t.strip(" .|"), ""
            expect_num = 1
            started = True
            in_section_title = True
            continue
        m = _ROW_ROMAN.match(t)
        if m and roman_to_int(m.group(1)) == roman_seen + 1 and not _STT_NUM.match(t):
            roman_seen += 1
            section_label = m.group(1)
            section = _clean(m.group(2).lstrip("| "))
            expect_num = 1
            started = True
            in_section_title = True
            continue
        m2 = _ROW_NUM.match(t)
        if (
            m2
            and int(m2.group(1)) == expect_num
            and (m2.group(2) is None or not _starts_lower(m2.group(2)) or "|" in t[:6])
        ):
            if not started and expect_num == 1:
                started = True
            if started:
                rows.append(_TextRow(m2.group(1), section_label, section))
                if m2.group(2):
                    rows[-1].lines.append(m2.group(2))
                expect_num += 1
                in_section_title = False
                continue
        if not started:
            header.append(t)
            continue
        if (
            in_section_title
            and not rows
            or (in_section_title and rows and rows[-1].section != section)
        ):
            section = _join(section, _clean(t))
            continue
        if rows:
            rows[-1].lines.append(raw.strip())
    # rows started before the section title finished: fix their section names
    return header, rows


_SEG_SPLIT = re.compile(r"\s*\|\s*|\s{2,}")
_CAMEL = re.compile(
    r"(?<=[a-zà-ỹđ])(?=(?:Các|Phòng|Văn phòng|Trung tâm|Công an|Sở|Ban|Tháng|Thường|Cac|Phong|"
    r"Van phong|Trung tam|Cong an|Thang|Thuong)\b)"
)


def _segments(line: str, *, split_heads: bool = True) -> list[str]:
    """Cut a line of a flattened table into the pieces that may be separate cells."""
    pieces: list[str] = []
    for p in _SEG_SPLIT.split(line.strip()):
        p = p.strip()
        if not p:
            continue
        for q in _CAMEL.split(p):
            if q.strip():
                pieces.extend(_inner_split(q.strip(), split_heads))
    return pieces


def _inner_split(s: str, split_heads: bool) -> list[str]:
    """Split before a deadline phrase or a unit name that starts a new cell mid-line."""
    cuts: list[int] = []
    orig, f = fold_aligned(s)
    for m in re.finditer(r"(?<=\s)\S", s):
        i = m.start()
        if i == 0:
            continue
        prev_words = f[:i].split()
        prev = prev_words[-1] if prev_words else ""
        prev_char = s[:i].rstrip()[-1:] if s[:i].rstrip() else ""
        rest = s[i:]
        frest = f[i:]
        if rest[:1].isupper() or rest[:1].isdigit():
            if (
                _DEADLINE_START.match(frest)
                and (rest[:1].isupper() or re.match(r"\d{1,2}/\d", rest))
                and (not re.match(r"\d", rest) or re.match(r"\d{1,2}/\d{1,2}/\d{2,4}", rest))
            ):
                cuts.append(i)
                continue
            if re.match(rf"(?:{_HEAD_WORDS})\.?\s*$", rest):
                continue  # "… Hải Phòng." ends a sentence, it does not start a cell
            if (
                split_heads
                and _HEAD_AT.match(rest)
                and prev_char not in (",", ";", "&", "-", "–", "(")
                and prev.strip(".,") not in _PREPOSITIONS
                and not _OCR_CUA.match(prev.strip(".,"))
                and not rest.startswith(("Các", "Cac", "Céc"))
                or (
                    split_heads
                    and rest.startswith(("Các", "Cac", "Céc", "Cdc"))
                    and prev_char not in (",", ";", "&", "-", "(")
                    and prev.strip(".,") not in _PREPOSITIONS
                    and _looks_deadline_tail(f[:i])
                )
            ):
                cuts.append(i)
    if not cuts:
        return [s]
    out = []
    last = 0
    for c in cuts:
        out.append(s[last:c].strip())
        last = c
    out.append(s[last:].strip())
    return [o for o in out if o]


def _looks_deadline_tail(prefix_folded: str) -> bool:
    """True when the text before a 'Các …' ends with a complete deadline phrase."""
    tail = prefix_folded[-30:]
    return bool(re.search(r"(\d{4}|thuong xuyen|theo yeu cau|\d{1,2}/\d{4})\s*$", tail))


class _RowBuilder:
    def __init__(self, order: list[str], units: _Units, year: int | None) -> None:
        self.order = order
        self.units = units
        self.year = year
        self.cells: dict[str, str] = {r: "" for r in order}
        self.cur = "content"
        self.touched = "content"

    def unit_cols(self) -> list[str]:
        return [r for r in self.order if r in ("lead", "coop")]

    def next_unit_col(self, after: str) -> str | None:
        cols = self.order
        start = cols.index(after) + 1 if after in cols else 0
        for r in cols[start:]:
            if r in ("lead", "coop") and not self.cells[r]:
                return r
        return None

    def put(self, role: str, seg: str, *, new_name: bool = False) -> None:
        old = self.cells.get(role, "")
        if role in ("lead", "coop") and new_name and old:
            self.cells[role] = old.rstrip(" ,;") + "; " + seg
        else:
            self.cells[role] = _join(old, seg)
        self.cur = role
        self.touched = role

    # -- one cell per line (a PDF table saved as text)
    def feed_flat(self, seg: str) -> None:
        cur = self.cur
        cells = self.cells
        if "start" in cells and cells["content"] and _looks_deadline_start(seg) and len(seg) <= 40:
            # "01/3/2026" / "30/6/2026" under "Bắt đầu | Kết thúc": the first is the start
            if not cells["start"] and not cells["deadline"]:
                self.put("start", seg)
                return
            if cur == "start":
                self.put("deadline", seg)
                return
        if (
            cur == "content"
            and cells["content"]
            and _PERSON.match(seg.strip())
            and "leader" not in cells
            and "lead" in cells
            and not cells["lead"]
        ):
            # "Đ/c Nguyễn Văn An – PCT UBND xã" in the lead column (read by _person_lead)
            self.put("lead", seg)
            return
        if cur == "content":
            if (
                cells["content"]
                and _looks_unit_start(seg)
                and (_short_unit(seg) or getattr(self.units.resolve(seg), "kind", "") == "unit")
            ):
                col = self.next_unit_col("content")
                if col:
                    self.put(col, seg)
                    return
            if (
                cells["content"]
                and _looks_deadline_start(seg)
                and len(seg) <= 40
                and "deadline" in cells
            ):
                self.put("deadline", seg)
                return
            if cells["content"] and _looks_leader(seg) and "leader" in cells and len(seg) <= 60:
                self.put("leader", seg)
                return
            self.put("content", seg)
            return
        if cur in ("lead", "coop"):
            if _looks_deadline_start(seg) and "deadline" in cells and not cells["deadline"]:
                self.put("deadline", seg)
                return
            if _looks_leader(seg) and "leader" in cells and not cells["leader"]:
                self.put("leader", seg)
                return
            dangling = (
                cells[cur].rstrip().endswith((",", "-", "&", "(", "–"))
                or (cells[cur].count("(") > cells[cur].count(")"))
                or (fold(cells[cur]).split() or [""])[-1] in {"va", "cac", "ha", "cua", "voi"}
            )
            if _starts_lower(seg) or dangling:
                self.put(cur, seg)
                return
            if _looks_unit_start(seg):
                col = self.next_unit_col(cur)
                if col:
                    self.put(col, seg)
                else:
                    self.put(cur, seg, new_name=True)
                return
            if len(seg) > 50 and _starts_lower(seg):
                self.put("content", seg)
                return
            self.put(cur, seg)
            return
        if cur == "deadline" and _looks_leader(seg) and "leader" in cells and not cells["leader"]:
            self.put("leader", seg)
            return
        if (
            cur == "leader"
            and re.search(r"chu tich|\bpct\b|\bct\b", fold(cells["leader"]))
            and (nxt := [r for r in self.order[self.order.index("leader") + 1 :]][:1])
            and nxt[0] in ("product", "note")
        ):
            # "Đ/c … – Phó Chủ tịch UBND xã" is complete: the next line is the note
            self.put(nxt[0], seg)
            return
        if cur == "deadline":
            if _looks_unit_start(seg) and not _deadline_open(cells["deadline"], self.year):
                col = self.next_unit_col("deadline")
                if col:
                    self.put(col, seg)
                    return
            if _deadline_open(cells["deadline"], self.year):
                self.put("deadline", seg)
                return
            after = self.order[self.order.index("deadline") + 1 :]
            if after and after[0] in ("product", "note"):
                # "Thời gian hoàn thành | Sản phẩm": the cell after the deadline
                self.put(after[0], seg)
                return
            if len(seg) <= 25:
                self.put("deadline", seg)
                return
            self.put("content", seg)
            return
        if cur in ("product", "note"):
            if _looks_unit_start(seg) and (col := self.next_unit_col(cur)):
                self.put(col, seg)
                return
            if _looks_deadline_start(seg) and "deadline" in cells and not cells["deadline"]:
                self.put("deadline", seg)
                return
            if len(seg) > 60:
                self.put("content", seg)
                return
        self.put(cur, seg)

    # -- cells side by side on each line (OCR)
    def feed_first_line(self, segs: list[str], line: str = "") -> None:
        fields = [f.strip() for f in line.strip().split("|")] if "|" in line else []
        if len(fields) == len(self.order) and fields[0]:
            # every cell of the row set off by "|": take them by position
            for role, text in zip(self.order, fields, strict=True):
                if text:
                    self.put(role, text)
            return
        if not segs:
            return
        self.put("content", segs[0])
        last = "content"
        for seg in segs[1:]:
            if (
                _looks_deadline_start(seg)
                and "start" in self.cells
                and not self.cells["start"]
                and not self.cells["deadline"]
            ):
                self.put("start", seg)
                last = "start"
                continue
            if (
                _looks_deadline_start(seg)
                and "deadline" in self.cells
                and not self.cells["deadline"]
            ):
                self.put("deadline", seg)
                last = "deadline"
                continue
            if _looks_leader(seg) and "leader" in self.cells and not self.cells["leader"]:
                self.put("leader", seg)
                last = "leader"
                continue
            col = self.next_unit_col(last if last in self.order else "content")
            if col is None:
                col = next((r for r in self.unit_cols() if not self.cells[r]), None)
            if col is not None:
                self.put(col, seg)
                last = col
            else:
                self.put(last, seg, new_name=last in ("lead", "coop"))
        # "… cho Văn phòng | Thường xuyên | Công an xã": a lead name left at the end of the
        # content cell because it followed a preposition
        lead_col = "lead" if "lead" in self.cells else None
        if lead_col and not self.cells[lead_col]:
            m = re.search(rf"\s((?:{_HEAD_WORDS})(?:\s+\S+){{0,3}})$", self.cells["content"])
            if m and m.group(1)[:1].isupper():
                self.cells["content"] = self.cells["content"][: m.start()].rstrip()
                self.cells[lead_col] = m.group(1)

    def _open_cells(self) -> list[str]:
        out = []
        for r in self.order:
            if r == "content":
                continue
            txt = self.cells[r]
            if not txt:
                continue
            if (
                r in ("lead", "coop")
                and not _unit_complete(self.units, txt)
                or r == "deadline"
                and _deadline_open(txt, self.year)
            ):
                out.append(r)
        return out

    def feed_next_line(self, line: str) -> None:
        if "|" in line:
            fields = [f.strip() for f in line.strip().split("|")]
            if len(fields) == len(self.order) + 2 and not fields[0] and not fields[-1]:
                fields = fields[1:-1]  # "| … | … |": the table's outer rules
            elif len(fields) == len(self.order) + 1 and not fields[0]:
                fields = fields[1:]  # "| | va Truyen thong | |": the empty STT cell kept
            if len(fields) == len(self.order):
                # "xa tren dia ban | va Do thi | phuong |": every cell of the row continues
                for role, text in zip(self.order, fields, strict=True):
                    if text:
                        self.put(role, text)
                return
        parts = _natural_parts(line)
        if not parts:
            return
        content_open = not self.cells["content"].rstrip().endswith((".", "./.", ";."))
        if content_open:
            first = parts[0]
            if not (_looks_unit_start(first) and len(first) <= 30) and not (
                _looks_deadline_start(first) and len(first) <= 30
            ):
                parts = parts[1:]
                # a unit continuation glued to the end of the content part ("… công HCC xã")
                opens = [r for r in self._open_cells() if r in ("lead", "coop")]
                if opens and not first.rstrip().endswith("."):
                    words = first.split()
                    for k in range(1, min(4, len(words) - 1) + 1):
                        cand = _join(self.cells[opens[0]], " ".join(words[-k:]))
                        if _unit_complete(self.units, cand):
                            self.cells[opens[0]] = cand
                            first = " ".join(words[:-k])
                            break
                self.cells["content"] = _join(self.cells["content"], first)
        if not parts:
            return
        opens = self._open_cells()
        empties = [r for r in self.order if r != "content" and not self.cells[r]]
        targets = opens + [r for r in empties if r not in opens]
        targets.sort(key=lambda r: self.order.index(r))
        assigned: list[str] = []
        for part in parts:
            target = None
            for r in targets:
                if r in assigned:
                    continue
                if r == "deadline" and not self.cells[r] and not _looks_deadline_start(part):
                    continue
                if (
                    r in ("lead", "coop")
                    and not self.cells[r]
                    and not (_looks_unit_start(part) or fold(part).startswith(("cac", "so", "s&")))
                ):
                    continue
                target = r
                break
            if target is None:
                target = assigned[-1] if assigned else self.touched
                if target == "content" and not content_open:
                    target = targets[0] if targets else "content"
            else:
                assigned.append(target)
            self.put(target, part)


def _natural_parts(line: str) -> list[str]:
    """Split an OCR continuation line at the places a cell can end: '|', a sentence end, a
    locality word ending a unit name ("… HCC xã | môn thuộc UBND xã")."""
    out: list[str] = []
    for piece in re.split(r"\s*\|\s*", line.strip()):
        if not piece:
            continue
        words = piece.split()
        cur: list[str] = []
        for i, w in enumerate(words):
            cur.append(w)
            fw = fold(w)
            nxt = fold(words[i + 1]) if i + 1 < len(words) else ""
            if i + 1 == len(words):
                break
            if (
                w.endswith(".")
                and not re.fullmatch(r"\w\.", w)
                or fw in _LOCALITY_TOKENS
                and nxt not in ("hoi", "hoi,")
                and not w.endswith((",", ";"))
            ):
                out.append(" ".join(cur))
                cur = []
        if cur:
            out.append(" ".join(cur))
    return [o for o in out if o.strip()]


def _pipe_table_at(lines: list[str], start: int) -> int | None:
    """The line before a '|'-separated header row (STT | Nội dung | … | Thời hạn)."""
    for i in range(max(start, 1), len(lines)):
        line = lines[i]
        if line.count("|") < 2 or len(line) > 300:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if _is_header_row(cells) and _TASK_ROLES & set(_header_roles(cells)):
            return i - 1
    # a header flattened one cell a line ("STT" / "Nội dung" / "Cơ quan chủ trì" / …)
    for i in range(max(start, 1), len(lines) - 3):
        if _role_of_header(_clean(lines[i])) != "stt":
            continue
        cells = [_clean(x) for x in lines[i : i + 8]]
        roles: list[str | None] = []
        for c in cells:
            r = _role_of_header(c) if len(c) < 40 else None
            if r is None:
                break
            roles.append(r)
        if len(roles) >= 3 and "content" in roles and _TASK_ROLES & set(roles):
            return i - 1
    return None


def _text_appendices(lines: list[str], units: _Units, year: int | None) -> list[_RawTask]:
    """The text appendix, or several ("PHỤ LỤC II" further down): each read on its own, and
    when their numbers repeat the appendix goes in the ref (PL2.1)."""
    cuts = [
        i
        for i, ln in enumerate(lines)
        if len(ln) < 120
        and ln.lstrip(" *#")[:7].lower().startswith(("phụ lục", "phu luc", "phụ lụ"))
        and _APPENDIX_LABEL.match(fold(_clean(ln)))
    ]
    if not cuts:
        return _tasks_from_text_appendix(lines, units, year)
    chunks = [lines[: cuts[0]]] + [
        lines[a:b] for a, b in zip(cuts, [*cuts[1:], len(lines)], strict=True)
    ]
    parts = [_tasks_from_text_appendix(c, units, year) for c in chunks]
    refs = [t.ref for p in parts for t in p]
    if len(set(refs)) < len(refs):
        for k, p in enumerate(parts, 1):
            for t in p:
                t.ref = f"PL{k}.{t.ref}"
    return [t for p in parts for t in p]


def _tasks_from_text_appendix(lines: list[str], units: _Units, year: int | None) -> list[_RawTask]:
    header, rows = _split_text_rows(lines)
    if not rows:
        return []
    order = _text_header_order(" ".join(header[-8:]))
    row_lines = [ln for r in rows for ln in r.lines]
    piped = sum(1 for ln in row_lines if "|" in ln)
    ocr = piped >= max(3, 0.15 * len(row_lines))
    out: list[_RawTask] = []
    for r in rows:
        b = _RowBuilder(order, units, year)
        if ocr:
            if r.lines:
                b.feed_first_line(_segments(r.lines[0]), r.lines[0])
                for ln in r.lines[1:]:
                    b.feed_next_line(ln)
        else:
            for ln in r.lines:
                for seg in _segments(ln, split_heads=False):
                    b.feed_flat(seg)
        ref = f"{r.section_label}.{r.ref_num}" if r.section_label else r.ref_num
        out.append(
            _RawTask(
                ref=ref,
                section=r.section,
                content=_clean(b.cells.get("content", "")),
                lead=b.cells.get("lead", ""),
                coop=b.cells.get("coop", ""),
                deadline=_clean(b.cells.get("deadline", ""))
                or _month_deadline([b.cells.get(r, "") for r in order], list(order)),
                leader=_clean(b.cells.get("leader", "")),
            )
        )
    # a vertically merged deadline cell: printed once, shared by the rows below it
    for prev, cur in zip(out, out[1:], strict=False):
        if not cur.deadline and prev.deadline and prev.section == cur.section:
            cur.deadline = prev.deadline
    return out


# ====================================================================== body tasks

_ASSIGN_LEAD = re.compile(
    r"^(?:(?:co quan|[dp]on vi|bo phan|phong)?\s*(?:ch(?:u|ii) tri|thuc hien|phu trach|tham muu)"
    r"(?: thuc hien| chinh)?|(?:[dp]on vi |co quan )?(?:chiu )?trach nhiem(?: thuc hien| chinh)?)\s*:"
)
_ASSIGN_COOP = re.compile(r"^(?:co quan|[dp]on vi|bo phan)?\s*(?:phoi hop)(?: thuc hien)?\s*:")
_ASSIGN_LEADER = re.compile(
    r"^(?:lanh dao|nguoi)(?: ubnd(?: xa| phuong)?| uy ban nhan dan(?: xa| phuong)?)?\s*"
    r"(?:chi dao|phu trach|theo doi)?\s*:"
)
_ASSIGN_DEADLINE = re.compile(r"^(?:thoi han|thoi gian|tien do)(?: hoan thanh| thuc hien)?\s*:")
_INLINE_LEAD = re.compile(
    r"(?:\(|;|\.|,)\s*(?:co quan |[dp]on vi |bo phan )?(?:ch(?:u|ii) tri|thuc hien|trach nhiem)\s*:\s*"
)
_INLINE_STOP = re.compile(r"[;)]|\.(?:\s|$)")
_INLINE_LEADER = re.compile(
    r"(?:\(|;|\.|,)\s*lanh dao(?: ubnd(?: xa| phuong)?)?\s*(?:chi dao|phu trach)\s*:\s*"
)
_INLINE_COOP = re.compile(r"(?:\(|;|\.|,)\s*(?:co quan |[dp]on vi )?phoi hop\s*:\s*")
_COOP_WITH = re.compile(
    r"\bphoi hop(?: chat che)?(?: voi)?\s+(?=(?:cac|so|bo|phong|van phong|trung tam|cong an|ubnd|"
    r"uy ban|ban|doan|hoi|mttq|ub|tram|truong|chi cuc|kho bac|bao hiem|bhxh|thon|to dan pho|"
    r"khu pho|dang uy|mat tran)\b)"
)
_COOP_STOP = re.compile(
    r"\s(?:trong|thuc hien|to chuc|de|nham|trinh|tham muu|trien khai|xay dung|giam sat|theo doi|"
    r"kiem tra|tuyen truyen|lap|ra soat|hoan thien|bo tri|dam bao|bao dam|day manh|nang cao|"
    r"dau tu|cai tao|giu vung|huong dan|van dong|tong hop|cap nhat|so hoa|duy tri|quan ly|"
    r"xu ly|phat dong|thuc day|tang cuong|ho tro)\b|[.;:(]"
)
# "(Đơn vị thực hiện: …; thời gian: …)" inside a bullet: the assignment, not the work
_ASSIGN_PAREN = re.compile(
    r"\s*\((?=[^)]*(?:thực hiện|chủ trì|phối hợp|thời gian|thời hạn|thuc hien|chu tri|"
    r"phoi hop|thoi gian|thoi han|chii tri)\s*:)[^)]*\)"
)
_WORK_PREFIX = re.compile(
    r"^\s*(?:(?P<colon>:)\s*)?(?:(?:la co quan |la don vi )?(?P<verb>ch(?:u|ii) tri|thuc hien|tham muu|"
    r"phu trach)(?: thuc hien)?\s*,?\s*)?(?P<coop>(?:va |, ?)?phoi hop(?: chat che)?(?: voi)?\s+)?"
)
_CONTENT_SECTION = re.compile(
    r"(noi dung|nhiem vu|chi tieu|giai phap|cong viec|ke hoach thuc hien|hoat dong|lo trinh|"
    r"bien phap)"
)
_NOT_TASK_SECTION = re.compile(
    r"(muc dich|yeu cau|kinh phi|to chuc thuc hien|dieu khoan|hieu luc|"
    # a review of what was done is not a list of tasks
    r"^(?:tinh hinh|ket qua|thuc trang|danh gia ket qua|tong ket|ton tai|han che))"
)
_IMPL_SECTION = re.compile(
    r"(to chuc thuc hien|phan cong|trach nhiem|che do (?:thong tin, )?bao cao)"
)
_STOP_TOPIC = {
    "ve",
    "cong",
    "tac",
    "va",
    "cac",
    "noi",
    "dung",
    "viec",
    "thuc",
    "hien",
    "to",
    "chuc",
}


def _assignment_value(text: str, pattern: re.Pattern[str]) -> str | None:
    orig, f = fold_aligned(text.strip())
    m = pattern.match(f)
    if not m:
        return None
    return orig[m.end() :].strip().rstrip(".").strip()


_TAIL_PAREN = re.compile(r"\(([^()]{3,200})\)\s*[.;]?\s*$")
_UNKNOWN_SUBJECT = re.compile(
    rf"^\s*(?:Giao\s+|Đề nghị\s+)?((?:{_HEAD_WORDS})(?:\s+[^\s,;:.()]+){{1,7}}?)\s+"
    r"(?=(?:chủ trì|chịu trách nhiệm|là cơ quan|là đơn vị|phối hợp|thực hiện|tham mưu)\b)"
)


def _name_like(name: str) -> bool:
    """A proper name: "Hội Liên hiệp Phụ nữ xã", "Đoàn Thanh niên" (the word after the head
    capitalised, as Vietnamese writes names), not "Phòng chống dịch cho người dân"."""
    words = name.split()
    if len(words) < 2 or not words[1][:1].isupper():
        return False
    return not any(fold(w) in _PREPOSITIONS for w in words[2:] if fold(w) not in ("va", "&"))


_ROLE_AFTER = re.compile(r"(?:ch(?:u|ii) tri|phoi hop|thuc hien|tham muu|la co quan|la don vi)\b")


# who gives the task, before the unit that takes it: "UBND xã giao", "Chủ tịch UBND xã yêu
# cầu Thủ trưởng", "Đề nghị"
_GIVER = re.compile(
    r"^(?:(?:chu tich\s+)?(?:uy ban nhan dan|ubnd)(?:\s+(?:xa|phuong|thi tran|dac khu))?\s+)?"
    r"(?:(?:giao|de nghi|yeu cau)\s+(?:thu truong\s+)?|thu truong\s+"
    # the head of the unit named for the unit: "Trưởng các thôn", "Chánh Văn phòng …"
    r"|(?:truong|chanh|giam doc|chi huy truong)\s+"
    r"(?=cac\s|phong\s|van phong\s|trung tam\s|cong an\s|ban\s|tram\s))"
)


# the closing words of a letter or plan after its last numbered item
_CLOSING = re.compile(
    r"^(?:(?:yeu cau|de nghi)\s+(?:thu truong\s+)?cac\s.{0,60}"
    r"(?:nghiem tuc|khan truong|trien khai thuc hien|thuc hien nghiem)"
    r"|tren day la|trong qua trinh (?:trien khai )?thuc hien,? neu co"
    r"|(?:uy ban nhan dan|ubnd|van phong).{0,30}\bthong bao (?:de|den)\b)"
)


def _subject_unit(text: str, units: _Units) -> tuple[str, int] | None:
    """A unit named at the start of a sentence ("Trung tâm Phục vụ … tập trung …")."""
    t0 = text.strip()
    m0 = _GIVER.match(fold_aligned(t0)[1])
    t = t0[m0.end() :] if m0 else t0
    off = len(t0) - len(t)
    if m0 and t[:6] in ("phòng ", "phong "):
        t = t[0].upper() + t[1:]  # "Trưởng phòng Kinh tế …": the unit is Phòng Kinh tế
    if not _looks_unit_start(t) and not fold(t).startswith("cac "):
        return None
    words = t.split()
    best = None
    for n in range(min(10, len(words)), 1, -1):
        cand = " ".join(words[:n]).rstrip(",.;:")
        u = units.resolve(cand)
        if u is not None and (u.kind == "unit" or n <= 8):
            if u.kind == "unit" and units.d.exact(cand) is None:
                # fuzzy matching forgives a word too many ("Phòng Kinh tế chủ"): prefer the
                # prefix followed by its role ("… chủ trì"), else the unit's exact name
                for k in range(n, 1, -1):
                    after = fold(" ".join(words[k : k + 2]))
                    if _ROLE_AFTER.match(after) or words[k - 1].endswith(":"):
                        c2 = " ".join(words[:k]).rstrip(",.;:")
                        if (e := units.resolve(c2)) is not None and e.key == u.key:
                            cand = c2
                            break
                else:
                    for k in range(n - 1, 1, -1):
                        c2 = " ".join(words[:k]).rstrip(",.;:")
                        if (e := units.d.exact(c2)) is not None and e.key == u.key:
                            cand = c2
                            break
            if u.kind == "group":
                cand = _trim_group(cand)
                # keep a group phrase short: stop at its natural end
                gm = re.match(
                    r"^((?:[Cc]ác|[Cc]ac)\s+(?:cơ quan|co quan|phòng|phong|đơn vị|don vi|ban|bộ phận)"
                    r"(?:[ ,]+(?:ban|ngành|đơn vị|don vi|chuyên môn|chuyen mon|liên quan|có liên quan|"
                    r"đoàn thể|thuộc UBND xã|thuộc Ủy ban nhân dân xã))*)",
                    cand,
                )
                if gm:
                    cand = gm.group(1).rstrip(", ")
            cand = re.sub(r"\s+(?:và|cùng|va)$", "", cand)
            best = (cand, off + len(cand))
            break
    if best is not None and (jm := re.match(r"\s+(?:và|cùng|va|cung)\s+", t0[best[1] :])):
        # "Ủy ban MTTQ Việt Nam xã và các tổ chức chính trị - xã hội tăng cường …": both lead
        at = best[1] + jm.end()
        second = _subject_unit(t0[at:], units) if not _GIVER.match(fold(t0[at:])) else None
        if second is not None:
            best = (t0[off : at + second[1]].strip(), at + second[1])
    return best


_GROUP_TEXT = (
    "cac toan the tat ca co quan don vi phong ban nganh doan the thon to dan pho khu "
    "chuc hoi truong chuyen mon lien quan chinh tri xa phuong thuoc ubnd uy nhan dan "
    "tren dia doanh nghiep hop tac tram y te chi bo dang mat tran cap chinh quyen "
    "cong lap su nghiep dai dien ca nhan tap the va & , - thi tran"
)
_GROUP_WORDS = frozenset(_GROUP_TEXT.split())


def _trim_group(name: str) -> str:
    """ "Các thôn báo cáo kết quả …" → "Các thôn": a group phrase ends at the first word that
    is not one of the words groups are made of."""
    words = name.split()
    keep = 0
    for k, w in enumerate(words):
        fw = fold(w).strip(",.;:()")
        if fw and fw not in _GROUP_WORDS:
            break
        keep = k + 1
    if keep < 2:
        return name
    return " ".join(words[:keep]).rstrip(",;:- ")


def _mentioned_unit(text: str, units: _Units) -> str | None:
    for m in _HEAD_AT.finditer(text):
        start = m.start()
        prefix = fold(text[:start]).split()
        if prefix and prefix[-1] in ("voi", "cua", "den", "len", "gui"):
            continue
        words = text[start:].split()
        for n in range(min(8, len(words)), 1, -1):
            cand = " ".join(words[:n]).rstrip(",.;:")
            u = units.resolve(cand)
            if u is not None and u.kind == "unit" and u.key not in ("ubnd", "hdnd", "dang-uy"):
                return cand
            if u is not None and u.kind == "external":
                break
    return None


def _coop_in_text(text: str) -> list[str]:
    orig, f = fold_aligned(text)
    out: list[str] = []
    for m in _COOP_WITH.finditer(f):
        start = m.end()
        end = min(len(f), start + 120)
        pos = start
        while (stop := _COOP_STOP.search(f, pos)) is not None and stop.start() < end:
            word_at = stop.start() + (1 if f[stop.start()] == " " else 0)
            if orig[word_at : word_at + 1].isupper():
                pos = stop.end()  # "Sở Xây dựng" is a name, "xây dựng" a verb
                continue
            end = stop.start()
            break
        chunk = orig[start:end].strip(" ,")
        if chunk:
            out.append(chunk)
    return out


def _trim_unit_phrase(name: str, units: _Units) -> str:
    """Cut the verb phrase off "Công an xã làm sạch dữ liệu": the longest prefix that is a known
    unit, else the name up to its locality word ("… thành phố", "… xã")."""
    words = name.split()
    if len(words) <= 2:
        return name
    if fold(words[0]) in ("cac", "toan", "tat"):
        return _trim_group(name)
    f0 = [fold(w).strip(",.;") for w in words]
    for i in range(1, min(len(f0), 10)):
        if (f0[i] == "pho" and f0[i - 1] == "thanh") or f0[i] == "tinh":
            return " ".join(words[: i + 1]).rstrip(",.;")  # "Công an thành phố …": external
    for n in range(min(len(words), 10), 1, -1):
        u = units.resolve(" ".join(words[:n]))
        if u is not None and u.kind == "unit":
            return " ".join(words[:n]).rstrip(",.;")
    f = [fold(w).strip(",.;") for w in words]
    for i, w in enumerate(f):
        if (
            w in ("xa", "phuong")
            or (w == "pho" and i and f[i - 1] == "thanh")
            or (w == "tinh" and i > 1)
        ):
            return " ".join(words[: i + 1]).rstrip(",.;")
    return name


def _topics(text: str) -> list[str]:
    f = fold(text)
    m = re.search(r"(?:cac )?noi dung(?: ve)?\s*:?\s*(.+)$", f)
    if not m:
        m = re.search(r"chu tri[^.;]*?(?:cong tac|thuc hien)\s+(.+)$", f)
    if not m:
        return []
    return [t.strip(" .") for t in re.split(r";", m.group(1)) if t.strip(" .")]


def _topic_tokens(s: str) -> set[str]:
    s = re.sub(r"\([^)]*\)", " ", fold(s))
    return {w for w in re.split(r"[^a-z0-9]+", s) if w and w not in _STOP_TOPIC}


@dataclass
class _Assign:
    lead: list[str] = field(default_factory=list)
    coop: list[str] = field(default_factory=list)
    leader: str | None = None
    deadline: str = ""


def _assignment_parts(text: str) -> list[tuple[str, re.Pattern[str], str]]:
    """ "Thời gian: Quý II/2026; Đơn vị thực hiện: Phòng …": each labelled part of a line."""
    pats = (
        (_ASSIGN_LEAD, "lead"),
        (_ASSIGN_COOP, "coop"),
        (_ASSIGN_LEADER, "leader"),
        (_ASSIGN_DEADLINE, "deadline"),
    )
    pieces = [text]
    if ";" in text or ". " in text:
        pieces = [p for p in re.split(r"(?:;|\.)\s+", text) if p.strip()]
        # keep a piece glued to the one before unless it starts with a label of its own
        merged: list[str] = []
        for piece in pieces:
            fp = fold(piece.strip())
            if merged and not any(pat.match(fp) for pat, _ in pats):
                merged[-1] = merged[-1] + "; " + piece
            else:
                merged.append(piece)
        pieces = merged
    out: list[tuple[str, re.Pattern[str], str]] = []
    for piece in pieces:
        fp = fold(piece.strip())
        for pat, attr in pats:
            if pat.match(fp):
                out.append((piece, pat, attr))
                break
    return out


def _item_assignments(node: Node) -> _Assign | None:
    a = _Assign()
    found = False
    for c in node.iter()[1:]:
        if not _is_assignment_line(c.text):
            continue
        for part, pat, attr in _assignment_parts(c.text):
            v = _assignment_value(part, pat)
            if v is None:
                continue
            found = True
            if attr == "lead":
                a.lead.append(v)
            elif attr == "coop":
                a.coop.append(v)
            elif attr == "leader":
                a.leader = clean_unit_name(v)
            else:
                a.deadline = v
    return a if found else None


_DEADLINE_CLAUSE = re.compile(
    r"[;,]\s*(?:(?:va |de )?(?:(?:thoi gian|thoi han)\s*(?:hoan thanh|thuc hien)?\s*:?\s*)?"
    r"(?:hoan thanh|thuc hien|xong|bao cao)?\s*)?"
    r"(?:truoc ngay|cham nhat|trong (?:thang|quy|nam)|thuong xuyen|hang (?:thang|quy|nam)|"
    r"dinh ky|truoc \d)"
    # "; thời gian thực hiện: Quý III/2026": a labelled deadline, whatever its value
    r"|[;,]\s*(?:thoi gian|thoi han)(?:\s+(?:hoan thanh|thuc hien))?\s*:"
)


_DEADLINE_TAIL = re.compile(
    r"\s+(?:truoc ngay|cham nhat(?: ngay)?|trong (?:thang|quy))\s+[\divx]{1,2}(?:[/.]\d{1,4}){0,2}\s*[.;]?$"
)


def _cut_deadline_clause(text: str) -> str:
    """ "Rà soát quy hoạch; hoàn thành trước ngày 30/6/2026." → "Rà soát quy hoạch"."""
    f = fold(text)
    m = _DEADLINE_CLAUSE.search(f)
    if m is None or m.start() < 10:
        # "… báo cáo kết quả về UBND xã trước ngày 15/12/2026." ending the sentence
        m = _DEADLINE_TAIL.search(f)
        if m is None or m.start() < 10:
            return text
    return text[: m.start()].rstrip(" ,;")


def _split_assign(node: Node) -> bool:
    """True when two or more of the node's bullets or letters carry their own assignment
    lines: each is a task of its own, not one task with the node's assignment."""
    own = 0
    for c in node.children:
        if c.kind in ("bullet", "plus", "letter") and any(
            k.kind == "para" and _is_assignment_line(k.text) for k in c.children
        ):
            own += 1
    return own >= 2


def _plain_text(nodes: list[Node]) -> str:
    """The text of nodes and their children, without the assignment lines."""
    parts: list[str] = []
    for c in nodes:
        if _is_assignment_line(c.text):
            continue
        parts.append(c.text)
        sub = _plain_text(c.children)
        if sub:
            parts.append(sub)
    return "\n".join(p for p in parts if p)


@functools.lru_cache(maxsize=16384)
def _is_assignment_line(text: str) -> bool:
    f = fold(text.strip())
    return bool(
        _ASSIGN_LEAD.match(f)
        or _ASSIGN_COOP.match(f)
        or _ASSIGN_LEADER.match(f)
        or _ASSIGN_DEADLINE.match(f)
    )


class _BodyParser:
    def __init__(self, plan: ParsedPlan, units: _Units, ref_date: dtm.date | None) -> None:
        self.plan = plan
        self.units = units
        self.ref_date = ref_date
        self.topic_map: list[tuple[set[str], str, list[str]]] = []
        self.default_lead: str | None = None

    # ---- implementation section: who does which topic, general implementers, reports
    def read_implementation(self, sections: list[Node]) -> None:
        for sec in sections:
            for node in sec.iter()[1:]:
                if node.kind not in ("item", "subitem", "letter", "bullet", "para"):
                    continue
                unit_name = None
                if node.kind in ("item", "subitem", "letter"):
                    head = node.text.rstrip(".: ")
                    u = self.units.resolve(head.split(":")[0])
                    if u is not None and u.kind == "unit" and len(head) < 90:
                        unit_name = head.split(":")[0]
                if unit_name:
                    for c in [node, *node.children]:
                        txt = c.text if c is not node else ""
                        if not txt:
                            continue
                        fz = fold(txt)
                        if not fz.startswith("chu tri"):
                            continue
                        coop = _coop_in_text(txt)
                        for topic in _topics(txt):
                            self.topic_map.append((_topic_tokens(topic), unit_name, coop))
                if self.default_lead is None and node.kind in ("item", "bullet", "para"):
                    f = fold(node.full_text())
                    if "trien khai thuc hien ke hoach" in f or "trien khai ke hoach" in f:
                        sub = _subject_unit(node.text, self.units)
                        if (
                            sub
                            and (u2 := self.units.resolve(sub[0])) is not None
                            and u2.kind == "group"
                        ):
                            self.default_lead = sub[0]
                        elif node.kind == "item":
                            u3 = self.units.resolve(node.text.rstrip(". :"))
                            if u3 is not None and u3.kind == "group":
                                self.default_lead = node.text.rstrip(". :")

    def lead_for_topic(self, title: str) -> tuple[list[str], list[str]]:
        tt = _topic_tokens(title)
        if not tt:
            return [], []
        best: dict[str, float] = {}
        coops: dict[str, list[str]] = {}
        for tokens, unit, coop in self.topic_map:
            if not tokens:
                continue
            score = len(tt & tokens) / len(tt | tokens)
            if score >= 0.6 and score > best.get(unit, 0):
                best[unit] = score
                coops[unit] = coop
        if not best:
            return [], []
        top = max(best.values())
        leads = [u for u, s in best.items() if s >= top - 1e-9]
        coop = [c for u in leads for c in coops.get(u, [])]
        return leads, coop

    # ---- tasks
    def task_from_text(
        self,
        ref: str,
        text: str,
        section: str,
        topic_title: str,
        *,
        assign: _Assign | None = None,
        title: str | None = None,
        source: str = "body",
    ) -> ParsedTask:
        lead_cells: list[str] = []
        coop_cells: list[str] = []
        leader = None
        deadline_text = ""
        if assign:
            lead_cells += assign.lead
            coop_cells += assign.coop
            leader = assign.leader
            deadline_text = assign.deadline
        body_lines = [ln for ln in text.split("\n") if not _is_assignment_line(ln)]
        body = " ".join(body_lines)
        if not lead_cells:
            orig, f = fold_aligned(body)
            m = _INLINE_LEAD.search(f)
            # a labelled value ends at ';', ')' or the end of its sentence ("… Đoàn Thanh
            # niên. Thời gian: …")
            if m:
                stop = _INLINE_STOP.search(f, m.end())
                lead_cells.append(orig[m.end() : stop.start() if stop else m.end() + 80])
            m = _INLINE_COOP.search(f)
            if m:
                stop = _INLINE_STOP.search(f, m.end())
                coop_cells.append(orig[m.end() : stop.start() if stop else m.end() + 80])
        if not leader and (lm := _INLINE_LEADER.search(fold(body))):
            # "… Lãnh đạo phụ trách: Đ/c Phạm Văn Hải – Phó Chủ tịch UBND xã. Đơn vị …"
            stop = _INLINE_STOP.search(fold(body), lm.end())
            leader = clean_unit_name(body[lm.end() : stop.start() if stop else lm.end() + 80])
            leader = leader or None
        paren_deadline = ""
        if not lead_cells and (pm := _TAIL_PAREN.search(body)):
            # "… (Trạm Y tế xã chủ trì, Phòng Văn hóa – Xã hội phối hợp; Quý II/2026)."
            for part in re.split(r"\s*;\s*", pm.group(1)):
                part = re.sub(r"^(?:Giao|giao|Đơn vị thực hiện|Cơ quan thực hiện)\s*:\s*", "", part)
                if not part:
                    continue
                if _looks_unit_start(part) or fold(part).startswith("cac "):
                    lp, cp = _split_role_cell(part)
                    lead_cells.append(lp)
                    if cp:
                        coop_cells.append(cp)
                elif not paren_deadline and (
                    parse_deadline(part, plan_year=self.plan.year).kind != "none"
                ):
                    paren_deadline = part
        if not lead_cells:
            sub = _subject_unit(body, self.units)
            if sub:
                lead_cells.append(sub[0])
        if not lead_cells and (um := _UNKNOWN_SUBJECT.match(body)) and _name_like(um.group(1)):
            # "Giao Hội Liên hiệp Phụ nữ xã chủ trì …": a unit the directory does not know,
            # kept as written so the monitor maps it
            lead_cells.append(um.group(1))
        if not lead_cells and topic_title and (hu := self.heading_unit(topic_title)):
            # "1. Phòng Văn hóa – Xã hội" / "- Tham mưu …": the unit heading the duties
            lead_cells.append(hu)
        # "2.1. Phòng Kinh tế chủ trì hỗ trợ …" / "- Tổ chức tập huấn …": the heading's lead
        if (
            not lead_cells
            and topic_title
            and (ts := _subject_unit(topic_title, self.units))
            and _ROLE_AFTER.match(fold(topic_title[ts[1] :]).strip(" ,"))
        ):
            lead_cells.append(ts[0])
        if not lead_cells:
            gm = re.search(
                r"(?i:\bgiao)\s+((?:phòng|văn phòng|trung tâm|công an|ban)\b[^:,.;]*?)(?=\s*[:]|\s+(?:chủ trì|theo dõi|thực hiện|tham mưu))",
                body,
            )
            if gm:
                lead_cells.append(gm.group(1))
        if not coop_cells:
            coop_cells += [
                "; ".join(_trim_unit_phrase(n, self.units) for n in split_units(c))
                for c in _coop_in_text(body)
            ]
        if not lead_cells and topic_title:
            leads, coop = self.lead_for_topic(topic_title)
            lead_cells += leads
            if not coop_cells:
                coop_cells += coop
        if not lead_cells:
            mentioned = _mentioned_unit(body, self.units)
            if mentioned:
                lead_cells.append(mentioned)
        if not lead_cells and self.default_lead:
            lead_cells.append(self.default_lead)
        year = self.plan.year
        deadline = _NONE_DEADLINE
        if not deadline_text and paren_deadline:
            deadline_text = paren_deadline
        if deadline_text:
            deadline = parse_deadline(deadline_text, plan_year=year, ref_date=self.ref_date)
        else:
            found = find_deadline(body, year, self.ref_date)
            if not found and (work := self.work_text(body)) != body:
                # "Trưởng các thôn thường xuyên kiểm tra …": the cue right after the subject
                found = find_deadline(work, year, self.ref_date)
            if found:
                deadline_text, deadline = found
        return self.make_task(
            ref,
            title or _title_of(self.work_text(body)),
            body,
            section,
            lead_cells,
            coop_cells,
            leader,
            deadline_text,
            deadline,
            source,
        )

    def make_task(
        self,
        ref: str,
        title: str,
        text: str,
        section: str,
        lead_cells: list[str],
        coop_cells: list[str],
        leader: str | None,
        deadline_text: str,
        deadline: Deadline,
        source: str,
    ) -> ParsedTask:
        lead: list[str] = []
        lead_raw: list[str] = []
        for c in lead_cells:
            n, r = self.units.names(c)
            lead += n
            lead_raw += r
        coop: list[str] = []
        coop_raw: list[str] = []
        for c in coop_cells:
            n, r = self.units.names(c)
            coop += n
            coop_raw += r
        lead = list(dict.fromkeys(lead))
        coop = [c for c in dict.fromkeys(coop) if c not in lead]
        return ParsedTask(
            ref=ref,
            title=title,
            text=_clean(text),
            section=section,
            lead=lead,
            cooperate=coop,
            leader=leader or None,
            deadline_text=_clean(deadline_text),
            deadline=deadline,
            lead_raw=lead_raw,
            cooperate_raw=coop_raw,
            source=source,
        )

    def content_tasks(self, sections: list[Node]) -> list[ParsedTask]:
        tasks: list[ParsedTask] = []
        for sec in sections:
            # a plan without section headings is one section whose refs are the items' own
            sec_label = sec.label or ("" if sec.text == "" else "?")
            items = [c for c in sec.children if c.kind in ("item", "subitem")]
            if not items:
                tasks += self._bullets(sec, sec_label, sec.text, sec.text)
                continue
            for item in items:
                subs = [c for c in item.children if c.kind == "subitem"]
                if subs:
                    # "1. Phát triển chính quyền số" over "1.1. …", "1.2. …"
                    for sub in subs:
                        sref = f"{sec_label}.{sub.label}" if sec_label else sub.label
                        tasks += self._item_tasks(sub, sref, f"{item.label}. {item.text}")
                    continue
                ref = f"{sec_label}.{item.label}" if sec_label else item.label
                tasks += self._item_tasks(item, ref, f"{item.label}. {item.text}")
        return tasks

    def _item_tasks(self, item: Node, ref: str, section_name: str) -> list[ParsedTask]:
        """The tasks of one numbered item: itself with its assignment lines, its letters, or
        its bullets."""
        tasks: list[ParsedTask] = []
        assign = _item_assignments(item)
        if assign is not None and (assign.lead or assign.leader) and not _split_assign(item):
            text = _plain_text(item.children)
            tasks.append(
                self.task_from_text(
                    ref,
                    text or item.text,
                    section_name,
                    item.text,
                    assign=assign,
                    title=_title_of(item.text),
                )
            )
            return tasks
        letters = [c for c in item.children if c.kind == "letter"]
        if letters:
            for let in letters:
                if re.match(r"^chi tieu", fold(let.text)):
                    continue
                lref = f"{ref}.{let.label}"
                la = _item_assignments(let)
                if la is not None and (la.lead or la.leader) and not _split_assign(let):
                    # "a. Ra quân …" / "Đơn vị thực hiện: …" / "Thời gian thực hiện: …"
                    tasks.append(
                        self.task_from_text(
                            lref,
                            "\n".join(p for p in (let.text, _plain_text(let.children)) if p),
                            section_name,
                            item.text,
                            assign=la,
                            title=_title_of(let.text),
                        )
                    )
                    continue
                # "a) Phòng Kinh tế:" over its duties: the letter names the lead
                topic = let.text if self.heading_unit(let.text) else item.text
                got = self._bullets(let, lref, section_name, topic)
                if not got and let.text.strip():
                    got = [self.task_from_text(lref, let.full_text(), section_name, item.text)]
                tasks += got
            return tasks
        got = self._bullets(item, ref, section_name, item.text)
        shared = assign.deadline if assign is not None and assign.deadline else ""
        if not shared and got:
            # "1. Tuyên truyền về … (Quý II/2026)" over its bullets
            hd = find_deadline(item.text, self.plan.year, self.ref_date)
            shared = hd[0] if hd else ""
        if shared:
            # "Thời gian: Quý II/2026" under the item: the bullets' deadline
            for t in got:
                if t.deadline.kind == "none":
                    t.deadline_text = shared
                    t.deadline = parse_deadline(
                        shared, plan_year=self.plan.year, ref_date=self.ref_date
                    )
        if not got and assign is not None:
            tasks.append(
                self.task_from_text(
                    ref,
                    _plain_text(item.children) or item.text,
                    section_name,
                    item.text,
                    assign=assign,
                    title=_title_of(item.text),
                )
            )
            return tasks
        if not got:
            text = "\n".join(
                c.full_text() for c in item.children if not _CLOSING.match(fold(c.text))
            )
            if text.strip():
                tasks.append(self.task_from_text(ref, text, section_name, item.text))
            elif self._task_like(item.text):
                # "3. Phòng Kinh tế chủ trì rà soát …, hoàn thành trước ngày …"
                tasks.append(self.task_from_text(ref, item.text, section_name, item.text))
        tasks += got
        return tasks

    def _bullets(self, node: Node, ref: str, section: str, topic: str) -> list[ParsedTask]:
        out: list[ParsedTask] = []
        bullets = [c for c in node.children if c.kind in ("bullet", "plus")]
        if not bullets:
            return out
        n = 0
        for b in bullets:
            if _is_assignment_line(b.text):
                continue
            n += 1
            ba = _item_assignments(b)
            if ba is not None and (ba.lead or ba.leader or ba.deadline):
                out.append(
                    self.task_from_text(
                        f"{ref}.{n}" if ref else str(n),
                        "\n".join(p for p in (b.text, _plain_text(b.children)) if p),
                        section,
                        topic,
                        assign=ba,
                        title=_title_of(self.work_text(b.text)),
                    )
                )
                continue
            out.append(
                self.task_from_text(f"{ref}.{n}" if ref else str(n), b.full_text(), section, topic)
            )
        return out

    def work_text(self, body: str) -> str:
        """The work itself, without the assignment around it: "Giao Phòng Kinh tế chủ trì,
        phối hợp với Văn phòng rà soát quy hoạch; hoàn thành trước ngày 30/6" → "Rà soát
        quy hoạch"; "Công an xã: Bảo đảm an ninh …" → "Bảo đảm an ninh …"."""
        t = _TAIL_PAREN.sub("", _ASSIGN_PAREN.sub("", body.strip())).strip()
        sub = _subject_unit(t, self.units)
        if sub is None and (um := _UNKNOWN_SUBJECT.match(t)) and _name_like(um.group(1)):
            sub = (um.group(1), um.end(1))
        if sub is None:
            return _cut_deadline_clause(t)
        rest = t[sub[1] :]
        orig, f = fold_aligned(rest)
        m = _WORK_PREFIX.match(f)
        given = bool(_GIVER.match(fold(t)))
        if m is None:
            return t
        at = m.end()
        if m.group("coop"):
            stop = _COOP_STOP.search(f, at)
            while stop is not None and orig[stop.start() + 1 : stop.start() + 2].isupper():
                stop = _COOP_STOP.search(f, stop.end())
            if stop is None or f[stop.start()] in ".;:(":
                return body
            at = stop.start() + 1
        elif not m.group("verb") and not m.group("colon") and not given:
            return t
        if m.group("verb") == "tham muu" and not m.group("coop") and orig[at : at + 1].isupper():
            at = m.start("verb")  # "tham mưu Chủ tịch UBND xã thành lập …" is the work
        work = _cut_deadline_clause(orig[at:].strip())
        if len(work) < 10 or not work[:1].isalpha():
            return t
        return work[0].upper() + work[1:]

    def heading_unit(self, text: str) -> str | None:
        """The unit a heading names on its own ("2. Văn phòng HĐND và UBND"), if any."""
        head = text.strip().rstrip(".: ").split(":")[0].strip()
        head = re.sub(r"^(?:Đề nghị|Giao|Đối với)\s+", "", head, flags=re.I)
        if not head or len(head) > 90:
            return None
        u = self.units.resolve(head)
        if u is None:
            # "Ủy ban MTTQ Việt Nam phường và các tổ chức chính trị - xã hội": several names,
            # each of them known
            parts = split_units(head)
            if len(parts) > 1 and all(
                (pu := self.units.resolve(n)) is not None and pu.kind in ("unit", "group")
                for n in parts
            ):
                return head
            return None
        if u.kind == "unit":
            return head
        if u.kind == "group" and re.search(
            r"\b(co quan|don vi|phong|ban nganh|doan the|thon|to dan pho)\b", fold(head)
        ):
            return head
        return None

    def _task_like(self, text: str) -> bool:
        """A numbered line with no children is a task when it names a unit or a deadline."""
        if len(text) < 25 or _is_upper_heading(text):
            return False
        year = self.plan.year
        return bool(
            _subject_unit(text, self.units)
            or find_deadline(text, year, self.ref_date)
            or re.search(r"\b(chu tri|thuc hien|phoi hop)\b", fold(text))
        )

    def implementation_tasks(self, sections: list[Node], used_refs: set[str]) -> list[ParsedTask]:
        """Reports and other duties with a dated deadline in the implementation section."""
        tasks: list[ParsedTask] = []
        year = self.plan.year
        for sec in sections:
            containers = [
                c for c in sec.iter() if c.kind in ("section", "item", "subitem", "letter")
            ]
            for cont in containers:
                if cont.kind == "section" and any(c.kind == "item" for c in cont.children):
                    continue
                ref_base = _node_ref(cont)
                kids = [c for c in cont.children if c.kind in ("bullet", "plus", "para")]
                # the deadline stated for the whole item ("Báo cáo gửi … chậm nhất …")
                item_deadline: tuple[str, Deadline, Node] | None = None
                for k in cont.iter()[1:]:
                    if k.kind in ("item", "subitem", "letter"):
                        continue
                    fd = find_deadline(k.text, year, self.ref_date, dated_only=True)
                    if fd and re.search(r"bao cao|gui|nop", fold(k.text)):
                        item_deadline = (fd[0], fd[1], k)
                        break
                unit_lines: list[tuple[str, str, Node]] = []
                for k in cont.iter()[1:]:
                    if k.kind not in ("bullet", "plus"):
                        continue
                    if ":" not in k.text:
                        continue
                    head, _, rest = k.text.partition(":")
                    u = self.units.resolve(head)
                    if u is not None and u.kind == "unit" and len(head) < 80 and rest.strip():
                        unit_lines.append((head.strip(), rest.strip(), k))
                n = 0
                if unit_lines and item_deadline is not None:
                    for head, rest, _node in unit_lines:
                        own = find_deadline(rest, year, self.ref_date, dated_only=True)
                        dl_text, dl = (
                            (own[0], own[1]) if own else (item_deadline[0], item_deadline[1])
                        )
                        n += 1
                        tasks.append(
                            self.make_task(
                                f"{ref_base}.{n}",
                                _title_of(rest),
                                rest,
                                cont.text,
                                [head],
                                [],
                                None,
                                dl_text,
                                dl,
                                "assignment",
                            )
                        )
                    continue
                # a sentence of its own with a dated deadline ("báo cáo năm gửi trước ngày 10/12")
                # under a unit heading ("a) Công an xã:"), any dated duty is that unit's task
                head_unit = self.heading_unit(cont.text) if cont.kind != "section" else None
                for k in [cont, *kids]:
                    txt = k.text
                    fd = find_deadline(txt, year, self.ref_date, dated_only=True)
                    if not fd:
                        continue
                    if not (head_unit and (k is not cont or ":" in txt)) and not re.search(
                        r"bao cao|gui|nop|hoan thanh|thuc hien|trien khai", fold(txt)
                    ):
                        continue
                    ref = (
                        ref_base
                        if k is cont or len(kids) <= 1
                        else f"{ref_base}.{kids.index(k) + 1}"
                    )
                    if ref in used_refs:
                        continue
                    used_refs.add(ref)
                    sub = _subject_unit(txt, self.units)
                    lead_cells = [sub[0]] if sub else []
                    if not lead_cells and head_unit:
                        lead_cells = [head_unit]
                    if not lead_cells:
                        men = _mentioned_unit(txt, self.units)
                        if men:
                            lead_cells = [men]
                    # "báo cáo 6 tháng trước ngày 15/6, báo cáo năm trước ngày 10/12": two reports
                    pieces = _report_clauses(txt)
                    dated = [
                        (pc, d)
                        for pc in pieces
                        if (d := find_deadline(pc, year, self.ref_date, dated_only=True))
                    ]
                    if len(dated) < 2:
                        dated = [(txt, fd)]
                    for n_piece, (pc, d) in enumerate(dated, 1):
                        tasks.append(
                            self.make_task(
                                ref if len(dated) == 1 else f"{ref}.{n_piece}",
                                _title_of(self.work_text(txt))
                                if len(dated) == 1
                                else _title_of(_strip_subject(pc, sub)),
                                pc,
                                cont.text,
                                lead_cells,
                                [],
                                None,
                                d[0],
                                d[1],
                                "assignment",
                            )
                        )
        return tasks


def _report_clauses(text: str) -> list[str]:
    """Split "… báo cáo 6 tháng trước ngày 15/6, báo cáo năm trước ngày 10/12" at each
    report it names."""
    f = fold(text)
    cuts = [m.start() + 1 for m in re.finditer(r"[,;]\s+(?=bao cao\b)", f)]
    if not cuts:
        return [text]
    out, last = [], 0
    for c in cuts:
        out.append(text[last:c].strip(" ,;"))
        last = c
    out.append(text[last:].strip(" ,;."))
    return [o for o in out if o]


def _strip_subject(text: str, sub: tuple[str, int] | None) -> str:
    """The clause without the unit that starts the sentence, capitalised."""
    t = text.strip()
    if sub and t.startswith(sub[0]):
        t = t[len(sub[0]) :].strip(" ,:")
    return t[:1].upper() + t[1:] if t else text


def _node_ref(node: Node) -> str:
    parts: list[str] = []
    n: Node | None = node
    skip_item = False
    while n is not None and n.kind != "root":
        if n.label and n.kind in ("section", "item", "subitem", "letter"):
            if not (skip_item and n.kind == "item"):
                parts.append(n.label)
            # "1.1" already carries the number of the item above it
            skip_item = n.kind == "subitem"
        n = n.parent
    return ".".join(reversed(parts)) or "?"


# ====================================================================== entry point


def parse_plan(
    doc_or_text: DocumentText | str | bytes,
    *,
    ref_date: dtm.date | None = None,
    directory: UnitDirectory | None = None,
) -> ParsedPlan:
    """Find the plan's metadata and tasks. Never raises on odd input."""
    try:
        return _parse_plan(doc_or_text, ref_date=ref_date, directory=directory)
    except Exception as exc:  # a parser bug must not take the bot down
        log.exception("plan parse failed")
        return ParsedPlan(warnings=[f"Không phân tích được kế hoạch ({type(exc).__name__})."])


# printed page furniture that OCR and PDF text keep between the lines of a table:
# "Trang 3/7", "- 3 -", "3/7", and the running header "KẾ HOẠCH số 61/KH-UBND" repeated on
# every page after the first
_PAGE_NUMBER = re.compile(
    r"^(?:trang\s*\d{1,3}(?:\s*(?:/|tren)\s*\d{1,3})?|[-–]\s*\d{1,3}\s*[-–]|\d{1,3}\s*/\s*\d{1,3})$"
)
_RUNNING_HEAD = re.compile(r"^(?:ke hoach|chuong trinh)\s+so\s*:?\s*\d{1,5}\s*/\s*[a-z-]{2,16}$")


# a cheap look at the raw line before folding it
_FURNITURE_HINT = re.compile(
    r"\s*(?:trang\s*\d|[-–]\s*\d{1,3}\s*[-–]\s*$|\d{1,3}\s*/\s*\d{1,3}\s*$"
    r"|k\w{0,2}\s+ho\w{0,3}\s+s|ch\w{1,3}ng\s+tr\w{0,4}\s+s)",
    re.I,
)


_FURNITURE_GATE = re.compile(
    r"\n[ \t]*(?:[Tt]rang|TRANG)[ \t]*\d|\n[ \t]*[-–][ \t]*\d{1,3}[ \t]*[-–][ \t]*\n"
    r"|\n[ \t]*\d{1,3}[ \t]*/[ \t]*\d{1,3}[ \t]*\n"
)


def _drop_page_furniture(blocks: list[Block]) -> list[Block]:
    # page numbers ("Trang 3/7", "- 3 -") mark a printed document; without them nothing is
    # dropped (and the look costs a few microseconds)
    text = "\n" + "\n".join(b.text for b in blocks if b.cells is None) + "\n"
    if not _FURNITURE_GATE.search(text):
        return blocks
    out: list[Block] = []
    for i, b in enumerate(blocks):
        t = b.text
        if b.cells is None and len(t) <= 48 and _FURNITURE_HINT.match(t):
            f = fold(t).strip(" .|")
            if len(f) <= 40 and f:
                if _PAGE_NUMBER.match(f):
                    continue
                if _RUNNING_HEAD.match(f) and i > 15:
                    continue
        out.append(b)
    return out


_PERSON = re.compile(r"^(?:đ/c|d/c|đồng chí|dong chi|ông|bà)\s+(\S.*)$", re.I)
_PERSON_TITLE = re.compile(
    r"\s+[-–—]\s+|\s*,\s+(?=(?:Phó\s+)?(?:Chủ tịch|PCT|CT|Giám đốc|Trưởng|Chánh))"
)
_LEADER_TITLE = re.compile(r"^(?:pho chu tich|chu tich|pct|ct)\b")
_HEAD_TITLE = re.compile(
    r"^(?:pho\s+)?(?:(?P<phong>truong phong)|(?P<vp>chanh van phong)|giam doc|chi huy truong"
    r"|truong|chu nhiem)(?:\s+|$)"
)


def _person_lead(cell: str, units: _Units) -> tuple[str, str | None]:
    """A lead cell naming a person ("Đ/c Nguyễn Văn An – PCT UBND xã"): a Chairman or
    Vice-Chairman is the leader in charge, not a unit; the head of a unit ("Giám đốc Trung
    tâm …", "Chánh Văn phòng") stands for the unit when the directory knows it. Returns
    (lead cell, leader); a person whose unit is not known stays as written, to be mapped."""
    m = _PERSON.match(cell.strip())
    if m is None:
        return cell, None
    parts = _PERSON_TITLE.split(m.group(1), maxsplit=1)
    if len(parts) < 2:
        return cell, None
    title = parts[1].strip(" .;")
    orig, f = fold_aligned(title)
    if _LEADER_TITLE.match(f):
        return "", clean_unit_name(cell)
    hm = _HEAD_TITLE.match(f)
    if hm is None:
        return cell, None
    rest = orig[hm.end() :].strip()
    if hm.group("vp"):
        rest = "Văn phòng HĐND và UBND " + rest
    elif hm.group("phong"):
        rest = "Phòng " + rest
    u = units.resolve(rest)
    if u is not None and u.kind == "unit":
        return rest.strip(), None
    return cell, None


def _parse_plan(
    doc_or_text: DocumentText | str | bytes,
    *,
    ref_date: dtm.date | None,
    directory: UnitDirectory | None,
) -> ParsedPlan:
    if isinstance(doc_or_text, bytes):
        from plans.readers import decode_text

        doc = DocumentText.from_text(decode_text(doc_or_text))
    elif isinstance(doc_or_text, str):
        doc = DocumentText.from_text(doc_or_text)
    else:
        doc = doc_or_text
    blocks = _drop_page_furniture(doc.blocks)
    if doc.kind in ("txt", "pdf"):
        blocks = _promote_text_tables(blocks)
    lines = [b.text for b in blocks]
    plan = ParsedPlan()
    if not any(ln.strip() for ln in lines):
        plan.warnings.append("Tài liệu không có nội dung.")
        return plan
    body_start = _metadata(plan, lines, ref_date)
    if doc.kind == "xlsx":
        from pathlib import Path

        plan.title = Path(doc.filename).stem if doc.filename else "Kế hoạch (mẫu nhập Excel)"
    units = _Units(directory or shared_default_directory(plan.level))
    year = plan.year

    # 1. the appendix
    raw: list[_RawTask] = _tasks_from_tables(blocks) if any(b.cells for b in blocks) else []
    source = "template" if doc.kind == "xlsx" else "appendix"
    app_at = _find_appendix(lines)
    if app_at is None and not raw:
        # a table typed with '|' in the plan's text, without a "Phụ lục" heading above it
        app_at = _pipe_table_at(lines, body_start)
    body_end = len(lines)
    appendix_lines: list[str] = []
    if app_at is not None and app_at >= body_start - 1:
        body_end = app_at
        if not raw:
            text_lines = [b.text for b in blocks[app_at + 1 :] if b.cells is None]
            labelled = sum(1 for ln in text_lines if ":" in ln and _is_assignment_line(_clean(ln)))
            if labelled >= 2:
                # "1. Nội dung: …" / "Đơn vị chủ trì: …" / "Thời hạn: …": labelled blocks,
                # read as numbered items rather than as a table
                appendix_lines = text_lines
            else:
                raw = _text_appendices(text_lines, units, year)
    for k in range(body_start, body_end):
        if blocks[k].cells is None and fold(blocks[k].text).strip().startswith("noi nhan"):
            # the distribution list and the signature end the text of a letter or a plan
            body_end = k
            break
    body_lines = _flatten_parts([b.text for b in blocks[body_start:body_end] if b.cells is None])
    tree = build_tree(body_lines)
    sections = [c for c in tree.children if c.kind == "section"]
    if not sections and any(c.kind in ("item", "bullet", "plus") for c in tree.children):
        # numbered items with no section headings at all: one section without a label
        whole = Node("section", "", "")
        for c in tree.children:
            whole.add(c)
        sections = [whole]
    impl = [s for s in sections if _IMPL_SECTION.search(fold(s.text))]
    bp = _BodyParser(plan, units, ref_date)
    bp.read_implementation(impl)

    tasks: list[ParsedTask] = []
    content_secs: list[Node] = []
    if appendix_lines:
        atree = build_tree(appendix_lines)
        asecs = [c for c in atree.children if c.kind == "section"]
        if not asecs:
            whole = Node("section", "", "")
            for c in atree.children:
                whole.add(c)
            asecs = [whole]
        tasks += [dataclasses.replace(t, source="appendix") for t in bp.content_tasks(asecs)]
    if raw:
        for r in raw:
            dl = (
                parse_deadline(r.deadline, plan_year=year, ref_date=ref_date)
                if r.deadline
                else _NONE_DEADLINE
            )
            content = _clean(r.content)
            if not content:
                continue
            if r.lead and not r.coop:
                r.lead, r.coop = _split_role_cell(r.lead)
            if r.lead:
                r.lead, person = _person_lead(r.lead, units)
                if person and not r.leader:
                    r.leader = person
            tasks.append(
                bp.make_task(
                    r.ref,
                    _title_of(content, 400),
                    content,
                    r.section,
                    [r.lead] if r.lead else [],
                    [r.coop] if r.coop else [],
                    clean_unit_name(r.leader) or None,
                    r.deadline,
                    dl,
                    source,
                )
            )
    elif not tasks:
        content_secs = [
            s
            for s in sections
            if _CONTENT_SECTION.search(fold(s.text)) and not _NOT_TASK_SECTION.search(fold(s.text))
        ]
        if not content_secs:
            content_secs = [s for s in sections if not _NOT_TASK_SECTION.search(fold(s.text))]
        tasks += bp.content_tasks(content_secs)
    used = {t.ref for t in tasks}
    # a "Phân công nhiệm vụ" section read as content is not read again for its reports
    tasks += bp.implementation_tasks([s for s in impl if s not in content_secs], used)

    # refs must be unique: the monitor and re-import address tasks by ref
    seen: Counter[str] = Counter()
    for t in tasks:
        seen[t.ref] += 1
        if seen[t.ref] > 1:
            t.ref = f"{t.ref}-{seen[t.ref]}"
    plan.tasks = tasks
    plan.unknown_units = list(units.unknown)
    plan.external_units = list(units.external)
    if not tasks:
        plan.warnings.append("Không tìm thấy nhiệm vụ nào trong tài liệu.")
    else:
        no_lead = sum(1 for t in tasks if not t.lead)
        no_dl = sum(1 for t in tasks if t.deadline.kind == "none")
        if no_lead:
            plan.warnings.append(f"{no_lead} nhiệm vụ chưa xác định được cơ quan chủ trì.")
        if no_dl:
            plan.warnings.append(f"{no_dl} nhiệm vụ không ghi thời hạn.")
        if bp.default_lead and any(t.lead == [bp.default_lead] for t in tasks):
            plan.warnings.append(
                f"Một số nhiệm vụ không ghi cơ quan chủ trì, tạm giao cho “{bp.default_lead}”."
            )
    total = re.search(r"tong so\s*:?\s*(\d{1,3})\s*nhiem vu", fold(" ".join(lines[-30:])))
    if total and raw and int(total.group(1)) != len([t for t in tasks if t.source != "assignment"]):
        plan.warnings.append(
            f"Tài liệu ghi {total.group(1)} nhiệm vụ nhưng đọc được {len(tasks)} nhiệm vụ."
        )
    return plan
