"""Who may hold the console's simulated phones: voters of the roster and
deputies, each with an openid (the demo township gives everyone one), and the
pair the page starts with: a voter and their "3+10" deputy (their group's
deputy, else one stationed at their site), who gets their opinions."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...models import Deputy, Voter
from .voters import village_name


@dataclass(frozen=True)
class Person:
    code: str
    name: str
    openid: str
    where: str  # a voter's village; empty for a deputy


def voters(session: Session) -> list[Person]:
    rows = session.scalars(select(Voter).where(Voter.code.is_not(None), Voter.openid.is_not(None))
                           .options(joinedload(Voter.village)).order_by(Voter.code)).all()
    return [Person(v.code, v.name or "群众", v.openid, village_name(v.village)) for v in rows]


def deputies(session: Session) -> list[Person]:
    rows = session.scalars(select(Deputy).where(Deputy.openid.is_not(None)).order_by(Deputy.code)).all()
    return [Person(d.code, d.name, d.openid, "") for d in rows]


def voter(session: Session, code: str) -> Person | None:
    row = session.scalar(select(Voter).where(Voter.code == code, Voter.openid.is_not(None))) if code else None
    return Person(row.code, row.name or "群众", row.openid, village_name(row.village)) if row else None


def deputy(session: Session, code: str) -> Person | None:
    row = session.scalar(select(Deputy).where(Deputy.code == code, Deputy.openid.is_not(None))) if code else None
    return Person(row.code, row.name, row.openid, "") if row else None


def pair(session: Session, voter_code: str = "", deputy_code: str = "") -> tuple[Person | None, Person | None]:
    """The chosen voter and deputy; where one is not chosen (or unknown), the
    first voter and that voter's own deputy."""
    chosen = voter(session, voter_code) or next(iter(voters(session)), None)
    held = deputy(session, deputy_code)
    if held is None and chosen is not None:
        held = _own_deputy(session, chosen.code)
    return chosen, held or next(iter(deputies(session)), None)


def _own_deputy(session: Session, voter_code: str) -> Person | None:
    row = session.scalar(select(Voter).where(Voter.code == voter_code))
    found = row.group.deputy if row is not None and row.group is not None else None
    if (found is None or not found.openid) and row is not None and row.home_site_id is not None:
        found = session.scalar(select(Deputy).where(Deputy.site_id == row.home_site_id, Deputy.openid.is_not(None))
                               .order_by(Deputy.code).limit(1))
    return deputy(session, found.code) if found is not None else None
