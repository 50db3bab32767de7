"""parse_reply on a corpus of answers as commune officers type them in Telegram/Zalo.

Each row is (text, status, percent, new_due). Rows marked as statements are also checked
through the variants officers produce for the same answer: without diacritics, in capitals,
wrapped in polite particles ("Dạ, … ạ", "Em báo cáo: …", "Kính gửi anh, …") and with an emoji.
Fixed clock: Wednesday 3 December 2025, 10:00 in Hanoi.

Decisions the corpus pins down (ARCHITECTURE §6 says "never guess"):
- a question back ("xong chưa?") is ``unknown``; a question clause after a statement does not
  cancel the statement ("xong rồi ạ, anh xem giúp em nhé?");
- waiting on someone else (Sở, cấp trên, ý kiến, phê duyệt, kinh phí, trả lời) is ``blocked``;
- "sắp xong", "gần xong", "xong một phần", "chưa xong", future promises are ``in_progress``;
- "hơn nửa"/"một nửa" is 50 (lower bound), "2/3" is 67; a range "60-70%" keeps its lower bound;
- bare acknowledgements ("ok", "vâng", "đã nhận", "👍", "✅") are ``unknown``.
"""

from __future__ import annotations

import datetime as dtm
from zoneinfo import ZoneInfo

import pytest

from plans.replies import parse_reply
from plans.text import strip_diacritics

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dtm.datetime(2025, 12, 3, 10, 0, tzinfo=VN)  # a Wednesday
TODAY = NOW.date()

D = dtm.date

# (text, status, percent, new_due)
DONE = [
    ("đã hoàn thành", "done", 100, None),
    ("Đã hoàn thành", "done", 100, None),
    ("xong rồi ạ", "done", 100, None),
    ("xong rồi", "done", 100, None),
    ("da xong", "done", 100, None),
    ("ok xong", "done", 100, None),
    ("Ok xong r", "done", 100, None),
    ("oke em xong rồi", "done", 100, None),
    ("xong r", "done", 100, None),
    ("xong rùi", "done", 100, None),
    ("xong roài", "done", 100, None),
    ("xg r", "done", 100, None),
    ("xong nhé", "done", 100, None),
    ("xong nha anh", "done", 100, None),
    ("đã gửi báo cáo", "done", 100, None),
    ("đã gửi bc", "done", 100, None),
    ("da gui bc r", "done", 100, None),
    ("đã nộp", "done", 100, None),
    ("đã nộp báo cáo về phòng", "done", 100, None),
    ("hoàn thành 100%", "done", 100, None),
    ("đạt 100% kế hoạch", "done", 100, None),
    ("đã ht", "done", 100, None),
    ("ht rồi", "done", 100, None),
    ("đã bc", "done", 100, None),
    ("em đã hoàn thành nhiệm vụ được giao", "done", 100, None),
    ("nhiệm vụ đã hoàn thành", "done", 100, None),
    ("đã thực hiện xong", "done", 100, None),
    ("đã triển khai xong", "done", 100, None),
    ("đã tổ chức xong hội nghị", "done", 100, None),
    ("đã gửi qua email cho phòng", "done", 100, None),
    ("đã gửi file qua zalo", "done", 100, None),
    ("đã cập nhật lên phần mềm", "done", 100, None),
    ("đã nhập xong dữ liệu lên hệ thống", "done", 100, None),
    ("đã trình ký", "done", 100, None),
    ("đã ban hành kế hoạch", "done", 100, None),
    ("đã hoàn thiện hồ sơ", "done", 100, None),
    ("hoàn tất", "done", 100, None),
    ("xong hết rồi", "done", 100, None),
    ("làm xong rồi anh ạ", "done", 100, None),
    ("xong từ hôm qua rồi", "done", 100, None),
    ("đã xong, không vướng gì", "done", 100, None),
    ("đã xong từ 28/11", "done", 100, None),
    ("xong 100% rồi", "done", 100, None),
    ("100 %", "done", 100, None),
    ("HOÀN THÀNH", "done", 100, None),
    ("hoàn thành rồi nhé", "done", 100, None),
    ("hoan thanh roi", "done", 100, None),
    ("Done", "done", 100, None),
    ("xong ✅", "done", 100, None),
    ("đã xong 👍", "done", 100, None),
    ("xong rồi, anh kiểm tra giúp em nhé?", "done", 100, None),
    ("Dạ em xong rồi ạ, em gửi file anh xem có cần sửa gì không ạ?", "done", 100, None),
    # telex typed without the input method
    ("ddax xong", "done", 100, None),
    ("xong rooif", "done", 100, None),
    ("ddax hoanf thanhf", "done", 100, None),
    ("hoanf thanhf roi", "done", 100, None),
    ("ddax guwir baos caos", "done", 100, None),
    # typos
    ("đã hoàn thàn", "done", 100, None),
    ("hòan thành", "done", 100, None),
    ("da song roi", "done", 100, None),
    ("xog r a", "done", 100, None),
]

