"""Organizations and their units."""

from __future__ import annotations

from sqlmodel import Session, select

from db.models import Organization, Unit
from plans.text import fold
from plans.units import UnitDirectory, default_directory


class NotFound(Exception):
    """A row the caller named does not exist in this organization."""


def get_or_create_org(session: Session, slug: str, name: str | None = None) -> Organization:
    org = session.exec(select(Organization).where(Organization.slug == slug)).first()
    if org is None:
        org = Organization(slug=slug, name=name or slug)
        session.add(org)
        session.flush()
    return org


def get_org(session: Session, slug: str) -> Organization:
    org = session.exec(select(Organization).where(Organization.slug == slug)).first()
    if org is None:
        raise NotFound(f"Không tìm thấy đơn vị hành chính có mã {slug!r}.")
    return org


def list_units(session: Session, org_id: int) -> list[Unit]:
    return list(session.exec(select(Unit).where(Unit.org_id == org_id).order_by(Unit.name)))


def get_or_create_unit(
    session: Session, org_id: int, name: str, aliases: list[str] | None = None, kind: str = "unit"
) -> Unit:
    unit = session.exec(select(Unit).where(Unit.org_id == org_id, Unit.name == name)).first()
    if unit is None:
        unit = Unit(org_id=org_id, name=name, aliases=list(aliases or []), kind=kind)
        session.add(unit)
        session.flush()
    elif aliases:
        merged = sorted(set(unit.aliases) | set(aliases))
        if merged != sorted(unit.aliases):
            unit.aliases = merged
            session.add(unit)
    return unit


def org_level(org: Organization) -> str:
    """Wards ("phường") have a different set of usual units than communes ("xã")."""
    return "phuong" if "phuong" in fold(org.name or "").split() else "xa"


def org_directory(session: Session, org_id: int) -> UnitDirectory:
    """The usual units plus this organization's own units and the aliases mapped so far."""
    org = session.get(Organization, org_id)
    directory = UnitDirectory()
    # The organization's own names first, so that they stay canonical and a usual unit
    # written another way (its alias) resolves to the row that already exists.
    for unit in list_units(session, org_id):
        directory.add(unit.name, unit.aliases, kind="unit")
    for usual in default_directory(org_level(org) if org else "xa").units:
        directory.add(usual.name, usual.aliases, key=usual.key, kind=usual.kind)
    return directory


def resolve_unit(session: Session, org_id: int, name: str) -> Unit:
    """The organization's unit an administrator means by ``name`` (aliases, abbreviations,
    missing diacritics); a name matching none becomes a new unit."""
    found = org_directory(session, org_id).resolve(name)
    if found is not None and found.kind == "unit":
        existing = session.exec(
            select(Unit).where(Unit.org_id == org_id, Unit.name == found.name)).first()
        if existing is not None:
            return existing
        return get_or_create_unit(session, org_id, found.name)
    return get_or_create_unit(session, org_id, name.strip())
