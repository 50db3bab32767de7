"""The plan parser on the ways other communes and wards write their plans.

The seeds (tests/test_plan_parser.py) are five real plans; these variants are built to cover the
families of layout seen across provinces: appendix tables with other header wordings, extra
columns, other column orders, group rows, continuation rows, tables split across pages with the
header repeated; numbering styles; inline prose assignments; ward units; metadata variants;
plans without an appendix; OCR text without diacritics. Each .txt variant lives in
tests/fixtures/variants/, the .docx and .pdf variants are built here.
"""

from __future__ import annotations

import datetime as dtm
import io
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from plans import ParsedPlan, parse_plan, read_document
from plans.parser import ParsedTask
from plans.text import fold

VAR = Path(__file__).parent / "fixtures" / "variants"

VH = "Phòng Văn hóa – Xã hội"
VP = "Văn phòng HĐND và UBND"
KT = "Phòng Kinh tế"
KTDT = "Phòng Kinh tế, Hạ tầng và Đô thị"
HCC = "Trung tâm Phục vụ hành chính công"
TTVH = "Trung tâm Văn hóa, Thể thao và Truyền thông"
CA = "Công an"
QS = "Ban Chỉ huy Quân sự"


def by_ref(plan: ParsedPlan) -> dict[str, ParsedTask]:
    return {t.ref: t for t in plan.tasks}


def due(t: ParsedTask) -> str | None:
    return t.due.date().isoformat() if t.due else None


def check(plan: ParsedPlan, expected: list[tuple[Any, ...]]) -> None:
    """expected rows: (ref, lead, kind, due date or None[, cooperate])."""
    got = [(t.ref, t.lead, t.deadline_kind, due(t)) for t in plan.tasks]
    want = [(r[0], r[1], r[2], r[3]) for r in expected]
    assert got == want
    tasks = by_ref(plan)
    for row in expected:
        if len(row) > 4:
            assert tasks[row[0]].cooperate == row[4], row[0]
    for t in plan.tasks:
        assert t.title and len(t.title) > 5, t.ref
        assert not fold(t.title).startswith(("stt", "noi dung")), t.ref
    assert_no_invented_units(plan)


def assert_no_invented_units(plan: ParsedPlan) -> None:
    """Every lead and cooperating name is a directory unit, a group, an external body, or
    listed as unknown for the monitor to map."""
    from plans.units import default_directory

    d = default_directory(plan.level)
    for t in plan.tasks:
        for n in (*t.lead, *t.cooperate):
            assert d.resolve(n) is not None or n in plan.unknown_units, (t.ref, n)


def parse_file(name: str) -> ParsedPlan:
    return parse_plan(read_document(VAR / name))


# ------------------------------------------------------------------ .txt variants

NGOC_CHAU = [
    ("I.1", [TTVH], "recurring", None, [VH]),
    ("I.2", [VH], "quarter", "2026-06-30", [VP]),
    ("II.1", [HCC], "month", "2026-06-30", ["Các cơ quan chuyên môn"]),
    ("II.2", [KTDT], "date", "2026-09-30", [CA, VP]),
    ("II.3", [CA], "date", "2026-05-15", ["Các tổ dân phố"]),
    ("III.1", [VH], "date", "2026-12-10", ["Các cơ quan, đơn vị"]),
]


def test_markdown_table_ward() -> None:
    """A markdown appendix ("| STT | Nội dung công việc | … | Sản phẩm |"), group rows, a ward,
    "Số 45 /KH-UBND" and a two-column header."""
    plan = parse_file("ngoc-chau_kh45-cds-2026.txt")
    assert plan.number == "45/KH-UBND"
    assert plan.issued_on == dtm.date(2026, 3, 5)
    assert plan.issuer == "UBND phường Ngọc Châu"
    assert plan.title.startswith("Triển khai chuyển đổi số") and plan.title.endswith("năm 2026")
    check(plan, NGOC_CHAU)
    assert by_ref(plan)["II.1"].section == "Phát triển hạ tầng và dữ liệu số"
    assert plan.unknown_units == []


def test_tab_separated_table_with_leader_and_note() -> None:
    """ "TT | Nhiệm vụ | Cơ quan thực hiện | Thời hạn | Lãnh đạo phụ trách | Ghi chú" as tabs."""
    plan = parse_file("hong-phong_kh118-pctt-2026.txt")
    assert plan.number == "118/KH-UBND"
    assert plan.issuer == "UBND xã Hồng Phong"
    check(
        plan,
        [
            ("1", [VP], "month", "2026-05-31"),
            ("2", [KT], "date", "2026-05-31"),
            ("3", [KT], "quarter", "2026-06-30"),
            ("4", [QS], "quarter", "2026-09-30"),
            ("5", [TTVH], "recurring", None),
            ("6", [VP], "on_request", None),
        ],
    )
    tasks = by_ref(plan)
    assert tasks["2"].leader == "Lê Thị Mai – Phó Chủ tịch UBND xã"
    assert tasks["4"].leader == "Trần Văn Hùng – Chủ tịch UBND xã"
    # the note column is not the content
    assert "phê duyệt" not in tasks["2"].text


def test_space_aligned_columns_split_across_pages() -> None:
    """pdftotext -layout: cells side by side, wrapped within their columns, the header
    repeated after a page break."""
    plan = parse_file("tan-lap_kh27-layout.txt")
    assert plan.issuer == "UBND xã Tân Lập"
    check(
        plan,
        [
            ("I.1", [VP], "month", "2026-06-30", ["Các cơ quan chuyên môn"]),
            ("I.2", [VP], "quarter", "2026-12-31", [CA]),
            ("II.1", [HCC], "recurring", None, ["Các cơ quan chuyên môn"]),
            ("II.2", [HCC], "month", "2026-09-30", [KT, VH]),
            ("III.1", [KT], "date", "2026-11-15", ["Các cơ quan, đơn vị"]),
            ("III.2", [KT], "recurring", None, [VP]),
            ("IV.1", [VH], "date", "2026-12-10", ["Các cơ quan, đơn vị"]),
        ],
    )
    tasks = by_ref(plan)
    assert tasks["I.1"].text == (
        "Rà soát, hệ thống hóa văn bản quy phạm pháp luật do HĐND, UBND xã ban hành"
    )
    assert tasks["II.2"].text == "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"
    assert tasks["III.1"].section == "CẢI CÁCH TÀI CHÍNH CÔNG"


def test_space_aligned_columns_without_a_number_column() -> None:
    """No STT: a row starts where the content and a cell beside it start with capitals."""
    plan = parse_file("hoa-lac_layout-no-stt.txt")
    assert plan.title == "Vệ sinh an toàn thực phẩm năm 2026"
    check(
        plan,
        [
            ("1", [VH], "month", "2026-04-30"),
            ("2", [TTVH], "recurring", None),
            ("3", [KT], "quarter", "2026-06-30"),
        ],
    )
    assert by_ref(plan)["2"].text == (
        "Tuyên truyền về an toàn thực phẩm trên hệ thống truyền thanh xã"
    )


def test_space_aligned_columns_with_a_split_header() -> None:
    """ "Đơn vị thực hiện" over "Chủ trì | Phối hợp" on the next line."""
    plan = parse_file("tien-minh_layout-split-header.txt")
    check(
        plan,
        [
            ("1", [KT], "quarter", "2026-06-30", [CA]),
            ("2", [VH], "month", "2026-10-31", ["Các cơ quan chuyên môn"]),
        ],
    )


PHU_MY = [
    ("II.1", [TTVH], "recurring", None, ["Ủy ban MTTQ Việt Nam", "Các đoàn thể"]),
    ("II.2.a", [KT], "date", "2026-06-30", [VP]),
    ("II.2.b", [KT], "quarter", "2026-09-30", ["Các thôn"]),
    ("II.3.a", [VH], "month", "2026-11-30", ["Trạm Y tế"]),
    ("II.3.b", [VH], "date", "2026-10-15", []),
    ("II.4", [CA], "recurring", None, [QS]),
    ("III.2", [VP], "date", "2026-12-05"),
]


def test_prose_giao_chu_tri_phoi_hop() -> None:
    """No appendix: "Giao Phòng … chủ trì, phối hợp với … ; hoàn thành trước ngày …"."""
    plan = parse_file("phu-my_kh09-ntm-2026.txt")
    assert plan.title == "Xây dựng nông thôn mới nâng cao năm 2026"
    assert plan.issuer == "UBND xã Phú Mỹ"
    assert plan.number == "09/KH-UBND"
    check(plan, PHU_MY)


def test_prose_without_diacritics() -> None:
    plan = parse_file("phu-my_kh09_ocr-no-diacritics.txt")
    assert plan.number == "09/KH-UBND" and plan.issued_on == dtm.date(2026, 1, 8)
    got = [(t.ref, t.lead, t.deadline_kind, due(t)) for t in plan.tasks]
    assert got == [(r[0], r[1], r[2], r[3]) for r in PHU_MY]


DONG_SON = [
    ("II.1", [TTVH], "recurring", None),
    ("II.2", [CA], "date", "2026-02-28"),
    ("II.3", [KT], "quarter", "2026-06-30", [CA]),
    ("II.4.a", [KT], "month", "2026-04-30"),
    ("II.4.b", [CA], "recurring", None),
    ("III.2.1", [CA], "date", "2026-06-15"),
    ("III.2.2", [KT], "date", "2026-11-20"),
]


def test_labelled_assignments_numbering_styles() -> None:
    """ "1)" items, "a." letters, "•" and "+" bullets; "Đơn vị thực hiện:", "Trách nhiệm:",
    "Thời gian thực hiện:", "Thời hạn hoàn thành:" lines; a date range."""
    plan = parse_file("dong-son_kh33-atgt-2026.txt")
    assert plan.issuer == "UBND xã Đông Sơn"
    check(plan, DONG_SON)
    tasks = by_ref(plan)
    assert tasks["II.1"].cooperate == [CA, "Đoàn Thanh niên"]  # a mass organisation
    assert plan.unknown_units == []
    assert tasks["II.4.a"].title.startswith("Ra quân giải tỏa")
    assert tasks["II.2"].title.startswith("Tuần tra, kiểm soát")


def test_labelled_assignments_without_diacritics() -> None:
    plan = parse_file("dong-son_kh33_ocr-no-diacritics.txt")
    got = [(t.ref, t.lead, t.deadline_kind, due(t)) for t in plan.tasks]
    assert got == [(r[0], r[1], r[2], r[3]) for r in DONG_SON]
    assert plan.unknown_units == []


def test_ward_numbered_items_and_bullets_with_own_units() -> None:
    plan = parse_file("le-loi_kh51-vmdt-2026.txt")
    assert plan.issuer == "UBND phường Lê Lợi"
    assert plan.number == "51/KH-UBND"
    check(
        plan,
        [
            ("II.1", [KTDT], "date", "2026-04-30"),
            ("II.2", [CA], "recurring", None, [KTDT]),
            ("II.3.1", [KTDT], "recurring", None, ["Ủy ban MTTQ Việt Nam", "Các tổ dân phố"]),
            ("II.3.2", [KTDT], "quarter", "2026-09-30"),
            ("II.4.1", [TTVH], "recurring", None),
            ("II.4.2", [VH], "month", "2026-12-31"),
            ("III.2", ["Các cơ quan, đơn vị"], "date", "2026-11-25"),
        ],
    )
    assert by_ref(plan)["II.4.2"].deadline_text == "tháng 12/2026"


def test_flattened_one_cell_per_line_with_lone_group_numerals() -> None:
    """A PDF saved as text: one cell per line, "I" on its own line above the group title, a
    cell wrapped over two lines, "Thời gian hoàn thành"."""
    plan = parse_file("vinh-bao_kh64-flat.txt")
    assert plan.issuer == "UBND xã Vĩnh Bảo" and plan.number == "64/KH-UBND"
    check(
        plan,
        [
            ("I.1", [VP], "month", "2026-07-31", [CA]),
            ("I.2", [CA], "quarter", "2026-09-30", ["Các cơ quan chuyên môn"]),
            ("II.1", [HCC], "recurring", None, [VH]),
            ("II.2", [VH], "date", "2026-11-30", [HCC]),
            ("II.3", [CA], "recurring", None, ["Các cơ quan, đơn vị"]),
        ],
    )
    tasks = by_ref(plan)
    assert tasks["II.2"].text == "Số hóa hồ sơ hộ tịch, lưu trữ điện tử theo quy định"
    assert tasks["I.1"].section == "Nhóm nhiệm vụ hoàn thiện thể chế"


@pytest.mark.parametrize(
    "heading",
    [
        "Phụ lục I: Danh mục nhiệm vụ triển khai Đề án 06 năm 2026",
        "PHỤ LỤC NHIỆM VỤ TRIỂN KHAI ĐỀ ÁN 06",
        "Phụ lục 01",
        "DANH MỤC CÁC NHIỆM VỤ TRIỂN KHAI ĐỀ ÁN 06",
    ],
)
def test_appendix_heading_wordings(heading: str) -> None:
    text = (VAR / "vinh-bao_kh64-flat.txt").read_text(encoding="utf-8")
    text = text.replace("PHỤ LỤC\nDANH MỤC NHIỆM VỤ TRIỂN KHAI ĐỀ ÁN 06 NĂM 2026\n", heading + "\n")
    plan = parse_plan(text)
    assert [t.ref for t in plan.tasks] == ["I.1", "I.2", "II.1", "II.2", "II.3"]
    assert all(t.lead and t.deadline_kind != "none" for t in plan.tasks)


def test_ocr_piped_with_a_product_column() -> None:
    plain = parse_file("kien-an_kh77-ocr-table.txt")
    plan = parse_file("kien-an_kh77-ocr-san-pham.txt")
    assert [(t.ref, t.lead, t.cooperate, t.deadline_text, t.due, t.text) for t in plan.tasks] == [
        (t.ref, t.lead, t.cooperate, t.deadline_text, t.due, t.text) for t in plain.tasks
    ]