IN_PROGRESS = [
    ("đang làm", "in_progress", None, None),
    ("đg làm", "in_progress", None, None),
    ("dg lam a", "in_progress", None, None),
    ("đang làm ạ", "in_progress", None, None),
    ("đang thực hiện", "in_progress", None, None),
    ("đang tiến hành", "in_progress", None, None),
    ("đang xử lý", "in_progress", None, None),
    ("đang tổng hợp số liệu", "in_progress", None, None),
    ("đang hoàn thiện dự thảo", "in_progress", None, None),
    ("đang triển khai", "in_progress", None, None),
    ("đã triển khai thực hiện", "in_progress", None, None),
    ("đang soạn kế hoạch", "in_progress", None, None),
    ("em đang làm, chiều gửi anh", "in_progress", None, None),
    ("vẫn đang làm", "in_progress", None, None),
    ("sắp xong", "in_progress", None, None),
    ("sap xong roi", "in_progress", None, None),
    ("gần xong", "in_progress", None, None),
    ("gần xong 90%", "in_progress", 90, None),
    ("gan xong 90 %", "in_progress", 90, None),
    ("chưa xong", "in_progress", None, None),
    ("chua xong dau", "in_progress", None, None),
    ("chưa xong đâu anh", "in_progress", None, None),
    ("vẫn chưa xong", "in_progress", None, None),
    ("chx xong", "in_progress", None, None),
    ("chưa hoàn thành", "in_progress", None, None),
    ("chưa làm xong", "in_progress", None, None),
    ("chưa thực hiện xong", "in_progress", None, None),
    ("chưa gửi báo cáo", "in_progress", None, None),
    ("chưa nộp", "in_progress", None, None),
    ("chưa đạt 100%", "in_progress", None, None),
    ("gần 100% rồi", "in_progress", None, None),
    ("xong một phần", "in_progress", None, None),
    ("mới xong một phần", "in_progress", None, None),
    ("xong 4/5 thôn", "in_progress", 80, None),
    ("đã thu được 120/200 hộ", "in_progress", 60, None),
    ("xong phần lớn rồi", "in_progress", None, None),
    ("còn một ít nữa là xong", "in_progress", None, None),
    ("làm xong em báo anh", "in_progress", None, None),
    ("xong thì em gửi", "in_progress", None, None),
    ("khi xong em sẽ báo cáo", "in_progress", None, None),
    ("dự kiến hoàn thành ngày 15/12", "in_progress", None, None),
    ("phấn đấu hoàn thành trong tuần", "in_progress", None, None),
    ("sẽ hoàn thành trước 20/12", "in_progress", None, None),
    ("em sẽ gửi trong chiều nay", "in_progress", None, None),
    ("mai em gửi ạ", "in_progress", None, None),
    ("sợ không kịp hoàn thành", "in_progress", None, None),
    ("tiếp tục thực hiện", "in_progress", None, None),
    ("vẫn đang tiếp tục", "in_progress", None, None),
    ("chưa ạ, đang làm", "in_progress", None, None),
    ("đang làm, không vướng gì", "in_progress", None, None),
    # percentages
    ("60%", "in_progress", 60, None),
    ("60 %", "in_progress", 60, None),
    ("được 60%", "in_progress", 60, None),
    ("dc 60%", "in_progress", 60, None),
    ("đc 60% rồi", "in_progress", 60, None),
    ("làm dc 60%", "in_progress", 60, None),
    ("được 60 phần trăm", "in_progress", 60, None),
    ("duoc 60 phan tram", "in_progress", 60, None),
    ("60 ptram", "in_progress", 60, None),
    ("khoảng 70%", "in_progress", 70, None),
    ("tầm 50%", "in_progress", 50, None),
    ("~60%", "in_progress", 60, None),
    ("mới được 30%", "in_progress", 30, None),
    ("mới đc 30% thôi", "in_progress", 30, None),
    ("đạt 80% kế hoạch", "in_progress", 80, None),
    ("hoàn thành 80%", "in_progress", 80, None),
    ("đã hoàn thành 80% khối lượng", "in_progress", 80, None),
    ("xong 90%", "in_progress", 90, None),
    ("tiến độ 45%", "in_progress", 45, None),
    ("tiến độ: 45 %", "in_progress", 45, None),
    ("đang làm 60%", "in_progress", 60, None),
    ("dang lam 60%", "in_progress", 60, None),
    ("ĐANG LÀM 60%", "in_progress", 60, None),
    ("đang làm được 60%, dự kiến xong 20/12", "in_progress", 60, None),
    ("khoảng 60-70%", "in_progress", 60, None),
    ("tầm 60 - 70 %", "in_progress", 60, None),
    ("được 75,5%", "in_progress", 76, None),
    ("chưa được 50%", "in_progress", 50, None),
    ("sáu mươi phần trăm", "in_progress", 60, None),
    ("được tám mươi lăm phần trăm", "in_progress", 85, None),
    ("khoảng 2/3", "in_progress", 67, None),
    ("được 2/3 khối lượng", "in_progress", 67, None),
    ("hoàn thành 1/2", "in_progress", 50, None),
    ("được 3/4 rồi", "in_progress", 75, None),
    ("hơn nửa", "in_progress", 50, None),
    ("được hơn nửa rồi", "in_progress", 50, None),
    ("quá nửa", "in_progress", 50, None),
    ("được một nửa", "in_progress", 50, None),
    ("xong một nửa", "in_progress", 50, None),
    ("làm được nửa rồi", "in_progress", 50, None),
    ("được 1 nửa", "in_progress", 50, None),
    ("60%.", "in_progress", 60, None),
    # telex
    ("ddang lamf", "in_progress", None, None),
    ("ddang lamf 60%", "in_progress", 60, None),
    ("chuwa xong", "in_progress", None, None),
]

