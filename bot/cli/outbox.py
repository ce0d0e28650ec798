"""`liaison sandbox outbox`: the pushes (outbound_pushes) and the broadcast
deliveries (broadcast_deliveries, one row per recipient) merged in time order,
the most recent `limit` of them, oldest first."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Broadcast, BroadcastDelivery, DeliveryStatus, OutboundPush

BROADCAST_KIND = "broadcast"


def _at(value: datetime | None) -> datetime:
    return value or datetime.min.replace(tzinfo=timezone.utc)  # sorts first


def _push(p: OutboundPush) -> tuple[datetime, dict[str, Any], str]:
    at = p.created_at
    item = {"id": p.id, "to": p.recipient_openid, "kind": p.kind, "status": p.status, "channel": p.channel,
            "text": (p.payload or {}).get("text", ""), "created_at": p.created_at.isoformat()}
    line = f"推送 #{p.id} [{p.status}/{p.channel or '-'}] → {p.recipient_openid}: {item['text']}"
    return at, item, line


def _delivery(d: BroadcastDelivery, b: Broadcast, when: datetime | None) -> tuple[datetime, dict[str, Any], str]:
    # A delivery row has no creation time: when it was sent, else claimed, else
    # when its broadcast started or was created.
    at = _at(when)
    item = {"id": d.id, "to": d.openid, "kind": BROADCAST_KIND, "status": d.status, "channel": d.channel,
            "text": b.text, "created_at": when.isoformat() if when else None, "broadcast_id": b.id, "title": b.title}
    title = f"《{b.title}》" if b.title else ""
    reason = f"（{d.reason}）" if d.reason and d.status != DeliveryStatus.SENT else ""
    line = f"群发 #{b.id}{title} [{d.status}/{d.channel or '-'}] → {d.openid}{reason}: {b.text}"
    return at, item, line


def recent(session: Session, limit: int) -> list[tuple[dict[str, Any], str]]:
    """(JSON item, line for staff) of the `limit` most recent pushes and
    broadcast deliveries, oldest first."""
    pushes = session.scalars(select(OutboundPush).order_by(OutboundPush.id.desc()).limit(limit)).all()
    when = func.coalesce(BroadcastDelivery.sent_at, BroadcastDelivery.claimed_at, Broadcast.started_at,
                         Broadcast.created_at)
    deliveries = session.execute(
        select(BroadcastDelivery, Broadcast, when).join(Broadcast, Broadcast.id == BroadcastDelivery.broadcast_id)
        .order_by(when.desc(), BroadcastDelivery.id.desc()).limit(limit)).all()
    # Pushes before deliveries at the same instant, each in id order.
    rows = [(at, 0, item["id"], item, line) for at, item, line in map(_push, pushes)]
    rows += [(at, 1, item["id"], item, line) for at, item, line in (_delivery(*r) for r in deliveries)]
    rows.sort(key=lambda r: r[:3])
    return [(item, line) for *_, item, line in rows[-limit:]] if limit > 0 else []
