"""Answers to voters' questions: reception day, where their point is, how their
opinions are doing, how to apply for common benefits, and the service itself
(what the account does, who their deputy is, real names, voice)."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Deputy, Mandate, Site, Ticket, Village, Voter
from . import texts
from .reception.calendar import BEIJING, Calendar, beijing_today, describe, rule_for
from .tickets.classify import Classification, classify, service_aspect, without_service_questions

LONG_QUESTION = 18  # characters; past this a question usually carries a matter to file
_NOT_WORD = re.compile(r"[\W_]+")


def matter_beside(text: str, found: Classification) -> Classification | None:
    """The matter a question also tells, to be filed beside the answer, or None.
    A long question usually carries one. A question about the service carries
    one only in what is left without it, when that reads as an opinion (however
    unsure: it then waits in staff triage) or is long: "我们村的代表是谁？路灯坏了
    半年没人修" does (classified on "路灯坏了半年没人修"), "请问在这个公众号上反映
    问题要不要写真实姓名" does not. A voter's complaint is never dropped for a help text."""
    if found.topic != "service":
        return found if len(_NOT_WORD.sub("", text)) > LONG_QUESTION else None
    rest = without_service_questions(text)
    if len(_NOT_WORD.sub("", rest)) < 4:
        return None
    told = classify(rest)
    if told.intent in ("opinion", "followup"):
        return told  # an unsure one is filed too: staff triage is the normal route for it
    if told.intent in ("greeting", "rating"):
        return None
    return told if len(_NOT_WORD.sub("", rest)) > LONG_QUESTION else None


def answer(session: Session, voter: Voter, topic: str | None, now: datetime, text: str = "") -> str:
    if topic == "service":
        return service(session, voter, service_aspect(text) or "about")
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
    site_id = voter.home_site_id
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
        when = t.created_at.astimezone(BEIJING)
        short = t.text if len(t.text) <= 12 else t.text[:12] + "…"
        lines.append(texts.PROGRESS_LINE.format(number=t.number, status=texts.STATUS_NAMES.get(t.status, t.status),
                                                when=f"{when.month}月{when.day}日", text=short))
    return "\n".join(lines)


def service(session: Session, voter: Voter, aspect: str = "about") -> str:
    """How the account works, with what was asked first: the voter's deputy
    (or how to bind, for a voter we do not know), real names, voice."""
    parts = {"about": texts.SERVICE_ABOUT, "deputy": _your_deputy(session, voter),
             "anonymous": texts.SERVICE_NAME, "voice": texts.SERVICE_VOICE}
    order = [aspect] + [a for a in parts if a != aspect]
    return "\n".join([parts[a] for a in order] + [texts.SERVICE_MORE])


def linked_deputies(session: Session, voter: Voter) -> list[Deputy]:
    """The deputies "3+10" links the voter to: the deputy of their fixed-voter
    group, else the township deputies elected in their village's constituency."""
    if voter.group is not None and voter.group.deputy is not None and voter.group.deputy.active:
        return [voter.group.deputy]
    if voter.village_id is None:
        return []
    constituency = session.scalar(select(Village.constituency_id).where(Village.id == voter.village_id))
    if constituency is None:
        return []
    return list(session.scalars(select(Deputy).join(Mandate, Mandate.deputy_id == Deputy.id).where(
        Mandate.level == "township", Mandate.constituency_id == constituency, Deputy.active.is_(True))
        .order_by(Deputy.id)))


def _your_deputy(session: Session, voter: Voter) -> str:
    deputies = linked_deputies(session, voter)
    if deputies:
        return texts.SERVICE_DEPUTY.format(names="、".join(d.name for d in deputies))
    site = _site(session, voter)
    if site is not None:
        return texts.SERVICE_SITE.format(site=site.name)
    return texts.SERVICE_BIND
