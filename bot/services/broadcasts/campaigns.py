"""Publicity-day campaigns (法治宣传日): drafts prefilled once a year for staff
to edit and schedule: 5 June environment, 25 June land, 4 December constitution."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models import Broadcast
from .. import texts
from ..calendar.local_time import BEIJING
from .broadcast import create

DAYS = (("environment", 6, 5), ("land", 6, 25), ("constitution", 12, 4))


def prefill(session: Session, year: int, now: datetime) -> list[Broadcast]:
    """Create this year's drafts that do not exist yet; returns the new ones."""
    made = []
    for key, month, day in DAYS:
        campaign = f"publicity:{year}:{key}"
        if session.scalar(select(Broadcast.id).where(Broadcast.campaign_key == campaign)) is not None:
            continue
        title, text = texts.PUBLICITY[key]
        when = datetime.combine(datetime(year, month, day).date(), time(9, 0), BEIJING)
        made.append(create(session, text=text, title=title, targets={"kind": "all", "codes": []},
                           author="系统预置", now=now, scheduled_at=when, campaign_key=campaign))
    return made


def ensure(session: Session, now: datetime) -> list[Broadcast]:
    """This (Beijing) year's drafts, made if missing: the console's list shows
    them even where the nightly job has not run. Two requests at once may
    both try; the unique campaign key keeps one, the other makes none."""
    try:
        with session.begin_nested():
            return prefill(session, now.astimezone(BEIJING).year, now)
    except IntegrityError:
        return []