NOT_STARTED = [
    ("chưa làm", "not_started", 0, None),
    ("chua lam", "not_started", 0, None),
    ("chưa làm gì", "not_started", 0, None),
    ("chưa làm gì cả", "not_started", 0, None),
    ("chưa triển khai", "not_started", 0, None),
    ("chua trien khai", "not_started", 0, None),
    ("chưa bắt đầu", "not_started", 0, None),
    ("chua bat dau", "not_started", 0, None),
    ("chưa thực hiện", "not_started", 0, None),
    ("chưa tiến hành", "not_started", 0, None),
    ("chưa động đến", "not_started", 0, None),
    ("chưa kịp làm", "not_started", 0, None),
    ("vẫn chưa làm", "not_started", 0, None),
    ("em chưa làm được", "not_started", 0, None),
    ("chưa bắt tay vào làm", "not_started", 0, None),
    ("chưa có gì", "not_started", 0, None),
    ("chx lam", "not_started", 0, None),
    ("0%", "not_started", 0, None),
    ("mới 0%", "not_started", 0, None),
    ("chưa làm vì bận họp", "not_started", 0, None),
    ("chuwa lamf", "not_started", 0, None),
]

BLOCKED = [
    ("vướng: chưa có hướng dẫn", "blocked", None, None),
    ("vuong: chua co huong dan", "blocked", None, None),
    ("vướng mắc về kinh phí", "blocked", None, None),
    ("đang vướng", "blocked", None, None),
    ("bị vướng ở khâu thẩm định", "blocked", None, None),
    ("gặp khó khăn về kinh phí", "blocked", None, None),
    ("gap kho khan ve kinh phi", "blocked", None, None),
    ("có khó khăn: thiếu người", "blocked", None, None),
    ("khó khăn do thiếu người", "blocked", None, None),
    ("bị kẹt vì chưa có hướng dẫn", "blocked", None, None),
    ("bi ket vi chua co huong dan", "blocked", None, None),
    ("đang chờ Sở trả lời", "blocked", None, None),
    ("dang cho so tra loi", "blocked", None, None),
    ("đang chờ ý kiến lãnh đạo", "blocked", None, None),
    ("đang chờ lãnh đạo duyệt", "blocked", None, None),
    ("chờ cấp trên hướng dẫn", "blocked", None, None),
    ("đang đợi hướng dẫn của huyện", "blocked", None, None),
    ("còn chờ phòng Tài chính cấp kinh phí", "blocked", None, None),
    ("chưa có kinh phí", "blocked", None, None),
    ("chưa được bố trí kinh phí", "blocked", None, None),
    ("chưa được cấp kinh phí", "blocked", None, None),
    ("chưa nhận được văn bản hướng dẫn", "blocked", None, None),
    ("chưa có văn bản hướng dẫn của tỉnh", "blocked", None, None),
    ("ko có hướng dẫn nên chưa làm được", "blocked", None, None),
    ("thiếu kinh phí", "blocked", None, None),
    ("thiếu người làm", "blocked", None, None),
    ("không thể thực hiện", "blocked", None, None),
    ("không làm được vì mất điện", "blocked", None, None),
    ("ko lam dc vi phan mem loi", "blocked", None, None),
    ("phần mềm bị lỗi, chưa nhập được", "blocked", None, None),
    ("hệ thống bị lỗi", "blocked", None, None),
    ("bị lỗi phần mềm", "blocked", None, None),
    ("đang làm 60%, vướng kinh phí", "blocked", 60, None),
    ("được 50% thì vướng kinh phí", "blocked", 50, None),
    ("chưa triển khai được vì chưa có kinh phí", "blocked", None, None),
    ("vướng mắc", "blocked", None, None),
    ("VƯỚNG", "blocked", None, None),
    ("gặp khó khăn", "blocked", None, None),
    ("vuowngs kinh phis", "blocked", None, None),
    ("đã xong phần 1, vướng phần 2 do thiếu kinh phí", "blocked", None, None),
]

