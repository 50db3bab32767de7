"""The Excel import template: one row per task, in the columns the plan appendices use."""

from __future__ import annotations

import os
from pathlib import Path

HEADERS = (
    "STT",
    "Nội dung",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời hạn",
    "Lãnh đạo chỉ đạo",
)
WIDTHS = (6, 70, 30, 36, 22, 36)
EXAMPLE = (
    "1",
    "Rà soát, đề xuất hoàn thiện các văn bản về phân cấp, phân quyền của xã",
    "Văn phòng HĐND và UBND",
    "Phòng Kinh tế; Các cơ quan liên quan",
    "Tháng 11/2025",
    "Đ/c Nguyễn Văn A – Phó Chủ tịch UBND xã",
)


def write_template(path: str | os.PathLike[str]) -> Path:
    """Write the template (header, one example row, widths, frozen header) and return its path."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Nhiệm vụ"
    ws.append(list(HEADERS))
    ws.append(list(EXAMPLE))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, width in enumerate(WIDTHS, start=1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = width
        head = ws.cell(row=1, column=col)
        head.font = bold
        head.fill = fill
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.cell(row=2, column=col).alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    out = Path(path)
    wb.save(out)
    return out
