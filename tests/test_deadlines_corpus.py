"""parse_deadline on a corpus of "Thời hạn" cells as commune and provincial plans write them.

Each row is (text, kind, due). Every row is also checked without diacritics, in capitals and
as a table cell with stray punctuation, since OCR and Word exports produce all three. The plan
year is 2025 throughout.

Decisions the corpus pins down (ARCHITECTURE §5):
- a range ("Từ tháng 10 đến tháng 12/2025") is due at its end;
- "tuần đầu tháng 01/2026" is the 7th, "tuần thứ hai" the 14th, "tuần thứ ba" the 21st,
  "đầu tháng" the 5th (as in chat), "giữa tháng" the 15th, "cuối tháng"/"tuần cuối" the last day;
  "thượng tuần"/"trung tuần"/"hạ tuần" the 10th/20th/last day;
- "N tháng đầu năm" is the end of month N, "6 tháng cuối năm" the year end;
- a date with a year wins over "hằng tháng"; a yearless date with "hằng năm" is recurring;
- OCR digits: "l"/"I" for 1 and "O" for 0 inside numbers are read as digits.
"""

from __future__ import annotations

import datetime as dtm
from zoneinfo import ZoneInfo

import pytest

from plans.deadlines import parse_deadline
from plans.text import strip_diacritics

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y: int, m: int, d: int, h: int = 17, mi: int = 0) -> str:
    return dtm.datetime(y, m, d, h, mi, tzinfo=VN).isoformat()