EXTENSION = [
    ("xin gia hạn đến 20/12", "extension", None, D(2025, 12, 20)),
    ("xin gia han den 20/12", "extension", None, D(2025, 12, 20)),
    ("Xin gia hạn đến ngày 20/12/2025", "extension", None, D(2025, 12, 20)),
    ("xin lùi sang tuần sau", "extension", None, D(2025, 12, 12)),
    ("xin lui sang tuan sau", "extension", None, D(2025, 12, 12)),
    ("cho em thêm 3 ngày", "extension", None, D(2025, 12, 6)),
    ("cho em them 3 ngay", "extension", None, D(2025, 12, 6)),
    ("cho em xin thêm 3 ngày nữa", "extension", None, D(2025, 12, 6)),
    ("đề nghị gia hạn tới cuối tháng", "extension", None, D(2025, 12, 31)),
    ("de nghi gia han toi cuoi thang", "extension", None, D(2025, 12, 31)),
    ("gia han den 5/1/2026", "extension", None, D(2026, 1, 5)),
    ("gia hạn đến 05/01/2026", "extension", None, D(2026, 1, 5)),
    ("xin gia hạn thêm 1 tuần", "extension", None, D(2025, 12, 10)),
    ("xin gia hạn 1 tuần", "extension", None, D(2025, 12, 10)),
    ("xin thêm 1 tuần nữa", "extension", None, D(2025, 12, 10)),
    ("em cần thêm 2 ngày", "extension", None, D(2025, 12, 5)),
    ("xin phép lùi hạn đến thứ 6", "extension", None, D(2025, 12, 5)),
    ("em xin phép lùi hạn đến thứ sáu tuần sau", "extension", None, D(2025, 12, 12)),
    ("xin được gia hạn đến 25/12", "extension", None, D(2025, 12, 25)),
    ("xin dời hạn sang 30/12", "extension", None, D(2025, 12, 30)),
    ("xin hoãn đến tuần sau", "extension", None, D(2025, 12, 12)),
    ("kính đề nghị cho gia hạn đến ngày 31/12/2025", "extension", None, D(2025, 12, 31)),
    ("có thể gia hạn đến 20/12 không ạ?", "extension", None, D(2025, 12, 20)),
    ("anh cho em gia hạn đến 15/12 được không ạ", "extension", None, D(2025, 12, 15)),
    ("gia hạn giúp em đến 15/1", "extension", None, D(2026, 1, 15)),
    ("xin gia hạn đến hết tháng 12", "extension", None, D(2025, 12, 31)),
    ("xin gia hạn đến cuối năm", "extension", None, D(2025, 12, 31)),
    ("xin gia hạn đến ngày 20 tháng 12", "extension", None, D(2025, 12, 20)),
    ("xin gia han den ngay 20 thang 12 nam 2025", "extension", None, D(2025, 12, 20)),
    ("xin gia hạn sang tháng 1/2026", "extension", None, D(2026, 1, 31)),
    ("xin gia hạn đến 20/12 vì chờ hướng dẫn của Sở", "extension", None, D(2025, 12, 20)),
    ("xin gia hạn đến 20/12, lý do: thiếu số liệu", "extension", None, D(2025, 12, 20)),
    ("do chưa có kinh phí nên xin gia hạn đến 31/12", "extension", None, D(2025, 12, 31)),
    ("em xin gia hạn ạ", "extension", None, None),
    ("cho em xin thêm thời gian", "extension", None, None),
    ("xin gia hạn do chưa có kinh phí", "extension", None, None),
    ("đã được gia hạn đến 20/12", "extension", None, D(2025, 12, 20)),
    ("XIN GIA HẠN ĐẾN 20/12", "extension", None, D(2025, 12, 20)),
    ("xin gia hạn đến 20.12", "extension", None, D(2025, 12, 20)),
    ("xin gia hạn đến 20-12-2025", "extension", None, D(2025, 12, 20)),
    ("xin lùi 1 tuần", "extension", None, D(2025, 12, 10)),
    ("xin lùi thời hạn đến 10/12", "extension", None, D(2025, 12, 10)),
    ("xin lùi lại 2 ngày", "extension", None, D(2025, 12, 5)),
    ("xin gia hạn đến thứ 2 tuần sau", "extension", None, D(2025, 12, 8)),
    ("xin gia hạn đến t6", "extension", None, D(2025, 12, 5)),
    ("xin gia hanj ddeens 20/12", "extension", None, D(2025, 12, 20)),
    ("gia hạn thêm 5 ngày", "extension", None, D(2025, 12, 8)),
    ("em xin thêm 5 ngày để hoàn thiện", "extension", None, D(2025, 12, 8)),
]

