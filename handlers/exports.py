"""The leader's chart (PNG) and Excel export, made without Telegram."""

from __future__ import annotations

import datetime as dtm
import io
import zoneinfo
from typing import Any

from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from db.summary import Summary, UnitRow
from messages.render import STATUS_LABELS, render_plain

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# (field of UnitRow, colour); the legend labels come from messages/templates/export_label.j2.
SERIES = [
    ("done_on_time", "#2e7d32"),
    ("done_late", "#81c784"),
    ("open_on_time", "#ffb300"),
    ("open_overdue", "#d32f2f"),
    ("waiting", "#9e9e9e"),
    ("recurring", "#cfd8dc"),
]


def label(key: str, **ctx: Any) -> str:
    """A chart or spreadsheet label, from messages/templates/export_label.j2."""
    return render_plain("export_label", item=key, **ctx)


HEADERS = label("headers").splitlines()
# A cell starting with one of these would be read by Excel as a formula (spreadsheet injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHART_MAX_UNITS = 45  # bars on the chart, "Các đơn vị khác" included; more is unreadable
OTHERS = label("others")
EXCEL_CELL_MAX = 32767


def summary_chart_png(summary: Summary, *, title: str) -> bytes:
    """A horizontal stacked bar per unit, readable on a phone."""
    rows = chart_rows(summary.rows)
    fig = Figure(figsize=(10.8, max(3.5, 1.8 + 0.55 * len(rows))), dpi=100)
    ax = fig.add_subplot()
    if not rows:
        ax.text(0.5, 0.5, label("chart_empty"), ha="center", va="center", fontsize=16)
        ax.set_axis_off()
    else:
        labels = [r.unit if len(r.unit) <= 40 else r.unit[:39] + "…" for r in rows]
        ys = list(range(len(rows)))  # positions, not names: two long names may cut alike
        totals = [r.total for r in rows]
        left = [0] * len(rows)
        for field, colour in SERIES:
            values = [getattr(r, field) for r in rows]
            ax.barh(ys, values, left=left, color=colour, label=label(field))
            left = [a + b for a, b in zip(left, values, strict=True)]
        # A huge "other units" bar would squash every other bar: clip it, write its number.
        grouped = rows[-1].unit.startswith(OTHERS)
        widest = max(totals[:-1] if grouped else totals, default=0) or 1
        xmax = widest * 1.15 + 0.5
        for y, total in zip(ys, totals, strict=True):
            inside = total > xmax
            ax.text(min(total, xmax) + (-0.2 if inside else 0.1), y, str(total), va="center",
                    ha="right" if inside else "left", fontsize=10,
                    fontweight="bold" if inside else "normal",
                    color="white" if inside else "black")
        ax.set_xlim(0, max(xmax, widest + 1))
        ax.set_yticks(ys, labels)
        ax.invert_yaxis()
        ax.tick_params(labelsize=12)
        ax.set_xlabel(label("chart_axis"), fontsize=12)
        ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.6 / fig.get_figheight()),
                  ncol=3, frameon=False)
    ax.set_title(title, fontsize=14)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def chart_rows(rows: list[UnitRow], limit: int = CHART_MAX_UNITS) -> list[UnitRow]:
    """At most ``limit`` bars: units with overdue tasks, then the busiest, the rest grouped."""
    if len(rows) <= limit:
        return rows
    ranked = sorted(range(len(rows)), key=lambda i: (-rows[i].open_overdue, -rows[i].total, i))
    keep = sorted(ranked[:limit - 1])
    rest = [rows[i] for i in ranked[limit - 1:]]
    others = UnitRow(label("others_count", others=OTHERS, count=len(rest)))
    for field, _ in SERIES:
        setattr(others, field, sum(getattr(r, field) for r in rest))
    return [rows[i] for i in keep] + [others]


def _clean(value: Any) -> Any:
    # Control characters from chat text would make openpyxl refuse the whole workbook.
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_CELL_MAX]
    return value


def _append(ws: Worksheet, values: list[Any]) -> None:
    """Append a row; text that looks like a formula is stored as text (quotePrefix style)."""
    ws.append([_clean(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


def summary_xlsx(rows: list[dict[str, Any]], *, org_name: str, generated_at: dtm.datetime) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = label("sheet")
    _append(ws, [label("sheet_title", org_name=org_name)])
    _append(ws, [label("generated_at", at=generated_at)])
    _append(ws, HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    red = PatternFill("solid", fgColor="FDE0E0")
    for i, r in enumerate(rows, start=1):
        due = r["due_at"].astimezone(LOCAL).date() if r["due_at"] else None
        reported = r["last_report_at"].astimezone(LOCAL).date() if r["last_report_at"] else None
        _append(ws, [i, r["title"], r["lead"], r["cooperate"], r["deadline_text"], due,
                     STATUS_LABELS.get(r["status"], r["status"]), r["percent"], r["last_report"],
                     reported])
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
