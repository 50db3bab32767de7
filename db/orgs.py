"""Organizations and their units."""

from __future__ import annotations

from sqlmodel import Session, select

from db.models import Organization, Unit


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