def test_flattened_with_a_product_column() -> None:
    """The same appendix with a "Sản phẩm" column after the deadline: the product is not
    read into the deadline nor the content."""
    plain = parse_file("vinh-bao_kh64-flat.txt")
    plan = parse_file("vinh-bao_kh64-flat-san-pham.txt")
    assert [(t.ref, t.lead, t.cooperate, t.deadline_kind, t.due, t.text) for t in plan.tasks] == [
        (t.ref, t.lead, t.cooperate, t.deadline_kind, t.due, t.text) for t in plain.tasks
    ]
    assert [t.deadline_text for t in plan.tasks] == [t.deadline_text for t in plain.tasks]


def test_ocr_piped_table_without_diacritics_ward() -> None:
    """OCR rows split by "|", a row wrapped with every cell continuing on the next line."""
    plan = parse_file("kien-an_kh77-ocr-table.txt")
    assert plan.number == "77/KH-UBND" and plan.issued_on == dtm.date(2026, 5, 14)
    assert plan.level == "phuong"
    check(
        plan,
        [
            ("I.1", [VH], "recurring", None, [KTDT]),
            ("I.2", [KTDT], "quarter", "2026-09-30", ["Ủy ban MTTQ Việt Nam"]),
            ("II.1", [KTDT], "month", "2026-08-31"),
            ("II.2", [KTDT], "date", "2026-12-15", [VP]),
        ],
    )
    assert by_ref(plan)["I.2"].text.endswith("hop tac xa tren dia ban")
    assert plan.unknown_units == []


def test_duties_by_unit_heading_special_zone() -> None:
    """ "III. PHÂN CÔNG NHIỆM VỤ" with a unit as each item's heading and its duties as
    bullets, "Công an xã: …" on one line; a special zone (đặc khu) as issuer; "Số:   40  /"."""
    plan = parse_file("cat-hai_kh40-dai-hoi.txt")
    assert plan.issuer == "UBND đặc khu Cát Hải"
    assert plan.number == "40/KH-UBND" and plan.issued_on == dtm.date(2026, 3, 25)
    check(
        plan,
        [
            ("III.1.1", [VH], "date", "2026-04-10"),
            ("III.1.2", [VH], "date", "2026-04-20"),
            ("III.2.1", [VP], "date", "2026-05-25"),
            ("III.3.1", [TTVH], "date", "2026-05-30"),
            ("III.4", [CA], "none", None),
            ("III.5", ["Trạm Y tế"], "none", None),
            ("IV", ["Các cơ quan, đơn vị"], "date", "2026-05-25"),
        ],
    )
    tasks = by_ref(plan)
    assert tasks["III.4"].title.startswith("Bảo đảm an ninh trật tự")
    assert tasks["III.2.1"].title == "Bảo đảm kinh phí, cơ sở vật chất phục vụ Đại hội"


def test_duties_listed_under_each_unit_ward() -> None:
    """ "II. NHIỆM VỤ CỤ THỂ" as "1. Công an phường" / "- Chủ trì …" blocks, "Đề nghị Ủy ban
    MTTQ … và các tổ chức chính trị - xã hội" as a heading naming two bodies."""
    plan = parse_file("quang-trung_kh66-by-unit.txt")
    assert plan.issuer == "UBND phường Quang Trung"
    check(
        plan,
        [
            ("II.1.1", [CA], "quarter", "2026-06-30"),
            ("II.1.2", [CA], "date", "2026-09-30"),
            ("II.2.1", [KTDT], "month", "2026-06-30"),
            ("II.3.1", [TTVH], "recurring", None),
            ("II.4.1", ["Ủy ban MTTQ Việt Nam", "Các tổ chức chính trị - xã hội"], "none", None),
            ("II.5.1", ["Các tổ dân phố"], "date", "2026-05-15"),
            ("III", [CA], "date", "2026-12-10"),
        ],
    )
    assert plan.unknown_units == []


def test_titles_are_the_work_not_the_assignment() -> None:
    titles = {t.ref: t.title for t in parse_file("phu-my_kh09-ntm-2026.txt").tasks}
    assert titles["II.2.a"] == "Rà soát, điều chỉnh quy hoạch chung xã"
    assert titles["II.2.b"] == "Đầu tư, cải tạo hệ thống giao thông nội đồng"
    assert titles["II.3.b"] == "Xây dựng thôn văn hóa kiểu mẫu"
    assert titles["II.4"].startswith("Giữ vững an ninh chính trị")
    assert titles["III.2"].startswith("Tổng hợp kết quả, báo cáo Chủ tịch UBND xã")
    titles = {t.ref: t.title for t in parse_file("le-loi_kh51-vmdt-2026.txt").tasks}
    assert titles["II.1"] == "Rà soát, lập danh mục các tuyến phố cần chỉnh trang"
    assert titles["II.4.2"] == 'Bình xét danh hiệu "Tổ dân phố văn minh".'


def test_noisy_ocr_like_the_clean_plan() -> None:
    """OCR with its usual confusions ("Pơn vị" for Đơn vị, "h6a", "X3 hQi", "chii trì",
    marks dropped on some lines): the same tasks as the clean text."""
    clean = parse_file("le-loi_kh51-vmdt-2026.txt")
    noisy = parse_file("le-loi_kh51_ocr-noisy.txt")
    assert noisy.number == "51/KH-UBND" and noisy.issued_on == dtm.date(2026, 4, 2)

    def essentials(plan: ParsedPlan) -> list[tuple[Any, ...]]:
        # group names are kept as written, so compare them folded
        return [
            (t.ref, t.lead, [fold(c) for c in t.cooperate], t.deadline_kind, due(t))
            for t in plan.tasks
        ]

    assert essentials(noisy) == essentials(clean)
    assert by_ref(noisy)["II.1"].title.startswith("Rà soát, lập danh mục")


def test_roles_in_a_trailing_parenthesis_and_an_unknown_subject() -> None:
    """ "… (Trạm Y tế xã chủ trì, Phòng … phối hợp; Quý II/2026)", "… (Trung tâm …)", a unit
    the directory does not know as the subject, "trong tháng 3/2026", "trước 15/12/2026"."""
    plan = parse_file("an-lao_kh12-paren.txt")
    check(
        plan,
        [
            ("II.1.1", ["Trạm Y tế"], "quarter", "2026-06-30", [VH]),
            ("II.1.2", [TTVH], "none", None, []),
            ("II.1.3", ["Hội Liên hiệp Phụ nữ"], "none", None, []),
            ("II.2.1", [], "month", "2026-03-31"),
            ("II.2.2", [VH], "date", "2026-12-15"),
        ],
    )
    assert plan.unknown_units == []
    tasks = by_ref(plan)
    assert tasks["II.1.1"].title == (
        "Tổ chức chiến dịch truyền thông lồng ghép dịch vụ chăm sóc sức khỏe sinh sản"
    )
    assert tasks["II.1.3"].title == "Vận động hội viên thực hiện chính sách dân số."
    assert any("1 nhiệm vụ chưa xác định được cơ quan chủ trì" in w for w in plan.warnings)


def test_parts_review_of_last_year_is_not_tasks() -> None:
    """ "PHẦN I – KẾT QUẢ THỰC HIỆN NĂM 2025" (achievements, with units and dates) is not a
    task list; "PHẦN II" holds the sections; "PHẦN III – TỔ CHỨC THỰC HIỆN" is a section of its
    own; one sentence naming two reports gives two tasks."""
    plan = parse_file("hai-an_kh05-nam-2026.txt")
    assert plan.title == "Công tác văn hóa, xã hội năm 2026"
    assert plan.issuer == "UBND phường Hải An"
    check(
        plan,
        [
            ("I.1", [VH], "recurring", None),
            ("I.2", [TTVH], "quarter", "2026-09-30"),
            ("II.1", [VH], "date", "2026-11-15", ["Ủy ban MTTQ Việt Nam"]),
            ("II.2", ["Trạm Y tế"], "recurring", None),
            ("III.2.1", ["Các cơ quan, đơn vị"], "date", "2026-06-15"),
            ("III.2.2", ["Các cơ quan, đơn vị"], "date", "2026-12-10"),
        ],
    )
    assert by_ref(plan)["III.2.2"].title == "Báo cáo năm trước ngày 10/12/2026"


def test_review_section_and_activities_section() -> None:
    """ "II. TÌNH HÌNH THỰC HIỆN NĂM 2025" is not tasks; "III. CÁC HOẠT ĐỘNG TRỌNG TÂM" is."""
    plan = parse_file("ngu-lao_kh21-hoat-dong.txt")
    check(
        plan,
        [
            ("III.1.1", [VH], "date", "2026-06-01"),
            ("III.2.1", ["Ủy ban MTTQ Việt Nam"], "month", "2026-06-30"),
            ("IV", [VH], "date", "2026-07-05"),
        ],
    )


# ------------------------------------------------------------------ .docx variants


def _save(document: Any) -> ParsedPlan:
    buf = io.BytesIO()
    document.save(buf)
    doc = read_document(buf.getvalue(), "kh.docx")
    assert doc.kind == "docx"
    return parse_plan(doc)


def _header(document: Any, lines: list[str]) -> None:
    for line in lines:
        document.add_paragraph(line)


def _two_column_header(document: Any, left: list[str], right: list[str]) -> None:
    """The usual heading of an administrative document: a borderless two-column table."""
    t = document.add_table(rows=len(left), cols=2)
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        t.rows[i].cells[0].text = a
        t.rows[i].cells[1].text = b


def _table(document: Any, header: list[str], rows: list[list[str] | str]) -> Any:
    """A table; a str row is a group row merged across every column."""
    t = document.add_table(rows=1, cols=len(header))
    for c, h in enumerate(header):
        t.rows[0].cells[c].text = h
    for r in rows:
        cells = t.add_row().cells
        if isinstance(r, str):
            merged = cells[0].merge(cells[-1])
            merged.text = r
            continue
        for c, v in enumerate(r):
            cells[c].text = v
    return t


HEAD = [
    "ỦY BAN NHÂN DÂN",
    "PHƯỜNG HÒA BÌNH",
    "Số: 123/KH-UBND",
]
MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", ""]


def test_docx_group_rows_merged_continuation_and_repeated_header() -> None:
    document = docx.Document()
    _two_column_header(document, HEAD, MOTTO)
    _header(
        document,
        [
            "Hòa Bình, ngày 05 tháng 3 năm 2026",
            "KẾ HOẠCH",
            "Thực hiện công tác dân vận chính quyền năm 2026",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "Nâng cao chất lượng công tác dân vận của chính quyền.",
            "II. NHIỆM VỤ CỤ THỂ",
            "(Có Phụ lục kèm theo)",
            "III. TỔ CHỨC THỰC HIỆN",
            "Giao Văn phòng HĐND và UBND theo dõi, đôn đốc, tổng hợp.",
            "PHỤ LỤC",
            "NHIỆM VỤ CÔNG TÁC DÂN VẬN CHÍNH QUYỀN NĂM 2026",
        ],
    )
    header = [
        "STT",
        "Nội dung công việc",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian hoàn thành",
        "Sản phẩm",
    ]
    t = _table(
        document,
        header,
        [
            "I. Công tác tuyên truyền",
            [
                "1",
                "Tuyên truyền các chủ trương, chính sách mới",
                "Trung tâm VH, TT và TT",
                "Phòng VH-XH",
                "Thường xuyên",
                "Tin, bài",
            ],
            [
                "2",
                "Tổ chức hội nghị đối thoại với Nhân dân",
                "Văn phòng HĐND-UBND",
                "UBMTTQ phường",
                "Quý III/2026",
                "Hội nghị",
            ],
            # the rest of row 2's content, broken by a page
            ["", "về công tác cải cách hành chính năm 2026", "", "", "", ""],
            "II. Công tác cải cách hành chính",
            [
                "1",
                "Niêm yết công khai thủ tục hành chính",
                "TT PV HCC",
                "Các cơ quan chuyên môn",
                "Tháng 4/2026",
                "Bảng niêm yết",
            ],
        ],
    )
    # the header row repeated at the top of the next page (a copied, not a flagged, header)
    cells = t.add_row().cells
    for c, h in enumerate(header):
        cells[c].text = h
    for r in [
        [
            "2",
            "Khảo sát mức độ hài lòng của người dân",
            "Phòng Văn hóa - Xã hội",
            "TT PV HCC",
            "Trước ngày 30/11/2026",
            "Báo cáo",
        ],
    ]:
        cells = t.add_row().cells
        for c, v in enumerate(r):
            cells[c].text = v
    plan = _save(document)
    assert plan.number == "123/KH-UBND"
    assert plan.issuer == "UBND phường Hòa Bình"
    assert plan.issued_on == dtm.date(2026, 3, 5)
    assert plan.title == "Thực hiện công tác dân vận chính quyền năm 2026"
    check(
        plan,
        [
            ("I.1", [TTVH], "recurring", None, [VH]),
            ("I.2", [VP], "quarter", "2026-09-30", ["Ủy ban MTTQ Việt Nam"]),
            ("II.1", [HCC], "month", "2026-04-30", ["Các cơ quan chuyên môn"]),
            ("II.2", [VH], "date", "2026-11-30", [HCC]),
        ],
    )
    tasks = by_ref(plan)
    assert tasks["I.2"].text.endswith("về công tác cải cách hành chính năm 2026")
    assert tasks["I.1"].section == "Công tác tuyên truyền"
    assert plan.unknown_units == []


