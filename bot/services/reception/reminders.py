"""Reception reminders and change notices, through the outbox.

T-3 (configurable): the site's voters get the notice, the deputies on duty
their own reminder; on the day the deputies are reminded again, with the
bookings. Every push has a key per (reception, event, person), so a job run
twice queues nothing new and the delivery task never sends twice.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ...models import OutboundPush, PushStatus, Reception, ReceptionBooking, ReceptionDuty, Village, Voter, VoterGroup
from .. import texts
from .calendar import Calendar, Occurrence, ReceptionError, beijing_today, describe_day, find, materialize

BATCH = 1000


def _existing(session: Session, prefix: str) -> set[str]:
    return set(session.scalars(select(OutboundPush.dedupe_key)
                               .where(OutboundPush.dedupe_key.like(prefix + "%"))))


def _queue_many(session: Session, prefix: str, kind: str, openids, text: str, title: str,
                fields: tuple, now: datetime) -> list[int]:
    """Queue one push per openid under `prefix + openid`, skipping those queued before."""
    seen = _existing(session, prefix)
    payload = {"text": text, "title": title, "fields": [list(f) for f in fields]}
    ids: list[int] = []
    batch: list[dict] = []

    def flush() -> None:
        if batch:
            ids.extend(session.scalars(insert(OutboundPush).returning(OutboundPush.id), batch))
            batch.clear()

    for openid in openids:
        key = prefix + openid
        if key in seen:
            continue
        seen.add(key)
        batch.append({"dedupe_key": key, "recipient_openid": openid, "kind": kind, "payload": payload,
                      "status": PushStatus.PENDING, "attempts": 0, "created_at": now})
        if len(batch) >= BATCH:
            flush()
    flush()
    return ids


def site_voter_openids(session: Session, site_id: int):
    """Subscribed voters on WeChat whose site (group's, own, or village's) is this one, streamed."""
    site = func.coalesce(VoterGroup.site_id, Voter.site_id, Village.site_id)
    query = (select(Voter.openid).outerjoin(VoterGroup, VoterGroup.id == Voter.group_id)
             .outerjoin(Village, Village.id == Voter.village_id)
             .where(site == site_id, Voter.openid.is_not(None), Voter.subscribed.is_(True))
             .order_by(Voter.id).execution_options(yield_per=BATCH))
    return session.scalars(query)


def _deputy_openids(occ: Occurrence) -> list[str]:
    return [d.openid for d in occ.deputies if d.reachable]


def voter_notice(occ: Occurrence) -> str:
    return texts.RECEPTION_NOTICE.format(date=describe_day(occ.date), starts=occ.starts.lstrip("0"),
                                         ends=occ.ends.lstrip("0"), site=occ.site_name,
                                         deputies=occ.names or "值班代表", place=occ.place)


def remind(session: Session, today: date, now: datetime, days_before: int = 3) -> list[int]:
    """Queue the reminders due today; returns the new push ids (enqueue them after the commit)."""
    cal = Calendar(session)
    ids: list[int] = []
    for occ in cal.on(today + timedelta(days=days_before)):
        rec = materialize(session, occ)
        fields = (("keyword1", occ.site_name), ("keyword2", describe_day(occ.date)),
                  ("keyword3", occ.place), ("keyword4", occ.names))
        ids += _queue_many(session, f"reception:{rec.id}:t3:", "reception_notice",
                           site_voter_openids(session, occ.site_id), voter_notice(occ),
                           texts.RECEPTION_NOTICE_TITLE, fields, now)
        duty_text = texts.DUTY_REMINDER.format(date=describe_day(occ.date), hours=occ.hours,
                                               site=occ.site_name, place=occ.place, deputies=occ.names)
        ids += _queue_many(session, f"reception:{rec.id}:duty:", "duty_reminder", _deputy_openids(occ),
                           duty_text, texts.DUTY_REMINDER_TITLE, fields, now)
    for occ in cal.on(today):
        rec = materialize(session, occ)
        booked = bookings(session, rec.id)
        names = "、".join(f"{b.number}号{b.voter.name or '群众'}" for b in booked) or "暂无"
        text = texts.DUTY_TODAY.format(hours=occ.hours, site=occ.site_name, place=occ.place,
                                       count=len(booked), names=names)
        ids += _queue_many(session, f"reception:{rec.id}:day:", "duty_today", _deputy_openids(occ), text,
                           texts.DUTY_REMINDER_TITLE, (("keyword1", occ.site_name),), now)
    return ids


def bookings(session: Session, reception_id: int) -> list[ReceptionBooking]:
    return list(session.scalars(select(ReceptionBooking).where(
        ReceptionBooking.reception_id == reception_id, ReceptionBooking.status == "booked")
        .order_by(ReceptionBooking.number)))


# How far from its nominal date a reception may be moved (Calendar.on looks two months back).
MOVE_WINDOW = timedelta(days=31)


def attendance_marked(session: Session, reception_id: int | None) -> bool:
    """True once staff have marked whether anyone on duty came."""
    if reception_id is None:
        return False
    return session.scalar(select(ReceptionDuty.id).where(ReceptionDuty.reception_id == reception_id,
                                                         ReceptionDuty.attended.is_not(None)).limit(1)) is not None


def _check_change(session: Session, occ: Occurrence, to: date | None, today: date) -> None:
    # A reception that took place stays as it was: its attendance counts in the duty record.
    if attendance_marked(session, occ.reception_id):
        raise ReceptionError(f"{occ.site_name}{describe_day(occ.date)}的接待已经登记了值班代表出席，"
                             "不能再改期或取消")
    if occ.date < today and not occ.cancelled:
        raise ReceptionError(f"{occ.site_name}{describe_day(occ.date)}的接待已经过去了，不能再改期或取消")
    if to is None:
        if occ.cancelled:
            raise ReceptionError(f"{occ.site_name}{describe_day(occ.date)}的接待已经取消了")
        return
    if to == occ.date and not occ.cancelled:
        raise ReceptionError(f"{occ.site_name}的这次接待已经在{describe_day(to)}，不用改")
    if to < today:
        raise ReceptionError(f"不能改到已经过去的日子（{describe_day(to)}）")
    if abs(to - occ.nominal) > MOVE_WINDOW:
        raise ReceptionError(f"新日期要在原定日期{describe_day(occ.nominal)}前后 31 天之内；"
                             "更远的日子请取消这次接待，下个月照常安排")
    clash = next((o for o in Calendar(session).on(to) if o.site_id == occ.site_id and o.nominal != occ.nominal), None)
    if clash is not None:
        raise ReceptionError(f"{occ.site_name}在{describe_day(to)}已有一次接待（原定{describe_day(clash.nominal)}）")


def _told_before(session: Session, reception_id: int) -> tuple[list[str], int]:
    """Everyone a reminder or an earlier change notice reached, and how many changes there were."""
    prefix = f"reception:{reception_id}:"
    keys = session.scalars(select(OutboundPush.dedupe_key).where(OutboundPush.dedupe_key.like(prefix + "%"))
                           .order_by(OutboundPush.id))
    openids, changes = [], 0
    for key in keys:
        event, _, openid = key[len(prefix):].partition(":")
        if event in ("t3", "duty") or event.startswith("change"):
            openids.append(openid)
        if event.startswith("change") and event[6:].isdigit():
            changes = max(changes, int(event[6:]))
    return openids, changes


def _booked_openids(session: Session, reception_id: int) -> list[str]:
    return [b.voter.openid for b in bookings(session, reception_id) if b.voter.openid and b.voter.subscribed]


def change(session: Session, site_code: str, nominal: date, *, to: date | None, by: str, note: str,
           now: datetime) -> tuple[Reception, list[int]]:
    """Move (to a date) or cancel (to=None) one reception. Everyone already told
    of it (reminded, or told of an earlier change) and every voter booked gets
    one notice of this change. Returns the reception and new push ids.

    Raises LookupError (no such reception) or ReceptionError (a change that
    makes no sense: of a reception already held (its day past, or its attendance
    marked), to a past day, to the day it already has, far from its month, onto
    another reception of the site, cancelling twice)."""
    site, occ = find(session, site_code, nominal)
    _check_change(session, occ, to, beijing_today(now))
    rec = materialize(session, occ)
    note = note.strip()
    if to is None:
        rec.cancelled, rec.moved_to = True, None
        text = texts.RECEPTION_CANCELLED.format(date=describe_day(occ.date), site=site.name, note=note)
    else:
        rec.cancelled, rec.moved_to = False, to
        text = texts.RECEPTION_MOVED.format(old=describe_day(occ.date), new=describe_day(to), site=site.name,
                                            hours=occ.hours, place=occ.place, note=note)
    rec.note, rec.changed_by = note, by
    session.flush()
    told, changes = _told_before(session, rec.id)
    # Numbered, so moving away and back and away again still tells them each time;
    # the refusals above keep a repeated click from telling them twice.
    ids = _queue_many(session, f"reception:{rec.id}:change{changes + 1}:", "reception_change",
                      list(dict.fromkeys(told + _booked_openids(session, rec.id))),
                      text.strip(), texts.RECEPTION_CHANGE_TITLE, (("keyword1", site.name),), now)
    return rec, ids