DATED = [
    # date
    ("Trước ngày 15/12/2025", "date", at(2025, 12, 15)),
    ("trước ngày 15/12/2025.", "date", at(2025, 12, 15)),
    ("Chậm nhất ngày 20 tháng 12 năm 2025", "date", at(2025, 12, 20)),
    ("Chậm nhất là ngày 20/12/2025", "date", at(2025, 12, 20)),
    ("Trước 30/12", "date", at(2025, 12, 30)),
    ("Trước ngày 10/12", "date", at(2025, 12, 10)),
    ("Ngày 10/12/2025", "date", at(2025, 12, 10)),
    ("10/12/2025", "date", at(2025, 12, 10)),
    ("10-12-2025", "date", at(2025, 12, 10)),
    ("10.12.2025", "date", at(2025, 12, 10)),
    ("10/12/25", "date", at(2025, 12, 10)),
    ("ngày 10 tháng 12", "date", at(2025, 12, 10)),
    ("ngày 10/12 năm 2025", "date", at(2025, 12, 10)),
    ("Ngày 10 tháng 12 năm 2025", "date", at(2025, 12, 10)),
    ("Hạn cuối: 10/12/2025", "date", at(2025, 12, 10)),
    ("Thời hạn: trước ngày 10/12/2025", "date", at(2025, 12, 10)),
    ("Đến hết ngày 31/12/2025", "date", at(2025, 12, 31)),
    ("Đến 31/12/2025", "date", at(2025, 12, 31)),
    ("Trước ngày 10/12/2025 (Thứ Tư)", "date", at(2025, 12, 10)),
    ("Thứ Tư, ngày 10/12/2025", "date", at(2025, 12, 10)),
    ("Trước ngày 10/12/2025 (báo cáo về UBND xã qua Văn phòng)", "date", at(2025, 12, 10)),
    ("Hoàn thành trước ngày 30/11/2025", "date", at(2025, 11, 30)),
    ("Từ ngày 01/12 đến hết ngày 31/12/2025", "date", at(2025, 12, 31)),
    ("01/10/2025 - 31/12/2025", "date", at(2025, 12, 31)),
    ("Từ 01/10 - 31/12/2025", "date", at(2025, 12, 31)),
    ("Năm 2025 (hoàn thành trước 15/12/2025)", "date", at(2025, 12, 15)),
    ("Trước ngày 10/12/2025 và thực hiện thường xuyên", "date", at(2025, 12, 10)),
    ("Thường xuyên; báo cáo trước 15/12/2025", "date", at(2025, 12, 15)),
    ("Hằng tháng, lần đầu trước 15/12/2025", "date", at(2025, 12, 15)),
    ("Tuần đầu tháng 01/2026", "date", at(2026, 1, 7)),
    ("tuần đầu của tháng 12/2025", "date", at(2025, 12, 7)),
    ("Tuần thứ hai tháng 12/2025", "date", at(2025, 12, 14)),
    ("Tuần thứ 3 tháng 12/2025", "date", at(2025, 12, 21)),
    ("Đầu tháng 01/2026", "date", at(2026, 1, 5)),
    ("Giữa tháng 12/2025", "date", at(2025, 12, 15)),
    ("Thượng tuần tháng 12/2025", "date", at(2025, 12, 10)),
    ("Trung tuần tháng 12/2025", "date", at(2025, 12, 20)),
    # datetime
    ("trước 17 giờ 00 ngày 05/12", "datetime", at(2025, 12, 5, 17)),
    ("Trước 17 giờ 00 ngày 05/12/2025", "datetime", at(2025, 12, 5, 17)),
    ("trước 17h00 ngày 05/12/2025", "datetime", at(2025, 12, 5, 17)),
    ("Trước 17h00' ngày 05/12/2025", "datetime", at(2025, 12, 5, 17)),
    ("trước 10 giờ ngày 05/12/2025", "datetime", at(2025, 12, 5, 10)),
    ("16 giờ 30 phút, ngày 05/12/2025", "datetime", at(2025, 12, 5, 16, 30)),
    ("16g30 ngày 05/12/2025", "datetime", at(2025, 12, 5, 16, 30)),
    ("16h30 ngày 5/12/2025", "datetime", at(2025, 12, 5, 16, 30)),
    ("8 giờ sáng ngày 05/12/2025", "datetime", at(2025, 12, 5, 8)),
    ("2 giờ chiều ngày 05/12/2025", "datetime", at(2025, 12, 5, 14)),
    ("ngày 05/12/2025, lúc 14 giờ", "datetime", at(2025, 12, 5, 14)),
    ("Chậm nhất 15h00 ngày 06/5/2026", "datetime", at(2026, 5, 6, 15)),
    ("trước 17 giờ 00 ngày 05 tháng 12 năm 2025", "datetime", at(2025, 12, 5, 17)),
    ("17h thứ Sáu, ngày 05/12/2025", "datetime", at(2025, 12, 5, 17)),
    # month
    ("Hoàn thành trong tháng 12/2025", "month", at(2025, 12, 31)),
    ("Trong tháng 12/2025", "month", at(2025, 12, 31)),
    ("Tháng 12/2025", "month", at(2025, 12, 31)),
    ("Tháng 12 /2025", "month", at(2025, 12, 31)),
    ("Tháng 12 năm 2025", "month", at(2025, 12, 31)),
    ("tháng 12-2025", "month", at(2025, 12, 31)),
    ("Tháng 12", "month", at(2025, 12, 31)),
    ("Trong tháng 12", "month", at(2025, 12, 31)),
    ("T12/2025", "month", at(2025, 12, 31)),
    ("Thg 12/2025", "month", at(2025, 12, 31)),
    ("12/2025", "month", at(2025, 12, 31)),
    ("Từ tháng 10 đến tháng 12/2025", "month", at(2025, 12, 31)),
    ("Tháng 10 đến tháng 12 năm 2025", "month", at(2025, 12, 31)),
    ("Tháng 11 - 12/2025", "month", at(2025, 12, 31)),
    ("Tháng 10, 11, 12/2025", "month", at(2025, 12, 31)),
    ("Cuối tháng 12/2025", "month", at(2025, 12, 31)),
    ("Tuần cuối tháng 12/2025", "month", at(2025, 12, 31)),
    ("Hạ tuần tháng 12/2025", "month", at(2025, 12, 31)),
    ("6 tháng đầu năm 2026", "month", at(2026, 6, 30)),
    ("Sáu tháng đầu năm 2026", "month", at(2026, 6, 30)),
    ("6 tháng cuối năm 2025", "month", at(2025, 12, 31)),
    ("9 tháng đầu năm 2026", "month", at(2026, 9, 30)),
    ("Đầu năm 2026", "month", at(2026, 1, 31)),
    ("Giữa năm 2026", "month", at(2026, 6, 30)),
    ("Tháng 12/2025 - Quý I/2026", "quarter", at(2026, 3, 31)),
    ("Trong tháng 02/2026", "month", at(2026, 2, 28)),
    # quarter
    ("Quý I năm 2026", "quarter", at(2026, 3, 31)),
    ("Quý I/2026", "quarter", at(2026, 3, 31)),
    ("Quý IV/2025", "quarter", at(2025, 12, 31)),
    ("Quý IV năm 2025", "quarter", at(2025, 12, 31)),
    ("quý 4 năm 2025", "quarter", at(2025, 12, 31)),
    ("Quý IV - 2025", "quarter", at(2025, 12, 31)),
    ("Quý II/2026", "quarter", at(2026, 6, 30)),
    ("Quý I, II/2026", "quarter", at(2026, 6, 30)),
    ("Quý I và Quý II năm 2026", "quarter", at(2026, 6, 30)),
    ("Trong Quý I/2026", "quarter", at(2026, 3, 31)),
    ("Hoàn thành trong quý I năm 2026", "quarter", at(2026, 3, 31)),
    ("Q4/2025", "quarter", at(2025, 12, 31)),
    ("Q1/2026", "quarter", at(2026, 3, 31)),
    ("Qúy IV/2025", "quarter", at(2025, 12, 31)),
    ("Quý IV", "quarter", at(2025, 12, 31)),
    # year
    ("Năm 2026", "year", at(2026, 12, 31)),
    ("Trong năm 2026", "year", at(2026, 12, 31)),
    ("Cả năm 2026", "year", at(2026, 12, 31)),
    ("Cuối năm 2025", "year", at(2025, 12, 31)),
    ("Đến hết năm 2025", "year", at(2025, 12, 31)),
    ("Đến năm 2030", "year", at(2030, 12, 31)),
    ("Trong năm 2025 và các năm tiếp theo", "year", at(2025, 12, 31)),
    ("Năm 2026 và những năm tiếp theo", "year", at(2026, 12, 31)),
    ("Giai đoạn 2026 - 2030", "year", at(2030, 12, 31)),
    ("2026-2030", "year", at(2030, 12, 31)),
    ("Năm 2025, 2026", "year", at(2026, 12, 31)),
    ("2026", "year", at(2026, 12, 31)),
    # OCR noise
    ("Thang l2/2025", "month", at(2025, 12, 31)),
    ("Tháng I2/2025", "month", at(2025, 12, 31)),
    ("Thang 1O/2025", "month", at(2025, 10, 31)),
    ("Quy IV/2O25", "quarter", at(2025, 12, 31)),
    ("Quy lV/2025", "quarter", at(2025, 12, 31)),
    ("Quy 1V/2025", "quarter", at(2025, 12, 31)),
    ("ngày O6/5/2026", "date", at(2026, 5, 6)),
    ("3O/11/2025", "date", at(2025, 11, 30)),
    ("ngay l5/12/2025", "date", at(2025, 12, 15)),
    ("Nam 2O26", "year", at(2026, 12, 31)),
    ("Truoc ngay 15/12/2025", "date", at(2025, 12, 15)),
    ("Cham nhat ngay 20 thang 12 nam 2025", "date", at(2025, 12, 20)),
    ("Thang 12/2025 |", "month", at(2025, 12, 31)),
    ("Quý IV/2025 (sau khi có hướng dẫn của tỉnh)", "quarter", at(2025, 12, 31)),
    # second round, written before the rules were tuned on it
    ("Trước ngày 25/12/2025", "date", at(2025, 12, 25)),
    ("Hoàn thành chậm nhất ngày 31/12/2025", "date", at(2025, 12, 31)),
    ("Trước 15/01/2026", "date", at(2026, 1, 15)),
    ("trước ngày 05 tháng 01 năm 2026", "date", at(2026, 1, 5)),
    ("Ngày 20/11/2025", "date", at(2025, 11, 20)),
    ("Chậm nhất 16 giờ 00 ngày 10/12/2025", "datetime", at(2025, 12, 10, 16)),
    ("Trước 9h00 ngày 08/12/2025", "datetime", at(2025, 12, 8, 9)),
    ("trước 11 giờ 30 ngày 12/12/2025", "datetime", at(2025, 12, 12, 11, 30)),
    ("Lúc 14h00 ngày 15/12/2025", "datetime", at(2025, 12, 15, 14)),
    ("Báo cáo kết quả trước ngày 20/12/2025", "date", at(2025, 12, 20)),
    ("Tổ chức trong tháng 11/2025", "month", at(2025, 11, 30)),
    ("Thực hiện trong tháng 01 năm 2026", "month", at(2026, 1, 31)),
    ("Tháng 01/2026", "month", at(2026, 1, 31)),
    ("Tháng 1-2/2026", "month", at(2026, 2, 28)),
    ("Từ tháng 11/2025 đến tháng 02/2026", "month", at(2026, 2, 28)),
    ("Quý III/2026", "quarter", at(2026, 9, 30)),
    ("Quý II năm 2026", "quarter", at(2026, 6, 30)),
    ("Trong quý IV năm 2025", "quarter", at(2025, 12, 31)),
    ("Quý I - II/2026", "quarter", at(2026, 6, 30)),
    ("Năm 2027", "year", at(2027, 12, 31)),
    ("Trong năm 2025", "year", at(2025, 12, 31)),
    ("Giai đoạn 2025-2030", "year", at(2030, 12, 31)),
    ("Từ năm 2026 đến năm 2030", "year", at(2030, 12, 31)),
    ("6 tháng đầu năm", "month", at(2025, 6, 30)),
    ("Cuối tháng 11/2025", "month", at(2025, 11, 30)),
    ("Tuần đầu tháng 12/2025", "date", at(2025, 12, 7)),
    ("Tuần cuối tháng 01/2026", "month", at(2026, 1, 31)),
    ("Đầu tháng 12", "date", at(2025, 12, 5)),
    ("Giữa tháng 01/2026", "date", at(2026, 1, 15)),
    ("Trước 20/12", "date", at(2025, 12, 20)),
    ("Trước 31/12", "date", at(2025, 12, 31)),
    ("Tháng l1/2025", "month", at(2025, 11, 30)),
    ("Quy Il/2026", "quarter", at(2026, 6, 30)),
    ("Thang 12/2O25", "month", at(2025, 12, 31)),
    ("ngay 2O/12/2025", "date", at(2025, 12, 20)),
    ("Nam 2025", "year", at(2025, 12, 31)),
    ("Quí IV/2025", "quarter", at(2025, 12, 31)),
    ("trước ngày 15.12", "date", at(2025, 12, 15)),
    ("Trước ngày 15-12", "date", at(2025, 12, 15)),
    ("Năm 2026 (Quý I)", "quarter", at(2026, 3, 31)),
    ("Trước Tết Nguyên đán Bính Ngọ 2026", "date", at(2026, 2, 16)),
    ("Phục vụ Tết Nguyên đán năm 2026", "date", at(2026, 2, 16)),
    ("Từ nay đến 31/12/2025", "date", at(2025, 12, 31)),
    ("Từ nay đến cuối năm 2025", "year", at(2025, 12, 31)),
    ("Hết tháng 12/2025", "month", at(2025, 12, 31)),
    ("Tháng 9/2025 - Tháng 12/2025", "month", at(2025, 12, 31)),
    ("Trước 16h30, ngày 20/12/2025", "datetime", at(2025, 12, 20, 16, 30)),
    ("Trước ngày 15/12/2025 (sau khi được phê duyệt)", "date", at(2025, 12, 15)),
    # third round: long cells, lists, first deadline then "thường xuyên"
    ("Cuối năm", "year", at(2025, 12, 31)),
    ("Năm 2025 và hằng năm", "year", at(2025, 12, 31)),
    ("Thời gian thực hiện: Quý IV/2025", "quarter", at(2025, 12, 31)),
    ("Thời gian hoàn thành: trước ngày 30/11/2025", "date", at(2025, 11, 30)),
    ("Giữa năm", "month", at(2025, 6, 30)),
    ("Tuần 1 tháng 12/2025", "date", at(2025, 12, 7)),
    ("Ngày 05-10/12/2025", "date", at(2025, 12, 10)),
    (
        "Xây dựng kế hoạch trước ngày 15/11/2025; tổ chức thực hiện trong tháng 12/2025",
        "month",
        at(2025, 12, 31),
    ),
    ("Hoàn thành trước ngày 30 tháng 11 năm 2025", "date", at(2025, 11, 30)),
    ("Báo cáo kết quả về UBND xã (qua Văn phòng) trước ngày 20/12/2025", "date", at(2025, 12, 20)),
    ("Chậm nhất ngày 15/12/2025 gửi báo cáo về Phòng Văn hóa - Xã hội", "date", at(2025, 12, 15)),
    ("trước 16 giờ ngày 10/12/2025 (thứ Tư)", "datetime", at(2025, 12, 10, 16)),
    ("Trước 10h00, ngày 05/12/2025", "datetime", at(2025, 12, 5, 10)),
    ("Trước 08 giờ 00 phút, ngày 15/12/2025", "datetime", at(2025, 12, 15, 8)),
    ("15h30' ngày 12/12/2025", "datetime", at(2025, 12, 12, 15, 30)),
    ("Từ ngày 15/11/2025 đến ngày 15/12/2025", "date", at(2025, 12, 15)),
    ("Từ 01/11 đến 30/11/2025", "date", at(2025, 11, 30)),
    ("Tháng 11 và tháng 12 năm 2025", "month", at(2025, 12, 31)),
    ("Tháng 11, 12 năm 2025", "month", at(2025, 12, 31)),
    ("Quý IV năm 2025 và Quý I năm 2026", "quarter", at(2026, 3, 31)),
    ("Năm 2025 - 2026", "year", at(2026, 12, 31)),
    ("Trong năm 2026 (ưu tiên hoàn thành trong Quý II/2026)", "quarter", at(2026, 6, 30)),
    ("Hoàn thành trong Quý I năm 2026", "quarter", at(2026, 3, 31)),
    ("Trong 6 tháng đầu năm 2026", "month", at(2026, 6, 30)),
    ("Tháng 6/2026", "month", at(2026, 6, 30)),
    ("T6/2026", "month", at(2026, 6, 30)),
    ("Thg 6/2026", "month", at(2026, 6, 30)),
    ("tháng 6 năm 2026", "month", at(2026, 6, 30)),
    ("Hết Quý I/2026", "quarter", at(2026, 3, 31)),
    ("Trước 31/3/2026", "date", at(2026, 3, 31)),
    ("31/3/2026", "date", at(2026, 3, 31)),
    ("Ngày 31 tháng 3 năm 2026", "date", at(2026, 3, 31)),
    ("Trước ngày 31/03/2026", "date", at(2026, 3, 31)),
    ("Cuối Quý I/2026", "quarter", at(2026, 3, 31)),
    ("Đầu Quý II/2026", "quarter", at(2026, 6, 30)),
    ("Năm 2026, các năm tiếp theo thực hiện thường xuyên", "year", at(2026, 12, 31)),
    ("Tháng 12/2025 và duy trì thường xuyên", "month", at(2025, 12, 31)),
]

