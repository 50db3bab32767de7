"""Deadline parsing: the "Thời hạn" column of a plan, and colloquial dates typed in chat.

``parse_deadline`` implements ARCHITECTURE §5 with our own rules (dateparser misreads the formal
forms: "15 giờ" as "in 15 hours", nothing for "Quý IV/2025"). Every rule runs on folded text
(no diacritics, lower case), so OCR output and phones without a Vietnamese keyboard parse the
same. ``parse_colloquial`` handles chat input ("thứ sáu tuần sau", "3 ngày nữa"); dateparser is
only its last fallback and is imported lazily because importing it costs about a second.
"""

from __future__ import annotations

import calendar
import datetime as dtm
import functools
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from plans.text import fold, fold_aligned

__all__ = ["KINDS", "Deadline", "parse_colloquial", "parse_deadline"]

KINDS = (
    "datetime",
    "date",
    "month",
    "quarter",
    "year",
    "recurring",
    "conditional",
    "on_request",
    "none",
)

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
_EOD = dtm.time(17, 0)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A parsed deadline; ``due`` is aware (in the plan's time zone) or None."""

    kind: str
    due: dtm.datetime | None
    text: str
    condition: str | None = None
    before: bool = False
    recurring_day: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "due": self.due.isoformat() if self.due is not None else None,
            "text": self.text,
            "condition": self.condition,
        }