def test_docx_table_split_in_two_and_other_column_order() -> None:
    """Two tables (the appendix split where a page broke); "Nhiệm vụ | Thời hạn | Cơ quan thực
    hiện" with "Kinh phí" and "Ghi chú", no STT column, numbering "1." in the content."""
    document = docx.Document()
    _header(
        document,
        [
            "UBND XÃ TIÊN LÃNG",
            "Số: 201/KH-UBND",
            "Tiên Lãng, ngày 10 tháng 6 năm 2026",
            "KẾ HOẠCH",
            "Phòng cháy, chữa cháy và cứu nạn, cứu hộ năm 2026",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "Chủ động phòng ngừa cháy, nổ.",
            "PHỤ LỤC",
        ],
    )
    header = ["Nhiệm vụ", "Thời hạn", "Cơ quan thực hiện", "Kinh phí", "Ghi chú"]
    _table(
        document,
        header,
        [
            [
                "Kiểm tra an toàn PCCC tại các cơ sở kinh doanh",
                "Quý III/2026",
                "Công an xã",
                "",
                "",
            ],
            [
                "Tuyên truyền kiến thức PCCC",
                "Hằng tháng",
                "Trung tâm Văn hóa, Thể thao và Truyền thông",
                "10 triệu",
                "",
            ],
        ],
    )
    document.add_paragraph("")
    _table(
        document,
        header,
        [
            [
                "Bố trí kinh phí mua sắm trang thiết bị PCCC",
                "Trước ngày 31/7/2026",
                "Phòng Kinh tế",
                "50 triệu",
                "Ngân sách xã",
            ],
        ],
    )
    plan = _save(document)
    assert plan.issuer == "UBND xã Tiên Lãng"
    got = [(t.lead, t.deadline_kind, due(t)) for t in plan.tasks]
    assert got == [
        ([CA], "quarter", "2026-09-30"),
        ([TTVH], "recurring", None),
        ([KT], "date", "2026-07-31"),
    ]
    refs = [t.ref for t in plan.tasks]
    assert len(set(refs)) == 3
    assert plan.tasks[2].title == "Bố trí kinh phí mua sắm trang thiết bị PCCC"


def test_docx_leader_column_and_unknown_units() -> None:
    """ "Lãnh đạo phụ trách", "Cơ quan tham mưu" and a unit the directory does not know."""
    document = docx.Document()
    _header(document, ["ỦY BAN NHÂN DÂN XÃ KIẾN THỤY", "KẾ HOẠCH", "Công tác thanh niên năm 2026"])
    _table(
        document,
        [
            "TT",
            "Nội dung nhiệm vụ",
            "Cơ quan tham mưu",
            "Cơ quan phối hợp",
            "Lãnh đạo phụ trách",
            "Thời gian",
        ],
        [
            [
                "1",
                "Tổ chức Tháng Thanh niên",
                "Câu lạc bộ Thanh niên tình nguyện xã",
                "Phòng Văn hóa – Xã hội",
                "PCT UBND xã Vũ Văn D",
                "Tháng 3/2026",
            ],
            [
                "2",
                "Tuyển chọn công dân nhập ngũ",
                "Ban CHQS xã",
                "Công an xã; Trạm Y tế xã",
                "Chủ tịch UBND xã",
                "Quý I/2026",
            ],
        ],
    )
    plan = _save(document)
    check(
        plan,
        [
            ("1", ["Câu lạc bộ Thanh niên tình nguyện xã"], "month", "2026-03-31", [VH]),
            ("2", [QS], "quarter", "2026-03-31", [CA, "Trạm Y tế"]),
        ],
    )
    assert plan.unknown_units == ["Câu lạc bộ Thanh niên tình nguyện xã"]
    assert by_ref(plan)["1"].leader == "PCT UBND xã Vũ Văn D"


def test_docx_start_and_end_columns_and_one_cell_for_both_roles() -> None:
    """A two-row header "Thời gian thực hiện" over "Bắt đầu | Kết thúc"; one "Đơn vị thực
    hiện" cell naming the lead and the cooperating units with labels."""
    document = docx.Document()
    _header(document, ["UBND PHƯỜNG ĐỒ SƠN", "KẾ HOẠCH", "Phát triển du lịch năm 2026", "PHỤ LỤC"])
    t = document.add_table(rows=2, cols=5)
    top, sub = t.rows[0].cells, t.rows[1].cells
    top[0].text, top[1].text, top[2].text = "STT", "Nội dung", "Đơn vị thực hiện"
    merged = top[3].merge(top[4])
    merged.text = "Thời gian thực hiện"
    sub[3].text, sub[4].text = "Bắt đầu", "Kết thúc"
    for c in (0, 1, 2):
        top[c].merge(sub[c])
    for r in [
        [
            "1",
            "Xây dựng sản phẩm du lịch biển",
            "Chủ trì: Phòng Kinh tế, Hạ tầng và Đô thị; Phối hợp: Phòng Văn hóa – Xã hội",
            "01/3/2026",
            "30/6/2026",
        ],
        [
            "2",
            "Quảng bá du lịch trên nền tảng số",
            "Trung tâm VH, TT và TT (chủ trì); Phòng Văn hóa – Xã hội (phối hợp)",
            "Tháng 3/2026",
            "Tháng 9/2026",
        ],
        [
            "3",
            "Kiểm tra an toàn thực phẩm tại cơ sở lưu trú",
            "Phòng Văn hóa – Xã hội chủ trì, Công an phường phối hợp",
            "Quý II/2026",
            "Quý III/2026",
        ],
    ]:
        cells = t.add_row().cells
        for c, v in enumerate(r):
            cells[c].text = v
    plan = _save(document)
    assert plan.issuer == "UBND phường Đồ Sơn"
    check(
        plan,
        [
            ("1", [KTDT], "date", "2026-06-30", [VH]),
            ("2", [TTVH], "month", "2026-09-30", [VH]),
            ("3", [VH], "quarter", "2026-09-30", [CA]),
        ],
    )


def test_leader_label_variants() -> None:
    text = "\n".join(
        [
            "ỦY BAN NHÂN DÂN XÃ NAM SƠN",
            "KẾ HOẠCH",
            "Tổng kết công tác năm 2026",
            "II. NỘI DUNG",
            "1. Tổng kết công tác chuyển đổi số",
            "- Đánh giá kết quả chuyển đổi số năm 2026.",
            "Cơ quan tham mưu: Phòng Văn hóa – Xã hội",
            "Lãnh đạo UBND xã phụ trách: Đ/c Phạm Thị Hoa – Phó Chủ tịch UBND xã",
            "Thời hạn: trước ngày 15/12/2026",
        ]
    )
    plan = parse_plan(text)
    assert [(t.ref, t.lead, t.leader, due(t)) for t in plan.tasks] == [
        ("II.1", [VH], "Phạm Thị Hoa – Phó Chủ tịch UBND xã", "2026-12-15")
    ]


def _multilevel_list(document: Any) -> str:
    """Add a Word multi-level list "I." / "1." / "a)" / "-" and return its numId."""
    numbering = document.part.numbering_part.element
    an = OxmlElement("w:abstractNum")
    an.set(qn("w:abstractNumId"), "90")
    for ilvl, (fmt, text) in enumerate(
        [("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)"), ("bullet", "")]
    ):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, val in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            lvl.append(el)
        an.append(lvl)
    numbering.insert(0, an)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), "90")
    num.append(ref)
    numbering.append(num)
    return "90"


def _set_numbering(paragraph: Any, num_id: str, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    il = OxmlElement("w:ilvl")
    il.set(qn("w:val"), str(ilvl))
    ni = OxmlElement("w:numId")
    ni.set(qn("w:val"), num_id)
    numpr.append(il)
    numpr.append(ni)
    ppr.append(numpr)


_LABELS = [
    (re.compile(r"^[IVX]+\.\s+"), 0),
    (re.compile(r"^\d+[.)]\s+"), 1),
    (re.compile(r"^[a-z][.)]\s+"), 2),
    (re.compile(r"^[-•+]\s*"), 3),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("phu-my_kh09-ntm-2026.txt", PHU_MY), ("dong-son_kh33-atgt-2026.txt", DONG_SON)],
)
def test_docx_word_auto_numbering(name: str, expected: list[tuple[Any, ...]]) -> None:
    """The same plans typed with Word's list buttons: the numbers are not in the text."""
    document = docx.Document()
    num_id = _multilevel_list(document)
    labelled = 0
    for line in (VAR / name).read_text(encoding="utf-8").split("\n"):
        text = line.strip()
        if not text:
            continue
        level = None
        for pattern, ilvl in _LABELS:
            m = pattern.match(text)
            if m:
                text, level = text[m.end() :], ilvl
                break
        p = document.add_paragraph(text)
        if level is not None:
            _set_numbering(p, num_id, level)
            labelled += 1
    assert labelled > 10
    plan = _save(document)
    got = [(t.ref, t.lead, t.deadline_kind, due(t)) for t in plan.tasks]
    assert got == [(r[0], r[1], r[2], r[3]) for r in expected]


def test_docx_numbering_restarted_per_list() -> None:
    """Two list instances of one list definition, the second "restart numbering" (a
    startOverride), each under its own typed section heading."""
    document = docx.Document()
    num_id = _multilevel_list(document)
    numbering = document.part.numbering_part.element
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "91")
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), "90")
    num.append(ref)
    ov = OxmlElement("w:lvlOverride")
    ov.set(qn("w:ilvl"), "1")
    so = OxmlElement("w:startOverride")
    so.set(qn("w:val"), "1")
    ov.append(so)
    num.append(ov)
    numbering.append(num)
    _header(document, ["ỦY BAN NHÂN DÂN XÃ KIẾN HẢI", "KẾ HOẠCH", "Phòng chống dịch bệnh năm 2026"])
    document.add_paragraph("I. NHIỆM VỤ CHUNG")
    for text in (
        "Trạm Y tế xã chủ trì giám sát dịch bệnh; thực hiện thường xuyên.",
        "Phòng Văn hóa – Xã hội chủ trì tuyên truyền phòng dịch, hoàn thành trước ngày 30/4/2026.",
    ):
        _set_numbering(document.add_paragraph(text), num_id, 1)
    document.add_paragraph("II. NHIỆM VỤ CỤ THỂ")
    for text in ("Công an xã chủ trì kiểm tra các cơ sở kinh doanh trong tháng 5/2026.",):
        _set_numbering(document.add_paragraph(text), "91", 1)
    plan = _save(document)
    got = [(t.ref, t.lead, t.deadline_kind, due(t)) for t in plan.tasks]
    assert got == [
        ("I.1", ["Trạm Y tế"], "recurring", None),
        ("I.2", [VH], "date", "2026-04-30"),
        ("II.1", [CA], "month", "2026-05-31"),
    ]


def test_docx_list_styles() -> None:
    """ "List Number" / "List Bullet" styles carry their numbering in the style."""
    document = docx.Document()
    _header(document, ["ỦY BAN NHÂN DÂN XÃ AN LÃO", "KẾ HOẠCH", "Tổng vệ sinh môi trường năm 2026"])
    document.add_paragraph("I. NHIỆM VỤ")
    document.add_paragraph("Công tác vệ sinh", style="List Number")
    document.add_paragraph(
        "Phòng Kinh tế chủ trì tổ chức ra quân tổng vệ sinh, hoàn thành trước ngày 30/4/2026.",
        style="List Bullet",
    )
    document.add_paragraph(
        "Trạm Y tế xã chủ trì phun thuốc khử khuẩn tại các khu dân cư; thực hiện hằng tháng.",
        style="List Bullet",
    )
    plan = _save(document)
    got = [(t.ref, t.lead, t.deadline_kind, due(t)) for t in plan.tasks]
    assert got == [
        ("I.1.1", [KT], "date", "2026-04-30"),
        ("I.1.2", ["Trạm Y tế"], "recurring", None),
    ]


def test_docx_body_plan_prose() -> None:
    """A body-only plan typed in Word with the numbers written in the text."""
    document = docx.Document()
    for line in (VAR / "phu-my_kh09-ntm-2026.txt").read_text(encoding="utf-8").split("\n"):
        if line.strip():
            document.add_paragraph(line.strip())
    plan = _save(document)
    check(plan, PHU_MY)


@pytest.mark.parametrize("name", sorted(p.name for p in VAR.glob("*.txt")))
def test_variants_never_invent_units(name: str) -> None:
    assert_no_invented_units(parse_file(name))


# ------------------------------------------------------------------ .pdf variant


