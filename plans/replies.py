"""Reading an officer's chat answer about a task: "xong rồi", "đang làm 60%", "vướng: …",
"xin gia hạn đến 20/12".

Rules run on folded text (no diacritics), so "da xong" and "đã xong" are the same answer. The
parser never guesses: anything it cannot place with confidence is ``unknown`` and the bot asks
back with buttons. Negations are checked where they flip the meaning ("chưa xong", "không vướng
gì").
"""

from __future__ import annotations

import datetime as dtm
import re
from dataclasses import dataclass
from typing import Any

from plans.deadlines import DEFAULT_TZ, _zone, parse_colloquial
from plans.text import fold_aligned, normalize_spaces

__all__ = ["STATUSES", "ReplyParse", "parse_reply"]

STATUSES = ("done", "in_progress", "not_started", "blocked", "extension", "unknown")

MAX_REPLY_CHARS = 2000  # longer texts are pasted documents, not answers


@dataclass(frozen=True, slots=True)
class ReplyParse:
    status: str
    percent: int | None = None
    new_due: dtm.date | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "percent": self.percent,
            "new_due": self.new_due.isoformat() if self.new_due is not None else None,
            "note": self.note,
        }


_UNKNOWN = ReplyParse("unknown")

_W = r"[a-z0-9]+"

_EXT_RE = re.compile(
    r"\b(?:(?:xin|de\s+nghi|muon|cho|xin\s+phep)\s+(?:(?:em|toi|minh|chung\s+em|don\s+vi)\s+)?)?"
    r"(?:gia\s+han|lui(?:\s+lai)?|hoan(?=\s+(?:lai|den|toi|sang|qua|den\s+ngay)\b)|keo\s+dai"
    r"|doi(?=\s+(?:lai|den|toi|sang|qua)\b)|(?<=xin\s)them|(?<=cho\s)them"
    r"|(?<=xin\s)(?:doi|hoan)|(?:them|them\s+thoi\s+gian)(?=\s+(?:\d|mot|hai|ba|bon|nam|vai)))\b"
)
_EXT_BARE_RE = re.compile(r"\b(?:xin|cho)\s+(?:(?:em|toi|minh|chung\s+em|don\s+vi)\s+)?them\b")
_EXT_NEG_RE = re.compile(
    r"\b(?:khong|ko|k|kg|chang|chua)\s+(?:can\s+|phai\s+|xin\s+|de\s+nghi\s+)*$"
)

_BLOCK_RE = re.compile(
    r"\b(?:(?:bi\s+|gap\s+|con\s+|dang\s+)?(?:vuong(?:\s+mac)?|kho\s+khan|tac\s+mac)"
    r"|bi\s+(?:tac|ket|treo|chan|tra\s+lai)|un\s+tac"
    r"|(?:chua|khong)\s+(?:co|duoc)\s+(?:kinh\s+phi|huong\s+dan|van\s+ban|chi\s+dao|nguon|du\s+lieu"
    r"|quyet\s+dinh|phe\s+duyet|y\s+kien|nhan\s+luc|trang\s+thiet\s+bi|thiet\s+bi|may|phan\s+mem"
    r"|tai\s+khoan|bo\s+tri|cap|giao|mau|bieu\s+mau)"
    r"|thieu\s+(?:kinh\s+phi|nhan\s+luc|nguoi|huong\s+dan|tai\s+lieu|thiet\s+bi|du\s+lieu|nguon|may)"
    r"|(?:khong|chua)\s+the\s+(?:thuc\s+hien|lam|hoan\s+thanh|trien\s+khai|tiep\s+tuc)"
    r"|(?:dang\s+)?cho\s+(?:huong\s+dan|y\s+kien|phe\s+duyet|kinh\s+phi|chi\s+dao|van\s+ban"
    r"|cap\s+tren|so|phong|tinh|thanh\s+pho))\b"
)
# words that, right before "vướng"/"khó khăn", mean there is none
_BLOCK_NEG_RE = re.compile(
    r"\b(?:khong|ko|k|kg|khg|chang|cha|hong|hok|het|da\s+giai\s+quyet|da\s+thao\s+go|da\s+xu\s+ly)"
    r"\s+(?:(?:co|gap|bi|con|thay|gi|van\s+de)\s+){0,3}$"
)
_NOTE_LEAD_RE = re.compile(r"(?:[\s:;,.\-–]|\b(?:la|vi|do|o|mac|ve|nhu\s+sau|dang)\b)+")

