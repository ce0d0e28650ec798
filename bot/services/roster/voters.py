"""Finding the voter or deputy behind an openid."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...models import Deputy, Village, Voter, VoterGroup
from .. import texts


def ensure_voter(session: Session, openid: str, now: datetime) -> Voter:
    """The voter with this openid, created on first contact."""
    # One query for what assignment and the push need: group, deputy, village.
    voter = session.scalar(select(Voter).where(Voter.openid == openid).options(
        joinedload(Voter.group).joinedload(VoterGroup.deputy), joinedload(Voter.village)))
    if voter is None:
        voter = Voter(openid=openid, subscribed=True, created_at=now)
        session.add(voter)
        session.flush()
    return voter


def deputy_by_openid(session: Session, openid: str) -> Deputy | None:
    return session.scalar(select(Deputy).where(Deputy.openid == openid))


def display_name(name: str | None) -> str:
    """A voter's name as shown to a deputy: surname and 某, or 群众."""
    return f"{name[0]}某" if name else "群众"


def village_name(village: Village | None) -> str:
    """A ticket's village as shown to deputies and staff."""
    return village.name if village is not None else texts.UNREGISTERED_VILLAGE


def masked(voter: Voter | None, mask_village: bool = True) -> str:
    """A voter as a deputy or a staff alert shows them: "吴某", or with the
    setting MASK_VILLAGE off "吴某（新民村）" (in a small village that can name them)."""
    who = display_name(voter.name if voter is not None else None)
    if mask_village or voter is None or voter.village is None:
        return who
    return f"{who}（{voter.village.name}）"
