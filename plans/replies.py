"""Reading an officer's chat answer about a task: "xong rồi", "đang làm 60%", "vướng: …",
"xin gia hạn đến 20/12".

Rules run on a canonical form of the text: folded (no diacritics, lower case), Telex typed
without the input method repaired ("ddax xong" → "da xong"), and chat abbreviations spelled out
("ko"/"k" → "khong", "dc"/"đc" → "duoc", "r" → "roi", "bc" → "bao cao", "ht" → "hoan thanh").
Notes are cut from the original text, so the officer's own words reach the monitor.

The parser never guesses: anything it cannot place with confidence is ``unknown`` and the bot
asks back with buttons. A question ("xong chưa?") is not an answer; a question clause after a
statement ("xong rồi, anh xem giúp em nhé?") leaves the statement standing. Negations are checked
where they flip the meaning ("chưa xong", "không vướng gì", "chưa đạt 100%").

Contract decisions (ARCHITECTURE §6): waiting on someone else ("đang chờ Sở trả lời", "chờ
phê duyệt") is ``blocked``; "sắp xong", "xong một phần", "chưa xong" and promises ("mai em
gửi") are ``in_progress``; a percentage range keeps its lower bound; "hơn nửa" is 50.
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

# --------------------------------------------------------------------------------------------
# canonical text

# Chat shorthand, by whole token (after folding). Ambiguous ones are left out: "hong" is both
# "không" (southern) and "hỏng" (broken), "e"/"a" are "em"/"anh" but "a" is also "ạ".
_ABBREV = {
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "khg": "khong",
    "kh": "khong",
    "kq": "ket qua",
    "hok": "khong",
    "hem": "khong",
    "khum": "khong",
    "k0": "khong",
    "hk": "khong",
    "dc": "duoc",
    "dk": "duoc",
    "r": "roi",
    "rui": "roi",
    "roai": "roi",
    "roy": "roi",
    "xg": "xong",
    "xog": "xong",
    "dg": "dang",
    "dag": "dang",
    "chx": "chua",
    "j": "gi",
    "bc": "bao cao",
    "ht": "hoan thanh",
    "nx": "nua",
    "trc": "truoc",
    "lm": "lam",
    "ch": "chua",
    "kp": "kinh phi",
    "vg": "vuong",
    "gh": "gia han",
    "ntn": "nhu the nao",
    "pt": "phan tram",
    "ptram": "phan tram",
}

_VOWELS = frozenset("aeiouyw")
# Vietnamese syllables end in a vowel or one of these; a trailing s/f/r/x/j is a Telex tone key.
_FINALS = ("c", "ch", "m", "n", "ng", "nh", "p", "t")
_TELEX_PAIRS = (
    ("uow", "uo"),
    ("uw", "u"),
    ("ow", "o"),
    ("aw", "a"),
    ("aa", "a"),
    ("ee", "e"),
    ("oo", "o"),
)


def _untelex(t: str) -> str:
    """ "ddax" → "da", "hoanf" → "hoan", "vuowngs" → "vuong"; other tokens unchanged.

    Folded Vietnamese never ends in s/f/r/x/j nor holds "w", "dd", "aa", "ee", "oo", so a token
    with one of them is Telex typed with the input method off.
    """
    u = t
    if len(u) >= 3 and u[-1] in "sfrxj":
        stem = u[:-1]
        if any(c in _VOWELS for c in stem) and (stem[-1] in _VOWELS or stem.endswith(_FINALS)):
            u = stem
    if u.startswith("dd"):
        u = u[1:]
    if "w" in u or "aa" in u or "ee" in u or "oo" in u:
        for a, b in _TELEX_PAIRS:
            u = u.replace(a, b)
    return u


_REPEAT_RE = re.compile(r"([a-z])\1{2,}")


def _canon_token(t: str) -> str:
    r = _ABBREV.get(t)
    if r is not None:
        return r
    if len(t) >= 3 and _REPEAT_RE.search(t):
        t = _REPEAT_RE.sub(r"\1", t)  # "xonggg", "roiii": emphasis
        r = _ABBREV.get(t)
        if r is not None:
            return r
    if len(t) >= 2 and t.isalpha():
        u = _untelex(t)
        if u != t:
            return _ABBREV.get(u, u)
    return t


@dataclass(slots=True)
class _Text:
    """The original text and its canonical form *g*; ``starts``/``ends`` map each character of
    *g* back to the span of the original it came from (None when the two are aligned)."""

    orig: str
    g: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, a: int, b: int) -> str:
        if self.starts is None or self.ends is None:
            return self.orig[a:b]
        if a >= b:
            return ""
        return self.orig[self.starts[a] : self.ends[b - 1]]


# Tokens _canon_token may change: an abbreviation, or a word with a Telex key in it. One search
# finds them, so ordinary text costs a single scan.
_CANON_HINT_RE = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(sorted(map(re.escape, _ABBREV), key=len, reverse=True))
    + r"|[a-z]{0,8}(?:w|dd|aa|ee|oo)[a-z]{0,8}|[a-z]{0,8}[aeiouy][a-z]{0,8}[sfrxj]"
    r"|[a-z]{0,8}([a-z])\1\1[a-z]{0,8})"
    r"(?![a-z0-9])"
)


def _canon(raw: str) -> _Text:
    orig, f = fold_aligned(raw)
    subs: list[tuple[int, int, str]] = []
    for m in _CANON_HINT_RE.finditer(f):
        t = m.group()
        r = _canon_token(t)
        if r != t:
            subs.append((m.start(), m.end(), r))
    if not subs:
        return _Text(orig, f)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for s, e, r in subs:
        parts.append(f[last:s])
        starts.extend(range(last, s))
        ends.extend(range(last + 1, s + 1))
        parts.append(r)
        starts.extend([s] * len(r))
        ends.extend([e] * len(r))
        last = e
    parts.append(f[last:])
    starts.extend(range(last, len(f)))
    ends.extend(range(last + 1, len(f) + 1))
    return _Text(orig, "".join(parts), starts, ends)


# --------------------------------------------------------------------------------------------
# patterns (on canonical text)

_W = r"[a-z0-9]+"
_NEG = r"(?:khong|chang|cha|chua)"
_PRON = r"(?:em|toi|minh|chung\s+em|chung\s+toi|don\s+vi|ben\s+em|phong\s+em|xa\s+em)"

_EXT_RE = re.compile(
    rf"\b(?:(?:xin|de\s+nghi|muon|cho|xin\s+phep|nho|mong)\s+(?:{_PRON}\s+)?(?:xin\s+|duoc\s+)?)?"
    r"(?:gia\s+han|lui(?:\s+lai)?(?!\s+toi\b(?!\s+(?:ngay\s+)?\d))|hoan(?=\s+(?:lai|den|toi|sang|qua|han)\b)"
    r"|keo\s+dai(?=\s+(?:thoi|han|den|toi|them|sang)\b)"
    r"|dieu\s+chinh(?=\s+(?:lai\s+)?(?:thoi\s+han|han|thoi\s+gian|tien\s+do|ngay\s+(?:nop|hoan)))"
    r"|(?:doi|doi\s+lai)(?=\s+(?:han|thoi\s+han|lai|sang|qua)\b|\s+(?:den|toi)\s+(?!khi\b))"
    r"|(?<=xin\s)(?:doi|hoan))\b"
)
_EXT_BARE_RE = re.compile(
    # "cho em nộp muộn 1 ngày", "xin khất đến tuần sau": a request word is needed ("đã nộp muộn"
    # is a report)
    rf"\b(?:(?:xin|cho|de\s+nghi)\s+(?:phep\s+)?(?:{_PRON}\s+)?(?:xin\s+|duoc\s+)?(?:khat"
    r"|(?:nop|gui|bao\s+cao|hoan\s+thanh|tra|lam)\s+(?:muon|cham|tre))"
    # "xin thêm 3 ngày", "cho em thêm thời gian", but not "gửi cho em thêm mẫu báo cáo"
    rf"|(?:(?:xin|cho)\s+(?:{_PRON}\s+)?(?:xin\s+)?|can\s+)them(?=\s+(?:thoi\s+gian|han|\d|mot"
    r"|hai|ba|bon|nam|vai|it|chut|ngay|tuan|hom)\b|\s*(?:$|[^\w\s]|(?:a|nhe|nha|duoc)\b)))\b"
)
# "cho em xin đến thứ 6 tuần sau", "xin sang 10/1": asking for a date with no verb; a request
# only when a date follows ("em xin đến dự họp" is not one)
_EXT_XIN_DATE_RE = re.compile(
    rf"\b(?:(?:cho|de\s+nghi)\s+(?:{_PRON}\s+)?xin|xin)\s+(?=(?:den|toi|sang|qua)\s+"
    r"(?:ngay\s+|het\s+)?(?:\d|thu\s|t[2-7]\b|chu\s+nhat|cuoi|dau|giua|tuan|thang|mai\b))"
    # "xin hẹn lại thứ 5 tuần sau" (also a meeting moved: only with a date)
    r"|\b(?:xin\s+)?hen\s+lai\b|\bxin\s+hen\b"
)
# "đã gia hạn chưa anh?": asking about an extension, not asking for one
_EXT_STATUS_Q_RE = re.compile(r"\s*chua\b(?:\s+[a-z]+){0,2}[\s?!.]*$")
# task numbers ("I.2", "VI.3", "NV2", "nhiệm vụ 12"): a reply naming two of them speaks of
# several tasks, so a percent cannot be given to the one asked about
_TASK_REF_RE = re.compile(
    r"(?<![\w.])(?:(?:nv|nhiem\s+vu)\s*\d{1,3}(?:\.\d{1,2})*|[ivx]{1,4}\.\d{1,2}(?:\.\d{1,2})*)"
    r"(?![\w.])"
)
_AMBIGUOUS_EXT_RE = re.compile(r"\b(?:doi|hoan)(?:\s+lai)?$")
_DEADLINE_WORD_RE = re.compile(r"\s+(?:han|thoi\s+han|deadline|ngay\s+nop|thoi\s+gian)\b")
_EXT_NEG_RE = re.compile(
    r"\b(?:khong|chang|chua)\s+(?:can\s+|phai\s+|xin\s+|de\s+nghi\s+|muon\s+)*$"
)

# Waiting on someone or something outside the officer's hands.
_WAIT_OBJ = (
    r"(?:huong\s+dan|y\s+kien|phe\s+duyet|duyet|kinh\s+phi|chi\s+dao|van\s+ban|cap\s+tren"
    r"|cap\s+(?:tinh|huyen|xa)|so|phong|ban|tinh|huyen|thanh\s+pho|ubnd|uy\s+ban|lanh\s+dao|ky"
    r"|tra\s+loi|phan\s+hoi|ket\s+qua|so\s+lieu|du\s+lieu|quyet\s+dinh|don\s+vi|cac|thon|xa"
    r"|ben|tham\s+dinh|nghiem\s+thu|xac\s+nhan|cap|bo\s+tri|giai\s+ngan|chu\s+tich|bo|trung"
    r"\s+uong|cong\s+an|kho\s+bac|ngan\s+hang|nha\s+thau|doi\s+tac|nguoi\s+dan)"
)
_NEED = (
    r"(?:kinh\s+phi|huong\s+dan|van\s+ban|chi\s+dao|nguon|du\s+lieu|so\s+lieu|quyet\s+dinh"
    r"|phe\s+duyet|y\s+kien|nhan\s+luc|trang\s+thiet\s+bi|thiet\s+bi|may|phan\s+mem|tai\s+khoan"
    r"|bieu\s+mau|mau|tien|nguoi|can\s+bo|mat\s+bang|dia\s+diem|xe|phuong\s+tien"
    r"|chu\s+ky(?:\s+so)?|con\s+dau|token)"
)
_NOAGREE = r"(?:chua|khong|chang)\s+(?:duoc\s+)?(?:dong\s+thuan|dong\s+y|thong\s+nhat|hop\s+tac)"
_NOWORK = r"(?:chua|khong)\s+(?:the\s+)?(?:lam|trien\s+khai|thuc\s+hien|tien\s+hanh|thi\s+cong)"
_NOAGREE_RE = re.compile(_NOAGREE)
_BLOCK_RE = re.compile(
    r"\b(?:(?:bi\s+|gap\s+|con\s+|dang\s+|co\s+)?(?:vuong(?:\s+mac)?|kho\s+khan|tac\s+mac"
    r"|tro\s+ngai|vuong\s+vuong)"
    r"|bi\s+(?:tac|ket|treo|chan|tra\s+lai|loi|hong|mat\s+(?:mang|dien|ket\s+noi)|sap)"
    r"|un\s+tac|mat\s+(?:dien|mang|ket\s+noi)"
    r"|(?:loi|hong|treo)\s+(?:phan\s+mem|he\s+thong|mang|may|ket\s+noi|tai\s+khoan)"
    r"|(?:phan\s+mem|he\s+thong|may(?:\s+(?:tinh|in|chu|scan|photo))?|mang(?:\s+internet)?"
    r"|internet|wifi|tai\s+khoan|chu\s+ky\s+so|token)\s+(?:bi\s+)?(?:loi|hong|treo|sap|hu)"
    rf"|{_NEG}\s+(?:co|duoc|nhan\s+duoc|nhan|thay|du)\s+(?:{_W}\s+){{0,2}}?{_NEED}"
    rf"|thieu\s+(?:{_W}\s+)?{_NEED}"
    # "kinh phí chưa về", "hướng dẫn vẫn chưa có"
    rf"|{_NEED}\s+(?:van\s+|cung\s+)?(?:chua|khong)\s+(?:thay\s+)?(?:ve|co|toi|den"
    r"|duoc\s+(?:cap|bo\s+tri|giai\s+ngan|duyet|phe\s+duyet|phan\s+bo))"
    # the people or bodies it depends on have not agreed, and so the work waits: "dân chưa đồng
    # thuận nên chưa triển khai", "chưa làm được vì dân chưa đồng ý" (alone, it is news)
    rf"|{_NOAGREE}(?=.*\b{_NOWORK})|{_NOWORK}(?:\s+duoc)?\s+(?:vi|do|boi)\s+(?:{_W}\s+){{0,3}}?{_NOAGREE}"
    # "kẹt vụ kinh phí", "kẹt khâu thẩm định" (not "kết": "tổng kết", "kết quả")
    r"|(?<!tong\s)(?<!lien\s)(?<!doan\s)(?<!cam\s)(?<!so\s)(?<!tap\s)(?<!ky\s)"
    rf"ket(?:\s+(?:vu|khau|o\s+khau|o|phan)(?=\s+{_W})|(?=\s+(?:vi\s+|do\s+|cho\s+)?{_NEED}))"
    r"|(?:khong|chua)\s+the\s+(?:thuc\s+hien|lam|hoan\s+thanh|trien\s+khai|tiep\s+tuc)"
    r"|khong\s+(?:lam|thuc\s+hien|trien\s+khai|hoan\s+thanh|tiep\s+tuc|lien\s+he)\s+duoc"
    r"|(?:dang|con|van|vua)\s+(?:cho|doi)"
    r"(?=\s+(?!(?:em|toi|minh|chut|xiu|ti|lat|mot\s+chut)\b)\w|[^\w]*$)"
    rf"|(?:cho|doi)\s+{_WAIT_OBJ})\b"
)
# blocker matches that are themselves the reason ("chưa có kinh phí", "phần mềm bị lỗi", "đang
# chờ Sở"); after the others ("vướng", "khó khăn", "bị kẹt") the reason follows
_BLOCK_SAYS_WHY_RE = re.compile(
    r"(?!(?:dang|con|co)\s+(?:vuong|kho|tac|tro))(?:chua|khong|cha|thieu|cho|doi|dang|con|van|vua"
    r"|loi|hong|treo|mat|phan|he|may|mang|tai|kinh|nguon|tien|huong|so|du|chi|quyet|bieu)\b"
)
# words that, right before "vướng"/"khó khăn", mean there is none
_BLOCK_NEG_RE = re.compile(
    r"\b(?:khong|chang|cha|hong|het|chua|khong\s+con|da\s+giai\s+quyet|da\s+thao\s+go"
    r"|da\s+xu\s+ly|da\s+khac\s+phuc)"
    r"\s+(?:(?:co|gap|bi|con|thay|gi|van\s+de|xong|duoc|vuong|nao)\s+){0,3}$"
)
_BLOCK_POSTNEG_RE = re.compile(r"\s+(?:gi\s+)?dau\b|\s+gi\s+ca\b")
_NOTE_LEAD_RE = re.compile(
    r"(?:[\s:;,.\-–]|\b(?:la|vi|do|o|mac|ve|nhu\s+sau|dang|boi|tai\s+vi|boi\s+vi"
    # a second heading word: "Khó khăn, vướng mắc: …"
    r"|vuong(?:\s+mac)?|kho\s+khan|tro\s+ngai|ton\s+tai|han\s+che)\b)+"
)
# polite endings cut off a note: "chưa có hướng dẫn ạ"
_NOTE_TAIL_RE = re.compile(
    r"(?:[\s:;,.!?\-–]|\b(?:a|ah|ak|nhe|nha|nhi|ha|voi|anh\s+a|chi\s+a|(?:anh|chi)\s+oi)\b"
    r"|[^\w\s])+$"
)

_PCT_RE = re.compile(
    r"(?<![\d.,])(?:(?P<lo>\d{1,3}(?:[.,]\d{1,2})?)\s*%?\s*(?P<sep>-|–|~|den|toi|\s)\s*)?"
    r"(?P<v>\d{1,4}(?:[.,]\d{1,2})?)\s*(?:%|phan\s+tram\b)"
)
_DIGIT_WORDS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
_WORD_PCT_RE = re.compile(
    r"\b(?:(?P<t>hai|ba|bon|nam|sau|bay|tam|chin)\s+(?:muoi|chuc)"
    r"(?:\s+(?P<u>mot|hai|ba|bon|tu|lam|nam|sau|bay|tam|chin))?|(?P<ten>muoi)"
    r"(?:\s+(?P<u2>mot|hai|ba|bon|lam|sau|bay|tam|chin))?|(?P<hundred>(?:mot\s+)?tram))"
    r"\s+phan\s+tram\b"
)
# "một phần ba", "7 phần 10" ("ba phần sau" is "the three parts below": no "sau" there)
_FRACTION_WORDS_RE = re.compile(
    r"\b(?P<a>[1-9]|mot|hai|ba|bon|nam|bay|tam|chin)\s+phan\s+"
    r"(?P<b>10|[2-9]|hai|ba|tu|bon|nam|bay|tam|chin|muoi)\b(?!\s*[/.%])"
)
_FRAC_RE = re.compile(r"(?<![\d/.\-])(?P<a>\d{1,4})\s*/\s*(?P<b>\d{1,4})(?![\d/.\-])")
_FRAC_NOUN_RE = re.compile(
    r"\s*(?:ho|thon|xom|ap|to|ban|khu|doi|xa|phuong|nguoi|ho\s+so|don\s+vi|chi\s+tieu|tieu\s+chi"
    r"|khoi\s+luong|cong\s+viec|phan|hang\s+muc|dau\s+muc|noi\s+dung|nhiem\s+vu|truong|lop"
    r"|thanh\s+vien|co\s+so|cong\s+trinh|km|met|m|chau|hoc\s+sinh|lao\s+dong|doanh\s+nghiep"
    r"|ca|hop\s+dong|phieu|mau|bo|cuon|tap|so|ke\s+hoach|tai\s+khoan|tin|bai)\b"
)
_FRAC_QTY_RE = re.compile(
    r"\b(?:khoang|duoc|dat|tam|chung|hon|gan|hoan\s+thanh|xong|lam|moi|len|tien\s+do)\s*[:\-]?\s*$"
)
_DATE_CTX_RE = re.compile(
    r"\b(?:ngay|den|toi|tu|truoc|sau|han|hom|thu\s+(?:hai|ba|tu|nam|sau|bay|[2-7]))\s*$"
)
# Folded, "chờ" (wait) is "cho" (give, to): "chờ" only opens a clause or follows a word that
# leads into waiting ("vì chờ", "còn chờ", "em chờ"); "gửi cho phòng", "phát cho người dân" give.
_WAIT_BEFORE_RE = re.compile(
    r"(?:^|[^\w\s]|\b(?:vi|do|nen|con|dang|van|vua|phai|can|de|bi|hien|em|toi|minh|thi|ma|la"
    r"|ben|phong|xa|a|oi|roi|nay|nhung))\s*$"
)
_HALF_RE = re.compile(
    r"\b(?:(?:mot|1)\s+nua|(?P<more>hon|qua|tren)\s+nua|(?<=duoc\s)nua|(?<=xong\s)nua"
    r"|(?<=lam\s)nua|nua\s+(?:khoi\s+luong|cong\s+viec|ke\s+hoach))"
    r"(?=\s*(?:$|roi\b|a\b|nhe\b|thoi\b|khoi\s+luong|cong\s+viec|ke\s+hoach|so\b|[^a-z0-9\s]))"
)
_FULL_NEG_RE = re.compile(
    r"\b(?:khong|chua|gan|sap|xap\s+xi|chua\s+duoc|chua\s+dat|gan\s+dat|gan\s+duoc)\s+"
    r"(?:(?:dat|duoc|toi|den|xong|hoan\s+thanh|muc)\s+)?$"
)

_NEG_NEAR_RE = re.compile(r"\b(?:khong|chua|chang)(?:\s+" + _W + r"){0,2}\s*$")

_XONG = r"(?:xong|(?<=da\s)song|song(?=\s+(?:roi|het|nhe|nha)\b))"
# handing the result over: "đã gửi" is done, "chưa gửi" is in progress (the work may be done)
_SUBMIT = (
    r"(?:bao\s+cao|gui|nop|ban\s+hanh|hoan\s+thien|trinh|cap\s+nhat|nhap|chuyen|ky|phat\s+hanh"
    r"|dang\s+tai|upload|up|tai\s+len|phe\s+duyet|thong\s+qua|nghiem\s+thu|ban\s+giao)"
)
# doing the work: "đã thực hiện" is done, "chưa thực hiện" is not started
_ACT = r"(?:thuc\s+hien|xu\s+ly|giai\s+quyet|to\s+chuc)"
_DONE_RE = re.compile(
    rf"\b(?:{_XONG}|hoan\s+thanh|hoan\s+than|hoan\s+tat|done|finish(?:ed)?|complete(?:d)?"
    rf"|da\s+(?:{_W}\s+)?(?:{_SUBMIT}|{_ACT})(?!\s+duoc)|{_SUBMIT}(?:\s+{_W}){{0,2}}?\s+roi"
    rf"|(?:vua|vua\s+moi|moi)\s+{_SUBMIT}"
    # "em gửi hôm qua": handed over on a past day
    rf"|{_SUBMIT}(?:\s+{_W}){{0,3}}?\s+(?:hom\s+qua|hom\s+truoc|hom\s+kia|tuan\s+truoc|tu\s+hom)"
    # "em làm rồi": with its doer (bare "làm rồi" folds like "lắm rồi")
    rf"|(?:{_PRON}\s+(?:da\s+)?|da\s+)lam\s+roi(?!\s+(?:moi|thi|se|ma\s+chua)\b))\b"
)
# before a "done" word: it is not done (yet)
_DONE_NEG_RE = re.compile(
    r"\b(?:chua|khong|chang|sap|gan|se|du\s+kien|mong|hy\s+vong|hi\s+vong|truoc\s+khi|de"
    r"|co\s+gang|phan\s+dau|bao\s+gio|khi\s+nao|luc\s+nao|neu|khi|cho|can|phai|muon|kip|nua\s+la"
    r"|la\s+se|sau\s+khi)\s+(?:\S+\s+){0,2}$"
)
# unsure of it: "chắc xong rồi", "hình như đã gửi", "em nghĩ là xong rồi" (not "chắc chắn")
_HEDGE_RE = re.compile(
    r"\b(?:chac(?!\s+chan)(?:\s+la)?|hinh\s+nhu|co\s+le|co\s+the\s+la|nghi\s+la|tuong\s+la)"
    r"\s+(?:\S+\s+){0,2}$"
)
# a request or reminder before "hoàn thành" ("đề nghị các đơn vị hoàn thành…", "anh nhớ hoàn
# thành trước 15/12"): a forwarded instruction, not a report
_REQUEST_BEFORE_RE = re.compile(
    r"\b(?:de\s+nghi|yeu\s+cau|nho|hay|vui\s+long|nhac|don\s+doc|khan\s+truong|chi\s+dao)"
    r"\s+(?:\S+\s+){0,6}$"
)
# after "done": the hand-over is still to come ("xong rồi nhưng chưa gửi", "đã làm xong, mai em
# gửi") — the task is in progress
_NOT_HANDED_RE = re.compile(
    r"\b(?:(?:nhung|ma|tuy\s+nhien|song)\s+(?:\S+\s+){0,2}?chua\s+(?:\S+\s+)?"
    rf"(?:{_SUBMIT}|xong|hoan\s+thanh|duyet|duoc\s+duyet)"
    r"|(?:mai|ngay\s+mai|chieu(?:\s+nay)?|sang\s+mai|toi\s+nay|tuan\s+sau|lat\s+nua|lat"
    r"|dau\s+tuan|cuoi\s+tuan|thu\s+(?:hai|ba|tu|nam|sau|bay|[2-7]))\s+"
    rf"(?:{_PRON}\s+)?(?:se\s+)?{_SUBMIT}|\bse\s+{_SUBMIT})\b"
)
# another part still under way, next to a "done"
_STILL_RE = re.compile(
    r"\b(?:dang\s+(?:lam|thuc\s+hien|trien\s+khai|xu\s+ly|hoan\s+thien|tong\s+hop|sua|chinh\s+sua"
    r"|bo\s+sung|ra\s+soat|cap\s+nhat|soan|chuan\s+bi)"
    r"|chua\s+(?:lam|xong|hoan\s+thanh|thuc\s+hien|trien\s+khai))\b"
)
# a time ahead before "xong" makes it a plan: "chiều nay xong", "khoảng thứ 5 là xong"
_DONE_LATER_RE = re.compile(
    r"(?:\bla|\b(?:mai|ngay\s+mai|sang\s+mai|chieu\s+mai|chieu\s+nay|toi\s+nay|tuan\s+sau"
    r"|thang\s+sau|cuoi\s+tuan|cuoi\s+thang|thu\s+(?:hai|ba|tu|nam|sau|bay|[2-7])|nua"
    r"|\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?)"
    r"(?:\s+" + _W + r"){0,2})\s+$"
)
# after a "done" word: only part of it ("xong một phần", "xong 4 thôn"), or a future ("xong thì
# em gửi", "làm xong em báo anh")
_DONE_PARTIAL_RE = re.compile(
    r"\s*(?:(?:1|mot)\s+(?:phan|so|it|nua)|duoc\s+(?:(?:1|mot)\s+(?:phan|so|it)|vai|nhieu|kha"
    r"|phan\s+lon|\d)|phan\s+lon|mot\s+vai|vai\b"
    r"|\d+(?!\s*(?:%|/|phan\s+tram))\s+(?!ngay|hom|thang|gio|h\b)[a-z]"
    r"|(?:dot|lan|giai\s+doan|buoc|phan|hang\s+muc|noi\s+dung|muc|khau)\s+(?:\d|mot|dau|[iv]+\b)"
    rf"|(?:thi|se|moi)\b|{_PRON}\s+(?:se\s+)?(?:bao|gui|nop|chuyen|bao\s+cao)\b)"
)

_PROGRESS_RE = re.compile(
    r"\b(?:dang(?!\s+(?:hop|ban|di|o|nghi|cong\s+tac|tap\s+huan|hoc|om|benh|an|ngu|lai\s+xe"
    r"|tren\s+duong|xem|doc|hoi|phep)\b)"
    r"|tiep\s+tuc|sap\s+xong|gan\s+xong|in\s+progress|doing|van\s+(?:dang|con)"
    rf"|chua\s+(?:{_W}\s+)?(?:xong|hoan\s+thanh|{_SUBMIT})"
    r"|da\s+(?:lam|thuc\s+hien|trien\s+khai|thu|xong)\s+duoc|da\s+trien\s+khai"
    r"|(?:lam|thuc\s+hien|trien\s+khai|xong)\s+duoc\s+(?:mot\s+(?:it|phan|so|chut)|\d|vai|nhieu"
    r"|kha|phan)|(?:moi|vua|da|dang)\s+bat\s+dau"
    rf"|se\s+(?:{_W}\s+)?(?:{_SUBMIT}|hoan\s+thanh|xong|kip)|lam\s+(?:ngay|luon|tiep)"
    rf"|(?:mai|ngay\s+mai|chieu\s+nay|sang\s+mai|toi\s+nay|tuan\s+sau|lat\s+nua)\s+(?:{_PRON}\s+)?"
    rf"(?:se\s+)?(?:{_SUBMIT}|lam\s+xong|xong))\b"
)
_NOT_STARTED_RE = re.compile(
    # a plan to start ("em sẽ làm", "tuần sau em làm") is not a start
    r"\b(?:(?:se\s+|(?:tuan\s+sau|thang\s+sau|mai|ngay\s+mai|chieu|chieu\s+nay|sang\s+mai|toi\s+nay"
    rf"|lat\s+nua|lat)\s+(?:{_PRON}\s+)?(?:se\s+)?)(?:lam|trien\s+khai|thuc\s+hien|bat\s+dau)\b"
    r"(?!\s+(?:xong|ngay|luon|tiep|not|duoc))"
    r"|chua\s+(?:kip\s+|duoc\s+|co\s+|ai\s+)?(?:lam|bat\s+dau|trien\s+khai|tien\s+hanh|co\s+gi"
    rf"|dong\s+(?:den|toi|vao)|bat\s+tay|khoi\s+cong|lam\s+gi|{_ACT})|not\s+started"
    # southern "hổng/hông có làm", "không có làm": did not do it (not "không làm được")
    r"|(?:hong|khong)\s+co\s+(?:lam|trien\s+khai|thuc\s+hien|bat\s+dau)(?!\s+(?:duoc|xong|sai))"
    r"|hong\s+(?:lam|trien\s+khai|thuc\s+hien)(?!\s+(?:duoc|xong|sai)))\b"
)
# "vì", "do" as "because"; folded they are also "vị"/"độ"/"đó" ("đơn vị", "tiến độ", "VI.3").
_BECAUSE = (
    r"(?:ly\s+do|boi\s+vi|tai\s+vi|boi|(?<!don\s)(?<!pham\s)(?<!dia\s)vi(?!\s+tri\b)"
    r"|(?<!tien\s)(?<!muc\s)(?<!trinh\s)(?<!che\s)(?<!thai\s)(?<!nhiet\s)"
    r"(?<!cuong\s)(?<!mat\s)do)\b(?![.\d]|\s+(?:dang|do|la)\b)"
)
_REASON_RE = re.compile(rf"(?:\s[:\-–]\s?|:\s*|\b{_BECAUSE}\s*)")
_REASON_WORD_RE = re.compile(rf"\s*\b{_BECAUSE}")
_PRE_REASON_RE = re.compile(rf"\b{_BECAUSE}\s*:?\s*")
_PRE_REASON_END_RE = re.compile(r"\s*(?:,|\bnen\b|\bthi\b|\bem\b|$)")
_EXT_DATE_LEAD_RE = re.compile(
    r"(?:[\s:;,]|\b(?:den|toi|sang(?!\s+nam\b)|qua|lai|ngay(?!\s+\d)|han|thoi\s+han|thoi\s+gian|han\s+chot"
    r"|cho|em|toi|giup|dum|ho|them\s+thoi\s+gian)\b)+"
)

# Clauses and questions
_CLAUSE_RE = re.compile(r"[^.!?;,\n]+[.!?;,\n]*|[.!?;,\n]+")
_Q_END_RE = re.compile(
    r"\b(?:chua|khong|chu|khong\s+nhi)(?:\s+(?:a|ah|ak|anh|chi|em|ban|vay|nhi|nhe|ha|the|day|ta"
    r"|ba|ong|ha))*[^a-z0-9]*$"
)
_Q_WORD_RE = re.compile(
    r"\b(?:the\s+nao|nhu\s+nao|lam\s+sao|o\s+dau|phai\s+khong|duoc\s+khong|hay\s+khong"
    r"|hay\s+chua|co\s+phai|(?<!chua\s)(?<!khong\s)ai\s+(?:lam|phu\s+trach|giao|nhan)|bao\s+gio|khi\s+nao|luc\s+nao"
    r"|phong\s+nao|don\s+vi\s+nao|ai\s+vay|gi\s+vay|sao\s+vay"
    # "xong chưa thì em chưa biết": an indirect question, unlike "chưa xong"
    r"|(?:xong|hoan\s+thanh|nop|gui|bao\s+cao)\s+chua\b(?!\s+(?:xong|hoan|duoc|nop|gui|lam|co|bat"
    r"|trien|thuc)))\b"
)


# --------------------------------------------------------------------------------------------
# helpers


_NOT_A_NOTE = frozenset({"qua", "lam", "nhieu", "that", "ghe", "wa", "qua troi", "lam luon"})


def _note(t: _Text, g: str, start: int, end: int | None = None) -> str | None:
    """The original words from *start*, without leading connectives ("là", "vì", ":") and
    trailing politeness ("ạ", "nhé")."""
    end = len(g) if end is None else end
    lead = _NOTE_LEAD_RE.match(g, start, end)
    if lead is not None:
        start = lead.end()
    tail = _NOTE_TAIL_RE.search(g, start, end)
    if tail is not None and tail.start() > start:
        end = tail.start()
    s = t.span(start, end).strip(" \t:;,.-–")
    if g[start:end].strip() in _NOT_A_NOTE:
        return None  # "vướng quá": an intensifier, not a reason
    return s or None


def _mask_questions(g: str) -> str:
    """*g* with every question clause blanked (offsets kept)."""
    if "?" not in g and _Q_END_RE.search(g) is None and _Q_WORD_RE.search(g) is None:
        return g
    out = []
    for m in _CLAUSE_RE.finditer(g):
        c = m.group()
        if "?" in c or _Q_END_RE.search(c) or _Q_WORD_RE.search(c):
            out.append(" " * len(c))
        else:
            out.append(c)
    return "".join(out)


def _num(s: str) -> float:
    return float(s.replace(",", "."))


def _percent(g: str) -> tuple[int | None, bool, bool]:
    """(percent, invalid, near_full): the last percentage written (a range's lower bound);
    invalid when above 100; near_full for "chưa đạt 100%", "gần 100%"."""
    last = None
    if "%" in g or "phan tram" in g:
        for m in _PCT_RE.finditer(g):
            last = m
    if last is not None:
        try:
            v = _num(last.group("v"))
            lo = None if last.group("lo") is None else _num(last.group("lo"))
            # a range keeps its lower bound: "60-70%"; "30 40%" only when round, and a wide gap is
            # a reference before a figure ("NV2 - 60%", "tháng 12 60%")
            spaced = lo is not None and not last.group("sep").strip()
            if (
                lo is not None
                and 0 <= v - lo <= 30
                and (not spaced or (v - lo <= 20 and lo % 5 == 0 and v % 5 == 0))
            ):
                v = lo
        except ValueError:
            return None, True, False
        pct = min(round(v), 99) if v < 100 else round(v)
        if pct > 100:
            return None, True, False
        if pct == 100 and _FULL_NEG_RE.search(g, max(0, last.start() - 30), last.start()):
            return None, False, True
        return pct, False, False
    mw = _WORD_PCT_RE.search(g) if "phan" in g else None
    if mw is not None:
        if mw.group("hundred"):
            return 100, False, False
        if mw.group("ten"):
            return 10 + (_DIGIT_WORDS[mw.group("u2")] if mw.group("u2") else 0), False, False
        unit = _DIGIT_WORDS[mw.group("u")] if mw.group("u") else 0
        return 10 * _DIGIT_WORDS[mw.group("t")] + unit, False, False
    mf = _FRACTION_WORDS_RE.search(g) if "phan" in g else None
    if mf is not None:
        a, b = (int(x) if x.isdigit() else _DIGIT_WORDS.get(x, 10) for x in mf.group("a", "b"))
        if a < b:
            return round(100 * a / b), False, False
    for mf in _FRAC_RE.finditer(g) if "/" in g else ():
        a, b = int(mf.group("a")), int(mf.group("b"))
        if not 0 < a <= b:
            continue
        before = g[max(0, mf.start() - 20) : mf.start()]
        if _DATE_CTX_RE.search(before):
            continue
        if _FRAC_NOUN_RE.match(g, mf.end()) or (_FRAC_QTY_RE.search(before) and (b <= 4 or b > 12)):
            return round(100 * a / b), False, False
    mh = _HALF_RE.search(g) if "nua" in g else None
    if mh is None:
        return None, False, False
    if g[mh.start() : mh.start() + 3] == "nua" and _NEG_NEAR_RE.search(
        g, max(0, mh.start() - 30), mh.start()
    ):
        return None, False, False  # "không làm được nữa": "nữa" (any more), not "nửa" (half)
    # "Hơn nữa, …" (moreover) opens a sentence; "hơn nửa" (more than half) answers
    head = g[: mh.start()].rstrip(" ,")
    if mh.group("more") and (not head or head[-1] in ".;!") and g[mh.end() : mh.end() + 1] == ",":
        return None, False, False
    return 50, False, False


def _default_now(ref_date: dtm.date | None) -> dtm.datetime:
    zone = _zone(DEFAULT_TZ)
    if ref_date is not None:
        return dtm.datetime.combine(ref_date, dtm.time(8, 0), tzinfo=zone)
    return dtm.datetime.now(zone)


# --------------------------------------------------------------------------------------------


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
    t = _canon(raw)
    g = t.g

    # 1. extension request (a request may be a question: "gia hạn đến 20/12 được không ạ?")
    m = _EXT_RE.search(g) or _EXT_BARE_RE.search(g)
    needs_date = False
    if m is None:
        m = _EXT_XIN_DATE_RE.search(g)
        needs_date = True
    if m is not None and _EXT_NEG_RE.search(g, 0, m.start()) is None:
        ext = _extension(t, m, ref_date, now)
        if ext.new_due is None and _EXT_STATUS_Q_RE.match(g, m.end()):
            return _UNKNOWN
        # "đổi"/"hoàn" are also "change"/"return" ("đổi sang mẫu mới", "hoàn lại hồ sơ"): a
        # request only with a date
        if ext.new_due is not None or (
            not needs_date
            and (not _AMBIGUOUS_EXT_RE.search(m.group()) or _DEADLINE_WORD_RE.match(g, m.end()))
        ):
            return ext

    # 2. a question back ("xong chưa?") is not an answer; only the statements count
    h = _mask_questions(g)
    if not h.strip():
        return _UNKNOWN

    pct, pct_invalid, near_full = _percent(h)

    # 3. blocker, with its reason
    for mb in _BLOCK_RE.finditer(h):
        if _BLOCK_NEG_RE.search(h, max(0, mb.start() - 40), mb.start()) is not None:
            continue
        if _BLOCK_POSTNEG_RE.match(h, mb.end()):
            continue  # "khó khăn gì đâu", "vướng gì đâu": there is none
        word = mb.group(0)
        if word.startswith(("cho ", "doi ")) and not _WAIT_BEFORE_RE.search(
            h, max(0, mb.start() - 12), mb.start()
        ):
            continue
        # "chưa có kinh phí" is its own reason; after "vướng:" the reason follows
        from_ = mb.start() if _BLOCK_SAYS_WHY_RE.match(word) else mb.end()
        if _NOAGREE_RE.match(word):
            # "dân chưa đồng thuận …": who has not agreed is part of the reason
            from_ = max(h.rfind(c, 0, mb.start()) for c in ",.;:\n") + 1
        elif _NOAGREE_RE.search(word) and (mw := _REASON_WORD_RE.search(h, mb.start())):
            from_ = mw.end()  # "chưa làm được vì dân chưa đồng ý": the reason after "vì"
        note = _note(t, h, from_)
        return ReplyParse("blocked", pct, None, note)

    if pct_invalid and pct is None:
        return _UNKNOWN

    done = False
    negated_done = False
    hedged = False
    for md in _DONE_RE.finditer(h):
        if _REQUEST_BEFORE_RE.search(h, max(0, md.start() - 60), md.start()) is not None:
            continue
        if _DONE_NEG_RE.search(h, max(0, md.start() - 40), md.start()) is not None:
            negated_done = True
            continue
        if (
            not md.group(0).startswith("da ")
            and not h.endswith("da ", 0, md.start())
            and not h.startswith(" roi", md.end())
            and _DONE_LATER_RE.search(h, max(0, md.start() - 30), md.start())
        ):
            negated_done = True
            continue
        if _DONE_PARTIAL_RE.match(h, md.end()):
            negated_done = True
            continue
        if _NOT_HANDED_RE.search(h, md.end()):
            negated_done = True
            break
        if _HEDGE_RE.search(h, max(0, md.start() - 30), md.start()) is not None:
            hedged = True  # "hình như xong rồi": the officer does not know
            continue
        done = True
        break

    if done and _STILL_RE.search(h) is not None:
        done, negated_done = False, True  # "nội dung 1 đã xong, nội dung 2 đang làm"

    note = None
    mr = _REASON_WORD_RE.search(h)
    if mr is not None:
        note = _note(t, h, mr.end())

    if pct is not None:
        if pct >= 100:
            return ReplyParse("done", 100, None, note)
        if pct == 0:
            return ReplyParse("not_started", 0, None, note)
        if len({" ".join(r.split()) for r in _TASK_REF_RE.findall(h)}) > 1:
            pct = None  # "I.1 xong, I.2 đang làm 50%": the 50 is another task's
        return ReplyParse("in_progress", pct, None, note)
    if near_full:
        return ReplyParse("in_progress", None, None, note)
    if hedged and not done and not negated_done:
        return _UNKNOWN
    if done:
        return ReplyParse("done", 100, None, note)
    if negated_done or _PROGRESS_RE.search(h):
        return ReplyParse("in_progress", None, None, note)
    if _NOT_STARTED_RE.search(h):
        return ReplyParse("not_started", 0, None, note)
    return _UNKNOWN


def _extension(
    t: _Text,
    m: re.Match[str],
    ref_date: dtm.date | None,
    now: dtm.datetime | None,
) -> ReplyParse:
    g = t.g
    if now is None:
        now = _default_now(ref_date)
    rest_start = m.end()
    lead = _EXT_DATE_LEAD_RE.match(g, rest_start)
    if lead is not None:
        rest_start = lead.end()
    sep = _REASON_RE.search(g, rest_start)
    date_end = sep.start() if sep is not None else len(g)
    note = _note(t, g, sep.end()) if sep is not None else None
    if note is None and m.start() > 0:
        # "do chưa có kinh phí nên xin gia hạn …": the reason comes first
        pr = _PRE_REASON_RE.search(g, 0, m.start())
        if pr is not None:
            stop = _PRE_REASON_END_RE.search(g, pr.end(), m.start())
            note = _note(t, g, pr.end(), stop.start() if stop is not None else m.start())
    date_text = g[rest_start:date_end]
    if g[m.start() : m.end()].endswith("them"):
        date_text = "them " + date_text  # "xin thêm 3 ngày": the amount is relative to now
    due = parse_colloquial(date_text, now=now) if date_text.strip() else None
    if due is None and m.start() > 0:
        due = parse_colloquial(g[: m.start()], now=now)
        if due is not None and due.date() <= now.date():
            due = None  # "nhiệm vụ này có gia hạn được không": "này" is not today
    new_due = due.date() if due is not None else None
    return ReplyParse("extension", None, new_due, note)