_PCT_RE = re.compile(r"(?<![\d.,])(\d{1,4}(?:[.,]\d{1,2})?)\s*(?:%|phan\s+tram|ptram|pt\b)")
_HALF_RE = re.compile(r"\b(?:mot\s+nua|duoc\s+nua|nua\s+(?:khoi\s+luong|cong\s+viec))\b")

_DONE_RE = re.compile(
    r"\b(?:xong|hoan\s+thanh|hoan\s+tat|done|finish(?:ed)?|complete(?:d)?"
    r"|da\s+bao\s+cao|da\s+gui|da\s+nop|da\s+ban\s+hanh|da\s+hoan\s+thien|da\s+trinh"
    r"|da\s+xu\s+ly|da\s+giai\s+quyet)\b|^(?:da\s+)?ht\b"
)
# before a "done" word: it is not done (yet)
_DONE_NEG_RE = re.compile(
    r"\b(?:chua|khong|ko|k|chang|sap|gan|se|du\s+kien|mong|hy\s+vong|hi\s+vong|truoc\s+khi|de|co\s+gang"
    r"|phan\s+dau|bao\s+gio|khi\s+nao|luc\s+nao|neu|cho|can|phai|muon|kip)\s+(?:"
    + _W
    + r"\s+){0,2}$"
)
_DONE_PARTIAL_RE = re.compile(r"\s*(?:(?:1|mot)\s+(?:phan|nua|so)|duoc\s+(?:1|mot)\s+phan)\b")
_QUESTION_RE = re.compile(r"(?:\?\s*$|\b(?:chua|khong|ko|k|chu)\s*(?:a|ah|vay|nhi|nhe)?\s*\??\s*$)")

_PROGRESS_RE = re.compile(
    r"\b(?:dang(?:\s+(?:lam|thuc\s+hien|trien\s+khai|xu\s+ly|tien\s+hanh|hoan\s+thien|tong\s+hop"
    r"|xay\s+dung|soan|chuan\s+bi|ra\s+soat|trong\s+qua\s+trinh))?|tiep\s+tuc|sap\s+xong|gan\s+xong"
    r"|chua\s+(?:lam\s+|thuc\s+hien\s+)?(?:xong|hoan\s+thanh)|in\s+progress|doing"
    r"|da\s+(?:lam|thuc\s+hien|trien\s+khai)\s+duoc)\b"
)
_NOT_STARTED_RE = re.compile(
    r"\b(?:chua\s+(?:lam|bat\s+dau|thuc\s+hien|trien\s+khai|tien\s+hanh|xu\s+ly|co\s+gi|dong\s+den"
    r"|bat\s+tay|khoi\s+cong)|not\s+started)\b"
)
_REASON_RE = re.compile(r"(?:\s[:\-–]\s?|:\s*|\b(?:ly\s+do|boi\s+vi|boi|vi|do|tai\s+vi)\b\s*)")
_EXT_DATE_LEAD_RE = re.compile(
    r"(?:[\s:;,]|\b(?:den|toi|sang|qua|lai|ngay|den\s+ngay|han|thoi\s+gian|han\s+chot|cho|em|toi"
    r"|them\s+thoi\s+gian)\b)+"
)


def _note(orig: str, f: str, start: int, end: int | None = None) -> str | None:
    """The original words from *start*, without leading connectives ("là", "vì", ":")."""
    end = len(orig) if end is None else end
    lead = _NOTE_LEAD_RE.match(f, start, end)
    if lead is not None:
        start = lead.end()
    s = orig[start:end].strip(" \t:;,.-–")
    return s or None


def _reason(orig: str, f: str, start: int) -> str | None:
    m = _REASON_RE.search(f, start)
    if m is None:
        return None
    return _note(orig, f, m.end())


def _percent(f: str) -> tuple[int | None, bool]:
    """(percent, invalid): the last percentage written; invalid when it is above 100."""
    last = None
    for m in _PCT_RE.finditer(f):
        last = m
    if last is None:
        if _HALF_RE.search(f):
            return 50, False
        return None, False
    try:
        v = round(float(last.group(1).replace(",", ".")))
    except ValueError:
        return None, True
    if v > 100:
        return None, True
    return v, False