UNKNOWN = [
    ("ok", "unknown", None, None),
    ("oke", "unknown", None, None),
    ("okie anh", "unknown", None, None),
    ("vâng", "unknown", None, None),
    ("vâng ạ", "unknown", None, None),
    ("dạ", "unknown", None, None),
    ("dạ vâng", "unknown", None, None),
    ("dạ em nhận", "unknown", None, None),
    ("em đã nhận được văn bản", "unknown", None, None),
    ("đã nhận", "unknown", None, None),
    ("đã xem", "unknown", None, None),
    ("em nắm rồi ạ", "unknown", None, None),
    ("👍", "unknown", None, None),
    ("✅", "unknown", None, None),
    ("cảm ơn anh", "unknown", None, None),
    ("thanks", "unknown", None, None),
    ("?", "unknown", None, None),
    ("??", "unknown", None, None),
    ("xong chưa?", "unknown", None, None),
    ("xong chua", "unknown", None, None),
    ("xong chưa anh", "unknown", None, None),
    ("anh ơi báo cáo tháng xong chưa ạ?", "unknown", None, None),
    ("đã nộp chưa", "unknown", None, None),
    ("hoàn thành chưa", "unknown", None, None),
    ("đã hoàn thành chưa ạ?", "unknown", None, None),
    ("việc này làm thế nào ạ?", "unknown", None, None),
    ("cái này ai làm vậy", "unknown", None, None),
    ("có phải nộp không?", "unknown", None, None),
    ("bao giờ hết hạn ạ?", "unknown", None, None),
    ("không vướng gì", "unknown", None, None),
    ("ko vuong j", "unknown", None, None),
    ("không có vướng mắc gì", "unknown", None, None),
    ("không gặp khó khăn", "unknown", None, None),
    ("chưa có vướng mắc gì", "unknown", None, None),
    ("chưa ạ", "unknown", None, None),
    ("dạ chưa", "unknown", None, None),
    ("để em xem", "unknown", None, None),
    ("để em kiểm tra lại", "unknown", None, None),
    ("chờ em chút", "unknown", None, None),
    ("anh chờ em xíu", "unknown", None, None),
    ("em đang họp, lát em trả lời", "unknown", None, None),
    ("150%", "unknown", None, None),
    ("alo", "unknown", None, None),
    ("Kính gửi anh", "unknown", None, None),
    ("em báo cáo anh", "unknown", None, None),
    ("nhiệm vụ này của phòng nào ạ", "unknown", None, None),
    ("sai người rồi, việc này không phải của em", "unknown", None, None),
    ("0912345678", "unknown", None, None),
    ("", "unknown", None, None),
]

