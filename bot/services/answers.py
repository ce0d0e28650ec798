"""Answers to voters' questions: reception day, where their point is, how their
opinions are doing, how to apply for common benefits."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Site, Ticket, Voter
from . import texts
from .assignment import voter_site_id
from .reception import BEIJING, Calendar, beijing_today, describe, rule_for


def answer(session: Session, voter: Voter, topic: str | None, now: datetime) -> str:
    if topic == "reception_day":
        return reception_day(session, voter, now)
    if topic == "on_duty":
        return on_duty(session, voter, now)
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
    """The next date, hours, place and deputies on duty for the voter's site."""
    site = _site(session, voter)
    occ = Calendar(session).next_for(site.id, beijing_today(now)) if site else None
    if site is None or occ is None:
        return texts.RECEPTION_GENERAL
    deputies = texts.RECEPTION_DEPUTIES.format(names=occ.names) if occ.deputies else ""
    own = voter.group.deputy if voter.group is not None else None
    if own is not None and all(d.id != own.id for d in occ.deputies):
        deputies += texts.RECEPTION_YOUR_DEPUTY.format(name=own.name)
    return texts.RECEPTION_ANSWER.format(date=describe(occ.date), hours=occ.hours, site=site.name,
                                         address=occ.place, deputies=deputies)


def on_duty(session: Session, voter: Voter, now: datetime) -> str:
    """值班代表: who receives voters at the voter's next reception."""
    site = _site(session, voter)
    occ = Calendar(session).next_for(site.id, beijing_today(now)) if site else None
    if occ is None:
        return texts.RECEPTION_GENERAL if site is None else texts.DUTY_NONE
    return texts.DUTY_ANSWER.format(date=describe(occ.date), site=occ.site_name, names=occ.names or "待安排")


def site_location(session: Session, voter: Voter) -> str:
    site = _site(session, voter)
    if site is None:
        return texts.RECEPTION_GENERAL
    rule = rule_for(session, site)
    return texts.SITE_ANSWER.format(site=site.name, address=rule.place or site.address or "乡政府",
                                    day=rule.day_of_month)


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
