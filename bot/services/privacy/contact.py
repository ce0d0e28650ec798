"""A user who unfollows the account keeps their history (tickets, messages)
as before, and gets nothing more: pushes and broadcast messages still waiting
for them are stopped, not left to fail one by one at WeChat."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from ...models import BroadcastDelivery, DeliveryStatus, OutboundPush
from ..outbox import notify
from ..roster import binding


def unsubscribed(session: Session, openid: str) -> int:
    """Mark the voter or deputy unsubscribed and stop what waits for them; returns how many stopped."""
    binding.unsubscribe(session, openid)
    stopped = notify.stop(session, OutboundPush.recipient_openid == openid, "unsubscribed before sending")
    stopped += session.execute(
        update(BroadcastDelivery).where(BroadcastDelivery.openid == openid,
                                        BroadcastDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SKIPPED, reason="unsubscribed")).rowcount
    session.flush()
    return stopped
