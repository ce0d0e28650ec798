"""Answers to voters' questions: reception day, where their point is, how their
opinions are doing, how to apply for common benefits."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Deputy, Site, Ticket, Voter
from . import texts
from .assignment import voter_site_id
from .reception import BEIJING, describe, next_reception


def answer(session: Session, voter: Voter, topic: str | None, now: datetime) -> str:
    if topic == "reception_day":
        return reception_day(session, voter, now)
    if topic == "site_location":
        return site_location(session, voter)
    if topic == "progress":
        return progress(session, voter)
    if topic == "benefits":
        return texts.BENEFITS_ANSWER
    return texts.QUESTION_GENERAL


def _site(session: Session, voter: Voter) -> Site | None:
    site_id = voter_site_id(voter)
    return session.get(Site, site_id) if site_id else None


def reception_day(session: Session, voter: Voter, now: datetime) -> str:
    site = _site(session, voter)
    if site is None:
        return texts.RECEPTION_GENERAL
    names = session.scalars(select(Deputy.name).where(Deputy.site_id == site.id, Deputy.active.is_(True))
                            .order_by(Deputy.id)).all()
    deputies = texts.RECEPTION_DEPUTIES.format(names="、".join(names)) if names else ""
    return texts.RECEPTION_ANSWER.format(date=describe(next_reception(site.reception_day, now)),
                                         hours=texts.RECEPTION_HOURS, site=site.name,
                                         address=site.address or "联络站", deputies=deputies)


def site_location(session: Session, voter: Voter) -> str:
    site = _site(session, voter)
    if site is None:
        return texts.RECEPTION_GENERAL
    return texts.SITE_ANSWER.format(site=site.name, address=site.address or "乡政府", day=site.reception_day)


def progress(session: Session, voter: Voter, limit: int = 5) -> str:
    rows = session.scalars(select(Ticket).where(Ticket.voter_id == voter.id)
                           .order_by(Ticket.id.desc()).limit(limit)).all()
    if not rows:
        return texts.PROGRESS_NONE
    lines = [texts.PROGRESS_HEAD]
    for t in rows:
        created = t.created_at if t.created_at.tzinfo else t.created_at.replace(tzinfo=timezone.utc)  # SQLite
        when = created.astimezone(BEIJING)
        short = t.text if len(t.text) <= 12 else t.text[:12] + "…"
        lines.append(texts.PROGRESS_LINE.format(number=t.number, status=texts.STATUS_NAMES.get(t.status, t.status),
                                                when=f"{when.month}月{when.day}日", text=short))
    return "\n".join(lines)