def _default_now(ref_date: dtm.date | None) -> dtm.datetime:
    zone = _zone(DEFAULT_TZ)
    if ref_date is not None:
        return dtm.datetime.combine(ref_date, dtm.time(8, 0), tzinfo=zone)
    return dtm.datetime.now(zone)


def parse_reply(
    text: str,
    *,
    ref_date: dtm.date | None = None,
    now: dtm.datetime | None = None,
) -> ReplyParse:
    """Status, percent, requested new due date and note from an officer's answer. Never raises.

    *now* anchors relative dates in extension requests ("thứ sáu tuần sau"); without it,
    08:00 of *ref_date* (else the real clock) in Asia/Ho_Chi_Minh.
    """
    if not isinstance(text, str):
        return _UNKNOWN
    raw = normalize_spaces(text)
    if not raw or len(raw) > MAX_REPLY_CHARS:
        return _UNKNOWN
    orig, f = fold_aligned(raw)

    # 1. extension request (a request may end with "được không ạ?", so before the question test)
    m = _EXT_RE.search(f) or _EXT_BARE_RE.search(f)
    if m is not None and _EXT_NEG_RE.search(f, 0, m.start()) is None:
        return _extension(orig, f, m, ref_date, now)

    pct, pct_invalid = _percent(f)

    # 2. blocker, with its reason
    for mb in _BLOCK_RE.finditer(f):
        if _BLOCK_NEG_RE.search(f, max(0, mb.start() - 40), mb.start()) is not None:
            continue
        word = mb.group(0)
        if word.startswith(("chua", "khong", "thieu", "cho", "dang cho")):
            note = _note(orig, f, mb.start())  # the words are the reason: "chưa có kinh phí"
        else:
            note = _note(orig, f, mb.end())
        return ReplyParse("blocked", pct, None, note)

    # 3. a question back ("xong chưa?") is not an answer
    if _QUESTION_RE.search(f):
        return _UNKNOWN

    if pct_invalid and pct is None:
        return _UNKNOWN

    done = False
    negated_done = False
    for md in _DONE_RE.finditer(f):
        if _DONE_NEG_RE.search(f, max(0, md.start() - 40), md.start()) is not None:
            negated_done = True
            continue
        if _DONE_PARTIAL_RE.match(f, md.end()):
            negated_done = True
            continue
        done = True
        break

    note = None
    mr = _REASON_RE.search(f)
    if mr is not None and re.match(r"\b(?:ly\s+do|boi|vi|do|tai\s+vi)\b", f[mr.start() :].lstrip()):
        note = _note(orig, f, mr.end())

    if pct is not None:
        if pct >= 100:
            return ReplyParse("done", 100, None, note)
        if pct == 0:
            return ReplyParse("not_started", 0, None, note)
        return ReplyParse("in_progress", pct, None, note)
    if done:
        return ReplyParse("done", 100, None, note)
    if negated_done or _PROGRESS_RE.search(f):
        return ReplyParse("in_progress", None, None, note)
    if _NOT_STARTED_RE.search(f):
        return ReplyParse("not_started", 0, None, note)
    return _UNKNOWN


def _extension(
    orig: str,
    f: str,
    m: re.Match[str],
    ref_date: dtm.date | None,
    now: dtm.datetime | None,
) -> ReplyParse:
    if now is None:
        now = _default_now(ref_date)
    rest_start = m.end()
    lead = _EXT_DATE_LEAD_RE.match(f, rest_start)
    if lead is not None:
        rest_start = lead.end()
    sep = _REASON_RE.search(f, rest_start)
    date_end = sep.start() if sep is not None else len(f)
    note = _note(orig, f, sep.end()) if sep is not None else None
    date_text = f[rest_start:date_end]
    if f[m.start() : m.end()].endswith("them"):
        date_text = "them " + date_text  # "xin thêm 3 ngày": the amount is relative to now
    due = parse_colloquial(date_text, now=now) if date_text.strip() else None
    if due is None and m.start() > 0:
        due = parse_colloquial(f[: m.start()], now=now)
    new_due = due.date() if due is not None else None
    return ReplyParse("extension", None, new_due, note)