UNDATED = [
    ("Hằng tháng, trước ngày 20", "recurring"),
    ("Trước ngày 20 hằng tháng", "recurring"),
    ("ngày 25 hàng tháng", "recurring"),
    ("Định kỳ hằng quý", "recurring"),
    ("Định kỳ 6 tháng, năm", "recurring"),
    ("Báo cáo định kỳ hằng tháng", "recurring"),
    ("Thường xuyên", "recurring"),
    ("Thường xuyên, liên tục", "recurring"),
    ("Thực hiện thường xuyên", "recurring"),
    ("Hằng năm", "recurring"),
    ("Hàng quý", "recurring"),
    ("Hằng tuần", "recurring"),
    ("Mỗi tháng một lần", "recurring"),
    ("Hằng năm, trước ngày 15/12", "recurring"),
    ("Trước ngày 20/6 và 20/12 hằng năm", "recurring"),
    ("Quý IV hằng năm", "recurring"),
    ("Thuong xuyen", "recurring"),
    ("Thưòng xuyên", "recurring"),
    ("Theo yêu cầu của cấp trên", "on_request"),
    ("Theo yêu cầu của UBND huyện", "on_request"),
    ("Khi có yêu cầu", "on_request"),
    ("Khi cấp trên yêu cầu", "on_request"),
    ("Theo chỉ đạo của cấp trên", "on_request"),
    ("Đột xuất", "on_request"),
    ("Đột xuất theo yêu cầu", "on_request"),
    ("Sau khi có văn bản hướng dẫn", "conditional"),
    ("Ngay sau khi có Quyết định phê duyệt", "conditional"),
    ("Ngay sau khi Kế hoạch được ban hành", "conditional"),
    ("Sau khi được phê duyệt", "conditional"),
    ("Sau khi UBND tỉnh ban hành quy định", "conditional"),
    ("Khi có văn bản chỉ đạo", "conditional"),
    ("Khi có hướng dẫn của cấp trên", "conditional"),
    ("Khi phát sinh", "conditional"),
    ("Khi có phát sinh", "conditional"),
    ("Ngay khi có kinh phí", "conditional"),
    ("Chờ hướng dẫn của tỉnh", "conditional"),
    ("Theo hướng dẫn của Sở", "conditional"),
    ("Theo lộ trình của tỉnh", "conditional"),
    ("Trong vòng 10 ngày sau khi có quyết định", "conditional"),
    ("Trong thời hạn 15 ngày kể từ ngày nhận được văn bản", "conditional"),
    ("Sau khi co van ban huong dan", "conditional"),
    ("", "none"),
    ("-", "none"),
    ("x", "none"),
    ("Phòng Văn hóa - Xã hội", "none"),
    ("UBND xã", "none"),
    ("Theo Nghị quyết số 268/NQ-CP ngày 31/8/2025 của Chính phủ", "none"),
    # second round
    ("Hang thang", "recurring"),
    ("Hàng năm", "recurring"),
    ("Hằng quý", "recurring"),
    ("Định kỳ hằng tháng (trước ngày 25)", "recurring"),
    ("Thường xuyên, hàng tháng báo cáo", "recurring"),
    ("Hằng tháng, trước ngày 15", "recurring"),
    ("Thường xuyên trong năm", "recurring"),
    ("Thực hiện thường xuyên, liên tục", "recurring"),
    ("Sau khi có Kế hoạch của UBND huyện", "conditional"),
    ("Sau khi có văn bản của cấp trên", "conditional"),
    ("Khi có văn bản hướng dẫn của tỉnh", "conditional"),
    ("Ngay sau khi nhận được văn bản", "conditional"),
    ("Khi được phân bổ kinh phí", "conditional"),
    ("Theo hướng dẫn của cấp trên", "conditional"),
    ("Theo yêu cầu của Ban Thường vụ", "on_request"),
    ("Khi có yêu cầu của cấp trên", "on_request"),
    ("Theo chỉ đạo của UBND huyện", "on_request"),
    ("Đột xuất khi có yêu cầu", "on_request"),
    ("Công an xã", "none"),
    ("Văn phòng HĐND và UBND", "none"),
    ("Theo quy định", "none"),
    ("Trước Tết Nguyên đán", "none"),
    ("Trong 30 ngày kể từ ngày Kế hoạch được ban hành", "conditional"),
    ("Hằng năm (trước 15/12)", "recurring"),
    ("Tháng 11 hàng năm", "recurring"),
    ("Hằng tuần, thứ Sáu", "recurring"),
    # third round
    ("Tùy tình hình thực tế", "conditional"),
    ("Cuối năm học", "none"),
    ("Giai đoạn 2026-2030, hằng năm", "recurring"),
    ("Từ năm 2026 trở đi, hằng năm", "recurring"),
    ("- Thời gian: thường xuyên", "recurring"),
    ("Thường xuyên, báo cáo định kỳ 6 tháng và năm", "recurring"),
    ("Định kỳ 06 tháng, hằng năm", "recurring"),
    ("Báo cáo định kỳ trước ngày 15 của tháng cuối quý", "recurring"),
    ("Hằng năm, trước 31/12", "recurring"),
    ("Mỗi quý 01 lần", "recurring"),
    ("Tổ chức thường xuyên", "recurring"),
    ("Khi có văn bản của cấp có thẩm quyền", "conditional"),
    ("Sau khi Đề án được phê duyệt", "conditional"),
    ("Sau khi hoàn thành sáp nhập", "conditional"),
    ("Khi được giao", "conditional"),
    ("Căn cứ vào hướng dẫn của cấp trên", "conditional"),
    ("Theo yêu cầu của Chủ tịch UBND xã", "on_request"),
    ("Theo chỉ đạo của Thường trực Đảng ủy", "on_request"),
    ("Khi có yêu cầu của cơ quan có thẩm quyền", "on_request"),
    ("Theo kế hoạch của tỉnh", "none"),
    ("Đảm bảo tiến độ", "none"),
    ("Kịp thời", "none"),
    ("Phòng Kinh tế chủ trì", "none"),
]