def _pdf_pages(pages: list[tuple[list[str], list[list[list[str]]]]], widths: list[float]) -> bytes:
    """A PDF with a text layer; each page has lines of text and a ruled table (cells as
    lists of lines), the way Word prints an appendix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.patches import Rectangle

    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buf) as pdf:
        for lines, table in pages:
            fig = plt.figure(figsize=(8.27, 11.69))
            y = 0.96
            for line in lines:
                fig.text(0.06, y, line, fontsize=9)
                y -= 0.025
            for row in table:
                h = 0.018 * max(len(c) for c in row) + 0.008
                x = 0.04
                # a row of one cell spans the table (a group title)
                for cell, w in zip(row, widths if len(row) > 1 else [sum(widths)], strict=True):
                    fig.add_artist(
                        Rectangle((x, y - h), w, h, fill=False, lw=0.6, transform=fig.transFigure)
                    )
                    for k, ln in enumerate(cell):
                        fig.text(x + 0.004, y - 0.016 - 0.018 * k, ln, fontsize=7)
                    x += w
                y -= h
            fig.text(0.5, 0.03, str(pdf.get_pagecount() + 1), fontsize=7)
            pdf.savefig(fig)
            plt.close(fig)
    return buf.getvalue()


def test_pdf_ruled_table_over_three_pages() -> None:
    """Page 1 has the header; page 2 repeats it and goes on with group I; page 3 has no
    header and starts with the rest of a row broken by the page (content and a unit name), then
    a group row spanning the table."""
    head = [
        ["STT"],
        ["Nội dung công việc"],
        ["Đơn vị chủ trì"],
        ["Đơn vị phối hợp"],
        ["Thời gian", "hoàn thành"],
    ]
    blank: list[str] = [""]
    pages = [
        (
            [
                "ỦY BAN NHÂN DÂN XÃ AN PHÚ",
                "Số: 15/KH-UBND        An Phú, ngày 03 tháng 3 năm 2026",
                "KẾ HOẠCH",
                "Chuyển đổi số năm 2026",
                "I. MỤC ĐÍCH, YÊU CẦU",
                "Nâng cao hiệu quả chuyển đổi số.",
                "II. NHIỆM VỤ",
                "Chi tiết tại Phụ lục kèm theo.",
                "PHỤ LỤC",
            ],
            [
                head,
                [["I"], ["Hạ tầng số"], blank, blank, blank],
                [
                    ["1"],
                    ["Nâng cấp mạng nội bộ của UBND xã"],
                    ["Văn phòng HĐND", "và UBND"],
                    ["Phòng Kinh tế"],
                    ["Quý II/2026"],
                ],
                [
                    ["2"],
                    ["Trang bị thiết bị ký số cho", "cán bộ, công chức"],
                    ["Văn phòng HĐND", "và UBND"],
                    ["Các cơ quan", "chuyên môn"],
                    ["Tháng 5/2026"],
                ],
            ],
        ),
        (
            [],
            [
                head,
                [
                    ["3"],
                    ["Bảo đảm an toàn thông tin cho", "hệ thống"],
                    ["Công an xã"],
                    ["Văn phòng HĐND"],
                    ["Thường xuyên"],
                ],
            ],
        ),
        (
            [],
            [
                [blank, ["mạng của xã"], blank, ["và UBND"], blank],
                [["II. Dữ liệu số"]],
                [
                    ["1"],
                    ["Số hóa hồ sơ địa chính"],
                    ["Phòng Kinh tế"],
                    ["TT PV HCC"],
                    ["Trước ngày", "30/9/2026"],
                ],
            ],
        ),
    ]
    doc = read_document(_pdf_pages(pages, [0.05, 0.36, 0.17, 0.17, 0.17]), "kh.pdf")
    assert doc.kind == "pdf" and any(b.cells for b in doc.blocks)
    plan = parse_plan(doc)
    assert plan.number == "15/KH-UBND" and plan.issued_on == dtm.date(2026, 3, 3)
    assert plan.issuer == "UBND xã An Phú"
    check(
        plan,
        [
            ("I.1", [VP], "quarter", "2026-06-30", [KT]),
            ("I.2", [VP], "month", "2026-05-31", ["Các cơ quan chuyên môn"]),
            ("I.3", [CA], "recurring", None, [VP]),
            ("II.1", [KT], "date", "2026-09-30", [HCC]),
        ],
    )
    tasks = by_ref(plan)
    assert tasks["I.3"].text == "Bảo đảm an toàn thông tin cho hệ thống mạng của xã"
    assert tasks["I.2"].text == "Trang bị thiết bị ký số cho cán bộ, công chức"


def test_docx_sub_groups_and_a_budget_table() -> None:
    """ "1 | Công tác tuyên truyền" over "1.1", "1.2" rows is a sub-group; a budget table
    ("STT | Nội dung | Kinh phí") is not a task table."""
    document = docx.Document()
    _header(document, ["ỦY BAN NHÂN DÂN XÃ THỦY NGUYÊN", "KẾ HOẠCH", "Công tác gia đình năm 2026"])
    _table(
        document,
        ["STT", "Nội dung", "Kinh phí (triệu đồng)", "Nguồn"],
        [["1", "Tổ chức Ngày hội gia đình", "20", "Ngân sách xã"]],
    )
    document.add_paragraph("PHỤ LỤC NHIỆM VỤ")
    _table(
        document,
        ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian"],
        [
            ["I", "NHIỆM VỤ CHUNG", "", "", ""],
            ["1", "Công tác tuyên truyền", "", "", ""],
            [
                "1.1",
                "Tuyên truyền Luật Phòng, chống bạo lực gia đình",
                "Phòng VH-XH",
                "Công an xã",
                "Quý II/2026",
            ],
            [
                "1.2",
                "Biểu dương gia đình văn hóa tiêu biểu",
                "Phòng VH-XH",
                "UBMTTQ xã",
                "Tháng 6/2026",
            ],
            ["2", "Tổng hợp báo cáo năm", "Phòng VH-XH", "", "Trước ngày 05/12/2026"],
        ],
    )
    plan = _save(document)
    check(
        plan,
        [
            ("I.1.1", [VH], "quarter", "2026-06-30", [CA]),
            ("I.1.2", [VH], "month", "2026-06-30", ["Ủy ban MTTQ Việt Nam"]),
            ("I.2", [VH], "date", "2026-12-05", []),
        ],
    )
    assert by_ref(plan)["I.1.2"].section == "Công tác tuyên truyền"


# ------------------------------------------------------------------ .xlsx not from our template


def test_xlsx_appendix_of_their_own(tmp_path: Path) -> None:
    """A commune's own spreadsheet: title rows above the header, merged group rows, dates as
    Excel dates, an extra "Ghi chú" column."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "ỦY BAN NHÂN DÂN XÃ TÂN TIẾN"
    ws["A2"] = "DANH MỤC NHIỆM VỤ NĂM 2026"
    ws["A3"] = "(Kèm theo Kế hoạch số 30/KH-UBND ngày 20/01/2026)"
    ws.append([])
    ws.append(
        ["TT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Ghi chú"]
    )
    ws.append(["I. Công tác chỉ đạo, điều hành"])
    ws.merge_cells(start_row=6, start_column=1, end_row=6, end_column=6)
    ws.append(
        [
            "1",
            "Ban hành Quy chế làm việc",
            "Văn phòng HĐND và UBND",
            "Các cơ quan chuyên môn",
            dtm.date(2026, 3, 31),
            "",
        ]
    )
    ws.append(
        ["2", "Kiện toàn Tổ công tác chuyển đổi số", "Phòng VH-XH", "", "Quý I/2026", "Cập nhật"]
    )
    ws.append(["II. Công tác chuyên môn"])
    ws.merge_cells(start_row=9, start_column=1, end_row=9, end_column=6)
    ws.append(
        ["1", "Rà soát quy hoạch sử dụng đất", "Phòng Kinh tế", "TT PV HCC", "Tháng 9/2026", ""]
    )
    path = tmp_path / "nhiem-vu.xlsx"
    wb.save(path)
    plan = parse_plan(read_document(path))
    check(
        plan,
        [
            ("I.1", [VP], "date", "2026-03-31", ["Các cơ quan chuyên môn"]),
            ("I.2", [VH], "quarter", "2026-03-31", []),
            ("II.1", [KT], "month", "2026-09-30", [HCC]),
        ],
    )


# ------------------------------------------------------------------ a seed appendix re-typed


def _seed_appendix_as_text(style: str, seed_name: str) -> tuple[str, ParsedPlan]:
    """A seed's appendix (Trần Liễu's 38 tasks, Đại Sơn's 23 OCR tasks) written out as a
    markdown table, tab-separated cells, one cell per line, or space-aligned columns wrapped
    within their widths (pdftotext -layout)."""
    import textwrap

    seed_path = Path(__file__).parent / "fixtures" / seed_name
    seed = parse_plan(read_document(seed_path))
    lines = seed_path.read_text(encoding="utf-8").split("\n")
    body = lines[: next(i for i, ln in enumerate(lines) if fold(ln).strip(" ,.'") == "phu luc")]
    header = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Tiến độ hoàn thành"]
    rows: list[list[str]] = []
    last = ""
    for t in seed.tasks:
        label, num = t.ref.split(".")
        if label != last:
            rows.append([label, t.section, "", "", ""])
            last = label
        rows.append(
            [num, t.text, "; ".join(t.lead_raw), "; ".join(t.cooperate_raw), t.deadline_text]
        )
    out = [*body, "PHỤ LỤC", ""]
    if style == "markdown":
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        out += ["| " + " | ".join(r) + " |" for r in rows]
    elif style.startswith("flat"):
        # one cell per line; "flat-order" puts the deadline before the cooperating units
        order = [0, 1, 2, 4, 3] if style == "flat-order" else [0, 1, 2, 3, 4]
        out += [header[k] for k in order]
        for r in rows:
            out += [r[k] for k in order if r[k]]
    elif style == "tabs":
        out += ["\t".join(header)] + ["\t".join(r) for r in rows]
    else:
        widths = [5, 46, 26, 26, 20]
        out.append("".join(h.ljust(w + 2) for h, w in zip(header, widths, strict=True)))
        for r in rows:
            wrapped = [textwrap.wrap(c, w) or [""] for c, w in zip(r, widths, strict=True)]
            for k in range(max(len(x) for x in wrapped)):
                out.append(
                    "".join(
                        (x[k] if k < len(x) else "").ljust(w + 2)
                        for x, w in zip(wrapped, widths, strict=True)
                    ).rstrip()
                )
    out.append(f"Tổng số: {len(seed.tasks)} nhiệm vụ./.")
    return "\n".join(out), seed


@pytest.mark.parametrize("seed_name", ["tran-lieu_kh73-nq268.txt", "dai-son_kh92-nq268_ocr.txt"])
@pytest.mark.parametrize("style", ["markdown", "tabs", "layout", "flat", "flat-order"])
def test_seed_appendix_retyped(style: str, seed_name: str) -> None:
    text, seed = _seed_appendix_as_text(style, seed_name)
    plan = parse_plan(text)

    def essentials(p: ParsedPlan) -> list[tuple[Any, ...]]:
        return [(t.ref, t.lead, t.cooperate, t.deadline_kind, t.due, t.condition) for t in p.tasks]

    assert essentials(plan) == essentials(seed)
    assert [t.text for t in plan.tasks] == [t.text for t in seed.tasks]
    assert plan.unknown_units == []


@pytest.mark.parametrize(
    "seed_name",
    ["thai-tan_kh-cchc-2025.txt", "thanh-ha_kh-nq268.txt", "an-thanh_kh-so-ket-2026.txt"],
)
@pytest.mark.parametrize("bullet", ["•", "+", "–"])
def test_body_seed_with_other_numbering_styles(seed_name: str, bullet: str) -> None:
    """The body seeds with "1)" for "1.", "a." for "a)" and another bullet sign."""
    path = Path(__file__).parent / "fixtures" / seed_name
    seed = parse_plan(read_document(path))
    out = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        t = line.lstrip()
        t = re.sub(r"^(\d{1,2})\.\s", r"\1) ", t)
        t = re.sub(r"^([a-h])\)\s", r"\1. ", t)
        t = re.sub(r"^-\s*", bullet + " ", t)
        out.append(t)
    plan = parse_plan("\n".join(out))

    def essentials(p: ParsedPlan) -> list[tuple[Any, ...]]:
        return [(t.ref, t.lead, t.cooperate, t.leader, t.deadline_kind, t.due) for t in p.tasks]

    assert essentials(plan) == essentials(seed)


@pytest.mark.parametrize(
    "seed_name",
    [
        "thai-tan_kh-cchc-2025.txt",
        "thanh-ha_kh-nq268.txt",
        "an-thanh_kh-so-ket-2026.txt",
        "tran-lieu_kh73-nq268.txt",
    ],
)
def test_seed_without_diacritics(seed_name: str) -> None:
    """The seeds as a phone or an OCR without Vietnamese marks would give them."""
    from plans.text import strip_diacritics

    path = Path(__file__).parent / "fixtures" / seed_name
    seed = parse_plan(read_document(path))
    plan = parse_plan(strip_diacritics(path.read_text(encoding="utf-8")))

    def essentials(p: ParsedPlan) -> list[tuple[Any, ...]]:
        return [
            (
                t.ref,
                [fold(x) for x in t.lead],
                [fold(x) for x in t.cooperate],
                fold(t.leader or ""),
                t.deadline_kind,
                t.due,
            )
            for t in p.tasks
        ]

    assert essentials(plan) == essentials(seed)
    assert plan.unknown_units == []


def test_title_on_the_ke_hoach_line_in_capitals() -> None:
    text = "\n".join(
        [
            "UBND XÃ ĐẠI HỢP",
            "Số: 88/KH-UBND",
            "Đại Hợp, ngày 02 tháng 3 năm 2026",
            "KẾ HOẠCH TRIỂN KHAI CÔNG TÁC THI ĐUA, KHEN THƯỞNG NĂM 2026 TRÊN ĐỊA BÀN XÃ ĐẠI HỢP",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "- Động viên phong trào thi đua.",
            "II. NHIỆM VỤ",
            "1. Phòng Văn hóa – Xã hội chủ trì tổ chức Hội nghị điển hình tiên tiến, hoàn thành"
            " trước ngày 30/9/2026.",
        ]
    )
    plan = parse_plan(text)
    assert plan.title == (
        "Triển khai công tác thi đua, khen thưởng năm 2026 trên địa bàn xã Đại Hợp"
    )
    assert plan.issuer == "UBND xã Đại Hợp" and plan.number == "88/KH-UBND"
    assert [(t.ref, t.lead, due(t)) for t in plan.tasks] == [("II.1", [VH], "2026-09-30")]
    assert plan.tasks[0].title == "Tổ chức Hội nghị điển hình tiên tiến"


