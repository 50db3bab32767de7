"""Units of a commune/ward government: canonical names, aliases, groups, fuzzy resolution.

Names in plans are written many ways: ``TT PV HCC``, ``Trung tâm Phục vụ HCC xã``,
``Trung tam Phuc vu HCC xa`` (OCR). Each is reduced to a *key* (folded, abbreviations expanded
or contracted to one form, locality words dropped) and looked up among the aliases; rapidfuzz
only runs over the directory's alias keys (a few dozen), and results are cached.

Group phrases (``Các cơ quan liên quan``) are recognised and kept as written; bodies outside
the commune (``Sở Tư pháp``, ``Công an thành phố``) are recognised as external. Neither is an
unknown unit. Anything else that does not resolve is unknown and reported, never invented.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from plans.text import fold

FUZZY_CUTOFF = 87.0


@dataclass(frozen=True)
class Unit:
    key: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "unit"  # unit | group | external


# Rewrites applied to the folded text, in order. Long forms are contracted for the bodies
# everybody abbreviates (UBND, HĐND, MTTQ); short forms are expanded for the rest, because
# fuzzy matching works better on words than on initials.
_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r)
    for p, r in [
        # the abbreviations wards and communes print in tables ("TT VHTT&TT", "Phòng
        # KT-HT&ĐT"), before the shorter rules below take their pieces
        (r"\bvh\s*[-,]?\s*tt\s*(?:&|va)\s*tt\b", "van hoa the thao truyen thong"),
        (r"\bvhtt\s*(?:&|va)\s*tt\b", "van hoa the thao truyen thong"),
        (r"\bkt\s*[-,]?\s*ht\s*(?:&|va|-)\s*[dđ]t\b", "kinh te ha tang do thi"),
        (r"\bktht\s*(?:&|va)\s*[dđ]t\b", "kinh te ha tang do thi"),
        (r"\buy ban nhan dan\b", "ubnd"),
        (r"\bhoi dong nhan dan\b", "hdnd"),
        (r"\bmat tran to quoc( viet nam)?\b", "mttq"),
        (r"\bubmttq(vn)?\b", "ub mttq"),
        (r"\bmttqvn\b", "mttq"),
        (r"\bmttq\s+(?:viet nam|vn)\b", "mttq"),
        (r"\buy ban mttq\b", "ub mttq"),
        (r"\btt\s*&\s*tt\b", "thong tin truyen thong"),
        (r"\btt\s*-\s*tt\b", "thong tin truyen thong"),
        (r"\btt\b", "trung tam"),
        (r"\bpv\b", "phuc vu"),
        (r"\bhcc\b", "hanh chinh cong"),
        (r"\bvp\b", "van phong"),
        (r"\bvh\b", "van hoa"),
        (r"\bxh\b", "xa hoi"),
        (r"\bvhxh\b", "van hoa xa hoi"),
        (r"\bkt\b", "kinh te"),
        (r"\bbch\b", "ban chi huy"),
        (r"\bqs\b", "quan su"),
        (r"\bcntt\b", "cong nghe thong tin"),
    ]
]
_PUNCT = re.compile(r"[^a-z0-9]+")
_TRAILING_LOCALITY = re.compile(r"(?:\s+(?:cap\s+)?(?:xa|x3a|x3|x4|xi|phuong|thi tran|dac khu))+$")
# OCR spellings of the first word of a name: "S&"/"S¢" for Sở, "Céc"/"Cdc" for Các
_OCR_FIRST = {"s": "so", "se": "so", "cec": "cac", "cdc": "cac", "cic": "cac", "coc": "cac"}
_PAREN = re.compile(r"\([^)]*\)?")
_OCR_DIGIT_O = re.compile(r"(?<=[a-z])[06](?=[a-z])")
_OCR_Q = re.compile(r"(?<!mtt)(?<!mt)q(?!u)")
_CONNECTOR = re.compile(r"\b(va|voi)\b")

_GROUP_START = re.compile(
    r"^(cac|toan the|tat ca|moi|nhung|mot so)\b|^(thon|to dan pho|khu pho|ban nganh)\b"
)
_EXTERNAL = re.compile(
    r"^(cac\s+)?(so|bo|tong cuc|cuc|chinh phu|thu tuong|trung uong|tinh uy|thanh uy)\b"
    r"|\b(thanh pho|tinh|trung uong|quoc gia)$"
    r"|^(ubnd|cong an|bhxh|bao hiem xa hoi|kho bac|chi cuc|toa an|vien kiem sat)"
    r"\s+(thanh pho|tinh|tp|khu vuc)\b"
)


@functools.lru_cache(maxsize=16384)
def _fold(text: str) -> str:
    return fold(text or "")


@functools.lru_cache(maxsize=8192)
def unit_key(name: str) -> str:
    """The comparison key of a unit name (folded, rewritten, locality words dropped)."""
    s = _fold(name)
    s = _PAREN.sub(" ", s)
    s = s.replace("đ", "d")
    # OCR puts digits and Q for the round letters inside words ("Văn h6a", "Xã hQi");
    # Vietnamese never writes q without u
    if any(c.isdigit() for c in s) or "q" in s:
        s = _OCR_DIGIT_O.sub("o", s)
        s = _OCR_Q.sub("o", s)
    # OCR often reads 'đ' as 'p' or 'b' at the start of HĐND
    s = re.sub(r"\bh[dpb]{1,2}nd\b", "hdnd", s)
    for pattern, repl in _REWRITES:
        s = pattern.sub(repl, s)
    s = _PUNCT.sub(" ", s)
    s = _CONNECTOR.sub(" ", s)
    words = s.split()
    if len(words) > 1 and words[0] in _OCR_FIRST:
        words[0] = _OCR_FIRST[words[0]]
    s = " ".join(words)
    s = _TRAILING_LOCALITY.sub("", s)
    s = re.sub(r"\s+thuoc ubnd$", "", s)
    return s.strip()


@dataclass
class UnitDirectory:
    """An organization's units. Build with ``default_directory()`` and ``add()``."""

    units: list[Unit] = field(default_factory=list)
    _by_key: dict[str, Unit] = field(default_factory=dict, repr=False)
    _cache: dict[str, Unit | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        existing, self.units = self.units, []
        for u in existing:
            self._register(u)

    def _register(self, unit: Unit) -> Unit:
        self.units.append(unit)
        for alias in (unit.name, *unit.aliases):
            k = unit_key(alias)
            if k:
                self._by_key.setdefault(k, unit)
        self._cache.clear()
        return unit

    def add(
        self, name: str, aliases: Iterable[str] = (), *, key: str | None = None, kind: str = "unit"
    ) -> Unit:
        """Add a unit (or return the existing one and add the aliases to it)."""
        current = self._by_key.get(unit_key(name))
        if current is not None and current.kind == kind:
            if aliases:
                self.add_alias(current.key, *aliases)
            return self.get(current.key) or current
        unit = Unit(key or _slug(name), name, tuple(aliases), kind)
        return self._register(unit)

    def add_alias(self, unit_key_or_name: str, *aliases: str) -> Unit:
        unit = self.get(unit_key_or_name) or self.resolve(unit_key_or_name)
        if unit is None:
            raise KeyError(unit_key_or_name)
        new = Unit(unit.key, unit.name, tuple(dict.fromkeys((*unit.aliases, *aliases))), unit.kind)
        self.units = [new if u.key == unit.key else u for u in self.units]
        for k, v in list(self._by_key.items()):
            if v.key == unit.key:
                self._by_key[k] = new
        for alias in aliases:
            k = unit_key(alias)
            if k:
                self._by_key[k] = new
        self._cache.clear()
        return new

    def get(self, key: str) -> Unit | None:
        for u in self.units:
            if u.key == key:
                return u
        return None

    # ------------------------------------------------------------ lookup

    def resolve(self, name: str) -> Unit | None:
        """The canonical unit for ``name``, or None. Groups and external bodies resolve to
        a Unit of kind ``group``/``external`` carrying the cleaned name as written."""
        if name in self._cache:
            return self._cache[name]
        result = self._resolve(name)
        if len(self._cache) < 4096:
            self._cache[name] = result
        return result

    def _resolve(self, name: str) -> Unit | None:
        k = unit_key(name)
        if not k or len(k) < 2:
            return None
        hit = self._by_key.get(k)
        if hit is not None:
            return hit
        if is_group_key(k):
            return Unit("group:" + k, clean_unit_name(name), (), "group")
        if _EXTERNAL.search(k):
            return Unit("external:" + k, clean_unit_name(name), (), "external")
        if len(k) < 5 or len(k) > 90:
            return None
        best = process.extractOne(
            k, list(self._by_key), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        if best is not None:
            return self._by_key[best[0]]
        return None

    def exact(self, name: str) -> Unit | None:
        """The unit whose name or alias has exactly this key (no fuzzy matching)."""
        return self._by_key.get(unit_key(name))

    def suggest(self, name: str, limit: int = 2, cutoff: float = 60.0) -> list[str]:
        """Canonical names of the closest units, for a monitor to map an unknown name to."""
        k = unit_key(name)
        if not k:
            return []
        hits = process.extract(
            k, list(self._by_key), scorer=fuzz.token_set_ratio, score_cutoff=cutoff, limit=limit * 4
        )
        names = [self._by_key[h[0]].name for h in hits if self._by_key[h[0]].kind == "unit"]
        return list(dict.fromkeys(names))[:limit]

    def is_known(self, name: str) -> bool:
        u = self.resolve(name)
        return u is not None and u.kind == "unit"

    def copy(self) -> UnitDirectory:
        return UnitDirectory(list(self.units))


def is_group_key(k: str) -> bool:
    return bool(_GROUP_START.search(k))


def is_group(name: str) -> bool:
    """``Các cơ quan liên quan``, ``các đơn vị``, ``Các phòng ban chuyên môn`` …"""
    return is_group_key(unit_key(name))


def clean_unit_name(name: str) -> str:
    s = " ".join((name or "").replace("\n", " ").split())
    s = re.sub(r"^(?:đ/c|d/c|đồng chí)\s+", "", s, flags=re.I)
    s = s.strip(" .;,:-–")
    # a dangling open parenthesis from a wrapped cell
    if s.count("(") > s.count(")"):
        s = s + ")"
    if s[:1].islower():
        s = s[0].upper() + s[1:]
    return s


def _slug(name: str) -> str:
    return unit_key(name).replace(" ", "-")[:60] or "unit"


# ---------------------------------------------------------------- splitting a cell

_HEADS = (
    r"Phòng|Văn phòng|Trung tâm|Công an|Ban|Sở|Bộ|Ủy ban|Uỷ ban|Các|các|Hội|Đoàn|Trường|Trạm"
    r"|Chi cục|Kho bạc|Bảo hiểm|Đảng ủy|Đảng uỷ|Ban Chỉ huy|Quân sự|Thanh tra|Tòa án|Viện"
    r"|Phong|Van phong|Trung tam|Cong an|So|Bo|Uy ban|Cac|cac|Hoi|Doan|Truong|Tram|MTTQ"
    r"|UBMTTQ|TT|VP|BCH|Mặt trận|Mat tran|Hạt|Đội|Doi|Thôn|Thon|Tổ|To"
)
_SPLIT_SEMI = re.compile(r"\s*[;\n]\s*")
_SPLIT_COMMA = re.compile(rf",\s*(?=(?:{_HEADS})\b)")
_SPLIT_AND = re.compile(r"\s+(?:và|va|cùng|cung)\s+(?=(?:các|cac|Các|Cac)\b)")
_SPLIT_AND_HEAD = re.compile(
    r"\s+(?:và|va)\s+(?=(?:Phòng|Văn phòng|Trung tâm|Công an|Ban Chỉ huy|Phong|Van phong|Trung tam)\b)"
)


def split_units(cell_text: str) -> list[str]:
    """Split a lead/cooperate cell into unit names, keeping commas inside names."""
    return list(_split_units(cell_text or ""))


@functools.lru_cache(maxsize=4096)
def _split_units(cell_text: str) -> tuple[str, ...]:
    text = " ".join((cell_text or "").replace("\n", "; ").split())
    if not text:
        return ()
    out: list[str] = []
    for part in _SPLIT_SEMI.split(text):
        for p2 in _SPLIT_AND.split(part):
            for p3 in _SPLIT_AND_HEAD.split(p2):
                for p4 in _SPLIT_COMMA.split(p3):
                    name = clean_unit_name(p4)
                    if name and len(unit_key(name)) >= 2:
                        out.append(name)
    # "các Bộ, ngành trung ương" and friends are one group even with a comma head
    merged: list[str] = []
    for name in out:
        if merged and _fold(name).startswith(("nganh", "don vi", "dia phuong")):
            merged[-1] = merged[-1] + ", " + name
        else:
            merged.append(name)
    return tuple(dict.fromkeys(merged))


# ---------------------------------------------------------------- default directory

_COMMON: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "van-phong",
        "Văn phòng HĐND và UBND",
        (
            "Văn phòng HĐND-UBND",
            "Văn phòng HĐND&UBND",
            "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
            "VP HĐND và UBND",
            "Văn phòng UBND",
        ),
    ),
    (
        "vhxh",
        "Phòng Văn hóa – Xã hội",
        ("Phòng Văn hóa - Xã hội", "Phòng VH-XH", "Phòng VHXH", "Phòng Văn hoá Xã hội"),
    ),
    (
        "tt-hcc",
        "Trung tâm Phục vụ hành chính công",
        (
            "TT PV HCC",
            "Trung tâm Phục vụ HCC",
            "Trung tâm PV HCC",
            "Trung tâm hành chính công",
            "Bộ phận Hành chính công",
            "Bộ phận một cửa",
        ),
    ),
    (
        "tt-vhtt",
        "Trung tâm Văn hóa, Thể thao và Truyền thông",
        (
            "Trung tâm Văn hóa - Thể thao và Truyền thông",
            "Trung tâm Văn hóa, TT&TT",
            "Trung tâm VH, TT và TT",
            "Trung tâm Văn hóa Thể thao và Truyền thông",
        ),
    ),
    ("cong-an", "Công an", ("Công an xã", "Công an phường", "CA xã", "CA phường")),
    (
        "quan-su",
        "Ban Chỉ huy Quân sự",
        ("Ban CHQS", "BCH Quân sự", "Ban Chỉ huy quân sự xã", "Ban chỉ huy quân sự phường"),
    ),
    (
        "mttq",
        "Ủy ban MTTQ Việt Nam",
        ("UBMTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam", "MTTQ", "Mặt trận Tổ quốc", "UB MTTQ"),
    ),
    ("ubnd", "UBND", ("Ủy ban nhân dân", "UBND xã", "UBND phường")),
    ("hdnd", "Thường trực HĐND", ("TT HĐND", "Thường trực Hội đồng nhân dân", "HĐND")),
    ("dang-uy", "Đảng ủy", ("Đảng uỷ", "Ban Thường vụ Đảng ủy", "Thường trực Đảng ủy")),
    ("tram-y-te", "Trạm Y tế", ("Trạm Y tế xã", "Trạm Y tế phường")),
    # The mass organisations of every commune: often cooperating units of a UBND plan.
    (
        "hoi-phu-nu",
        "Hội Liên hiệp Phụ nữ",
        ("Hội LHPN", "Hội Phụ nữ", "Hội Liên hiệp Phụ nữ xã", "Hội LHPN xã", "Hội LHPN phường"),
    ),
    ("hoi-nong-dan", "Hội Nông dân", ("Hội ND", "Hội Nông dân xã", "Hội Nông dân phường")),
    (
        "doan-thanh-nien",
        "Đoàn Thanh niên",
        (
            "Đoàn TNCS Hồ Chí Minh",
            "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
            "Đoàn TN",
            "Xã đoàn",
            "Phường đoàn",
            "Đoàn xã",
            "Đoàn phường",
        ),
    ),
    ("hoi-ccb", "Hội Cựu chiến binh", ("Hội CCB", "Hội Cựu chiến binh xã", "Hội CCB xã")),
]


def default_directory(level: str = "xa") -> UnitDirectory:
    """The usual units of a commune (``level='xa'``) or ward (``'phuong'``) after the 2025
    reform. Organizations add their own with ``add()``/``add_alias()``."""
    d = UnitDirectory()
    for key, name, aliases in _COMMON:
        d.add(name, aliases, key=key)
    if level == "phuong":
        d.add(
            "Phòng Kinh tế, Hạ tầng và Đô thị",
            (
                "Phòng KT, HT và ĐT",
                "Phòng Kinh tế - Hạ tầng - Đô thị",
                "Phòng Kinh tế Hạ tầng Đô thị",
                "Phòng Kinh tế",
            ),
            key="kinh-te",
        )
    else:
        d.add(
            "Phòng Kinh tế",
            ("Phòng KT", "Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng Kinh tế - Hạ tầng - Đô thị"),
            key="kinh-te",
        )
    return d


_SHARED: dict[str, UnitDirectory] = {}


def shared_default_directory(level: str = "xa") -> UnitDirectory:
    """A process-wide default directory (read-only use: its resolve cache stays warm)."""
    d = _SHARED.get(level)
    if d is None:
        d = _SHARED[level] = default_directory(level)
    return d
