"""Readers: encodings, docx merged cells, type detection, bad input."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plans import PlanReadError, parse_plan, read_document

SAMPLE = "KẾ HOẠCH\nII. NỘI DUNG\n1. Về thể chế\n- Phòng Kinh tế rà soát văn bản trước ngày 10/12/2025.\n"


def test_txt_utf8_and_bom() -> None:
    assert read_document(SAMPLE.encode(), "a.txt").lines[0] == "KẾ HOẠCH"
    assert read_document(b"\xef\xbb\xbf" + SAMPLE.encode(), "a.txt").lines[0] == "KẾ HOẠCH"


def test_txt_utf16() -> None:
    for enc in ("utf-16", "utf-16-be"):
        data = SAMPLE.encode(enc)
        if enc == "utf-16-be":
            data = b"\xfe\xff" + data
        assert read_document(data, "a.txt").lines[0] == "KẾ HOẠCH"


def test_txt_cp1258() -> None:
    # cp1258 writes "ư" precomposed (0xFD) and the tone as a combining mark (0xCC)
    data = b"Th\xfd\xf5\xccng xuy\xean r\xe0 so\xe1t"
    assert read_document(data, "a.txt").lines[0] == "Thường xuyên rà soát"


def test_txt_latin1_fallback() -> None:
    # bytes valid in neither UTF-8 nor cp1258 still come back as text
    doc = read_document(b"Ke hoach \xec\xf0 2025\n", "a.txt")
    assert doc.lines[0].startswith("Ke hoach")


def test_docx_merged_cells_and_order() -> None:
    d = docx.Document()
    d.add_paragraph("Trước bảng")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).text = "STT"
    top = t.cell(0, 1).merge(t.cell(0, 2))
    top.text = "Cơ quan thực hiện"
    v = t.cell(1, 2).merge(t.cell(2, 2))
    v.text = "Tháng 9/2025"
    d.add_paragraph("Sau bảng")
    buf = io.BytesIO()
    d.save(buf)
    doc = read_document(buf.getvalue(), "x.docx")
    assert doc.lines[0] == "Trước bảng" and doc.lines[-1] == "Sau bảng"
    rows = [b.cells for b in doc.blocks if b.cells is not None]
    assert rows[0] == ["STT", "Cơ quan thực hiện", ""]  # no duplicated text
    assert rows[1][2] == rows[2][2] == "Tháng 9/2025"  # vertical merge shared


def test_detect_by_content_not_extension() -> None:
    doc = read_document(SAMPLE.encode(), "plan.docx")  # a text file with a wrong name
    assert doc.kind == "txt"
    with pytest.raises(PlanReadError) as e:
        read_document(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "ke-hoach.docx")
    assert e.value.code == "unsupported"
    assert "không được hỗ trợ" in e.value.message_vi


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(PlanReadError) as e:
        read_document(p)
    assert e.value.code == "empty" and "rỗng" in e.value.message_vi
    with pytest.raises(PlanReadError):
        read_document(b"   \n\r\n", "x.txt")


def test_too_large(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_bytes(b"a" * 2048)
    with pytest.raises(PlanReadError) as e:
        read_document(p, max_bytes=1024)
    assert e.value.code == "too_large" and "quá lớn" in e.value.message_vi
    with pytest.raises(PlanReadError):
        read_document(b"a" * 2048, "x.txt", max_bytes=1024)


def test_zip_bomb() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * (250 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(PlanReadError) as e:
        read_document(data, "bomb.docx")
    assert e.value.code == "zip_bomb"


def test_unsupported_zip_and_ole() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(PlanReadError) as e:
        read_document(buf.getvalue(), "x.docx")
    assert e.value.code == "unsupported"
    with pytest.raises(PlanReadError) as e:
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "x.doc")
    assert e.value.code == "unsupported" and ".docx" in e.value.message_vi


def test_corrupt_docx() -> None:
    with pytest.raises(PlanReadError) as e:
        read_document(b"PK\x03\x04garbage" * 10, "x.docx")
    assert e.value.code == "corrupt"


def test_scanned_pdf() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(3, 3))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(np.arange(100).reshape(10, 10))
    ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    with pytest.raises(PlanReadError) as e:
        read_document(buf.getvalue(), "scan.pdf")
    assert e.value.code == "scanned" and "OCR" in e.value.message_vi


def test_no_tasks_document() -> None:
    plan = parse_plan(
        read_document("Giấy mời họp\nThời gian: 8 giờ sáng thứ Hai.".encode(), "x.txt")
    )
    assert plan.tasks == [] and plan.warnings


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.docx", "a.pdf", "a.xlsx", "a"]))
def test_readers_never_raise_other_errors(data: bytes, name: str) -> None:
    try:
        doc = read_document(data, name)
    except PlanReadError as e:
        assert e.code and e.message_vi
        return
    parse_plan(doc)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=400))
def test_mangled_zip_never_raises_other_errors(tail: bytes) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", b"<w:document>" + tail)
    with contextlib.suppress(PlanReadError):
        read_document(buf.getvalue(), "a.docx")