def test_pdf_two_column_heading_on_one_line() -> None:
    """A PDF puts the two heading columns on one text line ("ỦY BAN NHÂN DÂN CỘNG HÒA …",
    "XÃ AN PHÚ Độc lập - Tự do - Hạnh phúc"), and the name is nowhere else."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buf) as pdf:
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.text(0.08, 0.96, "ỦY BAN NHÂN DÂN", fontsize=9)
        fig.text(0.45, 0.96, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fontsize=9)
        fig.text(0.10, 0.94, "XÃ TRUNG LẬP", fontsize=9)
        fig.text(0.50, 0.94, "Độc lập - Tự do - Hạnh phúc", fontsize=9)
        body = [
            "Số: 17/KH-UBND",
            "KẾ HOẠCH",
            "Tổng điều tra kinh tế năm 2026",
            "I. NHIỆM VỤ",
            "1. Phòng Kinh tế chủ trì lập danh sách cơ sở kinh tế, hoàn thành trước ngày",
            "15/5/2026.",
        ]
        for i, line in enumerate(body):
            fig.text(0.08, 0.90 - 0.025 * i, line, fontsize=9)
        pdf.savefig(fig)
        plt.close(fig)
    plan = parse_plan(read_document(buf.getvalue(), "kh.pdf"))
    assert plan.issuer == "UBND xã Trung Lập"
    assert plan.number == "17/KH-UBND"
    assert [(t.ref, t.lead, due(t)) for t in plan.tasks] == [("I.1", [KT], "2026-05-15")]


def test_several_labels_on_one_line_and_an_item_deadline_for_its_bullets() -> None:
    text = "\n".join(
        [
            "UBND XÃ TIÊN MINH",
            "KẾ HOẠCH",
            "Công tác gia đình năm 2026",
            "II. NHIỆM VỤ",
            "1. Tổ chức hội nghị tổng kết công tác gia đình",
            "Thời gian: Quý II/2026; Đơn vị thực hiện: Phòng VH-XH; Đơn vị phối hợp: Công an xã.",
            "2. Rà soát hộ nghèo",
            "Đơn vị chủ trì: Phòng VH-XH. Thời hạn hoàn thành: trước ngày 30/11/2026.",
            "3. Công tác tuyên truyền",
            "- Tuyên truyền trên loa truyền thanh (Trung tâm VH, TT và TT).",
            "- Phát tờ rơi tại các thôn (Phòng VH-XH).",
            "Thời gian thực hiện: Tháng 5/2026",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [
            ("II.1", [VH], "quarter", "2026-06-30", [CA]),
            ("II.2", [VH], "date", "2026-11-30", []),
            ("II.3.1", [TTVH], "month", "2026-05-31"),
            ("II.3.2", [VH], "month", "2026-05-31"),
        ],
    )
    titles = [t.title for t in plan.tasks]
    assert titles[0] == "Tổ chức hội nghị tổng kết công tác gia đình"
    assert titles[2:] == ["Tuyên truyền trên loa truyền thanh", "Phát tờ rơi tại các thôn"]


def test_items_without_any_section_heading() -> None:
    """A short plan: an intro sentence and numbered duties, no "I./II." at all."""
    text = "\n".join(
        [
            "UBND XÃ TIÊN MINH",
            "KẾ HOẠCH",
            "Tổ chức Tết Trồng cây năm 2026",
            "Để phát động Tết Trồng cây, UBND xã giao nhiệm vụ như sau:",
            "1. Phòng Kinh tế chủ trì chuẩn bị cây giống, hoàn thành trước ngày 15/02/2026.",
            "2. Trung tâm Văn hóa, Thể thao và Truyền thông tuyên truyền về Tết Trồng cây"
            " trong tháng 02/2026.",
            "3. Các thôn báo cáo kết quả trồng cây về UBND xã trước ngày 28/02/2026.",
        ]
    )
    plan = parse_plan(text)
    assert plan.title == "Tổ chức Tết Trồng cây năm 2026"
    check(
        plan,
        [
            ("1", [KT], "date", "2026-02-15"),
            ("2", [TTVH], "month", "2026-02-28"),
            ("3", ["Các thôn"], "date", "2026-02-28"),
        ],
    )
    assert plan.tasks[0].title == "Chuẩn bị cây giống"


def test_docx_heading_styles_without_numerals() -> None:
    """Section titles set in Word's Heading style with no numeral, items as a numbered list."""
    document = docx.Document()
    _header(document, ["UBND XÃ TIÊN MINH", "KẾ HOẠCH", "Tổ chức Tết Trồng cây năm 2026"])
    document.add_heading("MỤC ĐÍCH, YÊU CẦU", level=1)
    document.add_paragraph("Phát động phong trào trồng cây.")
    document.add_heading("NỘI DUNG", level=1)
    document.add_paragraph(
        "Phòng Kinh tế chủ trì chuẩn bị cây giống, hoàn thành trước ngày 15/02/2026.",
        style="List Number",
    )
    document.add_paragraph(
        "Trung tâm Văn hóa, Thể thao và Truyền thông tuyên truyền trong tháng 02/2026.",
        style="List Number",
    )
    document.add_heading("TỔ CHỨC THỰC HIỆN", level=1)
    document.add_paragraph("Các thôn báo cáo kết quả trồng cây về UBND xã trước ngày 28/02/2026.")
    plan = _save(document)
    assert plan.title == "Tổ chức Tết Trồng cây năm 2026"
    check(
        plan,
        [
            ("II.1", [KT], "date", "2026-02-15"),
            ("II.2", [TTVH], "month", "2026-02-28"),
            ("III", ["Các thôn"], "date", "2026-02-28"),
        ],
    )


