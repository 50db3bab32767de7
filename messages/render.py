"""Render Vietnamese user-facing text from jinja2 templates in messages/templates/."""

from __future__ import annotations

import datetime as dtm
import functools
import html
import re
import zoneinfo
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
TELEGRAM_LIMIT = 4096

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

STATUS_LABELS = {
    "open": "chưa báo cáo",
    "in_progress": "đang thực hiện",
    "blocked": "vướng mắc",
    "done": "đã hoàn thành",
    "waiting": "chờ điều kiện",
    "not_started": "chưa thực hiện",
    "extension": "xin gia hạn",
    "unknown": "chưa rõ",
}

STATUS_MARKS = {"open": "⬜", "in_progress": "🔄", "blocked": "⚠️", "done": "✅", "waiting": "⏸"}

KIND_LABELS = {
    "datetime": "giờ, ngày cụ thể",
    "date": "ngày cụ thể",
    "month": "trong tháng",
    "quarter": "trong quý",
    "year": "trong năm",
    "recurring": "thường xuyên",
    "conditional": "có điều kiện",
    "on_request": "theo yêu cầu",
    "none": "không ghi thời hạn",
}

ROLE_LABELS = {
    "officer": "cán bộ",
    "unit_head": "trưởng đơn vị",
    "monitor": "theo dõi, đôn đốc",
    "leader": "lãnh đạo",
    "admin": "quản trị",
}


def to_local(value: dtm.datetime) -> dtm.datetime:
    return value.astimezone(LOCAL_TZ)


def fmt_date(value: dtm.date | dtm.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dtm.datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def fmt_time(value: dtm.datetime) -> str:
    return to_local(value).strftime("%H:%M")


def fmt_datetime(value: dtm.datetime | None) -> str:
    if value is None:
        return "—"
    return f"{fmt_time(value)} ngày {fmt_date(value)}"


def fmt_due(due: dtm.datetime | None, kind: str = "date", deadline_text: str = "") -> str:
    """The deadline as an officer reads it: "15:00 ngày 06/05/2026", "trong tháng 11/2025"."""
    if due is None:
        if kind == "recurring":
            return "thường xuyên"
        if kind == "conditional":
            return "khi đủ điều kiện"
        if kind == "on_request":
            return "theo yêu cầu"
        return "chưa có thời hạn"
    local = to_local(due)
    if kind == "datetime":
        return fmt_datetime(due)
    if kind == "month":
        return f"trong tháng {local.month:02d}/{local.year} (đến {fmt_date(due)})"
    if kind == "quarter":
        return f"trong quý {_ROMAN[(local.month - 1) // 3]}/{local.year} (đến {fmt_date(due)})"
    if kind == "year":
        return f"trong năm {local.year} (đến {fmt_date(due)})"
    prefix = "trước ngày" if deadline_text and "trước" in deadline_text.lower() else "ngày"
    return f"{prefix} {fmt_date(due)}"


_ROMAN = ("I", "II", "III", "IV")


def fmt_weekday(value: dtm.date | dtm.datetime) -> str:
    if isinstance(value, dtm.datetime):
        value = to_local(value).date()
    return WEEKDAYS[value.weekday()]


def shorten(text: str | None, limit: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        date=fmt_date,
        time=fmt_time,
        datetime=fmt_datetime,
        weekday=fmt_weekday,
        short=shorten,
        status=lambda s: STATUS_LABELS.get(s, s),
        mark=lambda s: STATUS_MARKS.get(s, "•"),
        kind=lambda k: KIND_LABELS.get(k, k),
        role=lambda r: ROLE_LABELS.get(r, r),
    )
    env.globals["due"] = fmt_due
    return env


def template_names() -> list[str]:
    return sorted(p.stem for p in TEMPLATES.glob("*.j2"))


def render(key: str, **ctx: Any) -> str:
    """Render messages/templates/<key>.j2; blank-line runs are squeezed for a tidy chat."""
    text = environment().get_template(f"{key}.j2").render(**ctx)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out)


def render_plain(key: str, **ctx: Any) -> str:
    """Render for a terminal, a log-free file or a spreadsheet: no HTML entities or tags.

    Templates are written for Telegram's HTML mode; unescaping the autoescaped output gives
    back exactly the user's text, and the few <b> tags of chat templates are dropped.
    """
    text = render(key, **ctx)
    return html.unescape(_TAG_RE.sub("", text))


_TAG_RE = re.compile(r"</?(?:b|i|u|s|code|pre)>")


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at line boundaries under Telegram's limit; a giant line is cut hard."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts or [""]


def label(key: str, **ctx: Any) -> str:
    """A short label (button, command menu, caption) from messages/templates/label.j2."""
    return render_plain("label", **{**ctx, "item": key}).strip()
