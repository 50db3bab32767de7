"""The leader's chart (PNG) and Excel export, made without Telegram."""

from __future__ import annotations

import datetime as dtm
import io
import zoneinfo
from typing import Any

from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from db.summary import Summary
from messages.render import STATUS_LABELS

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
SERIES = [
    ("done_on_time", "Hoàn thành đúng hạn", "#2e7d32"),
    ("done_late", "Hoàn thành quá hạn", "#81c784"),
    ("open_on_time", "Chưa hoàn thành, trong hạn", "#ffb300"),
    ("open_overdue", "Chưa hoàn thành, quá hạn", "#d32f2f"),
    ("waiting", "Chờ điều kiện", "#9e9e9e"),
    ("recurring", "Thường xuyên", "#cfd8dc"),
]
HEADERS = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn",
           "Hạn (ngày)", "Trạng thái", "Tiến độ (%)", "Báo cáo gần nhất", "Ngày báo cáo"]
_FORMULA_START = ("=", "+", "-", "@")


def summary_chart_png(summary: Summary, *, title: str) -> bytes:
    """A horizontal stacked bar per unit, readable on a phone."""
    rows = summary.rows
    fig = Figure(figsize=(10.8, max(3.0, 1.0 + 0.55 * len(rows))), dpi=100)
    ax = fig.add_subplot()
    if not rows:
        ax.text(0.5, 0.5, "Chưa có nhiệm vụ", ha="center", va="center", fontsize=16)
        ax.set_axis_off()
    else:
        labels = [r.unit if len(r.unit) <= 40 else r.unit[:39] + "…" for r in rows]
        left = [0] * len(rows)
        for field, label, colour in SERIES:
            values = [getattr(r, field) for r in rows]
            ax.barh(labels, values, left=left, color=colour, label=label)
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.invert_yaxis()
        ax.tick_params(labelsize=12)
        ax.set_xlabel("Số nhiệm vụ", fontsize=12)
        ax.legend(fontsize=10, loc="lower right")
    ax.set_title(title, fontsize=14)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _safe(value: Any) -> Any:
    # A cell starting with "=" would become a formula in Excel (spreadsheet injection).
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "\u2019" + value
    return value


def summary_xlsx(rows: list[dict[str, Any]], *, org_name: str, generated_at: dtm.datetime) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tổng hợp"
    ws.append([_safe(f"BẢNG TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ — {org_name}")])
    ws.append([f"Lập lúc {generated_at.astimezone(LOCAL):%H:%M ngày %d/%m/%Y}"])
    ws.append(HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    red = PatternFill("solid", fgColor="FDE0E0")
    for i, r in enumerate(rows, start=1):
        due = r["due_at"].astimezone(LOCAL).date() if r["due_at"] else None
        reported = r["last_report_at"].astimezone(LOCAL).date() if r["last_report_at"] else None
        ws.append([i, _safe(r["title"]), _safe(r["lead"]), _safe(r["cooperate"]),
                   _safe(r["deadline_text"]), due, STATUS_LABELS.get(r["status"], r["status"]),
                   r["percent"], _safe(r["last_report"]), reported])
        row = ws.max_row
        for col in (6, 10):
            ws.cell(row, col).number_format = "dd/mm/yyyy"
        for cell in ws[row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if due and r["status"] != "done" and r["due_at"] < generated_at:
            for cell in ws[row]:
                cell.fill = red
    for letter, width in zip("ABCDEFGHIJ", (6, 60, 28, 28, 22, 12, 18, 10, 40, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A4"
    ws.auto_filter.ref = f"A3:J{max(3, ws.max_row)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