def test_reporting_section_of_its_own() -> None:
    """ "II. CHẾ ĐỘ THÔNG TIN, BÁO CÁO": its dated reports are tasks, a monthly one recurring
    on the named day."""
    text = "\n".join(
        [
            "UBND XÃ TIÊN MINH",
            "KẾ HOẠCH",
            "Công tác phòng chống thiên tai năm 2026",
            "I. NHIỆM VỤ",
            "1. Phòng Kinh tế chủ trì rà soát các công trình xung yếu, hoàn thành trước ngày"
            " 15/5/2026.",
            "II. CHẾ ĐỘ THÔNG TIN, BÁO CÁO",
            "- Các cơ quan, đơn vị báo cáo kết quả thực hiện định kỳ trước ngày 25 hằng tháng.",
            "- Phòng Văn hóa – Xã hội tổng hợp, báo cáo Chủ tịch UBND xã trước ngày 05/12/2026.",
            "III. TỔ CHỨC THỰC HIỆN",
            "Giao Phòng Văn hóa – Xã hội theo dõi.",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [
            ("I.1", [KT], "date", "2026-05-15"),
            ("II.1", ["Các cơ quan, đơn vị"], "recurring", None),
            ("II.2", [VH], "date", "2026-12-05"),
        ],
    )
    assert by_ref(plan)["II.1"].deadline.recurring_day == 25


def test_plan_for_next_year_issued_in_december() -> None:
    text = "\n".join(
        [
            "UBND XÃ TIÊN MINH",
            "Số: 301/KH-UBND",
            "Tiên Minh, ngày 22 tháng 12 năm 2025",
            "KẾ HOẠCH",
            "Công tác cải cách hành chính năm 2026",
            "I. NHIỆM VỤ",
            "1. Phòng Văn hóa – Xã hội chủ trì tự đánh giá chỉ số cải cách hành chính, hoàn"
            " thành trước ngày 30/6.",
        ]
    )
    plan = parse_plan(text)
    assert plan.issued_on == dtm.date(2025, 12, 22)
    assert plan.year == 2026
    assert due(plan.tasks[0]) == "2026-06-30"


def test_dotted_sub_items() -> None:
    """ "1." over "1.1.", "1.2."; bullets under "2.1. Phòng Kinh tế chủ trì …" take its lead."""
    text = "\n".join(
        [
            "UBND XÃ TIÊN MINH",
            "KẾ HOẠCH",
            "Công tác chuyển đổi số năm 2026",
            "II. NHIỆM VỤ VÀ GIẢI PHÁP",
            "1. Phát triển chính quyền số và thực hiện các nhiệm vụ chuyển đổi số",
            "1.1. Phòng Văn hóa – Xã hội chủ trì cập nhật Cổng thông tin điện tử xã; thực hiện"
            " thường xuyên.",
            "1.2. Văn phòng HĐND và UBND chủ trì triển khai hệ thống quản lý văn bản, hoàn thành"
            " trong Quý II/2026.",
            "2. Phát triển kinh tế số",
            "2.1. Phòng Kinh tế chủ trì hỗ trợ hộ kinh doanh thanh toán không dùng tiền mặt",
            "- Tổ chức tập huấn cho hộ kinh doanh trước ngày 30/6/2026.",
            "- Khảo sát, đánh giá kết quả trong tháng 11/2026.",
            "III. TỔ CHỨC THỰC HIỆN",
            "1. Các cơ quan, đơn vị triển khai thực hiện.",
            "1.1. Phòng Văn hóa – Xã hội tổng hợp, báo cáo kết quả trước ngày 10/12/2026.",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [
            ("II.1.1", [VH], "recurring", None),
            ("II.1.2", [VP], "quarter", "2026-06-30"),
            ("II.2.1.1", [KT], "date", "2026-06-30"),
            ("II.2.1.2", [KT], "month", "2026-11-30"),
            ("III.1.1", [VH], "date", "2026-12-10"),
        ],
    )
    assert by_ref(plan)["II.1.2"].section.startswith("1. Phát triển chính quyền số")


def test_pdf_table_without_rules_over_two_pages() -> None:
    """A table printed without borders: no table for pdfplumber, the cells of a row on one
    text line. The header gives the column stops, which carry over the page break."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    cols = [0.06, 0.11, 0.45, 0.65, 0.83]
    page1 = [
        ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian"],
        ["I", "Hạ tầng số", "", "", ""],
        ["1", "Nâng cấp mạng nội bộ", "Văn phòng HĐND", "Phòng Kinh tế", "Quý II/2026"],
        ["", "của UBND xã", "và UBND", "", ""],
    ]
    page2 = [
        ["2", "Số hóa hồ sơ địa chính", "Phòng Kinh tế", "TT PV HCC", "Tháng 9/2026"],
        ["II", "Dữ liệu số", "", "", ""],
        ["1", "Làm sạch dữ liệu dân cư", "Công an xã", "Các thôn", "Thường xuyên"],
    ]
    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buf) as pdf:
        for k, rows in enumerate((page1, page2)):
            fig = plt.figure(figsize=(8.27, 11.69))
            y = 0.95
            head = (
                [
                    "ỦY BAN NHÂN DÂN XÃ AN PHÚ",
                    "KẾ HOẠCH",
                    "Chuyển đổi số năm 2026",
                    "I. MỤC ĐÍCH, YÊU CẦU",
                    "Nâng cao hiệu quả chuyển đổi số trên địa bàn xã, bảo đảm đồng bộ, thống nhất.",
                    "PHỤ LỤC",
                ]
                if k == 0
                else []
            )
            for line in head:
                fig.text(0.06, y, line, fontsize=9)
                y -= 0.025
            for r in rows:
                for x, c in zip(cols, r, strict=True):
                    fig.text(x, y, c, fontsize=8)
                y -= 0.02
            if k == 1:
                fig.text(
                    0.06,
                    y - 0.02,
                    "Ủy ban nhân dân xã yêu cầu các cơ quan, đơn vị nghiêm túc thực hiện./.",
                    fontsize=9,
                )
                fig.text(0.06, y - 0.05, "Nơi nhận:", fontsize=9)
            fig.text(0.5, 0.03, str(k + 1), fontsize=8)
            pdf.savefig(fig)
            plt.close(fig)
    doc = read_document(buf.getvalue(), "kh.pdf")
    plan = parse_plan(doc)
    check(
        plan,
        [
            ("I.1", [VP], "quarter", "2026-06-30", [KT]),
            ("I.2", [KT], "month", "2026-09-30", [HCC]),
            ("II.1", [CA], "recurring", None, ["Các thôn"]),
        ],
    )
    assert by_ref(plan)["I.1"].text == "Nâng cấp mạng nội bộ của UBND xã"
    assert by_ref(plan)["II.1"].text == "Làm sạch dữ liệu dân cư"


def test_the_giver_is_not_the_lead() -> None:
    """ "UBND xã giao Phòng Kinh tế chủ trì …": the commune gives, the office leads."""
    text = "\n".join(
        [
            "UBND XÃ TIÊN MINH",
            "KẾ HOẠCH",
            "Công tác quy hoạch năm 2026",
            "II. NHIỆM VỤ",
            "1. Ủy ban nhân dân xã giao Phòng Kinh tế chủ trì rà soát quy hoạch, hoàn thành"
            " trước ngày 30/6/2026.",
            "2. UBND xã giao Công an xã phối hợp với Phòng Văn hóa – Xã hội tuyên truyền, thực"
            " hiện thường xuyên.",
            "3. Chủ tịch UBND xã giao Văn phòng HĐND và UBND tham mưu tổ chức hội nghị sơ kết"
            " trong tháng 7/2026.",
            "4. Yêu cầu Thủ trưởng các cơ quan chuyên môn rà soát thủ tục hành chính trước ngày"
            " 15/8/2026.",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [
            ("II.1", [KT], "date", "2026-06-30"),
            ("II.2", [CA], "recurring", None, [VH]),
            ("II.3", [VP], "month", "2026-07-31"),
            ("II.4", ["Các cơ quan chuyên môn"], "date", "2026-08-15"),
        ],
    )
    assert plan.tasks[0].title == "Rà soát quy hoạch"


def test_docx_one_unit_a_line_in_a_cell() -> None:
    """A cell with a unit on each line (or bullet), and names wrapped by hand."""
    document = docx.Document()
    _header(document, ["UBND XÃ TIÊN MINH", "KẾ HOẠCH", "Công tác cải cách hành chính năm 2026"])
    _table(
        document,
        ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"],
        [
            [
                "1",
                "Rà soát thủ tục hành chính",
                "Phòng Kinh tế",
                "Công an xã\nTrạm Y tế xã\n- Văn phòng HĐND và UBND",
                "Tháng 5/2026",
            ],
            [
                "2",
                "Đối thoại với Nhân dân",
                "Văn phòng HĐND\nvà UBND",
                "Ủy ban MTTQ Việt\nNam xã\nHội Nông dân xã",
                "Quý III/2026",
            ],
        ],
    )
    plan = _save(document)
    check(
        plan,
        [
            ("1", [KT], "month", "2026-05-31", [CA, "Trạm Y tế", VP]),
            ("2", [VP], "quarter", "2026-09-30", ["Ủy ban MTTQ Việt Nam", "Hội Nông dân"]),
        ],
    )
    assert plan.unknown_units == []


def test_appendix_of_labelled_blocks() -> None:
    """An appendix that is not a table: "1. Nội dung: …" / "Đơn vị chủ trì: …" / "Thời hạn: …"."""
    text = "\n".join(
        [
            "UBND XÃ TIÊN MINH",
            "KẾ HOẠCH",
            "Cải cách thủ tục hành chính năm 2026",
            "I. MỤC ĐÍCH",
            "Nâng cao hiệu quả giải quyết thủ tục hành chính.",
            "PHỤ LỤC",
            "DANH MỤC NHIỆM VỤ",
            "1. Nội dung: Rà soát thủ tục hành chính thuộc thẩm quyền của xã.",
            "Đơn vị chủ trì: Trung tâm Phục vụ hành chính công.",
            "Đơn vị phối hợp: Văn phòng HĐND và UBND.",
            "Thời hạn: Quý II/2026.",
            "2. Nội dung: Số hóa hồ sơ hộ tịch.",
            "Đơn vị chủ trì: Phòng Văn hóa – Xã hội.",
            "Thời hạn: Tháng 10/2026.",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [
            ("1", [HCC], "quarter", "2026-06-30", [VP]),
            ("2", [VH], "month", "2026-10-31", []),
        ],
    )
    assert plan.tasks[1].title == "Số hóa hồ sơ hộ tịch."
    assert all(t.source == "appendix" for t in plan.tasks)


def test_bare_unit_column_and_an_indicator_table() -> None:
    """A bare "Đơn vị" column is who does it; "Đơn vị tính" in an indicator table is not."""
    text = "\n".join(
        [
            "UBND XÃ TIÊN MINH",
            "KẾ HOẠCH",
            "Công tác cải cách hành chính năm 2026",
            "Chỉ tiêu:",
            "STT\tChỉ tiêu\tĐơn vị tính\tKế hoạch năm 2026",
            "1\tHồ sơ giải quyết đúng hạn\t%\t98",
            "PHỤ LỤC",
            "STT\tNội dung\tĐơn vị\tThời gian",
            "1\tRà soát thủ tục hành chính\tPhòng Kinh tế\tQuý II/2026",
            "2\tSố hóa hồ sơ hộ tịch\tPhòng VH-XH\tTháng 10/2026",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [("1", [KT], "quarter", "2026-06-30"), ("2", [VH], "month", "2026-10-31")],
    )


def test_pdf_table_without_rules_split_header() -> None:
    """ "Đơn vị thực hiện" over "Chủ trì | Phối hợp", in a PDF table without rules."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buf) as pdf:
        fig = plt.figure(figsize=(8.27, 11.69))
        y = 0.95
        for line in ["ỦY BAN NHÂN DÂN XÃ AN PHÚ", "KẾ HOẠCH", "Chuyển đổi số năm 2026", "PHỤ LỤC"]:
            fig.text(0.06, y, line, fontsize=9)
            y -= 0.025
        cols = [0.06, 0.11, 0.45, 0.65, 0.83]
        rows = [
            ["STT", "Nội dung công việc", "Đơn vị thực hiện", "", "Thời gian"],
            ["", "", "Chủ trì", "Phối hợp", ""],
            ["1", "Nâng cấp mạng nội bộ", "Văn phòng HĐND-UBND", "Phòng Kinh tế", "Quý II/2026"],
            ["2", "Số hóa hồ sơ địa chính", "Phòng Kinh tế", "TT PV HCC", "Tháng 9/2026"],
        ]
        for r in rows:
            for x, c in zip(cols, r, strict=True):
                if c:
                    fig.text(x, y, c, fontsize=8)
            y -= 0.02
        pdf.savefig(fig)
        plt.close(fig)
    plan = parse_plan(read_document(buf.getvalue(), "kh.pdf"))
    check(
        plan,
        [
            ("1", [VP], "quarter", "2026-06-30", [KT]),
            ("2", [KT], "month", "2026-09-30", [HCC]),
        ],
    )


def test_heading_deadline_for_bullets_and_unit_letters_in_implementation() -> None:
    """ "1. Tuyên truyền …, hoàn thành trong Quý II/2026" over undated bullets; "a) Phòng Kinh
    tế:" / "b) Công an xã:" over dated duties in the implementation section."""
    text = "\n".join(
        [
            "UBND XÃ TIÊN MINH",
            "KẾ HOẠCH",
            "Chuyển đổi số năm 2026",
            "II. NHIỆM VỤ",
            "1. Tuyên truyền về chuyển đổi số, hoàn thành trong Quý II/2026",
            "- Tuyên truyền trên loa truyền thanh (Trung tâm VH, TT và TT).",
            "- Phát tờ rơi tại các thôn (Phòng VH-XH).",
            "III. TỔ CHỨC THỰC HIỆN",
            "1. Trách nhiệm của các cơ quan",
            "a) Phòng Kinh tế:",
            "- Chủ trì rà soát quy hoạch, hoàn thành trước ngày 30/6/2026.",
            "- Tổng hợp, báo cáo kết quả trước ngày 10/12/2026.",
            "b) Công an xã:",
            "- Bảo đảm an ninh trật tự trong tháng 5/2026.",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [
            ("II.1.1", [TTVH], "quarter", "2026-06-30"),
            ("II.1.2", [VH], "quarter", "2026-06-30"),
            ("III.1.a.1", [KT], "date", "2026-06-30"),
            ("III.1.a.2", [KT], "date", "2026-12-10"),
            ("III.1.b", [CA], "month", "2026-05-31"),
        ],
    )


# ------------------------------------------------------------------ second round
# Ten more layouts written after the first round, in styles the first round did not cover:
# a Hồ Chí Minh City ward, a decision with the plan attached, a work programme with month
# columns, an official letter assigning tasks in numbered paragraphs, start/end/product
# columns, tasks split over Phụ lục I and II, people in the lead column, group rows with empty
# cells, "1.1.1" numbering, OCR with page numbers and running headers.

MTTQ = "Ủy ban MTTQ Việt Nam"
TYT = "Trạm Y tế"

TAN_DINH = [
    ("II.1", [VH], "month", "2025-09-30", [MTTQ, "Các khu phố"]),
    ("II.2", [KTDT], "date", "2025-09-15", [CA]),
    ("II.3", [CA], "recurring", None, [KTDT, "Đội Trật tự đô thị phường"]),
    ("II.4", [VP], "date", "2025-12-10", []),
]


def test_hcm_ward_labelled_items_unknown_unit_kept() -> None:
    """'Phường Tân Định, ngày …', items with '- Đơn vị chủ trì: …' lines; a ward body the
    directory does not know (Đội Trật tự đô thị) is listed for mapping, not invented."""
    plan = parse_file("tan-dinh_kh215-hcm-phuong.txt")
    assert plan.number == "215/KH-UBND"
    assert plan.issuer == "UBND phường Tân Định"
    assert plan.issued_on == dtm.date(2025, 8, 12)
    assert plan.title.startswith("Thực hiện chỉnh trang đô thị")
    check(plan, TAN_DINH)
    assert plan.unknown_units == ["Đội Trật tự đô thị phường"]


HOA_BINH = [
    ("1", [TYT], "month", "2026-03-31", [VP]),
    ("2", [TTVH], "recurring", None, [TYT]),
    ("3", [TYT], "recurring", None, [VH]),
    ("4", [KT], "quarter", "2026-06-30", [VP]),
    ("5", [TYT], "date", "2026-12-15", ["Các cơ quan liên quan"]),
]


def test_decision_with_the_plan_attached() -> None:
    """QUYẾT ĐỊNH … Điều 1–3, then 'KẾ HOẠCH … (Ban hành kèm theo Quyết định số …)': the
    plan's own title and table; the decision's articles are not tasks."""
    plan = parse_file("hoa-binh_qd45-ban-hanh-kh.txt")
    assert plan.number == "45/QĐ-UBND"
    assert plan.title == "Phòng, chống dịch bệnh trên địa bàn xã năm 2026"
    check(plan, HOA_BINH)


HA_LONG = [
    ("1", [KT], "month", "2026-03-31", [VH]),
    ("2", [VP], "month", "2026-06-30", [KT]),
    ("3", [QS], "month", "2026-11-30", [CA]),
    ("4", [VP], "month", "2026-12-31", ["Các cơ quan chuyên môn"]),
    ("5", [VP], "recurring", None, []),
]


def test_work_programme_with_month_columns() -> None:
    """CHƯƠNG TRÌNH CÔNG TÁC with 'Tháng 1 … Tháng 12' columns marked x: the last month
    marked is the due; every month marked is monthly."""
    plan = parse_file("ha-long_ctct-2026-thang.txt")
    assert plan.number == "08/CTr-UBND"
    assert plan.title == "Chương trình công tác của Ủy ban nhân dân xã năm 2026"
    check(plan, HA_LONG)
    assert by_ref(plan)["3"].deadline_text == "Tháng 10, 11"


CONG_VAN = [
    ("1", [KT], "date", "2025-10-15", [CA]),
    ("2", [VP], "month", "2025-10-31", []),
    ("3", [MTTQ, "Các tổ chức chính trị - xã hội"], "none", None, []),
    ("4", ["Các thôn"], "recurring", None, []),
    ("5", [KT], "date", "2025-12-20", []),
]


def test_official_letter_numbered_paragraphs() -> None:
    """A Công văn 'V/v triển khai …' with '1. Giao …', '3. Đề nghị …', '4. Trưởng các
    thôn …'; the distribution list and the closing request are not tasks."""
    plan = parse_file("cong-van_312-trien-khai.txt")
    assert plan.number == "312/UBND-VP"
    assert plan.title == (
        "Triển khai thực hiện Chỉ thị số 05/CT-UBND về tăng cường công tác quản lý đất đai"
    )
    check(plan, CONG_VAN)
    tasks = by_ref(plan)
    assert tasks["2"].title == "Tham mưu Chủ tịch UBND xã thành lập Tổ kiểm tra liên ngành"
    assert tasks["3"].title.startswith("Tăng cường tuyên truyền")


def test_start_end_and_product_columns() -> None:
    """'Thời gian bắt đầu | Thời gian kết thúc | Kết quả/Sản phẩm đầu ra': the end is due,
    the product stays out of the title and the deadline."""
    plan = parse_file("phu-xuan_kh30-bat-dau-ket-thuc.txt")
    check(
        plan,
        [
            ("1", [CA], "date", "2026-06-30", [VH]),
            ("2", [CA], "month", "2026-09-30", ["Các thôn"]),
            ("3", [HCC], "quarter", "2026-06-30", [KT]),
            ("4", [HCC], "year", "2026-12-31", [VP]),
            ("5", [VP], "date", "2026-06-25", [CA]),
        ],
    )
    tasks = by_ref(plan)
    assert tasks["1"].deadline_text == "30/6/2026"
    assert "Dữ liệu được làm sạch" not in tasks["1"].title


MINH_DUC = [
    ("PL1.1", [VP], "quarter", "2026-06-30", [HCC]),
    ("PL1.2", [VP], "month", "2026-03-31", [VH]),
    ("PL1.3", [HCC], "quarter", "2026-09-30", [MTTQ]),
    ("PL2.1", [VP], "date", "2026-03-15", ["Các cơ quan chuyên môn"]),
    ("PL2.2", [VP], "date", "2026-06-15", ["Các cơ quan chuyên môn"]),
    ("PL2.3", [VP], "date", "2026-12-10", ["Các cơ quan chuyên môn"]),
]


def test_tasks_split_over_two_appendices() -> None:
    """Phụ lục I (tasks) and Phụ lục II (reports), each numbered from 1: the appendix is
    part of the ref, so refs stay unique and readable."""
    check(parse_file("minh-duc_kh18-phu-luc-i-ii.txt"), MINH_DUC)


SON_THUY = [
    ("1", [], "date", "2026-04-20", [VH]),
    ("2", [VP], "date", "2026-04-25", []),
    ("3", [CA], "date", "2026-05-02", [QS]),
    ("4", [TTVH], "month", "2026-05-31", ["Đoàn Thanh niên"]),
]


def test_people_in_the_lead_column() -> None:
    """'Đ/c Nguyễn Văn An – PCT UBND xã' in the 'Chủ trì' column is the leader in charge;
    'Chánh Văn phòng' and 'Giám đốc Trung tâm …' stand for their units; no person is
    made a unit."""
    plan = parse_file("son-thuy_kh22-nguoi-chu-tri.txt")
    check(plan, SON_THUY)
    assert by_ref(plan)["1"].leader == "Nguyễn Văn An – PCT UBND xã"
    assert plan.unknown_units == []


def test_group_rows_with_empty_cells() -> None:
    """Group rows 'I | Công tác tuyên truyền | | | |' (every other cell empty) group the
    tasks and are not tasks themselves."""
    plan = parse_file("dong-hai_kh40-nhom-trong-han.txt")
    check(
        plan,
        [
            ("I.1", [VH], "month", "2026-06-30", ["Đoàn Thanh niên"]),
            ("I.2", [TTVH], "recurring", None, ["Hội Liên hiệp Phụ nữ"]),
            ("II.1", [KT], "quarter", "2026-09-30", [CA]),
            ("II.2", [KT], "date", "2026-09-30", ["Các thôn"]),
            ("III.1", [KT], "date", "2026-12-05", [VP]),
        ],
    )
    assert by_ref(plan)["II.1"].section == "Quản lý chất thải"


def test_three_level_numbering() -> None:
    """'1.', '1.1.', '1.1.1.' items, each duty with 'Giao … chủ trì, phối hợp với …' and its
    deadline in the same sentence; the yearly report in the implementation section."""
    plan = parse_file("thuy-an_kh55-tieu-muc.txt")
    check(
        plan,
        [
            ("II.1.1.1", [KT], "quarter", "2026-09-30", ["Hội Nông dân"]),
            ("II.1.1.2", [KT], "date", "2026-10-30", []),
            ("II.1.2.1", [KT], "month", "2026-05-31", ["Các thôn"]),
            ("II.2.1", [KT], "year", "2026-12-31", [VH]),
            ("III", [KT], "date", "2026-12-15", []),
        ],
    )
    assert by_ref(plan)["II.1.1.2"].title == "Xây dựng 02 mô hình sản xuất rau an toàn."


def test_ocr_with_page_numbers_and_running_headers() -> None:
    """'Trang 2/3' and 'KE HOACH so 61/KH-UBND' between the rows of an OCR table, and a
    wrapped cell whose line keeps the empty STT cell ('| | va Truyen thong | |')."""
    plan = parse_file("an-hai_kh61-ocr-trang.txt")
    check(
        plan,
        [
            ("1", [VH], "month", "2026-06-30", ["Đoàn Thanh niên"]),
            ("2", [KT], "date", "2026-06-30"),
            ("3", [TTVH], "month", "2026-07-31", [VH]),
            ("4", [VH], "date", "2026-09-15", [VP]),
        ],
    )
    for t in plan.tasks:
        assert "Trang" not in t.title and "KE HOACH" not in t.title, t.ref
        assert "Truyen" not in t.title, t.ref
    assert by_ref(plan)["4"].title == "Bao cao ket qua cong tac phong chong duoi nuoc nam 2026"


# the same second-round plans as Word documents, tables as real tables


def _docx_from(name: str, header_first: str = "STT") -> ParsedPlan:
    """A .txt variant as a Word document: its lines as paragraphs, its tab table a table."""
    lines = (VAR / name).read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith(header_first + "\t"))
    end = at + 1
    while end < len(lines) and "\t" in lines[end]:
        end += 1
    document = docx.Document()
    _header(document, [ln.strip() for ln in lines[:at]])
    _table(document, lines[at].split("\t"), [ln.split("\t") for ln in lines[at + 1 : end]])
    _header(document, [ln.strip() for ln in lines[end:]])
    return _save(document)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hoa-binh_qd45-ban-hanh-kh.txt", HOA_BINH),
        ("ha-long_ctct-2026-thang.txt", HA_LONG),
        ("son-thuy_kh22-nguoi-chu-tri.txt", SON_THUY),
    ],
)
def test_docx_second_round_same_tasks(name: str, expected: list[tuple[Any, ...]]) -> None:
    check(_docx_from(name), expected)


