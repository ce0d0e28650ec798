"""Broadcasts (通知): a staff notice to everyone, sites, villages, groups or
deputies only, delivered once per person.

Delivery rows are built from the audience in batches by person id with
INSERT ... SELECT (nothing of the audience is held in memory), then claimed
in batches by id. Claims carry the sender run's token; a run writes to a
journal (Redis) before and after each send, so after a worker is killed its
rows are settled exactly: sent, never attempted (back to the queue), or
in flight at the kill (unknown: never resent, shown to staff).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Protocol

from sqlalchemy import and_, case, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from ...messages import DeliveryError, Outgoing
from ...models import (TARGET_KINDS, Broadcast, BroadcastDelivery, BroadcastStatus, DeliveryStatus, Deputy,
                       Site, Village, Voter, VoterGroup)
from .. import texts

log = logging.getLogger(__name__)

REFUSED = (43004, 43101)  # the user unfollowed / refused this kind of message
QUOTA = (45009,)  # the account's daily API quota is spent: pause, resume tomorrow


class BroadcastError(ValueError):
    pass


class Journal(Protocol):
    """What a sender run did to each row it claimed (see bot/journal.py)."""

    def alive(self, token: str) -> bool: ...
    def outcomes(self, token: str, ids: list[int]) -> dict[int, str]: ...


@dataclass(frozen=True)
class Result:
    delivery_id: int
    status: str  # a DeliveryStatus (sent, failed, skipped, unknown), or retry, quota: not stored as such
    reason: str | None = None
    channel: str | None = None


# -- creating ----------------------------------------------------------------
def parse_targets(spec: str) -> dict[str, Any]:
    """"all", "deputies", "sites:station,shanfu", "villages:V01,V02", "groups:G01"."""
    kind, _, rest = spec.strip().partition(":")
    codes = [c.strip() for c in rest.split(",") if c.strip()]
    if kind not in TARGET_KINDS:
        raise BroadcastError(f"targets must be one of {', '.join(TARGET_KINDS)} (got {kind!r})")
    if kind in ("sites", "villages", "groups") and not codes:
        raise BroadcastError(f"{kind} needs codes, e.g. {kind}:CODE1,CODE2")
    return {"kind": kind, "codes": codes}


def _ids(session: Session, model: Any, codes: list[str]) -> list[int]:
    rows = dict(session.execute(select(model.code, model.id).where(model.code.in_(codes))).all())
    missing = [c for c in codes if c not in rows]
    if missing:
        raise BroadcastError(f"unknown {model.__tablename__}: {', '.join(missing)}")
    return list(rows.values())


def create(session: Session, *, text: str, targets: dict[str, Any], author: str, now: datetime,
           title: str = "", scheduled_at: datetime | None = None, template_id: str | None = None,
           campaign_key: str | None = None) -> Broadcast:
    if not text.strip():
        raise BroadcastError("a broadcast needs text")
    if not author.strip():
        raise BroadcastError("a broadcast needs an author")
    _audience(session, targets)  # validates the codes
    b = Broadcast(text=text.strip(), title=title, targets=targets, author=author, scheduled_at=scheduled_at,
                  template_id=template_id, status=BroadcastStatus.DRAFT, campaign_key=campaign_key, created_at=now,
                  staged_voter_id=0, staged_deputy_id=0, staged=False, pause_reason="")
    session.add(b)
    session.flush()
    return b


def _audience(session: Session, targets: dict[str, Any]):
    """(voters select of (id, openid, subscribed) or None, deputies select or None)."""
    kind, codes = targets.get("kind"), targets.get("codes") or []
    voters = select(Voter.id, Voter.openid, Voter.subscribed).where(Voter.openid.is_not(None))
    deputies = select(Deputy.id, Deputy.openid, Deputy.subscribed).where(
        Deputy.openid.is_not(None), Deputy.active.is_(True))
    if kind == "all":
        return voters, deputies
    if kind == "deputies":
        return None, deputies
    if kind == "sites":
        ids = _ids(session, Site, codes)
        site = func.coalesce(VoterGroup.site_id, Voter.site_id, Village.site_id)
        voters = (voters.outerjoin(VoterGroup, VoterGroup.id == Voter.group_id)
                  .outerjoin(Village, Village.id == Voter.village_id).where(site.in_(ids)))
        return voters, None
    if kind == "villages":
        return voters.where(Voter.village_id.in_(_ids(session, Village, codes))), None
    if kind == "groups":
        return voters.where(Voter.group_id.in_(_ids(session, VoterGroup, codes))), None
    raise BroadcastError(f"unknown target kind {kind!r}")


def preview(session: Session, b: Broadcast) -> dict[str, int]:
    return counts(session, b.targets)


def counts(session: Session, targets: dict[str, Any]) -> dict[str, int]:
    """How many will receive it, and how many are skipped (unsubscribed). A
    deputy who is also on the voter list with the same WeChat counts once."""
    out = {"recipients": 0, "skipped": 0}
    voters, deputies = _audience(session, targets)
    earlier = None
    for query in (voters, deputies):
        if query is None:
            continue
        sub = query.subquery()
        q = select(func.count(), func.coalesce(func.sum(case((sub.c.subscribed, 1), else_=0)), 0)).select_from(sub)
        if earlier is not None:
            q = q.where(~sub.c.openid.in_(select(earlier.c.openid)))
        total, subscribed = session.execute(q).one()
        out["recipients"] += int(subscribed)
        out["skipped"] += int(total) - int(subscribed)
        earlier = sub
    return out


# -- staff controls ----------------------------------------------------------
def schedule(session: Session, b: Broadcast, when: datetime | None, now: datetime) -> None:
    if b.status not in (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED):
        raise BroadcastError(f"broadcast {b.id} is {b.status}")
    b.scheduled_at = when or b.scheduled_at or now
    b.status = BroadcastStatus.SCHEDULED


def pause(session: Session, b: Broadcast, reason: str = "paused by staff") -> None:
    if b.status not in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING):
        raise BroadcastError(f"broadcast {b.id} is {b.status}, cannot pause")
    b.status, b.pause_reason = BroadcastStatus.PAUSED, reason


def resume(session: Session, b: Broadcast) -> None:
    if b.status != BroadcastStatus.PAUSED:
        raise BroadcastError(f"broadcast {b.id} is {b.status}, not paused")
    b.status, b.pause_reason = BroadcastStatus.SENDING if b.started_at else BroadcastStatus.SCHEDULED, ""


def cancel(session: Session, b: Broadcast, now: datetime) -> int:
    """Stop it; recipients still waiting are skipped ("cancelled"). Returns how many."""
    if b.status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED):
        raise BroadcastError(f"broadcast {b.id} is {b.status}")
    b.status, b.finished_at = BroadcastStatus.CANCELLED, now
    return session.execute(update(BroadcastDelivery).where(
        BroadcastDelivery.broadcast_id == b.id, BroadcastDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SKIPPED, reason="cancelled")).rowcount


def due(session: Session, now: datetime) -> list[int]:
    """Scheduled broadcasts whose time has come, and broadcasts being sent."""
    return list(session.scalars(select(Broadcast.id).where(or_(
        and_(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now),
        Broadcast.status == BroadcastStatus.SENDING)).order_by(Broadcast.id)))


def status(session: Session, broadcast_id: int) -> dict[str, Any]:
    b = session.get(Broadcast, broadcast_id)
    counts = dict(session.execute(select(BroadcastDelivery.status, func.count()).where(
        BroadcastDelivery.broadcast_id == broadcast_id).group_by(BroadcastDelivery.status)).all())
    return {"id": b.id, "status": b.status, "staged": b.staged, "pause_reason": b.pause_reason,
            "sent": counts.get(DeliveryStatus.SENT, 0), "failed": counts.get(DeliveryStatus.FAILED, 0),
            "skipped": counts.get(DeliveryStatus.SKIPPED, 0), "unknown": counts.get(DeliveryStatus.UNKNOWN, 0),
            "waiting": counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0),
            "total": sum(counts.values())}


# -- sending -----------------------------------------------------------------
def start(session: Session, broadcast_id: int, now: datetime) -> str:
    """Move a due broadcast to sending; returns its status. The row is locked
    and read afresh (as the console's edits and pause/cancel lock it), so a
    draft saved or a pause made meanwhile is seen, not overwritten."""
    b = session.scalar(select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
                       .execution_options(populate_existing=True))
    if b.status == BroadcastStatus.SCHEDULED and (b.scheduled_at is None or b.scheduled_at <= now):
        b.status, b.started_at = BroadcastStatus.SENDING, b.started_at or now
    return b.status


def stage(session: Session, broadcast_id: int, batch: int) -> bool:
    """Add the next batch of recipients as delivery rows; False when all are staged."""
    b = session.scalar(select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update())
    if b.staged:
        return False
    voters, deputies = _audience(session, b.targets)
    for query, person, cursor_attr in ((voters, "voter_id", "staged_voter_id"),
                                       (deputies, "deputy_id", "staged_deputy_id")):
        if query is None:
            continue
        sub = query.subquery()
        chunk = (select(sub).where(sub.c.id > getattr(b, cursor_attr)).order_by(sub.c.id).limit(batch)).subquery()
        last = session.scalar(select(func.max(chunk.c.id)))
        if last is None:
            continue
        taken = exists().where(BroadcastDelivery.broadcast_id == b.id, BroadcastDelivery.openid == chunk.c.openid)
        rows = select(literal(b.id), chunk.c.openid, chunk.c.id,
                      case((chunk.c.subscribed, DeliveryStatus.PENDING), else_=DeliveryStatus.SKIPPED),
                      case((chunk.c.subscribed, None), else_="unsubscribed"), literal(0)).where(~taken)
        session.execute(insert(BroadcastDelivery).from_select(
            ["broadcast_id", "openid", person, "status", "reason", "attempts"], rows))
        setattr(b, cursor_attr, last)
        return True
    b.staged = True
    return False


def claim(session: Session, broadcast_id: int, token: str, now: datetime, size: int) -> list[tuple[int, str, int]]:
    """Claim up to `size` waiting rows (due now) for this sender run, lowest ids first."""
    pick = (select(BroadcastDelivery.id).where(
        BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.PENDING,
        or_(BroadcastDelivery.due_at.is_(None), BroadcastDelivery.due_at <= now))
        .order_by(BroadcastDelivery.id).limit(size))
    if session.bind.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    mark = (update(BroadcastDelivery).values(status=DeliveryStatus.SENDING, claimed_by=token, claimed_at=now,
                                             attempts=BroadcastDelivery.attempts + 1)
            .execution_options(synchronize_session=False))
    cols = (BroadcastDelivery.id, BroadcastDelivery.openid, BroadcastDelivery.attempts)
    if not session.bind.dialect.update_returning:  # SQLite before 3.35: pick, then update
        ids = list(session.scalars(pick))
        session.execute(mark.where(BroadcastDelivery.id.in_(ids), BroadcastDelivery.status == DeliveryStatus.PENDING))
        return list(session.execute(select(*cols).where(BroadcastDelivery.id.in_(ids),
                                                        BroadcastDelivery.claimed_by == token)
                                    .order_by(BroadcastDelivery.id)).tuples())
    # One statement, no list of ids travelling back and forth. The pick is a
    # MATERIALIZED CTE: as a plain subquery PostgreSQL may run it again per
    # row, and with SKIP LOCKED each run finds other rows (no LIMIT at all).
    picked = pick.cte("picked").prefix_with("MATERIALIZED", dialect="postgresql")
    rows = session.execute(mark.where(BroadcastDelivery.id.in_(select(picked.c.id)),
                                      BroadcastDelivery.status == DeliveryStatus.PENDING).returning(*cols)).tuples()
    return sorted(rows)


def message(b: Broadcast, now: datetime) -> Outgoing:
    return Outgoing(openid="", text=b.text, title=b.title or texts.BROADCAST_TITLE,
                    fields=(("keyword1", b.title or texts.BROADCAST_TITLE), ("keyword2", b.author)))


def judge(delivery_id: int, err: DeliveryError, attempts: int, max_attempts: int) -> Result:
    """What a failed send means for this recipient."""
    if err.ambiguous:
        return Result(delivery_id, DeliveryStatus.UNKNOWN, err.reason)
    if err.code in REFUSED:
        return Result(delivery_id, DeliveryStatus.SKIPPED, f"refused ({err.code})")
    if err.code in QUOTA:
        return Result(delivery_id, "quota", err.reason)
    if err.retryable:
        if attempts >= max_attempts:
            return Result(delivery_id, DeliveryStatus.FAILED, f"gave up after {attempts} attempts: {err.reason}")
        return Result(delivery_id, "retry", err.reason)
    return Result(delivery_id, DeliveryStatus.FAILED, err.reason)


def record(session: Session, broadcast_id: int, results: Iterable[Result], now: datetime,
           backoff: float, token: str | None = None) -> None:
    """Write a batch of outcomes. Retries wait with exponential backoff; a
    spent daily quota pauses the broadcast (staff resume it). With the sender
    run's `token`, the largest group (usually: all sent) is written last as
    "the rest of this run's batch", without a list of ids."""
    quota = None
    attempts = {}
    results = list(results)
    retry_ids = [r.delivery_id for r in results if r.status == "retry"]
    if retry_ids:
        attempts = dict(session.execute(select(BroadcastDelivery.id, BroadcastDelivery.attempts)
                                        .where(BroadcastDelivery.id.in_(retry_ids))).all())
    groups: dict[tuple, list[int]] = defaultdict(list)  # same new values -> one UPDATE
    for r in results:
        values: dict[str, Any] = {"reason": r.reason, "claimed_by": None}
        if r.status == DeliveryStatus.SENT:
            values.update(status=DeliveryStatus.SENT, channel=r.channel, sent_at=now, reason=None)
        elif r.status == "retry":
            delay = min(300.0, backoff * 2 ** (attempts[r.delivery_id] - 1))
            values.update(status=DeliveryStatus.PENDING, due_at=now + timedelta(seconds=delay))
        elif r.status == "quota":
            quota = r.reason
            values.update(status=DeliveryStatus.PENDING, attempts=0)
        else:
            values.update(status=r.status)
        groups[tuple(sorted(values.items()))].append(r.delivery_id)
    ordered = sorted(groups.items(), key=lambda g: len(g[1]))
    for n, (values, ids) in enumerate(ordered):
        rows = BroadcastDelivery.id.in_(ids)
        if token is not None and n == len(ordered) - 1:  # the others are written, so "the rest" is exact
            rows = and_(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.claimed_by == token,
                        BroadcastDelivery.status == DeliveryStatus.SENDING, BroadcastDelivery.id.between(min(ids), max(ids)))
        session.execute(update(BroadcastDelivery).where(rows).values(dict(values)),
                        execution_options={"synchronize_session": False})
    if quota is not None:
        b = session.get(Broadcast, broadcast_id)
        if b.status == BroadcastStatus.SENDING:
            b.status, b.pause_reason = BroadcastStatus.PAUSED, "WeChat daily quota reached (45009)"
            log.error("broadcast %s paused: WeChat daily API quota reached (45009); resume it tomorrow", b.id)


def settle_orphans(session: Session, broadcast_id: int, journal: Journal) -> dict[str, int]:
    """Rows claimed by sender runs that are gone: apply what their journal says.
    Never attempted -> back to waiting; in flight -> unknown (never resent)."""
    out = {"requeued": 0, "unknown": 0, "recorded": 0}
    tokens = session.scalars(select(BroadcastDelivery.claimed_by).where(
        BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.SENDING).distinct()).all()
    for token in tokens:
        if token is None or journal.alive(token):
            continue
        ids = list(session.scalars(select(BroadcastDelivery.id).where(
            BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.SENDING,
            BroadcastDelivery.claimed_by == token)))
        seen = journal.outcomes(token, ids)
        rows = []
        for delivery_id in ids:
            mark = seen.get(delivery_id)
            if mark is None:
                rows.append({"id": delivery_id, "status": DeliveryStatus.PENDING, "claimed_by": None})
                out["requeued"] += 1
            elif mark == "begin":
                rows.append({"id": delivery_id, "status": DeliveryStatus.UNKNOWN, "claimed_by": None,
                             "reason": "worker stopped during the send; not resent"})
                out["unknown"] += 1
            else:
                status_, _, detail = mark.partition("|")
                if status_ in ("retry", "quota"):  # judged worth another try: back to waiting
                    rows.append({"id": delivery_id, "status": DeliveryStatus.PENDING, "claimed_by": None, "reason": detail})
                    out["requeued"] += 1
                    continue
                rows.append({"id": delivery_id, "status": status_, "claimed_by": None,
                             "channel": detail if status_ == DeliveryStatus.SENT else None,
                             "reason": None if status_ == DeliveryStatus.SENT else detail})
                out["recorded"] += 1
        if rows:
            session.execute(update(BroadcastDelivery), rows)
        if out["unknown"]:
            log.warning("broadcast %s: %d pushes were in flight when their worker stopped; not resent",
                        broadcast_id, out["unknown"])
    return out


def finish_if_done(session: Session, broadcast_id: int, now: datetime) -> bool:
    b = session.get(Broadcast, broadcast_id)
    if b.status != BroadcastStatus.SENDING or not b.staged:
        return False
    left = session.scalar(select(func.count()).where(
        BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING))))
    if left:
        return False
    b.status, b.finished_at = BroadcastStatus.DONE, now
    return True


def next_due(session: Session, broadcast_id: int) -> datetime | None:
    return session.scalar(select(func.min(BroadcastDelivery.due_at)).where(
        BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.PENDING))