@functools.lru_cache(maxsize=32)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _safe_date(year: int, month: int, day: int) -> dtm.date | None:
    """The date, with the day clamped to the month's end (31/02 → 28/02); None if nonsense."""
    if not (1900 <= year <= 2200 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return dtm.date(year, month, min(day, _last_day(year, month)))


def _year4(s: str) -> int:
    y = int(s)
    return 2000 + y if y < 100 else y


# --------------------------------------------------------------------------------------------
# parse_deadline patterns (all on folded text; whitespace kept, so \s+ everywhere)

# Characters that OCR and Word formatting scatter in table cells; replaced one-for-one by spaces
# so offsets still point into the original text.
_NOISE_TABLE = str.maketrans({c: " " for c in '|*_~`#[]{}<>"\\'})

# Document references ("268/NQ-CP ngày 31/8/2025", "123/2025/NĐ-CP") carry dates that are not
# deadlines; they are blanked before looking for dates.
_DOCREF_RE = re.compile(
    r"\b\d{1,5}\s*/\s*(?:\d{4}\s*/\s*)?[a-z]{1,8}(?:\s*-\s*[a-z0-9]{1,10})+\b"
    r"(?:\s*,?\s*(?:ngay|ngay,)\s*\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4})?"
)

_SEP_LIST = r"\s*(?:,|;|&|-|va|den|toi|hoac)\s*"
_ROMAN_TOK = r"(?:[ivxl1]{1,4}(?![a-z0-9])|[1-4](?![0-9]))"

_CAND_RE = re.compile(
    # 06/5/2026, 6.5.2026, 06-05-26 (one separator throughout, so "15-20/12/2025" is not a date)
    r"(?P<dmy>\b(?P<dmy_d>\d{1,2})\s*(?P<dmy_s>[/.\-])\s*(?P<dmy_m>\d{1,2})\s*(?P=dmy_s)\s*"
    r"(?P<dmy_y>\d{4}|\d{2})(?!\d))"
    # 5 tháng 12 năm 2025, 5 tháng 12
    r"|(?P<vn>(?<!thu\s)(?<!tuan\s)\b(?P<vn_d>\d{1,2})\s+thang\s+(?P<vn_m>\d{1,2})(?!\d)"
    r"(?:\s*(?:,\s*)?(?:nam|/|-)\s*(?P<vn_y>\d{4}))?)"
    # 6 tháng đầu năm 2026, 9 tháng đầu năm, 6 tháng cuối năm
    r"|(?P<half>\b(?P<half_n>\d{1,2}|ba|sau|chin)\s+thang\s+(?P<half_w>dau|cuoi)\s+nam"
    r"(?:\s+(?P<half_y>\d{4}))?)"
    # Quý IV/2025, Quý III, IV/2026, quý 4 năm 2025, Quy lV
    rf"|(?P<quy>\bqu[yi]\s*(?P<quy_l>{_ROMAN_TOK}(?:{_SEP_LIST}(?:quy\s*)?{_ROMAN_TOK})*)"
    r"(?:\s*(?:/|nam|-|\.)?\s*(?P<quy_y>\d{4})(?!\d))?)"
    # Q4/2025, Q.IV-2025 (only with a year: a bare "Q1" may be anything)
    r"|(?P<qq>\bq\s*\.?\s*(?P<qq_n>[1-4]|iv|i{1,3})\s*(?:/|-|nam)\s*(?P<qq_y>\d{4})(?!\d))"
    # Tháng 11/2025, tháng 10, 11/2025, tháng 12 năm 2025, tháng 12
    r"|(?P<mon>\b(?:thang|thg)\s*(?P<mon_l>\d{1,2}(?!\d)(?:"
    + _SEP_LIST
    + r"(?:thang\s*)?\d{1,2}(?!\d))*)"
    r"(?:\s*(?:/|nam|-|\.)\s*(?P<mon_y>\d{4}|\d{2})(?!\d))?)"
    # T11/2025
    r"|(?P<tmon>\bt(?P<tmon_m>\d{1,2})\s*/\s*(?P<tmon_y>\d{4})(?!\d))"
    # 11/2025
    r"|(?P<my>\b(?P<my_m>\d{1,2})\s*/\s*(?P<my_y>\d{4})(?!\d))"
    # 10/12 (year from the context)
    r"|(?P<dm>\b(?P<dm_d>\d{1,2})\s*/\s*(?P<dm_m>\d{1,2})(?![\d/])(?!\s*/\s*\d)"
    r"(?:\s*,?\s*nam\s+(?P<dm_y>\d{4})(?!\d))?)"
    # ngày 15.12, trước 20-12 (only after "ngày", "trước", "đến", "hạn": "15.5" alone may be a
    # number)
    r"|(?P<dmx>(?:(?<=ngay\s)|(?<=truoc\s)|(?<=den\s)|(?<=han\s)|(?<=han:\s))(?P<dmx_d>\d{1,2})\s*[.\-]\s*(?P<dmx_m>\d{1,2})(?![\d.\-/]))"
    # cuối năm, đầu năm, giữa năm (the plan's year)
    r"|(?P<pyr>\b(?P<pyr_w>cuoi|dau|giua)\s+nam\b(?!\s*(?:\d|hoc|tai|sau|toi|truoc)))"
    # 2026, 2026 - 2030, giai đoạn 2026-2030
    r"|(?P<yr>\b(?P<yr_a>(?:19|20)\d{2})(?:\s*(?:-|den|toi|va|,)\s*(?P<yr_b>(?:19|20)\d{2}))?(?!\d))"
)

_TIME_BEFORE_RE = re.compile(
    r"(?:(?P<h>\d{1,2})\s*(?:gio|[hg](?![a-z]))\s*(?:(?P<m>\d{1,2})\s*(?:phut|p(?![a-z])|')?)?"
    r"|(?P<h2>\d{1,2})\s*:\s*(?P<m2>\d{2}))"
    r"\s*'?\s*(?P<ap>sang|trua|chieu|toi)?[\s,;\-]*"
    r"(?:(?:thu\s*(?:hai|ba|tu|nam|sau|bay|[2-7])|chu\s*nhat)[\s,;\-]*)?"
    r"(?:(?:cua\s+)?ngay[\s,;\-]*)?$"
)
_TIME_AFTER_RE = re.compile(
    r"[\s,;\-]*(?:(?:vao\s+)?luc\s+|vao\s+)?"
    r"(?:(?P<h>\d{1,2})\s*(?:gio|[hg](?![a-z]))\s*(?:(?P<m>\d{1,2})\s*(?:phut|p(?![a-z])|')?)?"
    r"|(?P<h2>\d{1,2})\s*:\s*(?P<m2>\d{2}))"
    r"\s*(?P<ap>sang|trua|chieu|toi)?"
)

_RECUR_RE = re.compile(
    r"\b(?:th\w{1,3}ng\s+xuy\w{1,2}n|h[ae]ng\s+(?:ngay|tuan|thang|quy|nam)"
    r"|moi\s+(?:tuan|thang|quy|nam)|dinh\s+k[yi]|lien\s+tuc|thuong\s+nien|hang\s+ky"
    # "trước ngày 15 của tháng cuối quý", "tuần đầu mỗi quý": a day in every quarter
    r"|thang\s+(?:dau|cuoi|giua|thu\s+(?:hai|ba))\s+(?:cua\s+)?(?:moi\s+)?quy(?!\s*[ivxl1-4])"
    r"|(?:dau|cuoi|giua)\s+moi\s+quy"
    # "6 tháng/lần", "01 lần/quý", "2 lần/năm"
    r"|\d{1,2}\s+(?:lan\s*/\s*(?:tuan|thang|quy|nam)|(?:tuan|thang|quy|nam)\s*/\s*(?:1\s+|01\s+)?lan))\b"
)
_RECUR_DAY_RE = re.compile(
    r"\bngay\s+(?P<a>\d{1,2})(?![\d/.\-])(?!\s+thang\s+\d)|\b(?P<b>\d{1,2})\s+(?:hang|moi)\s+thang"
)
_ON_REQ_RE = re.compile(
    r"\b(?:theo\s+yeu\s+cau|khi\s+c[o6]\s+yeu\s+cau|khi\s+duoc\s+yeu\s+cau|theo\s+chi\s+dao"
    r"|khi\s+c[o6]\s+chi\s+dao|dot\s+xuat|theo\s+de\s+nghi|khi\s+c[o6]\s+de\s+nghi"
    r"|khi\s+(?:[a-z]+\s+){1,3}(?:yeu\s+cau|de\s+nghi))\b"
)
_COND_RE = re.compile(
    r"\b(?:(?:ngay\s+)?sau\s+khi|khi\s+c[o6]\b|khi\s+duoc\b|neu\b|trong\s+truong\s+hop"
    r"|tuy\s+(?:theo|thuoc|vao|tinh\s+hinh)|phu\s+thuoc|cho\s+(?:huong\s+dan|chi\s+dao|y\s+kien|phe\s+duyet)"
    r"|theo\s+(?:huong\s+dan|lo\s+trinh|tien\s+do)\b"
    r"|can\s+cu\s+(?:vao\s+)?(?:huong\s+dan|chi\s+dao|van\s+ban|ket\s+qua|tinh\s+hinh)\b"
    r"|(?:ngay\s+)?khi\s+(?:phat\s+sinh|xay\s+ra|can(?:\s+thiet)?\b|du\s+dieu\s+kien)"
    r"|ke\s+tu\s+(?:ngay|khi)\s+(?:nhan|co|duoc)\b"
    r"|ke\s+tu\s+(?:ngay|khi)\s+(?:[a-z]+\s+){0,4}?(?:ky|ban\s+hanh|phe\s+duyet)\b"
    r"|khi\s+(?=\S+(?:\s+\S+){0,4}\s+(?:ban\s+hanh|phe\s+duyet|huong\s+dan|giao|bo\s+tri)\b))"
)
_BEFORE_RE = re.compile(r"\btruoc\b")
# "10 ngày kể từ ngày ký", "30 ngày kể từ ngày Kế hoạch được ban hành", or a bare "Trong vòng
# 07 ngày làm việc": counted from the plan's issue date.
_REL_RE = re.compile(
    r"\b(?P<n>\d{1,3})\s+ngay(?P<wd>\s+lam\s+viec)?\s+(?:ke\s+tu|tinh\s+tu)\s+(?:ngay\s+)?"
    r"(?:[a-z]+\s+){0,4}?(?:ky|ban\s+hanh)\b"
    r"|^\W*(?:trong(?:\s+vong|\s+thoi\s+han)?|sau)\s+(?P<n2>\d{1,3})\s+ngay(?P<wd2>\s+lam\s+viec)?"
    r"\W*$"
)
# Tết Nguyên đán (1st day of the lunar year); "trước Tết" is due the day before.
_TET = {
    2025: dtm.date(2025, 1, 29),
    2026: dtm.date(2026, 2, 17),
    2027: dtm.date(2027, 2, 6),
    2028: dtm.date(2028, 1, 26),
    2029: dtm.date(2029, 2, 13),
    2030: dtm.date(2030, 2, 3),
    2031: dtm.date(2031, 1, 23),
    2032: dtm.date(2032, 2, 11),
    2033: dtm.date(2033, 1, 31),
    2034: dtm.date(2034, 2, 19),
    2035: dtm.date(2035, 2, 8),
}
_TET_RE = re.compile(
    r"\b(?:truoc|dip|trong|den|phuc\s+vu|chuan\s+bi)\s+(?:dip\s+)?tet(?:\s+nguyen\s+dan)?\b"
    r"(?:\s+(?:[a-z]+\s+){0,3}?(?P<y>(?:19|20)\d{2})(?!\d))?"
)
_STRIP_CHARS = " \t\r\n,;.:-()[]*|/"
# Words that introduce the deadline after a condition ("…, hoàn thành trong Quý I/2026").
_COND_TAIL_RE = re.compile(
    r"(?:[\s,;.:\-(]|\b(?:trong|truoc|cham\s+nhat|hoan\s+thanh|thuc\s+hien|vao|den|ngay"
    r"|thoi\s+han|han|la|dam\s+bao|xong)\b)*$"
)


# OCR reads 1 as "l"/"I" and 0 as "O" inside numbers ("Thang l2/2025", "Quy IV/2O25",
# "ngày O6/5/2026"); only a letter touching a digit is taken for one, so "Quý I/2026" and words
# stay as they are.
_OCR_DIGIT_RE = re.compile(r"(?<![a-z])[oil](?=\d)|(?<=\d)[oil](?![a-z])")


def _ocr_digit(m: re.Match[str]) -> str:
    return "0" if m.group(0) == "o" else "1"


@dataclass(slots=True)
class _Cand:
    kind: str
    start: int
    end: int
    year: int | None  # explicit year, if written
    month: int | None = None
    day: int | None = None
    quarter: int | None = None
    hour: int | None = None
    minute: int = 0


def _roman_or_digit(tok: str) -> int | None:
    tok = tok.strip()
    if tok.isdigit() and len(tok) == 1:
        return int(tok)
    t = tok.replace("l", "i").replace("1", "i")
    if not t or any(c not in "ivx" for c in t):
        return None
    vals = {"i": 1, "v": 5, "x": 10}
    total, prev = 0, 0
    for ch in reversed(t):
        v = vals[ch]
        if v < prev:
            total -= v
        else:
            total += v
            prev = v
    return total


_DIGITS_RE = re.compile(r"\d+")
_LIST_SPLIT_RE = re.compile(r"\s*(?:,|;|&|-|\bva\b|\bden\b|\btoi\b|\bhoac\b|\bquy\b|\bthang\b)\s*")


def _last_item(s: str) -> str:
    parts = [p for p in _LIST_SPLIT_RE.split(s) if p]
    return parts[-1] if parts else s


def _time_from(m: re.Match[str]) -> tuple[int, int] | None:
    h = m.group("h") or m.group("h2")
    if h is None:
        return None
    mi = m.group("m") or m.group("m2") or "0"
    hour, minute = int(h), int(mi)
    ap = m.group("ap")
    if ap in ("chieu", "toi") and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _candidates(f: str) -> list[_Cand]:
    out: list[_Cand] = []
    for m in _CAND_RE.finditer(f):
        g = m.group
        s, e = m.start(), m.end()
        if g("dmy"):
            d, mo = int(g("dmy_d")), int(g("dmy_m"))
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                continue
            c = _Cand("date", s, e, _year4(g("dmy_y")), mo, d)
        elif g("vn"):
            d, mo = int(g("vn_d")), int(g("vn_m"))
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                continue
            y = g("vn_y")
            c = _Cand("date", s, e, int(y) if y else None, mo, d)
        elif g("half"):
            y = g("half_y")
            n = g("half_n")
            months = int(n) if n.isdigit() else _SMALL_NUMS[n]
            if not 1 <= months <= 12:
                continue
            mo = months if g("half_w") == "dau" else 12
            c = _Cand("month", s, e, int(y) if y else None, mo)
        elif g("qq"):
            q = _roman_or_digit(g("qq_n"))
            if q is None or not 1 <= q <= 4:
                continue
            c = _Cand("quarter", s, e, int(g("qq_y")), quarter=q)
        elif g("quy"):
            q = _roman_or_digit(_last_item(g("quy_l")))
            if q is None or not 1 <= q <= 4:
                continue
            y = g("quy_y")
            c = _Cand("quarter", s, e, int(y) if y else None, quarter=q)
        elif g("mon"):
            mo = int(_DIGITS_RE.findall(g("mon_l"))[-1])
            if not 1 <= mo <= 12:
                continue
            y = g("mon_y")
            c = _Cand("month", s, e, _year4(y) if y else None, mo)
            _part_of_month(f, c)
        elif g("tmon") or g("my"):
            pre = "tmon" if g("tmon") else "my"
            mo = int(g(pre + "_m"))
            if not 1 <= mo <= 12:
                continue
            c = _Cand("month", s, e, int(g(pre + "_y")), mo)
            _part_of_month(f, c)
        elif g("pyr"):
            w = g("pyr_w")
            if w == "cuoi":
                c = _Cand("year", s, e, None)
            else:
                c = _Cand("month", s, e, None, 1 if w == "dau" else 6)
        elif g("dmx"):
            d, mo = int(g("dmx_d")), int(g("dmx_m"))
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                continue
            c = _Cand("date", s, e, None, mo, d)
        elif g("dm"):
            d, mo = int(g("dm_d")), int(g("dm_m"))
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                continue
            y = g("dm_y")
            c = _Cand("date", s, e, int(y) if y else None, mo, d)
        else:
            c = _Cand("year", s, e, int(g("yr_b") or g("yr_a")))
            if g("yr_b") is None:
                mp = _PART_OF_YEAR_RE.search(f, max(0, s - 12), s)
                if mp is not None:
                    c.kind, c.month, c.start = "month", 1 if mp.group(1) == "dau" else 6, mp.start()
        if c.kind == "date":
            tm = None
            before = f[max(0, s - 40) : s]
            mb = _TIME_BEFORE_RE.search(before)
            if mb:
                tm = _time_from(mb)
                if tm:
                    c.start = max(0, s - 40) + mb.start()
            if tm is None:
                ma = _TIME_AFTER_RE.match(f, e, min(len(f), e + 40))
                if ma:
                    tm = _time_from(ma)
                    if tm:
                        c.end = ma.end()
            if tm is not None:
                c.kind = "datetime"
                c.hour, c.minute = tm
        out.append(c)
    return out


_SMALL_NUMS = {"ba": 3, "sau": 6, "chin": 9}

# "tuần đầu tháng 01/2026", "giữa tháng 12", "thượng tuần tháng 12": a day inside the month.
_PART_OF_MONTH_RE = re.compile(
    r"\b(?:(?P<wk>tuan\s+(?:dau|cuoi|thu\s+(?:nhat|hai|ba|tu|[1-4])|[1-4]))"
    r"|(?P<dek>thuong|trung|ha)\s+tuan|(?P<pt>dau|giua|cuoi))\s+(?:cua\s+)?$"
)
_WEEK_END_DAY = {
    "dau": 7,
    "nhat": 7,
    "1": 7,
    "hai": 14,
    "2": 14,
    "ba": 21,
    "3": 21,
    "tu": 28,
    "4": 28,
}
_PART_OF_YEAR_RE = re.compile(r"\b(dau|giua)\s+nam\s+$")


def _part_of_month(f: str, c: _Cand) -> None:
    """Narrow a month candidate to the day its qualifier names; the month end stays a month."""
    m = _PART_OF_MONTH_RE.search(f, max(0, c.start - 24), c.start)
    if m is None:
        return
    day: int | None = None
    if m.group("wk"):
        last = m.group("wk").split()[-1]
        day = _WEEK_END_DAY.get(last)  # None for "tuần cuối": the month's end
    elif m.group("dek"):
        day = {"thuong": 10, "trung": 20}.get(m.group("dek"))
    else:
        day = {"dau": 5, "giua": 15}.get(m.group("pt"))
    c.start = m.start()
    if day is not None:
        c.kind, c.day = "date", day


_YEAR_SPAN_RE = re.compile(r"\d{4}\D+\d{4}")
_FROM_YEAR_RE = re.compile(r"\btu\s+(?:nam\s+)?$")
_ONWARDS_RE = re.compile(r"\s*,?\s*(?:tro\s+di|tro\s+ve\s+sau)\b")


def _open_years(f: str, c: _Cand) -> bool:
    """A span of years ("2026-2030", "từ năm 2026 trở đi"): next to "hằng năm" it is the
    period of a recurring task, not one deadline."""
    if c.kind != "year":
        return False
    return bool(
        _YEAR_SPAN_RE.search(f, c.start, c.end)
        or _FROM_YEAR_RE.search(f, max(0, c.start - 10), c.start)
        or _ONWARDS_RE.match(f, c.end)
    )


_GRAIN = {"datetime": 0, "date": 0, "month": 1, "quarter": 2, "year": 3}
_RANGE_GAP_RE = re.compile(r"\b(?:den|toi|tu)\b|-|–")


def _yearly_list(f: str, cands: list[_Cand]) -> bool:
    """Two or more year-less dates, listed (not a range), at least three months apart."""
    if len(cands) < 2 or any(
        c.kind not in ("date", "datetime") or c.year is not None for c in cands
    ):
        return False
    months = [c.month or 0 for c in cands]
    if any(b - a < 3 for a, b in zip(months, months[1:], strict=False)):
        return False
    return not any(
        _RANGE_GAP_RE.search(f, a.end, b.start) for a, b in zip(cands, cands[1:], strict=False)
    )


def _cand_date(c: _Cand, year: int) -> dtm.date | None:
    if c.kind in ("date", "datetime"):
        return _safe_date(year, c.month or 1, c.day or 1)
    if c.kind == "month":
        return _safe_date(year, c.month or 12, 31)
    if c.kind == "quarter":
        return _safe_date(year, 3 * (c.quarter or 4), 31)
    return _safe_date(year, 12, 31)


def _condition(orig: str, f: str, start: int, stop: int | None) -> str | None:
    """Condition words from *start*: up to the closing parenthesis when inside one, else up to
    *stop* (the deadline's own words) or the end."""
    end = len(orig)
    if f.rfind("(", 0, start) > f.rfind(")", 0, start):
        close = f.find(")", start)
        if close != -1:
            end = close
    if stop is not None and start < stop < end:
        end = stop
        tail = _COND_TAIL_RE.search(f, start, end)
        if tail is not None:
            end = tail.start()
    cond = orig[start:end].strip(_STRIP_CHARS)
    return " ".join(cond.split()) or None


def parse_deadline(
    text: str,
    *,
    plan_year: int | None = None,
    ref_date: dtm.date | None = None,
    end_of_day: dtm.time = _EOD,
    tz: str = DEFAULT_TZ,
) -> Deadline:
    """Parse a plan's deadline cell ("Tháng 11/2025", "Quý IV/2025", "Thường xuyên" …).

    *plan_year* (else *ref_date*'s year) fills in a missing year; with *ref_date* (the plan's
    issue date) a year-less date that would fall before it rolls to the next year. Never raises.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    stripped = text.strip()
    if not stripped:
        return Deadline("none", None, stripped)
    orig, f = fold_aligned(stripped)
    f = f.translate(_NOISE_TABLE)
    if _OCR_DIGIT_RE.search(f) is not None:
        f = _OCR_DIGIT_RE.sub(_ocr_digit, f)
    if "/" in f and "-" in f:
        f = _DOCREF_RE.sub(lambda m: " " * (m.end() - m.start()), f)
    zone = _zone(tz)
    before = _BEFORE_RE.search(f) is not None

    cands = _candidates(f)
    recur = _RECUR_RE.search(f)
    mc = _COND_RE.search(f)
    mr = _ON_REQ_RE.search(f)
    if mc is not None and mr is not None and mr.start() <= mc.start():
        mc = None  # "khi có yêu cầu" is a request, not a condition

    best: _Cand | None = cands[-1] if cands else None
    if best is not None and best.kind in ("month", "quarter", "year"):
        # "Chậm nhất ngày 25/12/2025 (báo cáo quý IV)", "Trước 15/12/2025 (số liệu tháng 11)",
        # "Tháng 12/2025 (kỳ họp cuối năm)": a coarser period in a note after the deadline labels
        # what is reported; a finer one ("Năm 2026 (Quý I)") narrows the deadline
        open_paren = f.rfind("(", 0, best.start)
        if open_paren > f.rfind(")", 0, best.start):
            rank = _GRAIN[best.kind]
            for c in reversed(cands[:-1]):
                if c.end <= open_paren:
                    if _GRAIN[c.kind] < rank:
                        best = c
                    break
    yearly = best is not None and recur is None and _yearly_list(f, cands)
    if yearly:
        # "Báo cáo 6 tháng trước 15/6, báo cáo năm trước 15/12": year-less dates months apart
        # are a schedule that repeats every year, not one deadline
        best = None
    if (
        best is not None
        and recur is not None
        and best.kind not in ("date", "datetime")
        and (best.year is None or recur.start() < best.start or _open_years(f, best))
    ):
        # "Hằng tháng, năm 2026": the period is the point, not the year; but in "Tháng 12/2025
        # và duy trì thường xuyên" the first deadline comes first
        best = None
    if best is not None and recur is not None and best.year is None:
        best = None  # "trước ngày 20/12 hằng năm" is periodic too

    tet = _TET_RE.search(f) if "tet" in f else None
    if tet is not None and (best is None or (best.kind == "year" and best.start >= tet.start())):
        tet_day: dtm.date | None = None
        if tet.group("y"):
            tet_day = _TET.get(int(tet.group("y")))
        elif ref_date is not None:
            tet_day = next((d for d in sorted(_TET.values()) if d > ref_date), None)
        if tet_day is not None:
            due = dtm.datetime.combine(tet_day - dtm.timedelta(1), end_of_day, tzinfo=zone)
            return Deadline("date", due, stripped, None, True)
        best = None  # "trước Tết 2040": not a year-end; the monitor sets the date

    condition = None
    if mc is not None:
        stop = best.start if best is not None and best.start > mc.start() else None
        condition = _condition(orig, f, mc.start(), stop)

    if best is not None:
        year = best.year
        anchor: dtm.date | None = None
        if year is None:
            for c in reversed(cands[:-1]):
                if c.year is not None and c.start < best.start:
                    year = c.year
                    # "từ 15/11/2025 đến 15/01" rolls over; "Năm 2026 (Quý I)" lies inside
                    anchor = _cand_date(c, c.year) if c.kind != "year" else None
                    break
        if year is None:
            if plan_year is not None:
                year = plan_year
            elif ref_date is not None:
                year = ref_date.year
            else:
                year = dtm.datetime.now(zone).year
            anchor = ref_date
        day = _cand_date(best, year)
        if day is not None and anchor is not None and best.year is None and day < anchor:
            day = _cand_date(best, year + 1)
        if day is not None:
            if best.kind == "datetime" and best.hour is not None:
                t = dtm.time(best.hour, best.minute)
            else:
                t = end_of_day
            due = dtm.datetime.combine(day, t, tzinfo=zone)
            return Deadline(best.kind, due, stripped, condition, before)

    if recur is not None or yearly:
        rd = None
        m = _RECUR_DAY_RE.search(f)
        if m:
            v = int(m.group("a") or m.group("b"))
            rd = v if 1 <= v <= 31 else None
        return Deadline("recurring", None, stripped, condition, before, rd)

    if ref_date is not None:
        m = _REL_RE.search(f)
        if m:
            n = int(m.group("n") or m.group("n2"))
            wd = m.group("wd") or m.group("wd2")
            day = _add_working_days(ref_date, n) if wd else ref_date + dtm.timedelta(n)
            due = dtm.datetime.combine(day, end_of_day, tzinfo=zone)
            if mc is not None and m.start() <= mc.start() < m.end():
                condition = None  # "kể từ ngày ký" is resolved by the issue date
            return Deadline("date", due, stripped, condition, before)

    if mr is not None and (mc is None or mr.start() <= mc.start()):
        return Deadline("on_request", None, stripped, None, before)
    if mc is not None:
        return Deadline("conditional", None, stripped, condition, before)
    return Deadline("none", None, stripped, None, before)


def _add_working_days(day: dtm.date, n: int) -> dtm.date:
    # Weekends only: holidays belong to the scheduler's calendar, and this is an estimate.
    while n > 0:
        day += dtm.timedelta(1)
        if day.weekday() < 5:
            n -= 1
    return day


# --------------------------------------------------------------------------------------------
# parse_colloquial

_NUM_WORDS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
    "vai": 3,
    "dam": 10,
}
# "tư"/"sáu" are left out: folded they are "từ" (from) and "sau" (after).
_NUM = r"(?P<n>\d{1,3}|mot|hai|ba|bon|nam|bay|tam|chin|muoi|vai)"
_WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}

_C_TIME_RE = re.compile(
    r"\b(?:(?P<h>\d{1,2})\s*(?:h|g|gio)(?![a-z])\s*(?:(?P<m>\d{1,2})(?:\s*(?:phut|p)(?![a-z]))?)?"
    r"|(?P<h2>\d{1,2})\s*:\s*(?P<m2>\d{2})(?!\d))"
    r"(?:\s*(?P<ap>sang|trua|chieu|toi|dem))?"
)
# "sang" is also "to" (lùi sang tuần sau) and "toi" also "I"/"next": a day part only when a
# day word follows or "buổi" precedes.
_C_DAYPART_RE = re.compile(
    r"\b(?:buoi\s+(?P<b>sang|trua|chieu|toi)\b"
    r"|(?P<p>sang|trua|chieu|toi)\s+(?=(?:nay|mai|mot|kia|thu|chu|cn|t[2-7]|ngay)\b))"
)
_C_DMY_RE = re.compile(
    r"\b(?P<d>\d{1,2})\s*(?P<s>[/.\-])\s*(?P<m>\d{1,2})(?:\s*(?P=s)\s*(?P<y>\d{4}|\d{2}))?(?![\d/.\-])"
)
# "ngày 25", "25 tháng 12", "ngày 15 tháng sau", "25 tây" (the solar calendar's 25th)
_C_VN_RE = re.compile(
    r"\b(?:ngay\s+(?P<d>\d{1,2})|(?P<d2>\d{1,2})(?=\s+thang\s+\d)|(?P<d3>\d{1,2})(?=\s+tay\b))"
    r"(?:\s+(?:cua\s+)?thang\s+(?:(?P<m>\d{1,2})(?:\s*(?:nam|/)\s*(?P<y>\d{4}))?"
    r"|(?P<nm>sau|toi)\b))?(?![\d/.\-])"
)
_C_REL_RE = re.compile(
    rf"\b(?:(?:sau|them|trong|khoang|tam|gia\s+han|lui|hoan|keo\s+dai|doi)\s+)?{_NUM}\s+"
    r"(?P<u>ngay|hom|tuan|thang)(?P<wd>\s+lam\s+viec)?(?!\s*\d)(?:\s+(?:nua|toi|sau))?\b"
    # "thêm nửa tháng": 15 days
    r"|\bnua\s+(?P<half>thang)\b"
)
_C_WEEKDAY_RE = re.compile(
    r"\b(?:thu\s*(?P<w>hai|ba|tu|nam|sau|bay|[2-7])|t(?P<t>[2-7])|(?P<cn>chu\s*nhat|cn))\b"
    r"(?:\s*,?\s*(?:cua\s+)?tuan\s+(?P<q>nay|sau\s+nua|sau|toi|truoc))?"
)
_C_END_RE = re.compile(
    r"\b(?P<w>cuoi|dau|giua|het)\s+(?P<u>tuan|thang|nam)(?:\s+(?P<q>nay|sau\s+nua|sau|toi))?\b"
)
# "đầu tháng 1", "giữa tháng 12/2025", "hết tháng 2": a part of a named month
_C_END_MONTH_RE = re.compile(
    r"\b(?P<w>cuoi|dau|giua|het)\s+thang\s+(?P<m>\d{1,2})(?:\s*(?:/|nam)\s*(?P<y>\d{4}))?(?!\d)"
)
_C_NEXT_RE = re.compile(
    r"\b(?P<u>tuan|thang|nam)\s+(?P<q>sau|toi)\b|\bsang\s+(?P<sn>nam)\b(?!\s*\d)"
)
_C_YEAR_RE = re.compile(r"\bnam\s+(?P<y>20\d{2})(?!\d)")
_C_TODAY_RE = re.compile(
    r"\b(?P<k>ngay\s+kia|ngay\s+mot|hom\s+nay|ngay\s+mai|mai|mot|nay|bua\s+nay|kia)\b"
)
_C_MONTH_RE = re.compile(r"\bthang\s+(?P<m>\d{1,2})(?:\s*(?:/|nam)\s*(?P<y>\d{4}))?(?!\d)")
_DIGIT_OR_WORD_RE = re.compile(r"[0-9]|[a-z]{2}")


def _num(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    return _NUM_WORDS.get(s)


def _roll_year(d: int, m: int, y: int | None, today: dtm.date) -> dtm.date | None:
    if y is not None:
        return _safe_date(y, m, d)
    got = _safe_date(today.year, m, d)
    if got is not None and got < today:
        got = _safe_date(today.year + 1, m, d)
    return got


def _add_months(day: dtm.date, n: int) -> dtm.date:
    idx = day.month - 1 + n
    y, mo = day.year + idx // 12, idx % 12 + 1
    return dtm.date(y, mo, min(day.day, _last_day(y, mo)))


def _colloquial_date(f: str, today: dtm.date) -> tuple[dtm.date | None, bool]:
    """(date, explicit_end) — explicit_end means the words named a period end (not a moment)."""
    m = _C_DMY_RE.search(f)
    if m:
        y = m.group("y")
        return _roll_year(
            int(m.group("d")), int(m.group("m")), _year4(y) if y else None, today
        ), False
    m = _C_VN_RE.search(f)
    if m:
        d = int(m.group("d") or m.group("d2") or m.group("d3"))
        if m.group("nm"):
            nm = _add_months(today.replace(day=1), 1)
            return _safe_date(nm.year, nm.month, d), False
        if m.group("m"):
            y = m.group("y")
            return _roll_year(d, int(m.group("m")), int(y) if y else None, today), False
        if 1 <= d <= 31:
            got = _safe_date(today.year, today.month, d)
            if got is not None and got < today:
                nm = _add_months(today.replace(day=1), 1)
                got = _safe_date(nm.year, nm.month, d)
            return got, False
    m = _C_WEEKDAY_RE.search(f)
    if m:
        if m.group("cn"):
            wd = 6
        else:
            w = m.group("w") or m.group("t")
            wd = int(w) - 2 if w.isdigit() else _WEEKDAY_WORDS[w]
        q = m.group("q")
        monday = today - dtm.timedelta(today.weekday())
        if q in ("sau", "toi"):
            return monday + dtm.timedelta(7 + wd), False
        if q == "sau nua":
            return monday + dtm.timedelta(14 + wd), False
        if q == "truoc":
            return monday + dtm.timedelta(wd - 7), False
        if q == "nay":
            return monday + dtm.timedelta(wd), False
        ahead = (wd - today.weekday()) % 7
        return today + dtm.timedelta(ahead), False
    m = _C_END_MONTH_RE.search(f)
    if m:
        mo = int(m.group("m"))
        if 1 <= mo <= 12:
            y = int(m.group("y")) if m.group("y") else None
            w = m.group("w")
            if w in ("cuoi", "het"):
                return _roll_year(31, mo, y, today.replace(day=1)), True
            return _roll_year(5 if w == "dau" else 15, mo, y, today.replace(day=1)), True
    m = _C_END_RE.search(f)
    if m:
        w, u, q = m.group("w"), m.group("u"), m.group("q")
        w = "cuoi" if w == "het" else w
        shift = 2 if q == "sau nua" else 1 if q in ("sau", "toi") else 0
        if u == "tuan":
            monday = today - dtm.timedelta(today.weekday()) + dtm.timedelta(7 * shift)
            # Offices close at the weekend: "cuối tuần" is Friday's end of day.
            return monday + dtm.timedelta({"cuoi": 4, "dau": 0, "giua": 2}[w]), True
        if u == "thang":
            first = _add_months(today.replace(day=1), shift)
            day = {"cuoi": _last_day(first.year, first.month), "dau": 5, "giua": 15}[w]
            return first.replace(day=day), True
        y = today.year + shift
        return dtm.date(y, *{"cuoi": (12, 31), "dau": (1, 31), "giua": (6, 30)}[w]), True
    m = _C_REL_RE.search(f)
    if m and m.group("half"):
        return today + dtm.timedelta(15), False
    if m:
        n = _num(m.group("n"))
        if n is not None and n <= 400:
            u = m.group("u")
            if u == "ngay" and m.group("wd"):
                return _add_working_days(today, n), False
            if u in ("ngay", "hom"):
                return today + dtm.timedelta(n), False
            if u == "tuan":
                return today + dtm.timedelta(7 * n), False
            return _add_months(today, n), False
    m = _C_TODAY_RE.search(f)
    if m:
        k = m.group("k")
        if k in ("hom nay", "nay", "bua nay"):
            return today, False
        if k in ("ngay mai", "mai"):
            return today + dtm.timedelta(1), False
        return today + dtm.timedelta(2), False
    m = _C_NEXT_RE.search(f)
    if m:
        u = m.group("u") or m.group("sn")
        if u == "tuan":
            return today - dtm.timedelta(today.weekday()) + dtm.timedelta(11), True
        if u == "thang":
            first = _add_months(today.replace(day=1), 1)
            return first.replace(day=_last_day(first.year, first.month)), True
        return dtm.date(today.year + 1, 12, 31), True
    m = _C_MONTH_RE.search(f)
    if m:
        mo = int(m.group("m"))
        if 1 <= mo <= 12:
            y = int(m.group("y")) if m.group("y") else None
            return _roll_year(31, mo, y, today.replace(day=1)), True
    m = _C_YEAR_RE.search(f)
    if m and int(m.group("y")) >= today.year:
        return dtm.date(int(m.group("y")), 12, 31), True
    return None, False


_DAYPART_TIME = {
    "sang": dtm.time(11, 30),
    "trua": dtm.time(12, 0),
    "toi": dtm.time(20, 0),
}


def parse_colloquial(
    text: str,
    *,
    now: dtm.datetime,
    end_of_day: dtm.time = _EOD,
    tz: str = DEFAULT_TZ,
) -> dtm.datetime | None:
    """A moment from chat words ("thứ sáu tuần sau", "17h30 thứ 6", "3 ngày nữa", "20/12").

    Returns an aware datetime in *tz*, or None. A date without a year that is already past
    rolls to next year; a day without a time gets *end_of_day*. Never raises.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    zone = _zone(tz)
    now = now.astimezone(zone) if now.tzinfo is not None else now.replace(tzinfo=zone)
    today = now.date()
    f = fold(text[:500]).translate(_NOISE_TABLE)
    try:
        return _parse_colloquial(f, now, today, end_of_day, zone)
    except (ValueError, OverflowError):
        return None


def _parse_colloquial(
    f: str, now: dtm.datetime, today: dtm.date, end_of_day: dtm.time, zone: ZoneInfo
) -> dtm.datetime | None:
    t: dtm.time | None = None
    mt = _C_TIME_RE.search(f)
    if mt:
        hm = _time_from(mt)
        if hm is not None:
            t = dtm.time(*hm)
            # "8h tối" / "2 giờ chiều" may carry the day part one word later
            if mt.group("ap") is None and hm[0] < 12:
                after = _C_DAYPART_RE.match(f, mt.end() + 1) if mt.end() < len(f) else None
                if after and (after.group("p") or after.group("b")) in ("chieu", "toi"):
                    t = dtm.time(hm[0] + 12, hm[1])
        # keep "17h30" from being read as a date or a count
        f = f[: mt.start()] + " " * (mt.end() - mt.start()) + f[mt.end() :]
    if t is None:
        mp = _C_DAYPART_RE.search(f)
        if mp:
            t = _DAYPART_TIME.get(mp.group("p") or mp.group("b"), end_of_day)

    day, _ = _colloquial_date(f, today)
    if day is not None:
        return dtm.datetime.combine(day, t or end_of_day, tzinfo=zone)
    if mt is not None and t is not None:
        got = dtm.datetime.combine(today, t, tzinfo=zone)
        if got <= now:
            got += dtm.timedelta(days=1)
        return got
    return _dateparser_fallback(f, now, end_of_day, zone)


def _dateparser_fallback(
    f: str, now: dtm.datetime, end_of_day: dtm.time, zone: ZoneInfo
) -> dtm.datetime | None:
    s = f.strip()
    if not s or len(s) > 40 or not _DIGIT_OR_WORD_RE.search(s):
        return None
    try:
        import dateparser  # slow import: only here, only when our rules found nothing

        got = dateparser.parse(
            s,
            languages=["vi"],
            settings={
                "RELATIVE_BASE": now.replace(tzinfo=None),
                "PREFER_DATES_FROM": "future",
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
    except Exception:  # dateparser raises assorted errors on odd input; a miss is not an error
        return None
    if got is None or not 1900 <= got.year <= 2200:
        return None
    if got.tzinfo is not None:
        return got.astimezone(zone)
    if _C_TIME_RE.search(f) is None:
        return dtm.datetime.combine(got.date(), end_of_day, tzinfo=zone)
    return got.replace(tzinfo=zone)
