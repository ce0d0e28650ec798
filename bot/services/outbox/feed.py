"""What reached one WeChat user, for the console's phone simulator: the
pushes and broadcast deliveries the worker has sent to an openid (in the
sandbox, "sent" means the SandboxNotifier recorded it), after a cursor taken
when the simulator page opened."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Broadcast, BroadcastDelivery, DeliveryStatus, OutboundPush, PushStatus

LIMIT = 50


@dataclass(frozen=True)
class Cursor:
    """The newest push and delivery ids when the phones were switched on."""

    push: int = 0
    delivery: int = 0


@dataclass(frozen=True)
class Arrival:
    key: str  # "push:12" or "broadcast:7": unique across both tables, for the page to skip repeats
    text: str
    title: str
    kind: str
    at: datetime | None


def cursor(session: Session) -> Cursor:
    return Cursor(session.scalar(select(func.max(OutboundPush.id))) or 0,
                  session.scalar(select(func.max(BroadcastDelivery.id))) or 0)


def arrived(session: Session, openid: str, after: Cursor, limit: int = LIMIT) -> list[Arrival]:
    """What was sent to `openid` since `after`, in the order it was sent (at most `limit`, the oldest)."""
    pushes = session.scalars(
        select(OutboundPush).where(OutboundPush.recipient_openid == openid, OutboundPush.id > after.push,
                                   OutboundPush.status == PushStatus.SENT)
        .order_by(OutboundPush.id).limit(limit)).all()
    deliveries = session.execute(
        select(BroadcastDelivery, Broadcast).join(Broadcast, Broadcast.id == BroadcastDelivery.broadcast_id)
        .where(BroadcastDelivery.openid == openid, BroadcastDelivery.id > after.delivery,
               BroadcastDelivery.status == DeliveryStatus.SENT)
        .order_by(BroadcastDelivery.id).limit(limit)).all()
    out = [Arrival(f"push:{p.id}", (p.payload or {}).get("text", ""), (p.payload or {}).get("title", ""),
                   p.kind, p.sent_at) for p in pushes]
    out += [Arrival(f"broadcast:{d.id}", b.text, b.title or "", "broadcast", d.sent_at) for d, b in deliveries]
    out.sort(key=lambda a: (a.at is None, a.at or datetime.min, a.key))
    return out[:limit]


def waiting(session: Session, openids: list[str], after: Cursor) -> int:
    """Pushes to these openids the worker has not sent yet: when this stays above
    zero, no worker is running (`liaison serve` starts one)."""
    return session.scalar(
        select(func.count(OutboundPush.id)).where(OutboundPush.recipient_openid.in_(openids),
                                                  OutboundPush.id > after.push,
                                                  OutboundPush.status.in_((PushStatus.PENDING,
                                                                           PushStatus.SENDING)))) or 0
