"""Progress replies in plain Vietnamese chat, with or without diacritics."""

from __future__ import annotations

import dataclasses
import datetime as dtm
import re
from typing import Any

from plans.text import fold

LOCAL_TZ = "Asia/Ho_Chi_Minh"


@dataclasses.dataclass(frozen=True)
class ReplyParse:
    status: str  # done / in_progress / not_started / blocked / extension / unknown
    percent: int | None = None
    new_due: dtm.date | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "percent": self.percent,
                "new_due": self.new_due.isoformat() if self.new_due else None,
                "note": self.note}


UNKNOWN = ReplyParse("unknown")

_PERCENT = re.compile(r"(\d{1,3})\s*(?:%|phan tram|phantram)")
_EXTENSION = re.compile(r"\b(?:xin\s+)?(?:gia han|lui han|lui|keo dai|them thoi gian|xin them)\b")
_NEGATED_BLOCK = re.compile(r"\b(?:khong|ko|k)\s+(?:co\s+)?(?:vuong|kho khan)")
_BLOCKED = re.compile(r"\b(?:vuong|kho khan|bi vuong|chua co kinh phi|chua co huong dan|"
                      r"chua duoc huong dan|tac|ket|vuong mac)\b")
_NOT_DONE = re.compile(r"\b(?:chua|chwa)\s+(?:xong|hoan thanh|ht)\b")
_NOT_STARTED = re.compile(r"\b(?:chua|chwa)\s+(?:lam|bat dau|thuc hien|trien khai)\b")
_DONE = re.compile(r"\b(?:xong|hoan thanh|da ht|ht roi|done|da bao cao|da gui bao cao|"
                   r"da nop|da gui|hoan tat)\b|^ht$")
_PROGRESS = re.compile(r"\b(?:dang lam|dang thuc hien|dang trien khai|dang xu ly|dang tien hanh|"
                       r"duoc|dat|lam duoc|dang)\b")
_REASON_SPLIT = re.compile(r"\s*(?:[:\-–—]|\bvi\b|\bdo\b|\bly do\b|\bbecause\b)\s*", re.IGNORECASE)
_RAW_REASON = re.compile(r"(?:[:\-–—]|\bvì\b|\bvi\b|\bdo\b|\blý do\b|\bly do\b)\s*(.+)$",
                         re.IGNORECASE | re.DOTALL)


def _note_after_cue(raw: str) -> str | None:
    m = _RAW_REASON.search(raw)
    if not m:
        return None
    note = m.group(1).strip(" .;,")
    return note[:1000] or None


def parse_reply(text: str, *, ref_date: dtm.date | None = None,
                now: dtm.datetime | None = None) -> ReplyParse:
    """Classify a reply; "unknown" when unsure — the bot then asks, it never guesses."""
    raw = (text or "").strip()
    if not raw or len(raw) > 4000:
        return UNKNOWN if not raw else _parse(raw[:4000], ref_date, now)
    return _parse(raw, ref_date, now)


def _parse(raw: str, ref_date: dtm.date | None, now: dtm.datetime | None) -> ReplyParse:
    f = fold(raw)
    if _EXTENSION.search(f):
        return _extension(raw, f, ref_date, now)
    if _BLOCKED.search(f) and not _NEGATED_BLOCK.search(f):
        return ReplyParse("blocked", note=_note_after_cue(raw) or raw[:1000])
    pct = _percent(f)
    if _NOT_DONE.search(f):
        return ReplyParse("in_progress", percent=pct)
    if _NOT_STARTED.search(f):
        return ReplyParse("not_started", percent=0)
    if pct == 100 or _DONE.search(f):
        return ReplyParse("done", percent=100)
    if pct is not None:
        return ReplyParse("in_progress", percent=pct)
    if _PROGRESS.search(f) and re.search(r"\bdang\b", f):
        return ReplyParse("in_progress")
    return UNKNOWN


def _percent(f: str) -> int | None:
    m = _PERCENT.search(f)
    if not m:
        return None
    value = int(m.group(1))
    return value if 0 <= value <= 100 else None


def _extension(raw: str, f: str, ref_date: dtm.date | None,
               now: dtm.datetime | None) -> ReplyParse:
    from zoneinfo import ZoneInfo

    from plans.deadlines import parse_colloquial

    tz = ZoneInfo(LOCAL_TZ)
    if now is None:
        base = ref_date or dtm.datetime.now(tz).date()
        now = dtm.datetime.combine(base, dtm.time(9, 0), tzinfo=tz)
    target = raw
    m = re.search(r"(?:đến|den|tới|toi|sang|lùi|lui|thêm|them|hạn)\s+(.+)$", raw, re.IGNORECASE)
    if m:
        target = m.group(1)
    reason = None
    rm = re.search(r"\s(?:vì|vi|do|lý do|ly do)\s+(.+)$|[,;:]\s*(.+)$", target, re.IGNORECASE)
    if rm:
        reason = (rm.group(1) or rm.group(2) or "").strip(" .") or None
        target = target[: rm.start()]
    due = None
    try:
        moment = parse_colloquial(target.strip(), now=now)
        if moment is None and target != raw:
            moment = parse_colloquial(raw, now=now)
        due = moment.astimezone(tz).date() if moment else None
    except Exception:  # the fallback parser must never break a reply
        due = None
    return ReplyParse("extension", new_due=due, note=reason)
