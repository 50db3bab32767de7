"""Unit directory: aliases, abbreviations, OCR spellings, groups, splitting cells."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.units import UnitDirectory, default_directory, is_group, split_units


def test_hcc_variants_resolve_to_one_unit() -> None:
    d = default_directory()
    keys = {
        d.resolve(n).key  # type: ignore[union-attr]
        for n in (
            "TT PV HCC",
            "Trung tâm Phục vụ HCC xã",
            "Trung tam Phuc vu HCC xa",
            "Trung tâm Phục vụ hành chính công",
            "Trung tâm PV HCC",
            "Trung tim Phuc vu HCC xa",  # OCR
        )
    }
    assert keys == {"tt-hcc"}


def test_office_variants() -> None:
    d = default_directory()
    for n in (
        "Văn phòng HĐND-UBND",
        "Văn phòng HĐND & UBND",
        "Van phong HDBND&UBND xa",
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã",
        "VP HĐND và UBND",
    ):
        u = d.resolve(n)
        assert u is not None and u.key == "van-phong", n
    assert d.resolve("Phòng Văn hoá- Xã hội").key == "vhxh"  # type: ignore[union-attr]
    assert d.resolve("Phong Vin hoa- X ho1 xa").key == "vhxh"  # type: ignore[union-attr]
    assert d.resolve("Phòng Kinh Tế xã").key == "kinh-te"  # type: ignore[union-attr]
    assert d.resolve("Công an phường").key == "cong-an"  # type: ignore[union-attr]


def test_ward_directory() -> None:
    d = default_directory("phuong")
    u = d.resolve("Phòng Kinh tế, Hạ tầng và Đô thị")
    assert u is not None and u.name == "Phòng Kinh tế, Hạ tầng và Đô thị"


def test_groups_are_kept() -> None:
    d = default_directory()
    for n in (
        "Các cơ quan liên quan",
        "Các phòng ban chuyên môn",
        "các đơn vị",
        "Cac co quan chuyen mon",
    ):
        u = d.resolve(n)
        assert u is not None and u.kind == "group", n
        assert is_group(n)
    assert d.resolve("các đơn vị").name == "Các đơn vị"  # type: ignore[union-attr]


def test_external_and_unknown() -> None:
    d = default_directory()
    u = d.resolve("Sở Tư pháp")
    assert u is not None and u.kind == "external"
    assert d.resolve("Công an thành phố").kind == "external"  # type: ignore[union-attr]
    assert d.resolve("Hợp tác xã Nông nghiệp Đông Hưng") is None
    assert d.resolve("") is None


def test_organization_adds_units_and_aliases() -> None:
    d = default_directory()
    assert d.resolve("Ban Quản lý chợ") is None
    d.add("Ban Quản lý chợ", ["BQL chợ"])
    assert d.resolve("BQL chợ").name == "Ban Quản lý chợ"  # type: ignore[union-attr]
    d.add_alias("tt-hcc", "Bộ phận tiếp nhận và trả kết quả")
    assert d.resolve("Bộ phận tiếp nhận và trả kết quả").key == "tt-hcc"  # type: ignore[union-attr]
    # the shared default is not changed by one organization's additions
    assert default_directory().resolve("BQL chợ") is None
    assert isinstance(d.copy(), UnitDirectory)


def test_split_units() -> None:
    assert split_units("Phòng Kinh tế; Văn phòng HĐND-UBND và các cơ quan liên quan") == [
        "Phòng Kinh tế",
        "Văn phòng HĐND-UBND",
        "Các cơ quan liên quan",
    ]
    assert split_units("Phòng Kinh tế, Hạ tầng và Đô thị") == ["Phòng Kinh tế, Hạ tầng và Đô thị"]
    assert split_units("Phòng Văn hóa - Xã hội, Trung tâm Văn hóa, Thể thao và Truyền thông") == [
        "Phòng Văn hóa - Xã hội",
        "Trung tâm Văn hóa, Thể thao và Truyền thông",
    ]
    assert split_units("Văn phòng HĐND và UBND") == ["Văn phòng HĐND và UBND"]
    assert split_units("Sở Tư pháp; các Bộ, ngành trung ương") == [
        "Sở Tư pháp",
        "Các Bộ, ngành trung ương",
    ]
    assert split_units("Các cơ quan, đơn vị thuộc UBND xã") == ["Các cơ quan, đơn vị thuộc UBND xã"]
    assert split_units("") == []


@given(st.text(max_size=200))
def test_resolve_and_split_never_raise(s: str) -> None:
    d = default_directory()
    d.resolve(s)
    for name in split_units(s):
        d.resolve(name)


@pytest.mark.parametrize(
    ("level", "name", "canonical"),
    [
        ("xa", "UBMTTQVN phường", "Ủy ban MTTQ Việt Nam"),
        ("xa", "Ủy ban MTTQ VN xã", "Ủy ban MTTQ Việt Nam"),
        ("xa", "UBMTTQ Việt Nam phường", "Ủy ban MTTQ Việt Nam"),
        ("xa", "TT VHTT&TT xã", "Trung tâm Văn hóa, Thể thao và Truyền thông"),
        ("xa", "Trung tâm VH-TT&TT", "Trung tâm Văn hóa, Thể thao và Truyền thông"),
        ("phuong", "Phòng KT-HT&ĐT", "Phòng Kinh tế, Hạ tầng và Đô thị"),
        ("phuong", "Phòng KTHT&ĐT", "Phòng Kinh tế, Hạ tầng và Đô thị"),
        ("phuong", "Phòng KT, HT&ĐT", "Phòng Kinh tế, Hạ tầng và Đô thị"),
    ],
)
def test_second_round_abbreviations(level: str, name: str, canonical: str) -> None:
    """Abbreviations printed in other provinces' tables; 'MTTQ' is not OCR for 'MTTO'."""
    u = default_directory(level).resolve(name)
    assert u is not None and u.name == canonical