def _variants(text: str) -> list[str]:
    return sorted({text, strip_diacritics(text), text.upper(), f"| {text} |", f"{text};"})


@pytest.mark.parametrize("text, kind, due", DATED)
def test_dated(text: str, kind: str, due: str) -> None:
    for v in _variants(text):
        d = parse_deadline(v, plan_year=2025)
        assert (d.kind, d.to_json()["due"]) == (kind, due), v


@pytest.mark.parametrize("text, kind", UNDATED)
def test_undated(text: str, kind: str) -> None:
    for v in _variants(text):
        d = parse_deadline(v, plan_year=2025)
        assert (d.kind, d.due) == (kind, None), v


@pytest.mark.parametrize(
    "text, day",
    [
        ("Hằng tháng, trước ngày 20", 20),
        ("Trước ngày 20 hằng tháng", 20),
        ("ngày 25 hàng tháng", 25),
        ("Thường xuyên", None),
    ],
)
def test_recurring_day(text: str, day: int | None) -> None:
    assert parse_deadline(text, plan_year=2025).recurring_day == day


@pytest.mark.parametrize(
    "text, condition",
    [
        ("Sau khi có văn bản hướng dẫn", "Sau khi có văn bản hướng dẫn"),
        ("Ngay sau khi có Quyết định phê duyệt", "Ngay sau khi có Quyết định phê duyệt"),
        ("Khi phát sinh", "Khi phát sinh"),
        ("Quý IV/2025 (sau khi có hướng dẫn của tỉnh)", "sau khi có hướng dẫn của tỉnh"),
    ],
)
def test_condition_text(text: str, condition: str) -> None:
    assert parse_deadline(text, plan_year=2025).condition == condition


REF = dtm.date(2025, 10, 17)  # a plan issued in October 2025


@pytest.mark.parametrize(
    "text, kind, due",
    [
        ("Trước Tết Nguyên đán", "date", at(2026, 2, 16)),  # the next Tết after the issue date
        ("Trong dịp Tết Nguyên đán", "date", at(2026, 2, 16)),
        ("Trong 30 ngày kể từ ngày Kế hoạch được ban hành", "date", at(2025, 11, 16)),
        ("Trong vòng 07 ngày làm việc", "date", at(2025, 10, 28)),
        ("Sau 15 ngày kể từ ngày ký", "date", at(2025, 11, 1)),
        ("Quý I", "quarter", at(2026, 3, 31)),
        ("Ngày 2/9", "date", at(2026, 9, 2)),
    ],
)
def test_with_issue_date(text: str, kind: str, due: str) -> None:
    d = parse_deadline(text, plan_year=2025, ref_date=REF)
    assert (d.kind, d.to_json()["due"]) == (kind, due)
    assert d.condition is None