def test_docx_two_appendices_and_group_rows_merged() -> None:
    document = docx.Document()
    _two_column_header(
        document,
        ["UBND XÃ MINH ĐỨC", "", "Số: 18/KH-UBND"],
        [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Minh Đức, ngày 20 tháng 1 năm 2026",
        ],
    )
    _header(
        document,
        [
            "KẾ HOẠCH",
            "Cải cách hành chính năm 2026",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "Nâng cao chỉ số hài lòng.",
            "PHỤ LỤC I",
            "NHIỆM VỤ TRỌNG TÂM",
        ],
    )
    head = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"]
    _table(
        document,
        head,
        [
            "I. Thủ tục hành chính",
            ["1", "Rà soát, đơn giản hóa thủ tục hành chính", VP, HCC, "Quý II/2026"],
            ["2", "Kiện toàn công chức bộ phận một cửa", VP, VH, "Tháng 3/2026"],
        ],
    )
    _header(document, ["PHỤ LỤC II", "DANH MỤC BÁO CÁO ĐỊNH KỲ"])
    _table(
        document,
        head,
        [
            "I. Báo cáo định kỳ",
            [
                "1",
                "Báo cáo cải cách hành chính quý I",
                VP,
                "Các cơ quan chuyên môn",
                "Trước ngày 15/3/2026",
            ],
            [
                "2",
                "Báo cáo cải cách hành chính năm 2026",
                VP,
                "Các cơ quan chuyên môn",
                "Trước ngày 10/12/2026",
            ],
        ],
    )
    plan = _save(document)
    check(
        plan,
        [
            ("PL1.I.1", [VP], "quarter", "2026-06-30", [HCC]),
            ("PL1.I.2", [VP], "month", "2026-03-31", [VH]),
            ("PL2.I.1", [VP], "date", "2026-03-15"),
            ("PL2.I.2", [VP], "date", "2026-12-10"),
        ],
    )


def test_docx_month_numbers_under_a_merged_header() -> None:
    """'Thời gian thực hiện (tháng)' merged over twelve columns numbered 1 … 12 in a second
    header row; STT/Nội dung/… merged down over both rows."""
    document = docx.Document()
    _header(
        document,
        ["UBND XÃ TÂN AN", "Số: 02/CTr-UBND", "Tân An, ngày 05 tháng 01 năm 2026"],
    )
    _header(document, ["CHƯƠNG TRÌNH", "Công tác trọng tâm năm 2026"])
    t = document.add_table(rows=2, cols=17)
    for i, h in enumerate(["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp"]):
        t.rows[0].cells[i].merge(t.rows[1].cells[i]).text = h
    t.rows[0].cells[4].merge(t.rows[0].cells[15]).text = "Thời gian thực hiện (tháng)"
    for k in range(12):
        t.rows[1].cells[4 + k].text = str(k + 1)
    t.rows[0].cells[16].merge(t.rows[1].cells[16]).text = "Ghi chú"
    rows: list[tuple[str, str, str, str, set[int]]] = [
        ("1", "Xây dựng kế hoạch phát triển kinh tế", KT, VP, {2}),
        ("2", "Tổ chức Hội nghị tổng kết năm", VP, "Các cơ quan chuyên môn", {12}),
        ("3", "Họp giao ban công tác tháng", VP, "", set(range(1, 13))),
    ]
    for stt, content, lead, coop, months in rows:
        cells = t.add_row().cells
        for i, v in enumerate((stt, content, lead, coop)):
            cells[i].text = v
        for k in months:
            cells[3 + k].text = "x"
    check(
        _save(document),
        [
            ("1", [KT], "month", "2026-02-28", [VP]),
            ("2", [VP], "month", "2026-12-31", ["Các cơ quan chuyên môn"]),
            ("3", [VP], "recurring", None, []),
        ],
    )


def test_quarter_columns() -> None:
    text = "\n".join(
        [
            "UBND XÃ TÂN AN",
            "Số: 03/CTr-UBND",
            "Tân An, ngày 05 tháng 01 năm 2026",
            "CHƯƠNG TRÌNH CÔNG TÁC NĂM 2026",
            "STT\tNội dung\tCơ quan chủ trì\tQuý I\tQuý II\tQuý III\tQuý IV",
            "1\tĐề án chuyển đổi số của xã\tPhòng Văn hóa – Xã hội\t\tx\t\t",
            "2\tBáo cáo tình hình kinh tế - xã hội\tVăn phòng HĐND và UBND\tx\tx\tx\tx",
            "3\tĐiều chỉnh quy hoạch sử dụng đất\tPhòng Kinh tế\t\t\tx\tx",
        ]
    )
    plan = parse_plan(text)
    assert plan.title == "Chương trình công tác năm 2026"
    check(
        plan,
        [
            ("1", [VH], "quarter", "2026-06-30"),
            ("2", [VP], "recurring", None),
            ("3", [KT], "quarter", "2026-12-31"),
        ],
    )
    assert by_ref(plan)["3"].deadline_text == "Quý III, IV"


