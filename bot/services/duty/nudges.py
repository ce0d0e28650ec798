"""The monthly nudge (每月履职提醒): one WeChat message to each deputy who is
behind on the "十个一" items (compliance.py), listing those items.

One per deputy per month: the outbox row's dedupe key names the deputy and
the month, so a second run in the same month (a retried job, two beats, staff
running `liaison duty nudge` after the scheduler) queues nothing new. Only
deputies who can receive pushes (Deputy.reachable: in office, bound to WeChat,
following the account) are sent to. The scheduler runs the job every morning
and it sends from the month's first working day on (`is_send_day`): a beat
missed that day (the worker down) is made up by the next run, and the key
keeps it to one a month; the command sends at once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models import Deputy
from ..calendar.holidays import Holidays
from ..outbox import notify
from ..outcome import Outcome
from . import compliance
from .compliance import ItemStatus
from .items import HALF, MONTH

TITLE = "履职提醒"
KIND = "duty_nudge"


def key(deputy_id: int, today: date) -> str:
    return f"duty-nudge:{deputy_id}:{today:%Y-%m}"


def first_workday(holidays: Holidays, year: int, month: int) -> date:
    day = date(year, month, 1)
    while not holidays.is_workday(day):
        day += timedelta(days=1)
    return day


def is_send_day(session: Session, today: date) -> bool:
    """Whether the scheduler sends: from the first working day of the month on (statutory
    holidays and make-up working days as the reception calendar reads them, staff entries
    first), so a run missed that day is made up the next; the outbox key sends once."""
    return today >= first_workday(Holidays(session), today.year, today.month)


def _line(n: int, s: ItemStatus) -> str:
    if s.item.cadence == MONTH:
        return f"{n}. {s.item.name}：已 {s.done} 次，到现在应有 {s.due} 次（每月至少一次）"
    if s.item.cadence == HALF:
        if s.short > 1:
            return f"{n}. {s.item.name}：上半年、下半年都还没有（每半年至少一次）"
        if s.due == 1:
            return f"{n}. {s.item.name}：上半年还没有（每半年至少一次）"
        return f"{n}. {s.item.name}：下半年还没有（每半年至少一次，12月31日前）"
    return f"{n}. {s.item.name}：今年还没有（每年至少一次，12月31日前）"


def text(name: str, today: date, behind: list[ItemStatus]) -> str:
    lines = "\n".join(_line(n, s) for n, s in enumerate(behind, start=1))
    return (f"【{TITLE}】{name}代表您好！截至{today.month}月{today.day}日，您今年的“十个一”履职活动"
            f"还有 {len(behind)} 项没有跟上：\n{lines}\n"
            "请抽空安排。已经做了但还没记上的，请告诉联络站工作人员补录。")


@dataclass
class NudgeRun:
    today: date
    sent: list[str] = field(default_factory=list)  # deputy codes queued this run
    already: list[str] = field(default_factory=list)  # nudged earlier this month
    unreachable: list[str] = field(default_factory=list)  # behind, but not bound to WeChat
    on_track: int = 0
    outcome: Outcome = field(default_factory=Outcome)

    def as_dict(self) -> dict:
        return {"today": self.today.isoformat(), "sent": self.sent, "already": self.already,
                "unreachable": self.unreachable, "on_track": self.on_track}


def run(session: Session, today: date, now: datetime) -> NudgeRun:
    """Queue this month's nudges as of `today`; the caller commits through
    bot/jobs/commit.py so the pushes go out after the commit."""
    done = NudgeRun(today=today)
    deputies = {d.id: d for d in session.scalars(select(Deputy).where(Deputy.active.is_(True)))}
    for year in compliance.report(session, today.year, today):
        behind = year.behind
        if not behind:
            done.on_track += 1
            continue
        deputy = deputies[year.deputy_id]
        if not deputy.reachable:
            done.unreachable.append(deputy.code)
            continue
        fields = (("keyword1", "“十个一”履职活动"), ("keyword2", f"{len(behind)} 项没有跟上"),
                  ("keyword3", "、".join(s.item.name for s in behind)[:20]))
        try:
            # A concurrent twin run loses on the unique key here, not at the final commit.
            with session.begin_nested():
                push = notify.queue(session, key=key(deputy.id, today), openid=deputy.openid, kind=KIND,
                                    text=text(deputy.name, today, behind), title=TITLE, fields=fields, now=now)
        except IntegrityError:
            push = None
        if push is None:
            done.already.append(deputy.code)
            continue
        done.sent.append(deputy.code)
        done.outcome.add_pushes([push])
    return done