STATEMENTS = DONE + IN_PROGRESS + NOT_STARTED + BLOCKED + EXTENSION
ALL = STATEMENTS + UNKNOWN


def parse(text: str):
    return parse_reply(text, ref_date=TODAY, now=NOW)


def _got(text: str) -> tuple[str, int | None, dtm.date | None]:
    r = parse(text)
    return r.status, r.percent, r.new_due


@pytest.mark.parametrize("text, status, percent, new_due", ALL)
def test_corpus(text: str, status: str, percent: int | None, new_due: dtm.date | None) -> None:
    assert _got(text) == (status, percent, new_due)


_WRAPS = [
    "Dạ, {} ạ",
    "Em báo cáo: {}",
    "Kính gửi anh, {}",
    "dạ anh ơi {} nhé",
    "{} 🙏",
]


@pytest.mark.parametrize("text, status, percent, new_due", STATEMENTS)
def test_corpus_variants(
    text: str, status: str, percent: int | None, new_due: dtm.date | None
) -> None:
    expected = (status, percent, new_due)
    variants = {strip_diacritics(text), text.upper(), text.lower()}
    variants |= {w.format(text) for w in _WRAPS}
    for v in sorted(variants):
        assert _got(v) == expected, v


@pytest.mark.parametrize("text, status, percent, new_due", UNKNOWN)
def test_unknown_without_diacritics(
    text: str, status: str, percent: int | None, new_due: dtm.date | None
) -> None:
    assert _got(strip_diacritics(text)) == (status, percent, new_due)


@pytest.mark.parametrize(
    "text, note",
    [
        ("vướng: chưa có hướng dẫn", "chưa có hướng dẫn"),
        ("vướng mắc về kinh phí", "kinh phí"),
        ("gặp khó khăn về kinh phí", "kinh phí"),
        ("bị kẹt vì chưa có hướng dẫn", "chưa có hướng dẫn"),
        ("đang chờ Sở trả lời", "chờ Sở trả lời"),
        ("dang cho so tra loi", "cho so tra loi"),
        ("chưa được bố trí kinh phí", "chưa được bố trí kinh phí"),
        ("có khó khăn: thiếu người", "thiếu người"),
        ("đang làm 60%, vướng kinh phí", "kinh phí"),
        ("không làm được vì mất điện", "không làm được vì mất điện"),
        ("Dạ, vướng: chưa có hướng dẫn ạ", "chưa có hướng dẫn"),
        ("vuowngs kinh phis", "kinh phis"),
    ],
)
def test_blocker_note(text: str, note: str) -> None:
    r = parse(text)
    assert (r.status, r.note) == ("blocked", note)


@pytest.mark.parametrize(
    "text, note",
    [
        ("xin gia hạn đến 20/12 vì chờ hướng dẫn của Sở", "chờ hướng dẫn của Sở"),
        ("xin gia hạn đến 20/12, lý do: thiếu số liệu", "thiếu số liệu"),
        ("xin gia hạn do chưa có kinh phí", "chưa có kinh phí"),
        ("do chưa có kinh phí nên xin gia hạn đến 31/12", "chưa có kinh phí"),
        ("chưa làm vì bận họp", "bận họp"),
    ],
)
def test_reason_note(text: str, note: str) -> None:
    assert parse(text).note == note