def test_named_items_and_slash_letters() -> None:
    """'Nhiệm vụ 1: …' headings with labelled lines; 'a/ Phòng …: …' in the implementation
    section, each a unit's dated duty."""
    text = "\n".join(
        [
            "UBND XÃ BÌNH MINH",
            "Số: 70/KH-UBND",
            "Bình Minh, ngày 10 tháng 6 năm 2026",
            "KẾ HOẠCH",
            "Phát triển văn hóa đọc năm 2026",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "Phát triển phong trào đọc sách trong Nhân dân.",
            "II. NHIỆM VỤ CỤ THỂ",
            "Nhiệm vụ 1: Xây dựng tủ sách tại các thôn",
            "- Cơ quan chủ trì: Phòng Văn hóa – Xã hội.",
            "- Cơ quan phối hợp: Các thôn.",
            "- Thời gian hoàn thành: Quý III/2026.",
            "Nhiệm vụ 2: Tổ chức Ngày hội đọc sách",
            "- Cơ quan chủ trì: Trung tâm Văn hóa, Thể thao và Truyền thông.",
            "- Thời gian hoàn thành: Tháng 10/2026.",
            "III. TỔ CHỨC THỰC HIỆN",
            "a/ Phòng Văn hóa – Xã hội: tổng hợp, báo cáo kết quả về UBND xã trước ngày"
            " 15/12/2026.",
            "b/ Đoàn Thanh niên: vận động đoàn viên tham gia Ngày hội đọc sách trong tháng"
            " 10/2026.",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [
            ("II.1", [VH], "quarter", "2026-09-30", ["Các thôn"]),
            ("II.2", [TTVH], "month", "2026-10-31", []),
            ("III.a", [VH], "date", "2026-12-15"),
            ("III.b", ["Đoàn Thanh niên"], "month", "2026-10-31"),
        ],
    )
    assert by_ref(plan)["III.a"].title == "Tổng hợp, báo cáo kết quả về UBND xã"


def test_lettered_rows_and_a_lead_slash_cooperate_column() -> None:
    """'Cơ quan chủ trì/phối hợp' holding 'A/B'; rows 'a', 'b' under row '1' (which has no
    unit or deadline of its own)."""
    text = "\n".join(
        [
            "UBND XÃ BÌNH MINH",
            "Số: 71/KH-UBND",
            "Bình Minh, ngày 10 tháng 6 năm 2026",
            "KẾ HOẠCH",
            "Bảo đảm an toàn thực phẩm năm 2026",
            "PHỤ LỤC",
            "STT\tNội dung\tCơ quan chủ trì/phối hợp\tThời gian",
            "1\tKiểm tra an toàn thực phẩm\t\t",
            f"a\tKiểm tra các bếp ăn tập thể\t{TYT}/{VH}\tQuý III/2026",
            f"b\tKiểm tra cơ sở kinh doanh thực phẩm dịp Tết\t{KT}/{CA}\tTháng 1/2026",
            f"2\tTuyên truyền an toàn thực phẩm\t{TTVH}\tThường xuyên",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [
            ("1.a", [TYT], "quarter", "2026-09-30", [VH]),
            ("1.b", [KT], "month", "2026-01-31", [CA]),
            ("2", [TTVH], "recurring", None, []),
        ],
    )
    assert by_ref(plan)["1.a"].section == "Kiểm tra an toàn thực phẩm"
    assert plan.unknown_units == []


def test_markdown_bold_group_rows_ward() -> None:
    text = "\n".join(
        [
            "UBND PHƯỜNG AN PHÚ",
            "Số: 88/KH-UBND",
            "An Phú, ngày 02 tháng 3 năm 2026",
            "KẾ HOẠCH",
            "Phòng cháy, chữa cháy năm 2026",
            "PHỤ LỤC NHIỆM VỤ",
            "| STT | Nội dung | Chủ trì | Phối hợp | Thời hạn |",
            "|---|---|---|---|---|",
            "| **I** | **Tuyên truyền** | | | |",
            "| 1 | Tuyên truyền kiến thức PCCC tại các khu phố | Công an phường | Các khu phố"
            " | Quý II/2026 |",
            "| **II** | **Kiểm tra** | | | |",
            "| 1 | Kiểm tra an toàn PCCC tại các chợ | Công an phường | Phòng Kinh tế, Hạ tầng"
            " và Đô thị | Tháng 9/2026 |",
            "| 2 | Báo cáo kết quả công tác PCCC | Công an phường | | Trước ngày 10/12/2026 |",
        ]
    )
    check(
        parse_plan(text),
        [
            ("I.1", [CA], "quarter", "2026-06-30", ["Các khu phố"]),
            ("II.1", [CA], "month", "2026-09-30", [KTDT]),
            ("II.2", [CA], "date", "2026-12-10", []),
        ],
    )


def test_meeting_conclusion_notice() -> None:
    """THÔNG BÁO kết luận with numbered 'Giao …' paragraphs; 'UBND xã thông báo để … biết,
    thực hiện' is the closing line, not a task."""
    text = "\n".join(
        [
            "ỦY BAN NHÂN DÂN XÃ TÂN PHÚ",
            "Số: 95/TB-UBND",
            "Tân Phú, ngày 14 tháng 7 năm 2026",
            "THÔNG BÁO",
            "Kết luận của Chủ tịch UBND xã tại cuộc họp giao ban tháng 7 năm 2026",
            "Ngày 12/7/2026, đồng chí Chủ tịch UBND xã chủ trì cuộc họp giao ban. Sau khi nghe"
            " báo cáo, Chủ tịch UBND xã kết luận như sau:",
            "1. Giao Phòng Kinh tế khẩn trương hoàn thành hồ sơ giải phóng mặt bằng tuyến đường"
            " liên thôn, báo cáo UBND xã trước ngày 31/7/2026.",
            "2. Giao Trung tâm Phục vụ hành chính công giải quyết dứt điểm hồ sơ trễ hạn trong"
            " tháng 7/2026.",
            "3. Công an xã tăng cường tuần tra, kiểm soát bảo đảm an ninh trật tự dịp cao điểm hè.",
            "4. Văn phòng HĐND và UBND theo dõi, đôn đốc việc thực hiện các nội dung kết luận.",
            "Ủy ban nhân dân xã thông báo để các cơ quan, đơn vị biết, thực hiện./.",
            "Nơi nhận:",
            "- Như trên;",
            "- Lưu: VT.",
        ]
    )
    plan = parse_plan(text)
    assert plan.number == "95/TB-UBND"
    assert plan.title.startswith("Kết luận của Chủ tịch UBND xã")
    check(
        plan,
        [
            ("1", [KT], "date", "2026-07-31"),
            ("2", [HCC], "month", "2026-07-31"),
            ("3", [CA], "none", None),
            ("4", [VP], "none", None),
        ],
    )


def test_roles_in_parentheses_with_giao_and_inline_labels() -> None:
    text = "\n".join(
        [
            "UBND XÃ HÒA AN",
            "Số: 33/KH-UBND",
            "Hòa An, ngày 02 tháng 4 năm 2026",
            "KẾ HOẠCH",
            "Phát triển thể dục thể thao năm 2026",
            "I. MỤC ĐÍCH",
            "Phong trào thể dục thể thao phát triển sâu rộng.",
            "II. NHIỆM VỤ",
            "1. Tổ chức Đại hội Thể dục thể thao xã lần thứ IV (Giao: Trung tâm Văn hóa, Thể"
            " thao và Truyền thông; thời gian: Quý III/2026).",
            "2. Duy tu, sửa chữa nhà văn hóa, sân thể thao các thôn (Giao: Phòng Kinh tế chủ"
            " trì, các thôn phối hợp; thời gian: trước ngày 30/8/2026).",
            "3. Tổ chức giải bóng đá thanh niên. Lãnh đạo phụ trách: Đ/c Phạm Văn Hải – Phó Chủ"
            " tịch UBND xã. Đơn vị thực hiện: Đoàn Thanh niên. Thời gian: Tháng 5/2026.",
        ]
    )
    plan = parse_plan(text)
    check(
        plan,
        [
            ("II.1", [TTVH], "quarter", "2026-09-30", []),
            ("II.2", [KT], "date", "2026-08-30", ["Các thôn"]),
            ("II.3", ["Đoàn Thanh niên"], "month", "2026-05-31", []),
        ],
    )
    t3 = by_ref(plan)["II.3"]
    assert t3.leader == "Phạm Văn Hải – Phó Chủ tịch UBND xã"
    assert t3.title == "Tổ chức giải bóng đá thanh niên"
    assert plan.unknown_units == []


def _no_marks(text: str) -> str:
    import unicodedata

    t = text.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFD", t).encode("ascii", "ignore").decode()


def test_official_letter_without_diacritics() -> None:
    plan = parse_plan(_no_marks((VAR / "cong-van_312-trien-khai.txt").read_text("utf-8")))
    got = [(t.ref, t.deadline_kind, due(t)) for t in plan.tasks]
    assert got == [(r[0], r[2], r[3]) for r in CONG_VAN]
    assert [t.lead[0] for t in plan.tasks if t.ref != "4"] == [KT, VP, MTTQ, KT]
    assert plan.title.startswith("Trien khai thuc hien Chi thi so 05/CT-UBND")


def test_group_row_deadline_for_its_undated_rows() -> None:
    text = "\n".join(
        [
            "UBND XÃ BÌNH MINH",
            "Số: 72/KH-UBND",
            "Bình Minh, ngày 10 tháng 6 năm 2026",
            "KẾ HOẠCH",
            "Công tác dân số năm 2026",
            "PHỤ LỤC",
            "STT\tNội dung\tChủ trì\tPhối hợp\tThời gian",
            "I.\tTuyên truyền\t\t\tNăm 2026",
            f"1.\tTuyên truyền trên loa truyền thanh\t{TTVH}\t{TYT}\t",
            f"2.\tNói chuyện chuyên đề tại các thôn\t{TYT}\tCác thôn\tQuý III/2026",
            "II.\tDịch vụ\t\t\t",
            f"1.\tKhám sàng lọc trước sinh\t{TYT}\t\tTháng 9/2026",
            f"2.\tTư vấn tiền hôn nhân\t{TYT}\tĐoàn Thanh niên\t",
        ]
    )
    check(
        parse_plan(text),
        [
            ("I.1", [TTVH], "year", "2026-12-31", [TYT]),
            ("I.2", [TYT], "quarter", "2026-09-30", ["Các thôn"]),
            ("II.1", [TYT], "month", "2026-09-30", []),
            ("II.2", [TYT], "none", None, ["Đoàn Thanh niên"]),
        ],
    )


def _docx_of_txt(name: str) -> ParsedPlan:
    """A .txt variant typed in Word: the first three lines a borderless two-column header,
    tab rows as tables, every other line a paragraph."""
    lines = (VAR / name).read_text(encoding="utf-8").splitlines()
    document = docx.Document()
    head = document.add_table(rows=3, cols=2)
    for i, line in enumerate(lines[:3]):
        parts = re.split(r"\s{2,}|\t", line.strip(), maxsplit=1)
        head.rows[i].cells[0].text = parts[0]
        head.rows[i].cells[1].text = parts[1] if len(parts) > 1 else ""
    i = 3
    while i < len(lines):
        if lines[i].count("\t") >= 2:
            rows = []
            while i < len(lines) and lines[i].count("\t") >= 2:
                rows.append(lines[i].split("\t"))
                i += 1
            t = document.add_table(rows=0, cols=len(rows[0]))
            for r in rows:
                cells = t.add_row().cells
                for k, v in enumerate(r[: len(cells)]):
                    cells[k].text = v
            continue
        document.add_paragraph(lines[i].strip())
        i += 1
    return _save(document)


@pytest.mark.parametrize(
    "name",
    [
        "tan-dinh_kh215-hcm-phuong.txt",
        "cong-van_312-trien-khai.txt",
        "thuy-an_kh55-tieu-muc.txt",
        "phu-xuan_kh30-bat-dau-ket-thuc.txt",
        "minh-duc_kh18-phu-luc-i-ii.txt",
        "dong-hai_kh40-nhom-trong-han.txt",
    ],
)
def test_docx_second_round_as_typed_in_word(name: str) -> None:
    want = parse_file(name)
    got = _docx_of_txt(name)
    assert [(t.ref, t.lead, t.cooperate, t.deadline_kind, t.due) for t in got.tasks] == [
        (t.ref, t.lead, t.cooperate, t.deadline_kind, t.due) for t in want.tasks
    ]
    assert (got.number, got.issuer, got.title) == (want.number, want.issuer, want.title)
    assert len(got.tasks) >= 4


def test_ocr_body_broken_over_pages() -> None:
    """OCR of a plan without an appendix: a sentence broken by '- 2 -' and 'Trang 2/3' with
    the running header; the deadline of item 1 is on the far side of the page break."""
    plan = parse_file("long-hung_kh48-ocr-body-pages.txt")
    assert plan.title == "Thuc hien cong tac giam ngheo ben vung nam 2026"
    check(
        plan,
        [
            ("II.1", [VH], "date", "2026-09-30"),
            ("II.2", [KT], "quarter", "2026-09-30", []),
            ("II.3", [VP], "date", "2026-12-15", []),
        ],
    )
    tasks = by_ref(plan)
    assert tasks["II.1"].title == "Ra soat ho ngheo, ho can ngheo"
    assert tasks["II.2"].title == "Ho tro sinh ke cho ho ngheo"


def test_work_programme_grouped_by_month() -> None:
    """'I | THÁNG 01/2026' group rows and no deadline column: the month is each row's due."""
    text = "\n".join(
        [
            "UBND XÃ PHONG PHÚ",
            "Số: 05/CTr-UBND",
            "Phong Phú, ngày 05 tháng 01 năm 2026",
            "CHƯƠNG TRÌNH CÔNG TÁC QUÝ I NĂM 2026",
            "STT\tNội dung\tCơ quan chủ trì\tCơ quan phối hợp\tGhi chú",
            "I\tTHÁNG 01/2026\t\t\t",
            f"1\tTổng kết công tác năm 2025\t{VP}\tCác cơ quan chuyên môn\t",
            f"2\tTổ chức Tết cho người có công\t{VH}\t{MTTQ}\t",
            "II\tTHÁNG 02/2026\t\t\t",
            f"1\tPhát động Tết trồng cây\t{KT}\tĐoàn Thanh niên\t",
            "III\tTHÁNG 3/2026\t\t\t",
            f"1\tGiao quân năm 2026\t{QS}\t{CA}\t",
        ]
    )
    plan = parse_plan(text)
    assert plan.title == "Chương trình công tác quý I năm 2026"
    check(
        plan,
        [
            ("I.1", [VP], "month", "2026-01-31"),
            ("I.2", [VH], "month", "2026-01-31"),
            ("II.1", [KT], "month", "2026-02-28"),
            ("III.1", [QS], "month", "2026-03-31", [CA]),
        ],
    )
    assert by_ref(plan)["I.1"].deadline_text == "Tháng 01/2026"


def test_one_unit_column_other_role_wordings() -> None:
    """'Đơn vị thực hiện' cells: 'A (chủ trì), B', 'A chủ trì, phối hợp với B và các C'."""
    text = "\n".join(
        [
            "UBND PHƯỜNG TÂN ĐỊNH",
            "Số: 220/KH-UBND",
            "Tân Định, ngày 20 tháng 8 năm 2025",
            "KẾ HOẠCH",
            "Bảo đảm trật tự an toàn giao thông năm 2025",
            "PHỤ LỤC",
            "STT\tNội dung\tĐơn vị thực hiện\tThời gian hoàn thành",
            f"1\tRà soát điểm đen giao thông\t{KTDT} (chủ trì), Công an phường\tTháng 9/2025",
            "2\tXử lý xe lấn chiếm lòng đường\tCông an phường chủ trì, phối hợp với "
            f"{KTDT} và các khu phố\tThường xuyên",
        ]
    )
    check(
        parse_plan(text),
        [
            ("1", [KTDT], "month", "2025-09-30", [CA]),
            ("2", [CA], "recurring", None, [KTDT, "Các khu phố"]),
        ],
    )


def _ocr_piped(name: str) -> str:
    """A .txt variant as OCR gives it back: no diacritics, cells set off by ' | '."""
    text = (VAR / name).read_text(encoding="utf-8").replace("–", "-")
    return _no_marks("\n".join(ln.replace("\t", " | ") for ln in text.splitlines()))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("minh-duc_kh18-phu-luc-i-ii.txt", MINH_DUC),
        ("hoa-binh_qd45-ban-hanh-kh.txt", HOA_BINH),
        ("son-thuy_kh22-nguoi-chu-tri.txt", SON_THUY),
        ("ha-long_ctct-2026-thang.txt", HA_LONG),
        (
            "phu-xuan_kh30-bat-dau-ket-thuc.txt",
            [
                ("1", [CA], "date", "2026-06-30"),
                ("2", [CA], "month", "2026-09-30"),
                ("3", [HCC], "quarter", "2026-06-30"),
                ("4", [HCC], "year", "2026-12-31"),
                ("5", [VP], "date", "2026-06-25"),
            ],
        ),
    ],
)
def test_ocr_piped_second_round(name: str, expected: list[tuple[Any, ...]]) -> None:
    """The same plans OCR'd: two appendices in text, a table with no 'Phụ lục' heading above
    it, start/end/product columns, people in the lead column."""
    plan = parse_plan(_ocr_piped(name))
    assert [(t.ref, t.lead, t.deadline_kind, due(t)) for t in plan.tasks] == [
        (r[0], r[1], r[2], r[3]) for r in expected
    ]
    assert_no_invented_units(plan)
    for t in plan.tasks:
        assert not re.search(r"\b(?:III|TO CHUC)\b", t.title), t.ref


def _flattened(name: str) -> str:
    """A .txt variant copied out of a PDF: no diacritics, one table cell a line."""
    text = (VAR / name).read_text(encoding="utf-8").replace("–", "-")
    return _no_marks(
        "\n".join(
            cell
            for ln in text.splitlines()
            for cell in (ln.split("\t") if ln.count("\t") >= 2 else [ln])
        )
    )


@pytest.mark.parametrize(
    "name",
    [
        "hoa-binh_qd45-ban-hanh-kh.txt",
        "son-thuy_kh22-nguoi-chu-tri.txt",
        "phu-xuan_kh30-bat-dau-ket-thuc.txt",
        "hong-phong_kh118-pctt-2026.txt",
        "dong-hai_kh40-nhom-trong-han.txt",
        "minh-duc_kh18-phu-luc-i-ii.txt",
    ],
)
def test_flattened_without_diacritics_same_as_clean(name: str) -> None:
    """One cell a line and no marks: no 'Phụ lục' heading needed, start/end dates, a person
    in the lead column, 'Khi co yeu cau' ending a unit cell."""
    want = parse_file(name)
    got = parse_plan(_flattened(name))
    assert [(t.ref, t.lead, t.deadline_kind, t.due) for t in got.tasks] == [
        (t.ref, t.lead, t.deadline_kind, t.due) for t in want.tasks
    ]
    assert [t.leader is None for t in got.tasks] == [t.leader is None for t in want.tasks]
    assert_no_invented_units(got)


def test_unit_heads_as_subjects() -> None:
    """'Trưởng phòng Kinh tế', 'Chánh Văn phòng …', 'Giám đốc Trung tâm …', 'Trưởng Công an
    xã' stand for their units; a symbol 'TTr-UBND' keeps its small r."""
    text = "\n".join(
        [
            "UBND XÃ AN BÌNH",
            "Số: 12/TTr-UBND",
            "An Bình, ngày 03 tháng 3 năm 2026",
            "KẾ HOẠCH",
            "Thực hiện công tác chuyển đổi số năm 2026",
            "II. NHIỆM VỤ",
            "1. Trưởng phòng Kinh tế chủ trì rà soát hạ tầng số, hoàn thành trước ngày 30/6/2026.",
            "2. Chánh Văn phòng HĐND và UBND tham mưu ban hành quy chế, trong tháng 4/2026.",
            "3. Giám đốc Trung tâm Phục vụ hành chính công bố trí máy tra cứu, Quý II/2026.",
            "4. Trưởng Công an xã chỉ đạo làm sạch dữ liệu dân cư, thường xuyên.",
        ]
    )
    plan = parse_plan(text)
    assert plan.number == "12/TTr-UBND"
    check(
        plan,
        [
            ("II.1", [KT], "date", "2026-06-30"),
            ("II.2", [VP], "month", "2026-04-30"),
            ("II.3", [HCC], "quarter", "2026-06-30"),
            ("II.4", [CA], "recurring", None),
        ],
    )
